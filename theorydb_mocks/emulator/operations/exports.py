"""ExportTableToPointInTime, DescribeExport and ListExports: a table's items written to the local S3.

An export writes the files DynamoDB writes (``transfer.export_files``) into ``emu.s3``: a full export the
table's items at ``ExportTime`` (now by default), an incremental export the changes between
``ExportFromTime`` and ``ExportToTime`` (one record per changed item, compacted to its final state, as the
service does). A full export's ``FilterSpecification`` keeps the items its key condition and filter match,
projected by its ProjectionExpression. As on the service the table needs point-in-time recovery
(``PointInTimeRecoveryUnavailableException`` otherwise) and the export time must lie in its window. The
export shows ``IN_PROGRESS`` until ``emu.transfers.duration`` has passed (0 by default), then ``COMPLETED``,
and its manifests are written then.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExportTableToPointInTime.html

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> arn = emu.dispatch("CreateTable", {"TableName": "things", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})["TableDescription"]["TableArn"]
>>> _ = emu.dispatch("PutItem", {"TableName": "things", "Item": {"pk": {"S": "a"}}})
>>> _ = enable_pitr(emu, "things")
>>> export = emu.dispatch("ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "backups"})
>>> export["ExportDescription"]["ExportStatus"], export["ExportDescription"]["ItemCount"]
('COMPLETED', 1)
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.catalog import timestamp
from theorydb_mocks.emulator.errors import ddb_error, validation_error
from theorydb_mocks.emulator.operations._exprs import compile_request
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.transfer import ion
from theorydb_mocks.emulator.transfer.export_files import (
    ExportFiles,
    dynamodb_json_line,
    export_root,
    iso_time,
)
from theorydb_mocks.emulator.transfer.jobs import Job, list_page
from theorydb_mocks.emulator.transfer.s3 import S3KeyError
from theorydb_mocks.emulator.values import item_size

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request, Response
    from theorydb_mocks.emulator.catalog import TableState

__all__ = [
    "describe_export",
    "enable_pitr",
    "export_description",
    "export_table_to_point_in_time",
    "items_at",
    "list_exports",
    "pitr_window",
]

MIN_INCREMENTAL_SECONDS = 15 * 60
MAX_INCREMENTAL_SECONDS = 24 * 60 * 60
LIST_EXPORTS_DEFAULT = 25
FULL_SUMMARY_VERSION = "2020-06-30"
INCREMENTAL_SUMMARY_VERSION = "2023-08-01"


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


def _table_of(emu: EmulatorState, arn: str) -> TableState:
    prefix = f"arn:aws:dynamodb:{emu.region}:{emu.account_id}:table/"
    name = arn[len(prefix) :] if arn.startswith(prefix) else None
    if name is None and not arn.startswith("arn:"):
        name = arn  # a bare name: the service wants an ARN; the emulator names the table it found
    table = emu.tables.get(name) if name else None
    if table is None:
        raise ddb_error("TableNotFoundException", M.EXPORT_TABLE_NOT_FOUND.format(name=name or arn))
    return table


def pitr_window(emu: EmulatorState, table: TableState, now: float) -> tuple[float, float] | None:
    """The table's point-in-time recovery window (earliest, latest restorable time) at ``now``, or ``None``
    when recovery is off (``history.window``; the latest is never before ``now``: an export of the present
    is always in the window)."""
    window = emu.history.window(table.name)
    if window is None:
        return None
    earliest, latest = window
    return earliest, max(latest, now)


def enable_pitr(emu: EmulatorState, table_name: str) -> None:
    """Switch point-in-time recovery on for a table (UpdateContinuousBackups): exports need it, as on the
    service. A shorthand for examples and tests."""
    emu.dispatch(
        "UpdateContinuousBackups",
        {"TableName": table_name, "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}},
    )


def items_at(emu: EmulatorState, table: TableState, at: float) -> Iterable[dict[str, Any]]:
    """The table's items at time ``at``: now, the live items (streamed without a copy); a past time, from
    its point-in-time recovery history (``history.image_at``)."""
    if at >= emu.clock.now():
        return table.store.items()
    return emu.history.image_at(table.name, at)[1]


# --- ExportTableToPointInTime ----------------------------------------------------------------------------


def _fingerprint(request: Request) -> str:
    return json.dumps({k: v for k, v in request.items() if k != "ClientToken"}, sort_keys=True, default=str)


@operation("ExportTableToPointInTime")
def export_table_to_point_in_time(emu: EmulatorState, request: Request) -> Response:
    """Start an export (its files written at once; see the module docstring). Runtime: O(items)."""
    table = _table_of(emu, request["TableArn"])
    token = request.get("ClientToken")
    if token is not None:
        found = emu.transfers.by_token("export", token)
        if found is not None:
            if found.details["fingerprint"] != _fingerprint(request):
                raise ddb_error("ExportConflictException", M.EXPORT_TOKEN_CONFLICT.format(token=token))
            return {"ExportDescription": export_description(found)}
    export_type = request.get("ExportType") or "FULL_EXPORT"
    spec = request.get("IncrementalExportSpecification")
    now = emu.clock.now()
    if export_type == "INCREMENTAL_EXPORT":
        if spec is None:
            raise validation_error(M.INCREMENTAL_SPEC_REQUIRED)
        if request.get("ExportTime") is not None:
            raise validation_error(M.INCREMENTAL_EXPORT_TIME)
    elif spec is not None:
        raise validation_error(M.INCREMENTAL_SPEC_NOT_ALLOWED)
    window = pitr_window(emu, table, now)
    if window is None:
        raise ddb_error("PointInTimeRecoveryUnavailableException", M.PITR_NOT_ENABLED.format(name=table.name))
    earliest, _latest = window
    export_time: float | None = None
    from_time = to_time = None
    if export_type == "FULL_EXPORT":
        export_time = now if request.get("ExportTime") is None else _epoch(request["ExportTime"])
        _check_time(export_time, earliest, now)
    else:
        assert spec is not None
        if spec.get("ExportFromTime") is None:
            raise validation_error(M.INCREMENTAL_TIMES_REQUIRED)
        from_time = _epoch(spec["ExportFromTime"])
        to_time = now if spec.get("ExportToTime") is None else _epoch(spec["ExportToTime"])
        period = to_time - from_time
        if not MIN_INCREMENTAL_SECONDS <= period <= MAX_INCREMENTAL_SECONDS:
            raise validation_error(M.INCREMENTAL_PERIOD)
        _check_time(from_time, earliest, now)
        _check_time(to_time, earliest, now)

    export_id = emu.transfers.new_id(now, emu.region)
    arn = f"{table.arn}/export/{export_id}"
    export_format = request.get("ExportFormat") or "DYNAMODB_JSON"
    bucket = request["S3Bucket"]
    prefix = request.get("S3Prefix")
    details: dict[str, Any] = {
        "TableArn": table.arn,
        "TableId": table.table_id,
        "ClientToken": token if token is not None else str(uuid.uuid4()),
        "S3Bucket": bucket,
        "S3BucketOwner": request.get("S3BucketOwner"),
        "S3Prefix": prefix,
        "S3SseAlgorithm": request.get("S3SseAlgorithm") or "AES256",
        "S3SseKmsKeyId": request.get("S3SseKmsKeyId"),
        "ExportFormat": export_format,
        "ExportType": export_type,
        "ExportTime": export_time,
        "fingerprint": _fingerprint(request),
    }
    if spec is not None:
        details["IncrementalExportSpecification"] = {
            "ExportFromTime": from_time,
            "ExportToTime": to_time,
            "ExportViewType": spec.get("ExportViewType") or "NEW_AND_OLD_IMAGES",
        }
    if request.get("FilterSpecification") is not None:
        details["FilterSpecification"] = request["FilterSpecification"]
    selection = _selection(request.get("FilterSpecification"))
    job = Job(arn, "export", now, details=details, finish=_write_manifests)
    files = ExportFiles(emu.s3, bucket, export_root(prefix, export_id), export_format)
    details["files"] = files
    if export_type == "FULL_EXPORT":  # the states are found (or refused) before any file is written
        assert export_time is not None
        present = export_time >= now
        items = table.store.items() if present else items_at(emu, table, export_time)
    else:
        assert from_time is not None and to_time is not None
        view = details["IncrementalExportSpecification"]["ExportViewType"]
        states = (items_at(emu, table, from_time), items_at(emu, table, to_time))
    try:
        files.start()
        if export_type == "FULL_EXPORT":
            if selection is None and present:
                files.write_sized(table.store.scan_sized())
            else:
                files.write_items(items if selection is None else selection(items))
        else:
            assert to_time is not None
            files.write_lines(_change_lines(table, states, to_time, view, export_format))
    except (OSError, S3KeyError) as exc:
        job.fail("S3AccessDenied", M.S3_WRITE_FAILED.format(bucket=bucket, reason=exc))
    emu.transfers.start(job)
    return {"ExportDescription": export_description(job)}


def _selection(
    spec: dict[str, Any] | None,
) -> Callable[[Iterable[dict[str, Any]]], Iterator[dict[str, Any]]] | None:
    """A ``FilterSpecification`` as a filter over items: its KeyConditionExpression and FilterExpression
    both hold (a key condition is a condition over the key attributes), then its ProjectionExpression.
    Errors in the expressions are the service's ValidationExceptions, raised before anything is written."""
    if not spec:
        return None
    texts = [f"({spec[m]})" for m in ("KeyConditionExpression", "FilterExpression") if spec.get(m)]
    request = {
        "FilterExpression": " AND ".join(texts) if texts else None,
        "ProjectionExpression": spec.get("ProjectionExpression"),
        "ExpressionAttributeNames": spec.get("ExpressionAttributeNames"),
        "ExpressionAttributeValues": spec.get("ExpressionAttributeValues"),
    }
    compiled = compile_request(
        {k: v for k, v in request.items() if v is not None}, ("FilterExpression", "ProjectionExpression")
    )
    if compiled is None:
        return None
    condition, projection = compiled.filter, compiled.projection

    def select(items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for item in items:
            if condition is None or condition.evaluate(item):
                yield item if projection is None else projection.apply(item)

    return select


def _check_time(at: float, earliest: float, now: float) -> None:
    if at > now:
        raise ddb_error("InvalidExportTimeException", M.EXPORT_TIME_IN_FUTURE.format(time=iso_time(at)))
    if at < earliest:
        raise ddb_error(
            "InvalidExportTimeException",
            M.EXPORT_TIME_TOO_EARLY.format(time=iso_time(at), earliest=iso_time(earliest)),
        )


def _change_lines(
    table: TableState,
    states: tuple[Iterable[dict[str, Any]], Iterable[dict[str, Any]]],
    end: float,
    view: str,
    export_format: str,
) -> Iterator[tuple[str, int]]:
    """An incremental export's records: each item that differs between the two states, once."""
    key_names = table.key.names
    before: dict[Any, dict[str, Any]] = {}
    for item in states[0]:
        before[table.store.position(item)] = item
    micros = {"N": str(int(end * 1_000_000))}
    for item in states[1]:
        pos = table.store.position(item)
        old = before.pop(pos, None)
        if old == item:
            continue
        yield _change_record(item, old, key_names, view, micros, export_format)
    for old in before.values():
        yield _change_record(None, old, key_names, view, micros, export_format)


def _change_record(
    new: dict[str, Any] | None,
    old: dict[str, Any] | None,
    key_names: tuple[str, ...],
    view: str,
    micros: dict[str, str],
    export_format: str,
) -> tuple[str, int]:
    source = new if new is not None else old
    assert source is not None
    keys = {name: source[name] for name in key_names if name in source}
    old_image = old if view == "NEW_AND_OLD_IMAGES" else None
    size = item_size(new) if new is not None else item_size(keys)
    if export_format == "ION":
        members: dict[str, dict[str, Any] | None] = {
            "Metadata": {"WriteTimestampMicros": micros},
            "Keys": keys,
            "NewImage": new,
            "OldImage": old_image,
        }
        return ion.record_line(members), size
    record: dict[str, Any] = {"Metadata": {"WriteTimestampMicros": micros}, "Keys": keys}
    if new is not None:
        record["NewImage"] = new
    if old_image is not None:
        record["OldImage"] = old_image
    return dynamodb_json_line(record), size


def _write_manifests(job: Job) -> None:
    """The export's last step (when its delay has passed): the manifests, naming its end time."""
    if job.outcome == "FAILED":
        return
    details = job.details
    files: ExportFiles = details["files"]
    end = job.end if job.end is not None else job.start
    summary: dict[str, Any] = {
        "exportArn": job.arn,
        "startTime": iso_time(job.start),
        "endTime": iso_time(end),
        "tableArn": details["TableArn"],
        "tableId": details["TableId"],
        "s3Bucket": details["S3Bucket"],
        "s3Prefix": details["S3Prefix"],
        "s3SseAlgorithm": details["S3SseAlgorithm"],
        "s3SseKmsKeyId": details["S3SseKmsKeyId"],
    }
    if details["ExportType"] == "FULL_EXPORT":
        summary["version"] = FULL_SUMMARY_VERSION
        summary["exportTime"] = iso_time(details["ExportTime"])
    else:
        spec = details["IncrementalExportSpecification"]
        summary["version"] = INCREMENTAL_SUMMARY_VERSION
        summary["exportFromTime"] = iso_time(spec["ExportFromTime"])
        summary["exportToTime"] = iso_time(spec["ExportToTime"])
        summary["outputView"] = spec["ExportViewType"]
        summary["exportType"] = "INCREMENTAL_EXPORT"
    try:
        files.write_manifests(summary)
    except (OSError, S3KeyError) as exc:
        job.fail("S3AccessDenied", M.S3_WRITE_FAILED.format(bucket=details["S3Bucket"], reason=exc))


def export_description(job: Job) -> dict[str, Any]:
    """The ``ExportDescription`` of an export, in the model's member order."""
    details = job.details
    files: ExportFiles = details["files"]
    desc: dict[str, Any] = {"ExportArn": job.arn, "ExportStatus": job.status}
    desc["StartTime"] = timestamp(job.start)
    if job.status != "IN_PROGRESS" and job.end is not None:
        desc["EndTime"] = timestamp(job.end)
    if job.status == "COMPLETED":
        desc["ExportManifest"] = files.manifest_key
    desc["TableArn"] = details["TableArn"]
    desc["TableId"] = details["TableId"]
    if details["ExportTime"] is not None:
        desc["ExportTime"] = timestamp(details["ExportTime"])
    desc["ClientToken"] = details["ClientToken"]
    desc["S3Bucket"] = details["S3Bucket"]
    for name in ("S3BucketOwner", "S3Prefix", "S3SseAlgorithm", "S3SseKmsKeyId"):
        if details[name] is not None:
            desc[name] = details[name]
    if job.status == "FAILED":
        desc["FailureCode"] = job.failure_code
        desc["FailureMessage"] = job.failure_message
    desc["ExportFormat"] = details["ExportFormat"]
    if job.status == "COMPLETED":
        desc["BilledSizeBytes"] = files.billed_size_bytes
        desc["ItemCount"] = files.item_count
    desc["ExportType"] = details["ExportType"]
    spec = details.get("IncrementalExportSpecification")
    if spec is not None:
        desc["IncrementalExportSpecification"] = {
            "ExportFromTime": timestamp(spec["ExportFromTime"]),
            "ExportToTime": timestamp(spec["ExportToTime"]),
            "ExportViewType": spec["ExportViewType"],
        }
    if details.get("FilterSpecification") is not None:
        desc["FilterSpecification"] = details["FilterSpecification"]
    return desc


@operation("DescribeExport", read_only=True)
def describe_export(emu: EmulatorState, request: Request) -> Response:
    """An export's description. Runtime: O(1)."""
    job = emu.transfers.find("export", request["ExportArn"])
    if job is None:
        raise ddb_error("ExportNotFoundException", M.EXPORT_NOT_FOUND.format(arn=request["ExportArn"]))
    return {"ExportDescription": export_description(job)}


@operation("ListExports", read_only=True)
def list_exports(emu: EmulatorState, request: Request) -> Response:
    """The exports (of one table, with ``TableArn``), newest first, a page at a time. Runtime: O(exports)."""
    emu.transfers.settle()
    table_arn = request.get("TableArn")
    jobs = [
        job
        for job in reversed(emu.transfers.jobs["export"].values())
        if table_arn is None or job.details["TableArn"] == table_arn
    ]
    page, token = list_page(jobs, request.get("MaxResults") or LIST_EXPORTS_DEFAULT, request.get("NextToken"))
    response: dict[str, Any] = {
        "ExportSummaries": [
            {"ExportArn": job.arn, "ExportStatus": job.status, "ExportType": job.details["ExportType"]}
            for job in page
        ]
    }
    if token is not None:
        response["NextToken"] = token
    return response
