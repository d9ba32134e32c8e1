"""Update mappings for ``Table.update``: ``{field: value}`` becomes one UpdateExpression.

A plain value is ``SET``, ``UpdateSetIfNotExists(v)`` is ``SET #d_f = if_not_exists(#d_f, :d_f)``, ``None``
(or a value that stores as nothing, such as an empty set) is ``REMOVE``, ``UpdateAdd(v)`` is ``ADD`` (numbers
and sets). Placeholders are ``#d_<attr>``/``:d_<attr>``; clauses come in the order SET, REMOVE, ADD, DELETE
(FORMATS.md §3). Key fields cannot be updated and encrypted fields cannot be added to: both are refused
before any request is sent.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html

>>> UpdateAdd(1), UpdateSetIfNotExists("x")
(UpdateAdd(1), UpdateSetIfNotExists('x'))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from theorydb_py._types import AttributeValue
from theorydb_py.errors import ValidationError
from theorydb_py.expressions import Expression
from theorydb_py.model import ModelDefinition

__all__ = ["UpdateAdd", "UpdateSetIfNotExists", "build_update"]

Encrypt = Callable[[dict[str, AttributeValue]], dict[str, AttributeValue]]
_ADDABLE = frozenset({"N", "SS", "NS", "BS"})


@dataclasses.dataclass(frozen=True, slots=True)
class UpdateAdd:
    """``ADD field value``: add to a number (creating it at 0) or add members to a set."""

    value: Any

    def __repr__(self) -> str:
        return f"UpdateAdd({self.value!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class UpdateSetIfNotExists:
    """``SET field = if_not_exists(field, value)``: set the field only when the item lacks it."""

    value: Any

    def __repr__(self) -> str:
        return f"UpdateSetIfNotExists({self.value!r})"


def build_update(
    model: ModelDefinition[Any],
    updates: Mapping[str, Any],
    expr: Expression,
    encrypt: Encrypt | None = None,
) -> str:
    """Render ``updates`` into an UpdateExpression, adding its placeholders to ``expr``.

    ``encrypt`` seals the SET values of encrypted fields (one data key for the whole update).
    """
    if not isinstance(updates, Mapping) or not updates:
        raise ValidationError("update needs a non-empty mapping of field -> new value")
    sets: list[str] = []
    removes: list[str] = []
    adds: list[str] = []
    sealed: dict[str, AttributeValue] = {}
    set_values: dict[str, tuple[str, AttributeValue]] = {}
    for ref, change in updates.items():
        f = model.field(ref)
        where = f"update of {f.python_name}"
        if f in model.key_fields:
            raise ValidationError(f"{where}: key fields cannot be updated; write a new item instead")
        attr = f.attribute_name
        name = expr.name("d", attr)
        placeholder = ":d_" + name[3:]
        if isinstance(change, UpdateAdd):
            if f.encrypted:
                raise ValidationError(f"{f.python_name} is encrypted and cannot be used in ADD")
            av = f.codec.encode(change.value, where)
            if av is None or not set(av) <= _ADDABLE:
                raise ValidationError(f"{where}: ADD takes a number or a non-empty set, got {change.value!r}")
            adds.append(f"{name} {expr.value(placeholder, av)}")
            continue
        if_not_exists = isinstance(change, UpdateSetIfNotExists)
        value = change.value if isinstance(change, UpdateSetIfNotExists) else change
        av = None if value is None else f.codec.encode(value, where)
        if av is None:
            if if_not_exists:
                raise ValidationError(f"{where}: if_not_exists needs a value to set, got {value!r}")
            removes.append(name)
            continue
        if f.encrypted:
            sealed[attr] = av
        set_values[attr] = (placeholder, av)
        target = f"if_not_exists({name}, {placeholder})" if if_not_exists else placeholder
        sets.append(f"{name} = {target}")
    if sealed:
        if encrypt is None:
            raise ValidationError("encrypted fields need the table's encryption set up (kms_key_arn)")
        for attr, envelope in encrypt(sealed).items():
            set_values[attr] = (set_values[attr][0], envelope)
    for placeholder, av in set_values.values():
        expr.value(placeholder, av)
    clauses = [
        ("SET", sets),
        ("REMOVE", removes),
        ("ADD", adds),
    ]
    return " ".join(f"{verb} {', '.join(parts)}" for verb, parts in clauses if parts)
