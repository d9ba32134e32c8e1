"""StartBulkPutItems, DescribeBulkOperation, ListBulkOperations and CancelBulkOperation.

A bulk put reads items from objects in the local S3 (``InputS3Configuration``: DynamoDB JSON or Ion,
compressed or not, read by ``transfer.import_files``) and puts them into an existing table, overwriting
items with the same key. A line may carry a PutItem condition beside its ``Item``
(``ConditionExpression``, ``ExpressionAttributeNames``, ``ExpressionAttributeValues``): an item whose
condition is false is not written and counts as a condition-check failure. A line that is not a valid item
counts in ``FailedItemCount`` and makes the operation ``COMPLETED_WITH_ERRORS``.

The operation shows ``IN_PROGRESS`` until ``emu.transfers.duration`` has passed (0 by default); its items
are written when it completes, so a ``CancelBulkOperation`` before then (``CANCELLING``, then
``CANCELLED``) writes none. The report of the items not written goes to ``OutputS3Configuration`` for
the ``OutputType`` asked for (``ERROR``, ``CONDITION_CHECK_FAILURE``): one JSON line per item under
``<S3KeyPrefix>/<operation-id>/``, ``errors.json`` and ``condition-check-failures.json``.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/BulkPutItems.Output.html
"""

from __future__ import annotations

import functools
import json
import uuid
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.catalog import timestamp
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error
from theorydb_mocks.emulator.operations._keys import check_item
from theorydb_mocks.emulator.operations._registry import operation, record_for
from theorydb_mocks.emulator.operations.items import put_item
from theorydb_mocks.emulator.transfer.compression import CompressionUnavailable, decompressed
from theorydb_mocks.emulator.transfer.export_files import dynamodb_json_line
from theorydb_mocks.emulator.transfer.import_files import SourceLine, read_source
from theorydb_mocks.emulator.transfer.jobs import Job, list_page
from theorydb_mocks.emulator.transfer.s3 import S3KeyError

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request, Response

__all__ = [
    "bulk_operation_description",
    "cancel_bulk_operation",
    "describe_bulk_operation",
    "list_bulk_operations",
    "start_bulk_put_items",
]

LIST_DEFAULT = 25
_CONDITION_MEMBERS = ("ConditionExpression", "ExpressionAttributeNames", "ExpressionAttributeValues")


def _fingerprint(request: Request) -> str:
    return json.dumps({k: v for k, v in request.items() if k != "ClientToken"}, sort_keys=True, default=str)


@operation("StartBulkPutItems")
def start_bulk_put_items(emu: EmulatorState, request: Request) -> Response:
    """Start a bulk put into an existing table (see the module docstring). Runtime: O(items) when it runs."""
    token = request.get("ClientToken")
    if token is not None:
        found = emu.transfers.by_token("bulk", token)
        if found is not None:
            if found.details["fingerprint"] != _fingerprint(request):
                raise ddb_error(
                    "IdempotentParameterMismatchException", M.BULK_TOKEN_CONFLICT.format(token=token)
                )
            return {"BulkOperationDescription": bulk_operation_description(found)}
    name = request["TableName"]
    try:
        table = emu.get_table(name)
    except DynamoDBError:
        raise ddb_error("ResourceNotFoundException", M.BULK_TABLE_NOT_FOUND.format(name=name)) from None
    if table.status != "ACTIVE":
        raise ddb_error(
            "ResourceInUseException", M.BULK_TABLE_NOT_ACTIVE.format(name=table.name, status=table.status)
        )
    source = request["InputS3Configuration"]
    bucket = source["S3Bucket"]
    keys = emu.s3.list(bucket, source.get("S3KeyPrefix") or "")
    total = sum(emu.s3.size(bucket, key) for key in keys)
    now = emu.clock.now()
    operation_id = emu.transfers.new_id(now, emu.region)
    details: dict[str, Any] = {
        "TableName": table.name,
        "TableId": table.table_id,
        "ClientToken": token if token is not None else str(uuid.uuid4()),
        "InputS3Configuration": dict(source),
        "OutputS3Configuration": dict(request["OutputS3Configuration"]),
        "MaxWriteRequestUnits": request.get("MaxWriteRequestUnits"),
        "PerformanceTier": request.get("PerformanceTier") or "STANDARD",
        "fingerprint": _fingerprint(request),
        "keys": keys,
        "TotalInputBytes": total,
        "ProcessedInputBytes": 0,
        "ProcessedItemCount": 0,
        "FailedItemCount": 0,
        "usage": None,
    }
    arn = f"{table.arn}/bulk-operation/{operation_id}"
    job = Job(arn, "bulk", now, details=details, finish=functools.partial(_run, emu))
    if not emu.s3.bucket_exists(bucket):
        job.fail("S3NoSuchBucket", M.IMPORT_NO_SUCH_BUCKET.format(bucket=bucket))
    emu.transfers.start(job)
    return {"BulkOperationDescription": bulk_operation_description(job)}


