"""The DynamoDB and DynamoDB Streams service models, from botocore's data files without importing botocore.

Why: the server needs the model's shapes (validation, the wire's blob and timestamp conversions) but none
of botocore's machinery, and importing ``botocore.session`` was most of the server's start-up (0.2-0.35 s
of about 0.55). This reader finds botocore's installed data with ``importlib.util.find_spec`` (which does
not import the package), loads one JSON file and resolves shapes on demand. It looks where botocore's
loader looks (``AWS_DATA_PATH``, ``~/.aws/models``, then botocore's data) and merges ``sdk-extras`` files
as it does, so the server validates against the model a boto3 client on the same machine would use.

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
import os
from pathlib import Path
from typing import Any

__all__ = [
    "OperationModel",
    "ServiceModel",
    "Shape",
    "data_directory",
    "load_model",
    "read_model",
    "search_paths",
]

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

    __slots__ = ("_members", "_model", "_refs", "_service", "metadata", "name", "type_name")

    def __init__(self, service: ServiceModel, name: str, model: dict[str, Any]) -> None:
        self._service = service
        self._model = model
        self.name = name
        self.type_name: str = model["type"]
        self.metadata: dict[str, Any] = {trait: model[trait] for trait in METADATA_TRAITS if trait in model}
        self._members: dict[str, Shape] | None = None
        self._refs: dict[str, Shape] = {}  # member, key, value: resolved when first asked

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
        return self._resolved("member")

    @property
    def key(self) -> Shape:
        """A map's key shape."""
        return self._resolved("key")

    @property
    def value(self) -> Shape:
        """A map's value shape."""
        return self._resolved("value")

    def _resolved(self, role: str) -> Shape:
        found = self._refs.get(role)
        if found is None:
            found = self._refs[role] = self._service.resolve(self._model[role])
        return found


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


def search_paths() -> list[Path]:
    """Where botocore's loader looks for models, first match first: ``AWS_DATA_PATH``'s entries, then
    ``~/.aws/models``, then botocore's own data (a ``data_path`` in the AWS config file is not read)."""
    extra = os.environ.get("AWS_DATA_PATH")
    paths = (
        [os.path.expanduser(os.path.expandvars(path)) for path in extra.split(os.pathsep)] if extra else []
    )
    return [*map(Path, paths), Path(os.path.expanduser("~/.aws/models")), data_directory()]


def _read_json(directory: Path, name: str) -> dict[str, Any] | None:
    """``name``.json or ``name``.json.gz in ``directory`` (botocore ships its models packed), or None."""
    plain = directory / f"{name}.json"
    if plain.is_file():
        loaded: dict[str, Any] = json.loads(plain.read_bytes())
        return loaded
    packed = directory / f"{name}.json.gz"
    if packed.is_file():
        unpacked: dict[str, Any] = json.loads(gzip.decompress(packed.read_bytes()))
        return unpacked
    return None


def _has_model(version: Path) -> bool:
    return (version / "service-2.json").is_file() or (version / "service-2.json.gz").is_file()


def _first(paths: list[Path], relative: str, name: str) -> dict[str, Any] | None:
    """The first of the search paths' ``relative/name`` files, read."""
    for root in paths:
        found = _read_json(root / relative, name)
        if found is not None:
            return found
    return None


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    """An ``sdk-extras`` file's ``merge`` section, merged as botocore merges it (maps deeply, the rest
    replaced)."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def read_model(service: str, paths: list[Path] | None = None) -> ServiceModel:
    """``service``'s model as botocore's loader finds it: the newest API version with a ``service-2``
    file in any search path, read from the first path that has it, with its ``sdk-extras`` merged."""
    paths = search_paths() if paths is None else paths
    versions = {
        version.name
        for root in paths
        if (root / service).is_dir()
        for version in (root / service).iterdir()
        if _has_model(version)
    }
    if not versions:
        raise FileNotFoundError(f"botocore has no service model for {service!r}")
    relative = f"{service}/{max(versions)}"
    model = _first(paths, relative, "service-2")
    if model is None:  # (a version counts only where its model is; a file removed meanwhile)
        raise FileNotFoundError(f"the model of {service!r} {max(versions)} could not be read")
    extras = _first(paths, relative, "service-2.sdk-extras")
    if extras is not None and isinstance(extras.get("merge"), dict):
        _merge(model, extras["merge"])
    return ServiceModel(service, model)


@functools.cache
def load_model(service: str) -> ServiceModel:
    """``read_model`` of ``service``, once per process."""
    return read_model(service)
