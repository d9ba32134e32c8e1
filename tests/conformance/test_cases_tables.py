"""Tables: CreateTable shapes and errors, DescribeTable, DeleteTable, ListTables, UpdateTable, vs Local."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conformance.harness import Case, Differential, S, call, index_spec, put, run_case, table_spec
from tests.conformance.test_cases_operations import RNF, T, V, item


def create(name: str, expect: str = "ok", **request: Any) -> Case:
    request.setdefault("TableName", "c")
    calls = [call("create_table", expect, **request)]
    if expect == "ok":
        calls.append(call("describe_table", TableName=request["TableName"]))
    return Case(f"create-table: {name}", calls)


def _keys(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"AttributeName": n, "KeyType": k} for n, k in pairs]


def _attrs(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"AttributeName": n, "AttributeType": t} for n, t in pairs]


PK: dict[str, Any] = {"KeySchema": _keys(("pk", "HASH")), "AttributeDefinitions": _attrs(("pk", "S"))}
PKSK: dict[str, Any] = {
    "KeySchema": _keys(("pk", "HASH"), ("sk", "RANGE")),
    "AttributeDefinitions": _attrs(("pk", "S"), ("sk", "N")),
}
OD: dict[str, Any] = {"BillingMode": "PAY_PER_REQUEST"}
PT: dict[str, Any] = {"ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 3}}

CREATES = [
    create("hash-only on demand", **PK, **OD),
    create("hash and range provisioned", **PKSK, **PT),
    create("provisioned by default", **PK, **PT),
    create(
        "binary and number keys",
        KeySchema=_keys(("b", "HASH"), ("n", "RANGE")),
        **OD,
        AttributeDefinitions=_attrs(("b", "B"), ("n", "N")),
    ),
    create(
        "with GSI and LSI",
        **OD,
        KeySchema=PKSK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("sk", "N"), ("g", "S"), ("l", "N")),
        GlobalSecondaryIndexes=[index_spec("gsi1", "g", "sk", "INCLUDE", ["x", "y"])],
        LocalSecondaryIndexes=[index_spec("lsi1", "pk", "l", "KEYS_ONLY")],
    ),
    create(
        "provisioned GSI",
        **PT,
        KeySchema=PK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("g", "S")),
        GlobalSecondaryIndexes=[{**index_spec("gsi1", "g"), **PT}],
    ),
    create(
        "provisioned GSI without throughput",
        V,
        **PT,
        KeySchema=PK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("g", "S")),
        GlobalSecondaryIndexes=[index_spec("gsi1", "g")],
    ),
    # The service refuses it (allow-listed quirk), so no DescribeTable follows.
    Case("create-table: on demand with throughput", [call("create_table", TableName="c", **PK, **OD, **PT)]),
    create("provisioned without throughput", V, **PK, BillingMode="PROVISIONED"),
    create(
        "zero throughput",
        "ParamValidationError",
        **PK,
        ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1},
    ),
    create(
        "unknown attribute type", V, KeySchema=PK["KeySchema"], AttributeDefinitions=_attrs(("pk", "X")), **OD
    ),
    create("key type BOOL", V, KeySchema=PK["KeySchema"], AttributeDefinitions=_attrs(("pk", "BOOL")), **OD),
    create(
        "key not defined", V, KeySchema=PK["KeySchema"], AttributeDefinitions=_attrs(("other", "S")), **OD
    ),
    create(
        "unused definition",
        V,
        KeySchema=PK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("extra", "S")),
        **OD,
    ),
    create(
        "duplicate definition",
        V,
        KeySchema=PK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("pk", "N")),
        **OD,
    ),
    create(
        "two hash keys",
        V,
        KeySchema=_keys(("pk", "HASH"), ("sk", "HASH")),
        AttributeDefinitions=_attrs(("pk", "S"), ("sk", "N")),
        **OD,
    ),
    create(
        "range first",
        V,
        KeySchema=_keys(("sk", "RANGE"), ("pk", "HASH")),
        AttributeDefinitions=_attrs(("pk", "S"), ("sk", "N")),
        **OD,
    ),
    create("range only", V, KeySchema=_keys(("sk", "RANGE")), AttributeDefinitions=_attrs(("sk", "N")), **OD),
    create(
        "three keys",
        V,
        KeySchema=_keys(("pk", "HASH"), ("sk", "RANGE"), ("x", "RANGE")),
        AttributeDefinitions=_attrs(("pk", "S"), ("sk", "N"), ("x", "S")),
        **OD,
    ),
    create("bad table name", V, TableName="bad name!", **PK, **OD),
    create(
        "LSI on hash-only table",
        V,
        **OD,
        KeySchema=PK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("l", "N")),
        LocalSecondaryIndexes=[index_spec("lsi1", "pk", "l")],
    ),
    create(
        "LSI with other hash key",
        V,
        **OD,
        KeySchema=PKSK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("sk", "N"), ("l", "N")),
        LocalSecondaryIndexes=[index_spec("lsi1", "l", "sk")],
    ),
    create(
        "six LSIs",
        V,
        **OD,
        KeySchema=PKSK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("sk", "N"), *((f"l{i}", "N") for i in range(6))),
        LocalSecondaryIndexes=[index_spec(f"li{i}", "pk", f"l{i}") for i in range(6)],
    ),
    create(
        "INCLUDE without attributes",
        V,
        **OD,
        KeySchema=PK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("g", "S")),
        GlobalSecondaryIndexes=[index_spec("gsi1", "g", None, "INCLUDE")],
    ),
    create(
        "KEYS_ONLY with attributes",
        V,
        **OD,
        KeySchema=PK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("g", "S")),
        GlobalSecondaryIndexes=[index_spec("gsi1", "g", None, "KEYS_ONLY", ["x"])],
    ),
    create(
        "duplicate index names",
        V,
        **OD,
        KeySchema=PKSK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("sk", "N"), ("g", "S")),
        GlobalSecondaryIndexes=[index_spec("idx", "g")],
        LocalSecondaryIndexes=[index_spec("idx", "pk", "g")],
    ),
    create(
        "GSI key not defined",
        V,
        **OD,
        KeySchema=PK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S")),
        GlobalSecondaryIndexes=[index_spec("gsi1", "g")],
    ),
    create(
        "range key not defined",
        V,
        KeySchema=PKSK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S")),
        **OD,
    ),
    create(
        "unused definition with a GSI",
        V,
        **OD,
        KeySchema=PK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("x", "S"), ("g", "S")),
        GlobalSecondaryIndexes=[index_spec("gsi1", "g")],
    ),
    create(
        "key type unknown", V, KeySchema=_keys(("pk", "FOO")), AttributeDefinitions=_attrs(("pk", "S")), **OD
    ),
    create(
        "projection type unknown",
        V,
        **OD,
        KeySchema=PK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("g", "S")),
        GlobalSecondaryIndexes=[index_spec("gsi1", "g", None, "FOO")],
    ),
    create(
        "index name too short",
        V,
        **OD,
        KeySchema=PK["KeySchema"],
        AttributeDefinitions=_attrs(("pk", "S"), ("g", "S")),
        GlobalSecondaryIndexes=[index_spec("g!x", "g")],
    ),
]

TABLE_LIFECYCLE = [
    Case(
        "create twice",
        [
            call("create_table", "ok", TableName="c", **PK, **OD),
            call("create_table", "ResourceInUseException", TableName="c", **PK, **OD),
        ],
    ),
    Case(
        "delete then describe",
        [
            call("delete_table", TableName="t"),
            call("describe_table", RNF, TableName="t"),
            call("delete_table", RNF, TableName="t"),
        ],
        tables=[T],
    ),
    Case("describe missing", [call("describe_table", RNF, TableName="ghost")]),
    Case("delete missing", [call("delete_table", RNF, TableName="ghost")]),
    Case(
        "item count after writes", [put(item()), put(item(sk=2)), call("describe_table", TableName="t")], [T]
    ),
    Case(
        "update throughput",
        [
            call(
                "update_table",
                TableName="p",
                ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 8},
            ),
            call("describe_table", TableName="p"),
        ],
        tables=[{**table_spec("p"), "BillingMode": "PROVISIONED", **PT}],
    ),
    Case(
        "switch to provisioned",
        [
            call("update_table", TableName="t", BillingMode="PROVISIONED", **PT),
            call("describe_table", TableName="t"),
        ],
        tables=[T],
    ),
    Case(
        "switch to on demand",
        [
            call("update_table", TableName="p", BillingMode="PAY_PER_REQUEST"),
            call("describe_table", TableName="p"),
        ],
        tables=[{**table_spec("p"), "BillingMode": "PROVISIONED", **PT}],
    ),
    Case("throughput on on-demand table", [call("update_table", None, TableName="t", **PT)], tables=[T]),
    Case(
        "throughput with on demand named",
        [
            call("update_table", TableName="t", BillingMode="PAY_PER_REQUEST", **PT),
            call("describe_table", TableName="t"),
        ],
        tables=[T],
    ),
    Case(
        "switch to on demand with a provisioned GSI",
        [
            call("update_table", TableName="p", BillingMode="PAY_PER_REQUEST"),
            call("describe_table", TableName="p"),
        ],
        tables=[
            {
                **table_spec("p", extra_attributes=[("g", "S")]),
                "BillingMode": "PROVISIONED",
                **PT,
                "GlobalSecondaryIndexes": [{**index_spec("gsi1", "g"), **PT}],
            }
        ],
    ),
    Case(
        "create and delete a provisioned GSI",
        [
            call(
                "update_table",
                TableName="p",
                AttributeDefinitions=_attrs(("g", "S")),
                GlobalSecondaryIndexUpdates=[{"Create": {**index_spec("gsi1", "g"), **PT}}],
            ),
            call("settle", TableName="p"),
            call("describe_table", TableName="p"),
            call(
                "update_table", TableName="p", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "gsi1"}}]
            ),
        ],
        tables=[{**table_spec("p"), "BillingMode": "PROVISIONED", **PT}],
    ),
    Case("update nothing", [call("update_table", V, TableName="t")], tables=[T]),
    Case(
        "update missing table", [call("update_table", RNF, TableName="ghost", BillingMode="PAY_PER_REQUEST")]
    ),
    Case(
        "create and delete GSI",
        [
            call(
                "update_table",
                TableName="t",
                AttributeDefinitions=_attrs(("g", "S")),
                GlobalSecondaryIndexUpdates=[{"Create": index_spec("gsi1", "g")}],
            ),
            call("settle", TableName="t"),
            call("describe_table", TableName="t"),
            call(
                "update_table", TableName="t", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "gsi1"}}]
            ),
        ],
        tables=[T],
    ),
    Case(
        "create GSI without definition",
        [
            call(
                "update_table",
                V,
                TableName="t",
                GlobalSecondaryIndexUpdates=[{"Create": index_spec("gsi1", "g")}],
            )
        ],
        tables=[T],
    ),
    Case(
        "delete missing GSI",
        [
            call(
                "update_table",
                RNF,
                TableName="t",
                GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}],
            )
        ],
        tables=[T],
    ),
    Case(
        "GSI backfill then query",
        [
            put(item(g=S("x"))),
            put(item(sk=2, g=S("x"))),
            put(item(sk=3)),
            call(
                "update_table",
                TableName="t",
                AttributeDefinitions=_attrs(("g", "S")),
                GlobalSecondaryIndexUpdates=[{"Create": index_spec("gsi1", "g")}],
            ),
            call("settle", TableName="t"),
            call(
                "query",
                TableName="t",
                IndexName="gsi1",
                KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": S("x")},
                unordered=True,
            ),
        ],
        tables=[T],
    ),
]


ALL_CASES = CREATES + TABLE_LIFECYCLE


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_tables(diff: Differential, case: Case) -> None:
    run_case(diff, case)


def test_list_tables_walk(diff: Differential) -> None:
    """ListTables on a shared DynamoDB Local: walk every page and compare the order of this test's tables."""
    for name in ("lt-b", "lt-a", "lt-c"):
        diff.create_table(**table_spec(name))

    def walk(client: Any, name_of: Any) -> dict[str, Any]:
        mine = {name_of(n): n for n in ("lt-a", "lt-b", "lt-c")}
        seen: list[str] = []
        pages_over_limit = 0
        start: dict[str, Any] = {}
        while True:
            page = client.list_tables(Limit=2, **start)
            pages_over_limit += len(page["TableNames"]) > 2
            seen += [mine[n] for n in page["TableNames"] if n in mine]
            if "LastEvaluatedTableName" not in page:
                break
            start = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
        return {"order": seen, "pages_over_limit": pages_over_limit}

    local, emulator = diff.each(walk)
    assert local["pages_over_limit"] == 0 and sorted(local["order"]) == ["lt-a", "lt-b", "lt-c"]
    diff.compare("list_tables walk", local, emulator)
    diff.call("list_tables", expect=V, Limit=101)

    def first_page(client: Any, name_of: Any) -> dict[str, bool]:
        # The shared DynamoDB Local may hold more than a page of other tables: compare the page's rules.
        page = client.list_tables()
        full = len(page["TableNames"]) == 100
        return {
            "at_most_100": len(page["TableNames"]) <= 100,
            "more_iff_full": full == ("LastEvaluatedTableName" in page),
        }

    diff.compare("list_tables default page", *diff.each(first_page))
