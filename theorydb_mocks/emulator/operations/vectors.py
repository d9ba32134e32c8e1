"""SearchVectors: exact k-nearest-neighbour search on a table's vector index.

The service answers with an approximate search; the emulator's is exact (``vectors``), so it is the
reference an application's retrieval results can be compared with. Behaviour follows the API reference
and the developer guide (DynamoDB Local has no vector search, so nothing here is measured):

- ``TopK`` from 1 to 100 (``Provided TopK value is out of valid range``);
- ``SearchVector``: Numbers, each a 32-bit float (larger magnitudes are refused), as many as the index's
  ``Dimensions``;
- ``SearchConditionExpression``: equality (``=``) on top-level SearchSchema attributes, joined with AND;
  the HASH attribute is required when the index has one (``SearchConditionExpression must be provided
  when SearchSchema has a HASH key``); any other comparator is ``Invalid comparator used in
  SearchConditionExpression``;
- ``ProjectionExpression``: only attributes projected into the index (the emulator refuses others rather
  than leaving them out);
- results most similar first, ties by the table's key order; ``ConsumedCapacity`` as
  ``{"VectorSearchRequestBytes": n}`` when asked (the emulator's estimate: the search vector and TopK
  vectors at 4 bytes a dimension, plus the returned entries' sizes in the index, vectors at 4 bytes a
  dimension; the service's formula is not public).

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SearchVectors.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.errors import validation_error
from theorydb_mocks.emulator.expressions._ast import And, Between, Compare, In, Literal, Path
from theorydb_mocks.emulator.operations._exprs import compile_request
from theorydb_mocks.emulator.operations._keys import clone_item
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.values import validate_attribute_value
from theorydb_mocks.emulator.vectors import F32_MAX, Query, to_float32

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import AttributeValue, Request, Response, VectorIndexSpec

__all__ = ["search_vectors"]

MAX_TOP_K = 100
_EXPRESSIONS = ("SearchConditionExpression", "ProjectionExpression")


def _search_vector(raw: list[Any]) -> list[float]:
    """The search vector's numbers as float32 values; DynamoDB-style errors for anything else."""
    numbers: list[float] = []
    for position, member in enumerate(raw):
        av = validate_attribute_value(member)
        kind = next(iter(av))
        if kind != "N":
            raise validation_error(M.SEARCH_ELEMENT_TYPE.format(position=position, actual=kind))
        value = float(av["N"])
        if abs(value) > F32_MAX and abs(to_float32([value])[0]) == float("inf"):
            raise validation_error(M.SEARCH_ELEMENT_RANGE.format(position=position, value=av["N"]))
        numbers.append(value)
    return to_float32(numbers)


def _equalities(node: Any, found: list[tuple[str, AttributeValue]]) -> None:
    """Collect ``attribute = value`` pairs from a SearchConditionExpression (equality and AND only)."""
    match node:
        case And(left, right):
            _equalities(left, found)
            _equalities(right, found)
        case Compare("=", Path() as path, Literal(value)) | Compare("=", Literal(value), Path() as path):
            if len(path.parts) != 1:
                raise validation_error(M.SEARCH_NESTED_PATH.format(path=path))
            found.append((str(path.parts[0]), value))
        case Compare() | Between() | In():
            raise validation_error(M.SEARCH_INVALID_COMPARATOR)
        case _:
            raise validation_error(M.SEARCH_INVALID_OPERATOR.format(found=node))


def _conditions(compiled: Any, spec: VectorIndexSpec) -> list[tuple[str, AttributeValue]]:
    """The checked equality pairs of the request's SearchConditionExpression."""
    tree = None if compiled is None or compiled.search_condition is None else compiled.search_condition.tree
    pairs: list[tuple[str, AttributeValue]] = []
    if tree is not None:
        _equalities(tree, pairs)
    types = {name: kind for name, _role, kind in spec.search_schema}
    for name, value in pairs:
        if name not in types:
            raise validation_error(M.SEARCH_NOT_IN_SCHEMA.format(name=name, index=spec.name))
        if types[name] not in value:
            raise validation_error(M.SEARCH_TYPE_MISMATCH)
    hash_key = spec.hash_key
    if hash_key is not None and all(name != hash_key[0] for name, _ in pairs):
        raise validation_error(M.SEARCH_HASH_REQUIRED)
    return pairs


@operation("SearchVectors", read_only=True)
def search_vectors(emu: EmulatorState, request: Request) -> Response:
    """The ``TopK`` items most similar to ``SearchVector``, with their scores, most similar first.

    Runtime: O(rows of the searched partition x dimensions), in C (numpy) or big-integer arithmetic.
    """
    top_k = request["TopK"]
    if not 1 <= top_k <= MAX_TOP_K:
        raise validation_error(M.SEARCH_TOP_K_RANGE)
    values = _search_vector(request["SearchVector"])
    compiled = compile_request(request, _EXPRESSIONS)
    table = emu.get_table(request["TableName"])
    index_name = request["IndexName"]
    state = table.vector_indexes.get(index_name)
    if state is None:
        raise validation_error(M.SEARCH_NO_INDEX.format(index=index_name))
    if state.status != "ACTIVE":
        raise validation_error(M.SEARCH_BACKFILLING.format(index=index_name))
    spec = state.spec
    if len(values) != spec.dimensions:
        raise validation_error(
            M.SEARCH_DIMENSIONS.format(count=len(values), index=index_name, dims=spec.dimensions)
        )
    pairs = _conditions(compiled, spec)
    index = table.store.vector_index(index_name)
    projection = None if compiled is None else compiled.projection
    if projection is not None and index.projected is not None:
        for name in projection.top_level_names:
            if name not in index.projected:
                raise validation_error(M.SEARCH_NOT_PROJECTED.format(name=name, index=index_name))
    found = index.search(Query(values), top_k, pairs)
    results = []
    for score, item, _size in found:
        shown = projection.apply(item) if projection is not None else clone_item(item)
        results.append({"Item": shown, "Score": score})
    response: Response = {"SearchResults": results}
    if request.get("ReturnConsumedCapacity") in ("TOTAL", "INDEXES"):
        consumed = 4 * spec.dimensions * (1 + top_k) + sum(size for _score, _item, size in found)
        response["ConsumedCapacity"] = {"VectorSearchRequestBytes": float(consumed)}
    return response
