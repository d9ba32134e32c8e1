"""Command line: ``python -m theorydb_mocks serve`` (or ``theorydb-emulator serve``) runs the HTTP emulator.

The first line on standard output is ``Listening on http://HOST:PORT`` once the socket accepts connections
(with ``--port 0`` it names the port picked), so scripts can wait for it; a banner follows (version,
address, database path and fsync mode, S3 root, region handling, authentication, CORS, log level).
``--log-level info`` logs one line per request on standard error (logger ``theorydb_mocks.server``).
SIGINT and SIGTERM stop the server gracefully: in-flight requests finish and are answered, the journal is
compacted and closed.

>>> build_parser().parse_args(["serve", "--port", "0"]).port
0
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator.admin import emulator_version
from theorydb_mocks.emulator.persistence import FSYNC_POLICIES, JournalError

if TYPE_CHECKING:
    from theorydb_mocks.emulator.server import EmulatorServer

__all__ = ["banner", "build_parser", "main", "read_credentials"]

LOG_LEVELS = ("debug", "info", "warning", "error")


class _VersionAction(argparse.Action):
    """``--version``, reading the installed version only when asked: the lookup (``importlib.metadata``) is
    a sixth of the server's start-up."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"{parser.prog} {emulator_version()}")  # stdout, as argparse's own version action
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="theorydb-emulator", description="TableTheory's in-memory DynamoDB emulator."
    )
    parser.add_argument("--version", action=_VersionAction, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="serve the DynamoDB and DynamoDB Streams JSON protocols over HTTP"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one")
    serve.add_argument("--region", default="us-east-1", help="region used in ARNs (default us-east-1)")
    serve.add_argument(
        "--access-key", help="accept only requests signed with this access key (signatures are not verified)"
    )
    serve.add_argument(
        "--credentials-file",
        help="verify SigV4 signatures against the access keys in this file, one 'KEY_ID:SECRET' a line "
        "(keep it mode 0600); unsigned, badly signed and expired requests are refused",
    )
    serve.add_argument(
        "--db-per-access-key",
        action="store_true",
        help="one database per access key and region, as DynamoDB Local without -sharedDb",
    )
    serve.add_argument("--db-path", help="journal file that keeps the data across restarts")
    serve.add_argument(
        "--fsync",
        choices=FSYNC_POLICIES,
        default="always",
        help="always: fsync each write before answering (default); interval: every --fsync-interval "
        "seconds; never: leave it to the operating system",
    )
    serve.add_argument("--fsync-interval", type=float, default=1.0, help="seconds between fsyncs (interval)")
    serve.add_argument(
        "--compact-every", type=int, default=100_000, help="compact the journal after this many records"
    )
    serve.add_argument(
        "--recover-journal",
        action="store_true",
        help="if the journal is damaged before its end, keep the records before the damage and move the "
        "damaged file aside (without this the server refuses to start)",
    )
    serve.add_argument("--idle-timeout", type=float, default=60.0, help="close idle connections after this")
    serve.add_argument(
        "--request-timeout", type=float, default=30.0, help="seconds a client has to send a whole request"
    )
    serve.add_argument("--max-connections", type=int, default=1000, help="open connections at most")
    serve.add_argument(
        "--grace", type=float, default=5.0, help="seconds a stop waits for half-received requests"
    )
    serve.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default="warning",
        help="info logs one line per request (operation, table, status, milliseconds) to standard error; "
        "default warning",
    )
    serve.add_argument("--log-requests", action="store_true", help="the same as --log-level info")
    serve.add_argument(
        "--cors",
        action="append",
        metavar="ORIGIN",
        help="let pages from ORIGIN (e.g. http://localhost:5173; repeatable; * for any) call the server "
        "from a browser: preflights are answered and answers carry CORS headers",
    )
    serve.add_argument(
        "--s3-dir",
        help="folder of the local S3 stand-in: s3://bucket/key is DIR/bucket/key (exports write there, "
        "imports and bulk puts read from there); in memory without it",
    )
    serve.add_argument(
        "--seed", metavar="PATH", help="load this dump (emu.dump's folder: schemas and items) at start"
    )
    serve.add_argument(
        "--schema",
        action="append",
        metavar="FILE",
        help="create the tables of saved 'aws dynamodb describe-table' output (one answer or a JSON list; "
        "repeatable), before --seed",
    )
    serve.add_argument(
        "--transition-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="seconds a background change (contributor insights, Kinesis destinations, warm throughput) "
        "stays ENABLING/UPDATING before it settles (default 0: at once)",
    )
    serve.add_argument(
        "--table-lifecycle",
        action="store_true",
        help="with --transition-delay, tables and GSIs are CREATING/UPDATING (backfilling) for that long too",
    )
    serve.add_argument(
        "--event-loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="the server's event loop: uvloop's (pip install 'tabletheory[server]') answers about a fifth "
        "more requests a second than asyncio's; auto (the default) takes it when installed",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    from theorydb_mocks.emulator.errors import DynamoDBError
    from theorydb_mocks.emulator.seeding import seed_server
    from theorydb_mocks.emulator.server import EmulatorServer, is_loopback

    level = "info" if args.log_requests and args.log_level in ("warning", "error") else args.log_level
    logging.basicConfig(stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("theorydb_mocks").setLevel(level.upper())

    try:
        credentials = read_credentials(args.credentials_file) if args.credentials_file else None
        server = EmulatorServer(
            host=args.host,
            port=args.port,
            region=args.region,
            access_key=args.access_key,
            credentials=credentials,
            db_per_access_key=args.db_per_access_key,
            db_path=args.db_path,
            fsync=args.fsync,
            fsync_interval=args.fsync_interval,
            compact_every=args.compact_every,
            recover_journal=args.recover_journal,
            cors=args.cors,
            idle_timeout=args.idle_timeout,
            request_timeout=args.request_timeout,
            max_connections=args.max_connections,
            grace=args.grace,
            s3_dir=args.s3_dir,
            transition_delay=args.transition_delay,
            table_lifecycle=args.table_lifecycle,
            event_loop=args.event_loop,
        )
        seeded = seed_server(server, seed=args.seed, schemas=args.schema or ())
    except (OSError, JournalError, ValueError, DynamoDBError) as exc:
        print(f"theorydb-emulator: {exc}", file=sys.stderr)
        return 1
    if args.seed or args.schema:
        print(seeded.summary(), file=sys.stderr)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    server.start()
    if not is_loopback(args.host) and credentials is None:
        print(
            f"theorydb-emulator: warning: {args.host} accepts connections from other machines and requests "
            "are not authenticated: anyone who can reach it can read and change every table. Use "
            "--credentials-file to verify signatures.",
            file=sys.stderr,
        )
    journal = server.journal
    if journal is not None:
        for leftover in journal.removed_temp_files:
            print(f"Removed {leftover}, left by an interrupted compaction", file=sys.stderr)
        if journal.dropped_bytes:
            print(
                f"Cut {journal.dropped_bytes} bytes of an interrupted write (never acknowledged) off the end "
                f"of {args.db_path}",
                file=sys.stderr,
            )
        if journal.recovered_to:
            print(
                f"{args.db_path} was damaged: kept the records before the damage; the damaged file is at "
                f"{journal.recovered_to}",
                file=sys.stderr,
            )
    if server.replayed:
        print(f"Replayed {server.replayed} journal records from {args.db_path}", file=sys.stderr)
    print(f"Listening on {server.endpoint_url}", flush=True)
    print(banner(server, args, level), flush=True)
    while not stop.wait(0.5):
        pass
    server.stop()
    return 0


def banner(server: EmulatorServer, args: argparse.Namespace, log_level: str) -> str:
    """What an operator wants to know about the running server, one setting a line."""
    journal = server.journal
    if journal is None:
        database = "in memory (nothing kept after stop; --db-path keeps it)"
    else:
        mode = f"every {args.fsync_interval:g} s" if journal.fsync == "interval" else journal.fsync
        database = f"{journal.path} (fsync: {mode})"
    s3_dir = getattr(args, "s3_dir", None)
    if server.db_per_access_key:
        regions = f"one database per access key and signing region (unsigned: {server.region})"
    else:
        regions = f"one database per signing region, shared by every access key (unsigned: {server.region})"
    if server.verifier is not None:
        auth = f"SigV4 signatures verified ({args.credentials_file})"
    elif server.access_key is not None:
        auth = f"access key {server.access_key} only (signatures not verified)"
    else:
        auth = "none (signatures not checked)"
    cors = server.cors
    lines = [
        f"theorydb-emulator {emulator_version()}",
        f"  address    {server.endpoint_url}",
        f"  database   {database}",
        f"  S3 root    {s3_dir if s3_dir else 'in memory (--s3-dir keeps it in a folder)'}",
        f"  regions    {regions}",
        f"  auth       {auth}",
        f"  CORS       {' '.join(sorted(cors.origins)) if cors is not None else 'off (--cors ORIGIN)'}",
        f"  log level  {log_level}",
        f"  admin      {server.endpoint_url}/_theorydb/health, POST {server.endpoint_url}/_theorydb/reset",
    ]
    return "\n".join(lines)


def read_credentials(path: str) -> dict[str, str]:
    """``KEY_ID:SECRET`` lines (blank lines and ``#`` comments skipped) as a mapping."""
    credentials: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            key, colon, secret = text.partition(":")
            if not colon or not key.strip() or not secret.strip():
                raise ValueError(f"{path}, line {number}: expected KEY_ID:SECRET")
            credentials[key.strip()] = secret.strip()
    if not credentials:
        raise ValueError(f"{path} names no credentials")
    return credentials


if __name__ == "__main__":
    sys.exit(main())
