"""Typed key conditions, filters and conditions that render to DynamoDB expression strings.

Builders make small immutable trees; rendering checks every field against the model (unknown and
encrypted fields are refused before any request is sent), encodes values with the field's codec (so custom
converters apply) and names placeholders as FORMATS.md §3 fixes them: filters ``#f_<attr>`` and
``:f1, :f2, ...`` in build order, conditions ``#c_<attr>`` and ``:c1, ...``, projections ``#p_<attr>``,
key conditions ``#pk``/``#sk`` with ``:pk``, ``:sk``, ``:sk1``/``:sk2``.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html

>>> cond = eq("status", "active") & (gt("age", 30) | not_exists("deleted_at"))
>>> cond
(status = 'active' AND (age > 30 OR attribute_not_exists(deleted_at)))
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any, Literal, cast

from theorydb_py._types import AttributeValue, ScalarType
from theorydb_py.errors import ValidationError
from theorydb_py.model import FieldDefinition, ModelDefinition

__all__ = [
    "Condition",
    "Expression",
    "FilterCondition",
    "FilterGroup",
    "Size",
    "SortKeyCondition",
    "and_",
    "begins_with",
    "between",
    "contains",
    "eq",
    "exists",
    "gt",
    "gte",
    "in_",
    "key_condition",
    "lt",
    "lte",
    "multi_key_condition",
    "ne",
    "not_",
    "not_exists",
    "operator_condition",
    "or_",
    "projection",
    "render",
    "size",
    "type_",
]

_ATTRIBUTE_TYPES = frozenset({"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"})
_COMPARATORS = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_IN_LIMIT = 100
_SORT_OPS = {o: o for o in ("=", "<", "<=", ">", ">=")} | {"between": "BETWEEN", "begins_with": "begins_with"}
# TableTheory's operator strings (trimmed, any case) -> one canonical name.
_OPERATORS = {
    "=": "=", "EQ": "=", "!=": "<>", "<>": "<>", "NE": "<>", "<": "<", "LT": "<", "<=": "<=", "LE": "<=",
    ">": ">", "GT": ">", ">=": ">=", "GE": ">=", "BETWEEN": "BETWEEN", "IN": "IN",
    "BEGINS_WITH": "BEGINS_WITH", "CONTAINS": "CONTAINS", "EXISTS": "EXISTS", "ATTRIBUTE_EXISTS": "EXISTS",
    "NOT_EXISTS": "NOT_EXISTS", "ATTRIBUTE_NOT_EXISTS": "NOT_EXISTS",
}  # fmt: skip


class Condition:
    """A filter or condition. Combine with ``&``, ``|`` and ``~`` (or ``and_``, ``or_``, ``not_``).

    Truth testing raises, so that ``a and b`` (which would silently drop ``a``) is caught.
    """

    __slots__ = ()

    def __and__(self, other: Condition) -> Condition:
        return and_(self, other)

    def __or__(self, other: Condition) -> Condition:
        return or_(self, other)

    def __invert__(self) -> Condition:
        return not_(self)

    def __bool__(self) -> bool:
        raise TypeError("a Condition has no truth value: combine conditions with & | ~, not and/or/not")


@dataclasses.dataclass(frozen=True, slots=True)
class Size:
    """``size(field)``: compare it with ``eq(size("tags"), 3)``, ``gt(size("name"), 10)``..."""

    field: str

    def __repr__(self) -> str:
        return f"size({self.field})"


Operand = str | Size


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class _Compare(Condition):
    op: str
    operand: Operand
    value: Any

    def __repr__(self) -> str:
        return f"{_operand_repr(self.operand)} {_COMPARATORS[self.op]} {self.value!r}"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class _Between(Condition):
    operand: Operand
    low: Any
    high: Any

    def __repr__(self) -> str:
        return f"{_operand_repr(self.operand)} BETWEEN {self.low!r} AND {self.high!r}"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class _In(Condition):
    operand: Operand
    values: tuple[Any, ...]

    def __repr__(self) -> str:
        return f"{_operand_repr(self.operand)} IN ({', '.join(map(repr, self.values))})"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class _Function(Condition):
    name: Literal["begins_with", "contains", "attribute_exists", "attribute_not_exists", "attribute_type"]
    field: str
    value: Any = None

    def __repr__(self) -> str:
        if self.name in ("attribute_exists", "attribute_not_exists"):
            return f"{self.name}({self.field})"
        return f"{self.name}({self.field}, {self.value!r})"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class _Group(Condition):
    joiner: Literal["AND", "OR"]
    parts: tuple[Condition, ...]
    parenthesized: bool = False  # TableTheory's FilterGroup renders "(...)" even at the top level

    def __repr__(self) -> str:
        return "(" + f" {self.joiner} ".join(map(repr, self.parts)) + ")"


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class _Not(Condition):
    part: Condition

    def __repr__(self) -> str:
        return f"NOT {self.part!r}"


def _operand_repr(operand: Operand) -> str:
    return operand if isinstance(operand, str) else repr(operand)


def _operand(operand: Any) -> Operand:
    if isinstance(operand, Size) or (isinstance(operand, str) and operand):
        return operand
    raise ValidationError(f"a condition needs a field name or size(field), not {operand!r}")


def eq(field: Operand, value: Any) -> Condition:
    """``field = value``."""
    return _Compare("eq", _operand(field), value)


def ne(field: Operand, value: Any) -> Condition:
    """``field <> value``."""
    return _Compare("ne", _operand(field), value)


def lt(field: Operand, value: Any) -> Condition:
    """``field < value``."""
    return _Compare("lt", _operand(field), value)


def lte(field: Operand, value: Any) -> Condition:
    """``field <= value``."""
    return _Compare("lte", _operand(field), value)


def gt(field: Operand, value: Any) -> Condition:
    """``field > value``."""
    return _Compare("gt", _operand(field), value)


def gte(field: Operand, value: Any) -> Condition:
    """``field >= value``."""
    return _Compare("gte", _operand(field), value)


def between(field: Operand, low: Any, high: Any) -> Condition:
    """``field BETWEEN low AND high`` (inclusive)."""
    return _Between(_operand(field), low, high)


def in_(field: Operand, values: Iterable[Any]) -> Condition:
    """``field IN (v1, v2, ...)``: 1 to 100 values."""
    return _In(_operand(field), tuple(values))


def begins_with(field: str, prefix: Any) -> Condition:
    """``begins_with(field, prefix)`` for string and binary fields."""
    return _Function("begins_with", _field_name(field), prefix)


def contains(field: str, value: Any) -> Condition:
    """``contains(field, value)``: a substring of a string, or a member of a set or list."""
    return _Function("contains", _field_name(field), value)


def exists(field: str) -> Condition:
    """``attribute_exists(field)``."""
    return _Function("attribute_exists", _field_name(field))


def not_exists(field: str) -> Condition:
    """``attribute_not_exists(field)``."""
    return _Function("attribute_not_exists", _field_name(field))


def type_(field: str, attribute_type: str) -> Condition:
    """``attribute_type(field, :t)`` with a DynamoDB type name: S, SS, N, NS, B, BS, BOOL, NULL, L or M."""
    if attribute_type not in _ATTRIBUTE_TYPES:
        raise ValidationError(f"attribute type must be one of {', '.join(sorted(_ATTRIBUTE_TYPES))}")
    return _Function("attribute_type", _field_name(field), attribute_type)


def size(field: str) -> Size:
    """The operand ``size(field)``, for use as the first argument of a comparison."""
    return Size(_field_name(field))


def _field_name(field: Any) -> str:
    if not isinstance(field, str) or not field:
        raise ValidationError(f"a condition needs a field name, not {field!r}")
    return field


def _group(joiner: Literal["AND", "OR"], conditions: tuple[Condition, ...]) -> Condition:
    if not conditions:
        raise ValidationError(f"{joiner} needs at least one condition")
    parts: list[Condition] = []
    for cond in conditions:
        if not isinstance(cond, Condition):
            raise ValidationError(f"{joiner} takes conditions, not {cond!r}")
        if isinstance(cond, _Group) and cond.joiner == joiner:
            parts.extend(cond.parts)  # a AND (b AND c) is a AND b AND c
        else:
            parts.append(cond)
    return parts[0] if len(parts) == 1 else _Group(joiner, tuple(parts))


def and_(*conditions: Condition) -> Condition:
    """All of ``conditions``."""
    return _group("AND", conditions)


def or_(*conditions: Condition) -> Condition:
    """Any of ``conditions``."""
    return _group("OR", conditions)


def not_(condition: Condition) -> Condition:
    """The negation of ``condition``."""
    if not isinstance(condition, Condition):
        raise ValidationError(f"NOT takes a condition, not {condition!r}")
    return _Not(condition)


# --- TableTheory's operator-string conditions -----------------------------------------------------------


def _from_operator(field: str, op: Any, values: tuple[Any, ...]) -> Condition:
    """The condition for TableTheory's ``(field, op, values)`` form; shape errors are ValidationErrors."""
    if not isinstance(op, str) or op.strip().upper() not in _OPERATORS:
        raise ValidationError(f"unsupported filter operator: {op}")
    name = _OPERATORS[op.strip().upper()]
    field = _field_name(field)
    if name in ("EXISTS", "NOT_EXISTS"):
        if values:
            raise ValidationError(f"{name} does not take a value")
        return exists(field) if name == "EXISTS" else not_exists(field)
    if name == "BETWEEN":
        if len(values) != 2:
            raise ValidationError("BETWEEN requires two values")
        return between(field, values[0], values[1])
    if name == "IN":
        if (
            len(values) != 1
            or isinstance(values[0], str | bytes | dict)
            or not isinstance(values[0], Iterable)
        ):
            raise ValidationError("IN requires a single sequence")
        members = tuple(values[0])
        if len(members) > _IN_LIMIT:
            raise ValidationError(f"IN supports maximum {_IN_LIMIT} values")
        return in_(field, members)
    if len(values) != 1 or values[0] is None:
        raise ValidationError(f"{op.strip()} requires one value")
    if name == "BEGINS_WITH":
        return begins_with(field, values[0])
    if name == "CONTAINS":
        return contains(field, values[0])
    return _Compare({v: k for k, v in _COMPARATORS.items()}[name], field, values[0])


