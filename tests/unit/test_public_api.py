"""The public API of theorydb_py is an explicit, sorted, tested list."""

from __future__ import annotations

import theorydb_py

EXPECTED = {
    "AttributeConverter",
    "AwsError",
    "BatchRetryExceededError",
    "EncryptionNotConfiguredError",
    "FilterCondition",
    "FilterGroup",
    "IndexDefinition",
    "IndexSpec",
    "Projection",
    "TransactWriteAction",
    "TransactionConditionFailedError",
    "__repo_version__",
    "__version__",
    "BatchGetResult",
    "BatchUnprocessedError",
    "CancellationReason",
    "Condition",
    "ConditionFailedError",
    "EncryptionConfigError",
    "EncryptionError",
    "ItemExistsError",
    "ItemNotFoundError",
    "ModelDefinition",
    "ModelDefinitionError",
    "NotFoundError",
    "Page",
    "RetryPolicy",
    "SortKeyCondition",
    "StreamChange",
    "Table",
    "TableNotFoundError",
    "TheorydbPyError",
    "TransactConditionCheck",
    "TransactDelete",
    "TransactGet",
    "TransactPut",
    "TransactUpdate",
    "TransactionCanceledError",
    "UpdateAdd",
    "UpdateBuilder",
    "UpdateSetIfNotExists",
    "ValidationError",
    "VersionConflictError",
    "build_create_table_request",
    "create_table",
    "delete_table",
    "describe_table",
    "ensure_table",
    "gsi",
    "lsi",
    "stream_event_name",
    "theorydb_field",
    "transact_get",
    "transact_write",
    "unmarshal_stream_change",
    "unmarshal_stream_image",
    "unmarshal_stream_record",
}


def test_all_is_sorted_and_complete() -> None:
    assert theorydb_py.__all__ == sorted(theorydb_py.__all__)
    assert set(theorydb_py.__all__) == EXPECTED
    for name in theorydb_py.__all__:
        assert getattr(theorydb_py, name) is not None


def test_error_tree() -> None:
    from theorydb_py import errors

    assert issubclass(errors.ItemNotFoundError, errors.NotFoundError)
    assert issubclass(errors.TableNotFoundError, errors.NotFoundError)
    assert issubclass(errors.ModelDefinitionError, ValueError)
    assert issubclass(errors.VersionConflictError, errors.ConditionFailedError)
    assert issubclass(errors.ItemExistsError, errors.ConditionFailedError)
    assert issubclass(errors.BatchUnprocessedError, errors.AwsError)
    # a cancellation may come from a conflict or throttling, so it is not a ConditionFailedError
    assert not issubclass(errors.TransactionCanceledError, errors.ConditionFailedError)
    for name in (
        "ConditionFailedError",
        "NotFoundError",
        "ValidationError",
        "ModelDefinitionError",
        "AwsError",
        "TransactionCanceledError",
    ):
        assert issubclass(getattr(errors, name), errors.TheorydbPyError)
