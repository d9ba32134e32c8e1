"""Field-level encryption with TableTheory: what is stored, what is read back, what is refused.

A customer's ``ssn`` and ``card`` are sealed with AES-256-GCM under a data key from KMS (one per item
written); DynamoDB only ever holds the envelope. Reading opens them again; a filter on an encrypted field
is refused before anything is sent.

Runs offline on the embedded emulator with ``FakeKmsClient`` standing in for KMS:

    python examples/encryption.py

or against any DynamoDB endpoint, such as DynamoDB Local (keys still from ``FakeKmsClient``, unless
``KMS_KEY_ARN`` names a real KMS key, used through ``boto3.client("kms")``):

    DYNAMODB_ENDPOINT=http://127.0.0.1:8000 python examples/encryption.py
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

from theorydb_py import (
    EncryptionConfigError,
    EncryptionError,
    ModelDefinition,
    Table,
    ValidationError,
    create_table,
    delete_table,
    theorydb_field,
)
from theorydb_py.expressions import eq


@dataclass
class Customer:
    id: str = theorydb_field(roles="pk")
    name: str = ""
    ssn: str = theorydb_field(encrypted=True, default="")
    card: dict[str, str] = theorydb_field(encrypted=True, default_factory=dict)


CUSTOMERS = ModelDefinition.from_dataclass(Customer, table_name="customers")


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


def make_kms() -> tuple[str, Any]:
    """The KMS key ARN and client: ``$KMS_KEY_ARN`` with a real client, else an offline fake."""
    arn = os.environ.get("KMS_KEY_ARN")
    if arn:
        import boto3

        return arn, boto3.client("kms")
    from theorydb_mocks import FakeKmsClient

    return "arn:aws:kms:us-east-1:111122223333:key/example", FakeKmsClient(fresh_keys=True)


def main(client: Any = None, kms: tuple[str, Any] | None = None) -> list[str]:
    """Walk through the API; returns (and prints) what it saw."""
    client = client or make_client()
    key_arn, kms_client = kms or make_kms()
    lines: list[str] = []

    def say(line: str) -> None:
        print(line)
        lines.append(line)

    try:
        Table(CUSTOMERS, client=client)
    except EncryptionConfigError as err:
        say(f"no key, no table: {err.message}")

    name = f"customers-{uuid.uuid4().hex[:8]}"
    create_table(CUSTOMERS, client=client, table_name=name)
    customers = Table(CUSTOMERS, client=client, table_name=name, kms_key_arn=key_arn, kms_client=kms_client)
    try:
        customers.put(Customer("c1", "Ann", "123-45-6789", {"number": "4111111111111111", "exp": "12/29"}))
        customers.batch_write(puts=[Customer(f"c{i}", f"user {i}", f"000-00-000{i}") for i in range(2, 5)])

        raw = client.get_item(TableName=name, Key={"id": {"S": "c1"}})["Item"]
        say(f"stored ssn is a map with {sorted(raw['ssn']['M'])}")
        say(f"plaintext stored: {b'123-45-6789' in raw['ssn']['M']['ct']['B']}")
        say(f"both fields share one data key: {raw['ssn']['M']['edk'] == raw['card']['M']['edk']}")

        ann = customers.get("c1")
        say(f"read back: {ann.name} {ann.ssn} card ending {ann.card['number'][-4:]}")
        found = customers.batch_get(["c4", "c2", "c9"])
        say(f"batch: {[c.ssn for c in found]} missing {found.missing}")

        try:
            customers.scan(filter=eq("ssn", "123-45-6789"))
        except ValidationError as err:
            say(f"refused: {err.message}")

        other = raw["ssn"]
        raw["ssn"] = raw["card"]
        raw["card"] = other  # envelopes swapped between attributes: the AAD catches it
        client.put_item(TableName=name, Item=raw)
        try:
            customers.get("c1")
        except EncryptionError as err:
            say(f"tampered item: {err.message}")
    finally:
        delete_table(CUSTOMERS, client=client, table_name=name)
    return lines


if __name__ == "__main__":
    main()