def operator_condition(field: str, op: str, value: Any = None) -> Condition:
    """``UpdateBuilder.condition(field, op, value)``: BETWEEN takes a 2-item list, IN a sequence, the
    EXISTS operators no value.

    >>> operator_condition("age", "ge", 18), operator_condition("id", "attribute_exists")
    (age >= 18, attribute_exists(id))
    """
    if not isinstance(op, str):
        raise ValidationError(f"unsupported filter operator: {op}")
    name = _OPERATORS.get(op.strip().upper())
    if name in ("EXISTS", "NOT_EXISTS"):
        return _from_operator(field, op, () if value is None else (value,))
    if name == "BETWEEN":
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValidationError("BETWEEN requires two values")
        return _from_operator(field, op, tuple(value))
    return _from_operator(field, op, (value,))


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class FilterCondition(Condition):
    """TableTheory's filter term: ``FilterCondition(field, op, values)``; ``FilterCondition.eq("x", 1)``...

    Rendered like the other conditions (``#f_<attr> = :f1``); ``op`` is checked when the filter is used.
    """

    field: str
    op: str
    values: tuple[Any, ...] = ()

    def __repr__(self) -> str:
        return f"FilterCondition({self.field!r}, {self.op!r}, {self.values!r})"

    def to_condition(self) -> Condition:
        """The same filter as a typed condition."""
        values = tuple(self.values) if isinstance(self.values, tuple | list) else (self.values,)
        return _from_operator(self.field, self.op, values)

    @staticmethod
    def eq(field: str, value: Any) -> FilterCondition:
        return FilterCondition(field, "=", (value,))

    @staticmethod
    def ne(field: str, value: Any) -> FilterCondition:
        return FilterCondition(field, "<>", (value,))

    @staticmethod
    def lt(field: str, value: Any) -> FilterCondition:
        return FilterCondition(field, "<", (value,))

    @staticmethod
    def lte(field: str, value: Any) -> FilterCondition:
        return FilterCondition(field, "<=", (value,))

    @staticmethod
    def gt(field: str, value: Any) -> FilterCondition:
        return FilterCondition(field, ">", (value,))

    @staticmethod
    def gte(field: str, value: Any) -> FilterCondition:
        return FilterCondition(field, ">=", (value,))

    @staticmethod
    def between(field: str, low: Any, high: Any) -> FilterCondition:
        return FilterCondition(field, "BETWEEN", (low, high))

    @staticmethod
    def begins_with(field: str, prefix: Any) -> FilterCondition:
        return FilterCondition(field, "BEGINS_WITH", (prefix,))

    @staticmethod
    def contains(field: str, value: Any) -> FilterCondition:
        return FilterCondition(field, "CONTAINS", (value,))

    @staticmethod
    def in_(field: str, values: Iterable[Any]) -> FilterCondition:
        return FilterCondition(field, "IN", (list(values),))

    @staticmethod
    def exists(field: str) -> FilterCondition:
        return FilterCondition(field, "EXISTS")

    @staticmethod
    def not_exists(field: str) -> FilterCondition:
        return FilterCondition(field, "NOT_EXISTS")


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class FilterGroup(Condition):
    """TableTheory's filter group: ``FilterGroup.and_(a, b)``, ``FilterGroup.or_(a, b)``; groups nest.

    Rendered in parentheses, ``(#f_a = :f1 OR #f_b = :f2)``. Unlike TableTheory, an empty group and an
    ``op`` other than AND/OR are refused instead of sending an empty or invalid expression.
    """

    op: str
    filters: tuple[Condition, ...]

    def __repr__(self) -> str:
        return f"FilterGroup({self.op!r}, {self.filters!r})"

    def to_condition(self) -> Condition:
        """The same group as a typed condition."""
        op = self.op.strip().upper() if isinstance(self.op, str) else self.op
        if op not in ("AND", "OR"):
            raise ValidationError(f"FilterGroup op must be AND or OR, not {self.op!r}")
        parts = tuple(self.filters)
        if not parts:
            raise ValidationError("FilterGroup needs at least one filter")
        for part in parts:
            if not isinstance(part, Condition):
                raise ValidationError(f"FilterGroup takes filters, not {part!r}")
        return _Group(cast(Literal["AND", "OR"], op), parts, parenthesized=True)

    @staticmethod
    def and_(*filters: Condition) -> FilterGroup:
        return FilterGroup("AND", tuple(filters))

    @staticmethod
    def or_(*filters: Condition) -> FilterGroup:
        return FilterGroup("OR", tuple(filters))


