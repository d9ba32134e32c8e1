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

import os
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator import operations as _operations  # noqa: F401  (registers every handler)
from theorydb_mocks.emulator._types import Request, Response
from theorydb_mocks.emulator.backups import Backups
from theorydb_mocks.emulator.clock import Clock
from theorydb_mocks.emulator.control import Transitions, table_status
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error
from theorydb_mocks.emulator.faults import Faults
from theorydb_mocks.emulator.history import TableHistories
from theorydb_mocks.emulator.kinesis import KinesisHub
from theorydb_mocks.emulator.ledger import CapacityLedger, total_only
from theorydb_mocks.emulator.operations._registry import (
    OPERATIONS,
    Handler,
    OperationRecord,
    record_for,
)
from theorydb_mocks.emulator.pipeline import JournalWriter, Observation, Observer, Prepare, WireRequest
from theorydb_mocks.emulator.regions import Regions, valid_region
from theorydb_mocks.emulator.replication import Replication
from theorydb_mocks.emulator.snapshots import Snapshot, Snapshots
from theorydb_mocks.emulator.streams import StreamHub
from theorydb_mocks.emulator.tokens import ClientTokens
from theorydb_mocks.emulator.transfer.jobs import Transfers
from theorydb_mocks.emulator.transfer.s3 import LocalS3
from theorydb_mocks.emulator.ttl import TimeToLive, TtlMode

if TYPE_CHECKING:
    from theorydb_mocks.emulator.catalog import TableState
    from theorydb_mocks.emulator.client import EmulatorClient

__all__ = ["DynamoDBEmulator"]


