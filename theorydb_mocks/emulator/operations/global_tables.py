"""Global tables: replicas made by UpdateTable (version 2019.11.21), and UpdateTable's replica checks.

``UpdateTable`` with ``ReplicaUpdates`` (``Create``, ``Update``, ``Delete``, ``Disassociate``),
``MultiRegionConsistency`` and ``GlobalTableWitnessUpdates`` lands here (``update_replicas``): a ``Create``
makes the table in the other region of the same emulator (``regions``) with the same schema, indexes,
billing and stream, and copies the items (the service's backfill); from then on writes replicate
(``replication``). ``DescribeTable`` of a replica shows ``GlobalTableVersion``, ``Replicas`` (the other
regions, with their overrides and status) and ``MultiRegionConsistency``.

The service's prerequisites, checked before anything changes: replicas only through a request with no
other update; a replica region is a valid region that has no table of that name; a multi-Region eventually
consistent (MREC) table has a stream with ``NEW_AND_OLD_IMAGES``; a PROVISIONED table has write auto scaling
(``UpdateTableReplicaAutoScaling``); overrides name existing GSIs and fit the billing mode; a multi-Region
strongly consistent (MRSC) table is empty, spans exactly three regions of one region set (replicas, or two
replicas and a witness), and its consistency mode never changes.

The legacy 2017.11.29 API and replica auto scaling are in ``global_tables_legacy``.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error, validation_error
from theorydb_mocks.emulator.operations.tables import SETTINGS_MEMBERS
from theorydb_mocks.emulator.persistence import create_table_request
from theorydb_mocks.emulator.regions import valid_region
from theorydb_mocks.emulator.replication import CURRENT_VERSION, GlobalTable, Replica

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request, Response
    from theorydb_mocks.emulator.catalog import TableState

__all__ = ["MRSC_REGION_SETS", "create_replica_table", "synchronize", "update_replicas"]

# What a global table keeps alike in every replica (the service's settings synchronization): UpdateTable's
# billing mode, write capacity and GSIs, and the TTL setting. Read capacity, table class, deletion
# protection and tags stay each replica's own.
_SYNCHRONIZED = (
    "AttributeDefinitions",
    "BillingMode",
    "ProvisionedThroughput",
    "GlobalSecondaryIndexUpdates",
)

_ACTIONS = ("Create", "Update", "Delete", "Disassociate")

# The region sets a multi-Region strongly consistent global table may span (one set per table).
MRSC_REGION_SETS: tuple[frozenset[str], ...] = (
    frozenset({"us-east-1", "us-east-2", "us-west-2"}),
    frozenset({"eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1"}),
    frozenset({"ap-northeast-1", "ap-northeast-2", "ap-northeast-3"}),
)


def _invalid(message: str) -> Exception:
    return validation_error(message)


def update_replicas(emu: EmulatorState, table: TableState, request: Request) -> Response:
    """UpdateTable's replica part: check every action, then apply them all. Runtime: O(items) per new
    replica (its backfill), O(1) otherwise."""
    if any(request.get(member) is not None for member in SETTINGS_MEMBERS):
        raise _invalid(M.REPLICA_UPDATES_ALONE)
    name = table.name
    replication = emu.replication
    group = replication.groups.get(name)
    if group is not None and emu.region not in group.replicas:
        raise _invalid(M.REPLICA_ALREADY_A_TABLE.format(name=name))
    if group is not None and group.version != CURRENT_VERSION:
        raise _invalid(M.REPLICA_LEGACY_TABLE.format(name=name))
    if table.status != "ACTIVE":
        raise ddb_error("ResourceInUseException", M.TABLE_BEING_UPDATED.format(name=name))
    plan = _plan(emu, table, group, request)

    # Everything is checked: apply.
    now = emu.clock.now()
    if group is None:
        group = GlobalTable(
            name, CURRENT_VERSION, {emu.region: Replica(emu.region)}, now, plan.consistency or "EVENTUAL"
        )
        replication.groups[name] = group
    for action in plan.creates:
        replica = _replica_from(action)
        create_replica_table(emu, table, emu.in_region(replica.region), replica)
        group.replicas[replica.region] = replica
        replication.start_transition(group, replica, "CREATING", now)
    for action in plan.updates:
        replica = group.replicas[action["RegionName"]]
        _apply_overrides(replica, action)
        _apply_replica_settings(emu.in_region(replica.region), name, replica)
    if plan.witness_create is not None:
        group.witness = plan.witness_create
    if plan.witness_delete is not None:
        group.witness = None
    deleted = [group.replicas.pop(action["RegionName"]) for action in plan.deletes]
    for replica in deleted:
        _drop_replica_table(emu.in_region(replica.region), name)
    if plan.disassociate:
        replication.flush_table(name)  # WAIT_FOR_REPLICATION: what is on its way arrives first
        del group.replicas[emu.region]
    if (len(group.replicas) < 2 and group.witness is None) or plan.disassociate:
        replication.groups.pop(name, None)
    replication.watch()
    if any(r.ready_at is not None for r in group.replicas.values()):
        table.status = "UPDATING"

    description = replication.describe(emu.region, table.description())
    if name in replication.groups:
        shown = {entry["RegionName"]: entry for entry in description.get("Replicas", [])}
        for action in plan.creates:
            shown[action["RegionName"]]["ReplicaStatus"] = "CREATING"  # as the service answers
    if deleted and name in replication.groups:
        description["Replicas"].extend(
            {"RegionName": replica.region, "ReplicaStatus": "DELETING"} for replica in deleted
        )
    elif deleted:
        description = replication.order(
            {
                **description,
                "GlobalTableVersion": CURRENT_VERSION,
                "Replicas": [{"RegionName": r.region, "ReplicaStatus": "DELETING"} for r in deleted],
            }
        )
    if plan.creates:
        description["TableStatus"] = "UPDATING"
    return {"TableDescription": description}


class _Plan:
    """What an UpdateTable's replica members ask for, checked."""

    __slots__ = (
        "consistency",
        "creates",
        "deletes",
        "disassociate",
        "updates",
        "witness_create",
        "witness_delete",
    )

    def __init__(self) -> None:
        self.consistency: str | None = None
        self.creates: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.deletes: list[dict[str, Any]] = []
        self.disassociate = False
        self.witness_create: str | None = None
        self.witness_delete: str | None = None


