"""Strategies for attribute values, items and keys, valid by DynamoDB's rules."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from theorydb_mocks.emulator._types import AttributeValue, Item, ScalarType
from theorydb_mocks.emulator.values import item_size

MAX_ITEM_BYTES = 400 * 1024
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024

_SCALARS: tuple[ScalarType, ...] = ("N", "S", "B")

_TEXT = st.characters(exclude_categories=["Cs"])


def strings(*, min_size: int = 0, max_size: int = 20) -> st.SearchStrategy[str]:
    """Unicode strings DynamoDB can store (any code point but lone surrogates)."""
    return st.text(_TEXT, min_size=min_size, max_size=max_size)


def binaries(*, min_size: int = 0, max_size: int = 20) -> st.SearchStrategy[bytes]:
    """Byte strings, including bytes >= 0x80 (DynamoDB orders binary as unsigned bytes)."""
    return st.binary(min_size=min_size, max_size=max_size)


@st.composite
def numbers(
    draw: st.DrawFn, *, max_digits: int = 38, min_exponent: int = -130, max_exponent: int = 125
) -> Decimal:
    """A number DynamoDB accepts: up to 38 significant digits, 1E-130 <= |n| < 1E+126, or zero."""
    if draw(st.integers(0, 9)) == 0:
        return Decimal(0)
    digits = draw(st.integers(1, max_digits))
    significand = draw(st.integers(10 ** (digits - 1), 10**digits - 1))
    # value = significand * 10**exp; keep the leading digit's exponent within DynamoDB's range.
    low = min_exponent
    high = max_exponent - (digits - 1)
    small = draw(st.booleans())
    exponent = draw(st.integers(-digits - 6, 6)) if small else draw(st.integers(low, max(low, high)))
    value = Decimal(significand).scaleb(exponent)
    return -value if draw(st.booleans()) else value


@st.composite
def number_strings(draw: st.DrawFn, *, max_digits: int = 38) -> str:
    """A valid number as DynamoDB receives it, in one of several spellings ("1.50", "15E-1", "+1.5")."""
    value = draw(numbers(max_digits=max_digits))
    style = draw(st.sampled_from(["plain", "sci", "trailing", "leading"]))
    if style == "sci" or abs(value.adjusted()) > 30:
        text = f"{value:E}" if value != 0 else "0"
    elif style == "trailing" and value != 0 and len(value.as_tuple().digits) < 38:
        text = format(value, "f")
        text = text + "0" if "." in text else text + ".0"
    elif style == "leading" and value >= 0:
        text = "0" + format(value, "f")
    else:
        text = format(value, "f")
    return text


def scalar_values(
    scalar_type: ScalarType, *, min_size: int = 0, max_size: int = 20
) -> st.SearchStrategy[AttributeValue]:
    """``{"S": ...}``, ``{"N": ...}`` or ``{"B": ...}``."""
    if scalar_type == "S":
        return strings(min_size=min_size, max_size=max_size).map(lambda s: {"S": s})
    if scalar_type == "N":
        return number_strings().map(lambda n: {"N": n})
    return binaries(min_size=min_size, max_size=max_size).map(lambda b: {"B": b})


def _distinct_numbers(values: list[str]) -> list[str]:
    seen: set[Decimal] = set()
    out = []
    for text in values:
        key = Decimal(text)
        if key not in seen:
            seen.add(key)
            out.append(text)
    return out


def _sets() -> st.SearchStrategy[AttributeValue]:
    return st.one_of(
        st.lists(strings(max_size=8), min_size=1, max_size=5, unique=True).map(lambda v: {"SS": v}),
        st.lists(number_strings(max_digits=12), min_size=1, max_size=5).map(
            lambda v: {"NS": _distinct_numbers(v)}
        ),
        st.lists(binaries(max_size=8), min_size=1, max_size=5, unique=True).map(lambda v: {"BS": v}),
    )


def attribute_values(*, max_depth: int = 2, allow_empty: bool = True) -> st.SearchStrategy[AttributeValue]:
    """Any value valid outside a key: scalars, BOOL, NULL, sets, and nested L/M up to ``max_depth``."""
    min_size = 0 if allow_empty else 1
    base = st.one_of(
        scalar_values("S", min_size=min_size),
        scalar_values("N"),
        scalar_values("B", min_size=min_size),
        st.booleans().map(lambda b: {"BOOL": b}),
        st.just({"NULL": True}),
        _sets(),
    )
    if max_depth <= 0:
        return base

    def extend(children: st.SearchStrategy[AttributeValue]) -> st.SearchStrategy[AttributeValue]:
        return st.one_of(
            st.lists(children, max_size=4).map(lambda v: {"L": v}),
            st.dictionaries(attribute_names(), children, max_size=4).map(lambda v: {"M": v}),
        )

    return st.recursive(base, extend, max_leaves=8)


def attribute_names(*, unicode: bool = False, max_size: int = 12) -> st.SearchStrategy[str]:
    """Non-empty attribute names; ASCII identifiers by default (readable failures), any text on request."""
    if unicode:
        return strings(min_size=1, max_size=max_size)
    return st.from_regex(rf"[a-z][a-zA-Z0-9_]{{0,{max(0, max_size - 1)}}}", fullmatch=True)


def key_values(
    scalar_type: ScalarType, *, sort_key: bool = False, near_limit: bool = False
) -> st.SearchStrategy[AttributeValue]:
    """A key attribute value: non-empty, within 2048 bytes (partition) or 1024 bytes (sort)."""
    limit = MAX_SORT_KEY_BYTES if sort_key else MAX_PARTITION_KEY_BYTES
    if scalar_type == "N":
        return scalar_values("N")
    if near_limit:
        if scalar_type == "B":
            return st.integers(limit - 8, limit).map(lambda n: {"B": b"\xff" * n})
        return st.integers(limit - 8, limit).map(lambda n: {"S": "k" * n})
    return scalar_values(scalar_type, min_size=1, max_size=12)


@st.composite
def keys(draw: st.DrawFn, key_schema: dict[str, ScalarType], *, near_limit: bool = False) -> Item:
    """A primary key for ``key_schema`` (``{"pk": "S", "sk": "N"}``: first entry is the partition key)."""
    out: Item = {}
    for position, (name, scalar_type) in enumerate(key_schema.items()):
        out[name] = draw(key_values(scalar_type, sort_key=position == 1, near_limit=near_limit))
    return out


@st.composite
def items(
    draw: st.DrawFn,
    key_schema: dict[str, ScalarType],
    *,
    max_attributes: int = 5,
    near_limit: bool = False,
    value_strategy: st.SearchStrategy[AttributeValue] | None = None,
) -> Item:
    """An item with a valid key for ``key_schema`` and up to ``max_attributes`` other attributes.

    ``near_limit=True`` adds a string attribute ``pad`` so the item is 1 to 64 bytes under 400 KB.
    """
    item = draw(keys(key_schema))
    others = draw(
        st.dictionaries(
            attribute_names().filter(lambda n: n not in key_schema and n != "pad"),
            attribute_values() if value_strategy is None else value_strategy,
            max_size=max_attributes,
        )
    )
    item.update(others)
    if near_limit:
        slack = draw(st.integers(1, 64))
        room = MAX_ITEM_BYTES - item_size(item) - len("pad") - slack
        item["pad"] = {"S": "p" * max(0, room)}
    return item
