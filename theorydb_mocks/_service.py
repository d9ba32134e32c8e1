"""What the strict fakes borrow from botocore: service models, exception classes, validation, metadata.

Everything is derived from botocore's own service model, so the fakes grow with botocore: every operation
of the real client exists, requests are validated exactly as botocore validates them
(``ParamValidationError``), and errors are the ``ClientError`` subclasses that ``client.exceptions.<Code>``
names on a real client.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import uuid
from collections.abc import Mapping
from typing import Any

import botocore.session
from botocore import xform_name
from botocore.client import ClientMeta
from botocore.config import Config
from botocore.errorfactory import ClientExceptionsFactory
from botocore.exceptions import ClientError, ParamValidationError
from botocore.hooks import HierarchicalEmitter
from botocore.model import ServiceModel, Shape
from botocore.validate import ParamValidator, ValidationErrors, validate_parameters

from theorydb_mocks._matchers import Exact, Matcher

__all__ = [
    "build_client_error",
    "check_expected",
    "client_exceptions",
    "client_meta",
    "method_names",
    "response_metadata",
    "service_model",
    "validate_error_fields",
    "validate_output",
    "validate_request",
    "waiter_config",
    "xform_name",
]


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def service_model(service: str) -> ServiceModel:
    """botocore's model of ``service`` (``"dynamodb"``, ``"kms"``), loaded once per process."""
    return _session().get_service_model(service)


@functools.cache
def method_names(service: str) -> dict[str, str]:
    """Python method name -> API operation name, exactly as a real client derives them."""
    model = service_model(service)
    return {xform_name(name): name for name in model.operation_names}


@functools.cache
def client_exceptions(service: str) -> Any:
    """The ``client.exceptions`` namespace: boto3's own classes when available, so a fake's
    ``ConditionalCheckFailedException`` is the very class a real boto3 client raises."""
    try:
        import boto3

        session = boto3._get_default_session()  # what boto3.client() uses
        factory = session._session._get_internal_component("exceptions_factory")
    except Exception:  # boto3 internals moved: fall back to a private factory (still the right names)
        factory = ClientExceptionsFactory()
    return factory.create_client_exceptions(service_model(service))


@functools.cache
def paginator_config(service: str) -> dict[str, Any]:
    """The pagination configuration per operation (``{"Query": {...}, ...}``)."""
    config: dict[str, Any] = (
        _session().get_component("data_loader").load_service_model(service, "paginators-1")["pagination"]
    )
    return config


def client_meta(service: str, region_name: str) -> ClientMeta:
    """A real ``ClientMeta``, so ``fake.meta.service_model`` and ``.region_name`` work as on a client."""
    return ClientMeta(
        events=HierarchicalEmitter(),
        client_config=Config(region_name=region_name),
        endpoint_url=f"https://{service}.{region_name}.amazonaws.com",
        service_model=service_model(service),
        method_to_api_mapping=method_names(service),
        partition="aws",
    )


def validate_request(params: Mapping[str, Any], shape: Shape | None) -> None:
    """Validate a received request as botocore does before sending; raises ``ParamValidationError``."""
    if shape is None:
        if params:
            raise ParamValidationError(report=f'Unknown parameter in input: "{next(iter(params))}"')
        return
    validate_parameters(params, shape)


def validate_output(response: Mapping[str, Any], shape: Shape | None) -> None:
    """Validate a canned response against the operation's output shape (``ResponseMetadata`` aside)."""
    if not isinstance(response, Mapping):
        raise ParamValidationError(
            report=f"Invalid type for response, value: {response!r}, type: {type(response)}, "
            "valid types: <class 'dict'>"
        )
    body = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    if shape is None:
        if body:
            raise ParamValidationError(report=f'Unknown parameter in response: "{next(iter(body))}"')
        return
    report = ParamValidator().validate(body, shape)
    if report.has_errors():  # botocore calls the root "input"; here it is the response
        text = report.generate_report().replace(" in input:", " in response:")
        raise ParamValidationError(report=text)


def validate_error_fields(fields: Mapping[str, Any], shape: Shape | None, code: str) -> None:
    """Validate the modeled fields of an error (``Item``, ``CancellationReasons``) against its shape."""
    members = {} if shape is None else {k: v for k, v in shape.members.items() if k.lower() != "message"}
    errors = ValidationErrors()
    for key, value in fields.items():
        if key not in members:
            valid = ", ".join(members) or "(none: this error has no modeled fields)"
            errors.report(code, "unknown field", unknown_param=key, valid_names=[valid])
        else:
            _check(value, members[key], errors, f"{code}.{key}", tolerant=False)
    if errors.has_errors():
        raise ParamValidationError(report=errors.generate_report())


