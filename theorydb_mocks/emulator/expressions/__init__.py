"""DynamoDB expressions: one tokenizer and parser for the five kinds, static checks, evaluation, updates.

``compile_expressions`` takes a request's expressions and placeholder maps, runs every static check in
DynamoDB's order and returns objects the operations call per item. Parses and their text-only checks are
cached (``parse_expression.cache_info()``).
Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html

>>> compiled = compile_expressions(
...     names={"#s": "status"},
...     values={":v": {"S": "open"}, ":one": {"N": "1"}},
...     condition="#s = :v",
...     update="ADD hits :one",
... )
>>> compiled.condition.evaluate({"status": {"S": "open"}})
True
>>> compiled.update.apply({"pk": {"S": "a"}}, ("pk",)).new_item
{'pk': {'S': 'a'}, 'hits': {'N': '1'}}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator._order import java_hash_order
from theorydb_mocks.emulator._types import AttributeValue, Item, KeySchema
from theorydb_mocks.emulator.errors import DynamoDBError, invalid_expression, validation_error
from theorydb_mocks.emulator.expressions._ast import (
    Between,
    Call,
    Compare,
    Condition,
    Literal,
    Path,
    Projection,
    Update,
)
from theorydb_mocks.emulator.expressions._check import Resolver, check_key_structure, check_text
from theorydb_mocks.emulator.expressions._eval import condition_test, project
from theorydb_mocks.emulator.expressions._parser import Parsed, parse
from theorydb_mocks.emulator.expressions._update import UpdatePlan, UpdateResult
from theorydb_mocks.emulator.values import MAX_NESTING, utf8_size, validate_attribute_value

__all__ = [
    "CompiledExpressions",
    "ConditionExpression",
    "KeyCondition",
    "KeyConditionPlan",
    "ProjectionExpression",
    "UpdateExpression",
    "UpdateResult",
    "compile_expressions",
    "parse_expression",
    "placeholders_key",
    "plan_multi_key",
]

MAX_EXPRESSION_BYTES = 4096
MAX_PLACEHOLDER_KEY = 255
MAX_NAME_BYTES = 65535
_NAME_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


@lru_cache(maxsize=2048)
def parse_expression(kind: str, text: str) -> Parsed:
    """Parse and run the text-only checks of one expression (cached: the same text parses once)."""
    if not text:
        raise invalid_expression(kind, M.EXPRESSION_EMPTY)
    size = utf8_size(text)
    if size > MAX_EXPRESSION_BYTES:
        raise invalid_expression(kind, M.EXPRESSION_TOO_LARGE.format(size=size))
    parsed = parse(kind, text)
    check_text(parsed)
    return parsed


# ------------------------------------------------------------------------------------------ results


@dataclass(frozen=True, slots=True)
class ConditionExpression:
    """A resolved ConditionExpression or FilterExpression."""

    tree: Condition
    evaluate: Callable[[Item], bool] = field(init=False, repr=False, compare=False)
    """Whether an item satisfies the condition (an empty dict for a missing item): made once."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "evaluate", condition_test(self.tree))

    def attribute_names(self) -> frozenset[str]:
        """The top-level attribute names the condition reads (Query refuses key attributes in filters)."""
        names: set[str] = set()
        _collect_names(self.tree, names)
        return frozenset(names)

    def __repr__(self) -> str:
        return f"<ConditionExpression {self.tree!r}>"


def _collect_names(node: Any, into: set[str]) -> None:
    if isinstance(node, Path):
        into.add(str(node.parts[0]))
    elif isinstance(node, Literal):
        return
    elif hasattr(node, "__slots__"):
        for field in node.__slots__:
            child = getattr(node, field)
            for member in child if isinstance(child, tuple) else (child,):
                _collect_names(member, into)


@dataclass(frozen=True, slots=True)
class ProjectionExpression:
    """A resolved ProjectionExpression."""

    tree: Projection

    @property
    def top_level_names(self) -> tuple[str, ...]:
        """The top-level attributes projected, in the order written, without repeats."""
        return tuple(dict.fromkeys(str(path.parts[0]) for path in self.tree.paths))

    def apply(self, item: Item) -> Item:
        """The projected parts of ``item``."""
        return project(item, self.tree.paths)

    def __repr__(self) -> str:
        return f"<ProjectionExpression {self.tree!r}>"


