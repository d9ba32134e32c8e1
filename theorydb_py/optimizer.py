"""Advisory plans for queries and scans: which index, which attributes, and what to improve.

``QueryOptimizer.explain(shape)`` reads the *shape* of a request (does it have a sort condition, a filter,
a projection; is it a scan; is the read consistent on a GSI) and returns a ``QueryPlan`` with hints. It
never changes or sends anything; use it in code review tooling, logs or tests ("this endpoint must not
scan"). The plan's ``id`` is deterministic, so equal shapes have equal ids.

>>> plan = QueryOptimizer().explain(ScanShape(model_name="Order", table_name="orders"))
>>> plan.operation, plan.parallel_segments
('Scan', 4)
>>> for hint in plan.optimization_hints:
...     print(hint)
WARNING: Scan reads the full table/index; prefer Query when possible
TIP: Use projection to select only needed attributes and reduce transfer
TIP: Use parallel scan with 4 segments for large scans
>>> plan.id
'scan|Order|orders|idx=|it=|proj=|filter=0|cr=0|psc=0|ts=0'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from theorydb_py.errors import ValidationError
from theorydb_py.model import ModelDefinition

__all__ = ["QueryOptimizer", "QueryPlan", "QueryShape", "ScanShape", "describe_query", "describe_scan"]

_MAX_SEGMENTS: Final = 16
CONSISTENT_GSI: Final = "ERROR: Consistent reads are not supported on GSIs"
NO_PARTITION: Final = "ERROR: partition key is not set (query will fail)"
ADD_SORT: Final = "TIP: Add a sort key condition for more efficient queries when possible"
QUERY_FILTER: Final = "INFO: Filters are applied after retrieval; prefer key conditions when possible"
PROJECT: Final = "TIP: Use projection to select only needed attributes and reduce transfer"
SCAN: Final = "WARNING: Scan reads the full table/index; prefer Query when possible"
SCAN_FILTER: Final = "INFO: Filters are applied after retrieval; consider narrowing with keys or indexes"
PARALLEL: Final = "TIP: Use parallel scan with {n} segments for large scans"


@dataclass(frozen=True, slots=True)
class QueryShape:
    """What a query asks for, without its values (``Table.describe_query`` builds one)."""

    kind: str = "query"
    model_name: str = ""
    table_name: str = ""
    index_name: str | None = None
    index_type: str | None = None
    has_partition_key: bool = True
    has_sort_key: bool = False
    has_sort_condition: bool = False
    has_filter: bool = False
    projections: tuple[str, ...] = ()
    consistent_read: bool = False
    scan_forward: bool = True


@dataclass(frozen=True, slots=True)
class ScanShape:
    """What a scan asks for, without its values (``Table.describe_scan`` builds one)."""

    kind: str = "scan"
    model_name: str = ""
    table_name: str = ""
    index_name: str | None = None
    index_type: str | None = None
    has_filter: bool = False
    projections: tuple[str, ...] = ()
    consistent_read: bool = False
    parallel_scan_configured: bool = False
    total_segments: int = 0


@dataclass(frozen=True, slots=True)
class QueryPlan:
    """The advice for one shape: ``operation`` is ``"Query"`` or ``"Scan"``; hints start with ERROR,
    WARNING, INFO or TIP."""

    id: str
    operation: str
    index_name: str | None
    projections: tuple[str, ...]
    parallel_segments: int
    optimization_hints: tuple[str, ...]


def _flag(value: bool) -> str:
    return "1" if value else "0"


class QueryOptimizer:
    """Explains query and scan shapes; ``max_parallelism`` caps the suggested scan segments (at most 16)."""

    def __init__(self, *, enable_parallel: bool = True, max_parallelism: int = 4) -> None:
        if isinstance(max_parallelism, bool) or not isinstance(max_parallelism, int) or max_parallelism < 1:
            raise ValueError("max_parallelism must be a positive int")
        self.enable_parallel = enable_parallel
        self.max_parallelism = max_parallelism

    def __repr__(self) -> str:
        return f"<QueryOptimizer parallel={self.enable_parallel} max_parallelism={self.max_parallelism}>"

    def explain(self, shape: QueryShape | ScanShape) -> QueryPlan:
        """The plan for a shape (``TypeError`` for anything else)."""
        if isinstance(shape, QueryShape):
            return self._query(shape)
        if isinstance(shape, ScanShape):
            return self._scan(shape)
        raise TypeError(f"explain() takes a QueryShape or ScanShape, not {type(shape).__name__}")

    @staticmethod
    def _common_id(shape: QueryShape | ScanShape, projections: tuple[str, ...]) -> list[str]:
        return [
            shape.kind,
            shape.model_name,
            shape.table_name,
            f"idx={shape.index_name or ''}",
            f"it={shape.index_type or ''}",
            f"proj={','.join(projections)}",
            f"filter={_flag(shape.has_filter)}",
            f"cr={_flag(shape.consistent_read)}",
        ]

    @staticmethod
    def _consistent_gsi(shape: QueryShape | ScanShape) -> bool:
        return shape.consistent_read and (shape.index_type or "").upper() == "GSI"

    def _query(self, shape: QueryShape) -> QueryPlan:
        projections = tuple(sorted(shape.projections))
        hints: list[str] = []
        if self._consistent_gsi(shape):
            hints.append(CONSISTENT_GSI)
        if not shape.has_partition_key:
            hints.append(NO_PARTITION)
        if shape.has_sort_key and not shape.has_sort_condition:
            hints.append(ADD_SORT)
        if shape.has_filter:
            hints.append(QUERY_FILTER)
        if not projections:
            hints.append(PROJECT)
        parts = [
            *self._common_id(shape, projections),
            f"pk={_flag(shape.has_partition_key)}",
            f"sk={_flag(shape.has_sort_key)}",
            f"skc={_flag(shape.has_sort_condition)}",
            f"sf={_flag(shape.scan_forward)}",
        ]
        return QueryPlan("|".join(parts), "Query", shape.index_name, projections, 0, tuple(hints))

    def _scan(self, shape: ScanShape) -> QueryPlan:
        projections = tuple(sorted(shape.projections))
        hints: list[str] = []
        if self._consistent_gsi(shape):
            hints.append(CONSISTENT_GSI)
        hints.append(SCAN)
        if shape.has_filter:
            hints.append(SCAN_FILTER)
        if not projections:
            hints.append(PROJECT)
        segments = shape.total_segments if shape.parallel_scan_configured else 0
        suggested = min(self.max_parallelism, _MAX_SEGMENTS)
        if self.enable_parallel and not shape.parallel_scan_configured and suggested > 1:
            hints.append(PARALLEL.format(n=suggested))
            segments = suggested
        parts = [
            *self._common_id(shape, projections),
            f"psc={_flag(shape.parallel_scan_configured)}",
            f"ts={shape.total_segments}",
        ]
        return QueryPlan("|".join(parts), "Scan", shape.index_name, projections, segments, tuple(hints))


def _index(model: ModelDefinition[Any], index_name: str | None) -> Any:
    """The named index, or None for the table or an unknown name (a shape describes, it does not check)."""
    if index_name is None:
        return None
    try:
        return model.index(index_name)
    except ValidationError:
        return None


def describe_query(
    model: ModelDefinition[Any],
    table_name: str,
    partition: Any = None,
    *,
    sort: Any = None,
    index_name: str | None = None,
    scan_forward: bool = True,
    consistent_read: bool = False,
    projection: Iterable[str] | None = None,
    filter: Any = None,
) -> QueryShape:
    """The shape of a query with these arguments (what ``Table.describe_query`` returns); nothing is
    validated or sent."""
    index = _index(model, index_name)
    sort_key = model.sk if index_name is None else (None if index is None else index.sort)
    return QueryShape(
        model_name=model.model.__name__,
        table_name=table_name,
        index_name=index_name,
        index_type=None if index is None else str(index.type),
        has_partition_key=partition is not None,
        has_sort_key=sort_key is not None,
        has_sort_condition=sort is not None,
        has_filter=filter is not None,
        projections=tuple(projection or ()),
        consistent_read=bool(consistent_read),
        scan_forward=bool(scan_forward),
    )


def describe_scan(
    model: ModelDefinition[Any],
    table_name: str,
    *,
    index_name: str | None = None,
    consistent_read: bool = False,
    projection: Iterable[str] | None = None,
    filter: Any = None,
    segment: int | None = None,
    total_segments: int | None = None,
) -> ScanShape:
    """The shape of a scan with these arguments (what ``Table.describe_scan`` returns); giving a segment or
    a segment count means a parallel scan is configured."""
    index = _index(model, index_name)
    return ScanShape(
        model_name=model.model.__name__,
        table_name=table_name,
        index_name=index_name,
        index_type=None if index is None else str(index.type),
        has_filter=filter is not None,
        projections=tuple(projection or ()),
        consistent_read=bool(consistent_read),
        parallel_scan_configured=total_segments is not None or segment is not None,
        total_segments=total_segments or 0,
    )
