"""Batch reads and writes against the strict fake: chunks, order, duplicates, retries with backoff."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.unit._models import DOCS, NOTES, USERS, Doc, Note, User
from theorydb_py import BatchUnprocessedError, RetryPolicy, Table, ValidationError
from theorydb_py.mocks import Exact, FakeDynamoDBClient

NOW = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)


class Waits:
    """An injected sleep that records the delays, and a fixed 'random' draw."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def policy(self, attempts: int = 8) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=attempts, base_delay=0.1, max_delay=0.5, sleep=self.delays.append, random=lambda: 0.5
        )


def user_key(i: int) -> dict[str, Any]:
    return {"PK": {"S": f"u{i}"}, "SK": {"S": "PROFILE"}}


def user_item(i: int) -> dict[str, Any]:
    return Table(USERS, client=object()).to_item(User(f"u{i}", name=f"n{i}"))


def test_batch_get_keeps_the_order_asked_and_reports_missing(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "batch_get_item",
        Exact(
            {
                "RequestItems": {
                    "users": {"Keys": [user_key(3), user_key(1), user_key(2)], "ConsistentRead": False}
                }
            }
        ),
        response={"Responses": {"users": [user_item(1), user_item(3)]}},
    )
    result = Table(USERS, client=fake).batch_get([("u3", "PROFILE"), ("u1", "PROFILE"), ("u2", "PROFILE")])
    assert [u.id for u in result.items] == ["u3", "u1"] == [u.id for u in result]
    assert result.missing == [("u2", "PROFILE")] and len(result) == 2
    assert repr(result) == "<BatchGetResult 2 found, 1 missing>"


def test_batch_get_chunks_by_100_with_consistency_and_a_projection_that_keeps_keys(
    fake: FakeDynamoDBClient,
) -> None:
    options = {
        "ConsistentRead": True,
        "ProjectionExpression": "#p_name, #p_PK, #p_SK",
        "ExpressionAttributeNames": {"#p_name": "name", "#p_PK": "PK", "#p_SK": "SK"},
    }
    fake.expect(
        "batch_get_item",
        Exact({"RequestItems": {"users": {"Keys": [user_key(i) for i in range(100)], **options}}}),
        response={"Responses": {"users": [user_item(i) for i in range(100)]}},
    )
    fake.expect(
        "batch_get_item",
        Exact({"RequestItems": {"users": {"Keys": [user_key(i) for i in range(100, 130)], **options}}}),
        response={"Responses": {"users": [user_item(i) for i in range(100, 130)]}},
    )
    keys = [(f"u{i}", "PROFILE") for i in range(130)]
    result = Table(USERS, client=fake).batch_get(keys, consistent_read=True, projection=["name"])
    assert [u.id for u in result] == [f"u{i}" for i in range(130)] and result.missing == []


def test_unprocessed_keys_are_retried_with_exponential_backoff_and_jitter(fake: FakeDynamoDBClient) -> None:
    waits = Waits()
    both, second = [user_key(1), user_key(2)], [user_key(2)]
    answers = [
        (both, [], both),
        (both, [user_item(1)], second),
        (second, [], second),
        (second, [], second),
        (second, [user_item(2)], None),
    ]
    for keys, found, unprocessed in answers:
        response: dict[str, Any] = {"Responses": {"users": found}}
        if unprocessed:
            response["UnprocessedKeys"] = {"users": {"Keys": unprocessed}}
        fake.expect(
            "batch_get_item",
            Exact({"RequestItems": {"users": {"Keys": keys, "ConsistentRead": False}}}),
            response=response,
        )
    result = Table(USERS, client=fake).batch_get([("u1", "PROFILE"), ("u2", "PROFILE")], retry=waits.policy())
    assert [u.id for u in result] == ["u1", "u2"]
    assert waits.delays == [0.05, 0.1, 0.2, 0.25]  # 0.5 * min(0.5, 0.1 * 2**n)


def test_batch_get_gives_up_with_the_keys_left(fake: FakeDynamoDBClient) -> None:
    waits = Waits()
    fake.expect(
        "batch_get_item",
        {},
        response={"Responses": {"notes": []}, "UnprocessedKeys": {"notes": {"Keys": [{"key": {"S": "B"}}]}}},
        times=3,
    )
    with pytest.raises(BatchUnprocessedError, match=r"1 key\(s\) still unprocessed after 3 attempts") as info:
        Table(NOTES, client=fake).batch_get(["a", "b"], retry=waits.policy(3))
    assert info.value.unprocessed_keys == ("b",)  # the key as the caller gave it
    assert len(waits.delays) == 2


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ([("u1", "PROFILE"), ("u1", "PROFILE")], "asked for twice"),
        (["u1"], r"has a sort key; give each key as \(pk, sk\)"),
        ([("u1", "")], "must not be empty"),
        ("u1", "a list of keys"),
    ],
)
def test_batch_get_refuses_bad_keys_before_sending(keys: Any, message: str, fake: FakeDynamoDBClient) -> None:
    with pytest.raises(ValidationError, match=message):
        Table(USERS, client=fake).batch_get(keys)


