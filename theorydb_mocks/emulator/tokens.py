"""Idempotency records of ``ClientRequestToken``: state of one emulator, saved and restored with it.

A successful TransactWriteItems with a token is remembered for 10 minutes (the service's window): a
repeat with the same request answers success and writes nothing; a repeat with another request is an
``IdempotentParameterMismatchException``. The records belong to the emulator that wrote (``emu.tokens``):
``emu.reset()`` forgets them, and a snapshot saves them, so ``restore`` and ``rollback`` bring back the
tokens of that moment along with the items they wrote.

>>> tokens = ClientTokens()
>>> tokens.record("t-1", expires=600.0, fingerprint="{}", written=[])
>>> tokens.find("t-1", now=1.0) is not None, tokens.find("t-1", now=601.0)
(True, None)
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["ClientTokens", "TokenRecord"]


class TokenRecord(NamedTuple):
    """One successful request by token: when it expires, what it asked, which items it wrote."""

    expires: float
    fingerprint: str
    written: list[tuple[Any, Any]]  # (table state, key) of each item written


class ClientTokens:
    """The live token records of one emulator, oldest first (expiries grow in insertion order)."""

    def __init__(self) -> None:
        self._records: dict[str, TokenRecord] = {}
        self._shared = False  # a snapshot holds ``_records``: copy it before the next change

    def __repr__(self) -> str:
        return f"<ClientTokens {len(self._records)}>"

    def __len__(self) -> int:
        return len(self._records)

    def find(self, token: str, now: float) -> TokenRecord | None:
        """The live record of ``token`` (expired ones are dropped first, oldest first)."""
        records = self._records
        while records:
            oldest = next(iter(records))
            if records[oldest].expires > now:
                break
            del self._writable()[oldest]
            records = self._records
        return records.get(token)

    def record(self, token: str, expires: float, fingerprint: str, written: list[tuple[Any, Any]]) -> None:
        """Remember a successful request made with ``token``."""
        records = self._writable()
        records.pop(token, None)  # re-inserted last: the order stays by expiry
        records[token] = TokenRecord(expires, fingerprint, written)

    def clear(self) -> None:
        self._records = {}
        self._shared = False

    def save(self) -> dict[str, TokenRecord]:
        """The records for a snapshot: O(1), the next change copies them (records are immutable)."""
        self._shared = True
        return self._records

    def load(self, saved: dict[str, TokenRecord]) -> None:
        """Go back to the records of a snapshot (which stay the snapshot's: restorable again)."""
        self._records = saved
        self._shared = True

    def _writable(self) -> dict[str, TokenRecord]:
        if self._shared:
            self._records = dict(self._records)
            self._shared = False
        return self._records
