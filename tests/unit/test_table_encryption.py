"""Table with encrypted fields: fail closed without a key, seal on write, open on read, refuse in queries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest

from tests.unit._models import SECRETS, Secret
from tests.unit.test_encryption import (
    DATA_KEY,
    EDK,
    GOLDEN_NONCES,
    PROFILE,
    CounterBytes,
    RecordingKms,
    golden_envelope,
)
from tests.unit.test_encryption import KEY_ARN as GOLDEN_ARN
from theorydb_py import (
    EncryptionConfigError,
    ModelDefinition,
    Table,
    TransactPut,
    TransactUpdate,
    UpdateAdd,
    ValidationError,
    theorydb_field,
)
from theorydb_py._types import AttributeValue
from theorydb_py.encryption import EncryptionError
from theorydb_py.expressions import eq
from theorydb_py.mocks import ANY, Exact, FakeDynamoDBClient, FakeKmsClient

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/test"


def nonces() -> Callable[[int], bytes]:
    counter = count(1)
    return lambda n: next(counter).to_bytes(n, "big")


def test_a_model_with_encrypted_fields_needs_a_key() -> None:
    with pytest.raises(
        EncryptionConfigError,
        match=r"Secret has encrypted fields \(ssn, pin\) but kms_key_arn is not configured",
    ):
        Table(SECRETS, client=object())


def test_put_seals_encrypted_fields_with_one_data_key_and_get_opens_them(fake: FakeDynamoDBClient) -> None:
    kms = FakeKmsClient()
    table = Table(SECRETS, client=fake, kms_key_arn=KEY_ARN, kms_client=kms, rand_bytes=nonces())
    fake.expect(
        "put_item", {"Item": {"id": {"S": "s1"}, "visible": {"S": "v"}, "ssn": ANY, "pin": ANY}}, response={}
    )
    table.put(Secret("s1", "123-45-6789", 1234, "v"))
    item = fake.calls[-1].params["Item"]
    for attr in ("ssn", "pin"):
        envelope = item[attr]["M"]
        assert set(envelope) == {"v", "edk", "nonce", "ct"} and envelope["v"] == {"N": "1"}
        assert b"123-45-6789" not in envelope["ct"]["B"]
    assert [c.method for c in kms.calls] == ["generate_data_key"]  # one data key for the whole item
    fake.expect("get_item", {"Key": {"id": {"S": "s1"}}}, response={"Item": item})
    assert table.get("s1") == Secret("s1", "123-45-6789", 1234, "v")
    assert [c.method for c in kms.calls] == ["generate_data_key", "decrypt"]  # one Decrypt for both fields


def test_a_tampered_envelope_fails_closed(fake: FakeDynamoDBClient) -> None:
    kms = FakeKmsClient()
    table = Table(SECRETS, client=fake, kms_key_arn=KEY_ARN, kms_client=kms)
    item = table.to_item(Secret("s1", "secret"))
    item["pin"], item["ssn"] = item["ssn"], item["pin"]  # envelopes moved to other attributes
    fake.expect("get_item", {}, response={"Item": item})
    with pytest.raises(EncryptionError):
        table.get("s1")


def test_encrypted_fields_are_refused_in_filters_and_add(fake: FakeDynamoDBClient) -> None:
    table = Table(SECRETS, client=fake, kms_key_arn=KEY_ARN, kms_client=FakeKmsClient())
    with pytest.raises(ValidationError, match="ssn is encrypted and cannot be used in a filter"):
        table.scan(filter=eq("ssn", "x"))
    with pytest.raises(ValidationError, match="pin is encrypted and cannot be used in ADD"):
        table.update("s1", None, {"pin": UpdateAdd(1)})
    assert fake.calls == []


def test_update_seals_set_values(fake: FakeDynamoDBClient) -> None:
    kms = FakeKmsClient()
    table = Table(SECRETS, client=fake, kms_key_arn=KEY_ARN, kms_client=kms)
    sealed = table.to_item(Secret("s1", "new"))
    fake.expect(
        "update_item",
        {"UpdateExpression": "SET #d_ssn = :d_ssn", "ExpressionAttributeValues": {":d_ssn": {"M": ANY}}},
        response={"Attributes": sealed},
    )
    assert table.update("s1", None, {"ssn": "new"}).ssn == "new"


# --- batches, transactions: golden envelopes at the Table level, one data key per item, tamper tests ---


class ProfileConverter:
    """Stores the golden PROFILE map as it is, so the Table's envelopes can be compared with the goldens."""

    def to_dynamodb(self, value: Any) -> AttributeValue:
        return PROFILE

    def from_dynamodb(self, value: AttributeValue) -> Any:
        return "profile" if value == PROFILE else "other"


