"""The ORM's errors: one tree under ``TheorydbPyError``, by cause, so callers catch what they can handle.

::

    TheorydbPyError
    ├── ConditionFailedError          a condition expression was false (ConditionalCheckFailedException)
    ├── NotFoundError
    │   ├── ItemNotFoundError         ``Table.get`` found no item for the key
    │   └── TableNotFoundError        the table does not exist (ResourceNotFoundException)
    ├── ValidationError               bad input, refused before sending, or DynamoDB's ValidationException
    │   └── EncryptionConfigError     a model with encrypted fields used without a usable key set-up
    ├── ModelDefinitionError          a dataclass cannot be a model (also a ``ValueError``)
    └── AwsError                      any other error answer from the client

Every error has ``.code`` and ``.message``: DynamoDB's code and message when it came from the client (the
botocore ``ClientError`` is kept as ``__cause__``), and ``None``/the text when the ORM raised it itself.

>>> err = ValidationError("key field 'pk' of User must not be empty")
>>> err.code, err.message
(None, "key field 'pk' of User must not be empty")
>>> isinstance(ItemNotFoundError("no item"), NotFoundError)
True
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AwsError",
    "ConditionFailedError",
    "EncryptionConfigError",
    "ItemNotFoundError",
    "ModelDefinitionError",
    "NotFoundError",
    "TableNotFoundError",
    "TheorydbPyError",
    "ValidationError",
    "map_client_error",
]


class TheorydbPyError(Exception):
    """The root of every error the ORM raises: ``.code`` is DynamoDB's error code when there is one."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __repr__(self) -> str:
        if self.code is None:
            return f"{type(self).__name__}({self.message!r})"
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class ConditionFailedError(TheorydbPyError):
    """A put, update or delete condition was not met: the item was left as it was."""


class NotFoundError(TheorydbPyError):
    """Something asked for does not exist."""


class ItemNotFoundError(NotFoundError):
    """No item has the key given to ``Table.get`` (``Table.find`` returns ``None`` instead)."""


class TableNotFoundError(NotFoundError):
    """The table does not exist (or is not active yet)."""


class ValidationError(TheorydbPyError):
    """The request is invalid: refused by the ORM before sending, or by DynamoDB (ValidationException)."""


class EncryptionConfigError(ValidationError):
    """A model has encrypted fields but the table has no key to protect them: refused, never plaintext."""


class ModelDefinitionError(TheorydbPyError, ValueError):
    """A dataclass cannot be used as a model; the message names the class, the field and the fix."""


class AwsError(TheorydbPyError):
    """Any other error answer from DynamoDB or the client (throttling, access, internal errors...)."""


_BY_CODE: dict[str, type[TheorydbPyError]] = {
    "ConditionalCheckFailedException": ConditionFailedError,
    "ResourceNotFoundException": TableNotFoundError,
    "ValidationException": ValidationError,
}


def map_client_error(exc: BaseException) -> TheorydbPyError:
    """The ORM error for a botocore ``ClientError`` (or anything shaped like one), keeping code and message.

    The caller raises the result ``from exc`` so the original stays reachable as ``__cause__``.

    >>> class Fake(Exception):
    ...     response = {"Error": {"Code": "ValidationException", "Message": "bad"}}
    >>> map_client_error(Fake())
    ValidationError('bad', code='ValidationException')
    """
    response: Any = getattr(exc, "response", None)
    error = response.get("Error", {}) if isinstance(response, dict) else {}
    code = str(error.get("Code") or type(exc).__name__)
    message = str(error.get("Message") or exc)
    return _BY_CODE.get(code, AwsError)(message, code=code)
