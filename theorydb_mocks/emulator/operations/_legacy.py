"""The legacy (pre-expression) parameters: Expected, QueryFilter, ScanFilter, KeyConditions, AttributeUpdates.

Older code still sends them, so the emulator translates them into the same shapes the expression engine
produces: a condition with ``evaluate(item)`` and ``attribute_names()``, a key condition ``plan``, and an
update that returns the new item with the attributes it touched. Rules, semantics and messages were measured
on DynamoDB Local 3.3.0 (e.g. ``NE`` is true for a missing attribute, ``NOT_CONTAINS`` is not; ``ADD`` to a
list appends; deleting every member of a set removes the attribute). One exception: an AttributeUpdates
entry without ``Action`` is a PUT, as the API reference says; DynamoDB Local ignores such entries.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html

>>> condition = legacy_condition({"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "4"}]}},
...                              None, expected=False)
>>> condition.evaluate({"n": {"N": "5"}}), condition.evaluate({}), sorted(condition.attribute_names())
(True, False, ['n'])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any

from theorydb_mocks.emulator._types import AttributeValue, Item
from theorydb_mocks.emulator.errors import validation_error
from theorydb_mocks.emulator.messages import (
    ADD_NOT_SUPPORTED,
    ARGUMENT_COUNT,
    DELETE_NOT_SUPPORTED,
    EXISTS_WITH_OPERATOR,
    KEY_MISSED,
    KEY_NOT_SUPPORTED,
    LEGACY_BETWEEN_ORDER,
    NEEDS_VALUES,
    NOT_VALID_FOR,
    NULL_OPERATOR,
    ONLY_DELETE,
    OPERATOR_WITH_ONE,
    OPERATOR_WITHOUT_CONDITIONS,
    SAME_TYPES,
    UNKNOWN_OPERATOR,
    UPDATE_KEY,
    UPDATE_TYPE_MISMATCH,
    VALUE_NEEDED,
    VALUE_WHEN_ABSENT,
    VALUE_WITH_LIST,
)
from theorydb_mocks.emulator.values import (
    compare_values,
    normalize_number,
    type_of,
    validate_attribute_value,
    values_equal,
)

__all__ = [
    "LegacyCondition",
    "LegacyKeyPlan",
    "LegacyUpdate",
    "check_conditional_operator",
    "legacy_condition",
    "legacy_key_plan",
    "legacy_key_terms",
    "legacy_update",
]


# Arguments each operator takes: an exact count, or None for "one or more".
_ARITY: dict[str, int | None] = {
    "EQ": 1, "NE": 1, "LE": 1, "LT": 1, "GE": 1, "GT": 1, "NOT_NULL": 0, "NULL": 0,
    "CONTAINS": 1, "NOT_CONTAINS": 1, "BEGINS_WITH": 1, "IN": None, "BETWEEN": 2,
}  # fmt: skip
# Argument types each operator accepts (EQ and NE take any).
_SCALARS = frozenset({"S", "N", "B"})
_ACCEPTS: dict[str, frozenset[str]] = {
    "LE": _SCALARS, "LT": _SCALARS, "GE": _SCALARS, "GT": _SCALARS, "BETWEEN": _SCALARS, "IN": _SCALARS,
    "CONTAINS": _SCALARS, "NOT_CONTAINS": _SCALARS, "BEGINS_WITH": frozenset({"S", "B"}),
}  # fmt: skip
_KEY_OPERATORS = {"EQ": "=", "LE": "<=", "LT": "<", "GE": ">=", "GT": ">", "BEGINS_WITH": "begins_with"}
# Java's names for the types, as DynamoDB's update messages spell them.
_TYPE_WORDS = {
    "S": "STRING", "N": "NUMBER", "B": "BINARY", "SS": "STRING_SET", "NS": "NUMBER_SET", "BS": "BINARY_SET",
    "BOOL": "BOOLEAN", "NULL": "NULL", "L": "LIST", "M": "MAP",
}  # fmt: skip
_ARITHMETIC = Context(prec=80)

Test = Callable[[AttributeValue | None], bool]


def _contains(value: AttributeValue | None, arg: AttributeValue) -> bool:
    if value is None:
        return False
    kind = type_of(value)
    member = value[kind]
    if kind == "S" and "S" in arg:
        return bool(arg["S"] in member)
    if kind == "B" and "B" in arg:
        return bytes(arg["B"]) in bytes(member)
    if kind in ("SS", "NS", "BS") and kind[0] in arg:
        return any(values_equal({kind[0]: m}, arg) for m in member)
    if kind == "L":
        return any(values_equal(m, arg) for m in member)
    return False


def _ordered(test: Callable[[int], bool], arg: AttributeValue) -> Test:
    def check(value: AttributeValue | None) -> bool:
        if value is None:
            return False
        order = compare_values(value, arg)
        return order is not None and test(order)

    return check


def _begins_with(value: AttributeValue | None, arg: AttributeValue) -> bool:
    if value is None:
        return False
    if "S" in value and "S" in arg:
        return bool(value["S"].startswith(arg["S"]))
    if "B" in value and "B" in arg:
        return bytes(value["B"]).startswith(bytes(arg["B"]))
    return False


def _between(value: AttributeValue | None, low: AttributeValue, high: AttributeValue) -> bool:
    if value is None:
        return False
    above, below = compare_values(value, low), compare_values(value, high)
    return above is not None and below is not None and above >= 0 and below <= 0


def _test(op: str, args: list[AttributeValue]) -> Test:
    """The predicate on one attribute's value (None when absent) for a checked operator and arguments."""
    match op:
        case "EQ":
            return lambda v: v is not None and values_equal(v, args[0])
        case "NE":
            return lambda v: v is None or not values_equal(v, args[0])
        case "LT":
            return _ordered(lambda order: order < 0, args[0])
        case "LE":
            return _ordered(lambda order: order <= 0, args[0])
        case "GT":
            return _ordered(lambda order: order > 0, args[0])
        case "GE":
            return _ordered(lambda order: order >= 0, args[0])
        case "NULL":
            return lambda v: v is None
        case "NOT_NULL":
            return lambda v: v is not None
        case "CONTAINS":
            return lambda v: _contains(v, args[0])
        case "NOT_CONTAINS":
            return lambda v: v is not None and not _contains(v, args[0])
        case "BEGINS_WITH":
            return lambda v: _begins_with(v, args[0])
        case "IN":
            return lambda v: v is not None and any(values_equal(v, a) for a in args)
        case _:  # BETWEEN
            return lambda v: _between(v, args[0], args[1])


