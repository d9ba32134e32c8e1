"""MultiAccountSessions: assume-role requests, caching until refresh time, per-config clients."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from theorydb_py import AccountConfig, MultiAccountSessions


class Sts:
    def __init__(self, expiration: Any = None, complete: bool = True) -> None:
        self.requests: list[dict[str, Any]] = []
        self.expiration = expiration
        self.complete = complete

    def assume_role(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        n = len(self.requests)
        creds: dict[str, Any] = {"AccessKeyId": f"AK{n}", "SecretAccessKey": "SK"}
        if self.complete:
            creds["SessionToken"] = "TOK"
        if self.expiration is not None:
            creds["Expiration"] = self.expiration
        return {"Credentials": creds}


class FakeSession:
    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.clients: list[tuple[str, Any, Any]] = []

    def client(self, service: str, *, region_name: Any = None, config: Any = None) -> Any:
        self.clients.append((service, region_name, config))
        return object()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


ACCOUNTS = {
    "acme": AccountConfig("arn:aws:iam::1:role/r", external_id="ext", region="eu-west-1"),
    "globex": AccountConfig("arn:aws:iam::2:role/r", session_name="custom", session_duration_seconds=900),
}


def _sessions(sts: Sts, clock: Clock, base: Any = None) -> MultiAccountSessions:
    return MultiAccountSessions(
        ACCOUNTS, base_session=base, sts_client=sts, now=clock, session_factory=FakeSession
    )


def test_assume_role_request_and_session() -> None:
    sts, clock = Sts(), Clock()
    sessions = _sessions(sts, clock)
    session = sessions.session("acme")
    assert sts.requests == [
        {
            "RoleArn": "arn:aws:iam::1:role/r",
            "RoleSessionName": "theorydb-acme",
            "DurationSeconds": 3600,
            "ExternalId": "ext",
        }
    ]
    assert session.kwargs == {
        "aws_access_key_id": "AK1",
        "aws_secret_access_key": "SK",
        "aws_session_token": "TOK",
        "region_name": "eu-west-1",
    }
    sessions.session("globex")
    assert sts.requests[1] == {
        "RoleArn": "arn:aws:iam::2:role/r",
        "RoleSessionName": "custom",
        "DurationSeconds": 900,
    }


def test_sessions_are_reused_until_refresh_time() -> None:
    sts, clock = Sts(), Clock()
    sessions = _sessions(sts, clock)
    first = sessions.session("acme")
    clock.now += 3600 - 300 - 1
    assert sessions.session("acme") is first
    clock.now += 1
    assert sessions.session("acme") is not first
    assert len(sts.requests) == 2


def test_expiration_from_sts_wins() -> None:
    expiry = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    sessions = _sessions(Sts(expiration=expiry), Clock())
    assert sessions.expires_at("acme") == expiry.timestamp()


def test_unknown_partner_incomplete_credentials_and_base_session() -> None:
    base = FakeSession()
    sessions = _sessions(Sts(complete=False), Clock(), base)
    with pytest.raises(ValueError, match="unknown partner: nobody"):
        sessions.session("nobody")
    with pytest.raises(ValueError, match="incomplete credentials"):
        sessions.session("acme")
    assert sessions.session("") is base
    sessions.client("", "s3")
    sessions.client("", "s3")
    assert base.clients == [("s3", None, None), ("s3", None, None)]  # base clients are not cached
    with pytest.raises(ValueError):
        MultiAccountSessions({"": ACCOUNTS["acme"]})


def test_clients_cached_per_partner_service_and_config_and_renewed_with_credentials() -> None:
    sts, clock = Sts(), Clock()
    sessions = _sessions(sts, clock)
    ddb = sessions.client("acme", "dynamodb")
    assert sessions.client("acme", "dynamodb") is ddb
    assert sessions.client("acme", "kms") is not ddb
    config = object()
    assert sessions.client("acme", "dynamodb", config=config) is not ddb  # TableTheory ignored the config
    assert sessions.session("acme").clients[-1] == ("dynamodb", "eu-west-1", config)
    clock.now += 3600
    assert sessions.client("acme", "dynamodb") is not ddb


def test_concurrent_first_use_assumes_the_role_once() -> None:
    sts = Sts()
    sessions = _sessions(sts, Clock())
    got: list[Any] = []
    threads = [
        threading.Thread(target=lambda: got.append(sessions.client("acme", "dynamodb"))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sts.requests) == 1 and len({id(c) for c in got}) == 1
