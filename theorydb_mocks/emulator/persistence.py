"""Durable storage for the HTTP server's ``--db-path``: an append-only journal of successful writes.

The file is a magic line followed by records. Each record is ``length`` and ``crc32`` (4 bytes each, big
endian) and a payload: a JSON header ``[database, target, at]`` (the database key, the ``X-Amz-Target`` and
the emulator's clock reading when the request ran), a newline, and the request body exactly as it arrived.
On start the records are replayed in order, each with the clock pinned to its ``at``; a torn or corrupt
record ends the replay and is cut off, so a crash never leaves a file that cannot be opened.

Durability (``fsync``):

- ``"always"``: each record is written and ``fsync``-ed before the answer is sent; nothing acknowledged is
  ever lost, even to a power failure.
- ``"interval"``: records are written at once (a killed process loses nothing) and ``fsync``-ed every
  ``interval`` seconds; a power failure loses at most the last interval.
- ``"never"``: written at once, ``fsync``-ed only at compaction and close; left to the operating system.

Compaction rewrites the file as a snapshot (one ``CreateTable`` per table, then its settings and one
``PutItem`` per item) into a temporary file, ``fsync``-s it and renames it over the journal, so at every
moment the path holds either the old file or the new one.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "db.journal")
>>> journal = Journal(path)
>>> journal.replay()
[]
>>> journal.append(JournalRecord("", "DynamoDB_20120810.ListTables", 1.5, b"{}"))
>>> journal.close()
>>> Journal(path).replay()
[JournalRecord(database='', target='DynamoDB_20120810.ListTables', at=1.5, body=b'{}')]
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import threading
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

from theorydb_mocks.emulator.operations._registry import OPERATIONS
from theorydb_mocks.emulator.wire import encode_request

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState

__all__ = [
    "FSYNC_POLICIES",
    "MAGIC",
    "FsyncPolicy",
    "Journal",
    "JournalError",
    "JournalRecord",
    "snapshot_records",
]

MAGIC = b"TableTheory emulator journal v1\n"
_HEADER = struct.Struct(">II")
_MAX_RECORD = 1 << 30

FsyncPolicy = Literal["always", "interval", "never"]
FSYNC_POLICIES: tuple[FsyncPolicy, ...] = ("always", "interval", "never")


class JournalError(RuntimeError):
    """The path exists but is not an emulator journal (it is never overwritten)."""


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """One successful mutating request: which database, which operation, when, and the body as sent."""

    database: str
    target: str
    at: float
    body: bytes

    def encode(self) -> bytes:
        header = json.dumps([self.database, self.target, self.at], separators=(",", ":")).encode()
        payload = header + b"\n" + self.body
        return _HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def _decode_payload(payload: bytes) -> JournalRecord | None:
    header, newline, body = payload.partition(b"\n")
    if not newline:
        return None
    try:
        database, target, at = json.loads(header)
    except (ValueError, TypeError):
        return None
    if not (isinstance(database, str) and isinstance(target, str) and isinstance(at, (int, float))):
        return None
    return JournalRecord(database, target, float(at), body)


def _read_records(handle: BinaryIO) -> Iterator[tuple[JournalRecord, int]]:
    """Each intact record and the offset just after it; stops at the first torn or corrupt one."""
    offset = len(MAGIC)
    while True:
        head = handle.read(_HEADER.size)
        if len(head) < _HEADER.size:
            return
        length, crc = _HEADER.unpack(head)
        if length > _MAX_RECORD:
            return
        payload = handle.read(length)
        if len(payload) < length or zlib.crc32(payload) != crc:
            return
        record = _decode_payload(payload)
        if record is None:
            return
        offset += _HEADER.size + length
        yield record, offset


def _fsync_directory(path: str) -> None:
    """Make a rename durable: fsync the directory that holds ``path`` (where the platform allows it)."""
    try:
        fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class Journal:
    """The append-only journal at ``path`` (created if missing). Thread-safe; see the module docstring."""

    def __init__(self, path: str, *, fsync: FsyncPolicy = "always", interval: float = 1.0) -> None:
        if fsync not in FSYNC_POLICIES:
            raise ValueError(f"fsync must be one of {', '.join(FSYNC_POLICIES)}, not {fsync!r}")
        self.path = path
        self.fsync = fsync
        self.interval = interval
        self.records_written = 0
        self._lock = threading.Lock()
        self._dirty = False
        self._closed = threading.Event()
        self._handle: BinaryIO | None = None
        self._syncer: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"<Journal {self.path} fsync={self.fsync}>"

    def replay(self) -> list[JournalRecord]:
        """The intact records in order; cuts a torn tail off the file, then opens it for appending."""
        records: list[JournalRecord] = []
        if not os.path.exists(self.path):
            self._write_file(self.path, ())
        with open(self.path, "rb") as handle:
            magic = handle.read(len(MAGIC))
            if magic != MAGIC:
                if magic == b"" and os.path.getsize(self.path) == 0:
                    good = 0
                else:
                    raise JournalError(f"{self.path} is not a TableTheory emulator journal")
            else:
                good = len(MAGIC)
                for record, end in _read_records(handle):
                    records.append(record)
                    good = end
        if good == 0:  # an empty file (a crash between create and the magic line): start it afresh
            self._write_file(self.path, ())
        elif good < os.path.getsize(self.path):
            with open(self.path, "r+b") as handle:
                handle.truncate(good)
                os.fsync(handle.fileno())
        self._open_for_append()
        self.records_written = len(records)
        return records

    def _open_for_append(self) -> None:
        self._handle = open(self.path, "ab", buffering=0)  # noqa: SIM115 -- lives as long as the journal
        if self.fsync == "interval" and self._syncer is None:
            self._syncer = threading.Thread(target=self._sync_loop, name="journal-fsync", daemon=True)
            self._syncer.start()

    def append(self, record: JournalRecord) -> None:
        """Write one record (one ``write`` call), durable as the fsync policy says before returning."""
        data = record.encode()
        with self._lock:
            handle = self._handle
            if handle is None:
                raise JournalError("the journal is not open (call replay first)")
            handle.write(data)
            if self.fsync == "always":
                os.fsync(handle.fileno())
            else:
                self._dirty = True
            self.records_written += 1

    def _sync_loop(self) -> None:
        while not self._closed.wait(self.interval):
            self.sync()

    def sync(self) -> None:
        """``fsync`` what was written since the last one."""
        with self._lock:
            if self._dirty and self._handle is not None:
                os.fsync(self._handle.fileno())
                self._dirty = False

    def compact(self, records: Iterable[JournalRecord]) -> None:
        """Replace the journal by ``records`` (a snapshot of the state), atomically.

        The caller holds whatever keeps the state still while ``records`` is consumed.
        """
        with self._lock:
            count = self._write_file(self.path, records)
            if self._handle is not None:
                self._handle.close()
            self._handle = open(self.path, "ab", buffering=0)  # noqa: SIM115
            self._dirty = False
            self.records_written = count

    @staticmethod
    def _write_file(path: str, records: Iterable[JournalRecord]) -> int:
        temp = f"{path}.tmp-{os.getpid()}"
        count = 0
        try:
            with open(temp, "wb") as handle:
                handle.write(MAGIC)
                for record in records:
                    handle.write(record.encode())
                    count += 1
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        _fsync_directory(path)
        return count

    def close(self) -> None:
        """Flush, ``fsync`` and close (idempotent)."""
        self._closed.set()
        with self._lock:
            if self._handle is not None:
                os.fsync(self._handle.fileno())
                self._handle.close()
                self._handle = None
                self._dirty = False


# --- snapshots ------------------------------------------------------------------------------------------


def snapshot_records(database: str, emulator: EmulatorState) -> Iterator[JournalRecord]:
    """Requests that rebuild ``emulator``'s tables and items (the caller holds ``emulator.lock``).

    Each table becomes a ``CreateTable`` at its creation time (so ``CreationDateTime`` survives), its TTL
    setting and tags where the emulator has those operations, then one ``PutItem`` per item.
    """
    dispatch = emulator.dispatch
    now = emulator.clock.now()
    for name in sorted(emulator.tables):
        table = dispatch("DescribeTable", {"TableName": name})["Table"]
        created = table.get("CreationDateTime")
        at = created.timestamp() if created is not None else now
        yield _record(database, at, "CreateTable", _create_table_request(table))
        if "DescribeTimeToLive" in OPERATIONS and "UpdateTimeToLive" in OPERATIONS:
            ttl = dispatch("DescribeTimeToLive", {"TableName": name}).get("TimeToLiveDescription", {})
            if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") and ttl.get("AttributeName"):
                spec = {"Enabled": True, "AttributeName": ttl["AttributeName"]}
                yield _record(
                    database, now, "UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": spec}
                )
        if "ListTagsOfResource" in OPERATIONS and "TagResource" in OPERATIONS and table.get("TableArn"):
            tags = dispatch("ListTagsOfResource", {"ResourceArn": table["TableArn"]}).get("Tags", [])
            if tags:
                yield _record(database, now, "TagResource", {"ResourceArn": table["TableArn"], "Tags": tags})
        start: dict[str, Any] | None = None
        while True:
            request: dict[str, Any] = {"TableName": name}
            if start is not None:
                request["ExclusiveStartKey"] = start
            page = dispatch("Scan", request)
            for item in page.get("Items", []):
                yield _record(database, now, "PutItem", {"TableName": name, "Item": item})
            start = page.get("LastEvaluatedKey")
            if not start:
                break


def _record(database: str, at: float, operation: str, request: dict[str, Any]) -> JournalRecord:
    target, body = encode_request(operation, request)
    return JournalRecord(database, target, at, body)


def _create_table_request(table: dict[str, Any]) -> dict[str, Any]:
    """A ``CreateTable`` request for the table ``DescribeTable`` describes."""
    billing = table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    provisioned = billing == "PROVISIONED"
    request: dict[str, Any] = {
        "TableName": table["TableName"],
        "KeySchema": table["KeySchema"],
        "AttributeDefinitions": table["AttributeDefinitions"],
        "BillingMode": billing,
    }
    if provisioned:
        request["ProvisionedThroughput"] = _throughput(table.get("ProvisionedThroughput", {}))
    gsis = []
    for index in table.get("GlobalSecondaryIndexes", []):
        gsi = {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
        if provisioned:
            gsi["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput", {}))
        gsis.append(gsi)
    if gsis:
        request["GlobalSecondaryIndexes"] = gsis
    lsis = [
        {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
        for index in table.get("LocalSecondaryIndexes", [])
    ]
    if lsis:
        request["LocalSecondaryIndexes"] = lsis
    stream = table.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        request["StreamSpecification"] = stream
    table_class = table.get("TableClassSummary", {}).get("TableClass")
    if table_class:
        request["TableClass"] = table_class
    if table.get("DeletionProtectionEnabled"):
        request["DeletionProtectionEnabled"] = True
    return request


def _throughput(described: dict[str, Any]) -> dict[str, int]:
    return {
        "ReadCapacityUnits": max(1, int(described.get("ReadCapacityUnits", 1))),
        "WriteCapacityUnits": max(1, int(described.get("WriteCapacityUnits", 1))),
    }
