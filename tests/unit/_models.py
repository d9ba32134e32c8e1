"""Models shared by the unit tests."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from theorydb_py import ModelDefinition, gsi, lsi, theorydb_field
from theorydb_py._types import AttributeValue


class Status(enum.Enum):
    ACTIVE = "active"
    CLOSED = "closed"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


class CentsConverter:
    """Stores a ``Decimal`` amount of money as whole cents in N."""

    attribute_type = "N"

    def to_dynamodb(self, value: Any) -> AttributeValue:
        return {"N": str(int(Decimal(value) * 100))}

    def from_dynamodb(self, value: AttributeValue) -> Any:
        return Decimal(value["N"]) / 100


class UpperConverter:
    """Stores strings upper-cased (so a converter visibly applies on every path)."""

    attribute_type = "S"

    def to_dynamodb(self, value: Any) -> AttributeValue:
        return {"S": str(value).upper()}

    def from_dynamodb(self, value: AttributeValue) -> Any:
        return str(value["S"]).lower()


@dataclass
class Address:
    street: str
    city: str = theorydb_field(name="City")
    zip: str | None = None


@dataclass
class User:
    id: str = theorydb_field(name="PK", roles=["pk"])
    sk: str = theorydb_field(name="SK", roles=["sk"], default="PROFILE")
    email: str = theorydb_field(default="", omitempty=True)
    name: str = ""
    age: int = 0
    score: float = 0.0
    balance: Decimal = Decimal("0")
    tags: set[str] = field(default_factory=set)
    lucky: set[int] = field(default_factory=set)
    blobs: set[bytes] = field(default_factory=set)
    nicknames: list[str] = field(default_factory=list)
    labels: list[str] = theorydb_field(set_=True, default_factory=list)
    prefs: dict[str, Decimal] = field(default_factory=dict)
    address: Address | None = None
    born: dt.date | None = None
    seen_at: dt.datetime | None = None
    token: uuid.UUID | None = None
    status: Status = Status.ACTIVE
    priority: Priority = Priority.LOW
    avatar: bytes = b""
    active: bool = True
    meta: dict[str, Any] = theorydb_field(json=True, default_factory=dict)
    secret_note: str = theorydb_field(ignore=True, default="")
    balance_cents: Decimal = theorydb_field(converter=CentsConverter(), default=Decimal("0"))


USERS = ModelDefinition.from_dataclass(
    User,
    table_name="users",
    indexes=[
        gsi("by-email", "email"),
        gsi("by-status", "status", "age", projection="KEYS_ONLY"),
        lsi("by-age", "age", include=["name"]),
    ],
)


@dataclass(frozen=True)
class Note:
    key: str = theorydb_field(roles="pk", converter=UpperConverter())
    text: str = theorydb_field(converter=UpperConverter(), default="")
    count: int = 0


NOTES = ModelDefinition.from_dataclass(Note, table_name="notes")


@dataclass
class Secret:
    id: str = theorydb_field(roles="pk")
    ssn: str = theorydb_field(encrypted=True, default="")
    pin: int = theorydb_field(encrypted=True, default=0)
    visible: str = ""


SECRETS = ModelDefinition.from_dataclass(Secret, table_name="secrets")


@dataclass
class Doc:
    """Every lifecycle role, with attribute names other than the Python names."""

    id: str = theorydb_field(roles="pk")
    title: str = ""
    tags: list[str] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)
    views: int = 0
    created: dt.datetime | None = theorydb_field(name="createdAt", roles="created_at", default=None)
    updated: dt.datetime | None = theorydb_field(name="updatedAt", roles="updated_at", default=None)
    version: int = theorydb_field(roles="version", default=0)
    expires: dt.datetime | None = theorydb_field(roles="ttl", default=None)


DOCS = ModelDefinition.from_dataclass(Doc, table_name="docs")
