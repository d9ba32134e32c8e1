"""Global tables version 2017.11.29 (CreateGlobalTable and its family) and replica auto scaling."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from theorydb_mocks import DynamoDBEmulator

STREAM = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def create(
    client: Any, name: str = "users", *, stream: dict[str, Any] | None = STREAM, sort: bool = False
) -> None:
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    definitions = [{"AttributeName": "pk", "AttributeType": "S"}]
    if sort:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        definitions.append({"AttributeName": "sk", "AttributeType": "S"})
    options: dict[str, Any] = {"StreamSpecification": stream} if stream else {}
    client.create_table(
        TableName=name,
        KeySchema=keys,
        AttributeDefinitions=definitions,
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        **options,
    )


def error_of(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


@pytest.fixture
def emu() -> DynamoDBEmulator:
    emulator = DynamoDBEmulator()
    emulator.replication_delay = 0
    for region in ("us-east-1", "us-west-2"):
        create(emulator.client(region_name=region))
    return emulator


def test_create_describe_and_list_a_legacy_global_table(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    answer = east.create_global_table(
        GlobalTableName="users", ReplicationGroup=[{"RegionName": "us-east-1"}, {"RegionName": "us-west-2"}]
    )["GlobalTableDescription"]
    assert answer["GlobalTableStatus"] == "CREATING"
    assert answer["GlobalTableArn"] == "arn:aws:dynamodb::123456789012:global-table/users"
    assert answer["ReplicationGroup"] == [{"RegionName": "us-east-1"}, {"RegionName": "us-west-2"}]
    described = emu.client(region_name="us-west-2").describe_global_table(GlobalTableName="users")
    assert described["GlobalTableDescription"]["GlobalTableStatus"] == "ACTIVE"
    listed = east.list_global_tables()
    assert listed["GlobalTables"] == [
        {
            "GlobalTableName": "users",
            "ReplicationGroup": [{"RegionName": "us-east-1"}, {"RegionName": "us-west-2"}],
        }
    ]
    assert east.list_global_tables(RegionName="eu-west-1")["GlobalTables"] == []
    assert (
        "Replicas" not in east.describe_table(TableName="users")["Table"]
    )  # DescribeTable shows no v1 group
    east.put_item(TableName="users", Item={"pk": {"S": "a"}})
    assert emu.client(region_name="us-west-2").get_item(TableName="users", Key={"pk": {"S": "a"}})["Item"]


def test_list_global_tables_pages(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    for name in ("aaa", "bbb", "ccc"):
        create(east, name)
        east.create_global_table(GlobalTableName=name, ReplicationGroup=[{"RegionName": "us-east-1"}])
    page = east.list_global_tables(Limit=2)
    assert [t["GlobalTableName"] for t in page["GlobalTables"]] == ["aaa", "bbb"]
    assert page["LastEvaluatedGlobalTableName"] == "bbb"
    rest = east.list_global_tables(ExclusiveStartGlobalTableName="bbb")
    assert [t["GlobalTableName"] for t in rest["GlobalTables"]] == ["ccc"]
    assert "LastEvaluatedGlobalTableName" not in rest


@pytest.mark.parametrize(
    ("prepare", "group", "code", "fragment"),
    [
        (None, ["us-east-1", "eu-west-1"], "TableNotFoundException", "not found in region: eu-west-1"),
        ("data", ["us-east-1", "us-west-2"], "ValidationException", "must be empty"),
        ("no-stream", ["us-east-1", "eu-west-1"], "ValidationException", "NEW_AND_OLD_IMAGES"),
        ("other-key", ["us-east-1", "eu-west-1"], "ValidationException", "key schema"),
        (None, ["us-east-1", "us-east-1"], "ValidationException", "more than once"),
    ],
)
def test_create_global_table_checks_every_table(
    emu: DynamoDBEmulator, prepare: str | None, group: list[str], code: str, fragment: str
) -> None:
    if prepare == "data":
        emu.client(region_name="us-west-2").put_item(TableName="users", Item={"pk": {"S": "x"}})
    elif prepare == "no-stream":
        create(emu.client(region_name="eu-west-1"), stream=None)
    elif prepare == "other-key":
        create(emu.client(region_name="eu-west-1"), sort=True)
    got, message = error_of(
        lambda: emu.client().create_global_table(
            GlobalTableName="users", ReplicationGroup=[{"RegionName": r} for r in group]
        )
    )
    assert got == code and fragment in message, message
    assert emu.replication.groups == {}


def test_update_global_table_adds_and_removes_regions(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    east.create_global_table(GlobalTableName="users", ReplicationGroup=[{"RegionName": "us-east-1"}])
    code, _ = error_of(
        lambda: east.create_global_table(
            GlobalTableName="users", ReplicationGroup=[{"RegionName": "us-west-2"}]
        )
    )
    assert code == "GlobalTableAlreadyExistsException"
    east.update_global_table(
        GlobalTableName="users", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}]
    )
    code, _ = error_of(
        lambda: east.update_global_table(
            GlobalTableName="users", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}]
        )
    )
    assert code == "ReplicaAlreadyExistsException"
    code, _ = error_of(
        lambda: east.update_global_table(
            GlobalTableName="users", ReplicaUpdates=[{"Delete": {"RegionName": "eu-west-1"}}]
        )
    )
    assert code == "ReplicaNotFoundException"
    east.update_global_table(
        GlobalTableName="users", ReplicaUpdates=[{"Delete": {"RegionName": "us-west-2"}}]
    )
    assert emu.client(region_name="us-west-2").list_tables()["TableNames"] == ["users"]  # the table stays
    east.put_item(TableName="users", Item={"pk": {"S": "a"}})
    assert "Item" not in emu.client(region_name="us-west-2").get_item(
        TableName="users", Key={"pk": {"S": "a"}}
    )


def test_unknown_and_current_tables_are_not_legacy_global_tables(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    for call in (
        lambda: east.describe_global_table(GlobalTableName="nope"),
        lambda: east.describe_global_table_settings(GlobalTableName="nope"),
        lambda: east.update_global_table(
            GlobalTableName="nope", ReplicaUpdates=[{"Delete": {"RegionName": "x"}}]
        ),
    ):
        code, message = error_of(call)
        assert code == "GlobalTableNotFoundException"
        assert "nope" in message


def test_global_table_settings_read_and_write_every_replica(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    east.create_global_table(
        GlobalTableName="users", ReplicationGroup=[{"RegionName": "us-east-1"}, {"RegionName": "us-west-2"}]
    )
    settings = east.describe_global_table_settings(GlobalTableName="users")["ReplicaSettings"]
    assert [s["RegionName"] for s in settings] == ["us-east-1", "us-west-2"]
    assert settings[0]["ReplicaProvisionedWriteCapacityUnits"] == 5
    assert settings[0]["ReplicaBillingModeSummary"] == {"BillingMode": "PROVISIONED"}
    answer = east.update_global_table_settings(
        GlobalTableName="users",
        GlobalTableProvisionedWriteCapacityUnits=8,
        ReplicaSettingsUpdate=[{"RegionName": "us-west-2", "ReplicaProvisionedReadCapacityUnits": 3}],
    )
    by_region = {s["RegionName"]: s for s in answer["ReplicaSettings"]}
    assert by_region["us-west-2"]["ReplicaProvisionedReadCapacityUnits"] == 3
    assert by_region["us-east-1"]["ReplicaProvisionedReadCapacityUnits"] == 5
    assert {s["ReplicaProvisionedWriteCapacityUnits"] for s in by_region.values()} == {8}
    west = emu.client(region_name="us-west-2").describe_table(TableName="users")["Table"]
    assert west["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    code, _ = error_of(
        lambda: east.update_global_table_settings(
            GlobalTableName="users", ReplicaSettingsUpdate=[{"RegionName": "eu-west-1"}]
        )
    )
    assert code == "ReplicaNotFoundException"
    code, _ = error_of(
        lambda: east.update_global_table_settings(
            GlobalTableName="users",
            GlobalTableGlobalSecondaryIndexSettingsUpdate=[
                {"IndexName": "nope", "ProvisionedWriteCapacityUnits": 1}
            ],
        )
    )
    assert code == "IndexNotFoundException"
    east.update_global_table_settings(GlobalTableName="users", GlobalTableBillingMode="PAY_PER_REQUEST")
    summary = emu.client(region_name="us-west-2").describe_table(TableName="users")["Table"][
        "BillingModeSummary"
    ]
    assert summary["BillingMode"] == "PAY_PER_REQUEST"


def test_replica_auto_scaling_is_recorded_and_described(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    assert east.describe_table_replica_auto_scaling(TableName="users")["TableAutoScalingDescription"] == {
        "TableName": "users",
        "TableStatus": "ACTIVE",
        "Replicas": [{"RegionName": "us-east-1", "ReplicaStatus": "ACTIVE"}],
    }
    policy = {"TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70.0}}
    answer = east.update_table_replica_auto_scaling(
        TableName="users",
        ProvisionedWriteCapacityAutoScalingUpdate={
            "MinimumUnits": 5,
            "MaximumUnits": 40,
            "ScalingPolicyUpdate": policy,
        },
        ReplicaUpdates=[
            {
                "RegionName": "us-east-1",
                "ReplicaProvisionedReadCapacityAutoScalingUpdate": {"MinimumUnits": 1, "MaximumUnits": 10},
            }
        ],
    )["TableAutoScalingDescription"]
    replica = answer["Replicas"][0]
    write = replica["ReplicaProvisionedWriteCapacityAutoScalingSettings"]
    assert (write["MinimumUnits"], write["MaximumUnits"], write["AutoScalingDisabled"]) == (5, 40, False)
    assert write["ScalingPolicies"] == [policy]
    assert write["AutoScalingRoleArn"].endswith("AWSServiceRoleForApplicationAutoScaling_DynamoDBTable")
    assert replica["ReplicaProvisionedReadCapacityAutoScalingSettings"]["MaximumUnits"] == 10
    code, message = error_of(
        lambda: east.update_table_replica_auto_scaling(
            TableName="users",
            ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 9, "MaximumUnits": 2},
        )
    )
    assert code == "ValidationException" and "must not exceed" in message
    again = east.describe_table_replica_auto_scaling(TableName="users")["TableAutoScalingDescription"]
    assert again["Replicas"][0]["ReplicaProvisionedWriteCapacityAutoScalingSettings"]["MaximumUnits"] == 40
    code, _ = error_of(lambda: east.describe_table_replica_auto_scaling(TableName="missing"))
    assert code == "ResourceNotFoundException"


def test_write_auto_scaling_lets_a_provisioned_table_get_a_replica(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    create(east, "orders")
    east.update_table_replica_auto_scaling(
        TableName="orders", ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 5, "MaximumUnits": 40}
    )
    east.update_table(TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}])
    scaling = east.describe_table_replica_auto_scaling(TableName="orders")["TableAutoScalingDescription"]
    assert [r["RegionName"] for r in scaling["Replicas"]] == ["us-east-1", "eu-west-1"]


def test_auto_scaling_is_for_provisioned_tables(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    east.create_table(
        TableName="ondemand",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    code, message = error_of(
        lambda: east.update_table_replica_auto_scaling(
            TableName="ondemand",
            ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 1, "MaximumUnits": 2},
        )
    )
    assert code == "ValidationException" and "PROVISIONED" in message


def test_snapshots_undo_legacy_groups_and_auto_scaling(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    with emu.rollback():
        east.create_global_table(GlobalTableName="users", ReplicationGroup=[{"RegionName": "us-east-1"}])
        east.update_table_replica_auto_scaling(
            TableName="users",
            ProvisionedWriteCapacityAutoScalingUpdate={"MinimumUnits": 1, "MaximumUnits": 2},
        )
    assert east.list_global_tables()["GlobalTables"] == []
    replicas = east.describe_table_replica_auto_scaling(TableName="users")["TableAutoScalingDescription"][
        "Replicas"
    ]
    assert "ReplicaProvisionedWriteCapacityAutoScalingSettings" not in replicas[0]
