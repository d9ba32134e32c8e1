"""Models with multi-attribute GSI keys: declared with ``gsi(name, (a, b), (c, d))``, created, written and
queried through ``Table`` on DynamoDB Local 3.3.0 and on the emulator, with the same answers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, cast

import pytest

from tests.integration.conftest import MakeTable
from theorydb_py import ModelDefinition, SortKeyCondition, Table, ValidationError, gsi, lsi, theorydb_field
from theorydb_py.errors import ModelDefinitionError
from theorydb_py.schema import build_create_table_request


@dataclass
class Sale:
    id: str = theorydb_field(name="PK", roles="pk")
    tenant: str = ""
    region: str = theorydb_field(omitempty=True, default="")
    year: int = 0
    month: int = 0
    day: int = 0
    amount: int = 0


SALES = ModelDefinition.from_dataclass(
    Sale,
    table_name="sales",
    indexes=[gsi("by-region", ("tenant", "region"), ("year", "month", "day"), projection="ALL")],
)


@pytest.fixture
def sales(make_table: MakeTable) -> Table[Sale]:
    table = make_table(SALES)
    for n, (tenant, region, month, day) in enumerate(
        itertools.product(["acme", "zeta"], ["eu", "us"], [1, 2, 3], [5, 20])
    ):
        table.put(Sale(f"s{n:03}", tenant, region, 2025, month, day, amount=n))
    table.put(Sale("sparse", "acme", "", 2025, 1, 1))  # no region: left out of the index
    return table


def _days(items: list[Sale]) -> list[tuple[int, int]]:
    return [(s.month, s.day) for s in items]


def test_the_create_table_request_lists_every_key_attribute() -> None:
    request = build_create_table_request(SALES)
    (index,) = request["GlobalSecondaryIndexes"]
    assert index["KeySchema"] == [
        {"AttributeName": "tenant", "KeyType": "HASH"},
        {"AttributeName": "region", "KeyType": "HASH"},
        {"AttributeName": "year", "KeyType": "RANGE"},
        {"AttributeName": "month", "KeyType": "RANGE"},
        {"AttributeName": "day", "KeyType": "RANGE"},
    ]
    types = {d["AttributeName"]: d["AttributeType"] for d in request["AttributeDefinitions"]}
    assert types == {"PK": "S", "tenant": "S", "region": "S", "year": "N", "month": "N", "day": "N"}


def test_a_partition_of_several_attributes_is_queried_by_a_tuple(sales: Table[Sale]) -> None:
    found = sales.query_all(("acme", "eu"), index_name="by-region")
    assert _days(found) == [(1, 5), (1, 20), (2, 5), (2, 20), (3, 5), (3, 20)]
    assert {(s.tenant, s.region) for s in found} == {("acme", "eu")}
    assert sales.query_all(("acme", "mars"), index_name="by-region") == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ((2025,), [(1, 5), (1, 20), (2, 5), (2, 20), (3, 5), (3, 20)]),
        ((2025, 2), [(2, 5), (2, 20)]),
        ((2025, 2, 20), [(2, 20)]),
        ((2025, SortKeyCondition.gte(2)), [(2, 5), (2, 20), (3, 5), (3, 20)]),
        ((2025, SortKeyCondition.between(1, 2)), [(1, 5), (1, 20), (2, 5), (2, 20)]),
        ((2025, 3, SortKeyCondition.lt(10)), [(3, 5)]),
        (SortKeyCondition.gt(2024), [(1, 5), (1, 20), (2, 5), (2, 20), (3, 5), (3, 20)]),
        (SortKeyCondition.lt(2025), []),
    ],
)
def test_sort_attributes_are_compared_left_to_right(sales: Table[Sale], sort: Any, expected: Any) -> None:
    assert _days(sales.query_all(("zeta", "us"), sort, index_name="by-region")) == expected


def test_pages_and_descending_order_follow_the_whole_sort_key(sales: Table[Sale]) -> None:
    seen: list[Sale] = []
    cursor = None
    while True:
        page = sales.query(("acme", "us"), index_name="by-region", limit=4, cursor=cursor, scan_forward=False)
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert _days(seen) == [(3, 20), (3, 5), (2, 20), (2, 5), (1, 20), (1, 5)]


def test_an_update_moves_the_item_within_the_index(sales: Table[Sale]) -> None:
    sales.update("s000", None, {"region": "us", "month": 9})
    moved = sales.query_all(("acme", "us"), (2025, 9), index_name="by-region")
    assert [s.id for s in moved] == ["s000"]


def test_mistakes_are_typed_errors_before_any_request(sales: Table[Sale]) -> None:
    with pytest.raises(ValidationError, match=r"partition key is \(tenant, region\): give a tuple of 2"):
        sales.query_all("acme", index_name="by-region")
    with pytest.raises(ValidationError, match="only the last sort attribute"):
        sales.query_all(("acme", "eu"), (SortKeyCondition.gt(1), 2), index_name="by-region")
    with pytest.raises(ValidationError, match="4 sort conditions for an index with 3 sort attributes"):
        sales.query_all(("acme", "eu"), (2025, 1, 5, 6), index_name="by-region")


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (lambda: gsi("i", ("tenant", "region", "year", "month", "day")), "at most 4 attributes, not 5"),
        (lambda: gsi("i", ("tenant", "tenant")), "appears twice"),
        (lambda: gsi("i", ("tenant", "nope")), "'nope' is not a field"),
        (lambda: gsi("i", ()), "a field name or a sequence of names"),
        (lambda: lsi("i", cast(Any, ("year", "month"))), "only a global secondary index"),  # untyped callers
    ],
)
def test_bad_declarations_name_the_fix(index: Any, message: str) -> None:
    with pytest.raises(ModelDefinitionError, match=message):
        ModelDefinition.from_dataclass(Sale, table_name="sales", indexes=[index()])
