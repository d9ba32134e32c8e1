"""The DynamoDB JSON 1.0 protocol codec: HTTP bodies <-> requests and responses in the boto3 low-level shape.

Shared by the HTTP server and the in-process routing of real boto3 clients, so both doors translate alike:

- ``decode_request(target, body)``: the ``X-Amz-Target`` header names the service and the operation
  (``DynamoDB_20120810.PutItem``, ``DynamoDBStreams_20120810.GetRecords``); the body is parsed with
  ``json.loads``, then base64 blobs (``B``, ``BS``) become ``bytes`` and epoch-second timestamps become aware
  ``datetime`` objects, at the places the service model says they live. A member of the wrong JSON
  type is left alone: the emulator's validation answers it with the service's ``SerializationException``.
- ``encode_response(service, operation, response)``: compact JSON, ``bytes`` as base64, ``datetime`` as
  epoch seconds (what the JSON protocol carries).
- ``encode_error(err)``: the status code and ``{"__type": ..., "message": ...}`` plus modeled fields
  (``CancellationReasons``, ``Item``), in the form the AWS SDKs parse.

Speed: each operation's blob and timestamp positions are compiled once into a converter, together with the
member names that lead to them. A body mentioning none of those names (and no ``\\u`` escape that could spell
one) skips the walk entirely, so most requests cost one ``json.loads``.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html

>>> decode_request("DynamoDB_20120810.GetItem", b'{"TableName":"t","Key":{"pk":{"B":"AAE="}}}')
('GetItem', {'TableName': 't', 'Key': {'pk': {'B': b'\\x00\\x01'}}})
>>> encode_response("dynamodb", "GetItem", {"Item": {"pk": {"B": b"\\x00\\x01"}}})
b'{"Item":{"pk":{"B":"AAE="}}}'
>>> status, body = encode_error(DynamoDBError("ResourceNotFoundException", "Requested resource not found"))
>>> status, json.loads(body)["__type"]
(400, 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException')
"""

from __future__ import annotations

import base64
import binascii
import datetime
import functools
import json
import re
from collections.abc import Callable
from typing import Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error
from theorydb_mocks.emulator.service_models import load_model

__all__ = [
    "DYNAMODB_PREFIX",
    "SERVICE_BY_PREFIX",
    "STREAMS_PREFIX",
    "decode_request",
    "encode_error",
    "encode_request",
    "encode_response",
    "operation_names",
]

DYNAMODB_PREFIX = "DynamoDB_20120810"
STREAMS_PREFIX = "DynamoDBStreams_20120810"

# X-Amz-Target prefix -> botocore service name whose model describes the operations behind it.
SERVICE_BY_PREFIX: dict[str, str] = {DYNAMODB_PREFIX: "dynamodb", STREAMS_PREFIX: "dynamodbstreams"}

_Convert = Callable[[Any], Any]


@functools.cache
def operation_names(service: str) -> frozenset[str]:
    """The operations the service model of ``service`` (``dynamodb`` or ``dynamodbstreams``) defines."""
    return frozenset(load_model(service).operation_names)


# --- decoding ------------------------------------------------------------------------------------------


def _serialization_error(message: str = M.MALFORMED_BODY) -> DynamoDBError:
    return ddb_error("SerializationException", message)


def _blob(value: Any) -> Any:
    """A base64 string as ``bytes``; any other JSON type is left for validation to reject by name."""
    if type(value) is not str:
        return value
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _serialization_error(M.BASE64_MALFORMED) from None


def _timestamp(value: Any) -> Any:
    """Epoch seconds (a JSON number) as an aware UTC ``datetime``, as botocore's parser returns it."""
    if type(value) is not int and type(value) is not float:
        return value
    try:
        return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        raise _serialization_error(M.NOT_CONVERTIBLE.format(kind=value, java_type="Date")) from None


