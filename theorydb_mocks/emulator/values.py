"""AttributeValue rules: types, number precision and canonical form, ordering, equality and sizes.

Everything here is a pure function on boto3 low-level attribute values (``{"S": "x"}``, ``{"N": "1.5"}``,
``{"B": b"..."}``...). Storage, expressions and request validation all share these rules so that the
emulator agrees with itself and with DynamoDB.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
and "Item sizes and formats":
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html

>>> normalize_number("1.50"), normalize_number("-0"), normalize_number("1E+2")
('1.5', '0', '100')
>>> item_size({"pk": {"S": "a"}, "n": {"N": "12345.6789"}})
10
>>> compare_values({"N": "10"}, {"N": "9"})
1
"""

from __future__ import annotations

import re
from decimal import Context, Decimal
from functools import lru_cache
from typing import Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator._types import AttributeValue, Item
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error, validation_error

__all__ = [
    "CANONICAL_NUMBER",
    "MAX_NESTING",
    "TYPE_NAMES",
    "attribute_value_size",
    "canonical_number",
    "canonical_number_text",
    "compare_values",
    "item_size",
    "java_utf8",
    "key_sort_value",
    "normalize_number",
    "number_size",
    "number_value",
    "type_of",
    "utf8_size",
    "validate_attribute_value",
    "validate_item",
    "validate_sized_item",
    "values_equal",
]

# The ten DynamoDB data types, in the order the documentation lists them.
TYPE_NAMES: tuple[str, ...] = ("S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M")
_TYPE_SET = frozenset(TYPE_NAMES)

MAX_NESTING = 32  # levels of an attribute value: the top-level value is level 1; the 33rd is refused

# Java's BigDecimal (DynamoDB's parser) accepts any Unicode decimal digit, as `\d` does on str patterns.
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_MAX_DIGITS = 38
_MAX_ADJUSTED = 125  # largest power of ten of the leading digit: 9.99...E+125
_MIN_ADJUSTED = -130  # smallest: 1E-130
_MAX_EXPONENT_TEXT = 2**31 - 1  # BigDecimal's scale is a Java int: larger exponents are not numbers
_EXACT = Context(prec=_MAX_DIGITS + 2)  # enough for any valid DynamoDB number, so no rounding happens


def _parse_number(text: object) -> Decimal:
    """Parse and range-check a number; the Decimal is exact (at most 38 significant digits)."""
    if not isinstance(text, str) or _NUMBER_RE.fullmatch(text) is None:
        raise validation_error(M.NOT_A_NUMBER)
    exponent = text.lower().partition("e")[2]
    if exponent and abs(int(exponent)) > _MAX_EXPONENT_TEXT:
        raise validation_error(M.NOT_A_NUMBER)
    return _check_decimal(Decimal(text))


def _check_decimal(value: Decimal) -> Decimal:
    """Strip a finite Decimal's zeros and check DynamoDB's precision and range; exact, never rounded."""
    if value.is_zero():
        return Decimal(0)
    sign, digits, exp = value.as_tuple()
    assert isinstance(exp, int)
    start = 0
    while digits[start] == 0:
        start += 1
    end = len(digits)
    while digits[end - 1] == 0:
        end -= 1
        exp += 1
    significant = digits[start:end]
    adjusted = exp + len(significant) - 1
    if len(significant) > _MAX_DIGITS:
        raise validation_error(M.NUMBER_PRECISION)
    if adjusted > _MAX_ADJUSTED:
        raise validation_error(M.NUMBER_OVERFLOW)
    if adjusted < _MIN_ADJUSTED:
        raise validation_error(M.NUMBER_UNDERFLOW)
    return Decimal((sign, significant, exp))


