"""StartBulkPutItems, DescribeBulkOperation, ListBulkOperations, CancelBulkOperation."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.transfer import ion


@pytest.fixture
def emu() -> DynamoDBEmulator:
    emu = DynamoDBEmulator()
    emu.dispatch(
        "CreateTable",
        {
            "TableName": "target",
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "g", "AttributeType": "S"},
            ],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
        },
    )
    emu.dispatch("PutItem", {"TableName": "target", "Item": {"pk": {"S": "old"}, "v": {"S": "before"}}})
    return emu


@pytest.fixture(params=["direct", "routed"])
def client(request: pytest.FixtureRequest, emu: DynamoDBEmulator) -> Any:
    return emu.client() if request.param == "direct" else emu.boto3_client()


def _start(client: Any, prefix: str = "in/", fmt: str = "DYNAMODB_JSON", **extra: Any) -> dict[str, Any]:
    input_config = {"S3Bucket": "src", "S3KeyPrefix": prefix, "InputFormat": fmt}
    input_config.update(extra.pop("input", {}))
    answer = client.start_bulk_put_items(
        TableName="target",
        InputS3Configuration=input_config,
        OutputS3Configuration={
            "S3Bucket": "out",
            "S3KeyPrefix": "reports",
            "OutputType": ["ERROR", "CONDITION_CHECK_FAILURE"],
        },
        **extra,
    )
    description: dict[str, Any] = answer["BulkOperationDescription"]
    return description


def _line(item: dict[str, Any], **condition: Any) -> str:
    return json.dumps({"Item": item, **condition})


def test_bulk_put_writes_overwrites_and_reports(emu: DynamoDBEmulator, client: Any) -> None:
    lines = [
        _line({"pk": {"S": "a"}, "g": {"S": "x"}}),
        _line({"pk": {"S": "old"}, "v": {"S": "after"}}),
        _line({"pk": {"N": "1"}}),  # wrong key type: an error
        _line({"pk": {"S": "a"}}, ConditionExpression="attribute_not_exists(pk)"),  # exists: condition fails
        _line(
            {"pk": {"S": "b"}, "bin": {"B": "AAE="}},
            ConditionExpression="attribute_not_exists(pk) AND :t = :t",
            ExpressionAttributeValues={":t": {"B": "AAE="}},
        ),
    ]
    emu.s3.put("src", "in/part.json.gz", gzip.compress("\n".join(lines).encode()))
    desc = _start(client, input={"InputCompressionType": "GZIP"})
    assert desc["BulkOperationStatus"] == "COMPLETED_WITH_ERRORS"
    assert (desc["ProcessedItemCount"], desc["FailedItemCount"]) == (5, 1)
    assert desc["TotalInputBytes"] == desc["ProcessedInputBytes"] == emu.s3.size("src", "in/part.json.gz")
    assert desc["TableDetails"] == [{"TableName": "target", "TableId": emu.get_table("target").table_id}]
    usage = desc["BulkOperationUsage"][0]
    assert usage["TableName"] == "target" and usage["GlobalSecondaryIndexes"]["by-g"]["BulkPutBytes"] > 0
    got = {i["pk"]["S"]: i for i in client.scan(TableName="target")["Items"]}
    assert got["old"]["v"] == {"S": "after"} and got["a"] == {"pk": {"S": "a"}, "g": {"S": "x"}}
    assert got["b"]["bin"] == {"B": b"\x00\x01"}
    op_id = desc["BulkOperationArn"].rsplit("/", 1)[1]
    errors = emu.s3.read("out", f"reports/{op_id}/errors.json").decode().splitlines()
    assert [json.loads(e)["itemS3Pointer"]["itemIndex"] for e in errors] == [2]
    failed = emu.s3.read("out", f"reports/{op_id}/condition-check-failures.json").decode().splitlines()
    assert json.loads(failed[0])["Item"] == {"pk": {"S": "a"}}
    assert (
        client.describe_bulk_operation(BulkOperationArn=desc["BulkOperationArn"])["BulkOperationDescription"]
        == desc
    )


def test_bulk_put_reads_ion(emu: DynamoDBEmulator, client: Any) -> None:
    emu.s3.put("src", "in/a.ion", (ion.item_line({"pk": {"S": "i"}, "n": {"N": "600"}}) + "\n").encode())
    desc = _start(client, fmt="ION")
    assert desc["BulkOperationStatus"] == "COMPLETED"
    assert client.get_item(TableName="target", Key={"pk": {"S": "i"}})["Item"]["n"] == {"N": "600"}


def test_cancel_before_completion_writes_nothing(emu: DynamoDBEmulator) -> None:
    client = emu.client()
    emu.clock.set(1_800_000_000.0)
    emu.transfers.duration = 10
    emu.s3.put("src", "in/a.json", _line({"pk": {"S": "late"}}).encode())
    desc = _start(client)
    assert desc["BulkOperationStatus"] == "IN_PROGRESS"
    cancelled = client.cancel_bulk_operation(BulkOperationArn=desc["BulkOperationArn"])
    assert cancelled["BulkOperationStatus"] == "CANCELLING"
    emu.clock.advance(10)
    done = client.describe_bulk_operation(BulkOperationArn=desc["BulkOperationArn"])[
        "BulkOperationDescription"
    ]
    assert done["BulkOperationStatus"] == "CANCELLED"
    assert "Item" not in client.get_item(TableName="target", Key={"pk": {"S": "late"}})
    second = _start(client)
    emu.clock.advance(10)
    assert (
        client.cancel_bulk_operation(BulkOperationArn=second["BulkOperationArn"])["BulkOperationStatus"]
        == "COMPLETED"
    )
    assert "Item" in client.get_item(TableName="target", Key={"pk": {"S": "late"}})


def test_list_and_errors(emu: DynamoDBEmulator, client: Any) -> None:
    emu.s3.put("src", "in/a.json", _line({"pk": {"S": "z"}}).encode())
    arns = [_start(client)["BulkOperationArn"] for _ in range(3)]
    page = client.list_bulk_operations(MaxResults=2)
    assert [s["BulkOperationArn"] for s in page["BulkOperationsSummaryList"]] == arns[:0:-1]
    rest = client.list_bulk_operations(MaxResults=2, NextToken=page["NextToken"])
    assert [s["BulkOperationArn"] for s in rest["BulkOperationsSummaryList"]] == arns[:1]
    with pytest.raises(ClientError) as caught:
        client.start_bulk_put_items(
            TableName="missing",
            InputS3Configuration={"S3Bucket": "src", "InputFormat": "DYNAMODB_JSON"},
            OutputS3Configuration={"OutputType": ["ERROR"]},
        )
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as caught:
        client.describe_bulk_operation(BulkOperationArn=arns[0] + "0")
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    first = _start(client, ClientToken="tok")
    assert _start(client, ClientToken="tok")["BulkOperationArn"] == first["BulkOperationArn"]
    with pytest.raises(ClientError) as caught:
        _start(client, prefix="other", ClientToken="tok")
    assert caught.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"


def test_bulk_operations_over_the_server(tmp_path: Any) -> None:
    import boto3

    from theorydb_mocks.emulator.server import serve_in_thread

    source = tmp_path / "src" / "in" / "a.json"
    source.parent.mkdir(parents=True)
    source.write_text(_line({"pk": {"S": "served"}}) + "\n")
    with serve_in_thread(s3_dir=str(tmp_path)) as endpoint:
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="k",
            aws_secret_access_key="s",
        )
        client.create_table(
            TableName="target",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        )
        desc = _start(client)
        assert desc["BulkOperationStatus"] == "COMPLETED" and desc["ProcessedItemCount"] == 1
        assert desc["StartTime"].year >= 2024
        listed = client.list_bulk_operations()["BulkOperationsSummaryList"]
        assert [s["BulkOperationArn"] for s in listed] == [desc["BulkOperationArn"]]
        assert client.get_item(TableName="target", Key={"pk": {"S": "served"}})["Item"] == {
            "pk": {"S": "served"}
        }
    assert (
        tmp_path / "out" / "reports" / desc["BulkOperationArn"].rsplit("/", 1)[1] / "errors.json"
    ).exists()
