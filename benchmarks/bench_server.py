#!/usr/bin/env python3
"""The HTTP server against DynamoDB Local, in one run: start-up, raw HTTP throughput, boto3 throughput.

    python benchmarks/bench_server.py                          # every backend, default sizes
    python benchmarks/bench_server.py --requests 5000 --connections 1 8
    python benchmarks/bench_server.py --backend server         # only the emulator's server

- Start-up: the wall time from launching the process (``python -m theorydb_mocks serve --port 0``, or Java
  with DynamoDB Local) until it answers a first ``ListTables``: a warm-up, then ``--runs`` runs.
- Raw HTTP: a keep-alive client written for this benchmark (sockets and ``selectors``, one outstanding
  request per connection) sends one pre-built GetItem request (headers and JSON body built once) over 1
  and over 8 connections, so what is measured is the server's cost, not botocore's. Each figure is the
  median of ``--runs`` timed runs of ``--requests`` requests after a warm-up; p50 and p99 are the latency of
  each request (send to last byte of the answer) in the median run.
- ``--db-path`` (in-process): start-up replaying ``--journal-items`` items, a compaction (total time and the
  two spells writers wait), start-up again from the compacted journal.
- CPU: the serving process's user and system time (``/proc``, every thread) over the timed raw runs, per
  request: unlike requests per second, it hardly depends on the other load of a shared machine.
- boto3: the same GetItem through a real boto3 client (keep-alive, no retries), one client, then
  ``--connections``-many clients in threads, for comparison with what an application sees.

``BENCH_SERVER_ROOT=/path/to/other/checkout`` serves that checkout's code instead (a before/after run).

Backends: ``server`` (the CLI's default event loop: uvloop's where the ``server`` extra is installed),
``server-asyncio`` (``--event-loop asyncio``) and ``dynamodb-local``. They run in this one invocation, one
after the other. Nothing is asserted; the numbers depend on
the machine (``machine()`` is printed with them) and on its load.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import selectors
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from _harness import machine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ("server", "server-asyncio", "dynamodb-local")
AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date;x-amz-target, Signature=0"
)


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
            "Authorization": AUTHORIZATION,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextlib.contextmanager
def start_server(*options: str) -> Iterator[tuple[str, float, int | None]]:
    """The emulator's CLI in a subprocess; yields (endpoint, seconds until it answered, process id)."""
    root = os.environ.get("BENCH_SERVER_ROOT", ROOT)  # another checkout, for before/after comparisons
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "theorydb_mocks", "serve", "--port", "0", *options],
        cwd=root,
        env={**os.environ, "PYTHONPATH": root},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        endpoint = process.stdout.readline().split()[-1]
        while not _answers(endpoint):
            time.sleep(0.002)
        yield endpoint, time.perf_counter() - started, process.pid
    finally:
        process.terminate()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


@contextlib.contextmanager
def start_local() -> Iterator[tuple[str, float, int | None]]:
    """DynamoDB Local (in memory) on a free port; yields (endpoint, seconds until it answered, its Java
    process id)."""
    sys.path.insert(0, ROOT)
    from theorydb_mocks.dynamodb_local import DynamoDBLocal

    started = time.perf_counter()
    local = DynamoDBLocal()
    try:
        endpoint = local.start()
        while not _answers(endpoint):
            time.sleep(0.002)
        process = getattr(local, "_proc", None)
        yield endpoint, time.perf_counter() - started, process.pid if process is not None else None
    finally:
        local.stop()


STARTERS = {
    "server": start_server,  # uvloop's event loop where installed (the ``server`` extra), else asyncio's
    "server-asyncio": lambda: start_server("--event-loop", "asyncio"),
    "dynamodb-local": start_local,
}


@dataclass(frozen=True)
class Rate:
    """Requests per second, per-request latency (milliseconds), and the serving process's CPU time per
    request (microseconds; None where it cannot be read)."""

    per_second: float
    p50_ms: float
    p99_ms: float
    cpu_us: float | None = None


def cpu_seconds(pid: int | None) -> float | None:
    """User plus system CPU time of process ``pid`` and all its threads (Linux ``/proc``), or None.

    Unlike requests per second, CPU per request hardly depends on what else the machine is running."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def startup(backend: str, runs: int) -> list[float]:
    with STARTERS[backend]():
        pass  # warm-up: file caches
    samples = []
    for _ in range(runs):
        with STARTERS[backend]() as (_, seconds, _pid):
            samples.append(seconds)
    return samples


# --- the raw keep-alive client ---------------------------------------------------------------------------


def _request_bytes(host: str, target: str, body: bytes) -> bytes:
    head = (
        f"POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Target: {target}\r\n"
        "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Date: 20240101T000000Z\r\n"
        f"Authorization: {AUTHORIZATION}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


def _complete(buffer: bytearray) -> int:
    """The length of the first complete response in ``buffer``, or 0 (Content-Length or chunked)."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return 0
    head = bytes(buffer[:end]).lower()
    marker = head.find(b"content-length:")
    if marker >= 0:
        length = int(head[marker + 15 :].split(b"\r\n", 1)[0])
        total = end + 4 + length
        return total if len(buffer) >= total else 0
    position = end + 4  # chunked
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return 0
        size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
        position = line_end + 2 + size + 2
        if position > len(buffer):
            return 0
        if size == 0:
            return position


