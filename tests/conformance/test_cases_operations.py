"""Operations: table lifecycle, item operations, Query/Scan paging and Select, batches, validation order."""

from __future__ import annotations

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

V = "ValidationException"
RNF = "ResourceNotFoundException"
CCF = "ConditionalCheckFailedException"
T = table_spec("t", ("pk", "S"), ("sk", "N"))
H = table_spec("h", ("pk", "S"))


def key(pk: str = "a", sk: int = 1) -> dict[str, Any]:
    return {"pk": S(pk), "sk": N(sk)}


def item(pk: str = "a", sk: int = 1, **attrs: Any) -> dict[str, Any]:
    return {**key(pk, sk), **attrs}


# -- tables --
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


# -- items --
def upd(expect: str = "ok", **request: Any) -> Call:
    return Call("update_item", {"TableName": "t", "Key": key(), **request}, expect)


def delete(expect: str = "ok", **request: Any) -> Call:
    return Call("delete_item", {"TableName": "t", "Key": key(), **request}, expect)


ITEMS = [
    Case("get missing item", [get(key())], [T]),
    Case("put replaces", [put(item(a=S("1"))), put(item(b=S("2"))), get(key())], [T]),
    Case(
        "put ALL_OLD",
        [put(item(a=S("1")), ReturnValues="ALL_OLD"), put(item(b=S("2")), ReturnValues="ALL_OLD")],
        [T],
    ),
    Case("put ALL_NEW refused", [put(item(), V, ReturnValues="ALL_NEW")], [T]),
    Case("put UPDATED_OLD refused", [put(item(), V, ReturnValues="UPDATED_OLD")], [T]),
    Case(
        "put consumed capacity",
        [
            put(item(x=S("y" * 3000)), ReturnConsumedCapacity="TOTAL"),
            put(item(), ReturnConsumedCapacity="INDEXES"),
            get(key(), ReturnConsumedCapacity="TOTAL"),
            get(key(), ReturnConsumedCapacity="INDEXES", ConsistentRead=False),
        ],
        [T],
    ),
    Case(
        "put condition fails with ALL_OLD",
        [
            put(item(a=S("1"))),
            put(
                item(),
                CCF,
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
            put(
                item(),
                CCF,
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="NONE",
            ),
            put(item(), CCF, ConditionExpression="attribute_not_exists(pk)"),
        ],
        [T],
    ),
    Case(
        "condition on missing item",
        [
            put(
                item(),
                CCF,
                ConditionExpression="attribute_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        ],
        [T],
    ),
    Case(
        "delete returns",
        [put(item(a=S("1"))), delete(ReturnValues="ALL_OLD"), delete(ReturnValues="ALL_OLD"), get(key())],
        [T],
    ),
    Case(
        "delete with condition",
        [
            put(item(a=N(1))),
            delete(
                CCF,
                ConditionExpression="a > :z",
                ExpressionAttributeValues={":z": N(5)},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
            delete(ConditionExpression="a < :z", ExpressionAttributeValues={":z": N(5)}),
            get(key()),
        ],
        [T],
    ),
    Case("delete UPDATED_NEW refused", [delete(V, ReturnValues="UPDATED_NEW")], [T]),
    Case("delete consumed capacity", [put(item()), delete(ReturnConsumedCapacity="TOTAL")], [T]),
    Case(
        "update creates item",
        [
            upd(
                UpdateExpression="SET a = :a",
                ExpressionAttributeValues={":a": S("x")},
                ReturnValues="ALL_NEW",
            ),
            get(key()),
        ],
        [T],
    ),
    Case(
        "update with failing condition",
        [
            put(item(a=S("x"))),
            upd(
                CCF,
                UpdateExpression="SET a = :a",
                ConditionExpression="a = :b",
                ExpressionAttributeValues={":a": S("y"), ":b": S("z")},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
        ],
        [T],
    ),
    Case(
        "update on missing item UPDATED_OLD",
        [
            upd(
                UpdateExpression="SET a = :a",
                ReturnValues="UPDATED_OLD",
                ExpressionAttributeValues={":a": S("x")},
            )
        ],
        [T],
    ),
    Case("update without expression", [upd(), get(key())], [T]),
    Case(
        "update consumed capacity",
        [
            upd(
                UpdateExpression="SET a = :a",
                ExpressionAttributeValues={":a": S("x")},
                ReturnConsumedCapacity="TOTAL",
            )
        ],
        [T],
    ),
    Case(
        "legacy and expression mixed",
        [
            upd(
                V,
                UpdateExpression="SET a = :a",
                ExpressionAttributeValues={":a": S("x")},
                AttributeUpdates={"b": {"Value": S("y"), "Action": "PUT"}},
            ),
            put(item(), V, ConditionExpression="attribute_exists(pk)", Expected={"pk": {"Exists": False}}),
            get(key(), V, ProjectionExpression="a", AttributesToGet=["a"]),
        ],
        [T],
    ),
    Case(
        "expression values without expression",
        [
            put(item(), V, ExpressionAttributeValues={":a": S("x")}),
            get(key(), V, ExpressionAttributeNames={"#a": "a"}),
        ],
        [T],
    ),
    Case("bad ReturnConsumedCapacity", [put(item(), None, ReturnConsumedCapacity="ALL")], [T]),
    Case(
        "bad ReturnValuesOnConditionCheckFailure",
        [put(item(), V, ReturnValuesOnConditionCheckFailure="ALL_NEW")],
        [T],
    ),
    Case("bad table name on item op", [put(item(), V, table="bad name!")]),
    Case(
        "several validation errors",
        [put(item(), V, table="x!", ReturnValues="NOPE", ReturnConsumedCapacity="NO")],
    ),
]

# The same malformed requests against an existing table (exact messages) and a missing one (allow-listed).
MALFORMED: list[tuple[str, dict[str, Any]]] = [
    ("put_item", {"Item": item(), "ReturnValues": "ALL_NEW"}),
    ("put_item", {"Item": item(), "ConditionExpression": "a = "}),
    ("get_item", {"Key": key(), "ProjectionExpression": "a, a"}),
    ("update_item", {"Key": key(), "UpdateExpression": "SET a = :a"}),
    ("delete_item", {"Key": key(), "ReturnValues": "ALL_NEW"}),
    (
        "query",
        {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("a")}, "Select": "X"},
    ),
    ("scan", {"Segment": 1, "TotalSegments": 1}),
]
MISSING: list[tuple[str, dict[str, Any]]] = [
    ("put_item", {"Item": item()}),
    ("get_item", {"Key": key()}),
    (
        "update_item",
        {"Key": key(), "UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": N(1)}},
    ),
    ("delete_item", {"Key": key()}),
    ("query", {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": S("a")}}),
    ("scan", {}),
]
VALIDATION_ORDER = [
    Case(
        f"validation order {op} on {table}",
        [Call(op, {"TableName": table, **request}, None)],
        tables=[T] if table == "t" else [],
    )
    for op, request in MALFORMED
    for table in ("t", "ghost")
] + [
    Case(f"missing table {op}", [Call(op, {"TableName": "ghost", **request}, RNF)]) for op, request in MISSING
]


# Two independent errors in one request: which one DynamoDB reports first is part of its behaviour.
TWO_ERRORS: list[tuple[str, str, dict[str, Any]]] = [
    ("missing key and bad condition", "put_item", {"Item": {"pk": S("a")}, "ConditionExpression": "a ="}),
    (
        "bad number and unused value",
        "put_item",
        {
            "Item": item(n=N("1e999")),
            "ConditionExpression": "a = :a",
            "ExpressionAttributeValues": {":a": S("x"), ":b": S("y")},
        },
    ),
    (
        "bad update and bad condition",
        "update_item",
        {"Key": key(), "UpdateExpression": "SET", "ConditionExpression": "a ="},
    ),
    (
        "wrong key type and undefined value",
        "update_item",
        {"Key": {"pk": N(1), "sk": N(1)}, "UpdateExpression": "SET a = :nope"},
    ),
    (
        "key attribute update and bad condition",
        "update_item",
        {
            "Key": key(),
            "UpdateExpression": "SET pk = :v",
            "ConditionExpression": "(a = :v",
            "ExpressionAttributeValues": {":v": S("x")},
        },
    ),
    (
        "no key condition and bad filter",
        "query",
        {
            "KeyConditionExpression": "sk = :v",
            "FilterExpression": "a =",
            "ExpressionAttributeValues": {":v": N(1)},
        },
    ),
    (
        "count with projection and bad filter",
        "query",
        {
            "KeyConditionExpression": "pk = :v",
            "Select": "COUNT",
            "ProjectionExpression": "a",
            "FilterExpression": "a = :nope",
            "ExpressionAttributeValues": {":v": S("a")},
        },
    ),
    (
        "missing sort key and bad projection",
        "get_item",
        {"Key": {"pk": S("a")}, "ProjectionExpression": "a,,b"},
    ),
    (
        "bad return values and bad condition",
        "delete_item",
        {"Key": key(), "ReturnValues": "ALL_NEW", "ConditionExpression": "a ="},
    ),
    ("segment alone and bad filter", "scan", {"Segment": 0, "FilterExpression": "a ="}),
    (
        "item too big and bad condition",
        "put_item",
        {"Item": item(x=S("x" * 410_000)), "ConditionExpression": "a ="},
    ),
    (
        "unused name and unused value",
        "put_item",
        {
            "Item": item(),
            "ConditionExpression": "a = b",
            "ExpressionAttributeNames": {"#n": "n"},
            "ExpressionAttributeValues": {":v": S("x")},
        },
    ),
    (
        "bad value and syntax error",
        "put_item",
        {
            "Item": item(),
            "ConditionExpression": "a = :v AND",
            "ExpressionAttributeValues": {":v": {"SS": []}},
        },
    ),
    (
        "empty names map and syntax error",
        "put_item",
        {"Item": item(), "ConditionExpression": "a = ", "ExpressionAttributeNames": {}},
    ),
    (
        "legacy and expression and bad condition",
        "put_item",
        {"Item": item(), "ConditionExpression": "a =", "Expected": {"a": {"Exists": False}}},
    ),
]
PRECEDENCE = [
    Case(f"two errors: {name}", [Call(op, {"TableName": "t", **request}, V)], [T])
    for name, op, request in TWO_ERRORS
]


# -- query and scan --
def q(expect: str = "ok", pk: str = "a", **more: Any) -> Call:
    request: dict[str, Any] = {
        "TableName": "t",
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": S(pk)},
    }
    if "ExpressionAttributeValues" in more:
        more["ExpressionAttributeValues"] = {
            **request["ExpressionAttributeValues"],
            **more["ExpressionAttributeValues"],
        }
    return Call("query", {**request, **more}, expect)


TEN = [
    put(item("a", i, n=N(i), odd={"BOOL": i % 2 == 1}, **({"tag": S("x")} if i % 3 == 0 else {})))
    for i in range(10)
] + [put(item("b", 1, n=N(100)))]

QUERIES = [
    Case("query all", [*TEN, q(), q(ScanIndexForward=False)], [T]),
    Case(
        "query limit pages",
        [
            *TEN,
            q(Limit=4),
            q(Limit=4, ExclusiveStartKey=key("a", 3)),
            q(Limit=4, ExclusiveStartKey=key("a", 7)),
            q(Limit=2, ExclusiveStartKey=key("a", 9)),
            q(Limit=4, ScanIndexForward=False, ExclusiveStartKey=key("a", 6)),
        ],
        [T],
    ),
    Case("query limit exact end", [*TEN, q(Limit=10), q(Limit=11)], [T]),
    Case(
        "query limit with filter",
        [*TEN, q(Limit=4, FilterExpression="odd = :t", ExpressionAttributeValues={":t": {"BOOL": True}})],
        [T],
    ),
    Case(
        "query select count",
        [
            *TEN,
            q(Select="COUNT"),
            q(Select="COUNT", Limit=3),
            q(Select="COUNT", FilterExpression="attribute_exists(tag)"),
        ],
        [T],
    ),
    Case(
        "query select specific",
        [
            *TEN,
            q(Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="n, tag"),
            q(ProjectionExpression="sk"),
            q(V, Select="SPECIFIC_ATTRIBUTES"),
            q(V, Select="COUNT", ProjectionExpression="n"),
            q(V, Select="ALL_ATTRIBUTES", ProjectionExpression="n"),
            q(V, Select="ALL_PROJECTED_ATTRIBUTES"),
            q(V, Select="NOPE"),
        ],
        [T],
    ),
    Case(
        "query consumed capacity",
        [*TEN, q(ReturnConsumedCapacity="TOTAL"), q(ReturnConsumedCapacity="INDEXES", ConsistentRead=True)],
        [T],
    ),
    Case(
        "query bad start key",
        [
            *TEN,
            q(V, ExclusiveStartKey={"pk": S("a")}),
            q(V, ExclusiveStartKey={"pk": S("a"), "sk": S("x")}),
            q(V, ExclusiveStartKey=key("b", 1)),
            q(V, ExclusiveStartKey={**key(), "x": S("y")}),
        ],
        [T],
    ),
    Case("query start key not stored", [*TEN, q(Limit=2, ExclusiveStartKey=key("a", 100))], [T]),
    Case("query limit over max", [*TEN, q("ParamValidationError", Limit=0)], [T]),
    Case("query missing key condition", [q(V, KeyConditionExpression="sk = :p")], [T]),
    Case("query without key condition", [Call("query", {"TableName": "t"}, V)], [T]),
    Case("query unknown index", [q(V, IndexName="nope")], [T]),
]


def scan(expect: str = "ok", unordered: bool = False, **more: Any) -> Call:
    return Call("scan", {"TableName": "t", **more}, expect, unordered)


ONE_PARTITION = [put(item("a", i, n=N(i))) for i in range(8)]
MANY = [put(item(f"p{i}", i, n=N(i))) for i in range(12)]

SCANS = [
    Case(
        "scan one partition",
        [
            *ONE_PARTITION,
            scan(),
            scan(Limit=3),
            scan(Limit=3, ExclusiveStartKey=key("a", 2)),
            scan(Limit=5, ExclusiveStartKey=key("a", 5)),
        ],
        [T],
    ),
    Case(
        "scan many partitions",
        [
            *MANY,
            scan(unordered=True),
            scan(Select="COUNT"),
            scan(unordered=True, FilterExpression="n > :z", ExpressionAttributeValues={":z": N(5)}),
        ],
        [T],
    ),
    Case(
        "parallel scan segments",
        [*MANY, *(scan(unordered=True, Segment=s, TotalSegments=3) for s in range(3))],
        [T],
    ),
    Case(
        "parallel scan errors",
        [
            scan(V, Segment=0),
            scan(V, TotalSegments=2),
            scan(V, Segment=2, TotalSegments=2),
            scan(V, Segment=0, TotalSegments=1000001),
        ],
        [T],
    ),
    Case(
        "scan select",
        [
            *ONE_PARTITION,
            scan(Select="SPECIFIC_ATTRIBUTES", ProjectionExpression="n"),
            scan(V, Select="SPECIFIC_ATTRIBUTES"),
            scan(V, Select="ALL_PROJECTED_ATTRIBUTES"),
            scan(ConsistentRead=True, ReturnConsumedCapacity="TOTAL"),
        ],
        [T],
    ),
    Case(
        "scan filter on key",
        [*ONE_PARTITION, scan(FilterExpression="sk > :z", ExpressionAttributeValues={":z": N(3)})],
        [T],
    ),
]


# -- the 1 MB page limit --
BIG = [put(item("a", i, x=S("x" * 300_000), small=N(i))) for i in range(6)]
PAGES = [
    Case(
        "query 1MB page",
        [*BIG, q(), q(ExclusiveStartKey=key("a", 3)), q(ProjectionExpression="sk, small")],
        [T],
    ),
    Case("scan 1MB page", [*BIG, scan(), scan(Select="COUNT"), scan(ExclusiveStartKey=key("a", 3))], [T]),
    Case("query 1MB page with empty filter", [*BIG, q(FilterExpression="attribute_not_exists(x)")], [T]),
    Case("scan 1MB page with empty filter", [*BIG, scan(FilterExpression="attribute_not_exists(x)")], [T]),
]


# -- batches --
def bget(expect: str = "ok", **request_items: Any) -> Call:
    return Call("batch_get_item", {"RequestItems": request_items}, expect)


def bwrite(expect: str = "ok", **request_items: Any) -> Call:
    return Call("batch_write_item", {"RequestItems": request_items}, expect)


def puts(*items: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"PutRequest": {"Item": i}} for i in items]


BATCHES = [
    Case("batch get", [*TEN, bget(t={"Keys": [key("a", i) for i in range(5)] + [key("z", 1)]})], [T]),
    Case(
        "batch get two tables",
        [
            *TEN,
            put({"pk": S("a")}, table="h"),
            bget(
                t={"Keys": [key()]},
                h={"Keys": [{"pk": S("a")}, {"pk": S("b")}]},
            ),
        ],
        [T, H],
    ),
    Case(
        "batch get projection",
        [
            *TEN,
            bget(
                t={
                    "Keys": [key("a", 1)],
                    "ProjectionExpression": "n, #o",
                    "ExpressionAttributeNames": {"#o": "odd"},
                    "ConsistentRead": True,
                }
            ),
        ],
        [T],
    ),
    Case("batch get 100 keys", [bget(t={"Keys": [key("a", i) for i in range(100)]})], [T]),
    Case("batch get 101 keys", [bget(V, t={"Keys": [key("a", i) for i in range(101)]})], [T]),
    Case("batch get duplicate keys", [bget(V, t={"Keys": [key(), key()]})], [T]),
    Case("batch get bad key", [bget(V, t={"Keys": [{"pk": S("a")}]})], [T]),
    Case("batch get missing table", [bget(RNF, ghost={"Keys": [{"pk": S("a")}]})]),
    Case(
        "batch get consumed capacity",
        [
            *TEN,
            Call(
                "batch_get_item",
                {"RequestItems": {"t": {"Keys": [key()]}}, "ReturnConsumedCapacity": "TOTAL"},
                "ok",
            ),
        ],
        [T],
    ),
    Case(
        "batch get 16MB",
        [
            *(put(item("a", i, x=S("x" * 400_000))) for i in range(42)),
            Call(
                "batch_get_item",
                {"RequestItems": {"t": {"Keys": [key("a", i) for i in range(42)]}}},
                "ok",
                True,
            ),
        ],
        [T],
    ),
    Case(
        "batch write",
        [
            bwrite(t=[*puts(item(), item(sk=2)), {"DeleteRequest": {"Key": key("a", 3)}}]),
            get(key()),
            call("scan", TableName="t"),
        ],
        [T],
    ),
    Case("batch write 25", [bwrite(t=puts(*(item(sk=i) for i in range(25))))], [T]),
    Case("batch write 26", [bwrite(V, t=puts(*(item(sk=i) for i in range(26))))], [T]),
    Case(
        "batch write 26 across tables",
        [
            bwrite(
                V, t=puts(*(item(sk=i) for i in range(13))), h=puts(*({"pk": S(str(i))} for i in range(13)))
            )
        ],
        [T, H],
    ),
    Case("batch write duplicate put", [bwrite(V, t=puts(item(), item()))], [T]),
    Case(
        "batch write put and delete same key",
        [bwrite(V, t=[*puts(item()), {"DeleteRequest": {"Key": key()}}])],
        [T],
    ),
    Case("batch write bad item", [bwrite(V, t=puts({"pk": S("a")}))], [T]),
    Case("batch write empty request", [bwrite(V, t=[{}])], [T]),
    Case(
        "batch write both requests",
        [bwrite(V, t=[{"PutRequest": {"Item": item()}, "DeleteRequest": {"Key": key()}}])],
        [T],
    ),
    Case("batch write missing table", [bwrite(RNF, ghost=puts({"pk": S("a")}))]),
    Case("batch write item too big", [bwrite(V, t=puts(item(x=S("x" * 410_000))))], [T]),
    Case(
        "batch write consumed capacity",
        [
            Call(
                "batch_write_item",
                {
                    "RequestItems": {"t": puts(item())},
                    "ReturnConsumedCapacity": "TOTAL",
                    "ReturnItemCollectionMetrics": "SIZE",
                },
                "ok",
            )
        ],
        [T],
    ),
]

ALL_CASES = (
    CREATES + TABLE_LIFECYCLE + ITEMS + VALIDATION_ORDER + PRECEDENCE + QUERIES + SCANS + PAGES + BATCHES
)


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_operations(diff: Differential, case: Case) -> None:
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
    diff.call("list_tables", expect="ok")
