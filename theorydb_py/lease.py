"""A distributed lease (lock with an expiry) on one DynamoDB item, taken and renewed with conditional writes.

One process holds a lease until it expires: ``acquire`` succeeds only if nobody holds it or the holder's
lease ran out; ``refresh`` extends it only for the holder (the same random token) before it expires;
``release`` gives it up. Times are whole epoch seconds from ``now`` (default ``time.time``), so all
holders need roughly synchronised clocks; choose ``lease_seconds`` well above the clock skew.

The lease item is ``{pk, sk, lease_token, lease_expires_at, ttl}`` (attribute names configurable); ``ttl``
is the expiry plus ``ttl_buffer_seconds``, so DynamoDB's TTL removes abandoned leases if TTL is enabled
on that attribute. Any table with string keys works, the lease next to the data it guards
(``lock_key("ORDER#1")`` is ``("ORDER#1", "LOCK")``).

Unlike TableTheory's, ``acquire`` writes with UpdateItem, so attributes an application keeps on the lock
item survive a takeover, and ``release`` says whether it released (False: the lease was no longer yours)
instead of hiding it.

>>> from theorydb_mocks import DynamoDBEmulator
>>> client = DynamoDBEmulator().client()
>>> _ = client.create_table(TableName="locks", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
...     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
...                           {"AttributeName": "sk", "AttributeType": "S"}])
>>> clock = iter([100, 100, 105, 200]).__next__
>>> leases = LeaseManager(client=client, table_name="locks", now=clock)
>>> lease = leases.acquire(leases.lock_key("job#1"), lease_seconds=30)
>>> lease.expires_at
130
>>> leases.acquire(leases.lock_key("job#1"), lease_seconds=30)
Traceback (most recent call last):
...
theorydb_py.lease.LeaseHeldError: lease is held: job#1/LOCK
>>> leases.refresh(lease, lease_seconds=30).expires_at
135
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import ClientError

from theorydb_py.errors import ConditionFailedError, map_client_error

__all__ = ["Lease", "LeaseHeldError", "LeaseKey", "LeaseManager", "LeaseNotOwnedError"]


class LeaseHeldError(ConditionFailedError):
    """``acquire`` lost: someone else holds the lease and it has not expired."""


class LeaseNotOwnedError(ConditionFailedError):
    """``refresh`` failed: the lease expired or was taken by someone else (the token does not match)."""


@dataclass(frozen=True, slots=True)
class LeaseKey:
    """The key of a lease item (string partition and sort key)."""

    pk: str
    sk: str


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease held: its key, the holder's token and when it expires (epoch seconds)."""

    key: LeaseKey
    token: str
    expires_at: int


def _uuid_token() -> str:
    return str(uuid.uuid4())


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    return value


