"""Vector index definitions in CreateTable (``VectorIndexes``) and UpdateTable (``VectorIndexUpdates``).

Rules from the service's documentation (DynamoDB Local has no vector search, so none is measured): vector
indexes need an on-demand (PAY_PER_REQUEST) table; every SearchSchema attribute is declared in
AttributeDefinitions; at most one HASH element; indexes on the same vector attribute share one Dimensions;
an index name is unique within the table (GSIs and LSIs included); one index created or deleted per
UpdateTable. Search vectors hold at most 4096 numbers (the model's ``SearchVectorList``), so Dimensions is
at most 4096. Documented messages are used word for word where the documentation gives them
(``One element in SearchSchema is not defined in attribute definitions``); the others are the emulator's,
in DynamoDB's style.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/VectorSearchWorkingWith.html

>>> spec = vector_index_spec({"IndexName": "emb", "VectorAttribute": {"AttributeName": "v"},
...     "Projection": {"ProjectionType": "KEYS_ONLY"}, "Dimensions": 3, "DistanceFunction": "COSINE",
...     "SearchSchema": [{"AttributeName": "cat", "SearchSchemaElementType": "HASH"}]}, {"cat": "S"},
...     ("KEYS_ONLY", ()))
>>> spec.hash_key
('cat', 'S')
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator._types import KeySchema, VectorIndexSpec
from theorydb_mocks.emulator.errors import validation_error

__all__ = ["MAX_DIMENSIONS", "check_vector_indexes", "projected_count", "vector_index_spec"]

MAX_DIMENSIONS = 4096


def vector_index_spec(
    raw: dict[str, Any], types: dict[str, str], projection: tuple[Any, tuple[str, ...]]
) -> VectorIndexSpec:
    """A ``VectorIndexSpec`` from a ``CreateVectorIndexAction`` (or ``VectorIndex``), its own rules checked.

    ``types``: the table's attribute definitions; ``projection``: the ``Projection`` parsed as for a GSI.
    """
    name = raw["IndexName"]
    attribute = raw["VectorAttribute"]["AttributeName"]
    dims = raw["Dimensions"]
    if not 1 <= dims <= MAX_DIMENSIONS:
        raise validation_error(M.VECTOR_DIMENSIONS_RANGE.format(limit=MAX_DIMENSIONS, dims=dims))
    schema: list[tuple[str, Any, Any]] = []
    for element in raw.get("SearchSchema") or ():
        element_name = element["AttributeName"]
        role = element["SearchSchemaElementType"]
        if element_name not in types:
            raise validation_error(M.VECTOR_UNDEFINED_SEARCH_ATTRIBUTE)
        if element_name == attribute:
            raise validation_error(M.VECTOR_IN_SCHEMA.format(name=attribute))
        if any(element_name == seen for seen, _r, _k in schema):
            raise validation_error(M.VECTOR_DUPLICATE_SEARCH_ATTRIBUTE.format(name=element_name))
        if role == "HASH" and any(r == "HASH" for _n, r, _k in schema):
            raise validation_error(M.VECTOR_TWO_HASH)
        schema.append((element_name, role, types[element_name]))
    schema.sort(key=lambda element: element[1] != "HASH")  # HASH first, the filters in declared order
    kind, attributes = projection
    return VectorIndexSpec(name, attribute, dims, raw["DistanceFunction"], tuple(schema), kind, attributes)


def check_vector_indexes(
    specs: Iterable[VectorIndexSpec], *, billing: str, key: KeySchema, other_index_keys: Iterable[str]
) -> None:
    """The rules between a table's vector indexes and the rest of the table."""
    specs = list(specs)
    if not specs:
        return
    if billing != "PAY_PER_REQUEST":
        raise validation_error(M.VECTOR_ON_DEMAND_ONLY)
    keys = {*key.names, *other_index_keys}
    dims: dict[str, int] = {}
    for spec in specs:
        if spec.attribute in keys:
            raise validation_error(M.VECTOR_IS_KEY.format(name=spec.attribute))
        if dims.setdefault(spec.attribute, spec.dimensions) != spec.dimensions:
            raise validation_error(M.VECTOR_DIMENSIONS_DIFFER.format(name=spec.attribute))


def projected_count(spec: VectorIndexSpec) -> int:
    """What a vector index adds to the table's count of projected non-key attributes: the vector attribute
    and each INLINE_FILTER count 1 (documented), plus its NonKeyAttributes."""
    return 1 + len(spec.inline_filters) + len(spec.non_key_attributes)
