"""Helpers for the example tests: where DynamoDB Local is, and running an example as a script.

A plain module, not a conftest: ``tests/emulator`` already has a top-level ``conftest`` module.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from theorydb_mocks.dynamodb_local import DynamoDBLocal, unavailable_reason


def local_endpoint() -> Iterator[str]:
    """For a fixture to ``yield from``: ``$DYNAMODB_LOCAL_ENDPOINT``, or a DynamoDB Local started for the
    fixture's scope (skipped where it cannot run, failed instead under
    ``TABLETHEORY_REQUIRE_DYNAMODB_LOCAL=1``)."""
    given = os.environ.get("DYNAMODB_LOCAL_ENDPOINT")
    if given:
        yield given
        return
    reason = unavailable_reason()
    if reason is not None:
        if os.environ.get("TABLETHEORY_REQUIRE_DYNAMODB_LOCAL") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    with DynamoDBLocal() as local:
        yield local.endpoint_url


def local_client(endpoint: str, service: str = "dynamodb") -> Any:
    """A boto3 client for a local endpoint with dummy credentials."""
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def run_script(name: str, endpoint: str | None) -> list[str]:
    """Run ``examples/<name>`` as the docs say (``DYNAMODB_ENDPOINT`` set when given); its output lines."""
    env = {k: v for k, v in os.environ.items() if k != "DYNAMODB_ENDPOINT"}
    if endpoint is not None:
        env["DYNAMODB_ENDPOINT"] = endpoint
    script = Path(__file__).with_name(name)
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()
