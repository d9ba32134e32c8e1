"""Fixtures for the differential conformance suite: DynamoDB Local and the emulator, side by side.

``diff`` is a ``Differential`` for the test's area (the module name after ``test_cases_``); ``make_diff`` is
a context-manager factory for Hypothesis tests. Set ``THEORYDB_CONFORMANCE_BACKENDS=local`` to run every
case against DynamoDB Local alone (this validates the corpus: every ``expect`` is still checked). The
session's match rate is printed in the terminal summary and written to ``.cache/conformance-report.json``.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.harness import Differential, TableJanitor, Tally

BACKENDS_ENV = "THEORYDB_CONFORMANCE_BACKENDS"
REPORT_PATH = Path(".cache") / "conformance-report.json"
_TALLY = pytest.StashKey[Tally]()


def _local_only() -> bool:
    value = os.environ.get(BACKENDS_ENV, "both").strip().lower()
    if value not in ("both", "local"):
        raise pytest.UsageError(f"{BACKENDS_ENV} must be 'both' or 'local', not {value!r}")
    return value == "local"


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_TALLY] = Tally()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        uses_local = "dynamodb_local_client" in getattr(item, "fixturenames", ())
        if uses_local and here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.dynamodb_local)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    tally = config.stash.get(_TALLY, None)
    if tally is None or not tally.areas:
        return
    mode = "DynamoDB Local only" if _local_only() else "emulator vs DynamoDB Local"
    terminalreporter.section(f"conformance ({mode})")
    for line in tally.summary_lines():
        terminalreporter.write_line(line)
    path = Path(str(config.rootpath)) / REPORT_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    report = {"mode": mode, **tally.report()}
    path.write_text(json.dumps(report, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    terminalreporter.write_line(f"report written to {path}")


@pytest.fixture(scope="session")
def conformance_tally(pytestconfig: pytest.Config) -> Tally:
    """The session-wide tally of comparisons."""
    return pytestconfig.stash[_TALLY]


@pytest.fixture(scope="session")
def table_janitor() -> Iterator[TableJanitor]:
    """Drops DynamoDB Local tables in the background; waits for the last ones at the end of the session."""
    janitor = TableJanitor()
    yield janitor
    janitor.close()


@pytest.fixture(scope="session")
def emulator_class() -> type[Any] | None:
    """``DynamoDBEmulator``, or None in local-only mode; fails clearly if the emulator cannot be imported."""
    if _local_only():
        return None
    try:
        from theorydb_mocks.emulator import DynamoDBEmulator  # type: ignore[attr-defined,unused-ignore]
    except ImportError as err:
        pytest.fail(
            f"the emulator cannot be imported ({err}); set {BACKENDS_ENV}=local to validate the corpus alone",
            pytrace=False,
        )
    emulator: type[Any] = DynamoDBEmulator
    return emulator


@pytest.fixture(scope="session")
def emulator_factory(emulator_class: type[Any] | None) -> Callable[[], Any] | None:
    """Makes a fresh emulator client per differential, or None in local-only mode."""
    if emulator_class is None:
        return None

    def make() -> Any:
        return emulator_class().client()

    return make


DiffFactory = Callable[..., contextlib.AbstractContextManager[Differential]]


def _area(request: pytest.FixtureRequest) -> str:
    module = str(request.node.module.__name__).rsplit(".", 1)[-1]
    return module.removeprefix("test_cases_").removeprefix("test_")


@pytest.fixture
def make_diff(
    request: pytest.FixtureRequest,
    dynamodb_local_client: Any,
    emulator_factory: Callable[[], Any] | None,
    conformance_tally: Tally,
    table_janitor: TableJanitor,
) -> DiffFactory:
    """``with make_diff() as diff:`` (or ``make_diff("area")``): a differential that drops its tables."""

    @contextlib.contextmanager
    def factory(area: str | None = None) -> Iterator[Differential]:
        emulator = emulator_factory() if emulator_factory is not None else None
        differential = Differential(
            dynamodb_local_client,
            emulator,
            tally=conformance_tally,
            area=area or _area(request),
            test_id=request.node.nodeid,
            janitor=table_janitor,
        )
        try:
            yield differential
        finally:
            differential.close()

    return factory


@pytest.fixture
def diff(make_diff: DiffFactory) -> Iterator[Differential]:
    """A differential for this test's area."""
    with make_diff() as differential:
        yield differential
