"""Unit-test fixtures: a strict fake DynamoDB client that fails the test on unmet expectations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from theorydb_mocks.fakes import FakeDynamoDBClient


@pytest.fixture
def fake() -> Iterator[FakeDynamoDBClient]:
    client = FakeDynamoDBClient()
    yield client
    client.assert_no_pending()
