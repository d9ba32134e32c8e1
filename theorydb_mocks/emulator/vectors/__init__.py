"""Vector indexes and exact k-nearest-neighbour search (the data behind SearchVectors).

``VectorIndex`` is one index's entries (``TableStore`` maintains it on every write); ``Query`` and
``score`` define the exact scores; ``set_backend`` chooses the approximate stage that picks the rows to
score (numpy when installed, else pure Python; results are identical).

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/VectorSearch.html
"""

from __future__ import annotations

from theorydb_mocks.emulator.vectors._approx import backend, set_backend
from theorydb_mocks.emulator.vectors._index import VectorIndex, vector_values
from theorydb_mocks.emulator.vectors._math import F32_MAX, Query, better_first, score, to_float32

__all__ = [
    "F32_MAX",
    "Query",
    "VectorIndex",
    "backend",
    "better_first",
    "score",
    "set_backend",
    "to_float32",
    "vector_values",
]
