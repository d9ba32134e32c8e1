"""No request, however malformed, makes the emulator raise anything but DynamoDB's errors.

Hypothesis throws two kinds of garbage at every operation in the service model: plain junk (any JSON-like
value, bytes and non-finite floats included), and shape-guided requests that follow the operation's model
closely enough to get past validation into the handlers (real table and attribute names, enum values,
plausible expressions), with junk mixed in at every level.

- ``emu.dispatch`` may only raise ``DynamoDBError``, and never an ``InternalServerError`` (a handler bug);
- ``emu.client()`` may only raise ``ClientError`` (again not InternalServerError) or ``ParamValidationError``.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError, ParamValidationError
from botocore.validate import ParamValidator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator, DynamoDBError
from theorydb_mocks.emulator.client import service_model  # botocore's: its ParamValidator takes the shapes
from theorydb_mocks.emulator.validation import _COMPILER, _FAST, fully_valid, validator_for

OPERATIONS = sorted(service_model().operation_names)
TABLE = "things"
NAMES = ["pk", "sk", "gk", "x", "#n", ""]
EXPRESSIONS = [
    "pk = :v",
    "pk = :v AND sk > :n",
    "attribute_exists(x)",
    "SET x = :v",
    "REMOVE x",
    "ADD x :n",
    "#n = :v",
    "x, #n",
    "(",
    "",
]

junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.binary(max_size=8)
    | st.sampled_from([TABLE, "pk", ":v", "#n", "S", "N", "HASH"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=4) | st.sampled_from(NAMES), inner, max_size=3)
    ),
    max_leaves=12,
)


@functools.cache
def shaped(shape_name: str, member: str = "") -> st.SearchStrategy[Any]:
    """Values that mostly follow ``shape_name`` (by botocore's model), with junk mixed in."""
    shape = service_model().shape_for(shape_name)
    follow = st.deferred(lambda: _follow(shape, member))
    return st.one_of(follow, follow, follow, follow, follow, junk)  # mostly on-model, junk one time in six


def _follow(shape: Any, member: str) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "structure":
        members = {name: shaped(m.name, name) for name, m in shape.members.items()}
        if shape.name == "AttributeValue":
            return st.one_of(*(st.fixed_dictionaries({name: strategy}) for name, strategy in members.items()))
        required = set(shape.metadata.get("required", ()))
        return st.fixed_dictionaries(
            {name: s for name, s in members.items() if name in required},
            optional={name: s for name, s in members.items() if name not in required},
        )
    if kind == "list":
        return st.lists(shaped(shape.member.name), max_size=3)
    if kind == "map":
        keys = st.sampled_from([*NAMES, ":v", ":n", TABLE]) | st.text(max_size=4)
        return st.dictionaries(keys, shaped(shape.value.name), max_size=3)
    if kind == "string":
        if shape.metadata.get("enum"):
            return st.sampled_from(shape.metadata["enum"])
        if member == "TableName" or member == "IndexName":
            return st.sampled_from([TABLE, "missing", "by-gk", "a!"])
        if member.endswith("Expression"):
            return st.sampled_from(EXPRESSIONS)
        if member in ("S", "N"):
            return st.sampled_from(["a", "1", "-1.5e3", "", "NaN", "x" * 40])
        return st.sampled_from(NAMES) | st.text(max_size=6)
    if kind in ("integer", "long"):
        return st.integers(min_value=-2, max_value=200)
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.binary(max_size=6)
    if kind == "double":
        return st.floats()
    return junk


def _request(operation: str) -> st.SearchStrategy[Any]:
    shape = service_model().operation_model(operation).input_shape
    if shape is None:
        return junk
    return st.one_of(junk, shaped(shape.name), shaped(shape.name))


def _emulator() -> DynamoDBEmulator:
    emu = DynamoDBEmulator()
    emu.dispatch(
        "CreateTable",
        table_request(
            TABLE,
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "gk", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-gk",
                    "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        ),
    )
    emu.dispatch(
        "PutItem", {"TableName": TABLE, "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "v"}}}
    )
    return emu


GARBAGE = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("operation", OPERATIONS)
@GARBAGE
@given(data=st.data())
def test_dispatch_answers_garbage_with_dynamodb_errors_only(operation: str, data: st.DataObject) -> None:
    request = data.draw(_request(operation), label="request")
    emu = _emulator()
    try:
        emu.dispatch(operation, request)
    except DynamoDBError as err:
        assert err.code != "InternalServerError", f"handler crashed: {err.__cause__!r}"


@pytest.mark.parametrize("operation", OPERATIONS)
@GARBAGE
@given(data=st.data())
def test_client_answers_garbage_with_client_errors_only(operation: str, data: st.DataObject) -> None:
    request = data.draw(_request(operation), label="request")
    client = _emulator().client()
    method = getattr(client, xform_name(operation))
    try:
        if isinstance(request, dict):
            method(**{str(k): v for k, v in request.items()})
        else:
            method(request)
    except ParamValidationError:
        pass
    except TypeError as err:  # positional arguments: boto3's own TypeError, nothing else
        assert not isinstance(request, dict), err
    except ClientError as err:
        assert err.response["Error"]["Code"] != "InternalServerError", err.response["Error"]["Message"]


CHECKED = [
    "CreateTable",
    "UpdateTable",
    "PutItem",
    "GetItem",
    "Query",
    "Scan",
    "UpdateItem",
    "BatchWriteItem",
]


@pytest.mark.parametrize("operation", CHECKED)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_paths_never_pass_what_the_full_checks_refuse(operation: str, data: st.DataObject) -> None:
    request = data.draw(_request(operation), label="request")
    shape = service_model().operation_model(operation).input_shape
    if fully_valid(operation)(request):
        assert not ParamValidator().validate(request, shape).has_errors()
        validator_for(operation)(request)  # raises if the service's validation disagrees
    if isinstance(request, dict) and _FAST.pred(shape)(request):
        errors: list[str] = []
        _COMPILER.check(shape)(request, "", errors)
        assert errors == []
