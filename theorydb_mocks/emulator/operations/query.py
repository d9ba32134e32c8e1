"""Query and Scan: pages of items from a table or an index, in key order, resumable, O(log n + page).

A page ends at ``Limit`` items read or at 1 MB of data read, whichever comes first; both limits count what
was read, before the FilterExpression (so ``ScannedCount`` can exceed ``Count``), and an index read counts
the projected item's size. The page then carries ``LastEvaluatedKey``: the table key, plus the index key
when reading an index. Storage hands out items lazily from a bisected position, so nothing before
``ExclusiveStartKey`` is walked again.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html (and API_Scan.html)

>>> from theorydb_mocks.emulator.core import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "events", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> for n in range(3):
...     _ = emu.dispatch("PutItem", {"TableName": "events", "Item": {"pk": {"S": f"e{n}"}}})
>>> page = emu.dispatch("Scan", {"TableName": "events", "Limit": 2})
>>> page["Count"], page["ScannedCount"], "LastEvaluatedKey" in page
(2, 2, True)
>>> emu.dispatch("Scan", {"TableName": "events", "ExclusiveStartKey": page["LastEvaluatedKey"]})["Count"]
1
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from theorydb_mocks.emulator._types import IndexSpec, Item, Key, KeySchema, Request, Response
from theorydb_mocks.emulator.capacity import read_capacity, read_units
from theorydb_mocks.emulator.errors import validation_error
from theorydb_mocks.emulator.expressions import plan_multi_key
from theorydb_mocks.emulator.messages import (
    ALL_PROJECTED_WITHOUT_INDEX,
    EMPTY_INDEX_KEY,
    EMPTY_KEY,
    FILTER_NOT_PROJECTED,
    FILTER_ON_KEY,
    GSI_CONSISTENT_READ,
    KEY_CONDITION_TYPE,
    LEGACY_FILTER_ON_KEY,
    NO_KEY_CONDITION,
    NO_SUCH_INDEX,
    NOT_PROJECTED,
    PROJECTION_WITH_SELECT,
    SEGMENT_TOO_LARGE,
    SEGMENT_WITHOUT_TOTAL,
    SELECT_ALL_ON_GSI,
    SPECIFIC_WITHOUT_PROJECTION,
    START_KEY_INVALID,
    START_KEY_OUTSIDE,
    START_KEY_SEGMENT,
    START_KEY_SIZE,
    START_KEY_TYPE,
    TOTAL_WITHOUT_SEGMENT,
)
from theorydb_mocks.emulator.operations._exprs import UNSEEN, Prepared, VouchedShapes, prepare_request
from theorydb_mocks.emulator.operations._keys import (
    refuse_duplicate_names,
    reject_legacy_mix,
)
from theorydb_mocks.emulator.operations._legacy import (
    check_conditional_operator,
    legacy_condition,
    legacy_key_plan,
    legacy_key_terms,
)
from theorydb_mocks.emulator.operations._registry import express_lane, operation
from theorydb_mocks.emulator.operations._table_settings import check_readable
from theorydb_mocks.emulator.records import Record
from theorydb_mocks.emulator.storage import SEGMENT_SPACE, index_partition_value, partition_digest
from theorydb_mocks.emulator.validation import fully_valid
from theorydb_mocks.emulator.values import key_sort_value, validate_attribute_value

__all__ = ["PAGE_BYTES", "express_query", "query", "scan"]

PAGE_BYTES = 1024 * 1024


_SELECT_WORDS = {"ALL_ATTRIBUTES": "ALL_ATTRIBUTES", "COUNT": "only the Count"}


class _Source:
    """Where a read goes: the table or one index, with the key schema and projection that implies."""

    __slots__ = ("index", "key", "key_names", "spec", "table")

    def __init__(self, table: Any, index_name: str | None) -> None:
        self.table = table
        if index_name is None:
            self.spec: IndexSpec | None = None
            self.key: KeySchema = table.key
            self.key_names: tuple[str, ...] = table.key.names
        else:
            spec = table.indexes.get(index_name)
            if spec is None:
                raise validation_error(NO_SUCH_INDEX.format(index=index_name))
            if table.control.transitions.lifecycle:
                check_readable(table, index_name)  # the opt-in lifecycle: a backfilling GSI is not
            self.spec = spec
            self.key = spec.key
            names = list(table.key.names)
            names.extend(name for name in spec.key.names if name not in names)
            self.key_names = tuple(names)
        self.index = index_name

    def projects(self, name: str) -> bool:
        spec = self.spec
        if spec is None or spec.projection_type == "ALL":
            return True
        return name in self.key_names or (
            spec.projection_type == "INCLUDE" and name in spec.non_key_attributes
        )


def _select(request: Request, has_index: bool) -> str:
    """The effective ``Select``, after DynamoDB's checks of its combination with projections."""
    select = request.get("Select")
    member = (
        "ProjectionExpression"
        if request.get("ProjectionExpression") is not None
        else ("AttributesToGet" if request.get("AttributesToGet") is not None else None)
    )
    if select is None:
        if member is not None:
            return "SPECIFIC_ATTRIBUTES"
        return "ALL_PROJECTED_ATTRIBUTES" if has_index else "ALL_ATTRIBUTES"
    if select == "SPECIFIC_ATTRIBUTES":
        if member is None:
            raise validation_error(SPECIFIC_WITHOUT_PROJECTION)
    elif select == "ALL_PROJECTED_ATTRIBUTES":
        if not has_index:
            raise validation_error(ALL_PROJECTED_WITHOUT_INDEX)
        if member is not None:
            raise validation_error(PROJECTION_WITH_SELECT.format(member=member, what=select))
    elif member is not None:
        what = _SELECT_WORDS.get(select, select)
        raise validation_error(PROJECTION_WITH_SELECT.format(member=member, what=what))
    return str(select)


