"""Threads running transactions on the same items: never a half-applied transaction, never a lost update.

Writers move money between five accounts (a conditional debit and a credit, plus one increment of a shared
counter, in one TransactWriteItems); readers take transactional snapshots of every account at once. The total
is invariant, so any reader that sees it differ has seen half a transaction; the counter must end equal to
the number of transactions that succeeded, so an update lost to a race would show.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator

ACCOUNTS = [f"acct-{n}" for n in range(5)]
START = 100
WRITERS = 4
TRANSFERS = 150


def key(pk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}}


def transfer(source: str, target: str, amount: int) -> list[dict[str, Any]]:
    value = {":a": {"N": str(amount)}}
    return [
        {
            "Update": {
                "TableName": "bank",
                "Key": key(source),
                "UpdateExpression": "SET n = n - :a",
                "ConditionExpression": "n >= :a",
                "ExpressionAttributeValues": value,
            }
        },
        {
            "Update": {
                "TableName": "bank",
                "Key": key(target),
                "UpdateExpression": "SET n = n + :a",
                "ExpressionAttributeValues": value,
            }
        },
        {
            "Update": {
                "TableName": "bank",
                "Key": key("counter"),
                "UpdateExpression": "ADD n :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
    ]


def test_transfers_are_atomic_and_isolated() -> None:
    emu = DynamoDBEmulator()
    setup = emu.client()
    setup.create_table(**table_request("bank", ranged=False))
    for account in ACCOUNTS:
        setup.put_item(TableName="bank", Item={**key(account), "n": {"N": str(START)}})
    succeeded: list[int] = []
    torn: list[list[int]] = []
    errors: list[BaseException] = []
    writing = threading.Event()
    writing.set()
    start = threading.Barrier(WRITERS + 2)

    def writer(seed: int) -> None:
        client = emu.client()
        rng = random.Random(seed)
        done = 0
        start.wait()
        try:
            for _ in range(TRANSFERS):
                source, target = rng.sample(ACCOUNTS, 2)
                try:
                    client.transact_write_items(TransactItems=transfer(source, target, rng.randint(1, 60)))
                    done += 1
                except client.exceptions.TransactionCanceledException:
                    pass  # the debit's condition failed: nothing may have changed
        except BaseException as err:  # surfaced in the main thread
            errors.append(err)
        succeeded.append(done)

    def reader(client: Any) -> None:
        gets = [{"Get": {"TableName": "bank", "Key": key(account)}} for account in ACCOUNTS]
        start.wait()
        try:
            while writing.is_set():
                balances = [
                    int(r["Item"]["n"]["N"])
                    for r in client.transact_get_items(TransactItems=gets)["Responses"]
                ]
                if sum(balances) != START * len(ACCOUNTS) or min(balances) < 0:
                    torn.append(balances)
        except (ClientError, AssertionError) as err:
            errors.append(err)

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    readers = [
        threading.Thread(target=reader, args=(emu.client(),)),
        threading.Thread(target=reader, args=(emu.boto3_client(),)),
    ]
    for thread in (*writers, *readers):
        thread.start()
    for thread in writers:
        thread.join()
    writing.clear()
    for thread in readers:
        thread.join()
    assert errors == []
    assert torn == [], f"a reader saw half a transaction: {torn[:3]}"
    final = {
        i["pk"]["S"]: int(i["n"]["N"]) for i in setup.scan(TableName="bank", ConsistentRead=True)["Items"]
    }
    assert sum(final[a] for a in ACCOUNTS) == START * len(ACCOUNTS)
    assert final["counter"] == sum(succeeded)  # no increment lost
    assert 0 < sum(succeeded) <= WRITERS * TRANSFERS


def test_concurrent_increments_by_transaction_and_single_updates() -> None:
    """Transactions and plain UpdateItem calls racing on one item: every increment lands."""
    emu = DynamoDBEmulator()
    emu.client().create_table(**table_request("hits", ranged=False))
    per_thread = 200
    add = {"UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}

    def by_transaction() -> None:
        client = emu.client()
        for _ in range(per_thread):
            client.transact_write_items(
                TransactItems=[{"Update": {"TableName": "hits", "Key": key("x"), **add}}]
            )

    def by_update() -> None:
        client = emu.client()
        for _ in range(per_thread):
            client.update_item(TableName="hits", Key=key("x"), **add)

    threads = [threading.Thread(target=fn) for fn in (by_transaction, by_transaction, by_update, by_update)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    item = emu.client().get_item(TableName="hits", Key=key("x"))["Item"]
    assert item["n"] == {"N": str(4 * per_thread)}