@dataclass(frozen=True, slots=True)
class UpdateExpression:
    """A resolved UpdateExpression."""

    tree: Update
    plan: UpdatePlan = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plan", UpdatePlan(self.tree))

    def apply(self, item: Item | None, key_names: tuple[str, ...], *, updated: bool = True) -> UpdateResult:
        """Apply the update to ``item`` (pass the key for an item that does not exist yet; None means an
        empty item). Raises DynamoDB's errors without touching ``item``. ``updated``: see ``UpdatePlan``."""
        return self.plan.apply(item if item is not None else {}, key_names, updated=updated)

    def __repr__(self) -> str:
        return f"<UpdateExpression {self.tree!r}>"


@dataclass(frozen=True, slots=True)
class KeyConditionPlan:
    """What a Query reads: the partition key value, and an optional sort key condition.

    For a multi-attribute index key: ``more_partition`` holds the other partition attributes' values and
    ``sort_prefix`` the values of the leading sort attributes given by equality; ``sort_op`` then applies
    to the sort attribute after them (``sort_key`` names it).
    """

    partition: AttributeValue
    sort_op: str | None
    sort_values: tuple[AttributeValue, ...]
    more_partition: tuple[AttributeValue, ...] = ()
    sort_prefix: tuple[AttributeValue, ...] = ()
    sort_key: str | None = None


_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True, slots=True)
class KeyCondition:
    """A resolved KeyConditionExpression: one or two conditions, checked against the key schema by
    :meth:`plan`."""

    tree: Condition
    # Plans already made for a key without type checks (the query hot path; the condition is immutable).
    _plans: dict[tuple[str, str | None], KeyConditionPlan] = field(
        default_factory=dict, compare=False, repr=False
    )

    def plan(
        self, hash_name: str, range_name: str | None, *, types: Mapping[str, str] | None = None
    ) -> KeyConditionPlan:
        """The query plan for a table or index key, or DynamoDB's error for a condition it cannot serve.

        With ``types`` (key attribute name -> "S", "N" or "B") the values are also checked against the
        schema, in DynamoDB's place among the other checks: a missing partition key condition, the
        partition value's type, its operator, conditions on other attributes, the sort value's type.
        """
        if types is not None:
            return self._plan(hash_name, range_name, types)
        found = self._plans.get((hash_name, range_name))
        if found is None:
            found = self._plans[(hash_name, range_name)] = self._plan(hash_name, range_name, None)
        return found

    def _plan(
        self, hash_name: str, range_name: str | None, types: Mapping[str, str] | None
    ) -> KeyConditionPlan:
        conditions = check_key_structure(self.tree, (hash_name, range_name) if range_name else (hash_name,))
        assert conditions is not None  # with the key names the checks always run to the end
        found: dict[str, tuple[str, tuple[AttributeValue, ...]]] = {}
        other: str | None = None
        for condition in conditions:
            name, op, values = _key_term(condition)
            if name in (hash_name, range_name):
                found[name] = (op, values)
            else:
                other = name
        if hash_name not in found:
            raise validation_error(M.KEY_MISSED.format(name=hash_name))
        hash_op, hash_values = found[hash_name]
        _check_types(hash_values, types, hash_name)
        if hash_op != "=":
            raise validation_error(M.KEY_NOT_SUPPORTED)
        if other is not None:
            # A condition on a non-key attribute: with a sort key in the schema, that key is what is missing;
            # a hash-only schema misses nothing, and the condition itself is unsupported (as DynamoDB Local).
            if range_name is None:
                raise validation_error(M.KEY_NOT_SUPPORTED)
            raise validation_error(M.KEY_MISSED.format(name=range_name))
        if range_name is None or range_name not in found:
            return KeyConditionPlan(hash_values[0], None, ())
        sort_op, sort_values = found[range_name]
        _check_types(sort_values, types, range_name)
        return KeyConditionPlan(hash_values[0], sort_op, sort_values)

    def plan_multi(self, key: KeySchema, *, empty_error: Callable[[str, str], Exception]) -> KeyConditionPlan:
        """The plan for a multi-attribute index key (see :func:`plan_multi_key`)."""
        conditions = check_key_structure(self.tree, key.names, most=None)
        assert conditions is not None
        terms = [_key_term(condition) for condition in conditions]
        return plan_multi_key(
            key, {name: (op, values) for name, op, values in terms}, empty_error=empty_error
        )

    def __repr__(self) -> str:
        return f"<KeyCondition {self.tree!r}>"


