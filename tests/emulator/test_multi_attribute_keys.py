"""Multi-attribute GSI keys on the emulator alone: queries agree with a brute-force reading of the items,
pages chain, snapshots and index backfills keep them, and every door serves them.

(The differential tests against DynamoDB Local are in tests/conformance/test_cases_multi_attribute_keys.py.)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from theorydb_mocks import mock_dynamodb
from theorydb_mocks.emulator import DynamoDBEmulator

HASHES = ("ha", "hb")
SORTS = ("sa", "sb", "sc")
TYPES = {"ha": "S", "hb": "N", "sa": "S", "sb": "N", "sc": "S"}


def index(schema: list[dict[str, str]], projection: str) -> dict[str, Any]:
    return {"IndexName": "gmulti", "KeySchema": schema, "Projection": {"ProjectionType": projection}}


def create(client: Any, name: str = "multi") -> None:
    schema = [*({"AttributeName": n, "KeyType": "HASH"} for n in HASHES)]
    schema += [{"AttributeName": n, "KeyType": "RANGE"} for n in SORTS]
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            *({"AttributeName": n, "AttributeType": t} for n, t in TYPES.items()),
        ],
        GlobalSecondaryIndexes=[
            {"IndexName": "gmulti", "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}}
        ],
    )


def wire(name: str, value: Any) -> dict[str, str]:
    return {TYPES[name]: str(value)}


def native(name: str, av: dict[str, str]) -> Any:
    return Decimal(av["N"]) if TYPES[name] == "N" else av["S"]


ITEMS = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "ha": st.sampled_from(["x", "y"]),
            "hb": st.integers(0, 1),
            "sa": st.sampled_from(["a", "b", "c"]),
            "sb": st.integers(-2, 2),
            "sc": st.sampled_from(["k", "ka", "m"]),
        },
    ),
    max_size=25,
)
CONDITION = st.tuples(
    st.sampled_from(["x", "y"]),
    st.integers(0, 1),
    st.lists(st.sampled_from(["a", "b", "c", -1, 0, 1, "k", "ka"]), max_size=2),
    st.sampled_from(["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with", None]),
    st.booleans(),
    st.integers(1, 4),
)


def _holds(op: str, value: Any, bound: Any) -> bool:
    if op == "BETWEEN":
        return bool(bound[0] <= value <= bound[1])
    if op == "begins_with":
        return str(value).startswith(str(bound[0]))
    return bool(
        {
            "=": value == bound[0],
            "<": value < bound[0],
            "<=": value <= bound[0],
            ">": value > bound[0],
            ">=": value >= bound[0],
        }[op]
    )


def brute_force(
    items: list[dict[str, Any]], ha: str, hb: int, prefix: list[Any], op: str | None, bound: Any
) -> list[str]:
    """The pks a query must return, in index order: the model the emulator is checked against."""
    found = []
    for pk, item in enumerate(items):
        if not all(n in item for n in (*HASHES, *SORTS)) or (item["ha"], item["hb"]) != (ha, hb):
            continue
        sorts = [item[n] for n in SORTS]
        if sorts[: len(prefix)] != prefix:
            continue
        if op is not None and not _holds(op, sorts[len(prefix)], bound):
            continue
        found.append((sorts, f"p{pk:03d}"))
    return [pk for _sorts, pk in sorted(found)]


BOUNDS: dict[str, tuple[Any, Any]] = {"sa": ("b", "c"), "sb": (-1, 1), "sc": ("k", "m")}


@settings(max_examples=60, deadline=None)
@given(items=ITEMS, condition=CONDITION)
def test_queries_match_a_brute_force_reading(items: list[dict[str, Any]], condition: Any) -> None:
    ha, hb, raw_prefix, op, forward, limit = condition
    client = DynamoDBEmulator().client()
    create(client)
    for pk, item in enumerate(items):
        client.put_item(
            TableName="multi", Item={"pk": {"S": f"p{pk:03d}"}, **{n: wire(n, v) for n, v in item.items()}}
        )
    # A well-typed prefix of equalities on the first sort attributes, then the operator on the next one.
    prefix: list[Any] = []
    for name, value in zip(SORTS, raw_prefix, strict=False):
        if isinstance(value, int) != (TYPES[name] == "N"):
            break
        prefix.append(value)
    if len(prefix) == len(SORTS):
        op = None
    if op == "begins_with" and TYPES[SORTS[len(prefix)]] == "N":
        op = ">="
    expression = "ha = :ha AND hb = :hb"
    values: dict[str, Any] = {":ha": wire("ha", ha), ":hb": wire("hb", hb)}
    for position, value in enumerate(prefix):
        expression += f" AND {SORTS[position]} = :p{position}"
        values[f":p{position}"] = wire(SORTS[position], value)
    bound: tuple[Any, ...] = ()
    if op is not None:
        target = SORTS[len(prefix)]
        bound = BOUNDS[target]
        values[":b0"] = wire(target, bound[0])
        if op == "BETWEEN":
            values[":b1"] = wire(target, bound[1])
            expression += f" AND {target} BETWEEN :b0 AND :b1"
        elif op == "begins_with":
            expression += f" AND begins_with({target}, :b0)"
        else:
            expression += f" AND {target} {op} :b0"
    expected = brute_force(items, ha, hb, prefix, op, bound)
    if not forward:
        expected.reverse()
    request: dict[str, Any] = {
        "TableName": "multi",
        "IndexName": "gmulti",
        "KeyConditionExpression": expression,
        "ExpressionAttributeValues": values,
        "ScanIndexForward": forward,
        "Limit": limit,
    }
    got: list[str] = []
    while True:
        page = client.query(**request)
        got.extend(item["pk"]["S"] for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        assert set(page["LastEvaluatedKey"]) == {"pk", *HASHES, *SORTS}
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert got == expected


def put_rows(client: Any, count: int = 12) -> None:
    for n in range(count):
        item = {"pk": {"S": f"p{n:03d}"}, "ha": {"S": "x"}, "hb": {"N": str(n % 2)}}
        item.update({"sa": {"S": "a"}, "sb": {"N": str(n // 2)}, "sc": {"S": f"k{n}"}})
        client.put_item(TableName="multi", Item=item)


def pks(page: dict[str, Any]) -> list[str]:
    return [item["pk"]["S"] for item in page["Items"]]


def query_zero(client: Any, **extra: Any) -> dict[str, Any]:
    return dict(
        client.query(
            TableName="multi",
            IndexName="gmulti",
            KeyConditionExpression="ha = :a AND hb = :b AND sa = :s AND sb >= :n",
            ExpressionAttributeValues={
                ":a": {"S": "x"},
                ":b": {"N": "0"},
                ":s": {"S": "a"},
                ":n": {"N": "2"},
            },
            **extra,
        )
    )


def test_snapshots_restore_the_index_entries() -> None:
    emu = DynamoDBEmulator()
    client = emu.client()
    create(client)
    put_rows(client)
    before = pks(query_zero(client))
    assert before == ["p004", "p006", "p008", "p010"]
    with emu.rollback():
        client.delete_item(TableName="multi", Key={"pk": {"S": "p006"}})
        client.update_item(
            TableName="multi",
            Key={"pk": {"S": "p008"}},
            UpdateExpression="SET hb = :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        assert pks(query_zero(client)) == ["p004", "p010"]
    assert pks(query_zero(client)) == before


def test_update_table_backfills_a_multi_attribute_index() -> None:
    client = DynamoDBEmulator().client()
    client.create_table(
        TableName="multi",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    put_rows(client)
    schema = [{"AttributeName": n, "KeyType": "HASH"} for n in HASHES]
    schema += [{"AttributeName": n, "KeyType": "RANGE"} for n in SORTS]
    client.update_table(
        TableName="multi",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in TYPES.items()],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "gmulti",
                    "KeySchema": schema,
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            }
        ],
    )
    described = client.describe_table(TableName="multi")["Table"]["GlobalSecondaryIndexes"][0]
    assert [e["AttributeName"] for e in described["KeySchema"]] == [*HASHES, *SORTS]
    assert described["ItemCount"] == 12
    assert pks(query_zero(client, ScanIndexForward=False)) == ["p010", "p008", "p006", "p004"]


@pytest.mark.parametrize("door", ["direct", "routed"])
def test_every_door_creates_writes_and_queries(door: str) -> None:
    emu = DynamoDBEmulator()
    if door == "direct":
        client = emu.client()
        create(client)
        put_rows(client)
        assert pks(query_zero(client, Limit=2)) == ["p004", "p006"]
        return
    with mock_dynamodb(emu):
        import boto3

        routed = boto3.client("dynamodb", region_name="us-east-1")
        create(routed)
        put_rows(routed)
        assert pks(query_zero(routed, Limit=2)) == ["p004", "p006"]
        with pytest.raises(ClientError) as refused:
            routed.query(
                TableName="multi",
                IndexName="gmulti",
                KeyConditionExpression="ha = :a",
                ExpressionAttributeValues={":a": {"S": "x"}},
            )
        assert refused.value.response["Error"]["Message"] == (
            "HASH key attributes hb must have equality conditions specified in the query"
        )
