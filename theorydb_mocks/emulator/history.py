"""Per-table change history: what backups and point-in-time recovery read a table's past from.

Nothing is copied when a backup is taken or recovery is switched on. A table whose past is needed (point-in-
time recovery on, or a backup of it alive) has a ``TableHistory``: the store's change observer appends each
write ``(seq, at, old, new)`` to a log, at the emulator's clock. The table as it was after change ``seq`` is
its items now with every later change undone: for each key changed since, the ``old`` of its first later
change. So a backup is a position in the log (O(1) to take), an image costs O(items + changes since), and
memory is O(changes kept), never O(items x backups).

The log keeps what something can still ask for: changes after the oldest live backup of the table and, with
recovery on, after the start of its window (``RecoveryPeriodInDays``, at most 35 days). Older changes are
pruned as the clock moves (checked every ``PRUNE_EVERY`` changes and on every read). Switching recovery off
drops the history unless a backup still needs it; switching it on again starts a new window.

A deleted table's store is never written again, so its history stays valid for the backups that hold it.

The public reading side, for restores and exports:

- ``emu.history.window(table_name)``: ``(earliest, latest)`` restorable epoch seconds, or ``None`` when
  point-in-time recovery is off;
- ``emu.history.image_at(table_name, when)``: ``(description, items)``, the table as it was at ``when``.

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> emu.clock.set(1_700_000_000)
>>> _ = emu.dispatch("CreateTable", {"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> emu.history.enable("tbl")
>>> _ = emu.dispatch("PutItem", {"TableName": "tbl", "Item": {"pk": {"S": "a"}, "v": {"N": "1"}}})
>>> emu.clock.advance(10)
>>> _ = emu.dispatch("PutItem", {"TableName": "tbl", "Item": {"pk": {"S": "a"}, "v": {"N": "2"}}})
>>> _description, items = emu.history.image_at("tbl", 1_700_000_005)
>>> [item["v"]["N"] for item in items]
['1']
>>> emu.history.window("tbl")
(1700000000.0, 1700000010.0)
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.errors import ddb_error

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Item
    from theorydb_mocks.emulator.catalog import TableState

__all__ = [
    "DAY",
    "DEFAULT_RECOVERY_DAYS",
    "PRUNE_EVERY",
    "Change",
    "Recovery",
    "TableHistories",
    "TableHistory",
]

DAY = 86_400.0
DEFAULT_RECOVERY_DAYS = 35
PRUNE_EVERY = 1024

# One write: (sequence number, clock reading, the item before, the item after); None for absent.
Change = tuple[int, float, "Item | None", "Item | None"]


def _at(change: Change) -> float:
    return change[1]


def _seq(change: Change) -> int:
    return change[0]


@dataclass(frozen=True, slots=True)
class Recovery:
    """A table's point-in-time recovery setting: on since ``enabled_at``, keeping ``days`` of history."""

    enabled_at: float
    days: int = DEFAULT_RECOVERY_DAYS


class TableHistory:
    """The change log of one table (one incarnation: keyed by its table id, so a table deleted and
    created again under the same name has a new one)."""

    __slots__ = ("_observer", "changes", "last_at", "started_at", "table")

    def __init__(self, table: TableState, started_at: float) -> None:
        self.table = table
        self.started_at = started_at  # the log is complete from this time on
        self.changes: list[Change] = []
        self.last_at = started_at
        self._observer: Any = None

    def __repr__(self) -> str:
        return f"<TableHistory {self.table.name} changes={len(self.changes)}>"

    @property
    def observing(self) -> bool:
        return self._observer is not None

    def start(self, remember: Any) -> None:
        if self._observer is None:
            self._observer = remember
            self.table.store.observe(remember)

    def stop(self) -> None:
        if self._observer is not None:
            self.table.store.unobserve(self._observer)
            self._observer = None

    def cut_after_time(self, when: float) -> int:
        """The log index of the first change made after ``when``."""
        return bisect.bisect_right(self.changes, when, key=_at)

    def cut_after_seq(self, seq: int) -> int:
        """The log index of the first change after the change numbered ``seq``."""
        return bisect.bisect_right(self.changes, seq, key=_seq)

    def items_before(self, cut: int) -> list[tuple[Item, int | None]]:
        """The table's items with every change from log index ``cut`` on undone, each with its stored size
        (None for an item taken from the log: not measured yet). O(items + changes)."""
        store = self.table.store
        earlier: dict[Any, Item | None] = {}
        for _seq_no, _when, old, new in itertools.islice(self.changes, cut, None):
            item = old if old is not None else new
            assert item is not None
            earlier.setdefault(store.position(item), old)
        if not earlier:
            return list(store.scan_sized())
        position = store.position
        items: list[tuple[Item, int | None]] = [
            (item, size) for item, size in store.scan_sized() if position(item) not in earlier
        ]
        items.extend((item, None) for item in earlier.values() if item is not None)
        return items

    def prune_before(self, horizon: float | None, keep_seq: int | None) -> None:
        """Drop changes no reader can ask for: those at or before ``horizon`` (the start of the recovery
        window; None: recovery off) and before the change ``keep_seq`` (the oldest backup's; None: none).

        A new list is built (never trimmed in place): snapshots hold the old one."""
        cuts: list[int] = []
        if horizon is not None:
            cuts.append(self.cut_after_time(horizon))
        if keep_seq is not None:
            cuts.append(self.cut_after_seq(keep_seq))
        cut = min(cuts) if cuts else len(self.changes)
        if cut:
            self.changes = self.changes[cut:]


