"""Hypothesis strategies for DynamoDB data: attribute values, items, keys and expression fragments.

Everything generated is valid by DynamoDB's rules unless the strategy's name says otherwise: numbers have
at most 38 significant digits and a magnitude between 1E-130 and 9.99...E+125, sets are non-empty with
distinct members (numbers distinct by value, not by spelling), key values are non-empty and within the key
size limits, and items stay under 400 KB (``near_limit=True`` pads them to just under it). Used by the
conformance corpus; usable in any property test of code that talks to DynamoDB.

>>> from hypothesis import given
>>> @given(attribute_values())
... def test_round_trip(av): ...
"""

from __future__ import annotations

from theorydb_mocks.emulator._types import ScalarType
from theorydb_mocks.emulator.values import item_size
from theorydb_mocks.strategies import _hypothesis  # noqa: F401  (before the modules importing Hypothesis)
from theorydb_mocks.strategies._expressions import (
    Expression,
    ExpressionKind,
    condition_expressions,
    expressions_for_table,
    invalid_expressions,
    update_expressions,
)
from theorydb_mocks.strategies._models import model_instances
from theorydb_mocks.strategies._values import (
    MAX_ITEM_BYTES,
    MAX_PARTITION_KEY_BYTES,
    MAX_SORT_KEY_BYTES,
    attribute_names,
    attribute_values,
    binaries,
    items,
    key_values,
    keys,
    number_strings,
    numbers,
    scalar_values,
    strings,
)

__all__ = [
    "MAX_ITEM_BYTES",
    "MAX_PARTITION_KEY_BYTES",
    "MAX_SORT_KEY_BYTES",
    "Expression",
    "ExpressionKind",
    "ScalarType",
    "attribute_names",
    "attribute_values",
    "binaries",
    "condition_expressions",
    "expressions_for_table",
    "invalid_expressions",
    "item_size",
    "items",
    "key_values",
    "keys",
    "model_instances",
    "number_strings",
    "numbers",
    "scalar_values",
    "strings",
    "update_expressions",
]
