"""Inside ``mock_dynamodb`` nothing reaches AWS: what the routing cannot answer is refused, loudly.

The network is closed for these tests (``network_closed``): any socket that tries to connect fails the test,
so a request that slipped past the routing cannot pass unnoticed.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.endpoint
import botocore.exceptions
import botocore.httpsession
import pytest
from botocore.awsrequest import AWSRequest

from theorydb_mocks import mock_dynamodb
from theorydb_mocks.emulator.routing import UnroutedRequestError


@pytest.fixture
def network_closed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record and refuse every outgoing connection (sockets and name lookups, sync or asyncio).

    Yields the list of attempts; a test that expects none leaves it empty, and teardown checks that (HTTP
    libraries wrap connection errors, so the list, not the exception, is the evidence).
    """
    attempts: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(repr(args[1:] if args and isinstance(args[0], socket.socket) else args)[:200])
        raise ConnectionRefusedError("the network is closed for this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    yield attempts
    assert attempts == [], f"requests left the process: {attempts}"


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch, network_closed: list[str]) -> Iterator[None]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    yield


def _request(url: str = "https://dynamodb.eu-west-1.amazonaws.com/", target: str = "ListTables") -> Any:
    return AWSRequest(
        method="POST", url=url, headers={"X-Amz-Target": f"DynamoDB_20120810.{target}"}, data=b"{}"
    ).prepare()


def test_the_guard_works(network_closed: list[str]) -> None:
    """Outside any block, the request goes to the network, which these tests have closed."""
    with pytest.raises(botocore.exceptions.BotoCoreError):
        botocore.httpsession.URLLib3Session().send(_request())
    assert network_closed != []
    network_closed.clear()


def test_routed_clients_never_touch_the_network() -> None:
    with mock_dynamodb():
        client = boto3.client("dynamodb")
        assert client.list_tables()["TableNames"] == []
        streams = boto3.client("dynamodbstreams")
        assert streams.list_streams()["Streams"] == []


def test_a_request_reaching_the_http_session_is_refused() -> None:
    with mock_dynamodb(), pytest.raises(UnroutedRequestError) as caught:
        botocore.httpsession.URLLib3Session().send(_request())
    message = str(caught.value)
    assert message.startswith("mock_dynamodb refused ListTables to dynamodb.eu-west-1.amazonaws.com")
    assert "Create the client inside the mock_dynamodb block" in message
    assert caught.value.target == "DynamoDB_20120810.ListTables"


def test_a_client_whose_endpoint_sends_its_own_way_is_refused() -> None:
    """An endpoint subclass that bypasses the routed ``_send`` still meets the HTTP session's guard."""

    class OwnEndpoint(botocore.endpoint.Endpoint):  # type: ignore[misc]  # botocore has no stubs here
        def _send(self, request: Any) -> Any:
            return self.http_session.send(request)

    client = boto3.client("dynamodb")
    own = OwnEndpoint(
        client._endpoint.host,
        client._endpoint._endpoint_prefix,
        client._endpoint._event_emitter,
        http_session=botocore.httpsession.URLLib3Session(),
    )
    client._endpoint = own
    with mock_dynamodb(), pytest.raises(UnroutedRequestError, match="ListTables"):
        client.list_tables()


def test_other_hosts_and_services_are_left_alone(network_closed: list[str]) -> None:
    """A DynamoDB Local endpoint, or another AWS service, is not the routing's to refuse."""
    s3 = AWSRequest(method="GET", url="https://s3.eu-west-1.amazonaws.com/").prepare()
    for request in (_request("http://127.0.0.1:9/"), s3):
        with mock_dynamodb(), pytest.raises(botocore.exceptions.BotoCoreError):
            botocore.httpsession.URLLib3Session().send(request)
    assert len(network_closed) == 2
    network_closed.clear()


def test_the_guard_is_gone_after_the_block(network_closed: list[str]) -> None:
    with mock_dynamodb():
        pass
    with pytest.raises(botocore.exceptions.BotoCoreError):
        botocore.httpsession.URLLib3Session().send(_request())
    network_closed.clear()
