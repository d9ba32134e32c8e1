"""The behaviour differences with DynamoDB Local, as settled (docs/fidelity.md), pinned on the emulator alone.

``tests/conformance/test_cases_differences.py`` compares the same cases with DynamoDB Local; these run
without it, through the direct client.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient


def _create(client: EmulatorClient, name: str, *keys: tuple[str, str], **extra: Any) -> None:
    kinds = ("HASH", "RANGE")
    attributes = {**dict(keys), **extra.pop("attributes", {})}
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": n, "KeyType": kinds[i]} for i, (n, _) in enumerate(keys)],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in attributes.items()],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


@pytest.fixture
def client() -> EmulatorClient:
    return DynamoDBEmulator().client()


def _error(call: Any, **request: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**request)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_contains_finds_a_subsequence_of_a_binary(client: EmulatorClient) -> None:
    _create(client, "bins", ("pk", "S"))
    client.put_item(TableName="bins", Item={"pk": {"S": "a"}, "bin": {"B": b"\x01\x02\x03"}})

    def count(expression: str, operand: bytes) -> int:
        return int(
            client.scan(
                TableName="bins",
                FilterExpression=expression,
                ExpressionAttributeValues={":v": {"B": operand}},
            )["Count"]
        )

    assert [count("contains(bin, :v)", b) for b in (b"\x02", b"\x02\x03", b"\x01\x02\x03")] == [1, 1, 1]
    assert [count("contains(bin, :v)", b) for b in (b"\x03\x02", b"\x01\x02\x03\x04")] == [0, 0]
    assert count("NOT contains(bin, :v)", b"\x02") == 0
    legacy = client.scan(
        TableName="bins",
        ScanFilter={"bin": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"B": b"\x02\x03"}]}},
    )
    assert legacy["Count"] == 1


def test_a_name_twice_in_attributes_to_get_is_refused(client: EmulatorClient) -> None:
    _create(client, "things", ("pk", "S"))
    same = ("ValidationException", "Cannot have two attributes with the same name")
    key = {"pk": {"S": "a"}}
    assert _error(client.get_item, TableName="things", Key=key, AttributesToGet=["x", "x"]) == same
    assert _error(client.scan, TableName="things", AttributesToGet=["x", "pk", "x"]) == same
    conditions = {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "a"}]}}
    assert (
        _error(client.query, TableName="things", KeyConditions=conditions, AttributesToGet=["x", "x"]) == same
    )
    assert _error(
        client.batch_get_item, RequestItems={"things": {"Keys": [key], "AttributesToGet": ["y", "x", "x"]}}
    ) == (
        "ValidationException",
        "One or more parameter values were invalid: Duplicate value in attribute name: x",
    )


def test_a_sort_condition_on_a_hash_only_table_is_not_supported(client: EmulatorClient) -> None:
    _create(client, "hashed", ("pk", "S"))
    answer = _error(
        client.query,
        TableName="hashed",
        KeyConditionExpression="pk = :p AND sk = :s",
        ExpressionAttributeValues={":p": {"S": "a"}, ":s": {"S": "x"}},
    )
    assert answer == ("ValidationException", "Query key condition not supported")
    _create(client, "composite", ("pk", "S"), ("sk", "S"))
    answer = _error(
        client.query,
        TableName="composite",
        KeyConditionExpression="pk = :p AND colour = :s",
        ExpressionAttributeValues={":p": {"S": "a"}, ":s": {"S": "x"}},
    )
    assert answer == ("ValidationException", "Query condition missed key schema element: sk")


def test_transactions_check_each_action_in_order(client: EmulatorClient) -> None:
    _create(client, "hashed", ("pk", "S"))
    get = {"Get": {"TableName": "hashed", "Key": {"pk": {"S": "a"}}}}
    missing = {"Get": {"TableName": "missing", "Key": {"pk": {"S": "a"}}}}
    same = "Transaction request cannot include multiple operations on one item"
    assert _error(client.transact_get_items, TransactItems=[get, get, missing]) == (
        "ValidationException",
        same,
    )
    assert (
        _error(client.transact_get_items, TransactItems=[get, missing, get])[0] == "ResourceNotFoundException"
    )
    put = {"Put": {"TableName": "hashed", "Item": {"pk": {"S": "a"}}}}
    put_missing = {"Put": {"TableName": "missing", "Item": {"pk": {"S": "a"}}}}
    assert _error(client.transact_write_items, TransactItems=[put, put, put_missing])[1] == same
    assert _error(client.transact_write_items, TransactItems=[put_missing, put, put])[0] == (
        "ResourceNotFoundException"
    )


def test_a_gsi_scan_filter_sees_only_projected_attributes(client: EmulatorClient) -> None:
    index = {
        "IndexName": "by-gk",
        "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]},
    }
    _create(client, "indexed", ("pk", "S"), attributes={"gk": "S"}, GlobalSecondaryIndexes=[index])
    for n in range(3):
        client.put_item(
            TableName="indexed",
            Item={"pk": {"S": str(n)}, "gk": {"S": "g"}, "a": {"N": str(n)}, "extra": {"S": "y"}},
        )

    def count(expression: str) -> int:
        values = {":y": {"S": "y"}} if ":y" in expression else {}
        extra = {"ExpressionAttributeValues": values} if values else {}
        return int(
            client.scan(TableName="indexed", IndexName="by-gk", FilterExpression=expression, **extra)["Count"]
        )

    assert count("extra = :y") == 0
    assert count("attribute_not_exists(extra)") == 3


@pytest.mark.parametrize(("size_kb", "count"), [(100, 11), (300, 4), (399, 3)])
def test_the_page_that_reaches_1mb_carries_a_key_then_an_empty_page(
    client: EmulatorClient, size_kb: int, count: int
) -> None:
    _create(client, "things", ("pk", "S"), ("sk", "N"))
    for n in range(count):
        item = {"pk": {"S": "p"}, "sk": {"N": str(n)}, "blob": {"S": "x" * (size_kb * 1024 - 20)}}
        client.put_item(TableName="things", Item=item)
    query = {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}}
    first = client.query(TableName="things", ProjectionExpression="sk", **query)
    assert first["Count"] == count
    assert first["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": str(count - 1)}}
    after = client.query(TableName="things", ExclusiveStartKey=first["LastEvaluatedKey"], **query)
    assert (after["Count"], "LastEvaluatedKey" in after) == (0, False)
