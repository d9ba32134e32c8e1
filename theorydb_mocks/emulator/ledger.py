"""The capacity ledger: every unit every request consumed, by table, index and operation (``emu.capacity``).

Tests assert on cost without asking each request for ``ReturnConsumedCapacity``: ``dispatch`` has each
metered operation (its ``OperationRecord`` says so) compute its ConsumedCapacity with INDEXES detail (the
handlers' own numbers, ``capacity.py``; nothing is computed twice), records it here, and then answers with
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


def _expand(raw: Iterable[tuple[str, Any]]) -> Iterator[LedgerEntry]:
    for operation, consumed in raw:
        record = OPERATIONS.get(operation)
        kind: Literal["read", "write"] = "write" if record is None else record.capacity_kind
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

    Recording keeps each answer as it came (one append on the hot path). ``entries`` lists those of the
    last ``keep`` requests at least; older ones are folded into sums, so a long-running server does not
    grow without bound, and ``total`` still counts every request.
    """

    def __init__(self, *, enabled: bool = True, keep: int = 10_000) -> None:
        self.enabled = enabled
        self.keep = keep
        self._raw: list[tuple[str, Any]] = []
        self._folded: _Folded = {}

    def __repr__(self) -> str:
        return f"<CapacityLedger requests={len(self._raw)} units={self.total()}>"

    def record(self, operation: str, consumed: Any) -> None:
        """Add the ConsumedCapacity of one answer (INDEXES detail; one entry or a list)."""
        raw = self._raw
        raw.append((operation, consumed))
        if len(raw) > 2 * self.keep:
            self._fold(len(raw) - self.keep)

    def _fold(self, count: int) -> None:
        folded = self._folded
        for entry in _expand(self._raw[:count]):
            slot = (entry.operation, entry.table, entry.index, entry.kind)
            folded[slot] = folded.get(slot, 0.0) + entry.units
        del self._raw[:count]

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

        units = sum(value for slot, value in self._folded.items() if wanted(*slot))
        units += sum(e.units for e in _expand(self._raw) if wanted(e.operation, e.table, e.index, e.kind))
        return float(units)

    def by_operation(self) -> dict[str, float]:
        """Units per operation name."""
        totals: dict[str, float] = {}
        for (operation, _table, _index, _kind), units in self._folded.items():
            totals[operation] = totals.get(operation, 0.0) + units
        for entry in _expand(self._raw):
            totals[entry.operation] = totals.get(entry.operation, 0.0) + entry.units
        return totals

    def totals(self) -> list[LedgerEntry]:
        """One entry per (operation, table, index, kind) with its units summed over every request (the
        folded ones included), in order of first use."""
        sums: _Folded = dict(self._folded)
        for entry in _expand(self._raw):
            slot = (entry.operation, entry.table, entry.index, entry.kind)
            sums[slot] = sums.get(slot, 0.0) + entry.units
        return [
            LedgerEntry(op, table, index, units, "read" if kind == "read" else "write")
            for (op, table, index, kind), units in sums.items()
        ]

    def reset(self) -> None:
        """Forget everything recorded."""
        self._raw.clear()
        self._folded.clear()

    def save(self) -> tuple[_Folded, list[tuple[str, Any]]]:
        """The ledger as it is, for a snapshot: O(recent requests) list copy, answers shared."""
        return dict(self._folded), list(self._raw)

    def load(self, saved: tuple[_Folded, list[tuple[str, Any]]]) -> None:
        """Go back to what ``save`` returned."""
        self._folded = dict(saved[0])
        self._raw = list(saved[1])
