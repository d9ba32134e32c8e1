"""The codec: every supported type round-trips, wrong types and bad stored values fail clearly."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit._models import USERS, Address, Priority, Status, User
from theorydb_py import ModelDefinition, Table, ValidationError, theorydb_field
from theorydb_py.codec import (
    codec_for,
    decode_dynamic,
    decode_struct,
    encode_dynamic,
    format_datetime,
    struct_fields,
)

TABLE = Table(USERS, client=object())


def full_user() -> User:
    return User(
        id="u1",
        email="a@example.com",
        name="Zoë",
        age=42,
        score=0.1,
        balance=Decimal("12.50"),
        tags={"b", "a"},
        lucky={7, 3},
        blobs={b"\x01", b"\x00"},
        nicknames=["z", "a"],
        labels=["x", "y"],
        prefs={"dark": Decimal("1"), "size": Decimal("2.5")},
        address=Address("1 Main St", "Springfield", None),
        born=dt.date(1990, 5, 17),
        seen_at=dt.datetime(2024, 1, 2, 3, 4, 5, 600, tzinfo=dt.UTC),
        token=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        status=Status.CLOSED,
        priority=Priority.HIGH,
        avatar=b"\x89PNG",
        active=False,
        meta={"plan": "pro", "seats": 3},
        balance_cents=Decimal("3.21"),
    )


def test_every_supported_type_is_stored_as_documented() -> None:
    item = TABLE.to_item(full_user())
    assert item == {
        "PK": {"S": "u1"},
        "SK": {"S": "PROFILE"},
        "email": {"S": "a@example.com"},
        "name": {"S": "Zoë"},
        "age": {"N": "42"},
        "score": {"N": "0.1"},
        "balance": {"N": "12.50"},
        "tags": {"SS": ["a", "b"]},
        "lucky": {"NS": ["3", "7"]},
        "blobs": {"BS": [b"\x00", b"\x01"]},
        "nicknames": {"L": [{"S": "z"}, {"S": "a"}]},
        "labels": {"SS": ["x", "y"]},
        "prefs": {"M": {"dark": {"N": "1"}, "size": {"N": "2.5"}}},
        "address": {"M": {"street": {"S": "1 Main St"}, "City": {"S": "Springfield"}}},
        "born": {"S": "1990-05-17"},
        "seen_at": {"S": "2024-01-02T03:04:05.000600Z"},
        "token": {"S": "12345678-1234-5678-1234-567812345678"},
        "status": {"S": "closed"},
        "priority": {"N": "2"},
        "avatar": {"B": b"\x89PNG"},
        "active": {"BOOL": False},
        "meta": {"S": '{"plan":"pro","seats":3}'},
        "balance_cents": {"N": "321"},
    }


def test_round_trip_gives_back_the_same_values_and_types() -> None:
    user = full_user()
    back = TABLE.from_item(TABLE.to_item(user))
    assert back == user
    assert type(back.age) is int and type(back.score) is float and type(back.avatar) is bytes
    unsorted = TABLE.from_item(TABLE.to_item(User(id="u1", labels=["b", "a", "b"])))
    assert unsorted.labels == ["a", "b"]  # a list stored as a set comes back sorted and unique


def test_sets_accept_lists_and_drop_duplicates_and_empty_sets_are_omitted() -> None:
    user = User(id="u1", tags=["b", "a", "b"], lucky=[10, 2, 2])  # type: ignore[arg-type]
    item = TABLE.to_item(user)
    assert item["tags"] == {"SS": ["a", "b"]}
    assert item["lucky"] == {"NS": ["2", "10"]}  # sorted numerically, so requests are stable
    assert "blobs" not in item and "labels" not in item
    assert TABLE.from_item(TABLE.to_item(User(id="u1"))).blobs == set()


def test_empty_sets_and_none_inside_lists_and_maps_are_null() -> None:
    codec = codec_for(list[set[str] | None])
    assert codec.encode([set(), None, {"x"}], "v") == {"L": [{"NULL": True}, {"NULL": True}, {"SS": ["x"]}]}
    assert codec.decode({"L": [{"NULL": True}, {"SS": ["x"]}]}, "v") == [None, {"x"}]
    assert codec_for(dict[str, int | None]).encode({"a": None}, "v") == {"M": {"a": {"NULL": True}}}


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_are_stored_exactly(value: float) -> None:
    codec = codec_for(float)
    av = codec.encode(value, "x")
    assert av == {"N": repr(value)}
    assert codec.decode(av, "x") == value


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=-(10**37), max_value=10**37))
def test_ints_round_trip_as_int(value: int) -> None:
    codec = codec_for(int)
    back = codec.decode(codec.encode(value, "x") or {}, "x")
    assert back == value and type(back) is int


def test_int_fields_read_integral_numbers_in_any_notation() -> None:
    assert codec_for(int).decode({"N": "1E+2"}, "x") == 100
    with pytest.raises(ValidationError, match=r"x: cannot read \{'N': '1.5'\} from DynamoDB as int"):
        codec_for(int).decode({"N": "1.5"}, "x")


def test_datetimes_are_utc_iso_with_fixed_microseconds() -> None:
    assert format_datetime(dt.datetime(2024, 1, 1)) == "2024-01-01T00:00:00.000000Z"  # naive is UTC
    assert format_datetime(dt.datetime(5, 1, 1)) == "0005-01-01T00:00:00.000000Z"  # fixed width, sortable
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert format_datetime(dt.datetime(2024, 1, 1, 2, tzinfo=plus_two)) == "2024-01-01T00:00:00.000000Z"
    codec = codec_for(dt.datetime)
    go_written = codec.decode({"S": "2024-01-02T03:04:05.123456789Z"}, "x")
    assert go_written == dt.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=dt.UTC)
    assert codec.decode({"N": "0"}, "x") == dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    assert codec.decode({"S": "2024-01-02T03:04:05"}, "x").tzinfo is dt.UTC


def test_omitempty_drops_empty_values_only() -> None:
    assert "email" not in TABLE.to_item(User(id="u1", email=""))
    codec = codec_for(list[int], theorydb_field(omitempty=True).metadata["theorydb"])
    assert codec.encode([], "x") is None
    assert codec.encode([0], "x") == {"L": [{"N": "0"}]}


def test_missing_attributes_take_defaults_or_empty_values() -> None:
    @dataclass
    class Sparse:
        id: str = theorydb_field(roles="pk")
        must: int = theorydb_field(default=0)
        items: list[int] = field(default_factory=lambda: [1])

    @dataclass
    class Required:
        id: str
        tags: set[str]
        words: list[str]
        count: int

    model = ModelDefinition.from_dataclass(Sparse)
    assert Table(model, client=object()).from_item({"id": {"S": "a"}}) == Sparse("a", 0, [1])
    got = decode_struct(Required, struct_fields(Required), {"id": {"S": "a"}}, "Required")
    assert got == Required("a", set(), [], None)  # type: ignore[arg-type]


WRONG_TYPES: list[tuple[str, dict[str, Any], str]] = [
    ("str for int", {"age": "old"}, r"User.age: expected int, got str 'old'"),
    ("bool for int", {"age": True}, r"User.age: expected int, got bool True"),
    ("str for float", {"score": "1.5"}, r"User.score: expected float, got str"),
    ("nan", {"score": float("nan")}, r"User.score: DynamoDB cannot store the number nan"),
    ("infinite decimal", {"balance": Decimal("Infinity")}, r"cannot store the number"),
    ("str for set", {"tags": "abc"}, r"User.tags: expected a set of str, got str"),
    ("int in str set", {"tags": {"a", 1}}, r"User.tags\[member\]: expected str, got int 1"),
    ("str for list", {"nicknames": "abc"}, r"User.nicknames: expected a list"),
    ("list for dict", {"prefs": []}, r"User.prefs: expected a dict"),
    ("non-str dict key", {"prefs": {1: Decimal(1)}}, r"User.prefs: map keys must be non-empty str"),
    (
        "empty dict key",
        {"prefs": {"": Decimal(1)}},
        r"User.prefs: map keys must be non-empty str, got str ''",
    ),
    ("str for nested", {"address": "Main St"}, r"User.address: expected Address"),
    ("bad enum", {"status": "unknown"}, r"User.status: expected a Status member"),
    ("str for date", {"born": "1990-01-01"}, r"User.born: expected date"),
    ("datetime for date", {"born": dt.datetime(2024, 1, 1)}, r"User.born: expected date"),
    ("bad uuid", {"token": "not-a-uuid"}, r"User.token: expected UUID"),
    ("str for bytes", {"avatar": "x"}, r"User.avatar: expected bytes"),
    ("int for bool", {"active": 1}, r"User.active: expected bool"),
    ("unjsonable", {"meta": {"x": object()}}, r"User.meta: cannot store as JSON"),
    ("bad converter input", {"balance_cents": "abc"}, r"User.balance_cents: converter CentsConverter failed"),
]


@pytest.mark.parametrize(
    ("changes", "message"), [c[1:] for c in WRONG_TYPES], ids=[c[0] for c in WRONG_TYPES]
)
def test_wrong_types_are_refused_with_the_field_path(changes: dict[str, Any], message: str) -> None:
    user = User(id="u1", **changes)
    with pytest.raises(ValidationError, match=message):
        TABLE.to_item(user)


def test_bad_stored_values_are_reported_not_crashed_on() -> None:
    with pytest.raises(ValidationError, match=r"User.age: cannot read \{'S': 'x'\} from DynamoDB as int"):
        TABLE.from_item({"PK": {"S": "u1"}, "SK": {"S": "P"}, "age": {"S": "x"}})
    with pytest.raises(ValidationError, match=r"User.status: cannot read .* as Status"):
        TABLE.from_item({"PK": {"S": "u1"}, "SK": {"S": "P"}, "status": {"S": "nope"}})
    with pytest.raises(ValidationError, match=r"User.meta: cannot read .* as JSON text"):
        TABLE.from_item({"PK": {"S": "u1"}, "SK": {"S": "P"}, "meta": {"S": "{"}})


@dataclass
class Inner:
    a: int
    b: list[str]


def test_json_and_binary_fields() -> None:
    @dataclass
    class Doc:
        id: str = theorydb_field(roles="pk")
        inner: Inner | None = theorydb_field(json=True, default=None)
        text: str = theorydb_field(binary=True, default="")
        raw: bytes = theorydb_field(binary=True, default=b"")
        data: dict[str, Any] = theorydb_field(binary=True, default_factory=dict)

    table = Table(ModelDefinition.from_dataclass(Doc), client=object())
    doc = Doc("d", Inner(1, ["x"]), "héllo", b"\x00", {"k": [1, 2]})
    item = table.to_item(doc)
    assert item["inner"] == {"S": '{"a":1,"b":["x"]}'}
    assert item["text"] == {"B": "héllo".encode()}
    assert item["data"] == {"B": b'{"k":[1,2]}'}
    assert table.from_item(item) == doc


def test_dynamic_values_encode_by_their_own_type() -> None:
    value = {
        "s": "x",
        "n": 1,
        "d": Decimal("1.5"),
        "b": b"\x00",
        "t": True,
        "l": [None],
        "ss": {"a"},
        "ns": {1},
    }
    av = encode_dynamic(value)
    assert av["M"]["ss"] == {"SS": ["a"]} and av["M"]["ns"] == {"NS": ["1"]}
    assert decode_dynamic(av) == value
    assert encode_dynamic(Status.ACTIVE) == {"S": "active"}
    assert encode_dynamic(Address("s", "c")) == {"M": {"street": {"S": "s"}, "City": {"S": "c"}}}
    with pytest.raises(ValidationError, match="cannot store an empty set"):
        encode_dynamic(set())
    with pytest.raises(ValidationError, match="a set must hold only strings, only numbers or only bytes"):
        encode_dynamic({"a", 1})
    with pytest.raises(ValidationError, match="cannot store a value of type object"):
        encode_dynamic(object())
    with pytest.raises(ValidationError, match="cannot read"):
        decode_dynamic({"X": 1})


def test_converters_apply_on_items() -> None:
    item = TABLE.to_item(User(id="u1", balance_cents=Decimal("1.05")))
    assert item["balance_cents"] == {"N": "105"}
    assert TABLE.from_item(item).balance_cents == Decimal("1.05")


@dataclass
class Node:
    name: str
    children: list[Node] = field(default_factory=list)


def test_recursive_dataclasses_round_trip() -> None:
    codec = codec_for(Node)
    tree = Node("root", [Node("a"), Node("b", [Node("c")])])
    av = codec.encode(tree, "tree")
    assert av == {
        "M": {
            "name": {"S": "root"},
            "children": {
                "L": [
                    {"M": {"name": {"S": "a"}, "children": {"L": []}}},
                    {
                        "M": {
                            "name": {"S": "b"},
                            "children": {"L": [{"M": {"name": {"S": "c"}, "children": {"L": []}}}]},
                        }
                    },
                ]
            },
        }
    }
    assert codec.decode(av or {}, "tree") == tree
