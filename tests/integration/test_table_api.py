"""The whole Table API against a real backend (DynamoDB Local; the emulator joins through backend_client)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from tests.integration.conftest import MakeTable
from theorydb_py import (
    Condition,
    ConditionFailedError,
    ItemNotFoundError,
    ModelDefinition,
    SortKeyCondition,
    Table,
    TableNotFoundError,
    UpdateAdd,
    UpdateSetIfNotExists,
    ValidationError,
    describe_table,
    ensure_table,
    gsi,
    lsi,
    theorydb_field,
)
from theorydb_py.expressions import begins_with, between, contains, eq, exists, gt, in_, lt, not_exists, size
from theorydb_py.mocks import FakeKmsClient


@dataclass
class Order:
    customer: str = theorydb_field(name="PK", roles="pk")
    order_id: str = theorydb_field(name="SK", roles="sk")
    email: str = ""
    status: str = "new"
    total: float = 0.0
    qty: int = 0
    price: Decimal = Decimal("0")
    tags: set[str] = field(default_factory=set)
    lines: list[dict[str, Any]] = field(default_factory=list)
    placed: dt.datetime | None = None
    receipt: bytes = b""
    token: uuid.UUID | None = None
    note: str = theorydb_field(omitempty=True, default="")


ORDERS = ModelDefinition.from_dataclass(
    Order,
    table_name="orders",
    indexes=[
        gsi("by-email", "email", "total"),
        gsi("by-status", "status", projection="KEYS_ONLY"),
        lsi("by-qty", "qty", include=["status"]),
    ],
)


def order(i: int, customer: str = "c1", **changes: Any) -> Order:
    base = Order(
        customer,
        f"O#{i:03d}",
        email=f"{customer}@example.com",
        status="open" if i % 2 else "closed",
        total=i * 1.1,
        qty=i,
        price=Decimal(i) / 4,
        tags={"even"} if i % 2 == 0 else {"odd", "vip"},
        placed=dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i),
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


@pytest.fixture
def orders(make_table: MakeTable) -> Table[Order]:
    table: Table[Order] = make_table(ORDERS)
    for i in range(10):
        table.put(order(i))
    table.put(order(1, "c2"))
    return table


def test_crud_round_trip_keeps_every_value(make_table: MakeTable) -> None:
    table: Table[Order] = make_table(ORDERS)
    original = order(
        7,
        lines=[{"sku": "A", "n": 2, "ok": True, "none": None}],
        receipt=b"\x00\xff",
        token=uuid.uuid4(),
        total=0.1 + 0.2,
    )
    table.put(original)
    assert table.get("c1", "O#007", consistent_read=True) == original
    assert table.find("c1", "O#999") is None
    with pytest.raises(ItemNotFoundError):
        table.get("c1", "O#999")
    table.delete("c1", "O#007")
    assert table.find("c1", "O#007") is None


def test_conditions_on_put_and_delete(orders: Table[Order]) -> None:
    with pytest.raises(ConditionFailedError) as info:
        orders.put(order(1), condition_expression=not_exists("customer"))
    assert info.value.code == "ConditionalCheckFailedException"
    orders.put(order(50), condition_expression=not_exists("customer"))
    orders.put(
        order(50, qty=51),
        condition_expression="#q = :q",
        expression_attribute_names={"#q": "qty"},
        expression_attribute_values={":q": 50},
    )
    with pytest.raises(ConditionFailedError):
        orders.delete("c1", "O#050", condition_expression=lt("qty", 3))
    orders.delete("c1", "O#050", condition_expression=gt("qty", 3) & exists("status"))
    assert orders.find("c1", "O#050") is None


def test_update_set_remove_add_and_if_not_exists(orders: Table[Order]) -> None:
    got = orders.update(
        "c1",
        "O#002",
        {
            "status": "shipped",
            "email": None,
            "qty": UpdateAdd(5),
            "tags": UpdateAdd({"gift"}),
            "note": UpdateSetIfNotExists("first"),
        },
    )
    assert (got.status, got.email, got.qty, got.tags, got.note) == (
        "shipped",
        "",
        7,
        {"even", "gift"},
        "first",
    )
    again = orders.update("c1", "O#002", {"note": UpdateSetIfNotExists("second"), "tags": set()})
    assert (again.note, again.tags) == ("first", set())
    assert orders.get("c1", "O#002") == again
    with pytest.raises(ConditionFailedError):
        orders.update("c1", "O#404", {"qty": 1}, condition_expression=exists("customer"))


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (None, list(range(10))),
        (SortKeyCondition.eq("O#003"), [3]),
        (SortKeyCondition.lt("O#003"), [0, 1, 2]),
        (SortKeyCondition.lte("O#003"), [0, 1, 2, 3]),
        (SortKeyCondition.gt("O#007"), [8, 9]),
        (SortKeyCondition.gte("O#007"), [7, 8, 9]),
        (SortKeyCondition.between("O#002", "O#004"), [2, 3, 4]),
        (SortKeyCondition.begins_with("O#00"), list(range(10))),
    ],
)
def test_query_sort_key_conditions(
    orders: Table[Order], sort: SortKeyCondition | None, expected: list[int]
) -> None:
    assert [o.qty for o in orders.query_all("c1", sort)] == expected
    assert [o.qty for o in orders.query_all("c1", sort, scan_forward=False)] == expected[::-1]


def test_pagination_with_cursors_visits_every_item_once(orders: Table[Order]) -> None:
    for forward in (True, False):
        seen: list[int] = []
        cursor = None
        pages = 0
        while True:
            page = orders.query("c1", limit=3, cursor=cursor, scan_forward=forward)
            seen += [o.qty for o in page.items]
            pages += 1
            cursor = page.next_cursor
            if cursor is None:
                break
        assert sorted(seen) == list(range(10)) and len(seen) == 10
        assert pages in (4, 5)  # DynamoDB may hand back one empty last page
    first = orders.query("c1", limit=3)
    assert first.next_cursor is not None
    with pytest.raises(ValidationError, match="made for sort order 'ASC', not 'DESC'"):
        orders.query("c1", limit=3, cursor=first.next_cursor, scan_forward=False)


def test_filters_match_python_side_filtering(orders: Table[Order]) -> None:
    every = orders.query_all("c1")
    cases: list[tuple[Condition, Callable[[Order], bool]]] = [
        (eq("status", "open"), lambda o: o.status == "open"),
        (gt("total", 5.0) & contains("tags", "vip"), lambda o: o.total > 5.0 and "vip" in o.tags),
        (
            between("price", Decimal("0.5"), Decimal("1.5")) | in_("qty", [9]),
            lambda o: Decimal("0.5") <= o.price <= Decimal("1.5") or o.qty == 9,
        ),
        (~begins_with("status", "op") & gt(size("tags"), 0), lambda o: not o.status.startswith("op")),
        (gt("placed", dt.datetime(2024, 1, 1, 5, tzinfo=dt.UTC)), lambda o: o.qty > 5),
        (not_exists("note"), lambda o: True),
    ]
    for cond, predicate in cases:
        assert [o.qty for o in orders.query_all("c1", filter=cond)] == [
            o.qty for o in every if predicate(o)
        ], cond
        assert orders.count("c1", filter=cond) == len([o for o in every if predicate(o)])


def test_indexes_and_projections(orders: Table[Order]) -> None:
    by_email = orders.query_all("c1@example.com", SortKeyCondition.gt(5.0), index_name="by-email")
    assert [o.qty for o in by_email] == [5, 6, 7, 8, 9]
    keys_only = orders.query("open", index_name="by-status").items
    assert {o.order_id for o in keys_only} == {"O#001", "O#003", "O#005", "O#007", "O#009"}
    assert all(o.qty == 0 and o.tags == set() for o in keys_only)  # not projected: defaults
    by_qty = orders.query_all("c1", SortKeyCondition.gte(8), index_name="by-qty", consistent_read=True)
    assert [(o.qty, o.status) for o in by_qty] == [(8, "closed"), (9, "open")]
    projected = orders.query("c1", SortKeyCondition.eq("O#004"), projection=["customer", "order_id", "total"])
    assert [(o.order_id, o.total, o.status) for o in projected.items] == [("O#004", 4.4, "new")]
    page = orders.query("c1@example.com", index_name="by-email", limit=4)
    rest = orders.query_all("c1@example.com", index_name="by-email", cursor=page.next_cursor)
    assert len(page.items) + len(rest) == 10


def test_empty_index_keys_leave_the_item_out_of_the_index(orders: Table[Order]) -> None:
    orders.put(order(77, email=""))
    assert orders.get("c1", "O#077").email == ""
    assert all(o.qty != 77 for o in orders.scan_all(index_name="by-email"))


def test_scan_parallel_segments_and_count(orders: Table[Order]) -> None:
    everything = orders.scan_all()
    assert len(everything) == 11
    segments = [o for s in range(3) for o in orders.scan_all(segment=s, total_segments=3)]
    assert sorted((o.customer, o.order_id) for o in segments) == sorted(
        (o.customer, o.order_id) for o in everything
    )
    assert orders.count() == 11
    assert orders.count(filter=eq("customer", "c2")) == 1
    assert orders.count("c1", SortKeyCondition.begins_with("O#00")) == 10
    lazy = orders.iter_scan(limit=2)
    assert next(lazy).customer in ("c1", "c2")
    page = orders.scan(limit=4)
    assert len(page.items) == 4 and page.next_cursor
    assert len(orders.scan_all(cursor=page.next_cursor)) == 7


def test_backend_errors_are_mapped(backend_client: Any, orders: Table[Order]) -> None:
    missing = Table(ORDERS, client=backend_client, table_name=f"missing-{uuid.uuid4().hex[:8]}")
    with pytest.raises(TableNotFoundError) as info:
        missing.get("c1", "O#001")
    assert info.value.code == "ResourceNotFoundException"
    with pytest.raises(ValidationError) as bad:
        orders.query(
            "c1", filter=eq("order_id", "O#001")
        )  # DynamoDB refuses key attributes in a query filter
    assert bad.value.code == "ValidationException"


def test_schema_helpers(backend_client: Any, make_table: MakeTable) -> None:
    table = make_table(ORDERS)
    description = describe_table(ORDERS, client=backend_client, table_name=table.table_name)
    assert {i["IndexName"] for i in description["GlobalSecondaryIndexes"]} == {"by-email", "by-status"}
    assert description["LocalSecondaryIndexes"][0]["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["status"],
    }
    assert ensure_table(ORDERS, client=backend_client, table_name=table.table_name)["TableStatus"] == "ACTIVE"


@dataclass
class Vault:
    id: str = theorydb_field(roles="pk")
    secret: str = theorydb_field(encrypted=True, default="")
    pin: int = theorydb_field(encrypted=True, default=0)


def test_encrypted_fields_round_trip_and_are_stored_sealed(
    backend_client: Any, make_table: MakeTable
) -> None:
    vaults = ModelDefinition.from_dataclass(Vault, table_name="vaults")
    table = make_table(
        vaults, kms_key_arn="arn:aws:kms:us-east-1:111122223333:key/k", kms_client=FakeKmsClient()
    )
    table.put(Vault("v1", "open sesame", 1234))
    assert table.get("v1") == Vault("v1", "open sesame", 1234)
    raw = backend_client.get_item(TableName=table.table_name, Key={"id": {"S": "v1"}})["Item"]
    assert set(raw["secret"]["M"]) == {"v", "edk", "nonce", "ct"}
    assert b"open sesame" not in bytes(raw["secret"]["M"]["ct"]["B"])
    assert table.update("v1", None, {"secret": "new"}).secret == "new"
