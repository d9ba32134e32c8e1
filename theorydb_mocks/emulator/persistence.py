"""Durable storage for the HTTP server's ``--db-path``: an append-only journal of successful writes.

The file is a magic line followed by records. Each record is ``length`` and ``crc32`` (4 bytes each, big
endian) and a payload: a JSON header ``[database, target, at]`` (the database key, the ``X-Amz-Target``
and the emulator's clock reading when the request ran), a newline, and the request body exactly as it
arrived. On start the records are replayed in order, each with the clock pinned to its ``at``.

The write path: the server's journal stage (see ``pipeline``) appends each successful mutating request
under the emulator's lock, before it is answered, with a checked byte count, made durable as the
``fsync`` policy says. A short or failed write (disk full, file-size limit) is cut back off the file and
raises ``JournalWriteError``; the emulator then undoes the change in memory and the request answers 500,
unacknowledged. When the file cannot be cut back or an ``fsync`` fails, the journal is *broken*
(``broken`` says why) and refuses every later write until the server restarts.

Durability (``fsync``):

- ``"always"``: each record is ``fdatasync``-ed before the answer is sent; nothing acknowledged is ever
  lost, even to a power failure.
- ``"interval"``: records are written at once (a killed process loses nothing) and synced every
  ``interval`` seconds; a power failure loses at most the last interval.
- ``"never"``: written at once, synced only at compaction and close; left to the operating system.

Damage: a record that fails its checksum with nothing valid after it is a torn tail (an interrupted
write, never acknowledged): it is cut off and ``dropped_bytes`` says how much. Damage followed by a valid
record is corruption: ``JournalCorruptError``, the file untouched, unless ``recover=True``, which moves the
damaged file aside (``recovered_to``) and keeps the records before the damage.

Compaction writes a snapshot (per table a ``CreateTable``, its TTL setting and tags, then its items in
``LOAD_ITEMS`` records of up to ``ITEMS_PER_RECORD`` items) to a temporary file created with ``O_EXCL``
and mode 0600 next to the journal, appends the records written meanwhile, syncs it and renames it over the
journal. Temporary files left by a killed compaction are removed at start. The journal is created 0600.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "db.journal")
>>> journal = Journal(path)
>>> journal.replay()
[]
>>> _ = journal.append(JournalRecord("", "DynamoDB_20120810.ListTables", 1.5, b"{}"))
>>> journal.close()
>>> Journal(path).replay()
[JournalRecord(database='', target='DynamoDB_20120810.ListTables', at=1.5, body=b'{}')]
>>> oct(os.stat(path).st_mode & 0o777)
'0o600'
"""

from __future__ import annotations

import contextlib
import glob
import json
import logging
import mmap
import os
import secrets
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from theorydb_mocks.emulator.control import journal_requests
from theorydb_mocks.emulator.operations._registry import OPERATIONS
from theorydb_mocks.emulator.wire import decode_request, encode_request

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Item

__all__ = [
    "FSYNC_POLICIES",
    "GLOBAL_TABLES",
    "ITEMS_PER_RECORD",
    "LOAD_ITEMS",
    "MAGIC",
    "FsyncPolicy",
    "Journal",
    "JournalCorruptError",
    "JournalError",
    "JournalRecord",
    "JournalWriteError",
    "TableImage",
    "capture",
    "create_table_request",
    "load_items",
    "load_replication",
    "replication_record",
    "snapshot_records",
]

_log = logging.getLogger("theorydb_mocks.server")

MAGIC = b"TableTheory emulator journal v1\n"
_HEADER = struct.Struct(">II")
_MAX_RECORD = 1 << 30
_PAYLOAD_START = b'["'  # every payload's JSON header starts so: where a resync after damage looks

# A snapshot's items travel as BatchWriteItem-shaped bodies (so binary values decode as usual) under this
# target, which no service defines: replay puts them straight into the table's storage.
LOAD_ITEMS = "TableTheoryJournal.LoadItems"
# A compacted journal's global tables (groups, auto scaling, writes on their way), after every table: the
# body is ``Replication.export()``'s JSON; replay hands it to ``Replication.import_``.
GLOBAL_TABLES = "TableTheoryJournal.GlobalTables"
ITEMS_PER_RECORD = 1000

