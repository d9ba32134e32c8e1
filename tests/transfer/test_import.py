"""ImportTable, DescribeImport, ListImports: formats, compressions, errors, round trips with exports."""

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
from theorydb_mocks.emulator.transfer.compression import zstd_available

KEYED = {
    "TableName": "imported",
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
        {"AttributeName": "owner", "AttributeType": "S"},
    ],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": "by-owner",
            "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }
    ],
}


@pytest.fixture
def emu() -> DynamoDBEmulator:
    return DynamoDBEmulator()


@pytest.fixture(params=["direct", "routed"])
def client(request: pytest.FixtureRequest, emu: DynamoDBEmulator) -> Any:
    return emu.client() if request.param == "direct" else emu.boto3_client()


def _item(i: int) -> dict[str, Any]:
    item: dict[str, Any] = {"pk": {"S": f"p{i % 7}"}, "sk": {"N": str(i)}, "data": {"B": bytes([i % 256])}}
    item["tags"] = {"SS": ["x", f"t{i}"]}
    item["nested"] = {"M": {"l": {"L": [{"N": "1.5"}, {"NULL": True}, {"BOOL": i % 2 == 0}]}}}
    if i % 3:
        item["owner"] = {"S": f"o{i % 4}"}
    return item


def _all_items(client: Any, table: str, **extra: Any) -> list[dict[str, Any]]:
    items = client.scan(TableName=table, **extra)["Items"]
    return sorted(items, key=lambda item: (item["pk"]["S"], int(item["sk"]["N"])))


def _import(client: Any, bucket: str, prefix: str, input_format: str = "DYNAMODB_JSON", **extra: Any) -> Any:
    params = dict(KEYED, **extra.pop("table", {}))
    return client.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": prefix},
        InputFormat=input_format,
        TableCreationParameters=params,
        **extra,
    )["ImportTableDescription"]


def test_json_lines_import_into_a_new_table_with_its_indexes(emu: DynamoDBEmulator, client: Any) -> None:
    lines = [json.dumps({"Item": _encode(_item(i))}) for i in range(20)]
    emu.s3.put("src", "in/part-1.json", "\n".join(lines[:10]).encode() + b"\n")
    emu.s3.put("src", "in/part-2.json", ("\n\n".join(lines[10:]) + "\n").encode())
    desc = _import(client, "src", "in/")
    assert desc["ImportStatus"] == "COMPLETED"
    assert (desc["ProcessedItemCount"], desc["ImportedItemCount"], desc["ErrorCount"]) == (20, 20, 0)
    assert desc["ProcessedSizeBytes"] == sum(emu.s3.size("src", key) for key in emu.s3.list("src"))
    assert (
        desc["CloudWatchLogGroupArn"]
        == "arn:aws:logs:us-east-1:123456789012:log-group:/aws-dynamodb/imports:*"
    )
    assert _all_items(client, "imported") == sorted(
        (_item(i) for i in range(20)), key=lambda item: (item["pk"]["S"], int(item["sk"]["N"]))
    )
    owned = client.query(
        TableName="imported",
        IndexName="by-owner",
        KeyConditionExpression="#o = :o",
        ExpressionAttributeNames={"#o": "owner"},
        ExpressionAttributeValues={":o": {"S": "o1"}},
    )["Items"]
    assert {item["sk"]["N"] for item in owned} == {str(i) for i in range(20) if i % 3 and i % 4 == 1}
    table = client.describe_table(TableName="imported")["Table"]
    assert table["TableStatus"] == "ACTIVE" and table["ItemCount"] == 20
    assert client.describe_import(ImportArn=desc["ImportArn"])["ImportTableDescription"] == desc


def _encode(item: dict[str, Any]) -> dict[str, Any]:
    encoded: dict[str, Any] = json.loads(json.dumps(item, default=lambda b: base64.b64encode(b).decode()))
    return encoded


