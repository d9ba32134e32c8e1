"""The DynamoDB Streams API: ListStreams, DescribeStream, GetShardIterator and GetRecords.

Requests are validated against botocore's ``dynamodbstreams`` model (``streams_validator_for``, used by
``DynamoDBEmulator.dispatch`` for operations the DynamoDB model does not define). Messages are DynamoDB
Local's where it has them; the expiry and trimming errors are the service's (Local never expires an
iterator nor trims a stream).

A shard iterator is ``<stream arn>|1|<base64 of "shard id|next sequence number|creation ms">``, the form
DynamoDB Local uses: opaque to callers, and valid for 15 minutes on the emulator's clock.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
"""

from __future__ import annotations

import base64
import binascii
import functools
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.errors import ddb_error, validation_error
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.service_models import load_model

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request, Response
    from theorydb_mocks.emulator.streams import Stream
    from theorydb_mocks.emulator.validation import Validator

__all__ = [
    "ITERATOR_LIFETIME",
    "M",
    "describe_stream",
    "get_records",
    "get_shard_iterator",
    "list_streams",
    "streams_validator_for",
]

ITERATOR_LIFETIME = 15 * 60
MAX_RECORDS = 1000
MAX_PAGE_BYTES = 1024 * 1024
LIST_LIMIT = 100


@functools.cache
def streams_validator_for(operation_name: str) -> Validator:
    """The validator of a DynamoDB Streams operation (KeyError for any other name), with the service's
    messages: the same compiled checks as DynamoDB's, on the streams model's shapes."""
    from theorydb_mocks.emulator.validation import compile_validator

    model = load_model("dynamodbstreams")
    if operation_name not in model.operation_names:
        raise KeyError(operation_name)
    return compile_validator(model.operation_model(operation_name).input_shape)


def _stream(emu: EmulatorState, arn: str, *, described: bool = False) -> Stream:
    stream: Stream | None = emu.streams.streams.get(arn)
    if stream is None:
        if described:
            raise ddb_error("ResourceNotFoundException", M.STREAM_NOT_FOUND.format(arn=arn))
        raise ddb_error("ResourceNotFoundException", M.STREAM_DOES_NOT_EXIST)
    stream.trim(emu.clock.now())
    return stream


@operation("ListStreams", service="dynamodbstreams", read_only=True)
def list_streams(emu: EmulatorState, request: Request) -> Response:
    """Streams of one table or of all, newest first, a page at a time. Runtime: O(streams)."""
    table_name = request.get("TableName")
    streams = [s for s in reversed(emu.streams.streams.values()) if table_name in (None, s.table_name)]
    start = request.get("ExclusiveStartStreamArn")
    if start is not None:
        arns = [s.arn for s in streams]
        streams = streams[arns.index(start) + 1 :] if start in arns else []
    limit = request.get("Limit") or LIST_LIMIT
    page = streams[:limit]
    response: Response = {
        "Streams": [{"StreamArn": s.arn, "TableName": s.table_name, "StreamLabel": s.label} for s in page]
    }
    if len(streams) > limit:
        response["LastEvaluatedStreamArn"] = page[-1].arn
    return response


@operation("DescribeStream", service="dynamodbstreams", read_only=True)
def describe_stream(emu: EmulatorState, request: Request) -> Response:
    """The stream, its status and its shard. Runtime: O(1)."""
    stream = _stream(emu, request["StreamArn"], described=True)
    description = stream.description(
        limit=request.get("Limit"), exclusive_start=request.get("ExclusiveStartShardId")
    )
    return {"StreamDescription": description}


def _iterator(stream: Stream, position: int, now: float) -> str:
    inner = f"{stream.shard_id}|{position:021d}|{int(now * 1000):020d}".encode()
    return f"{stream.arn}|1|{base64.b64encode(inner).decode('ascii')}"


def _sequence(text: str | None) -> int:
    if text is None or not text.isdigit() or not text.isascii():
        raise validation_error(M.BAD_SEQUENCE)
    return int(text)


