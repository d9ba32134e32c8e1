"""Global tables version 2017.11.29 (CreateGlobalTable and its family) and replica auto scaling.

The legacy API groups existing tables, one per region, with the same name: each must exist, be empty,
have a stream with ``NEW_AND_OLD_IMAGES`` and the same key schema and indexes as the others. The group
replicates like a current global table (``replication``). ``UpdateGlobalTable`` adds an existing empty
table or removes a region from the group (its table stays); the settings operations read and write the
replicas' billing mode and capacity. DescribeTable does not show a legacy group (the service answers
``DescribeGlobalTable`` for it instead); a 2019.11.21 table is not a legacy global table
(``GlobalTableNotFoundException``).

``UpdateTableReplicaAutoScaling`` records auto scaling settings (write capacity for the whole global table,
read capacity per replica, and the same per GSI) and ``DescribeTableReplicaAutoScaling`` reads them back;
nothing scales, as there is no load. A PROVISIONED table needs write auto scaling before it gets a
2019.11.21 replica (``global_tables``).

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables.V1.html
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.catalog import key_schema_elements, timestamp
from theorydb_mocks.emulator.errors import ddb_error, validation_error
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.regions import valid_region
from theorydb_mocks.emulator.replication import LEGACY_VERSION, GlobalTable, Replica, TableAutoScaling

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request, Response
    from theorydb_mocks.emulator.catalog import TableState

__all__ = [
    "create_global_table",
    "describe_global_table",
    "describe_global_table_settings",
    "describe_table_replica_auto_scaling",
    "list_global_tables",
    "update_global_table",
    "update_global_table_settings",
    "update_table_replica_auto_scaling",
]

LIST_GLOBAL_TABLES_DEFAULT_LIMIT = 100
# The role Application Auto Scaling uses for DynamoDB when none is named.
_SCALING_ROLE = (
    "arn:aws:iam::{account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
    "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
)


def _legacy_group(emu: EmulatorState, name: str) -> GlobalTable:
    group = emu.replication.groups.get(name)
    if group is None or group.version != LEGACY_VERSION:
        raise ddb_error("GlobalTableNotFoundException", M.GLOBAL_TABLE_NOT_FOUND.format(name=name))
    return group


def _global_table_description(emu: EmulatorState, group: GlobalTable, status: str) -> dict[str, Any]:
    return {
        "ReplicationGroup": [{"RegionName": region} for region in group.replicas],
        "GlobalTableArn": f"arn:aws:dynamodb::{emu.account_id}:global-table/{group.name}",
        "CreationDateTime": timestamp(group.created),
        "GlobalTableStatus": status,
        "GlobalTableName": group.name,
    }


def _joining_table(emu: EmulatorState, name: str, region: str, model: TableState | None) -> TableState:
    """The table ``name`` in ``region``, fit to join a legacy global table shaped like ``model``."""
    if not valid_region(region):
        raise validation_error(M.REPLICA_REGION_INVALID.format(region=region))
    place = emu.regions.existing(region)
    table = place.tables.get(name) if place is not None else None
    if table is None:
        raise ddb_error(
            "TableNotFoundException", M.GLOBAL_TABLE_TABLE_NOT_FOUND.format(name=name, region=region)
        )
    stream = table.stream_specification
    if stream is None or stream.get("StreamViewType") != "NEW_AND_OLD_IMAGES":
        raise validation_error(M.REPLICA_NEEDS_STREAM.format(name=name))
    if table.store.item_count:
        raise validation_error(M.GLOBAL_TABLE_NOT_EMPTY.format(name=name, region=region))
    if model is not None:
        mismatch = _mismatch(model, table)
        if mismatch:
            raise validation_error(M.GLOBAL_TABLE_MISMATCH.format(name=name, region=region, what=mismatch))
    return table


def _mismatch(model: TableState, table: TableState) -> str:
    """What differs between two tables that must be replicas of each other ('' when nothing)."""
    if key_schema_elements(model.key) != key_schema_elements(table.key):
        return "key schema"
    for kind, mine, theirs in (("global", model.gsis, table.gsis), ("local", model.lsis, table.lsis)):
        if set(mine) != set(theirs):
            return f"{kind} secondary index names"
        for name, index in mine.items():
            if key_schema_elements(index.spec.key) != key_schema_elements(theirs[name].spec.key):
                return f"{kind} secondary index {name} key schema"
    return ""


@operation("CreateGlobalTable")
def create_global_table(emu: EmulatorState, request: Request) -> Response:
    """Group existing empty tables of one name, one per region, into a 2017.11.29 global table."""
    name = request["GlobalTableName"]
    replication = emu.replication
    if name in replication.groups:
        raise ddb_error("GlobalTableAlreadyExistsException", M.GLOBAL_TABLE_EXISTS)
    regions: list[str] = []
    model: TableState | None = None
    for replica in request["ReplicationGroup"]:
        region = replica.get("RegionName")  # optional in the model: a missing one is no region
        if region is None:
            raise validation_error(M.REPLICA_REGION_INVALID.format(region="null"))
        if region in regions:
            raise validation_error(M.REPLICA_REGION_TWICE.format(region=region))
        table = _joining_table(emu, name, region, model)
        model = model or table
        regions.append(region)
    now = emu.clock.now()
    group = GlobalTable(name, LEGACY_VERSION, {region: Replica(region) for region in regions}, now)
    replication.groups[name] = group
    replication.watch()
    return {"GlobalTableDescription": _global_table_description(emu, group, "CREATING")}


@operation("DescribeGlobalTable", read_only=True)
def describe_global_table(emu: EmulatorState, request: Request) -> Response:
    """A 2017.11.29 global table's regions and status."""
    group = _legacy_group(emu, request["GlobalTableName"])
    return {"GlobalTableDescription": _global_table_description(emu, group, "ACTIVE")}


