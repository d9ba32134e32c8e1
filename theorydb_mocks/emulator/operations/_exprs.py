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

from typing import Any

from theorydb_mocks.emulator.errors import validation_error

__all__ = ["compile_request"]

NAMES_WITHOUT_EXPRESSIONS = "ExpressionAttributeNames can only be specified when using expressions"
VALUES_WITHOUT_EXPRESSIONS = "ExpressionAttributeValues can only be specified when using expressions: {null}"

# The request member that carries each expression kind, and the keyword compile_expressions takes for it.
_KEYWORDS = {
    "ConditionExpression": "condition",
    "FilterExpression": "filter",
    "KeyConditionExpression": "key_condition",
    "ProjectionExpression": "projection",
    "UpdateExpression": "update",
}
# Expressions that may use ExpressionAttributeValues, per operation, in the order DynamoDB names them.
_VALUE_USERS = ("UpdateExpression", "FilterExpression", "KeyConditionExpression", "ConditionExpression")


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
    given = {member: request[member] for member in members if request.get(member) is not None}
    if not given:
        if names is not None:
            raise validation_error(NAMES_WITHOUT_EXPRESSIONS)
        if values is not None:
            users = [member for member in members if member in _VALUE_USERS]
            raise validation_error(VALUES_WITHOUT_EXPRESSIONS.format(null=_null_phrase(users)))
        return None
    if values is not None and not any(member in _VALUE_USERS for member in given):
        users = [member for member in members if member in _VALUE_USERS]
        raise validation_error(VALUES_WITHOUT_EXPRESSIONS.format(null=_null_phrase(users)))
    from theorydb_mocks.emulator.expressions import compile_expressions  # imported on first use

    keywords = {_KEYWORDS[member]: text for member, text in given.items()}
    return compile_expressions(names=names, values=values, **keywords)
