"""Faults reach real boto3 clients so botocore's retries (and application retry loops) really run.

Every test drives a real boto3 client with standard retries; botocore's back-off sleep is recorded instead
of slept, so the tests are fast and the retries are counted twice: by botocore (``RetryAttempts``) and here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.server import serve_in_thread


def standard(retries: int) -> Config:
    """Standard retries; botocore reads ``max_attempts`` here as retries after the first attempt."""
    return Config(retries={"mode": "standard", "max_attempts": retries})


def key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}}


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore's back-off delays, recorded instead of slept."""
    delays: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", delays.append)
    return delays


@pytest.fixture
def emu() -> DynamoDBEmulator:
    emulator = DynamoDBEmulator()
    emulator.client().create_table(**table_request("things", ranged=False))
    return emulator


@pytest.fixture
def boto(emu: DynamoDBEmulator) -> Any:
    return emu.boto3_client(config=standard(3))


def test_throttles_are_retried_until_they_pass(emu: DynamoDBEmulator, boto: Any, sleeps: list[float]) -> None:
    assert not emu.faults.armed and not emu.faults
    emu.faults.throttle("PutItem", times=2)
    emu.faults.internal_error("Query")
    assert emu.faults.armed and emu.faults  # the lanes step aside while any is pending
    response = boto.put_item(TableName="things", Item={**key("a"), "n": {"N": "1"}})
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(sleeps) == 2
    assert emu.faults.armed  # the Query's is still pending
    emu.faults.clear()
    assert not emu.faults.armed
    assert emu.client().get_item(TableName="things", Key=key("a"))["Item"]["n"] == {"N": "1"}
    assert emu.faults.pending() == []
    emu.faults.throttle("GetItem")
    with pytest.raises(ClientError):
        emu.client().get_item(TableName="things", Key=key("a"))
    assert not emu.faults.armed  # the last use consumed it


def test_throttles_beyond_the_attempts_fail(emu: DynamoDBEmulator, boto: Any, sleeps: list[float]) -> None:
    emu.faults.throttle("PutItem", times=5)
    with pytest.raises(boto.exceptions.ProvisionedThroughputExceededException) as caught:
        boto.put_item(TableName="things", Item=key("a"))
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 3
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert len(emu.faults.pending()) == 1 and emu.faults.pending()[0].remaining == 1
    assert "Item" not in emu.client().get_item(TableName="things", Key=key("a"))
    emu.faults.clear()
    boto.put_item(TableName="things", Item=key("a"))


def test_throttling_exception_on_a_key(emu: DynamoDBEmulator, boto: Any, sleeps: list[float]) -> None:
    emu.client().put_item(TableName="things", Item=key("hot"))
    emu.faults.throttle("GetItem", times=1, key=key("hot"), code="ThrottlingException")
    cold = boto.get_item(TableName="things", Key=key("cold"))
    assert cold["ResponseMetadata"]["RetryAttempts"] == 0 and "Item" not in cold
    hot = boto.get_item(TableName="things", Key=key("hot"))
    assert hot["ResponseMetadata"]["RetryAttempts"] == 1
    assert hot["Item"] == key("hot")


def test_internal_errors_are_500s_and_retried(emu: DynamoDBEmulator, boto: Any, sleeps: list[float]) -> None:
    emu.faults.internal_error("Query", times=1)
    response = boto.query(
        TableName="things", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}}
    )
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    emu.faults.internal_error("DeleteItem", times=4)
    with pytest.raises(ClientError) as caught:
        boto.delete_item(TableName="things", Key=key("a"))
    assert caught.value.response["Error"]["Code"] == "InternalServerError"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 3


def test_unprocessed_items_are_resent_by_batch_writer(emu: DynamoDBEmulator, sleeps: list[float]) -> None:
    emu.faults.unprocessed("BatchWriteItem", keys=[key("3"), key("7")], times=2)
    resource = boto3.resource("dynamodb", region_name="us-east-1", aws_access_key_id="k",
                              aws_secret_access_key="s", config=standard(3))  # fmt: skip
    resource.meta.client = emu.boto3_client(config=standard(3))
    table = resource.Table("things")
    with table.batch_writer() as writer:
        for n in range(10):
            writer.put_item(Item={"pk": str(n)})
    assert sorted(int(i["pk"]["S"]) for i in emu.client().scan(TableName="things")["Items"]) == list(
        range(10)
    )
    assert emu.faults.pending() == []


