"""Global tables' replication: which tables are replicas of which, and the writes on their way.

A global table is one table name in several regions of one emulator (``regions``), each a replica. Every
item change in a replica (a request's write, a TTL deletion, a transaction's items) is seen by the
replica's storage observer and becomes a ``Change``: the item as written (or its deletion), the clock's
time, and when it arrives elsewhere (``delay`` seconds later on the clock, ``emu.replication_delay``,
half a second unless set). Changes travel in the order they were written. When one arrives in another
replica it is applied there as DynamoDB applies a replicated write: the item is put or deleted whole (the
other replica's stream records it, INSERT, MODIFY or REMOVE, with that region's ``awsRegion``), unless
that replica has itself written the item since (its own change is still on the way): the later writer
wins, and every replica converges on the last write. Replicated writes cost replicated write units in
the receiving region's capacity ledger (operation ``"ReplicatedWrite"``).

Arrival is driven by the clock: changes due by now are applied before each request any region answers
(so a read never sees the past it should not), and after each write when the delay is 0 (so the write is
everywhere before it is answered). ``flush()`` applies everything on its way at once. A table whose
global table is ``MultiRegionConsistency: STRONG`` replicates each write synchronously, whatever the
delay: every replica has it before the write is answered, so any strongly consistent read sees it.

Snapshots save the groups and the changes on their way (O(groups + changes pending)); the journal needs
nothing of its own: replaying the requests that made the replicas and the writes re-creates both.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> emu.replication_delay
0.5
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from theorydb_mocks.emulator.capacity import write_capacity

if TYPE_CHECKING:
    from theorydb_mocks.emulator._types import Item, Key
    from theorydb_mocks.emulator.catalog import TableState
    from theorydb_mocks.emulator.regions import Regions
    from theorydb_mocks.emulator.storage import TableStore

__all__ = [
    "CURRENT_VERSION",
    "DEFAULT_DELAY",
    "LEGACY_VERSION",
    "Change",
    "GlobalTable",
    "Replica",
    "Replication",
    "TableAutoScaling",
]

DEFAULT_DELAY = 0.5  # "typically within a second" (the service); settable per emulator
CURRENT_VERSION = "2019.11.21"
LEGACY_VERSION = "2017.11.29"
REPLICATED_WRITE = "ReplicatedWrite"  # the ledger's operation name for writes a replica receives

KeyTuple = tuple[tuple[str, str, Any], ...]


def key_tuple(key: Key) -> KeyTuple:
    """A hashable form of an item's key (names sorted).

    >>> key_tuple({"sk": {"N": "1"}, "pk": {"S": "a"}})
    (('pk', 'S', 'a'), ('sk', 'N', '1'))
    """
    return tuple((name, *next(iter(key[name].items()))) for name in sorted(key))


class Change(NamedTuple):
    """One item change on its way from the replica that wrote it to the others."""

    written: float  # the clock when it was written (what last-writer-wins compares)
    due: float  # the clock when it arrives in the other replicas
    region: str  # where it was written
    table: str
    key_tuple: KeyTuple
    key: Key
    item: Item | None  # the item as written, None for a deletion


@dataclass(slots=True)
class Replica:
    """One region's replica of a global table, as ``Replicas`` describes it (overrides as requested)."""

    region: str
    status: str = "ACTIVE"
    ready_at: float | None = None  # when a CREATING/UPDATING replica becomes ACTIVE (None: it is)
    kms_key: str | None = None
    throughput_override: dict[str, Any] | None = None
    on_demand_override: dict[str, Any] | None = None
    index_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    table_class: str | None = None
    read_autoscaling: dict[str, Any] | None = None
    index_read_autoscaling: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class TableAutoScaling:
    """One table's replica auto scaling settings as UpdateTableReplicaAutoScaling left them (recorded, not
    acted on: the emulator has no load to scale for). Each is an ``AutoScalingSettingsDescription``."""

    write: dict[str, Any] | None = None
    read: dict[str, Any] | None = None
    index_write: dict[str, dict[str, Any]] = field(default_factory=dict)
    index_read: dict[str, dict[str, Any]] = field(default_factory=dict)


def _replica_description(replica: Replica, indexes: list[str]) -> dict[str, Any]:
    """One ``ReplicaDescription`` (members in the model's order)."""
    described: dict[str, Any] = {"RegionName": replica.region, "ReplicaStatus": replica.status}
    if replica.kms_key is not None:
        described["KMSMasterKeyId"] = replica.kms_key
    if replica.throughput_override is not None:
        described["ProvisionedThroughputOverride"] = dict(replica.throughput_override)
    if replica.on_demand_override is not None:
        described["OnDemandThroughputOverride"] = dict(replica.on_demand_override)
    if indexes:
        described["GlobalSecondaryIndexes"] = [
            {"IndexName": name, **copy.deepcopy(replica.index_overrides.get(name, {}))} for name in indexes
        ]
    if replica.table_class is not None:
        described["ReplicaTableClassSummary"] = {"TableClass": replica.table_class}
    return described


