"""SearchVectors: scores, order, filters, projections, capacity and every documented refusal."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.vectors.conftest import reference_score, vector, vector_table
from theorydb_mocks.emulator import DynamoDBError
from theorydb_mocks.emulator.client import EmulatorClient
from theorydb_mocks.emulator.vectors import to_float32

ITEMS = {
    "a": (1, 0, 0),
    "b": (0, 1, 0),
    "c": (1, 1, 0),
    "d": (-1, 0, 0),
    "e": (0.5, 0.5, 0.25),
}


def _load(client: EmulatorClient, **table: Any) -> None:
    client.create_table(**vector_table(**table))
    for pk, values in ITEMS.items():
        item = {"pk": {"S": pk}, "v": vector(*values), "cat": {"S": "x" if pk < "c" else "y"}}
        item["tag"] = {"S": "odd" if pk in "ace" else "even"}
        item["note"] = {"S": f"note {pk}"}
        client.put_item(TableName="docs", Item=item)


def _search(client: EmulatorClient, query: tuple[float, ...], top_k: int = 10, **extra: Any) -> Any:
    return client.search_vectors(
        TableName="docs", IndexName="emb", SearchVector=vector(*query)["L"], TopK=top_k, **extra
    )


@pytest.mark.parametrize("distance", ["COSINE", "EUCLIDEAN", "DOT_PRODUCT"])
def test_scores_and_order_follow_the_documented_definitions(
    client: EmulatorClient, backend: str, distance: str
) -> None:
    _load(client, distance=distance)
    query = (0.9, 0.2, 0.1)
    results = _search(client, query)["SearchResults"]
    q = to_float32(query)
    expected = [(reference_score(distance, to_float32(v), q), pk) for pk, v in ITEMS.items()]
    expected.sort(key=lambda p: (-p[0] if distance == "DOT_PRODUCT" else p[0], p[1]))
    assert [(r["Score"], r["Item"]["pk"]["S"]) for r in results] == expected


def test_cosine_scores_range_from_zero_to_two(client: EmulatorClient, backend: str) -> None:
    _load(client, distance="COSINE")
    results = _search(client, (1, 0, 0))["SearchResults"]
    scores = {r["Item"]["pk"]["S"]: r["Score"] for r in results}
    assert scores["a"] == 0.0 and scores["d"] == 2.0 and scores["b"] == 1.0


def test_ties_are_broken_by_the_table_key(client: EmulatorClient, backend: str) -> None:
    client.create_table(**vector_table(distance="EUCLIDEAN", ranged=True))
    for pk, sk in (("b", 2), ("a", 9), ("b", 1), ("a", 3)):
        client.put_item(TableName="docs", Item={"pk": {"S": pk}, "sk": {"N": str(sk)}, "v": vector(1, 1, 1)})
    results = _search(client, (0, 0, 0), top_k=3)["SearchResults"]
    assert [(r["Item"]["pk"]["S"], r["Item"]["sk"]["N"]) for r in results] == [
        ("a", "3"),
        ("a", "9"),
        ("b", "1"),
    ]


def test_top_k_limits_the_answer(client: EmulatorClient, backend: str) -> None:
    _load(client, distance="DOT_PRODUCT")
    results = _search(client, (1, 0, 0), top_k=2)["SearchResults"]
    assert [r["Item"]["pk"]["S"] for r in results] == ["a", "c"]


def test_hash_partition_key_is_required_and_selects_the_partition(
    client: EmulatorClient, backend: str
) -> None:
    _load(client, hash_key=True)
    with pytest.raises(ClientError) as error:
        _search(client, (1, 0, 0))
    assert error.value.response["Error"]["Message"] == (
        "SearchConditionExpression must be provided when SearchSchema has a HASH key"
    )
    results = _search(
        client,
        (1, 0, 0),
        SearchConditionExpression="#c = :c",
        ExpressionAttributeNames={"#c": "cat"},
        ExpressionAttributeValues={":c": {"S": "y"}},
    )["SearchResults"]
    assert sorted(r["Item"]["pk"]["S"] for r in results) == ["c", "d", "e"]


def test_inline_filters_narrow_the_search(client: EmulatorClient, backend: str) -> None:
    _load(client, hash_key=True, filters=("tag",))
    results = _search(
        client,
        (1, 0, 0),
        SearchConditionExpression="cat = :c AND tag = :t",
        ExpressionAttributeValues={":c": {"S": "y"}, ":t": {"S": "odd"}},
    )["SearchResults"]
    assert [r["Item"]["pk"]["S"] for r in results] == ["c", "e"]
    none = _search(
        client,
        (1, 0, 0),
        SearchConditionExpression="cat = :c AND tag = :t AND tag = :u",
        ExpressionAttributeValues={":c": {"S": "y"}, ":t": {"S": "odd"}, ":u": {"S": "even"}},
    )["SearchResults"]
    assert none == []


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("tag <> :t", "Invalid comparator used in SearchConditionExpression"),
        ("tag BETWEEN :t AND :u", "Invalid comparator used in SearchConditionExpression"),
        ("tag IN (:t, :u)", "Invalid comparator used in SearchConditionExpression"),
        (
            "tag = :t OR tag = :u",
            "Invalid SearchConditionExpression: only equality conditions joined with AND",
        ),
        ("NOT tag = :t", "Invalid SearchConditionExpression: only equality conditions joined with AND"),
        (
            "begins_with(tag, :t)",
            "Invalid SearchConditionExpression: only equality conditions joined with AND",
        ),
        ("note = :t", "Invalid SearchConditionExpression: attribute note is not in the SearchSchema"),
        ("tag.part = :t", "Invalid SearchConditionExpression: only top-level attributes"),
    ],
)
def test_search_conditions_allow_equality_on_the_search_schema_only(
    client: EmulatorClient, condition: str, message: str
) -> None:
    _load(client, filters=("tag",))
    values = {":t": {"S": "even"}}
    if ":u" in condition:
        values[":u"] = {"S": "odd"}
    with pytest.raises(ClientError) as error:
        _search(client, (1, 0, 0), SearchConditionExpression=condition, ExpressionAttributeValues=values)
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert error.value.response["Error"]["Message"].startswith(message)


def test_condition_values_must_have_the_declared_type(client: EmulatorClient) -> None:
    _load(client, filters=("tag",))
    with pytest.raises(ClientError, match="Condition parameter type does not match schema type"):
        _search(
            client,
            (1, 0, 0),
            SearchConditionExpression="tag = :t",
            ExpressionAttributeValues={":t": {"N": "1"}},
        )


def test_expression_syntax_errors_and_unused_placeholders(client: EmulatorClient) -> None:
    _load(client, filters=("tag",))
    with pytest.raises(ClientError, match="Invalid SearchConditionExpression: Syntax error"):
        _search(
            client,
            (1, 0, 0),
            SearchConditionExpression="tag = = :t",
            ExpressionAttributeValues={":t": {"S": "x"}},
        )
    with pytest.raises(ClientError, match="unused in expressions"):
        _search(
            client,
            (1, 0, 0),
            SearchConditionExpression="tag = :t",
            ExpressionAttributeValues={":t": {"S": "x"}, ":unused": {"S": "y"}},
        )


def test_projection_expression_is_limited_to_projected_attributes(
    client: EmulatorClient, backend: str
) -> None:
    _load(client, filters=("tag",), projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["note"]})
    results = _search(client, (1, 0, 0), top_k=1)["SearchResults"]
    assert set(results[0]["Item"]) == {"pk", "v", "tag", "note"}  # keys, vector, filters and INCLUDE
    shown = _search(client, (1, 0, 0), top_k=1, ProjectionExpression="note, tag")["SearchResults"]
    assert shown[0]["Item"] == {"note": {"S": "note a"}, "tag": {"S": "odd"}}
    with pytest.raises(ClientError, match="attribute cat is not projected into vector index emb"):
        _search(client, (1, 0, 0), ProjectionExpression="note, cat")


def test_keys_only_projection_keeps_keys_vector_and_search_schema(client: EmulatorClient) -> None:
    _load(client, hash_key=True, projection={"ProjectionType": "KEYS_ONLY"})
    results = _search(
        client,
        (1, 0, 0),
        top_k=1,
        SearchConditionExpression="cat = :c",
        ExpressionAttributeValues={":c": {"S": "x"}},
    )["SearchResults"]
    assert set(results[0]["Item"]) == {"pk", "v", "cat"}


def test_top_k_out_of_range(client: EmulatorClient, emu: Any) -> None:
    _load(client)
    with pytest.raises(ClientError) as error:
        client.search_vectors(TableName="docs", IndexName="emb", SearchVector=vector(1, 0, 0)["L"], TopK=101)
    assert error.value.response["Error"]["Message"] == "Provided TopK value is out of valid range"
    # Below 1 the model's own minimum answers first (botocore refuses it before sending, too).
    request = {"TableName": "docs", "IndexName": "emb", "SearchVector": vector(1, 0, 0)["L"], "TopK": 0}
    with pytest.raises(DynamoDBError, match="Member must have value greater than or equal to 1"):
        emu.dispatch("SearchVectors", request)


@pytest.mark.parametrize(
    ("search_vector", "message"),
    [
        (
            [{"N": "1"}, {"N": "0"}],
            "Invalid SearchVector: the search vector has 2 dimensions, but vector index emb has 3",
        ),
        (
            [{"N": "1"}, {"S": "0"}, {"N": "0"}],
            "Invalid SearchVector: the element at index 1 must be a Number, got S",
        ),
        (
            [{"N": "1"}, {"N": "1e39"}, {"N": "0"}],
            "Invalid SearchVector: the element at index 1 is out of the range",
        ),
    ],
)
def test_search_vector_is_validated(client: EmulatorClient, search_vector: list[Any], message: str) -> None:
    _load(client)
    with pytest.raises(ClientError) as error:
        client.search_vectors(TableName="docs", IndexName="emb", SearchVector=search_vector, TopK=1)
    assert error.value.response["Error"]["Message"].startswith(message)


def test_numbers_are_searched_as_32_bit_floats(client: EmulatorClient) -> None:
    client.create_table(**vector_table(distance="DOT_PRODUCT", dims=1))
    client.put_item(TableName="docs", Item={"pk": {"S": "a"}, "v": vector("0.1")})
    result = client.search_vectors(TableName="docs", IndexName="emb", SearchVector=[{"N": "1"}], TopK=1)
    assert result["SearchResults"][0]["Score"] == to_float32([0.1])[0] != 0.1


def test_unknown_index_and_table(client: EmulatorClient) -> None:
    _load(client)
    with pytest.raises(ClientError, match="The table does not have the specified index: nope"):
        client.search_vectors(TableName="docs", IndexName="nope", SearchVector=vector(1, 0, 0)["L"], TopK=1)
    with pytest.raises(ClientError) as error:
        client.search_vectors(TableName="missing", IndexName="emb", SearchVector=vector(1, 0, 0)["L"], TopK=1)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_consumed_capacity_reports_vector_search_request_bytes(client: EmulatorClient) -> None:
    _load(client)
    plain = _search(client, (1, 0, 0), top_k=2)
    assert "ConsumedCapacity" not in plain
    for mode in ("TOTAL", "INDEXES"):
        consumed = _search(client, (1, 0, 0), top_k=2, ReturnConsumedCapacity=mode)["ConsumedCapacity"]
        assert set(consumed) == {"VectorSearchRequestBytes"}
        assert consumed["VectorSearchRequestBytes"] > 4 * 3 * 3


def test_search_on_an_empty_partition_or_index(client: EmulatorClient, backend: str) -> None:
    client.create_table(**vector_table(hash_key=True))
    results = _search(
        client, (1, 0, 0), SearchConditionExpression="cat = :c", ExpressionAttributeValues={":c": {"S": "x"}}
    )
    assert results["SearchResults"] == []
