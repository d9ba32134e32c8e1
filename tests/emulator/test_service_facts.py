"""Every request of ``shared/SERVICE-FACTS.md``, answered as the DynamoDB service answered it.

Each fact is the request (as the service saw it) and the service's exact answer: code and whole message, or
the anchored pattern the record gives where the service's rendering varies. Each is asked at every door:
``emu.dispatch`` (the emulator itself), the routed boto3 client and the HTTP server, both of them with
botocore's parameter validation off (the record's ``raw`` client) so the emulator answers, not botocore;
and the direct client where the record used the validating ``ddb`` client. Requests botocore cannot even
send (a batch without ``RequestItems``) go to the server as raw JSON.
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.conftest import boto3_client_for
from theorydb_mocks.emulator import DynamoDBEmulator, DynamoDBError
from theorydb_mocks.emulator.server import serve_in_thread

V = "ValidationException"
H, C = "H_table", "C_table"
PT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
RAW = Config(parameter_validation=False, retries={"max_attempts": 1})


def A(name: str) -> dict[str, str]:
    return {"AttributeName": name, "AttributeType": "S"}


def K(name: str, kind: str) -> dict[str, str]:
    return {"AttributeName": name, "KeyType": kind}


def G(attribute: str) -> dict[str, Any]:
    return {
        "IndexName": "sameIndex",
        "KeySchema": [K(attribute, "HASH")],
        "Projection": {"ProjectionType": "ALL"},
        "ProvisionedThroughput": PT,
    }


@dataclass(frozen=True)
class Fact:
    """One recorded request: ``validated`` when the record sent it with botocore's validation on."""

    id: str
    operation: str
    request: dict[str, Any]
    code: str
    message: str = ""
    pattern: str = ""
    validated: bool = False
    setup: tuple[tuple[str, dict[str, Any]], ...] = field(default=())

    def check(self, code: str, message: str) -> None:
        assert code == self.code, (self.id, code, message)
        if self.pattern:
            assert re.fullmatch(self.pattern, message, re.DOTALL), (self.id, message)
        elif self.message or self.code == V:
            assert message == self.message, self.id


QUERY = {"KeyConditionExpression": "pk = :v", "ExpressionAttributeValues": {":v": {"S": "val"}}}
NEW = "N_table"
PROVISIONED_NEW = (
    "CreateTable",
    {
        "TableName": NEW,
        "AttributeDefinitions": [A("pk")],
        "KeySchema": [K("pk", "HASH")],
        "ProvisionedThroughput": PT,
    },
)
_ELEMENT = (
    r"(?:KeySchemaElement\(attributeName=\w+, keyType=(?:HASH|RANGE)\)"
    r"|com\.amazonaws\.dynamodb\.v\d+\.KeySchemaElement@[0-9a-f]+)"
)

