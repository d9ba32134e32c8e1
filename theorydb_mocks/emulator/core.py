"""The emulator: a catalog of tables, one clock, one lock, and ``dispatch`` into the operation registry.

Every door (the direct client, boto3 routing, the HTTP server) calls ``dispatch(operation, request)`` with
a request in the boto3 low-level shape. ``dispatch`` validates the request as the service does (types,
then constraints; see ``validation``), then runs the handler while holding ``lock``, so each write is
atomic and handlers need no locking of their own.

>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {
...     "TableName": "Things",
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "BillingMode": "PAY_PER_REQUEST",
... })
>>> emu.get_table("Things").key.hash_name
'pk'
>>> emu.dispatch("ListTables", {})
{'TableNames': ['Things']}
"""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import operations as _operations  # noqa: F401  (registers every handler)
from theorydb_mocks.emulator.clock import Clock
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error
from theorydb_mocks.emulator.faults import Faults
from theorydb_mocks.emulator.ledger import CAPACITY_OPERATIONS, CapacityLedger, total_only
from theorydb_mocks.emulator.operations._registry import HANDLERS
from theorydb_mocks.emulator.operations.streams import streams_validator_for
from theorydb_mocks.emulator.snapshots import Snapshot, Snapshots
from theorydb_mocks.emulator.streams import StreamHub
from theorydb_mocks.emulator.tokens import ClientTokens
from theorydb_mocks.emulator.ttl import TimeToLive, TtlMode
from theorydb_mocks.emulator.validation import validator_for

if TYPE_CHECKING:
    from theorydb_mocks.emulator.catalog import TableState
    from theorydb_mocks.emulator.client import EmulatorClient

__all__ = ["DynamoDBEmulator"]

RESOURCE_NOT_FOUND = "Requested resource not found"


