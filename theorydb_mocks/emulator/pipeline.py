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

The express lane (``DynamoDBEmulator.express``) is the same pipeline with nothing in it to do. When no
fault is pending, no journal is set, no global-table replication is under way and the opt-in table
lifecycle is off, ``dispatch`` first offers the request as the door received it to the operation's lane
(``@express_lane``: GetItem, PutItem, DeleteItem, UpdateItem, Query), before even the door's own
preparation (``prepare``). A lane answers only a request that surely passes botocore's client-side checks
and the service's validation, and declines anything else with None; the request then takes the full
pipeline. Under the lock, TTL and transfers are settled as above, the lane answers, its units go to the
ledger, and the observers see the request as they would any other. GetItem's, PutItem's and DeleteItem's
lanes decline whatever the handler might refuse; UpdateItem's and Query's run the handler's own steps, so a
failed condition or a bad expression is the handler's error, as the full pipeline raises it (the
observers see it too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, NamedTuple

from theorydb_mocks.emulator.errors import DynamoDBError

__all__ = ["STAGES", "JournalWriter", "Observation", "Observer", "Prepare", "WireRequest"]

STAGES: Final = ("faults", "validate", "ttl", "capacity", "handler", "journal", "observers")

# (X-Amz-Target, body): a request as it came over the wire, when it did (see ``door``).
WireRequest = tuple[str, bytes]

# Called under the lock after a mutating operation succeeded: (operation, request, the request as sent
# if it came over the wire, the clock reading the handler ran at).
JournalWriter = Callable[[str, dict[str, Any], "WireRequest | None", float], None]


class Observation(NamedTuple):
    """One answered request: ``response`` when it succeeded, ``error`` when the answer was an error.

    (A named tuple: immutable, and built in a third of a frozen dataclass's time on every observed request.)
    """

    operation: str
    request: dict[str, Any]
    response: dict[str, Any] | None
    error: DynamoDBError | None

    @property
    def ok(self) -> bool:
        return self.error is None


Observer = Callable[[Observation], None]

# A door's own preparation of a request it received (``dispatch(..., prepare=...)``): the request to
# answer, and whether it has been validated as the service would.
Prepare = Callable[[dict[str, Any]], tuple[dict[str, Any], bool]]
