"""Operation handlers, one module per area; importing this package registers every handler.

Each module registers its handlers with ``@operation("Name")`` from ``_registry`` when imported.
"""

from __future__ import annotations

from theorydb_mocks.emulator.operations import (
    backups,
    batch,
    bulk_operations,
    exports,
    global_tables,
    global_tables_legacy,
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
    "backups",
    "batch",
    "bulk_operations",
    "exports",
    "global_tables",
    "global_tables_legacy",
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
