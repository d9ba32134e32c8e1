"""Kinesis streaming destinations and the records they receive (``emu.kinesis_records``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from tests.server.conftest import make_client
from theorydb_mocks import mock_dynamodb
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient
from theorydb_mocks.emulator.server import EmulatorServer

STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/changes"
OTHER = "arn:aws:kinesis:us-east-1:123456789012:stream/audit"


def error(call: Any, **request: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**request)
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def test_records_have_the_kinesis_shape(client: EmulatorClient, emu: DynamoDBEmulator, table: str) -> None:
    emu.clock.set(1_700_000_000.123456)
    client.put_item(TableName=table, Item={"pk": {"S": "before"}, "sk": {"N": "0"}})  # no destination yet
    client.enable_kinesis_streaming_destination(TableName=table, StreamArn=STREAM)
    client.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "b": {"B": b"\x01"}})
    client.put_item(
        TableName=table, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "b": {"B": b"\x01"}}
    )  # no change
    client.update_item(
        TableName=table,
        Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
        UpdateExpression="SET n = :n",
        ExpressionAttributeValues={":n": {"N": "5"}},
    )
    client.delete_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    records = emu.kinesis_records(STREAM)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    first = records[0]
    assert set(first) == {
        "awsRegion",
        "eventID",
        "eventName",
        "userIdentity",
        "recordFormat",
        "tableName",
        "dynamodb",
        "eventSource",
    }
    assert (first["awsRegion"], first["recordFormat"], first["tableName"], first["eventSource"]) == (
        "us-east-1",
        "application/json",
        table,
        "aws:dynamodb",
    )
    assert first["userIdentity"] is None
    assert first["dynamodb"] == {
        "ApproximateCreationDateTime": 1_700_000_000_123,
        "Keys": {"pk": {"S": "a"}, "sk": {"N": "1"}},
        "NewImage": {"pk": {"S": "a"}, "sk": {"N": "1"}, "b": {"B": "AQ=="}},
        "SizeBytes": first["dynamodb"]["SizeBytes"],
    }
    modify = records[1]["dynamodb"]
    assert modify["OldImage"]["b"] == {"B": "AQ=="} and modify["NewImage"]["n"] == {"N": "5"}
    assert modify["SizeBytes"] > first["dynamodb"]["SizeBytes"]
    assert "NewImage" not in records[2]["dynamodb"] and "OldImage" in records[2]["dynamodb"]
    assert len({r["eventID"] for r in records}) == 3
    assert emu.kinesis_records(OTHER) == []


def test_microsecond_precision_and_ttl_identity(emu: DynamoDBEmulator) -> None:
    emu = DynamoDBEmulator(ttl_mode="immediate")
    client = emu.client()
    client.create_table(**table_request("things"))
    client.update_time_to_live(
        TableName="things", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    emu.clock.set(1_700_000_000.123456)
    client.enable_kinesis_streaming_destination(
        TableName="things",
        StreamArn=STREAM,
        EnableKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
    )
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "exp": {"N": "1700000001"}})
    emu.clock.advance(5)
    client.scan(TableName="things")
    insert, expiry = emu.kinesis_records(STREAM)
    assert insert["dynamodb"]["ApproximateCreationDateTime"] == 1_700_000_000_123_456
    assert expiry["eventName"] == "REMOVE"
    assert expiry["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def test_statuses_and_transitions_on_the_clock() -> None:
    emu = DynamoDBEmulator(transition_delay=10)
    client = emu.client()
    client.create_table(**table_request("things"))
    emu.clock.set(1_700_000_000)
    answer = client.enable_kinesis_streaming_destination(TableName="things", StreamArn=STREAM)
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {
        "TableName": "things",
        "StreamArn": STREAM,
        "DestinationStatus": "ENABLING",
    }
    described = client.describe_kinesis_streaming_destination(TableName="things")
    assert described["KinesisDataStreamDestinations"] == [
        {
            "StreamArn": STREAM,
            "DestinationStatus": "ENABLING",
            "ApproximateCreationDateTimePrecision": "MILLISECOND",
        }
    ]
    client.put_item(TableName="things", Item={"pk": {"S": "early"}, "sk": {"N": "1"}})  # not yet ACTIVE
    assert error(client.disable_kinesis_streaming_destination, TableName="things", StreamArn=STREAM)[0] == (
        "ResourceInUseException"
    )
    emu.clock.advance(10)
    client.put_item(TableName="things", Item={"pk": {"S": "on-time"}, "sk": {"N": "1"}})
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in emu.kinesis_records(STREAM)] == ["on-time"]
    updated = client.update_kinesis_streaming_destination(
        TableName="things",
        StreamArn=STREAM,
        UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
    )
    assert updated["DestinationStatus"] == "UPDATING"
    assert updated["UpdateKinesisStreamingConfiguration"] == {
        "ApproximateCreationDateTimePrecision": "MICROSECOND"
    }
    client.put_item(TableName="things", Item={"pk": {"S": "while-updating"}, "sk": {"N": "1"}})
    emu.clock.advance(10)
    assert error(
        client.update_kinesis_streaming_destination,
        TableName="things",
        StreamArn=STREAM,
        UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
    ) == ("ValidationException", "The ApproximateCreationDateTimePrecision is already MICROSECOND")
    assert (
        client.disable_kinesis_streaming_destination(TableName="things", StreamArn=STREAM)[
            "DestinationStatus"
        ]
        == "DISABLING"
    )
    client.put_item(TableName="things", Item={"pk": {"S": "late"}, "sk": {"N": "1"}})
    emu.clock.advance(10)
    (destination,) = client.describe_kinesis_streaming_destination(TableName="things")[
        "KinesisDataStreamDestinations"
    ]
    assert destination["DestinationStatus"] == "DISABLED"
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in emu.kinesis_records(STREAM)] == [
        "on-time",
        "while-updating",
    ]


def test_errors(client: EmulatorClient, table: str) -> None:
    assert error(
        client.enable_kinesis_streaming_destination,
        TableName=table,
        StreamArn="arn:aws:sqs:x:y:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    ) == (
        "ValidationException",
        "Invalid StreamArn: arn:aws:sqs:x:y:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    )
    assert error(client.enable_kinesis_streaming_destination, TableName="missing", StreamArn=STREAM) == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: missing not found",
    )
    assert error(client.disable_kinesis_streaming_destination, TableName=table, StreamArn=STREAM) == (
        "ValidationException",
        f"Table {table} has no enabled Kinesis streaming destination for the stream {STREAM}",
    )
    client.enable_kinesis_streaming_destination(TableName=table, StreamArn=STREAM)
    assert error(client.enable_kinesis_streaming_destination, TableName=table, StreamArn=STREAM) == (
        "ValidationException",
        f"Table {table} already has an enabled Kinesis streaming destination for the stream {STREAM}",
    )
    assert error(client.update_kinesis_streaming_destination, TableName=table, StreamArn=STREAM) == (
        "ValidationException",
        "UpdateKinesisStreamingConfiguration is required",
    )
    assert (
        client.describe_kinesis_streaming_destination(TableName=table)["KinesisDataStreamDestinations"][0][
            "DestinationStatus"
        ]
        == "ACTIVE"
    )


def test_two_destinations_each_receive_every_change(
    client: EmulatorClient, emu: DynamoDBEmulator, table: str
) -> None:
    client.enable_kinesis_streaming_destination(TableName=table, StreamArn=STREAM)
    client.enable_kinesis_streaming_destination(TableName=table, StreamArn=OTHER)
    client.batch_write_item(
        RequestItems={
            table: [{"PutRequest": {"Item": {"pk": {"S": str(n)}, "sk": {"N": "1"}}}} for n in range(3)]
        }
    )
    client.transact_write_items(
        TransactItems=[{"Delete": {"TableName": table, "Key": {"pk": {"S": "0"}, "sk": {"N": "1"}}}}]
    )
    assert len(emu.kinesis_records(STREAM)) == len(emu.kinesis_records(OTHER)) == 4


def test_snapshots_reset_and_table_deletion(
    client: EmulatorClient, emu: DynamoDBEmulator, table: str
) -> None:
    client.enable_kinesis_streaming_destination(TableName=table, StreamArn=STREAM)
    client.put_item(TableName=table, Item={"pk": {"S": "kept"}, "sk": {"N": "1"}})
    with emu.rollback():
        client.put_item(TableName=table, Item={"pk": {"S": "undone"}, "sk": {"N": "1"}})
        client.disable_kinesis_streaming_destination(TableName=table, StreamArn=STREAM)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in emu.kinesis_records(STREAM)] == ["kept"]
    client.put_item(TableName=table, Item={"pk": {"S": "after"}, "sk": {"N": "1"}})  # still ACTIVE again
    assert len(emu.kinesis_records(STREAM)) == 2
    snapshot = emu.snapshot()
    client.delete_table(TableName=table)
    client.create_table(**table_request(table))
    client.put_item(TableName=table, Item={"pk": {"S": "new-table"}, "sk": {"N": "1"}})
    assert len(emu.kinesis_records(STREAM)) == 2  # the new table has no destination
    emu.restore(snapshot)
    client.put_item(TableName=table, Item={"pk": {"S": "restored"}, "sk": {"N": "1"}})
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in emu.kinesis_records(STREAM)][-1] == "restored"
    emu.reset()
    assert emu.kinesis_records(STREAM) == []


@pytest.fixture(params=["boto3", "mock_dynamodb"])
def routed(request: pytest.FixtureRequest) -> Iterator[tuple[Any, DynamoDBEmulator]]:
    if request.param == "boto3":
        emu = DynamoDBEmulator()
        yield emu.boto3_client(region_name="us-east-1"), emu
    else:
        with mock_dynamodb() as emu:
            yield boto3.client("dynamodb", region_name="us-east-1"), emu


def test_routed_doors(routed: tuple[Any, DynamoDBEmulator]) -> None:
    client, emu = routed
    client.create_table(**table_request("things"))
    client.enable_kinesis_streaming_destination(TableName="things", StreamArn=STREAM)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert [r["eventName"] for r in emu.kinesis_records(STREAM)] == ["INSERT"]
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_kinesis_streaming_destination(TableName="missing")


@pytest.mark.parametrize("compact", [False, True])
def test_the_server_keeps_destinations_across_restarts(tmp_path: Any, compact: bool) -> None:
    path = str(tmp_path / "db.journal")
    with EmulatorServer(db_path=path) as server:
        client = make_client(server.endpoint_url)
        client.create_table(**table_request("things"))
        client.enable_kinesis_streaming_destination(
            TableName="things",
            StreamArn=STREAM,
            EnableKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"},
        )
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
        assert len(server.emulator.kinesis_records(STREAM)) == 1
        if compact:
            server.compact()
    with EmulatorServer(db_path=path) as server:
        client = make_client(server.endpoint_url)
        (destination,) = client.describe_kinesis_streaming_destination(TableName="things")[
            "KinesisDataStreamDestinations"
        ]
        assert (destination["DestinationStatus"], destination["ApproximateCreationDateTimePrecision"]) == (
            "ACTIVE",
            "MICROSECOND",
        )
        client.put_item(TableName="things", Item={"pk": {"S": "b"}, "sk": {"N": "1"}})
        keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in server.emulator.kinesis_records(STREAM)]
        # As with DynamoDB Streams, the replay delivers nothing again: what was delivered before is gone.
        assert keys == ["b"]
