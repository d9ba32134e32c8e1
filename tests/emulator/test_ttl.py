"""Time to Live on the emulator: the API and its messages, both expiry modes, the clock (manual and
freezegun), REMOVE stream records by the service, and reads that never scan for expired items."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from freezegun import freeze_time

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient
from theorydb_mocks.emulator.ttl import LINGER_SECONDS

NOW = 1_700_000_000


def _setup(emu: DynamoDBEmulator, *, mode: str = "lazy", stream: bool = False) -> EmulatorClient:
    emu.ttl.mode = mode  # type: ignore[assignment]
    emu.clock.set(NOW)
    client = emu.client()
    extra: dict[str, Any] = {}
    if stream:
        extra["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "OLD_IMAGE"}
    client.create_table(**table_request("things", **extra))
    client.update_time_to_live(
        TableName="things", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    return client


def _put(client: EmulatorClient, name: str, expires: Any) -> None:
    item: dict[str, Any] = {"pk": {"S": name}, "sk": {"N": "1"}}
    if expires is not None:
        item["expires"] = expires
    client.put_item(TableName="things", Item=item)


def _names(client: EmulatorClient) -> list[str]:
    return sorted(item["pk"]["S"] for item in client.scan(TableName="things")["Items"])


def test_describe_and_update_time_to_live(client: EmulatorClient, table: str) -> None:
    assert client.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    spec = {"Enabled": True, "AttributeName": "ttl"}
    answer = client.update_time_to_live(TableName=table, TimeToLiveSpecification=spec)
    assert answer["TimeToLiveSpecification"] == spec
    assert client.describe_time_to_live(TableName=table)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "ttl",
    }
    off = {"Enabled": False, "AttributeName": "ttl"}
    assert (
        client.update_time_to_live(TableName=table, TimeToLiveSpecification=off)["TimeToLiveSpecification"]
        == off
    )


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (None, {"Enabled": False, "AttributeName": "ttl"}, "TimeToLive is already disabled"),
        (
            {"Enabled": True, "AttributeName": "ttl"},
            {"Enabled": True, "AttributeName": "ttl"},
            "already enabled",
        ),
        (
            {"Enabled": True, "AttributeName": "ttl"},
            {"Enabled": True, "AttributeName": "other"},
            "TimeToLive is active on a different AttributeName",
        ),
        (
            {"Enabled": True, "AttributeName": "ttl"},
            {"Enabled": False, "AttributeName": "other"},
            "TimeToLive is active on a different AttributeName",
        ),
    ],
)
def test_update_time_to_live_errors(
    client: EmulatorClient, table: str, first: Any, second: Any, message: str
) -> None:
    if first is not None:
        client.update_time_to_live(TableName=table, TimeToLiveSpecification=first)
    with pytest.raises(ClientError) as caught:
        client.update_time_to_live(TableName=table, TimeToLiveSpecification=second)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert message in caught.value.response["Error"]["Message"]


def test_missing_table_gets_the_services_messages(client: EmulatorClient) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.describe_time_to_live(TableName="missing")
    assert (
        caught.value.response["Error"]["Message"] == "Requested resource not found: Table: missing not found"
    )
    spec = {"Enabled": True, "AttributeName": "ttl"}
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.update_time_to_live(TableName="missing", TimeToLiveSpecification=spec)
    assert caught.value.response["Error"]["Message"] == "Requested resource not found"


def test_immediate_mode_never_returns_an_expired_item(emu: DynamoDBEmulator) -> None:
    client = _setup(emu, mode="immediate")
    _put(client, "soon", {"N": str(NOW + 10)})
    _put(client, "later", {"N": str(NOW + 100)})
    _put(client, "never", None)
    _put(client, "text", {"S": str(NOW)})  # not a Number: ignored
    assert _names(client) == ["later", "never", "soon", "text"]
    emu.clock.advance(11)
    assert _names(client) == ["later", "never", "text"]
    assert "Item" not in client.get_item(TableName="things", Key={"pk": {"S": "soon"}, "sk": {"N": "1"}})
    emu.clock.advance(100)
    assert _names(client) == ["never", "text"]


def test_lazy_mode_lingers_until_a_sweep(emu: DynamoDBEmulator) -> None:
    client = _setup(emu)
    _put(client, "soon", {"N": str(NOW + 10)})
    _put(client, "later", {"N": str(NOW + 1000)})
    emu.clock.advance(60)
    assert _names(client) == ["later", "soon"]  # expired, still returned: as on DynamoDB
    assert emu.ttl.sweep() == 1
    assert _names(client) == ["later"]


def test_lazy_mode_deletes_by_itself_after_48_hours(emu: DynamoDBEmulator) -> None:
    client = _setup(emu)
    _put(client, "soon", {"N": str(NOW + 10)})
    emu.clock.advance(10 + LINGER_SECONDS - 1)
    assert _names(client) == ["soon"]
    emu.clock.advance(2)
    assert _names(client) == []


def test_rewritten_items_follow_their_new_expiry(emu: DynamoDBEmulator) -> None:
    client = _setup(emu, mode="immediate")
    _put(client, "a", {"N": str(NOW + 10)})
    _put(client, "a", {"N": str(NOW + 100)})  # extended
    _put(client, "b", {"N": str(NOW + 10)})
    client.update_item(
        TableName="things", Key={"pk": {"S": "b"}, "sk": {"N": "1"}}, UpdateExpression="REMOVE expires"
    )
    emu.clock.advance(50)
    assert _names(client) == ["a", "b"]
    emu.clock.advance(60)
    assert _names(client) == ["b"]


def test_items_older_than_five_years_are_never_deleted(emu: DynamoDBEmulator) -> None:
    client = _setup(emu, mode="immediate")
    _put(client, "ancient", {"N": str(NOW - 6 * 365 * 24 * 3600)})
    _put(client, "recent", {"N": str(NOW - 1)})
    assert _names(client) == ["ancient"]  # "recent" went at once; "ancient" is past the 5-year horizon
    assert emu.ttl.sweep() == 0


def test_enabling_indexes_existing_items(emu: DynamoDBEmulator) -> None:
    emu.ttl.mode = "immediate"
    emu.clock.set(NOW)
    client = emu.client()
    client.create_table(**table_request("things"))
    _put(client, "old", {"N": str(NOW - 5)})
    assert _names(client) == ["old"]  # TTL not enabled yet
    client.update_time_to_live(
        TableName="things", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    assert _names(client) == []


def test_disabling_stops_expiry(emu: DynamoDBEmulator) -> None:
    client = _setup(emu, mode="immediate")
    _put(client, "a", {"N": str(NOW + 5)})
    assert emu.ttl.active  # every request then expires what is due first (the lanes included)
    client.update_time_to_live(
        TableName="things", TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"}
    )
    emu.clock.advance(10)
    assert _names(client) == ["a"]
    assert not emu.ttl.active


def test_ttl_deletions_write_service_remove_records_and_cost_nothing(emu: DynamoDBEmulator) -> None:
    client = _setup(emu, stream=True)
    _put(client, "a", {"N": str(NOW + 5)})
    client.delete_item(TableName="things", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    _put(client, "a", {"N": str(NOW + 5)})
    emu.capacity.reset()
    emu.clock.advance(10)
    assert emu.ttl.sweep() == 1
    assert emu.capacity.entries == []
    records = emu.stream_records("things")
    assert [r["eventName"] for r in records] == ["INSERT", "REMOVE", "INSERT", "REMOVE"]
    assert "userIdentity" not in records[1]
    assert records[3]["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert records[3]["dynamodb"]["OldImage"]["expires"] == {"N": str(NOW + 5)}
    boto3_records = emu.dispatch(
        "GetRecords",
        {
            "ShardIterator": emu.dispatch(
                "GetShardIterator",
                {
                    "StreamArn": records[0]["eventSourceARN"],
                    "ShardId": emu.streams.streams[records[0]["eventSourceARN"]].shard_id,
                    "ShardIteratorType": "TRIM_HORIZON",
                },
            )["ShardIterator"]
        },
    )["Records"]
    assert boto3_records[3]["userIdentity"] == {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}


def test_freezegun_drives_the_default_clock() -> None:
    emu = DynamoDBEmulator(ttl_mode="immediate")
    client = emu.client()
    with freeze_time("2024-01-01 00:00:00") as frozen:
        client.create_table(**table_request("things"))
        client.update_time_to_live(
            TableName="things", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
        )
        start = 1_704_067_200
        _put(client, "a", {"N": str(start + 30)})
        assert _names(client) == ["a"]
        frozen.tick(31)
        assert _names(client) == []


def test_deleted_table_drops_its_ttl_state(emu: DynamoDBEmulator) -> None:
    client = _setup(emu, mode="immediate")
    _put(client, "a", {"N": str(NOW + 5)})
    client.delete_table(TableName="things")
    client.create_table(**table_request("things"))
    assert client.describe_time_to_live(TableName="things")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }
    _put(client, "a", {"N": str(NOW + 5)})
    emu.clock.advance(10)
    assert _names(client) == ["a"]


def test_reads_do_not_scan_for_expiry(emu: DynamoDBEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    client = _setup(emu, mode="immediate")
    for n in range(200):
        _put(client, f"k{n}", {"N": str(NOW + 1000 + n)})
    store = emu.get_table("things").store
    calls: list[int] = []
    original = store.items

    def counting_items() -> Any:
        calls.append(1)
        return original()

    monkeypatch.setattr(store, "items", counting_items)
    for _ in range(50):
        client.get_item(TableName="things", Key={"pk": {"S": "k1"}, "sk": {"N": "1"}})
    assert calls == []
    assert len(emu.ttl._tables["things"].heap) == 200