class DynamoDBEmulator:
    """An in-memory DynamoDB: thread-safe, with DynamoDB's validation, answers and errors.

    ``region`` and ``account_id`` go into ARNs; ``clock`` drives every timestamp (system time by default)
    and TTL. ``ttl_mode`` is ``"lazy"`` (expired items linger until ``emu.ttl.sweep()`` or 48 hours, as on
    DynamoDB) or ``"immediate"`` (see ``ttl``). ``capacity_ledger=False`` stops ``emu.capacity`` recording.
    """

    def __init__(
        self,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        clock: Clock | None = None,
        ttl_mode: TtlMode = "lazy",
        capacity_ledger: bool = True,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self.clock = clock if clock is not None else Clock()
        self.lock = threading.RLock()
        self.tables: dict[str, TableState] = {}
        self.faults = Faults()
        self.streams = StreamHub(self)
        self.ttl = TimeToLive(self, ttl_mode)
        self.capacity = CapacityLedger(enabled=capacity_ledger)
        self.snapshots = Snapshots(self)
        self.tokens = ClientTokens()  # ClientRequestToken records (see ``tokens``)

    def __repr__(self) -> str:
        return f"<DynamoDBEmulator {self.region} tables={len(self.tables)}>"

    def dispatch(
        self, operation: str, request: dict[str, Any], *, prevalidated: bool = False
    ) -> dict[str, Any]:
        """Answer one request: validate it, then run the operation's handler under the lock.

        Raises ``DynamoDBError`` for every error answer, and only that: an unexpected exception in the
        validation or the handler becomes an ``InternalServerError`` (chained, so the cause stays
        visible). ``prevalidated=True`` skips the validation, for a door that has just run an equivalent
        check (the direct client's fast path). A pending fault (``emu.faults``, see ``faults``) may
        answer instead.
        """
        if self.faults:
            return self.faults.dispatch(self._dispatch, operation, request, prevalidated)
        return self._dispatch(operation, request, prevalidated)

    def _dispatch(self, operation: str, request: dict[str, Any], prevalidated: bool) -> dict[str, Any]:
        if type(operation) is not str:
            raise ddb_error("UnknownOperationException", f"Unknown operation: {operation!r}")
        handler = HANDLERS.get(operation)
        try:
            validate = validator_for(operation)
        except KeyError:
            try:
                validate = streams_validator_for(operation)
            except KeyError:
                raise ddb_error(
                    "UnknownOperationException",
                    f"Unknown operation: {operation!r} is not a DynamoDB operation",
                ) from None
        try:
            if not prevalidated:
                validate(request)
            if handler is None:
                raise ddb_error(
                    "UnknownOperationException",
                    f"The emulator does not implement the DynamoDB operation {operation}",
                )
            with self.lock:
                if self.ttl.active:
                    self.ttl.expire_due()
                if operation in CAPACITY_OPERATIONS and self.capacity.enabled:
                    return self._metered(handler, operation, request)
                return handler(self, request)
        except DynamoDBError:
            raise
        except Exception as exc:  # a bug, never an answer: surface it as the service would (500)
            raise ddb_error("InternalServerError", f"Internal server error ({type(exc).__name__})") from exc

    def _metered(self, handler: Any, operation: str, request: dict[str, Any]) -> dict[str, Any]:
        """Run a capacity-bearing handler asking for INDEXES detail, record it in the ledger, and answer
        with what the request asked for (the handler's own numbers: nothing computed twice)."""
        asked = request.get("ReturnConsumedCapacity")
        if asked != "INDEXES":
            request = {**request, "ReturnConsumedCapacity": "INDEXES"}
        response: dict[str, Any] = handler(self, request)
        consumed = response.get("ConsumedCapacity")
        if consumed is not None:
            self.capacity.record(operation, consumed)
            if asked == "TOTAL":
                response["ConsumedCapacity"] = total_only(consumed)
            elif asked != "INDEXES":
                del response["ConsumedCapacity"]
        return response

    def table_arn(self, name: str) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account_id}:table/{name}"

    def table_name(self, name_or_arn: str) -> str:
        """The table name in a ``TableName`` member, which may also be the table's ARN."""
        if name_or_arn.startswith("arn:"):
            prefix = f"arn:aws:dynamodb:{self.region}:{self.account_id}:table/"
            if name_or_arn.startswith(prefix) and "/" not in name_or_arn[len(prefix) :]:
                return name_or_arn[len(prefix) :]
            raise ddb_error("ResourceNotFoundException", RESOURCE_NOT_FOUND)
        return name_or_arn

    def get_table(self, name: str) -> TableState:
        """The table named ``name`` (or its ARN); ResourceNotFoundException when there is none."""
        table = self.tables.get(name)
        if table is None:
            table = self.tables.get(self.table_name(name))
            if table is None:
                raise ddb_error("ResourceNotFoundException", RESOURCE_NOT_FOUND)
        return table

    def reset(self) -> None:
        """Drop every table, stream, TTL setting, client token and ledger entry (the clock and settings
        stay)."""
        with self.lock:
            self.tables.clear()
            self.tokens.clear()
            self.streams.clear()
            self.ttl.clear()
            self.capacity.reset()

    def stream_records(self, table_name: str, since: str | None = None) -> list[dict[str, Any]]:
        """The records of the table's stream as a Lambda event's ``Records`` (JSON values, binary as base64,
        ``eventSourceARN``), oldest first; ``since``: only those after this ``SequenceNumber``.

        Feed them to a handler: ``handler({"Records": emu.stream_records("orders")}, None)``. The table's
        open stream, or its last one if the stream was disabled or the table deleted; [] if it never had one.
        """
        if since is not None and not (isinstance(since, str) and since.isascii() and since.isdigit()):
            raise ValueError(f"since must be a SequenceNumber (a string of digits), not {since!r}")
        with self.lock:
            stream = self.streams.stream_of(self.table_name(table_name))
            if stream is None:
                return []
            stream.trim(self.clock.now())
            start = stream.first if since is None else stream.position_of(int(since) + 1)
            return [record.lambda_event(stream) for record in stream.records[start:]]

    def snapshot(self) -> Snapshot:
        """The whole state now (tables, items, indexes, TTL, streams, tags, client tokens, ledger), for
        ``restore``.

        Cheap: O(tables); writes then log their undo until the snapshot is released or collected.
        """
        return self.snapshots.take()

    def restore(self, snapshot: Snapshot) -> None:
        """Go back to ``snapshot`` (O(tables + changes since)); later snapshots become invalid."""
        self.snapshots.restore(snapshot)

    def rollback(self) -> AbstractContextManager[Snapshot]:
        """``with emu.rollback(): ...`` undoes everything done inside the block (see ``snapshots``)."""
        return self.snapshots.rollback()

    def client(self) -> EmulatorClient:
        """A boto3-compatible low-level DynamoDB client answered directly by this emulator."""
        from theorydb_mocks.emulator.client import EmulatorClient

        return EmulatorClient(self)

    def boto3_client(self, **kwargs: Any) -> Any:
        """A real boto3 DynamoDB client answered in-process (botocore validation, serialization, retries).

        ``kwargs`` go to ``boto3.client`` (``config=``, ``region_name=``...); credentials are dummies unless
        given. No global state: other clients are not affected (see ``mock_dynamodb`` for that).
        """
        from theorydb_mocks.emulator.routing import make_client

        return make_client(self, "dynamodb", **kwargs)

    def streams_client(self, **kwargs: Any) -> Any:
        """A real boto3 DynamoDB Streams client answered in-process, like ``boto3_client``."""
        from theorydb_mocks.emulator.routing import make_client

        return make_client(self, "dynamodbstreams", **kwargs)
