"""The emulator over HTTP: the DynamoDB and DynamoDB Streams JSON 1.0 protocols on one port.

Any AWS SDK or the AWS CLI pointed at ``endpoint_url`` talks to it as to DynamoDB: ``X-Amz-Target`` picks
the operation (``DynamoDB_20120810.PutItem``, ``DynamoDBStreams_20120810.GetRecords``), answers carry
``x-amzn-RequestId`` and ``x-amz-crc32``, errors are ``{"__type": ..., "message": ...}`` with the service's
status codes. Translation is ``wire``'s; answers come from ``DynamoDBEmulator.dispatch``.

- One event loop (in one thread) reads every connection with a minimal HTTP/1.1 parser
  (keep-alive, pipelining, ``Content-Length`` or chunked bodies; chunked wins over ``Content-Length``) and
  answers each request in turn: the emulator is in memory, so there is nothing to wait for, and an idle
  connection costs one small object, not a thread. ``event_loop``: asyncio's, or uvloop's (the ``server``
  extra; ``"auto"``, the default, takes it when installed): the loop and its system calls were two thirds
  of a request's time with asyncio's (``benchmarks/bench_server.py``).
- Hostile clients: a connection limit, an idle timeout, a deadline for each whole request (a client
  dribbling bytes is cut off), bodies above ``max_body`` refused unread, a cap on the bytes buffered across
  all connections, and every HTTP-level error answered with DynamoDB's JSON error body.
- Authentication: by default signatures are not checked (``access_key`` accepts one access key without
  verifying, as a guard against pointing the wrong client at it). ``credentials`` verifies SigV4 signatures
  against those secrets (see ``sigv4``).
- Regions: a request is answered by the region of its SigV4 credential scope (``Credential=AK/date/
  REGION/dynamodb/aws4_request``; see ``regions``), unsigned ones by ``region``'s. Each region has its own
  tables, as on AWS. ``db_per_access_key`` gives each access key its own emulator (each again with its
  regions), as DynamoDB Local gives each access key and region its own database.
- ``stop()`` is graceful within ``grace`` seconds: it stops accepting, answers what is being answered,
  closes idle connections, gives half-received requests until the grace period ends, then closes them.
- The server's own routes live under ``/_theorydb/`` (health, reset; one table in ``admin``); ``cors``
  answers browsers' preflights (``cors``); with ``theorydb_mocks.server`` enabled for INFO each request
  is logged with its operation, table, status and milliseconds (``request_log``).
- ``db_path``: each successful mutating request is journaled (the pipeline's journal stage, under the
  emulator's lock) before it is answered; a write the journal cannot record is undone in memory and
  answers 500, and a journal whose state is unknown refuses every write (see ``persistence``). The
  journal is compacted in the background every ``compact_every`` records.
- ``s3_dir``: the folder of the local S3 stand-in (``s3://bucket/key`` is ``<s3_dir>/bucket/key``) that
  exports write to and imports and bulk puts read from; in memory without it. Every database shares it.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html

>>> import boto3
>>> with serve_in_thread() as endpoint:
...     client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
...                           aws_access_key_id="k", aws_secret_access_key="s")
...     client.list_tables()["TableNames"]
[]
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import ipaddress
import itertools
import logging
import re
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Literal, cast
from urllib.parse import parse_qs

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator import named_snapshots as _named_snapshots  # noqa: F401 (its admin routes)
from theorydb_mocks.emulator.admin import ADMIN_PREFIX, AdminRequest, answer_admin
from theorydb_mocks.emulator.console import CONSOLE_PATH  # also registers the console's admin routes
from theorydb_mocks.emulator.core import DynamoDBEmulator
from theorydb_mocks.emulator.cors import CorsPolicy
from theorydb_mocks.emulator.door import answer as answer_request
from theorydb_mocks.emulator.door import request_id
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error
from theorydb_mocks.emulator.persistence import (
    GLOBAL_TABLES,
    LOAD_ITEMS,
    FsyncPolicy,
    Journal,
    JournalRecord,
    JournalWriteError,
    capture,
    load_items,
    load_replication,
    replication_record,
    snapshot_records,
)
from theorydb_mocks.emulator.pipeline import JournalWriter, WireRequest
from theorydb_mocks.emulator.recovery_journal import (
    LOAD_RECOVERY,
    capture_recovery,
    load_recovery,
    recovery_records,
)
from theorydb_mocks.emulator.regions import valid_region
from theorydb_mocks.emulator.request_log import describe, log_request
from theorydb_mocks.emulator.sigv4 import SigV4Verifier
from theorydb_mocks.emulator.transfer.s3 import LocalS3
from theorydb_mocks.emulator.wire import decode_request, encode_error, encode_request

__all__ = [
    "EVENT_LOOPS",
    "MAX_BODY",
    "EmulatorServer",
    "EventLoop",
    "http_date",
    "is_loopback",
    "new_event_loop",
    "serve_in_thread",
]

_log = logging.getLogger("theorydb_mocks.server")

CONTENT_TYPE = "application/x-amz-json-1.0"
MAX_BODY = 16 * 1024 * 1024  # the service's request size limit: larger bodies are refused unread
MAX_HEAD = 64 * 1024  # request line and headers
MAX_BUFFERED = 256 * 1024 * 1024  # request bytes held across all connections at once

EventLoop = Literal["auto", "asyncio", "uvloop"]
EVENT_LOOPS: tuple[EventLoop, ...] = ("auto", "asyncio", "uvloop")


def _uvloop() -> Any:
    """The uvloop module, or None where it is not installed."""
    try:
        return importlib.import_module("uvloop")
    except ImportError:
        return None


def _check_event_loop(kind: str) -> None:
    if kind not in EVENT_LOOPS:
        raise ValueError(f"event_loop must be one of {', '.join(EVENT_LOOPS)}, not {kind!r}")
    if kind == "uvloop" and _uvloop() is None:
        raise ValueError("event_loop 'uvloop' needs uvloop installed: pip install 'tabletheory[server]'")


def new_event_loop(kind: EventLoop) -> asyncio.AbstractEventLoop:
    """An event loop of ``kind``: uvloop's when asked for (or with ``"auto"`` when it is installed),
    asyncio's otherwise."""
    uvloop = None if kind == "asyncio" else _uvloop()
    loop: asyncio.AbstractEventLoop = asyncio.new_event_loop() if uvloop is None else uvloop.new_event_loop()
    return loop


