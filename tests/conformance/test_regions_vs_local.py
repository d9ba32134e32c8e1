"""Regions, emulator against DynamoDB Local: each region has its own tables.

DynamoDB Local (without ``-sharedDb``, as the harness starts it) keeps one database per access key and
region, so the same requests in two regions can be compared: a table made in one region is unknown in the
other (same error, same words), the name is free there, and items do not cross. ARNs are not compared
(DynamoDB Local writes ``ddblocal`` and account 000000000000). Global tables are not here: DynamoDB Local
implements none of them (``UpdateTable`` with ``ReplicaUpdates`` answers "Nothing to update" and the
2017.11.29 operations ``UnknownOperationException``); docs/fidelity.md lists those behaviours as
documented, not measured.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from theorydb_mocks import DynamoDBEmulator

pytestmark = pytest.mark.dynamodb_local


def _table(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _outcome(call: Any) -> Any:
    try:
        answer = call()
    except ClientError as err:
        code = err.response["Error"]["Code"]
        # The allow-listed quirk ``missing-table-message``: DynamoDB Local words every missing table alike,
        # the emulator follows the service's words; the code is compared.
        message = "" if code == "ResourceNotFoundException" else err.response["Error"]["Message"]
        return ("error", code, message)
    if isinstance(answer, dict):
        answer.pop("ResponseMetadata", None)
    return answer


def _story(clients: dict[str, Any], name: str) -> list[Any]:
    """The same requests, in two regions: what each answered."""
    west, europe = clients["us-west-2"], clients["eu-west-1"]
    seen: list[Any] = []
    _table(west, name)
    west.put_item(TableName=name, Item={"pk": {"S": "a"}})
    seen.append(name in europe.list_tables()["TableNames"])
    seen.append(_outcome(lambda: europe.describe_table(TableName=name)))
    seen.append(_outcome(lambda: europe.get_item(TableName=name, Key={"pk": {"S": "a"}})))
    _table(europe, name)  # the name is free in the other region
    seen.append(_outcome(lambda: europe.scan(TableName=name)))
    seen.append(_outcome(lambda: west.get_item(TableName=name, Key={"pk": {"S": "a"}})))
    europe.delete_table(TableName=name)
    seen.append(_outcome(lambda: west.describe_table(TableName=name)["Table"]["ItemCount"]))
    west.delete_table(TableName=name)
    return seen


def test_each_region_has_its_own_tables_as_in_dynamodb_local(dynamodb_local_endpoint: str) -> None:
    access_key = f"regions{uuid.uuid4().hex[:8]}"  # its own databases in a shared DynamoDB Local
    name = f"regions-{uuid.uuid4().hex[:8]}"
    local = {
        region: boto3.client(
            "dynamodb",
            endpoint_url=dynamodb_local_endpoint,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key="local",
        )
        for region in ("us-west-2", "eu-west-1")
    }
    emu = DynamoDBEmulator()
    emulated = {region: emu.client(region_name=region) for region in ("us-west-2", "eu-west-1")}
    expected = _story(local, name)
    assert expected[0] is False
    assert expected[1][1] == "ResourceNotFoundException"
    assert _story(emulated, name) == expected
