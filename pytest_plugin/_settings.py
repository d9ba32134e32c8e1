"""Where the plugin's DynamoDB lives: the backend named by a marker, the command line, the environment or ini.

One naming scheme for every setting ``name`` (a ``Knob``): the flag ``--theorydb-<name>``, the environment
variable ``THEORYDB_<NAME>`` and the ini key ``theorydb_<name>`` (dashes become underscores). Older spellings
stay as aliases (``--ddb-endpoint``, ``$THEORYDB_DDB_ENDPOINT``, ``$DYNAMODB_LOCAL_ENDPOINT``). First found
wins: the command line, then the environment, then the ini file; a marker may still override one test.

A new setting is one more ``Knob`` in ``KNOBS`` and one ``lookup(config, name)``.
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
    "KNOBS",
    "Knob",
    "MarkerError",
    "Settings",
    "TheorydbMark",
    "add_options",
    "lookup",
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


@dataclass(frozen=True, slots=True)
class Knob:
    """One setting: ``--theorydb-<name>``, ``THEORYDB_<NAME>``, ``theorydb_<name>``, plus aliases."""

    name: str
    help: str
    metavar: str = "VALUE"
    flag_aliases: tuple[str, ...] = ()
    env_aliases: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        return f"--theorydb-{self.name}"

    @property
    def dest(self) -> str:
        return f"theorydb_{self.name.replace('-', '_')}"

    @property
    def env(self) -> str:
        return self.dest.upper()

    @property
    def ini(self) -> str:
        return self.dest

    def spellings(self) -> str:
        """``--theorydb-x, $THEORYDB_X or ini theorydb_x``: for messages saying where to set it."""
        return f"{self.flag}, ${self.env} or ini {self.ini}"


KNOBS: Final[tuple[Knob, ...]] = (
    Knob(
        "backend",
        "where ddb_client, ddb_boto3 and ddb_table talk to: emulator (default), dynamodb-local "
        "(started by the plugin unless --theorydb-dynamodb-local-endpoint is set), or endpoint",
        metavar="|".join(BACKENDS),
    ),
    Knob(
        "endpoint",
        "a DynamoDB endpoint URL for the 'endpoint' backend (implies it unless a backend is named)",
        metavar="URL",
        flag_aliases=("--ddb-endpoint",),
        env_aliases=("THEORYDB_DDB_ENDPOINT",),
    ),
    Knob(
        "dynamodb-local-endpoint",
        "the URL of a running DynamoDB Local for the 'dynamodb-local' backend (else the plugin starts one)",
        metavar="URL",
        env_aliases=("DYNAMODB_LOCAL_ENDPOINT",),
    ),
    Knob(
        "seed",
        "a dump folder (emu.dump) that ddb_seed loads into ddb_emulator_session once per session; "
        "ddb_seeded_emulator then rolls each test back to it (a relative ini path is from the rootdir)",
        metavar="PATH",
    ),
    Knob(
        "log-size",
        f"emulator operations shown when a test fails (default {DEFAULT_LOG_SIZE}; 0 turns it off)",
        metavar="N",
    ),
)
_BY_NAME: Final = {knob.name: knob for knob in KNOBS}


def add_options(parser: pytest.Parser) -> None:
    """Register every knob's flag (with its aliases) and ini key (called from ``pytest_addoption``)."""
    group = parser.getgroup("theorydb", "TableTheory DynamoDB fixtures")
    for knob in KNOBS:
        group.addoption(
            knob.flag, *knob.flag_aliases, dest=knob.dest, default=None, metavar=knob.metavar, help=knob.help
        )
        parser.addini(knob.ini, knob.help, default="")


def lookup(config: pytest.Config, name: str) -> tuple[str, str] | None:
    """The value of setting ``name`` and where it came from (for messages), or None when it is not set."""
    knob = _BY_NAME[name]
    flag = config.getoption(knob.dest, default=None)
    if flag not in (None, ""):
        return str(flag), knob.flag
    for env in (knob.env, *knob.env_aliases):
        value = os.environ.get(env)
        if value:
            return value, f"${env}"
    try:
        ini = config.getini(knob.ini)
    except ValueError:  # the knob's ini key is not registered (another plugin's config)
        return None
    if ini:
        return str(ini), f"ini {knob.ini}"
    return None


