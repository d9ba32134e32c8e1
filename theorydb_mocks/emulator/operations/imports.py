"""ImportTable, DescribeImport and ListImports: a new table loaded from objects in the local S3.

ImportTable creates the table of ``TableCreationParameters`` (checked as CreateTable checks it, so a bad
schema or an existing table is refused at once) and loads every object under ``S3KeyPrefix`` in
``S3Bucket`` (``transfer.import_files`` reads them, streaming). As on the service:

- a line that cannot be an item (unparsable, a missing or mistyped key, an item over 400 KB) is skipped,
  counted in ``ErrorCount`` and logged as CloudWatch would (``/aws-dynamodb/imports``, stream
  ``<import-id>/error``, one JSON message naming the object and the item's index); the import then ends
  ``FAILED`` with ``ItemValidationError``, the valid items imported;
- items sharing a key overwrite each other (not errors);
- a bucket that does not exist fails the import with ``S3NoSuchBucket`` and creates no table.

The table is ``CREATING`` and the import ``IN_PROGRESS`` until ``emu.transfers.duration`` has passed
(0 by default). Error events are kept on the job (``emu.transfers.log(import_arn)``) and logged through the
``theorydb_mocks.imports`` logger, with progress every 100,000 items.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.Validation.html

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.s3.put("seed", "in/items.json", b'{"Item":{"pk":{"S":"a"}}}\\n{"Item":{"pk":{"S":"b"}}}\\n')
>>> answer = emu.dispatch("ImportTable", {
...     "S3BucketSource": {"S3Bucket": "seed", "S3KeyPrefix": "in/"}, "InputFormat": "DYNAMODB_JSON",
...     "TableCreationParameters": {"TableName": "things", "BillingMode": "PAY_PER_REQUEST",
...         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}})
>>> description = answer["ImportTableDescription"]
>>> description["ImportStatus"], description["ImportedItemCount"], description["ErrorCount"]
('COMPLETED', 2, 0)
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from typing import TYPE_CHECKING, Any, BinaryIO

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.bulk_load import BulkLoad
from theorydb_mocks.emulator.catalog import timestamp
from theorydb_mocks.emulator.errors import ddb_error, validation_error
from theorydb_mocks.emulator.operations._keys import check_item
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.operations.tables import create_table
from theorydb_mocks.emulator.transfer.compression import CompressionUnavailable, decompressed
from theorydb_mocks.emulator.transfer.import_files import ReadStats, read_source
from theorydb_mocks.emulator.transfer.jobs import Job, list_page
from theorydb_mocks.emulator.transfer.s3 import S3KeyError

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request, Response
    from theorydb_mocks.emulator.catalog import TableState

__all__ = ["describe_import", "import_description", "import_table", "list_imports", "load_objects"]

log = logging.getLogger("theorydb_mocks.imports")

LOG_GROUP = "/aws-dynamodb/imports"
PROGRESS_EVERY = 100_000
LIST_IMPORTS_DEFAULT = 25
_CREATE_MEMBERS = (
    "TableName",
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "ProvisionedThroughput",
    "OnDemandThroughput",
    "SSESpecification",
    "GlobalSecondaryIndexes",
    "VectorIndexes",
)


def _fingerprint(request: Request) -> str:
    return json.dumps({k: v for k, v in request.items() if k != "ClientToken"}, sort_keys=True, default=str)


class LoadCounts:
    """What loading the sources did: lines processed, items imported, errors, bytes read."""

    __slots__ = ("errors", "imported", "processed", "size")

    def __init__(self) -> None:
        self.processed = 0
        self.imported = 0
        self.errors = 0
        self.size = 0


def load_objects(
    emu: EmulatorState,
    job: Job,
    table: TableState,
    bucket: str,
    keys: list[str],
    input_format: str,
    compression: str | None,
    csv_options: dict[str, Any] | None,
) -> LoadCounts:
    """Put the items of the objects ``keys`` into ``table``; bad lines are counted and logged on ``job``."""
    counts = LoadCounts()
    key_schema, indexes, vectors = table.key, tuple(table.indexes.values()), table.vector_specs
    key_types = dict(table.attribute_definitions)
    options = csv_options or {}

    def check(item: dict[str, Any], size: int) -> int:
        return check_item(key_schema, indexes, item, size=size, vectors=vectors)

    def read_object(key: str, stream: BinaryIO) -> None:
        done = counts.processed
        if input_format == "DYNAMODB_JSON":  # the fast path (benchmarks/bench_transfer.py)
            before = loader.count

            def error(index: int, message: str) -> None:
                counts.errors += 1
                _log_error(emu, job, bucket, key, index, message)

            lines, read = loader.add_json_lines(stream, error)
            counts.processed = done + lines
            counts.imported += loader.count - before
            counts.size += read
            return
        stats = ReadStats()
        lines_read = read_source(
            stream,
            input_format,
            check,
            delimiter=options.get("Delimiter") or ",",
            header=options.get("HeaderList"),
            key_types=key_types,
            stats=stats,
        )
        for item_index, line in enumerate(lines_read):
            item = line.item
            if item is None:
                counts.errors += 1
                _log_error(emu, job, bucket, key, item_index, line.error or M.ITEM_INVALID)
            else:
                loader.add(item, line.size_bytes, checked=True)
                counts.imported += 1
            counts.processed = done + item_index + 1
        counts.size += stats.bytes_read

    # Sorted once, at the end; the collector paused for the whole load (``BulkLoad``).
    with BulkLoad(table, progress_every=PROGRESS_EVERY, logger=log, label=job.arn) as loader:
        for key in keys:
            try:
                with emu.s3.open(bucket, key) as raw:
                    read_object(key, decompressed(raw, compression))
            except CompressionUnavailable as exc:
                counts.errors += 1
                _log_error(emu, job, bucket, key, 0, str(exc))
            except (
                OSError,
                EOFError,
                S3KeyError,
                ValueError,
            ) as exc:  # a damaged object: the rest is skipped
                counts.errors += 1
                _log_error(emu, job, bucket, key, 0, M.S3_OBJECT_UNREADABLE.format(reason=exc))
        loader.finish()
    return counts


def _log_error(emu: EmulatorState, job: Job, bucket: str, key: str, index: int, message: str) -> None:
    event = {
        "itemS3Pointer": {"bucket": bucket, "key": key, "itemIndex": index},
        "importArn" if job.kind == "import" else "bulkOperationArn": job.arn,
        "errorMessages": [message],
    }
    text = json.dumps(event, separators=(",", ":"))
    job.log.append({"timestamp": int(emu.clock.now() * 1000), "message": text})
    log.warning("%s", text)


@operation("ImportTable")
def import_table(emu: EmulatorState, request: Request) -> Response:
    """Create a table and load it from S3 (see the module docstring). Runtime: O(items in the sources)."""
    token = request.get("ClientToken")
    if token is not None:
        found = emu.transfers.by_token("import", token)
        if found is not None:
            if found.details["fingerprint"] != _fingerprint(request):
                raise ddb_error("ImportConflictException", M.IMPORT_TOKEN_CONFLICT.format(token=token))
            return {"ImportTableDescription": import_description(found)}
    input_format = request["InputFormat"]
    options = request.get("InputFormatOptions") or {}
    if options.get("Csv") is not None and input_format != "CSV":
        raise validation_error(M.IMPORT_CSV_OPTIONS_FORMAT)
    params = request["TableCreationParameters"]
    name = params["TableName"]
    if name in emu.tables:
        raise ddb_error("ResourceInUseException", M.IMPORT_TABLE_EXISTS.format(name=name))
    create_request = {member: params[member] for member in _CREATE_MEMBERS if member in params}
    create_table(emu, create_request)
    table = emu.tables[name]
    source = request["S3BucketSource"]
    bucket = source["S3Bucket"]
    now = emu.clock.now()
    import_id = emu.transfers.new_id(now, emu.region)
    job = Job(
        f"{table.arn}/import/{import_id}",
        "import",
        now,
        details={
            "TableArn": table.arn,
            "TableId": table.table_id,
            "ClientToken": token if token is not None else str(uuid.uuid4()),
            "S3BucketSource": dict(source),
            "InputFormat": input_format,
            "InputFormatOptions": request.get("InputFormatOptions"),
            "InputCompressionType": request.get("InputCompressionType") or "NONE",
            "TableCreationParameters": params,
            "fingerprint": _fingerprint(request),
            "counts": LoadCounts(),
            "LogGroupArn": f"arn:aws:logs:{emu.region}:{emu.account_id}:log-group:{LOG_GROUP}:*",
        },
        finish=functools.partial(_activate, table),
    )
    if not emu.s3.bucket_exists(bucket):
        del emu.tables[name]  # the failure is found before any data: no table is left
        job.fail("S3NoSuchBucket", M.IMPORT_NO_SUCH_BUCKET.format(bucket=bucket))
    else:
        table.status = "CREATING"
        keys = emu.s3.list(bucket, source.get("S3KeyPrefix") or "")
        log.info("%s: importing %d objects from s3://%s into %s", job.arn, len(keys), bucket, name)
        counts = load_objects(
            emu,
            job,
            table,
            bucket,
            keys,
            input_format,
            request.get("InputCompressionType"),
            options.get("Csv"),
        )
        job.details["counts"] = counts
        log.info("%s: %d items imported, %d errors", job.arn, counts.imported, counts.errors)
        if counts.errors:
            job.fail("ItemValidationError", M.IMPORT_ITEM_VALIDATION)
    emu.transfers.start(job)
    return {"ImportTableDescription": import_description(job)}


def _activate(table: TableState, job: Job) -> None:
    """The import's last step: its table becomes ACTIVE."""
    table.status = "ACTIVE"


