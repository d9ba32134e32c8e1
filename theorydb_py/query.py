"""TableTheory's query vocabulary, at TableTheory's import path: ``from theorydb_py.query import ...``.

``FilterCondition`` and ``FilterGroup`` are conditions like those of ``theorydb_py.expressions`` (they can
be mixed with ``eq()``, ``and_()``...); ``Cursor``, ``encode_cursor`` and ``decode_cursor`` are the
cross-language pagination cursor (FORMATS.md section 1).

>>> f = FilterGroup.or_(FilterCondition.eq("note", "a"), FilterCondition.exists("done"))
>>> f.op, len(f.filters)
('OR', 2)
>>> decode_cursor(encode_cursor({"PK": {"S": "A"}}, sort="ASC"))
Cursor(last_key={'PK': {'S': 'A'}}, index=None, sort='ASC')
"""

from __future__ import annotations

from typing import Literal

from theorydb_py.cursor import Cursor, CursorError, SortDirection, decode_cursor, encode_cursor
from theorydb_py.expressions import Condition, FilterCondition, FilterGroup

__all__ = [
    "Cursor",
    "CursorError",
    "FilterCondition",
    "FilterExpression",
    "FilterGroup",
    "LogicalOp",
    "SortDirection",
    "decode_cursor",
    "encode_cursor",
]

LogicalOp = Literal["AND", "OR"]
# What ``filter=`` takes: TableTheory's FilterCondition/FilterGroup, or any typed Condition.
FilterExpression = FilterCondition | FilterGroup | Condition
