"""TagResource, UntagResource, ListTagsOfResource, DescribeLimits and DescribeEndpoints.

Tags live on the table's catalog record (``TableState.tags``, also filled by CreateTable's ``Tags``), keyed by
the table's ARN, so they go when the table goes. A resource is named by its ARN only; a table name or an ARN
of another region, account or resource type is not found. Tagging a key again replaces its value; untagging
a key that is not there is not an error. DynamoDB Local does not support tagging (it answers
``UnknownOperationException``), so these rules follow the service's documentation: at most 50 tags per
resource, keys of 1 to 128 and values of up to 256 characters (the model's constraints, checked by
``validation``), and the ``aws:`` prefix reserved.

DescribeLimits answers the default quotas of an account (as DynamoDB Local does); DescribeEndpoints the
regional endpoint, cached for a day (DynamoDB Local does not implement it).

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html (and UntagResource,
ListTagsOfResource, DescribeLimits, DescribeEndpoints)

>>> from theorydb_mocks.emulator.core import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> arn = emu.dispatch("CreateTable", {"TableName": "things", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})["TableDescription"]["TableArn"]
>>> emu.dispatch("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "team", "Value": "blue"}]})
{}
>>> emu.dispatch("ListTagsOfResource", {"ResourceArn": arn})
{'Tags': [{'Key': 'team', 'Value': 'blue'}]}
"""

from __future__ import annotations

from typing import Any

from theorydb_mocks.emulator._types import Request, Response
from theorydb_mocks.emulator.errors import ddb_error, validation_error
from theorydb_mocks.emulator.messages import (
    EMPTY_TAG_KEYS,
    EMPTY_TAGS,
    INVALID_RESOURCE_ARN,
    NOT_AUTHORIZED,
    NULL_MEMBER,
    RESERVED_TAG_PREFIX,
    TAGGED_RESOURCE_NOT_FOUND,
    TOO_MANY_TAGS,
)
from theorydb_mocks.emulator.operations._registry import operation

__all__ = ["describe_endpoints", "describe_limits", "list_tags_of_resource", "tag_resource", "untag_resource"]

MAX_TAGS = 50

LIMITS = {
    "AccountMaxReadCapacityUnits": 80000,
    "AccountMaxWriteCapacityUnits": 80000,
    "TableMaxReadCapacityUnits": 40000,
    "TableMaxWriteCapacityUnits": 40000,
}
ENDPOINT_CACHE_MINUTES = 1440


def _members(request: Request, member: str) -> list[Any]:
    """A list member of the request; a null entry (which the shape check lets through) is refused."""
    values: list[Any] = request[member]
    for position, value in enumerate(values, 1):
        if value is None:
            raise validation_error(
                NULL_MEMBER.format(path=f"{member[0].lower()}{member[1:]}.{position}.member")
            )
    return values


def _tagged_table(emu: Any, arn: str, action: str) -> Any:
    """The table an ARN names: a malformed ARN is invalid, one in another account is refused before the table
    is looked up (the service authorises the caller first), a well-formed one of no table is not found."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "dynamodb" or not parts[5]:
        raise validation_error(INVALID_RESOURCE_ARN.format(arn=arn))
    if parts[4] != emu.account_id:
        caller = f"arn:aws:iam::{emu.account_id}:root"
        raise ddb_error("AccessDeniedException", NOT_AUTHORIZED.format(caller=caller, action=action, arn=arn))
    prefix = f"arn:aws:dynamodb:{emu.region}:{emu.account_id}:table/"
    name = arn[len(prefix) :] if arn.startswith(prefix) else ""
    table = emu.tables.get(name) if name and "/" not in name else None
    if table is None:
        raise ddb_error("ResourceNotFoundException", TAGGED_RESOURCE_NOT_FOUND.format(arn=arn))
    return table


@operation("TagResource")
def tag_resource(emu: Any, request: Request) -> Response:
    """Add or replace tags on a table. Runtime: O(tags)."""
    tags: list[dict[str, str]] = _members(request, "Tags")
    if not tags:
        raise validation_error(EMPTY_TAGS)
    if any(tag["Key"].startswith("aws:") for tag in tags):
        raise validation_error(RESERVED_TAG_PREFIX)
    table = _tagged_table(emu, request["ResourceArn"], "TagResource")
    merged = {tag["Key"]: tag["Value"] for tag in table.tags}
    for tag in tags:
        merged[tag["Key"]] = tag["Value"]
    if len(merged) > MAX_TAGS:
        raise validation_error(TOO_MANY_TAGS)
    table.tags = [{"Key": key, "Value": value} for key, value in merged.items()]
    return {}


@operation("UntagResource")
def untag_resource(emu: Any, request: Request) -> Response:
    """Remove tags from a table by key (keys it does not have are ignored). Runtime: O(tags)."""
    keys = _members(request, "TagKeys")
    if not keys:
        raise validation_error(EMPTY_TAG_KEYS)
    table = _tagged_table(emu, request["ResourceArn"], "UntagResource")
    dropped = set(keys)
    table.tags = [tag for tag in table.tags if tag["Key"] not in dropped]
    return {}


@operation("ListTagsOfResource", read_only=True)
def list_tags_of_resource(emu: Any, request: Request) -> Response:
    """The tags of a table, in the order they were first set (one page: at most 50 exist)."""
    table = _tagged_table(emu, request["ResourceArn"], "ListTagsOfResource")
    return {"Tags": [dict(tag) for tag in table.tags]}


@operation("DescribeLimits", read_only=True)
def describe_limits(emu: Any, request: Request) -> Response:
    """The account's default capacity quotas."""
    return dict(LIMITS)


@operation("DescribeEndpoints", read_only=True)
def describe_endpoints(emu: Any, request: Request) -> Response:
    """The regional endpoint for endpoint discovery."""
    address = f"dynamodb.{emu.region}.amazonaws.com"
    return {"Endpoints": [{"Address": address, "CachePeriodInMinutes": ENDPOINT_CACHE_MINUTES}]}
