"""The strict fakes' own failures: ``AssertionError`` subclasses, so pytest reports them as test failures."""

from __future__ import annotations

from typing import Final

__all__ = [
    "DOCS",
    "ExpectationError",
    "PendingExpectationsError",
    "StrictFakeError",
    "UnexpectedCallError",
]

DOCS: Final = "docs/testing.md#strict-fakes"


class StrictFakeError(AssertionError):
    """A strict fake's failure: the code under test did something no expectation allows."""


class UnexpectedCallError(StrictFakeError):
    """A call that no pending expectation allows; the message holds the call, the nearest expectation and
    a path-qualified diff (``Item.email.S: 'a' != 'b'``)."""


class PendingExpectationsError(StrictFakeError):
    """Raised by ``assert_no_pending()``: expectations never met, or unexpected calls recorded."""


class ExpectationError(ValueError):
    """A declaration that contradicts itself or the service (a response *and* an error, an unknown method,
    an error code the operation never returns). Raised at registration, in the test's own code."""


for _cls in (StrictFakeError, UnexpectedCallError, PendingExpectationsError, ExpectationError):
    _cls.__module__ = "theorydb_mocks.fakes"