FsyncPolicy = Literal["always", "interval", "never"]
FSYNC_POLICIES: tuple[FsyncPolicy, ...] = ("always", "interval", "never")

_sync: Callable[[int], None] = getattr(os, "fdatasync", os.fsync)


class JournalError(RuntimeError):
    """The journal cannot be used: the path is not an emulator journal (it is never overwritten)."""


class JournalCorruptError(JournalError):
    """Damage followed by valid records: not an interrupted write. The file is left as it is."""


class JournalWriteError(OSError):
    """A record could not be written durably; the request it carried must not be applied or answered."""


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """One mutating request: which database, which operation, when, and the body as sent."""

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


def _record_at(data: Any, offset: int) -> tuple[JournalRecord, int] | None:
    """The intact record starting at ``offset`` of ``data`` and the offset after it, or None."""
    end = offset + _HEADER.size
    if end > len(data):
        return None
    length, crc = _HEADER.unpack(data[offset:end])
    if length > _MAX_RECORD or end + length > len(data):
        return None
    payload = bytes(data[end : end + length])
    if zlib.crc32(payload) != crc:
        return None
    record = _decode_payload(payload)
    return None if record is None else (record, end + length)


def _next_record(data: Any, start: int) -> int | None:
    """The offset of the first intact record beginning after ``start`` (a resync after damage), or None."""
    find = data.find
    position: int = find(_PAYLOAD_START, start + _HEADER.size + 1)
    while position >= 0:
        if _record_at(data, position - _HEADER.size) is not None:
            return position - _HEADER.size
        position = find(_PAYLOAD_START, position + 1)
    return None


def _fsync_directory(path: str) -> None:
    """Make a create or rename durable: fsync the directory that holds ``path`` (where allowed)."""
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


def _temp_pattern(path: str) -> str:
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(directory, f".{name}.compact-*.tmp")


