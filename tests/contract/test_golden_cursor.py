"""The golden cursor of the contract, byte for byte."""

from __future__ import annotations

import base64
import json

from tests.contract.driver import HERE
from theorydb_py.cursor import Cursor, decode_cursor, encode_cursor, start_key

GOLDEN = HERE / "golden" / "cursor"


def test_golden_cursor_is_the_golden_json() -> None:
    token = (GOLDEN / "cursor_v0.1_basic.cursor").read_text(encoding="utf-8").strip()
    golden_json = (GOLDEN / "cursor_v0.1_basic.json").read_text(encoding="utf-8").strip()
    assert base64.urlsafe_b64decode(token).decode("utf-8") == golden_json
    body = json.loads(golden_json)
    assert encode_cursor(body["lastKey"], index=body["index"], sort=body["sort"]) == token
    assert decode_cursor(token) == Cursor(body["lastKey"], "gsi-email", "ASC")  # TableTheory's decoder
    assert start_key(token, index="gsi-email", sort="ASC") == body["lastKey"]  # as handed to a query