def _plan(emu: EmulatorState, table: TableState, group: GlobalTable | None, request: Request) -> _Plan:
    plan = _Plan()
    name = table.name
    seen: set[str] = set()
    for entry in request.get("ReplicaUpdates") or []:
        actions = [action for action in _ACTIONS if entry.get(action) is not None]
        if len(actions) != 1:
            raise _invalid(M.REPLICA_UPDATE_ONE_ACTION)
        kind = actions[0]
        action = entry[kind]
        region = action.get("RegionName", emu.region) if kind == "Disassociate" else action["RegionName"]
        if not valid_region(region):
            raise _invalid(M.REPLICA_REGION_INVALID.format(region=region))
        if region in seen:
            raise _invalid(M.REPLICA_REGION_TWICE.format(region=region))
        seen.add(region)
        if kind == "Create":
            plan.creates.append(action)
        elif kind == "Update":
            plan.updates.append(action)
        elif kind == "Delete":
            plan.deletes.append(action)
        else:
            plan.disassociate = True
    plan.consistency = request.get("MultiRegionConsistency")
    if plan.consistency is not None and not plan.creates:
        raise _invalid(M.REPLICA_CONSISTENCY_WITHOUT_CREATE)
    if plan.consistency is not None and group is not None and plan.consistency != group.consistency:
        raise _invalid(M.REPLICA_CONSISTENCY_FIXED.format(name=name))
    strong = plan.consistency == "STRONG" if group is None else group.strong
    _plan_witness(plan, request, group, strong, name)
    if plan.disassociate and (len(seen) > 1 or plan.witness_create or plan.witness_delete):
        raise _invalid(M.REPLICA_UPDATES_ALONE)
    if plan.disassociate and (group is None or emu.region not in seen):
        raise _invalid(M.REPLICA_NOT_IN_GROUP.format(region=emu.region, name=name))
    for action in plan.creates:
        _check_create(emu, table, group, strong, action)
    for action in plan.updates:
        if group is None or action["RegionName"] not in group.replicas:
            raise _invalid(M.REPLICA_NOT_IN_GROUP.format(region=action["RegionName"], name=name))
        _check_overrides(table, action)
    for action in plan.deletes:
        region = action["RegionName"]
        if group is None or region not in group.replicas:
            raise _invalid(M.REPLICA_NOT_IN_GROUP.format(region=region, name=name))
        if region == emu.region:
            raise _invalid(M.REPLICA_LOCAL_DELETE.format(region=region))
    if strong:
        _check_strong(emu, table, group, plan)
    return plan


