"""Batch reads and writes: ``Table.batch_get`` and ``Table.batch_write``.

``batch_get`` sends BatchGetItem in chunks of 100 keys and ``batch_write`` BatchWriteItem in chunks of 25
requests. Whatever DynamoDB leaves unprocessed (``UnprocessedKeys``/``UnprocessedItems``, under throttling)
is sent again after an exponential backoff with full jitter; when a chunk runs out of attempts the other
chunks still go, and then ``BatchUnprocessedError`` names exactly the items and keys left undone.

Everything is checked before the first request: keys, item types, duplicates (DynamoDB refuses a key twice
in one request, and across chunks the outcome would depend on the chunking), and encryption (each item put
gets its own data key; a batch read shares one data-key cache).

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html

>>> RetryPolicy(random=lambda: 0.5).delay(3)
0.2
"""

from __future__ import annotations

import dataclasses
import random as _random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from theorydb_py._types import Item, Key, Request
from theorydb_py.errors import BatchUnprocessedError, ValidationError
from theorydb_py.expressions import Expression
from theorydb_py.expressions import projection as render_projection
from theorydb_py.mapper import ItemMapper, MapperSource, mapper_of

__all__ = [
    "GET_CHUNK",
    "WRITE_CHUNK",
    "BatchGetResult",
    "RetryPolicy",
    "batch_get",
    "batch_write",
    "key_id",
    "retry_policy",
]

T = TypeVar("T")
GET_CHUNK = 100
WRITE_CHUNK = 25
KeyId = tuple[tuple[str, str, Any], ...]


