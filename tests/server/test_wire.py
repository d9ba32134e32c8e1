"""The JSON codec against botocore's own serializer and parser: what boto3 sends decodes to what it meant."""

from __future__ import annotations

import datetime
import json
from typing import Any

import botocore.session
import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer
from hypothesis import given, settings
from hypothesis import strategies as st

from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.wire import decode_request, encode_error, encode_response

_SESSION = botocore.session.get_session()


def _model(service: str) -> Any:
    return _SESSION.get_service_model(service)


def _serialize(service: str, operation: str, params: dict[str, Any]) -> tuple[str, bytes]:
    model = _model(service)
    op = model.operation_model(operation)
    request = create_serializer("json").serialize_to_request(params, op)
    body = request["body"]
    return request["headers"]["X-Amz-Target"], body if isinstance(body, bytes) else body.encode()


def _parse(service: str, operation: str, body: bytes, status: int = 200) -> dict[str, Any]:
    op = _model(service).operation_model(operation)
    parsed: dict[str, Any] = create_parser("json").parse(
        {"status_code": status, "headers": {}, "body": body}, op.output_shape
    )
    parsed.pop("ResponseMetadata", None)
    return parsed


attribute_values = st.recursive(
    st.one_of(
        st.builds(lambda s: {"S": s}, st.text(max_size=5)),
        st.builds(lambda n: {"N": str(n)}, st.integers()),
        st.builds(lambda b: {"B": b}, st.binary(max_size=8)),
        st.builds(lambda bs: {"BS": bs}, st.lists(st.binary(max_size=4), min_size=1, max_size=3)),
        st.builds(lambda b: {"BOOL": b}, st.booleans()),
        st.just({"NULL": True}),
    ),
    lambda inner: st.one_of(
        st.builds(lambda items: {"L": items}, st.lists(inner, max_size=3)),
        st.builds(lambda m: {"M": m}, st.dictionaries(st.text(min_size=1, max_size=3), inner, max_size=3)),
    ),
    max_leaves=8,
)
items = st.dictionaries(st.text(min_size=1, max_size=4), attribute_values, min_size=1, max_size=4)


@settings(max_examples=60, deadline=None)
@given(items)
def test_put_item_round_trips_through_botocore_serializer(item: dict[str, Any]) -> None:
    params = {"TableName": "things", "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}
    target, body = _serialize("dynamodb", "PutItem", params)
    assert decode_request(target, body) == ("PutItem", params)


@settings(max_examples=60, deadline=None)
@given(items)
def test_get_item_response_round_trips_through_botocore_parser(item: dict[str, Any]) -> None:
    body = encode_response("dynamodb", "GetItem", {"Item": item, "ResponseMetadata": {"RequestId": "x"}})
    assert _parse("dynamodb", "GetItem", body) == {"Item": item}


def test_batch_and_transaction_blobs_are_decoded_everywhere() -> None:
    params = {
        "TransactItems": [
            {"Put": {"TableName": "t", "Item": {"pk": {"B": b"\x00"}}}},
            {
                "ConditionCheck": {
                    "TableName": "t",
                    "Key": {"pk": {"B": b"\x01"}},
                    "ConditionExpression": "#a = :v",
                    "ExpressionAttributeNames": {"#a": "a"},
                    "ExpressionAttributeValues": {":v": {"BS": [b"\x02", b"\x03"]}},
                }
            },
        ]
    }
    target, body = _serialize("dynamodb", "TransactWriteItems", params)
    _, decoded = decode_request(target, body)
    assert decoded["TransactItems"][0]["Put"]["Item"]["pk"]["B"] == b"\x00"
    assert decoded["TransactItems"][1]["ConditionCheck"]["ExpressionAttributeValues"][":v"]["BS"] == [
        b"\x02",
        b"\x03",
    ]


def test_timestamps_become_aware_datetimes() -> None:
    when = datetime.datetime(2024, 5, 1, 12, 0, 30, tzinfo=datetime.UTC)
    params = {"TableName": "t", "TimeRangeLowerBound": when}
    target, body = _serialize("dynamodb", "ListBackups", params)
    assert decode_request(target, body) == ("ListBackups", params)


def test_streams_operations_only_under_the_streams_prefix() -> None:
    target, body = _serialize(
        "dynamodbstreams",
        "GetShardIterator",
        {
            "StreamArn": "arn:aws:dynamodb:us-east-1:1:table/t/stream/x",
            "ShardId": "shardId-00000001700000000000-abcdefgh",
            "ShardIteratorType": "TRIM_HORIZON",
        },
    )
    assert target == "DynamoDBStreams_20120810.GetShardIterator"
    assert decode_request(target, body)[0] == "GetShardIterator"
    for bad in ("DynamoDB_20120810.GetShardIterator", "DynamoDBStreams_20120810.PutItem"):
        with pytest.raises(DynamoDBError) as info:
            decode_request(bad, body)
        assert info.value.code == "UnknownOperationException"


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "PutItem",
        "DynamoDB_20120810",
        "DynamoDB_20120810.",
        "DynamoDB_20120810.Nope",
        "dynamodb_20120810.PutItem",
        "DynamoDB_20120810.PutItem.Extra",
    ],
)
def test_unknown_targets(target: str | None) -> None:
    with pytest.raises(DynamoDBError) as info:
        decode_request(target, b"{}")
    assert info.value.code == "UnknownOperationException"
    assert encode_error(info.value) == (
        400,
        b'{"__type":"com.amazon.coral.service#UnknownOperationException"}',
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", ""),
        (b'{"TableName": "t",}', ""),
        (b"\xff\xfe{}", ""),
        (b'{"Limit": NaN}', ""),
        (b"[]", "Start of list found where not expected"),
        (b'"x"', "Unexpected value type in payload: STRING_VALUE where a structure or map was expected"),
        (b"null", "Unexpected value type in payload: VALUE_NULL where a structure or map was expected"),
        (b'{"TableName":"t","Key":{"pk":{"B":"!!"}}}', "Base64 encoded value is malformed"),
        (b"[" * 100_000, ""),
    ],
)
def test_malformed_bodies_are_serialization_exceptions(body: bytes, message: str) -> None:
    with pytest.raises(DynamoDBError) as info:
        decode_request("DynamoDB_20120810.GetItem", body)
    assert (info.value.code, info.value.message) == ("SerializationException", message)