def _check_source(source: _Source, request: Request, select: str, compiled: Any) -> bool:
    """Index-specific rules; returns whether items must be fetched from the table (an LSI read of more)."""
    spec = source.spec
    if spec is None:
        return False
    if spec.kind == "GSI" and request.get("ConsistentRead"):
        raise validation_error(GSI_CONSISTENT_READ)
    if select == "ALL_ATTRIBUTES" and spec.projection_type != "ALL":
        if spec.kind == "GSI":
            raise validation_error(SELECT_ALL_ON_GSI.format(index=spec.name))
        return True
    wanted: list[str] = []
    if compiled is not None and compiled.projection is not None:
        wanted = list(compiled.projection.top_level_names)
    elif request.get("AttributesToGet"):
        wanted = list(request["AttributesToGet"])
    missing = [name for name in wanted if not source.projects(name)]
    if missing:
        if spec.kind == "GSI":
            raise validation_error(NOT_PROJECTED.format(index=spec.name, names=", ".join(missing)))
        return True
    return False


def _start_key(source: _Source, request: Request) -> Key | None:
    """The validated ``ExclusiveStartKey`` (normalized), or None."""
    start = request.get("ExclusiveStartKey")
    if start is None:
        return None
    values = {name: validate_attribute_value(av) for name, av in start.items()}
    table_key: KeySchema = source.table.key
    if source.spec is None:
        if len(values) != len(table_key.names):
            raise validation_error(START_KEY_SIZE)
    elif len(values) != len(source.key_names) or any(name not in values for name in source.key_names):
        raise validation_error(START_KEY_INVALID)
    schemas = [table_key] if source.spec is None else [table_key, source.spec.key]
    for schema in schemas:
        for name, kind in (*schema.hash_parts, *schema.range_parts):
            av = values.get(name)
            if av is None:
                raise validation_error(START_KEY_INVALID)
            if kind not in av:
                raise validation_error(START_KEY_TYPE)
    return values


def _item_view(request: Request, compiled: Any) -> Callable[[Item], Item] | None:
    """What the response shows of each item (chosen once per page): the projection, or None for all of it.

    Items read from the store are fresh dicts, so neither needs a copy."""
    if compiled is not None and compiled.projection is not None:
        return compiled.projection.apply  # type: ignore[no-any-return]
    wanted = request.get("AttributesToGet")
    if wanted:
        return lambda item: {name: av for name, av in item.items() if name in wanted}
    return None