# --- rendering ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Expression:
    """Placeholders collected while rendering one request's expressions."""

    names: dict[str, str] = dataclasses.field(default_factory=dict)
    values: dict[str, AttributeValue] = dataclasses.field(default_factory=dict)

    def name(self, prefix: str, attribute: str) -> str:
        """``#<prefix>_<attr>`` (non-word characters as ``_``), reused for the same attribute."""
        base = f"#{prefix}_" + re.sub(r"\W", "_", attribute, flags=re.ASCII)
        candidate, n = base, 1
        while self.names.get(candidate, attribute) != attribute:
            n += 1
            candidate = f"{base}_{n}"
        self.names[candidate] = attribute
        return candidate

    def value(self, placeholder: str, av: AttributeValue) -> str:
        if placeholder in self.values:
            raise ValidationError(f"the placeholder {placeholder} is used twice")
        self.values[placeholder] = av
        return placeholder

    def merge_user(self, names: dict[str, str] | None, values: dict[str, AttributeValue] | None) -> None:
        """Add caller-given placeholders; a clash with the ORM's own is a ``ValidationError``."""
        for key, name in (names or {}).items():
            if self.names.get(key, name) != name:
                raise ValidationError(f"attribute name {key} already stands for {self.names[key]!r}")
            self.names[key] = name
        for key, av in (values or {}).items():
            if key in self.values:
                raise ValidationError(f"expression attribute value {key} is already used")
            self.values[key] = av


