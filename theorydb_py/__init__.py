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

from theorydb_py._types import Converter as AttributeConverter
from theorydb_py._version import __repo_version__, __version__
from theorydb_py.batch import BatchGetResult, RetryPolicy
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

__all__ = [
    "AttributeConverter",
    "AwsError",
    "BatchGetResult",
    "BatchRetryExceededError",
    "BatchUnprocessedError",
    "CancellationReason",
    "Condition",
    "ConditionFailedError",
    "EncryptionConfigError",
    "EncryptionError",
    "EncryptionNotConfiguredError",
    "FilterCondition",
    "FilterGroup",
    "IndexDefinition",
    "IndexSpec",
    "ItemExistsError",
    "ItemNotFoundError",
    "ModelDefinition",
    "ModelDefinitionError",
    "NotFoundError",
    "Page",
    "Projection",
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
    "TransactWriteAction",
    "TransactionCanceledError",
    "TransactionConditionFailedError",
    "UpdateAdd",
    "UpdateBuilder",
    "UpdateSetIfNotExists",
    "ValidationError",
    "VersionConflictError",
    "__repo_version__",
    "__version__",
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
]