class _Compiler:
    """Builds one converter per shape that holds a blob or a timestamp somewhere below it (else None).

    Converters mutate the freshly parsed JSON in place and return the converted value. Recursive shapes
    (``AttributeValue`` inside ``M`` and ``L``) resolve through a cell, like the validator's closures.
    """

    def __init__(self) -> None:
        self._converters: dict[str, _Convert | None] = {}
        self._names: dict[str, frozenset[str]] = {}

    def converter(self, shape: Any) -> _Convert | None:
        name = shape.name
        if name in self._converters:
            return self._converters[name]
        cell: list[_Convert] = []

        def deferred(value: Any) -> Any:
            return cell[0](value)

        self._converters[name] = deferred  # a recursive reference means "may hold one": keep walking
        built = self._build(shape)
        self._converters[name] = built
        if built is not None:
            cell.append(built)
        else:
            cell.append(_identity)
        return built

    def trigger_names(self, shape: Any, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        """Member names whose presence in a body means a conversion may be needed below them."""
        if shape.name in self._names:
            return self._names[shape.name]
        if shape.name in seen:
            return frozenset()
        inner = seen | {shape.name}
        found: set[str] = set()
        kind = shape.type_name
        if kind == "structure":
            for member_name, member in shape.members.items():
                if _leaf_kind(member) is not None:
                    found.add(member_name)
                found |= self.trigger_names(member, inner)
        elif kind == "list":
            found |= self.trigger_names(shape.member, inner)
        elif kind == "map":
            found |= self.trigger_names(shape.value, inner)
        result = frozenset(found)
        if not seen:
            self._names[shape.name] = result
        return result

    def _build(self, shape: Any) -> _Convert | None:
        kind = shape.type_name
        if kind == "blob":
            return _blob
        if kind == "timestamp":
            return _timestamp
        if kind == "structure":
            return self._structure(shape)
        if kind == "list":
            return self._list(shape)
        if kind == "map":
            return self._map(shape)
        return None

    def _structure(self, shape: Any) -> _Convert | None:
        members = {
            name: found
            for name, member in shape.members.items()
            if (found := self.converter(member)) is not None
        }
        if not members:
            return None
        if len(members) <= 2:
            pairs = tuple(members.items())

            def structure_small(value: Any) -> Any:
                if type(value) is dict:
                    for name, convert in pairs:
                        item = value.get(name)
                        if item is not None:
                            value[name] = convert(item)
                return value

            return structure_small

        def structure(value: Any) -> Any:
            if type(value) is dict:
                get = members.get
                for name, item in value.items():
                    if item is not None:
                        convert = get(name)
                        if convert is not None:
                            value[name] = convert(item)
            return value

        return structure

    def _list(self, shape: Any) -> _Convert | None:
        member = self.converter(shape.member)
        if member is None:
            return None

        def list_(value: Any) -> Any:
            if type(value) is list:
                for position, item in enumerate(value):
                    if item is not None:
                        value[position] = member(item)
            return value

        return list_

    def _map(self, shape: Any) -> _Convert | None:
        entry = self.converter(shape.value)
        if entry is None:
            return None

        def map_(value: Any) -> Any:
            if type(value) is dict:
                for key, item in value.items():
                    if item is not None:
                        value[key] = entry(item)
            return value

        return map_


def _identity(value: Any) -> Any:
    return value


def _leaf_kind(shape: Any) -> str | None:
    """``blob``/``timestamp`` for such a member, or a list/map of them; None otherwise."""
    kind = shape.type_name
    if kind in ("blob", "timestamp"):
        return str(kind)
    if kind == "list":
        return _leaf_kind(shape.member) if shape.member.type_name in ("blob", "timestamp") else None
    if kind == "map":
        return _leaf_kind(shape.value) if shape.value.type_name in ("blob", "timestamp") else None
    return None


_COMPILERS: dict[str, _Compiler] = {}


class _Decoder:
    """Everything decoding one operation's body needs, computed once."""

    __slots__ = ("_search", "convert", "triggers")

    def __init__(self, service: str, operation: str) -> None:
        compiler = _COMPILERS.setdefault(service, _Compiler())
        shape = load_model(service).operation_model(operation).input_shape
        self.convert: _Convert | None = None if shape is None else compiler.converter(shape)
        names = frozenset() if shape is None else compiler.trigger_names(shape)
        self.triggers = (*(f'"{name}"'.encode() for name in sorted(names)), b"\\u")
        # One search for all of them (a generator over ``in`` tests cost more than the JSON parse).
        self._search = re.compile(b"|".join(re.escape(trigger) for trigger in self.triggers)).search

    def needs_walk(self, body: bytes) -> bool:
        return self.convert is not None and self._search(body) is not None


@functools.cache
def _decoder(service: str, operation: str) -> _Decoder:
    return _Decoder(service, operation)


def _reject_constant(name: str) -> Any:
    """``NaN`` and ``Infinity`` are not JSON; the service's reader refuses them."""
    raise _serialization_error()


def _parse_target(target: str | None) -> tuple[str, str]:
    """(service, operation) for an ``X-Amz-Target`` value; UnknownOperationException otherwise."""
    prefix, dot, operation = (target or "").partition(".")
    service = SERVICE_BY_PREFIX.get(prefix)
    if not dot or service is None or operation not in operation_names(service):
        raise ddb_error("UnknownOperationException", M.UNKNOWN_TARGET)
    return service, operation


# Known targets -> (operation, decoder): the hot path is one dict lookup (filled as targets are seen).
_TARGETS: dict[str, tuple[str, _Decoder]] = {}
# One decoder object: ``json.loads`` with a keyword builds a new one per call (measured: half its cost).
_JSON = json.JSONDecoder(parse_constant=_reject_constant)
# The scanner itself (set by ``JSONDecoder.__init__``, untyped in typeshed): ``decode`` adds two whitespace
# matches and a call around it.
_SCAN: Callable[[str, int], tuple[Any, int]] = _JSON.scan_once  # type: ignore[attr-defined]


def decode_request(target: str | None, body: bytes) -> tuple[str, dict[str, Any]]:
    """The operation name and the request (boto3 low-level shape) carried by one HTTP request.

    Raises ``DynamoDBError``: ``UnknownOperationException`` for a target no service defines (or a DynamoDB
    operation under the Streams prefix and vice versa), ``SerializationException`` for a body that is not a
    JSON object or holds malformed base64 or timestamps. An empty body is an empty request.

    >>> decode_request("DynamoDBStreams_20120810.ListStreams", b"")
    ('ListStreams', {})
    >>> try:
    ...     decode_request("DynamoDB_20120810.Nope", b"{}")
    ... except DynamoDBError as err:
    ...     print(err.code)
    UnknownOperationException
    """
    known = _TARGETS.get(target) if target is not None else None
    if known is None:
        service, operation = _parse_target(target)
        known = _TARGETS[str(target)] = (operation, _decoder(service, operation))
    operation, decoder = known
    if not body or body.isspace():
        return operation, {}
    try:
        text = body.decode("utf-8", "surrogatepass")  # Java reads UTF-8 surrogates too
        request = None
        if text[0] == "{" and text[-1] == "}":  # the usual body: no surrounding whitespace to skip
            try:
                request, end = _SCAN(text, 0)
            except StopIteration:
                request = None  # not JSON: the full decoder below says why
            else:
                if end != len(text):
                    request = None
        if request is None:
            request = _JSON.decode(text)
    except DynamoDBError:
        raise
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError (both ValueErrors)
        raise _serialization_error() from None
    if type(request) is not dict:
        raise _serialization_error(_top_level_message(request))
    if decoder.needs_walk(body):
        convert = decoder.convert
        assert convert is not None  # needs_walk says so
        try:
            convert(request)
        except RecursionError:
            raise _serialization_error() from None
    return operation, request


def _top_level_message(value: Any) -> str:
    if isinstance(value, list):
        return M.LIST_NOT_EXPECTED
    if value is None:
        return M.STRUCTURE_EXPECTED.format(kind="VALUE_NULL")
    if isinstance(value, bool):
        kind = "TRUE_VALUE" if value else "FALSE_VALUE"
    elif isinstance(value, (int, float)):
        kind = "NUMBER_VALUE"
    else:
        kind = "STRING_VALUE"
    return M.STRUCTURE_EXPECTED.format(kind=kind)


# --- encoding ------------------------------------------------------------------------------------------


def _default(value: Any) -> Any:
    """What ``json.dumps`` cannot write itself: blobs as base64, timestamps as epoch seconds."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return value.timestamp()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_default, allow_nan=False)
_ASCII_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, default=_default, allow_nan=False)


def _encoder_once() -> Callable[[Any], str]:
    """``JSONEncoder.encode`` builds a new C encoder on every call (a measured part of a small answer's
    cost): build it once, the same one ``_ENCODER`` would (no circular check: answers are trees)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: the encoder object as it is
        return _ENCODER.encode
    encode = make(None, _default, json.encoder.encode_basestring, None, ":", ",", False, False, False)

    def dumps(value: Any) -> str:
        return "".join(encode(value, 0))

    return dumps


_ENCODE = _encoder_once()


def _dumps(value: Any) -> bytes:
    text = _ENCODE(value)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate read from a \\u escape: keep it escaped, still valid JSON
        return _ASCII_ENCODER.encode(value).encode("ascii")


def encode_response(service: str, operation: str, response: dict[str, Any]) -> bytes:
    """The JSON body of a successful answer (``ResponseMetadata``, if present, is not part of the wire).

    ``service`` and ``operation`` name what is answered (``"dynamodb"``/``"dynamodbstreams"``); the JSON
    protocol writes every operation alike, so they only select the model checked here.

    >>> import datetime
    >>> when = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    >>> encode_response("dynamodb", "DescribeTable", {"Table": {"CreationDateTime": when}})
    b'{"Table":{"CreationDateTime":1704067200.0}}'
    """
    if operation not in operation_names(service):
        raise ValueError(f"{service} has no operation {operation!r}")
    if "ResponseMetadata" in response:
        response = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    return _dumps(response)


def encode_request(operation: str, request: dict[str, Any]) -> tuple[str, bytes]:
    """The ``X-Amz-Target`` and JSON body that carry ``request`` (the inverse of ``decode_request``).

    >>> encode_request("GetItem", {"TableName": "t", "Key": {"pk": {"B": b"\\x01"}}})
    ('DynamoDB_20120810.GetItem', b'{"TableName":"t","Key":{"pk":{"B":"AQ=="}}}')
    """
    for prefix, service in SERVICE_BY_PREFIX.items():
        if operation in operation_names(service):
            return f"{prefix}.{operation}", _dumps(request)
    raise ValueError(f"no service defines the operation {operation!r}")


def encode_error(err: DynamoDBError) -> tuple[int, bytes]:
    """The status code and JSON body of an error answer: ``__type``, ``message``, then modeled fields.

    The message is left out where the service sends none (``UnknownOperationException``, a body that is
    not JSON).

    >>> encode_error(DynamoDBError("UnknownOperationException", ""))
    (400, b'{"__type":"com.amazon.coral.service#UnknownOperationException"}')
    """
    body: dict[str, Any] = {"__type": err.type_name}
    if err.message:
        body["message"] = err.message
    body.update(err.fields)
    return err.status, _dumps(body)
