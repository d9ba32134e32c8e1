#!/usr/bin/env python3
"""A key-pinned PartiQL SELECT against the equivalent Query, as the partition grows; and the parse cache.

    python benchmarks/bench_partiql.py                              # emulator, partitions of 1k / 10k / 40k
    python benchmarks/bench_partiql.py --backend emulator --backend dynamodb-local --sizes 1000 40000

Each case reads one 10-item page from the middle of a partition (``pk = ? AND sk BETWEEN ? AND ?`` with a
filter on a non-key attribute, and the same as KeyConditionExpression plus FilterExpression), runs a warm-up
and then 5 timed runs; the table shows the median microseconds per call. A flat row as the partition grows
means the SELECT is served as a Query, O(log n + page); the summary gives SELECT / Query per size (the target:
at most 1.5). On the emulator it also counts the parses of the statement over the whole run (the target: one)
and times the first call of a new statement text against repeats of a parsed one.
"""

from __future__ import annotations

import argparse
import uuid
from typing import Any

from _harness import BACKENDS, Timing, machine, measure, open_backend, print_table

PAGE = 10


def create_table(client: Any) -> str:
    name = f"bench-partiql-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


def load_partition(client: Any, table: str, pk: str, size: int) -> None:
    for first in range(0, size, 25):
        writes = [
            {"PutRequest": {"Item": {"pk": {"S": pk}, "sk": {"N": str(i)}, "status": {"S": "open"}}}}
            for i in range(first, min(first + 25, size))
        ]
        client.batch_write_item(RequestItems={table: writes})


def cases_at_size(client: Any, table: str, size: int, ops: int) -> dict[str, Timing]:
    pk = f"p{size}"
    load_partition(client, table, pk, size)
    low, high = size // 2, size // 2 + PAGE - 1
    statement = f'SELECT * FROM "{table}" WHERE pk = ? AND sk BETWEEN ? AND ? AND status = ?'
    parameters = [{"S": pk}, {"N": str(low)}, {"N": str(high)}, {"S": "open"}]

    def select() -> int:
        for _ in range(ops):
            found = client.execute_statement(Statement=statement, Parameters=parameters)
            assert len(found["Items"]) == PAGE
        return ops

    def query() -> int:
        for _ in range(ops):
            found = client.query(
                TableName=table,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :low AND :high",
                FilterExpression="#s = :status",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":pk": {"S": pk},
                    ":low": {"N": str(low)},
                    ":high": {"N": str(high)},
                    ":status": {"S": "open"},
                },
            )
            assert len(found["Items"]) == PAGE
        return ops

    return {
        f"SELECT key-pinned, partition of {size}": measure(select),
        f"Query, partition of {size}": measure(query),
    }


def parse_cache_cases(client: Any, table: str, ops: int) -> dict[str, Timing]:
    """A new statement text each call (parsed every time) against one text repeated (parsed once)."""
    counter = iter(range(10**9))

    def fresh() -> int:
        for _ in range(ops):
            extra = next(counter)
            client.execute_statement(
                Statement=f"SELECT * FROM \"{table}\" WHERE pk = 'p1000' AND sk = {extra}"
            )
        return ops

    def repeated() -> int:
        for _ in range(ops):
            client.execute_statement(
                Statement=f'SELECT * FROM "{table}" WHERE pk = ? AND sk = ?',
                Parameters=[{"S": "p1000"}, {"N": "7"}],
            )
        return ops

    return {
        "statement parsed each call": measure(fresh),
        "statement parsed once, repeated": measure(repeated),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", action="append", choices=BACKENDS, help="repeatable; default emulator")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 40000])
    parser.add_argument("--ops", type=int, default=200, help="calls per timed run")
    args = parser.parse_args()
    backends = args.backend or ["emulator"]
    sizes = sorted(args.sizes)

    rows: dict[str, dict[str, Timing]] = {}
    parses: str | None = None
    for backend in backends:
        with open_backend(backend) as client:
            table = create_table(client)
            if backend == "emulator":
                from theorydb_mocks.emulator.partiql import parse_statement

                before = parse_statement.cache_info().misses
            for size in sizes:
                for case, timing in cases_at_size(client, table, size, args.ops).items():
                    rows.setdefault(case, {})[backend] = timing
            if backend == "emulator":
                parsed = parse_statement.cache_info().misses - before
                parses = f"- emulator: the key-pinned statement text was parsed {parsed} time(s) over the run"
            if 1000 in sizes:
                for case, timing in parse_cache_cases(client, table, args.ops).items():
                    rows.setdefault(case, {})[backend] = timing
    print(f"# bench_partiql: {machine()}")
    print_table(f"key-pinned SELECT vs Query, one {PAGE}-item page (us per call)", rows, backends)
    print()
    for backend in backends:
        for size in sizes:
            select = rows[f"SELECT key-pinned, partition of {size}"].get(backend)
            query = rows[f"Query, partition of {size}"].get(backend)
            if select is not None and query is not None:
                print(
                    f"- {backend}, partition of {size}: SELECT = {select.median / query.median:.2f} x Query"
                )
    if parses is not None:
        print(parses)


if __name__ == "__main__":
    main()
