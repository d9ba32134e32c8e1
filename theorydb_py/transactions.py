"""Transactions: ``transact_write`` and ``transact_get`` over one or several tables and models.

Actions name their ``Table`` (``table=``), so one transaction can span tables, and in a single-table design
several models (one ``Table`` per model, all with the same table name). ``Table.transact_write`` and
``Table.transact_get`` fill in their own table for actions that name none.

- ``TransactPut(item, condition=)``: a put, lifecycle-stamped like ``Table.put``.
- ``TransactUpdate(pk, sk, updates, condition=, expected_version=)``: the update mapping of
  ``Table.update`` (``UpdateAdd``, ``UpdateSetIfNotExists``, None to remove), lifecycle included.
- ``TransactDelete(pk, sk, condition=, expected_version=)`` and ``TransactConditionCheck(pk, sk, condition)``.
- ``return_item_on_failure=True`` asks for ``ReturnValuesOnConditionCheckFailure=ALL_OLD``: the reason of
  that action then carries the item as it was, decoded into its model.

Everything is checked before sending: 1 to 100 actions, no item twice, typed conditions (encrypted fields
refused), encryption (one data key per item put or updated). A cancelled transaction raises
``TransactionCanceledError`` with every reason, in action order.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html

>>> TransactDelete("u1", "PROFILE")
TransactDelete('u1', 'PROFILE')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar, Union

from theorydb_py import _client
from theorydb_py._types import Request
from theorydb_py.batch import key_id
from theorydb_py.errors import TheorydbPyError, TransactionCanceledError, ValidationError
from theorydb_py.expressions import Condition, Expression, projection
from theorydb_py.mapper import ItemMapper, MapperSource, mapper_of

__all__ = [
    "MAX_ACTIONS",
    "TransactConditionCheck",
    "TransactDelete",
    "TransactGet",
    "TransactPut",
    "TransactUpdate",
    "TransactWriteAction",
    "transact_get",
    "transact_write",
]

MAX_ACTIONS = 100
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)  # no slots: TransactPut[Note](...) sets __orig_class__
class TransactPut(Generic[T]):
    """Put ``item`` (replacing any item with its key) if the condition holds.

    The condition is ``condition_expression``: a raw string with its ``expression_attribute_names`` and
    ``expression_attribute_values`` (TableTheory's form), or a typed ``Condition``; ``condition=`` is the
    same for typed conditions.
    """

    item: T
    condition_expression: str | Condition | None = None
    expression_attribute_names: Mapping[str, str] | None = None
    expression_attribute_values: Mapping[str, Any] | None = None
    condition: Condition | None = dataclasses.field(default=None, kw_only=True)
    table: MapperSource | None = dataclasses.field(default=None, kw_only=True)
    return_item_on_failure: bool = dataclasses.field(default=False, kw_only=True)

    def __repr__(self) -> str:
        return f"TransactPut({self.item!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class TransactUpdate:
    """Apply an update mapping to the item ``(pk, sk)`` if the condition (and ``expected_version``) hold."""

    pk: Any
    sk: Any
    updates: Mapping[str, Any]
    condition_expression: str | Condition | None = None
    expression_attribute_names: Mapping[str, str] | None = None
    expression_attribute_values: Mapping[str, Any] | None = None
    condition: Condition | None = dataclasses.field(default=None, kw_only=True)
    expected_version: int | None = dataclasses.field(default=None, kw_only=True)
    table: MapperSource | None = dataclasses.field(default=None, kw_only=True)
    return_item_on_failure: bool = dataclasses.field(default=False, kw_only=True)

    def __repr__(self) -> str:
        return f"TransactUpdate({self.pk!r}, {self.sk!r}, {dict(self.updates)!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class TransactDelete:
    """Delete the item ``(pk, sk)`` if the condition (and ``expected_version``) hold."""

    pk: Any
    sk: Any = None
    condition_expression: str | Condition | None = None
    expression_attribute_names: Mapping[str, str] | None = None
    expression_attribute_values: Mapping[str, Any] | None = None
    condition: Condition | None = dataclasses.field(default=None, kw_only=True)
    expected_version: int | None = dataclasses.field(default=None, kw_only=True)
    table: MapperSource | None = dataclasses.field(default=None, kw_only=True)
    return_item_on_failure: bool = dataclasses.field(default=False, kw_only=True)

    def __repr__(self) -> str:
        return f"TransactDelete({self.pk!r}, {self.sk!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class TransactConditionCheck:
    """Write nothing, but cancel the transaction unless the condition holds for the item ``(pk, sk)``."""

    pk: Any
    sk: Any
    condition_expression: str | Condition | None = None
    expression_attribute_names: Mapping[str, str] | None = None
    expression_attribute_values: Mapping[str, Any] | None = None
    condition: Condition | None = dataclasses.field(default=None, kw_only=True)
    table: MapperSource | None = dataclasses.field(default=None, kw_only=True)
    return_item_on_failure: bool = dataclasses.field(default=False, kw_only=True)

    def __repr__(self) -> str:
        shown = self.condition if self.condition is not None else self.condition_expression
        return f"TransactConditionCheck({self.pk!r}, {self.sk!r}, {shown!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class TransactGet:
    """Read the item ``(pk, sk)`` (optionally only ``projection``) in a ``transact_get``."""

    pk: Any
    sk: Any = None
    projection: Sequence[str] | None = None
    table: MapperSource | None = None

    def __repr__(self) -> str:
        return f"TransactGet({self.pk!r}, {self.sk!r})"


# Generic like TableTheory's alias: ``TransactWriteAction[Note]``.
TransactWriteAction = Union[TransactPut[T], TransactUpdate, TransactDelete, TransactConditionCheck]  # noqa: UP007
_WRITE_TYPES = (TransactPut, TransactUpdate, TransactDelete, TransactConditionCheck)


def _table(action: Any, default: MapperSource | None, index: int) -> ItemMapper[Any]:
    table = action.table if action.table is not None else default
    if table is None or not isinstance(getattr(table, "mapper", None), ItemMapper):
        raise ValidationError(f"transaction action {index} ({action!r}) needs table=<a Table>")
    return mapper_of(table)


def _actions(actions: Any, kinds: tuple[type, ...], what: str) -> list[Any]:
    if isinstance(actions, str | bytes | Mapping) or not isinstance(actions, Iterable):
        raise ValidationError(f"{what} takes a list of actions, not {actions!r}")
    listed = list(actions)
    if not 1 <= len(listed) <= MAX_ACTIONS:
        raise ValidationError(f"{what} takes 1 to {MAX_ACTIONS} actions, got {len(listed)}")
    for index, action in enumerate(listed):
        if not isinstance(action, kinds):
            names = ", ".join(k.__name__ for k in kinds)
            raise ValidationError(f"{what}: action {index} must be one of {names}, not {action!r}")
    return listed


def _write_entry(
    action: TransactWriteAction[Any], table: ItemMapper[Any], where: str
) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """The TransactItems entry of one action, and the identity of the item it touches."""
    condition = _condition_of(action, where)
    names, values = action.expression_attribute_names, action.expression_attribute_values
    if isinstance(action, TransactPut):
        _, body = table.put_request(action.item, condition=condition, names=names, values=values)
        ident = key_id({f.attribute_name: body["Item"][f.attribute_name] for f in table.model.key_fields})
        kind = "Put"
    elif isinstance(action, TransactUpdate):
        body = table.update_request(
            action.pk,
            action.sk,
            action.updates,
            condition=condition,
            names=names,
            values=values,
            expected_version=action.expected_version,
            where=where,
        )
        ident, kind = key_id(body["Key"]), "Update"
    else:
        body = {"TableName": table.table_name, "Key": table.key(action.pk, action.sk, where)}
        ident = key_id(body["Key"])
        version = action.expected_version if isinstance(action, TransactDelete) else None
        if isinstance(action, TransactConditionCheck) and condition is None:
            raise ValidationError(
                f"{where}: a condition check needs a condition (condition_expression=, a string or eq(), ...)"
            )
        table.apply_condition(body, Expression(), condition, names, values, version)
        kind = "Delete" if isinstance(action, TransactDelete) else "ConditionCheck"
    if action.return_item_on_failure:
        body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {kind: body}, (table.table_name, *ident)


def _condition_of(action: TransactWriteAction[Any], where: str) -> str | Condition | None:
    """The action's condition: ``condition_expression`` (a string or a Condition) or ``condition``."""
    if action.condition is not None and action.condition_expression is not None:
        raise ValidationError(f"{where}: give condition_expression or condition, not both")
    if action.condition is not None and not isinstance(action.condition, Condition):
        raise ValidationError(f"{where}: condition= takes conditions built with eq(), exists()...")
    chosen = action.condition if action.condition is not None else action.condition_expression
    if chosen is not None and not isinstance(chosen, str | Condition):
        raise ValidationError(f"{where}: condition_expression is a string or built with eq(), exists()...")
    return chosen


def transact_write(
    actions: Sequence[TransactWriteAction[Any]],
    *,
    client: Any = None,
    client_request_token: str | None = None,
    default: MapperSource | None = None,
) -> None:
    """Run the actions atomically: all happen, or none and ``TransactionCanceledError`` says why.

    ``client`` defaults to the first action's table's client; ``client_request_token`` (1 to 36
    characters) makes a retried call idempotent for ten minutes.
    """
    listed = _actions(actions, _WRITE_TYPES, "transact_write")
    if client_request_token is not None and (
        not isinstance(client_request_token, str) or not 1 <= len(client_request_token) <= 36
    ):
        raise ValidationError("client_request_token must be a string of 1 to 36 characters")
    tables = [_table(action, default, i) for i, action in enumerate(listed)]
    items: list[dict[str, Any]] = []
    seen: set[Any] = set()
    for index, (action, table) in enumerate(zip(listed, tables, strict=True)):
        entry, ident = _write_entry(action, table, f"transact_write action {index}")
        if ident in seen:
            raise ValidationError(f"transact_write: action {index} touches an item an earlier action touches")
        seen.add(ident)
        items.append(entry)
    request: Request = {"TransactItems": items}
    if client_request_token is not None:
        request["ClientRequestToken"] = client_request_token
    try:
        _client.call(client if client is not None else tables[0].client, "transact_write_items", request)
    except TransactionCanceledError as err:
        raise _decoded(err, tables) from err.__cause__


def _decoded(err: TransactionCanceledError, tables: list[ItemMapper[Any]]) -> TransactionCanceledError:
    """The same cancellation with each returned item decoded into its action's model (where it can be)."""
    reasons = []
    for reason in err.reasons:
        item = None
        if reason.raw_item is not None and reason.index < len(tables):
            try:
                item = tables[reason.index].from_item(reason.raw_item)
            except TheorydbPyError:
                item = None  # the raw item stays available; a bad stored item must not hide the cancellation
        reasons.append(dataclasses.replace(reason, item=item))
    return type(err)(err.message, code=err.code, reasons=tuple(reasons))


def transact_get(
    gets: Sequence[TransactGet | Any], *, client: Any = None, default: MapperSource | None = None
) -> list[Any]:
    """The items, read atomically, in the order asked (None for a missing item).

    With ``default`` (``Table.transact_get``), a plain key (``pk`` or ``(pk, sk)``) stands for a
    ``TransactGet`` on that table.
    """
    if default is not None and not isinstance(gets, str | bytes) and isinstance(gets, Iterable):
        gets = [g if isinstance(g, TransactGet) else _key_get(default, g) for g in gets]
    listed = _actions(gets, (TransactGet,), "transact_get")
    tables = [_table(g, default, i) for i, g in enumerate(listed)]
    entries = []
    seen: set[Any] = set()
    for index, (get, table) in enumerate(zip(listed, tables, strict=True)):
        body: Request = {"TableName": table.table_name, "Key": table.key(get.pk, get.sk, "transact_get")}
        ident = (table.table_name, *key_id(body["Key"]))
        if ident in seen:
            raise ValidationError(f"transact_get: item {index} is asked for twice")
        seen.add(ident)
        if get.projection is not None:
            expr = Expression()
            keys = [f.python_name for f in table.model.key_fields]
            body["ProjectionExpression"] = projection(table.model, [*get.projection, *keys], expr)
            body["ExpressionAttributeNames"] = expr.names
        entries.append({"Get": body})
    response = _client.call(
        client if client is not None else tables[0].client, "transact_get_items", {"TransactItems": entries}
    )
    answers = response.get("Responses") or []
    answers = list(answers) + [{}] * (len(tables) - len(answers))  # DynamoDB answers one per Get, in order
    caches: dict[int, Any] = {}
    out: list[Any] = []
    for table, answer in zip(tables, answers, strict=False):
        raw = answer.get("Item") if isinstance(answer, Mapping) else None
        if not raw:
            out.append(None)
            continue
        cache = caches.setdefault(id(table), table.new_cache())
        out.append(table.from_item(raw, cache))
    return out


def _key_get(source: MapperSource, key: Any) -> TransactGet:
    table = mapper_of(source)
    found = table.split_key(key, "transact_get")  # checks the shape: pk, or (pk, sk)
    if table.model.sk is None:
        return TransactGet(key[0] if isinstance(key, tuple) else key, None, table=source)
    assert len(found) == 2
    return TransactGet(key[0], key[1], table=source)
