"""The journal under damage: bit flips, torn pages, short writes, failed syncs, kills during compaction.

The rules: an acknowledged write is never lost; a write the journal could not record is never applied or
acknowledged; damage followed by valid records is refused (or kept aside on request), never truncated; a
torn tail is cut and reported.
"""

from __future__ import annotations

import errno
import os
import resource
import signal
import stat
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
from theorydb_mocks.emulator import persistence
from theorydb_mocks.emulator.persistence import (
    MAGIC,
    Journal,
    JournalCorruptError,
    JournalRecord,
)
from theorydb_mocks.emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parents[2]


def _records(count: int) -> list[JournalRecord]:
    return [
        JournalRecord("", "DynamoDB_20120810.PutItem", float(n), b'{"TableName":"things","n":%d}' % n)
        for n in range(count)
    ]


def _write_journal(path: Path, records: list[JournalRecord]) -> list[int]:
    """Write ``records``; returns each record's start offset."""
    journal = Journal(str(path), fsync="never")
    journal.replay()
    starts = [journal.append(record) for record in records]
    journal.close()
    return starts


def _open(path: Path, **options: Any) -> tuple[Journal, list[JournalRecord]]:
    journal = Journal(str(path), **options)
    records = journal.replay()
    journal.close()
    return journal, records


# --- damage at start-up -------------------------------------------------------------------------------


