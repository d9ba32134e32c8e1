"""Operation handlers, one module per area; importing this package registers every handler.

Each module registers its handlers with ``@operation("Name")`` from ``_registry`` when imported.
"""

from __future__ import annotations

from theorydb_mocks.emulator.operations import (
    batch,
    bulk_operations,
    exports,
    imports,
    insights,
    items,
    kinesis,
    partiql,
    policies,
    query,
    streams,
    tables,
    tags,
    transactions,
    ttl,
    vectors,
)

__all__ = [
    "batch",
    "bulk_operations",
    "exports",
    "imports",
    "insights",
    "items",
    "kinesis",
    "partiql",
    "policies",
    "query",
    "streams",
    "tables",
    "tags",
    "transactions",
    "ttl",
    "vectors",
]
