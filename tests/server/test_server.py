"""The HTTP door: the protocol as the AWS SDKs see it, authentication options, threads and graceful stop."""

from __future__ import annotations

import email.utils
import http.client
import json
import threading
import time
import zlib
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

from tests.server.conftest import create_table, make_client
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.server import EmulatorServer, http_date, serve_in_thread

SIGNED = (
    "AWS4-HMAC-SHA256 Credential={key}/20240101/{region}/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=00"
)


def raw(
    endpoint: str,
    body: bytes,
    target: str | None = "DynamoDB_20120810.ListTables",
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request without any SDK: (status, lower-cased headers, body)."""
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    sent = {"Content-Type": "application/x-amz-json-1.0"}
    if target is not None:
        sent["X-Amz-Target"] = target
    sent.update(headers or {})
    conn.request(method, "/", body=body, headers=sent)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def test_boto3_round_trip_with_binary_and_errors(server_client: Any) -> None:
    create_table(server_client, sort=True)
    item = {"pk": {"S": "a"}, "sk": {"N": "1"}, "blob": {"B": b"\x00\xff"}, "set": {"BS": [b"x", b"y"]}}
    server_client.put_item(TableName="things", Item=item)
    assert (
        server_client.get_item(TableName="things", Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"] == item
    )
    page = server_client.query(
        TableName="things",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
    )
    assert page["Items"] == [item]
    with pytest.raises(server_client.exceptions.ResourceNotFoundException) as info:
        server_client.get_item(TableName="missing", Key={"pk": {"S": "a"}})
    assert info.value.response["Error"]["Message"] == "Requested resource not found"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_conditional_check_failure_is_modeled(server_client: Any) -> None:
    create_table(server_client)
    server_client.put_item(TableName="things", Item={"pk": {"S": "a"}})
    with pytest.raises(server_client.exceptions.ConditionalCheckFailedException) as info:
        server_client.put_item(
            TableName="things",
            Item={"pk": {"S": "a"}},
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert info.value.response["Error"]["Message"] == "The conditional request failed"
    assert info.value.response["Item"] == {"pk": {"S": "a"}}


def test_headers_request_id_and_crc(ddb_server_endpoint: str) -> None:
    status, headers, body = raw(ddb_server_endpoint, b"{}")
    assert status == 200
    assert json.loads(body) == {"TableNames": []}
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert int(headers["x-amz-crc32"]) == zlib.crc32(body)
    assert int(headers["content-length"]) == len(body)
    request_id = headers["x-amzn-requestid"]
    assert len(request_id) == 52 and request_id.isalnum() and request_id.upper() == request_id
    assert raw(ddb_server_endpoint, b"{}")[1]["x-amzn-requestid"] != request_id
    assert abs(email.utils.parsedate_to_datetime(headers["date"]).timestamp() - time.time()) < 5


@given(st.integers(min_value=0, max_value=253402300799))
def test_the_date_header_is_the_standard_library_s(second: int) -> None:
    assert http_date(second) == email.utils.formatdate(second, usegmt=True)


@pytest.mark.parametrize(
    "target",
    [None, "DynamoDB_20120810.Nope", "DynamoDBStreams_20120810.PutItem", "DynamoDB_20120810.GetRecords"],
)
def test_unknown_targets(ddb_server_endpoint: str, target: str | None) -> None:
    status, headers, body = raw(ddb_server_endpoint, b"{}", target)
    assert (status, body) == (400, b'{"__type":"com.amazon.coral.service#UnknownOperationException"}')
    assert int(headers["x-amz-crc32"]) == zlib.crc32(body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", None),
        (b"[1]", "Start of list found where not expected"),
        (b'{"TableName":"things","Item":{"pk":{"N":5}}}', "NUMBER_VALUE can not be converted to String"),
        (
            b'{"TableName":"things","Item":{"pk":{"BOOL":"true"}}}',
            "STRING_VALUE can not be converted to Boolean",
        ),
        (b'{"TableName":"things","Item":{"pk":{"B":"***"}}}', "Base64 encoded value is malformed"),
    ],
)
def test_malformed_bodies(ddb_server_endpoint: str, body: bytes, message: str | None) -> None:
    status, _, answer = raw(ddb_server_endpoint, body, "DynamoDB_20120810.PutItem")
    assert status == 400
    parsed = json.loads(answer)
    assert parsed["__type"] == "com.amazon.coral.service#SerializationException"
    assert parsed.get("message") == message


def test_botocore_parses_serialization_errors(ddb_server_endpoint: str) -> None:
    """What an SDK makes of it: the code after '#', with ClientError."""
    client = make_client(ddb_server_endpoint)

    def corrupt(request: Any, **kwargs: Any) -> None:
        request.data = b'{"TableName": "x'

    client.meta.events.register("before-sign.dynamodb.ListTables", corrupt)
    with pytest.raises(ClientError) as info:
        client.list_tables()
    assert info.value.response["Error"]["Code"] == "SerializationException"


def test_health_check_and_chunked_body(ddb_server_endpoint: str) -> None:
    status, _, body = raw(ddb_server_endpoint, b"", None, method="GET")
    assert (status, body) == (200, b"healthy: dynamodb.us-east-1.amazonaws.com ")
    parts = urlsplit(ddb_server_endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.request(
        "POST",
        "/",
        body=iter([b'{"Li', b'mit": 5}']),
        headers={"X-Amz-Target": "DynamoDB_20120810.ListTables", "Transfer-Encoding": "chunked"},
        encode_chunked=True,
    )
    response = conn.getresponse()
    assert (response.status, response.read()) == (200, b'{"TableNames":[]}')
    conn.close()


@pytest.mark.parametrize("length", ["abc", "-1", str(64 * 1024 * 1024)])
def test_bad_content_length_is_refused(ddb_server_endpoint: str, length: str) -> None:
    parts = urlsplit(ddb_server_endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.putrequest("POST", "/")
    conn.putheader("X-Amz-Target", "DynamoDB_20120810.ListTables")
    conn.putheader("Content-Length", length)
    conn.endheaders()
    response = conn.getresponse()
    assert response.status in (400, 413)
    assert json.loads(response.read())["__type"].endswith("#SerializationException")
    assert response.getheader("Connection") == "close"
    conn.close()


def test_keep_alive_serves_many_requests_on_one_connection(ddb_server_endpoint: str) -> None:
    parts = urlsplit(ddb_server_endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    for _ in range(5):
        conn.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"})
        response = conn.getresponse()
        assert response.status == 200
        response.read()
    sock = conn.sock
    assert sock is not None  # still the first connection: http.client reconnects only after a close
    conn.close()


# --- authentication ----------------------------------------------------------------------------------


def test_default_accepts_any_signature_and_unsigned_requests(ddb_server_endpoint: str) -> None:
    assert make_client(ddb_server_endpoint, aws_access_key_id="anyone").list_tables()["TableNames"] == []
    assert raw(ddb_server_endpoint, b"{}")[0] == 200


def test_required_access_key() -> None:
    with serve_in_thread(access_key="AKIDGOOD") as endpoint:
        assert make_client(endpoint, aws_access_key_id="AKIDGOOD").list_tables()["TableNames"] == []
        with pytest.raises(ClientError) as info:
            make_client(endpoint, aws_access_key_id="AKIDBAD").list_tables()
        assert info.value.response["Error"] == {
            "Code": "UnrecognizedClientException",
            "Message": "The security token included in the request is invalid.",
        }
        status, _, body = raw(endpoint, b"{}")
        assert status == 400
        assert json.loads(body) == {
            "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
            "message": "Request is missing Authentication Token",
        }
        status, _, body = raw(endpoint, b"{}", headers={"Authorization": "AWS4-HMAC-SHA256 Signature=00"})
        assert json.loads(body)["__type"].endswith("#IncompleteSignatureException")
        assert "Authorization header requires 'Credential' parameter." in json.loads(body)["message"]


def test_one_database_per_access_key_and_region() -> None:
    with serve_in_thread(db_per_access_key=True) as endpoint:
        alice = make_client(endpoint, aws_access_key_id="alice")
        bob = make_client(endpoint, aws_access_key_id="bob")
        alice_west = make_client(endpoint, aws_access_key_id="alice", region_name="us-west-2")
        create_table(alice, "alices")
        assert alice.list_tables()["TableNames"] == ["alices"]
        assert bob.list_tables()["TableNames"] == []
        assert alice_west.list_tables()["TableNames"] == []
        create_table(alice_west, "alices")
        arn = alice_west.describe_table(TableName="alices")["Table"]["TableArn"]
        assert arn.startswith("arn:aws:dynamodb:us-west-2:")


def test_signed_headers_select_the_database_over_raw_http() -> None:
    with EmulatorServer(db_per_access_key=True) as server:
        header = {"Authorization": SIGNED.format(key="carol", region="eu-west-1")}
        create = json.dumps(
            {
                "TableName": "carols",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            }
        ).encode()
        assert raw(server.endpoint_url, create, "DynamoDB_20120810.CreateTable", headers=header)[0] == 200
        assert list(server.emulator_for("carol", "eu-west-1").tables) == ["carols"]
        assert server.emulator_for("carol", "us-east-1").tables == {}


def test_presigned_query_credential_selects_the_database() -> None:
    with EmulatorServer(db_per_access_key=True, access_key="dave") as server:
        query = "X-Amz-Credential=dave%2F20240101%2Fap-south-1%2Fdynamodb%2Faws4_request&X-Amz-Signature=00"
        create = json.dumps(
            {
                "TableName": "daves",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
            }
        ).encode()
        parts = urlsplit(server.endpoint_url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        conn.request(
            "POST", f"/?{query}", body=create, headers={"X-Amz-Target": "DynamoDB_20120810.CreateTable"}
        )
        response = conn.getresponse()
        assert response.status == 200, response.read()
        response.read()
        conn.close()
        assert list(server.emulator_for("dave", "ap-south-1").tables) == ["daves"]


def test_shared_emulator_is_the_one_given() -> None:
    emulator = DynamoDBEmulator()
    with serve_in_thread(emulator=emulator) as endpoint:
        create_table(make_client(endpoint))
    assert list(emulator.tables) == ["things"]
    with pytest.raises(ValueError, match="db_per_access_key"):
        EmulatorServer(emulator=emulator, db_per_access_key=True)


# --- threads and shutdown ----------------------------------------------------------------------------


def test_concurrent_clients_see_consistent_counts(ddb_server_endpoint: str) -> None:
    setup = make_client(ddb_server_endpoint)
    create_table(setup)
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        client = make_client(ddb_server_endpoint)
        try:
            for n in range(25):
                client.put_item(TableName="things", Item={"pk": {"S": f"{worker}-{n}"}})
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert setup.scan(TableName="things", Select="COUNT")["Count"] == 200


def test_stop_finishes_in_flight_requests_and_refuses_new_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    server = EmulatorServer()
    server.start()
    endpoint = server.endpoint_url
    client = make_client(endpoint)
    create_table(client)
    entered = threading.Event()
    real_dispatch = server.emulator.dispatch

    def slow_dispatch(operation: str, request: dict[str, Any], **options: Any) -> dict[str, Any]:
        if operation == "PutItem":
            entered.set()
            time.sleep(0.5)
        return real_dispatch(operation, request, **options)

    monkeypatch.setattr(server.emulator, "dispatch", slow_dispatch)
    outcome: list[Any] = []

    def slow_put() -> None:
        try:
            outcome.append(make_client(endpoint).put_item(TableName="things", Item={"pk": {"S": "late"}}))
        except BaseException as exc:  # reported below
            outcome.append(exc)

    worker = threading.Thread(target=slow_put)
    worker.start()
    assert entered.wait(10)
    started = time.monotonic()
    server.stop()
    elapsed = time.monotonic() - started
    worker.join()
    assert isinstance(outcome[0], dict), outcome
    assert outcome[0]["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert "late" in {
        item["pk"]["S"] for item in server.emulator.dispatch("Scan", {"TableName": "things"})["Items"]
    }
    assert elapsed < 5  # the idle keep-alive connection of ``client`` did not hold the stop
    with pytest.raises(OSError):
        raw(endpoint, b"{}")
    server.stop()  # idempotent


def test_internal_errors_are_500_without_a_traceback(
    ddb_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(operation: str, request: dict[str, Any], **options: Any) -> dict[str, Any]:
        raise RuntimeError("bug")

    monkeypatch.setattr(ddb_server.emulator, "dispatch", broken)
    status, _, body = raw(ddb_server.endpoint_url, b"{}")
    assert status == 500
    assert json.loads(body) == {
        "__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
        "message": "Internal server error",
    }
