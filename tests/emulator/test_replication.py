"""Replication between a global table's replicas: the clock-driven delay, order, last writer wins, streams."""

from __future__ import annotations

from typing import Any

import pytest

from theorydb_mocks import DynamoDBEmulator

STREAM = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")


@pytest.fixture
def emu() -> DynamoDBEmulator:
    """Three replicas of ``orders`` (us-east-1 home), the clock pinned, the default delay."""
    emulator = DynamoDBEmulator()
    emulator.clock.set(1_000_000)
    emulator.client().create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification=STREAM,
    )
    emulator.client().update_table(
        TableName="orders",
        ReplicaUpdates=[{"Create": {"RegionName": region}} for region in REGIONS[1:]],
    )
    return emulator


def item_in(emu: DynamoDBEmulator, region: str, pk: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = (
        emu.client(region_name=region).get_item(TableName="orders", Key={"pk": {"S": pk}}).get("Item")
    )
    return found


def events(emu: DynamoDBEmulator, region: str) -> list[tuple[str, str, str | None]]:
    """(event, key, new value of v) of each stream record in ``region``."""
    return [
        (
            record["eventName"],
            record["dynamodb"]["Keys"]["pk"]["S"],
            record["dynamodb"].get("NewImage", {}).get("v", {}).get("S"),
        )
        for record in emu.in_region(region).stream_records("orders")
    ]


def test_a_write_arrives_after_the_delay_on_the_clock(emu: DynamoDBEmulator) -> None:
    assert emu.replication_delay == 0.5
    emu.client().put_item(TableName="orders", Item={"pk": {"S": "a"}, "v": {"S": "1"}})
    assert item_in(emu, "us-west-2", "a") is None  # not yet: eventually consistent
    emu.clock.advance(0.4)
    assert item_in(emu, "eu-west-1", "a") is None
    emu.clock.advance(0.1)
    assert item_in(emu, "us-west-2", "a") == {"pk": {"S": "a"}, "v": {"S": "1"}}
    assert item_in(emu, "eu-west-1", "a") == {"pk": {"S": "a"}, "v": {"S": "1"}}


def test_a_zero_delay_replicates_before_the_answer(emu: DynamoDBEmulator) -> None:
    emu.replication_delay = 0
    emu.client(region_name="eu-west-1").put_item(TableName="orders", Item={"pk": {"S": "a"}})
    assert item_in(emu, "us-east-1", "a") == {"pk": {"S": "a"}}
    assert item_in(emu, "us-west-2", "a") == {"pk": {"S": "a"}}
    with pytest.raises(ValueError, match="seconds >= 0"):
        emu.replication_delay = -1


def test_every_replica_writes_its_own_stream_records(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    east.put_item(TableName="orders", Item={"pk": {"S": "a"}, "v": {"S": "1"}})
    east.update_item(
        TableName="orders",
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "2"}},
    )
    east.delete_item(TableName="orders", Key={"pk": {"S": "a"}})
    emu.replication.flush()
    expected = [("INSERT", "a", "1"), ("MODIFY", "a", "2"), ("REMOVE", "a", None)]
    for region in REGIONS:
        assert events(emu, region) == expected
        records = emu.in_region(region).stream_records("orders")
        assert {record["awsRegion"] for record in records} == {region}
        assert all(record["eventSourceARN"].startswith(f"arn:aws:dynamodb:{region}:") for record in records)
        assert records[1]["dynamodb"]["OldImage"]["v"] == {"S": "1"}  # NEW_AND_OLD_IMAGES everywhere
        assert all("userIdentity" not in record for record in records)


def test_concurrent_writes_in_two_regions_converge_on_the_last_writer(emu: DynamoDBEmulator) -> None:
    east, west = emu.client(), emu.client(region_name="us-west-2")
    east.put_item(TableName="orders", Item={"pk": {"S": "a"}, "v": {"S": "east"}})
    emu.clock.advance(0.1)  # before the east write arrives in us-west-2
    west.put_item(TableName="orders", Item={"pk": {"S": "a"}, "v": {"S": "west"}})
    assert item_in(emu, "us-east-1", "a") == {"pk": {"S": "a"}, "v": {"S": "east"}}
    emu.clock.advance(1)
    for region in REGIONS:
        assert item_in(emu, region, "a") == {"pk": {"S": "a"}, "v": {"S": "west"}}, region
    # us-west-2 wrote last: the earlier east write never lands there; everywhere else it is replaced.
    assert events(emu, "us-west-2") == [("INSERT", "a", "west")]
    assert events(emu, "us-east-1") == [("INSERT", "a", "east"), ("MODIFY", "a", "west")]
    assert events(emu, "eu-west-1") == [("INSERT", "a", "east"), ("MODIFY", "a", "west")]


def test_a_write_after_the_arrival_is_the_last_writer(emu: DynamoDBEmulator) -> None:
    east, west = emu.client(), emu.client(region_name="us-west-2")
    east.put_item(TableName="orders", Item={"pk": {"S": "a"}, "v": {"S": "east"}})
    emu.clock.advance(0.7)  # east's write is due in us-west-2 before this write: it lands first
    west.update_item(
        TableName="orders",
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET w = :w",
        ExpressionAttributeValues={":w": {"S": "west"}},
    )
    emu.replication.flush()
    for region in REGIONS:
        assert item_in(emu, region, "a") == {"pk": {"S": "a"}, "v": {"S": "east"}, "w": {"S": "west"}}


