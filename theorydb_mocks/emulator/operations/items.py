"""PutItem, GetItem, UpdateItem and DeleteItem: one item at a time, each write atomic under the emulator lock.

Every error is raised before the item is touched: the request's own rules first (ReturnValues, legacy and
expression parameters, value validity, expression syntax), then the table's (key schema, item size, index
keys), then the ConditionExpression against the stored item.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html (and GetItem, UpdateItem,
DeleteItem)

>>> from theorydb_mocks.emulator.core import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "things", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> emu.dispatch("PutItem", {"TableName": "things", "Item": {"pk": {"S": "a"}, "n": {"N": "1.50"}}})
{}
>>> emu.dispatch("GetItem", {"TableName": "things", "Key": {"pk": {"S": "a"}}})
{'Item': {'pk': {'S': 'a'}, 'n': {'N': '1.5'}}}
"""

from __future__ import annotations

from typing import Any

from theorydb_mocks.emulator._types import Item, Key, Request, Response
from theorydb_mocks.emulator.capacity import consumed, read_capacity, read_units, write_capacity, write_units
from theorydb_mocks.emulator.errors import ddb_error, validation_error
from theorydb_mocks.emulator.item_parsers import parse_put_item
from theorydb_mocks.emulator.messages import (
    CONDITION_FAILED,
    INVALID_RETURN_VALUES,
    OPERATOR_WITHOUT_CONDITIONS,
    UPDATE_TOO_LARGE,
)
from theorydb_mocks.emulator.operations._exprs import (
    UNSEEN,
    Prepared,
    VouchedShapes,
    compile_request,
    prepare_request,
)
from theorydb_mocks.emulator.operations._keys import (
    MAX_ITEM_SIZE,
    check_index_keys,
    check_item,
    clone_item,
    normalize_key,
    parse_key,
    plain_position,
    refuse_duplicate_names,
    reject_legacy_mix,
)
from theorydb_mocks.emulator.operations._legacy import legacy_condition, legacy_update
from theorydb_mocks.emulator.operations._registry import express_lane, operation
from theorydb_mocks.emulator.records import decode
from theorydb_mocks.emulator.validation import fully_valid
from theorydb_mocks.emulator.values import (
    attribute_value_size,
    item_size,
    utf8_size,
    validate_sized_item,
)

__all__ = [
    "conditional_check_failed",
    "delete_item",
    "express_delete_item",
    "express_get_item",
    "express_put_item",
    "express_update_item",
    "get_item",
    "put_item",
    "update_item",
]


_WRITE_RETURN_VALUES = frozenset({"NONE", "ALL_OLD"})
_UPDATE_RETURN_VALUES = frozenset({"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"})


def _return_values(request: Request, allowed: frozenset[str]) -> str:
    value = request.get("ReturnValues") or "NONE"
    if value not in allowed:
        raise validation_error(INVALID_RETURN_VALUES)
    return str(value)


def _condition(request: Request, compiled: Any) -> Any:
    """The request's condition: its ConditionExpression, or its legacy Expected map, or None."""
    if compiled is not None and compiled.condition is not None:
        return compiled.condition
    expected = request.get("Expected")
    operator = request.get("ConditionalOperator")
    if expected is None:
        if operator is not None:
            raise validation_error(OPERATOR_WITHOUT_CONDITIONS)
        return None
    return legacy_condition(expected, operator, expected=True)


def conditional_check_failed(request: Request, old: Item | None) -> Exception:
    """The ConditionalCheckFailedException, carrying the old item when the request asked for it."""
    if old is not None and request.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD":
        return ddb_error("ConditionalCheckFailedException", CONDITION_FAILED, Item=clone_item(old))
    return ddb_error("ConditionalCheckFailedException", CONDITION_FAILED)


def item_collection_metrics(table: Any, request: Request, key: Key) -> dict[str, Any] | None:
    """``ItemCollectionMetrics`` for tables with local secondary indexes when asked (the service's answer)."""
    if request.get("ReturnItemCollectionMetrics") != "SIZE":
        return None
    if not any(spec.kind == "LSI" for spec in table.indexes.values()):
        return None
    hash_name = table.key.hash_name
    return {"ItemCollectionKey": {hash_name: dict(key[hash_name])}, "SizeEstimateRangeGB": [0.0, 1.0]}


