"""Differential tests of the expression layer: the same requests through DynamoDB Local and through
``compile_expressions`` plus a small in-test model of the item operations, comparing outcomes and exact
error messages. A hand-written corpus pins DynamoDB's precedence of checks; a Hypothesis family throws
random valid and invalid expressions at both. Each test prints its match rate (``-s`` shows it).
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conformance.harness import canonical_operand_types
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.expressions import compile_expressions
from theorydb_mocks.emulator.values import compare_values, item_size, validate_item, values_equal

KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}
BASE: dict[str, Any] = {
    **KEY,
    "a": {"N": "1"},
    "s": {"S": "hello"},
    "u": {"S": "é€"},
    "e": {"S": "😀a"},
    "b": {"B": b"\x01\x02"},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "l": {"L": [{"N": "1"}, {"S": "x"}, {"M": {"c": {"S": "deep"}}}]},
    "m": {"M": {"b": {"N": "2"}, "n": {"M": {"q": {"L": [{"S": "x"}]}}}}},
    "ss": {"SS": ["x", "y"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x01"]},
}
OTHERS: list[dict[str, Any]] = [
    {"pk": {"S": "a"}, "sk": {"N": "2"}, "a": {"N": "7"}, "s": {"S": "help"}},
    {"pk": {"S": "a"}, "sk": {"N": "-3.5"}, "a": {"S": "1"}, "ss": {"SS": ["y"]}},
    {"pk": {"S": "b"}, "sk": {"N": "1"}, "l": {"L": []}, "m": {"M": {}}},
]
ALL_ITEMS = [BASE, *OTHERS]

# The service names the missing key attribute; DynamoDB Local does not (DYNAMODB-LOCAL-QUIRKS.md).
KEY_TYPE_MISMATCH = (
    "One or more parameter values were invalid: Condition parameter type does not match schema type"
)
KEY_IN_FILTER = "Filter Expression can only contain non-primary key attributes: Primary key attribute: "
QUIRKS = {
    f"Query condition missed key schema element: {key}": "Query condition missed key schema element"
    for key in ("pk", "sk")
}


class Tally:
    def __init__(self) -> None:
        self.total = 0
        self.mismatches: list[str] = []

    def record(self, label: str, local: object, ours: object) -> None:
        self.total += 1
        if local != ours:
            self.mismatches.append(f"{label}\n    local: {local!r}\n    ours:  {ours!r}")

    def report(self, name: str) -> str:
        matched = self.total - len(self.mismatches)
        return f"{name}: {matched}/{self.total} match ({100 * matched / max(self.total, 1):.1f}%)"


@pytest.fixture(scope="module")
def table(dynamodb_local_client: Any) -> Iterator[tuple[Any, str]]:
    client = dynamodb_local_client
    name = f"expr-{uuid.uuid4().hex[:12]}"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for item in ALL_ITEMS:
        client.put_item(TableName=name, Item=item)
    yield client, name
    client.delete_table(TableName=name)


def _placeholders(names: dict[str, str] | None, values: dict[str, Any] | None) -> dict[str, Any]:
    request: dict[str, Any] = {}
    if names is not None:
        request["ExpressionAttributeNames"] = names
    if values is not None:
        request["ExpressionAttributeValues"] = values
    return request


def _error(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if response is None:
        raise exc
    message: str = response["Error"]["Message"]
    return "ERR " + canonical_operand_types(message)


def _ours_error(error: DynamoDBError) -> str:
    return "ERR " + canonical_operand_types(QUIRKS.get(error.message, error.message))


def _canonical(item: dict[str, Any] | None) -> Any:
    """Items compared with sets as sorted lists (their order is not part of the contract)."""
    if item is None:
        return None

    def value(av: dict[str, Any]) -> Any:
        kind, inner = next(iter(av.items()))
        if kind in ("SS", "BS"):
            return {kind: sorted(inner)}
        if kind == "NS":
            return {kind: sorted(inner, key=float)}
        if kind == "L":
            return {kind: [value(v) for v in inner]}
        if kind == "M":
            return {kind: {k: value(v) for k, v in sorted(inner.items())}}
        return {kind: bytes(inner) if kind == "B" else inner}

    return {name: value(av) for name, av in sorted(item.items())}


# ------------------------------------------------------------------------------------------ the two sides


def local_condition(table: tuple[Any, str], expr: str, names: Any, values: Any) -> str:
    client, name = table
    try:
        client.put_item(TableName=name, Item=BASE, ConditionExpression=expr, **_placeholders(names, values))
        return "TRUE"
    except Exception as exc:
        return _error(exc)


def ours_condition(expr: str, names: Any, values: Any) -> str:
    try:
        compiled = compile_expressions(names=names, values=values, condition=expr)
        assert compiled.condition is not None
        return "TRUE" if compiled.condition.evaluate(BASE) else "ERR The conditional request failed"
    except DynamoDBError as error:
        return _ours_error(error)


def local_update(table: tuple[Any, str], expr: str, names: Any, values: Any, returns: str) -> Any:
    client, name = table
    try:
        response = client.update_item(
            TableName=name,
            Key=KEY,
            UpdateExpression=expr,
            ReturnValues=returns,
            **_placeholders(names, values),
        )
        new = client.get_item(TableName=name, Key=KEY, ConsistentRead=True)["Item"]
        return _canonical(new), _canonical(response.get("Attributes", {}))
    except Exception as exc:
        return _error(exc)
    finally:
        client.put_item(TableName=name, Item=BASE)


def ours_update(expr: str, names: Any, values: Any, returns: str) -> Any:
    try:
        compiled = compile_expressions(names=names, values=values, update=expr)
        assert compiled.update is not None
        before = copy.deepcopy(BASE)
        result = compiled.update.apply(BASE, ("pk", "sk"))
        assert before == BASE, "the update changed its input"
        if item_size(result.new_item) > 400 * 1024:
            return "ERR Item size to update has exceeded the maximum allowed size"
        attributes = {"UPDATED_NEW": result.updated_new, "UPDATED_OLD": result.updated_old}[returns]
        return _canonical(result.new_item), _canonical(attributes)
    except DynamoDBError as error:
        return _ours_error(error)


def local_read(table: tuple[Any, str], operation: str, **request: Any) -> Any:
    client, name = table
    try:
        response = getattr(client, operation)(TableName=name, **request)
    except Exception as exc:
        return _error(exc)
    if operation == "get_item":
        return _canonical(response.get("Item"))
    return sorted(repr(_canonical(item)) for item in response["Items"])


def ours_read(operation: str, **request: Any) -> Any:
    try:
        compiled = compile_expressions(
            names=request.get("ExpressionAttributeNames"),
            values=request.get("ExpressionAttributeValues"),
            filter=request.get("FilterExpression"),
            projection=request.get("ProjectionExpression"),
            key_condition=request.get("KeyConditionExpression"),
        )
        items: list[dict[str, Any]] = [BASE] if operation == "get_item" else ALL_ITEMS
        if compiled.key_condition is not None:
            plan = compiled.key_condition.plan("pk", "sk", types={"pk": "S", "sk": "N"})
            items = [i for i in items if values_equal(i["pk"], plan.partition) and _sort_ok(i["sk"], plan)]
            if compiled.filter is not None:
                used = compiled.filter.attribute_names() & {"pk", "sk"}
                if used:
                    first = "pk" if "pk" in used else "sk"
                    return f"ERR {KEY_IN_FILTER}{first}"
        if compiled.filter is not None:
            items = [i for i in items if compiled.filter.evaluate(i)]
        if compiled.projection is not None:
            items = [compiled.projection.apply(i) for i in items]
    except DynamoDBError as error:
        return _ours_error(error)
    if operation == "get_item":
        return _canonical(items[0])
    return sorted(repr(_canonical(item)) for item in items)


def _sort_ok(value: dict[str, Any], plan: Any) -> bool:
    if plan.sort_op is None:
        return True
    args = plan.sort_values
    if plan.sort_op == "begins_with":
        return False  # N sort key: begins_with is refused before this point
    if "N" not in args[0] or (len(args) > 1 and "N" not in args[1]):
        return False
    order = compare_values(value, args[0])
    assert order is not None
    if plan.sort_op == "BETWEEN":
        high = compare_values(value, args[1])
        return order >= 0 and high is not None and high <= 0
    return {"=": order == 0, "<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[plan.sort_op]


# ------------------------------------------------------------------------------------------ the corpus

V1 = {":v": {"N": "1"}}
CONDITIONS: list[tuple[str, Any, Any]] = [
    ("", None, None),
    ("a =", None, None),
    ("a = = b", None, None),
    ("(a = b", None, None),
    ("a = b)", None, None),
    ("a", None, None),
    ("a == b", None, None),
    ("a <> :v", None, V1),
    ("a = :v", None, None),
    ("a = :v", None, {}),
    ("#a = b", None, None),
    ("#a = b", {}, None),
    ("a = b", {"#a": "x"}, None),
    ("a = b", None, V1),
    ("a = b", {"#b": "y", "#a": "x", "#c": "z"}, V1),
    ("#a = :w", {"#a": "x", "#b": "y"}, V1),
    ("status = :v", None, V1),
    ("Status = :v", None, V1),
    ("a = :v", None, {":v": {"N": "abc"}}),
    ("a = :v", None, {":v": {}}),
    ("a = :v", None, {":v": {"SS": []}}),
    ("a = :v", None, {":v": {"N": "1", "S": "x"}}),
    ("a.b[1].c = :v", None, V1),
    ("a[-1] = :v", None, V1),
    ("a[1.5] = :v", None, V1),
    ("a[] = :v", None, V1),
    ("a.[1] = :v", None, V1),
    ("a..b = :v", None, V1),
    ("1 = :v", None, V1),
    ("1a = :v", None, V1),
    ("_a = :v", None, V1),
    ("é = :v", None, V1),
    ("a-b = :v", None, V1),
    ("a$b = :v", None, V1),
    ("a = :v;", None, V1),
    ("a\t=\n:v", None, V1),
    ("# = :v", None, V1),
    ("a = :", None, V1),
    ("#1 = :v", {"#1": "a"}, V1),
    ("a = :1", None, {":1": {"N": "1"}}),
    ("a = 'x'", None, None),
    ('a = "x"', None, None),
    ("a = :v AND", None, V1),
    ("a IN ()", None, None),
    ("a IN (:v)", None, V1),
    ("a IN (:v,)", None, V1),
    ("a IN :v", None, V1),
    ("a BETWEEN :v AND :w", None, {":v": {"N": "2"}, ":w": {"N": "1"}}),
    ("a BETWEEN :v AND :w", None, {":v": {"N": "2"}, ":w": {"S": "1"}}),
    ("a BETWEEN :v AND :w", None, {":v": {"S": "b"}, ":w": {"S": "a"}}),
    ("a BETWEEN :v AND :w", None, {":v": {"B": b"\x02"}, ":w": {"B": b"\x01"}}),
    ("a BETWEEN :v AND :w", None, {":v": {"BOOL": True}, ":w": {"BOOL": True}}),
    ("a BETWEEN :v AND :w", None, {":v": {"N": "0"}, ":w": {"N": "1"}}),
    ("a BETWEEN :v", None, {":v": {"N": "2"}}),
    ("a BETWEEN a AND :w", None, {":w": {"BOOL": True}}),
    ("foo(a)", None, None),
    ("foo()", None, None),
    ("SIZE(a) = :v", None, V1),
    ("Attribute_Exists(a)", None, None),
    ("attribute_exists (a)", None, None),
    ("size(a)", None, None),
    ("attribute_exists(a, b)", None, None),
    ("attribute_exists(#q, b)", None, None),
    ("attribute_exists(:v)", None, V1),
    ("attribute_exists(size(a))", None, None),
    ("attribute_not_exists(nope)", None, None),
    ("attribute_not_exists(l[5])", None, None),
    ("attribute_exists(m.n.q[0])", None, None),
    ("attribute_type(a, :v)", None, {":v": {"S": "XX"}}),
    ("attribute_type(a, :v)", None, {":v": {"N": "1"}}),
    ("attribute_type(a, :v)", None, {":v": {"S": "N"}}),
    ("attribute_type(ss, :v)", None, {":v": {"S": "SS"}}),
    ("attribute_type(z, :v)", None, {":v": {"S": "NULL"}}),
    ("attribute_type(a, b)", None, None),
    ("attribute_type(:q, b)", None, None),
    ("attribute_type(a, size(b))", None, None),
    ("begins_with(a, :v)", None, V1),
    ("begins_with(s, :v)", None, {":v": {"S": "he"}}),
    ("begins_with(b, :v)", None, {":v": {"B": b"\x01"}}),
    ("begins_with(:v, s)", None, {":v": {"S": "he"}}),
    ("begins_with(:v, :w)", None, {":v": {"N": "1"}, ":w": {"BOOL": True}}),
    ("begins_with(size(a), :v)", None, {":v": {"S": "1"}}),
    ("begins_with(a, a)", None, None),
    ("contains(s, :v)", None, {":v": {"S": "ell"}}),
    ("contains(ss, :v)", None, {":v": {"S": "x"}}),
    ("contains(ns, :v)", None, {":v": {"N": "2.50"}}),
    ("contains(bs, :v)", None, {":v": {"B": b"\x01"}}),
    ("contains(l, :v)", None, {":v": {"S": "x"}}),
    ("contains(l, :v)", None, {":v": {"M": {"c": {"S": "deep"}}}}),
    ("contains(a, :v)", None, {":v": {"M": {}}}),
    ("contains(a)", None, None),
    ("contains(a, b, c)", None, None),
    ("contains(:v, :v)", None, V1),
    ("contains(a, a)", None, None),
    ("size(s) = :v", None, {":v": {"N": "5"}}),
    ("size(u) = :v", None, {":v": {"N": "2"}}),
    ("size(u) = :v", None, {":v": {"N": "5"}}),
    ("size(e) = :v", None, {":v": {"N": "3"}}),
    ("size(e) = :v", None, {":v": {"N": "2"}}),
    ("size(b) = :v", None, {":v": {"N": "2"}}),
    ("size(l) = :v", None, {":v": {"N": "3"}}),
    ("size(m) = :v", None, {":v": {"N": "2"}}),
    ("size(ss) > :v", None, V1),
    ("size(a) = :v", None, V1),
    ("size(nope) < :v", None, V1),
    ("NOT size(nope) < :v", None, V1),
    ("size(a) = :v", None, {":v": {"S": "1"}}),
    ("size(:v) = a", None, {":v": {"S": "1"}}),
    ("size(:v) = a", None, {":v": {"N": "1"}}),
    ("size(:v) = :v", None, {":v": {"M": {}}}),
    ("size(:v) = :v", None, {":v": {"BOOL": True}}),
    ("size(a, b) = :v", None, V1),
    ("size(size(a)) = :v", None, V1),
    ("size(a) = size(a)", None, None),
    ("(size(a)) = :v", None, V1),  # a parenthesized operand, not a parenthesized condition then "="
    ("(size(a)) = :v)", None, V1),
    ("((size(a)) = :v)", None, V1),
    ("(size(a)) = (:v)", None, V1),
    ("(a) = :v AND (attribute_exists(a))", None, V1),
    ("size(a) BETWEEN :v AND :w", None, {":v": {"N": "1"}, ":w": {"N": "5"}}),
    ("size(a) < :w", None, {":w": {"BOOL": True}}),
    ("if_not_exists(a, :v) = a", None, V1),
    ("list_append(a, :v) = a", None, {":v": {"L": []}}),
    ("a = :v", None, {":v": {"N": "1"}, ":w": {"N": "1"}}),
    ("a = :v", {"#a": "x"}, {":v": {"N": "1"}, ":w": {"N": "1"}}),
    ("a = :v AND b = :v", None, V1),
    (":v = :v", None, V1),
    (":v = :w", None, {":v": {"N": "1"}, ":w": {"N": "1.0"}}),
    (":v < :w", None, {":v": {"N": "1"}, ":w": {"S": "1"}}),
    (":w < :v", None, {":w": {"BOOL": True}, ":v": {"NULL": True}}),
    ("a < :w", None, {":w": {"BOOL": True}}),
    ("a < :w", None, {":w": {"SS": ["x"]}}),
    ("a = :w", None, {":w": {"SS": ["x"]}}),
    ("ss = :w", None, {":w": {"SS": ["y", "x"]}}),
    ("ns = :w", None, {":w": {"NS": ["2.50", "1"]}}),
    ("l = :w", None, {":w": {"L": [{"N": "1.0"}, {"S": "x"}, {"M": {"c": {"S": "deep"}}}]}}),
    ("a <> :w", None, {":w": {"S": "1"}}),
    ("nope <> :w", None, {":w": {"S": "1"}}),
    ("nope = :w", None, {":w": {"S": "1"}}),
    ("NOT nope = :w", None, {":w": {"S": "1"}}),
    ("nope < :w", None, {":w": {"S": "1"}}),
    ("NOT nope < :w", None, {":w": {"S": "1"}}),
    ("s > :w", None, {":w": {"S": "Hello"}}),
    ("u > :w", None, {":w": {"S": "\uffff"}}),
    ("b < :w", None, {":w": {"B": b"\x80"}}),
    ("a >= :w", None, {":w": {"N": "1.00"}}),
    ("NOT a", None, None),
    ("a = :v OR NOT", None, V1),
    ("NOT NOT a = :v", None, V1),
    ("NOT a = :v AND a = :v", None, V1),
    ("a = :w OR a = :v AND a = :w", None, {":v": {"N": "1"}, ":w": {"N": "2"}}),
    ("(a = :w OR a = :v) AND a = :w", None, {":v": {"N": "1"}, ":w": {"N": "2"}}),
    ("a = :v" + " AND a = :v" * 5, None, V1),
    ("a IN (" + ",".join([":v"] * 101) + ")", None, V1),
    ("a IN (" + ",".join([":v"] * 100) + ")", None, V1),
    ("a IN (:w, :v)", None, {":v": {"N": "1"}, ":w": {"N": "2"}}),
    ("a IN (a, b)", None, None),
    ("a IN (b)", None, None),
    ("a IN (:v, size(b))", None, V1),
    ("a = :v", {"a": "x"}, V1),
    ("a = :v", None, {"v": {"N": "1"}}),
    ("#a = :v", {"#a": ""}, V1),
    ("a = = b", {"#a": "x"}, {":v": {"N": "abc"}}),
    ("a = = b", {"a": "x"}, V1),
    ("a = = b", {"#a": ""}, V1),
    ("a = = b", {}, V1),
    ("a = = b", {"#a": "x"}, {}),
    ("a = :v", {"a": "x"}, {"v": {"N": "abc"}}),
    ("a = :v", {"#a": ""}, {"v": {"N": "1"}}),
    ("status = = :v", None, None),
    ("#a = :v AND status = :w", {"#a": "x"}, V1),
    ("(a) = :v", None, V1),
    ("((a = :v))", None, V1),
    ("((a)) = :v", None, V1),
    ("a = ((:v))", None, V1),
    ("(a = :v)", None, V1),
    ("NOT ((a = :v))", None, V1),
    ("((a = :v) AND a = :v)", None, V1),
    ("((a = = :v))", None, V1),
    ("((status = :v))", None, V1),
    ("((a = :v)) AND foo(a)", None, V1),
    ("a[99999999999] = :v AND foo(a)", None, V1),
    ("a[2147483647] = :v", None, V1),
    ("a[2147483648] = :v", None, V1),
    ("a[01] = :v", None, V1),
    ("a BETWEEN :w AND :v AND foo(a)", None, {":v": {"N": "1"}, ":w": {"N": "2"}}),
    ("begins_with(a, :v) AND a < :w", None, {":v": {"N": "1"}, ":w": {"BOOL": True}}),
    ("a < :w AND begins_with(a, :v)", None, {":v": {"N": "1"}, ":w": {"BOOL": True}}),
    ("#z = :q AND a < :w", None, {":w": {"BOOL": True}}),
    ("#z = :q AND a < :w", {"#z": "x"}, {":w": {"BOOL": True}}),
    ("a < :w AND #z = :q", None, {":w": {"BOOL": True}}),
    ("foo(a) AND status = :v", None, None),
    ("status = :v AND foo(a)", None, None),
    ("size(a) AND foo(b)", None, None),
    ("#a = :v AND size(b)", None, None),
    ("a = :v AND attribute_exists(a, b)", None, None),
    ("attribute_exists(a, b) AND #a = :v", None, None),
    ("list_append(a, b) = :v AND foo(a)", None, None),
    ("a IN (" + ",".join([":v"] * 101) + ") AND #q = :v", None, None),
    ("a = a", None, None),
    ("a.b = a.b", None, None),
    ("a BETWEEN a AND b", None, None),
    ("l[1] = :x AND m.b = :two AND m.n.q[0] = :x", None, {":x": {"S": "x"}, ":two": {"N": "2"}}),
    ("l[9] = :x OR m.nope.q = :x OR a.b = :x", None, {":x": {"S": "x"}}),
    ("#d.#e = :x", {"#d": "m", "#e": "b"}, {":x": {"N": "2"}}),
    ("t = :x AND z = :y", None, {":x": {"BOOL": True}, ":y": {"NULL": True}}),
    ("a = :v" + " OR a = :v" * 500, None, V1),
    ("a = :v" + " " * 4090, None, V1),
    ("a = :v" + " " * 4091, None, V1),
    ("a = = :v" + " " * 4091, None, V1),
    ("a" + ".b" * 31 + " = :v", None, V1),
    ("a" + "[0]" * 32 + " = :v", None, V1),
    ("a" + ".b" * 32 + " = = :v", None, V1),
    ("a" + ".b" * 32 + " = foo(a)", None, V1),
    ("a" + ".b" * 32 + "[99999999999] = :v", None, V1),
    ("status" + ".b" * 32 + " = :v", None, V1),
    ("a = :" + "v" * 254, None, {":" + "v" * 254: {"N": "1"}}),
    ("a = :" + "v" * 255, None, {":" + "v" * 255: {"N": "1"}}),
    ("#" + "v" * 254 + " = :v", {"#" + "v" * 254: "a"}, V1),
    ("#" + "v" * 255 + " = :v", {"#" + "v" * 255: "a"}, V1),
    ("#a = :v", {"#a": "x" * 65535}, V1),
    ("#a = :v", {"#a": "é" * 32768}, V1),
    ("#a = :v", {"#a": "x", "b": "y"}, {":v": {"N": "1"}, ":" + "v" * 300: {"N": "1"}}),
]

UPDATES: list[tuple[str, Any, Any]] = [
    ("SET a = :v", None, {":v": {"N": "5"}}),
    ("", None, None),
    ("SET", None, None),
    ("SET a", None, None),
    ("SET a = ", None, None),
    ("SET a = :v, ", None, {":v": {"N": "5"}}),
    ("SET a = :v SET b = :v", None, {":v": {"N": "5"}}),
    ("SET a = :v REMOVE b SET c = :v", None, {":v": {"N": "5"}}),
    ("REMOVE a, a", None, None),
    ("REMOVE a.b, a", None, None),
    ("REMOVE a, a.b", None, None),
    ("SET a = :v REMOVE a", None, {":v": {"N": "5"}}),
    ("SET m.b = :v REMOVE m.c", None, {":v": {"N": "5"}}),
    ("SET a.b = :v REMOVE a.c", None, {":v": {"N": "5"}}),
    ("SET l[1] = :v REMOVE l[1]", None, {":v": {"N": "5"}}),
    ("SET l[1] = :v REMOVE l[2]", None, {":v": {"N": "5"}}),
    ("SET l[1] = :v, l.b = :v", None, {":v": {"N": "5"}}),
    ("SET a[0] = :v, a.b = :v, a = :v", None, {":v": {"N": "1"}}),
    ("SET a = :v, a[0] = :v, a.b = :v", None, {":v": {"N": "1"}}),
    ("SET a = :v, b = :v, c = :v REMOVE a", None, {":v": {"N": "1"}}),
    ("REMOVE a, b, c, b", None, None),
    ("REMOVE b, x.y, c, b.c", None, None),
    ("REMOVE l[1], l[7], l[1]", None, None),
    ("SET l[1] = a, l[1] = a, l[7] = a", None, None),
    ("REMOVE l[2], l[1], l[7], l[1]", None, None),
    ("REMOVE l[7], l[2], l[1], l[1]", None, None),
    ("REMOVE m.a, m.b, m.c, m.b", None, None),
    ("REMOVE m.c, m.a, m.b, m.b", None, None),
    ("REMOVE s SET s.x = a ADD m.b :n", None, {":n": {"N": "1"}}),
    ("SET #a = :v, #b = :v", {"#a": "x", "#b": "x"}, {":v": {"N": "1"}}),
    ("SET pk = :v", None, {":v": {"S": "5"}}),
    ("REMOVE sk", None, None),
    ("SET #k = :v", {"#k": "pk"}, {":v": {"S": "5"}}),
    ("SET pk.x = :v", None, {":v": {"S": "5"}}),
    ("ADD pk :v", None, {":v": {"S": "5"}}),
    ("SET a = :v + :v", None, {":v": {"N": "5"}}),
    ("SET a = a + :v", None, {":v": {"N": "0.5"}}),
    ("SET a = :v - a", None, {":v": {"N": "-0.5"}}),
    ("SET a = :v + :w", None, {":v": {"N": "5"}, ":w": {"S": "x"}}),
    ("SET a = :v + :w", None, {":v": {"N": "1"}, ":w": {"L": []}}),
    ("SET a = :v - s", None, {":v": {"N": "5"}}),
    ("SET a = nope + :v", None, {":v": {"N": "5"}}),
    # Operands are read and type-checked left to right: a wrong type on the left wins over a missing right.
    ("SET a = s + nope", None, None),
    ("SET a = nope + s", None, None),
    ("SET a = s - m.nope", None, None),
    ("SET a = l[9] + s", None, None),
    ("SET a = list_append(s, nope)", None, None),
    ("SET a = list_append(nope, s)", None, None),
    ("SET a = list_append(l, nope)", None, None),
    ("SET a = if_not_exists(nope, s) + nope2", None, None),
    ("SET a = s + a[1]", None, None),
    ("SET a = a[1] + s", None, None),
    ("SET a = nope + :w", None, {":w": {"S": "x"}}),
    ("SET a = :v + :v + :v", None, {":v": {"N": "5"}}),
    ("SET a = (:v + :v)", None, {":v": {"N": "5"}}),
    ("SET a = ((:v))", None, {":v": {"N": "5"}}),
    ("SET a = size(s)", None, None),
    ("SET a = if_not_exists(a, :v)", None, {":v": {"N": "5"}}),
    ("SET a = if_not_exists(nope, :v)", None, {":v": {"N": "5"}}),
    ("SET a = if_not_exists(:v, a)", None, {":v": {"N": "5"}}),
    ("SET a = if_not_exists(a)", None, None),
    ("SET a = if_not_exists(a, if_not_exists(b, :v))", None, {":v": {"N": "1"}}),
    ("SET a = if_not_exists(b, list_append(:v, :v))", None, {":v": {"L": []}}),
    ("SET a = list_append(if_not_exists(nope, :v), :v)", None, {":v": {"L": [{"S": "q"}]}}),
    ("SET a = list_append(list_append(l, :v), :v)", None, {":v": {"L": []}}),
    ("SET a = :v + if_not_exists(nope, :v)", None, {":v": {"N": "1"}}),
    ("SET a = :v + list_append(l, :w)", None, {":v": {"N": "1"}, ":w": {"L": []}}),
    ("SET a = list_append(l, :v)", None, {":v": {"L": [{"N": "5"}]}}),
    ("SET a = list_append(:v, l)", None, {":v": {"L": [{"N": "5"}]}}),
    ("SET a = list_append(l, :v)", None, {":v": {"N": "5"}}),
    ("SET a = list_append(s, :v)", None, {":v": {"L": [{"N": "5"}]}}),
    ("SET a = list_append(nope, :v)", None, {":v": {"L": [{"N": "5"}]}}),
    ("SET a = list_append(:v, :w)", None, {":v": {"L": []}, ":w": {"S": "x"}}),
    ("SET a = list_append(l)", None, None),
    ("SET a = attribute_exists(b)", None, None),
    ("SET a = foo(b)", None, None),
    ("SET s = s + :v", None, {":v": {"N": "5"}}),
    ("SET a = a + :v", None, {":v": {"S": "5"}}),
    ("SET a = :v + :v", None, {":v": {"N": "99999999999999999999999999999999999999e80"}}),
    ("SET a = :v + :w", None, {":v": {"N": "1e100"}, ":w": {"N": "1e-20"}}),
    ("ADD a :v", None, {":v": {"N": "5"}}),
    ("ADD s :v", None, {":v": {"N": "5"}}),
    ("ADD a :v", None, {":v": {"S": "5"}}),
    ("ADD a :v", None, {":v": {"B": b"5"}}),
    ("ADD a :v", None, {":v": {"BOOL": True}}),
    ("ADD a :v", None, {":v": {"NULL": True}}),
    ("ADD a :v", None, {":v": {"M": {}}}),
    ("ADD nope :v", None, {":v": {"L": []}}),
    ("ADD ss :v", None, {":v": {"SS": ["z", "x"]}}),
    ("ADD ns :v", None, {":v": {"NS": ["2.50", "3"]}}),
    ("ADD bs :v", None, {":v": {"BS": [b"\x02"]}}),
    ("ADD ss :v", None, {":v": {"NS": ["1"]}}),
    ("ADD m.b :v", None, {":v": {"N": "5"}}),
    ("ADD a.b :v", None, {":v": {"N": "5"}}),
    ("ADD l[0] :v", None, {":v": {"N": "5"}}),
    ("ADD nope b", None, None),
    ("ADD nope :v, nope2 :w", None, {":v": {"N": "1"}, ":w": {"SS": ["q"]}}),
    ("DELETE ss :v", None, {":v": {"SS": ["x"]}}),
    ("DELETE ss :v", None, {":v": {"SS": ["x", "y"]}}),
    ("DELETE ns :v", None, {":v": {"NS": ["2.5", "7"]}}),
    ("DELETE ss :v", None, {":v": {"S": "x"}}),
    ("DELETE ss :v", None, {":v": {"NS": ["1"]}}),
    ("DELETE a :v", None, {":v": {"NS": ["1"]}}),
    ("DELETE nope :v", None, {":v": {"NS": ["1"]}}),
    ("DELETE a :v", None, {":v": {"N": "1"}}),
    ("REMOVE l[5]", None, None),
    ("REMOVE l[0], l[1]", None, None),
    ("REMOVE l[2], l[0]", None, None),
    ("REMOVE nope", None, None),
    ("REMOVE nope.x", None, None),
    ("REMOVE s.x", None, None),
    ("REMOVE s[0]", None, None),
    ("REMOVE m.nope", None, None),
    ("REMOVE m.n.q[0], a", None, None),
    ("SET nope.x = :v", None, V1),
    ("SET s.x = :v", None, V1),
    ("SET l[10] = :v", None, V1),
    ("SET l[10] = :v, l[11] = :w", None, {":v": {"N": "1"}, ":w": {"N": "2"}}),
    ("SET l[0] = :v", None, V1),
    ("SET m.b = :v", None, V1),
    ("SET m.n.q[0] = :v, m.x = :v", None, V1),
    ("SET m[0] = :v", None, V1),
    ("SET a.b.c = :v", None, V1),
    ("SET l[2].x = :v", None, V1),
    ("SET l[1].x = :v", None, V1),
    ("SET a = :v", {"#x": "y"}, V1),
    ("SET a = :v, b = a", None, V1),
    ("SET a = s, s = a", None, None),
    ("set a = :v remove b", None, V1),
    ("SET a = :v AND b = :v", None, V1),
    ("SET a = :v = :v", None, V1),
    ("SET a = -:v", None, V1),
    ("SET a = :v - :v", None, {":v": {"SS": ["1"]}}),
    ("SET a = :q, a = :q", None, None),
    ("SET a = :q, b = foo(x)", None, None),
    ("SET a = :q REMOVE status", None, None),
    ("SET a = foo(x) REMOVE status", None, None),
    ("SET a = foo(x), a = :v", None, V1),
    ("SET a[99999999999] = :v REMOVE status", None, V1),
    ("SET a = :v + :q REMOVE b ADD c :w", None, {":v": {"N": "1"}, ":w": {"S": "x"}}),
    ("ADD c :w REMOVE b SET a = :v + :q", None, {":v": {"N": "1"}, ":w": {"S": "x"}}),
    ("REMOVE #q ADD c :w", None, {":w": {"S": "x"}}),
    ("ADD c :w REMOVE #q", None, {":w": {"S": "x"}}),
    ("ADD c :w, d :q", None, {":w": {"S": "x"}}),
    ("ADD d :q, c :w", None, {":w": {"S": "x"}}),
    ("DELETE d :q ADD c :w", None, {":w": {"S": "x"}}),
    ("SET b = :q, a = :x + :y", None, {":x": {"N": "1"}, ":y": {"S": "1"}}),
    ("SET a = :x + :y, b = :q", None, {":x": {"N": "1"}, ":y": {"S": "1"}}),
    ("SET a = #r + :z", {"#q": "q"}, {":x": {"N": "1"}}),
    ("SET a = :z + #r", {"#q": "q"}, {":x": {"N": "1"}}),
    ("SET #q = :v, a = :v, a = :v", None, V1),
    ("SET a = :v, a = :v, #q = :v", None, V1),
    ("SET a = if_not_exists(#q, :v), b = :q", None, V1),
    ("SET b = :q, a = if_not_exists(#q, :v)", None, V1),
    ("SET #a = :v", {"#a": "status"}, V1),
    ("SET a = status", None, None),
    ("SET a = :v", None, {":v": {"N": "1"}, ":w": {"S": "x"}}),
    ("SET #n.#o = :v", {"#n": "m", "#o": "new"}, {":v": {"M": {"x": {"NULL": True}}}}),
    ("SET a" + ".b" * 32 + " = :v", None, V1),
]


def test_conditions_match_dynamodb_local(table: tuple[Any, str]) -> None:
    tally = Tally()
    for expr, names, values in CONDITIONS:
        local = local_condition(table, expr, names, values)
        ours = ours_condition(expr, names, values)
        tally.record(f"condition {expr!r} names={names} values={values}", local, ours)
    print(tally.report("conditions"))
    assert not tally.mismatches, "\n".join(tally.mismatches)


@pytest.mark.parametrize("returns", ["UPDATED_NEW", "UPDATED_OLD"])
def test_updates_match_dynamodb_local(table: tuple[Any, str], returns: str) -> None:
    tally = Tally()
    for expr, names, values in UPDATES:
        local = local_update(table, expr, names, values, returns)
        ours = ours_update(expr, names, values, returns)
        tally.record(f"update {expr!r} names={names} values={values}", local, ours)
    print(tally.report(f"updates ({returns})"))
    assert not tally.mismatches, "\n".join(tally.mismatches)


SV = {":v": {"S": "a"}}
READS: list[tuple[str, dict[str, Any]]] = [
    ("query", {"KeyConditionExpression": "pk = :v", "ExpressionAttributeValues": SV}),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v AND sk = :w",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "1"}},
        },
    ),
    ("query", {"KeyConditionExpression": "sk = :w", "ExpressionAttributeValues": {":w": {"N": "1"}}}),
    ("query", {"KeyConditionExpression": "pk = :v AND pk = :v", "ExpressionAttributeValues": SV}),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v OR sk = :w",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "1"}},
        },
    ),
    ("query", {"KeyConditionExpression": "NOT pk = :v", "ExpressionAttributeValues": SV}),
    ("query", {"KeyConditionExpression": "pk < :v", "ExpressionAttributeValues": SV}),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v AND sk <> :w",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "1"}},
        },
    ),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v AND sk BETWEEN :w AND :x",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "-5"}, ":x": {"N": "1"}},
        },
    ),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v AND sk BETWEEN :x AND :w",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "-5"}, ":x": {"N": "1"}},
        },
    ),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v AND sk IN (:w)",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "1"}},
        },
    ),
    (
        "query",
        {"KeyConditionExpression": "pk = :v AND attribute_exists(sk)", "ExpressionAttributeValues": SV},
    ),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v AND size(sk) = :w",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "1"}},
        },
    ),
    (
        "query",
        {
            "KeyConditionExpression": ":v = pk AND :w < sk",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "1"}},
        },
    ),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v AND sk >= :w",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "1"}},
        },
    ),
    ("query", {"KeyConditionExpression": "pk = pk"}),
    ("query", {"KeyConditionExpression": "pk.x = :v", "ExpressionAttributeValues": SV}),
    (
        "query",
        {
            "KeyConditionExpression": "(pk = :v) AND (sk = :w)",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "1"}},
        },
    ),
    (
        "query",
        {
            "KeyConditionExpression": "sk = :w AND pk = :v",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "1"}},
        },
    ),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v AND sk = :w AND x = :w",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "1"}},
        },
    ),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v AND sk > :w",
            "ExpressionAttributeValues": {**SV, ":w": {"BOOL": True}},
        },
    ),
    ("query", {"KeyConditionExpression": "status = :v", "ExpressionAttributeValues": SV}),
    (
        "query",
        {"KeyConditionExpression": "pk = :v AND (sk = :v OR sk = :v)", "ExpressionAttributeValues": SV},
    ),
    (
        "query",
        {"KeyConditionExpression": "pk = = :v", "FilterExpression": "a = = :v", "ProjectionExpression": "a,"},
    ),
    ("query", {"KeyConditionExpression": "pk = = :v", "ProjectionExpression": "a,"}),
    ("query", {"KeyConditionExpression": "pk = :q OR a = :q", "ProjectionExpression": "a,"}),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v OR a = :v",
            "FilterExpression": "#q = :v",
            "ExpressionAttributeValues": SV,
        },
    ),
    (
        "query",
        {"KeyConditionExpression": "pk = :v", "FilterExpression": "a = :q", "ProjectionExpression": "#b"},
    ),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v",
            "FilterExpression": "sk = :w",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "1"}},
        },
    ),
    (
        "query",
        {
            "KeyConditionExpression": "pk = :v",
            "FilterExpression": "a = :w OR s = :s",
            "ProjectionExpression": "a, s, l[2].c",
            "ExpressionAttributeValues": {**SV, ":w": {"N": "7"}, ":s": {"S": "hello"}},
        },
    ),
    ("scan", {"FilterExpression": "attribute_exists(ss)"}),
    ("scan", {"FilterExpression": "attribute_type(a, :t)", "ExpressionAttributeValues": {":t": {"S": "S"}}}),
    ("scan", {"FilterExpression": "begins_with(s, :p)", "ExpressionAttributeValues": {":p": {"S": "hel"}}}),
    ("scan", {"FilterExpression": "size(l) = :z", "ExpressionAttributeValues": {":z": {"N": "0"}}}),
    ("scan", {"FilterExpression": "contains(ss, :y)", "ExpressionAttributeValues": {":y": {"S": "y"}}}),
    (
        "scan",
        {
            "FilterExpression": "a > :n",
            "ProjectionExpression": "pk, sk",
            "ExpressionAttributeValues": {":n": {"N": "0"}},
        },
    ),
    ("scan", {"FilterExpression": "if_not_exists(a, :v) = :v", "ExpressionAttributeValues": SV}),
    ("scan", {"FilterExpression": "a = = :v", "ProjectionExpression": "a,"}),
    ("scan", {"FilterExpression": "a = :q", "ProjectionExpression": "#a"}),
    ("get_item", {"ProjectionExpression": "a, s"}),
    ("get_item", {"ProjectionExpression": "a, a"}),
    ("get_item", {"ProjectionExpression": "a, a.b"}),
    ("get_item", {"ProjectionExpression": "a.b, a[0]"}),
    ("get_item", {"ProjectionExpression": "a[0], a[0].b"}),
    ("get_item", {"ProjectionExpression": "a,"}),
    ("get_item", {"ProjectionExpression": "size(a)"}),
    ("get_item", {"ProjectionExpression": "#a", "ExpressionAttributeNames": {"#a": "a", "#b": "c"}}),
    ("get_item", {"ProjectionExpression": "#a"}),
    ("get_item", {"ProjectionExpression": "#a, #b"}),
    ("get_item", {"ProjectionExpression": "a b"}),
    ("get_item", {"ProjectionExpression": ""}),
    ("get_item", {"ProjectionExpression": "remove"}),
    ("get_item", {"ProjectionExpression": "size, convert, abc"}),
    ("get_item", {"ProjectionExpression": "l[2].c, l[0], m.n.q[0], m.b, ss, nope, m.zz"}),
    ("get_item", {"ProjectionExpression": "l[1], l[5], m.n, pk"}),
    ("get_item", {"ProjectionExpression": "status"}),
    ("get_item", {"ProjectionExpression": "a" + ".b" * 32}),
    ("get_item", {"ProjectionExpression": "#s.#t", "ExpressionAttributeNames": {"#s": "m", "#t": "b"}}),
]


def test_reads_match_dynamodb_local(table: tuple[Any, str]) -> None:
    tally = Tally()
    for operation, request in READS:
        extra = {"Key": KEY} if operation == "get_item" else {}
        local = local_read(table, operation, **extra, **request)
        ours = ours_read(operation, **request)
        tally.record(f"{operation} {request}", local, ours)
    print(tally.report("reads"))
    assert not tally.mismatches, "\n".join(tally.mismatches)


# ------------------------------------------------------------------------------------------ hypothesis

PATHS = st.sampled_from(
    ["a", "s", "u", "l[0]", "l[2].c", "m.b", "m.n.q[0]", "ss", "ns", "nope", "#n", "#m.b", "t"]
)
VALUE_REFS = st.sampled_from([":n", ":s", ":l", ":ss", ":bool", ":undefined"])
HYPO_VALUES: dict[str, Any] = {
    ":n": {"N": "1"},
    ":s": {"S": "he"},
    ":l": {"L": [{"S": "x"}]},
    ":ss": {"SS": ["x"]},
    ":bool": {"BOOL": True},
}
HYPO_NAMES = {"#n": "a", "#m": "m"}
OPERANDS = st.one_of(PATHS, VALUE_REFS, PATHS.map(lambda p: f"size({p})"))
COMPARISONS = st.one_of(
    st.tuples(OPERANDS, st.sampled_from(["=", "<>", "<", "<=", ">", ">="]), OPERANDS).map(" ".join),
    st.tuples(OPERANDS, OPERANDS, OPERANDS).map(lambda t: f"{t[0]} BETWEEN {t[1]} AND {t[2]}"),
    st.tuples(OPERANDS, st.lists(OPERANDS, min_size=1, max_size=3)).map(
        lambda t: f"{t[0]} IN ({', '.join(t[1])})"
    ),
    st.tuples(st.sampled_from(["attribute_exists", "attribute_not_exists", "size"]), OPERANDS).map(
        lambda t: f"{t[0]}({t[1]})"
    ),
    st.tuples(st.sampled_from(["begins_with", "contains", "attribute_type", "foo"]), OPERANDS, OPERANDS).map(
        lambda t: f"{t[0]}({t[1]}, {t[2]})"
    ),
)
CONDITION_TEXT = st.recursive(
    COMPARISONS,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(" ".join),
        inner.map(lambda c: f"NOT {c}"),
        inner.map(lambda c: f"({c})"),
    ),
    max_leaves=4,
)
# Random damage: drop, duplicate or insert a token, to reach the syntax errors.
GARBAGE = st.sampled_from(["", "(", ")", ",", "=", "AND", ":", "#", "[1]", ".x", "status", "[", "'"])


def _damaged(text: str, garbage: str, where: float) -> str:
    if not garbage:
        return text
    cut = int(len(text) * where)
    return f"{text[:cut]} {garbage} {text[cut:]}".strip()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=CONDITION_TEXT, garbage=GARBAGE, where=st.floats(0, 1))
def test_random_conditions_match_dynamodb_local(
    table: tuple[Any, str], text: str, garbage: str, where: float
) -> None:
    expr = _damaged(text, garbage, where)
    used_names = {k: v for k, v in HYPO_NAMES.items() if k in expr} or None
    used_values = {k: v for k, v in HYPO_VALUES.items() if k in expr} or None
    assert local_condition(table, expr, used_names, used_values) == ours_condition(
        expr, used_names, used_values
    )


SET_VALUES = st.one_of(
    PATHS,
    VALUE_REFS,
    st.tuples(st.one_of(PATHS, VALUE_REFS), st.sampled_from(["+", "-"]), st.one_of(PATHS, VALUE_REFS)).map(
        " ".join
    ),
    st.tuples(PATHS, VALUE_REFS).map(lambda t: f"if_not_exists({t[0]}, {t[1]})"),
    st.tuples(st.one_of(PATHS, VALUE_REFS), st.one_of(PATHS, VALUE_REFS)).map(
        lambda t: f"list_append({t[0]}, {t[1]})"
    ),
)
TARGETS = st.sampled_from(
    ["a", "s", "x", "l[1]", "l[7]", "m.b", "m.new", "nope.x", "ss", "ns", "#n", "#m.q", "s.x"]
)
ACTIONS = st.one_of(
    st.tuples(st.just("SET"), st.tuples(TARGETS, SET_VALUES).map(lambda t: f"{t[0]} = {t[1]}")),
    st.tuples(st.just("REMOVE"), TARGETS),
    st.tuples(st.just("ADD"), st.tuples(TARGETS, VALUE_REFS).map(" ".join)),
    st.tuples(st.just("DELETE"), st.tuples(TARGETS, VALUE_REFS).map(" ".join)),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(ACTIONS, min_size=1, max_size=3), garbage=GARBAGE, where=st.floats(0, 1))
def test_random_updates_match_dynamodb_local(
    table: tuple[Any, str], actions: list[tuple[str, str]], garbage: str, where: float
) -> None:
    clauses: dict[str, list[str]] = {}
    for clause, action in actions:
        clauses.setdefault(clause, []).append(action)
    text = " ".join(f"{clause} {', '.join(items)}" for clause, items in clauses.items())
    expr = _damaged(text, garbage, where)
    used_names = {k: v for k, v in HYPO_NAMES.items() if k in expr} or None
    used_values = {k: v for k, v in HYPO_VALUES.items() if k in expr} or None
    local = local_update(table, expr, used_names, used_values, "UPDATED_NEW")
    ours = ours_update(expr, used_names, used_values, "UPDATED_NEW")
    if isinstance(local, str) and isinstance(ours, str) and ", path two: " in local:
        # Known gap: which earlier path DynamoDB Local names as "path two" follows an internal order that
        # is only partly modelled (the corpus above pins the measured cases); the rest must match.
        local, ours = local.partition(", path two: ")[0], ours.partition(", path two: ")[0]
    if len(actions) > 1 and {repr(local), repr(ours)} <= RUNTIME_UPDATE_ERRORS:
        # Known gap: when one update has several runtime errors, which one DynamoDB Local reports depends
        # on an order of its own (by action kind, path depth and position) that is only partly modelled.
        # Each error alone is pinned by the corpus above; here both must at least refuse the update.
        return
    assert local == ours


RUNTIME_UPDATE_ERRORS = {
    repr("ERR The document path provided in the update expression is invalid for update"),
    repr("ERR An operand in the update expression has an incorrect data type"),
    repr("ERR The provided expression refers to an attribute that does not exist in the item"),
}


# ------------------------------------------------------------------------------------------ item sizes

LIMIT = 400 * 1024


def _local_size(table: tuple[Any, str], extra: dict[str, Any], *, within: int = LIMIT) -> int:
    """The size DynamoDB Local gives ``extra``'s attributes: the largest padding under its 400 KB limit,
    searched among the last ``within`` bytes first (each probe writes a 400 KB item), then everywhere."""
    client, name = table
    floor = LIMIT - within
    low, high = floor, LIMIT
    while low < high:
        middle = (low + high + 1) // 2
        item = {"pk": {"S": "size"}, "sk": {"N": "1"}, "p": {"B": b"x" * middle}, **extra}
        try:
            client.put_item(TableName=name, Item=item)
            low = middle
        except client.exceptions.ClientError:
            high = middle - 1
    if low == floor and floor > 0:  # the padding that fits is smaller still: search the whole range
        return _local_size(table, extra)
    return LIMIT - low


_BASE_SIZES: dict[str, int] = {}  # the padded item's own size, by table (the same for every example)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    digits=st.text("0123456789", min_size=1, max_size=38),
    exponent=st.integers(-120, 80),
    negative=st.booleans(),
)
def test_number_sizes_match_dynamodb_local(
    table: tuple[Any, str], digits: str, exponent: int, negative: bool
) -> None:
    number = f"{'-' if negative else ''}{digits}e{exponent}"
    extra = {"x": {"N": number}, "y": {"L": [{"N": number}, {"M": {"k": {"N": number}}}]}}
    if table[1] not in _BASE_SIZES:
        _BASE_SIZES[table[1]] = _local_size(table, {})
    ours = item_size(validate_item(extra))
    assert _local_size(table, extra, within=1024) - _BASE_SIZES[table[1]] == ours  # extra: under 200 bytes


KEY_VALUES: dict[str, Any] = {":p": {"S": "a"}, ":n": {"N": "1"}, ":m": {"N": "-5"}, ":s": {"S": "x"}}
KEY_OPERANDS = st.sampled_from(["pk", "sk", "a", "#k", ":p", ":n", ":m", ":s", "size(sk)", "sk.x"])
KEY_TERMS = st.one_of(
    st.tuples(KEY_OPERANDS, st.sampled_from(["=", "<", "<=", ">", ">=", "<>"]), KEY_OPERANDS).map(" ".join),
    st.tuples(KEY_OPERANDS, KEY_OPERANDS, KEY_OPERANDS).map(lambda t: f"{t[0]} BETWEEN {t[1]} AND {t[2]}"),
    st.tuples(
        st.sampled_from(["begins_with", "contains", "attribute_exists"]), KEY_OPERANDS, KEY_OPERANDS
    ).map(lambda t: f"{t[0]}({t[1]}, {t[2]})" if t[0] != "attribute_exists" else f"{t[0]}({t[1]})"),
    st.tuples(KEY_OPERANDS, KEY_OPERANDS).map(lambda t: f"{t[0]} IN ({t[1]})"),
)
KEY_TEXT = st.lists(st.tuples(KEY_TERMS, st.sampled_from(["AND", "AND", "OR"])), min_size=1, max_size=3).map(
    lambda terms: " ".join(f"{term} {joint}" for term, joint in terms[:-1]) + f" {terms[-1][0]}"
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=KEY_TEXT, with_filter=st.booleans())
def test_random_key_conditions_match_dynamodb_local(
    table: tuple[Any, str], key: str, with_filter: bool
) -> None:
    request: dict[str, Any] = {"KeyConditionExpression": key.strip()}
    if with_filter:
        request["FilterExpression"] = "a <> :s"
    text = " ".join(str(v) for v in request.values())
    refs = set(re.findall(r"[#:][A-Za-z0-9_]+", text))
    if "#k" in refs:
        request["ExpressionAttributeNames"] = {"#k": "pk"}
    values = {k: v for k, v in KEY_VALUES.items() if k in refs}
    if values:
        request["ExpressionAttributeValues"] = values
    local = local_read(table, "query", **request)
    ours = ours_read("query", **request)
    assert local == ours
