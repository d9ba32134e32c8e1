"""Exact vector scores: 32-bit inputs, one rounding for every sum, results in DynamoDB's order.

A vector index holds 32-bit floats (the service stores embeddings at f32 precision). The product of two
f32 values is exact in a float64 (24 + 24 significant bits), and ``math.fsum`` rounds the exact sum of
exact products once, so a dot product or a squared norm here is the real-number result correctly rounded.
Scores are then a few float64 steps from those exact sums, always the same steps, so two computations
agree bit for bit. SearchVectors ranks by these exact scores; the faster approximate stages (``_approx``)
only choose which rows to score exactly.

Score definitions (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SearchVectors.html):

- COSINE: ``1 - x.q / sqrt(|x|^2 |q|^2)``, clamped to [0, 2], smallest first; a zero vector scores 1.
- EUCLIDEAN: ``sqrt(|x - q|^2)``, smallest first.
- DOT_PRODUCT: ``x.q``, largest first.

Ties are broken by the table's primary key order, so the answer is deterministic.

>>> to_float32([0.1, 2.0])
[0.10000000149011612, 2.0]
>>> score("EUCLIDEAN", [0.0, 3.0], Query([4.0, 0.0]))
5.0
>>> score("COSINE", [1.0, 0.0], Query([0.0, 2.0]))
1.0
>>> score("DOT_PRODUCT", [1.5, 2.0], Query([2.0, 0.25]))
3.5
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from itertools import chain
from operator import mul
from typing import Literal

__all__ = ["F32_MAX", "Distance", "Query", "better_first", "score", "to_float32"]

Distance = Literal["COSINE", "EUCLIDEAN", "DOT_PRODUCT"]

# The largest finite float32; larger magnitudes round to infinity (never a valid vector element).
F32_MAX = 3.4028234663852886e38


def to_float32(values: Iterable[float]) -> list[float]:
    """Each value rounded to the nearest float32 (as a Python float, exactly that float32's value)."""
    return array("f", values).tolist()


class Query:
    """A search vector, with the sums every score of it needs computed once."""

    __slots__ = ("norm2", "twice_negated", "values")

    def __init__(self, values: Sequence[float]) -> None:
        self.values = list(values)
        self.norm2 = math.fsum(map(mul, self.values, self.values))
        # -2q is exact (a power of two times an f32), so |x-q|^2 = fsum(x*x, q*q, x*(-2q)) is one rounding.
        self.twice_negated = [-2.0 * v for v in self.values]

    def __repr__(self) -> str:
        return f"<Query dims={len(self.values)}>"


def dot(x: Sequence[float], q: Sequence[float]) -> float:
    """The exact dot product of two f32 vectors, correctly rounded."""
    return math.fsum(map(mul, x, q))


def score(distance: Distance, x: Sequence[float], query: Query, x_norm2: float | None = None) -> float:
    """The exact score of stored vector ``x`` against ``query``. ``x_norm2``: fsum of x*x, if known."""
    q = query.values
    if distance == "DOT_PRODUCT":
        return dot(x, q)
    if distance == "EUCLIDEAN":
        squared = math.fsum(chain(map(mul, x, x), map(mul, q, q), map(mul, x, query.twice_negated)))
        return math.sqrt(squared) if squared > 0.0 else 0.0
    norm2 = math.fsum(map(mul, x, x)) if x_norm2 is None else x_norm2
    return cosine(dot(x, q), norm2, query.norm2)


def cosine(dot_product: float, x_norm2: float, q_norm2: float) -> float:
    """The COSINE score from the exact (rounded) dot product and squared norms: 0 same way, 2 opposite."""
    if x_norm2 == 0.0 or q_norm2 == 0.0:
        return 1.0
    value = 1.0 - dot_product / math.sqrt(x_norm2 * q_norm2)
    return 0.0 if value < 0.0 else 2.0 if value > 2.0 else value


def better_first(distance: Distance, value: float) -> float:
    """The sort key that puts the most similar first (DOT_PRODUCT: largest first; the others smallest)."""
    return -value if distance == "DOT_PRODUCT" else value