def _create_exclusive(path: str) -> int:
    """A new file at ``path``, mode 0600, never an existing file or the target of a planted symlink."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(path, flags, 0o600)


def _write_all(write: Callable[[int, bytes], int], fd: int, data: bytes) -> None:
    """Write every byte of ``data`` or raise (a short count with no error is reported as ENOSPC)."""
    view = memoryview(data)
    while view:
        written = write(fd, view)  # type: ignore[arg-type]
        if written <= 0:
            raise OSError(28, "No space left on device (short write)")
        view = view[written:]


class Journal:
    """The append-only journal at ``path``. Thread-safe; see the module docstring.

    ``writer`` is the ``os.write`` the journal writes records with (a test substitutes a failing one).
    """

    def __init__(
        self,
        path: str,
        *,
        fsync: FsyncPolicy = "always",
        interval: float = 1.0,
        recover: bool = False,
        writer: Callable[[int, bytes], int] = os.write,
    ) -> None:
        if fsync not in FSYNC_POLICIES:
            raise ValueError(f"fsync must be one of {', '.join(FSYNC_POLICIES)}, not {fsync!r}")
        self.path = path
        self.fsync = fsync
        self.interval = interval
        self.recover = recover
        self.writer = writer
        self.records_written = 0
        self.dropped_bytes = 0  # the torn tail cut off at start
        self.removed_temp_files: list[str] = []
        self.recovered_to: str | None = None
        self.broken: str | None = None
        self._lock = threading.RLock()
        self._dirty = False
        self._closed = threading.Event()
        self._fd: int | None = None
        self._end = 0
        self._syncer: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"<Journal {self.path} fsync={self.fsync}>"

    # --- opening ----------------------------------------------------------------------------------------

    def replay(self) -> list[JournalRecord]:
        """The records in order, then the journal is open for appending. Cuts a torn tail off (and says
        how much in ``dropped_bytes``); refuses damage followed by valid records."""
        self._remove_temp_files()
        if not os.path.lexists(self.path):
            self._create_empty(self.path)
        size = os.path.getsize(self.path)
        if size == 0:  # a crash between creating the file and writing its magic line: start it afresh
            self._replace_with(())
            size = len(MAGIC)
        with open(self.path, "rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC:
                raise JournalError(f"{self.path} is not a TableTheory emulator journal")
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                records, good = self._scan(data)
        if good < size:
            self.dropped_bytes = size - good
            _log.warning(
                "%s: cut off %d bytes after record %d: an interrupted write, never acknowledged",
                self.path,
                self.dropped_bytes,
                len(records),
            )
            with open(self.path, "r+b") as handle:
                handle.truncate(good)
                os.fsync(handle.fileno())
        self._open_for_append()
        self.records_written = len(records)
        return records

    def _scan(self, data: Any) -> tuple[list[JournalRecord], int]:
        records: list[JournalRecord] = []
        offset = len(MAGIC)
        size = len(data)
        while offset < size:
            found = _record_at(data, offset)
            if found is None:
                break
            records.append(found[0])
            offset = found[1]
        if offset < size:
            resumes = _next_record(data, offset)
            if resumes is not None:
                if not self.recover:
                    raise JournalCorruptError(
                        f"{self.path} is damaged at byte {offset} (after record {len(records)}), and "
                        f"intact records resume at byte {resumes}: this is corruption, not an interrupted "
                        "write. The file was not changed. Restore it from a backup, or start with "
                        f"--recover-journal to keep the {len(records)} records before the damage (the "
                        "damaged file is kept aside)."
                    )
                self._keep_aside(records, offset, size)
                return records, os.path.getsize(self.path)
        return records, offset

    def _keep_aside(self, records: list[JournalRecord], offset: int, size: int) -> None:
        """``recover``: rename the damaged file aside and write a journal of the records before the damage."""
        aside = f"{self.path}.damaged-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        os.link(self.path, aside)  # fails rather than overwrite anything
        self.recovered_to = aside
        _log.warning(
            "%s: damaged at byte %d; kept %d records before it, dropped %d bytes after it; the damaged "
            "file is kept at %s",
            self.path,
            offset,
            len(records),
            size - offset,
            aside,
        )
        self._replace_with(records)

    def _remove_temp_files(self) -> None:
        """Temporary files of a compaction that was killed: never complete, never referenced."""
        for leftover in glob.glob(_temp_pattern(self.path)):
            with contextlib.suppress(OSError):
                if not os.path.islink(leftover) and os.path.isfile(leftover):
                    os.unlink(leftover)
                    self.removed_temp_files.append(leftover)
                    _log.warning("removed %s, left by an interrupted compaction", leftover)

    def _create_empty(self, path: str) -> None:
        fd = _create_exclusive(path)
        try:
            _write_all(os.write, fd, MAGIC)
            os.fsync(fd)
        finally:
            os.close(fd)
        _fsync_directory(path)

    def _open_for_append(self) -> None:
        flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
        self._fd = os.open(self.path, flags)
        self._end = os.fstat(self._fd).st_size
        if self.fsync == "interval" and self._syncer is None:
            self._syncer = threading.Thread(target=self._sync_loop, name="journal-fsync", daemon=True)
            self._syncer.start()

    # --- writing ----------------------------------------------------------------------------------------

    def append(self, record: JournalRecord) -> int:
        """Write one record, durable as the fsync policy says; returns the offset it starts at. Raises
        ``JournalWriteError`` with the file as it was before the call."""
        data = record.encode()
        with self._lock:
            fd = self._fd
            if fd is None:
                raise JournalError("the journal is not open (call replay first)")
            if self.broken is not None:
                raise JournalWriteError(f"the journal {self.path} is not writable: {self.broken}")
            start = self._end
            try:
                _write_all(self.writer, fd, data)
            except OSError as exc:
                self._cut_back(fd, start, exc)
                raise JournalWriteError(
                    f"the journal {self.path} could not be written ({exc.strerror or exc})"
                ) from exc
            if self.fsync == "always":
                try:
                    _sync(fd)
                except OSError as exc:  # the page cache's state is unknown after a failed sync
                    self.broken = f"fsync failed ({exc.strerror or exc})"
                    self._cut_back(fd, start, exc)
                    raise JournalWriteError(f"the journal {self.path} could not be synced: {exc}") from exc
            else:
                self._dirty = True
            self._end = start + len(data)
            self.records_written += 1
            return start

    def _cut_back(self, fd: int, start: int, cause: OSError | None) -> None:
        try:
            os.ftruncate(fd, start)
        except OSError as exc:
            self.broken = f"a failed write could not be cut back ({exc.strerror or exc})"
            _log.error("journal %s: %s after %s", self.path, self.broken, cause)

    def _sync_loop(self) -> None:
        while not self._closed.wait(self.interval):
            try:
                self.sync()
            except OSError:
                _log.exception("journal %s: periodic fsync failed", self.path)

    def sync(self) -> None:
        """Sync what was written since the last sync (a failure breaks the journal)."""
        with self._lock:
            if self._dirty and self._fd is not None:
                try:
                    _sync(self._fd)
                except OSError as exc:
                    self.broken = f"fsync failed ({exc.strerror or exc})"
                    raise
                self._dirty = False

    # --- compaction -------------------------------------------------------------------------------------

    @property
    def end(self) -> int:
        """The offset after the last record (what a compaction's snapshot covers, read under the lock)."""
        return self._end

    def compact(
        self, records: Iterable[JournalRecord], covers: tuple[int, int], hold: Callable[[], Any]
    ) -> int:
        """Replace the journal by ``records`` (a snapshot covering the journal up to ``covers``, a ``mark``)
        plus the
        records appended since. ``records`` is written without any lock; ``hold()`` is a context manager
        that stops writers while the tail is copied and the file renamed. Returns the snapshot's record
        count."""
        temp = self._new_temp()
        fd = _create_exclusive(temp)
        count = 0
        try:
            batch: list[bytes] = [MAGIC]
            pending = len(MAGIC)
            for record in records:
                encoded = record.encode()
                batch.append(encoded)
                pending += len(encoded)
                count += 1
                if pending >= 1 << 20:
                    _write_all(os.write, fd, b"".join(batch))
                    batch, pending = [], 0
            _write_all(os.write, fd, b"".join(batch))
            with hold(), self._lock:
                if self._fd is None:
                    raise JournalError("the journal is closed")
                offset, written = covers
                tail_records = self.records_written - written
                with open(self.path, "rb") as old:
                    old.seek(offset)
                    while chunk := old.read(1 << 20):
                        _write_all(os.write, fd, chunk)
                os.fsync(fd)
                os.replace(temp, self.path)
                _fsync_directory(self.path)
                os.close(self._fd)
                self._fd = None
                self._dirty = False
                self._open_for_append()
                self.records_written = count + tail_records
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        finally:
            os.close(fd)
        return count

    def mark(self) -> tuple[int, int]:
        """(end offset, records written): the point a snapshot taken now covers (call with writers held)."""
        with self._lock:
            return self._end, self.records_written

    def _new_temp(self) -> str:
        return _temp_pattern(self.path).replace("*", secrets.token_hex(8))

    def _replace_with(self, records: Iterable[JournalRecord]) -> None:
        """Atomically make the file hold exactly ``records`` (start-up only: no writer exists yet)."""
        temp = self._new_temp()
        fd = _create_exclusive(temp)
        try:
            _write_all(os.write, fd, MAGIC + b"".join(record.encode() for record in records))
            os.fsync(fd)
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        finally:
            os.close(fd)
        _fsync_directory(self.path)

    def close(self) -> None:
        """Sync and close (idempotent)."""
        self._closed.set()
        with self._lock:
            if self._fd is not None:
                try:
                    os.fsync(self._fd)
                finally:
                    os.close(self._fd)
                    self._fd = None
                    self._dirty = False


# --- snapshots ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class TableImage:
    """One table as ``capture`` saw it: the requests that recreate it and its stored items (references to
    the store's dicts, which are never mutated: encoding them later needs no lock)."""

    name: str
    requests: list[tuple[float, str, dict[str, Any]]]
    items: list[Item]


def capture(emulator: EmulatorState) -> list[TableImage]:
    """The emulator's tables and items now: O(items) reference copies (the caller holds the lock)."""
    dispatch = emulator.dispatch
    now = emulator.clock.now()
    images: list[TableImage] = []
    for name in sorted(emulator.tables):
        table = dispatch("DescribeTable", {"TableName": name})["Table"]
        created = table.get("CreationDateTime")
        requests: list[tuple[float, str, dict[str, Any]]] = [
            (created.timestamp() if created is not None else now, "CreateTable", create_table_request(table))
        ]
        if "DescribeTimeToLive" in OPERATIONS and "UpdateTimeToLive" in OPERATIONS:
            ttl = dispatch("DescribeTimeToLive", {"TableName": name}).get("TimeToLiveDescription", {})
            if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") and ttl.get("AttributeName"):
                spec = {"Enabled": True, "AttributeName": ttl["AttributeName"]}
                requests.append(
                    (now, "UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": spec})
                )
        if "ListTagsOfResource" in OPERATIONS and "TagResource" in OPERATIONS and table.get("TableArn"):
            tags = dispatch("ListTagsOfResource", {"ResourceArn": table["TableArn"]}).get("Tags", [])
            if tags:
                requests.append((now, "TagResource", {"ResourceArn": table["TableArn"], "Tags": tags}))
        requests.extend(journal_requests(emulator.tables[name]))  # policies, insights, destinations
        images.append(TableImage(name, requests, list(emulator.tables[name].store.items())))
    return images


