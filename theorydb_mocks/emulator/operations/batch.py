"""BatchGetItem and BatchWriteItem: many keys or writes across tables in one call.

The whole request is validated before anything is read or written (counts, tables, keys, items,
duplicates), so a bad batch changes nothing. Writes then apply in order, each atomic; nothing is ever left
unprocessed by the emulator except reads beyond the 16 MB response limit, which come back in
``UnprocessedKeys`` exactly as a real table would hand them back.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html (and
API_BatchWriteItem.html)

>>> from theorydb_mocks.emulator.core import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "users", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> put = {"PutRequest": {"Item": {"pk": {"S": "a"}}}}
>>> emu.dispatch("BatchWriteItem", {"RequestItems": {"users": [put]}})
{'UnprocessedItems': {}}
>>> keys = [{"pk": {"S": "a"}}, {"pk": {"S": "b"}}]
>>> emu.dispatch("BatchGetItem", {"RequestItems": {"users": {"Keys": keys}}})
{'Responses': {'users': [{'pk': {'S': 'a'}}]}, 'UnprocessedKeys': {}}
"""

from __future__ import annotations

from typing import Any

from theorydb_mocks.emulator._types import Item, Key, Request, Response
from theorydb_mocks.emulator.capacity import add_capacity, read_units, write_capacity
from theorydb_mocks.emulator.errors import validation_error
from theorydb_mocks.emulator.messages import (
    BATCH_GET_KEYS_EMPTY,
    BATCH_WRITE_LIST_EMPTY,
    DUPLICATE_KEYS,
    ONE_REQUEST_KIND,
    TOO_MANY_GETS,
    TOO_MANY_WRITES,
)
from theorydb_mocks.emulator.operations._exprs import Prepared, prepare_request
from theorydb_mocks.emulator.operations._keys import (
    check_item,
    clone_item,
    normalize_key,
    parse_key,
    refuse_duplicate_names,
    reject_legacy_mix,
)
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.operations.items import item_collection_metrics
from theorydb_mocks.emulator.values import item_size, validate_item

__all__ = ["MAX_GET_KEYS", "MAX_RESPONSE_BYTES", "MAX_WRITES", "batch_get_item", "batch_write_item"]

MAX_GET_KEYS = 100
MAX_WRITES = 25
MAX_RESPONSE_BYTES = 16 * 1024 * 1024


def _as_written(key: Any) -> Any:
    """A key as the request wrote it, hashable: DynamoDB compares keys for duplicates as written, so
    ``{"N": "1"}`` and ``{"N": "1.0"}`` are two keys (measured on DynamoDB Local)."""
    return tuple(sorted((name, repr(value)) for name, value in key.items()))


def _refuse_duplicates(keys: list[Any]) -> None:
    """Refuse two keys (or writes) on the same item of one table."""
    seen = set()
    for key in keys:
        written = _as_written(key)
        if written in seen:
            raise validation_error(DUPLICATE_KEYS)
        seen.add(written)


def _one_unit(table_name: str, mode: str) -> dict[str, Any]:
    extra: dict[str, Any] = {"TableName": table_name, "CapacityUnits": 1.0}
    if mode == "INDEXES":
        extra["Table"] = {"CapacityUnits": 1.0}
    return extra


@operation("BatchGetItem", metered=True, read_only=True, faults="batch")
def batch_get_item(emu: Any, request: Request) -> Response:
    """Read up to 100 items from one or more tables. Runtime: O(keys) lookups."""
    request_items: dict[str, Any] = request["RequestItems"]
    for name, spec in request_items.items():  # a null entry is an empty one (measured on DynamoDB Local)
        if not spec or not spec.get("Keys"):
            raise validation_error(BATCH_GET_KEYS_EMPTY.format(table=name))
    if sum(len(spec["Keys"]) for spec in request_items.values()) > MAX_GET_KEYS:
        raise validation_error(TOO_MANY_GETS)
    checked: list[tuple[str, dict[str, Any], list[Key], Prepared]] = []
    for name, spec in request_items.items():  # first what needs no table, as the service orders it
        refuse_duplicate_names(spec, batch=True)
        reject_legacy_mix(spec, ("AttributesToGet",), ("ProjectionExpression",))
        prepared = prepare_request(spec, ("ProjectionExpression",))
        checked.append((name, spec, [normalize_key(key) for key in spec["Keys"]], prepared))
    plans: list[tuple[str, Any, dict[str, Any], list[Key], Any]] = []
    for name, spec, values, prepared in checked:
        table = prepared.table(emu, name)
        keys = [parse_key(table.key, key, normalized=True) for key in values]
        _refuse_duplicates(spec["Keys"])
        plans.append((name, table, spec, keys, prepared.result()))
    mode = request.get("ReturnConsumedCapacity")
    responses: dict[str, list[Item]] = {}
    unprocessed: dict[str, Any] = {}
    capacity: list[dict[str, Any]] = []
    budget = MAX_RESPONSE_BYTES
    for name, table, spec, keys, compiled in plans:
        found = responses.setdefault(name, [])
        units = 0.0
        consistent = bool(spec.get("ConsistentRead"))
        for position, key in enumerate(keys):
            item = table.store.get(key)
            if item is None:
                continue
            size = item_size(item)
            if size > budget:  # the response would pass 16 MB: this key and the rest come back unprocessed
                left = {member: value for member, value in spec.items() if member != "Keys"}
                unprocessed[name] = {"Keys": [dict(k) for k in keys[position:]], **left}
                budget = 0
                break
            budget -= size
            units += read_units(size, consistent=True)
            if compiled is not None and compiled.projection is not None:
                found.append(clone_item(compiled.projection.apply(item)))
            elif spec.get("AttributesToGet"):
                wanted = spec["AttributesToGet"]
                found.append(clone_item({n: av for n, av in item.items() if n in wanted}))
            else:
                found.append(clone_item(item))
        if mode in ("TOTAL", "INDEXES"):
            total = units * (1.0 if consistent else 0.5)
            entry: dict[str, Any] = {"TableName": table.name, "CapacityUnits": total}
            if mode == "INDEXES":
                entry["Table"] = {"CapacityUnits": total}
            capacity.append(entry)
    response: Response = {"Responses": responses, "UnprocessedKeys": unprocessed}
    if capacity:
        response["ConsumedCapacity"] = capacity
    return response


