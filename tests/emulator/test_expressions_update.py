"""Unit tests for applying UpdateExpressions: results, ReturnValues, and DynamoDB's runtime errors, which
must leave the item untouched."""

from __future__ import annotations

import copy
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.expressions import UpdateResult, compile_expressions

KEYS = ("pk", "sk")
ITEM: dict[str, Any] = {
    "pk": {"S": "k"},
    "sk": {"N": "1"},
    "n": {"N": "5"},
    "s": {"S": "hello"},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x01"]},
    "l": {"L": [{"N": "1"}, {"S": "x"}, {"M": {"c": {"S": "deep"}}}]},
    "m": {"M": {"b": {"N": "2"}, "n": {"M": {"q": {"L": [{"S": "x"}]}}}}},
}
VALUES: dict[str, Any] = {
    ":one": {"N": "1"},
    ":half": {"N": "0.5"},
    ":s": {"S": "new"},
    ":l": {"L": [{"N": "9"}]},
    ":ss": {"SS": ["z", "x"]},
    ":ns": {"NS": ["2.50", "3"]},
    ":bs": {"BS": [b"\x02"]},
    ":sx": {"SS": ["x"]},
    ":sxy": {"SS": ["x", "y"]},
    ":nsx": {"NS": ["1"]},
    ":m": {"M": {"x": {"NULL": True}}},
    ":big": {"N": "99999999999999999999999999999999999999e80"},
    ":tiny": {"N": "1e-20"},
    ":huge": {"N": "1e100"},
}


def update(
    expr: str, item: dict[str, Any] | None = None, names: dict[str, str] | None = None
) -> UpdateResult:
    refs = set(re.findall(r":[A-Za-z0-9_]+", expr))
    used = {key: value for key, value in VALUES.items() if key in refs}
    compiled = compile_expressions(names=names, values=used or None, update=expr)
    assert compiled.update is not None
    target = ITEM if item is None else item
    before = copy.deepcopy(target)
    try:
        return compiled.update.apply(target, KEYS)
    finally:
        assert target == before, "apply changed its input"


def new(expr: str, item: dict[str, Any] | None = None) -> dict[str, Any]:
    return update(expr, item).new_item


def error(expr: str) -> str:
    with pytest.raises(DynamoDBError) as info:
        update(expr)
    assert info.value.code == "ValidationException"
    return info.value.message


def test_set() -> None:
    assert new("SET n = :one")["n"] == {"N": "1"}
    assert new("SET a = :s, b = a", {"pk": {"S": "k"}, "a": {"N": "1"}}) == {
        "pk": {"S": "k"},
        "a": {"S": "new"},
        "b": {"N": "1"},
    }
    swapped = new("SET n = s, s = n")
    assert (swapped["n"], swapped["s"]) == ({"S": "hello"}, {"N": "5"})
    assert new("SET n = n + :half")["n"] == {"N": "5.5"}
    assert new("SET n = :one - n")["n"] == {"N": "-4"}
    assert new("SET n = if_not_exists(n, :one), x = if_not_exists(nope, :one)")["x"] == {"N": "1"}
    assert new("SET l = list_append(l, :l)")["l"]["L"][-1] == {"N": "9"}
    assert new("SET l = list_append(:l, l)")["l"]["L"][0] == {"N": "9"}
    assert new("SET l[0] = :s, l[10] = :one")["l"]["L"] == [
        {"S": "new"},
        {"S": "x"},
        {"M": {"c": {"S": "deep"}}},
        {"N": "1"},
    ]
    assert new("SET m.n.q[0] = :one, m.x = :m")["m"] == {
        "M": {"b": {"N": "2"}, "n": {"M": {"q": {"L": [{"N": "1"}]}}}, "x": {"M": {"x": {"NULL": True}}}}
    }
    assert new("SET l[2].x = :one")["l"]["L"][2] == {"M": {"c": {"S": "deep"}, "x": {"N": "1"}}}


def test_remove() -> None:
    result = new("REMOVE s, nope, l[0], l[2], l[7], m.b")
    assert "s" not in result
    assert result["l"] == {"L": [{"S": "x"}]}
    assert result["m"] == {"M": {"n": {"M": {"q": {"L": [{"S": "x"}]}}}}}
    assert new("REMOVE l[0], l[1]")["l"] == {"L": [{"M": {"c": {"S": "deep"}}}]}


def test_add_and_delete() -> None:
    assert new("ADD n :one")["n"] == {"N": "6"}
    assert new("ADD fresh :one, fresh_set :ss")["fresh_set"] == {"SS": ["z", "x"]}
    assert new("ADD ss :ss")["ss"] == {"SS": ["x", "y", "z"]}
    assert new("ADD ns :ns")["ns"] == {"NS": ["1", "2.5", "3"]}
    assert new("ADD bs :bs")["bs"] == {"BS": [b"\x01", b"\x02"]}
    assert new("ADD l[0] :one")["l"]["L"][0] == {"N": "2"}
    assert new("DELETE ss :sx")["ss"] == {"SS": ["y"]}
    assert "ss" not in new("DELETE ss :sxy")  # an emptied set disappears
    assert new("DELETE ns :nsx")["ns"] == {"NS": ["2.5"]}
    assert new("DELETE nope :sx") == ITEM