def _page(
    source: _Source,
    request: Request,
    compiled: Any,
    condition: Any,
    select: str,
    found: Iterator[Record],
    fetch: tuple[bool, bool],
    meter: list[float] | None = None,
) -> Response:
    """Read one page from ``found`` (stored records): Limit and 1 MB on data read, then the filter,
    projection and keys.

    ``fetch``: whether a local index's entries need the table's item, for the view and for the filter.
    ``meter``: given for a read of the table itself, it receives the read's units (the express lane's,
    which asks no ConsumedCapacity back but charges the ledger).
    """
    limit = request.get("Limit")
    fetch_view, fetch_filter = fetch
    consistent = bool(request.get("ConsistentRead"))
    fetched = 0.0
    count_only = select == "COUNT"
    store = source.table.store
    items: list[Item] = []
    count = 0
    scanned = 0
    read = 0
    last: Item | None = None
    view = _item_view(request, compiled)
    if not (fetch_view or fetch_filter or count_only) and condition is None and view is None:
        # Every item read is shown as it is (measured: the general loop's tests were a tenth of a query).
        most = PAGE_BYTES if limit is None else limit  # (an item is at least a byte: no Limit, no cap)
        for record in found:
            item = record[0].decode(record)  # records.decode, inline: a fresh dict the response keeps
            items.append(item)
            read += record[1]
            if len(items) >= most or read >= PAGE_BYTES:
                last = item
                break
        count = scanned = len(items)
        found = iter(())
    for record in found:
        item = record[0].decode(record)
        scanned += 1
        read += record[1]
        full = item
        if fetch_view or fetch_filter:
            stored = store.get_at(store.position(item))
            if stored is not None:
                full = stored[0]
                fetched += read_units(stored[1], consistent=consistent)
        if condition is None or condition.evaluate(full):
            count += 1
            if not count_only:
                shown = full if fetch_view else item
                items.append(shown if view is None else view(shown))
        if (limit is not None and scanned >= limit) or read >= PAGE_BYTES:
            last = item
            break
    response: Response = {}
    if not count_only:
        response["Items"] = items
    response["Count"] = count
    response["ScannedCount"] = scanned
    if last is not None:
        response["LastEvaluatedKey"] = {name: dict(last[name]) for name in source.key_names}
    if meter is not None:
        meter.append(read_units(read, consistent=consistent, at_least_one=False))
    mode = request.get("ReturnConsumedCapacity")
    if mode is not None and mode != "NONE":
        capacity = read_capacity(
            source.table.name,
            mode,
            read,
            consistent=consistent,
            index=source.index,
            index_kind=None if source.spec is None else source.spec.kind,
            at_least_one=False,
            fetched=fetched,
        )
        if capacity is not None:
            response["ConsumedCapacity"] = capacity
    return response


def _filter(request: Request, compiled: Any, legacy_member: str) -> Any:
    """The request's filter: its FilterExpression, or its legacy QueryFilter / ScanFilter, or None."""
    if compiled is not None and compiled.filter is not None:
        return compiled.filter
    conditions = request.get(legacy_member)
    operator = request.get("ConditionalOperator")
    if conditions is None:
        check_conditional_operator(None, operator)
        return None
    member = "queryFilter" if legacy_member == "QueryFilter" else "scanFilter"
    return legacy_condition(conditions, operator, expected=False, member=member)


def _check_filter_keys(source: _Source, condition: Any, legacy: bool) -> None:
    """A Query's filter may not name the key attributes it reads, nor attributes its index does not project.

    (A Scan accepts such a filter: a GSI scan then matches nothing, an LSI scan fetches the table's item;
    measured on DynamoDB Local.)
    """
    if condition is None:
        return
    used = condition.attribute_names()
    for name in source.key.names:
        if name in used:
            message = LEGACY_FILTER_ON_KEY if legacy else FILTER_ON_KEY
            raise validation_error(message.format(name=name))
    if source.spec is not None:
        missing = sorted(name for name in used if not source.projects(name))
        if missing:
            index = source.index
            raise validation_error(FILTER_NOT_PROJECTED.format(index=index, names=", ".join(missing)))


def _lsi_filter_fetch(source: _Source, condition: Any) -> bool:
    """Whether a Scan of a local index must fetch table items to evaluate its filter."""
    spec = source.spec
    if spec is None or spec.kind != "LSI" or condition is None:
        return False
    return any(not source.projects(name) for name in condition.attribute_names())