@operation("BatchWriteItem", metered=True, faults="batch")
def batch_write_item(emu: Any, request: Request) -> Response:
    """Put or delete up to 25 items across tables; all are validated before any is written."""
    request_items: dict[str, Any] = request["RequestItems"]
    for name, writes in request_items.items():  # a null entry is an empty one (measured on DynamoDB Local)
        if not writes:
            raise validation_error(BATCH_WRITE_LIST_EMPTY.format(table=name))
    if sum(len(writes) for writes in request_items.values()) > MAX_WRITES:
        raise validation_error(TOO_MANY_WRITES)
    # First what needs no table (each write's kind and values), as the service orders it.
    checked: list[tuple[str, list[tuple[bool, Item, Any]]]] = []
    for name, writes in request_items.items():
        normalized: list[tuple[bool, Item, Any]] = []
        for write in writes:
            entry: dict[str, Any] = write if isinstance(write, dict) else {}
            put, delete = entry.get("PutRequest"), entry.get("DeleteRequest")
            if (put is None) == (delete is None):
                raise validation_error(ONE_REQUEST_KIND)
            if put is not None:
                raw = put.get("Item") if isinstance(put, dict) else None
                normalized.append((True, validate_item(raw), raw))
            else:
                raw = delete.get("Key") if isinstance(delete, dict) else None
                normalized.append((False, normalize_key(raw), raw))
        checked.append((name, normalized))
    plans: list[tuple[Any, list[tuple[Key, Item | None, int]]]] = []
    for name, normalized in checked:
        table = emu.get_table(name)
        planned: list[tuple[Key, Item | None, int]] = []
        as_written: list[Any] = []
        for is_put, values, raw in normalized:
            if is_put:
                size = check_item(table.key, table.indexes.values(), values, vectors=table.vector_specs)
                planned.append((values, values, size))
                as_written.append({attr: raw[attr] for attr in table.key.names})
            else:
                planned.append((parse_key(table.key, values, normalized=True), None, 0))
                as_written.append(raw)
        _refuse_duplicates(as_written)
        plans.append((table, planned))
    mode = request.get("ReturnConsumedCapacity")
    metrics_asked = request.get("ReturnItemCollectionMetrics") == "SIZE"
    capacity: list[dict[str, Any]] = []
    metrics: dict[str, list[Any]] = {}
    for table, planned in plans:
        store = table.store
        table_capacity: dict[str, Any] | None = None
        for key, written, size in planned:
            old = store.put(written, size) if written is not None else store.delete(key)
            if mode in ("TOTAL", "INDEXES"):
                old_size = 0 if old is None else item_size(old)
                part = write_capacity(table.name, mode, store, old, written, old_size=old_size, new_size=size)
                if part is not None:
                    table_capacity = add_capacity(table_capacity, part)
                    if written is None and old is None:
                        # A batched delete of a missing item costs two units (measured on DynamoDB Local).
                        table_capacity = add_capacity(table_capacity, _one_unit(table.name, mode))
            if metrics_asked:
                found = item_collection_metrics(table, request, key)
                if found is not None:
                    metrics.setdefault(table.name, []).append(found)
        if table_capacity is not None:
            capacity.append(table_capacity)
    response: Response = {"UnprocessedItems": {}}
    if capacity:
        response["ConsumedCapacity"] = capacity
    if metrics:
        response["ItemCollectionMetrics"] = metrics
    return response