def plan_multi_key(
    key: KeySchema,
    found: Mapping[str, tuple[str, tuple[AttributeValue, ...]]],
    *,
    empty_error: Callable[[str, str], Exception],
) -> KeyConditionPlan:
    """The plan of a query on a multi-attribute index key, from its conditions ``{attribute: (operator,
    values)}`` (a KeyConditionExpression's or legacy KeyConditions'), checked in DynamoDB Local's order: the
    number of conditions, every partition attribute by equality, the partition values' types and emptiness
    (``empty_error(kind, name)`` words that error), conditions on other attributes, the sort attributes left
    to right (equality on all but the last one queried), the sort values' types."""
    if len(found) > len(key.names):
        raise validation_error(M.KEY_NOT_SUPPORTED)
    unequal = [name for name, _kind in key.hash_parts if found.get(name, ("",))[0] != "="]
    if unequal:
        raise validation_error(M.KEY_MULTI_HASH_EQUALITY.format(names=", ".join(unequal)))
    partition = []
    for name, kind in key.hash_parts:
        value = found[name][1][0]
        if kind not in value:
            raise validation_error(M.KEY_CONDITION_TYPE)
        if kind != "N" and len(value[kind]) == 0:
            raise empty_error("string" if kind == "S" else "binary", name)
        partition.append(value)
    ranges = key.range_parts
    names = set(key.names)
    others = [name for name in found if name not in names]
    if others:
        absent = [name for name, _kind in ranges if name not in found]
        raise validation_error(M.KEY_MISSED.format(name=absent[0] if absent else others[0]))
    queried = [position for position, (name, _kind) in enumerate(ranges) if name in found]
    if not queried:
        return KeyConditionPlan(partition[0], None, (), tuple(partition[1:]))
    last = queried[-1]
    unequal = [name for name, _kind in ranges[:last] if found.get(name, ("",))[0] != "="]
    if unequal:
        raise validation_error(
            M.KEY_MULTI_RANGE_EQUALITY.format(names=", ".join(unequal), name=ranges[last][0])
        )
    for name, kind in ranges[: last + 1]:
        if any(kind not in value for value in found[name][1]):
            raise validation_error(M.KEY_CONDITION_TYPE)
    prefix = tuple(found[name][1][0] for name, _kind in ranges[:last])
    sort_name = ranges[last][0]
    op, values = found[sort_name]
    return KeyConditionPlan(partition[0], op, values, tuple(partition[1:]), prefix, sort_name)


def _check_types(values: tuple[AttributeValue, ...], types: Mapping[str, str] | None, name: str) -> None:
    expected = types.get(name) if types is not None else None
    if expected is not None and any(expected not in value for value in values):
        raise validation_error(M.KEY_CONDITION_TYPE)


def _key_term(condition: Condition) -> tuple[str, str, tuple[AttributeValue, ...]]:
    """(attribute, operator, values) of one key condition, with the attribute on the left."""
    match condition:
        case Compare(op, Path(parts), Literal(value)):
            return str(parts[0]), op, (value,)
        case Compare(op, Literal(value), Path(parts)):
            return str(parts[0]), _FLIPPED[op], (value,)
        case Between(Path(parts), Literal(low), Literal(high)):
            return str(parts[0]), "BETWEEN", (low, high)
        case Call("begins_with", (Path(parts), Literal(prefix))):
            return str(parts[0]), "begins_with", (prefix,)
    raise validation_error(M.KEY_NOT_SUPPORTED)


@dataclass(frozen=True, slots=True)
class CompiledExpressions:
    """A request's expressions, resolved and checked; each is None when the request does not have it."""

    condition: ConditionExpression | None = None
    filter: ConditionExpression | None = None
    key_condition: KeyCondition | None = None
    projection: ProjectionExpression | None = None
    update: UpdateExpression | None = None
    search_condition: ConditionExpression | None = None


# ------------------------------------------------------------------------------------------ compile