@lru_cache(maxsize=8192)
def normalize_number(text: str) -> str:
    """DynamoDB's canonical text for a number, or its ValidationException.

    DynamoDB stores numbers without exponent, sign of zero, or leading and trailing zeros, so a number
    read back never looks like the one written (``"1.50"`` reads as ``"1.5"``).

    >>> normalize_number("00012.300"), normalize_number("-12.5e-3"), normalize_number("1e20")
    ('12.3', '-0.0125', '100000000000000000000')
    >>> normalize_number("1e126")
    Traceback (most recent call last):
    ...
    theorydb_mocks.emulator.errors.DynamoDBError: ValidationException: Number overflow. Attempting to store \
a number with magnitude larger than supported range
    """
    value = _parse_number(text)
    return "0" if value.is_zero() else format(value, "f")


# A number's text as DynamoDB stores it: no exponent, no sign of zero, no leading or trailing zeros, at most
# 38 digits on either side of the point (``canonical_number_text`` counts them all).
CANONICAL_NUMBER = r"(?!-0(?![.0-9]))-?(?:0|[1-9][0-9]{0,37})(?:\.[0-9]{0,37}[1-9])?"
_CANONICAL = re.compile(CANONICAL_NUMBER)


def canonical_number_text(text: str) -> str:
    """:func:`normalize_number`, answering ``text`` itself (the same object) when it is canonical already
    with at most 38 digits on either side of the point (every such text of 38 characters or fewer): what
    exports and dumps hold, so loading them costs one check per number, not a parse.

    >>> canonical_number_text("12.5"), canonical_number_text("12.50"), canonical_number_text("-0")
    ('12.5', '12.5', '0')
    """
    if text.isdigit() and text.isascii() and len(text) <= _MAX_DIGITS and (text[0] != "0" or text == "0"):
        return text  # the most common case: a plain integer
    if _CANONICAL.fullmatch(text) and len(text.replace(".", "").lstrip("-0")) <= _MAX_DIGITS:
        return text
    return normalize_number(text)


def number_value(text: str) -> Decimal:
    """The exact Decimal of a DynamoDB number string (validated as :func:`normalize_number` does)."""
    return _parse_number(text)


def canonical_number(value: Decimal) -> str:
    """DynamoDB's canonical text for a computed number (a sum in an update), or its ValidationException.

    >>> canonical_number(Decimal("2.50") + Decimal("0.50"))
    '3'
    """
    checked = _check_decimal(value)
    return "0" if checked.is_zero() else format(checked, "f")


def type_of(av: AttributeValue) -> str:
    """The type name of a (valid) attribute value: ``"S"``, ``"N"``, ``"M"``...

    >>> type_of({"NULL": True})
    'NULL'
    """
    for name in av:
        return name
    raise validation_error(M.EMPTY_VALUE)


def java_utf8(text: str) -> bytes:
    """The UTF-8 bytes DynamoDB stores for ``text``: a lone surrogate (JSON ``"\\ud800"``) becomes ``?``.

    DynamoDB reads strings as UTF-16 (Java) and writes them as UTF-8, which replaces an unpaired surrogate
    with ``?``: it counts one byte, and ``"\\ud800"`` and ``"?"`` are the same key (DynamoDB Local 3.3.0,
    probed). A surrogate pair written as two code points is one character, as in Java.

    >>> java_utf8("a\\ud800"), java_utf8("\\ud83d\\ude00") == "\\U0001f600".encode()
    (b'a?', True)
    """
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        joined = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        return joined.encode("utf-8", "replace")


def utf8_size(text: str) -> int:
    """``len(java_utf8(text))``, without encoding ASCII text."""
    return len(text) if text.isascii() else len(java_utf8(text))


def key_sort_value(av: AttributeValue) -> str | Decimal | bytes:
    """The sort key of an S, N or B value in DynamoDB's order.

    Strings order by UTF-8 bytes, which for valid text is code point order, as Python compares ``str``;
    numbers numerically (exact Decimals); binaries as unsigned bytes.

    >>> sorted([{"N": "10"}, {"N": "-2"}, {"N": "9.5"}], key=key_sort_value)
    [{'N': '-2'}, {'N': '9.5'}, {'N': '10'}]
    """
    if "S" in av:
        text: str = av["S"]
        if text.isascii():
            return text
        return java_utf8(text).decode("utf-8")  # lone surrogates key as "?", as in DynamoDB
    if "N" in av:
        return Decimal(av["N"])
    if "B" in av:
        return bytes(av["B"])
    raise validation_error(M.UNSUPPORTED_KEY_TYPE.format(kind=next(iter(av), "")))