@pytest.mark.parametrize("export_format", ["DYNAMODB_JSON", "ION"])
def test_export_then_import_reproduces_the_table(emu: DynamoDBEmulator, export_format: str) -> None:
    client = emu.client()
    source = dict(KEYED, TableName="source")
    arn = client.create_table(**source)["TableDescription"]["TableArn"]
    enable_pitr(emu, "source")
    for i in range(300):
        client.put_item(TableName="source", Item=_item(i))
    export = client.export_table_to_point_in_time(
        TableArn=arn, S3Bucket="bk", S3Prefix="x", ExportFormat=export_format
    )["ExportDescription"]
    data_prefix = export["ExportManifest"].rsplit("/", 1)[0] + "/data/"
    desc = _import(client, "bk", data_prefix, export_format, InputCompressionType="GZIP")
    assert (desc["ImportStatus"], desc["ImportedItemCount"], desc["ErrorCount"]) == ("COMPLETED", 300, 0)
    assert _all_items(client, "imported") == _all_items(client, "source")
    for index_args in ({}, {"IndexName": "by-owner"}):
        assert _all_items(client, "imported", **index_args) == _all_items(client, "source", **index_args)
    before = client.describe_table(TableName="source")["Table"]
    after = client.describe_table(TableName="imported")["Table"]
    for member in ("KeySchema", "AttributeDefinitions", "ItemCount", "TableSizeBytes"):
        assert before[member] == after[member], member
    assert before["BillingModeSummary"]["BillingMode"] == after["BillingModeSummary"]["BillingMode"]
    for gsi_before, gsi_after in zip(
        before["GlobalSecondaryIndexes"], after["GlobalSecondaryIndexes"], strict=True
    ):
        for member in ("IndexName", "KeySchema", "Projection", "IndexSizeBytes", "ItemCount"):
            assert gsi_before[member] == gsi_after[member]


def _aws_export_tree(emu: DynamoDBEmulator, export_id: str, files: dict[str, list[str]], fmt: str) -> None:
    """An export laid out by hand as the developer guide documents it."""
    root = f"exports/AWSDynamoDB/{export_id}"
    manifest_lines = []
    total = 0
    for name, lines in files.items():
        key = f"{root}/data/{name}"
        body = gzip.compress("".join(f"{line}\n" for line in lines).encode())
        emu.s3.put("aws", key, body)
        md5 = hashlib.md5(body).digest()
        manifest_lines.append(
            json.dumps(
                {
                    "itemCount": len(lines),
                    "md5Checksum": base64.b64encode(md5).decode(),
                    "etag": hashlib.md5(md5).hexdigest() + "-1",
                    "dataFileS3Key": key,
                }
            )
        )
        total += len(lines)
    emu.s3.put("aws", f"{root}/_started", b"")
    files_body = "\n".join(manifest_lines).encode() + b"\n"
    emu.s3.put("aws", f"{root}/manifest-files.json", files_body)
    emu.s3.put("aws", f"{root}/manifest-files.checksum", hashlib.md5(files_body).hexdigest().encode())
    summary = {
        "version": "2020-06-30",
        "exportArn": f"arn:aws:dynamodb:us-east-1:123456789012:table/ProductCatalog/export/{export_id}",
        "startTime": "2020-11-04T07:28:34.028Z",
        "endTime": "2020-11-04T07:33:43.897Z",
        "tableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/ProductCatalog",
        "tableId": "12345a12-abcd-123a-ab12-1234abc12345",
        "exportTime": "2020-11-04T07:28:34.028Z",
        "s3Bucket": "aws",
        "s3Prefix": "exports",
        "s3SseAlgorithm": "AES256",
        "s3SseKmsKeyId": None,
        "manifestFilesS3Key": f"{root}/manifest-files.json",
        "billedSizeBytes": 0,
        "itemCount": total,
        "outputFormat": fmt,
    }
    emu.s3.put("aws", f"{root}/manifest-summary.json", json.dumps(summary, indent=3).encode())


PRODUCT = {
    "TableName": "ProductCatalog",
    "BillingMode": "PAY_PER_REQUEST",
    "AttributeDefinitions": [{"AttributeName": "Id", "AttributeType": "N"}],
    "KeySchema": [{"AttributeName": "Id", "KeyType": "HASH"}],
}
BOOK_JSON = (
    '{"Item":{"Authors":{"SS":["Author1","Author2"]},"Dimensions":{"S":"8.5 x 11.0 x 1.5"},'
    '"ISBN":{"S":"333-3333333333"},"Id":{"N":"103"},"InPublication":{"BOOL":false},'
    '"PageCount":{"N":"600"},"Price":{"N":"2000"},"ProductCategory":{"S":"Book"},'
    '"Title":{"S":"Book 103 Title"}}}'
)
BOOK_ION = (
    '$ion_1_0 {Item:{Authors:$dynamodb_SS::["Author1","Author2"],Dimensions:"8.5 x 11.0 x 1.5",'
    'ISBN:"333-3333333333",Id:103.,InPublication:false,PageCount:6d2,Price:2d3,ProductCategory:"Book",'
    'Title:"Book 103 Title"}}'
)
BOOK = {
    "Authors": {"SS": ["Author1", "Author2"]},
    "Dimensions": {"S": "8.5 x 11.0 x 1.5"},
    "ISBN": {"S": "333-3333333333"},
    "Id": {"N": "103"},
    "InPublication": {"BOOL": False},
    "PageCount": {"N": "600"},
    "Price": {"N": "2000"},
    "ProductCategory": {"S": "Book"},
    "Title": {"S": "Book 103 Title"},
}


