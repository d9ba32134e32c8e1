"""Cursors: FORMATS.md section 1 byte for byte, and clear errors for anything else."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from theorydb_py import ValidationError
from theorydb_py.cursor import GOLDEN_CURSOR, GOLDEN_JSON, decode_cursor, encode_cursor

GOLDEN_KEY = {"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}


def test_golden_pair_encodes_exactly() -> None:
    token = encode_cursor(GOLDEN_KEY, index="gsi-email", sort="ASC")
    assert token == GOLDEN_CURSOR
    assert base64.urlsafe_b64decode(token).decode() == GOLDEN_JSON


def test_golden_pair_decodes_exactly() -> None:
    assert decode_cursor(GOLDEN_CURSOR, index="gsi-email", sort="ASC") == GOLDEN_KEY
    assert (
        decode_cursor(GOLDEN_CURSOR, index="gsi-email", sort="ASC", key_names=frozenset(GOLDEN_KEY))
        == GOLDEN_KEY
    )


def test_key_order_members_and_padding() -> None:
    token = encode_cursor({"b": {"N": "2"}, "a": {"S": "é"}})
    text = base64.urlsafe_b64decode(token).decode("utf-8")
    assert text == '{"lastKey":{"a":{"S":"é"},"b":{"N":"2"}}}'  # sorted, non-ASCII as is, no index/sort
    assert len(token) % 4 == 0
    assert decode_cursor(token.rstrip("=")) == {
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
    assert decode_cursor(token) == key


def _token(body: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode()


BAD: list[tuple[str, str, str]] = [
    ("empty", "", "invalid cursor: it is empty"),
    ("blank", "   ", "invalid cursor: it is empty"),
    ("not base64", "!!!!", r"not a TableTheory cursor \(bad base64 or JSON\)"),
    ("not json", base64.urlsafe_b64encode(b"hello").decode(), "not a TableTheory cursor"),
    ("not utf-8", base64.urlsafe_b64encode(b"\xff\xfe").decode(), "not a TableTheory cursor"),
    ("json list", _token([1]), "its JSON is not an object"),
    ("no lastKey", _token({"index": "x"}), "lastKey must be a non-empty object"),
    ("lastKey list", _token({"lastKey": []}), "lastKey must be a non-empty object"),
    ("bad value", _token({"lastKey": {"a": {"S": 1}}}), "lastKey holds a malformed attribute value"),
    ("two tags", _token({"lastKey": {"a": {"S": "x", "N": "1"}}}), "malformed attribute value"),
    ("bad binary", _token({"lastKey": {"a": {"B": "***"}}}), "malformed attribute value"),
    ("unknown tag", _token({"lastKey": {"a": {"X": "1"}}}), "malformed attribute value"),
    ("empty set", _token({"lastKey": {"a": {"SS": []}}}), "malformed attribute value"),
    ("extra member", _token({"lastKey": {"a": {"S": "x"}}, "page": 2}), r"unknown members \['page'\]"),
]


@pytest.mark.parametrize(("token", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_cursors_are_refused(token: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        decode_cursor(token)


def test_cursor_must_match_the_query_it_is_handed_to() -> None:
    with pytest.raises(ValidationError, match="made for index 'gsi-email', not None"):
        decode_cursor(GOLDEN_CURSOR, sort="ASC")
    with pytest.raises(ValidationError, match="made for the table, not for index 'other'"):
        decode_cursor(encode_cursor(GOLDEN_KEY, sort="ASC"), index="other", sort="ASC")
    with pytest.raises(ValidationError, match="made for sort order 'ASC', not 'DESC'"):
        decode_cursor(GOLDEN_CURSOR, index="gsi-email", sort="DESC")
    with pytest.raises(ValidationError, match="made for a query, not a scan"):
        decode_cursor(GOLDEN_CURSOR, index="gsi-email")
    with pytest.raises(ValidationError, match=r"lastKey has attributes \['PK', 'SK'\], expected \['PK'\]"):
        decode_cursor(GOLDEN_CURSOR, index="gsi-email", sort="ASC", key_names=frozenset({"PK"}))
