"""A bounded, seeded fuzzer over every operation and every door: hostile requests get DynamoDB's answers.

Each operation has a valid base request. The fuzzer visits every position in it (every member, list entry
and map entry) and puts hostile content there, chosen for what the position holds: lone surrogates in
strings and names, expressions nested past the parser's stack or over the operator limit, attribute values
nested past 32 levels (and far past Python's stack), invalid numbers, nulls inside lists and maps, wrong
types. Each request goes through ``emu.dispatch``, the direct client and the raw HTTP door (a server in a
thread), and the test asserts:

- no InternalServerError, no HTTP 500, no exception other than DynamoDB's errors (or botocore's
  ``ParamValidationError`` where the direct client validates as boto3 does);
- a request that failed changed nothing (tables, items, indexes, streams, TTL, tags).

The seed and the position sweep are fixed, so a failure reproduces; the whole run takes a few seconds.
"""

from __future__ import annotations

import copy
import http.client
import json
import random
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from botocore import xform_name
from botocore.exceptions import ClientError, ParamValidationError

from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.server import serve_in_thread
from theorydb_mocks.emulator.validation import service_model
from theorydb_mocks.emulator.wire import encode_request

SEED = 20261204
DYNAMODB_OPERATIONS = frozenset(service_model().operation_names)

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/things"
KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}
VALUES = {":v": {"S": "x"}, ":n": {"N": "1"}}


