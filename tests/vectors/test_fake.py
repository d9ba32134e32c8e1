"""The strict fake takes SearchVectors expectations, checked against the service model like any other."""

from __future__ import annotations

import pytest

from theorydb_mocks import ANY, FakeDynamoDBClient


def test_search_vectors_expectation_is_answered_and_checked() -> None:
    fake = FakeDynamoDBClient()
    fake.expect(
        "search_vectors",
        {"TableName": "docs", "IndexName": "emb", "TopK": 3, "SearchVector": ANY},
        {"SearchResults": [{"Item": {"pk": {"S": "a"}}, "Score": 0.25}]},
    )
    answer = fake.search_vectors(TableName="docs", IndexName="emb", TopK=3, SearchVector=[{"N": "1"}])
    assert answer["SearchResults"] == [{"Item": {"pk": {"S": "a"}}, "Score": 0.25}]
    fake.assert_no_pending()


def test_search_vectors_expectation_with_a_wrong_shape_is_refused_at_registration() -> None:
    fake = FakeDynamoDBClient()
    with pytest.raises(Exception, match="TopK"):
        fake.expect("SearchVectors", {"TableName": "docs", "IndexName": "emb", "TopK": "three"})
    with pytest.raises(Exception, match="Score"):
        fake.expect("SearchVectors", None, {"SearchResults": [{"Score": "high"}]})
