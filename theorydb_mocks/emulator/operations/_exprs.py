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

__all__ = ["UNSEEN", "Prepared", "VouchedShapes", "compile_request", "prepare_request"]


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


UNSEEN: Any = object()  # ``VouchedShapes.get``'s answer for a shape not vouched for


class VouchedShapes:
    """The shapes of an operation's requests that passed every check made before the table is read, with
    their compiled expressions: an express lane's memory, so that a request shaped like one seen valid skips
    botocore's model, the service's validation and the expression compiler, which would answer as before.

    A shape is what those checks read apart from the table's name and the item's key: which members the
    request has (within ``members``, in their order), the value of each of the ``scalars`` (and the type
    of each that is not a string: a valid string never equals another type), and the placeholder maps
    (``expressions.placeholders_key``: plain ones only). The lane checks the other two itself (a table
    that exists, so its name was valid; a key ``plain_position`` vouches for). Measured: the checks were
    a sixth of a conditional UpdateItem on the direct client.
    """

    __slots__ = ("_known", "limit", "members", "scalars", "typed")

    def __init__(
        self,
        members: frozenset[str],
        scalars: tuple[str, ...],
        *,
        typed: tuple[str, ...] = (),
        limit: int = 4096,
    ) -> None:
        self.members = members
        self.scalars = scalars
        self.typed = typed  # the scalars that are not strings
        self.limit = limit
        self._known: dict[Any, Any] = {}

    def __repr__(self) -> str:
        return f"<VouchedShapes {len(self._known)} of {', '.join(sorted(self.members))}>"

    def shape(self, request: dict[str, Any]) -> Any:
        """The request's shape, or None when it has another member or a placeholder map that is not plain
        (the lane's full checks then decide; a scalar without a hash is caught by ``get``)."""
        if not request.keys() <= self.members:
            return None
        scalars = tuple(map(request.get, self.scalars))
        names, values = request.get("ExpressionAttributeNames"), request.get("ExpressionAttributeValues")
        maps = _placeholders_key()(names, values)
        if maps is None:
            return None
        if self.typed:  # True == 1: a bool or an int is told apart by its type too
            return tuple(request), scalars, maps, tuple(map(type, map(request.get, self.typed)))
        return tuple(request), scalars, maps

    def get(self, shape: Any) -> Any:
        """The compiled expressions (None for none) of a shape vouched for, or ``UNSEEN``."""
        if shape is None:
            return UNSEEN
        try:
            return self._known.get(shape, UNSEEN)
        except TypeError:  # a scalar member without a hash (a list where a string belongs)
            return UNSEEN

    def vouch(self, shape: Any, compiled: Any) -> None:
        """Remember that requests of ``shape`` pass the checks, compiling to ``compiled``."""
        if shape is None:
            return
        known = self._known
        if len(known) >= self.limit:
            known.clear()
        try:
            known[shape] = compiled
        except TypeError:
            return


@functools.cache
def _placeholders_key() -> Any:
    """``expressions.placeholders_key``, imported on first use (as ``_compiler``)."""
    from theorydb_mocks.emulator.expressions import placeholders_key

    return placeholders_key