def _nested_value(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {"S": "deep"}
    for level in range(levels - 1):
        value = {"L": [value]} if level % 2 else {"M": {"m": value}}
    return value


def _nested_junk(levels: int) -> list[Any]:
    junk: list[Any] = []
    for _ in range(levels):
        junk = [junk]
    return junk


SURROGATE = "\ud800"
# Hostile content by what a position holds (deep ones built fresh by a function: too deep to deepcopy).
# Every list is small: the sweep multiplies them by positions.
HOSTILE_EXPRESSIONS = [
    "(" * 250 + "a = :v" + ")" * 250,
    "NOT " * 500 + "a = :v",
    "(" * 1000 + "a = :v",
    " AND ".join(["a = :v"] * 151),
    "a" + ".b" * 40 + " = :v",
    "#\ud800 = :v" + SURROGATE,
    "SET a = " + "if_not_exists(a, " * 200 + ":v" + ")" * 200,
]
HOSTILE_VALUES: list[Any] = [
    {"N": "NaN"},
    {"N": "abc"},
    {"N": ""},
    {"N": "1e999999999"},
    {"S": SURROGATE},
    {"SS": ["a", SURROGATE]},
    {"M": {SURROGATE: {"S": "x"}}},
    {"L": [None]},
    {"M": {"a": None}},
    lambda: _nested_value(33),
    lambda: _nested_value(400),
]
HOSTILE_ANY: list[Any] = [
    None,
    [None],
    {"": None},
    "a" + SURROGATE,
    lambda: _nested_junk(300),
    -1,
    "",
]
DEEP_FOR_HTTP = 300  # json.dumps in the test itself recurses: nest no deeper than this over HTTP


def base_requests() -> dict[str, dict[str, Any]]:
    """A valid request for every operation the emulator implements (tables set up by ``_seed``)."""
    item = {**KEY, "a": {"S": "x"}, "n": {"N": "1"}, "l": {"L": [{"S": "x"}]}, "m": {"M": {"k": {"N": "2"}}}}
    update = {"UpdateExpression": "SET a = :v ADD n :n", "ExpressionAttributeValues": VALUES}
    return {
        "CreateTable": {
            "TableName": "fresh",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "g", "AttributeType": "S"},
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]},
                }
            ],
            "BillingMode": "PAY_PER_REQUEST",
            "Tags": [{"Key": "k", "Value": "v"}],
        },
        "UpdateTable": {
            "TableName": "things",
            "AttributeDefinitions": [{"AttributeName": "h", "AttributeType": "S"}],
            "GlobalSecondaryIndexUpdates": [
                {
                    "Create": {
                        "IndexName": "by-h",
                        "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                }
            ],
        },
        "DeleteTable": {"TableName": "spare"},
        "DescribeTable": {"TableName": "things"},
        "ListTables": {"ExclusiveStartTableName": "a", "Limit": 5},
        "DescribeLimits": {},
        "DescribeEndpoints": {},
        "DescribeTimeToLive": {"TableName": "things"},
        "UpdateTimeToLive": {
            "TableName": "things",
            "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"},
        },
        "TagResource": {"ResourceArn": ARN, "Tags": [{"Key": "team", "Value": "x"}]},
        "UntagResource": {"ResourceArn": ARN, "TagKeys": ["team"]},
        "ListTagsOfResource": {"ResourceArn": ARN},
        "PutItem": {
            "TableName": "things",
            "Item": item,
            "ConditionExpression": "attribute_not_exists(#a) OR #a = :v",
            "ExpressionAttributeNames": {"#a": "a"},
            "ExpressionAttributeValues": {":v": {"S": "x"}},
            "ReturnValues": "ALL_OLD",
        },
        "GetItem": {
            "TableName": "things",
            "Key": KEY,
            "ProjectionExpression": "#a, l[0], m.k",
            "ExpressionAttributeNames": {"#a": "a"},
        },
        "UpdateItem": {
            "TableName": "things",
            "Key": KEY,
            **update,
            "ConditionExpression": "size(l) < :n OR begins_with(a, :v)",
            "ReturnValues": "UPDATED_NEW",
        },
        "DeleteItem": {
            "TableName": "things",
            "Key": {"pk": {"S": "b"}, "sk": {"N": "2"}},
            "ConditionExpression": "n BETWEEN :n AND :n",
            "ExpressionAttributeValues": {":n": {"N": "1"}},
        },
        "Query": {
            "TableName": "things",
            "KeyConditionExpression": "pk = :p AND sk > :n",
            "FilterExpression": "a IN (:v, :w) AND NOT contains(l, :v)",
            "ExpressionAttributeValues": {
                ":p": {"S": "a"},
                ":n": {"N": "0"},
                ":v": {"S": "x"},
                ":w": {"S": "y"},
            },
            "Limit": 10,
            "ExclusiveStartKey": KEY,
        },
        "Scan": {
            "TableName": "things",
            "FilterExpression": "(a = :v AND n >= :n) OR attribute_type(m, :t)",
            "ExpressionAttributeValues": {":v": {"S": "x"}, ":n": {"N": "1"}, ":t": {"S": "M"}},
            "ProjectionExpression": "pk, sk, a",
        },
        "BatchWriteItem": {
            "RequestItems": {
                "things": [
                    {"PutRequest": {"Item": {**item, "pk": {"S": "c"}}}},
                    {"DeleteRequest": {"Key": {"pk": {"S": "b"}, "sk": {"N": "2"}}}},
                ]
            }
        },
        "BatchGetItem": {
            "RequestItems": {"things": {"Keys": [KEY], "ProjectionExpression": "a", "ConsistentRead": True}}
        },
        "TransactWriteItems": {
            "TransactItems": [
                {"Put": {"TableName": "things", "Item": {**item, "pk": {"S": "d"}}}},
                {"Update": {"TableName": "things", "Key": KEY, **update}},
                {
                    "ConditionCheck": {
                        "TableName": "things",
                        "Key": {"pk": {"S": "b"}, "sk": {"N": "2"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ],
            "ClientRequestToken": "token-1",
        },
        "TransactGetItems": {
            "TransactItems": [{"Get": {"TableName": "things", "Key": KEY, "ProjectionExpression": "a, n"}}]
        },
        "ListStreams": {"TableName": "things"},
    }


def _seed(emu: DynamoDBEmulator) -> None:
    for name in ("things", "spare"):
        emu.dispatch(
            "CreateTable",
            {
                "TableName": name,
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "N"},
                ],
                "BillingMode": "PAY_PER_REQUEST",
                "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            },
        )
    for pk, sk in (("a", "1"), ("b", "2")):
        emu.dispatch(
            "PutItem", {"TableName": "things", "Item": {"pk": {"S": pk}, "sk": {"N": sk}, "n": {"N": "1"}}}
        )


def state_of(emu: DynamoDBEmulator) -> Any:
    """Everything a request could change, comparable with ``==`` (not the capacity ledger)."""
    with emu.lock:
        state = []
        for name in sorted(emu.tables):
            description = emu.dispatch("DescribeTable", {"TableName": name})["Table"]
            description.pop("ItemCount", None)
            description.pop("TableSizeBytes", None)
            items = emu.dispatch("Scan", {"TableName": name})["Items"]
            state.append(
                (
                    name,
                    json.dumps(description, sort_keys=True, default=str),
                    sorted(json.dumps(item, sort_keys=True, default=str) for item in items),
                    json.dumps(emu.dispatch("DescribeTimeToLive", {"TableName": name}), sort_keys=True),
                    json.dumps(emu.dispatch("ListTagsOfResource", {"ResourceArn": emu.table_arn(name)})),
                    len(emu.stream_records(name)),
                )
            )
        return state


# --- the mutations ---------------------------------------------------------------------------------------


Position = tuple[Any, ...]


def positions(request: Any) -> Iterator[Position]:
    """Every path to a member, list entry or map entry of ``request`` (iteratively, depth first)."""
    stack: list[tuple[Any, Position]] = [(request, ())]
    while stack:
        node, path = stack.pop()
        if path:
            yield path
        if isinstance(node, dict):
            stack.extend((child, (*path, key)) for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, (*path, index)) for index, child in enumerate(node))


def _get(request: Any, path: Position) -> Any:
    for step in path:
        request = request[step]
    return request


def _set(request: Any, path: Position, value: Any) -> None:
    _get(request, path[:-1])[path[-1]] = value


def _is_attribute_value(value: Any) -> bool:
    names = {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"}
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in names


def hostile_variants(request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every position of ``request`` with each hostile content that fits it, plus renamed map keys."""
    for path in sorted(positions(request), key=repr):
        current = _get(request, path)
        last = path[-1]
        if isinstance(last, str) and last.endswith("Expression"):
            choices: list[Any] = HOSTILE_EXPRESSIONS
        elif _is_attribute_value(current):
            choices = HOSTILE_VALUES
        else:
            choices = HOSTILE_ANY
        for choice in choices:
            variant = copy.deepcopy(request)
            _set(variant, path, choice() if callable(choice) else copy.deepcopy(choice))
            yield variant
        if isinstance(last, str):  # the same entry under a name holding a lone surrogate
            variant = copy.deepcopy(request)
            parent = _get(variant, path[:-1])
            parent[last + SURROGATE] = parent.pop(last)
            yield variant


def _depth(value: Any) -> int:
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def cases(sample: float) -> Iterator[tuple[str, dict[str, Any]]]:
    """(operation, hostile request) pairs; ``sample`` keeps that share of them (seeded)."""
    rng = random.Random(SEED)
    for operation, request in base_requests().items():
        for variant in hostile_variants(request):
            if rng.random() < sample:
                yield operation, variant
        for whole in (None, [], "x", _nested_junk(50)):  # not a request at all
            yield operation, whole  # type: ignore[misc]


# --- the doors ---------------------------------------------------------------------------------------------

# What one request did: "ok", "error" (a DynamoDB answer), or a problem described in words.
Outcome = str


def _problem(kind: str, operation: str, request: Any) -> str:
    return f"{kind} from {operation}: {request!r:.240}"


def _run_door(send: Callable[[DynamoDBEmulator, str, Any], Outcome], sample: float) -> tuple[int, list[str]]:
    """``_run_on`` a fresh emulator."""
    return _run_on(DynamoDBEmulator(), send, sample)


def _report(problems: list[str]) -> str:
    shown = "\n".join(sorted(set(problems))[:40])
    return f"{len(problems)} hostile requests were not answered as DynamoDB answers:\n{shown}"


def test_dispatch_answers_every_hostile_request() -> None:
    def send(emu: DynamoDBEmulator, operation: str, request: Any) -> Outcome:
        try:
            emu.dispatch(operation, request)
        except DynamoDBError as err:
            if err.code == "InternalServerError":
                return _problem(f"InternalServerError ({err.message})", operation, request)
            return "error"
        except Exception as exc:
            return _problem(f"raw {type(exc).__name__}", operation, request)
        return "ok"

    count, problems = _run_door(send, sample=0.4)
    assert not problems, _report(problems)
    assert count > 800


def test_direct_client_answers_every_hostile_request() -> None:
    clients: dict[int, Any] = {}

    def send(emu: DynamoDBEmulator, operation: str, request: Any) -> Outcome:
        client = clients.setdefault(id(emu), emu.client())
        if operation not in DYNAMODB_OPERATIONS or type(request) is not dict:
            return "error"  # a DynamoDB Streams operation, or not keyword arguments: no call to make
        try:
            getattr(client, xform_name(operation))(**request)
        except ParamValidationError:
            return "error"
        except ClientError as err:
            if err.response["Error"]["Code"] == "InternalServerError":
                return _problem(f"InternalServerError ({err})", operation, request)
            return "error"
        except Exception as exc:
            return _problem(f"raw {type(exc).__name__}", operation, request)
        return "ok"

    count, problems = _run_door(send, sample=0.3)
    assert not problems, _report(problems)
    assert count > 500


@pytest.fixture
def http_door() -> Iterator[tuple[DynamoDBEmulator, http.client.HTTPConnection]]:
    emu = DynamoDBEmulator()
    with serve_in_thread(emulator=emu) as endpoint:
        url = urlparse(endpoint)
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=30)
        try:
            yield emu, connection
        finally:
            connection.close()


HEADERS = {
    "Content-Type": "application/x-amz-json-1.0",
    "Authorization": "AWS4-HMAC-SHA256 Credential=fuzz/20260101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=0",
}


def _post(connection: http.client.HTTPConnection, target: str, body: bytes) -> tuple[int, bytes]:
    connection.request("POST", "/", body=body, headers={**HEADERS, "X-Amz-Target": target})
    response = connection.getresponse()
    return response.status, response.read()


def test_http_door_answers_every_hostile_request(
    http_door: tuple[DynamoDBEmulator, http.client.HTTPConnection],
) -> None:
    served, connection = http_door

    def send(emu: DynamoDBEmulator, operation: str, request: Any) -> Outcome:
        assert emu is served
        if _depth(request) > DEEP_FOR_HTTP:
            return "error"
        if type(request) is dict:
            target, body = encode_request(operation, request)
        else:
            target, body = encode_request(operation, {})[0], json.dumps(request).encode()
        status, payload = _post(connection, target, body)
        if status not in (200, 400):
            return _problem(f"HTTP {status} {payload[:120]!r}", operation, request)
        answer = json.loads(payload)
        if status == 400:
            if "#" not in answer.get("__type", ""):
                return _problem(f"an error without a type {payload[:120]!r}", operation, request)
            return "error"
        return "ok"

    count, problems = _run_on(served, send, sample=0.3)
    assert not problems, _report(problems)
    assert count > 500


def _run_on(
    emu: DynamoDBEmulator, send: Callable[[DynamoDBEmulator, str, Any], Outcome], sample: float
) -> tuple[int, list[str]]:
    """Send each case through one door to ``emu``; every problem is collected, so one run names every bug
    it meets. Returns how many cases ran and the problems (an answer that is not DynamoDB's, a failed
    request that changed state)."""
    _seed(emu)
    pristine = emu.snapshot()
    before = state_of(emu)
    count = 0
    problems: list[str] = []
    for operation, request in cases(sample):
        outcome = send(emu, operation, request)
        if outcome == "ok":
            emu.restore(pristine)
            pristine = emu.snapshot()
        else:
            if outcome != "error":
                problems.append(outcome)
            if state_of(emu) != before:
                problems.append(_problem("a state change", operation, request))
                emu.restore(pristine)
                pristine = emu.snapshot()
        count += 1
    return count, problems


def test_raw_json_escapes_over_http(http_door: tuple[DynamoDBEmulator, http.client.HTTPConnection]) -> None:
    """The JSON escape of a lone surrogate, and raw UTF-8 surrogate bytes, in every string of a PutItem."""
    served, connection = http_door
    _seed(served)
    bodies = [
        b'{"TableName":"things","Item":{"pk":{"S":"\\ud800"},"sk":{"N":"1"},"\\udc00":{"S":"x\\ud800"}}}',
        b'{"TableName":"things","Item":{"pk":{"S":"\xed\xa0\x80"},"sk":{"N":"1"}}}',
        b'{"TableName":"things","Key":{"pk":{"S":"a"},"sk":{"N":"1"}},"UpdateExpression":"SET #x = :v",'
        b'"ExpressionAttributeNames":{"#x":"\\ud800"},"ExpressionAttributeValues":{":v":{"S":"\\udfff"}}}',
    ]
    for body, operation in zip(bodies, ("PutItem", "PutItem", "UpdateItem"), strict=True):
        status, payload = _post(connection, f"DynamoDB_20120810.{operation}", body)
        assert status == 200, payload
