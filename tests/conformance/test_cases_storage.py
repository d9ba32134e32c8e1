"""Storage: GSIs and LSIs with ALL/KEYS_ONLY/INCLUDE projections, sparse indexes, index key type checks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conformance import allowlist
from tests.conformance.harness import (
    B,
    Call,
    Case,
    Differential,
    N,
    Outcome,
    S,
    call,
    get,
    index_spec,
    put,
    run_case,
    table_spec,
)

V = "ValidationException"
T = table_spec(
    "t",
    ("pk", "S"),
    ("sk", "N"),
    gsis=[
        index_spec("g_all", "g", "gs"),
        index_spec("g_keys", "g", "gs", "KEYS_ONLY"),
        index_spec("g_incl", "g", "gs", "INCLUDE", ["x"]),
        index_spec("g_hash", "h"),
    ],
    lsis=[
        index_spec("l_all", "pk", "l"),
        index_spec("l_keys", "pk", "l", "KEYS_ONLY"),
        index_spec("l_incl", "pk", "l", "INCLUDE", ["y"]),
    ],
    extra_attributes=[("g", "S"), ("gs", "N"), ("h", "B"), ("l", "S")],
)


def row(sk: int, **attrs: Any) -> dict[str, Any]:
    return {"pk": S("a"), "sk": N(sk), **attrs}


ROWS = [
    put(row(1, g=S("G"), gs=N(3), l=S("c"), x=S("x1"), y=S("y1"), z=S("z1"), h=B(b"\x01"))),
    put(row(2, g=S("G"), gs=N(1), l=S("a"), x=S("x2"), z=S("z2"))),
    put(row(3, g=S("G"), gs=N(2), y=S("y3"))),
    put(row(4, g=S("G"), l=S("b"), z=S("z4"))),  # no gs: absent from every g_* index
    put(row(5, gs=N(9), h=B(b"\x01"))),  # no g: absent from g_*, present in g_hash
    put(row(6, z=S("z6"))),  # in no index
    put({"pk": S("b"), "sk": N(1), "g": S("G"), "gs": N(4), "l": S("a")}),
]


def iq(index: str, expect: str = "ok", unordered: bool = False, **more: Any) -> Call:
    """A Query on ``index``: the partition is G for the GSIs, a for the LSIs, 0x01 for g_hash."""
    hash_name, value = (
        {"g": ("g", S("G")), "l": ("pk", S("a"))}[index[0]] if index != "g_hash" else ("h", B(b"\x01"))
    )
    values = {":v": value, **more.pop("ExpressionAttributeValues", {})}
    request = {
        "TableName": "t",
        "IndexName": index,
        "KeyConditionExpression": f"{hash_name} = :v" + more.pop("sort", ""),
        "ExpressionAttributeValues": values,
        **more,
    }
    return Call("query", request, expect, unordered)


INDEXES = ["g_all", "g_keys", "g_incl", "l_all", "l_keys", "l_incl"]

CASES = [
    Case("index queries", [*ROWS, *(iq(i) for i in INDEXES), iq("g_hash", unordered=True)], [T]),
    Case("index queries backwards", [*ROWS, *(iq(i, ScanIndexForward=False) for i in INDEXES)], [T]),
    Case(
        "index sort conditions",
        [
            *ROWS,
            iq("g_all", sort=" AND gs > :s", ExpressionAttributeValues={":s": N(1)}),
            iq("l_all", sort=" AND begins_with(l, :s)", ExpressionAttributeValues={":s": S("b")}),
        ],
        [T],
    ),
    Case(
        "index paging",
        [
            *ROWS,
            iq("g_all", Limit=2),
            iq("g_all", Limit=2, ExclusiveStartKey={"pk": S("a"), "sk": N(3), "g": S("G"), "gs": N(2)}),
            iq("l_keys", Limit=1),
            iq("l_keys", Limit=2, ExclusiveStartKey={"pk": S("a"), "sk": N(2), "l": S("a")}),
        ],
        [T],
    ),
    Case("index bad start key", [*ROWS, iq("g_all", V, ExclusiveStartKey={"pk": S("a"), "sk": N(3)})], [T]),
    Case(
        "index select",
        [
            *ROWS,
            iq("g_keys", V, Select="ALL_ATTRIBUTES"),
            iq("g_incl", V, Select="ALL_ATTRIBUTES"),
            iq("l_keys", Select="ALL_ATTRIBUTES"),
            iq("l_incl", Select="ALL_ATTRIBUTES"),
            iq("g_keys", Select="ALL_PROJECTED_ATTRIBUTES"),
            iq("g_incl", Select="COUNT"),
            iq("g_incl", ProjectionExpression="x, gs"),
            iq("g_keys", V, ProjectionExpression="z"),
            iq("l_keys", ProjectionExpression="z"),
        ],
        [T],
    ),
    Case(
        "index consistent read",
        [*ROWS, iq("g_all", V, ConsistentRead=True), iq("l_all", ConsistentRead=True)],
        [T],
    ),
    Case(
        "index filters",
        [
            *ROWS,
            iq("g_all", FilterExpression="attribute_exists(z)"),
            iq("g_all", V, FilterExpression="gs > :s", ExpressionAttributeValues={":s": N(1)}),
            iq("l_all", V, FilterExpression="l > :s", ExpressionAttributeValues={":s": S("a")}),
            iq("g_keys", V, FilterExpression="attribute_exists(z)"),
        ],
        [T],
    ),
    Case(
        "index scans",
        [
            *ROWS,
            *(call("scan", TableName="t", IndexName=i, unordered=True) for i in INDEXES),
            call("scan", V, TableName="t", IndexName="g_all", ConsistentRead=True),
            call("scan", V, TableName="t", IndexName="nope"),
        ],
        [T],
    ),
    Case(
        "index moves on update",
        [
            *ROWS,
            Call(
                "update_item",
                {
                    "TableName": "t",
                    "Key": {"pk": S("a"), "sk": N(2)},
                    "UpdateExpression": "SET gs = :n REMOVE l",
                    "ExpressionAttributeValues": {":n": N(7)},
                },
                "ok",
            ),
            Call(
                "update_item",
                {
                    "TableName": "t",
                    "Key": {"pk": S("a"), "sk": N(6)},
                    "UpdateExpression": "SET g = :g, gs = :n",
                    "ExpressionAttributeValues": {":g": S("G"), ":n": N(0)},
                },
                "ok",
            ),
            Call("delete_item", {"TableName": "t", "Key": {"pk": S("a"), "sk": N(1)}}, "ok"),
            iq("g_all"),
            iq("l_all"),
        ],
        [T],
    ),
    Case(
        "index key type on update",
        [
            *ROWS,
            Call(
                "update_item",
                {
                    "TableName": "t",
                    "Key": {"pk": S("a"), "sk": N(6)},
                    "UpdateExpression": "SET gs = :s",
                    "ExpressionAttributeValues": {":s": S("nine")},
                },
                V,
            ),
            Call(
                "update_item",
                {
                    "TableName": "t",
                    "Key": {"pk": S("a"), "sk": N(6)},
                    "UpdateExpression": "SET l = :e",
                    "ExpressionAttributeValues": {":e": S("")},
                },
                V,
            ),
            get({"pk": S("a"), "sk": N(6)}),
        ],
        [T],
    ),
    Case(
        "index key type on put",
        [
            put(row(9, g=S("G"), gs=S("x")), V),
            put(row(9, h=S("x")), V),
            put(row(9, l=N(1)), V),
            put(row(9, l=S("")), V),
            put(row(9, h=B(b"")), V),
        ],
        [T],
    ),
    Case(
        "index capacity",
        [
            put(row(1, g=S("G"), gs=N(1), l=S("a"), x=S("x")), ReturnConsumedCapacity="INDEXES"),
            Call(
                "update_item",
                {
                    "TableName": "t",
                    "Key": {"pk": S("a"), "sk": N(1)},
                    "UpdateExpression": "SET z = :z",
                    "ExpressionAttributeValues": {":z": S("z")},
                    "ReturnConsumedCapacity": "INDEXES",
                },
                "ok",
            ),
            iq("g_all", ReturnConsumedCapacity="INDEXES"),
            iq("l_all", ReturnConsumedCapacity="INDEXES", ConsistentRead=True),
        ],
        [T],
    ),
    Case("index statistics", [*ROWS, call("describe_table", TableName="t")], [T]),
    # The 1 MB page of an index query: the service counts projected bytes only, DynamoDB Local whole items
    # (allow-listed as index-page-projected-size).
    Case(
        "index 1MB page",
        [
            *(put(row(i, g=S("G"), gs=N(i), x=S("x" * 300_000))) for i in range(5)),
            iq("g_keys"),
            iq("g_all"),
            iq("g_incl", Select="COUNT"),
        ],
        [T],
    ),
    # DynamoDB Local counts an item's LSI projections against its 400 KB (x is projected into l_all).
    Case(
        "item size with LSI projections",
        [
            put(row(1, l=S("a"), x=S("x" * 150_000))),
            put(row(2, l=S("a"), x=S("x" * 210_000)), V),
            put(row(3, l=S("a"), y=S("y" * 210_000)), V),
            put(row(4, l=S("a"), x=S("x" * 390_000)), V),
        ],
        [T],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_storage(diff: Differential, case: Case) -> None:
    run_case(diff, case)


def test_index_size_sparse_keys_accepts_only_a_larger_local_size_on_a_gsi_with_a_sort_key() -> None:
    def table(size: int, count: int = 4, ranged: bool = True, projection: str = "ALL") -> Outcome:
        schema = [{"AttributeName": "g", "KeyType": "HASH"}]
        if ranged:
            schema.append({"AttributeName": "gs", "KeyType": "RANGE"})
        index = {
            "IndexName": "g_all",
            "KeySchema": schema,
            "Projection": {"ProjectionType": projection},
            "IndexSizeBytes": size,
            "ItemCount": count,
        }
        return Outcome(True, {"Table": {"TableSizeBytes": 115, "GlobalSecondaryIndexes": [index]}})

    def quirk(local: Outcome, emu: Outcome) -> str | None:
        found = allowlist.match("describe_table", {}, local, emu)
        return None if found is None else found.id

    assert quirk(table(105), table(78)) == "index-size-sparse-keys"
    assert quirk(table(105, projection="KEYS_ONLY"), table(52, projection="KEYS_ONLY")) in (
        "index-size-projected",
        "index-size-sparse-keys",
    )
    assert quirk(table(78), table(105)) is None  # the emulator larger
    assert quirk(table(105), table(78, count=5)) is None  # another ItemCount
    assert quirk(table(105, ranged=False), table(78, ranged=False)) is None  # no sort key: no such items
    assert quirk(table(120), table(78)) is None  # more than the whole table