def import_description(job: Job) -> dict[str, Any]:
    """The ``ImportTableDescription`` of an import, in the model's member order."""
    details = job.details
    counts: LoadCounts = details["counts"]
    desc: dict[str, Any] = {
        "ImportArn": job.arn,
        "ImportStatus": job.status,
        "TableArn": details["TableArn"],
        "TableId": details["TableId"],
        "ClientToken": details["ClientToken"],
        "S3BucketSource": details["S3BucketSource"],
        "ErrorCount": counts.errors,
        "CloudWatchLogGroupArn": details["LogGroupArn"],
        "InputFormat": details["InputFormat"],
    }
    if details["InputFormatOptions"] is not None:
        desc["InputFormatOptions"] = details["InputFormatOptions"]
    desc["InputCompressionType"] = details["InputCompressionType"]
    desc["TableCreationParameters"] = details["TableCreationParameters"]
    desc["StartTime"] = timestamp(job.start)
    if job.status != "IN_PROGRESS":
        if job.end is not None:
            desc["EndTime"] = timestamp(job.end)
        desc["ProcessedSizeBytes"] = counts.size
        desc["ProcessedItemCount"] = counts.processed
        desc["ImportedItemCount"] = counts.imported
    if job.status == "FAILED":
        desc["FailureCode"] = job.failure_code
        desc["FailureMessage"] = job.failure_message
    return desc


