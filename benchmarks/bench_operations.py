#!/usr/bin/env python3
"""Single-item operations, queries over a growing partition, and scans: emulator against moto.

    python benchmarks/bench_operations.py                       # emulator and moto, default sizes
    python benchmarks/bench_operations.py --backend emulator --backend dynamodb-local
    python benchmarks/bench_operations.py --sizes 1000 10000 40000 --ops 500

Each case runs a warm-up and then 5 timed runs; the table shows the median microseconds per operation and the
ratio of each backend to the first one. The query cases read one 10-item page from the middle of a partition
of the given size, so a flat row means the query costs O(log n + page), not O(n).
"""

from __future__ import annotations

import argparse
import uuid
from typing import Any

from _harness import BACKENDS, Timing, machine, measure, open_backend, print_table


def create_table(client: Any) -> str:
    name = f"bench-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def item(pk: str, i: int) -> dict[str, Any]:
    return {
        "pk": {"S": pk},
        "sk": {"S": f"item#{i:08d}"},
        "name": {"S": f"name {i}"},
        "count": {"N": str(i)},
        "tags": {"SS": ["a", "b"]},
    }


def load_partition(client: Any, table: str, pk: str, size: int) -> None:
    for start in range(0, size, 25):
        requests = [{"PutRequest": {"Item": item(pk, i)}} for i in range(start, min(start + 25, size))]
        client.batch_write_item(RequestItems={table: requests})


def single_item_cases(client: Any, ops: int) -> dict[str, Timing]:
    table = create_table(client)
    counter = iter(range(10**9))

    def puts() -> int:
        base = next(counter) * ops
        for i in range(ops):
            client.put_item(TableName=table, Item=item("single", base + i))
        return ops

    def gets() -> int:
        for i in range(ops):
            client.get_item(TableName=table, Key={"pk": {"S": "single"}, "sk": {"S": f"item#{i:08d}"}})
        return ops

    def updates() -> int:
        for i in range(ops):
            client.update_item(
                TableName=table,
                Key={"pk": {"S": "single"}, "sk": {"S": f"item#{i:08d}"}},
                UpdateExpression="SET #c = #c + :one",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#c": "count"},
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
        return ops

    def deletes_and_puts() -> int:
        for i in range(ops):
            key = {"pk": {"S": "single"}, "sk": {"S": f"item#{i:08d}"}}
            client.delete_item(TableName=table, Key=key)
            client.put_item(TableName=table, Item=item("single", i))
        return 2 * ops

    return {
        "put_item": measure(puts),
        "get_item": measure(gets),
        "update_item (conditional)": measure(updates),
        "delete_item + put_item": measure(deletes_and_puts),
    }


def query_cases(client: Any, sizes: list[int], ops: int) -> dict[str, Timing]:
    table = create_table(client)
    results: dict[str, Timing] = {}
    for size in sizes:
        pk = f"part-{size}"
        load_partition(client, table, pk, size)
        middle = f"item#{size // 2:08d}"

        def page(pk: str = pk, middle: str = middle) -> int:
            for _ in range(ops):
                response = client.query(
                    TableName=table,
                    KeyConditionExpression="pk = :p AND sk >= :s",
                    ExpressionAttributeValues={":p": {"S": pk}, ":s": {"S": middle}},
                    Limit=10,
                )
                assert len(response["Items"]) == 10
            return ops

        def paginate(pk: str = pk, middle: str = middle) -> int:
            start: dict[str, Any] | None = None
            for _ in range(5):
                kwargs: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
                response = client.query(
                    TableName=table,
                    KeyConditionExpression="pk = :p AND sk >= :s",
                    ExpressionAttributeValues={":p": {"S": pk}, ":s": {"S": middle}},
                    Limit=10,
                    **kwargs,
                )
                start = response["LastEvaluatedKey"]
            return 5

        results[f"query 10 items, partition of {size}"] = measure(page)
        results[f"query page 2-5 via LastEvaluatedKey, partition of {size}"] = measure(paginate)
    return results


def scan_cases(client: Any, size: int, ops: int) -> dict[str, Timing]:
    table = create_table(client)
    for p in range(size // 100):
        load_partition(client, table, f"scan-{p}", 100)

    def scan_pages() -> int:
        start: dict[str, Any] | None = None
        pages = 0
        while pages < ops:
            kwargs: dict[str, Any] = {"ExclusiveStartKey": start} if start else {}
            response = client.scan(TableName=table, Limit=100, **kwargs)
            pages += 1
            start = response.get("LastEvaluatedKey")
            if start is None:
                break
        return pages

    return {f"scan page of 100, table of {size}": measure(scan_pages)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--backend", action="append", choices=BACKENDS, help="repeatable; default emulator, moto"
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 40000])
    parser.add_argument("--ops", type=int, default=200, help="operations per timed run")
    parser.add_argument("--scan-size", type=int, default=10000)
    args = parser.parse_args()
    backends = args.backend or ["emulator", "moto"]

    single: dict[str, dict[str, Timing]] = {}
    queries: dict[str, dict[str, Timing]] = {}
    scans: dict[str, dict[str, Timing]] = {}
    for backend in backends:
        with open_backend(backend) as client:
            for case, timing in single_item_cases(client, args.ops).items():
                single.setdefault(case, {})[backend] = timing
            for case, timing in query_cases(client, args.sizes, max(args.ops // 4, 10)).items():
                queries.setdefault(case, {})[backend] = timing
            for case, timing in scan_cases(client, args.scan_size, 20).items():
                scans.setdefault(case, {})[backend] = timing
    print(f"# bench_operations: {machine()}")
    print_table("Single-item operations", single, backends)
    print_table("Query over a growing partition", queries, backends)
    print_table("Scan", scans, backends)


if __name__ == "__main__":
    main()
