"""PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy and CreateTable's ResourcePolicy."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks import mock_dynamodb
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient
from theorydb_mocks.emulator.server import serve_in_thread

ACCOUNT = "123456789012"


def policy(action: str = "dynamodb:GetItem", effect: str = "Allow", principal: Any = None) -> str:
    statement = {
        "Effect": effect,
        "Principal": principal if principal is not None else {"AWS": f"arn:aws:iam::{ACCOUNT}:role/reader"},
        "Action": action,
        "Resource": "*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def error(call: Any, **request: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**request)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


@pytest.fixture
def arn(client: EmulatorClient) -> str:
    return str(client.create_table(**table_request("things"))["TableDescription"]["TableArn"])


def test_put_get_delete_with_revision_ids(client: EmulatorClient, emu: DynamoDBEmulator, arn: str) -> None:
    emu.clock.set(1_700_000_000)
    first = client.put_resource_policy(ResourceArn=arn, Policy=policy())["RevisionId"]
    assert first == "1700000000000"
    assert client.get_resource_policy(ResourceArn=arn)["Policy"] == policy()
    # The same document again changes nothing and answers the same revision id.
    assert client.put_resource_policy(ResourceArn=arn, Policy=policy())["RevisionId"] == first
    # A new document in the same millisecond still gets a new, larger revision id.
    second = client.put_resource_policy(ResourceArn=arn, Policy=policy("dynamodb:Query"))["RevisionId"]
    assert int(second) > int(first)
    got = client.get_resource_policy(ResourceArn=arn)
    assert (got["Policy"], got["RevisionId"]) == (policy("dynamodb:Query"), second)
    assert client.delete_resource_policy(ResourceArn=arn)["RevisionId"] == second
    assert error(client.get_resource_policy, ResourceArn=arn) == (
        "PolicyNotFoundException",
        f"Resource-based policy not found for the provided ResourceArn: {arn}",
    )
    assert error(client.delete_resource_policy, ResourceArn=arn)[0] == "PolicyNotFoundException"


def test_expected_revision_id_makes_changes_conditional(client: EmulatorClient, arn: str) -> None:
    assert error(client.put_resource_policy, ResourceArn=arn, Policy=policy(), ExpectedRevisionId="1") == (
        "PolicyNotFoundException",
        f"A resource-based policy with the revision id 1 was not found for the provided ResourceArn: {arn}",
    )
    revision = client.put_resource_policy(ResourceArn=arn, Policy=policy(), ExpectedRevisionId="NO_POLICY")[
        "RevisionId"
    ]
    code, _ = error(
        client.put_resource_policy, ResourceArn=arn, Policy=policy("x:Y"), ExpectedRevisionId="NO_POLICY"
    )
    assert code == "PolicyNotFoundException"
    code, _ = error(client.delete_resource_policy, ResourceArn=arn, ExpectedRevisionId=revision + "0")
    assert code == "PolicyNotFoundException"
    assert client.get_resource_policy(ResourceArn=arn)["RevisionId"] == revision  # nothing changed
    newer = client.put_resource_policy(ResourceArn=arn, Policy=policy("x:Y"), ExpectedRevisionId=revision)
    assert client.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=newer["RevisionId"])


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ("{not json", "the document is not valid JSON"),
        ("[]", "the document must be a JSON object"),
        ('{"Version": "2012-10-17"}', "the document must have a Statement with at least one statement"),
        (
            '{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "*"}]}',
            "statement 1 must have an Effect of Allow or Deny",
        ),
        (
            '{"Statement": {"Effect": "Allow", "Action": "*"}}',
            "statement 1 must name a Principal (a resource policy applies to one)",
        ),
        (
            '{"Statement": [{"Effect": "Allow", "Principal": "*"}]}',
            "statement 1 must have an Action or NotAction",
        ),
        (
            '{"Version": "2020-01-01", "Statement": []}',
            "the Version '2020-01-01' is not one of 2012-10-17, 2008-10-17",
        ),
    ],
)
def test_documents_are_checked(client: EmulatorClient, arn: str, document: str, reason: str) -> None:
    assert error(client.put_resource_policy, ResourceArn=arn, Policy=document) == (
        "ValidationException",
        f"Invalid policy document: {reason}",
    )


def test_size_limit_counts_whitespace(client: EmulatorClient, arn: str) -> None:
    padded = policy() + " " * (20 * 1024 - len(policy()))
    assert client.put_resource_policy(ResourceArn=arn, Policy=padded)["RevisionId"]
    code, message = error(client.put_resource_policy, ResourceArn=arn, Policy=padded + " ")
    assert code == "ValidationException"
    assert message == (
        "Resource-based policy size 20481 exceeds the maximum allowed size of 20480 bytes for the resource "
        f"{arn}"
    )


def test_denying_yourself_needs_confirmation(client: EmulatorClient, arn: str) -> None:
    lockout = policy("dynamodb:*", effect="Deny", principal="*")
    code, message = error(client.put_resource_policy, ResourceArn=arn, Policy=lockout)
    assert code == "ValidationException" and "ConfirmRemoveSelfResourceAccess" in message
    assert client.put_resource_policy(ResourceArn=arn, Policy=lockout, ConfirmRemoveSelfResourceAccess=True)
    # Denying only reads locks nobody out of the policy.
    assert client.put_resource_policy(
        ResourceArn=arn, Policy=policy("dynamodb:GetItem", effect="Deny", principal="*")
    )


def test_resources_are_tables_and_their_streams(
    client: EmulatorClient, emu: DynamoDBEmulator, arn: str
) -> None:
    assert error(client.get_resource_policy, ResourceArn="things") == (
        "ValidationException",
        "Invalid TableArn: Invalid ResourceArn provided as input things",
    )
    missing = arn.replace("table/things", "table/nothing")
    assert error(client.put_resource_policy, ResourceArn=missing, Policy=policy()) == (
        "ResourceNotFoundException",
        f"Requested resource not found: ResourceArn: {missing} not found",
    )
    other = arn.replace(ACCOUNT, "999999999999")
    assert error(client.get_resource_policy, ResourceArn=other)[0] == "AccessDeniedException"
    assert error(client.get_resource_policy, ResourceArn=f"{arn}/index/by-gk")[0] == "ValidationException"
    client.update_table(
        TableName="things", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    )
    stream = client.describe_table(TableName="things")["Table"]["LatestStreamArn"]
    revision = client.put_resource_policy(ResourceArn=stream, Policy=policy("dynamodb:GetRecords"))[
        "RevisionId"
    ]
    assert client.get_resource_policy(ResourceArn=stream)["RevisionId"] == revision
    assert error(client.get_resource_policy, ResourceArn=arn)[0] == "PolicyNotFoundException"  # its own
    assert error(client.get_resource_policy, ResourceArn=f"{arn}/stream/2000-01-01T00:00:00.000")[0] == (
        "ResourceNotFoundException"
    )


def test_create_table_attaches_a_policy_and_refuses_a_bad_one(
    client: EmulatorClient, emu: DynamoDBEmulator
) -> None:
    created = client.create_table(**table_request("with-policy", ResourcePolicy=policy()))["TableDescription"]
    assert client.get_resource_policy(ResourceArn=created["TableArn"])["Policy"] == policy()
    assert (
        error(client.create_table, **table_request("bad-policy", ResourcePolicy="{"))[0]
        == "ValidationException"
    )
    assert "bad-policy" not in emu.tables


def test_policies_go_with_the_table_and_snapshots_put_them_back(
    client: EmulatorClient, emu: DynamoDBEmulator, arn: str
) -> None:
    with emu.rollback():
        client.put_resource_policy(ResourceArn=arn, Policy=policy())
    assert error(client.get_resource_policy, ResourceArn=arn)[0] == "PolicyNotFoundException"
    client.put_resource_policy(ResourceArn=arn, Policy=policy())
    snapshot = emu.snapshot()
    client.delete_resource_policy(ResourceArn=arn)
    emu.restore(snapshot)
    assert client.get_resource_policy(ResourceArn=arn)["Policy"] == policy()
    client.delete_table(TableName="things")
    client.create_table(**table_request("things"))
    assert error(client.get_resource_policy, ResourceArn=arn)[0] == "PolicyNotFoundException"


@pytest.fixture(params=["boto3", "mock_dynamodb", "http"])
def door(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "boto3":
        yield DynamoDBEmulator().boto3_client(region_name="us-east-1")
    elif request.param == "mock_dynamodb":
        with mock_dynamodb():
            yield boto3.client("dynamodb", region_name="us-east-1")
    else:
        with serve_in_thread() as endpoint:
            yield boto3.client(
                "dynamodb",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )


def test_every_door(door: Any) -> None:
    table_arn = door.create_table(**table_request("things"))["TableDescription"]["TableArn"]
    revision = door.put_resource_policy(ResourceArn=table_arn, Policy=policy())["RevisionId"]
    assert door.get_resource_policy(ResourceArn=table_arn) | {"ResponseMetadata": None} == {
        "Policy": policy(),
        "RevisionId": revision,
        "ResponseMetadata": None,
    }
    with pytest.raises(door.exceptions.PolicyNotFoundException):
        door.delete_resource_policy(ResourceArn=table_arn, ExpectedRevisionId="NO_POLICY")
    assert door.delete_resource_policy(ResourceArn=table_arn)["RevisionId"] == revision
