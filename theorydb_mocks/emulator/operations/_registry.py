"""One record per operation: everything the emulator, its doors and its stages need to know about it.

A handler takes the emulator (typed as ``EmulatorState``) and the request (boto3 low-level shape, already
validated) and returns the response without ``ResponseMetadata``; it raises ``DynamoDBError`` for error
answers. ``@operation("Name", ...)`` registers it with the facts the pipeline around it uses:

- ``metered``: the handler computes ConsumedCapacity (``capacity.py``); the capacity ledger records it;
- ``read_only``: it never changes state, so a journal skips it and the ledger counts its units as reads;
- ``faults``: which family of scheduled faults applies beyond throttles and 500s (``"batch"`` for
  ``unprocessed``, ``"transaction"`` for ``transaction_conflict``);
- the validator comes from the service model of ``service`` (``dynamodb`` or ``dynamodbstreams``), compiled
  on first use;
- ``express`` (``@express_lane("Name")``): an optional lane for the plain, surely valid request (see
  ``pipeline``): it checks what botocore and the service would check, and answers, or declines with None.

``record_for(name)`` answers for any name: the registered record, a record without a handler for an
operation the service models but the emulator does not implement, or ``UnknownOperationException``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.errors import ddb_error

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request, Response

__all__ = [
    "OPERATIONS",
    "Express",
    "FaultFamily",
    "Handler",
    "OperationRecord",
    "Service",
    "express_lane",
    "operation",
    "record_for",
]

Handler = Callable[["EmulatorState", "Request"], "Response"]
# An express lane's answer: (the response, the table charged, the capacity units), or None to decline.
Express = Callable[["EmulatorState", "Request"], "tuple[Response, str, float] | None"]
Validator = Callable[[dict[str, Any]], None]
FaultFamily = Literal["batch", "transaction"]
Service = Literal["dynamodb", "dynamodbstreams"]


@dataclass(slots=True, eq=False)
class OperationRecord:
    """The facts about one operation (see the module docstring)."""

    name: str
    handler: Handler | None
    service: Service = "dynamodb"
    metered: bool = False
    read_only: bool = False
    faults: FaultFamily | None = None
    express: Express | None = None
    _validator: Validator | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        facts = [f for f, on in (("metered", self.metered), ("read-only", self.read_only)) if on]
        if self.faults:
            facts.append(f"{self.faults} faults")
        if self.handler is None:
            facts.append("not implemented")
        return f"<Operation {self.name}{': ' + ', '.join(facts) if facts else ''}>"

    @property
    def mutates(self) -> bool:
        """Whether a successful call may change state (what a journal must record)."""
        return not self.read_only

    @property
    def capacity_kind(self) -> Literal["read", "write"]:
        return "read" if self.read_only else "write"

    @property
    def validate(self) -> Validator:
        """The service's validation of this operation's input (compiled once, on first use)."""
        validator = self._validator
        if validator is None:
            validator = self._validator = _compile_validator(self.service, self.name)
        return validator


def _compile_validator(service: Service, name: str) -> Validator:
    if service == "dynamodb":
        from theorydb_mocks.emulator.validation import validator_for

        return validator_for(name)
    from theorydb_mocks.emulator.operations.streams import streams_validator_for

    return streams_validator_for(name)


OPERATIONS: dict[str, OperationRecord] = {}


def operation(
    name: str,
    *,
    service: Service = "dynamodb",
    metered: bool = False,
    read_only: bool = False,
    faults: FaultFamily | None = None,
) -> Callable[[Handler], Handler]:
    """Register the decorated handler as the implementation of the operation ``name`` (e.g. ``"PutItem"``)."""

    def register(handler: Handler) -> Handler:
        if name in OPERATIONS:
            raise RuntimeError(f"operation {name} registered twice")
        OPERATIONS[name] = OperationRecord(name, handler, service, metered, read_only, faults)
        return handler

    return register


def express_lane(name: str) -> Callable[[Express], Express]:
    """Give the registered operation ``name`` the decorated express lane (see ``pipeline``)."""

    def register(lane: Express) -> Express:
        record = OPERATIONS[name]
        if record.express is not None:
            raise RuntimeError(f"operation {name} has an express lane already")
        record.express = lane
        return lane

    return register


def record_for(name: object) -> OperationRecord:
    """The record of the operation ``name`` (a handler-less one if the emulator does not implement it);
    ``UnknownOperationException`` for a name neither service defines."""
    found = OPERATIONS.get(name) if type(name) is str else None
    if found is not None:
        return found
    if type(name) is not str:
        raise ddb_error("UnknownOperationException", M.UNKNOWN_OPERATION.format(operation=name))
    return _unimplemented(name)


@functools.cache
def _unimplemented(name: str) -> OperationRecord:
    from theorydb_mocks.emulator.wire import operation_names

    for service in ("dynamodb", "dynamodbstreams"):
        if name in operation_names(service):
            return OperationRecord(name, None, service)
    raise ddb_error("UnknownOperationException", M.NOT_AN_OPERATION.format(operation=name))
