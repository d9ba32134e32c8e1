"""The one clock behind every timestamp in the emulator (creation times, TTL, stream records...).

By default it reads ``time.time`` at each call, so ``freezegun`` freezes the emulator too. ``set`` pins it to
a given epoch time and ``advance`` moves a pinned (or the system) time forward, for tests that age data
without sleeping.

>>> clock = Clock()
>>> clock.set(1_700_000_000.0)
>>> clock.advance(60)
>>> clock.now()
1700000060.0
>>> clock.reset()
>>> clock.now() > 1_700_000_000
True
"""

from __future__ import annotations

import time

__all__ = ["Clock"]


class Clock:
    """Epoch seconds as a float: the system time, or a time set by hand."""

    __slots__ = ("_fixed",)

    def __init__(self, at: float | None = None) -> None:
        self._fixed: float | None = None if at is None else float(at)

    def __repr__(self) -> str:
        return "<Clock system>" if self._fixed is None else f"<Clock fixed at {self._fixed}>"

    def now(self) -> float:
        """The current time in epoch seconds (looked up on ``time`` at each call, for freezegun)."""
        fixed = self._fixed
        return time.time() if fixed is None else fixed

    def set(self, at: float) -> None:
        """Pin the clock to ``at`` epoch seconds until ``reset``."""
        self._fixed = float(at)

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``; a system clock becomes pinned at now + seconds."""
        self._fixed = self.now() + float(seconds)

    def reset(self) -> None:
        """Follow the system time again."""
        self._fixed = None
