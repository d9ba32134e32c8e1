"""TransactWriteItems and TransactGetItems: all or nothing, reasons per action, tokens, capacity, doors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient
from theorydb_mocks.emulator.server import serve_in_thread


def key(pk: str, sk: int = 1) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}}


def put(pk: str, table: str = "things", **attrs: Any) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": {**key(pk), **attrs}}}


def check(pk: str, expression: str, **more: Any) -> dict[str, Any]:
    return {
        "ConditionCheck": {"TableName": "things", "Key": key(pk), "ConditionExpression": expression, **more}
    }


def add_one(pk: str, **more: Any) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": "things",
            "Key": key(pk),
            "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
            **more,
        }
    }


def items(client: EmulatorClient, table: str = "things") -> dict[str, dict[str, Any]]:
    return {i["pk"]["S"]: i for i in client.scan(TableName=table)["Items"]}


def test_all_actions_apply_together(client: EmulatorClient, table: str) -> None:
    client.put_item(TableName=table, Item={**key("a"), "n": {"N": "1"}})
    client.put_item(TableName=table, Item=key("gone"))
    client.transact_write_items(
        TransactItems=[
            check("a", "n = :one", ExpressionAttributeValues={":one": {"N": "1"}}),
            add_one("b"),
            {"Delete": {"TableName": table, "Key": key("gone")}},
            put("c", x={"S": "y"}),
        ]
    )
    assert items(client) == {
        "a": {**key("a"), "n": {"N": "1"}},
        "b": {**key("b"), "n": {"N": "1"}},
        "c": {**key("c"), "x": {"S": "y"}},
    }


def test_a_failed_condition_cancels_every_action(client: EmulatorClient, table: str) -> None:
    client.put_item(TableName=table, Item={**key("a"), "n": {"N": "1"}})
    with pytest.raises(client.exceptions.TransactionCanceledException) as caught:
        client.transact_write_items(
            TransactItems=[
                put("new"),
                add_one("b"),
                check("a", "attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure="ALL_OLD"),
            ]
        )
    response = caught.value.response
    assert response["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, None, ConditionalCheckFailed]"
    )
    assert response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "None"},
        {
            "Code": "ConditionalCheckFailed",
            "Message": "The conditional request failed",
            "Item": {**key("a"), "n": {"N": "1"}},
        },
    ]
    assert items(client) == {"a": {**key("a"), "n": {"N": "1"}}}


def test_refusals_before_anything_runs(client: EmulatorClient, table: str) -> None:
    def refused(actions: list[dict[str, Any]]) -> str:
        with pytest.raises(ClientError) as caught:
            client.transact_write_items(TransactItems=actions)
        return f"{caught.value.response['Error']['Code']}: {caught.value.response['Error']['Message']}"

    same = "ValidationException: Transaction request cannot include multiple operations on one item"
    assert refused([put("a"), {"Delete": {"TableName": table, "Key": key("a")}}]) == same
    assert refused([check("a", "attribute_exists(pk)"), add_one("a")]) == same
    assert refused([put("a"), put("a", table="nope")]).startswith("ResourceNotFoundException")
    assert refused([put("a"), {**put("b"), **add_one("c")}]) == (
        "ValidationException: TransactItems can only contain one of Check, Put, Update or Delete"
    )
    eleven = [put(f"b{i}", big={"S": "x" * 390 * 1024}) for i in range(11)]
    assert refused(eleven).startswith("ValidationException: Transaction payload size cannot exceed 4MB.")
    assert items(client) == {}


def test_updates_that_fail_on_the_stored_item_cancel(client: EmulatorClient, table: str) -> None:
    big = {"S": "y" * 300 * 1024}
    client.put_item(TableName=table, Item={**key("a"), "big": big})
    update = {
        "Update": {
            "TableName": table,
            "Key": key("a"),
            "UpdateExpression": "SET more = :b",
            "ExpressionAttributeValues": {":b": big},
        }
    }
    with pytest.raises(client.exceptions.TransactionCanceledException) as caught:
        client.transact_write_items(TransactItems=[put("b"), update])
    assert caught.value.response["CancellationReasons"][1] == {
        "Code": "ValidationError",
        "Message": "Item size to update has exceeded the maximum allowed size",
    }
    assert "b" not in items(client)


def test_across_tables_and_capacity(client: EmulatorClient, table: str) -> None:
    client.create_table(**table_request("other", ranged=True))
    response = client.transact_write_items(
        TransactItems=[put("a"), put("b"), put("c", table="other")], ReturnConsumedCapacity="TOTAL"
    )
    assert sorted(response["ConsumedCapacity"], key=lambda c: c["TableName"]) == [
        {"TableName": "other", "CapacityUnits": 2.0},
        {"TableName": "things", "CapacityUnits": 4.0},
    ]
    got = client.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": "other", "Key": key("c")}},
            {"Get": {"TableName": table, "Key": key("missing")}},
            {"Get": {"TableName": table, "Key": key("a"), "ProjectionExpression": "pk"}},
        ],
        ReturnConsumedCapacity="INDEXES",
    )
    assert got["Responses"] == [{"Item": key("c")}, {}, {"Item": {"pk": {"S": "a"}}}]
    assert sorted(got["ConsumedCapacity"], key=lambda c: c["TableName"]) == [
        {"TableName": "other", "CapacityUnits": 2.0, "Table": {"CapacityUnits": 2.0}},
        {"TableName": "things", "CapacityUnits": 4.0, "Table": {"CapacityUnits": 4.0}},
    ]


def test_client_token_is_idempotent_for_ten_minutes(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    client.create_table(**table_request("things"))
    emu.clock.set(1_700_000_000)
    token = "3f1c2d6e-0000-4000-8000-000000000001"
    client.transact_write_items(TransactItems=[add_one("a")], ClientRequestToken=token)
    again = client.transact_write_items(
        TransactItems=[add_one("a")], ClientRequestToken=token, ReturnConsumedCapacity="TOTAL"
    )
    assert again["ConsumedCapacity"] == [{"TableName": "things", "CapacityUnits": 2.0}]
    assert items(client)["a"]["n"] == {"N": "1"}  # the repeat wrote nothing
    with pytest.raises(client.exceptions.IdempotentParameterMismatchException):
        client.transact_write_items(TransactItems=[add_one("b")], ClientRequestToken=token)
    emu.clock.advance(601)
    client.transact_write_items(TransactItems=[add_one("a")], ClientRequestToken=token)
    assert items(client)["a"]["n"] == {"N": "2"}  # the token expired: a new transaction


def test_transaction_conflict_fault_and_key(
    client: EmulatorClient, emu: DynamoDBEmulator, table: str
) -> None:
    emu.faults.transaction_conflict(key={"pk": {"S": "b"}})
    with pytest.raises(client.exceptions.TransactionCanceledException) as caught:
        client.transact_write_items(TransactItems=[put("a"), put("b")])
    assert caught.value.response["CancellationReasons"] == [
        {"Code": "None"},
        {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
    ]
    assert emu.faults.pending() == []
    client.transact_write_items(TransactItems=[put("a"), put("b")])
    assert set(items(client)) == {"a", "b"}


@pytest.mark.parametrize("door", ["routing", "server"])
def test_every_door(door: str) -> None:
    emu = DynamoDBEmulator()
    emu.client().create_table(**table_request("things"))
    if door == "routing":
        run_through(emu.boto3_client())
        return
    import boto3

    with serve_in_thread(emulator=emu) as endpoint:
        run_through(
            boto3.client(
                "dynamodb",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="k",
                aws_secret_access_key="s",
            )
        )


def run_through(client: Any) -> None:
    client.transact_write_items(TransactItems=[put("a", b={"B": b"\x00\x01"}), add_one("c")])
    with pytest.raises(client.exceptions.TransactionCanceledException) as caught:
        client.transact_write_items(
            TransactItems=[
                check("a", "attribute_not_exists(pk)", ReturnValuesOnConditionCheckFailure="ALL_OLD")
            ]
        )
    assert caught.value.response["CancellationReasons"][0]["Item"]["b"] == {"B": b"\x00\x01"}
    got = client.transact_get_items(TransactItems=[{"Get": {"TableName": "things", "Key": key("c")}}])
    assert got["Responses"] == [{"Item": {**key("c"), "n": {"N": "1"}}}]


TOKEN = "3f1c2d6e-0000-4000-8000-000000000002"


def test_client_tokens_do_not_survive_a_reset(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    client.create_table(**table_request("things"))
    client.transact_write_items(TransactItems=[add_one("a")], ClientRequestToken=TOKEN)
    emu.reset()
    client.create_table(**table_request("things"))
    client.transact_write_items(TransactItems=[add_one("a")], ClientRequestToken=TOKEN)
    assert items(client)["a"]["n"] == {"N": "1"}  # a new emulator state: the token is new, the write made


def test_client_tokens_belong_to_one_emulator(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    other = DynamoDBEmulator().client()
    for each in (client, other):
        each.create_table(**table_request("things"))
        each.transact_write_items(TransactItems=[add_one("a")], ClientRequestToken=TOKEN)
        assert items(each)["a"]["n"] == {"N": "1"}


def test_restore_brings_back_the_tokens_of_its_moment(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    client.create_table(**table_request("things"))
    before = emu.snapshot()
    client.transact_write_items(TransactItems=[add_one("a")], ClientRequestToken=TOKEN)
    emu.restore(before)
    assert "a" not in items(client)
    client.transact_write_items(TransactItems=[add_one("a")], ClientRequestToken=TOKEN)
    assert items(client)["a"]["n"] == {"N": "1"}  # the token was not known at ``before``: written again
    emu.restore(before)
    client.transact_write_items(TransactItems=[add_one("b")], ClientRequestToken=TOKEN)  # a new request
    assert set(items(client)) == {"b"}


def test_a_token_recorded_before_a_snapshot_is_known_after_restoring_it(
    emu: DynamoDBEmulator, client: EmulatorClient
) -> None:
    client.create_table(**table_request("things"))
    client.transact_write_items(TransactItems=[add_one("a")], ClientRequestToken=TOKEN)
    with emu.rollback():
        emu.reset()
    client.transact_write_items(TransactItems=[add_one("a")], ClientRequestToken=TOKEN)
    assert items(client)["a"]["n"] == {"N": "1"}  # the repeat is recognised again: nothing written
    with pytest.raises(client.exceptions.IdempotentParameterMismatchException):
        client.transact_write_items(TransactItems=[add_one("b")], ClientRequestToken=TOKEN)


def test_rollback_forgets_tokens_recorded_inside_it(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    client.create_table(**table_request("things"))
    with emu.rollback():
        client.transact_write_items(TransactItems=[add_one("a")], ClientRequestToken=TOKEN)
    client.transact_write_items(TransactItems=[add_one("b")], ClientRequestToken=TOKEN)
    assert set(items(client)) == {"b"}  # no IdempotentParameterMismatch: the token went with the rollback
