"""The pipeline around every handler: its stages run in one order (faults, TTL, capacity, handler, journal,
observers), each plugged-in stage sees what it should, and the operation records hold the facts."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator, door
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.operations._registry import OPERATIONS, record_for
from theorydb_mocks.emulator.pipeline import STAGES, Observation, WireRequest

PUT = {"TableName": "things", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}}}


class Trace:
    """Records which stage ran, in order, by wrapping each stage's entry point on one emulator."""

    def __init__(self, emu: DynamoDBEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[str] = []
        self.locked_in_journal: list[bool] = []
        faults_dispatch = emu.faults.dispatch
        expire_due = emu.ttl.expire_due
        record = emu.capacity.record
        put = OPERATIONS["PutItem"]
        handler = put.handler
        assert handler is not None

        def faults(*args: Any) -> Any:
            self.events.append("faults")
            return faults_dispatch(*args)

        def ttl() -> int:
            self.events.append("ttl")
            return expire_due()

        def capacity(operation: str, consumed: Any) -> None:
            self.events.append("capacity")
            record(operation, consumed)

        def run(state: Any, request: Any) -> Any:
            self.events.append("handler")
            return handler(state, request)

        def journal(operation: str, request: Any, origin: WireRequest | None, at: float) -> None:
            self.events.append("journal")
            self.locked_in_journal.append(emu.lock._is_owned())  # type: ignore[attr-defined]

        monkeypatch.setattr(emu.faults, "dispatch", faults)
        monkeypatch.setattr(emu.ttl, "expire_due", ttl)
        monkeypatch.setattr(emu.ttl, "active", True)
        monkeypatch.setattr(emu.capacity, "record", capacity)
        monkeypatch.setattr(put, "handler", run)
        emu.set_journal(journal)
        emu.observe(lambda seen: self.events.append("observers"))


@pytest.fixture
def ready() -> DynamoDBEmulator:
    emu = DynamoDBEmulator()
    emu.dispatch("CreateTable", table_request("things"))
    return emu


def test_stages_are_named_in_their_order() -> None:
    assert STAGES == ("faults", "validate", "ttl", "capacity", "handler", "journal", "observers")


def test_stages_run_in_order(ready: DynamoDBEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    trace = Trace(ready, monkeypatch)
    ready.faults.internal_error("GetItem")  # pending (for another operation): the faults stage runs
    ready.dispatch("PutItem", PUT)
    # The capacity stage wraps the handler: it records the handler's units once the handler answered.
    assert trace.events == ["faults", "ttl", "handler", "capacity", "journal", "observers"]
    assert trace.locked_in_journal == [True]


def test_a_fault_answers_before_ttl_and_capacity(
    ready: DynamoDBEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    trace = Trace(ready, monkeypatch)
    ready.faults.throttle("PutItem")
    with pytest.raises(DynamoDBError, match="ProvisionedThroughputExceeded"):
        ready.dispatch("PutItem", PUT)
    assert trace.events == ["faults", "observers"]
    assert ready.capacity.entries == []


def test_journal_runs_only_after_success(ready: DynamoDBEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    trace = Trace(ready, monkeypatch)
    failing = {**PUT, "ConditionExpression": "attribute_exists(pk)"}
    with pytest.raises(DynamoDBError, match="ConditionalCheckFailed"):
        ready.dispatch("PutItem", failing)
    assert trace.events == ["ttl", "handler", "observers"]
    assert ready.capacity.entries == []  # failed requests are not recorded


def test_read_only_operations_are_not_journaled(ready: DynamoDBEmulator) -> None:
    seen: list[str] = []
    ready.set_journal(lambda operation, request, origin, at: seen.append(operation))
    ready.dispatch("PutItem", PUT)
    ready.dispatch("GetItem", {"TableName": "things", "Key": PUT["Item"]})
    ready.dispatch("DescribeTable", {"TableName": "things"})
    ready.dispatch(
        "UpdateTimeToLive",
        {"TableName": "things", "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}},
    )
    assert seen == ["PutItem", "UpdateTimeToLive"]


def test_journal_gets_the_wire_request_from_the_door(ready: DynamoDBEmulator) -> None:
    seen: list[tuple[WireRequest | None, float]] = []
    ready.clock.set(1_700_000_000.0)
    ready.set_journal(lambda operation, request, origin, at: seen.append((origin, at)))
    body = b'{"TableName":"things","Item":{"pk":{"S":"b"},"sk":{"N":"2"}}}'
    assert door.answer(ready, "DynamoDB_20120810.PutItem", body) == (200, b"{}")
    ready.dispatch("PutItem", PUT)
    assert seen == [(("DynamoDB_20120810.PutItem", body), 1_700_000_000.0), (None, 1_700_000_000.0)]


def test_one_journal_per_emulator(ready: DynamoDBEmulator) -> None:
    ready.set_journal(lambda *args: None)
    with pytest.raises(RuntimeError, match="already has a journal"):
        ready.set_journal(lambda *args: None)
    ready.set_journal(None)
    ready.set_journal(lambda *args: None)


def test_observers_see_answers_and_errors_and_can_stop(ready: DynamoDBEmulator) -> None:
    seen: list[Observation] = []
    stop = ready.observe(seen.append)
    ready.dispatch("PutItem", PUT)
    with pytest.raises(DynamoDBError):
        ready.dispatch("DescribeTable", {"TableName": "missing"})
    with pytest.raises(DynamoDBError, match="UnknownOperation"):
        ready.dispatch("Nope", {})
    stop()
    ready.dispatch("ListTables", {})
    assert [(s.operation, s.ok) for s in seen] == [
        ("PutItem", True),
        ("DescribeTable", False),
        ("Nope", False),
    ]
    assert seen[0].response == {} and seen[0].request is PUT
    assert seen[1].error is not None and seen[1].error.code == "ResourceNotFoundException"


def test_observers_run_outside_the_lock(ready: DynamoDBEmulator) -> None:
    held: list[bool] = []
    ready.observe(lambda seen: held.append(ready.lock._is_owned()))  # type: ignore[attr-defined]
    ready.dispatch("ListTables", {})
    assert held == [False]


def test_observers_see_every_door(ready: DynamoDBEmulator) -> None:
    seen: list[str] = []
    ready.observe(lambda s: seen.append(s.operation))
    ready.client().list_tables()
    ready.boto3_client().describe_table(TableName="things")
    door.answer(ready, "DynamoDBStreams_20120810.ListStreams", b"{}")
    assert seen == ["ListTables", "DescribeTable", "ListStreams"]


def test_operation_records_hold_the_facts() -> None:
    get, put, batch = OPERATIONS["GetItem"], OPERATIONS["PutItem"], OPERATIONS["BatchWriteItem"]
    assert get.metered and get.read_only and not get.mutates and get.capacity_kind == "read"
    assert put.metered and put.mutates and put.capacity_kind == "write" and put.faults is None
    assert batch.faults == "batch" and OPERATIONS["TransactGetItems"].faults == "transaction"
    assert OPERATIONS["GetRecords"].service == "dynamodbstreams" and OPERATIONS["GetRecords"].read_only
    assert not OPERATIONS["CreateTable"].metered and OPERATIONS["CreateTable"].mutates
    for name, record in OPERATIONS.items():
        assert record.name == name and record.handler is not None
        assert record.read_only == name.startswith(
            ("Describe", "List", "Get", "Query", "Scan", "BatchGet", "TransactGet", "Search")
        ), name


def test_unimplemented_and_unknown_operations(monkeypatch: pytest.MonkeyPatch) -> None:
    # An operation the service models without a handler here (one taken out of the registry for the test,
    # as every modeled operation may be implemented).
    monkeypatch.delitem(OPERATIONS, "DescribeKinesisStreamingDestination")
    modeled = record_for("DescribeKinesisStreamingDestination")
    assert modeled.handler is None and modeled.service == "dynamodb"
    with pytest.raises(DynamoDBError, match="does not implement"):
        DynamoDBEmulator().dispatch("DescribeKinesisStreamingDestination", {"TableName": "things"})
    with pytest.raises(DynamoDBError, match="UnknownOperation"):
        record_for("Nope")
    with pytest.raises(DynamoDBError, match="UnknownOperation"):
        record_for(42)


def test_journal_and_observers_under_threads(ready: DynamoDBEmulator) -> None:
    journaled: list[str] = []
    observed: list[str] = []
    ready.set_journal(lambda operation, request, origin, at: journaled.append(request["Item"]["pk"]["S"]))
    ready.observe(lambda seen: observed.append(seen.operation))

    def work(n: int) -> None:
        for i in range(25):
            ready.dispatch(
                "PutItem", {"TableName": "things", "Item": {"pk": {"S": f"{n}-{i}"}, "sk": {"N": "1"}}}
            )

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(journaled) == len(set(journaled)) == 100
    assert observed == ["PutItem"] * 100
