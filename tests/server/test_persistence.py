"""``--db-path``: the journal survives restarts, torn tails and kills; compaction keeps the same data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.server.conftest import create_table, make_client, start_cli, stop_cli
from theorydb_mocks.emulator.persistence import MAGIC, Journal, JournalError, JournalRecord
from theorydb_mocks.emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parents[2]


def _items(client: Any, table: str = "things") -> dict[str, dict[str, Any]]:
    pages = client.get_paginator("scan").paginate(TableName=table)
    return {item["pk"]["S"]: item for page in pages for item in page["Items"]}


def _read(path: Path | str) -> list[JournalRecord]:
    """The journal's intact records (opening it truncates a torn tail), closed again."""
    journal = Journal(str(path))
    try:
        return journal.replay()
    finally:
        journal.close()


def test_data_survives_a_restart_with_creation_time(tmp_path: Path) -> None:
    path = str(tmp_path / "db.journal")
    with EmulatorServer(db_path=path) as server:
        client = make_client(server.endpoint_url)
        create_table(client, sort=True)
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "b": {"B": b"\x01"}})
        client.put_item(TableName="things", Item={"pk": {"S": "b"}, "sk": {"N": "2"}})
        client.delete_item(TableName="things", Key={"pk": {"S": "b"}, "sk": {"N": "2"}})
        client.update_item(
            TableName="things",
            Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
            UpdateExpression="ADD n :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        created = client.describe_table(TableName="things")["Table"]["CreationDateTime"]
        # A failed request changes nothing and is not journaled.
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.put_item(TableName="missing", Item={"pk": {"S": "x"}})
    with EmulatorServer(db_path=path) as server:
        client = make_client(server.endpoint_url)
        assert _items(client) == {
            "a": {"pk": {"S": "a"}, "sk": {"N": "1"}, "b": {"B": b"\x01"}, "n": {"N": "1"}}
        }
        assert client.describe_table(TableName="things")["Table"]["CreationDateTime"] == created
        assert client.list_tables()["TableNames"] == ["things"]


def test_replay_without_compaction_pins_the_clock(tmp_path: Path) -> None:
    path = str(tmp_path / "db.journal")
    journal = Journal(path)
    journal.replay()
    create = (
        b'{"TableName":"things","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],'
        b'"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"BillingMode":"PAY_PER_REQUEST"}'
    )
    journal.append(JournalRecord("", "DynamoDB_20120810.CreateTable", 1_600_000_000.0, create))
    journal.close()
    server = EmulatorServer(db_path=path)
    try:
        assert server.replayed == 1
        table = server.emulator.dispatch("DescribeTable", {"TableName": "things"})["Table"]
        assert table["CreationDateTime"].timestamp() == 1_600_000_000.0
        assert server.emulator.clock.now() > 1_700_000_000  # back on the system clock after replay
    finally:
        server.stop()


def test_compaction_rewrites_the_journal_as_a_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    with EmulatorServer(db_path=str(path), compact_every=10) as server:
        client = make_client(server.endpoint_url)
        create_table(client)
        for n in range(30):
            client.put_item(TableName="things", Item={"pk": {"S": str(n % 5)}, "n": {"N": str(n)}})
        assert server.journal is not None
        assert server.journal.records_written < 31  # compacted (in the background) at least once
    records = _read(path)
    # One record per table and one per ITEMS_PER_RECORD items, not one per item.
    assert [r.target.rsplit(".", 1)[1] for r in records] == ["CreateTable", "LoadItems"]
    with EmulatorServer(db_path=str(path)) as server:
        client = make_client(server.endpoint_url)
        assert {k: v["n"]["N"] for k, v in _items(client).items()} == {str(k): str(25 + k) for k in range(5)}


def test_per_access_key_databases_are_kept_apart(tmp_path: Path) -> None:
    path = str(tmp_path / "db.journal")
    with EmulatorServer(db_path=path, db_per_access_key=True) as server:
        create_table(make_client(server.endpoint_url, aws_access_key_id="alice"), "alices")
        create_table(make_client(server.endpoint_url, aws_access_key_id="bob"), "bobs")
    with EmulatorServer(db_path=path) as server:  # a shared-database run neither shows nor drops them
        assert make_client(server.endpoint_url, aws_access_key_id="alice").list_tables()["TableNames"] == []
    with EmulatorServer(db_path=path, db_per_access_key=True) as server:
        assert make_client(server.endpoint_url, aws_access_key_id="alice").list_tables()["TableNames"] == [
            "alices"
        ]
        assert make_client(server.endpoint_url, aws_access_key_id="bob").list_tables()["TableNames"] == [
            "bobs"
        ]


def _journal_with_records(path: Path, count: int) -> list[JournalRecord]:
    journal = Journal(str(path), fsync="never")
    journal.replay()
    records = [
        JournalRecord("", "DynamoDB_20120810.PutItem", float(n), b'{"n":%d}' % n) for n in range(count)
    ]
    for record in records:
        journal.append(record)
    journal.close()
    return records


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(min_value=0, max_value=400), flip=st.booleans())
def test_torn_or_corrupt_tail_is_cut_off(
    tmp_path_factory: pytest.TempPathFactory, cut: int, flip: bool
) -> None:
    path = tmp_path_factory.mktemp("torn") / "db.journal"
    records = _journal_with_records(path, 8)
    data = path.read_bytes()
    end = max(len(MAGIC), len(data) - cut)
    torn = bytearray(data[:end])
    if flip and end > len(MAGIC):
        torn[-1] ^= 0xFF  # a corrupt last byte instead of a clean cut
    path.write_bytes(bytes(torn))
    ends = [len(MAGIC)]
    for record in records:
        ends.append(ends[-1] + len(record.encode()))
    intact = sum(1 for boundary in ends[1:] if boundary <= end)
    if flip and end in ends[1:]:
        intact -= 1  # the flipped byte was the last intact record's: its checksum fails
    assert _read(path) == records[:intact]
    survivors = records[:intact]
    # The file was truncated to the intact prefix: appending now yields a clean journal.
    journal = Journal(str(path))
    assert journal.replay() == survivors
    journal.append(records[0])
    journal.close()
    assert _read(path) == [*survivors, records[0]]


