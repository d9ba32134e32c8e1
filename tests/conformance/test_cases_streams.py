"""DynamoDB Streams vs DynamoDB Local: records for every view type, the Streams API's answers and errors.

Both backends get the same table operations through the harness; the stream side is read with a real
``dynamodbstreams`` client on each (DynamoDB Local's endpoint, ``emu.streams_client()``), and compared
after normalizing what differs by design, not by behaviour:

- ids and clocks: ``eventID``, stream ARNs and labels, shard ids, iterators, timestamps
  (``ApproximateCreationDateTime``: DynamoDB Local rounds to the minute, the service and the emulator to
  the second);
- sequence numbers: replaced by their rank within the stream (Local counts across all tables, so its
  numbers have gaps; both are increasing 21-digit strings, which is checked on each side);
- ``awsRegion``: Local writes ``ddblocal``, the service (and the emulator) the client's region.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.conformance.harness import Differential, N, S, table_spec
from tests.conftest import boto3_client_for

VIEWS = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
_SEQUENCE = re.compile(r"\d{21,40}")


@pytest.fixture
def streams_for(diff: Differential, dynamodb_local_endpoint: str) -> Callable[[Any], Any]:
    """The ``dynamodbstreams`` client beside a backend's DynamoDB client."""
    local = boto3_client_for(dynamodb_local_endpoint, "dynamodbstreams")
    emulator = None if diff.emulator is None else diff.emulator._emulator.streams_client()

    def pick(client: Any) -> Any:
        return local if client is diff.local else emulator

    return pick


@pytest.fixture
def stream_table(diff: Differential) -> Iterator[Callable[[str], None]]:
    """``stream_table(view)`` creates table ``t`` with a stream on both backends, not compared: the answer
    embeds the stream label, a millisecond timestamp that differs between any two tables. Dropped after."""
    made: list[str] = []

    def make(view: str, name: str = "t") -> None:
        spec = {"StreamEnabled": True, "StreamViewType": view}
        request = table_spec(name, ("pk", "S"), ("sk", "N"), StreamSpecification=spec)
        diff.table(name)
        made.append(name)
        diff.each(lambda client, name_of: client.create_table(**{**request, "TableName": name_of(name)}))

    yield make
    for logical in made:

        def drop(client: Any, name_of: Callable[[str], str], logical: str = logical) -> None:
            _drop(client, name_of(logical))

        diff.each(drop)


def _drop(client: Any, name: str) -> None:
    with contextlib.suppress(Exception):  # best effort: the test may have failed before creating it
        client.delete_table(TableName=name)


def _arn(client: Any, name: str) -> str:
    return str(client.describe_table(TableName=name)["Table"]["LatestStreamArn"])


def _records(streams: Any, arn: str, kind: str = "TRIM_HORIZON", limit: int | None = None) -> list[Any]:
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType=kind)[
        "ShardIterator"
    ]
    records: list[Any] = []
    for _ in range(20):
        page = streams.get_records(ShardIterator=iterator, **({"Limit": limit} if limit else {}))
        records += page["Records"]
        if not page["Records"] or "NextShardIterator" not in page:
            break
        iterator = page["NextShardIterator"]
    return records


