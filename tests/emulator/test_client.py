"""The direct client behaves like ``boto3.client("dynamodb")``: methods, validation, responses, errors,
paginators and waiters."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, OperationNotPageableError, ParamValidationError
from botocore.validate import ParamValidator

import theorydb_mocks.emulator.operations  # noqa: F401  (registers every handler)
from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient, _Operation, service_model
from theorydb_mocks.emulator.operations._registry import OPERATIONS


@pytest.fixture(scope="module")
def real() -> Any:
    """A real boto3 client (never called over the network): the reference for names and exceptions."""
    return boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


def test_has_every_boto3_operation_method(client: EmulatorClient, real: Any) -> None:
    names = set(real.meta.method_to_api_mapping)
    assert names
    for name in names:
        assert callable(getattr(client, name)), name
    assert client.meta.method_to_api_mapping == real.meta.method_to_api_mapping
    assert client.meta.region_name == "us-east-1"
    assert client.meta.service_model.service_name == "dynamodb"


def test_unknown_attributes_raise_attribute_error(client: EmulatorClient) -> None:
    with pytest.raises(AttributeError, match="'DynamoDB' object has no attribute 'put_itme'"):
        client.put_itme  # noqa: B018


def test_positional_arguments_are_refused_like_boto3(client: EmulatorClient) -> None:
    with pytest.raises(TypeError, match=r"list_tables\(\) only accepts keyword arguments."):
        client.list_tables("x")


def test_response_metadata(client: EmulatorClient) -> None:
    response = client.list_tables()
    metadata = response["ResponseMetadata"]
    assert metadata["HTTPStatusCode"] == 200
    assert metadata["RetryAttempts"] == 0
    assert metadata["HTTPHeaders"]["x-amzn-requestid"] == metadata["RequestId"]
    assert client.list_tables()["ResponseMetadata"]["RequestId"] != metadata["RequestId"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"TableName": 5},
        {"TableName": "ab", "Bogus": 1},
        {"TableName": ""},
        {"TableName": "things", "Key": {"pk": {"S": "a"}}, "ConsistentRead": "yes"},
    ],
)
def test_param_validation_matches_botocore_word_for_word(
    client: EmulatorClient, params: dict[str, Any]
) -> None:
    shape = service_model().operation_model("GetItem").input_shape
    report = ParamValidator().validate(params, shape)
    assert report.has_errors()
    with pytest.raises(ParamValidationError) as caught:
        client.get_item(**params)
    assert str(caught.value) == str(ParamValidationError(report=report.generate_report()))


def test_errors_are_boto3_exception_classes_with_metadata(client: EmulatorClient, real: Any) -> None:
    with pytest.raises(real.exceptions.ResourceNotFoundException) as caught:
        client.describe_table(TableName="missing")
    err = caught.value
    assert isinstance(err, ClientError)
    assert err.operation_name == "DescribeTable"
    assert err.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Requested resource not found: Table: missing not found",
    }
    assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_server_side_validation_reaches_the_caller_as_client_error(client: EmulatorClient) -> None:
    with pytest.raises(ClientError) as caught:
        client.describe_table(TableName="a!")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert caught.value.response["Error"]["Message"].startswith("2 validation errors detected: ")


def test_unimplemented_operations_raise_a_clear_client_error(
    client: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every modeled operation is implemented: take one that needs no input out of the registry.
    monkeypatch.delitem(OPERATIONS, "DescribeLimits")
    with pytest.raises(ClientError) as caught:
        client.describe_limits()
    error = caught.value.response["Error"]
    assert error["Code"] == "UnknownOperationException"
    assert "DescribeLimits" in error["Message"]


def test_string_blobs_are_sent_as_utf8_bytes(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    seen: list[dict[str, Any]] = []
    emu.observe(lambda observed: seen.append(observed.request))  # each request as it was answered
    with pytest.raises(ClientError):
        client.get_item(TableName="missing", Key={"pk": {"B": "héllo"}, "sk": {"BS": [bytearray(b"x")]}})
    assert seen[0]["Key"] == {"pk": {"B": "héllo".encode()}, "sk": {"BS": [b"x"]}}


def test_timestamps_are_sent_as_datetimes(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    seen: list[dict[str, Any]] = []
    emu.observe(lambda observed: seen.append(observed.request))  # each request as it was answered
    client.list_backups(TimeRangeLowerBound="2024-01-02T03:04:05Z", TimeRangeUpperBound=1_700_000_000)
    assert seen[0]["TimeRangeLowerBound"] == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert seen[0]["TimeRangeUpperBound"] == datetime.fromtimestamp(1_700_000_000, UTC)


def test_idempotency_tokens_are_filled_in(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    seen: list[dict[str, Any]] = []
    emu.observe(lambda observed: seen.append(observed.request))  # each request as it was answered
    with pytest.raises(ClientError):
        client.transact_write_items(
            TransactItems=[{"ConditionCheck": {"TableName": "t" * 3, "Key": {}, "ConditionExpression": "a"}}]
        )
    assert len(seen[0]["ClientRequestToken"]) == 36


def test_paginators_and_waiters(client: EmulatorClient) -> None:
    assert client.can_paginate("query")
    assert client.can_paginate("scan")
    assert not client.can_paginate("get_item")
    with pytest.raises(OperationNotPageableError):
        client.get_paginator("get_item")
    for name in ("alpha", "bravo", "charlie"):
        client.create_table(**table_request(name))
    pages = list(client.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 1}))
    # A full page carries LastEvaluatedTableName (as DynamoDB Local does), so the walk ends on an empty page.
    assert [page["TableNames"] for page in pages] == [["alpha"], ["bravo"], ["charlie"]]
    assert {"table_exists", "table_not_exists"} <= set(client.waiter_names)
    client.get_waiter("table_exists").wait(TableName="alpha")
    client.delete_table(TableName="alpha")
    client.get_waiter("table_not_exists").wait(TableName="alpha")
    with pytest.raises(ValueError, match="Waiter does not exist"):
        client.get_waiter("nothing")


def test_fast_path_skips_only_what_was_checked(
    client: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bool] = []
    original = _Operation.prepare

    def spy(self: _Operation, params: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        prepared = original(self, params)
        calls.append(prepared[1])  # whether the service's validation is skipped
        return prepared

    monkeypatch.setattr(_Operation, "prepare", spy)
    client.list_tables(Limit=5)
    with pytest.raises(ClientError, match="less than or equal to 100"):
        client.list_tables(Limit=500)  # valid for botocore (it checks no max), not for the service
    with pytest.raises(ClientError, match="regular expression pattern"):
        client.describe_table(TableName="bad name")
    assert calls == [True, False, False]


def test_many_threads_share_one_emulator(emu: DynamoDBEmulator) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        client = emu.client()
        try:
            for i in range(10):
                client.create_table(**table_request(f"t{n:02d}-{i:02d}"))
                client.describe_table(TableName=f"t{n:02d}-{i:02d}")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(emu.client().list_tables()["TableNames"]) == 80


def test_query_and_scan_paginators_walk_every_item(client: EmulatorClient, table: str) -> None:
    for i in range(25):
        client.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"N": str(i)}})
    query = client.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
        PaginationConfig={"PageSize": 10},
    )
    pages = list(query)
    assert [page["Count"] for page in pages] == [10, 10, 5]
    assert [item["sk"]["N"] for page in pages for item in page["Items"]] == [str(i) for i in range(25)]
    scan = client.get_paginator("scan").paginate(TableName=table, PaginationConfig={"PageSize": 7})
    assert sum(page["Count"] for page in scan) == 25
