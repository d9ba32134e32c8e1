"""Unit tests for expression parsing and static checks: DynamoDB's exact messages and their precedence.

Every message here was read from DynamoDB Local 3.3.0; the differential suite
(tests/conformance/test_expressions_vs_local.py) re-checks them against it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorydb_mocks.emulator._order import java_hash_order, java_string_hash
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.expressions import compile_expressions, parse_expression
from theorydb_mocks.emulator.expressions._lexer import tokenize
from theorydb_mocks.emulator.expressions._reserved import RESERVED_WORDS

V1 = {":v": {"N": "1"}}
OPERAND_TYPE = "Incorrect operand type for operator or function; operator or function: "
NAMES_UNUSED = "Value provided in ExpressionAttributeNames unused in expressions: keys: "


def message(**request: Any) -> str:
    request.setdefault("names", None)
    request.setdefault("values", None)
    with pytest.raises(DynamoDBError) as info:
        compile_expressions(**request)
    assert info.value.code == "ValidationException"
    return info.value.message


def cond(expr: str, names: Any = None, values: Any = None) -> str:
    return message(condition=expr, names=names, values=values)


# ------------------------------------------------------------------------------------------ lexer


def test_tokens_are_kind_text_position() -> None:
    tokens = tokenize("a.b[10] <> :v AND #n")
    assert [(t.kind, t.text, t.pos) for t in tokens] == [
        ("NAME", "a", 0),
        (".", ".", 1),
        ("NAME", "b", 2),
        ("[", "[", 3),
        ("INDEX", "10", 4),
        ("]", "]", 6),
        ("<>", "<>", 8),
        ("VALUE_REF", ":v", 11),
        ("AND", "AND", 14),
        ("NAME_REF", "#n", 18),
        ("EOF", "<EOF>", 20),
    ]


def test_lexer_reads_leading_zero_as_its_own_token_and_unknown_characters_alone() -> None:
    assert [t.text for t in tokenize("01")] == ["0", "1", "<EOF>"]
    assert [t.kind for t in tokenize("_a $")] == ["UNKNOWN", "NAME", "UNKNOWN", "EOF"]
    assert [t.kind for t in tokenize("and Or nOT between In")][:-1] == ["AND", "OR", "NOT", "BETWEEN", "IN"]


# ------------------------------------------------------------------------------------------ syntax


@pytest.mark.parametrize(
    ("expr", "token", "near"),
    [
        ("a =", "<EOF>", "="),
        ("a = = b", "=", "= = b"),
        ("(a = b", "<EOF>", "b"),
        ("a = b)", ")", "b)"),
        ("a", "<EOF>", "a"),
        ("a == b", "=", "== b"),
        ("a[-1] = :v", "-", "[-1"),
        ("a[1.5] = :v", ".", "1.5"),
        ("a[] = :v", "]", "[] ="),
        ("a.[1] = :v", "[", ".[1"),
        ("a..b = :v", ".", "..b"),
        ("1 = :v", "1", "1 ="),
        ("1a = :v", "1", "1a"),
        ("_a = :v", "_", "_a"),
        ("é = :v", "é", "é ="),
        ("a-b = :v", "-", "a-b"),
        ("a = :v;", ";", ":v;"),
        ("# = :v", "#", "# ="),
        ("a = :", ":", "= :"),
        ("a = 'x'", "'", "= 'x"),
        ('a = "x"', '"', '= "x'),
        ("a = :v AND", "<EOF>", "AND"),
        ("a IN ()", ")", "()"),
        ("a IN (:v,)", ")", ",)"),
        ("a IN :v", ":v", "IN :v"),
        ("a BETWEEN :v", "<EOF>", ":v"),
        ("NOT a", "<EOF>", "a"),
        ("foo()", ")", "()"),
        ("a[01] = :v", "1", "01]"),
        ("( (((attribute_exists(a))))", "<EOF>", ")"),
        ("   ", "<EOF>", "   "),
        ("  1 = :v", "1", "  1 ="),
    ],
)
def test_condition_syntax_errors(expr: str, token: str, near: str) -> None:
    expected = f'Invalid ConditionExpression: Syntax error; token: "{token}", near: "{near}"'
    assert cond(expr, values=V1) == expected


@pytest.mark.parametrize(
    ("expr", "token", "near"),
    [
        ("SET", "<EOF>", "SET"),
        ("SET a", "<EOF>", "a"),
        ("SET a = ", "<EOF>", "= "),
        ("SET a = :v, ", "<EOF>", ", "),
        ("SET a = :v + :v + :v", "+", ":v + :v"),
        ("SET a = :v AND b = :v", "AND", ":v AND b"),
        ("SET a = :v = :v", "=", ":v = :v"),
        ("SET a = -:v", "-", "= -:v"),
        ("ADD nope b", "b", "nope b"),
        ("SET a = list_append(:v + :v, :v)", "+", ":v + :v"),
    ],
)
def test_update_syntax_errors(expr: str, token: str, near: str) -> None:
    expected = f'Invalid UpdateExpression: Syntax error; token: "{token}", near: "{near}"'
    assert message(update=expr, values=V1) == expected


@pytest.mark.parametrize(
    ("expr", "token", "near"),
    [("a,", "<EOF>", ","), ("size(a)", "(", "size(a"), ("a b", "b", "a b"), ("remove", "remove", "remove")],
)
def test_projection_syntax_errors(expr: str, token: str, near: str) -> None:
    expected = f'Invalid ProjectionExpression: Syntax error; token: "{token}", near: "{near}"'
    assert message(projection=expr) == expected


@pytest.mark.parametrize("kind", ["condition", "filter", "key_condition", "projection", "update"])
def test_empty_expression(kind: str) -> None:
    label = {"key_condition": "KeyCondition", "update": "Update"}.get(kind, kind.capitalize())
    assert message(**{kind: ""}) == f"Invalid {label}Expression: The expression can not be empty;"


@pytest.mark.parametrize("expr", ["((a = :v))", "((a)) = :v", "a = ((:v))", "NOT ((a = :v))", "( ((a = :v))"])
def test_redundant_parentheses(expr: str) -> None:
    assert cond(expr, values=V1) == "Invalid ConditionExpression: The expression has redundant parentheses;"


def test_single_parentheses_are_fine() -> None:
    for expr in ["(a) = :v", "(a = :v)", "a = (:v)", "((a = :v) AND a = :v)", "(a = :v) AND (a = :v)"]:
        assert compile_expressions(names=None, values=V1, condition=expr).condition is not None
    assert message(update="SET a = ((:v))", values=V1) == (
        "Invalid UpdateExpression: The expression has redundant parentheses;"
    )


def test_precedence_of_not_and_or() -> None:
    parsed = parse_expression("Condition", "NOT a = :v AND b = :v OR c = :v AND NOT d = :v")
    assert repr(parsed.tree) == "(((NOT a = :v) AND b = :v) OR (c = :v AND (NOT d = :v)))"


# ------------------------------------------------------------------------------------------ text checks


def test_reserved_words() -> None:
    assert (
        cond("status = :v", values=V1)
        == "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"
    )
    assert cond("a.Status = :v", values=V1).endswith("reserved keyword: Status")
    assert "STATUS" in RESERVED_WORDS and "SIZE" not in RESERVED_WORDS and len(RESERVED_WORDS) == 563
    # A placeholder for a reserved word is the documented way around it.
    compile_expressions(names={"#s": "status"}, values=V1, condition="#s = :v")


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("foo(a)", "Invalid function name; function: foo"),
        ("SIZE(a) = :v", "Invalid function name; function: SIZE"),
        ("size(a)", "The function is not allowed to be used this way in an expression; function: size"),
        (
            "a = attribute_exists(b)",
            "The function is not allowed to be used this way in an expression; function: attribute_exists",
        ),
        (
            "if_not_exists(a, :v) = a",
            "The function is not allowed in a condition expression; function: if_not_exists",
        ),
        (
            "list_append(a, :v) = a",
            "The function is not allowed in a condition expression; function: list_append",
        ),
        ("foo(a) AND status = :v", "Invalid function name; function: foo"),
        ("status = :v AND foo(a)", "Attribute name is a reserved keyword; reserved keyword: status"),
        ("a[2147483648] = :v", "List index is not within the allowable range; index: [2147483648]"),
        ("((a = :v)) AND a[99999999999] = :v", "The expression has redundant parentheses;"),
        (
            "a[99999999999] = :v AND foo(a)",
            "List index is not within the allowable range; index: [99999999999]",
        ),
    ],
)
def test_text_checks_in_order(expr: str, expected: str) -> None:
    assert cond(expr, values=V1) == f"Invalid ConditionExpression: {expected}"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("SET a = :v SET b = :v", 'The "SET" section can only be used once in an update expression;'),
        ("SET a = size(s)", "The function is not allowed in an update expression; function: size"),
        ("SET a = foo(b)", "Invalid function name; function: foo"),
        (
            "SET a = if_not_exists(b, list_append(:v, :v))",
            "The function is not allowed to be used this way in an expression; function: list_append",
        ),
        (
            "SET a = :v + list_append(l, :v)",
            "The function is not allowed to be used this way in an expression; function: list_append",
        ),
        ("SET a = foo(x) REMOVE status", "Invalid function name; function: foo"),
    ],
)
def test_update_text_checks(expr: str, expected: str) -> None:
    assert message(update=expr, values=V1) == f"Invalid UpdateExpression: {expected}"


# ------------------------------------------------------------------------------------------ placeholders


def test_placeholder_map_rules_in_order() -> None:
    assert cond("a = = b", names={}, values=V1) == "ExpressionAttributeNames must not be empty"
    assert cond("a = = b", names={"a": "x"}, values={":v": {"N": "x"}}) == (
        'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'
    )
    assert cond("a = = b", names={"#a": "x"}, values={}) == "ExpressionAttributeValues must not be empty"
    assert cond("a = :v", names={"#a": ""}, values={"v": {"N": "1"}}) == (
        'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"'
    )
    assert cond("a = = b", names={"#a": ""}, values=V1) == (
        "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"
    )
    assert cond("a = = b", values={":v": {"N": "abc"}}) == (
        "ExpressionAttributeValues contains invalid value: A value provided cannot be converted into a "
        "number for key :v"
    )
    assert cond("a = :v", values={":v": {"SS": []}}) == (
        "ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: "
        "An string set  may not be empty for key :v"
    )
    assert (
        message(names={"#a": "a"}) == "ExpressionAttributeNames can only be specified when using expressions"
    )


def test_undefined_and_unused_placeholders() -> None:
    assert cond("a = :v") == (
        "Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
        "attribute value: :v"
    )
    assert cond("#a = b") == (
        "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; "
        "attribute name: #a"
    )
    assert cond("a = b", names={"#b": "x", "#a": "y", "#c": "z"}) == NAMES_UNUSED + "{#c, #a, #b}"
    assert cond("a = b", names={"#zz": "x", "#a": "y", "#c": "z", "#b": "d", "#A": "q"}) == (
        NAMES_UNUSED + "{#c, #zz, #a, #A, #b}"
    )
    assert (
        cond("a = :v", names={"#a": "x"}, values={":v": {"N": "1"}, ":w": {"N": "1"}})
        == NAMES_UNUSED + "{#a}"
    )
    assert cond("a = :v", values={":v": {"N": "1"}, ":w": {"N": "1"}}) == (
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}"
    )
    # Undefined placeholders come before unused ones; the walk is left to right.
    assert cond("#a = :w", names={"#a": "x", "#b": "y"}, values=V1).endswith("attribute value: :w")
    assert cond("#z = :q AND a < :w", values={":w": {"BOOL": True}}).endswith("attribute name: #z")


def test_java_hash_order_matches_javas_hash_set() -> None:
    assert java_string_hash("#a") == 1182
    assert java_string_hash("é😀") == (233 * 31 + 0xD83D) * 31 + 0xDE00
    assert java_string_hash("polygenelubricants") == -(2**31)  # wraps to a negative int, as in Java
    assert java_hash_order(["#b", "#a", "#c"]) == ["#c", "#a", "#b"]


# ------------------------------------------------------------------------------------------ resolution checks


@pytest.mark.parametrize(
    ("expr", "values", "expected"),
    [
        (
            "attribute_exists(a, b)",
            None,
            "Incorrect number of operands for operator or function; operator or function: attribute_exists, "
            "number of operands: 2",
        ),
        (
            "attribute_exists(#q, b)",
            None,
            "An expression attribute name used in the document path is not defined; attribute name: #q",
        ),
        (
            "attribute_exists(:v)",
            V1,
            "Operator or function requires a document path; operator or function: attribute_exists",
        ),
        (
            "attribute_type(a, :v)",
            {":v": {"S": "XX"}},
            "Invalid attribute type name found; type: XX, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}",
        ),
        (
            "attribute_type(a, :v)",
            V1,
            OPERAND_TYPE + "attribute_type, operand type: N",
        ),
        (
            "attribute_type(a, b)",
            None,
            OPERAND_TYPE + "attribute_type, operand type: "
            "{NS,NULL,M,N,FS,DICT,DOUBLESET,FLOAT,SS,DECIMALSET,INT,B,S,INTSET,L,BS,HD,HDS,DECIMAL,DOUBLE,BOOL}",
        ),
        (
            "begins_with(a, :v)",
            V1,
            OPERAND_TYPE + "begins_with, operand type: N",
        ),
        (
            "begins_with(size(a), :v)",
            {":v": {"S": "1"}},
            OPERAND_TYPE + "begins_with, operand type: N",
        ),
        (
            "size(:v) = a",
            V1,
            OPERAND_TYPE + "size, operand type: N",
        ),
        (
            "size(size(a)) = :v",
            V1,
            OPERAND_TYPE + "size, operand type: N",
        ),
        (
            "a < :w",
            {":w": {"BOOL": True}},
            OPERAND_TYPE + "<, operand type: BOOL",
        ),
        (
            "a >= :w",
            {":w": {"SS": ["x"]}},
            OPERAND_TYPE + ">=, operand type: SS",
        ),
        (
            "a BETWEEN :v AND :w",
            {":v": {"BOOL": True}, ":w": {"BOOL": True}},
            OPERAND_TYPE + "BETWEEN, operand type: BOOL",
        ),
        (
            "a BETWEEN :v AND :w",
            {":v": {"N": "2"}, ":w": {"N": "1"}},
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
            "lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {N:1}",
        ),
        (
            "a BETWEEN :v AND :w",
            {":v": {"N": "2"}, ":w": {"S": "1"}},
            "The BETWEEN operator requires same data type for lower and upper bounds; "
            "lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {S:1}",
        ),
        (
            "a BETWEEN :v AND :w",
            {":v": {"B": b"\x02"}, ":w": {"B": b"\x01"}},
            "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
            "lower bound operand: AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=1 cap=1]}, "
            "upper bound operand: AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=1 cap=1]}",
        ),
        (
            "a IN (" + ",".join([":v"] * 101) + ")",
            V1,
            "The IN operator is provided with too many operands; number of operands: 101",
        ),
        (
            "a = a",
            None,
            "The first operand must be distinct from the remaining operands for this operator or function; "
            "operator: =, first operand: [a]",
        ),
        (
            "a.b IN (c, a.b)",
            None,
            "The first operand must be distinct from the remaining operands for this operator or function; "
            "operator: IN, first operand: [a, b]",
        ),
        (
            "contains(a, a)",
            None,
            "The first operand must be distinct from the remaining operands for this operator or function; "
            "operator: contains, first operand: [a]",
        ),
    ],
)
def test_resolution_checks(expr: str, values: Any, expected: str) -> None:
    assert cond(expr, values=values) == f"Invalid ConditionExpression: {expected}"


def test_in_accepts_one_hundred_operands() -> None:
    compile_expressions(names=None, values=V1, condition="a IN (" + ",".join([":v"] * 100) + ")")


@pytest.mark.parametrize(
    ("expr", "values", "expected"),
    [
        (
            "SET a = :v + :w",
            {":v": {"N": "5"}, ":w": {"S": "x"}},
            OPERAND_TYPE + "+, operand type: S",
        ),
        (
            "SET a = list_append(l, :v)",
            V1,
            OPERAND_TYPE + "list_append, operand type: N",
        ),
        (
            "SET a = if_not_exists(:v, a)",
            V1,
            "Operator or function requires a document path; operator or function: if_not_exists",
        ),
        (
            "SET a = if_not_exists(a)",
            None,
            "Incorrect number of operands for operator or function; operator or function: if_not_exists, "
            "number of operands: 1",
        ),
        (
            "ADD a :v",
            {":v": {"S": "5"}},
            "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, "
            "typeSet: ALLOWED_FOR_ADD_OPERAND",
        ),
        (
            "ADD a :v",
            {":v": {"M": {}}},
            "Incorrect operand type for operator or function; operator: ADD, operand type: MAP, "
            "typeSet: ALLOWED_FOR_ADD_OPERAND",
        ),
        (
            "DELETE a :v",
            V1,
            "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, "
            "typeSet: ALLOWED_FOR_DELETE_OPERAND",
        ),
        (
            "REMOVE a, a",
            None,
            "Two document paths overlap with each other; must remove or rewrite one of these paths; "
            "path one: [a], path two: [a]",
        ),
        (
            "REMOVE a.b, a",
            None,
            "Two document paths overlap with each other; must remove or rewrite one of these paths; "
            "path one: [a, b], path two: [a]",
        ),
        (
            "SET a[1] = :v, a.b = :v",
            V1,
            "Two document paths conflict with each other; must remove or rewrite one of these paths; "
            "path one: [a, [1]], path two: [a, b]",
        ),
        (
            "SET a = :v, b = :v, c = :v REMOVE a",
            V1,
            "Two document paths overlap with each other; must remove or rewrite one of these paths; "
            "path one: [a], path two: [c]",
        ),
        # Actions are checked last to first: the later clause's error wins.
        (
            "SET a = :v + :q REMOVE b ADD c :w",
            {":v": {"N": "1"}, ":w": {"S": "x"}},
            "Incorrect operand type for operator or function; operator: ADD, operand type: STRING, "
            "typeSet: ALLOWED_FOR_ADD_OPERAND",
        ),
        (
            "ADD c :w REMOVE b SET a = :v + :q",
            {":v": {"N": "1"}, ":w": {"S": "x"}},
            "An expression attribute value used in expression is not defined; attribute value: :q",
        ),
        # Target paths and their overlaps come before any operand.
        (
            "SET a = :q, a = :q",
            None,
            "Two document paths overlap with each other; must remove or rewrite one of these paths; "
            "path one: [a], path two: [a]",
        ),
        (
            "SET a = :v, a = :v, #q = :v",
            V1,
            "An expression attribute name used in the document path is not defined; attribute name: #q",
        ),
    ],
)
def test_update_resolution_checks(expr: str, values: Any, expected: str) -> None:
    assert message(update=expr, values=values) == f"Invalid UpdateExpression: {expected}"


def test_projection_checks() -> None:
    assert message(projection="a, a.b") == (
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite "
        "one of these paths; path one: [a], path two: [a, b]"
    )
    assert message(projection="a.b, a[0]") == (
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite "
        "one of these paths; path one: [a, b], path two: [a, [0]]"
    )
    assert message(projection="#a, #b").endswith("attribute name: #b")  # paths are visited last to first


def test_expression_order_across_a_request() -> None:
    # UpdateItem: the update expression first, then the condition.
    assert message(update="SET a = :x", condition="a = = c").startswith("Invalid UpdateExpression")
    assert message(update="SET a = :x", condition="#n = :x", values={":x": {"N": "1"}}).startswith(
        "Invalid ConditionExpression"
    )
    # Query: the filter, then the projection, then the key condition.
    assert message(key_condition="pk = = :v", filter="a = = :v", projection="a,").startswith(
        "Invalid FilterExpression"
    )
    assert message(key_condition="pk = = :v", projection="a,").startswith("Invalid ProjectionExpression")
    assert message(key_condition="pk = :v OR a = :v", filter="a = a", values={":v": {"S": "a"}}).startswith(
        "Invalid FilterExpression: The first operand must be distinct"
    )


# ------------------------------------------------------------------------------------------ key conditions


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("pk = :v OR sk = :v", "Invalid operator used in KeyConditionExpression: OR"),
        ("NOT pk = :v", "Invalid operator used in KeyConditionExpression: NOT"),
        ("pk = :v AND sk <> :v", "Invalid operator used in KeyConditionExpression: <>"),
        ("pk = :v AND sk IN (:v)", "Invalid operator used in KeyConditionExpression: IN"),
        (
            "pk = :v AND attribute_exists(sk)",
            "Invalid operator used in KeyConditionExpression: attribute_exists",
        ),
        ("pk = :v AND (sk = :v OR sk = :v)", "Invalid operator used in KeyConditionExpression: OR"),
        ("pk = :v AND size(sk) = :v", "KeyConditionExpressions cannot contain nested operations"),
        ("pk = :v AND pk = :v", "KeyConditionExpressions must only contain one condition per key"),
        (
            "pk = :v AND sk > :v AND sk < :v",
            "KeyConditionExpressions must only contain one condition per key",
        ),
        # Condition by condition (DynamoDB Local): a repeated key wins over a later condition's fault, and
        # an earlier condition's fault wins over a later repetition.
        (
            "pk = :v AND pk = :v AND :v = :v",
            "KeyConditionExpressions must only contain one condition per key",
        ),
        (
            "pk = :v AND pk = :v AND sk <> :v",
            "KeyConditionExpressions must only contain one condition per key",
        ),
        (
            "pk = :v AND (pk = :v AND size(sk) = :v)",
            "KeyConditionExpressions must only contain one condition per key",
        ),
        (
            "(pk = :v AND :v = :v) AND pk = :v",
            "Invalid condition in KeyConditionExpression: No key attribute specified",
        ),
        (
            "pk = :v AND sk = :v AND x = :v AND :v = :v",
            "Invalid condition in KeyConditionExpression: No key attribute specified",
        ),
        (
            "pk = sk",
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "pk = :v AND pk = sk",
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "pk BETWEEN sk AND size(sk)",
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        ("pk = size(sk)", "KeyConditionExpressions cannot contain nested operations"),
        (":v = :v", "Invalid condition in KeyConditionExpression: No key attribute specified"),
        (
            "pk = :v AND :v BETWEEN sk AND :v",
            "Invalid condition in KeyConditionExpression: BETWEEN operator must "
            "have the key attribute as its first operand",
        ),
        (
            "pk = :v AND begins_with(:v, sk)",
            "Invalid condition in KeyConditionExpression: begins_with operator "
            "must have the key attribute as its first operand",
        ),
    ],
)
def test_key_condition_shape(expr: str, expected: str) -> None:
    assert message(key_condition=expr, values={":v": {"S": "a"}}) == expected


def plan(expr: str, values: dict[str, Any], range_name: str | None = "sk") -> Any:
    compiled = compile_expressions(names=None, values=values, key_condition=expr)
    assert compiled.key_condition is not None
    return compiled.key_condition.plan("pk", range_name)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("sk = :w", "Query condition missed key schema element: pk"),
        ("x = :v AND y = :v", "Query condition missed key schema element: pk"),
        ("pk = :v AND x = :w", "Query condition missed key schema element: sk"),
        ("pk < :v", "Query key condition not supported"),
        ("begins_with(pk, :v)", "Query key condition not supported"),
        # Counted once the key schema is known (a multi-attribute index key takes up to eight).
        ("pk = :v AND sk = :v AND x = :v", "Conditions can be of length 1 or 2 only"),
        (
            "pk.x = :v",
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
            "allowed: Key: pk",
        ),
        (
            "pk[0] = :v",
            "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
            "allowed: Key: pk",
        ),
    ],
)
def test_key_condition_plan_errors(expr: str, expected: str) -> None:
    values = {key: value for key, value in {":v": {"S": "a"}, ":w": {"N": "1"}}.items() if key in expr}
    with pytest.raises(DynamoDBError) as info:
        plan(expr, values)
    assert info.value.message == expected


def test_nested_key_attributes_are_refused_first_with_the_schema() -> None:
    compiled = compile_expressions(names=None, values=None, key_condition="contains(pk, sk.x)")
    assert compiled.key_condition is not None  # which attribute is a key is known only to plan()
    with pytest.raises(DynamoDBError) as info:
        compiled.key_condition.plan("pk", "sk")
    assert info.value.message == (
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: sk"
    )
    with pytest.raises(DynamoDBError) as info:
        compiled.key_condition.plan("pk", None)
    assert info.value.message == "Invalid operator used in KeyConditionExpression: contains"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("pk < :n", "type"),
        ("pk < :s", "Query key condition not supported"),
        ("pk = :n AND x = :s", "type"),
        ("pk = :s AND x < :n", "Query condition missed key schema element: sk"),
        ("sk = :s", "Query condition missed key schema element: pk"),
        ("pk = :s AND begins_with(sk, :s)", "type"),
        ("pk = :s AND sk BETWEEN :s AND :s2", "type"),
    ],
)
def test_key_value_types_in_dynamodbs_order(expr: str, expected: str) -> None:
    values = {":n": {"N": "1"}, ":s": {"S": "a"}, ":s2": {"S": "b"}}
    compiled = compile_expressions(
        names=None, values={k: v for k, v in values.items() if re.search(f"{k}\\b", expr)}, key_condition=expr
    )
    assert compiled.key_condition is not None
    with pytest.raises(DynamoDBError) as info:
        compiled.key_condition.plan("pk", "sk", types={"pk": "S", "sk": "N"})
    mismatch = (
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    )
    assert info.value.message == (mismatch if expected == "type" else expected)


def test_key_condition_plans() -> None:
    values = {":v": {"S": "a"}, ":w": {"N": "1"}, ":x": {"N": "2"}, ":p": {"S": "ab"}}
    only_hash = plan("pk = :v", {":v": values[":v"]})
    assert (only_hash.partition, only_hash.sort_op, only_hash.sort_values) == ({"S": "a"}, None, ())
    assert plan("pk = :v", {":v": values[":v"]}, None).sort_op is None
    result = plan("sk BETWEEN :w AND :x AND pk = :v", {k: values[k] for k in (":v", ":w", ":x")})
    assert (result.partition, result.sort_op, result.sort_values) == (
        {"S": "a"},
        "BETWEEN",
        ({"N": "1"}, {"N": "2"}),
    )
    assert plan(":v = pk AND :w < sk", {k: values[k] for k in (":v", ":w")}).sort_op == ">"
    assert plan(":v = pk AND :w >= sk", {k: values[k] for k in (":v", ":w")}).sort_op == "<="
    prefix = plan("pk = :v AND begins_with(sk, :p)", {k: values[k] for k in (":v", ":p")})
    assert (prefix.sort_op, prefix.sort_values) == ("begins_with", ({"S": "ab"},))
    assert plan("(pk = :v) AND (sk = :w)", {k: values[k] for k in (":v", ":w")}).sort_op == "="


# ------------------------------------------------------------------------------------------ cache


def test_parses_are_cached() -> None:
    parse_expression.cache_clear()
    text = "#s = :v AND size(l) > :v"
    for number in range(5):  # other values each time: the request differs, the parse does not
        compile_expressions(names={"#s": "status"}, values={":v": {"N": str(number)}}, condition=text)
    info = parse_expression.cache_info()
    assert (info.misses, info.hits) == (1, 4)
    # Placeholders resolve per request: the same cached text works with other names and values.
    compiled = compile_expressions(names={"#s": "x"}, values={":v": {"N": "0"}}, condition=text)
    assert compiled.condition is not None and compiled.condition.attribute_names() == {"x", "l"}
    assert parse_expression.cache_info().hits == 5


def test_whole_requests_are_cached() -> None:
    request: dict[str, Any] = {
        "names": {"#n": "name"},
        "values": {":v": {"N": "1.50"}},
        "update": "SET #n = :v",
    }
    first = compile_expressions(**request)
    again = compile_expressions(names={"#n": "name"}, values={":v": {"N": "1.50"}}, update="SET #n = :v")
    assert again is first
    other = compile_expressions(names={"#n": "name"}, values={":v": {"N": "2"}}, update="SET #n = :v")
    assert other is not first
    assert other.update is not None
    assert other.update.apply({}, ()).new_item == {"name": {"N": "2"}}
    # A bad request is never cached: it fails every time.
    for _ in range(2):
        with pytest.raises(DynamoDBError):
            compile_expressions(names={"#n": "name"}, values=None, update="SET #n = :v")


def test_bad_input_types_never_crash() -> None:
    bad_values: list[Any] = ["not an attribute value", {"S": 5}, {"BOOL": "yes"}]
    for bad in bad_values:
        with pytest.raises(DynamoDBError) as info:
            compile_expressions(names=None, values={":v": bad}, condition="a = :v")
        assert info.value.code == "SerializationException"
    with pytest.raises(DynamoDBError) as info:
        compile_expressions(names=None, values={":v": {"S": 5}}, condition="a = :v")
    assert info.value.code == "SerializationException"


def test_size_limits() -> None:
    assert cond("a = :v" + " " * 4091, values=V1) == (
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
        "expression size: 4097"
    )
    compile_expressions(names=None, values=V1, condition="a = :v" + " " * 4090)
    assert message(update="SET a" + ".b" * 32 + " = :v", values=V1) == (
        "Invalid UpdateExpression: The document path has too many nesting levels; nesting levels: 33"
    )
    compile_expressions(names=None, values=V1, condition="a" + ".b" * 31 + " = :v")
    assert cond("status" + ".b" * 32 + " = :v", values=V1).endswith("reserved keyword: status")
    long_value = ":" + "v" * 255
    assert cond("a = " + long_value, values={long_value: {"N": "1"}}) == (
        "ExpressionAttributeValues contains invalid key: The expression attribute map contains a key "
        "that is too long;"
    )
    long_name = "#" + "v" * 255
    assert cond(long_name + " = :v", names={long_name: "a"}, values=V1) == (
        "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key "
        "that is too long; size of key: 256"
    )
    assert cond("#a = :v", names={"#a": "é" * 32768}, values=V1) == (
        "ExpressionAttributeNames contains invalid value: Attribute name is too large, must be less than "
        "65536 bytes for key #a"
    )
    compile_expressions(names={"#a": "x" * 65535}, values=V1, condition="#a = :v")


FUZZ_TOKENS = st.sampled_from(
    [
        "a",
        "b",
        "#n",
        ":v",
        ":w",
        "(",
        ")",
        "[",
        "]",
        "0",
        "7",
        ".",
        ",",
        "=",
        "<",
        "<>",
        ">=",
        "+",
        "-",
        "AND",
        "OR",
        "NOT",
        "BETWEEN",
        "IN",
        "SET",
        "REMOVE",
        "ADD",
        "DELETE",
        "size",
        "contains",
        "begins_with",
        "attribute_exists",
        "attribute_type",
        "if_not_exists",
        "list_append",
        "status",
        "é",
        "'",
    ]
)
FUZZ_VALUES: st.SearchStrategy[Any] = st.sampled_from(
    [
        {"N": "1"},
        {"S": "x"},
        {"L": [{"N": "2"}]},
        {"SS": ["x"]},
        {"NS": ["1"]},
        {"M": {}},
        {"BOOL": True},
        {"NULL": True},
        {"B": b"\x01"},
        {},
        {"N": "x"},
        {"S": 1},
        "junk",
        None,
    ]
)
FUZZ_OPERANDS = st.sampled_from(["a", "b[0]", "#n.a", ":v", ":w", "size(b)", "n", "nope", "b[9]"])
SHAPES = [
    "{0} = {1}",
    "{0} < {1} AND NOT {2} >= {3}",
    "{0} BETWEEN {1} AND {2}",
    "{0} IN ({1}, {2}, {3})",
    "contains({0}, {1}) OR begins_with({2}, {3})",
    "attribute_type({0}, {1})",
    "SET {0} = {1} + {2} REMOVE {3}",
    "SET {0} = list_append({1}, {2}) ADD {3} :v",
    "SET {0} = if_not_exists({1}, {2}) DELETE {3} :w",
    "{0}, {1}, {2}",
    "pk = {0} AND {1} > {2}",
]
FUZZ_ITEM: dict[str, Any] = {
    "pk": {"S": "k"},
    "a": {"N": "1"},
    "b": {"L": [{"S": "x"}]},
    "n": {"M": {"a": {"N": "2"}}},
}


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["condition", "filter", "key_condition", "projection", "update"]),
    tokens=st.one_of(
        st.lists(FUZZ_TOKENS, max_size=12),
        st.tuples(st.sampled_from(SHAPES), st.lists(FUZZ_OPERANDS, min_size=4, max_size=4)).map(
            lambda t: [t[0].format(*t[1])]
        ),
    ),
    v=FUZZ_VALUES,
    w=FUZZ_VALUES,
    with_names=st.booleans(),
)
def test_fuzzed_requests_only_raise_dynamodb_errors(
    kind: str, tokens: list[str], v: Any, w: Any, with_names: bool
) -> None:
    text = " ".join(tokens)
    names = {"#n": "n"} if with_names or "#n" in text else None
    values = {key: value for key, value in ((":v", v), (":w", w)) if key in text} or None
    try:
        compiled = compile_expressions(names=names, values=values, **{kind: text})
        if compiled.condition is not None:
            compiled.condition.evaluate(FUZZ_ITEM)
        if compiled.filter is not None:
            compiled.filter.evaluate(FUZZ_ITEM)
            compiled.filter.attribute_names()
        if compiled.projection is not None:
            compiled.projection.apply(FUZZ_ITEM)
        if compiled.update is not None:
            compiled.update.apply(FUZZ_ITEM, ("pk",))
        if compiled.key_condition is not None:
            compiled.key_condition.plan("pk", "a", types={"pk": "S", "a": "N"})
    except DynamoDBError:
        pass