def _check_plan(source: _Source, plan: Any) -> None:
    """Key condition values must have the key's types; the partition value must not be empty."""
    key = source.key
    if key.multi:
        return  # plan_multi_key checked every value in DynamoDB's order
    partition = plan.partition
    if key.hash_type not in partition:
        raise validation_error(KEY_CONDITION_TYPE)
    for value in plan.sort_values:
        if key.range_type not in value:
            raise validation_error(KEY_CONDITION_TYPE)
    if key.hash_type in ("S", "B") and len(partition[key.hash_type]) == 0:
        kind = "string" if key.hash_type == "S" else "binary"
        if source.index is not None and source.spec is not None and source.spec.kind == "GSI":
            raise validation_error(EMPTY_INDEX_KEY.format(kind=kind, index=source.index, name=key.hash_name))
        raise validation_error(EMPTY_KEY.format(kind=kind, name=key.hash_name))


def _start_in_range(source: _Source, plan: Any, start: Key) -> None:
    """A Query's ``ExclusiveStartKey`` must lie in the queried partition and sort key range."""
    key = source.key
    if key.multi:
        partition = (plan.partition, *plan.more_partition)
        for (name, _kind), given in zip(
            (*key.hash_parts, *key.range_parts), (*partition, *plan.sort_prefix), strict=False
        ):
            if key_sort_value(start[name]) != key_sort_value(given):
                raise validation_error(START_KEY_OUTSIDE)
        range_name = plan.sort_key
    else:
        if key_sort_value(start[key.hash_name]) != key_sort_value(plan.partition):
            raise validation_error(START_KEY_OUTSIDE)
        range_name = key.range_name
    if range_name is None or plan.sort_op is None:
        return
    value: Any = key_sort_value(start[range_name])
    bounds: list[Any] = [key_sort_value(v) for v in plan.sort_values]
    op = plan.sort_op
    inside = {
        "=": lambda v: v == bounds[0],
        "<": lambda v: v < bounds[0],
        "<=": lambda v: v <= bounds[0],
        ">": lambda v: v > bounds[0],
        ">=": lambda v: v >= bounds[0],
        "BETWEEN": lambda v: bounds[0] <= v <= bounds[-1],
        "begins_with": lambda v: v[: len(bounds[0])] == bounds[0],
    }[op](value)
    if not inside:
        raise validation_error(START_KEY_OUTSIDE)


_QUERY_EXPRESSIONS = ("FilterExpression", "KeyConditionExpression", "ProjectionExpression")
_QUERY_TYPED = ("Limit", "ScanIndexForward", "ConsistentRead")
_QUERY_SHAPES = VouchedShapes(
    frozenset(
        {
            "TableName",
            *_QUERY_EXPRESSIONS,
            *_QUERY_TYPED,
            "ExpressionAttributeNames",
            "ExpressionAttributeValues",
            "Select",
            "ReturnConsumedCapacity",
        }
    ),
    (*_QUERY_EXPRESSIONS, *_QUERY_TYPED, "Select", "ReturnConsumedCapacity"),
    typed=_QUERY_TYPED,
)


@operation("Query", metered=True, read_only=True)
def query(emu: Any, request: Request) -> Response:
    """One page of a partition's items, in sort key order. Runtime: O(log n + page)."""
    return _query(emu, request, None)


def _query(
    emu: Any, request: Request, prepared: Prepared | None, meter: list[float] | None = None
) -> Response:
    """Query; ``prepared``: the request's expressions, compiled already, and ``meter`` (``_page``): the
    express lane's."""
    if prepared is None:
        refuse_duplicate_names(request)
        reject_legacy_mix(
            request,
            ("AttributesToGet", "ConditionalOperator", "KeyConditions", "QueryFilter"),
            _QUERY_EXPRESSIONS,
        )
        prepared = prepare_request(request, _QUERY_EXPRESSIONS)
    if request.get("KeyConditionExpression") is None and request.get("KeyConditions") is None:
        raise validation_error(NO_KEY_CONDITION)
    table = prepared.table(emu, request["TableName"])
    source = _Source(table, request.get("IndexName"))
    compiled = prepared.result()
    select = _select(request, request.get("IndexName") is not None)
    condition = _filter(request, compiled, "QueryFilter")
    fetch = (_check_source(source, request, select, compiled), False)
    if source.key.multi:
        plan = _multi_plan(source, compiled, request)
    elif compiled is not None and compiled.key_condition is not None:
        plan = compiled.key_condition.plan(source.key.hash_name, source.key.range_name)
    else:
        plan = legacy_key_plan(request["KeyConditions"], source.key.hash_name, source.key.range_name)
    _check_plan(source, plan)
    _check_filter_keys(source, condition, legacy=request.get("QueryFilter") is not None)
    start = _start_key(source, request)
    if start is not None:
        _start_in_range(source, plan, start)
    found = table.store.query_records(
        plan.partition,
        plan.sort_op,
        list(plan.sort_values),
        index=source.index,
        forward=request.get("ScanIndexForward", True) is not False,
        start=start,
        more_partition=getattr(plan, "more_partition", ()),
        sort_prefix=getattr(plan, "sort_prefix", ()),
    )
    return _page(source, request, compiled, condition, select, found, fetch, meter)


