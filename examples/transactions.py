"""Transactions with TableTheory: a bank transfer in a single-table design, all or nothing.

Accounts and ledger entries are two models in one table. A transfer debits one account (only if the
balance covers it), credits the other, and writes a ledger entry: one TransactWriteItems. A transfer that
would overdraw is cancelled as a whole, and the error says which action failed and shows the account as
it was.

Runs on the embedded emulator (no server, no credentials):

    python examples/transactions.py

or against any DynamoDB endpoint, such as DynamoDB Local:

    DYNAMODB_ENDPOINT=http://127.0.0.1:8000 python examples/transactions.py
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

from theorydb_py import (
    ModelDefinition,
    SortKeyCondition,
    Table,
    TransactGet,
    TransactionCanceledError,
    TransactPut,
    TransactUpdate,
    UpdateAdd,
    create_table,
    delete_table,
    theorydb_field,
    transact_get,
    transact_write,
)
from theorydb_py.expressions import exists, gte, not_exists


@dataclass
class Account:
    """An account: partition ``ACCOUNT#<id>``, sort key ``PROFILE``."""

    pk: str = theorydb_field(name="PK", roles="pk")
    sk: str = theorydb_field(name="SK", roles="sk", default="PROFILE")
    owner: str = ""
    balance: int = 0
    version: int = theorydb_field(roles="version", default=0)  # +1 on every update


@dataclass
class Entry:
    """A ledger entry, stored next to its account: sort key ``ENTRY#<transfer id>``."""

    pk: str = theorydb_field(name="PK", roles="pk")
    sk: str = theorydb_field(name="SK", roles="sk")
    amount: int = 0
    counterparty: str = ""


ACCOUNTS = ModelDefinition.from_dataclass(Account, table_name="bank")
ENTRIES = ModelDefinition.from_dataclass(Entry, table_name="bank")


def make_client() -> Any:
    """A DynamoDB client: ``$DYNAMODB_ENDPOINT`` if set, else the in-process emulator."""
    endpoint = os.environ.get("DYNAMODB_ENDPOINT")
    if endpoint:
        import boto3

        return boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
    from theorydb_mocks import DynamoDBEmulator

    return DynamoDBEmulator().client()


def transfer(
    accounts: Table[Account], entries: Table[Entry], source: str, target: str, amount: int, ref: str
) -> None:
    """Move ``amount`` from ``source`` to ``target``, with one ledger entry per side, atomically.

    The table name goes into the request token: tokens are account-wide for ten minutes, so a shared
    server must not see the same token for another table's transfer.
    """
    transact_write(
        [
            TransactUpdate(
                f"ACCOUNT#{source}",
                "PROFILE",
                {"balance": UpdateAdd(-amount)},
                condition=gte("balance", amount),  # never overdraw
                table=accounts,
                return_item_on_failure=True,  # show the account as it was if this fails
            ),
            TransactUpdate(
                f"ACCOUNT#{target}",
                "PROFILE",
                {"balance": UpdateAdd(amount)},
                condition=exists("pk"),
                table=accounts,
            ),
            TransactPut(
                Entry(f"ACCOUNT#{source}", f"ENTRY#{ref}", -amount, target),
                condition=not_exists("pk"),
                table=entries,
            ),
            TransactPut(Entry(f"ACCOUNT#{target}", f"ENTRY#{ref}", amount, source), table=entries),
        ],
        client_request_token=f"{accounts.table_name}-{ref}",  # a retried transfer is applied once
    )


def main(client: Any = None) -> list[str]:
    """Walk through the API; returns (and prints) what it saw."""
    client = client or make_client()
    lines: list[str] = []

    def say(line: str) -> None:
        print(line)
        lines.append(line)

    name = f"bank-{uuid.uuid4().hex[:8]}"  # unique, so runs never collide on a shared server
    create_table(ACCOUNTS, client=client, table_name=name)
    accounts = Table(ACCOUNTS, client=client, table_name=name)
    entries = Table(ENTRIES, client=client, table_name=name)
    try:
        accounts.create(Account("ACCOUNT#ann", owner="Ann", balance=100))
        accounts.create(Account("ACCOUNT#bob", owner="Bob", balance=20))

        transfer(accounts, entries, "ann", "bob", 30, "t-1")
        transfer(accounts, entries, "ann", "bob", 30, "t-1")  # the same request again: idempotent
        ann, bob = transact_get(
            [TransactGet("ACCOUNT#ann", "PROFILE", table=accounts), TransactGet("ACCOUNT#bob", "PROFILE")],
            default=accounts,
        )
        say(f"after t-1: ann={ann.balance} (v{ann.version}) bob={bob.balance} (v{bob.version})")

        try:
            transfer(accounts, entries, "bob", "ann", 500, "t-2")
        except TransactionCanceledError as err:
            codes = [reason.code for reason in err.reasons]
            say(f"t-2 cancelled: {codes}")
            failed = err.failed[0]
            say(f"action {failed.index} failed; bob had {failed.item.balance}")

        ledger = entries.query_all("ACCOUNT#ann", SortKeyCondition.begins_with("ENTRY#"))
        say(f"ann's ledger: {[(e.sk, e.amount, e.counterparty) for e in ledger]}")
        say(f"bob still has {accounts.get('ACCOUNT#bob', 'PROFILE').balance}")
    finally:
        delete_table(ACCOUNTS, client=client, table_name=name)
    return lines


if __name__ == "__main__":
    main()
