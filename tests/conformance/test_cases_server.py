"""Server-side validation: requests that botocore would refuse on the client, sent with parameter validation
off, so that DynamoDB's own answer is compared (Local through a second boto3 client, the emulator through
its in-process boto3 door, ``emu.boto3_client``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config

from tests.conformance import allowlist
from tests.conformance.harness import (
    Case,
    Differential,
    Outcome,
    S,
    TableJanitor,
    Tally,
    call,
    run_case,
    table_spec,
)
from tests.conftest import boto3_client_for

V = "ValidationException"
T = table_spec("t", ("pk", "S"))
NO_VALIDATION = Config(parameter_validation=False, retries={"max_attempts": 1})
KEY = {"pk": S("a")}
PUT_A = {"PutRequest": {"Item": KEY}}
QUERY: dict[str, Any] = {"KeyConditionExpression": "pk = :a", "ExpressionAttributeValues": {":a": S("a")}}

CASES = [
    Case("query Limit 0", [call("query", V, TableName="t", Limit=0, **QUERY)], [T]),
    Case(
        "scan negative Limit and Segment",
        [call("scan", V, TableName="t", Limit=-5, Segment=-1, TotalSegments=0)],
        [T],
    ),
    Case("table name too short", [call("get_item", V, TableName="ab", Key=KEY)]),
    Case("table name too long", [call("get_item", V, TableName="x" * 256, Key=KEY)]),
    Case("GetItem without Key", [call("get_item", V, TableName="t")], [T]),
    Case("GetItem with empty Key", [call("get_item", V, TableName="t", Key={})], [T]),
    Case("BatchGetItem without requests", [call("batch_get_item", V, RequestItems={})]),
    Case("BatchWriteItem with an empty list", [call("batch_write_item", V, RequestItems={"t": []})], [T]),
    Case("BatchGetItem with no keys", [call("batch_get_item", V, RequestItems={"t": {"Keys": []}})], [T]),
    Case(
        "CreateTable without key schema",
        [
            call(
                "create_table",
                V,
                TableName="c",
                KeySchema=[],
                AttributeDefinitions=[],
                BillingMode="PAY_PER_REQUEST",
            )
        ],
    ),
    Case(
        "placeholder name too long",
        [
            call(
                "put_item",
                V,
                TableName="t",
                Item=KEY,
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#" + "a" * 300: "x"},
            )
        ],
        [T],
    ),
    Case("ListTables Limit 0", [call("list_tables", V, Limit=0)]),
    Case(
        "throughput 0",
        [
            call(
                "update_table",
                V,
                TableName="t",
                BillingMode="PROVISIONED",
                ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
            )
        ],
        [T],
    ),
    Case("PutItem without Item", [call("put_item", V, TableName="t")], [T]),
    Case(
        "Query with an index name too short", [call("query", V, TableName="t", IndexName="ix", **QUERY)], [T]
    ),
    Case("BatchWriteItem without requests", [call("batch_write_item", V, RequestItems={})]),
    Case(
        "BatchWriteItem with 26 requests for one table",
        [call("batch_write_item", (V, "Too many items"), RequestItems={"t": [PUT_A] * 26})],
        [T],
    ),
    Case(
        "BatchGetItem with 101 keys",
        [
            call(
                "batch_get_item",
                (V, "Too many items"),
                RequestItems={"t": {"Keys": [{"pk": S(str(n))} for n in range(101)]}},
            )
        ],
        [T],
    ),
    Case(
        "BatchGetItem with an empty key",
        [call("batch_get_item", (V, "one or more empty keys"), RequestItems={"t": {"Keys": [{}]}})],
        [T],
    ),
    Case(
        "BatchWriteItem delete with an empty key",
        [call("batch_write_item", V, RequestItems={"t": [{"DeleteRequest": {"Key": {}}}]})],
        [T],
    ),
    Case(
        "CreateTable without attribute definitions",
        [
            call(
                "create_table",
                (V, "No Attribute Schema Defined"),
                TableName="c",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[],
                BillingMode="PAY_PER_REQUEST",
            )
        ],
    ),
    Case(
        "PutItem with an unknown ReturnValues",
        [call("put_item", V, TableName="t", Item=KEY, ReturnValues="NOPE")],
        [T],
    ),
    Case("DeleteItem without Key", [call("delete_item", V, TableName="t")], [T]),
    Case("UpdateItem with an empty Key", [call("update_item", V, TableName="t", Key={})], [T]),
    Case("Scan segment past the total", [call("scan", V, TableName="t", Segment=5, TotalSegments=2)], [T]),
    Case(
        "Scan total segments too many",
        [call("scan", V, TableName="t", Segment=0, TotalSegments=1000001)],
        [T],
    ),
    Case("ListTables start name too short", [call("list_tables", V, ExclusiveStartTableName="ab")]),
]


@pytest.fixture
def server_diff(
    request: pytest.FixtureRequest,
    dynamodb_local_endpoint: str,
    emulator_class: type[Any] | None,
    conformance_tally: Tally,
    table_janitor: TableJanitor,
) -> Iterator[Differential]:
    """A differential whose two boto3 clients both skip client-side validation."""
    local = boto3_client_for(dynamodb_local_endpoint, config=NO_VALIDATION)
    emulator = None if emulator_class is None else emulator_class().boto3_client(config=NO_VALIDATION)
    differential = Differential(
        local,
        emulator,
        tally=conformance_tally,
        area="server",
        test_id=request.node.nodeid,
        janitor=table_janitor,
    )
    yield differential
    differential.close()


@pytest.mark.dynamodb_local
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_server_side_validation(server_diff: Differential, case: Case) -> None:
    run_case(server_diff, case)


# --- the allow-list entries these cases rely on accept their difference and nothing else ----------------


def _err(message: str, code: str = V) -> Outcome:
    return Outcome(False, {"Code": code, "Message": message})


LIMIT_0 = (
    "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value "
    "greater than or equal to 1"
)
# Query's Limit is reported in the newer form (SERVICE-FACTS B2); Scan's keeps the older one.
QUERY_LIMIT_0 = (
    "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value "
    "greater than or equal to 1"
)


@pytest.mark.parametrize(
    ("op", "request_", "local", "emulator", "quirk"),
    [
        (
            "query",
            {"TableName": "t", "Limit": 0},
            "Limit must be greater than or equal to 1",
            QUERY_LIMIT_0,
            "model-constraint-wording",
        ),
        (
            "scan",
            {"TableName": "t", "Limit": 0},
            "Limit must be greater than or equal to 1",
            LIMIT_0,
            "model-constraint-wording",
        ),
        (
            "get_item",
            {"TableName": "ab", "Key": KEY},
            "Invalid table/index name.",
            "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
            "Member must have length greater than or equal to 3",
            "model-constraint-wording",
        ),
        (
            "create_table",
            {"TableName": "c"},
            "Cannot create preexisting table",
            "Table already exists: c",
            "preexisting-table",
        ),
        (
            "create_table",
            {
                "TableName": "c",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "other", "AttributeType": "S"}],
            },
            "Hash Key not specified in Attribute Definitions.  Type unknown.",
            "One or more parameter values were invalid: Some index key attributes are not defined in "
            "AttributeDefinitions. Keys: [pk], AttributeDefinitions: [other]",
            "undefined-key-attributes",
        ),
        (
            "get_item",
            {"TableName": "t", "Key": {}},
            "The number of conditions on the keys is invalid",
            "The provided key element does not match the schema",
            "key-mismatch-wording",
        ),
        (
            "batch_write_item",
            {"RequestItems": {}},
            "BatchWriteItem cannot have a null or no requests set",
            "The requestItems parameter is required for BatchWriteItem",
            "required-parameter-sentence",
        ),
        (
            "create_table",
            {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]},
            "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, and may "
            "contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'",
            "The parameter 'TableName' is required but was not present in the request",
            "required-parameter-sentence",
        ),
        (
            "scan",
            {"TableName": "t", "Segment": 0},
            "If segment is specified, total segment must also be specified",
            "The TotalSegments parameter is required but was not present in the request when Segment "
            "parameter is present",
            "scan-segment-wording",
        ),
        (
            "batch_get_item",
            {"RequestItems": {"t": {"Keys": [KEY] * 101}}},
            "Too many items requested for the BatchGetItem call",
            "1 validation error detected: Value at 'RequestItems.t.member.Keys' failed to satisfy "
            "constraint: Member must have length less than or equal to 100",
            "batch-size-report",
        ),
        (
            "create_table",
            {
                "TableName": "c",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "pk", "KeyType": "RANGE"},
                ],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            },
            "Two keys can not have the same name",
            "Invalid KeySchema: Some index key attribute have no definition",
            "create-table-wording",
        ),
        (
            "put_item",
            {"TableName": "t", "Item": KEY},
            "One or more parameter values were invalid: Input collection [a, a] contains duplicates",
            "One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
            "set-duplicate-period",
        ),
        (
            "update_table",
            {
                "TableName": "t",
                "BillingMode": "PAY_PER_REQUEST",
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            },
            "The requested throughput value equals the current value",
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can "
            "be specified when BillingMode is PAY_PER_REQUEST",
            "update-table-pay-per-request-throughput",
        ),
    ],
)
def test_quirks_accept_their_difference(
    op: str, request_: dict[str, Any], local: str, emulator: str, quirk: str
) -> None:
    code = "ResourceInUseException" if quirk == "preexisting-table" else V
    found = allowlist.match(op, request_, _err(local, code), _err(emulator, code))
    assert found is not None and found.id == quirk


@pytest.mark.parametrize(
    ("op", "request_", "local", "emulator"),
    [
        # A wrong value, path, rule or count in the report is a mismatch.
        (
            "query",
            {"TableName": "t", "Limit": 0},
            "Limit must be greater than or equal to 1",
            LIMIT_0.replace("'0'", "'1'"),
        ),
        (
            "query",
            {"TableName": "t", "Limit": 0},
            "Limit must be greater than or equal to 1",
            LIMIT_0.replace("limit", "Limit"),
        ),
        ("query", {"TableName": "t", "Limit": 1}, "Limit must be greater than or equal to 1", LIMIT_0),
        # Query's Limit in the older form is no longer the service's answer.
        ("query", {"TableName": "t", "Limit": 0}, "Limit must be greater than or equal to 1", LIMIT_0),
        # The recorded families accept the service's words only for the request they describe.
        (
            "batch_get_item",
            {"RequestItems": {"t": {"Keys": [KEY]}}},
            "BatchGetItem must have some requests set",
            "The requestItems parameter is required for BatchGetItem",
        ),
        (
            "scan",
            {"TableName": "t", "Segment": 1, "TotalSegments": 5},
            "1 validation error detected: Value '1' at 'segment' failed to satisfy constraint: Member must "
            "have value less than or equal to 4",
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            "Segment: 1 is not less than TotalSegments: 5",
        ),
        (
            "batch_get_item",
            {"RequestItems": {"t": {"Keys": [KEY] * 100}}},
            "Too many items requested for the BatchGetItem call",
            "1 validation error detected: Value at 'RequestItems.t.member.Keys' failed to satisfy "
            "constraint: Member must have length less than or equal to 100",
        ),
        (
            "create_table",
            {
                "TableName": "c",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}] * 2,
                "AttributeDefinitions": [{"AttributeName": n, "AttributeType": "S"} for n in ("pk", "sk")],
            },
            "Two keys can not have the same name",
            "Invalid KeySchema: Some index key attribute have no definition",
        ),
        (
            "put_item",
            {"TableName": "t", "Item": KEY},
            "One or more parameter values were invalid: Input collection [a, a] contains duplicates",
            "One or more parameter values were invalid: Input collection [a, b] contains duplicates.",
        ),
        (
            "query",
            {"TableName": "t", "Limit": 0},
            "x",
            LIMIT_0.replace("1 validation error", "2 validation errors"),
        ),
        # A non-empty list printed whole: the service's wording is not certain, so Local's words stand.
        (
            "create_table",
            {"TableName": "c", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}] * 3},
            "Key Schema too big.",
            "1 validation error detected: Value '[...]' at 'keySchema' failed to satisfy constraint: "
            "Member must have length less than or equal to 2",
        ),
        ("create_table", {"TableName": "c"}, "Cannot create preexisting table", "Table already exists: d"),
        (
            "create_table",
            {
                "TableName": "c",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [],
            },
            "Hash Key not specified in Attribute Definitions.  Type unknown.",
            "One or more parameter values were invalid: Some index key attributes are not defined in "
            "AttributeDefinitions. Keys: [sk], AttributeDefinitions: []",
        ),
        (
            "get_item",
            {"TableName": "t", "Key": {}},
            "The number of conditions on the keys is invalid",
            "nope",
        ),
        (
            "query",
            {"TableName": "t"},
            "The number of conditions on the keys is invalid",
            "The provided key element does not match the schema",
        ),
    ],
)
def test_quirks_refuse_anything_else(op: str, request_: dict[str, Any], local: str, emulator: str) -> None:
    code = "ResourceInUseException" if local.startswith("Cannot create") else V
    assert allowlist.match(op, request_, _err(local, code), _err(emulator, code)) is None
