"""The items of one table and of its secondary indexes, kept sorted so reads cost O(log n + page).

A table is a set of partitions. Each partition key maps to its items, kept in a ``Partition`` by sort key
(or to the one item, for a table without a sort key; or to the pair ``(sort key, item)`` while it holds
one). Partitions themselves are kept in a ``SortedList``
ordered by a stable 64-bit digest of the partition key: a scan walks partitions in that order (DynamoDB
scans in hash order too), resumes after ``ExclusiveStartKey`` with a bisect, and a parallel scan's segment
is one contiguous range of digests. Every secondary index is the same structure, keyed by the index key,
each entry holding the item's projection; entries are ordered by ``(index sort key, table key)`` so items
with equal index keys keep a deterministic order. Sparse indexes simply hold no entry for items that lack an
index key attribute. Vector indexes (``vectors``) are kept here too, so every write path updates them.
Items are kept in their compact form (``records``: one tuple per item, which remembers its size); every
read builds a fresh dict, which the caller owns. A write replaces the stored record.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.Partitions.html

>>> from theorydb_mocks.emulator._types import IndexSpec, KeySchema
>>> store = TableStore(KeySchema("pk", "S", "sk", "N"),
...                    [IndexSpec("by-owner", "GSI", KeySchema("owner", "S"), "KEYS_ONLY")])
>>> _ = store.put({"pk": {"S": "a"}, "sk": {"N": "2"}, "owner": {"S": "o"}})
>>> _ = store.put({"pk": {"S": "a"}, "sk": {"N": "1"}})
>>> [i["sk"]["N"] for i in store.query({"S": "a"}, ">=", [{"N": "1"}])]
['1', '2']
>>> list(store.query({"S": "o"}, None, [], index="by-owner"))
[{'pk': {'S': 'a'}, 'sk': {'N': '2'}, 'owner': {'S': 'o'}}]
>>> store.item_count, store.index_item_count("by-owner")
(2, 1)
"""

from __future__ import annotations

import hashlib
import itertools
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from sortedcontainers import SortedList

from theorydb_mocks.emulator._types import AttributeValue, IndexSpec, Item, Key, KeySchema, VectorIndexSpec
from theorydb_mocks.emulator.records import Record, decode, encode, rewrite
from theorydb_mocks.emulator.values import item_size, key_sort_value
from theorydb_mocks.emulator.vectors import VectorIndex, vector_values

__all__ = [
    "SEGMENT_SPACE",
    "SMALL_PARTITION",
    "ChangeObserver",
    "Partition",
    "TableStore",
    "index_partition_value",
    "partition_digest",
    "sort_bounds",
]

# Digests are 64-bit; segment ``s`` of ``t`` owns digests in [s * SPACE // t, (s + 1) * SPACE // t).
SEGMENT_SPACE = 1 << 64


