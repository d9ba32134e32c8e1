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

from theorydb_py.encryption import EncryptionError
from theorydb_py.errors import (
    AwsError,
    ConditionFailedError,
    EncryptionConfigError,
    ItemNotFoundError,
    ModelDefinitionError,
    NotFoundError,
    TableNotFoundError,
    TheorydbPyError,
    ValidationError,
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
from theorydb_py.table import Page, Table
from theorydb_py.update import UpdateAdd, UpdateSetIfNotExists

__all__ = [
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
]