@operation("ListGlobalTables", read_only=True)
def list_global_tables(emu: EmulatorState, request: Request) -> Response:
    """The 2017.11.29 global tables by name (those with a replica in ``RegionName`` when given)."""
    region = request.get("RegionName")
    groups = sorted(
        (group for group in emu.replication.groups.values() if group.version == LEGACY_VERSION),
        key=lambda group: group.name,
    )
    if region is not None:
        groups = [group for group in groups if region in group.replicas]
    start = request.get("ExclusiveStartGlobalTableName")
    if start is not None:
        groups = [group for group in groups if group.name > start]
    limit = request.get("Limit") or LIST_GLOBAL_TABLES_DEFAULT_LIMIT
    page = groups[:limit]
    response: Response = {
        "GlobalTables": [
            {"GlobalTableName": group.name, "ReplicationGroup": [{"RegionName": r} for r in group.replicas]}
            for group in page
        ]
    }
    if len(groups) > limit:
        response["LastEvaluatedGlobalTableName"] = page[-1].name
    return response


@operation("UpdateGlobalTable")
def update_global_table(emu: EmulatorState, request: Request) -> Response:
    """Add an existing empty table to a 2017.11.29 global table, or remove a region (its table stays)."""
    name = request["GlobalTableName"]
    group = _legacy_group(emu, name)
    model = next(
        (table for region in group.replicas if (table := _table_in(emu, region, name)) is not None), None
    )
    adds: list[str] = []
    removes: list[str] = []
    for update in request["ReplicaUpdates"]:
        create, delete = update.get("Create"), update.get("Delete")
        if (create is None) == (delete is None):
            raise validation_error(M.REPLICA_UPDATE_ONE_ACTION)
        if create is not None:
            region = create["RegionName"]
            if region in group.replicas or region in adds:
                raise ddb_error(
                    "ReplicaAlreadyExistsException", M.GLOBAL_TABLE_REPLICA_EXISTS.format(region=region)
                )
            _joining_table(emu, name, region, model)
            adds.append(region)
        else:
            region = delete["RegionName"]
            if region not in group.replicas or region in removes:
                raise ddb_error(
                    "ReplicaNotFoundException", M.GLOBAL_TABLE_REPLICA_NOT_FOUND.format(region=region)
                )
            removes.append(region)
    for region in adds:
        group.replicas[region] = Replica(region)
    for region in removes:
        del group.replicas[region]
    description = _global_table_description(emu, group, "UPDATING")
    if not group.replicas:
        del emu.replication.groups[name]
    emu.replication.watch()
    return {"GlobalTableDescription": description}


