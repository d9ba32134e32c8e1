"""SimpleLimiter (token bucket) and ConcurrencyLimiter, with an injected clock; no timing in tests."""

from __future__ import annotations

import threading

import pytest

from theorydb_py import ConcurrencyLimiter, SimpleLimiter


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bucket_starts_full_and_refills_at_rps() -> None:
    clock = Ticks()
    limiter = SimpleLimiter(10, 3, now=clock)
    assert [limiter.allow() for _ in range(4)] == [True, True, True, False]
    clock.now = 0.1
    assert limiter.allow() and not limiter.allow()
    clock.now = 10.0
    assert [limiter.allow() for _ in range(4)] == [True, True, True, False]  # never above burst


def test_frequent_callers_are_not_starved_by_rounding() -> None:
    clock = Ticks()
    limiter = SimpleLimiter(1, 1, now=clock)
    assert limiter.allow()
    allowed = 0
    for step in range(1, 41):  # every 0.25 s for 10 s: ten tokens are earned
        clock.now = step * 0.25
        allowed += limiter.allow()
    assert allowed == 10


def test_bucket_is_thread_safe() -> None:
    limiter = SimpleLimiter(1, 50, now=lambda: 0.0)
    results: list[bool] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(20):
            ok = limiter.allow()
            with lock:
                results.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 50


@pytest.mark.parametrize(("rps", "burst"), [(0, 1), (-1, 1), (1, 0), (1, 1.5), (True, 1)])
def test_bad_limits(rps: float, burst: int) -> None:
    with pytest.raises(ValueError):
        SimpleLimiter(rps, burst)


def test_concurrency_limiter() -> None:
    cap = ConcurrencyLimiter(2)
    assert cap.try_acquire() and cap.try_acquire() and not cap.try_acquire()
    cap.release()
    with cap.acquire():
        assert not cap.try_acquire()
    assert cap.try_acquire()
    cap.release()
    cap.release()
    with pytest.raises(ValueError):
        cap.release()
    with pytest.raises(ValueError):
        ConcurrencyLimiter(0)
    assert "max_concurrent=2" in repr(cap)
