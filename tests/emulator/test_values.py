"""Unit tests for the AttributeValue rules (messages as DynamoDB Local 3.3.0 writes them)."""

from __future__ import annotations

from decimal import Context, Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.values import (
    attribute_value_size,
    canonical_number,
    canonical_number_text,
    compare_values,
    item_size,
    key_sort_value,
    normalize_number,
    number_value,
    type_of,
    validate_attribute_value,
    validate_item,
    values_equal,
)

NOT_A_NUMBER = "A value provided cannot be converted into a number"
OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
PRECISION = "DynamoDB only supports precision up to 38 digits"


def error_of(fn: Any, *args: Any) -> tuple[str, str]:
    with pytest.raises(DynamoDBError) as info:
        fn(*args)
    return info.value.code, info.value.message


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("1.50", "1.5"),
        ("-0", "0"),
        ("-0.000", "0"),
        ("0e10", "0"),
        ("1E+2", "100"),
        ("1e+5", "100000"),
        ("+1", "1"),
        (".5", "0.5"),
        ("5.", "5"),
        ("00012", "12"),
        ("1.2300e5", "123000"),
        ("123.456e-2", "1.23456"),
        ("1E-5", "0.00001"),
        ("-12.5e-3", "-0.0125"),
        ("1e20", "100000000000000000000"),
        ("1e-130", "0." + "0" * 129 + "1"),
        ("9.9999999999999999999999999999999999999E+125", "99999999999999999999999999999999999999" + "0" * 88),
        ("1234567890123456789012345678901234567800000", "1234567890123456789012345678901234567800000"),
        ("١", "1"),  # Java's BigDecimal accepts any Unicode digit, and so does DynamoDB
    ],
)
def test_normalize_number_canonical_form(text: str, canonical: str) -> None:
    assert normalize_number(text) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", NOT_A_NUMBER),
        ("", NOT_A_NUMBER),
        (" 1", NOT_A_NUMBER),
        ("1 ", NOT_A_NUMBER),
        ("1e", NOT_A_NUMBER),
        ("0x10", NOT_A_NUMBER),
        ("NaN", NOT_A_NUMBER),
        ("Infinity", NOT_A_NUMBER),
        ("1_0", NOT_A_NUMBER),
        ("-", NOT_A_NUMBER),
        (".", NOT_A_NUMBER),
        ("e5", NOT_A_NUMBER),
        ("+-1", NOT_A_NUMBER),
        ("1e99999999999", NOT_A_NUMBER),
        ("1e126", OVERFLOW),
        ("-1e126", OVERFLOW),
        ("1e-131", UNDERFLOW),
        ("-1e-131", UNDERFLOW),
        ("123456789012345678901234567890123456789", PRECISION),
        ("1.23456789012345678901234567890123456789e200", PRECISION),
        ("1.23456789012345678901234567890123456789e-200", PRECISION),
    ],
)
def test_normalize_number_errors(text: str, message: str) -> None:
    assert error_of(normalize_number, text) == ("ValidationException", message)


@settings(max_examples=60)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=None, min_value=-(10**30), max_value=10**30))
def test_normalize_number_round_trips_numerically(value: Decimal) -> None:
    text = str(value)
    digits = len(value.normalize(Context(prec=1000)).as_tuple().digits)
    if value.is_zero() or digits <= 38:
        canonical = normalize_number(text)
        assert Decimal(canonical) == value
        assert normalize_number(canonical) == canonical
        assert "e" not in canonical.lower()


def test_key_sort_value_orders_like_dynamodb() -> None:
    numbers = [{"N": n} for n in ["10", "-2", "9.5", "0", "-10.5", "1e-130"]]
    assert [av["N"] for av in sorted(numbers, key=key_sort_value)] == [
        "-10.5",
        "-2",
        "0",
        "1e-130",
        "9.5",
        "10",
    ]
    # Strings order by UTF-8 bytes: uppercase before lowercase, then non-ASCII; U+FFFF before U+10000.
    strings = [{"S": s} for s in ["b", "a", "B", "é", "\uffff", "😀", ""]]
    assert [av["S"] for av in sorted(strings, key=key_sort_value)] == ["", "B", "a", "b", "é", "\uffff", "😀"]
    binaries = [{"B": b} for b in [b"\xff", b"\x00", b"\x7f", b"\x80\x00"]]
    assert [av["B"] for av in sorted(binaries, key=key_sort_value)] == [
        b"\x00",
        b"\x7f",
        b"\x80\x00",
        b"\xff",
    ]
    big = "1234567890123456789012345678901234567"
    assert key_sort_value({"N": big + "8"}) == Decimal(big + "8")
    assert Decimal(big + "8") < Decimal(big + "9")


def test_key_sort_value_rejects_non_key_types() -> None:
    assert error_of(key_sort_value, {"BOOL": True})[0] == "ValidationException"