@dataclasses.dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries of unprocessed batch requests: up to ``max_attempts`` calls per chunk, waiting
    ``random() * min(max_delay, base_delay * 2**retry)`` seconds before each retry (full jitter).

    ``sleep`` and ``random`` are injectable so tests run instantly and deterministically.
    """

    max_attempts: int = 8
    base_delay: float = 0.05
    max_delay: float = 5.0
    sleep: Callable[[float], None] = time.sleep
    random: Callable[[], float] = _random.random

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise ValidationError(f"max_attempts must be an int >= 1, not {self.max_attempts!r}")
        if self.max_attempts < 1:
            raise ValidationError(f"max_attempts must be an int >= 1, not {self.max_attempts!r}")
        for name in ("base_delay", "max_delay"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValidationError(f"{name} must be a number >= 0, not {value!r}")

    def delay(self, retry: int) -> float:
        """The wait before retry number ``retry`` (0 for the first retry)."""
        cap: float = min(self.max_delay, self.base_delay * (2**retry))
        return float(self.random()) * cap


_DEFAULT_RETRY = RetryPolicy()


class BatchGetResult(list[T]):
    """What ``batch_get`` found: a list of the items, in the order of the keys asked for (TableTheory returns
    a plain list), plus ``missing``, the keys not found (as they were given)."""

    def __init__(self, items: Iterable[T] = (), missing: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self.missing: list[Any] = list(missing)

    @property
    def items(self) -> list[T]:
        """The items found, as a plain list."""
        return list(self)

    def __repr__(self) -> str:
        return f"<BatchGetResult {len(self)} found, {len(self.missing)} missing>"


def retry_policy(
    retry: RetryPolicy | None,
    max_retries: int | None = None,
    sleep: Callable[[float], None] | None = time.sleep,
) -> RetryPolicy:
    """The policy from this project's ``retry=`` or TableTheory's ``max_retries=``/``sleep=`` (``sleep=None``
    retries at once). Waits keep this project's jitter (TableTheory's backoff has none)."""
    if retry is not None:
        if max_retries is not None or sleep is not time.sleep:
            raise ValidationError("give retry= or max_retries=/sleep=, not both")
        return retry
    if max_retries is not None and (
        isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0
    ):
        raise ValidationError(f"max_retries must be an int >= 0, not {max_retries!r}")
    if max_retries is None and sleep is time.sleep:
        return _DEFAULT_RETRY
    attempts = _DEFAULT_RETRY.max_attempts if max_retries is None else max_retries + 1
    return RetryPolicy(max_attempts=attempts, sleep=_no_sleep if sleep is None else sleep)


def _no_sleep(seconds: float) -> None:
    """``sleep=None``: retry at once."""


def key_id(key: Mapping[str, Any]) -> KeyId:
    """A hashable identity for a key (or the key attributes of an item)."""
    out = []
    for name in sorted(key):
        ((tag, value),) = key[name].items()
        out.append((name, tag, bytes(value) if isinstance(value, bytearray | memoryview) else value))
    return tuple(out)


def _chunks(seq: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


def batch_get(
    source: MapperSource,
    keys: Iterable[Any],
    *,
    consistent_read: bool = False,
    projection: Iterable[str] | None = None,
    retry: RetryPolicy | None = None,
) -> BatchGetResult[T]:
    """The items of the table (a ``Table`` or its mapper) with these keys, in order; the keys not found in
    ``missing``."""
    table: ItemMapper[Any] = mapper_of(source)
    policy = _DEFAULT_RETRY if retry is None else retry
    if isinstance(keys, str | bytes) or not isinstance(keys, Iterable):
        raise ValidationError(f"batch_get takes a list of keys, not {keys!r}")
    given = list(keys)
    wanted: list[tuple[Any, Key, KeyId]] = []
    seen: set[KeyId] = set()
    for entry in given:
        key = table.split_key(entry, "batch_get")
        ident = key_id(key)
        if ident in seen:
            raise ValidationError(f"batch_get: the key {entry!r} is asked for twice")
        seen.add(ident)
        wanted.append((entry, key, ident))
    base: dict[str, Any] = {"ConsistentRead": bool(consistent_read)}  # always sent, as TableTheory does
    if projection is not None:
        if isinstance(projection, str):
            raise ValidationError("projection takes a list of field names, not a single string")
        expr = Expression()
        keys_too = [*projection, *(f.python_name for f in table.model.key_fields)]  # to match answers
        base["ProjectionExpression"] = render_projection(table.model, keys_too, expr)
        base["ExpressionAttributeNames"] = expr.names
    found: dict[KeyId, Item] = {}
    left: list[Any] = []
    by_id = {ident: entry for entry, _, ident in wanted}
    for chunk in _chunks(wanted, GET_CHUNK):
        pending = [key for _, key, _ in chunk]
        for attempt in range(policy.max_attempts):
            if attempt:
                policy.sleep(policy.delay(attempt - 1))
            request: Request = {"RequestItems": {table.table_name: {"Keys": pending, **base}}}
            response = table.call("batch_get_item", request)
            for raw in response.get("Responses", {}).get(table.table_name, []):
                found[key_id(table.item_key(raw))] = raw
            pending = response.get("UnprocessedKeys", {}).get(table.table_name, {}).get("Keys", [])
            if not pending:
                break
        left.extend(by_id.get(key_id(key), key) for key in pending)
    if left:
        raise BatchUnprocessedError(
            f"batch_get: {len(left)} key(s) still unprocessed after {policy.max_attempts} attempts",
            operation="batch_get",
            unprocessed_keys=tuple(left),
        )
    cache = table.new_cache()  # one data-key cache for the whole batch
    items = [table.from_item(found[ident], cache) for _, _, ident in wanted if ident in found]
    missing = [entry for entry, _, ident in wanted if ident not in found]
    return BatchGetResult(items, missing)


def batch_write(
    source: MapperSource,
    *,
    puts: Iterable[T] = (),
    deletes: Iterable[Any] = (),
    retry: RetryPolicy | None = None,
) -> None:
    """Put ``puts`` (through the put path of ``put``) and delete the keys ``deletes``, in chunks of 25."""
    table: ItemMapper[Any] = mapper_of(source)
    policy = _DEFAULT_RETRY if retry is None else retry
    for name, value in (("puts", puts), ("deletes", deletes)):
        if isinstance(value, str | bytes) or not isinstance(value, Iterable):
            raise ValidationError(f"batch_write: {name} must be a list, not {value!r}")
    requests: list[tuple[Any, dict[str, Any], KeyId]] = []
    seen: set[KeyId] = set()
    for instance in puts:
        item = table.put_request(instance)[1]["Item"]
        requests.append((instance, {"PutRequest": {"Item": item}}, key_id(table.item_key(item))))
    for entry in deletes:
        key = table.split_key(entry, "batch_write delete")
        requests.append((entry, {"DeleteRequest": {"Key": key}}, key_id(key)))
    if not requests:
        return  # nothing to write: no request (as TableTheory)
    for origin, _, ident in requests:
        if ident in seen:
            raise ValidationError(f"batch_write: the key of {origin!r} appears twice; write each item once")
        seen.add(ident)
    by_id = {ident: (origin, "PutRequest" in req) for origin, req, ident in requests}
    left_puts: list[Any] = []
    left_deletes: list[Any] = []
    for chunk in _chunks(requests, WRITE_CHUNK):
        pending = [req for _, req, _ in chunk]
        for attempt in range(policy.max_attempts):
            if attempt:
                policy.sleep(policy.delay(attempt - 1))
            response = table.call("batch_write_item", {"RequestItems": {table.table_name: pending}})
            pending = response.get("UnprocessedItems", {}).get(table.table_name, [])
            if not pending:
                break
        for req in pending:
            body = req.get("PutRequest", {}).get("Item") or req.get("DeleteRequest", {}).get("Key", {})
            origin, is_put = by_id.get(key_id(table.item_key(body)), (body, "PutRequest" in req))
            (left_puts if is_put else left_deletes).append(origin)
    if left_puts or left_deletes:
        raise BatchUnprocessedError(
            f"batch_write: {len(left_puts)} put(s) and {len(left_deletes)} delete(s) still unprocessed "
            f"after {policy.max_attempts} attempts",
            operation="batch_write",
            unprocessed_puts=tuple(left_puts),
            unprocessed_deletes=tuple(left_deletes),
        )
