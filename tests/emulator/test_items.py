"""PutItem, GetItem, UpdateItem and DeleteItem through the emulator's direct client."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.values import item_size

KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}


def error_of(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def invalid(call: Any, **kwargs: Any) -> str:
    code, message = error_of(call, **kwargs)
    assert code == "ValidationException", message
    return message


@pytest.fixture
def indexed(client: EmulatorClient) -> str:
    """A table with a KEYS_ONLY GSI (g: S, gs: N), an INCLUDE GSI (g, x) and an ALL LSI (pk, l: S)."""
    client.create_table(
        **table_request(
            "indexed",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "g", "AttributeType": "S"},
                {"AttributeName": "gs", "AttributeType": "N"},
                {"AttributeName": "l", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-g",
                    "KeySchema": [
                        {"AttributeName": "g", "KeyType": "HASH"},
                        {"AttributeName": "gs", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                },
                {
                    "IndexName": "by-g-x",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
                },
            ],
            LocalSecondaryIndexes=[
                {
                    "IndexName": "by-l",
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "l", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
    )
    return "indexed"


# -- put, get, delete --


def test_put_then_get_normalizes_numbers_and_copies(client: EmulatorClient, table: str) -> None:
    item: dict[str, Any] = {**KEY, "n": {"N": "01.50"}, "l": {"L": [{"S": "x"}]}}
    assert "Attributes" not in client.put_item(TableName=table, Item=item)
    got = client.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1.0"}})["Item"]
    assert got == {**KEY, "n": {"N": "1.5"}, "l": {"L": [{"S": "x"}]}}
    got["l"]["L"].append({"S": "changed"})
    item["l"]["L"].append({"S": "changed too"})
    again = client.get_item(TableName=table, Key=KEY)["Item"]
    assert again["l"] == {"L": [{"S": "x"}]}


def test_get_missing_item_has_no_item_member(client: EmulatorClient, table: str) -> None:
    response = client.get_item(TableName=table, Key=KEY)
    assert "Item" not in response


def test_put_return_values_all_old(client: EmulatorClient, table: str) -> None:
    assert "Attributes" not in client.put_item(
        TableName=table, Item={**KEY, "v": {"S": "1"}}, ReturnValues="ALL_OLD"
    )
    response = client.put_item(TableName=table, Item={**KEY, "v": {"S": "2"}}, ReturnValues="ALL_OLD")
    assert response["Attributes"] == {**KEY, "v": {"S": "1"}}


@pytest.mark.parametrize("value", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_put_and_delete_refuse_update_only_return_values(
    client: EmulatorClient, table: str, value: str
) -> None:
    message = "Return values set to invalid value"
    assert invalid(client.put_item, TableName=table, Item=KEY, ReturnValues=value) == message
    assert invalid(client.delete_item, TableName=table, Key=KEY, ReturnValues=value) == message


def test_delete_returns_old_item_and_missing_delete_succeeds(client: EmulatorClient, table: str) -> None:
    client.put_item(TableName=table, Item={**KEY, "v": {"S": "1"}})
    assert client.delete_item(TableName=table, Key=KEY, ReturnValues="ALL_OLD")["Attributes"] == {
        **KEY,
        "v": {"S": "1"},
    }
    assert "Attributes" not in client.delete_item(TableName=table, Key=KEY, ReturnValues="ALL_OLD")
    assert "Item" not in client.get_item(TableName=table, Key=KEY)


def test_missing_table_is_resource_not_found(client: EmulatorClient) -> None:
    code, message = error_of(client.get_item, TableName="nowhere", Key=KEY)
    assert (code, message) == ("ResourceNotFoundException", "Requested resource not found")
    code, _ = error_of(client.put_item, TableName="nowhere", Item=KEY)
    assert code == "ResourceNotFoundException"


# -- key rules --


@pytest.mark.parametrize(
    "key",
    [
        {"pk": {"S": "a"}},
        {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "1"}},
        {"pk": {"S": "a"}, "other": {"N": "1"}},
        {"pk": {"S": "a"}, "sk": {"S": "1"}},
        {"pk": {"N": "1"}, "sk": {"N": "1"}},
    ],
)
def test_key_must_match_the_schema(client: EmulatorClient, table: str, key: dict[str, Any]) -> None:
    expected = "The provided key element does not match the schema"
    assert invalid(client.get_item, TableName=table, Key=key) == expected
    assert invalid(client.delete_item, TableName=table, Key=key) == expected


def test_put_item_key_rules(client: EmulatorClient, table: str) -> None:
    prefix = "One or more parameter values were invalid: "
    assert (
        invalid(client.put_item, TableName=table, Item={"pk": {"S": "a"}})
        == prefix + "Missing the key sk in the item"
    )
    assert (
        invalid(client.put_item, TableName=table, Item={"pk": {"N": "1"}, "sk": {"N": "1"}})
        == prefix + "Type mismatch for key pk expected: S actual: N"
    )
    assert invalid(client.put_item, TableName=table, Item={"pk": {"S": ""}, "sk": {"N": "1"}}) == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
        "contain an empty string value. Key: pk"
    )


def test_key_size_limits(client: EmulatorClient) -> None:
    client.create_table(
        **table_request(
            "strings",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
        )
    )
    too_large = (
        "Hash primary key values must be under 2048 bytes, "
        "and range primary key values must be under 1024 bytes"
    )
    client.put_item(TableName="strings", Item={"pk": {"S": "a" * 2048}, "sk": {"S": "b" * 1024}})
    assert (
        invalid(client.put_item, TableName="strings", Item={"pk": {"S": "a" * 2049}, "sk": {"S": "b"}})
        == too_large
    )
    assert (
        invalid(client.get_item, TableName="strings", Key={"pk": {"S": "a"}, "sk": {"S": "b" * 1025}})
        == too_large
    )


def test_item_size_limit_is_400_kb(client: EmulatorClient, table: str) -> None:
    name_and_key = item_size({**KEY, "x": {"S": ""}})
    fits = {**KEY, "x": {"S": "a" * (400 * 1024 - name_and_key)}}
    client.put_item(TableName=table, Item=fits)
    too_big = {**KEY, "x": {"S": "a" * (400 * 1024 - name_and_key + 1)}}
    assert (
        invalid(client.put_item, TableName=table, Item=too_big)
        == "Item size has exceeded the maximum allowed size"
    )
    # The size check comes before the key checks, as DynamoDB orders them.
    assert invalid(client.put_item, TableName=table, Item={"pk": {"N": "1"}, "x": {"S": "a" * 409600}}) == (
        "Item size has exceeded the maximum allowed size"
    )


def test_key_attributes_that_are_not_scalars_get_dynamodb_locals_message(
    client: EmulatorClient, table: str
) -> None:
    # Checked attribute by attribute in schema order, as DynamoDB Local does: the set on pk wins over the
    # missing sk; a wrong scalar type on pk wins over the set on sk.
    bad: dict[str, Any]
    for bad in (
        {"SS": ["a"]},
        {"NS": ["1"]},
        {"BS": [b"a"]},
        {"L": []},
        {"M": {}},
        {"BOOL": True},
        {"NULL": True},
    ):
        assert invalid(client.put_item, TableName=table, Item={"pk": bad}) == "Invalid attribute value type"
        assert invalid(client.get_item, TableName=table, Key={"pk": {"S": "a"}, "sk": bad}) == (
            "Invalid attribute value type"
        )
    assert invalid(client.put_item, TableName=table, Item={"pk": {"N": "1"}, "sk": {"SS": ["a"]}}) == (
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    )
    assert invalid(client.delete_item, TableName=table, Key={"pk": {"N": "1"}, "sk": {"SS": ["a"]}}) == (
        "The provided key element does not match the schema"
    )


def test_index_keys_of_the_wrong_type_or_empty_are_refused(client: EmulatorClient, indexed: str) -> None:
    # DynamoDB Local's words (the service's are not documented): no attribute or index named.
    assert invalid(client.put_item, TableName=indexed, Item={**KEY, "g": {"N": "1"}}) == (
        "One or more parameter values were invalid: Type mismatch for Index Key"
    )
    assert invalid(client.put_item, TableName=indexed, Item={**KEY, "g": {"SS": ["a"]}}) == (
        "Invalid attribute value type"
    )
    assert invalid(client.put_item, TableName=indexed, Item={**KEY, "l": {"S": ""}}) == (
        "One or more parameter values are not valid. A value specified for a secondary index key is not "
        "supported. The AttributeValue for a key attribute cannot contain an empty string value. "
        "IndexName: by-l, IndexKey: l"
    )
    # Items without index keys are simply not indexed (sparse indexes).
    client.put_item(TableName=indexed, Item={**KEY, "x": {"S": "1"}})


# -- capacity --


def test_consumed_capacity_of_writes_counts_index_writes(client: EmulatorClient, indexed: str) -> None:
    item = {**KEY, "g": {"S": "G"}, "gs": {"N": "3"}, "x": {"S": "x"}}
    response = client.put_item(TableName=indexed, Item=item, ReturnConsumedCapacity="INDEXES")
    assert response["ConsumedCapacity"] == {
        "TableName": indexed,
        "CapacityUnits": 3.0,
        "Table": {"CapacityUnits": 1.0},
        "GlobalSecondaryIndexes": {"by-g": {"CapacityUnits": 1.0}, "by-g-x": {"CapacityUnits": 1.0}},
    }
    total = client.put_item(TableName=indexed, Item={**item, "l": {"S": "L"}}, ReturnConsumedCapacity="TOTAL")
    # Only the LSI's projection changed (the GSIs project neither l nor anything new): one index write.
    assert total["ConsumedCapacity"] == {"TableName": indexed, "CapacityUnits": 2.0}
    big = client.put_item(
        TableName=indexed, Item={**KEY, "y": {"S": "a" * 2000}}, ReturnConsumedCapacity="INDEXES"
    )
    # Replacing: the larger of old and new counts (2 KB new item), and leaving each index is a write.
    assert big["ConsumedCapacity"]["Table"] == {"CapacityUnits": 2.0}
    assert big["ConsumedCapacity"]["LocalSecondaryIndexes"] == {"by-l": {"CapacityUnits": 1.0}}
    deleted = client.delete_item(TableName=indexed, Key=KEY, ReturnConsumedCapacity="TOTAL")
    assert deleted["ConsumedCapacity"] == {"TableName": indexed, "CapacityUnits": 2.0}
    assert "ConsumedCapacity" not in client.delete_item(
        TableName=indexed, Key=KEY, ReturnConsumedCapacity="NONE"
    )


def test_consumed_capacity_of_reads(client: EmulatorClient, table: str) -> None:
    client.put_item(TableName=table, Item={**KEY, "x": {"S": "a" * 5000}})
    eventual = client.get_item(TableName=table, Key=KEY, ReturnConsumedCapacity="TOTAL")
    assert eventual["ConsumedCapacity"] == {"TableName": table, "CapacityUnits": 1.0}
    strong = client.get_item(TableName=table, Key=KEY, ConsistentRead=True, ReturnConsumedCapacity="INDEXES")
    assert strong["ConsumedCapacity"] == {
        "TableName": table,
        "CapacityUnits": 2.0,
        "Table": {"CapacityUnits": 2.0},
    }
    missing = client.get_item(TableName=table, Key={**KEY, "sk": {"N": "2"}}, ReturnConsumedCapacity="TOTAL")
    assert missing["ConsumedCapacity"]["CapacityUnits"] == 0.5


def test_item_collection_metrics_only_for_tables_with_lsis(
    client: EmulatorClient, table: str, indexed: str
) -> None:
    plain = client.put_item(TableName=table, Item=KEY, ReturnItemCollectionMetrics="SIZE")
    assert "ItemCollectionMetrics" not in plain
    with_lsi = client.put_item(TableName=indexed, Item=KEY, ReturnItemCollectionMetrics="SIZE")
    assert with_lsi["ItemCollectionMetrics"] == {
        "ItemCollectionKey": {"pk": {"S": "a"}},
        "SizeEstimateRangeGB": [0.0, 1.0],
    }


# -- legacy parameters and placeholders --


def test_mixing_legacy_and_expression_parameters_is_refused(client: EmulatorClient, table: str) -> None:
    message = invalid(
        client.put_item,
        TableName=table,
        Item=KEY,
        ConditionExpression="attribute_not_exists(pk)",
        Expected={"pk": {"Exists": False}},
    )
    assert message == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"
    )
    message = invalid(
        client.get_item, TableName=table, Key=KEY, AttributesToGet=["a"], ProjectionExpression="a"
    )
    assert message.endswith(
        "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
    )


def test_placeholders_without_expressions_are_refused(client: EmulatorClient, table: str) -> None:
    assert invalid(client.get_item, TableName=table, Key=KEY, ExpressionAttributeNames={"#a": "a"}) == (
        "ExpressionAttributeNames can only be specified when using expressions"
    )
    assert invalid(
        client.delete_item, TableName=table, Key=KEY, ExpressionAttributeValues={":a": {"S": "a"}}
    ) == (
        "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"
    )
    assert invalid(
        client.update_item, TableName=table, Key=KEY, ExpressionAttributeValues={":a": {"S": "a"}}
    ) == (
        "ExpressionAttributeValues can only be specified when using expressions: "
        "UpdateExpression and ConditionExpression are null"
    )


def test_attributes_to_get_projects_top_level_names(client: EmulatorClient, table: str) -> None:
    client.put_item(TableName=table, Item={**KEY, "a": {"S": "1"}, "b": {"S": "2"}})
    assert client.get_item(TableName=table, Key=KEY, AttributesToGet=["a", "zz"])["Item"] == {"a": {"S": "1"}}


def test_update_without_expression_creates_the_key_only_item(client: EmulatorClient, table: str) -> None:
    response = client.update_item(TableName=table, Key=KEY, ReturnValues="ALL_NEW")
    assert response["Attributes"] == KEY
    assert client.get_item(TableName=table, Key=KEY)["Item"] == KEY


# -- expressions (need the expression engine) --


def test_condition_failure_returns_old_item_when_asked(client: EmulatorClient, table: str) -> None:
    client.put_item(TableName=table, Item={**KEY, "v": {"S": "1"}})
    code, message = error_of(
        client.put_item, TableName=table, Item=KEY, ConditionExpression="attribute_not_exists(pk)"
    )
    assert (code, message) == ("ConditionalCheckFailedException", "The conditional request failed")
    with pytest.raises(ClientError) as info:
        client.delete_item(
            TableName=table,
            Key=KEY,
            ConditionExpression="v = :v",
            ExpressionAttributeValues={":v": {"S": "2"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert info.value.response["Item"] == {**KEY, "v": {"S": "1"}}
    assert client.get_item(TableName=table, Key=KEY)["Item"] == {**KEY, "v": {"S": "1"}}


def test_update_return_values(client: EmulatorClient, table: str) -> None:
    def update(expression: str, values: dict[str, Any], return_values: str) -> dict[str, Any]:
        response: dict[str, Any] = client.update_item(
            TableName=table,
            Key=KEY,
            UpdateExpression=expression,
            ExpressionAttributeValues=values,
            ReturnValues=return_values,
        )
        return response

    assert "Attributes" not in update("SET a = :a", {":a": {"S": "1"}}, "UPDATED_OLD")
    assert update("SET b = :b", {":b": {"S": "2"}}, "UPDATED_NEW")["Attributes"] == {"b": {"S": "2"}}
    assert update("SET a = :a", {":a": {"S": "3"}}, "UPDATED_OLD")["Attributes"] == {"a": {"S": "1"}}
    assert update("SET a = :a", {":a": {"S": "4"}}, "ALL_OLD")["Attributes"] == {
        **KEY,
        "a": {"S": "3"},
        "b": {"S": "2"},
    }
    assert update("SET a = :a", {":a": {"S": "5"}}, "ALL_NEW")["Attributes"] == {
        **KEY,
        "a": {"S": "5"},
        "b": {"S": "2"},
    }


def test_update_refuses_key_attributes_and_oversized_results(client: EmulatorClient, table: str) -> None:
    message = invalid(
        client.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression="SET pk = :v",
        ExpressionAttributeValues={":v": {"S": "b"}},
    )
    assert (
        message == "One or more parameter values were invalid: Cannot update attribute pk. "
        "This attribute is part of the key"
    )
    message = invalid(
        client.update_item,
        TableName=table,
        Key=KEY,
        UpdateExpression="SET x = :v",
        ExpressionAttributeValues={":v": {"S": "a" * 409600}},
    )
    assert message == "Item size to update has exceeded the maximum allowed size"
    assert "Item" not in client.get_item(TableName=table, Key=KEY)


def test_update_checks_the_condition_before_index_keys(client: EmulatorClient, indexed: str) -> None:
    code, _ = error_of(
        client.update_item,
        TableName=indexed,
        Key=KEY,
        UpdateExpression="SET g = :g",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":g": {"N": "1"}},
    )
    assert code == "ConditionalCheckFailedException"
    message = invalid(
        client.update_item,
        TableName=indexed,
        Key=KEY,
        UpdateExpression="SET g = :g",
        ExpressionAttributeValues={":g": {"S": ""}},
    )
    assert message == (
        "One or more parameter values are not valid. The update expression attempted to update a secondary "
        "index key to a value that is not supported. The AttributeValue for a key attribute cannot contain "
        "an empty string value."
    )


def test_update_moves_index_entries(emu: DynamoDBEmulator, client: EmulatorClient, indexed: str) -> None:
    client.put_item(TableName=indexed, Item={**KEY, "g": {"S": "G"}, "gs": {"N": "1"}})
    client.update_item(
        TableName=indexed,
        Key=KEY,
        UpdateExpression="SET g = :g REMOVE gs",
        ExpressionAttributeValues={":g": {"S": "H"}},
    )
    store = emu.get_table(indexed).store
    assert store.index_item_count("by-g") == 0
    assert store.index_item_count("by-g-x") == 1
    store._check()


def test_index_writes_are_counted_only_where_the_projection_changed(
    client: EmulatorClient, indexed: str
) -> None:
    item = {**KEY, "g": {"S": "G"}, "gs": {"N": "1"}, "l": {"S": "L"}, "x": {"S": "x"}}
    client.put_item(TableName=indexed, Item=item)

    def units(expression: str, value: dict[str, Any]) -> dict[str, Any]:
        response = client.update_item(
            TableName=indexed,
            Key=KEY,
            UpdateExpression=expression,
            ExpressionAttributeValues={":v": value},
            ReturnConsumedCapacity="INDEXES",
        )
        capacity: dict[str, Any] = response["ConsumedCapacity"]
        return capacity

    same = units("SET x = :v", {"S": "x"})
    assert same == {"TableName": indexed, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    unprojected = units("SET z = :v", {"S": "z"})  # only the ALL-projected LSI sees z
    assert unprojected["LocalSecondaryIndexes"] == {"by-l": {"CapacityUnits": 1.0}}
    assert "GlobalSecondaryIndexes" not in unprojected
    included = units("SET x = :v", {"S": "changed"})  # by-g-x includes x
    assert included["GlobalSecondaryIndexes"] == {"by-g-x": {"CapacityUnits": 1.0}}
    moved = units("SET gs = :v", {"N": "2"})  # the by-g entry moves: a delete and a put
    assert moved["GlobalSecondaryIndexes"] == {"by-g": {"CapacityUnits": 2.0}}


# -- legacy parameters --


def test_legacy_expected_and_attribute_updates(client: EmulatorClient, table: str) -> None:
    client.put_item(TableName=table, Item={**KEY, "n": {"N": "5"}, "tags": {"SS": ["a", "b"]}})
    code, _ = error_of(client.put_item, TableName=table, Item=KEY, Expected={"n": {"Value": {"N": "6"}}})
    assert code == "ConditionalCheckFailedException"
    response = client.update_item(
        TableName=table,
        Key=KEY,
        AttributeUpdates={
            "n": {"Value": {"N": "2"}, "Action": "ADD"},
            "tags": {"Value": {"SS": ["a", "b"]}, "Action": "DELETE"},
            "v": {"Value": {"S": "new"}},  # no Action: a PUT, as the API reference says
        },
        Expected={"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "5"}]}},
        ReturnValues="ALL_NEW",
    )
    assert response["Attributes"] == {**KEY, "n": {"N": "7"}, "v": {"S": "new"}}
    assert invalid(client.put_item, TableName=table, Item=KEY, Expected={"n": {"Exists": True}}) == (
        "One or more parameter values were invalid: "
        "Value must be provided when Exists is true for Attribute: n"
    )
    assert invalid(client.put_item, TableName=table, Item=KEY, ConditionalOperator="OR") == (
        "ConditionalOperator cannot be used without Filter or Expected"
    )


def test_concurrent_counter_updates_are_atomic(client: EmulatorClient, table: str) -> None:
    """Each UpdateItem is atomic under the emulator's lock: no increment is lost across threads."""

    def bump() -> None:
        for _ in range(50):
            client.update_item(
                TableName=table,
                Key=KEY,
                UpdateExpression="ADD n :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert client.get_item(TableName=table, Key=KEY)["Item"]["n"] == {"N": "200"}


def test_malformed_values_are_refused_before_the_table_is_looked_up(client: EmulatorClient) -> None:
    """The service validates the request first; only a well-formed request learns the table is missing."""
    bad_number = {"pk": {"S": "a"}, "sk": {"N": "not a number"}}
    for call, kwargs in (
        (client.get_item, {"Key": bad_number}),
        (client.delete_item, {"Key": bad_number}),
        (client.put_item, {"Item": bad_number}),
        (client.batch_get_item, {"RequestItems": {"nowhere": {"Keys": [bad_number]}}}),
        (client.batch_write_item, {"RequestItems": {"nowhere": [{"PutRequest": {"Item": bad_number}}]}}),
    ):
        extra = {} if "RequestItems" in kwargs else {"TableName": "nowhere"}
        assert invalid(call, **extra, **kwargs) == "A value provided cannot be converted into a number"


def test_lsi_projections_count_toward_the_400_kb_of_a_new_item(client: EmulatorClient, indexed: str) -> None:
    """by-l projects ALL: a put of an item in it may use half of 400 KB (measured on DynamoDB Local)."""
    base = {**KEY, "l": {"S": "L"}, "x": {"S": ""}}
    half = 200 * 1024 - item_size(base)
    client.put_item(TableName=indexed, Item={**base, "x": {"S": "a" * half}})
    assert invalid(client.put_item, TableName=indexed, Item={**base, "x": {"S": "a" * (half + 1)}}) == (
        "Item size has exceeded the maximum allowed size"
    )
    # Outside the LSI (no l) the whole 400 KB is available; UpdateItem does not apply the rule.
    plain = {**KEY, "x": {"S": "a" * 300_000}}
    client.put_item(TableName=indexed, Item=plain)
    client.update_item(
        TableName=indexed,
        Key=KEY,
        UpdateExpression="SET l = :l",
        ExpressionAttributeValues={":l": {"S": "L"}},
    )


# -- no request makes a handler crash --

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["S", "N", "pk", "sk", "Item", "Key", "Keys", "ComparisonOperator", "Value", "Action"]
            ),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)
