"""Operations: item operations, validation order and precedence, Query/Scan paging and Select, batches."""

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

ALL_CASES = ITEMS + VALIDATION_ORDER + PRECEDENCE + QUERIES + SCANS + PAGES + BATCHES


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_operations(diff: Differential, case: Case) -> None:
    run_case(diff, case)


def test_parallel_scan_segments_partition_the_table(diff: Differential) -> None:
    """Segments are compared as a whole: which segment holds an item is the backend's own hash (the service
    documents no assignment, and the emulator does not copy DynamoDB Local's), but together the segments must
    hold every item exactly once, with counts that add up."""
    diff.create_table(setup=True, **T)
    for step in MANY:
        diff.call(step.op, **step.request)

    def segments(client: Any, name_of: Callable[[str], str]) -> dict[str, Any]:
        held: list[list[str]] = []
        counts = []
        for segment in range(3):
            page = client.scan(TableName=name_of("t"), Segment=segment, TotalSegments=3)
            held.append(sorted(i["pk"]["S"] for i in page["Items"]))
            counts.append((page["Count"], page["ScannedCount"], "LastEvaluatedKey" in page))
        every = sorted(pk for seg in held for pk in seg)
        return {
            "items": every,
            "each item once": len(every) == len(set(every)),
            "counts add up": sum(c for c, _, _ in counts) == len(every),
            "scanned equals count": all(c == s for c, s, _ in counts),
            "paged": any(more for _, _, more in counts),
        }

    local, emulated = diff.each(segments)
    diff.compare("parallel scan segments as a whole", local, emulated)
