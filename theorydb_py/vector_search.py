"""Vector search from models: ``Table.search_vectors`` builds the SearchVectors request and reads the answer.

A model declares a vector index next to its GSIs (``vector_index(...)`` in ``indexes=``) on a ``Vector``
field. ``table.search_vectors(vector, top_k=5, where={"lang": "en"})`` sends one SearchVectors request and
returns ``VectorMatch`` objects: the model instance (only the attributes the index projects) and its score,
most similar first. ``where`` is a mapping of field to value, or a condition built with ``eq``/``and_``;
the service accepts equality on the index's partition and filter attributes only, joined with AND.

Request shape (for strict-fake expectations): the vector as ``SearchVector`` (a list of ``{"N": ...}``),
``TopK``, the condition with ``#s_<attr>`` names and ``:s1, :s2, ...`` values in build order, and a
projection with ``#p_<attr>`` names.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SearchVectors.html
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from theorydb_py._types import Request
from theorydb_py.codec import Vector, encode_vector
from theorydb_py.errors import ValidationError
from theorydb_py.expressions import Condition, Expression, and_, eq, projection, render
from theorydb_py.mapper import ItemMapper
from theorydb_py.model import VectorIndexDefinition

__all__ = ["VectorMatch", "search_request", "search_vectors"]

T = TypeVar("T")
MAX_TOP_K = 100


@dataclasses.dataclass(frozen=True, slots=True)
class VectorMatch(Generic[T]):
    """One search result: ``item`` (the model instance, projected attributes only) and its ``score``.

    Unpacks as ``item, score``.
    """

    item: T
    score: float

    def __iter__(self) -> Any:
        return iter((self.item, self.score))


def _index(mapper: ItemMapper[Any], name: str | None) -> VectorIndexDefinition:
    model = mapper.model
    if name is not None:
        return model.vector_index(name)
    if len(model.vector_indexes) != 1:
        known = ", ".join(i.name for i in model.vector_indexes) or "none"
        raise ValidationError(f"{model.model.__name__}: name the vector index with index= (indexes: {known})")
    return model.vector_indexes[0]


def _condition(where: Mapping[str, Any] | Condition) -> Condition:
    if isinstance(where, Condition):
        return where
    if not isinstance(where, Mapping) or not where:
        raise ValidationError(f"where= takes a mapping of field to value or a condition, not {where!r}")
    return (
        and_(*(eq(field, value) for field, value in where.items()))
        if len(where) > 1
        else eq(*next(iter(where.items())))
    )


def search_request(
    mapper: ItemMapper[Any],
    vector: Sequence[float],
    *,
    top_k: int,
    where: Mapping[str, Any] | Condition | None = None,
    index: str | None = None,
    fields: Iterable[str] | None = None,
) -> Request:
    """The SearchVectors request for ``vector`` on the model's vector index (see the module docstring)."""
    chosen = _index(mapper, index)
    if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= MAX_TOP_K:
        raise ValidationError(f"top_k must be an int from 1 to {MAX_TOP_K}, not {top_k!r}")
    encoded = encode_vector(vector, "search_vectors vector")
    if encoded is None or len(encoded["L"]) != chosen.dimensions:
        count = 0 if encoded is None else len(encoded["L"])
        raise ValidationError(
            f"search_vectors: the vector has {count} dimensions; index {chosen.name!r} has "
            f"{chosen.dimensions}"
        )
    if where is None and chosen.partition is not None:
        field = mapper.model.by_attribute(chosen.partition).python_name
        raise ValidationError(
            f"index {chosen.name!r} is partitioned by {field}: give where={{{field!r}: ...}}"
        )
    request: Request = {
        "TableName": mapper.table_name,
        "IndexName": chosen.name,
        "SearchVector": encoded["L"],
        "TopK": top_k,
    }
    expr = Expression()
    if where is not None:
        request["SearchConditionExpression"] = render(
            mapper.model, _condition(where), expr, prefix="s", usage="a vector search condition"
        )
    if fields is not None:
        request["ProjectionExpression"] = projection(mapper.model, fields, expr)
    if expr.names:
        request["ExpressionAttributeNames"] = expr.names
    if expr.values:
        request["ExpressionAttributeValues"] = expr.values
    return request


def search_vectors(
    mapper: ItemMapper[T],
    vector: Sequence[float] | Vector,
    *,
    top_k: int,
    where: Mapping[str, Any] | Condition | None = None,
    index: str | None = None,
    fields: Iterable[str] | None = None,
) -> list[VectorMatch[T]]:
    """Run the search and decode each result into the model (see ``Table.search_vectors``)."""
    request = search_request(mapper, vector, top_k=top_k, where=where, index=index, fields=fields)
    answer = mapper.call("search_vectors", request)
    cache = mapper.new_cache()
    return [
        VectorMatch(mapper.from_item(result.get("Item", {}), cache), float(result["Score"]))
        for result in answer.get("SearchResults", [])
    ]