@pytest.mark.parametrize(("fmt", "book"), [("DYNAMODB_JSON", BOOK_JSON), ("ION", BOOK_ION)])
def test_a_documented_aws_export_tree_imports_unchanged(
    emu: DynamoDBEmulator, client: Any, fmt: str, book: str
) -> None:
    other = book.replace("103", "104")
    _aws_export_tree(emu, "01234567890123-a1b2c3d4", {"aaa.json.gz": [book], "bbb.json.gz": [other]}, fmt)
    desc = client.import_table(
        S3BucketSource={
            "S3Bucket": "aws",
            "S3KeyPrefix": "exports/AWSDynamoDB/01234567890123-a1b2c3d4/data/",
        },
        InputFormat=fmt,
        InputCompressionType="GZIP",
        TableCreationParameters=PRODUCT,
    )["ImportTableDescription"]
    assert (desc["ImportStatus"], desc["ImportedItemCount"]) == ("COMPLETED", 2)
    got = client.get_item(TableName="ProductCatalog", Key={"Id": {"N": "103"}})["Item"]
    assert got == BOOK


def test_corrupted_lines_are_counted_logged_and_fail_the_import(emu: DynamoDBEmulator, client: Any) -> None:
    good = json.dumps({"Item": _encode(_item(1))})
    lines = [
        good,
        "{not json",
        json.dumps({"Item": {"pk": {"S": "p"}}}),  # no sort key
        json.dumps({"Item": {"pk": {"N": "1"}, "sk": {"N": "1"}}}),  # wrong key type
        json.dumps({"NotItem": {}}),
        json.dumps({"Item": {"pk": {"S": "big"}, "sk": {"N": "1"}, "v": {"S": "x" * 410_000}}}),
        json.dumps({"Item": _encode(_item(2))}),
    ]
    emu.s3.put("src", "bad.json", "\n".join(lines).encode())
    desc = _import(client, "src", "bad.json")
    assert desc["ImportStatus"] == "FAILED"
    assert desc["FailureCode"] == "ItemValidationError"
    assert desc["FailureMessage"] == (
        "Some of the items failed validation checks and were not imported. Please check CloudWatch error "
        "logs for more details."
    )
    assert (desc["ProcessedItemCount"], desc["ImportedItemCount"], desc["ErrorCount"]) == (7, 2, 5)
    events = [json.loads(event["message"]) for event in emu.transfers.log(desc["ImportArn"])]
    assert [event["itemS3Pointer"]["itemIndex"] for event in events] == [1, 2, 3, 4, 5]
    assert events[1] == {
        "itemS3Pointer": {"bucket": "src", "key": "bad.json", "itemIndex": 2},
        "importArn": desc["ImportArn"],
        "errorMessages": ["One or more parameter values were invalid: Missing the key sk in the item"],
    }
    assert client.describe_table(TableName="imported")["Table"]["ItemCount"] == 2


def test_csv_with_header_line_header_list_and_delimiters(emu: DynamoDBEmulator, client: Any) -> None:
    emu.s3.put("src", "a.csv", b'pk,sk,owner,note\np1,1,o1,hello\np1,2,,"quoted, comma"\n')
    desc = _import(client, "src", "a.csv", "CSV")
    assert (desc["ImportStatus"], desc["ImportedItemCount"]) == ("COMPLETED", 2)
    assert _all_items(client, "imported") == [
        {"pk": {"S": "p1"}, "sk": {"N": "1"}, "owner": {"S": "o1"}, "note": {"S": "hello"}},
        {"pk": {"S": "p1"}, "sk": {"N": "2"}, "note": {"S": "quoted, comma"}},
    ]
    emu.s3.put("src2", "b.tsv", b"p2\t5\tnote\np2\tnot-a-number\tx\n")
    desc = _import(
        client,
        "src2",
        "",
        "CSV",
        InputFormatOptions={"Csv": {"Delimiter": "\t", "HeaderList": ["pk", "sk", "note"]}},
        table={"TableName": "tabbed"},
    )
    assert (desc["ImportStatus"], desc["ImportedItemCount"], desc["ErrorCount"]) == ("FAILED", 1, 1)
    assert desc["InputFormatOptions"] == {"Csv": {"Delimiter": "\t", "HeaderList": ["pk", "sk", "note"]}}
    assert _all_items(client, "tabbed") == [{"pk": {"S": "p2"}, "sk": {"N": "5"}, "note": {"S": "note"}}]


