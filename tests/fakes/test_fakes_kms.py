"""FakeKmsClient: loose, strict and fresh-key modes, error injection, and validation against KMS's model."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError

from theorydb_mocks import _service
from theorydb_mocks.fakes import (
    ExpectationError,
    FakeKmsClient,
    PendingExpectationsError,
    UnexpectedCallError,
)

KEY = b"K" * 32
BLOB = b"issued-blob"
ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def offline_kms() -> Any:
    return boto3.client(
        "kms",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def body(answer: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answer.items() if key != "ResponseMetadata"}


# -- loose mode ---------------------------------------------------------------------------------------------


def test_loose_mode_hands_out_the_configured_key_and_decrypts_anything() -> None:
    kms = FakeKmsClient(plaintext_key=KEY, ciphertext_blob=BLOB)
    answer = kms.generate_data_key(KeyId=ARN, KeySpec="AES_256")
    assert body(answer) == {"Plaintext": KEY, "CiphertextBlob": BLOB, "KeyId": ARN}
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert kms.decrypt(CiphertextBlob=BLOB, KeyId=ARN)["Plaintext"] == KEY
    assert kms.decrypt(CiphertextBlob=b"anything")["Plaintext"] == KEY
    kms.assert_no_pending()


def test_defaults_are_a_fixed_32_byte_key_and_blob() -> None:
    kms = FakeKmsClient()
    answer = kms.generate_data_key(KeyId="alias/app", KeySpec="AES_256")
    assert answer["Plaintext"] == bytes(range(32))
    assert answer["KeyId"] == "alias/app"
    assert kms.decrypt(CiphertextBlob=answer["CiphertextBlob"])["Plaintext"] == bytes(range(32))


def test_bare_key_ids_come_back_as_arns() -> None:
    kms = FakeKmsClient(region_name="eu-west-1")
    answer = kms.generate_data_key(KeyId="1234abcd", KeySpec="AES_256")
    assert answer["KeyId"] == "arn:aws:kms:eu-west-1:111122223333:key/1234abcd"


def test_answers_validate_against_the_kms_output_shapes() -> None:
    kms = FakeKmsClient(fresh_keys=True)
    model = kms.meta.service_model
    generated = kms.generate_data_key(KeyId=ARN, KeySpec="AES_256")
    _service.validate_output(generated, model.operation_model("GenerateDataKey").output_shape)
    without = kms.generate_data_key_without_plaintext(KeyId=ARN, KeySpec="AES_256")
    assert "Plaintext" not in without
    _service.validate_output(without, model.operation_model("GenerateDataKeyWithoutPlaintext").output_shape)
    decrypted = kms.decrypt(CiphertextBlob=generated["CiphertextBlob"])
    _service.validate_output(decrypted, model.operation_model("Decrypt").output_shape)
    assert decrypted["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    assert decrypted["KeyId"] == ARN


def test_requests_are_validated_like_botocore() -> None:
    kms = FakeKmsClient()
    with pytest.raises(ParamValidationError) as from_fake:
        kms.generate_data_key(KeySpec="AES_256")
    with pytest.raises(ParamValidationError) as from_boto3:
        offline_kms().generate_data_key(KeySpec="AES_256")
    assert str(from_fake.value) == str(from_boto3.value)
    with pytest.raises(ParamValidationError, match="Invalid type for parameter CiphertextBlob"):
        kms.decrypt(CiphertextBlob=123)
    with pytest.raises(TypeError, match=r"decrypt\(\) only accepts keyword arguments"):
        kms.decrypt(BLOB)


def test_key_spec_and_number_of_bytes_together_are_refused_like_kms() -> None:
    kms = FakeKmsClient()
    with pytest.raises(ClientError, match=r"Please specify either number of bytes or key spec\.") as caught:
        kms.generate_data_key(KeyId=ARN, KeySpec="AES_256", NumberOfBytes=32)
    assert caught.value.response["Error"]["Code"] == "ValidationException"


def test_the_client_surface_matches_a_real_kms_client() -> None:
    kms = FakeKmsClient()
    real = offline_kms()
    assert set(real.meta.method_to_api_mapping) <= set(dir(kms))
    with pytest.raises(AttributeError) as from_fake:
        kms.decrypt_it  # noqa: B018
    with pytest.raises(AttributeError) as from_boto3:
        real.decrypt_it  # noqa: B018
    assert str(from_fake.value) == str(from_boto3.value)
    assert kms.exceptions.InvalidCiphertextException is real.exceptions.InvalidCiphertextException
    assert kms.meta.service_model.service_name == "kms"


def test_methods_it_does_not_answer_fail_the_test() -> None:
    kms = FakeKmsClient()
    with pytest.raises(UnexpectedCallError, match="FakeKmsClient answers only decrypt, generate_data_key"):
        kms.encrypt(KeyId=ARN, Plaintext=b"x")
    with pytest.raises(PendingExpectationsError, match=r"encrypt\(KeyId="):
        kms.assert_no_pending()


# -- strict mode -----------------------------------------------------------------------------------------


def test_strict_mode_checks_the_key_id_and_spec() -> None:
    kms = FakeKmsClient(strict=True, key_id=ARN)
    kms.generate_data_key(KeyId=ARN, KeySpec="AES_256")
    with pytest.raises(UnexpectedCallError) as wrong_key:
        kms.generate_data_key(KeyId="alias/other", KeySpec="AES_256")
    assert f"KeyId: {ARN!r} != 'alias/other'" in str(wrong_key.value)
    with pytest.raises(UnexpectedCallError, match="KeySpec: 'AES_256' != 'AES_128'"):
        kms.generate_data_key(KeyId=ARN, KeySpec="AES_128")
    with pytest.raises(UnexpectedCallError, match="KeySpec: 'AES_256' != None"):
        kms.generate_data_key(KeyId=ARN, NumberOfBytes=32)
    with pytest.raises(UnexpectedCallError, match="KeyId: "):
        kms.decrypt(CiphertextBlob=BLOB, KeyId="alias/other")
    with pytest.raises(PendingExpectationsError) as teardown:
        kms.assert_no_pending()
    assert "unexpected calls (4):" in str(teardown.value)


def test_strict_decrypt_needs_a_blob_it_issued_under_the_same_context() -> None:
    kms = FakeKmsClient(KEY, BLOB, strict=True, encryption_context={"table": "old"})
    context = {"table": "users"}
    kms.generate_data_key(KeyId=ARN, KeySpec="AES_256", EncryptionContext=context)
    assert kms.decrypt(CiphertextBlob=BLOB, EncryptionContext=context)["Plaintext"] == KEY
    with pytest.raises(kms.exceptions.InvalidCiphertextException) as other_context:
        kms.decrypt(CiphertextBlob=BLOB, EncryptionContext={"table": "orders"})
    assert other_context.value.operation_name == "Decrypt"
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=BLOB)
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=b"tampered")
    kms.assert_no_pending()  # KMS's own answers, which a test may provoke on purpose


def test_a_fixed_blob_decrypts_under_every_context_it_was_issued_with() -> None:
    kms = FakeKmsClient(KEY, BLOB, strict=True)
    kms.generate_data_key(KeyId=ARN, KeySpec="AES_256", EncryptionContext={"attr": "a"})
    kms.generate_data_key(KeyId=ARN, KeySpec="AES_256", EncryptionContext={"attr": "b"})
    assert kms.decrypt(CiphertextBlob=BLOB, EncryptionContext={"attr": "a"})["Plaintext"] == KEY
    assert kms.decrypt(CiphertextBlob=BLOB, EncryptionContext={"attr": "b"})["Plaintext"] == KEY
    assert kms.decrypt(CiphertextBlob=BLOB)["Plaintext"] == KEY  # the configured, empty context
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=BLOB, EncryptionContext={"attr": "c"})


def test_the_configured_blob_counts_as_issued_for_reading_old_data() -> None:
    kms = FakeKmsClient(KEY, BLOB, strict=True, encryption_context={"v": "1"})
    assert kms.decrypt(CiphertextBlob=BLOB, EncryptionContext={"v": "1"})["Plaintext"] == KEY
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=BLOB)


# -- fresh keys ----------------------------------------------------------------------------------------------


def test_fresh_keys_issue_a_new_random_key_per_call() -> None:
    kms = FakeKmsClient(fresh_keys=True)
    first = kms.generate_data_key(KeyId=ARN, KeySpec="AES_256")
    second = kms.generate_data_key(KeyId=ARN, KeySpec="AES_256")
    assert first["Plaintext"] != second["Plaintext"]
    assert first["CiphertextBlob"] != second["CiphertextBlob"]
    assert len(first["Plaintext"]) == 32
    assert kms.decrypt(CiphertextBlob=first["CiphertextBlob"])["Plaintext"] == first["Plaintext"]
    assert kms.decrypt(CiphertextBlob=second["CiphertextBlob"])["Plaintext"] == second["Plaintext"]
    assert [key.ciphertext_blob for key in kms.issued] == [first["CiphertextBlob"], second["CiphertextBlob"]]
    with pytest.raises(kms.exceptions.InvalidCiphertextException):
        kms.decrypt(CiphertextBlob=b"never issued")
    assert len(kms.generate_data_key(KeyId=ARN, KeySpec="AES_128")["Plaintext"]) == 16
    assert len(kms.generate_data_key(KeyId=ARN, NumberOfBytes=64)["Plaintext"]) == 64


def test_fresh_keys_stay_unique_across_threads() -> None:
    kms = FakeKmsClient(fresh_keys=True)
    blobs: list[bytes] = []

    def worker() -> None:
        for _ in range(20):
            blobs.append(kms.generate_data_key(KeyId=ARN, KeySpec="AES_256")["CiphertextBlob"])

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(blobs)) == 80
    assert len(kms.issued) == 80


def test_issued_keys_do_not_print_their_plaintext() -> None:
    kms = FakeKmsClient(KEY, BLOB)
    kms.generate_data_key(KeyId=ARN, KeySpec="AES_256")
    assert repr(kms.issued[0]) == f"<DataKey blob={BLOB!r} key_id={ARN!r}>"
    assert repr(kms) == "<FakeKmsClient loose key_id=None issued=1>"
    assert repr(FakeKmsClient(fresh_keys=True)) == "<FakeKmsClient fresh_keys key_id=None issued=0>"
    assert repr(kms.calls[0]).startswith("generate_data_key(KeyId=")


# -- configuration and error injection ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fresh_keys": True, "plaintext_key": KEY}, "fresh_keys=True issues random keys"),
        ({"key_spec": "AES_512"}, "key_spec must be one of"),
        ({"plaintext_key": "not bytes"}, "plaintext_key must be non-empty bytes"),
        ({"ciphertext_blob": b""}, "ciphertext_blob must be non-empty bytes"),
        ({"key_id": 7}, "key_id must be a str"),
    ],
)
def test_contradictory_configurations_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ExpectationError, match=message):
        FakeKmsClient(**kwargs)


@pytest.mark.parametrize(
    ("code", "expected_class"),
    [
        ("AccessDenied", "ClientError"),
        ("KMSInvalidState", "KMSInvalidStateException"),
        ("InvalidCiphertext", "InvalidCiphertextException"),
        ("ThrottlingException", "ClientError"),
        ("DisabledException", "DisabledException"),
    ],
)
def test_injected_errors_are_kms_client_errors(code: str, expected_class: str) -> None:
    kms = FakeKmsClient()
    kms.inject_error(code, method="decrypt")
    kms.generate_data_key(KeyId=ARN, KeySpec="AES_256")  # not the method the error waits for
    with pytest.raises(ClientError) as caught:
        kms.decrypt(CiphertextBlob=BLOB)
    assert type(caught.value).__name__ == expected_class
    assert caught.value.response["Error"]["Code"].startswith(code)
    assert caught.value.operation_name == "Decrypt"
    assert kms.decrypt(CiphertextBlob=BLOB)["Plaintext"]
    kms.assert_no_pending()


def test_an_injected_error_for_any_method_repeats_and_names_the_operation() -> None:
    kms = FakeKmsClient()
    kms.inject_error("ThrottlingException", times=2, message="Rate exceeded")
    with pytest.raises(ClientError, match="GenerateDataKey operation: Rate exceeded"):
        kms.generate_data_key(KeyId=ARN, KeySpec="AES_256")
    with pytest.raises(ClientError, match="Decrypt operation: Rate exceeded"):
        kms.decrypt(CiphertextBlob=BLOB)
    kms.decrypt(CiphertextBlob=BLOB)


def test_unknown_codes_and_methods_are_refused_at_injection() -> None:
    kms = FakeKmsClient()
    with pytest.raises(ExpectationError, match="did you mean InvalidCiphertextException"):
        kms.inject_error("InvalidCipherText", method="decrypt")
    with pytest.raises(ExpectationError, match="answers only"):
        kms.inject_error("AccessDenied", method="encrypt")
    with pytest.raises(ExpectationError, match="times must be a positive int"):
        kms.inject_error("AccessDenied", times=0)


def test_an_injected_error_never_raised_fails_teardown() -> None:
    kms = FakeKmsClient()
    kms.inject_error("KMSInvalidState", method="decrypt")
    with pytest.raises(PendingExpectationsError) as caught:
        kms.assert_no_pending()
    assert str(caught.value) == (
        "FakeKmsClient: the test did not go as declared\n"
        "  injected errors never raised (1):\n"
        "    KMSInvalidStateException on decrypt (1 left)\n"
        "  (docs: docs/testing.md#strict-fakes)"
    )