@functools.cache
def _description_order() -> dict[str, int]:
    from theorydb_mocks.emulator.validation import service_model

    members = service_model().shape_for("TableDescription").members
    return {name: rank for rank, name in enumerate(members)}


@dataclass(slots=True)
class GlobalTable:
    """A replication group: the table name, its replicas by region (in the order they joined)."""

    name: str
    version: str
    replicas: dict[str, Replica]
    created: float
    consistency: str = "EVENTUAL"
    witness: str | None = None
    witness_status: str = "ACTIVE"
    write_autoscaling: dict[str, Any] | None = None
    index_write_autoscaling: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def strong(self) -> bool:
        return self.consistency == "STRONG"


class Replication:
    """The global tables of one emulator and their replication (``emu.replication``)."""

    def __init__(self, regions: Regions) -> None:
        self._regions = regions
        self.delay = DEFAULT_DELAY
        self.creation_seconds = 0.0  # how long a new replica stays CREATING (0: ACTIVE at once)
        self.groups: dict[str, GlobalTable] = {}
        # Replica auto scaling settings by (region, table), for any table (UpdateTableReplicaAutoScaling).
        self.autoscaling: dict[tuple[str, str], TableAutoScaling] = {}
        self._queue: deque[Change] = deque()
        self._pending: dict[tuple[str, str, KeyTuple], int] = {}  # changes on their way per origin and item
        self._watching: dict[tuple[str, str], tuple[TableStore, Any]] = {}
        self.muted = False  # set while a snapshot is restored (restores are not writes)
        self.synchronizing = False  # set while a replica's setting change is applied to the others
        self.active = False  # anything on its way or settling: ``dispatch`` calls ``catch_up``

    def __repr__(self) -> str:
        return f"<Replication groups={sorted(self.groups)} pending={len(self._queue)} delay={self.delay}>"

    @property
    def delay(self) -> float:
        """Seconds on the clock between a write and its arrival in the other replicas."""
        return self._delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds >= 0:
            raise ValueError(f"the replication delay is a number of seconds >= 0, not {seconds!r}")
        self._delay = float(seconds)

    @property
    def pending(self) -> list[Change]:
        """The changes on their way, oldest first."""
        return list(self._queue)

    def group_of(self, table_name: str, region: str) -> GlobalTable | None:
        """The global table ``table_name`` in ``region`` belongs to, if it is a replica."""
        group = self.groups.get(table_name)
        return group if group is not None and region in group.replicas else None

    def write_autoscaled(self, region: str, table_name: str) -> bool:
        """Whether the table's write capacity is auto scaled (a PROVISIONED table's replica needs it)."""
        settings = self.autoscaling.get((region, table_name))
        return (
            settings is not None
            and settings.write is not None
            and not settings.write.get("AutoScalingDisabled", False)
        )

    # --- descriptions -------------------------------------------------------------------------------------

    def describe(self, region: str, description: dict[str, Any]) -> dict[str, Any]:
        """``description`` (a replica's ``TableDescription``) with its global table's members:
        ``GlobalTableVersion``, ``Replicas`` (the other regions), witnesses and ``MultiRegionConsistency``;
        unchanged for a regional table (and a 2017.11.29 replica, which DescribeTable does not show)."""
        group = self.groups.get(description["TableName"])
        if group is None or region not in group.replicas or group.version != CURRENT_VERSION:
            return description
        indexes = [index["IndexName"] for index in description.get("GlobalSecondaryIndexes", ())]
        extra: dict[str, Any] = {
            "GlobalTableVersion": CURRENT_VERSION,
            "Replicas": [
                _replica_description(replica, indexes)
                for replica in group.replicas.values()
                if replica.region != region
            ],
            "MultiRegionConsistency": group.consistency,
        }
        if group.witness is not None:
            witness = {"RegionName": group.witness, "WitnessStatus": group.witness_status}
            extra["GlobalTableWitnesses"] = [witness]
        return self.order({**description, **extra})

    @staticmethod
    def order(description: dict[str, Any]) -> dict[str, Any]:
        """A ``TableDescription`` with its members in the service model's order (as the service sends)."""
        rank = _description_order()
        return dict(sorted(description.items(), key=lambda member: rank.get(member[0], len(rank))))

    # --- membership ---------------------------------------------------------------------------------------

    def watch(self) -> None:
        """Follow the writes of every replica table (and no other): after a group changed or was restored."""
        wanted: dict[tuple[str, str], TableState] = {}
        for group in self.groups.values():
            if len(group.replicas) < 2:
                continue
            for region_name in group.replicas:
                region = self._regions.existing(region_name)
                table = region.tables.get(group.name) if region is not None else None
                if table is not None:
                    wanted[(region_name, group.name)] = table
        for place, (store, observer) in list(self._watching.items()):
            table = wanted.get(place)
            if table is None or table.store is not store:
                store.unobserve(observer)
                del self._watching[place]
        for place, table in wanted.items():
            if place not in self._watching:
                observer = self._observer(place[0], table)
                table.store.observe(observer)
                self._watching[place] = (table.store, observer)

    def _observer(self, region: str, table: TableState) -> Any:
        names = table.key.names
        name = table.name
        clock = self._regions.home.clock
        queue = self._queue
        pending = self._pending

        def changed(old: Item | None, new: Item | None) -> None:
            if self.muted or old == new:
                return
            written = new if new is not None else old
            assert written is not None
            key = {attribute: written[attribute] for attribute in names}
            now = clock.now()
            group = self.groups.get(name)
            if group is not None and group.strong:  # MRSC: everywhere before the write is answered
                self._apply_everywhere(Change(now, now, region, name, key_tuple(key), key, new))
                return
            change = Change(now, now + self._delay, region, name, key_tuple(key), key, new)
            queue.append(change)
            slot = (region, name, change.key_tuple)
            pending[slot] = pending.get(slot, 0) + 1
            self.active = True

        return changed

    def dissolve(self, table_name: str) -> None:
        """Forget the global table ``table_name`` (its tables stay, as regional tables)."""
        self.groups.pop(table_name, None)
        self.watch()

    def table_deleted(self, region: str, table_name: str) -> None:
        """A replica's table was deleted in ``region``: it leaves its global table (the last one left is a
        regional table again)."""
        self.autoscaling.pop((region, table_name), None)
        group = self.groups.get(table_name)
        if group is None or region not in group.replicas:
            return
        del group.replicas[region]
        if len(group.replicas) < 2 and group.version == CURRENT_VERSION:
            del self.groups[table_name]
        self.watch()

    # --- arrival ------------------------------------------------------------------------------------------

    def catch_up(self) -> None:
        """Apply the changes due by now and finish the replica transitions due (``dispatch`` calls it)."""
        now = self._regions.home.clock.now()
        queue = self._queue
        while queue and queue[0].due <= now:
            self._deliver(queue.popleft())
        self._settle(now)
        self.active = bool(queue) or self._settling()

    def flush(self) -> int:
        """Apply every change on its way now, whatever its due time, and finish every replica transition
        (as if the clock had moved past them all). Returns the number of changes applied."""
        with self._regions.home.lock:
            count = len(self._queue)
            while self._queue:
                self._deliver(self._queue.popleft())
            self._settle(float("inf"))
            self.active = False
            return count

    def flush_table(self, table_name: str) -> None:
        """Apply every change of ``table_name`` on its way now (a replica leaving its global table waits for
        them: ``WAIT_FOR_REPLICATION``); other tables' changes keep their times."""
        mine = [change for change in self._queue if change.table == table_name]
        if not mine:
            return
        kept = [change for change in self._queue if change.table != table_name]
        self._queue.clear()
        self._queue.extend(kept)
        for change in mine:
            self._deliver(change)
        self.active = bool(self._queue) or self._settling()

    def _deliver(self, change: Change) -> None:
        slot = (change.region, change.table, change.key_tuple)
        left = self._pending[slot] - 1
        if left:
            self._pending[slot] = left
        else:
            del self._pending[slot]
        group = self.groups.get(change.table)
        if group is None or change.region not in group.replicas:
            return
        for region_name in group.replicas:
            if region_name == change.region:
                continue
            if (region_name, change.table, change.key_tuple) in self._pending:
                continue  # that replica wrote the item later: its write wins
            self._apply(change, region_name)

    def _apply_everywhere(self, change: Change) -> None:
        group = self.groups[change.table]
        for region_name in group.replicas:
            if region_name != change.region:
                self._apply(change, region_name)

    def _apply(self, change: Change, region_name: str) -> None:
        region = self._regions.existing(region_name)
        table = region.tables.get(change.table) if region is not None else None
        if region is None or table is None:
            return
        store = table.store
        old = store.get(change.key)
        if old is None and change.item is None:
            return
        self.muted = True
        try:
            if change.item is None:
                store.delete(change.key)
            else:
                store.put(change.item)
        finally:
            self.muted = False
        if region.capacity.enabled:
            old_size = store.size_of(old) if old is not None else 0
            new_size = store.size_of(change.item) if change.item is not None else 0
            consumed = write_capacity(
                table.name, "INDEXES", store, old, change.item, old_size=old_size, new_size=new_size
            )
            region.capacity.record(REPLICATED_WRITE, consumed)

    # --- replica transitions ------------------------------------------------------------------------------

    def _settling(self) -> bool:
        groups = self.groups.values()
        return any(replica.ready_at is not None for group in groups for replica in group.replicas.values())

    def _settle(self, now: float) -> None:
        """Replicas whose creation or update time has passed become ACTIVE, and so do their tables."""
        for group in self.groups.values():
            for replica in group.replicas.values():
                if replica.ready_at is not None and replica.ready_at <= now:
                    replica.ready_at = None
                    replica.status = "ACTIVE"
            if any(replica.ready_at is not None for replica in group.replicas.values()):
                continue
            for region_name in group.replicas:
                region = self._regions.existing(region_name)
                table = region.tables.get(group.name) if region is not None else None
                if table is not None and table.status in ("CREATING", "UPDATING"):
                    table.status = "ACTIVE"

    def start_transition(self, group: GlobalTable, replica: Replica, status: str, now: float) -> None:
        """Show ``replica`` in ``status`` (CREATING, UPDATING) until ``creation_seconds`` have passed."""
        if self.creation_seconds <= 0:
            return
        replica.status = status
        replica.ready_at = now + self.creation_seconds
        self.active = True

    # --- snapshots ----------------------------------------------------------------------------------------

    def save(self) -> tuple[Any, ...]:
        """Groups and changes on their way, for a snapshot: O(groups + pending)."""
        return (
            copy.deepcopy(self.groups),
            copy.deepcopy(self.autoscaling),
            tuple(self._queue),
            self._delay,
            self.creation_seconds,
        )

    def load(self, saved: tuple[Any, ...]) -> None:
        """Go back to ``save``'s state (after the snapshot's tables are back)."""
        groups, autoscaling, queue, delay, creation = saved
        self.groups = copy.deepcopy(groups)
        self.autoscaling = copy.deepcopy(autoscaling)
        self._queue.clear()  # in place: the observers hold these two
        self._queue.extend(queue)
        self._pending.clear()
        for change in queue:
            slot = (change.region, change.table, change.key_tuple)
            self._pending[slot] = self._pending.get(slot, 0) + 1
        self._delay, self.creation_seconds = delay, creation
        self.active = bool(self._queue) or self._settling()
        self.watch()

    # --- the server's journal ---------------------------------------------------------------------------

    def export(self) -> dict[str, Any]:
        """The groups, auto scaling settings and changes on their way (with their due times) as JSON-able
        data: what a compacted journal keeps, as the requests that made them are gone. The delay and
        ``creation_seconds`` are settings of the running emulator, not kept."""
        from theorydb_mocks.emulator.wire import encode_request

        pending = []
        for change in self._queue:
            if change.item is None:
                target, body = encode_request("DeleteItem", {"TableName": change.table, "Key": change.key})
            else:
                target, body = encode_request("PutItem", {"TableName": change.table, "Item": change.item})
            pending.append([change.written, change.due, change.region, target, body.decode("utf-8")])
        return {
            "groups": [dataclasses.asdict(group) for group in self.groups.values()],
            "autoscaling": [
                [region, name, dataclasses.asdict(settings)]
                for (region, name), settings in self.autoscaling.items()
            ],
            "pending": pending,
        }

    def import_(self, data: dict[str, Any]) -> None:
        """Take back what ``export`` wrote (after the tables it names were re-created)."""
        from theorydb_mocks.emulator.wire import decode_request

        for raw in data["groups"]:
            replicas = {region: Replica(**entry) for region, entry in raw.pop("replicas").items()}
            self.groups[raw["name"]] = GlobalTable(replicas=replicas, **raw)
        for region, name, settings in data["autoscaling"]:
            self.autoscaling[(region, name)] = TableAutoScaling(**settings)
        for written, due, region, target, body in data["pending"]:
            operation, request = decode_request(target, body.encode("utf-8"))
            item = request.get("Item") if operation == "PutItem" else None
            key = request["Key"] if item is None else self._key_of(region, request["TableName"], item)
            change = Change(written, due, region, request["TableName"], key_tuple(key), key, item)
            self._queue.append(change)
            slot = (region, change.table, change.key_tuple)
            self._pending[slot] = self._pending.get(slot, 0) + 1
        self.active = bool(self._queue) or self._settling()
        self.watch()

    def _key_of(self, region: str, table_name: str, item: Item) -> Key:
        place = self._regions.existing(region)
        table = place.tables.get(table_name) if place is not None else None
        names = table.key.names if table is not None else tuple(item)
        return {name: item[name] for name in names}

    def clear(self) -> None:
        """Forget every global table and every change on its way (``emu.reset()``)."""
        self.groups.clear()
        self.autoscaling.clear()
        self._queue.clear()
        self._pending.clear()
        self.active = False
        self.watch()
