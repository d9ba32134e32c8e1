"""Load protection for code in front of DynamoDB: a token-bucket rate limiter and a concurrency cap.

Neither is wired into ``Table``: an application puts them where its own requests come in (a Lambda
handler, an API route) and answers "too many requests" itself, before DynamoDB throttles.

>>> ticks = iter([0.0, 0.0, 0.0, 0.1, 0.5])
>>> limiter = SimpleLimiter(rps=2, burst=2, now=lambda: next(ticks))
>>> limiter.allow(), limiter.allow(), limiter.allow(), limiter.allow()
(True, True, False, True)
>>> cap = ConcurrencyLimiter(1)
>>> with cap.acquire():
...     cap.try_acquire()
False
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

__all__ = ["ConcurrencyLimiter", "SimpleLimiter"]


class SimpleLimiter:
    """A thread-safe token bucket: ``burst`` tokens at most, refilled at ``rps`` tokens a second.

    It starts full. Tokens are whole; the time towards the next token is kept, so calls arriving more
    often than one per token interval still see the full rate (TableTheory's bucket dropped that remainder
    at each refill, so such callers were starved below ``rps``).
    """

    def __init__(self, rps: float, burst: int, *, now: Callable[[], float] | None = None) -> None:
        if isinstance(rps, bool) or not isinstance(rps, int | float) or not rps > 0:
            raise ValueError("rps must be > 0")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ValueError("burst must be a positive int")
        self._interval = 1.0 / float(rps)
        self._burst = burst
        self._now = time.monotonic if now is None else now
        self._lock = threading.Lock()
        self._tokens = burst
        self._last = self._now()

    def __repr__(self) -> str:
        return f"<SimpleLimiter rps={1.0 / self._interval:g} burst={self._burst} tokens={self._tokens}>"

    def allow(self) -> bool:
        """Take one token if there is one: True lets the request through, False means "over the rate"."""
        with self._lock:
            now = self._now()
            if self._tokens >= self._burst:
                self._last = now
            else:
                earned = int((now - self._last) / self._interval) if now > self._last else 0
                if earned:
                    self._tokens = min(self._burst, self._tokens + earned)
                    self._last = now if self._tokens >= self._burst else self._last + earned * self._interval
            if self._tokens < 1:
                return False
            self._tokens -= 1
            return True


class ConcurrencyLimiter:
    """At most ``max_concurrent`` holders at once; releasing more often than acquiring: ``ValueError``."""

    def __init__(self, max_concurrent: int) -> None:
        if isinstance(max_concurrent, bool) or not isinstance(max_concurrent, int) or max_concurrent < 1:
            raise ValueError("max_concurrent must be a positive int")
        self._max = max_concurrent
        self._semaphore = threading.BoundedSemaphore(max_concurrent)

    def __repr__(self) -> str:
        return f"<ConcurrencyLimiter max_concurrent={self._max}>"

    def try_acquire(self) -> bool:
        """Take a slot without waiting: False when all are taken."""
        return self._semaphore.acquire(blocking=False)

    def release(self) -> None:
        """Give a slot back; ``ValueError`` if none was taken."""
        self._semaphore.release()

    @contextlib.contextmanager
    def acquire(self) -> Iterator[None]:
        """Wait for a slot, hold it for the ``with`` block, give it back after."""
        self._semaphore.acquire()
        try:
            yield
        finally:
            self._semaphore.release()