def _finish_write(
    response: Response,
    table: Any,
    request: Request,
    old: Item | None,
    new: Item | None,
    sizes: tuple[int, int],
) -> Response:
    mode = request.get("ReturnConsumedCapacity")
    if mode is not None and mode != "NONE":
        capacity = write_capacity(
            table.name, mode, table.store, old, new, old_size=sizes[0], new_size=sizes[1]
        )
        if capacity is not None:
            response["ConsumedCapacity"] = capacity
    if request.get("ReturnItemCollectionMetrics") == "SIZE":
        written = new if new is not None else old
        if written is not None:
            metrics = item_collection_metrics(table, request, written)
            if metrics is not None:
                response["ItemCollectionMetrics"] = metrics
    return response


_PLAIN_PUT = frozenset({"TableName", "Item", "ReturnConsumedCapacity"})
_EXPRESS_PUT = _PLAIN_PUT | {"ReturnValues"}
_CAPACITY_MODES = ("NONE", "TOTAL", "INDEXES")  # (a tuple: an unchecked request's member may not hash)


def _with_capacity(response: Response, table_name: str, mode: Any, units: float) -> Response:
    """``response`` with the ConsumedCapacity ``mode`` asks for, when it is the table's alone."""
    if mode == "NONE":  # the lanes' usual case: nothing to build
        return response
    capacity = consumed(table_name, mode, units)
    if capacity is not None:
        response["ConsumedCapacity"] = capacity
    return response


@operation("PutItem", metered=True)
def put_item(emu: Any, request: Request) -> Response:
    """Create or replace one item. Runtime: O(log n) per index."""
    if request.keys() <= _PLAIN_PUT and not emu.transitions.table_lifecycle:
        # Nothing but the item (no expression, no old item to show). The checked path refuses a CREATING
        # table under the opt-in lifecycle.
        answered = express_put_item(emu, request)
        if answered is not None:
            return answered[0]
        table = emu.tables.get(request["TableName"])
        if table is not None and not table.store.has_indexes and not table.vector_indexes:
            item, size = validate_sized_item(request["Item"])  # values the compiled parser does not take
            check_item(table.key, (), item, size=size)
            old_size = table.store.write(item, size)
            units = write_units(old_size if old_size > size else size)
            return _with_capacity({}, table.name, request.get("ReturnConsumedCapacity"), units)
    return _put_item(emu, request)


def _plain_write(emu: Any, request: Request, members: frozenset[str]) -> tuple[Any, str, str] | None:
    """(table, its name, the capacity mode) of a write lane's request: only ``members``, no old item asked
    back, capacity asked in a valid mode, a table without indexes; None declines."""
    mode = request.get("ReturnConsumedCapacity", "NONE")
    if (
        not request.keys() <= members
        or mode not in _CAPACITY_MODES
        or request.get("ReturnValues", "NONE") != "NONE"
    ):
        return None
    name = request.get("TableName")
    if type(name) is not str:
        return None
    table = emu.tables.get(name)
    if table is None or table.store.has_indexes or table.vector_indexes:
        return None
    return table, name, mode


@express_lane("PutItem")
def express_put_item(emu: Any, request: Request) -> tuple[Response, str, float] | None:
    """PutItem's express lane (``pipeline``), and the handler's short path: an item its compiled parser
    vouches for (``item_parsers.parse_put_item``), on a table without indexes, with no condition and no old
    item asked back; anything else is declined."""
    found = _plain_write(emu, request, _EXPRESS_PUT)
    if found is None:
        return None
    table, name, mode = found
    parsed = parse_put_item(table.key, request.get("Item"))
    if parsed is None:
        return None
    record, pkv, skv = parsed
    size = record[1]
    old_size = table.store.write_record(pkv, skv, record)
    units = write_units(old_size if old_size > size else size)
    return _with_capacity({}, name, mode, units), name, units


