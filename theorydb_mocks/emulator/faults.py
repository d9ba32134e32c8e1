"""Deterministic faults: throttles, unprocessed batch entries, transaction conflicts and 500s, on request.

Application code has retry paths (botocore's retries, ``UnprocessedItems`` loops, transaction retries) that a
well-behaved emulator never exercises. ``emu.faults`` schedules failures for the next matching calls, each a
fixed number of ``times``, so a test can prove its retries happen and that the final outcome is right:

- ``throttle(operation, times=N, key=None, code=...)``: the next N matching calls answer
  ``ProvisionedThroughputExceededException`` (or ``ThrottlingException``), HTTP 400, which botocore retries;
- ``internal_error(operation, times=1)``: an ``InternalServerError`` with HTTP 500, which botocore retries;
- ``unprocessed(operation, keys=[...], times=1)``: BatchWriteItem / BatchGetItem leave the chosen entries out
  and hand them back in ``UnprocessedItems`` / ``UnprocessedKeys`` (the rest is processed);
- ``replicated_write_conflict(operation, times=1, key=None)``: a ``ReplicatedWriteConflictException``
  (HTTP 400, which botocore retries), as a write to a multi-Region strongly consistent global table answers
  when another region is writing the same item;
- ``transaction_conflict(times=1, key=None)``: the next transaction is cancelled with a
  ``TransactionConflict`` reason for the chosen action (the one touching ``key``, or the first), as the
  service does.

Faults are consumed in the order they were added; ``pending()`` lists those left, ``clear()`` drops them. A
fault fires before the request is validated or the lock is taken (except ``unprocessed``, which validates the
whole batch first, and ``transaction_conflict``, which fires inside the transaction).

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> emu.faults.throttle("ListTables", times=1)
<Fault throttle ListTables x1 ProvisionedThroughputExceededException>
>>> try:
...     emu.dispatch("ListTables", {})
... except Exception as err:
...     print(err)
ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was ...
>>> emu.dispatch("ListTables", {}), emu.faults.pending()
({'TableNames': []}, [])
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from theorydb_mocks.emulator._types import Key, Request, Response
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error
from theorydb_mocks.emulator.messages import (
    INTERNAL_ERROR,
    RATE_EXCEEDED,
    REPLICATED_WRITE_CONFLICT,
    THROUGHPUT_EXCEEDED,
)
from theorydb_mocks.emulator.operations._registry import OPERATIONS, OperationRecord
from theorydb_mocks.emulator.values import validate_attribute_value, values_equal

__all__ = ["Fault", "Faults"]


FaultKind = Literal[
    "throttle", "internal_error", "unprocessed", "transaction_conflict", "replicated_write_conflict"
]
ThrottleCode = Literal["ProvisionedThroughputExceededException", "ThrottlingException"]
_THROTTLE_MESSAGES = {
    "ProvisionedThroughputExceededException": THROUGHPUT_EXCEEDED,
    "ThrottlingException": RATE_EXCEEDED,
}
# The kinds that answer in place of the request, before it runs.
_REFUSALS = ("throttle", "internal_error", "replicated_write_conflict")
# The rest of the pipeline after the faults stage: (request, prevalidated) -> response.
Run = Callable[[Request, bool], Response]


@dataclass(slots=True)
class Fault:
    """One scheduled fault; ``remaining`` counts down to zero as matching calls consume it."""

    kind: FaultKind
    operation: str | None
    remaining: int
    code: str = ""
    keys: tuple[Key, ...] = field(default_factory=tuple)

    def __repr__(self) -> str:
        parts = [self.kind, self.operation or "any transaction", f"x{self.remaining}"]
        if self.code:
            parts.append(self.code)
        if self.keys:
            parts.append(f"keys={list(self.keys)!r}")
        return "<Fault " + " ".join(parts) + ">"

    def matches_key(self, key: Any) -> bool:
        """Whether a request's key or item (any attribute values) holds every attribute of one fault key."""
        if not self.keys:
            return True
        if not isinstance(key, dict):
            return False
        return any(_holds(key, wanted) for wanted in self.keys)


def _holds(found: dict[str, Any], wanted: Key) -> bool:
    for name, value in wanted.items():
        got = found.get(name)
        if not isinstance(got, dict) or len(got) != 1:
            return False
        try:
            if not values_equal(validate_attribute_value(got), value):
                return False
        except DynamoDBError:
            return False
    return True


