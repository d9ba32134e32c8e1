"""Real boto3 clients answered in-process: ``mock_dynamodb`` and ``emu.boto3_client()``.

Each test proves a request went through botocore (validation, serialization, parsing) and reached the
emulator's ``dispatch``, and that nothing leaks out of a block: the patches, ``os.environ``, other clients.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sys
import threading
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.endpoint
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError

from theorydb_mocks import DynamoDBEmulator, mock_dynamodb
from theorydb_mocks.emulator.errors import ddb_error
from theorydb_mocks.emulator.routing import make_client

KEY = [{"AttributeName": "pk", "KeyType": "HASH"}]
DEFS = [{"AttributeName": "pk", "AttributeType": "S"}]


def create(client: Any, name: str = "things") -> None:
    client.create_table(
        TableName=name, KeySchema=KEY, AttributeDefinitions=DEFS, BillingMode="PAY_PER_REQUEST"
    )


def record(emu: DynamoDBEmulator) -> list[str]:
    """The names of the operations ``emu`` is asked to answer from now on."""
    seen: list[str] = []
    inner = emu.dispatch

    def dispatch(operation: str, request: dict[str, Any], **options: Any) -> dict[str, Any]:
        seen.append(operation)
        return inner(operation, request, **options)

    emu.dispatch = dispatch  # type: ignore[method-assign]
    return seen


@pytest.fixture
def no_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine with no credentials, no region and no config files; boto3's default session reset."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


# --- what a routed client does ------------------------------------------------------------------------


@pytest.mark.usefixtures("no_aws_config")
def test_client_and_resource_need_no_credentials_or_region() -> None:
    before = dict(os.environ)
    with mock_dynamodb() as emu:
        seen = record(emu)
        client = boto3.client("dynamodb")
        create(client)
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "blob": {"B": b"\x00\xff"}})
        table = boto3.resource("dynamodb").Table("things")
        assert table.get_item(Key={"pk": "a"})["Item"]["blob"].value == b"\x00\xff"
        assert client.meta.region_name == "us-east-1"
        assert dict(os.environ) == before
    assert seen == ["CreateTable", "PutItem", "GetItem"]
    assert dict(os.environ) == before


def test_configured_region_is_kept() -> None:
    with mock_dynamodb():
        assert boto3.client("dynamodb", region_name="eu-west-1").meta.region_name == "eu-west-1"
        configured = boto3.client("dynamodb", config=Config(region_name="ap-south-1"))
        assert configured.meta.region_name == "ap-south-1"


def test_response_carries_service_headers_and_a_valid_crc32() -> None:
    with mock_dynamodb():
        client = boto3.client("dynamodb", region_name="us-east-1")
        create(client)
        captured: list[Any] = []
        client.meta.events.register(
            "after-call.dynamodb.DescribeTable", lambda http_response, **_: captured.append(http_response)
        )
        answer = client.describe_table(TableName="things")
    http = captured[0]
    assert http.headers["x-amz-crc32"] == str(zlib.crc32(http.content))
    assert http.headers["content-type"] == "application/x-amz-json-1.0"
    request_id = answer["ResponseMetadata"]["RequestId"]
    assert len(request_id) == 52 and request_id.isalnum() and request_id == request_id.upper()
    assert answer["ResponseMetadata"]["HTTPHeaders"]["x-amzn-requestid"] == request_id
    assert answer["Table"]["TableName"] == "things"


def test_errors_are_parsed_by_botocore_with_modeled_fields() -> None:
    with mock_dynamodb():
        client = boto3.client("dynamodb")
        with pytest.raises(client.exceptions.ResourceNotFoundException) as missing:
            client.get_item(TableName="missing", Key={"pk": {"S": "a"}})
        create(client)
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
        with pytest.raises(client.exceptions.ConditionalCheckFailedException) as failed:
            client.put_item(
                TableName="things",
                Item={"pk": {"S": "a"}},
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
    assert missing.value.response["Error"] == {
        "Code": "ResourceNotFoundException",
        "Message": "Requested resource not found",
    }
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert failed.value.response["Item"] == {"pk": {"S": "a"}, "n": {"N": "1"}}


def test_botocore_validation_runs_before_the_emulator_is_asked() -> None:
    with mock_dynamodb() as emu:
        seen = record(emu)
        client = boto3.client("dynamodb")
        with pytest.raises(ParamValidationError, match='Missing required parameter in input: "Key"'):
            client.get_item(TableName="things")
    assert seen == []


def test_emulator_validation_answers_like_the_service() -> None:
    with mock_dynamodb():
        client = boto3.client("dynamodb")
        with pytest.raises(ClientError) as caught:
            client.describe_table(TableName="ab")
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must have length greater than or equal to 3" in caught.value.response["Error"]["Message"]


def test_paginators_and_waiters_run_over_routed_requests() -> None:
    with mock_dynamodb():
        client = boto3.client("dynamodb")
        create(client)
        client.get_waiter("table_exists").wait(TableName="things", WaiterConfig={"Delay": 0})
        for i in range(5):
            client.put_item(TableName="things", Item={"pk": {"S": f"k{i}"}})
        pages = list(
            client.get_paginator("scan").paginate(TableName="things", PaginationConfig={"PageSize": 2})
        )
    assert [len(page["Items"]) for page in pages] == [2, 2, 1]


def test_streams_client_reaches_the_emulator() -> None:
    with mock_dynamodb() as emu:
        seen = record(emu)
        streams = boto3.client("dynamodbstreams")
        try:
            streams.list_streams()
        except ClientError as err:  # until the Streams operations land, the emulator refuses them
            assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert seen == ["ListStreams"]


# --- which clients are routed, and for how long -----------------------------------------------------------


def test_patches_are_removed_on_exit_even_after_an_error() -> None:
    create_client = botocore.session.Session.create_client
    send = botocore.endpoint.Endpoint._send
    with pytest.raises(RuntimeError, match="boom"), mock_dynamodb():
        assert botocore.session.Session.create_client is not create_client
        raise RuntimeError("boom")
    assert botocore.session.Session.create_client is create_client
    assert botocore.endpoint.Endpoint._send is send


def test_nested_blocks_route_to_their_own_emulators() -> None:
    with mock_dynamodb() as outer:
        first = boto3.client("dynamodb")
        create(first, "outer-table")
        with mock_dynamodb() as inner:
            second = boto3.client("dynamodb")
            assert second.list_tables()["TableNames"] == []
            assert first.list_tables()["TableNames"] == ["outer-table"]
            create(second, "inner-table")
        third = boto3.client("dynamodb")
        assert third.list_tables()["TableNames"] == ["outer-table"]
    assert [outer.get_table("outer-table").name, inner.get_table("inner-table").name] == [
        "outer-table",
        "inner-table",
    ]


def test_a_client_made_inside_stays_bound_after_the_block() -> None:
    with mock_dynamodb() as emu:
        client = boto3.client("dynamodb")
    create(client)
    assert list(emu.tables) == ["things"]


def test_a_client_made_before_the_block_is_answered_inside_it() -> None:
    client = boto3.client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    with mock_dynamodb() as emu:
        create(client)
    assert list(emu.tables) == ["things"]


def test_a_client_with_its_own_endpoint_is_left_alone() -> None:
    client = boto3.client(
        "dynamodb",
        endpoint_url="http://127.0.0.1:9",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="y",
        config=Config(retries={"max_attempts": 0, "mode": "standard"}, connect_timeout=1),
    )
    with mock_dynamodb(), pytest.raises(EndpointConnectionError):
        client.list_tables()


def test_decorator_gives_each_call_a_fresh_emulator() -> None:
    @mock_dynamodb()
    def tables_after_create(name: str) -> list[str]:
        client = boto3.client("dynamodb")
        create(client, name)
        names: list[str] = client.list_tables()["TableNames"]
        return names

    assert tables_after_create("first") == ["first"]
    assert tables_after_create("second") == ["second"]


def test_decorator_with_a_given_emulator_and_on_a_coroutine() -> None:
    emu = DynamoDBEmulator()

    @mock_dynamodb(emu)
    async def make() -> None:
        await asyncio.sleep(0)
        create(boto3.client("dynamodb"))

    asyncio.run(make())
    assert list(emu.tables) == ["things"]


def test_only_an_emulator_can_answer() -> None:
    with pytest.raises(TypeError, match="mock_dynamodb takes a DynamoDBEmulator, not str"):
        mock_dynamodb("us-east-1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="the emulator answers dynamodb and dynamodbstreams, not 's3'"):
        make_client(DynamoDBEmulator(), "s3")


def test_region_must_agree_with_a_given_emulator() -> None:
    with pytest.raises(ValueError, match="differs from the emulator's region"):
        mock_dynamodb(DynamoDBEmulator(region="us-east-1"), region="eu-west-1")
    with mock_dynamodb(region="eu-west-1") as emu:
        assert boto3.client("dynamodb").meta.region_name == "eu-west-1"
    assert emu.region == "eu-west-1"


def test_worker_threads_started_inside_are_routed() -> None:
    results: list[list[str]] = []
    with mock_dynamodb() as emu:
        create(emu.client())

        def work() -> None:
            results.append(boto3.client("dynamodb").list_tables()["TableNames"])

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == [["things"]] * 4


def test_threads_with_their_own_blocks_keep_their_own_emulators() -> None:
    barrier = threading.Barrier(2)
    found: dict[str, list[str]] = {}

    def run(name: str) -> None:
        with mock_dynamodb():
            barrier.wait()  # both blocks active at once
            client = boto3.client("dynamodb")
            create(client, name)
            barrier.wait()
            found[name] = client.list_tables()["TableNames"]

    threads = [threading.Thread(target=run, args=(name,)) for name in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == {"left": ["left"], "right": ["right"]}


# --- an application module with its own client ------------------------------------------------------------

APP = """
import boto3

