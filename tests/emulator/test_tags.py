"""TagResource, UntagResource, ListTagsOfResource, DescribeLimits and DescribeEndpoints."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient


@pytest.fixture
def arn(client: EmulatorClient) -> str:
    created = client.create_table(**table_request("things", Tags=[{"Key": "owner", "Value": "me"}]))
    return str(created["TableDescription"]["TableArn"])


def error(call: Any, **request: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**request)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_tag_untag_list(client: EmulatorClient, arn: str) -> None:
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "owner", "Value": "me"}]
    client.tag_resource(
        ResourceArn=arn, Tags=[{"Key": "team", "Value": "blue"}, {"Key": "owner", "Value": "you"}]
    )
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "owner", "Value": "you"},
        {"Key": "team", "Value": "blue"},
    ]
    client.untag_resource(ResourceArn=arn, TagKeys=["owner", "never-set"])
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "blue"}]
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "empty", "Value": ""}])
    assert {"Key": "empty", "Value": ""} in client.list_tags_of_resource(ResourceArn=arn)["Tags"]


def test_tags_go_with_the_table(client: EmulatorClient, arn: str) -> None:
    client.delete_table(TableName="things")
    assert error(client.list_tags_of_resource, ResourceArn=arn) == (
        "ResourceNotFoundException",
        f"Requested resource not found: ResourcArn: {arn} not found",
    )
    client.create_table(**table_request("things"))
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


def test_resource_must_be_a_table_arn(client: EmulatorClient, emu: DynamoDBEmulator, arn: str) -> None:
    assert error(client.tag_resource, ResourceArn="things", Tags=[{"Key": "a", "Value": "b"}]) == (
        "ValidationException",
        "Invalid TableArn: Invalid ResourceArn provided as input things",
    )
    missing = arn.replace("table/things", "table/nothing")
    assert error(client.list_tags_of_resource, ResourceArn=missing) == (
        "ResourceNotFoundException",
        f"Requested resource not found: ResourcArn: {missing} not found",
    )
    index_arn = arn + "/index/nope"
    assert (
        error(client.untag_resource, ResourceArn=index_arn, TagKeys=["a"])[0] == "ResourceNotFoundException"
    )


@pytest.mark.parametrize("operation", ["list_tags_of_resource", "tag_resource", "untag_resource"])
def test_another_accounts_arn_is_refused_before_the_lookup(
    client: EmulatorClient, emu: DynamoDBEmulator, arn: str, operation: str
) -> None:
    """SERVICE-FACTS I1: the service authorises the caller against the ARN's account first, so an ARN of
    another account is AccessDenied whether or not its table exists (tag and untag are the guess)."""
    for other in (
        arn.replace(emu.account_id, "999999999999"),
        "arn:aws:dynamodb:us-east-1:000000000000:table/x",
    ):
        extras: dict[str, dict[str, Any]] = {
            "list_tags_of_resource": {},
            "tag_resource": {"Tags": [{"Key": "a", "Value": "b"}]},
            "untag_resource": {"TagKeys": ["a"]},
        }
        code, message = error(getattr(client, operation), ResourceArn=other, **extras[operation])
        action = "".join(part.title() for part in operation.split("_"))
        assert code == "AccessDeniedException"
        assert message == (
            f"User: arn:aws:iam::{emu.account_id}:root is not authorized to perform: dynamodb:{action} on "
            f"resource: {other}"
        )


def test_tag_limits(client: EmulatorClient, arn: str) -> None:
    reserved = error(client.tag_resource, ResourceArn=arn, Tags=[{"Key": "aws:made", "Value": "x"}])
    assert reserved == (
        "ValidationException",
        "One or more parameter values were invalid: Tag key prefix aws: is reserved for AWS use",
    )
    many = [{"Key": f"k{n}", "Value": "v"} for n in range(49)]
    client.tag_resource(ResourceArn=arn, Tags=many)  # 49 + "owner" = 50
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "k0", "Value": "replaced"}])
    code, message = error(client.tag_resource, ResourceArn=arn, Tags=[{"Key": "one-more", "Value": "v"}])
    assert (code, message.endswith("limit of 50")) == ("ValidationException", True)
    assert len(client.list_tags_of_resource(ResourceArn=arn)["Tags"]) == 50
    too_long = error(client.tag_resource, ResourceArn=arn, Tags=[{"Key": "k" * 129, "Value": "v"}])
    assert too_long[0] == "ValidationException"
    assert too_long[1].endswith("Member must have length less than or equal to 128")


def test_tag_key_length_is_checked_by_the_service(emu: DynamoDBEmulator, arn: str) -> None:
    with pytest.raises(Exception) as caught:
        emu.dispatch("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "k" * 129, "Value": "v"}]})
    assert "Member must have length less than or equal to 128" in str(caught.value)
    with pytest.raises(Exception, match="TagKeys must not be empty"):
        emu.dispatch("UntagResource", {"ResourceArn": arn, "TagKeys": []})


def test_limits_and_endpoints(emu: DynamoDBEmulator) -> None:
    client = emu.boto3_client()
    limits = client.describe_limits()
    limits.pop("ResponseMetadata")
    assert limits == {
        "AccountMaxReadCapacityUnits": 80000,
        "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000,
        "TableMaxWriteCapacityUnits": 40000,
    }
    assert client.describe_endpoints()["Endpoints"] == [
        {"Address": "dynamodb.us-east-1.amazonaws.com", "CachePeriodInMinutes": 1440}
    ]
    assert (
        DynamoDBEmulator(region="eu-west-1").dispatch("DescribeEndpoints", {})["Endpoints"][0]["Address"]
        == "dynamodb.eu-west-1.amazonaws.com"
    )


def test_tags_through_boto3(emu: DynamoDBEmulator) -> None:
    client = emu.boto3_client()
    arn = client.create_table(**table_request("routed"))["TableDescription"]["TableArn"]
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert client.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.untag_resource(ResourceArn=arn.replace("routed", "other"), TagKeys=["k"])
