"""Backups and point-in-time recovery in the server's journal compaction (``persistence``).

Replaying the journal's requests at their recorded clock times rebuilds backups and recovery windows by
itself (``CreateBackup`` ARNs are deterministic). Compaction replaces those requests by a snapshot of the
tables, so it also writes what the tables' items cannot say: per table change history (``history``), its
recovery setting, the change log, the backups that read it and, for a deleted table that backups still
need, its schema and its last items. They travel as ``LOAD_RECOVERY`` records after the tables' own
records; ``load_recovery`` puts them back without replaying anything (no capacity, no stream record).

Records of one history share its ``ref`` (the table id it had): ``"table"`` first (the setting and
backups, plus the CreateTable request of a deleted table), then ``"items"`` (a deleted table's items) and
``"changes"`` chunks. Item values are DynamoDB JSON with binaries in base64; timestamps inside saved
descriptions are ``{"$t": epoch}``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator.backups import Backup
from theorydb_mocks.emulator.catalog import timestamp
from theorydb_mocks.emulator.history import Recovery, TableHistory
from theorydb_mocks.emulator.persistence import ITEMS_PER_RECORD, JournalRecord

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Item
    from theorydb_mocks.emulator.history import Change

__all__ = ["LOAD_RECOVERY", "RecoveryImage", "capture_recovery", "load_recovery", "recovery_records"]

LOAD_RECOVERY = "TableTheoryJournal.LoadRecovery"


@dataclass(slots=True)
class RecoveryImage:
    """One table history as ``capture_recovery`` saw it (references: encoding needs no lock)."""

    ref: str
    name: str
    live: bool
    started_at: float
    last_at: float
    recovery: Recovery | None
    changes: list[Change]
    backups: list[Backup]
    create: dict[str, Any] | None  # a deleted table's CreateTable request
    items: list[Item]  # a deleted table's items
    last_seq: int
    backups_made: int


def capture_recovery(emulator: EmulatorState) -> list[RecoveryImage]:
    """Every table history of ``emulator`` now (the caller holds the lock): O(histories + backups), plus
    O(items) for a deleted table's items."""
    from theorydb_mocks.emulator.persistence import create_table_request

    history = emulator.history
    images: list[RecoveryImage] = []
    for ref, log in history.tracked.items():
        table = log.table
        live = emulator.tables.get(table.name) is table
        images.append(
            RecoveryImage(
                ref=ref,
                name=table.name,
                live=live,
                started_at=log.started_at,
                last_at=log.last_at,
                recovery=history.recovery.get(ref),
                changes=log.changes[:],
                backups=[b for b in emulator.backups.by_arn.values() if b.table_id == ref],
                create=None if live else create_table_request(table.description()),
                items=[] if live else list(table.store.items()),
                last_seq=history.last_seq,
                backups_made=emulator.backups.made,
            )
        )
    return images


def recovery_records(database: str, images: list[RecoveryImage], at: float = 0.0) -> Iterator[JournalRecord]:
    """The records that rebuild what ``capture_recovery`` saw (needs no lock)."""
    for image in images:
        head: dict[str, Any] = {
            "ref": image.ref,
            "kind": "table",
            "name": image.name,
            "live": image.live,
            "started_at": image.started_at,
            "last_at": image.last_at,
            "recovery": None if image.recovery is None else [image.recovery.enabled_at, image.recovery.days],
            "backups": [_backup_json(backup) for backup in image.backups],
            "create": image.create,
            "last_seq": image.last_seq,
            "backups_made": image.backups_made,
        }
        yield _record(database, at, head)
        for first in range(0, len(image.items), ITEMS_PER_RECORD):
            chunk = [_item_json(item) for item in image.items[first : first + ITEMS_PER_RECORD]]
            yield _record(database, at, {"ref": image.ref, "kind": "items", "items": chunk})
        for first in range(0, len(image.changes), ITEMS_PER_RECORD):
            changes = [
                [seq, when, _item_json(old), _item_json(new)]
                for seq, when, old, new in image.changes[first : first + ITEMS_PER_RECORD]
            ]
            yield _record(database, at, {"ref": image.ref, "kind": "changes", "changes": changes})


