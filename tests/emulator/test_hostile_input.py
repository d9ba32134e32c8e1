"""Hostile requests boto3 cannot send (nulls, depths past botocore's own stack) answered as DynamoDB answers.

The cases botocore can carry are compared with DynamoDB Local in ``tests/conformance/test_cases_hostile.py``;
these reach ``dispatch``, the direct client and the HTTP door directly.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.operations._registry import record_for
from theorydb_mocks.emulator.server import EmulatorServer

NESTED_TOO_DEEP = (
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond "
    "supported limit"
)

NOT_NULL = "failed to satisfy constraint: Member must not be null"


def nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"S": "x"}
    for _ in range(levels - 1):
        value = {"L": [value]}
    return value


@pytest.fixture
def ready() -> DynamoDBEmulator:
    emu = DynamoDBEmulator()
    emu.dispatch("CreateTable", table_request())
    return emu


def _refusal(emu: DynamoDBEmulator, operation: str, request: dict[str, Any]) -> DynamoDBError:
    with pytest.raises(DynamoDBError) as caught:
        emu.dispatch(operation, request)
    assert caught.value.code != "InternalServerError", caught.value.message
    return caught.value


@pytest.mark.parametrize(
    ("member", "path"),
    [
        ("AttributeDefinitions", "attributeDefinitions.1.member"),
        ("KeySchema", "keySchema.1.member"),
        ("GlobalSecondaryIndexes", "globalSecondaryIndexes.1.member"),
    ],
)
def test_null_members_of_create_table_lists(member: str, path: str) -> None:
    emu = DynamoDBEmulator()
    # A hash-only key schema, so that the null entry is its only fault (3 entries would break the max of 2).
    request = table_request("fresh", ranged=member != "KeySchema")
    request[member] = [None, *request.get(member, [])]
    err = _refusal(emu, "CreateTable", request)
    assert (err.code, err.message) == (
        "ValidationException",
        f"1 validation error detected: Value null at '{path}' {NOT_NULL}",
    )
    assert emu.tables == {}


def test_null_members_of_update_table_lists(ready: DynamoDBEmulator) -> None:
    err = _refusal(ready, "UpdateTable", {"TableName": "things", "GlobalSecondaryIndexUpdates": [None]})
    assert err.message.endswith(f"'globalSecondaryIndexUpdates.1.member' {NOT_NULL}")
    create = {
        "Create": {
            "IndexName": "by-g",
            "KeySchema": [None],
            "Projection": {"ProjectionType": "ALL"},
        }
    }
    request = {"TableName": "things", "GlobalSecondaryIndexUpdates": [create]}
    err = _refusal(ready, "UpdateTable", {**request, "AttributeDefinitions": [None]})
    assert err.code == "ValidationException"
    assert "GlobalSecondaryIndexes" not in ready.dispatch("DescribeTable", {"TableName": "things"})["Table"]


def test_null_members_over_http() -> None:
    with EmulatorServer() as server:
        body = json.dumps(table_request("fresh", AttributeDefinitions=[None])).encode()
        status, payload = server.answer("DynamoDB_20120810.CreateTable", body, {})
        assert status == 400
        assert json.loads(payload)["message"].endswith(f"'attributeDefinitions.1.member' {NOT_NULL}")


@pytest.mark.parametrize("levels", [33, 34, 120, 400, 5_000, 100_000])
def test_values_nested_past_32_levels_are_refused_at_any_depth(ready: DynamoDBEmulator, levels: int) -> None:
    item = {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": nested(levels)}
    err = _refusal(ready, "PutItem", {"TableName": "things", "Item": item})
    assert (err.code, err.message) == ("ValidationException", NESTED_TOO_DEEP)
    with pytest.raises(ClientError) as caught:
        ready.client().put_item(TableName="things", Item=item)
    assert caught.value.response["Error"]["Message"] == NESTED_TOO_DEEP
    assert ready.dispatch("Scan", {"TableName": "things"})["Count"] == 0


def test_values_nest_exactly_32_levels(ready: DynamoDBEmulator) -> None:
    item = {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": nested(32)}
    ready.client().put_item(TableName="things", Item=item)
    got = ready.client().get_item(TableName="things", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert got["Item"]["v"] == nested(32)


@pytest.mark.parametrize("levels", [400, 100_000])
def test_deep_values_in_expression_values_name_their_key(ready: DynamoDBEmulator, levels: int) -> None:
    request = {
        "TableName": "things",
        "FilterExpression": "v = :deep",
        "ExpressionAttributeValues": {":deep": nested(levels)},
    }
    err = _refusal(ready, "Scan", request)
    assert err.message == (
        f"ExpressionAttributeValues contains invalid value: {NESTED_TOO_DEEP} for key :deep"
    )


def test_deep_junk_outside_attribute_values_is_a_serialization_error(ready: DynamoDBEmulator) -> None:
    junk: list[Any] = []
    for _ in range(100_000):
        junk = [junk]
    err = _refusal(ready, "DescribeTable", {"TableName": "things", "Unknown": junk})
    assert err.code == "SerializationException"
    err = _refusal(ready, "CreateTable", table_request("fresh", KeySchema=junk))
    assert err.code == "SerializationException"


def _deep_request(operation: str) -> dict[str, Any]:
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    deep = nested(50_000)
    requests: dict[str, dict[str, Any]] = {
        "GetItem": {"TableName": "things", "Key": {**key, "x": deep}},
        "BatchWriteItem": {"RequestItems": {"things": [{"PutRequest": {"Item": {**key, "v": deep}}}]}},
        "TransactWriteItems": {
            "TransactItems": [{"Put": {"TableName": "things", "Item": {**key, "v": deep}}}]
        },
        "Query": {"TableName": "things", "KeyConditionExpression": "pk = :p", "ExclusiveStartKey": deep},
    }
    return requests[operation]


@pytest.mark.parametrize("operation", ["GetItem", "BatchWriteItem", "TransactWriteItems", "Query"])
def test_no_recursion_error_escapes_any_door(ready: DynamoDBEmulator, operation: str) -> None:
    request_ = _deep_request(operation)
    _refusal(ready, operation, request_)
    with pytest.raises(ClientError) as caught:
        getattr(ready.client(), xform_name(operation))(**request_)
    assert caught.value.response["Error"]["Code"] != "InternalServerError"


def test_an_unexpected_error_in_validation_is_an_internal_server_error(
    monkeypatch: pytest.MonkeyPatch, ready: DynamoDBEmulator
) -> None:
    def broken(request: dict[str, Any]) -> None:
        raise RuntimeError("a validator bug")

    monkeypatch.setattr(record_for("DescribeTable"), "_validator", broken)
    err = _refusal_any(ready, "DescribeTable", {"TableName": "things"})
    assert err.code == "InternalServerError"
    assert isinstance(err.__cause__, RuntimeError)


def _refusal_any(emu: DynamoDBEmulator, operation: str, request: dict[str, Any]) -> DynamoDBError:
    with pytest.raises(DynamoDBError) as caught:
        emu.dispatch(operation, request)
    return caught.value


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 250 + "a = :v" + ")" * 250,
        "NOT " * 500 + "a = :v",
        "(" * 2000 + "a = :v",
        "(a = :v AND " * 300 + "a = :v" + ")" * 300,
        "size(" * 700 + "a" + ")" * 700 + " = :v",
    ],
)
def test_deep_expressions_are_answered_on_every_door(ready: DynamoDBEmulator, expression: str) -> None:
    request = {
        "TableName": "things",
        "FilterExpression": expression,
        "ExpressionAttributeValues": {":v": {"N": "1"}},
    }
    err = _refusal(ready, "Scan", request)
    assert err.code == "ValidationException"
    with pytest.raises(ClientError) as caught:
        ready.client().scan(**request)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
