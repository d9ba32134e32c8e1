"""The ORM's errors: one tree under ``TheorydbPyError``, by cause, so callers catch what they can handle.

::

    TheorydbPyError
    ├── ConditionFailedError          a condition expression was false (ConditionalCheckFailedException)
    │   ├── VersionConflictError      optimistic locking: the stored version is not the one expected
    │   └── ItemExistsError           ``Table.create`` found an item with that key already
    │   └── TransactionConditionFailedError  a transaction cancelled because a condition was false
    │                                            (also a TransactionCanceledError, with every reason)
    ├── TransactionCanceledError      a transaction was cancelled; ``.reasons`` has one entry per action
    ├── NotFoundError
    │   ├── ItemNotFoundError         ``Table.get`` found no item for the key
    │   └── TableNotFoundError        the table does not exist (ResourceNotFoundException)
    ├── ValidationError               bad input, refused before sending, or DynamoDB's ValidationException
    │   └── EncryptionConfigError     a model with encrypted fields used without a usable key set-up
    │                                 (TableTheory's name: EncryptionNotConfiguredError)
    ├── ModelDefinitionError          a dataclass cannot be a model (also a ``ValueError``)
    ├── BatchRetryExceededError       a batch still had unprocessed items when its retries ran out
    │   └── BatchUnprocessedError     ... naming exactly which (also an AwsError)
    └── AwsError                      any other error answer from the client (``str``: "code: message")

TableTheory's names are kept: ``EncryptionNotConfiguredError`` is ``EncryptionConfigError``; a transaction
cancelled by a failed condition is a ``ConditionFailedError`` (as in TableTheory) and also a
``TransactionCanceledError`` that keeps its reasons (which TableTheory drops).

``TransactionCanceledError`` is not a ``ConditionFailedError``: a transaction is also cancelled by a
conflicting transaction, throttling or a validation error in one action, and treating those as "the data
said no" would hide them. ``err.condition_failed`` says whether a condition was the cause, and each reason
keeps DynamoDB's code (``ConditionalCheckFailed``, ``TransactionConflict``, ``None``...) and, where
``ReturnValuesOnConditionCheckFailure`` was asked for, the item that failed its condition.

Every error has ``.code`` and ``.message``: DynamoDB's code and message when it came from the client (the
botocore ``ClientError`` is kept as ``__cause__``), and ``None``/the text when the ORM raised it itself.

>>> err = ValidationError("key field 'pk' of User must not be empty")
>>> err.code, err.message
(None, "key field 'pk' of User must not be empty")
>>> isinstance(ItemNotFoundError("no item"), NotFoundError)
True
"""

from __future__ import annotations

import dataclasses
from typing import Any

__all__ = [
    "AwsError",
    "BatchRetryExceededError",
    "BatchUnprocessedError",
    "CancellationReason",
    "ConditionFailedError",
    "EncryptionConfigError",
    "EncryptionNotConfiguredError",
    "ItemExistsError",
    "ItemNotFoundError",
    "ModelDefinitionError",
    "NotFoundError",
    "TableNotFoundError",
    "TheorydbPyError",
    "TransactionCanceledError",
    "TransactionConditionFailedError",
    "ValidationError",
    "VersionConflictError",
    "map_client_error",
    "map_transaction_error",
]


