"""Schema helpers: the CreateTable request from a model, and create/ensure/describe/delete."""

from __future__ import annotations

import pytest

from tests.unit._models import NOTES, USERS
from theorydb_py import (
    AwsError,
    TableNotFoundError,
    ValidationError,
    build_create_table_request,
    create_table,
    delete_table,
    describe_table,
    ensure_table,
)
from theorydb_py.mocks import FakeDynamoDBClient

ACTIVE = {"Table": {"TableName": "users", "TableStatus": "ACTIVE"}}


def test_create_table_request_for_a_model_with_indexes() -> None:
    assert build_create_table_request(USERS) == {
        "TableName": "users",
        "AttributeDefinitions": [
            {"AttributeName": "PK", "AttributeType": "S"},  # sorted by name, as TableTheory does
            {"AttributeName": "SK", "AttributeType": "S"},
            {"AttributeName": "age", "AttributeType": "N"},
            {"AttributeName": "email", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by-email",
                "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "by-status",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "age", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
        ],
        "LocalSecondaryIndexes": [
            {
                "IndexName": "by-age",
                "KeySchema": [
                    {"AttributeName": "PK", "KeyType": "HASH"},
                    {"AttributeName": "age", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["name"]},
            }
        ],
    }


def test_provisioned_billing_and_converter_key_types() -> None:
    request = build_create_table_request(NOTES, table_name="n2", billing_mode="PROVISIONED", read_capacity=2)
    assert request == {
        "TableName": "n2",
        "AttributeDefinitions": [{"AttributeName": "key", "AttributeType": "S"}],  # from the converter
        "KeySchema": [{"AttributeName": "key", "KeyType": "HASH"}],
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 5},
    }
    gsi = build_create_table_request(USERS, billing_mode="PROVISIONED")["GlobalSecondaryIndexes"][0]
    assert gsi["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    with pytest.raises(ValidationError, match="unsupported billing_mode: FREE"):
        build_create_table_request(USERS, billing_mode="FREE")  # type: ignore[arg-type]


def test_create_waits_until_active(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "create_table",
        build_create_table_request(USERS),
        response={"TableDescription": {"TableStatus": "CREATING"}},
    )
    fake.expect("describe_table", {"TableName": "users"}, response={"Table": {"TableStatus": "CREATING"}})
    fake.expect("describe_table", {"TableName": "users"}, response=ACTIVE)
    assert create_table(USERS, client=fake)["TableStatus"] == "ACTIVE"


def test_ensure_creates_only_when_missing(fake: FakeDynamoDBClient) -> None:
    fake.expect("describe_table", {"TableName": "users"}, response=ACTIVE)
    assert ensure_table(USERS, client=fake) == ACTIVE["Table"]
    fake.expect("describe_table", {"TableName": "users"}, error="ResourceNotFoundException")
    fake.expect("create_table", {"TableName": "users"}, response={"TableDescription": {}})
    fake.expect("describe_table", {"TableName": "users"}, response=ACTIVE)
    assert ensure_table(USERS, client=fake)["TableStatus"] == "ACTIVE"


def test_ensure_tolerates_a_table_created_meanwhile(fake: FakeDynamoDBClient) -> None:
    fake.expect("describe_table", {}, error="ResourceNotFoundException")
    fake.expect("create_table", {}, error="ResourceInUseException")
    fake.expect("describe_table", {}, response=ACTIVE)
    assert ensure_table(USERS, client=fake)["TableStatus"] == "ACTIVE"


def test_describe_and_delete(fake: FakeDynamoDBClient) -> None:
    fake.expect("describe_table", {"TableName": "other"}, error="ResourceNotFoundException")
    with pytest.raises(TableNotFoundError):
        describe_table(USERS, client=fake, table_name="other")
    fake.expect("delete_table", {"TableName": "users"}, response={})
    fake.expect("describe_table", {"TableName": "users"}, error="ResourceNotFoundException")
    delete_table(USERS, client=fake, wait=True)
    fake.expect("delete_table", {"TableName": "users"}, error="ResourceNotFoundException")
    delete_table(USERS, client=fake, missing_ok=True)
    fake.expect("delete_table", {"TableName": "users"}, error="ResourceNotFoundException")
    with pytest.raises(TableNotFoundError):
        delete_table(USERS, client=fake)
    fake.expect("delete_table", {"TableName": "users"}, error="ResourceNotFoundException")
    delete_table(USERS, client=fake, ignore_missing=True)  # TableTheory's name


def test_create_is_idempotent_as_in_tabletheory(fake: FakeDynamoDBClient) -> None:
    """An existing table (``ResourceInUseException``) is waited for, not an error; other errors raise."""
    fake.expect(
        "create_table", {}, error="ResourceInUseException", error_message="Table already exists: users"
    )
    fake.expect("describe_table", {"TableName": "users"}, response=ACTIVE)
    assert create_table(USERS, client=fake)["TableStatus"] == "ACTIVE"
    fake.expect("create_table", {}, error="LimitExceededException", error_message="too many tables")
    with pytest.raises(AwsError) as info:
        create_table(USERS, client=fake)
    assert (info.value.code, info.value.message) == ("LimitExceededException", "too many tables")


def test_waits_time_out_with_tabletheory_message(fake: FakeDynamoDBClient) -> None:
    slept: list[float] = []
    fake.expect("create_table", {}, response={"TableDescription": {}})
    fake.expect("describe_table", {}, response={"Table": {"TableStatus": "CREATING"}})
    with pytest.raises(ValidationError, match="timed out waiting for table ACTIVE: users"):
        create_table(
            USERS, client=fake, wait_timeout_seconds=0, poll_interval_seconds=0.5, sleep=slept.append
        )
    assert slept == []  # the deadline had passed at the first look: no sleep
