"""SearchVectors and vector indexes through every door: direct client, routed boto3, the HTTP server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.vectors.conftest import vector, vector_table
from theorydb_mocks import mock_dynamodb
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.server import serve_in_thread


@pytest.fixture(params=["direct", "boto3", "mock_dynamodb", "http"])
def door(request: pytest.FixtureRequest) -> Iterator[Any]:
    if request.param == "direct":
        yield DynamoDBEmulator().client()
    elif request.param == "boto3":
        yield DynamoDBEmulator().boto3_client(region_name="us-east-1")
    elif request.param == "mock_dynamodb":
        with mock_dynamodb():
            yield boto3.client("dynamodb", region_name="us-east-1")
    else:
        with serve_in_thread() as endpoint:
            yield boto3.client(
                "dynamodb",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )


def test_the_same_answers_through_every_door(door: Any) -> None:
    door.create_table(**vector_table(distance="DOT_PRODUCT", hash_key=True))
    for pk, values in (("a", (1, 0, 0)), ("b", (0.5, 0.25, 0)), ("c", (2, 0, 0))):
        door.put_item(TableName="docs", Item={"pk": {"S": pk}, "cat": {"S": "x"}, "v": vector(*values)})
    result = door.search_vectors(
        TableName="docs",
        IndexName="emb",
        SearchVector=vector(1, 1, 0)["L"],
        TopK=2,
        SearchConditionExpression="cat = :c",
        ExpressionAttributeValues={":c": {"S": "x"}},
        ProjectionExpression="pk",
        ReturnConsumedCapacity="TOTAL",
    )
    assert result["SearchResults"] == [
        {"Item": {"pk": {"S": "c"}}, "Score": 2.0},
        {"Item": {"pk": {"S": "a"}}, "Score": 1.0},
    ]
    assert result["ConsumedCapacity"]["VectorSearchRequestBytes"] > 0
    description = door.describe_table(TableName="docs")["Table"]["VectorIndexes"][0]
    assert description["ItemCount"] == 3 and description["IndexStatus"] == "ACTIVE"
    with pytest.raises(ClientError) as error:
        door.search_vectors(TableName="docs", IndexName="emb", SearchVector=vector(1, 1, 0)["L"], TopK=2)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert error.value.response["Error"]["Message"] == (
        "SearchConditionExpression must be provided when SearchSchema has a HASH key"
    )


def test_vector_indexes_survive_a_server_restart_and_compaction(tmp_path: Any) -> None:
    from tests.server.conftest import make_client
    from theorydb_mocks.emulator.server import EmulatorServer

    path = str(tmp_path / "db.journal")
    with EmulatorServer(db_path=path, compact_every=5) as server:
        client = make_client(server.endpoint_url)
        client.create_table(**vector_table(hash_key=True, filters=("tag",)))
        for n in range(8):
            item = {"pk": {"S": f"p{n}"}, "cat": {"S": "x"}, "tag": {"S": "t"}, "v": vector(1, n, 0)}
            client.put_item(TableName="docs", Item=item)
        client.search_vectors(  # read-only: not journaled
            TableName="docs",
            IndexName="emb",
            SearchVector=vector(1, 0, 0)["L"],
            TopK=1,
            SearchConditionExpression="cat = :c",
            ExpressionAttributeValues={":c": {"S": "x"}},
        )
    with EmulatorServer(db_path=path) as server:
        client = make_client(server.endpoint_url)
        described = client.describe_table(TableName="docs")["Table"]["VectorIndexes"][0]
        assert described["ItemCount"] == 8 and described["SearchSchema"][1]["AttributeName"] == "tag"
        found = client.search_vectors(
            TableName="docs",
            IndexName="emb",
            SearchVector=vector(1, 0, 0)["L"],
            TopK=2,
            SearchConditionExpression="cat = :c AND tag = :t",
            ExpressionAttributeValues={":c": {"S": "x"}, ":t": {"S": "t"}},
        )
        assert [r["Item"]["pk"]["S"] for r in found["SearchResults"]] == ["p0", "p1"]