class _Top:
    """Compares greater than any key component: ``(v, TOP)`` sorts after every ``(v, ...)`` entry."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        return False

    def __le__(self, other: object) -> bool:
        return other is self

    def __gt__(self, other: object) -> bool:
        return other is not self

    def __ge__(self, other: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "<TOP>"


TOP = _Top()


def partition_digest(value: Any) -> int:
    """A stable 64-bit digest of a partition key's sort value: the order in which scans visit partitions.

    >>> partition_digest(Decimal("1.0")) == partition_digest(Decimal("1"))
    True

    A multi-attribute partition key's value is the tuple of its attributes' sort values.
    """
    if isinstance(value, tuple):
        parts = [partition_digest(part).to_bytes(8, "big") for part in value]
        return int.from_bytes(hashlib.blake2b(b"T" + b"".join(parts), digest_size=8).digest(), "big")
    if isinstance(value, str):
        data = b"S" + value.encode("utf-8", "surrogatepass")
    elif isinstance(value, Decimal):
        data = b"N" + str(value.normalize()).encode()
    else:
        data = b"B" + bytes(value)
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")


def _prefix_successor(prefix: Any) -> Any:
    """The smallest string (or bytes) greater than every value that starts with ``prefix``; None if none."""
    if isinstance(prefix, str):
        chars = list(prefix)
        while chars:
            last = ord(chars.pop())
            if last < 0x10FFFF:
                return "".join(chars) + chr(last + 1)
        return None
    data = bytearray(prefix)
    while data:
        last = data.pop()
        if last < 0xFF:
            return bytes(data) + bytes([last + 1])
    return None


Bounds = tuple[Any, Any, bool, bool]  # minimum, maximum, include minimum, include maximum
ChangeObserver = Callable[[Item | None, Item | None], None]


def sort_bounds(op: str | None, values: list[Any], *, tupled: bool, prefix: tuple[Any, ...] = ()) -> Bounds:
    """Translate a key condition on the sort key into ``irange`` bounds.

    ``values`` are sort values (``key_sort_value``). With ``tupled`` the entries are keyed by tuples that
    start with the sort value (index entries), so the bounds become tuples that bracket every entry.
    ``prefix`` (index entries of a multi-attribute sort key): the values the leading sort attributes equal;
    the condition then applies to the next attribute, within the entries that start with the prefix.
    """
    if prefix:
        return _prefixed_bounds(prefix, op, values)
    if op is None:
        return None, None, True, True
    first = values[0]
    if op == "begins_with":
        upper = _prefix_successor(first)
        if tupled:
            return (first,), (None if upper is None else (upper,)), True, False
        return first, upper, True, False
    if op == "BETWEEN":
        low, high = first, values[1]
        return ((low,), (high, TOP), True, True) if tupled else (low, high, True, True)
    if tupled:
        table: dict[str, Bounds] = {
            "=": ((first,), (first, TOP), True, True),
            "<": (None, (first,), True, False),
            "<=": (None, (first, TOP), True, True),
            ">": ((first, TOP), None, False, True),
            ">=": ((first,), None, True, True),
        }
    else:
        table = {
            "=": (first, first, True, True),
            "<": (None, first, True, False),
            "<=": (None, first, True, True),
            ">": (first, None, False, True),
            ">=": (first, None, True, True),
        }
    return table[op]


def _prefixed_bounds(prefix: tuple[Any, ...], op: str | None, values: list[Any]) -> Bounds:
    """``sort_bounds`` for entries ``(*prefix, value, ...)``: the open ends stop at the prefix's edges."""
    start, end = prefix, (*prefix, TOP)  # every entry that starts with the prefix lies between these
    if op is None:
        return start, end, True, True
    first = values[0]
    if op == "begins_with":
        upper = _prefix_successor(first)
        return (*prefix, first), (end if upper is None else (*prefix, upper)), True, upper is None
    if op == "BETWEEN":
        return (*prefix, first), (*prefix, values[1], TOP), True, True
    table: dict[str, Bounds] = {
        "=": ((*prefix, first), (*prefix, first, TOP), True, True),
        "<": (start, (*prefix, first), True, False),
        "<=": (start, (*prefix, first, TOP), True, True),
        ">": ((*prefix, first, TOP), end, False, True),
        ">=": ((*prefix, first), end, True, True),
    }
    return table[op]


SMALL_PARTITION = 256  # entries a partition keeps in a plain sorted list; a larger one uses a SortedList


class Partition(dict[Any, Record]):
    """One partition of a ranged table or index: entry key -> record, with its keys in order (``ordered``).

    Most partitions are small, so the order is a plain sorted list, bisected: about 8 bytes an entry, and
    built from a dict with one ``sorted`` (a ``SortedDict`` cost 2 KB for a one-item partition and 28 us
    to build, measured). Past ``SMALL_PARTITION`` entries it becomes a ``SortedList``, whose inserts stay
    O(log n) however large the partition grows. New entries go through ``add``, never ``part[key] = ...``
    (which may only replace a present entry's record).

    >>> part = Partition({"b": (None, 1), "a": (None, 2)})
    >>> part.add("c", (None, 3)); list(part.irange("a", "b", (False, True), False))
    ['b']
    >>> part.take("a"), list(part.ordered)
    ((None, 2), ['b', 'c'])
    """

    __slots__ = ("ordered",)

    def __init__(self, records: Mapping[Any, Record] | None = None) -> None:
        super().__init__(records or {})
        self.ordered: list[Any] | SortedList = (
            sorted(self) if len(self) <= SMALL_PARTITION else SortedList(self)
        )

    def add(self, entry: Any, record: Record) -> None:
        """Add an entry that is known to be absent."""
        dict.__setitem__(self, entry, record)
        ordered = self.ordered
        if isinstance(ordered, list):
            insort(ordered, entry)
            if len(ordered) > SMALL_PARTITION:
                self.ordered = SortedList(ordered)
        else:
            ordered.add(entry)

    def take(self, entry: Any) -> Record:
        """Remove a present entry; returns its record."""
        record = dict.pop(self, entry)
        ordered = self.ordered
        if isinstance(ordered, list):
            del ordered[bisect_left(ordered, entry)]
        else:
            ordered.remove(entry)
        return record

    def irange(
        self,
        low: Any = None,
        high: Any = None,
        inclusive: tuple[bool, bool] = (True, True),
        reverse: bool = False,
    ) -> Iterator[Any]:
        """The keys between ``low`` and ``high`` (None: unbounded), in order or reversed (``SortedList``'s
        ``irange``). A small partition's keys are copied first: a caller may write while iterating."""
        ordered = self.ordered
        if not isinstance(ordered, list):
            return iter(ordered.irange(low, high, inclusive, reverse))
        start = 0 if low is None else (bisect_left if inclusive[0] else bisect_right)(ordered, low)
        stop = (
            len(ordered) if high is None else (bisect_right if inclusive[1] else bisect_left)(ordered, high)
        )
        keys = ordered[start:stop]
        return reversed(keys) if reverse else iter(keys)

    def in_order(self) -> Iterator[Record]:
        """The records in key order."""
        ordered = self.ordered
        return map(self.__getitem__, ordered[:] if isinstance(ordered, list) else ordered)

    def items_in_order(self) -> Iterator[tuple[Any, Record]]:
        """``(key, record)`` in key order, over a copy of the keys (backfills write while they read)."""
        return ((entry, self[entry]) for entry in list(self.ordered))