def test_unprocessed_shapes(emu: DynamoDBEmulator, boto: Any) -> None:
    emu.faults.unprocessed("BatchWriteItem", keys=[key("b")])
    writes = [{"PutRequest": {"Item": key(p)}} for p in "abc"] + [{"DeleteRequest": {"Key": key("z")}}]
    first = boto.batch_write_item(RequestItems={"things": writes})
    assert first["UnprocessedItems"] == {"things": [{"PutRequest": {"Item": key("b")}}]}
    again = boto.batch_write_item(RequestItems=first["UnprocessedItems"])
    assert again["UnprocessedItems"] == {}
    emu.faults.unprocessed("BatchGetItem", keys=[key("a"), key("c")])
    request = {"things": {"Keys": [key("a"), key("b"), key("c")], "ConsistentRead": True}}
    got = boto.batch_get_item(RequestItems=request)
    assert got["Responses"] == {"things": [key("b")]}
    assert got["UnprocessedKeys"] == {"things": {"Keys": [key("a"), key("c")], "ConsistentRead": True}}
    rest = boto.batch_get_item(RequestItems=got["UnprocessedKeys"])
    assert sorted(i["pk"]["S"] for i in rest["Responses"]["things"]) == ["a", "c"]
    emu.faults.unprocessed("BatchGetItem", keys=[key("a")])
    only = boto.batch_get_item(RequestItems={"things": {"Keys": [key("a")]}})
    assert only["Responses"] == {} and only["UnprocessedKeys"] == {"things": {"Keys": [key("a")]}}


def test_unprocessed_still_validates_the_batch(emu: DynamoDBEmulator) -> None:
    emu.faults.unprocessed("BatchWriteItem", keys=[key("a")])
    with pytest.raises(ClientError) as caught:
        emu.client().batch_write_item(RequestItems={"things": [{"PutRequest": {"Item": {"x": {"S": "1"}}}}]})
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert len(emu.faults.pending()) == 1  # the fault waits for a batch that holds its key


def transfer(client: Any, attempts: int = 5) -> int:
    """Application code: move one unit from a to b, retrying transaction conflicts. Returns the tries."""
    for tries in range(1, attempts + 1):
        try:
            client.transact_write_items(
                TransactItems=[
                    {"Update": {"TableName": "things", "Key": key(pk), "UpdateExpression": "ADD n :d",
                                "ExpressionAttributeValues": {":d": {"N": delta}}}}
                    for pk, delta in (("a", "-1"), ("b", "1"))
                ]
            )  # fmt: skip
            return tries
        except client.exceptions.TransactionCanceledException as err:
            codes = [reason["Code"] for reason in err.response["CancellationReasons"]]
            if "TransactionConflict" not in codes:
                raise
    raise AssertionError("transfer never went through")


def test_transaction_conflicts_reach_the_application(emu: DynamoDBEmulator, boto: Any) -> None:
    emu.faults.transaction_conflict(times=2, key=key("b"))
    assert transfer(boto) == 3
    stored = {i["pk"]["S"]: i["n"]["N"] for i in emu.client().scan(TableName="things")["Items"]}
    assert stored == {"a": "-1", "b": "1"}


@pytest.fixture
def served(emu: DynamoDBEmulator) -> Iterator[Any]:
    with serve_in_thread(emulator=emu) as endpoint:
        yield boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="k",
            aws_secret_access_key="s",
            config=standard(4),
        )


def test_faults_over_http(emu: DynamoDBEmulator, served: Any, sleeps: list[float]) -> None:
    emu.faults.throttle("PutItem", times=1)
    emu.faults.internal_error("PutItem", times=2)
    response = served.put_item(TableName="things", Item=key("a"))
    assert response["ResponseMetadata"]["RetryAttempts"] == 3
    emu.faults.unprocessed("BatchGetItem", keys=[key("a")])
    got = served.batch_get_item(RequestItems={"things": {"Keys": [key("a")]}})
    assert got["UnprocessedKeys"] == {"things": {"Keys": [key("a")]}}
    assert transfer(served) == 1


def test_mock_dynamodb_routing_sees_faults(sleeps: list[float]) -> None:
    from theorydb_mocks import mock_dynamodb

    with mock_dynamodb() as emu:
        client = boto3.client("dynamodb", config=standard(2))
        emu.faults.throttle("ListTables", times=1)
        assert client.list_tables()["ResponseMetadata"]["RetryAttempts"] == 1


def test_schedule_checks_and_reprs() -> None:
    faults = DynamoDBEmulator().faults
    with pytest.raises(ValueError, match="times"):
        faults.throttle("PutItem", times=0)
    with pytest.raises(ValueError, match="code"):
        faults.throttle("PutItem", code="SlowDown")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="BatchWriteItem"):
        faults.unprocessed("PutItem", keys=[key("a")])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one key"):
        faults.unprocessed("BatchGetItem", keys=[])
    with pytest.raises(TypeError, match="fault key"):
        faults.transaction_conflict(key={})
    scheduled = faults.unprocessed("BatchGetItem", keys=[key("a")], times=2)
    assert repr(scheduled) == "<Fault unprocessed BatchGetItem x2 keys=[{'pk': {'S': 'a'}}]>"
    assert repr(faults.transaction_conflict()) == "<Fault transaction_conflict any transaction x1>"
    assert len(faults.pending()) == 2 and bool(faults)
    faults.clear()
    assert faults.pending() == [] and not faults