def _encode(f: FieldDefinition, value: Any, where: str) -> AttributeValue:
    if value is None:
        raise ValidationError(f"{where}: cannot compare {f.python_name} with None; use exists()/not_exists()")
    av = f.codec.encode(value, f"{where} {f.python_name}")
    if av is None:
        raise ValidationError(f"{where}: {f.python_name} cannot be compared with an empty value {value!r}")
    return av


class _Renderer:
    def __init__(self, model: ModelDefinition[Any], expr: Expression, prefix: str, usage: str) -> None:
        self.model, self.expr, self.prefix, self.usage = model, expr, prefix, usage
        self.count = 0

    def field(self, ref: str) -> FieldDefinition:
        f = self.model.field(ref)
        if f.encrypted:
            raise ValidationError(f"{f.python_name} is encrypted and cannot be used in {self.usage}")
        return f

    def value(self, av: AttributeValue) -> str:
        self.count += 1
        return self.expr.value(f":{self.prefix}{self.count}", av)

    def operand(self, operand: Operand) -> tuple[str, FieldDefinition | None]:
        if isinstance(operand, Size):
            f = self.field(operand.field)
            return f"size({self.expr.name(self.prefix, f.attribute_name)})", None
        f = self.field(operand)
        return self.expr.name(self.prefix, f.attribute_name), f

    def operand_value(self, f: FieldDefinition | None, value: Any) -> str:
        if f is None:  # size(...) compares with a number
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValidationError(f"{self.usage}: size() compares with an int >= 0, not {value!r}")
            return self.value({"N": str(value)})
        return self.value(_encode(f, value, self.usage))

    def render(self, cond: Condition, nested: bool = False) -> str:
        match cond:
            case _Compare(op=op, operand=operand, value=value):
                left, f = self.operand(operand)
                return f"{left} {_COMPARATORS[op]} {self.operand_value(f, value)}"
            case _Between(operand=operand, low=low, high=high):
                left, f = self.operand(operand)
                return f"{left} BETWEEN {self.operand_value(f, low)} AND {self.operand_value(f, high)}"
            case _In(operand=operand, values=values):
                if not 1 <= len(values) <= _IN_LIMIT:
                    raise ValidationError(f"IN takes 1 to {_IN_LIMIT} values, got {len(values)}")
                left, f = self.operand(operand)
                return f"{left} IN ({', '.join(self.operand_value(f, v) for v in values)})"
            case _Function(name=name, field=ref, value=value):
                return self.function(name, ref, value)
            case _Group(joiner=joiner, parts=parts, parenthesized=parenthesized):
                text = f" {joiner} ".join(self.render(p, nested=True) for p in parts)
                return f"({text})" if nested or parenthesized else text
            case FilterCondition() | FilterGroup():
                return self.render(cond.to_condition(), nested)
            case _Not(part=part):
                return f"NOT {self.render(part, nested=True)}"
        raise ValidationError(f"{self.usage}: not a condition: {cond!r}")

    def function(self, name: str, ref: str, value: Any) -> str:
        f = self.field(ref)
        path = self.expr.name(self.prefix, f.attribute_name)
        if name in ("attribute_exists", "attribute_not_exists"):
            return f"{name}({path})"
        if name == "attribute_type":
            av: AttributeValue = {"S": value}
        elif name == "contains" and f.codec.element is not None:
            av = _encode(dataclasses.replace(f, codec=f.codec.element), value, self.usage)
        else:
            av = _prefix_value(f, value, self.usage)
        return f"{name}({path}, {self.value(av)})"


