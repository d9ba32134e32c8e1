"""``emu.resource()``: boto3's DynamoDB resource layer answered in-process, on the emulator it came from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr, Key

from theorydb_mocks import DynamoDBEmulator


@pytest.fixture
def emu() -> DynamoDBEmulator:
    return DynamoDBEmulator()


def _orders(emu: DynamoDBEmulator) -> Any:
    return emu.resource().create_table(
        TableName="orders",
        KeySchema=[
            {"AttributeName": "customer", "KeyType": "HASH"},
            {"AttributeName": "n", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "customer", "AttributeType": "S"},
            {"AttributeName": "n", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


def test_table_put_get_query_and_scan_with_key_and_attr(emu: DynamoDBEmulator) -> None:
    table = _orders(emu)
    table.wait_until_exists()
    for n in range(6):
        table.put_item(Item={"customer": "ann", "n": n, "total": Decimal(n) * 10, "tags": {"a", str(n)}})
    assert table.get_item(Key={"customer": "ann", "n": 2})["Item"]["total"] == Decimal(20)
    page = table.query(
        KeyConditionExpression=Key("customer").eq("ann") & Key("n").between(1, 4),
        FilterExpression=Attr("total").gte(30),
        ScanIndexForward=False,
    )
    assert [item["n"] for item in page["Items"]] == [4, 3]
    found = table.scan(FilterExpression=Attr("tags").contains("5"))["Items"]
    assert [item["n"] for item in found] == [5]
    # the same items, seen by the emulator's own client
    assert emu.client().scan(TableName="orders", Select="COUNT")["Count"] == 6


def test_batch_writer_and_conditions(emu: DynamoDBEmulator) -> None:
    table = _orders(emu)
    with table.batch_writer() as batch:
        for n in range(60):  # three BatchWriteItem calls of at most 25
            batch.put_item(Item={"customer": "bob", "n": n})
        batch.delete_item(Key={"customer": "bob", "n": 0})
    assert emu.client().scan(TableName="orders", Select="COUNT")["Count"] == 59
    calls = [entry.operation for entry in emu.capacity.entries if entry.operation == "BatchWriteItem"]
    assert len(calls) >= 3
    conditional = emu.resource().meta.client.exceptions.ConditionalCheckFailedException
    with pytest.raises(conditional):
        table.put_item(Item={"customer": "bob", "n": 1}, ConditionExpression=Attr("customer").not_exists())


def test_resources_are_bound_to_their_emulator_only(emu: DynamoDBEmulator) -> None:
    _orders(emu)
    other = DynamoDBEmulator()
    assert [t.name for t in emu.resource().tables.all()] == ["orders"]
    assert list(other.resource().tables.all()) == []
    assert emu.resource(region_name="eu-west-1").meta.client.meta.region_name == "eu-west-1"
    assert list(emu.resource(region_name="eu-west-1").tables.all()) == []  # another region's tables
