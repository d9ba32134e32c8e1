"""TableTheory's mock API on the strict fakes: callable and bare expectations, tuple-like calls, error=,
FakeKmsClient.calls, and theorydb_py.testkit."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ParamValidationError

import theorydb_py.testkit as testkit
from theorydb_py import ModelDefinition, RetryPolicy, Table, theorydb_field
from theorydb_py.mocks import (
    ANY,
    Call,
    ExpectedCall,
    FakeDynamoDBClient,
    FakeKmsClient,
    PendingExpectationsError,
    UnexpectedCallError,
    Validator,
)
from theorydb_py.testkit import fixed_rand_bytes, no_sleep

KEY = {"pk": {"S": "A"}}


def test_a_callable_expectation_validates_the_request() -> None:
    seen: list[dict[str, Any]] = []

    def check(request: dict[str, Any]) -> None:
        seen.append(request)
        assert request["Key"] == KEY, "wrong key"

    fake = FakeDynamoDBClient()
    fake.expect("get_item", check, response={"Item": KEY})
    assert fake.get_item(TableName="t", Key=KEY)["Item"] == KEY
    assert seen == [{"TableName": "t", "Key": KEY}]
    fake.expect("get_item", check)
    with pytest.raises(UnexpectedCallError, match="check rejected it: AssertionError: wrong key"):
        fake.get_item(TableName="t", Key={"pk": {"S": "B"}})
    with pytest.raises(PendingExpectationsError):
        fake.assert_no_pending()


def test_a_callable_returning_false_rejects_too() -> None:
    fake = FakeDynamoDBClient()
    fake.expect("get_item", lambda request: request["TableName"] == "users")
    with pytest.raises(UnexpectedCallError, match="it returned False"):
        fake.get_item(TableName="orders", Key=KEY)


def test_a_callable_still_gets_a_request_validated_against_the_service_model() -> None:
    fake = FakeDynamoDBClient()
    fake.expect("get_item", lambda request: None)
    with pytest.raises(ParamValidationError, match="Missing required parameter"):
        fake.get_item(TableName="t")


def test_bare_expect_accepts_any_request_and_answers_empty() -> None:
    fake = FakeDynamoDBClient()
    expectation = fake.expect("put_item")
    assert isinstance(expectation, ExpectedCall)
    assert (expectation.method, expectation.expected, expectation.response, expectation.error) == (
        "put_item",
        None,
        {},
        None,
    )
    answer = fake.put_item(TableName="t", Item=KEY)
    assert set(answer) == {"ResponseMetadata"}
    fake.assert_no_pending()


def test_calls_read_as_method_request_pairs() -> None:
    fake = FakeDynamoDBClient()
    fake.expect("put_item")
    fake.expect("get_item", error="ResourceNotFoundException")
    fake.put_item(TableName="t", Item=KEY)
    with pytest.raises(ClientError):
        fake.get_item(TableName="t", Key=KEY)
    assert fake.calls == [
        ("put_item", {"TableName": "t", "Item": KEY}),
        ("get_item", {"TableName": "t", "Key": KEY}),
    ]
    method, request = fake.calls[0]
    assert method == "put_item" and request["Item"] == KEY
    first = fake.calls[0]
    assert isinstance(first, Call)
    assert (first[0], first[1], len(first), first[-1]) == ("put_item", request, 2, request)
    assert first.request is first.params and first.operation_name == "PutItem"
    assert first != ("put_item", {}) and first != "put_item"
    assert tuple(fake.calls[1]) == ("get_item", {"TableName": "t", "Key": KEY})


def test_calls_are_recorded_even_when_the_call_fails() -> None:
    fake = FakeDynamoDBClient()
    with pytest.raises(UnexpectedCallError):
        fake.delete_item(TableName="t", Key=KEY)
    assert fake.calls == [("delete_item", {"TableName": "t", "Key": KEY})]


def test_error_takes_any_exception_instance() -> None:
    fake = FakeDynamoDBClient()
    down = EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")
    fake.expect("get_item", error=down)
    fake.expect("get_item", error=RuntimeError("boom"))
    fake.expect(
        "put_item",
        error=ClientError({"Error": {"Code": "ConditionalCheckFailedException", "Message": "no"}}, "PutItem"),
    )
    with pytest.raises(EndpointConnectionError) as caught:
        fake.get_item(TableName="t", Key=KEY)
    assert caught.value is down
    with pytest.raises(RuntimeError, match="boom"):
        fake.get_item(TableName="t", Key=KEY)
    with pytest.raises(ClientError, match="ConditionalCheckFailedException"):
        fake.put_item(TableName="t", Item=KEY)
    fake.assert_no_pending()
    assert "raises RuntimeError" in repr(FakeDynamoDBClient().expect("get_item", error=RuntimeError("x")))


def test_kms_calls_read_as_pairs() -> None:
    kms = FakeKmsClient(plaintext_key=b"\x00" * 32, ciphertext_blob=b"edk")
    kms.generate_data_key(KeyId="key", KeySpec="AES_256")
    kms.decrypt(CiphertextBlob=b"edk", KeyId="key")
    assert kms.calls == [
        ("generate_data_key", {"KeyId": "key", "KeySpec": "AES_256"}),
        ("decrypt", {"CiphertextBlob": b"edk", "KeyId": "key"}),
    ]
    method, request = kms.calls[1]
    assert method == "decrypt" and request["CiphertextBlob"] == b"edk"


def test_validator_is_a_matcher_usable_anywhere() -> None:
    fake = FakeDynamoDBClient()
    fake.expect(
        "put_item", {"Item": Validator(lambda item: item["pk"]["S"].startswith("A")), "TableName": ANY}
    )
    fake.put_item(TableName="t", Item=KEY)
    fake.assert_no_pending()
    assert repr(Validator(len)) == "<Validator len>"


def test_testkit_exports_exactly_five_names() -> None:
    assert testkit.__all__ == ["ANY", "FakeDynamoDBClient", "FakeKmsClient", "fixed_rand_bytes", "no_sleep"]
    assert testkit.ANY is ANY and testkit.FakeDynamoDBClient is FakeDynamoDBClient
    assert testkit.FakeKmsClient is FakeKmsClient


def test_fixed_rand_bytes() -> None:
    rand = fixed_rand_bytes(b"\x01\x02\x03")
    assert rand(0) == b""
    assert rand(2) == b"\x01\x02"
    assert rand(7) == b"\x01\x02\x03\x01\x02\x03\x01"
    assert rand(12) == rand(12)  # each call starts from the seed again
    with pytest.raises(ValueError, match="n must be >= 0"):
        rand(-1)
    with pytest.raises(ValueError, match="seed must be non-empty"):
        fixed_rand_bytes(b"")
    with pytest.raises(TypeError):
        fixed_rand_bytes("ab")  # type: ignore[arg-type]


@dataclasses.dataclass
class Note:
    pk: str = theorydb_field(roles=["pk"], name="PK")
    sk: str = theorydb_field(roles=["sk"], name="SK")


def test_no_sleep_stands_in_for_time_sleep_in_retries() -> None:
    model = ModelDefinition.from_dataclass(Note, table_name="notes")
    fake = FakeDynamoDBClient()
    item = {"PK": {"S": "A"}, "SK": {"S": "1"}}
    fake.expect(
        "batch_write_item", response={"UnprocessedItems": {"notes": [{"PutRequest": {"Item": item}}]}}
    )
    fake.expect("batch_write_item", {"RequestItems": {"notes": [{"PutRequest": {"Item": item}}]}})
    table = Table(model, client=fake)
    table.batch_write(puts=[Note(pk="A", sk="1")], retry=RetryPolicy(sleep=no_sleep, base_delay=3600))
    fake.assert_no_pending()


@dataclasses.dataclass
class SecretNote:
    pk: str = theorydb_field(roles=["pk"], name="PK")
    sk: str = theorydb_field(roles=["sk"], name="SK")
    secret: str = theorydb_field(encrypted=True, default="")


def test_byte_exact_envelopes_with_fixed_rand_bytes() -> None:
    """TableTheory's recipe: FakeKmsClient plus fixed_rand_bytes make an encrypted put deterministic."""
    model = ModelDefinition.from_dataclass(SecretNote, table_name="notes")
    items = []
    for _ in range(2):
        fake = FakeDynamoDBClient()
        fake.expect("put_item", lambda request: items.append(request["Item"]))
        table = Table(
            model,
            client=fake,
            kms_key_arn="arn:aws:kms:us-east-1:111111111111:key/test",
            kms_client=FakeKmsClient(plaintext_key=b"\x00" * 32, ciphertext_blob=b"edk"),
            rand_bytes=fixed_rand_bytes(b"\x01"),
        )
        table.put(SecretNote(pk="A", sk="1", secret="shh"))
        fake.assert_no_pending()
    assert items[0]["secret"] == items[1]["secret"]
    assert items[0]["secret"]["M"]["nonce"] == {"B": b"\x01" * 12}