def raw_run(endpoint: str, request: bytes, connections: int, total: int) -> tuple[float, list[float]]:
    """``total`` requests over ``connections`` keep-alive sockets; (seconds, latencies in seconds)."""
    parts = urlsplit(endpoint)
    selector = selectors.DefaultSelector()
    buffers: dict[socket.socket, bytearray] = {}
    sent_at: dict[socket.socket, float] = {}
    latencies: list[float] = []
    remaining = total
    started = time.perf_counter()
    for _ in range(min(connections, total)):
        sock = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffers[sock] = bytearray()
        selector.register(sock, selectors.EVENT_READ)
        sent_at[sock] = time.perf_counter()
        sock.sendall(request)
        remaining -= 1
    while len(latencies) < total:
        for key, _ in selector.select():
            ready: Any = key.fileobj
            data = ready.recv(262144)
            if not data:
                raise ConnectionError("the server closed a keep-alive connection")
            buffer = buffers[ready]
            buffer += data
            while (size := _complete(buffer)) > 0:
                if not buffer.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(bytes(buffer[:size]).decode("latin-1"))
                del buffer[:size]
                now = time.perf_counter()
                latencies.append(now - sent_at[ready])
                if remaining > 0:
                    remaining -= 1
                    sent_at[ready] = now
                    ready.sendall(request)
    elapsed = time.perf_counter() - started
    for sock in buffers:
        selector.unregister(sock)
        sock.close()
    selector.close()
    return elapsed, latencies


