"""The express lanes (``pipeline``, ``DynamoDBEmulator.express``): a plain request answered without the
full pipeline must leave everything exactly as the full pipeline would: the answer or the error, the
table, the capacity ledger and what observers see. Each test runs the same requests on two emulators,
one with its lanes and one without (``express_lanes=False``), and compares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator, door
from theorydb_mocks.emulator._types import KeySchema
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error
from theorydb_mocks.emulator.operations._exprs import UNSEEN, VouchedShapes
from theorydb_mocks.emulator.operations._keys import parse_key, plain_position
from theorydb_mocks.emulator.operations._registry import OPERATIONS
from theorydb_mocks.emulator.pipeline import Observation
from theorydb_mocks.emulator.storage import TableStore
from theorydb_mocks.emulator.wire import encode_request

# Values chosen at the edges of what the lanes vouch for: each is either plain or must be declined.
VALUES: list[Any] = [
    {"S": "a"},
    {"S": ""},
    {"S": "é€"},
    {"S": "x" * 1100},
    {"N": "1"},
    {"N": "1.50"},
    {"N": "-0"},
    {"N": "1e3"},
    {"N": "abc"},
    {"N": "1" * 39},
    {"N": 5},
    {"B": b"x"},
    {"B": b""},
    {"B": "text blob"},
    {"B": bytearray(b"y")},
    {"SS": ["a", "b"]},
    {"SS": ["a", "a"]},
    {"SS": []},
    {"SS": ("a",)},
    {"SS": ["a", 1]},
    {"NS": ["1", "2"]},
    {"BOOL": True},
    {"BOOL": 1},
    {"NULL": True},
    {"NULL": False},
    {"M": {"x": {"S": "y"}}},
    {"L": [{"N": "1"}]},
    {"S": "a", "N": "1"},
    {"S": None},
    {},
    "junk",
    None,
]
PARTITION_KEYS: list[Any] = [
    {"S": "p"},
    {"S": "q"},
    {"S": ""},
    {"S": "é"},
    {"S": "k" * 2049},
    {"N": "1"},
    {"S": 1},
    None,
]
SORT_KEYS: list[Any] = [{"N": "1"}, {"N": "2"}, {"N": "01"}, {"N": "1.0"}, {"N": "-3.5"}, {"S": "1"}, None]
TABLES: list[Any] = [
    "things",
    "plain",
    "indexed",
    "missing",
    "arn:aws:dynamodb:us-east-1:123456789012:table/plain",
    5,
]
EXTRAS: list[dict[str, Any]] = [
    {},
    {},
    {"ReturnValues": "NONE"},
    {"ReturnValues": "ALL_OLD"},
    {"ReturnValues": "BAD"},
    {"ReturnConsumedCapacity": "NONE"},
    {"ReturnConsumedCapacity": "TOTAL"},
    {"ReturnConsumedCapacity": "INDEXES"},
    {"ReturnConsumedCapacity": "bad"},
    {"ConsistentRead": True},
    {"ConsistentRead": False},
    {"ConsistentRead": "yes"},
    {"ConditionExpression": "attribute_not_exists(pk)"},
    {"ProjectionExpression": "pk"},
    {"Bogus": 1},
]


def _emulator(lanes: bool) -> DynamoDBEmulator:
    emu = DynamoDBEmulator()
    emu.express_lanes = lanes
    emu.dispatch("CreateTable", table_request("things"))  # pk S, sk N
    emu.dispatch("CreateTable", table_request("plain", ranged=False))
    indexed = table_request("indexed")
    indexed["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
    indexed["GlobalSecondaryIndexes"] = [
        {
            "IndexName": "by_g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }
    ]
    emu.dispatch("CreateTable", indexed)
    return emu


def _key(pk: Any, sk: Any) -> dict[str, Any]:
    key: dict[str, Any] = {}
    if pk is not None:
        key["pk"] = pk
    if sk is not None:
        key["sk"] = sk
    return key


PLAIN_VALUES: list[Any] = [{"S": "a"}, {"N": "1.50"}, {"B": b"x"}, {"SS": ["a", "b"]}, {"BOOL": False}]


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """Half plain requests on few keys, so puts and gets meet; a quarter with edge values and members on
    those keys; a quarter with anything above."""
    operation = draw(st.sampled_from(["PutItem", "GetItem", "GetItem", "DeleteItem"]))
    mode = draw(st.sampled_from(["plain", "plain", "edge values", "wild"]))
    plain = mode == "plain"
    if mode != "wild":  # a valid table and key: the values and members decide
        table = draw(st.sampled_from(["things", "plain"]))
        key = {"pk": draw(st.sampled_from([{"S": "p"}, {"S": "q"}]))}
        if table == "things":
            key["sk"] = draw(st.sampled_from([{"N": "1"}, {"N": "2"}]))
        values, extras = PLAIN_VALUES, [{}, {"ConsistentRead": True}, {"ConsistentRead": False}]
        if not plain:  # mostly no other member, so the lane sees these values
            values, extras = VALUES, [{}, {}, {}, {}, *EXTRAS]
    else:
        table = draw(st.sampled_from(TABLES))
        key = _key(draw(st.sampled_from(PARTITION_KEYS)), draw(st.sampled_from(SORT_KEYS)))
        values, extras = VALUES, EXTRAS
    request: dict[str, Any] = {"TableName": table}
    if operation == "PutItem":
        names = draw(
            st.lists(
                st.sampled_from(["a", "b", "g", "é", "", "x" * 300]),
                min_size=0 if plain else 1,
                max_size=3,
                unique=True,
            )
        )
        request["Item"] = {**key, **{name: draw(st.sampled_from(values)) for name in names}}
        if plain:
            request["Item"]["big"] = {"S": "x" * draw(st.sampled_from([0, 5000, 9000]))}  # 1-3 units
    else:
        request["Key"] = key
    extra = draw(st.sampled_from(extras))
    if operation in ("PutItem", "DeleteItem"):
        extra = {k: v for k, v in extra.items() if k != "ConsistentRead"} if plain else extra
    request.update(extra)
    return operation, request


_METHODS = {
    "PutItem": "put_item",
    "GetItem": "get_item",
    "DeleteItem": "delete_item",
    "UpdateItem": "update_item",
    "Query": "query",
}


def _outcome(client: Any, operation: str, request: dict[str, Any]) -> Any:
    """What the caller of ``operation`` sees: the answer, or the error with any item it carries."""
    try:
        response = getattr(client, _METHODS[operation])(**request)
    except ClientError as err:
        error = err.response["Error"]
        return ("error", error["Code"], error["Message"], err.response.get("Item"))
    except ParamValidationError as err:
        return ("invalid", str(err))
    response.pop("ResponseMetadata")
    return ("ok", response)


def _recorder(into: list[Any]) -> Callable[[Observation], None]:
    def record(seen: Observation) -> None:
        error = seen.error
        into.append((seen.operation, seen.ok, seen.response, error and (error.code, error.message)))

    return record


Requests = list[tuple[str, dict[str, Any]]]


def _compare(batch: Requests, seed: Requests | None = None) -> None:
    """Run ``batch`` (after ``seed``) on an emulator with its lanes and on one without, through the direct
    client, and compare every answer, the tables, the ledger and what observers saw."""
    express, full = _emulator(True), _emulator(False)
    seen: dict[bool, list[Any]] = {True: [], False: []}
    for emu, lanes in ((express, True), (full, False)):
        for operation, request in seed or ():
            emu.dispatch(operation, request)
        emu.observe(_recorder(seen[lanes]))
    fast, slow = express.client(), full.client()
    for operation, request in batch:
        assert _outcome(fast, operation, request) == _outcome(slow, operation, request), request
    assert _state(express) == _state(full)
    assert seen[True] == seen[False]


def _state(emu: DynamoDBEmulator) -> Any:
    tables = {
        name: sorted(map(repr, emu.dispatch("Scan", {"TableName": name})["Items"]))
        for name in ("things", "plain", "indexed")
    }
    index = sorted(map(repr, emu.dispatch("Scan", {"TableName": "indexed", "IndexName": "by_g"})["Items"]))
    return tables, index, emu.capacity.entries


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(requests(), min_size=1, max_size=12))
def test_the_lanes_answer_as_the_full_pipeline(batch: list[tuple[str, dict[str, Any]]]) -> None:
    _compare(batch)


@pytest.mark.parametrize("value", VALUES, ids=repr)
@pytest.mark.parametrize("table", ["things", "plain", "indexed"])
def test_each_edge_value_is_answered_as_the_full_pipeline(value: Any, table: str) -> None:
    """Every edge value once, deterministically, in an item that is otherwise plain."""
    key = {"pk": {"S": "p"}} if table == "plain" else {"pk": {"S": "p"}, "sk": {"N": "1"}}
    _compare(
        [
            ("PutItem", {"TableName": table, "Item": {**key, "v": value}}),
            ("GetItem", {"TableName": table, "Key": key}),
        ]
    )


@pytest.mark.parametrize("sk", SORT_KEYS, ids=repr)
@pytest.mark.parametrize("pk", PARTITION_KEYS, ids=repr)
def test_each_edge_key_is_answered_as_the_full_pipeline(pk: Any, sk: Any) -> None:
    put = {"TableName": "things", "Item": {**_key(pk, sk), "v": {"S": "x"}}}
    gets = [{"TableName": "things", "Key": _key(pk, sk), "ConsistentRead": c} for c in (True, False)]
    delete = {"TableName": "things", "Key": _key(pk, sk)}
    _compare(
        [
            ("PutItem", put),
            *(("GetItem", get) for get in gets),
            ("DeleteItem", delete),
            ("DeleteItem", delete),
        ]
    )


UPDATES = [
    "SET #c = if_not_exists(#c, :zero) + :one",
    "SET #c = #c + :one",
    "SET a = :v",
    "SET a = :v, b = :one",
    "REMOVE a",
    "ADD #c :one",
    "SET pk = :v",
    "SET a = :missing",
    "SET a = ",
]
CONDITIONS = [None, None, "attribute_exists(pk)", "attribute_not_exists(pk)", "a = :v", "size(a) > :one"]


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    table = draw(st.sampled_from(["things", "things", "things", "plain", "indexed", "missing"]))
    key = {"pk": draw(st.sampled_from([{"S": "p"}, {"S": "p"}, {"S": "q"}, {"S": ""}]))}  # p/1 is seeded
    if table != "plain":
        key["sk"] = draw(st.sampled_from([{"N": "1"}, {"N": "1"}, {"N": "2"}]))
    expression = draw(st.sampled_from(UPDATES))
    condition = draw(st.sampled_from(CONDITIONS))
    request: dict[str, Any] = {"TableName": table, "Key": key, "UpdateExpression": expression}
    text = expression + (condition or "")
    if condition is not None:
        request["ConditionExpression"] = condition
    if "#c" in text or draw(st.booleans()):
        request["ExpressionAttributeNames"] = {"#c": "count"}
    candidates = ((":one", {"N": "1"}), (":zero", {"N": "0"}), (":v", draw(st.sampled_from(VALUES))))
    unused = st.sampled_from([False, False, False, True])  # now and then a value no expression uses
    values = {name: value for name, value in candidates if name in text or draw(unused)}
    if values:
        request["ExpressionAttributeValues"] = values
    returns = [
        {},
        {},
        {"ReturnValues": "ALL_NEW"},
        {"ReturnValues": "UPDATED_OLD"},
        {"ReturnValues": "BAD"},
        {"ReturnValues": None},  # present but null: not the shape of a request without it
    ]
    others = [{"ReturnConsumedCapacity": "TOTAL"}, {"ReturnValuesOnConditionCheckFailure": "ALL_OLD"}]
    request.update(draw(st.sampled_from([*returns, *others])))
    return request


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(updates(), min_size=1, max_size=10))
def test_the_update_lane_answers_as_the_full_pipeline(batch: list[dict[str, Any]]) -> None:
    """UpdateItem's lane runs the handler itself: its errors must be the full pipeline's too."""
    item = {"pk": {"S": "p"}, "sk": {"N": "1"}, "count": {"N": "5"}, "a": {"S": "x" * 1500}}  # 2 units
    _compare(
        [("UpdateItem", request) for request in batch], [("PutItem", {"TableName": "things", "Item": item})]
    )


KEY_CONDITIONS = [
    "pk = :p",
    "pk = :p AND sk >= :s",
    "pk = :p AND sk BETWEEN :s AND :t",
    "pk = :p AND begins_with(sk, :s)",
    "sk = :s",
    "pk = :p AND sk = :s AND sk = :t",
    "g = :g",
]
FILTERS = [None, None, "a = :v", "attribute_exists(a)", "pk = :p", "size(a) > :t"]


@st.composite
def queries(draw: st.DrawFn) -> dict[str, Any]:
    table = draw(st.sampled_from(["things", "things", "plain", "indexed", "missing"]))
    condition = draw(st.sampled_from(KEY_CONDITIONS))
    request: dict[str, Any] = {"TableName": table, "KeyConditionExpression": condition}
    text = condition
    filter_ = draw(st.sampled_from(FILTERS))
    if filter_ is not None:
        request["FilterExpression"] = filter_
        text += filter_
    candidates = (
        (":p", draw(st.sampled_from([{"S": "p"}, {"S": "q"}, {"N": "1"}]))),
        (":s", draw(st.sampled_from([{"N": "1"}, {"N": "2"}, {"S": "x"}]))),
        (":t", {"N": "3"}),
        (":g", {"S": "g"}),
        (":v", draw(st.sampled_from(VALUES))),
    )
    unused = st.sampled_from([False, False, False, True])
    values = {name: value for name, value in candidates if name in text or draw(unused)}
    if values:
        request["ExpressionAttributeValues"] = values
    extras = [
        {},
        {},
        {"Limit": 1},
        {"Limit": 2, "ScanIndexForward": False},
        {"ConsistentRead": True},
        {"ProjectionExpression": "pk, a"},
        {"Select": "COUNT"},
        {"IndexName": "by_g"},
        {"IndexName": "by_g"},
        {"ReturnConsumedCapacity": "TOTAL"},
        {"ExclusiveStartKey": {"pk": {"S": "p"}, "sk": {"N": "1"}}},
        {"Limit": 0},
        {"Limit": True},  # True == 1, but not a valid Limit: a vouched shape must tell them apart
        {"ScanIndexForward": 1},
        {"ConsistentRead": None},
    ]
    request.update(draw(st.sampled_from(extras)))
    return request


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(queries(), min_size=1, max_size=8))
def test_the_query_lane_answers_as_the_full_pipeline(batch: list[dict[str, Any]]) -> None:
    """Query's lane runs the handler itself: its pages, errors and units must be the full pipeline's."""
    seed = []
    for n in range(1, 4):
        big = {"S": "x" * 3000 * n}  # pages of several read units
        item = {"pk": {"S": "p"}, "sk": {"N": str(n)}, "a": big, "g": {"S": "g"}}
        seed += [("PutItem", {"TableName": name, "Item": item}) for name in ("things", "indexed")]
    _compare([("Query", request) for request in batch], seed)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(requests(), min_size=1, max_size=12))
def test_the_wire_door_answers_as_the_full_pipeline(batch: list[tuple[str, dict[str, Any]]]) -> None:
    """The same through the door the HTTP server and routed clients share (JSON in, JSON out)."""
    express, full = _emulator(True), _emulator(False)
    for operation, request in batch:
        try:
            target, body = encode_request(operation, request)
        except (TypeError, ValueError):  # a value JSON cannot carry (a tuple, a bytearray): not a wire case
            continue
        assert door.answer(express, target, body) == door.answer(full, target, body), request
    assert _state(express) == _state(full)


class _Count:
    """How many times a lane answered and declined."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, operation: str) -> None:
        self.answered = self.declined = 0
        record = OPERATIONS[operation]
        lane = record.express
        assert lane is not None

        def counted(emu: Any, request: Any) -> Any:
            answer = lane(emu, request)
            if answer is None:
                self.declined += 1
            else:
                self.answered += 1
            return answer

        monkeypatch.setattr(record, "express", counted)


