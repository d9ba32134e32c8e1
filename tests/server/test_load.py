"""Load: many clients doing conditional increments on a few shared items for a bounded time.

Every increment is a read then a conditional write (optimistic locking), retried on a conflict. At the end
each item's counter must equal the number of acknowledged increments (no lost update), and no request may have
failed with anything but ``ConditionalCheckFailedException`` (no 5xx). Latency percentiles are reported as
test properties and printed (``-s``); nothing is asserted about time.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.server.conftest import create_table, make_client

CLIENTS = int(os.environ.get("THEORYDB_LOAD_CLIENTS", "16"))
SECONDS = float(os.environ.get("THEORYDB_LOAD_SECONDS", "3"))
ITEMS = 4


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def test_conditional_increments_lose_no_update(
    ddb_server_endpoint: str, record_property: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    setup = make_client(ddb_server_endpoint)
    create_table(setup)
    for n in range(ITEMS):
        setup.put_item(TableName="things", Item={"pk": {"S": f"counter-{n}"}, "n": {"N": "0"}})
    acknowledged = [0] * ITEMS
    conflicts = [0]
    failures: list[str] = []
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    def worker(index: int) -> None:
        client = make_client(ddb_server_endpoint)
        own: list[float] = []
        done = [0] * ITEMS
        lost = 0
        target = index % ITEMS
        while time.monotonic() < deadline:
            key = {"pk": {"S": f"counter-{target}"}}
            try:
                started = time.perf_counter()
                current = client.get_item(TableName="things", Key=key, ConsistentRead=True)["Item"]["n"]["N"]
                own.append(time.perf_counter() - started)
                started = time.perf_counter()
                client.update_item(
                    TableName="things",
                    Key=key,
                    UpdateExpression="SET n = n + :one",
                    ConditionExpression="n = :seen",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":seen": {"N": current}},
                )
                own.append(time.perf_counter() - started)
                done[target] += 1
                target = (target + 1) % ITEMS
            except ClientError as err:
                if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
                    lost += 1
                    continue
                with lock:
                    failures.append(f"{err.response['Error']['Code']}: {err}")
                return
            except Exception as exc:  # a transport failure is a failure too
                with lock:
                    failures.append(repr(exc))
                return
        with lock:
            latencies.extend(own)
            conflicts[0] += lost
            for n in range(ITEMS):
                acknowledged[n] += done[n]

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    stored = [
        int(setup.get_item(TableName="things", Key={"pk": {"S": f"counter-{n}"}})["Item"]["n"]["N"])
        for n in range(ITEMS)
    ]
    assert stored == acknowledged
    assert sum(acknowledged) > 0
    report = {
        "clients": CLIENTS,
        "seconds": SECONDS,
        "increments": sum(acknowledged),
        "conflicts": conflicts[0],
        "requests": len(latencies),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p90_ms": round(_percentile(latencies, 0.90) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "max_ms": round(max(latencies) * 1000, 2),
    }
    for name, value in report.items():
        record_property(name, value)
    with capsys.disabled():
        print(f"\nload: {report}")
