"""Filters, conditions, projections and key conditions: exact strings, placeholders and refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.unit._models import NOTES, SECRETS, USERS, Status
from theorydb_py import SortKeyCondition, ValidationError
from theorydb_py.expressions import (
    Condition,
    Expression,
    and_,
    begins_with,
    between,
    contains,
    eq,
    exists,
    gt,
    gte,
    in_,
    key_condition,
    lt,
    lte,
    ne,
    not_,
    not_exists,
    or_,
    projection,
    render,
    size,
    type_,
)


def rendered(cond: Condition, model: Any = USERS) -> tuple[str, dict[str, str], dict[str, Any]]:
    expr = Expression()
    text = render(model, cond, expr)
    return text, expr.names, expr.values


@pytest.mark.parametrize(
    ("cond", "text", "values"),
    [
        (eq("name", "Ann"), "#f_name = :f1", {":f1": {"S": "Ann"}}),
        (ne("age", 3), "#f_age <> :f1", {":f1": {"N": "3"}}),
        (lt("score", 1.5), "#f_score < :f1", {":f1": {"N": "1.5"}}),
        (lte("balance", Decimal("2.50")), "#f_balance <= :f1", {":f1": {"N": "2.50"}}),
        (gt("status", Status.CLOSED), "#f_status > :f1", {":f1": {"S": "closed"}}),
        (gte("age", 18), "#f_age >= :f1", {":f1": {"N": "18"}}),
        (between("age", 1, 9), "#f_age BETWEEN :f1 AND :f2", {":f1": {"N": "1"}, ":f2": {"N": "9"}}),
        (in_("name", ["a", "b"]), "#f_name IN (:f1, :f2)", {":f1": {"S": "a"}, ":f2": {"S": "b"}}),
        (begins_with("name", "An"), "begins_with(#f_name, :f1)", {":f1": {"S": "An"}}),
        (contains("tags", "vip"), "contains(#f_tags, :f1)", {":f1": {"S": "vip"}}),
        (contains("lucky", 7), "contains(#f_lucky, :f1)", {":f1": {"N": "7"}}),
        (contains("name", "nn"), "contains(#f_name, :f1)", {":f1": {"S": "nn"}}),
        (exists("email"), "attribute_exists(#f_email)", {}),
        (not_exists("email"), "attribute_not_exists(#f_email)", {}),
        (type_("name", "S"), "attribute_type(#f_name, :f1)", {":f1": {"S": "S"}}),
        (gt(size("tags"), 2), "size(#f_tags) > :f1", {":f1": {"N": "2"}}),
        (
            between(size("name"), 1, 5),
            "size(#f_name) BETWEEN :f1 AND :f2",
            {":f1": {"N": "1"}, ":f2": {"N": "5"}},
        ),
        (eq("balance_cents", Decimal("1.25")), "#f_balance_cents = :f1", {":f1": {"N": "125"}}),  # converter
        (eq("PK", "u1"), "#f_PK = :f1", {":f1": {"S": "u1"}}),  # by attribute name
    ],
)
def test_each_builder_renders_exactly(cond: Condition, text: str, values: dict[str, Any]) -> None:
    got_text, names, got_values = rendered(cond)
    assert got_text == text
    assert got_values == values
    assert all(key.startswith("#f_") for key in names)


def test_groups_are_parenthesised_and_placeholders_numbered_in_build_order() -> None:
    cond = eq("name", "a") & (gt("age", 1) | not_(exists("email"))) & ~lt("score", 2)
    text, names, values = rendered(cond)
    assert text == "#f_name = :f1 AND (#f_age > :f2 OR NOT attribute_exists(#f_email)) AND NOT #f_score < :f3"
    assert names == {"#f_name": "name", "#f_age": "age", "#f_email": "email", "#f_score": "score"}
    assert list(values) == [":f1", ":f2", ":f3"]
    nested = or_(and_(eq("age", 1), eq("name", "x")), not_(or_(eq("age", 2), eq("age", 3))))
    assert rendered(nested)[0] == ("(#f_age = :f1 AND #f_name = :f2) OR NOT (#f_age = :f3 OR #f_age = :f4)")
    assert rendered(and_(eq("age", 1)))[0] == "#f_age = :f1"


def test_same_field_twice_uses_one_name() -> None:
    text, names, _ = rendered(gt("age", 1) & lt("age", 9))
    assert text == "#f_age > :f1 AND #f_age < :f2"
    assert names == {"#f_age": "age"}


def test_attribute_names_with_other_characters_get_safe_placeholders() -> None:
    expr = Expression()
    assert expr.name("f", "user-id") == "#f_user_id"
    assert expr.name("f", "user.id") == "#f_user_id_2"  # a different attribute, same cleaned name
    assert expr.name("f", "user-id") == "#f_user_id"
    assert expr.names == {"#f_user_id": "user-id", "#f_user_id_2": "user.id"}


def test_converters_apply_in_filters() -> None:
    assert rendered(eq("text", "hi"), NOTES)[2] == {":f1": {"S": "HI"}}


def test_repr_shows_the_expression() -> None:
    assert repr(eq("a", 1) | ~exists("b")) == "(a = 1 OR NOT attribute_exists(b))"
    assert repr(in_(size("t"), [1, 2])) == "size(t) IN (1, 2)"
    assert repr(SortKeyCondition.between(1, 2)) == "SortKeyCondition(between 1, 2)"


def test_conditions_refuse_truth_testing() -> None:
    with pytest.raises(TypeError, match=r"combine conditions with & \| ~"):
        bool(eq("a", 1))


REFUSED: list[tuple[str, Any, str]] = [
    ("unknown field", lambda: eq("nope", 1), r"User has no field 'nope'"),
    ("wrong type", lambda: eq("age", "x"), r"a filter age: expected int, got str 'x'"),
    ("none", lambda: eq("age", None), r"cannot compare age with None; use exists\(\)/not_exists\(\)"),
    ("empty set value", lambda: eq("tags", set()), r"cannot be compared with an empty value"),
    ("size of negative", lambda: gt(size("tags"), -1), r"size\(\) compares with an int >= 0"),
    ("in empty", lambda: in_("age", []), r"IN takes 1 to 100 values, got 0"),
    ("in too many", lambda: in_("age", range(101)), r"IN takes 1 to 100 values, got 101"),
    ("bad group member", lambda: and_(eq("age", 1), "x"), r"AND takes conditions"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("build", "message"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_bad_filters_are_refused_before_sending(build: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        rendered(build())


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: eq("", 1), "a condition needs a field name or size"),
        (lambda: exists(""), "a condition needs a field name"),
        (lambda: type_("a", "STRING"), "attribute type must be one of B, BOOL, BS, L, M, N, NS, NULL, S, SS"),
        (lambda: and_(), "AND needs at least one condition"),
        (lambda: not_("x"), "NOT takes a condition"),  # type: ignore[arg-type]
    ],
)
def test_bad_builder_arguments(build: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        build()


def test_encrypted_fields_are_refused_in_filters_and_conditions() -> None:
    with pytest.raises(ValidationError, match="ssn is encrypted and cannot be used in a filter"):
        rendered(eq("ssn", "1"), SECRETS)
    expr = Expression()
    with pytest.raises(ValidationError, match="pin is encrypted and cannot be used in a condition"):
        render(SECRETS, exists("pin"), expr, prefix="c", usage="a condition")


def test_projection_names() -> None:
    expr = Expression()
    assert projection(USERS, ["id", "name", "PK"], expr) == "#p_PK, #p_name"
    assert expr.names == {"#p_PK": "PK", "#p_name": "name"}
    with pytest.raises(ValidationError, match="projection takes a list of field names"):
        projection(USERS, "name", Expression())
    with pytest.raises(ValidationError, match="projection needs at least one field"):
        projection(USERS, [], Expression())


@pytest.mark.parametrize(
    ("sort", "text", "values"),
    [
        (None, "#pk = :pk", {}),
        (SortKeyCondition.eq("A"), "#pk = :pk AND #sk = :sk", {":sk": {"S": "A"}}),
        (SortKeyCondition.lt("A"), "#pk = :pk AND #sk < :sk", {":sk": {"S": "A"}}),
        (SortKeyCondition.lte("A"), "#pk = :pk AND #sk <= :sk", {":sk": {"S": "A"}}),
        (SortKeyCondition.gt("A"), "#pk = :pk AND #sk > :sk", {":sk": {"S": "A"}}),
        (SortKeyCondition.gte("A"), "#pk = :pk AND #sk >= :sk", {":sk": {"S": "A"}}),
        (
            SortKeyCondition.between("A", "B"),
            "#pk = :pk AND #sk BETWEEN :sk1 AND :sk2",
            {":sk1": {"S": "A"}, ":sk2": {"S": "B"}},
        ),
        (SortKeyCondition.begins_with("OR"), "#pk = :pk AND begins_with(#sk, :sk)", {":sk": {"S": "OR"}}),
    ],
)
def test_key_conditions(sort: SortKeyCondition | None, text: str, values: dict[str, Any]) -> None:
    expr = Expression()
    assert key_condition(USERS.pk, USERS.sk, "u1", sort, expr) == text
    assert expr.values == {":pk": {"S": "u1"}, **values}
    assert expr.names == ({"#pk": "PK", "#sk": "SK"} if sort else {"#pk": "PK"})


def test_key_condition_refusals() -> None:
    by_status = USERS.index("by-status")
    with pytest.raises(ValidationError, match="begins_with needs an S or B sort key; age is N"):
        key_condition(*USERS.index_keys(by_status), "active", SortKeyCondition.begins_with("1"), Expression())
    with pytest.raises(ValidationError, match="this table or index has no sort key"):
        key_condition(NOTES.pk, None, "k", SortKeyCondition.eq("x"), Expression())
    with pytest.raises(ValidationError, match="the key field id must not be empty"):
        key_condition(USERS.pk, USERS.sk, "", None, Expression())
    with pytest.raises(ValidationError, match="the key field id needs a value, not None"):
        key_condition(USERS.pk, USERS.sk, None, None, Expression())
    with pytest.raises(ValidationError, match="sort must be a SortKeyCondition"):
        key_condition(USERS.pk, USERS.sk, "u", "A", Expression())  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"query sort condition age: expected int"):
        key_condition(*USERS.index_keys(by_status), "active", SortKeyCondition.gt("x"), Expression())
    expr = Expression()
    key_condition(NOTES.pk, None, "abc", None, expr)
    assert expr.values == {":pk": {"S": "ABC"}}  # the converter applies to keys
