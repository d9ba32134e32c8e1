"""TableStore: point operations, ordered reads, indexes and their projections, against a plain-dict model."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from theorydb_mocks.emulator import storage
from theorydb_mocks.emulator._types import IndexSpec, Item, KeySchema
from theorydb_mocks.emulator.storage import TableStore, sort_bounds
from theorydb_mocks.emulator.values import item_size

TABLE_KEY = KeySchema("pk", "S", "sk", "N")
INDEXES = [
    IndexSpec("by-g", "GSI", KeySchema("g", "S", "gs", "N"), "KEYS_ONLY"),
    IndexSpec("by-g-only", "GSI", KeySchema("g", "S"), "INCLUDE", ("x",)),
    IndexSpec("by-l", "LSI", KeySchema("pk", "S", "l", "S"), "ALL"),
]


def make_item(pk: str, sk: int, **extra: Any) -> Item:
    item: Item = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
    for name, value in extra.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    return item


@pytest.fixture
def store() -> TableStore:
    return TableStore(TABLE_KEY, INDEXES)


def sks(items: Any) -> list[str]:
    return [i["sk"]["N"] for i in items]


def test_put_get_delete_and_counts(store: TableStore) -> None:
    assert store.put(make_item("a", 1, x="old")) is None
    old = store.put(make_item("a", 1, x="new"))
    assert old == make_item("a", 1, x="old")
    assert store.get({"pk": {"S": "a"}, "sk": {"N": "1"}}) == make_item("a", 1, x="new")
    assert store.get({"pk": {"S": "a"}, "sk": {"N": "2"}}) is None
    assert store.item_count == 1 and store.size_bytes == item_size(make_item("a", 1, x="new"))
    assert store.delete({"pk": {"S": "a"}, "sk": {"N": "1.0"}}) == make_item("a", 1, x="new")
    assert store.delete({"pk": {"S": "a"}, "sk": {"N": "1"}}) is None
    assert store.item_count == 0 and store.size_bytes == 0
    store._check()


def test_numbers_sort_numerically_and_query_operators(store: TableStore) -> None:
    for sk in (10, -2, 9, 0, 100):
        store.put(make_item("p", sk))
    store.put(make_item("q", 5))
    everything = ["-2", "0", "9", "10", "100"]
    assert sks(store.query({"S": "p"}, None, [])) == everything
    assert sks(store.query({"S": "p"}, None, [], forward=False)) == everything[::-1]
    assert sks(store.query({"S": "p"}, "<", [{"N": "9"}])) == ["-2", "0"]
    assert sks(store.query({"S": "p"}, "<=", [{"N": "9"}])) == ["-2", "0", "9"]
    assert sks(store.query({"S": "p"}, ">", [{"N": "9"}])) == ["10", "100"]
    assert sks(store.query({"S": "p"}, ">=", [{"N": "9"}])) == ["9", "10", "100"]
    assert sks(store.query({"S": "p"}, "=", [{"N": "9.0"}])) == ["9"]
    assert sks(store.query({"S": "p"}, "BETWEEN", [{"N": "0"}, {"N": "10"}])) == ["0", "9", "10"]
    assert sks(store.query({"S": "missing"}, None, [])) == []


def test_query_resumes_after_start_key_in_both_directions(store: TableStore) -> None:
    for sk in range(6):
        store.put(make_item("p", sk))
    start = {"pk": {"S": "p"}, "sk": {"N": "2"}}
    assert sks(store.query({"S": "p"}, None, [], start=start)) == ["3", "4", "5"]
    assert sks(store.query({"S": "p"}, None, [], start=start, forward=False)) == ["1", "0"]
    assert sks(store.query({"S": "p"}, "<=", [{"N": "4"}], start=start)) == ["3", "4"]


def test_begins_with_on_strings_and_binaries() -> None:
    store = TableStore(KeySchema("pk", "S", "sk", "S"))
    for sk in ("a", "ab", "abc", "abd", "ac", "b", "ab\U0010ffff"):
        store.put({"pk": {"S": "p"}, "sk": {"S": sk}})
    found = [i["sk"]["S"] for i in store.query({"S": "p"}, "begins_with", [{"S": "ab"}])]
    assert found == ["ab", "abc", "abd", "ab\U0010ffff"]
    backwards = [i["sk"]["S"] for i in store.query({"S": "p"}, "begins_with", [{"S": "ab"}], forward=False)]
    assert backwards == found[::-1]
    binary = TableStore(KeySchema("pk", "S", "sk", "B"))
    for raw in (b"\x01", b"\x01\xff", b"\x01\xff\x00", b"\x02", b"\xff"):
        binary.put({"pk": {"S": "p"}, "sk": {"B": raw}})
    assert [i["sk"]["B"] for i in binary.query({"S": "p"}, "begins_with", [{"B": b"\x01\xff"}])] == [
        b"\x01\xff",
        b"\x01\xff\x00",
    ]
    assert [i["sk"]["B"] for i in binary.query({"S": "p"}, "begins_with", [{"B": b"\xff"}])] == [b"\xff"]


def test_indexes_are_sparse_and_projected(store: TableStore) -> None:
    store.put(make_item("a", 1, g="G", gs=2, x="keep", y="drop", l="l1"))
    store.put(make_item("a", 2, g="G", x="keep"))  # no gs: only in the hash-only GSI
    store.put(make_item("b", 1))  # in no index
    assert store.index_item_count("by-g") == 1
    assert store.index_item_count("by-g-only") == 2
    assert store.index_item_count("by-l") == 1
    assert list(store.query({"S": "G"}, None, [], index="by-g")) == [make_item("a", 1, g="G", gs=2)]
    assert list(store.query({"S": "G"}, None, [], index="by-g-only")) == [
        make_item("a", 1, g="G", x="keep"),
        make_item("a", 2, g="G", x="keep"),
    ]
    assert list(store.query({"S": "a"}, "=", [{"S": "l1"}], index="by-l")) == [
        make_item("a", 1, g="G", gs=2, x="keep", y="drop", l="l1")
    ]
    # Changing the index key moves the entry; removing it drops it.
    store.put(make_item("a", 1, g="H", gs=2))
    assert list(store.query({"S": "G"}, None, [], index="by-g")) == []
    assert store.index_item_count("by-l") == 0
    store.delete({"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert store.index_item_count("by-g") == 0
    store._check()


def test_index_query_orders_by_index_key_then_table_key(store: TableStore) -> None:
    store.put(make_item("b", 1, g="G", gs=5))
    store.put(make_item("a", 2, g="G", gs=5))
    store.put(make_item("a", 1, g="G", gs=7))
    store.put(make_item("c", 1, g="G", gs=1))
    found = [(i["pk"]["S"], i["sk"]["N"]) for i in store.query({"S": "G"}, None, [], index="by-g")]
    assert found == [("c", "1"), ("a", "2"), ("b", "1"), ("a", "1")]
    equal = [(i["pk"]["S"]) for i in store.query({"S": "G"}, "=", [{"N": "5"}], index="by-g")]
    assert equal == ["a", "b"]
    above = [i["gs"]["N"] for i in store.query({"S": "G"}, ">", [{"N": "5"}], index="by-g")]
    assert above == ["7"]
    below = [i["gs"]["N"] for i in store.query({"S": "G"}, "<", [{"N": "5"}], index="by-g", forward=False)]
    assert below == ["1"]
    start = make_item("a", 2, g="G", gs=5)
    resumed = store.query({"S": "G"}, None, [], index="by-g", start=start)
    after = [(i["pk"]["S"], i["gs"]["N"]) for i in resumed]
    assert after == [("b", "5"), ("a", "7")]


def test_scan_pages_resume_and_segments_partition_the_table(store: TableStore) -> None:
    for pk in "abcdefghij":
        for sk in range(3):
            store.put(make_item(pk, sk, g="G", gs=sk))
    everything = list(store.scan())
    assert len(everything) == 30
    resumed: list[Item] = []
    start = None
    while True:
        page = []
        for item in store.scan(start=start):
            page.append(item)
            if len(page) == 4:
                break
        resumed.extend(page)
        if len(page) < 4:
            break
        start = page[-1]
    assert resumed == everything
    segments = [list(store.scan(segment=s, total_segments=3)) for s in range(3)]
    assert sorted(repr(i) for segment in segments for i in segment) == sorted(map(repr, everything))
    # A start key from segment 0 resumes inside segment 0 only.
    first = segments[0]
    if len(first) > 1:
        assert list(store.scan(start=first[0], segment=0, total_segments=3)) == first[1:]
    index_scan = list(store.scan(index="by-g"))
    assert len(index_scan) == 30
    assert list(store.scan(index="by-g", start=index_scan[10])) == index_scan[11:]


def test_hash_only_table() -> None:
    store = TableStore(KeySchema("id", "N"), [IndexSpec("by-g", "GSI", KeySchema("g", "S"), "ALL")])
    for n in range(20):
        store.put({"id": {"N": str(n)}, "g": {"S": "even" if n % 2 == 0 else "odd"}})
    assert store.get({"id": {"N": "3"}}) == {"id": {"N": "3"}, "g": {"S": "odd"}}
    assert len(list(store.query({"N": "3"}, None, []))) == 1
    assert list(store.query({"N": "3"}, None, [], start={"id": {"N": "3"}})) == []
    scanned = list(store.scan())
    assert list(store.scan(start=scanned[4])) == scanned[5:]
    assert len(list(store.query({"S": "even"}, None, [], index="by-g"))) == 10
    store._check()


def test_add_and_drop_index_backfills(store: TableStore) -> None:
    for sk in range(4):
        store.put(make_item("a", sk, z="Z" if sk % 2 else "Y"))
    store.add_index(IndexSpec("by-z", "GSI", KeySchema("z", "S"), "KEYS_ONLY"))
    assert store.index_item_count("by-z") == 4
    assert len(list(store.query({"S": "Z"}, None, [], index="by-z"))) == 2
    store._check()
    store.drop_index("by-z")
    assert "by-z" not in store.index_names
    store._check()


def test_sort_bounds_cover_every_operator() -> None:
    assert sort_bounds(None, [], tupled=False) == (None, None, True, True)
    assert sort_bounds("begins_with", ["a\U0010ffff"], tupled=False) == ("a\U0010ffff", "b", True, False)
    assert sort_bounds("begins_with", ["\U0010ffff"], tupled=False) == ("\U0010ffff", None, True, False)
    assert sort_bounds("BETWEEN", [Decimal(1), Decimal(2)], tupled=False) == (1, 2, True, True)


# ------------------------------------------------------------------------------------------ state machine

PKS = st.sampled_from(["a", "b", "c", "d"])
SKS = st.integers(min_value=0, max_value=6)
GS = st.sampled_from(["G", "H", None])


class StoreMachine(RuleBasedStateMachine):
    """Random writes; after each, the store's invariants hold and reads agree with a dict model."""

    def __init__(self) -> None:
        super().__init__()
        self.store = TableStore(TABLE_KEY, INDEXES)
        self.model: dict[tuple[str, int], Item] = {}

    @rule(pk=PKS, sk=SKS, g=GS, gs=st.none() | st.integers(0, 3), x=st.none() | st.text(max_size=3))
    def put(self, pk: str, sk: int, g: str | None, gs: int | None, x: str | None) -> None:
        extra: dict[str, Any] = {k: v for k, v in {"g": g, "gs": gs, "x": x}.items() if v is not None}
        item = make_item(pk, sk, **extra)
        old = self.store.put(item)
        assert old == self.model.get((pk, sk))
        self.model[(pk, sk)] = item

    @rule(pk=PKS, sk=SKS)
    def delete(self, pk: str, sk: int) -> None:
        old = self.store.delete({"pk": {"S": pk}, "sk": {"N": str(sk)}})
        assert old == self.model.pop((pk, sk), None)

    @rule(
        pk=PKS,
        op=st.sampled_from([None, "=", "<", "<=", ">", ">=", "BETWEEN"]),
        a=SKS,
        b=SKS,
        forward=st.booleans(),
    )
    def query(self, pk: str, op: str | None, a: int, b: int, forward: bool) -> None:
        low, high = min(a, b), max(a, b)
        tests: dict[str | None, Callable[[int], bool]] = {
            None: lambda s: True,
            "=": lambda s: s == low,
            "<": lambda s: s < low,
            "<=": lambda s: s <= low,
            ">": lambda s: s > low,
            ">=": lambda s: s >= low,
            "BETWEEN": lambda s: low <= s <= high,
        }
        values = (
            [{"N": str(low)}]
            if op not in (None, "BETWEEN")
            else ([] if op is None else [{"N": str(low)}, {"N": str(high)}])
        )
        expected = sorted((sk for (p, sk) in self.model if p == pk and tests[op](sk)), reverse=not forward)
        assert sks(self.store.query({"S": pk}, op, values, forward=forward)) == [str(s) for s in expected]

    @rule(g=st.sampled_from(["G", "H"]))
    def query_index(self, g: str) -> None:
        expected = sorted(
            (
                (int(i["gs"]["N"]), i["pk"]["S"], sk)
                for (_p, sk), i in self.model.items()
                if i.get("g") == {"S": g} and "gs" in i
            ),
        )
        found = [
            (int(i["gs"]["N"]), i["pk"]["S"], int(i["sk"]["N"]))
            for i in self.store.query({"S": g}, None, [], index="by-g")
        ]
        assert found == expected

    @invariant()
    def consistent(self) -> None:
        self.store._check()
        assert self.store.item_count == len(self.model)
        scanned = list(self.store.scan())
        assert sorted(map(repr, scanned)) == sorted(map(repr, self.model.values()))


StoreMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestStoreMachine = StoreMachine.TestCase


def test_observers_see_every_change(store: TableStore) -> None:
    seen: list[tuple[Any, Any]] = []

    def observer(old: Item | None, new: Item | None) -> None:
        seen.append((old, new))

    store.observe(observer)
    first = make_item("a", 1, x="1")
    second = make_item("a", 1, x="2")
    store.put(first)
    store.put(second)
    store.delete({"pk": {"S": "a"}, "sk": {"N": "1"}})
    store.delete({"pk": {"S": "a"}, "sk": {"N": "1"}})  # nothing there: no change, no call
    assert seen == [(None, first), (first, second), (second, None)]
    store.unobserve(observer)
    store.put(first)
    assert len(seen) == 3


class SmallPartitionStoreMachine(StoreMachine):
    """The same with partitions of more than 2 entries in a SortedList: both orders and the change between."""

    def __init__(self) -> None:
        self._saved = storage.SMALL_PARTITION
        storage.SMALL_PARTITION = 2
        super().__init__()

    def teardown(self) -> None:
        storage.SMALL_PARTITION = self._saved


SmallPartitionStoreMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None
)
TestSmallPartitionStoreMachine = SmallPartitionStoreMachine.TestCase


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 30)), max_size=60),
    st.none() | st.integers(-1, 31),
    st.none() | st.integers(-1, 31),
    st.tuples(st.booleans(), st.booleans()),
    st.booleans(),
    st.sampled_from([1, 4, 256]),
)
def test_a_partition_keeps_its_keys_in_order_small_or_large(
    steps: list[tuple[bool, int]],
    low: int | None,
    high: int | None,
    inclusive: tuple[bool, bool],
    reverse: bool,
    small: int,
) -> None:
    saved, storage.SMALL_PARTITION = storage.SMALL_PARTITION, small
    try:
        part = storage.Partition({k: (None, k) for k in range(0, 30, 7)})
        model = {k: (None, k) for k in range(0, 30, 7)}
        for add, key in steps:
            if add and key not in model:
                part.add(key, (None, key))
                model[key] = (None, key)
            elif not add and key in model:
                assert part.take(key) == model.pop(key)
            assert dict(part) == model and list(part.ordered) == sorted(model)
        expected = [
            k
            for k in sorted(model, reverse=reverse)
            if (low is None or k > low or (inclusive[0] and k == low))
            and (high is None or k < high or (inclusive[1] and k == high))
        ]
        assert list(part.irange(low, high, inclusive, reverse)) == expected
        assert list(part.in_order()) == [model[k] for k in sorted(model)]
        assert [k for k, _ in part.items_in_order()] == sorted(model)
    finally:
        storage.SMALL_PARTITION = saved