@dataclass(frozen=True, slots=True)
class Settings:
    """The session-wide choices; a marker may still override the backend of one test."""

    backend: str
    endpoint: str | None
    log_size: int
    dynamodb_local_endpoint: str | None = None
    seed: str | None = None  # a dump folder for ddb_seed


class MarkerError(ValueError):
    """A ``@pytest.mark.theorydb`` that cannot be used: it fails its own test, not the whole run."""


def _check_backend(value: str, where: str, error: type[Exception] = pytest.UsageError) -> str:
    if value not in BACKENDS:
        raise error(f"{where}: unknown theorydb backend {value!r}; choose from {', '.join(BACKENDS)}")
    return value


def read_settings(config: pytest.Config) -> Settings:
    """Resolve the backend, endpoints and log size once per session; a bad value is a usage error."""
    found_endpoint = lookup(config, "endpoint")
    endpoint = found_endpoint[0] if found_endpoint else None
    found_backend = lookup(config, "backend")
    if found_backend is not None:
        backend = _check_backend(*found_backend)
    else:
        backend = "endpoint" if endpoint else "emulator"
    if backend == "endpoint" and not endpoint:
        raise pytest.UsageError(
            f"theorydb backend 'endpoint' needs a URL: {_BY_NAME['endpoint'].spellings()}"
        )
    found_size = lookup(config, "log-size")
    log_size = DEFAULT_LOG_SIZE
    if found_size is not None:
        size_text, where = found_size
        try:
            log_size = int(size_text)
        except ValueError:
            raise pytest.UsageError(f"{where} must be a whole number, not {size_text!r}") from None
        if log_size < 0:
            raise pytest.UsageError(f"{where} must not be negative, not {log_size}")
    found_local = lookup(config, "dynamodb-local-endpoint")
    found_seed = lookup(config, "seed")
    seed = None
    if found_seed is not None:
        seed_text, where = found_seed
        seed = str(config.rootpath / seed_text) if where.startswith("ini ") else os.path.abspath(seed_text)
    return Settings(
        backend=backend,
        endpoint=endpoint,
        log_size=log_size,
        dynamodb_local_endpoint=found_local[0] if found_local else None,
        seed=seed,
    )


@dataclass(frozen=True, slots=True)
class TheorydbMark:
    """The arguments of ``@pytest.mark.theorydb``, checked."""

    backend: str | None = None
    skip_on: tuple[str, ...] = ()
    reason: str | None = None


def marker_for(item: pytest.Item) -> TheorydbMark:
    """The closest ``theorydb`` marker of ``item`` (test, then class, then module), or the defaults.

    A marker with bad arguments raises ``MarkerError`` (the plugin fails that test with the message).
    """
    __tracebackhide__ = True
    mark = item.get_closest_marker("theorydb")
    if mark is None:
        return TheorydbMark()
    kwargs: dict[str, Any] = dict(mark.kwargs)
    if mark.args:
        raise MarkerError("@pytest.mark.theorydb takes keyword arguments only")
    unknown = sorted(set(kwargs) - {"backend", "skip_on", "reason"})
    if unknown:
        raise MarkerError(f"@pytest.mark.theorydb got unknown arguments {', '.join(unknown)}")
    backend = kwargs.get("backend")
    if backend is not None:
        _check_backend(backend, "@pytest.mark.theorydb(backend=...)", MarkerError)
    skip_on = kwargs.get("skip_on", ())
    if isinstance(skip_on, str):
        skip_on = (skip_on,)
    if not isinstance(skip_on, (list, tuple)):
        raise MarkerError("@pytest.mark.theorydb(skip_on=...) takes a backend or a list of them")
    for name in skip_on:
        _check_backend(name, "@pytest.mark.theorydb(skip_on=...)", MarkerError)
    reason = kwargs.get("reason")
    return TheorydbMark(backend=backend, skip_on=tuple(skip_on), reason=reason)


_SAFE = re.compile(r"[^a-zA-Z0-9_.-]")


def worker_id(config: pytest.Config) -> str:
    """``gw0``, ``gw1``... under pytest-xdist; ``main`` without it (safe inside a table name)."""
    workerinput = getattr(config, "workerinput", None)
    name = workerinput.get("workerid", "main") if isinstance(workerinput, dict) else "main"
    return _SAFE.sub("-", str(name)) or "main"
