"""Regions: one emulator, several regions, each with its own tables, reached by every door."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from theorydb_mocks import DynamoDBEmulator, mock_dynamodb

CREATE: dict[str, Any] = {
    "TableName": "things",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def test_a_region_has_its_own_tables_and_arns() -> None:
    emu = DynamoDBEmulator()
    west = emu.client(region_name="us-west-2")
    west.create_table(**CREATE)
    assert emu.client().list_tables()["TableNames"] == []
    assert west.list_tables()["TableNames"] == ["things"]
    arn = west.describe_table(TableName="things")["Table"]["TableArn"]
    assert arn == "arn:aws:dynamodb:us-west-2:123456789012:table/things"
    assert emu.in_region("us-west-2").get_table("things").arn == arn
    assert emu.regions.names() == ["us-east-1", "us-west-2"]


def test_regions_share_the_clock_lock_and_faults_but_not_services() -> None:
    emu = DynamoDBEmulator()
    west = emu.in_region("us-west-2")
    assert west is emu.in_region("us-west-2")
    assert emu.in_region("us-east-1") is emu
    assert (west.clock, west.lock, west.faults, west.snapshots) == (
        emu.clock,
        emu.lock,
        emu.faults,
        emu.snapshots,
    )
    assert west.capacity is not emu.capacity and west.streams is not emu.streams
    assert west.in_region("us-east-1") is emu
    assert repr(west) == "<DynamoDBEmulator us-west-2 tables=0>"


def test_a_bad_region_name_is_refused() -> None:
    emu = DynamoDBEmulator()
    with pytest.raises(ValueError, match="not a region name"):
        emu.in_region("us west")
    with pytest.raises(ValueError, match="not a region name"):
        DynamoDBEmulator(region="")


def test_an_arn_of_another_region_is_not_found_here() -> None:
    emu = DynamoDBEmulator()
    west = emu.client(region_name="us-west-2")
    west.create_table(**CREATE)
    arn = west.describe_table(TableName="things")["Table"]["TableArn"]
    with pytest.raises(emu.client().exceptions.ResourceNotFoundException):
        emu.client().describe_table(TableName=arn)


def test_boto3_clients_talk_to_their_region() -> None:
    emu = DynamoDBEmulator()
    emu.boto3_client(region_name="eu-west-1").create_table(**CREATE)
    assert emu.in_region("eu-west-1").tables.keys() == {"things"}
    assert emu.boto3_client().list_tables()["TableNames"] == []
    streams = emu.streams_client(region_name="eu-west-1")
    assert streams.list_streams()["Streams"] == []


def test_mock_dynamodb_routes_each_client_by_its_region() -> None:
    with mock_dynamodb() as emu:
        boto3.client("dynamodb", region_name="ap-south-1").create_table(**CREATE)
        assert boto3.client("dynamodb", region_name="us-east-1").list_tables()["TableNames"] == []
        assert emu.in_region("ap-south-1").tables.keys() == {"things"}


def test_clients_made_before_the_block_are_routed_by_their_signing_region() -> None:
    client = boto3.client(
        "dynamodb", region_name="sa-east-1", aws_access_key_id="AK", aws_secret_access_key="SK"
    )
    with mock_dynamodb() as emu:
        client.create_table(**CREATE)
        assert emu.in_region("sa-east-1").tables.keys() == {"things"}
        assert emu.tables == {}


def test_a_snapshot_covers_every_region() -> None:
    emu = DynamoDBEmulator()
    west = emu.client(region_name="us-west-2")
    west.create_table(**CREATE)
    snap = emu.snapshot()
    west.put_item(TableName="things", Item={"pk": {"S": "a"}})
    emu.client(region_name="eu-north-1").create_table(**CREATE)
    emu.restore(snap)
    assert west.scan(TableName="things")["Count"] == 0
    assert emu.client(region_name="eu-north-1").list_tables()["TableNames"] == []
    assert "us-west-2:['things']" in repr(snap)


def test_reset_empties_every_region_and_observers_see_them_all() -> None:
    emu = DynamoDBEmulator()
    seen: list[str] = []
    stop = emu.observe(lambda observation: seen.append(observation.operation))
    west = emu.client(region_name="us-west-2")
    west.create_table(**CREATE)
    emu.in_region("eu-west-3").dispatch("ListTables", {})
    assert seen == ["CreateTable", "ListTables"]
    stop()
    emu.reset()
    assert west.list_tables()["TableNames"] == []
    assert seen == ["CreateTable", "ListTables"]


def test_ttl_and_capacity_are_per_region() -> None:
    emu = DynamoDBEmulator(ttl_mode="immediate")
    emu.clock.set(1_000)
    west = emu.client(region_name="us-west-2")
    west.create_table(**CREATE)
    west.update_time_to_live(
        TableName="things", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    west.put_item(TableName="things", Item={"pk": {"S": "a"}, "exp": {"N": "1010"}})
    emu.clock.advance(20)
    assert west.get_item(TableName="things", Key={"pk": {"S": "a"}}).get("Item") is None
    assert emu.in_region("us-west-2").capacity.total(operation="PutItem") == 1.0
    assert emu.capacity.total(operation="PutItem") == 0.0