def _plan_witness(plan: _Plan, request: Request, group: GlobalTable | None, strong: bool, name: str) -> None:
    updates = request.get("GlobalTableWitnessUpdates") or []
    if len(updates) > 1:
        raise _invalid(M.WITNESS_ONE_UPDATE)
    for entry in updates:
        actions = [action for action in ("Create", "Delete") if entry.get(action) is not None]
        if len(actions) != 1:
            raise _invalid(M.REPLICA_UPDATE_ONE_ACTION)
        region = entry[actions[0]]["RegionName"]
        if not strong:
            raise _invalid(M.WITNESS_WITHOUT_STRONG)
        if not valid_region(region):
            raise _invalid(M.REPLICA_REGION_INVALID.format(region=region))
        if actions[0] == "Create":
            plan.witness_create = region
        elif group is None or group.witness != region:
            raise _invalid(M.WITNESS_NOT_FOUND.format(region=region, name=name))
        else:
            plan.witness_delete = region


def _check_create(
    emu: EmulatorState, table: TableState, group: GlobalTable | None, strong: bool, action: dict[str, Any]
) -> None:
    name = table.name
    region = action["RegionName"]
    if group is not None and group.strong:
        raise _invalid(M.STRONG_NO_NEW_REPLICA.format(name=name))
    target = emu.regions.existing(region)
    if region == emu.region or (target is not None and name in target.tables):
        raise _invalid(M.REPLICA_ALREADY_A_TABLE.format(name=name))
    if not strong:
        stream = table.stream_specification
        if stream is None or stream.get("StreamViewType") != "NEW_AND_OLD_IMAGES":
            raise _invalid(M.REPLICA_NEEDS_STREAM.format(name=name))
    if table.billing_mode == "PROVISIONED" and not emu.replication.write_autoscaled(emu.region, name):
        raise _invalid(M.REPLICA_WRITE_CAPACITY)
    _check_overrides(table, action)


def _check_overrides(table: TableState, action: dict[str, Any]) -> None:
    provisioned = table.billing_mode == "PROVISIONED"
    if action.get("ProvisionedThroughputOverride") is not None and not provisioned:
        raise _invalid(M.REPLICA_THROUGHPUT_OVERRIDE)
    if action.get("OnDemandThroughputOverride") is not None and provisioned:
        raise _invalid(M.REPLICA_ON_DEMAND_OVERRIDE)
    for index in action.get("GlobalSecondaryIndexes") or []:
        if index["IndexName"] not in table.gsis:
            raise _invalid(M.REPLICA_INDEX_NOT_FOUND.format(index=index["IndexName"], name=table.name))
        if index.get("ProvisionedThroughputOverride") is not None and not provisioned:
            raise _invalid(M.REPLICA_THROUGHPUT_OVERRIDE)
        if index.get("OnDemandThroughputOverride") is not None and provisioned:
            raise _invalid(M.REPLICA_ON_DEMAND_OVERRIDE)


def _check_strong(emu: EmulatorState, table: TableState, group: GlobalTable | None, plan: _Plan) -> None:
    """An MRSC table: made empty, across three regions of one set; deleted all at once down to one."""
    name = table.name
    if group is None:
        if table.store.item_count:
            raise _invalid(M.STRONG_NOT_EMPTY.format(name=name))
        regions = [emu.region, *(action["RegionName"] for action in plan.creates)]
        if plan.witness_create is not None:
            regions.append(plan.witness_create)
        _check_three(regions)
        return
    replicas = [region for region in group.replicas if region not in {a["RegionName"] for a in plan.deletes}]
    witness = group.witness if plan.witness_delete is None else None
    if plan.witness_create is not None:
        witness = plan.witness_create
    regions = [*replicas, *([witness] if witness else [])]
    if len(replicas) == 1 and witness is None:
        return  # the whole global table goes, back to one regional table
    if len(regions) != 3:
        raise _invalid(M.STRONG_PARTIAL_DELETE)
    _check_three(regions)


def _check_three(regions: list[str]) -> None:
    if len(regions) != 3 or len(set(regions)) != 3:
        raise _invalid(M.STRONG_THREE_REGIONS)
    if not any(set(regions) <= region_set for region_set in MRSC_REGION_SETS):
        raise _invalid(M.STRONG_REGION_SET.format(regions=", ".join(regions)))


# --- applying -----------------------------------------------------------------------------------------------


def _replica_from(action: dict[str, Any]) -> Replica:
    replica = Replica(action["RegionName"])
    _apply_overrides(replica, action)
    return replica


def _apply_overrides(replica: Replica, action: dict[str, Any]) -> None:
    if action.get("KMSMasterKeyId") is not None:
        replica.kms_key = action["KMSMasterKeyId"]
    if action.get("ProvisionedThroughputOverride") is not None:
        replica.throughput_override = dict(action["ProvisionedThroughputOverride"])
    if action.get("OnDemandThroughputOverride") is not None:
        replica.on_demand_override = dict(action["OnDemandThroughputOverride"])
    for index in action.get("GlobalSecondaryIndexes") or []:
        override = replica.index_overrides.setdefault(index["IndexName"], {})
        for member in ("ProvisionedThroughputOverride", "OnDemandThroughputOverride"):
            if index.get(member) is not None:
                override[member] = dict(index[member])
    if action.get("TableClassOverride") is not None:
        replica.table_class = action["TableClassOverride"]