CLIENT = boto3.client("dynamodb")


def save(pk):
    boto3.client("dynamodb").put_item(TableName="things", Item={"pk": {"S": pk}})


def names():
    return [item["pk"]["S"] for item in CLIENT.scan(TableName="things")["Items"]]
"""


@pytest.fixture
def app_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"theorydb_routing_app_{os.getpid()}"
    (tmp_path / f"{name}.py").write_text(APP)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


@pytest.mark.usefixtures("no_aws_config")
def test_application_clients_made_at_import_and_call_time_are_served(app_module: str) -> None:
    with mock_dynamodb() as emu:
        create(emu.client())
        app = importlib.import_module(app_module)
        app.save("a")
        app.save("b")
        assert sorted(app.names()) == ["a", "b"]
    assert emu.client().get_item(TableName="things", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}


# --- botocore's retries run on the emulator's answers ---


def throttle(emu: DynamoDBEmulator, code: str, times: int) -> list[str]:
    """Make the next ``times`` requests fail with ``code`` (a test-only stand-in for fault injection)."""
    seen: list[str] = []
    inner = emu.dispatch

    def dispatch(operation: str, request: dict[str, Any], **options: Any) -> dict[str, Any]:
        seen.append(operation)
        if len(seen) <= times:
            raise ddb_error(code, "Rate of requests exceeds the allowed throughput.")
        return inner(operation, request, **options)

    emu.dispatch = dispatch  # type: ignore[method-assign]
    return seen


@pytest.mark.parametrize("code", ["ThrottlingException", "ProvisionedThroughputExceededException"])
def test_throttled_requests_are_retried_by_botocore(code: str) -> None:
    with mock_dynamodb() as emu:
        create(emu.client())
        seen = throttle(emu, code, 2)
        client = boto3.client("dynamodb", config=Config(retries={"mode": "legacy"}))
        answer = client.put_item(TableName="things", Item={"pk": {"S": "a"}})
    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert seen == ["PutItem"] * 3
    assert "a" in {item["pk"]["S"] for item in emu.client().scan(TableName="things")["Items"]}


def test_retries_give_up_after_max_attempts() -> None:
    emu = DynamoDBEmulator()
    seen = throttle(emu, "ThrottlingException", 10)
    client = emu.boto3_client(config=Config(retries={"mode": "standard", "total_max_attempts": 2}))
    with pytest.raises(ClientError) as caught:
        client.list_tables()
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert len(seen) == 2


def test_internal_server_errors_are_retried() -> None:
    emu = DynamoDBEmulator()
    seen = throttle(emu, "InternalServerError", 1)
    answer = emu.boto3_client(config=Config(retries={"mode": "legacy"})).list_tables()
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert len(seen) == 2


# --- single clients ---


def test_boto3_client_routes_one_client_without_global_state() -> None:
    create_client = botocore.session.Session.create_client
    emu = DynamoDBEmulator(region="eu-central-1")
    client = emu.boto3_client()
    assert botocore.session.Session.create_client is create_client
    create(client)
    assert client.meta.region_name == "eu-central-1"
    assert type(client).__name__ == "DynamoDB"
    other = DynamoDBEmulator().boto3_client(region_name="us-west-2")
    assert other.list_tables()["TableNames"] == []
    assert client.list_tables()["TableNames"] == ["things"]


def test_streams_client_of_an_emulator() -> None:
    emu = DynamoDBEmulator()
    seen = record(emu)
    streams = emu.streams_client()
    assert type(streams).__name__ == "DynamoDBStreams"
    try:
        streams.list_streams()
    except ClientError as err:
        assert err.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert seen == ["ListStreams"]


# --- measured against DynamoDB Local ---


@pytest.mark.dynamodb_local
def test_routed_answers_parse_like_dynamodb_locals(dynamodb_local_client: Any) -> None:
    """The same calls through a routed client and against DynamoDB Local, as botocore parses them."""
    name = f"route-{uuid.uuid4().hex[:10]}"
    emulated = DynamoDBEmulator().boto3_client()

    def run(client: Any) -> list[Any]:
        create(client, name)
        client.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
        seen: list[Any] = []
        client.put_item(TableName=name, Item={"pk": {"S": "a"}, "b": {"B": b"\x00\xff"}, "n": {"N": "1.50"}})
        seen.append(client.get_item(TableName=name, Key={"pk": {"S": "a"}}))
        seen.append(client.put_item(TableName=name, Item={"pk": {"S": "a"}}, ReturnValues="ALL_OLD"))
        with pytest.raises(ClientError) as failed:
            client.put_item(
                TableName=name,
                Item={"pk": {"S": "a"}},
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        # the service writes "message", DynamoDB Local "Message"; botocore copies only the former to the top
        failed.value.response.pop("message", None)
        seen.append(failed.value.response)
        seen.append(client.scan(TableName=name, Select="COUNT"))
        for answer in seen:
            answer.pop("ResponseMetadata")
        return seen

    try:
        expected = run(dynamodb_local_client)
    finally:
        dynamodb_local_client.delete_table(TableName=name)
    assert run(emulated) == expected


# --- the fast path: parameters in, parsed answers out -------------------------------------------------


def _body_only(client: Any) -> Any:
    """The same routed client, made to answer from the JSON body botocore serialized (the slow path)."""
    client.meta.events.unregister("before-parameter-build", unique_id="theorydb-emulator-params")
    client.meta.events.unregister("before-parse", unique_id="theorydb-emulator-parsed")
    return client


RICH = {
    "pk": {"S": "rich"},
    "b": {"B": b"\x00\xff"},
    "bs": {"BS": [b"\x01", b"\x02"]},
    "ns": {"NS": ["1", "2.5"]},
    "m": {"M": {"l": {"L": [{"BOOL": True}, {"NULL": True}, {"N": "-0.1"}]}}},
}


def test_fast_and_body_paths_answer_alike() -> None:
    emu = DynamoDBEmulator()
    fast, slow = emu.boto3_client(), _body_only(emu.boto3_client())
    create(fast)
    fast.put_item(TableName="things", Item=RICH)
    calls: list[tuple[str, dict[str, Any]]] = [
        (
            "get_item",
            {"TableName": "things", "Key": {"pk": {"S": "rich"}}, "ReturnConsumedCapacity": "INDEXES"},
        ),
        ("describe_table", {"TableName": "things"}),
        (
            "query",
            {
                "TableName": "things",
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": "rich"}},
            },
        ),
        ("scan", {"TableName": "things", "ReturnConsumedCapacity": "TOTAL"}),
        ("list_tables", {}),
    ]
    for method, params in calls:
        answers = [getattr(client, method)(**params) for client in (fast, slow)]
        for answer in answers:
            answer.pop("ResponseMetadata")
        assert answers[0] == answers[1], method
    assert fast.get_item(TableName="things", Key={"pk": {"S": "rich"}})["Item"] == RICH


def test_routed_requests_are_not_signed_and_str_blobs_convert() -> None:
    emu = DynamoDBEmulator()
    client = emu.boto3_client()
    sent: list[Any] = []
    client.meta.events.register_first("before-send", lambda request, **_: sent.append(request))
    create(client)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "b": {"B": "text"}})
    assert all("Authorization" not in request.headers for request in sent)
    assert emu.client().get_item(TableName="things", Key={"pk": {"S": "a"}})["Item"]["b"] == {"B": b"text"}


def test_an_error_on_the_fast_path_is_parsed_and_retried_by_botocore() -> None:
    emu = DynamoDBEmulator()
    client = emu.boto3_client(config=Config(retries={"mode": "standard", "max_attempts": 3}))
    create(client)
    emu.faults.throttle("GetItem", times=2)
    answer = client.get_item(TableName="things", Key={"pk": {"S": "missing"}})
    assert "Item" not in answer and answer["ResponseMetadata"]["RetryAttempts"] == 2
    with pytest.raises(client.exceptions.ConditionalCheckFailedException) as caught:
        client.put_item(
            TableName="things", Item={"pk": {"S": "x"}}, ConditionExpression="attribute_exists(pk)"
        )
    assert caught.value.response["Error"]["Message"] == "The conditional request failed"
