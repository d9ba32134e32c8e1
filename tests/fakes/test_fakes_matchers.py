"""The matching rules of the strict fakes: subsets for dicts, exact lists, matchers, and the diff format."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorydb_mocks._matchers import diff, join_path, short_repr
from theorydb_mocks.fakes import ANY, AnyString, Exact, Matcher, Predicate, Regex


def test_any_matches_everything_and_prints_as_any() -> None:
    values: list[Any] = [None, 0, "", [], {}, b"x", {"S": "a"}]
    for value in values:
        assert ANY.matches(value)
        assert value == ANY
    assert repr(ANY) == "<ANY>"


def test_dicts_match_as_subsets_at_every_depth() -> None:
    received = {"TableName": "t", "Item": {"pk": {"S": "1"}, "email": {"S": "a"}}, "ReturnValues": "NONE"}
    assert diff({"TableName": "t"}, received) == []
    assert diff({"Item": {"email": {"S": "a"}}}, received) == []
    assert diff({}, received) == []


def test_a_missing_key_is_reported_with_the_expected_value() -> None:
    assert diff({"Item": {"name": {"S": "x"}}}, {"Item": {"pk": {"S": "1"}}}) == [
        "Item.name: missing (expected {'S': 'x'})"
    ]


def test_only_the_differing_leaves_are_reported_with_their_paths() -> None:
    expected = {"TableName": "t", "Item": {"email": {"S": "a"}, "age": {"N": "3"}}}
    received = {"TableName": "t", "Item": {"email": {"S": "b"}, "age": {"N": "3"}}}
    assert diff(expected, received) == ["Item.email.S: 'a' != 'b'"]


def test_lists_match_exactly_in_length_and_order() -> None:
    assert diff({"L": [1, 2]}, {"L": [1, 2]}) == []
    assert diff({"L": [1, 2]}, {"L": [2, 1]}) == ["L[0]: 1 != 2", "L[1]: 2 != 1"]
    assert diff({"L": [1, 2]}, {"L": [1, 2, 3]}) == ["L: 2 items != 3 items"]
    assert diff({"L": [1]}, {"L": "1"}) == ["L: [1] != '1'"]


def test_dicts_inside_lists_are_still_subsets() -> None:
    expected = {"TransactItems": [{"Put": {"TableName": "t"}}]}
    received = {"TransactItems": [{"Put": {"TableName": "t", "Item": {"pk": {"S": "1"}}}}]}
    assert diff(expected, received) == []
    assert diff(expected, {"TransactItems": [{"Put": {"TableName": "u"}}]}) == [
        "TransactItems[0].Put.TableName: 't' != 'u'"
    ]


def test_scalars_compare_by_kind_so_true_is_not_one() -> None:
    assert diff({"ConsistentRead": True}, {"ConsistentRead": 1}) == ["ConsistentRead: True != 1"]
    assert diff({"Limit": 1}, {"Limit": True}) == ["Limit: 1 != True"]
    assert diff({"B": b"x"}, {"B": "x"}) == ["B: b'x' != 'x'"]
    assert diff({"B": b"x"}, {"B": bytearray(b"x")}) == []
    assert diff({"N": "1"}, {"N": 1}) == ["N: '1' != 1"]


def test_a_dict_expected_where_a_scalar_came_is_one_line() -> None:
    assert diff({"Key": {"pk": {"S": "1"}}}, {"Key": "1"}) == ["Key: {'pk': {'S': '1'}} != '1'"]
    assert diff({"a": 1}, "not a dict") == ["(request): {'a': 1} != 'not a dict'"]


def test_odd_keys_are_quoted_in_paths() -> None:
    assert join_path("", "Item") == "Item"
    assert join_path("Item", "#pk") == "Item.#pk"
    assert join_path("Item", "a.b") == "Item['a.b']"
    assert join_path("Item", "with space") == "Item['with space']"
    assert join_path("Items", 3) == "Items[3]"


def test_any_string_matches_strings_only() -> None:
    assert AnyString().matches("")
    assert not AnyString().matches(1)
    assert not AnyString(non_empty=True).matches("")
    assert repr(AnyString()) == "<AnyString>"
    assert repr(AnyString(non_empty=True)) == "<AnyString non_empty>"
    assert diff({"S": AnyString()}, {"S": 5}) == ["S: <AnyString> != 5"]


def test_regex_must_match_the_whole_string() -> None:
    matcher = Regex(r"USER#\d+")
    assert matcher.matches("USER#42")
    assert not matcher.matches("USER#42x")
    assert not matcher.matches(42)
    assert Regex(re.compile("a+")).matches("aaa")
    assert repr(matcher) == r"<Regex 'USER#\\d+'>"
    assert diff({"S": matcher}, {"S": "ORDER#1"}) == [r"S: <Regex 'USER#\\d+'> != 'ORDER#1'"]


def test_predicate_uses_its_description_and_treats_exceptions_as_mismatch() -> None:
    positive = Predicate(lambda n: int(n) > 0, "a positive number")
    assert positive.matches("3")
    assert not positive.matches("-3")
    assert not positive.matches("not a number")
    assert repr(positive) == "<Predicate a positive number>"

    def is_upper(value: Any) -> bool:
        return str(value).isupper()

    assert repr(Predicate(is_upper)) == "<Predicate is_upper>"
    assert diff({"S": Predicate(is_upper)}, {"S": "abc"}) == ["S: <Predicate is_upper> != 'abc'"]


def test_exact_rejects_extra_keys_but_keeps_matchers() -> None:
    matcher = Exact({"pk": {"S": ANY}})
    assert matcher.matches({"pk": {"S": "1"}})
    assert not matcher.matches({"pk": {"S": "1"}, "sk": {"S": "2"}})
    assert diff({"Item": matcher}, {"Item": {"pk": {"S": "1"}, "sk": {"S": "2"}}}) == [
        "Item.sk: unexpected key (received {'S': '2'})"
    ]
    assert repr(Exact({"a": 1})) == "<Exact {'a': 1}>"


def test_matchers_compare_equal_to_what_they_match_and_are_not_hashable() -> None:
    assert Regex("a.") == "ab"
    assert Regex("a.") != "b"
    with pytest.raises(TypeError):
        hash(ANY)


def test_custom_matchers_subclass_matcher() -> None:
    class Even(Matcher):
        def matches(self, actual: Any) -> bool:
            return isinstance(actual, int) and actual % 2 == 0

        def __repr__(self) -> str:
            return "<Even>"

    assert diff({"Limit": Even()}, {"Limit": 4}) == []
    assert diff({"Limit": Even()}, {"Limit": 3}) == ["Limit: <Even> != 3"]


def test_long_values_are_cut_in_reports() -> None:
    text = short_repr("x" * 500)
    assert len(text) == 120
    assert text.endswith("...")
    assert short_repr("short") == "'short'"


# -- properties -----------------------------------------------------------------------------------------


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.binary(max_size=5))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(values)
def test_a_value_matches_itself_and_exactly_itself(value: Any) -> None:
    assert diff(value, value) == []
    assert Exact(value).matches(value)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=4), values, min_size=1, max_size=4), st.data())
def test_dropping_expected_keys_keeps_a_match(received: dict[str, Any], data: st.DataObject) -> None:
    kept = data.draw(st.sets(st.sampled_from(sorted(received))))
    assert diff({key: received[key] for key in kept}, received) == []


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=4), values, min_size=1, max_size=4), st.data())
def test_changing_one_leaf_reports_exactly_that_path(received: dict[str, Any], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(received)))
    marker = object()
    expected = {**received, key: marker}
    assert diff(expected, received) == [
        f"{join_path('', key)}: {short_repr(marker)} != {short_repr(received[key])}"
    ]
