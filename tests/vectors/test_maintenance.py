"""The index follows every way items change: writes, batches, transactions, TTL, restores; bad vectors are
refused on every write path, with nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.vectors.conftest import vector, vector_table
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient


def _found(client: EmulatorClient, **extra: Any) -> list[str]:
    result = client.search_vectors(
        TableName="docs", IndexName="emb", SearchVector=vector(1, 0, 0)["L"], TopK=100, **extra
    )
    return sorted(r["Item"]["pk"]["S"] for r in result["SearchResults"])


def _check(emu: DynamoDBEmulator) -> None:
    emu.get_table("docs").store._check()


def test_put_update_delete_keep_the_index_current(emu: DynamoDBEmulator, backend: str) -> None:
    client = emu.client()
    client.create_table(**vector_table(distance="EUCLIDEAN"))
    client.put_item(TableName="docs", Item={"pk": {"S": "a"}, "v": vector(1, 0, 0)})
    client.put_item(TableName="docs", Item={"pk": {"S": "b"}, "v": vector(5, 5, 5)})
    assert _found(client) == ["a", "b"]
    client.update_item(
        TableName="docs",
        Key={"pk": {"S": "b"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": vector(1, 0, 0)},
    )
    result = client.search_vectors(
        TableName="docs", IndexName="emb", SearchVector=vector(1, 0, 0)["L"], TopK=2
    )
    assert [r["Score"] for r in result["SearchResults"]] == [0.0, 0.0]
    client.update_item(TableName="docs", Key={"pk": {"S": "b"}}, UpdateExpression="REMOVE v")
    assert _found(client) == ["a"]
    client.delete_item(TableName="docs", Key={"pk": {"S": "a"}})
    assert _found(client) == []
    _check(emu)


def test_batch_write_and_transactions_keep_the_index_current(emu: DynamoDBEmulator, backend: str) -> None:
    client = emu.client()
    client.create_table(**vector_table())
    client.batch_write_item(
        RequestItems={
            "docs": [
                {"PutRequest": {"Item": {"pk": {"S": pk}, "v": vector(1, i, 0)}}}
                for i, pk in enumerate("abc")
            ]
        }
    )
    client.batch_write_item(RequestItems={"docs": [{"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]})
    assert _found(client) == ["b", "c"]
    client.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": "docs", "Item": {"pk": {"S": "d"}, "v": vector(0, 0, 1)}}},
            {"Delete": {"TableName": "docs", "Key": {"pk": {"S": "b"}}}},
            {
                "Update": {
                    "TableName": "docs",
                    "Key": {"pk": {"S": "c"}},
                    "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": vector(2, 2, 2)},
                }
            },
        ]
    )
    assert _found(client) == ["c", "d"]
    _check(emu)


def test_ttl_deletions_leave_the_index(backend: str) -> None:
    emu = DynamoDBEmulator(ttl_mode="immediate")
    emu.clock.set(1_000)
    client = emu.client()
    client.create_table(**vector_table())
    client.update_time_to_live(
        TableName="docs", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
    )
    client.put_item(TableName="docs", Item={"pk": {"S": "a"}, "v": vector(1, 0, 0), "exp": {"N": "1010"}})
    client.put_item(TableName="docs", Item={"pk": {"S": "b"}, "v": vector(1, 0, 0)})
    emu.clock.advance(60)
    assert _found(client) == ["b"]
    _check(emu)


def test_rollback_restores_the_index(emu: DynamoDBEmulator, backend: str) -> None:
    client = emu.client()
    client.create_table(**vector_table())
    client.put_item(TableName="docs", Item={"pk": {"S": "a"}, "v": vector(1, 0, 0)})
    with emu.rollback():
        client.put_item(TableName="docs", Item={"pk": {"S": "b"}, "v": vector(1, 1, 0)})
        client.delete_item(TableName="docs", Key={"pk": {"S": "a"}})
        assert _found(client) == ["b"]
    assert _found(client) == ["a"]
    _check(emu)


_BAD_VECTORS = [
    (vector(1, 2), "Vector attribute v has 2 dimensions, but the vector index expects 3. IndexName: emb"),
    ({"S": "1,2,3"}, "Parameter invalid type for vector attribute v: expected a List of Numbers, got S"),
    (
        {"NS": ["1", "2", "3"]},
        "Parameter invalid type for vector attribute v: expected a List of Numbers, got NS",
    ),
    ({"L": [{"N": "1"}, {"S": "2"}, {"N": "3"}]}, "Parameter invalid type for vector attribute v at index 1"),
    (
        vector(1, "1e39", 3),
        "Vector attribute v at index 1 is out of the range of a 32-bit float: 1" + "0" * 39,
    ),
]


def _writes(client: EmulatorClient) -> dict[str, Callable[[dict[str, Any]], Any]]:
    def put(value: dict[str, Any]) -> Any:
        return client.put_item(TableName="docs", Item={"pk": {"S": "x"}, "v": value})

    def update(value: dict[str, Any]) -> Any:
        return client.update_item(
            TableName="docs",
            Key={"pk": {"S": "x"}},
            UpdateExpression="SET v = :v",
            ExpressionAttributeValues={":v": value},
        )

    def batch(value: dict[str, Any]) -> Any:
        request = {"PutRequest": {"Item": {"pk": {"S": "x"}, "v": value}}}
        return client.batch_write_item(RequestItems={"docs": [request]})

    def transact(value: dict[str, Any]) -> Any:
        return client.transact_write_items(
            TransactItems=[{"Put": {"TableName": "docs", "Item": {"pk": {"S": "x"}, "v": value}}}]
        )

    return {"put": put, "update": update, "batch": batch, "transact": transact}


@pytest.mark.parametrize("path", ["put", "update", "batch", "transact"])
@pytest.mark.parametrize(("value", "message"), _BAD_VECTORS)
def test_malformed_vectors_are_refused_on_every_write_path(
    emu: DynamoDBEmulator, path: str, value: dict[str, Any], message: str
) -> None:
    client = emu.client()
    client.create_table(**vector_table())
    with pytest.raises(ClientError) as error:
        _writes(client)[path](value)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert message in error.value.response["Error"]["Message"]
    assert client.scan(TableName="docs")["Count"] == 0


def test_search_schema_attributes_must_have_their_declared_type(client: EmulatorClient) -> None:
    client.create_table(**vector_table(hash_key=True))
    with pytest.raises(ClientError, match="Type mismatch for Index Key"):
        client.put_item(TableName="docs", Item={"pk": {"S": "x"}, "cat": {"N": "1"}, "v": vector(1, 2, 3)})


def test_items_without_a_vector_are_stored_but_not_indexed(emu: DynamoDBEmulator) -> None:
    client = emu.client()
    client.create_table(**vector_table())
    client.put_item(TableName="docs", Item={"pk": {"S": "plain"}})
    assert client.scan(TableName="docs")["Count"] == 1
    assert client.describe_table(TableName="docs")["Table"]["VectorIndexes"][0]["ItemCount"] == 0
    _check(emu)


def test_delete_table_and_reset(emu: DynamoDBEmulator) -> None:
    client = emu.client()
    client.create_table(**vector_table())
    client.put_item(TableName="docs", Item={"pk": {"S": "a"}, "v": vector(1, 2, 3)})
    client.delete_table(TableName="docs")
    client.create_table(**vector_table())
    assert _found(client) == []
