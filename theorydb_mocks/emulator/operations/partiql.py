"""ExecuteStatement, BatchExecuteStatement and ExecuteTransaction: PartiQL run by the other operations.

A SELECT reads through storage as a Query of the partitions its WHERE clause pins (O(log n + page)) or as
a Scan, filtered by the whole WHERE clause, one page per call (``Limit`` items read or 1 MB, then
``NextToken``). An INSERT, UPDATE or DELETE is the equivalent PutItem, UpdateItem or DeleteItem, run by
their handlers (so conditions, item rules, capacity, streams, TTL and snapshots all apply); a transaction
is the equivalent TransactWriteItems or TransactGetItems, atomic, isolated and idempotent like them.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html (and
API_BatchExecuteStatement.html, API_ExecuteTransaction.html)

>>> from theorydb_mocks.emulator.core import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "things", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> emu.dispatch("ExecuteStatement", {"Statement": "INSERT INTO things VALUE {'pk': 'a', 'n': 1}"})
{'Items': []}
>>> emu.dispatch("ExecuteStatement", {"Statement": "SELECT n FROM things WHERE pk = ?",
...     "Parameters": [{"S": "a"}]})
{'Items': [{'n': {'N': '1'}}]}
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

from theorydb_mocks.emulator._types import AttributeValue, Item, Key, KeySchema, Request, Response
from theorydb_mocks.emulator.capacity import read_capacity
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error, validation_error
from theorydb_mocks.emulator.expressions import compile_expressions
from theorydb_mocks.emulator.expressions._ast import format_path
from theorydb_mocks.emulator.expressions._eval import get_path
from theorydb_mocks.emulator.operations._keys import clone_item, clone_value
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.operations.items import delete_item, put_item, update_item
from theorydb_mocks.emulator.operations.query import GSI_CONSISTENT_READ, NO_SUCH_INDEX, PAGE_BYTES
from theorydb_mocks.emulator.partiql import _messages as M
from theorydb_mocks.emulator.partiql import (
    check_parameters,
    parse_statement,
    plain_message,
    plan_read,
    plan_write,
    projected_names,
)
from theorydb_mocks.emulator.partiql._ast import Delete, Exists, Insert, Select, Statement, Update

__all__ = ["execute_statement"]

_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.\-]{3,255}")
_ITEM_HANDLERS = {Insert: put_item, Update: update_item, Delete: delete_item}


def _parse(text: str) -> Statement:
    return parse_statement(text)


def _table(emu: Any, name: str) -> Any:
    """The table a statement names; DynamoDB's PartiQL messages for a bad or missing name."""
    if not _TABLE_NAME.fullmatch(name):
        raise validation_error(M.TABLE_NAME)
    table = emu.tables.get(name)
    if table is None:
        raise ddb_error("ResourceNotFoundException", M.NO_TABLE)
    return table


# ------------------------------------------------------------------------------------------ reads


def _encode_key(key: Key) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, av in key.items():
        kind, value = next(iter(av.items()))
        out[name] = {kind: base64.b64encode(value).decode() if kind == "B" else value}
    return out


def _decode_key(raw: Any) -> Key:
    key: Key = {}
    for name, av in raw.items():
        kind, value = next(iter(av.items()))
        if kind not in ("S", "N", "B") or not isinstance(value, str):
            raise ValueError(kind)
        key[str(name)] = {kind: base64.b64decode(value) if kind == "B" else value}
    return key


def _next_token(position: int, key: Key) -> str:
    text = json.dumps({"partition": position, "key": _encode_key(key)}, sort_keys=True)
    return base64.b64encode(text.encode()).decode()


