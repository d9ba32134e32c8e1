"""``LineShapes`` recognizes the compact lines of exactly the shapes it was given, with each value's text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorydb_mocks.emulator.line_shapes import MAX_SHAPES, LineShapes, Shape

SAMPLE_TEXT = {"S": "a b~", "N": "-12.5", "B": "AAE=", "SS": ["x", "y z"], "BOOL": True}


def _line(names: tuple[str, ...], kinds: tuple[str, ...], values: list[Any]) -> str:
    item = {name: {kind: value} for name, kind, value in zip(names, kinds, values, strict=True)}
    return json.dumps({"Item": item}, separators=(",", ":"))


def _text(kind: str, value: Any) -> str:
    """What the pattern's group holds for a value: the text between its quotes (a set: members quoted)."""
    if kind == "SS":
        return ",".join(json.dumps(member) for member in value)
    if kind == "BOOL":
        return "true" if value else "false"
    return str(value)


shapes = st.lists(
    st.lists(
        st.tuples(
            st.sampled_from(["pk", "sk", "a", "b", 'q"uote', "é"]), st.sampled_from(sorted(SAMPLE_TEXT))
        ),
        min_size=1,
        max_size=5,
        unique_by=lambda member: member[0],
    ).map(lambda members: (tuple(m[0] for m in members), tuple(m[1] for m in members))),
    min_size=1,
    max_size=MAX_SHAPES,
    unique=True,
)


@settings(max_examples=150, deadline=None)
@given(shapes)
def test_each_line_is_read_as_its_own_shape(
    given_shapes: list[tuple[tuple[str, ...], tuple[str, ...]]],
) -> None:
    lines = LineShapes()
    for names, kinds in given_shapes:

        def reader(groups: tuple[int, ...], shape: Shape = (names, kinds)) -> tuple[Shape, tuple[int, ...]]:
            return shape, groups

        lines.add(names, kinds, reader)
    for names, kinds in given_shapes:
        values = [SAMPLE_TEXT[kind] for kind in kinds]
        found = lines.read(_line(names, kinds, values))
        assert found is not None
        (shape, groups), match = found
        assert shape == (names, kinds)
        assert [match[group] for group in groups] == [_text(kind, SAMPLE_TEXT[kind]) for kind in kinds]
    # a shape it was not given: one attribute more than the longest
    names, kinds = max(given_shapes, key=lambda shape: len(shape[0]))
    longer = (*names, "zz"), (*kinds, "S")
    if longer not in given_shapes:
        assert lines.read(_line(*longer, [SAMPLE_TEXT[kind] for kind in longer[1]])) is None


@pytest.mark.parametrize(
    "value",
    [
        {"S": 'with "quote'},
        {"S": "with \\ backslash"},
        {"S": "naïve"},
        {"S": "tab\there"},
        {"N": "1.50"},
        {"N": "01"},
        {"N": "-0"},
        {"N": "1e5"},
        {"N": "+1"},
        {"N": "1."},
        {"B": "not base64!"},
        {"SS": []},
        {"SS": ["é"]},
        {"BOOL": "true"},
        {"S": 1},
    ],
)
def test_values_it_cannot_vouch_for_do_not_match(value: dict[str, Any]) -> None:
    lines = LineShapes()
    (kind,) = value
    lines.add(("pk", "v"), ("S", kind), lambda groups: groups)
    line = json.dumps({"Item": {"pk": {"S": "k"}, "v": value}}, separators=(",", ":"), ensure_ascii=False)
    assert lines.read(line) is None


def test_only_the_compact_form_in_the_shape_order_matches() -> None:
    lines = LineShapes()
    lines.add(("pk", "n"), ("S", "N"), lambda groups: groups)
    assert lines.read('{"Item":{"pk":{"S":"a"},"n":{"N":"1"}}}') is not None
    assert lines.read('{"Item":{"n":{"N":"1"},"pk":{"S":"a"}}}') is None
    assert lines.read('{"Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}') is None
    assert lines.read('{"Item":{"pk":{"S":"a"},"n":{"N":"1"}}} ') is None
    assert lines.read('{"Item":{"pk":{"S":"a"},"n":{"N":"1"}},"x":1}') is None


def test_a_full_set_refuses_more_and_unknown_kinds_are_not_covered() -> None:
    lines = LineShapes()
    for n in range(MAX_SHAPES):
        lines.add((f"a{n}",), ("S",), lambda groups: groups)
    assert lines.full
    with pytest.raises(ValueError):
        lines.add(("b",), ("S",), lambda groups: groups)
    assert not LineShapes.covers(("m",), ("M",))
    assert not LineShapes.covers(tuple(f"a{n}" for n in range(65)), ("S",) * 65)
    assert LineShapes().read('{"Item":{"a0":{"S":"x"}}}') is None  # no shapes yet
