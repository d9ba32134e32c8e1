"""Fixtures for the HTTP server tests: a server on a free port, and real boto3 clients pointed at it."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from theorydb_mocks.emulator.server import EmulatorServer, serve_in_thread

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ddb_server_endpoint() -> Iterator[str]:
    """The endpoint URL of a fresh emulator served over HTTP on a free loopback port for this test."""
    with serve_in_thread() as endpoint:
        yield endpoint


@pytest.fixture
def ddb_server() -> Iterator[EmulatorServer]:
    """A started ``EmulatorServer`` (for tests that need its emulator or its options)."""
    with EmulatorServer() as server:
        yield server


ClientFactory = Callable[..., Any]


def make_client(endpoint: str, service: str = "dynamodb", **kwargs: Any) -> Any:
    """A real boto3 client for ``endpoint`` with dummy credentials (overridable) and no retries."""
    options: dict[str, Any] = {
        "region_name": "us-east-1",
        "aws_access_key_id": "local",
        "aws_secret_access_key": "local",
    }
    options.update(kwargs)
    config = boto3.session.Config(retries={"max_attempts": 1, "mode": "standard"})
    return boto3.client(service, endpoint_url=endpoint, config=config, **options)


@pytest.fixture
def server_client(ddb_server_endpoint: str) -> Any:
    """A boto3 DynamoDB client talking to ``ddb_server_endpoint``."""
    return make_client(ddb_server_endpoint)


def create_table(client: Any, name: str = "things", *, sort: bool = False, stream: bool = False) -> None:
    """A small PAY_PER_REQUEST table keyed by ``pk`` (S) and optionally ``sk`` (N)."""
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    definitions = [{"AttributeName": "pk", "AttributeType": "S"}]
    if sort:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        definitions.append({"AttributeName": "sk", "AttributeType": "N"})
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": keys,
        "AttributeDefinitions": definitions,
        "BillingMode": "PAY_PER_REQUEST",
    }
    if stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    client.create_table(**request)


def start_cli(
    path: Path, *extra: str, preexec_fn: Callable[[], None] | None = None
) -> tuple[subprocess.Popen[str], str]:
    """``theorydb-emulator serve --db-path path`` in a subprocess on a free port; returns it and its endpoint
    once it listens (``preexec_fn`` runs in the child, e.g. to set a resource limit)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "theorydb_mocks", "serve", "--port", "0", "--db-path", str(path), *extra],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=preexec_fn,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("Listening on "), process.stderr.read() if process.stderr else line
    return process, line.split()[-1]


def stop_cli(process: subprocess.Popen[str], signum: int = signal.SIGTERM) -> int:
    """Signal the server, wait for it, close its pipes; returns its exit status."""
    process.send_signal(signum)
    try:
        return process.wait(timeout=30)
    finally:
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