def _table_in(emu: EmulatorState, region: str, name: str) -> TableState | None:
    place = emu.regions.existing(region)
    return place.tables.get(name) if place is not None else None


# --- settings -----------------------------------------------------------------------------------------------


def _replica_settings(emu: EmulatorState, group: GlobalTable) -> list[dict[str, Any]]:
    settings: list[dict[str, Any]] = []
    for region, replica in group.replicas.items():
        table = _table_in(emu, region, group.name)
        entry: dict[str, Any] = {"RegionName": region, "ReplicaStatus": replica.status}
        if table is not None:
            scaling = emu.replication.autoscaling.get((region, group.name)) or TableAutoScaling()
            entry["ReplicaBillingModeSummary"] = {"BillingMode": table.billing_mode}
            entry["ReplicaProvisionedReadCapacityUnits"] = table.provisioned_throughput["ReadCapacityUnits"]
            if scaling.read is not None:
                entry["ReplicaProvisionedReadCapacityAutoScalingSettings"] = dict(scaling.read)
            entry["ReplicaProvisionedWriteCapacityUnits"] = table.provisioned_throughput["WriteCapacityUnits"]
            if scaling.write is not None:
                entry["ReplicaProvisionedWriteCapacityAutoScalingSettings"] = dict(scaling.write)
            entry["ReplicaGlobalSecondaryIndexSettings"] = [
                _index_settings(name, index.status, index.provisioned_throughput, scaling)
                for name, index in table.gsis.items()
            ]
            if table.table_class is not None:
                entry["ReplicaTableClassSummary"] = {"TableClass": table.table_class}
        settings.append(entry)
    return settings


