"""Differential tests of the data plane: the same item, query, scan and batch requests to DynamoDB Local and
to the emulator, compared answer for answer (errors by code and exact message) through the shared harness.

The tables are created on each backend directly (``Differential.each``), so that these tests measure the
data plane alone. Where the emulator deliberately answers as the DynamoDB service does rather than as
DynamoDB Local, ``test_documented_service_wording`` pins both sides of the difference.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conformance.harness import Differential, Tally

T = "t"
AREA = "data_plane_vs_local"


def _create(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "gs", "AttributeType": "N"},
            {"AttributeName": "l", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi1",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "gs", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
            {
                "IndexName": "gsi2",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
            },
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi1",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


def _drop(client: Any, name: str) -> None:
    try:
        client.delete_table(TableName=name)
    except Exception:
        return


def _seed(diff: Differential) -> None:
    """Create table ``t`` on both backends: partitions a and b, sort keys 0..5, some items in the indexes."""
    diff.table(T)
    diff.each(lambda client, name_of: _create(client, name_of(T)))
    for pk in "ab":
        for sk in range(6):
            item: dict[str, Any] = {"pk": {"S": pk}, "sk": {"N": str(sk)}, "x": {"S": f"{pk}{sk}"}}
            if sk % 2 == 0:
                item.update(
                    {"g": {"S": "G"}, "gs": {"N": str(10 * sk + (pk == "b"))}, "l": {"S": f"l{5 - sk}"}}
                )
            diff.call("put_item", TableName=T, Item=item)


@pytest.fixture
def seeded(diff: Differential) -> Iterator[Differential]:
    """A freshly seeded table ``t``, for cases that write."""
    try:
        _seed(diff)
        yield diff
    finally:
        diff.each(lambda client, name_of: _drop(client, name_of(T)))


@pytest.fixture(scope="module")
def _shared(
    dynamodb_local_client: Any, emulator_factory: Callable[[], Any] | None, conformance_tally: Tally
) -> Iterator[Differential]:
    emulator = emulator_factory() if emulator_factory is not None else None
    diff = Differential(
        dynamodb_local_client, emulator, tally=conformance_tally, area=AREA, test_id=f"{__name__}::seed"
    )
    try:
        _seed(diff)
        yield diff
    finally:
        diff.each(lambda client, name_of: _drop(client, name_of(T)))
        diff.close()


@pytest.fixture
def reader(_shared: Differential, request: pytest.FixtureRequest) -> Differential:
    """One seeded table ``t`` shared by the module's cases that never change it (reads and refusals)."""
    _shared.test_id = request.node.nodeid
    return _shared


def K(pk: str = "a", sk: int = 1) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}}


P = {":p": {"S": "a"}}

