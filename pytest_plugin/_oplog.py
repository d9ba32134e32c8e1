"""A bounded log of the operations an emulator answered, printed when a test fails.

The log is an observer of the emulator's pipeline (``emu.observe``): every door, direct client, routed boto3
client or HTTP server, goes through it; a ``deque`` keeps only the last ``size`` entries.

>>> from theorydb_mocks import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> log = OperationLog.attach(emu, size=5)
>>> _ = emu.client().list_tables()
>>> print(log.render())
1. ListTables {} -> ok
"""

from __future__ import annotations

import collections
import itertools
import reprlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from theorydb_mocks.emulator import DynamoDBEmulator
    from theorydb_mocks.emulator.pipeline import Observation

__all__ = ["OperationLog"]

_REPR = reprlib.Repr()
_REPR.maxstring = 60
_REPR.maxdict = 8
_REPR.maxlist = 4
_REPR.maxlevel = 4
_REPR.maxother = 60


class OperationLog:
    """The last ``size`` requests an emulator answered, each with its outcome (``ok`` or the error)."""

    def __init__(self, size: int) -> None:
        self.size = size
        # (number, operation, the request's members, outcome): shown only when a test fails, so the
        # request is rendered then (a top-level copy is kept; rendering each one cost ~40% of a small test)
        self._entries: collections.deque[tuple[int, str, dict[str, Any], str]] = collections.deque(
            maxlen=size
        )
        self._count = itertools.count(1)

    def __repr__(self) -> str:
        return f"<OperationLog {len(self._entries)}/{self.size}>"

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def attach(cls, emulator: DynamoDBEmulator, size: int) -> OperationLog:
        """Start logging ``emulator``'s operations (an observer of its pipeline)."""
        log = cls(size)
        emulator.observe(log.record)
        return log

    def record(self, seen: Observation) -> None:
        """The observer: one entry per answered request."""
        error = seen.error
        outcome = "ok" if error is None else f"{error.code}: {error.message}"
        self.add(seen.operation, seen.request, outcome)

    def add(self, operation: str, request: dict[str, Any], outcome: str) -> None:
        self._entries.append((next(self._count), operation, dict(request), outcome))

    def render(self) -> str:
        """One numbered line per operation, oldest first; numbers count from the start of the test."""
        return "\n".join(
            f"{n}. {operation} {_REPR.repr(request)} -> {outcome}"
            for n, operation, request, outcome in self._entries
        )
