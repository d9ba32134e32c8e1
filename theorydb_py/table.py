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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast

from theorydb_py import _client
from theorydb_py._types import AttributeValue, Item, Key, Request
from theorydb_py.codec import decode_struct, encode_dynamic, encode_struct, struct_fields
from theorydb_py.cursor import SortDirection, decode_cursor, encode_cursor
from theorydb_py.errors import (
    ConditionFailedError,
    EncryptionConfigError,
    ItemExistsError,
    ItemNotFoundError,
    ValidationError,
)
from theorydb_py.expressions import (
    Condition,
    Expression,
    SortKeyCondition,
    and_,
    key_condition,
    key_value,
    not_exists,
    projection,
    render,
)
from theorydb_py.lifecycle import Clock, Lifecycle
from theorydb_py.model import FieldDefinition, IndexDefinition, ModelDefinition
from theorydb_py.update import UpdateBuilder, build_update

if TYPE_CHECKING:
    from theorydb_py.batch import BatchGetResult, RetryPolicy
    from theorydb_py.transactions import TransactGet, TransactWriteAction

__all__ = ["Page", "Table"]

T = TypeVar("T")
_AV_TAGS = frozenset({"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"})


@dataclasses.dataclass(frozen=True, slots=True)
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
class _Read:
    """A prepared Query or Scan: the request, and what its cursors must say."""

    operation: Literal["query", "scan"]
    request: Request
    index: str | None
    sort: SortDirection | None


