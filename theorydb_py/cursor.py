"""Opaque pagination cursors, shared byte for byte with TableTheory for Go and TypeScript (FORMATS.md §1).

A cursor is URL-safe base64 (with ``=`` padding) of compact UTF-8 JSON,
``{"lastKey":...,"index":...,"sort":...}``, with ``lastKey`` in DynamoDB JSON (sorted attribute names,
binary as standard base64).

>>> token = encode_cursor({"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}, index="gsi-email", sort="ASC")
>>> token == GOLDEN_CURSOR
True
>>> decode_cursor(token)
Cursor(last_key={'PK': {'S': 'USER#1'}, 'SK': {'S': 'PROFILE'}}, index='gsi-email', sort='ASC')
>>> start_key(token, index="gsi-email", sort="ASC")
{'PK': {'S': 'USER#1'}, 'SK': {'S': 'PROFILE'}}

``decode_cursor`` has TableTheory's signature and result (a ``Cursor``); ``start_key`` also checks the
cursor against the query it is handed to, as ``Table.query`` and ``Table.scan`` do. Unlike TableTheory's
decoder, both are strict: bad base64 (characters outside the alphabet), unknown members and an ``index``
or ``sort`` of the wrong type are refused rather than dropped silently. Errors are ``CursorError``, both a
``ValidationError`` and (as TableTheory raises) a ``ValueError``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
from typing import Any, Literal

from theorydb_py._types import AttributeValue, Key
from theorydb_py.errors import ValidationError

__all__ = [
    "GOLDEN_CURSOR",
    "GOLDEN_JSON",
    "Cursor",
    "CursorError",
    "SortDirection",
    "decode_cursor",
    "encode_cursor",
    "start_key",
]

SortDirection = Literal["ASC", "DESC"]

GOLDEN_JSON = '{"lastKey":{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"}},"index":"gsi-email","sort":"ASC"}'
GOLDEN_CURSOR = (
    "eyJsYXN0S2V5Ijp7IlBLIjp7IlMiOiJVU0VSIzEifSwiU0siOnsiUyI6IlBST0ZJTEUifX0sImluZGV4IjoiZ3NpLWVtYWlsIiwic29ydCI6"
    "IkFTQyJ9"
)

_SCALAR_TAGS = ("S", "N")


class CursorError(ValidationError, ValueError):
    """A cursor that cannot be used: malformed, or made for another query."""


@dataclasses.dataclass(frozen=True, slots=True)
class Cursor:
    """A decoded cursor: DynamoDB's ``LastEvaluatedKey``, the index and the sort order of its query."""

    last_key: Key
    index: str | None = None
    sort: SortDirection | None = None


def _b64(data: Any) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


def _to_json_value(av: AttributeValue) -> dict[str, Any]:
    ((tag, raw),) = av.items()
    match tag:
        case "B":
            return {"B": _b64(raw)}
        case "BS":
            return {"BS": [_b64(b) for b in raw]}
        case "L":
            return {"L": [_to_json_value(v) for v in raw]}
        case "M":
            return {"M": {k: _to_json_value(raw[k]) for k in sorted(raw)}}
        case _:
            return {tag: raw}


def encode_cursor(last_key: Key, *, index: str | None = None, sort: SortDirection | None = None) -> str:
    """The cursor for a page that ended at ``last_key`` (DynamoDB's ``LastEvaluatedKey``); ``""`` for an
    empty key, as in TableTheory."""
    if not isinstance(last_key, dict):
        raise CursorError("last_key must be a map")
    if not last_key:
        return ""
    if sort is not None and sort not in ("ASC", "DESC"):
        raise CursorError(f"sort must be ASC or DESC, not {sort!r}")
    try:
        body = _body(last_key, index, sort)
    except (AttributeError, TypeError, ValueError):
        raise CursorError("last_key holds a malformed attribute value") from None
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")


def _body(last_key: Key, index: str | None, sort: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"lastKey": {name: _to_json_value(last_key[name]) for name in sorted(last_key)}}
    if index is not None:
        body["index"] = index
    if sort is not None:
        body["sort"] = sort
    return body


