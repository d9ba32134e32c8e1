"""Backups and point-in-time recovery over HTTP, and across restarts: by replay and after compaction."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import make_client
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.persistence import Journal
from theorydb_mocks.emulator.recovery_journal import LOAD_RECOVERY
from theorydb_mocks.emulator.server import EmulatorServer

T0 = 1_700_000_000.0


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _value(client: Any, table: str, pk: str) -> Any:
    item = client.get_item(TableName=table, Key={"pk": {"S": pk}}).get("Item")
    return None if item is None else item["v"]


def _no_ids(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in summary.items() if k != "TableId"} for summary in summaries]


def _create(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _history(path: Path) -> dict[str, Any]:
    """Run a disaster-recovery history against a server on ``path``; returns what to check after."""
    emu = DynamoDBEmulator()
    with EmulatorServer(emulator=emu, db_path=str(path)) as server:
        emu.clock.set(T0)  # after start: replay returns every clock to the system time
        client = make_client(server.endpoint_url)
        _create(client, "orders")
        _create(client, "scratch")
        client.update_continuous_backups(
            TableName="orders",
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 3},
        )
        client.update_continuous_backups(
            TableName="scratch", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
        client.put_item(TableName="orders", Item={"pk": {"S": "a"}, "v": {"B": b"\x00first"}})
        client.put_item(TableName="scratch", Item={"pk": {"S": "s"}, "v": {"N": "1"}})
        emu.clock.advance(10)
        arn = client.create_backup(TableName="orders", BackupName="nightly")["BackupDetails"]["BackupArn"]
        emu.clock.advance(10)
        client.put_item(TableName="orders", Item={"pk": {"S": "a"}, "v": {"S": "second"}})
        client.put_item(TableName="orders", Item={"pk": {"S": "b"}, "v": {"S": "new"}})
        emu.clock.advance(10)
        client.delete_table(TableName="scratch")  # leaves a SYSTEM backup
        pitr = client.describe_continuous_backups(TableName="orders")["ContinuousBackupsDescription"]
        if path.exists():
            shutil.copy(path, path.with_suffix(".uncompacted"))  # the journal before stop's compaction
        listed = client.list_backups(BackupType="ALL")["BackupSummaries"]
    return {"arn": arn, "pitr": pitr, "listed": listed}


def _check(path: Path, seen: dict[str, Any], round_: int = 1) -> None:
    with EmulatorServer(db_path=str(path)) as server:
        server.emulator.clock.set(T0 + 100 * round_)  # replay leaves the system clock: years later
        client = make_client(server.endpoint_url)
        listed = client.list_backups(BackupType="ALL")["BackupSummaries"]
        # TableId is not kept by a replay (each CreateTable makes a new one), so it is left out.
        assert _no_ids(listed[: len(seen["listed"])]) == _no_ids(seen["listed"])
        pitr = client.describe_continuous_backups(TableName="orders")["ContinuousBackupsDescription"]
        description = pitr["PointInTimeRecoveryDescription"]
        assert description["RecoveryPeriodInDays"] == 3
        assert description["EarliestRestorableDateTime"] == _at(T0)
        client.restore_table_from_backup(TargetTableName=f"from-backup-{round_}", BackupArn=seen["arn"])
        assert _value(client, f"from-backup-{round_}", "a") == {"B": b"\x00first"}
        assert _value(client, f"from-backup-{round_}", "b") is None
        client.restore_table_to_point_in_time(
            SourceTableName="orders", TargetTableName=f"at-15-{round_}", RestoreDateTime=_at(T0 + 15)
        )
        assert _value(client, f"at-15-{round_}", "a") == {"B": b"\x00first"}
        client.restore_table_to_point_in_time(
            SourceTableName="orders", TargetTableName=f"at-25-{round_}", RestoreDateTime=_at(T0 + 25)
        )
        assert _value(client, f"at-25-{round_}", "a") == {"S": "second"}
        assert _value(client, f"at-25-{round_}", "b") == {"S": "new"}
        system = [b for b in seen["listed"] if b["BackupType"] == "SYSTEM"]
        target = f"scratch-again-{round_}"
        client.restore_table_from_backup(TargetTableName=target, BackupArn=system[0]["BackupArn"])
        assert _value(client, target, "s") == {"N": "1"}
        # New writes after the restart are recorded too.
        server.emulator.clock.advance(1)
        client.put_item(TableName="orders", Item={"pk": {"S": "a"}, "v": {"S": "third"}})
        arn = client.create_backup(TableName="orders", BackupName="after")["BackupDetails"]["BackupArn"]
        client.put_item(TableName="orders", Item={"pk": {"S": "a"}, "v": {"S": "fourth"}})
        client.restore_table_from_backup(TargetTableName=f"after-restart-{round_}", BackupArn=arn)
        assert _value(client, f"after-restart-{round_}", "a") == {"S": "third"}
        client.put_item(TableName="orders", Item={"pk": {"S": "a"}, "v": {"S": "second"}})


def test_backups_and_recovery_survive_compaction(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    seen = _history(path)
    journal = Journal(str(path))
    try:
        assert any(record.target == LOAD_RECOVERY for record in journal.replay())  # it was compacted
    finally:
        journal.close()
    _check(path, seen)
    _check(path, seen, round_=2)  # compacted again, with the first round's restores and backup in it


def test_backups_and_recovery_survive_replay_without_compaction(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    seen = _history(path)
    uncompacted = path.with_suffix(".uncompacted")
    journal = Journal(str(uncompacted))
    try:
        assert not any(record.target == LOAD_RECOVERY for record in journal.replay())
    finally:
        journal.close()
    _check(uncompacted, seen)


@pytest.mark.parametrize("operation", ["ListBackups", "DescribeContinuousBackups"])
def test_reads_are_not_journaled(tmp_path: Path, operation: str) -> None:
    from theorydb_mocks.emulator.operations._registry import record_for

    assert record_for(operation).read_only
