"""Hypothesis strategies for DynamoDB data: attribute values, items, keys and expression fragments.

Everything generated is valid by DynamoDB's rules unless the strategy's name says otherwise: numbers have
at most 38 significant digits and a magnitude between 1E-130 and 9.99...E+125, sets are non-empty with
distinct members (numbers distinct by value, not by spelling), key values are non-empty and within the key
size limits, and items stay under 400 KB (``near_limit=True`` pads them to just under it). Used by the
conformance corpus; usable in any property test of code that talks to DynamoDB.

>>> from hypothesis import given
>>> @given(attribute_values())
... def test_round_trip(av): ...
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from hypothesis import strategies as st

__all__ = [
    "MAX_ITEM_BYTES",
    "MAX_PARTITION_KEY_BYTES",
    "MAX_SORT_KEY_BYTES",
    "Expression",
    "attribute_names",
    "attribute_values",
    "binaries",
    "condition_expressions",
    "invalid_expressions",
    "item_size",
    "items",
    "key_values",
    "keys",
    "number_strings",
    "numbers",
    "scalar_values",
    "strings",
    "update_expressions",
]

MAX_ITEM_BYTES = 400 * 1024
MAX_PARTITION_KEY_BYTES = 2048
MAX_SORT_KEY_BYTES = 1024
ScalarType = Literal["S", "N", "B"]

_SCALARS: tuple[ScalarType, ...] = ("N", "S", "B")
AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

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


def _value_size(av: AttributeValue) -> int:
    ((tag, value),) = av.items()
    if tag == "S":
        return len(value.encode())
    if tag == "B":
        return len(value)
    if tag == "N":
        digits = len(Decimal(value).as_tuple().digits)
        return (digits + 1) // 2 + 1
    if tag in ("BOOL", "NULL"):
        return 1
    if tag == "SS":
        return sum(len(v.encode()) for v in value)
    if tag == "BS":
        return sum(len(v) for v in value)
    if tag == "NS":
        return sum(_value_size({"N": v}) for v in value)
    if tag == "L":
        return 3 + sum(1 + _value_size(v) for v in value)
    return 3 + sum(len(k.encode()) + 1 + _value_size(v) for k, v in value.items())


def item_size(item: Item) -> int:
    """An estimate of DynamoDB's item size (names plus values), exact for scalar-only items."""
    return sum(len(name.encode()) + _value_size(av) for name, av in item.items())


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
            value_strategy or attribute_values(),
            max_size=max_attributes,
        )
    )
    item.update(others)
    if near_limit:
        slack = draw(st.integers(1, 64))
        room = MAX_ITEM_BYTES - item_size(item) - len("pad") - slack
        item["pad"] = {"S": "p" * max(0, room)}
    return item


