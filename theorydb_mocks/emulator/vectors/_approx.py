"""Candidate selection for exact k-nearest-neighbour search: never misses a true neighbour, scores few rows.

An exact score costs about 768 multiplications in ``math.fsum``; scoring every row of a large index that
way is too slow in pure Python. So a fast approximate stage bounds each row's score in an interval that is
guaranteed to hold the exact score, takes T, the k-th smallest upper bound, and keeps every row whose
lower bound is at most T. Every true top-k row is kept (its exact score is at most the k-th smallest exact
score, which is at most T), so ranking the kept rows by their exact scores gives the exact answer.

Two approximate stages, chosen by ``backend()``:

- numpy (when installed): the float32 matrix times the query in float32; the error of a float32 dot
  product of D terms is at most ``2 D u |x| |q|`` (u = 2**-24).
- pure Python: every row is kept as one byte a dimension (``_rows``), and the dot products of all rows
  with an integer query are computed at once with Python's big integers: column j of the codes, packed 32
  bits a row into one integer, times the query's integer j, summed over j; no slot overflows, so each
  32-bit field of the sum is one row's integer dot product. Quantization errors are bounded per row.

Benchmarks: ``benchmarks/bench_vectors.py`` (100k rows of 768 dimensions).
"""

from __future__ import annotations

import heapq
import math
import os
import sys
from typing import Any, Literal

from theorydb_mocks.emulator.vectors._math import Distance, Query, better_first, score
from theorydb_mocks.emulator.vectors._rows import VectorRows

__all__ = ["Backend", "backend", "candidates", "set_backend"]

Backend = Literal["auto", "numpy", "python"]

# Below this many rows, scoring each exactly is cheaper than any approximate stage.
EXACT_ROWS = 256
# Rows written since the packed columns were built are scored exactly, up to this many; past it, rebuild.
STALE_ROWS = 2048
_U32 = (1 << 32) - 1
_F32_EPSILON = 2.0**-24
_F32_TINY = 2.0**-126  # the smallest normal float32: below it products lose relative precision

_choice: Backend = "auto"
_numpy: Any = None


def set_backend(choice: Backend) -> Backend:
    """Choose the approximate stage: ``"auto"`` (numpy when importable), ``"numpy"`` or ``"python"``.

    Returns the previous choice. The environment variable ``THEORYDB_VECTOR_BACKEND`` sets the default.
    Results are the same either way; only the speed differs.
    """
    global _choice
    if choice not in ("auto", "numpy", "python"):
        raise ValueError(f"backend must be 'auto', 'numpy' or 'python', not {choice!r}")
    if choice == "numpy":
        _load_numpy(required=True)
    previous, _choice = _choice, choice
    return previous


def _load_numpy(*, required: bool) -> Any:
    global _numpy
    if _numpy is None:
        try:
            import numpy
        except ImportError:
            if required:
                raise
            return None
        _numpy = numpy
    return _numpy


def backend() -> Literal["numpy", "python"]:
    """The approximate stage searches use now."""
    choice = _choice
    if choice == "auto":
        choice = os.environ.get("THEORYDB_VECTOR_BACKEND", "auto")  # type: ignore[assignment]
    if choice == "python":
        return "python"
    return "numpy" if _load_numpy(required=choice == "numpy") is not None else "python"


def candidates(
    rows: VectorRows, query: Query, distance: Distance, k: int, slots: list[int] | None
) -> tuple[list[int], dict[int, float]]:
    """Slots that include the k best of ``slots`` (None: every live slot), and exact scores known so far.

    Runtime: numpy O(n D) in C; pure Python O(n D) in big-integer arithmetic plus O(n) bytecode.
    """
    count = rows.live_count if slots is None else len(slots)
    if count <= max(EXACT_ROWS, k):
        return (rows.live_slots() if slots is None else slots), {}
    if backend() == "numpy":
        return _numpy_candidates(rows, query, distance, k, slots), {}
    return _python_candidates(rows, query, distance, k, slots)


# -- pure Python: packed big-integer columns --------------------------------------------------------


