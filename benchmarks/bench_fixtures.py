#!/usr/bin/env python3
"""What a test pays before its first assertion: a fresh DynamoDB, one table, one put.

    python benchmarks/bench_fixtures.py                  # every setup, 200 setups per run
    python benchmarks/bench_fixtures.py --setups 1000 --backend emulator --backend moto
    python benchmarks/bench_fixtures.py --items 100 --backend emulator   # a small test: 100 puts and a query

Each column is one way a test gets a fresh DynamoDB, doing what the plugin's fixtures do:

- ``emulator``: ``ddb_emulator`` + ``ddb_client`` (a new ``DynamoDBEmulator`` with its operation log, its
  direct client), then CreateTable and PutItem;
- ``emulator-orm``: the same through ``ddb_table(model)`` (``create_table`` waits for ACTIVE) and
  ``Table.put``;
- ``emulator-boto3``: ``ddb_boto3``, a real boto3 client answered in-process (a client is built per test);
- ``mock_dynamodb``: ``with mock_dynamodb(): boto3.client("dynamodb")`` (global routing, per test);
- ``moto``: ``with mock_aws(): boto3.client("dynamodb")``, moto's equivalent setup.

Each run does ``--setups`` setups after a warm-up; the table shows the median microseconds per setup over
5 runs and each column's ratio to ``emulator``. Pytest's own per-fixture overhead is not included.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from _harness import Timing, machine, measure, print_table

SETUPS = ("emulator", "emulator-orm", "emulator-boto3", "mock_dynamodb", "moto")

KEY = [{"AttributeName": "pk", "KeyType": "HASH"}]
DEFS = [{"AttributeName": "pk", "AttributeType": "S"}]


ITEMS = 1  # items each setup writes (--items); with more than one, the setup also queries them


def table_and_put(client: Any) -> None:
    client.create_table(
        TableName="things", KeySchema=KEY, AttributeDefinitions=DEFS, BillingMode="PAY_PER_REQUEST"
    )
    if ITEMS == 1:
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
        return
    for n in range(ITEMS):
        client.put_item(TableName="things", Item={"pk": {"S": f"a{n}"}, "n": {"N": str(n)}})
    client.query(
        TableName="things", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a7"}}
    )


def fresh_emulator() -> Any:
    """What the ``ddb_emulator`` fixture does: a new emulator with its operation log attached."""
    from pytest_plugin._oplog import OperationLog
    from theorydb_mocks import DynamoDBEmulator

    emulator = DynamoDBEmulator()
    OperationLog.attach(emulator, 20)
    return emulator


def setup_for(name: str) -> Callable[[], None]:
    if name == "emulator":
        return lambda: table_and_put(fresh_emulator().client())
    if name == "emulator-orm":
        from theorydb_py import ModelDefinition, Table, create_table, theorydb_field

        @dataclass
        class Thing:
            pk: str = theorydb_field(roles="pk")
            n: int = 0

        model = ModelDefinition.from_dataclass(Thing, table_name="things")

        def orm() -> None:
            client = fresh_emulator().client()
            create_table(model, client=client)
            Table(model, client=client).put(Thing(pk="a", n=1))

        return orm
    if name == "emulator-boto3":
        return lambda: table_and_put(fresh_emulator().boto3_client())
    if name == "mock_dynamodb":
        import boto3

        from theorydb_mocks import mock_dynamodb

        def routed() -> None:
            with mock_dynamodb():
                table_and_put(boto3.client("dynamodb"))

        return routed
    if name == "moto":
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
        import boto3
        from moto import mock_aws

        def moto() -> None:
            with mock_aws():
                table_and_put(boto3.client("dynamodb", region_name="us-east-1"))

        return moto
    raise SystemExit(f"unknown setup {name!r}; choose from {', '.join(SETUPS)}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", action="append", choices=SETUPS, help="setups to time (default: all)")
    parser.add_argument("--setups", type=int, default=200, help="setups per timed run (default 200)")
    parser.add_argument(
        "--items", type=int, default=1, help="items each setup puts (default 1); above 1 it also queries"
    )
    parser.add_argument("--cpu", action="store_true", help="CPU time (time.process_time), not wall time")
    args = parser.parse_args()
    global ITEMS
    ITEMS = args.items
    names = args.backend or list(SETUPS)
    timings: dict[str, Timing] = {}
    for name in names:
        setup = setup_for(name)

        def run(setup: Callable[[], None] = setup) -> int:
            for _ in range(args.setups):
                setup()
            return int(args.setups)

        timings[name] = measure(run, clock=time.process_time if args.cpu else time.perf_counter)
    clock = "CPU time" if args.cpu else "wall time"
    print(f"# Fixture setup cost ({machine()}, {args.setups} setups per run, {clock})")
    print_table("fresh DynamoDB + CreateTable + PutItem (us per setup)", {"setup": timings}, names)
    for name, timing in timings.items():
        low, mid, high = (value * 1e6 for value in (timing.min, timing.median, timing.max))
        print(f"{name}: min {low:.1f} us, median {mid:.1f} us, max {high:.1f} us")


if __name__ == "__main__":
    main()
