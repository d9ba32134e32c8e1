"""Test doubles for code built on TableTheory: ``from theorydb_py.mocks import ANY, FakeDynamoDBClient``.

This is the one place ``theorydb_py`` reaches into ``theorydb_mocks``; it is imported only by tests, never
by the ORM itself. The full kit (the emulator, the pytest plugin) lives in ``theorydb_mocks``.
"""

from __future__ import annotations

from theorydb_mocks.fakes import (
    ANY,
    AnyString,
    Exact,
    ExpectationError,
    FakeDynamoDBClient,
    FakeKmsClient,
    Matcher,
    PendingExpectationsError,
    Predicate,
    Regex,
    UnexpectedCallError,
)

__all__ = [
    "ANY",
    "AnyString",
    "Exact",
    "ExpectationError",
    "FakeDynamoDBClient",
    "FakeKmsClient",
    "Matcher",
    "PendingExpectationsError",
    "Predicate",
    "Regex",
    "UnexpectedCallError",
]
