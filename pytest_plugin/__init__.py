"""TableTheory's pytest plugin, registered through the ``pytest11`` entry point.

Thin by design: fixtures that wire the fakes and the emulator of ``theorydb_mocks`` to tests.

Fixtures (docs: docs/testing.md#the-pytest-plugin):

- ``fake_ddb`` / ``fake_kms``: strict fakes; expectations still pending fail the test at teardown.
- ``ddb_emulator``: a fresh in-memory DynamoDB per test; ``ddb_emulator_session``: one per session (and
  per pytest-xdist worker), filled once by overriding ``ddb_seed``; ``ddb_seeded_emulator``: that one, with
  every write of the test rolled back at teardown.
- ``ddb_client``: a low-level client for the chosen backend (``theorydb_client``, which ``ddb_table``
  uses, so a project's own ``ddb_client`` fixture never re-targets it); ``ddb_boto3``: a real boto3 client
  (answered in-process on the emulator); ``ddb_table``: ``ddb_table(model)`` creates the model's table,
  returns a ``Table``.
- ``theorydb_backend``: the backend name of the test.

Backends: ``emulator`` (default), ``dynamodb-local`` (started by the plugin), ``endpoint``. Every setting
has one name in three spellings: ``--theorydb-backend``, ``$THEORYDB_BACKEND``, ini ``theorydb_backend`` (also
``endpoint``, ``dynamodb-local-endpoint``, ``log-size``; see ``_settings.KNOBS``);
``@pytest.mark.theorydb(backend=..., skip_on=..., reason=...)`` overrides per test. When a test fails, the
emulator's recent operations are added to its report.
"""

from __future__ import annotations

import importlib
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from pytest_plugin._fixtures import (
    CALL_FAILED,
    SETTINGS,
    TableFactory,
    ddb_boto3,
    ddb_client,
    ddb_emulator,
    ddb_emulator_session,
    ddb_seed,
    ddb_seeded_emulator,
    ddb_table,
    fail_for_marker,
    fake_ddb,
    fake_kms,
    logs_of,
    skip_for_marker,
    theorydb_backend,
    theorydb_client,
    theorydb_dynamodb_local,
    unreachable_report,
)
from pytest_plugin._settings import MARKER_HELP, add_options, read_settings

if TYPE_CHECKING:
    from theorydb_mocks.emulator import DynamoDBEmulator
    from theorydb_mocks.fakes import FakeDynamoDBClient as FakeDynamoDB
    from theorydb_mocks.fakes import FakeKmsClient as FakeKms

__all__ = [
    "DynamoDBEmulator",
    "FakeDynamoDB",
    "FakeKms",
    "TableFactory",
    "ddb_boto3",
    "ddb_client",
    "ddb_emulator",
    "ddb_emulator_session",
    "ddb_seed",
    "ddb_seeded_emulator",
    "ddb_table",
    "fake_ddb",
    "fake_kms",
    "theorydb_backend",
    "theorydb_client",
    "theorydb_dynamodb_local",
]

# Types for annotating fixture arguments (``def test_x(fake_ddb: FakeDynamoDB)``), loaded on first use.
_LAZY = {
    "FakeDynamoDB": ("theorydb_mocks.fakes", "FakeDynamoDBClient"),
    "FakeKms": ("theorydb_mocks.fakes", "FakeKmsClient"),
    "DynamoDBEmulator": ("theorydb_mocks.emulator", "DynamoDBEmulator"),
}


def __getattr__(name: str) -> Any:
    found = _LAZY.get(name)
    if found is None:
        raise AttributeError(f"module 'pytest_plugin' has no attribute {name!r}")
    value = getattr(importlib.import_module(found[0]), found[1])
    globals()[name] = value
    return value


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    config.stash[SETTINGS] = read_settings(config)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        skip_for_marker(item)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    fail_for_marker(item)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    lines = unreachable_report(config)
    if lines:
        terminalreporter.section("theorydb")
        for line in lines:
            terminalreporter.write_line(line)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Remember a failed call (fake teardowns stay quiet); attach the emulators' recent operations."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[CALL_FAILED] = True
    if report.failed and report.when in ("setup", "call"):
        for name, log in logs_of(getattr(item, "funcargs", {})):
            report.sections.append((f"theorydb: last {len(log)} operations of {name}", log.render()))
    return report
