"""TableTheory's testkit: the strict fakes plus deterministic randomness and a sleep that does not wait.

``fixed_rand_bytes(seed)`` replaces ``os.urandom`` where a test needs byte-exact output, such as the nonce of
an encrypted field (``Table(..., rand_bytes=fixed_rand_bytes(b"\\x01"))``); ``no_sleep`` replaces
``time.sleep`` in retry loops (``table.batch_write(..., sleep=no_sleep)``).

>>> rand = fixed_rand_bytes(b"ab")
>>> rand(5), rand(0)
(b'ababa', b'')
>>> no_sleep(30)
"""

from __future__ import annotations

from collections.abc import Callable

from theorydb_py.mocks import ANY, FakeDynamoDBClient, FakeKmsClient

__all__ = ["ANY", "FakeDynamoDBClient", "FakeKmsClient", "fixed_rand_bytes", "no_sleep"]


def fixed_rand_bytes(seed: bytes) -> Callable[[int], bytes]:
    """A ``rand_bytes(n)`` that repeats ``seed`` and cuts it to ``n`` bytes (every call starts afresh)."""
    if not isinstance(seed, bytes | bytearray):
        raise TypeError(f"seed must be bytes, not {type(seed).__name__}")
    if not seed:
        raise ValueError("seed must be non-empty")
    pattern = bytes(seed)

    def rand_bytes(n: int) -> bytes:
        if n < 0:
            raise ValueError("n must be >= 0")
        repeats = -(-n // len(pattern))
        return (pattern * repeats)[:n]

    return rand_bytes


def no_sleep(seconds: float) -> None:
    """Accepts a delay and returns at once."""