@pytest.mark.parametrize(
    ("av", "message"),
    [
        ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        ({"Q": "x"}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
        (
            {"S": "a", "N": "1"},
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
            "supported datatypes",
        ),
        ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty"),
        ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty"),
        ({"BS": []}, "One or more parameter values were invalid: Binary sets should not be empty"),
        (
            {"SS": ["b", "a", "b", "c"]},
            "One or more parameter values were invalid: Input collection [b, a, b, c] contains duplicates.",
        ),
        ({"NS": ["1", "2", "1"]}, "Input collection contains duplicates"),
        ({"NS": ["1", "1.0"]}, "Input collection contains duplicates"),
        ({"NS": ["1", "1", "abc"]}, "Input collection contains duplicates"),
        ({"NS": ["1", "abc"]}, NOT_A_NUMBER),
        ({"NS": ["1e200"]}, OVERFLOW),
        (
            {"BS": [b"a", b"a"]},
            "One or more parameter values were invalid: Input collection of type BS contains duplicates.",
        ),
        (
            {"NULL": False},
            "One or more parameter values were invalid: Null attribute value types must "
            "have the value of true",
        ),
        ({"M": {"y": {"L": [{"N": "abc"}]}}}, NOT_A_NUMBER),
        (
            {"M": {"y": {}}},
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes",
        ),
        (
            {"L": [{"NULL": False}]},
            "One or more parameter values were invalid: Null attribute value types must "
            "have the value of true",
        ),
        (
            {"M": {"a": {"SS": ["q", "q"]}}},
            "One or more parameter values were invalid: Input collection [q, q] contains duplicates.",
        ),
        ({"M": {"": {"S": ""}}}, "Empty attribute name"),
    ],
)
def test_validate_attribute_value_errors(av: Any, message: str) -> None:
    assert error_of(validate_attribute_value, av) == ("ValidationException", message)


@pytest.mark.parametrize("av", [{"S": 5}, {"N": 5}, {"BOOL": "true"}, {"B": "text"}, {"L": "x"}, "S", None])
def test_validate_attribute_value_rejects_wrong_json_types(av: Any) -> None:
    assert error_of(validate_attribute_value, av)[0] == "SerializationException"


def test_validate_attribute_value_normalizes_a_copy() -> None:
    original: Any = {
        "M": {"a": {"L": [{"N": "1.50"}, {"NS": ["02", "1e1"]}, {"S": ""}, {"B": bytearray(b"")}]}}
    }
    result = validate_attribute_value(original)
    assert result == {"M": {"a": {"L": [{"N": "1.5"}, {"NS": ["2", "10"]}, {"S": ""}, {"B": b""}]}}}
    assert original["M"]["a"]["L"][0] == {"N": "1.50"}
    assert validate_attribute_value({"SS": [""]}) == {"SS": [""]}
    assert validate_attribute_value({"M": {}}) == {"M": {}}
    assert validate_attribute_value({"L": []}) == {"L": []}


def test_validate_item() -> None:
    assert validate_item({"pk": {"S": "a"}, "n": {"N": "+5."}}) == {"pk": {"S": "a"}, "n": {"N": "5"}}
    assert error_of(validate_item, {"": {"S": "a"}}) == ("ValidationException", "Empty attribute name")
    assert error_of(validate_item, ["x"])[0] == "SerializationException"


def test_values_equal() -> None:
    assert values_equal({"N": "1.0"}, {"N": "1"})
    assert not values_equal({"N": "1"}, {"S": "1"})
    assert values_equal({"SS": ["a", "b"]}, {"SS": ["b", "a"]})
    assert values_equal({"NS": ["1", "2.0"]}, {"NS": ["2", "1"]})
    assert values_equal({"BS": [b"a"]}, {"BS": [b"a"]})
    assert not values_equal({"SS": ["a"]}, {"SS": ["a", "b"]})
    assert values_equal(
        {"L": [{"N": "1"}, {"M": {"x": {"NULL": True}}}]}, {"L": [{"N": "1.0"}, {"M": {"x": {"NULL": True}}}]}
    )
    assert not values_equal({"L": [{"N": "1"}, {"N": "2"}]}, {"L": [{"N": "2"}, {"N": "1"}]})
    assert not values_equal({"L": [{"N": "1"}]}, {"L": [{"N": "1"}, {"N": "1"}]})
    assert not values_equal({"M": {"a": {"S": "x"}}}, {"M": {"b": {"S": "x"}}})
    assert values_equal({"BOOL": False}, {"BOOL": False})
    assert not values_equal({"BOOL": False}, {"BOOL": True})


def test_compare_values() -> None:
    assert compare_values({"N": "10"}, {"N": "9"}) == 1
    assert compare_values({"N": "1.0"}, {"N": "1"}) == 0
    assert compare_values({"S": "B"}, {"S": "a"}) == -1
    assert compare_values({"B": b"\x80"}, {"B": b"\x7f"}) == 1
    assert compare_values({"S": "1"}, {"N": "1"}) is None
    assert compare_values({"BOOL": True}, {"BOOL": True}) is None
    assert compare_values({"SS": ["a"]}, {"SS": ["a"]}) is None


AVS: list[dict[str, Any]] = [{"S": ""}, {"NULL": True}, {"M": {}}]


def test_type_of() -> None:
    assert [type_of(v) for v in AVS] == ["S", "NULL", "M"]


@pytest.mark.parametrize(
    ("av", "size"),
    # Each size measured on DynamoDB Local 3.3.0 by finding the padding at which its 400 KB limit trips.
    [
        ({"S": "abc"}, 3),
        ({"S": "é€😀"}, 9),
        ({"N": "0"}, 1),
        ({"N": "1"}, 2),
        ({"N": "12"}, 2),
        ({"N": "123"}, 3),
        ({"N": "-1"}, 3),
        ({"N": "0.1"}, 2),
        ({"N": "0.5"}, 2),
        ({"N": "1.5"}, 3),
        ({"N": "10"}, 2),
        ({"N": "100"}, 2),
        ({"N": "-100"}, 3),
        ({"N": "-0.001"}, 3),
        ({"N": "12345.6789"}, 6),
        ({"N": "-1234567890123456789012345678901234567.8"}, 21),
        ({"N": "0." + "0" * 129 + "1"}, 2),
        ({"N": "-1" + "0" * 125}, 3),
        ({"NS": ["1", "-12", "0"]}, 6),
        ({"SS": ["a", "bc"]}, 3),
        ({"BS": [b"ab", b""]}, 2),
        ({"B": b"\x00\x01"}, 2),
        ({"NULL": True}, 1),
        ({"BOOL": False}, 1),
        ({"M": {}}, 3),
        ({"L": []}, 3),
        ({"L": [{"NULL": True}]}, 5),
        ({"M": {"ab": {"NULL": True}}}, 7),
        ({"L": [{"L": []}, {"M": {}}]}, 11),
        ({"M": {"a": {"M": {"b": {"S": "cc"}}}}}, 12),
    ],
)
def test_attribute_value_size(av: Any, size: int) -> None:
    assert attribute_value_size(av) == size


def test_item_size_counts_names_in_utf8() -> None:
    assert item_size({"é": {"S": ""}}) == 2
    assert item_size({"pk": {"S": "a"}, "sk": {"N": "1"}, "p": {"B": b"xyz"}}) == 11


def test_number_value_and_canonical_number() -> None:
    assert number_value("1.50") == Decimal("1.5")
    assert canonical_number(Decimal("5") + Decimal("5.00")) == "10"
    assert canonical_number(Decimal("-0.000")) == "0"
    assert error_of(canonical_number, Decimal("1e126")) == ("ValidationException", OVERFLOW)
    exact_sum = Context(prec=400).add(Decimal("1e100"), Decimal("1e-20"))
    assert error_of(canonical_number, exact_sum) == ("ValidationException", PRECISION)
    assert error_of(number_value, "x") == ("ValidationException", NOT_A_NUMBER)


def test_normalize_number_is_cached() -> None:
    normalize_number.cache_clear()
    for _ in range(3):
        normalize_number("12.50")
    info = normalize_number.cache_info()
    assert (info.hits, info.misses) == (2, 1)


@settings(max_examples=500)
@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
        lambda d: abs(d) < Decimal("1e100") and len(d.normalize(Context(prec=60)).as_tuple().digits) <= 38
    ),
    st.booleans(),
)
def test_number_size_of_plain_text_matches_the_decimal_rule(value: Decimal, plain: bool) -> None:
    """The string-only size of plain decimal text (the fast path) equals the rule computed with Decimal."""
    text = format(value, "f") if plain else str(value)
    if value.is_zero():
        expected = 1
    else:
        sign, digits, exp = value.normalize(Context(prec=60)).as_tuple()
        assert isinstance(exp, int)
        adjusted = exp + len(digits) - 1
        pairs = adjusted // 2 - exp // 2 + 1
        expected = 1 + pairs + (1 if sign and pairs < 20 else 0)
    assert attribute_value_size({"N": text}) == expected


NUMBER_TEXTS = st.one_of(
    st.from_regex(r"-?[0-9]{1,45}(\.[0-9]{1,45})?", fullmatch=True),
    st.from_regex(r"-?0\.0{100,140}[1-9]", fullmatch=True),  # near and past 1E-130
    st.sampled_from(
        ["-0", "0", "0.0", "1e5", "1E-2", "+1", "1.", ".5", "٣", "1" * 38, "1" * 39, "9" * 38 + ".9"]
    ),
)


@settings(max_examples=500, deadline=None)
@given(NUMBER_TEXTS)
def test_canonical_number_text_answers_what_normalize_number_answers(text: str) -> None:
    def answer(fn: Any) -> Any:
        try:
            return fn(text)
        except DynamoDBError as err:
            return err.code, err.message

    expected = answer(normalize_number)
    assert answer(canonical_number_text) == expected
    if expected == text and len(text) <= 38:
        assert canonical_number_text(text) is text  # canonical already: the same object, no parse
