"""Snapshots and rollback: cheap to take, exact to restore (tables, items, indexes, TTL, streams, tags,
ledger), with a Hypothesis state machine doing random work between snapshots and restores."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient
from theorydb_mocks.emulator.snapshots import SnapshotError

GSI = {
    "IndexName": "by-owner",
    "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "KEYS_ONLY"},
}


def state_of(emu: DynamoDBEmulator) -> dict[str, Any]:
    """Everything observable, as plain data: descriptions, items, index entries, TTL, streams, ledger.

    Read without requests: the clock is not turned back by a restore, so a request would at once expire
    (in immediate mode) what the clock has passed since the snapshot.
    """
    state: dict[str, Any] = {}
    for name, table in sorted(emu.tables.items()):
        store = table.store
        store._check()
        state[name] = {
            "description": table.description(),
            "items": sorted(repr(item) for item in store.items()),
            "indexes": {
                index: sorted(repr(item) for item in store.scan(index=index)) for index in store.index_names
            },
            "ttl": emu.ttl.attribute_of(table),  # not a request: one would expire what the clock passed
            "tags": table.tags,
        }
    state["streams"] = {
        arn: (stream.status, stream.end_sequence, [r.sequence for r in stream.records[stream.first :]])
        for arn, stream in emu.streams.streams.items()
    }
    state["records"] = {name: emu.stream_records(name) for name in sorted(emu.tables)}
    state["ledger"] = emu.capacity.entries
    return state


def _put(client: EmulatorClient, n: int, **more: Any) -> None:
    client.put_item(TableName="things", Item={"pk": {"S": f"k{n}"}, "sk": {"N": "1"}, **more})


def test_rollback_undoes_items_tables_indexes_ttl_streams_and_ledger(
    emu: DynamoDBEmulator, client: EmulatorClient
) -> None:
    spec = {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    client.create_table(**table_request("things", StreamSpecification=spec))
    for n in range(5):
        _put(client, n)
    before = state_of(emu)
    with emu.rollback():
        _put(client, 1, extra={"S": "changed"})
        _put(client, 99)
        client.delete_item(TableName="things", Key={"pk": {"S": "k2"}, "sk": {"N": "1"}})
        client.update_table(
            TableName="things",
            AttributeDefinitions=[{"AttributeName": "owner", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": GSI}],
        )
        client.update_time_to_live(
            TableName="things", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
        )
        client.update_table(TableName="things", StreamSpecification={"StreamEnabled": False})
        client.create_table(**table_request("other"))
        assert state_of(emu) != before
    assert state_of(emu) == before
    # Still writable, still streaming, as before the block.
    _put(client, 100)
    assert emu.stream_records("things")[-1]["dynamodb"]["Keys"]["pk"] == {"S": "k100"}


def test_a_deleted_table_comes_back_with_its_items(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    client.create_table(
        **table_request(
            "things",
            GlobalSecondaryIndexes=[GSI],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "owner", "AttributeType": "S"},
            ],
        )
    )
    _put(client, 1, owner={"S": "o"})
    snap = emu.snapshot()
    before = state_of(emu)
    client.update_table(
        TableName="things", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-owner"}}]
    )
    _put(client, 2, owner={"S": "o"})
    client.delete_table(TableName="things")
    emu.restore(snap)
    assert state_of(emu) == before
    found = client.query(
        TableName="things",
        IndexName="by-owner",
        KeyConditionExpression="#o = :o",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":o": {"S": "o"}},
    )
    assert [item["pk"]["S"] for item in found["Items"]] == ["k1"]


def test_restore_twice_and_later_snapshots_become_invalid(
    emu: DynamoDBEmulator, client: EmulatorClient
) -> None:
    client.create_table(**table_request("things"))
    first = emu.snapshot()
    _put(client, 1)
    second = emu.snapshot()
    _put(client, 2)
    emu.restore(second)
    assert emu.dispatch("Scan", {"TableName": "things"})["Count"] == 1
    emu.restore(first)
    assert emu.dispatch("Scan", {"TableName": "things"})["Count"] == 0
    _put(client, 3)
    emu.restore(first)  # the same snapshot, again
    assert emu.dispatch("Scan", {"TableName": "things"})["Count"] == 0
    with pytest.raises(SnapshotError, match="cannot be restored"):
        emu.restore(second)
    with pytest.raises(SnapshotError, match="another emulator"):
        DynamoDBEmulator().restore(first)


def test_no_undo_log_without_a_live_snapshot(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    client.create_table(**table_request("things"))
    with emu.rollback():
        _put(client, 1)
        assert len(emu.snapshots._log) == 1
    _put(client, 2)
    assert emu.snapshots._log == [] and emu.snapshots._observed == {}
    snap = emu.snapshot()
    del snap  # dropped without release: the log notices within a few thousand writes
    for n in range(4096):
        _put(client, n)
    assert emu.snapshots._log == [] and emu.snapshots._observed == {}


def test_snapshots_never_walk_the_items(
    emu: DynamoDBEmulator, client: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.create_table(**table_request("things"))
    store = emu.get_table("things").store
    for n in range(2_000):
        store.put({"pk": {"S": f"k{n}"}, "sk": {"N": "1"}})

    def walked(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a snapshot walked the items")

    monkeypatch.setattr(store, "items", walked)
    monkeypatch.setattr(type(store._table), "entries", walked)
    with emu.rollback():
        _put(client, 1, changed={"BOOL": True})
        _put(client, 5000)
        assert len(emu.snapshots._log) == 2  # restoring costs the changes made, not the table's size
    assert store.item_count == 2_000
    assert "changed" not in (store.get({"pk": {"S": "k1"}, "sk": {"N": "1"}}) or {})


def test_rollback_restores_on_exceptions_too(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    client.create_table(**table_request("things"))
    with pytest.raises(RuntimeError), emu.rollback():
        _put(client, 1)
        raise RuntimeError("the test failed")
    assert emu.dispatch("Scan", {"TableName": "things"})["Count"] == 0


KEYS = st.integers(min_value=0, max_value=6)


class SnapshotMachine(RuleBasedStateMachine):
    """Random work; snapshots along the way; a restore must give back exactly the saved state."""

    def __init__(self) -> None:
        super().__init__()
        self.emu = DynamoDBEmulator(ttl_mode="immediate")
        self.emu.clock.set(1_700_000_000)
        self.client = self.emu.client()
        request = table_request(
            "things", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
        )
        self.client.create_table(**request)
        self.saved: list[tuple[Any, dict[str, Any]]] = []

    def _has(self, name: str) -> bool:
        return name in self.emu.tables

    @rule(n=KEYS, value=st.integers(0, 3), expires=st.none() | st.integers(1, 30))
    def put(self, n: int, value: int, expires: int | None) -> None:
        item: dict[str, Any] = {"pk": {"S": f"k{n}"}, "sk": {"N": "1"}, "v": {"N": str(value)}}
        if expires is not None:
            item["expires"] = {"N": str(1_700_000_000 + expires)}
        if n % 2:
            item["owner"] = {"S": f"o{value}"}
        self.client.put_item(TableName="things", Item=item)

    @rule(n=KEYS)
    def delete(self, n: int) -> None:
        self.client.delete_item(TableName="things", Key={"pk": {"S": f"k{n}"}, "sk": {"N": "1"}})

    @rule(n=KEYS)
    def update(self, n: int) -> None:
        self.client.update_item(
            TableName="things",
            Key={"pk": {"S": f"k{n}"}, "sk": {"N": "1"}},
            UpdateExpression="ADD v :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )

    @rule(a=KEYS, b=KEYS)
    def transact(self, a: int, b: int) -> None:
        if a == b:
            return
        self.client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": "things",
                        "Item": {"pk": {"S": f"k{a}"}, "sk": {"N": "1"}, "t": {"N": "1"}},
                    }
                },
                {"Delete": {"TableName": "things", "Key": {"pk": {"S": f"k{b}"}, "sk": {"N": "1"}}}},
            ]
        )

    @rule(keys=st.lists(KEYS, min_size=1, max_size=3, unique=True))
    def batch(self, keys: list[int]) -> None:
        self.client.batch_write_item(
            RequestItems={
                "things": [{"PutRequest": {"Item": {"pk": {"S": f"k{n}"}, "sk": {"N": "2"}}}} for n in keys]
            }
        )

    @rule(value=st.sampled_from(["red", "blue"]))
    def tag(self, value: str) -> None:
        arn = self.emu.tables["things"].arn
        self.client.tag_resource(ResourceArn=arn, Tags=[{"Key": "colour", "Value": value}])

    @rule()
    def toggle_index(self) -> None:
        table = self.emu.tables["things"]
        if "by-owner" in table.gsis:
            update: dict[str, Any] = {"Delete": {"IndexName": "by-owner"}}
        else:
            update = {"Create": GSI}
        self.client.update_table(
            TableName="things",
            AttributeDefinitions=[{"AttributeName": "owner", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[update],
        )

    @rule()
    def toggle_ttl(self) -> None:
        on = self.emu.ttl.attribute_of(self.emu.tables["things"]) is None
        spec = {"Enabled": on, "AttributeName": "expires"}
        self.client.update_time_to_live(TableName="things", TimeToLiveSpecification=spec)

    @rule()
    def toggle_stream(self) -> None:
        if self.emu.tables["things"].stream_specification is None:
            spec: dict[str, Any] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        else:
            spec = {"StreamEnabled": False}
        self.client.update_table(TableName="things", StreamSpecification=spec)

    @rule()
    def toggle_other_table(self) -> None:
        if self._has("other"):
            self.client.delete_table(TableName="other")
        else:
            self.client.create_table(**table_request("other"))
            self.client.put_item(TableName="other", Item={"pk": {"S": "x"}, "sk": {"N": "1"}})

    @rule(seconds=st.integers(1, 20))
    def advance(self, seconds: int) -> None:
        self.emu.clock.advance(seconds)
        self.client.scan(TableName="things")  # lets TTL expire what is due

    @rule()
    def snapshot(self) -> None:
        self.saved.append((self.emu.snapshot(), state_of(self.emu)))

    @precondition(lambda self: bool(self.saved))
    @rule(data=st.data())
    def restore(self, data: st.DataObject) -> None:
        position = data.draw(st.integers(0, len(self.saved) - 1))
        snap, expected = self.saved[position]
        self.emu.restore(snap)
        del self.saved[position + 1 :]  # later snapshots are invalid now
        assert state_of(self.emu) == expected

    @invariant()
    def consistent(self) -> None:
        for table in self.emu.tables.values():
            table.store._check()


SnapshotMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_snapshot_state_machine = SnapshotMachine.TestCase
