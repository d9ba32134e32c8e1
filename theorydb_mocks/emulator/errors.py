"""The emulator's one error type, and the factory that builds it.

Handlers raise ``DynamoDBError``; each door turns it into what its callers expect: the direct client and the
in-process routing raise botocore ``ClientError`` subclasses (``client.exceptions.<Code>``), the HTTP server
writes ``{"__type": ..., "message": ...}`` with the status code. Messages are DynamoDB's own, word for
word, and all live in ``messages``.

>>> from theorydb_mocks.emulator import messages as M
>>> err = ddb_error("ValidationException", M.KEY_SCHEMA_MISMATCH)
>>> err.code, err.status
('ValidationException', 400)
>>> err
DynamoDBError('ValidationException', 'The provided key element does not match the schema')
"""

from __future__ import annotations

from typing import Any

from theorydb_mocks.emulator.messages import INVALID_EXPRESSION

__all__ = ["DynamoDBError", "ddb_error", "invalid_expression", "validation_error"]

# HTTP status per error code, where it is not 400.
_STATUS: dict[str, int] = {
    "InternalServerError": 500,
    "ServiceUnavailable": 503,
    "ServiceUnavailableException": 503,
}

# The namespace DynamoDB writes in `__type` for each code (the AWS SDKs keep what follows '#').
_NAMESPACE: dict[str, str] = {
    "ValidationException": "com.amazon.coral.validate",
    "SerializationException": "com.amazon.coral.service",
    "UnknownOperationException": "com.amazon.coral.service",
    "UnrecognizedClientException": "com.amazon.coral.service",
    "MissingAuthenticationTokenException": "com.amazon.coral.service",
    "InvalidSignatureException": "com.amazon.coral.service",
    "IncompleteSignatureException": "com.amazon.coral.service",
    "AccessDeniedException": "com.amazon.coral.service",
    "ThrottlingException": "com.amazon.coral.availability",
}


class DynamoDBError(Exception):
    """A DynamoDB error answer: a code, DynamoDB's message, and modeled fields (``Item``...)."""

    def __init__(self, code: str, message: str, *, status: int | None = None, **fields: Any) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.status = status if status is not None else _STATUS.get(code, 400)
        self.fields = fields

    def __repr__(self) -> str:
        return f"DynamoDBError({self.code!r}, {self.message!r})"

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    @property
    def type_name(self) -> str:
        """The ``__type`` member of the JSON error body."""
        return f"{_NAMESPACE.get(self.code, 'com.amazonaws.dynamodb.v20120810')}#{self.code}"

    def error_response(self) -> dict[str, Any]:
        """The parsed error response as botocore builds it (``Error`` plus modeled top-level fields)."""
        response: dict[str, Any] = {"Error": {"Code": self.code, "Message": self.message}}
        response.update(self.fields)
        return response


def ddb_error(code: str, message: str, **fields: Any) -> DynamoDBError:
    """Build (not raise) an error: ``raise ddb_error("ValidationException", M.SOMETHING.format(...))``."""
    return DynamoDBError(code, message, **fields)


def validation_error(message: str) -> DynamoDBError:
    """The most common answer: a ``ValidationException`` with DynamoDB's message."""
    return DynamoDBError("ValidationException", message)


def invalid_expression(kind: str, message: str) -> DynamoDBError:
    """A ValidationException about one expression: ``Invalid UpdateExpression: <message>``."""
    return DynamoDBError("ValidationException", INVALID_EXPRESSION.format(kind=kind, message=message))
