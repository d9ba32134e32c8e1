"""Vector indexes on CreateTable, UpdateTable and DescribeTable."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.vectors.conftest import vector, vector_table
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient


def _message(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Message"])


def test_describe_table_shows_the_index_with_status_size_and_count(client: EmulatorClient) -> None:
    client.create_table(**vector_table(hash_key=True, filters=("tag",)))
    client.put_item(TableName="docs", Item={"pk": {"S": "a"}, "cat": {"S": "x"}, "v": vector(1, 2, 3)})
    client.put_item(TableName="docs", Item={"pk": {"S": "b"}, "v": vector(1, 2, 3)})  # no HASH: not indexed
    table = client.describe_table(TableName="docs")["Table"]
    (index,) = table["VectorIndexes"]
    assert index == {
        "IndexName": "emb",
        "SearchSchema": [
            {"AttributeName": "cat", "SearchSchemaElementType": "HASH"},
            {"AttributeName": "tag", "SearchSchemaElementType": "INLINE_FILTER"},
        ],
        "Projection": {"ProjectionType": "ALL"},
        "VectorAttribute": {"AttributeName": "v"},
        "Dimensions": 3,
        "DistanceFunction": "COSINE",
        "IndexStatus": "ACTIVE",
        "IndexSizeBytes": index["IndexSizeBytes"],
        "ItemCount": 1,
        "IndexArn": "arn:aws:dynamodb:us-east-1:123456789012:table/docs/index/emb",
    }
    # pk "a" (2 + 1), cat "x" (3 + 1), the vector at 4 bytes a dimension under its name (1 + 12)
    assert index["IndexSizeBytes"] == 3 + 4 + 13
    names = {d["AttributeName"] for d in table["AttributeDefinitions"]}
    assert names == {"pk", "cat", "tag"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {
                "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            },
            "Vector indexes are supported only on tables that use on-demand capacity mode",
        ),
        ({"index": {"Dimensions": 4097}}, "Dimensions must be between 1 and 4096, provided: 4097"),
        (
            {"index": {"SearchSchema": [{"AttributeName": "nope", "SearchSchemaElementType": "HASH"}]}},
            "One element in SearchSchema is not defined in attribute definitions",
        ),
        (
            {
                "index": {
                    "SearchSchema": [
                        {"AttributeName": "pk", "SearchSchemaElementType": "HASH"},
                        {"AttributeName": "pk", "SearchSchemaElementType": "INLINE_FILTER"},
                    ]
                }
            },
            "Duplicate attribute in SearchSchema: pk",
        ),
        (
            {"index": {"VectorAttribute": {"AttributeName": "pk"}}},
            "The vector attribute pk cannot be a key attribute",
        ),
        (
            {"index": {"Projection": {"ProjectionType": "INCLUDE"}}},
            "If Projection type INCLUDE is specified, some non-key attributes",
        ),
        ({"VectorIndexes": []}, "List of VectorIndexes is empty"),
    ],
)
def test_create_table_refuses_invalid_vector_indexes(
    client: EmulatorClient, change: dict[str, Any], message: str
) -> None:
    request = vector_table()
    index_change = change.pop("index", {})
    request["VectorIndexes"][0].update(index_change)
    request.update(change)
    with pytest.raises(ClientError) as error:
        client.create_table(**request)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert message in _message(error)


def test_create_table_checks_names_and_shared_dimensions(client: EmulatorClient) -> None:
    request = vector_table()
    request["VectorIndexes"].append(dict(request["VectorIndexes"][0]))
    with pytest.raises(ClientError, match="Two vector indices have the same name"):
        client.create_table(**request)
    request["VectorIndexes"][1] = {**request["VectorIndexes"][0], "IndexName": "emb2", "Dimensions": 4}
    with pytest.raises(ClientError, match=r"must have the same Dimensions\. VectorAttribute: v"):
        client.create_table(**request)
    request["VectorIndexes"][1]["Dimensions"] = 3
    client.create_table(**request)  # two indexes on one attribute with one Dimensions: fine
    assert len(client.describe_table(TableName="docs")["Table"]["VectorIndexes"]) == 2


def test_update_table_creates_backfills_and_deletes_a_vector_index(client: EmulatorClient) -> None:
    request = vector_table()
    index = request.pop("VectorIndexes")[0]
    client.create_table(**request)
    for pk, values in (("a", (1, 0, 0)), ("b", (0, 1)), ("c", (0, 0, 1))):
        client.put_item(TableName="docs", Item={"pk": {"S": pk}, "v": vector(*values)})
    answer = client.update_table(TableName="docs", VectorIndexUpdates=[{"Create": index}])
    shown = answer["TableDescription"]["VectorIndexes"][0]
    assert shown["IndexStatus"] == "CREATING" and shown["Backfilling"] is False
    described = client.describe_table(TableName="docs")["Table"]["VectorIndexes"][0]
    assert described["IndexStatus"] == "ACTIVE" and described["ItemCount"] == 2  # b has 2 dimensions
    with pytest.raises(ClientError, match="Attempting to create an index which already exists"):
        client.update_table(TableName="docs", VectorIndexUpdates=[{"Create": index}])
    answer = client.update_table(TableName="docs", VectorIndexUpdates=[{"Delete": {"IndexName": "emb"}}])
    assert answer["TableDescription"]["VectorIndexes"][0]["IndexStatus"] == "DELETING"
    assert "VectorIndexes" not in client.describe_table(TableName="docs")["Table"]
    with pytest.raises(ClientError) as error:
        client.update_table(TableName="docs", VectorIndexUpdates=[{"Delete": {"IndexName": "emb"}}])
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    client.put_item(TableName="docs", Item={"pk": {"S": "d"}, "v": vector(1)})  # no index: no vector rule


def test_update_table_one_index_at_a_time_and_on_demand_only(client: EmulatorClient) -> None:
    client.create_table(**vector_table())
    second = {**vector_table()["VectorIndexes"][0], "IndexName": "emb2"}
    with pytest.raises(ClientError) as error:
        client.update_table(
            TableName="docs",
            VectorIndexUpdates=[{"Create": second}, {"Delete": {"IndexName": "emb"}}],
        )
    assert error.value.response["Error"]["Code"] == "LimitExceededException"
    with pytest.raises(ClientError, match="exactly one of Create or Delete"):
        client.update_table(TableName="docs", VectorIndexUpdates=[{}])
    with pytest.raises(ClientError, match="supported only on tables that use on-demand capacity mode"):
        client.update_table(
            TableName="docs",
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        )


def test_update_table_search_schema_needs_attribute_definitions(client: EmulatorClient) -> None:
    request = vector_table()
    request.pop("VectorIndexes")
    client.create_table(**request)
    index = vector_table(hash_key=True)["VectorIndexes"][0]
    with pytest.raises(ClientError, match="No Attribute Schema Defined"):
        client.update_table(TableName="docs", VectorIndexUpdates=[{"Create": index}])
    client.update_table(
        TableName="docs",
        AttributeDefinitions=[{"AttributeName": "cat", "AttributeType": "S"}],
        VectorIndexUpdates=[{"Create": index}],
    )
    definitions = client.describe_table(TableName="docs")["Table"]["AttributeDefinitions"]
    assert {"AttributeName": "cat", "AttributeType": "S"} in definitions


def test_snapshot_restores_dropped_and_drops_created_vector_indexes(emu: DynamoDBEmulator) -> None:
    client = emu.client()
    client.create_table(**vector_table(distance="EUCLIDEAN"))
    client.put_item(TableName="docs", Item={"pk": {"S": "a"}, "v": vector(1, 2, 3)})
    snap = emu.snapshot()
    client.update_table(TableName="docs", VectorIndexUpdates=[{"Delete": {"IndexName": "emb"}}])
    client.put_item(TableName="docs", Item={"pk": {"S": "b"}, "v": vector(1, 2, 3)})
    emu.restore(snap)
    found = client.search_vectors(
        TableName="docs", IndexName="emb", SearchVector=vector(1, 2, 3)["L"], TopK=5
    )
    assert [r["Item"]["pk"]["S"] for r in found["SearchResults"]] == ["a"]
    emu.get_table("docs").store._check()
