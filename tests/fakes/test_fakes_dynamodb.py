"""FakeDynamoDBClient: the three checks (registration, call, teardown), ordering, and the client surface."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, OperationNotPageableError, ParamValidationError

from theorydb_mocks.fakes import (
    ANY,
    Exact,
    ExpectationError,
    FakeDynamoDBClient,
    PendingExpectationsError,
    Regex,
    StrictFakeError,
    UnexpectedCallError,
)

KEY = {"pk": {"S": "USER#1"}}


@pytest.fixture
def fake() -> FakeDynamoDBClient:
    return FakeDynamoDBClient()


def offline_client() -> Any:
    """A real boto3 client that never reaches the network in these tests (validation fails first)."""
    return boto3.client(
        "dynamodb",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


# -- registration ----------------------------------------------------------------------------------------


def test_unknown_method_is_refused_with_a_suggestion(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(ExpectationError, match=r"DynamoDB has no method 'put_itme'; did you mean put_item"):
        fake.expect("put_itme")


def test_operation_names_are_accepted_too(fake: FakeDynamoDBClient) -> None:
    expectation = fake.expect("PutItem", {"TableName": "t"})
    assert expectation.method == "put_item"
    assert expectation.operation_name == "PutItem"


def test_expected_parameters_are_checked_against_the_input_shape(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(ParamValidationError, match='Unknown parameter in input: "TableNme"'):
        fake.expect("put_item", {"TableNme": "t"})
    with pytest.raises(ParamValidationError, match=r"Invalid type for parameter Item.pk.S, value: 1"):
        fake.expect("put_item", {"Item": {"pk": {"S": 1}}})
    with pytest.raises(ParamValidationError, match=r'Unknown parameter in Item\.pk: "Z"'):
        fake.expect("put_item", {"Item": {"pk": {"Z": "1"}}})
    with pytest.raises(ParamValidationError, match="Invalid type for parameter Limit"):
        fake.expect("query", {"Limit": "10"})
    with pytest.raises(ParamValidationError, match="Invalid type for expected parameters"):
        fake.expect("put_item", ["TableName"])  # type: ignore[arg-type]


def test_expected_parameters_may_omit_required_members_and_use_matchers(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item", {"Item": {"pk": {"S": Regex("USER#.*")}, "n": ANY}})
    fake.expect("get_item", ANY)
    fake.expect("delete_item", Exact({"TableName": "t", "Key": KEY}))
    with pytest.raises(ParamValidationError, match='Unknown parameter in input: "Kye"'):
        fake.expect("delete_item", Exact({"TableName": "t", "Kye": KEY}))


def test_a_response_and_an_error_contradict(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(ExpectationError, match="give a response or an error, not both"):
        fake.expect("get_item", response={}, error="ResourceNotFoundException")
    with pytest.raises(ExpectationError, match="need an error code"):
        fake.expect("get_item", error_message="boom")
    with pytest.raises(ExpectationError, match="a ready exception carries its own message"):
        fake.expect("get_item", error=ClientError({"Error": {"Code": "X"}}, "GetItem"), error_message="m")


@pytest.mark.parametrize("times", [0, -1, True, 1.5])
def test_times_must_be_a_positive_int_or_none(fake: FakeDynamoDBClient, times: Any) -> None:
    with pytest.raises(ExpectationError, match="times must be a positive int or None"):
        fake.expect("get_item", times=times)


def test_canned_responses_are_validated_against_the_output_shape(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(ParamValidationError, match='Unknown parameter in response: "Itme"'):
        fake.expect("get_item", response={"Itme": {}})
    with pytest.raises(ParamValidationError, match=r"Invalid type for parameter Item\.pk"):
        fake.expect("get_item", response={"Item": {"pk": "USER#1"}})
    with pytest.raises(ParamValidationError, match="Invalid type for parameter Count"):
        fake.expect("query", response={"Count": "1"})
    with pytest.raises(ParamValidationError, match="Invalid type for response"):
        fake.expect("query", response=[])  # type: ignore[arg-type]
    fake.expect("query", response={"Items": [KEY], "Count": 1, "ResponseMetadata": {"HTTPStatusCode": 200}})


def test_an_error_the_operation_never_answers_is_refused(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(ExpectationError, match="GetItem never answers 'ConditionalCheckFailedException'"):
        fake.expect("get_item", error="ConditionalCheckFailedException")
    with pytest.raises(ExpectationError, match=r"did you mean ConditionalCheckFailedException\b"):
        fake.expect("put_item", error="ConditionalCheckFailed")
    with pytest.raises(ExpectationError, match="error must be a code"):
        fake.expect("put_item", error=42)  # type: ignore[arg-type]


def test_modeled_error_fields_are_validated(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(
        ParamValidationError, match='Unknown parameter in ConditionalCheckFailedException: "Itm"'
    ):
        fake.expect("put_item", error="ConditionalCheckFailedException", error_fields={"Itm": {}})
    with pytest.raises(ParamValidationError, match=r"Invalid type for parameter .*CancellationReasons"):
        fake.expect(
            "transact_write_items",
            error="TransactionCanceledException",
            error_fields={"CancellationReasons": "ConditionalCheckFailed"},
        )
    with pytest.raises(ParamValidationError, match="no modeled fields"):
        fake.expect("put_item", error="ValidationException", error_fields={"Item": KEY})


def test_an_expectation_prints_as_its_call(fake: FakeDynamoDBClient) -> None:
    assert repr(fake.expect("get_item", {"TableName": "t", "Key": {"pk": {"S": ANY}}})) == (
        "get_item(TableName='t', Key={'pk': {'S': <ANY>}})"
    )
    assert repr(fake.expect("scan")) == "scan()"
    assert repr(fake.expect("put_item", {"TableName": "t"}, error="ConditionalCheckFailedException")) == (
        "put_item(TableName='t') -> raises ConditionalCheckFailedException"
    )
    assert repr(fake.expect("query", times=3, optional=True)) == "query() [times=3, optional]"
    assert repr(fake.expect("query", times=None)) == "query() [any number of times]"


# -- the call --------------------------------------------------------------------------------------------


def test_a_matching_call_gets_a_copy_of_the_response_with_metadata(fake: FakeDynamoDBClient) -> None:
    fake.expect("get_item", {"TableName": "t", "Key": KEY}, response={"Item": KEY}, times=2)
    first = fake.get_item(TableName="t", Key=KEY, ConsistentRead=True)
    assert first["Item"] == KEY
    assert first["ResponseMetadata"]["HTTPStatusCode"] == 200
    first["Item"]["pk"]["S"] = "changed"
    assert fake.get_item(TableName="t", Key=KEY)["Item"] == KEY


def test_no_response_means_an_empty_answer(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item")
    answer = fake.put_item(TableName="t", Item=KEY)
    assert set(answer) == {"ResponseMetadata"}


def test_calls_record_every_request_as_sent(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item")
    item = {"pk": {"S": "1"}}
    fake.put_item(TableName="t", Item=item)
    item["pk"]["S"] = "mutated later"
    with pytest.raises(ParamValidationError):
        fake.put_item(TableName="t")
    with pytest.raises(UnexpectedCallError):
        fake.get_item(TableName="t", Key=KEY)
    assert [repr(call) for call in fake.calls] == [
        "put_item(TableName='t', Item={'pk': {'S': '1'}})",
        "put_item(TableName='t')",
        "get_item(TableName='t', Key={'pk': {'S': 'USER#1'}})",
    ]
    assert fake.calls[0].operation_name == "PutItem"


def test_a_mismatch_explains_itself_with_a_path_qualified_diff(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item", {"TableName": "users", "Item": {"email": {"S": "a"}}})
    with pytest.raises(UnexpectedCallError) as caught:
        fake.put_item(TableName="users", Item={"pk": {"S": "1"}, "email": {"S": "b"}})
    assert isinstance(caught.value, AssertionError)
    assert str(caught.value) == (
        "unexpected call put_item(TableName='users', Item={'pk': {'S': '1'}, 'email': {'S': 'b'}})\n"
        "  nearest expectation: put_item(TableName='users', Item={'email': {'S': 'a'}})\n"
        "  differences (expected != received):\n"
        "    Item.email.S: 'a' != 'b'\n"
        "  (docs: docs/testing.md#strict-fakes: ANY, optional=True or ordered=False relax the match)"
    )


def test_a_call_with_nothing_pending_says_so(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(UnexpectedCallError) as caught:
        fake.scan(TableName="t")
    assert str(caught.value) == (
        "unexpected call scan(TableName='t')\n"
        "  no expectation is pending (docs: docs/testing.md#strict-fakes)"
    )


def test_a_wrong_method_names_both_methods(fake: FakeDynamoDBClient) -> None:
    fake.expect("get_item", {"TableName": "t"})
    with pytest.raises(UnexpectedCallError, match=r"    method: 'get_item' != 'delete_item'"):
        fake.delete_item(TableName="t", Key=KEY)


def test_the_nearest_expectation_is_the_closest_of_the_same_method() -> None:
    fake = FakeDynamoDBClient(ordered=False)
    fake.expect("get_item", {"TableName": "t"})
    fake.expect("put_item", {"TableName": "x", "Item": {"a": {"S": "1"}}})
    fake.expect("put_item", {"TableName": "t", "Item": {"a": {"S": "1"}}})
    with pytest.raises(UnexpectedCallError) as caught:
        fake.put_item(TableName="t", Item={"a": {"S": "2"}})
    assert "nearest expectation: put_item(TableName='t', Item={'a': {'S': '1'}})" in str(caught.value)
    assert [line for line in str(caught.value).splitlines() if line.startswith("    ")] == [
        "    Item.a.S: '1' != '2'"
    ]


def test_a_malformed_request_fails_like_botocore_before_matching(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item", {"TableName": "t"})
    with pytest.raises(ParamValidationError) as from_fake:
        fake.put_item(TableName="t", Itm=KEY)
    with pytest.raises(ParamValidationError) as from_boto3:
        offline_client().put_item(TableName="t", Itm=KEY)
    assert str(from_fake.value) == str(from_boto3.value)
    fake.put_item(TableName="t", Item=KEY)  # the expectation was not consumed
    fake.assert_no_pending()  # and a validation error is what AWS would do, not a fake failure


def test_unknown_methods_and_positional_arguments_fail_like_boto3(fake: FakeDynamoDBClient) -> None:
    with pytest.raises(AttributeError) as from_fake:
        fake.put_itme  # noqa: B018
    with pytest.raises(AttributeError) as from_boto3:
        offline_client().put_itme  # noqa: B018
    assert str(from_fake.value) == str(from_boto3.value) == "'DynamoDB' object has no attribute 'put_itme'"
    with pytest.raises(TypeError, match=r"put_item\(\) only accepts keyword arguments."):
        fake.put_item({"TableName": "t"})


def test_every_method_of_the_real_client_exists() -> None:
    fake = FakeDynamoDBClient()
    real = offline_client()
    operations = set(real.meta.method_to_api_mapping)
    assert operations, "the real client lists its methods"
    for name in operations:
        assert callable(getattr(fake, name)), name
    assert operations <= set(dir(fake))
    assert fake.meta.method_to_api_mapping == real.meta.method_to_api_mapping


def test_meta_and_exceptions_look_like_a_real_clients() -> None:
    fake = FakeDynamoDBClient(region_name="eu-west-1")
    assert fake.meta.service_model.service_name == "dynamodb"
    assert fake.meta.region_name == "eu-west-1"
    assert issubclass(fake.exceptions.ConditionalCheckFailedException, ClientError)
    assert (
        fake.exceptions.ConditionalCheckFailedException
        is offline_client().exceptions.ConditionalCheckFailedException
    )


# -- errors ----------------------------------------------------------------------------------------------


def test_an_error_code_raises_the_modeled_client_error(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item", error="ConditionalCheckFailedException", error_fields={"Item": KEY})
    with pytest.raises(fake.exceptions.ConditionalCheckFailedException) as caught:
        fake.put_item(
            TableName="t",
            Item=KEY,
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    response = caught.value.response
    assert response["Error"] == {
        "Message": "The conditional request failed",
        "Code": "ConditionalCheckFailedException",
    }
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Item"] == KEY
    assert caught.value.operation_name == "PutItem"
    assert str(caught.value) == (
        "An error occurred (ConditionalCheckFailedException) when calling the PutItem operation: "
        "The conditional request failed"
    )


def test_transaction_cancellations_carry_reasons_and_the_services_message(fake: FakeDynamoDBClient) -> None:
    reasons = [
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"},
    ]
    fake.expect(
        "transact_write_items",
        error="TransactionCanceledException",
        error_fields={"CancellationReasons": reasons},
    )
    with pytest.raises(fake.exceptions.TransactionCanceledException) as caught:
        fake.transact_write_items(
            TransactItems=[{"ConditionCheck": {"TableName": "t", "Key": KEY, "ConditionExpression": "x"}}]
        )
    message = (
        "Transaction cancelled, please refer cancellation reasons for specific reasons"
        " [None, ConditionalCheckFailed]"
    )
    assert caught.value.response["Error"]["Message"] == message
    assert caught.value.response["Message"] == message
    assert caught.value.response["CancellationReasons"] == reasons


def test_error_messages_statuses_classes_and_instances(fake: FakeDynamoDBClient) -> None:
    fake.expect("get_item", error="ResourceNotFoundException")
    fake.expect("get_item", error="InternalServerError")
    fake.expect(
        "get_item",
        error="ValidationException",
        error_message="The provided key element does not match the schema",
    )
    fake.expect("get_item", error=fake.exceptions.ProvisionedThroughputExceededException)
    ready = ClientError({"Error": {"Code": "Custom", "Message": "m"}}, "GetItem")
    fake.expect("get_item", error=ready)
    with pytest.raises(fake.exceptions.ResourceNotFoundException, match="Requested resource not found"):
        fake.get_item(TableName="t", Key=KEY)
    with pytest.raises(fake.exceptions.InternalServerError) as internal:
        fake.get_item(TableName="t", Key=KEY)
    assert internal.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    with pytest.raises(ClientError, match="does not match the schema") as validation:
        fake.get_item(TableName="t", Key=KEY)
    assert validation.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(fake.exceptions.ProvisionedThroughputExceededException):
        fake.get_item(TableName="t", Key=KEY)
    with pytest.raises(ClientError) as custom:
        fake.get_item(TableName="t", Key=KEY)
    assert custom.value is ready
    fake.assert_no_pending()


# -- ordering ----------------------------------------------------------------------------------------------


def test_expectations_are_met_first_in_first_out(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item", {"TableName": "a"})
    fake.expect("put_item", {"TableName": "b"})
    with pytest.raises(UnexpectedCallError, match="TableName: 'a' != 'b'"):
        fake.put_item(TableName="b", Item=KEY)
    fake.put_item(TableName="a", Item=KEY)
    fake.put_item(TableName="b", Item=KEY)


def test_unordered_fakes_take_any_pending_expectation() -> None:
    fake = FakeDynamoDBClient(ordered=False)
    fake.expect("put_item", {"TableName": "a"})
    fake.expect("put_item", {"TableName": "b"})
    fake.put_item(TableName="b", Item=KEY)
    fake.put_item(TableName="a", Item=KEY)
    fake.assert_no_pending()


def test_an_unordered_group_is_one_step_of_the_sequence(fake: FakeDynamoDBClient) -> None:
    fake.expect("get_item", {"TableName": "first"})
    with fake.unordered():
        fake.expect("put_item", {"TableName": "a"})
        fake.expect("put_item", {"TableName": "b"})
    fake.expect("get_item", {"TableName": "last"})
    fake.get_item(TableName="first", Key=KEY)
    with pytest.raises(UnexpectedCallError):
        fake.get_item(TableName="last", Key=KEY)  # the group is not done yet
    fake.put_item(TableName="b", Item=KEY)
    fake.put_item(TableName="a", Item=KEY)
    fake.get_item(TableName="last", Key=KEY)
    assert fake.pending == []


def test_unordered_blocks_do_not_nest(fake: FakeDynamoDBClient) -> None:
    with fake.unordered(), pytest.raises(ExpectationError, match="do not nest"), fake.unordered():
        pass


def test_optional_expectations_may_be_skipped_or_used(fake: FakeDynamoDBClient) -> None:
    fake.expect("describe_table", {"TableName": "t"}, optional=True)
    fake.expect("get_item", {"TableName": "t"})
    fake.expect("describe_table", {"TableName": "t"}, optional=True)
    fake.get_item(TableName="t", Key=KEY)
    fake.describe_table(TableName="t")
    fake.assert_no_pending()


def test_a_skipped_optional_expectation_cannot_be_used_later(fake: FakeDynamoDBClient) -> None:
    fake.expect("describe_table", optional=True)
    fake.expect("get_item")
    fake.get_item(TableName="t", Key=KEY)
    with pytest.raises(UnexpectedCallError, match="no expectation is pending"):
        fake.describe_table(TableName="t")


def test_repeated_expectations_count_their_uses(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item", {"TableName": "t"}, times=3)
    fake.put_item(TableName="t", Item=KEY)
    fake.put_item(TableName="t", Item=KEY)
    assert [repr(e) for e in fake.pending] == ["put_item(TableName='t') [times=3, used 2]"]
    with pytest.raises(PendingExpectationsError, match=r"put_item\(TableName='t'\) \[times=3, used 2\]"):
        fake.assert_no_pending()
    fake.put_item(TableName="t", Item=KEY)
    with pytest.raises(UnexpectedCallError):
        fake.put_item(TableName="t", Item=KEY)


def test_any_number_of_times_needs_one_use_and_then_gives_way(fake: FakeDynamoDBClient) -> None:
    fake.expect("query", {"TableName": "t"}, times=None)
    fake.expect("delete_item")
    with pytest.raises(UnexpectedCallError):
        fake.delete_item(TableName="t", Key=KEY)
    for _ in range(5):
        fake.query(TableName="t")
    fake.delete_item(TableName="t", Key=KEY)
    with pytest.raises(UnexpectedCallError):
        fake.query(TableName="t")


def test_optional_any_number_of_times_means_zero_or_more() -> None:
    fake = FakeDynamoDBClient()
    fake.expect("query", times=None, optional=True)
    fake.assert_no_pending()
    fake.query(TableName="t")
    fake.query(TableName="t")
    fake.assert_no_pending()


# -- teardown ---------------------------------------------------------------------------------------------


def test_teardown_reports_unused_expectations_and_swallowed_mismatches(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item", {"TableName": "t"})
    with contextlib.suppress(Exception):  # code under test that swallows everything
        fake.get_item(TableName="t", Key=KEY)
    with pytest.raises(PendingExpectationsError) as caught:
        fake.assert_no_pending()
    assert isinstance(caught.value, StrictFakeError)
    assert str(caught.value) == (
        "FakeDynamoDBClient: the test did not go as declared\n"
        "  expectations never met (1):\n"
        "    put_item(TableName='t')\n"
        "  unexpected calls (1):\n"
        "    get_item(TableName='t', Key={'pk': {'S': 'USER#1'}})\n"
        "  (docs: docs/testing.md#strict-fakes)"
    )


def test_the_context_manager_checks_on_a_clean_exit_only() -> None:
    with pytest.raises(PendingExpectationsError), FakeDynamoDBClient() as fake:
        fake.expect("scan")
    with pytest.raises(KeyError), FakeDynamoDBClient() as fake:
        fake.expect("scan")
        raise KeyError("the test's own failure wins")


def test_repr_counts_pending_and_calls(fake: FakeDynamoDBClient) -> None:
    fake.expect("scan", times=2)
    fake.scan(TableName="t")
    assert repr(fake) == "<FakeDynamoDBClient pending=1 calls=1>"


# -- paginators, waiters, threads -------------------------------------------------------------------------


def test_botocore_paginators_drive_the_fake(fake: FakeDynamoDBClient) -> None:
    fake.expect("query", {"TableName": "t"}, response={"Items": [KEY], "LastEvaluatedKey": KEY})
    fake.expect(
        "query", {"TableName": "t", "ExclusiveStartKey": KEY}, response={"Items": [{"pk": {"S": "2"}}]}
    )
    pages = list(fake.get_paginator("query").paginate(TableName="t"))
    assert [page["Items"] for page in pages] == [[KEY], [{"pk": {"S": "2"}}]]
    assert fake.can_paginate("scan")
    assert not fake.can_paginate("put_item")
    with pytest.raises(OperationNotPageableError):
        fake.get_paginator("put_item")


def test_botocore_waiters_drive_the_fake(fake: FakeDynamoDBClient) -> None:
    fake.expect("describe_table", {"TableName": "t"}, error="ResourceNotFoundException")
    fake.expect("describe_table", {"TableName": "t"}, response={"Table": {"TableStatus": "ACTIVE"}})
    fake.get_waiter("table_exists").wait(TableName="t", WaiterConfig={"Delay": 0, "MaxAttempts": 3})
    fake.assert_no_pending()
    with pytest.raises(ValueError, match="Waiter does not exist: nope"):
        fake.get_waiter("nope")


def test_concurrent_calls_are_counted_exactly() -> None:
    fake = FakeDynamoDBClient(ordered=False)
    fake.expect("put_item", {"TableName": "t"}, times=200)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(25):
                fake.put_item(TableName="t", Item=KEY)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(fake.calls) == 200
    assert fake.pending == []
    fake.assert_no_pending()


# -- against DynamoDB Local ------------------------------------------------------------------------------


@pytest.fixture
def local_table(dynamodb_local_client: Any) -> Iterator[str]:
    import uuid

    name = f"fakes-{uuid.uuid4().hex[:12]}"
    dynamodb_local_client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    yield name
    dynamodb_local_client.delete_table(TableName=name)


@pytest.mark.dynamodb_local
def test_injected_errors_look_like_dynamodb_locals(dynamodb_local_client: Any, local_table: str) -> None:
    client = dynamodb_local_client
    client.put_item(TableName=local_table, Item=KEY)
    put = {"TableName": local_table, "Item": KEY, "ConditionExpression": "attribute_not_exists(pk)"}
    transact = {"TransactItems": [{"Put": put}]}
    fake = FakeDynamoDBClient()
    fake.expect("put_item", error="ConditionalCheckFailedException", error_fields={"Item": KEY})
    fake.expect(
        "transact_write_items",
        error="TransactionCanceledException",
        error_fields={"CancellationReasons": [{"Code": "ConditionalCheckFailed", "Message": "x"}]},
    )
    pairs = []
    for method, params in (
        ("put_item", {**put, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
        ("transact_write_items", transact),
    ):
        caught = []
        for target in (client, fake):
            with pytest.raises(ClientError) as info:
                getattr(target, method)(**params)
            caught.append(info.value)
        pairs.append(caught)
    for real, faked in pairs:
        assert type(real).__name__ == type(faked).__name__
        assert real.response["Error"] == faked.response["Error"]
        assert set(real.response) == set(faked.response)
        assert str(real) == str(faked)


def test_a_repeated_error_is_a_fresh_instance_each_time(fake: FakeDynamoDBClient) -> None:
    fake.expect("get_item", error="ResourceNotFoundException", times=2)
    caught = []
    for _ in range(2):
        with pytest.raises(fake.exceptions.ResourceNotFoundException) as info:
            fake.get_item(TableName="t", Key=KEY)
        caught.append(info.value)
    assert caught[0] is not caught[1]
    assert caught[0].response["Error"] == caught[1].response["Error"]
    assert (
        caught[0].response["ResponseMetadata"]["RequestId"]
        != caught[1].response["ResponseMetadata"]["RequestId"]
    )


def test_an_out_of_order_call_points_at_the_later_expectation(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item", {"TableName": "a"})
    fake.expect("put_item", {"TableName": "b"})
    with pytest.raises(UnexpectedCallError) as caught:
        fake.put_item(TableName="b", Item=KEY)
    assert str(caught.value).splitlines()[1:5] == [
        "  nearest expectation: put_item(TableName='a')",
        "  differences (expected != received):",
        "    TableName: 'a' != 'b'",
        "  it matches a later expectation: put_item(TableName='b') (out of order? see unordered())",
    ]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((42,), {}, "method must be a str"),
        (("get_item",), {"optional": "yes"}, "optional must be True or False"),
        (("put_item",), {"error": "ValidationException", "error_message": 5}, "error_message must be a str"),
        (
            ("put_item",),
            {"error": "ConditionalCheckFailedException", "error_fields": [1]},
            "error_fields must",
        ),
    ],
)
def test_bad_arguments_to_expect_are_expectation_errors(
    fake: FakeDynamoDBClient, args: tuple[Any, ...], kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ExpectationError, match=message):
        fake.expect(*args, **kwargs)


def test_an_answer_dynamodb_would_withhold_from_the_request_fails(fake: FakeDynamoDBClient) -> None:
    fake.expect("put_item", error="ConditionalCheckFailedException", error_fields={"Item": KEY})
    fake.expect("update_item", response={"Attributes": KEY})
    fake.expect("delete_item", response={"Attributes": KEY})
    with pytest.raises(UnexpectedCallError) as no_item:
        fake.put_item(TableName="t", Item=KEY, ConditionExpression="attribute_not_exists(pk)")
    assert str(no_item.value).splitlines()[1:3] == [
        "  expectation: put_item() -> raises ConditionalCheckFailedException",
        "  the canned error carries Item, but DynamoDB sends it only to a request with "
        "ReturnValuesOnConditionCheckFailure='ALL_OLD'",
    ]
    with pytest.raises(UnexpectedCallError, match="carries Attributes, but DynamoDB sends them only"):
        fake.update_item(TableName="t", Key=KEY, UpdateExpression="SET a = :a", ReturnValues="NONE")
    assert fake.delete_item(TableName="t", Key=KEY, ReturnValues="ALL_OLD")["Attributes"] == KEY
    with pytest.raises(PendingExpectationsError, match=r"unexpected calls \(2\)"):
        fake.assert_no_pending()


def test_the_partiql_operations_are_covered_like_any_other(fake: FakeDynamoDBClient) -> None:
    statement = "SELECT * FROM orders WHERE pk = ?"
    fake.expect("execute_statement", {"Statement": statement, "Parameters": [ANY]}, response={"Items": []})
    fake.expect("batch_execute_statement", response={"Responses": [{"TableName": "orders"}]})
    fake.expect(
        "execute_transaction", error="TransactionCanceledException", error_fields={"CancellationReasons": []}
    )
    fake.expect(
        "execute_statement",
        error="DuplicateItemException",
        error_message="Duplicate primary key exists in table",
    )
    assert fake.execute_statement(Statement=statement, Parameters=[{"S": "o1"}])["Items"] == []
    batch = fake.batch_execute_statement(Statements=[{"Statement": "INSERT INTO orders VALUE {'pk': 'o1'}"}])
    assert batch["Responses"] == [{"TableName": "orders"}]
    with pytest.raises(fake.exceptions.TransactionCanceledException):
        fake.execute_transaction(TransactStatements=[{"Statement": "DELETE FROM orders WHERE pk = 'o1'"}])
    with pytest.raises(fake.exceptions.DuplicateItemException, match="Duplicate primary key"):
        fake.execute_statement(Statement="INSERT INTO orders VALUE {'pk': 'o1'}")
    with pytest.raises(ParamValidationError, match="Statement"):
        fake.expect("execute_statement", {"Statment": "SELECT 1"})
    fake.assert_no_pending()
