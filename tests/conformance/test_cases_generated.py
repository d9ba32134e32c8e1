"""Hypothesis-generated differential cases: random items, random valid and invalid expressions, and random
operation sequences on one small table, each compared step by step against DynamoDB Local.

Each test builds one differential (one table per backend) and lets Hypothesis drive it; both backends see
the same requests in the same order, so their states stay equal as long as they answer alike. Shrinking is
off: a shrink replays many requests against DynamoDB Local, and the first failing step already prints the
request and a diff of both answers. ``max_examples`` stays modest to keep the whole suite under two minutes,
and examples are derandomized (fixed per test) unless ``THEORYDB_CONFORMANCE_EXPLORE=1``.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conformance.conftest import DiffFactory
from tests.conformance.harness import Differential, N, S, table_spec
from theorydb_mocks.strategies import (
    attribute_values,
    condition_expressions,
    invalid_expressions,
    items,
    key_values,
    keys,
    update_expressions,
)

T = table_spec("t", ("pk", "S"), ("sk", "N"))
SCHEMA: dict[str, Any] = {"pk": "S", "sk": "N"}
# Derandomized by default, so the match rate of two runs can be compared; set
# THEORYDB_CONFORMANCE_EXPLORE=1 to draw fresh examples (and let the Hypothesis database keep failures).
RUN = settings(
    max_examples=30,
    deadline=None,
    derandomize=os.environ.get("THEORYDB_CONFORMANCE_EXPLORE") != "1",
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# The seed items expressions are evaluated against; their values guide the typed operands.
SEED: list[dict[str, Any]] = [
    {
        "pk": S("p"),
        "sk": N(1),
        "s": S("hello"),
        "n": N(5),
        "l": {"L": [N(1), S("x")]},
        "m": {"M": {"a": N(1), "b": S("y")}},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2"]},
        "bs": {"BS": [b"\x00"]},
        "flag": {"BOOL": True},
    },
    {"pk": S("p"), "sk": N(2), "s": S("help"), "n": N(-3), "l": {"L": []}, "m": {"M": {"a": S("1")}}},
    {"pk": S("p"), "sk": N(3), "n": N("1E+10"), "ss": {"SS": ["c"]}, "flag": {"BOOL": False}},
    {"pk": S("q"), "sk": N(1), "s": S(""), "m": {"M": {}}},
]
ATTRIBUTES: dict[str, Any] = {name: value for item in reversed(SEED) for name, value in item.items()}
NON_KEY = {name: value for name, value in ATTRIBUTES.items() if name not in SCHEMA}


def _seeded(diff: Differential) -> None:
    diff.create_table(setup=True, **T)
    for item in SEED:
        diff.call("put_item", TableName="t", Item=item)


def test_random_items_round_trip(make_diff: DiffFactory) -> None:
    with make_diff("random-values") as diff:
        diff.create_table(setup=True, **T)

        @RUN
        @given(items(SCHEMA, max_attributes=6))
        def check(item: dict[str, Any]) -> None:
            diff.call("put_item", TableName="t", Item=item, ReturnValues="ALL_OLD", expect="ok")
            key = {name: item[name] for name in SCHEMA}
            diff.call("get_item", TableName="t", Key=key, ConsistentRead=True)

        check()


def test_random_items_near_the_size_limit(make_diff: DiffFactory) -> None:
    with make_diff("random-values") as diff:
        diff.create_table(setup=True, **T)

        @settings(RUN, max_examples=8)
        @given(items(SCHEMA, max_attributes=3, near_limit=True), st.integers(-40, 40))
        def check(item: dict[str, Any], delta: int) -> None:
            pad = item["pad"]["S"]
            item["pad"] = S(pad + "p" * delta if delta > 0 else pad[: len(pad) + delta])
            diff.call("put_item", TableName="t", Item=item)

        check()


NUMBERISH = st.one_of(st.text(alphabet="0123456789.eE+- ", max_size=12), st.text(max_size=4))


def test_random_number_spellings(make_diff: DiffFactory) -> None:
    with make_diff("random-values") as diff:
        diff.create_table(setup=True, **T)

        @RUN
        @given(NUMBERISH, keys(SCHEMA))
        def check(text: str, key: dict[str, Any]) -> None:
            diff.call("put_item", TableName="t", Item={**key, "n": {"N": text}})
            diff.call("get_item", TableName="t", Key=key, ConsistentRead=True)

        check()


def test_random_valid_filters(make_diff: DiffFactory) -> None:
    with make_diff("random-expressions") as diff:
        _seeded(diff)

        @RUN
        @given(condition_expressions(NON_KEY))
        def check(expression: Any) -> None:
            request = expression.request("FilterExpression")
            diff.call("scan", TableName="t", unordered=True, expect="ok", **request)

        check()


def test_random_valid_conditions(make_diff: DiffFactory) -> None:
    with make_diff("random-expressions") as diff:
        _seeded(diff)

        @RUN
        @given(condition_expressions(ATTRIBUTES), st.sampled_from(SEED))
        def check(expression: Any, item: dict[str, Any]) -> None:
            outcome = diff.call(
                "put_item",
                TableName="t",
                Item=item,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **expression.request("ConditionExpression"),
            )
            # The strategy promises valid conditions: only a failed check may be an error.
            assert outcome.ok or outcome.code == "ConditionalCheckFailedException", outcome.render()

        check()


def test_random_invalid_expressions(make_diff: DiffFactory) -> None:
    with make_diff("random-expressions") as diff:
        _seeded(diff)

        @RUN
        @given(invalid_expressions(condition_expressions(NON_KEY)))
        def check(expression: Any) -> None:
            diff.call("scan", TableName="t", unordered=True, **expression.request("FilterExpression"))

        check()


def test_random_updates(make_diff: DiffFactory) -> None:
    with make_diff("random-expressions") as diff:
        diff.create_table(setup=True, **T)

        @RUN
        @given(update_expressions(NON_KEY), st.sampled_from(SEED))
        def check(expression: Any, item: dict[str, Any]) -> None:
            diff.call("put_item", TableName="t", Item=item)
            key = {name: item[name] for name in SCHEMA}
            diff.call(
                "update_item",
                TableName="t",
                Key=key,
                ReturnValues="ALL_NEW",
                **expression.request("UpdateExpression"),
            )

        check()


def test_random_invalid_updates(make_diff: DiffFactory) -> None:
    with make_diff("random-expressions") as diff:
        _seeded(diff)

        @RUN
        @given(invalid_expressions(update_expressions(NON_KEY)))
        def check(expression: Any) -> None:
            key = {"pk": S("p"), "sk": N(1)}
            diff.call("update_item", TableName="t", Key=key, **expression.request("UpdateExpression"))

        check()


# -- random operation sequences on one small table --
SMALL_KEY = st.fixed_dictionaries({"pk": st.sampled_from(["a", "b"]).map(S), "sk": st.integers(0, 4).map(N)})
SMALL_VALUE = attribute_values(max_depth=1)


def _operation() -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    put = st.builds(
        lambda key, value, old: ("put_item", {"Item": {**key, "v": value}, "ReturnValues": old}),
        SMALL_KEY,
        SMALL_VALUE,
        st.sampled_from(["NONE", "ALL_OLD"]),
    )
    get = SMALL_KEY.map(lambda key: ("get_item", {"Key": key, "ConsistentRead": True}))
    delete = st.builds(
        lambda key, old: ("delete_item", {"Key": key, "ReturnValues": old}),
        SMALL_KEY,
        st.sampled_from(["NONE", "ALL_OLD"]),
    )
    add = st.builds(
        lambda key, n: (
            "update_item",
            {
                "Key": key,
                "UpdateExpression": "ADD c :n",
                "ConditionExpression": "attribute_not_exists(v) OR size(v) < :ten",
                "ExpressionAttributeValues": {":n": N(n), ":ten": N(10)},
                "ReturnValues": "UPDATED_NEW",
            },
        ),
        SMALL_KEY,
        st.integers(-3, 3),
    )
    query = st.builds(
        lambda pk, limit, forward: (
            "query",
            {
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": S(pk)},
                "ScanIndexForward": forward,
                **({"Limit": limit} if limit else {}),
            },
        ),
        st.sampled_from(["a", "b"]),
        st.integers(0, 3),
        st.booleans(),
    )
    count = st.just(("scan", {"Select": "COUNT"}))
    return st.one_of(put, get, delete, add, query, count)


def test_random_operation_sequences(make_diff: DiffFactory) -> None:
    with make_diff("random-sequences") as diff:
        diff.create_table(setup=True, **T)

        @settings(RUN, max_examples=25)
        @given(st.lists(_operation(), min_size=1, max_size=12))
        def check(steps: list[tuple[str, dict[str, Any]]]) -> None:
            for op, request in steps:
                diff.call(op, TableName="t", **request)
            diff.call("scan", TableName="t", unordered=True)

        check()


# -- ordering: random sort keys of each type, then random key conditions over them --
SORT_OPERATORS = ["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]


def test_random_sort_key_conditions(make_diff: DiffFactory) -> None:
    with make_diff("random-ordering") as diff:
        for scalar in ("S", "N", "B"):
            diff.create_table(setup=True, **table_spec(f"o{scalar}", ("pk", "S"), ("sk", scalar)))

        @settings(RUN, max_examples=20)
        @given(st.sampled_from(["S", "N", "B"]), st.data())
        def check(scalar: Any, data: st.DataObject) -> None:
            table = f"o{scalar}"
            values = data.draw(st.lists(key_values(scalar, sort_key=True), min_size=1, max_size=6))
            for value in values:
                diff.call("put_item", TableName=table, Item={"pk": S("p"), "sk": value})
            op = data.draw(st.sampled_from(SORT_OPERATORS if scalar != "N" else SORT_OPERATORS[:-1]))
            low = data.draw(st.sampled_from(values) | key_values(scalar, sort_key=True))
            high = data.draw(st.sampled_from(values) | key_values(scalar, sort_key=True))
            if op == "BETWEEN":
                condition = "pk = :p AND sk BETWEEN :a AND :b"
                bound = {":a": low, ":b": high}
            elif op == "begins_with":
                condition = "pk = :p AND begins_with(sk, :a)"
                bound = {":a": low}
            else:
                condition = f"pk = :p AND sk {op} :a"
                bound = {":a": low}
            diff.call(
                "query",
                TableName=table,
                KeyConditionExpression=condition,
                ExpressionAttributeValues={":p": S("p"), **bound},
                ScanIndexForward=data.draw(st.booleans()),
            )

        check()