def test_a_file_that_is_not_a_journal_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "precious.txt"
    path.write_bytes(b"my thesis")
    with pytest.raises(JournalError, match="not a TableTheory emulator journal"):
        EmulatorServer(db_path=str(path))
    assert path.read_bytes() == b"my thesis"


def test_interval_fsync_policy_writes_at_once(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    journal = Journal(str(path), fsync="interval", interval=0.05)
    journal.replay()
    journal.append(JournalRecord("", "DynamoDB_20120810.PutItem", 1.0, b"{}"))
    assert len(_read(path)) == 1  # visible to a reader (a killed process loses nothing)
    time.sleep(0.2)
    journal.close()
    with pytest.raises(ValueError, match="fsync must be one of"):
        Journal(str(path), fsync="sometimes")  # type: ignore[arg-type]


@pytest.mark.parametrize("fsync", ["always", "never"])
def test_kill_mid_write_keeps_every_acknowledged_write(tmp_path: Path, fsync: str) -> None:
    """SIGKILL while eight clients write: the file opens, and every acknowledged write is in it."""
    path = tmp_path / "db.journal"
    process, endpoint = start_cli(path, "--fsync", fsync, "--compact-every", "150")
    create_table(make_client(endpoint))
    acknowledged: list[str] = []
    stop = threading.Event()

    def writer(worker: int) -> None:
        client = make_client(endpoint)
        n = 0
        while not stop.is_set():
            key = f"{worker}-{n}"
            try:
                client.put_item(TableName="things", Item={"pk": {"S": key}, "pad": {"S": "x" * 200}})
            except Exception:  # the kill: unacknowledged
                return
            acknowledged.append(key)
            n += 1

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    stop_cli(process, signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join()
    assert len(acknowledged) > 20
    process, endpoint = start_cli(path)
    try:
        stored = set(_items(make_client(endpoint)))
    finally:
        assert stop_cli(process) == 0
    assert set(acknowledged) <= stored


def test_cli_exits_cleanly_on_sigint_and_reports_bad_paths(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    process, endpoint = start_cli(path)
    create_table(make_client(endpoint))
    assert stop_cli(process, signal.SIGINT) == 0
    bad = tmp_path / "not-a-journal"
    bad.write_bytes(b"hello")
    result = subprocess.run(
        [sys.executable, "-m", "theorydb_mocks", "serve", "--port", "0", "--db-path", str(bad)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "not a TableTheory emulator journal" in result.stderr
    assert os.path.getsize(bad) == 5


def test_snapshot_keeps_indexes_billing_and_streams(tmp_path: Path) -> None:
    path = str(tmp_path / "db.journal")
    with EmulatorServer(db_path=path) as server:
        client = make_client(server.endpoint_url)
        client.create_table(
            TableName="rich",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "g", "AttributeType": "B"},
                {"AttributeName": "l", "AttributeType": "S"},
            ],
            ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
                    "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 1},
                }
            ],
            LocalSecondaryIndexes=[
                {
                    "IndexName": "by-l",
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "l", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        )
        for n in range(12):
            client.put_item(
                TableName="rich",
                Item={
                    "pk": {"S": f"p{n % 3}"},
                    "sk": {"N": str(n)},
                    "g": {"B": bytes([n])},
                    "l": {"S": f"l{n}"},
                },
            )
        before = client.describe_table(TableName="rich")["Table"]
        items_before = client.scan(TableName="rich")["Items"]
    with EmulatorServer(db_path=path) as server:
        client = make_client(server.endpoint_url)
        after = client.describe_table(TableName="rich")["Table"]
        assert sorted(client.scan(TableName="rich")["Items"], key=repr) == sorted(items_before, key=repr)
        index_page = client.query(
            TableName="rich",
            IndexName="by-g",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"B": bytes([5])}},
        )
        assert [item["sk"]["N"] for item in index_page["Items"]] == ["5"]
    volatile = {"TableId", "LatestStreamArn", "LatestStreamLabel"}
    assert {k: v for k, v in after.items() if k not in volatile} == {
        k: v for k, v in before.items() if k not in volatile
    }


def test_writes_from_any_door_are_journaled(tmp_path: Path) -> None:
    """The journal is a stage of the emulator's pipeline: a write through the direct client or a routed
    boto3 client on the server's emulator survives a restart too, and stops being journaled at stop()."""
    path = str(tmp_path / "db.journal")
    with EmulatorServer(db_path=path) as server:
        create_table(make_client(server.endpoint_url))
        server.emulator.client().put_item(
            TableName="things", Item={"pk": {"S": "direct"}, "b": {"B": b"\x00"}}
        )
        server.emulator.boto3_client().put_item(TableName="things", Item={"pk": {"S": "routed"}})
    server.emulator.client().put_item(TableName="things", Item={"pk": {"S": "after-stop"}})
    with EmulatorServer(db_path=path) as server:
        assert set(_items(make_client(server.endpoint_url))) == {"direct", "routed"}
        assert _items(make_client(server.endpoint_url))["direct"]["b"] == {"B": b"\x00"}
