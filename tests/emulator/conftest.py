"""Fixtures for the emulator's own tests: a fresh emulator, its direct client, and a ready table."""

from __future__ import annotations

from typing import Any

import pytest

from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient


@pytest.fixture
def emu() -> DynamoDBEmulator:
    """A fresh, empty emulator (cheap: one per test)."""
    return DynamoDBEmulator()


@pytest.fixture
def client(emu: DynamoDBEmulator) -> EmulatorClient:
    """The emulator's boto3-compatible direct client."""
    return emu.client()


def table_request(name: str = "things", *, ranged: bool = True, **extra: Any) -> dict[str, Any]:
    """A valid on-demand CreateTable request: ``pk`` (S) and, if ``ranged``, ``sk`` (N)."""
    key = [{"AttributeName": "pk", "KeyType": "HASH"}]
    definitions = [{"AttributeName": "pk", "AttributeType": "S"}]
    if ranged:
        key.append({"AttributeName": "sk", "KeyType": "RANGE"})
        definitions.append({"AttributeName": "sk", "AttributeType": "N"})
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": key,
        "AttributeDefinitions": definitions,
        "BillingMode": "PAY_PER_REQUEST",
    }
    request.update(extra)
    return request


@pytest.fixture
def table(client: EmulatorClient) -> str:
    """The name of an existing on-demand table keyed by ``pk`` (S) and ``sk`` (N)."""
    client.create_table(**table_request("things"))
    return "things"
