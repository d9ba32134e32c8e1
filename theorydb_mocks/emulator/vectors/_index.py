"""One vector index of a table: which items it holds, their projections, and exact k-NN search.

An item is in the index when its vector attribute is a list of exactly ``Dimensions`` numbers that are
finite as float32, and (if the search schema has a HASH attribute) that attribute is present with its
declared type; other items are simply not indexed, as a sparse GSI. Items are grouped by the value of the
HASH attribute (the vector index partition key): a search names one partition and scans only it. INLINE
FILTER attributes are kept in an inverted index (value -> rows), so equality filters narrow the rows
before any scoring. ``TableStore`` calls ``add``, ``update`` and ``discard`` on every change to an item,
so every write path (single items, batches, transactions, TTL, restores) keeps the index current.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/VectorSearch.html

>>> from theorydb_mocks.emulator._types import KeySchema, VectorIndexSpec
>>> index = VectorIndex(VectorIndexSpec("emb", "v", 2, "EUCLIDEAN"), KeySchema("pk", "S"))
>>> index.add({"pk": {"S": "a"}, "v": {"L": [{"N": "0"}, {"N": "3"}]}}, ("a", None))
>>> index.add({"pk": {"S": "b"}, "v": {"L": [{"N": "1"}]}}, ("b", None))  # wrong length: not indexed
>>> index.count
1
>>> [(score, item["pk"], size) for score, item, size in index.search(Query([4.0, 0.0]), 5, [])]
[(5.0, {'S': 'a'}, 12)]
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from typing import Any

from theorydb_mocks.emulator._types import AttributeValue, Item, KeySchema, VectorIndexSpec
from theorydb_mocks.emulator.values import item_size, key_sort_value
from theorydb_mocks.emulator.vectors._approx import candidates
from theorydb_mocks.emulator.vectors._math import Query, better_first, score, to_float32
from theorydb_mocks.emulator.vectors._rows import VectorRows

__all__ = ["VectorIndex", "vector_values"]

Position = tuple[Any, Any]  # the table key's sort values (partition, sort-or-None)


def vector_values(av: Any, dims: int) -> list[float] | None:
    """The float32 values of a vector attribute, or None when it is not a list of ``dims`` finite numbers."""
    if not isinstance(av, dict):
        return None
    members = av.get("L")
    if not isinstance(members, list) or len(members) != dims:
        return None
    try:
        values = to_float32([float(member["N"]) for member in members])
    except (KeyError, TypeError, ValueError):
        return None
    if not all(map(math.isfinite, values)):
        return None
    return values


def _filter_key(av: AttributeValue, kind: str) -> Any:
    """A hashable value to match equality on (numbers compare by value: 1 equals 1.0)."""
    return key_sort_value(av) if kind in av else None


class _Partition:
    """The rows of one vector index partition key value, with their table keys, projections and filters."""

    __slots__ = ("filters", "items", "positions", "rows", "sizes")

    def __init__(self, dims: int, filters: Sequence[str]) -> None:
        self.rows = VectorRows(dims)
        self.positions: list[Position | None] = []
        self.items: list[Item | None] = []
        self.sizes: list[int] = []
        self.filters: dict[str, dict[Any, set[int]]] = {name: {} for name in filters}


class VectorIndex:
    """A vector index's entries, by partition. Not thread-safe: the emulator's lock guards it.

    Runtime: a write O(dimensions); a search O(rows of one partition x dimensions) in C or big-integer
    arithmetic, plus O(rows) bytecode (see ``_approx``), then O(candidates x dimensions) exact scores.
    """

    def __init__(self, spec: VectorIndexSpec, table_key: KeySchema) -> None:
        self.spec = spec
        hash_key = spec.hash_key
        self._hash = hash_key
        self._filters = spec.inline_filters
        if spec.projection_type == "ALL":
            self.include: frozenset[str] | None = None
        else:
            extra = spec.non_key_attributes if spec.projection_type == "INCLUDE" else ()
            schema = (name for name, _role, _kind in spec.search_schema)
            self.include = frozenset((*table_key.names, spec.attribute, *schema, *extra))
        self.partitions: dict[Any, _Partition] = {}
        self.located: dict[Position, tuple[Any, int]] = {}
        self.count = 0
        self.size = 0

    def __repr__(self) -> str:
        return f"<VectorIndex {self.spec.name} items={self.count} partitions={len(self.partitions)}>"

    @property
    def projected(self) -> frozenset[str] | None:
        """The attribute names a search can return (None: every attribute, an ALL projection)."""
        return self.include

    def project(self, item: Item) -> Item:
        include = self.include
        if include is None:
            return item
        return {name: value for name, value in item.items() if name in include}

    def _partition_key(self, item: Item) -> tuple[bool, Any]:
        hash_key = self._hash
        if hash_key is None:
            return True, None
        av = item.get(hash_key[0])
        if av is None or hash_key[1] not in av:
            return False, None
        return True, key_sort_value(av)

    def _entry_size(self, projected: Item) -> int:
        """Bytes the entry takes: its projected attributes, the vector counted at 4 bytes a dimension
        (float32, as the service stores it) and never walked number by number."""
        attribute = self.spec.attribute
        others = item_size({name: av for name, av in projected.items() if name != attribute})
        return others + len(attribute.encode("utf-8")) + 4 * self.spec.dimensions

    # -- maintenance ------------------------------------------------------------------------------------

    def add(self, item: Item, pos: Position) -> None:
        """Index ``item`` (stored at table position ``pos``) if it qualifies. Runtime: O(dimensions)."""
        spec = self.spec
        values = vector_values(item.get(spec.attribute), spec.dimensions)
        if values is None:
            return
        indexed, part_key = self._partition_key(item)
        if not indexed:
            return
        part = self.partitions.get(part_key)
        if part is None:
            part = self.partitions[part_key] = _Partition(spec.dimensions, [n for n, _ in self._filters])
        slot = part.rows.insert(values)
        projected = self.project(item)
        size = self._entry_size(projected)
        if slot == len(part.positions):
            part.positions.append(pos)
            part.items.append(projected)
            part.sizes.append(size)
        else:
            part.positions[slot] = pos
            part.items[slot] = projected
            part.sizes[slot] = size
        for name, kind in self._filters:
            av = item.get(name)
            if av is not None and kind in av:
                part.filters[name].setdefault(_filter_key(av, kind), set()).add(slot)
        self.located[pos] = (part_key, slot)
        self.count += 1
        self.size += size

    def discard(self, item: Item, pos: Position) -> None:
        """Drop the entry of the item at ``pos``, if it has one. Runtime: O(1)."""
        where = self.located.pop(pos, None)
        if where is None:
            return
        part_key, slot = where
        part = self.partitions[part_key]
        part.rows.remove(slot)
        part.positions[slot] = None
        part.items[slot] = None
        self.size -= part.sizes[slot]
        self.count -= 1
        for name, kind in self._filters:
            av = item.get(name)
            if av is not None and kind in av:
                value = _filter_key(av, kind)
                members = part.filters[name][value]
                members.discard(slot)
                if not members:
                    del part.filters[name][value]
        if not part.rows.live_count:
            del self.partitions[part_key]

    def update(self, old: Item, item: Item, pos: Position) -> None:
        """Replace ``old``'s entry by ``item``'s (same table key). Runtime: O(dimensions)."""
        self.discard(old, pos)
        self.add(item, pos)

    # -- search -----------------------------------------------------------------------------------------

    def search(
        self, query: Query, k: int, equal: Sequence[tuple[str, AttributeValue]]
    ) -> list[tuple[float, Item, int]]:
        """The ``k`` items most similar to ``query`` among those whose attributes equal ``equal`` (pairs
        of attribute name and value; must include the HASH attribute if the index has one), most similar
        first, with their exact scores and entry sizes. Ties go to the smaller table key."""
        spec = self.spec
        part_key = None
        hash_key = self._hash
        wanted: dict[str, Any] = {}
        for name, av in equal:
            kind = next(iter(av))
            value = _filter_key(av, kind)
            if wanted.setdefault(name, value) != value:
                return []  # the same attribute equal to two different values: nothing matches
        if hash_key is not None:
            part_key = wanted.pop(hash_key[0])
        part = self.partitions.get(part_key)
        if part is None:
            return []
        slots: set[int] | None = None
        for name, value in wanted.items():
            members = part.filters[name].get(value)
            if not members:
                return []
            slots = set(members) if slots is None else slots & members
        chosen = None if slots is None else sorted(slots)
        if chosen is not None and not chosen:
            return []
        distance = spec.distance
        rows = part.rows
        kept, known = candidates(rows, query, distance, k, chosen)
        scored = []
        for slot in kept:
            key = (
                known[slot]
                if slot in known
                else better_first(distance, score(distance, rows.vector(slot), query, rows.norm2[slot]))
            )
            scored.append((key, part.positions[slot], slot))
        best = heapq.nsmallest(k, scored)
        found: list[tuple[float, Item, int]] = []
        for key, _pos, slot in best:
            item = part.items[slot]
            assert item is not None
            found.append((better_first(distance, key), item, part.sizes[slot]))
        return found

    # -- invariants -------------------------------------------------------------------------------------

    def _check(self, expected: dict[Position, Item]) -> None:
        """Assert the index holds exactly ``expected`` (table position -> stored item, qualifying ones)."""
        assert set(self.located) == set(expected), self.spec.name
        count = size = 0
        for pos, (part_key, slot) in self.located.items():
            part = self.partitions[part_key]
            item = expected[pos]
            assert part.positions[slot] == pos
            assert part.rows.live[slot] == 1
            assert part.items[slot] == self.project(item)
            assert part.rows.vector(slot) == vector_values(item[self.spec.attribute], self.spec.dimensions)
            count += 1
            size += part.sizes[slot]
        assert count == self.count and size == self.size
        for part in self.partitions.values():
            assert part.rows.live_count == sum(1 for p in part.positions if p is not None)