def _put_item(emu: Any, request: Request) -> Response:
    """PutItem with every check in DynamoDB's order."""
    return_values = _return_values(request, _WRITE_RETURN_VALUES)
    reject_legacy_mix(request, ("ConditionalOperator", "Expected"), ("ConditionExpression",))
    item, size = validate_sized_item(request["Item"])
    prepared = prepare_request(request, ("ConditionExpression",))
    table = prepared.table(emu, request["TableName"])
    check_item(table.key, table.indexes.values(), item, size=size, vectors=table.vector_specs)
    condition = _condition(request, prepared.result())
    store = table.store
    old: Item | None = None
    if condition is None and return_values == "NONE" and not store.has_indexes:
        old_size = store.write(item, size)  # only the old item's size matters
    else:
        found = store.get_at(store.position(item))
        old, old_size = (None, 0) if found is None else found
        if condition is not None and not condition.evaluate(old or {}):
            raise conditional_check_failed(request, old)
        store.write(item, size)
    response: Response = {}
    if return_values == "ALL_OLD" and old is not None:
        response["Attributes"] = old  # a fresh read, shared with nothing stored
    return _finish_write(response, table, request, old, item, (old_size, size))


_PLAIN_GET = frozenset({"TableName", "Key", "ConsistentRead", "ReturnConsumedCapacity"})


@operation("GetItem", metered=True, read_only=True)
def get_item(emu: Any, request: Request) -> Response:
    """Read one item by its key. Runtime: O(1) for the lookup, O(item) for the copy."""
    if not emu.transitions.table_lifecycle:  # the checked path refuses a CREATING table (opt-in lifecycle)
        answered = express_get_item(emu, request)  # a plain key: looked up without the checked path
        if answered is not None:
            return answered[0]
    return _get_item(emu, request)


@express_lane("GetItem")
def express_get_item(emu: Any, request: Request) -> tuple[Response, str, float] | None:
    """GetItem's express lane (``pipeline``), and the handler's short path (measured: the checked path
    was a third of a GetItem): a plain key on a table named as it was created, no projection; anything
    else is declined."""
    mode = request.get("ReturnConsumedCapacity", "NONE")
    if not request.keys() <= _PLAIN_GET or mode not in _CAPACITY_MODES:
        return None
    name = request.get("TableName")
    consistent = request.get("ConsistentRead", False)
    if type(name) is not str or type(consistent) is not bool:
        return None
    table = emu.tables.get(name)
    position = None if table is None else plain_position(table.key, request.get("Key"))
    if position is None:
        return None
    found = table.store.get_at(position)  # a fresh item: no copy needed
    units = read_units(0 if found is None else found[1], consistent=consistent)
    return _with_capacity({} if found is None else {"Item": found[0]}, name, mode, units), name, units


def _get_item(emu: Any, request: Request) -> Response:
    """GetItem with every check in DynamoDB's order."""
    refuse_duplicate_names(request)
    reject_legacy_mix(request, ("AttributesToGet",), ("ProjectionExpression",))
    compiled = compile_request(request, ("ProjectionExpression",))
    values = normalize_key(request["Key"])
    table = emu.get_table(request["TableName"])
    key = parse_key(table.key, values, normalized=True)
    found = table.store.get_at(table.store.position(key))
    item, size = (None, 0) if found is None else found
    response: Response = {}
    if item is not None:  # a fresh read: projections of it need no copy
        if compiled is not None and compiled.projection is not None:
            response["Item"] = compiled.projection.apply(item)
        elif request.get("AttributesToGet"):
            wanted = request["AttributesToGet"]
            response["Item"] = {name: av for name, av in item.items() if name in wanted}
        else:
            response["Item"] = item
    mode = request.get("ReturnConsumedCapacity")
    if mode is not None and mode != "NONE":
        capacity = read_capacity(table.name, mode, size, consistent=bool(request.get("ConsistentRead")))
        if capacity is not None:
            response["ConsumedCapacity"] = capacity
    return response


def _size_change(old: Item, new: Item, names: frozenset[str]) -> int:
    """How many bytes ``new`` counts for more than ``old`` where they may differ, in the attributes
    ``names`` (a name counts only where its attribute comes or goes)."""
    change = 0
    for name in names:
        before = old.get(name)
        after = new.get(name)
        if before is None:
            if after is not None:
                change += utf8_size(name) + attribute_value_size(after)
        elif after is None:
            change -= utf8_size(name) + attribute_value_size(before)
        else:
            change += attribute_value_size(after) - attribute_value_size(before)
    return change


