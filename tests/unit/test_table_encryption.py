"""Table with encrypted fields: fail closed without a key, seal on write, open on read, refuse in queries."""

from __future__ import annotations

from collections.abc import Callable
from itertools import count

import pytest

from tests.unit._models import SECRETS, Secret
from theorydb_py import EncryptionConfigError, Table, UpdateAdd, ValidationError
from theorydb_py.encryption import EncryptionError
from theorydb_py.expressions import eq
from theorydb_py.mocks import ANY, FakeDynamoDBClient, FakeKmsClient

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/test"


def nonces() -> Callable[[int], bytes]:
    counter = count(1)
    return lambda n: next(counter).to_bytes(n, "big")


def test_a_model_with_encrypted_fields_needs_a_key() -> None:
    with pytest.raises(
        EncryptionConfigError, match=r"Secret has encrypted fields \(ssn, pin\): pass kms_key_arn="
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
