"""The regions of one emulator: each its own tables, streams, TTL and capacity ledger; one clock and lock.

An emulator is a partition's worth of DynamoDB, not one endpoint: ``emu.in_region("us-west-2")`` is the
us-west-2 region of the same emulator, a ``DynamoDBEmulator`` of its own whose ``dispatch``, ``client()``,
``stream_records()`` and ``capacity`` see only that region's tables, while it shares with every other
region of the emulator the clock, the lock (one request at a time across regions, so a replicated write
is atomic everywhere), the faults, the observers, the snapshots (``emu.snapshot()`` saves every region)
and global tables' replication (``replication``). Regions are made on first use, empty; the emulator's own
``region`` (``DynamoDBEmulator(region=...)``, us-east-1 by default) is the home region, what every door
uses when no region is named.

The doors pick a region: ``emu.client(region_name=...)`` and ``emu.boto3_client(region_name=...)``; a
boto3 client routed by ``mock_dynamodb()`` answers from its own ``region_name``; the HTTP server from the
request's SigV4 credential scope (unsigned requests go to the server's region).

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> west = emu.in_region("us-west-2")
>>> west.region, west.clock is emu.clock, west.tables is emu.tables
('us-west-2', True, False)
>>> emu.regions.names()
['us-east-1', 'us-west-2']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from theorydb_mocks.emulator.core import DynamoDBEmulator

__all__ = ["REGION_NAME", "Regions", "valid_region"]

# botocore's rule for a region name (``botocore.utils.validate_region_name``).
REGION_NAME = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?$")


def valid_region(name: object) -> bool:
    """Whether ``name`` can name a region (botocore's rule: letters, digits and inner hyphens).

    >>> valid_region("eu-central-1"), valid_region("-x"), valid_region("a/b")
    (True, False, False)
    """
    return isinstance(name, str) and REGION_NAME.match(name) is not None


class Regions:
    """The region emulators of one emulator by name, the home region first; made on first use.

    Regions are never dropped (a client bound to one keeps answering from it): ``emu.reset()`` empties
    them, and restoring a snapshot empties those made after it.
    """

    def __init__(self, home: DynamoDBEmulator, make: Callable[[str], DynamoDBEmulator]) -> None:
        self.home = home
        self._make = make
        self._by_name: dict[str, DynamoDBEmulator] = {home.region: home}
        self._listeners: tuple[Callable[[DynamoDBEmulator], None], ...] = ()

    def __repr__(self) -> str:
        return f"<Regions {self.names()}>"

    def __iter__(self) -> Iterator[DynamoDBEmulator]:
        return iter(list(self._by_name.values()))

    def __len__(self) -> int:
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def names(self) -> list[str]:
        """The regions made so far, the home region first, then in the order they were made."""
        return list(self._by_name)

    def get(self, name: str) -> DynamoDBEmulator:
        """The region ``name`` (made, empty, on first use); ValueError for a name no region can have."""
        found = self._by_name.get(name)
        if found is not None:
            return found
        if not valid_region(name):
            raise ValueError(f"not a region name: {name!r}")
        with self.home.lock:
            found = self._by_name.get(name)
            if found is None:
                found = self._make(name)
                self._by_name[name] = found
                for listener in self._listeners:
                    listener(found)
            return found

    def existing(self, name: str) -> DynamoDBEmulator | None:
        """The region ``name`` if it was made, else None (nothing is made)."""
        return self._by_name.get(name)

    def on_new(self, listener: Callable[[DynamoDBEmulator], None]) -> Callable[[], None]:
        """Call ``listener(region)`` for each region made from now on; returns a function that stops it."""
        self._listeners = (*self._listeners, listener)

        def stop() -> None:
            self._listeners = tuple(other for other in self._listeners if other is not listener)

        return stop
