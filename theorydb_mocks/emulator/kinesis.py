"""Kinesis Data Streams for DynamoDB: the change records a streaming destination receives.

There is no Kinesis here: a destination is any well-formed Kinesis stream ARN, and what it would receive is
kept per stream ARN and read with ``emu.kinesis_records(stream_arn)``, each record in the shape a Kinesis
consumer decodes from the record's ``data`` (JSON): ``awsRegion``, ``eventID``, ``eventName``,
``userIdentity``, ``recordFormat`` (``application/json``), ``tableName``, ``dynamodb`` (with
``ApproximateCreationDateTime`` in epoch milliseconds, or microseconds when the destination's
``ApproximateCreationDateTimePrecision`` is MICROSECOND, ``Keys``, ``NewImage``, ``OldImage`` and
``SizeBytes``) and ``eventSource`` (``aws:dynamodb``). Values are JSON (binary as base64), as in the stream.
Unlike DynamoDB Streams there is no view type: a record carries both images it has.

The records come from the same place as DynamoDB Streams' (the table's storage observers, so every door and
every write path, TTL deletions included with the service's ``userIdentity``). A write is delivered to each
destination of its table that is ACTIVE (or UPDATING) at that moment on the emulator's clock; a write that
changes nothing is not. Kinesis itself may deliver out of order or twice; here each change arrives once, in
order. Snapshots put the record lists back as they were; ``emu.reset()`` empties them. The records are not
persisted: after the server restarts (the journal replays with the streams muted) a destination starts
empty, as DynamoDB Streams' records do.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/kds.html
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator.streams import TTL_IDENTITY, lambda_value
from theorydb_mocks.emulator.values import item_size

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Item
    from theorydb_mocks.emulator.catalog import TableState
    from theorydb_mocks.emulator.storage import TableStore

__all__ = ["KinesisHub", "KinesisRecord"]


@dataclass(slots=True)
class KinesisRecord:
    """One change as delivered to one destination: references to the stored images, rendered on read."""

    event_name: str
    table_name: str
    region: str
    keys: Item
    new_image: Item | None
    old_image: Item | None
    size_bytes: int
    created: float
    precision: str
    event_id: str
    by_ttl: bool

    def data(self) -> dict[str, Any]:
        """The record as a consumer decodes it from Kinesis (JSON values, epoch time at its precision)."""
        scale = 1_000_000 if self.precision == "MICROSECOND" else 1000
        change: dict[str, Any] = {
            "ApproximateCreationDateTime": math.floor(self.created * scale),
            "Keys": _json_item(self.keys),
        }
        if self.new_image is not None:
            change["NewImage"] = _json_item(self.new_image)
        if self.old_image is not None:
            change["OldImage"] = _json_item(self.old_image)
        change["SizeBytes"] = self.size_bytes
        return {
            "awsRegion": self.region,
            "eventID": self.event_id,
            "eventName": self.event_name,
            "userIdentity": dict(TTL_IDENTITY) if self.by_ttl else None,
            "recordFormat": "application/json",
            "tableName": self.table_name,
            "dynamodb": change,
            "eventSource": "aws:dynamodb",
        }


def _json_item(item: Item) -> Item:
    return {name: lambda_value(value) for name, value in item.items()}


class KinesisHub:
    """The records each Kinesis stream ARN has received, and the storage observers that deliver them."""

    def __init__(self, emulator: EmulatorState) -> None:
        self._emulator = emulator
        self.records: dict[str, list[KinesisRecord]] = {}
        self._watched: dict[int, tuple[TableStore, Callable[[Item | None, Item | None], None]]] = {}

    def __repr__(self) -> str:
        return f"<KinesisHub streams={len(self.records)}>"

    def watch(self, table: TableState) -> None:
        """Deliver the table's changes to its destinations from now on (idempotent; the observer reads the
        table's destinations at each change, so disabling needs no unhooking and snapshots stay cheap)."""
        store = table.store
        if id(store) in self._watched:
            return
        self._forget_dropped()
        observer = self._observer(table)
        store.observe(observer)
        self._watched[id(store)] = (store, observer)

    def _forget_dropped(self) -> None:
        live = {id(table.store) for table in self._emulator.tables.values()}
        for key in [key for key in self._watched if key not in live]:
            store, observer = self._watched.pop(key)
            store.unobserve(observer)

    def _observer(self, table: TableState) -> Callable[[Item | None, Item | None], None]:
        emu = self._emulator
        names = table.key.names
        streams = emu.streams

        def deliver(old: Item | None, new: Item | None) -> None:
            destinations = table.control.destinations
            if not destinations or streams.muted or old == new:
                return
            transitions = table.control.transitions
            targets = [d for d in destinations.values() if d.delivering(transitions)]
            if not targets:
                return
            written = new if new is not None else old
            assert written is not None
            keys = {name: written[name] for name in names}
            size = item_size(keys)
            if new is not None:
                size += item_size(new)
            if old is not None:
                size += item_size(old)
            now = emu.clock.now()
            event = "INSERT" if old is None else ("REMOVE" if new is None else "MODIFY")
            by_ttl = streams.ttl_delete and new is None
            for destination in targets:
                record = KinesisRecord(
                    event,
                    table.name,
                    emu.region,
                    keys,
                    new,
                    old,
                    size,
                    now,
                    destination.precision,
                    str(uuid.uuid4()),
                    by_ttl,
                )
                self.records.setdefault(destination.stream_arn, []).append(record)

        return deliver

    def received(self, stream_arn: str) -> list[dict[str, Any]]:
        """What ``stream_arn`` has received, oldest first (``emu.kinesis_records``)."""
        return [record.data() for record in self.records.get(stream_arn, ())]

    def clear(self) -> None:
        """Forget every record and observer (``DynamoDBEmulator.reset``)."""
        for store, observer in self._watched.values():
            store.unobserve(observer)
        self._watched.clear()
        self.records.clear()

    # --- snapshots ---

    def save(self) -> dict[str, int]:
        """What a snapshot needs: each stream's record count. O(streams)."""
        return {arn: len(records) for arn, records in self.records.items()}

    def load(self, saved: dict[str, int]) -> None:
        """Cut every stream back to its saved length (streams first written since are dropped)."""
        for arn in [arn for arn in self.records if arn not in saved]:
            del self.records[arn]
        for arn, length in saved.items():
            del self.records[arn][length:]
        for table in self._emulator.tables.values():  # a restored table's destinations deliver again
            if table.control.destinations:
                self.watch(table)
