"""Injection-hardening validators for names, operators, values and expressions built from user input.

The ORM never needs them itself: every value it sends travels as an expression attribute value and every
name as a ``#placeholder``, so neither can change the meaning of an expression. They are for code that
lets end users choose *which* field, operator or index to use (a search API, a report builder), where a
check at the boundary is cheaper than a bad request or a confusing error later.

Each validator returns ``None`` or raises ``SecurityValidationError``, whose message never repeats the
input (so it can be logged or returned to a client safely): ``.type`` says which check failed and
``.detail`` why.

Compared with TableTheory's validators these accept what DynamoDB itself accepts: hyphenated attribute
and table names (``order-id``, ``a--b``), and values that merely contain ``--`` or ``char(`` (a phone
number range, a sentence about SQL); those patterns cannot inject anything into a DynamoDB request.

>>> validate_field_name("address.lines[0]")
>>> validate_field_name("order-id")
>>> validate_field_name("name; drop table")
Traceback (most recent call last):
...
theorydb_py.validation.SecurityValidationError: security validation failed: InvalidFieldName
>>> validate_operator("begins_with")
>>> validate_value({"note": "range 10--20"})
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence, Set
from decimal import Decimal
from typing import Any, Final

__all__ = [
    "MaxExpressionLength",
    "MaxFieldNameLength",
    "MaxNestedDepth",
    "MaxOperatorLength",
    "MaxValueStringLength",
    "SecurityValidationError",
    "validate_expression",
    "validate_field_name",
    "validate_index_name",
    "validate_operator",
    "validate_table_name",
    "validate_value",
]

MaxFieldNameLength: Final = 255
MaxOperatorLength: Final = 20
MaxValueStringLength: Final = 400_000
MaxNestedDepth: Final = 32
MaxExpressionLength: Final = 4096
_MAX_COLLECTION: Final = 100

_OPERATORS: Final = frozenset(
    {
        "=",
        "EQ",
        "!=",
        "<>",
        "NE",
        "<",
        "LT",
        "<=",
        "LE",
        ">",
        "GT",
        ">=",
        "GE",
        "BETWEEN",
        "IN",
        "BEGINS_WITH",
        "CONTAINS",
        "EXISTS",
        "ATTRIBUTE_EXISTS",
        "NOT_EXISTS",
        "ATTRIBUTE_NOT_EXISTS",
    }
)
# Fragments that have no business in a name: quotes, statement separators, comments, script hooks.
_DANGEROUS: Final = (
    "'",
    '"',
    ";",
    "/*",
    "*/",
    "<script",
    "</script",
    "eval(",
    "expression(",
    "import(",
    "require(",
)
_SQL_WORDS: Final = "union|select|insert|update|delete|drop|alter|exec|execute|script|javascript|vbscript"
# A keyword standing alone, or set off by a separator a query language would split on.
_SQL_IN_NAME: Final = re.compile(rf"(?:^|[;\s])(?:{_SQL_WORDS})(?:$|[;\s])", re.IGNORECASE)
_PATH_PART: Final = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(?:\[\d+\])*$")
_SCRIPT_IN_VALUE: Final = re.compile(r"<\s*/?\s*script\b|javascript\s*:|vbscript\s*:|\bon\w+\s*=", re.I)
_SQL_IN_VALUE: Final = re.compile(
    r"\b(?:union\s+(?:all\s+)?select|drop\s+table|insert\s+into|delete\s+from|exec(?:ute)?\s*\()",
    re.IGNORECASE,
)
_SQL_IN_EXPRESSION: Final = re.compile(
    r"\b(?:union\s+select|drop\s+table|insert\s+into|delete\s+from|exec\s*\(|truncate\s+table)\b",
    re.IGNORECASE,
)
_TABLE_NAME: Final = re.compile(r"^[A-Za-z0-9_.-]+$")


class SecurityValidationError(Exception):
    """Input refused by a validator; the message names the check, never the input.

    A plain ``Exception`` (as in TableTheory): it is raised at an application's boundary, before anything
    reaches the ORM, so it is not one of the ORM's errors.
    """

    def __init__(self, *, type: str, detail: str) -> None:
        super().__init__(f"security validation failed: {type}")
        self.type = type
        self.detail = detail

    def __repr__(self) -> str:
        return f"SecurityValidationError(type={self.type!r}, detail={self.detail!r})"


def _refuse(kind: str, detail: str) -> SecurityValidationError:
    return SecurityValidationError(type=kind, detail=detail)


def _has_control(text: str) -> bool:
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def validate_field_name(name: str) -> None:
    """A field name or document path (``a.b[2].c``) of at most 255 characters and 32 parts, each a letter
    or underscore followed by letters, digits, ``_`` or ``-``, with optional ``[n]`` list indexes."""
    if not isinstance(name, str) or not name:
        raise _refuse("InvalidFieldName", "field name must be a non-empty string")
    if len(name) > MaxFieldNameLength:
        raise _refuse("InvalidFieldName", f"field name exceeds {MaxFieldNameLength} characters")
    if _has_control(name):
        raise _refuse("InvalidFieldName", "field name contains control characters")
    lowered = name.lower()
    if any(fragment in lowered for fragment in _DANGEROUS):
        raise _refuse("InvalidFieldName", "field name contains a dangerous pattern")
    if _SQL_IN_NAME.search(name):
        raise _refuse("InvalidFieldName", "field name contains a query keyword")
    parts = name.split(".")
    if len(parts) > MaxNestedDepth:
        raise _refuse("InvalidFieldName", f"field path exceeds {MaxNestedDepth} parts")
    if not all(_PATH_PART.match(part) for part in parts):
        raise _refuse("InvalidFieldName", "field name has an invalid path part")


def validate_operator(op: str) -> None:
    """One of the filter and condition operators (``=``, ``<>``, ``BETWEEN``, ``begins_with``...), any
    case, at most 20 characters."""
    if not isinstance(op, str) or not op.strip():
        raise _refuse("InvalidOperator", "operator must be a non-empty string")
    if len(op) > MaxOperatorLength:
        raise _refuse("InvalidOperator", f"operator exceeds {MaxOperatorLength} characters")
    if op.strip().upper() not in _OPERATORS:
        raise _refuse("InvalidOperator", "operator is not allowed")


def validate_value(value: Any) -> None:
    """A value of a filter or condition: strings up to 400,000 characters without script or SQL statement
    patterns; lists of at most 100 and maps of at most 100 entries (keys checked as field names), checked
    to a depth of 32; no callables, no complex numbers, no non-finite floats."""
    _check_value(value, 0)


def _check_value(value: Any, depth: int) -> None:
    if depth > MaxNestedDepth:
        raise _refuse("InvalidValue", f"value nests deeper than {MaxNestedDepth}")
    if value is None or isinstance(value, bool | int | Decimal | bytes | bytearray):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _refuse("InvalidValue", "value is not a finite number")
        return
    if isinstance(value, str):
        if len(value) > MaxValueStringLength:
            raise _refuse("InvalidValue", f"string value exceeds {MaxValueStringLength} characters")
        if _SCRIPT_IN_VALUE.search(value):
            raise _refuse("InvalidValue", "value contains a script pattern")
        if _SQL_IN_VALUE.search(value):
            raise _refuse("InvalidValue", "value contains a query statement")
        return
    if isinstance(value, complex) or callable(value):
        raise _refuse("InvalidValue", f"value of type {type(value).__name__} is not allowed")
    if isinstance(value, Mapping):
        if len(value) > _MAX_COLLECTION:
            raise _refuse("InvalidValue", f"map value exceeds {_MAX_COLLECTION} keys")
        for key, member in value.items():
            if not isinstance(key, str):
                raise _refuse("InvalidValue", "map keys must be strings")
            validate_field_name(key)
            _check_value(member, depth + 1)
        return
    if isinstance(value, Sequence | Set):
        if len(value) > _MAX_COLLECTION:
            raise _refuse("InvalidValue", f"collection value exceeds {_MAX_COLLECTION} items")
        for member in value:
            _check_value(member, depth + 1)
        return


def validate_expression(expression: str) -> None:
    """A raw expression string: at most 4,096 characters, no quotes, separators, comments or SQL
    statements (DynamoDB expressions take values only through ``:placeholders``)."""
    if not isinstance(expression, str):
        raise _refuse("InvalidExpression", "expression must be a string")
    if len(expression) > MaxExpressionLength:
        raise _refuse("InvalidExpression", f"expression exceeds {MaxExpressionLength} characters")
    if _has_control(expression.replace("\n", " ").replace("\t", " ")):
        raise _refuse("InvalidExpression", "expression contains control characters")
    lowered = expression.lower()
    if "--" in lowered or any(fragment in lowered for fragment in _DANGEROUS):
        raise _refuse("InvalidExpression", "expression contains a dangerous pattern")
    if _SQL_IN_EXPRESSION.search(expression):
        raise _refuse("InvalidExpression", "expression contains a query statement")


def validate_table_name(name: str) -> None:
    """A table name as DynamoDB accepts it: 3 to 255 of ``A-Z a-z 0-9 _ . -``."""
    if not isinstance(name, str) or not 3 <= len(name) <= 255:
        raise _refuse("InvalidTableName", "table name must be 3 to 255 characters")
    if not _TABLE_NAME.match(name):
        raise _refuse("InvalidTableName", "table name has characters other than A-Z a-z 0-9 _ . -")


def validate_index_name(name: str) -> None:
    """An index name as DynamoDB accepts it (3 to 255 of ``A-Z a-z 0-9 _ . -``); ``""`` means "no index"
    and is accepted."""
    if name == "":
        return
    if not isinstance(name, str) or not 3 <= len(name) <= 255 or not _TABLE_NAME.match(name):
        raise _refuse("InvalidIndexName", "index name must be 3 to 255 of A-Z a-z 0-9 _ . -")
