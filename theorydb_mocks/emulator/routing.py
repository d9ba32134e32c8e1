"""Real boto3 clients answered in-process: ``mock_dynamodb``, and ``DynamoDBEmulator.boto3_client``.

A routed client is an ordinary boto3 client: botocore validates the parameters, serializes the JSON request
and then emits ``before-send``. Our handler answers there with an ``AWSResponse``, so botocore checks its
``x-amz-crc32`` and runs its retry handler on it exactly as for a network response (a ``ThrottlingException``
is retried with botocore's own backoff). A bound client's requests are not signed (nothing in-process checks
a signature). For DynamoDB calls the emulator answers from the parameters botocore validated (kept at
``before-parameter-build``) and hands the answer back already parsed at ``before-parse`` (botocore parses an
empty ``{}`` body and merges it in): the JSON and base64 round trip in between is one botocore does not force
(``door.answer_params``). Errors, Streams calls and clients bound only by ``_send`` take the wire path,
``door.answer``, shared with the HTTP server.

Which clients are routed:

- every DynamoDB and DynamoDB Streams client created (by ``boto3.client``, ``boto3.resource``, a
  ``boto3.Session`` or a botocore session) while a ``mock_dynamodb`` is active: it stays bound to that
  block's emulator for its whole life, so it never reaches the network;
- clients created earlier, pointed at AWS's own endpoints (no custom ``endpoint_url``), while at least one
  ``mock_dynamodb`` is active: the innermost active emulator answers them (they must already hold
  credentials of their own: botocore signs before it sends);
- clients from ``emu.boto3_client()`` / ``emu.streams_client()``: always that emulator, no global state;
- aiobotocore (and so aioboto3) clients, the same way, when aiobotocore is installed (``routing_async``).

Anything else fails closed: while a block is active, a DynamoDB or DynamoDB Streams request addressed to AWS
that no routing answered is refused with ``UnroutedRequestError`` at the HTTP session, before a socket opens.

Inside the block, clients created without credentials get dummy ones and, when no region is configured,
the emulator's region; ``os.environ`` is never touched, so nothing needs restoring and threads cannot race
on it. The active blocks form one process-wide stack (so worker threads started by the code under test are
routed too); a block entered in the current thread or asyncio task wins over the others.

>>> import boto3
>>> with mock_dynamodb() as emu:
...     client = boto3.client("dynamodb")
...     client.list_tables()["TableNames"]
[]
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import threading
import zlib
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

import botocore
import botocore.endpoint
import botocore.session
from botocore.awsrequest import AWSResponse

from theorydb_mocks.emulator import door, routing_async
from theorydb_mocks.emulator.regions import valid_region
from theorydb_mocks.emulator.routing_async import UnroutedRequestError

if TYPE_CHECKING:
    from theorydb_mocks.emulator.core import DynamoDBEmulator

__all__ = ["UnroutedRequestError", "answer_request", "make_client", "make_resource", "mock_dynamodb"]

F = TypeVar("F", bound=Callable[..., Any])

_SERVICES = {"dynamodb": "dynamodb", "dynamodbstreams": "dynamodbstreams"}
_DUMMY_KEY = "theorydb-emulator"
_DUMMY_SECRET = "theorydb-emulator-secret"
_PARAMS = "theorydb_emulator_params"
_ERROR = "theorydb_emulator_error"  # an error answered at before-call, for the same attempt's before-send
_ROUTED_URL = "https://dynamodb.emulator.invalid/"  # the url of answers given at before-call
# The answer a routed call's before-send produced, until before-parse hands it over: a context variable,
# so threads and asyncio tasks (aiobotocore) each see their own call's answer.
_PARSED: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "theorydb_routed_answer", default=None
)
_AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".c2s.ic.gov", ".sc2s.sgov.gov")

# --- answering one request ----------------------------------------------------------------------------


class _Body:
    """The ``raw`` of an ``AWSResponse``: botocore only calls ``stream()`` on it."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data

    def read(self, *_: Any) -> bytes:
        data, self._data = self._data, b""
        return data


def _header(request: Any, name: str) -> str | None:
    value = request.headers.get(name)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return cast("str | None", value)


def answer_request(
    emulator: DynamoDBEmulator, request: Any, response: Callable[[Any, int, bytes], Any] | None = None
) -> AWSResponse:
    """The HTTP response the service would send for one prepared botocore request (JSON 1.0 protocol).

    ``response`` builds the response object (``_aio_response`` for aiobotocore's endpoint).
    """
    body = request.body
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode("utf-8")
    elif not isinstance(body, bytes):  # a file-like body (never for DynamoDB, but botocore allows it)
        body = body.read() if hasattr(body, "read") else bytes(body)
    return (response or _response)(request, *door.answer(emulator, _header(request, "X-Amz-Target"), body))


