"""``model_instances`` and ``expressions_for_table``: what they draw is stored and read back exactly, or
accepted, by the emulator."""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import pathlib
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from theorydb_mocks import DynamoDBEmulator, FakeKmsClient
from theorydb_mocks.strategies import (
    MAX_PARTITION_KEY_BYTES,
    Expression,
    ScalarType,
    expressions_for_table,
    items,
    model_instances,
)
from theorydb_py import ModelDefinition, Table, create_table, gsi, theorydb_field

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/strategies"


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


@dataclass(frozen=True)
class Money:
    cents: int


class MoneyConverter:
    """A custom converter: the strategy cannot guess its values, an override gives them."""

    attribute_type = "S"

    def to_dynamodb(self, value: Any) -> dict[str, Any]:
        return {"S": f"{value.cents}c"}

    def from_dynamodb(self, value: dict[str, Any]) -> Money:
        return Money(int(value["S"][:-1]))


@dataclass
class Address:
    street: str = ""
    zip_code: int = 0
    tags: set[str] = field(default_factory=set)


@dataclass
class Payload:
    count: int = 0
    label: str = ""
    ratio: float | None = None


@dataclass
class Everything:
    id: str = theorydb_field(name="PK", roles="pk")
    rank: int = theorydb_field(name="SK", roles="sk", default=0)
    text: str = ""
    whole: int = 0
    real: float = 0.0
    exact: Decimal = Decimal(0)
    raw: bytes = b""
    buffer: bytearray = field(default_factory=bytearray)
    flag: bool = False
    when: dt.datetime | None = None
    day: dt.date | None = None
    ident: uuid.UUID | None = None
    color: Color = Color.RED
    level: Level | None = None
    words: set[str] = field(default_factory=set)
    counts: set[int] = field(default_factory=set)
    reals: frozenset[float] = field(default_factory=frozenset)
    amounts: set[Decimal] = field(default_factory=set)
    blobs: set[bytes] = field(default_factory=set)
    ordered: list[str] = theorydb_field(set_=True, default_factory=list)
    history: list[int | None] = field(default_factory=list)
    pairs: tuple[str, ...] = ()
    nested: dict[str, list[int]] = field(default_factory=dict)
    address: Address | None = None
    addresses: list[Address] = field(default_factory=list)
    anything: Any = None
    document: dict[str, Any] = theorydb_field(json=True, default_factory=dict)
    record: Payload | None = theorydb_field(json=True, default=None)
    packed: bytes = theorydb_field(binary=True, default=b"")
    packed_list: list[int] = theorydb_field(binary=True, default_factory=list)
    nickname: str = theorydb_field(omitempty=True, default="")
    secret: str = theorydb_field(encrypted=True, default="")
    category: str = "general"
    cached: str = theorydb_field(ignore=True, default="not stored")
    created: dt.datetime | None = theorydb_field(roles="created_at", default=None)
    updated: dt.datetime | None = theorydb_field(roles="updated_at", default=None)
    version: int = theorydb_field(roles="version", default=0)
    expires: dt.datetime | None = theorydb_field(roles="ttl", default=None)
    price: Money | None = theorydb_field(converter=MoneyConverter(), default=None)


EVERYTHING = ModelDefinition.from_dataclass(
    Everything, table_name="everything", indexes=[gsi("by-category", "category", "rank")]
)
EVERYTHING_INSTANCES = model_instances(
    EVERYTHING, overrides={"price": st.none() | st.builds(Money, st.integers(0, 10**9))}
)


@dataclass
class Node:
    label: str = ""
    children: list[Node] = field(default_factory=list)


@dataclass
class Tree:
    name: bytes = theorydb_field(roles="pk")
    root: Node | None = None


TREES = ModelDefinition.from_dataclass(Tree, table_name="trees")


@pytest.fixture
def everything_table() -> Table[Everything]:
    client = DynamoDBEmulator().client()
    create_table(EVERYTHING, client=client)
    return Table(EVERYTHING, client=client, kms_key_arn=KEY_ARN, kms_client=FakeKmsClient())


_FIXTURE_SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# One table serves all the examples: an example overwrites the item of an earlier one with the same key.
@_FIXTURE_SETTINGS
@given(instance=EVERYTHING_INSTANCES)
def test_every_field_kind_round_trips_through_put_and_get(
    everything_table: Table[Everything], instance: Everything
) -> None:
    written = everything_table.put(instance)
    assert everything_table.get(instance.id, instance.rank, consistent_read=True) == written