def _index_settings(
    name: str, status: str, throughput: dict[str, int] | None, scaling: TableAutoScaling
) -> dict[str, Any]:
    entry: dict[str, Any] = {"IndexName": name, "IndexStatus": status}
    throughput = throughput or {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    entry["ProvisionedReadCapacityUnits"] = throughput["ReadCapacityUnits"]
    if name in scaling.index_read:
        entry["ProvisionedReadCapacityAutoScalingSettings"] = dict(scaling.index_read[name])
    entry["ProvisionedWriteCapacityUnits"] = throughput["WriteCapacityUnits"]
    if name in scaling.index_write:
        entry["ProvisionedWriteCapacityAutoScalingSettings"] = dict(scaling.index_write[name])
    return entry


@operation("DescribeGlobalTableSettings", read_only=True)
def describe_global_table_settings(emu: EmulatorState, request: Request) -> Response:
    """Each replica's billing mode, capacity and auto scaling, of a 2017.11.29 global table."""
    group = _legacy_group(emu, request["GlobalTableName"])
    return {"GlobalTableName": group.name, "ReplicaSettings": _replica_settings(emu, group)}


@operation("UpdateGlobalTableSettings")
def update_global_table_settings(emu: EmulatorState, request: Request) -> Response:
    """Billing mode and write capacity for every replica, read capacity and table class per replica."""
    group = _legacy_group(emu, request["GlobalTableName"])
    tables = {region: _table_in(emu, region, group.name) for region in group.replicas}
    present = {region: table for region, table in tables.items() if table is not None}
    model = next(iter(present.values()), None)
    for update in request.get("GlobalTableGlobalSecondaryIndexSettingsUpdate") or []:
        if model is None or update["IndexName"] not in model.gsis:
            raise ddb_error(
                "IndexNotFoundException", M.GLOBAL_TABLE_INDEX_NOT_FOUND.format(index=update["IndexName"])
            )
    for update in request.get("ReplicaSettingsUpdate") or []:
        region = update["RegionName"]
        if region not in group.replicas:
            raise ddb_error(
                "ReplicaNotFoundException", M.GLOBAL_TABLE_REPLICA_NOT_FOUND.format(region=region)
            )
        table = present.get(region)
        for index in update.get("ReplicaGlobalSecondaryIndexSettingsUpdate") or []:
            if table is None or index["IndexName"] not in table.gsis:
                raise ddb_error(
                    "IndexNotFoundException", M.GLOBAL_TABLE_INDEX_NOT_FOUND.format(index=index["IndexName"])
                )
    for scaling_update in _scaling_updates(request):
        _scaling_description(emu, scaling_update, None)  # its bounds: refused before anything changes
    billing = request.get("GlobalTableBillingMode")
    write_units = request.get("GlobalTableProvisionedWriteCapacityUnits")
    write_scaling = request.get("GlobalTableProvisionedWriteCapacityAutoScalingSettingsUpdate")
    now = emu.clock.now()
    for region, table in present.items():
        if billing is not None and billing != table.billing_mode:
            if billing == "PAY_PER_REQUEST":
                table.last_update_to_pay_per_request = now
                table.provisioned_throughput = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
            table.billing_mode = billing
        if write_units is not None:
            table.provisioned_throughput = {**table.provisioned_throughput, "WriteCapacityUnits": write_units}
        scaling = emu.replication.autoscaling.setdefault((region, group.name), TableAutoScaling())
        if write_scaling is not None:
            scaling.write = _scaling_description(emu, write_scaling, scaling.write)
        for update in request.get("GlobalTableGlobalSecondaryIndexSettingsUpdate") or []:
            index = table.gsis[update["IndexName"]]
            if update.get("ProvisionedWriteCapacityUnits") is not None:
                index.provisioned_throughput = {
                    **(index.provisioned_throughput or {"ReadCapacityUnits": 0}),
                    "WriteCapacityUnits": update["ProvisionedWriteCapacityUnits"],
                }
            if update.get("ProvisionedWriteCapacityAutoScalingSettingsUpdate") is not None:
                scaling.index_write[update["IndexName"]] = _scaling_description(
                    emu,
                    update["ProvisionedWriteCapacityAutoScalingSettingsUpdate"],
                    scaling.index_write.get(update["IndexName"]),
                )
    for update in request.get("ReplicaSettingsUpdate") or []:
        region = update["RegionName"]
        table = present.get(region)
        if table is None:
            continue
        scaling = emu.replication.autoscaling.setdefault((region, group.name), TableAutoScaling())
        if update.get("ReplicaProvisionedReadCapacityUnits") is not None:
            table.provisioned_throughput = {
                **table.provisioned_throughput,
                "ReadCapacityUnits": update["ReplicaProvisionedReadCapacityUnits"],
            }
        if update.get("ReplicaProvisionedReadCapacityAutoScalingSettingsUpdate") is not None:
            scaling.read = _scaling_description(
                emu, update["ReplicaProvisionedReadCapacityAutoScalingSettingsUpdate"], scaling.read
            )
        for index_update in update.get("ReplicaGlobalSecondaryIndexSettingsUpdate") or []:
            index = table.gsis[index_update["IndexName"]]
            if index_update.get("ProvisionedReadCapacityUnits") is not None:
                index.provisioned_throughput = {
                    **(index.provisioned_throughput or {"WriteCapacityUnits": 0}),
                    "ReadCapacityUnits": index_update["ProvisionedReadCapacityUnits"],
                }
            if index_update.get("ProvisionedReadCapacityAutoScalingSettingsUpdate") is not None:
                scaling.index_read[index_update["IndexName"]] = _scaling_description(
                    emu,
                    index_update["ProvisionedReadCapacityAutoScalingSettingsUpdate"],
                    scaling.index_read.get(index_update["IndexName"]),
                )
        if update.get("ReplicaTableClass") is not None:
            table.table_class = update["ReplicaTableClass"]
    return {"GlobalTableName": group.name, "ReplicaSettings": _replica_settings(emu, group)}


def _scaling_updates(request: Request) -> list[dict[str, Any]]:
    """Every AutoScalingSettingsUpdate an UpdateGlobalTableSettings request holds."""
    found = [request.get("GlobalTableProvisionedWriteCapacityAutoScalingSettingsUpdate")]
    for update in request.get("GlobalTableGlobalSecondaryIndexSettingsUpdate") or []:
        found.append(update.get("ProvisionedWriteCapacityAutoScalingSettingsUpdate"))
    for update in request.get("ReplicaSettingsUpdate") or []:
        found.append(update.get("ReplicaProvisionedReadCapacityAutoScalingSettingsUpdate"))
        for index in update.get("ReplicaGlobalSecondaryIndexSettingsUpdate") or []:
            found.append(index.get("ProvisionedReadCapacityAutoScalingSettingsUpdate"))
    return [update for update in found if update is not None]


# --- replica auto scaling -----------------------------------------------------------------------------------


def _scaling_description(
    emu: EmulatorState, update: dict[str, Any], current: dict[str, Any] | None
) -> dict[str, Any]:
    """An ``AutoScalingSettingsDescription`` from an ``AutoScalingSettingsUpdate`` over the current one."""
    described: dict[str, Any] = dict(current or {})
    for member in ("MinimumUnits", "MaximumUnits", "AutoScalingDisabled", "AutoScalingRoleArn"):
        if update.get(member) is not None:
            described[member] = update[member]
    described.setdefault("AutoScalingDisabled", False)
    described.setdefault("AutoScalingRoleArn", _SCALING_ROLE.format(account=emu.account_id))
    minimum, maximum = described.get("MinimumUnits"), described.get("MaximumUnits")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise validation_error(M.AUTOSCALING_BOUNDS.format(minimum=minimum, maximum=maximum))
    policy = update.get("ScalingPolicyUpdate")
    if policy is not None:
        entry: dict[str, Any] = {}
        if policy.get("PolicyName") is not None:
            entry["PolicyName"] = policy["PolicyName"]
        entry["TargetTrackingScalingPolicyConfiguration"] = dict(
            policy["TargetTrackingScalingPolicyConfiguration"]
        )
        described["ScalingPolicies"] = [entry]
    return described


def _scaled_table(emu: EmulatorState, name: str) -> TableState:
    table = emu.tables.get(name)
    if table is None:
        raise ddb_error("ResourceNotFoundException", M.TABLE_NOT_FOUND.format(name=name))
    return table


def _regions_of(emu: EmulatorState, table: TableState) -> list[str]:
    group = emu.replication.group_of(table.name, emu.region)
    return list(group.replicas) if group is not None else [emu.region]


def _auto_scaling_description(emu: EmulatorState, table: TableState) -> dict[str, Any]:
    group = emu.replication.group_of(table.name, emu.region)
    replicas: list[dict[str, Any]] = []
    for region in _regions_of(emu, table):
        here = _table_in(emu, region, table.name) or table
        scaling = emu.replication.autoscaling.get((region, table.name)) or TableAutoScaling()
        entry: dict[str, Any] = {"RegionName": region}
        indexes = []
        for name, index in here.gsis.items():
            described: dict[str, Any] = {"IndexName": name, "IndexStatus": index.status}
            if name in scaling.index_read:
                described["ProvisionedReadCapacityAutoScalingSettings"] = dict(scaling.index_read[name])
            if name in scaling.index_write:
                described["ProvisionedWriteCapacityAutoScalingSettings"] = dict(scaling.index_write[name])
            indexes.append(described)
        if indexes:
            entry["GlobalSecondaryIndexes"] = indexes
        if scaling.read is not None:
            entry["ReplicaProvisionedReadCapacityAutoScalingSettings"] = dict(scaling.read)
        if scaling.write is not None:
            entry["ReplicaProvisionedWriteCapacityAutoScalingSettings"] = dict(scaling.write)
        entry["ReplicaStatus"] = group.replicas[region].status if group is not None else "ACTIVE"
        replicas.append(entry)
    return {"TableName": table.name, "TableStatus": table.status, "Replicas": replicas}


@operation("DescribeTableReplicaAutoScaling", read_only=True)
def describe_table_replica_auto_scaling(emu: EmulatorState, request: Request) -> Response:
    """The auto scaling settings of the table and each of its replicas (recorded settings)."""
    table = _scaled_table(emu, request["TableName"])
    return {"TableAutoScalingDescription": _auto_scaling_description(emu, table)}


@operation("UpdateTableReplicaAutoScaling")
def update_table_replica_auto_scaling(emu: EmulatorState, request: Request) -> Response:
    """Record auto scaling: write capacity for every replica, read capacity per replica; GSIs likewise."""
    table = _scaled_table(emu, request["TableName"])
    if table.billing_mode != "PROVISIONED":
        raise validation_error(M.AUTOSCALING_PROVISIONED_ONLY.format(name=table.name))
    regions = _regions_of(emu, table)
    for update in request.get("GlobalSecondaryIndexUpdates") or []:
        if update.get("IndexName") not in table.gsis:  # optional in the model: a missing one is no index
            raise validation_error(
                M.REPLICA_INDEX_NOT_FOUND.format(index=update.get("IndexName"), name=table.name)
            )
    for update in request.get("ReplicaUpdates") or []:
        if update["RegionName"] not in regions:
            raise validation_error(
                M.REPLICA_NOT_IN_GROUP.format(region=update["RegionName"], name=table.name)
            )
        for index in update.get("ReplicaGlobalSecondaryIndexUpdates") or []:
            if index.get("IndexName") not in table.gsis:
                raise validation_error(
                    M.REPLICA_INDEX_NOT_FOUND.format(index=index.get("IndexName"), name=table.name)
                )
    autoscaling = emu.replication.autoscaling
    current = {
        region: copy.deepcopy(autoscaling.get((region, table.name))) or TableAutoScaling()
        for region in regions
    }
    write = request.get("ProvisionedWriteCapacityAutoScalingUpdate")
    for scaling in current.values():  # computed first: a bad update changes nothing
        if write is not None:
            scaling.write = _scaling_description(emu, write, scaling.write)
        for update in request.get("GlobalSecondaryIndexUpdates") or []:
            index_write = update.get("ProvisionedWriteCapacityAutoScalingUpdate")
            if index_write is not None:
                name = update["IndexName"]
                scaling.index_write[name] = _scaling_description(
                    emu, index_write, scaling.index_write.get(name)
                )
    for update in request.get("ReplicaUpdates") or []:
        scaling = current[update["RegionName"]]
        read = update.get("ReplicaProvisionedReadCapacityAutoScalingUpdate")
        if read is not None:
            scaling.read = _scaling_description(emu, read, scaling.read)
        for index in update.get("ReplicaGlobalSecondaryIndexUpdates") or []:
            index_read = index.get("ProvisionedReadCapacityAutoScalingUpdate")
            if index_read is not None:
                name = index["IndexName"]
                scaling.index_read[name] = _scaling_description(emu, index_read, scaling.index_read.get(name))
    for region, scaling in current.items():
        autoscaling[(region, table.name)] = scaling
    return {"TableAutoScalingDescription": _auto_scaling_description(emu, table)}
