"""Global tables version 2019.11.21: replicas by UpdateTable, DescribeTable's Replicas, the prerequisites."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from theorydb_mocks import DynamoDBEmulator, mock_dynamodb

STREAM = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def create(client: Any, name: str = "orders", **extra: Any) -> None:
    options: dict[str, Any] = {"BillingMode": "PAY_PER_REQUEST", "StreamSpecification": STREAM}
    options.update(extra)
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        **{k: v for k, v in options.items() if v is not None},
    )


def error_of(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


@pytest.fixture
def emu() -> DynamoDBEmulator:
    emulator = DynamoDBEmulator()
    emulator.clock.set(1_000_000)
    return emulator


def test_a_replica_is_the_table_in_another_region_with_its_items(emu: DynamoDBEmulator) -> None:
    east, west = emu.client(), emu.client(region_name="us-west-2")
    create(east)
    east.put_item(TableName="orders", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    answer = east.update_table(TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    described = answer["TableDescription"]
    assert described["TableStatus"] == "UPDATING"
    assert described["GlobalTableVersion"] == "2019.11.21"
    assert described["Replicas"] == [{"RegionName": "us-west-2", "ReplicaStatus": "CREATING"}]
    table = west.describe_table(TableName="orders")["Table"]
    assert table["TableArn"] == "arn:aws:dynamodb:us-west-2:123456789012:table/orders"
    assert table["Replicas"] == [{"RegionName": "us-east-1", "ReplicaStatus": "ACTIVE"}]
    assert table["MultiRegionConsistency"] == "EVENTUAL"
    assert table["StreamSpecification"] == STREAM
    assert west.get_item(TableName="orders", Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "1"}
    assert emu.in_region("us-west-2").stream_records("orders") == []  # the backfill writes no records
    assert east.describe_table(TableName="orders")["Table"]["TableStatus"] == "ACTIVE"
    keys = list(table)
    assert keys.index("LatestStreamArn") < keys.index("GlobalTableVersion") < keys.index("Replicas")


def test_a_regional_table_describes_no_replicas(emu: DynamoDBEmulator) -> None:
    create(emu.client())
    table = emu.client().describe_table(TableName="orders")["Table"]
    assert "Replicas" not in table and "GlobalTableVersion" not in table


def test_replica_overrides_are_described_and_applied() -> None:
    emu = DynamoDBEmulator()
    east = emu.client()
    east.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            }
        ],
        StreamSpecification=STREAM,
    )
    code, message = error_of(
        lambda: east.update_table(
            TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}]
        )
    )
    assert (code, message) == (
        "ValidationException",
        "Table write capacity should either be Pay-Per-Request or AutoScaled.",
    )
    east.update_table_replica_auto_scaling(
        TableName="orders", ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 5, "MaximumUnits": 50}
    )
    east.update_table(
        TableName="orders",
        ReplicaUpdates=[
            {
                "Create": {
                    "RegionName": "eu-west-1",
                    "ProvisionedThroughputOverride": {"ReadCapacityUnits": 9},
                    "GlobalSecondaryIndexes": [
                        {"IndexName": "by-g", "ProvisionedThroughputOverride": {"ReadCapacityUnits": 7}}
                    ],
                    "TableClassOverride": "STANDARD_INFREQUENT_ACCESS",
                }
            }
        ],
    )
    replica = east.describe_table(TableName="orders")["Table"]["Replicas"][0]
    assert replica == {
        "RegionName": "eu-west-1",
        "ReplicaStatus": "ACTIVE",
        "ProvisionedThroughputOverride": {"ReadCapacityUnits": 9},
        "GlobalSecondaryIndexes": [
            {"IndexName": "by-g", "ProvisionedThroughputOverride": {"ReadCapacityUnits": 7}}
        ],
        "ReplicaTableClassSummary": {"TableClass": "STANDARD_INFREQUENT_ACCESS"},
    }
    there = emu.client(region_name="eu-west-1").describe_table(TableName="orders")["Table"]
    assert there["ProvisionedThroughput"]["ReadCapacityUnits"] == 9
    assert there["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
    assert there["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
    assert there["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    east.update_table(
        TableName="orders",
        ReplicaUpdates=[
            {"Update": {"RegionName": "eu-west-1", "ProvisionedThroughputOverride": {"ReadCapacityUnits": 3}}}
        ],
    )
    there = emu.client(region_name="eu-west-1").describe_table(TableName="orders")["Table"]
    assert there["ProvisionedThroughput"]["ReadCapacityUnits"] == 3


@pytest.mark.parametrize(
    ("setup", "request_", "code", "fragment"),
    [
        (
            {"StreamSpecification": None},
            {"ReplicaUpdates": [{"Create": {"RegionName": "us-west-2"}}]},
            "ValidationException",
            "NEW_AND_OLD_IMAGES",
        ),
        (
            {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}},
            {"ReplicaUpdates": [{"Create": {"RegionName": "us-west-2"}}]},
            "ValidationException",
            "NEW_AND_OLD_IMAGES",
        ),
        (
            {},
            {"ReplicaUpdates": [{"Create": {"RegionName": "us-east-1"}}]},
            "ValidationException",
            "already existed as tables",
        ),
        (
            {},
            {"ReplicaUpdates": [{"Create": {"RegionName": "not a region"}}]},
            "ValidationException",
            "not a valid region",
        ),
        (
            {},
            {
                "ReplicaUpdates": [
                    {"Create": {"RegionName": "us-west-2"}},
                    {"Delete": {"RegionName": "us-west-2"}},
                ]
            },
            "ValidationException",
            "more than once",
        ),
        ({}, {"ReplicaUpdates": [{}]}, "ValidationException", "exactly one of Create, Update or Delete"),
        (
            {},
            {"ReplicaUpdates": [{"Delete": {"RegionName": "us-west-2"}}]},
            "ValidationException",
            "is not a replica",
        ),
        (
            {},
            {"ReplicaUpdates": [{"Update": {"RegionName": "us-west-2"}}]},
            "ValidationException",
            "is not a replica",
        ),
        (
            {},
            {"ReplicaUpdates": [{"Create": {"RegionName": "us-west-2"}}], "DeletionProtectionEnabled": True},
            "ValidationException",
            "cannot be combined",
        ),
        (
            {},
            {
                "ReplicaUpdates": [
                    {
                        "Create": {
                            "RegionName": "us-west-2",
                            "ProvisionedThroughputOverride": {"ReadCapacityUnits": 1},
                        }
                    }
                ]
            },
            "ValidationException",
            "PROVISIONED",
        ),
        (
            {},
            {
                "ReplicaUpdates": [
                    {"Create": {"RegionName": "us-west-2", "GlobalSecondaryIndexes": [{"IndexName": "nope"}]}}
                ]
            },
            "ValidationException",
            "Index nope not found",
        ),
        ({}, {"MultiRegionConsistency": "STRONG"}, "ValidationException", "only be specified when creating"),
        (
            {},
            {"GlobalTableWitnessUpdates": [{"Create": {"RegionName": "us-east-2"}}]},
            "ValidationException",
            "only valid for a global table with multi-Region strong",
        ),
    ],
)
def test_prerequisites_are_checked_before_anything_changes(
    emu: DynamoDBEmulator, setup: dict[str, Any], request_: dict[str, Any], code: str, fragment: str
) -> None:
    east = emu.client()
    create(east, **setup)
    got_code, message = error_of(lambda: east.update_table(TableName="orders", **request_))
    assert got_code == code and fragment in message, message
    assert emu.regions.existing("us-west-2") is None or "orders" not in emu.in_region("us-west-2").tables
    assert "Replicas" not in east.describe_table(TableName="orders")["Table"]


def test_a_region_that_has_the_table_already_cannot_get_a_replica(emu: DynamoDBEmulator) -> None:
    create(emu.client())
    create(emu.client(region_name="us-west-2"))
    _code, message = error_of(
        lambda: emu.client().update_table(
            TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}]
        )
    )
    assert message == (
        "Failed to create a the new replica of table with name: 'orders' because one or more replicas "
        "already existed as tables."
    )


def test_deleting_a_replica_drops_its_table_and_the_last_one_is_regional_again(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    create(east)
    east.update_table(
        TableName="orders",
        ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}, {"Create": {"RegionName": "eu-west-1"}}],
    )
    assert [r["RegionName"] for r in east.describe_table(TableName="orders")["Table"]["Replicas"]] == [
        "us-west-2",
        "eu-west-1",
    ]
    answer = east.update_table(TableName="orders", ReplicaUpdates=[{"Delete": {"RegionName": "us-west-2"}}])
    assert {"RegionName": "us-west-2", "ReplicaStatus": "DELETING"} in answer["TableDescription"]["Replicas"]
    assert emu.client(region_name="us-west-2").list_tables()["TableNames"] == []
    _code, message = error_of(
        lambda: east.update_table(
            TableName="orders", ReplicaUpdates=[{"Delete": {"RegionName": "us-east-1"}}]
        )
    )
    assert "cannot be deleted by a request made in us-east-1" in message
    emu.client(region_name="eu-west-1").delete_table(TableName="orders")  # DeleteTable of a replica
    assert "Replicas" not in east.describe_table(TableName="orders")["Table"]
    east.put_item(TableName="orders", Item={"pk": {"S": "alone"}})
    emu.replication.flush()
    assert emu.replication.pending == []


def test_disassociate_keeps_the_local_table_regional(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    create(east)
    east.update_table(TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    west = emu.client(region_name="us-west-2")
    east.put_item(TableName="orders", Item={"pk": {"S": "on-its-way"}})
    leave = {"RegionName": "us-west-2", "DisassociationMode": "WAIT_FOR_REPLICATION"}
    west.update_table(TableName="orders", ReplicaUpdates=[{"Disassociate": leave}])
    assert "Replicas" not in west.describe_table(TableName="orders")["Table"]
    assert west.get_item(TableName="orders", Key={"pk": {"S": "on-its-way"}})["Item"]
    west.put_item(TableName="orders", Item={"pk": {"S": "x"}})
    emu.replication.flush()
    assert "Item" not in east.get_item(TableName="orders", Key={"pk": {"S": "x"}})


def test_a_new_replica_is_creating_while_the_clock_says_so(emu: DynamoDBEmulator) -> None:
    emu.replication.creation_seconds = 60
    east = emu.client()
    create(east)
    east.update_table(TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    table = east.describe_table(TableName="orders")["Table"]
    assert table["TableStatus"] == "UPDATING"
    assert table["Replicas"][0]["ReplicaStatus"] == "CREATING"
    west = emu.client(region_name="us-west-2")
    assert west.describe_table(TableName="orders")["Table"]["TableStatus"] == "CREATING"
    code, _ = error_of(
        lambda: east.update_table(
            TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}]
        )
    )
    assert code == "ResourceInUseException"
    emu.clock.advance(60)
    table = east.describe_table(TableName="orders")["Table"]
    assert (table["TableStatus"], table["Replicas"][0]["ReplicaStatus"]) == ("ACTIVE", "ACTIVE")
    assert west.describe_table(TableName="orders")["Table"]["TableStatus"] == "ACTIVE"


def test_ttl_and_kms_follow_the_new_replica(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    create(east)
    east.update_time_to_live(
        TableName="orders", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    east.update_table(
        TableName="orders",
        ReplicaUpdates=[{"Create": {"RegionName": "us-west-2", "KMSMasterKeyId": "alias/replica-key"}}],
    )
    west = emu.client(region_name="us-west-2")
    assert west.describe_time_to_live(TableName="orders")["TimeToLiveDescription"]["AttributeName"] == "exp"
    assert (
        west.describe_table(TableName="orders")["Table"]["SSEDescription"]["KMSMasterKeyArn"]
        == "arn:aws:kms:us-west-2:123456789012:alias/replica-key"  # the key's ARN in the replica's region
    )
    assert (
        east.describe_table(TableName="orders")["Table"]["Replicas"][0]["KMSMasterKeyId"]
        == "alias/replica-key"
    )


def test_strong_consistency_needs_three_regions_of_one_set_and_an_empty_table(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    create(east)

    def strong(**extra: Any) -> Any:
        return east.update_table(TableName="orders", MultiRegionConsistency="STRONG", **extra)

    _code, message = error_of(lambda: strong(ReplicaUpdates=[{"Create": {"RegionName": "us-east-2"}}]))
    assert "exactly three Regions" in message
    _code, message = error_of(
        lambda: strong(
            ReplicaUpdates=[{"Create": {"RegionName": "us-east-2"}}, {"Create": {"RegionName": "eu-west-1"}}]
        )
    )
    assert "Region set" in message
    east.put_item(TableName="orders", Item={"pk": {"S": "a"}})
    _code, message = error_of(
        lambda: strong(
            ReplicaUpdates=[{"Create": {"RegionName": "us-east-2"}}],
            GlobalTableWitnessUpdates=[{"Create": {"RegionName": "us-west-2"}}],
        )
    )
    assert "must be empty" in message
    east.delete_item(TableName="orders", Key={"pk": {"S": "a"}})
    answer = strong(
        ReplicaUpdates=[{"Create": {"RegionName": "us-east-2"}}],
        GlobalTableWitnessUpdates=[{"Create": {"RegionName": "us-west-2"}}],
    )
    described = answer["TableDescription"]
    assert described["MultiRegionConsistency"] == "STRONG"
    assert described["GlobalTableWitnesses"] == [{"RegionName": "us-west-2", "WitnessStatus": "ACTIVE"}]
    _code, message = error_of(
        lambda: east.update_table(
            TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}]
        )
    )
    assert "cannot be added" in message
    _code, message = error_of(
        lambda: east.update_table(
            TableName="orders", ReplicaUpdates=[{"Delete": {"RegionName": "us-east-2"}}]
        )
    )
    assert "deleted down to one replica" in message
    east.update_table(
        TableName="orders",
        ReplicaUpdates=[{"Delete": {"RegionName": "us-east-2"}}],
        GlobalTableWitnessUpdates=[{"Delete": {"RegionName": "us-west-2"}}],
    )
    assert "Replicas" not in east.describe_table(TableName="orders")["Table"]


def test_strong_consistency_replicates_before_the_write_is_answered(emu: DynamoDBEmulator) -> None:
    emu.replication_delay = 30  # ignored by an MRSC table
    east, ohio = emu.client(), emu.client(region_name="us-east-2")
    create(east, StreamSpecification=None)
    east.update_table(
        TableName="orders",
        MultiRegionConsistency="STRONG",
        ReplicaUpdates=[{"Create": {"RegionName": "us-east-2"}}, {"Create": {"RegionName": "us-west-2"}}],
    )
    east.put_item(TableName="orders", Item={"pk": {"S": "a"}, "v": {"S": "1"}})
    for client in (ohio, emu.client(region_name="us-west-2")):
        item = client.get_item(TableName="orders", Key={"pk": {"S": "a"}}, ConsistentRead=True)["Item"]
        assert item["v"] == {"S": "1"}
    ohio.update_item(
        TableName="orders",
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET v = :two",
        ConditionExpression="v = :one",
        ExpressionAttributeValues={":one": {"S": "1"}, ":two": {"S": "2"}},
    )
    assert east.get_item(TableName="orders", Key={"pk": {"S": "a"}})["Item"]["v"] == {"S": "2"}
    assert emu.replication.pending == []


def test_snapshots_undo_replicas_and_pending_changes(emu: DynamoDBEmulator) -> None:
    east, west = emu.client(), emu.client(region_name="us-west-2")
    create(east)
    snap = emu.snapshot()
    east.update_table(TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    east.put_item(TableName="orders", Item={"pk": {"S": "a"}})
    emu.restore(snap)
    assert west.list_tables()["TableNames"] == []
    assert "Replicas" not in east.describe_table(TableName="orders")["Table"]
    assert emu.replication.pending == []
    east.update_table(TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    east.put_item(TableName="orders", Item={"pk": {"S": "b"}})
    with emu.rollback():
        emu.clock.advance(5)
        assert west.get_item(TableName="orders", Key={"pk": {"S": "b"}})["Item"] == {"pk": {"S": "b"}}
    assert len(emu.replication.pending) == 1  # back on its way
    emu.replication.flush()
    assert west.get_item(TableName="orders", Key={"pk": {"S": "b"}})["Item"] == {"pk": {"S": "b"}}


def test_reset_forgets_global_tables(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    create(east)
    east.update_table(TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    emu.reset()
    assert emu.replication.groups == {}
    create(east)
    assert "Replicas" not in east.describe_table(TableName="orders")["Table"]


def test_routed_boto3_clients_manage_and_use_replicas() -> None:
    with mock_dynamodb() as emu:
        emu.replication_delay = 0
        east = boto3.client("dynamodb", region_name="us-east-1")
        west = boto3.client("dynamodb", region_name="us-west-2")
        create(east)
        east.update_table(TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
        west.put_item(TableName="orders", Item={"pk": {"S": "from-west"}})
        assert east.get_item(TableName="orders", Key={"pk": {"S": "from-west"}})["Item"]
        assert west.describe_table(TableName="orders")["Table"]["Replicas"][0]["RegionName"] == "us-east-1"
        listed = east.list_global_tables()
        assert listed["GlobalTables"] == []  # a 2019.11.21 table is not a legacy global table


def test_gsis_billing_and_ttl_changes_reach_every_replica(emu: DynamoDBEmulator) -> None:
    east, west = emu.client(), emu.client(region_name="us-west-2")
    create(east)
    east.update_table(TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
    west.put_item(TableName="orders", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    east.update_table(
        TableName="orders",
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            }
        ],
    )
    found = west.query(
        TableName="orders",
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
    )
    assert found["Count"] == 1  # the replica's own index, backfilled from its items
    west.update_time_to_live(
        TableName="orders", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    assert east.describe_time_to_live(TableName="orders")["TimeToLiveDescription"]["AttributeName"] == "exp"
    east.update_table(TableName="orders", DeletionProtectionEnabled=True)  # a replica's own setting
    assert west.describe_table(TableName="orders")["Table"]["DeletionProtectionEnabled"] is False
