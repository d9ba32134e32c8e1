"""Sessions and clients for partner AWS accounts, by STS AssumeRole, cached until shortly before expiry.

A multi-tenant service that reads each partner's own DynamoDB tables configures one ``AccountConfig`` per
partner and asks ``MultiAccountSessions`` for ``client(partner_id, "dynamodb")``: the role is assumed on
first use and again ``refresh_before_seconds`` before the credentials expire; clients are cached per
partner, service and config in between. Thread-safe.

>>> class Sts:
...     def assume_role(self, **request):
...         creds = {"AccessKeyId": "AK", "SecretAccessKey": "SK", "SessionToken": "TOK"}
...         return {"Credentials": creds}
>>> made = []
>>> sessions = MultiAccountSessions(
...     {"acme": AccountConfig("arn:aws:iam::123456789012:role/reader", region="eu-west-1")},
...     sts_client=Sts(), now=lambda: 1000.0, session_factory=lambda **kw: made.append(kw) or kw)
>>> sessions.session("acme")["region_name"], sessions.expires_at("acme")
('eu-west-1', 4600.0)
>>> sessions.session("acme") is sessions.session("acme"), len(made)
(True, 1)
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["AccountConfig", "MultiAccountSessions"]


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """How to reach one partner account: the role to assume and the session settings."""

    role_arn: str
    external_id: str | None = None
    region: str | None = None
    session_duration_seconds: int = 3600
    session_name: str | None = None
    refresh_before_seconds: int = 300


@dataclass(slots=True)
class _Cached:
    session: Any
    expires_at: float
    clients: dict[tuple[str, int], tuple[Any, Any]]


def _default_session_factory(**kwargs: Any) -> Any:
    import boto3

    return boto3.session.Session(**kwargs)


class MultiAccountSessions:
    """Assume-role sessions and clients per partner (see the module docstring)."""

    def __init__(
        self,
        accounts: Mapping[str, AccountConfig],
        *,
        base_session: Any = None,
        sts_client: Any = None,
        now: Callable[[], float] | None = None,
        session_factory: Callable[..., Any] | None = None,
    ) -> None:
        for partner, account in accounts.items():
            if not isinstance(partner, str) or not partner:
                raise ValueError("partner ids must be non-empty strings")
            if not isinstance(account, AccountConfig) or not account.role_arn:
                raise ValueError(f"partner {partner}: an AccountConfig with a role_arn is required")
        self._accounts = dict(accounts)
        self._base_session = base_session
        self._sts = sts_client
        self._now = time.time if now is None else now
        self._factory = _default_session_factory if session_factory is None else session_factory
        self._lock = threading.RLock()
        self._cache: dict[str, _Cached] = {}

    def __repr__(self) -> str:
        return f"<MultiAccountSessions partners={sorted(self._accounts)}>"

    def _base(self) -> Any:
        if self._base_session is None:
            self._base_session = _default_session_factory()
        return self._base_session

    def _sts_client(self) -> Any:
        if self._sts is None:
            self._sts = self._base().client("sts")
        return self._sts

    def session(self, partner_id: str) -> Any:
        """The session for a partner (``""``: the base session); ``ValueError`` for an unknown partner."""
        if partner_id == "":
            return self._base()
        return self._entry(partner_id).session

    def expires_at(self, partner_id: str) -> float:
        """When the partner's current credentials expire (epoch seconds), assuming the role if needed."""
        return self._entry(partner_id).expires_at

    def _entry(self, partner_id: str) -> _Cached:
        account = self._accounts.get(partner_id)
        if account is None:
            raise ValueError(f"unknown partner: {partner_id}")
        with self._lock:
            cached = self._cache.get(partner_id)
            now = self._now()
            if cached is not None and now < cached.expires_at - account.refresh_before_seconds:
                return cached
            request: dict[str, Any] = {
                "RoleArn": account.role_arn,
                "RoleSessionName": account.session_name or f"theorydb-{partner_id}",
                "DurationSeconds": account.session_duration_seconds,
            }
            if account.external_id:
                request["ExternalId"] = account.external_id
            credentials = (self._sts_client().assume_role(**request) or {}).get("Credentials") or {}
            access = credentials.get("AccessKeyId")
            secret = credentials.get("SecretAccessKey")
            token = credentials.get("SessionToken")
            if not (access and secret and token):
                raise ValueError(f"assume_role for partner {partner_id} returned incomplete credentials")
            expiration = credentials.get("Expiration")
            if isinstance(expiration, dt.datetime):
                aware = expiration if expiration.tzinfo else expiration.replace(tzinfo=dt.UTC)
                expires_at = aware.timestamp()
            else:
                expires_at = now + account.session_duration_seconds
            session = self._factory(
                aws_access_key_id=access,
                aws_secret_access_key=secret,
                aws_session_token=token,
                region_name=account.region,
            )
            cached = _Cached(session, expires_at, {})
            self._cache[partner_id] = cached
            return cached

    def client(self, partner_id: str, service: str, *, config: Any = None) -> Any:
        """A client of ``service`` in the partner's account, cached per partner, service and config (and
        made again when the credentials are refreshed). ``""`` gives a new client of the base session."""
        if partner_id == "":
            return self._base().client(service, config=config)
        account = self._accounts.get(partner_id)
        region = None if account is None else account.region
        with self._lock:
            entry = self._entry(partner_id)
            key = (service, id(config))
            found = entry.clients.get(key)
            if found is None:
                found = (entry.session.client(service, region_name=region, config=config), config)
                entry.clients[key] = found
            return found[0]