class _Bad(Exception):
    pass


def _from_b64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise _Bad
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _Bad from None


def _from_json_value(value: Any) -> AttributeValue:
    if not isinstance(value, dict) or len(value) != 1:
        raise _Bad
    ((tag, raw),) = value.items()
    if tag in _SCALAR_TAGS and isinstance(raw, str):
        return {tag: raw}
    if tag == "B":
        return {"B": _from_b64(raw)}
    if tag == "BOOL" and isinstance(raw, bool):
        return {"BOOL": raw}
    if tag == "NULL" and raw is True:
        return {"NULL": True}
    if tag in ("SS", "NS") and isinstance(raw, list) and raw and all(isinstance(v, str) for v in raw):
        return {tag: list(raw)}
    if tag == "BS" and isinstance(raw, list) and raw:
        return {"BS": [_from_b64(v) for v in raw]}
    if tag == "L" and isinstance(raw, list):
        return {"L": [_from_json_value(v) for v in raw]}
    if tag == "M" and isinstance(raw, dict):
        return {"M": {str(k): _from_json_value(v) for k, v in raw.items()}}
    raise _Bad


def _parse(token: Any) -> tuple[Key, dict[str, Any]]:
    if not isinstance(token, str) or not token.strip():
        raise CursorError("invalid cursor: cursor is empty")
    text = token.strip()
    padded = text + "=" * (-len(text) % 4)
    try:
        raw = base64.b64decode(padded, altchars=b"-_", validate=True)
        body = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise CursorError("invalid cursor: it is not a TableTheory cursor (bad base64 or JSON)") from None
    if not isinstance(body, dict):
        raise CursorError("invalid cursor: cursor must decode to an object")
    last_key = body.get("lastKey")
    if not isinstance(last_key, dict) or not last_key:
        raise CursorError(
            "invalid cursor: cursor lastKey is invalid (a non-empty object of attribute values)"
        )
    try:
        key = {str(name): _from_json_value(value) for name, value in last_key.items()}
    except _Bad:
        raise CursorError("invalid cursor: lastKey holds a malformed attribute value") from None
    unknown = sorted(set(body) - {"lastKey", "index", "sort"})
    if unknown:
        raise CursorError(f"invalid cursor: unknown members {unknown}")
    if body.get("index") is not None and not isinstance(body["index"], str):
        raise CursorError("invalid cursor: index must be a string")
    if body.get("sort") not in (None, "ASC", "DESC"):
        raise CursorError("invalid cursor: sort must be ASC or DESC")
    return key, body


def decode_cursor(cursor: str) -> Cursor:
    """The ``Cursor`` in a cursor string (TableTheory's decoder); ``CursorError`` if it is malformed."""
    key, body = _parse(cursor)
    return Cursor(key, body.get("index"), body.get("sort"))


def start_key(
    token: str,
    *,
    index: str | None = None,
    sort: SortDirection | None = None,
    key_names: frozenset[str] | None = None,
) -> Key:
    """The ``ExclusiveStartKey`` in ``token``, checked against the query it is handed to.

    ``index`` and ``sort`` describe that query (``sort`` is None for a scan); ``key_names``, when given, are
    the attributes a key from this table or index must have. Anything else is a ``CursorError``.
    """
    key, body = _parse(token)
    if body.get("index") != index:
        raise CursorError(
            "invalid cursor: cursor index does not match query: "
            + (
                f"made for index {body.get('index')!r}, not {index!r}"
                if body.get("index") is not None
                else f"made for the table, not for index {index!r}"
            )
        )
    if body.get("sort") != sort:
        raise CursorError(
            "invalid cursor: cursor sort does not match query: "
            f"made for sort order {body.get('sort')!r}, not {sort!r}"
            if sort is not None
            else "invalid cursor: it was made for a query, not a scan"
        )
    if key_names is not None and set(key) != key_names:
        raise CursorError(
            f"invalid cursor: lastKey has attributes {sorted(key)}, expected {sorted(key_names)}"
        )
    return key