@operation("GetShardIterator", service="dynamodbstreams", read_only=True)
def get_shard_iterator(emu: EmulatorState, request: Request) -> Response:
    """A position in the shard to read from. Runtime: O(log records)."""
    stream = _stream(emu, request["StreamArn"])
    if request["ShardId"] != stream.shard_id:
        raise ddb_error("ResourceNotFoundException", M.SHARD_DOES_NOT_EXIST)
    kind = request["ShardIteratorType"]
    given = request.get("SequenceNumber")
    now = emu.clock.now()
    if kind in ("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"):
        if given is not None:
            raise validation_error(M.SEQUENCE_NOT_ALLOWED)
        if kind == "TRIM_HORIZON":
            first = stream.records[stream.first] if stream.first < len(stream.records) else None
            position = (
                first.sequence
                if first is not None
                else max(stream.start_sequence, stream.trimmed_through + 1)
            )
        elif kind == "LATEST":
            position = emu.streams.sequence + 1
            if stream.end_sequence is not None:
                position = min(position, stream.end_sequence + 1)
        else:
            when = request.get("Timestamp")
            if not isinstance(when, datetime):
                raise validation_error(M.TIMESTAMP_REQUIRED)
            try:
                at = (when if when.tzinfo is not None else when.replace(tzinfo=UTC)).timestamp()
            except (ValueError, OverflowError, OSError):
                raise validation_error(M.TIMESTAMP_REQUIRED) from None
            found = next((r for r in stream.records[stream.first :] if r.created >= at), None)
            position = found.sequence if found is not None else emu.streams.sequence + 1
        return {"ShardIterator": _iterator(stream, position, now)}
    if given is None:
        raise validation_error(M.SEQUENCE_REQUIRED)
    sequence = _sequence(given)
    last = stream.end_sequence if stream.end_sequence is not None else emu.streams.sequence
    if sequence < stream.start_sequence or sequence > last:
        raise validation_error(M.BAD_SEQUENCE)
    if sequence <= stream.trimmed_through:
        raise ddb_error("TrimmedDataAccessException", M.RECORDS_TRIMMED)
    position = sequence if kind == "AT_SEQUENCE_NUMBER" else sequence + 1
    return {"ShardIterator": _iterator(stream, position, now)}


def _parse_iterator(emu: EmulatorState, iterator: str) -> tuple[Stream, int, float]:
    arn, _, rest = iterator.partition("|1|")
    stream = emu.streams.streams.get(arn)
    try:
        shard_id, position, created = base64.b64decode(rest, validate=True).decode("ascii").split("|")
    except (binascii.Error, ValueError):
        raise validation_error(M.BAD_ITERATOR) from None
    if stream is None or shard_id != stream.shard_id or not position.isdigit() or not created.isdigit():
        raise validation_error(M.BAD_ITERATOR)
    return stream, int(position), int(created) / 1000


@operation("GetRecords", service="dynamodbstreams", read_only=True)
def get_records(emu: EmulatorState, request: Request) -> Response:
    """Up to ``Limit`` records (1000, and 1 MB) from the iterator's position, and the iterator after them.

    Runtime: O(log records + page).
    """
    stream, position, created = _parse_iterator(emu, request["ShardIterator"])
    now = emu.clock.now()
    if now - created > ITERATOR_LIFETIME:
        raise ddb_error(
            "ExpiredIteratorException",
            M.ITERATOR_EXPIRED.format(created=int(created * 1000), now=int(now * 1000)),
        )
    stream.trim(now)
    if position <= stream.trimmed_through:
        raise ddb_error("TrimmedDataAccessException", M.RECORDS_TRIMMED)
    limit = min(request.get("Limit") or MAX_RECORDS, MAX_RECORDS)
    start = stream.position_of(position)
    page = stream.records[start : start + limit]
    size = 0
    for count, record in enumerate(page):  # at most 1 MB of records per call (at least one)
        size += record.size_bytes
        if size > MAX_PAGE_BYTES and count:
            page = page[:count]
            break
    response: Response = {"Records": [record.boto3(stream) for record in page]}
    after = page[-1].sequence + 1 if page else position
    closed_and_read = stream.end_sequence is not None and stream.position_of(after) >= len(stream.records)
    if not closed_and_read:
        response["NextShardIterator"] = _iterator(stream, after, now)
    return response