def test_compressed_sources(emu: DynamoDBEmulator, client: Any) -> None:
    body = "".join(json.dumps({"Item": _encode(_item(i))}) + "\n" for i in range(5)).encode()
    emu.s3.put("src", "gz/one.gz", gzip.compress(body))
    desc = _import(client, "src", "gz/", InputCompressionType="GZIP")
    assert (desc["ImportedItemCount"], desc["ProcessedSizeBytes"]) == (5, len(body))
    if zstd_available():
        import zstandard

        emu.s3.put("src", "zs/one.zst", zstandard.ZstdCompressor().compress(body))
        desc = _import(client, "src", "zs/", InputCompressionType="ZSTD", table={"TableName": "zstd"})
        assert (desc["ImportStatus"], desc["ImportedItemCount"]) == ("COMPLETED", 5)


def test_import_failures_and_refusals(emu: DynamoDBEmulator, client: Any) -> None:
    desc = _import(client, "no-such-bucket", "x")
    assert (desc["ImportStatus"], desc["FailureCode"]) == ("FAILED", "S3NoSuchBucket")
    assert "imported" not in client.list_tables()["TableNames"]
    emu.s3.put("src", "a.json", json.dumps({"Item": _encode(_item(1))}).encode())
    _import(client, "src", "a.json")
    with pytest.raises(ClientError) as caught:
        _import(client, "src", "a.json")
    assert caught.value.response["Error"]["Code"] == "ResourceInUseException"
    assert caught.value.response["Error"]["Message"] == "Table already exists: imported"
    with pytest.raises(ClientError) as caught:
        options = {"Csv": {"Delimiter": ","}}
        _import(client, "src", "a.json", InputFormatOptions=options, table={"TableName": "tab2"})
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as caught:
        client.describe_import(ImportArn="arn:aws:dynamodb:us-east-1:123456789012:table/x/import/0-0")
    assert caught.value.response["Error"]["Code"] == "ImportNotFoundException"


def test_import_with_delay_keeps_the_table_creating(emu: DynamoDBEmulator) -> None:
    client = emu.client()
    emu.clock.set(1_800_000_000.0)
    emu.transfers.duration = 60
    emu.s3.put("src", "a.json", json.dumps({"Item": _encode(_item(1))}).encode())
    desc = _import(client, "src", "a.json")
    assert desc["ImportStatus"] == "IN_PROGRESS" and "ImportedItemCount" not in desc
    assert client.describe_table(TableName="imported")["Table"]["TableStatus"] == "CREATING"
    emu.clock.advance(60)
    done = client.describe_import(ImportArn=desc["ImportArn"])["ImportTableDescription"]
    assert (done["ImportStatus"], done["ImportedItemCount"]) == ("COMPLETED", 1)
    assert done["EndTime"].timestamp() == 1_800_000_060.0
    assert client.describe_table(TableName="imported")["Table"]["TableStatus"] == "ACTIVE"


def test_list_imports_and_client_tokens(emu: DynamoDBEmulator, client: Any) -> None:
    emu.s3.put("src", "a.json", json.dumps({"Item": _encode(_item(1))}).encode())
    arns = [_import(client, "src", "a.json", table={"TableName": f"tab{i}"})["ImportArn"] for i in range(3)]
    listed = client.list_imports(PageSize=2)
    assert [s["ImportArn"] for s in listed["ImportSummaryList"]] == arns[:0:-1]
    rest = client.list_imports(PageSize=2, NextToken=listed["NextToken"])
    assert [s["ImportArn"] for s in rest["ImportSummaryList"]] == arns[:1]
    one = client.list_imports(TableArn=arns[1].split("/import/")[0])["ImportSummaryList"]
    assert [s["ImportArn"] for s in one] == [arns[1]]
    first = _import(client, "src", "a.json", ClientToken="tok", table={"TableName": "tokened"})
    again = _import(client, "src", "a.json", ClientToken="tok", table={"TableName": "tokened"})
    assert first["ImportArn"] == again["ImportArn"]
    with pytest.raises(ClientError) as caught:
        _import(client, "src", "other.json", ClientToken="tok", table={"TableName": "tokened"})
    assert caught.value.response["Error"]["Code"] == "ImportConflictException"


