"""Applying an UpdateExpression: plan every new value against the item as it was, then write the plan.

Every error is raised while planning or while writing into a private copy, so the caller's item is never
touched by a failed update. All right-hand sides read the original item (``SET a = b, b = a`` swaps).
Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html

>>> from theorydb_mocks.emulator.expressions._ast import Literal, Path, SetAction, Update
>>> one = Update((SetAction(Path(("a",)), Literal({"N": "1"})),))
>>> UpdatePlan(one).apply({"pk": {"S": "k"}}, ("pk",)).new_item
{'pk': {'S': 'k'}, 'a': {'N': '1'}}
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Context, Decimal
from typing import NamedTuple

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator._types import AttributeValue, Item
from theorydb_mocks.emulator.errors import validation_error
from theorydb_mocks.emulator.expressions._ast import (
    Action,
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
from theorydb_mocks.emulator.expressions._eval import Reader, get_path, operand_reader, path_reader
from theorydb_mocks.emulator.values import canonical_number, type_of

__all__ = ["UpdatePlan", "UpdateResult", "set_value_reader"]

# Wide enough that sums and differences of any two DynamoDB numbers are exact (1E-130 .. 1E+126).
_ARITHMETIC = Context(prec=400)


class UpdateResult(NamedTuple):
    """The updated item, and the touched attributes before and after (ReturnValues UPDATED_OLD/NEW)."""

    new_item: Item
    updated_old: Item
    updated_new: Item
    touched: frozenset[str] = frozenset()  # the top-level attributes the actions wrote or removed


def _canonical_integer(text: str) -> bool:
    """``text`` is ``0``, or an optional ``-`` then ASCII digits with no leading zero (the regex
    ``0|-?[1-9][0-9]*``, without the regex: measured a tenth of the counter update's arithmetic)."""
    digits = text[1:] if text.startswith("-") else text
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    return digits[0] != "0" or text == "0"


def _number(op: str, left: AttributeValue, right: AttributeValue) -> AttributeValue:
    if "N" not in left or "N" not in right:
        raise validation_error(M.UPDATE_BAD_OPERAND)
    x, y = left["N"], right["N"]
    if len(x) < 19 and len(y) < 19 and _canonical_integer(x) and _canonical_integer(y):
        # Canonical integers (stored numbers are canonical): exact in int, the result canonical too, far
        # inside the 38 digits (measured: the Decimal path was a tenth of a counter update).
        return {"N": str(int(x) + int(y) if op == "+" else int(x) - int(y))}
    a, b = Decimal(x), Decimal(y)
    result = _ARITHMETIC.add(a, b) if op == "+" else _ARITHMETIC.subtract(a, b)
    return {"N": canonical_number(result)}


def _both(
    kind: str,
    first: Reader,
    second: Reader,
    combine: Callable[[AttributeValue, AttributeValue], AttributeValue],
) -> Reader:
    """Two operands of type ``kind`` combined (``+``/``-`` on N, ``list_append`` on L), read left to right as
    DynamoDB Local answers: a left operand of the wrong type is reported even when the right one is missing
    (``s + nope``), a missing left one before the right's type; None where one is missing."""

    def read(item: Item) -> AttributeValue | None:
        a = first(item)
        if a is None:
            return None
        if kind not in a:
            raise validation_error(M.UPDATE_BAD_OPERAND)
        b = second(item)
        if b is None:
            return None
        if kind not in b:
            raise validation_error(M.UPDATE_BAD_OPERAND)
        return combine(a, b)

    return read


def _append(a: AttributeValue, b: AttributeValue) -> AttributeValue:
    return {"L": [*a["L"], *b["L"]]}


def set_value_reader(node: Operand) -> Reader:
    """A SET right-hand side as a function of the original item, made once per compiled expression; it
    returns None where it reads a missing attribute (DynamoDB reports those only after every type error)."""
    if isinstance(node, (Literal, Path)):
        return operand_reader(node)  # as a condition reads them
    if isinstance(node, Arith):
        op = node.op
        return _both(
            "N", set_value_reader(node.left), set_value_reader(node.right), lambda a, b: _number(op, a, b)
        )
    if isinstance(node, Call):
        name, args = node.name, node.args
        if name == "if_not_exists" and type(args[0]) is Path:
            existing, default = path_reader(args[0].parts), set_value_reader(args[1])

            def if_not_exists(item: Item) -> AttributeValue | None:
                found = existing(item)
                return found if found is not None else default(item)

            return if_not_exists
        if name == "list_append":
            return _both("L", set_value_reader(args[0]), set_value_reader(args[1]), _append)
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


class UpdatePlan:
    """A resolved update made ready to apply many times (a compiled expression keeps one): each SET's
    right-hand side as a function of the item (``set_value_reader``), and whether every action is a SET
    of a top-level attribute (the common counter or field update, applied without the general planning)."""

    __slots__ = ("actions", "fresh", "names", "readers", "top_level_sets", "touched")

    def __init__(self, update: Update) -> None:
        self.actions = update.actions
        self.names = tuple(str(action.path.parts[0]) for action in update.actions)
        self.readers = tuple(
            set_value_reader(action.value) if type(action) is SetAction else None for action in update.actions
        )
        self.top_level_sets = all(
            len(action.path.parts) == 1 and type(action) is SetAction for action in update.actions
        )
        self.touched = frozenset(self.names)
        # A SET whose value is arithmetic reads a new value, owned by no item or literal: not copied again.
        self.fresh = tuple(
            type(action) is SetAction and type(action.value) is Arith for action in update.actions
        )

    def apply(self, item: Item, key_names: tuple[str, ...], *, updated: bool = True) -> UpdateResult:
        """Apply the update to ``item`` (the key alone for a new item), returning a new item.
        ``updated=False``: the caller will not read ``updated_old`` and ``updated_new`` (ReturnValues
        UPDATED_*), which may then be left empty."""
        for name in self.names:
            if name in key_names:
                raise validation_error(M.UPDATE_KEY.format(name=name))
        if self.top_level_sets:
            return self._set_top_level(item, updated)
        return _apply_actions(self.actions, self.readers, item)

    def _set_top_level(self, item: Item, updated: bool) -> UpdateResult:
        """SET actions on top-level attributes only: no parent to check, nothing to remove, so the plan is
        the right-hand sides in order (their type errors first, then a missing operand), written into a
        shallow copy."""
        planned = [read(item) for read in self.readers]  # type: ignore[misc]  # every action is a SET
        if None in planned:
            raise validation_error(M.UPDATE_MISSING)
        new_item = dict(item)  # every touched attribute is replaced below, the rest shared
        for name, value, fresh in zip(self.names, planned, self.fresh, strict=True):
            new_item[name] = value if fresh else _clone(value)  # type: ignore[assignment, arg-type]  # checked above
        old: Item = {}
        new: Item = {}
        if updated:
            old = {name: item[name] for name in self.names if name in item}
            new = {name: new_item[name] for name in self.names}
        return UpdateResult(new_item, old, new, self.touched)


def _apply_actions(
    actions: tuple[Action, ...], readers: tuple[Reader | None, ...], item: Item
) -> UpdateResult:
    """Any mix of actions and paths: planned against the original item, then written into a copy."""
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
            value = readers[index](item)  # type: ignore[misc]  # a SET's reader
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
