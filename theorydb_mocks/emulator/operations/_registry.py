"""The one registry of operation handlers: every door (direct client, boto3 routing, HTTP) dispatches here.

A handler takes the emulator and the request (boto3 low-level shape, already validated for shape) and
returns the response dict without ``ResponseMetadata``; it raises ``DynamoDBError`` for error answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from theorydb_mocks.emulator._types import Request, Response

__all__ = ["HANDLERS", "Handler", "operation"]

Handler = Callable[[Any, "Request"], "Response"]

HANDLERS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the implementation of the DynamoDB operation ``name`` (e.g. ``"PutItem"``)."""

    def register(handler: Handler) -> Handler:
        if name in HANDLERS:
            raise RuntimeError(f"operation {name} registered twice")
        HANDLERS[name] = handler
        return handler

    return register
