"""The one JSON door: decode -> dispatch -> encode, shared by routed boto3 clients and the HTTP server.

Both doors receive what a DynamoDB endpoint receives (an ``X-Amz-Target`` header and a JSON body) and owe
what it sends back (a status, a JSON body, a request id). ``answer`` is that translation, in one place:
``wire`` decodes and encodes, ``DynamoDBEmulator.dispatch`` answers, and the raw target and body travel
with the request (``origin``) so a journal stage can record the request exactly as it was sent.

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> answer(DynamoDBEmulator(), "DynamoDB_20120810.ListTables", b"{}")
(200, b'{"TableNames":[]}')
>>> len(request_id())
52
"""

from __future__ import annotations

import itertools
import os
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.pipeline import WireRequest
from theorydb_mocks.emulator.wire import SERVICE_BY_PREFIX, decode_request, encode_error, encode_response

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState

__all__ = ["WireRequest", "answer", "answer_params", "request_id"]

_REQUEST_IDS = itertools.count(10**19)  # 20 digits for the first 9 * 10**19 ids: no padding to format
_REQUEST_PREFIX = os.urandom(16).hex().upper()


def request_id() -> str:
    """52 characters of ``[0-9A-F]``, the form of the service's ``x-amzn-RequestId``, unique per process."""
    return _REQUEST_PREFIX + str(next(_REQUEST_IDS))  # (a formatted counter cost 2.5x as much)


def answer_params(
    emulator: EmulatorState, operation: str, params: dict[str, Any]
) -> tuple[int, bytes, dict[str, Any] | None] | None:
    """Like ``answer``, for a DynamoDB request botocore has already validated, from its parameters; a
    success comes back as the answer itself (boto3's shape, what botocore's parser would build from the
    JSON), with ``{}`` as the body.

    A routed boto3 client has the parameters it serialized and takes a parsed answer (botocore's
    ``before-parse`` event): the JSON in between is a round trip nothing forces. Parameters go through the
    direct client's preparation (the same fast check, or botocore's conversion of ``str`` blobs and ISO
    timestamps). Errors are encoded as on the wire (botocore parses them and decides on retries). None
    when the parameters cannot be used as they are (the caller then answers from the body).
    """
    from botocore.exceptions import ParamValidationError

    from theorydb_mocks.emulator.client import prepare_params

    def prepare(request: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        try:
            return prepare_params(operation, request)
        except (ParamValidationError, KeyError) as exc:
            raise _Unusable from exc

    try:
        response = emulator.dispatch(operation, params, prepare=prepare)
    except DynamoDBError as err:
        return (*encode_error(err), None)
    except _Unusable:
        return None
    return 200, b"{}", response


class _Unusable(Exception):
    """Parameters ``answer_params`` cannot use as they are (the caller answers from the body instead)."""


def answer(emulator: EmulatorState, target: str | None, body: bytes) -> tuple[int, bytes]:
    """The status and JSON body the service sends for one request (``DynamoDBError`` answers included).

    Anything else a handler raises is already an ``InternalServerError`` inside ``dispatch``; an exception
    escaping from here is a bug in the caller's journal or observers, left for the door to report.
    """
    try:
        operation, request = decode_request(target, body)
        response = emulator.dispatch(operation, request, origin=(str(target), body))
        service = SERVICE_BY_PREFIX[str(target).partition(".")[0]]
        return 200, encode_response(service, operation, response)
    except DynamoDBError as err:
        return encode_error(err)
