"""Lifecycle roles against the strict fake: timestamps, versions, TTL, create, and the injectable clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from freezegun import freeze_time

from tests.unit._models import DOCS, USERS, Doc
from theorydb_py import (
    ConditionFailedError,
    ItemExistsError,
    ModelDefinition,
    Table,
    UpdateAdd,
    ValidationError,
    VersionConflictError,
    theorydb_field,
)
from theorydb_py.expressions import eq
from theorydb_py.lifecycle import Lifecycle, format_timestamp, ttl_epoch
from theorydb_py.mocks import Exact, FakeDynamoDBClient

NOW = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)
STAMP = {"S": "2024-05-01T12:30:00.000000Z"}
EARLIER = dt.datetime(2023, 1, 2, 3, 4, 5, 600_000, tzinfo=dt.UTC)


def docs(fake: FakeDynamoDBClient) -> Table[Doc]:
    return Table(DOCS, client=fake, clock=lambda: NOW)


def test_create_stamps_everything_and_refuses_an_existing_item(fake: FakeDynamoDBClient) -> None:
    expires = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    fake.expect(
        "put_item",
        Exact(
            {
                "TableName": "docs",
                "Item": {
                    "id": {"S": "d1"},
                    "title": {"S": "t"},
                    "tags": {"L": []},
                    "views": {"N": "0"},
                    "createdAt": STAMP,
                    "updatedAt": STAMP,
                    "version": {"N": "0"},
                    "expires": {"N": "1893456000"},
                },
                "ConditionExpression": "attribute_not_exists(#c_id)",
                "ExpressionAttributeNames": {"#c_id": "id"},
            }
        ),
        response={},
    )
    given = Doc("d1", "t", version=7, created=EARLIER, expires=expires)
    written = docs(fake).create(given)
    assert (written.created, written.updated, written.version) == (NOW, NOW, 0)
    assert given.version == 7 and given.created == EARLIER  # the caller's instance is left alone
    fake.expect("put_item", {}, error="ConditionalCheckFailedException")
    with pytest.raises(ItemExistsError, match=r"a Doc with key \('d1'\) already exists in docs") as info:
        docs(fake).create(given)
    assert isinstance(info.value, ConditionFailedError)


def test_put_keeps_created_at_and_version_and_moves_updated_at(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "put_item",
        {
            "Item": {
                "createdAt": {"S": "2023-01-02T03:04:05.600000Z"},
                "updatedAt": STAMP,
                "version": {"N": "5"},
            }
        },
        response={},
    )
    written = docs(fake).put(Doc("d1", created=EARLIER, version=5))
    assert (written.created, written.updated, written.version) == (EARLIER, NOW, 5)
    fake.expect("put_item", {"Item": {"createdAt": STAMP, "updatedAt": STAMP}}, response={})
    assert docs(fake).put(Doc("d1")).created == NOW  # no created_at yet: now


def test_update_adds_lifecycle_changes_after_the_callers(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "update_item",
        Exact(
            {
                "TableName": "docs",
                "Key": {"id": {"S": "d1"}},
                "UpdateExpression": (
                    "SET #d_title = :d_title, #d_updatedAt = :d_updatedAt, "
                    "#d_createdAt = if_not_exists(#d_createdAt, :d_createdAt) ADD #d_version :d_version"
                ),
                "ConditionExpression": "#c_title = :c1 AND #c_version = :c2",
                "ExpressionAttributeNames": {
                    "#d_title": "title",
                    "#d_updatedAt": "updatedAt",
                    "#d_createdAt": "createdAt",
                    "#d_version": "version",
                    "#c_title": "title",
                    "#c_version": "version",
                },
                "ExpressionAttributeValues": {
                    ":d_title": {"S": "new"},
                    ":d_updatedAt": STAMP,
                    ":d_createdAt": STAMP,
                    ":d_version": {"N": "1"},
                    ":c1": {"S": "old"},
                    ":c2": {"N": "2"},
                },
                "ReturnValues": "ALL_NEW",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        ),
        response={"Attributes": {"id": {"S": "d1"}, "title": {"S": "new"}, "version": {"N": "3"}}},
    )
    updated = docs(fake).update(
        "d1", None, {"title": "new"}, condition_expression=eq("title", "old"), expected_version=2
    )
    assert updated.version == 3


def test_the_callers_own_lifecycle_changes_win(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "update_item",
        {
            "UpdateExpression": "SET #d_updatedAt = :d_updatedAt, "
            "#d_createdAt = if_not_exists(#d_createdAt, :d_createdAt) ADD #d_version :d_version",
            "ExpressionAttributeValues": {":d_updatedAt": {"S": "2023-01-02T03:04:05.600000Z"}},
        },
        response={"Attributes": {"id": {"S": "d1"}}},
    )
    docs(fake).update("d1", None, {"updated": EARLIER, "version": UpdateAdd(1)})


def test_a_raw_condition_is_anded_with_the_version_check(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "delete_item",
        Exact(
            {
                "TableName": "docs",
                "Key": {"id": {"S": "d1"}},
                "ConditionExpression": "(#t = :t) AND #c_version = :c1",
                "ExpressionAttributeNames": {"#c_version": "version", "#t": "title"},
                "ExpressionAttributeValues": {":c1": {"N": "4"}, ":t": {"S": "x"}},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        ),
        response={},
    )
    docs(fake).delete(
        "d1",
        condition_expression="#t = :t",
        expression_attribute_names={"#t": "title"},
        expression_attribute_values={":t": "x"},
        expected_version=4,
    )


def test_a_conditional_delete_of_a_gone_item_is_a_version_conflict(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "delete_item", {"ConditionExpression": "#c_version = :c1"}, error="ConditionalCheckFailedException"
    )
    with pytest.raises(VersionConflictError, match="expected version 1, but the item is gone"):
        docs(fake).delete("d1", expected_version=1)


@pytest.mark.parametrize("bad", [-1, True, "1", 1.5])
def test_expected_version_must_be_a_non_negative_int(bad: object, fake: FakeDynamoDBClient) -> None:
    with pytest.raises(ValidationError, match="expected_version must be an int >= 0"):
        docs(fake).delete("d1", expected_version=bad)  # type: ignore[arg-type]


def test_models_without_a_version_refuse_expected_version(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(ValidationError, match="User has no version field"):
        Table(USERS, client=fake).delete("u1", "PROFILE", expected_version=1)


def test_freezegun_drives_the_default_clock(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item", {"Item": {"createdAt": {"S": "2031-02-03T04:05:06.000000Z"}}}, response={})
    with freeze_time("2031-02-03 04:05:06"):
        written = Table(DOCS, client=fake).create(Doc("d1"))
    assert written.updated == dt.datetime(2031, 2, 3, 4, 5, 6, tzinfo=dt.UTC)


def test_a_naive_clock_is_utc_and_a_bad_clock_is_refused() -> None:
    assert Lifecycle(DOCS, lambda: dt.datetime(2024, 5, 1, 12, 30)).now() == NOW
    with pytest.raises(ValidationError, match="the clock returned 'soon'"):
        Lifecycle(DOCS, lambda: "soon").now()  # type: ignore[arg-type,return-value]
    with pytest.raises(ValidationError, match="clock must be a callable"):
        Lifecycle(DOCS, "now")  # type: ignore[arg-type]


def test_frozen_models_are_stamped_on_a_copy(fake: FakeDynamoDBClient) -> None:
    @dataclass(frozen=True)
    class Frozen:
        id: str = theorydb_field(roles="pk")
        seen: dt.datetime | None = theorydb_field(roles="updated_at", default=None)

    fake.expect("put_item", {"Item": {"id": {"S": "f"}, "seen": STAMP}}, response={})
    original = Frozen("f")
    written = Table(ModelDefinition.from_dataclass(Frozen), client=fake, clock=lambda: NOW).put(original)
    assert written.seen == NOW and original.seen is None


def test_ttl_is_stored_as_epoch_seconds_from_a_datetime_or_an_int(fake: FakeDynamoDBClient) -> None:
    @dataclass
    class Session:
        id: str = theorydb_field(roles="pk")
        ttl: int = theorydb_field(roles="ttl", default=0)

    fake.expect("put_item", {"Item": {"id": {"S": "s"}, "ttl": {"N": "1700000000"}}}, response={})
    Table(ModelDefinition.from_dataclass(Session), client=fake).put(Session("s", 1_700_000_000))
    table = docs(fake)
    naive = dt.datetime(2030, 1, 1)
    assert table.to_item(Doc("d", expires=naive))["expires"] == {"N": "1893456000"}
    back = table.from_item({"id": {"S": "d"}, "expires": {"N": "1893456000"}})
    assert back.expires == dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert ttl_epoch(naive) == 1893456000 and ttl_epoch(5) == 5
    with pytest.raises(ValidationError, match="a TTL is a datetime or non-negative epoch seconds"):
        ttl_epoch(-1)


def test_the_timestamp_format_is_rfc3339_utc_with_microseconds() -> None:
    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert format_timestamp(dt.datetime(2024, 5, 1, 14, 30, 0, 5, tzinfo=plus_two)) == (
        "2024-05-01T12:30:00.000005Z"
    )
    assert repr(Lifecycle(DOCS)) == "<Lifecycle Doc ['created_at', 'updated_at', 'version', 'ttl']>"
    assert Lifecycle(USERS).now().tzinfo is dt.UTC  # the system clock, in UTC


def test_names_without_a_condition_are_refused_even_with_a_version(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(ValidationError, match="given without a condition_expression"):
        docs(fake).delete("d1", expression_attribute_names={"#t": "title"}, expected_version=1)