def create_replica_table(
    emu: EmulatorState, source: TableState, target: EmulatorState, replica: Replica
) -> None:
    """Make ``source``'s replica in ``target`` (another region): the same schema, indexes, billing, stream,
    TTL and items (copied, as the service backfills a new replica; no stream records for them)."""
    from theorydb_mocks.emulator.operations.tables import create_table

    request = create_table_request(source.description())
    request.pop("DeletionProtectionEnabled", None)  # a per-replica setting, not replicated
    if source.sse_enabled or replica.kms_key is not None:
        sse: dict[str, Any] = {"Enabled": True, "SSEType": "KMS"}
        if replica.kms_key is not None:
            sse["KMSMasterKeyId"] = replica.kms_key
        request["SSESpecification"] = sse
    create_table(target, request)
    table = target.tables[source.name]
    _apply_replica_settings(target, source.name, replica)
    streams = target.streams
    muted = streams.muted
    streams.muted = True
    try:
        put = table.store.put
        for item in source.store.items():
            put(item)
    finally:
        streams.muted = muted
    attribute = emu.ttl.attribute_of(source)
    if attribute is not None:
        target.ttl.enable(table, attribute)
    if emu.replication.creation_seconds > 0:
        table.status = "CREATING"


def _apply_replica_settings(region: EmulatorState, name: str, replica: Replica) -> None:
    """Put a replica's overrides on its table: read capacity (table and GSIs), table class."""
    table = region.tables.get(name)
    if table is None:
        return
    override = replica.throughput_override
    if override is not None and override.get("ReadCapacityUnits") is not None:
        table.provisioned_throughput = {
            **table.provisioned_throughput,
            "ReadCapacityUnits": int(override["ReadCapacityUnits"]),
        }
    for index_name, overrides in replica.index_overrides.items():
        index = table.gsis.get(index_name)
        units = (overrides.get("ProvisionedThroughputOverride") or {}).get("ReadCapacityUnits")
        if index is not None and index.provisioned_throughput is not None and units is not None:
            index.provisioned_throughput = {**index.provisioned_throughput, "ReadCapacityUnits": int(units)}
    if replica.table_class is not None:
        table.table_class = replica.table_class


def synchronize(emu: EmulatorState, name: str, operation: str, request: Request) -> None:
    """After an UpdateTable or UpdateTimeToLive on a 2019.11.21 replica succeeded: the same change in the
    other replicas (each keeps its own read capacity). A replica where the change is already made, or
    cannot be, is left as it is (its checks run before anything changes)."""
    from theorydb_mocks.emulator.operations.tables import update_table
    from theorydb_mocks.emulator.operations.ttl import update_time_to_live

    replication = emu.replication
    group = replication.group_of(name, emu.region)
    if group is None or group.version != CURRENT_VERSION or replication.synchronizing:
        return
    if operation == "UpdateTable":
        forwarded = {member: request[member] for member in _SYNCHRONIZED if request.get(member) is not None}
        if set(forwarded) <= {"AttributeDefinitions"}:
            return
    else:
        forwarded = {"TimeToLiveSpecification": request["TimeToLiveSpecification"]}
    for region_name in group.replicas:
        region = emu.regions.existing(region_name)
        table = region.tables.get(name) if region is not None else None
        if region is None or table is None or region_name == emu.region:
            continue
        change = {"TableName": name, **forwarded}
        throughput = forwarded.get("ProvisionedThroughput")
        if throughput is not None and table.billing_mode == "PROVISIONED":
            own = table.provisioned_throughput["ReadCapacityUnits"]
            change["ProvisionedThroughput"] = {**throughput, "ReadCapacityUnits": own}
        replication.synchronizing = True  # the replicas' own handlers do not forward it again
        try:
            if operation == "UpdateTable":
                update_table(region, change)
            else:
                update_time_to_live(region, change)
        except DynamoDBError:
            continue
        finally:
            replication.synchronizing = False


def _drop_replica_table(region: EmulatorState, name: str) -> None:
    """Delete a removed replica's table and its items (the service's DeleteTableReplica)."""
    table = region.tables.pop(name, None)
    if table is None:
        return
    region.ttl.disable(name)
    region.streams.sync(name)  # closes its stream
