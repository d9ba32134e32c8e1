"""Snapshots: ``emu.snapshot()``, ``emu.restore(snap)`` and ``with emu.rollback():``, cheap at any size.

Nothing is copied item by item. A snapshot saves the catalog (each table's settings: O(tables)), the
streams' positions and the capacity ledger's recent list, and marks a position in an undo log. While a
snapshot lives, every store writes its changes ``(old, new)`` to that log through its change observer;
``restore`` walks the log backwards (put the old item back, or delete the new one), then puts the catalog
back: tables created since are dropped, deleted ones return with their items and indexes, GSIs and vector
indexes added or dropped since are dropped or rebuilt, TTL settings and stream records are as they were,
tags too (they live in the catalog), and so are the ClientRequestToken records, backups and point-in-time
recovery histories. A snapshot covers every region of the emulator (``regions``), with its global tables
and the writes on their way between replicas (``replication``): a region made after it is emptied by its
restore. Cost: O(1) per write while a snapshot lives, O(tables + changes since) to restore.

Restoring a snapshot invalidates the snapshots taken after it; the same snapshot can be restored again.
When no snapshot is alive any more (released, or garbage collected), the log stops and writes cost nothing
extra. The clock is not turned back.

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> with emu.rollback():
...     _ = emu.dispatch("PutItem", {"TableName": "tbl", "Item": {"pk": {"S": "a"}}})
...     emu.dispatch("Scan", {"TableName": "tbl"})["Count"]
1
>>> emu.dispatch("Scan", {"TableName": "tbl"})["Count"]
0
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import itertools
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import IndexSpec, Item
    from theorydb_mocks.emulator.catalog import TableState
    from theorydb_mocks.emulator.storage import TableStore

__all__ = ["RegionState", "Snapshot", "SnapshotError", "Snapshots"]


class SnapshotError(ValueError):
    """A snapshot that cannot be restored: released, from another emulator, or older state was restored."""


class RegionState(NamedTuple):
    """One region's part of a snapshot: its catalog entries and its services' saved state."""

    tables: dict[str, tuple[TableState, dict[str, Any], dict[str, IndexSpec]]]
    streams: tuple[Any, ...]
    ttl: dict[str, Any]
    ledger: tuple[Any, Any]
    tokens: dict[str, Any]
    kinesis: dict[str, int]
    recovery: tuple[Any, Any] = ((), {})  # change histories and backups (``history``, ``backups``)


class Snapshot:
    """The emulator's state at one moment, every region of it (opaque; pass it to ``emu.restore``)."""

    __slots__ = ("__weakref__", "_emulator", "number", "position", "regions", "replication")

    def __init__(
        self,
        emulator: EmulatorState,
        number: int,
        position: int,
        regions: dict[str, RegionState],
        replication: tuple[Any, ...],
    ) -> None:
        self._emulator = weakref.ref(emulator)
        self.number = number
        self.position = position
        self.regions = regions
        self.replication = replication

    @property
    def tables(self) -> dict[str, tuple[TableState, dict[str, Any], dict[str, IndexSpec]]]:
        """The saved tables of the home region (the emulator's own ``region``)."""
        emulator = self._emulator()
        home = next(iter(self.regions)) if emulator is None else emulator.regions.home.region
        return self.regions[home].tables if home in self.regions else {}

    def __repr__(self) -> str:
        shown = [f"{name}:{sorted(state.tables)}" for name, state in self.regions.items() if state.tables]
        return f"<Snapshot #{self.number} tables={' '.join(shown) or '[]'}>"


_SHARED_FIELDS = frozenset({"store", "key"})  # the same objects, never copied


def _save_fields(table: TableState) -> dict[str, Any]:
    return {
        f.name: getattr(table, f.name) if f.name in _SHARED_FIELDS else copy.deepcopy(getattr(table, f.name))
        for f in dataclasses.fields(table)
    }


def _put_back_vector_indexes(table: TableState) -> None:
    """Make the store's vector indexes those the restored catalog lists (dropped ones rebuilt from items)."""
    store = table.store
    wanted = {name: state.spec for name, state in table.vector_indexes.items()}
    for name in store.vector_index_names:
        if wanted.get(name) != store.vector_index(name).spec:
            store.drop_vector_index(name)
    for name, spec in wanted.items():
        if name not in store.vector_index_names:
            store.add_vector_index(spec)


