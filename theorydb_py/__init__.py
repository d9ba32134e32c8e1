"""TableTheory for Python: a DynamoDB ORM for dataclass models.

>>> from dataclasses import dataclass
>>> @dataclass
... class User:
...     id: str = theorydb_field(roles=["pk"])
...     name: str = ""
>>> ModelDefinition.from_dataclass(User, table_name="users")
<ModelDefinition User table='users' pk='id'>

Filters and conditions are built with ``theorydb_py.expressions`` (``eq``, ``gt``, ``and_``...).
"""

from __future__ import annotations

from theorydb_py.batch import BatchGetResult, RetryPolicy
from theorydb_py.encryption import EncryptionError
from theorydb_py.errors import (
    AwsError,
    BatchUnprocessedError,
    CancellationReason,
    ConditionFailedError,
    EncryptionConfigError,
    ItemExistsError,
    ItemNotFoundError,
    ModelDefinitionError,
    NotFoundError,
    TableNotFoundError,
    TheorydbPyError,
    TransactionCanceledError,
    ValidationError,
    VersionConflictError,
)
from theorydb_py.expressions import Condition, SortKeyCondition
from theorydb_py.model import ModelDefinition, gsi, lsi, theorydb_field
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
    transact_get,
    transact_write,
)
from theorydb_py.update import UpdateAdd, UpdateSetIfNotExists
from theorydb_py.update_builder import UpdateBuilder

__all__ = [
    "AwsError",
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
]
