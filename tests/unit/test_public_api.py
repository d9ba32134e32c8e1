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
    # vector search (beyond TableTheory's surface)
    "Vector",
    "VectorMatch",
    "vector_index",
}

# TableTheory's extra modules, exported lazily (loaded on first use).
EXTRAS = {
    "AccountConfig",
    "AggregateResult",
    "AwsCallMetric",
    "ConcurrencyLimiter",
    "GroupByQuery",
    "GroupedResult",
    "Lease",
    "LeaseHeldError",
    "LeaseKey",
    "LeaseManager",
    "LeaseNotOwnedError",
    "MaxExpressionLength",
    "MaxFieldNameLength",
    "MaxNestedDepth",
    "MaxOperatorLength",
    "MaxValueStringLength",
    "MultiAccountSessions",
    "QueryOptimizer",
    "QueryPlan",
    "QueryShape",
    "ScanShape",
    "SecurityValidationError",
    "SimpleLimiter",
    "aggregate_field",
    "assert_model_definition_equivalent_to_dms",
    "average_field",
    "count_distinct",
    "create_lambda_boto3_config",
    "get_dms_model",
    "get_lambda_boto3_client",
    "get_lambda_dynamodb_client",
    "get_lambda_kms_client",
    "group_by",
    "instrument_boto3_client",
    "is_lambda_environment",
    "max_field",
    "min_field",
    "parse_dms_document",
    "sum_field",
    "validate_expression",
    "validate_field_name",
    "validate_index_name",
    "validate_operator",
    "validate_table_name",
    "validate_value",
}


def test_all_is_sorted_and_complete() -> None:
    assert theorydb_py.__all__ == sorted(theorydb_py.__all__)
    assert set(theorydb_py.__all__) == EXPECTED | EXTRAS
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


def test_extras_load_lazily_and_are_listed_by_dir() -> None:
    import subprocess
    import sys

    code = (
        "import sys, theorydb_py; "
        "assert 'theorydb_py.lease' not in sys.modules; "
        "assert 'LeaseManager' in dir(theorydb_py); "
        "theorydb_py.LeaseManager; assert 'theorydb_py.lease' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    try:
        theorydb_py.NoSuchName  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchName" in str(exc)
    else:
        raise AssertionError("unknown names must raise AttributeError")
