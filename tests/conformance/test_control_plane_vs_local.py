"""Differential tests of the control plane: table operations and validation, emulator vs DynamoDB Local.

Each case runs on both. Where DynamoDB Local is known to differ from the service, the emulator follows the
service, and the case pins BOTH answers (Local's as observed, the emulator's as the service words it), so a
change on either side shows up here. Those differences are listed in ``SERVICE_DIVERGENCES`` below.

Table names carry a random suffix (DynamoDB Local is shared) and every table made here is deleted.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.test_tables import CREATE_ERRORS, GK, LK, PK, SK, THROUGHPUT, gsi, lsi
from theorydb_mocks.emulator import DynamoDBEmulator, DynamoDBError

# Cases where the emulator answers as the service does, not as DynamoDB Local: case -> Local's message.
SERVICE_DIVERGENCES: dict[str, str] = {
    "undefined-key": "Range Key not specified in Attribute Definitions.  Type unknown.",
    "unused-definition": "The number of attributes in key schema must match the number of attributes defined "
    "in attribute definitions.",
    "on-demand-with-throughput": "<accepted>",
    "empty-gsi-list": "GSI list is empty/invalid",
    "gsi-key-undefined": "Attribute gk is not defined in AttributeDefinitions",
    "gsi-throughput-on-demand": "<accepted>",
    "too-many-projected": "No more than 20 attributes per table can be projected into Local Secondary "
    "Indices",
    # The service's answers recorded in SERVICE-FACTS E1, E3, E4 (a GSI and an LSI sharing a name: its guess).
    "same-key-names": "Two keys can not have the same name",
    "duplicate-gsi": "Two global secondary indices have the same name",
    "lsi-on-hash-table": "Local Secondary indices are not allowed on hash tables, only hash and range tables",
    "gsi-and-lsi-same-name": "Local Secondary Indices AND Global Secondary Indices must have different names",
}


class Both:
    """A DynamoDB Local client and an emulator client, with per-backend unique table names."""

    def __init__(self, local: Any) -> None:
        self.local = local
        self.emulator = DynamoDBEmulator().client()
        self.suffix = uuid.uuid4().hex[:10]
        self.created: set[str] = set()

    def name(self, logical: str) -> str:
        return f"{logical}-{self.suffix}"

    def run(self, op: str, **request: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """The normalized outcome of ``op`` on (Local, emulator)."""
        if "TableName" in request:
            request["TableName"] = self.name(request["TableName"])
        local = _outcome(getattr(self.local, op), request, self.suffix)
        for _ in range(3):  # the shared DynamoDB Local, under load, now and then fails a request outright
            if local.get("Error", {}).get("Code") != "InternalFailure":
                break
            time.sleep(0.2)
            local = _outcome(getattr(self.local, op), request, self.suffix)
        emulated = _outcome(getattr(self.emulator, op), request, self.suffix)
        if op == "create_table" and "Error" not in local:
            self.created.add(request["TableName"])
        return local, emulated

    def close(self) -> None:
        for name in self.created:
            with contextlib.suppress(ClientError):
                self.local.update_table(TableName=name, DeletionProtectionEnabled=False)
            try:
                self.local.delete_table(TableName=name)
            except ClientError:
                continue


@pytest.fixture
def both(dynamodb_local_client: Any) -> Iterator[Both]:
    pair = Both(dynamodb_local_client)
    yield pair
    pair.close()


_ARN = re.compile(r"arn:aws:dynamodb:[^:]*:[^:]*:table/")
_EPOCH_KEYS = ("LastIncreaseDateTime", "LastDecreaseDateTime")


def _outcome(call: Callable[..., Any], request: dict[str, Any], suffix: str) -> dict[str, Any]:
    try:
        response = call(**request)
    except ClientError as err:
        return {"Error": {"Code": err.response["Error"]["Code"], "Message": err.response["Error"]["Message"]}}
    response.pop("ResponseMetadata", None)
    normalized: dict[str, Any] = _normalize(response, suffix)
    return normalized


def _normalize(value: Any, suffix: str) -> Any:
    """Placeholders for what depends on where and when (ARN prefix, timestamps, ids, stream labels)."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if key in _EPOCH_KEYS and getattr(item, "year", None) == 1970:
                continue  # DynamoDB Local's "never": the service leaves the member out
            if key in ("TableId", "OnDemandThroughput", "WarmThroughput"):
                continue  # the service's TableId; Local's unlimited on-demand settings
            if key.endswith("DateTime"):
                out[key] = "<time>"
            elif key == "LatestStreamLabel":
                out[key] = "<label>"
            else:
                out[key] = _normalize(item, suffix)
        return out
    if isinstance(value, list):
        return [_normalize(item, suffix) for item in value]
    if isinstance(value, str):
        value = _ARN.sub("arn:aws:dynamodb:<region>:<account>:table/", value)
        return re.sub(r"/stream/[0-9T:.\-]+$", "/stream/<label>", value)
    return value


