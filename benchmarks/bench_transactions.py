#!/usr/bin/env python3
"""A 10-item TransactWriteItems against ten single PutItem calls, as the table grows: emulator against moto.

    python benchmarks/bench_transactions.py                        # emulator and moto, 1k / 10k / 100k items
    python benchmarks/bench_transactions.py --backend emulator --sizes 1000 100000 --ops 200

Each case runs a warm-up and then 5 timed runs; the table shows the median microseconds per ten items written
(one transaction, or ten puts) and the ratio of each backend to the first one. The writes replace existing
items chosen at random, so the table keeps its size. A flat column as the table grows means a transaction
costs O(actions x log n), never a copy of the table; the summary line gives the transaction's cost in single
puts (the target: at most 2).
"""

from __future__ import annotations

import argparse
import random
import uuid
from typing import Any

from _harness import BACKENDS, Timing, machine, measure, open_backend, print_table

ACTIONS = 10


def create_table(client: Any) -> str:
    name = f"bench-tx-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def item(i: int, version: int = 0) -> dict[str, Any]:
    return {
        "pk": {"S": f"item#{i:08d}"},
        "name": {"S": f"name {i}"},
        "version": {"N": str(version)},
        "tags": {"SS": ["a", "b"]},
    }


def grow(client: Any, table: str, start: int, stop: int) -> None:
    for first in range(start, stop, 25):
        writes = [{"PutRequest": {"Item": item(i)}} for i in range(first, min(first + 25, stop))]
        client.batch_write_item(RequestItems={table: writes})


def cases_at_size(client: Any, table: str, size: int, ops: int, rng: random.Random) -> dict[str, Timing]:
    def transactions() -> int:
        for version in range(ops):
            chosen = rng.sample(range(size), ACTIONS)
            client.transact_write_items(
                TransactItems=[{"Put": {"TableName": table, "Item": item(i, version)}} for i in chosen]
            )
        return ops

    def single_puts() -> int:
        for version in range(ops):
            for i in rng.sample(range(size), ACTIONS):
                client.put_item(TableName=table, Item=item(i, version))
        return ops

    return {
        f"TransactWriteItems x{ACTIONS}, table of {size}": measure(transactions),
        f"{ACTIONS} x PutItem, table of {size}": measure(single_puts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--backend", action="append", choices=BACKENDS, help="repeatable; default emulator, moto"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--ops", type=int, default=100, help="transactions (or groups of ten puts) per run")
    args = parser.parse_args()
    backends = args.backend or ["emulator", "moto"]
    sizes = sorted(args.sizes)

    rows: dict[str, dict[str, Timing]] = {}
    for backend in backends:
        rng = random.Random(7)
        with open_backend(backend) as client:
            table = create_table(client)
            loaded = 0
            for size in sizes:
                grow(client, table, loaded, size)
                loaded = size
                for case, timing in cases_at_size(client, table, size, args.ops, rng).items():
                    rows.setdefault(case, {})[backend] = timing
    print(f"# bench_transactions: {machine()}")
    title = f"{ACTIONS} items per transaction vs {ACTIONS} single puts (us per {ACTIONS} items)"
    print_table(title, rows, backends)
    print()
    for backend in backends:
        for size in sizes:
            tx = rows[f"TransactWriteItems x{ACTIONS}, table of {size}"].get(backend)
            puts = rows[f"{ACTIONS} x PutItem, table of {size}"].get(backend)
            if tx is not None and puts is not None:
                ratio = tx.median / puts.median
                print(f"- {backend}, table of {size}: one transaction = {ratio:.2f} x ten puts")


if __name__ == "__main__":
    main()
