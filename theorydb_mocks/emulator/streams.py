"""DynamoDB Streams: one stream per enabled StreamSpecification, fed by the table's storage observer.

Every item change that alters an item appends a record (INSERT, MODIFY or REMOVE) to the table's open
stream, with the images its ``StreamViewType`` asks for, a sequence number (one counter per emulator: 21
digits, increasing, so string order is time order), ``SizeBytes`` (keys plus images) and the clock's time
rounded down to the second, as the service writes ``ApproximateCreationDateTime``. A write that changes
nothing (a PutItem of the same item) writes no record, as DynamoDB does. TTL deletions carry the
``userIdentity`` of the DynamoDB service.

Each stream has one shard (DynamoDB Local has one too); disabling the stream or deleting the table closes
it (``StreamStatus`` DISABLED, the shard gets its ``EndingSequenceNumber``) and it stays readable. Records
older than 24 hours on the clock are trimmed, as the service trims them.

Stored images are the store's own item dicts (never mutated), so a record costs no copy; answers clone.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
...     "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}})
>>> _ = emu.dispatch("PutItem", {"TableName": "tbl", "Item": {"pk": {"S": "a"}, "b": {"B": b"\\x01"}}})
>>> [(r["eventName"], r["dynamodb"]["NewImage"]["b"]) for r in emu.stream_records("tbl")]
[('INSERT', {'B': 'AQ=='})]
"""

from __future__ import annotations

import base64
import math
import os
import uuid
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator.catalog import key_schema_elements, timestamp
from theorydb_mocks.emulator.values import item_size

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import AttributeValue, Item, KeySchema
    from theorydb_mocks.emulator.catalog import TableState
    from theorydb_mocks.emulator.storage import TableStore

__all__ = ["RETENTION_SECONDS", "TTL_IDENTITY", "Stream", "StreamHub", "StreamRecord", "lambda_value"]

RETENTION_SECONDS = 24 * 3600
FIRST_SEQUENCE = 10**20  # 21 digits from the first record on
TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


@dataclass(slots=True)
class StreamRecord:
    """One change, as written: references to the stored images (never mutated), rendered on read."""

    sequence: int
    event_name: str
    keys: Item
    new_image: Item | None
    old_image: Item | None
    size_bytes: int
    created: float
    event_id: str
    by_ttl: bool = False

    def boto3(self, stream: Stream) -> dict[str, Any]:
        """The record as ``GetRecords`` returns it through boto3 (binary as ``bytes``, time as datetime)."""
        record = self._shape(stream, _clone, timestamp(float(math.floor(self.created))))
        if self.by_ttl:
            record["userIdentity"] = {
                "PrincipalId": TTL_IDENTITY["principalId"],
                "Type": TTL_IDENTITY["type"],
            }
        return record

    def lambda_event(self, stream: Stream) -> dict[str, Any]:
        """The record as a Lambda event carries it: JSON values (binary as base64), epoch-second times."""
        record = self._shape(stream, _lambda_item, math.floor(self.created))
        record["eventSourceARN"] = stream.arn
        if self.by_ttl:
            record["userIdentity"] = dict(TTL_IDENTITY)
        return record

    def _shape(self, stream: Stream, image: Callable[[Item], Item], created: Any) -> dict[str, Any]:
        """The fields both shapes share; ``image`` renders an item in the shape's value encoding."""
        data: dict[str, Any] = {"ApproximateCreationDateTime": created, "Keys": image(self.keys)}
        if self.new_image is not None:
            data["NewImage"] = image(self.new_image)
        if self.old_image is not None:
            data["OldImage"] = image(self.old_image)
        data["SequenceNumber"] = f"{self.sequence:021d}"
        data["SizeBytes"] = self.size_bytes
        data["StreamViewType"] = stream.view_type
        return {
            "eventID": self.event_id,
            "eventName": self.event_name,
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": stream.region,
            "dynamodb": data,
        }


def _clone(item: Item) -> Item:
    from theorydb_mocks.emulator.operations._keys import clone_item

    return clone_item(item)


