"""Starting from prepared data: a dump (``--seed``) and saved DescribeTable output (``--schema``).

``theorydb-emulator serve --seed PATH`` loads the dump at ``PATH`` (``emu.dump`` writes one; see ``dumps``)
before the server answers; ``--schema FILE`` (repeatable) creates the tables a saved
``aws dynamodb describe-table`` output describes (one answer or a JSON list of them), empty. Schemas come
first, then the seed. With ``--db-path``, the seed is loaded only into a journal that holds no table yet
(the first start); the journal is then compacted so the seeded data survives restarts like any other.
The pytest plugin uses the same function for ``--theorydb-seed``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from theorydb_mocks.emulator.dumps import create_tables, load, read_schema_file

if TYPE_CHECKING:
    from theorydb_mocks.emulator.core import DynamoDBEmulator
    from theorydb_mocks.emulator.server import EmulatorServer

__all__ = ["Seeded", "seed_emulator", "seed_server"]

log = logging.getLogger("theorydb_mocks.server.load")


@dataclass(slots=True)
class Seeded:
    """What seeding did: tables created from schemas, items loaded by region and table, and the time."""

    schema_tables: list[str] = field(default_factory=list)
    items: dict[str, dict[str, int]] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: bool = False

    def summary(self) -> str:
        count = sum(sum(tables.values()) for tables in self.items.values())
        tables = sum(len(tables) for tables in self.items.values())
        if self.skipped:
            return "The journal already holds tables: the seed and schemas were not loaded again"
        return (
            f"Seeded {len(self.schema_tables)} tables from schemas and {tables} tables with {count} items "
            f"in {self.seconds:.2f} s"
        )


def seed_emulator(
    emu: DynamoDBEmulator,
    *,
    seed: str | os.PathLike[str] | None = None,
    schemas: Iterable[str | os.PathLike[str]] = (),
) -> Seeded:
    """Create the tables of ``schemas`` files, then load the dump ``seed`` into ``emu``."""
    started = time.perf_counter()
    done = Seeded()
    for path in schemas:
        done.schema_tables += create_tables(emu, read_schema_file(path))
    if seed is not None:
        done.items = load(emu, seed)
    done.seconds = time.perf_counter() - started
    log.info("%s", done.summary())
    return done


def seed_server(
    server: EmulatorServer,
    *,
    seed: str | os.PathLike[str] | None = None,
    schemas: Iterable[str | os.PathLike[str]] = (),
) -> Seeded:
    """``seed_emulator`` for the server's shared database (before it starts answering); kept in the
    journal when there is one. Refused with one database per access key (which would get the seed?)."""
    schemas = list(schemas)
    if seed is None and not schemas:
        return Seeded()
    if server.db_per_access_key:
        raise ValueError("--seed and --schema load the shared database: not with --db-per-access-key")
    emu = server.emulator
    if server.journal is not None and any(region.tables for region in emu.regions):
        return Seeded(skipped=True)
    done = seed_emulator(emu, seed=seed, schemas=schemas)
    server.compact()  # the loaded items bypass the journal's request records: a snapshot keeps them
    return done