class Snapshots:
    """The undo log and the live snapshots of one emulator (``emu.snapshot()`` and friends use it)."""

    def __init__(self, emulator: EmulatorState) -> None:
        self._emulator = emulator
        self._log: list[tuple[TableStore, Item | None, Item | None]] = []
        self._live: dict[int, weakref.ref[Snapshot]] = {}
        self._observed: dict[int, tuple[TableStore, Any]] = {}
        self._numbers = itertools.count(1)
        self._restoring = False
        self.named: dict[str, Snapshot] = {}  # emu.save_snapshot(name) (``named_snapshots``)

    def __repr__(self) -> str:
        return f"<Snapshots live={len(self._alive())} log={len(self._log)}>"

    def _alive(self) -> dict[int, Snapshot]:
        alive: dict[int, Snapshot] = {}
        for number, ref in list(self._live.items()):
            snap = ref()
            if snap is None:
                del self._live[number]
            else:
                alive[number] = snap
        return alive

    def _observe(self, store: TableStore) -> None:
        if id(store) in self._observed:
            return
        log = self._log

        def remember(old: Item | None, new: Item | None) -> None:
            if not self._restoring:
                log.append((store, old, new))
                if not len(log) % 4096 and not self._alive():  # every snapshot was dropped unreleased
                    self._stop_if_unused()

        store.observe(remember)
        self._observed[id(store)] = (store, remember)

    def _stop_if_unused(self) -> None:
        if self._alive():
            return
        for store, observer in self._observed.values():
            store.unobserve(observer)
        self._observed.clear()
        self._log.clear()

    def take(self) -> Snapshot:
        """Save the state now, in every region. Runtime: O(regions + tables + streams)."""
        emu = self._emulator
        with emu.lock:
            self._stop_if_unused()  # a fresh start when no older snapshot lives
            regions = {region.region: self._save_region(region) for region in emu.regions}
            snap = Snapshot(emu, next(self._numbers), len(self._log), regions, emu.replication.save())
            self._live[snap.number] = weakref.ref(snap)
            return snap

    def _save_region(self, region: EmulatorState) -> RegionState:
        tables: dict[str, tuple[TableState, dict[str, Any], dict[str, IndexSpec]]] = {}
        for name, table in region.tables.items():
            self._observe(table.store)
            store = table.store
            indexes = {index: store.index_spec(index) for index in store.index_names}
            tables[name] = (table, _save_fields(table), indexes)
        return RegionState(
            tables,
            region.streams.save(),
            region.ttl.save(),
            region.capacity.save(),
            region.tokens.save(),
            region.kinesis.save(),
            (region.history.save(), region.backups.save()),
        )

    def is_alive(self, snap: Snapshot) -> bool:
        """Whether ``snap`` can still be restored (not released, no older snapshot restored since)."""
        return snap.number in self._alive()

    def release(self, snap: Snapshot) -> None:
        """Forget ``snap`` (it can no longer be restored); the log stops when no snapshot is left."""
        with self._emulator.lock:
            self._live.pop(snap.number, None)
            self._stop_if_unused()

    def restore(self, snap: Snapshot) -> None:
        """Put the emulator back as it was when ``snap`` was taken. Runtime: O(tables + changes since)."""
        emu = self._emulator
        if snap._emulator() is not emu:
            raise SnapshotError("this snapshot was taken of another emulator")
        with emu.lock:
            alive = self._alive()
            if snap.number not in alive:
                raise SnapshotError(
                    f"{snap!r} cannot be restored: it was released, or an older snapshot was restored since"
                )
            regions = list(emu.regions)
            self._restoring = True
            emu.replication.muted = True
            for region in regions:
                region.streams.muted = True
            try:
                self._undo(snap.position)
                for region in regions:
                    self._put_back_catalog(region, snap.regions.get(region.region))
            finally:
                self._restoring = False
                emu.replication.muted = False
                for region in regions:
                    region.streams.muted = False
            for region in regions:
                saved = snap.regions.get(region.region)
                if saved is None:  # a region made since: empty then
                    region.streams.clear()
                    region.ttl.clear()
                    region.capacity.reset()
                    region.tokens.clear()
                    region.kinesis.clear()
                    region.backups.clear()
                    region.history.clear()
                    continue
                region.streams.load(saved.streams)
                region.ttl.load(saved.ttl)
                region.capacity.load(saved.ledger)
                region.tokens.load(saved.tokens)
                region.kinesis.load(saved.kinesis)
                region.history.load(saved.recovery[0])
                region.backups.load(saved.recovery[1])
            emu.replication.load(snap.replication)
            for number in alive:
                if number > snap.number:
                    del self._live[number]

    def _undo(self, position: int) -> None:
        log = self._log
        while len(log) > position:
            store, old, new = log.pop()
            if old is None:
                assert new is not None
                store.delete(new)
            else:
                store.put(old)

    def _put_back_catalog(self, region: EmulatorState, saved: RegionState | None) -> None:
        saved_tables = saved.tables if saved is not None else {}
        for table, fields, indexes in saved_tables.values():
            store = table.store
            for name in store.index_names:
                if name not in indexes:
                    store.drop_index(name)
            for name, spec in indexes.items():
                if name not in store.index_names:
                    store.add_index(spec)
            for field_name, value in fields.items():
                if field_name not in _SHARED_FIELDS:
                    setattr(table, field_name, copy.deepcopy(value))
            _put_back_vector_indexes(table)
        region.tables.clear()
        region.tables.update({name: entry[0] for name, entry in saved_tables.items()})

    @contextlib.contextmanager
    def rollback(self) -> Iterator[Snapshot]:
        """Undo everything done inside the block, whatever way it ends."""
        snap = self.take()
        try:
            yield snap
        finally:
            try:
                self.restore(snap)
            finally:
                self.release(snap)
