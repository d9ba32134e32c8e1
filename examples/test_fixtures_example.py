"""The TableTheory pytest fixtures, as an application's test suite would use them.

Nothing to install or configure: the plugin is registered when TableTheory is installed. Run with

    pytest examples/test_fixtures_example.py

and the same file runs against DynamoDB Local or another endpoint with
``--theorydb-backend=dynamodb-local`` or ``--theorydb-endpoint=http://127.0.0.1:8000``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from pytest_plugin import DynamoDBEmulator, FakeDynamoDB, TableFactory
from theorydb_mocks import mock_dynamodb
from theorydb_py import ModelDefinition, SortKeyCondition, Table, theorydb_field

# --- the application under test ---


@dataclass
class Order:
    customer: str = theorydb_field(name="PK", roles="pk")
    order_id: str = theorydb_field(name="SK", roles="sk")
    total: int = 0


ORDERS = ModelDefinition.from_dataclass(Order, table_name="orders")


def place_order(orders: Table[Order], customer: str, order_id: str, total: int) -> Order:
    """Application code: writes through the ORM."""
    return orders.put(Order(customer=customer, order_id=order_id, total=total))


def count_orders(customer: str) -> int:
    """Application code that makes its own boto3 client, as legacy code often does."""
    client = boto3.client("dynamodb")
    answer = client.query(
        TableName="orders",
        KeyConditionExpression="PK = :c",
        ExpressionAttributeValues={":c": {"S": customer}},
        Select="COUNT",
    )
    return int(answer["Count"])


# --- tests of behaviour: a real (in-memory) DynamoDB ---


def test_orders_of_a_customer_come_back_in_order(ddb_table: TableFactory) -> None:
    orders = ddb_table(ORDERS)
    for n in (3, 1, 2):
        place_order(orders, "ada", f"2024-0{n}", total=n * 10)
    page = orders.query("ada", SortKeyCondition.begins_with("2024-"))
    assert [order.total for order in page.items] == [10, 20, 30]


@pytest.mark.theorydb(backend="emulator")  # mock_dynamodb routes to the emulator whatever the backend
def test_code_with_its_own_boto3_client(ddb_emulator: DynamoDBEmulator, ddb_table: TableFactory) -> None:
    orders = ddb_table(ORDERS)
    place_order(orders, "ada", "1", total=5)
    with mock_dynamodb(ddb_emulator):  # every boto3 client made inside answers from this emulator
        assert count_orders("ada") == 1


def test_a_real_boto3_client_runs_botocore_in_full(ddb_boto3: Any) -> None:
    with pytest.raises(ddb_boto3.exceptions.ResourceNotFoundException):
        ddb_boto3.describe_table(TableName="orders")


@pytest.mark.theorydb(skip_on=["dynamodb-local"], reason="example: a feature DynamoDB Local lacks")
def test_marked_for_the_backends_that_have_a_feature(theorydb_backend: str) -> None:
    assert theorydb_backend != "dynamodb-local"


# --- tests of the exact requests: a strict fake ---


def test_place_order_sends_one_put(fake_ddb: FakeDynamoDB) -> None:
    fake_ddb.expect("put_item", {"TableName": "orders", "Item": {"PK": {"S": "ada"}, "total": {"N": "5"}}})
    place_order(Table(ORDERS, client=fake_ddb), "ada", "1", total=5)
    # leaving an expectation unmet would fail this test at teardown


# --- a seeded emulator shared by the session, rolled back after each test ---


@pytest.fixture(scope="session")
def ddb_seed(ddb_emulator_session: DynamoDBEmulator) -> None:
    """Normally in conftest.py: fills the shared emulator once."""
    from theorydb_py import create_table

    client = ddb_emulator_session.client()
    create_table(ORDERS, client=client)
    orders = Table(ORDERS, client=client)
    for n in range(100):
        place_order(orders, f"customer-{n % 10}", f"order-{n:03}", total=n)


@pytest.mark.parametrize("round_", [1, 2])
def test_each_test_sees_the_seed_unchanged(ddb_seeded_emulator: DynamoDBEmulator, round_: int) -> None:
    orders = Table(ORDERS, client=ddb_seeded_emulator.client())
    assert len(orders.query_all("customer-1")) == 10  # round 2 sees none of round 1's writes
    orders.delete("customer-1", "order-001")
    orders.delete("customer-1", "order-011")
    place_order(orders, "customer-1", f"order-new-{round_}", total=1)
    assert len(orders.query_all("customer-1")) == 9
