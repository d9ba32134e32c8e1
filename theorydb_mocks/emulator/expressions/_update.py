"""Applying an UpdateExpression: plan every new value against the item as it was, then write the plan.

Every error is raised while planning or while writing into a private copy, so the caller's item is never
touched by a failed update. All right-hand sides read the original item (``SET a = b, b = a`` swaps).
Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html

>>> from theorydb_mocks.emulator.expressions._ast import Literal, Path, SetAction, Update
>>> one = Update((SetAction(Path(("a",)), Literal({"N": "1"})),))
>>> apply_update(one, {"pk": {"S": "k"}}, ("pk",)).new_item
{'pk': {'S': 'k'}, 'a': {'N': '1'}}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Context, Decimal

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator._types import AttributeValue, Item
from theorydb_mocks.emulator.errors import validation_error
from theorydb_mocks.emulator.expressions._ast import (
    AddAction,
    Arith,
    Call,
    DeleteAction,
    Literal,
    Operand,
    Path,
    SetAction,
    Update,
)
from theorydb_mocks.emulator.expressions._eval import get_path
from theorydb_mocks.emulator.values import canonical_number, type_of

__all__ = ["UpdateResult", "apply_update"]

# Wide enough that sums and differences of any two DynamoDB numbers are exact (1E-130 .. 1E+126).
_ARITHMETIC = Context(prec=400)
_INTEGER = re.compile(r"0|-?[1-9][0-9]*")  # a canonical integer, ASCII digits only


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """The updated item, and the touched attributes before and after (ReturnValues UPDATED_OLD/NEW)."""

    new_item: Item
    updated_old: Item
    updated_new: Item
    touched: frozenset[str] = frozenset()  # the top-level attributes the actions wrote or removed


def _number(op: str, left: AttributeValue, right: AttributeValue) -> AttributeValue:
    if "N" not in left or "N" not in right:
        raise validation_error(M.UPDATE_BAD_OPERAND)
    x, y = left["N"], right["N"]
    if len(x) < 19 and len(y) < 19 and _INTEGER.fullmatch(x) and _INTEGER.fullmatch(y):
        # Canonical integers (stored numbers are canonical): exact in int, the result canonical too, far
        # inside the 38 digits (measured: the Decimal path was a tenth of a counter update).
        return {"N": str(int(x) + int(y) if op == "+" else int(x) - int(y))}
    a, b = Decimal(x), Decimal(y)
    result = _ARITHMETIC.add(a, b) if op == "+" else _ARITHMETIC.subtract(a, b)
    return {"N": canonical_number(result)}


def _value(node: Operand, item: Item) -> AttributeValue | None:
    """A SET right-hand side, read from the original item; None where it reads a missing attribute
    (DynamoDB reports those only after every type error)."""
    match node:
        case Literal(value):
            return value
        case Path(parts):
            return get_path(item, parts)
        case Arith(op, left, right):
            # Left to right, as DynamoDB Local answers: a left operand of the wrong type is reported even
            # when the right one is missing (``s + nope``), a missing left one before the right's type.
            a = _value(left, item)
            if a is None:
                return None
            if "N" not in a:
                raise validation_error(M.UPDATE_BAD_OPERAND)
            b = _value(right, item)
            return None if b is None else _number(op, a, b)
        case Call("if_not_exists", (Path(parts), default)):
            existing = get_path(item, parts)
            return existing if existing is not None else _value(default, item)
        case Call("list_append", (first, second)):
            a = _value(first, item)
            if a is None:
                return None
            if "L" not in a:
                raise validation_error(M.UPDATE_BAD_OPERAND)
            b = _value(second, item)
            if b is None:
                return None
            if "L" not in b:
                raise validation_error(M.UPDATE_BAD_OPERAND)
            return {"L": [*a["L"], *b["L"]]}
    raise TypeError(f"not an update operand: {node!r}")  # the checks make this unreachable


def _clone(av: AttributeValue) -> AttributeValue:
    """A copy sharing only immutable leaves (str, bytes, bool): faster than ``copy.deepcopy``."""
    for kind, value in av.items():
        if kind == "L":
            return {"L": [_clone(member) for member in value]}
        if kind == "M":
            return {"M": {name: _clone(member) for name, member in value.items()}}
        if kind in ("SS", "NS", "BS"):
            return {kind: list(value)}
    return dict(av)


def _add(existing: AttributeValue | None, value: AttributeValue) -> AttributeValue:
    if existing is None:
        return value
    kind = type_of(value)
    if kind not in existing:
        raise validation_error(M.UPDATE_BAD_OPERAND)
    if kind == "N":
        return _number("+", existing, value)
    members = list(existing[kind])
    if kind == "NS":
        present = {Decimal(m) for m in members}
        members.extend(m for m in value[kind] if Decimal(m) not in present)
    else:
        have = set(members)
        members.extend(m for m in value[kind] if m not in have)
    return {kind: members}


def _delete(existing: AttributeValue | None, value: AttributeValue) -> AttributeValue | None:
    """The set left after removing ``value``'s members; None removes the attribute."""
    if existing is None:
        return None
    kind = type_of(value)
    if kind not in existing:
        raise validation_error(M.UPDATE_BAD_OPERAND)
    if kind == "NS":
        gone = {Decimal(m) for m in value[kind]}
        members = [m for m in existing[kind] if Decimal(m) not in gone]
    else:
        drop = set(value[kind])
        members = [m for m in existing[kind] if m not in drop]
    return {kind: members} if members else None


