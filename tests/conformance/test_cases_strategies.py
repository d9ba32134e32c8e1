"""The strategies keep their promises (valid by DynamoDB's rules), checked without a DynamoDB."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from hypothesis import given, settings

from theorydb_mocks.strategies import (
    MAX_ITEM_BYTES,
    Expression,
    attribute_values,
    condition_expressions,
    item_size,
    items,
    keys,
    number_strings,
    update_expressions,
)

ATTRIBUTES: dict[str, Any] = {"s": {"S": "x"}, "n": {"N": "1"}, "l": {"L": []}, "ss": {"SS": ["a"]}}


@settings(max_examples=200)
@given(number_strings())
def test_numbers_fit_dynamodb(text: str) -> None:
    value = Decimal(text)
    assert value == 0 or Decimal("1E-130") <= abs(value) < Decimal("1E126"), text
    assert len(value.normalize().as_tuple().digits) <= 38, text


def _check_value(av: dict[str, Any]) -> None:
    ((tag, value),) = av.items()
    if tag in ("SS", "BS"):
        assert value and len(set(value)) == len(value)
    elif tag == "NS":
        assert value and len({Decimal(v) for v in value}) == len(value)
    elif tag == "L":
        for member in value:
            _check_value(member)
    elif tag == "M":
        for name, member in value.items():
            assert name
            _check_value(member)
    elif tag == "NULL":
        assert value is True


@settings(max_examples=100)
@given(attribute_values())
def test_sets_are_non_empty_and_distinct(av: dict[str, Any]) -> None:
    _check_value(av)


@settings(max_examples=50)
@given(items({"pk": "S", "sk": "N"}, near_limit=True))
def test_near_limit_items_are_just_under_400_kb(item: dict[str, Any]) -> None:
    assert MAX_ITEM_BYTES - 64 <= item_size(item) < MAX_ITEM_BYTES


@settings(max_examples=50)
@given(keys({"pk": "B", "sk": "S"}, near_limit=True))
def test_near_limit_keys_stay_within_key_limits(key: dict[str, Any]) -> None:
    assert 2040 <= len(key["pk"]["B"]) <= 2048
    assert 1016 <= len(key["sk"]["S"].encode()) <= 1024


def _placeholders_used_exactly(expression: Expression) -> None:
    names = set(re.findall(r"#\w+", expression.text))
    values = set(re.findall(r":\w+", expression.text))
    assert names == set(expression.names), expression
    assert values == set(expression.values), expression


@settings(max_examples=100)
@given(condition_expressions(ATTRIBUTES))
def test_conditions_define_exactly_what_they_use(expression: Expression) -> None:
    _placeholders_used_exactly(expression)


@settings(max_examples=100)
@given(update_expressions(ATTRIBUTES))
def test_updates_define_exactly_what_they_use(expression: Expression) -> None:
    _placeholders_used_exactly(expression)
    clauses = re.findall(r"\b(SET|REMOVE|ADD|DELETE)\b", expression.text)
    assert len(clauses) == len(set(clauses)), expression