_CREDENTIAL = re.compile(r"Credential=([^,\s]*)")
_REASONS = {status.value: status.phrase for status in HTTPStatus}
# The first two lines of every answer, per status (the ones a request does not change).
_STATUS_LINES = {code: f"HTTP/1.1 {code} {reason}\r\nServer: Server\r\n" for code, reason in _REASONS.items()}


def _http_error(status: int, code: str, message: str) -> DynamoDBError:
    return DynamoDBError(code, message, status=status)


class _Headers(dict[str, str]):
    """Request headers by lower-case name; ``get`` takes any case (as ``email.message`` does)."""

    def get(self, key: str, default: Any = None) -> Any:
        return dict.get(self, key.lower(), default)


def is_loopback(host: str) -> bool:
    """True when ``host`` only accepts connections from this machine."""
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class EmulatorServer:
    """An HTTP endpoint answering DynamoDB and DynamoDB Streams requests from emulators.

    The socket is bound at construction (``port=0`` picks a free port; see ``endpoint_url``); ``start()``
    serves in a background thread, ``serve_forever()`` in the calling one, ``stop()`` ends either.
    With ``db_path``, replay pins each database's clock to the recorded times and then returns it to the
    system time (a pinned clock on a given ``emulator`` is not kept).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        emulator: DynamoDBEmulator | None = None,
        region: str = "us-east-1",
        access_key: str | None = None,
        credentials: Mapping[str, str] | None = None,
        db_per_access_key: bool = False,
        db_path: str | None = None,
        fsync: FsyncPolicy = "always",
        fsync_interval: float = 1.0,
        compact_every: int = 100_000,
        recover_journal: bool = False,
        log_requests: bool = False,
        cors: Iterable[str] | None = None,
        idle_timeout: float = 60.0,
        request_timeout: float = 30.0,
        max_connections: int = 1000,
        max_body: int = MAX_BODY,
        max_buffered: int = MAX_BUFFERED,
        grace: float = 5.0,
        s3_dir: str | None = None,
        transition_delay: float = 0.0,
        table_lifecycle: bool = False,
        event_loop: EventLoop = "auto",
    ) -> None:
        _check_event_loop(event_loop)
        self.event_loop: EventLoop = event_loop
        if emulator is not None and db_per_access_key:
            raise ValueError("db_per_access_key makes one emulator per access key: do not pass emulator")
        self.region = region
        self.access_key = access_key
        self.verifier = SigV4Verifier(credentials) if credentials else None
        self.db_per_access_key = db_per_access_key
        self.compact_every = compact_every
        self.log_requests = log_requests
        if log_requests and _log.getEffectiveLevel() > logging.INFO:
            _log.setLevel(logging.INFO)
        self.cors = CorsPolicy(cors) if cors is not None else None
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        self.max_connections = max_connections
        self.max_body = max_body
        self.max_buffered = max_buffered
        self.grace = grace
        # each database's (see ``control``)
        self.lifecycle: dict[str, Any] = {
            "transition_delay": transition_delay,
            "table_lifecycle": table_lifecycle,
        }
        self.emulator = (
            emulator
            if emulator is not None
            else DynamoDBEmulator(region=region, s3_root=s3_dir, **self.lifecycle)
        )
        if emulator is not None and s3_dir is not None:
            s3 = LocalS3(s3_dir)
            for each_region in self.emulator.regions:
                each_region.s3 = s3
        self._databases: dict[str, DynamoDBEmulator] = {} if db_per_access_key else {"": self.emulator}
        self._accounts: dict[str, DynamoDBEmulator] = {}
        if not db_per_access_key:
            self.emulator.regions.on_new(lambda region: self._adopt(f"@{region.region}", region))
            for other in self.emulator.regions:
                if other is not self.emulator:
                    self._databases[f"@{other.region}"] = other
        self._databases_lock = threading.Lock()
        self._compacting = threading.Lock()
        self._compactor: threading.Thread | None = None
        self._stopping = threading.Event()
        self._finished = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._serving: asyncio.AbstractServer | None = None
        self._stopped = False
        self.connections: set[_Connection] = set()
        self.buffered = 0
        self.journal: Journal | None = None
        self.replayed = 0
        self.replay_failures = 0
        self.last_compaction: dict[str, float] = {}  # records, seconds, and the two spells writers waited
        self._replaying = False
        if db_path is not None:
            self.journal = Journal(db_path, fsync=fsync, interval=fsync_interval, recover=recover_journal)
            self._replay(self.journal)
            for key, database in self._databases.items():
                database.set_journal(self._journal_writer(key))
        try:
            self._sock = _listen(host, port)
            self._address: tuple[str, int] = (
                str(self._sock.getsockname()[0]),
                int(self._sock.getsockname()[1]),
            )
        except BaseException:
            if self.journal is not None:
                self.journal.close()
            raise
        if not is_loopback(host) and self.verifier is None:
            _log.warning(
                "serving on %s without authentication: anyone who can reach it can read and change every "
                "table (pass credentials to verify SigV4 signatures)",
                self.endpoint_url,
            )

    def __repr__(self) -> str:
        return f"<EmulatorServer {self.endpoint_url}>"

    @property
    def endpoint_url(self) -> str:
        host, port = self._address
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    @property
    def port(self) -> int:
        return self._address[1]

    # --- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Serve in a background thread (returns at once; the socket already listens)."""
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="theorydb-emulator", daemon=True
        )
        self._thread.start()
        ready.wait()

    def serve_forever(self) -> None:
        """Serve until ``stop()`` is called (from another thread or a signal handler's helper thread)."""
        self._run(threading.Event())

    def _run(self, ready: threading.Event) -> None:
        loop = new_event_loop(self.event_loop)
        try:
            self._serving = loop.run_until_complete(
                loop.create_server(lambda: _Connection(self), sock=self._sock, backlog=1024)
            )
            self._loop = loop
            ready.set()
            if self._stopping.is_set():  # stop() came first
                loop.call_soon(self._begin_stop)
            loop.call_later(self._tick, self._sweep)
            loop.run_forever()
        finally:
            ready.set()
            for connection in list(self.connections):
                connection.abort()
            with contextlib.suppress(Exception):
                loop.run_until_complete(asyncio.sleep(0))  # lets the aborted transports close their sockets
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._loop = None
            self._finished.set()

    @property
    def _tick(self) -> float:
        return max(0.01, min(1.0, self.idle_timeout / 4, self.request_timeout / 4))

    def _sweep(self) -> None:
        """Every tick: close connections idle too long, cut off requests past their deadline."""
        now = time.monotonic()
        for connection in list(self.connections):
            connection.check(now)
        loop = self._loop
        if loop is not None and not self._stopping.is_set():
            loop.call_later(self._tick, self._sweep)

    def stop(self) -> None:
        """Stop within ``grace`` seconds: refuse new connections, answer the requests being answered,
        close idle connections, give half-sent requests until the grace period ends; then compact and
        close the journal. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._stopping.set()
        loop = self._loop
        if loop is not None and self._thread is not threading.current_thread():
            with contextlib.suppress(RuntimeError):  # the loop closed in the meantime
                loop.call_soon_threadsafe(self._begin_stop)
            self._finished.wait()
        elif loop is not None:
            self._begin_stop()
        if self._thread is not None:
            self._thread.join()
        self._sock.close()
        if self._compactor is not None:
            self._compactor.join()
        if self.journal is not None:
            try:
                self.compact()
            except OSError:  # the journal as it stands is complete: compaction only makes it shorter
                _log.exception("journal compaction at stop failed; the journal is kept as it is")
            finally:
                with self._databases_lock:
                    for database in self._databases.values():
                        database.set_journal(None)
                self.journal.close()

    def _begin_stop(self) -> None:
        loop = self._loop
        assert loop is not None
        self._stopping.set()
        if self._serving is not None:
            self._serving.close()
        for connection in list(self.connections):
            if connection.idle:
                connection.close()
        loop.call_later(self.grace, self._end_grace)
        self.connection_closed()

    def _end_grace(self) -> None:
        for connection in list(self.connections):
            connection.abort()
        if self._loop is not None:
            self._loop.stop()

    def connection_closed(self) -> None:
        """A connection ended; when stopping and none is left, the loop ends."""
        if self._stopping.is_set() and not self.connections and self._loop is not None:
            self._loop.stop()

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    # --- databases ------------------------------------------------------------------------------------

    def emulator_for(self, access_key: str | None, region: str | None) -> DynamoDBEmulator:
        """The emulator (region) answering requests signed with ``access_key`` in ``region``."""
        if region is None or not valid_region(region):
            region = self.region
        if not self.db_per_access_key:
            emulator = self.emulator
            if region == emulator.region:
                return emulator
            found = emulator.regions.existing(region)
            return found if found is not None else self._database(f"@{region}")
        return self._database(f"{access_key or ''}_{region}")

    def _database(self, key: str) -> DynamoDBEmulator:
        """The database ``key``: ``""`` the shared emulator's own region, ``"@REGION"`` another region of
        it, ``"ACCESSKEY_REGION"`` a region of that access key's emulator (``db_per_access_key``)."""
        found = self._databases.get(key)
        if found is not None:
            return found
        with self._databases_lock:
            found = self._databases.get(key)
            if found is None:
                if key.startswith("@"):
                    found = self.emulator.in_region(key[1:])
                else:
                    access_key, _, region = key.rpartition("_")
                    found = self._account(access_key).in_region(region or self.region)
                self._adopt(key, found)
            return found

    def _roots(self) -> list[tuple[str, DynamoDBEmulator]]:
        """Each emulator (with all its regions) and the database key of its home region."""
        roots = [] if self.db_per_access_key else [("", self.emulator)]
        roots.extend((f"{key}_{self.region}", root) for key, root in sorted(self._accounts.items()))
        return roots

    def _account(self, access_key: str) -> DynamoDBEmulator:
        """The emulator of one access key (``db_per_access_key``), its regions adopted as they are made."""
        found = self._accounts.get(access_key)
        if found is None:
            found = self._accounts[access_key] = DynamoDBEmulator(region=self.region, **self.lifecycle)
            found.s3 = self.emulator.s3  # one S3 for every database, as buckets are the account's
            self._adopt(f"{access_key}_{self.region}", found)
            found.regions.on_new(lambda region: self._adopt(f"{access_key}_{region.region}", region))
        return found

    def _adopt(self, key: str, emulator: DynamoDBEmulator) -> None:
        """Serve (and journal) ``emulator`` as the database ``key``: regions made by replication too, so
        compaction keeps them."""
        if key in self._databases:
            return
        if self.journal is not None and not self._replaying:
            emulator.set_journal(self._journal_writer(key))
        if self._replaying:
            emulator.streams.muted = True
        self._databases[key] = emulator

    # --- persistence ----------------------------------------------------------------------------------

    def _replay(self, journal: Journal) -> None:
        """Re-run the journal's requests, each at its recorded clock reading; then every stream starts
        afresh under a new ARN (its records were not kept), as the service does for a new stream.

        Every region is replayed with its streams muted, those made by replication too; writes still on
        their way between replicas arrive at the first request after the restart."""
        self._replaying = True
        for emulator in self._databases.values():
            emulator.streams.muted = True
        for record in journal.replay():
            # A database this mode does not serve (per-key data under a shared server, or the reverse) is
            # still loaded, so compaction keeps it for a later run in the other mode.
            emulator = self._database(record.database)
            try:
                if record.target == LOAD_ITEMS:
                    load_items(emulator, record)
                elif record.target == LOAD_RECOVERY:  # backups and recovery histories (``recovery_journal``)
                    load_recovery(emulator, record)
                elif record.target == GLOBAL_TABLES:
                    load_replication(emulator, record)
                else:
                    operation, request = decode_request(record.target, record.body)
                    emulator.clock.set(record.at)
                    emulator.dispatch(operation, request)
            except DynamoDBError as err:  # a request that failed when it ran and was not cut back
                self.replay_failures += 1
                _log.info("journal record %s failed again on replay: %s", record.target, err)
            self.replayed += 1
        self._replaying = False
        for emulator in self._databases.values():
            emulator.clock.reset()
            emulator.streams.muted = False
            _restart_streams(emulator)

    def _journal_writer(self, key: str) -> JournalWriter:
        """The journal stage of the database ``key``: each successful write, as sent, before its answer.

        A write the journal cannot record raises; the pipeline then undoes the change in memory."""
        journal = self.journal
        assert journal is not None

        def write(operation: str, request: dict[str, Any], origin: WireRequest | None, at: float) -> None:
            target, body = origin if origin is not None else encode_request(operation, request)
            try:
                journal.append(JournalRecord(key, target, at, body))
            except JournalWriteError as exc:
                _log.error("%s refused: %s", operation, exc)
                raise ddb_error("InternalServerError", M.JOURNAL_NOT_RECORDED.format(reason=exc)) from exc

        return write

    def _hold_writers(self) -> contextlib.ExitStack:
        """Every database's lock, in one order, and no new database meanwhile (compaction)."""
        stack = contextlib.ExitStack()
        stack.enter_context(self._databases_lock)
        for _, emulator in sorted(self._databases.items()):
            stack.enter_context(emulator.lock)
        return stack

    def compact(self) -> None:
        """Rewrite the journal as a snapshot of every database (no-op without ``db_path``).

        The databases are held only while their items are listed (references, no copies); the records
        are encoded and written with writers running, then writers wait while the records appended
        meanwhile are copied and the file is renamed.
        """
        journal = self.journal
        if journal is None:
            return
        with self._compacting:
            started = time.perf_counter()
            with self._hold_writers():
                covers = journal.mark()
                images = [
                    (key, capture(emulator), capture_recovery(emulator), emulator.clock.now())
                    for key, emulator in sorted(self._databases.items())
                ]
                global_tables = [  # after every table of every region: one per emulator with regions
                    found
                    for key, root in self._roots()
                    if (found := replication_record(key, root, root.clock.now())) is not None
                ]
            held = time.perf_counter() - started
            records = itertools.chain(
                (
                    record
                    for key, tables, recovery, at in images
                    for record in itertools.chain(
                        snapshot_records(key, tables, at), recovery_records(key, recovery, at)
                    )
                ),
                global_tables,
            )
            finishing = time.perf_counter()

            def hold() -> contextlib.ExitStack:
                nonlocal finishing
                finishing = time.perf_counter()
                return self._hold_writers()

            count = journal.compact(records, covers, hold)
            ended = time.perf_counter()
            self.last_compaction = {
                "records": count,
                "seconds": ended - started,
                "held_listing": held,
                "held_swapping": ended - finishing,
            }

    def _maybe_compact(self) -> None:
        journal = self.journal
        if (
            journal is not None
            and journal.records_written >= self.compact_every
            and not self._compacting.locked()
            and (self._compactor is None or not self._compactor.is_alive())
        ):
            self._compactor = threading.Thread(
                target=self._compact_in_background, name="journal-compaction", daemon=True
            )
            self._compactor.start()

    def _compact_in_background(self) -> None:
        try:
            self.compact()
        except Exception:  # the journal as it stands is complete: compaction only makes it shorter
            _log.exception("journal compaction failed; the journal is kept as it is")

    def reset(self) -> None:
        """Empty every database (tables, streams, TTL, client tokens, ledger; clocks and settings stay) and
        the journal with them: the state a fresh server starts in. Writers wait meanwhile."""
        with self._compacting:
            with self._hold_writers():
                for database in self._databases.values():
                    database.reset()
                covers = self.journal.mark() if self.journal is not None else None
            if self.journal is not None and covers is not None:
                self.journal.compact((), covers, self._hold_writers)  # keeps only what came after the reset

    # --- requests -------------------------------------------------------------------------------------

    def answer(
        self,
        target: str | None,
        body: bytes,
        headers: Any,
        query: str = "",
        *,
        method: str = "POST",
        path: str = "/",
    ) -> tuple[int, bytes]:
        """The status and JSON body answering one POST (``headers`` is any case-insensitive mapping)."""
        try:
            access_key, region = self._authenticate(headers, query, method, path, body)
            status, payload = answer_request(self.emulator_for(access_key, region), target, body)
        except DynamoDBError as err:
            return encode_error(err)
        except Exception:  # a bug, never an answer: log it, answer as the service would
            _log.exception("internal error answering %s", target)
            return encode_error(ddb_error("InternalServerError", M.INTERNAL_ERROR))
        if self.journal is not None and status == 200:
            self._maybe_compact()
        return status, payload

    def _authenticate(
        self, headers: Any, query: str, method: str, path: str, body: bytes
    ) -> tuple[str | None, str | None]:
        """(access key, region) of the request's SigV4 credential; verified when ``credentials`` are set,
        compared with ``access_key`` when that is set."""
        if self.verifier is not None:
            lowered = (
                headers
                if isinstance(headers, _Headers)
                else _Headers((k.lower(), v) for k, v in headers.items())
            )
            identity = self.verifier.verify(method, path, query, lowered, body)
            return identity.access_key, identity.region
        authorization = headers.get("Authorization")
        credential: str | None = None
        if authorization:
            found = _CREDENTIAL.search(authorization)
            if found is not None:
                credential = found.group(1)
            elif self.access_key is not None:
                missing = [
                    p for p in ("Credential", "Signature", "SignedHeaders") if f"{p}=" not in authorization
                ]
                raise ddb_error(
                    "IncompleteSignatureException",
                    " ".join(M.AUTHORIZATION_PARAMETER.format(parameter=p) for p in missing)
                    + f" Authorization={authorization}",
                )
        elif query:
            values = parse_qs(query).get("X-Amz-Credential")
            credential = values[0] if values else None
        parts = credential.split("/") if credential else []
        access_key = parts[0] if parts else None
        region = parts[2] if len(parts) > 2 else None
        if self.access_key is not None:
            if not authorization and credential is None:
                raise ddb_error("MissingAuthenticationTokenException", M.MISSING_TOKEN)
            if access_key != self.access_key:
                raise ddb_error("UnrecognizedClientException", M.INVALID_TOKEN)
        return access_key, region