def _run(emu: EmulatorState, job: Job) -> None:
    """The operation's work, when its delay has passed: put every item, then write the report."""
    details = job.details
    if job.outcome in ("FAILED", "CANCELLED"):
        return
    table = emu.tables.get(details["TableName"])
    if table is None or table.table_id != details["TableId"]:
        job.fail("ResourceNotFoundException", M.BULK_TABLE_NOT_FOUND.format(name=details["TableName"]))
        return
    source = details["InputS3Configuration"]
    bucket = source["S3Bucket"]
    errors: list[str] = []
    condition_failures: list[str] = []
    usage = _Usage(table)

    def check(item: dict[str, Any], size: int) -> int:
        return check_item(table.key, table.indexes.values(), item, size=size, vectors=table.vector_specs)

    for key in details["keys"]:
        index = 0
        try:
            with emu.s3.open(bucket, key) as raw:
                for line in read_source(
                    decompressed(raw, source.get("InputCompressionType")), source["InputFormat"], check
                ):
                    details["ProcessedItemCount"] += 1
                    _put(
                        emu, table.name, line, bucket, key, index, usage, errors, condition_failures, details
                    )
                    index += 1
            details["ProcessedInputBytes"] += emu.s3.size(bucket, key)
        except (CompressionUnavailable, OSError, EOFError, S3KeyError, ValueError) as exc:
            details["FailedItemCount"] += 1
            errors.append(_report(bucket, key, index, M.S3_OBJECT_UNREADABLE.format(reason=exc), None))
    details["usage"] = usage
    if errors:
        job.outcome = "COMPLETED_WITH_ERRORS"
    _write_report(emu, job, errors, condition_failures)


def _put(
    emu: EmulatorState,
    table_name: str,
    line: SourceLine,
    bucket: str,
    key: str,
    index: int,
    usage: _Usage,
    errors: list[str],
    condition_failures: list[str],
    details: dict[str, Any],
) -> None:
    if line.item is None:
        details["FailedItemCount"] += 1
        errors.append(_report(bucket, key, index, line.error or M.ITEM_INVALID, None))
        return
    request: dict[str, Any] = {"TableName": table_name, "Item": line.item}
    request.update({member: line.extra[member] for member in _CONDITION_MEMBERS if member in line.extra})
    try:
        record_for("PutItem").validate(request)
        put_item(emu, request)
    except DynamoDBError as err:
        if err.code == "ConditionalCheckFailedException":
            condition_failures.append(_report(bucket, key, index, err.message, line.item))
        else:
            details["FailedItemCount"] += 1
            errors.append(_report(bucket, key, index, err.message, line.item))
        return
    usage.add(line.item, line.size_bytes)


def _report(bucket: str, key: str, index: int, message: str, item: dict[str, Any] | None) -> str:
    record: dict[str, Any] = {
        "itemS3Pointer": {"bucket": bucket, "key": key, "itemIndex": index},
        "errorMessages": [message],
    }
    if item is not None:
        record["Item"] = item
    return dynamodb_json_line(record)


def _write_report(emu: EmulatorState, job: Job, errors: list[str], condition_failures: list[str]) -> None:
    output = job.details["OutputS3Configuration"]
    bucket = output.get("S3Bucket")
    if not bucket:
        return
    wanted = set(output.get("OutputType") or ())
    root = f"{(output.get('S3KeyPrefix') or '').rstrip('/')}/{job.arn.rsplit('/', 1)[1]}".lstrip("/")
    try:
        if "ERROR" in wanted:
            emu.s3.put(bucket, f"{root}/errors.json", "".join(f"{line}\n" for line in errors).encode())
        if "CONDITION_CHECK_FAILURE" in wanted:
            body = "".join(f"{line}\n" for line in condition_failures).encode()
            emu.s3.put(bucket, f"{root}/condition-check-failures.json", body)
    except (OSError, S3KeyError) as exc:
        job.fail("S3AccessDenied", M.S3_WRITE_FAILED.format(bucket=bucket, reason=exc))


