"""On-demand and system backups: a name, a time and a place in the table's change history.

Taking a backup copies nothing: it records the table's description (O(indexes)) and the sequence number of
the table's last change, and asks ``emu.history`` (``history``) to keep the changes made after it. Its
items are the table's items now with those later changes undone, computed when it is restored. A backup
outlives its table (a deleted table's store is never written again). Deleting a table with point-in-time
recovery on leaves a ``SYSTEM`` backup of it, kept 35 days, as the service does.

ARNs are ``<table ARN>/backup/<creation epoch ms, 14 digits>-<8 hex digits>``, the service's form; the hex
digits derive from the table, the name and a counter, so replaying a journal gives the same ARNs.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Backup-and-Restore.html
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.errors import ddb_error
from theorydb_mocks.emulator.history import DAY

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Item
    from theorydb_mocks.emulator.catalog import TableState

__all__ = ["SYSTEM_BACKUP_DAYS", "Backup", "Backups", "backup_sort_key"]

SYSTEM_BACKUP_DAYS = 35


@dataclass(frozen=True, slots=True)
class Backup:
    """One backup: what DescribeBackup shows, and where its items are in the table's history."""

    arn: str
    name: str
    backup_type: str  # USER or SYSTEM
    created: float
    expires: float | None
    table_id: str
    seq: int
    size_bytes: int
    item_count: int
    source: dict[str, Any]  # the table's description when the backup was taken
    time_to_live: dict[str, Any] | None

    @property
    def table_name(self) -> str:
        return str(self.source["TableName"])

    @property
    def table_arn(self) -> str:
        return str(self.source["TableArn"])


def backup_sort_key(arn: str) -> tuple[str, str]:
    """ListBackups' order: by creation (the ARN's millisecond stamp), then ARN."""
    _, _, suffix = arn.rpartition("/backup/")
    return suffix, arn


class Backups:
    """Every backup of the emulator (``emu.backups``), by ARN, in creation order."""

    def __init__(self, emulator: EmulatorState) -> None:
        self._emulator = emulator
        self.by_arn: dict[str, Backup] = {}
        self.made = 0  # backups taken so far: part of each ARN, so a replay makes the same ARNs

    def __repr__(self) -> str:
        return f"<Backups {len(self.by_arn)}>"

    def __len__(self) -> int:
        return len(self.by_arn)

    def _arn(self, table: TableState, name: str, created: float) -> str:
        self.made += 1
        digest = hashlib.sha256(f"{table.arn}\0{name}\0{self.made}".encode()).hexdigest()[:8]
        return f"{table.arn}/backup/{int(created * 1000):014d}-{digest}"

    def create(self, table: TableState, name: str, backup_type: str = "USER") -> Backup:
        """Back ``table`` up now: O(indexes), no item copied."""
        emu = self._emulator
        history = emu.history
        history.track(table)
        now = emu.clock.now()
        store = table.store
        backup = Backup(
            arn=self._arn(table, name, now),
            name=name,
            backup_type=backup_type,
            created=now,
            expires=now + SYSTEM_BACKUP_DAYS * DAY if backup_type == "SYSTEM" else None,
            table_id=table.table_id,
            seq=history.position(table),
            size_bytes=store.size_bytes,
            item_count=store.item_count,
            source=copy.deepcopy(table.description()),
            time_to_live=_time_to_live(emu, table),
        )
        history.hold(table.table_id, backup.seq)
        self.by_arn[backup.arn] = backup
        return backup

    def get(self, arn: str) -> Backup:
        """The backup ``arn``; BackupNotFoundException if there is none (or it expired)."""
        self.expire()
        backup = self.by_arn.get(arn)
        if backup is None:
            raise ddb_error("BackupNotFoundException", M.BACKUP_NOT_FOUND.format(arn=arn))
        return backup

    def delete(self, arn: str) -> Backup:
        backup = self.get(arn)
        del self.by_arn[arn]
        self._release(backup.table_id)
        return backup

    def _release(self, table_id: str) -> None:
        oldest = min((b.seq for b in self.by_arn.values() if b.table_id == table_id), default=None)
        self._emulator.history.release(table_id, oldest)

    def items(self, backup: Backup) -> list[tuple[Item, int | None]]:
        """The backup's items with their sizes where known (O(items + changes since the backup))."""
        return self._emulator.history.sized_items_at(backup.table_id, seq=backup.seq)

    def expire(self) -> None:
        """Drop system backups past their 35 days."""
        now = self._emulator.clock.now()
        gone = [b for b in self.by_arn.values() if b.expires is not None and b.expires <= now]
        for backup in gone:
            del self.by_arn[backup.arn]
            self._release(backup.table_id)

    def table_deleted(self, table: TableState) -> None:
        """DeleteTable's hook: a table with point-in-time recovery on leaves a SYSTEM backup; its
        recovery window ends."""
        history = self._emulator.history
        if history.recovery_of(table) is None:
            return
        self.create(table, f"{table.name}$DeletedTableBackup", "SYSTEM")
        history.disable_deleted(table)

    def listing(self) -> list[Backup]:
        self.expire()
        return sorted(self.by_arn.values(), key=lambda b: backup_sort_key(b.arn))

    # --- the emulator's lifecycle --------------------------------------------------------------------

    def clear(self) -> None:
        self.by_arn.clear()

    def save(self) -> dict[str, Backup]:
        return dict(self.by_arn)

    def load(self, saved: dict[str, Backup]) -> None:
        self.by_arn = dict(saved)


def _time_to_live(emu: EmulatorState, table: TableState) -> dict[str, Any] | None:
    """The table's TimeToLiveDescription (a backup records it), where the emulator has DescribeTimeToLive."""
    from theorydb_mocks.emulator.operations._registry import record_for

    handler = record_for("DescribeTimeToLive").handler
    if handler is None:
        return None
    found = handler(emu, {"TableName": table.name}).get("TimeToLiveDescription")
    return dict(found) if found else None
