"""Imported first by ``theorydb_mocks.strategies``: without Hypothesis, say which extra brings it.

>>> import theorydb_mocks.strategies._hypothesis
"""

from __future__ import annotations

try:
    import hypothesis
except ImportError as err:
    raise ModuleNotFoundError(
        "theorydb_mocks.strategies needs Hypothesis, which is not installed: "
        "pip install 'tabletheory[test]' (pytest and hypothesis)",
        name="hypothesis",
    ) from err

__all__ = ["hypothesis"]
