"""ModelDefinition: what a valid model looks like, and a clear error for each way a model can be wrong."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.unit._models import NOTES, USERS, User
from theorydb_py import ModelDefinition, ModelDefinitionError, ValidationError, gsi, lsi, theorydb_field
from theorydb_py.model import IndexDeclaration, IndexDefinition, IndexSpec, Projection


def test_fields_keys_and_indexes_are_resolved() -> None:
    assert USERS.table_name == "users"
    assert (USERS.pk.python_name, USERS.pk.attribute_name) == ("id", "PK")
    assert USERS.sk is not None and USERS.sk.attribute_name == "SK"
    assert [f.python_name for f in USERS.key_fields] == ["id", "sk"]
    assert "secret_note" not in [f.python_name for f in USERS.fields]  # ignore=True keeps it out
    by_status = USERS.index("by-status")
    assert (by_status.type, by_status.partition, by_status.projection) == (
        "GSI",
        "status",
        Projection.keys_only(),
    )
    partition, sort = USERS.index_keys(by_status)
    assert partition.python_name == "status" and sort is not None and sort.key_type == "N"
    by_age = USERS.index("by-age")
    assert (by_age.type, by_age.partition, by_age.projection) == ("LSI", "PK", Projection.include("name"))
    assert USERS.index_keys(by_age)[0] is USERS.pk


def test_field_lookup_by_python_or_attribute_name() -> None:
    assert USERS.field("id") is USERS.field("PK")
    assert USERS.field("address").codec is not None
    with pytest.raises(ValidationError, match=r"User has no field 'nope' \(fields: id, sk, email"):
        USERS.field("nope")
    with pytest.raises(ValidationError, match=r"no index 'missing' \(indexes: by-email, by-status, by-age\)"):
        USERS.index("missing")


def test_repr_and_defaults() -> None:
    assert (
        repr(USERS)
        == "<ModelDefinition User table='users' pk='PK' indexes=['by-email', 'by-status', 'by-age']>"
    )
    assert NOTES.sk is None
    assert ModelDefinition.from_dataclass(User).table_name == "User"
    assert repr(USERS.pk) == "<FieldDefinition id -> 'PK'>"
    assert repr(USERS.index("by-email")) == "<IndexDefinition GSI 'by-email'>"


def test_roles_accept_a_string_or_a_list_and_lifecycle_roles_are_found() -> None:
    @dataclass
    class Doc:
        id: str = theorydb_field(roles="pk")
        created: dt.datetime | None = theorydb_field(roles=["created_at"], default=None)
        updated: dt.datetime | None = theorydb_field(roles=["updated_at"], default=None)
        version: int = theorydb_field(roles="version", default=0)
        expires: int = theorydb_field(roles="ttl", default=0)

    model = ModelDefinition.from_dataclass(Doc)
    role = model.role("version")
    assert role is not None and role.python_name == "version"
    created = model.role("created_at")
    assert created is not None and created.python_name == "created"
    assert model.role("nothing") is None


def test_frozen_dataclasses_and_inherited_fields_work() -> None:
    @dataclass(frozen=True)
    class Base:
        id: str = theorydb_field(roles="pk")

    @dataclass(frozen=True)
    class Child(Base):
        extra: int = 0

    model = ModelDefinition.from_dataclass(Child)
    assert [f.python_name for f in model.fields] == ["id", "extra"]


def _model(**annotations_and_fields: Any) -> type:
    """A dataclass built from (annotation, default) pairs, with a pk unless one is given."""
    ns: dict[str, Any] = {"__annotations__": {}}
    for name, (annotation, default) in annotations_and_fields.items():
        ns["__annotations__"][name] = annotation
        ns[name] = default
    return dataclass(type("Bad", (), ns))


class Color(enum.Enum):
    RED = 1
    BLUE = "blue"


PK = (str, theorydb_field(roles="pk"))

BAD_MODELS: list[tuple[str, type, list[IndexDeclaration], str]] = [
    (
        "no pk",
        _model(a=(str, "")),
        [],
        r"Bad: no partition key; mark one field with theorydb_field\(roles=\['pk'\]\)",
    ),
    (
        "two pks",
        _model(a=PK, b=(str, theorydb_field(roles="pk"))),
        [],
        r"only one field may have role 'pk' \(a, b do\)",
    ),
    (
        "two sks",
        _model(a=PK, b=(str, theorydb_field(roles="sk")), c=(str, theorydb_field(roles="sk"))),
        [],
        r"only one field may have role 'sk'",
    ),
    (
        "duplicate attribute",
        _model(a=PK, b=(str, theorydb_field(name="x")), c=(str, theorydb_field(name="x"))),
        [],
        r"Bad: fields b and c both store attribute 'x'",
    ),
    (
        "unknown role",
        _model(a=(str, theorydb_field(roles=["pk", "owner"]))),
        [],
        r"Bad.a: unknown role 'owner'",
    ),
    ("encrypted pk", _model(a=(str, theorydb_field(roles="pk", encrypted=True))), [], r"cannot be encrypted"),
    (
        "bool pk",
        _model(a=(bool, theorydb_field(roles="pk"))),
        [],
        r"Bad.a: the table's partition key must be stored as S, N or B",
    ),
    (
        "list sk",
        _model(a=PK, b=(list[str], theorydb_field(roles="sk"))),
        [],
        r"sort key must be stored as S, N or B",
    ),
    ("omitempty pk", _model(a=(str, theorydb_field(roles="pk", omitempty=True))), [], r"cannot be omitempty"),
    (
        "pk and sk",
        _model(a=(str, theorydb_field(roles=["pk", "sk"]))),
        [],
        r"both the partition and the sort key",
    ),
    (
        "version not int",
        _model(a=PK, v=(str, theorydb_field(roles="version"))),
        [],
        r"Bad.v: the version field must be an int",
    ),
    (
        "ttl str",
        _model(a=PK, t=(str, theorydb_field(roles="ttl"))),
        [],
        r"the ttl field must be an int \(epoch seconds\) or a datetime",
    ),
    (
        "created_at int",
        _model(a=PK, c=(int, theorydb_field(roles="created_at"))),
        [],
        r"the created_at field must be a datetime",
    ),
    (
        "two versions",
        _model(a=PK, v=(int, theorydb_field(roles="version")), w=(int, theorydb_field(roles="version"))),
        [],
        r"only one field may have role 'version'",
    ),
    (
        "unsupported type",
        _model(a=PK, b=(int | str, 0)),
        [],
        r"Bad.b: cannot store the annotation int \| str",
    ),
    (
        "set of bool",
        _model(a=PK, b=(set[bool], field(default_factory=set))),
        [],
        r"a set must hold str, int, float, Decimal or bytes",
    ),
    (
        "dict int keys",
        _model(a=PK, b=(dict[int, str], field(default_factory=dict))),
        [],
        r"map keys must be str",
    ),
    (
        "mixed enum",
        _model(a=PK, b=(Color, Color.RED)),
        [],
        r"Bad.b: enum Color must have only str or only int values",
    ),
    ("object type", _model(a=PK, b=(object(), None)), [], r"cannot store the annotation"),
    (
        "set_ on str",
        _model(a=PK, b=(str, theorydb_field(set_=True, default=""))),
        [],
        r"set_=True needs a list",
    ),
    (
        "ignored without default",
        _model(a=PK, b=(str, theorydb_field(ignore=True))),
        [],
        r"an ignored field needs default=",
    ),
    (
        "empty name",
        _model(a=PK, b=(str, theorydb_field(name="", default=""))),
        [],
        r"the attribute name must not be empty",
    ),
    (
        "bad converter type",
        _model(
            a=PK, b=(str, theorydb_field(converter=type("C", (), {"attribute_type": "SS"})(), default=""))
        ),
        [],
        r"converter attribute_type must be S, N or B",
    ),
    (
        "index on missing field",
        _model(a=PK, b=(str, "")),
        [gsi("g", "nope")],
        r"Bad index 'g': partition key 'nope' is not a field of Bad",
    ),
    (
        "index on encrypted",
        _model(a=PK, b=(str, theorydb_field(encrypted=True, default=""))),
        [gsi("g", "b")],
        r"Bad index 'g': the partition key 'b' cannot be encrypted",
    ),
    ("index key bool", _model(a=PK, b=(bool, False)), [gsi("g", "b")], r"must be stored as S, N or B"),
    (
        "lsi not on pk",
        _model(a=PK, s=(str, theorydb_field(roles="sk")), b=(str, ""), c=(int, 0)),
        [lsi("l", "c", partition="b")],
        r"a local secondary index shares the table's partition key 'a', not 'b'",
    ),
    ("lsi without table sk", _model(a=PK, c=(int, 0)), [lsi("l", "c")], r"needs a table with a sort key"),
    (
        "two indexes same name",
        _model(a=PK, b=(str, "")),
        [gsi("g", "b"), gsi("g", "b")],
        r"two indexes are named 'g'",
    ),
    ("same partition and sort", _model(a=PK, b=(str, "")), [gsi("g", "b", "b")], r"must be different fields"),
    ("not an index", _model(a=PK), ["g"], r"declare indexes with gsi\(...\) or lsi\(...\)"),  # type: ignore[list-item]
]


@pytest.mark.parametrize(
    ("cls", "indexes", "message"), [c[1:] for c in BAD_MODELS], ids=[c[0] for c in BAD_MODELS]
)
def test_bad_models_fail_with_a_clear_message(
    cls: type, indexes: list[IndexDeclaration], message: str
) -> None:
    with pytest.raises(ModelDefinitionError, match=message) as info:
        ModelDefinition.from_dataclass(cls, indexes=indexes)
    assert isinstance(info.value, ValueError)


def test_not_a_dataclass_and_bad_table_name() -> None:
    with pytest.raises(ModelDefinitionError, match="is not a dataclass"):
        ModelDefinition.from_dataclass(int)
    with pytest.raises(ModelDefinitionError, match="table_name must be a non-empty string"):
        ModelDefinition.from_dataclass(User, table_name="")


def test_unresolvable_string_annotation_names_the_class() -> None:
    ns: dict[str, Any] = {
        "__annotations__": {"a": "str", "b": "Missing"},
        "a": theorydb_field(roles="pk"),
        "b": None,
    }
    cls: type = dataclass(type("Forward", (), ns))
    with pytest.raises(ModelDefinitionError, match=r"Forward: cannot resolve its annotations"):
        ModelDefinition.from_dataclass(cls)


@pytest.mark.parametrize(
    ("declare", "message"),
    [
        (lambda: gsi("g", "a", projection="SOME"), r"projection must be one of ALL, KEYS_ONLY, INCLUDE"),
        (lambda: gsi("g", "a", projection="INCLUDE"), r"projection INCLUDE needs include="),
        (lambda: gsi("g", "a", projection="ALL", include=["b"]), r"include= goes with projection INCLUDE"),
    ],
)
def test_bad_index_declarations(declare: Any, message: str) -> None:
    with pytest.raises(ModelDefinitionError, match=message):
        declare()


def test_include_implies_include_projection() -> None:
    assert gsi("g", "a", include=["b"]).projection == Projection.include("b")
    assert lsi("l", "c").projection == Projection.all()
    assert lsi("l", "c").partition == "__TABLE_PK__"  # TableTheory's sentinel for the table's pk


def test_tabletheory_index_declarations() -> None:
    """``gsi(name, partition=..., projection=Projection...)``; INCLUDE names outside the model pass
    through."""
    cls = _model(a=PK, b=(str, ""), c=(str, ""))
    model: ModelDefinition[Any] = ModelDefinition.from_dataclass(
        cls, indexes=[gsi("g", partition="b", sort="c", projection=Projection.include("c", "extra"))]
    )
    index = model.index("g")
    assert index == IndexDefinition("g", "GSI", "b", "c", Projection("INCLUDE", ("c", "extra")))
    assert isinstance(gsi("g", partition="b"), IndexSpec)
    with pytest.raises(ModelDefinitionError, match="projection type must be one of"):
        Projection("SOME")


@dataclass
class BadInner:
    value: int | str = 0


def test_bad_nested_dataclass_fails_when_the_model_is_defined() -> None:
    cls = _model(a=PK, inner=(BadInner | None, None))
    with pytest.raises(ModelDefinitionError, match=r"BadInner.value: cannot store the annotation int \| str"):
        ModelDefinition.from_dataclass(cls)
