"""TableTheory's testing kit: strict expectation fakes and an in-memory DynamoDB emulator.

Names are imported lazily, so ``import theorydb_mocks`` stays cheap and a test that only needs the fakes
never loads the emulator.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from theorydb_mocks.emulator import DynamoDBEmulator
    from theorydb_mocks.emulator.routing import mock_dynamodb
    from theorydb_mocks.fakes import ANY, FakeDynamoDBClient, FakeKmsClient

__all__ = ["ANY", "DynamoDBEmulator", "FakeDynamoDBClient", "FakeKmsClient", "mock_dynamodb"]

_LAZY = {
    "ANY": "theorydb_mocks.fakes",
    "FakeDynamoDBClient": "theorydb_mocks.fakes",
    "FakeKmsClient": "theorydb_mocks.fakes",
    "DynamoDBEmulator": "theorydb_mocks.emulator",
    "mock_dynamodb": "theorydb_mocks.emulator.routing",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'theorydb_mocks' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
