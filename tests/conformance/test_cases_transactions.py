"""Transactions: TransactWriteItems and TransactGetItems against DynamoDB Local, call by call.

Covers success, cancellation reasons (with and without ReturnValuesOnConditionCheckFailure), the checks that
refuse a request outright (action shapes, expressions, placeholders, whole items, one action per item, 100
actions, 4 MB), the checks that cancel it (conditions, key-attribute updates, item size after an update),
all-or-nothing, client tokens, and transactional capacity. Consumed capacity is compared on one table per
call: DynamoDB lists tables in hash order of their names, which differ per backend here.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conformance.harness import Call, Case, Differential, N, S, call, get, run_case, table_spec

V = "ValidationException"
TC = "TransactionCanceledException"
T = table_spec("t", ("pk", "S"), ("sk", "N"))
U = table_spec("u", ("pk", "S"))
G = table_spec(
    "g",
    ("pk", "S"),
    extra_attributes=[("gk", "S")],
    gsis=[
        {
            "IndexName": "gsi1",
            "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
)


def key(pk: str = "a", sk: int = 1) -> dict[str, Any]:
    return {"pk": S(pk), "sk": N(sk)}


def put_action(pk: str = "a", sk: int = 1, table: str = "t", **attrs: Any) -> dict[str, Any]:
    item = {"pk": S(pk), **attrs} if table != "t" else {**key(pk, sk), **attrs}
    return {"Put": {"TableName": table, "Item": item}}


def check(pk: str = "a", expression: str = "attribute_exists(pk)", **more: Any) -> dict[str, Any]:
    return {"ConditionCheck": {"TableName": "t", "Key": key(pk), "ConditionExpression": expression, **more}}


def update(pk: str = "a", expression: str = "SET n = :v", **more: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"TableName": "t", "Key": key(pk), "UpdateExpression": expression}
    if ":v" in expression:
        body["ExpressionAttributeValues"] = {":v": N(1)}
    return {"Update": {**body, **more}}


def delete(pk: str = "a", **more: Any) -> dict[str, Any]:
    return {"Delete": {"TableName": "t", "Key": key(pk), **more}}


def tw(*actions: dict[str, Any], expect: str | tuple[str, str] = "ok", **more: Any) -> Call:
    return call("transact_write_items", expect, TransactItems=list(actions), **more)


def tg(*keys: dict[str, Any], expect: str | tuple[str, str] = "ok", **more: Any) -> Call:
    gets = [{"Get": {"TableName": "t", "Key": k}} for k in keys]
    return call("transact_get_items", expect, TransactItems=gets, **more)


def scan(table: str = "t") -> Call:
    return call("scan", TableName=table, unordered=True)


SEED = tw(put_action("a", n=N(5)), put_action("b", s=S("x")))

WRITES = [
    Case("put two items", [tw(put_action("a"), put_action("b")), scan()], [T]),
    Case("across tables", [tw(put_action("a"), put_action("z", table="u")), scan(), scan("u")], [T, U]),
    Case("every action kind", [SEED, tw(check("a"), update("b"), delete("c"), put_action("d")), scan()], [T]),
    Case(
        "condition failures cancel everything",
        [
            SEED,
            tw(
                put_action("c"),
                check("a", "attribute_not_exists(pk)"),
                update("b", ConditionExpression="n = :v"),
                expect=TC,
            ),
            scan(),
        ],
        [T],
    ),
    Case(
        "ALL_OLD returns the item on condition failure",
        [
            SEED,
            tw(
                check(
                    "a",
                    "n > :v",
                    ExpressionAttributeValues={":v": N(9)},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                ),
                expect=TC,
            ),
            tw(check("zz", ReturnValuesOnConditionCheckFailure="ALL_OLD"), expect=TC),
            tw(
                delete(
                    "b",
                    ConditionExpression="s = :v",
                    ExpressionAttributeValues={":v": S("y")},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                ),
                expect=TC,
            ),
        ],
        [T],
    ),
    Case(
        "one action per item",
        [
            tw(put_action("a"), delete("a"), expect=(V, "multiple operations on one item")),
            # The service refuses a check and a write on one item; DynamoDB Local runs both (allow-listed).
            tw(check("a"), update("a"), expect=TC),
            tw(put_action("a"), put_action("a", table="u"), put_action("a", 2)),
        ],
        [T, U],
    ),
    Case(
        "action shapes",
        [
            tw({}, expect=(V, "should contain Delete or Put or Update")),
            tw({**put_action("a"), **delete("b")}, expect=(V, "can only contain one of")),
        ],
        [T],
    ),
    Case(
        "expressions are checked before anything runs",
        [
            tw(put_action("q"), update("b", "SET"), expect=(V, "Syntax error")),
            tw(put_action("q"), check("a", "a ="), expect=(V, "Syntax error")),
            tw(check("a", ""), expect=(V, "can not be empty")),
            tw(
                {"Put": {"TableName": "t", "Item": key("a"), "ExpressionAttributeValues": {":v": N(1)}}},
                expect=(V, "ExpressionAttributeValues can only be specified"),
            ),
            scan(),
        ],
        [T],
    ),
    Case(
        "update errors",
        [
            SEED,
            tw(put_action("q"), update("b", "SET pk2 = s + :v"), expect=(V, "incorrect data type")),
            tw(update("b", "SET x = nothere + :v"), expect=(V, "does not exist in the item")),
            tw(
                put_action("q"),
                update("b", "SET pk = :s", ExpressionAttributeValues={":s": S("1")}),
                expect=TC,
            ),
            scan(),
        ],
        [T],
    ),
    Case(
        "item sizes",
        [
            tw(put_action("big", a=S("x" * 300 * 1024))),
            tw(
                put_action("q"),
                update("big", "SET b = :b", ExpressionAttributeValues={":b": S("y" * 300 * 1024)}),
                expect=TC,
            ),
            tw(
                put_action("q"), put_action("big2", a=S("x" * 410 * 1024)), expect=(V, "maximum allowed size")
            ),
            call("get_item", TableName="t", Key=key("q"), ConsistentRead=True),
        ],
        [T],
    ),
    Case(
        "4 MB payload",
        [
            tw(
                *[put_action(f"big{i}", a=S("x" * 390 * 1024)) for i in range(11)],
                expect=(V, "cannot exceed 4MB"),
            )
        ],
        [T],
    ),
    Case(
        "100 actions",
        [
            tw(*[put_action(str(i)) for i in range(100)]),
            tw(*[put_action(str(i)) for i in range(101)], expect=(V, "less than or equal to 100")),
        ],
        [T],
    ),
    Case(
        "missing table",
        [tw(put_action("a"), put_action("a", table="nope"), expect="ResourceNotFoundException")],
        [T],
    ),
    Case(
        "capacity is doubled",
        [
            tw(put_action("a", table="g", gk=S("x")), ReturnConsumedCapacity="INDEXES"),
            tw(
                {
                    "Update": {
                        "TableName": "g",
                        "Key": {"pk": S("a")},
                        "UpdateExpression": "SET gk = :g",
                        "ExpressionAttributeValues": {":g": S("y")},
                    }
                },
                ReturnConsumedCapacity="INDEXES",
            ),
            tw(
                {
                    "Update": {
                        "TableName": "g",
                        "Key": {"pk": S("a")},
                        "UpdateExpression": "SET gk = :g",
                        "ExpressionAttributeValues": {":g": S("z")},
                    }
                },
                ReturnConsumedCapacity="TOTAL",
            ),
            tw({"Delete": {"TableName": "g", "Key": {"pk": S("zz")}}}, ReturnConsumedCapacity="INDEXES"),
            tw(
                {
                    "ConditionCheck": {
                        "TableName": "g",
                        "Key": {"pk": S("zz")},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                ReturnConsumedCapacity="TOTAL",
            ),
            tw(put_action("big", table="g", a=S("x" * 5000)), ReturnConsumedCapacity="TOTAL"),
        ],
        [G],
    ),
]

# DynamoDB Local is shared and remembers tokens for 10 minutes: a fresh token per run.
TOKEN = str(uuid.uuid4())
TOKENS = [
    Case(
        "client token",
        [
            tw(put_action("a"), ClientRequestToken=TOKEN, ReturnConsumedCapacity="TOTAL"),
            tw(put_action("a"), ClientRequestToken=TOKEN, ReturnConsumedCapacity="TOTAL"),
            tw(put_action("a"), ClientRequestToken=TOKEN),
            tw(put_action("b"), ClientRequestToken=TOKEN, expect="IdempotentParameterMismatchException"),
            scan(),
        ],
        [T],
    ),
]

GETS = [
    Case(
        "get items",
        [
            SEED,
            tg(key("a"), key("none"), key("b")),
            call(
                "transact_get_items",
                TransactItems=[
                    {
                        "Get": {
                            "TableName": "t",
                            "Key": key("a"),
                            "ProjectionExpression": "#n",
                            "ExpressionAttributeNames": {"#n": "n"},
                        }
                    }
                ],
            ),
            tg(key("a"), key("b"), ReturnConsumedCapacity="INDEXES"),
            tg(key("a"), key("none"), ReturnConsumedCapacity="TOTAL"),
        ],
        [T],
    ),
    Case(
        "get refusals",
        [
            tg(key("a"), key("a"), expect=(V, "multiple operations on one item")),
            tg(*[key(str(i)) for i in range(101)], expect=(V, "less than or equal to 100")),
            call(
                "transact_get_items",
                "ResourceNotFoundException",
                TransactItems=[{"Get": {"TableName": "nope", "Key": key("a")}}],
            ),
        ],
        [T],
    ),
]

ALL_CASES = [*WRITES, *TOKENS, *GETS]


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_transactions(diff: Differential, case: Case) -> None:
    """Each case's calls answer the same on DynamoDB Local and the emulator (or as an allow-listed quirk)."""
    run_case(diff, case)


def test_token_outlives_a_failed_attempt(diff: Differential) -> None:
    """A failed transaction does not claim its token: the same token may then succeed."""
    diff.create_table(setup=True, **T)
    token = str(uuid.uuid4())
    diff.call("transact_write_items", expect=TC, TransactItems=[check("a")], ClientRequestToken=token)
    diff.call("transact_write_items", expect=TC, TransactItems=[check("a")], ClientRequestToken=token)
    diff.call("transact_write_items", expect="ok", TransactItems=[put_action("a")], ClientRequestToken=token)
    diff.call("get_item", expect="ok", TableName="t", Key=key("a"), ConsistentRead=True)


def test_get_after_write(diff: Differential) -> None:
    """What a transaction wrote is what a transactional read returns."""
    diff.create_table(setup=True, **T)
    run_case(diff, Case("seed", [SEED, get(key("a")), tg(key("a"), key("b"))]))
