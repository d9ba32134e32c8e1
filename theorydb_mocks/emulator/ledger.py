"""The capacity ledger: every unit every request consumed, by table, index and operation (``emu.capacity``).

Tests assert on cost without asking each request for ``ReturnConsumedCapacity``: ``dispatch`` has each
capacity-bearing operation compute its ConsumedCapacity with INDEXES detail (the handlers' own numbers,
``capacity.py``; nothing is computed twice), records it here, and then answers with what the request asked
for (nothing, TOTAL or INDEXES). Failed requests are not recorded. TTL deletions are free, as on DynamoDB.

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
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal

__all__ = ["CAPACITY_OPERATIONS", "READ_OPERATIONS", "UNSET", "CapacityLedger", "LedgerEntry", "total_only"]

CAPACITY_OPERATIONS: Final = frozenset(
    {
        "PutItem",
        "GetItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "TransactGetItems",
        "ExecuteStatement",
        "BatchExecuteStatement",
        "ExecuteTransaction",
    }
)
READ_OPERATIONS: Final = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
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


class CapacityLedger:
    """What the emulator's requests consumed; ``enabled=False`` stops recording (and its small cost)."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self.entries: list[LedgerEntry] = []

    def __repr__(self) -> str:
        return f"<CapacityLedger entries={len(self.entries)} units={self.total()}>"

    def record(self, operation: str, consumed: Any) -> None:
        """Add the units of one answer's ConsumedCapacity (INDEXES detail; one entry or a list)."""
        kind: Literal["read", "write"] = "read" if operation in READ_OPERATIONS else "write"
        answers: Iterable[Any] = consumed if isinstance(consumed, list) else (consumed,)
        add = self.entries.append
        for answer in answers:
            table = answer["TableName"]
            own = answer.get("Table")
            add(LedgerEntry(operation, table, None, float((own or answer)["CapacityUnits"]), kind))
            for group in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
                for index, share in (answer.get(group) or {}).items():
                    add(LedgerEntry(operation, table, index, float(share["CapacityUnits"]), kind))

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
        return float(
            sum(
                entry.units
                for entry in self.entries
                if (table is UNSET or entry.table == table)
                and (index is UNSET or entry.index == index)
                and (operation is UNSET or entry.operation == operation)
                and (kind is UNSET or entry.kind == kind)
            )
        )

    def by_operation(self) -> dict[str, float]:
        """Units per operation name, in first-use order."""
        totals: dict[str, float] = {}
        for entry in self.entries:
            totals[entry.operation] = totals.get(entry.operation, 0.0) + entry.units
        return totals

    def reset(self) -> None:
        """Forget every entry."""
        self.entries.clear()
