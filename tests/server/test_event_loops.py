"""The server on each event loop it offers (``event_loop``: asyncio's, and uvloop's from the ``server``
extra): the same answers, framing, limits and stopping on both. The rest of the server's tests run on the
default (``"auto"``: uvloop where installed, as in the dev install)."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import time
from collections.abc import Iterator

import pytest

from tests.server.conftest import create_table, make_client
from tests.server.test_hostile_clients import LIST_TABLES, _closed_by_peer, _connect, _read_response
from theorydb_mocks.emulator import server as server_module
from theorydb_mocks.emulator.server import EmulatorServer, EventLoop, new_event_loop

HAS_UVLOOP = importlib.util.find_spec("uvloop") is not None
LOOPS = [
    "asyncio",
    pytest.param(
        "uvloop",
        marks=pytest.mark.skipif(not HAS_UVLOOP, reason="uvloop is not installed (the server extra)"),
    ),
]


@pytest.fixture(params=LOOPS)
def loop_server(request: pytest.FixtureRequest) -> Iterator[EmulatorServer]:
    """A server on each event loop, with short timeouts and small limits so the tests see them act."""
    with EmulatorServer(
        event_loop=request.param, idle_timeout=0.3, request_timeout=0.6, max_connections=4, grace=0.5
    ) as server:
        yield server


def test_the_loop_asked_for_is_the_loop_that_serves(loop_server: EmulatorServer) -> None:
    loop = loop_server._loop
    assert loop is not None
    uvloop_class = type(loop).__module__.startswith("uvloop")
    assert uvloop_class == (loop_server.event_loop == "uvloop")


def test_boto3_answers_the_same_on_each_loop(loop_server: EmulatorServer) -> None:
    client = make_client(loop_server.endpoint_url)
    create_table(client, sort=True)
    for n in range(3):
        client.put_item(TableName="things", Item={"pk": {"S": "a"}, "sk": {"N": str(n)}, "b": {"B": b"\x00"}})
    page = client.query(
        TableName="things",
        KeyConditionExpression="pk = :p AND sk >= :s",
        ExpressionAttributeValues={":p": {"S": "a"}, ":s": {"N": "1"}},
    )
    assert [item["sk"]["N"] for item in page["Items"]] == ["1", "2"]
    assert page["Items"][0]["b"] == {"B": b"\x00"}
    with pytest.raises(client.exceptions.ConditionalCheckFailedException):
        client.put_item(
            TableName="things",
            Item={"pk": {"S": "a"}, "sk": {"N": "1"}},
            ConditionExpression="attribute_not_exists(pk)",
        )


def test_framing_on_each_loop(loop_server: EmulatorServer) -> None:
    """Expect: 100-continue, pipelined requests in one packet, and a malformed request line."""
    sock = _connect(loop_server)
    sock.sendall(LIST_TABLES + b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\n")
    assert sock.recv(64) == b"HTTP/1.1 100 Continue\r\n\r\n"
    sock.sendall(b"{}")
    assert _read_response(sock)[0] == 200
    sock.sendall((LIST_TABLES + b"Content-Length: 2\r\n\r\n{}") * 3)
    data = b""
    while data.count(b'{"TableNames":[]}') < 3:
        data += sock.recv(65536)
    sock.sendall(b"NOT HTTP\r\n\r\n")
    status, _headers, body = _read_response(sock)
    assert status == 400 and json.loads(body)["__type"].endswith("SerializationException")
    assert _closed_by_peer(sock, within=2)


def test_limits_and_timeouts_on_each_loop(loop_server: EmulatorServer) -> None:
    idle = _connect(loop_server)
    assert _closed_by_peer(idle, within=3)  # the idle timeout (0.3 s)
    held = [_connect(loop_server) for _ in range(4)]
    extra = _connect(loop_server)
    status, _headers, body = _read_response(extra)
    assert status == 503 and "connections" in json.loads(body)["message"]
    for sock in held:
        sock.close()


def test_stop_ends_a_slow_loris_within_the_grace_period_on_each_loop(loop_server: EmulatorServer) -> None:
    sock = _connect(loop_server)
    sock.sendall(LIST_TABLES)  # a head never finished
    started = time.monotonic()
    loop_server.stop()
    assert time.monotonic() - started < 3
    assert _closed_by_peer(sock, within=2)


def test_event_loop_choices_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="event_loop must be one of auto, asyncio, uvloop"):
        EmulatorServer(event_loop="trio")  # type: ignore[arg-type]
    monkeypatch.setattr(server_module, "_uvloop", lambda: None)  # as where uvloop is not installed
    with pytest.raises(ValueError, match=r"pip install 'tabletheory\[server\]'"):
        EmulatorServer(event_loop="uvloop")
    loop = new_event_loop("auto")  # "auto" falls back to asyncio's without complaint
    try:
        assert type(loop).__module__.startswith("asyncio")
    finally:
        loop.close()


@pytest.mark.parametrize("kind", ["auto", "asyncio"])
def test_new_event_loop_kinds(kind: EventLoop) -> None:
    loop = new_event_loop(kind)
    try:
        expected_uvloop = kind == "auto" and HAS_UVLOOP
        assert type(loop).__module__.startswith("uvloop") == expected_uvloop
        assert isinstance(loop, asyncio.AbstractEventLoop)
    finally:
        loop.close()


def test_the_cli_offers_the_servers_event_loops() -> None:
    """``--event-loop``'s choices are spelled in the CLI (which imports the server only to serve)."""
    from theorydb_mocks.__main__ import build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    (action,) = [a for a in commands.choices["serve"]._actions if "--event-loop" in a.option_strings]
    assert tuple(action.choices) == server_module.EVENT_LOOPS
    assert action.default == "auto"
