"""Updates: the markers of an update mapping, and the one renderer of UpdateExpressions.

A mapping ``{field: value}`` (``Table.update``, ``TransactUpdate``) and the fluent ``UpdateBuilder`` both
record ``UpdateAction``s in an ``UpdatePlan``, which renders them: clauses in the order SET, REMOVE, ADD,
DELETE, encrypted SET values sealed under one data key. The two front ends differ only in their placeholder
scheme, a documented part of the request shape that users' expectations depend on (FORMATS.md section 3):

- ``MAPPING``: ``#d_<attr>`` and ``:d_<attr>``;
- ``BUILDER``: ``#u_<attr>`` and ``:u1, :u2, ...`` numbered in call order.

In a mapping a plain value is ``SET``, ``UpdateSetIfNotExists(v)`` is
``SET #d_f = if_not_exists(#d_f, :d_f)``,
``None`` (or a value that stores as nothing, such as an empty set) is ``REMOVE``, ``UpdateAdd(v)`` is ``ADD``
(numbers and sets). Key fields cannot be updated and encrypted fields cannot be added to: both are refused
before any request is sent.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html

>>> UpdateAdd(1), UpdateSetIfNotExists("x")
(UpdateAdd(1), UpdateSetIfNotExists('x'))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Literal

from theorydb_py._types import AttributeValue
from theorydb_py.errors import ValidationError
from theorydb_py.expressions import Expression
from theorydb_py.model import FieldDefinition, ModelDefinition

__all__ = [
    "BUILDER",
    "MAPPING",
    "ActionKind",
    "PlaceholderScheme",
    "UpdateAction",
    "UpdateAdd",
    "UpdatePlan",
    "UpdateSetIfNotExists",
    "build_update",
]

Seal = Callable[[Mapping[str, AttributeValue]], Mapping[str, AttributeValue]]
ADDABLE = frozenset({"N", "SS", "NS", "BS"})
ActionKind = Literal[
    "set", "if_not_exists", "add", "remove", "delete", "append", "prepend", "remove_at", "set_at"
]
_CLAUSE: dict[str, str] = {
    "set": "SET",
    "if_not_exists": "SET",
    "append": "SET",
    "prepend": "SET",
    "set_at": "SET",
    "remove": "REMOVE",
    "remove_at": "REMOVE",
    "add": "ADD",
    "delete": "DELETE",
}


@dataclasses.dataclass(frozen=True, slots=True)
class UpdateAdd:
    """``ADD field value``: add to a number (creating it at 0) or add members to a set."""

    value: Any

    def __repr__(self) -> str:
        return f"UpdateAdd({self.value!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class UpdateSetIfNotExists:
    """``SET field = if_not_exists(field, value)``: set the field only when the item lacks it."""

    default_value: Any

    @property
    def value(self) -> Any:
        """The value set when the item lacks the field (this project's name for ``default_value``)."""
        return self.default_value

    def __repr__(self) -> str:
        return f"UpdateSetIfNotExists({self.default_value!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class PlaceholderScheme:
    """How one front end names its placeholders: ``#<prefix>_<attr>``, and values either numbered in call
    order (``:<prefix>1``) or named after the attribute (``:<prefix>_<attr>``)."""

    prefix: str
    numbered: bool


MAPPING = PlaceholderScheme("d", numbered=False)
BUILDER = PlaceholderScheme("u", numbered=True)


@dataclasses.dataclass(frozen=True, slots=True)
class UpdateAction:
    """One recorded change: ``kind`` on ``field`` (at list ``index``), with its encoded value if any."""

    kind: ActionKind
    field: FieldDefinition
    value: AttributeValue | None = None
    index: int | None = None
    number: int = 0


class UpdatePlan:
    """The changes of one UpdateItem, in call order, and their rendering under one placeholder scheme."""

    __slots__ = ("actions", "count", "model", "scheme")

    def __init__(self, model: ModelDefinition[Any], scheme: PlaceholderScheme) -> None:
        self.model = model
        self.scheme = scheme
        self.actions: list[UpdateAction] = []
        self.count = 0

    def __repr__(self) -> str:
        return f"<UpdatePlan {self.scheme.prefix} {len(self.actions)} actions>"

    def record(
        self,
        kind: ActionKind,
        f: FieldDefinition,
        value: AttributeValue | None = None,
        index: int | None = None,
    ) -> None:
        """Add one change; a value gets the next number (used by numbered schemes)."""
        number = 0
        if value is not None:
            self.count += 1
            number = self.count
        self.actions.append(UpdateAction(kind, f, value, index, number))

    def touched(self) -> set[str]:
        """The Python names of the fields changed so far."""
        return {a.field.python_name for a in self.actions}

    # --- update mappings ------------------------------------------------------------------------------

    @classmethod
    def from_mapping(
        cls, model: ModelDefinition[Any], updates: Mapping[str, Any], scheme: PlaceholderScheme = MAPPING
    ) -> UpdatePlan:
        """The plan of an update mapping; everything is checked before anything is sent."""
        if not isinstance(updates, Mapping) or not updates:
            raise ValidationError(
                "update needs a non-empty mapping of field -> new value (no updates provided)"
            )
        plan = cls(model, scheme)
        plan.extend_mapping(updates)
        return plan

    def extend_mapping(self, updates: Mapping[str, Any]) -> None:
        """Record each ``field: change`` of a mapping (plain value, ``UpdateAdd``, ``UpdateSetIfNotExists``,
        None to remove)."""
        for ref, change in updates.items():
            f = self.model.field(ref)
            where = f"update of {f.python_name}"
            if f in self.model.key_fields:
                raise ValidationError(f"{where}: key fields cannot be updated; write a new item instead")
            if isinstance(change, UpdateAdd):
                if f.encrypted:
                    raise ValidationError(f"{f.python_name} is encrypted and cannot be used in ADD")
                av = f.codec.encode(change.value, where)
                if av is None or not set(av) <= ADDABLE:
                    raise ValidationError(
                        f"{where}: ADD takes a number or a non-empty set, got {change.value!r}"
                    )
                self.record("add", f, av)
                continue
            if_not_exists = isinstance(change, UpdateSetIfNotExists)
            value = change.default_value if isinstance(change, UpdateSetIfNotExists) else change
            av = None if value is None else f.codec.encode(value, where)
            if av is None:
                if if_not_exists:
                    raise ValidationError(f"{where}: if_not_exists needs a value to set, got {value!r}")
                self.record("remove", f)
                continue
            self.record("if_not_exists" if if_not_exists else "set", f, av)

    # --- rendering ------------------------------------------------------------------------------------

    def render(self, expr: Expression, seal: Seal | None = None) -> str:
        """The UpdateExpression, its placeholders added to ``expr``; encrypted SET values sealed by ``seal``
        (one call for the whole update)."""
        if not self.actions:
            raise ValidationError("no updates provided: call set(), add(), remove()... or give a mapping")
        prefix = self.scheme.prefix
        clauses: dict[str, list[str]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
        values: dict[str, AttributeValue] = {}
        secret: dict[str, str] = {}
        for action in self.actions:
            name = expr.name(prefix, action.field.attribute_name)
            path = name if action.index is None else f"{name}[{action.index}]"
            ph = (
                f":{prefix}{action.number}"
                if self.scheme.numbered
                else f":{prefix}_{name[len(prefix) + 2 :]}"
            )
            if action.value is not None:
                if ph in values:
                    raise ValidationError(f"update of {action.field.python_name}: the field is changed twice")
                values[ph] = action.value
                if action.field.encrypted and action.kind in ("set", "if_not_exists"):
                    if action.field.attribute_name in secret:
                        raise ValidationError(f"update of {action.field.python_name}: set twice")
                    secret[action.field.attribute_name] = ph
            text = {
                "set": f"{path} = {ph}",
                "if_not_exists": f"{path} = if_not_exists({path}, {ph})",
                "append": f"{path} = list_append({path}, {ph})",
                "prepend": f"{path} = list_append({ph}, {path})",
                "set_at": f"{path} = {ph}",
                "remove": path,
                "remove_at": path,
                "add": f"{path} {ph}",
                "delete": f"{path} {ph}",
            }[action.kind]
            clauses[_CLAUSE[action.kind]].append(text)
        if secret:
            if seal is None:
                raise ValidationError("encrypted fields need the table's encryption set up (kms_key_arn)")
            sealed = seal({attr: values[ph] for attr, ph in secret.items()})
            for attr, ph in secret.items():
                values[ph] = sealed[attr]
        for ph, av in values.items():
            expr.value(ph, av)
        return " ".join(f"{verb} {', '.join(parts)}" for verb, parts in clauses.items() if parts)


def build_update(
    model: ModelDefinition[Any], updates: Mapping[str, Any], expr: Expression, seal: Seal | None = None
) -> str:
    """Render an update mapping into an UpdateExpression (``MAPPING`` placeholders), adding its placeholders
    to ``expr``; ``seal`` seals the SET values of encrypted fields (one data key for the whole update)."""
    return UpdatePlan.from_mapping(model, updates, MAPPING).render(expr, seal)
