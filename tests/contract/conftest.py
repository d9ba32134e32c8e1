"""The contract scenarios run on every backend (the integration suite's fixtures, reused) and through each
door of the emulator."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.integration.conftest import backend_client, emulator, emulator_client

__all__ = ["backend_client", "emulator", "emulator_client", "emulator_door"]


@pytest.fixture(params=["direct", "routed", "http"])
def emulator_door(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A client of a fresh emulator through one of its three doors: the direct client, a real boto3 client
    answered in-process, and a real boto3 client over HTTP."""
    from theorydb_mocks import DynamoDBEmulator
    from theorydb_mocks.emulator.server import serve_in_thread

    emu = DynamoDBEmulator()
    if request.param == "direct":
        yield emu.client()
    elif request.param == "routed":
        yield emu.boto3_client(region_name="us-east-1")
    else:
        with serve_in_thread(emulator=emu) as endpoint:
            yield boto3.client(
                "dynamodb",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