def snapshot_records(database: str, images: Iterable[TableImage], at: float = 0.0) -> Iterator[JournalRecord]:
    """The records that rebuild what ``capture`` saw (needs no lock): requests, then items in bulk."""
    for image in images:
        for when, operation, request in image.requests:
            target, body = encode_request(operation, request)
            yield JournalRecord(database, target, when, body)
        items = image.items
        for first in range(0, len(items), ITEMS_PER_RECORD):
            chunk = items[first : first + ITEMS_PER_RECORD]
            _, body = encode_request(
                "BatchWriteItem", {"RequestItems": {image.name: [{"PutRequest": {"Item": i}} for i in chunk]}}
            )
            yield JournalRecord(database, LOAD_ITEMS, at, body)


def replication_record(database: str, emulator: EmulatorState, at: float = 0.0) -> JournalRecord | None:
    """The ``GLOBAL_TABLES`` record of an emulator with global tables or auto scaling (else None); the
    caller holds the lock and writes it after every region's tables."""
    replication = emulator.replication
    if not replication.groups and not replication.autoscaling:
        return None
    body = json.dumps(replication.export(), separators=(",", ":")).encode("utf-8")
    return JournalRecord(database, GLOBAL_TABLES, at, body)


def load_replication(emulator: EmulatorState, record: JournalRecord) -> None:
    """Replay a ``GLOBAL_TABLES`` record."""
    with emulator.lock:
        emulator.replication.import_(json.loads(record.body))


