"""One log line per request on the ``theorydb_mocks.server`` logger: operation, table, status, milliseconds.

The server asks ``logging`` first whether INFO is enabled for its logger and only then times the request and
reads the table's name from the body, so a server whose log level is above INFO pays one cached level check
per request (``benchmarks/bench_server.py``). Lines look like ``PutItem orders 200 0.41ms`` (admin and
console routes: ``GET /_theorydb/health 200 0.05ms``); the same values travel as the record's ``operation``,
``table``, ``status`` and ``milliseconds`` attributes for structured handlers.

>>> describe("DynamoDB_20120810.PutItem", b'{"TableName": "orders", "Item": {}}')
('PutItem', 'orders')
>>> describe("DynamoDB_20120810.BatchWriteItem", b'{"RequestItems": {"a": [], "b": []}}')
('BatchWriteItem', 'a,b')
>>> describe("DynamoDBStreams_20120810.DescribeStream",
...          b'{"StreamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/2024"}')
('DescribeStream', 'orders')
>>> describe(None, b"not json")
('-', '-')
"""

from __future__ import annotations

import json
import logging
from typing import Any

__all__ = ["describe", "log_request"]


def _table_of_arn(arn: Any) -> str | None:
    if isinstance(arn, str) and ":table/" in arn:
        return arn.split(":table/", 1)[1].split("/", 1)[0]
    return None


def _tables(request: Any) -> list[str]:
    if not isinstance(request, dict):
        return []
    name = request.get("TableName")
    if isinstance(name, str):
        return [_table_of_arn(name) or name]
    items = request.get("RequestItems")
    if isinstance(items, dict):
        return [str(key) for key in items]
    actions = request.get("TransactItems")
    if isinstance(actions, list):
        names: list[str] = []
        for action in actions:
            for body in action.values() if isinstance(action, dict) else ():
                for found in _tables(body):
                    if found not in names:
                        names.append(found)
        return names
    for field in ("StreamArn", "ResourceArn", "TableArn"):
        table = _table_of_arn(request.get(field))
        if table is not None:
            return [table]
    return []


def describe(target: str | None, body: bytes) -> tuple[str, str]:
    """(operation, tables) of a DynamoDB request, ``-`` for what it does not name."""
    operation = target.rpartition(".")[2] if target else "-"
    try:
        request = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        request = None
    return operation or "-", ",".join(_tables(request)) or "-"


def log_request(logger: logging.Logger, operation: str, table: str, status: int, milliseconds: float) -> None:
    """Emit the request's line at INFO (the caller has checked that INFO is enabled)."""
    logger.info(
        "%s %s %d %.2fms",
        operation,
        table,
        status,
        milliseconds,
        extra={"operation": operation, "table": table, "status": status, "milliseconds": milliseconds},
    )
