"""Multi-attribute GSI keys (up to four partition and four sort attributes), against DynamoDB Local 3.3.0.

CreateTable and UpdateTable accept them with their own limits and sentences; writes check every key
attribute's type; an item lacking any key attribute is not in the index; Query takes every partition
attribute by equality and the sort attributes left to right (equality on all but the last one queried),
pages forwards and backwards with the full index key in ``LastEvaluatedKey``; legacy ``KeyConditions`` too.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conformance.harness import Call, Case, Differential, N, S, call, put, run_case, table_spec

V = "ValidationException"


def _keys(*pairs: tuple[str, str]) -> list[dict[str, str]]:
    return [{"AttributeName": name, "KeyType": kind} for name, kind in pairs]


def gsi(name: str, *pairs: tuple[str, str], projection: str = "ALL", non_key: list[str] | None = None) -> Any:
    spec: dict[str, Any] = {"ProjectionType": projection}
    if non_key:
        spec["NonKeyAttributes"] = non_key
    return {"IndexName": name, "KeySchema": _keys(*pairs), "Projection": spec}


H, R = "HASH", "RANGE"
INDEXES = ("g_two", "g_full", "g_sorts")
ATTRS = [("a", "S"), ("b", "N"), ("c", "S"), ("d", "N"), ("e", "S"), ("f", "B")]
T = table_spec(
    "t",
    ("pk", "S"),
    ("sk", "S"),
    gsis=[
        gsi("g_two", ("a", H), ("b", H)),
        gsi("g_full", ("a", H), ("b", H), ("c", H), ("d", R), ("sk", R), projection="INCLUDE", non_key=["x"]),
        gsi("g_sorts", ("e", H), ("c", R), ("d", R), ("a", R), ("f", R), projection="KEYS_ONLY"),
    ],
    extra_attributes=ATTRS,
)


def BIN(byte: int) -> dict[str, Any]:
    return {"B": bytes([byte])}


def row(n: int, **attrs: Any) -> dict[str, Any]:
    return {"pk": S(f"p{n % 3}"), "sk": S(f"s{n:02d}"), **attrs}


ROWS = [
    put(
        row(
            n,
            a=S("A"),
            b=N(n % 2),
            c=S(f"c{n % 4}"),
            d=N(n // 3),
            e=S("E"),
            f={"B": bytes([n % 5])},
            x=S("x"),
        )
    )
    for n in range(14)
] + [
    put(row(20, a=S("A"), b=N(0))),  # only in g_two
    put(row(21, a=S("A"), c=S("c0"), d=N(1), e=S("E"))),  # no b: in neither g_two nor g_full
    put(row(22, e=S("E"), c=S("c1"), d=N(0), a=S("Z"))),  # no f: not in g_sorts
]


def q(
    index: str,
    expression: str,
    expect: str | tuple[str, str] = "ok",
    *,
    unordered: bool = False,
    **values: Any,
) -> Call:
    """A Query of logical table ``t``; ``values`` name the ``:placeholders``, capitalised keys are members.

    ``unordered``: an index without a sort key promises no order within a partition."""
    request: dict[str, Any] = {"TableName": "t", "IndexName": index, "KeyConditionExpression": expression}
    more = {k: values.pop(k) for k in list(values) if k[0].isupper()}
    if values:
        request["ExpressionAttributeValues"] = {f":{k}": v for k, v in values.items()}
    return Call("query", {**request, **more}, expect, unordered)


FULL = "a = :a AND b = :b AND c = :c"
FULL_VALUES: dict[str, Any] = {"a": S("A"), "b": N(0), "c": S("c2")}
SORTS_VALUES: dict[str, Any] = {"e": S("E"), "c": S("c1"), "d": N(1), "a": S("A")}
SIX = "a = :a AND b = :b AND c = :c AND d = :d AND sk = :s AND zz = :z"


def create(name: str, expect: str | tuple[str, str], *pairs: tuple[str, str]) -> Case:
    request = table_spec("c", gsis=[gsi("gix", *pairs)], extra_attributes=ATTRS[: len(pairs)])
    calls = [call("create_table", expect, **request)]
    if expect == "ok":
        calls.append(call("describe_table", TableName="c"))
    return Case(f"create: {name}", calls)


A, B_, C, D, E, F = (n for n, _t in ATTRS)
CREATES = [
    create("two partition attributes", "ok", (A, H), (B_, H)),
    create("four partition, two sort", "ok", (A, H), (B_, H), (C, H), (D, H), (E, R), (F, R)),
    create("one partition, four sort", "ok", (A, H), (B_, R), (C, R), (D, R), (E, R)),
    create("five partition", (V, "Too many partition keys"), (A, H), (B_, H), (C, H), (D, H), (E, H)),
    create("five sort", (V, "Too many sort keys"), (A, H), (B_, R), (C, R), (D, R), (E, R), (F, R)),
    create("hash after range", (V, "Invalid key order"), (A, H), (B_, R), (C, H)),
    create("range first", (V, "Invalid key order"), (A, R), (B_, H)),
    create("no hash", (V, "No Hash Key"), (A, R), (B_, R)),
    create("same name twice", (V, "Two keys can not have the same name"), (A, H), (A, H)),
    create("same name hash and range", (V, "Two keys can not have the same name"), (A, H), (B_, R), (B_, R)),
    Case(
        "create: undefined attribute",
        [
            call(
                "create_table",
                (V, "Attribute zz is not defined in AttributeDefinitions"),
                **table_spec("c", gsis=[gsi("gix", (A, H), ("zz", H))], extra_attributes=ATTRS[:1]),
            )
        ],
    ),
]

WRITES = [
    put(row(30, a=N(1)), (V, "Type mismatch for Index Key")),
    put(row(30, b=S("x")), (V, "Type mismatch for Index Key")),
    put(row(30, f=S("x")), (V, "Type mismatch for Index Key")),
    put(row(30, e=S("")), (V, "cannot contain an empty string value")),
    put(row(30, e=S("E"), c=S("")), (V, "cannot contain an empty string value")),
    call(
        "update_item",
        (V, "Type mismatch for Index Key"),
        TableName="t",
        Key={"pk": S("p0"), "sk": S("s00")},
        UpdateExpression="SET d = :v",
        ExpressionAttributeValues={":v": S("bad")},
    ),
    call(
        "batch_write_item",
        (V, "Type mismatch for Index Key"),
        RequestItems={"t": [{"PutRequest": {"Item": row(31, c=N(1))}}]},
    ),
]

QUERIES = [
    q("g_two", "a = :a AND b = :b", a=S("A"), b=N(0), unordered=True),
    q("g_two", "b = :b AND a = :a", a=S("A"), b=N(1), ScanIndexForward=False, unordered=True),
    q("g_full", FULL, **FULL_VALUES),
    q("g_full", FULL, **FULL_VALUES, ScanIndexForward=False),
    q("g_full", "(a = :a AND b = :b) AND c = :c", **FULL_VALUES),
    q("g_full", FULL + " AND d = :d", **FULL_VALUES, d=N(2)),
    q("g_full", FULL + " AND d > :d", **FULL_VALUES, d=N(0)),
    q("g_full", FULL + " AND d BETWEEN :d AND :e", **FULL_VALUES, d=N(1), e=N(3)),
    q("g_full", FULL + " AND d = :d AND sk > :s", **FULL_VALUES, d=N(2), s=S("s06")),
    q("g_full", FULL + " AND d = :d AND begins_with(sk, :s)", **FULL_VALUES, d=N(2), s=S("s0")),
    q("g_full", FULL + " AND d = :d AND sk <= :s", **FULL_VALUES, d=N(2), s=S("s06"), Select="COUNT"),
    q(
        "g_sorts",
        "e = :e AND c = :c AND d = :d AND a = :a AND f = :f",
        e=S("E"),
        c=S("c1"),
        d=N(1),
        a=S("A"),
        f={"B": b"\x00"},
    ),
    q("g_sorts", "e = :e AND c = :c AND d = :d AND a < :a", e=S("E"), c=S("c1"), d=N(0), a=S("Z")),
    q("g_sorts", "e = :e AND c >= :c", e=S("E"), c=S("c2")),
    q("g_sorts", "e = :e AND begins_with(c, :c)", e=S("E"), c=S("c")),
    # Refusals, in DynamoDB's order.
    q("g_full", "a = :a", V, a=S("A")),
    q("g_full", "c = :c", V, c=S("C")),
    q("g_full", "a = :a AND b > :b AND c = :c", V, a=S("A"), b=N(0), c=S("c")),
    q("g_full", FULL + " AND sk = :s", V, **FULL_VALUES, s=S("s01")),
    q("g_full", "a = :a AND b = :b AND c > :c AND d = :d", V, a=S("A"), b=N(0), c=S("c"), d=N(1)),
    q("g_full", FULL + " AND d > :d AND sk > :s", V, **FULL_VALUES, d=N(0), s=S("s")),
    q("g_full", FULL + " AND x = :x", V, **FULL_VALUES, x=S("x")),
    q("g_full", "a = :a AND b = :b AND c = :c", V, a=S("A"), b=S("0"), c=S("c")),
    q("g_full", FULL + " AND d = :d", V, **FULL_VALUES, d=S("2")),
    q("g_full", "a = :a AND b = :b AND c = :c AND sk > :s", V, a=S("A"), b=N(0), c=S(""), s=S("s")),
    q("g_full", FULL + " AND c = :d", V, **FULL_VALUES, d=S("c1")),
    q(
        "g_full",
        "a = :a AND b = :b AND c = :c AND d = :d AND sk = :s AND zz = :z",
        V,
        **FULL_VALUES,
        d=N(1),
        s=S("s"),
        z=S("z"),
    ),
    q("g_full", FULL + " AND d < :d", V, **FULL_VALUES, d=N(5), Select="ALL_ATTRIBUTES"),
    q("g_full", FULL, V, **FULL_VALUES, ConsistentRead=True),
    q("g_two", "a = :a AND b = :b AND c = :c", V, a=S("A"), b=N(0), c=S("c")),
    q("g_full", "a = :a AND a = :b", V, a=S("A"), b=S("A")),
    call(
        "query",
        TableName="t",
        IndexName="g_full",
        KeyConditions={
            "a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("A")]},
            "b": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]},
            "c": {"ComparisonOperator": "EQ", "AttributeValueList": [S("c1")]},
            "d": {"ComparisonOperator": "GT", "AttributeValueList": [N(0)]},
        },
    ),
    call(
        "query",
        V,
        TableName="t",
        IndexName="g_full",
        KeyConditions={
            "a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("A")]},
            "b": {"ComparisonOperator": "EQ", "AttributeValueList": [N(1)]},
        },
    ),
    call(
        "query",
        V,
        TableName="t",
        KeyConditionExpression="pk = :p AND sk = :s AND a = :a",
        ExpressionAttributeValues={":p": S("p0"), ":s": S("s"), ":a": S("A")},
    ),
]


PARTIQL = [
    call("execute_statement", V, Statement='SELECT * FROM "t"."g_full" WHERE a = \'A\' AND b = 0'),
    call("execute_statement", V, Statement='SELECT pk FROM "t"."g_two" WHERE a = \'A\''),
    call("execute_statement", Statement="SELECT * FROM \"t\" WHERE pk = 'p1' AND sk = 's01'"),
    call("execute_statement", Statement="UPDATE \"t\" SET b = 5 WHERE pk = 'p1' AND sk = 's01'"),
    q("g_two", "a = :a AND b = :b", a=S("A"), b=N(5)),
]

NEW_INDEX = gsi("g_new", ("c", H), ("a", H), ("b", R), ("d", R))

CASES = [
    *CREATES,
    Case("writes checked against every key attribute", [*ROWS, *WRITES], [T]),
    Case("queries", [*ROWS, *QUERIES], [T]),
    Case("PartiQL refuses an index with a multi-attribute key, serves its table", [*ROWS, *PARTIQL], [T]),
    Case(
        "scans hold only items with every key attribute",
        [
            *ROWS,
            *(
                call("scan", TableName="t", IndexName=i, unordered=True)
                for i in ("g_two", "g_full", "g_sorts")
            ),
        ],
        [T],
    ),
    Case(
        "an update moves the entry; a removed attribute drops it",
        [
            *ROWS,
            call(
                "update_item",
                TableName="t",
                Key={"pk": S("p2"), "sk": S("s02")},
                UpdateExpression="SET b = :b, d = :d",
                ExpressionAttributeValues={":b": N(1), ":d": N(9)},
            ),
            call(
                "update_item",
                TableName="t",
                Key={"pk": S("p1"), "sk": S("s10")},
                UpdateExpression="REMOVE c",
            ),
            call("delete_item", TableName="t", Key={"pk": S("p0"), "sk": S("s06")}),
            q("g_full", FULL, **FULL_VALUES),
            q("g_full", "a = :a AND b = :b AND c = :c", a=S("A"), b=N(1), c=S("c2")),
            call("scan", TableName="t", IndexName="g_full", unordered=True),
        ],
        [T],
    ),
    Case(
        "a multi-attribute index added to a table with items",
        [
            *ROWS,
            call(
                "update_table",
                TableName="t",
                AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in ATTRS],
                GlobalSecondaryIndexUpdates=[
                    {"Create": gsi("g_new", ("c", H), ("a", H), ("b", R), ("d", R))}
                ],
            ),
            Call("settle", {"TableName": "t"}),
            q("g_new", "c = :c AND a = :a AND b = :b", c=S("c1"), a=S("A"), b=N(1)),
            q("g_new", "c = :c AND a = :a", c=S("c0"), a=S("A"), ScanIndexForward=False),
            call(
                "update_table",
                V,
                TableName="t",
                AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in ATTRS],
                GlobalSecondaryIndexUpdates=[{"Create": gsi("g_bad", *((n, H) for n in "abcde"))}],
            ),
        ],
        [T],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_multi_attribute_keys(diff: Differential, case: Case) -> None:
    run_case(diff, case)


@pytest.mark.parametrize("forward", [True, False], ids=["forward", "backward"])
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_pages_chain_through_the_full_index_key(diff: Differential, forward: bool, limit: int) -> None:
    """Every page ends at ``Limit`` with every index and table key attribute in ``LastEvaluatedKey``; the
    next page starts after it, on both backends, to the end."""
    diff.create_table(setup=True, **T)
    for step in ROWS:
        diff.call(step.op, **step.request)
    request: dict[str, Any] = {
        "TableName": "t",
        "IndexName": "g_full",
        "KeyConditionExpression": "a = :a AND b = :b AND c = :c",
        "ExpressionAttributeValues": {":a": S("A"), ":b": N(1), ":c": S("c1")},
        "Limit": limit,
        "ScanIndexForward": forward,
    }
    pages = 0
    while True:
        local = diff.call("query", **request)
        pages += 1
        last = local.body.get("LastEvaluatedKey") if local.ok else None
        if not last:
            break
        assert set(last) == {"a", "b", "c", "d", "sk", "pk"}
        request["ExclusiveStartKey"] = last
    assert pages >= 2


def test_start_keys_outside_the_query_are_refused(diff: Differential) -> None:
    diff.create_table(setup=True, **T)
    for step in ROWS:
        diff.call(step.op, **step.request)
    base: dict[str, Any] = {
        "TableName": "t",
        "IndexName": "g_full",
        "KeyConditionExpression": FULL + " AND d > :d",
        "ExpressionAttributeValues": {":a": S("A"), ":b": N(0), ":c": S("c2"), ":d": N(1)},
    }
    inside = {"a": S("A"), "b": N(0), "c": S("c2"), "d": N(2), "sk": S("s06"), "pk": S("p0")}
    diff.call("query", **base, ExclusiveStartKey=inside)
    for change in ({"a": S("B")}, {"d": N(1)}, {"c": S("c3")}):
        diff.call("query", **base, ExclusiveStartKey={**inside, **change})
    diff.call("query", **base, ExclusiveStartKey={**inside, "d": S("2")})
    missing = dict(inside)
    missing.pop("d")
    diff.call("query", **base, ExclusiveStartKey=missing)