_MEMBERS = {
    "PutItem": ["Item", "Expected", "ConditionalOperator", "ReturnValues", "ConditionExpression"],
    "GetItem": ["Key", "AttributesToGet", "ProjectionExpression"],
    "UpdateItem": ["Key", "AttributeUpdates", "Expected", "UpdateExpression", "ReturnValues"],
    "DeleteItem": ["Key", "Expected", "ReturnValuesOnConditionCheckFailure"],
    "Query": [
        "KeyConditions",
        "QueryFilter",
        "ExclusiveStartKey",
        "IndexName",
        "Select",
        "KeyConditionExpression",
    ],
    "Scan": ["ScanFilter", "ExclusiveStartKey", "Segment", "TotalSegments", "Select"],
    "BatchGetItem": ["RequestItems"],
    "BatchWriteItem": ["RequestItems"],
}
_GOOD = {
    "Item": KEY,
    "Key": KEY,
    "KeyConditionExpression": "pk = :p",
    "ExpressionAttributeValues": {":p": {"S": "a"}},
}


@settings(max_examples=150, deadline=None)
@given(operation=st.sampled_from(sorted(_MEMBERS)), data=st.data())
def test_malformed_requests_get_dynamodb_errors_never_crashes(operation: str, data: st.DataObject) -> None:
    """Random members (as the HTTP door can deliver them, nulls included) yield DynamoDB's errors."""
    emu = DynamoDBEmulator()
    emu.dispatch("CreateTable", table_request("things"))
    request: dict[str, Any] = {} if operation.startswith("Batch") else {"TableName": "things"}
    for member in _MEMBERS[operation]:
        choice = data.draw(st.sampled_from(["skip", "good", "random"]))
        if choice == "good" and member in _GOOD:
            request[member] = _GOOD[member]
        elif choice == "random":
            value = data.draw(_JSON)
            request[member] = {"things": value} if member == "RequestItems" else value
    try:
        emu.dispatch(operation, request)
    except DynamoDBError as error:
        assert error.code != "InternalServerError", (request, error.__cause__)
