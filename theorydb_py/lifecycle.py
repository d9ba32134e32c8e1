"""Lifecycle roles: ``created_at``/``updated_at`` timestamps, ``version`` for optimistic locking, ``ttl``.

The library sets them, from one injectable clock (``Table(..., clock=...)``; the default reads
``datetime.now(UTC)``, so freezegun works):

- ``created_at``: set by ``create``; by ``put`` when the instance has none; by ``update`` (and the update
  builder) only when the item is new, with ``if_not_exists``.
- ``updated_at``: set by every ``create``, ``put`` and update.
- ``version``: ``create`` starts it at 0; every update adds 1. ``expected_version=`` on updates and deletes
  (``condition_version`` on the builder) makes the write conditional on the stored version, and a mismatch
  raises ``VersionConflictError`` (a ``ConditionFailedError``).
- ``ttl``: a datetime or epoch seconds, stored as N epoch seconds (what DynamoDB's TTL reads).

Timestamps are stored as UTC RFC 3339 strings with six fractional digits and ``Z``
(``2024-05-01T12:30:00.000000Z``): Go's ``time.RFC3339Nano`` and JavaScript's ``Date`` parse them, and
they sort as text in time order.

>>> format_timestamp(dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC))
'2024-05-01T12:30:00.000000Z'
>>> ttl_epoch(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
1704067200
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from theorydb_py.codec import format_datetime
from theorydb_py.errors import ConditionFailedError, ValidationError, VersionConflictError
from theorydb_py.expressions import Condition, eq
from theorydb_py.model import FieldDefinition, ModelDefinition
from theorydb_py.update import UpdateAdd, UpdateSetIfNotExists

__all__ = ["Clock", "Lifecycle", "format_timestamp", "system_clock", "ttl_epoch"]

T = TypeVar("T")
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    """The current UTC time (looked up at each call, so freezegun's frozen time is seen)."""
    return dt.datetime.now(dt.UTC)


def format_timestamp(value: dt.datetime) -> str:
    """The one stored form of ``created_at``/``updated_at`` (and every datetime field)."""
    return format_datetime(value)


def ttl_epoch(value: dt.datetime | int) -> int:
    """Epoch seconds for a TTL attribute: a datetime (naive = UTC) or an int as is."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return int(aware.timestamp())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"a TTL is a datetime or non-negative epoch seconds, not {value!r}")
    return value


def _set(instance: Any, name: str, value: Any) -> None:
    object.__setattr__(instance, name, value)  # frozen dataclasses too: the copy is ours


class Lifecycle:
    """The lifecycle fields of one model and the clock that stamps them."""

    __slots__ = ("_clock", "created_at", "model", "ttl", "updated_at", "version")

    def __init__(self, model: ModelDefinition[Any], clock: Clock | None = None) -> None:
        if clock is not None and not callable(clock):
            raise ValidationError(f"clock must be a callable returning a datetime, not {clock!r}")
        self.model = model
        self._clock: Clock = system_clock if clock is None else clock
        self.created_at: FieldDefinition | None = model.role("created_at")
        self.updated_at: FieldDefinition | None = model.role("updated_at")
        self.version: FieldDefinition | None = model.role("version")
        self.ttl: FieldDefinition | None = model.role("ttl")

    def __repr__(self) -> str:
        roles = [r for r in ("created_at", "updated_at", "version", "ttl") if getattr(self, r) is not None]
        return f"<Lifecycle {self.model.model.__name__} {roles}>"

    @property
    def active(self) -> bool:
        return any(f is not None for f in (self.created_at, self.updated_at, self.version))

    def now(self) -> dt.datetime:
        """The clock's time as an aware UTC datetime (a naive answer is taken as UTC)."""
        value = self._clock()
        if not isinstance(value, dt.datetime):
            raise ValidationError(f"the clock returned {value!r}, not a datetime")
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)

    # --- whole items ------------------------------------------------------------------------------------

    def stamp(self, instance: T, *, new: bool) -> T:
        """A copy of ``instance`` ready to write: ``updated_at`` now; ``created_at`` now when ``new`` or
        unset; ``version`` 0 when ``new``. The caller's instance is never changed."""
        if not self.active:
            return instance
        now = self.now()
        out = copy.copy(instance)
        if self.updated_at is not None:
            _set(out, self.updated_at.python_name, now)
        if self.created_at is not None and (new or getattr(out, self.created_at.python_name) is None):
            _set(out, self.created_at.python_name, now)
        if self.version is not None and new:
            _set(out, self.version.python_name, 0)
        return out

    # --- updates ------------------------------------------------------------------------------------------

    def touched(self, refs: set[str]) -> set[str]:
        """The Python names of the fields that ``refs`` (Python or attribute names) stand for."""
        return {self.model.field(ref).python_name for ref in refs}

    def update_changes(self, touched: set[str]) -> dict[str, Any]:
        """What every update adds, as an update mapping: ``updated_at`` now, ``created_at`` only if the
        item is new, ``version`` plus one; fields the caller already changes are left to the caller."""
        changes: dict[str, Any] = {}
        if not self.active:
            return changes
        now = self.now()
        if self.updated_at is not None and self.updated_at.python_name not in touched:
            changes[self.updated_at.python_name] = now
        if self.created_at is not None and self.created_at.python_name not in touched:
            changes[self.created_at.python_name] = UpdateSetIfNotExists(now)
        if self.version is not None and self.version.python_name not in touched:
            changes[self.version.python_name] = UpdateAdd(1)
        return changes

    # --- optimistic locking -----------------------------------------------------------------------------

    def version_condition(self, expected: int) -> Condition:
        """``version = expected``; ``ValidationError`` if the model has no version field."""
        if self.version is None:
            raise ValidationError(
                f"{self.model.model.__name__} has no version field; mark an int with roles='version'"
            )
        if isinstance(expected, bool) or not isinstance(expected, int) or expected < 0:
            raise ValidationError(f"expected_version must be an int >= 0, not {expected!r}")
        return eq(self.version.python_name, expected)

    def conflict(self, err: ConditionFailedError, expected: int) -> ConditionFailedError:
        """``VersionConflictError`` when the item as it was (``ALL_OLD``) is gone or has another version;
        otherwise ``err`` itself (another part of the condition failed)."""
        assert self.version is not None
        stored = None if err.raw_item is None else err.raw_item.get(self.version.attribute_name)
        if stored == {"N": str(expected)}:
            return err
        shown = (stored or {}).get("N")
        found = "the item is gone" if err.raw_item is None else f"the stored version is {shown}"
        return VersionConflictError(
            f"{self.model.model.__name__}: expected version {expected}, but {found}",
            code=err.code,
            raw_item=err.raw_item,
        )
