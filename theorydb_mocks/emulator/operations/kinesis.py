"""Enable/Disable/Describe/UpdateKinesisStreamingDestination: a table's Kinesis Data Streams destinations.

A destination is kept on the table's catalog record (``ControlState.destinations``, by stream ARN). Enabling
answers ENABLING and the destination is ACTIVE once ``emu.transition_delay`` has passed on the clock (at once
by default); disabling answers DISABLING, then DISABLED, and the destination stays listed; updating the
``ApproximateCreationDateTimePrecision`` (MILLISECOND by default, or MICROSECOND) answers UPDATING, then
ACTIVE. A destination in transition refuses another change (ResourceInUseException); enabling one that is
enabled, or disabling or updating one that is not, is a ValidationException. The stream is any well-formed
Kinesis stream ARN (``arn:aws:kinesis:<region>:<account>:stream/<name>``); there is no Kinesis to check it
against. What a destination receives is ``emu.kinesis_records(stream_arn)`` (``kinesis``).

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_EnableKinesisStreamingDestination.html

>>> from theorydb_mocks.emulator.core import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "things", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> stream = "arn:aws:kinesis:us-east-1:123456789012:stream/changes"
>>> emu.dispatch("EnableKinesisStreamingDestination", {"TableName": "things", "StreamArn": stream}
...     )["DestinationStatus"]
'ENABLING'
>>> _ = emu.dispatch("PutItem", {"TableName": "things", "Item": {"pk": {"S": "a"}}})
>>> [(r["eventName"], r["dynamodb"]["Keys"]) for r in emu.kinesis_records(stream)]
[('INSERT', {'pk': {'S': 'a'}})]
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.control import Destination
from theorydb_mocks.emulator.errors import ddb_error, validation_error
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.operations.tables import _table

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request, Response
    from theorydb_mocks.emulator.catalog import TableState

__all__ = [
    "describe_kinesis_streaming_destination",
    "disable_kinesis_streaming_destination",
    "enable_kinesis_streaming_destination",
    "update_kinesis_streaming_destination",
]

DEFAULT_PRECISION = "MILLISECOND"
_STREAM_ARN = re.compile(r"arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/[A-Za-z0-9_.-]{1,128}")


def _stream_arn(request: Request) -> str:
    arn: str = request["StreamArn"]
    if not _STREAM_ARN.fullmatch(arn):
        raise validation_error(M.KINESIS_STREAM_ARN_INVALID.format(arn=arn))
    return arn


def _answer(table: TableState, arn: str, status: str, member: str, precision: str | None) -> Response:
    response: Response = {"TableName": table.name, "StreamArn": arn, "DestinationStatus": status}
    if precision is not None:
        response[member] = {"ApproximateCreationDateTimePrecision": precision}
    return response


def _settled_or_busy(table: TableState, destination: Destination) -> str:
    """The destination's status; ResourceInUseException while it is still changing."""
    status = destination.status(table.control.transitions)
    if status in ("ENABLING", "DISABLING", "UPDATING"):
        raise ddb_error(
            "ResourceInUseException",
            M.KINESIS_IN_TRANSITION.format(arn=destination.stream_arn, name=table.name, status=status),
        )
    return status


@operation("EnableKinesisStreamingDestination")
def enable_kinesis_streaming_destination(emu: EmulatorState, request: Request) -> Response:
    """Start delivering the table's changes to a Kinesis data stream. Runtime: O(1)."""
    table = _table(emu, request["TableName"])
    arn = _stream_arn(request)
    current = table.control.destinations.get(arn)
    if current is not None and _settled_or_busy(table, current) == "ACTIVE":
        raise validation_error(M.KINESIS_ALREADY_ENABLED.format(name=table.name, arn=arn))
    configuration = request.get("EnableKinesisStreamingConfiguration") or {}
    precision = configuration.get("ApproximateCreationDateTimePrecision") or DEFAULT_PRECISION
    table.control.destinations[arn] = Destination(arn, "enable", precision, emu.clock.now())
    emu.kinesis.watch(table)
    member = "EnableKinesisStreamingConfiguration"
    return _answer(table, arn, "ENABLING", member, configuration.get("ApproximateCreationDateTimePrecision"))


def _enabled(emu: EmulatorState, request: Request) -> tuple[TableState, Destination]:
    table = _table(emu, request["TableName"])
    arn = _stream_arn(request)
    current = table.control.destinations.get(arn)
    if current is None or _settled_or_busy(table, current) != "ACTIVE":
        raise validation_error(M.KINESIS_NOT_ENABLED.format(name=table.name, arn=arn))
    return table, current


@operation("DisableKinesisStreamingDestination")
def disable_kinesis_streaming_destination(emu: EmulatorState, request: Request) -> Response:
    """Stop delivering to a Kinesis data stream (it stays listed, DISABLED). Runtime: O(1)."""
    table, current = _enabled(emu, request)
    arn = current.stream_arn
    table.control.destinations[arn] = Destination(arn, "disable", current.precision, emu.clock.now())
    configuration = request.get("EnableKinesisStreamingConfiguration") or {}
    member = "EnableKinesisStreamingConfiguration"
    return _answer(table, arn, "DISABLING", member, configuration.get("ApproximateCreationDateTimePrecision"))


@operation("UpdateKinesisStreamingDestination")
def update_kinesis_streaming_destination(emu: EmulatorState, request: Request) -> Response:
    """Change a destination's ApproximateCreationDateTimePrecision. Runtime: O(1)."""
    configuration = request.get("UpdateKinesisStreamingConfiguration") or {}
    precision = configuration.get("ApproximateCreationDateTimePrecision")
    if precision is None:
        raise validation_error(M.KINESIS_NOTHING_TO_UPDATE)
    table, current = _enabled(emu, request)
    if precision == current.precision:
        raise validation_error(M.KINESIS_SAME_PRECISION.format(precision=precision))
    arn = current.stream_arn
    table.control.destinations[arn] = Destination(arn, "update", precision, emu.clock.now())
    return _answer(table, arn, "UPDATING", "UpdateKinesisStreamingConfiguration", precision)


@operation("DescribeKinesisStreamingDestination", read_only=True)
def describe_kinesis_streaming_destination(emu: EmulatorState, request: Request) -> Response:
    """The table's destinations, in the order they were first enabled. Runtime: O(destinations)."""
    table = _table(emu, request["TableName"])
    transitions = table.control.transitions
    destinations: list[dict[str, Any]] = [
        {
            "StreamArn": d.stream_arn,
            "DestinationStatus": d.status(transitions),
            "ApproximateCreationDateTimePrecision": d.precision,
        }
        for d in table.control.destinations.values()
    ]
    return {"TableName": table.name, "KinesisDataStreamDestinations": destinations}