def test_writes_to_different_items_all_arrive_in_order(emu: DynamoDBEmulator) -> None:
    west = emu.client(region_name="us-west-2")
    for n in range(5):
        west.put_item(TableName="orders", Item={"pk": {"S": f"k{n}"}, "v": {"S": str(n)}})
        emu.clock.advance(0.01)
    emu.clock.advance(1)
    assert [key for _, key, _ in events(emu, "eu-west-1")] == [f"k{n}" for n in range(5)]


def test_a_conditional_write_sees_its_own_region_only(emu: DynamoDBEmulator) -> None:
    east, west = emu.client(), emu.client(region_name="us-west-2")
    east.put_item(TableName="orders", Item={"pk": {"S": "a"}, "v": {"S": "1"}})
    west.put_item(
        TableName="orders",
        Item={"pk": {"S": "a"}, "v": {"S": "2"}},
        ConditionExpression="attribute_not_exists(pk)",  # true in us-west-2: the east write is on its way
    )
    emu.replication.flush()
    assert item_in(emu, "us-east-1", "a") == {"pk": {"S": "a"}, "v": {"S": "2"}}


def test_replicated_writes_cost_replicated_write_units_in_each_region(emu: DynamoDBEmulator) -> None:
    emu.client().put_item(TableName="orders", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    emu.replication.flush()
    for region in REGIONS[1:]:
        ledger = emu.in_region(region).capacity
        assert ledger.total(operation="ReplicatedWrite", index=None) == 1.0
        assert ledger.total(operation="ReplicatedWrite", index="by-g") == 1.0  # the replica's GSI too
    assert emu.capacity.total(operation="ReplicatedWrite") == 0.0


def test_replicas_answer_index_queries_for_replicated_items(emu: DynamoDBEmulator) -> None:
    emu.client().put_item(TableName="orders", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    emu.replication.flush()
    found = emu.client(region_name="eu-west-1").query(
        TableName="orders",
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
    )
    assert found["Items"] == [{"pk": {"S": "a"}, "g": {"S": "x"}}]


def test_transactions_and_batches_replicate_item_by_item(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    east.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "orders", "Item": {"pk": {"S": "t1"}}}},
            {"Put": {"TableName": "orders", "Item": {"pk": {"S": "t2"}}}},
        ]
    )
    east.batch_write_item(RequestItems={"orders": [{"PutRequest": {"Item": {"pk": {"S": "b1"}}}}]})
    assert len(emu.replication.pending) == 3
    emu.replication.flush()
    assert emu.client(region_name="us-west-2").scan(TableName="orders")["Count"] == 3


def test_ttl_deletions_replicate_as_deletions(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    east.update_time_to_live(
        TableName="orders", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    east.put_item(TableName="orders", Item={"pk": {"S": "a"}, "exp": {"N": str(1_000_010)}})
    emu.replication.flush()
    emu.clock.advance(20)
    assert emu.ttl.sweep() == 1  # us-east-1's sweeper deletes it there...
    emu.replication.flush()
    assert item_in(emu, "us-west-2", "a") is None  # ...and the deletion replicates
    east_records = emu.stream_records("orders")
    assert east_records[-1]["userIdentity"]["principalId"] == "dynamodb.amazonaws.com"
    assert emu.in_region("us-west-2").stream_records("orders")[-1]["eventName"] == "REMOVE"


def test_a_write_that_changes_nothing_does_not_replicate(emu: DynamoDBEmulator) -> None:
    east = emu.client()
    east.put_item(TableName="orders", Item={"pk": {"S": "a"}})
    emu.replication.flush()
    east.put_item(TableName="orders", Item={"pk": {"S": "a"}})
    assert emu.replication.pending == []


def test_requests_in_any_region_deliver_what_is_due(emu: DynamoDBEmulator) -> None:
    emu.client().put_item(TableName="orders", Item={"pk": {"S": "a"}})
    emu.clock.advance(1)
    emu.in_region("ap-south-1").dispatch("ListTables", {})  # an unrelated region's request
    assert emu.replication.pending == []
    assert emu.in_region("us-west-2").tables["orders"].store.item_count == 1


def test_a_replicated_write_conflict_can_be_scheduled_and_is_retried(emu: DynamoDBEmulator) -> None:
    emu.faults.replicated_write_conflict("PutItem", times=1, key={"pk": {"S": "a"}})
    routed = emu.boto3_client()  # botocore's standard retries
    routed.put_item(TableName="orders", Item={"pk": {"S": "a"}})
    assert emu.faults.pending() == []
    emu.faults.replicated_write_conflict("PutItem", times=1)
    client = emu.client()
    with pytest.raises(client.exceptions.ReplicatedWriteConflictException) as info:
        client.put_item(TableName="orders", Item={"pk": {"S": "b"}})
    assert info.value.response["Error"]["Message"].startswith("The request was rejected because one or more")