def _within(entry: Any, bounds: Bounds) -> bool:
    """Whether ``entry`` lies within ``bounds`` (None: unbounded), as ``Partition.irange`` would find it."""
    low, high, low_incl, high_incl = bounds
    if low is not None and (entry < low or (not low_incl and entry == low)):
        return False
    return high is None or entry < high or (high_incl and entry == high)


class _Partitions:
    """Records grouped by partition, partitions ordered by digest: the structure behind tables and indexes.

    With ``ranged`` a partition starts as the pair ``(entry key, record)`` and becomes a ``Partition`` from
    entry key to record at its second entry (and stays one; measured: a ``Partition`` and its key list cost
    about 300 bytes, a third of an item's memory where each item has a partition of its own); without
    ``ranged`` a partition is the record (``records``: the compact form of an item, which remembers the
    item's size).

    The scan order of partitions (``order``: ``(digest, partition value)`` sorted) is brought up to date
    when it is read, so a write that starts a partition computes no digest and sorts nothing (measured: a
    fifth of a PutItem on a table keyed by partition key alone) and a test that never scans never pays for
    it. The partitions not yet in the order are the last ones ``parts`` holds, in insertion order: ``parts``
    keeps insertion order, an ordered partition was inserted before the order was last brought up to date,
    and a replaced partition keeps its place. So only their number is kept (``_ordered`` counts the
    others), not a set of them (measured: 40 bytes an item where each item has a partition of its own).
    """

    __slots__ = ("_order", "_ordered", "count", "parts", "ranged", "size")

    def __init__(self, ranged: bool) -> None:
        self.ranged = ranged
        self.parts: dict[Any, Any] = {}
        self._order = SortedList()  # (no digest cache: a digest is recomputed when a partition goes)
        self._ordered = 0  # how many of ``parts`` (the first ones) are in ``_order``
        self.count = 0
        self.size = 0

    @property
    def order(self) -> SortedList:
        """Every partition as ``(digest, partition value)``, in scan order."""
        parts = self.parts
        pending = len(parts) - self._ordered
        if pending:
            newest = itertools.islice(reversed(parts), pending)
            self._order.update([(partition_digest(pkv), pkv) for pkv in newest])
            self._ordered = len(parts)
        return self._order

    @order.setter
    def order(self, order: SortedList) -> None:
        """Adopt a scan order built whole (the bulk loader's) of every partition ``parts`` holds."""
        self._order = order
        self._ordered = len(self.parts)

    def get(self, pkv: Any, entry: Any) -> Record | None:
        part = self.parts.get(pkv)
        if part is None or not self.ranged:
            return part
        if type(part) is tuple:  # one entry
            return part[1] if part[0] == entry else None
        found: Record | None = part.get(entry)
        return found

    def insert(self, pkv: Any, entry: Any, record: Record) -> None:
        """Add an entry that is known to be absent (callers remove the old version first)."""
        parts = self.parts
        if self.ranged:
            part = parts.get(pkv)
            if part is None:
                parts[pkv] = (entry, record)  # (joins the order when it is next read)
            elif type(part) is tuple:  # a second entry: the partition becomes a ``Partition``
                grown = parts[pkv] = Partition({part[0]: part[1]})
                grown.add(entry, record)
            else:
                part.add(entry, record)
        else:
            parts[pkv] = record
        self.count += 1
        self.size += record[1]

    def replace(self, pkv: Any, entry: Any, old: Record, record: Record) -> None:
        """Swap the record at a present entry: no re-sorting (measured: the single-item write benchmark)."""
        if self.ranged:
            part = self.parts[pkv]
            if type(part) is tuple:
                self.parts[pkv] = (part[0], record)
            else:
                part[entry] = record
        else:
            self.parts[pkv] = record
        self.size += record[1] - old[1]

    def remove(self, pkv: Any, entry: Any) -> None:
        """Drop an entry that is known to be present."""
        parts = self.parts
        if self.ranged:
            part = parts[pkv]
            if type(part) is tuple:
                record = part[1]
                del parts[pkv]
                self._drop_partition(pkv)
            else:
                record = part.take(entry)
                if not part:
                    del parts[pkv]
                    self._drop_partition(pkv)
        else:
            record = parts.pop(pkv)
            self._drop_partition(pkv)
        self.count -= 1
        self.size -= record[1]

    def _check_order(self) -> None:
        """Assert that the first ``_ordered`` partitions of ``parts`` are exactly those in the order (without
        bringing it up to date)."""
        joined = [pkv for _digest, pkv in self._order]
        assert self._ordered == len(joined) <= len(self.parts), (self._ordered, joined, list(self.parts))
        assert set(itertools.islice(self.parts, self._ordered)) == set(joined), "ordered partitions first"

    def _drop_partition(self, pkv: Any) -> None:
        """Take a partition just deleted from ``parts`` out of the order, if it had joined it."""
        if not self._ordered:  # none had
            return
        entry = (partition_digest(pkv), pkv)
        order = self._order
        # More had joined than are left: every partition had, this one too. Else ask the order.
        if self._ordered > len(self.parts) or entry in order:
            order.remove(entry)
            self._ordered -= 1

    def range(self, pkv: Any, bounds: Bounds, reverse: bool) -> Iterator[Record]:
        """The records of one partition within ``bounds``, lazily, in key order (or reversed)."""
        part = self.parts.get(pkv)
        if part is None:
            return iter(())
        if not self.ranged:
            return iter((part,))
        low, high, low_incl, high_incl = bounds
        if type(part) is tuple:
            return iter((part[1],)) if _within(part[0], bounds) else iter(())
        keys = part.irange(low, high, (low_incl, high_incl), reverse)
        return map(part.__getitem__, keys)  # no Python frame per record (a Partition is a dict)

    def walk(self, after: tuple[Any, Any] | None, digest_low: int, digest_high: int) -> Iterator[Record]:
        """Every record whose partition digest is in [low, high), in scan order, strictly after ``after``.

        ``after`` is ``(partition sort value, entry key)`` of the last item already returned.
        """
        order = self.order
        parts = self.parts
        if after is None:
            position = order.bisect_left((digest_low,))
        else:
            pkv, entry = after
            digest = partition_digest(pkv)
            position = order.bisect_right((digest, pkv))
            part = parts.get(pkv)
            if part is not None and self.ranged and digest_low <= digest < digest_high:
                if type(part) is tuple:
                    if part[0] > entry:
                        yield part[1]
                else:
                    for key in part.irange(entry, None, (False, True)):
                        yield part[key]
            position = max(position, order.bisect_left((digest_low,)))
        ranged = self.ranged
        while position < len(order):
            if self._ordered != len(parts):  # partitions added meanwhile join the order as they would have
                order = self.order
            digest, pkv = order[position]
            if digest >= digest_high:
                return
            part = parts[pkv]
            if not ranged:
                yield part
            elif type(part) is tuple:
                yield part[1]
            else:
                yield from part.in_order()
            position += 1

    def entries(self) -> Iterator[tuple[Any, Any, Record]]:
        """Every ``(partition value, entry key, record)`` in scan order (for checks and backfills)."""
        for _digest, pkv in self.order:
            part = self.parts[pkv]
            if not self.ranged:
                yield pkv, None, part
            elif type(part) is tuple:
                yield pkv, part[0], part[1]
            else:
                for entry, item in part.items_in_order():
                    yield pkv, entry, item


