"""What an operation handler may use of the emulator: a small Protocol, so modules that only need the
emulator's type do not import ``core`` (which imports them to register their handlers).

``DynamoDBEmulator`` satisfies it; mypy checks that where ``core`` hands itself to a handler.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from theorydb_mocks.emulator.backups import Backups
    from theorydb_mocks.emulator.catalog import TableState
    from theorydb_mocks.emulator.clock import Clock
    from theorydb_mocks.emulator.control import Transitions
    from theorydb_mocks.emulator.faults import Faults
    from theorydb_mocks.emulator.history import TableHistories
    from theorydb_mocks.emulator.kinesis import KinesisHub
    from theorydb_mocks.emulator.ledger import CapacityLedger
    from theorydb_mocks.emulator.pipeline import Prepare, WireRequest
    from theorydb_mocks.emulator.regions import Regions
    from theorydb_mocks.emulator.replication import Replication
    from theorydb_mocks.emulator.snapshots import Snapshots
    from theorydb_mocks.emulator.streams import StreamHub
    from theorydb_mocks.emulator.tokens import ClientTokens
    from theorydb_mocks.emulator.transfer.jobs import Transfers
    from theorydb_mocks.emulator.transfer.s3 import LocalS3
    from theorydb_mocks.emulator.ttl import TimeToLive

__all__ = ["EmulatorState"]


class EmulatorState(Protocol):
    """The emulator as handlers, stores and doors see it: its tables, services, and ``dispatch``."""

    region: str
    account_id: str
    clock: Clock
    lock: threading.RLock
    tables: dict[str, TableState]
    faults: Faults
    streams: StreamHub
    ttl: TimeToLive
    capacity: CapacityLedger
    snapshots: Snapshots
    tokens: ClientTokens
    kinesis: KinesisHub
    transitions: Transitions
    regions: Regions
    s3: LocalS3
    transfers: Transfers
    replication: Replication
    history: TableHistories
    backups: Backups

    def dispatch(
        self,
        operation: str,
        request: dict[str, Any],
        *,
        prevalidated: bool = False,
        origin: WireRequest | None = None,
        prepare: Prepare | None = None,
    ) -> dict[str, Any]: ...

    def express(self, operation: str, request: dict[str, Any]) -> dict[str, Any] | None: ...

    def table_arn(self, name: str) -> str: ...

    def table_name(self, name_or_arn: str) -> str: ...

    def get_table(self, name: str) -> TableState: ...

    def in_region(self, region: str) -> EmulatorState: ...