def test_batch_write_chunks_by_25_and_stamps_puts(fake: FakeDynamoDBClient) -> None:
    table = Table(DOCS, client=fake, clock=lambda: NOW)
    puts = [Doc(f"d{i}") for i in range(30)]
    stamped = [table.to_item(table.mapper.stamp(d, new=False)) for d in puts]
    requests = [{"PutRequest": {"Item": item}} for item in stamped]
    requests += [{"DeleteRequest": {"Key": {"id": {"S": f"x{i}"}}}} for i in range(3)]
    fake.expect("batch_write_item", Exact({"RequestItems": {"docs": requests[:25]}}), response={})
    fake.expect("batch_write_item", Exact({"RequestItems": {"docs": requests[25:]}}), response={})
    table.batch_write(puts=puts, deletes=["x0", "x1", "x2"])
    assert stamped[0]["updatedAt"] == {"S": "2024-05-01T12:30:00.000000Z"}


def test_unprocessed_items_are_retried_then_reported_by_origin(fake: FakeDynamoDBClient) -> None:
    waits = Waits()
    table = Table(NOTES, client=fake)
    put_a = {"PutRequest": {"Item": {"key": {"S": "A"}, "text": {"S": ""}, "count": {"N": "0"}}}}
    delete_b = {"DeleteRequest": {"Key": {"key": {"S": "B"}}}}
    fake.expect(
        "batch_write_item",
        Exact({"RequestItems": {"notes": [put_a, delete_b]}}),
        response={"UnprocessedItems": {"notes": [put_a, delete_b]}},
    )
    fake.expect(
        "batch_write_item",
        Exact({"RequestItems": {"notes": [put_a, delete_b]}}),
        response={"UnprocessedItems": {"notes": [delete_b]}},
    )
    fake.expect(
        "batch_write_item",
        Exact({"RequestItems": {"notes": [delete_b]}}),
        response={"UnprocessedItems": {"notes": [delete_b]}},
    )
    with pytest.raises(
        BatchUnprocessedError, match=r"0 put\(s\) and 1 delete\(s\) still unprocessed"
    ) as info:
        table.batch_write(puts=[Note("a")], deletes=["b"], retry=waits.policy(3))
    assert info.value.unprocessed_deletes == ("b",) and info.value.unprocessed_puts == ()
    assert waits.delays == [0.05, 0.1]


def test_unprocessed_puts_are_reported_as_the_instances_given(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "batch_write_item",
        {},
        response={"UnprocessedItems": {"notes": [{"PutRequest": {"Item": {"key": {"S": "A"}}}}]}},
    )
    note = Note("a", "hello")
    with pytest.raises(BatchUnprocessedError) as info:
        Table(NOTES, client=fake).batch_write(puts=[note], retry=RetryPolicy(max_attempts=1))
    assert info.value.unprocessed_puts == (note,)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"puts": [Note("a")], "deletes": ["A"]}, "appears twice"),
        ({"deletes": ["a", "a"]}, "appears twice"),
        ({"puts": [User("u1")]}, "expected a Note instance"),
        ({"puts": "abc"}, "puts must be a list"),
    ],
)
def test_batch_write_refuses_bad_input_before_sending(
    options: dict[str, Any], message: str, fake: FakeDynamoDBClient
) -> None:
    with pytest.raises(ValidationError, match=message):
        Table(NOTES, client=fake).batch_write(**options)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_attempts": 0}, "max_attempts must be an int >= 1"),
        ({"max_attempts": True}, "max_attempts must be an int >= 1"),
        ({"base_delay": -1}, "base_delay must be a number >= 0"),
        ({"max_delay": "1"}, "max_delay must be a number >= 0"),
    ],
)
def test_retry_policy_is_checked(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RetryPolicy(**options)


def test_the_default_policy_caps_the_delay() -> None:
    policy = RetryPolicy(random=lambda: 1.0)
    assert [policy.delay(n) for n in (0, 1, 10)] == [0.05, 0.1, 5.0]
    assert 0 <= RetryPolicy().delay(3) <= 0.4  # the real random draw stays within the cap