def test_a_flipped_bit_before_valid_records_is_corruption_and_nothing_is_cut(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    starts = _write_journal(path, _records(1001))
    data = bytearray(path.read_bytes())
    data[starts[10] + 12] ^= 0x04  # one bit in record 10 of 1001
    path.write_bytes(bytes(data))
    with pytest.raises(JournalCorruptError, match=rf"damaged at byte {starts[10]} \(after record 10\)"):
        _open(path)
    assert path.read_bytes() == bytes(data)  # untouched
    with pytest.raises(JournalCorruptError, match="--recover-journal"):
        EmulatorServer(db_path=str(path))
    assert path.read_bytes() == bytes(data)


def test_recover_keeps_the_damaged_file_aside(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    records = _records(50)
    starts = _write_journal(path, records)
    data = bytearray(path.read_bytes())
    data[starts[20] + 3] ^= 0xFF  # the length field of record 20
    path.write_bytes(bytes(data))
    journal, kept = _open(path, recover=True)
    assert kept == records[:20]
    assert journal.recovered_to is not None
    assert Path(journal.recovered_to).read_bytes() == bytes(data)
    assert _open(path)[1] == records[:20]  # the new journal is clean


def test_a_torn_tail_is_cut_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    records = _records(100)
    _write_journal(path, records)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size - 7)  # the last record was being written
    journal, kept = _open(path)
    assert kept == records[:99]
    assert journal.dropped_bytes == len(records[99].encode()) - 7
    assert path.stat().st_size == size - len(records[99].encode())


def test_a_torn_page_at_the_end_is_a_torn_tail_and_in_the_middle_is_corruption(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    records = _records(400)
    _write_journal(path, records)
    data = path.read_bytes()
    page = 4096
    last_page = (len(data) - 1) // page * page
    path.write_bytes(data[:last_page] + b"\0" * (len(data) - last_page))  # the last page never reached disk
    journal, kept = _open(path)
    assert 0 < len(kept) < 400 and kept == records[: len(kept)]
    assert journal.dropped_bytes > 0
    path.write_bytes(data[:page] + b"\0" * page + data[2 * page :])  # a page lost in the middle
    with pytest.raises(JournalCorruptError):
        _open(path)


@settings(max_examples=60, deadline=None)
@given(
    position=st.integers(min_value=len(MAGIC), max_value=3000),
    mask=st.integers(min_value=1, max_value=255),
    cut=st.integers(min_value=0, max_value=3000),
)
def test_any_damage_is_reported_never_silently_shortened(
    tmp_path_factory: pytest.TempPathFactory, position: int, mask: int, cut: int
) -> None:
    path = tmp_path_factory.mktemp("damage") / "db.journal"
    records = _records(60)
    starts = _write_journal(path, records)
    data = bytearray(path.read_bytes())
    position = min(position, len(data) - 1)
    data[position] ^= mask
    del data[max(len(MAGIC), len(data) - cut) :]
    path.write_bytes(bytes(data))
    ends = [*starts[1:], len(path.read_bytes()) + cut]
    damaged = next(n for n, start in enumerate(starts) if start <= position < ends[n])
    complete = sum(1 for end in ends if end <= len(data))
    try:
        journal, kept = _open(path)
    except JournalCorruptError:
        assert damaged < complete - 1 or (damaged == complete - 1 and complete < len(records))
        return
    # Accepted: only the records before the damage (or the cut), and what was dropped was reported.
    assert kept == records[: len(kept)]
    assert len(kept) >= min(damaged, complete) - 0
    assert len(kept) == min(damaged, complete)
    assert journal.dropped_bytes == len(data) - (starts[len(kept)] if len(kept) < len(starts) else len(data))


# --- writes that fail ---------------------------------------------------------------------------------


class _FailingWriter:
    """``os.write`` that writes only ``allow`` more bytes, then reports the disk full."""

    def __init__(self) -> None:
        self.allow: int | None = None

    def __call__(self, fd: int, data: bytes) -> int:
        if self.allow is None:
            return os.write(fd, data)
        if self.allow == 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        written = os.write(fd, bytes(data[: self.allow]))
        self.allow -= written
        return written


def test_a_short_write_is_neither_applied_nor_acknowledged(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    writer = _FailingWriter()
    with EmulatorServer(db_path=str(path)) as server:
        assert server.journal is not None
        server.journal.writer = writer
        client = make_client(server.endpoint_url)
        create_table(client)
        client.put_item(TableName="things", Item={"pk": {"S": "kept"}})
        size = path.stat().st_size
        writer.allow = 10  # the disk fills in the middle of the next record
        with pytest.raises(client.exceptions.InternalServerError) as info:
            client.put_item(TableName="things", Item={"pk": {"S": "lost"}})
        assert "the write was not recorded" in info.value.response["Error"]["Message"]
        assert "Item" not in client.get_item(TableName="things", Key={"pk": {"S": "lost"}})
        assert path.stat().st_size == size  # the partial record was cut back off
        writer.allow = None  # space again: writes are recorded and acknowledged again
        client.put_item(TableName="things", Item={"pk": {"S": "later"}})
        server.journal.writer = os.write
    with EmulatorServer(db_path=str(path)) as server:
        keys = {i["pk"]["S"] for i in make_client(server.endpoint_url).scan(TableName="things")["Items"]}
        assert keys == {"kept", "later"}


def test_a_failed_fsync_stops_all_writes_until_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.journal"
    with EmulatorServer(db_path=str(path)) as server:
        client = make_client(server.endpoint_url)
        create_table(client)

        def failing_sync(fd: int) -> None:
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(persistence, "_sync", failing_sync)
        with pytest.raises(client.exceptions.InternalServerError):
            client.put_item(TableName="things", Item={"pk": {"S": "a"}})
        monkeypatch.undo()
        with pytest.raises(client.exceptions.InternalServerError) as info:  # still refused: unhealthy
            client.put_item(TableName="things", Item={"pk": {"S": "b"}})
        assert "fsync failed" in info.value.response["Error"]["Message"]
        assert client.scan(TableName="things")["Count"] == 0  # reads still answer; nothing was applied
        assert server.journal is not None and server.journal.broken is not None


def test_a_failed_request_is_not_journaled(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    with EmulatorServer(db_path=str(path)) as server:
        client = make_client(server.endpoint_url)
        create_table(client)
        size = path.stat().st_size
        with pytest.raises(client.exceptions.ConditionalCheckFailedException):
            client.put_item(
                TableName="things", Item={"pk": {"S": "a"}}, ConditionExpression="attribute_exists(pk)"
            )
        assert path.stat().st_size == size


def _serve_with_file_size_limit(path: Path, limit: int) -> tuple[subprocess.Popen[str], str]:
    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return start_cli(path, preexec_fn=limit_file_size)


def test_the_file_size_limit_never_loses_an_acknowledged_write(tmp_path: Path) -> None:
    """RLIMIT_FSIZE in a real server process: writes past the limit fail (500) and are not applied."""
    path = tmp_path / "db.journal"
    process, endpoint = _serve_with_file_size_limit(path, 20_000)
    acknowledged, refused = [], []
    try:
        client = make_client(endpoint)
        create_table(client)
        for n in range(200):  # ~220 bytes a record: the limit is reached about half way
            key = f"k{n}"
            try:
                client.put_item(TableName="things", Item={"pk": {"S": key}, "pad": {"S": "x" * 100}})
            except client.exceptions.InternalServerError:
                refused.append(key)
                assert "Item" not in client.get_item(TableName="things", Key={"pk": {"S": key}})
                continue
            acknowledged.append(key)
    finally:
        stop_cli(process, signal.SIGKILL)
    assert acknowledged and refused
    process, endpoint = _serve_with_file_size_limit(path, 1 << 30)
    try:
        stored = {i["pk"]["S"] for i in make_client(endpoint).scan(TableName="things")["Items"]}
    finally:
        stop_cli(process)
    assert stored == set(acknowledged)


# --- files --------------------------------------------------------------------------------------------


def test_the_journal_and_compaction_files_are_private_and_never_follow_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "db.journal"
    with EmulatorServer(db_path=str(path)) as server:
        create_table(make_client(server.endpoint_url))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        victim = tmp_path / "victim"
        victim.write_bytes(b"precious")
        monkeypatch.setattr("theorydb_mocks.emulator.persistence.secrets.token_hex", lambda n: "planted")
        planted = tmp_path / ".db.journal.compact-planted.tmp"
        planted.symlink_to(victim)
        with pytest.raises(FileExistsError):
            server.compact()
        assert victim.read_bytes() == b"precious"
        planted.unlink()
        monkeypatch.undo()
        server.compact()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_temp_files_of_a_killed_compaction_are_removed_at_start(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    _write_journal(path, [])
    leftover = tmp_path / ".db.journal.compact-0123456789abcdef.tmp"
    leftover.write_bytes(b"half a snapshot")
    journal, _ = _open(path)
    assert not leftover.exists()
    assert journal.removed_temp_files == [str(leftover)]


def test_compaction_writes_without_holding_the_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "db.journal"
    with EmulatorServer(db_path=str(path)) as server:
        client = make_client(server.endpoint_url)
        create_table(client)
        client.batch_write_item(
            RequestItems={"things": [{"PutRequest": {"Item": {"pk": {"S": str(n)}}}} for n in range(25)]}
        )
        lock_free: list[bool] = []
        real = persistence.snapshot_records

        def watched(*args: Any) -> Any:
            for record in real(*args):
                probe: list[bool] = []

                def try_lock(probe: list[bool] = probe) -> None:
                    taken = server.emulator.lock.acquire(timeout=1)
                    probe.append(taken)
                    if taken:
                        server.emulator.lock.release()

                prober = threading.Thread(target=try_lock)
                prober.start()
                prober.join()
                lock_free.append(probe[0])
                yield record

        monkeypatch.setattr("theorydb_mocks.emulator.server.snapshot_records", watched)
        server.compact()
        assert lock_free and all(lock_free)  # another thread could take the lock while records were written
    with EmulatorServer(db_path=str(path)) as server:
        assert make_client(server.endpoint_url).scan(TableName="things")["Count"] == 25


def test_writes_during_compaction_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "db.journal"
    with EmulatorServer(db_path=str(path)) as server:
        client = make_client(server.endpoint_url)
        create_table(client)
        client.put_item(TableName="things", Item={"pk": {"S": "before"}})
        real = persistence.snapshot_records
        writer = make_client(server.endpoint_url)

        written: list[bool] = []

        def interleaved(*args: Any) -> Any:
            yield from real(*args)
            if not written:  # once: after the snapshot was taken, before the file is swapped
                written.append(True)
                writer.put_item(TableName="things", Item={"pk": {"S": "during"}})

        monkeypatch.setattr("theorydb_mocks.emulator.server.snapshot_records", interleaved)
        server.compact()
    with EmulatorServer(db_path=str(path)) as server:
        keys = {i["pk"]["S"] for i in make_client(server.endpoint_url).scan(TableName="things")["Items"]}
        assert keys == {"before", "during"}


def test_kills_during_compaction_lose_nothing_and_leave_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    acknowledged: list[str] = []
    for round_number in range(3):
        process = subprocess.Popen(
            [
                sys.executable, "-m", "theorydb_mocks", "serve", "--port", "0",
                "--db-path", str(path), "--compact-every", "40", "--fsync", "never",
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        assert process.stdout is not None
        endpoint = process.stdout.readline().split()[-1]
        client = make_client(endpoint)
        if round_number == 0:
            create_table(client)
        stop = threading.Event()

        def write(
            worker: int, round_number: int = round_number, endpoint: str = endpoint, stop: Any = stop
        ) -> None:
            own = make_client(endpoint)
            n = 0
            while not stop.is_set():
                key = f"{round_number}-{worker}-{n}"
                batch = [{"PutRequest": {"Item": {"pk": {"S": f"{key}-{i}"}}}} for i in range(20)]
                try:
                    own.batch_write_item(RequestItems={"things": batch})
                except Exception:  # the kill
                    return
                acknowledged.extend(f"{key}-{i}" for i in range(20))
                n += 1

        threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.0 + 0.3 * round_number)
        stop_cli(process, signal.SIGKILL)
        stop.set()
        for thread in threads:
            thread.join()
    process = subprocess.Popen(
        [sys.executable, "-m", "theorydb_mocks", "serve", "--port", "0", "--db-path", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    endpoint = process.stdout.readline().split()[-1]
    try:
        pages = make_client(endpoint).get_paginator("scan").paginate(TableName="things")
        stored = {item["pk"]["S"] for page in pages for item in page["Items"]}
        assert [p.name for p in tmp_path.iterdir() if ".compact-" in p.name] == []
    finally:
        stop_cli(process)
    assert len(acknowledged) > 100
    assert set(acknowledged) <= stored


# --- streams ------------------------------------------------------------------------------------------


def test_streams_start_afresh_with_a_new_arn_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    with EmulatorServer(db_path=str(path)) as server:
        client = make_client(server.endpoint_url)
        create_table(client, stream=True)
        client.put_item(TableName="things", Item={"pk": {"S": "a"}})
        old_arn = client.describe_table(TableName="things")["Table"]["LatestStreamArn"]
    time.sleep(0.01)  # stream labels have millisecond resolution
    with EmulatorServer(db_path=str(path)) as server:
        client = make_client(server.endpoint_url)
        streams = make_client(server.endpoint_url, "dynamodbstreams")
        new_arn = client.describe_table(TableName="things")["Table"]["LatestStreamArn"]
        assert new_arn != old_arn
        assert [s["StreamArn"] for s in streams.list_streams()["Streams"]] == [new_arn]
        shard = streams.describe_stream(StreamArn=new_arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(
            StreamArn=new_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )
        assert streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"] == []  # none invented
        client.put_item(TableName="things", Item={"pk": {"S": "b"}})
        records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
        assert [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in records] == [("INSERT", "b")]


def test_cli_reports_a_cut_tail(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    _write_journal(path, _records(3))
    with open(path, "ab") as handle:
        handle.write(b"\x00\x00\x01")
    result = subprocess.Popen(
        [sys.executable, "-m", "theorydb_mocks", "serve", "--port", "0", "--db-path", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert result.stdout is not None
    result.stdout.readline()
    result.send_signal(signal.SIGTERM)
    _, stderr = result.communicate(timeout=30)
    assert "Cut 3 bytes of an interrupted write" in stderr
