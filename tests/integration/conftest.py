"""Integration fixtures: the same Table tests on every backend, each test with its own fresh tables."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from theorydb_py import ModelDefinition, Table, create_table, delete_table

# Backend name -> the fixture giving its boto3-compatible DynamoDB client.
BACKENDS = {"dynamodb_local": "dynamodb_local_client", "emulator": "emulator_client"}


@pytest.fixture(params=sorted(BACKENDS))
def backend_client(request: pytest.FixtureRequest) -> Any:
    """A low-level DynamoDB client of one backend."""
    return request.getfixturevalue(BACKENDS[request.param])


@pytest.fixture
def emulator() -> Any:
    """A fresh in-memory DynamoDB per test."""
    from theorydb_mocks import DynamoDBEmulator

    return DynamoDBEmulator()


@pytest.fixture
def emulator_client(emulator: Any) -> Any:
    """The embedded emulator's direct client."""
    return emulator.client()


def backend_name(request: pytest.FixtureRequest) -> str:
    """``dynamodb_local`` or ``emulator``: the backend the current test runs on."""
    return str(request.node.callspec.params["backend_client"])


def emulator_lacks(operation: str) -> str | None:
    """A skip reason while the emulator does not implement ``operation`` yet (another issue adds it)."""
    from theorydb_mocks.emulator.operations._registry import OPERATIONS

    return None if operation in OPERATIONS else f"the emulator does not implement {operation} yet"


@pytest.fixture
def needs_transactions(request: pytest.FixtureRequest) -> None:
    """Skip on the emulator until it has TransactWriteItems and TransactGetItems; always run on Local."""
    if backend_name(request) == "emulator":
        for operation in ("TransactWriteItems", "TransactGetItems"):
            reason = emulator_lacks(operation)
            if reason is not None:
                pytest.skip(reason)


MakeTable = Callable[..., Table[Any]]


@pytest.fixture
def make_table(backend_client: Any) -> Iterator[MakeTable]:
    """``make_table(model, stream_view_type=None, **table_options)``: creates a uniquely named table for
    the model (with a stream if asked), deleted after."""
    made: list[tuple[ModelDefinition[Any], str]] = []

    def make(model: ModelDefinition[Any], stream_view_type: Any = None, **options: Any) -> Table[Any]:
        name = f"{model.table_name}-{uuid.uuid4().hex[:10]}"
        create_table(model, client=backend_client, table_name=name, stream_view_type=stream_view_type)
        made.append((model, name))
        return Table(model, client=backend_client, table_name=name, **options)

    yield make
    for model, name in made:
        delete_table(model, client=backend_client, table_name=name, missing_ok=True)


StreamRecords = Callable[[str], list[dict[str, Any]]]


@pytest.fixture
def stream_records(request: pytest.FixtureRequest, backend_client: Any) -> StreamRecords:
    """``stream_records(table_name)``: every record of the table's stream so far, read through a boto3
    DynamoDB Streams client (DynamoDB Local's, or the emulator's once it has streams)."""
    if backend_name(request) == "emulator":
        emu = request.getfixturevalue("emulator")
        if not hasattr(emu, "stream_records"):
            pytest.skip("the emulator does not implement streams yet")
        streams = emu.streams_client()
    else:
        from tests.conftest import boto3_client_for

        streams = boto3_client_for(request.getfixturevalue("dynamodb_local_endpoint"), "dynamodbstreams")

    def read(table_name: str) -> list[dict[str, Any]]:
        arn = backend_client.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        records: list[dict[str, Any]] = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            ).get("ShardIterator")
            for _ in range(
                20
            ):  # an open shard always hands out a next iterator: stop at the first empty read
                if iterator is None:
                    break
                page = streams.get_records(ShardIterator=iterator)
                records.extend(page["Records"])
                if not page["Records"]:
                    break
                iterator = page.get("NextShardIterator")
        return records

    return read
