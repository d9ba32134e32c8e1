"""Exports, imports and bulk operations as jobs: IN_PROGRESS until the emulator's clock passes a delay.

On the service these jobs take minutes; in the emulator the work is done when the job starts (under the
emulator's lock, so it sees one consistent state), and the job *shows* ``IN_PROGRESS`` until the clock
passes ``start + duration``. ``emu.transfers.duration`` is that delay in seconds: 0 by default, so a test
sees ``COMPLETED`` (or ``FAILED``) at once; set it (and move ``emu.clock``) to test code that polls.
When the delay has passed, the job's ``finish`` step runs once: an export writes its manifests, an
import makes its table ACTIVE. ``settle`` runs those steps; the emulator calls it before each request
while a job is pending.

>>> from theorydb_mocks.emulator.clock import Clock
>>> clock = Clock(100.0)
>>> transfers = Transfers(clock)
>>> transfers.duration = 5
>>> job = transfers.start(Job("arn:job/1", "export", clock.now()))
>>> job.status
'IN_PROGRESS'
>>> clock.advance(5); transfers.settle(); job.status
'COMPLETED'
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from theorydb_mocks.emulator.clock import Clock

__all__ = ["Job", "JobKind", "Transfers", "job_id", "list_page"]

JobKind = Literal["export", "import", "bulk"]


def job_id(at: float, seed: str) -> str:
    """An id in the service's form: the start in epoch milliseconds (14 digits), a dash, 8 hex digits.

    The hex digits come from ``seed`` (``Transfers.new_id`` gives the region and a sequence number), so a
    journal replayed in order makes the same ids, and an export rewrites its own folder, not a new one.

    >>> job_id(1_700_000_000.0, "us-east-1/1")
    '01700000000000-fe81c662'
    """
    millis = int(at * 1000)
    return f"{millis:014d}-{hashlib.sha256(f'{millis}/{seed}'.encode()).hexdigest()[:8]}"


@dataclass(eq=False)
class Job:
    """One export, import or bulk operation: its ARN, timings and outcome (the operation's description
    is built from ``details`` by its handler module)."""

    arn: str
    kind: JobKind
    start: float
    status: str = "IN_PROGRESS"
    outcome: str = "COMPLETED"  # what the status becomes when the delay has passed
    ready_at: float = 0.0
    end: float | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    finish: Callable[[Job], None] | None = None
    log: list[dict[str, Any]] = field(default_factory=list)  # CloudWatch-style events: timestamp, message

    def __repr__(self) -> str:
        return f"<Job {self.kind} {self.arn} {self.status}>"

    def fail(self, code: str, message: str) -> None:
        """Make the job end FAILED with the service's ``FailureCode`` and ``FailureMessage``."""
        self.outcome = "FAILED"
        self.failure_code = code
        self.failure_message = message


class Transfers:
    """The jobs of one emulator, by kind, oldest first; ``duration`` is how long each shows IN_PROGRESS."""

    def __init__(self, clock: Clock, duration: float = 0.0) -> None:
        self.clock = clock
        self.duration = float(duration)
        self.jobs: dict[JobKind, dict[str, Job]] = {"export": {}, "import": {}, "bulk": {}}
        self._pending: list[Job] = []
        # Whether some job still shows IN_PROGRESS (the emulator then settles before each request): an
        # attribute, kept with ``_pending``, because every request reads it (a property cost 0.12 us).
        self.pending = False
        self._sequence = 0

    def __repr__(self) -> str:
        counts = ", ".join(f"{kind}s={len(jobs)}" for kind, jobs in self.jobs.items())
        return f"<Transfers {counts} duration={self.duration}>"

    def new_id(self, at: float, region: str) -> str:
        """The id of the next job started at ``at`` (see ``job_id``)."""
        self._sequence += 1
        return job_id(at, f"{region}/{self._sequence}")

    def start(self, job: Job) -> Job:
        """Record ``job`` (its work done already, its ``outcome`` set) and settle it if no delay applies."""
        job.ready_at = job.start + self.duration
        self.jobs[job.kind][job.arn] = job
        self._pending.append(job)
        self.pending = True
        self.settle()
        return job

    def settle(self) -> None:
        """Finish every job whose delay has passed (its ``finish`` step, then its final status)."""
        if not self._pending:
            return
        now = self.clock.now()
        still: list[Job] = []
        for job in self._pending:
            if now < job.ready_at:
                still.append(job)
                continue
            job.end = max(now, job.start) if self.duration else job.start
            if job.finish is not None:
                try:
                    job.finish(job)
                except Exception as exc:  # a job's bug fails that job, not the request that settled it
                    job.fail("InternalServerError", f"{type(exc).__name__} while finishing the job")
            job.status = job.outcome
        self._pending = still
        self.pending = bool(still)

    def log(self, arn: str) -> list[dict[str, Any]]:
        """The events a job logged, as CloudWatch holds them (``timestamp`` in ms, ``message``): an
        import's or bulk put's item errors. ``KeyError`` for an unknown ARN."""
        for jobs in self.jobs.values():
            if arn in jobs:
                return list(jobs[arn].log)
        raise KeyError(arn)

    def find(self, kind: JobKind, arn: str) -> Job | None:
        self.settle()
        return self.jobs[kind].get(arn)

    def by_token(self, kind: JobKind, token: str) -> Job | None:
        """The job of ``kind`` started with ClientToken ``token`` (idempotent retries find it)."""
        for job in self.jobs[kind].values():
            if job.details.get("ClientToken") == token:
                return job
        return None

    def clear(self) -> None:
        for jobs in self.jobs.values():
            jobs.clear()
        self._pending.clear()
        self.pending = False


def list_page(
    jobs: list[Job], limit: int, token: str | None, *, token_width: int = 16
) -> tuple[list[Job], str | None]:
    """One page of ``jobs`` after the position ``token`` encodes, and the token of the next page.

    Tokens are hex (the models' ``([0-9a-f]{16})+`` pattern): the position, then random filler so they
    look like the service's opaque tokens. An unknown token starts at the beginning.
    """
    start = 0
    if token:
        try:
            start = int(token[:token_width], 16)
        except ValueError:
            start = 0
    page = jobs[start : start + limit]
    after = start + len(page)
    if after >= len(jobs):
        return page, None
    return page, f"{after:0{token_width}x}" + os.urandom(48).hex()
