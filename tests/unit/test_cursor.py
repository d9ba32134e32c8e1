"""Cursors: FORMATS.md section 1 byte for byte, and clear errors for anything else."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from theorydb_py import ValidationError
from theorydb_py.cursor import GOLDEN_CURSOR, GOLDEN_JSON, Cursor, decode_cursor, encode_cursor, start_key

GOLDEN_KEY = {"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}


def test_golden_pair_encodes_exactly() -> None:
    token = encode_cursor(GOLDEN_KEY, index="gsi-email", sort="ASC")
    assert token == GOLDEN_CURSOR
    assert base64.urlsafe_b64decode(token).decode() == GOLDEN_JSON


def test_golden_pair_decodes_exactly() -> None:
    assert decode_cursor(GOLDEN_CURSOR) == Cursor(GOLDEN_KEY, "gsi-email", "ASC")
    assert start_key(GOLDEN_CURSOR, index="gsi-email", sort="ASC") == GOLDEN_KEY
    assert (
        start_key(GOLDEN_CURSOR, index="gsi-email", sort="ASC", key_names=frozenset(GOLDEN_KEY)) == GOLDEN_KEY
    )
    cursor = decode_cursor(GOLDEN_CURSOR)  # TableTheory's contract test: decode then encode gives it back
    assert encode_cursor(cursor.last_key, index=cursor.index, sort=cursor.sort) == GOLDEN_CURSOR


def test_tabletheory_encoder_edges() -> None:
    assert encode_cursor({}) == ""
    with pytest.raises(ValueError, match="last_key must be a map"):
        encode_cursor([])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cursor is empty"):
        decode_cursor("  ")


def test_key_order_members_and_padding() -> None:
    token = encode_cursor({"b": {"N": "2"}, "a": {"S": "é"}})
    text = base64.urlsafe_b64decode(token).decode("utf-8")
    assert text == '{"lastKey":{"a":{"S":"é"},"b":{"N":"2"}}}'  # sorted, non-ASCII as is, no index/sort
    assert len(token) % 4 == 0
    assert decode_cursor(token.rstrip("=")).last_key == {
        "a": {"S": "é"},
        "b": {"N": "2"},
    }  # unpadded input is accepted
    desc = encode_cursor({"a": {"S": "x"}}, sort="DESC")
    assert base64.urlsafe_b64decode(desc).decode() == '{"lastKey":{"a":{"S":"x"}},"sort":"DESC"}'


def test_every_attribute_type_round_trips() -> None:
    key: dict[str, Any] = {
        "b": {"B": b"\xff\x00"},
        "bool": {"BOOL": True},
        "bs": {"BS": [b"\x01"]},
        "l": {"L": [{"S": "x"}, {"M": {}}]},
        "m": {"M": {"z": {"N": "1"}, "a": {"NULL": True}}},
        "ns": {"NS": ["1", "2"]},
        "ss": {"SS": ["a"]},
    }
    token = encode_cursor(key)
    body = json.loads(base64.urlsafe_b64decode(token))
    assert body["lastKey"]["b"] == {"B": "/wA="}  # standard base64 inside
    assert list(body["lastKey"]["m"]["M"]) == ["a", "z"]
    assert decode_cursor(token).last_key == key


def _token(body: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode()


BAD: list[tuple[str, str, str]] = [
    ("empty", "", "invalid cursor: cursor is empty"),
    ("blank", "   ", "invalid cursor: cursor is empty"),
    ("not base64", "!!!!", r"not a TableTheory cursor \(bad base64 or JSON\)"),
    ("not json", base64.urlsafe_b64encode(b"hello").decode(), "not a TableTheory cursor"),
    ("not utf-8", base64.urlsafe_b64encode(b"\xff\xfe").decode(), "not a TableTheory cursor"),
    ("json list", _token([1]), "cursor must decode to an object"),
    ("no lastKey", _token({"index": "x"}), "cursor lastKey is invalid"),
    ("lastKey list", _token({"lastKey": []}), "cursor lastKey is invalid"),
    ("bad value", _token({"lastKey": {"a": {"S": 1}}}), "lastKey holds a malformed attribute value"),
    ("two tags", _token({"lastKey": {"a": {"S": "x", "N": "1"}}}), "malformed attribute value"),
    ("bad binary", _token({"lastKey": {"a": {"B": "***"}}}), "malformed attribute value"),
    ("unknown tag", _token({"lastKey": {"a": {"X": "1"}}}), "malformed attribute value"),
    ("empty set", _token({"lastKey": {"a": {"SS": []}}}), "malformed attribute value"),
    ("extra member", _token({"lastKey": {"a": {"S": "x"}}, "page": 2}), r"unknown members \['page'\]"),
    ("bad index", _token({"lastKey": {"a": {"S": "x"}}, "index": 1}), "index must be a string"),
    ("bad sort", _token({"lastKey": {"a": {"S": "x"}}, "sort": "UP"}), "sort must be ASC or DESC"),
]


@pytest.mark.parametrize(("token", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_cursors_are_refused(token: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        decode_cursor(token)


def test_cursor_must_match_the_query_it_is_handed_to() -> None:
    with pytest.raises(ValidationError, match="made for index 'gsi-email', not None"):
        start_key(GOLDEN_CURSOR, sort="ASC")
    with pytest.raises(ValidationError, match="made for the table, not for index 'other'"):
        start_key(encode_cursor(GOLDEN_KEY, sort="ASC"), index="other", sort="ASC")
    with pytest.raises(ValidationError, match="made for sort order 'ASC', not 'DESC'"):
        start_key(GOLDEN_CURSOR, index="gsi-email", sort="DESC")
    with pytest.raises(ValidationError, match="made for a query, not a scan"):
        start_key(GOLDEN_CURSOR, index="gsi-email")
    with pytest.raises(ValidationError, match=r"lastKey has attributes \['PK', 'SK'\], expected \['PK'\]"):
        start_key(GOLDEN_CURSOR, index="gsi-email", sort="ASC", key_names=frozenset({"PK"}))