def _seconds(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError("lease_seconds must be a positive int")
    return value


class LeaseManager:
    """Acquire, refresh and release leases in one table (see the module docstring).

    ``token`` is the holder's identity: a function making a new one per ``acquire`` (default: a random
    UUID), or one fixed string (a worker that must recognise its own lease after a restart).
    """

    def __init__(
        self,
        *,
        client: Any,
        table_name: str,
        now: Callable[[], float] | None = None,
        token: Callable[[], str] | str | None = None,
        pk_attr: str = "pk",
        sk_attr: str = "sk",
        token_attr: str = "lease_token",
        expires_at_attr: str = "lease_expires_at",
        ttl_attr: str | None = "ttl",
        ttl_buffer_seconds: int = 3600,
    ) -> None:
        if client is None:
            raise ValueError("client is required")
        self._client = client
        self.table_name = _text(table_name, "table_name")
        self._now = time.time if now is None else now
        if isinstance(token, str):
            fixed = _text(token, "token")
            self._token: Callable[[], str] = lambda: fixed
        else:
            self._token = _uuid_token if token is None else token
        names = {"pk_attr": pk_attr, "sk_attr": sk_attr, "token_attr": token_attr}
        names["expires_at_attr"] = expires_at_attr
        for what, name in names.items():
            _text(name, what)
        if len(set(names.values())) != len(names):
            raise ValueError("pk_attr, sk_attr, token_attr and expires_at_attr must be different")
        if isinstance(ttl_buffer_seconds, bool) or not isinstance(ttl_buffer_seconds, int):
            raise ValueError("ttl_buffer_seconds must be an int")
        self._pk, self._sk, self._tok, self._exp = pk_attr, sk_attr, token_attr, expires_at_attr
        self._ttl = ttl_attr or None
        self._ttl_buffer = ttl_buffer_seconds

    def __repr__(self) -> str:
        return f"<LeaseManager table={self.table_name!r}>"

    @staticmethod
    def lock_key(pk: str, sk: str = "LOCK") -> LeaseKey:
        """The key of the lease guarding ``pk`` (sort key ``LOCK`` unless given)."""
        return LeaseKey(_text(pk, "pk"), _text(sk, "sk"))

    def _key(self, key: LeaseKey) -> dict[str, Any]:
        return {self._pk: {"S": _text(key.pk, "key.pk")}, self._sk: {"S": _text(key.sk, "key.sk")}}

    def _expiry(self, now: int, lease_seconds: int, names: dict[str, str], values: dict[str, Any]) -> str:
        """The SET clause for a new expiry (and TTL when configured)."""
        expires = now + lease_seconds
        names["#exp"] = self._exp
        values[":exp"] = {"N": str(expires)}
        clause = "#exp = :exp"
        if self._ttl is not None and self._ttl_buffer > 0:
            names["#ttl"] = self._ttl
            values[":ttl"] = {"N": str(expires + self._ttl_buffer)}
            clause += ", #ttl = :ttl"
        return clause

    def _write(
        self, operation: str, request: dict[str, Any], lost: type[ConditionFailedError], what: str
    ) -> None:
        try:
            getattr(self._client, operation)(**request)
        except ClientError as exc:
            mapped = map_client_error(exc)
            if isinstance(mapped, ConditionFailedError):
                raise lost(what, code=mapped.code) from exc
            raise mapped from exc

    def acquire(self, key: LeaseKey, *, lease_seconds: int) -> Lease:
        """Take the lease for ``lease_seconds``; ``LeaseHeldError`` if it is held and not expired."""
        seconds = _seconds(lease_seconds)
        now = int(self._now())
        token = _text(self._token(), "token")
        names = {"#tok": self._tok}
        values: dict[str, Any] = {":tok": {"S": token}, ":now": {"N": str(now)}}
        update = f"SET #tok = :tok, {self._expiry(now, seconds, names, values)}"
        request = {
            "TableName": self.table_name,
            "Key": self._key(key),
            "UpdateExpression": update,
            "ConditionExpression": "attribute_not_exists(#exp) OR #exp <= :now",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        self._write("update_item", request, LeaseHeldError, f"lease is held: {key.pk}/{key.sk}")
        return Lease(key, token, now + seconds)

    def refresh(self, lease: Lease, *, lease_seconds: int) -> Lease:
        """Extend a lease you hold to ``now + lease_seconds``; ``LeaseNotOwnedError`` if it expired or was
        taken over."""
        seconds = _seconds(lease_seconds)
        now = int(self._now())
        names = {"#tok": self._tok}
        values: dict[str, Any] = {":tok": {"S": _text(lease.token, "lease.token")}, ":now": {"N": str(now)}}
        update = f"SET {self._expiry(now, seconds, names, values)}"
        request = {
            "TableName": self.table_name,
            "Key": self._key(lease.key),
            "UpdateExpression": update,
            "ConditionExpression": "#tok = :tok AND #exp > :now",
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        where = f"lease is not owned: {lease.key.pk}/{lease.key.sk}"
        self._write("update_item", request, LeaseNotOwnedError, where)
        return replace(lease, expires_at=now + seconds)

    def release(self, lease: Lease) -> bool:
        """Give the lease up (deletes the lease item if the token is still yours): True if released, False
        if it was no longer yours (expired and taken, or already released)."""
        request = {
            "TableName": self.table_name,
            "Key": self._key(lease.key),
            "ConditionExpression": "#tok = :tok",
            "ExpressionAttributeNames": {"#tok": self._tok},
            "ExpressionAttributeValues": {":tok": {"S": _text(lease.token, "lease.token")}},
        }
        try:
            self._write("delete_item", request, LeaseNotOwnedError, "lease is not owned")
        except LeaseNotOwnedError:
            return False
        return True