def _read_token(token: str | None) -> tuple[int, Key | None]:
    if token is None:
        return 0, None
    try:
        raw = json.loads(base64.b64decode(token.encode(), validate=True))
        return int(raw["partition"]), _decode_key(raw["key"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise validation_error(M.INVALID_TOKEN) from None


def _key_names(table: Any, index: str | None) -> tuple[str, ...]:
    names = list(table.key.names)
    if index is not None:
        names.extend(name for name in table.indexes[index].key.names if name not in names)
    return tuple(names)


def _source_key(table: Any, index: str | None, consistent: bool) -> KeySchema:
    if index is None:
        key: KeySchema = table.key
        return key
    spec = table.indexes.get(index)
    if spec is None:
        raise validation_error(NO_SUCH_INDEX.format(index=index))
    if spec.kind == "GSI" and consistent:
        raise validation_error(GSI_CONSISTENT_READ)
    index_key: KeySchema = spec.key
    return index_key


_OVERLAP = re.compile(
    r"(Two document paths overlap with each other; .*; path one: \[.*\], path two: )\[.*\]$"
)


def _compile_read(plan: Any, statement: Select) -> Any:
    try:
        return compile_expressions(
            names=plan.names or None,
            values=plan.values or None,
            filter=plan.filter,
            projection=plan.projection,
        )
    except DynamoDBError as err:
        error = plain_message(err)
        found = _OVERLAP.match(error.message)
        if found is not None and statement.projection:
            # DynamoDB names the later of two overlapping projected paths first, then the first path
            # projected (whichever path the later one overlaps; measured on DynamoDB Local).
            first = format_path(statement.projection[0].parts)
            raise validation_error(found.group(1) + first) from None
        raise error from None


def _view(item: Item, names: tuple[tuple[str, Any], ...] | None) -> Item:
    """What a SELECT answers of an item: all of it, or each projected path under its last name."""
    if names is None:
        return clone_item(item)
    shown: Item = {}
    for name, path in names:
        value = get_path(item, path.parts)
        if value is not None:
            shown[name] = clone_value(value)
    return shown


def _select(emu: Any, statement: Select, values: dict[str, AttributeValue], request: Request) -> Response:
    """One page of a SELECT. Runtime: O(log n + page) for a key-pinned one, O(page) per Scan page."""
    table = _table(emu, statement.source.table)
    index = statement.source.index
    consistent = bool(request.get("ConsistentRead"))
    key = _source_key(table, index, consistent)
    plan = plan_read(statement, key, values)
    names = projected_names(statement)
    compiled = _compile_read(plan, statement)
    condition = compiled.filter
    position, start = _read_token(request.get("NextToken"))
    store = table.store
    partitions = plan.partitions
    found: Iterator[tuple[int, Item]]
    if partitions is None:
        found = ((0, item) for item in store.scan(index=index, start=start))
    else:
        found = _partitions(store, plan, index, position, start)
    limit = request.get("Limit")
    items: list[Item] = []
    read = 0
    size_of = store.size_of
    last: tuple[int, Item] | None = None
    for scanned, (where, item) in enumerate(found, 1):
        read += size_of(item, index)
        if condition is None or condition.evaluate(item):
            items.append(_view(item, names))
        if (limit is not None and scanned >= limit) or read >= PAGE_BYTES:
            last = (where, item)
            break
    response: Response = {"Items": items}
    if last is not None:
        response["NextToken"] = _next_token(last[0], {n: last[1][n] for n in _key_names(table, index)})
    mode = request.get("ReturnConsumedCapacity")
    if mode in ("TOTAL", "INDEXES"):
        spec = None if index is None else table.indexes[index]
        capacity = read_capacity(
            table.name,
            mode,
            read,
            consistent=consistent,
            index=index,
            index_kind=None if spec is None else spec.kind,
            at_least_one=False,
        )
        if capacity is not None:
            response["ConsumedCapacity"] = capacity
    return response


def _partitions(
    store: Any, plan: Any, index: str | None, position: int, start: Key | None
) -> Iterator[tuple[int, Item]]:
    partitions = plan.partitions
    for where in range(position, len(partitions)):
        found = store.query(
            partitions[where],
            plan.sort_op,
            list(plan.sort_values),
            index=index,
            forward=plan.forward,
            start=start if where == position else None,
        )
        for item in found:
            yield where, item


# ------------------------------------------------------------------------------------------ writes


def _write_request(
    emu: Any, statement: Insert | Update | Delete, values: dict[str, AttributeValue], request: Request
) -> dict[str, Any]:
    """The item request a write statement stands for, with the caller's options passed on."""
    table = _table(emu, statement.source.table)
    if statement.source.index is not None:
        raise validation_error(M.MALFORMED.format(statement=request["Statement"]))
    item_request = plan_write(statement, table.key, values)
    for member in ("ReturnConsumedCapacity", "ReturnValuesOnConditionCheckFailure"):
        if request.get(member) is not None:
            item_request[member] = request[member]
    return item_request


def _write(
    emu: Any, statement: Insert | Update | Delete, values: dict[str, AttributeValue], request: Request
) -> Response:
    item_request = _write_request(emu, statement, values, request)
    handler = _ITEM_HANDLERS[type(statement)]
    try:
        answer = handler(emu, item_request)
    except DynamoDBError as err:
        if isinstance(statement, Insert) and err.code == "ConditionalCheckFailedException":
            raise ddb_error("DuplicateItemException", M.DUPLICATE_ITEM) from None
        raise plain_message(err) from None
    response: Response = {"Items": [answer["Attributes"]] if "Attributes" in answer else []}
    if "ConsumedCapacity" in answer:
        response["ConsumedCapacity"] = answer["ConsumedCapacity"]
    return response


@operation("ExecuteStatement")
def execute_statement(emu: Any, request: Request) -> Response:
    """Run one PartiQL statement. Runtime: a key-pinned SELECT O(log n + page); a write O(log n)."""
    statement = _parse(request["Statement"])
    if isinstance(statement, Exists):
        raise validation_error(M.EXISTS_OUTSIDE)
    values = check_parameters(statement, request.get("Parameters"))
    if isinstance(statement, Select):
        return _select(emu, statement, values, request)
    return _write(emu, statement, values, request)
