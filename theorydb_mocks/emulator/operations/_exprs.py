"""Compiling a data-plane request's expressions, and the placeholder rules that come before the parser.

A request without any expression, names or values skips the expression engine altogether (the hot path of
plain GetItem and PutItem calls). Otherwise ``compile_request`` refuses placeholders that no expression can
use, in DynamoDB's words, then hands everything to ``expressions.compile_expressions`` (cached parses).

>>> compile_request({"TableName": "t"}, ("ConditionExpression",)) is None
True
>>> compile_request({"ExpressionAttributeNames": {"#a": "a"}}, ("ConditionExpression",))
Traceback (most recent call last):
  ...
theorydb_mocks.emulator.errors.DynamoDBError: ValidationException: ExpressionAttributeNames can only ...
"""

from __future__ import annotations

import functools
from typing import Any

from theorydb_mocks.emulator.errors import DynamoDBError, validation_error
from theorydb_mocks.emulator.messages import (
    NAMES_WITHOUT_EXPRESSIONS,
    VALUES_WITHOUT_EXPRESSIONS,
)

__all__ = ["Prepared", "compile_request", "prepare_request"]


# The request member that carries each expression kind, and the keyword compile_expressions takes for it.
_KEYWORDS = {
    "ConditionExpression": "condition",
    "FilterExpression": "filter",
    "KeyConditionExpression": "key_condition",
    "ProjectionExpression": "projection",
    "UpdateExpression": "update",
    "SearchConditionExpression": "search_condition",
}
# Expressions that may use ExpressionAttributeValues, per operation, in the order DynamoDB names them.
_VALUE_USERS = frozenset(
    {
        "UpdateExpression",
        "FilterExpression",
        "KeyConditionExpression",
        "ConditionExpression",
        "SearchConditionExpression",
    }
)


def _null_phrase(members: list[str]) -> str:
    if len(members) == 1:
        return f"{members[0]} is null"
    return " and ".join(members) + " are null"


def compile_request(request: dict[str, Any], members: tuple[str, ...]) -> Any:
    """The request's ``CompiledExpressions`` for the expression ``members`` it may carry, or None if none.

    ``members`` lists the expression members of the operation, in the order DynamoDB names them in its
    "ExpressionAttributeValues can only be specified when using expressions: ... are null" message.
    """
    names = request.get("ExpressionAttributeNames")
    values = request.get("ExpressionAttributeValues")
    keywords: dict[str, Any] = {}
    uses_values = False
    for member in members:
        text = request.get(member)
        if text is not None:
            keywords[_KEYWORDS[member]] = text
            uses_values = uses_values or member in _VALUE_USERS
    if not keywords:
        if names is not None:
            raise validation_error(NAMES_WITHOUT_EXPRESSIONS)
        if values is not None:
            users = [member for member in members if member in _VALUE_USERS]
            raise validation_error(VALUES_WITHOUT_EXPRESSIONS.format(null=_null_phrase(users)))
        return None
    if values is not None and not uses_values:
        users = [member for member in members if member in _VALUE_USERS]
        raise validation_error(VALUES_WITHOUT_EXPRESSIONS.format(null=_null_phrase(users)))
    return _compiler()(names=names, values=values, **keywords)


@functools.cache
def _compiler() -> Any:
    """``expressions.compile_expressions``, imported on first use (an import statement per call costs)."""
    from theorydb_mocks.emulator.expressions import compile_expressions

    return compile_expressions


class Prepared:
    """Expressions compiled ahead, their error held back until the point where DynamoDB reports it.

    DynamoDB checks a request's keys against the table before it parses some expressions (PutItem,
    UpdateItem, DeleteItem, BatchGetItem) and after others (GetItem, Query, Scan). A held error still wins
    over a missing table, because the service validates a request before it looks the table up.
    """

    __slots__ = ("compiled", "error")

    def __init__(self, compiled: Any, error: DynamoDBError | None) -> None:
        self.compiled = compiled
        self.error = error

    def __repr__(self) -> str:
        return f"<Prepared {'error' if self.error is not None else 'ok'}>"

    def result(self) -> Any:
        """The ``CompiledExpressions`` (or None), or the held error raised now."""
        if self.error is not None:
            raise self.error
        return self.compiled

    def table(self, emu: Any, name: str) -> Any:
        """``emu.get_table(name)``; a held expression error comes first if the table is missing."""
        try:
            return emu.get_table(name)
        except DynamoDBError:
            self.result()
            raise


def prepare_request(request: dict[str, Any], members: tuple[str, ...]) -> Prepared:
    """Like :func:`compile_request`, but a parse or placeholder-resolution error is held in the result.

    The rules on placeholders given without any expression still raise at once (DynamoDB checks them
    first).
    """
    try:
        return Prepared(compile_request(request, members), None)
    except DynamoDBError as error:
        if _is_placeholder_rule(error):
            raise
        return Prepared(None, error)


def _is_placeholder_rule(error: DynamoDBError) -> bool:
    return error.message.startswith((NAMES_WITHOUT_EXPRESSIONS, VALUES_WITHOUT_EXPRESSIONS.split("{")[0]))
