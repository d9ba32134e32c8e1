"""``Table``: the facade that turns model instances into DynamoDB requests and answers back into models.

It stays thin: the model checks definitions, the codec converts values, ``expressions`` and ``update`` build
expression strings, ``cursor`` encodes pagination, ``encryption`` seals encrypted fields, ``lifecycle``
stamps timestamps and versions, ``batch`` and ``transactions`` run multi-item requests. Everything that
can be checked is checked before a request is sent; every client error becomes a ``TheorydbPyError``.

>>> from dataclasses import dataclass
>>> from theorydb_py.model import theorydb_field
>>> @dataclass
... class Note:
...     id: str = theorydb_field(roles="pk")
...     text: str = ""
>>> Table(Note, client=object(), table_name="notes")
<Table Note 'notes'>
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, Literal, TypeVar

from theorydb_py._types import AttributeValue, Item, Request
from theorydb_py.batch import BatchGetResult, RetryPolicy, batch_get, batch_write, retry_policy
from theorydb_py.cursor import SortDirection, encode_cursor, start_key
from theorydb_py.errors import (
    AwsError,
    ConditionFailedError,
    ItemExistsError,
    ItemNotFoundError,
    ValidationError,
)
from theorydb_py.expressions import (
    Condition,
    Expression,
    SortKeyCondition,
    key_condition,
    multi_key_condition,
    not_exists,
    projection,
    render,
)
from theorydb_py.lifecycle import Clock
from theorydb_py.mapper import ItemMapper
from theorydb_py.model import IndexDefinition, ModelDefinition
from theorydb_py.optimizer import QueryShape, ScanShape, describe_query, describe_scan
from theorydb_py.transactions import TransactGet, TransactWriteAction, transact_get, transact_write
from theorydb_py.update_builder import UpdateBuilder
from theorydb_py.vector_search import VectorMatch, search_vectors

__all__ = ["Page", "Table"]

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)  # no slots: Page[Note](...) sets __orig_class__
class Page(Generic[T]):
    """One page of a query or scan: ``items`` and the ``next_cursor`` to continue from (None at the end)."""

    items: list[T]
    next_cursor: str | None
    count: int = 0
    scanned_count: int = 0

    def __repr__(self) -> str:
        more = "more" if self.next_cursor else "last"
        return f"<Page {len(self.items)} items, {more}>"


@dataclasses.dataclass(frozen=True, slots=True)
class _Retry:
    """The backoff of ``query_with_retry``/``scan_with_retry`` (TableTheory's parameters)."""

    max_retries: int
    initial: float
    max_delay: float
    factor: float

    def check(self) -> None:
        if (
            isinstance(self.max_retries, bool)
            or not isinstance(self.max_retries, int)
            or self.max_retries < 0
        ):
            raise ValidationError(f"max_retries must be an int >= 0, not {self.max_retries!r}")
        for name in ("initial", "max_delay", "factor"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValidationError(f"retry delays and factor must be numbers >= 0, not {value!r}")


@dataclasses.dataclass(frozen=True, slots=True)
class _Read:
    """A prepared Query or Scan: the request, and what its cursors must say."""

    operation: Literal["query", "scan"]
    request: Request
    index: str | None
    sort: SortDirection | None


class Table(Generic[T]):
    """Reads and writes one model's items in one table.

    ``client`` is any boto3-compatible DynamoDB client (default: ``boto3.client("dynamodb")``, made on first
    use). A model with encrypted fields needs ``kms_key_arn`` (and ``kms_client``, default
    ``boto3.client("kms")``); without it the table refuses to be built rather than store plaintext.
    ``clock`` (default: the system's UTC time) stamps the lifecycle fields (docs/lifecycle.md).
    ``allow_legacy_aad`` also reads envelopes written under the previous product name (DynamORM).
    ``envelope_version=2`` seals encrypted fields bound to this table and each item's primary key, so an
    envelope copied from another item fails to open (docs/encryption.md; version 1, the default, is the
    format TableTheory for Go and TypeScript read).
    """

    def __init__(
        self,
        model: ModelDefinition[T] | type[T],
        *,
        client: Any = None,
        table_name: str | None = None,
        kms_key_arn: str | None = None,
        kms_client: Any = None,
        rand_bytes: Callable[[int], bytes] | None = None,
        clock: Clock | None = None,
        allow_legacy_aad: bool = False,
        envelope_version: int = 1,
    ) -> None:
        definition: ModelDefinition[T] = (
            model if isinstance(model, ModelDefinition) else ModelDefinition.from_dataclass(model)
        )
        self.mapper: ItemMapper[T] = ItemMapper(
            definition,
            client=client,
            table_name=table_name,
            kms_key_arn=kms_key_arn,
            kms_client=kms_client,
            rand_bytes=rand_bytes,
            clock=clock,
            allow_legacy_aad=allow_legacy_aad,
            envelope_version=envelope_version,
        )
        self.model: ModelDefinition[T] = definition
        self.table_name: str = self.mapper.table_name

    def __repr__(self) -> str:
        return f"<Table {self.model.model.__name__} {self.table_name!r}>"

    @property
    def client(self) -> Any:
        """The DynamoDB client (created from the environment on first use when none was given)."""
        return self.mapper.client

    def to_item(self, instance: T) -> Item:
        """The DynamoDB item for a model instance (keys checked, encrypted fields sealed)."""
        return self.mapper.to_item(instance)

    def from_item(self, item: Mapping[str, AttributeValue], cache: Any = None) -> T:
        """The model instance for a DynamoDB item (encrypted fields opened, failing closed)."""
        return self.mapper.from_item(item, cache)

    # --- single items ------------------------------------------------------------------------------------

    def put(
        self,
        item: T,
        *,
        condition_expression: str | Condition | None = None,
        expression_attribute_names: Mapping[str, str] | None = None,
        expression_attribute_values: Mapping[str, Any] | None = None,
    ) -> T:
        """Write ``item``, replacing any item with its key, and return it as written (``updated_at`` now,
        ``created_at`` now if it had none). A false condition raises ``ConditionFailedError``.

        https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
        """
        written, request = self.mapper.put_request(
            item,
            condition=condition_expression,
            names=expression_attribute_names,
            values=expression_attribute_values,
        )
        self.mapper.call("put_item", request)
        return written

    def create(self, item: T) -> T:
        """Write a new item, refusing (``ItemExistsError``) if one with its key exists; returns it as written
        (``created_at`` and ``updated_at`` now, ``version`` 0)."""
        written, request = self.mapper.put_request(
            item, new=True, condition=not_exists(self.model.pk.python_name)
        )
        try:
            self.mapper.call("put_item", request)
        except ConditionFailedError as err:
            key = ", ".join(repr(getattr(item, f.python_name)) for f in self.model.key_fields)
            raise ItemExistsError(
                f"a {self.model.model.__name__} with key ({key}) already exists in {self.table_name}",
                code=err.code,
            ) from err
        return written

    def find(self, pk: Any, sk: Any = None, *, consistent_read: bool = False) -> T | None:
        """The item with this key, or None.

        https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
        """
        request: Request = {"TableName": self.table_name, "Key": self.mapper.key(pk, sk, "get")}
        request["ConsistentRead"] = bool(consistent_read)  # always sent, as TableTheory does
        found = self.mapper.call("get_item", request).get("Item")
        return None if not found else self.mapper.from_item(found)

    def get(self, pk: Any, sk: Any = None, *, consistent_read: bool = False) -> T:
        """The item with this key; ``ItemNotFoundError`` if there is none."""
        found = self.find(pk, sk, consistent_read=consistent_read)
        if found is None:
            key = repr(pk) if self.model.sk is None else f"{pk!r}, {sk!r}"
            raise ItemNotFoundError(f"no {self.model.model.__name__} with key ({key}) in {self.table_name}")
        return found

    def delete(
        self,
        pk: Any,
        sk: Any = None,
        *,
        condition_expression: str | Condition | None = None,
        expression_attribute_names: Mapping[str, str] | None = None,
        expression_attribute_values: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> None:
        """Delete the item with this key (no error if there is none, unless a condition says otherwise).
        ``expected_version`` deletes only that version (else ``VersionConflictError``).

        https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DeleteItem.html
        """
        request: Request = {"TableName": self.table_name, "Key": self.mapper.key(pk, sk, "delete")}
        self.mapper.apply_condition(
            request,
            Expression(),
            condition_expression,
            expression_attribute_names,
            expression_attribute_values,
            expected_version,
        )
        self.mapper.call("delete_item", request, expected_version=expected_version)

    def update(
        self,
        pk: Any,
        sk: Any,
        updates: Mapping[str, Any],
        *,
        condition_expression: str | Condition | None = None,
        expression_attribute_names: Mapping[str, str] | None = None,
        expression_attribute_values: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> T:
        """Apply ``updates`` (field -> value, ``UpdateAdd``, ``UpdateSetIfNotExists`` or None to remove) and
        return the whole item as it is afterwards. Like UpdateItem, it creates the item when it is missing;
        add ``condition_expression=exists("<pk field>")`` to refuse that. Lifecycle fields move on
        (``updated_at``, ``version`` + 1); ``expected_version`` makes the update conditional on the version.

        https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateItem.html
        """
        request = self._build_update_request(
            pk,
            sk,
            updates,
            condition_expression=condition_expression,
            expression_attribute_names=expression_attribute_names,
            expression_attribute_values=expression_attribute_values,
            expected_version=expected_version,
        )
        request["ReturnValues"] = "ALL_NEW"
        response = self.mapper.call("update_item", request, expected_version=expected_version)
        attributes = response.get("Attributes")
        if not attributes:
            raise ValidationError("update did not return Attributes")
        return self.mapper.from_item(attributes)

    def _build_update_request(
        self,
        pk: Any,
        sk: Any,
        updates: Mapping[str, Any],
        *,
        condition_expression: str | Condition | None = None,
        expression_attribute_names: Mapping[str, str] | None = None,
        expression_attribute_values: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> Request:
        """The UpdateItem body of ``update`` without ``ReturnValues`` (kept under TableTheory's name because
        its contract tests call it)."""
        return self.mapper.update_request(
            pk,
            sk,
            updates,
            condition=condition_expression,
            names=expression_attribute_names,
            values=expression_attribute_values,
            expected_version=expected_version,
        )

    def _to_item(self, instance: T) -> Item:
        """``to_item`` under TableTheory's name (its contract tests call it)."""
        return self.mapper.to_item(instance)

    def update_builder(self, pk: Any, sk: Any = None) -> UpdateBuilder[T]:
        """A fluent update of one item: ``.set() .add() .remove() .append_to_list() ... .execute()``."""
        return UpdateBuilder(self.mapper, pk, sk)

    # --- batches and transactions ------------------------------------------------------------------------

    def batch_get(
        self,
        keys: Iterable[Any],
        *,
        consistent_read: bool = False,
        projection: Iterable[str] | None = None,
        max_retries: int | None = None,
        sleep: Callable[[float], None] | None = time.sleep,
        retry: RetryPolicy | None = None,
    ) -> BatchGetResult[T]:
        """The items with these keys (``pk`` or ``(pk, sk)``), in the order asked: a list, with the keys not
        found in ``.missing``. An empty list of keys sends nothing.

        Chunks of 100; unprocessed keys retried with backoff (``retry``, or TableTheory's ``max_retries`` and
        ``sleep``). Duplicate keys are refused.
        """
        policy = retry_policy(retry, max_retries, sleep)
        return batch_get(
            self.mapper, keys, consistent_read=consistent_read, projection=projection, retry=policy
        )

    def batch_write(
        self,
        *,
        puts: Iterable[T] = (),
        deletes: Iterable[Any] = (),
        max_retries: int | None = None,
        sleep: Callable[[float], None] | None = time.sleep,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Put and delete many items (chunks of 25, unprocessed ones retried with backoff and jitter);
        ``BatchUnprocessedError`` (a ``BatchRetryExceededError``) names what was left when retries run out."""
        batch_write(self.mapper, puts=puts, deletes=deletes, retry=retry_policy(retry, max_retries, sleep))

    def transact_write(
        self, actions: Sequence[TransactWriteAction[Any]], *, client_request_token: str | None = None
    ) -> None:
        """Run ``TransactPut/TransactUpdate/TransactDelete/TransactConditionCheck`` actions atomically;
        actions without ``table=`` act on this table."""
        transact_write(actions, client=self.client, client_request_token=client_request_token, default=self)

    def transact_get(self, gets: Sequence[TransactGet | Any]) -> list[Any]:
        """Read items atomically: ``TransactGet`` actions or keys of this table; None where missing."""
        return transact_get(gets, client=self.client, default=self)

    # --- queries and scans -------------------------------------------------------------------------------

    def _index(self, index_name: str | None) -> IndexDefinition | None:
        return None if index_name is None else self.model.index(index_name)

    def _common(
        self,
        request: Request,
        expr: Expression,
        index: IndexDefinition | None,
        *,
        filter: Condition | None,
        projection_fields: Iterable[str] | None,
        limit: int | None,
        consistent_read: bool,
        cursor: str | None,
        sort: SortDirection | None,
    ) -> None:
        if index is not None:
            request["IndexName"] = index.name
            if consistent_read and index.kind == "GSI":
                raise ValidationError(f"index {index.name}: consistent_read is not supported for GSIs")
        if projection_fields is not None:  # names in TableTheory's order: key, projection, filter
            request["ProjectionExpression"] = projection(self.model, projection_fields, expr)
        if filter is not None:
            request["FilterExpression"] = render(self.model, filter, expr, prefix="f", usage="a filter")
        if expr.names:
            request["ExpressionAttributeNames"] = expr.names
        if expr.values:
            request["ExpressionAttributeValues"] = expr.values
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise ValidationError(f"limit must be a positive int, not {limit!r}")
            request["Limit"] = limit
        if cursor is not None:
            index_name = None if index is None else index.name
            request["ExclusiveStartKey"] = start_key(
                cursor, index=index_name, sort=sort, key_names=self.mapper.key_names(index)
            )
        request["ConsistentRead"] = bool(consistent_read)  # always sent, as TableTheory does

    def _query(
        self,
        partition: Any,
        sort: SortKeyCondition | tuple[Any, ...] | None,
        *,
        index_name: str | None,
        limit: int | None,
        cursor: str | None,
        scan_forward: bool,
        consistent_read: bool,
        projection: Iterable[str] | None,
        filter: Condition | None,
    ) -> _Read:
        index = self._index(index_name)
        expr = Expression()
        request: Request = {"TableName": self.table_name}
        if index is not None and index.multi_attribute:
            partition_fields, sort_fields = self.model.index_key_fields(index)
            condition = multi_key_condition(partition_fields, sort_fields, partition, sort, expr)
        else:
            pk_field, sk_field = self.model.index_keys(index) if index else (self.model.pk, self.model.sk)
            condition = key_condition(pk_field, sk_field, partition, sort, expr)
        request["KeyConditionExpression"] = condition
        direction: SortDirection = "ASC" if scan_forward else "DESC"
        self._common(
            request,
            expr,
            index,
            filter=filter,
            projection_fields=projection,
            limit=limit,
            consistent_read=consistent_read,
            cursor=cursor,
            sort=direction,
        )
        request["ScanIndexForward"] = bool(scan_forward)  # always sent, as TableTheory does
        return _Read("query", request, index_name, direction)

    def _scan(
        self,
        *,
        index_name: str | None,
        limit: int | None,
        cursor: str | None,
        consistent_read: bool,
        projection: Iterable[str] | None,
        filter: Condition | None,
        segment: int | None,
        total_segments: int | None,
    ) -> _Read:
        index = self._index(index_name)
        request: Request = {"TableName": self.table_name}
        self._common(
            request,
            Expression(),
            index,
            filter=filter,
            projection_fields=projection,
            limit=limit,
            consistent_read=consistent_read,
            cursor=cursor,
            sort=None,
        )
        if (segment is None) != (total_segments is None):
            raise ValidationError("a parallel scan needs both segment= and total_segments=")
        if segment is not None and total_segments is not None:
            if not (isinstance(total_segments, int) and 1 <= total_segments <= 1_000_000):
                raise ValidationError(
                    f"total_segments must be an int from 1 to 1000000, not {total_segments!r}"
                )
            if not (isinstance(segment, int) and 0 <= segment < total_segments):
                raise ValidationError(
                    f"segment must be an int from 0 to {total_segments - 1}, not {segment!r}"
                )
            request["Segment"] = segment
            request["TotalSegments"] = total_segments
        return _Read("scan", request, index_name, None)

    def _page(self, read: _Read) -> Page[T]:
        response = self.mapper.call(read.operation, read.request)
        cache = self.mapper.new_cache()
        items = [self.mapper.from_item(raw, cache) for raw in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        token = encode_cursor(last, index=read.index, sort=read.sort) if last else None
        return Page(
            items, token, int(response.get("Count", len(items))), int(response.get("ScannedCount", 0))
        )

    def _pages(self, read: _Read) -> Iterator[Page[T]]:
        while True:
            page = self._page(read)
            yield page
            if page.next_cursor is None:
                return
            start = start_key(page.next_cursor, index=read.index, sort=read.sort)
            read = dataclasses.replace(read, request={**read.request, "ExclusiveStartKey": start})

    def search_vectors(
        self,
        vector: Sequence[float],
        *,
        top_k: int = 10,
        where: Mapping[str, Any] | Condition | None = None,
        index: str | None = None,
        projection: Iterable[str] | None = None,
    ) -> list[VectorMatch[T]]:
        """The ``top_k`` items most similar to ``vector`` on the model's vector index (``index=`` names it
        when there are several), most similar first, as ``VectorMatch(item, score)``.

        ``where``: ``{"field": value}`` or an ``eq(...) & eq(...)`` condition on the index's partition and
        filter fields (equality only; the partition is required when the index has one). Items hold the
        attributes the index projects (or ``projection``). Scores: COSINE 0 (same direction) to 2, smallest
        first; EUCLIDEAN distance, smallest first; DOT_PRODUCT, largest first.
        """
        return search_vectors(self.mapper, vector, top_k=top_k, where=where, index=index, fields=projection)

    def query(
        self,
        partition: Any,
        sort: SortKeyCondition | tuple[Any, ...] | None = None,
        *,
        index_name: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        scan_forward: bool = True,
        consistent_read: bool = False,
        projection: Iterable[str] | None = None,
        filter: Condition | None = None,
    ) -> Page[T]:
        """One page of the items whose partition key is ``partition`` (on the table or ``index_name``).

        ``limit`` caps the items DynamoDB reads for the page (before the filter); ``cursor`` continues from
        ``page.next_cursor``. Runtime: O(log n + page) in DynamoDB.

        https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html
        """
        return self._page(
            self._query(
                partition,
                sort,
                index_name=index_name,
                limit=limit,
                cursor=cursor,
                scan_forward=scan_forward,
                consistent_read=consistent_read,
                projection=projection,
                filter=filter,
            )
        )

    def iter_query(
        self,
        partition: Any,
        sort: SortKeyCondition | tuple[Any, ...] | None = None,
        *,
        index_name: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        scan_forward: bool = True,
        consistent_read: bool = False,
        projection: Iterable[str] | None = None,
        filter: Condition | None = None,
    ) -> Iterator[T]:
        """Every matching item, fetched page by page as it is consumed (``limit`` is the page size)."""
        read = self._query(
            partition,
            sort,
            index_name=index_name,
            limit=limit,
            cursor=cursor,
            scan_forward=scan_forward,
            consistent_read=consistent_read,
            projection=projection,
            filter=filter,
        )
        for page in self._pages(read):
            yield from page.items

    def query_all(
        self, partition: Any, sort: SortKeyCondition | tuple[Any, ...] | None = None, **options: Any
    ) -> list[T]:
        """Every matching item in a list (all pages); takes the options of ``query``."""
        return list(self.iter_query(partition, sort, **options))

    def scan(
        self,
        *,
        index_name: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        consistent_read: bool = False,
        projection: Iterable[str] | None = None,
        filter: Condition | None = None,
        segment: int | None = None,
        total_segments: int | None = None,
    ) -> Page[T]:
        """One page of all items (of one segment, for a parallel scan). Runtime: O(table) overall.

        https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
        """
        return self._page(
            self._scan(
                index_name=index_name,
                limit=limit,
                cursor=cursor,
                consistent_read=consistent_read,
                projection=projection,
                filter=filter,
                segment=segment,
                total_segments=total_segments,
            )
        )

    def iter_scan(
        self,
        *,
        index_name: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        consistent_read: bool = False,
        projection: Iterable[str] | None = None,
        filter: Condition | None = None,
        segment: int | None = None,
        total_segments: int | None = None,
    ) -> Iterator[T]:
        """Every item of the scan, fetched page by page as the iterator is consumed."""
        read = self._scan(
            index_name=index_name,
            limit=limit,
            cursor=cursor,
            consistent_read=consistent_read,
            projection=projection,
            filter=filter,
            segment=segment,
            total_segments=total_segments,
        )
        for page in self._pages(read):
            yield from page.items

    def scan_all(self, **options: Any) -> list[T]:
        """Every item of the scan in a list; takes the options of ``scan``."""
        return list(self.iter_scan(**options))

    def scan_all_segments(
        self,
        *,
        total_segments: int,
        index_name: str | None = None,
        limit: int | None = None,
        consistent_read: bool = False,
        projection: Iterable[str] | None = None,
        filter: Condition | None = None,
        max_workers: int | None = None,
    ) -> list[T]:
        """Every item, by a parallel scan of ``total_segments`` segments on ``max_workers`` threads (default:
        one per segment); results in segment order, the first failing segment's error raised."""
        if isinstance(total_segments, bool) or not isinstance(total_segments, int) or total_segments < 1:
            raise ValidationError(f"total_segments must be an int >= 1, not {total_segments!r}")
        if max_workers is not None and (
            isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1
        ):
            raise ValidationError(f"max_workers must be an int >= 1, not {max_workers!r}")
        options: dict[str, Any] = {
            "index_name": index_name,
            "limit": limit,
            "consistent_read": consistent_read,
            "projection": projection,
            "filter": filter,
            "total_segments": total_segments,
        }
        reads = [
            self._scan(cursor=None, segment=n, **options) for n in range(total_segments)
        ]  # checked first

        def drain(read: _Read) -> list[T]:
            return [item for page in self._pages(read) for item in page.items]

        with ThreadPoolExecutor(max_workers=max_workers or total_segments) as pool:
            parts = list(pool.map(drain, reads))
        return [item for part in parts for item in part]

    def query_with_retry(
        self,
        partition: Any,
        sort: SortKeyCondition | tuple[Any, ...] | None = None,
        *,
        max_retries: int = 5,
        initial_delay_seconds: float = 0.1,
        max_delay_seconds: float = 5.0,
        backoff_factor: float = 2.0,
        retry_on_empty: bool = True,
        retry_on_error: bool = True,
        verify: Callable[[Page[T]], bool] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Any,
    ) -> Page[T]:
        """``query`` repeated until ``verify(page)`` holds (default: the page is not empty), for reads that
        lag behind writes (GSIs). Returns the last page when retries run out. Only errors from DynamoDB
        (``AwsError``) are retried, and only with ``retry_on_error``; a refused request is raised at once.
        Takes the options of ``query``."""
        return self._with_retry(
            lambda: self.query(partition, sort, **options),
            _Retry(max_retries, initial_delay_seconds, max_delay_seconds, backoff_factor),
            retry_on_empty,
            retry_on_error,
            verify,
            sleep,
        )

    def scan_with_retry(
        self,
        *,
        max_retries: int = 5,
        initial_delay_seconds: float = 0.1,
        max_delay_seconds: float = 5.0,
        backoff_factor: float = 2.0,
        retry_on_empty: bool = True,
        retry_on_error: bool = True,
        verify: Callable[[Page[T]], bool] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Any,
    ) -> Page[T]:
        """``scan`` repeated like ``query_with_retry``; takes the options of ``scan``."""
        return self._with_retry(
            lambda: self.scan(**options),
            _Retry(max_retries, initial_delay_seconds, max_delay_seconds, backoff_factor),
            retry_on_empty,
            retry_on_error,
            verify,
            sleep,
        )

    def _with_retry(
        self,
        read: Callable[[], Page[T]],
        policy: _Retry,
        retry_on_empty: bool,
        retry_on_error: bool,
        verify: Callable[[Page[T]], bool] | None,
        sleep: Callable[[float], None],
    ) -> Page[T]:
        policy.check()
        delay = policy.initial
        page: Page[T] | None = None
        for attempt in range(policy.max_retries + 1):
            last = attempt == policy.max_retries
            try:
                page = read()
            except AwsError:
                if not retry_on_error or last:
                    raise
            else:
                done = verify(page) if verify is not None else (bool(page.items) or not retry_on_empty)
                if done or last:
                    return page
            sleep(delay)
            delay = min(policy.max_delay, delay * policy.factor)
        assert page is not None  # unreachable: the last attempt returns or raises
        return page

    def describe_query(
        self,
        partition: Any = None,
        *,
        sort: SortKeyCondition | tuple[Any, ...] | None = None,
        index_name: str | None = None,
        scan_forward: bool = True,
        consistent_read: bool = False,
        projection: Iterable[str] | None = None,
        filter: Condition | None = None,
    ) -> QueryShape:
        """What a query asks for, without its values and without checking it (for ``QueryOptimizer``)."""
        return describe_query(
            self.model,
            self.table_name,
            partition,
            sort=sort,
            index_name=index_name,
            scan_forward=scan_forward,
            consistent_read=consistent_read,
            projection=projection,
            filter=filter,
        )

    def describe_scan(
        self,
        *,
        index_name: str | None = None,
        consistent_read: bool = False,
        projection: Iterable[str] | None = None,
        filter: Condition | None = None,
        segment: int | None = None,
        total_segments: int | None = None,
    ) -> ScanShape:
        """What a scan asks for, without checking it (for ``QueryOptimizer``)."""
        return describe_scan(
            self.model,
            self.table_name,
            index_name=index_name,
            consistent_read=consistent_read,
            projection=projection,
            filter=filter,
            segment=segment,
            total_segments=total_segments,
        )

    def count(
        self,
        partition: Any = None,
        sort: SortKeyCondition | tuple[Any, ...] | None = None,
        *,
        index_name: str | None = None,
        filter: Condition | None = None,
        consistent_read: bool = False,
    ) -> int:
        """How many items match, with ``Select=COUNT`` over all pages: a query when ``partition`` is given,
        else a scan."""
        if partition is None:
            if sort is not None:
                raise ValidationError("count: a sort condition needs a partition value")
            read = self._scan(
                index_name=index_name,
                limit=None,
                cursor=None,
                consistent_read=consistent_read,
                projection=None,
                filter=filter,
                segment=None,
                total_segments=None,
            )
        else:
            read = self._query(
                partition,
                sort,
                index_name=index_name,
                limit=None,
                cursor=None,
                scan_forward=True,
                consistent_read=consistent_read,
                projection=None,
                filter=filter,
            )
        read = dataclasses.replace(read, request={**read.request, "Select": "COUNT"})
        return sum(page.count for page in self._pages(read))
