"""The in-memory DynamoDB emulator: ``DynamoDBEmulator`` and its one error type, ``DynamoDBError``.

>>> emu = DynamoDBEmulator()
>>> client = emu.client()
>>> client.list_tables()["TableNames"]
[]
"""

from __future__ import annotations

from theorydb_mocks.emulator.core import DynamoDBEmulator
from theorydb_mocks.emulator.errors import DynamoDBError

__all__ = ["DynamoDBEmulator", "DynamoDBError"]
