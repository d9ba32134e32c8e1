"""Type aliases and small shared records for the emulator.

Requests and responses have the boto3 low-level shape: attribute values are one-key dicts such as
``{"S": "x"}``, ``{"N": "1.5"}`` (numbers as strings) and ``{"B": b"..."}`` (binary as ``bytes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "AttributeValue",
    "IndexSpec",
    "Item",
    "Key",
    "KeySchema",
    "Request",
    "Response",
    "VectorIndexSpec",
]

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]
Key = dict[str, AttributeValue]
Request = dict[str, Any]
Response = dict[str, Any]

ScalarType = Literal["S", "N", "B"]
ProjectionType = Literal["ALL", "KEYS_ONLY", "INCLUDE"]
DistanceFunction = Literal["COSINE", "EUCLIDEAN", "DOT_PRODUCT"]
SearchRole = Literal["HASH", "INLINE_FILTER"]


@dataclass(frozen=True, slots=True)
class KeySchema:
    """The key of a table or an index: a partition (HASH) attribute and an optional sort (RANGE) one."""

    hash_name: str
    hash_type: ScalarType
    range_name: str | None = None
    range_type: ScalarType | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.hash_name,) if self.range_name is None else (self.hash_name, self.range_name)


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """A secondary index: ``kind`` is ``"GSI"`` or ``"LSI"``; ``non_key_attributes`` only for INCLUDE."""

    name: str
    kind: Literal["GSI", "LSI"]
    key: KeySchema
    projection_type: ProjectionType = "ALL"
    non_key_attributes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class VectorIndexSpec:
    """A vector index: ``attribute`` holds a list of ``dimensions`` numbers on each indexed item.

    ``search_schema`` lists ``(attribute, role, type)`` as declared (role ``HASH`` or ``INLINE_FILTER``,
    type from the table's AttributeDefinitions); ``non_key_attributes`` only for INCLUDE.
    """

    name: str
    attribute: str
    dimensions: int
    distance: DistanceFunction
    search_schema: tuple[tuple[str, SearchRole, ScalarType], ...] = ()
    projection_type: ProjectionType = "ALL"
    non_key_attributes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def hash_key(self) -> tuple[str, ScalarType] | None:
        """The vector index partition key ``(name, type)``, if the search schema has one."""
        for name, role, kind in self.search_schema:
            if role == "HASH":
                return name, kind
        return None

    @property
    def inline_filters(self) -> tuple[tuple[str, ScalarType], ...]:
        return tuple((name, kind) for name, role, kind in self.search_schema if role == "INLINE_FILTER")
