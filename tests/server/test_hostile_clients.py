"""The HTTP door under hostile or broken clients: timeouts, limits, framing, malformed HTTP, stopping."""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server.conftest import make_client
from theorydb_mocks.emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parents[2]
LIST_TABLES = b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"


def _connect(server: EmulatorServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP response from ``sock``: (status, lower-cased headers, body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {data!r}")
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return int(lines[0].split(" ")[1]), headers, rest[:length]


def _closed_by_peer(sock: socket.socket, within: float) -> bool:
    """True when the server closes ``sock`` (after any answer it sends) within ``within`` seconds."""
    sock.settimeout(within)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        return False
    except ConnectionError:
        return True
    return True


def _error_type(body: bytes) -> str:
    return str(json.loads(body)["__type"]).rpartition("#")[2]


@pytest.fixture
def strict_server() -> Iterator[EmulatorServer]:
    """A server with short timeouts and small limits, so the tests see them act."""
    with EmulatorServer(
        idle_timeout=0.3, request_timeout=0.6, max_connections=4, max_body=64 * 1024, grace=0.5
    ) as server:
        yield server


def test_idle_connections_are_closed_after_the_idle_timeout(strict_server: EmulatorServer) -> None:
    sock = _connect(strict_server)
    sock.sendall(LIST_TABLES + b"Content-Length: 2\r\n\r\n{}")
    assert _read_response(sock)[0] == 200
    assert _closed_by_peer(sock, within=5)  # kept alive, then closed once idle for 0.3 s
    sock.close()


def test_a_slow_loris_is_cut_off_at_the_request_deadline(strict_server: EmulatorServer) -> None:
    sock = _connect(strict_server)
    started = time.monotonic()
    answer: tuple[int, dict[str, str], bytes] | None = None
    for byte in LIST_TABLES:  # one byte every 50 ms: never idle, never finished
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            break
        time.sleep(0.05)
        if time.monotonic() - started > 5:
            break
    with contextlib.suppress(ConnectionError, TimeoutError):
        answer = _read_response(sock)
    sock.close()
    assert answer is not None, "the server neither answered nor closed the dribbling connection"
    status, headers, body = answer
    assert (status, _error_type(body)) == (408, "RequestTimeout")
    assert headers["connection"] == "close"
    assert time.monotonic() - started < 5


def test_connections_beyond_the_limit_are_refused_with_json(strict_server: EmulatorServer) -> None:
    held = [_connect(strict_server) for _ in range(4)]
    for sock in held:  # each is served: they count against the limit
        sock.sendall(LIST_TABLES + b"Content-Length: 0\r\n\r\n")
        assert _read_response(sock)[0] == 200
    extra = _connect(strict_server)
    status, _, body = _read_response(extra)
    assert (status, _error_type(body)) == (503, "ServiceUnavailable")
    assert "Too many connections" in json.loads(body)["message"]
    extra.close()
    held.pop().close()
    time.sleep(0.1)
    again = _connect(strict_server)  # room again
    again.sendall(LIST_TABLES + b"Content-Length: 0\r\n\r\n")
    assert _read_response(again)[0] == 200
    for sock in [*held, again]:
        sock.close()


def test_a_body_above_the_limit_is_refused_unread() -> None:
    with EmulatorServer() as server:  # the default limit: DynamoDB's 16 MB
        sock = _connect(server)
        sock.sendall(LIST_TABLES + b"Content-Length: 33554432\r\n\r\n{")  # 32 MiB announced, 1 byte sent
        status, headers, body = _read_response(sock)
        assert (status, _error_type(body)) == (413, "SerializationException")
        assert headers["connection"] == "close"
        sock.close()
        deadline = time.monotonic() + 5
        while server.buffered and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.buffered == 0


def test_chunked_bodies_are_bounded_too(strict_server: EmulatorServer) -> None:
    sock = _connect(strict_server)
    sock.sendall(LIST_TABLES + b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"8000\r\n" + b" " * 0x8000 + b"\r\n"
    status = None
    for _ in range(4):  # 128 KiB in 32 KiB chunks, over the 64 KiB limit
        try:
            sock.sendall(chunk)
        except OSError:
            break
    status, _, body = _read_response(sock)
    assert (status, _error_type(body)) == (413, "SerializationException")
    sock.close()


def test_bytes_held_across_connections_are_capped() -> None:
    with EmulatorServer(max_buffered=100_000, max_body=1_000_000) as server:
        first, second = _connect(server), _connect(server)
        first.sendall(LIST_TABLES + b"Content-Length: 900000\r\n\r\n" + b" " * 60_000)
        time.sleep(0.2)
        second.sendall(LIST_TABLES + b"Content-Length: 900000\r\n\r\n" + b" " * 60_000)
        answers = []
        for sock in (first, second):
            sock.settimeout(5)
            try:
                answers.append(_read_response(sock))
            except (ConnectionError, TimeoutError):
                continue
        assert [(s, _error_type(b)) for s, _, b in answers] == [(503, "ServiceUnavailable")]
        assert server.buffered <= 100_000 + 65536
        first.close()
        second.close()


def test_chunked_wins_over_content_length(ddb_server: EmulatorServer) -> None:
    sock = _connect(ddb_server)
    body = b'{"Limit": 5}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    sock.sendall(LIST_TABLES + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked)
    status, headers, answer = _read_response(sock)
    assert (status, answer) == (200, b'{"TableNames":[]}')
    assert headers["connection"] == "close"  # framed both ways: nothing more is read from this connection
    sock.close()


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nNo colon here\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\n Folded: header\r\n\r\n", 400),
        (b"POST / HTTP/9.9\r\nHost: x\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        (b"POST / HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431),
        (b"DELETE / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 405),
    ],
)
def test_malformed_http_answers_json(ddb_server: EmulatorServer, request_bytes: bytes, status: int) -> None:
    sock = _connect(ddb_server)
    sock.sendall(request_bytes)
    answered, headers, body = _read_response(sock)
    sock.close()
    assert answered == status
    assert headers["content-type"] == "application/x-amz-json-1.0"
    assert json.loads(body)["__type"].startswith("com.amazon")


def test_expect_continue_and_pipelined_requests(ddb_server: EmulatorServer) -> None:
    sock = _connect(ddb_server)
    sock.sendall(LIST_TABLES + b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n")
    assert sock.recv(64) == b"HTTP/1.1 100 Continue\r\n\r\n"
    sock.sendall(b"{}")
    assert _read_response(sock)[0] == 200
    one = LIST_TABLES + b"Content-Length: 2\r\n\r\n{}"
    sock.sendall(one * 3)  # three requests in one packet: three answers, in order
    data = b""
    while data.count(b"HTTP/1.1 200 OK") < 3 or not data.endswith(b'{"TableNames":[]}'):
        data += sock.recv(65536)
    assert data.count(b'{"TableNames":[]}') == 3
    sock.close()


def test_stop_finishes_within_the_grace_period_despite_a_slow_loris() -> None:
    server = EmulatorServer(grace=0.5, request_timeout=60)
    server.start()
    loris = _connect(server)
    loris.sendall(LIST_TABLES + b"Content-Length: 100\r\n\r\n{")  # never finished
    idle = _connect(server)
    time.sleep(0.1)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 3
    assert _closed_by_peer(loris, within=2)
    assert _closed_by_peer(idle, within=2)
    loris.close()
    idle.close()


def test_sigterm_stops_the_cli_within_its_grace_period(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "theorydb_mocks", "serve", "--port", "0", "--grace", "0.5"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        endpoint = process.stdout.readline().split()[-1]
        port = int(endpoint.rsplit(":", 1)[1])
        sockets = []
        for _ in range(3):  # slow lorises, mid-request
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(LIST_TABLES + b"Content-Length: 50\r\n\r\n{")
            sockets.append(sock)
        time.sleep(0.2)
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
        for sock in sockets:
            sock.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


def test_listening_beyond_loopback_warns_unless_signatures_are_verified(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="theorydb_mocks.server"):
        EmulatorServer(host="0.0.0.0").stop()
    assert "without authentication" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="theorydb_mocks.server"):
        EmulatorServer(host="0.0.0.0", credentials={"AKID": "secret"}).stop()
        EmulatorServer(host="127.0.0.1").stop()
    assert "without authentication" not in caplog.text


def test_cli_warns_on_a_public_address() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "theorydb_mocks", "serve", "--host", "0.0.0.0", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("Listening on ")
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "requests are not authenticated" in stderr


def test_many_idle_connections_cost_no_threads(ddb_server: EmulatorServer) -> None:
    before = threading.active_count()
    sockets = [_connect(ddb_server) for _ in range(200)]
    time.sleep(0.2)
    assert threading.active_count() - before < 5
    client: Any = make_client(ddb_server.endpoint_url)
    assert client.list_tables()["TableNames"] == []  # and the server still answers
    for sock in sockets:
        sock.close()
