"""Dumps: every table of an emulator written to a folder and read back (``emu.dump`` / ``emu.load``).

For people rather than APIs: a dump is plain files that ``aws dynamodb`` users know.

```
<path>/manifest.json                        {"format": "theorydb-dump", "version": 1, "regions": {...}}
<path>/<region>/<table>/table.json          {"Table": DescribeTable's Table, "TimeToLive": ..., "Tags": []}
<path>/<region>/<table>/data/00000.json.gz  items, one {"Item": {...}} DynamoDB JSON line each (as exports)
```

``table.json``'s ``Table`` is DescribeTable's answer as the AWS CLI prints it (times in epoch seconds), so
a saved ``aws dynamodb describe-table`` output is the same thing (``create_tables`` reads those: the
server's ``--schema``). Loading creates each table from its description (read-only members such as
``TableStatus``, ``ItemCount`` and the ARNs are ignored), loads the items through ``bulk_load`` (the fast
path: 1M items in seconds), then switches on TTL and the stream as described, and puts the tags back.
Every region of the emulator is dumped and loaded. Items are written in scan order, so dumping what was
loaded writes the same item files byte for byte.

>>> import tempfile
>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> _ = emu.dispatch("PutItem", {"TableName": "tbl", "Item": {"pk": {"S": "a"}}})
>>> folder = tempfile.mkdtemp()
>>> emu.dump(folder)
{'us-east-1': {'tbl': 1}}
>>> other = DynamoDBEmulator()
>>> other.load(folder)
{'us-east-1': {'tbl': 1}}
>>> other.dispatch("Scan", {"TableName": "tbl"})["Items"]
[{'pk': {'S': 'a'}}]
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator.bulk_load import BulkLoad
from theorydb_mocks.emulator.persistence import create_table_request
from theorydb_mocks.emulator.transfer.export_files import dynamodb_json_line

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator.core import DynamoDBEmulator

__all__ = ["DUMP_FORMAT", "DumpError", "create_tables", "dump", "load", "load_table"]

DUMP_FORMAT = "theorydb-dump"
DUMP_VERSION = 1
ITEMS_PER_FILE = 250_000
_GZIP_LEVEL = 1  # dumps are for speed; any gzip reader reads them


class DumpError(ValueError):
    """A folder that is not a dump, a schema file that is not DescribeTable output, or a bad item."""


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()  # as the AWS CLI prints times
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=2, sort_keys=False, default=_json_default) + "\n")


def dump(emu: DynamoDBEmulator, path: str | os.PathLike[str]) -> dict[str, dict[str, int]]:
    """Write every table of every region of ``emu`` under ``path``; returns the item counts by region
    and table. Runtime: O(items); the lock is held throughout (a consistent dump)."""
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True)
    counts: dict[str, dict[str, int]] = {}
    with emu.lock:
        for region in emu.regions:
            counts[region.region] = {
                name: _dump_table(region, name, root / region.region / name) for name in sorted(region.tables)
            }
    _write_json(
        root / "manifest.json",
        {
            "format": DUMP_FORMAT,
            "version": DUMP_VERSION,
            "regions": {region: sorted(tables) for region, tables in counts.items()},
        },
    )
    return counts


def _dump_table(region: EmulatorState, name: str, folder: Path) -> int:
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    for old in data.glob("*.json.gz"):
        old.unlink()
    described = region.dispatch("DescribeTable", {"TableName": name})["Table"]
    ttl = region.dispatch("DescribeTimeToLive", {"TableName": name}).get("TimeToLiveDescription", {})
    tags = region.dispatch("ListTagsOfResource", {"ResourceArn": described["TableArn"]}).get("Tags", [])
    _write_json(folder / "table.json", {"Table": described, "TimeToLive": ttl, "Tags": tags})
    items = region.tables[name].store.items()  # one item at a time: memory holds no file's worth
    count = 0
    more = True
    while more:
        target = data / f"{count // ITEMS_PER_FILE:05d}.json.gz"
        with (  # mtime 0 and no name in the header: the same items make the same bytes
            open(target, "wb") as raw,
            gzip.GzipFile("", "wb", _GZIP_LEVEL, raw, mtime=0) as zipped,
            io.TextIOWrapper(zipped, "utf-8") as out,
        ):
            written = 0
            for item in itertools.islice(items, ITEMS_PER_FILE):
                out.write(dynamodb_json_line({"Item": item}))
                out.write("\n")
                written += 1
        count += written
        more = written == ITEMS_PER_FILE
    return count


def load(emu: DynamoDBEmulator, path: str | os.PathLike[str]) -> dict[str, dict[str, int]]:
    """Create the tables of the dump at ``path`` in ``emu`` (each region in its region) and load their
    items; returns the item counts. A table that already exists is refused (``ResourceInUseException``)."""
    root = Path(path)
    try:
        manifest = json.loads((root / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise DumpError(f"{root} is not a dump (manifest.json: {exc})") from exc
    if manifest.get("format") != DUMP_FORMAT:
        raise DumpError(f"{root} is not a dump: format {manifest.get('format')!r}")
    counts: dict[str, dict[str, int]] = {}
    for region_name, names in manifest["regions"].items():
        region = emu.in_region(region_name)
        counts[region_name] = {name: load_table(region, root / region_name / name) for name in names}
    return counts


def load_table(region: EmulatorState, folder: Path) -> int:
    """Create one dumped table in ``region`` and load its items. Runtime: O(items)."""
    saved = json.loads((folder / "table.json").read_text())
    described = saved["Table"]
    name = create_tables(region, [described], streams=False)[0]
    table = region.tables[name]
    problems: list[str] = []
    with BulkLoad(table, label=f"{region.region}/{name}") as loader:
        for data_file in sorted((folder / "data").glob("*.json.gz")):

            def refuse(index: int, message: str, data_file: Path = data_file) -> None:
                problems.append(f"{data_file} item {index}: {message}")

            with gzip.open(data_file, "rb") as stream, region.lock:
                loader.add_json_lines(stream, refuse)
        with region.lock:
            loader.finish()
    if problems:
        raise DumpError(f"{len(problems)} invalid items, the first: {problems[0]}")
    ttl = saved.get("TimeToLive") or {}
    if ttl.get("TimeToLiveStatus") in ("ENABLED", "ENABLING") and ttl.get("AttributeName"):
        spec = {"Enabled": True, "AttributeName": ttl["AttributeName"]}
        region.dispatch("UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": spec})
    _enable_stream(region, described)
    if saved.get("Tags"):
        region.dispatch("TagResource", {"ResourceArn": table.arn, "Tags": saved["Tags"]})
    return loader.count


def _enable_stream(region: EmulatorState, described: dict[str, Any]) -> None:
    stream = described.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        region.dispatch("UpdateTable", {"TableName": described["TableName"], "StreamSpecification": stream})


def create_tables(
    region: EmulatorState, described: list[dict[str, Any]], *, streams: bool = True
) -> list[str]:
    """Create a table per DescribeTable description (the ``Table`` member or the whole answer); the
    read-only members (status, counts, ARNs, times) are ignored. Returns the tables' names."""
    names = []
    for entry in described:
        table = entry.get("Table", entry) if isinstance(entry, dict) else None
        if not isinstance(table, dict) or "TableName" not in table or "KeySchema" not in table:
            raise DumpError("a schema must be DescribeTable output: {'Table': {'TableName': ..., ...}}")
        request = create_table_request(table)
        stream = request.pop("StreamSpecification", None)
        region.dispatch("CreateTable", request)
        if streams and stream is not None:
            _enable_stream(region, table)
        names.append(table["TableName"])
    return names


def read_schema_file(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The descriptions in a saved ``aws dynamodb describe-table`` output: one answer, a list of them,
    or a dump's ``table.json``."""
    try:
        value = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise DumpError(f"cannot read the schema file {path}: {exc}") from exc
    entries = value if isinstance(value, list) else [value]
    return [entry.get("Table", entry) if isinstance(entry, dict) else entry for entry in entries]
