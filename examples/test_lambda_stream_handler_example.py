"""The stream handler: fed from DynamoDB Local's stream, and from the emulator's."""

from __future__ import annotations

import lambda_stream_handler
from example_support import local_client, run_script

EXPECTED = [
    "new order ORDER#1: 42.5 receipt=b'\\x00\\x01'",
    "order ORDER#1: open -> shipped",
    "order ORDER#1 removed",
    "failures: []",
]


def test_main_reads_dynamodb_locals_stream(dynamodb_local_url: str) -> None:
    client = local_client(dynamodb_local_url)
    streams = local_client(dynamodb_local_url, "dynamodbstreams")
    assert lambda_stream_handler.main(client, streams) == EXPECTED


def test_script_honours_dynamodb_endpoint(dynamodb_local_url: str) -> None:
    assert run_script("lambda_stream_handler.py", dynamodb_local_url) == EXPECTED


def test_script_on_the_embedded_emulator() -> None:
    assert run_script("lambda_stream_handler.py", None) == EXPECTED


def test_unreadable_records_are_reported_to_lambda() -> None:
    event = {
        "Records": [
            {"eventName": "INSERT", "dynamodb": {"SequenceNumber": "7", "NewImage": {"PK": {"N": "1"}}}},
            {"eventName": "UPSERT", "dynamodb": {"SequenceNumber": "8"}},
        ]
    }
    lines: list[str] = []
    answer = lambda_stream_handler.handler(event, None, out=lines)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "7"}, {"itemIdentifier": "8"}]}
    assert (
        lines[1] == "unreadable record: a stream record's eventName is INSERT, MODIFY or REMOVE, not 'UPSERT'"
    )