@operation("UpdateItem", metered=True)
def update_item(emu: Any, request: Request) -> Response:
    """Edit (or create) one item with an UpdateExpression. Runtime: O(log n) per index plus O(item)."""
    response, table, old, new, sizes = _update(emu, request)
    return _finish_write(response, table, request, old, new, sizes)


_UPDATE_EXPRESSIONS = ("UpdateExpression", "ConditionExpression")
_UPDATE_SHAPES = VouchedShapes(
    frozenset(
        {
            "TableName",
            "Key",
            *_UPDATE_EXPRESSIONS,
            "ExpressionAttributeNames",
            "ExpressionAttributeValues",
            "ReturnValues",
            "ReturnConsumedCapacity",
            "ReturnItemCollectionMetrics",
        }
    ),
    (*_UPDATE_EXPRESSIONS, "ReturnValues", "ReturnConsumedCapacity", "ReturnItemCollectionMetrics"),
)


@express_lane("UpdateItem")
def express_update_item(emu: Any, request: Request) -> tuple[Response, str, float] | None:
    """UpdateItem's express lane (``pipeline``): a request that surely passes botocore's and the service's
    validation, on a table without indexes, asking no capacity or collection metrics back. The update runs
    as the handler runs it, so its own errors (a failed condition, a bad expression) are the handler's.
    A request shaped like one that passed before skips the checks (``VouchedShapes``)."""
    shape = _UPDATE_SHAPES.shape(request)
    compiled = _UPDATE_SHAPES.get(shape)
    name = request.get("TableName")
    table = emu.tables.get(name) if type(name) is str else None
    position = None if table is None else plain_position(table.key, request.get("Key"))
    if position is None:
        compiled = UNSEEN  # a shape vouches for neither the table's name nor the key
    if compiled is UNSEEN and not fully_valid("UpdateItem")(request):  # botocore's and the service's checks
        return None
    if request.get("ReturnConsumedCapacity", "NONE") != "NONE":
        return None
    if request.get("ReturnItemCollectionMetrics", "NONE") != "NONE":
        return None
    if table is None or table.store.has_indexes or table.vector_indexes:
        return None
    if compiled is not UNSEEN:
        prepared = Prepared(compiled, None)
    elif shape is not None:  # no legacy member to check first: expressions are the first check
        prepared = prepare_request(request, _UPDATE_EXPRESSIONS)
    else:
        prepared = None
    response, table, _old, _new, (old_size, new_size) = _update(emu, request, prepared, position)
    if compiled is UNSEEN and prepared is not None:
        _UPDATE_SHAPES.vouch(shape, prepared.compiled)  # every check before the item's passed
    return response, table.name, write_units(old_size if old_size > new_size else new_size)