@express_lane("Query")
def express_query(emu: Any, request: Request) -> tuple[Response, str, float] | None:
    """Query's express lane (``pipeline``): a request that surely passes botocore's and the service's
    validation, on a table (not an index) named as it was created, asking no capacity back. The query
    runs as the handler runs it, so its own errors (a bad key condition, a filter on a key) are the
    handler's; its units are the table's own, as the ledger would record them. A request shaped like one
    that passed before skips the checks (``VouchedShapes``)."""
    shape = _QUERY_SHAPES.shape(request)
    compiled = _QUERY_SHAPES.get(shape)
    if compiled is UNSEEN and not fully_valid("Query")(request):
        return None
    if request.get("ReturnConsumedCapacity", "NONE") != "NONE" or "IndexName" in request:
        return None
    name = request.get("TableName")
    if type(name) is not str or name not in emu.tables:  # (a shape does not vouch for the name)
        return None
    prepared = None
    if compiled is not UNSEEN:
        prepared = Prepared(compiled, None)
    elif shape is not None:  # no legacy member to check first: expressions are the first check
        prepared = prepare_request(request, _QUERY_EXPRESSIONS)
        if prepared.error is None:
            _QUERY_SHAPES.vouch(shape, prepared.compiled)  # every check before the table's passed
    meter: list[float] = []
    response = _query(emu, request, prepared, meter)
    return response, name, meter[0]


def _multi_plan(source: _Source, compiled: Any, request: Request) -> Any:
    """The plan of a query on an index with a multi-attribute key (its conditions checked all at once)."""

    def empty(kind: str, name: str) -> Exception:
        return validation_error(EMPTY_INDEX_KEY.format(kind=kind, index=source.index, name=name))

    if compiled is not None and compiled.key_condition is not None:
        return compiled.key_condition.plan_multi(source.key, empty_error=empty)
    return plan_multi_key(source.key, legacy_key_terms(request["KeyConditions"]), empty_error=empty)


@operation("Scan", metered=True, read_only=True)
def scan(emu: Any, request: Request) -> Response:
    """One page of every item (or one segment's), in scan order. Runtime: O(log n + page)."""
    refuse_duplicate_names(request)
    reject_legacy_mix(
        request,
        ("AttributesToGet", "ConditionalOperator", "ScanFilter"),
        ("FilterExpression", "ProjectionExpression"),
    )
    prepared = prepare_request(request, ("FilterExpression", "ProjectionExpression"))
    table = prepared.table(emu, request["TableName"])
    source = _Source(table, request.get("IndexName"))
    compiled = prepared.result()
    segment = request.get("Segment")
    total = request.get("TotalSegments")
    if segment is not None and total is None:
        raise validation_error(SEGMENT_WITHOUT_TOTAL)
    if total is not None and segment is None:
        raise validation_error(TOTAL_WITHOUT_SEGMENT)
    if segment is not None and total is not None and segment >= total:
        raise validation_error(SEGMENT_TOO_LARGE.format(segment=segment, total=total))
    select = _select(request, request.get("IndexName") is not None)
    condition = _filter(request, compiled, "ScanFilter")
    fetch = (_check_source(source, request, select, compiled), _lsi_filter_fetch(source, condition))
    start = _start_key(source, request)
    segment = 0 if segment is None else int(segment)
    total = 1 if total is None else int(total)
    if start is not None and total > 1:
        partition = (start[name] for name, _kind in source.key.hash_parts)
        digest = partition_digest(index_partition_value(source.key, partition))
        if not segment * SEGMENT_SPACE // total <= digest < (segment + 1) * SEGMENT_SPACE // total:
            raise validation_error(START_KEY_SEGMENT)
    found = table.store.scan_records(index=source.index, start=start, segment=segment, total_segments=total)
    return _page(source, request, compiled, condition, select, found, fetch)