FACTS = [
    Fact(
        "A1",
        "CreateTable",
        {"AttributeDefinitions": [A("pk")], "KeySchema": [K("pk", "HASH")], "ProvisionedThroughput": PT},
        V,
        "The parameter 'TableName' is required but was not present in the request",
    ),
    Fact(
        "A2",
        "BatchGetItem",
        {"RequestItems": {}},
        V,
        "The requestItems parameter is required for BatchGetItem",
    ),
    Fact(
        "A3",
        "BatchWriteItem",
        {"RequestItems": {}},
        V,
        "The requestItems parameter is required for BatchWriteItem",
    ),
    Fact(
        "B1",
        "PutItem",
        {"TableName": "", "Item": {"pk": {"S": "test"}}},
        V,
        "1 validation error detected: Value '' at 'tableName' failed to satisfy constraint: Member must have "
        "length greater than or equal to 1",
    ),
    Fact(
        "B2",
        "Query",
        {"TableName": C, "Limit": 0, **QUERY},
        V,
        "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value "
        "greater than or equal to 1",
    ),
    Fact(
        "B2-H",
        "Query",
        {"TableName": H, "Limit": 0, **QUERY},
        V,
        "1 validation error detected: Value at 'Limit' failed to satisfy constraint: Member must have value "
        "greater than or equal to 1",
    ),
    Fact(
        "C1",
        "Scan",
        {"TableName": H, "Segment": 0},
        V,
        "The TotalSegments parameter is required but was not present in the request when Segment parameter "
        "is present",
        validated=True,
    ),
    Fact(
        "C2",
        "Scan",
        {"TableName": H, "TotalSegments": 4},
        V,
        "The Segment parameter is required but was not present in the request when parameter TotalSegments "
        "is present",
        validated=True,
    ),
    Fact(
        "C3",
        "Scan",
        {"TableName": H, "Segment": 5, "TotalSegments": 5},
        V,
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
        "Segment: 5 is not less than TotalSegments: 5",
        validated=True,
    ),
    Fact(
        "D1",
        "BatchGetItem",
        {"RequestItems": {H: {"Keys": [{"pk": {"S": f"bg-{i}"}} for i in range(101)]}}},
        V,
        f"1 validation error detected: Value at 'RequestItems.{H}.member.Keys' failed to satisfy constraint: "
        "Member must have length less than or equal to 100",
        validated=True,
    ),
    Fact(
        "D2",
        "BatchWriteItem",
        {"RequestItems": {H: [{"PutRequest": {"Item": {"pk": {"S": f"bw-{i}"}}}} for i in range(26)]}},
        V,
        pattern=rf"1 validation error detected: Value '\{{{re.escape(H)}=\[.+\]\}}' at 'requestItems' failed "
        r"to satisfy constraint: Map value must satisfy constraint: \[Member must have length less than or "
        r"equal to 25, Member must have length greater than or equal to 1\]",
        validated=True,
    ),
    Fact(
        "E1",
        "CreateTable",
        {
            "TableName": NEW,
            "AttributeDefinitions": [A("pk")],
            "KeySchema": [K("pk", "HASH"), K("pk", "RANGE")],
            "ProvisionedThroughput": PT,
        },
        V,
        "Invalid KeySchema: Some index key attribute have no definition",
        validated=True,
    ),
    Fact(
        "E2",
        "CreateTable",
        {
            "TableName": NEW,
            "AttributeDefinitions": [A("pk"), A("sk"), A("extra")],
            "KeySchema": [K("pk", "HASH"), K("sk", "RANGE"), K("extra", "RANGE")],
            "ProvisionedThroughput": PT,
        },
        V,
        pattern=rf"1 validation error detected: Value '\[{_ELEMENT}(, {_ELEMENT}){{2}}\]' at 'keySchema' "
        "failed to satisfy constraint: Member must have length less than or equal to 2",
        validated=True,
    ),
    Fact(
        "E3",
        "CreateTable",
        {
            "TableName": NEW,
            "AttributeDefinitions": [A("pk"), A("lsiSk")],
            "KeySchema": [K("pk", "HASH")],
            "LocalSecondaryIndexes": [
                {
                    "IndexName": "lsi1",
                    "KeySchema": [K("pk", "HASH"), K("lsiSk", "RANGE")],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            "ProvisionedThroughput": PT,
        },
        V,
        "One or more parameter values were invalid: Table KeySchema does not have a range key, which is "
        "required when specifying a LocalSecondaryIndex",
        validated=True,
    ),
    Fact(
        "E4",
        "CreateTable",
        {
            "TableName": NEW,
            "AttributeDefinitions": [A("pk"), A("sk"), A("gsiPk1"), A("gsiPk2")],
            "KeySchema": [K("pk", "HASH"), K("sk", "RANGE")],
            "GlobalSecondaryIndexes": [G("gsiPk1"), G("gsiPk2")],
            "ProvisionedThroughput": PT,
        },
        V,
        "One or more parameter values were invalid: Duplicate index name: sameIndex",
        validated=True,
    ),
    Fact(
        "F1",
        "PutItem",
        {"TableName": H, "Item": {"pk": {"S": "test"}, "bad": {"SS": ["a", "a"]}}},
        V,
        "One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
        validated=True,
    ),
    Fact(
        "G1",
        "Query",
        {"TableName": C, "Select": "INVALID_VALUE", **QUERY},
        V,
        "1 validation error detected: Value 'INVALID_VALUE' at 'select' failed to satisfy constraint: Member "
        "must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]",
    ),
    Fact(
        "H1",
        "UpdateTable",
        {"TableName": NEW, "BillingMode": "PAY_PER_REQUEST", "ProvisionedThroughput": PT},
        V,
        # The service's words were not recorded; CreateTable's (the record's guess).
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
        "specified when BillingMode is PAY_PER_REQUEST",
        validated=True,
        setup=(PROVISIONED_NEW,),
    ),
    Fact(
        "I1",
        "ListTagsOfResource",
        {"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/nonexistent_table_xyz"},
        "AccessDeniedException",
        validated=True,
    ),
]

# The record's table G: enum orders it knows, each asked through a request that breaks only that enum.
ENUMS = [
    (
        "Query",
        {"TableName": C, "Select": "X", **QUERY},
        "select",
        "SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES",
    ),
    (
        "PutItem",
        {"TableName": H, "Item": {"pk": {"S": "a"}}, "ReturnValues": "X"},
        "returnValues",
        "ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW",
    ),
    (
        "PutItem",
        {"TableName": H, "Item": {"pk": {"S": "a"}}, "ReturnConsumedCapacity": "X"},
        "returnConsumedCapacity",
        "INDEXES, TOTAL, NONE",
    ),
    (
        "PutItem",
        {"TableName": H, "Item": {"pk": {"S": "a"}}, "ReturnItemCollectionMetrics": "X"},
        "returnItemCollectionMetrics",
        "SIZE, NONE",
    ),
    (
        "CreateTable",
        {
            "TableName": NEW,
            "AttributeDefinitions": [A("pk")],
            "KeySchema": [K("pk", "X")],
            "BillingMode": "PAY_PER_REQUEST",
        },
        "keySchema.1.member.keyType",
        "HASH, RANGE",
    ),
    (
        "CreateTable",
        {
            "TableName": NEW,
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "X"}],
            "KeySchema": [K("pk", "HASH")],
            "BillingMode": "PAY_PER_REQUEST",
        },
        "attributeDefinitions.1.member.attributeType",
        "B, N, S",
    ),
]


