"""Unit tests for evaluating conditions and filters, and for projections (DynamoDB's runtime rules)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorydb_mocks.emulator.expressions import compile_expressions

ITEM: dict[str, Any] = {
    "pk": {"S": "k"},
    "n": {"N": "5"},
    "s": {"S": "hello"},
    "u": {"S": "é€"},
    "e": {"S": "😀a"},
    "b": {"B": b"\x01\x02"},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x01"]},
    "l": {"L": [{"N": "1"}, {"S": "x"}, {"M": {"c": {"S": "deep"}}}]},
    "m": {"M": {"b": {"N": "2"}, "n": {"M": {"q": {"L": [{"S": "x"}]}}}}},
}
VALUES: dict[str, Any] = {
    ":five": {"N": "5.0"},
    ":one": {"N": "1"},
    ":two": {"N": "2"},
    ":three": {"N": "3"},
    ":s": {"S": "hello"},
    ":he": {"S": "he"},
    ":x": {"S": "x"},
    ":b1": {"B": b"\x01"},
    ":yes": {"BOOL": True},
    ":null": {"NULL": True},
    ":ss": {"SS": ["y", "x"]},
    ":ns": {"NS": ["2.50", "1.0"]},
    ":l": {"L": [{"N": "1.0"}, {"S": "x"}, {"M": {"c": {"S": "deep"}}}]},
    ":deep": {"M": {"c": {"S": "deep"}}},
    ":T": {"S": "N"},
    ":SS": {"S": "SS"},
    ":NULL": {"S": "NULL"},
    ":M": {"S": "M"},
}


def holds(expr: str, item: dict[str, Any] | None = None, names: dict[str, str] | None = None) -> bool:
    refs = set(re.findall(r":[A-Za-z0-9_]+", expr))
    used = {key: value for key, value in VALUES.items() if key in refs}
    compiled = compile_expressions(names=names, values=used or None, condition=expr)
    assert compiled.condition is not None
    return compiled.condition.evaluate(ITEM if item is None else item)


@pytest.mark.parametrize(
    "expr",
    [
        "n = :five",
        "n <> :one",
        "nope <> :one",  # a missing attribute is "not equal"
        "s <> :five",  # different types are "not equal"
        "n > :three AND n >= :five AND n <= :five AND n < :s OR n = :five",
        "s > :he",
        "b > :b1",
        "ss = :ss",
        "ns = :ns",
        "l = :l",
        "t = :yes AND z = :null",
        "n BETWEEN :one AND :five",
        "n IN (:one, :five)",
        "l[0] = :one AND l[2].c = :x OR m.n.q[0] = :x",
        "m.b = :two",
        "NOT nope = :one",
        "NOT nope < :one",
        "attribute_exists(m.n.q[0])",
        "attribute_not_exists(l[3])",
        "attribute_not_exists(s.x)",
        "attribute_type(n, :T) AND attribute_type(ss, :SS) AND attribute_type(z, :NULL)",
        "attribute_type(m, :M)",
        "attribute_type(:one, :T) AND attribute_type(size(s), :T)",
        "begins_with(s, :he)",
        "begins_with(b, :b1)",
        "contains(s, :he)",
        "contains(ss, :x)",
        "contains(ns, :two) OR contains(ns, :one)",
        "contains(bs, :b1)",
        "contains(l, :x) AND contains(l, :deep)",
        "size(s) = :five",
        "size(u) = :two",  # UTF-16 code units, not UTF-8 bytes
        "size(e) = :three",  # an emoji is two UTF-16 code units
        "size(b) = :two AND size(ss) = :two AND size(l) = :three AND size(m) = :two",
        "size(nope) < :one OR size(n) > :one OR NOT size(n) = :one",
        "NOT (n = :one OR s = :x)",
        "#a = :five",
    ],
)
def test_true_conditions(expr: str) -> None:
    assert holds(expr, names={"#a": "n"} if "#a" in expr else None)


@pytest.mark.parametrize(
    "expr",
    [
        "n = :one",
        "nope = :one",
        "nope < :one",
        "s < :five",  # different types never compare
        "ss < :x",
        "n BETWEEN :one AND :three",
        "n IN (:one, :two)",
        "l[7] = :one",
        "m.nope.q = :x",
        "s.x = :x",
        "attribute_exists(nope)",
        "attribute_exists(l[3])",
        "attribute_type(s, :T)",
        "begins_with(n, :he)",
        "begins_with(s, :b1)",
        "contains(n, :one)",
        "contains(ss, :one)",
        "contains(s, :deep)",
        "size(n) = :one",
        "size(t) > :one",
        "n = :five AND s = :x",
        "NOT n = :five",
    ],
)
def test_false_conditions(expr: str) -> None:
    assert not holds(expr)


def test_conditions_on_a_missing_item() -> None:
    assert holds("attribute_not_exists(pk)", {})
    assert not holds("attribute_exists(pk)", {})
    assert holds("nope <> :one", {})
    assert not holds("n = :one", {})


def test_attribute_names_are_top_level() -> None:
    compiled = compile_expressions(
        names={"#k": "pk"}, values={":v": {"N": "1"}}, filter="m.b = :v AND size(l[0]) > :v OR #k IN (:v, x)"
    )
    assert compiled.filter is not None
    assert compiled.filter.attribute_names() == frozenset({"m", "l", "pk", "x"})


def project(expr: str, names: dict[str, str] | None = None) -> dict[str, Any]:
    compiled = compile_expressions(names=names, values=None, projection=expr)
    assert compiled.projection is not None
    return compiled.projection.apply(ITEM)


def test_projection() -> None:
    assert project("s, n, nope") == {"s": {"S": "hello"}, "n": {"N": "5"}}
    assert project("l[2].c, l[0], m.n.q[0], m.zz, ss") == {
        "l": {"L": [{"N": "1"}, {"M": {"c": {"S": "deep"}}}]},
        "m": {"M": {"n": {"M": {"q": {"L": [{"S": "x"}]}}}}},
        "ss": {"SS": ["x", "y"]},
    }
    assert project("l[1], l[5], m.n, pk") == {
        "l": {"L": [{"S": "x"}]},
        "m": {"M": {"n": {"M": {"q": {"L": [{"S": "x"}]}}}}},
        "pk": {"S": "k"},
    }
    assert project("#a.#b", {"#a": "m", "#b": "b"}) == {"m": {"M": {"b": {"N": "2"}}}}
    assert project("s.x, n[0]") == {}


def test_projection_top_level_names() -> None:
    compiled = compile_expressions(names={"#a": "m"}, values=None, projection="l[1], #a.b, s, l[0]")
    assert compiled.projection is not None
    assert compiled.projection.top_level_names == ("l", "m", "s")


def test_evaluation_does_not_change_the_item_or_the_tree() -> None:
    compiled = compile_expressions(
        names=None, values={":v": {"N": "1"}}, condition="size(l) > :v AND l[0] = :v"
    )
    assert compiled.condition is not None
    before = repr(compiled.condition)
    snapshot = repr(ITEM)
    assert compiled.condition.evaluate(ITEM)
    assert repr(compiled.condition) == before and repr(ITEM) == snapshot


NUMBERS = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=80)
@given(a=NUMBERS, low=NUMBERS, high=NUMBERS)
def test_between_agrees_with_decimal_order(a: Any, low: Any, high: Any) -> None:
    if low > high:
        low, high = high, low
    item = {"a": {"N": str(a)}}
    values = {":lo": {"N": str(low)}, ":hi": {"N": str(high)}}
    compiled = compile_expressions(names=None, values=values, condition="a BETWEEN :lo AND :hi")
    assert compiled.condition is not None
    assert compiled.condition.evaluate(item) == (low <= a <= high)
    negated = compile_expressions(names=None, values=values, condition="NOT a BETWEEN :lo AND :hi")
    assert negated.condition is not None
    assert negated.condition.evaluate(item) != compiled.condition.evaluate(item)
