"""Hostile content, emulator vs Local: lone surrogates, deep expressions, deep values, invalid numbers.

Each case pins what DynamoDB Local 3.3.0 answers (probed black-box) so the emulator answers the same, and
never with an InternalServerError. boto3 sends a lone surrogate as the JSON escape ``\\ud800``.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conformance.harness import Call, Case, Differential, N, S, call, get, put, run_case, table_spec

T = table_spec("t", ("pk", "S"), ("sk", "N"))
H = table_spec("h", ("pk", "S"))
RANGE_S = table_spec("rs", ("pk", "S"), ("sk", "S"))

LONE = "\ud800"
VALUES = {":v": S("a")}
TOO_MANY_OPERATORS = "The expression contains too many operators; operator count: 301"
REDUNDANT = "The expression has redundant parentheses;"
TOO_DEEP = "Nesting Levels have exceeded supported limits"


def key(pk: str = "a", sk: int = 1) -> dict[str, Any]:
    return {"pk": S(pk), "sk": N(sk)}


def nested(levels: int) -> dict[str, Any]:
    """An attribute value ``levels`` deep (the top-level value is level 1), lists and maps in turn."""
    value: dict[str, Any] = S("x")
    for level in range(levels - 1):
        value = {"L": [value]} if level % 2 else {"M": {"m": value}}
    return value


def scan(expression: str, expect: str | tuple[str, str] = "ok", **more: Any) -> Call:
    return call(
        "scan", expect, TableName="h", FilterExpression=expression, ExpressionAttributeValues=VALUES, **more
    )


SURROGATES = [
    Case(
        "surrogate-in-values-names-and-keys",
        [
            put({"pk": S(LONE)}, table="h"),
            put({"pk": S("b"), "v": S("x" + LONE), LONE: S("y"), "m": {"M": {LONE: S("z")}}}, table="h"),
            put({"pk": S("c"), "ss": {"SS": ["a", LONE, "\udc00"]}}, table="h"),
            get({"pk": S("c")}, table="h"),
            get({"pk": S(LONE)}, table="h"),
            get({"pk": S("b")}, table="h"),
        ],
        tables=[H],
    ),
    Case(
        "surrogate-keys-are-stored-as-question-marks",
        [
            put({"pk": S(LONE), "v": S("first")}, table="h"),
            get({"pk": S("?")}, table="h"),
            get({"pk": S("\udc00")}, table="h"),
            put({"pk": S("\udfff"), "v": S("second")}, table="h"),
            get({"pk": S(LONE)}, table="h"),
        ],
        tables=[H],
    ),
    Case(
        "surrogate-sort-keys-order-as-question-marks",
        [
            *(
                put({"pk": S("p"), "sk": S(sk)}, table="rs")
                for sk in ("A", "\ud7ff", LONE, "\ue000", "\U0001f600", "0")
            ),
            call(
                "query",
                TableName="rs",
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": S("p")},
            ),
        ],
        tables=[RANGE_S],
    ),
    Case(
        "surrogate-counts-one-byte",
        [
            put({"pk": S("a"), "v": S(LONE * 390_000)}, table="h"),
            put({"pk": S("a" * 2000 + LONE * 48)}, table="h"),
            put({"pk": S("a" * 2000 + LONE * 49)}, "ValidationException", table="h"),
        ],
        tables=[H],
    ),
    Case(
        "surrogate-in-expressions",
        [
            put({"pk": S("a"), LONE: S("a")}, table="h"),
            scan("x" + LONE + " = :v", ("ValidationException", 'token: "\ud800"')),
            scan("#n = :v", ExpressionAttributeNames={"#n": LONE}),
            scan("x = :" + LONE, "ValidationException"),
            call(
                "update_item",
                TableName="h",
                Key={"pk": S("a")},
                UpdateExpression="SET #n = :v",
                ExpressionAttributeNames={"#n": LONE},
                ExpressionAttributeValues={":v": S(LONE)},
                ReturnValues="ALL_NEW",
            ),
            call("describe_table", "ValidationException", TableName="h" + LONE + "h"),
        ],
        tables=[H],
    ),
]

DEEP_EXPRESSIONS = [
    Case(
        "deep-expressions",
        [
            scan("(" * 250 + "x = :v" + ")" * 250, ("ValidationException", REDUNDANT)),
            scan("(" * 1000 + "x = :v", ("ValidationException", "Syntax error")),
            scan("(x = :v AND " * 140 + "x = :v" + ")" * 140),
            scan("(x=:v AND" * 300 + " x=:v" + ")" * 300, ("ValidationException", TOO_MANY_OPERATORS)),
            scan("NOT " * 299 + "x = :v"),
            scan("NOT " * 300 + "x = :v", ("ValidationException", TOO_MANY_OPERATORS)),
            scan("NOT " * 500 + "x = :v", ("ValidationException", TOO_MANY_OPERATORS)),
            scan(" AND ".join(["x = :v"] * 150)),
            scan(" OR ".join(["x = :v"] * 151), ("ValidationException", TOO_MANY_OPERATORS)),
            scan(" AND ".join(["attribute_exists(x)"] * 151), ("ValidationException", TOO_MANY_OPERATORS)),
            scan(" AND ".join(["x IN (:v, :v)"] * 151), ("ValidationException", TOO_MANY_OPERATORS)),
            scan(" AND ".join(["x BETWEEN :v AND :v"] * 101)),
            scan(" AND ".join(["x BETWEEN :v AND :v"] * 151), ("ValidationException", TOO_MANY_OPERATORS)),
            scan(" AND ".join(["size(x) = :v"] * 101), ("ValidationException", TOO_MANY_OPERATORS)),
            scan("NOT " * 400 + "x = :v )", ("ValidationException", "Syntax error")),
            scan("NOT " * 400 + "((x = :v))", ("ValidationException", REDUNDANT)),
            scan("NOT " * 400 + "size = :v", ("ValidationException", TOO_MANY_OPERATORS)),
            scan("NOT " * 400 + "x" + ".a" * 40 + " = :v", ("ValidationException", "nesting levels: 41")),
            scan("NOT " * 400 + "x[99999999999] = :v", ("ValidationException", "index")),
            call(
                "query",
                ("ValidationException", REDUNDANT),
                TableName="h",
                KeyConditionExpression="(" * 300 + "pk = :v" + ")" * 300,
                ExpressionAttributeValues=VALUES,
            ),
            call(
                "put_item",
                ("ValidationException", TOO_MANY_OPERATORS),
                TableName="h",
                Item={"pk": S("z")},
                ConditionExpression="NOT " * 400 + "x = :v",
                ExpressionAttributeValues=VALUES,
            ),
            call(
                "update_item",
                TableName="h",
                Key={"pk": S("a")},
                UpdateExpression="SET x = " + "if_not_exists(x, " * 200 + ":v" + ")" * 200,
                ExpressionAttributeValues=VALUES,
            ),
            call(
                "update_item",
                ("ValidationException", TOO_MANY_OPERATORS),
                TableName="h",
                Key={"pk": S("a")},
                UpdateExpression="SET " + ",".join(f"a{i}=:n+:n" for i in range(301)),
                ExpressionAttributeValues={":n": N(1)},
            ),
            call(
                "update_item",
                TableName="h",
                Key={"pk": S("a")},
                UpdateExpression="SET " + ",".join(f"a{i}=:n+:n" for i in range(300)),
                ExpressionAttributeValues={":n": N(1)},
            ),
        ],
        tables=[H],
    ),
]

DEEP_VALUES = [
    Case(
        "values-nest-32-levels",
        [put({**key(), "v": nested(32)}), get(key()), put({**key(), "v": nested(33)}, "ValidationException")],
        tables=[T],
    ),
    Case(
        "values-nested-too-deep-everywhere",
        [
            put({**key(), "v": nested(33)}, ("ValidationException", TOO_DEEP)),
            put({**key(), "v": nested(120)}, ("ValidationException", TOO_DEEP)),
            get({**key(), "x": nested(33)}, ("ValidationException", TOO_DEEP)),
            *(
                call(
                    "update_item",
                    ("ValidationException", message),
                    TableName="t",
                    Key=key(),
                    UpdateExpression="SET x = :v",
                    ExpressionAttributeValues={":v": nested(levels)},
                )
                for levels, message in (
                    (33, TOO_DEEP),  # one level more than an item allows has its own, shorter message
                    (34, "ExpressionAttributeValues contains invalid value: " + TOO_DEEP + ": Attributes"),
                )
            ),
            call(
                "scan",
                ("ValidationException", "for key :v"),
                TableName="t",
                FilterExpression="x = :v",
                ExpressionAttributeValues={":v": nested(120)},
            ),
            call(
                "transact_write_items",
                ("ValidationException", TOO_DEEP),
                TransactItems=[{"Put": {"TableName": "t", "Item": {**key(), "v": nested(33)}}}],
            ),
            call(
                "batch_write_item",
                ("ValidationException", TOO_DEEP),
                RequestItems={"t": [{"PutRequest": {"Item": {**key(), "v": nested(33)}}}]},
            ),
        ],
        tables=[T],
    ),
]


def _transact_update(value: dict[str, Any], table: str = "t") -> dict[str, Any]:
    return {
        "Update": {
            "TableName": table,
            "Key": key(),
            "UpdateExpression": "SET x = :v",
            "ExpressionAttributeValues": {":v": value},
        }
    }


NOT_A_NUMBER = "ExpressionAttributeValues contains invalid value: A value provided cannot be converted"
INVALID_NUMBERS = [
    Case(
        "transaction-expression-values-checked-before-sizing",
        [
            *(
                call("transact_write_items", ("ValidationException", NOT_A_NUMBER), TransactItems=[item])
                for item in (
                    _transact_update(N("NaN")),
                    _transact_update(N("abc")),
                    _transact_update(N("")),
                    _transact_update(N("Infinity")),
                    _transact_update({"NS": ["abc"]}),
                    _transact_update({"L": [N("abc")]}),
                    _transact_update(N("abc"), table="missing"),
                )
            ),
            call(
                "transact_write_items",
                ("ValidationException", "Number overflow"),
                TransactItems=[_transact_update(N("1e999999999"))],
            ),
            call(
                "transact_write_items",
                ("ValidationException", NOT_A_NUMBER),
                TransactItems=[{"Put": {"TableName": "t", "Item": key()}}, _transact_update(N("NaN"))],
            ),
            call(
                "transact_write_items",
                ("ValidationException", "for key :v"),
                TransactItems=[_transact_update({})],
            ),
        ],
        tables=[T],
    ),
]

ALL_CASES = SURROGATES + DEEP_EXPRESSIONS + DEEP_VALUES + INVALID_NUMBERS


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_hostile(diff: Differential, case: Case) -> None:
    run_case(diff, case)