class _Index:
    """One secondary index: which items it holds (sparse), what it projects, and its sorted entries."""

    __slots__ = ("data", "include", "key", "spec")

    def __init__(self, spec: IndexSpec, table_key: KeySchema) -> None:
        self.spec = spec
        self.key = spec.key
        if spec.projection_type == "ALL":
            self.include: frozenset[str] | None = None
        else:
            extra = spec.non_key_attributes if spec.projection_type == "INCLUDE" else ()
            self.include = frozenset((*table_key.names, *spec.key.names, *extra))
        self.data = _Partitions(ranged=True)

    def locate(self, item: Item, table_pos: tuple[Any, Any]) -> tuple[Any, Any] | None:
        """``(index partition value, entry key)`` for ``item``, or None when the item is not indexed."""
        key = self.key
        if key.multi:
            return _locate_multi(key, item, table_pos)
        hash_av = item.get(key.hash_name)
        if hash_av is None or key.hash_type not in hash_av:
            return None
        if key.range_name is None:
            return key_sort_value(hash_av), table_pos
        range_av = item.get(key.range_name)
        if range_av is None or key.range_type not in range_av:
            return None
        return key_sort_value(hash_av), (key_sort_value(range_av), *table_pos)

    def project(self, item: Item) -> Item:
        include = self.include
        if include is None:
            return item
        return {name: value for name, value in item.items() if name in include}

    def _record(self, item: Item, record: Record) -> Record:
        """The index entry of ``item`` (whose table record is ``record``): that record when the index
        projects everything, else the projection's own."""
        projected = self.project(item)
        return record if projected is item else encode(projected, item_size(projected))

    def add(self, item: Item, record: Record, table_pos: tuple[Any, Any]) -> None:
        where = self.locate(item, table_pos)
        if where is not None:
            self.data.insert(where[0], where[1], self._record(item, record))

    def update(self, old: Item, item: Item, record: Record, table_pos: tuple[Any, Any]) -> None:
        """Move the entry of ``old`` to ``item``'s (same table key), in place if the index key is the same."""
        was = self.locate(old, table_pos)
        now = self.locate(item, table_pos)
        if was is not None and was == now:
            data = self.data
            stored = data.get(was[0], was[1])
            assert stored is not None
            data.replace(was[0], was[1], stored, self._record(item, record))
            return
        if was is not None:
            self.data.remove(was[0], was[1])
        if now is not None:
            self.data.insert(now[0], now[1], self._record(item, record))

    def discard(self, item: Item, table_pos: tuple[Any, Any]) -> None:
        where = self.locate(item, table_pos)
        if where is not None:
            self.data.remove(where[0], where[1])


