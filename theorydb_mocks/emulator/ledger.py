"""The capacity ledger: every unit every request consumed, by table, index and operation (``emu.capacity``).

Tests assert on cost without asking each request for ``ReturnConsumedCapacity``: ``dispatch`` has each
metered operation (its ``OperationRecord`` says so) compute its ConsumedCapacity with the detail the ledger
needs (INDEXES where the table has indexes, TOTAL, its own share, where it has none: the handlers' own
numbers, ``capacity.py``; nothing is computed twice), records it here, and then answers with
what the request asked for (nothing, TOTAL or INDEXES). Failed requests are not recorded. TTL deletions are
free, as on DynamoDB.

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> emu.dispatch("PutItem", {"TableName": "tbl", "Item": {"pk": {"S": "a"}}})
{}
>>> emu.capacity.total(table="tbl", operation="PutItem")
1.0
>>> emu.capacity.entries
[LedgerEntry(operation='PutItem', table='tbl', index=None, units=1.0, kind='write')]
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal

from theorydb_mocks.emulator.operations._registry import OPERATIONS

__all__ = ["UNSET", "CapacityLedger", "LedgerEntry", "total_only"]

_DETAIL = ("Table", "LocalSecondaryIndexes", "GlobalSecondaryIndexes")


class _Unset(enum.Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """Units one request consumed on one table (``index=None``: the table's own share) or one index."""

    operation: str
    table: str
    index: str | None
    units: float
    kind: Literal["read", "write"]


def total_only(consumed: Any) -> Any:
    """A ConsumedCapacity answer (one entry or a list) without its INDEXES detail, as TOTAL asks.

    >>> total_only({"TableName": "tbl", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 1.0}})
    {'TableName': 'tbl', 'CapacityUnits': 2.0}
    """
    if isinstance(consumed, list):
        return [total_only(entry) for entry in consumed]
    return {name: value for name, value in consumed.items() if name not in _DETAIL}


def _kind(operation: str) -> Literal["read", "write"]:
    record = OPERATIONS.get(operation)
    return "write" if record is None else record.capacity_kind


# A recorded request: (operation, table, units) for an answer without index detail (shared tuples: the
# same few repeat), (operation, answer) otherwise.
_Raw = tuple[Any, ...]


def _expand(raw: Iterable[_Raw]) -> Iterator[LedgerEntry]:
    for recorded in raw:
        if len(recorded) == 3:
            operation, table, units = recorded
            yield LedgerEntry(operation, table, None, float(units), _kind(operation))
            continue
        operation, consumed = recorded
        kind = _kind(operation)
        answers: Iterable[Any] = consumed if isinstance(consumed, list) else (consumed,)
        for answer in answers:
            table = answer["TableName"]
            own = answer.get("Table")
            yield LedgerEntry(operation, table, None, float((own or answer)["CapacityUnits"]), kind)
            for group in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
                for index, share in (answer.get(group) or {}).items():
                    yield LedgerEntry(operation, table, index, float(share["CapacityUnits"]), kind)


_Folded = dict[tuple[str, str, str | None, str], float]


class CapacityLedger:
    """What the emulator's requests consumed; ``enabled=False`` stops recording (and its small cost).

    Recording adds each answer's units to running sums (by operation, table, index and kind: what
    ``total`` and ``by_operation`` read) and keeps the answer itself for ``entries``, which lists those
    of the last ``keep`` requests at least, so a long-running server does not grow without bound.
    Runtime: O(1) per request (one dict update for a table without index detail), O(keep) amortized
    trimming of the recent list.
    """

    def __init__(self, *, enabled: bool = True, keep: int = 10_000) -> None:
        self.enabled = enabled
        self.keep = keep
        self._raw: list[_Raw] = []
        self._folded: _Folded = {}  # shares of answers with index detail, summed
        # (operation, table, units) -> [how many answers, that tuple as first stored]
        self._own: dict[tuple[str, str, float], list[Any]] = {}

    def __repr__(self) -> str:
        return f"<CapacityLedger requests={len(self._raw)} units={self.total()}>"

    def record(self, operation: str, consumed: Any) -> None:
        """Add the ConsumedCapacity of one answer (TOTAL or INDEXES detail; one entry or a list).

        The hot path, an answer without index detail, keeps no new object: it counts the answer under
        ``(operation, table, units)`` and lists that shared tuple (measured: keeping each answer's dict
        alive was most of the ledger's cost on a GetItem).
        """
        if type(consumed) is dict and "Table" not in consumed:
            self.charge(operation, consumed["TableName"], consumed["CapacityUnits"])
            return
        raw = self._raw
        if len(raw) >= 2 * self.keep:
            del raw[: len(raw) - self.keep + 1]
        raw.append((operation, consumed))
        folded = self._folded
        for entry in _expand(((operation, consumed),)):
            detail = (entry.operation, entry.table, entry.index, entry.kind)
            folded[detail] = folded.get(detail, 0.0) + entry.units

    def charge(self, operation: str, table: str, units: float) -> None:
        """Add ``units`` of one request to ``table``'s own share (what ``record`` does with an answer
        without index detail): the express lanes' way in, with no answer to build or read."""
        raw = self._raw
        if len(raw) >= 2 * self.keep:
            del raw[: len(raw) - self.keep + 1]
        slot = (operation, table, units)
        counted = self._own.get(slot)
        if counted is None:
            counted = self._own[slot] = [0, slot]
        counted[0] += 1
        raw.append(counted[1])  # the stored tuple, not the new one

    def _sums(self) -> _Folded:
        """Units by (operation, table, index, kind), over every request recorded."""
        sums = dict(self._folded)
        for (operation, table, units), (count, _shared) in self._own.items():
            slot = (operation, table, None, _kind(operation))
            sums[slot] = sums.get(slot, 0.0) + float(units) * count
        return sums

    @property
    def entries(self) -> list[LedgerEntry]:
        """One entry per table share and per index share of each recent request, oldest first."""
        return list(_expand(self._raw))

    def total(
        self,
        *,
        table: str | _Unset | None = UNSET,
        index: str | _Unset | None = UNSET,
        operation: str | _Unset = UNSET,
        kind: Literal["read", "write"] | _Unset = UNSET,
    ) -> float:
        """The units matching every filter given: ``index=None`` selects tables' own shares only,
        ``index="g"`` that index's, and no ``index`` both (a table's total)."""

        def wanted(entry_operation: str, entry_table: str, entry_index: str | None, entry_kind: str) -> bool:
            return (
                (table is UNSET or entry_table == table)
                and (index is UNSET or entry_index == index)
                and (operation is UNSET or entry_operation == operation)
                and (kind is UNSET or entry_kind == kind)
            )

        return float(sum(value for slot, value in self._sums().items() if wanted(*slot)))

    def by_operation(self) -> dict[str, float]:
        """Units per operation name."""
        totals: dict[str, float] = {}
        for (operation, _table, _index, _kind), units in self._sums().items():
            totals[operation] = totals.get(operation, 0.0) + units
        return totals

    def totals(self) -> list[LedgerEntry]:
        """One entry per (operation, table, index, kind) with its units summed over every request."""
        return [
            LedgerEntry(op, table, index, units, "read" if kind == "read" else "write")
            for (op, table, index, kind), units in self._sums().items()
        ]

    def reset(self) -> None:
        """Forget everything recorded."""
        self._raw.clear()
        self._folded.clear()
        self._own.clear()

    def save(self) -> tuple[_Folded, list[_Raw]]:
        """The ledger as it is, for a snapshot: O(recent requests) list copy, answers shared."""
        return self._sums(), list(self._raw)

    def load(self, saved: tuple[_Folded, list[_Raw]]) -> None:
        """Go back to what ``save`` returned."""
        self._folded = dict(saved[0])
        self._own = {}
        self._raw = list(saved[1])
