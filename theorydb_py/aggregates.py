"""In-memory aggregation over query or scan results: sums, averages, extremes, distinct counts, GROUP BY.

DynamoDB has no aggregation; these run over items you already fetched (``table.query_all(...)``), read
fields of dataclasses or keys of mappings, and never call DynamoDB.

A missing field or ``None`` is "no value". Unlike TableTheory (which copied Go's zero-value rule), ``0``,
``""`` and ``False`` are values: the minimum of ``[0, 5]`` is ``0`` and items grouped by a ``False`` flag
form a group. Sums and averages use numbers only (``bool`` and non-finite floats are skipped).

>>> orders = [{"status": "paid", "amount": 10}, {"status": "paid", "amount": 0},
...           {"status": "open", "amount": 7}]
>>> sum_field(orders, "amount"), min_field(orders, "amount"), count_distinct(orders, "status")
(17, 0, 2)
>>> [(g.key, g.count, g.aggregates["total"].sum)
...  for g in group_by(orders, "status").sum("amount", "total").execute()]
[('paid', 2, 10), ('open', 1, 7)]
"""

from __future__ import annotations

import dataclasses
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

__all__ = [
    "AggregateResult",
    "GroupByQuery",
    "GroupedResult",
    "aggregate_field",
    "average_field",
    "count_distinct",
    "group_by",
    "max_field",
    "min_field",
    "sum_field",
]

Number = int | float | Decimal
_MISSING: Final = object()
_HAVING: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


@dataclass(slots=True)
class AggregateResult:
    """The aggregates of one field (or one named aggregate of a group): what was computed, None if not."""

    count: int = 0
    sum: Number | None = None
    average: float | None = None
    min: Any = None
    max: Any = None


@dataclass(slots=True)
class GroupedResult:
    """One group of ``group_by``: its key, its items, and the named aggregates asked for."""

    key: Any
    count: int
    items: list[Any] = dataclasses.field(default_factory=list)
    aggregates: dict[str, AggregateResult] = dataclasses.field(default_factory=dict)


def _value(item: Any, name: str) -> Any:
    found = item.get(name, _MISSING) if isinstance(item, Mapping) else getattr(item, name, _MISSING)
    return None if found is _MISSING else found


def _number(value: Any) -> Number | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, float | Decimal) and not math.isfinite(value):
        return None
    return value


def _numbers(items: Iterable[Any], name: str) -> list[Number]:
    return [n for n in (_number(_value(item, name)) for item in items) if n is not None]


def _add(values: list[Number]) -> Number:
    if any(isinstance(v, float) for v in values) and any(isinstance(v, Decimal) for v in values):
        return math.fsum(float(v) for v in values)
    total: Number = 0
    for v in values:
        total = total + v  # type: ignore[operator]  # int/float/Decimal: kinds checked above
    return total


def _before(a: Any, b: Any) -> bool:
    """Numbers compare as numbers, anything else as text (so mixed kinds never raise)."""
    if _number(a) is not None and _number(b) is not None:
        return bool(a < b)
    return str(a) < str(b)


def sum_field(items: Iterable[Any], field: str) -> Number:
    """The sum of the field's numeric values (0 if there are none)."""
    return _add(_numbers(items, field))


def average_field(items: Iterable[Any], field: str) -> float:
    """The mean of the field's numeric values; ``ValueError`` if there are none."""
    values = _numbers(items, field)
    if not values:
        raise ValueError(f"no valid values found for field {field}")
    return float(_add(values)) / len(values)


def _extreme(items: Iterable[Any], name: str, smallest: bool) -> Any:
    listed = list(items)
    if not listed:
        raise ValueError("no items found")
    best: Any = _MISSING
    for item in listed:
        value = _value(item, name)
        if value is None:
            continue
        if best is _MISSING or (_before(value, best) if smallest else _before(best, value)):
            best = value
    if best is _MISSING:
        raise ValueError(f"no valid values found for field {name}")
    return best


def min_field(items: Iterable[Any], field: str) -> Any:
    """The smallest value of the field; ``ValueError`` for no items or no values."""
    return _extreme(items, field, smallest=True)


def max_field(items: Iterable[Any], field: str) -> Any:
    """The largest value of the field; ``ValueError`` for no items or no values."""
    return _extreme(items, field, smallest=False)


def count_distinct(items: Iterable[Any], field: str) -> int:
    """How many different values the field takes (compared as text; no value is not counted)."""
    return len({str(v) for v in (_value(item, field) for item in items) if v is not None})


