"""Lifecycle fields and streams on every backend (streams on the emulator once it implements them)."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from tests.integration.conftest import MakeTable, StreamRecords
from theorydb_py import (
    EncryptionConfigError,
    ItemExistsError,
    ModelDefinition,
    VersionConflictError,
    theorydb_field,
    unmarshal_stream_change,
    unmarshal_stream_record,
)
from theorydb_py.encryption import DataKeyCache
from theorydb_py.mocks import FakeKmsClient

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/streams"


@dataclass
class Session:
    user: str = theorydb_field(name="PK", roles="pk")
    device: str = theorydb_field(name="SK", roles="sk")
    token: str = theorydb_field(encrypted=True, default="")
    avatar: bytes = b""
    created: dt.datetime | None = theorydb_field(name="createdAt", roles="created_at", default=None)
    updated: dt.datetime | None = theorydb_field(name="updatedAt", roles="updated_at", default=None)
    version: int = theorydb_field(roles="version", default=0)
    expires: dt.datetime | None = theorydb_field(name="ttl", roles="ttl", default=None)


SESSIONS = ModelDefinition.from_dataclass(Session, table_name="sessions")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def test_created_updated_version_and_ttl(make_table: MakeTable) -> None:
    clock = Clock()
    sessions = make_table(SESSIONS, kms_key_arn=KEY_ARN, kms_client=FakeKmsClient(), clock=clock)
    expires = T0 + dt.timedelta(days=1)
    sessions.create(Session("ann", "phone", token="t1", expires=expires))
    with pytest.raises(ItemExistsError):
        sessions.create(Session("ann", "phone"))
    raw = sessions.client.get_item(
        TableName=sessions.table_name, Key={"PK": {"S": "ann"}, "SK": {"S": "phone"}}
    )["Item"]
    assert raw["createdAt"] == raw["updatedAt"] == {"S": "2024-05-01T12:00:00.000000Z"}
    assert raw["ttl"] == {"N": str(int(expires.timestamp()))} and raw["version"] == {"N": "0"}

    clock.now = T0 + dt.timedelta(minutes=5)
    updated = sessions.update("ann", "phone", {"token": "t2"}, expected_version=0)
    assert (updated.created, updated.updated, updated.version, updated.token) == (T0, clock.now, 1, "t2")
    with pytest.raises(VersionConflictError, match="expected version 0, but the stored version is 1"):
        sessions.update("ann", "phone", {"token": "t3"}, expected_version=0)
    with pytest.raises(VersionConflictError):
        sessions.delete("ann", "phone", expected_version=0)
    sessions.delete("ann", "phone", expected_version=1)
    assert sessions.find("ann", "phone") is None

    upserted = sessions.update("bob", "laptop", {"token": "x"})  # a new item through update
    assert (upserted.created, upserted.version) == (clock.now, 1)
    rewritten = sessions.put(upserted)  # put keeps created_at and the version, moves updated_at
    assert (rewritten.created, rewritten.version) == (clock.now, 1)


def lambda_event(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The Lambda event for boto3 stream records: binary as base64, as Lambda delivers it (JSON)."""

    def value(av: dict[str, Any]) -> dict[str, Any]:
        ((tag, v),) = av.items()
        if tag == "B":
            return {"B": base64.b64encode(v).decode()}
        if tag == "BS":
            return {"BS": [base64.b64encode(b).decode() for b in v]}
        if tag == "M":
            return {"M": {k: value(x) for k, x in v.items()}}
        if tag == "L":
            return {"L": [value(x) for x in v]}
        return av

    out = []
    for rec in records:
        body = {
            k: ({n: value(a) for n, a in v.items()} if k in ("Keys", "NewImage", "OldImage") else v)
            for k, v in rec["dynamodb"].items()
            if k != "ApproximateCreationDateTime"
        }
        out.append({"eventName": rec["eventName"], "eventSource": "aws:dynamodb", "dynamodb": body})
    return {"Records": out}


def test_stream_records_unmarshal_from_boto3_and_lambda_shapes(
    make_table: MakeTable, stream_records: StreamRecords
) -> None:
    kms = FakeKmsClient(fresh_keys=True)
    sessions = make_table(
        SESSIONS, stream_view_type="NEW_AND_OLD_IMAGES", kms_key_arn=KEY_ARN, kms_client=kms, clock=Clock()
    )
    sessions.create(Session("ann", "phone", token="t1", avatar=b"\x00\xff"))
    sessions.update("ann", "phone", {"token": "t2"})
    sessions.delete("ann", "phone")
    records = stream_records(sessions.table_name)
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    for shape in (records, lambda_event(records)["Records"]):
        cache = DataKeyCache()
        changes = [
            unmarshal_stream_change(SESSIONS, r, kms_key_arn=KEY_ARN, kms_client=kms, cache=cache)
            for r in shape
        ]
        inserted, modified, removed = changes
        assert inserted.old is None and inserted.new is not None
        assert (inserted.new.token, inserted.new.avatar, inserted.new.version) == ("t1", b"\x00\xff", 0)
        assert modified.old == inserted.new
        assert modified.new is not None and (modified.new.token, modified.new.version) == ("t2", 1)
        assert removed.new is None and removed.old == modified.new
        assert removed.keys == {"PK": {"S": "ann"}, "SK": {"S": "phone"}}
        assert unmarshal_stream_record(sessions, shape[0]) == inserted.new  # the Table brings its key
        with pytest.raises(EncryptionConfigError):
            unmarshal_stream_record(SESSIONS, shape[0])  # no key: fail closed
