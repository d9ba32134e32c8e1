"""Type aliases and the small records shared by the ORM's modules.

Attribute values have the boto3 low-level client shape: ``{"S": "x"}``, ``{"N": "1.5"}``, ``{"B": b"..."}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol, runtime_checkable

__all__ = [
    "KNOWN_ROLES",
    "AttributeValue",
    "Converter",
    "FieldOptions",
    "Item",
    "Key",
    "ProjectionType",
    "Request",
    "ScalarType",
]

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]
Key = dict[str, AttributeValue]
Request = dict[str, Any]
ScalarType = Literal["S", "N", "B"]
ProjectionType = Literal["ALL", "KEYS_ONLY", "INCLUDE"]

KNOWN_ROLES = frozenset({"pk", "sk", "created_at", "updated_at", "version", "ttl"})


@runtime_checkable
class Converter(Protocol):
    """A custom conversion between a Python value and one DynamoDB attribute value.

    It is applied on every path a field's value takes: items, keys, key conditions, filters, conditions and
    updates. A converter used on a key field must also say which scalar it stores, as a class or instance
    attribute ``attribute_type = "S"`` (or ``"N"``, ``"B"``), so the table's key schema can be inferred.
    """

    def to_dynamodb(self, value: Any) -> AttributeValue: ...

    def from_dynamodb(self, value: AttributeValue) -> Any: ...


@dataclass(frozen=True, slots=True)
class FieldOptions:
    """What ``theorydb_field(...)`` records in a dataclass field's metadata."""

    name: str | None = None
    roles: tuple[str, ...] = ()
    omitempty: bool = False
    set_: bool = False
    json: bool = False
    binary: bool = False
    encrypted: bool = False
    converter: Converter | None = None
    ignore: bool = False

    # Read like TableTheory's metadata dict: ``field.metadata["theorydb"]["omitempty"]``; ``set`` is
    # ``set_``, and ``name``/``roles`` are there only when given.
    def _as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "omitempty": self.omitempty,
            "set": self.set_,
            "json": self.json,
            "binary": self.binary,
            "encrypted": self.encrypted,
            "converter": self.converter,
            "ignore": self.ignore,
        }
        if self.name is not None:
            out["name"] = self.name
        if self.roles:
            out["roles"] = list(self.roles)
        return out

    def __getitem__(self, key: str) -> Any:
        return self._as_dict()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._as_dict()

    def get(self, key: str, default: Any = None) -> Any:
        return self._as_dict().get(key, default)

    def keys(self) -> list[str]:
        return list(self._as_dict())
