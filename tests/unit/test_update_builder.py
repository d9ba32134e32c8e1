"""UpdateBuilder against the strict fake: exact expressions (FORMATS.md section 3), grouping, refusals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.unit._models import DOCS, SECRETS, USERS, Secret
from theorydb_py import (
    ConditionFailedError,
    ModelDefinition,
    Table,
    ValidationError,
    VersionConflictError,
    theorydb_field,
)
from theorydb_py.expressions import eq, gt, lt, not_exists
from theorydb_py.mocks import ANY, Exact, FakeDynamoDBClient, FakeKmsClient

NOW = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)
STAMP = {"S": "2024-05-01T12:30:00.000000Z"}


@dataclass
class Counter:
    id: str = theorydb_field(roles="pk")
    name: str = ""
    version: int = 0
    items: list[int] = field(default_factory=list)


COUNTERS = ModelDefinition.from_dataclass(Counter, table_name="counters")


def test_the_formats_example_exactly(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "update_item",
        Exact(
            {
                "TableName": "counters",
                "Key": {"id": {"S": "c1"}},
                "UpdateExpression": "SET #u_name = :u1 ADD #u_version :u2",
                "ConditionExpression": "#c_name = :c1",
                "ExpressionAttributeNames": {"#u_name": "name", "#u_version": "version", "#c_name": "name"},
                "ExpressionAttributeValues": {":u1": {"S": "x"}, ":u2": {"N": "1"}, ":c1": {"S": "x"}},
                "ReturnValues": "NONE",
            }
        ),
        response={},
    )
    builder = Table(COUNTERS, client=fake).update_builder("c1")
    assert builder.set("name", "x").add("version", 1).condition(eq("name", "x")).execute() is None


def test_every_action_in_call_order_with_clauses_set_remove_add_delete(fake: FakeDynamoDBClient) -> None:
    table = Table(USERS, client=fake)
    request = (
        table.update_builder("u1", "PROFILE")
        .delete("tags", {"old"})
        .increment("age", 2)
        .set("name", "Ann")
        .remove("email")
        .append_to_list("nicknames", ["z"])
        .prepend_to_list("nicknames", ["a"])
        .remove_from_list_at("nicknames", 3)
        .set_list_element("nicknames", 0, "first")
        .set_if_not_exists("score", 1.5)
        .decrement("balance", 1)
        .build()
    )
    assert request["UpdateExpression"] == (
        "SET #u_name = :u3, #u_nicknames = list_append(#u_nicknames, :u4), "
        "#u_nicknames = list_append(:u5, #u_nicknames), #u_nicknames[0] = :u6, "
        "#u_score = if_not_exists(#u_score, :u7) "
        "REMOVE #u_email, #u_nicknames[3] "
        "ADD #u_age :u2, #u_balance :u8 "
        "DELETE #u_tags :u1"
    )
    assert request["ExpressionAttributeValues"] == {
        ":u1": {"SS": ["old"]},
        ":u2": {"N": "2"},
        ":u3": {"S": "Ann"},
        ":u4": {"L": [{"S": "z"}]},
        ":u5": {"L": [{"S": "a"}]},
        ":u6": {"S": "first"},
        ":u7": {"N": "1.5"},
        ":u8": {"N": "-1"},
    }
    assert "ConditionExpression" not in request and request["ReturnValues"] == "NONE"  # always sent
    assert fake.calls == []  # build() sends nothing


def test_conditions_join_with_and_or_and_group_left_to_right(fake: FakeDynamoDBClient) -> None:
    request = (
        Table(USERS, client=fake)
        .update_builder("u1", "PROFILE")
        .set("name", "x")
        .condition(eq("name", "a"))
        .and_condition(gt("age", 3))
        .or_condition(not_exists("email") & lt("score", 2))
        .condition_exists()
        .build()
    )
    assert request["ConditionExpression"] == (
        "((#c_name = :c1 AND #c_age > :c2) OR (attribute_not_exists(#c_email) AND #c_score < :c3)) "
        "AND attribute_exists(#c_PK)"
    )
    assert request["ExpressionAttributeValues"][":c3"] == {"N": "2.0"}  # score is a float field


def test_return_values_decode_the_answer(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "update_item",
        {"ReturnValues": "ALL_NEW"},
        response={"Attributes": {"id": {"S": "c1"}, "name": {"S": "n"}, "version": {"N": "4"}}},
    )
    table = Table(COUNTERS, client=fake)
    assert table.update_builder("c1").set("name", "n").return_values("ALL_NEW").execute() == Counter(
        "c1", "n", 4
    )
    with pytest.raises(ValidationError, match="return_values must be one of"):
        table.update_builder("c1").return_values("EVERYTHING")  # type: ignore[arg-type]


def test_lifecycle_fields_follow_the_callers_actions(fake: FakeDynamoDBClient) -> None:
    table = Table(DOCS, client=fake, clock=lambda: NOW)
    fake.expect(
        "update_item",
        Exact(
            {
                "TableName": "docs",
                "Key": {"id": {"S": "d1"}},
                "UpdateExpression": (
                    "SET #u_title = :u1, #u_updatedAt = :u3, #u_createdAt = if_not_exists(#u_createdAt, :u4) "
                    "ADD #u_views :u2, #u_version :u5"
                ),
                "ConditionExpression": "#c_version = :c1",
                "ExpressionAttributeNames": {
                    "#u_title": "title",
                    "#u_views": "views",
                    "#u_updatedAt": "updatedAt",
                    "#u_createdAt": "createdAt",
                    "#u_version": "version",
                    "#c_version": "version",
                },
                "ExpressionAttributeValues": {
                    ":u1": {"S": "t"},
                    ":u2": {"N": "1"},
                    ":u3": STAMP,
                    ":u4": STAMP,
                    ":u5": {"N": "1"},
                    ":c1": {"N": "3"},
                },
                "ReturnValues": "NONE",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        ),
        response={},
    )
    table.update_builder("d1").set("title", "t").increment("views").condition_version(3).execute()


def test_a_version_mismatch_is_a_version_conflict(fake: FakeDynamoDBClient) -> None:
    table = Table(DOCS, client=fake, clock=lambda: NOW)
    fake.expect(
        "update_item",
        {},
        error="ConditionalCheckFailedException",
        error_fields={"Item": {"id": {"S": "d1"}, "version": {"N": "4"}}},
    )
    with pytest.raises(VersionConflictError, match="expected version 3, but the stored version is 4"):
        table.update_builder("d1").set("title", "t").condition_version(3).execute()
    # the version matched, so another part of the condition failed: a plain ConditionFailedError
    fake.expect(
        "update_item",
        {},
        error="ConditionalCheckFailedException",
        error_fields={"Item": {"id": {"S": "d1"}, "version": {"N": "3"}}},
    )
    with pytest.raises(ConditionFailedError) as info:
        builder = table.update_builder("d1").set("title", "t").condition(eq("title", "x"))
        builder.condition_version(3).execute()
    assert type(info.value) is ConditionFailedError


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda b: b.set("id", "x"), "key fields cannot be updated"),
        (lambda b: b.set("nope", 1), "has no field 'nope'"),
        (lambda b: b.set("name", None), "use remove"),
        (lambda b: b.add("name", "x"), "ADD takes a number or a non-empty set"),
        (lambda b: b.increment("name"), "needs a number field"),
        (lambda b: b.increment("age", True), "needs a number field"),
        (lambda b: b.delete("nicknames", ["a"]), "DELETE requires a set field"),
        (lambda b: b.append_to_list("tags", ["a"]), "list operations require a plain list attribute"),
        (lambda b: b.append_to_list("nicknames", "abc"), "give a list of values"),
        (lambda b: b.append_to_list("nicknames", []), "at least one value"),
        (lambda b: b.remove_from_list_at("nicknames", -1), "list index must be a non-negative integer"),
        (lambda b: b.set_list_element("nicknames", 0, 5), "expected str"),
        (lambda b: b.set("age", "old"), "expected int"),
        (lambda b: b.condition_version(1), "has no version field"),
        (lambda b: b.condition("#a = :b"), "built with eq"),
        (lambda b: b.condition(eq("age", 1)).or_condition(None), "built with eq"),
    ],
)
def test_bad_actions_are_refused_at_the_call(build: Any, message: str, fake: FakeDynamoDBClient) -> None:
    builder = Table(USERS, client=fake).update_builder("u1", "PROFILE")
    with pytest.raises(ValidationError, match=message):
        build(builder)


def test_nothing_to_update_is_refused(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(ValidationError, match="no updates provided"):
        Table(USERS, client=fake).update_builder("u1", "PROFILE").execute()


@pytest.mark.parametrize(
    ("build", "usage"),
    [
        (lambda b: b.add("pin", 1), "ADD"),
        (lambda b: b.increment("pin"), "ADD"),
        (lambda b: b.decrement("pin"), "ADD"),
        (lambda b: b.delete("ssn", {"x"}), "DELETE"),
        (lambda b: b.append_to_list("ssn", ["x"]), "list operations"),
        (lambda b: b.prepend_to_list("ssn", ["x"]), "list operations"),
        (lambda b: b.remove_from_list_at("ssn", 0), "list operations"),
        (lambda b: b.set_list_element("ssn", 0, "x"), "list operations"),
        (lambda b: b.set("visible", "v").condition(eq("ssn", "x")).build(), "a condition"),
    ],
)
def test_encrypted_fields_are_refused_before_sending(
    build: Any, usage: str, fake: FakeDynamoDBClient
) -> None:
    kms = FakeKmsClient()
    table = Table(SECRETS, client=fake, kms_key_arn="arn:aws:kms:us-east-1:1:key/k", kms_client=kms)
    with pytest.raises(ValidationError, match=f"is encrypted and cannot be used in {usage}"):
        build(table.update_builder("s1"))
    assert fake.calls == [] and kms.calls == []


def test_encrypted_sets_are_sealed_under_one_data_key(fake: FakeDynamoDBClient) -> None:
    kms = FakeKmsClient()
    table = Table(SECRETS, client=fake, kms_key_arn="arn:aws:kms:us-east-1:1:key/k", kms_client=kms)
    fake.expect(
        "update_item",
        {
            "UpdateExpression": "SET #u_ssn = :u1, #u_pin = if_not_exists(#u_pin, :u2) REMOVE #u_visible",
            "ExpressionAttributeValues": {":u1": {"M": ANY}, ":u2": {"M": ANY}},
        },
        response={},
    )
    table.update_builder("s1").set("ssn", "1").set_if_not_exists("pin", 2).remove("visible").execute()
    assert [c.method for c in kms.calls] == ["generate_data_key"]
    sent = fake.calls[0].params["ExpressionAttributeValues"]
    envelopes = {ph: sent[ph]["M"] for ph in (":u1", ":u2")}
    assert (
        envelopes[":u1"]["edk"] == envelopes[":u2"]["edk"]
        and envelopes[":u1"]["nonce"] != envelopes[":u2"]["nonce"]
    )
    opened = table.from_item({"id": {"S": "s1"}, "ssn": sent[":u1"], "pin": sent[":u2"]})
    assert opened == Secret("s1", "1", 2)


def test_build_twice_gives_the_same_request(fake: FakeDynamoDBClient) -> None:
    builder = Table(DOCS, client=fake, clock=lambda: NOW).update_builder("d1").set("title", "t")
    assert builder.build() == builder.build()
    assert repr(builder) == "<UpdateBuilder Doc 1 actions>"
