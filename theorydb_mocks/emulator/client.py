"""A boto3-compatible low-level DynamoDB client answered directly by the emulator (no HTTP, no serializer).

It has the method names and keyword arguments of ``boto3.client("dynamodb")``. Each call:

1. fills idempotency tokens (``ClientRequestToken``) as botocore does;
2. validates the parameters client-side with botocore's rules and messages (``ParamValidationError``): a
   compiled per-operation check decides quickly that a request is valid; only a request it cannot vouch for
   goes through botocore's own ``ParamValidator`` (for the exact report) and the blob conversion
   (``str`` -> UTF-8 ``bytes``, as the wire would do);
3. dispatches into the emulator and returns the response with ``ResponseMetadata``, or raises the error as
   a botocore ``ClientError`` subclass from ``client.exceptions`` with the modeled fields.

``get_paginator`` and ``get_waiter`` are botocore's own, driven by this client's methods.

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> client = DynamoDBEmulator().client()
>>> try:
...     client.describe_table(TableName="missing")
... except client.exceptions.ResourceNotFoundException as err:
...     print(err.response["Error"]["Message"])
Requested resource not found: Table: missing not found
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import botocore.session
from botocore import xform_name
from botocore.client import ClientMeta
from botocore.config import Config
from botocore.exceptions import OperationNotPageableError, ParamValidationError
from botocore.hooks import HierarchicalEmitter
from botocore.model import ServiceModel
from botocore.paginate import Paginator
from botocore.utils import parse_timestamp
from botocore.validate import ParamValidator
from botocore.waiter import WaiterModel, create_waiter_with_client

from theorydb_mocks._service import client_exceptions
from theorydb_mocks._stub_types import DynamoDBClientBase
from theorydb_mocks.emulator import door
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.validation import check_depth, fully_valid

if TYPE_CHECKING:
    from theorydb_mocks.emulator.core import DynamoDBEmulator

__all__ = ["EmulatorClient"]


@functools.cache
def _session() -> Any:
    return botocore.session.get_session()


@functools.cache
def service_model() -> ServiceModel:
    """botocore's own DynamoDB model: its validator, paginators and waiters take its shapes."""
    model: ServiceModel = _session().get_service_model("dynamodb")
    return model


def _exceptions() -> Any:
    """boto3's own exception classes (shared with real clients and the fakes), so either's catch works."""
    return client_exceptions("dynamodb")


@functools.cache
def _paginator_config() -> dict[str, Any]:
    loaded: dict[str, Any] = (
        _session().get_component("data_loader").load_service_model("dynamodb", "paginators-1")
    )
    return dict(loaded["pagination"])


@functools.cache
def _waiter_model() -> WaiterModel:
    loaded = _session().get_component("data_loader").load_service_model("dynamodb", "waiters-2")
    return WaiterModel(loaded)


@functools.cache
def _method_names() -> dict[str, str]:
    """python_name -> OperationName for every operation in the service model."""
    return {xform_name(name): name for name in service_model().operation_names}


# --- client-side validation ----------------------------------------------------------------------


_PARAM_VALIDATOR = ParamValidator()


