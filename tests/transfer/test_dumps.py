"""Dumps: dump -> load -> dump writes the same files; schemas from DescribeTable output; export -> import."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.transfer.test_bulk_load import LSI_TABLE, RANGE_TABLE, _decoded, _range_item, _state
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.dumps import DumpError, create_tables, read_schema_file
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.operations.exports import enable_pitr

# Members a new table cannot share with the one it was made from (its identity and birth).
VOLATILE = {"CreationDateTime", "TableId", "LatestStreamArn", "LatestStreamLabel"}


def _populated() -> DynamoDBEmulator:
    emu = DynamoDBEmulator()
    rng = random.Random(3)
    emu.dispatch(
        "CreateTable",
        {
            "TableName": "orders",
            **RANGE_TABLE,
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        },
    )
    emu.dispatch("CreateTable", {"TableName": "ranked", **LSI_TABLE})
    for n in range(400):
        emu.dispatch("PutItem", {"TableName": "orders", "Item": _decoded(_range_item(rng, n))})
        emu.dispatch("PutItem", {"TableName": "ranked", "Item": _decoded(_range_item(rng, n))})
    emu.dispatch(
        "UpdateTimeToLive",
        {"TableName": "orders", "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}},
    )
    emu.dispatch(
        "TagResource", {"ResourceArn": emu.table_arn("orders"), "Tags": [{"Key": "team", "Value": "x"}]}
    )
    west = emu.in_region("eu-west-1")
    west.dispatch(
        "CreateTable",
        {
            "TableName": "empty",
            "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        },
    )
    return emu


def _files(root: Path) -> dict[str, Any]:
    """Every file of a dump: item files as bytes, table.json without the volatile members."""
    found: dict[str, Any] = {}
    for path in sorted(root.rglob("*")):
        if path.is_dir():
            continue
        name = str(path.relative_to(root))
        if path.name == "table.json":
            saved = json.loads(path.read_text())
            saved["Table"] = {k: v for k, v in saved["Table"].items() if k not in VOLATILE}
            saved["Table"].get("BillingModeSummary", {}).pop(
                "LastUpdateToPayPerRequestDateTime", None
            )  # a time
            found[name] = saved
        else:
            found[name] = path.read_bytes()
    return found


def test_dump_load_dump_is_byte_for_byte(tmp_path: Path) -> None:
    emu = _populated()
    first = emu.dump(tmp_path / "a")
    counts = {name: emu.get_table(name).store.item_count for name in ("orders", "ranked")}
    assert first == {"us-east-1": counts, "eu-west-1": {"empty": 0}}
    other = DynamoDBEmulator()
    assert other.load(tmp_path / "a") == first
    other.dump(tmp_path / "b")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    for name in ("orders", "ranked"):
        assert _state(other, name) == _state(emu, name)
    described = other.dispatch("DescribeTable", {"TableName": "orders"})["Table"]
    assert described["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    ttl = other.dispatch("DescribeTimeToLive", {"TableName": "orders"})["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    west = other.in_region("eu-west-1").dispatch("DescribeTable", {"TableName": "empty"})["Table"]
    assert west["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    with gzip.open(next((tmp_path / "a" / "us-east-1" / "orders" / "data").glob("*.json.gz")), "rt") as lines:
        assert json.loads(lines.readline())["Item"]  # DynamoDB JSON lines, as exports write them


def test_load_refuses_an_existing_table_and_a_folder_that_is_not_a_dump(tmp_path: Path) -> None:
    emu = _populated()
    emu.dump(tmp_path / "a")
    with pytest.raises(DynamoDBError, match=r"ResourceInUseException|Table already exists"):
        emu.load(tmp_path / "a")
    with pytest.raises(DumpError, match="not a dump"):
        DynamoDBEmulator().load(tmp_path)


def test_a_bad_item_in_a_dump_is_an_error(tmp_path: Path) -> None:
    emu = DynamoDBEmulator()
    emu.dispatch("CreateTable", {"TableName": "orders", **RANGE_TABLE})
    emu.dump(tmp_path)
    data = tmp_path / "us-east-1" / "orders" / "data" / "00000.json.gz"
    data.write_bytes(gzip.compress(b'{"Item":{"pk":{"S":"a"}}}\n'))
    with pytest.raises(DumpError, match="1 invalid items"):
        DynamoDBEmulator().load(tmp_path)


def _schema(described: dict[str, Any], ignore: set[str]) -> dict[str, Any]:
    """A description without its counts and times (indexes' counts too)."""
    kept = {k: v for k, v in described.items() if k not in ignore}
    for member in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if member in kept:
            counts = ("ItemCount", "IndexSizeBytes")
            kept[member] = [{k: v for k, v in index.items() if k not in counts} for index in kept[member]]
    return kept


def test_schemas_from_saved_describe_table_output(tmp_path: Path) -> None:
    emu = _populated()
    saved = [emu.dispatch("DescribeTable", {"TableName": name}) for name in ("orders", "ranked")]
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(saved, default=str))
    other = DynamoDBEmulator()
    assert create_tables(other, read_schema_file(path)) == ["orders", "ranked"]
    for name in ("orders", "ranked"):
        new = other.dispatch("DescribeTable", {"TableName": name})["Table"]
        old = emu.dispatch("DescribeTable", {"TableName": name})["Table"]
        ignore = VOLATILE | {"ItemCount", "TableSizeBytes", "BillingModeSummary"}
        assert _schema(new, ignore) == _schema(old, ignore)
        assert new["BillingModeSummary"]["BillingMode"] == old["BillingModeSummary"]["BillingMode"]
    path.write_text('{"Table": {"TableName": "x"}}')
    with pytest.raises(DumpError, match="DescribeTable output"):
        create_tables(other, read_schema_file(path))


def test_export_then_import_reproduces_a_varied_table() -> None:
    emu = _populated()
    enable_pitr(emu, "orders")
    arn = emu.table_arn("orders")
    desc = emu.dispatch(
        "ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "bucket", "ExportFormat": "DYNAMODB_JSON"}
    )["ExportDescription"]
    prefix = desc["ExportManifest"].rsplit("/", 1)[0] + "/data/"
    params = {"TableName": "copy", **RANGE_TABLE}
    answer = emu.dispatch(
        "ImportTable",
        {
            "S3BucketSource": {"S3Bucket": "bucket", "S3KeyPrefix": prefix},
            "InputFormat": "DYNAMODB_JSON",
            "InputCompressionType": "GZIP",
            "TableCreationParameters": params,
        },
    )["ImportTableDescription"]
    assert answer["ImportStatus"] == "COMPLETED"
    assert _state(emu, "copy") == _state(emu, "orders")


def test_items_span_several_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from theorydb_mocks.emulator import dumps

    monkeypatch.setattr(dumps, "ITEMS_PER_FILE", 7)
    emu = _populated()
    emu.dump(tmp_path / "a")
    files = sorted((tmp_path / "a" / "us-east-1" / "orders" / "data").glob("*.json.gz"))
    assert len(files) == emu.get_table("orders").store.item_count // 7 + 1
    other = DynamoDBEmulator()
    other.load(tmp_path / "a")
    assert _state(other, "orders") == _state(emu, "orders")