def lambda_value(av: AttributeValue) -> AttributeValue:
    """An attribute value in Lambda's JSON form: ``B`` and ``BS`` members as base64 strings.

    >>> lambda_value({"L": [{"B": b"\\x00"}, {"BS": [b"\\x01"]}, {"S": "x"}]})
    {'L': [{'B': 'AA=='}, {'BS': ['AQ==']}, {'S': 'x'}]}
    """
    kind, value = next(iter(av.items()))
    if kind == "B":
        return {"B": base64.b64encode(value).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(v).decode("ascii") for v in value]}
    if kind == "L":
        return {"L": [lambda_value(v) for v in value]}
    if kind == "M":
        return {"M": _lambda_item(value)}
    if kind in ("SS", "NS"):
        return {kind: list(value)}
    return {kind: value}


def _lambda_item(item: Item) -> Item:
    return {name: lambda_value(av) for name, av in item.items()}


@dataclass(slots=True)
class Stream:
    """One stream of one table, with its single shard's records in sequence order."""

    arn: str
    label: str
    table_name: str
    region: str
    key: KeySchema
    view_type: str
    created: float
    shard_id: str
    start_sequence: int
    records: list[StreamRecord] = field(default_factory=list)
    status: str = "ENABLED"
    end_sequence: int | None = None
    first: int = 0  # index of the first record not trimmed (trimming only moves it: snapshots stay cheap)

    def __repr__(self) -> str:
        return f"<Stream {self.table_name} {self.label} {self.status} records={len(self.records)}>"

    @property
    def trimmed_through(self) -> int:
        """The highest sequence number trimmed away (0: none)."""
        return self.records[self.first - 1].sequence if self.first else 0

    def trim(self, now: float) -> None:
        """Hide records older than the retention period (the service keeps 24 hours)."""
        records = self.records
        horizon = now - RETENTION_SECONDS
        first = self.first
        while first < len(records) and records[first].created < horizon:
            first += 1
        self.first = first

    def position_of(self, sequence: int) -> int:
        """Index of the first record whose sequence number is ``sequence`` or later."""
        return bisect_left(self.records, sequence, lo=self.first, key=lambda record: record.sequence)

    def description(self, *, limit: int | None, exclusive_start: str | None) -> dict[str, Any]:
        """The ``StreamDescription`` member of DescribeStream."""
        shards: list[dict[str, Any]] = []
        if exclusive_start is None or exclusive_start < self.shard_id:
            sequence_range: dict[str, str] = {"StartingSequenceNumber": f"{self.start_sequence:021d}"}
            if self.end_sequence is not None:
                sequence_range["EndingSequenceNumber"] = f"{self.end_sequence:021d}"
            shards.append({"ShardId": self.shard_id, "SequenceNumberRange": sequence_range})
        described: dict[str, Any] = {
            "StreamArn": self.arn,
            "StreamLabel": self.label,
            "StreamStatus": self.status,
            "StreamViewType": self.view_type,
            "CreationRequestDateTime": timestamp(self.created),
            "TableName": self.table_name,
            "KeySchema": key_schema_elements(self.key),
            "Shards": shards[: limit if limit is not None else None],
        }
        if limit is not None and len(shards) > limit:
            described["LastEvaluatedShardId"] = shards[limit - 1]["ShardId"]
        return described


