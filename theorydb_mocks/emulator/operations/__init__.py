"""Operation handlers, one module per area; importing this package registers every handler.

Each module registers its handlers with ``@operation("Name")`` from ``_registry`` when imported.
"""

from __future__ import annotations

from theorydb_mocks.emulator.operations import tables

__all__ = ["tables"]
from theorydb_mocks.emulator.operations import batch, items, query  # noqa: F401  (data plane, engineer D)
