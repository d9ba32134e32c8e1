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

import dataclasses
import datetime as dt
import enum
import types
import typing
import uuid
from collections.abc import Mapping, Sequence, Sized
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from hypothesis import strategies as st

__all__ = [
    "MAX_ITEM_BYTES",
    "MAX_PARTITION_KEY_BYTES",
    "MAX_SORT_KEY_BYTES",
    "Expression",
    "ExpressionKind",
    "attribute_names",
    "attribute_values",
    "binaries",
    "condition_expressions",
    "expressions_for_table",
    "invalid_expressions",
    "item_size",
    "items",
    "key_values",
    "keys",
    "model_instances",
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


# --- expressions for a table ----------------------------------------------------------------------------

ExpressionKind = Literal["key_condition", "condition", "filter", "update"]


def _safe_for_arithmetic(av: AttributeValue) -> bool:
    """Whether ``n + 9``, ``n - 9`` and ``n + n`` still fit 38 digits and DynamoDB's range."""
    if "N" not in av:
        return True
    value = Decimal(av["N"])
    if value == 0:
        return True
    digits = len("".join(map(str, value.as_tuple().digits)).rstrip("0"))  # normalize() would round to 28
    return value.adjusted() <= 120 and digits + max(0, -value.adjusted()) + 2 <= 38


def _byte_order(av: AttributeValue) -> Any:
    """DynamoDB's order of key values: numbers by value, strings by UTF-8 bytes, binary by bytes."""
    ((tag, value),) = av.items()
    if tag == "N":
        return Decimal(value)
    return value.encode() if tag == "S" else bytes(value)


@st.composite
def _key_conditions(draw: st.DrawFn, key_schema: dict[str, ScalarType], attributes: Item) -> Expression:
    builder = _Builder(draw, attributes)
    names = list(key_schema)
    pk = names[0]
    text = f"{builder.name(pk)} = {builder.value(attributes[pk])}"
    if len(names) < 2 or draw(st.integers(0, 4)) == 0:
        return builder.done(text)
    sk, sk_type = names[1], key_schema[names[1]]
    path = builder.name(sk)
    own = attributes[sk]
    other = draw(key_values(sk_type, sort_key=True))
    kind = draw(st.sampled_from(["=", "<", "<=", ">", ">=", "between", "begins_with"]))
    if kind == "between":
        low, high = sorted([own, other], key=_byte_order)
        text += f" AND {path} BETWEEN {builder.value(low)} AND {builder.value(high)}"
    elif kind == "begins_with" and sk_type != "N":
        ((tag, value),) = own.items()
        prefix = value[: draw(st.integers(1, len(value)))]
        text += f" AND begins_with({path}, {builder.value({tag: prefix})})"
    else:
        op = "=" if kind == "begins_with" else kind
        text += f" AND {path} {op} {builder.value(draw(st.sampled_from([own, other])))}"
    return builder.done(text)


def expressions_for_table(
    key_schema: dict[str, ScalarType], attributes: Item, *, kind: ExpressionKind = "condition"
) -> st.SearchStrategy[Expression]:
    """Valid expressions for one table: ``key_schema`` as for ``keys`` (partition key first), ``attributes``
    an item of the table (its key included) whose values guide typed operands.

    - ``key_condition``: the partition key's equality and maybe one sort key condition (=, <, <=, >, >=,
      BETWEEN in DynamoDB's order, begins_with) that the item satisfies or not;
    - ``condition``: a ConditionExpression over any of the attributes, keys included;
    - ``filter``: a query FilterExpression, so over the non-key attributes only (DynamoDB's rule);
    - ``update``: an UpdateExpression that never touches a key attribute, with arithmetic and ADD only on
      numbers that stay within 38 digits and DynamoDB's range when the item holds ``attributes``.

    A filter or update needs at least one non-key attribute (``InvalidArgument`` otherwise).

    >>> from hypothesis import given
    >>> item = {"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "2"}}
    >>> @given(expressions_for_table({"pk": "S", "sk": "N"}, item, kind="update"))
    ... def test_update(expression): ...
    """
    from hypothesis.errors import InvalidArgument

    missing = [name for name in key_schema if name not in attributes]
    if not key_schema or missing:
        raise InvalidArgument(f"attributes must hold every key attribute of {key_schema}; missing {missing}")
    if kind == "key_condition":
        return _key_conditions(key_schema, attributes)
    if kind == "condition":
        return condition_expressions(attributes)
    others = {name: av for name, av in attributes.items() if name not in key_schema}
    if kind == "filter":
        if not others:
            raise InvalidArgument("a filter needs a non-key attribute: DynamoDB refuses filters on keys")
        return condition_expressions(others)
    if kind != "update":
        raise InvalidArgument(f"kind must be key_condition, condition, filter or update, not {kind!r}")
    if not others:
        raise InvalidArgument("an update needs a non-key attribute: DynamoDB refuses updates of keys")
    # A number without room for arithmetic is shown to the builder as a string: it is only SET or removed.
    guide = {name: av if _safe_for_arithmetic(av) else {"S": av["N"]} for name, av in others.items()}
    return update_expressions(guide)


# --- instances of an ORM model ------------------------------------------------------------------------------
# Duck-typed: a model is anything with ``.model`` (a dataclass), ``.fields`` and optionally ``.pk``, ``.sk``
# and ``.indexes`` whose fields have ``python_name``; field options are read from the dataclass field's
# metadata. Nothing here imports theorydb_py (DESIGN.md: theorydb_mocks never does).

_META_KEY = "theorydb"
_INT_LIMIT = 10**38 - 1
_MIN_MAGNITUDE = 1.0000000000000001e-130
_MAX_MAGNITUDE = 9.99999999999999e125  # the nearest float to 9.999999999999999e125 is 1e126
_SET_MEMBERS = (str, int, float, Decimal, bytes)
_EPOCH_START = dt.datetime(1970, 1, 1)
_EPOCH_END = dt.datetime(2100, 1, 1)


def _floats() -> st.SearchStrategy[float]:
    return st.one_of(
        st.just(0.0),
        st.floats(_MIN_MAGNITUDE, _MAX_MAGNITUDE),
        st.floats(-_MAX_MAGNITUDE, -_MIN_MAGNITUDE),
    )


def _scalar_strategy(hint: Any, limit: int | None) -> st.SearchStrategy[Any] | None:
    """A scalar type the codec stores; ``limit`` (key bytes) makes strings and bytes non-empty and short."""
    low = 0 if limit is None else 1
    # A character takes up to 4 UTF-8 bytes: 20 of them stay far below the 1024-byte sort key limit.
    table: dict[Any, st.SearchStrategy[Any]] = {
        str: strings(min_size=low, max_size=20),
        bytes: binaries(min_size=low, max_size=20),
        bytearray: binaries(min_size=low, max_size=20).map(bytearray),
        bool: st.booleans(),
        int: st.integers(-_INT_LIMIT, _INT_LIMIT),
        float: _floats(),
        Decimal: numbers(),
        dt.datetime: st.datetimes(timezones=st.just(dt.UTC)),
        dt.date: st.dates(),
        uuid.UUID: st.uuids(),
    }
    return table.get(hint)


def _optional_of(hint: Any) -> tuple[Any, bool]:
    """``(T, True)`` for ``T | None``, else ``(hint, False)``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0], True
    return hint, False


def _dynamic_values() -> st.SearchStrategy[Any]:
    """Values of an ``Any`` field that read back equal (no floats: N reads back as int or Decimal)."""
    base = st.one_of(
        st.none(),
        st.booleans(),
        strings(max_size=10),
        st.integers(-_INT_LIMIT, _INT_LIMIT),
        numbers(),
        binaries(max_size=10),
        st.sets(strings(max_size=6), min_size=1, max_size=4),
    )
    return st.recursive(
        base,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(strings(min_size=1, max_size=6), inner, max_size=3)
        ),
        max_leaves=6,
    )


def _json_values() -> st.SearchStrategy[Any]:
    base = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        strings(max_size=10),
    )
    return st.recursive(
        base,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(strings(max_size=6), inner, max_size=3),
        max_leaves=6,
    )


class _Planner:
    """Builds, once and eagerly (so a field without a strategy fails at once), the strategy of a model."""

    def __init__(self, overrides: dict[str, st.SearchStrategy[Any]], table_keys: set[str]) -> None:
        self.overrides = overrides
        self.used: set[str] = set()
        self.table_keys = table_keys
        self.structs: dict[type, st.SearchStrategy[Any]] = {}

    def fail(self, where: str, why: str) -> Exception:
        from hypothesis.errors import InvalidArgument

        return InvalidArgument(f"{where}: {why}; pass a strategy for it: overrides={{{where!r}: ...}}")

    # -- plain values -----------------------------------------------------------------------------------

    def value(
        self, hint: Any, where: str, *, limit: int | None = None, nested: bool = False
    ) -> st.SearchStrategy[Any]:
        """Values of ``hint`` as the codec stores them; ``nested`` inside a list or map (no empty sets)."""
        inner, optional = _optional_of(hint)
        strategy = self._value(inner, where, limit, nested)
        return st.none() | strategy if optional and limit is None else strategy

    def _value(self, hint: Any, where: str, limit: int | None, nested: bool) -> st.SearchStrategy[Any]:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint is Any or hint is object:
            return _dynamic_values()
        scalar = _scalar_strategy(hint, limit)
        if scalar is not None:
            return scalar
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            storable = [m for m in hint if limit is None or m.value not in ("", b"")]
            if not storable:
                raise self.fail(where, f"enum {hint.__name__} has no storable member")
            return st.sampled_from(storable)
        if origin in (set, frozenset, AbstractSet):
            members = self.set_members(args, where, nested=nested)
            return members.map(frozenset) if origin is frozenset else members
        if origin in (list, Sequence) or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
            element = self.value(args[0], where + "[]", nested=True) if args else _dynamic_values()
            lists = st.lists(element, max_size=4)
            return lists.map(tuple) if origin is tuple else lists
        if origin in (dict, Mapping) and (not args or args[0] is str):
            element = self.value(args[1], where + ".*", nested=True) if args else _dynamic_values()
            return st.dictionaries(strings(min_size=1, max_size=8), element, max_size=4)
        if hint is list:
            return st.lists(_dynamic_values(), max_size=4)
        if hint is dict:
            return st.dictionaries(strings(min_size=1, max_size=8), _dynamic_values(), max_size=4)
        if hint is set:
            return st.sets(strings(max_size=6), min_size=1, max_size=4)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self.struct(hint)
        raise self.fail(where, f"cannot infer values of {hint!r}")

    def set_members(self, args: tuple[Any, ...], where: str, *, nested: bool) -> st.SearchStrategy[Any]:
        element = _optional_of(args[0])[0] if args else None
        if element not in _SET_MEMBERS:
            raise self.fail(where, f"a set of {element!r} is not storable")
        member = _scalar_strategy(element, None)
        assert member is not None
        return st.sets(member, min_size=1 if nested else 0, max_size=5)

    def json_value(self, hint: Any, where: str, *, nested: bool = False) -> st.SearchStrategy[Any]:
        """Values that come back equal from JSON text: JSON's own types and flat dataclasses of them."""
        inner, optional = _optional_of(hint)
        origin, args = typing.get_origin(inner), typing.get_args(inner)
        strategy: st.SearchStrategy[Any]
        if inner in (Any, object):
            strategy = _json_values()
        elif inner is str:
            strategy = strings(max_size=20)
        elif inner is bool:
            strategy = st.booleans()
        elif inner is int:
            strategy = st.integers()
        elif inner is float:
            strategy = st.floats(allow_nan=False, allow_infinity=False)
        elif inner is list or origin is list:
            strategy = st.lists(
                self.json_value(args[0], where, nested=True) if args else _json_values(), max_size=4
            )
        elif inner is dict or (origin is dict and args[0] is str):
            element = self.json_value(args[1], where, nested=True) if args else _json_values()
            strategy = st.dictionaries(strings(max_size=8), element, max_size=4)
        elif not nested and isinstance(inner, type) and dataclasses.is_dataclass(inner):
            hints = typing.get_type_hints(inner)
            fields = {
                f.name: self.json_value(hints[f.name], f"{where}.{f.name}", nested=True)
                for f in dataclasses.fields(inner)
                if f.init
            }
            strategy = st.builds(inner, **fields)
        else:
            raise self.fail(where, f"{hint!r} does not come back from JSON as itself")
        return st.none() | strategy if optional else strategy

    # -- fields and dataclasses ----------------------------------------------------------------------------

    def field(
        self, cls: type, field: dataclasses.Field[Any], hint: Any, limit: int | None, *, top: bool
    ) -> st.SearchStrategy[Any]:
        where = f"{cls.__name__}.{field.name}"
        for name in (where, field.name) if top else (where,):
            if name in self.overrides:
                self.used.add(name)
                return self.overrides[name]
        options = field.metadata.get(_META_KEY)
        roles = tuple(getattr(options, "roles", ()))
        inner, optional = _optional_of(hint)
        strategy: st.SearchStrategy[Any]
        if getattr(options, "converter", None) is not None:
            raise self.fail(where, "a field with a custom converter has no inferable values")
        if getattr(options, "json", False):
            strategy = self.json_value(hint, where)
        elif getattr(options, "binary", False):
            if inner in (bytes, bytearray, str):
                strategy = self.value(hint, where, limit=limit)
            else:
                strategy = self.json_value(hint, where)
        elif "ttl" in roles and inner is dt.datetime:
            stamps = st.datetimes(_EPOCH_START, _EPOCH_END, timezones=st.just(dt.UTC))
            strategy = stamps.map(lambda d: d.replace(microsecond=0))
            strategy = st.none() | strategy if optional else strategy
        elif "ttl" in roles or "version" in roles:
            strategy = st.integers(0, 2**32)
            strategy = st.none() | strategy if optional else strategy
        elif getattr(options, "set_", False) and typing.get_origin(inner) in (list, tuple, Sequence):
            build = tuple if typing.get_origin(inner) is tuple else list
            strategy = self.set_members(typing.get_args(inner), where, nested=False).map(
                lambda s: build(sorted(s))
            )
            strategy = st.none() | strategy if optional else strategy
        else:
            strategy = self.value(hint, where, limit=limit)
            if optional and limit is not None and field.name not in self.table_keys:
                strategy = st.none() | strategy  # a sparse index: the item is simply not in it
        absent = _absent_value(field, inner)
        omitempty = bool(getattr(options, "omitempty", False))
        return strategy.filter(lambda v: not _omitted(v, omitempty) or v == absent)

    def struct(self, cls: type, limits: dict[str, int] | None = None) -> st.SearchStrategy[Any]:
        """A dataclass; ``limits`` (top level only) bounds key fields; nested ones may be recursive."""
        if limits is None:
            if cls in self.structs:
                return self.structs[cls]
            self.structs[cls] = st.deferred(lambda: built)
        hints = typing.get_type_hints(cls)
        init: dict[str, st.SearchStrategy[Any]] = {}
        late: dict[str, st.SearchStrategy[Any]] = {}
        for member in dataclasses.fields(cls):
            if getattr(member.metadata.get(_META_KEY), "ignore", False):
                continue
            target = init if member.init else late
            limit = (limits or {}).get(member.name)
            target[member.name] = self.field(cls, member, hints[member.name], limit, top=limits is not None)
        built = st.builds(cls, **init)
        if late:
            built = st.tuples(built, st.fixed_dictionaries(late)).map(_set_late)
        if limits is None:
            self.structs[cls] = built
        return built


def _set_late(pair: tuple[Any, dict[str, Any]]) -> Any:
    instance, late = pair
    for name, value in late.items():
        object.__setattr__(instance, name, value)
    return instance


def _absent_value(field: dataclasses.Field[Any], hint: Any) -> Any:
    """What a field reads back as when its attribute is left out (None, an empty set, omitempty)."""
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    origin = typing.get_origin(hint) or hint
    empties: dict[Any, Any] = {
        set: set(),
        AbstractSet: set(),
        frozenset: frozenset(),
        list: [],
        Sequence: [],
        tuple: (),
        dict: {},
        Mapping: {},
    }
    return empties.get(origin)


def _omitted(value: Any, omitempty: bool) -> bool:
    if value is None:
        return True
    if isinstance(value, AbstractSet) and not value:
        return True
    return omitempty and isinstance(value, Sized) and len(value) == 0


def _table_keys(model: Any) -> set[str]:
    keys = (getattr(model, "pk", None), getattr(model, "sk", None))
    return {key.python_name for key in keys if key is not None}


def _key_limits(model: Any) -> dict[str, int]:
    """Python name -> byte limit of every table and index key field (index keys: non-empty too)."""
    limits: dict[str, int] = {}
    pairs = [(getattr(model, "pk", None), getattr(model, "sk", None))]
    pairs += [
        (getattr(i, "partition", None), getattr(i, "sort", None)) for i in getattr(model, "indexes", ())
    ]
    for partition, sort in pairs:
        for key, limit in ((partition, MAX_PARTITION_KEY_BYTES), (sort, MAX_SORT_KEY_BYTES)):
            if key is not None:
                name = key.python_name
                limits[name] = min(limit, limits.get(name, limit))
    return limits


def _stored_size(model: Any, instance: Any) -> int:
    item: Item = {}
    for f in model.fields:
        value = getattr(instance, f.python_name)
        av = None if value is None else f.codec.encode(value, f.python_name)
        if av is not None:
            item[f.attribute_name] = av
    return item_size(item)


def model_instances(
    model: Any,
    *,
    overrides: dict[str, st.SearchStrategy[Any]] | None = None,
    **field_strategies: st.SearchStrategy[Any],
) -> st.SearchStrategy[Any]:
    """Instances of a ``theorydb_py.ModelDefinition``'s dataclass that DynamoDB stores and gives back equal.

    Keys (of the table and its indexes) are non-empty and within the key size limits; numbers fit 38 digits
    and DynamoDB's range; datetimes are UTC (TTL ones whole seconds); sets hold the declared member type;
    nested dataclasses recurse; optional fields are sometimes None; a value that would be left out of the
    item (None, an empty set, an omitempty empty value) is drawn only when it reads back as the field's
    default; items stay under 400 KB. ``overrides={"field": strategy}`` (or ``field=strategy``; a nested
    dataclass's field as ``"Class.field"``) replaces a field's strategy and is required for converter fields
    and types the codec cannot infer: without it the call raises ``InvalidArgument`` naming the field.

    >>> from hypothesis import given
    >>> from theorydb_py import ModelDefinition, theorydb_field
    >>> @dataclass
    ... class User:
    ...     id: str = theorydb_field(roles="pk")
    ...     email: str = ""
    ...     tags: set[str] = field(default_factory=set)
    >>> users = ModelDefinition.from_dataclass(User, table_name="users")
    >>> @given(model_instances(users, email=st.emails()))
    ... def test_user(user):
    ...     assert user.id and "@" in user.email
    >>> test_user()
    """
    cls = getattr(model, "model", None)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)) or not hasattr(model, "fields"):
        from hypothesis.errors import InvalidArgument

        raise InvalidArgument(
            f"model_instances needs a ModelDefinition (with .model and .fields), not {model!r}"
        )
    chosen = {**(overrides or {}), **field_strategies}
    planner = _Planner(chosen, _table_keys(model))
    strategy = planner.struct(cls, _key_limits(model))
    unused = sorted(set(chosen) - planner.used)
    if unused:
        from hypothesis.errors import InvalidArgument

        known = ", ".join(f.name for f in dataclasses.fields(cls))
        raise InvalidArgument(
            f"{cls.__name__} has no stored field {unused[0]!r} (fields: {known}; a nested dataclass's "
            "field is named 'Class.field')"
        )
    return strategy.filter(lambda instance: _stored_size(model, instance) < MAX_ITEM_BYTES)
