"""A Lambda handler for a DynamoDB stream, with TableTheory turning records back into models.

``handler(event, context)`` is what you deploy: each record becomes a ``StreamChange`` (event name, old and
new item) through the model's codec, so converters apply and binary comes back as ``bytes`` although
Lambda delivers it base64-encoded. It returns the partial-batch answer Lambda expects.

``main()`` exercises it end to end: it creates a table with a stream, writes, reads the stream and hands
the records to the handler as Lambda would. It runs on the embedded emulator:

    python examples/lambda_stream_handler.py

(the records come from the emulator's stream, read with its DynamoDB Streams client), or against DynamoDB
Local, whose stream is read with the ``dynamodbstreams`` client:

    DYNAMODB_ENDPOINT=http://127.0.0.1:8000 python examples/lambda_stream_handler.py
"""

from __future__ import annotations

import base64
import os
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from theorydb_py import (
    ModelDefinition,
    Table,
    TheorydbPyError,
    create_table,
    delete_table,
    theorydb_field,
    unmarshal_stream_change,
)


@dataclass
class Order:
    customer: str = theorydb_field(name="PK", roles="pk")
    order_id: str = theorydb_field(name="SK", roles="sk")
    status: str = "open"
    total: Decimal = Decimal("0")
    receipt: bytes = b""  # binary: base64 in Lambda events, bytes again after unmarshalling


ORDERS = ModelDefinition.from_dataclass(Order, table_name="orders")


def handler(event: dict[str, Any], context: Any = None, *, out: list[str] | None = None) -> dict[str, Any]:
    """The Lambda entry point: one line per change; records that cannot be read are reported back to
    Lambda (``batchItemFailures``) so only they are retried."""
    failures = []
    for record in event.get("Records", []):
        try:
            change = unmarshal_stream_change(ORDERS, record)
        except TheorydbPyError as err:
            failures.append({"itemIdentifier": record.get("dynamodb", {}).get("SequenceNumber", "")})
            line = f"unreadable record: {err.message}"
        else:
            if change.event_name == "INSERT" and change.new is not None:
                line = f"new order {change.new.order_id}: {change.new.total} receipt={change.new.receipt!r}"
            elif change.event_name == "MODIFY" and change.old is not None and change.new is not None:
                line = f"order {change.new.order_id}: {change.old.status} -> {change.new.status}"
            else:
                gone = change.old.order_id if change.old is not None else change.keys
                line = f"order {gone} removed"
        print(line)
        if out is not None:
            out.append(line)
    return {"batchItemFailures": failures}


# --- everything below only drives the handler locally ------------------------------------------------


def lambda_value(av: dict[str, Any]) -> dict[str, Any]:
    """One attribute value as Lambda's JSON event carries it: binary as base64 text."""
    ((tag, value),) = av.items()
    if tag == "B":
        return {"B": base64.b64encode(value).decode()}
    if tag == "BS":
        return {"BS": [base64.b64encode(v).decode() for v in value]}
    if tag == "M":
        return {"M": {k: lambda_value(v) for k, v in value.items()}}
    if tag == "L":
        return {"L": [lambda_value(v) for v in value]}
    return av


def lambda_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A Lambda event from DynamoDB Streams records (as boto3's ``get_records`` returns them)."""
    out = []
    for record in records:
        body = dict(record["dynamodb"])
        body.pop("ApproximateCreationDateTime", None)  # a datetime in boto3, a number in Lambda
        for image in ("Keys", "NewImage", "OldImage"):
            if image in body:
                body[image] = {name: lambda_value(av) for name, av in body[image].items()}
        out.append({"eventName": record["eventName"], "eventSource": "aws:dynamodb", "dynamodb": body})
    return {"Records": out}


def read_stream(client: Any, streams: Any, table_name: str) -> list[dict[str, Any]]:
    """Every record of the table's stream so far."""
    arn = client.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        ).get("ShardIterator")
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            records.extend(page["Records"])
            iterator = page.get("NextShardIterator") if page["Records"] else None
    return records


def make_clients() -> tuple[Any, Any]:
    """DynamoDB and DynamoDB Streams clients: ``$DYNAMODB_ENDPOINT``, else the in-process emulator's."""
    endpoint = os.environ.get("DYNAMODB_ENDPOINT")
    if endpoint:
        import boto3

        options = {
            "endpoint_url": endpoint,
            "region_name": "us-east-1",
            "aws_access_key_id": "local",
            "aws_secret_access_key": "local",
        }
        return boto3.client("dynamodb", **options), boto3.client("dynamodbstreams", **options)
    from theorydb_mocks import DynamoDBEmulator

    emu = DynamoDBEmulator()
    return emu.client(), emu.streams_client()


def main(client: Any = None, streams: Any = None) -> list[str]:
    """Write to a table with a stream, then run the handler on the records; returns what it printed."""
    if client is None:
        client, streams = make_clients()
    name = f"orders-{uuid.uuid4().hex[:8]}"
    create_table(ORDERS, client=client, table_name=name, stream_view_type="NEW_AND_OLD_IMAGES")
    orders = Table(ORDERS, client=client, table_name=name)
    try:
        orders.create(Order("ann", "ORDER#1", total=Decimal("42.50"), receipt=b"\x00\x01"))
        orders.update("ann", "ORDER#1", {"status": "shipped"})
        orders.delete("ann", "ORDER#1")
        records = read_stream(client, streams, name)
        lines: list[str] = []
        answer = handler(lambda_event(records), None, out=lines)
        lines.append(f"failures: {answer['batchItemFailures']}")
        print(lines[-1])
        return lines
    finally:
        delete_table(ORDERS, client=client, table_name=name)


if __name__ == "__main__":
    main()