def _normalized_keys(keys: Sequence[Key] | Key | None) -> tuple[Key, ...]:
    if keys is None:
        return ()
    if isinstance(keys, dict):
        keys = [keys]
    normalized = []
    for key in keys:
        if not isinstance(key, dict) or not key:
            raise TypeError(f"a fault key is a non-empty dict of attribute values, not {key!r}")
        normalized.append({name: validate_attribute_value(av) for name, av in key.items()})
    return tuple(normalized)


def _times(times: int) -> int:
    if type(times) is not int or times < 1:
        raise ValueError(f"times must be a positive int, not {times!r}")
    return times


def request_keys(operation: str, request: Any) -> Iterator[Any]:
    """Every key or item a request names (for matching faults on a key); tolerant of malformed requests."""
    if not isinstance(request, dict):
        return
    for member in ("Key", "Item"):
        if member in request:
            yield request[member]
    items = request.get("RequestItems")
    if isinstance(items, dict):
        for entries in items.values():
            if isinstance(entries, dict):  # BatchGetItem
                yield from entries.get("Keys") or ()
            elif isinstance(entries, list):  # BatchWriteItem
                for entry in entries:
                    yield from request_keys(operation, _write_body(entry))
    actions = request.get("TransactItems")
    if isinstance(actions, list):
        for action in actions:
            if isinstance(action, dict):
                for body in action.values():
                    yield from request_keys(operation, body)


def _write_body(entry: Any) -> Any:
    if not isinstance(entry, dict):
        return None
    return entry.get("PutRequest") or entry.get("DeleteRequest")


