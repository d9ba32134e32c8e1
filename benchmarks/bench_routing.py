#!/usr/bin/env python3
"""The routed boto3 door against botocore's ``Stubber`` floor, on the same calls.

    python benchmarks/bench_routing.py --ops 2000

A ``Stubber`` answers a real boto3 client from a queue, inside botocore's ``before-call`` event: the client
still validates and serializes each request, but nothing is signed, sent, retried or parsed. That is the
least any boto3 client can cost, so it is the floor for ``emu.boto3_client()`` (and ``mock_dynamodb``),
which also runs botocore's send path, retry handler and response parser, and the emulator behind them.
The emulator's direct client (``emu.client()``) is shown beside them. Times are CPU time per call, best of
5 runs (the machine is shared: CPU time is the least disturbed figure).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import boto3
from _harness import machine
from botocore.stub import Stubber

from theorydb_mocks import DynamoDBEmulator

TABLE = "things"
KEY = {"pk": {"S": "p"}, "sk": {"S": "item#00000001"}}


def item(i: int) -> dict[str, Any]:
    return {
        "pk": {"S": "p"},
        "sk": {"S": f"item#{i:08d}"},
        "name": {"S": f"name {i}"},
        "count": {"N": str(i)},
    }


CALLS: dict[str, tuple[str, Callable[[int], dict[str, Any]], dict[str, Any]]] = {
    # name: (method, request for call i, the answer a Stubber hands back)
    "put_item": ("put_item", lambda i: {"TableName": TABLE, "Item": item(i % 100)}, {}),
    "get_item": (
        "get_item",
        lambda i: {"TableName": TABLE, "Key": {"pk": {"S": "p"}, "sk": {"S": f"item#{i % 100:08d}"}}},
        {"Item": item(1)},
    ),
    "update_item (conditional)": (
        "update_item",
        lambda i: {
            "TableName": TABLE,
            "Key": {"pk": {"S": "p"}, "sk": {"S": f"item#{i % 100:08d}"}},
            "UpdateExpression": "SET #c = #c + :one",
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeNames": {"#c": "count"},
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        },
        {},
    ),
    "query 10 items": (
        "query",
        lambda i: {
            "TableName": TABLE,
            "KeyConditionExpression": "pk = :p AND sk >= :s",
            "ExpressionAttributeValues": {":p": {"S": "p"}, ":s": {"S": "item#00000040"}},
            "Limit": 10,
        },
        {"Items": [item(n) for n in range(40, 50)], "Count": 10, "ScannedCount": 10},
    ),
}


def prepare(client: Any) -> None:
    client.create_table(
        TableName=TABLE,
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for i in range(100):
        client.put_item(TableName=TABLE, Item=item(i))


def best_us(run: Callable[[], None], ops: int, before: Callable[[], None] | None = None) -> float:
    best = float("inf")
    for _ in range(6):  # the first run is a warm-up
        if before is not None:
            before()
        start = time.process_time()
        run()
        best = min(best, (time.process_time() - start) / ops)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ops", type=int, default=1000)
    args = parser.parse_args()
    ops = args.ops
    emu = DynamoDBEmulator()
    direct = emu.client()
    prepare(direct)
    routed = emu.boto3_client()
    stubbed = boto3.client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    stubber = Stubber(stubbed)
    stubber.activate()
    print(f"# bench_routing: {machine()}; CPU us per call, best of 5 runs of {ops}")
    print("| call | Stubber floor | routed boto3 client | routed / floor | direct client |")
    print("| --- | --- | --- | --- | --- |")
    for name, (method, request, answer) in CALLS.items():

        def queue(method: str = method, answer: dict[str, Any] = answer) -> None:
            for _ in range(ops):
                stubber.add_response(method, answer)

        def call(
            client: Any, method: str = method, request: Callable[[int], dict[str, Any]] = request
        ) -> None:
            bound = getattr(client, method)
            for i in range(ops):
                bound(**request(i))

        floor = best_us(lambda: call(stubbed), ops, queue)
        door = best_us(lambda: call(routed), ops)
        own = best_us(lambda: call(direct), ops)
        print(f"| {name} | {floor:.1f} | {door:.1f} | {door / floor:.2f}x | {own:.1f} |")


if __name__ == "__main__":
    main()