@dataclass
class Golden:
    id: str = theorydb_field(roles="pk")
    email: str = theorydb_field(encrypted=True, default="")
    ssn: str = theorydb_field(encrypted=True, default="")
    profile: str = theorydb_field(encrypted=True, converter=ProfileConverter(), default="profile")


GOLDENS = ModelDefinition.from_dataclass(Golden, table_name="goldens")
ALICE = Golden("g1", email="alice@example.com", ssn="123-45-6789")


def golden_item() -> dict[str, Any]:
    """ALICE as stored: the golden envelopes of tests/unit/test_encryption.py, byte for byte."""
    return {"id": {"S": "g1"}, **{name: golden_envelope(name) for name in GOLDEN_NONCES}}


def golden_table(client: Any, kms: Any = None) -> Table[Golden]:
    kms = FakeKmsClient(plaintext_key=DATA_KEY, ciphertext_blob=EDK) if kms is None else kms
    return Table(GOLDENS, client=client, kms_key_arn=GOLDEN_ARN, kms_client=kms, rand_bytes=CounterBytes())


def test_batch_write_seals_each_item_under_its_own_data_key_matching_the_goldens(
    fake: FakeDynamoDBClient,
) -> None:
    kms = FakeKmsClient(plaintext_key=DATA_KEY, ciphertext_blob=EDK)
    fake.expect(
        "batch_write_item",
        {"RequestItems": {"goldens": [{"PutRequest": {"Item": Exact(golden_item())}}, {"PutRequest": ANY}]}},
        response={},
    )
    golden_table(fake, kms).batch_write(puts=[ALICE, Golden("g2", email="bob@example.com")])
    assert [(c.method, c.params) for c in kms.calls] == [
        ("generate_data_key", {"KeyId": GOLDEN_ARN, "KeySpec": "AES_256"}),
        ("generate_data_key", {"KeyId": GOLDEN_ARN, "KeySpec": "AES_256"}),
    ]
    second = fake.calls[0].params["RequestItems"]["goldens"][1]["PutRequest"]["Item"]
    assert second["email"]["M"]["nonce"]["B"] == bytes(range(36, 48))  # the nonce stream goes on


def test_transactions_seal_puts_and_updates_matching_the_goldens(fake: FakeDynamoDBClient) -> None:
    kms = FakeKmsClient(plaintext_key=DATA_KEY, ciphertext_blob=EDK)
    table = golden_table(fake, kms)
    fake.expect(
        "transact_write_items",
        {
            "TransactItems": [
                {
                    "Put": {
                        "Item": Exact({"id": {"S": "g1"}, **{n: golden_envelope(n) for n in GOLDEN_NONCES}})
                    }
                },
                {
                    "Update": {
                        "UpdateExpression": "SET #d_ssn = :d_ssn",
                        "ExpressionAttributeValues": {":d_ssn": {"M": ANY}},
                    }
                },
            ]
        },
        response={},
    )
    table.transact_write([TransactPut(ALICE), TransactUpdate("g2", None, {"ssn": "987"})])
    assert [c.method for c in kms.calls] == ["generate_data_key", "generate_data_key"]


def test_a_batch_read_pays_one_decrypt_per_data_key(fake: FakeDynamoDBClient) -> None:
    kms = FakeKmsClient(plaintext_key=DATA_KEY, ciphertext_blob=EDK)
    table = golden_table(fake, kms)
    first = golden_item()
    second = {"id": {"S": "g2"}, "email": golden_envelope("email")}
    fake.expect("batch_get_item", {}, response={"Responses": {"goldens": [second, first]}})
    result = table.batch_get(["g1", "g2"])
    assert result.items == [ALICE, Golden("g2", email="alice@example.com", profile="profile")]
    assert [c.method for c in kms.calls] == ["decrypt"]  # both items share the golden edk: one Decrypt
    fake.expect("transact_get_items", {}, response={"Responses": [{"Item": first}, {"Item": second}]})
    assert table.transact_get(["g1", "g2"])[0] == ALICE
    assert [c.method for c in kms.calls] == ["decrypt", "decrypt"]  # a fresh cache per call