def _restart_streams(emulator: DynamoDBEmulator) -> None:
    """After replay: every stream-enabled table gets a new stream (new label and ARN, no records); the
    records replay produced are dropped, being re-enactments rather than the records clients saw."""
    with emulator.lock:
        emulator.streams.clear()
        now = datetime.fromtimestamp(emulator.clock.now(), UTC)
        label = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}"
        for table in emulator.tables.values():
            if table.stream_specification is not None:
                table.latest_stream_label = label
                emulator.streams.table_changed(table)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(1024)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


class _DateCache:
    """The ``Date`` header, formatted once a second."""

    second = -1
    value = ""

    @classmethod
    def now(cls) -> str:
        second = int(time.time())
        if second != cls.second:
            cls.second, cls.value = second, http_date(second)
        return cls.value


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def http_date(second: float) -> str:
    """An HTTP ``Date`` (RFC 9110's IMF-fixdate), in English whatever the locale; ``email.utils`` would cost
    the server's start-up an import.

    >>> http_date(0)
    'Thu, 01 Jan 1970 00:00:00 GMT'
    """
    t = time.gmtime(second)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year:04d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )


class _Request:
    """The request line and headers of one request, and how its body is framed."""

    __slots__ = ("chunked", "headers", "keep_alive", "length", "method", "path", "query")

    def __init__(self, method: str, path: str, query: str, headers: _Headers, keep_alive: bool) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.keep_alive = keep_alive
        self.chunked = False
        self.length = 0


