#!/usr/bin/env python3
"""Backups and point-in-time recovery: what a backup costs to take and to restore, and history's memory.

    python benchmarks/bench_backups.py --sizes 10000 100000 --changes 50000

For each table size: CreateBackup (the claim: O(1) in the table's size, no item copied),
RestoreTableFromBackup and RestoreTableToPointInTime (O(items + changes since): they build a new table),
with 10% of the items overwritten after the backup. Then the memory of the change history per change, with
point-in-time recovery on: RSS growth while ``--changes`` overwrites run, divided by the changes (each log
entry keeps the item it replaced alive, so this includes the old item), against the same overwrites with
recovery off.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from typing import Any

from _harness import machine

from theorydb_mocks import DynamoDBEmulator


def rss() -> int:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def item(i: int, version: int = 0) -> dict[str, Any]:
    return {
        "pk": {"S": f"user#{i // 100:06d}"},
        "sk": {"S": f"order#{i:08d}"},
        "total": {"N": str(i % 10_000 + version)},
        "tags": {"SS": ["new", "paid"]},
    }


def fill(emu: DynamoDBEmulator, name: str, count: int) -> Any:
    client = emu.client()
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for first in range(0, count, 25):
        writes = [{"PutRequest": {"Item": item(i)}} for i in range(first, min(first + 25, count))]
        client.batch_write_item(RequestItems={name: writes})
    return client


def timed(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def backup_and_restore(size: int) -> list[str]:
    emu = DynamoDBEmulator()
    emu.clock.set(1_700_000_000)
    client = fill(emu, "orders", size)
    client.update_continuous_backups(
        TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    arns: list[str] = []
    take = min(
        timed(lambda: arns.append(client.create_backup(TableName="orders", BackupName=f"b{len(arns):03d}")))
        for _ in range(20)
    )
    arn = client.list_backups(TableName="orders")["BackupSummaries"][0]["BackupArn"]
    emu.clock.advance(10)
    for i in range(0, size, 10):
        client.put_item(TableName="orders", Item=item(i, 1))
    restore = timed(lambda: client.restore_table_from_backup(TargetTableName="from-backup", BackupArn=arn))
    pitr = timed(
        lambda: client.restore_table_to_point_in_time(
            SourceTableName="orders", TargetTableName="from-pitr", UseLatestRestorableTime=True
        )
    )
    assert client.describe_table(TableName="from-backup")["Table"]["ItemCount"] == size
    return [
        f"| {size} | CreateBackup | {take * 1e3:.3f} ms |",
        f"| {size} | RestoreTableFromBackup ({size // 10} changes since) | {restore * 1e3:.0f} ms |",
        f"| {size} | RestoreTableToPointInTime (latest) | {pitr * 1e3:.0f} ms |",
    ]


def history_memory(changes: int) -> list[str]:
    lines = []
    for recovery in (False, True):
        emu = DynamoDBEmulator()
        client = fill(emu, "orders", 10_000)
        if recovery:
            client.update_continuous_backups(
                TableName="orders", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
        gc.collect()
        before = rss()
        for n in range(changes):
            client.put_item(TableName="orders", Item=item(n % 10_000, n))
        gc.collect()
        grown = rss() - before
        label = "point-in-time recovery on" if recovery else "recovery off (baseline)"
        lines.append(f"| {label} | {changes} | {grown / changes:.0f} bytes/change |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--changes", type=int, default=50_000)
    args = parser.parse_args()
    print(f"# bench_backups: {machine()}\n")
    print("## Taking and restoring a backup\n")
    print("| items | operation | time |")
    print("|---|---|---|")
    for size in args.sizes:
        for line in backup_and_restore(size):
            print(line, flush=True)
    print("\n## History memory (RSS growth per overwrite of an existing item, table of 10000)\n")
    print("| case | changes | memory |")
    print("|---|---|---|")
    for line in history_memory(args.changes):
        print(line, flush=True)


if __name__ == "__main__":
    main()
