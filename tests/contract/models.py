"""The contract's models as Python dataclasses; ``test_dms_models`` proves they match the DMS documents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from theorydb_py import ModelDefinition, gsi, theorydb_field


@dataclass
class User:
    pk: str = theorydb_field(name="PK", roles=["pk"])
    sk: str = theorydb_field(name="SK", roles=["sk"])
    email_hash: str | None = theorydb_field(name="emailHash", default=None)
    nickname: str = theorydb_field(omitempty=True, default="")
    tags: set[str] = theorydb_field(set_=True, omitempty=True, default_factory=set)
    created_at: dt.datetime | None = theorydb_field(name="createdAt", roles=["created_at"], default=None)
    updated_at: dt.datetime | None = theorydb_field(name="updatedAt", roles=["updated_at"], default=None)
    version: int = theorydb_field(roles=["version"], default=0)
    ttl: int = theorydb_field(roles=["ttl"], omitempty=True, default=0)


@dataclass
class Order:
    status: str
    amount: Decimal
    pk: str = theorydb_field(name="PK", roles=["pk"])
    sk: str = theorydb_field(name="SK", roles=["sk"])
    created_at: dt.datetime | None = theorydb_field(name="createdAt", roles=["created_at"], default=None)
    updated_at: dt.datetime | None = theorydb_field(name="updatedAt", roles=["updated_at"], default=None)
    version: int = theorydb_field(roles=["version"], default=0)
    ttl: int = theorydb_field(roles=["ttl"], omitempty=True, default=0)


MODELS: dict[str, ModelDefinition[Any]] = {
    "User": ModelDefinition.from_dataclass(
        User, table_name="users_contract", indexes=[gsi("gsi-email", partition="email_hash")]
    ),
    "Order": ModelDefinition.from_dataclass(
        Order,
        table_name="orders_contract",
        indexes=[gsi("gsi-status", partition="status", sort="created_at")],
    ),
}