class _Usage:
    """Bytes written per table and index (``BulkOperationUsage``)."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.table_bytes = 0
        self.indexes: dict[str, tuple[str, int]] = {}

    def add(self, item: dict[str, Any], size: int) -> None:
        self.table_bytes += size
        for name, (kind, _where, _projected, projected_size) in self.table.store.index_footprint(
            item
        ).items():
            kind_now, total = self.indexes.get(name, (kind, 0))
            self.indexes[name] = (kind_now, total + projected_size)

    def description(self) -> dict[str, Any]:
        usage: dict[str, Any] = {
            "TableName": self.table.name,
            "BulkPutBytes": self.table_bytes + sum(total for _kind, total in self.indexes.values()),
            "Table": {"BulkPutBytes": self.table_bytes},
        }
        lsis = {name: {"BulkPutBytes": t} for name, (kind, t) in self.indexes.items() if kind == "LSI"}
        gsis = {name: {"BulkPutBytes": t} for name, (kind, t) in self.indexes.items() if kind != "LSI"}
        if lsis:
            usage["LocalSecondaryIndexes"] = lsis
        if gsis:
            usage["GlobalSecondaryIndexes"] = gsis
        return usage


def bulk_operation_description(job: Job) -> dict[str, Any]:
    """The ``BulkOperationDescription``, in the model's member order."""
    details = job.details
    desc: dict[str, Any] = {
        "BulkOperationArn": job.arn,
        "BulkOperationStatus": job.status,
        "TableDetails": [{"TableName": details["TableName"], "TableId": details["TableId"]}],
        "ClientToken": details["ClientToken"],
        "InputS3Configuration": details["InputS3Configuration"],
        "OutputS3Configuration": details["OutputS3Configuration"],
        "StartTime": timestamp(job.start),
    }
    if job.status not in ("IN_PROGRESS", "CANCELLING") and job.end is not None:
        desc["EndTime"] = timestamp(job.end)
    desc["ProcessedItemCount"] = details["ProcessedItemCount"]
    desc["ProcessedInputBytes"] = details["ProcessedInputBytes"]
    desc["TotalInputBytes"] = details["TotalInputBytes"]
    usage: _Usage | None = details["usage"]
    if usage is not None:
        desc["BulkOperationUsage"] = [usage.description()]
    desc["FailedItemCount"] = details["FailedItemCount"]
    if job.status == "FAILED":
        desc["FailureCode"] = job.failure_code
        desc["FailureMessage"] = job.failure_message
    if details["MaxWriteRequestUnits"] is not None:
        desc["MaxWriteRequestUnits"] = details["MaxWriteRequestUnits"]
    desc["PerformanceTier"] = details["PerformanceTier"]
    return desc


def _job(emu: EmulatorState, arn: str) -> Job:
    job = emu.transfers.find("bulk", arn)
    if job is None:
        raise ddb_error("ResourceNotFoundException", M.BULK_OPERATION_NOT_FOUND.format(arn=arn))
    return job


@operation("DescribeBulkOperation", read_only=True)
def describe_bulk_operation(emu: EmulatorState, request: Request) -> Response:
    """A bulk operation's description. Runtime: O(1)."""
    return {"BulkOperationDescription": bulk_operation_description(_job(emu, request["BulkOperationArn"]))}


@operation("ListBulkOperations", read_only=True)
def list_bulk_operations(emu: EmulatorState, request: Request) -> Response:
    """The account's bulk operations, most recent first, a page at a time."""
    emu.transfers.settle()
    jobs = list(reversed(emu.transfers.jobs["bulk"].values()))
    page, token = list_page(jobs, request.get("MaxResults") or LIST_DEFAULT, request.get("NextToken"))
    summaries = []
    for job in page:
        summary: dict[str, Any] = {
            "BulkOperationArn": job.arn,
            "BulkOperationStatus": job.status,
            "StartTime": timestamp(job.start),
        }
        if job.status not in ("IN_PROGRESS", "CANCELLING") and job.end is not None:
            summary["EndTime"] = timestamp(job.end)
        summaries.append(summary)
    response: dict[str, Any] = {"BulkOperationsSummaryList": summaries}
    if token is not None:
        response["NextToken"] = token
    return response


@operation("CancelBulkOperation")
def cancel_bulk_operation(emu: EmulatorState, request: Request) -> Response:
    """Ask an IN_PROGRESS operation to stop: CANCELLING until its delay passes, then CANCELLED, nothing
    written. An operation that has ended keeps its status."""
    job = _job(emu, request["BulkOperationArn"])
    if job.status == "IN_PROGRESS":
        job.status = "CANCELLING"
        job.outcome = "CANCELLED"
    return {"BulkOperationArn": job.arn, "BulkOperationStatus": job.status}
