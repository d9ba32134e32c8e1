"""TransactWriteItems and TransactGetItems: up to 100 actions across tables, all or nothing.

A write transaction is planned in full before anything is written: each action's request rules first (one
action kind, attribute values, expressions and placeholders, whole items for ``Put``), then the 4 MB
payload, the client token, the tables, one action per item, and finally, against the stored items, every
condition and every update. Any failed action cancels the whole transaction with one
``CancellationReason`` per action; otherwise the writes are applied one after the other. ``dispatch`` holds
the emulator's lock throughout, so no other request sees a transaction half applied, and nothing is copied:
the cost is O(actions x log n).

Capacity is the transactional price: twice a single write per written item (index writes included), twice a
strongly consistent read per ``Get`` and per ``ConditionCheck``; a ``Delete`` of a missing item costs one
unit (measured on DynamoDB Local 3.3.0, as every message and code here). ``ClientRequestToken`` makes a
successful write transaction idempotent for 10 minutes of the emulator's clock.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html (and
API_TransactGetItems.html)

>>> from theorydb_mocks.emulator.core import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "things", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> put = {"Put": {"TableName": "things", "Item": {"pk": {"S": "a"}}}}
>>> emu.dispatch("TransactWriteItems", {"TransactItems": [put]})
{}
>>> try:
...     emu.dispatch("TransactWriteItems", {"TransactItems": [{"ConditionCheck": {"TableName": "things",
...         "Key": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_not_exists(pk)"}}]})
... except Exception as err:
...     print(err.fields["CancellationReasons"])
[{'Code': 'ConditionalCheckFailed', 'Message': 'The conditional request failed'}]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from theorydb_mocks.emulator._order import java_hash_order
from theorydb_mocks.emulator._types import Item, Key, Request, Response
from theorydb_mocks.emulator.capacity import add_capacity, consumed, read_units, write_capacity
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error, validation_error
from theorydb_mocks.emulator.messages import (
    CONDITION_FAILED,
    IDEMPOTENT_MISMATCH,
    TRANSACTION_CANCELLED,
    TRANSACTION_CONFLICT,
    TRANSACTION_MANY_ACTIONS,
    TRANSACTION_NO_ACTION,
    TRANSACTION_NULL_GET,
    TRANSACTION_SAME_ITEM,
    TRANSACTION_TOO_LARGE,
    UPDATE_KEY_PREFIX,
    UPDATE_TOO_LARGE,
    VALUES_INVALID_VALUE,
)
from theorydb_mocks.emulator.operations._exprs import Prepared, prepare_request
from theorydb_mocks.emulator.operations._keys import (
    MAX_ITEM_SIZE,
    check_index_keys,
    check_item,
    clone_item,
    normalize_key,
    parse_key,
)
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.operations.items import item_collection_metrics
from theorydb_mocks.emulator.values import (
    attribute_value_size,
    item_size,
    validate_attribute_value,
    validate_item,
)

__all__ = ["transact_get_items", "transact_write_items"]

MAX_PAYLOAD = 4 * 1024 * 1024
TOKEN_LIFETIME = 600.0


_KINDS = ("ConditionCheck", "Put", "Delete", "Update")
_MEMBERS = {
    "ConditionCheck": ("ConditionExpression",),
    "Put": ("ConditionExpression",),
    "Delete": ("ConditionExpression",),
    "Update": ("UpdateExpression", "ConditionExpression"),
}
_NONE: dict[str, Any] = {"Code": "None"}


@dataclass(slots=True)
class _Action:
    """One write action as planned: its request body, table, key, and the write it would make."""

    kind: str
    body: dict[str, Any]
    prepared: Prepared
    values: Item  # the Put's item, or the normalized Key
    table: Any = None
    key: Key | None = None
    size: int = 0
    old: Item | None = None
    new: Item | None = None


def _fingerprint(request: Request) -> str:
    """A canonical text of a request (dict order ignored) to compare two uses of one client token; the
    token itself and ReturnConsumedCapacity are not part of it (DynamoDB Local measured)."""
    compared = {k: v for k, v in request.items() if k not in ("ClientRequestToken", "ReturnConsumedCapacity")}
    return json.dumps(compared, sort_keys=True, default=repr)


def _cancelled(reasons: list[dict[str, Any]]) -> DynamoDBError:
    message = TRANSACTION_CANCELLED.format(codes=", ".join(reason["Code"] for reason in reasons))
    return ddb_error("TransactionCanceledException", message, Message=message, CancellationReasons=reasons)


def _condition_failed(body: dict[str, Any], old: Item | None) -> dict[str, Any]:
    reason: dict[str, Any] = {"Code": "ConditionalCheckFailed", "Message": CONDITION_FAILED}
    if old is not None and body.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD":
        reason["Item"] = clone_item(old)
    return reason


def _invalid(err: DynamoDBError) -> dict[str, Any]:
    return {"Code": "ValidationError", "Message": err.message}


def _static(action: Any) -> _Action:
    """The rules of one action that need no table: one kind, its values and its expressions."""
    kinds = [kind for kind in _KINDS if isinstance(action, dict) and action.get(kind) is not None]
    if not kinds:
        raise validation_error(TRANSACTION_NO_ACTION)
    if len(kinds) > 1:
        raise validation_error(TRANSACTION_MANY_ACTIONS)
    kind = kinds[0]
    body: dict[str, Any] = action[kind]
    values = validate_item(body["Item"]) if kind == "Put" else normalize_key(body["Key"])
    return _Action(kind, body, prepare_request(body, _MEMBERS[kind]), values)


def _payload_size(actions: list[_Action]) -> int:
    """The bytes of items, keys and values the transaction carries (a Put's item size is kept for later)."""
    total = 0
    for action in actions:
        size = item_size(action.values)
        if action.kind == "Put":
            action.size = size
        total += size
        values = action.body.get("ExpressionAttributeValues")
        if isinstance(values, dict):
            total += sum(_value_size(action, key, value) for key, value in values.items())
    return total


def _value_size(action: _Action, key: str, value: Any) -> int:
    """The size of one ``ExpressionAttributeValues`` entry; an invalid value is refused now, in
    DynamoDB's words, before the payload is sized (DynamoDB Local 3.3.0: even ahead of a missing table)."""
    try:
        return attribute_value_size(validate_attribute_value(value))
    except DynamoDBError as error:
        if action.prepared.error is not None:
            raise action.prepared.error from None  # the action's first error, as compiling found it
        if error.code != "ValidationException":
            raise
        raise validation_error(VALUES_INVALID_VALUE.format(message=error.message, key=key)) from None


def _locate(emu: Any, action: _Action) -> dict[str, Any] | None:
    """Resolve the table and key of an action; a key that does not fit the schema is a cancellation reason."""
    action.table = table = action.prepared.table(emu, action.body["TableName"])
    if action.kind == "Put":
        action.size = check_item(
            table.key, table.indexes.values(), action.values, size=action.size, vectors=table.vector_specs
        )
        action.key = {name: action.values[name] for name in table.key.names}
    else:
        try:
            action.key = parse_key(table.key, action.values, normalized=True)
        except DynamoDBError as err:
            action.prepared.result()
            return _invalid(err)
    action.prepared.result()
    return None


def _refuse_same_item(action: _Action, seen: set[tuple[str, Any]]) -> None:
    """One action per item: an action on an item an earlier action named is refused before anything is read.
    Checked as each action is located, so a missing table named first wins, and a repeat named first wins
    over a later missing table (DynamoDB Local's order; the service documents none)."""
    if action.key is None:
        return
    spot = (action.table.name, action.table.store.position(action.key))
    if spot in seen:
        raise validation_error(TRANSACTION_SAME_ITEM)
    seen.add(spot)


def _plan(action: _Action) -> dict[str, Any]:
    """Check one located action against its stored item; returns its cancellation reason (``None`` code)."""
    table = action.table
    store = table.store
    assert action.key is not None
    action.old = old = store.get(action.key)
    compiled = action.prepared.compiled
    condition = compiled.condition if compiled is not None else None
    if condition is not None and not condition.evaluate(old or {}):
        return _condition_failed(action.body, old)
    if action.kind == "Put":
        action.new = action.values
    elif action.kind == "Update":
        try:
            result = compiled.update.apply(old if old is not None else dict(action.key), table.key.names)
        except DynamoDBError as err:
            if err.message.startswith(UPDATE_KEY_PREFIX):
                return _invalid(err)
            raise
        new = result.new_item
        action.size = item_size(new)
        if action.size > MAX_ITEM_SIZE:
            return _invalid(validation_error(UPDATE_TOO_LARGE))
        try:
            check_index_keys(table.indexes.values(), new, update=True, vectors=table.vector_specs)
        except DynamoDBError as err:
            return _invalid(err)
        action.new = new
    return _NONE


def _scaled(capacity: dict[str, Any], factor: float) -> dict[str, Any]:
    """A ConsumedCapacity answer with every unit count multiplied (transactions cost double)."""
    out: dict[str, Any] = {}
    for name, value in capacity.items():
        if name == "CapacityUnits":
            out[name] = value * factor
        elif isinstance(value, dict):
            out[name] = _scaled(value, factor)
        else:
            out[name] = value
    return out


def _capacity_list(by_table: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """One ConsumedCapacity entry per table, in the order DynamoDB lists them (a Java HashMap's)."""
    return [by_table[name] for name in java_hash_order(list(by_table))]


def _write_capacity(action: _Action, mode: str) -> dict[str, Any] | None:
    table = action.table
    store = table.store
    if action.kind == "ConditionCheck":
        size = 0 if action.old is None else store.size_of(action.old)
        return consumed(table.name, mode, 2 * read_units(size, consistent=True))
    if action.kind == "Delete" and action.old is None:
        return consumed(table.name, mode, 1.0)
    old_size = 0 if action.old is None else store.size_of(action.old)
    new_size = action.size if action.new is not None else 0
    single = write_capacity(
        table.name, mode, store, action.old, action.new, old_size=old_size, new_size=new_size
    )
    return None if single is None else _scaled(single, 2.0)


def _replay(emu: Any, token: str, fingerprint: str, request: Request) -> Response | None:
    """The answer to a repeated client token within its 10 minutes, or None for a new token."""
    found = emu.tokens.find(token, emu.clock.now())
    if found is None:
        return None
    if found.fingerprint != fingerprint:
        raise ddb_error(
            "IdempotentParameterMismatchException", IDEMPOTENT_MISMATCH, Message=IDEMPOTENT_MISMATCH
        )
    response: Response = {}
    mode = request.get("ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        # A repeat writes nothing: it costs the transactional reads of the items (the service's rule).
        by_table: dict[str, dict[str, Any]] = {}
        for table, key in found.written:
            item = table.store.get(key)
            size = 0 if item is None else table.store.size_of(item)
            part = consumed(table.name, mode, 2 * read_units(size, consistent=True))
            if part is not None:
                by_table[table.name] = add_capacity(by_table.get(table.name), part)
        response["ConsumedCapacity"] = _capacity_list(by_table)
    return response


@operation("TransactWriteItems", metered=True, faults="transaction")
def transact_write_items(emu: Any, request: Request) -> Response:
    """Write up to 100 items across tables, all or nothing. Runtime: O(actions x log n)."""
    actions = [_static(action) for action in request["TransactItems"]]
    size = _payload_size(actions)
    if size > MAX_PAYLOAD:
        raise validation_error(TRANSACTION_TOO_LARGE.format(size=size))
    token = request.get("ClientRequestToken")
    fingerprint = ""
    if token is not None:
        fingerprint = _fingerprint(request)
        replayed = _replay(emu, token, fingerprint, request)
        if replayed is not None:
            return replayed
    reasons: list[dict[str, Any] | None] = []
    seen: set[tuple[str, Any]] = set()
    for action in actions:
        reasons.append(_locate(emu, action))
        _refuse_same_item(action, seen)
    for position, action in enumerate(actions):
        if reasons[position] is None:
            reasons[position] = _plan(action)
    faults = emu.faults
    if faults:
        conflict = faults.conflict([action.body.get("Key", action.body.get("Item")) for action in actions])
        if conflict is not None:
            reasons[conflict] = {"Code": "TransactionConflict", "Message": TRANSACTION_CONFLICT}
    final = [reason if reason is not None else _NONE for reason in reasons]
    if any(reason["Code"] != "None" for reason in final):
        raise _cancelled([dict(reason) for reason in final])
    mode = request.get("ReturnConsumedCapacity")
    by_table: dict[str, dict[str, Any]] = {}
    metrics: dict[str, list[Any]] = {}
    for action in actions:
        store = action.table.store
        if action.kind == "Put" or (action.kind == "Update" and action.new is not None):
            store.put(action.new, action.size)
        elif action.kind == "Delete" and action.old is not None:
            store.delete(action.key)
        if mode in ("TOTAL", "INDEXES"):
            part = _write_capacity(action, mode)
            if part is not None:
                by_table[action.table.name] = add_capacity(by_table.get(action.table.name), part)
        if action.kind != "ConditionCheck" and action.key is not None:
            found = item_collection_metrics(action.table, request, action.key)
            if found is not None:
                metrics.setdefault(action.table.name, []).append(found)
    if token is not None:
        written = [(action.table, action.key) for action in actions if action.key is not None]
        emu.tokens.record(token, emu.clock.now() + TOKEN_LIFETIME, fingerprint, written)
    response: Response = {}
    if by_table:
        response["ConsumedCapacity"] = _capacity_list(by_table)
    if metrics:
        response["ItemCollectionMetrics"] = metrics
    return response


@operation("TransactGetItems", metered=True, read_only=True, faults="transaction")
def transact_get_items(emu: Any, request: Request) -> Response:
    """Read up to 100 items across tables as of one instant. Runtime: O(actions x log n)."""
    gets: list[_Action] = []
    for position, entry in enumerate(request["TransactItems"], 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("Get"), dict):
            raise validation_error(TRANSACTION_NULL_GET.format(position=position))
        body = entry["Get"]
        values = normalize_key(body["Key"])
        gets.append(_Action("Get", body, prepare_request(body, ("ProjectionExpression",)), values))
    reasons: list[dict[str, Any] | None] = []
    seen: set[tuple[str, Any]] = set()
    for action in gets:
        action.table = table = action.prepared.table(emu, action.body["TableName"])
        try:
            action.key = parse_key(table.key, action.values, normalized=True)
        except DynamoDBError as err:
            action.prepared.result()
            reasons.append(_invalid(err))
            continue
        action.prepared.result()
        reasons.append(None)
        _refuse_same_item(action, seen)
    faults = emu.faults
    if faults:
        conflict = faults.conflict([action.body.get("Key") for action in gets])
        if conflict is not None:
            reasons[conflict] = {"Code": "TransactionConflict", "Message": TRANSACTION_CONFLICT}
    if any(reason is not None for reason in reasons):
        raise _cancelled([dict(reason) if reason is not None else dict(_NONE) for reason in reasons])
    mode = request.get("ReturnConsumedCapacity")
    responses: list[dict[str, Any]] = []
    by_table: dict[str, dict[str, Any]] = {}
    for action in gets:
        table = action.table
        assert action.key is not None
        item = table.store.get(action.key)
        if item is None:
            responses.append({})
        else:
            compiled = action.prepared.compiled
            shown = compiled.projection.apply(item) if compiled is not None and compiled.projection else item
            responses.append({"Item": clone_item(shown)})
        if mode in ("TOTAL", "INDEXES"):
            size = 0 if item is None else table.store.size_of(item)
            part = consumed(table.name, mode, 2 * read_units(size, consistent=True))
            if part is not None:
                by_table[table.name] = add_capacity(by_table.get(table.name), part)
    response: Response = {"Responses": responses}
    if by_table:
        response["ConsumedCapacity"] = _capacity_list(by_table)
    return response
