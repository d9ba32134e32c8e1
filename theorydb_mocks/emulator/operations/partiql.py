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

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator._types import AttributeValue, Item, Key, KeySchema, Request, Response
from theorydb_mocks.emulator.capacity import add_capacity, read_capacity
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error, validation_error
from theorydb_mocks.emulator.expressions import compile_expressions
from theorydb_mocks.emulator.expressions._eval import get_path
from theorydb_mocks.emulator.operations._keys import clone_item, clone_value
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.operations.items import delete_item, get_item, put_item, update_item
from theorydb_mocks.emulator.operations.query import PAGE_BYTES
from theorydb_mocks.emulator.operations.transactions import transact_get_items, transact_write_items
from theorydb_mocks.emulator.partiql import (
    ReadPlan,
    check_condition,
    check_parameters,
    parse_statement,
    plain_message,
    plan_condition_check,
    plan_read,
    plan_write,
    projected_names,
    single_item_key,
)
from theorydb_mocks.emulator.partiql._ast import Delete, Exists, Insert, Select, Statement, Update
from theorydb_mocks.emulator.partiql._translate import Printer

__all__ = ["batch_execute_statement", "execute_statement", "execute_transaction"]

_TABLE_NAME = re.compile(r"[a-zA-Z0-9_.\-]{3,255}")
_ITEM_HANDLERS = {Insert: put_item, Update: update_item, Delete: delete_item}


def _parse(text: str) -> Statement:
    return parse_statement(text)


def _table(emu: Any, name: str) -> Any:
    """The table a statement names; DynamoDB's PartiQL messages for a bad or missing name."""
    if not _TABLE_NAME.fullmatch(name):
        raise validation_error(M.PARTIQL_TABLE_NAME)
    table = emu.tables.get(name)
    if table is None:
        raise ddb_error("ResourceNotFoundException", M.PARTIQL_NO_TABLE)
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
        raise validation_error(M.PARTIQL_INVALID_TOKEN) from None


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
        raise validation_error(M.NO_SUCH_INDEX.format(index=index))
    if spec.kind == "GSI" and consistent:
        raise validation_error(M.GSI_CONSISTENT_READ)
    index_key: KeySchema = spec.key
    if index_key.multi:
        raise validation_error(M.PARTIQL_MULTI_ATTRIBUTE_KEY)
    return index_key


def _compile_read(plan: Any, statement: Select) -> Any:
    try:
        if plan.checks is not None:
            text, projection, names, values = plan.checks
            compile_expressions(names=names, values=values or None, filter=text, projection=projection)
        return compile_expressions(
            names=plan.names or None,
            values=plan.values or None,
            filter=plan.filter,
            projection=plan.projection,
        )
    except DynamoDBError as err:
        raise plain_message(err) from None


def _nested_projection(statement: Select) -> Any:
    """A single-item SELECT's projection (transactions, batches): nested as GetItem answers, or None."""
    if statement.projection is None:
        return None
    projected_names(statement)
    printer = Printer()
    text = printer.projection(statement.projection[::-1])  # see _read_text: checked last to first
    compiled = _compile_read(ReadPlan(None, None, (), True, None, text, printer.names, {}), statement)
    return compiled.projection


def _single_view(item: Item, projection: Any) -> Item:
    return clone_item(item if projection is None else projection.apply(item))


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
        raise validation_error(M.PARTIQL_MALFORMED.format(statement=request["Statement"]))
    item_request = plan_write(statement, table.key, values)
    for member in ("ReturnConsumedCapacity", "ReturnValuesOnConditionCheckFailure"):
        if request.get(member) is not None:
            item_request[member] = request[member]
    return item_request


def _run_write(
    emu: Any, statement: Insert | Update | Delete, values: dict[str, AttributeValue], item_request: Request
) -> Response:
    """The item handler's answer to a write statement, or its error as PartiQL words it."""
    try:
        return _ITEM_HANDLERS[type(statement)](emu, item_request)
    except DynamoDBError as err:
        if isinstance(statement, Insert) and err.code == "ConditionalCheckFailedException":
            raise ddb_error("DuplicateItemException", M.PARTIQL_DUPLICATE_ITEM) from None
        if isinstance(statement, Update) and err.code == "ValidationException":
            check_condition(statement.where, values)  # the WHERE clause's errors come before the SET's
        raise plain_message(err) from None


