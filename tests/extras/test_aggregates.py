"""In-memory aggregates over mappings and dataclasses; zeros are values (TableTheory took them as missing)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from theorydb_py import (
    AggregateResult,
    GroupedResult,
    aggregate_field,
    average_field,
    count_distinct,
    group_by,
    max_field,
    min_field,
    sum_field,
)


@dataclass
class Order:
    status: str | None
    amount: Any
    paid: bool = False


ORDERS = [
    Order("paid", 10, True),
    Order("paid", 0, True),
    Order("open", 7),
    Order("", Decimal("2.5")),
    Order(None, None),
]


def test_sum_and_average_use_numbers_only() -> None:
    assert sum_field(ORDERS, "amount") == Decimal("19.5")
    assert average_field(ORDERS, "amount") == pytest.approx(19.5 / 4)  # the zero counts
    odd = [{"v": 1}, {"v": True}, {"v": "3"}, {"v": float("inf")}, {"v": 2.5}, {}]
    assert sum_field(odd, "v") == 3.5
    assert sum_field([], "v") == 0
    with pytest.raises(ValueError, match="no valid values found for field v"):
        average_field([{"v": "x"}], "v")


def test_min_max_treat_zero_empty_and_false_as_values() -> None:
    assert min_field(ORDERS, "amount") == 0
    assert max_field(ORDERS, "amount") == 10
    assert min_field(ORDERS, "status") == ""
    assert min_field(ORDERS, "paid") is False
    assert max_field([{"v": 2}, {"v": "10"}], "v") == 2  # mixed kinds compare as text
    with pytest.raises(ValueError, match="no items found"):
        min_field([], "amount")
    with pytest.raises(ValueError, match="no valid values found for field amount"):
        max_field([Order("x", None)], "amount")


def test_count_distinct_compares_text_and_skips_none() -> None:
    assert count_distinct(ORDERS, "status") == 3
    assert count_distinct([{"v": 1}, {"v": "1"}, {"v": None}], "v") == 1


def test_aggregate_field() -> None:
    result = aggregate_field(ORDERS, "amount")
    assert result == AggregateResult(count=4, sum=Decimal("19.5"), average=19.5 / 4, min=0, max=10)
    assert aggregate_field([], "amount") == AggregateResult()


def test_group_by_with_aggregates_and_having() -> None:
    groups = (
        group_by(ORDERS, "status")
        .count("n")
        .sum("amount", "total")
        .avg("amount", "mean")
        .min("amount", "lo")
        .max("amount", "hi")
        .execute()
    )
    assert [g.key for g in groups] == ["paid", "open", ""]  # first-seen order; None has no group
    paid = groups[0]
    assert isinstance(paid, GroupedResult) and paid.count == 2 and len(paid.items) == 2
    assert paid.aggregates["n"].count == 2
    assert paid.aggregates["total"].sum == 10
    assert paid.aggregates["mean"].average == 5.0
    assert (paid.aggregates["lo"].min, paid.aggregates["hi"].max) == (0, 10)
    kept = group_by(ORDERS, "status").sum("amount", "total").having("total", ">=", 7).execute()
    assert [g.key for g in kept] == ["paid", "open"]
    by_count = group_by(ORDERS, "status").having("COUNT(*)", "=", 2).execute()
    assert [g.key for g in by_count] == ["paid"]
    by_flag = group_by(ORDERS, "paid").execute()
    assert [(g.key, g.count) for g in by_flag] == [(True, 2), (False, 3)]


def test_having_rejects_unknown_operators_and_aggregates() -> None:
    with pytest.raises(ValueError, match="unsupported having operator"):
        group_by(ORDERS, "status").having("COUNT(*)", "LIKE", 1)
    with pytest.raises(ValueError, match="unknown aggregate"):
        group_by(ORDERS, "status").having("nope", "=", 1).execute()