def _normal(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records without ids, clocks and regions; sequence numbers as ranks (checked increasing first)."""
    numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
    assert all(_SEQUENCE.fullmatch(n) for n in numbers), numbers
    assert numbers == sorted(numbers, key=int) and len(set(numbers)) == len(numbers), numbers
    out = []
    for rank, record in enumerate(records):
        data = {k: v for k, v in record["dynamodb"].items() if k != "ApproximateCreationDateTime"}
        data["SequenceNumber"] = rank
        rest = {k: v for k, v in record.items() if k not in ("eventID", "awsRegion", "dynamodb")}
        out.append({**rest, "dynamodb": data})
    return out


def _write_everything(diff: Differential) -> None:
    key = {"pk": S("a"), "sk": N(1)}
    diff.call("put_item", expect="ok", TableName="t", Item={**key, "b": {"B": b"\x00\x01"}, "n": N("1.50")})
    diff.call(
        "put_item", expect="ok", TableName="t", Item={**key, "x": S("y"), "m": {"M": {"l": {"L": [N(1)]}}}}
    )
    diff.call(
        "put_item", expect="ok", TableName="t", Item={**key, "x": S("y"), "m": {"M": {"l": {"L": [N(1)]}}}}
    )
    diff.call(
        "update_item",
        expect="ok",
        TableName="t",
        Key=key,
        UpdateExpression="SET c = :c REMOVE x",
        ExpressionAttributeValues={":c": {"SS": ["p", "q"]}},
    )
    diff.call("update_item", expect="ok", TableName="t", Key={"pk": S("b"), "sk": N(2)})  # upsert
    diff.call("delete_item", expect="ok", TableName="t", Key=key)
    diff.call("delete_item", expect="ok", TableName="t", Key=key)  # nothing to delete: no record
    diff.call(
        "transact_write_items",
        expect="ok",
        TransactItems=[
            {"Put": {"TableName": "t", "Item": {"pk": S("d"), "sk": N(4), "v": N(1)}}},
            {
                "Update": {
                    "TableName": "t",
                    "Key": {"pk": S("b"), "sk": N(2)},
                    "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": N(2)},
                }
            },
            {
                "ConditionCheck": {
                    "TableName": "t",
                    "Key": {"pk": S("zz"), "sk": N(0)},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ],
    )
    diff.call(
        "batch_write_item",
        expect="ok",
        RequestItems={
            "t": [
                {"PutRequest": {"Item": {"pk": S("c"), "sk": N(3), "big": S("z" * 2000)}}},
                {"DeleteRequest": {"Key": {"pk": S("b"), "sk": N(2)}}},
            ]
        },
    )


@pytest.mark.parametrize("view", VIEWS)
def test_records_of_every_view_type(
    diff: Differential, streams_for: Callable[[Any], Any], stream_table: Callable[[str], None], view: str
) -> None:
    stream_table(view)
    _write_everything(diff)
    local, emulator = diff.each(
        lambda client, name: _normal(_records(streams_for(client), _arn(client, name("t"))))
    )
    diff.compare(f"GetRecords {view}", local, emulator)


def test_paging_with_limit_and_iterator_types(
    diff: Differential, streams_for: Callable[[Any], Any], stream_table: Callable[[str], None]
) -> None:
    stream_table("KEYS_ONLY")
    for n in range(7):
        diff.call("put_item", expect="ok", TableName="t", Item={"pk": S(f"k{n}"), "sk": N(n)})

    def observe(client: Any, name: Callable[[str], str]) -> dict[str, Any]:
        streams = streams_for(client)
        arn = _arn(client, name("t"))
        everything = _records(streams, arn, limit=3)
        numbers = [r["dynamodb"]["SequenceNumber"] for r in everything]
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        seen: dict[str, Any] = {"all": [r["dynamodb"]["Keys"]["pk"]["S"] for r in everything]}
        for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard, ShardIteratorType=kind, SequenceNumber=numbers[3]
            )["ShardIterator"]
            page = streams.get_records(ShardIterator=iterator, Limit=2)
            seen[kind] = [r["dynamodb"]["Keys"]["pk"]["S"] for r in page["Records"]]
            seen[kind + " next"] = "NextShardIterator" in page
        latest = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")
        seen["LATEST"] = streams.get_records(ShardIterator=latest["ShardIterator"])["Records"]
        return seen

    local, emulator = diff.each(observe)
    diff.compare("GetRecords paging and iterator types", local, emulator)


def _error(action: Callable[[], Any]) -> dict[str, Any] | None:
    try:
        action()
    except Exception as err:  # a ClientError from either backend
        response = getattr(err, "response", {"Error": {"Code": type(err).__name__}})
        return dict(response["Error"])
    return None


def test_streams_api_errors(
    diff: Differential, streams_for: Callable[[Any], Any], stream_table: Callable[[str], None]
) -> None:
    stream_table("NEW_IMAGE")
    diff.call("put_item", expect="ok", TableName="t", Item={"pk": S("a"), "sk": N(1)})

    def observe(client: Any, name: Callable[[str], str]) -> dict[str, Any]:
        streams = streams_for(client)
        arn = _arn(client, name("t"))
        described = streams.describe_stream(StreamArn=arn)["StreamDescription"]
        shard = described["Shards"][0]["ShardId"]
        start = described["Shards"][0]["SequenceNumberRange"]["StartingSequenceNumber"]
        prefix = arn.rsplit("/stream/", 1)[0]
        missing = f"{prefix}/stream/2000-01-01T00:00:00.000"

        def iterator(**request: Any) -> Callable[[], Any]:
            return lambda: streams.get_shard_iterator(StreamArn=arn, ShardId=shard, **request)

        found = {
            "no sequence number": _error(iterator(ShardIteratorType="AT_SEQUENCE_NUMBER")),
            "sequence number not allowed": _error(iterator(ShardIteratorType="LATEST", SequenceNumber=start)),
            "before the shard": _error(
                iterator(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber="0" * 21)
            ),
            "missing shard": _error(
                lambda: streams.get_shard_iterator(
                    StreamArn=arn, ShardId="shardId-00000000000000000000-00000000", ShardIteratorType="LATEST"
                )
            ),
            "missing stream": _error(
                lambda: streams.get_shard_iterator(
                    StreamArn=missing, ShardId=shard, ShardIteratorType="LATEST"
                )
            ),
            "bad iterator": _error(lambda: streams.get_records(ShardIterator="not-an-iterator")),
            "describe missing": _error(lambda: streams.describe_stream(StreamArn=missing)),
        }
        described_missing = found["describe missing"]
        if described_missing is not None:  # the message names the ARN: keep its shape only
            described_missing["Message"] = described_missing["Message"].replace(missing, "<arn>")
        return found

    local, emulator = diff.each(observe)
    diff.compare("Streams API errors", local, emulator)


def _description_shape(streams: Any, arn: str, table: str) -> dict[str, Any]:
    described = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    shards = described["Shards"]
    return {
        "keys": sorted(described),
        "status": described["StreamStatus"],
        "view": described["StreamViewType"],
        "table": described["TableName"] == table,
        "key schema": described["KeySchema"],
        "label in arn": arn.endswith("/stream/" + described["StreamLabel"]),
        "shards": [sorted(s["SequenceNumberRange"]) for s in shards],
    }


def test_describe_list_and_close(
    diff: Differential, streams_for: Callable[[Any], Any], stream_table: Callable[[str], None]
) -> None:
    stream_table("NEW_AND_OLD_IMAGES")
    diff.call("put_item", expect="ok", TableName="t", Item={"pk": S("a"), "sk": N(1)})

    def observe(client: Any, name: Callable[[str], str]) -> dict[str, Any]:
        streams = streams_for(client)
        table = name("t")
        arn = _arn(client, table)
        seen: dict[str, Any] = {"open": _description_shape(streams, arn, table)}
        listed = streams.list_streams(TableName=table)["Streams"]
        seen["listed"] = [(s["StreamArn"] == arn, s["TableName"] == table) for s in listed]
        seen["list missing table"] = streams.list_streams(TableName=table + "-none")["Streams"]
        return seen

    local, emulator = diff.each(observe)
    diff.compare("DescribeStream and ListStreams", local, emulator)
    diff.call(
        "update_table",
        expect=("ValidationException", "Table already has an enabled stream"),
        TableName="t",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )

    def disable(client: Any, name: Callable[[str], str]) -> dict[str, Any]:
        # Compared by hand: the answer embeds the stream label (a millisecond timestamp) in its ARN.
        answer = client.update_table(TableName=name("t"), StreamSpecification={"StreamEnabled": False})
        table = answer["TableDescription"]
        return {
            "stream members": sorted(k for k in table if "Stream" in k),
            "arn ends with label": table["LatestStreamArn"].endswith("/stream/" + table["LatestStreamLabel"]),
        }

    local, emulator = diff.each(disable)
    diff.compare("UpdateTable disabling the stream", local, emulator)
    diff.call("put_item", expect="ok", TableName="t", Item={"pk": S("after"), "sk": N(1)})

    def closed(client: Any, name: Callable[[str], str]) -> dict[str, Any]:
        streams = streams_for(client)
        table = name("t")
        arn = _arn(client, table)
        return {
            "closed": _description_shape(streams, arn, table),
            "records": [r["eventName"] for r in _records(streams, arn)],
        }

    local, emulator = diff.each(closed)
    diff.compare("a disabled stream", local, emulator)


def test_an_empty_closed_stream(
    diff: Differential, streams_for: Callable[[Any], Any], stream_table: Callable[[str], None]
) -> None:
    stream_table("KEYS_ONLY")

    def observe(client: Any, name: Callable[[str], str]) -> dict[str, Any]:
        streams = streams_for(client)
        table = name("t")
        arn = _arn(client, table)
        client.update_table(TableName=table, StreamSpecification={"StreamEnabled": False})
        (shard,) = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        numbers = shard["SequenceNumberRange"]
        seen: dict[str, Any] = {
            "start == end": numbers["StartingSequenceNumber"] == numbers["EndingSequenceNumber"]
        }
        for kind in ("TRIM_HORIZON", "LATEST"):
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=kind
            )
            page = streams.get_records(ShardIterator=iterator["ShardIterator"])
            seen[kind] = (page["Records"], "NextShardIterator" in page)
        return seen

    local, emulator = diff.each(observe)
    diff.compare("an empty closed stream", local, emulator)
