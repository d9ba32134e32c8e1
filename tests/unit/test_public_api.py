"""The public API of theorydb_py is an explicit, sorted, tested list."""

from __future__ import annotations

import theorydb_py

EXPECTED = {
    "AwsError",
    "Condition",
    "ConditionFailedError",
    "EncryptionConfigError",
    "EncryptionError",
    "ItemNotFoundError",
    "ModelDefinition",
    "ModelDefinitionError",
    "NotFoundError",
    "Page",
    "SortKeyCondition",
    "Table",
    "TableNotFoundError",
    "TheorydbPyError",
    "UpdateAdd",
    "UpdateSetIfNotExists",
    "ValidationError",
    "build_create_table_request",
    "create_table",
    "delete_table",
    "describe_table",
    "ensure_table",
    "gsi",
    "lsi",
    "theorydb_field",
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
    for name in (
        "ConditionFailedError",
        "NotFoundError",
        "ValidationError",
        "ModelDefinitionError",
        "AwsError",
    ):
        assert issubclass(getattr(errors, name), errors.TheorydbPyError)
