"""Where the plugin's DynamoDB lives: the backend named by a marker, the command line, the environment or ini.

Precedence, first found wins: ``@pytest.mark.theorydb(backend=...)`` on the test, then ``--theorydb-backend``,
``$THEORYDB_BACKEND``, the ``theorydb_backend`` ini option; else ``endpoint`` when an endpoint is given
(``--ddb-endpoint``, ``$THEORYDB_DDB_ENDPOINT``, ini ``theorydb_endpoint``), else ``emulator``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Final

import pytest

__all__ = [
    "BACKENDS",
    "DEFAULT_LOG_SIZE",
    "Settings",
    "TheorydbMark",
    "add_options",
    "marker_for",
    "read_settings",
    "worker_id",
]

BACKENDS: Final = ("emulator", "dynamodb-local", "endpoint")
DEFAULT_LOG_SIZE: Final = 20

MARKER_HELP = (
    "theorydb(backend=None, skip_on=(), reason=None): run this test on one backend (emulator, "
    "dynamodb-local, endpoint) and/or skip it on backends that lack a feature"
)


def add_options(parser: pytest.Parser) -> None:
    """Register the command-line flags and ini options (called from ``pytest_addoption``)."""
    group = parser.getgroup("theorydb", "TableTheory DynamoDB fixtures")
    group.addoption(
        "--theorydb-backend",
        choices=BACKENDS,
        default=None,
        help="where ddb_client, ddb_boto3 and ddb_table talk to: emulator (default), dynamodb-local "
        "(started by the plugin unless $DYNAMODB_LOCAL_ENDPOINT is set), or endpoint (--ddb-endpoint)",
    )
    group.addoption(
        "--ddb-endpoint",
        default=None,
        metavar="URL",
        help="a DynamoDB endpoint for the 'endpoint' backend (implies it unless a backend is named)",
    )
    group.addoption(
        "--theorydb-log-size",
        type=int,
        default=None,
        metavar="N",
        help=f"emulator operations shown when a test fails (default {DEFAULT_LOG_SIZE}; 0 turns it off)",
    )
    parser.addini("theorydb_backend", "default backend of the theorydb fixtures", default="")
    parser.addini("theorydb_endpoint", "DynamoDB endpoint URL for the 'endpoint' backend", default="")
    parser.addini("theorydb_log_size", "emulator operations shown when a test fails", default="")


@dataclass(frozen=True, slots=True)
class Settings:
    """The session-wide choices; a marker may still override the backend of one test."""

    backend: str
    endpoint: str | None
    log_size: int


def _first(*values: str | None) -> str | None:
    for value in values:
        if value:
            return value
    return None


def _check_backend(value: str, where: str) -> str:
    if value not in BACKENDS:
        raise pytest.UsageError(
            f"{where}: unknown theorydb backend {value!r}; choose from {', '.join(BACKENDS)}"
        )
    return value


def read_settings(config: pytest.Config) -> Settings:
    """Resolve the backend, endpoint and log size once per session; a bad value is a usage error."""
    endpoint = _first(
        config.getoption("--ddb-endpoint"),
        os.environ.get("THEORYDB_DDB_ENDPOINT"),
        str(config.getini("theorydb_endpoint")),
    )
    named = [
        (config.getoption("--theorydb-backend"), "--theorydb-backend"),
        (os.environ.get("THEORYDB_BACKEND"), "$THEORYDB_BACKEND"),
        (str(config.getini("theorydb_backend")), "ini theorydb_backend"),
    ]
    backend = next((_check_backend(value, where) for value, where in named if value), None)
    if backend is None:
        backend = "endpoint" if endpoint else "emulator"
    if backend == "endpoint" and not endpoint:
        raise pytest.UsageError(
            "theorydb backend 'endpoint' needs a URL: "
            "--ddb-endpoint, $THEORYDB_DDB_ENDPOINT or ini theorydb_endpoint"
        )
    size_text = _first(
        None
        if config.getoption("--theorydb-log-size") is None
        else str(config.getoption("--theorydb-log-size")),
        str(config.getini("theorydb_log_size")),
    )
    try:
        log_size = DEFAULT_LOG_SIZE if size_text is None else int(size_text)
    except ValueError:
        raise pytest.UsageError(f"theorydb_log_size must be a whole number, not {size_text!r}") from None
    if log_size < 0:
        raise pytest.UsageError(f"theorydb_log_size must not be negative, not {log_size}")
    return Settings(backend=backend, endpoint=endpoint, log_size=log_size)


@dataclass(frozen=True, slots=True)
class TheorydbMark:
    """The arguments of ``@pytest.mark.theorydb``, checked."""

    backend: str | None = None
    skip_on: tuple[str, ...] = ()
    reason: str | None = None


def marker_for(item: pytest.Item) -> TheorydbMark:
    """The closest ``theorydb`` marker of ``item`` (test, then class, then module), or the defaults."""
    __tracebackhide__ = True
    mark = item.get_closest_marker("theorydb")
    if mark is None:
        return TheorydbMark()
    kwargs: dict[str, Any] = dict(mark.kwargs)
    if mark.args:
        raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.theorydb takes keyword arguments only")
    unknown = sorted(set(kwargs) - {"backend", "skip_on", "reason"})
    if unknown:
        raise pytest.UsageError(
            f"{item.nodeid}: @pytest.mark.theorydb got unknown arguments {', '.join(unknown)}"
        )
    backend = kwargs.get("backend")
    if backend is not None:
        _check_backend(backend, f"{item.nodeid}: @pytest.mark.theorydb(backend=...)")
    skip_on = kwargs.get("skip_on", ())
    if isinstance(skip_on, str):
        skip_on = (skip_on,)
    for name in skip_on:
        _check_backend(name, f"{item.nodeid}: @pytest.mark.theorydb(skip_on=...)")
    reason = kwargs.get("reason")
    return TheorydbMark(backend=backend, skip_on=tuple(skip_on), reason=reason)


_SAFE = re.compile(r"[^a-zA-Z0-9_.-]")


def worker_id(config: pytest.Config) -> str:
    """``gw0``, ``gw1``... under pytest-xdist; ``main`` without it (safe inside a table name)."""
    workerinput = getattr(config, "workerinput", None)
    name = workerinput.get("workerid", "main") if isinstance(workerinput, dict) else "main"
    return _SAFE.sub("-", str(name)) or "main"
