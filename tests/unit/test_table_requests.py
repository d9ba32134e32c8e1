"""Table against the strict FakeDynamoDBClient: the exact requests sent, answers decoded, errors mapped."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.unit._models import NOTES, USERS, Note, User
from theorydb_py import (
    AwsError,
    ConditionFailedError,
    ItemNotFoundError,
    NotFoundError,
    SortKeyCondition,
    Table,
    TableNotFoundError,
    TheorydbPyError,
    UpdateAdd,
    UpdateSetIfNotExists,
    ValidationError,
)
from theorydb_py.cursor import encode_cursor
from theorydb_py.expressions import begins_with, eq, exists, gte, lt, not_exists
from theorydb_py.mocks import ANY, Exact, FakeDynamoDBClient

U1_KEY = {"PK": {"S": "u1"}, "SK": {"S": "PROFILE"}}


def stored(user: User) -> dict[str, Any]:
    return Table(USERS, client=object()).to_item(user)


def test_put_sends_the_item(fake: FakeDynamoDBClient) -> None:
    user = User(id="u1", name="Ann", age=3)
    fake.expect("put_item", Exact({"TableName": "users", "Item": stored(user)}), response={})
    Table(USERS, client=fake).put(user)


def test_put_with_a_typed_condition(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "put_item",
        Exact(
            {
                "TableName": "users",
                "Item": ANY,
                "ConditionExpression": "attribute_not_exists(#c_PK) OR #c_age < :c1",
                "ExpressionAttributeNames": {"#c_PK": "PK", "#c_age": "age"},
                "ExpressionAttributeValues": {":c1": {"N": "5"}},
            }
        ),
        response={},
    )
    Table(USERS, client=fake).put(User(id="u1"), condition_expression=not_exists("id") | lt("age", 5))


def test_put_with_a_raw_condition_and_python_or_attribute_values(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "put_item",
        {
            "ConditionExpression": "#n <> :a AND #n <> :b",
            "ExpressionAttributeNames": {"#n": "name"},
            "ExpressionAttributeValues": {":a": {"S": "x"}, ":b": {"N": "2"}},
        },
        response={},
    )
    Table(USERS, client=fake).put(
        User(id="u1"),
        condition_expression="#n <> :a AND #n <> :b",
        expression_attribute_names={"#n": "name"},
        expression_attribute_values={":a": "x", ":b": {"N": "2"}},
    )


def test_put_condition_failure_is_condition_failed_error(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item", {"TableName": "users"}, error="ConditionalCheckFailedException")
    with pytest.raises(ConditionFailedError) as info:
        Table(USERS, client=fake).put(User(id="u1"), condition_expression=not_exists("id"))
    assert info.value.code == "ConditionalCheckFailedException"
    assert info.value.message == "The conditional request failed"
    assert isinstance(info.value.__cause__, ClientError)


def test_get_and_find(fake: FakeDynamoDBClient) -> None:
    user = User(id="u1", name="Ann")
    fake.expect(
        "get_item",
        Exact({"TableName": "users", "Key": U1_KEY, "ConsistentRead": False}),  # always sent (TableTheory)
        response={"Item": stored(user)},
    )
    fake.expect("get_item", Exact({"TableName": "users", "Key": U1_KEY, "ConsistentRead": True}), response={})
    fake.expect("get_item", {"Key": {"PK": {"S": "u2"}, "SK": {"S": "X"}}}, response={})
    table = Table(USERS, client=fake)
    assert table.get("u1", "PROFILE") == user
    assert table.find("u1", "PROFILE", consistent_read=True) is None
    with pytest.raises(ItemNotFoundError, match=r"no User with key \('u2', 'X'\) in users") as info:
        table.get("u2", "X")
    assert isinstance(info.value, NotFoundError)


def test_keys_go_through_converters(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "get_item",
        Exact({"TableName": "notes", "Key": {"key": {"S": "ABC"}}, "ConsistentRead": False}),
        response={"Item": {"key": {"S": "ABC"}, "text": {"S": "HELLO"}, "count": {"N": "2"}}},
    )
    assert Table(NOTES, client=fake).get("abc") == Note("abc", "hello", 2)


def test_delete_with_condition(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "delete_item",
        Exact(
            {
                "TableName": "users",
                "Key": U1_KEY,
                "ConditionExpression": "attribute_exists(#c_PK)",
                "ExpressionAttributeNames": {"#c_PK": "PK"},
            }
        ),
        response={},
    )
    Table(USERS, client=fake).delete("u1", "PROFILE", condition_expression=exists("id"))


def test_update_sends_one_expression_and_returns_the_new_item(fake: FakeDynamoDBClient) -> None:
    after = User(id="u1", name="Ann", age=4)
    fake.expect(
        "update_item",
        Exact(
            {
                "TableName": "users",
                "Key": U1_KEY,
                "UpdateExpression": "SET #d_name = :d_name, #d_email = if_not_exists(#d_email, :d_email) "
                "REMOVE #d_nicknames ADD #d_age :d_age",
                "ExpressionAttributeNames": {
                    "#d_name": "name",
                    "#d_email": "email",
                    "#d_nicknames": "nicknames",
                    "#d_age": "age",
                    "#c_PK": "PK",
                },
                "ExpressionAttributeValues": {
                    ":d_name": {"S": "Ann"},
                    ":d_email": {"S": "a@x"},
                    ":d_age": {"N": "1"},
                },
                "ConditionExpression": "attribute_exists(#c_PK)",
                "ReturnValues": "ALL_NEW",
            }
        ),
        response={"Attributes": stored(after)},
    )
    got = Table(USERS, client=fake).update(
        "u1",
        "PROFILE",
        {"name": "Ann", "email": UpdateSetIfNotExists("a@x"), "nicknames": None, "age": UpdateAdd(1)},
        condition_expression=exists("id"),
    )
    assert got == after


def test_query_request_shape(fake: FakeDynamoDBClient) -> None:
    start = {"PK": {"S": "u1"}, "SK": {"S": "ORDER#1"}}
    last = {"PK": {"S": "u1"}, "SK": {"S": "ORDER#3"}}
    fake.expect(
        "query",
        Exact(
            {
                "TableName": "users",
                "KeyConditionExpression": "#pk = :pk AND begins_with(#sk, :sk)",
                "FilterExpression": "#f_age >= :f1 AND begins_with(#f_name, :f2)",
                "ProjectionExpression": "#p_PK, #p_SK, #p_name",
                "ExpressionAttributeNames": {
                    "#pk": "PK",
                    "#sk": "SK",
                    "#f_age": "age",
                    "#f_name": "name",
                    "#p_PK": "PK",
                    "#p_SK": "SK",
                    "#p_name": "name",
                },
                "ExpressionAttributeValues": {
                    ":pk": {"S": "u1"},
                    ":sk": {"S": "ORDER#"},
                    ":f1": {"N": "18"},
                    ":f2": {"S": "A"},
                },
                "Limit": 2,
                "ExclusiveStartKey": start,
                "ScanIndexForward": False,
                "ConsistentRead": True,
            }
        ),
        response={
            "Items": [{**last, "name": {"S": "Ann"}}],
            "Count": 1,
            "ScannedCount": 2,
            "LastEvaluatedKey": last,
        },
    )
    page = Table(USERS, client=fake).query(
        "u1",
        SortKeyCondition.begins_with("ORDER#"),
        limit=2,
        cursor=encode_cursor(start, sort="DESC"),
        scan_forward=False,
        consistent_read=True,
        projection=["id", "sk", "name"],
        filter=gte("age", 18) & begins_with("name", "A"),
    )
    assert [(u.id, u.sk, u.name, u.age) for u in page.items] == [("u1", "ORDER#3", "Ann", 0)]
    assert page.next_cursor == encode_cursor(last, sort="DESC")
    assert (page.count, page.scanned_count) == (1, 2)


def test_query_on_an_index(fake: FakeDynamoDBClient) -> None:
    last = {"PK": {"S": "u1"}, "SK": {"S": "P"}, "status": {"S": "active"}, "age": {"N": "3"}}
    fake.expect(
        "query",
        Exact(
            {
                "TableName": "users",
                "IndexName": "by-status",
                "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :sk1 AND :sk2",
                "ExpressionAttributeNames": {"#pk": "status", "#sk": "age"},
                "ExpressionAttributeValues": {":pk": {"S": "active"}, ":sk1": {"N": "1"}, ":sk2": {"N": "9"}},
                "ScanIndexForward": True,
                "ConsistentRead": False,
            }
        ),
        response={"Items": [], "Count": 0, "ScannedCount": 0, "LastEvaluatedKey": last},
    )
    page = Table(USERS, client=fake).query("active", SortKeyCondition.between(1, 9), index_name="by-status")
    assert page.items == [] and page.next_cursor == encode_cursor(last, index="by-status", sort="ASC")


def _page(ids: list[str], last: str | None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "Items": [stored(User(id="u1", sk=i)) for i in ids],
        "Count": len(ids),
        "ScannedCount": len(ids),
    }
    if last:
        response["LastEvaluatedKey"] = {"PK": {"S": "u1"}, "SK": {"S": last}}
    return response


def test_query_all_and_iter_query_follow_the_pages_lazily(fake: FakeDynamoDBClient) -> None:
    fake.expect("query", {"Limit": 2}, response=_page(["a", "b"], "b"))
    fake.expect(
        "query", {"ExclusiveStartKey": {"PK": {"S": "u1"}, "SK": {"S": "b"}}}, response=_page(["c"], None)
    )
    table = Table(USERS, client=fake)
    items = table.iter_query("u1", limit=2)
    assert next(items).sk == "a"
    assert len(fake.calls) == 1  # the second page is fetched only when needed
    assert [u.sk for u in items] == ["b", "c"]
    assert "ExclusiveStartKey" not in fake.calls[0].params
    fake.expect("query", {}, response=_page(["a"], "a"))
    fake.expect("query", {}, response=_page(["b"], None))
    assert [u.sk for u in table.query_all("u1")] == ["a", "b"]


def test_scan_and_parallel_scan(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "scan",
        Exact(
            {
                "TableName": "users",
                "FilterExpression": "#f_active = :f1",
                "ExpressionAttributeNames": {"#f_active": "active"},
                "ExpressionAttributeValues": {":f1": {"BOOL": True}},
                "Segment": 1,
                "TotalSegments": 4,
                "ConsistentRead": False,
            }
        ),
        response=_page(["a"], "a"),
    )
    page = Table(USERS, client=fake).scan(filter=eq("active", True), segment=1, total_segments=4)
    assert page.next_cursor == encode_cursor({"PK": {"S": "u1"}, "SK": {"S": "a"}})
    fake.expect(
        "scan",
        Exact({"TableName": "users", "IndexName": "by-email", "ConsistentRead": False}),
        response=_page(["x"], None),
    )
    assert [u.sk for u in Table(USERS, client=fake).scan_all(index_name="by-email")] == ["x"]


def test_count_uses_select_count_over_all_pages(fake: FakeDynamoDBClient) -> None:
    key = {"PK": {"S": "u1"}, "SK": {"S": "b"}}
    fake.expect(
        "query", {"Select": "COUNT"}, response={"Count": 2, "ScannedCount": 2, "LastEvaluatedKey": key}
    )
    fake.expect(
        "query", {"Select": "COUNT", "ExclusiveStartKey": key}, response={"Count": 1, "ScannedCount": 1}
    )
    fake.expect(
        "scan",
        Exact({"TableName": "users", "Select": "COUNT", "ConsistentRead": False}),
        response={"Count": 7, "ScannedCount": 7},
    )
    table = Table(USERS, client=fake)
    assert table.count("u1") == 3
    assert table.count() == 7


@pytest.mark.parametrize(
    ("code", "error_type"),
    [
        ("ConditionalCheckFailedException", ConditionFailedError),
        ("ResourceNotFoundException", TableNotFoundError),
        ("ValidationException", ValidationError),
        ("ProvisionedThroughputExceededException", AwsError),
        ("InternalServerError", AwsError),
    ],
)
def test_client_errors_are_mapped(
    fake: FakeDynamoDBClient, code: str, error_type: type[TheorydbPyError]
) -> None:
    fake.expect("delete_item", {}, error=code, error_message="boom")
    with pytest.raises(error_type) as info:
        Table(USERS, client=fake).delete("u1", "PROFILE")
    assert (info.value.code, info.value.message) == (code, "boom")
    assert isinstance(info.value.__cause__, ClientError)


REFUSED: list[tuple[str, Any, str]] = [
    ("missing sk", lambda t: t.get("u1"), r"get: User needs a sort key value \(sk=\)"),
    ("empty pk", lambda t: t.get("", "P"), "get: the key field id must not be empty"),
    ("none pk", lambda t: t.delete(None, "P"), "delete: the key field id needs a value, not None"),
    ("wrong pk type", lambda t: t.get(1, "P"), "get id: expected str, got int 1"),
    ("put a non-model", lambda t: t.put({"id": "u1"}), "expected a User instance, got dict"),
    ("put empty key", lambda t: t.put(User(id="")), "User: the key field id must not be empty"),
    ("put bad value", lambda t: t.put(User(id="u", age="x")), "User.age: expected int"),  # type: ignore[arg-type]
    ("unknown filter field", lambda t: t.query("u1", filter=eq("zzz", 1)), "User has no field 'zzz'"),
    ("unknown index", lambda t: t.query("u1", index_name="nope"), "User has no index 'nope'"),
    ("bad cursor", lambda t: t.query("u1", cursor="%%%"), "invalid cursor"),
    (
        "cursor of another index",
        lambda t: t.query(
            "u1", cursor=encode_cursor({"PK": {"S": "u1"}, "SK": {"S": "a"}}, index="x", sort="ASC")
        ),
        "made for index 'x', not None",
    ),
    (
        "scan cursor to query",
        lambda t: t.query("u1", cursor=encode_cursor({"PK": {"S": "u"}, "SK": {"S": "a"}})),
        "made for sort order None, not 'ASC'",
    ),
    (
        "consistent gsi",
        lambda t: t.query("a@x", index_name="by-email", consistent_read=True),
        "consistent_read is not supported for GSIs",
    ),
    ("bad limit", lambda t: t.query("u1", limit=0), "limit must be a positive int, not 0"),
    ("segment alone", lambda t: t.scan(segment=0), "needs both segment= and total_segments="),
    ("segment too big", lambda t: t.scan(segment=4, total_segments=4), "segment must be an int from 0 to 3"),
    (
        "names without condition",
        lambda t: t.delete("u", "P", expression_attribute_names={"#a": "a"}),
        "without a condition_expression",
    ),
    (
        "empty condition",
        lambda t: t.delete("u", "P", condition_expression=" "),
        "must be a non-empty string or a Condition",
    ),
    (
        "placeholder clash",
        lambda t: t.delete(
            "u", "P", condition_expression=exists("id"), expression_attribute_names={"#c_PK": "x"}
        ),
        "attribute name #c_PK already stands for 'PK'",
    ),
    ("update key", lambda t: t.update("u1", "P", {"sk": "x"}), "key fields cannot be updated"),
    (
        "count sort without partition",
        lambda t: t.count(sort=SortKeyCondition.eq("a")),
        "a sort condition needs a partition value",
    ),
]


@pytest.mark.parametrize(("action", "message"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_bad_input_is_refused_before_any_request(fake: FakeDynamoDBClient, action: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        action(Table(USERS, client=fake))
    assert fake.calls == []


def test_sort_key_given_to_a_model_without_one(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(ValidationError, match="Note has no sort key, but sk='x' was given"):
        Table(NOTES, client=fake).get("a", "x")


def test_the_default_client_is_made_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []
    fake = FakeDynamoDBClient()
    fake.expect("get_item", {"TableName": "other"}, response={})

    def default_client(service: str = "dynamodb") -> Any:
        made.append(service)
        return fake

    monkeypatch.setattr("theorydb_py._client.default_client", default_client)
    table = Table(USERS, table_name="other")
    assert made == []
    assert table.find("u1", "P") is None
    assert made == ["dynamodb"]
    fake.assert_no_pending()


def test_table_repr_and_bad_table_name() -> None:
    assert repr(Table(User, client=object())) == "<Table User 'User'>"
    with pytest.raises(ValidationError, match="table_name must be a non-empty string"):
        Table(USERS, client=object(), table_name="")


def test_decimal_and_money_round_trip_through_requests(fake: FakeDynamoDBClient) -> None:
    user = User(id="u1", balance=Decimal("0.10"), balance_cents=Decimal("9.99"))
    fake.expect("put_item", {"Item": {"balance": {"N": "0.10"}, "balance_cents": {"N": "999"}}}, response={})
    Table(USERS, client=fake).put(user)
