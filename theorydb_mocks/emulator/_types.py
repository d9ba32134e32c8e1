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
    """The key of a table or an index: a partition (HASH) attribute and an optional sort (RANGE) one.

    A global secondary index may have multi-attribute keys: up to four partition and four sort attributes.
    ``hash_name``/``range_name`` are the first of each; ``extra_hash``/``extra_range`` hold the rest as
    ``(name, type)`` in key schema order. Such an index's partition value is the tuple of its partition
    attributes' values, and its entries sort by the sort attributes left to right.
    """

    hash_name: str
    hash_type: ScalarType
    range_name: str | None = None
    range_type: ScalarType | None = None
    extra_hash: tuple[tuple[str, ScalarType], ...] = ()
    extra_range: tuple[tuple[str, ScalarType], ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        if self.extra_hash or self.extra_range:
            return tuple(name for name, _kind in (*self.hash_parts, *self.range_parts))
        return (self.hash_name,) if self.range_name is None else (self.hash_name, self.range_name)

    @property
    def multi(self) -> bool:
        """Whether this is a multi-attribute key (more than one partition or sort attribute)."""
        return bool(self.extra_hash or self.extra_range)

    @property
    def hash_parts(self) -> tuple[tuple[str, ScalarType], ...]:
        """Every partition attribute as ``(name, type)``, in key schema order."""
        return ((self.hash_name, self.hash_type), *self.extra_hash)

    @property
    def range_parts(self) -> tuple[tuple[str, ScalarType], ...]:
        """Every sort attribute as ``(name, type)``, in key schema order (empty without a sort key)."""
        if self.range_name is None or self.range_type is None:
            return ()
        return ((self.range_name, self.range_type), *self.extra_range)

    def type_of(self, name: str) -> ScalarType:
        """The type of the key attribute ``name`` (KeyError if it is not one)."""
        if name == self.hash_name:
            return self.hash_type
        if name == self.range_name and self.range_type is not None:
            return self.range_type
        for other, kind in (*self.extra_hash, *self.extra_range):
            if other == name:
                return kind
        raise KeyError(name)

    @property
    def types(self) -> dict[str, ScalarType]:
        """Each key attribute's type by name."""
        return dict((*self.hash_parts, *self.range_parts))


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
