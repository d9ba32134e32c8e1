"""Policies, contributor insights and table settings survive the server's restart, with and without
compaction (the journal replays their requests; compaction writes them after each table's CreateTable)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.emulator.conftest import table_request
from tests.server.conftest import make_client
from theorydb_mocks.emulator.server import EmulatorServer

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "dynamodb:*", "Resource": "*"}
        ],
    }
)


def _settle(client: Any) -> dict[str, Any]:
    arn = client.describe_table(TableName="things")["Table"]["TableArn"]
    revision = client.put_resource_policy(ResourceArn=arn, Policy=POLICY)["RevisionId"]
    client.update_contributor_insights(
        TableName="things", ContributorInsightsAction="ENABLE", ContributorInsightsMode="THROTTLED_KEYS"
    )
    client.update_table(TableName="things", WarmThroughput={"ReadUnitsPerSecond": 20000})
    return {"arn": arn, "revision": revision}


def _check(client: Any, seen: dict[str, Any]) -> None:
    assert client.get_resource_policy(ResourceArn=seen["arn"])["RevisionId"] == seen["revision"]
    insights = client.describe_contributor_insights(TableName="things")
    assert (insights["ContributorInsightsStatus"], insights["ContributorInsightsMode"]) == (
        "ENABLED",
        "THROTTLED_KEYS",
    )
    table = client.describe_table(TableName="things")["Table"]
    assert table["WarmThroughput"]["ReadUnitsPerSecond"] == 20000
    assert table["OnDemandThroughput"] == {"MaxReadRequestUnits": 50, "MaxWriteRequestUnits": -1}
    assert table["SSEDescription"]["KMSMasterKeyArn"].endswith(":key/my-key")


@pytest.mark.parametrize("compact", [False, True])
def test_control_settings_survive_a_restart(tmp_path: Any, compact: bool) -> None:
    path = str(tmp_path / "db.journal")
    with EmulatorServer(db_path=path) as server:
        client = make_client(server.endpoint_url)
        client.create_table(
            **table_request(
                "things",
                OnDemandThroughput={"MaxReadRequestUnits": 50, "MaxWriteRequestUnits": -1},
                SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "my-key"},
            )
        )
        seen = _settle(client)
        if compact:
            server.compact()
    with EmulatorServer(db_path=path) as server:
        _check(make_client(server.endpoint_url), seen)
