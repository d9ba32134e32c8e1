"""The capacity ledger (``emu.capacity``): every request's units by table, index and operation, whether or
not it asked for ReturnConsumedCapacity, and the answers still shaped as each request asked."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient
from theorydb_mocks.emulator.ledger import CapacityLedger, LedgerEntry

GSI = {
    "IndexName": "by-owner",
    "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
    "Projection": {"ProjectionType": "ALL"},
}


@pytest.fixture
def indexed(client: EmulatorClient) -> str:
    request = table_request("things", GlobalSecondaryIndexes=[GSI])
    request["AttributeDefinitions"].append({"AttributeName": "owner", "AttributeType": "S"})
    client.create_table(**request)
    return "things"


def _item(n: int, size: int = 10, owner: str | None = "o") -> dict[str, Any]:
    item: dict[str, Any] = {"pk": {"S": f"k{n}"}, "sk": {"N": "1"}, "data": {"S": "x" * size}}
    if owner is not None:
        item["owner"] = {"S": owner}
    return item


def test_writes_are_recorded_without_asking(
    emu: DynamoDBEmulator, client: EmulatorClient, indexed: str
) -> None:
    answer = client.put_item(TableName=indexed, Item=_item(1, size=1500))
    assert "ConsumedCapacity" not in answer
    # 2 KB: two write units on the table, two on the GSI that projects it.
    assert emu.capacity.entries == [
        LedgerEntry("PutItem", "things", None, 2.0, "write"),
        LedgerEntry("PutItem", "things", "by-owner", 2.0, "write"),
    ]
    assert emu.capacity.total(table="things") == 4.0
    assert emu.capacity.total(table="things", index=None) == 2.0
    assert emu.capacity.total(index="by-owner") == 2.0
    assert emu.capacity.total(kind="read") == 0.0


def test_answers_keep_the_shape_the_request_asked_for(client: EmulatorClient, indexed: str) -> None:
    total = client.put_item(TableName=indexed, Item=_item(1), ReturnConsumedCapacity="TOTAL")
    assert total["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 2.0}
    detail = client.put_item(TableName=indexed, Item=_item(2), ReturnConsumedCapacity="INDEXES")
    assert detail["ConsumedCapacity"] == {
        "TableName": "things",
        "CapacityUnits": 2.0,
        "Table": {"CapacityUnits": 1.0},
        "GlobalSecondaryIndexes": {"by-owner": {"CapacityUnits": 1.0}},
    }
    none = client.put_item(TableName=indexed, Item=_item(3), ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in none


def test_reads_halve_for_eventual_consistency(
    emu: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    client.put_item(TableName=table, Item=_item(1, size=5000, owner=None))
    emu.capacity.reset()
    key = {"pk": {"S": "k1"}, "sk": {"N": "1"}}
    client.get_item(TableName=table, Key=key)
    client.get_item(TableName=table, Key=key, ConsistentRead=True)
    assert [e.units for e in emu.capacity.entries] == [1.0, 2.0]
    assert emu.capacity.total(operation="GetItem", kind="read") == 3.0


def test_query_scan_and_batches_by_operation(
    emu: DynamoDBEmulator, client: EmulatorClient, indexed: str
) -> None:
    client.batch_write_item(RequestItems={indexed: [{"PutRequest": {"Item": _item(n)}} for n in range(3)]})
    client.query(
        TableName=indexed,
        IndexName="by-owner",
        KeyConditionExpression="#o = :o",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":o": {"S": "o"}},
    )
    client.scan(TableName=indexed, ConsistentRead=True)
    client.batch_get_item(
        RequestItems={indexed: {"Keys": [{"pk": {"S": "k0"}, "sk": {"N": "1"}}], "ConsistentRead": True}}
    )
    totals = emu.capacity.by_operation()
    assert totals == {"BatchWriteItem": 6.0, "Query": 0.5, "Scan": 1.0, "BatchGetItem": 1.0}
    assert emu.capacity.total(operation="Query", index="by-owner") == 0.5
    assert emu.capacity.total(operation="Query", index=None) == 0.0


def test_failed_requests_are_not_recorded(emu: DynamoDBEmulator, client: EmulatorClient, table: str) -> None:
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        client.put_item(
            TableName=table, Item=_item(1, owner=None), ConditionExpression="attribute_exists(pk)"
        )
    assert emu.capacity.entries == []


def test_a_disabled_ledger_records_nothing_and_answers_still_report() -> None:
    emu = DynamoDBEmulator(capacity_ledger=False)
    quiet = emu.client()
    quiet.create_table(**table_request("things"))
    quiet.put_item(TableName="things", Item=_item(1, owner=None))
    assert emu.capacity.entries == [] and emu.capacity.total() == 0.0
    answer = quiet.put_item(TableName="things", Item=_item(2, owner=None), ReturnConsumedCapacity="TOTAL")
    assert answer["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 1.0}


def test_old_requests_fold_into_totals() -> None:
    ledger = CapacityLedger(keep=2)
    for n in range(7):
        ledger.record(
            "PutItem", {"TableName": "t", "CapacityUnits": float(n), "Table": {"CapacityUnits": float(n)}}
        )
    assert len(ledger.entries) <= 4
    assert ledger.total() == sum(range(7)) == ledger.by_operation()["PutItem"]
    assert ledger.total(table="t", index=None, operation="PutItem", kind="write") == 21.0
    ledger.reset()
    assert ledger.total() == 0.0


_STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("charge"),
            st.sampled_from(["GetItem", "PutItem"]),
            st.sampled_from(["a", "b"]),
            st.sampled_from([0.5, 1.0, 3.0]),
        ),
        st.tuples(
            st.just("record"),
            st.sampled_from(["Query", "UpdateItem"]),
            st.sampled_from(["a", "b"]),
            st.sampled_from([1.0, 2.0]),
        ),
        st.tuples(st.just("save and load"), st.just(""), st.just(""), st.just(0.0)),
    ),
    max_size=60,
)


@given(keep=st.integers(1, 5), steps=_STEPS)
def test_sums_count_every_request_however_the_list_is_trimmed(keep: int, steps: list[Any]) -> None:
    """The sums count every request, through trims of the recent list, snapshots, and a mix of own
    shares (``charge``) with answers that carry index detail; ``entries`` lists the most recent."""
    ledger = CapacityLedger(keep=keep)
    expected: dict[tuple[str, str | None], float] = {}
    listed: list[tuple[str, str, float]] = []
    for step, operation, table, units in steps:
        if step == "charge":
            ledger.charge(operation, table, units)
            expected[operation, None] = expected.get((operation, None), 0.0) + units
            listed.append((operation, table, units))
        elif step == "record":  # the table's share and an index's, both summed
            ledger.record(
                operation,
                {
                    "TableName": table,
                    "CapacityUnits": units + 1,
                    "Table": {"CapacityUnits": units},
                    "GlobalSecondaryIndexes": {"g": {"CapacityUnits": 1.0}},
                },
            )
            expected[operation, None] = expected.get((operation, None), 0.0) + units
            expected[operation, "g"] = expected.get((operation, "g"), 0.0) + 1.0
            listed.append((operation, table, units))
        else:
            ledger.load(ledger.save())
        for (operation, index), units in expected.items():
            assert ledger.total(operation=operation, index=index) == units
        assert ledger.total() == sum(expected.values())
        entries = [(e.operation, e.table, e.units) for e in ledger.entries if e.index is None]
        assert len(entries) >= min(keep, len(listed))
        assert entries == listed[len(listed) - len(entries) :]  # the most recent, in order


def test_ledger_through_a_real_boto3_client(emu: DynamoDBEmulator, indexed: str) -> None:
    ddb = emu.boto3_client()
    ddb.put_item(TableName=indexed, Item=_item(1))
    ddb.update_item(
        TableName=indexed,
        Key={"pk": {"S": "k1"}, "sk": {"N": "1"}},
        UpdateExpression="SET #o = :o",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":o": {"S": "p"}},
    )
    # The index key moved: a delete and a put on the GSI (two units), one on the table.
    assert emu.capacity.total(operation="UpdateItem", index="by-owner") == 2.0
    assert emu.capacity.total(operation="UpdateItem", index=None) == 1.0
