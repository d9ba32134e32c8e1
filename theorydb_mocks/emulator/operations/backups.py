"""Backups and point-in-time recovery: CreateBackup, DescribeBackup, ListBackups, DeleteBackup,
RestoreTableFromBackup, UpdateContinuousBackups, DescribeContinuousBackups, RestoreTableToPointInTime.

A backup is a place in the table's change history (``backups``, ``history``): taking one copies no item.
A restore creates a new table through CreateTable's own checks, from the backup's description (or, for a
point-in-time restore, the source table's current settings, as the service takes them), with the request's
overrides applied, then loads the items as they were. The new table has no stream, TTL, tags or
point-in-time recovery (the service restores none of them), shows ``RestoreSummary``, and costs no
capacity. The answer shows the table ``CREATING`` with ``RestoreInProgress`` true, as the service's does;
the restore is complete already (DescribeTable shows it ``ACTIVE``).

DynamoDB Local 3.3.0 implements none of these operations: the behaviour follows the API reference and the
developer guide (docs/emulator.md, "Backups and point-in-time recovery").

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableToPointInTime.html
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.backups import backup_sort_key
from theorydb_mocks.emulator.bulk_load import BulkLoad
from theorydb_mocks.emulator.catalog import timestamp
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error, validation_error
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.operations.tables import create_table

if TYPE_CHECKING:
    from collections.abc import Iterable

    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Item, Request, Response
    from theorydb_mocks.emulator.backups import Backup
    from theorydb_mocks.emulator.catalog import TableState

__all__ = [
    "create_backup",
    "delete_backup",
    "describe_backup",
    "describe_continuous_backups",
    "list_backups",
    "restore_table_from_backup",
    "restore_table_to_point_in_time",
    "update_continuous_backups",
]

LIST_BACKUPS_DEFAULT_LIMIT = 100
_GSI_MEMBERS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
_VECTOR_MEMBERS = (
    "IndexName",
    "VectorAttribute",
    "SearchSchema",
    "Projection",
    "Dimensions",
    "DistanceFunction",
)


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


def _source_table(emu: EmulatorState, name_or_arn: str) -> TableState:
    """The table a backup or recovery call names (name or ARN); TableNotFoundException otherwise."""
    try:
        return emu.get_table(name_or_arn)
    except DynamoDBError:
        raise ddb_error("TableNotFoundException", M.BACKUP_TABLE_NOT_FOUND.format(name=name_or_arn)) from None


# --- backups ---------------------------------------------------------------------------------------


def _details(backup: Backup, status: str) -> dict[str, Any]:
    details: dict[str, Any] = {
        "BackupArn": backup.arn,
        "BackupName": backup.name,
        "BackupSizeBytes": backup.size_bytes,
        "BackupStatus": status,
        "BackupType": backup.backup_type,
        "BackupCreationDateTime": timestamp(backup.created),
    }
    if backup.expires is not None:
        details["BackupExpiryDateTime"] = timestamp(backup.expires)
    return details


def _description(backup: Backup, status: str = "AVAILABLE") -> dict[str, Any]:
    """DescribeBackup's ``BackupDescription``."""
    source = backup.source
    billing = source.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    throughput = source.get("ProvisionedThroughput", {})
    table: dict[str, Any] = {
        "TableName": source["TableName"],
        "TableId": source["TableId"],
        "TableArn": source["TableArn"],
        "TableSizeBytes": backup.size_bytes,
        "KeySchema": source["KeySchema"],
        "TableCreationDateTime": source["CreationDateTime"],
        "ProvisionedThroughput": {
            "ReadCapacityUnits": throughput.get("ReadCapacityUnits", 0),
            "WriteCapacityUnits": throughput.get("WriteCapacityUnits", 0),
        },
    }
    if source.get("OnDemandThroughput"):
        table["OnDemandThroughput"] = source["OnDemandThroughput"]
    table["ItemCount"] = backup.item_count
    table["BillingMode"] = billing
    features: dict[str, Any] = {}
    if source.get("LocalSecondaryIndexes"):
        features["LocalSecondaryIndexes"] = [
            {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
            for index in source["LocalSecondaryIndexes"]
        ]
    if source.get("GlobalSecondaryIndexes"):
        features["GlobalSecondaryIndexes"] = [
            {k: index[k] for k in _GSI_MEMBERS if k in index} for index in source["GlobalSecondaryIndexes"]
        ]
    if source.get("StreamSpecification"):
        features["StreamDescription"] = source["StreamSpecification"]
    if backup.time_to_live:
        features["TimeToLiveDescription"] = backup.time_to_live
    if source.get("SSEDescription"):
        features["SSEDescription"] = source["SSEDescription"]
    if source.get("VectorIndexes"):
        features["VectorIndexes"] = source["VectorIndexes"]
    description: dict[str, Any] = {"BackupDetails": _details(backup, status), "SourceTableDetails": table}
    if features:
        description["SourceTableFeatureDetails"] = features
    return description


@operation("CreateBackup")
def create_backup(emu: EmulatorState, request: Request) -> Response:
    """Back a table up: O(indexes), no item copied (the answer shows it CREATING, as the service's does;
    it is AVAILABLE at once)."""
    table = _source_table(emu, request["TableName"])
    if table.status != "ACTIVE":
        raise ddb_error("TableInUseException", M.BACKUP_TABLE_IN_USE.format(name=table.name))
    backup = emu.backups.create(table, request["BackupName"])
    return {"BackupDetails": _details(backup, "CREATING")}


@operation("DescribeBackup", read_only=True)
def describe_backup(emu: EmulatorState, request: Request) -> Response:
    return {"BackupDescription": _description(emu.backups.get(request["BackupArn"]))}


@operation("DeleteBackup")
def delete_backup(emu: EmulatorState, request: Request) -> Response:
    """Delete a backup; the answer describes it ``DELETED``. History nothing else needs is dropped."""
    return {"BackupDescription": _description(emu.backups.delete(request["BackupArn"]), "DELETED")}


@operation("ListBackups", read_only=True)
def list_backups(emu: EmulatorState, request: Request) -> Response:
    """Backups oldest first, filtered by table, creation time (lower bound inclusive, upper exclusive)
    and type (USER unless asked), a page of ``Limit`` at a time. Runtime: O(backups)."""
    wanted_type = request.get("BackupType") or "USER"
    table_name = request.get("TableName")
    if table_name is not None and table_name.startswith("arn:"):
        table_name = table_name.rsplit("/", 1)[-1] if ":table/" in table_name else table_name
    lower = request.get("TimeRangeLowerBound")
    upper = request.get("TimeRangeUpperBound")
    low = None if lower is None else _epoch(lower)
    high = None if upper is None else _epoch(upper)
    start = request.get("ExclusiveStartBackupArn")
    start_key = None if start is None else backup_sort_key(start)
    limit = request.get("Limit") or LIST_BACKUPS_DEFAULT_LIMIT
    found: list[Backup] = []
    more = False
    for backup in emu.backups.listing():
        if start_key is not None and backup_sort_key(backup.arn) <= start_key:
            continue
        if wanted_type != "ALL" and backup.backup_type != wanted_type:
            continue
        if table_name is not None and backup.table_name != table_name:
            continue
        if low is not None and backup.created < low:
            continue
        if high is not None and backup.created >= high:
            continue
        if len(found) == limit:
            more = True
            break
        found.append(backup)
    summaries = []
    for backup in found:
        summary: dict[str, Any] = {
            "TableName": backup.table_name,
            "TableId": backup.source["TableId"],
            "TableArn": backup.table_arn,
            "BackupArn": backup.arn,
            "BackupName": backup.name,
            "BackupCreationDateTime": timestamp(backup.created),
        }
        if backup.expires is not None:
            summary["BackupExpiryDateTime"] = timestamp(backup.expires)
        summary["BackupStatus"] = "AVAILABLE"
        summary["BackupType"] = backup.backup_type
        summary["BackupSizeBytes"] = backup.size_bytes
        summaries.append(summary)
    response: Response = {"BackupSummaries": summaries}
    if more:
        response["LastEvaluatedBackupArn"] = found[-1].arn
    return response


# --- restores --------------------------------------------------------------------------------------


def _create_request(source: dict[str, Any], target: str, request: Request) -> dict[str, Any]:
    """The CreateTable request that makes the restored table: the source's schema and settings with the
    request's overrides (CreateTable then checks the result as it checks any new table)."""
    source_billing = source.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    billing = request.get("BillingModeOverride") or source_billing
    throughput = request.get("ProvisionedThroughputOverride")
    if billing == "PAY_PER_REQUEST" and throughput is not None:
        raise validation_error(M.RESTORE_PPR_WITH_THROUGHPUT)
    if billing == "PROVISIONED" and throughput is None:
        if source_billing != "PROVISIONED":
            raise validation_error(M.RESTORE_PROVISIONED_NEEDS_THROUGHPUT)
        described = source.get("ProvisionedThroughput", {})
        throughput = {k: described[k] for k in ("ReadCapacityUnits", "WriteCapacityUnits")}
    create: dict[str, Any] = {"TableName": target, "BillingMode": billing}
    if billing == "PROVISIONED" and throughput is not None:
        create["ProvisionedThroughput"] = dict(throughput)

    if request.get("GlobalSecondaryIndexOverride") is not None:
        gsis = [dict(index) for index in request["GlobalSecondaryIndexOverride"]]
    else:
        gsis = [
            {k: index[k] for k in _GSI_MEMBERS if k in index}
            for index in source.get("GlobalSecondaryIndexes", [])
        ]
    for gsi in gsis:
        if billing == "PAY_PER_REQUEST":
            gsi.pop("ProvisionedThroughput", None)
        elif source_billing != "PROVISIONED" and "ProvisionedThroughput" not in gsi:
            gsi["ProvisionedThroughput"] = dict(create["ProvisionedThroughput"])
        elif "ProvisionedThroughput" in gsi:
            gsi["ProvisionedThroughput"] = {
                k: gsi["ProvisionedThroughput"][k] for k in ("ReadCapacityUnits", "WriteCapacityUnits")
            }
    if request.get("LocalSecondaryIndexOverride") is not None:
        lsis = [dict(index) for index in request["LocalSecondaryIndexOverride"]]
    else:
        lsis = [
            {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
            for index in source.get("LocalSecondaryIndexes", [])
        ]
    if request.get("VectorIndexOverride") is not None:
        vectors = [dict(index) for index in request["VectorIndexOverride"]]
    else:
        vectors = [
            {k: index[k] for k in _VECTOR_MEMBERS if k in index} for index in source.get("VectorIndexes", [])
        ]

    used = {element["AttributeName"] for element in source["KeySchema"]}
    for index in (*gsis, *lsis):
        used.update(element["AttributeName"] for element in index.get("KeySchema", ()))
    for vector in vectors:
        used.update(element["AttributeName"] for element in vector.get("SearchSchema", ()))
    create["KeySchema"] = source["KeySchema"]
    create["AttributeDefinitions"] = [d for d in source["AttributeDefinitions"] if d["AttributeName"] in used]
    if gsis:
        create["GlobalSecondaryIndexes"] = gsis
    if lsis:
        create["LocalSecondaryIndexes"] = lsis
    if vectors:
        create["VectorIndexes"] = vectors
    sse = request.get("SSESpecificationOverride")
    if sse is not None:
        create["SSESpecification"] = dict(sse)
    elif source.get("SSEDescription", {}).get("Status") == "ENABLED":
        create["SSESpecification"] = {
            "Enabled": True,
            "SSEType": "KMS",
            "KMSMasterKeyId": source["SSEDescription"].get("KMSMasterKeyArn"),
        }
    if request.get("OnDemandThroughputOverride") is not None:
        create["OnDemandThroughput"] = dict(request["OnDemandThroughputOverride"])
    elif source.get("OnDemandThroughput") and billing == "PAY_PER_REQUEST":
        create["OnDemandThroughput"] = dict(source["OnDemandThroughput"])
    table_class = source.get("TableClassSummary", {}).get("TableClass")
    if table_class:
        create["TableClass"] = table_class
    return create


def _restore(
    emu: EmulatorState,
    source: dict[str, Any],
    request: Request,
    items: Iterable[tuple[Item, int | None]],
    summary: dict[str, Any],
) -> Response:
    """Create the target table and load ``items`` into it: O(items). Costs no capacity."""
    target = request["TargetTableName"]
    if target in emu.tables:
        raise ddb_error("TableAlreadyExistsException", M.BACKUP_TARGET_EXISTS.format(name=target))
    create = _create_request(source, target, request)
    create_table(emu, create)
    table = emu.tables[target]
    with BulkLoad(table) as loader:  # each partition sorted once (``bulk_load``): valid in the source
        for item, size in items:
            loader.add(item, size, checked=True)
        loader.finish()
    table.status = "CREATING"
    table.restore_summary = {**summary, "RestoreInProgress": True}
    description = table.description()
    table.status = "ACTIVE"
    table.restore_summary = {**summary, "RestoreInProgress": False}
    return {"TableDescription": description}


@operation("RestoreTableFromBackup")
def restore_table_from_backup(emu: EmulatorState, request: Request) -> Response:
    """Restore a backup into a new table. Runtime: O(items + changes since the backup)."""
    backup = emu.backups.get(request["BackupArn"])
    if request["TargetTableName"] in emu.tables:
        raise ddb_error(
            "TableAlreadyExistsException", M.BACKUP_TARGET_EXISTS.format(name=request["TargetTableName"])
        )
    summary = {
        "SourceBackupArn": backup.arn,
        "SourceTableArn": backup.table_arn,
        "RestoreDateTime": timestamp(backup.created),
    }
    return _restore(emu, backup.source, request, emu.backups.items(backup), summary)


# --- point-in-time recovery -------------------------------------------------------------------------


def _continuous_backups(emu: EmulatorState, table: TableState) -> dict[str, Any]:
    recovery = emu.history.recovery_of(table)
    pitr: dict[str, Any]
    if recovery is None:
        pitr = {"PointInTimeRecoveryStatus": "DISABLED"}
    else:
        window = emu.history.window(table.name)
        assert window is not None
        earliest, latest = window
        pitr = {
            "PointInTimeRecoveryStatus": "ENABLED",
            "RecoveryPeriodInDays": recovery.days,
            "EarliestRestorableDateTime": timestamp(earliest),
            "LatestRestorableDateTime": timestamp(latest),
        }
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": pitr}


@operation("UpdateContinuousBackups")
def update_continuous_backups(emu: EmulatorState, request: Request) -> Response:
    """Switch point-in-time recovery on (a new window starts) or off (its history is dropped), or change
    ``RecoveryPeriodInDays`` (1 to 35, default 35)."""
    table = _source_table(emu, request["TableName"])
    if table.status != "ACTIVE":
        raise ddb_error("ContinuousBackupsUnavailableException", M.CONTINUOUS_BACKUPS_UNAVAILABLE)
    spec = request["PointInTimeRecoverySpecification"]
    enabled = spec.get("PointInTimeRecoveryEnabled")
    days = spec.get("RecoveryPeriodInDays")
    if enabled is None:
        raise validation_error(M.PITR_ENABLED_REQUIRED)
    if enabled:
        emu.history.enable(table.name, days)
    else:
        if days is not None:
            raise validation_error(M.PITR_DISABLED_WITH_PERIOD)
        emu.history.disable(table.name)
    return {"ContinuousBackupsDescription": _continuous_backups(emu, table)}


@operation("DescribeContinuousBackups", read_only=True)
def describe_continuous_backups(emu: EmulatorState, request: Request) -> Response:
    table = _source_table(emu, request["TableName"])
    return {"ContinuousBackupsDescription": _continuous_backups(emu, table)}


@operation("RestoreTableToPointInTime")
def restore_table_to_point_in_time(emu: EmulatorState, request: Request) -> Response:
    """Restore a table as it was at ``RestoreDateTime`` (or the latest restorable time) into a new table,
    with the source's current settings. Runtime: O(items + changes since that time)."""
    arn, name = request.get("SourceTableArn"), request.get("SourceTableName")
    if (arn is None) == (name is None):
        raise validation_error(M.RESTORE_SOURCE_ONE)
    given, latest = request.get("RestoreDateTime"), request.get("UseLatestRestorableTime")
    if given is not None and latest:
        raise validation_error(M.RESTORE_TIME_OR_LATEST)
    if given is None and not latest:
        raise validation_error(M.RESTORE_NO_TIME)
    table = _source_table(emu, str(arn if arn is not None else name))
    window = emu.history.window(table.name)
    if window is None:
        raise ddb_error("PointInTimeRecoveryUnavailableException", M.PITR_NOT_ENABLED.format(name=table.name))
    when = window[1] if latest else _epoch(given)
    if request["TargetTableName"] in emu.tables:
        raise ddb_error(
            "TableAlreadyExistsException", M.BACKUP_TARGET_EXISTS.format(name=request["TargetTableName"])
        )
    emu.history.check_restorable(table.name, when)
    description = table.description()
    items = emu.history.sized_items_at(table.table_id, when=when)
    summary = {"SourceTableArn": table.arn, "RestoreDateTime": timestamp(when)}
    return _restore(emu, description, request, items, summary)
