"""Models: dataclasses marked with ``theorydb_field``, checked once into a ``ModelDefinition``.

A model is an ordinary (plain or frozen) dataclass. ``theorydb_field`` says how a field is stored: its
attribute name, its roles (``pk``, ``sk`` and the lifecycle roles ``created_at``, ``updated_at``, ``version``,
``ttl``) and its encoding. ``ModelDefinition.from_dataclass`` checks everything it can before any request is
sent, and fails with a ``ModelDefinitionError`` naming the class, the field and the fix.

>>> from dataclasses import dataclass
>>> @dataclass
... class User:
...     id: str = theorydb_field(name="PK", roles=["pk"])
...     email: str = ""
>>> users = ModelDefinition.from_dataclass(User, table_name="users", indexes=[gsi("by-email", "email")])
>>> users
<ModelDefinition User table='users' pk='PK' indexes=['by-email']>
>>> users.index("by-email").partition
'email'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Generic, Literal, TypeVar

from theorydb_py._types import KNOWN_ROLES, Converter, FieldOptions, ScalarType
from theorydb_py.codec import META_KEY, StructField, ValueCodec, Vector, struct_fields
from theorydb_py.errors import ModelDefinitionError, ValidationError

__all__ = [
    "AttributeDefinition",
    "FieldDefinition",
    "IndexDeclaration",
    "IndexDefinition",
    "IndexSpec",
    "ModelDefinition",
    "Projection",
    "VectorIndexDefinition",
    "VectorIndexSpec",
    "gsi",
    "lsi",
    "theorydb_field",
    "vector_index",
]

T = TypeVar("T")
_PROJECTIONS = ("ALL", "KEYS_ONLY", "INCLUDE")
# TableTheory's index roles: accepted (and kept off encrypted fields) but indexes are declared with gsi/lsi.
_INDEX_ROLES = ("index_pk:", "index_sk:")


def theorydb_field(
    *,
    name: str | None = None,
    roles: str | Iterable[str] = (),
    omitempty: bool = False,
    set_: bool = False,
    json: bool = False,
    binary: bool = False,
    encrypted: bool = False,
    converter: Converter | None = None,
    ignore: bool = False,
    default: Any = dataclasses.MISSING,
    default_factory: Any = dataclasses.MISSING,
) -> Any:
    """A dataclass field with storage options (use it as the field's default, like ``dataclasses.field``).

    ``name`` is the DynamoDB attribute name (default: the Python name); ``roles`` a role or list of roles;
    ``omitempty`` leaves out None, "" and empty collections; ``set_`` stores a list as SS/NS/BS; ``json``
    stores compact JSON text; ``binary`` stores B; ``encrypted`` marks the field for envelope encryption;
    ``converter`` replaces the built-in encoding; ``ignore`` keeps the field out of DynamoDB.
    """
    role_tuple = (roles,) if isinstance(roles, str) else tuple(roles)
    options = FieldOptions(
        name=name,
        roles=role_tuple,
        omitempty=omitempty,
        set_=set_,
        json=json,
        binary=binary,
        encrypted=encrypted,
        converter=converter,
        ignore=ignore,
    )
    return dataclasses.field(default=default, default_factory=default_factory, metadata={META_KEY: options})


@dataclasses.dataclass(frozen=True, slots=True)
class Projection:
    """What a secondary index stores: ``Projection.all()``, ``.keys_only()`` or ``.include(*attributes)``.

    ``fields`` are DynamoDB attribute names (sent as ``NonKeyAttributes``); ``gsi(..., include=[...])``
    also takes Python field names.
    """

    type: str
    fields: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in _PROJECTIONS:
            raise ModelDefinitionError(
                f"projection type must be one of {', '.join(_PROJECTIONS)}, not {self.type!r}"
            )
        if isinstance(self.fields, str) or not all(isinstance(f, str) and f for f in self.fields):
            raise ModelDefinitionError(f"projection fields are attribute names, not {self.fields!r}")
        object.__setattr__(self, "fields", tuple(self.fields))

    @classmethod
    def all(cls) -> Projection:
        return cls("ALL")

    @classmethod
    def keys_only(cls) -> Projection:
        return cls("KEYS_ONLY")

    @classmethod
    def include(cls, *fields: str) -> Projection:
        return cls("INCLUDE", tuple(fields))


ALL = Projection("ALL")
TABLE_PK = "__TABLE_PK__"  # an LSI's partition: the table's partition key


@dataclasses.dataclass(frozen=True, slots=True)
class IndexSpec:
    """A secondary index as declared with ``gsi()`` or ``lsi()``: keys named by Python field (or attribute)
    name, ``partition`` of an LSI is ``"__TABLE_PK__"``."""

    name: str
    type: str
    partition: str
    sort: str | None = None
    projection: Projection = ALL
    more_partition: tuple[str, ...] = ()  # a multi-attribute GSI key's other partition attributes
    more_sort: tuple[str, ...] = ()  # ... and its other sort attributes, in order

    @property
    def kind(self) -> str:
        return self.type

    @property
    def include(self) -> tuple[str, ...]:
        return self.projection.fields


IndexDeclaration = IndexSpec


_MAX_KEY_ATTRIBUTES = 4  # a multi-attribute GSI key: up to four partition and four sort attributes


def _key_attributes(name: str, what: str, refs: str | Sequence[str]) -> tuple[str, tuple[str, ...]]:
    """The first attribute of a key and the others: one name, or a sequence of one to four names."""
    if isinstance(refs, str):
        return refs, ()
    if not isinstance(refs, Sequence) or not refs or not all(isinstance(r, str) for r in refs):
        raise ModelDefinitionError(f"index {name!r}: the {what} key is a field name or a sequence of names")
    if len(refs) > _MAX_KEY_ATTRIBUTES:
        raise ModelDefinitionError(
            f"index {name!r}: a {what} key has at most {_MAX_KEY_ATTRIBUTES} attributes, not {len(refs)}"
        )
    return refs[0], tuple(refs[1:])


def _declare(
    kind: Literal["GSI", "LSI"],
    name: str,
    partition: str | Sequence[str],
    sort: str | Sequence[str] | None,
    projection: str | Projection | None,
    include: Iterable[str],
) -> IndexSpec:
    first_partition, more_partition = _key_attributes(name, "partition", partition)
    first_sort, more_sort = (None, ()) if sort is None else _key_attributes(name, "sort", sort)
    if kind == "LSI" and (more_partition or more_sort):
        raise ModelDefinitionError(f"index {name!r}: only a global secondary index has multi-attribute keys")
    keys = {"more_partition": more_partition, "more_sort": more_sort}
    include_tuple = tuple(include)
    if isinstance(projection, Projection):
        if include_tuple:
            raise ModelDefinitionError(f"index {name!r}: give include= or a Projection, not both")
        return IndexSpec(name, kind, first_partition, first_sort, projection, **keys)
    chosen = projection if projection is not None else ("INCLUDE" if include_tuple else "ALL")
    if chosen not in _PROJECTIONS:
        raise ModelDefinitionError(f"index {name!r}: projection must be one of {', '.join(_PROJECTIONS)}")
    if chosen == "INCLUDE" and not include_tuple:
        raise ModelDefinitionError(f"index {name!r}: projection INCLUDE needs include=[field, ...]")
    if chosen != "INCLUDE" and include_tuple:
        raise ModelDefinitionError(f"index {name!r}: include= goes with projection INCLUDE, not {chosen}")
    return IndexSpec(name, kind, first_partition, first_sort, Projection(chosen, include_tuple), **keys)


def gsi(
    name: str,
    partition: str | Sequence[str],
    sort: str | Sequence[str] | None = None,
    *,
    projection: str | Projection | None = None,
    include: Iterable[str] = (),
) -> IndexSpec:
    """A global secondary index on ``partition`` (and ``sort``); projection ALL unless ``include`` is given.

    A key of several attributes (up to four each) is a sequence: ``gsi("by-region", ("tenant", "region"),
    ("year", "month"))``; queries then give a value per partition attribute and compare sort attributes
    left to right.

    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html
    """
    return _declare("GSI", name, partition, sort, projection, include)


def lsi(
    name: str,
    sort: str,
    *,
    partition: str | None = None,
    projection: str | Projection | None = None,
    include: Iterable[str] = (),
) -> IndexSpec:
    """A local secondary index: the table's partition key with another sort key.

    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LSI.html
    """
    return _declare("LSI", name, TABLE_PK if partition is None else partition, sort, projection, include)


_DISTANCES = ("COSINE", "EUCLIDEAN", "DOT_PRODUCT")
MAX_DIMENSIONS = 4096


@dataclasses.dataclass(frozen=True, slots=True)
class VectorIndexSpec:
    """A vector index as declared with ``vector_index()``: fields named by Python (or attribute) name."""

    name: str
    vector: str
    dimensions: int
    distance: str = "COSINE"
    partition: str | None = None
    filters: tuple[str, ...] = ()
    projection: Projection = ALL

    @property
    def kind(self) -> str:
        return "VECTOR"


def vector_index(
    name: str,
    vector: str,
    *,
    dimensions: int,
    distance: Literal["COSINE", "EUCLIDEAN", "DOT_PRODUCT"] = "COSINE",
    partition: str | None = None,
    filters: Iterable[str] = (),
    projection: str | Projection | None = None,
    include: Iterable[str] = (),
) -> VectorIndexSpec:
    """A vector index on the ``Vector`` field ``vector``, declared in ``indexes=`` next to ``gsi()``.

    ``partition``: the vector index partition key (SearchSchema HASH; every search names its value);
    ``filters``: INLINE_FILTER fields a search can match by equality. Projection ALL unless ``include``
    or ``projection`` says otherwise. Needs an on-demand table (``create_table``'s default).

    https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/VectorSearch.html
    """
    base = _declare("GSI", name, partition or "", None, projection, include)  # the projection rules
    filter_tuple = (filters,) if isinstance(filters, str) else tuple(filters)
    return VectorIndexSpec(name, vector, dimensions, distance, partition, filter_tuple, base.projection)


@dataclasses.dataclass(frozen=True, slots=True)
class VectorIndexDefinition:
    """A checked vector index, in DynamoDB attribute names."""

    name: str
    vector: str
    dimensions: int
    distance: str
    partition: str | None = None
    filters: tuple[str, ...] = ()
    projection: Projection = ALL

    def __repr__(self) -> str:
        return f"<VectorIndexDefinition {self.name!r} on {self.vector!r}>"

    @property
    def kind(self) -> str:
        return "VECTOR"

    @property
    def search_attributes(self) -> tuple[str, ...]:
        """The SearchSchema attributes: the partition (if any) first, then the filters."""
        return (*(() if self.partition is None else (self.partition,)), *self.filters)


@dataclasses.dataclass(frozen=True, slots=True)
class AttributeDefinition:
    """TableTheory's view of one model attribute (``ModelDefinition.attributes`` maps names to these)."""

    python_name: str
    attribute_name: str
    roles: tuple[str, ...] = ()
    omitempty: bool = False
    set: bool = False
    json: bool = False
    binary: bool = False
    encrypted: bool = False
    converter: Converter | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class FieldDefinition:
    """A stored field of a model: names, roles, options and the codec that converts its values."""

    python_name: str
    attribute_name: str
    hint: Any
    options: FieldOptions
    codec: ValueCodec

    def __repr__(self) -> str:
        return f"<FieldDefinition {self.python_name} -> {self.attribute_name!r}>"

    @property
    def roles(self) -> tuple[str, ...]:
        return self.options.roles

    @property
    def encrypted(self) -> bool:
        return self.options.encrypted

    @property
    def key_type(self) -> ScalarType | None:
        """S, N or B when the field can be a key; None otherwise."""
        return self.codec.scalar


@dataclasses.dataclass(frozen=True, slots=True)
class IndexDefinition:
    """A checked secondary index, in DynamoDB attribute names (``ModelDefinition.index_keys`` gives its key
    fields)."""

    name: str
    type: str
    partition: str
    sort: str | None = None
    projection: Projection = ALL
    more_partition: tuple[str, ...] = ()
    more_sort: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"<IndexDefinition {self.type} {self.name!r}>"

    @property
    def kind(self) -> str:
        return self.type

    @property
    def partition_attributes(self) -> tuple[str, ...]:
        """Every partition key attribute, in key order (one unless the key is multi-attribute)."""
        return (self.partition, *self.more_partition)

    @property
    def sort_attributes(self) -> tuple[str, ...]:
        """Every sort key attribute, in key order (none without a sort key)."""
        return () if self.sort is None else (self.sort, *self.more_sort)

    @property
    def multi_attribute(self) -> bool:
        """Whether a key of this index has more than one attribute."""
        return bool(self.more_partition or self.more_sort)


class ModelDefinition(Generic[T]):
    """A dataclass checked as a DynamoDB model: its fields, keys, roles, indexes and table name.

    Build it with ``ModelDefinition.from_dataclass(cls, table_name=..., indexes=[gsi(...), lsi(...)])``.
    """

    __slots__ = ("_by_ref", "fields", "indexes", "model", "pk", "sk", "table_name", "vector_indexes")

    def __init__(
        self,
        model: type[T],
        table_name: str,
        fields: tuple[FieldDefinition, ...],
        indexes: tuple[IndexDefinition, ...],
    ) -> None:
        self.model = model
        self.table_name = table_name
        self.fields = fields
        self.indexes = indexes
        self.vector_indexes: tuple[VectorIndexDefinition, ...] = ()
        self._by_ref: dict[str, FieldDefinition] = {f.attribute_name: f for f in fields}
        self._by_ref.update({f.python_name: f for f in fields})
        self.pk = _one_role(model, fields, "pk", required=True)
        self.sk = _one_role(model, fields, "sk")
        for role in ("created_at", "updated_at", "version", "ttl"):
            _one_role(model, fields, role)

    def __repr__(self) -> str:
        names = [index.name for index in self.indexes]
        pk = self.pk.attribute_name
        head = f"<ModelDefinition {self.model.__name__} table={self.table_name!r} pk={pk!r}"
        return head + (f" indexes={names}>" if names else ">")

    @classmethod
    def from_dataclass(
        cls,
        model_type: type[T],
        *,
        table_name: str | None = None,
        indexes: Sequence[IndexSpec | VectorIndexSpec] = (),
    ) -> ModelDefinition[T]:
        """Check ``model_type`` and build its definition; the table name defaults to the class name.

        ``indexes`` holds ``gsi()``, ``lsi()`` and ``vector_index()`` declarations.
        """
        model = model_type
        if not (isinstance(model, type) and dataclasses.is_dataclass(model)):
            raise ModelDefinitionError(f"{model!r} is not a dataclass: decorate it with @dataclass")
        name = model.__name__
        if table_name is not None and (not isinstance(table_name, str) or not table_name):
            raise ModelDefinitionError(f"{name}: table_name must be a non-empty string")
        fields = tuple(_field_definition(name, sf) for sf in struct_fields(model))
        _check_fields(name, fields)
        definition: ModelDefinition[T] = cls(model, table_name or name, fields, ())
        resolved = tuple(_resolve_index(definition, d) for d in indexes if not isinstance(d, VectorIndexSpec))
        vectors = tuple(
            _resolve_vector_index(definition, d) for d in indexes if isinstance(d, VectorIndexSpec)
        )
        seen: set[str] = set()
        declared: list[IndexDefinition | VectorIndexDefinition] = [*resolved, *vectors]
        for index in declared:
            if index.name in seen:
                raise ModelDefinitionError(f"{name}: two indexes are named {index.name!r}")
            seen.add(index.name)
        dims: dict[str, int] = {}
        for vector in vectors:
            if dims.setdefault(vector.vector, vector.dimensions) != vector.dimensions:
                raise ModelDefinitionError(
                    f"{name}: vector indexes on {vector.vector!r} must have the same dimensions"
                )
        definition.indexes = resolved
        definition.vector_indexes = vectors
        return definition

    def field(self, ref: str) -> FieldDefinition:
        """The field with this Python name (first) or attribute name; ``ValidationError`` if none."""
        found = self._by_ref.get(ref)
        if found is None:
            known = ", ".join(f.python_name for f in self.fields)
            raise ValidationError(f"{self.model.__name__} has no field {ref!r} (fields: {known})")
        return found

    def index(self, name: str) -> IndexDefinition:
        """The index with this name; ``ValidationError`` listing the known ones if none."""
        for index in self.indexes:
            if index.name == name:
                return index
        known = ", ".join(i.name for i in self.indexes) or "none"
        raise ValidationError(f"{self.model.__name__} has no index {name!r} (indexes: {known})")

    def vector_index(self, name: str) -> VectorIndexDefinition:
        """The vector index with this name; ``ValidationError`` listing the known ones if none."""
        for index in self.vector_indexes:
            if index.name == name:
                return index
        known = ", ".join(i.name for i in self.vector_indexes) or "none"
        raise ValidationError(f"{self.model.__name__} has no vector index {name!r} (vector indexes: {known})")

    def by_attribute(self, attribute: str) -> FieldDefinition:
        """The field stored as ``attribute``."""
        for f in self.fields:
            if f.attribute_name == attribute:
                return f
        raise ValidationError(f"{self.model.__name__} has no attribute {attribute!r}")

    def index_keys(self, index: IndexDefinition) -> tuple[FieldDefinition, FieldDefinition | None]:
        """The partition and sort key fields of one of this model's indexes (the first of each for a
        multi-attribute key: ``index_key_fields`` gives them all)."""
        sort = None if index.sort is None else self.by_attribute(index.sort)
        return self.by_attribute(index.partition), sort

    def index_key_fields(
        self, index: IndexDefinition
    ) -> tuple[tuple[FieldDefinition, ...], tuple[FieldDefinition, ...]]:
        """Every partition and every sort key field of one of this model's indexes, in key order."""
        return (
            tuple(self.by_attribute(a) for a in index.partition_attributes),
            tuple(self.by_attribute(a) for a in index.sort_attributes),
        )

    @property
    def model_type(self) -> type[T]:
        """The dataclass (TableTheory's name for ``model``)."""
        return self.model

    @property
    def attributes(self) -> dict[str, AttributeDefinition]:
        """Python field name -> ``AttributeDefinition`` (TableTheory's view of the fields)."""
        return {
            f.python_name: AttributeDefinition(
                f.python_name,
                f.attribute_name,
                f.roles,
                f.options.omitempty,
                f.options.set_,
                f.options.json,
                f.options.binary,
                f.options.encrypted,
                f.options.converter,
            )
            for f in self.fields
        }

    def role(self, role: str) -> FieldDefinition | None:
        """The field carrying a lifecycle role (``created_at``, ``updated_at``, ``version``, ``ttl``)."""
        return next((f for f in self.fields if role in f.roles), None)

    @property
    def encrypted_fields(self) -> tuple[FieldDefinition, ...]:
        return tuple(f for f in self.fields if f.encrypted)

    @property
    def key_fields(self) -> tuple[FieldDefinition, ...]:
        return (self.pk,) if self.sk is None else (self.pk, self.sk)


def _field_definition(owner: str, sf: StructField) -> FieldDefinition:
    unknown = [r for r in sf.options.roles if r not in KNOWN_ROLES and not r.startswith(_INDEX_ROLES)]
    if sf.options.encrypted and any(r.startswith(_INDEX_ROLES) for r in sf.options.roles):
        raise ModelDefinitionError(f"{owner}.{sf.python_name}: encrypted field cannot be indexed")
    if unknown:
        raise ModelDefinitionError(
            f"{owner}.{sf.python_name}: unknown role {unknown[0]!r} (known: {', '.join(sorted(KNOWN_ROLES))})"
        )
    return FieldDefinition(sf.python_name, sf.attribute_name, sf.hint, sf.options, sf.codec)


def _one_role(model: type, fields: tuple[FieldDefinition, ...], role: str, *, required: bool = False) -> Any:
    carriers = [f for f in fields if role in f.roles]
    if len(carriers) > 1:
        names = ", ".join(f.python_name for f in carriers)
        raise ModelDefinitionError(f"{model.__name__}: only one field may have role {role!r} ({names} do)")
    if required and not carriers:
        raise ModelDefinitionError(
            f"{model.__name__}: no partition key; mark one field with theorydb_field(roles=['pk'])"
        )
    return carriers[0] if carriers else None


def _base_hint(hint: Any) -> Any:
    args = [a for a in getattr(hint, "__args__", ()) if a is not type(None)]
    return args[0] if len(args) == 1 and type(None) in getattr(hint, "__args__", ()) else hint


def _check_fields(owner: str, fields: tuple[FieldDefinition, ...]) -> None:
    seen: dict[str, str] = {}
    for f in fields:
        if f.attribute_name in seen:
            raise ModelDefinitionError(
                f"{owner}: fields {seen[f.attribute_name]} and {f.python_name} both store attribute "
                f"{f.attribute_name!r}; give one of them another name="
            )
        seen[f.attribute_name] = f.python_name
        where = f"{owner}.{f.python_name}"
        for key_role, what in (("pk", "the table's partition key"), ("sk", "the table's sort key")):
            if key_role in f.roles:
                _check_key_field(where, f, what)
                if f.options.omitempty:
                    raise ModelDefinitionError(f"{where}: {what} cannot be omitempty")
        if "pk" in f.roles and "sk" in f.roles:
            raise ModelDefinitionError(f"{where}: a field cannot be both the partition and the sort key")
        hint = _base_hint(f.hint)
        custom = f.options.converter is not None
        if "version" in f.roles and not custom and hint is not int:
            raise ModelDefinitionError(f"{where}: the version field must be an int")
        if "ttl" in f.roles and not custom and hint not in (int, dt.datetime):
            raise ModelDefinitionError(f"{where}: the ttl field must be an int (epoch seconds) or a datetime")
        for role in ("created_at", "updated_at"):
            if role in f.roles and not custom and hint is not dt.datetime:
                raise ModelDefinitionError(f"{where}: the {role} field must be a datetime")


def _check_key_field(where: str, f: FieldDefinition, what: str) -> None:
    if f.encrypted:
        raise ModelDefinitionError(f"{where}: {what} cannot be encrypted; remove encrypted=True")
    if f.key_type is None:
        raise ModelDefinitionError(
            f"{where}: {what} must be stored as S, N or B, and {f.hint!r} is not; use str, int, Decimal, "
            "bytes, datetime, UUID, an Enum, or a converter with attribute_type"
        )


def _resolve_index(model: ModelDefinition[Any], decl: IndexSpec) -> IndexDefinition:
    owner = model.model.__name__
    if not isinstance(decl, IndexSpec):
        raise ModelDefinitionError(f"{owner}: declare indexes with gsi(...) or lsi(...), not {decl!r}")
    where = f"{owner} index {decl.name!r}"
    if decl.type not in ("GSI", "LSI"):
        raise ModelDefinitionError(f"{where}: unsupported index type: {decl.type}")

    def lookup(ref: str, what: str) -> FieldDefinition:
        try:
            f = model.field(ref)
        except ValidationError as exc:
            raise ModelDefinitionError(f"{where}: {what} {ref!r} is not a field of {owner}") from exc
        _check_key_field(f"{where}", f, f"the {what} {f.python_name!r}")
        return f

    if decl.type == "LSI":
        if model.sk is None:
            raise ModelDefinitionError(f"{where}: a local secondary index needs a table with a sort key")
        partition = (
            model.pk if decl.partition in (None, TABLE_PK) else lookup(decl.partition, "partition key")
        )
        if partition is not model.pk:
            raise ModelDefinitionError(
                f"{where}: a local secondary index shares the table's partition key "
                f"{model.pk.python_name!r}, not {partition.python_name!r}"
            )
    else:
        partition = lookup(decl.partition or "", "partition key")
    sort = None if decl.sort is None else lookup(decl.sort, "sort key")
    if sort is not None and sort is partition:
        raise ModelDefinitionError(f"{where}: the partition and sort keys must be different fields")
    more_partition = tuple(lookup(ref, "partition key").attribute_name for ref in decl.more_partition)
    more_sort = tuple(lookup(ref, "sort key").attribute_name for ref in decl.more_sort)
    if more_sort and sort is None:
        raise ModelDefinitionError(f"{where}: sort key attributes without a first sort key")
    every = [partition.attribute_name, *more_partition, *([] if sort is None else [sort.attribute_name])]
    every += more_sort
    if len(set(every)) != len(every):
        raise ModelDefinitionError(f"{where}: an attribute appears twice in the index's keys")
    include: list[str] = []
    for ref in decl.projection.fields:
        try:
            include.append(model.field(ref).attribute_name)
        except ValidationError:
            include.append(ref)  # an attribute outside the model (TableTheory passes these through)
    projection = Projection(decl.projection.type, tuple(include))
    return IndexDefinition(
        decl.name,
        decl.type,
        partition.attribute_name,
        None if sort is None else sort.attribute_name,
        projection,
        more_partition,
        more_sort,
    )


def _resolve_vector_index(model: ModelDefinition[Any], decl: VectorIndexSpec) -> VectorIndexDefinition:
    owner = model.model.__name__
    where = f"{owner} vector index {decl.name!r}"

    def lookup(ref: str, what: str) -> FieldDefinition:
        try:
            return model.field(ref)
        except ValidationError as exc:
            raise ModelDefinitionError(f"{where}: {what} {ref!r} is not a field of {owner}") from exc

    vector = lookup(decl.vector, "vector field")
    if _base_hint(vector.hint) is not Vector or vector.options.converter is not None:
        raise ModelDefinitionError(
            f"{where}: the vector field {vector.python_name!r} must be annotated Vector (or Vector | None)"
        )
    if vector.encrypted or vector.key_type is not None or set(vector.roles) & {"pk", "sk"}:
        raise ModelDefinitionError(
            f"{where}: the vector field {vector.python_name!r} cannot be a key or encrypted"
        )
    dims = decl.dimensions
    if isinstance(dims, bool) or not isinstance(dims, int) or not 1 <= dims <= MAX_DIMENSIONS:
        raise ModelDefinitionError(
            f"{where}: dimensions must be an int from 1 to {MAX_DIMENSIONS}, not {dims!r}"
        )
    if decl.distance not in _DISTANCES:
        raise ModelDefinitionError(
            f"{where}: distance must be one of {', '.join(_DISTANCES)}, not {decl.distance!r}"
        )
    partition = None
    if decl.partition:
        partition = lookup(decl.partition, "partition")
        _check_key_field(where, partition, f"the partition {partition.python_name!r}")
    filters: list[FieldDefinition] = []
    for ref in decl.filters:
        f = lookup(ref, "filter")
        _check_key_field(where, f, f"the filter {f.python_name!r}")
        filters.append(f)
    names = [f.attribute_name for f in (*([partition] if partition else []), *filters)]
    if len(set(names)) != len(names) or vector.attribute_name in names:
        raise ModelDefinitionError(f"{where}: the vector, partition and filter fields must all be different")
    include = []
    for ref in decl.projection.fields:
        try:
            include.append(model.field(ref).attribute_name)
        except ValidationError:
            include.append(ref)
    return VectorIndexDefinition(
        decl.name,
        vector.attribute_name,
        dims,
        decl.distance,
        None if partition is None else partition.attribute_name,
        tuple(f.attribute_name for f in filters),
        Projection(decl.projection.type, tuple(include)),
    )
