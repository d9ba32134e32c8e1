"""TableTheory for Python: a DynamoDB ORM for dataclass models.

>>> from dataclasses import dataclass
>>> @dataclass
... class User:
...     id: str = theorydb_field(roles=["pk"])
...     name: str = ""
>>> ModelDefinition.from_dataclass(User, table_name="users")
<ModelDefinition User table='users' pk='id'>

Filters and conditions are built with ``theorydb_py.expressions`` (``eq``, ``gt``, ``and_``...) or with
TableTheory's ``FilterCondition``/``FilterGroup``. Every public name of TableTheory for Python 1.2.1 is here
at the same import path (docs/migration.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from theorydb_py._types import Converter as AttributeConverter
from theorydb_py._version import __repo_version__, __version__
from theorydb_py.batch import BatchGetResult, RetryPolicy
from theorydb_py.codec import Vector
from theorydb_py.encryption import EncryptionError
from theorydb_py.errors import (
    AwsError,
    BatchRetryExceededError,
    BatchUnprocessedError,
    CancellationReason,
    ConditionFailedError,
    EncryptionConfigError,
    EncryptionNotConfiguredError,
    ItemExistsError,
    ItemNotFoundError,
    ModelDefinitionError,
    NotFoundError,
    TableNotFoundError,
    TheorydbPyError,
    TransactionCanceledError,
    TransactionConditionFailedError,
    ValidationError,
    VersionConflictError,
)
from theorydb_py.expressions import Condition, FilterCondition, FilterGroup, SortKeyCondition
from theorydb_py.model import (
    IndexDefinition,
    IndexSpec,
    ModelDefinition,
    Projection,
    gsi,
    lsi,
    theorydb_field,
    vector_index,
)
from theorydb_py.schema import (
    build_create_table_request,
    create_table,
    delete_table,
    describe_table,
    ensure_table,
)
from theorydb_py.streams import (
    StreamChange,
    stream_event_name,
    unmarshal_stream_change,
    unmarshal_stream_image,
    unmarshal_stream_record,
)
from theorydb_py.table import Page, Table
from theorydb_py.transactions import (
    TransactConditionCheck,
    TransactDelete,
    TransactGet,
    TransactPut,
    TransactUpdate,
    TransactWriteAction,
    transact_get,
    transact_write,
)
from theorydb_py.update import UpdateAdd, UpdateSetIfNotExists
from theorydb_py.update_builder import UpdateBuilder
from theorydb_py.vector_search import VectorMatch

if TYPE_CHECKING:
    from theorydb_py.aggregates import (
        AggregateResult,
        GroupByQuery,
        GroupedResult,
        aggregate_field,
        average_field,
        count_distinct,
        group_by,
        max_field,
        min_field,
        sum_field,
    )
    from theorydb_py.dms import (
        assert_model_definition_equivalent_to_dms,
        get_dms_model,
        parse_dms_document,
    )
    from theorydb_py.lease import (
        Lease,
        LeaseHeldError,
        LeaseKey,
        LeaseManager,
        LeaseNotOwnedError,
    )
    from theorydb_py.multiaccount import (
        AccountConfig,
        MultiAccountSessions,
    )
    from theorydb_py.optimizer import (
        QueryOptimizer,
        QueryPlan,
        QueryShape,
        ScanShape,
    )
    from theorydb_py.protection import (
        ConcurrencyLimiter,
        SimpleLimiter,
    )
    from theorydb_py.runtime import (
        AwsCallMetric,
        create_lambda_boto3_config,
        get_lambda_boto3_client,
        get_lambda_dynamodb_client,
        get_lambda_kms_client,
        instrument_boto3_client,
        is_lambda_environment,
    )
    from theorydb_py.validation import (
        MaxExpressionLength,
        MaxFieldNameLength,
        MaxNestedDepth,
        MaxOperatorLength,
        MaxValueStringLength,
        SecurityValidationError,
        validate_expression,
        validate_field_name,
        validate_index_name,
        validate_operator,
        validate_table_name,
        validate_value,
    )

__all__ = [
    "AccountConfig",
    "AggregateResult",
    "AttributeConverter",
    "AwsCallMetric",
    "AwsError",
    "BatchGetResult",
    "BatchRetryExceededError",
    "BatchUnprocessedError",
    "CancellationReason",
    "ConcurrencyLimiter",
    "Condition",
    "ConditionFailedError",
    "EncryptionConfigError",
    "EncryptionError",
    "EncryptionNotConfiguredError",
    "FilterCondition",
    "FilterGroup",
    "GroupByQuery",
    "GroupedResult",
    "IndexDefinition",
    "IndexSpec",
    "ItemExistsError",
    "ItemNotFoundError",
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
    "ModelDefinition",
    "ModelDefinitionError",
    "MultiAccountSessions",
    "NotFoundError",
    "Page",
    "Projection",
    "QueryOptimizer",
    "QueryPlan",
    "QueryShape",
    "RetryPolicy",
    "ScanShape",
    "SecurityValidationError",
    "SimpleLimiter",
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
    "TransactWriteAction",
    "TransactionCanceledError",
    "TransactionConditionFailedError",
    "UpdateAdd",
    "UpdateBuilder",
    "UpdateSetIfNotExists",
    "ValidationError",
    "Vector",
    "VectorMatch",
    "VersionConflictError",
    "__repo_version__",
    "__version__",
    "aggregate_field",
    "assert_model_definition_equivalent_to_dms",
    "average_field",
    "build_create_table_request",
    "count_distinct",
    "create_lambda_boto3_config",
    "create_table",
    "delete_table",
    "describe_table",
    "ensure_table",
    "get_dms_model",
    "get_lambda_boto3_client",
    "get_lambda_dynamodb_client",
    "get_lambda_kms_client",
    "group_by",
    "gsi",
    "instrument_boto3_client",
    "is_lambda_environment",
    "lsi",
    "max_field",
    "min_field",
    "parse_dms_document",
    "stream_event_name",
    "sum_field",
    "theorydb_field",
    "transact_get",
    "transact_write",
    "unmarshal_stream_change",
    "unmarshal_stream_image",
    "unmarshal_stream_record",
    "validate_expression",
    "validate_field_name",
    "validate_index_name",
    "validate_operator",
    "validate_table_name",
    "validate_value",
    "vector_index",
]

# The extra modules (leases, DMS documents, Lambda runtime helpers, multi-account sessions, aggregates,
# the query optimizer, load protection, input validators) load on first use, so `import theorydb_py`
# stays cheap for code that needs only the ORM.
_LAZY: dict[str, str] = {
    "AggregateResult": "theorydb_py.aggregates",
    "GroupByQuery": "theorydb_py.aggregates",
    "GroupedResult": "theorydb_py.aggregates",
    "aggregate_field": "theorydb_py.aggregates",
    "average_field": "theorydb_py.aggregates",
    "count_distinct": "theorydb_py.aggregates",
    "group_by": "theorydb_py.aggregates",
    "max_field": "theorydb_py.aggregates",
    "min_field": "theorydb_py.aggregates",
    "sum_field": "theorydb_py.aggregates",
    "assert_model_definition_equivalent_to_dms": "theorydb_py.dms",
    "get_dms_model": "theorydb_py.dms",
    "parse_dms_document": "theorydb_py.dms",
    "Lease": "theorydb_py.lease",
    "LeaseHeldError": "theorydb_py.lease",
    "LeaseKey": "theorydb_py.lease",
    "LeaseManager": "theorydb_py.lease",
    "LeaseNotOwnedError": "theorydb_py.lease",
    "AccountConfig": "theorydb_py.multiaccount",
    "MultiAccountSessions": "theorydb_py.multiaccount",
    "QueryOptimizer": "theorydb_py.optimizer",
    "QueryPlan": "theorydb_py.optimizer",
    "QueryShape": "theorydb_py.optimizer",
    "ScanShape": "theorydb_py.optimizer",
    "ConcurrencyLimiter": "theorydb_py.protection",
    "SimpleLimiter": "theorydb_py.protection",
    "AwsCallMetric": "theorydb_py.runtime",
    "create_lambda_boto3_config": "theorydb_py.runtime",
    "get_lambda_boto3_client": "theorydb_py.runtime",
    "get_lambda_dynamodb_client": "theorydb_py.runtime",
    "get_lambda_kms_client": "theorydb_py.runtime",
    "instrument_boto3_client": "theorydb_py.runtime",
    "is_lambda_environment": "theorydb_py.runtime",
    "MaxExpressionLength": "theorydb_py.validation",
    "MaxFieldNameLength": "theorydb_py.validation",
    "MaxNestedDepth": "theorydb_py.validation",
    "MaxOperatorLength": "theorydb_py.validation",
    "MaxValueStringLength": "theorydb_py.validation",
    "SecurityValidationError": "theorydb_py.validation",
    "validate_expression": "theorydb_py.validation",
    "validate_field_name": "theorydb_py.validation",
    "validate_index_name": "theorydb_py.validation",
    "validate_operator": "theorydb_py.validation",
    "validate_table_name": "theorydb_py.validation",
    "validate_value": "theorydb_py.validation",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'theorydb_py' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
