"""Property: for any data and query, SearchVectors equals a brute-force search with exact arithmetic.

For every distance function and both backends (numpy and pure Python, the approximate stage forced on even
for tiny indexes), with and without HASH and INLINE_FILTER conditions and projections, after writes,
overwrites and deletes: the same items, in the same order, with bit-identical scores.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.vectors.conftest import reference_order, reference_score, vector, vector_table
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.vectors import to_float32

DIMS = 4
# Small integers make exact ties common; wide floats test the bounds (and float32 rounding).
_element = st.one_of(
    st.integers(-3, 3).map(float),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, width=32),
    st.builds(lambda m, s: m * s, st.floats(1e-30, 1e-6), st.sampled_from([1.0, -1.0])),
)
_vectors = st.lists(_element, min_size=DIMS, max_size=DIMS)
_writes = st.lists(
    st.tuples(
        st.integers(0, 40),  # key
        st.one_of(st.none(), _vectors),  # None deletes
        st.sampled_from(["x", "y"]),  # cat (HASH)
        st.sampled_from(["red", "blue", None]),  # tag (INLINE_FILTER), None: absent
    ),
    min_size=1,
    max_size=40,
)


@pytest.mark.parametrize("distance", ["COSINE", "EUCLIDEAN", "DOT_PRODUCT"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    writes=_writes,
    query=_vectors,
    top_k=st.integers(1, 12),
    partitioned=st.booleans(),
    tag=st.sampled_from([None, "red", "blue"]),
    projected=st.booleans(),
)
def test_search_equals_brute_force(
    backend: str,
    distance: str,
    writes: list[tuple[int, list[float] | None, str, str | None]],
    query: list[float],
    top_k: int,
    partitioned: bool,
    tag: str | None,
    projected: bool,
) -> None:
    emu = DynamoDBEmulator()
    client = emu.client()
    client.create_table(**vector_table(distance=distance, dims=DIMS, hash_key=partitioned, filters=("tag",)))
    table: dict[str, dict[str, Any]] = {}
    half = len(writes) // 2
    for key, values, cat, colour in writes[:half]:
        _write(client, table, key, values, cat, colour)
    _compare(client, table, distance, query, top_k, partitioned, tag, projected)  # builds the scan cache
    for key, values, cat, colour in writes[half:]:
        _write(client, table, key, values, cat, colour)
    _compare(client, table, distance, query, top_k, partitioned, tag, projected)  # rows changed since
    emu.get_table("docs").store._check()


def _write(
    client: Any,
    table: dict[str, dict[str, Any]],
    key: int,
    values: list[float] | None,
    cat: str,
    colour: str | None,
) -> None:
    pk = f"k{key:02d}"
    if values is None:
        client.delete_item(TableName="docs", Key={"pk": {"S": pk}})
        table.pop(pk, None)
        return
    item: dict[str, Any] = {"pk": {"S": pk}, "v": vector(*(repr(v) for v in values)), "cat": {"S": cat}}
    if colour is not None:
        item["tag"] = {"S": colour}
    client.put_item(TableName="docs", Item=item)
    table[pk] = item


def _compare(
    client: Any,
    table: dict[str, dict[str, Any]],
    distance: str,
    query: list[float],
    top_k: int,
    partitioned: bool,
    tag: str | None,
    projected: bool,
) -> None:
    conditions, values_map = [], {}
    if partitioned:
        conditions.append("cat = :c")
        values_map[":c"] = {"S": "x"}
    if tag is not None:
        conditions.append("tag = :t")
        values_map[":t"] = {"S": tag}
    request: dict[str, Any] = {
        "TableName": "docs",
        "IndexName": "emb",
        "SearchVector": vector(*(repr(v) for v in query))["L"],
        "TopK": top_k,
    }
    if conditions:
        request["SearchConditionExpression"] = " AND ".join(conditions)
        request["ExpressionAttributeValues"] = values_map
    if projected:
        request["ProjectionExpression"] = "pk, tag"
    answer = client.search_vectors(**request)["SearchResults"]

    q = to_float32(query)
    scored = []
    for pk, item in table.items():
        if partitioned and item["cat"]["S"] != "x":
            continue
        if tag is not None and item.get("tag", {}).get("S") != tag:
            continue
        x = to_float32(float(n["N"]) for n in item["v"]["L"])
        scored.append((reference_score(distance, x, q), pk))
    expected = reference_order(distance, scored)[:top_k]
    assert [(r["Score"], r["Item"]["pk"]["S"]) for r in answer] == expected
    for result in answer:
        item = client.get_item(TableName="docs", Key={"pk": result["Item"]["pk"]})["Item"]
        wanted = {n: item[n] for n in ("pk", "tag") if n in item} if projected else item
        assert result["Item"] == wanted
