"""The files of a table export, laid out as DynamoDB writes them to S3.

```
<prefix>/AWSDynamoDB/<export-id>/_started                    (empty: the export has begun)
<prefix>/AWSDynamoDB/<export-id>/data/<name>.json.gz         (or .ion.gz: items, one per line)
<prefix>/AWSDynamoDB/<export-id>/manifest-files.json         (one JSON line per data file)
<prefix>/AWSDynamoDB/<export-id>/manifest-files.checksum     (MD5 hex digest of manifest-files.json)
<prefix>/AWSDynamoDB/<export-id>/manifest-summary.json       (the export: ARNs, times, counts, format)
<prefix>/AWSDynamoDB/<export-id>/manifest-summary.checksum
```

Each line of ``manifest-files.json`` gives a data file's ``itemCount``, ``md5Checksum`` (base64 MD5 of the
gzip'd bytes), ``etag`` (S3's multipart ETag of one part: hex MD5 of that MD5, ``-1``) and
``dataFileS3Key``. Data lines are ``{"Item":{...}}`` (DynamoDB JSON) or ``$ion_1_0 {Item:{...}}`` (Ion);
an incremental export writes ``Metadata`` (``WriteTimestampMicros``), ``Keys``, ``NewImage`` and
``OldImage`` instead. The manifests are written when the export completes (``write_manifests``), the data
when it starts: a reader that waits for ``manifest-summary.json`` sees a whole export, as on the service.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, BinaryIO

from theorydb_mocks.emulator.transfer import ion
from theorydb_mocks.emulator.transfer.s3 import LocalS3
from theorydb_mocks.emulator.values import item_size

__all__ = [
    "ITEMS_PER_FILE",
    "DataFile",
    "ExportFiles",
    "dynamodb_json_line",
    "export_root",
    "iso_time",
]

ITEMS_PER_FILE = 250_000  # items per data file (the service writes at least one file per partition)
_GZIP_LEVEL = 6


def iso_time(epoch: float) -> str:
    """A time as the manifests write it: ISO 8601 in UTC with milliseconds, ``Z``.

    >>> iso_time(1604474914.028)
    '2020-11-04T07:28:34.028Z'
    """
    moment = datetime.fromtimestamp(epoch, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def export_root(prefix: str | None, export_id: str) -> str:
    """The key prefix of an export's folder: ``<prefix>/AWSDynamoDB/<id>`` (no prefix: ``AWSDynamoDB/<id>``).

    >>> export_root("2020-Nov", "01234567890123-a1b2c3d4"), export_root(None, "1-a")
    ('2020-Nov/AWSDynamoDB/01234567890123-a1b2c3d4', 'AWSDynamoDB/1-a')
    """
    if prefix:
        return f"{prefix.rstrip('/')}/AWSDynamoDB/{export_id}"
    return f"AWSDynamoDB/{export_id}"


def _blob_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_blob_default)


def dynamodb_json_line(record: dict[str, Any]) -> str:
    """A record (``{"Item": item}``, items in boto3 shape) as one DynamoDB JSON line (binary as base64).

    >>> dynamodb_json_line({"Item": {"pk": {"S": "a"}, "b": {"B": b"hi"}}})
    '{"Item":{"pk":{"S":"a"},"b":{"B":"aGk="}}}'
    """
    return _ENCODER.encode(record)


class _Digesting:
    """A write-only file that passes bytes on and keeps their MD5 and count."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.md5 = hashlib.md5()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.md5.update(data)
        self.size += len(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


@dataclass(slots=True)
class DataFile:
    """One data file written: its key, item count and checksums (a ``manifest-files.json`` line)."""

    key: str
    item_count: int
    md5: bytes

    def manifest_line(self) -> str:
        return json.dumps(
            {
                "itemCount": self.item_count,
                "md5Checksum": base64.b64encode(self.md5).decode("ascii"),
                "etag": hashlib.md5(self.md5).hexdigest() + "-1",
                "dataFileS3Key": self.key,
            },
            separators=(",", ":"),
        )


@dataclass
class ExportFiles:
    """The files of one export in ``s3`` (see the module docstring); counts filled as data is written."""

    s3: LocalS3
    bucket: str
    root: str  # export_root(prefix, id)
    export_format: str  # DYNAMODB_JSON or ION
    files: list[DataFile] = field(default_factory=list)
    item_count: int = 0
    billed_size_bytes: int = 0

    @property
    def manifest_key(self) -> str:
        return f"{self.root}/manifest-summary.json"

    def start(self) -> None:
        """Write ``_started`` (checks the bucket is writable before any data)."""
        self.s3.put(self.bucket, f"{self.root}/_started", b"")

    def write_items(self, items: Iterable[dict[str, Any]]) -> None:
        """Write a full export's items in files of at most ``ITEMS_PER_FILE`` (at least one file)."""
        self.write_sized((item, item_size(item)) for item in items)

    def write_sized(self, pairs: Iterable[tuple[dict[str, Any], int]]) -> None:
        """``write_items`` for ``(item, size)`` pairs, where the store knows the sizes
        (``TableStore.scan_sized``): the billed size costs no measuring."""
        if self.export_format == "ION":
            line = ion.item_line
            lines: Iterator[tuple[str, int]] = ((line(item), size) for item, size in pairs)
        else:
            encode = _ENCODER.encode
            lines = ((encode({"Item": item}), size) for item, size in pairs)
        self.write_lines(lines)

    def write_lines(self, lines: Iterator[tuple[str, int]]) -> None:
        """Write prepared data lines (each with the size it bills) into data files (at least one)."""
        suffix = ".ion.gz" if self.export_format == "ION" else ".json.gz"
        pending = next(lines, None)
        while True:
            key = f"{self.root}/data/{_data_file_name(self.root, len(self.files))}{suffix}"
            count = 0
            with self.s3.writer(self.bucket, key) as raw:
                digesting = _Digesting(raw)
                with gzip.GzipFile(fileobj=digesting, mode="wb", compresslevel=_GZIP_LEVEL, mtime=0) as out:
                    chunk: list[str] = []
                    while pending is not None and count < ITEMS_PER_FILE:
                        line, size = pending
                        chunk.append(line)
                        count += 1
                        self.billed_size_bytes += size
                        if len(chunk) >= 4096:
                            out.write(("\n".join(chunk) + "\n").encode("utf-8", "surrogatepass"))
                            chunk = []
                        pending = next(lines, None)
                    if chunk:
                        out.write(("\n".join(chunk) + "\n").encode("utf-8", "surrogatepass"))
            self.item_count += count
            self.files.append(DataFile(key, count, digesting.md5.digest()))
            if pending is None:
                return

    def write_manifests(self, summary: dict[str, Any]) -> None:
        """Write ``manifest-files.json``, then ``manifest-summary.json`` (``summary`` plus the counts and
        the files manifest's key), each with its ``.checksum``."""
        files_key = f"{self.root}/manifest-files.json"
        files_body = "".join(f"{data.manifest_line()}\n" for data in self.files).encode("utf-8")
        self.s3.put(self.bucket, files_key, files_body)
        self.s3.put(self.bucket, f"{self.root}/manifest-files.checksum", _checksum(files_body))
        full = dict(summary)
        full["manifestFilesS3Key"] = files_key
        full["billedSizeBytes"] = self.billed_size_bytes
        full["itemCount"] = self.item_count
        full["outputFormat"] = self.export_format
        ordered = {name: full[name] for name in _SUMMARY_ORDER if name in full}
        ordered.update({name: value for name, value in full.items() if name not in ordered})
        summary_body = json.dumps(ordered, separators=(",", ":")).encode("utf-8")
        self.s3.put(self.bucket, self.manifest_key, summary_body)
        self.s3.put(self.bucket, f"{self.root}/manifest-summary.checksum", _checksum(summary_body))


_SUMMARY_ORDER = (
    "version",
    "exportArn",
    "startTime",
    "endTime",
    "tableArn",
    "tableId",
    "exportTime",
    "exportFromTime",
    "exportToTime",
    "s3Bucket",
    "s3Prefix",
    "s3SseAlgorithm",
    "s3SseKmsKeyId",
    "manifestFilesS3Key",
    "billedSizeBytes",
    "itemCount",
    "outputFormat",
    "outputView",
    "exportType",
)


def _checksum(body: bytes) -> bytes:
    return hashlib.md5(body).hexdigest().encode("ascii")


_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


def _data_file_name(root: str, number: int) -> str:
    """A data file's name as the service makes them, 26 lower-case base32 characters; derived from the
    export's folder and the file's number, so an export written again (a journal replay) has the same files.
    """
    digest = int.from_bytes(hashlib.sha256(f"{root}/{number}".encode()).digest()[:17], "big")
    return "".join(_BASE32[(digest >> (5 * i)) & 31] for i in range(26))
