"""LeaseManager on the emulator and on DynamoDB Local: acquire, contention, expiry, refresh, release."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from theorydb_py import LeaseHeldError, LeaseKey, LeaseManager, LeaseNotOwnedError


class Clock:
    """Whole epoch seconds the test moves by hand."""

    def __init__(self, now: int = 1_700_000_000) -> None:
        self.now = now

    def __call__(self) -> float:
        return float(self.now)


@pytest.fixture
def lease_table(backend_client: Any) -> Any:
    name = f"leases-{uuid.uuid4().hex[:10]}"
    backend_client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
    )
    yield name
    backend_client.delete_table(TableName=name)


def _item(client: Any, table: str, key: LeaseKey) -> dict[str, Any] | None:
    found = client.get_item(
        TableName=table, Key={"pk": {"S": key.pk}, "sk": {"S": key.sk}}, ConsistentRead=True
    )
    item: dict[str, Any] | None = found.get("Item")
    return item


def test_acquire_writes_the_lease_item_and_blocks_others(backend_client: Any, lease_table: str) -> None:
    clock = Clock()
    tokens = iter(["tok-a", "tok-b"])
    leases = LeaseManager(
        client=backend_client, table_name=lease_table, now=clock, token=lambda: next(tokens)
    )
    key = leases.lock_key("ORDER#1")
    lease = leases.acquire(key, lease_seconds=30)
    assert (lease.key, lease.token, lease.expires_at) == (
        LeaseKey("ORDER#1", "LOCK"),
        "tok-a",
        clock.now + 30,
    )
    assert _item(backend_client, lease_table, key) == {
        "pk": {"S": "ORDER#1"},
        "sk": {"S": "LOCK"},
        "lease_token": {"S": "tok-a"},
        "lease_expires_at": {"N": str(clock.now + 30)},
        "ttl": {"N": str(clock.now + 30 + 3600)},
    }
    clock.now += 29
    with pytest.raises(LeaseHeldError) as caught:
        leases.acquire(key, lease_seconds=30)
    assert caught.value.code == "ConditionalCheckFailedException"
    assert _item(backend_client, lease_table, key)["lease_token"] == {"S": "tok-a"}  # type: ignore[index]


def test_an_expired_lease_is_taken_over_and_its_holder_can_no_longer_refresh(
    backend_client: Any, lease_table: str
) -> None:
    clock = Clock()
    first = LeaseManager(client=backend_client, table_name=lease_table, now=clock)
    second = LeaseManager(client=backend_client, table_name=lease_table, now=clock)
    key = first.lock_key("job")
    old = first.acquire(key, lease_seconds=10)
    clock.now += 10  # expiry is inclusive: at expires_at the lease is free
    new = second.acquire(key, lease_seconds=10)
    assert new.token != old.token
    with pytest.raises(LeaseNotOwnedError):
        first.refresh(old, lease_seconds=10)
    assert first.release(old) is False  # not ours any more: nothing deleted
    assert _item(backend_client, lease_table, key) is not None
    assert second.release(new) is True
    assert _item(backend_client, lease_table, key) is None


def test_refresh_extends_only_before_expiry(backend_client: Any, lease_table: str) -> None:
    clock = Clock()
    leases = LeaseManager(client=backend_client, table_name=lease_table, now=clock, ttl_attr=None)
    lease = leases.acquire(leases.lock_key("job"), lease_seconds=10)
    clock.now += 5
    longer = leases.refresh(lease, lease_seconds=60)
    assert longer.expires_at == clock.now + 60 and longer.token == lease.token
    stored = _item(backend_client, lease_table, lease.key)
    assert stored is not None and "ttl" not in stored
    assert stored["lease_expires_at"] == {"N": str(clock.now + 60)}
    clock.now += 60
    with pytest.raises(LeaseNotOwnedError):
        leases.refresh(longer, lease_seconds=60)


def test_acquire_keeps_other_attributes_of_the_lock_item(backend_client: Any, lease_table: str) -> None:
    backend_client.put_item(
        TableName=lease_table,
        Item={"pk": {"S": "job"}, "sk": {"S": "LOCK"}, "owner_note": {"S": "keep me"}},
    )
    clock = Clock()
    leases = LeaseManager(client=backend_client, table_name=lease_table, now=clock)
    leases.acquire(leases.lock_key("job"), lease_seconds=10)
    stored = _item(backend_client, lease_table, LeaseKey("job", "LOCK"))
    assert stored is not None and stored["owner_note"] == {"S": "keep me"}


def test_custom_attribute_names(backend_client: Any, lease_table: str) -> None:
    leases = LeaseManager(
        client=backend_client,
        table_name=lease_table,
        now=Clock(),
        token_attr="holder",
        expires_at_attr="until",
        ttl_attr="expires",
        ttl_buffer_seconds=60,
    )
    lease = leases.acquire(LeaseKey("a", "b"), lease_seconds=5)
    stored = _item(backend_client, lease_table, lease.key)
    assert stored is not None
    assert stored["holder"] == {"S": lease.token}
    assert stored["until"] == {"N": str(lease.expires_at)}
    assert stored["expires"] == {"N": str(lease.expires_at + 60)}


@pytest.mark.parametrize("door", ["routed", "http"])
def test_the_lease_cycle_through_the_other_doors_of_the_emulator(door: str) -> None:
    """The direct client is covered above (backend ``emulator``); here real boto3 clients, in-process and
    over HTTP, run the same cycle."""
    import boto3

    from theorydb_mocks import DynamoDBEmulator
    from theorydb_mocks.emulator.server import serve_in_thread

    emu = DynamoDBEmulator()
    with serve_in_thread(emulator=emu) as endpoint:
        client = (
            emu.boto3_client(region_name="us-east-1")
            if door == "routed"
            else boto3.client(
                "dynamodb",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
        )
        table = "locks"
        client.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
        )
        clock = Clock()
        leases = LeaseManager(client=client, table_name=table, now=clock)
        lease = leases.acquire(leases.lock_key("job"), lease_seconds=10)
        with pytest.raises(LeaseHeldError):
            leases.acquire(leases.lock_key("job"), lease_seconds=10)
        clock.now += 10
        taken = leases.acquire(leases.lock_key("job"), lease_seconds=10)
        with pytest.raises(LeaseNotOwnedError):
            leases.refresh(lease, lease_seconds=10)
        assert leases.release(lease) is False and leases.release(taken) is True
        assert _item(client, table, taken.key) is None