class Faults:
    """The faults scheduled on one emulator (thread-safe). Reach it as ``emu.faults``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Fault] = []
        # True while any fault is pending: an attribute, kept under the lock with ``_pending``, because
        # every request reads it (``__bool__``, a Python call, cost 0.12 us of a GetItem).
        self.armed = False

    def __repr__(self) -> str:
        return f"<Faults pending={len(self._pending)}>"

    def __bool__(self) -> bool:
        """True while any fault is pending (``armed``)."""
        return self.armed

    # -- scheduling ------------------------------------------------------------------------------------

    def _add(self, fault: Fault) -> Fault:
        with self._lock:
            self._pending.append(fault)
            self.armed = True
        return fault

    def throttle(
        self,
        operation: str,
        *,
        times: int = 1,
        key: Key | None = None,
        code: ThrottleCode = "ProvisionedThroughputExceededException",
    ) -> Fault:
        """Throttle the next ``times`` calls of ``operation`` (only those naming ``key``, if given)."""
        if code not in _THROTTLE_MESSAGES:
            raise ValueError(f"code must be one of {sorted(_THROTTLE_MESSAGES)}, not {code!r}")
        return self._add(Fault("throttle", operation, _times(times), code, _normalized_keys(key)))

    def internal_error(self, operation: str, *, times: int = 1) -> Fault:
        """Answer the next ``times`` calls of ``operation`` with a 500 ``InternalServerError``."""
        return self._add(Fault("internal_error", operation, _times(times), "InternalServerError"))

    def replicated_write_conflict(self, operation: str, *, times: int = 1, key: Key | None = None) -> Fault:
        """Answer the next ``times`` calls of ``operation`` (naming ``key``, if given) with a
        ``ReplicatedWriteConflictException``: the item is being written in another region of a
        multi-Region strongly consistent global table (which one request at a time never causes itself)."""
        return self._add(
            Fault(
                "replicated_write_conflict",
                operation,
                _times(times),
                "ReplicatedWriteConflictException",
                _normalized_keys(key),
            )
        )

    def unprocessed(
        self, operation: Literal["BatchWriteItem", "BatchGetItem"], *, keys: Sequence[Key], times: int = 1
    ) -> Fault:
        """Leave the entries on ``keys`` unprocessed in the next ``times`` batches that contain them."""
        if operation not in _batches():
            raise ValueError(f"unprocessed faults apply to {' and '.join(_batches())}, not {operation!r}")
        normalized = _normalized_keys(keys)
        if not normalized:
            raise ValueError("unprocessed needs at least one key")
        return self._add(Fault("unprocessed", operation, _times(times), "", normalized))

    def transaction_conflict(self, *, times: int = 1, key: Key | None = None) -> Fault:
        """Cancel the next ``times`` transactions (touching ``key``, if given) with a TransactionConflict."""
        return self._add(Fault("transaction_conflict", None, _times(times), "", _normalized_keys(key)))

    def pending(self) -> list[Fault]:
        """The faults not yet consumed, in the order they will fire."""
        with self._lock:
            return list(self._pending)

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._pending.clear()
            self.armed = False

    # -- firing ----------------------------------------------------------------------------------------

    def _take(self, test: Callable[[Fault], bool]) -> Fault | None:
        """Consume one use of the first pending fault passing ``test``."""
        with self._lock:
            for fault in self._pending:
                if test(fault):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._pending.remove(fault)
                        self.armed = bool(self._pending)
                    return fault
        return None

    def dispatch(self, record: OperationRecord, run: Run, request: Request, prevalidated: bool) -> Response:
        """Answer one request of the operation ``record`` through ``run`` (the rest of the emulator's
        pipeline), firing any fault it matches."""
        operation = record.name

        def refuses(fault: Fault) -> bool:
            if fault.kind not in _REFUSALS or fault.operation != operation:
                return False
            return not fault.keys or any(fault.matches_key(k) for k in request_keys(operation, request))

        fault = self._take(refuses)
        if fault is not None:
            if fault.kind == "internal_error":
                raise ddb_error("InternalServerError", INTERNAL_ERROR)
            if fault.kind == "replicated_write_conflict":
                raise ddb_error(fault.code, REPLICATED_WRITE_CONFLICT)
            raise ddb_error(fault.code, _THROTTLE_MESSAGES[fault.code])
        if record.faults == "batch" and any(f.kind == "unprocessed" for f in self._pending):
            return self._batch(record, run, request, prevalidated)
        return run(request, prevalidated)

    def conflict(self, action_keys: Sequence[Any]) -> int | None:
        """For a transaction about to run: the position of the action to cancel with a conflict, or None.

        ``action_keys`` holds each action's key (as the request wrote it), in order.
        """

        def hits(fault: Fault) -> bool:
            return fault.kind == "transaction_conflict" and any(fault.matches_key(k) for k in action_keys)

        fault = self._take(hits)
        if fault is None:
            return None
        if not fault.keys:
            return 0
        return next(n for n, key in enumerate(action_keys) if fault.matches_key(key))

    def _batch(self, record: OperationRecord, run: Run, request: Request, prevalidated: bool) -> Response:
        """Run a batch without the entries an ``unprocessed`` fault holds back, then hand those back."""
        operation = record.name
        if not prevalidated:
            record.validate(request)
        getting = operation == "BatchGetItem"

        def applies(fault: Fault) -> bool:
            if fault.kind != "unprocessed" or fault.operation != operation:
                return False
            return any(fault.matches_key(k) for k in request_keys(operation, request))

        fault = self._take(applies)
        if fault is None:
            return run(request, True)
        kept: dict[str, Any] = {}
        held: dict[str, Any] = {}
        for table, entries in request["RequestItems"].items():
            if getting:
                keys = entries.get("Keys") or []
                stay = [k for k in keys if not fault.matches_key(k)]
                back = [k for k in keys if fault.matches_key(k)]
                rest = {member: value for member, value in entries.items() if member != "Keys"}
                if stay:
                    kept[table] = {**rest, "Keys": stay}
                if back:
                    held[table] = {**rest, "Keys": back}
            else:
                stay = [e for e in entries if not fault.matches_key(_key_of(_write_body(e)))]
                back = [e for e in entries if fault.matches_key(_key_of(_write_body(e)))]
                if stay:
                    kept[table] = stay
                if back:
                    held[table] = back
        member = "UnprocessedKeys" if getting else "UnprocessedItems"
        if kept:
            response = run({**request, "RequestItems": kept}, True)
        else:
            response = {"Responses": {}} if getting else {}
        merged = dict(response.get(member) or {})
        for table, entries in held.items():
            if getting:
                if table in merged:
                    merged[table] = {**merged[table], "Keys": [*merged[table]["Keys"], *entries["Keys"]]}
                else:
                    merged[table] = entries
            else:
                merged[table] = [*merged.get(table, []), *entries]
        response[member] = merged
        return response


def _batches() -> tuple[str, ...]:
    """The operations ``unprocessed`` faults apply to (their records say ``faults="batch"``)."""
    return tuple(name for name, record in OPERATIONS.items() if record.faults == "batch")


def _key_of(body: Any) -> Any:
    if not isinstance(body, dict):
        return None
    return body.get("Item", body.get("Key"))