def test_a_small_partition_can_be_written_while_a_range_of_it_is_read() -> None:
    part = storage.Partition({k: (None, k) for k in range(5)})
    seen = []
    for key in part.irange(None, None):
        seen.append(key)
        if key == 1:
            part.take(2)
            part.add(9, (None, 9))
    assert seen == [0, 1, 2, 3, 4]  # the keys as they were when the range began


def test_new_partitions_join_the_scan_order_when_it_is_read() -> None:
    parts = storage._Partitions(ranged=False)
    record = ("shape", 3)
    parts.insert("a", None, record)
    parts.remove("a", None)  # dropped before the order was ever read
    assert list(parts.order) == []
    parts.insert("a", None, record)
    parts.insert("b", None, record)
    assert len(parts.order) == 2  # read: both placed
    parts.insert("c", None, record)
    parts.remove("a", None)  # placed: leaves the order
    parts.remove("c", None)  # still waiting: never placed
    assert list(parts.order) == [(storage.partition_digest("b"), "b")]
    assert list(parts.walk(None, 0, 2**64)) == [record]


@given(
    st.lists(
        st.tuples(st.sampled_from(["insert", "remove", "read"]), st.sampled_from("abcdef"), st.booleans()),
        max_size=40,
    )
)
def test_the_waiting_partitions_are_the_newest_ones(steps: list[tuple[str, str, bool]]) -> None:
    """Partitions wait for the order as a count, not a set: after any mix of inserts, removes (of partitions
    placed or waiting) and reads, the partitions placed are the first ones ``parts`` holds."""
    for ranged in (False, True):
        parts = storage._Partitions(ranged=ranged)
        present: dict[tuple[str, str | None], Any] = {}
        for action, pkv, second in steps:
            entry = ("y" if second else "x") if ranged else None
            if action == "insert" and (pkv, entry) not in present:
                present[(pkv, entry)] = record = (pkv, 1)
                parts.insert(pkv, entry, record)
            elif action == "remove" and (pkv, entry) in present:
                del present[(pkv, entry)]
                parts.remove(pkv, entry)
            elif action == "read":
                parts.order  # noqa: B018 (brings the order up to date)
            parts._check_order()
        partitions = {pkv for pkv, _entry in present}
        assert list(parts.order) == sorted((storage.partition_digest(p), p) for p in partitions)
        assert sorted(parts.walk(None, 0, 2**64)) == sorted(present.values())


