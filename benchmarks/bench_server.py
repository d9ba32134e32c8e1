#!/usr/bin/env python3
"""The HTTP server against DynamoDB Local: start-up time and throughput with the same boto3 client.

    python benchmarks/bench_server.py                          # both backends, default sizes
    python benchmarks/bench_server.py --ops 300 --threads 8
    python benchmarks/bench_server.py --local-endpoint http://127.0.0.1:8111   # reuse a running Local

Start-up is the wall time from launching the process (``python -m theorydb_mocks serve --port 0``, or Java
with DynamoDB Local) until it answers a first ``ListTables``: a warm-up, then 5 runs, min/median/max.
Throughput runs the same boto3 client (same config, keep-alive, no retries) against each endpoint: single-item
puts and gets, one-page queries, and puts from ``--threads`` concurrent clients. The table shows median
microseconds per operation and the ratio of DynamoDB Local to the server (above 1.0x: the server is faster).
Nothing is asserted; the numbers depend on the machine (``machine()`` is printed with them).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

from _harness import Timing, machine, measure, print_table

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ("server", "dynamodb-local")


def client_for(endpoint: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=64),
    )


def _answers(endpoint: str) -> bool:
    request = urllib.request.Request(
        endpoint,
        data=b"{}",
        headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/dynamodb/aws4_request",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def start_server() -> Iterator[tuple[str, float]]:
    """The emulator's CLI in a subprocess; yields (endpoint, seconds until it answered)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "theorydb_mocks", "serve", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        endpoint = process.stdout.readline().split()[-1]
        while not _answers(endpoint):
            time.sleep(0.005)
        yield endpoint, time.perf_counter() - started
    finally:
        process.terminate()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


@contextlib.contextmanager
def start_local() -> Iterator[tuple[str, float]]:
    """DynamoDB Local (in memory) on a free port; yields (endpoint, seconds until it answered)."""
    sys.path.insert(0, ROOT)
    from theorydb_mocks.dynamodb_local import DynamoDBLocal

    started = time.perf_counter()
    local = DynamoDBLocal()
    try:
        endpoint = local.start()
        while not _answers(endpoint):
            time.sleep(0.005)
        yield endpoint, time.perf_counter() - started
    finally:
        local.stop()


STARTERS = {"server": start_server, "dynamodb-local": start_local}


def startup(backend: str, runs: int) -> Timing:
    with STARTERS[backend]():
        pass  # warm-up: file caches, JIT of nothing in particular
    samples = []
    for _ in range(runs):
        with STARTERS[backend]() as (_, seconds):
            samples.append(seconds)
    return Timing(min(samples), statistics.median(samples), max(samples))


def throughput(endpoint: str, ops: int, threads: int) -> dict[str, Timing]:
    client = client_for(endpoint)
    table = f"bench-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=table,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    counter = iter(range(10**9))

    def item(n: int) -> dict[str, Any]:
        return {
            "pk": {"S": f"p{n % 10}"},
            "sk": {"N": str(n)},
            "name": {"S": f"name {n}"},
            "b": {"B": b"\x00" * 16},
        }

    def puts() -> int:
        for _ in range(ops):
            client.put_item(TableName=table, Item=item(next(counter)))
        return ops

    def gets() -> int:
        for n in range(ops):
            client.get_item(TableName=table, Key={"pk": {"S": f"p{n % 10}"}, "sk": {"N": str(n)}})
        return ops

    def queries() -> int:
        for n in range(ops):
            client.query(
                TableName=table,
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": f"p{n % 10}"}},
                Limit=10,
            )
        return ops

    clients = [client_for(endpoint) for _ in range(threads)]

    def concurrent_puts() -> int:
        def work(own: Any) -> None:
            for _ in range(ops // threads):
                own.put_item(TableName=table, Item=item(next(counter)))

        workers = [threading.Thread(target=work, args=(c,)) for c in clients]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return (ops // threads) * threads

    results = {
        "PutItem": measure(puts),
        "GetItem": measure(gets),
        "Query (10-item page)": measure(queries),
        f"PutItem, {threads} threads": measure(concurrent_puts),
    }
    client.delete_table(TableName=table)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", action="append", choices=BACKENDS, help="repeatable; default: both")
    parser.add_argument("--ops", type=int, default=500, help="operations per timed run")
    parser.add_argument("--threads", type=int, default=8, help="clients in the concurrent case")
    parser.add_argument("--runs", type=int, default=5, help="timed start-ups per backend")
    parser.add_argument("--local-endpoint", help="use this running DynamoDB Local for throughput")
    args = parser.parse_args()
    backends = args.backend or list(BACKENDS)
    print(f"# Server benchmark\n\n{machine()}; {args.ops} ops per run, {args.threads} threads")
    starts: dict[str, dict[str, Timing]] = {"start-up (s, to first answer)": {}}
    rows: dict[str, dict[str, Timing]] = {}
    for backend in backends:
        try:
            starts["start-up (s, to first answer)"][backend] = startup(backend, args.runs)
        except Exception as exc:  # DynamoDB Local needs Java and its package
            print(f"\n{backend}: start-up not measured ({exc})")
        reuse = args.local_endpoint if backend == "dynamodb-local" else None
        context = contextlib.nullcontext((reuse, 0.0)) if reuse else STARTERS[backend]()
        try:
            with context as (endpoint, _):
                for case, timing in throughput(endpoint, args.ops, args.threads).items():
                    rows.setdefault(case, {})[backend] = timing
        except Exception as exc:
            print(f"\n{backend}: throughput not measured ({exc})")
    print("\n## Start-up\n")
    print("| backend | min (s) | median (s) | max (s) |\n|---|---|---|---|")
    for backend, timing in starts["start-up (s, to first answer)"].items():
        print(f"| {backend} | {timing.min:.3f} | {timing.median:.3f} | {timing.max:.3f} |")
    print_table("Throughput (same boto3 client)", rows, backends)


if __name__ == "__main__":
    main()
