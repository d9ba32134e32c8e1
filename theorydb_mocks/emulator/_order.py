"""The order of a Java ``HashSet`` or ``HashMap`` of strings, in which DynamoDB lists some collections.

DynamoDB's messages list unused placeholders this way, UpdateTable answers list attribute definitions this
way, and transactions list capacity per table this way: as Java iterates them, by bucket (the string's
``hashCode`` spread by ``h ^ (h >>> 16)``, modulo a power-of-two table that doubles past a 0.75 load), then
by insertion.

>>> java_hash_order(["#b", "#a", "#c"])
['#c', '#a', '#b']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

__all__ = ["java_hash_order", "java_string_hash"]

K = TypeVar("K")


def java_string_hash(text: str) -> int:
    """Java's ``String.hashCode`` (over UTF-16 code units), as a signed 32-bit int."""
    h = 0
    data = text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + ((data[i] << 8) | data[i + 1])) & 0xFFFFFFFF
    return h - (1 << 32) if h & 0x80000000 else h


def java_hash_order(keys: Sequence[K], hash_code: Callable[[K], int] | None = None) -> list[K]:
    """``keys`` (distinct, in insertion order) in the iteration order of a Java HashSet built from them.

    ``hash_code`` defaults to ``String.hashCode`` for string keys.
    """
    capacity = 16
    while len(keys) > capacity * 3 // 4:
        capacity *= 2

    def bucket(key: K) -> int:
        code = hash_code(key) if hash_code is not None else java_string_hash(str(key))
        h = code & 0xFFFFFFFF
        return (h ^ (h >> 16)) & (capacity - 1)

    return sorted(keys, key=bucket)