@settings(max_examples=30, deadline=None)
@given(instance=EVERYTHING_INSTANCES)
def test_keys_are_non_empty_and_within_limits(instance: Everything) -> None:
    assert 0 < len(instance.id.encode()) <= MAX_PARTITION_KEY_BYTES
    assert instance.category != ""  # an index key: DynamoDB refuses an empty string there
    assert abs(instance.rank) < 10**38
    if instance.expires is not None:
        assert instance.expires.microsecond == 0 and instance.expires.tzinfo is dt.UTC
    assert instance.cached == "not stored"


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(tree=model_instances(TREES))
def test_recursive_dataclasses_and_binary_keys_round_trip(tree: Tree) -> None:
    client = DynamoDBEmulator().client()
    create_table(TREES, client=client)
    table = Table(TREES, client=client)
    assert tree.name
    assert table.find(tree.name, consistent_read=True) is None
    table.put(tree)
    assert table.get(tree.name, consistent_read=True) == tree


@dataclass
class Tag:
    price: Money | None = theorydb_field(converter=MoneyConverter(), default=None)


@dataclass
class Sparse:
    id: str = theorydb_field(roles="pk")
    region: str | None = None  # an index key: an item without it is simply not in the index
    tag: Tag | None = None


SPARSE = ModelDefinition.from_dataclass(Sparse, table_name="sparse", indexes=[gsi("by-region", "region")])
SPARSE_INSTANCES = model_instances(SPARSE, overrides={"Tag.price": st.builds(Money, st.integers(0, 99))})


@settings(max_examples=20, deadline=None)
@given(sparse=SPARSE_INSTANCES)
def test_sparse_index_keys_and_nested_overrides_round_trip(sparse: Sparse) -> None:
    assert sparse.region != ""  # DynamoDB refuses an empty string as an index key
    client = DynamoDBEmulator().client()
    create_table(SPARSE, client=client)
    table = Table(SPARSE, client=client)
    table.put(sparse)
    assert table.get(sparse.id, consistent_read=True) == sparse


def test_an_optional_index_key_is_sometimes_absent() -> None:
    assert find(SPARSE_INSTANCES, lambda s: s.region is None).region is None
    assert find(SPARSE_INSTANCES, lambda s: s.tag is not None and s.tag.price is not None).tag is not None


def test_a_nested_converter_field_is_named_with_its_class() -> None:
    with pytest.raises(InvalidArgument, match=r"Tag\.price: .*overrides=\{'Tag\.price': \.\.\.\}"):
        model_instances(SPARSE)


def test_a_converter_field_without_a_strategy_is_named() -> None:
    with pytest.raises(InvalidArgument, match=r"Everything\.price: a field with a custom converter"):
        model_instances(EVERYTHING)


@settings(max_examples=10, deadline=None)
@given(instance=model_instances(EVERYTHING, price=st.just(Money(5)), text=st.just("fixed")))
def test_field_keyword_overrides_work_like_the_mapping(instance: Everything) -> None:
    assert instance.price == Money(5) and instance.text == "fixed"


def test_bad_arguments_are_refused_clearly() -> None:
    with pytest.raises(InvalidArgument, match="needs a ModelDefinition"):
        model_instances(Everything)
    with pytest.raises(InvalidArgument, match="Everything has no stored field 'nope'"):
        model_instances(EVERYTHING, price=st.none(), nope=st.none())
    with pytest.raises(InvalidArgument, match="Everything has no stored field 'cached'"):
        model_instances(
            EVERYTHING, price=st.none(), cached=st.none()
        )  # ignore=True: not stored, nothing to draw


@dataclass
class Unstorable:
    id: str = theorydb_field(roles="pk")
    stamp: dt.datetime | None = theorydb_field(json=True, default=None)


def test_a_json_field_that_would_not_read_back_equal_is_named() -> None:
    model = ModelDefinition.from_dataclass(Unstorable)
    with pytest.raises(InvalidArgument, match=r"Unstorable\.stamp: .*does not come back from JSON"):
        model_instances(model)


# --- expressions for a table --------------------------------------------------------------------------------

KEY_SCHEMA: dict[str, ScalarType] = {"pk": "S", "sk": "N"}


def _table(client: Any, schema: dict[str, ScalarType]) -> str:
    name = f"strategies-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": scalar} for attribute, scalar in schema.items()
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


