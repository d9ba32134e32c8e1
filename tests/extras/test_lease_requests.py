"""LeaseManager's requests, pinned with the strict fake; argument checks and error mapping."""

from __future__ import annotations

from typing import Any

import pytest

from theorydb_py import AwsError, Lease, LeaseHeldError, LeaseKey, LeaseManager, LeaseNotOwnedError
from theorydb_py.errors import ConditionFailedError
from theorydb_py.mocks import FakeDynamoDBClient


def _manager(fake: FakeDynamoDBClient) -> LeaseManager:
    return LeaseManager(client=fake, table_name="locks", now=lambda: 1000.9, token=lambda: "tok")


def test_acquire_request_shape() -> None:
    fake = FakeDynamoDBClient()
    fake.expect(
        "update_item",
        {
            "TableName": "locks",
            "Key": {"pk": {"S": "job"}, "sk": {"S": "LOCK"}},
            "UpdateExpression": "SET #tok = :tok, #exp = :exp, #ttl = :ttl",
            "ConditionExpression": "attribute_not_exists(#exp) OR #exp <= :now",
            "ExpressionAttributeNames": {
                "#tok": "lease_token",
                "#exp": "lease_expires_at",
                "#ttl": "ttl",
            },
            "ExpressionAttributeValues": {
                ":tok": {"S": "tok"},
                ":now": {"N": "1000"},
                ":exp": {"N": "1030"},
                ":ttl": {"N": "4630"},
            },
        },
    )
    lease = _manager(fake).acquire(LeaseKey("job", "LOCK"), lease_seconds=30)
    assert lease.expires_at == 1030
    fake.assert_no_pending()


def test_condition_failures_become_lease_errors() -> None:
    fake = FakeDynamoDBClient()
    fake.expect("update_item", error="ConditionalCheckFailedException")
    fake.expect("update_item", error="ConditionalCheckFailedException")
    fake.expect("delete_item", error="ConditionalCheckFailedException")
    fake.expect("update_item", error="ProvisionedThroughputExceededException")
    leases = _manager(fake)
    with pytest.raises(LeaseHeldError) as held:
        leases.acquire(leases.lock_key("job"), lease_seconds=5)
    assert isinstance(held.value, ConditionFailedError)
    mine = Lease(LeaseKey("job", "LOCK"), "tok", 1005)
    with pytest.raises(LeaseNotOwnedError):
        leases.refresh(mine, lease_seconds=5)
    assert leases.release(mine) is False
    with pytest.raises(AwsError) as other:
        leases.acquire(leases.lock_key("job"), lease_seconds=5)
    assert other.value.code == "ProvisionedThroughputExceededException"
    fake.assert_no_pending()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"table_name": ""},
        {"pk_attr": "x", "sk_attr": "x"},
        {"token_attr": ""},
    ],
)
def test_bad_configuration_is_a_value_error(kwargs: dict[str, Any]) -> None:
    options: dict[str, Any] = {"table_name": "locks", **kwargs}
    with pytest.raises(ValueError):
        LeaseManager(client=FakeDynamoDBClient(), **options)


def test_bad_arguments_are_value_errors() -> None:
    leases = _manager(FakeDynamoDBClient())
    with pytest.raises(ValueError):
        leases.lock_key("")
    with pytest.raises(ValueError):
        leases.acquire(LeaseKey("a", "b"), lease_seconds=0)
    with pytest.raises(ValueError):
        leases.acquire(LeaseKey("a", ""), lease_seconds=5)


def test_a_fixed_token_string() -> None:
    fake = FakeDynamoDBClient()
    fake.expect("update_item", {"ExpressionAttributeValues": {":tok": {"S": "worker-7"}}})
    fake.expect("update_item", {"ExpressionAttributeValues": {":tok": {"S": "worker-7"}}})
    leases = LeaseManager(client=fake, table_name="locks", now=lambda: 5.0, token="worker-7")
    assert leases.acquire(LeaseKey("a", "LOCK"), lease_seconds=5).token == "worker-7"
    assert leases.acquire(LeaseKey("b", "LOCK"), lease_seconds=5).token == "worker-7"
    fake.assert_no_pending()
    with pytest.raises(ValueError):
        LeaseManager(client=fake, table_name="locks", token="")