@operation("DescribeImport", read_only=True)
def describe_import(emu: EmulatorState, request: Request) -> Response:
    """An import's description. Runtime: O(1)."""
    job = emu.transfers.find("import", request["ImportArn"])
    if job is None:
        raise ddb_error("ImportNotFoundException", M.IMPORT_NOT_FOUND.format(arn=request["ImportArn"]))
    return {"ImportTableDescription": import_description(job)}


@operation("ListImports", read_only=True)
def list_imports(emu: EmulatorState, request: Request) -> Response:
    """The imports (into one table, with ``TableArn``), newest first, a page at a time."""
    emu.transfers.settle()
    table_arn = request.get("TableArn")
    jobs = [
        job
        for job in reversed(emu.transfers.jobs["import"].values())
        if table_arn is None or job.details["TableArn"] == table_arn
    ]
    page, token = list_page(jobs, request.get("PageSize") or LIST_IMPORTS_DEFAULT, request.get("NextToken"))
    summaries = []
    for job in page:
        details = job.details
        summary: dict[str, Any] = {
            "ImportArn": job.arn,
            "ImportStatus": job.status,
            "TableArn": details["TableArn"],
            "S3BucketSource": details["S3BucketSource"],
            "CloudWatchLogGroupArn": details["LogGroupArn"],
            "InputFormat": details["InputFormat"],
            "StartTime": timestamp(job.start),
        }
        if job.status != "IN_PROGRESS" and job.end is not None:
            summary["EndTime"] = timestamp(job.end)
        summaries.append(summary)
    response: dict[str, Any] = {"ImportSummaryList": summaries}
    if token is not None:
        response["NextToken"] = token
    return response