def _check_placeholder_maps(
    names: Mapping[str, Any] | None, values: Mapping[str, Any] | None
) -> dict[str, AttributeValue]:
    """The maps' own rules, in DynamoDB's order; returns the validated (normalized) values."""
    if names is not None and not names:
        raise validation_error(M.NAMES_EMPTY)
    for key in names or ():
        if len(key) > MAX_PLACEHOLDER_KEY:
            raise validation_error(M.NAMES_KEY_TOO_LONG.format(size=len(key)))
        if len(key) < 2 or key[0] != "#" or not _NAME_KEY_CHARS.issuperset(key[1:]):
            raise validation_error(M.NAMES_INVALID_KEY.format(key=key))
    if values is not None and not values:
        raise validation_error(M.VALUES_EMPTY)
    for key in values or ():
        if len(key) > MAX_PLACEHOLDER_KEY:
            raise validation_error(M.VALUES_KEY_TOO_LONG)
        if len(key) < 2 or key[0] != ":" or not _NAME_KEY_CHARS.issuperset(key[1:]):
            raise validation_error(M.VALUES_INVALID_KEY.format(key=key))
    for key, name in (names or {}).items():
        if not name:
            raise validation_error(M.NAMES_INVALID_VALUE.format(key=key))
        if utf8_size(name) > MAX_NAME_BYTES:
            raise validation_error(M.NAME_TOO_LARGE.format(key=key))
    checked: dict[str, AttributeValue] = {}
    for key, value in (values or {}).items():
        try:
            # A placeholder's value may nest one level more than an item's before this message...
            checked[key] = validate_attribute_value(value, level=0)
        except DynamoDBError as error:
            if error.code != "ValidationException":
                raise
            raise validation_error(M.VALUES_INVALID_VALUE.format(message=error.message, key=key)) from None
        if _levels(checked[key]) > MAX_NESTING:  # ...and that one more level has a message of its own
            raise validation_error(M.VALUE_ONE_LEVEL_TOO_DEEP)
    return checked


