"""BatchGetItem and BatchWriteItem through the direct client."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.values import item_size, validate_item


def key(pk: str, sk: int = 1) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}}


def put(item: dict[str, Any]) -> dict[str, Any]:
    return {"PutRequest": {"Item": item}}


def delete(k: dict[str, Any]) -> dict[str, Any]:
    return {"DeleteRequest": {"Key": k}}


def error_of(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_write_then_get_across_tables(client: EmulatorClient, table: str) -> None:
    client.create_table(**table_request("second", ranged=False))
    response = client.batch_write_item(
        RequestItems={
            table: [put({**key("a"), "v": {"N": "1"}}), put(key("b"))],
            "second": [put({"pk": {"S": "z"}})],
        }
    )
    assert response["UnprocessedItems"] == {}
    got = client.batch_get_item(
        RequestItems={
            table: {"Keys": [key("a"), key("b"), key("missing")], "ConsistentRead": True},
            "second": {"Keys": [{"pk": {"S": "z"}}]},
        }
    )
    assert sorted(i["pk"]["S"] for i in got["Responses"][table]) == ["a", "b"]
    assert got["Responses"]["second"] == [{"pk": {"S": "z"}}]
    assert got["UnprocessedKeys"] == {}


def test_batch_get_projection_per_table(client: EmulatorClient, table: str) -> None:
    client.put_item(TableName=table, Item={**key("a"), "v": {"S": "1"}, "w": {"S": "2"}})
    got = client.batch_get_item(RequestItems={table: {"Keys": [key("a")], "AttributesToGet": ["w"]}})
    assert got["Responses"][table] == [{"w": {"S": "2"}}]


def test_batch_write_deletes(client: EmulatorClient, table: str) -> None:
    client.put_item(TableName=table, Item=key("a"))
    client.batch_write_item(RequestItems={table: [delete(key("a")), delete(key("never"))]})
    assert "Item" not in client.get_item(TableName=table, Key=key("a"))


def test_duplicates_and_counts_are_refused(client: EmulatorClient, table: str) -> None:
    duplicates = ("ValidationException", "Provided list of item keys contains duplicates")
    assert error_of(client.batch_get_item, RequestItems={table: {"Keys": [key("a"), key("a")]}}) == duplicates
    # A put and a delete of one key collide.
    assert (
        error_of(client.batch_write_item, RequestItems={table: [put(key("a")), delete(key("a", 1))]})
        == duplicates
    )
    client.create_table(**table_request("second"))
    # Over 100 keys in all (each table's list within the model's limit of 100).
    many_keys = {
        table: {"Keys": [key("a", n) for n in range(60)]},
        "second": {"Keys": [key("a", n) for n in range(41)]},
    }
    assert error_of(client.batch_get_item, RequestItems=many_keys) == (
        "ValidationException",
        "Too many items requested for the BatchGetItem call",
    )
    many_writes = {
        table: [put(key("a", n)) for n in range(20)],
        "second": [put(key("a", n)) for n in range(6)],
    }
    assert error_of(client.batch_write_item, RequestItems=many_writes) == (
        "ValidationException",
        "Too many items requested for the BatchWriteItem call",
    )


def test_a_bad_write_changes_nothing(client: EmulatorClient, table: str) -> None:
    code, message = error_of(
        client.batch_write_item, RequestItems={table: [put(key("ok")), put({"pk": {"S": "no sort key"}})]}
    )
    assert (code, message) == (
        "ValidationException",
        "One or more parameter values were invalid: Missing the key sk in the item",
    )
    assert "Item" not in client.get_item(TableName=table, Key=key("ok"))
    assert error_of(client.batch_write_item, RequestItems={table: [{}]}) == (
        "ValidationException",
        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported "
        "datatypes",
    )
    code, _ = error_of(
        client.batch_write_item, RequestItems={table: [put(key("a"))], "missing": [put(key("a"))]}
    )
    assert code == "ResourceNotFoundException"
    assert "Item" not in client.get_item(TableName=table, Key=key("a"))


def test_bad_keys_in_batch_get(client: EmulatorClient, table: str) -> None:
    assert error_of(client.batch_get_item, RequestItems={table: {"Keys": [{"pk": {"S": "a"}}]}}) == (
        "ValidationException",
        "The provided key element does not match the schema",
    )


def test_batch_capacity_is_one_entry_per_table(client: EmulatorClient, table: str) -> None:
    written = client.batch_write_item(
        RequestItems={table: [put(key("a")), put({**key("b"), "x": {"S": "y" * 1500}})]},
        ReturnConsumedCapacity="INDEXES",
    )
    assert written["ConsumedCapacity"] == [
        {"TableName": table, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 3.0}}
    ]
    read = client.batch_get_item(
        RequestItems={table: {"Keys": [key("a"), key("b")]}}, ReturnConsumedCapacity="TOTAL"
    )
    assert read["ConsumedCapacity"] == [{"TableName": table, "CapacityUnits": 1.0}]


def test_responses_over_16_mb_leave_unprocessed_keys(
    emu: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    blob = "b" * 399_000
    for n in range(60):
        client.put_item(TableName=table, Item={**key("big", n), "blob": {"S": blob}})
    keys = [key("big", n) for n in range(60)]
    got = client.batch_get_item(RequestItems={table: {"Keys": keys, "ConsistentRead": True}})
    returned = len(got["Responses"][table])
    left = got["UnprocessedKeys"][table]
    assert 40 <= returned < 60
    assert left["ConsistentRead"] is True
    assert returned + len(left["Keys"]) == 60
    again = client.batch_get_item(RequestItems={table: left})
    assert len(again["Responses"][table]) == len(left["Keys"])


def test_the_item_that_would_pass_16_mb_is_left_unprocessed(client: EmulatorClient, table: str) -> None:
    item_bytes = 0
    for n in range(42):
        item = {**key("big", n), "blob": {"S": "b" * 400_000}}
        client.put_item(TableName=table, Item=item)
        item_bytes = item_size(validate_item(item))
    fitting = (16 * 1024 * 1024) // item_bytes
    got = client.batch_get_item(RequestItems={table: {"Keys": [key("big", n) for n in range(42)]}})
    assert len(got["Responses"][table]) == fitting == 41
    assert got["UnprocessedKeys"] == {table: {"Keys": [key("big", 41)]}}


def test_null_table_entries_are_refused_not_crashed_on(emu: DynamoDBEmulator, table: str) -> None:
    """Through the HTTP door a table's entry can be JSON null: DynamoDB treats it as an empty one."""
    with pytest.raises(DynamoDBError) as write:
        emu.dispatch("BatchWriteItem", {"RequestItems": {table: None}})
    assert write.value.message == f"The batch write request list for a table cannot be null or empty: {table}"
    with pytest.raises(DynamoDBError) as get:
        emu.dispatch("BatchGetItem", {"RequestItems": {table: None}})
    assert get.value.message == (
        f"The list of keys in RequestItems for BatchGetItem is required: {table} has empty list"
    )