ITEM_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("get_item", {"Key": K()}),
    ("get_item", {"Key": K("a", 9)}),
    ("get_item", {"Key": {"pk": {"S": "a"}, "sk": {"N": "1.000"}}, "ConsistentRead": True}),
    ("get_item", {"Key": K(), "ProjectionExpression": "x, nothing"}),
    ("get_item", {"Key": K(), "AttributesToGet": ["x"]}),
    ("get_item", {"Key": K(), "ReturnConsumedCapacity": "INDEXES"}),
    ("get_item", {"Key": K(), "ReturnConsumedCapacity": "TOTAL", "ConsistentRead": True}),
    ("get_item", {"Key": K("a", 9), "ReturnConsumedCapacity": "TOTAL"}),
    ("get_item", {"Key": {"pk": {"S": ""}, "sk": {"N": "1"}}}),
    ("get_item", {"Key": K(), "ExpressionAttributeNames": {"#a": "a"}}),
    ("get_item", {"Key": K(), "AttributesToGet": ["x"], "ProjectionExpression": "x"}),
    ("put_item", {"Item": {**K("c"), "v": {"N": "1.50"}}, "ReturnValues": "ALL_OLD"}),
    (
        "put_item",
        {"Item": {**K("c"), "v": {"N": "2"}}, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"},
    ),
    ("put_item", {"Item": K("c"), "ReturnValues": "ALL_NEW"}),
    ("put_item", {"Item": {"pk": {"S": ""}, "sk": {"N": "1"}}}),
    ("put_item", {"Item": {**K("c"), "g": {"S": ""}}}),
    ("put_item", {"Item": {**K("c"), "l": {"S": ""}}}),
    ("put_item", {"Item": {**K("c"), "x": {"S": "a" * 409600}}}),
    ("put_item", {"Item": {"pk": {"S": "a" * 2049}, "sk": {"N": "1"}}}),
    (
        "put_item",
        {"Item": {**K("c"), "g": {"S": "G"}, "gs": {"N": "7"}}, "ReturnConsumedCapacity": "INDEXES"},
    ),
    ("put_item", {"Item": {**K("c"), "l": {"S": "L"}}, "ReturnConsumedCapacity": "INDEXES"}),
    ("put_item", {"Item": {**K("d"), "y": {"S": "y" * 3000}}, "ReturnConsumedCapacity": "INDEXES"}),
    ("put_item", {"Item": K(), "ConditionExpression": "attribute_not_exists(pk)"}),
    (
        "put_item",
        {
            "Item": K(),
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    ),
    (
        "put_item",
        {"Item": K(), "ConditionExpression": "attribute_exists(pk)", "Expected": {"pk": {"Exists": True}}},
    ),
    ("put_item", {"Item": K(), "ExpressionAttributeValues": {":v": {"S": "1"}}}),
    ("put_item", {"Item": K(), "ExpressionAttributeNames": {"#v": "v"}}),
    ("put_item", {"Item": {**K(), "n": {"N": "x"}}, "ReturnValues": "ALL_NEW"}),
    ("delete_item", {"Key": K("a", 5), "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "INDEXES"}),
    ("delete_item", {"Key": K("a", 4), "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "INDEXES"}),
    ("delete_item", {"Key": K("a", 9), "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"}),
    ("delete_item", {"Key": K(), "ReturnValues": "UPDATED_NEW"}),
    (
        "delete_item",
        {
            "Key": K(),
            "ConditionExpression": "x = :x",
            "ExpressionAttributeValues": {":x": {"S": "nope"}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    ),
    ("delete_item", {"Key": K(), "ExpressionAttributeValues": {":x": {"S": "nope"}}}),
    (
        "update_item",
        {
            "Key": K(),
            "UpdateExpression": "SET v = :v",
            "ExpressionAttributeValues": {":v": {"S": "1"}},
            "ReturnValues": "UPDATED_OLD",
        },
    ),
    (
        "update_item",
        {
            "Key": K(),
            "UpdateExpression": "SET v = :v, m = :m",
            "ExpressionAttributeValues": {":v": {"S": "2"}, ":m": {"M": {"a": {"S": "1"}}}},
            "ReturnValues": "UPDATED_NEW",
        },
    ),
    (
        "update_item",
        {
            "Key": K(),
            "UpdateExpression": "SET m.a = :v",
            "ExpressionAttributeValues": {":v": {"S": "3"}},
            "ReturnValues": "UPDATED_OLD",
        },
    ),
    ("update_item", {"Key": K(), "UpdateExpression": "REMOVE v", "ReturnValues": "ALL_NEW"}),
    ("update_item", {"Key": K(), "UpdateExpression": "REMOVE v", "ReturnValues": "ALL_OLD"}),
    ("update_item", {"Key": K("new"), "ReturnValues": "ALL_NEW", "ReturnConsumedCapacity": "INDEXES"}),
    (
        "update_item",
        {"Key": K(), "UpdateExpression": "SET pk = :v", "ExpressionAttributeValues": {":v": {"S": "z"}}},
    ),
    (
        "update_item",
        {
            "Key": K(),
            "UpdateExpression": "SET big = :v",
            "ExpressionAttributeValues": {":v": {"S": "a" * 409600}},
        },
    ),
    (
        "update_item",
        {"Key": K(), "UpdateExpression": "SET g = :v", "ExpressionAttributeValues": {":v": {"S": ""}}},
    ),
    (
        "update_item",
        {
            "Key": K("a", 9),
            "UpdateExpression": "SET v = :v",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {":v": {"S": "1"}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    ),
    (
        "update_item",
        {
            "Key": K(),
            "UpdateExpression": "SET g = :g, gs = :gs",
            "ExpressionAttributeValues": {":g": {"S": "H"}, ":gs": {"N": "1"}},
            "ReturnConsumedCapacity": "INDEXES",
        },
    ),
    (
        "update_item",
        {"Key": K(), "UpdateExpression": "SET v = :v", "AttributeUpdates": {"v": {"Action": "DELETE"}}},
    ),
    ("update_item", {"Key": K(), "ExpressionAttributeValues": {":v": {"S": "1"}}}),
    ("get_item", {"Key": K(), "ConsistentRead": True}),
    ("put_item", {"TableName": "missing-table", "Item": K()}),
    ("get_item", {"TableName": "missing-table", "Key": K()}),
]


@pytest.mark.parametrize(
    ("op", "request_"), ITEM_CALLS, ids=[f"{i:02d}-{op}" for i, (op, _) in enumerate(ITEM_CALLS)]
)
def test_item_operations(seeded: Differential, op: str, request_: dict[str, Any]) -> None:
    """One call per case, on the seeded table (cases do not depend on each other's writes)."""
    seeded.call(op, **{"TableName": T, **request_})


def test_item_operations_in_sequence(seeded: Differential) -> None:
    """The same calls run one after another: each answer also reflects the writes before it."""
    for op, request_ in ITEM_CALLS:
        seeded.call(op, **{"TableName": T, **request_})


def Q(condition: str = "pk = :p", values: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {"KeyConditionExpression": condition, "ExpressionAttributeValues": values or P, **extra}


GV = {":g": {"S": "G"}}

READ_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("query", Q()),
    ("query", Q(Limit=2)),
    ("query", Q(Limit=6)),
    ("query", Q(ScanIndexForward=False, Limit=4)),
    ("query", Q(ExclusiveStartKey=K("a", 2))),
    ("query", Q(ExclusiveStartKey=K("a", 2), ScanIndexForward=False)),
    ("query", Q("pk = :p AND sk BETWEEN :l AND :h", {**P, ":l": {"N": "1"}, ":h": {"N": "3"}})),
    ("query", Q("pk = :p AND sk > :s", {**P, ":s": {"N": "3"}}, ExclusiveStartKey=K("a", 4))),
    ("query", Q("pk = :p AND sk > :s", {**P, ":s": {"N": "3"}}, ExclusiveStartKey=K("a", 1))),
    ("query", Q(ExclusiveStartKey=K("b", 1))),
    ("query", Q(ExclusiveStartKey={"pk": {"S": "a"}})),
    ("query", Q(ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "1"}})),
    ("query", Q(Select="COUNT", Limit=3)),
    ("query", Q(Select="COUNT", ProjectionExpression="x")),
    ("query", Q(Select="ALL_ATTRIBUTES", ProjectionExpression="x")),
    ("query", Q(Select="SPECIFIC_ATTRIBUTES")),
    ("query", Q(Select="ALL_PROJECTED_ATTRIBUTES")),
    ("query", Q(ProjectionExpression="x, sk")),
    ("query", Q(values={**P, ":x": {"S": "a3"}}, FilterExpression="x = :x", Limit=4)),
    ("query", Q(values={**P, ":x": {"S": "a3"}}, FilterExpression="x = :x", Select="COUNT")),
    ("query", Q(values={**P, ":s": {"N": "1"}}, FilterExpression="sk > :s")),
    ("query", Q(values={":p": {"N": "1"}})),
    ("query", Q(values={":p": {"S": ""}})),
    ("query", Q("pk = :p AND sk > :s", {**P, ":s": {"S": "1"}})),
    ("query", Q(ReturnConsumedCapacity="INDEXES")),
    ("query", Q(ReturnConsumedCapacity="TOTAL", ConsistentRead=True)),
    ("query", Q("g = :g", GV, IndexName="gsi1")),
    ("query", Q("g = :g", GV, IndexName="gsi1", Limit=2)),
    ("query", Q("g = :g", GV, IndexName="gsi1", ScanIndexForward=False, Limit=3)),
    ("query", Q("g = :g AND gs >= :s", {**GV, ":s": {"N": "20"}}, IndexName="gsi1")),
    (
        "query",
        Q(
            "g = :g",
            GV,
            IndexName="gsi1",
            ExclusiveStartKey={**K("a", 2), "g": {"S": "G"}, "gs": {"N": "20"}},
        ),
    ),
    ("query", Q("g = :g", GV, IndexName="gsi1", ExclusiveStartKey=K("a", 2))),
    ("query", Q("g = :g", GV, IndexName="gsi1", ConsistentRead=True)),
    ("query", Q("g = :g", GV, IndexName="gsi1", Select="ALL_ATTRIBUTES")),
    ("query", Q("g = :g", GV, IndexName="gsi1", ProjectionExpression="x")),
    ("query", Q("g = :g", GV, IndexName="gsi1", Select="COUNT", ReturnConsumedCapacity="INDEXES")),
    (
        "query",
        Q("g = :g AND gs > :s", {**GV, ":s": {"N": "1"}}, IndexName="gsi1", FilterExpression="gs > :s"),
    ),
    ("query", Q("g = :g", {**GV, ":s": {"N": "1"}}, IndexName="gsi1", FilterExpression="sk > :s")),
    ("query", Q("g = :g", GV, IndexName="gsi2", ProjectionExpression="x, pk", Select="SPECIFIC_ATTRIBUTES")),
    ("query", Q(IndexName="lsi1")),
    ("query", Q(IndexName="lsi1", Limit=1, Select="ALL_ATTRIBUTES")),
    ("query", Q(IndexName="lsi1", ReturnConsumedCapacity="INDEXES", ConsistentRead=True)),
    ("query", Q("pk = :p AND begins_with(l, :l)", {**P, ":l": {"S": "l"}}, IndexName="lsi1")),
    ("query", Q(IndexName="nope")),
    ("query", {}),
    ("query", {"ExpressionAttributeValues": P}),
    ("query", Q(KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}})),
    ("scan", {"Select": "COUNT"}),
    ("scan", {"Select": "COUNT", "ReturnConsumedCapacity": "TOTAL"}),
    ("scan", {"IndexName": "gsi1", "Select": "COUNT"}),
    ("scan", {"Segment": 1}),
    ("scan", {"TotalSegments": 2}),
    ("scan", {"Segment": 2, "TotalSegments": 2}),
    ("scan", {"ExclusiveStartKey": {"pk": {"S": "a"}}}),
    ("scan", {"IndexName": "gsi1", "ExclusiveStartKey": K()}),
    ("scan", {"IndexName": "gsi1", "ConsistentRead": True}),
    ("scan", {"IndexName": "gsi1", "Select": "ALL_ATTRIBUTES"}),
    ("scan", {"Select": "ALL_PROJECTED_ATTRIBUTES"}),
    ("scan", {"ExpressionAttributeValues": P}),
    ("scan", {"ExpressionAttributeNames": {"#a": "a"}}),
    (
        "scan",
        {"ScanFilter": {"x": {"ComparisonOperator": "NULL"}}, "FilterExpression": "attribute_exists(x)"},
    ),
    ("scan", {"TableName": "missing-table"}),
]


@pytest.mark.parametrize(
    ("op", "request_"), READ_CALLS, ids=[f"{i:02d}-{op}" for i, (op, _) in enumerate(READ_CALLS)]
)
def test_query_and_scan(reader: Differential, op: str, request_: dict[str, Any]) -> None:
    # Items with equal index keys (gsi2 has no sort key) come in an order DynamoDB does not promise.
    reader.call(op, unordered=request_.get("IndexName") == "gsi2", **{"TableName": T, **request_})


@pytest.mark.parametrize(
    "request_",
    [
        {},
        {"IndexName": "gsi1"},
        {"IndexName": "gsi2"},
        {"IndexName": "lsi1"},
        {"FilterExpression": "begins_with(x, :x)", "ExpressionAttributeValues": {":x": {"S": "b"}}},
        {"ProjectionExpression": "pk, sk, l"},
    ],
)
def test_whole_scans_hold_the_same_items(reader: Differential, request_: dict[str, Any]) -> None:
    """Scan order is DynamoDB's hash order (not promised), so whole scans compare as sets."""
    reader.call("scan", unordered=True, TableName=T, **request_)


def test_batches(seeded: Differential) -> None:
    seeded.call("batch_get_item", RequestItems={T: {"Keys": [K(), K("b", 2), K("z", 1)]}})
    seeded.call(
        "batch_get_item",
        RequestItems={T: {"Keys": [K(), K("b", 2)], "ProjectionExpression": "x", "ConsistentRead": True}},
        ReturnConsumedCapacity="INDEXES",
    )
    seeded.call("batch_get_item", RequestItems={T: {"Keys": [K(), K()]}})
    seeded.call("batch_get_item", RequestItems={T: {"Keys": [K(), {"pk": {"S": "a"}, "sk": {"N": "1.0"}}]}})
    seeded.call("batch_get_item", RequestItems={T: {"Keys": [K()]}, "missing-table": {"Keys": [K()]}})
    seeded.call(
        "batch_write_item",
        RequestItems={T: [{"PutRequest": {"Item": K("w")}}, {"DeleteRequest": {"Key": K("w")}}]},
    )
    # Over 25 writes in all, each table's list within the model's limit (the model's own limits are
    # request validation's business, tested with it).
    seeded.call(
        "batch_write_item",
        RequestItems={
            T: [{"PutRequest": {"Item": K("w", n)}} for n in range(20)],
            "missing-table": [{"PutRequest": {"Item": K("w", n)}} for n in range(6)],
        },
    )
    seeded.call("batch_write_item", RequestItems={T: [{}]})
    seeded.call(
        "batch_write_item",
        RequestItems={T: [{"PutRequest": {"Item": K("w")}, "DeleteRequest": {"Key": K("w")}}]},
    )
    seeded.call(
        "batch_write_item",
        RequestItems={
            T: [
                {"PutRequest": {"Item": {**K("w"), "g": {"S": "q"}}}},
                {"DeleteRequest": {"Key": K("a", 0)}},
                {"DeleteRequest": {"Key": K("zz", 0)}},
            ]
        },
        ReturnConsumedCapacity="INDEXES",
    )
    seeded.call("batch_get_item", RequestItems={T: {"Keys": [K("w"), K("a", 0)]}})


# Where the emulator follows the service's wording, not DynamoDB Local's (see operations/_keys.py).
SERVICE_WORDING: list[tuple[str, dict[str, Any], str, str]] = [
    (
        "get_item",
        {"Key": {"pk": {"S": "a"}}},
        "The number of conditions on the keys is invalid",
        "The provided key element does not match the schema",
    ),
    (
        "get_item",
        {"Key": {"pk": {"S": "a"}, "sk": {"S": "1"}}},
        "One or more parameter values were invalid: Type mismatch for key",
        "The provided key element does not match the schema",
    ),
    (
        "put_item",
        {"Item": {"pk": {"S": "a"}}},
        "One of the required keys was not given a value",
        "One or more parameter values were invalid: Missing the key sk in the item",
    ),
    (
        "put_item",
        {"Item": {"pk": {"N": "1"}, "sk": {"N": "1"}}},
        "One or more parameter values were invalid: Type mismatch for key",
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
    ),
    # Two faults each: the key rule fires first (before the expression is parsed, or the duplicate found).
    (
        "put_item",
        {"Item": {"pk": {"S": "a"}}, "ConditionExpression": "a ="},
        "One of the required keys was not given a value",
        "One or more parameter values were invalid: Missing the key sk in the item",
    ),
    (
        "update_item",
        {"Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET a ="},
        "The number of conditions on the keys is invalid",
        "The provided key element does not match the schema",
    ),
    (
        "delete_item",
        {"Key": {"pk": {"S": "a"}}, "ConditionExpression": "a ="},
        "The number of conditions on the keys is invalid",
        "The provided key element does not match the schema",
    ),
    (
        "batch_get_item",
        {"RequestItems": {T: {"Keys": [{"pk": {"S": "a"}}], "ProjectionExpression": "a,,"}}},
        "The number of conditions on the keys is invalid",
        "The provided key element does not match the schema",
    ),
    (
        "batch_write_item",
        {"RequestItems": {T: [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}] * 2}},
        "One of the required keys was not given a value",
        "One or more parameter values were invalid: Missing the key sk in the item",
    ),
]


@pytest.mark.parametrize(("op", "request_", "local_message", "service_message"), SERVICE_WORDING)
def test_documented_service_wording(
    reader: Differential, op: str, request_: dict[str, Any], local_message: str, service_message: str
) -> None:
    """DynamoDB Local words these key-schema errors tersely; the emulator uses the service's words."""

    def message(client: Any, name_of: Any) -> tuple[str, str]:
        physical = name_of(T)
        if "RequestItems" in request_:
            bound = {"RequestItems": {physical: request_["RequestItems"][T]}}
        else:
            bound = {"TableName": physical, **request_}
        try:
            getattr(client, op)(**bound)
        except Exception as err:
            error = getattr(err, "response", {}).get("Error", {})
            return str(error.get("Code")), str(error.get("Message"))
        return "ok", ""

    local, emulator = reader.each(message)
    assert local == ("ValidationException", local_message)
    if emulator is not None:
        assert emulator == ("ValidationException", service_message)


def C(op: str, *values: dict[str, Any]) -> dict[str, Any]:
    return (
        {"ComparisonOperator": op, "AttributeValueList": list(values)}
        if values
        else {"ComparisonOperator": op}
    )


EQ_A = {"pk": C("EQ", {"S": "a"})}

LEGACY_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("put_item", {"Item": K(), "Expected": {"x": {"Value": {"S": "a1"}}}}),
    ("put_item", {"Item": K(), "Expected": {"x": {"Value": {"S": "zz"}}}}),
    (
        "put_item",
        {"Item": K(), "Expected": {"x": {"Exists": False}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
    ),
    ("put_item", {"Item": K(), "Expected": {"zz": {"Exists": False}}}),
    ("put_item", {"Item": K(), "Expected": {"x": {"Exists": True}}}),
    ("put_item", {"Item": K(), "Expected": {"x": {}}}),
    ("put_item", {"Item": K(), "Expected": {"x": {"Exists": False, "Value": {"S": "a1"}}}}),
    ("put_item", {"Item": K(), "Expected": {"x": {**C("EQ", {"S": "a1"}), "Exists": True}}}),
    ("put_item", {"Item": K(), "Expected": {"x": {**C("EQ", {"S": "a1"}), "Value": {"S": "a1"}}}}),
    ("put_item", {"Item": K(), "Expected": {"sk": C("GT", {"N": "0"})}}),
    ("put_item", {"Item": K(), "Expected": {"sk": C("GT", {"N": "1"})}}),
    ("put_item", {"Item": K(), "Expected": {"sk": C("GT", {"N": "0"}, {"N": "1"})}}),
    ("put_item", {"Item": K(), "Expected": {"sk": C("GT")}}),
    ("put_item", {"Item": K(), "Expected": {"sk": C("BETWEEN", {"N": "0"}, {"N": "2"})}}),
    ("put_item", {"Item": K(), "Expected": {"sk": C("BETWEEN", {"N": "2"}, {"N": "0"})}}),
    ("put_item", {"Item": K(), "Expected": {"sk": C("BETWEEN", {"N": "0"}, {"S": "2"})}}),
    ("put_item", {"Item": K(), "Expected": {"sk": C("IN", {"N": "0"}, {"N": "1"})}}),
    ("put_item", {"Item": K(), "Expected": {"x": C("NULL")}}),
    ("put_item", {"Item": K(), "Expected": {"zz": C("NULL")}}),
    ("put_item", {"Item": K(), "Expected": {"x": C("NOT_NULL", {"S": "a"})}}),
    ("put_item", {"Item": K(), "Expected": {"x": C("BEGINS_WITH", {"S": "a"})}}),
    ("put_item", {"Item": K(), "Expected": {"x": C("BEGINS_WITH", {"N": "1"})}}),
    ("put_item", {"Item": K(), "Expected": {"x": C("CONTAINS", {"S": "1"})}}),
    ("put_item", {"Item": K(), "Expected": {"x": C("NOT_CONTAINS", {"S": "1"})}}),
    ("put_item", {"Item": K(), "Expected": {"zz": C("NOT_CONTAINS", {"S": "1"})}}),
    ("put_item", {"Item": K(), "Expected": {"zz": C("NE", {"S": "1"})}}),
    ("put_item", {"Item": K(), "Expected": {"x": C("LT", {"SS": ["1"]})}}),
    ("put_item", {"Item": K(), "Expected": {"x": C("EQ", {"SS": ["1"]})}}),
    (
        "put_item",
        {
            "Item": K(),
            "Expected": {"x": {"Value": {"S": "a1"}}, "sk": {"Value": {"N": "9"}}},
            "ConditionalOperator": "OR",
        },
    ),
    (
        "put_item",
        {
            "Item": K(),
            "Expected": {"x": {"Value": {"S": "a1"}}, "sk": {"Value": {"N": "9"}}},
            "ConditionalOperator": "AND",
        },
    ),
    ("put_item", {"Item": K(), "Expected": {"x": {"Value": {"S": "a1"}}}, "ConditionalOperator": "OR"}),
    ("put_item", {"Item": K(), "ConditionalOperator": "OR"}),
    (
        "delete_item",
        {
            "Key": K(),
            "Expected": {"x": {"Value": {"S": "nope"}}},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        },
    ),
    (
        "update_item",
        {
            "Key": K(),
            "AttributeUpdates": {"n": {"Value": {"N": "7"}, "Action": "PUT"}},
            "ReturnValues": "ALL_NEW",
        },
    ),
    (
        "update_item",
        {
            "Key": K(),
            "AttributeUpdates": {"n": {"Value": {"N": "2"}, "Action": "ADD"}},
            "ReturnValues": "UPDATED_OLD",
        },
    ),
    (
        "update_item",
        {
            "Key": K(),
            "AttributeUpdates": {"n": {"Value": {"N": "-2.5"}, "Action": "ADD"}},
            "ReturnValues": "UPDATED_NEW",
        },
    ),
    (
        "update_item",
        {
            "Key": K(),
            "AttributeUpdates": {"ss": {"Value": {"SS": ["a", "b"]}, "Action": "ADD"}},
            "ReturnValues": "UPDATED_NEW",
        },
    ),
    (
        "update_item",
        {
            "Key": K(),
            "AttributeUpdates": {"ss": {"Value": {"SS": ["a"]}, "Action": "DELETE"}},
            "ReturnValues": "ALL_NEW",
        },
    ),
    (
        "update_item",
        {
            "Key": K(),
            "AttributeUpdates": {"ss": {"Value": {"SS": ["b"]}, "Action": "DELETE"}},
            "ReturnValues": "ALL_NEW",
        },
    ),
    ("update_item", {"Key": K(), "AttributeUpdates": {"ss": {"Value": {"NS": ["1"]}, "Action": "ADD"}}}),
    ("update_item", {"Key": K(), "AttributeUpdates": {"x": {"Value": {"SS": ["1"]}, "Action": "DELETE"}}}),
    (
        "update_item",
        {
            "Key": K(),
            "AttributeUpdates": {"zz": {"Value": {"SS": ["1"]}, "Action": "DELETE"}},
            "ReturnValues": "ALL_NEW",
        },
    ),
    (
        "update_item",
        {"Key": K(), "AttributeUpdates": {"lst": {"Value": {"L": [{"S": "q"}]}, "Action": "ADD"}}},
    ),
    (
        "update_item",
        {
            "Key": K(),
            "AttributeUpdates": {"lst": {"Value": {"L": [{"S": "r"}]}, "Action": "ADD"}},
            "ReturnValues": "ALL_NEW",
        },
    ),
    ("update_item", {"Key": K(), "AttributeUpdates": {"x": {"Value": {"S": "2"}, "Action": "ADD"}}}),
    ("update_item", {"Key": K(), "AttributeUpdates": {"x": {"Value": {"BOOL": True}, "Action": "ADD"}}}),
    ("update_item", {"Key": K(), "AttributeUpdates": {"x": {"Value": {"N": "1"}, "Action": "DELETE"}}}),
    ("update_item", {"Key": K(), "AttributeUpdates": {"x": {"Action": "PUT"}}}),
    ("update_item", {"Key": K(), "AttributeUpdates": {"x": {"Action": "DELETE"}}, "ReturnValues": "ALL_OLD"}),
    ("update_item", {"Key": K(), "AttributeUpdates": {"pk": {"Value": {"S": "b"}}}}),
    (
        "update_item",
        {
            "Key": K("fresh"),
            "AttributeUpdates": {"n": {"Value": {"N": "1"}, "Action": "ADD"}},
            "ReturnValues": "ALL_NEW",
        },
    ),
    (
        "update_item",
        {
            "Key": K(),
            "AttributeUpdates": {"n": {"Value": {"N": "1"}, "Action": "PUT"}},
            "Expected": {"n": {"Value": {"N": "99"}}},
        },
    ),
    ("query", {"KeyConditions": EQ_A}),
    ("query", {"KeyConditions": {**EQ_A, "sk": C("GT", {"N": "3"})}, "Limit": 1}),
    ("query", {"KeyConditions": {**EQ_A, "sk": C("BETWEEN", {"N": "2"}, {"N": "3"})}}),
    ("query", {"KeyConditions": {**EQ_A, "sk": C("LE", {"N": "2"})}, "ScanIndexForward": False}),
    ("query", {"KeyConditions": {"pk": C("GT", {"S": "a"})}}),
    ("query", {"KeyConditions": {"pk": C("EQ", {"N": "1"})}}),
    ("query", {"KeyConditions": EQ_A, "QueryFilter": {"x": C("BEGINS_WITH", {"S": "a"})}, "Limit": 3}),
    ("query", {"KeyConditions": EQ_A, "QueryFilter": {"sk": C("GT", {"N": "3"})}}),
    (
        "query",
        {
            "KeyConditions": EQ_A,
            "QueryFilter": {"x": C("EQ", {"S": "a1"}), "g": C("NOT_NULL")},
            "ConditionalOperator": "OR",
        },
    ),
    ("query", {"KeyConditions": EQ_A, "AttributesToGet": ["x"]}),
    ("query", {"KeyConditions": {"g": C("EQ", {"S": "G"})}, "IndexName": "gsi1", "Limit": 2}),
    ("scan", {"ScanFilter": {"x": C("IN", {"S": "a1"}, {"S": "b2"})}, "Select": "COUNT"}),
    ("scan", {"ScanFilter": {"pk": C("EQ", {"S": "a"})}, "Select": "COUNT"}),
    ("scan", {"ScanFilter": {"x": C("GE")}}),
    ("scan", {"ConditionalOperator": "AND"}),
]


@pytest.mark.parametrize(
    ("op", "request_"), LEGACY_CALLS, ids=[f"{i:02d}-{op}" for i, (op, _) in enumerate(LEGACY_CALLS)]
)
def test_legacy_parameters(seeded: Differential, op: str, request_: dict[str, Any]) -> None:
    seeded.call(op, **{"TableName": T, **request_})


def test_legacy_parameters_in_sequence(seeded: Differential) -> None:
    for op, request_ in LEGACY_CALLS:
        seeded.call(op, **{"TableName": T, **request_})


# -- random sequences --

_PKS = st.sampled_from(["a", "b", "c"])
_SKS = st.integers(min_value=0, max_value=8)
_VALUES = st.one_of(
    st.builds(lambda n: {"N": str(n)}, st.integers(-5, 5)),
    st.builds(lambda s: {"S": s}, st.text(alphabet="xyz", max_size=3)),
)


def _random_call(draw: Any) -> tuple[str, dict[str, Any], bool]:
    kind = draw(st.sampled_from(["put", "update", "delete", "get", "query", "query-gsi", "scan-count"]))
    pk, sk = draw(_PKS), draw(_SKS)
    key = K(pk, sk)
    if kind == "put":
        item: dict[str, Any] = {**key, "v": draw(_VALUES)}
        if draw(st.booleans()):
            item.update({"g": {"S": draw(st.sampled_from(["G", "H"]))}, "gs": {"N": str(draw(_SKS))}})
        if draw(st.booleans()):
            item["l"] = {"S": draw(st.sampled_from(["l1", "l2", ""]))}
        return (
            "put_item",
            {"Item": item, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "INDEXES"},
            False,
        )
    if kind == "update":
        return (
            "update_item",
            {
                "Key": key,
                "UpdateExpression": draw(
                    st.sampled_from(["SET v = :v", "SET g = :g, gs = :v", "REMOVE g", "ADD n :one"])
                ),
                "ExpressionAttributeValues": {":v": draw(_VALUES), ":g": {"S": "G"}, ":one": {"N": "1"}},
                "ConditionExpression": draw(
                    st.sampled_from(["attribute_exists(pk)", "attribute_not_exists(v)", "v <> :v"])
                ),
                "ReturnValues": draw(st.sampled_from(["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE"])),
                "ReturnConsumedCapacity": "INDEXES",
            },
            False,
        )
    if kind == "delete":
        return (
            "delete_item",
            {"Key": key, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "INDEXES"},
            False,
        )
    if kind == "get":
        return "get_item", {"Key": key, "ConsistentRead": True, "ReturnConsumedCapacity": "TOTAL"}, False
    if kind == "query":
        op = draw(st.sampled_from(["", " AND sk > :s", " AND sk <= :s", " AND sk BETWEEN :s AND :t"]))
        values = {":p": {"S": pk}, ":s": {"N": str(sk)}, ":t": {"N": str(sk + 3)}}
        used = {name: value for name, value in values.items() if name in "pk = :p" + op}
        request: dict[str, Any] = {
            "KeyConditionExpression": "pk = :p" + op,
            "ExpressionAttributeValues": used,
            "ScanIndexForward": draw(st.booleans()),
            "ConsistentRead": True,
        }
        if draw(st.booleans()):
            request["Limit"] = draw(st.integers(1, 4))
        return "query", request, False
    if kind == "query-gsi":
        return (
            "query",
            {
                "IndexName": "gsi2",
                "KeyConditionExpression": "g = :g",
                "ExpressionAttributeValues": {":g": {"S": "G"}},
            },
            True,
        )
    return "scan", {"Select": "COUNT", "ReturnConsumedCapacity": "TOTAL"}, False


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_operation_sequences(make_diff: Any, data: st.DataObject) -> None:
    """Random writes and reads on one table, each compared as it happens."""
    with make_diff() as diff:
        diff.table(T)
        diff.each(lambda client, name_of: _create(client, name_of(T)))
        try:
            for _ in range(12):
                op, request_, unordered = data.draw(st.composite(lambda draw: _random_call(draw))())
                diff.call(op, unordered=unordered, TableName=T, **request_)
        finally:
            diff.each(lambda client, name_of: _drop(client, name_of(T)))


def test_page_limit_counts_data_read_before_the_filter(seeded: Differential) -> None:
    """Over 1 MB in one partition and a filter that matches one item: the service (and the emulator) stops the
    page at 1 MB read; DynamoDB Local reads on (an allow-listed quirk). Without a filter both agree."""
    for n in range(12):
        item = {"pk": {"S": "big"}, "sk": {"N": str(n)}, "blob": {"S": "z" * 100_000}, "n": {"N": str(n)}}
        seeded.call("put_item", TableName=T, Item=item)
    values = {":p": {"S": "big"}, ":n": {"N": "11"}}
    seeded.call(
        "query",
        TableName=T,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "big"}},
        Select="COUNT",
    )
    seeded.call(
        "query",
        TableName=T,
        KeyConditionExpression="pk = :p",
        FilterExpression="n >= :n",
        ExpressionAttributeValues=values,
        ProjectionExpression="n",
    )


# Requests with two faults: which one DynamoDB reports pins the order of the checks.
ORDER_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("put_item", {"Item": {"pk": {"S": ""}, "sk": {"N": "1"}}, "ConditionExpression": "a ="}),
    ("put_item", {"Item": {**K(), "x": {"S": "x" * 409600}}, "ConditionExpression": "a ="}),
    ("put_item", {"Item": {**K(), "n": {"N": "x"}}, "ConditionExpression": "a ="}),
    ("put_item", {"Item": K(), "ReturnValues": "ALL_NEW", "ConditionExpression": "a ="}),
    (
        "put_item",
        {"Item": {"pk": {"S": "a"}}, "ConditionExpression": "a = :a", "Expected": {"a": {"Exists": False}}},
    ),
    ("update_item", {"Key": {"pk": {"S": "a"}, "sk": {"N": "x"}}, "UpdateExpression": "SET a ="}),
    ("delete_item", {"Key": {"pk": {"S": "a"}}, "ExpressionAttributeNames": {"#a": "a"}}),
    ("get_item", {"Key": {"pk": {"S": "a"}}, "ProjectionExpression": "a,,"}),
    ("query", Q(IndexName="nope", FilterExpression="a =")),
    ("query", Q(FilterExpression="a =", ExclusiveStartKey={"pk": {"S": "a"}})),
    ("query", Q("g = :g", GV, IndexName="gsi1", ConsistentRead=True, FilterExpression="a =")),
    ("query", Q(Select="ALL_PROJECTED_ATTRIBUTES", FilterExpression="a =")),
    ("query", Q(Select="COUNT", ProjectionExpression="x", FilterExpression="x = :nope")),
    ("query", Q(FilterExpression="a =", QueryFilter={"a": C("NULL")})),
    ("scan", {"Segment": 0, "FilterExpression": "a ="}),
]


@pytest.mark.parametrize(
    ("op", "request_"), ORDER_CALLS, ids=[f"{i:02d}-{op}" for i, (op, _) in enumerate(ORDER_CALLS)]
)
def test_order_of_checks(reader: Differential, op: str, request_: dict[str, Any]) -> None:
    reader.call(op, **{"TableName": T, **request_})
