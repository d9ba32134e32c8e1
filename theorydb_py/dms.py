"""DMS documents: the language-neutral model schema TableTheory's Go, TypeScript and Python share.

A DMS (data model schema) document describes tables once, for every language: each model's table, keys,
attributes (type, roles, ``omit_empty``, ``required``/``optional``, encryption, json/binary) and indexes.
``parse_dms_document`` reads one (JSON always; YAML when PyYAML is installed, ``pip install
'tabletheory[yaml]'``) and checks it; ``assert_model_definition_equivalent_to_dms`` fails when a Python
model has drifted from its DMS model, showing both sides normalised.

Document shape (v0.1)::

    dms_version: "0.1"
    models:
      - name: User
        table: {name: users}
        keys:
          partition: {attribute: PK, type: S}
          sort: {attribute: SK, type: S}
        attributes:
          - {attribute: PK, type: S, required: true, roles: [pk]}
          - {attribute: nickname, type: S, optional: true, omit_empty: true}
          - {attribute: version, type: N, roles: [version]}
        indexes:
          - {name: gsi-email, type: GSI, partition: {attribute: emailHash, type: S},
             projection: {type: ALL}}

Compared with TableTheory, an attribute that says neither ``required`` nor ``optional`` is optional (not
an error of the comparison), and a projection without ``fields`` has none; so documents written for Go and
TypeScript, which rely on both, compare equal to the matching Python model.

>>> doc = parse_dms_document('{"dms_version": "0.1", "models": [{"name": "Tag", "table": {"name": "tags"},'
...     '"keys": {"partition": {"attribute": "id", "type": "S"}},'
...     '"attributes": [{"attribute": "id", "type": "S", "required": true, "roles": ["pk"]}]}]}')
>>> get_dms_model(doc, "Tag")["table"]
{'name': 'tags'}
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import json
import math
import types
import typing
import uuid
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, Final

from theorydb_py.errors import ValidationError
from theorydb_py.model import FieldDefinition, ModelDefinition

__all__ = [
    "assert_model_definition_equivalent_to_dms",
    "get_dms_model",
    "model_definition_to_dms_model",
    "parse_dms_document",
]

DMS_VERSION: Final = "0.1"
_TYPES: Final = frozenset({"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"})
_SET_TYPES: Final = {str: "SS", int: "NS", float: "NS", decimal.Decimal: "NS", bytes: "BS"}


def _load(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        pass
    try:
        import yaml
    except ImportError:
        raise ValidationError(
            "invalid DMS JSON (YAML documents need PyYAML: pip install 'tabletheory[yaml]')"
        ) from None
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ValidationError("invalid DMS YAML/JSON") from exc


def _check_json_compatible(value: Any, path: str) -> None:
    """Only what JSON can say: a YAML timestamp, a non-string key or NaN would differ between languages."""
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(f"DMS value at {path} is not a finite number")
        return
    if isinstance(value, list):
        for i, member in enumerate(value):
            _check_json_compatible(member, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, member in value.items():
            if not isinstance(key, str):
                raise ValidationError(f"DMS key at {path} must be a string, not {key!r}")
            _check_json_compatible(member, f"{path}.{key}")
        return
    raise ValidationError(f"DMS value at {path} is not JSON-compatible ({type(value).__name__})")


def parse_dms_document(raw: str) -> dict[str, Any]:
    """Parse and check a DMS document (JSON, or YAML with PyYAML); ``ValidationError`` names the problem."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    if not isinstance(raw, str):
        raise ValidationError("a DMS document is a str (JSON or YAML)")
    doc = _load(raw)
    if not isinstance(doc, dict):
        raise ValidationError("DMS document root must be a map")
    _check_json_compatible(doc, "$")
    if doc.get("dms_version") != DMS_VERSION:
        raise ValidationError(f'unsupported dms_version: {doc.get("dms_version")!r} (expected "0.1")')
    models = doc.get("models")
    if not isinstance(models, list) or not models:
        raise ValidationError("DMS models must be a non-empty list")
    seen: set[str] = set()
    for i, model in enumerate(models):
        if not isinstance(model, dict) or not isinstance(model.get("name"), str) or not model["name"]:
            raise ValidationError(f"DMS models[{i}] must be a map with a name")
        if model["name"] in seen:
            raise ValidationError(f"DMS model {model['name']!r} is defined twice")
        seen.add(model["name"])
        _normalize_dms(model)  # every model is checked, not only the ones compared later
    return doc


