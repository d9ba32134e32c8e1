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
from typing import TYPE_CHECKING, Any

from theorydb_py import _client
from theorydb_py._types import Request
from theorydb_py.batch import key_id, split_key
from theorydb_py.errors import TheorydbPyError, TransactionCanceledError, ValidationError
from theorydb_py.expressions import Condition, Expression, projection
from theorydb_py.update import build_update

if TYPE_CHECKING:
    from theorydb_py.table import Table

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


@dataclasses.dataclass(frozen=True, slots=True)
class TransactPut:
    """Put ``item`` (replacing any item with its key) if ``condition`` holds."""

    item: Any
    condition: Condition | None = None
    table: Table[Any] | None = None
    return_item_on_failure: bool = False

    def __repr__(self) -> str:
        return f"TransactPut({self.item!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class TransactUpdate:
    """Apply an update mapping to the item ``(pk, sk)`` if ``condition`` (and ``expected_version``) hold."""

    pk: Any
    sk: Any
    updates: Mapping[str, Any]
    condition: Condition | None = None
    expected_version: int | None = None
    table: Table[Any] | None = None
    return_item_on_failure: bool = False

    def __repr__(self) -> str:
        return f"TransactUpdate({self.pk!r}, {self.sk!r}, {dict(self.updates)!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class TransactDelete:
    """Delete the item ``(pk, sk)`` if ``condition`` (and ``expected_version``) hold."""

    pk: Any
    sk: Any = None
    condition: Condition | None = None
    expected_version: int | None = None
    table: Table[Any] | None = None
    return_item_on_failure: bool = False

    def __repr__(self) -> str:
        return f"TransactDelete({self.pk!r}, {self.sk!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class TransactConditionCheck:
    """Write nothing, but cancel the transaction unless ``condition`` holds for the item ``(pk, sk)``."""

    pk: Any
    sk: Any
    condition: Condition
    table: Table[Any] | None = None
    return_item_on_failure: bool = False

    def __repr__(self) -> str:
        return f"TransactConditionCheck({self.pk!r}, {self.sk!r}, {self.condition!r})"


@dataclasses.dataclass(frozen=True, slots=True)
class TransactGet:
    """Read the item ``(pk, sk)`` (optionally only ``projection``) in a ``transact_get``."""

    pk: Any
    sk: Any = None
    projection: Sequence[str] | None = None
    table: Table[Any] | None = None

    def __repr__(self) -> str:
        return f"TransactGet({self.pk!r}, {self.sk!r})"


TransactWriteAction = TransactPut | TransactUpdate | TransactDelete | TransactConditionCheck
_WRITE_TYPES = (TransactPut, TransactUpdate, TransactDelete, TransactConditionCheck)


def _table(action: Any, default: Table[Any] | None, index: int) -> Table[Any]:
    from theorydb_py.table import Table

    table = action.table if action.table is not None else default
    if not isinstance(table, Table):
        raise ValidationError(f"transaction action {index} ({action!r}) needs table=<a Table>")
    return table


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
    action: TransactWriteAction, table: Table[Any], where: str
) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """The TransactItems entry of one action, and the identity of the item it touches."""
    body: Request = {"TableName": table.table_name}
    expr = Expression()
    version: int | None = None
    if isinstance(action, TransactPut):
        table._check_instance(action.item)
        body["Item"] = table.to_item(table._lifecycle.stamp(action.item, new=False))
        ident = key_id({f.attribute_name: body["Item"][f.attribute_name] for f in table.model.key_fields})
        kind = "Put"
    else:
        body["Key"] = table._key(action.pk, action.sk, where)
        ident = key_id(body["Key"])
        if isinstance(action, TransactUpdate):
            body["UpdateExpression"] = build_update(
                table.model, table._with_lifecycle(action.updates), expr, table._sealer(body["Key"])
            )
            version, kind = action.expected_version, "Update"
        elif isinstance(action, TransactDelete):
            version, kind = action.expected_version, "Delete"
        else:
            if not isinstance(action.condition, Condition):
                raise ValidationError(f"{where}: a condition check needs a condition built with eq(), ...")
            kind = "ConditionCheck"
    if action.condition is not None and not isinstance(action.condition, Condition):
        raise ValidationError(f"{where}: conditions in transactions are built with eq(), exists()...")
    table._condition(body, expr, action.condition, None, None, version)
    if action.return_item_on_failure:
        body["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    return {kind: body}, (table.table_name, *ident)


def transact_write(
    actions: Sequence[TransactWriteAction],
    *,
    client: Any = None,
    client_request_token: str | None = None,
    default: Table[Any] | None = None,
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


def _decoded(err: TransactionCanceledError, tables: list[Table[Any]]) -> TransactionCanceledError:
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
    return TransactionCanceledError(err.message, code=err.code, reasons=tuple(reasons))


def transact_get(
    gets: Sequence[TransactGet | Any], *, client: Any = None, default: Table[Any] | None = None
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
        body: Request = {"TableName": table.table_name, "Key": table._key(get.pk, get.sk, "transact_get")}
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
        cache = caches.setdefault(id(table), table._new_cache())
        out.append(table.from_item(raw, cache))
    return out


def _key_get(table: Table[Any], key: Any) -> TransactGet:
    split_key(table, key, "transact_get")  # checks the shape: pk, or (pk, sk)
    if table.model.sk is None:
        return TransactGet(key, None, table=table)
    return TransactGet(key[0], key[1], table=table)