def _tables(emu: DynamoDBEmulator) -> None:
    emu.dispatch(
        "CreateTable",
        {
            "TableName": H,
            "AttributeDefinitions": [A("pk")],
            "KeySchema": [K("pk", "HASH")],
            "ProvisionedThroughput": PT,
        },
    )
    emu.dispatch(
        "CreateTable",
        {
            "TableName": C,
            "AttributeDefinitions": [A("pk"), A("sk")],
            "KeySchema": [K("pk", "HASH"), K("sk", "RANGE")],
            "ProvisionedThroughput": PT,
        },
    )


Ask = Callable[[str, dict[str, Any]], tuple[str, str]]


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()


def _via_client(client: Any) -> Ask:
    def ask(operation: str, request: dict[str, Any]) -> tuple[str, str]:
        try:
            getattr(client, _snake(operation))(**request)
        except ClientError as err:
            return err.response["Error"]["Code"], err.response["Error"].get("Message", "")
        return "ok", ""

    return ask


@contextlib.contextmanager
def _door(name: str) -> Iterator[Ask]:
    """The emulator behind one door, with the record's tables ``H`` and ``C``."""
    emu = DynamoDBEmulator()
    _tables(emu)
    if name == "dispatch":

        def ask(operation: str, body: dict[str, Any]) -> tuple[str, str]:
            try:
                emu.dispatch(operation, json.loads(json.dumps(body)))
            except DynamoDBError as err:
                return err.code, err.message
            return "ok", ""

        yield ask
    elif name == "direct":
        yield _via_client(emu.client())
    elif name == "routed":
        yield _via_client(emu.boto3_client(config=RAW))
    else:
        with serve_in_thread(emulator=emu) as endpoint:
            yield _via_client(boto3_client_for(endpoint, config=RAW))