PUT: dict[str, Any] = {
    "TableName": "things",
    "Item": {"pk": {"S": "p"}, "sk": {"N": "1"}, "n": {"N": "2.50"}},
}
GET: dict[str, Any] = {
    "TableName": "things",
    "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}},
    "ConsistentRead": True,
}


def test_plain_requests_take_the_lanes_from_every_door(monkeypatch: pytest.MonkeyPatch) -> None:
    puts, gets = _Count(monkeypatch, "PutItem"), _Count(monkeypatch, "GetItem")
    emu = _emulator(True)
    emu.client().put_item(**PUT)
    assert emu.boto3_client().get_item(**GET)["Item"]["n"] == {"N": "2.5"}
    body = b'{"TableName":"things","Key":{"pk":{"S":"p"},"sk":{"N":"1"}}}'
    assert door.answer(emu, "DynamoDB_20120810.GetItem", body) == (
        200,
        b'{"Item":{"pk":{"S":"p"},"sk":{"N":"1"},"n":{"N":"2.5"}}}',
    )
    assert (puts.answered, gets.answered, gets.declined) == (1, 2, 0)
    assert emu.capacity.total(operation="PutItem") == 1.0
    assert emu.capacity.total(operation="GetItem") == 1.5  # a consistent read and an eventual one


