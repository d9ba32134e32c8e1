"""The store's compact records (``records``): ``rewrite``, the update's way to store a changed item without
encoding it again, must store exactly what encoding the new item would, or decline."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.records import decode, encode, rewrite
from theorydb_mocks.emulator.values import item_size
from theorydb_mocks.strategies import attribute_values, items

KEY_SCHEMA: dict[str, Any] = {"pk": "S"}
_VALUES = attribute_values(max_depth=1)  # nested once: what rewrite sees of a value is only its type


@st.composite
def _updates(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], frozenset[str]]:
    """An item, the item after an update (values replaced, added or removed), and the touched names."""
    old = draw(items(KEY_SCHEMA, value_strategy=_VALUES))
    new = dict(old)
    names = [name for name in old if name != "pk"]
    touched: set[str] = set()
    for name in draw(st.lists(st.sampled_from(names), unique=True)) if names else []:
        touched.add(name)
        if draw(st.booleans()):
            del new[name]
        else:
            new[name] = draw(_VALUES)
    for name in draw(st.lists(st.sampled_from(["fresh", "other"]), unique=True)):
        if name not in old:
            touched.add(name)
            new[name] = draw(_VALUES)
    # A touched name may also be left as it was (an update that writes the same value).
    touched.update(draw(st.lists(st.sampled_from(names), max_size=1)) if names else [])
    return old, new, frozenset(touched)


@settings(max_examples=50)  # each example is a whole item drawn: 5-100 ms
@given(_updates())
def test_a_rewritten_record_is_the_encoded_new_item_or_none(
    update: tuple[dict[str, Any], dict[str, Any], frozenset[str]],
) -> None:
    old, new, touched = update
    record = encode(old, item_size(old))
    size = item_size(new)
    rewritten = rewrite(record, new, touched, size)
    same_types = all(
        name in old and name in new and next(iter(old[name])) == next(iter(new[name])) for name in touched
    )
    if not same_types:
        assert rewritten is None
        return
    assert rewritten is not None
    assert rewritten == encode(new, size)
    assert rewritten[0] is record[0]  # the shape is shared, not looked up again
    assert decode(rewritten) == new
    assert decode(record) == old  # the old record is left as it was


@pytest.mark.parametrize("streamed", [False, True], ids=["in place", "for a stream"])
def test_updates_that_keep_or_change_the_shape_store_the_same_items(streamed: bool) -> None:
    """Through the emulator: an update in place (same names and types), one that adds an attribute, one
    that changes a type and one that removes an attribute each leave the item a fresh read shows. With a
    stream, the store needs each new item (its observer): ``write_update`` writes it whole."""
    emu = DynamoDBEmulator()
    client = emu.client()
    streams = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    extra = {"StreamSpecification": streams} if streamed else {}
    client.create_table(**table_request("things", ranged=False, **extra))
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "n": {"N": "1"}, "s": {"SS": ["x"]}})
    steps = [
        ("SET n = n + :one", {":one": {"N": "41"}}, {"n": {"N": "42"}, "s": {"SS": ["x"]}}),
        ("ADD s :y", {":y": {"SS": ["y"]}}, {"n": {"N": "42"}, "s": {"SS": ["x", "y"]}}),
        (
            "SET m = :m",
            {":m": {"M": {"k": {"S": "v"}}}},
            {"n": {"N": "42"}, "s": {"SS": ["x", "y"]}, "m": {"M": {"k": {"S": "v"}}}},
        ),
        (
            "SET m.k = :w",
            {":w": {"S": "w"}},
            {"n": {"N": "42"}, "s": {"SS": ["x", "y"]}, "m": {"M": {"k": {"S": "w"}}}},
        ),
        (
            "SET n = :s",
            {":s": {"S": "text"}},
            {"n": {"S": "text"}, "s": {"SS": ["x", "y"]}, "m": {"M": {"k": {"S": "w"}}}},
        ),
        ("REMOVE s", None, {"n": {"S": "text"}, "m": {"M": {"k": {"S": "w"}}}}),
    ]
    for expression, values, expected in steps:
        request: dict[str, Any] = {
            "TableName": "things",
            "Key": {"pk": {"S": "a"}},
            "UpdateExpression": expression,
        }
        if values is not None:
            request["ExpressionAttributeValues"] = values
        answer = client.update_item(**request, ReturnValues="ALL_NEW")
        assert answer["Attributes"] == {"pk": {"S": "a"}, **expected}
        stored = client.get_item(TableName="things", Key={"pk": {"S": "a"}})["Item"]
        assert stored == answer["Attributes"]
        assert emu.get_table("things").store.stored_size({"pk": {"S": "a"}}) == item_size(stored)
    if not streamed:
        return
    images = [record["dynamodb"]["NewImage"] for record in emu.stream_records("things")]
    assert images[-1] == {"pk": {"S": "a"}, "n": {"S": "text"}, "m": {"M": {"k": {"S": "w"}}}}
    assert len(images) == 1 + len(steps)  # every update was seen by the stream
