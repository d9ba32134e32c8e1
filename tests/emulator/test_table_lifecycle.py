"""The opt-in table lifecycle: CREATING, UPDATING, GSI backfilling, driven by the emulator's clock."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator

GK = {"AttributeName": "gk", "AttributeType": "S"}
GSI = {
    "IndexName": "by-gk",
    "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"},
}


def error(call: Any, **request: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**request)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


@pytest.fixture
def slow() -> DynamoDBEmulator:
    emu = DynamoDBEmulator(transition_delay=20, table_lifecycle=True)
    emu.clock.set(1_700_000_000)
    return emu


def test_off_by_default_everything_is_active_at_once() -> None:
    client = DynamoDBEmulator().client()
    assert client.create_table(**table_request("things"))["TableDescription"]["TableStatus"] == "ACTIVE"
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})


def test_a_new_table_is_creating_until_the_delay_has_passed(slow: DynamoDBEmulator) -> None:
    client = slow.client()
    request = table_request("things", GlobalSecondaryIndexes=[GSI])
    request["AttributeDefinitions"].append(GK)
    created = client.create_table(**request)["TableDescription"]
    assert created["TableStatus"] == "CREATING"
    assert created["WarmThroughput"]["Status"] == "CREATING"
    index = created["GlobalSecondaryIndexes"][0]
    assert (index["IndexStatus"], index["Backfilling"]) == ("CREATING", False)
    assert "ItemCount" not in index
    assert error(client.put_item, TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}}) == (
        "ResourceNotFoundException",
        "Requested resource not found",
    )
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    assert error(client.get_item, TableName="things", Key=key)[0] == "ResourceNotFoundException"
    assert (
        error(
            client.update_item,
            TableName="things",
            Key=key,
            UpdateExpression="SET x = :x",
            ExpressionAttributeValues={":x": {"S": "y"}},
        )[0]
        == "ResourceNotFoundException"
    )
    assert (
        error(
            client.query,
            TableName="things",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "a"}},
        )[0]
        == "ResourceNotFoundException"
    )
    assert error(client.update_table, TableName="things", DeletionProtectionEnabled=True) == (
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Table is being created: things",
    )
    assert error(client.delete_table, TableName="things")[0] == "ResourceInUseException"
    waiter = client.get_waiter("table_exists")
    slow.clock.advance(20)
    waiter.wait(TableName="things", WaiterConfig={"Delay": 0, "MaxAttempts": 1})
    described = client.describe_table(TableName="things")["Table"]
    assert described["TableStatus"] == "ACTIVE"
    assert described["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "gk": {"S": "g"}})


def test_update_table_and_gsi_backfill(slow: DynamoDBEmulator) -> None:
    client = slow.client()
    client.create_table(**table_request("things"))
    slow.clock.advance(20)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "gk": {"S": "g"}})
    answer = client.update_table(
        TableName="things", AttributeDefinitions=[GK], GlobalSecondaryIndexUpdates=[{"Create": GSI}]
    )["TableDescription"]
    assert answer["TableStatus"] == "UPDATING"
    index = answer["GlobalSecondaryIndexes"][0]
    assert (index["IndexStatus"], index["Backfilling"]) == ("CREATING", True)
    assert error(
        client.query,
        TableName="things",
        IndexName="by-gk",
        KeyConditionExpression="gk = :g",
        ExpressionAttributeValues={":g": {"S": "g"}},
    ) == (
        "ValidationException",
        "Cannot read from backfilling global secondary index: by-gk",
    )
    assert error(client.update_table, TableName="things", DeletionProtectionEnabled=True) == (
        "ResourceInUseException",
        "Attempt to change a resource which is still in use: Table is being updated: things",
    )
    client.put_item(TableName="things", Item={"pk": {"S": "b"}, "sk": {"N": "1"}})  # writes go on
    slow.clock.advance(20)
    described = client.describe_table(TableName="things")["Table"]
    assert described["TableStatus"] == "ACTIVE"
    assert described["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    found = client.query(
        TableName="things",
        IndexName="by-gk",
        KeyConditionExpression="gk = :g",
        ExpressionAttributeValues={":g": {"S": "g"}},
    )
    assert found["Count"] == 1


def test_turning_it_off_settles_everything(slow: DynamoDBEmulator) -> None:
    client = slow.client()
    client.create_table(**table_request("things"))
    slow.table_lifecycle = False
    assert client.describe_table(TableName="things")["Table"]["TableStatus"] == "ACTIVE"
    slow.table_lifecycle = True
    assert client.describe_table(TableName="things")["Table"]["TableStatus"] == "CREATING"
    slow.transition_delay = 0
    assert client.describe_table(TableName="things")["Table"]["TableStatus"] == "ACTIVE"


def test_without_the_lifecycle_a_delay_only_affects_background_settings() -> None:
    emu = DynamoDBEmulator(transition_delay=20)
    client = emu.client()
    assert client.create_table(**table_request("things"))["TableDescription"]["TableStatus"] == "ACTIVE"
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})


def test_the_server_takes_the_options() -> None:
    from tests.server.conftest import make_client
    from theorydb_mocks.__main__ import build_parser
    from theorydb_mocks.emulator.server import EmulatorServer

    args = build_parser().parse_args(["serve", "--transition-delay", "3600", "--table-lifecycle"])
    assert (args.transition_delay, args.table_lifecycle) == (3600.0, True)
    with EmulatorServer(
        transition_delay=args.transition_delay, table_lifecycle=args.table_lifecycle
    ) as server:
        client = make_client(server.endpoint_url)
        assert client.create_table(**table_request("things"))["TableDescription"]["TableStatus"] == "CREATING"
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.get_item(TableName="things", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