@pytest.mark.parametrize("number", ["1E+38", "99999999999999999999999999999999999999", "1E-130", "-9.9E+125"])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_updates_of_numbers_at_the_edge_of_38_digits_are_accepted(number: str, data: st.DataObject) -> None:
    # 1E+38 has one digit, but 1E+38 + 1 needs 39: arithmetic on it must not be drawn.
    client = DynamoDBEmulator().client()
    name = _table(client, {"pk": "S", "sk": "S"})
    item = {"pk": {"S": "k"}, "sk": {"S": "s"}, "n": {"N": number}}
    client.put_item(TableName=name, Item=item)
    update = data.draw(expressions_for_table({"pk": "S", "sk": "S"}, item, kind="update"), label="update")
    client.update_item(
        TableName=name, Key={"pk": item["pk"], "sk": item["sk"]}, **update.request("UpdateExpression")
    )


@pytest.mark.parametrize("sort_type", ["S", "N", "B"])
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_expressions_for_a_table_are_accepted(sort_type: ScalarType, data: st.DataObject) -> None:
    schema: dict[str, ScalarType] = {"pk": "S", "sk": sort_type}
    client = DynamoDBEmulator().client()
    name = _table(client, schema)
    item = data.draw(items(schema, max_attributes=4).filter(lambda i: len(i) > 2), label="item")
    client.put_item(TableName=name, Item=item)
    key = {"pk": item["pk"], "sk": item["sk"]}

    condition = data.draw(expressions_for_table(schema, item), label="condition")
    # A valid condition may be false; any other error fails the test.
    with contextlib.suppress(client.exceptions.ConditionalCheckFailedException):
        client.put_item(TableName=name, Item=item, **condition.request("ConditionExpression"))

    key_condition = data.draw(expressions_for_table(schema, item, kind="key_condition"), label="key")
    query_filter = data.draw(expressions_for_table(schema, item, kind="filter"), label="filter")
    names = {**key_condition.names, **{k.replace("#n", "#f"): v for k, v in query_filter.names.items()}}
    values = {**key_condition.values, **{k.replace(":v", ":f"): v for k, v in query_filter.values.items()}}
    filter_text = query_filter.text.replace("#n", "#f").replace(":v", ":f")
    page = client.query(
        TableName=name,
        KeyConditionExpression=key_condition.text,
        FilterExpression=filter_text,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )
    assert page["ScannedCount"] in (0, 1)

    update = data.draw(expressions_for_table(schema, item, kind="update"), label="update")
    client.update_item(TableName=name, Key=key, **update.request("UpdateExpression"))
    stored = client.get_item(TableName=name, Key=key, ConsistentRead=True)["Item"]
    assert stored["pk"] == item["pk"]
    same = (
        Decimal(stored["sk"]["N"]) == Decimal(item["sk"]["N"])
        if sort_type == "N"
        else stored["sk"] == item["sk"]
    )
    assert same, (stored["sk"], item["sk"])


_ITEM = {"pk": {"S": "a"}, "sk": {"N": "1"}, "n": {"N": "2"}}


@settings(max_examples=20)
@given(
    update=expressions_for_table(KEY_SCHEMA, _ITEM, kind="update"),
    query_filter=expressions_for_table(KEY_SCHEMA, _ITEM, kind="filter"),
)
def test_update_and_filter_expressions_never_touch_a_key(
    update: Expression, query_filter: Expression
) -> None:
    assert set(update.names.values()) == {"n"}, update
    assert set(query_filter.names.values()) == {"n"}, query_filter


@settings(max_examples=20)
@given(update=expressions_for_table(KEY_SCHEMA, {**_ITEM, "n": {"N": "9" * 38}}, kind="update"))
def test_no_arithmetic_on_a_number_without_room(update: Expression) -> None:
    assert "+" not in update.text and "-" not in update.text and "ADD" not in update.text, update


def test_expressions_need_the_key_and_a_non_key_attribute() -> None:
    with pytest.raises(InvalidArgument, match="missing"):
        expressions_for_table(KEY_SCHEMA, {"pk": {"S": "a"}})
    with pytest.raises(InvalidArgument, match="non-key attribute"):
        expressions_for_table(KEY_SCHEMA, {"pk": {"S": "a"}, "sk": {"N": "1"}}, kind="filter")


# --- the documentation's examples -------------------------------------------------------------------------

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def _doc_examples() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("\n## Property-based tests\n")
    end = text.find("\n## ", start + 1)
    return re.findall(r"```python\n(.*?)```", text[start:end], flags=re.DOTALL)


@pytest.mark.parametrize("index", range(len(_doc_examples())))
def test_the_documented_examples_run(index: int) -> None:
    code = _doc_examples()[index]
    # dont_inherit: the example's annotations are evaluated, as in a user's module without __future__.
    compiled = compile(code, f"{DOC}:Property-based tests[{index}]", "exec", dont_inherit=True)
    exec(compiled, {"__name__": __name__})