class TheorydbPyError(Exception):
    """The root of every error the ORM raises: ``.code`` is DynamoDB's error code when there is one."""

    def __init__(self, message: str = "", *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __repr__(self) -> str:
        if self.code is None:
            return f"{type(self).__name__}({self.message!r})"
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class ConditionFailedError(TheorydbPyError):
    """A put, update or delete condition was not met: the item was left as it was.

    ``raw_item`` is the item as it was (attribute values), when the request asked for it with
    ``ReturnValuesOnConditionCheckFailure=ALL_OLD``; otherwise None.
    """

    def __init__(
        self, message: str, *, code: str | None = None, raw_item: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.raw_item = raw_item


class VersionConflictError(ConditionFailedError):
    """Optimistic locking failed: the item's stored version is not the expected one (or it is gone)."""


class ItemExistsError(ConditionFailedError):
    """``create`` refused to overwrite: an item with the same key exists."""


@dataclasses.dataclass(frozen=True, slots=True)
class CancellationReason:
    """Why one action of a cancelled transaction failed (``code == "None"``: it did not fail itself).

    ``raw_item`` is the item DynamoDB returned for a failed condition (attribute values) and ``item`` the
    same decoded into the action's model, when the action asked for it.
    """

    index: int
    code: str
    message: str | None = None
    raw_item: dict[str, Any] | None = None
    item: Any = None

    def __repr__(self) -> str:
        shown = "" if self.item is None and self.raw_item is None else ", with item"
        return f"<CancellationReason #{self.index} {self.code}{shown}>"


class TransactionCanceledError(TheorydbPyError):
    """A transaction was cancelled and nothing was written; ``reasons`` holds one entry per action.

    ``reason_codes`` (TableTheory's attribute) are the codes of the reasons, ``"None"`` included.
    """

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        reasons: tuple[CancellationReason, ...] = (),
        reason_codes: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__(message, code=code)
        if not reasons and reason_codes:
            reasons = tuple(CancellationReason(i, str(c)) for i, c in enumerate(reason_codes))
        self.reasons = reasons

    @property
    def reason_codes(self) -> tuple[str, ...]:
        """Every reason's code, in action order (``"None"`` for actions that did not fail)."""
        return tuple(r.code for r in self.reasons if r.code)

    @property
    def failed(self) -> tuple[CancellationReason, ...]:
        """The reasons of the actions that failed (code other than ``"None"``)."""
        return tuple(r for r in self.reasons if r.code != "None")

    @property
    def condition_failed(self) -> bool:
        """Whether at least one action's condition was false."""
        return any(r.code == "ConditionalCheckFailed" for r in self.reasons)


class TransactionConditionFailedError(TransactionCanceledError, ConditionFailedError):
    """A transaction cancelled because at least one action's condition was false.

    Caught as ``ConditionFailedError`` (TableTheory raises that) and as ``TransactionCanceledError``.
    """

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        reasons: tuple[CancellationReason, ...] = (),
        reason_codes: tuple[str, ...] | None = None,
    ) -> None:
        TransactionCanceledError.__init__(
            self, message, code=code, reasons=reasons, reason_codes=reason_codes
        )
        self.raw_item = next((r.raw_item for r in self.reasons if r.raw_item is not None), None)


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


EncryptionNotConfiguredError = EncryptionConfigError


class ModelDefinitionError(TheorydbPyError, ValueError):
    """A dataclass cannot be used as a model; the message names the class, the field and the fix."""


class AwsError(TheorydbPyError):
    """Any other error answer from DynamoDB or the client (throttling, access, internal errors...).

    As in TableTheory, ``str(err)`` is ``"{code}: {message}"`` when there is a code.

    >>> str(AwsError(code="ThrottlingException", message="slow down"))
    'ThrottlingException: slow down'
    """

    def __str__(self) -> str:
        return self.message if self.code is None else f"{self.code}: {self.message}"


class BatchRetryExceededError(TheorydbPyError):
    """Batch retries ran out with requests still unprocessed (TableTheory's error).

    ``operation`` is ``"batch_get"`` or ``"batch_write"`` and ``unprocessed_count`` how many were left.
    """

    def __init__(
        self, message: str | None = None, *, operation: str = "batch", unprocessed_count: int = 0
    ) -> None:
        text = (
            message
            if message is not None
            else f"{operation}: retry limit exceeded (unprocessed={unprocessed_count})"
        )
        super().__init__(text)
        self.operation = operation
        self.unprocessed_count = unprocessed_count


class BatchUnprocessedError(BatchRetryExceededError, AwsError):
    """A batch read or write still had unprocessed requests after its last retry; nothing is lost silently.

    ``unprocessed_puts`` (model instances), ``unprocessed_deletes`` and ``unprocessed_keys`` (keys as given)
    say exactly what was not done; everything else was.
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str = "batch",
        unprocessed_puts: tuple[Any, ...] = (),
        unprocessed_deletes: tuple[Any, ...] = (),
        unprocessed_keys: tuple[Any, ...] = (),
    ) -> None:
        count = len(unprocessed_puts) + len(unprocessed_deletes) + len(unprocessed_keys)
        super().__init__(message, operation=operation, unprocessed_count=count)
        self.unprocessed_puts = unprocessed_puts
        self.unprocessed_deletes = unprocessed_deletes
        self.unprocessed_keys = unprocessed_keys


_BY_CODE: dict[str, type[TheorydbPyError]] = {
    "ConditionalCheckFailedException": ConditionFailedError,
    "ResourceNotFoundException": TableNotFoundError,
    "ValidationException": ValidationError,
}


def _reasons(response: dict[str, Any]) -> tuple[CancellationReason, ...]:
    raw = response.get("CancellationReasons")
    if not isinstance(raw, list):
        return ()
    out: list[CancellationReason] = []
    for index, reason in enumerate(raw):
        reason = reason if isinstance(reason, dict) else {}
        item = reason.get("Item")
        message = reason.get("Message")
        out.append(
            CancellationReason(
                index,
                str(reason.get("Code") or "None"),
                None if message is None else str(message),
                item if isinstance(item, dict) else None,
            )
        )
    return tuple(out)


def map_client_error(err: BaseException) -> TheorydbPyError:
    """The ORM error for a botocore ``ClientError`` (or anything shaped like one), keeping code and message.

    The caller raises the result ``from exc`` so the original stays reachable as ``__cause__``.

    >>> class Fake(Exception):
    ...     response = {"Error": {"Code": "ValidationException", "Message": "bad"}}
    >>> map_client_error(Fake())
    ValidationError('bad', code='ValidationException')
    """
    response: Any = getattr(err, "response", None)
    response = response if isinstance(response, dict) else {}
    error = response.get("Error", {})
    error = error if isinstance(error, dict) else {}
    code = str(error.get("Code") or type(err).__name__)
    message = str(error.get("Message") or err)
    if code == "TransactionCanceledException":
        reasons = _reasons(response)
        if any(r.code == "ConditionalCheckFailed" for r in reasons) or (
            not reasons and "ConditionalCheckFailed" in message
        ):
            return TransactionConditionFailedError(message, code=code, reasons=reasons)
        return TransactionCanceledError(message, code=code, reasons=reasons)
    if code == "ConditionalCheckFailedException":
        item = response.get("Item")
        return ConditionFailedError(message, code=code, raw_item=item if isinstance(item, dict) else None)
    return _BY_CODE.get(code, AwsError)(message, code=code)


def map_transaction_error(err: BaseException) -> TheorydbPyError:
    """The ORM error for a failed TransactWriteItems (TableTheory's name; the same mapping as
    ``map_client_error``, which already tells condition failures from other cancellations)."""
    return map_client_error(err)