def _tampered(kind: str) -> tuple[dict[str, Any], Any]:
    item = golden_item()
    kms: Any = FakeKmsClient(plaintext_key=DATA_KEY, ciphertext_blob=EDK)
    if kind == "swap":
        item["email"], item["ssn"] = item["ssn"], item["email"]
    elif kind == "flip":
        ct = bytearray(item["ssn"]["M"]["ct"]["B"])
        ct[-1] ^= 0x80
        item["ssn"]["M"]["ct"]["B"] = bytes(ct)
    elif kind == "wrong-key":
        kms = FakeKmsClient(plaintext_key=bytes(range(1, 33)), ciphertext_blob=EDK)
    else:  # short key: KMS answers with a 16-byte data key
        kms = RecordingKms(decrypt_plaintext=DATA_KEY[:16])
    return item, kms


@pytest.mark.parametrize("kind", ["swap", "flip", "wrong-key", "short-key"])
def test_tampered_items_fail_closed_in_batch_and_transaction_reads(
    kind: str, fake: FakeDynamoDBClient
) -> None:
    item, kms = _tampered(kind)
    table = golden_table(fake, kms)
    fake.expect("batch_get_item", {}, response={"Responses": {"goldens": [item]}})
    with pytest.raises(EncryptionError):
        table.batch_get(["g1"])
    fake.expect("transact_get_items", {}, response={"Responses": [{"Item": item}]})
    with pytest.raises(EncryptionError):
        table.transact_get(["g1"])


# --- item binding, on the emulator: the version 1 threat, and version 2 refusing a copied envelope -------


@pytest.fixture
def secrets_client() -> Any:
    from theorydb_mocks import DynamoDBEmulator

    client = DynamoDBEmulator().client()
    client.create_table(
        TableName="secrets",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


def _secrets(client: Any, version: int = 1) -> Table[Secret]:
    return Table(
        SECRETS, client=client, kms_key_arn=KEY_ARN, kms_client=FakeKmsClient(), envelope_version=version
    )


def _copy_ssn(client: Any, source: str, target: str) -> None:
    """What anyone allowed to write the table can do: move one item's envelope into another item."""
    envelope = client.get_item(TableName="secrets", Key={"id": {"S": source}})["Item"]["ssn"]
    client.update_item(
        TableName="secrets",
        Key={"id": {"S": target}},
        UpdateExpression="SET ssn = :e",
        ExpressionAttributeValues={":e": envelope},
    )


def test_version_one_reads_a_copied_envelope_as_the_items_own(secrets_client: Any) -> None:
    table = _secrets(secrets_client)
    table.put(Secret("alice", "111-11-1111", 1, "a"))
    table.put(Secret("bob", "222-22-2222", 2, "b"))
    _copy_ssn(secrets_client, "alice", "bob")
    assert table.get("bob").ssn == "111-11-1111"  # the threat docs/encryption.md describes


def test_neither_version_notices_a_removed_encrypted_attribute(secrets_client: Any) -> None:
    for version in (1, 2):
        table = _secrets(secrets_client, version)
        table.put(Secret("carol", "333-33-3333", 3, "c"))
        secrets_client.update_item(
            TableName="secrets", Key={"id": {"S": "carol"}}, UpdateExpression="REMOVE ssn"
        )
        assert table.get("carol").ssn == ""  # the field's default: documented, guarded by the application


def test_version_two_refuses_a_copied_envelope(secrets_client: Any) -> None:
    table = _secrets(secrets_client, 2)
    table.put(Secret("alice", "111-11-1111", 1, "a"))
    table.put(Secret("bob", "222-22-2222", 2, "b"))
    assert table.get("bob").ssn == "222-22-2222"
    _copy_ssn(secrets_client, "alice", "bob")
    with pytest.raises(EncryptionError, match="cannot decrypt ssn: authentication failed"):
        table.get("bob")
    raw = secrets_client.get_item(TableName="secrets", Key={"id": {"S": "alice"}})["Item"]["ssn"]
    assert raw["M"]["v"] == {"N": "2"}


def test_version_two_through_every_write_path(secrets_client: Any) -> None:
    table = _secrets(secrets_client, 2)
    table.put(Secret("dave", "444-44-4444", 4, "d"))
    table.update("dave", None, {"ssn": "555-55-5555"})
    assert table.get("dave").ssn == "555-55-5555"
    table.update_builder("dave").set("pin", 99).execute()
    assert table.get("dave").pin == 99
    table.transact_write(
        [TransactUpdate("dave", None, {"ssn": "666-66-6666"}), TransactPut(Secret("erin", "7", 7))]
    )
    assert (table.get("dave").ssn, table.get("erin").ssn) == ("666-66-6666", "7")
    assert {s.id for s in table.scan().items} == {"dave", "erin"}  # a page of items, each opened
