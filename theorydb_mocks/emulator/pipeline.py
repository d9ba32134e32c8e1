"""The stages every request passes through, in one order, whichever door it came from.

``DynamoDBEmulator.dispatch`` runs them; this module names them and holds the types of the two stages a
user of the emulator plugs in (a journal and observers).

1. ``faults``: a pending scheduled fault (``emu.faults``) may answer instead (throttles and 500s before
   anything else; ``unprocessed`` batches and transaction conflicts as their operations run);
2. ``validate``: the service's checks on the request's shape (skipped when a door already ran them);
3. under the emulator's lock: ``ttl`` (items past their expiry go first, in ``immediate`` mode),
   ``capacity`` (the ledger records the units of metered operations), the ``handler``, and, after it
   succeeded, the ``journal`` (one writer per emulator: the HTTP server's write-ahead journal), so a write
   is recorded before any other request can see it and before it is answered;
4. ``observers`` (``emu.observe(callback)``): after the lock is released, each sees the request and its
   outcome, answer or error (the pytest plugin's operation log is one).

A stage that has nothing to do costs one test: no fault pending, no TTL, no journal, no observer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from theorydb_mocks.emulator.errors import DynamoDBError

__all__ = ["STAGES", "JournalWriter", "Observation", "Observer", "WireRequest"]

STAGES: Final = ("faults", "validate", "ttl", "capacity", "handler", "journal", "observers")

# (X-Amz-Target, body): a request as it came over the wire, when it did (see ``door``).
WireRequest = tuple[str, bytes]

# Called under the lock after a mutating operation succeeded: (operation, request, the request as sent
# if it came over the wire, the clock reading the handler ran at).
JournalWriter = Callable[[str, dict[str, Any], "WireRequest | None", float], None]


@dataclass(frozen=True, slots=True)
class Observation:
    """One answered request: ``response`` when it succeeded, ``error`` when the answer was an error."""

    operation: str
    request: dict[str, Any]
    response: dict[str, Any] | None
    error: DynamoDBError | None

    @property
    def ok(self) -> bool:
        return self.error is None


Observer = Callable[[Observation], None]
