"""The contract runner and its Python driver, built on theorydb_py's public API only.

TableTheory's Go and TypeScript runners read the same YAML scenarios (``scenarios/p0/*.yml``) and DMS
models (``dms/v0.1/models``); this is the same runner for Python. A scenario is a list of steps (``create``,
``get``, ``update``, ``delete``, ``sleep``) with expectations; values in scenarios are logical and typed by
the DMS attribute type, and errors are compared as the shared codes (``ErrConditionFailed``...).

The driver maps each step to one ``Table`` call:

- ``create`` -> ``Table.create`` with ``if_not_exists``, else ``Table.put`` (both stamp lifecycle fields);
- ``get`` -> ``Table.get`` (strongly consistent), returned as attribute name -> logical value;
- ``update`` -> ``Table.update`` of the listed fields with ``expected_version`` (empty omitempty values are
  removed), so ``updatedAt`` moves and ``version`` goes up by one under an optimistic lock;
- ``delete`` -> ``Table.delete``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from theorydb_py import (
    ConditionFailedError,
    EncryptionConfigError,
    ItemNotFoundError,
    ModelDefinition,
    ModelDefinitionError,
    Table,
    get_dms_model,
    parse_dms_document,
)

HERE = Path(__file__).parent
SCENARIOS = HERE / "scenarios"
DMS_MODELS = HERE / "dms" / "v0.1" / "models"

_ERRORS: tuple[tuple[type[BaseException], str], ...] = (
    (ConditionFailedError, "ErrConditionFailed"),
    (ItemNotFoundError, "ErrItemNotFound"),
    (EncryptionConfigError, "ErrEncryptionNotConfigured"),
    (ModelDefinitionError, "ErrInvalidModel"),
)


class ScenarioFailure(AssertionError):
    """A step did not go as its scenario says."""


def load_dms_models() -> dict[str, dict[str, Any]]:
    """Every DMS model of the contract, by name."""
    models: dict[str, dict[str, Any]] = {}
    for path in sorted(DMS_MODELS.glob("*.yml")):
        doc = parse_dms_document(path.read_text(encoding="utf-8"))
        for model in doc["models"]:
            models[model["name"]] = get_dms_model(doc, model["name"])
    return models


def scenario_paths(level: str = "p0") -> list[Path]:
    return sorted((SCENARIOS / level).glob("*.yml"))


def load_scenario(path: Path) -> dict[str, Any]:
    scenario = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(scenario, dict) and scenario.get("dms_version") == "0.1", path
    return scenario


def create_table_from_dms(client: Any, dms_model: Mapping[str, Any], table_name: str) -> None:
    """CreateTable from a DMS model with the raw client (PAY_PER_REQUEST, with its indexes), as the Go
    and TypeScript runners do."""
    types = {a["attribute"]: a["type"] for a in dms_model["attributes"]}
    keys = dms_model["keys"]
    schema = [{"AttributeName": keys["partition"]["attribute"], "KeyType": "HASH"}]
    if keys.get("sort"):
        schema.append({"AttributeName": keys["sort"]["attribute"], "KeyType": "RANGE"})
    used = {entry["AttributeName"] for entry in schema}
    request: dict[str, Any] = {"TableName": table_name, "BillingMode": "PAY_PER_REQUEST", "KeySchema": schema}
    indexes = []
    for index in dms_model.get("indexes") or []:
        index_schema = [{"AttributeName": index["partition"]["attribute"], "KeyType": "HASH"}]
        if index.get("sort"):
            index_schema.append({"AttributeName": index["sort"]["attribute"], "KeyType": "RANGE"})
        used |= {entry["AttributeName"] for entry in index_schema}
        projection: dict[str, Any] = {"ProjectionType": index.get("projection", {}).get("type", "ALL")}
        if index.get("projection", {}).get("fields"):
            projection["NonKeyAttributes"] = index["projection"]["fields"]
        indexes.append({"IndexName": index["name"], "KeySchema": index_schema, "Projection": projection})
    if indexes:
        request["GlobalSecondaryIndexes"] = indexes
    request["AttributeDefinitions"] = [
        {"AttributeName": name, "AttributeType": types[name]} for name in sorted(used)
    ]
    client.create_table(**request)


def _logical(av: Mapping[str, Any]) -> Any:
    """A stored attribute value as a plain value (S -> str, N -> int or Decimal, SS -> sorted list...)."""
    ((kind, raw),) = av.items()
    if kind == "N":
        number = Decimal(raw)
        return int(number) if number == number.to_integral_value() else number
    if kind in ("SS", "NS", "BS"):
        return sorted(_logical({kind[0]: member}) for member in raw)
    if kind == "L":
        return [_logical(member) for member in raw]
    if kind == "M":
        return {key: _logical(member) for key, member in raw.items()}
    if kind == "NULL":
        return None
    return raw


def _same(kind: str, want: Any, have: Any) -> bool:
    if kind == "S":
        return str(want) == str(have)
    if kind == "N":
        return int(want) == int(have)
    if kind in ("SS", "NS", "BS"):
        return sorted(map(str, want)) == sorted(map(str, have))
    return bool(want == have)


@dataclass
class Driver:
    """The Python driver: the four operations of the contract, on one ``Table`` per model."""

    client: Any
    model: ModelDefinition[Any]
    table_name: str
    table: Table[Any] = field(init=False)

    def __post_init__(self) -> None:
        self.table = Table(self.model, client=self.client, table_name=self.table_name)

    def _instance(self, item: Mapping[str, Any]) -> Any:
        values: dict[str, Any] = {}
        for attribute, value in item.items():
            f = self.model.field(attribute)
            values[f.python_name] = self._python_value(f.python_name, value)
        return self.model.model(**values)

    def _python_value(self, python_name: str, value: Any) -> Any:
        hint = next(f.hint for f in self.model.fields if f.python_name == python_name)
        if isinstance(value, list) and "set" in str(hint):
            return set(value)
        return value

    def _key(self, key: Mapping[str, Any]) -> tuple[Any, Any]:
        pk = key[self.model.pk.attribute_name]
        sk = None if self.model.sk is None else key[self.model.sk.attribute_name]
        return pk, sk

    def create(self, item: Mapping[str, Any], if_not_exists: bool) -> None:
        instance = self._instance(item)
        if if_not_exists:
            self.table.create(instance)
        else:
            self.table.put(instance)

    def get(self, key: Mapping[str, Any]) -> dict[str, Any]:
        found = self.table.get(*self._key(key), consistent_read=True)
        return {name: _logical(av) for name, av in self.table.to_item(found).items()}

    def update(self, item: Mapping[str, Any], fields: list[str]) -> None:
        version_field = self.model.role("version")
        if version_field is None or version_field.attribute_name not in item:
            raise ModelDefinitionError("update needs the model's version field and the current version")
        updates: dict[str, Any] = {}
        for attribute in fields:
            f = self.model.field(attribute)
            value = self._python_value(f.python_name, item.get(attribute))
            empty = value is None or (f.options.omitempty and hasattr(value, "__len__") and len(value) == 0)
            updates[f.python_name] = None if empty else value
        self.table.update(*self._key(item), updates, expected_version=int(item[version_field.attribute_name]))

    def delete(self, key: Mapping[str, Any]) -> None:
        self.table.delete(*self._key(key))


def run_scenario(
    scenario: Mapping[str, Any], client: Any, model: ModelDefinition[Any], dms: Mapping[str, Any]
) -> None:
    """Create a fresh table for the scenario, then run its steps in order; ``ScenarioFailure`` names the
    first step that differs."""
    table_name = f"{scenario['table']['name']}-{uuid.uuid4().hex[:10]}"
    create_table_from_dms(client, dms, table_name)
    try:
        _run_steps(scenario, Driver(client, model, table_name), dms)
    finally:
        client.delete_table(TableName=table_name)


def _run_steps(scenario: Mapping[str, Any], driver: Driver, dms: Mapping[str, Any]) -> None:
    types = {a["attribute"]: a["type"] for a in dms["attributes"]}
    variables: dict[str, Any] = {}
    for number, step in enumerate(scenario["steps"], 1):
        where = f"{scenario['name']} step {number} ({step['op']})"
        expect = step.get("expect") or {}
        item: dict[str, Any] | None = None
        raw: dict[str, Any] | None = None
        error: str | None = None
        try:
            match step["op"]:
                case "create":
                    driver.create(step["item"], bool(step.get("if_not_exists", False)))
                case "get":
                    item = driver.get(step["key"])
                case "update":
                    driver.update(step["item"], list(step["fields"]))
                case "delete":
                    driver.delete(step["key"])
                case "sleep":
                    time.sleep(int(step["ms"]) / 1000)
                case other:
                    raise ScenarioFailure(f"{where}: unknown op {other!r}")
        except ScenarioFailure:
            raise
        except Exception as exc:
            codes = [code for cls, code in _ERRORS if isinstance(exc, cls)]
            if not codes:
                raise
            error = codes[0]
        if step["op"] == "get" and error is None:
            key = {name: {"S": str(value)} for name, value in step["key"].items()}
            raw = driver.client.get_item(TableName=driver.table_name, Key=key, ConsistentRead=True).get(
                "Item"
            )
        _check(where, expect, error, item, raw, types, variables)
        for var, attribute in (step.get("save") or {}).items():
            if item is None or attribute not in item:
                raise ScenarioFailure(f"{where}: cannot save {attribute!r}: not in the item")
            variables[var] = item[attribute]


def _check(
    where: str,
    expect: Mapping[str, Any],
    error: str | None,
    item: dict[str, Any] | None,
    raw: dict[str, Any] | None,
    types: Mapping[str, str],
    variables: Mapping[str, Any],
) -> None:
    if "error" in expect:
        if error != expect["error"]:
            raise ScenarioFailure(f"{where}: expected {expect['error']}, got {error or 'success'}")
        return
    if error is not None:
        raise ScenarioFailure(f"{where}: expected success, got {error}")
    if expect.get("ok") is False:
        raise ScenarioFailure(f"{where}: expected a failure, the step succeeded")
    have = item or {}
    for name, want in (expect.get("item_contains") or {}).items():
        if name not in have or not _same(types.get(name, "S"), want, have[name]):
            raise ScenarioFailure(f"{where}: {name}: expected {want!r}, got {have.get(name, '<missing>')!r}")
    for name in expect.get("item_has_fields") or []:
        if name not in have:
            raise ScenarioFailure(f"{where}: field {name} is missing from {sorted(have)}")
    for name in expect.get("item_missing_fields") or []:
        if raw is not None and name in raw:
            raise ScenarioFailure(f"{where}: field {name} should be absent, stored as {raw[name]!r}")
    for name, kind in (expect.get("raw_attribute_types") or {}).items():
        stored = (raw or {}).get(name)
        if stored is None or next(iter(stored)) != kind:
            raise ScenarioFailure(f"{where}: {name} should be stored as {kind}, is {stored!r}")
    for name, var in (expect.get("item_field_equals_var") or {}).items():
        if have.get(name) != variables.get(var):
            raise ScenarioFailure(
                f"{where}: {name} = {have.get(name)!r} differs from {var} = {variables.get(var)!r}"
            )
    for name, var in (expect.get("item_field_not_equals_var") or {}).items():
        if have.get(name) == variables.get(var):
            raise ScenarioFailure(f"{where}: {name} should differ from {var} = {variables.get(var)!r}")