def test_new_item_from_the_key() -> None:
    key = {"pk": {"S": "new"}, "sk": {"N": "2"}}
    result = update("SET a = :one ADD c :one", key)
    assert result.new_item == {**key, "a": {"N": "1"}, "c": {"N": "1"}}
    assert result.updated_old == {}
    assert result.updated_new == {"a": {"N": "1"}, "c": {"N": "1"}}
    compiled = compile_expressions(names=None, values={":v": {"N": "1"}}, update="SET a = :v")
    assert compiled.update is not None
    assert compiled.update.apply(None, KEYS).new_item == {"a": {"N": "1"}}


def test_updated_old_and_new_are_whole_top_level_attributes_of_existing_paths() -> None:
    result = update("SET m.b = :one, l[10] = :one REMOVE s")
    assert result.updated_old == {"m": ITEM["m"], "s": ITEM["s"]}  # l[10] did not exist before
    assert result.updated_new == {"m": result.new_item["m"]}  # nor after (it landed at l[3]); s is gone
    assert update("REMOVE l[5], m.nope").updated_old == {}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (
            "SET pk = :s",
            "One or more parameter values were invalid: Cannot update attribute pk. "
            "This attribute is part of the key",
        ),
        (
            "REMOVE sk",
            "One or more parameter values were invalid: Cannot update attribute sk. "
            "This attribute is part of the key",
        ),
        (
            "SET n = nope + :one",
            "The provided expression refers to an attribute that does not exist in the item",
        ),
        (
            "SET n = list_append(nope, :l)",
            "The provided expression refers to an attribute that does not exist in the item",
        ),
        ("SET n = s + :one", "An operand in the update expression has an incorrect data type"),
        ("SET n = list_append(s, :l)", "An operand in the update expression has an incorrect data type"),
        ("ADD s :one", "An operand in the update expression has an incorrect data type"),
        ("ADD ss :ns", "An operand in the update expression has an incorrect data type"),
        ("DELETE ss :nsx", "An operand in the update expression has an incorrect data type"),
        ("DELETE n :nsx", "An operand in the update expression has an incorrect data type"),
        ("SET nope.x = :one", "The document path provided in the update expression is invalid for update"),
        ("SET s.x = :one", "The document path provided in the update expression is invalid for update"),
        ("SET m[0] = :one", "The document path provided in the update expression is invalid for update"),
        ("SET l[1].x = :one", "The document path provided in the update expression is invalid for update"),
        ("REMOVE nope.x", "The document path provided in the update expression is invalid for update"),
        ("REMOVE s[0]", "The document path provided in the update expression is invalid for update"),
        ("ADD n.b :one", "The document path provided in the update expression is invalid for update"),
        ("SET n = :big + :big", "DynamoDB only supports precision up to 38 digits"),
        ("SET n = :huge + :tiny", "DynamoDB only supports precision up to 38 digits"),
        # By kind, whatever the order: ADD/DELETE types, then paths, then SET types, then missing attributes.
        ("SET s.x = :one ADD l[1] :one", "An operand in the update expression has an incorrect data type"),
        (
            "SET a = nope + :one, nope.x = :one",
            "The document path provided in the update expression is invalid for update",
        ),
        (
            "SET nope.x = :one, a = s + :one",
            "The document path provided in the update expression is invalid for update",
        ),
        ("SET a = nope, b = s + :one", "An operand in the update expression has an incorrect data type"),
        (
            "ADD n :ss SET nope.x = n",
            "The document path provided in the update expression is invalid for update",
        ),
    ],
)
def test_runtime_errors_leave_the_item_untouched(expr: str, expected: str) -> None:
    assert error(expr) == expected


NUMBER = st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False, allow_infinity=False)


@settings(max_examples=80)
@given(start=NUMBER, delta=NUMBER)
def test_add_and_set_arithmetic_agree(start: Any, delta: Any) -> None:
    item = {"pk": {"S": "k"}, "n": {"N": str(start)}}
    values = {":d": {"N": str(delta)}}
    added = compile_expressions(names=None, values=values, update="ADD n :d").update
    summed = compile_expressions(names=None, values=values, update="SET n = n + :d").update
    assert added is not None and summed is not None
    result = added.apply(item, ("pk",)).new_item["n"]
    assert result == summed.apply(item, ("pk",)).new_item["n"]
    assert Decimal(result["N"]) == start + delta
