"""Update mappings: clause order, placeholders and refusals (FORMATS.md section 3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from tests.unit._models import NOTES, SECRETS, USERS
from theorydb_py import UpdateAdd, UpdateSetIfNotExists, ValidationError
from theorydb_py.expressions import Expression
from theorydb_py.update import build_update


def test_clauses_come_in_order_set_remove_add() -> None:
    expr = Expression()
    text = build_update(
        USERS,
        {
            "age": UpdateAdd(1),
            "email": None,
            "name": "Ann",
            "tags": UpdateAdd({"vip"}),
            "score": UpdateSetIfNotExists(1.5),
            "nicknames": [],
            "lucky": set(),
        },
        expr,
    )
    assert text == (
        "SET #d_name = :d_name, #d_score = if_not_exists(#d_score, :d_score), #d_nicknames = :d_nicknames "
        "REMOVE #d_email, #d_lucky ADD #d_age :d_age, #d_tags :d_tags"
    )
    assert expr.names == {
        "#d_age": "age",
        "#d_email": "email",
        "#d_name": "name",
        "#d_tags": "tags",
        "#d_score": "score",
        "#d_nicknames": "nicknames",
        "#d_lucky": "lucky",
    }
    assert expr.values == {
        ":d_age": {"N": "1"},
        ":d_tags": {"SS": ["vip"]},
        ":d_name": {"S": "Ann"},
        ":d_score": {"N": "1.5"},
        ":d_nicknames": {"L": []},
    }


def test_updates_use_attribute_names_and_converters() -> None:
    expr = Expression()
    assert build_update(USERS, {"balance_cents": 2}, expr) == "SET #d_balance_cents = :d_balance_cents"
    assert expr.values == {":d_balance_cents": {"N": "200"}}
    expr = Expression()
    assert build_update(NOTES, {"text": "hi"}, expr) == "SET #d_text = :d_text"
    assert expr.values == {":d_text": {"S": "HI"}}


@pytest.mark.parametrize(
    ("model", "updates", "message"),
    [
        (USERS, {}, "update needs a non-empty mapping"),
        (USERS, {"nope": 1}, "User has no field 'nope'"),
        (USERS, {"id": "u2"}, "update of id: key fields cannot be updated"),
        (USERS, {"SK": "X"}, "update of sk: key fields cannot be updated"),
        (USERS, {"age": "x"}, "update of age: expected int"),
        (USERS, {"name": UpdateAdd("x")}, r"ADD takes a number or a non-empty set, got 'x'"),
        (USERS, {"tags": UpdateAdd(set())}, "ADD takes a number or a non-empty set"),
        (USERS, {"name": UpdateSetIfNotExists(None)}, "if_not_exists needs a value to set"),
        (SECRETS, {"pin": UpdateAdd(1)}, "pin is encrypted and cannot be used in ADD"),
        (SECRETS, {"ssn": "x"}, r"encrypted fields need the table's encryption set up \(kms_key_arn\)"),
    ],
)
def test_bad_updates_are_refused(model: Any, updates: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        build_update(model, updates, Expression())


def test_encrypted_set_values_are_sealed_with_one_call() -> None:
    calls: list[dict[str, Any]] = []

    def seal(attrs: Mapping[str, Any]) -> dict[str, Any]:
        calls.append(dict(attrs))
        return {name: {"M": {"sealed": av}} for name, av in attrs.items()}

    expr = Expression()
    text = build_update(SECRETS, {"ssn": "123", "pin": 42, "visible": "v"}, expr, seal)
    assert text == "SET #d_ssn = :d_ssn, #d_pin = :d_pin, #d_visible = :d_visible"
    assert calls == [{"ssn": {"S": "123"}, "pin": {"N": "42"}}]
    assert expr.values[":d_ssn"] == {"M": {"sealed": {"S": "123"}}}
    assert expr.values[":d_visible"] == {"S": "v"}