def _levels(value: AttributeValue) -> int:
    """How many levels ``value`` nests (a scalar is 1); iterative, for values already validated."""
    deepest = 0
    stack: list[tuple[AttributeValue, int]] = [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if "L" in node:
            stack.extend((member, level + 1) for member in node["L"])
        elif "M" in node:
            stack.extend((member, level + 1) for member in node["M"].values())
    return deepest


# Whole requests compiled before, keyed by their expressions and frozen placeholder maps. The hot path of
# every data-plane call (measured with the single-item benchmark: ~55 us uncached, a few us cached).
_COMPILED: dict[tuple[Any, ...], CompiledExpressions] = {}
_COMPILED_MAX = 4096


def _freeze(value: Any) -> Any:
    """A hashable image of a placeholder map or attribute value (TypeError if it has none)."""
    if isinstance(value, dict):
        return tuple((key, _freeze(member)) for key, member in value.items())
    if isinstance(value, list | tuple):
        return ("[", *(_freeze(member) for member in value))
    if isinstance(value, bytearray):
        return ("bytearray", bytes(value))
    hash(value)
    return (type(value).__name__, value)


_FLAT_KINDS = frozenset({"S", "N", "B", "BOOL", "NULL"})
_FLAT_TYPES = frozenset({str, bytes, bool})


def _flat_values(values: Any) -> tuple[tuple[str, str, Any], ...] | None:
    """One ``(placeholder, type, value)`` per value of an ExpressionAttributeValues map whose values are all
    flat (S, N, B, BOOL, NULL of their valid Python types), or None for any other map or non-map."""
    if type(values) is not dict:
        return None
    parts = []
    for key, av in values.items():
        if type(av) is not dict or len(av) != 1:
            return None
        for kind, value in av.items():
            if kind not in _FLAT_KINDS or type(value) not in _FLAT_TYPES:
                return None
            parts.append((key, kind, value))
    return tuple(parts)


def _values_key(values: dict[str, Any] | None) -> Any:
    """The cache key of an ExpressionAttributeValues map: one ``(placeholder, type, value)`` per flat value.

    Validation has fixed each type's Python type (``N`` is a ``str``, ``BOOL`` a ``bool``...), so the type
    tag tells values apart; a set, list or map falls back to the recursive ``_freeze``. Measured: freezing
    every value recursively was about a quarter of a conditional UpdateItem.
    """
    if values is None:
        return None
    flat = _flat_values(values)
    return _freeze(values) if flat is None else flat


def _flat_names(names: Any) -> tuple[tuple[str, str], ...] | None:
    """The items of an ExpressionAttributeNames map of strings to strings, or None for anything else."""
    if type(names) is not dict:
        return None
    for value in names.values():
        if type(value) is not str:
            return None
    return tuple(names.items())


def _names_key(names: dict[str, str] | None) -> Any:
    """The cache key of an ExpressionAttributeNames map (validated: strings to strings)."""
    if names is None:
        return None
    flat = _flat_names(names)
    return _freeze(names) if flat is None else flat


def placeholders_key(names: Any, values: Any) -> tuple[Any, Any] | None:
    """A hashable image of a request's ExpressionAttributeNames and ExpressionAttributeValues (each may be
    absent), equal for equal maps; None unless both are plain (names strings, values flat scalars)."""
    names_key = None if names is None else _flat_names(names)
    values_key = None if values is None else _flat_values(values)
    if (names_key is None and names is not None) or (values_key is None and values is not None):
        return None
    return names_key, values_key


def compile_expressions(
    *,
    names: dict[str, str] | None,
    values: dict[str, AttributeValue] | None,
    condition: str | None = None,
    filter: str | None = None,
    key_condition: str | None = None,
    projection: str | None = None,
    update: str | None = None,
    search_condition: str | None = None,
) -> CompiledExpressions:
    """Parse (cached), resolve and check a request's expressions, in DynamoDB's order.

    Order: the placeholder maps; then each expression in the order update, condition, filter, projection,
    key condition (syntax, text checks, resolution); the key condition's shape; unused names; unused
    values. A request seen before is answered from a cache (the results are immutable).
    """
    try:
        key: tuple[Any, ...] | None = (
            _names_key(names),
            _values_key(values),
            condition,
            filter,
            key_condition,
            projection,
            update,
            search_condition,
        )
        hash(key)
    except TypeError:
        key = None
    if key is not None:
        cached = _COMPILED.get(key)
        if cached is not None:
            return cached
    compiled = _compile(names, values, condition, filter, key_condition, projection, update, search_condition)
    if key is not None:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        _COMPILED[key] = compiled
    return compiled


def _compile(
    names: dict[str, str] | None,
    values: dict[str, AttributeValue] | None,
    condition: str | None,
    filter: str | None,
    key_condition: str | None,
    projection: str | None,
    update: str | None,
    search_condition: str | None = None,
) -> CompiledExpressions:
    if (
        names
        and condition is None
        and filter is None
        and key_condition is None
        and projection is None
        and (update is None)
        and search_condition is None
    ):
        raise validation_error(M.NAMES_WITHOUT_EXPRESSIONS)
    checked_values = _check_placeholder_maps(names, values)
    resolver = Resolver(names or {}, checked_values)
    compiled_update = compiled_condition = compiled_filter = compiled_projection = None
    compiled_key = None
    if update is not None:
        tree = parse_expression("Update", update).tree
        assert isinstance(tree, Update)
        compiled_update = UpdateExpression(resolver.update(tree))
    if condition is not None:
        compiled_condition = _condition(resolver, "Condition", condition)
    if filter is not None:
        compiled_filter = _condition(resolver, "Filter", filter)
    compiled_search = None
    if search_condition is not None:
        compiled_search = _condition(resolver, "SearchCondition", search_condition)
    if projection is not None:
        tree_p = parse_expression("Projection", projection).tree
        assert isinstance(tree_p, Projection)
        compiled_projection = ProjectionExpression(resolver.projection(tree_p))
    if key_condition is not None:
        key_tree = _condition(resolver, "KeyCondition", key_condition).tree
        # How many conditions a key takes depends on its schema (multi-attribute index keys take up to
        # eight): counted when the query is planned, after the table and index are found.
        check_key_structure(key_tree, most=None)
        compiled_key = KeyCondition(key_tree)
    if names:
        unused = [key for key in names if key not in resolver.used_names]
        if unused:
            raise validation_error(M.NAMES_UNUSED.format(keys=", ".join(java_hash_order(unused))))
    if values:
        unused = [key for key in values if key not in resolver.used_values]
        if unused:
            raise validation_error(M.VALUES_UNUSED.format(keys=", ".join(java_hash_order(unused))))
    return CompiledExpressions(
        condition=compiled_condition,
        filter=compiled_filter,
        key_condition=compiled_key,
        projection=compiled_projection,
        update=compiled_update,
        search_condition=compiled_search,
    )


def _condition(resolver: Resolver, kind: str, text: str) -> ConditionExpression:
    tree = parse_expression(kind, text).tree
    assert not isinstance(tree, Update | Projection)
    return ConditionExpression(resolver.condition(kind, tree))