def _convert(value: Any, shape: Any) -> Any:
    """The request as the wire would carry it: blobs as ``bytes`` (botocore sends ``str`` as UTF-8),
    timestamps as ``datetime``."""
    kind = shape.type_name
    if kind == "blob":
        if isinstance(value, str):
            return value.encode("utf-8")
        if isinstance(value, (bytearray, memoryview)):
            return bytes(value)
        if hasattr(value, "read"):
            data = value.read()
            return data.encode("utf-8") if isinstance(data, str) else bytes(data)
        return value
    if kind == "timestamp" and not isinstance(value, datetime):
        return parse_timestamp(value)  # botocore accepts ISO strings and epoch numbers; the wire has one form
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {k: _convert(v, members[k]) if k in members else v for k, v in value.items()}
    if kind == "list" and isinstance(value, (list, tuple)):
        return [_convert(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _convert(v, shape.value) for k, v in value.items()}
    return value


class _Operation:
    """Everything one client method needs, computed once per operation."""

    __slots__ = ("name", "python_name", "shape", "tokens", "valid")

    def __init__(self, name: str) -> None:
        model = service_model().operation_model(name)
        self.name = name
        self.python_name = xform_name(name)
        self.shape = model.input_shape
        self.valid = fully_valid(name)
        self.tokens = (
            tuple(n for n, m in self.shape.members.items() if m.metadata.get("idempotencyToken"))
            if self.shape is not None
            else ()
        )

    def prepare(self, params: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Parameters ready for ``dispatch``, and whether the service's validation has passed too.

        Raises ``ParamValidationError`` like botocore. Hot path (benchmarks/: single-item calls): one
        compiled predicate covering botocore's rules and the service's, then dispatch without revalidating.
        Anything else (a request the service will refuse, a ``str`` blob, an ISO timestamp) goes through
        botocore's own validator and conversion, then the service's validation in ``dispatch``.
        """
        for token in self.tokens:
            if token not in params:
                params = {**params, token: str(uuid.uuid4())}
        if self.valid(params):  # bounded in depth: a request it passes needs no depth gate
            return params, True
        check_depth(self.shape, params)  # botocore's validator below recurses
        if self.shape is None:
            if params:
                raise ParamValidationError(report=f"Unknown parameters: {', '.join(map(str, params))}")
            return params, False
        try:
            report = _PARAM_VALIDATOR.validate(params, self.shape)
        except Exception as exc:  # botocore's timestamp parsing can crash (dateutil overflow): still invalid
            raise ParamValidationError(report=f"Invalid parameter value: {exc}") from exc
        if report.has_errors():
            raise ParamValidationError(report=report.generate_report())
        try:
            converted: dict[str, Any] = _convert(params, self.shape)
        except (OSError, ValueError, TypeError) as exc:  # a file-like blob that cannot be read
            raise ParamValidationError(report=f"Invalid blob parameter: {exc}") from exc
        return converted, False


@functools.cache
def _operation(name: str) -> _Operation:
    return _Operation(name)


def prepare_params(operation: str, params: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """``params`` of the DynamoDB ``operation`` ready for ``dispatch``, and whether they are prevalidated
    (see ``_Operation.prepare``; KeyError for an operation DynamoDB's model does not define)."""
    if operation not in _method_names_to_api().values():
        raise KeyError(operation)
    return _operation(operation).prepare(params)


def _response_metadata(status: int) -> dict[str, Any]:
    request_id = door.request_id()
    return {
        "RequestId": request_id,
        "HTTPStatusCode": status,
        "HTTPHeaders": {
            "server": "Server",
            "content-type": "application/x-amz-json-1.0",
            "x-amzn-requestid": request_id,
        },
        "RetryAttempts": 0,
    }


# --- the client ----------------------------------------------------------------------------------


class EmulatorClient(DynamoDBClientBase):
    """A low-level DynamoDB client whose calls the emulator answers in-process (see the module docstring)."""

    def __init__(self, emulator: DynamoDBEmulator) -> None:
        self._emulator = emulator
        model: ServiceModel = service_model()
        self.meta = ClientMeta(
            events=HierarchicalEmitter(),
            client_config=Config(region_name=emulator.region),
            endpoint_url="emulator://dynamodb",
            service_model=model,
            method_to_api_mapping=_method_names_to_api(),
            partition="aws",
        )
        self.exceptions = _exceptions()

    def __repr__(self) -> str:
        return f"<EmulatorClient dynamodb {self._emulator.region}>"

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"'DynamoDB' object has no attribute '{name}'")

    def _make_api_call(self, operation_name: str, api_params: dict[str, Any]) -> dict[str, Any]:
        """Run one operation (botocore's name for this hook, so tools that wrap it keep working)."""
        try:
            prepare = _operation(operation_name).prepare  # botocore's rules, unless an express lane answers
            response = self._emulator.dispatch(operation_name, api_params, prepare=prepare)
        except DynamoDBError as err:
            error_response = err.error_response()
            error_response["ResponseMetadata"] = _response_metadata(err.status)
            raise self.exceptions.from_code(err.code)(error_response, operation_name) from None
        response["ResponseMetadata"] = _response_metadata(200)
        return response

    def can_paginate(self, operation_name: str) -> bool:
        api_name = _method_names().get(operation_name)
        return api_name is not None and api_name in _paginator_config()

    def get_paginator(self, operation_name: str) -> Paginator:
        """botocore's paginator for ``query``, ``scan``, ``list_tables``... driven by this client."""
        if not self.can_paginate(operation_name):
            raise OperationNotPageableError(operation_name=operation_name)
        api_name = _method_names()[operation_name]
        return Paginator(
            getattr(self, operation_name),
            _paginator_config()[api_name],
            service_model().operation_model(api_name),
        )

    @property
    def waiter_names(self) -> list[str]:
        return sorted(xform_name(name) for name in _waiter_model().waiter_names)

    def get_waiter(self, waiter_name: str) -> Any:
        """botocore's waiter (``table_exists``, ``table_not_exists``...) polling this client."""
        mapping = {xform_name(name): name for name in _waiter_model().waiter_names}
        if waiter_name not in mapping:
            raise ValueError(f"Waiter does not exist: {waiter_name}")
        return create_waiter_with_client(mapping[waiter_name], _waiter_model(), self)

    def close(self) -> None:
        """Nothing to release; present because boto3 clients have it."""


@functools.cache
def _method_names_to_api() -> dict[str, str]:
    return dict(_method_names())


def _api_method(python_name: str, operation_name: str) -> Callable[..., dict[str, Any]]:
    def method(self: EmulatorClient, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args:
            raise TypeError(f"{python_name}() only accepts keyword arguments.")
        return self._make_api_call(operation_name, kwargs)

    method.__name__ = python_name
    method.__qualname__ = f"EmulatorClient.{python_name}"
    method.__doc__ = f"DynamoDB {operation_name}, answered by the emulator."
    return method


for _python_name, _api_name in _method_names().items():
    setattr(EmulatorClient, _python_name, _api_method(_python_name, _api_name))
