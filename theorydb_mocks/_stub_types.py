"""The boto3 stubs' ``DynamoDBClient`` as a base class, for type checkers only.

``EmulatorClient`` and ``FakeDynamoDBClient`` derive from it when a type checker runs with
types-boto3-dynamodb installed, so application code annotated with ``DynamoDBClient`` accepts them; without
the stubs it is ``Any`` and they stay usable untyped. At run time it is ``object``: the stubs are never
imported. This project's own mypy run sets ``always_false = STUB_TYPES`` (pyproject.toml) to keep its
tests' clients untyped; ``tests/typing`` checks the typed view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["STUB_TYPES", "DynamoDBClientBase"]

STUB_TYPES = True

if TYPE_CHECKING and STUB_TYPES:
    from types_boto3_dynamodb.client import DynamoDBClient as DynamoDBClientBase
else:
    DynamoDBClientBase = object
