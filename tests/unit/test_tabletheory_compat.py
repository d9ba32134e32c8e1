"""TableTheory's behaviour and request shapes, pinned against the strict fake (UPSTREAM-API.md 3, 8.3)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from theorydb_mocks.fakes import Exact, FakeDynamoDBClient
from theorydb_py import (
    AwsError,
    BatchRetryExceededError,
    ConditionFailedError,
    EncryptionNotConfiguredError,
    FilterCondition,
    FilterGroup,
    ModelDefinition,
    NotFoundError,
    Page,
    Table,
    TransactConditionCheck,
    TransactDelete,
    TransactionCanceledError,
    TransactPut,
    TransactUpdate,
    TransactWriteAction,
    UpdateAdd,
    UpdateSetIfNotExists,
    ValidationError,
    theorydb_field,
)
from theorydb_py.aws_errors import map_client_error
from theorydb_py.query import Cursor, decode_cursor, encode_cursor


@dataclass(frozen=True)
class Note:
    pk: str = theorydb_field(roles=["pk"])
    sk: str = theorydb_field(roles=["sk"])
    value: int = theorydb_field(default=0)
    note: str = theorydb_field(omitempty=True, default="")
    size: int = theorydb_field(default=0)


NOTES = ModelDefinition.from_dataclass(Note, table_name="notes")
KEY = {"pk": {"S": "A"}, "sk": {"S": "1"}}


def test_the_update_mapping_uses_d_placeholders_as_the_contract_runner_checks() -> None:
    request = Table(NOTES, client=object())._build_update_request("A", "1", {"size": 3})
    assert request["ExpressionAttributeNames"] == {"#d_size": "size"}
    assert request["UpdateExpression"] == "SET #d_size = :d_size"
    assert "ReturnValues" not in request


def test_readme_transaction_request_shape(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "transact_write_items",
        Exact(
            {
                "TransactItems": [
                    {
                        "Update": {
                            "TableName": "notes",
                            "Key": {"pk": {"S": "A"}, "sk": {"S": "2"}},
                            "UpdateExpression": (
                                "SET #d_note = if_not_exists(#d_note, :d_note) ADD #d_value :d_value"
                            ),
                            "ConditionExpression": "attribute_not_exists(#v) OR #v < :max_allowed",
                            "ExpressionAttributeNames": {
                                "#d_value": "value",
                                "#d_note": "note",
                                "#v": "value",
                            },
                            "ExpressionAttributeValues": {
                                ":d_value": {"N": "1"},
                                ":d_note": {"S": "first"},
                                ":max_allowed": {"N": "100"},
                            },
                        }
                    },
                    {
                        "Delete": {
                            "TableName": "notes",
                            "Key": KEY,
                            "ConditionExpression": "attribute_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": "notes",
                            "Item": {
                                "pk": {"S": "B"},
                                "sk": {"S": "1"},
                                "value": {"N": "0"},
                                "size": {"N": "0"},
                            },
                        }
                    },
                    {
                        "ConditionCheck": {
                            "TableName": "notes",
                            "Key": {"pk": {"S": "C"}, "sk": {"S": "1"}},
                            "ConditionExpression": "#s > :s",
                            "ExpressionAttributeNames": {"#s": "size"},
                            "ExpressionAttributeValues": {":s": {"N": "1"}},
                        }
                    },
                ]
            }
        ),
        response={},
    )
    Table(NOTES, client=fake).transact_write(
        [
            TransactUpdate(
                pk="A",
                sk="2",
                updates={"value": UpdateAdd(1), "note": UpdateSetIfNotExists("first")},
                condition_expression="attribute_not_exists(#v) OR #v < :max_allowed",
                expression_attribute_names={"#v": "value"},
                expression_attribute_values={":max_allowed": 100},
            ),
            TransactDelete("A", "1", "attribute_exists(pk)"),
            TransactPut(Note("B", "1")),
            TransactConditionCheck("C", "1", "#s > :s", {"#s": "size"}, {":s": {"N": "1"}}),
        ]
    )


def test_builder_condition_in_tabletheorys_form(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "update_item",
        Exact(
            {
                "TableName": "notes",
                "Key": KEY,
                "UpdateExpression": (
                    "SET #u_note = :u1, #u_size = if_not_exists(#u_size, :u2) ADD #u_value :u3"
                ),
                # TableTheory sends the terms without parentheses; here they fold left, as called
                "ConditionExpression": (
                    "(#c_note = :c1 AND #c_value BETWEEN :c2 AND :c3) OR attribute_exists(#c_pk)"
                ),
                "ExpressionAttributeNames": {
                    "#u_note": "note",
                    "#u_size": "size",
                    "#u_value": "value",
                    "#c_note": "note",
                    "#c_value": "value",
                    "#c_pk": "pk",
                },
                "ExpressionAttributeValues": {
                    ":u1": {"S": "x"},
                    ":u2": {"N": "5"},
                    ":u3": {"N": "1"},
                    ":c1": {"S": "x"},
                    ":c2": {"N": "1"},
                    ":c3": {"N": "9"},
                },
                "ReturnValues": "NONE",
            }
        ),
        response={},
    )
    (
        Table(NOTES, client=fake)
        .update_builder("A", "1")
        .set("note", "x")
        .set_if_not_exists("size", 0, 5)  # the middle argument is unused, as in TableTheory
        .increment("value")
        .condition("note", " eq ", "x")
        .condition("value", "between", [1, 9])
        .or_condition("pk", "ATTRIBUTE_EXISTS")
        .execute()
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("value", "=", None), "= requires one value"),
        (("value", "between", [1]), "BETWEEN requires two values"),
        (("value", "in", "abc"), "IN requires a single sequence"),
        (("value", "in", list(range(101))), "IN supports maximum 100 values"),
        (("value", "exists", 1), "EXISTS does not take a value"),
        (("value", "LIKE", 1), "unsupported filter operator: LIKE"),
    ],
)
def test_builder_condition_shape_errors(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Table(NOTES, client=object()).update_builder("A", "1").condition(*args)


def test_filter_conditions_and_groups_render_as_tabletheory(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "query",
        Exact(
            {
                "TableName": "notes",
                "KeyConditionExpression": "#pk = :pk",
                "ProjectionExpression": "#p_pk, #p_sk, #p_note",
                "FilterExpression": (
                    "(#f_note = :f1 OR #f_note = :f2"
                    " OR (#f_value IN (:f3, :f4) AND attribute_exists(#f_size)))"
                ),
                "ExpressionAttributeNames": {
                    "#pk": "pk",
                    "#p_pk": "pk",
                    "#p_sk": "sk",
                    "#p_note": "note",
                    "#f_note": "note",
                    "#f_value": "value",
                    "#f_size": "size",
                },
                "ExpressionAttributeValues": {
                    ":pk": {"S": "A"},
                    ":f1": {"S": "a"},
                    ":f2": {"S": "b"},
                    ":f3": {"N": "1"},
                    ":f4": {"N": "2"},
                },
                "ScanIndexForward": True,
                "ConsistentRead": False,
            }
        ),
        response={"Items": [], "Count": 0, "ScannedCount": 0},
    )
    group = FilterGroup.or_(
        FilterCondition.eq("note", "a"),
        FilterCondition("note", "EQ", ("b",)),
        FilterGroup.and_(FilterCondition.in_("value", [1, 2]), FilterCondition.exists("size")),
    )
    Table(NOTES, client=fake).query("A", projection=["pk", "sk", "note"], filter=group)


@pytest.mark.parametrize(
    ("filter_", "message"),
    [
        (FilterGroup.and_(), "needs at least one filter"),
        (FilterGroup("XOR", (FilterCondition.eq("note", "a"),)), "op must be AND or OR"),
        (FilterCondition.in_("value", []), "IN takes 1 to 100 values"),
        (FilterCondition("value", "=", ()), "= requires one value"),
    ],
)
def test_bad_filters_are_refused_instead_of_sent(filter_: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Table(NOTES, client=object()).scan(filter=filter_)


def test_a_transaction_cancelled_by_a_condition_is_caught_under_both_names(fake: FakeDynamoDBClient) -> None:
    fake.expect(
        "transact_write_items",
        {},
        error="TransactionCanceledException",
        error_fields={"CancellationReasons": [{"Code": "ConditionalCheckFailed"}, {"Code": "None"}]},
    )
    with pytest.raises(ConditionFailedError) as info:
        Table(NOTES, client=fake).transact_write([TransactDelete("A", "1"), TransactDelete("B", "1")])
    assert isinstance(info.value, TransactionCanceledError)
    assert info.value.reason_codes == ("ConditionalCheckFailed", "None")


def test_error_mapping_and_messages() -> None:
    def client_error(code: str, message: str = "m") -> ClientError:
        return ClientError({"Error": {"Code": code, "Message": message}}, "Op")

    assert isinstance(map_client_error(client_error("ResourceNotFoundException")), NotFoundError)
    assert isinstance(map_client_error(client_error("ValidationException")), ValidationError)
    assert str(map_client_error(client_error("ThrottlingException", "slow"))) == "ThrottlingException: slow"
    cancelled = map_client_error(client_error("TransactionCanceledException", "x [TransactionConflict]"))
    assert type(cancelled) is TransactionCanceledError and not isinstance(cancelled, ConditionFailedError)
    assert str(AwsError(code="X", message="y")) == "X: y"


def test_encrypted_model_without_key_raises_tabletheorys_error() -> None:
    @dataclass
    class Secret:
        pk: str = theorydb_field(roles=["pk"])
        secret: str = theorydb_field(encrypted=True, default="")

    with pytest.raises(EncryptionNotConfiguredError, match="kms_key_arn is not configured"):
        Table(ModelDefinition.from_dataclass(Secret, table_name="s"), client=object())


def test_batch_retries_run_out_with_tabletheorys_error(fake: FakeDynamoDBClient) -> None:
    slept: list[float] = []
    left = {"UnprocessedKeys": {"notes": {"Keys": [KEY]}}}
    fake.expect("batch_get_item", {}, response={"Responses": {"notes": []}, **left}, times=3)
    with pytest.raises(BatchRetryExceededError) as info:
        Table(NOTES, client=fake).batch_get([("A", "1")], max_retries=2, sleep=slept.append)
    assert (info.value.operation, info.value.unprocessed_count, len(slept)) == ("batch_get", 1, 2)
    assert Table(NOTES, client=fake).batch_get([]) == []  # no request


def test_query_with_retry_repeats_until_verified_and_only_retries_aws_errors(
    fake: FakeDynamoDBClient,
) -> None:
    item = {**KEY, "value": {"N": "1"}}
    fake.expect("query", {}, response={"Items": [], "Count": 0, "ScannedCount": 0})
    fake.expect("query", {}, error="ProvisionedThroughputExceededException")
    fake.expect("query", {}, response={"Items": [item], "Count": 1, "ScannedCount": 1})
    slept: list[float] = []
    page = Table(NOTES, client=fake).query_with_retry("A", sleep=slept.append, initial_delay_seconds=0.1)
    assert [n.value for n in page.items] == [1] and slept == [0.1, 0.2]
    with pytest.raises(ValidationError):  # refused locally: raised at once, never retried
        Table(NOTES, client=fake).query_with_retry("A", limit=0, sleep=slept.append)


def test_scan_all_segments_concatenates_in_segment_order(fake: FakeDynamoDBClient) -> None:
    for segment in (0, 1):
        item = {"pk": {"S": f"S{segment}"}, "sk": {"S": "1"}}
        fake.expect("scan", {"Segment": segment, "TotalSegments": 2}, response={"Items": [item], "Count": 1})
    notes = Table(NOTES, client=fake).scan_all_segments(total_segments=2, max_workers=1)
    assert [n.pk for n in notes] == ["S0", "S1"]


def test_cursor_functions_have_tabletheorys_signatures() -> None:
    token = encode_cursor({"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}, index="gsi-email", sort="ASC")
    assert decode_cursor(token) == Cursor({"PK": {"S": "USER#1"}, "SK": {"S": "PROFILE"}}, "gsi-email", "ASC")
    with pytest.raises(ValueError, match="cursor lastKey is invalid"):
        decode_cursor(base64.urlsafe_b64encode(b'{"lastKey":[]}').decode())


def test_generic_names_are_subscriptable_at_runtime() -> None:
    """TableTheory's generics work subscripted, as annotations evaluated at runtime use them."""
    assert TransactPut[Note](Note("A", "1")).item == Note("A", "1")
    assert Page[Note]([], None).next_cursor is None
    assert Table[Note](NOTES, client=object()).table_name == "notes"
    assert TransactWriteAction[Note] is not None  # type: ignore[misc]  # a runtime subscript of the alias


def test_describe_query_and_scan_feed_the_optimizer() -> None:
    from theorydb_py import QueryOptimizer

    table = Table(NOTES, client=object())
    shape = table.describe_query("A", filter=FilterCondition.exists("note"), projection=["pk", "sk"])
    assert (shape.has_partition_key, shape.has_sort_key, shape.has_filter, shape.projections) == (
        True,
        True,
        True,
        ("pk", "sk"),
    )
    plan = QueryOptimizer().explain(shape)
    assert plan.operation == "Query"
    scan = table.describe_scan(total_segments=4)
    assert scan.parallel_scan_configured and scan.total_segments == 4
    assert QueryOptimizer().explain(scan).operation == "Scan"


def test_field_metadata_reads_like_tabletheorys_dict() -> None:
    import dataclasses

    meta = {f.name: f.metadata["theorydb"] for f in dataclasses.fields(Note)}
    assert meta["pk"]["roles"] == ["pk"] and meta["pk"]["omitempty"] is False
    assert meta["note"]["omitempty"] is True and "name" not in meta["note"]
    assert meta["value"].get("set") is False and meta["value"].get("missing", 1) == 1