@dataclass(frozen=True, slots=True)
class Expression:
    """An expression with exactly the placeholders it uses."""

    text: str
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, AttributeValue] = field(default_factory=dict)

    def request(self, member: str) -> dict[str, Any]:
        """The request members ``{member: text, "ExpressionAttributeNames": ...}``, empty maps omitted."""
        out: dict[str, Any] = {member: self.text}
        if self.names:
            out["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            out["ExpressionAttributeValues"] = dict(self.values)
        return out


class _Builder:
    """Hands out placeholders for names and values as a random expression is drawn."""

    def __init__(self, draw: st.DrawFn, attributes: dict[str, AttributeValue]) -> None:
        self.draw = draw
        self.attributes = attributes
        self.names: dict[str, str] = {}
        self.values: dict[str, AttributeValue] = {}

    def name(self, attribute: str) -> str:
        for placeholder, existing in self.names.items():
            if existing == attribute:
                return placeholder
        placeholder = f"#n{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, av: AttributeValue) -> str:
        placeholder = f":v{len(self.values)}"
        self.values[placeholder] = av
        return placeholder

    def path(self) -> str:
        attribute = self.draw(st.sampled_from(sorted(self.attributes)))
        path = self.name(attribute)
        av = self.attributes[attribute]
        if "M" in av and av["M"] and self.draw(st.booleans()):
            path += "." + self.name(self.draw(st.sampled_from(sorted(av["M"]))))
        elif "L" in av and self.draw(st.booleans()):
            path += f"[{self.draw(st.integers(0, 3))}]"
        return path

    def operand_value(self, *, ordered: bool = False) -> str:
        """A value operand; ``ordered`` (for <, <=, >, >=) keeps to N, S and B, the only ordered types."""
        attribute = self.draw(st.sampled_from(sorted(self.attributes)))
        like = self.attributes[attribute]
        if self.draw(st.booleans()) and (not ordered or next(iter(like)) in ("N", "S", "B")):
            return self.value(like)
        if ordered:
            scalar = self.draw(st.sampled_from(_SCALARS))
            return self.value(self.draw(scalar_values(scalar, min_size=1, max_size=6)))
        return self.value(self.draw(attribute_values(max_depth=0, allow_empty=False)))

    def condition(self, depth: int) -> str:
        kind = self.draw(st.integers(0, 9 if depth > 0 else 6))
        if kind == 0:
            op = self.draw(st.sampled_from(["=", "<>", "<", "<=", ">", ">="]))
            left = f"size({self.path()})" if self.draw(st.integers(0, 4)) == 0 else self.path()
            right = (
                self.value({"N": str(self.draw(st.integers(0, 5)))})
                if left.startswith("size")
                else self.operand_value(ordered=op not in ("=", "<>"))
            )
            return f"{left} {op} {right}"
        if kind == 1:
            low, high = sorted([self.draw(st.integers(-5, 5)), self.draw(st.integers(-5, 5))])
            return f"{self.path()} BETWEEN {self.value({'N': str(low)})} AND {self.value({'N': str(high)})}"
        if kind == 2:
            count = self.draw(st.integers(1, 4))
            return f"{self.path()} IN ({', '.join(self.operand_value() for _ in range(count))})"
        if kind == 3:
            fn = self.draw(st.sampled_from(["attribute_exists", "attribute_not_exists"]))
            return f"{fn}({self.path()})"
        if kind == 4:
            t = self.draw(st.sampled_from(["S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"]))
            return f"attribute_type({self.path()}, {self.value({'S': t})})"
        if kind == 5:
            prefix = self.draw(strings(min_size=1, max_size=3))
            return f"begins_with({self.path()}, {self.value({'S': prefix})})"
        if kind == 6:
            return f"contains({self.path()}, {self.operand_value()})"
        if kind == 7:
            return f"NOT {self.condition(depth - 1)}"
        if kind == 8:
            # A group always holds a junction: DynamoDB rejects "((x))" as redundant parentheses.
            joiner = self.draw(st.sampled_from(["AND", "OR"]))
            return f"({self.condition(depth - 1)} {joiner} {self.condition(depth - 1)})"
        joiner = self.draw(st.sampled_from(["AND", "OR"]))
        return f"{self.condition(depth - 1)} {joiner} {self.condition(depth - 1)}"

    def done(self, text: str) -> Expression:
        return Expression(text, dict(self.names), dict(self.values))


@st.composite
def condition_expressions(
    draw: st.DrawFn, attributes: dict[str, AttributeValue], *, max_depth: int = 2
) -> Expression:
    """A syntactically and semantically valid condition or filter over the given attributes (name -> a
    sample value that guides typed operands), with every placeholder used exactly as defined."""
    builder = _Builder(draw, attributes)
    return builder.done(builder.condition(max_depth))


@st.composite
def update_expressions(draw: st.DrawFn, attributes: dict[str, AttributeValue]) -> Expression:
    """A valid update expression over distinct top-level attributes: SET (=, +, -, if_not_exists,
    list_append), REMOVE, ADD and DELETE, each clause at most once."""
    builder = _Builder(draw, attributes)
    chosen = draw(st.lists(st.sampled_from(sorted(attributes)), min_size=1, max_size=4, unique=True))
    clauses: dict[str, list[str]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
    for attribute in chosen:
        path = builder.name(attribute)
        av = attributes[attribute]
        action = draw(st.sampled_from(["set", "arith", "ifnot", "append", "remove", "add", "delete"]))
        if action == "arith" and "N" in av:
            sign = draw(st.sampled_from(["+", "-"]))
            clauses["SET"].append(
                f"{path} = {path} {sign} {builder.value({'N': str(draw(st.integers(0, 9)))})}"
            )
        elif action == "ifnot":
            clauses["SET"].append(f"{path} = if_not_exists({path}, {builder.value(av)})")
        elif action == "append" and "L" in av:
            items_value = builder.value({"L": [{"N": str(draw(st.integers(0, 9)))}]})
            clauses["SET"].append(f"{path} = list_append({path}, {items_value})")
        elif action == "remove":
            clauses["REMOVE"].append(path)
        elif action == "add" and ("N" in av or "SS" in av or "NS" in av):
            clauses["ADD"].append(f"{path} {builder.value(av)}")
        elif action == "delete" and ("SS" in av or "NS" in av or "BS" in av):
            clauses["DELETE"].append(f"{path} {builder.value(av)}")
        else:
            replacement = draw(attribute_values(max_depth=1))
            clauses["SET"].append(f"{path} = {builder.value(replacement)}")
    order = draw(st.permutations(list(clauses)))
    text = " ".join(f"{clause} {', '.join(parts)}" for clause in order if (parts := clauses[clause]))
    return builder.done(text)


_NOISE = [
    "(",
    ")",
    ",",
    "AND",
    "OR",
    "NOT",
    "=",
    "<>",
    "BETWEEN",
    "IN",
    "size(",
    "#zz",
    ":zz",
    "[0]",
    ".",
    "foo(",
]


@st.composite
def invalid_expressions(draw: st.DrawFn, valid: st.SearchStrategy[Expression]) -> Expression:
    """A valid expression mutated into (usually) an invalid one: a token dropped, inserted or swapped, an
    undefined or unused placeholder, a reserved word as a bare name. Some mutations stay valid, which is
    fine: both backends are asked the same question."""
    base = draw(valid)
    tokens = base.text.split(" ")
    names, values = dict(base.names), dict(base.values)
    mutation = draw(st.integers(0, 6))
    if mutation == 0 and len(tokens) > 1:
        del tokens[draw(st.integers(0, len(tokens) - 1))]
    elif mutation == 1:
        tokens.insert(draw(st.integers(0, len(tokens))), draw(st.sampled_from(_NOISE)))
    elif mutation == 2 and values:
        values[":unused"] = {"S": "x"}
    elif mutation == 3 and names:
        names["#unused"] = "nobody"
    elif mutation == 4 and values:
        values.pop(draw(st.sampled_from(sorted(values))))
    elif mutation == 5 and names:
        victim = draw(st.sampled_from(sorted(names)))
        reserved = draw(st.sampled_from(["size", "name", "status", "data", "value", "key"]))
        tokens = [t.replace(victim, reserved) for t in tokens]
        names.pop(victim)
    else:
        position = draw(st.integers(0, max(0, len(tokens) - 1)))
        tokens[position] = tokens[position][::-1] or "?"
    return Expression(" ".join(tokens), names, values)