def test_ion_values_may_span_lines(emu: DynamoDBEmulator, client: Any) -> None:
    text = '$ion_1_0 {\n  Item: {\n    pk: "a",\n    sk: 1.\n  }\n}\n' + ion.item_line(_item(3)) + "\n"
    emu.s3.put("src", "a.ion", text.encode())
    desc = _import(client, "src", "a.ion", "ION")
    assert (desc["ImportStatus"], desc["ImportedItemCount"]) == ("COMPLETED", 2)


def test_server_imports_from_its_s3_dir(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import boto3

    from theorydb_mocks.emulator.server import serve_in_thread

    source = tmp_path / "seed" / "in" / "items.json.gz"
    source.parent.mkdir(parents=True)
    lines = [json.dumps({"Item": _encode(_item(i))}) for i in range(4)] + ["{broken"]
    source.write_bytes(gzip.compress("\n".join(lines).encode()))
    with serve_in_thread(s3_dir=str(tmp_path)) as endpoint, caplog.at_level("INFO", "theorydb_mocks.imports"):
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="k",
            aws_secret_access_key="s",
        )
        desc = _import(client, "seed", "in/", InputCompressionType="GZIP")
        assert (desc["ImportStatus"], desc["ImportedItemCount"], desc["ErrorCount"]) == ("FAILED", 4, 1)
        assert (
            client.describe_import(ImportArn=desc["ImportArn"])["ImportTableDescription"]["ErrorCount"] == 1
        )
        assert len(_all_items(client, "imported")) == 4
        assert [s["ImportArn"] for s in client.list_imports()["ImportSummaryList"]] == [desc["ImportArn"]]
    assert any('"itemIndex":4' in record.getMessage() for record in caplog.records)
    assert any("importing 1 objects" in record.getMessage() for record in caplog.records)


def test_jobs_survive_a_server_restart_with_a_journal(tmp_path: Path) -> None:
    """The imported table is kept; the export's files are neither written again nor duplicated (a replay that
    runs the jobs again makes the same ids, so the same files)."""
    import boto3

    from theorydb_mocks.emulator.server import serve_in_thread

    s3_dir, db = tmp_path / "s3", str(tmp_path / "db.journal")
    (s3_dir / "seed").mkdir(parents=True)
    (s3_dir / "seed" / "items.json").write_text(json.dumps({"Item": _encode(_item(1))}) + "\n")

    def connect(endpoint: str) -> Any:
        return boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="k",
            aws_secret_access_key="s",
        )

    with serve_in_thread(s3_dir=str(s3_dir), db_path=db) as endpoint:
        client = connect(endpoint)
        imported = _import(client, "seed", "items.json")
        arn = client.describe_table(TableName="imported")["Table"]["TableArn"]
        enable_pitr_over(client, "imported")
        export = client.export_table_to_point_in_time(TableArn=arn, S3Bucket="out")["ExportDescription"]
    files_before = sorted(p.relative_to(s3_dir) for p in s3_dir.rglob("*") if p.is_file())
    with serve_in_thread(s3_dir=str(s3_dir), db_path=db) as endpoint:
        client = connect(endpoint)
        assert len(_all_items(client, "imported")) == 1
    assert imported["ImportStatus"] == export["ExportStatus"] == "COMPLETED"
    assert sorted(p.relative_to(s3_dir) for p in s3_dir.rglob("*") if p.is_file()) == files_before


def enable_pitr_over(client: Any, table: str) -> None:
    """Point-in-time recovery on, where the emulator models it (exports need it)."""
    try:
        client.update_continuous_backups(
            TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
    except ClientError as err:
        assert err.response["Error"]["Code"] == "UnknownOperationException"


@pytest.mark.parametrize("compression", ["GZIP", "ZSTD"])
def test_a_damaged_object_is_one_error_and_the_import_goes_on(
    emu: DynamoDBEmulator, client: Any, compression: str
) -> None:
    if compression == "ZSTD" and not zstd_available():
        pytest.skip("no zstd library installed")
    good = "".join(json.dumps({"Item": _encode(_item(i))}) + "\n" for i in range(3)).encode()
    if compression == "GZIP":
        packed = gzip.compress(good)
    else:
        import zstandard

        packed = zstandard.ZstdCompressor().compress(good)
    emu.s3.put("src", "in/a-damaged", b"this is not compressed at all")
    emu.s3.put("src", "in/b-good", packed)
    desc = _import(client, "src", "in/", InputCompressionType=compression)
    assert (desc["ImportStatus"], desc["ErrorCount"], desc["ImportedItemCount"]) == ("FAILED", 1, 3)
    (event,) = emu.transfers.log(desc["ImportArn"])
    assert json.loads(event["message"])["itemS3Pointer"]["key"] == "in/a-damaged"