def _prefix_value(f: FieldDefinition, value: Any, where: str) -> AttributeValue:
    """A begins_with/contains operand: str or bytes as given, anything else through the field's codec."""
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes):
        return {"B": value}
    return _encode(f, value, where)


def render(
    model: ModelDefinition[Any],
    cond: Condition,
    expr: Expression,
    *,
    prefix: str = "f",
    usage: str = "a filter",
) -> str:
    """Render ``cond`` into ``expr`` with ``#<prefix>_<attr>`` names and ``:<prefix>N`` values."""
    if not isinstance(cond, Condition):
        raise ValidationError(f"{usage} must be built with eq(), and_()... not {cond!r}")
    return _Renderer(model, expr, prefix, usage).render(cond)


def projection(model: ModelDefinition[Any], fields: Iterable[str], expr: Expression) -> str:
    """``#p_<attr>, #p_<attr>`` for the given fields (encrypted fields project fine: they are decrypted)."""
    if isinstance(fields, str):
        raise ValidationError("projection takes a list of field names, not a single string")
    names = [expr.name("p", model.field(ref).attribute_name) for ref in fields]
    if not names:
        raise ValidationError("projection needs at least one field")
    return ", ".join(dict.fromkeys(names))


# --- key conditions -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class SortKeyCondition:
    """A condition on the sort key of a query: ``SortKeyCondition.begins_with("ORDER#")``...

    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.KeyConditionExpressions.html
    """

    op: str
    values: tuple[Any, ...]

    def __repr__(self) -> str:
        return f"SortKeyCondition({self.op} {', '.join(map(repr, self.values))})"

    @classmethod
    def eq(cls, value: Any) -> SortKeyCondition:
        return cls("=", (value,))

    @classmethod
    def lt(cls, value: Any) -> SortKeyCondition:
        return cls("<", (value,))

    @classmethod
    def lte(cls, value: Any) -> SortKeyCondition:
        return cls("<=", (value,))

    @classmethod
    def gt(cls, value: Any) -> SortKeyCondition:
        return cls(">", (value,))

    @classmethod
    def gte(cls, value: Any) -> SortKeyCondition:
        return cls(">=", (value,))

    @classmethod
    def between(cls, low: Any, high: Any) -> SortKeyCondition:
        return cls("between", (low, high))

    @classmethod
    def begins_with(cls, prefix: Any) -> SortKeyCondition:
        return cls("begins_with", (prefix,))