def test_other_requests_are_declined(monkeypatch: pytest.MonkeyPatch) -> None:
    puts, gets = _Count(monkeypatch, "PutItem"), _Count(monkeypatch, "GetItem")
    client = _emulator(True).client()
    client.put_item(**PUT, ReturnValues="ALL_OLD")
    client.put_item(TableName="indexed", Item={**PUT["Item"], "g": {"S": "x"}})  # a table with an index
    client.put_item(TableName="things", Item={**PUT["Item"], "m": {"M": {}}})  # not a plain value
    client.get_item(**GET, ProjectionExpression="pk")
    client.get_item(**GET, AttributesToGet=["pk"])
    with pytest.raises(ClientError, match="Missing the key sk"):
        client.put_item(TableName="things", Item={"pk": {"S": "p"}})
    with pytest.raises(ClientError, match="returnConsumedCapacity"):
        client.get_item(**GET, ReturnConsumedCapacity="EVERYTHING")  # the service's enum, not botocore's
    assert puts.answered == gets.answered == 0
    assert (puts.declined, gets.declined) == (4, 3)


def test_capacity_asked_back_is_answered_by_the_lanes(monkeypatch: pytest.MonkeyPatch) -> None:
    puts, gets = _Count(monkeypatch, "PutItem"), _Count(monkeypatch, "GetItem")
    client = _emulator(True).client()
    put = client.put_item(**PUT, ReturnConsumedCapacity="INDEXES")
    get = client.get_item(**GET, ReturnConsumedCapacity="TOTAL")
    assert put["ConsumedCapacity"] == {
        "TableName": "things",
        "CapacityUnits": 1.0,
        "Table": {"CapacityUnits": 1.0},
    }
    assert get["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 1.0}
    assert puts.answered == gets.answered == 1


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param(lambda emu: emu.faults.internal_error("Scan"), id="a pending fault"),
        pytest.param(lambda emu: emu.set_journal(lambda *args: None), id="a journal"),
        pytest.param(lambda emu: setattr(emu, "table_lifecycle", True), id="the table lifecycle"),
        pytest.param(lambda emu: setattr(emu, "express_lanes", False), id="lanes off"),
    ],
)
def test_no_lane_while_a_stage_has_work(monkeypatch: pytest.MonkeyPatch, setup: Any) -> None:
    puts = _Count(monkeypatch, "PutItem")
    emu = _emulator(True)
    setup(emu)
    emu.client().put_item(**PUT)
    assert puts.answered == puts.declined == 0
    assert emu.dispatch("GetItem", GET)["Item"]["n"] == {"N": "2.5"}


