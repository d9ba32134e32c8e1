"""DynamoDB Streams on the emulator: records per view type, the Streams API through real boto3 clients,
iterators, trimming, expiry, closing, Lambda-shaped records, and every door (direct, routed, HTTP)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.emulator.conftest import table_request
from theorydb_mocks import mock_dynamodb
from theorydb_mocks.emulator import DynamoDBEmulator, DynamoDBError
from theorydb_mocks.emulator.client import EmulatorClient

ITEM = {"pk": {"S": "a"}, "sk": {"N": "1"}, "b": {"B": b"\x00\x01"}}
KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}


def _streamed(client: Any, view: str = "NEW_AND_OLD_IMAGES", name: str = "things") -> str:
    spec = {"StreamEnabled": True, "StreamViewType": view}
    created = client.create_table(**table_request(name, StreamSpecification=spec))
    return str(created["TableDescription"]["LatestStreamArn"])


def _read_all(streams: Any, arn: str, kind: str = "TRIM_HORIZON", **extra: Any) -> list[dict[str, Any]]:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **extra)
    records: list[dict[str, Any]] = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return records


def _changes(client: EmulatorClient) -> None:
    client.put_item(TableName="things", Item=ITEM)
    client.put_item(TableName="things", Item={**KEY, "x": {"S": "y"}})
    client.put_item(TableName="things", Item={**KEY, "x": {"S": "y"}})  # no change: no record
    client.delete_item(TableName="things", Key=KEY)


@pytest.mark.parametrize(
    ("view", "images"),
    [
        ("KEYS_ONLY", [set(), set(), set()]),
        ("NEW_IMAGE", [{"NewImage"}, {"NewImage"}, set()]),
        ("OLD_IMAGE", [set(), {"OldImage"}, {"OldImage"}]),
        ("NEW_AND_OLD_IMAGES", [{"NewImage"}, {"NewImage", "OldImage"}, {"OldImage"}]),
    ],
)
def test_each_view_type_writes_the_images_it_names(
    emu: DynamoDBEmulator, client: EmulatorClient, view: str, images: list[set[str]]
) -> None:
    arn = _streamed(client, view)
    _changes(client)
    records = _read_all(emu.streams_client(), arn)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert [set(r["dynamodb"]) & {"NewImage", "OldImage"} for r in records] == images
    assert all(r["dynamodb"]["Keys"] == KEY and r["dynamodb"]["StreamViewType"] == view for r in records)


def test_record_shape_sizes_and_sequence_numbers(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    emu.clock.set(1_700_000_000.75)
    arn = _streamed(client)
    _changes(client)
    records = _read_all(emu.streams_client(), arn)
    first = records[0]
    assert first["eventVersion"] == "1.1" and first["eventSource"] == "aws:dynamodb"
    assert first["awsRegion"] == "us-east-1" and len(first["eventID"]) == 36
    assert first["dynamodb"]["NewImage"]["b"] == {"B": b"\x00\x01"}
    # Keys + images, as DynamoDB Local measures them (17, 26 and 16 bytes for these items).
    assert [r["dynamodb"]["SizeBytes"] for r in records] == [17, 26, 16]
    numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
    assert all(len(n) == 21 and n.isdigit() for n in numbers) and numbers == sorted(numbers)
    assert len(set(numbers)) == 3
    # Rounded down to the second, as the service writes it.
    assert first["dynamodb"]["ApproximateCreationDateTime"] == datetime.fromtimestamp(1_700_000_000, UTC)


def test_describe_and_list_streams(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    arn = _streamed(client, "KEYS_ONLY")
    streams = emu.streams_client()
    listed = streams.list_streams(TableName="things")["Streams"]
    label = arn.rsplit("/", 1)[1]
    assert listed == [{"StreamArn": arn, "TableName": "things", "StreamLabel": label}]
    assert streams.list_streams(TableName="nothing")["Streams"] == []
    described = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert described["StreamStatus"] == "ENABLED" and described["StreamViewType"] == "KEYS_ONLY"
    assert described["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    (shard,) = described["Shards"]
    assert shard["ShardId"].startswith("shardId-") and 28 <= len(shard["ShardId"]) <= 65
    assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    after = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=shard["ShardId"])
    assert after["StreamDescription"]["Shards"] == []
    with pytest.raises(ClientError) as caught:
        streams.describe_stream(StreamArn=arn + "x")
    assert caught.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": f"Requested resource not found: Stream: {arn}x not found",
    }


def test_every_iterator_type(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    arn = _streamed(client, "KEYS_ONLY")
    for n in range(5):
        client.put_item(TableName="things", Item={"pk": {"S": f"k{n}"}, "sk": {"N": "1"}})
    streams = emu.streams_client()
    everything = _read_all(streams, arn)
    numbers = [r["dynamodb"]["SequenceNumber"] for r in everything]
    assert len(numbers) == 5
    at = _read_all(streams, arn, "AT_SEQUENCE_NUMBER", SequenceNumber=numbers[2])
    assert [r["dynamodb"]["SequenceNumber"] for r in at] == numbers[2:]
    after = _read_all(streams, arn, "AFTER_SEQUENCE_NUMBER", SequenceNumber=numbers[2])
    assert [r["dynamodb"]["SequenceNumber"] for r in after] == numbers[3:]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")
    assert streams.get_records(ShardIterator=latest["ShardIterator"])["Records"] == []
    client.put_item(TableName="things", Item={"pk": {"S": "later"}, "sk": {"N": "1"}})
    page = streams.get_records(ShardIterator=latest["ShardIterator"])
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]] == ["later"]


def test_limit_pages_with_next_shard_iterator(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    arn = _streamed(client, "KEYS_ONLY")
    for n in range(5):
        client.put_item(TableName="things", Item={"pk": {"S": f"k{n}"}, "sk": {"N": "1"}})
    streams = emu.streams_client()
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    seen: list[str] = []
    for _ in range(4):
        page = streams.get_records(ShardIterator=iterator, Limit=2)
        seen += [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]]
        iterator = page["NextShardIterator"]
    assert seen == ["k0", "k1", "k2", "k3", "k4"]


@pytest.mark.parametrize(
    ("kind", "extra", "code", "message"),
    [
        ("AT_SEQUENCE_NUMBER", {}, "ValidationException", "Invalid SequenceNumber"),
        ("TRIM_HORIZON", {"SequenceNumber": "1" * 21}, "ValidationException", "should not be passed"),
        ("AT_SEQUENCE_NUMBER", {"SequenceNumber": "0" * 21}, "ValidationException", "for the shard"),
        ("AT_SEQUENCE_NUMBER", {"SequenceNumber": "9" * 25}, "ValidationException", "for the shard"),
    ],
)
def test_get_shard_iterator_errors(
    emu: DynamoDBEmulator, client: EmulatorClient, kind: str, extra: dict[str, str], code: str, message: str
) -> None:
    arn = _streamed(client)
    client.put_item(TableName="things", Item=ITEM)
    streams = emu.streams_client()
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    with pytest.raises(ClientError) as caught:
        streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind, **extra)
    assert caught.value.response["Error"]["Code"] == code
    assert message in caught.value.response["Error"]["Message"]


def test_missing_stream_shard_and_bad_iterator(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    arn = _streamed(client)
    streams = emu.streams_client()
    with pytest.raises(streams.exceptions.ResourceNotFoundException, match="Shard does not exist"):
        streams.get_shard_iterator(StreamArn=arn, ShardId="shardId-" + "0" * 20, ShardIteratorType="LATEST")
    with pytest.raises(streams.exceptions.ResourceNotFoundException, match="Stream does not exist"):
        streams.get_shard_iterator(
            StreamArn=arn + "x", ShardId="shardId-" + "0" * 20, ShardIteratorType="LATEST"
        )
    for bad in ("garbage", arn + "|1|" + base64.b64encode(b"x|y|z").decode()):
        with pytest.raises(ClientError, match="Invalid ShardIterator"):
            streams.get_records(ShardIterator=bad)


def test_iterators_expire_after_15_minutes_and_old_records_are_trimmed(
    emu: DynamoDBEmulator, client: EmulatorClient
) -> None:
    emu.clock.set(1_700_000_000)
    arn = _streamed(client, "KEYS_ONLY")
    client.put_item(TableName="things", Item={"pk": {"S": "old"}, "sk": {"N": "1"}})
    streams = emu.streams_client(config=_no_retries())
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    emu.clock.advance(15 * 60 + 1)
    with pytest.raises(streams.exceptions.ExpiredIteratorException):
        streams.get_records(ShardIterator=iterator["ShardIterator"])
    old_number = _read_all(streams, arn)[0]["dynamodb"]["SequenceNumber"]
    emu.clock.advance(24 * 3600)
    client.put_item(TableName="things", Item={"pk": {"S": "new"}, "sk": {"N": "1"}})
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in _read_all(streams, arn)] == ["new"]
    with pytest.raises(streams.exceptions.TrimmedDataAccessException):
        streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=old_number
        )


def _no_retries() -> Any:
    from botocore.config import Config

    return Config(retries={"max_attempts": 1, "mode": "standard"})


def test_disabling_closes_the_stream_and_a_new_one_starts(
    emu: DynamoDBEmulator, client: EmulatorClient
) -> None:
    arn = _streamed(client, "KEYS_ONLY")
    client.put_item(TableName="things", Item=ITEM)
    table = client.update_table(TableName="things", StreamSpecification={"StreamEnabled": False})
    assert table["TableDescription"]["LatestStreamArn"] == arn
    client.put_item(TableName="things", Item={**KEY, "more": {"S": "ignored"}})
    streams = emu.streams_client()
    closed = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert closed["StreamStatus"] == "DISABLED"
    (record,) = _read_all(streams, arn)
    assert (
        closed["Shards"][0]["SequenceNumberRange"]["EndingSequenceNumber"]
        == (record["dynamodb"]["SequenceNumber"])
    )
    # A fully read closed shard hands out no further iterator.
    shard = closed["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    page = streams.get_records(ShardIterator=iterator["ShardIterator"])
    assert len(page["Records"]) == 1 and "NextShardIterator" not in page
    emu.clock.advance(1)
    spec = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    second = client.update_table(TableName="things", StreamSpecification=spec)["TableDescription"]
    assert second["LatestStreamArn"] != arn
    client.delete_table(TableName="things")
    listed = streams.list_streams(TableName="things")["Streams"]
    assert [s["StreamArn"] for s in listed] == [second["LatestStreamArn"], arn]
    assert streams.describe_stream(StreamArn=second["LatestStreamArn"])["StreamDescription"][
        "StreamStatus"
    ] == ("DISABLED")


def test_stream_records_are_lambda_events(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    arn = _streamed(client)
    _changes(client)
    records = emu.stream_records("things")
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    first = records[0]
    assert first["eventSource"] == "aws:dynamodb" and first["eventSourceARN"] == arn
    assert first["dynamodb"]["NewImage"]["b"] == {"B": "AAE="}
    assert isinstance(first["dynamodb"]["ApproximateCreationDateTime"], int)
    since = emu.stream_records("things", since=first["dynamodb"]["SequenceNumber"])
    assert [r["eventName"] for r in since] == ["MODIFY", "REMOVE"]
    assert emu.stream_records("no-such-table") == []
    with pytest.raises(ValueError, match="since must be a SequenceNumber"):
        emu.stream_records("things", since="12a")


def test_a_lambda_handler_fed_directly(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    _streamed(client, "NEW_IMAGE")
    client.put_item(TableName="things", Item={**KEY, "status": {"S": "paid"}})
    seen: list[str] = []

    def handler(event: dict[str, Any], context: Any) -> None:
        for record in event["Records"]:
            seen.append(record["dynamodb"]["NewImage"]["status"]["S"])

    handler({"Records": emu.stream_records("things")}, None)
    assert seen == ["paid"]


def test_streams_through_mock_dynamodb_and_http(emu: DynamoDBEmulator) -> None:
    with mock_dynamodb() as routed:
        ddb = boto3.client("dynamodb")
        arn = _streamed(ddb, "KEYS_ONLY", name="routed")
        ddb.put_item(TableName="routed", Item=ITEM)
        assert [r["eventName"] for r in _read_all(boto3.client("dynamodbstreams"), arn)] == ["INSERT"]
        assert len(routed.stream_records("routed")) == 1
    from theorydb_mocks.emulator.server import EmulatorServer

    server = EmulatorServer(emulator=emu, port=0)
    server.start()
    try:
        options = {
            "endpoint_url": server.endpoint_url,
            "region_name": "us-east-1",
            "aws_access_key_id": "k",
            "aws_secret_access_key": "s",
        }
        ddb = boto3.client("dynamodb", **options)
        arn = _streamed(ddb, "NEW_IMAGE", name="served")
        ddb.put_item(TableName="served", Item=ITEM)
        (record,) = _read_all(boto3.client("dynamodbstreams", **options), arn)
        assert record["dynamodb"]["NewImage"]["b"] == {"B": b"\x00\x01"}
    finally:
        server.stop()


def test_streams_requests_are_validated_by_the_streams_model(emu: DynamoDBEmulator) -> None:
    with pytest.raises(Exception) as caught:
        emu.dispatch("GetRecords", {"ShardIterator": ""})
    assert "failed to satisfy constraint" in str(caught.value)
    with pytest.raises(Exception, match="Member must not be null"):
        emu.dispatch("DescribeStream", {})


def test_transactions_and_batches_write_records(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    _streamed(client, "KEYS_ONLY")
    client.batch_write_item(
        RequestItems={
            "things": [{"PutRequest": {"Item": {"pk": {"S": f"b{n}"}, "sk": {"N": "1"}}}} for n in range(3)]
        }
    )
    client.update_item(
        TableName="things",
        Key=KEY,
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"N": "1"}},
    )
    assert [r["eventName"] for r in emu.stream_records("things")] == ["INSERT"] * 4


_TEXT = st.text(max_size=30) | st.sampled_from(["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "1" * 21])
_GARBAGE = (
    st.none() | st.integers() | st.booleans() | _TEXT | st.binary(max_size=8) | st.lists(_TEXT, max_size=2)
)


def test_get_records_stops_at_one_megabyte(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    arn = _streamed(client, "NEW_IMAGE")
    for n in range(5):  # five records of about 300 KB each
        client.put_item(
            TableName="things", Item={"pk": {"S": f"k{n}"}, "sk": {"N": "1"}, "d": {"S": "x" * 300_000}}
        )
    streams = emu.streams_client()
    shard = emu.streams.streams[arn].shard_id
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    first = streams.get_records(ShardIterator=iterator["ShardIterator"])
    assert len(first["Records"]) == 3
    assert len(streams.get_records(ShardIterator=first["NextShardIterator"])["Records"]) == 2


def test_at_timestamp(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    emu.clock.set(1_700_000_000)
    arn = _streamed(client, "KEYS_ONLY")
    client.put_item(TableName="things", Item={"pk": {"S": "early"}, "sk": {"N": "1"}})
    emu.clock.advance(60)
    client.put_item(TableName="things", Item={"pk": {"S": "late"}, "sk": {"N": "1"}})
    shard = emu.streams.streams[arn].shard_id
    for when, expected in (
        (datetime.fromtimestamp(1_700_000_030, UTC), ["late"]),
        (datetime(1, 1, 1), ["early", "late"]),  # naive: UTC; before everything
        (datetime(9999, 12, 31, 23, 59), []),
    ):
        iterator = emu.dispatch(
            "GetShardIterator",
            {"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": when},
        )["ShardIterator"]
        records = emu.dispatch("GetRecords", {"ShardIterator": iterator})["Records"]
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_streams_garbage_gets_dynamodb_errors_only(data: st.DataObject) -> None:
    emu = DynamoDBEmulator()
    client = emu.client()
    arn = _streamed(client)
    client.put_item(TableName="things", Item=ITEM)
    shard = emu.streams.streams[arn].shard_id
    good_iterator = emu.dispatch(
        "GetShardIterator", {"StreamArn": arn, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"}
    )["ShardIterator"]
    prefix = good_iterator.partition("|1|")[0] + "|1|"
    forged = st.builds(
        lambda parts: prefix + base64.b64encode("|".join(parts).encode()).decode(),
        st.lists(st.text(max_size=22), max_size=4),
    )
    operation = data.draw(
        st.sampled_from(["ListStreams", "DescribeStream", "GetShardIterator", "GetRecords"])
    )
    fields = {
        "StreamArn": st.just(arn) | _GARBAGE,
        "ShardId": st.just(shard) | _GARBAGE,
        "ShardIteratorType": _GARBAGE,
        "SequenceNumber": _GARBAGE | st.from_regex(r"[0-9²]{21,25}", fullmatch=True),
        "ShardIterator": st.just(good_iterator) | forged | _GARBAGE,
        "Limit": _GARBAGE,
        "TableName": st.just("things") | _GARBAGE,
        "ExclusiveStartShardId": _GARBAGE,
        "ExclusiveStartStreamArn": _GARBAGE,
        "Timestamp": _GARBAGE | st.datetimes(),
    }
    request = data.draw(st.fixed_dictionaries({}, optional=fields))
    try:
        emu.dispatch(operation, request)
    except DynamoDBError as err:
        assert err.code != "InternalServerError", (err, err.__cause__)


def test_concurrent_writers_get_one_record_each_in_sequence(
    emu: DynamoDBEmulator, client: EmulatorClient
) -> None:
    import threading

    _streamed(client, "NEW_IMAGE")

    def writer(worker: int) -> None:
        for n in range(50):
            client.put_item(TableName="things", Item={"pk": {"S": f"w{worker}"}, "sk": {"N": str(n)}})

    threads = [threading.Thread(target=writer, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = emu.stream_records("things")
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert len(records) == 200 and numbers == sorted(set(numbers))
    for worker in range(4):  # each writer's records in its own order
        mine = [
            r["dynamodb"]["Keys"]["sk"]["N"]
            for r in records
            if r["dynamodb"]["Keys"]["pk"]["S"] == f"w{worker}"
        ]
        assert mine == [str(n) for n in range(50)]
