"""CRUD, queries and pagination with TableTheory, start to finish.

Runs on the embedded emulator (no server, no credentials):

    python examples/local_crud.py

or against any DynamoDB endpoint, such as DynamoDB Local:

    DYNAMODB_ENDPOINT=http://127.0.0.1:8000 python examples/local_crud.py
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from theorydb_py import (
    ConditionFailedError,
    ItemNotFoundError,
    ModelDefinition,
    SortKeyCondition,
    Table,
    UpdateAdd,
    create_table,
    delete_table,
    gsi,
    theorydb_field,
)
from theorydb_py.expressions import contains, gt, ne, not_exists


@dataclass
class Order:
    """One order of a customer: the customer is the partition key, the order id the sort key."""

    customer: str = theorydb_field(name="PK", roles="pk")
    order_id: str = theorydb_field(name="SK", roles="sk")
    status: str = "open"
    total: Decimal = Decimal("0")
    items: int = 0
    tags: set[str] = field(default_factory=set)  # stored as a DynamoDB string set


ORDERS = ModelDefinition.from_dataclass(
    Order,
    table_name="orders",
    indexes=[gsi("by-status", "status", "total")],  # find orders by status, sorted by total
)


def make_client() -> Any:
    """A DynamoDB client: ``$DYNAMODB_ENDPOINT`` if set, else the in-process emulator."""
    endpoint = os.environ.get("DYNAMODB_ENDPOINT")
    if endpoint:
        import boto3

        return boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
    from theorydb_mocks import DynamoDBEmulator

    return DynamoDBEmulator().client()


def main(client: Any = None) -> list[str]:
    """Walk through the API; returns (and prints) what it saw."""
    client = client or make_client()
    lines: list[str] = []

    def say(line: str) -> None:
        print(line)
        lines.append(line)

    name = f"orders-{uuid.uuid4().hex[:8]}"  # unique, so runs never collide on a shared server
    create_table(ORDERS, client=client, table_name=name)
    orders = Table(ORDERS, client=client, table_name=name)
    try:
        # Create: put writes a whole item; a condition can refuse to overwrite.
        for n in range(1, 8):
            orders.put(
                Order(
                    "alice",
                    f"ORDER#{n:03d}",
                    total=Decimal(n * 10),
                    items=n,
                    tags={"gift"} if n % 3 == 0 else set(),
                )
            )
        orders.put(Order("bob", "ORDER#001", total=Decimal("99.50"), items=1))
        try:
            orders.put(Order("bob", "ORDER#001"), condition_expression=not_exists("customer"))
        except ConditionFailedError:
            say("put refused: bob's ORDER#001 already exists")

        # Read: get raises ItemNotFoundError, find returns None.
        first = orders.get("alice", "ORDER#001")
        say(f"get: {first.order_id} total={first.total} items={first.items}")
        try:
            orders.get("alice", "ORDER#999")
        except ItemNotFoundError:
            say("get: ORDER#999 not found")

        # Update: SET and ADD in one request (None would REMOVE); the new item comes back.
        updated = orders.update(
            "alice", "ORDER#002", {"status": "shipped", "items": UpdateAdd(3), "tags": UpdateAdd({"rush"})}
        )
        tags = sorted(updated.tags)
        say(f"update: {updated.order_id} status={updated.status} items={updated.items} tags={tags}")

        # Query: a key condition on the sort key, a filter on other fields.
        recent = orders.query_all("alice", SortKeyCondition.gte("ORDER#005"))
        say(f"query >= ORDER#005: {[o.order_id for o in recent]}")
        big_gifts = orders.query_all("alice", filter=gt("total", 20) & contains("tags", "gift"))
        say(f"filter total > 20 and gift: {[o.order_id for o in big_gifts]}")

        # Pagination: pages of 3, continued with the opaque cursor.
        cursor = None
        page_no = 0
        while True:
            page = orders.query("alice", limit=3, cursor=cursor, scan_forward=False)
            page_no += 1
            say(f"page {page_no}: {[o.order_id for o in page.items]}")
            cursor = page.next_cursor
            if cursor is None:
                break

        # A secondary index, and counting without fetching the items.
        open_orders = orders.query_all("open", SortKeyCondition.gt(Decimal("50")), index_name="by-status")
        say(f"open orders over 50: {[(o.customer, o.order_id) for o in open_orders]}")
        say(f"count: alice={orders.count('alice')} all={orders.count()}")

        # Delete, with a condition that it is not shipped.
        orders.delete("alice", "ORDER#001", condition_expression=ne("status", "shipped"))
        say(f"delete: ORDER#001 gone={orders.find('alice', 'ORDER#001') is None}")
    finally:
        delete_table(ORDERS, client=client, table_name=name)
    return lines


if __name__ == "__main__":
    main()
