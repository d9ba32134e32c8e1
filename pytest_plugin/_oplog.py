"""A bounded log of the operations an emulator answered, printed when a test fails.

The log wraps the emulator's ``dispatch`` on the instance (every door, direct client or routed boto3 client,
goes through it), so nothing in the emulator changes; a ``deque`` keeps only the last ``size`` entries.

>>> from theorydb_mocks import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> log = OperationLog.attach(emu, size=5)
>>> _ = emu.client().list_tables()
>>> print(log.render())
1. ListTables {} -> ok
"""

from __future__ import annotations

import collections
import itertools
import reprlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from theorydb_mocks.emulator import DynamoDBEmulator

__all__ = ["OperationLog"]

_REPR = reprlib.Repr()
_REPR.maxstring = 60
_REPR.maxdict = 8
_REPR.maxlist = 4
_REPR.maxlevel = 4
_REPR.maxother = 60


class OperationLog:
    """The last ``size`` requests an emulator answered, each with its outcome (``ok`` or the error)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: collections.deque[tuple[int, str, str, str]] = collections.deque(maxlen=size)
        self._count = itertools.count(1)

    def __repr__(self) -> str:
        return f"<OperationLog {len(self._entries)}/{self.size}>"

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def attach(cls, emulator: DynamoDBEmulator, size: int) -> OperationLog:
        """Start logging ``emulator``'s operations (wraps its ``dispatch`` on the instance)."""
        log = cls(size)
        inner = emulator.dispatch

        def dispatch(operation: str, request: dict[str, Any], **options: Any) -> dict[str, Any]:
            try:
                response = inner(operation, request, **options)
            except Exception as exc:
                code = getattr(exc, "code", type(exc).__name__)
                message = getattr(exc, "message", str(exc))
                log.add(operation, request, f"{code}: {message}")
                raise
            log.add(operation, request, "ok")
            return response

        emulator.dispatch = dispatch  # type: ignore[method-assign]
        return log

    def add(self, operation: str, request: dict[str, Any], outcome: str) -> None:
        self._entries.append((next(self._count), operation, _REPR.repr(request), outcome))

    def render(self) -> str:
        """One numbered line per operation, oldest first; numbers count from the start of the test."""
        return "\n".join(
            f"{n}. {operation} {request} -> {outcome}" for n, operation, request, outcome in self._entries
        )
