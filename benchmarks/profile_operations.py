#!/usr/bin/env python3
"""Where the direct client's time goes: per-call timings and cProfile's top functions for put, get, a
conditional update and a 10-item query (capacity ledger on, the default).

    python benchmarks/profile_operations.py               # timings only
    python benchmarks/profile_operations.py --profile 15  # and the 15 top functions of each, by own time

The table holds ``--items`` items in one partition (the query reads 10 from its middle), so the query row
also shows that a page costs O(log n + page).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from collections.abc import Callable
from typing import Any

from _harness import machine, noop_call_ns

from theorydb_mocks import DynamoDBEmulator


def item(i: int) -> dict[str, Any]:
    return {
        "pk": {"S": "p"},
        "sk": {"S": f"item#{i:08d}"},
        "name": {"S": f"name {i}"},
        "count": {"N": str(i)},
        "tags": {"SS": ["a", "b"]},
    }


def operations(client: Any, items: int) -> dict[str, Callable[[int], None]]:
    client.create_table(
        TableName="things",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for start in range(0, items, 25):
        batch = [{"PutRequest": {"Item": item(i)}} for i in range(start, min(start + 25, items))]
        client.batch_write_item(RequestItems={"things": batch})
    middle = f"item#{items // 2:08d}"

    def put(i: int) -> None:
        client.put_item(TableName="things", Item=item(i % items))

    def get(i: int) -> None:
        client.get_item(TableName="things", Key={"pk": {"S": "p"}, "sk": {"S": f"item#{i % items:08d}"}})

    def update(i: int) -> None:
        client.update_item(
            TableName="things",
            Key={"pk": {"S": "p"}, "sk": {"S": f"item#{i % items:08d}"}},
            UpdateExpression="SET #c = #c + :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#c": "count"},
            ExpressionAttributeValues={":one": {"N": "1"}},
        )

    def query(i: int) -> None:
        client.query(
            TableName="things",
            KeyConditionExpression="pk = :p AND sk >= :s",
            ExpressionAttributeValues={":p": {"S": "p"}, ":s": {"S": middle}},
            Limit=10,
        )

    return {"put_item": put, "get_item": get, "update_item (conditional)": update, "query 10 items": query}


def per_call_us(fn: Callable[[int], None], calls: int, runs: int = 5) -> float:
    """The best of ``runs`` timed loops, in microseconds per call (the least disturbed by other work)."""
    fn(0)
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        for i in range(calls):
            fn(i)
        best = min(best, (time.process_time() - start) / calls)
    return best * 1e6


def profile(fn: Callable[[int], None], calls: int, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(calls):
        fn(i)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, nargs="+", default=[1000, 100_000])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--profile", type=int, default=0, metavar="TOP", help="cProfile's TOP functions")
    parser.add_argument("--no-ledger", action="store_true", help="turn the capacity ledger off")
    args = parser.parse_args()
    print(f"# profile_operations: {machine()}; capacity ledger {'off' if args.no_ledger else 'on'}")
    print(f"# CPU us per call, best of 5; a no-op Python call costs {noop_call_ns():.0f} ns in this run")
    print("| items | put_item | get_item | update_item (conditional) | query 10 items |")
    print("| --- " * 5 + "|")
    for size in args.items:
        ops = operations(DynamoDBEmulator(capacity_ledger=not args.no_ledger).client(), size)
        timings = [f"{per_call_us(fn, args.calls):.1f}" for fn in ops.values()]
        print(f"| {size:,} | " + " | ".join(timings) + " |")
    if args.profile:
        ops = operations(DynamoDBEmulator(capacity_ledger=not args.no_ledger).client(), args.items[0])
        for name, fn in ops.items():
            print(f"\n## {name}: cProfile, {args.calls} calls, top {args.profile} by own time\n")
            print(profile(fn, args.calls, args.profile))


if __name__ == "__main__":
    main()