# ---------------------------------------------------------------------------------------------- validation


def _serialization(expected: str) -> DynamoDBError:
    return ddb_error("SerializationException", M.UNEXPECTED_VALUE_TYPE.format(expected=expected))


def _java_list(members: list[str]) -> str:
    return "[" + ", ".join(members) + "]"


def validate_attribute_value(av: Any, level: int = 1) -> AttributeValue:
    """A normalized copy of ``av`` (numbers in canonical form, nested values too), or DynamoDB's error.

    Empty strings and binaries are valid here; keys are the data plane's concern.

    >>> validate_attribute_value({"L": [{"N": "1.50"}, {"NS": ["2", "01"]}]})
    {'L': [{'N': '1.5'}, {'NS': ['2', '1']}]}
    >>> validate_attribute_value({"SS": []})
    Traceback (most recent call last):
    ...
    theorydb_mocks.emulator.errors.DynamoDBError: ValidationException: One or more parameter values were \
invalid: An string set  may not be empty
    """
    if not isinstance(av, dict):
        raise _serialization("a structure")
    if level > MAX_NESTING:
        raise validation_error(M.VALUE_TOO_DEEP)
    present = [name for name in av if name in _TYPE_SET and av[name] is not None]
    if not present:
        raise validation_error(M.EMPTY_VALUE)
    if len(present) > 1:
        raise validation_error(M.TWO_TYPES)
    kind = present[0]
    value = av[kind]
    match kind:
        case "S":
            if not isinstance(value, str):
                raise _serialization("a string")
            return {"S": value}
        case "N":
            if not isinstance(value, str):
                raise _serialization("a string")
            return {"N": normalize_number(value)}
        case "B":
            if not isinstance(value, bytes | bytearray):
                raise _serialization("a blob")
            return {"B": bytes(value)}
        case "BOOL":
            if not isinstance(value, bool):
                raise _serialization("a boolean")
            return {"BOOL": value}
        case "NULL":
            if not isinstance(value, bool):
                raise _serialization("a boolean")
            if not value:
                raise validation_error(M.NULL_NOT_TRUE)
            return {"NULL": True}
        case "SS":
            return {"SS": _validate_string_set(value)}
        case "NS":
            return {"NS": _validate_number_set(value)}
        case "BS":
            return {"BS": _validate_binary_set(value)}
        case "L":
            if not isinstance(value, list | tuple):
                raise _serialization("a list")
            return {"L": [validate_attribute_value(member, level + 1) for member in value]}
        case _:  # "M"
            if not isinstance(value, dict):
                raise _serialization("a map")
            return {"M": _validate_map(value, level + 1)}


def _validate_string_set(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(m, str) for m in value):
        raise _serialization("a list of strings")
    if not value:
        raise validation_error(M.EMPTY_SS)
    if len(set(value)) != len(value):
        raise validation_error(M.DUPLICATE_SS.format(members=_java_list(list(value))))
    return list(value)


def _validate_number_set(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(m, str) for m in value):
        raise _serialization("a list of strings")
    if not value:
        raise validation_error(M.EMPTY_NS)
    if len(set(value)) != len(value):
        raise validation_error(M.DUPLICATE_NS)
    normalized = [normalize_number(member) for member in value]
    if len(set(normalized)) != len(normalized):
        raise validation_error(M.DUPLICATE_NS)
    return normalized


def _validate_binary_set(value: Any) -> list[bytes]:
    if not isinstance(value, list | tuple) or not all(isinstance(m, bytes | bytearray) for m in value):
        raise _serialization("a list of blobs")
    if not value:
        raise validation_error(M.EMPTY_BS)
    members = [bytes(member) for member in value]
    if len(set(members)) != len(members):
        raise validation_error(M.DUPLICATE_BS)
    return members


