"""Backups and point-in-time recovery: the documented behaviour (DynamoDB Local 3.3.0 has none of it).

Every restore is checked against a model of the table kept by the test itself: restoring to a second gives
exactly the items the table held then.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.history import PRUNE_EVERY

T0 = 1_700_000_000.0


@pytest.fixture
def clocked(emu: DynamoDBEmulator) -> DynamoDBEmulator:
    emu.clock.set(T0)
    return emu


def _at(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _item(pk: str, sk: int, value: int) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}, "v": {"N": str(value)}}


def _contents(client: EmulatorClient, name: str) -> dict[tuple[str, str], str]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": name}
    while True:
        page = client.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return {(i["pk"]["S"], i["sk"]["N"]): i["v"]["N"] for i in items}


def _enable(client: EmulatorClient, name: str = "things", days: int | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"PointInTimeRecoveryEnabled": True}
    if days is not None:
        spec["RecoveryPeriodInDays"] = days
    answer: dict[str, Any] = client.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification=spec
    )
    return answer


def _code(err: pytest.ExceptionInfo[ClientError]) -> str:
    return str(err.value.response["Error"]["Code"])


# --- on-demand backups -------------------------------------------------------------------------------


def test_backup_restores_the_table_as_it_was(
    clocked: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    for n in range(20):
        client.put_item(TableName=table, Item=_item("a", n, 0))
    details = client.create_backup(TableName=table, BackupName="before")["BackupDetails"]
    assert details["BackupStatus"] == "CREATING"
    assert details["BackupType"] == "USER"
    assert details["BackupSizeBytes"] > 0
    assert details["BackupArn"].startswith(f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}/backup/")
    expected = _contents(client, table)
    clocked.clock.advance(30)
    for n in range(10):
        client.put_item(TableName=table, Item=_item("a", n, 1))
    client.delete_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "19"}})
    client.put_item(TableName=table, Item=_item("b", 1, 1))

    described = client.describe_backup(BackupArn=details["BackupArn"])["BackupDescription"]
    assert described["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert described["SourceTableDetails"]["ItemCount"] == 20
    assert described["SourceTableDetails"]["BillingMode"] == "PAY_PER_REQUEST"

    restored = client.restore_table_from_backup(TargetTableName="copy", BackupArn=details["BackupArn"])
    answer = restored["TableDescription"]
    assert answer["TableStatus"] == "CREATING"
    assert answer["RestoreSummary"]["SourceBackupArn"] == details["BackupArn"]
    assert answer["RestoreSummary"]["RestoreInProgress"] is True
    assert _contents(client, "copy") == expected
    table_now = client.describe_table(TableName="copy")["Table"]
    assert table_now["TableStatus"] == "ACTIVE"
    assert table_now["RestoreSummary"]["RestoreInProgress"] is False
    assert table_now["RestoreSummary"]["SourceTableArn"].endswith(f"table/{table}")
    assert table_now["ItemCount"] == 20
    assert "StreamSpecification" not in table_now and "LatestStreamArn" not in table_now


def test_taking_a_backup_copies_no_item(emu: DynamoDBEmulator, client: EmulatorClient, table: str) -> None:
    for n in range(50):
        client.put_item(TableName=table, Item=_item("a", n, 0))
    client.create_backup(TableName=table, BackupName="bk1")
    history = next(iter(emu.history.tracked.values()))
    assert history.changes == []  # nothing recorded, nothing copied
    client.put_item(TableName=table, Item=_item("a", 1, 5))
    assert len(history.changes) == 1


def test_backup_survives_its_table(client: EmulatorClient, table: str) -> None:
    client.put_item(TableName=table, Item=_item("a", 1, 1))
    arn = client.create_backup(TableName=table, BackupName="keep")["BackupDetails"]["BackupArn"]
    client.delete_table(TableName=table)
    assert [b["BackupArn"] for b in client.list_backups()["BackupSummaries"]] == [arn]
    client.restore_table_from_backup(TargetTableName=table, BackupArn=arn)
    assert _contents(client, table) == {("a", "1"): "1"}


def test_backup_errors(client: EmulatorClient, table: str) -> None:
    with pytest.raises(ClientError) as err:
        client.create_backup(TableName="missing", BackupName="bk1")
    assert _code(err) == "TableNotFoundException"
    missing = f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}/backup/01700000000000-00000000"
    for call in (client.describe_backup, client.delete_backup):
        with pytest.raises(ClientError) as err:
            call(BackupArn=missing)
        assert _code(err) == "BackupNotFoundException"
        assert missing in err.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as err:
        client.restore_table_from_backup(TargetTableName="copy", BackupArn=missing)
    assert _code(err) == "BackupNotFoundException"
    arn = client.create_backup(TableName=table, BackupName="bk1")["BackupDetails"]["BackupArn"]
    with pytest.raises(ClientError) as err:
        client.restore_table_from_backup(TargetTableName=table, BackupArn=arn)
    assert _code(err) == "TableAlreadyExistsException"
    with pytest.raises(ClientError) as err:
        client.create_backup(TableName=table, BackupName="no spaces allowed")
    assert _code(err) == "ValidationException"
    deleted = client.delete_backup(BackupArn=arn)["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    with pytest.raises(ClientError) as err:
        client.describe_backup(BackupArn=arn)
    assert _code(err) == "BackupNotFoundException"


def test_list_backups_filters_and_pages(clocked: DynamoDBEmulator, client: EmulatorClient) -> None:
    client.create_table(**table_request("one"))
    client.create_table(**table_request("two"))
    arns = []
    for n in range(7):
        arns.append(
            client.create_backup(TableName="one" if n % 2 else "two", BackupName=f"bk{n}")["BackupDetails"]
        )
        clocked.clock.advance(10)
    everything = [b["BackupArn"] for b in client.list_backups()["BackupSummaries"]]
    assert everything == [d["BackupArn"] for d in arns]
    ones = client.list_backups(TableName="one")["BackupSummaries"]
    assert [b["BackupName"] for b in ones] == ["bk1", "bk3", "bk5"]
    by_arn = client.list_backups(TableName="arn:aws:dynamodb:us-east-1:123456789012:table/one")
    assert by_arn["BackupSummaries"] == ones
    window = client.list_backups(TimeRangeLowerBound=_at(T0 + 20), TimeRangeUpperBound=_at(T0 + 50))
    assert [b["BackupName"] for b in window["BackupSummaries"]] == ["bk2", "bk3", "bk4"]  # [lower, upper)
    assert client.list_backups(BackupType="SYSTEM")["BackupSummaries"] == []
    pages: list[str] = []
    kwargs: dict[str, Any] = {"Limit": 3}
    while True:
        page = client.list_backups(**kwargs)
        pages.extend(b["BackupArn"] for b in page["BackupSummaries"])
        assert len(page["BackupSummaries"]) <= 3
        if "LastEvaluatedBackupArn" not in page:
            break
        kwargs["ExclusiveStartBackupArn"] = page["LastEvaluatedBackupArn"]
    assert pages == everything


def test_restore_overrides(client: EmulatorClient) -> None:
    client.create_table(
        **table_request(
            "orders",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "owner", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-owner",
                    "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            LocalSecondaryIndexes=[
                {
                    "IndexName": "by-owner-local",
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "owner", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
        )
    )
    client.put_item(TableName="orders", Item={**_item("a", 1, 1), "owner": {"S": "ann"}})
    arn = client.create_backup(TableName="orders", BackupName="bk1")["BackupDetails"]["BackupArn"]

    full = client.restore_table_from_backup(TargetTableName="full", BackupArn=arn)["TableDescription"]
    assert [i["IndexName"] for i in full["GlobalSecondaryIndexes"]] == ["by-owner"]
    assert [i["IndexName"] for i in full["LocalSecondaryIndexes"]] == ["by-owner-local"]
    assert full["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    found = client.query(
        TableName="full",
        IndexName="by-owner",
        KeyConditionExpression="#o = :o",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":o": {"S": "ann"}},
    )
    assert found["Count"] == 1

    bare = client.restore_table_from_backup(
        TargetTableName="bare",
        BackupArn=arn,
        GlobalSecondaryIndexOverride=[],
        LocalSecondaryIndexOverride=[],
        BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
        SSESpecificationOverride={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/mine"},
    )["TableDescription"]
    assert "GlobalSecondaryIndexes" not in bare and "LocalSecondaryIndexes" not in bare
    assert bare["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert bare["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert bare["SSEDescription"]["Status"] == "ENABLED"
    assert [d["AttributeName"] for d in bare["AttributeDefinitions"]] == ["pk", "sk"]
    assert _contents(client, "bare") == {("a", "1"): "1"}

    with pytest.raises(ClientError) as err:  # PROVISIONED from an on-demand backup needs throughput
        client.restore_table_from_backup(
            TargetTableName="bad", BackupArn=arn, BillingModeOverride="PROVISIONED"
        )
    assert _code(err) == "ValidationException"
    with pytest.raises(ClientError) as err:  # an override is checked as CreateTable checks an index
        client.restore_table_from_backup(
            TargetTableName="bad",
            BackupArn=arn,
            GlobalSecondaryIndexOverride=[
                {
                    "IndexName": "by-colour",
                    "KeySchema": [{"AttributeName": "colour", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )
    assert _code(err) == "ValidationException"
    assert "bad" not in client.list_tables()["TableNames"]


def test_restores_cost_no_capacity(emu: DynamoDBEmulator, client: EmulatorClient, table: str) -> None:
    for n in range(10):
        client.put_item(TableName=table, Item=_item("a", n, 0))
    arn = client.create_backup(TableName=table, BackupName="bk1")["BackupDetails"]["BackupArn"]
    emu.capacity.reset()
    client.restore_table_from_backup(TargetTableName="copy", BackupArn=arn)
    assert emu.capacity.total() == 0
    assert emu.capacity.entries == []


# --- point-in-time recovery --------------------------------------------------------------------------


def test_continuous_backups_describe_and_update(
    clocked: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    described = client.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert described == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
    }
    enabled = _enable(client, table, days=7)["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert enabled["PointInTimeRecoveryStatus"] == "ENABLED"
    assert enabled["RecoveryPeriodInDays"] == 7
    assert enabled["EarliestRestorableDateTime"] == _at(T0)
    clocked.clock.advance(8 * 86_400)
    window = client.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    pitr = window["PointInTimeRecoveryDescription"]
    assert pitr["EarliestRestorableDateTime"] == _at(T0 + 86_400)  # the window slides with the clock
    assert pitr["LatestRestorableDateTime"] == _at(T0 + 8 * 86_400)
    for days in (0, 36):
        with pytest.raises((ParamValidationError, ClientError)):  # botocore checks the minimum only
            _enable(client, table, days=days)
        with pytest.raises(DynamoDBError) as caught:  # and so does the service
            clocked.dispatch(
                "UpdateContinuousBackups",
                {
                    "TableName": table,
                    "PointInTimeRecoverySpecification": {
                        "PointInTimeRecoveryEnabled": True,
                        "RecoveryPeriodInDays": days,
                    },
                },
            )
        assert caught.value.code == "ValidationException"
    with pytest.raises(ClientError) as err:
        client.describe_continuous_backups(TableName="missing")
    assert _code(err) == "TableNotFoundException"
    with pytest.raises(ClientError) as err:
        _enable(client, "missing")
    assert _code(err) == "TableNotFoundException"
    off = client.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    assert off["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"] == {
        "PointInTimeRecoveryStatus": "DISABLED"
    }


def test_restore_to_every_second_on_a_moving_clock(
    clocked: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    _enable(client, table)
    rng = random.Random(12)
    model: dict[tuple[str, str], str] = {}
    seen: list[tuple[float, dict[tuple[str, str], str]]] = [(T0, {})]
    for second in range(1, 40):
        clocked.clock.set(T0 + second)
        for _ in range(rng.randrange(0, 4)):
            pk, sk, value = rng.choice("abc"), rng.randrange(6), rng.randrange(100)
            if rng.random() < 0.25:
                client.delete_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"N": str(sk)}})
                model.pop((pk, str(sk)), None)
            else:
                client.put_item(TableName=table, Item=_item(pk, sk, value))
                model[(pk, str(sk))] = str(value)
        seen.append((T0 + second, dict(model)))
    for n, (when, expected) in enumerate(seen):
        target = f"at-{n}"
        client.restore_table_to_point_in_time(
            SourceTableName=table, TargetTableName=target, RestoreDateTime=_at(when)
        )
        assert _contents(client, target) == expected, when
        summary = client.describe_table(TableName=target)["Table"]["RestoreSummary"]
        assert summary["RestoreDateTime"] == _at(when)
        client.delete_table(TableName=target)
    client.restore_table_to_point_in_time(
        SourceTableName=table, TargetTableName="latest", UseLatestRestorableTime=True
    )
    assert _contents(client, "latest") == model


def test_point_in_time_errors(clocked: DynamoDBEmulator, client: EmulatorClient, table: str) -> None:
    with pytest.raises(ClientError) as err:
        client.restore_table_to_point_in_time(
            SourceTableName=table, TargetTableName="copy", UseLatestRestorableTime=True
        )
    assert _code(err) == "PointInTimeRecoveryUnavailableException"
    _enable(client, table)
    clocked.clock.advance(60)
    for when in (T0 - 1, T0 + 61):
        with pytest.raises(ClientError) as err:
            client.restore_table_to_point_in_time(
                SourceTableName=table, TargetTableName="copy", RestoreDateTime=_at(when)
            )
        assert _code(err) == "InvalidRestoreTimeException"
    with pytest.raises(ClientError) as err:
        client.restore_table_to_point_in_time(
            SourceTableName="missing", TargetTableName="copy", UseLatestRestorableTime=True
        )
    assert _code(err) == "TableNotFoundException"
    with pytest.raises(ClientError) as err:
        client.restore_table_to_point_in_time(
            SourceTableName=table, TargetTableName=table, UseLatestRestorableTime=True
        )
    assert _code(err) == "TableAlreadyExistsException"
    for bad in (
        {"SourceTableName": table},  # no time
        {"SourceTableName": table, "UseLatestRestorableTime": True, "RestoreDateTime": _at(T0)},
        {"UseLatestRestorableTime": True},  # no source
    ):
        with pytest.raises(ClientError) as err:
            client.restore_table_to_point_in_time(TargetTableName="copy", **bad)
        assert _code(err) == "ValidationException"
    arn = client.describe_table(TableName=table)["Table"]["TableArn"]
    client.restore_table_to_point_in_time(
        SourceTableArn=arn, TargetTableName="by-arn", UseLatestRestorableTime=True
    )
    assert "by-arn" in client.list_tables()["TableNames"]


def test_disabling_recovery_drops_history_and_resets_window(
    clocked: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    _enable(client, table)
    client.put_item(TableName=table, Item=_item("a", 1, 1))
    client.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    assert clocked.history.tracked == {}
    clocked.clock.advance(100)
    _enable(client, table)
    pitr = client.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"] == _at(T0 + 100)


def test_history_is_pruned_to_the_window(
    clocked: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    _enable(client, table, days=1)
    for n in range(PRUNE_EVERY):
        client.put_item(TableName=table, Item=_item("a", n % 10, n))
    clocked.clock.advance(2 * 86_400)
    for n in range(PRUNE_EVERY):
        client.put_item(TableName=table, Item=_item("a", n % 10, n))
    history = clocked.history.tracked[client.describe_table(TableName=table)["Table"]["TableId"]]
    assert len(history.changes) < PRUNE_EVERY + 1  # the first day's changes are gone
    client.restore_table_to_point_in_time(
        SourceTableName=table, TargetTableName="copy", UseLatestRestorableTime=True
    )
    assert _contents(client, "copy") == _contents(client, table)


def test_a_backup_keeps_history_that_recovery_no_longer_needs(
    clocked: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    _enable(client, table, days=1)
    client.put_item(TableName=table, Item=_item("a", 1, 0))
    arn = client.create_backup(TableName=table, BackupName="old")["BackupDetails"]["BackupArn"]
    clocked.clock.advance(1)
    for n in range(PRUNE_EVERY + 5):
        client.put_item(TableName=table, Item=_item("a", 1, n + 1))
    clocked.clock.advance(3 * 86_400)
    client.put_item(TableName=table, Item=_item("a", 1, -1))
    client.restore_table_from_backup(TargetTableName="copy", BackupArn=arn)
    assert _contents(client, "copy") == {("a", "1"): "0"}
    client.delete_backup(BackupArn=arn)
    history = clocked.history.tracked[client.describe_table(TableName=table)["Table"]["TableId"]]
    assert len(history.changes) == 1  # only the change inside the one-day window is left


def test_deleting_a_table_with_recovery_leaves_a_system_backup(
    clocked: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    _enable(client, table)
    client.put_item(TableName=table, Item=_item("a", 1, 1))
    clocked.clock.advance(5)
    client.delete_table(TableName=table)
    assert client.list_backups()["BackupSummaries"] == []  # USER backups only, by default
    system = client.list_backups(BackupType="SYSTEM")["BackupSummaries"]
    assert len(system) == 1
    assert system[0]["BackupType"] == "SYSTEM"
    assert system[0]["BackupExpiryDateTime"] == _at(T0 + 5 + 35 * 86_400)
    client.restore_table_from_backup(TargetTableName="back", BackupArn=system[0]["BackupArn"])
    assert _contents(client, "back") == {("a", "1"): "1"}
    with pytest.raises(ClientError) as err:
        client.describe_continuous_backups(TableName=table)
    assert _code(err) == "TableNotFoundException"
    clocked.clock.advance(36 * 86_400)
    assert client.list_backups(BackupType="ALL")["BackupSummaries"] == []


def test_snapshots_reverse_backups_and_recovery(
    clocked: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    client.put_item(TableName=table, Item=_item("a", 1, 1))
    kept = client.create_backup(TableName=table, BackupName="kept")["BackupDetails"]["BackupArn"]
    snap = clocked.snapshot()
    _enable(client, table)
    client.put_item(TableName=table, Item=_item("a", 1, 2))
    client.create_backup(TableName=table, BackupName="later")
    client.delete_backup(BackupArn=kept)
    client.restore_table_from_backup(
        TargetTableName="copy", BackupArn=client.list_backups()["BackupSummaries"][0]["BackupArn"]
    )
    clocked.restore(snap)
    assert [b["BackupName"] for b in client.list_backups()["BackupSummaries"]] == ["kept"]
    assert "copy" not in client.list_tables()["TableNames"]
    pitr = client.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    client.put_item(TableName=table, Item=_item("a", 1, 3))
    client.restore_table_from_backup(TargetTableName="copy", BackupArn=kept)
    assert _contents(client, "copy") == {("a", "1"): "1"}


def test_image_at_is_the_public_reading_side(
    clocked: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    with pytest.raises(DynamoDBError) as caught:
        clocked.history.image_at(table, T0)
    assert caught.value.code == "PointInTimeRecoveryUnavailableException"
    _enable(client, table)
    client.put_item(TableName=table, Item=_item("a", 1, 1))
    clocked.clock.advance(10)
    client.put_item(TableName=table, Item=_item("a", 2, 2))
    description, items = clocked.history.image_at(table, T0 + 5)
    assert description["TableName"] == table
    assert [i["sk"]["N"] for i in items] == ["1"]
    assert clocked.history.window(table) == (T0, T0 + 10)
    with pytest.raises(DynamoDBError) as caught:
        clocked.history.image_at(table, T0 - 1)
    assert caught.value.code == "InvalidRestoreTimeException"


def test_the_routed_boto3_client_answers_too(clocked: DynamoDBEmulator, table: str) -> None:
    boto = clocked.boto3_client()
    boto.put_item(TableName=table, Item=_item("a", 1, 1))
    boto.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    arn = boto.create_backup(TableName=table, BackupName="bk1")["BackupDetails"]["BackupArn"]
    clocked.clock.advance(3)
    boto.put_item(TableName=table, Item=_item("a", 1, 2))
    boto.restore_table_from_backup(TargetTableName="from-backup", BackupArn=arn)
    boto.restore_table_to_point_in_time(
        SourceTableName=table, TargetTableName="from-pitr", RestoreDateTime=_at(T0 + 1)
    )
    for name in ("from-backup", "from-pitr"):
        assert boto.get_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]["v"] == {
            "N": "1"
        }
