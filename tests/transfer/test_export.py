"""ExportTableToPointInTime, DescribeExport, ListExports: the files, the manifests, the job's life."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.operations.exports import enable_pitr
from theorydb_mocks.emulator.transfer import ion


def _table(emu: DynamoDBEmulator, name: str = "things", items: int = 3) -> str:
    arn: str = emu.dispatch(
        "CreateTable",
        {
            "TableName": name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        },
    )["TableDescription"]["TableArn"]
    enable_pitr(emu, name)
    for i in range(items):
        item = {"pk": {"S": f"k{i}"}, "n": {"N": str(600 + i)}, "b": {"B": bytes([i])}}
        item["ss"] = {"SS": ["a", "b"]}
        emu.dispatch("PutItem", {"TableName": name, "Item": item})
    return arn


def _data_lines(emu: DynamoDBEmulator, bucket: str, manifest_key: str) -> list[str]:
    summary = json.loads(emu.s3.read(bucket, manifest_key))
    lines: list[str] = []
    for entry in emu.s3.read(bucket, summary["manifestFilesS3Key"]).decode().splitlines():
        info = json.loads(entry)
        data = emu.s3.read(bucket, info["dataFileS3Key"])
        assert base64.b64decode(info["md5Checksum"]) == hashlib.md5(data).digest()
        assert info["etag"] == hashlib.md5(hashlib.md5(data).digest()).hexdigest() + "-1"
        file_lines = gzip.decompress(data).decode().splitlines()
        assert len(file_lines) == info["itemCount"]
        lines.extend(file_lines)
    return lines


@pytest.fixture(params=["direct", "routed"])
def client(request: pytest.FixtureRequest, emu: DynamoDBEmulator) -> Any:
    return emu.client() if request.param == "direct" else emu.boto3_client()


@pytest.fixture
def emu() -> DynamoDBEmulator:
    return DynamoDBEmulator()


def test_full_export_writes_the_documented_layout(emu: DynamoDBEmulator, client: Any) -> None:
    arn = _table(emu)
    desc = client.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk", S3Prefix="nightly")[
        "ExportDescription"
    ]
    assert desc["ExportStatus"] == "COMPLETED"
    assert desc["ItemCount"] == 3 and desc["ExportFormat"] == "DYNAMODB_JSON"
    export_id = desc["ExportArn"].rsplit("/", 1)[1]
    root = f"nightly/AWSDynamoDB/{export_id}"
    keys = emu.s3.list("bk")
    assert f"{root}/_started" in keys
    for name in ("manifest-files", "manifest-summary"):
        body = emu.s3.read("bk", f"{root}/{name}.json")
        assert emu.s3.read("bk", f"{root}/{name}.checksum") == hashlib.md5(body).hexdigest().encode()
    assert desc["ExportManifest"] == f"{root}/manifest-summary.json"
    summary = json.loads(emu.s3.read("bk", desc["ExportManifest"]))
    assert summary["version"] == "2020-06-30"
    assert summary["exportArn"] == desc["ExportArn"] and summary["tableArn"] == arn
    assert summary["itemCount"] == 3 and summary["outputFormat"] == "DYNAMODB_JSON"
    assert summary["s3Prefix"] == "nightly" and summary["s3SseKmsKeyId"] is None
    lines = _data_lines(emu, "bk", desc["ExportManifest"])
    items = sorted((json.loads(line)["Item"] for line in lines), key=lambda item: item["pk"]["S"])
    assert items[0] == {"pk": {"S": "k0"}, "n": {"N": "600"}, "b": {"B": "AA=="}, "ss": {"SS": ["a", "b"]}}


def test_ion_export_lines_read_back_as_the_items(emu: DynamoDBEmulator, client: Any) -> None:
    arn = _table(emu)
    desc = client.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk", ExportFormat="ION")[
        "ExportDescription"
    ]
    lines = _data_lines(emu, "bk", desc["ExportManifest"])
    assert all(line.startswith("$ion_1_0 {Item:{") for line in lines)
    assert any(".ion.gz" in key for key in emu.s3.list("bk"))
    items = {ion.read_values(line)[0]["Item"]["M"]["pk"]["S"]: ion.read_values(line)[0] for line in lines}
    assert items["k1"]["Item"]["M"] == {
        "pk": {"S": "k1"},
        "n": {"N": "601"},
        "b": {"B": b"\x01"},
        "ss": {"SS": ["a", "b"]},
    }


def test_export_with_delay_is_in_progress_until_the_clock_passes(emu: DynamoDBEmulator) -> None:
    emu.clock.set(1_800_000_000.0)
    arn = _table(emu)
    emu.transfers.duration = 30
    client = emu.client()
    desc = client.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk")["ExportDescription"]
    assert desc["ExportStatus"] == "IN_PROGRESS" and "ExportManifest" not in desc
    assert emu.transfers.pending  # every request settles first (the lanes step aside)
    assert not any(key.endswith("manifest-summary.json") for key in emu.s3.list("bk"))
    emu.clock.advance(29)
    assert client.describe_export(ExportArn=desc["ExportArn"])["ExportDescription"]["ExportStatus"] == (
        "IN_PROGRESS"
    )
    emu.clock.advance(1)
    done = client.describe_export(ExportArn=desc["ExportArn"])["ExportDescription"]
    assert done["ExportStatus"] == "COMPLETED"
    assert not emu.transfers.pending
    assert done["EndTime"].timestamp() == 1_800_000_030.0
    summary = json.loads(emu.s3.read("bk", done["ExportManifest"]))
    assert summary["endTime"] == "2027-01-15T08:00:30.000Z"


def test_export_errors(emu: DynamoDBEmulator, client: Any) -> None:
    arn = _table(emu)
    with pytest.raises(ClientError) as caught:
        client.export_table_to_point_in_time(TableArn=arn + "x", S3Bucket="bk")
    assert caught.value.response["Error"]["Code"] == "TableNotFoundException"
    with pytest.raises(ClientError) as caught:
        client.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk", ExportTime=4_000_000_000)
    assert caught.value.response["Error"]["Code"] == "InvalidExportTimeException"
    with pytest.raises(ClientError) as caught:
        client.describe_export(ExportArn=arn + "/export/01234567890123-abcdef01")
    assert caught.value.response["Error"]["Code"] == "ExportNotFoundException"


def test_client_token_makes_export_idempotent(emu: DynamoDBEmulator, client: Any) -> None:
    arn = _table(emu)
    first = client.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk", ClientToken="t1")
    again = client.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk", ClientToken="t1")
    assert first["ExportDescription"]["ExportArn"] == again["ExportDescription"]["ExportArn"]
    with pytest.raises(ClientError) as caught:
        client.export_table_to_point_in_time(TableArn=arn, S3Bucket="other", ClientToken="t1")
    assert caught.value.response["Error"]["Code"] == "ExportConflictException"


def test_list_exports_pages_newest_first(emu: DynamoDBEmulator, client: Any) -> None:
    arn = _table(emu)
    other = _table(emu, "others", items=0)
    arns = [client.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk") for _ in range(3)]
    client.export_table_to_point_in_time(TableArn=other, S3Bucket="bk")
    page = client.list_exports(TableArn=arn, MaxResults=2)
    assert [s["ExportArn"] for s in page["ExportSummaries"]] == [
        a["ExportDescription"]["ExportArn"] for a in reversed(arns[1:])
    ]
    rest = client.list_exports(TableArn=arn, MaxResults=2, NextToken=page["NextToken"])
    assert [s["ExportArn"] for s in rest["ExportSummaries"]] == [arns[0]["ExportDescription"]["ExportArn"]]
    assert "NextToken" not in rest
    assert len(client.list_exports()["ExportSummaries"]) == 4


def test_empty_table_exports_one_empty_data_file(emu: DynamoDBEmulator, client: Any) -> None:
    arn = _table(emu, items=0)
    desc = client.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk")["ExportDescription"]
    assert desc["ItemCount"] == 0
    assert _data_lines(emu, "bk", desc["ExportManifest"]) == []


def test_s3_root_puts_exports_on_disk(tmp_path: Path) -> None:
    emu = DynamoDBEmulator(s3_root=tmp_path)
    arn = _table(emu)
    desc = emu.client().export_table_to_point_in_time(TableArn=arn, S3Bucket="bk", S3Prefix="p/q")[
        "ExportDescription"
    ]
    manifest = tmp_path / "bk" / desc["ExportManifest"]
    assert json.loads(manifest.read_text())["itemCount"] == 3
    assert len(list((manifest.parent / "data").glob("*.json.gz"))) == 1


def test_server_exports_into_its_s3_dir(tmp_path: Path) -> None:
    import boto3

    from theorydb_mocks.__main__ import build_parser
    from theorydb_mocks.emulator.server import serve_in_thread

    assert build_parser().parse_args(["serve", "--s3-dir", str(tmp_path)]).s3_dir == str(tmp_path)
    with serve_in_thread(s3_dir=str(tmp_path)) as endpoint:
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="k",
            aws_secret_access_key="s",
        )
        arn = client.create_table(
            TableName="served",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )["TableDescription"]["TableArn"]
        client.update_continuous_backups(  # exports need point-in-time recovery, as on the service
            TableName="served", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
        client.put_item(TableName="served", Item={"pk": {"S": "a"}, "b": {"B": b"\x00"}})
        desc = client.export_table_to_point_in_time(TableArn=arn, S3Bucket="out")["ExportDescription"]
        assert desc["ExportStatus"] == "COMPLETED"
        summary = json.loads((tmp_path / "out" / desc["ExportManifest"]).read_text())
        assert summary["itemCount"] == 1
        listed = client.list_exports(TableArn=arn)["ExportSummaries"]
        assert [s["ExportArn"] for s in listed] == [desc["ExportArn"]]


def test_pitr_is_required_and_past_times_come_from_its_history(emu: DynamoDBEmulator, client: Any) -> None:
    emu.clock.set(1_800_000_000.0)
    client.create_table(
        TableName="plain",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    )
    plain = emu.get_table("plain").arn
    with pytest.raises(ClientError) as caught:
        client.export_table_to_point_in_time(TableArn=plain, S3Bucket="bk")
    assert caught.value.response["Error"]["Code"] == "PointInTimeRecoveryUnavailableException"
    arn = _table(emu, items=2)  # recovery on from 1_800_000_000
    emu.clock.advance(600)
    client.put_item(TableName="things", Item={"pk": {"S": "later"}})
    client.delete_item(TableName="things", Key={"pk": {"S": "k0"}})
    emu.clock.advance(600)
    past = client.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk", ExportTime=1_800_000_300)
    keys = {
        json.loads(line)["Item"]["pk"]["S"]
        for line in _data_lines(emu, "bk", past["ExportDescription"]["ExportManifest"])
    }
    assert keys == {"k0", "k1"}
    now = client.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk")["ExportDescription"]
    keys = {json.loads(line)["Item"]["pk"]["S"] for line in _data_lines(emu, "bk", now["ExportManifest"])}
    assert keys == {"k1", "later"}
    with pytest.raises(ClientError) as caught:
        client.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk", ExportTime=1_700_000_000)
    assert caught.value.response["Error"]["Code"] == "InvalidExportTimeException"


def test_incremental_export_from_the_recovery_history(emu: DynamoDBEmulator, client: Any) -> None:
    emu.clock.set(1_800_000_000.0)
    arn = _table(emu, items=3)
    emu.clock.advance(60)
    client.put_item(TableName="things", Item={"pk": {"S": "k1"}, "n": {"N": "7"}})  # modified
    client.delete_item(TableName="things", Key={"pk": {"S": "k2"}})  # deleted
    client.put_item(TableName="things", Item={"pk": {"S": "new"}})  # inserted
    client.put_item(TableName="things", Item={"pk": {"S": "brief"}})
    client.delete_item(TableName="things", Key={"pk": {"S": "brief"}})  # in and out: no record
    emu.clock.advance(3600)
    desc = client.export_table_to_point_in_time(
        TableArn=arn,
        S3Bucket="bk",
        ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={"ExportFromTime": 1_800_000_030, "ExportToTime": 1_800_003_630},
    )["ExportDescription"]
    records = {
        json.loads(line)["Keys"]["pk"]["S"]: json.loads(line)
        for line in _data_lines(emu, "bk", desc["ExportManifest"])
    }
    assert set(records) == {"k1", "k2", "new"}
    assert records["k1"]["NewImage"] == {"pk": {"S": "k1"}, "n": {"N": "7"}}
    assert records["k1"]["OldImage"]["n"] == {"N": "601"}
    assert "NewImage" not in records["k2"] and records["k2"]["OldImage"]["pk"] == {"S": "k2"}
    assert "OldImage" not in records["new"]


@pytest.mark.parametrize("view", ["NEW_AND_OLD_IMAGES", "NEW_IMAGE"])
def test_incremental_export_writes_one_record_per_changed_item(
    emu: DynamoDBEmulator, monkeypatch: pytest.MonkeyPatch, view: str
) -> None:
    """The records' shape, with the table's history given (the history itself is point-in-time recovery's)."""
    from theorydb_mocks.emulator.operations import exports

    emu.clock.set(1_800_000_000.0)
    arn = _table(emu, items=0)
    kept = {"pk": {"S": "same"}}
    old_a = {"pk": {"S": "a"}, "v": {"N": "1"}}
    new_a = {"pk": {"S": "a"}, "v": {"N": "2"}}
    gone = {"pk": {"S": "gone"}, "b": {"B": b"\x01"}}
    added = {"pk": {"S": "new"}}
    states: dict[float, list[dict[str, Any]]] = {
        1_800_000_000.0: [kept, old_a, gone],
        1_800_003_600.0: [kept, new_a, added],
    }
    monkeypatch.setattr(exports, "pitr_window", lambda emu, table, now: (1_700_000_000.0, now))
    monkeypatch.setattr(exports, "items_at", lambda emu, table, at: iter(states[at]))
    emu.clock.set(1_800_007_200.0)
    desc = emu.client().export_table_to_point_in_time(
        TableArn=arn,
        S3Bucket="bk",
        ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={
            "ExportFromTime": 1_800_000_000,
            "ExportToTime": 1_800_003_600,
            "ExportViewType": view,
        },
    )["ExportDescription"]
    assert desc["ExportType"] == "INCREMENTAL_EXPORT" and desc["ItemCount"] == 3 and "ExportTime" not in desc
    summary = json.loads(emu.s3.read("bk", desc["ExportManifest"]))
    assert summary["exportType"] == "INCREMENTAL_EXPORT" and summary["outputView"] == view
    assert summary["exportFromTime"] == "2027-01-15T08:00:00.000Z"
    assert summary["exportToTime"] == "2027-01-15T09:00:00.000Z"
    records = {
        json.loads(line)["Keys"]["pk"]["S"]: json.loads(line)
        for line in _data_lines(emu, "bk", desc["ExportManifest"])
    }
    assert set(records) == {"a", "gone", "new"}
    micros = {"N": "1800003600000000"}
    with_old = view == "NEW_AND_OLD_IMAGES"
    assert records["a"] == {
        "Metadata": {"WriteTimestampMicros": micros},
        "Keys": {"pk": {"S": "a"}},
        "NewImage": {"pk": {"S": "a"}, "v": {"N": "2"}},
        **({"OldImage": {"pk": {"S": "a"}, "v": {"N": "1"}}} if with_old else {}),
    }
    assert "NewImage" not in records["gone"]
    assert ("OldImage" in records["gone"]) is with_old
    assert records["new"]["NewImage"] == {"pk": {"S": "new"}} and "OldImage" not in records["new"]


def test_filter_specification_selects_and_projects(emu: DynamoDBEmulator, client: Any) -> None:
    arn = _table(emu, items=5)
    spec = {
        "KeyConditionExpression": "pk = :a OR pk = :b OR pk = :c",
        "FilterExpression": "n >= :min",
        "ProjectionExpression": "pk, #n",
        "ExpressionAttributeNames": {"#n": "n"},
        "ExpressionAttributeValues": {
            ":a": {"S": "k0"},
            ":b": {"S": "k3"},
            ":c": {"S": "k4"},
            ":min": {"N": "603"},
        },
    }
    desc = client.export_table_to_point_in_time(TableArn=arn, S3Bucket="bk", FilterSpecification=spec)[
        "ExportDescription"
    ]
    assert desc["ItemCount"] == 2 and desc["FilterSpecification"] == spec
    items = sorted(
        json.loads(line)["Item"]["pk"]["S"] for line in _data_lines(emu, "bk", desc["ExportManifest"])
    )
    assert items == ["k3", "k4"]
    assert all(
        set(json.loads(line)["Item"]) == {"pk", "n"}
        for line in _data_lines(emu, "bk", desc["ExportManifest"])
    )
    with pytest.raises(ClientError) as caught:
        client.export_table_to_point_in_time(
            TableArn=arn, S3Bucket="bk", FilterSpecification={"FilterExpression": "n >>= :x"}
        )
    assert caught.value.response["Error"]["Code"] == "ValidationException"