def _error(code: str, message: str) -> dict[str, Any]:
    return {"Error": {"Code": code, "Message": message}}


def _create(name: str, **change: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [PK, SK],
        "BillingMode": "PAY_PER_REQUEST",
    }
    request.update(change)
    return request


# --- CreateTable errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "change", "message"), CREATE_ERRORS, ids=[c[0] for c in CREATE_ERRORS])
def test_create_table_errors(both: Both, case: str, change: dict[str, Any], message: str) -> None:
    local, emulated = both.run("create_table", **_create("bad", **change))
    assert emulated == _error("ValidationException", message)
    local_message = SERVICE_DIVERGENCES.get(case)
    if local_message is None:
        assert local == emulated
    elif local_message == "<accepted>":
        assert "TableDescription" in local, local
    else:
        assert local == _error("ValidationException", local_message)


def test_create_table_without_key_schema_or_definitions(both: Both) -> None:
    request = _create("bad")
    del request["KeySchema"]
    local, emulated = both.run("create_table", **request)
    assert local == emulated
    request = _create("bad")
    del request["AttributeDefinitions"]
    local, emulated = both.run("create_table", **request)
    assert local == emulated


def test_create_existing_table(both: Both) -> None:
    both.run("create_table", **_create("dup"))
    local, emulated = both.run("create_table", **_create("dup"))
    assert local == _error("ResourceInUseException", "Cannot create preexisting table")
    assert emulated == _error("ResourceInUseException", f"Table already exists: {both.name('dup')}")


# --- descriptions ----------------------------------------------------------------------------------------

SHAPES: dict[str, dict[str, Any]] = {
    "on-demand": {},
    "hash-only-provisioned": {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [PK],
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": THROUGHPUT,
    },
    "indexes": {
        "AttributeDefinitions": [PK, SK, GK, LK],
        "GlobalSecondaryIndexes": [
            gsi(Projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]})
        ],
        "LocalSecondaryIndexes": [lsi()],
    },
    "provisioned-gsi": {
        "AttributeDefinitions": [PK, SK, GK],
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": THROUGHPUT,
        "GlobalSecondaryIndexes": [
            gsi(ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 3})
        ],
    },
    "stream-and-protection": {
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        "DeletionProtectionEnabled": True,
    },
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_descriptions_match(both: Both, shape: str) -> None:
    local, emulated = both.run("create_table", **_create("shape", **SHAPES[shape]))
    assert local == emulated
    local, emulated = both.run("describe_table", TableName="shape")
    assert local == emulated


def test_delete_table(both: Both) -> None:
    both.run("create_table", **_create("gone"))
    local, emulated = both.run("delete_table", TableName="gone")
    local["TableDescription"]["TableStatus"] = "DELETING"  # the service's answer (allow-listed quirk)
    assert local == emulated
    local, emulated = both.run("describe_table", TableName="gone")
    assert local == _error("ResourceNotFoundException", "Cannot do operations on a non-existent table")
    assert emulated == _error(
        "ResourceNotFoundException", f"Requested resource not found: Table: {both.name('gone')} not found"
    )


def test_deletion_protection(both: Both) -> None:
    both.run("create_table", **_create("guarded", DeletionProtectionEnabled=True))
    local, emulated = both.run("delete_table", TableName="guarded")
    assert local == emulated
    assert local["Error"]["Code"] == "ValidationException"
    local, emulated = both.run("update_table", TableName="guarded", DeletionProtectionEnabled=False)
    assert local == emulated


# --- UpdateTable -----------------------------------------------------------------------------------------


