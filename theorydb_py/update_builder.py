"""``UpdateBuilder``: a fluent UpdateItem for one item (``table.update_builder(pk, sk)``).

It records its changes in an ``UpdatePlan`` (``theorydb_py.update``) with the ``BUILDER`` placeholder scheme:
``#u_<attr>`` and ``:u1, :u2, ...`` in call order, conditions ``#c_<attr>`` and ``:c1, ...``
(FORMATS.md section 3). ``TableTheory``'s signatures are kept: ``condition(field, op, value)``,
``set_if_not_exists(field, value, default_value)``; this project's typed conditions are accepted too
(``condition(eq("name", "x"))``).

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html

>>> from dataclasses import dataclass
>>> from theorydb_py import Table, theorydb_field
>>> @dataclass
... class Counter:
...     id: str = theorydb_field(roles="pk")
...     name: str = ""
...     version: int = 0
>>> request = (Table(Counter, client=object()).update_builder("c1")
...            .set("name", "x").add("version", 1).condition("name", "=", "x").build())
>>> request["UpdateExpression"], request["ConditionExpression"]
('SET #u_name = :u1 ADD #u_version :u2', '#c_name = :c1')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, Literal, TypeVar

from theorydb_py._types import AttributeValue, Request
from theorydb_py.encryption import check_not_encrypted
from theorydb_py.errors import ValidationError
from theorydb_py.expressions import (
    Condition,
    Expression,
    and_,
    exists,
    not_exists,
    operator_condition,
    or_,
    render,
)
from theorydb_py.mapper import ItemMapper, mapper_of
from theorydb_py.model import FieldDefinition
from theorydb_py.update import ADDABLE, BUILDER, UpdateAdd, UpdatePlan, UpdateSetIfNotExists

__all__ = ["ReturnValues", "UpdateBuilder"]

T = TypeVar("T")
ReturnValues = Literal["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]
_RETURN_VALUES = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
_UNSET: Any = object()


def _index(index: Any, where: str) -> int:
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValidationError(f"{where}: list index must be a non-negative integer, not {index!r}")
    return index


class UpdateBuilder(Generic[T]):
    """A fluent UpdateItem for one item: ``table.update_builder(pk, sk).set(...).add(...).execute()``.

    Each method checks its field and value at once (unknown fields, key fields, wrong types, encrypted
    fields in ADD, DELETE, list operations and conditions) and returns the builder. ``execute`` adds the
    lifecycle changes (``updated_at``, ``created_at`` if new, ``version`` + 1) after the caller's own, seals
    encrypted SET values under one data key, and sends. ``table`` is a ``Table`` (or its ``ItemMapper``).
    """

    def __init__(self, table: Any, pk: Any, sk: Any = None) -> None:
        self._mapper: ItemMapper[T] = mapper_of(table)
        self._key = self._mapper.key(pk, sk, "update_builder")
        self._plan = UpdatePlan(self._mapper.model, BUILDER)
        self._condition: Condition | None = None
        self._expected_version: int | None = None
        self._return_values: ReturnValues = "NONE"

    def __repr__(self) -> str:
        return f"<UpdateBuilder {self._mapper.name} {len(self._plan.actions)} actions>"

    # --- recording -----------------------------------------------------------------------------------------

    def _field(self, ref: str, usage: str | None) -> FieldDefinition:
        model = self._mapper.model
        f = model.field(ref)
        if f in model.key_fields:
            raise ValidationError(f"update of {f.python_name}: key fields cannot be updated")
        if usage is not None:
            encrypted = {e.python_name for e in model.encrypted_fields}
            check_not_encrypted([f.python_name], encrypted, usage)
        return f

    def _encode(self, f: FieldDefinition, value: Any, what: str) -> AttributeValue:
        where = f"update of {f.python_name}"
        av = None if value is None else f.codec.encode(value, where)
        if av is None:
            raise ValidationError(f"{where}: {what} needs a value; use remove() to delete the attribute")
        return av

    def _record(
        self, kind: Any, f: FieldDefinition, av: AttributeValue | None, index: int | None = None
    ) -> UpdateBuilder[T]:
        self._plan.record(kind, f, av, index)
        return self

    def set(self, field: str, value: Any) -> UpdateBuilder[T]:
        """``SET field = value`` (an encrypted field is sealed)."""
        f = self._field(field, None)
        return self._record("set", f, self._encode(f, value, "set"))

    def set_if_not_exists(self, field: str, value: Any, default_value: Any = _UNSET) -> UpdateBuilder[T]:
        """``SET field = if_not_exists(field, value)``: only when the item lacks the field.

        TableTheory's three-argument form ``(field, value, default_value)`` sets ``default_value`` (its middle
        argument mirrors Go's ``SetIfNotExists`` and is not used).
        """
        chosen = value if default_value is _UNSET else default_value
        f = self._field(field, None)
        return self._record("if_not_exists", f, self._encode(f, chosen, "set_if_not_exists"))

    def add(self, field: str, value: Any) -> UpdateBuilder[T]:
        """``ADD field value``: add to a number (missing counts as 0) or add members to a set."""
        f = self._field(field, "ADD")
        av = self._encode(f, value, "add")
        if not set(av) <= ADDABLE:
            raise ValidationError(f"update of {f.python_name}: ADD takes a number or a non-empty set")
        return self._record("add", f, av)

    def increment(self, field: str, by: int | float | Any = 1) -> UpdateBuilder[T]:
        """``ADD field by`` on a number field."""
        return self._number(field, by, 1, "increment")

    def decrement(self, field: str, by: int | float | Any = 1) -> UpdateBuilder[T]:
        """``ADD field -by`` on a number field."""
        return self._number(field, by, -1, "decrement")

    def _number(self, field: str, by: Any, sign: int, what: str) -> UpdateBuilder[T]:
        f = self._field(field, "ADD")
        if isinstance(by, bool) or not f.codec.number:
            raise ValidationError(f"{what} of {f.python_name}: needs a number field and a number")
        try:
            delta = -by if sign < 0 else by
        except TypeError:
            raise ValidationError(f"{what} of {f.python_name}: {by!r} is not a number") from None
        return self._record("add", f, self._encode(f, delta, what))

    def remove(self, field: str) -> UpdateBuilder[T]:
        """``REMOVE field``."""
        return self._record("remove", self._field(field, None), None)

    def delete(self, field: str, values: Iterable[Any]) -> UpdateBuilder[T]:
        """``DELETE field values``: remove members from a set."""
        f = self._field(field, "DELETE")
        if not isinstance(values, set | frozenset | list | tuple):
            values = [values]  # TableTheory takes a single member too
        av = self._encode(f, values, "delete")
        if set(av) - {"SS", "NS", "BS"}:
            raise ValidationError(f"update of {f.python_name}: DELETE requires a set field and members")
        return self._record("delete", f, av)

    def _list_field(self, field: str, what: str) -> FieldDefinition:
        f = self._field(field, "list operations")
        try:
            empty = f.codec.encode([], f"{what} of {f.python_name}")
        except ValidationError:
            empty = None
        if empty != {"L": []} or f.codec.element is None:
            raise ValidationError(
                f"{what} of {f.python_name}: list operations require a plain list attribute"
            )
        return f

    def _list(self, field: str, values: Any, what: str) -> tuple[FieldDefinition, AttributeValue]:
        f = self._list_field(field, what)
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise ValidationError(f"{what} of {f.python_name}: give a list of values, not {values!r}")
        av = self._encode(f, list(values), what)
        if av == {"L": []}:
            raise ValidationError(f"{what} of {f.python_name}: give at least one value")
        return f, av

    def append_to_list(self, field: str, values: Iterable[Any]) -> UpdateBuilder[T]:
        """``SET field = list_append(field, values)``."""
        f, av = self._list(field, values, "append_to_list")
        return self._record("append", f, av)

    def prepend_to_list(self, field: str, values: Iterable[Any]) -> UpdateBuilder[T]:
        """``SET field = list_append(values, field)``."""
        f, av = self._list(field, values, "prepend_to_list")
        return self._record("prepend", f, av)

    def remove_from_list_at(self, field: str, index: int) -> UpdateBuilder[T]:
        """``REMOVE field[index]``."""
        f = self._list_field(field, "remove_from_list_at")
        return self._record("remove_at", f, None, _index(index, "remove_from_list_at"))

    def set_list_element(self, field: str, index: int, value: Any) -> UpdateBuilder[T]:
        """``SET field[index] = value`` (the element's own type)."""
        f = self._list_field(field, "set_list_element")
        element = f.codec.element
        assert element is not None
        position = _index(index, "set_list_element")
        av = None if value is None else element.encode(value, f"update of {f.python_name}[{index}]")
        return self._record("set_at", f, {"NULL": True} if av is None else av, position)

    # --- conditions ----------------------------------------------------------------------------------------

    def _typed(self, condition: Any, op: str | None, value: Any, what: str) -> Condition:
        if isinstance(condition, Condition):
            if op is not None:
                raise ValidationError(f"{what}: give a Condition, or field, op and value; not both")
            return condition
        if isinstance(condition, str) and op is not None:
            return operator_condition(condition, op, value)
        raise ValidationError(f"{what} takes (field, op, value) or a Condition built with eq(), exists()...")

    def condition(
        self, condition: Condition | str, op: str | None = None, value: Any = None
    ) -> UpdateBuilder[T]:
        """AND a condition: ``condition("name", "=", "x")`` (TableTheory's form) or ``condition(eq(...))``."""
        typed = self._typed(condition, op, value, "condition")
        self._condition = typed if self._condition is None else and_(self._condition, typed)
        return self

    and_condition = condition

    def or_condition(
        self, condition: Condition | str, op: str | None = None, value: Any = None
    ) -> UpdateBuilder[T]:
        """OR a condition with everything so far: ``(a AND b) OR c``."""
        typed = self._typed(condition, op, value, "or_condition")
        self._condition = typed if self._condition is None else or_(self._condition, typed)
        return self

    def condition_exists(self, field: str | None = None) -> UpdateBuilder[T]:
        """AND ``attribute_exists(field)`` (default: the partition key, i.e. "the item exists")."""
        return self.condition(exists(field or self._mapper.model.pk.python_name))

    def condition_not_exists(self, field: str | None = None) -> UpdateBuilder[T]:
        """AND ``attribute_not_exists(field)`` (default: the partition key, i.e. "the item is new")."""
        return self.condition(not_exists(field or self._mapper.model.pk.python_name))

    def condition_version(self, current_version: int) -> UpdateBuilder[T]:
        """AND ``version = current_version``; a mismatch raises ``VersionConflictError``."""
        self.condition(self._mapper.lifecycle.version_condition(current_version))
        self._expected_version = current_version
        return self

    def return_values(self, option: ReturnValues) -> UpdateBuilder[T]:
        """What ``execute`` returns: NONE (default: None), ALL_NEW, UPDATED_NEW, ALL_OLD or UPDATED_OLD."""
        if option not in _RETURN_VALUES:
            raise ValidationError(f"return_values must be one of {', '.join(_RETURN_VALUES)}, not {option!r}")
        self._return_values = option
        return self

    # --- rendering and sending ---------------------------------------------------------------------------

    def _with_lifecycle(self) -> UpdatePlan:
        plan = UpdatePlan(self._plan.model, BUILDER)
        plan.actions = list(self._plan.actions)
        plan.count = self._plan.count  # build() may run again: lifecycle numbers follow the caller's
        for ref, change in self._mapper.lifecycle.update_changes(plan.touched()).items():
            f = self._plan.model.field(ref)
            if isinstance(change, UpdateAdd):
                plan.record("add", f, f.codec.encode(change.value, ref) or {})
            elif isinstance(change, UpdateSetIfNotExists):
                plan.record("if_not_exists", f, f.codec.encode(change.default_value, ref) or {})
            else:
                plan.record("set", f, f.codec.encode(change, ref) or {})
        return plan

    def build(self) -> Request:
        """The UpdateItem request this builder sends (encrypted values sealed), without sending it.

        ``TableName, Key, UpdateExpression, ExpressionAttributeNames, ReturnValues`` are always there;
        ``ExpressionAttributeValues`` and ``ConditionExpression`` when used.
        """
        if not self._plan.actions:
            raise ValidationError("no updates provided: call set(), add(), remove()...")
        expr = Expression()
        request: Request = {"TableName": self._mapper.table_name, "Key": dict(self._key)}
        request["UpdateExpression"] = self._with_lifecycle().render(expr, self._mapper.sealer(request["Key"]))
        if self._condition is not None:
            request["ConditionExpression"] = render(
                self._mapper.model, self._condition, expr, prefix="c", usage="a condition"
            )
        request["ExpressionAttributeNames"] = expr.names
        if expr.values:
            request["ExpressionAttributeValues"] = expr.values
        request["ReturnValues"] = self._return_values
        if self._expected_version is not None:
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return request

    def execute(self) -> T | None:
        """Send the update; the item per ``return_values`` (None for NONE or when nothing came back)."""
        response = self._mapper.call("update_item", self.build(), expected_version=self._expected_version)
        attributes = response.get("Attributes")
        return None if not attributes else self._mapper.from_item(attributes)
