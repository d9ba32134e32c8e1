"""The bulk loader builds the store that the same PutItems would, and refuses what PutItem refuses."""

from __future__ import annotations

import base64
import gc
import io
import json
import logging
import random
from typing import Any

import pytest

from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.bulk_load import BulkLoad, _Lines
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.line_shapes import LineShapes

RANGE_TABLE: dict[str, Any] = {
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
        {"AttributeName": "owner", "AttributeType": "S"},
        {"AttributeName": "rank", "AttributeType": "N"},
        {"AttributeName": "bin", "AttributeType": "B"},
    ],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "keys",
            "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        },
        {
            "IndexName": "ranked",
            "KeySchema": [
                {"AttributeName": "owner", "KeyType": "HASH"},
                {"AttributeName": "rank", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["name"]},
        },
        {
            "IndexName": "by-bin",
            "KeySchema": [{"AttributeName": "bin", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        },
    ],
}
HASH_TABLE: dict[str, Any] = {
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "B"}],
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
}
LSI_TABLE: dict[str, Any] = {
    **{k: v for k, v in RANGE_TABLE.items() if k != "GlobalSecondaryIndexes"},
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
        {"AttributeName": "rank", "AttributeType": "N"},
    ],
    "LocalSecondaryIndexes": [
        {
            "IndexName": "by-rank",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "rank", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _range_item(rng: random.Random, n: int) -> dict[str, Any]:
    """A DynamoDB JSON item of varied shapes: numbers to normalize, unicode, sets, maps, lists, NULL."""
    item: dict[str, Any] = {
        "pk": {"S": rng.choice(["a", "b", "é", "日本", "z" * 30])},
        "sk": {"N": rng.choice(["1", "2", "-3.5", "10", "1e2", "0.10", str(n % 7)])},
    }
    if rng.random() < 0.7:
        item["owner"] = {"S": rng.choice(["o1", "o2", "ö"])}
    if rng.random() < 0.5:
        item["rank"] = {"N": rng.choice(["1", "2.50", "-7", "3"])}
    if rng.random() < 0.3:
        item["bin"] = {"B": _b64(bytes([n % 5, 1]))}
    if rng.random() < 0.6:
        item["name"] = {"S": f"name {n} ✓"}
    extra = rng.random()
    if extra < 0.2:
        item["tags"] = {"SS": ["x", f"t{n % 3}"]}
    elif extra < 0.3:
        item["doc"] = {"M": {"a": {"L": [{"N": "01"}, {"B": _b64(b"\x00")}, {"NULL": True}]}}}
    elif extra < 0.4:
        item["nums"] = {"NS": ["1", "2.0"]}
    elif extra < 0.5:
        item["flag"] = {"BOOL": n % 2 == 0}
    elif extra < 0.55:
        item["empty"] = {"S": ""}
    return item


def _decoded(item: dict[str, Any]) -> dict[str, Any]:
    """The boto3 form of a DynamoDB JSON item (binaries as bytes), for PutItem."""

    def value(av: dict[str, Any]) -> dict[str, Any]:
        ((kind, inner),) = av.items()
        if kind == "B":
            return {"B": base64.b64decode(inner)}
        if kind == "BS":
            return {"BS": [base64.b64decode(v) for v in inner]}
        if kind == "M":
            return {"M": {k: value(v) for k, v in inner.items()}}
        if kind == "L":
            return {"L": [value(v) for v in inner]}
        return {kind: inner}

    return {name: value(av) for name, av in item.items()}


def _state(emu: DynamoDBEmulator, name: str) -> list[Any]:
    store = emu.get_table(name).store
    store._check()
    found: list[Any] = [list(store.scan_sized()), store.item_count, store.size_bytes]
    for index in store.index_names:
        found += [
            list(store.scan_sized(index=index)),
            store.index_item_count(index),
            store.index_size_bytes(index),
        ]
    return found


@pytest.mark.parametrize("schema", [RANGE_TABLE, LSI_TABLE], ids=["gsis", "lsi"])
def test_bulk_load_builds_what_puts_build(schema: dict[str, Any]) -> None:
    rng = random.Random(7)
    items = [_range_item(rng, n) for n in range(600)]  # many repeated keys: later items replace
    loaded, put = DynamoDBEmulator(), DynamoDBEmulator()
    for emu in (loaded, put):
        emu.dispatch("CreateTable", {"TableName": "tbl", **schema})
    load = BulkLoad(loaded.get_table("tbl"))
    for item in items:
        load.add_json(item)
    load.finish()
    for item in items:
        put.dispatch("PutItem", {"TableName": "tbl", "Item": _decoded(item)})
    assert _state(loaded, "tbl") == _state(put, "tbl")
    assert load.count == len(items)


def test_bulk_load_hash_only_binary_key_and_no_duplicates() -> None:
    loaded, put = DynamoDBEmulator(), DynamoDBEmulator()
    items = [{"id": {"B": _b64(n.to_bytes(3, "big"))}, "v": {"N": str(n)}} for n in range(300)]
    for emu in (loaded, put):
        emu.dispatch("CreateTable", {"TableName": "tbl", **HASH_TABLE})
    load = BulkLoad(loaded.get_table("tbl"))
    for item in items:
        load.add_json(item)
    load.finish()
    for item in items:
        put.dispatch("PutItem", {"TableName": "tbl", "Item": _decoded(item)})
    assert _state(loaded, "tbl") == _state(put, "tbl")


BAD_ITEMS = [
    {"sk": {"N": "1"}},  # no partition key
    {"pk": {"N": "1"}, "sk": {"N": "1"}},  # mistyped key
    {"pk": {"S": ""}, "sk": {"N": "1"}},  # empty key
    {"pk": {"S": "a" * 2049}, "sk": {"N": "1"}},  # key too large
    {"pk": {"S": "a"}, "sk": {"N": "x"}},  # not a number
    {"pk": {"S": "a"}, "sk": {"N": "1"}, "owner": {"N": "1"}},  # index key of the wrong type
    {"pk": {"S": "a"}, "sk": {"N": "1"}, "owner": {"S": ""}},  # empty index key
    {"pk": {"S": "a"}, "sk": {"N": "1"}, "big": {"S": "x" * 410_000}},  # over 400 KB
    {"pk": {"S": "a"}, "sk": {"N": "1"}, "tags": {"SS": ["x", "x"]}},  # duplicate set members
    {"pk": {"S": "a"}, "sk": {"N": "1"}, "bin": {"B": "not base64!"}},
    {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": 1}},
    {"pk": "a", "sk": {"N": "1"}},
]


@pytest.mark.parametrize("bad", BAD_ITEMS)
def test_bulk_load_refuses_what_put_item_refuses(bad: dict[str, Any]) -> None:
    emu = DynamoDBEmulator()
    emu.dispatch("CreateTable", {"TableName": "tbl", **RANGE_TABLE})
    load = BulkLoad(emu.get_table("tbl"))
    load.add_json({"pk": {"S": "ok"}, "sk": {"N": "1"}})
    with pytest.raises((DynamoDBError, ValueError)):
        load.add_json(bad)
    load.finish()
    assert emu.get_table("tbl").store.item_count == 1


def test_progress_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    emu = DynamoDBEmulator()
    emu.dispatch("CreateTable", {"TableName": "tbl", **HASH_TABLE})
    load = BulkLoad(emu.get_table("tbl"), progress_every=10)
    with caplog.at_level(logging.INFO, logger="theorydb_mocks.server.load"):
        for n in range(25):
            load.add_json({"id": {"B": _b64(bytes([n]))}})
        load.finish()
    messages = [r.getMessage() for r in caplog.records if r.name == "theorydb_mocks.server.load"]
    assert messages == ["tbl: 10 items loaded", "tbl: 20 items loaded", "tbl: 25 items loaded, table sorted"]


def test_a_table_with_items_or_a_stream_is_loaded_by_puts() -> None:
    emu = DynamoDBEmulator()
    emu.dispatch(
        "CreateTable",
        {
            "TableName": "tbl",
            **HASH_TABLE,
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        },
    )
    load = BulkLoad(emu.get_table("tbl"))
    assert load.direct
    load.add_json({"id": {"B": _b64(b"a")}})
    load.finish()
    assert emu.get_table("tbl").store.item_count == 1


# --- compact lines read by their shape's pattern (``add_json_lines``) ------------------------------------


def _line(item: dict[str, Any], style: str) -> bytes:
    if style == "compact":  # what exports and dumps write
        return json.dumps({"Item": item}, separators=(",", ":")).encode() + b"\n"
    if style == "spaced":
        return json.dumps({"Item": item}).encode() + b"\r\n"
    return json.dumps({"Item": item}, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


TRICKY_VALUES: list[dict[str, Any]] = [
    {"sk": {"N": "1" * 38}},  # the most digits a number may have
    {"sk": {"N": "1" * 39}},  # one more: refused
    {"sk": {"N": "0.0000000000000000000000000000000000001"}},  # 39 characters, canonical: the checked path
    {"sk": {"N": "-0"}},
    {"sk": {"N": "1.50"}},  # a key number to normalize: the checked path
    {"sk": {"N": "-12.5"}, "rank": {"N": "1" * 20 + "." + "1" * 19}},  # 39 digits in a non-key number
    {"sk": {"N": "7"}, "rank": {"N": "100.10"}},  # normalized, as PutItem does
    {"sk": {"N": "8"}, "rank": {"N": "1" * 30 + "0" * 9}},  # 39 characters, 30 digits: valid
    {"pk": {"S": ""}},
    {"pk": {"S": "k" * 1025}},  # a key longer than the loader's own limit: the checked path
    {"pk": {"S": "k" * 2049}},
    {"pk": {"S": 'quote " and \\ backslash'}},
    {"pk": {"S": "naïve"}},
    {"bin": {"B": "AAA"}},  # base64 characters, bad padding
    {"bin": {"B": ""}},  # an empty key binary
    {"tags": {"SS": ["a", "a"]}},
    {"tags": {"SS": ["", "b"]}},
    {"tags": {"SS": ['x","y']}},  # a member holding the separator (escaped: the JSON path)
    {"flag": {"BOOL": False}},
    {"name": {"S": "x" * 399_900}},  # past 400 KB with the rest of the item
]


def _tricky_lines() -> list[bytes]:
    rng = random.Random(11)
    base: dict[str, Any] = {
        "pk": {"S": "p"},
        "sk": {"N": "1"},
        "owner": {"S": "o"},
        "rank": {"N": "2"},
        "bin": {"B": _b64(b"\x01")},
        "name": {"S": "n"},
        "tags": {"SS": ["a", "b"]},
        "flag": {"BOOL": True},
    }
    lines = [_line(base, "compact")]
    for n, change in enumerate(TRICKY_VALUES * 3):
        item = {**base, "sk": {"N": str(100 + n)}, **change}
        lines.append(_line(item, rng.choice(["compact", "compact", "spaced", "unicode"])))
    for n in range(300):
        lines.append(_line(_range_item(rng, n), rng.choice(["compact", "compact", "spaced", "unicode"])))
    lines += [b"\n", b"   \n", b"not json\n", b'{"Item": 1}\n', b'{"Item":{"pk":{"S":"p"}}} extra\n']
    return lines


class _NoLines(LineShapes):
    @property
    def full(self) -> bool:
        return True  # no shape is ever added: every line is decoded as JSON


def _load_lines(lines: list[bytes], *, patterns: bool) -> tuple[DynamoDBEmulator, list[Any], BulkLoad]:
    emu = DynamoDBEmulator()
    emu.dispatch("CreateTable", {"TableName": "tbl", **RANGE_TABLE})
    load = BulkLoad(emu.get_table("tbl"))
    if not patterns:
        load._lines = _NoLines()
    errors: list[Any] = []
    counted = load.add_json_lines(iter(lines), lambda index, message: errors.append((index, message)))
    load.finish()
    return emu, [counted, errors, load.count], load


def test_lines_read_by_patterns_load_what_json_decoding_loads() -> None:
    lines = _tricky_lines()
    patterned, outcome, load = _load_lines(lines, patterns=True)
    decoded, expected, _ = _load_lines(lines, patterns=False)
    assert outcome == expected
    assert _state(patterned, "tbl") == _state(decoded, "tbl")
    assert load._lines._readers  # the patterns were used
    assert len(expected[1]) > 10  # and the refusals are the JSON path's, line for line


def test_lines_load_what_puts_build() -> None:
    rng = random.Random(5)
    items = [_range_item(rng, n) for n in range(400)]
    loaded, _, _ = _load_lines([_line(item, "compact") for item in items], patterns=True)
    put = DynamoDBEmulator()
    put.dispatch("CreateTable", {"TableName": "tbl", **RANGE_TABLE})
    for item in items:
        put.dispatch("PutItem", {"TableName": "tbl", "Item": _decoded(item)})
    assert _state(loaded, "tbl") == _state(put, "tbl")


def _no_error(index: int, message: str) -> None:
    raise AssertionError(f"line {index}: {message}")


def test_a_file_is_read_in_chunks_with_lines_across_them(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [_line({"id": {"B": _b64(bytes([n]))}, "v": {"N": str(n)}}, "compact") for n in range(50)]
    body = b"".join(lines) + b'{"Item":{"id":{"B":"/w=="}}}'  # the last line without its newline
    monkeypatch.setattr(_Lines, "CHUNK", 7)
    emu = DynamoDBEmulator()
    emu.dispatch("CreateTable", {"TableName": "tbl", **HASH_TABLE})
    load = BulkLoad(emu.get_table("tbl"))
    assert load.add_json_lines(io.BytesIO(body), _no_error) == (51, len(body))
    load.finish()
    assert emu.get_table("tbl").store.item_count == 51
    found = emu.dispatch("GetItem", {"TableName": "tbl", "Key": {"id": {"B": b"\x31"}}})
    assert found["Item"]["v"] == {"N": "49"}


def test_the_collector_is_paused_during_a_load_and_restored() -> None:
    seen: list[bool] = []

    def lines() -> Any:
        seen.append(gc.isenabled())
        yield _line({"id": {"B": "AA=="}}, "compact")

    emu = DynamoDBEmulator()
    emu.dispatch("CreateTable", {"TableName": "tbl", **HASH_TABLE})
    load = BulkLoad(emu.get_table("tbl"))
    assert gc.isenabled()
    load.add_json_lines(lines(), _no_error)
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        load.add_json_lines(lines(), _no_error)
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_a_load_in_a_with_block_keeps_the_collector_paused_between_files() -> None:
    emu = DynamoDBEmulator()
    emu.dispatch("CreateTable", {"TableName": "tbl", **HASH_TABLE})
    with BulkLoad(emu.get_table("tbl")) as load:
        for n in range(3):  # three files
            load.add_json_lines([_line({"id": {"B": _b64(bytes([n]))}}, "compact")], _no_error)
            assert not gc.isenabled()
        load.finish()
        assert not gc.isenabled()
    assert gc.isenabled()
    assert emu.get_table("tbl").store.item_count == 3
