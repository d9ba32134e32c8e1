"""The in-memory DynamoDB emulator: ``DynamoDBEmulator``, its one error type ``DynamoDBError``, the ``Clock``
that drives its time, and the ``Snapshot`` that ``emu.snapshot()`` returns.

>>> emu = DynamoDBEmulator()
>>> client = emu.client()
>>> client.list_tables()["TableNames"]
[]
"""

from __future__ import annotations

from theorydb_mocks.emulator.clock import Clock
from theorydb_mocks.emulator.core import DynamoDBEmulator
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.snapshots import Snapshot

__all__ = ["Clock", "DynamoDBEmulator", "DynamoDBError", "Snapshot"]
