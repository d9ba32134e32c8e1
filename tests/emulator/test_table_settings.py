"""Tables as the service describes them: WarmThroughput, OnDemandThroughput, TableClass, SSE, deletion
protection (CreateTable, UpdateTable, DescribeTable)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient

GK = {"AttributeName": "gk", "AttributeType": "S"}
DEFAULT_WARM = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}


def gsi(**extra: Any) -> dict[str, Any]:
    return {
        "IndexName": "by-gk",
        "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"},
        **extra,
    }


def with_gsi(name: str = "things", **extra: Any) -> dict[str, Any]:
    request = table_request(name, ranged=False, **{"GlobalSecondaryIndexes": [gsi()], **extra})
    request["AttributeDefinitions"] = [*request["AttributeDefinitions"], GK]
    return request


def error(call: Any, **request: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**request)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_every_table_and_gsi_reports_warm_throughput(client: EmulatorClient) -> None:
    described = client.create_table(**with_gsi())["TableDescription"]
    assert described["WarmThroughput"] == DEFAULT_WARM
    assert described["GlobalSecondaryIndexes"][0]["WarmThroughput"] == DEFAULT_WARM
    provisioned = table_request(
        "big", ranged=False, ProvisionedThroughput={"ReadCapacityUnits": 20000, "WriteCapacityUnits": 5}
    )
    del provisioned["BillingMode"]
    assert client.create_table(**provisioned)["TableDescription"]["WarmThroughput"] == {
        "ReadUnitsPerSecond": 20000,
        "WriteUnitsPerSecond": 4000,
        "Status": "ACTIVE",
    }


def test_warm_throughput_is_raised_never_lowered(emu: DynamoDBEmulator) -> None:
    emu.transition_delay = 60
    client = emu.client()
    emu.clock.set(1_700_000_000)
    created = client.create_table(
        **with_gsi(
            WarmThroughput={"ReadUnitsPerSecond": 15000},
            GlobalSecondaryIndexes=[gsi(WarmThroughput={"WriteUnitsPerSecond": 9000})],
        )
    )["TableDescription"]
    assert created["WarmThroughput"] == {
        "ReadUnitsPerSecond": 15000,
        "WriteUnitsPerSecond": 4000,
        "Status": "ACTIVE",
    }
    assert created["GlobalSecondaryIndexes"][0]["WarmThroughput"]["WriteUnitsPerSecond"] == 9000
    updated = client.update_table(TableName="things", WarmThroughput={"WriteUnitsPerSecond": 6000})[
        "TableDescription"
    ]
    assert updated["WarmThroughput"] == {
        "ReadUnitsPerSecond": 15000,
        "WriteUnitsPerSecond": 6000,
        "Status": "UPDATING",
    }
    emu.clock.advance(60)
    assert client.describe_table(TableName="things")["Table"]["WarmThroughput"]["Status"] == "ACTIVE"
    assert error(client.update_table, TableName="things", WarmThroughput={"ReadUnitsPerSecond": 14000}) == (
        "ValidationException",
        "One or more parameter values were invalid: Warm throughput cannot be decreased: the read units per "
        "second of 15000 cannot go down to 14000",
    )
    client.update_table(
        TableName="things",
        GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "by-gk", "WarmThroughput": {"ReadUnitsPerSecond": 30000}}}
        ],
    )
    index = client.describe_table(TableName="things")["Table"]["GlobalSecondaryIndexes"][0]
    assert index["WarmThroughput"] == {
        "ReadUnitsPerSecond": 30000,
        "WriteUnitsPerSecond": 9000,
        "Status": "UPDATING",
    }
    assert error(client.update_table, TableName="things", WarmThroughput={})[0] == "ValidationException"


def test_on_demand_throughput_is_kept_and_merged(client: EmulatorClient) -> None:
    limits = {"MaxReadRequestUnits": 10, "MaxWriteRequestUnits": 20}
    created = client.create_table(
        **with_gsi(OnDemandThroughput=limits, GlobalSecondaryIndexes=[gsi(OnDemandThroughput=limits)])
    )
    assert created["TableDescription"]["OnDemandThroughput"] == limits
    assert created["TableDescription"]["GlobalSecondaryIndexes"][0]["OnDemandThroughput"] == limits
    updated = client.update_table(TableName="things", OnDemandThroughput={"MaxReadRequestUnits": -1})
    assert updated["TableDescription"]["OnDemandThroughput"] == {
        "MaxReadRequestUnits": -1,
        "MaxWriteRequestUnits": 20,
    }
    assert error(client.update_table, TableName="things", OnDemandThroughput={"MaxWriteRequestUnits": 0}) == (
        "ValidationException",
        "One or more parameter values were invalid: MaxWriteRequestUnits must be -1 (no maximum) or a "
        "positive number, not 0",
    )
    assert "OnDemandThroughput" not in client.create_table(**table_request("plain"))["TableDescription"]


def test_table_class_switch_is_dated(client: EmulatorClient, emu: DynamoDBEmulator) -> None:
    emu.clock.set(1_700_000_000)
    created = client.create_table(**table_request("things", TableClass="STANDARD_INFREQUENT_ACCESS"))
    assert created["TableDescription"]["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    emu.clock.advance(10)
    updated = client.update_table(TableName="things", TableClass="STANDARD")["TableDescription"]
    assert updated["TableClassSummary"] == {
        "TableClass": "STANDARD",
        "LastUpdateDateTime": datetime.fromtimestamp(1_700_000_010, UTC),
    }


def test_sse_description_names_the_key_by_arn(client: EmulatorClient) -> None:
    kms = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}
    described = client.create_table(**table_request("things", SSESpecification=kms))["TableDescription"]
    assert described["SSEDescription"] == {
        "Status": "ENABLED",
        "SSEType": "KMS",
        "KMSMasterKeyArn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    }
    managed = client.create_table(**table_request("managed", SSESpecification={"Enabled": True}))
    arn = managed["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"]
    assert arn.startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert "SSEDescription" not in client.create_table(**table_request("owned"))["TableDescription"]


def test_deletion_protection_round_trip(client: EmulatorClient) -> None:
    created = client.create_table(**table_request("things", DeletionProtectionEnabled=True))
    assert created["TableDescription"]["DeletionProtectionEnabled"] is True
    assert error(client.delete_table, TableName="things")[0] == "ValidationException"
    client.update_table(TableName="things", DeletionProtectionEnabled=False)
    assert client.delete_table(TableName="things")["TableDescription"]["TableStatus"] == "DELETING"


def test_settings_are_undone_by_snapshots(client: EmulatorClient, emu: DynamoDBEmulator) -> None:
    client.create_table(**table_request("things"))
    with emu.rollback():
        client.update_table(TableName="things", WarmThroughput={"ReadUnitsPerSecond": 50000})
    assert client.describe_table(TableName="things")["Table"]["WarmThroughput"] == DEFAULT_WARM