class DynamoDBEmulator:
    """An in-memory DynamoDB: thread-safe, with DynamoDB's validation, answers and errors.

    ``region`` and ``account_id`` go into ARNs; ``clock`` drives every timestamp (system time by default)
    and TTL. ``ttl_mode`` is ``"lazy"`` (expired items linger until ``emu.ttl.sweep()`` or 48 hours, as on
    DynamoDB) or ``"immediate"`` (see ``ttl``). ``capacity_ledger=False`` stops ``emu.capacity`` recording.
    ``s3_root`` is the folder of the local S3 stand-in that exports, imports and bulk operations use
    (``s3://bucket/key`` is ``<s3_root>/bucket/key``); by default it is in memory (``emu.s3``).
    ``transition_delay``: seconds on the clock a background change (contributor insights, Kinesis
    destinations, warm throughput) stays ENABLING/UPDATING before it settles; 0 settles at once (``control``).
    ``table_lifecycle=True`` (with a delay) puts tables and GSIs through CREATING, UPDATING and backfilling
    for that long too, refusing what the service refuses meanwhile; off by default, so tests stay instant.
    """

    def __init__(
        self,
        *,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        clock: Clock | None = None,
        ttl_mode: TtlMode = "lazy",
        capacity_ledger: bool = True,
        s3_root: str | os.PathLike[str] | None = None,
        transition_delay: float = 0.0,
        table_lifecycle: bool = False,
    ) -> None:
        if not valid_region(region):
            raise ValueError(f"not a region name: {region!r}")
        # Shared by every region of this emulator (see ``regions``).
        self.account_id = account_id
        self.clock = clock if clock is not None else Clock()
        # how long background changes take; with table_lifecycle, tables and GSIs too (``control``)
        self.transitions = Transitions(self.clock, transition_delay, table_lifecycle=table_lifecycle)
        self.lock = threading.RLock()
        self.faults = Faults()
        self.s3 = LocalS3(s3_root)  # exports, imports and bulk operations read and write here
        self._observers: tuple[Observer, ...] = ()
        # False: every request takes the full pipeline (differential tests of the lanes, debugging)
        self.express_lanes = True
        self._start_region(region, ttl_mode, capacity_ledger)
        self.regions = Regions(self, self._new_region)
        self.snapshots = Snapshots(self)
        self.replication = Replication(self.regions)

    def _start_region(self, region: str, ttl_mode: TtlMode, capacity_ledger: bool) -> None:
        """The state that is each region's own: tables, streams, TTL, the ledger, tokens, export and import
        jobs, a journal (the local S3 stand-in is shared, as bucket names are)."""
        self.region = region
        self.tables: dict[str, TableState] = {}
        self.streams = StreamHub(self)
        self.ttl = TimeToLive(self, ttl_mode)
        self.capacity = CapacityLedger(enabled=capacity_ledger)
        self.kinesis = KinesisHub(self)  # what Kinesis streaming destinations received
        self.tokens = ClientTokens()  # ClientRequestToken records (see ``tokens``)
        self.transfers = Transfers(self.clock)  # export and import jobs (see ``transfer.jobs``)
        self.history = TableHistories(self)  # change logs for backups and point-in-time recovery
        self.backups = Backups(self)
        self._journal: JournalWriter | None = None

    def _new_region(self, region: str) -> DynamoDBEmulator:
        """Another region of this emulator: its own tables and services, this one's shared parts."""
        other = object.__new__(DynamoDBEmulator)
        other.account_id = self.account_id
        other.clock = self.clock
        other.transitions = self.transitions
        other.lock = self.lock
        other.faults = self.faults
        other.s3 = self.s3
        other._observers = self._observers
        other.express_lanes = self.express_lanes
        other._start_region(region, self.ttl.mode, self.capacity.enabled)
        other.regions = self.regions
        other.snapshots = self.snapshots
        other.replication = self.replication
        return other

    def in_region(self, region: str) -> DynamoDBEmulator:
        """The region ``region`` of this emulator (made, empty, on first use): its own tables, the same
        clock, lock, faults, observers, snapshots and replication (see ``regions``)."""
        if region == self.region:
            return self
        return self.regions.get(region)

    def __repr__(self) -> str:
        return f"<DynamoDBEmulator {self.region} tables={len(self.tables)}>"

    @property
    def transition_delay(self) -> float:
        """Seconds a background change takes on the emulator's clock (settable; see ``control``)."""
        return self.transitions.delay

    @transition_delay.setter
    def transition_delay(self, seconds: float) -> None:
        self.transitions.delay = Transitions(self.clock, seconds).delay  # checked; tables keep the object

    @property
    def table_lifecycle(self) -> bool:
        """Whether tables and GSIs go through CREATING/UPDATING for ``transition_delay`` (settable)."""
        return self.transitions.table_lifecycle

    @table_lifecycle.setter
    def table_lifecycle(self, on: bool) -> None:
        self.transitions.table_lifecycle = bool(on)

    @property
    def replication_delay(self) -> float:
        """Seconds on the clock between a write to a global table and its arrival in the other replicas
        (half a second by default; 0 replicates before the write is answered). See ``replication``."""
        return self.replication.delay

    @replication_delay.setter
    def replication_delay(self, seconds: float) -> None:
        self.replication.delay = seconds

    def dispatch(
        self,
        operation: str,
        request: dict[str, Any],
        *,
        prevalidated: bool = False,
        origin: WireRequest | None = None,
        prepare: Prepare | None = None,
    ) -> dict[str, Any]:
        """Answer one request: by its operation's express lane when it takes it (``express``), otherwise
        through the pipeline (``pipeline.STAGES``): faults, validation, then under the lock TTL expiry,
        capacity, the handler and the journal; observers last.

        Raises ``DynamoDBError`` for every error answer, and only that: an unexpected exception in the
        validation or a handler becomes an ``InternalServerError`` (chained, so the cause stays visible).
        ``prevalidated=True`` skips the validation, for a door that has just run an equivalent check.
        ``origin`` is the request as it came over the wire (``door``), for the journal.
        ``prepare``: a door's own checks and conversions of the request as it came (the direct client's
        botocore rules), run when the express lane declines it; it returns the request to answer and
        whether it is prevalidated, or raises the door's own error (``ParamValidationError``).
        """
        record = OPERATIONS.get(operation) if type(operation) is str else None
        if record is not None and record.express is not None:
            response = self._express(record, request)
            if response is not None:
                return response
        if prepare is not None:
            request, prevalidated = prepare(request)
        if self._observers:
            return self._observed(operation, request, prevalidated, origin)
        if record is None:
            record = record_for(operation)
        if self.faults.armed:
            return self.faults.dispatch(record, self._run_with(record, origin), request, prevalidated)
        return self._run(record, request, prevalidated, origin)

    def express(self, operation: str, request: dict[str, Any]) -> dict[str, Any] | None:
        """The answer of the operation's express lane to ``request`` as a door received it, or None when
        there is no lane, a stage has work to do, or the lane declines (see ``pipeline``); ``dispatch``
        tries it first. An error answer only from a lane that runs its handler on a request surely
        valid (UpdateItem's, Query's): the handler's own error, as the full pipeline would raise it."""
        record = OPERATIONS.get(operation) if type(operation) is str else None
        return None if record is None else self._express(record, request)

    def _express(self, record: OperationRecord, request: dict[str, Any]) -> dict[str, Any] | None:
        """``express`` for the operation's record (``dispatch`` has looked it up already).

        Every flag it reads is a plain attribute, and the lock is taken without ``with``: on a direct
        GetItem, the properties and the ``with`` statement cost 0.6 us of about 16 (measured)."""
        lane = record.express
        if (
            lane is None
            or type(request) is not dict
            or not self.express_lanes
            or self.faults.armed
            or self._journal is not None
            or self.replication.active
            or self.transitions.table_lifecycle
        ):
            return None
        failure: DynamoDBError | None = None
        lock = self.lock
        lock.acquire()
        try:
            if self.ttl.active:
                self.ttl.expire_due()
            if self.transfers.pending:
                self.transfers.settle()
            answered = lane(self, request)
            if answered is None:
                return None
            if self.replication.active and not record.read_only:  # a global table's write, delay 0
                self.replication.catch_up()
            response, table, units = answered
            capacity = self.capacity
            if capacity.enabled:  # the lane's units, charged to the ledger under the lock
                capacity.charge(record.name, table, units)
        except DynamoDBError as err:
            failure = err
        except Exception as exc:  # a lane's bug is the service's 500, as a handler's
            failure = internal_error(exc)
            failure.__cause__ = exc
        finally:
            lock.release()
        if failure is not None:  # observers hear of it outside the lock
            if self._observers:
                self._tell_observers(record.name, request, None, failure)
            raise failure
        if self._observers:
            self._tell_observers(record.name, request, response, None)
        return response

    def _tell_observers(
        self, operation: str, request: dict[str, Any], response: Response | None, error: DynamoDBError | None
    ) -> None:
        """Each observer sees the request and its answer (outside the lock: the callers release it)."""
        seen = Observation(operation, request, response, error)
        for observer in self._observers:
            observer(seen)

    def _observed(
        self, operation: str, request: dict[str, Any], prevalidated: bool, origin: WireRequest | None
    ) -> dict[str, Any]:
        try:
            record = record_for(operation)
            if self.faults.armed:
                run = self._run_with(record, origin)
                response = self.faults.dispatch(record, run, request, prevalidated)
            else:
                response = self._run(record, request, prevalidated, origin)
        except DynamoDBError as err:
            self._tell_observers(str(operation), request, None, err)
            raise
        self._tell_observers(operation, request, response, None)
        return response

    def _run_with(
        self, record: OperationRecord, origin: WireRequest | None
    ) -> Callable[[Request, bool], Response]:
        def run(request: Request, prevalidated: bool) -> Response:
            return self._run(record, request, prevalidated, origin)

        return run

    def _run(
        self, record: OperationRecord, request: dict[str, Any], prevalidated: bool, origin: WireRequest | None
    ) -> dict[str, Any]:
        """The stages after faults: validate, then TTL, capacity, handler and journal under the lock."""
        if not prevalidated:
            try:
                record.validate(request)
            except DynamoDBError:
                raise
            except Exception as exc:  # a validator's bug is the service's 500 too
                raise internal_error(exc) from exc
        handler = record.handler
        if handler is None:
            raise ddb_error(
                "UnknownOperationException",
                M.NOT_IMPLEMENTED.format(operation=record.name),
            )
        with self.lock:
            journal = None if record.read_only else self._journal
            if journal is not None:
                return self._journaled(journal, record, handler, request, origin)
            return self._locked(record, handler, request)

    def _locked(self, record: OperationRecord, handler: Handler, request: dict[str, Any]) -> dict[str, Any]:
        """TTL, capacity and the handler (the caller holds the lock)."""
        try:
            if self.ttl.active:
                self.ttl.expire_due()
            if self.transfers.pending:
                self.transfers.settle()
            replication = self.replication
            if replication.active:  # global tables' writes due by now arrive first
                replication.catch_up()
            if record.metered and self.capacity.enabled:
                response = self._metered(handler, record, request)
            else:
                response = handler(self, request)
            if replication.active and not record.read_only:  # a zero delay: everywhere before the answer
                replication.catch_up()
            return response
        except DynamoDBError:
            raise
        except Exception as exc:  # a bug, never an answer: surface it as the service would (500)
            raise internal_error(exc) from exc

    def _journaled(
        self,
        journal: JournalWriter,
        record: OperationRecord,
        handler: Handler,
        request: dict[str, Any],
        origin: WireRequest | None,
    ) -> dict[str, Any]:
        """The stages with a journal: a write the journal cannot record is undone (an O(tables) snapshot
        taken before the handler, restored), so nothing unrecorded is ever seen or answered."""
        undo = self.snapshots.take()
        try:
            at = self.clock.now()
            response = self._locked(record, handler, request)
            try:
                journal(record.name, request, origin, at)
            except BaseException:
                self.snapshots.restore(undo)
                raise
            return response
        finally:
            self.snapshots.release(undo)

    def _metered(self, handler: Handler, record: OperationRecord, request: dict[str, Any]) -> dict[str, Any]:
        """Run a capacity-bearing handler asking for the detail the ledger needs, record it, and answer
        with what the request asked for (the handler's own numbers: nothing computed twice).

        The ledger needs INDEXES detail only where a table has indexes: a request on one table without
        any asks for TOTAL, which is the table's own share there (cheaper to build and to strip)."""
        asked = request.get("ReturnConsumedCapacity")
        if asked != "INDEXES":
            detail = "INDEXES"
            name = request.get("TableName")
            if type(name) is str:
                table = self.tables.get(name)
                if table is not None and not table.store.has_indexes:
                    detail = "TOTAL"
            if detail != asked:
                request = {**request, "ReturnConsumedCapacity": detail}
        response: dict[str, Any] = handler(self, request)
        consumed = response.get("ConsumedCapacity")
        if consumed is not None:
            self.capacity.record(record.name, consumed)
            if asked == "TOTAL":
                response["ConsumedCapacity"] = total_only(consumed)  # a copy: the ledger keeps its own
            elif asked != "INDEXES":
                del response["ConsumedCapacity"]
        return response

    # --- plugged-in stages -------------------------------------------------------------------------------

    def observe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer(observation)`` after every request this emulator answers, from any door, with
        the operation, the request and its answer or error (``pipeline.Observation``). Returns a function
        that stops it. Observers run after the lock is released, in the order they were added."""
        with self.lock:
            self._set_observers((*self._observers, observer))

        def stop() -> None:
            with self.lock:
                self._set_observers(tuple(o for o in self._observers if o is not observer))

        return stop

    def _set_observers(self, observers: tuple[Observer, ...]) -> None:
        for region in self.regions:  # every region's requests are observed
            region._observers = observers

    def set_journal(self, journal: JournalWriter | None) -> None:
        """Have ``journal`` record every successful mutating request, under the lock, before it is
        answered (one journal per region: this region's writes; ``None`` removes it). The HTTP server's
        ``db_path`` uses it."""
        with self.lock:
            if journal is not None and self._journal is not None:
                raise RuntimeError("this emulator already has a journal")
            self._journal = journal

    def table_arn(self, name: str) -> str:
        return f"arn:aws:dynamodb:{self.region}:{self.account_id}:table/{name}"

    def table_name(self, name_or_arn: str) -> str:
        """The table name in a ``TableName`` member, which may also be the table's ARN."""
        if name_or_arn.startswith("arn:"):
            prefix = f"arn:aws:dynamodb:{self.region}:{self.account_id}:table/"
            if name_or_arn.startswith(prefix) and "/" not in name_or_arn[len(prefix) :]:
                return name_or_arn[len(prefix) :]
            raise ddb_error("ResourceNotFoundException", M.RESOURCE_NOT_FOUND)
        return name_or_arn

    def get_table(self, name: str) -> TableState:
        """The table named ``name`` (or its ARN); ResourceNotFoundException when there is none (or, with a
        ``transition_delay``, while it is still CREATING, as the service answers data-plane calls)."""
        table = self.tables.get(name)
        if table is None:
            table = self.tables.get(self.table_name(name))
            if table is None:
                raise ddb_error("ResourceNotFoundException", M.RESOURCE_NOT_FOUND)
        if self.transitions.lifecycle and table_status(table) == "CREATING":  # the opt-in lifecycle
            raise ddb_error("ResourceNotFoundException", M.RESOURCE_NOT_FOUND)
        return table

    def reset(self) -> None:
        """Drop every table, stream, TTL setting, client token, ledger entry and global table, in every
        region (the clock, settings and regions stay)."""
        with self.lock:
            self.replication.clear()
            for region in self.regions:
                region.tables.clear()
                region.tokens.clear()
                region.streams.clear()
                region.kinesis.clear()
                region.ttl.clear()
                region.capacity.reset()
                region.transfers.clear()
                region.backups.clear()
                region.history.clear()

    def stream_records(self, table_name: str, since: str | None = None) -> list[dict[str, Any]]:
        """The records of the table's stream as a Lambda event's ``Records`` (JSON values, binary as base64,
        ``eventSourceARN``), oldest first; ``since``: only those after this ``SequenceNumber``.

        Feed them to a handler: ``handler({"Records": emu.stream_records("orders")}, None)``. The table's
        open stream, or its last one if the stream was disabled or the table deleted; [] if it never had one.
        """
        if since is not None and not (isinstance(since, str) and since.isascii() and since.isdigit()):
            raise ValueError(f"since must be a SequenceNumber (a string of digits), not {since!r}")
        with self.lock:
            if self.replication.active:  # replicated writes due by now are in the stream
                self.replication.catch_up()
            stream = self.streams.stream_of(self.table_name(table_name))
            if stream is None:
                return []
            stream.trim(self.clock.now())
            start = stream.first if since is None else stream.position_of(int(since) + 1)
            return [record.lambda_event(stream) for record in stream.records[start:]]

    def kinesis_records(self, stream_arn: str) -> list[dict[str, Any]]:
        """The change records the Kinesis data stream ``stream_arn`` has received as a streaming destination
        (EnableKinesisStreamingDestination), oldest first, each as a consumer decodes its ``data``
        (``awsRegion``, ``eventID``, ``eventName``, ``userIdentity``, ``recordFormat``, ``tableName``,
        ``dynamodb``, ``eventSource``; see ``kinesis``). [] for a stream that received nothing."""
        with self.lock:
            return self.kinesis.received(stream_arn)

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

    def dump(self, path: str | os.PathLike[str]) -> dict[str, dict[str, int]]:
        """Write every table of every region (DescribeTable JSON and DynamoDB JSON items) to ``path``."""
        from theorydb_mocks.emulator.dumps import dump

        return dump(self, path)

    def load(self, path: str | os.PathLike[str]) -> dict[str, dict[str, int]]:
        """Create and fill the tables of a dump (``dump``, ``--seed``); see ``dumps``."""
        from theorydb_mocks.emulator.dumps import load

        return load(self, path)

    def save_snapshot(self, name: str, path: str | os.PathLike[str] | None = None) -> Snapshot:
        """Keep the state now as ``name`` (and write it to the folder ``path``); see ``named_snapshots``."""
        from theorydb_mocks.emulator.named_snapshots import save_snapshot

        return save_snapshot(self, name, path)

    def restore_snapshot(self, name: str) -> None:
        """Go back to the named snapshot ``name`` (O(tables + changes since))."""
        from theorydb_mocks.emulator.named_snapshots import restore_snapshot

        restore_snapshot(self, name)

    def load_snapshot(self, path: str | os.PathLike[str], name: str | None = None) -> str:
        """Empty this emulator and load the snapshot saved at ``path``; returns its name."""
        from theorydb_mocks.emulator.named_snapshots import load_snapshot

        return load_snapshot(self, path, name)

    def client(self, *, region_name: str | None = None) -> EmulatorClient:
        """A boto3-compatible low-level DynamoDB client answered directly by this emulator (by its region
        ``region_name`` when given: see ``in_region``)."""
        from theorydb_mocks.emulator.client import EmulatorClient

        return EmulatorClient(self if region_name is None else self.in_region(region_name))

    def boto3_client(self, **kwargs: Any) -> Any:
        """A real boto3 DynamoDB client answered in-process (botocore validation, serialization, retries).

        ``kwargs`` go to ``boto3.client`` (``config=``, ``region_name=``...); the client's region is the
        emulator's region it talks to (``in_region``); credentials are dummies unless given. No global
        state: other clients are not affected (see ``mock_dynamodb`` for that).
        """
        from theorydb_mocks.emulator.routing import make_client

        return make_client(self, "dynamodb", **kwargs)

    def streams_client(self, **kwargs: Any) -> Any:
        """A real boto3 DynamoDB Streams client answered in-process, like ``boto3_client``."""
        from theorydb_mocks.emulator.routing import make_client

        return make_client(self, "dynamodbstreams", **kwargs)

    def resource(self, **kwargs: Any) -> Any:
        """A real ``boto3.resource("dynamodb")`` answered in-process (``Table``, ``batch_writer``, ``Key``/
        ``Attr`` conditions), on this emulator; ``kwargs`` as for ``boto3_client``. No global state."""
        from theorydb_mocks.emulator.routing import make_resource

        return make_resource(self, **kwargs)


def internal_error(exc: Exception) -> DynamoDBError:
    """The one answer to an unexpected exception anywhere in validation or a handler: the service's 500
    (``InternalServerError``), naming only the exception's type; chain ``exc`` to keep the cause."""
    return ddb_error("InternalServerError", M.INTERNAL_ERROR_OF.format(kind=type(exc).__name__))
