"""Stream records into models: Lambda (base64) and boto3 (bytes) shapes, converters, encryption."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.unit._models import NOTES, SECRETS, Note, Secret
from theorydb_py import (
    EncryptionConfigError,
    EncryptionError,
    ModelDefinition,
    StreamChange,
    Table,
    ValidationError,
    stream_event_name,
    theorydb_field,
    unmarshal_stream_change,
    unmarshal_stream_image,
    unmarshal_stream_record,
)
from theorydb_py.encryption import DataKeyCache
from theorydb_py.mocks import FakeKmsClient

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/streams"


@dataclass
class Blob:
    id: str = theorydb_field(roles="pk")
    data: bytes = b""
    chunks: set[bytes] = field(default_factory=set)
    nested: dict[str, Any] = field(default_factory=dict)
    at: dt.datetime | None = None


BLOBS = ModelDefinition.from_dataclass(Blob, table_name="blobs")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def record(event: str, new: Any = None, old: Any = None, keys: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"Keys": keys or {"id": {"S": "b1"}}, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    if new is not None:
        body["NewImage"] = new
    if old is not None:
        body["OldImage"] = old
    return {"eventID": "1", "eventName": event, "eventSource": "aws:dynamodb", "dynamodb": body}


EXPECTED = Blob(
    "b1",
    b"\x00\xff",
    {b"\x01", b"\x02"},
    {"list": [b"\x03", "x"], "n": 1},
    dt.datetime(2024, 5, 1, tzinfo=dt.UTC),
)


def test_lambda_json_images_decode_base64_binary_everywhere() -> None:
    image = {
        "id": {"S": "b1"},
        "data": {"B": b64(b"\x00\xff")},
        "chunks": {"BS": [b64(b"\x01"), b64(b"\x02")]},
        "nested": {"M": {"list": {"L": [{"B": b64(b"\x03")}, {"S": "x"}]}, "n": {"N": "1"}}},
        "at": {"S": "2024-05-01T00:00:00.000000Z"},
    }
    assert unmarshal_stream_record(BLOBS, record("INSERT", new=image)) == EXPECTED
    assert unmarshal_stream_image(Blob, image) == EXPECTED  # a dataclass works as the model too


def test_boto3_stream_images_take_bytes_as_they_are() -> None:
    image = {
        "id": {"S": "b1"},
        "data": {"B": b"\x00\xff"},
        "chunks": {"BS": [b"\x01", bytearray(b"\x02")]},
        "nested": {"M": {"list": {"L": [{"B": b"\x03"}, {"S": "x"}]}, "n": {"N": "1"}}},
        "at": {"S": "2024-05-01T00:00:00.000000Z"},
    }
    assert unmarshal_stream_record(BLOBS, record("MODIFY", new=image)) == EXPECTED


def test_converters_apply() -> None:
    assert unmarshal_stream_image(NOTES, {"key": {"S": "ABC"}, "text": {"S": "HI"}}) == Note("abc", "hi")


def test_changes_give_the_event_and_the_old_and_new_pair() -> None:
    old = {"key": {"S": "A"}, "count": {"N": "1"}}
    new = {"key": {"S": "A"}, "count": {"N": "2"}}
    change = unmarshal_stream_change(NOTES, record("MODIFY", new=new, old=old, keys={"key": {"S": "A"}}))
    assert change == StreamChange("MODIFY", Note("a", count=1), Note("a", count=2), {"key": {"S": "A"}})
    removed = unmarshal_stream_change(NOTES, record("REMOVE", old=old))
    assert (removed.event_name, removed.old, removed.new) == ("REMOVE", Note("a", count=1), None)
    assert unmarshal_stream_record(NOTES, record("REMOVE", old=old)) is None
    assert unmarshal_stream_record(NOTES, record("REMOVE", old=old), "OldImage") == Note("a", count=1)
    assert stream_event_name(record("INSERT")) == "INSERT"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stream_event_name({"eventName": "UPSERT"}), "INSERT, MODIFY or REMOVE, not 'UPSERT'"),
        (lambda: unmarshal_stream_record(NOTES, {"eventName": "INSERT"}), "needs its 'dynamodb' member"),
        (lambda: unmarshal_stream_record(NOTES, "record"), "a stream record is a map"),  # type: ignore[arg-type]
        (
            lambda: unmarshal_stream_record(NOTES, record("INSERT"), "Image"),  # type: ignore[arg-type]
            "'NewImage', 'OldImage' or 'Keys'",
        ),
        (lambda: unmarshal_stream_image(BLOBS, {"data": {"B": "not base64!"}}), "not valid base64"),
        (lambda: unmarshal_stream_image(BLOBS, {"data": {"B": 5}}), "bytes or a base64 string"),
        (lambda: unmarshal_stream_image(BLOBS, {"data": {"X": 1}}), "unknown attribute value type 'X'"),
        (lambda: unmarshal_stream_image(BLOBS, {"data": "raw"}), "one type key"),
        (lambda: unmarshal_stream_image(BLOBS, {"id": {"S": 5}}), "S holds a string, not int"),
        (lambda: unmarshal_stream_image(BLOBS, {"id": {"SS": [1]}}), "SS holds strings"),
        (lambda: unmarshal_stream_image(BLOBS, {"id": {"BOOL": "true"}}), "BOOL must be true or false"),
        (lambda: unmarshal_stream_image(BLOBS, {"id": {"NULL": False}}), "NULL must be true"),
        (lambda: unmarshal_stream_image(BLOBS, {"nested": {"M": {"a": {"L": "x"}}}}), "expected a list"),
        (lambda: unmarshal_stream_image(BLOBS, ["x"]), "a map of attribute values"),  # type: ignore[arg-type]
        (lambda: unmarshal_stream_image(BLOBS, {"id": {"S": "b"}, "data": {"S": "x"}}), "as bytes"),
    ],
)
def test_bad_records_are_validation_errors(call: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        call()


def sealed_secret(kms: FakeKmsClient) -> dict[str, Any]:
    return Table(SECRETS, client=None, kms_key_arn=KEY_ARN, kms_client=kms).to_item(
        Secret("s1", "123", 7, "v")
    )


def lambda_shape(item: dict[str, Any]) -> dict[str, Any]:
    """The item as a Lambda event carries it: envelope binaries as base64 strings."""
    out = dict(item)
    for attr in ("ssn", "pin"):
        out[attr] = {"M": {k: ({"B": b64(v["B"])} if "B" in v else v) for k, v in item[attr]["M"].items()}}
    return out


def test_encrypted_fields_are_opened_with_a_kms_configuration() -> None:
    kms = FakeKmsClient()
    item = lambda_shape(sealed_secret(kms))
    cache = DataKeyCache()
    for _ in range(2):
        opened = unmarshal_stream_record(
            SECRETS, record("INSERT", new=item), kms_key_arn=KEY_ARN, kms_client=kms, cache=cache
        )
        assert opened == Secret("s1", "123", 7, "v")
    assert [c.method for c in kms.calls] == ["generate_data_key", "decrypt"]  # one Decrypt, cached
    table = Table(SECRETS, client=None, kms_key_arn=KEY_ARN, kms_client=kms)
    assert unmarshal_stream_image(table, item) == Secret("s1", "123", 7, "v")  # a Table brings its key


def test_without_a_key_encrypted_images_fail_closed() -> None:
    item = sealed_secret(FakeKmsClient())
    with pytest.raises(
        EncryptionConfigError, match=r"encrypted fields of Secret \(ssn, pin\): pass kms_key_arn"
    ):
        unmarshal_stream_record(SECRETS, record("INSERT", new=item))
    keys_only = unmarshal_stream_image(SECRETS, {"id": {"S": "s1"}, "visible": {"S": "v"}})
    assert keys_only == Secret("s1", visible="v")  # no envelope in the image: nothing to protect


@pytest.mark.parametrize("tamper", ["swap", "flip", "wrong-key", "short-key"])
def test_tampered_stream_images_fail_closed(tamper: str) -> None:
    item = sealed_secret(FakeKmsClient())
    reader = FakeKmsClient()
    if tamper == "swap":
        item["ssn"], item["pin"] = item["pin"], item["ssn"]
    elif tamper == "flip":
        ct = bytearray(item["ssn"]["M"]["ct"]["B"])
        ct[0] ^= 1
        item["ssn"]["M"]["ct"]["B"] = bytes(ct)
    elif tamper == "wrong-key":
        reader = FakeKmsClient(plaintext_key=b"w" * 32)
    else:
        reader = FakeKmsClient(plaintext_key=b"s" * 16)
    with pytest.raises(EncryptionError):
        unmarshal_stream_image(SECRETS, lambda_shape(item), kms_key_arn=KEY_ARN, kms_client=reader)