def _operator_arguments(name: str, entry: dict[str, Any], op: str, *, expected: bool) -> list[AttributeValue]:
    """Checked, normalized arguments of one ``ComparisonOperator`` entry (of ``Expected`` or a filter)."""
    if op not in _ARITY:
        raise validation_error(UNKNOWN_OPERATOR)
    if entry.get("Value") is not None and entry.get("AttributeValueList") is not None:
        raise validation_error(VALUE_WITH_LIST.format(name=name))
    given = entry.get("AttributeValueList")
    if given is None:
        given = [] if entry.get("Value") is None else [entry["Value"]]
    args = [validate_attribute_value(av) for av in given]
    arity = _ARITY[op]
    if expected and not args and arity != 0:
        raise validation_error(NEEDS_VALUES.format(op=op, name=name))
    if arity is not None and len(args) != arity:
        raise validation_error(ARGUMENT_COUNT.format(op=op))
    accepted = _ACCEPTS.get(op)
    if accepted is not None:
        for arg in args:
            kind = type_of(arg)
            if kind not in accepted:
                raise validation_error(NOT_VALID_FOR.format(op=op, kind=kind))
    if op == "BETWEEN":
        if type_of(args[0]) != type_of(args[1]):
            raise validation_error(SAME_TYPES)
        order = compare_values(args[0], args[1])
        if order is not None and order > 0:
            raise validation_error(LEGACY_BETWEEN_ORDER)
    return args


