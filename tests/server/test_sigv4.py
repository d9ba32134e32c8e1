"""``credentials``: SigV4 signatures verified against configured secrets (requests signed by botocore)."""

from __future__ import annotations

import datetime
import hashlib
import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.server.conftest import create_table, make_client
from theorydb_mocks.__main__ import read_credentials
from theorydb_mocks.emulator.server import EmulatorServer
from theorydb_mocks.emulator.sigv4 import SigV4Verifier

ROOT = Path(__file__).resolve().parents[2]
KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


@pytest.fixture
def signed_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(credentials={KEY: SECRET, "OTHER": "other-secret"}) as server:
        yield server


def _error(call: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    return dict(info.value.response["Error"])


def _signed(endpoint: str, body: bytes, *, secret: str = SECRET, key: str = KEY) -> AWSRequest:
    request = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=body,
        headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    SigV4Auth(Credentials(key, secret), "dynamodb", "us-east-1").add_auth(request)
    return request


def _send(endpoint: str, request: AWSRequest, body: bytes) -> tuple[int, dict[str, Any]]:
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.request("POST", "/", body=body, headers=dict(request.headers.items()))
    response = conn.getresponse()
    answer = json.loads(response.read())
    conn.close()
    return response.status, answer


def test_correctly_signed_requests_are_answered(signed_server: EmulatorServer) -> None:
    client = make_client(signed_server.endpoint_url, aws_access_key_id=KEY, aws_secret_access_key=SECRET)
    create_table(client)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}, "b": {"B": b"\x00"}})
    assert client.get_item(TableName="things", Key={"pk": {"S": "a"}})["Item"]["b"] == {"B": b"\x00"}
    other = make_client(
        signed_server.endpoint_url, aws_access_key_id="OTHER", aws_secret_access_key="other-secret"
    )
    assert other.list_tables()["TableNames"] == ["things"]
    streams = make_client(
        signed_server.endpoint_url, "dynamodbstreams", aws_access_key_id=KEY, aws_secret_access_key=SECRET
    )
    assert streams.list_streams()["Streams"] == []


def test_a_wrong_secret_is_refused(signed_server: EmulatorServer) -> None:
    client = make_client(signed_server.endpoint_url, aws_access_key_id=KEY, aws_secret_access_key="guess")
    error = _error(client.list_tables)
    assert error["Code"] == "InvalidSignatureException"
    assert error["Message"].startswith("The request signature we calculated does not match")


def test_an_unknown_key_id_is_refused(signed_server: EmulatorServer) -> None:
    client = make_client(signed_server.endpoint_url, aws_access_key_id="NOBODY", aws_secret_access_key=SECRET)
    assert _error(client.list_tables) == {
        "Code": "UnrecognizedClientException",
        "Message": "The security token included in the request is invalid.",
    }


def test_unsigned_and_incomplete_requests_are_refused(signed_server: EmulatorServer) -> None:
    parts = urlsplit(signed_server.endpoint_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"})
    response = conn.getresponse()
    assert response.status == 400
    assert json.loads(response.read()) == {
        "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
        "message": "Request is missing Authentication Token",
    }
    conn.request(
        "POST",
        "/",
        body=b"{}",
        headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Authorization": "AWS4-HMAC-SHA256 Signature=00",
        },
    )
    answer = json.loads(conn.getresponse().read())
    assert answer["__type"].endswith("#IncompleteSignatureException")
    assert "requires 'Credential' parameter" in answer["message"]
    conn.close()


def test_an_expired_signature_is_refused(
    signed_server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    past = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: past)
    client = make_client(signed_server.endpoint_url, aws_access_key_id=KEY, aws_secret_access_key=SECRET)
    error = _error(client.list_tables)
    assert error["Code"] == "InvalidSignatureException"
    assert error["Message"].startswith(f"Signature expired: {past:%Y%m%dT%H%M%SZ} is now earlier than ")
    future = past + datetime.timedelta(minutes=40)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: future)
    assert _error(client.list_tables)["Message"].startswith("Signature not yet current: ")


def test_a_body_or_header_changed_after_signing_is_refused(signed_server: EmulatorServer) -> None:
    endpoint = signed_server.endpoint_url
    request = _signed(endpoint, b'{"Limit": 5}')
    assert _send(endpoint, request, b'{"Limit": 5}')[0] == 200
    status, answer = _send(endpoint, request, b'{"Limit": 6}')
    assert (status, answer["__type"].rpartition("#")[2]) == (400, "InvalidSignatureException")
    request.headers["X-Amz-Target"] = "DynamoDB_20120810.DeleteTable"
    assert _send(endpoint, request, b'{"Limit": 5}')[1]["__type"].endswith("#InvalidSignatureException")


def test_a_signed_payload_hash_header_is_checked_against_the_signature() -> None:
    verifier = SigV4Verifier({KEY: SECRET})
    request = _signed("http://localhost:8000", b"{}")
    headers = {k.lower(): v for k, v in request.headers.items()}
    headers["host"] = "localhost:8000"  # botocore signs the URL's host; the HTTP client sends it
    identity = verifier.verify("POST", "/", "", headers, b"{}")
    assert (identity.access_key, identity.region) == (KEY, "us-east-1")
    headers["x-amz-content-sha256"] = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(Exception, match="InvalidSignatureException"):
        verifier.verify("POST", "/", "", headers, b"{}")


def test_credentials_file_and_cli(tmp_path: Path) -> None:
    path = tmp_path / "credentials"
    path.write_text(f"# team\n{KEY}:{SECRET}\n\nci:ci-secret\n")
    assert read_credentials(str(path)) == {KEY: SECRET, "ci": "ci-secret"}
    bad = tmp_path / "bad"
    bad.write_text("no separator\n")
    with pytest.raises(ValueError, match="line 1"):
        read_credentials(str(bad))
    process = subprocess.Popen(
        [sys.executable, "-m", "theorydb_mocks", "serve", "--port", "0", "--credentials-file", str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        endpoint = process.stdout.readline().split()[-1]
        assert make_client(endpoint, aws_access_key_id="ci", aws_secret_access_key="ci-secret").list_tables()
        wrong = make_client(endpoint, aws_access_key_id="ci", aws_secret_access_key="nope")
        assert _error(wrong.list_tables)["Code"] == "InvalidSignatureException"
    finally:
        process.terminate()
        process.communicate(timeout=20)