class StreamHub:
    """Every stream of one emulator: the open one of each table, and closed ones (still readable).

    ``ttl_delete`` is set by the TTL sweeper around its deletions, so their records name the service;
    ``muted`` stops recording while a snapshot is restored (restores are not changes).
    """

    def __init__(self, emulator: EmulatorState) -> None:
        self._emulator = emulator
        self.streams: dict[str, Stream] = {}
        self._open: dict[str, tuple[Stream, TableStore, Any]] = {}
        self.sequence = FIRST_SEQUENCE
        self.ttl_delete = False
        self.muted = False

    def __repr__(self) -> str:
        return f"<StreamHub streams={len(self.streams)} open={len(self._open)}>"

    def open_stream(self, table_name: str) -> Stream | None:
        found = self._open.get(table_name)
        return None if found is None else found[0]

    def table_changed(self, table: TableState) -> None:
        """Bring the table's stream in line with its catalog entry (after CreateTable, UpdateTable or
        DeleteTable): open a stream for a new label, close the old one when the stream went away."""
        wanted = None
        if table.stream_specification is not None and table.status != "DELETING":
            wanted = table.latest_stream_arn
        current = self._open.get(table.name)
        if current is not None and (current[0].arn != wanted or current[1] is not table.store):
            self._close(table.name)
            current = None
        if wanted is not None and current is None:
            assert table.stream_specification is not None and table.latest_stream_label is not None
            self._start(
                table, wanted, table.latest_stream_label, table.stream_specification["StreamViewType"]
            )

    def sync(self, table_name: str) -> None:
        """``table_changed`` by name; closes the stream of a table that no longer exists."""
        table = self._emulator.tables.get(table_name)
        if table is not None:
            self.table_changed(table)
        elif table_name in self._open:
            self._close(table_name)

    def _start(self, table: TableState, arn: str, label: str, view_type: str) -> None:
        now = self._emulator.clock.now()
        stream = Stream(
            arn=arn,
            label=label,
            table_name=table.name,
            region=self._emulator.region,
            key=table.key,
            view_type=view_type,
            created=now,
            shard_id=f"shardId-{int(now * 1000):020d}-{os.urandom(4).hex()}",
            start_sequence=self.sequence + 1,
        )
        observer = self._observer(stream, table.key)
        table.store.observe(observer)
        self.streams[arn] = stream
        self._open[table.name] = (stream, table.store, observer)

    def _close(self, table_name: str) -> None:
        stream, store, observer = self._open.pop(table_name)
        store.unobserve(observer)
        stream.status = "DISABLED"
        # An empty shard closes where it started (DynamoDB Local shows Starting == Ending).
        stream.end_sequence = stream.records[-1].sequence if stream.records else stream.start_sequence

    def _observer(self, stream: Stream, key: KeySchema) -> Any:
        names = key.names
        view = stream.view_type
        with_new = view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")
        with_old = view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES")
        clock = self._emulator.clock
        records = stream.records

        def record(old: Item | None, new: Item | None) -> None:
            if self.muted or old == new:
                return
            written = new if new is not None else old
            assert written is not None
            keys = {name: written[name] for name in names}
            new_image = new if with_new else None
            old_image = old if with_old else None
            size = item_size(keys)
            if new_image is not None:
                size += item_size(new_image)
            if old_image is not None:
                size += item_size(old_image)
            self.sequence += 1
            records.append(
                StreamRecord(
                    sequence=self.sequence,
                    event_name="INSERT" if old is None else ("REMOVE" if new is None else "MODIFY"),
                    keys=keys,
                    new_image=new_image,
                    old_image=old_image,
                    size_bytes=size,
                    created=clock.now(),
                    event_id=str(uuid.uuid4()),
                    by_ttl=self.ttl_delete and new is None,
                )
            )

        return record

    def stream_of(self, table_name: str) -> Stream | None:
        """The table's open stream, else the latest stream the table had (None if it never had one)."""
        found = self._open.get(table_name)
        if found is not None:
            return found[0]
        latest: Stream | None = None
        for stream in self.streams.values():
            if stream.table_name == table_name:
                latest = stream
        return latest

    def clear(self) -> None:
        """Forget every stream (``DynamoDBEmulator.reset``)."""
        for table_name in list(self._open):
            self._close(table_name)
        self.streams.clear()

    # --- snapshots ---

    def save(self) -> tuple[Any, ...]:
        """What a snapshot needs to put the streams back: O(streams)."""
        return (
            self.sequence,
            dict(self.streams),
            dict(self._open),
            {arn: (s.status, s.end_sequence, s.first, len(s.records)) for arn, s in self.streams.items()},
        )

    def load(self, saved: tuple[Any, ...]) -> None:
        """Put back what ``save`` returned (observers re-attached as they were)."""
        sequence, streams, open_streams, states = saved
        for table_name, (_stream, store, observer) in self._open.items():
            if open_streams.get(table_name, (None, None, None))[2] is not observer:
                store.unobserve(observer)
        for table_name, (_stream, store, observer) in open_streams.items():
            current = self._open.get(table_name)
            if current is None or current[2] is not observer:
                store.observe(observer)
        self.sequence = sequence
        self.streams = dict(streams)
        self._open = dict(open_streams)
        for arn, (status, end, first, length) in states.items():
            stream = self.streams[arn]
            stream.status, stream.end_sequence, stream.first = status, end, first
            del stream.records[length:]