def _validate_map(value: dict[Any, Any], level: int = 1) -> Item:
    result: Item = {}
    for name, member in value.items():
        if not isinstance(name, str):
            raise _serialization("a string")
        if not name:
            raise validation_error(M.EMPTY_NAME)
        result[name] = validate_attribute_value(member, level)
    return result


def validate_item(item: Any) -> Item:
    """A normalized copy of a whole item (attribute names non-empty, every value valid).

    >>> validate_item({"pk": {"S": "a"}, "n": {"N": "+5."}})
    {'pk': {'S': 'a'}, 'n': {'N': '5'}}
    """
    if not isinstance(item, dict):
        raise _serialization("a map")
    return _validate_map(item)


def validate_sized_item(item: Any) -> tuple[Item, int]:
    """:func:`validate_item` and :func:`item_size` of the result in one pass (the PutItem hot path:
    strings and canonical numbers are checked, copied and measured inline; anything else goes through
    :func:`validate_attribute_value`, in the same order, so errors are the same).

    >>> validate_sized_item({"pk": {"S": "a"}, "n": {"N": "+5."}})
    ({'pk': {'S': 'a'}, 'n': {'N': '5'}}, 6)
    """
    if not isinstance(item, dict):
        raise _serialization("a map")
    result: Item = {}
    total = 0
    for name, av in item.items():
        if type(name) is not str:
            raise _serialization("a string")
        if not name:
            raise validation_error(M.EMPTY_NAME)
        total += len(name) if name.isascii() else utf8_size(name)
        if type(av) is dict and len(av) == 1:
            text = av.get("S")
            if type(text) is str:
                result[name] = {"S": text}
                total += len(text) if text.isascii() else utf8_size(text)
                continue
            text = av.get("N")
            if type(text) is str:
                number = normalize_number(text)
                result[name] = {"N": number}
                total += number_size(number)
                continue
            members = av.get("SS")
            if type(members) is list and members:
                texts = [m for m in members if type(m) is str]  # a copy the store may keep
                if len(texts) == len(members) and len(set(texts)) == len(texts):
                    result[name] = {"SS": texts}
                    for text in texts:
                        total += len(text) if text.isascii() else utf8_size(text)
                    continue
        value = result[name] = validate_attribute_value(av)
        total += attribute_value_size(value)
    return result, total


# ---------------------------------------------------------------------------------------------- comparison


def values_equal(a: AttributeValue, b: AttributeValue) -> bool:
    """DynamoDB equality: same type and value; numbers numerically, sets unordered, L and M deeply.

    >>> values_equal({"NS": ["1", "2.0"]}, {"NS": ["2", "1"]}), values_equal({"N": "1"}, {"S": "1"})
    (True, False)
    """
    kind_a = type_of(a)
    if kind_a not in b:
        return False
    x, y = a[kind_a], b[kind_a]
    match kind_a:
        case "N":
            return bool(Decimal(x) == Decimal(y))
        case "NS":
            return {Decimal(m) for m in x} == {Decimal(m) for m in y}
        case "SS" | "BS":
            return set(x) == set(y)
        case "L":
            return len(x) == len(y) and all(values_equal(p, q) for p, q in zip(x, y, strict=True))
        case "M":
            return x.keys() == y.keys() and all(values_equal(x[k], y[k]) for k in x)
        case _:
            return bool(x == y)


def compare_values(a: AttributeValue, b: AttributeValue) -> int | None:
    """-1, 0 or 1 for two S, two N or two B values; None for any other pair (such comparisons are false).

    >>> compare_values({"S": "a"}, {"S": "B"}), compare_values({"S": "1"}, {"N": "1"})
    (1, None)
    """
    kind_a = type_of(a)
    if kind_a not in ("S", "N", "B") or kind_a not in b:
        return None
    x = key_sort_value(a)
    y = key_sort_value(b)
    if x < y:  # type: ignore[operator]  # both sides are of the same type here
        return -1
    return 1 if x > y else 0  # type: ignore[operator]