def _locate_multi(key: KeySchema, item: Item, table_pos: tuple[Any, Any]) -> tuple[Any, Any] | None:
    """``_Index.locate`` for a multi-attribute key: the partition value is the tuple of the partition
    attributes' values, the entry key the sort attributes' values then the table key. An item lacking any
    key attribute (or holding another type) is not in the index."""
    values = []
    for name, kind in (*key.hash_parts, *key.range_parts):
        av = item.get(name)
        if av is None or kind not in av:
            return None
        values.append(key_sort_value(av))
    hashes = len(key.hash_parts)
    pkv = values[0] if hashes == 1 else tuple(values[:hashes])
    return pkv, (*values[hashes:], *table_pos)


def index_partition_value(key: KeySchema, values: Iterable[AttributeValue]) -> Any:
    """The stored partition value of an index key from its partition attributes' values, in schema order."""
    found = tuple(key_sort_value(av) for av in values)
    return found[0] if len(found) == 1 else found


class TableStore:
    """The items of one table and its GSIs and LSIs. Not thread-safe: the emulator's lock guards it.

    Runtime: point reads and writes O(log n) per index; query and scan O(log n + page).
    """

    def __init__(
        self,
        key: KeySchema,
        indexes: Iterable[IndexSpec] = (),
        vector_indexes: Iterable[VectorIndexSpec] = (),
    ) -> None:
        self.key = key
        self._hash_name = key.hash_name
        self._range_name = key.range_name
        self._table = _Partitions(ranged=key.range_name is not None)
        self._indexes: dict[str, _Index] = {}
        self._vectors: dict[str, VectorIndex] = {}
        self._observers: list[ChangeObserver] = []
        for spec in indexes:
            self._indexes[spec.name] = _Index(spec, key)
        for vector_spec in vector_indexes:
            self._vectors[vector_spec.name] = VectorIndex(vector_spec, key)

    def __repr__(self) -> str:
        return f"<TableStore {self.key.names} items={self.item_count} indexes={sorted(self._indexes)}>"

    # -- sizes -----------------------------------------------------------------------------------------------

    @property
    def item_count(self) -> int:
        return self._table.count

    @property
    def size_bytes(self) -> int:
        return self._table.size

    def index_item_count(self, name: str) -> int:
        return self._indexes[name].data.count

    def index_size_bytes(self, name: str) -> int:
        return self._indexes[name].data.size

    @property
    def index_names(self) -> tuple[str, ...]:
        return tuple(self._indexes)

    @property
    def has_indexes(self) -> bool:
        return bool(self._indexes)

    def index_spec(self, name: str) -> IndexSpec:
        return self._indexes[name].spec

    # -- index lifecycle -------------------------------------------------------------------------------------

    def add_index(self, spec: IndexSpec) -> None:
        """Create an index and backfill it from the table's items (an UpdateTable adding a GSI)."""
        if spec.name in self._indexes:
            raise KeyError(f"index {spec.name} already exists")
        index = _Index(spec, self.key)
        for pkv, entry, record in self._table.entries():
            index.add(decode(record), record, (pkv, entry))
        self._indexes[spec.name] = index

    def drop_index(self, name: str) -> None:
        del self._indexes[name]

    # -- vector indexes --------------------------------------------------------------------------------------

    @property
    def vector_index_names(self) -> tuple[str, ...]:
        return tuple(self._vectors)

    def vector_index(self, name: str) -> VectorIndex:
        """The vector index named ``name`` (KeyError if none): its counts, size and ``search``."""
        return self._vectors[name]

    def add_vector_index(self, spec: VectorIndexSpec) -> None:
        """Create a vector index and backfill it from the table's items. Runtime: O(items x dimensions)."""
        if spec.name in self._vectors:
            raise KeyError(f"vector index {spec.name} already exists")
        index = VectorIndex(spec, self.key)
        for pkv, entry, record in self._table.entries():
            index.add(decode(record), (pkv, entry))
        self._vectors[spec.name] = index

    def drop_vector_index(self, name: str) -> None:
        del self._vectors[name]

    def index_footprint(self, item: Item) -> dict[str, tuple[str, Any, Item, int]]:
        """For each index holding ``item``: ``(kind, index position, projected item, its size)``.

        Capacity accounting needs it: an index write happens only where the projection changed.
        """
        pos = self.position(item)
        found: dict[str, tuple[str, Any, Item, int]] = {}
        for name, index in self._indexes.items():
            where = index.locate(item, pos)
            if where is not None:
                projected = index.project(item)
                found[name] = (index.spec.kind, where, projected, item_size(projected))
        return found

    # -- point operations ------------------------------------------------------------------------------------

    def position(self, key: Key) -> tuple[Any, Any]:
        """The sort values ``(partition, sort-or-None)`` of a key or item (types already checked)."""
        range_name = self._range_name
        return (
            key_sort_value(key[self._hash_name]),
            None if range_name is None else key_sort_value(key[range_name]),
        )

    def sizes(self, index: str | None = None) -> Mapping[int, int]:
        """Sizes of handed-out entries by ``id(entry)``: empty, since every read builds a fresh item
        (``records``); ``query_records``, ``scan_records``, ``scan_sized`` and ``stored_size`` give sizes
        without measuring."""
        if index is not None:
            self._indexes[index]  # KeyError for an unknown index, as before
        return {}

    def size_of(self, item: Item, index: str | None = None) -> int:
        """The size in bytes of an item or of an index entry as read (measured; see ``stored_size``)."""
        if index is not None:
            self._indexes[index]
        return item_size(item)

    def stored_size(self, key: Key) -> int | None:
        """The size in bytes of the stored item with this key (remembered since its write), or None."""
        pkv, skv = self.position(key)
        record = self._table.get(pkv, skv)
        return None if record is None else int(record[1])

    def get(self, key: Key) -> Item | None:
        """The stored item with this key, as a fresh dict (the caller may keep or change it), or None."""
        pkv, skv = self.position(key)
        record = self._table.get(pkv, skv)
        return None if record is None else decode(record)

    def get_at(self, position: tuple[Any, Any]) -> tuple[Item, int] | None:
        """The stored item at a ``position`` (see :meth:`position`) as a fresh dict, and its size; or None."""
        record = self._table.get(position[0], position[1])
        return None if record is None else (record[0].decode(record), record[1])  # records.decode, inline

    def record_at(self, position: tuple[Any, Any]) -> Record | None:
        """The stored record at a ``position`` (``records``: never change it), or None."""
        return self._table.get(position[0], position[1])

    def put(self, item: Item, size: int | None = None) -> Item | None:
        """Store ``item`` (replacing any item with its key); returns the replaced item. ``size``: its size.

        The store keeps ``item``'s containers (set members, L and M structures): never mutate it after.
        """
        old = self._write(item, item_size(item) if size is None else size)
        return None if old is None else decode(old)

    def write(self, item: Item, size: int) -> int:
        """``put`` without building the replaced item: returns its size (0 when there was none)."""
        old = self._write(item, size)
        return 0 if old is None else int(old[1])

    def write_update(
        self, position: tuple[Any, Any], old: Record, item: Item, touched: frozenset[str], size: int
    ) -> None:
        """``write`` of ``item``, an update of the record ``old`` stored at ``position`` that changed only
        the ``touched`` attributes: kept as ``old`` with those values replaced (``records.rewrite``) when
        each keeps its type and nothing needs the item itself (indexes, observers); else as ``write``."""
        if not (self._indexes or self._vectors or self._observers):
            record = rewrite(old, item, touched, size)
            if record is not None:
                self._table.replace(position[0], position[1], old, record)
                return
        self.write(item, size)

    def write_record(self, pkv: Any, skv: Any, record: Record) -> int:
        """``write`` of an item already encoded at its position (``item_parsers``); returns the replaced
        item's size (0 when there was none). With indexes or observers, the item is decoded for them."""
        if self._indexes or self._vectors or self._observers:
            return self.write(decode(record), record[1])
        table = self._table
        old = table.get(pkv, skv)
        if old is None:
            table.insert(pkv, skv, record)
            return 0
        table.replace(pkv, skv, old, record)
        return int(old[1])

    def _write(self, item: Item, size: int) -> Record | None:
        pos = self.position(item)
        table = self._table
        record = encode(item, size)
        old = table.get(*pos)
        if old is not None:
            table.replace(pos[0], pos[1], old, record)
            if self._indexes or self._vectors or self._observers:
                old_item = decode(old)
                for index in self._indexes.values():
                    index.update(old_item, item, record, pos)
                for vector in self._vectors.values():
                    vector.update(old_item, item, pos)
                if self._observers:
                    self._notify(old_item, item)
            return old
        table.insert(pos[0], pos[1], record)
        for index in self._indexes.values():
            index.add(item, record, pos)
        for vector in self._vectors.values():
            vector.add(item, pos)
        if self._observers:
            self._notify(None, item)
        return None

    def delete(self, key: Key) -> Item | None:
        """Remove the item with this key; returns it, or None if there was none."""
        pos = self.position(key)
        record = self._table.get(*pos)
        if record is None:
            return None
        old = decode(record)
        self._remove(pos, old)
        if self._observers:
            self._notify(old, None)
        return old

    def delete_at(self, position: tuple[Any, Any]) -> int:
        """``delete`` of the item at a ``position`` (see :meth:`position`), building the item only for
        indexes and observers: returns its size (0 when there was none)."""
        record = self._table.get(position[0], position[1])
        if record is None:
            return 0
        if self._indexes or self._vectors or self._observers:
            old = decode(record)
            self._remove(position, old)
            if self._observers:
                self._notify(old, None)
        else:
            self._table.remove(position[0], position[1])
        return int(record[1])

    def observe(self, observer: ChangeObserver) -> None:
        """Call ``observer(old, new)`` after every write that changes an item (a stream, TTL bookkeeping).

        ``old`` is None for a new item, ``new`` None for a deletion (``new`` is the dict given to ``put``,
        whose containers the store keeps: never mutate either).
        """
        self._observers.append(observer)

    def unobserve(self, observer: ChangeObserver) -> None:
        self._observers.remove(observer)

    def _notify(self, old: Item | None, new: Item | None) -> None:
        for observer in tuple(self._observers):
            observer(old, new)

    def _remove(self, pos: tuple[Any, Any], old: Item) -> None:
        self._table.remove(pos[0], pos[1])
        for index in self._indexes.values():
            index.discard(old, pos)
        for vector in self._vectors.values():
            vector.discard(old, pos)

    def clear(self) -> None:
        """Drop every item (indexes stay defined)."""
        self._table = _Partitions(ranged=self._range_name is not None)
        for index in self._indexes.values():
            index.data = _Partitions(ranged=True)
        for name, vector in self._vectors.items():
            self._vectors[name] = VectorIndex(vector.spec, self.key)

    def items(self) -> Iterator[Item]:
        """Every item in scan order (fresh dicts)."""
        return (decode(record) for _pkv, _entry, record in self._table.entries())

    # -- reads -----------------------------------------------------------------------------------------------

    def _index_position(self, index: _Index, key: Key) -> tuple[Any, Any]:
        """The ``(index partition value, entry key)`` of an index ``ExclusiveStartKey`` (types checked)."""
        pos = self.position(key)
        where = index.locate(key, pos)
        if where is None:
            raise KeyError("index key attributes missing")
        return where

    def query(
        self,
        partition: AttributeValue,
        sort_op: str | None,
        sort_values: list[AttributeValue],
        *,
        index: str | None = None,
        forward: bool = True,
        start: Key | None = None,
        more_partition: tuple[AttributeValue, ...] = (),
        sort_prefix: tuple[AttributeValue, ...] = (),
    ) -> Iterator[Item]:
        """Items of one partition matching the sort key condition, lazily, in order; after ``start``.

        For an index with a multi-attribute key: ``more_partition`` holds the values of its other partition
        attributes and ``sort_prefix`` the values its leading sort attributes equal (the condition then
        applies to the next sort attribute). Runtime: O(log n) to begin, O(1) amortized per item.
        """
        return map(
            decode,
            self._query(partition, sort_op, sort_values, index, forward, start, more_partition, sort_prefix),
        )

    def query_records(
        self,
        partition: AttributeValue,
        sort_op: str | None,
        sort_values: list[AttributeValue],
        *,
        index: str | None = None,
        forward: bool = True,
        start: Key | None = None,
        more_partition: tuple[AttributeValue, ...] = (),
        sort_prefix: tuple[AttributeValue, ...] = (),
    ) -> Iterator[Record]:
        """``query``'s stored records (``records``: each remembers its size; an index entry's, its
        projection's), for a reader that decodes only what it keeps."""
        return self._query(
            partition, sort_op, sort_values, index, forward, start, more_partition, sort_prefix
        )

    def _query(
        self,
        partition: AttributeValue,
        sort_op: str | None,
        sort_values: list[AttributeValue],
        index: str | None,
        forward: bool,
        start: Key | None,
        more_partition: tuple[AttributeValue, ...],
        sort_prefix: tuple[AttributeValue, ...],
    ) -> Iterator[Record]:
        pkv: Any = key_sort_value(partition)
        if more_partition:
            pkv = (pkv, *(key_sort_value(v) for v in more_partition))
        values = [key_sort_value(v) for v in sort_values]
        if index is None:
            data = self._table
            low, high, low_incl, high_incl = sort_bounds(sort_op, values, tupled=False)
            after = None if start is None else self.position(start)[1]
        else:
            idx = self._indexes[index]
            data = idx.data
            prefix = tuple(key_sort_value(v) for v in sort_prefix)
            low, high, low_incl, high_incl = sort_bounds(sort_op, values, tupled=True, prefix=prefix)
            after = None if start is None else self._index_position(idx, start)[1]
        if start is not None:
            if not data.ranged:
                return iter(())  # a hash-only table holds one item per partition, already returned
            if forward and (low is None or after >= low):
                low, low_incl = after, False
            elif not forward and (high is None or after <= high):
                high, high_incl = after, False
        return data.range(pkv, (low, high, low_incl, high_incl), not forward)

    def scan(
        self,
        *,
        index: str | None = None,
        start: Key | None = None,
        segment: int = 0,
        total_segments: int = 1,
    ) -> Iterator[Item]:
        """Items in scan order (partition digest, then key), lazily, after ``start``, within one segment.

        Runtime: O(log n) to begin, O(1) amortized per item.
        """
        return map(decode, self._scan(index, start, segment, total_segments))

    def scan_sized(
        self,
        *,
        index: str | None = None,
        start: Key | None = None,
        segment: int = 0,
        total_segments: int = 1,
    ) -> Iterator[tuple[Item, int]]:
        """``scan``'s items with their sizes, as ``(item, size)``."""
        found = self._scan(index, start, segment, total_segments)
        return ((record[0].decode(record), record[1]) for record in found)  # records.decode, inline

    def scan_records(
        self,
        *,
        index: str | None = None,
        start: Key | None = None,
        segment: int = 0,
        total_segments: int = 1,
    ) -> Iterator[Record]:
        """``scan``'s stored records (see ``query_records``)."""
        return self._scan(index, start, segment, total_segments)

    def _scan(
        self, index: str | None, start: Key | None, segment: int, total_segments: int
    ) -> Iterator[Record]:
        low = segment * SEGMENT_SPACE // total_segments
        high = (segment + 1) * SEGMENT_SPACE // total_segments
        if index is None:
            data = self._table
            after = None if start is None else self.position(start)
        else:
            idx = self._indexes[index]
            data = idx.data
            after = None if start is None else self._index_position(idx, start)
        return data.walk(after, low, high)

    # -- invariants ------------------------------------------------------------------------------------------

    def _check(self) -> None:
        """Assert every structural invariant (used after each step of the state machine tests)."""
        table = self._table
        for data in (table, *(index.data for index in self._indexes.values())):
            data._check_order()
        assert len(table.order) == len(table.parts)  # (reading the order brings it up to date)
        for data in (table, *(index.data for index in self._indexes.values())):
            for part in data.parts.values() if data.ranged else ():
                if type(part) is tuple:
                    assert len(part) == 2, "a one-entry partition is (entry, record)"
                    continue
                assert list(part.ordered) == sorted(part), "a partition's keys out of order"
                assert type(part.ordered) is SortedList or len(part) <= SMALL_PARTITION
        assert list(table.order) == sorted((partition_digest(p), p) for p in table.parts)
        count = 0
        size = 0
        expected: dict[str, list[tuple[Any, Any, Item]]] = {name: [] for name in self._indexes}
        for pkv, entry, record in table.entries():
            item = decode(record)
            assert self.position(item) == (pkv, entry), (pkv, entry, item)
            assert record[1] == item_size(item), (record[1], item)
            count += 1
            size += record[1]
            for name, index in self._indexes.items():
                where = index.locate(item, (pkv, entry))
                if where is not None:
                    expected[name].append((where[0], where[1], index.project(item)))
        assert count == table.count and size == table.size, (count, size, table.count, table.size)
        for name, index in self._indexes.items():
            data = index.data
            actual = [(p, e, decode(r)) for p, e, r in data.entries()]
            assert all(part for part in data.parts.values()), "empty index partition kept"
            assert len(data.order) == len(data.parts)
            assert list(data.order) == sorted((partition_digest(p), p) for p in data.parts)
            assert sorted(actual, key=lambda e: (partition_digest(e[0]), e[0], e[1])) == actual
            by_key = {(p, e): i for p, e, i in expected[name]}
            assert {(p, e): i for p, e, i in actual} == by_key, name
            assert data.count == len(actual)
            assert data.size == sum(item_size(i) for _p, _e, i in actual)
            assert all(r[1] == item_size(decode(r)) for _p, _e, r in data.entries())
        for vector in self._vectors.values():
            items = ((p, e, decode(r)) for p, e, r in table.entries())
            vector._check({(p, e): i for p, e, i in items if _qualifies(vector.spec, i)})


def _qualifies(spec: VectorIndexSpec, item: Item) -> bool:
    """Whether ``item`` belongs in the vector index (a check written apart from the index's own code)."""
    if vector_values(item.get(spec.attribute), spec.dimensions) is None:
        return False
    hash_key = spec.hash_key
    return hash_key is None or hash_key[1] in item.get(hash_key[0], {})
