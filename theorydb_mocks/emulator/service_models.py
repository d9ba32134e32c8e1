"""The DynamoDB and DynamoDB Streams service models, from botocore's data files without importing botocore.

Why: the server needs the model's shapes (validation, the wire's blob and timestamp conversions) but none
of botocore's machinery, and importing ``botocore.session`` was most of the server's start-up (0.2-0.35 s
of about 0.55). This reader finds botocore's installed data with ``importlib.util.find_spec`` (which does
not import the package), loads one JSON file and resolves shapes on demand.

It offers the part of botocore's model interface the emulator reads, with botocore's meaning:

- ``ServiceModel``: ``service_name``, ``operation_names`` (model order), ``operation_model(name)``,
  ``shape_for(name)``, ``shape_names``;
- ``OperationModel``: ``name``, ``input_shape``, ``output_shape`` (``None`` when the operation has none);
- ``Shape``: ``name``, ``type_name``, ``metadata`` (the constraint traits: ``required``, ``min``,
  ``max``, ``pattern``, ``enum``...; a member's own traits override its shape's), ``members`` (structures,
  in model order), ``member`` (lists), ``key`` and ``value`` (maps).

The direct client keeps botocore's own model: it hands shapes to botocore's validator, paginators and
waiters. ``tests/emulator/test_service_models.py`` compares the two models shape by shape.

>>> model = load_model("dynamodb")
>>> model.operation_model("GetItem").input_shape.members["Key"].value.name
'AttributeValue'
>>> model.shape_for("TableName").metadata
{'min': 3, 'max': 255, 'pattern': '[a-zA-Z0-9_.-]+'}
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import json
from pathlib import Path
from typing import Any

__all__ = ["OperationModel", "ServiceModel", "Shape", "data_directory", "load_model"]

# The shape traits botocore exposes as ``Shape.metadata`` (botocore.model.Shape.METADATA_ATTRS).
METADATA_TRAITS = (
    "required",
    "min",
    "max",
    "pattern",
    "sensitive",
    "enum",
    "idempotencyToken",
    "error",
    "exception",
    "endpointdiscoveryid",
    "retryable",
    "document",
    "union",
    "contextParam",
    "clientContextParams",
    "requiresLength",
)


class Shape:
    """One shape of the model; a structure member carries its own traits over its shape's."""

    __slots__ = (
        "_key",
        "_member",
        "_members",
        "_model",
        "_service",
        "_value",
        "metadata",
        "name",
        "type_name",
    )

    def __init__(self, service: ServiceModel, name: str, model: dict[str, Any]) -> None:
        self._service = service
        self._model = model
        self.name = name
        self.type_name: str = model["type"]
        self.metadata: dict[str, Any] = {trait: model[trait] for trait in METADATA_TRAITS if trait in model}
        self._members: dict[str, Shape] | None = None
        self._member: Shape | None = None
        self._key: Shape | None = None
        self._value: Shape | None = None

    def __repr__(self) -> str:
        return f"<Shape({self.name})>"

    @property
    def members(self) -> dict[str, Shape]:
        """A structure's members by name, in model order (empty for other kinds)."""
        if self._members is None:
            refs = self._model.get("members", {})
            self._members = {name: self._service.resolve(ref) for name, ref in refs.items()}
        return self._members

    @property
    def member(self) -> Shape:
        """A list's element shape."""
        if self._member is None:
            self._member = self._service.resolve(self._model["member"])
        return self._member

    @property
    def key(self) -> Shape:
        """A map's key shape."""
        if self._key is None:
            self._key = self._service.resolve(self._model["key"])
        return self._key

    @property
    def value(self) -> Shape:
        """A map's value shape."""
        if self._value is None:
            self._value = self._service.resolve(self._model["value"])
        return self._value


class OperationModel:
    """One operation: its name and its input and output shapes."""

    __slots__ = ("input_shape", "name", "output_shape")

    def __init__(self, service: ServiceModel, name: str, model: dict[str, Any]) -> None:
        self.name = name
        self.input_shape: Shape | None = service.resolve(model["input"]) if "input" in model else None
        self.output_shape: Shape | None = service.resolve(model["output"]) if "output" in model else None


class ServiceModel:
    """A service's operations and shapes, as botocore's data file describes them."""

    def __init__(self, service_name: str, model: dict[str, Any]) -> None:
        self.service_name = service_name
        self._operations: dict[str, dict[str, Any]] = model["operations"]
        self._shapes: dict[str, dict[str, Any]] = model["shapes"]
        self._named: dict[str, Shape] = {}
        self._operation_models: dict[str, OperationModel] = {}
        self.operation_names: list[str] = list(self._operations)

    @property
    def shape_names(self) -> list[str]:
        return list(self._shapes)

    def shape_for(self, name: str) -> Shape:
        """The shape called ``name`` (KeyError when the model has none)."""
        found = self._named.get(name)
        if found is None:
            found = self._named[name] = Shape(self, name, self._shapes[name])
        return found

    def resolve(self, ref: dict[str, Any]) -> Shape:
        """The shape a reference names; a reference with traits of its own gets a shape of its own."""
        name: str = ref["shape"]
        if len(ref) == 1:
            return self.shape_for(name)
        return Shape(self, name, {**self._shapes[name], **{k: v for k, v in ref.items() if k != "shape"}})

    def operation_model(self, name: str) -> OperationModel:
        """The operation called ``name`` (KeyError when the model has none)."""
        found = self._operation_models.get(name)
        if found is None:
            found = self._operation_models[name] = OperationModel(self, name, self._operations[name])
        return found


def data_directory() -> Path:
    """botocore's installed ``data`` directory, located without importing botocore."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("botocore is not installed: its data files describe the service")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _read_json(directory: Path) -> dict[str, Any] | None:
    plain = directory / "service-2.json"
    if plain.is_file():
        loaded: dict[str, Any] = json.loads(plain.read_bytes())
        return loaded
    packed = directory / "service-2.json.gz"
    if packed.is_file():
        unpacked: dict[str, Any] = json.loads(gzip.decompress(packed.read_bytes()))
        return unpacked
    return None


@functools.cache
def load_model(service: str) -> ServiceModel:
    """The newest API version of ``service``'s model among botocore's data (as botocore's loader picks it);
    loaded once per process."""
    versions = sorted((data_directory() / service).iterdir(), reverse=True)
    for version in versions:
        model = _read_json(version)
        if model is not None:
            return ServiceModel(service, model)
    raise FileNotFoundError(f"botocore has no service model for {service!r}")