class _Columns:
    """Column j of the codes of slots [0, built), 32 bits a slot, as one integer (the scan's cache)."""

    __slots__ = ("built", "columns")

    def __init__(self, rows: VectorRows) -> None:
        dims = rows.dims
        built = rows.slot_count
        codes = rows.codes
        spread = bytearray(4 * built)
        columns = []
        for j in range(dims):
            spread[0::4] = codes[j::dims]  # little-endian: the code is the low byte of its 32-bit field
            columns.append(int.from_bytes(spread, "little"))
        self.columns = columns
        self.built = built


def _python_candidates(
    rows: VectorRows, query: Query, distance: Distance, k: int, slots: list[int] | None
) -> tuple[list[int], dict[int, float]]:
    cache = rows.scan_cache
    if not isinstance(cache, _Columns) or len(rows.changed) > STALE_ROWS:
        cache = rows.scan_cache = _Columns(rows)
        rows.mark_clean()
    dims = rows.dims
    q = query.values
    # The query as integers: q ~ low + step * Q, Q in [0, q_max], small enough that no 32-bit field overflows.
    q_max = max(1, _U32 // (255 * dims))
    low, high = min(q), max(q)
    step = (high - low) / q_max
    if step > 0.0:
        inverse = 1.0 / step
        ints = [int((v - low) * inverse + 0.5) for v in q]
    else:
        ints = [0] * dims
    q_abs = max(abs(low), abs(high))
    q_error = max(abs(v - (low + step * n)) for v, n in zip(q, ints, strict=True))
    q_error = q_error * (1.0 + 1e-9) + 1e-15 * q_abs
    total = 0
    for n, column in zip(ints, cache.columns, strict=True):
        if n:
            total += n * column
    built = cache.built
    products = memoryview(total.to_bytes(4 * built, sys.byteorder)).cast("I").tolist() if built else []

    # dot(x, q) = low * offset + scale * step * (P - 128 sum(Q)) up to ``error``: the quantization errors of
    # x and q (|x - x^| <= e_x, |q - q^| <= e_q: |x.q - x^.q^| <= e_x |q|_1 + e_q (|x|_1 + D e_x)) and the
    # float rounding of these few steps (below 1e-13 of e_x D max|q|, since e_x >= max|x| / 254).
    shift = step * 128 * sum(ints)
    x_factor = (math.fsum(map(abs, q)) + dims * q_error) * (1.0 + 1e-9) + 2.1e-13 * dims * q_abs
    l1_factor = q_error * (1.0 + 1e-9)
    centres = [
        low * offset + scale * (step * p - shift)
        for offset, scale, p in zip(rows.offset, rows.scale, products, strict=False)  # zip stops at ``built``
    ]
    errors = [e * x_factor + l1 * l1_factor for e, l1, _p in zip(rows.error, rows.l1, products, strict=False)]
    # Keys where smaller is better, as centre +- width; monotone in the score (see the module docstring).
    q_norm2 = query.norm2
    if distance == "DOT_PRODUCT":
        centres = [-c for c in centres]
        widths = [e + 1e-15 * abs(c) for e, c in zip(errors, centres, strict=False)]
    elif distance == "EUCLIDEAN":  # |x - q|^2 - |q|^2 = |x|^2 - 2 x.q
        slack = 2e-15 * q_norm2
        centres = [n - 2.0 * c for n, c in zip(rows.norm2, centres, strict=False)]
        widths = [2.0 * e + 2e-15 * n + slack for e, n in zip(errors, rows.norm2, strict=False)]
    else:  # COSINE: 1 - x.q / (|x| |q|) = 1 + (-x.q / |x|) / |q|
        slack = 1e-12 * math.sqrt(q_norm2)
        centres = [-c * inv for c, inv in zip(centres, rows.inverse_norm, strict=False)]
        widths = [e * inv + slack for e, inv in zip(errors, rows.inverse_norm, strict=False)]

    live, changed = rows.live, rows.changed
    considered = rows.live_slots() if slots is None else slots
    known: dict[int, float] = {}
    fresh = (
        [slot for slot in considered if slot >= built or slot in changed]
        if changed or (rows.slot_count > built)
        else []
    )
    for slot in fresh:
        if live[slot]:
            known[slot] = better_first(distance, score(distance, rows.vector(slot), query, rows.norm2[slot]))
    if fresh:
        stale = set(fresh)
        considered = [slot for slot in considered if slot not in stale]
    if not considered and not known:
        return [], known
    highs = [centres[slot] + widths[slot] for slot in considered]
    highs.extend(_in_key_space(distance, exact, q_norm2) for exact in known.values())
    threshold = heapq.nsmallest(k, highs)[-1]
    if distance == "EUCLIDEAN":  # distinct squared distances may share a rounded square root
        threshold += 1e-12 * abs(threshold + q_norm2)
    kept = [slot for slot in considered if centres[slot] - widths[slot] <= threshold]
    kept.extend(known)
    return kept, known


def _in_key_space(distance: Distance, exact: float, q_norm2: float) -> float:
    """An upper bound, in the space the pure-Python scan ranks in, of a row whose exact key is known."""
    if distance == "DOT_PRODUCT":
        return exact
    if distance == "EUCLIDEAN":
        return exact * exact * (1.0 + 1e-14) - q_norm2 + 1e-14 * q_norm2
    return (exact - 1.0) * math.sqrt(q_norm2) + 1e-12 * (1.0 + math.sqrt(q_norm2))


# -- numpy: the float32 matrix --------------------------------------------------------------------


def _numpy_candidates(
    rows: VectorRows, query: Query, distance: Distance, k: int, slots: list[int] | None
) -> list[int]:
    np = _numpy
    dims = rows.dims
    n = rows.slot_count
    matrix = np.frombuffer(rows.vectors, dtype=np.float32, count=n * dims).reshape(n, dims)
    q32 = np.asarray(query.values, dtype=np.float32)
    norm2 = np.frombuffer(rows.norm2, dtype=np.float64, count=n)
    if slots is None and rows.live_count == n:  # no holes: no index arrays (measured: bench_vectors.py)
        chosen = np.arange(n)
        approx = (matrix @ q32).astype(np.float64)
    else:
        if slots is None:
            chosen = np.flatnonzero(np.frombuffer(rows.live, dtype=np.uint8, count=n))
        else:
            chosen = np.asarray(slots, dtype=np.intp)
        if len(chosen) * 4 >= n:
            approx = (matrix @ q32)[chosen].astype(np.float64)
        else:
            approx = (matrix[chosen] @ q32).astype(np.float64)
        norm2 = norm2[chosen]
    del matrix  # the array('f') cannot grow while numpy holds its buffer
    q_norm2 = query.norm2
    bound = np.sqrt(norm2) * math.sqrt(q_norm2)
    error = (2.0 * dims * _F32_EPSILON) * bound + dims * _F32_TINY * (1.0 + bound)
    # float32 overflows past ~3.4e38: such rows get an unbounded interval (kept, then scored exactly).
    unsafe = ~np.isfinite(approx) | (bound > 1e36)
    approx[unsafe] = 0.0
    error[unsafe] = np.inf
    if distance == "DOT_PRODUCT":
        slack = 1e-15 * (np.abs(approx) + error) + 1e-300
        low, high = -(approx + error) - slack, -(approx - error) + slack
    elif distance == "EUCLIDEAN":
        base = norm2 + q_norm2
        slack = 1e-15 * (base + 2.0 * (np.abs(approx) + error)) + 1e-300
        low = np.sqrt(np.maximum(base - 2.0 * (approx + error) - slack, 0.0)) * (1.0 - 1e-15)
        high = np.sqrt(np.maximum(base - 2.0 * (approx - error) + slack, 0.0)) * (1.0 + 1e-15)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            norm = np.sqrt(norm2 * q_norm2)
            low = np.clip(1.0 - (approx + error) / norm - 1e-12, 0.0, 2.0)
            high = np.clip(1.0 - (approx - error) / norm + 1e-12, 0.0, 2.0)
        zero = norm == 0.0
        low[zero] = 1.0
        high[zero] = 1.0
    low = np.nan_to_num(low, nan=-np.inf)
    high = np.nan_to_num(high, nan=np.inf)
    threshold = np.partition(high, k - 1)[k - 1] if k <= len(high) else np.inf
    kept: list[int] = chosen[low <= threshold].tolist()
    return kept