def get_dms_model(doc: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The model called ``name`` in a parsed document; ``ValidationError`` if there is none."""
    for model in doc.get("models") or []:
        if isinstance(model, dict) and model.get("name") == name:
            return model
    raise ValidationError(f"DMS model not found: {name}")


# -- normalisation: both sides become the same plain dict, compared as JSON ---------------------------------


def _key_part(value: Any, where: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return {"attribute": value, "type": None}
    if not isinstance(value, dict) or not isinstance(value.get("attribute"), str):
        raise ValidationError(f"{where} must be a map with an attribute")
    return {"attribute": value["attribute"], "type": value.get("type")}


def _projection(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {"type": "ALL", "fields": []}
    if not isinstance(value, dict):
        raise ValidationError(f"{where}.projection must be a map")
    fields = value.get("fields") or []
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise ValidationError(f"{where}.projection.fields must be a list of attribute names")
    return {"type": str(value.get("type") or "ALL"), "fields": sorted(fields)}


def _normalize_dms(model: Mapping[str, Any]) -> dict[str, Any]:
    name = model.get("name")
    keys = model.get("keys") or {}
    if not isinstance(keys, dict):
        raise ValidationError(f"DMS model {name}: keys must be a map")
    partition = _key_part(keys.get("partition"), f"DMS model {name}: keys.partition")
    if partition is None:
        raise ValidationError(f"DMS model {name}: keys.partition is required")
    attributes = []
    for i, attr in enumerate(model.get("attributes") or []):
        where = f"DMS model {name}: attributes[{i}]"
        if not isinstance(attr, dict) or not isinstance(attr.get("attribute"), str):
            raise ValidationError(f"{where} must be a map with an attribute")
        kind = attr.get("type")
        if kind not in _TYPES:
            raise ValidationError(f"{where}: unsupported type {kind!r}")
        is_json, is_binary = bool(attr.get("json")), bool(attr.get("binary"))
        if is_json and is_binary:
            raise ValidationError(f"{where}: an attribute cannot be both json and binary")
        if is_json and kind != "S":
            raise ValidationError(f"{where}: json attributes must have type S")
        if is_binary and kind != "B":
            raise ValidationError(f"{where}: binary attributes must have type B")
        required = bool(attr.get("required", False))
        optional = attr.get("optional")
        roles = attr.get("roles") or []
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise ValidationError(f"{where}: roles must be a list of strings")
        attributes.append(
            {
                "attribute": attr["attribute"],
                "type": kind,
                "omit_empty": bool(attr.get("omit_empty", False)),
                "required": required,
                "optional": (not required) if optional is None else bool(optional),
                "roles": sorted(roles),
                "encrypted": "encryption" in attr,
                "json": is_json,
                "binary": is_binary,
            }
        )
    indexes = []
    for i, index in enumerate(model.get("indexes") or []):
        where = f"DMS model {name}: indexes[{i}]"
        if not isinstance(index, dict) or not isinstance(index.get("name"), str):
            raise ValidationError(f"{where} must be a map with a name")
        index_pk = _key_part(index.get("partition"), f"{where}.partition")
        if index.get("type") == "LSI" and index_pk is None:
            index_pk = partition
        sort = _key_part(index.get("sort"), f"{where}.sort")
        indexes.append(
            {
                "name": index["name"],
                "type": index.get("type"),
                "partition": None if index_pk is None else index_pk["attribute"],
                "sort": None if sort is None else sort["attribute"],
                "projection": _projection(index.get("projection"), where),
            }
        )
    table = model.get("table") or {}
    sort_key = _key_part(keys.get("sort"), f"DMS model {name}: keys.sort")
    return {
        "name": name,
        "table": table.get("name") if isinstance(table, dict) else None,
        "keys": {"partition": partition, "sort": sort_key},
        "attributes": sorted(attributes, key=lambda a: a["attribute"]),
        "indexes": sorted(indexes, key=lambda x: x["name"]),
    }


def _unwrap(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def _dms_type(field: FieldDefinition) -> str:
    """The DynamoDB type a field is stored as, in DMS terms."""
    options = field.options
    converter_type = getattr(options.converter, "attribute_type", None)
    if options.converter is not None:
        return str(converter_type or "S")
    if options.json:
        return "S"
    hint = _unwrap(field.hint)
    origin = typing.get_origin(hint) or hint
    if "ttl" in options.roles:
        return "N"
    if options.binary or hint in (bytes, bytearray):
        return "B"
    if origin in (set, frozenset, AbstractSet) or (options.set_ and origin in (list, tuple, Sequence)):
        args = typing.get_args(hint)
        element = _unwrap(args[0]) if args else str
        if element not in _SET_TYPES:
            raise ValidationError(f"{field.python_name}: no DMS set type for elements of {element!r}")
        return _SET_TYPES[element]
    if hint is bool:
        return "BOOL"
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return "N" if all(isinstance(m.value, int) for m in hint) else "S"
    if hint in (int, float, decimal.Decimal):
        return "N"
    if hint in (str, dt.datetime, dt.date, uuid.UUID):
        return "S"
    if origin in (dict, Mapping) or (isinstance(hint, type) and dataclasses.is_dataclass(hint)):
        return "M"
    if origin in (list, tuple, Sequence):
        return "L"
    return field.key_type or "S"


def _required_fields(model: ModelDefinition[Any]) -> set[str]:
    return {
        f.name
        for f in dataclasses.fields(model.model)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }


def model_definition_to_dms_model(model: ModelDefinition[Any]) -> dict[str, Any]:
    """A Python model as a normalised DMS model (the form ``assert_...`` compares; also a starting point
    for writing the model's DMS document)."""
    required = _required_fields(model)
    attributes = []
    for f in model.fields:
        needed = f.python_name in required
        attributes.append(
            {
                "attribute": f.attribute_name,
                "type": _dms_type(f),
                "omit_empty": f.options.omitempty,
                "required": needed,
                "optional": not needed,
                "roles": sorted(f.roles),
                "encrypted": f.encrypted,
                "json": f.options.json,
                "binary": f.options.binary,
            }
        )
    indexes = [
        {
            "name": index.name,
            "type": index.type,
            "partition": index.partition,  # IndexDefinition holds attribute names
            "sort": index.sort,
            "projection": {"type": index.projection.type, "fields": sorted(index.projection.fields)},
        }
        for index in model.indexes
    ]
    sort = model.sk
    return {
        "name": model.model.__name__,
        "table": model.table_name,
        "keys": {
            "partition": {"attribute": model.pk.attribute_name, "type": _dms_type(model.pk)},
            "sort": None if sort is None else {"attribute": sort.attribute_name, "type": _dms_type(sort)},
        },
        "attributes": sorted(attributes, key=lambda a: a["attribute"]),
        "indexes": sorted(indexes, key=lambda x: x["name"]),
    }


_model_definition_to_dms_model = model_definition_to_dms_model  # TableTheory's name, used by its tests


def _fill_key_types(want: dict[str, Any], got: dict[str, Any]) -> None:
    """A key given as a bare attribute name in DMS takes its type from the attribute list."""
    types_by_name = {a["attribute"]: a["type"] for a in want["attributes"]}
    for part in ("partition", "sort"):
        key = want["keys"][part]
        if key is not None and key["type"] is None:
            key["type"] = types_by_name.get(key["attribute"])


def assert_model_definition_equivalent_to_dms(
    model: ModelDefinition[Any], dms_model: Mapping[str, Any], *, ignore_table_name: bool = False
) -> None:
    """Raise ``ValidationError`` (with both sides as normalised JSON) when ``model`` and the DMS model
    differ in name, table (unless ``ignore_table_name``), keys, attributes or indexes."""
    want = _normalize_dms(dms_model)
    got = model_definition_to_dms_model(model)
    _fill_key_types(want, got)
    if ignore_table_name:
        want["table"] = got["table"] = None
    if want != got:
        raise ValidationError(
            "model definition differs from DMS model\n"
            f"want: {json.dumps(want, sort_keys=True)}\n got: {json.dumps(got, sort_keys=True)}"
        )