def _write(
    emu: Any, statement: Insert | Update | Delete, values: dict[str, AttributeValue], request: Request
) -> Response:
    item_request = _write_request(emu, statement, values, request)
    answer = _run_write(emu, statement, values, item_request)
    response: Response = {"Items": [answer["Attributes"]] if "Attributes" in answer else []}
    if "ConsumedCapacity" in answer:
        response["ConsumedCapacity"] = answer["ConsumedCapacity"]
    return response


@operation("ExecuteStatement", metered=True)
def execute_statement(emu: Any, request: Request) -> Response:
    """Run one PartiQL statement. Runtime: a key-pinned SELECT O(log n + page); a write O(log n)."""
    statement = _parse(request["Statement"])
    if isinstance(statement, Exists):
        raise validation_error(M.PARTIQL_EXISTS_OUTSIDE)
    values = check_parameters(statement, request.get("Parameters"))
    if isinstance(statement, Select):
        return _select(emu, statement, values, request)
    return _write(emu, statement, values, request)


# ------------------------------------------------------------------------------------------ transactions


def _entries(request: Request, member: str, path: str) -> list[dict[str, Any]]:
    """The statements of a transaction or batch; a null one is refused as the request's shape is."""
    entries: list[dict[str, Any]] = request[member]
    for position, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise validation_error(M.NULL_MEMBER.format(path=f"{path}.{position}.member"))
    return entries


def _in_statement(position: int, error: DynamoDBError) -> DynamoDBError:
    return validation_error(M.PARTIQL_IN_STATEMENT.format(position=position, message=error.message))


def _cancelled(reasons: list[dict[str, Any]]) -> DynamoDBError:
    message = M.TRANSACTION_CANCELLED.format(codes=", ".join(reason["Code"] for reason in reasons))
    return ddb_error("TransactionCanceledException", message, Message=message, CancellationReasons=reasons)


@operation("ExecuteTransaction", metered=True, faults="transaction")
def execute_transaction(emu: Any, request: Request) -> Response:
    """Up to 100 statements, all reads or all writes, as one TransactGetItems or TransactWriteItems:
    atomic, isolated, idempotent by ``ClientRequestToken``. Runtime: O(statements x log n)."""
    entries = _entries(request, "TransactStatements", "transactStatements")
    statements = [_parse(entry["Statement"]) for entry in entries]
    reads = [isinstance(statement, Select) for statement in statements]
    if any(reads) and not all(reads):
        raise validation_error(M.PARTIQL_TRANSACTION_MIXED)
    values: list[dict[str, AttributeValue]] = []
    for position, (entry, statement) in enumerate(zip(entries, statements, strict=True)):
        try:
            values.append(check_parameters(statement, entry.get("Parameters")))
        except DynamoDBError as err:
            raise _in_statement(position, err) from None
        if isinstance(statement, Update | Delete) and statement.returning is not None:
            raise _in_statement(position, validation_error(M.PARTIQL_TRANSACTION_RETURNING))
    if all(reads):
        selects = [statement for statement in statements if isinstance(statement, Select)]
        return _transact_reads(emu, selects, values, request)
    return _transact_writes(emu, entries, statements, values, request)


def _transact_reads(
    emu: Any, statements: list[Select], values: list[dict[str, AttributeValue]], request: Request
) -> Response:
    gets: list[dict[str, Any]] = []
    projections: list[Any] = []
    reasons: list[dict[str, Any] | None] = []
    for position, statement in enumerate(statements):
        if statement.source.index is not None:
            raise _in_statement(position, validation_error(M.PARTIQL_TRANSACTION_INDEX))
        table = emu.get_table(statement.source.table)
        try:
            key = single_item_key(statement, table.key, values[position])
        except DynamoDBError as err:
            reasons.append({"Code": "ValidationError", "Message": err.message})
            gets.append({})
            projections.append(None)
            continue
        if key is None:
            raise _in_statement(position, validation_error(M.PARTIQL_TRANSACTION_SELECT_KEY))
        try:
            projections.append(_nested_projection(statement))
        except DynamoDBError as err:
            raise _in_statement(position, err) from None
        reasons.append(None)
        gets.append({"Get": {"TableName": table.name, "Key": key}})
    if any(reason is not None for reason in reasons):
        raise _cancelled([reason if reason is not None else {"Code": "None"} for reason in reasons])
    inner: Request = {"TransactItems": gets}
    if request.get("ReturnConsumedCapacity") is not None:
        inner["ReturnConsumedCapacity"] = request["ReturnConsumedCapacity"]
    answer = transact_get_items(emu, inner)
    responses: list[dict[str, Any]] = []
    for projection, found in zip(projections, answer["Responses"], strict=True):
        item = found.get("Item")
        responses.append({} if item is None else {"Item": _single_view(item, projection)})
    response: Response = {"Responses": responses}
    if "ConsumedCapacity" in answer:
        response["ConsumedCapacity"] = answer["ConsumedCapacity"]
    return response