def check_expected(expected: Any, shape: Shape | None) -> None:
    """Validate an expectation against the input shape, tolerantly: matchers stand for any value and
    required members may be left out (dicts match as subsets), but unknown names and wrong types fail now,
    at registration, instead of as a puzzling mismatch later."""
    if isinstance(expected, Exact):
        expected = expected.expected
    if isinstance(expected, Matcher):
        return
    if not isinstance(expected, Mapping):
        raise ParamValidationError(
            report=f"Invalid type for expected parameters, value: {expected!r}, type: {type(expected)}, "
            "valid types: <class 'dict'>, a matcher"
        )
    if shape is None:
        if expected:
            raise ParamValidationError(report=f'Unknown parameter in input: "{next(iter(expected))}"')
        return
    errors = ValidationErrors()
    _check(expected, shape, errors, "", tolerant=True)
    if errors.has_errors():
        raise ParamValidationError(report=errors.generate_report())


_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "float": (float, decimal.Decimal, int),
    "double": (float, decimal.Decimal, int),
    "blob": (bytes, bytearray, str),
    "timestamp": (datetime.datetime, str),
}


def _check(value: Any, shape: Shape, errors: ValidationErrors, name: str, *, tolerant: bool) -> None:
    """A walk over ``value`` reporting unknown members and wrong types in botocore's words."""
    if tolerant and isinstance(value, Exact):
        value = value.expected
    if tolerant and isinstance(value, Matcher):
        return
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, Mapping):
            errors.report(name, "invalid type", param=value, valid_types=[str(dict)])
            return
        members = shape.members
        for key, item in value.items():
            if key not in members:
                errors.report(name, "unknown field", unknown_param=key, valid_names=list(members))
            else:
                _check(item, members[key], errors, f"{name}.{key}", tolerant=tolerant)
        if not tolerant:
            for required in shape.required_members:
                if required not in value:
                    errors.report(name, "missing required field", required_name=required, user_params=value)
    elif kind == "map":
        if not isinstance(value, Mapping):
            errors.report(name, "invalid type", param=value, valid_types=[str(dict)])
            return
        for key, item in value.items():
            if not isinstance(key, str):
                errors.report(f"{name} (key)", "invalid type", param=key, valid_types=[str(str)])
            _check(item, shape.value, errors, f"{name}.{key}", tolerant=tolerant)
    elif kind == "list":
        if not isinstance(value, (list, tuple)):
            errors.report(name, "invalid type", param=value, valid_types=[str(list), str(tuple)])
            return
        for index, item in enumerate(value):
            _check(item, shape.member, errors, f"{name}[{index}]", tolerant=tolerant)
    elif kind in _SCALARS and not isinstance(value, _SCALARS[kind]):
        errors.report(name, "invalid type", param=value, valid_types=[str(t) for t in _SCALARS[kind]])


def response_metadata(status: int = 200) -> dict[str, Any]:
    """The ``ResponseMetadata`` block every real response carries."""
    request_id = uuid.uuid4().hex.upper()
    return {
        "RequestId": request_id,
        "HTTPStatusCode": status,
        "HTTPHeaders": {"x-amzn-requestid": request_id, "content-type": "application/x-amz-json-1.0"},
        "RetryAttempts": 0,
    }


def build_client_error(
    service: str,
    operation_name: str,
    code: str,
    message: str,
    fields: Mapping[str, Any],
    status: int = 400,
) -> ClientError:
    """The ``ClientError`` subclass a real client raises for ``code``, with a response shaped like botocore's.

    >>> err = build_client_error("dynamodb", "PutItem", "ConditionalCheckFailedException",
    ...                          "The conditional request failed", {})
    >>> type(err).__name__, err.response["Error"]["Message"]
    ('ConditionalCheckFailedException', 'The conditional request failed')
    """
    response: dict[str, Any] = {
        "Error": {"Message": message, "Code": code},
        "ResponseMetadata": response_metadata(status),
    }
    shape = error_shape(service, code)
    if shape is not None and "Message" in shape.members:
        response["Message"] = message  # botocore surfaces a capitalised modeled Message at the top level
    response.update(fields)
    cls: type[ClientError] = client_exceptions(service).from_code(code)
    return cls(response, operation_name)


@functools.cache
def _error_shapes(service: str) -> dict[str, Shape]:
    model = service_model(service)
    return {shape.error_code or shape.name: shape for shape in model.error_shapes}


def error_shape(service: str, code: str) -> Shape | None:
    """The modeled shape of error ``code``, or ``None`` for codes outside the model."""
    return _error_shapes(service).get(code)


@functools.cache
def waiter_config(service: str) -> dict[str, Any]:
    """The waiter configuration (``{"version": 2, "waiters": {...}}``) as botocore ships it."""
    config: dict[str, Any] = _session().get_component("data_loader").load_service_model(service, "waiters-2")
    return config
