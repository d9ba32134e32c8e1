"""aiobotocore clients answered in-process, and the guard that keeps unanswered DynamoDB requests at home.

``mock_dynamodb`` routes botocore clients (``routing``); this module does the same for aiobotocore (and so
for aioboto3, built on it), installed while a block is active when aiobotocore is installed (the ``async``
extra): an ``AioSession`` DynamoDB or DynamoDB Streams client created inside the block is bound to the
block's emulator exactly like a botocore one (same handlers, answered in ``before-send`` with an
``AioAWSResponse``), and a client created earlier that points at AWS is answered by the innermost block.

Failing closed: while any block is active, a DynamoDB or DynamoDB Streams request addressed to AWS that
reaches an HTTP session (botocore's ``URLLib3Session``, aiobotocore's aiohttp or httpx sessions) was not
answered by the routing. It is refused with ``UnroutedRequestError`` before a socket is opened, so a test
never talks to AWS by accident, whatever client library or subclass made the request.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from theorydb_mocks.emulator.core import DynamoDBEmulator

__all__ = ["UnroutedRequestError", "install", "uninstall"]

_ORIGINALS: dict[tuple[Any, str], Any] = {}


class UnroutedRequestError(RuntimeError):
    """A DynamoDB request bound for AWS inside ``mock_dynamodb`` that no routing answered: refused.

    Raised instead of sending, so nothing leaves the process. The fix is to create the client inside the
    block (or use ``emu.boto3_client()``); docs/testing.md#what-is-routed-and-what-is-refused.
    """

    def __init__(self, request: Any, via: str) -> None:
        target = _target(request) or "?"
        host = urlsplit(str(getattr(request, "url", ""))).hostname or "?"
        super().__init__(
            f"mock_dynamodb refused {target.rsplit('.', 1)[-1]} to {host} (sent through {via}): the client "
            "is not routed to the emulator, and the request would have left the process for AWS. Create "
            "the client inside the mock_dynamodb block, or use emu.boto3_client(); see "
            "docs/testing.md#what-is-routed-and-what-is-refused"
        )
        self.target = target
        self.host = host


def _target(request: Any) -> str | None:
    headers = getattr(request, "headers", None) or {}
    value = headers.get("X-Amz-Target")
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else None


# --- aiobotocore responses ---


class _AsyncBody:
    """The ``raw`` of an ``AioAWSResponse``: aiobotocore awaits ``read()`` (once; the content is cached)."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self, *_: Any) -> bytes:
        data, self._data = self._data, b""
        return data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def aio_response(url: str, status: int, headers: dict[str, str], payload: bytes) -> Any:
    """The ``AioAWSResponse`` aiobotocore's endpoint expects from ``before-send``."""
    from aiobotocore.awsrequest import AioAWSResponse

    return AioAWSResponse(url, status, headers, _AsyncBody(payload))


# --- patching ---


def _patch(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
    original = owner.__dict__.get(name)
    if original is None or (owner, name) in _ORIGINALS:
        return
    _ORIGINALS[(owner, name)] = original
    setattr(owner, name, make(original))


def _guarded_send(via: str, is_async: bool, should_refuse: Callable[[Any], bool]) -> Callable[[Any], Any]:
    """Wrap an HTTP session's ``send`` so that an unrouted AWS DynamoDB request is refused."""

    def make(original: Any) -> Any:
        if is_async:

            @functools.wraps(original)
            async def send_async(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
                if should_refuse(request):
                    raise UnroutedRequestError(request, via)
                return await original(self, request, *args, **kwargs)

            return send_async

        @functools.wraps(original)
        def send(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            if should_refuse(request):
                raise UnroutedRequestError(request, via)
            return original(self, request, *args, **kwargs)

        return send

    return make


def _aio_create_client(
    current: Callable[[], DynamoDBEmulator | None],
    prepare: Callable[[Any, dict[str, Any], DynamoDBEmulator], None],
    bind: Callable[[Any, DynamoDBEmulator], Any],
    services: frozenset[str],
) -> Callable[[Any], Any]:
    def make(original: Any) -> Any:
        signature = inspect.signature(original)

        @functools.wraps(original)
        async def create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
            emulator = current()
            if emulator is None or service_name not in services:
                return await original(self, service_name, *args, **kwargs)
            names = signature.bind(self, service_name, *args, **kwargs)
            prepare(self, names.arguments, emulator)
            return bind(await original(*names.args, **names.kwargs), emulator)

        return create_client

    return make


def _aio_endpoint_send(
    current: Callable[[], DynamoDBEmulator | None],
    is_aws_dynamodb: Callable[[Any], bool],
    answer: Callable[[DynamoDBEmulator, Any], Any],
) -> Callable[[Any], Any]:
    def make(original: Callable[..., Awaitable[Any]]) -> Any:
        @functools.wraps(original)
        async def send(self: Any, request: Any) -> Any:
            emulator = current()
            if emulator is not None and is_aws_dynamodb(request):
                return answer(emulator, request)
            return await original(self, request)

        return send

    return make


def aiobotocore_installed() -> bool:
    return importlib.util.find_spec("aiobotocore") is not None


def install(
    *,
    current: Callable[[], DynamoDBEmulator | None],
    prepare: Callable[[Any, dict[str, Any], DynamoDBEmulator], None],
    bind_async: Callable[[Any, DynamoDBEmulator], Any],
    answer_async: Callable[[DynamoDBEmulator, Any], Any],
    is_aws_dynamodb: Callable[[Any], bool],
    services: frozenset[str],
) -> None:
    """Patch aiobotocore (when installed) and the HTTP sessions; called when the first block opens."""
    import botocore.httpsession

    def refuse(request: Any) -> bool:
        return current() is not None and is_aws_dynamodb(request)

    _patch(botocore.httpsession.URLLib3Session, "send", _guarded_send("botocore", False, refuse))
    if not aiobotocore_installed():
        return
    session = importlib.import_module("aiobotocore.session")
    endpoint = importlib.import_module("aiobotocore.endpoint")
    httpsession = importlib.import_module("aiobotocore.httpsession")
    _patch(session.AioSession, "_create_client", _aio_create_client(current, prepare, bind_async, services))
    _patch(endpoint.AioEndpoint, "_send", _aio_endpoint_send(current, is_aws_dynamodb, answer_async))
    _patch(httpsession.AIOHTTPSession, "send", _guarded_send("aiobotocore (aiohttp)", True, refuse))
    try:  # the httpx backend, where aiobotocore has it and httpx is installed
        httpx_session = importlib.import_module("aiobotocore.httpxsession")
    except ImportError:
        return
    owner = getattr(httpx_session, "HttpxSession", None)
    if owner is not None:
        _patch(owner, "send", _guarded_send("aiobotocore (httpx)", True, refuse))


def uninstall() -> None:
    """Put every patched method back; called when the last block closes."""
    for (owner, name), original in list(_ORIGINALS.items()):
        setattr(owner, name, original)
    _ORIGINALS.clear()