def raw_rate(
    endpoint: str, request: bytes, connections: int, total: int, runs: int, pid: int | None = None
) -> Rate:
    raw_run(endpoint, request, connections, max(200, total // 5))  # warm-up
    cpu_before = cpu_seconds(pid)
    results = [raw_run(endpoint, request, connections, total) for _ in range(runs)]
    cpu_after = cpu_seconds(pid)
    results.sort(key=lambda result: result[0])
    elapsed, latencies = results[len(results) // 2]
    latencies.sort()
    cpu = None if cpu_before is None or cpu_after is None else (cpu_after - cpu_before) / (runs * total)
    return Rate(
        per_second=total / elapsed,
        p50_ms=latencies[len(latencies) // 2] * 1000,
        p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
        cpu_us=None if cpu is None else cpu * 1e6,
    )


# --- the boto3 client ------------------------------------------------------------------------------------


def boto3_rate(endpoint: str, table: str, connections: int, total: int, runs: int) -> Rate:
    clients = [client_for(endpoint) for _ in range(connections)]
    key = {"pk": {"S": "item"}}

    def one_run() -> tuple[float, list[float]]:
        latencies: list[float] = []
        lock = threading.Lock()

        def work(client: Any, count: int) -> None:
            own: list[float] = []
            for _ in range(count):
                began = time.perf_counter()
                client.get_item(TableName=table, Key=key)
                own.append(time.perf_counter() - began)
            with lock:
                latencies.extend(own)

        started = time.perf_counter()
        workers = [threading.Thread(target=work, args=(c, total // connections)) for c in clients]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        return time.perf_counter() - started, latencies

    one_run()  # warm-up
    results = sorted((one_run() for _ in range(runs)), key=lambda result: result[0])
    elapsed, latencies = results[len(results) // 2]
    latencies.sort()
    done = len(latencies)
    return Rate(
        done / elapsed, latencies[done // 2] * 1000, latencies[min(done - 1, int(done * 0.99))] * 1000
    )


def throughput(endpoint: str, args: argparse.Namespace, pid: int | None = None) -> dict[str, Rate]:
    client = client_for(endpoint)
    table = f"bench-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    client.put_item(TableName=table, Item={"pk": {"S": "item"}, "name": {"S": "x" * 60}, "n": {"N": "42"}})
    body = json.dumps({"TableName": table, "Key": {"pk": {"S": "item"}}}).encode()
    request = _request_bytes(urlsplit(endpoint).netloc, "DynamoDB_20120810.GetItem", body)
    rows: dict[str, Rate] = {}
    for connections in args.connections:
        rows[f"GetItem, raw HTTP, {connections} conn."] = raw_rate(
            endpoint, request, connections, args.requests, args.runs, pid
        )
    for connections in args.connections:
        rows[f"GetItem, boto3, {connections} client(s)"] = boto3_rate(
            endpoint, table, connections, args.boto3_requests, args.runs
        )
    client.delete_table(TableName=table)
    return rows


def journal_costs(items: int) -> dict[str, float]:
    """``--db-path`` in-process: start-up replaying ``items`` items written in batches of 25, compaction
    (how long writers were held), and start-up again from the compacted journal."""
    import shutil
    import tempfile

    sys.path.insert(0, ROOT)
    from theorydb_mocks.emulator.server import EmulatorServer

    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "db.journal")
        server = EmulatorServer(db_path=path, fsync="never", compact_every=10**9)
        emulator = server.emulator
        emulator.dispatch(
            "CreateTable",
            {
                "TableName": "journal-bench",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "BillingMode": "PAY_PER_REQUEST",
            },
        )
        for first in range(0, items, 25):
            batch = [
                {"PutRequest": {"Item": {"pk": {"S": f"item-{n:08d}"}, "v": {"S": "x" * 60}}}}
                for n in range(first, min(items, first + 25))
            ]
            emulator.dispatch("BatchWriteItem", {"RequestItems": {"journal-bench": batch}})
        assert server.journal is not None
        server.journal.sync()
        uncompacted = os.path.join(directory, "uncompacted.journal")
        shutil.copyfile(path, uncompacted)
        server.compact()
        costs = dict(server.last_compaction)
        server.stop()
        costs["journal bytes, uncompacted"] = os.path.getsize(uncompacted)
        costs["journal bytes, compacted"] = os.path.getsize(path)
        for name, journal in (("start-up, uncompacted", uncompacted), ("start-up, compacted", path)):
            started = time.perf_counter()
            restarted = EmulatorServer(db_path=journal, fsync="never")
            costs[name] = time.perf_counter() - started
            restarted.stop()
        return costs


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", action="append", choices=BACKENDS, help="repeatable; default: all")
    parser.add_argument("--requests", type=int, default=5000, help="raw HTTP requests per timed run")
    parser.add_argument("--boto3-requests", type=int, default=800, help="boto3 calls per timed run")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 8], help="connection counts")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (and start-ups) per case")
    parser.add_argument(
        "--journal-items", type=int, default=100_000, help="items for the journal costs; 0: skip"
    )
    args = parser.parse_args()
    backends = args.backend or list(BACKENDS)
    print(f"# Server benchmark\n\n{machine()}; {args.requests} raw requests per run, {args.runs} runs")
    print(f"load average at the start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    starts: dict[str, list[float]] = {}
    rows: dict[str, dict[str, Rate]] = {}
    for backend in backends:
        try:
            starts[backend] = startup(backend, args.runs)
        except Exception as exc:  # DynamoDB Local needs Java and its package
            print(f"\n{backend}: start-up not measured ({exc})")
        try:
            with STARTERS[backend]() as (endpoint, _, pid):
                for case, rate in throughput(endpoint, args, pid).items():
                    rows.setdefault(case, {})[backend] = rate
        except Exception as exc:
            print(f"\n{backend}: throughput not measured ({exc})")
    print("\n## Start-up (s, launch to first answer)\n")
    print("| backend | min | median | max |\n|---|---|---|---|")
    for backend, samples in starts.items():
        print(f"| {backend} | {min(samples):.3f} | {statistics.median(samples):.3f} | {max(samples):.3f} |")
    print("\n## GetItem throughput (requests/s; latency p50 / p99 in ms)\n")
    header = " | ".join(f"{b} req/s | {b} p50 | {b} p99" for b in backends)
    print(f"| case | {header} | server / Local |")
    print("|---|" + "---|" * (3 * len(backends) + 1))
    for case, by_backend in rows.items():
        cells = []
        for backend in backends:
            found = by_backend.get(backend)
            cells.append(
                "n/a | n/a | n/a"
                if found is None
                else f"{found.per_second:,.0f} | {found.p50_ms:.2f} | {found.p99_ms:.2f}"
            )
        server, local = by_backend.get("server"), by_backend.get("dynamodb-local")
        ratio = f"{server.per_second / local.per_second:.1f}x" if server and local else "n/a"
        print(f"| {case} | {' | '.join(cells)} | {ratio} |")
    print("\n## CPU time of the serving process per raw-HTTP GetItem (us; every thread)\n")
    print(f"| case | {' | '.join(backends)} | Local / server |")
    print("|---|" + "---|" * (len(backends) + 1))
    for case, by_backend in rows.items():
        if "raw HTTP" not in case:
            continue
        cpu = {b: r.cpu_us for b, r in by_backend.items()}
        figures = [f"{cpu[b]:.0f}" if cpu.get(b) is not None else "n/a" for b in backends]
        mine, theirs = cpu.get("server"), cpu.get("dynamodb-local")
        ratio = f"{theirs / mine:.1f}x" if mine and theirs else "n/a"
        print(f"| {case} | {' | '.join(figures)} | {ratio} |")
    print(f"\nload average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.journal_items:
        print(f"\n## --db-path with {args.journal_items:,} items (fsync never)\n")
        print("| measure | value |\n|---|---|")
        for name, value in journal_costs(args.journal_items).items():
            shown = f"{value:,.0f}" if "bytes" in name or name == "records" else f"{value:.3f} s"
            print(f"| {name} | {shown} |")


if __name__ == "__main__":
    main()
