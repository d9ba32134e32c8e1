"""Updates: mappings for ``Table.update``/``TransactUpdate``, and the fluent ``UpdateBuilder``.

A mapping ``{field: value}`` becomes one UpdateExpression.

A plain value is ``SET``, ``UpdateSetIfNotExists(v)`` is ``SET #d_f = if_not_exists(#d_f, :d_f)``, ``None``
(or a value that stores as nothing, such as an empty set) is ``REMOVE``, ``UpdateAdd(v)`` is ``ADD`` (numbers
and sets). Placeholders are ``#d_<attr>``/``:d_<attr>``; clauses come in the order SET, REMOVE, ADD, DELETE
(FORMATS.md §3). Key fields cannot be updated and encrypted fields cannot be added to: both are refused
before any request is sent.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html

``UpdateBuilder`` (``table.update_builder(pk, sk)``) covers everything else: list and set operations,
increments, conditions joined with AND/OR. Its placeholders are ``#u_<attr>`` and ``:u1, :u2, ...`` in call
order, conditions ``#c_<attr>`` and ``:c1, ...``.

>>> UpdateAdd(1), UpdateSetIfNotExists("x")
(UpdateAdd(1), UpdateSetIfNotExists('x'))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from theorydb_py._types import AttributeValue, Request
from theorydb_py.encryption import check_not_encrypted
from theorydb_py.errors import ConditionFailedError, ValidationError
from theorydb_py.expressions import Condition, Expression, and_, exists, not_exists, or_, render
from theorydb_py.model import FieldDefinition, ModelDefinition

if TYPE_CHECKING:
    from theorydb_py.table import Table

__all__ = ["ReturnValues", "UpdateAdd", "UpdateBuilder", "UpdateSetIfNotExists", "build_update"]

T = TypeVar("T")
ReturnValues = Literal["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]
_RETURN_VALUES = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")

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


# --- the update builder ---------------------------------------------------------------------------------

_Kind = Literal["set", "if_not_exists", "add", "remove", "delete", "append", "prepend", "remove_at", "set_at"]
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
class _Action:
    kind: _Kind
    field: FieldDefinition
    placeholder: str | None = None
    value: AttributeValue | None = None
    index: int | None = None


def _index(index: Any, where: str) -> int:
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise ValidationError(f"{where}: a list index is an int >= 0, not {index!r}")
    return index


def _check_condition(condition: Any) -> None:
    if not isinstance(condition, Condition):
        raise ValidationError(f"update_builder conditions are built with eq(), exists()...: {condition!r}")


class UpdateBuilder(Generic[T]):
    """A fluent UpdateItem for one item: ``table.update_builder(pk, sk).set(...).add(...).execute()``.

    Each method checks its field and value at once (unknown fields, key fields, wrong types, encrypted
    fields in ADD, DELETE and list operations) and returns the builder. Values are numbered ``:u1, :u2, ...``
    in call order; ``execute`` adds the lifecycle changes (``updated_at``, ``created_at`` if new,
    ``version`` + 1) after the caller's own, seals encrypted SET values under one data key, and sends.

    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html

    >>> from dataclasses import dataclass
    >>> from theorydb_py import Table, theorydb_field
    >>> from theorydb_py.expressions import eq
    >>> @dataclass
    ... class Counter:
    ...     id: str = theorydb_field(roles="pk")
    ...     name: str = ""
    ...     version: int = 0
    >>> request = (Table(Counter, client=object()).update_builder("c1")
    ...            .set("name", "x").add("version", 1).condition(eq("name", "x")).build())
    >>> request["UpdateExpression"], request["ConditionExpression"]
    ('SET #u_name = :u1 ADD #u_version :u2', '#c_name = :c1')
    """

    def __init__(self, table: Table[T], pk: Any, sk: Any = None) -> None:
        self._table = table
        self._model: ModelDefinition[T] = table.model
        self._key = table._key(pk, sk, "update_builder")
        self._actions: list[_Action] = []
        self._condition: Condition | None = None
        self._expected_version: int | None = None
        self._return_values: ReturnValues = "NONE"
        self._count = 0

    def __repr__(self) -> str:
        return f"<UpdateBuilder {self._model.model.__name__} {len(self._actions)} actions>"

    # --- recording -----------------------------------------------------------------------------------------

    def _field(self, ref: str, usage: str | None) -> FieldDefinition:
        f = self._model.field(ref)
        if f in self._model.key_fields:
            raise ValidationError(f"update of {f.python_name}: key fields cannot be updated")
        if usage is not None:
            encrypted = {e.python_name for e in self._model.encrypted_fields}
            check_not_encrypted([f.python_name], encrypted, usage)
        return f

    def _value(self, av: AttributeValue) -> tuple[str, AttributeValue]:
        self._count += 1
        return f":u{self._count}", av

    def _record(
        self, kind: _Kind, f: FieldDefinition, av: AttributeValue | None, index: int | None = None
    ) -> UpdateBuilder[T]:
        placeholder, value = (None, None) if av is None else self._value(av)
        self._actions.append(_Action(kind, f, placeholder, value, index))
        return self

    def _encode(self, f: FieldDefinition, value: Any, what: str) -> AttributeValue:
        where = f"update of {f.python_name}"
        av = None if value is None else f.codec.encode(value, where)
        if av is None:
            raise ValidationError(f"{where}: {what} needs a value; use remove() to delete the attribute")
        return av

    def set(self, field: str, value: Any) -> UpdateBuilder[T]:
        """``SET field = value`` (an encrypted field is sealed)."""
        f = self._field(field, None)
        return self._record("set", f, self._encode(f, value, "set"))

    def set_if_not_exists(self, field: str, value: Any) -> UpdateBuilder[T]:
        """``SET field = if_not_exists(field, value)``: only when the item lacks the field."""
        f = self._field(field, None)
        return self._record("if_not_exists", f, self._encode(f, value, "set_if_not_exists"))

    def add(self, field: str, value: Any) -> UpdateBuilder[T]:
        """``ADD field value``: add to a number (missing counts as 0) or add members to a set."""
        f = self._field(field, "ADD")
        av = self._encode(f, value, "add")
        if not set(av) <= _ADDABLE:
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
        av = self._encode(f, values, "delete")
        if set(av) - {"SS", "NS", "BS"}:
            raise ValidationError(f"update of {f.python_name}: DELETE takes a non-empty set of members")
        return self._record("delete", f, av)

    def _list_field(self, field: str, what: str) -> FieldDefinition:
        f = self._field(field, "list operations")
        try:
            empty = f.codec.encode([], f"{what} of {f.python_name}")
        except ValidationError:
            empty = None
        if empty != {"L": []} or f.codec.element is None:
            raise ValidationError(f"{what} of {f.python_name}: the field is not a list")
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

    def condition(self, condition: Condition) -> UpdateBuilder[T]:
        """AND ``condition`` onto the conditions so far."""
        _check_condition(condition)
        self._condition = condition if self._condition is None else and_(self._condition, condition)
        return self

    and_condition = condition

    def or_condition(self, condition: Condition) -> UpdateBuilder[T]:
        """OR ``condition`` with everything so far: ``(a AND b) OR c``."""
        _check_condition(condition)
        self._condition = condition if self._condition is None else or_(self._condition, condition)
        return self

    def condition_exists(self, field: str | None = None) -> UpdateBuilder[T]:
        """AND ``attribute_exists(field)`` (default: the partition key, i.e. "the item exists")."""
        return self.condition(exists(field or self._model.pk.python_name))

    def condition_not_exists(self, field: str | None = None) -> UpdateBuilder[T]:
        """AND ``attribute_not_exists(field)`` (default: the partition key, i.e. "the item is new")."""
        return self.condition(not_exists(field or self._model.pk.python_name))

    def condition_version(self, expected: int) -> UpdateBuilder[T]:
        """AND ``version = expected``; a mismatch raises ``VersionConflictError``."""
        self.condition(self._table._lifecycle.version_condition(expected))
        self._expected_version = expected
        return self

    def return_values(self, value: ReturnValues) -> UpdateBuilder[T]:
        """What ``execute`` returns: NONE (default: None), ALL_NEW, UPDATED_NEW, ALL_OLD or UPDATED_OLD."""
        if value not in _RETURN_VALUES:
            raise ValidationError(f"return_values must be one of {', '.join(_RETURN_VALUES)}, not {value!r}")
        self._return_values = value
        return self

    # --- rendering and sending ---------------------------------------------------------------------------

    def _lifecycle_actions(self) -> list[_Action]:
        touched = {a.field.python_name for a in self._actions}
        saved = self._count
        extra: list[_Action] = []
        for ref, change in self._table._lifecycle.update_changes(touched).items():
            f = self._model.field(ref)
            if isinstance(change, UpdateAdd):
                extra.append(_Action("add", f, *self._value(f.codec.encode(change.value, ref) or {})))
            elif isinstance(change, UpdateSetIfNotExists):
                av = f.codec.encode(change.value, ref) or {}
                extra.append(_Action("if_not_exists", f, *self._value(av)))
            else:
                extra.append(_Action("set", f, *self._value(f.codec.encode(change, ref) or {})))
        self._count = saved  # build() may run again: numbering restarts where the caller's ended
        return extra

    def build(self) -> Request:
        """The UpdateItem request this builder sends (encrypted values sealed), without sending it."""
        actions = self._actions + self._lifecycle_actions()
        if not actions:
            raise ValidationError("update_builder: nothing to update; call set(), add(), remove()...")
        expr = Expression()
        clauses: dict[str, list[str]] = {"SET": [], "REMOVE": [], "ADD": [], "DELETE": []}
        values: dict[str, AttributeValue] = {}
        secret: dict[str, str] = {}
        for action in actions:
            name = expr.name("u", action.field.attribute_name)
            path = name if action.index is None else f"{name}[{action.index}]"
            ph = action.placeholder
            if ph is not None and action.value is not None:
                values[ph] = action.value
                if action.field.encrypted:
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
            sealed = self._table._seal({attr: values[ph] for attr, ph in secret.items()}, dict(self._key))
            for attr, ph in secret.items():
                values[ph] = sealed[attr]
        for ph, av in values.items():
            expr.value(ph, av)
        request: Request = {"TableName": self._table.table_name, "Key": dict(self._key)}
        request["UpdateExpression"] = " ".join(
            f"{verb} {', '.join(parts)}" for verb, parts in clauses.items() if parts
        )
        if self._condition is not None:
            request["ConditionExpression"] = render(
                self._model, self._condition, expr, prefix="c", usage="a condition"
            )
        request["ExpressionAttributeNames"] = expr.names
        if expr.values:
            request["ExpressionAttributeValues"] = expr.values
        if self._return_values != "NONE":
            request["ReturnValues"] = self._return_values
        if self._expected_version is not None:
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return request

    def execute(self) -> T | None:
        """Send the update; the item per ``return_values`` (None for NONE or when nothing came back)."""
        request = self.build()
        try:
            response = self._table._call("update_item", request)
        except ConditionFailedError as err:
            if self._expected_version is None:
                raise
            raise self._table._lifecycle.conflict(err, self._expected_version) from err
        attributes = response.get("Attributes")
        return None if not attributes else self._table.from_item(attributes)
