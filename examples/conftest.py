"""One DynamoDB Local for every example's tests: each example creates and deletes its own table, so one
server started for the session serves them all (a start costs seconds; the tests, milliseconds)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from example_support import local_endpoint


@pytest.fixture(scope="session")
def dynamodb_local_url() -> Iterator[str]:
    """``$DYNAMODB_LOCAL_ENDPOINT``, or a DynamoDB Local started once for the session's example tests."""
    yield from local_endpoint()