def test_wrongly_typed_members_are_left_for_validation() -> None:
    """``{"B": 5}`` stays 5, so validation names the type error as the service does."""
    _, request = decode_request("DynamoDB_20120810.GetItem", b'{"TableName":"t","Key":{"pk":{"B":5}}}')
    assert request == {"TableName": "t", "Key": {"pk": {"B": 5}}}
    _, request = decode_request("DynamoDB_20120810.GetItem", b'{"TableName":"t","Key":[{"B":"AA=="}]}')
    assert request["Key"] == [{"B": "AA=="}]


def test_escaped_member_names_are_still_decoded() -> None:
    body = b'{"TableName":"t","Key":{"pk":{"\\u0042":"AAE="}}}'
    assert decode_request("DynamoDB_20120810.GetItem", body)[1]["Key"]["pk"]["B"] == b"\x00\x01"


def test_empty_body_is_an_empty_request() -> None:
    assert decode_request("DynamoDB_20120810.ListTables", b"") == ("ListTables", {})
    assert decode_request("DynamoDB_20120810.ListTables", b" \n") == ("ListTables", {})


def test_error_with_modeled_fields_parses_in_botocore() -> None:
    err = DynamoDBError(
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[ConditionalCheckFailed]",
        CancellationReasons=[
            {
                "Code": "ConditionalCheckFailed",
                "Message": "The conditional request failed",
                "Item": {"pk": {"B": b"\x07"}},
            }
        ],
    )
    status, body = encode_error(err)
    assert status == 400
    op = _model("dynamodb").operation_model("TransactWriteItems")
    parsed = create_parser("json").parse(
        {"status_code": status, "headers": {}, "body": body}, op.output_shape
    )
    assert parsed["Error"] == {"Code": "TransactionCanceledException", "Message": err.message}
    assert json.loads(body)["CancellationReasons"][0]["Item"] == {"pk": {"B": "Bw=="}}


def test_server_errors_keep_their_status() -> None:
    status, body = encode_error(DynamoDBError("InternalServerError", "Internal server error"))
    assert status == 500
    assert json.loads(body) == {
        "__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
        "message": "Internal server error",
    }


def test_non_ascii_and_lone_surrogates_encode_as_valid_json() -> None:
    assert encode_response("dynamodb", "GetItem", {"Item": {"a": {"S": "é"}}}) == (
        '{"Item":{"a":{"S":"é"}}}'.encode()
    )
    body = encode_response("dynamodb", "GetItem", {"Item": {"a": {"S": "\ud800"}}})
    assert json.loads(body) == {"Item": {"a": {"S": "\ud800"}}}


def test_encode_response_refuses_unknown_operations() -> None:
    with pytest.raises(ValueError, match="no operation"):
        encode_response("dynamodb", "GetRecords", {})