class TableHistories:
    """Every table's history and point-in-time recovery setting (``emu.history``)."""

    def __init__(self, emulator: EmulatorState) -> None:
        self._emulator = emulator
        self.tracked: dict[str, TableHistory] = {}  # by table id
        self.recovery: dict[str, Recovery] = {}  # by table id: point-in-time recovery on
        self.holds: dict[str, int] = {}  # by table id: the oldest change a live backup needs (its seq)
        self._seq = itertools.count(1)
        self.last_seq = 0
        self.loading: dict[str, TableHistory] = {}  # a journal's histories by their old table ids
        # The service's latest restorable time trails the clock by about five minutes; 0 by default, so a
        # test can restore what it just wrote (docs/emulator.md).
        self.lag = 0.0

    def __repr__(self) -> str:
        return f"<TableHistories tracked={len(self.tracked)} recovering={len(self.recovery)}>"

    # --- recording ----------------------------------------------------------------------------------------

    def track(self, table: TableState) -> TableHistory:
        """The table's history, started now if it has none (O(1): nothing is copied)."""
        history = self.tracked.get(table.table_id)
        if history is None:
            history = self.tracked[table.table_id] = TableHistory(table, self._emulator.clock.now())
        history.start(self.recorder(history))
        return history

    def restart_sequence(self, first: int) -> None:
        """Number the next change ``first`` (a journal's histories were loaded up to ``first - 1``)."""
        self._seq = itertools.count(first)

    def recorder(self, history: TableHistory) -> Any:
        """The change observer that appends the store's writes to ``history``."""
        clock = self._emulator.clock

        def remember(old: Item | None, new: Item | None) -> None:
            seq = self.last_seq = next(self._seq)
            at = clock.now()
            if at < history.last_at:  # a clock set back: the log stays ordered
                at = history.last_at
            history.last_at = at
            changes = history.changes
            changes.append((seq, at, old, new))
            if not len(changes) % PRUNE_EVERY:
                self._prune(history)

        return remember

    def position(self, table: TableState) -> int:
        """The sequence number of the last change so far (a backup's place in the table's log)."""
        return self.last_seq

    def hold(self, table_id: str, seq: int) -> None:
        """Keep the table's changes after ``seq`` (a backup taken there); see ``release``."""
        held = self.holds.get(table_id)
        self.holds[table_id] = seq if held is None else min(held, seq)

    def release(self, table_id: str, oldest_seq: int | None) -> None:
        """The backups of the table now need changes after ``oldest_seq`` (None: no backup is left)."""
        if oldest_seq is None:
            self.holds.pop(table_id, None)
        else:
            self.holds[table_id] = oldest_seq
        self._settle(table_id)

    def _settle(self, table_id: str) -> None:
        """Stop recording a table nothing needs any more; prune what remains."""
        history = self.tracked.get(table_id)
        if history is None:
            return
        if table_id not in self.recovery and table_id not in self.holds:
            history.stop()
            del self.tracked[table_id]
        else:
            self._prune(history)

    def _prune(self, history: TableHistory) -> None:
        table_id = history.table.table_id
        recovery = self.recovery.get(table_id)
        horizon = None
        if recovery is not None:
            horizon = self._earliest(recovery, self._emulator.clock.now())
        history.prune_before(horizon, self.holds.get(table_id))

    # --- point-in-time recovery ----------------------------------------------------------------------

    def enable(self, table_name: str, days: int | None = None) -> None:
        """Switch point-in-time recovery on (a new window starts now) or change its period."""
        emu = self._emulator
        with emu.lock:
            table = emu.get_table(table_name)
            current = self.recovery.get(table.table_id)
            period = days if days is not None else (current.days if current else DEFAULT_RECOVERY_DAYS)
            if current is None:
                self.track(table)
                self.recovery[table.table_id] = Recovery(emu.clock.now(), period)
            else:
                self.recovery[table.table_id] = Recovery(current.enabled_at, period)
                self._prune(self.tracked[table.table_id])

    def disable(self, table_name: str) -> None:
        """Switch point-in-time recovery off: the window and its history are gone."""
        emu = self._emulator
        with emu.lock:
            table = emu.get_table(table_name)
            if self.recovery.pop(table.table_id, None) is not None:
                self._settle(table.table_id)

    def disable_deleted(self, table: TableState) -> None:
        """A deleted table's window ends (its SYSTEM backup keeps what it needs)."""
        if self.recovery.pop(table.table_id, None) is not None:
            self._settle(table.table_id)

    def recovery_of(self, table: TableState) -> Recovery | None:
        return self.recovery.get(table.table_id)

    def _earliest(self, recovery: Recovery, now: float) -> float:
        return max(recovery.enabled_at, now - recovery.days * DAY)

    def window(self, table_name: str) -> tuple[float, float] | None:
        """The table's point-in-time recovery window ``(earliest, latest)`` in epoch seconds, or ``None``
        when recovery is off. ``latest`` is the clock now (less ``lag``), never before ``earliest``.
        ResourceNotFoundException for a table that does not exist."""
        emu = self._emulator
        with emu.lock:
            table = emu.get_table(table_name)
            recovery = self.recovery.get(table.table_id)
            if recovery is None:
                return None
            now = emu.clock.now()
            earliest = self._earliest(recovery, now)
            return earliest, max(earliest, now - self.lag)

    def check_restorable(self, table_name: str, when: float) -> TableState:
        """The table ``table_name`` if it can be read as it was at ``when``; otherwise the service's error:
        ``ResourceNotFoundException`` (no such table), ``PointInTimeRecoveryUnavailableException`` (recovery
        off) or ``InvalidRestoreTimeException`` (outside ``window``)."""
        emu = self._emulator
        with emu.lock:
            table = emu.get_table(table_name)
            window = self.window(table_name)
            if window is None:
                raise ddb_error(
                    "PointInTimeRecoveryUnavailableException", M.PITR_NOT_ENABLED.format(name=table.name)
                )
            earliest, latest = window
            if not earliest <= when <= max(latest, emu.clock.now()):
                raise ddb_error("InvalidRestoreTimeException", M.RESTORE_TIME_OUT_OF_WINDOW)
            return table

    def image_at(self, table_name: str, when: float) -> tuple[dict[str, Any], Iterator[Item]]:
        """The table ``table_name`` (name or ARN) as it was at ``when`` (epoch seconds): its description
        now (DescribeTable's ``Table``: settings are the current ones, as a point-in-time restore takes
        them) and an iterator of its items at that time (every write at or before ``when`` applied).

        Raises as ``check_restorable`` does. Cost: O(items + changes since ``when``), under the emulator's
        lock; the items are the caller's (fresh dicts or logged ones, never mutated by the store), so the
        iterator may be consumed after the lock is released.
        """
        with self._emulator.lock:
            table = self.check_restorable(table_name, when)
            items = self.sized_items_at(table.table_id, when=when)
            return table.description(), (item for item, _size in items)

    def sized_items_at(
        self, table_id: str, *, seq: int | None = None, when: float | None = None
    ) -> list[tuple[Item, int | None]]:
        """The items of a tracked table (with their sizes, None where unknown) as they were after change
        ``seq`` (a backup's image) or at time ``when`` (a restore's; the caller checked the window)."""
        history = self.tracked[table_id]
        if seq is not None:
            return history.items_before(history.cut_after_seq(seq))
        assert when is not None
        self._prune(history)
        return history.items_before(history.cut_after_time(when))

    # --- the emulator's lifecycle --------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every history and setting (``emu.reset``)."""
        for history in self.tracked.values():
            history.stop()
        self.tracked.clear()
        self.recovery.clear()
        self.holds.clear()
        self.loading.clear()

    def save(self) -> tuple[Any, ...]:
        """The state for a snapshot: O(tables) (each log by reference, with its length then)."""
        logs = {tid: (h, h.changes, len(h.changes), h.last_at) for tid, h in self.tracked.items()}
        return logs, dict(self.recovery), dict(self.holds)

    def load(self, saved: tuple[Any, ...]) -> None:
        """Go back to a ``save``: later changes dropped, stopped histories recording again."""
        logs, recovery, holds = saved
        for table_id, history in list(self.tracked.items()):
            if table_id not in logs:
                history.stop()
        self.tracked = {}
        for table_id, (history, changes, length, last_at) in logs.items():
            history.changes = changes[:length]
            history.last_at = last_at
            self.tracked[table_id] = history
            history.start(self.recorder(history))
        self.recovery = dict(recovery)
        self.holds = dict(holds)