@dataclass(frozen=True, slots=True)
class LegacyCondition:
    """Expected / QueryFilter / ScanFilter as one condition (the expression engine's interface)."""

    tests: tuple[tuple[str, Test], ...]
    any_of: bool

    def evaluate(self, item: Item) -> bool:
        results = (test(item.get(name)) for name, test in self.tests)
        return any(results) if self.any_of else all(results)

    def attribute_names(self) -> frozenset[str]:
        return frozenset(name for name, _test in self.tests)

    def __repr__(self) -> str:
        joiner = " OR " if self.any_of else " AND "
        return f"<LegacyCondition {joiner.join(name for name, _ in self.tests)}>"


def check_conditional_operator(conditions: Any, operator: Any) -> None:
    """``ConditionalOperator`` needs a Filter or Expected map with two or more entries."""
    if operator is None:
        return
    if not conditions:
        raise validation_error(OPERATOR_WITHOUT_CONDITIONS)
    if len(conditions) < 2:
        raise validation_error(OPERATOR_WITH_ONE)


def _entry(entry: Any) -> dict[str, Any]:
    """A condition or update entry; a JSON null one (possible through the HTTP door) is an empty one."""
    return entry if isinstance(entry, dict) else {}


def _operator(member: str, name: str, entry: dict[str, Any]) -> str:
    """The ComparisonOperator a filter or key condition must carry."""
    op = entry.get("ComparisonOperator")
    if op is None:
        raise validation_error(NULL_OPERATOR.format(member=member, name=name))
    return str(op)


def legacy_condition(
    conditions: dict[str, Any], operator: str | None, *, expected: bool, member: str = "expected"
) -> LegacyCondition:
    """Translate ``Expected`` (``expected=True``: Value/Exists allowed) or a Query/Scan filter map.

    ``member``: the request member's name as DynamoDB spells it in messages (``scanFilter``...).
    """
    check_conditional_operator(conditions, operator)
    tests: list[tuple[str, Test]] = []
    for name, raw in conditions.items():
        entry = _entry(raw)
        op = entry.get("ComparisonOperator") if expected else _operator(member, name, entry)
        exists = entry.get("Exists") if expected else None
        if op is not None:
            if exists is not None:
                raise validation_error(EXISTS_WITH_OPERATOR.format(name=name))
            tests.append((name, _test(op, _operator_arguments(name, entry, op, expected=expected))))
            continue
        value = entry.get("Value")
        if exists is False:
            if value is not None:
                raise validation_error(VALUE_WHEN_ABSENT.format(name=name))
            tests.append((name, _test("NULL", [])))
        elif value is None:
            raise validation_error(VALUE_NEEDED.format(state="null" if exists is None else "true", name=name))
        else:
            tests.append((name, _test("EQ", [validate_attribute_value(value)])))
    return LegacyCondition(tuple(tests), operator == "OR")


@dataclass(frozen=True, slots=True)
class LegacyKeyPlan:
    """KeyConditions as the plan a KeyConditionExpression gives (partition, sort_op, sort_values)."""

    partition: AttributeValue
    sort_op: str | None
    sort_values: tuple[AttributeValue, ...]


def legacy_key_plan(conditions: dict[str, Any], hash_name: str, range_name: str | None) -> LegacyKeyPlan:
    """Translate ``KeyConditions``: EQ on the partition key, one supported operator on the sort key."""
    for name in conditions:
        if name not in (hash_name, range_name):
            raise validation_error(KEY_MISSED.format(name=hash_name if hash_name not in conditions else name))
    if hash_name not in conditions:
        raise validation_error(KEY_MISSED.format(name=hash_name))
    partition_entry = _entry(conditions[hash_name])
    op = _operator("keyConditions", hash_name, partition_entry)
    partition_args = _operator_arguments(hash_name, partition_entry, op, expected=False)
    if op != "EQ":
        raise validation_error(KEY_NOT_SUPPORTED)
    sort_op: str | None = None
    sort_values: tuple[AttributeValue, ...] = ()
    if range_name is not None and range_name in conditions:
        entry = _entry(conditions[range_name])
        op = _operator("keyConditions", range_name, entry)
        args = _operator_arguments(range_name, entry, op, expected=False)
        if op == "BETWEEN":
            sort_op = "BETWEEN"
        elif op in _KEY_OPERATORS:
            sort_op = _KEY_OPERATORS[op]
        else:
            raise validation_error(KEY_NOT_SUPPORTED)
        sort_values = tuple(args)
    return LegacyKeyPlan(partition_args[0], sort_op, sort_values)