def aggregate_field(items: Iterable[Any], field: str) -> AggregateResult:
    """Count (of items with a value), sum, average, minimum and maximum of one field at once."""
    listed = list(items)
    present = [v for v in (_value(item, field) for item in listed) if v is not None]
    numbers = _numbers(listed, field)
    result = AggregateResult(count=len(present))
    if numbers:
        result.sum = _add(numbers)
        result.average = float(result.sum) / len(numbers)
    if present:
        result.min = _extreme(listed, field, smallest=True)
        result.max = _extreme(listed, field, smallest=False)
    return result


@dataclass(frozen=True, slots=True)
class _Aggregate:
    function: str  # COUNT, SUM, AVG, MIN, MAX
    field: str | None
    alias: str


class GroupByQuery:
    """``group_by(items, field)``: add named aggregates and ``having`` filters, then ``execute()``."""

    def __init__(self, items: Iterable[Any], field: str) -> None:
        self._items = list(items)
        self._field = field
        self._aggregates: list[_Aggregate] = []
        self._having: list[tuple[str, Callable[[Any, Any], bool], Any]] = []

    def __repr__(self) -> str:
        return f"<GroupByQuery by={self._field!r} aggregates={[a.alias for a in self._aggregates]}>"

    def _add(self, function: str, name: str | None, alias: str) -> GroupByQuery:
        self._aggregates.append(_Aggregate(function, name, alias))
        return self

    def count(self, alias: str = "COUNT(*)") -> GroupByQuery:
        """Count the items of each group."""
        return self._add("COUNT", None, alias)

    def sum(self, field: str, alias: str) -> GroupByQuery:
        """Sum a field per group."""
        return self._add("SUM", field, alias)

    def avg(self, field: str, alias: str) -> GroupByQuery:
        """Average a field per group."""
        return self._add("AVG", field, alias)

    def min(self, field: str, alias: str) -> GroupByQuery:
        """Smallest value of a field per group."""
        return self._add("MIN", field, alias)

    def max(self, field: str, alias: str) -> GroupByQuery:
        """Largest value of a field per group."""
        return self._add("MAX", field, alias)

    def having(self, aggregate: str, op: str, value: Any) -> GroupByQuery:
        """Keep groups whose aggregate (an alias, or ``"COUNT(*)"``) compares to ``value`` with one of
        ``= != > >= < <=``; any other operator is a ``ValueError``."""
        compare = _HAVING.get(op)
        if compare is None:
            raise ValueError(f"unsupported having operator: {op}")
        self._having.append((aggregate, compare, value))
        return self

    def execute(self) -> list[GroupedResult]:
        """The groups in first-seen order of their key (items whose key field has no value are left out)."""
        groups: dict[str, GroupedResult] = {}
        for item in self._items:
            key = _value(item, self._field)
            if key is None:
                continue
            group = groups.setdefault(str(key), GroupedResult(key=key, count=0))
            group.items.append(item)
            group.count += 1
        out: list[GroupedResult] = []
        for group in groups.values():
            values: dict[str, Any] = {"COUNT(*)": group.count}
            for agg in self._aggregates:
                result, values[agg.alias] = self._compute(agg, group)
                group.aggregates[agg.alias] = result
            if all(self._keeps(values, name, compare, want) for name, compare, want in self._having):
                out.append(group)
        return out

    @staticmethod
    def _keeps(values: Mapping[str, Any], name: str, compare: Callable[[Any, Any], bool], want: Any) -> bool:
        if name not in values:
            raise ValueError(f"having refers to an unknown aggregate: {name}")
        have = values[name]
        return have is not None and bool(compare(have, want))

    @staticmethod
    def _compute(agg: _Aggregate, group: GroupedResult) -> tuple[AggregateResult, Any]:
        if agg.function == "COUNT":
            return AggregateResult(count=group.count), group.count
        name = agg.field or ""
        numbers = _numbers(group.items, name)
        if agg.function == "SUM":
            total = _add(numbers)
            return AggregateResult(count=len(numbers), sum=total), total
        if agg.function == "AVG":
            average = float(_add(numbers)) / len(numbers) if numbers else None
            return AggregateResult(count=len(numbers), average=average), average
        try:
            extreme = _extreme(group.items, name, smallest=agg.function == "MIN")
        except ValueError:
            extreme = None
        if agg.function == "MIN":
            return AggregateResult(count=group.count, min=extreme), extreme
        return AggregateResult(count=group.count, max=extreme), extreme


def group_by(items: Iterable[Any], field: str) -> GroupByQuery:
    """Group items by a field's value (compared as text, first-seen order)."""
    return GroupByQuery(items, field)
