"""UpdateContributorInsights, DescribeContributorInsights and ListContributorInsights."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient

GSI = {
    "IndexName": "by-gk",
    "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"},
}


def indexed(name: str = "things") -> dict[str, Any]:
    return table_request(
        name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "gk", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[GSI],
    )


def strip(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def test_never_enabled_is_disabled(client: EmulatorClient, table: str) -> None:
    assert strip(client.describe_contributor_insights(TableName=table)) == {
        "TableName": table,
        "ContributorInsightsStatus": "DISABLED",
    }
    assert client.list_contributor_insights()["ContributorInsightsSummaries"] == []


def test_enable_then_disable_settle_at_once_by_default(
    client: EmulatorClient, emu: DynamoDBEmulator, table: str
) -> None:
    emu.clock.set(1_700_000_000)
    assert strip(client.update_contributor_insights(TableName=table, ContributorInsightsAction="ENABLE")) == {
        "TableName": table,
        "ContributorInsightsStatus": "ENABLING",
        "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS",
    }
    described = strip(client.describe_contributor_insights(TableName=table))
    assert described == {
        "TableName": table,
        "ContributorInsightsRuleList": [
            f"DynamoDBContributorInsights-{kind}-{table}-1700000000000"
            for kind in ("PKC", "PKT", "SKC", "SKT")
        ],
        "ContributorInsightsStatus": "ENABLED",
        "LastUpdateDateTime": datetime.fromtimestamp(1_700_000_000, UTC),
        "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS",
    }
    # Enabling again changes nothing and answers the status now.
    again = client.update_contributor_insights(TableName=table, ContributorInsightsAction="ENABLE")
    assert again["ContributorInsightsStatus"] == "ENABLED"
    off = client.update_contributor_insights(TableName=table, ContributorInsightsAction="DISABLE")
    assert strip(off) == {"TableName": table, "ContributorInsightsStatus": "DISABLING"}
    assert client.describe_contributor_insights(TableName=table)["ContributorInsightsStatus"] == "DISABLED"


def test_statuses_follow_the_clock_with_a_transition_delay(client: EmulatorClient) -> None:
    emu = DynamoDBEmulator(transition_delay=30)
    client = emu.client()
    client.create_table(**table_request("slow"))
    emu.clock.set(1_700_000_000)
    client.update_contributor_insights(TableName="slow", ContributorInsightsAction="ENABLE")
    emu.clock.advance(29)
    assert client.describe_contributor_insights(TableName="slow")["ContributorInsightsStatus"] == "ENABLING"
    assert client.list_contributor_insights()["ContributorInsightsSummaries"][0][
        "ContributorInsightsStatus"
    ] == ("ENABLING")
    emu.clock.advance(1)
    assert client.describe_contributor_insights(TableName="slow")["ContributorInsightsStatus"] == "ENABLED"
    client.update_contributor_insights(TableName="slow", ContributorInsightsAction="DISABLE")
    assert client.describe_contributor_insights(TableName="slow")["ContributorInsightsStatus"] == "DISABLING"
    emu.transition_delay = 0
    assert client.describe_contributor_insights(TableName="slow")["ContributorInsightsStatus"] == "DISABLED"
    with pytest.raises(ValueError, match="transition_delay"):
        emu.transition_delay = -1


def test_gsi_insights_and_throttled_keys_mode(client: EmulatorClient, emu: DynamoDBEmulator) -> None:
    client.create_table(**indexed())
    answer = client.update_contributor_insights(
        TableName="things",
        IndexName="by-gk",
        ContributorInsightsAction="ENABLE",
        ContributorInsightsMode="THROTTLED_KEYS",
    )
    assert (answer["IndexName"], answer["ContributorInsightsMode"]) == ("by-gk", "THROTTLED_KEYS")
    described = client.describe_contributor_insights(TableName="things", IndexName="by-gk")
    assert [rule.split("-")[1] for rule in described["ContributorInsightsRuleList"]] == ["PKT", "SKT"]
    assert client.describe_contributor_insights(TableName="things")["ContributorInsightsStatus"] == "DISABLED"
    with pytest.raises(ClientError) as caught:
        client.describe_contributor_insights(TableName="things", IndexName="nope")
    assert caught.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Requested resource not found: Index: nope not found for table: things",
    }
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.update_contributor_insights(TableName="missing", ContributorInsightsAction="ENABLE")
    # Dropping the GSI drops its insights.
    client.update_table(TableName="things", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-gk"}}])
    assert client.list_contributor_insights()["ContributorInsightsSummaries"] == []


def test_list_pages_through_tables_and_indexes(client: EmulatorClient) -> None:
    for name in ("a-table", "b-table", "c-table"):
        client.create_table(**indexed(name))
        client.update_contributor_insights(TableName=name, ContributorInsightsAction="ENABLE")
        client.update_contributor_insights(
            TableName=name, IndexName="by-gk", ContributorInsightsAction="ENABLE"
        )
    client.update_contributor_insights(TableName="b-table", ContributorInsightsAction="DISABLE")
    seen: list[tuple[str, str | None]] = []
    request: dict[str, Any] = {"MaxResults": 2}
    pages = 0
    while True:
        page = client.list_contributor_insights(**request)
        pages += 1
        seen.extend((s["TableName"], s.get("IndexName")) for s in page["ContributorInsightsSummaries"])
        if "NextToken" not in page:
            break
        request["NextToken"] = page["NextToken"]
    assert pages == 3
    assert seen == [
        ("a-table", None),
        ("a-table", "by-gk"),
        ("b-table", "by-gk"),
        ("c-table", None),
        ("c-table", "by-gk"),
    ]
    only = client.list_contributor_insights(TableName="c-table")["ContributorInsightsSummaries"]
    assert [s.get("IndexName") for s in only] == [None, "by-gk"]
    for below_one in (0, -1):  # the model sets no minimum: taken as no MaxResults (found by test_garbage)
        page = client.list_contributor_insights(MaxResults=below_one)
        assert len(page["ContributorInsightsSummaries"]) == 5 and "NextToken" not in page
    with pytest.raises(ClientError) as caught:
        client.list_contributor_insights(NextToken="garbage!")
    assert caught.value.response["Error"]["Message"] == "Invalid NextToken: garbage!"


def test_snapshots_and_table_deletion(client: EmulatorClient, emu: DynamoDBEmulator, table: str) -> None:
    with emu.rollback():
        client.update_contributor_insights(TableName=table, ContributorInsightsAction="ENABLE")
    assert client.describe_contributor_insights(TableName=table)["ContributorInsightsStatus"] == "DISABLED"
    client.update_contributor_insights(TableName=table, ContributorInsightsAction="ENABLE")
    client.delete_table(TableName=table)
    assert client.list_contributor_insights()["ContributorInsightsSummaries"] == []


def test_routed_boto3_client(emu: DynamoDBEmulator) -> None:
    client = emu.boto3_client(region_name="us-east-1")
    client.create_table(**table_request("things"))
    client.update_contributor_insights(TableName="things", ContributorInsightsAction="ENABLE")
    summaries = client.list_contributor_insights(MaxResults=1)["ContributorInsightsSummaries"]
    assert summaries == [
        {
            "TableName": "things",
            "ContributorInsightsStatus": "ENABLED",
            "ContributorInsightsMode": "ACCESSED_AND_THROTTLED_KEYS",
        }
    ]
