"""A recorded call that also reads as TableTheory's ``(method, request)`` tuple.

TableTheory's fakes record ``calls`` as ``list[tuple[str, dict]]``; tests written for them index
(``fake.calls[0][1]["Item"]``), unpack (``method, request = fake.calls[0]``) and compare with tuples. The
calls recorded here are objects with names (``.method``, ``.params``), and behave as that pair as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = ["RecordedCall"]


class RecordedCall:
    """Base of the recorded calls: ``method`` and ``params``, readable as the pair ``(method, params)``."""

    __slots__ = ()
    method: str
    params: dict[str, Any]

    @property
    def request(self) -> dict[str, Any]:
        """The parameters, under TableTheory's name."""
        return self.params

    def _pair(self) -> tuple[str, dict[str, Any]]:
        return (self.method, self.params)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._pair())

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int | slice) -> Any:
        return self._pair()[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RecordedCall):
            return type(self) is type(other) and self._pair() == other._pair()
        if isinstance(other, tuple):
            return self._pair() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # holds a dict: not hashable
