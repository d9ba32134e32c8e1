"""DMS documents: parsing (JSON always, YAML with PyYAML), checks, the model comparison."""

from __future__ import annotations

import builtins
import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from theorydb_py import (
    ModelDefinition,
    ValidationError,
    assert_model_definition_equivalent_to_dms,
    get_dms_model,
    gsi,
    lsi,
    parse_dms_document,
    theorydb_field,
)
from theorydb_py.dms import _model_definition_to_dms_model, model_definition_to_dms_model


def _doc(**model: Any) -> str:
    base = {
        "name": "Thing",
        "table": {"name": "things"},
        "keys": {"partition": {"attribute": "id", "type": "S"}},
        "attributes": [{"attribute": "id", "type": "S", "required": True, "roles": ["pk"]}],
    }
    base.update(model)
    return json.dumps({"dms_version": "0.1", "models": [base]})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("[1, 2]", "root must be a map"),
        ("a: [unclosed", "invalid DMS YAML/JSON"),
        ('{"dms_version": 0.1, "models": [{"name": "x"}]}', "unsupported dms_version"),
        ("dms_version: '0.1'\nmodels: []", "models must be a non-empty list"),
        ("dms_version: '0.1'\nmodels: [{}]", "must be a map with a name"),
        ("dms_version: '0.1'\nwhen: 2024-01-01\nmodels: [{name: x}]", "not JSON-compatible"),
        ("dms_version: '0.1'\nx: .nan\nmodels: [{name: x}]", "not a finite number"),
        ("dms_version: '0.1'\n1: x\nmodels: [{name: x}]", "must be a string"),
        (
            "dms_version: '0.1'\nmodels: [{name: x, keys: {partition: {attribute: id}}}, {name: x}]",
            "defined twice",
        ),
        ("dms_version: '0.1'\nmodels: [{name: x}]", "keys.partition is required"),
        (_doc(attributes=[{"attribute": "a", "type": "Q"}]), "unsupported type 'Q'"),
        (
            _doc(attributes=[{"attribute": "a", "type": "N", "json": True}]),
            "json attributes must have type S",
        ),
        (
            _doc(attributes=[{"attribute": "a", "type": "S", "binary": True}]),
            "binary attributes must have type B",
        ),
        (
            _doc(attributes=[{"attribute": "a", "type": "S", "json": True, "binary": True}]),
            "both json and binary",
        ),
    ],
)
def test_bad_documents(raw: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_dms_document(raw)


def test_json_needs_no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_yaml(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "yaml":
            raise ImportError("no yaml")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_yaml)
    assert get_dms_model(parse_dms_document(_doc()), "Thing")["name"] == "Thing"
    with pytest.raises(ValidationError, match=r"pip install 'tabletheory\[yaml\]'"):
        parse_dms_document("dms_version: '0.1'\nmodels: [{name: x}]")


def test_get_dms_model_missing() -> None:
    with pytest.raises(ValidationError, match="DMS model not found: Nope"):
        get_dms_model(parse_dms_document(_doc()), "Nope")


def test_bytes_input_is_utf8() -> None:
    assert parse_dms_document(_doc().encode())["dms_version"] == "0.1"  # type: ignore[arg-type]


class Money:
    attribute_type = "N"

    def to_dynamodb(self, value: Any) -> dict[str, Any]:
        return {"N": str(value)}

    def from_dynamodb(self, value: dict[str, Any]) -> Any:
        return Decimal(value["N"])


@dataclasses.dataclass
class Everything:
    id: str = theorydb_field(roles=["pk"])
    sort: int = theorydb_field(roles=["sk"])
    flag: bool = False
    count: int | None = None
    price: Decimal = Decimal(0)
    blob: bytes = b""
    names: set[str] = dataclasses.field(default_factory=set)
    scores: frozenset[int] = frozenset()
    listed: list[str] = theorydb_field(set_=True, default_factory=list)
    items: list[int] = dataclasses.field(default_factory=list)
    attrs: dict[str, str] = dataclasses.field(default_factory=dict)
    doc: dict[str, Any] = theorydb_field(json=True, default_factory=dict)
    raw: bytes = theorydb_field(binary=True, default=b"")
    when: dt.datetime | None = None
    expires: dt.datetime | None = theorydb_field(roles=["ttl"], default=None)
    amount: Decimal = theorydb_field(converter=Money(), default=Decimal(0))
    secret: str = theorydb_field(encrypted=True, default="")


def test_python_types_in_dms_terms() -> None:
    model = ModelDefinition.from_dataclass(
        Everything,
        table_name="everything",
        indexes=[
            lsi("by-count", sort="count"),
            gsi("by-flag-ish", partition="when", projection="INCLUDE", include=["price"]),
        ],
    )
    got = model_definition_to_dms_model(model)
    assert _model_definition_to_dms_model is model_definition_to_dms_model
    types = {a["attribute"]: a["type"] for a in got["attributes"]}
    assert types == {
        "id": "S",
        "sort": "N",
        "flag": "BOOL",
        "count": "N",
        "price": "N",
        "blob": "B",
        "names": "SS",
        "scores": "NS",
        "listed": "SS",
        "items": "L",
        "attrs": "M",
        "doc": "S",
        "raw": "B",
        "when": "S",
        "expires": "N",
        "amount": "N",
        "secret": "S",
    }
    by_name = {a["attribute"]: a for a in got["attributes"]}
    assert by_name["id"]["required"] and not by_name["id"]["optional"]
    assert not by_name["flag"]["required"] and by_name["flag"]["optional"]
    assert by_name["secret"]["encrypted"] and by_name["doc"]["json"] and by_name["raw"]["binary"]
    assert got["keys"] == {
        "partition": {"attribute": "id", "type": "S"},
        "sort": {"attribute": "sort", "type": "N"},
    }
    assert got["indexes"] == [
        {
            "name": "by-count",
            "type": "LSI",
            "partition": "id",
            "sort": "count",
            "projection": {"type": "ALL", "fields": []},
        },
        {
            "name": "by-flag-ish",
            "type": "GSI",
            "partition": "when",
            "sort": None,
            "projection": {"type": "INCLUDE", "fields": ["price"]},
        },
    ]


def test_round_trip_through_a_document() -> None:
    """A DMS document written from a model compares equal to it (keys as bare names work too)."""
    model = ModelDefinition.from_dataclass(
        Everything, table_name="everything", indexes=[lsi("by-count", sort="count")]
    )
    got = model_definition_to_dms_model(model)
    dms = {
        "name": "Everything",
        "table": {"name": "everything"},
        "keys": {"partition": "id", "sort": {"attribute": "sort", "type": "N"}},
        "attributes": [
            {
                **{k: v for k, v in a.items() if k not in ("encrypted", "optional")},
                **({"encryption": {"kms": "default"}} if a["encrypted"] else {}),
            }
            for a in got["attributes"]
        ],
        "indexes": [{"name": "by-count", "type": "LSI", "sort": {"attribute": "count", "type": "N"}}],
    }
    doc = parse_dms_document(json.dumps({"dms_version": "0.1", "models": [dms]}))
    assert_model_definition_equivalent_to_dms(model, get_dms_model(doc, "Everything"))