_ACTION_KINDS = {Insert: "Put", Update: "Update", Delete: "Delete"}


def _transact_writes(
    emu: Any,
    entries: list[dict[str, Any]],
    statements: list[Statement],
    values: list[dict[str, AttributeValue]],
    request: Request,
) -> Response:
    actions: list[dict[str, Any]] = []
    reasons: list[dict[str, Any] | None] = []
    for position, statement in enumerate(statements):
        assert not isinstance(statement, Select)
        source = statement.select.source if isinstance(statement, Exists) else statement.source
        table = emu.get_table(source.table)
        try:
            if isinstance(statement, Exists):
                body = plan_condition_check(statement.select, table.key, values[position])
                if body is None:
                    raise _in_statement(position, validation_error(M.PARTIQL_EXISTS_CONDITION))
                kind = "ConditionCheck"
            else:
                body = plan_write(statement, table.key, values[position])
                kind = _ACTION_KINDS[type(statement)]
        except DynamoDBError as err:
            if err.message.startswith(M.PARTIQL_IN_STATEMENT.split("[", 1)[0]):
                raise
            reasons.append({"Code": "ValidationError", "Message": err.message})
            actions.append({})
            continue
        body["TableName"] = table.name
        option = entries[position].get("ReturnValuesOnConditionCheckFailure")
        if option is not None:
            body["ReturnValuesOnConditionCheckFailure"] = option
        reasons.append(None)
        actions.append({kind: body})
    if any(reason is not None for reason in reasons):
        raise _cancelled([reason if reason is not None else {"Code": "None"} for reason in reasons])
    inner: Request = {"TransactItems": actions}
    for member in ("ClientRequestToken", "ReturnConsumedCapacity"):
        if request.get(member) is not None:
            inner[member] = request[member]
    try:
        answer = transact_write_items(emu, inner)
    except DynamoDBError as err:
        raise _transaction_error(err, statements) from None
    response: Response = {"Responses": []}
    if "ConsumedCapacity" in answer:
        response["ConsumedCapacity"] = answer["ConsumedCapacity"]
    return response


def _transaction_error(err: DynamoDBError, statements: list[Statement]) -> DynamoDBError:
    """A TransactWriteItems error as ExecuteTransaction words it (an INSERT's failed condition is a
    duplicate item)."""
    if err.code == "IdempotentParameterMismatchException":
        return ddb_error(err.code, M.PARTIQL_IDEMPOTENT_MISMATCH, Message=M.PARTIQL_IDEMPOTENT_MISMATCH)
    if err.code != "TransactionCanceledException":
        return plain_message(err)
    reasons: list[dict[str, Any]] = []
    for statement, reason in zip(statements, err.fields.get("CancellationReasons", []), strict=True):
        if isinstance(statement, Insert) and reason.get("Code") == "ConditionalCheckFailed":
            reason = {"Code": "ValidationError", "Message": M.PARTIQL_DUPLICATE_ITEM}
        elif reason.get("Code") == "ValidationError":
            reason = {**reason, "Message": plain_message(validation_error(reason["Message"])).message}
        reasons.append(reason)
    return _cancelled(reasons)


# ------------------------------------------------------------------------------------------ batches

_BATCH_CODES = {"ValidationException": "ValidationError"}


def _batch_error(err: DynamoDBError, table: str | None = None) -> dict[str, Any]:
    """One statement's error as BatchExecuteStatement lists it: the code without ``Exception``; the table
    when the statement reached its item."""
    code = _BATCH_CODES.get(err.code, err.code.removesuffix("Exception"))
    error: dict[str, Any] = {"Code": code, "Message": err.message}
    if "Item" in err.fields:
        error["Item"] = err.fields["Item"]
    entry: dict[str, Any] = {"Error": error}
    if table is not None and code in ("ConditionalCheckFailed", "DuplicateItem"):
        entry["TableName"] = table
    return entry


