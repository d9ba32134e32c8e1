"""The server's own routes under ``/_theorydb/``: one table, for harnesses that do not speak Python.

DynamoDB's API has no word for "is the emulator up?" or "forget everything", so the server answers a few
paths of its own, all under ``/_theorydb/`` (a path no SDK sends to). Each is one entry of ``ADMIN_ROUTES``,
keyed by method and path and registered with ``@admin_route``; the server consults the table only for paths
under that prefix, so DynamoDB requests never pay for it.

- ``GET /_theorydb/health``: ``{"status": "ok", "version": ...}``, or 503 with ``"journal-broken"`` when the
  journal's state is unknown and writes are refused (see ``persistence``).
- ``POST /_theorydb/reset``: drop every table, stream, TTL setting, client token and ledger entry of every
  database, and empty the journal (moto's ``/moto-api/reset``). Authenticated like a DynamoDB request.

A route marked ``authenticated`` passes the server's check of the request's signature (nothing to check
when the server was started without ``access_key``/``credentials``). Answers are JSON unless a route says
otherwise; unknown paths answer 404, a known path with another method 405 (both as DynamoDB JSON errors).

>>> sorted(path for method, path in ADMIN_ROUTES if path.endswith(("health", "reset")))
['/_theorydb/health', '/_theorydb/reset']
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.wire import encode_error

if TYPE_CHECKING:
    from theorydb_mocks.emulator.server import EmulatorServer

__all__ = [
    "ADMIN_PREFIX",
    "ADMIN_ROUTES",
    "AdminAnswer",
    "AdminRequest",
    "AdminRoute",
    "admin_route",
    "answer_admin",
    "emulator_version",
]

ADMIN_PREFIX = "/_theorydb/"
JSON_TYPE = "application/json"


def emulator_version() -> str:
    """The installed ``tabletheory`` distribution's version (``0.0.0`` when it is not installed)."""
    from importlib import metadata  # on first use: its import is a tenth of the server's start-up

    try:
        return metadata.version("tabletheory") or "0.0.0"
    except metadata.PackageNotFoundError:
        return "0.0.0"


@dataclass(frozen=True, slots=True)
class AdminRequest:
    """One request to an admin route (``headers`` is case-insensitive, as the server's are).

    ``identity`` is the (access key, region) of the request's credential once an ``authenticated`` route
    has checked it (``server.emulator_for(*identity)`` is the database it addresses)."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    identity: tuple[str | None, str | None] = (None, None)
    params: Mapping[str, str] = field(default_factory=dict)  # ``{name}`` segments of the route's path


@dataclass(frozen=True, slots=True)
class AdminAnswer:
    """Status, body and content type of an admin route's answer."""

    status: int
    body: bytes
    content_type: str = JSON_TYPE

    @classmethod
    def json(cls, value: Any, status: int = 200) -> AdminAnswer:
        return cls(status, json.dumps(value, separators=(",", ":")).encode())


AdminHandler = Callable[["EmulatorServer", AdminRequest], AdminAnswer]


@dataclass(frozen=True, slots=True)
class AdminRoute:
    """A handler and whether the request must pass the server's authentication first."""

    handler: AdminHandler
    authenticated: bool


ADMIN_ROUTES: dict[tuple[str, str], AdminRoute] = {}


def admin_route(
    method: str, path: str, *, authenticated: bool = False
) -> Callable[[AdminHandler], AdminHandler]:
    """Register ``handler`` for ``method`` on ``path`` (which must start with ``ADMIN_PREFIX``).

    A ``GET`` route also answers ``HEAD`` (headers only)."""
    if not path.startswith(ADMIN_PREFIX):
        raise ValueError(f"admin routes live under {ADMIN_PREFIX}, not {path!r}")

    def register(handler: AdminHandler) -> AdminHandler:
        key = (method, path)
        if key in ADMIN_ROUTES:
            raise ValueError(f"{method} {path} is already routed")
        ADMIN_ROUTES[key] = AdminRoute(handler, authenticated)
        return handler

    return register


def _error(status: int, code: str, message: str) -> AdminAnswer:
    status, payload = encode_error(DynamoDBError(code, message, status=status))
    return AdminAnswer(status, payload, "application/x-amz-json-1.0")


def _matches(pattern: str, path: str) -> dict[str, str] | None:
    """The ``{name}`` segments of ``path`` if it fits the route ``pattern`` (each fills one segment)."""
    wanted, given = pattern.split("/"), path.split("/")
    if len(wanted) != len(given):
        return None
    params: dict[str, str] = {}
    for part, value in zip(wanted, given, strict=True):
        if part.startswith("{") and part.endswith("}") and value:
            params[part[1:-1]] = value
        elif part != value:
            return None
    return params


def _route_for(method: str, request: AdminRequest) -> tuple[AdminRoute | None, AdminRequest, bool]:
    """The route for ``request`` (exact paths first, then ``{name}`` patterns), the request with its
    ``params``, and whether any route has its path."""
    route = ADMIN_ROUTES.get((method, request.path))
    if route is not None:
        return route, request, True
    known = False
    for (route_method, pattern), candidate in ADMIN_ROUTES.items():
        if "{" not in pattern and pattern != request.path:
            continue
        params = _matches(pattern, request.path) if "{" in pattern else {}
        if params is None:
            continue
        known = True
        if route_method == method:
            return candidate, replace(request, params=params), True
    return None, request, known


def answer_admin(server: EmulatorServer, request: AdminRequest) -> AdminAnswer:
    """The answer of the route for ``request`` (404/405 when there is none)."""
    method = "GET" if request.method == "HEAD" else request.method
    route, request, known = _route_for(method, request)
    if route is None:
        if known:
            return _error(
                405, "UnknownOperationException", f"{request.method} is not allowed on {request.path}"
            )
        return _error(404, "UnknownOperationException", f"no route {request.path}")
    try:
        if route.authenticated:
            identity = server._authenticate(
                request.headers, request.query, request.method, request.path, request.body
            )
            request = replace(request, identity=identity)
        return route.handler(server, request)
    except DynamoDBError as err:
        status, payload = encode_error(err)
        return AdminAnswer(status, payload, "application/x-amz-json-1.0")


# --- the server's own routes -------------------------------------------------------------------------


@admin_route("GET", "/_theorydb/health")
def health(server: EmulatorServer, request: AdminRequest) -> AdminAnswer:
    """Up, and able to take writes: 200 ``ok``; 503 when the journal refuses writes."""
    journal = server.journal
    broken = journal.broken if journal is not None else None
    body: dict[str, Any] = {"status": "journal-broken" if broken else "ok", "version": emulator_version()}
    if broken:
        body["reason"] = broken
    return AdminAnswer.json(body, 503 if broken else 200)


@admin_route("POST", "/_theorydb/reset", authenticated=True)
def reset(server: EmulatorServer, request: AdminRequest) -> AdminAnswer:
    """Every database emptied, and the journal with them (``EmulatorServer.reset``)."""
    server.reset()
    return AdminAnswer.json({"status": "reset"})
