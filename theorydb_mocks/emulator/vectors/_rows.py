"""The rows of one vector index partition: packed float32 vectors plus an 8-bit copy for fast scans.

Rows live in slots. ``vectors`` packs every slot's float32 values end to end (``array('f')``: 4 bytes a
dimension, and numpy reads it in place); ``codes`` keeps each row quantized to one byte a dimension
(``round(x / scale) + 128``, one scale per row), with the bound of the quantization error, which is what
lets the pure-Python scan (``_approx``) pick candidates without ever missing a true neighbour. A removed
row leaves a hole that the next insert reuses, so a write costs O(dimensions) and never moves other rows.

>>> rows = VectorRows(2)
>>> rows.insert([3.0, -4.0])
0
>>> rows.vector(0), rows.norm2[0]
([3.0, -4.0], 25.0)
>>> rows.remove(0); rows.live_count
0
"""

from __future__ import annotations

import math
from array import array
from operator import mul

__all__ = ["VectorRows"]

_CODE_ZERO = 128
_CODE_RANGE = 127


class VectorRows:
    """Slots of vectors of one dimension count. Not thread-safe: the emulator's lock guards it.

    Per slot: ``vectors`` (D float32), ``codes`` (D bytes), ``scale`` and ``error`` (the quantization step
    and a bound of |x - scale * (code - 128)|), ``l1`` (sum of |x|), ``norm2`` (exact sum of x*x, rounded
    once), ``offset`` (scale * sum(code - 128)), ``inverse_norm`` (1 / |x|, 0 for a zero vector) and
    ``live`` (1, or 0 for a hole). ``version`` counts changes;
    ``changed`` holds the slots written since ``mark_clean()`` (the scan's cache refreshes them).
    """

    __slots__ = (
        "changed",
        "codes",
        "dims",
        "error",
        "free",
        "inverse_norm",
        "l1",
        "live",
        "live_count",
        "norm2",
        "offset",
        "scale",
        "scan_cache",
        "vectors",
        "version",
    )

    def __init__(self, dims: int) -> None:
        self.dims = dims
        self.vectors = array("f")
        self.codes = bytearray()
        self.scale = array("d")
        self.error = array("d")
        self.l1 = array("d")
        self.norm2 = array("d")
        self.offset = array("d")
        self.inverse_norm = array("d")
        self.live = bytearray()
        self.free: list[int] = []
        self.live_count = 0
        self.version = 0
        self.changed: set[int] = set()
        self.scan_cache: object | None = None  # owned by ``_approx``: the packed columns of ``codes``

    def __repr__(self) -> str:
        return f"<VectorRows dims={self.dims} rows={self.live_count} slots={len(self.live)}>"

    @property
    def slot_count(self) -> int:
        return len(self.live)

    def vector(self, slot: int) -> list[float]:
        """The float32 values of one slot, as Python floats."""
        dims = self.dims
        return self.vectors[slot * dims : (slot + 1) * dims].tolist()

    def insert(self, values: list[float]) -> int:
        """Store a vector (float32 values already); returns its slot. Runtime: O(dimensions)."""
        dims = self.dims
        biggest = max(map(abs, values)) if values else 0.0
        if biggest > 0.0:
            inverse = _CODE_RANGE / biggest
            # int() truncates: v * inverse + 128.5 is positive, so this rounds to the nearest code.
            codes = bytes([int(v * inverse + 128.5) for v in values])
            step = biggest / _CODE_RANGE
            # |v - step * round(v / step)| <= step / 2; the margin covers the float rounding of the steps.
            error = step * 0.5000001 + biggest * 1e-15
        else:
            codes = bytes([_CODE_ZERO]) * dims
            step = error = 0.0
        l1 = math.fsum(map(abs, values))
        norm2 = math.fsum(map(mul, values, values))
        offset = step * (sum(codes) - _CODE_ZERO * dims)
        inverse_norm = 1.0 / math.sqrt(norm2) if norm2 > 0.0 else 0.0
        if self.free:
            slot = self.free.pop()
            self.vectors[slot * dims : (slot + 1) * dims] = array("f", values)
            self.codes[slot * dims : (slot + 1) * dims] = codes
            self.scale[slot] = step
            self.error[slot] = error
            self.l1[slot] = l1
            self.norm2[slot] = norm2
            self.offset[slot] = offset
            self.inverse_norm[slot] = inverse_norm
            self.live[slot] = 1
        else:
            slot = len(self.live)
            self.vectors.extend(values)
            self.codes += codes
            self.scale.append(step)
            self.error.append(error)
            self.l1.append(l1)
            self.norm2.append(norm2)
            self.offset.append(offset)
            self.inverse_norm.append(inverse_norm)
            self.live.append(1)
        self.live_count += 1
        self.version += 1
        self.changed.add(slot)
        return slot

    def remove(self, slot: int) -> None:
        """Free a slot (its data stays until reused; ``live`` says it is a hole). Runtime: O(1)."""
        self.live[slot] = 0
        self.free.append(slot)
        self.live_count -= 1
        self.version += 1
        self.changed.add(slot)

    def mark_clean(self) -> None:
        self.changed = set()

    def live_slots(self) -> list[int]:
        live = self.live
        return [slot for slot in range(len(live)) if live[slot]]