def test_ttl_expiry_runs_before_the_lane() -> None:
    emu = DynamoDBEmulator(ttl_mode="immediate")
    emu.dispatch("CreateTable", table_request("things"))
    emu.dispatch(
        "UpdateTimeToLive",
        {"TableName": "things", "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "exp"}},
    )
    emu.clock.set(1_000.0)
    client = emu.client()
    client.put_item(TableName="things", Item={**PUT["Item"], "exp": {"N": "1500"}})
    assert "Item" in client.get_item(**GET)
    emu.clock.set(2_000.0)
    assert "Item" not in client.get_item(**GET)  # expired before the lane looked


def test_streams_and_snapshots_see_lane_writes() -> None:
    emu = _emulator(True)
    emu.dispatch(
        "UpdateTable",
        {
            "TableName": "things",
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        },
    )
    client = emu.client()
    with emu.rollback():
        client.put_item(**PUT)
        assert [r["eventName"] for r in emu.stream_records("things")] == ["INSERT"]
    assert "Item" not in client.get_item(**GET)  # undone with the snapshot
    client.put_item(**PUT)
    with emu.rollback():
        client.delete_item(TableName="things", Key=GET["Key"])
        assert [r["eventName"] for r in emu.stream_records("things")][-1] == "REMOVE"
    assert client.get_item(**GET)["Item"]["n"] == {"N": "2.5"}  # the delete undone with the snapshot


def test_a_lane_bug_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(emu: Any, request: Any) -> Any:
        raise KeyError("bug")

    monkeypatch.setattr(OPERATIONS["GetItem"], "express", broken)
    emu = _emulator(True)
    with pytest.raises(DynamoDBError, match="InternalServerError"):
        emu.express("GetItem", GET)
    with pytest.raises(ClientError, match="InternalServerError"):
        emu.client().get_item(**GET)


def test_a_lane_leaves_the_lock_free_whatever_it_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The lane takes the lock without ``with``: it must be free after an answer, a decline, a
    DynamoDB error, a bug and an interrupt, and observers hear of each outside it. (The lock is
    reentrant, so a lock left held would go unseen by a single thread: ask it.)"""
    emu = _emulator(True)
    owned = emu.lock._is_owned  # type: ignore[attr-defined]
    seen: list[tuple[bool, str | None]] = []
    emu.observe(lambda o: seen.append((owned(), None if o.error is None else o.error.code)))
    assert emu.express("GetItem", GET) is not None
    assert emu.express("GetItem", {**GET, "ProjectionExpression": "n"}) is None  # declined
    assert not owned()
    lane = OPERATIONS["GetItem"].express

    def failing(error: BaseException) -> Callable[[Any, Any], Any]:
        def run(emu: Any, request: Any) -> Any:
            raise error

        return run

    monkeypatch.setattr(OPERATIONS["GetItem"], "express", failing(ddb_error("ValidationException", "x")))
    with pytest.raises(DynamoDBError, match="ValidationException"):
        emu.express("GetItem", GET)
    assert not owned()
    monkeypatch.setattr(OPERATIONS["GetItem"], "express", failing(KeyError("bug")))
    with pytest.raises(DynamoDBError, match="InternalServerError") as raised:
        emu.express("GetItem", GET)
    assert isinstance(raised.value.__cause__, KeyError)
    assert not owned()
    monkeypatch.setattr(OPERATIONS["GetItem"], "express", failing(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        emu.express("GetItem", GET)
    assert not owned()
    monkeypatch.setattr(OPERATIONS["GetItem"], "express", lane)
    assert seen == [(False, None), (False, "ValidationException"), (False, "InternalServerError")]


def test_a_lane_runs_its_stages_in_the_pipeline_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """TTL before the lane, the ledger after it answered, observers last and outside the lock."""
    emu = _emulator(True)
    events: list[str] = []
    record = OPERATIONS["GetItem"]
    lane, expire_due, charge = record.express, emu.ttl.expire_due, emu.capacity.charge
    assert lane is not None

    def traced(name: str, call: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any) -> Any:
            events.append(name)
            return call(*args)

        return run

    monkeypatch.setattr(emu.ttl, "active", True)
    monkeypatch.setattr(emu.ttl, "expire_due", traced("ttl", expire_due))
    monkeypatch.setattr(record, "express", traced("handler", lane))
    monkeypatch.setattr(emu.capacity, "charge", traced("capacity", charge))
    locked = emu.lock._is_owned  # type: ignore[attr-defined]
    emu.observe(lambda seen: events.append("observers, locked" if locked() else "observers"))
    emu.client().get_item(**GET)
    assert events == ["ttl", "handler", "capacity", "observers"]


def test_a_vouched_shape_tells_equal_values_of_other_types_apart() -> None:
    """``VouchedShapes`` (the lanes' memory of shapes seen valid): ``Limit=True`` equals ``Limit=1`` and a
    null member is a member, yet neither request is valid when the other was."""
    query = {
        "TableName": "things",
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "p"}},
    }
    update = {
        "TableName": "things",
        "Key": {"pk": {"S": "p"}, "sk": {"N": "1"}},
        "UpdateExpression": "SET a = :v",
    }
    update["ExpressionAttributeValues"] = {":v": {"S": "x"}}
    _compare(
        [
            ("Query", {**query, "Limit": 1}),
            ("Query", {**query, "Limit": True}),
            ("Query", {**query, "ConsistentRead": False}),
            ("Query", {**query, "ConsistentRead": 0}),
            ("UpdateItem", update),
            ("UpdateItem", {**update, "ReturnValues": None}),
            ("UpdateItem", {**update, "ExpressionAttributeValues": {":v": {"S": "x"}, ":w": {"S": "y"}}}),
            ("UpdateItem", update),
        ]
    )


def test_vouched_shapes_are_plain_bounded_and_never_crash() -> None:
    shapes = VouchedShapes(frozenset({"TableName", "A", "ExpressionAttributeValues"}), ("A",), limit=2)
    plain = {"TableName": "t", "A": "x", "ExpressionAttributeValues": {":v": {"N": "1"}}}
    assert shapes.shape({**plain, "B": 1}) is None  # a member outside the shapes: the full checks decide
    assert shapes.shape({**plain, "ExpressionAttributeValues": {":v": {"L": []}}}) is None  # not plain
    assert shapes.shape({**plain, "ExpressionAttributeValues": [None]}) is None
    assert shapes.get(shapes.shape({**plain, "A": ["unhashable"]})) is UNSEEN
    shapes.vouch(shapes.shape({**plain, "A": ["unhashable"]}), None)  # ignored, no error
    first = shapes.shape(plain)
    assert shapes.get(first) is UNSEEN
    shapes.vouch(first, "compiled")
    assert shapes.get(shapes.shape(dict(plain))) == "compiled"
    assert shapes.get(shapes.shape({**plain, "A": "y"})) is UNSEEN
    shapes.vouch(shapes.shape({**plain, "A": "y"}), "other")
    shapes.vouch(shapes.shape({**plain, "A": "z"}), "third")  # past the limit: the memory starts again
    assert shapes.get(first) is UNSEEN


def test_a_caller_changing_its_values_after_a_call_changes_no_remembered_answer() -> None:
    """Vouched shapes and compiled expressions are shared by later requests with equal values: they must
    hold copies, not the caller's dicts."""
    client = _emulator(True).client()
    client.put_item(TableName="things", Item={"pk": {"S": "p"}, "sk": {"N": "1"}, "n": {"N": "5"}})
    values = {":p": {"S": "p"}, ":v": {"N": "5"}}
    query = {"TableName": "things", "KeyConditionExpression": "pk = :p", "FilterExpression": "n = :v"}
    assert client.query(**query, ExpressionAttributeValues=values)["Count"] == 1
    values[":v"]["N"] = "6"  # the same dict, changed
    assert client.query(**query, ExpressionAttributeValues=values)["Count"] == 0
    assert client.query(**query, ExpressionAttributeValues={":p": {"S": "p"}, ":v": {"N": "5"}})["Count"] == 1


KEY_SCHEMAS = [
    KeySchema("pk", "S"),
    KeySchema("pk", "S", "sk", "N"),
    KeySchema("id", "N", "at", "S"),
    KeySchema("pk", "B"),
    KeySchema("pk", "S", "sk", "B"),
]


@given(
    schema=st.sampled_from(KEY_SCHEMAS),
    members=st.dictionaries(
        st.sampled_from(["pk", "sk", "id", "at", "other"]),
        st.sampled_from([*VALUES, {"S": "é" * 600}, {"S": "x" * 2049}, {"S": "a", "N": "1"}]),
    ),
)
def test_a_plain_position_is_where_the_checked_path_puts_the_key(schema: KeySchema, members: Any) -> None:
    """The lanes' key reader vouches only for keys the checked path accepts, at the same
    position (sort values of the same types), and it vouches for every plain S and canonical N key."""
    position = plain_position(schema, members)
    try:
        checked = TableStore(schema).position(parse_key(schema, members))
    except DynamoDBError:
        checked = None
    if position is not None:
        assert position == checked and list(map(type, position)) == list(map(type, checked))
    plain = all(
        members.get(name) in ({"S": "a"}, {"N": "1"}) and kind in members[name]
        for name, kind in ((schema.hash_name, schema.hash_type), (schema.range_name, schema.range_type))
        if name is not None
    ) and len(members) == len(schema.names)
    assert position is not None or not plain, members


@pytest.mark.parametrize(
    "members",
    [
        {"pk": {"S": "a"}, "sk": {"S": "é" * 600}},  # 600 characters, 1,200 bytes: over the sort key's 1,024
        {"pk": {"S": "é" * 1100}, "sk": {"S": "a"}},  # 2,200 bytes: over the partition key's 2,048
        {"pk": {"S": "a"}, "sk": {"S": "x" * 1025}},
    ],
)
def test_a_key_over_its_byte_limit_is_never_plain(members: dict[str, Any]) -> None:
    schema = KeySchema("pk", "S", "sk", "S")
    assert plain_position(schema, members) is None
    with pytest.raises(DynamoDBError):
        parse_key(schema, members)
