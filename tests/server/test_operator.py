"""The server as an operator runs it: version and banner, request logs, admin routes, CORS."""

from __future__ import annotations

import http.client
import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.server.conftest import ROOT, create_table, make_client, start_cli, stop_cli
from theorydb_mocks.emulator.admin import (
    ADMIN_ROUTES,
    AdminAnswer,
    AdminRequest,
    admin_route,
    emulator_version,
)
from theorydb_mocks.emulator.server import EmulatorServer

SIGNED = (
    "AWS4-HMAC-SHA256 Credential={key}/20240101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=00"
)


def request(
    endpoint: str,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One raw HTTP request: (status, lower-cased headers, body)."""
    parts = urlsplit(endpoint)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data


# --- admin routes -----------------------------------------------------------------------------------


def test_health_answers_ok_with_the_version(ddb_server_endpoint: str) -> None:
    status, headers, body = request(ddb_server_endpoint, "GET", "/_theorydb/health")
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"status": "ok", "version": emulator_version()}
    status, headers, body = request(ddb_server_endpoint, "HEAD", "/_theorydb/health")
    assert (status, body) == (200, b"")


def test_health_is_503_when_the_journal_refuses_writes(tmp_path: Path) -> None:
    with EmulatorServer(db_path=str(tmp_path / "db.journal")) as server:
        assert server.journal is not None
        server.journal.broken = "disk gone"
        status, _, body = request(server.endpoint_url, "GET", "/_theorydb/health")
    assert status == 503
    assert json.loads(body) == {
        "status": "journal-broken",
        "version": emulator_version(),
        "reason": "disk gone",
    }


def test_reset_clears_every_database_and_streams() -> None:
    with EmulatorServer(db_per_access_key=True) as server:
        for key in ("alice", "bob"):
            client = make_client(server.endpoint_url, aws_access_key_id=key)
            create_table(client, stream=True)
            client.put_item(TableName="things", Item={"pk": {"S": "a"}})
        status, _, body = request(server.endpoint_url, "POST", "/_theorydb/reset")
        assert (status, json.loads(body)) == (200, {"status": "reset"})
        for key in ("alice", "bob"):
            client = make_client(server.endpoint_url, aws_access_key_id=key)
            assert client.list_tables()["TableNames"] == []
            create_table(client)  # the name is free again
        assert all(emulator.capacity.total() == 0 for emulator in server._databases.values())


def test_reset_empties_the_journal_too(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    with EmulatorServer(db_path=str(path)) as server:
        client = make_client(server.endpoint_url)
        create_table(client, name="gone")
        assert request(server.endpoint_url, "POST", "/_theorydb/reset")[0] == 200
        create_table(client, name="kept")  # written after the reset: must survive it
    with EmulatorServer(db_path=str(path)) as server:
        assert make_client(server.endpoint_url).list_tables()["TableNames"] == ["kept"]


def test_reset_is_authenticated_like_dynamodb_requests() -> None:
    with EmulatorServer(access_key="owner") as server:
        create_table(make_client(server.endpoint_url, aws_access_key_id="owner"))
        status, _, body = request(server.endpoint_url, "POST", "/_theorydb/reset")
        assert status == 400
        assert json.loads(body)["__type"].endswith("MissingAuthenticationTokenException")
        wrong = {"Authorization": SIGNED.format(key="intruder")}
        assert request(server.endpoint_url, "POST", "/_theorydb/reset", headers=wrong)[0] == 400
        assert server.emulator.tables
        right = {"Authorization": SIGNED.format(key="owner")}
        assert request(server.endpoint_url, "POST", "/_theorydb/reset", headers=right)[0] == 200
        assert not server.emulator.tables
        assert request(server.endpoint_url, "GET", "/_theorydb/health")[0] == 200  # probes need no key


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/_theorydb/nothing", 404),
        ("GET", "/_theorydb/reset", 405),
        ("DELETE", "/_theorydb/health", 405),
    ],
)
def test_unknown_admin_paths_and_methods(
    ddb_server_endpoint: str, method: str, path: str, status: int
) -> None:
    answered, headers, body = request(ddb_server_endpoint, method, path)
    assert answered == status
    assert json.loads(body)["__type"].endswith("UnknownOperationException")
    assert headers["content-type"] == "application/x-amz-json-1.0"


def test_admin_routes_are_one_table_new_routes_join() -> None:
    @admin_route("GET", "/_theorydb/test-echo")
    def echo(server: EmulatorServer, req: AdminRequest) -> AdminAnswer:
        return AdminAnswer.json({"query": req.query, "region": server.region})

    try:
        with EmulatorServer(region="eu-west-1") as server:
            status, _, body = request(server.endpoint_url, "GET", "/_theorydb/test-echo?x=1")
        assert (status, json.loads(body)) == (200, {"query": "x=1", "region": "eu-west-1"})
        with pytest.raises(ValueError, match="already routed"):
            admin_route("GET", "/_theorydb/test-echo")(echo)
        with pytest.raises(ValueError, match="under /_theorydb/"):
            admin_route("GET", "/elsewhere")
    finally:
        del ADMIN_ROUTES[("GET", "/_theorydb/test-echo")]


def test_dynamodb_requests_on_admin_paths_are_not_dynamodb(ddb_server_endpoint: str) -> None:
    headers = {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"}
    assert request(ddb_server_endpoint, "POST", "/_theorydb/health", b"{}", headers)[0] == 405
    status, _, body = request(ddb_server_endpoint, "POST", "/", b"{}", headers)
    assert (status, json.loads(body)) == (200, {"TableNames": []})


# --- request logs -----------------------------------------------------------------------------------


def test_one_log_line_per_request(caplog: pytest.LogCaptureFixture, ddb_server_endpoint: str) -> None:
    client = make_client(ddb_server_endpoint)
    with caplog.at_level(logging.INFO, logger="theorydb_mocks.server"):
        create_table(client)
        client.put_item(TableName="things", Item={"pk": {"S": "a"}})
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.get_item(TableName="missing", Key={"pk": {"S": "a"}})
        client.batch_get_item(RequestItems={"things": {"Keys": [{"pk": {"S": "a"}}]}})
        request(ddb_server_endpoint, "GET", "/_theorydb/health")
    records = [r for r in caplog.records if r.name == "theorydb_mocks.server"]
    summary = [(r.operation, r.table, r.status) for r in records]  # type: ignore[attr-defined]
    assert summary == [
        ("CreateTable", "things", 200),
        ("PutItem", "things", 200),
        ("GetItem", "missing", 400),
        ("BatchGetItem", "things", 200),
        ("GET", "/_theorydb/health", 200),
    ]
    assert all(r.levelno == logging.INFO for r in records)
    assert all(r.milliseconds >= 0 for r in records)  # type: ignore[attr-defined]
    assert records[1].getMessage().startswith("PutItem things 200 ")
    assert records[1].getMessage().endswith("ms")


def test_no_log_lines_above_info(caplog: pytest.LogCaptureFixture, ddb_server_endpoint: str) -> None:
    with caplog.at_level(logging.WARNING, logger="theorydb_mocks.server"):
        make_client(ddb_server_endpoint).list_tables()
    assert not [r for r in caplog.records if r.name == "theorydb_mocks.server"]


# --- CORS -------------------------------------------------------------------------------------------

PREFLIGHT = {
    "Origin": "http://localhost:5173",
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type,x-amz-date,x-amz-target,x-amz-user-agent",
}


def test_preflight_for_an_allowed_origin() -> None:
    with EmulatorServer(cors=["http://localhost:5173", "http://other.test"]) as server:
        status, headers, body = request(server.endpoint_url, "OPTIONS", "/", headers=PREFLIGHT)
        assert (status, body) == (204, b"")
        assert headers["access-control-allow-origin"] == "http://localhost:5173"
        assert "POST" in headers["access-control-allow-methods"]
        assert headers["access-control-allow-headers"] == PREFLIGHT["Access-Control-Request-Headers"]
        assert "Origin" in headers["vary"]
        api = {"Origin": "http://localhost:5173", "X-Amz-Target": "DynamoDB_20120810.ListTables"}
        status, headers, _ = request(server.endpoint_url, "POST", "/", b"{}", api)
        assert status == 200
        assert headers["access-control-allow-origin"] == "http://localhost:5173"
        assert "x-amzn-RequestId" in headers["access-control-expose-headers"]


def test_preflight_for_another_origin_or_method_is_refused() -> None:
    with EmulatorServer(cors=["http://localhost:5173"]) as server:
        elsewhere = {**PREFLIGHT, "Origin": "http://evil.test"}
        status, headers, _ = request(server.endpoint_url, "OPTIONS", "/", headers=elsewhere)
        assert status == 403
        assert "access-control-allow-origin" not in headers
        assert (
            request(
                server.endpoint_url,
                "OPTIONS",
                "/",
                headers={**PREFLIGHT, "Access-Control-Request-Method": "PUT"},
            )[0]
            == 403
        )
        api = {"Origin": "http://evil.test", "X-Amz-Target": "DynamoDB_20120810.ListTables"}
        status, headers, _ = request(server.endpoint_url, "POST", "/", b"{}", api)
        assert status == 200  # answered (CORS is the browser's rule), but without the browser's permission
        assert "access-control-allow-origin" not in headers


def test_any_origin() -> None:
    with EmulatorServer(cors=["*"]) as server:
        status, headers, _ = request(server.endpoint_url, "OPTIONS", "/", headers=PREFLIGHT)
        assert (status, headers["access-control-allow-origin"]) == (204, "*")
        assert "vary" not in headers


def test_without_cors_there_are_no_cors_headers(ddb_server_endpoint: str) -> None:
    assert request(ddb_server_endpoint, "OPTIONS", "/", headers=PREFLIGHT)[0] == 405
    api = {"Origin": "http://localhost:5173", "X-Amz-Target": "DynamoDB_20120810.ListTables"}
    _, headers, _ = request(ddb_server_endpoint, "POST", "/", b"{}", api)
    assert not [name for name in headers if name.startswith("access-control")]


@pytest.mark.parametrize("origins", [[], [""], ["localhost:5173"]])
def test_bad_cors_origins_are_refused(origins: list[str]) -> None:
    with pytest.raises(ValueError):
        EmulatorServer(cors=origins)


# --- command line -----------------------------------------------------------------------------------


def test_version_flag() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "theorydb_mocks", "--version"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"theorydb-emulator {emulator_version()}"


def test_banner_and_request_logs_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    process, endpoint = start_cli(
        path, "--fsync", "interval", "--log-level", "info", "--cors", "http://localhost:5173"
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline().rstrip() for _ in range(9)]
        client = make_client(endpoint)
        create_table(client)
    finally:
        assert stop_cli(process) == 0
    text = "\n".join(banner)
    assert banner[0] == f"theorydb-emulator {emulator_version()}"
    assert f"address    {endpoint}" in text
    assert f"database   {path} (fsync: every 1 s)" in text
    assert "S3 root" in text and "CORS       http://localhost:5173" in text
    assert (
        "regions    one database per signing region, shared by every access key (unsigned: us-east-1)" in text
    )
    assert "log level  info" in text


def test_log_lines_on_standard_error() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "theorydb_mocks", "serve", "--port", "0", "--log-level", "info"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    endpoint = process.stdout.readline().split()[-1]
    client: Any = make_client(endpoint)
    create_table(client)
    process.terminate()
    _, err = process.communicate(timeout=30)
    lines = [line for line in err.splitlines() if " INFO " in line]
    assert len(lines) == 1 and lines[0].endswith("ms"), err
    assert " INFO CreateTable things 200 " in lines[0]
