"""Time to Live: items whose TTL attribute (epoch seconds, a Number) is in the past are deleted.

Which time: the emulator's clock (``emu.clock``), so ``clock.advance(3600)`` or freezegun ages items.

When they go, per ``emu.ttl.mode`` (also ``DynamoDBEmulator(ttl_mode=...)``):

- ``"lazy"`` (the default, the service's behaviour): expired items linger and are still returned by reads
  until a sweep deletes them: ``emu.ttl.sweep()``, or by themselves 48 hours after they expired on the
  clock (the service deletes "typically within a few days"; 48 hours is the documented usual bound).
  Application code must filter expired items itself, as on DynamoDB.
- ``"immediate"``: no read ever returns an expired item; each is deleted as soon as the clock passes its
  time (checked when the next request arrives).

Deletions are DynamoDB's: free (no capacity), and a REMOVE stream record whose ``userIdentity`` is
``{"type": "Service", "principalId": "dynamodb.amazonaws.com"}``. Items whose TTL is more than five years
in the past, or whose TTL attribute is not a Number, are never deleted (as the service ignores them).

Cost: one heap of expiry times per TTL-enabled table, kept by the storage observer (O(log n) per write
that sets a TTL); a request looks at the heap's top only: nothing is scanned on reads.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator(ttl_mode="immediate")
>>> emu.clock.set(1_000)
>>> _ = emu.dispatch("CreateTable", {"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> _ = emu.dispatch("UpdateTimeToLive", {"TableName": "tbl",
...     "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}})
>>> _ = emu.dispatch("PutItem", {"TableName": "tbl", "Item": {"pk": {"S": "a"}, "expires": {"N": "1060"}}})
>>> emu.clock.advance(61)
>>> emu.dispatch("GetItem", {"TableName": "tbl", "Key": {"pk": {"S": "a"}}})
{}
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Item, Key
    from theorydb_mocks.emulator.catalog import TableState
    from theorydb_mocks.emulator.storage import TableStore

__all__ = ["LINGER_SECONDS", "MAX_AGE_SECONDS", "TimeToLive", "TtlMode", "expiry_of"]

TtlMode = Literal["immediate", "lazy"]
LINGER_SECONDS = 48 * 3600
MAX_AGE_SECONDS = 5 * 365 * 24 * 3600  # older TTLs are ignored by the service
_MODES = ("immediate", "lazy")


def expiry_of(item: Item | None, attribute: str) -> float | None:
    """The item's expiry time in epoch seconds, or None when it has no (numeric) TTL attribute.

    >>> expiry_of({"ttl": {"N": "1700000000.5"}}, "ttl"), expiry_of({"ttl": {"S": "1"}}, "ttl")
    (1700000000.5, None)
    """
    if item is None:
        return None
    value = item.get(attribute)
    if value is None or "N" not in value:
        return None
    try:
        return float(Decimal(value["N"]))
    except (InvalidOperation, ValueError, OverflowError):
        return None


@dataclass(slots=True)
class _Expiry:
    """One TTL-enabled table: the store it watches and a heap of ``(expiry, tiebreak, key)``."""

    store: TableStore
    attribute: str
    key_names: tuple[str, ...]
    heap: list[tuple[float, int, Key]] = field(default_factory=list)
    observer: Any = None


class TimeToLive:
    """The TTL machinery of one emulator (``emu.ttl``): the mode switch, the heaps, and ``sweep``."""

    def __init__(self, emulator: EmulatorState, mode: TtlMode = "lazy") -> None:
        self._emulator = emulator
        self._tables: dict[str, _Expiry] = {}
        # Whether any table has TTL enabled (``dispatch`` skips expiry checks otherwise): an attribute, kept
        # by ``enable`` and ``disable``, because every request reads it (a property cost 0.12 us of a get).
        self.active = False
        self._tiebreak = itertools.count()
        self.mode = mode

    def __repr__(self) -> str:
        return f"<TimeToLive {self.mode} tables={sorted(self._tables)}>"

    @property
    def mode(self) -> TtlMode:
        """``"lazy"`` (expired items linger until a sweep or 48 hours) or ``"immediate"``."""
        return self._mode

    @mode.setter
    def mode(self, value: TtlMode) -> None:
        if value not in _MODES:
            raise ValueError(f"ttl mode must be 'immediate' or 'lazy', not {value!r}")
        self._mode = value

    # --- enabling ---

    def enable(self, table: TableState, attribute: str) -> None:
        """Start watching ``table``: index the expiry of every item once, then follow every write."""
        self.disable(table.name)
        entry = _Expiry(table.store, attribute, table.key.names)
        for item in table.store.items():
            self._push(entry, item)
        heapq.heapify(entry.heap)

        def observe(old: Item | None, new: Item | None) -> None:
            if new is not None:
                self._push(entry, new, heap_push=True)

        entry.observer = observe
        table.store.observe(observe)
        self._tables[table.name] = entry
        self.active = True

    def disable(self, table_name: str) -> None:
        entry = self._tables.pop(table_name, None)
        self.active = bool(self._tables)
        if entry is not None:
            entry.store.unobserve(entry.observer)

    def _push(self, entry: _Expiry, item: Item, *, heap_push: bool = False) -> None:
        expiry = expiry_of(item, entry.attribute)
        if expiry is None:
            return
        key = {name: item[name] for name in entry.key_names}
        record = (expiry, next(self._tiebreak), key)
        if heap_push:
            heapq.heappush(entry.heap, record)
        else:
            entry.heap.append(record)

    # --- expiring ---

    def expire_due(self) -> int:
        """Delete what the mode says is gone by now (``dispatch`` calls it, under the lock); a count."""
        grace = 0.0 if self._mode == "immediate" else float(LINGER_SECONDS)
        return self._expire(self._emulator.clock.now(), grace)

    def sweep(self) -> int:
        """Delete every item expired by now, whatever the mode (the service's background deletion, run now).

        Returns the number of items deleted.
        """
        with self._emulator.lock:
            return self._expire(self._emulator.clock.now(), 0.0)

    def _expire(self, now: float, grace: float) -> int:
        cutoff = now - grace
        oldest = now - MAX_AGE_SECONDS
        deleted = 0
        tables = self._emulator.tables
        for name, entry in list(self._tables.items()):
            heap = entry.heap
            if not heap or heap[0][0] >= cutoff:
                continue
            table = tables.get(name)
            if table is None or table.store is not entry.store:
                self.disable(name)  # the table is gone (or replaced): its heap with it
                continue
            deleted += self._expire_table(entry, cutoff, oldest)
        return deleted

    def _expire_table(self, entry: _Expiry, cutoff: float, oldest: float) -> int:
        heap = entry.heap
        store = entry.store
        streams = self._emulator.streams
        deleted = 0
        while heap and heap[0][0] < cutoff:
            expiry, _, key = heapq.heappop(heap)
            if expiry < oldest:
                continue
            current = store.get(key)
            if current is None or expiry_of(current, entry.attribute) != expiry:
                continue  # deleted or rewritten since: a newer heap entry stands for it
            streams.ttl_delete = True
            try:
                store.delete(key)
            finally:
                streams.ttl_delete = False
            deleted += 1
        return deleted

    # --- bookkeeping ---

    def clear(self) -> None:
        """Stop watching every table (``DynamoDBEmulator.reset``)."""
        for name in list(self._tables):
            self.disable(name)

    def attribute_of(self, table: TableState) -> str | None:
        """The table's TTL attribute, or None when TTL is disabled on it."""
        entry = self._tables.get(table.name)
        return entry.attribute if entry is not None and entry.store is table.store else None

    def save(self) -> dict[str, tuple[TableStore, str]]:
        """The TTL settings, for a snapshot: O(TTL tables)."""
        return {name: (entry.store, entry.attribute) for name, entry in self._tables.items()}

    def load(self, saved: dict[str, tuple[TableStore, str]]) -> None:
        """Go back to ``saved`` settings (after a snapshot's items and tables are back); heaps of tables
        whose setting did not change are kept (restored items were pushed by the observer)."""
        for name, entry in list(self._tables.items()):
            if saved.get(name) != (entry.store, entry.attribute):
                self.disable(name)
        tables = self._emulator.tables
        for name, (store, attribute) in saved.items():
            table = tables.get(name)
            if name not in self._tables and table is not None and table.store is store:
                self.enable(table, attribute)
