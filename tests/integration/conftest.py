"""Integration fixtures: the same Table tests on every backend, each test with its own fresh tables."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from theorydb_py import ModelDefinition, Table, create_table, delete_table

# Backend name -> the fixture giving its boto3-compatible DynamoDB client.
BACKENDS = {"dynamodb_local": "dynamodb_local_client", "emulator": "emulator_client"}


@pytest.fixture(params=sorted(BACKENDS))
def backend_client(request: pytest.FixtureRequest) -> Any:
    """A low-level DynamoDB client of one backend."""
    return request.getfixturevalue(BACKENDS[request.param])


@pytest.fixture
def emulator_client() -> Any:
    """The embedded emulator's direct client: a fresh in-memory DynamoDB per test."""
    from theorydb_mocks import DynamoDBEmulator

    return DynamoDBEmulator().client()


MakeTable = Callable[..., Table[Any]]


@pytest.fixture
def make_table(backend_client: Any) -> Iterator[MakeTable]:
    """``make_table(model, **table_options)``: creates a uniquely named table for the model, deleted after."""
    made: list[tuple[ModelDefinition[Any], str]] = []

    def make(model: ModelDefinition[Any], **options: Any) -> Table[Any]:
        name = f"{model.table_name}-{uuid.uuid4().hex[:10]}"
        create_table(model, client=backend_client, table_name=name)
        made.append((model, name))
        return Table(model, client=backend_client, table_name=name, **options)

    yield make
    for model, name in made:
        delete_table(model, client=backend_client, table_name=name, missing_ok=True)