def load_recovery(emulator: EmulatorState, record: JournalRecord) -> None:
    """Put one ``LOAD_RECOVERY`` record back (in journal order, after the tables' own records)."""
    payload = json.loads(record.body)
    history = emulator.history
    with emulator.lock:
        if payload["kind"] == "table":
            _load_table(emulator, payload)
            return
        log = history.loading[payload["ref"]]
        if payload["kind"] == "items":
            put = log.table.store.put
            for item in payload["items"]:
                put(_item_value(item))
        else:
            log.changes.extend(
                (seq, when, _item_value(old), _item_value(new)) for seq, when, old, new in payload["changes"]
            )


def _load_table(emulator: EmulatorState, payload: dict[str, Any]) -> None:
    from theorydb_mocks.emulator.core import DynamoDBEmulator
    from theorydb_mocks.emulator.operations.tables import create_table

    history = emulator.history
    if payload["live"]:
        table = emulator.tables[payload["name"]]
    else:  # a deleted table: rebuilt on the side, never in the catalog, never written again
        scratch = DynamoDBEmulator(region=emulator.region, account_id=emulator.account_id)
        create_table(scratch, payload["create"])
        table = scratch.tables[payload["name"]]
    log = TableHistory(table, payload["started_at"])
    log.last_at = payload["last_at"]
    history.tracked[table.table_id] = log
    history.loading[payload["ref"]] = log
    if payload["live"]:
        log.start(history.recorder(log))
    if payload["recovery"] is not None:
        enabled_at, days = payload["recovery"]
        history.recovery[table.table_id] = Recovery(enabled_at, days)
    for raw in payload["backups"]:
        backup = _backup_value(raw, table.table_id)
        emulator.backups.by_arn[backup.arn] = backup
        history.hold(table.table_id, backup.seq)
    if payload["last_seq"] > history.last_seq:
        history.last_seq = payload["last_seq"]
        history.restart_sequence(payload["last_seq"] + 1)
    emulator.backups.made = max(emulator.backups.made, payload["backups_made"])


# --- encoding ------------------------------------------------------------------------------------------


def _record(database: str, at: float, payload: dict[str, Any]) -> JournalRecord:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")
    return JournalRecord(database, LOAD_RECOVERY, at, body)


def _value_json(value: Any) -> Any:
    """An attribute value as JSON: binaries as base64 (their type says so)."""
    kind, inner = next(iter(value.items()))
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(b).decode("ascii") for b in inner]}
    if kind == "L":
        return {"L": [_value_json(v) for v in inner]}
    if kind == "M":
        return {"M": {k: _value_json(v) for k, v in inner.items()}}
    return value


def _value(raw: Any) -> Any:
    kind, inner = next(iter(raw.items()))
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(b) for b in inner]}
    if kind == "L":
        return {"L": [_value(v) for v in inner]}
    if kind == "M":
        return {"M": {k: _value(v) for k, v in inner.items()}}
    return raw


def _item_json(item: Item | None) -> Any:
    return None if item is None else {name: _value_json(value) for name, value in item.items()}


def _item_value(raw: Any) -> Any:
    return None if raw is None else {name: _value(value) for name, value in raw.items()}


def _plain(value: Any) -> Any:
    """A saved description as JSON: timestamps as ``{"$t": epoch}``."""
    if isinstance(value, datetime):
        return {"$t": value.timestamp()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _unplain(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "$t" in value:
            return timestamp(value["$t"])
        return {k: _unplain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unplain(v) for v in value]
    return value


def _backup_json(backup: Backup) -> dict[str, Any]:
    return {
        "arn": backup.arn,
        "name": backup.name,
        "type": backup.backup_type,
        "created": backup.created,
        "expires": backup.expires,
        "seq": backup.seq,
        "size": backup.size_bytes,
        "count": backup.item_count,
        "source": _plain(backup.source),
        "ttl": backup.time_to_live,
    }


def _backup_value(raw: dict[str, Any], table_id: str) -> Backup:
    return Backup(
        arn=raw["arn"],
        name=raw["name"],
        backup_type=raw["type"],
        created=raw["created"],
        expires=raw["expires"],
        table_id=table_id,
        seq=raw["seq"],
        size_bytes=raw["size"],
        item_count=raw["count"],
        source=_unplain(raw["source"]),
        time_to_live=raw["ttl"],
    )
