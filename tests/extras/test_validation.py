"""The injection-hardening validators: what they refuse, what they accept, and that messages never echo."""

from __future__ import annotations

from typing import Any

import pytest

from theorydb_py import (
    MaxExpressionLength,
    MaxFieldNameLength,
    MaxNestedDepth,
    MaxOperatorLength,
    MaxValueStringLength,
    SecurityValidationError,
    TheorydbPyError,
    validate_expression,
    validate_field_name,
    validate_index_name,
    validate_operator,
    validate_table_name,
    validate_value,
)


def test_limits_are_tabletheorys() -> None:
    assert (
        MaxFieldNameLength,
        MaxOperatorLength,
        MaxValueStringLength,
        MaxNestedDepth,
        MaxExpressionLength,
    ) == (
        255,
        20,
        400_000,
        32,
        4096,
    )


@pytest.mark.parametrize(
    "name",
    [
        "email",
        "created_at",
        "updatedAt",
        "deleted_flag",
        "address.city",
        "lines[0].sku",
        "order-id",
        "a--b",
        "_x",
    ],
)
def test_field_names_accepted(name: str) -> None:
    validate_field_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "x" * 256,
        "name'",
        'a"b',
        "a;b",
        "a/*b",
        "<script>",
        "eval(x)",
        "drop",
        "a b",
        "a\x00b",
        "1abc",
        "a..b",
        ".".join(["p"] * 33),
        "a[x]",
    ],
)
def test_field_names_refused(name: str) -> None:
    with pytest.raises(SecurityValidationError) as caught:
        validate_field_name(name)
    assert caught.value.type == "InvalidFieldName"
    assert str(caught.value) == "security validation failed: InvalidFieldName"
    assert caught.value.detail and (not name or name not in caught.value.detail)


def test_the_error_is_a_plain_exception_as_upstream() -> None:
    assert not issubclass(SecurityValidationError, TheorydbPyError)
    assert "SecurityValidationError" in repr(SecurityValidationError(type="T", detail="d"))


@pytest.mark.parametrize("op", ["=", "eq", " <> ", "begins_with", "BETWEEN", "in", "attribute_not_exists"])
def test_operators_accepted(op: str) -> None:
    validate_operator(op)


@pytest.mark.parametrize("op", ["", "LIKE", "=" * 21, "OR 1=1"])
def test_operators_refused(op: str) -> None:
    with pytest.raises(SecurityValidationError) as caught:
        validate_operator(op)
    assert caught.value.type == "InvalidOperator"


@pytest.mark.parametrize(
    "value",
    [
        None,
        0,
        1.5,
        True,
        b"\x00",
        "range 10--20",
        "char(65) is A",
        "O'Brien",
        ["a", 1, {"k": "v"}],
        {"nested": {"deeper": [1, 2]}},
        {"a", "b"},
    ],
)
def test_values_accepted(value: Any) -> None:
    validate_value(value)


@pytest.mark.parametrize(
    "value",
    [
        "x" * (400_000 + 1),
        "<script>alert(1)</script>",
        "javascript:alert(1)",
        "1 UNION SELECT password",
        "x; DROP TABLE users",
        float("nan"),
        1j,
        print,
        list(range(101)),
        {f"k{i}": i for i in range(101)},
        {"bad key;": 1},
        {1: "x"},
    ],
)
def test_values_refused(value: Any) -> None:
    with pytest.raises(SecurityValidationError) as caught:
        validate_value(value)
    assert caught.value.type in {"InvalidValue", "InvalidFieldName"}


def test_values_nested_too_deep_are_refused() -> None:
    deep: Any = "x"
    for _ in range(MaxNestedDepth + 1):
        deep = [deep]
    with pytest.raises(SecurityValidationError):
        validate_value(deep)


def test_expressions() -> None:
    validate_expression("#f_status = :f1 AND begins_with(#f_sk, :f2)")
    for bad in [
        "#a = 'x'",
        "#a = :v -- comment",
        "#a = :v; DROP TABLE t",
        "x" * (MaxExpressionLength + 1),
        5,
    ]:
        with pytest.raises(SecurityValidationError) as caught:
            validate_expression(bad)  # type: ignore[arg-type]
        assert caught.value.type == "InvalidExpression"


def test_table_and_index_names_follow_dynamodb() -> None:
    for ok in ["users", "a--b", "orders.v2", "x_y-z"]:
        validate_table_name(ok)
        validate_index_name(ok)
    validate_index_name("")
    for bad in ["ab", "x" * 256, "users;", "u sers", "tbl'"]:
        with pytest.raises(SecurityValidationError):
            validate_table_name(bad)
        with pytest.raises(SecurityValidationError):
            validate_index_name(bad)
