"""The ORM's vector search: Vector fields, vector indexes declared next to GSIs, Table.search_vectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from theorydb_mocks import DynamoDBEmulator, FakeDynamoDBClient
from theorydb_py import (
    ModelDefinition,
    ModelDefinitionError,
    Table,
    ValidationError,
    Vector,
    VectorMatch,
    build_create_table_request,
    create_table,
    gsi,
    theorydb_field,
    vector_index,
)
from theorydb_py.expressions import eq


@dataclass
class Doc:
    id: str = theorydb_field(roles="pk")
    lang: str = ""
    kind: str = ""
    title: str = ""
    embedding: Vector | None = None


DOCS = ModelDefinition.from_dataclass(
    Doc,
    table_name="docs",
    indexes=[
        gsi("by-kind", "kind"),
        vector_index(
            "by-meaning", "embedding", dimensions=3, distance="COSINE", partition="lang", filters=["kind"]
        ),
    ],
)


@pytest.fixture
def docs() -> Table[Doc]:
    client = DynamoDBEmulator().client()
    create_table(DOCS, client=client)
    table = Table(DOCS, client=client)
    for doc in (
        Doc("a", "en", "faq", "reset password", Vector([1.0, 0.0, 0.0])),
        Doc("b", "en", "faq", "change login", Vector([0.9, 0.1, 0.0])),
        Doc("c", "en", "blog", "release notes", Vector([0.0, 1.0, 0.0])),
        Doc("d", "fr", "faq", "mot de passe", Vector([1.0, 0.0, 0.0])),
        Doc("e", "en", "faq", "no vector yet", None),
    ):
        table.put(doc)
    return table


def test_search_returns_model_instances_with_scores(docs: Table[Doc]) -> None:
    found = docs.search_vectors([1.0, 0.05, 0.0], top_k=2, where={"lang": "en"})
    assert [m.item.id for m in found] == ["a", "b"]
    assert all(isinstance(m, VectorMatch) and isinstance(m.item, Doc) for m in found)
    item, score = found[0]
    assert item.title == "reset password" and item.embedding == [1.0, 0.0, 0.0]
    assert 0.0 < score < found[1].score < 0.01


def test_where_takes_conditions_and_filters(docs: Table[Doc]) -> None:
    found = docs.search_vectors([0.0, 1.0, 0.0], top_k=5, where=eq("lang", "en") & eq("kind", "faq"))
    assert [m.item.id for m in found] == ["b", "a"]
    projected = docs.search_vectors(
        [0.0, 1.0, 0.0], top_k=1, where={"lang": "en"}, projection=["id", "title"]
    )
    assert projected[0].item == Doc("c", title="release notes")


def test_the_table_is_created_with_its_vector_index() -> None:
    request = build_create_table_request(DOCS)
    assert request["VectorIndexes"] == [
        {
            "IndexName": "by-meaning",
            "VectorAttribute": {"AttributeName": "embedding"},
            "Dimensions": 3,
            "DistanceFunction": "COSINE",
            "Projection": {"ProjectionType": "ALL"},
            "SearchSchema": [
                {"AttributeName": "lang", "SearchSchemaElementType": "HASH"},
                {"AttributeName": "kind", "SearchSchemaElementType": "INLINE_FILTER"},
            ],
        }
    ]
    assert {d["AttributeName"] for d in request["AttributeDefinitions"]} == {"id", "kind", "lang"}
    with pytest.raises(ValidationError, match="on-demand"):
        build_create_table_request(DOCS, billing_mode="PROVISIONED")


def test_bad_vectors_fail_before_any_request(docs: Table[Doc]) -> None:
    with pytest.raises(ValidationError, match="takes 3 dimensions, not 2"):
        docs.put(Doc("x", "en", embedding=Vector([1.0, 2.0])))
    with pytest.raises(ValidationError, match="finite 32-bit floats"):
        docs.put(Doc("x", "en", embedding=Vector([1.0, 2.0, float("nan")])))
    with pytest.raises(ValidationError, match="has 2 dimensions"):
        docs.search_vectors([1.0, 0.0], where={"lang": "en"})
    with pytest.raises(ValidationError, match="partitioned by lang"):
        docs.search_vectors([1.0, 0.0, 0.0])
    with pytest.raises(ValidationError, match="top_k must be an int from 1 to 100"):
        docs.search_vectors([1.0, 0.0, 0.0], top_k=0, where={"lang": "en"})


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        (vector_index("v", "title", dimensions=3), "must be annotated Vector"),
        (vector_index("v", "embedding", dimensions=0), "dimensions must be an int from 1 to 4096"),
        (vector_index("v", "embedding", dimensions=3, distance="MANHATTAN"), "distance must be one of"),  # type: ignore[arg-type]
        (vector_index("v", "embedding", dimensions=3, partition="nope"), "partition 'nope' is not a field"),
        (vector_index("by-kind", "embedding", dimensions=3), "two indexes are named 'by-kind'"),
    ],
)
def test_model_definitions_fail_early(declaration: Any, message: str) -> None:
    with pytest.raises(ModelDefinitionError, match=message):
        ModelDefinition.from_dataclass(Doc, indexes=[gsi("by-kind", "kind"), declaration])


def test_the_strict_fake_takes_the_search_request() -> None:
    fake = FakeDynamoDBClient()
    fake.expect(
        "search_vectors",
        {
            "TableName": "docs",
            "IndexName": "by-meaning",
            "SearchVector": [{"N": "1.0"}, {"N": "0.0"}, {"N": "0.5"}],
            "TopK": 3,
            "SearchConditionExpression": "#s_lang = :s1",
            "ExpressionAttributeNames": {"#s_lang": "lang"},
            "ExpressionAttributeValues": {":s1": {"S": "en"}},
        },
        {"SearchResults": [{"Item": {"id": {"S": "a"}, "lang": {"S": "en"}}, "Score": 0.125}]},
    )
    found = Table(DOCS, client=fake).search_vectors([1, 0, 0.5], top_k=3, where={"lang": "en"})
    assert found == [VectorMatch(Doc("a", "en"), 0.125)]
    fake.assert_no_pending()
