#!/usr/bin/env python3
"""Vector search in the emulator: index maintenance and exact k-NN SearchVectors, pure Python and numpy.

    python benchmarks/bench_vectors.py                                  # 10k and 100k vectors of 768 dims
    python benchmarks/bench_vectors.py --sizes 10000 --dims 384 --backend python
    python benchmarks/bench_vectors.py --core --sizes 100000      # the search stage alone, no items

For each size the table is loaded through ``TableStore.put`` (the storage call every write path makes, so
the timing is the index maintenance itself: parsing the vector, packing float32, quantizing), then:

- ``PutItem`` through ``emu.client()``: a full write of one 768-number vector (validation included);
- ``SearchVectors`` (TopK 10, COSINE) through ``emu.dispatch``, per backend: the first search after the
  load (the pure-Python backend packs its columns then), steady searches, and a search after 100 writes;
- with an INLINE_FILTER condition matching a tenth of the rows.

Items reuse 256 shared number values (k / 64), so 100k vectors fit in memory; every search is exact.
A warm-up and then 5 timed runs per case (fewer for the one-off cases); medians in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import time
from array import array
from typing import Any

from _harness import Timing, machine, measure

from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.vectors import Query, score, set_backend, to_float32
from theorydb_mocks.emulator.vectors._approx import candidates
from theorydb_mocks.emulator.vectors._rows import VectorRows

_SHARED = [{"N": repr(v / 64.0)} for v in range(-128, 128)]


def _item(rnd: random.Random, n: int, dims: int) -> dict[str, Any]:
    members = [_SHARED[b] for b in rnd.randbytes(dims)]
    return {"pk": {"S": f"doc#{n:08d}"}, "tag": {"S": f"t{n % 10}"}, "v": {"L": members}}


def _table(emu: DynamoDBEmulator, dims: int) -> None:
    emu.dispatch(
        "CreateTable",
        {
            "TableName": "docs",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "tag", "AttributeType": "S"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
            "VectorIndexes": [
                {
                    "IndexName": "emb",
                    "VectorAttribute": {"AttributeName": "v"},
                    "Dimensions": dims,
                    "DistanceFunction": "COSINE",
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "SearchSchema": [{"AttributeName": "tag", "SearchSchemaElementType": "INLINE_FILTER"}],
                }
            ],
        },
    )


def _search(emu: DynamoDBEmulator, rnd: random.Random, dims: int, filtered: bool = False) -> int:
    request: dict[str, Any] = {
        "TableName": "docs",
        "IndexName": "emb",
        "SearchVector": [_SHARED[b] for b in rnd.randbytes(dims)],
        "TopK": 10,
    }
    if filtered:
        request["SearchConditionExpression"] = "tag = :t"
        request["ExpressionAttributeValues"] = {":t": {"S": "t3"}}
    assert len(emu.dispatch("SearchVectors", request)["SearchResults"]) == 10
    return 1


def _once(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(size: int, dims: int, backends: list[str]) -> None:
    rnd = random.Random(size)
    emu = DynamoDBEmulator(capacity_ledger=False)
    _table(emu, dims)
    store = emu.get_table("docs").store
    items = [_item(rnd, n, dims) for n in range(size)]
    start = time.perf_counter()
    for item in items:
        store.put(item)
    load = (time.perf_counter() - start) / size
    del items
    client = emu.client()
    counter = iter(range(size, 10**9))

    def put() -> int:
        client.put_item(TableName="docs", Item=_item(rnd, next(counter) % size, dims))
        return 1

    put_timing = measure(put, runs=5)
    print(f"\n## {size:,} vectors of {dims} dimensions ({machine()})\n")
    print(f"- index maintenance (TableStore.put, during the load): {load * 1e6:,.0f} us per item")
    print(f"- PutItem of one vector through emu.client(): {put_timing.median * 1e6:,.0f} us")
    print()
    print(
        "| backend | first search (ms) | search (ms, median of 5) | after 100 writes (ms) | filtered (ms) |"
    )
    print("|---|---|---|---|---|")
    for backend in backends:
        set_backend(backend)  # type: ignore[arg-type]
        store.vector_index("emb").partitions[None].rows.scan_cache = None  # as after a fresh load
        first = _once(lambda: _search(emu, rnd, dims))
        steady: Timing = measure(lambda: _search(emu, rnd, dims), runs=5)
        for _ in range(100):
            put()
        after = _once(lambda: _search(emu, rnd, dims))
        filtered: Timing = measure(lambda: _search(emu, rnd, dims, filtered=True), runs=5)
        print(
            f"| {backend} | {first * 1e3:,.1f} | {steady.median * 1e3:,.1f} | {after * 1e3:,.1f} "
            f"| {filtered.median * 1e3:,.1f} |"
        )
    set_backend("auto")


def run_core(size: int, dims: int, backends: list[str]) -> None:
    """The search stage alone (rows filled directly): what an exact k-NN costs at this size and width."""
    rnd = random.Random(size)
    rows = VectorRows(dims)
    start = time.perf_counter()
    for _ in range(size):
        rows.insert(to_float32(b / 64.0 for b in array("b", rnd.randbytes(dims))))
    load = (time.perf_counter() - start) / size
    print(f"\n## Search stage, {size:,} vectors of {dims} dimensions ({machine()})\n")
    print(f"- VectorRows.insert (pack float32, quantize): {load * 1e6:,.0f} us per vector")
    print()
    print("| backend | first search (ms) | search (ms, median of 5) |")
    print("|---|---|---|")
    for backend in backends:
        set_backend(backend)  # type: ignore[arg-type]
        rows.scan_cache = None

        def search() -> int:
            query = Query(to_float32(b / 64.0 for b in array("b", rnd.randbytes(dims))))
            kept, known = candidates(rows, query, "COSINE", 10, None)
            scored = sorted(
                known[s] if s in known else score("COSINE", rows.vector(s), query, rows.norm2[s])
                for s in kept
            )
            assert len(scored) >= 10
            return 1

        first = _once(search)
        steady: Timing = measure(search, runs=5)
        print(f"| {backend} | {first * 1e3:,.1f} | {steady.median * 1e3:,.1f} |")
    set_backend("auto")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--dims", type=int, default=768)
    parser.add_argument("--backend", action="append", choices=["python", "numpy"])
    parser.add_argument("--core", action="store_true", help="time the search stage alone (no items)")
    args = parser.parse_args()
    for size in args.sizes:
        (run_core if args.core else run)(size, args.dims, args.backend or ["python", "numpy"])


if __name__ == "__main__":
    main()
