"""Capacity vs DynamoDB Local: ConsumedCapacity answers (TOTAL, INDEXES, NONE, absent) with the emulator's
capacity ledger on, and the ledger's sums against the units DynamoDB Local reports.

The emulator's ``dispatch`` asks every handler for INDEXES detail to feed ``emu.capacity`` and then shapes
the answer as the request asked; these cases prove the shaping is invisible: same answers as DynamoDB
Local for every mode, item sizes on both sides of the 1 KB write and 4 KB read units, both consistencies,
and index writes (GSI and LSI, key moves, projections). Transactions' doubled units are compared in
test_cases_transactions.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conformance.harness import (
    Call,
    Case,
    Differential,
    N,
    S,
    call,
    get,
    index_spec,
    put,
    run_case,
    table_spec,
)

T = table_spec(
    "t",
    ("pk", "S"),
    ("sk", "N"),
    gsis=[index_spec("g_all", "g"), index_spec("g_keys", "g2", None, "KEYS_ONLY")],
    lsis=[index_spec("l_incl", "pk", "l", "INCLUDE", ["x"])],
    extra_attributes=[("g", "S"), ("g2", "S"), ("l", "S")],
)
MODES = ("TOTAL", "INDEXES", "NONE", None)


def _mode(mode: str | None) -> dict[str, Any]:
    return {} if mode is None else {"ReturnConsumedCapacity": mode}


def item(sk: int, size: int = 0, **attrs: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"pk": S("a"), "sk": N(sk), **attrs}
    if size:
        base["d"] = S("z" * size)
    return base


def _writes(mode: str | None) -> list[Call]:
    m = _mode(mode)
    return [
        put(item(1, 1000), **m),  # under 1 KB
        put(item(2, 1030), **m),  # just over: 2 units
        put(item(3, 10, g=S("G"), g2=S("H"), l=S("L"), x=S("x")), **m),  # every index
        put(item(3, 10, g=S("G2"), g2=S("H"), l=S("L"), x=S("x")), **m),  # g moves: delete + put on g_all
        put(item(3, 10, g=S("G2"), g2=S("H"), l=S("L"), x=S("y")), **m),  # g_keys projection unchanged
        call(
            "update_item",
            TableName="t",
            Key={"pk": S("a"), "sk": N(3)},
            UpdateExpression="REMOVE l",
            **m,
        ),
        call("delete_item", TableName="t", Key={"pk": S("a"), "sk": N(3)}, **m),
        call(
            "batch_write_item",
            RequestItems={"t": [{"PutRequest": {"Item": item(n, 600, g=S("B"))}} for n in range(10, 14)]},
            **m,
        ),
    ]


def _reads(mode: str | None) -> list[Call]:
    m = _mode(mode)
    key = {"pk": S("a"), "sk": N(20)}
    return [
        put(item(20, 5000)),
        put(item(21, 3000, g=S("R"))),
        put(item(22, 3000, g=S("R"))),
        get(key, **m),
        call("get_item", TableName="t", Key=key, **m),  # eventually consistent: half
        call("get_item", TableName="t", Key={"pk": S("a"), "sk": N(99)}, **m),  # not found: still a unit
        call(
            "query",
            TableName="t",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": S("a")},
            ConsistentRead=True,
            **m,
        ),
        call(
            "query",
            TableName="t",
            IndexName="g_all",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": S("R")},
            unordered=True,  # equal index keys: DynamoDB promises no order
            **m,
        ),
        call("scan", TableName="t", **m),
        call(
            "batch_get_item",
            RequestItems={"t": {"Keys": [key, {"pk": S("a"), "sk": N(21)}], "ConsistentRead": True}},
            **m,
        ),
    ]


CASES = [Case(f"capacity-writes-{mode}", _writes(mode), [T]) for mode in MODES] + [
    Case(f"capacity-reads-{mode}", _reads(mode), [T]) for mode in MODES
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_capacity_case(diff: Differential, case: Case) -> None:
    run_case(diff, case)


def _units(answer: Any) -> dict[str, float]:
    """Units by target (``table`` or an index name) in one INDEXES answer (an entry or a list)."""
    found: dict[str, float] = {}
    for entry in answer if isinstance(answer, list) else [answer]:
        found["table"] = found.get("table", 0.0) + entry.get("Table", entry)["CapacityUnits"]
        for group in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
            for name, share in entry.get(group, {}).items():
                found[name] = found.get(name, 0.0) + share["CapacityUnits"]
    return found


def test_the_ledger_adds_up_what_dynamodb_local_reports(diff: Differential) -> None:
    """The same requests: DynamoDB Local is asked for INDEXES and its answers summed; the emulator is asked
    for nothing and its ledger read. Sums by operation and target must agree."""
    diff.create_table(setup=True, **T)
    steps: list[Call] = _writes(None) + _reads(None)

    def run(client: Any, name: Callable[[str], str]) -> dict[str, dict[str, float]]:
        local = client is diff.local
        emulator = None if local else client._emulator
        totals: dict[str, dict[str, float]] = {}
        for step in steps:
            request = dict(step.request)
            if "TableName" in request:
                request["TableName"] = name(request["TableName"])
            if "RequestItems" in request:
                request["RequestItems"] = {name(k): v for k, v in request["RequestItems"].items()}
            if local:
                request["ReturnConsumedCapacity"] = "INDEXES"
            answer = getattr(client, step.op)(**request)
            operation = "".join(part.title() for part in step.op.split("_"))
            if local:
                shares = _units(answer["ConsumedCapacity"])
                assert "ConsumedCapacity" in answer
            else:
                assert "ConsumedCapacity" not in answer  # not asked: not answered
                shares = {}
            slot = totals.setdefault(operation, {})
            for target, units in shares.items():
                slot[target] = slot.get(target, 0.0) + units
        if emulator is not None:
            for entry in emulator.capacity.entries:
                if entry.table != name("t"):
                    continue
                slot = totals.setdefault(entry.operation, {})
                target = "table" if entry.index is None else entry.index
                slot[target] = slot.get(target, 0.0) + entry.units
        return {operation: {k: v for k, v in shares.items() if v} for operation, shares in totals.items()}

    local, emulator = diff.each(run)
    diff.compare("ledger sums vs DynamoDB Local's INDEXES answers", local, emulator)