def key_value(f: FieldDefinition, value: Any, where: str) -> AttributeValue:
    """A key attribute's value: encoded by the field's codec, of the key's scalar type, never empty."""
    if value is None:
        raise ValidationError(f"{where}: the key field {f.python_name} needs a value, not None")
    av = f.codec.encode(value, f"{where} {f.python_name}")
    expected: ScalarType | None = f.key_type
    if av is None or expected is None or set(av) != {expected}:
        raise ValidationError(f"{where}: the key field {f.python_name} must encode to {expected}, got {av!r}")
    if isinstance(av[expected], str | bytes) and len(av[expected]) == 0:
        raise ValidationError(f"{where}: the key field {f.python_name} must not be empty")
    return av


def key_condition(
    partition: FieldDefinition,
    sort: FieldDefinition | None,
    partition_value: Any,
    condition: SortKeyCondition | tuple[Any, ...] | None,
    expr: Expression,
) -> str:
    """``#pk = :pk`` plus `` AND #sk <op> :sk``, ``BETWEEN :sk1 AND :sk2`` or ``begins_with(#sk, :sk)``."""
    expr.names["#pk"] = partition.attribute_name
    expr.value(":pk", key_value(partition, partition_value, "query"))
    text = "#pk = :pk"
    if condition is None:
        return text
    if not isinstance(condition, SortKeyCondition):
        raise ValidationError(f"sort must be a SortKeyCondition, not {condition!r}")
    if sort is None:
        raise ValidationError("query: a sort condition was given, but this table or index has no sort key")
    return f"{text} AND {_sort_condition(sort, condition, expr, '#sk', ':sk')}"