def _parse_head(head: bytes, max_body: int) -> _Request:
    """Parse the request line and headers (raises ``DynamoDBError`` with an HTTP status)."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] not in ("HTTP/1.1", "HTTP/1.0") or not parts[0].isalpha() or not parts[1]:
        raise _http_error(400, "SerializationException", M.HTTP_MALFORMED_REQUEST_LINE)
    method, target, version = parts
    headers = _Headers()
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not name or name[0] in " \t" or name[-1] in " \t":
            raise _http_error(400, "SerializationException", M.HTTP_MALFORMED_HEADER)
        key = name.lower()
        if key in headers:
            headers[key] = f"{headers[key]},{value.strip()}"
        else:
            headers[key] = value.strip()
    find = dict.get
    connection = find(headers, "connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    path, _, query = target.partition("?")
    request = _Request(method, path, query, headers, keep_alive)
    encoding = find(headers, "transfer-encoding")
    if encoding is not None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
        if codings != ["chunked"]:
            raise _http_error(
                501, "SerializationException", M.HTTP_UNSUPPORTED_ENCODING.format(encoding=encoding)
            )
        request.chunked = True  # chunked wins over any Content-Length, which is ignored
        if "content-length" in headers:
            request.keep_alive = False  # a request framed both ways is suspect: no more on this connection
        return request
    length = find(headers, "content-length")
    if length is not None:
        if not (length.isdigit() and length.isascii()):
            values = {v.strip() for v in length.split(",")}
            length = values.pop() if len(values) == 1 else ""
            if not (length.isdigit() and length.isascii()):
                raise _http_error(400, "SerializationException", M.HTTP_INVALID_CONTENT_LENGTH)
        request.length = int(length)
        if request.length > max_body:
            raise _http_error(413, "SerializationException", M.HTTP_BODY_TOO_LARGE.format(limit=max_body))
    return request


class _Connection(asyncio.Protocol):
    """One client connection: parses requests as bytes arrive and answers them in order."""

    def __init__(self, owner: EmulatorServer) -> None:
        self.owner = owner
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.request: _Request | None = None
        self.started: float | None = None  # when the first byte of the unanswered request arrived
        self.last = time.monotonic()
        self.closing = False
        self.held = 0  # bytes counted in owner.buffered
        self.chunks: list[bytes] = []
        self.chunk_total = 0
        self.chunk_size = -1  # -1: expecting a size line; -2: in trailers
        self.continued = False

    # --- asyncio callbacks ---

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's are not subclasses of asyncio's, so no isinstance check).
        self.transport = cast(asyncio.Transport, transport)
        owner = self.owner
        owner.connections.add(self)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if len(owner.connections) > owner.max_connections:
            self.fail(
                ddb_error(
                    "ServiceUnavailable", M.HTTP_TOO_MANY_CONNECTIONS.format(limit=owner.max_connections)
                )
            )

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        self.owner.buffered -= self.held
        self.held = 0
        self.buffer = bytearray()
        self.chunks = []
        self.owner.connections.discard(self)
        self.owner.connection_closed()

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        now = time.monotonic()
        self.last = now
        if self.request is None and not self.buffer:
            # The usual read: one whole request and nothing pending. It is answered from ``data`` as it
            # came (no copy into the buffer and out again); anything else takes the general path.
            end = data.find(b"\r\n\r\n")
            if 0 < end <= MAX_HEAD and not data.startswith(b"\r\n"):
                try:
                    request = _parse_head(data[:end], self.owner.max_body)
                except DynamoDBError as err:
                    self.fail(err)
                    return
                start = end + 4
                if not request.chunked and len(data) == start + request.length:
                    self.started = now
                    self._respond(request, data[start:])
                    self.started = None
                    return
                self.request = request
                self.continued = False
                data = data[start:]
        if self.started is None:
            self.started = now
        self.buffer += data
        self._account()
        if self.closing:
            return
        try:
            self._process()
        except DynamoDBError as err:
            self.fail(err)
        self._account()

    def eof_received(self) -> bool | None:
        return None  # close our side too (a half-closed client gets the answers already written)

    # --- state ---

    @property
    def idle(self) -> bool:
        """No request is partly received (an idle keep-alive connection)."""
        return self.started is None and not self.buffer

    def check(self, now: float) -> None:
        """The sweeper's visit: idle timeout and the whole-request deadline."""
        owner = self.owner
        if self.closing:
            return
        if self.started is not None:
            if now - self.started > owner.request_timeout:
                self.fail(
                    _http_error(
                        408,
                        "RequestTimeout",
                        M.HTTP_REQUEST_TIMEOUT.format(seconds=owner.request_timeout),
                    )
                )
        elif now - self.last > owner.idle_timeout:
            self.close()

    def close(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.close()

    def abort(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.abort()

    def fail(self, err: DynamoDBError) -> None:
        """Answer an error that ends the connection (malformed HTTP, limits, timeouts)."""
        if self.closing:
            return
        status, payload = encode_error(err)
        self._send(status, payload, CONTENT_TYPE, keep_alive=False)
        self.close()
        self.buffer.clear()  # nothing more is read: release what was held at once
        self.chunks, self.chunk_total = [], 0
        self._account()

    def _account(self) -> None:
        owner = self.owner
        held = len(self.buffer) + self.chunk_total
        owner.buffered += held - self.held
        self.held = held
        if owner.buffered > owner.max_buffered and not self.closing:
            self.fail(ddb_error("ServiceUnavailable", M.HTTP_TOO_MANY_BYTES))

    # --- parsing ---

    def _process(self) -> None:
        owner = self.owner
        buffer = self.buffer
        while not self.closing:
            request = self.request
            if request is None:
                while buffer[:2] == b"\r\n":  # stray line ends between requests are allowed
                    del buffer[:2]
                end = buffer.find(b"\r\n\r\n")
                if end < 0:
                    if len(buffer) > MAX_HEAD:
                        raise _http_error(431, "SerializationException", M.HTTP_HEADERS_TOO_LARGE)
                    if not buffer:
                        self.started = None
                    return
                if end > MAX_HEAD:
                    raise _http_error(431, "SerializationException", M.HTTP_HEADERS_TOO_LARGE)
                request = _parse_head(bytes(buffer[:end]), owner.max_body)
                del buffer[: end + 4]
                self.request = request
                self.continued = False
            if request.chunked:
                body = self._read_chunked()
                if body is None:
                    self._continue(request)
                    return
            else:
                length = request.length
                if len(buffer) < length:
                    self._continue(request)
                    return
                body = bytes(buffer[:length])
                del buffer[:length]
            self.request = None
            self._respond(request, body)
            self.started = time.monotonic() if buffer else None

    def _continue(self, request: _Request) -> None:
        """Answer ``Expect: 100-continue`` once, when the body is awaited (curl sends it)."""
        if not self.continued and dict.get(request.headers, "expect", "").lower() == "100-continue":
            self.continued = True
            assert self.transport is not None
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _read_chunked(self) -> bytes | None:
        buffer = self.buffer
        while True:
            if self.chunk_size < 0:  # a size line, or a trailer line
                end = buffer.find(b"\r\n")
                if end < 0:
                    if len(buffer) > 4096:
                        raise _http_error(400, "SerializationException", M.HTTP_INVALID_CHUNKED_BODY)
                    return None
                line = bytes(buffer[:end])
                del buffer[: end + 2]
                if self.chunk_size == -2:
                    if line:
                        continue  # a trailer: ignored
                    body = b"".join(self.chunks)
                    self.chunks, self.chunk_total, self.chunk_size = [], 0, -1
                    return body
                text = line.split(b";", 1)[0].strip()
                if not text or text.strip(b"0123456789abcdefABCDEF") or len(text) > 16:
                    raise _http_error(400, "SerializationException", M.HTTP_INVALID_CHUNKED_BODY)
                size = int(text, 16)
                if size == 0:
                    self.chunk_size = -2
                    continue
                if self.chunk_total + size > self.owner.max_body:
                    raise _http_error(
                        413,
                        "SerializationException",
                        M.HTTP_BODY_TOO_LARGE.format(limit=self.owner.max_body),
                    )
                self.chunk_size = size
            else:
                size = self.chunk_size
                if len(buffer) < size + 2:
                    return None
                if buffer[size : size + 2] != b"\r\n":
                    raise _http_error(400, "SerializationException", M.HTTP_INVALID_CHUNKED_BODY)
                self.chunks.append(bytes(buffer[:size]))
                self.chunk_total += size
                del buffer[: size + 2]
                self.chunk_size = -1

    # --- answering ---

    def _respond(self, request: _Request, body: bytes) -> None:
        owner = self.owner
        method = request.method
        path = request.path
        logged = _log.isEnabledFor(logging.INFO)  # the only cost of request logging when it is off
        started = time.perf_counter() if logged else 0.0
        extra = ""
        if method == "POST" and (path == "/" or not path.startswith(ADMIN_PREFIX)):
            target = dict.get(request.headers, "x-amz-target")
            status, payload = owner.answer(
                target, body, request.headers, request.query, method=method, path=path
            )
            content_type = CONTENT_TYPE
            if logged:
                operation, table = describe(target, body)
        else:
            status, payload, content_type, extra = self._answer_other(request, body)
            operation, table = method, path
        cors = owner.cors
        if cors is not None and method != "OPTIONS":  # a preflight's answer has its own
            extra += cors.answer_headers(dict.get(request.headers, "origin"))
        keep_alive = request.keep_alive and not owner.stopping
        if logged:
            log_request(_log, operation, table, status, (time.perf_counter() - started) * 1000)
        self._send(
            status, payload, content_type, keep_alive=keep_alive, head_only=method == "HEAD", extra=extra
        )
        if not keep_alive:
            self.close()

    def _answer_other(self, request: _Request, body: bytes) -> tuple[int, bytes, str, str]:
        """Everything but a DynamoDB request: admin routes, CORS preflights, the plain ``GET /`` answer.
        Returns (status, body, content type, extra header lines)."""
        owner = self.owner
        method = request.method
        path = request.path
        if path == "/" and method in ("GET", "HEAD") and "text/html" in request.headers.get("accept", ""):
            path = CONSOLE_PATH  # a browser: the console; any other client, the service's health line
        if path.startswith(ADMIN_PREFIX):
            found = answer_admin(owner, AdminRequest(method, path, request.query, request.headers, body))
            return found.status, found.body, found.content_type, ""
        if method == "OPTIONS" and owner.cors is not None:
            status, headers = owner.cors.preflight(request.headers)
            return status, b"", "text/plain", headers
        if method in ("GET", "HEAD"):
            return 200, f"healthy: dynamodb.{owner.region}.amazonaws.com ".encode(), "text/plain", ""
        status, payload = encode_error(_http_error(405, "UnknownOperationException", ""))
        return status, payload, CONTENT_TYPE, ""

    def _send(
        self,
        status: int,
        payload: bytes,
        content_type: str,
        *,
        keep_alive: bool,
        head_only: bool = False,
        extra: str = "",
    ) -> None:
        """Write one answer; ``extra`` is more header lines, each ending in CRLF."""
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        status_line = _STATUS_LINES.get(status)
        if status_line is None:
            status_line = f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\nServer: Server\r\n"
        head = (
            f"{status_line}Date: {_DateCache.now()}\r\n"
            f"x-amzn-RequestId: {request_id()}\r\nx-amz-crc32: {zlib.crc32(payload)}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {len(payload)}\r\n{extra}"
            f"{'' if keep_alive else 'Connection: close' + chr(13) + chr(10)}\r\n"
        ).encode("latin-1")
        transport.write(head if head_only else head + payload)


@contextlib.contextmanager
def serve_in_thread(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    emulator: DynamoDBEmulator | None = None,
    access_key: str | None = None,
    credentials: Mapping[str, str] | None = None,
    db_per_access_key: bool = False,
    db_path: str | None = None,
    fsync: FsyncPolicy = "always",
    **options: Any,
) -> Iterator[str]:
    """Serve an emulator on a free port (by default) for the ``with`` block; yields the endpoint URL.

    ``options`` are the other ``EmulatorServer`` arguments (timeouts, limits)."""
    server = EmulatorServer(
        host=host,
        port=port,
        emulator=emulator,
        access_key=access_key,
        credentials=credentials,
        db_per_access_key=db_per_access_key,
        db_path=db_path,
        fsync=fsync,
        **options,
    )
    server.start()
    try:
        yield server.endpoint_url
    finally:
        server.stop()
