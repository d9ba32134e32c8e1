"""The emulator over HTTP: the DynamoDB and DynamoDB Streams JSON 1.0 protocols on one port.

Any AWS SDK or the AWS CLI pointed at ``endpoint_url`` talks to it as to DynamoDB: ``X-Amz-Target`` picks
the operation (``DynamoDB_20120810.PutItem``, ``DynamoDBStreams_20120810.GetRecords``), answers carry
``x-amzn-RequestId`` and ``x-amz-crc32``, errors are ``{"__type": ..., "message": ...}`` with the service's
status codes. Translation is ``wire``'s; answers come from ``DynamoDBEmulator.dispatch``.

- Signatures are accepted without verification. ``access_key`` makes the server accept that access key only
  (others get ``UnrecognizedClientException``, unsigned requests ``MissingAuthenticationTokenException``);
  ``db_per_access_key`` gives each access key and region its own database, as DynamoDB Local does.
- Threads: one per connection (HTTP/1.1 keep-alive). The emulator's lock keeps every request atomic.
  ``stop()`` is graceful: it stops accepting, lets in-flight requests finish and answer, closes idle
  connections, then closes the journal.
- ``db_path``: successful mutating requests are journaled before they are answered and replayed at start
  (see ``persistence`` for the file format and the ``fsync`` policies); the journal is compacted into a
  snapshot every ``compact_every`` records and at ``stop()``.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.LowLevelAPI.html

>>> import boto3
>>> with serve_in_thread() as endpoint:
...     client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
...                           aws_access_key_id="k", aws_secret_access_key="s")
...     client.list_tables()["TableNames"]
[]
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import select
import socket
import socketserver
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.core import DynamoDBEmulator
from theorydb_mocks.emulator.door import answer as answer_request
from theorydb_mocks.emulator.door import request_id
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error
from theorydb_mocks.emulator.persistence import FsyncPolicy, Journal, JournalRecord, snapshot_records
from theorydb_mocks.emulator.pipeline import JournalWriter, WireRequest
from theorydb_mocks.emulator.wire import decode_request, encode_error, encode_request

__all__ = ["EmulatorServer", "serve_in_thread"]

_log = logging.getLogger("theorydb_mocks.server")

CONTENT_TYPE = "application/x-amz-json-1.0"
MAX_BODY = 32 * 1024 * 1024  # twice the service's 16 MB request limit: larger bodies are refused unread

_CREDENTIAL = re.compile(r"Credential=([^,\s]*)")


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
        db_per_access_key: bool = False,
        db_path: str | None = None,
        fsync: FsyncPolicy = "always",
        fsync_interval: float = 1.0,
        compact_every: int = 100_000,
        log_requests: bool = False,
    ) -> None:
        if emulator is not None and db_per_access_key:
            raise ValueError("db_per_access_key makes one emulator per access key: do not pass emulator")
        self.region = region
        self.access_key = access_key
        self.db_per_access_key = db_per_access_key
        self.compact_every = compact_every
        self.log_requests = log_requests
        self.emulator = emulator if emulator is not None else DynamoDBEmulator(region=region)
        self._databases: dict[str, DynamoDBEmulator] = {} if db_per_access_key else {"": self.emulator}
        self._databases_lock = threading.Lock()
        self._compacting = threading.Lock()
        self._stopping = threading.Event()
        self._wake_read, self._wake_write = os.pipe()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self.journal: Journal | None = None
        self.replayed = 0
        self._replaying = False
        if db_path is not None:
            self.journal = Journal(db_path, fsync=fsync, interval=fsync_interval)
            self._replay(self.journal)
            for key, database in self._databases.items():
                database.set_journal(self._journal_writer(key))
        try:
            self._httpd = _HTTPServer((host, port), self)
        except BaseException:
            if self.journal is not None:
                self.journal.close()
            raise

    def __repr__(self) -> str:
        return f"<EmulatorServer {self.endpoint_url}>"

    @property
    def endpoint_url(self) -> str:
        host, port = str(self._httpd.server_address[0]), int(self._httpd.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}"

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    # --- lifecycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Serve in a background thread (returns at once; the socket already listens)."""
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        self._thread = threading.Thread(target=self.serve_forever, name="theorydb-emulator", daemon=True)
        self._thread.start()

    def serve_forever(self) -> None:
        """Serve until ``stop()`` is called (from another thread or a signal handler's helper thread)."""
        self._httpd.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        """Stop gracefully: refuse new connections, finish in-flight requests, close idle connections,
        compact and close the journal. Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self._stopping.set()
        os.write(self._wake_write, b"x")  # wakes every connection waiting for its next request
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()  # joins the connection threads: in-flight requests are answered
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
        os.close(self._wake_read)
        os.close(self._wake_write)

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
        """The emulator answering requests signed with ``access_key`` in ``region``."""
        if not self.db_per_access_key:
            return self.emulator
        return self._database(f"{access_key or ''}_{region or self.region}")

    def _database(self, key: str) -> DynamoDBEmulator:
        found = self._databases.get(key)
        if found is not None:
            return found
        with self._databases_lock:
            found = self._databases.get(key)
            if found is None:
                region = key.rpartition("_")[2] or self.region
                found = DynamoDBEmulator(region=region)
                if self.journal is not None and not self._replaying:
                    found.set_journal(self._journal_writer(key))
                self._databases[key] = found
            return found

    # --- persistence ----------------------------------------------------------------------------------

    def _replay(self, journal: Journal) -> None:
        """Re-run the journal's requests, each at its recorded clock reading."""
        touched: set[str] = set()
        self._replaying = True
        for record in journal.replay():
            # A database this mode does not serve (per-key data under a shared server, or the reverse) is
            # still loaded, so compaction keeps it for a later run in the other mode.
            emulator = self._database(record.database)
            touched.add(record.database)
            try:
                operation, request = decode_request(record.target, record.body)
                emulator.clock.set(record.at)
                emulator.dispatch(operation, request)
            except DynamoDBError as err:  # cannot happen for a journal this code wrote; keep going
                _log.warning("journal record %s could not be replayed: %s", record.target, err)
            self.replayed += 1
        self._replaying = False
        for key in touched:
            self._databases[key].clock.reset()

    def _journal_writer(self, key: str) -> JournalWriter:
        """The journal stage of the database ``key``: each successful write, as sent, before its answer."""
        journal = self.journal
        assert journal is not None

        def write(operation: str, request: dict[str, Any], origin: WireRequest | None, at: float) -> None:
            target, body = origin if origin is not None else encode_request(operation, request)
            journal.append(JournalRecord(key, target, at, body))

        return write

    def compact(self) -> None:
        """Rewrite the journal as a snapshot of every database (no-op without ``db_path``)."""
        journal = self.journal
        if journal is None:
            return
        with self._compacting, contextlib.ExitStack() as stack:
            with self._databases_lock:
                databases = sorted(self._databases.items())
            for _, emulator in databases:  # the order every compaction takes the locks in
                stack.enter_context(emulator.lock)
            journal.compact(
                record for key, emulator in databases for record in snapshot_records(key, emulator)
            )

    def _maybe_compact(self) -> None:
        journal = self.journal
        if (
            journal is not None
            and journal.records_written >= self.compact_every
            and not self._compacting.locked()
        ):
            self.compact()

    # --- requests -------------------------------------------------------------------------------------

    def answer(self, target: str | None, body: bytes, headers: Any, query: str = "") -> tuple[int, bytes]:
        """The status and JSON body answering one POST (``headers`` is any case-insensitive mapping)."""
        try:
            access_key, region = self._authenticate(headers, query)
            status, payload = answer_request(self.emulator_for(access_key, region), target, body)
        except DynamoDBError as err:
            return encode_error(err)
        except Exception:  # a bug, never an answer: log it, answer as the service would
            _log.exception("internal error answering %s", target)
            return encode_error(ddb_error("InternalServerError", M.INTERNAL_ERROR))
        if self.journal is not None and status == 200:
            self._maybe_compact()
        return status, payload

    def _authenticate(self, headers: Any, query: str) -> tuple[str | None, str | None]:
        """(access key, region) of the request's SigV4 credential; checks it when ``access_key`` is set."""
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


