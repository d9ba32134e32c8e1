"""The web console's routes: its page and assets, and the capacity ledger, which the API cannot answer.

The console (``theorydb_mocks/console/``: one HTML page, one script, one stylesheet; no build step) is
served at ``GET /`` to browsers (a request whose ``Accept`` names ``text/html``; other clients still get
DynamoDB's ``healthy: ...`` line) and at ``/_theorydb/console/``. Everything it shows comes from the
DynamoDB and DynamoDB Streams JSON API it calls like any client (``POST /`` with ``X-Amz-Target``), except
the capacity ledger: ``GET /_theorydb/ledger`` answers the totals and the most recent entries of the
database the request's credential addresses, read-only.

>>> from theorydb_mocks.emulator.admin import ADMIN_ROUTES
>>> sorted(path for _, path in ADMIN_ROUTES if path.startswith("/_theorydb/console"))
['/_theorydb/console/', '/_theorydb/console/console.css', '/_theorydb/console/console.js']
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator.admin import AdminAnswer, AdminRequest, admin_route, emulator_version
from theorydb_mocks.emulator.ledger import LedgerEntry

if TYPE_CHECKING:
    from theorydb_mocks.emulator.server import EmulatorServer

__all__ = ["CONSOLE_PATH", "RECENT_ENTRIES", "console_asset"]

CONSOLE_PATH = "/_theorydb/console/"
RECENT_ENTRIES = 200  # ledger entries the console's request chart shows

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}


@functools.cache
def console_asset(name: str) -> bytes:
    """A file of the console, read once from the package (``theorydb_mocks/console/``)."""
    data = resources.files("theorydb_mocks").joinpath("console", name).read_bytes()
    if name == "index.html":
        data = data.replace(b"{{version}}", emulator_version().encode())
    return data


def _asset(name: str) -> AdminAnswer:
    return AdminAnswer(200, console_asset(name), _TYPES[name[name.rindex(".") :]])


@admin_route("GET", CONSOLE_PATH)
def console_page(server: EmulatorServer, request: AdminRequest) -> AdminAnswer:
    """The console's page (also served at ``GET /`` to browsers)."""
    return _asset("index.html")


@admin_route("GET", f"{CONSOLE_PATH}console.js")
def console_script(server: EmulatorServer, request: AdminRequest) -> AdminAnswer:
    return _asset("console.js")


@admin_route("GET", f"{CONSOLE_PATH}console.css")
def console_style(server: EmulatorServer, request: AdminRequest) -> AdminAnswer:
    return _asset("console.css")


def _entry(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "operation": entry.operation,
        "table": entry.table,
        "index": entry.index,
        "kind": entry.kind,
        "units": entry.units,
    }


@admin_route("GET", "/_theorydb/ledger", authenticated=True)
def ledger(server: EmulatorServer, request: AdminRequest) -> AdminAnswer:
    """The capacity ledger of the addressed database: ``totals`` per operation, table, index and kind,
    and the ``recent`` entries (the last ``RECENT_ENTRIES``), oldest first."""
    emulator = server.emulator_for(*request.identity)
    with emulator.lock:
        totals = emulator.capacity.totals()
        recent = emulator.capacity.entries[-RECENT_ENTRIES:]
    return AdminAnswer.json({"totals": [_entry(e) for e in totals], "recent": [_entry(e) for e in recent]})
