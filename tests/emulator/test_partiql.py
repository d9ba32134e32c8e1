"""PartiQL in the emulator: the doors, the machinery PartiQL writes go through, planning, paging, caching.

Answers and messages are compared with DynamoDB Local in tests/conformance/test_cases_partiql.py; this file
checks what a differential cannot see: which storage path a SELECT takes, the parse cache, streams, the
capacity ledger, snapshots, and paging across several partitions.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.partiql import parse_statement
from theorydb_mocks.emulator.storage import TableStore


def _seed(client: Any, partitions: int = 3, per_partition: int = 4) -> None:
    client.create_table(**table_request("things"))
    for p in range(partitions):
        for s in range(per_partition):
            client.put_item(
                TableName="things", Item={"pk": {"S": f"p{p}"}, "sk": {"N": str(s)}, "n": {"N": "1"}}
            )


@pytest.mark.parametrize("door", ["direct", "boto3"])
def test_insert_select_update_delete_on_each_door(emu: DynamoDBEmulator, door: str) -> None:
    client = emu.client() if door == "direct" else emu.boto3_client()
    client.create_table(**table_request("things"))
    client.execute_statement(Statement="INSERT INTO things VALUE {'pk': 'a', 'sk': 1, 'tags': <<'x'>>}")
    update = "UPDATE things SET n = 5 WHERE pk = ? AND sk = ? RETURNING ALL NEW *"
    answer = client.execute_statement(Statement=update, Parameters=[{"S": "a"}, {"N": "1"}])
    assert answer["Items"] == [{"pk": {"S": "a"}, "sk": {"N": "1"}, "tags": {"SS": ["x"]}, "n": {"N": "5"}}]
    found = client.execute_statement(Statement="SELECT n FROM things WHERE pk = 'a'")
    assert found["Items"] == [{"n": {"N": "5"}}]
    with pytest.raises(client.exceptions.DuplicateItemException):
        client.execute_statement(Statement="INSERT INTO things VALUE {'pk': 'a', 'sk': 1}")
    client.execute_statement(Statement="DELETE FROM things WHERE pk = 'a' AND sk = 1")
    assert client.execute_statement(Statement="SELECT * FROM things")["Items"] == []


def test_a_key_pinned_select_is_a_query_not_a_scan(emu: DynamoDBEmulator, monkeypatch: Any) -> None:
    client = emu.client()
    _seed(client)

    def no_scan(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a key-pinned SELECT scanned the table")

    monkeypatch.setattr(TableStore, "scan", no_scan)
    pinned = "SELECT sk FROM things WHERE pk = 'p1' AND sk >= 2 ORDER BY sk DESC"
    assert client.execute_statement(Statement=pinned)["Items"] == [{"sk": {"N": "3"}}, {"sk": {"N": "2"}}]
    several = client.execute_statement(Statement="SELECT sk FROM things WHERE pk IN ['p0', 'p2'] AND sk = 0")
    assert len(several["Items"]) == 2
    with pytest.raises(ClientError, match=r"Internal server error \(AssertionError\)"):
        client.execute_statement(Statement="SELECT sk FROM things WHERE n = 1")  # this one does scan


def test_next_token_pages_through_several_partitions(emu: DynamoDBEmulator) -> None:
    client = emu.client()
    _seed(client)
    statement = "SELECT pk, sk FROM things WHERE pk IN ['p2', 'p0']"
    seen: list[tuple[str, str]] = []
    request: dict[str, Any] = {"Statement": statement, "Limit": 3}
    pages = 0
    while True:
        page = client.execute_statement(**request)
        pages += 1
        seen.extend((item["pk"]["S"], item["sk"]["N"]) for item in page["Items"])
        if "NextToken" not in page:
            break
        request["NextToken"] = page["NextToken"]
    assert seen == [(p, str(s)) for p in ("p2", "p0") for s in range(4)]
    assert pages == 3
    with pytest.raises(ClientError, match="Invalid NextToken"):
        client.execute_statement(Statement=statement, NextToken="not-a-token")


def test_a_statement_is_parsed_once(emu: DynamoDBEmulator) -> None:
    client = emu.client()
    _seed(client, partitions=1)
    statement = "SELECT sk FROM things WHERE pk = ? AND sk = ?"
    client.execute_statement(Statement=statement, Parameters=[{"S": "p0"}, {"N": "1"}])
    before = parse_statement.cache_info()
    for sk in range(4):
        client.execute_statement(Statement=statement, Parameters=[{"S": "p0"}, {"N": str(sk)}])
    after = parse_statement.cache_info()
    assert after.misses == before.misses
    assert after.hits == before.hits + 4


def test_writes_reach_streams_ledger_and_snapshots(emu: DynamoDBEmulator) -> None:
    client = emu.client()
    stream = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    client.create_table(**table_request("things", StreamSpecification=stream))
    with emu.rollback():
        client.execute_statement(Statement="INSERT INTO things VALUE {'pk': 'a', 'sk': 1}")
        client.execute_statement(Statement="UPDATE things SET n = 1 WHERE pk = 'a' AND sk = 1")
        client.execute_statement(Statement="DELETE FROM things WHERE pk = 'a' AND sk = 1")
        events = [record["eventName"] for record in emu.stream_records("things")]
        assert events == ["INSERT", "MODIFY", "REMOVE"]
        assert emu.capacity.total(operation="ExecuteStatement") == 3.0
        client.execute_statement(Statement="INSERT INTO things VALUE {'pk': 'kept', 'sk': 1}")
    assert client.execute_statement(Statement="SELECT * FROM things")["Items"] == []


def test_consumed_capacity_as_asked(emu: DynamoDBEmulator) -> None:
    client = emu.client()
    _seed(client, partitions=1)
    read = client.execute_statement(
        Statement="SELECT * FROM things WHERE pk = 'p0'", ReturnConsumedCapacity="TOTAL"
    )
    assert read["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 0.5}
    write = client.execute_statement(
        Statement="INSERT INTO things VALUE {'pk': 'z', 'sk': 1}", ReturnConsumedCapacity="TOTAL"
    )
    assert write["ConsumedCapacity"] == {"TableName": "things", "CapacityUnits": 1.0}
    plain = client.execute_statement(Statement="SELECT * FROM things WHERE pk = 'z'")
    assert "ConsumedCapacity" not in plain


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ("SELECT * FROM things WHERE pk = ?", "Number of parameters in request and statement don't match."),
        ("SELEC *", "Statement wasn't well formed, can't be processed: SELEC *"),
        ("SELECT * FROM things WHERE x IN []", "IN operator must have"),
        ("INSERT INTO things VALUE {'pk': 'a', 'sk': <<>>}", "Empty bags are not supported at 1:44:2"),
    ],
)
def test_errors_are_validation_exceptions(emu: DynamoDBEmulator, statement: str, message: str) -> None:
    client = emu.client()
    client.create_table(**table_request("things"))
    with pytest.raises(ClientError) as caught:
        client.execute_statement(Statement=statement)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert caught.value.response["Error"]["Message"].startswith(message)


def test_a_transaction_is_all_or_nothing_and_idempotent(emu: DynamoDBEmulator) -> None:
    client = emu.client()
    client.create_table(**table_request("things"))
    client.execute_statement(Statement="INSERT INTO things VALUE {'pk': 'a', 'sk': 1, 'n': 1}")
    statements = [
        {"Statement": "INSERT INTO things VALUE {'pk': 'b', 'sk': 1}"},
        {"Statement": "UPDATE things SET n = n + 1 WHERE pk = 'a' AND sk = 1 AND n = 5"},
    ]
    with pytest.raises(client.exceptions.TransactionCanceledException) as caught:
        client.execute_transaction(TransactStatements=statements)
    codes = [reason["Code"] for reason in caught.value.response["CancellationReasons"]]
    assert codes == ["None", "ConditionalCheckFailed"]
    assert client.execute_statement(Statement="SELECT pk FROM things WHERE pk = 'b'")["Items"] == []
    statements[1] = {"Statement": "UPDATE things SET n = n + 1 WHERE pk = 'a' AND sk = 1 AND n = 1"}
    for _ in range(2):  # the repeat is answered from the token: n is incremented once
        client.execute_transaction(TransactStatements=statements, ClientRequestToken="once")
    reads = [{"Statement": "SELECT n FROM things WHERE pk = 'a' AND sk = 1"}]
    assert client.execute_transaction(TransactStatements=reads)["Responses"] == [{"Item": {"n": {"N": "2"}}}]
    with pytest.raises(client.exceptions.IdempotentParameterMismatchException):
        client.execute_transaction(TransactStatements=statements[:1], ClientRequestToken="once")


def test_a_batch_answers_each_statement(emu: DynamoDBEmulator) -> None:
    client = emu.client()
    client.create_table(**table_request("things"))
    answer = client.batch_execute_statement(
        Statements=[
            {"Statement": "INSERT INTO things VALUE {'pk': 'a', 'sk': 1}"},
            {"Statement": "INSERT INTO things VALUE {'pk': ?, 'sk': 1}", "Parameters": [{"S": "b"}]},
            {"Statement": "UPDATE things SET n = 1 WHERE pk = 'zz' AND sk = 1"},
        ],
        ReturnConsumedCapacity="TOTAL",
    )
    assert answer["Responses"] == [
        {"TableName": "things"},
        {"TableName": "things"},
        {
            "TableName": "things",
            "Error": {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
        },
    ]
    assert answer["ConsumedCapacity"] == [{"TableName": "things", "CapacityUnits": 2.0}]  # the two writes
    reads = client.batch_execute_statement(
        Statements=[{"Statement": f"SELECT pk FROM things WHERE pk = '{pk}' AND sk = 1"} for pk in "abc"]
    )
    assert reads["Responses"] == [
        {"TableName": "things", "Item": {"pk": {"S": "a"}}},
        {"TableName": "things", "Item": {"pk": {"S": "b"}}},
        {"TableName": "things"},
    ]