def test_a_partition_added_during_a_walk_is_visited_where_it_sorts() -> None:
    parts = storage._Partitions(ranged=False)
    digest = storage.partition_digest
    for n in range(10):
        parts.insert(f"p{n}", None, (f"p{n}", 1))
    seen: list[str] = []
    added: list[str] = []
    for record in parts.walk(None, 0, 2**64):
        seen.append(record[0])
        if len(seen) == 1:  # partitions that sort after the one just visited, added mid-walk
            added = [f"q{n}" for n in range(10) if digest(f"q{n}") > digest(seen[0])]
            for name in added:
                parts.insert(name, None, (name, 1))
    assert added and set(added) <= set(seen)
    assert seen == sorted(seen, key=digest) and len(seen) == 10 + len(added)


def test_a_one_entry_partition_is_a_pair_until_it_grows() -> None:
    """A ranged partition of one entry is kept as ``(entry, record)`` (a third of the memory of an item with a
    partition of its own); it reads, ranges and walks as a ``Partition`` does, and becomes one at a second
    entry."""
    parts = storage._Partitions(ranged=True)
    first, second = ("shape", 3), ("shape", 4)
    parts.insert("p", "b", first)
    assert parts.parts["p"] == ("b", first)
    assert parts.get("p", "b") is first and parts.get("p", "a") is None
    for low, high, low_incl, high_incl, found in [
        (None, None, True, True, [first]),
        ("b", "b", True, True, [first]),
        ("b", None, False, True, []),
        (None, "b", True, False, []),
        ("a", "c", False, False, [first]),
        ("c", None, True, True, []),
    ]:
        assert list(parts.range("p", (low, high, low_incl, high_incl), False)) == found
    assert list(parts.walk(("p", "a"), 0, 2**64)) == [first] and list(parts.walk(("p", "b"), 0, 2**64)) == []
    parts.replace("p", "b", first, second)
    assert list(parts.entries()) == [("p", "b", second)] and parts.size == 4
    parts.insert("p", "a", first)
    assert isinstance(parts.parts["p"], storage.Partition)
    assert [record for record in parts.range("p", (None, None, True, True), False)] == [first, second]
    parts.remove("p", "a")
    parts.remove("p", "b")
    assert parts.parts == {} and list(parts.order) == [] and parts.count == 0
    parts.insert("q", "x", first)
    assert len(parts.order) == 1
    parts.remove("q", "x")  # placed in the order: leaves it, its digest computed again
    assert list(parts.order) == []