def _raw_value(value: Any, where: str) -> AttributeValue:
    """A caller's expression value: an attribute value as is (``{"S": "x"}``), else encoded by its type."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _AV_TAGS:
        return value
    return encode_dynamic(value, where)


class Table(Generic[T]):
    """Reads and writes one model's items in one table.

    ``client`` is any boto3-compatible DynamoDB client (default: ``boto3.client("dynamodb")``, made on first
    use). A model with encrypted fields needs ``kms_key_arn`` (and ``kms_client``, default
    ``boto3.client("kms")``); without it the table refuses to be built rather than store plaintext.
    ``envelope_version=2`` seals encrypted fields bound to this table and each item's primary key, so an
    envelope copied from another item fails to open (docs/encryption.md; version 1, the default, is the
    format TableTheory for Go and TypeScript read).
    ``clock`` (default: the system's UTC time) stamps the lifecycle fields (docs/lifecycle.md).
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
        envelope_version: int = 1,
    ) -> None:
        self.model: ModelDefinition[T] = (
            model if isinstance(model, ModelDefinition) else ModelDefinition.from_dataclass(model)
        )
        if table_name is not None and (not isinstance(table_name, str) or not table_name):
            raise ValidationError("table_name must be a non-empty string")
        self.table_name = table_name or self.model.table_name
        self._client = client
        self._fields = struct_fields(cast(type, self.model.model))
        self._encrypted = frozenset(f.attribute_name for f in self.model.encrypted_fields)
        table_keys = {f.attribute_name for f in self.model.key_fields}
        self._index_keys = {
            f.attribute_name for i in self.model.indexes for f in (i.partition, i.sort) if f is not None
        } - table_keys
        self._kms_key_arn = kms_key_arn
        self._kms_client = kms_client
        self._rand_bytes = rand_bytes
        self._envelope_version = envelope_version
        self._encryptor: Any = None
        self._lifecycle = Lifecycle(self.model, clock)
        if self._encrypted and not kms_key_arn:
            names = ", ".join(f.python_name for f in self.model.encrypted_fields)
            raise EncryptionConfigError(
                f"{self.model.model.__name__} has encrypted fields ({names}): pass kms_key_arn="
            )

    def __repr__(self) -> str:
        return f"<Table {self.model.model.__name__} {self.table_name!r}>"

    @property
    def client(self) -> Any:
        """The DynamoDB client (created from the environment on first use when none was given)."""
        if self._client is None:
            self._client = _client.default_client()
        return self._client

    def _call(self, operation: str, request: Request) -> dict[str, Any]:
        return _client.call(self.client, operation, request)

    # --- encoding -------------------------------------------------------------------------------------------

    def _encryption(self) -> Any:
        if self._encryptor is None:
            from theorydb_py.encryption import FieldEncryptor

            kms = self._kms_client if self._kms_client is not None else _client.default_client("kms")
            self._encryptor = FieldEncryptor(
                kms_client=kms,
                key_arn=self._kms_key_arn or "",
                rand_bytes=self._rand_bytes,
                envelope_version=self._envelope_version,
            )
        return self._encryptor

    def _seal(self, attrs: dict[str, AttributeValue], key: Key) -> dict[str, AttributeValue]:
        """The envelopes of ``attrs``, encrypted fields of the item whose primary key is ``key``."""
        sealed: dict[str, AttributeValue] = self._encryption().encrypt_attributes(
            attrs, table=self.table_name, key=key
        )
        return sealed

    def _sealer(self, key: Key) -> Callable[[dict[str, AttributeValue]], dict[str, AttributeValue]] | None:
        """``_seal`` for the item ``key`` (what the update builders call), or None without encryption."""
        if not self._encrypted:
            return None
        return lambda attrs: self._seal(attrs, key)

    def _item_key(self, item: Mapping[str, AttributeValue]) -> Key:
        """The primary key held by ``item`` (the attributes it has of it)."""
        return {
            f.attribute_name: item[f.attribute_name]
            for f in self.model.key_fields
            if f.attribute_name in item
        }

    def to_item(self, instance: T) -> Item:
        """The DynamoDB item for a model instance (keys checked, encrypted fields sealed)."""
        name = self.model.model.__name__
        self._check_instance(instance)
        item = encode_struct(instance, self._fields, name)
        for f in self.model.key_fields:
            key_value(f, getattr(instance, f.python_name), name)
        for attr in self._index_keys:  # DynamoDB refuses empty index keys: leave the item out of the index
            if attr in item and item[attr] in ({"S": ""}, {"B": b""}):
                del item[attr]
        secret = {a: item[a] for a in self._encrypted if a in item}
        if secret:
            item.update(self._seal(secret, self._item_key(item)))
        return item

    def from_item(self, item: Mapping[str, AttributeValue], cache: Any = None) -> T:
        """The model instance for a DynamoDB item (encrypted fields opened, failing closed)."""
        secret = [a for a in sorted(self._encrypted) if a in item]  # sorted: the same error every run
        if secret:
            encryptor = self._encryption()
            cache = self._new_cache() if cache is None else cache  # one Decrypt per data key, not per field
            key = self._item_key(item)
            item = dict(item)
            for attr in secret:
                item[attr] = encryptor.decrypt_attribute(
                    attr, item[attr], cache, table=self.table_name, key=key
                )
        instance: T = decode_struct(self.model.model, self._fields, item, self.model.model.__name__)
        return instance

    def _key(self, pk: Any, sk: Any, where: str) -> Key:
        key: Key = {self.model.pk.attribute_name: key_value(self.model.pk, pk, where)}
        if self.model.sk is None:
            if sk is not None:
                raise ValidationError(
                    f"{where}: {self.model.model.__name__} has no sort key, but sk={sk!r} was given"
                )
        else:
            if sk is None:
                raise ValidationError(f"{where}: {self.model.model.__name__} needs a sort key value (sk=)")
            key[self.model.sk.attribute_name] = key_value(self.model.sk, sk, where)
        return key

    def _condition(
        self,
        request: Request,
        expr: Expression,
        condition: str | Condition | None,
        names: Mapping[str, str] | None,
        values: Mapping[str, Any] | None,
        expected_version: int | None = None,
    ) -> None:
        """Add a condition (typed, or a raw string with its placeholders), the version check if one is
        expected, and the placeholders."""
        version = None if expected_version is None else self._lifecycle.version_condition(expected_version)
        if isinstance(condition, Condition):
            typed = condition if version is None else and_(condition, version)
            request["ConditionExpression"] = render(self.model, typed, expr, prefix="c", usage="a condition")
        elif condition is not None:
            if not isinstance(condition, str) or not condition.strip():
                raise ValidationError("condition_expression must be a non-empty string or a Condition")
            request["ConditionExpression"] = condition
            if version is not None:
                rendered = render(self.model, version, expr, prefix="c", usage="a condition")
                request["ConditionExpression"] = f"({condition}) AND {rendered}"
        elif version is not None:
            request["ConditionExpression"] = render(
                self.model, version, expr, prefix="c", usage="a condition"
            )
        if condition is None and (names or values):
            raise ValidationError(
                "expression attribute names/values were given without a condition_expression"
            )
        encoded = {k: _raw_value(v, f"expression value {k}") for k, v in (values or {}).items()}
        expr.merge_user(dict(names or {}), encoded)
        if expr.names:
            request["ExpressionAttributeNames"] = expr.names
        if expr.values:
            request["ExpressionAttributeValues"] = expr.values
        if version is not None:
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"

    def _versioned_call(self, operation: str, request: Request, expected_version: int | None) -> Any:
        """Send; a failed condition with a version expected becomes ``VersionConflictError`` if the version
        is what differed."""
        try:
            return self._call(operation, request)
        except ConditionFailedError as err:
            if expected_version is None:
                raise
            raise self._lifecycle.conflict(err, expected_version) from err

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
        self._check_instance(item)
        written = self._lifecycle.stamp(item, new=False)
        request: Request = {"TableName": self.table_name, "Item": self.to_item(written)}
        self._condition(
            request,
            Expression(),
            condition_expression,
            expression_attribute_names,
            expression_attribute_values,
        )
        self._call("put_item", request)
        return written

    def create(self, item: T) -> T:
        """Write a new item, refusing (``ItemExistsError``) if one with its key exists; returns it as written
        (``created_at`` and ``updated_at`` now, ``version`` 0)."""
        self._check_instance(item)
        written = self._lifecycle.stamp(item, new=True)
        request: Request = {"TableName": self.table_name, "Item": self.to_item(written)}
        self._condition(request, Expression(), not_exists(self.model.pk.python_name), None, None)
        try:
            self._call("put_item", request)
        except ConditionFailedError as err:
            key = ", ".join(repr(getattr(item, f.python_name)) for f in self.model.key_fields)
            raise ItemExistsError(
                f"a {self.model.model.__name__} with key ({key}) already exists in {self.table_name}",
                code=err.code,
            ) from err
        return written

    def _check_instance(self, instance: Any) -> None:
        if not isinstance(instance, self.model.model):
            name = self.model.model.__name__
            raise ValidationError(f"expected a {name} instance, got {type(instance).__name__}")

    def find(self, pk: Any, sk: Any = None, *, consistent_read: bool = False) -> T | None:
        """The item with this key, or None.

        https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_GetItem.html
        """
        request: Request = {"TableName": self.table_name, "Key": self._key(pk, sk, "get")}
        if consistent_read:
            request["ConsistentRead"] = True
        found = self._call("get_item", request).get("Item")
        return None if not found else self.from_item(found)

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
        request: Request = {"TableName": self.table_name, "Key": self._key(pk, sk, "delete")}
        self._condition(
            request,
            Expression(),
            condition_expression,
            expression_attribute_names,
            expression_attribute_values,
            expected_version,
        )
        self._versioned_call("delete_item", request, expected_version)

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
        request: Request = {"TableName": self.table_name, "Key": self._key(pk, sk, "update")}
        expr = Expression()
        request["UpdateExpression"] = build_update(
            self.model, self._with_lifecycle(updates), expr, self._sealer(request["Key"])
        )
        self._condition(
            request,
            expr,
            condition_expression,
            expression_attribute_names,
            expression_attribute_values,
            expected_version,
        )
        request["ReturnValues"] = "ALL_NEW"
        response = self._versioned_call("update_item", request, expected_version)
        return self.from_item(response.get("Attributes", {}))

    def _with_lifecycle(self, updates: Mapping[str, Any]) -> Mapping[str, Any]:
        """``updates`` plus the lifecycle changes every update makes (the caller's own take precedence)."""
        if not isinstance(updates, Mapping) or not updates:
            raise ValidationError("update needs a non-empty mapping of field -> new value")
        touched = self._lifecycle.touched({ref for ref in updates if isinstance(ref, str)})
        return {**updates, **self._lifecycle.update_changes(touched)}

    def update_builder(self, pk: Any, sk: Any = None) -> UpdateBuilder[T]:
        """A fluent update of one item: ``.set() .add() .remove() .append_to_list() ... .execute()``."""
        return UpdateBuilder(self, pk, sk)

    # --- batches and transactions ------------------------------------------------------------------------

    def batch_get(
        self,
        keys: Iterable[Any],
        *,
        consistent_read: bool = False,
        projection: Iterable[str] | None = None,
        retry: RetryPolicy | None = None,
    ) -> BatchGetResult[T]:
        """The items with these keys (``pk`` or ``(pk, sk)``), in the order asked; missing keys reported.

        Chunks of 100; unprocessed keys retried with backoff (``retry``). Duplicate keys are refused.
        """
        from theorydb_py.batch import batch_get

        return batch_get(self, keys, consistent_read=consistent_read, projection=projection, retry=retry)

    def batch_write(
        self,
        *,
        puts: Iterable[T] = (),
        deletes: Iterable[Any] = (),
        retry: RetryPolicy | None = None,
    ) -> None:
        """Put and delete many items (chunks of 25, unprocessed ones retried with backoff and jitter);
        ``BatchUnprocessedError`` names what was left when retries run out."""
        from theorydb_py.batch import batch_write

        batch_write(self, puts=puts, deletes=deletes, retry=retry)

    def transact_write(
        self, actions: Sequence[TransactWriteAction], *, client_request_token: str | None = None
    ) -> None:
        """Run ``TransactPut/TransactUpdate/TransactDelete/TransactConditionCheck`` actions atomically;
        actions without ``table=`` act on this table."""
        from theorydb_py.transactions import transact_write

        transact_write(actions, client=self.client, client_request_token=client_request_token, default=self)

    def transact_get(self, gets: Sequence[TransactGet | Any]) -> list[Any]:
        """Read items atomically: ``TransactGet`` actions or keys of this table; None where missing."""
        from theorydb_py.transactions import transact_get

        return transact_get(gets, client=self.client, default=self)

    # --- queries and scans -------------------------------------------------------------------------------

    def _index(self, index_name: str | None) -> IndexDefinition | None:
        return None if index_name is None else self.model.index(index_name)

    def _key_names(self, index: IndexDefinition | None) -> frozenset[str]:
        fields: list[FieldDefinition] = list(self.model.key_fields)
        if index is not None:
            fields += [index.partition] + ([index.sort] if index.sort is not None else [])
        return frozenset(f.attribute_name for f in fields)

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
                raise ValidationError(f"index {index.name}: consistent reads are not supported on a GSI")
        if filter is not None:
            request["FilterExpression"] = render(self.model, filter, expr, prefix="f", usage="a filter")
        if projection_fields is not None:
            request["ProjectionExpression"] = projection(self.model, projection_fields, expr)
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
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, index=index_name, sort=sort, key_names=self._key_names(index)
            )
        if consistent_read:
            request["ConsistentRead"] = True

    def _query(
        self,
        partition: Any,
        sort: SortKeyCondition | None,
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
        pk_field, sk_field = (
            (self.model.pk, self.model.sk) if index is None else (index.partition, index.sort)
        )
        expr = Expression()
        request: Request = {"TableName": self.table_name}
        request["KeyConditionExpression"] = key_condition(pk_field, sk_field, partition, sort, expr)
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
        if not scan_forward:
            request["ScanIndexForward"] = False
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
        response = self._call(read.operation, read.request)
        cache = self._new_cache()
        items = [self.from_item(raw, cache) for raw in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        token = encode_cursor(last, index=read.index, sort=read.sort) if last else None
        return Page(
            items, token, int(response.get("Count", len(items))), int(response.get("ScannedCount", 0))
        )

    def _new_cache(self) -> Any:
        if not self._encrypted:
            return None
        from theorydb_py.encryption import DataKeyCache

        return DataKeyCache()

    def _pages(self, read: _Read) -> Iterator[Page[T]]:
        while True:
            page = self._page(read)
            yield page
            if page.next_cursor is None:
                return
            start = decode_cursor(page.next_cursor, index=read.index, sort=read.sort)
            read = dataclasses.replace(read, request={**read.request, "ExclusiveStartKey": start})

    def query(
        self,
        partition: Any,
        sort: SortKeyCondition | None = None,
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
        sort: SortKeyCondition | None = None,
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

    def query_all(self, partition: Any, sort: SortKeyCondition | None = None, **options: Any) -> list[T]:
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

    def count(
        self,
        partition: Any = None,
        sort: SortKeyCondition | None = None,
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
