"""Fixtures for vector search tests: an emulator with a vector-indexed table, and both search backends."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from math import sqrt
from typing import Any

import pytest

from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient
from theorydb_mocks.emulator.vectors import _approx, set_backend


@pytest.fixture(params=["python", "numpy"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each search backend in turn, with the approximate stage used even for tiny indexes."""
    if request.param == "numpy":
        pytest.importorskip("numpy")
    monkeypatch.setattr(_approx, "EXACT_ROWS", 0)
    monkeypatch.setattr(_approx, "STALE_ROWS", 4)  # both refresh paths: exact rescoring and rebuilding
    previous = set_backend(request.param)
    yield str(request.param)
    set_backend(previous)


@pytest.fixture
def emu() -> DynamoDBEmulator:
    return DynamoDBEmulator()


@pytest.fixture
def client(emu: DynamoDBEmulator) -> EmulatorClient:
    return emu.client()


def vector_table(
    name: str = "docs",
    *,
    distance: str = "COSINE",
    dims: int = 3,
    hash_key: bool = False,
    filters: tuple[str, ...] = (),
    projection: dict[str, Any] | None = None,
    ranged: bool = False,
) -> dict[str, Any]:
    """A CreateTable request: key ``pk`` (S, plus ``sk`` N if ranged), vector index ``emb`` on ``v``."""
    definitions = [{"AttributeName": "pk", "AttributeType": "S"}]
    key = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if ranged:
        definitions.append({"AttributeName": "sk", "AttributeType": "N"})
        key.append({"AttributeName": "sk", "KeyType": "RANGE"})
    schema = []
    if hash_key:
        definitions.append({"AttributeName": "cat", "AttributeType": "S"})
        schema.append({"AttributeName": "cat", "SearchSchemaElementType": "HASH"})
    for attribute in filters:
        definitions.append({"AttributeName": attribute, "AttributeType": "S"})
        schema.append({"AttributeName": attribute, "SearchSchemaElementType": "INLINE_FILTER"})
    index: dict[str, Any] = {
        "IndexName": "emb",
        "VectorAttribute": {"AttributeName": "v"},
        "Dimensions": dims,
        "DistanceFunction": distance,
        "Projection": projection or {"ProjectionType": "ALL"},
    }
    if schema:
        index["SearchSchema"] = schema
    return {
        "TableName": name,
        "KeySchema": key,
        "AttributeDefinitions": definitions,
        "BillingMode": "PAY_PER_REQUEST",
        "VectorIndexes": [index],
    }


def vector(*values: float | str) -> dict[str, Any]:
    """A vector attribute value: a List of Numbers."""
    return {"L": [{"N": str(v)} for v in values]}


def reference_score(distance: str, x: list[float], q: list[float]) -> float:
    """The score computed with exact rational arithmetic, rounded where the definitions round."""
    xs = [Fraction(v) for v in x]
    qs = [Fraction(v) for v in q]
    dot = float(sum(a * b for a, b in zip(xs, qs, strict=True)))
    if distance == "DOT_PRODUCT":
        return dot
    if distance == "EUCLIDEAN":
        squared = float(sum((a - b) ** 2 for a, b in zip(xs, qs, strict=True)))
        return sqrt(squared) if squared > 0 else 0.0
    x2 = float(sum(a * a for a in xs))
    q2 = float(sum(b * b for b in qs))
    if x2 == 0.0 or q2 == 0.0:
        return 1.0
    value = 1.0 - dot / sqrt(x2 * q2)
    return min(max(value, 0.0), 2.0)


def reference_order(distance: str, scored: list[tuple[float, Any]]) -> list[tuple[float, Any]]:
    """Most similar first; ties by key."""
    if distance == "DOT_PRODUCT":
        return sorted(scored, key=lambda pair: (-pair[0], pair[1]))
    return sorted(scored, key=lambda pair: (pair[0], pair[1]))
