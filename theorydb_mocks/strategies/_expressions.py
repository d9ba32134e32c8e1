"""Strategies for expressions: fragments, whole valid and invalid expressions, expressions for a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from hypothesis import strategies as st

from theorydb_mocks.emulator._types import AttributeValue, Item, ScalarType
from theorydb_mocks.strategies._values import (
    _SCALARS,
    attribute_values,
    key_values,
    scalar_values,
    strings,
)


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
    _, digits, exponent = value.as_tuple()
    text = "".join(map(str, digits))  # not normalize(): it would round to 28 digits
    lowest = int(exponent) + len(text) - len(text.rstrip("0"))  # the place of the last non-zero digit
    # The result spans from the units (or the highest digit) down to the units (or the lowest digit), plus
    # one place for a carry: 1E+38 + 1 needs 39 digits although 1E+38 has one.
    span = max(value.adjusted(), 0) - min(lowest, 0) + 1
    return value.adjusted() <= 120 and span + 1 <= 38


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