def load_items(emulator: EmulatorState, record: JournalRecord) -> int:
    """Put a ``LOAD_ITEMS`` record's items straight into storage (they were valid when captured)."""
    _, request = decode_request("DynamoDB_20120810.BatchWriteItem", record.body)
    count = 0
    with emulator.lock:
        for name, writes in request["RequestItems"].items():
            store = emulator.get_table(name).store
            for write in writes:
                store.put(write["PutRequest"]["Item"])
                count += 1
    return count


_VECTOR_INDEX_MEMBERS = (
    "IndexName",
    "VectorAttribute",
    "SearchSchema",
    "Projection",
    "Dimensions",
    "DistanceFunction",
)


def create_table_request(table: dict[str, Any]) -> dict[str, Any]:
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
        for member in ("WarmThroughput", "OnDemandThroughput"):
            if member in index:
                gsi[member] = {k: v for k, v in index[member].items() if k != "Status"}
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
    vectors = [
        {k: index[k] for k in _VECTOR_INDEX_MEMBERS if k in index} for index in table.get("VectorIndexes", [])
    ]
    if vectors:
        request["VectorIndexes"] = vectors
    stream = table.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        request["StreamSpecification"] = stream
    for member in ("WarmThroughput", "OnDemandThroughput"):  # as described: never below the defaults
        if member in table:
            request[member] = {k: v for k, v in table[member].items() if k != "Status"}
    sse = table.get("SSEDescription")
    if sse and sse.get("Status") == "ENABLED":
        request["SSESpecification"] = {
            "Enabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": sse["KMSMasterKeyArn"],
        }
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
