"""The oracle itself: DynamoDB Local can be fetched, started and answers a boto3 client."""

from __future__ import annotations

from typing import Any

import pytest

from theorydb_mocks.dynamodb_local import DynamoDBLocal, cache_dir, find_installation


@pytest.mark.dynamodb_local
def test_dynamodb_local_answers(dynamodb_local_client: Any) -> None:
    assert "TableNames" in dynamodb_local_client.list_tables()


def test_find_installation_is_none_for_an_empty_directory(tmp_path: Any) -> None:
    assert find_installation(tmp_path) is None


def test_cache_dir_honours_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    monkeypatch.setenv("TABLETHEORY_CACHE", str(tmp_path))
    assert cache_dir().parent == tmp_path


def test_repr_says_stopped() -> None:
    local = DynamoDBLocal(port=1)
    assert repr(local) == "<DynamoDBLocal http://127.0.0.1:1 stopped>"
