"""Shared machinery for the benchmark scripts: backends, timing, and the report table.

Every script builds clients through ``open_backend`` so the same workload runs against each backend in one
process, one after the other; ``measure`` does a warm-up and then ``runs`` timed runs and keeps min, median
and max. Nothing here asserts on time: the output is a report, committed with its machine description.
"""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BACKENDS = ("emulator", "moto", "dynamodb-local")


@dataclass(frozen=True)
class Timing:
    """Seconds per operation over the timed runs."""

    min: float
    median: float
    max: float

    def per_op_us(self) -> str:
        return f"{self.median * 1e6:10.1f}"


def measure(
    fn: Callable[[], int], *, runs: int = 5, warmup: int = 1, clock: Callable[[], float] = time.perf_counter
) -> Timing:
    """Call ``fn`` (returning how many operations it did) ``warmup`` + ``runs`` times; time per operation.

    ``clock``: wall time by default; ``time.process_time`` (CPU time) on a machine others load."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = clock()
        ops = fn()
        samples.append((clock() - start) / max(ops, 1))
    return Timing(min(samples), statistics.median(samples), max(samples))


@contextlib.contextmanager
def open_backend(name: str) -> Iterator[Any]:
    """A low-level DynamoDB client for the named backend, torn down afterwards."""
    if name == "emulator":
        from theorydb_mocks import DynamoDBEmulator

        yield DynamoDBEmulator().client()
    elif name == "moto":
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
        import boto3
        from moto import mock_aws

        with mock_aws():
            yield boto3.client("dynamodb", region_name="us-east-1")
    elif name == "dynamodb-local":
        import boto3

        from theorydb_mocks.dynamodb_local import DynamoDBLocal

        with DynamoDBLocal() as local:
            yield boto3.client(
                "dynamodb",
                endpoint_url=local.endpoint_url,
                region_name="us-east-1",
                aws_access_key_id="bench",
                aws_secret_access_key="bench",
            )
    else:
        raise SystemExit(f"unknown backend {name!r}; choose from {', '.join(BACKENDS)}")


def machine() -> str:
    return f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores"


def print_table(title: str, rows: dict[str, dict[str, Timing]], backends: list[str]) -> None:
    """Median microseconds per operation for each row and backend, then the ratio to the first backend."""
    print(f"\n## {title}\n")
    base = backends[0]
    head = "| case | " + " | ".join(f"{b} (us/op)" for b in backends)
    head += "".join(f" | {b} / {base}" for b in backends[1:]) + " |"
    print(head)
    print("|" + "---|" * (1 + 2 * len(backends) - 1))
    for case, timings in rows.items():
        cells = [timings[b].per_op_us() if b in timings else "n/a" for b in backends]
        ratios = []
        for b in backends[1:]:
            if b in timings and base in timings and timings[base].median > 0:
                ratios.append(f"{timings[b].median / timings[base].median:8.1f}x")
            else:
                ratios.append("n/a")
        print(f"| {case} | " + " | ".join(cells) + "".join(f" | {r}" for r in ratios) + " |")


def noop_call_ns() -> float:
    """CPU nanoseconds of one call of a Python function that does nothing (best of 5 x 1M): the scale
    of this run. About 45-50 ns on the project's machine when idle; more when other work shares the CPU."""
    nothing: Callable[[], None] = lambda: None  # noqa: E731
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for _ in range(1_000_000):
            nothing()
        best = min(best, time.process_time() - start)
    return best * 1000
