#!/usr/bin/env python3
"""Memory per stored item: RSS growth of one process while a table fills, divided by the items stored.

    python benchmarks/bench_memory.py --items 200000

Two shapes: an 85-byte item (the issue's yardstick: a partition key shared by 100 items (``--per-partition``:
1 gives every item its own partition, the costliest case for the table's structures), a unique sort key,
a name, a number and a two-string set) and a 1 KB item (the same plus a 900-byte string). Items go in through
the direct client's BatchWriteItem, as a test's seeding does; RSS is read from /proc after a gc. Also shown:
the bytes the stored item's own Python objects take (``sys.getsizeof``, recursively, over its record:
``records``; objects shared between items, such as the shape, count once over the sample), to tell the
representation's share from the table's structures (sort order, partitions).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable
from typing import Any

from _harness import machine

from theorydb_mocks import DynamoDBEmulator
from theorydb_mocks.emulator.values import item_size


def rss() -> int:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


PER_PARTITION = 100  # items sharing a partition key (``--per-partition``)


def small(i: int) -> dict[str, Any]:
    return {
        "pk": {"S": f"user#{i // PER_PARTITION:06d}"},
        "sk": {"S": f"order#{i:08d}"},
        "name": {"S": f"name {i % 1000}"},
        "total": {"N": str(i % 10_000)},
        "tags": {"SS": ["new", "paid"]},
    }


def large(i: int) -> dict[str, Any]:
    return {**small(i), "body": {"S": f"{i:08d}" + "x" * 892}}


def deep_size(value: Any, seen: set[int]) -> int:
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, dict):
        size += sum(deep_size(k, seen) + deep_size(v, seen) for k, v in value.items())
    elif isinstance(value, list | tuple):
        size += sum(deep_size(v, seen) for v in value)
    return size


def measure(make: Callable[[int], dict[str, Any]], count: int) -> tuple[float, float, float, int]:
    """(RSS bytes per item, the same after a first Scan, Python object bytes per stored item, the item's
    DynamoDB size). A first Scan places every partition in the scan order (``storage``), which a table
    that is never scanned does not pay for."""
    gc.collect()
    emu = DynamoDBEmulator()
    client = emu.client()
    client.create_table(
        TableName="things",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    gc.collect()
    before = rss()
    for start in range(0, count, 25):
        batch = [{"PutRequest": {"Item": make(i)}} for i in range(start, min(start + 25, count))]
        client.batch_write_item(RequestItems={"things": batch})
    gc.collect()
    grown = rss() - before
    client.scan(TableName="things", Limit=1)
    gc.collect()
    scanned = rss() - before
    store = emu.get_table("things").store
    table = store._table  # the stored records themselves (``records``), not the dicts a read builds
    sample = [table.get(*store.position(make(i))) for i in range(0, count, max(1, count // 1000))]
    seen: set[int] = set()
    objects = sum(deep_size(stored, seen) for stored in sample) / len(sample)
    return grown / count, scanned / count, objects, item_size(make(1))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument(
        "--per-partition", type=int, default=100, help="items per partition key (1: every item its own)"
    )
    args = parser.parse_args()
    global PER_PARTITION
    PER_PARTITION = args.per_partition
    print(f"# bench_memory: {machine()}; {args.items:,} items per shape, {PER_PARTITION} per partition")
    print(
        "| item | DynamoDB size (bytes) | RSS per item (bytes) | after a first Scan | item objects (bytes) "
        "| overhead per item |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for name, make in (("85-byte", small), ("1 KB", large)):
        per_item, scanned, objects, size = measure(make, args.items)
        print(f"| {name} | {size} | {per_item:.0f} | {scanned:.0f} | {objects:.0f} | {per_item - size:.0f} |")


if __name__ == "__main__":
    main()
