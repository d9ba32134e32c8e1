"""Shared fixtures: DynamoDB Local, the oracle, started once per session where it can run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, settings

from tests import background
from theorydb_mocks.dynamodb_local import DynamoDBLocal, unavailable_reason

# Hypothesis's speed checks are timed assertions: on a shared machine they fail at random. Examples stay as
# drawn; only the clock is ignored (tests with their own settings list too_slow themselves).
settings.register_profile("theorydb", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("theorydb")

# .ci/run sets this so that a CI machine without Java or the package fails loudly instead of skipping.
REQUIRE_LOCAL = os.environ.get("TABLETHEORY_REQUIRE_DYNAMODB_LOCAL") == "1"


@pytest.fixture(scope="session")
def dynamodb_local_endpoint() -> Iterator[str]:
    """The endpoint of a DynamoDB Local: ``$DYNAMODB_LOCAL_ENDPOINT`` if given, else one started here."""
    given = os.environ.get("DYNAMODB_LOCAL_ENDPOINT")
    if given:
        yield given
        return
    reason = unavailable_reason()
    if reason is not None:
        if REQUIRE_LOCAL:
            pytest.fail(reason)
        pytest.skip(reason)
    with DynamoDBLocal() as local:
        yield local.endpoint_url


def boto3_client_for(endpoint: str, service: str = "dynamodb", **kwargs: Any) -> Any:
    """A real boto3 client for a local endpoint, with dummy credentials."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        **kwargs,
    )


@pytest.fixture(scope="session")
def dynamodb_local_client(dynamodb_local_endpoint: str) -> Any:
    """A boto3 DynamoDB client talking to DynamoDB Local."""
    return boto3_client_for(dynamodb_local_endpoint)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start mypy at once when its test is among those to run: it checks the tree on the other core while
    the suite runs (tests/background.py)."""
    wanted = any(item.nodeid.endswith("test_quality.py::test_mypy_strict_is_clean") for item in session.items)
    if not wanted or session.config.option.collectonly:
        return
    from tests.test_quality import ROOT, mypy_command

    try:
        command = mypy_command()
    except pytest.skip.Exception:
        return  # mypy is not installed: the test itself skips and says so
    background.start("mypy", command, ROOT)