class _BatchStatement:
    """One statement of a batch as planned: its item request (or its error) and where it writes."""

    __slots__ = ("error", "item_request", "projection", "spot", "statement", "table", "values")

    def __init__(self) -> None:
        self.statement: Statement | None = None
        self.table: Any = None
        self.item_request: dict[str, Any] = {}
        self.error: DynamoDBError | None = None
        self.spot: tuple[str, Any] | None = None
        self.projection: Any = None
        self.values: dict[str, AttributeValue] = {}

    def __repr__(self) -> str:
        return f"<_BatchStatement {self.statement!r}>"


def _plan_batch_statement(emu: Any, entry: dict[str, Any], planned: _BatchStatement) -> None:
    statement = planned.statement
    assert statement is not None
    if isinstance(statement, Exists):
        raise validation_error(M.PARTIQL_EXISTS_OUTSIDE)
    values = planned.values = check_parameters(statement, entry.get("Parameters"))
    table = planned.table = _table(emu, statement.source.table)
    if isinstance(statement, Select):
        key = single_item_key(statement, table.key, values)
        if key is None or statement.source.index is not None:
            raise validation_error(M.PARTIQL_BATCH_SINGLE_ITEM)
        planned.projection = _nested_projection(statement)
        planned.item_request = {"TableName": table.name, "Key": key}
        if entry.get("ConsistentRead") is not None:
            planned.item_request["ConsistentRead"] = entry["ConsistentRead"]
    else:
        planned.item_request = _write_request(emu, statement, values, entry)
        key = planned.item_request.get("Key") or {
            name: planned.item_request["Item"][name] for name in table.key.names
        }
    planned.spot = (table.name, table.store.position(key))


@operation("BatchExecuteStatement", metered=True)
def batch_execute_statement(emu: Any, request: Request) -> Response:
    """Up to 25 statements, all reads (single items) or all writes, each answered on its own.
    Runtime: O(statements x log n)."""
    entries = _entries(request, "Statements", "statements")
    planned: list[_BatchStatement] = []
    for entry in entries:
        one = _BatchStatement()
        try:
            one.statement = _parse(entry["Statement"])
        except DynamoDBError:
            one.error = validation_error(M.PARTIQL_BATCH_INVALID_OPERATION)
        planned.append(one)
    # Read or write by the statement's first word, even for a statement that does not parse.
    words = {str(entry["Statement"]).lstrip()[:6].upper() for entry in entries}
    if "SELECT" in words and words & {"INSERT", "UPDATE", "DELETE"}:
        raise validation_error(M.PARTIQL_BATCH_MIXED)
    for entry, one in zip(entries, planned, strict=True):
        if one.error is None:
            try:
                _plan_batch_statement(emu, entry, one)
            except DynamoDBError as err:
                one.error = err
    spots = [one.spot for one in planned if one.error is None]
    if len(set(spots)) != len(spots):
        raise validation_error(M.PARTIQL_BATCH_DUPLICATES)
    mode = request.get("ReturnConsumedCapacity")
    by_table: dict[str, dict[str, Any]] = {}
    responses = [_run_batch_statement(emu, one, mode, by_table) for one in planned]
    response: Response = {"Responses": responses}
    if by_table:
        response["ConsumedCapacity"] = list(by_table.values())
    return response


def _run_batch_statement(
    emu: Any, one: _BatchStatement, mode: Any, by_table: dict[str, Any]
) -> dict[str, Any]:
    if one.error is not None:
        return _batch_error(plain_message(one.error))
    statement = one.statement
    table_name = one.table.name
    item_request = dict(one.item_request)
    if mode is not None:
        item_request["ReturnConsumedCapacity"] = mode
    try:
        if isinstance(statement, Select):
            answer = get_item(emu, item_request)
        else:
            assert statement is not None and not isinstance(statement, Exists)
            answer = _run_write(emu, statement, one.values, item_request)
    except DynamoDBError as err:
        return _batch_error(plain_message(err), table_name)
    consumed = answer.get("ConsumedCapacity")
    if consumed is not None:
        by_table[table_name] = add_capacity(by_table.get(table_name), consumed)
    entry: dict[str, Any] = {"TableName": table_name}
    if isinstance(statement, Select):
        if "Item" in answer:
            entry["Item"] = _single_view(answer["Item"], one.projection)
    elif "Attributes" in answer:
        entry["Item"] = answer["Attributes"]
    return entry