def _parent(item: Item, parts: tuple[str | int, ...]) -> AttributeValue:
    """The container holding the last step of a nested path; it must exist with the right type."""
    value = get_path(item, parts[:-1])
    last = parts[-1]
    if value is None or ("L" not in value if isinstance(last, int) else "M" not in value):
        raise validation_error(M.UPDATE_BAD_PATH)
    return value


def _write(item: Item, parts: tuple[str | int, ...], value: AttributeValue) -> None:
    if len(parts) == 1:
        item[str(parts[0])] = value
        return
    parent = _parent(item, parts)
    last = parts[-1]
    if isinstance(last, int):
        members = parent["L"]
        if last < len(members):
            members[last] = value
        else:
            members.append(value)
    else:
        parent["M"][last] = value


def _remove(item: Item, parts: tuple[str | int, ...]) -> None:
    if len(parts) == 1:
        item.pop(str(parts[0]), None)
        return
    parent = _parent(item, parts)
    last = parts[-1]
    if isinstance(last, int):
        if last < len(parent["L"]):
            del parent["L"][last]
    else:
        parent["M"].pop(last, None)


def _set_top_level(actions: tuple[SetAction, ...], item: Item) -> UpdateResult:
    """``apply_update`` of SET actions on top-level attributes only (the common counter or field update):
    no parent to check, nothing to remove, so the plan is the right-hand sides in order (their type
    errors first, then a missing operand), written into a shallow copy."""
    planned = [_value(action.value, item) for action in actions]
    for value in planned:
        if value is None:
            raise validation_error(M.UPDATE_MISSING)
    new_item = dict(item)  # every touched attribute is replaced below, the rest shared
    old: Item = {}
    new: Item = {}
    for action, value in zip(actions, planned, strict=True):
        name = str(action.path.parts[0])
        present = item.get(name)
        if present is not None:
            old[name] = present
        new[name] = new_item[name] = _clone(value)  # type: ignore[arg-type]  # checked above
    return UpdateResult(new_item, old, new, frozenset(new))


def apply_update(update: Update, item: Item, key_names: tuple[str, ...]) -> UpdateResult:
    """Apply a resolved update to ``item`` (the key alone for a new item), returning a new item."""
    actions = update.actions
    top_level_sets = True
    for action in actions:
        parts = action.path.parts
        name = parts[0]
        if name in key_names:
            raise validation_error(M.UPDATE_KEY.format(name=name))
        if len(parts) != 1 or type(action) is not SetAction:
            top_level_sets = False
    if top_level_sets:
        return _set_top_level(actions, item)  # type: ignore[arg-type]  # every action is a SetAction
    # Plan every new value from the original item, raising DynamoDB's errors by kind: first, actions
    # last to first, a target whose parent is missing and ADD or DELETE operand types; then targets whose
    # parent has the wrong type; then SET operand types; then SET operands that read missing attributes.
    # (Plain type tests: this is the UpdateItem hot path.)
    planned: list[AttributeValue | None] = [None] * len(actions)
    skip: list[bool] = [False] * len(actions)
    for index in range(len(actions) - 1, -1, -1):
        action = actions[index]
        parts = action.path.parts
        if len(parts) > 1 and get_path(item, parts[:-1]) is None:
            raise validation_error(M.UPDATE_BAD_PATH)
        kind = type(action)
        if kind is AddAction or kind is DeleteAction:
            operand = action.value  # type: ignore[union-attr]
            assert isinstance(operand, Literal)
            existing = get_path(item, parts)
            if kind is AddAction:
                planned[index] = _add(existing, operand.value)
            elif existing is None:
                skip[index] = True  # deleting from a missing set changes nothing
            else:
                planned[index] = _delete(existing, operand.value)
    for action in actions:
        if len(action.path.parts) > 1:
            _parent(item, action.path.parts)
    missing = False
    for index, action in enumerate(actions):
        if type(action) is SetAction:
            value = _value(action.value, item)
            planned[index] = value
            missing = missing or value is None
    if missing:
        raise validation_error(M.UPDATE_MISSING)
    # Write into a copy: the touched top-level attributes are copied, the rest shared.
    touched = frozenset(str(action.path.parts[0]) for action in actions)
    new_item: Item = {name: _clone(av) if name in touched else av for name, av in item.items()}
    removals: list[tuple[str | int, ...]] = []
    for index, action in enumerate(actions):
        if skip[index]:
            continue
        written = planned[index]
        if written is None:
            removals.append(action.path.parts)
        else:
            _write(new_item, action.path.parts, _clone(written))
    if removals:
        # Removing list elements from the highest index down keeps the others' indexes as written.
        removals.sort(key=lambda parts: tuple(-p if isinstance(p, int) else 0 for p in parts))
        for parts in removals:
            _remove(new_item, parts)
    # ReturnValues UPDATED_OLD / UPDATED_NEW: the whole top-level attribute of each action's path, where
    # that exact path exists before (after) the update, as DynamoDB Local answers.
    old: Item = {}
    new: Item = {}
    for action in actions:
        parts = action.path.parts
        name = str(parts[0])
        if get_path(item, parts) is not None:
            old[name] = item[name]
        if get_path(new_item, parts) is not None:
            new[name] = new_item[name]
    return UpdateResult(new_item, old, new, touched)
