"""Expressions: conditions, filters, projections, key conditions and updates, valid and invalid, vs Local."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conformance.harness import B, Call, Case, Differential, N, S, call, get, put, run_case, table_spec

T = table_spec("t", ("pk", "S"), ("sk", "N"))
KEY = {"pk": S("a"), "sk": N(1)}
SEED: dict[str, Any] = {
    **KEY,
    "s": S("hello"),
    "n": N(5),
    "b": B(b"\x01\x02"),
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"\x01"]},
    "l": {"L": [N(1), S("two"), {"M": {"c": S("deep")}}]},
    "m": {"M": {"a": {"M": {"b": {"L": [S("x"), {"M": {"c": S("deeper")}}]}}}, "k": N(7)}},
    "status": S("active"),
    "dotted.name": S("dot"),
    "e": S(""),
}
VALUES = {
    ":s": S("hello"),
    ":n": N(5),
    ":one": N(1),
    ":nine": N(9),
    ":x": S("x"),
    ":h": S("he"),
    ":a": S("a"),
    ":l": {"L": [N(4)]},
    ":ss": {"SS": ["c"]},
    ":ns": {"NS": ["3"]},
    ":typeS": S("S"),
    ":typeBad": S("STRING"),
    ":t": {"BOOL": True},
    ":empty": S(""),
    ":fivezero": N("5.00"),
    ":onezero": N("1.0"),
    ":ssba": {"SS": ["b", "a"]},
    ":nsone": {"NS": ["1.0", "3"]},
    ":big": N("9.9999999999999999999999999999999999999E+125"),
    ":tiny": N("1E-130"),
    ":d38": N("0.0000000000000000000000000000000000001"),
    ":e37": N("1E+37"),
}


def _placeholders(text: str, names: dict[str, str] | None, values: dict[str, Any] | None) -> dict[str, Any]:
    """Only the placeholders the expression mentions, so valid cases have none unused."""
    out: dict[str, Any] = {}
    mentioned = set(re.findall(r":[A-Za-z0-9_]+", text))
    if values is not None:
        out["ExpressionAttributeValues"] = values
    elif mentioned & set(VALUES):
        out["ExpressionAttributeValues"] = {k: v for k, v in VALUES.items() if k in mentioned}
    if names:
        out["ExpressionAttributeNames"] = names
    return out


def condition(
    text: str, expect: str = "ok", names: dict[str, str] | None = None, values: dict[str, Any] | None = None
) -> Case:
    """A ConditionExpression on PutItem over the seed item (a failed condition returns the old item)."""
    request = {
        "TableName": "t",
        "Item": {**KEY, "v": S("new")},
        "ConditionExpression": text,
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        **_placeholders(text, names, values),
    }
    return Case(f"condition: {text}", [put(SEED), Call("put_item", request, expect), get(KEY)], tables=[T])


def filtered(
    text: str, expect: str = "ok", names: dict[str, str] | None = None, query_expect: str | None = None
) -> Case:
    """A FilterExpression on Scan and on Query over three items (one the seed)."""
    others = [
        {"pk": S("a"), "sk": N(2), "s": S("help"), "n": N(9), "l": {"L": []}},
        {"pk": S("b"), "sk": N(1), "n": N(-1), "m": {"M": {"k": N(7)}}},
    ]
    extra = _placeholders(text, names, None)
    scan = call("scan", expect, unordered=True, TableName="t", FilterExpression=text, **extra)
    query_values = {**extra.get("ExpressionAttributeValues", {}), ":pk": S("a")}
    query = call(
        "query",
        query_expect or expect,
        TableName="t",
        KeyConditionExpression="pk = :pk",
        FilterExpression=text,
        **{**extra, "ExpressionAttributeValues": query_values},
    )
    return Case(f"filter: {text}", [put(SEED), *(put(o) for o in others), scan, query], tables=[T])


def projection(text: str, expect: str = "ok", names: dict[str, str] | None = None) -> Case:
    request: dict[str, Any] = {
        "ProjectionExpression": text,
        **({"ExpressionAttributeNames": names} if names else {}),
    }
    return Case(f"projection: {text}", [put(SEED), get(KEY, expect, **request)], tables=[T])


def update(
    text: str,
    expect: str = "ok",
    names: dict[str, str] | None = None,
    returns: str = "ALL_NEW",
    key: dict[str, Any] | None = None,
) -> Case:
    request = {
        "TableName": "t",
        "Key": key or KEY,
        "UpdateExpression": text,
        "ReturnValues": returns,
        **_placeholders(text, names, None),
    }
    return Case(
        f"update: {text} [{returns}]", [put(SEED), Call("update_item", request, expect), get(KEY)], [T]
    )


def key_condition(text: str, expect: str = "ok", **more: Any) -> Case:
    values = {":p": S("a"), ":lo": N(0), ":hi": N(3), ":one": N(1), ":pre": S("1"), ":x": S("x")}
    used = {k: v for k, v in values.items() if k in text}
    query = call(
        "query", expect, TableName="t", KeyConditionExpression=text, ExpressionAttributeValues=used, **more
    )
    items = [put({"pk": S("a"), "sk": N(i)}) for i in range(4)]
    return Case(f"key condition: {text}", [*items, query], tables=[T])


V = "ValidationException"
CCF = "ConditionalCheckFailedException"

CONDITIONS = [
    condition("s = :s"),
    condition("s <> :s", CCF),
    condition("n < :nine"),
    condition("n <= :n"),
    condition("n > :nine", CCF),
    condition("n >= :n"),
    condition("s < :n", CCF),
    condition("n BETWEEN :one AND :nine"),
    condition("n BETWEEN :nine AND :one", V),
    condition("s BETWEEN :a AND :x"),
    condition("n BETWEEN :a AND :nine", V),
    condition("n IN (:one, :n, :nine)"),
    condition("n IN (:one)", CCF),
    condition(
        "n IN (" + ", ".join(f":v{i}" for i in range(100)) + ")", values={f":v{i}": N(i) for i in range(100)}
    ),
    condition(
        "n IN (" + ", ".join(f":v{i}" for i in range(101)) + ")",
        V,
        values={f":v{i}": N(i) for i in range(101)},
    ),
    condition("attribute_exists(s)"),
    condition("attribute_exists(nope)", CCF),
    condition("attribute_not_exists(nope)"),
    condition("attribute_not_exists(pk)", CCF),
    condition("attribute_exists(m.a.b[1].c)"),
    condition("attribute_exists(l[5])", CCF),
    condition("attribute_exists(#d)", names={"#d": "dotted.name"}),
    condition("attribute_exists(dotted.name)", V),
    condition("attribute_type(s, :typeS)"),
    condition("attribute_type(n, :typeS)", CCF),
    condition("attribute_type(s, :typeBad)", V),
    condition("attribute_type(s, :n)", V),
    condition("begins_with(s, :h)"),
    condition("begins_with(s, :n)", V),
    condition("begins_with(n, :h)", CCF),
    condition("begins_with(b, :x)", CCF),
    condition("contains(s, :h)"),
    condition("contains(ss, :a)"),
    condition("contains(ns, :one)"),
    condition("contains(l, :one)"),
    condition("contains(ss, :ss)", CCF),
    condition("contains(n, :one)", CCF),
    condition("size(s) = :n"),
    condition("size(b) < :n"),
    condition("size(ss) = :one", CCF),
    condition("size(l) > :one"),
    condition("size(m) = :one", CCF),
    condition("size(n) = :one", CCF),
    condition("size(nope) = :one", CCF),
    condition("size(s) = size(s)"),
    condition("size(:s) = :n"),
    condition("NOT s = :s", CCF),
    condition("NOT s = :s OR n = :n"),
    condition("NOT (s = :s OR n = :n)", CCF),
    condition("s = :x AND n = :n OR t = :t"),
    condition("s = :x AND (n = :n OR t = :t)", CCF),
    condition("s = :s OR n = :one AND t = :x"),
    condition("((s = :s))", V),
    condition("e = :empty"),
    condition("n = :fivezero"),
    condition("contains(ns, :onezero)"),
    condition("ss = :ssba"),
    condition("n IN (:fivezero)"),
    condition("n BETWEEN :onezero AND :fivezero"),
    condition("m.a.b[0] = :x"),
    condition("l[1] = :x", CCF),
    condition("#st = :s", CCF, names={"#st": "status"}),
    condition("status = :s", V),
    condition("name = :s", V),
    condition("data = :s", V),
    condition("size = :s", CCF),
    condition("#nope = :s", V),
    condition("s = :nope", V),
    condition("s = :s", V, names={"#unused": "s"}),
    condition("s = :s", V, values={":s": S("hello"), ":unused": S("x")}),
    condition("s = :s", V, values={}),
    condition("attribute_exists(s)", V, values={}),
    condition("s =", V),
    condition("s == :s", V),
    condition("(s = :s", V),
    condition("s = :s)", V),
    condition("s = :s AND", V),
    condition("foo(s)", V),
    condition("attribute_exists()", V),
    condition("attribute_exists(s, n)", V),
    condition("begins_with(s)", V),
    condition("s", V),
    condition("s = :s + :n", V),
    condition(":s = :s"),
    condition("s = s", V),
    condition("l[-1] = :one", V),
    condition("l[a] = :one", V),
    condition("m. = :one", V),
    condition("", V),
    condition("   ", V),
    condition("s = :s", V, names={"noHash": "s"}),
    condition("#s = :s", V, names={"#s": ""}),
]

FILTERS = [
    filtered("n > :one"),
    filtered("attribute_exists(l) AND size(l) = :one", "ok"),
    filtered("begins_with(s, :h)"),
    filtered("NOT contains(s, :x)"),
    filtered("m.k = :n OR n < :one"),
    filtered("pk = :a", query_expect=V),
    filtered("sk = :one", query_expect=V),
    filtered("attribute_type(n, :typeS)"),
    filtered("n BETWEEN :nine AND :one", V),
    filtered("nope = :nope", V),
]

PROJECTIONS = [
    projection("s, n"),
    projection("m.a.b[1].c, l[0], l[2].c"),
    projection("l[7], nope, m.zz"),
    projection("#st, #d", names={"#st": "status", "#d": "dotted.name"}),
    projection("status", V),
    projection("m, m.a", V),
    projection("l[0], l[0]", V),
    projection("m.a, m[0]", V),
    projection("s,", V),
    projection("#nope", V),
    projection("s", V, names={"#unused": "x"}),
    projection("pk"),
]

UPDATES = [
    update("SET v = :s"),
    update("SET n = n + :one"),
    update("SET n = n - :nine"),
    update("SET n = :one + :nine"),
    update("SET s = s + :one", V),
    update("SET n = nope + :one", V),
    update("SET n = if_not_exists(n, :one)"),
    update("SET w = if_not_exists(w, :one)"),
    update("SET l = list_append(l, :l)"),
    update("SET l = list_append(:l, l)"),
    update("SET w = list_append(w, :l)", V),
    update("SET s = list_append(s, :l)", V),
    update("SET l[1] = :x"),
    update("SET l[10] = :x"),
    update("SET m.a.b[0] = :s, m.k = :one"),
    update("SET nope.a = :s", V),
    update("SET s[0] = :s", V),
    update("SET v = :s, v = :x", V),
    update("SET v = :s SET w = :x", V),
    update("SET m.a = :s, m = :x", V),
    update("SET m.a = :s, m[0] = :x", V),
    update("SET l[0] = :s REMOVE l", V),
    update("REMOVE s, n"),
    update("REMOVE l[0], l[2]"),
    update("REMOVE l[5]"),
    update("REMOVE m.a.b[1].c"),
    update("REMOVE nope"),
    update("REMOVE s, s", V),
    update("ADD n :one"),
    update("ADD w :one"),
    update("ADD ss :ss, ns :ns"),
    update("ADD ss :ns", V),
    update("ADD s :one", V),
    update("ADD l :l", V),
    update("ADD m.k :one"),
    update("DELETE ss :ss"),
    update("DELETE ss :a", V),
    update("DELETE n :one", V),
    update("DELETE nope :ss"),
    update("SET pk = :s", V),
    update("REMOVE sk", V),
    update("ADD sk :one", V),
    update("SET #st = :x REMOVE s ADD n :one DELETE ss :ss", names={"#st": "status"}),
    update("REMOVE s SET v = :s"),
    update("SET v = :s", returns="UPDATED_OLD"),
    update("SET n = n + :one", returns="UPDATED_OLD"),
    update("SET n = n + :one", returns="UPDATED_NEW"),
    update("SET n = n + :one", returns="ALL_OLD"),
    update("SET n = n + :one", returns="NONE"),
    update("SET v = :s", returns="BOGUS", expect=V),
    update("SET v = :s", key={"pk": S("new"), "sk": N(9)}),
    update("SET", V),
    update("SET v", V),
    update("SET v = ", V),
    update("REMOVE", V),
    update("DELETE ss", V),
    update("FROB v", V),
    update("SET status = :s", V),
    update("SET v = :nope", V),
    update("SET v = :s", V, names={"#unused": "x"}),
    update("SET v = size(s)", V),
    update("SET v = :ss, w = :ns, x = :empty"),
    update("SET n = n + :big", V),
    update("SET n = :big + :big", V),
    update("SET n = n - :big - :big", V),
    update("SET n = n + :tiny", V),
    update("SET n = n + :d38"),
    update("SET n = :e37 + :one"),
    update("SET n = :e37 + :d38", V),
    update("ADD n :tiny", V),
    update("ADD n :fivezero"),
    update("ADD ns :onezero", V),
    update("ADD ns :nsone"),
    update("DELETE ns :onezero", V),
    update("DELETE ns :nsone"),
]

KEY_CONDITIONS = [
    key_condition("pk = :p"),
    key_condition("pk = :p AND sk = :one"),
    key_condition("pk = :p AND sk < :hi"),
    key_condition("pk = :p AND sk <= :hi"),
    key_condition("pk = :p AND sk > :one"),
    key_condition("pk = :p AND sk >= :one"),
    key_condition("pk = :p AND sk BETWEEN :one AND :hi"),
    key_condition("pk = :p AND sk BETWEEN :hi AND :one", V),
    key_condition("sk = :one AND pk = :p"),
    key_condition("(pk = :p) AND (sk > :lo)"),
    key_condition("pk = :p AND begins_with(sk, :pre)", V),
    key_condition("pk = :p AND sk IN (:one)", V),
    key_condition("pk = :p OR sk = :one", V),
    key_condition("pk < :p", V),
    key_condition("pk = :p AND sk <> :one", V),
    key_condition("pk = :p AND pk = :p", V),
    key_condition("pk = :p AND sk = :one AND sk = :hi", V),
    key_condition("pk = :p AND x = :x", V),
    key_condition("pk = :one", V),
    key_condition("NOT pk = :p", V),
    key_condition("pk = :p AND attribute_exists(sk)", V),
    key_condition("pk = :p", ScanIndexForward=False),
]

ALL_CASES = CONDITIONS + FILTERS + PROJECTIONS + UPDATES + KEY_CONDITIONS


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_expressions(diff: Differential, case: Case) -> None:
    run_case(diff, case)