def legacy_key_terms(conditions: dict[str, Any]) -> dict[str, tuple[str, tuple[AttributeValue, ...]]]:
    """``KeyConditions`` as ``{attribute: (operator, values)}`` in expression operators, for the planner of
    a multi-attribute index key (``plan_multi_key``)."""
    terms: dict[str, tuple[str, tuple[AttributeValue, ...]]] = {}
    for name, raw in conditions.items():
        entry = _entry(raw)
        op = _operator("keyConditions", name, entry)
        args = _operator_arguments(name, entry, op, expected=False)
        if op == "BETWEEN":
            terms[name] = ("BETWEEN", tuple(args))
        elif op in _KEY_OPERATORS:
            terms[name] = (_KEY_OPERATORS[op], tuple(args))
        else:
            raise validation_error(KEY_NOT_SUPPORTED)
    return terms


@dataclass(frozen=True, slots=True)
class LegacyUpdate:
    """The outcome of ``AttributeUpdates``: as the expression engine's ``UpdateResult``."""

    new_item: Item
    updated_old: Item
    updated_new: Item


def _add(name: str, current: AttributeValue | None, value: AttributeValue) -> AttributeValue:
    kind = type_of(value)
    if kind not in ("N", "SS", "NS", "BS", "L"):
        raise validation_error(ADD_NOT_SUPPORTED.format(kind=_TYPE_WORDS[kind]))
    if current is None:
        return value
    if kind not in current:
        raise validation_error(UPDATE_TYPE_MISMATCH)
    if kind == "N":
        total = _ARITHMETIC.add(Decimal(current["N"]), Decimal(value["N"]))
        return {"N": normalize_number(format(total, "f"))}
    if kind == "L":
        return {"L": [*current["L"], *value["L"]]}
    members = list(current[kind])
    for member in value[kind]:
        if not any(values_equal({kind[0]: member}, {kind[0]: m}) for m in members):
            members.append(member)
    return {kind: members}


def _delete(current: AttributeValue | None, value: AttributeValue) -> AttributeValue | None:
    kind = type_of(value)
    if kind not in ("SS", "NS", "BS"):
        raise validation_error(DELETE_NOT_SUPPORTED.format(kind=_TYPE_WORDS[kind]))
    if current is None:
        return None
    if kind not in current:
        raise validation_error(UPDATE_TYPE_MISMATCH)
    scalar = kind[0]
    members = [
        m for m in current[kind] if not any(values_equal({scalar: m}, {scalar: gone}) for gone in value[kind])
    ]
    return {kind: members} if members else None


def legacy_update(updates: dict[str, Any], item: Item, key_names: tuple[str, ...]) -> LegacyUpdate:
    """Apply ``AttributeUpdates`` to a copy of ``item`` (the stored item, or the key of a new one).

    Every check runs before anything is changed; the input is never mutated.
    """
    plan: list[tuple[str, str, AttributeValue | None]] = []
    for name, raw in updates.items():
        entry = _entry(raw)
        if name in key_names:
            raise validation_error(UPDATE_KEY.format(name=name))
        action = entry.get("Action") or "PUT"
        value = entry.get("Value")
        if value is None and action != "DELETE":
            raise validation_error(ONLY_DELETE)
        plan.append((name, action, None if value is None else validate_attribute_value(value)))
    new_item = dict(item)
    updated_old: Item = {}
    updated_new: Item = {}
    for name, action, value in plan:
        current = new_item.get(name)
        result: AttributeValue | None
        if action == "PUT":
            result = value
        elif action == "ADD":
            assert value is not None
            result = _add(name, current, value)
        else:
            result = None if value is None else _delete(current, value)
        if current is not None:
            updated_old[name] = current
        if result is None:
            new_item.pop(name, None)
        else:
            new_item[name] = result
            updated_new[name] = result
    return LegacyUpdate(new_item, updated_old, updated_new)
