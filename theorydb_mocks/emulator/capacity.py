"""ConsumedCapacity: what an item operation would cost on a real table, returned only when asked.

Reads cost one unit per 4 KB of data read (rounded up over the whole read, at least one unit), halved for
eventually consistent reads; writes cost one unit per 1 KB of the larger of the old and the new item (at
least one). With ``ReturnConsumedCapacity=INDEXES`` the answer splits the total into the table and each
secondary index whose projection of the item changed: one write per projected item, two when the
index key moved (a delete and a put), none when the projection stayed the same.
Numbers measured against DynamoDB Local 3.3.0.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html

>>> read_units(5000, consistent=False), read_units(0, consistent=True), write_units(1025)
(1.0, 1.0, 2.0)
>>> consumed("t", "TOTAL", 1.0)
{'TableName': 't', 'CapacityUnits': 1.0}
>>> consumed("t", "NONE", 1.0) is None
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from theorydb_mocks.emulator._types import Item
    from theorydb_mocks.emulator.storage import TableStore

__all__ = ["add_capacity", "consumed", "read_capacity", "read_units", "write_capacity", "write_units"]

_READ_UNIT = 4096
_WRITE_UNIT = 1024


def read_units(size: int, *, consistent: bool, at_least_one: bool = True) -> float:
    """Read units for ``size`` bytes read in one request.

    A GetItem costs at least one unit even when it finds nothing; a Query or Scan that reads nothing costs
    none (``at_least_one=False``), as DynamoDB Local measures them.
    """
    units = -(-size // _READ_UNIT)
    if at_least_one and units < 1:
        units = 1
    return float(units) if consistent else units / 2


def write_units(size: int) -> float:
    """Write units for one item write of ``size`` bytes."""
    units = -(-size // _WRITE_UNIT)
    return float(units) if units > 1 else 1.0


def consumed(
    table_name: str,
    mode: str | None,
    total: float,
    *,
    table: float | None = None,
    gsis: dict[str, float] | None = None,
    lsis: dict[str, float] | None = None,
) -> dict[str, Any] | None:
    """The ``ConsumedCapacity`` member for ``mode`` (TOTAL or INDEXES), or None when not asked for.

    ``table`` is the table's own share (defaults to ``total``); index shares appear only with INDEXES.
    """
    if mode not in ("TOTAL", "INDEXES"):
        return None
    answer: dict[str, Any] = {"TableName": table_name, "CapacityUnits": total}
    if mode == "INDEXES":
        answer["Table"] = {"CapacityUnits": total if table is None else table}
        if lsis:
            answer["LocalSecondaryIndexes"] = {name: {"CapacityUnits": u} for name, u in lsis.items()}
        if gsis:
            answer["GlobalSecondaryIndexes"] = {name: {"CapacityUnits": u} for name, u in gsis.items()}
    return answer


def read_capacity(
    table_name: str,
    mode: str | None,
    size: int,
    *,
    consistent: bool,
    index: str | None = None,
    index_kind: str | None = None,
    at_least_one: bool = True,
    fetched: float = 0.0,
) -> dict[str, Any] | None:
    """ConsumedCapacity of a read of ``size`` bytes from the table or from one of its indexes.

    ``fetched``: table units spent fetching what a local secondary index does not project.
    """
    if mode not in ("TOTAL", "INDEXES"):
        return None
    units = read_units(size, consistent=consistent, at_least_one=at_least_one)
    if index is None:
        if mode == "TOTAL":
            return {"TableName": table_name, "CapacityUnits": units}
        return {"TableName": table_name, "CapacityUnits": units, "Table": {"CapacityUnits": units}}
    shares = {index: units}
    if index_kind == "GSI":
        return consumed(table_name, mode, units, table=0.0, gsis=shares)
    return consumed(table_name, mode, units + fetched, table=fetched, lsis=shares)


def write_capacity(
    table_name: str,
    mode: str | None,
    store: TableStore,
    old: Item | None,
    new: Item | None,
    *,
    old_size: int,
    new_size: int,
) -> dict[str, Any] | None:
    """ConsumedCapacity of one item write (put, update or delete) including the index writes it caused."""
    if mode not in ("TOTAL", "INDEXES"):
        return None
    table_units = write_units(max(old_size, new_size))
    if not store.has_indexes:  # the common case: the table's own units only
        if mode == "TOTAL":
            return {"TableName": table_name, "CapacityUnits": table_units}
        return {
            "TableName": table_name,
            "CapacityUnits": table_units,
            "Table": {"CapacityUnits": table_units},
        }
    before = store.index_footprint(old) if old is not None and store.index_names else {}
    after = store.index_footprint(new) if new is not None and store.index_names else {}
    gsis: dict[str, float] = {}
    lsis: dict[str, float] = {}
    for name in store.index_names:
        was, now = before.get(name), after.get(name)
        if was is None and now is None:
            continue
        if was is not None and now is not None and was[1] == now[1]:
            if was[2] == now[2]:
                continue  # same index key, same projection: the index is not written
            units = write_units(max(was[3], now[3]))
        else:
            units = sum(write_units(footprint[3]) for footprint in (was, now) if footprint is not None)
        kind = (was or now)[0]  # type: ignore[index]  # one of the two is set here
        (gsis if kind == "GSI" else lsis)[name] = units
    total = table_units + sum(gsis.values()) + sum(lsis.values())
    return consumed(table_name, mode, total, table=table_units, gsis=gsis, lsis=lsis)


def add_capacity(total: dict[str, Any] | None, part: dict[str, Any]) -> dict[str, Any]:
    """Sum two ConsumedCapacity answers for one table (batch operations report one entry per table).

    >>> part = consumed("t", "INDEXES", 2.0, table=1.0, gsis={"g": 1.0})
    >>> both = add_capacity(consumed("t", "INDEXES", 1.0), part)
    >>> both["CapacityUnits"], both["Table"], both["GlobalSecondaryIndexes"]
    (3.0, {'CapacityUnits': 2.0}, {'g': {'CapacityUnits': 1.0}})
    """
    if total is None:
        return {
            name: (
                {k: dict(v) for k, v in value.items()}
                if name.endswith("Indexes")
                else (dict(value) if isinstance(value, dict) else value)
            )
            for name, value in part.items()
        }
    total["CapacityUnits"] += part["CapacityUnits"]
    if "Table" in part:
        total.setdefault("Table", {"CapacityUnits": 0.0})["CapacityUnits"] += part["Table"]["CapacityUnits"]
    for group in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
        for name, share in part.get(group, {}).items():
            slot = total.setdefault(group, {}).setdefault(name, {"CapacityUnits": 0.0})
            slot["CapacityUnits"] += share["CapacityUnits"]
    return total