def _headers(request_id: str, payload: bytes) -> dict[str, str]:
    return {
        "Server": "Server",
        "x-amzn-RequestId": request_id,
        "x-amz-crc32": str(zlib.crc32(payload) & 0xFFFFFFFF),
        "Content-Type": "application/x-amz-json-1.0",
        "Content-Length": str(len(payload)),
    }


def _response(request: Any, status: int, payload: bytes) -> AWSResponse:
    return AWSResponse(request.url, status, _headers(door.request_id(), payload), _Body(payload))


def _aio_response(request: Any, status: int, payload: bytes) -> Any:
    """The same answer as an aiobotocore ``AioAWSResponse`` (its endpoint awaits the body)."""
    return routing_async.aio_response(request.url, status, _headers(door.request_id(), payload), payload)


# --- the active blocks ----------------------------------------------------------------------------------


class _Frame:
    """One active ``mock_dynamodb`` block: its emulator, while it lasts."""

    __slots__ = ("emulator",)

    def __init__(self, emulator: DynamoDBEmulator) -> None:
        self.emulator = emulator


_LOCK = threading.RLock()
_ACTIVE: list[_Frame] = []
_CURRENT: contextvars.ContextVar[_Frame | None] = contextvars.ContextVar(
    "theorydb_mock_dynamodb", default=None
)
_ORIGINALS: dict[str, Any] = {}


def _current_frame() -> _Frame | None:
    """The block of this thread or task if still active, else the innermost active one anywhere."""
    frame = _CURRENT.get()
    active = _ACTIVE
    if frame is not None and frame in active:
        return frame
    return active[-1] if active else None


def _remember_params(params: Any, model: Any, context: Any, **_: Any) -> None:
    """Keep the parameters of a DynamoDB call (after botocore's and boto3's own handlers changed them) with
    the request, so the answer need not decode the JSON botocore serialized from them."""
    if isinstance(context, dict):
        context[_PARAMS] = (model.name, params)


def _unsigned(**_: Any) -> Any:
    """A routed client's requests never leave the process: no signature to compute."""
    return botocore.UNSIGNED