RAW_DOORS = ("dispatch", "routed", "server")
# The direct client validates as botocore does, so it sends only what the record sent validated.
FACT_CASES = [
    pytest.param(door, fact, id=f"{fact.id}-{door}")
    for fact in FACTS
    for door in (*RAW_DOORS, "direct")
    if door != "direct" or fact.validated
]


@pytest.mark.parametrize(("door", "fact"), FACT_CASES)
def test_the_service_answer(door: str, fact: Fact) -> None:
    with _door(door) as ask:
        for operation, request in fact.setup:
            assert ask(operation, request) == ("ok", "")
        fact.check(*ask(fact.operation, fact.request))


@pytest.mark.parametrize("door", RAW_DOORS)
@pytest.mark.parametrize(("operation", "request_", "path", "order"), ENUMS, ids=lambda v: str(v)[:30])
def test_enum_values_in_the_services_order(
    door: str, operation: str, request_: dict[str, Any], path: str, order: str
) -> None:
    with _door(door) as ask:
        code, message = ask(operation, request_)
    assert (code, message) == (
        V,
        f"1 validation error detected: Value 'X' at '{path}' failed to satisfy constraint: Member must "
        f"satisfy enum value set: [{order}]",
    )


@pytest.mark.parametrize("operation", ["BatchGetItem", "BatchWriteItem"])
def test_a_batch_without_request_items_gets_the_same_sentence(operation: str) -> None:
    """The record's guess: omitting RequestItems is answered like sending it empty (botocore cannot send it,
    so the request goes to the server as raw JSON, and to dispatch)."""
    expected = (V, f"The requestItems parameter is required for {operation}")
    emu = DynamoDBEmulator()
    with pytest.raises(DynamoDBError) as caught:
        emu.dispatch(operation, {})
    assert (caught.value.code, caught.value.message) == expected
    with serve_in_thread(emulator=emu) as endpoint:
        post = urllib.request.Request(
            endpoint,
            data=b"{}",
            headers={
                "X-Amz-Target": f"DynamoDB_20120810.{operation}",
                "Content-Type": "application/x-amz-json-1.0",
            },
        )
        with pytest.raises(urllib.error.HTTPError) as failed:
            urllib.request.urlopen(post, timeout=10)
        body = json.loads(failed.value.read())
    assert (body["__type"].split("#")[1], body["message"]) == expected


def test_scan_keeps_the_older_limit_form() -> None:
    """B's rule: the newer form is per operation and member; Scan's Limit keeps the value and camelCase."""
    emu = DynamoDBEmulator()
    _tables(emu)
    with pytest.raises(DynamoDBError) as caught:
        emu.dispatch("Scan", {"TableName": H, "Limit": 0})
    assert caught.value.message == (
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("x" * 256, "Member must have length less than or equal to 255"),
        ("bad table!@#", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ],
)
def test_the_other_table_name_answers_stay(name: str, rule: str) -> None:
    with pytest.raises(DynamoDBError) as caught:
        DynamoDBEmulator().dispatch("PutItem", {"TableName": name, "Item": {"pk": {"S": "test"}}})
    assert caught.value.message == (
        f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: {rule}"
    )


def test_create_table_keeps_the_three_character_minimum() -> None:
    with pytest.raises(DynamoDBError) as caught:
        DynamoDBEmulator().dispatch(
            "CreateTable",
            {"TableName": "ab", "AttributeDefinitions": [A("pk")], "KeySchema": [K("pk", "HASH")]},
        )
    assert caught.value.message == (
        "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3"
    )


def test_a_malformed_arn_stays_a_validation_error() -> None:
    with pytest.raises(DynamoDBError) as caught:
        DynamoDBEmulator().dispatch("ListTagsOfResource", {"ResourceArn": "not-a-valid-arn"})
    assert caught.value.code == V