# ---------------------------------------------------------------------------------------------- sizes


def _measure_number(text: str) -> int:
    """Bytes of a number: base-100 digit pairs aligned on the decimal point, plus one exponent byte.

    Negative numbers carry one more (terminator) byte unless the mantissa already has 20 pairs; zero is 1
    byte. Measured against DynamoDB Local's 400 KB limit, byte by byte.
    """
    if "e" in text or "E" in text:
        value = Decimal(text)
        if value.is_zero():
            return 1
        sign, digit_tuple, exp = value.normalize(_EXACT).as_tuple()
        assert isinstance(exp, int)
        count = len(digit_tuple)
    else:  # plain decimal text (what stored numbers are): string work only, 5x faster than Decimal (vectors)
        negative = text.startswith("-")
        whole, _, fraction = text.lstrip("+-").partition(".")
        digits = (whole + fraction).lstrip("0")
        if not digits:
            return 1
        significant = digits.rstrip("0")
        sign = 1 if negative else 0
        exp = len(digits) - len(significant) - len(fraction)
        count = len(significant)
    adjusted = exp + count - 1
    pairs = adjusted // 2 - exp // 2 + 1
    return 1 + pairs + (1 if sign and pairs < 20 else 0)


# A plain number's size depends only on where its zeros are (digit pairs around the point, leading and
# trailing zeros dropped), so it is remembered per signature: the text with every other digit written as 1
# ("-120.05" -> "-110.01"). A few hundred signatures cover any data set, where a cache per text is defeated by
# every new number (a counter's each increment; a million distinct numbers in an import).
NUMBER_SIGNATURE = str.maketrans("23456789", "11111111")
NUMBER_SIZES: dict[str, int] = {}  # by signature; read inline by compiled item parsers
_MAX_NUMBER_SIGNATURES = 65_536


def number_size(text: str) -> int:
    """Bytes a number's text counts for (``_measure_number``), remembered per signature (bounded)."""
    signature = text.translate(NUMBER_SIGNATURE)
    size = NUMBER_SIZES.get(signature)
    if size is None:
        size = _measure_number(text)
        if len(NUMBER_SIZES) < _MAX_NUMBER_SIGNATURES and "e" not in text and "E" not in text:
            NUMBER_SIZES[signature] = size
    return size


def attribute_value_size(av: AttributeValue) -> int:
    """Bytes a value counts for in DynamoDB's item size (400 KB limit, capacity units), without its name.

    >>> attribute_value_size({"S": "é€"}), attribute_value_size({"N": "-1"}), attribute_value_size({"L": []})
    (5, 3, 3)
    """
    kind = type_of(av)
    value = av[kind]
    match kind:
        case "S":
            return utf8_size(value)
        case "N":
            return number_size(value)
        case "B":
            return len(value)
        case "SS":
            return sum(utf8_size(m) for m in value)
        case "NS":
            return sum(number_size(m) for m in value)
        case "BS":
            return sum(len(m) for m in value)
        case "L":  # numbers inline: vectors are long lists of them (measured: benchmarks/bench_vectors.py)
            total = 3 + len(value)
            for member in value:
                text = member.get("N") if len(member) == 1 else None
                total += number_size(text) if text is not None else attribute_value_size(member)
            return total
        case "M":
            return 3 + sum(1 + utf8_size(k) + attribute_value_size(m) for k, m in value.items())
        case _:  # BOOL, NULL
            return 1


def item_size(item: Item) -> int:
    """Bytes of an item: each attribute name's UTF-8 length plus its value's size.

    >>> item_size({"pk": {"S": "a"}, "m": {"M": {"ab": {"NULL": True}}}})
    11
    """
    return sum(utf8_size(name) + attribute_value_size(av) for name, av in item.items())
