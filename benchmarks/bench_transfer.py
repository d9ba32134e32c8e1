#!/usr/bin/env python3
"""Export to and import from the local S3 stand-in: items per second and peak memory.

    python benchmarks/bench_transfer.py                          # 100k and 1M items, DYNAMODB_JSON
    python benchmarks/bench_transfer.py --sizes 100000 --formats DYNAMODB_JSON ION --runs 3
    python benchmarks/bench_transfer.py --sizes 1000000 --phases dump load --runs 1

Each measurement runs in a fresh process (so its peak resident memory is its own) on a table keyed
``pk`` (S) and ``sk`` (N) with one GSI, items of about 120 bytes (strings, a number, a binary, a string
set; a third without the GSI key):

- ``export``: the table is loaded through ``TableStore.put`` (not timed), then ExportTableToPointInTime
  writes it (gzip'd data files and manifests) into a folder (``s3_root``); time of the call.
- ``import``: ImportTable of that export's data files (GZIP) into a new table; time of the call, which
  reads, validates and stores every item (the table's indexes included).
- ``dump``: the same table, loaded the same way, written by ``emu.dump`` (schema and gzip'd items).
- ``load``: ``emu.load`` of that dump into a fresh emulator (``bulk_load``: the seed path of the server).

Wall time on a shared machine depends on the other processes; CPU time (``time.process_time``) of the
call is reported beside it and is the steadier figure.

Memory: ``rss_before`` is the resident set when the timed call starts, ``rss_peak`` the process's peak
(``ru_maxrss``); for an import the growth is the new table itself, whatever the file sizes (the sources are
streamed). A warm-up is not possible without doubling the data, so each run is one call in a fresh process;
min/median/max over ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.operations.exports import enable_pitr
from theorydb_mocks.emulator.values import normalize_number

TABLE = {
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
        {"AttributeName": "owner", "AttributeType": "S"},
    ],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "by-owner",
            "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
}


def _item(n: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": {"S": f"customer#{n // 10:07d}"},
        "sk": {"N": str(n % 10)},
        "name": {"S": f"Customer number {n}"},
        "total": {
            "N": normalize_number(f"{n % 997}.{n % 100:02d}")
        },  # as PutItem stores it: "5.1", not "5.10"
        "blob": {"B": n.to_bytes(4, "big")},
        "tags": {"SS": ["a", f"t{n % 13}"]},
    }
    if n % 3:
        item["owner"] = {"S": f"owner-{n % 101}"}
    return item


PHASES = ("export", "import", "dump", "load")  # dump before load, export before import


def _rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def _one(phase: str, size: int, fmt: str, root: str) -> dict[str, Any]:
    emu = DynamoDBEmulator(s3_root=root)
    if phase == "dump":
        emu.dispatch("CreateTable", {"TableName": "source", **TABLE})
        store = emu.get_table("source").store
        for n in range(size):
            store.put(_item(n))
        before = _rss_kib()
        start, cpu = time.perf_counter(), time.process_time()
        counts = emu.dump(Path(root, "dump"))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert counts[emu.region]["source"] == size
    elif phase == "load":
        before = _rss_kib()
        start, cpu = time.perf_counter(), time.process_time()
        counts = emu.load(Path(root, "dump"))
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert counts[emu.region]["source"] == size
    elif phase == "export":
        emu.dispatch("CreateTable", {"TableName": "source", **TABLE})
        enable_pitr(emu, "source")
        store = emu.get_table("source").store
        for n in range(size):
            store.put(_item(n))
        arn = emu.get_table("source").arn
        before = _rss_kib()
        start, cpu = time.perf_counter(), time.process_time()
        desc = emu.dispatch(
            "ExportTableToPointInTime",
            {"TableArn": arn, "S3Bucket": "bench", "S3Prefix": fmt, "ExportFormat": fmt},
        )["ExportDescription"]
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert desc["ItemCount"] == size
        Path(root, "manifest").write_text(desc["ExportManifest"])
    else:
        manifest = Path(root, "manifest").read_text()
        before = _rss_kib()
        start, cpu = time.perf_counter(), time.process_time()
        desc = emu.dispatch(
            "ImportTable",
            {
                "S3BucketSource": {"S3Bucket": "bench", "S3KeyPrefix": manifest.rsplit("/", 1)[0] + "/data/"},
                "InputFormat": fmt,
                "InputCompressionType": "GZIP",
                "TableCreationParameters": {"TableName": "imported", **TABLE},
            },
        )["ImportTableDescription"]
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        assert desc["ImportedItemCount"] == size, desc
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "cpu": cpu, "rss_before_mib": before / 1024, "rss_peak_mib": peak / 1024}


def _loop_step_ns() -> float:
    """CPU nanoseconds per step of ``for i in range(n): total += i`` (to compare machines and loads)."""
    total, n = 0, 2_000_000
    cpu = time.process_time()
    for i in range(n):
        total += i
    return (time.process_time() - cpu) / n * 1e9


def _run(phase: str, size: int, fmt: str, root: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", phase, str(size), fmt, root],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=["DYNAMODB_JSON"], choices=["DYNAMODB_JSON", "ION"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--phases", nargs="+", default=["export", "import", "dump", "load"], choices=PHASES)
    parser.add_argument("--one", nargs=4, metavar=("PHASE", "SIZE", "FORMAT", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    for phase, source in (("import", "export"), ("load", "dump")):
        if phase in args.phases and source not in args.phases:
            parser.error(f"{phase} reads what {source} writes in the same run: --phases {source} {phase}")
    if args.one:
        phase, size, fmt, root = args.one
        print(json.dumps(_one(phase, int(size), fmt, root)))
        return
    print(f"{sys.version.split()[0]} on {os.cpu_count()} CPUs; min / median / max of {args.runs} runs")
    step, load = _loop_step_ns(), os.getloadavg()[0]
    print(f"machine speed: a pure-Python loop step costs {step:.0f} ns of CPU (load average {load:.1f})\n")
    print("| phase | format | items | items/s (wall) | items/s (CPU) | wall s min / med / max | RSS MiB |")
    print("| --- | --- | ---: | ---: | ---: | --- | --- |")
    for size in args.sizes:
        for fmt in args.formats:
            with tempfile.TemporaryDirectory() as root:
                for phase in args.phases:
                    if phase in ("dump", "load") and fmt != args.formats[0]:
                        continue  # dumps have one format
                    results = [_run(phase, size, fmt, root) for _ in range(args.runs)]
                    seconds = sorted(r["seconds"] for r in results)
                    median = statistics.median(seconds)
                    cpu = statistics.median(r["cpu"] for r in results)
                    rss = max(results, key=lambda r: r["rss_peak_mib"])
                    print(
                        f"| {phase} | {fmt} | {size:,} | {size / median:,.0f} | {size / cpu:,.0f} | "
                        f"{seconds[0]:.2f} / {median:.2f} / {seconds[-1]:.2f} | "
                        f"{rss['rss_before_mib']:.0f} -> {rss['rss_peak_mib']:.0f} |",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