def test_update_table_billing_and_throughput(both: Both) -> None:
    both.run("create_table", **_create("billing"))
    steps: list[dict[str, Any]] = [
        {},
        {"BillingMode": "PAY_PER_REQUEST"},
        {"BillingMode": "PROVISIONED"},
        {
            "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        },
        {"ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}},
        {"ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 1}},
        {"BillingMode": "PAY_PER_REQUEST"},
    ]
    for step in steps:
        local, emulated = both.run("update_table", TableName="billing", **step)
        # DynamoDB Local never records throughput changes; the service (and the emulator) stamp them.
        throughput = emulated.get("TableDescription", {}).get("ProvisionedThroughput", {})
        for key in _EPOCH_KEYS:
            throughput.pop(key, None)
        assert local == emulated, step


def test_update_table_indexes_and_streams(both: Both) -> None:
    both.run("create_table", **_create("evolving"))
    local, emulated = both.run(
        "update_table", TableName="evolving", StreamSpecification={"StreamEnabled": False}
    )
    assert local == emulated
    # Two index creations in one call: DynamoDB Local answers LimitExceededException ("Only 1 online index
    # ...") or, now and then, InternalFailure; tests/emulator pins the emulator's answer (the former).
    by_pk = {"Create": gsi("by-pk", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])}
    redefined = [{"AttributeName": "pk", "AttributeType": "N"}]
    local, emulated = both.run(
        "update_table",
        TableName="evolving",
        AttributeDefinitions=redefined,
        GlobalSecondaryIndexUpdates=[by_pk],
    )
    assert local == emulated
    create = {"Create": gsi()}
    local, emulated = both.run("update_table", TableName="evolving", GlobalSecondaryIndexUpdates=[create])
    assert local == emulated
    local, emulated = both.run(
        "update_table", TableName="evolving", AttributeDefinitions=[GK], GlobalSecondaryIndexUpdates=[create]
    )
    assert local == emulated
    # Creating it again: DynamoDB Local is still backfilling ("Attempt to change a resource which is still in
    # use: Index is being created."); the emulator's index is ACTIVE at once, see tests/emulator.
    local, emulated = both.run(
        "update_table", TableName="evolving", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}]
    )
    assert local == emulated
    spec = {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    for stream in (spec, spec, {"StreamEnabled": False}):
        local, emulated = both.run("update_table", TableName="evolving", StreamSpecification=stream)
        for outcome in (local, emulated):  # index status and counts depend on Local's background backfill
            outcome.get("TableDescription", {}).pop("GlobalSecondaryIndexes", None)
        assert local == emulated, stream


# --- ListTables ------------------------------------------------------------------------------------------


def test_list_tables_pages(both: Both) -> None:
    for logical in ("zzzz-lt-a", "zzzz-lt-b", "zzzz-lt-c"):
        both.run("create_table", **_create(logical))
    start = f"zzzz-lt-a-{both.suffix}"

    def page(client: Any, **request: Any) -> dict[str, Any]:
        response = client.list_tables(**request)
        response.pop("ResponseMetadata")
        return dict(response)

    # Names sort as zzzz-lt-a-<suffix> < ...-b- < ...-c-, after every other test's tables on a shared
    # DynamoDB Local (whether a LastEvaluatedTableName comes back depends on what follows the page).
    for request in (
        {"ExclusiveStartTableName": start, "Limit": 1},
        {"ExclusiveStartTableName": start, "Limit": 2},
    ):
        assert page(both.local, **request) == page(both.emulator, **request), request


# --- validation over raw HTTP (no botocore in front) -------------------------------------------------------


def _raw(endpoint: str, op: str, body: dict[str, Any]) -> tuple[str, str]:
    request = urllib.request.Request(
        endpoint,
        data=json.dumps(body).encode(),
        headers={
            "X-Amz-Target": f"DynamoDB_20120810.{op}",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return "OK", response.read().decode()
    except urllib.error.HTTPError as err:
        answer = json.loads(err.read() or b"{}")
        return answer.get("__type", "").rsplit("#", 1)[-1], answer.get("Message", answer.get("message", ""))


def _dispatch(op: str, body: dict[str, Any]) -> tuple[str, str]:
    try:
        DynamoDBEmulator().dispatch(op, body)
    except DynamoDBError as err:
        return err.code, err.message
    return "OK", ""


RAW_CASES: list[tuple[str, dict[str, Any]]] = [
    ("DescribeTable", {}),
    ("DeleteTable", {}),
    ("PutItem", {"Item": {"pk": {"S": "a"}}}),
    ("GetItem", {"Key": {"pk": {"S": "a"}}}),
]


@pytest.mark.parametrize(("op", "body"), RAW_CASES, ids=[f"{op}-{i}" for i, (op, _) in enumerate(RAW_CASES)])
def test_missing_required_members(dynamodb_local_endpoint: str, op: str, body: dict[str, Any]) -> None:
    code, message = _raw(dynamodb_local_endpoint, op, body)
    emu_code, emu_message = _dispatch(op, body)
    assert (emu_code, emu_message.removeprefix("1 validation error detected: ")) == (code, message)
    # The service counts its errors ("1 validation error detected: ..."); DynamoDB Local leaves that out.
    assert emu_message.startswith("1 validation error detected: ")


def test_table_name_rules(dynamodb_local_endpoint: str) -> None:
    # DynamoDB Local words every bad name alike; the service reports each broken constraint of 'tableName'.
    code, message = _raw(dynamodb_local_endpoint, "DescribeTable", {"TableName": "a!"})
    assert (code, message) == (
        "ValidationException",
        "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, and may "
        "contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'",
    )
    emu_code, emu_message = _dispatch("DescribeTable", {"TableName": "a!"})
    assert emu_code == "ValidationException"
    assert emu_message.startswith("2 validation errors detected: Value 'a!' at 'tableName'")