def _update(
    emu: Any, request: Request, prepared: Prepared | None = None, position: tuple[Any, Any] | None = None
) -> tuple[Response, Any, Item | None, Item, tuple[int, int]]:
    """UpdateItem up to its answer's capacity: (response, table, old item, new item, their sizes).
    ``prepared`` and ``position``: the request's expressions compiled and its key's ``plain_position``,
    found already (the express lane's)."""
    return_values = _return_values(request, _UPDATE_RETURN_VALUES)
    if prepared is None:
        legacy_members = ("AttributeUpdates", "ConditionalOperator", "Expected")
        reject_legacy_mix(request, legacy_members, ("ConditionExpression", "UpdateExpression"))
        prepared = prepare_request(request, _UPDATE_EXPRESSIONS)
    table = emu.tables.get(request["TableName"])
    if emu.transitions.table_lifecycle:  # the checked path refuses a CREATING table (opt-in lifecycle)
        table = None
    if table is None:
        position = None
    elif position is None:
        position = plain_position(table.key, request["Key"])
    key: Item | None = None  # with a plain position, built only for a new item
    if position is None:
        values = normalize_key(request["Key"])
        table = prepared.table(emu, request["TableName"])
        key = parse_key(table.key, values, normalized=True)
    compiled = prepared.result()
    condition = _condition(request, compiled)
    store = table.store
    where = store.position(key) if key is not None else position
    assert where is not None  # a plain position, or the key parsed for want of one
    record = store.record_at(where)
    old, old_size = (None, 0) if record is None else (decode(record), record[1])
    if condition is not None and not condition.evaluate(old or {}):
        raise conditional_check_failed(request, old)
    updated_old: Item = {}
    updated_new: Item = {}
    if old is not None:
        start = old
    else:
        if key is None:  # a plain key: surely valid and canonical, copied from the caller's request
            key = {name: av.copy() for name, av in request["Key"].items()}
        start = dict(key)
    new_size = -1
    touched: frozenset[str] | None = None  # with the old record: the attributes the update wrote
    if compiled is not None and compiled.update is not None:
        updated = return_values in ("UPDATED_OLD", "UPDATED_NEW")
        result = compiled.update.apply(start, table.key.names, updated=updated)
        new = result.new_item
        updated_old, updated_new = result.updated_old, result.updated_new
        if old is not None:  # only the touched attributes changed size (measured: a tenth of an update)
            touched = result.touched
            new_size = old_size + _size_change(old, new, touched)
    elif request.get("AttributeUpdates") is not None:
        legacy = legacy_update(request["AttributeUpdates"], start, table.key.names)
        new = legacy.new_item
        updated_old, updated_new = legacy.updated_old, legacy.updated_new
    else:
        new = dict(start)
    if new_size < 0:
        new_size = item_size(new)
    if new_size > MAX_ITEM_SIZE:
        raise validation_error(UPDATE_TOO_LARGE)
    if table.indexes or table.vector_indexes:
        check_index_keys(table.indexes.values(), new, update=True, vectors=table.vector_specs)
    if touched is not None and record is not None:  # an update of the stored item: in place if it can be
        store.write_update(where, record, new, touched, new_size)
    else:
        store.write(new, new_size)
    response: Response = {}
    if return_values == "ALL_OLD":
        if old is not None:
            response["Attributes"] = clone_item(old)
    elif return_values == "ALL_NEW":
        response["Attributes"] = clone_item(new)
    elif return_values == "UPDATED_OLD":
        if updated_old:
            response["Attributes"] = clone_item(updated_old)
    elif return_values == "UPDATED_NEW" and updated_new:
        response["Attributes"] = clone_item(updated_new)
    return response, table, old, new, (old_size, new_size)


@operation("DeleteItem", metered=True)
def delete_item(emu: Any, request: Request) -> Response:
    """Delete one item by its key (deleting a missing item succeeds). Runtime: O(log n) per index."""
    return_values = _return_values(request, _WRITE_RETURN_VALUES)
    reject_legacy_mix(request, ("ConditionalOperator", "Expected"), ("ConditionExpression",))
    prepared = prepare_request(request, ("ConditionExpression",))
    values = normalize_key(request["Key"])
    table = prepared.table(emu, request["TableName"])
    key = parse_key(table.key, values, normalized=True)
    condition = _condition(request, prepared.result())
    store = table.store
    found = store.get_at(store.position(key))
    old, old_size = (None, 0) if found is None else found
    if condition is not None and not condition.evaluate(old or {}):
        raise conditional_check_failed(request, old)
    if old is not None:
        store.delete(key)
    response: Response = {}
    if return_values == "ALL_OLD" and old is not None:
        response["Attributes"] = old  # a fresh read, shared with nothing stored
    return _finish_write(response, table, request, old, None, (old_size, 0))


_PLAIN_DELETE = frozenset({"TableName", "Key", "ReturnConsumedCapacity", "ReturnValues"})


@express_lane("DeleteItem")
def express_delete_item(emu: Any, request: Request) -> tuple[Response, str, float] | None:
    """DeleteItem's express lane (``pipeline``): a plain key (as GetItem's) on a table without indexes,
    with no condition and no old item asked back; anything else is declined."""
    found = _plain_write(emu, request, _PLAIN_DELETE)
    if found is None:
        return None
    table, name, mode = found
    position = plain_position(table.key, request.get("Key"))
    if position is None:
        return None
    units = write_units(table.store.delete_at(position))  # a missing item costs a unit too
    return _with_capacity({}, name, mode, units), name, units