def _sort_condition(
    sort: FieldDefinition, condition: SortKeyCondition, expr: Expression, name: str, value: str
) -> str:
    """One sort attribute's comparison, with ``name`` for its placeholder and ``value`` for its values'."""
    op = _SORT_OPS.get(condition.op.strip().lower() if isinstance(condition.op, str) else condition.op)
    if op is None:
        raise ValidationError(f"unsupported sort key operator: {condition.op}")
    if not isinstance(condition.values, tuple | list) or len(condition.values) != (
        2 if op == "BETWEEN" else 1
    ):
        raise ValidationError("invalid sort key condition")
    expr.names[name] = sort.attribute_name
    if op == "BETWEEN":
        low, high = (key_value(sort, v, "query sort condition") for v in condition.values)
        expr.value(f"{value}1", low)
        expr.value(f"{value}2", high)
        return f"{name} BETWEEN {value}1 AND {value}2"
    if op == "begins_with":
        if sort.key_type == "N":
            raise ValidationError(f"query: begins_with needs an S or B sort key; {sort.python_name} is N")
        prefix = condition.values[0]
        av = _prefix_value(sort, prefix, "query sort condition")
        if set(av) != {sort.key_type}:
            raise ValidationError(f"query: begins_with on {sort.python_name} needs a {sort.key_type} prefix")
        expr.value(value, av)
        return f"begins_with({name}, {value})"
    expr.value(value, key_value(sort, condition.values[0], "query sort condition"))
    return f"{name} {op} {value}"


def multi_key_condition(
    partition: tuple[FieldDefinition, ...],
    sort: tuple[FieldDefinition, ...],
    partition_value: Any,
    condition: Any,
    expr: Expression,
) -> str:
    """The key condition of an index with a multi-attribute key: ``#pk0 = :pk0 AND #pk1 = :pk1 ...``, then
    the sort attributes left to right: equal to the leading values of ``condition`` (a tuple), the last
    one compared by a ``SortKeyCondition`` if it ends the tuple (or is ``condition`` itself)."""
    values = partition_value if len(partition) > 1 else (partition_value,)
    if not isinstance(values, tuple | list) or len(values) != len(partition):
        names = ", ".join(f.python_name for f in partition)
        raise ValidationError(
            f"query: this index's partition key is ({names}): give a tuple of {len(partition)}"
        )
    terms = []
    for n, (f, v) in enumerate(zip(partition, values, strict=True)):
        expr.names[f"#pk{n}"] = f.attribute_name
        expr.value(f":pk{n}", key_value(f, v, "query"))
        terms.append(f"#pk{n} = :pk{n}")
    if condition is None:
        return " AND ".join(terms)
    parts = tuple(condition) if isinstance(condition, tuple | list) else (condition,)
    if len(parts) > len(sort):
        what = "no sort key" if not sort else f"{len(sort)} sort attributes"
        raise ValidationError(f"query: {len(parts)} sort conditions for an index with {what}")
    for n, (f, part) in enumerate(zip(sort, parts, strict=False)):
        if isinstance(part, SortKeyCondition):
            if n != len(parts) - 1:
                raise ValidationError(
                    "query: only the last sort attribute compared may use a SortKeyCondition"
                )
            terms.append(_sort_condition(f, part, expr, f"#sk{n}", f":sk{n}"))
        else:
            expr.names[f"#sk{n}"] = f.attribute_name
            expr.value(f":sk{n}", key_value(f, part, "query sort condition"))
            terms.append(f"#sk{n} = :sk{n}")
    return " AND ".join(terms)
