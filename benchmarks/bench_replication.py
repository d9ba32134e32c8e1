#!/usr/bin/env python3
"""What a write to a global table costs: a PutItem on a regional table against the same PutItem on a
replica of a global table with 1, 2 or 4 other replicas, with the replication delay 0 (every replica
written before the answer) or 0.5 s (the write queued, then applied when the clock passes it), and
with multi-Region strong consistency (synchronous). Direct client, the emulator only.

    python benchmarks/bench_replication.py                 # 1k and 100k items, 2000 writes per run
    python benchmarks/bench_replication.py --sizes 1000 --ops 500

Each case runs a warm-up and then 5 timed runs; the table shows the median microseconds per PutItem, the
arrival of its replicated writes included (the queued case flushes inside the timed run), and the ratio to
the regional table. Replicated writes are the service's: one item put per other replica, its stream record
and its replicated write units, so the cost should grow by about one storage write per replica and stay
flat as the table grows (no copy: O(log n) per replica).
"""

from __future__ import annotations

import argparse
import random
from typing import Any

from _harness import Timing, machine, measure

from theorydb_mocks import DynamoDBEmulator

OTHERS = ("us-west-2", "eu-west-1", "ap-south-1", "sa-east-1")
STRONG_OTHERS = ("us-east-2", "us-west-2")
STREAM = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def item(i: int, version: int = 0) -> dict[str, Any]:
    return {"pk": {"S": f"item#{i:08d}"}, "name": {"S": f"name {i}"}, "version": {"N": str(version)}}


def emulator_with(size: int, replicas: tuple[str, ...], *, strong: bool = False) -> DynamoDBEmulator:
    """An emulator whose us-east-1 ``bench`` table holds ``size`` items and has ``replicas``."""
    emu = DynamoDBEmulator(capacity_ledger=True)
    client = emu.client()
    client.create_table(
        TableName="bench",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification=STREAM,
    )
    store = emu.tables["bench"].store
    for i in range(size):
        store.put(item(i))
    if replicas:
        options: dict[str, Any] = {"MultiRegionConsistency": "STRONG"} if strong else {}
        client.update_table(
            TableName="bench",
            ReplicaUpdates=[{"Create": {"RegionName": region}} for region in replicas],
            **options,
        )
    return emu


def writes(emu: DynamoDBEmulator, size: int, ops: int, *, flush: bool) -> Any:
    client = emu.client()
    rng = random.Random(7)
    version = iter(range(1, 1 << 30))

    def run() -> int:
        for _ in range(ops):
            client.put_item(TableName="bench", Item=item(rng.randrange(size), next(version)))
        if flush:
            emu.replication.flush()
        return ops

    return run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--ops", type=int, default=2000)
    args = parser.parse_args()
    print(f"# bench_replication: {machine()}; {args.ops} PutItems per run, median us per PutItem")
    print("\n| items | case | us/PutItem | / regional |")
    print("| --- | --- | --- | --- |")
    for size in args.sizes:
        # STRONG tables must be empty when they become global: they are filled after.
        cases: list[tuple[str, DynamoDBEmulator, bool]] = [("regional table", emulator_with(size, ()), False)]
        for count in (1, 2, 4):
            emu = emulator_with(size, OTHERS[:count])
            emu.replication_delay = 0
            cases.append((f"{count} other replica(s), delay 0", emu, False))
        emu = emulator_with(size, OTHERS[:2])
        cases.append(("2 other replicas, delay 0.5 s (queued, then flushed)", emu, True))
        strong = emulator_with(0, STRONG_OTHERS, strong=True)
        strong.replication_delay = 0
        for i in range(size):
            strong.client().put_item(TableName="bench", Item=item(i))
        cases.append(("2 other replicas, MRSC (synchronous)", strong, False))
        base: Timing | None = None
        for name, emu, flush in cases:
            timing = measure(writes(emu, size, args.ops, flush=flush))
            base = base or timing
            print(f"| {size:,} | {name} | {timing.median * 1e6:.1f} | {timing.median / base.median:.2f}x |")


if __name__ == "__main__":
    main()