def _bind(
    client: Any, emulator: DynamoDBEmulator, response: Callable[[Any, int, bytes], Any] = _response
) -> Any:
    """Answer every request of ``client`` from ``emulator`` (handlers on the client's own events).

    Requests are not signed (nothing checks a signature in-process); botocore still validates and
    serializes them. A DynamoDB call that succeeds is answered at ``before-call`` (where botocore's
    ``Stubber`` answers), with the response botocore's parser would build; an error answer is kept for
    ``before-send``, so botocore parses it and its retry handler decides (a retried attempt is answered at
    ``before-send`` from the same parameters). ``response`` builds what ``before-send`` answers with
    (``_aio_response`` for aiobotocore clients).
    """
    emulator = _region_of(emulator, client.meta.region_name)
    events = client.meta.events
    dynamodb = client.meta.service_model.service_name == "dynamodb"

    def before_call(context: Any = None, **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        stashed = context.get(_PARAMS) if isinstance(context, dict) else None
        if stashed is None:
            return None
        answered = door.answer_params(emulator, stashed[0], stashed[1])
        if answered is None:
            return None  # parameters the door cannot use as they are: the wire path answers
        status, payload, parsed = answered
        if parsed is None:  # an error: botocore parses it and retries it from before-send
            context[_ERROR] = (status, payload)
            return None
        request_id = door.request_id()
        headers = _headers(request_id, payload)
        parsed["ResponseMetadata"] = {
            "RequestId": request_id,
            "HTTPStatusCode": status,
            "HTTPHeaders": {name.lower(): value for name, value in headers.items()},
            "RetryAttempts": 0,
        }
        return AWSResponse(_ROUTED_URL, status, headers, _Body(payload)), parsed

    def before_send(request: Any, **_: Any) -> Any:
        _PARSED.set(None)
        context = request.context
        if dynamodb and isinstance(context, dict):
            error = context.pop(_ERROR, None)
            if error is not None:  # the first attempt's answer, from before-call
                return response(request, *error)
            stashed = context.get(_PARAMS)
            if stashed is not None:
                answered = door.answer_params(emulator, stashed[0], stashed[1])
                if answered is not None:
                    status, payload, parsed = answered
                    _PARSED.set(parsed)
                    return response(request, status, payload)
        return answer_request(emulator, request, response)

    events.register_first("before-send", before_send, unique_id="theorydb-emulator-route")
    events.register_first("choose-signer", _unsigned, unique_id="theorydb-emulator-unsigned")
    if dynamodb:
        events.register_last("before-parameter-build", _remember_params, unique_id="theorydb-emulator-params")
        events.register_last("before-call", before_call, unique_id="theorydb-emulator-call")
        events.register_first("before-parse", _hand_over, unique_id="theorydb-emulator-parsed")
    return client


def _hand_over(customized_response_dict: dict[str, Any], **_: Any) -> None:
    """Give botocore the answer ``before_send`` kept (it parses ``{}`` and merges this in)."""
    parsed = _PARSED.get()
    if parsed is not None:
        _PARSED.set(None)
        customized_response_dict.update(parsed)


def _routed_create_client(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def create_client(self: Any, service_name: str, *args: Any, **kwargs: Any) -> Any:
        frame = _current_frame()
        if frame is None or service_name not in _SERVICES:
            return original(self, service_name, *args, **kwargs)
        names = inspect.signature(original).bind(self, service_name, *args, **kwargs)
        _prepare(self, names.arguments, frame.emulator)
        return _bind(original(*names.args, **names.kwargs), frame.emulator)

    return create_client


def _prepare(session: Any, call: dict[str, Any], emulator: DynamoDBEmulator) -> None:
    """Dummy credentials when none are given, the emulator's region when none is configured."""
    if call.get("aws_access_key_id") is None and call.get("aws_secret_access_key") is None:
        call["aws_access_key_id"], call["aws_secret_access_key"] = _DUMMY_KEY, _DUMMY_SECRET
        call["aws_session_token"] = None
    config = call.get("config")
    if (
        call.get("region_name") is None
        and getattr(config, "region_name", None) is None
        and session.get_config_variable("region") is None
    ):
        call["region_name"] = emulator.region


def _current_emulator() -> DynamoDBEmulator | None:
    frame = _current_frame()
    return None if frame is None else frame.emulator


def _answer_unbound_aio(emulator: DynamoDBEmulator, request: Any) -> Any:
    """An AWS-bound request of an aiobotocore client made before the block (see ``_routed_send``)."""
    return answer_request(_region_of(emulator, _signing_region(request)), request, _aio_response)


def _routed_send(original: Callable[..., Any]) -> Callable[..., Any]:
    """Endpoint._send for clients made before any block: AWS-hosted DynamoDB endpoints are answered here."""

    @functools.wraps(original)
    def send(self: Any, request: Any) -> Any:
        frame = _current_frame()
        if frame is not None and _is_aws_dynamodb(request):
            return answer_request(_region_of(frame.emulator, _signing_region(request)), request)
        return original(self, request)

    return send


def _region_of(emulator: DynamoDBEmulator, region: str | None) -> DynamoDBEmulator:
    """The emulator's region a client of ``region`` talks to (the emulator's own when none or invalid)."""
    if not region or region == emulator.region or not valid_region(region):
        return emulator
    return emulator.in_region(region)


def _signing_region(request: Any) -> str | None:
    """The region in a signed request's credential scope (``Credential=AK/date/REGION/service/...``)."""
    authorization = _header(request, "Authorization") or ""
    _, found, scope = authorization.partition("Credential=")
    parts = scope.split(",")[0].split("/") if found else []
    return parts[2] if len(parts) > 2 else None


def _is_aws_dynamodb(request: Any) -> bool:
    target = _header(request, "X-Amz-Target") or ""
    if not target.startswith(("DynamoDB_20120810.", "DynamoDBStreams_20120810.")):
        return False
    host = urlsplit(request.url).hostname or ""
    return host.endswith(_AWS_HOST_SUFFIXES)


def _push(frame: _Frame) -> None:
    with _LOCK:
        if not _ACTIVE:
            session_cls = botocore.session.Session
            endpoint_cls = botocore.endpoint.Endpoint
            _ORIGINALS["create_client"] = session_cls.create_client
            _ORIGINALS["_send"] = endpoint_cls._send
            session_cls.create_client = _routed_create_client(_ORIGINALS["create_client"])
            endpoint_cls._send = _routed_send(_ORIGINALS["_send"])
            routing_async.install(
                current=_current_emulator,
                prepare=_prepare,
                bind_async=functools.partial(_bind, response=_aio_response),
                answer_async=_answer_unbound_aio,
                is_aws_dynamodb=_is_aws_dynamodb,
                services=frozenset(_SERVICES),
            )
        _ACTIVE.append(frame)


def _pop(frame: _Frame) -> None:
    with _LOCK:
        _ACTIVE.remove(frame)
        if not _ACTIVE:
            botocore.session.Session.create_client = _ORIGINALS.pop("create_client")
            botocore.endpoint.Endpoint._send = _ORIGINALS.pop("_send")
            routing_async.uninstall()


class mock_dynamodb:
    """Route every boto3 DynamoDB and DynamoDB Streams client created inside to one in-process emulator.

    ``with mock_dynamodb() as emu:`` yields the emulator (a fresh ``DynamoDBEmulator`` unless one is
    given). As a decorator, ``@mock_dynamodb()`` gives each call of the function (sync or async) its own
    fresh emulator, or the given one. Blocks nest; the inner one answers the clients created inside it.

    >>> import boto3
    >>> @mock_dynamodb()
    ... def count_tables() -> int:
    ...     return len(boto3.client("dynamodb").list_tables()["TableNames"])
    >>> count_tables()
    0
    """

    def __init__(self, emulator: DynamoDBEmulator | None = None, *, region: str | None = None) -> None:
        if emulator is not None and not callable(getattr(emulator, "dispatch", None)):
            raise TypeError(f"mock_dynamodb takes a DynamoDBEmulator, not {type(emulator).__name__}")
        if emulator is not None and region is not None and region != emulator.region:
            raise ValueError(f"region {region!r} differs from the emulator's region {emulator.region!r}")
        self._given = emulator
        self._region = region
        self._frames: list[tuple[_Frame, contextvars.Token[_Frame | None]]] = []

    def __repr__(self) -> str:
        state = "active" if self._frames else "inactive"
        return f"<mock_dynamodb {state}>"

    @property
    def emulator(self) -> DynamoDBEmulator | None:
        """The emulator of the innermost active use of this object (None when inactive)."""
        return self._frames[-1][0].emulator if self._frames else None

    def _new_emulator(self) -> DynamoDBEmulator:
        if self._given is not None:
            return self._given
        from theorydb_mocks.emulator.core import DynamoDBEmulator

        return DynamoDBEmulator(region=self._region or "us-east-1")

    def __enter__(self) -> DynamoDBEmulator:
        frame = _Frame(self._new_emulator())
        _push(frame)
        self._frames.append((frame, _CURRENT.set(frame)))
        return frame.emulator

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        frame, token = self._frames.pop()
        try:
            _CURRENT.reset(token)
        except ValueError:  # exited in another context than entered (a generator or task moved)
            _CURRENT.set(None)
        _pop(frame)

    def _copy(self) -> mock_dynamodb:
        return mock_dynamodb(self._given, region=self._region)

    def __call__(self, fn: F) -> F:
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self._copy():
                    return await fn(*args, **kwargs)

            return cast(F, run_async)

        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self._copy():
                return fn(*args, **kwargs)

        return cast(F, run)


# --- single clients, no global routing -------------------------------------------------------------------

_SESSION_LOCK = threading.Lock()


@functools.cache
def _boto3_session() -> Any:
    """One private boto3 session for every emulator client: loading the service models happens once."""
    import boto3

    return boto3.session.Session(botocore_session=botocore.session.Session())


def make_client(emulator: DynamoDBEmulator, service: str, **kwargs: Any) -> Any:
    """A real boto3 client for ``service`` whose requests ``emulator`` answers (see ``boto3_client``)."""
    if service not in _SERVICES:
        raise ValueError(f"the emulator answers dynamodb and dynamodbstreams, not {service!r}")
    kwargs.setdefault("region_name", emulator.region)
    if kwargs.get("aws_access_key_id") is None and kwargs.get("aws_secret_access_key") is None:
        kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = _DUMMY_KEY, _DUMMY_SECRET
    with _SESSION_LOCK:
        client = _boto3_session().client(service, **kwargs)
    return _bind(client, emulator)


def make_resource(emulator: DynamoDBEmulator, **kwargs: Any) -> Any:
    """A real ``boto3.resource("dynamodb")`` whose client ``emulator`` answers (see ``resource``)."""
    kwargs.setdefault("region_name", emulator.region)
    if kwargs.get("aws_access_key_id") is None and kwargs.get("aws_secret_access_key") is None:
        kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"] = _DUMMY_KEY, _DUMMY_SECRET
    with _SESSION_LOCK:
        resource = _boto3_session().resource("dynamodb", **kwargs)
    _bind(resource.meta.client, emulator)
    return resource