class _HTTPServer(socketserver.ThreadingMixIn, HTTPServer):
    """``ThreadingHTTPServer`` whose connection threads are joined at close (graceful shutdown)."""

    daemon_threads = False
    block_on_close = True
    request_queue_size = 256
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], owner: EmulatorServer) -> None:
        self.owner = owner
        host = address[0]
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that drops its connection is routine; anything else is logged with its traceback."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        _log.exception("error on the connection from %s", client_address)

    def server_bind(self) -> None:
        """Bind without ``HTTPServer``'s reverse DNS lookup (``getfqdn`` can take seconds)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)


_poll = getattr(select, "poll", None)


class _Handler(BaseHTTPRequestHandler):
    """One connection: HTTP/1.1 requests until the client closes, or the server stops while it is idle."""

    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    timeout = 60  # a client that stalls mid-request cannot hold a graceful stop forever
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

    def version_string(self) -> str:
        return "Server"

    def handle(self) -> None:
        self.close_connection = True
        if self._wait_for_request():
            self.handle_one_request()
        while not self.close_connection and self._wait_for_request():
            self.handle_one_request()

    def _wait_for_request(self) -> bool:
        """True when the next request's bytes arrive; False when the server stops first."""
        owner = self.server.owner
        sock = self.connection
        wake = owner._wake_read
        if _poll is not None:
            poller = _poll()
            poller.register(sock, select.POLLIN | select.POLLPRI | select.POLLHUP | select.POLLERR)
            poller.register(wake, select.POLLIN)
            while True:
                events = dict(poller.poll())
                if sock.fileno() in events:
                    return True
                if owner.stopping:
                    return False
        while True:  # pragma: no cover - platforms without poll
            readable, _, _ = select.select([sock, wake], [], [])
            if sock in readable:
                return True
            if owner.stopping:
                return False

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.owner.log_requests:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        """A health check, answered as DynamoDB answers ``GET /``."""
        owner = self.server.owner
        self._send(200, f"healthy: dynamodb.{owner.region}.amazonaws.com ".encode(), "text/plain")

    def do_POST(self) -> None:
        owner = self.server.owner
        body = self._read_body()
        if body is None:
            return
        status, payload = owner.answer(
            self.headers.get("X-Amz-Target"), body, self.headers, urlsplit(self.path).query
        )
        if owner.stopping:
            self.close_connection = True
        self._send(status, payload, CONTENT_TYPE)

    def _read_body(self) -> bytes | None:
        """The request body (Content-Length or chunked); None after answering a body it will not read."""
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                return self._read_chunked()
            return b""
        try:
            length = int(length_header)
            if length < 0:
                raise ValueError(length_header)
        except ValueError:
            self._refuse(400, "Invalid Content-Length")
            return None
        if length > MAX_BODY:
            self._refuse(413, "Request entity too large")
            return None
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip() or b"x", 16)
            except ValueError:
                self._refuse(400, "Invalid chunked body")
                return None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                self._refuse(413, "Request entity too large")
                return None
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _refuse(self, status: int, message: str) -> None:
        self.close_connection = True
        _, payload = encode_error(ddb_error("SerializationException", message))
        self._send(status, payload, CONTENT_TYPE)

    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("x-amzn-RequestId", request_id())
        self.send_header("x-amz-crc32", str(zlib.crc32(payload)))
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)


@contextlib.contextmanager
def serve_in_thread(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    emulator: DynamoDBEmulator | None = None,
    access_key: str | None = None,
    db_per_access_key: bool = False,
    db_path: str | None = None,
    fsync: FsyncPolicy = "always",
) -> Iterator[str]:
    """Serve an emulator on a free port (by default) for the ``with`` block; yields the endpoint URL."""
    server = EmulatorServer(
        host=host,
        port=port,
        emulator=emulator,
        access_key=access_key,
        db_per_access_key=db_per_access_key,
        db_path=db_path,
        fsync=fsync,
    )
    server.start()
    try:
        yield server.endpoint_url
    finally:
        server.stop()
