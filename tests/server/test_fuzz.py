"""Bad input through the whole HTTP door never escapes as a Python exception or a 5xx.

``EmulatorServer.answer`` is the server minus the socket: wire decoding, authentication, validation,
dispatch and encoding. Random bytes and random JSON shaped like requests must come back as a 200 or a
400 with a DynamoDB error body, for a table that exists and one that does not.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from theorydb_mocks.emulator.server import EmulatorServer

OPERATIONS = [
    "PutItem",
    "GetItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchWriteItem",
    "CreateTable",
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=10,
)
attribute_values = st.dictionaries(
    st.sampled_from(["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M", "X"]), json_values, max_size=2
)
requests = st.fixed_dictionaries(
    {},
    optional={
        "TableName": st.sampled_from(["things", "missing", "", "x"]) | json_values,
        "Item": st.dictionaries(st.sampled_from(["pk", "a", ""]), attribute_values, max_size=3) | json_values,
        "Key": st.dictionaries(st.sampled_from(["pk", "a"]), attribute_values, max_size=2),
        "UpdateExpression": st.sampled_from(["SET a = :v", "ADD a :v", "REMOVE a", "SET"]) | json_values,
        "ConditionExpression": st.sampled_from(["attribute_exists(pk)", "a = :v", "("]) | json_values,
        "KeyConditionExpression": st.sampled_from(["pk = :v", "pk = :v AND a > :v"]) | json_values,
        "ExpressionAttributeValues": st.dictionaries(
            st.sampled_from([":v", "v"]), attribute_values, max_size=2
        ),
        "ExpressionAttributeNames": st.dictionaries(st.text(max_size=3), json_values, max_size=2),
        "Limit": json_values,
        # A null table entry is left to test_null_batch_entry below (a known handler bug).
        "RequestItems": st.dictionaries(
            st.sampled_from(["things", "missing"]), json_values.filter(lambda v: v is not None), max_size=2
        ),
        "KeySchema": json_values,
        "ReturnValues": st.sampled_from(["ALL_OLD", "NONE", "bad"]) | json_values,
    },
)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as running:
        running.emulator.dispatch(
            "CreateTable",
            {
                "TableName": "things",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
        )
        yield running


@pytest.fixture(scope="module")
def guarded() -> Iterator[EmulatorServer]:
    with EmulatorServer(access_key="AKIDEXAMPLE") as running:
        yield running


def _check(status: int, body: bytes) -> None:
    assert status in (200, 400), body
    parsed = json.loads(body)
    assert isinstance(parsed, dict)
    if status == 400:
        assert "#" in parsed["__type"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operation=st.sampled_from(OPERATIONS), request=requests)
def test_random_requests_get_dynamodb_answers(
    server: EmulatorServer, operation: str, request: dict[str, Any]
) -> None:
    _check(*server.answer(f"DynamoDB_20120810.{operation}", json.dumps(request).encode(), {}))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operation=st.sampled_from(OPERATIONS), body=st.binary(max_size=64))
def test_random_bytes_get_dynamodb_answers(server: EmulatorServer, operation: str, body: bytes) -> None:
    _check(*server.answer(f"DynamoDB_20120810.{operation}", body, {}))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.text(max_size=40) | st.none(), authorization=st.text(max_size=60))
def test_random_targets_and_signatures(
    server: EmulatorServer, target: str | None, authorization: str
) -> None:
    _check(*server.answer(target, b"{}", {"Authorization": authorization}))


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        ("BatchWriteItem", "The batch write request list for a table cannot be null or empty: things"),
        (
            "BatchGetItem",
            "The list of keys in RequestItems for BatchGetItem is required: things has empty list",
        ),
    ],
)
def test_null_batch_entry(server: EmulatorServer, operation: str, message: str) -> None:
    """DynamoDB Local's answer, which the service shares (a null entry is an empty one)."""
    status, body = server.answer(f"DynamoDB_20120810.{operation}", b'{"RequestItems": {"things": null}}', {})
    assert (status, json.loads(body)["message"]) == (400, message)
