"""Values: every attribute type, ordering, number rules, sizes and empty-value rules, emulator vs Local."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conformance import allowlist
from tests.conformance.harness import (
    B,
    Case,
    Differential,
    N,
    Outcome,
    S,
    call,
    get,
    put,
    run_case,
    table_spec,
)

T = table_spec("t", ("pk", "S"), ("sk", "N"))
HASH_S = table_spec("h", ("pk", "S"))
HASH_B = table_spec("hb", ("pk", "B"))
RANGE_S = table_spec("rs", ("pk", "S"), ("sk", "S"))
RANGE_B = table_spec("rb", ("pk", "S"), ("sk", "B"))
GSI_S = table_spec(
    "g",
    ("pk", "S"),
    gsis=[
        {
            "IndexName": "by_g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
    extra_attributes=[("g", "S")],
)


def key(pk: str = "a", sk: int | str = 1) -> dict[str, Any]:
    return {"pk": S(pk), "sk": N(sk)}


def roundtrip(name: str, value: dict[str, Any], expect: str = "ok") -> Case:
    return Case(
        f"roundtrip-{name}",
        [put({**key(), "v": value}, expect), get(key())],
        tables=[T],
    )


ROUNDTRIPS = [
    roundtrip("S", S("héllo 𝄞")),
    roundtrip("S-empty", S("")),
    roundtrip("N", N("1.50")),
    roundtrip("B", B(b"\x00\xff\x80")),
    roundtrip("B-empty", B(b"")),
    roundtrip("BOOL-true", {"BOOL": True}),
    roundtrip("BOOL-false", {"BOOL": False}),
    roundtrip("NULL", {"NULL": True}),
    roundtrip("NULL-false", {"NULL": False}, "ValidationException"),
    roundtrip("SS", {"SS": ["b", "a", "é"]}),
    roundtrip("NS", {"NS": ["3", "1.50", "-2"]}),
    roundtrip("BS", {"BS": [b"\x01", b"\x00"]}),
    roundtrip("L", {"L": [S("x"), N("2.0"), {"L": []}, {"M": {}}]}),
    roundtrip("M", {"M": {"a": {"M": {"b": {"L": [{"NULL": True}]}}}, "é 𝄞": S("unicode name")}}),
    roundtrip("M-empty-key", {"M": {"": S("empty name")}}, "ValidationException"),
    roundtrip("L-empty", {"L": []}),
    roundtrip("M-empty", {"M": {}}),
    roundtrip("SS-empty", {"SS": []}, "ValidationException"),
    roundtrip("NS-empty", {"NS": []}, "ValidationException"),
    roundtrip("BS-empty", {"BS": []}, "ValidationException"),
    roundtrip("SS-duplicate", {"SS": ["a", "a"]}, "ValidationException"),
    roundtrip("NS-duplicate-by-value", {"NS": ["1", "1.0"]}, "ValidationException"),
    roundtrip("BS-duplicate", {"BS": [b"x", b"x"]}, "ValidationException"),
    roundtrip("SS-with-empty-string", {"SS": ["", "a"]}),
    roundtrip("NS-bad-member", {"NS": ["1", "x"]}, "ValidationException"),
    roundtrip("nested-bad-number", {"M": {"a": {"L": [N("1e999")]}}}, "ValidationException"),
    roundtrip("nested-empty-set", {"L": [{"SS": []}]}, "ValidationException"),
]

NUMBER_SPELLINGS = [
    "1.50",
    "0.0",
    "-0",
    "1E+2",
    "1e2",
    "0001",
    "+1",
    ".5",
    "5.",
    "-0.000",
    "1.0E-5",
    "12345678901234567890123456789012345678",
    "1234567890123456789012345678901234567800000",
    "0.00000000000000000000000000000000000000012345678901234567890123456789012345678",
    "9.9999999999999999999999999999999999999E+125",
    "-9.9999999999999999999999999999999999999E+125",
    "1E-130",
    "-1E-130",
]
NUMBER_ERRORS = [
    "123456789012345678901234567890123456789",
    "1E+126",
    "1E-131",
    "abc",
    "",
    " 1",
    "1 ",
    "1e",
    "NaN",
    "Infinity",
    "-Infinity",
    "1.2.3",
    "0x10",
    "1_000",
    "--1",
]

NUMBERS = [roundtrip(f"number-{text!r}", N(text)) for text in NUMBER_SPELLINGS] + [
    roundtrip(f"number-error-{text!r}", N(text), "ValidationException") for text in NUMBER_ERRORS
]


def ordering(name: str, table: dict[str, Any], sort_values: list[dict[str, Any]]) -> Case:
    calls = [put({"pk": S("p"), "sk": value}, table=table["TableName"]) for value in sort_values]
    query = {
        "TableName": table["TableName"],
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": S("p")},
    }
    calls.append(call("query", **query))
    calls.append(call("query", ScanIndexForward=False, **query))
    return Case(f"ordering-{name}", calls, tables=[table])


ORDERINGS = [
    ordering(
        "N",
        T,
        [
            N(v)
            for v in [
                "10",
                "9",
                "-1",
                "0",
                "1E-130",
                "-1E-130",
                "9.9999999999999999999999999999999999999E+125",
                "-9.9999999999999999999999999999999999999E+125",
                "12345678901234567890123456789012345678",
                "12345678901234567890123456789012345677",
                "0.5",
                "1.000000000000000000000000000000000001",
            ]
        ],
    ),
    ordering("S-utf8-bytes", RANGE_S, [S(v) for v in ["a", "B", "é", "\uffff", "𝄞", "Z", "aa", " ", "~"]]),
    ordering("B-unsigned", RANGE_B, [B(v) for v in [b"\x00", b"\x7f", b"\x80", b"\xff", b"\x00\x00", b"a"]]),
]


def size_case(name: str, item: dict[str, Any], expect: str, table: dict[str, Any] = HASH_S) -> Case:
    return Case(f"size-{name}", [put(item, expect, table=table["TableName"])], tables=[table])


# Item size counts UTF-8 name lengths plus value sizes: pk "a" is 2 + 1 bytes, "x" is 1 byte of name.
_ROOM = 400 * 1024 - 3 - 1
SIZES = [
    size_case("item-exactly-400KB", {"pk": S("a"), "x": S("x" * _ROOM)}, "ok"),
    size_case("item-400KB-plus-1", {"pk": S("a"), "x": S("x" * (_ROOM + 1))}, "ValidationException"),
    size_case("item-400KB-binary", {"pk": S("a"), "x": B(b"\x00" * _ROOM)}, "ok"),
    size_case("item-over-in-map", {"pk": S("a"), "x": {"M": {"y": S("y" * _ROOM)}}}, "ValidationException"),
    size_case("partition-key-2048", {"pk": S("k" * 2048)}, "ok"),
    size_case("partition-key-2049", {"pk": S("k" * 2049)}, "ValidationException"),
    size_case("partition-key-multibyte-2049", {"pk": S("é" * 1024 + "k")}, "ValidationException"),
    size_case("partition-key-binary-2048", {"pk": B(b"\xff" * 2048)}, "ok", HASH_B),
    size_case("partition-key-binary-2049", {"pk": B(b"\xff" * 2049)}, "ValidationException", HASH_B),
    size_case("sort-key-1024", {"pk": S("a"), "sk": S("s" * 1024)}, "ok", RANGE_S),
    size_case("sort-key-1025", {"pk": S("a"), "sk": S("s" * 1025)}, "ValidationException", RANGE_S),
    size_case("sort-key-binary-1025", {"pk": S("a"), "sk": B(b"s" * 1025)}, "ValidationException", RANGE_B),
    # DynamoDB Local 3.3.0 answers InternalFailure for names near the 64 KB limit: only a long-ish one here.
    size_case("attribute-name-long", {"pk": S("a"), "n" * 1000: S("x")}, "ok"),
]

EMPTY_AND_KEYS = [
    Case("empty-partition-key", [put({"pk": S("")}, "ValidationException", table="h")], tables=[HASH_S]),
    Case("empty-sort-key", [put({"pk": S("a"), "sk": S("")}, "ValidationException", table="rs")], [RANGE_S]),
    Case("empty-binary-key", [put({"pk": B(b"")}, "ValidationException", table="hb")], tables=[HASH_B]),
    Case("empty-gsi-key", [put({"pk": S("a"), "g": S("")}, "ValidationException", table="g")], [GSI_S]),
    Case("gsi-key-wrong-type", [put({"pk": S("a"), "g": N(1)}, "ValidationException", table="g")], [GSI_S]),
    Case("key-wrong-type", [put({"pk": N(1), "sk": N(1)}, "ValidationException")], tables=[T]),
    Case("key-missing-sort", [put({"pk": S("a")}, "ValidationException")], tables=[T]),
    Case("key-missing-partition", [put({"sk": N(1)}, "ValidationException")], tables=[T]),
    Case("key-as-set", [put({"pk": {"SS": ["a"]}, "sk": N(1)}, "ValidationException")], tables=[T]),
    Case("get-extra-key-attribute", [get({**key(), "x": S("x")}, "ValidationException")], tables=[T]),
    Case("get-missing-sort-key", [get({"pk": S("a")}, "ValidationException")], tables=[T]),
    Case("get-wrong-key-type", [get({"pk": S("a"), "sk": S("1")}, "ValidationException")], tables=[T]),
    Case("get-key-number-normalized", [put(key("a", "1.0")), get({"pk": S("a"), "sk": N("1.000")})], [T]),
    Case("get-empty-key-value", [get({"pk": S(""), "sk": N(1)}, "ValidationException")], tables=[T]),
    Case("number-key-bad", [put({"pk": S("a"), "sk": N("1e999")}, "ValidationException")], tables=[T]),
]

ALL_CASES = ROUNDTRIPS + NUMBERS + ORDERINGS + SIZES + EMPTY_AND_KEYS


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_values(diff: Differential, case: Case) -> None:
    run_case(diff, case)


# -- the allow-list entries this file's cases need: each accepts its difference and nothing else ------------


def _quirk(op: str, request: dict[str, Any], local: Outcome, emu: Outcome) -> str | None:
    found = allowlist.match(op, request, local, emu)
    return None if found is None else found.id


def _ok(**body: Any) -> Outcome:
    return Outcome(True, body)


def _err(message: str) -> Outcome:
    return Outcome(False, {"Code": "ValidationException", "Message": message})


def test_number_normalization_accepts_only_the_canonical_text_of_locals_numbers() -> None:
    def item(n: str, nested: str, members: list[str]) -> Outcome:
        return _ok(
            Item={
                "n": {"N": n},
                "l": {"L": [{"N": nested}, {"NS": members}]},
                "m": {"M": {"N": {"S": "10.00"}}},
            }
        )

    local = item("10.00", "5.6E+2", ["-2.5E-1", "1"])
    assert _quirk("get_item", {}, local, item("10", "560", ["-0.25", "1"])) == "number-normalization"
    assert allowlist.canonical_number("-0.000") == "0"
    assert allowlist.canonical_number("1.0633E-3") == "0.0010633"
    # Near misses: another number, a non-canonical text, a string that looks like a number, a lost member.
    assert _quirk("get_item", {}, local, item("10.0", "560", ["-0.25", "1"])) is None
    assert _quirk("get_item", {}, local, item("11", "560", ["-0.25", "1"])) is None
    assert _quirk("get_item", {}, local, item("10", "5.6E+2", ["-0.25"])) is None
    strings = _ok(Item={"m": {"M": {"N": {"S": "10.00"}}}})
    assert _quirk("get_item", {}, strings, _ok(Item={"m": {"M": {"N": {"S": "10"}}}})) is None
    assert _quirk("get_item", {}, local, local) is None
    assert _quirk("get_item", {}, local, _err("x")) is None


def test_written_key_wording_names_an_attribute_of_the_written_item() -> None:
    request = {"Item": {"pk": N(1), "sk": N(1)}}
    typed = "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    local = _err(allowlist.LOCAL_KEY_TYPE)
    assert _quirk("put_item", request, local, _err(typed)) == "key-type-wording"
    assert _quirk("put_item", request, local, _err(typed.replace("pk", "sk"))) == "key-type-wording"
    assert _quirk("put_item", request, local, _err(typed.replace("actual: N", "actual: S"))) is None
    assert _quirk("put_item", request, local, _err(typed.replace("pk", "zz"))) is None
    assert _quirk("put_item", request, _err("Invalid attribute value type"), _err(typed)) is None
    missing = "One or more parameter values were invalid: Missing the key sk in the item"
    batch = {"RequestItems": {"t": [{"PutRequest": {"Item": {"pk": S("a")}}}]}}
    local = _err(allowlist.LOCAL_MISSING_KEY)
    assert _quirk("put_item", {"Item": {"pk": S("a")}}, local, _err(missing)) == "missing-key-wording"
    assert _quirk("batch_write_item", batch, local, _err(missing)) == "missing-key-wording"
    assert _quirk("put_item", {"Item": {"pk": S("a"), "sk": N(1)}}, local, _err(missing)) is None
    assert _quirk("put_item", {"Item": {"pk": S("a")}}, local, _err(missing + ".")) is None


def test_key_mismatch_wording_covers_locals_three_sentences_on_request_keys_only() -> None:
    service = _err(allowlist.SERVICE_KEY_MISMATCH)
    for local in (allowlist.LOCAL_KEY_CONDITIONS, allowlist.LOCAL_KEY_TYPE, allowlist.LOCAL_MISSING_KEY):
        assert _quirk("get_item", {}, _err(local), service) == "key-mismatch-wording"
        assert _quirk("put_item", {"Item": {}}, _err(local), service) is None
    assert _quirk("get_item", {}, _err("Invalid attribute value type"), service) is None
