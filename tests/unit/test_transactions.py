"""Transactions against the strict fake: exact TransactItems, several tables and models, cancellations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.unit._models import DOCS, NOTES, SECRETS, Doc, Note
from theorydb_py import (
    ModelDefinition,
    Table,
    TransactConditionCheck,
    TransactDelete,
    TransactGet,
    TransactionCanceledError,
    TransactPut,
    TransactUpdate,
    UpdateAdd,
    ValidationError,
    theorydb_field,
    transact_get,
    transact_write,
)
from theorydb_py.expressions import eq, exists, gt, not_exists
from theorydb_py.mocks import ANY, Exact, FakeDynamoDBClient, FakeKmsClient

NOW = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)
STAMP = {"S": "2024-05-01T12:30:00.000000Z"}


# A single-table design: two models in one table "app", told apart by their sort keys.
@dataclass
class Customer:
    pk: str = theorydb_field(name="PK", roles="pk")
    sk: str = theorydb_field(name="SK", roles="sk", default="PROFILE")
    name: str = ""
    orders: int = 0


@dataclass
class Order:
    pk: str = theorydb_field(name="PK", roles="pk")
    sk: str = theorydb_field(name="SK", roles="sk")
    total: int = 0


CUSTOMERS = ModelDefinition.from_dataclass(Customer, table_name="app")
ORDERS = ModelDefinition.from_dataclass(Order, table_name="app")


def test_every_action_kind_across_tables_and_models(fake: FakeDynamoDBClient) -> None:
    customers = Table(CUSTOMERS, client=fake)
    orders = Table(ORDERS, client=fake)
    notes = Table(NOTES, client=fake)
    fake.expect(
        "transact_write_items",
        Exact(
            {
                "TransactItems": [
                    {
                        "Put": {
                            "TableName": "app",
                            "Item": {"PK": {"S": "C#1"}, "SK": {"S": "ORDER#9"}, "total": {"N": "30"}},
                            "ConditionExpression": "attribute_not_exists(#c_PK)",
                            "ExpressionAttributeNames": {"#c_PK": "PK"},
                        }
                    },
                    {
                        "Update": {
                            "TableName": "app",
                            "Key": {"PK": {"S": "C#1"}, "SK": {"S": "PROFILE"}},
                            "UpdateExpression": "ADD #d_orders :d_orders",
                            "ConditionExpression": "attribute_exists(#c_PK)",
                            "ExpressionAttributeNames": {"#d_orders": "orders", "#c_PK": "PK"},
                            "ExpressionAttributeValues": {":d_orders": {"N": "1"}},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                    {
                        "ConditionCheck": {
                            "TableName": "notes",
                            "Key": {"key": {"S": "LIMITS"}},
                            "ConditionExpression": "#c_count > :c1",
                            "ExpressionAttributeNames": {"#c_count": "count"},
                            "ExpressionAttributeValues": {":c1": {"N": "0"}},
                        }
                    },
                    {"Delete": {"TableName": "notes", "Key": {"key": {"S": "CART"}}}},
                ],
                "ClientRequestToken": "order-9",
            }
        ),
        response={},
    )
    transact_write(
        [
            TransactPut(Order("C#1", "ORDER#9", 30), condition=not_exists("pk"), table=orders),
            TransactUpdate(
                "C#1",
                "PROFILE",
                {"orders": UpdateAdd(1)},
                condition=exists("pk"),
                table=customers,
                return_item_on_failure=True,
            ),
            TransactConditionCheck("limits", None, gt("count", 0), table=notes),
            TransactDelete("cart", table=notes),
        ],
        client_request_token="order-9",
    )


def test_lifecycle_and_versions_apply_in_transactions(fake: FakeDynamoDBClient) -> None:
    docs = Table(DOCS, client=fake, clock=lambda: NOW)
    fake.expect(
        "transact_write_items",
        {
            "TransactItems": [
                {
                    "Put": {
                        "Item": {"id": {"S": "d1"}, "createdAt": STAMP, "updatedAt": STAMP, "version": ANY}
                    }
                },
                {
                    "Update": {
                        "UpdateExpression": "SET #d_title = :d_title, #d_updatedAt = :d_updatedAt, "
                        "#d_createdAt = if_not_exists(#d_createdAt, :d_createdAt) ADD #d_version :d_version",
                        "ConditionExpression": "#c_version = :c1",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                {"Delete": {"ConditionExpression": "#c_version = :c1"}},
            ]
        },
        response={},
    )
    docs.transact_write(
        [
            TransactPut(Doc("d1")),
            TransactUpdate("d2", None, {"title": "t"}, expected_version=3),
            TransactDelete("d3", expected_version=0),
        ]
    )


def test_a_cancellation_keeps_every_reason_and_decodes_the_failed_item(fake: FakeDynamoDBClient) -> None:
    customers = Table(CUSTOMERS, client=fake)
    fake.expect(
        "transact_write_items",
        {},
        error="TransactionCanceledException",
        error_fields={
            "CancellationReasons": [
                {"Code": "None"},
                {
                    "Code": "ConditionalCheckFailed",
                    "Message": "The conditional request failed",
                    "Item": {"PK": {"S": "C#1"}, "SK": {"S": "PROFILE"}, "name": {"S": "Ann"}},
                },
                {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
            ]
        },
    )
    with pytest.raises(TransactionCanceledError) as info:
        customers.transact_write(
            [
                TransactPut(Customer("C#2")),
                TransactConditionCheck("C#1", "PROFILE", eq("name", "Bob"), return_item_on_failure=True),
                TransactDelete("C#3", "PROFILE"),
            ]
        )
    err = info.value
    assert err.code == "TransactionCanceledException"
    assert [r.code for r in err.reasons] == ["None", "ConditionalCheckFailed", "TransactionConflict"]
    assert err.reasons[1].item == Customer("C#1", "PROFILE", "Ann")
    assert err.reasons[1].raw_item == {"PK": {"S": "C#1"}, "SK": {"S": "PROFILE"}, "name": {"S": "Ann"}}
    assert err.reasons[2].message == "Transaction is ongoing for the item"
    assert [r.index for r in err.failed] == [1, 2] and err.condition_failed
    assert repr(err.reasons[1]) == "<CancellationReason #1 ConditionalCheckFailed, with item>"


def test_an_undecodable_item_is_kept_raw(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "transact_write_items",
        {},
        error="TransactionCanceledException",
        error_fields={
            "CancellationReasons": [
                {"Code": "ConditionalCheckFailed", "Item": {"PK": {"S": "x"}, "orders": {"S": "?"}}}
            ]
        },
    )
    with pytest.raises(TransactionCanceledError) as info:
        Table(CUSTOMERS, client=fake).transact_write(
            [TransactDelete("x", "PROFILE", return_item_on_failure=True)]
        )
    assert info.value.reasons[0].item is None and info.value.reasons[0].raw_item is not None


@pytest.mark.parametrize(
    ("actions", "options", "message"),
    [
        ([], {}, "1 to 100 actions, got 0"),
        ([TransactDelete(f"C#{i}", "PROFILE") for i in range(101)], {}, "1 to 100 actions, got 101"),
        (
            [TransactDelete("C#1", "PROFILE"), TransactDelete("C#1", "PROFILE")],
            {},
            "an earlier action touches",
        ),
        ([TransactPut(Note("a"))], {}, "expected a Customer instance"),
        (["put"], {}, "must be one of TransactPut"),
        ([TransactDelete("C#1", "PROFILE", condition="#a = :b")], {}, "built with eq()"),  # type: ignore[arg-type]
        ([TransactConditionCheck("C#1", "PROFILE", None)], {}, "needs a condition"),
        ([TransactDelete("C#1")], {}, "needs a sort key"),
        ([TransactDelete("C#1", "PROFILE")], {"client_request_token": "x" * 37}, "1 to 36 characters"),
    ],
)
def test_bad_transactions_are_refused_before_sending(
    actions: Any, options: dict[str, Any], message: str, fake: FakeDynamoDBClient
) -> None:
    with pytest.raises(ValidationError, match=message):
        Table(CUSTOMERS, client=fake).transact_write(actions, **options)


def test_the_module_function_needs_a_table_per_action(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(ValidationError, match=r"action 0 \(TransactDelete\('x', None\)\) needs table="):
        transact_write([TransactDelete("x")], client=fake)


def test_encrypted_fields_are_refused_in_transaction_conditions(fake: FakeDynamoDBClient) -> None:
    table = Table(
        SECRETS, client=fake, kms_key_arn="arn:aws:kms:us-east-1:1:key/k", kms_client=FakeKmsClient()
    )
    with pytest.raises(ValidationError, match="ssn is encrypted and cannot be used in a condition"):
        table.transact_write([TransactConditionCheck("s1", None, eq("ssn", "x"))])
    with pytest.raises(ValidationError, match="pin is encrypted and cannot be used in ADD"):
        table.transact_write([TransactUpdate("s1", None, {"pin": UpdateAdd(1)})])


def test_transact_get_in_order_with_missing_items_and_projections(fake: FakeDynamoDBClient) -> None:
    customers = Table(CUSTOMERS, client=fake)
    notes = Table(NOTES, client=fake)
    fake.expect(
        "transact_get_items",
        Exact(
            {
                "TransactItems": [
                    {"Get": {"TableName": "app", "Key": {"PK": {"S": "C#1"}, "SK": {"S": "PROFILE"}}}},
                    {
                        "Get": {
                            "TableName": "notes",
                            "Key": {"key": {"S": "N"}},
                            "ProjectionExpression": "#p_text, #p_key",
                            "ExpressionAttributeNames": {"#p_text": "text", "#p_key": "key"},
                        }
                    },
                    {"Get": {"TableName": "app", "Key": {"PK": {"S": "C#2"}, "SK": {"S": "PROFILE"}}}},
                ]
            }
        ),
        response={
            "Responses": [
                {"Item": {"PK": {"S": "C#1"}, "SK": {"S": "PROFILE"}, "name": {"S": "Ann"}}},
                {"Item": {"key": {"S": "N"}, "text": {"S": "HI"}}},
                {},
            ]
        },
    )
    found = transact_get(
        [
            TransactGet("C#1", "PROFILE", table=customers),
            TransactGet("n", projection=["text"], table=notes),
            TransactGet("C#2", "PROFILE", table=customers),
        ]
    )
    assert found == [Customer("C#1", "PROFILE", "Ann"), Note("n", "hi"), None]


def test_table_transact_get_takes_plain_keys(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "transact_get_items",
        {"TransactItems": [{"Get": {"Key": {"PK": {"S": "C#1"}, "SK": {"S": "PROFILE"}}}}]},
        response={"Responses": [{}]},
    )
    assert Table(CUSTOMERS, client=fake).transact_get([("C#1", "PROFILE")]) == [None]
    with pytest.raises(ValidationError, match="is asked for twice"):
        Table(CUSTOMERS, client=fake).transact_get([("C#1", "PROFILE"), ("C#1", "PROFILE")])
    with pytest.raises(ValidationError, match=r"give each key as \(pk, sk\)"):
        Table(CUSTOMERS, client=fake).transact_get(["C#1"])


def test_reprs_show_the_action() -> None:
    assert repr(TransactPut(Note("a"))) == "TransactPut(Note(key='a', text='', count=0))"
    assert repr(TransactUpdate("a", None, {"count": 1})) == "TransactUpdate('a', None, {'count': 1})"
    assert repr(TransactGet("a")) == "TransactGet('a', None)"
    assert (
        repr(TransactConditionCheck("a", None, eq("count", 1)))
        == "TransactConditionCheck('a', None, count = 1)"
    )


def test_malformed_cancellation_answers_still_map_to_the_error() -> None:
    from theorydb_py.errors import map_client_error

    odd = Exception("cancelled")
    odd.response = {  # type: ignore[attr-defined]
        "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
        "CancellationReasons": [None, {"Code": None, "Item": "x"}, {"Code": "ThrottlingError"}],
    }
    err = map_client_error(odd)
    assert isinstance(err, TransactionCanceledError)
    assert [(r.index, r.code, r.raw_item) for r in err.reasons] == [
        (0, "None", None),
        (1, "None", None),
        (2, "ThrottlingError", None),
    ]
    assert not err.condition_failed and [r.index for r in err.failed] == [2]
