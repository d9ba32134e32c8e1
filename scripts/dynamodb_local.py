#!/usr/bin/env python3
"""Fetch DynamoDB Local into the cache, or run it in the foreground.

python scripts/dynamodb_local.py fetch        # download once into ~/.cache/tabletheory ($TABLETHEORY_CACHE)
python scripts/dynamodb_local.py start --port 8000   # run until Ctrl-C
python scripts/dynamodb_local.py status         # say whether it can run here, and why not
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

from theorydb_mocks.dynamodb_local import DynamoDBLocal, DynamoDBLocalError, fetch, unavailable_reason


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="download and unpack DynamoDB Local into the cache")
    start = sub.add_parser("start", help="run DynamoDB Local in memory until interrupted")
    start.add_argument("--port", type=int, default=8000)
    sub.add_parser("status", help="print whether DynamoDB Local can run here")
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            print(fetch())
            return 0
        if args.command == "status":
            reason = unavailable_reason()
            print(reason or "DynamoDB Local can run here")
            return 0 if reason is None else 1
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with DynamoDBLocal(args.port) as local:
            print(f"DynamoDB Local on {local.endpoint_url}; Ctrl-C stops it", flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                stop.wait()
        return 0
    except DynamoDBLocalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
