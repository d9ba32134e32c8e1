"""Strategies for instances of an ORM model (duck-typed: nothing here imports theorydb_py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
import uuid
from collections.abc import Mapping, Sequence, Sized
from collections.abc import Set as AbstractSet
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from theorydb_mocks.emulator._types import Item
from theorydb_mocks.emulator.values import item_size
from theorydb_mocks.strategies._values import (
    MAX_ITEM_BYTES,
    MAX_PARTITION_KEY_BYTES,
    MAX_SORT_KEY_BYTES,
    binaries,
    numbers,
    strings,
)

# --- instances of an ORM model ------------------------------------------------------------------------------
# Duck-typed: a model is anything with ``.model`` (a dataclass), ``.fields`` and optionally ``.pk``, ``.sk``
# and ``.indexes`` with ``.index_keys(index)`` giving key fields that have ``python_name``; field options
# are read from the dataclass field's metadata. Nothing here imports theorydb_py (DESIGN.md: theorydb_mocks
# never does).

_META_KEY = "theorydb"
_INT_LIMIT = 10**38 - 1
_MIN_MAGNITUDE = 1.0000000000000001e-130
_MAX_MAGNITUDE = 9.99999999999999e125  # the nearest float to 9.999999999999999e125 is 1e126
_SET_MEMBERS = (str, int, float, Decimal, bytes)
_EPOCH_START = dt.datetime(1970, 1, 1)
_EPOCH_END = dt.datetime(2100, 1, 1)


def _floats() -> st.SearchStrategy[float]:
    return st.one_of(
        st.just(0.0),
        st.floats(_MIN_MAGNITUDE, _MAX_MAGNITUDE),
        st.floats(-_MAX_MAGNITUDE, -_MIN_MAGNITUDE),
    )


def _scalar_strategy(hint: Any, limit: int | None) -> st.SearchStrategy[Any] | None:
    """A scalar type the codec stores; ``limit`` (key bytes) makes strings and bytes non-empty and short."""
    low = 0 if limit is None else 1
    # A character takes up to 4 UTF-8 bytes: 20 of them stay far below the 1024-byte sort key limit.
    table: dict[Any, st.SearchStrategy[Any]] = {
        str: strings(min_size=low, max_size=20),
        bytes: binaries(min_size=low, max_size=20),
        bytearray: binaries(min_size=low, max_size=20).map(bytearray),
        bool: st.booleans(),
        int: st.integers(-_INT_LIMIT, _INT_LIMIT),
        float: _floats(),
        Decimal: numbers(),
        dt.datetime: st.datetimes(timezones=st.just(dt.UTC)),
        dt.date: st.dates(),
        uuid.UUID: st.uuids(),
    }
    return table.get(hint)


def _optional_of(hint: Any) -> tuple[Any, bool]:
    """``(T, True)`` for ``T | None``, else ``(hint, False)``."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0], True
    return hint, False


def _dynamic_values() -> st.SearchStrategy[Any]:
    """Values of an ``Any`` field that read back equal (no floats: N reads back as int or Decimal)."""
    base = st.one_of(
        st.none(),
        st.booleans(),
        strings(max_size=10),
        st.integers(-_INT_LIMIT, _INT_LIMIT),
        numbers(),
        binaries(max_size=10),
        st.sets(strings(max_size=6), min_size=1, max_size=4),
    )
    return st.recursive(
        base,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(strings(min_size=1, max_size=6), inner, max_size=3)
        ),
        max_leaves=6,
    )


def _json_values() -> st.SearchStrategy[Any]:
    base = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        strings(max_size=10),
    )
    return st.recursive(
        base,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(strings(max_size=6), inner, max_size=3),
        max_leaves=6,
    )


class _Planner:
    """Builds, once and eagerly (so a field without a strategy fails at once), the strategy of a model."""

    def __init__(self, overrides: dict[str, st.SearchStrategy[Any]], table_keys: set[str]) -> None:
        self.overrides = overrides
        self.used: set[str] = set()
        self.table_keys = table_keys
        self.structs: dict[type, st.SearchStrategy[Any]] = {}

    def fail(self, where: str, why: str) -> Exception:
        from hypothesis.errors import InvalidArgument

        return InvalidArgument(f"{where}: {why}; pass a strategy for it: overrides={{{where!r}: ...}}")

    # -- plain values -----------------------------------------------------------------------------------

    def value(
        self, hint: Any, where: str, *, limit: int | None = None, nested: bool = False
    ) -> st.SearchStrategy[Any]:
        """Values of ``hint`` as the codec stores them; ``nested`` inside a list or map (no empty sets)."""
        inner, optional = _optional_of(hint)
        strategy = self._value(inner, where, limit, nested)
        return st.none() | strategy if optional and limit is None else strategy

    def _value(self, hint: Any, where: str, limit: int | None, nested: bool) -> st.SearchStrategy[Any]:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if hint is Any or hint is object:
            return _dynamic_values()
        scalar = _scalar_strategy(hint, limit)
        if scalar is not None:
            return scalar
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            storable = [m for m in hint if limit is None or m.value not in ("", b"")]
            if not storable:
                raise self.fail(where, f"enum {hint.__name__} has no storable member")
            return st.sampled_from(storable)
        if origin in (set, frozenset, AbstractSet):
            members = self.set_members(args, where, nested=nested)
            return members.map(frozenset) if origin is frozenset else members
        if origin in (list, Sequence) or (origin is tuple and len(args) == 2 and args[1] is Ellipsis):
            element = self.value(args[0], where + "[]", nested=True) if args else _dynamic_values()
            lists = st.lists(element, max_size=4)
            return lists.map(tuple) if origin is tuple else lists
        if origin in (dict, Mapping) and (not args or args[0] is str):
            element = self.value(args[1], where + ".*", nested=True) if args else _dynamic_values()
            return st.dictionaries(strings(min_size=1, max_size=8), element, max_size=4)
        if hint is list:
            return st.lists(_dynamic_values(), max_size=4)
        if hint is dict:
            return st.dictionaries(strings(min_size=1, max_size=8), _dynamic_values(), max_size=4)
        if hint is set:
            return st.sets(strings(max_size=6), min_size=1, max_size=4)
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self.struct(hint)
        raise self.fail(where, f"cannot infer values of {hint!r}")

    def set_members(self, args: tuple[Any, ...], where: str, *, nested: bool) -> st.SearchStrategy[Any]:
        element = _optional_of(args[0])[0] if args else None
        if element not in _SET_MEMBERS:
            raise self.fail(where, f"a set of {element!r} is not storable")
        member = _scalar_strategy(element, None)
        assert member is not None
        return st.sets(member, min_size=1 if nested else 0, max_size=5)

    def json_value(self, hint: Any, where: str, *, nested: bool = False) -> st.SearchStrategy[Any]:
        """Values that come back equal from JSON text: JSON's own types and flat dataclasses of them."""
        inner, optional = _optional_of(hint)
        origin, args = typing.get_origin(inner), typing.get_args(inner)
        strategy: st.SearchStrategy[Any]
        if inner in (Any, object):
            strategy = _json_values()
        elif inner is str:
            strategy = strings(max_size=20)
        elif inner is bool:
            strategy = st.booleans()
        elif inner is int:
            strategy = st.integers()
        elif inner is float:
            strategy = st.floats(allow_nan=False, allow_infinity=False)
        elif inner is list or origin is list:
            strategy = st.lists(
                self.json_value(args[0], where, nested=True) if args else _json_values(), max_size=4
            )
        elif inner is dict or (origin is dict and args[0] is str):
            element = self.json_value(args[1], where, nested=True) if args else _json_values()
            strategy = st.dictionaries(strings(max_size=8), element, max_size=4)
        elif not nested and isinstance(inner, type) and dataclasses.is_dataclass(inner):
            hints = typing.get_type_hints(inner)
            fields = {
                f.name: self.json_value(hints[f.name], f"{where}.{f.name}", nested=True)
                for f in dataclasses.fields(inner)
                if f.init
            }
            strategy = st.builds(inner, **fields)
        else:
            raise self.fail(where, f"{hint!r} does not come back from JSON as itself")
        return st.none() | strategy if optional else strategy

    # -- fields and dataclasses ----------------------------------------------------------------------------

    def field(
        self, cls: type, field: dataclasses.Field[Any], hint: Any, limit: int | None, *, top: bool
    ) -> st.SearchStrategy[Any]:
        where = f"{cls.__name__}.{field.name}"
        for name in (where, field.name) if top else (where,):
            if name in self.overrides:
                self.used.add(name)
                return self.overrides[name]
        options = field.metadata.get(_META_KEY)
        roles = tuple(getattr(options, "roles", ()))
        inner, optional = _optional_of(hint)
        strategy: st.SearchStrategy[Any]
        if getattr(options, "converter", None) is not None:
            raise self.fail(where, "a field with a custom converter has no inferable values")
        if getattr(options, "json", False):
            strategy = self.json_value(hint, where)
        elif getattr(options, "binary", False):
            if inner in (bytes, bytearray, str):
                strategy = self.value(hint, where, limit=limit)
            else:
                strategy = self.json_value(hint, where)
        elif "ttl" in roles and inner is dt.datetime:
            stamps = st.datetimes(_EPOCH_START, _EPOCH_END, timezones=st.just(dt.UTC))
            strategy = stamps.map(lambda d: d.replace(microsecond=0))
            strategy = st.none() | strategy if optional else strategy
        elif "ttl" in roles or "version" in roles:
            strategy = st.integers(0, 2**32)
            strategy = st.none() | strategy if optional else strategy
        elif getattr(options, "set_", False) and typing.get_origin(inner) in (list, tuple, Sequence):
            build = tuple if typing.get_origin(inner) is tuple else list
            strategy = self.set_members(typing.get_args(inner), where, nested=False).map(
                lambda s: build(sorted(s))
            )
            strategy = st.none() | strategy if optional else strategy
        else:
            strategy = self.value(hint, where, limit=limit)
            if optional and limit is not None and field.name not in self.table_keys:
                strategy = st.none() | strategy  # a sparse index: the item is simply not in it
        absent = _absent_value(field, inner)
        omitempty = bool(getattr(options, "omitempty", False))
        return strategy.filter(lambda v: not _omitted(v, omitempty) or v == absent)

    def struct(self, cls: type, limits: dict[str, int] | None = None) -> st.SearchStrategy[Any]:
        """A dataclass; ``limits`` (top level only) bounds key fields; nested ones may be recursive."""
        if limits is None:
            if cls in self.structs:
                return self.structs[cls]
            self.structs[cls] = st.deferred(lambda: built)
        hints = typing.get_type_hints(cls)
        init: dict[str, st.SearchStrategy[Any]] = {}
        late: dict[str, st.SearchStrategy[Any]] = {}
        for member in dataclasses.fields(cls):
            if getattr(member.metadata.get(_META_KEY), "ignore", False):
                continue
            target = init if member.init else late
            limit = (limits or {}).get(member.name)
            target[member.name] = self.field(cls, member, hints[member.name], limit, top=limits is not None)
        built = st.builds(cls, **init)
        if late:
            built = st.tuples(built, st.fixed_dictionaries(late)).map(_set_late)
        if limits is None:
            self.structs[cls] = built
        return built


def _set_late(pair: tuple[Any, dict[str, Any]]) -> Any:
    instance, late = pair
    for name, value in late.items():
        object.__setattr__(instance, name, value)
    return instance


def _absent_value(field: dataclasses.Field[Any], hint: Any) -> Any:
    """What a field reads back as when its attribute is left out (None, an empty set, omitempty)."""
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    origin = typing.get_origin(hint) or hint
    empties: dict[Any, Any] = {
        set: set(),
        AbstractSet: set(),
        frozenset: frozenset(),
        list: [],
        Sequence: [],
        tuple: (),
        dict: {},
        Mapping: {},
    }
    return empties.get(origin)


def _omitted(value: Any, omitempty: bool) -> bool:
    if value is None:
        return True
    if isinstance(value, AbstractSet) and not value:
        return True
    return omitempty and isinstance(value, Sized) and len(value) == 0


def _table_keys(model: Any) -> set[str]:
    keys = (getattr(model, "pk", None), getattr(model, "sk", None))
    return {key.python_name for key in keys if key is not None}


def _key_limits(model: Any) -> dict[str, int]:
    """Python name -> byte limit of every table and index key field (index keys: non-empty too)."""
    limits: dict[str, int] = {}
    pairs = [(getattr(model, "pk", None), getattr(model, "sk", None))]
    pairs += [model.index_keys(i) for i in getattr(model, "indexes", ())]  # the index's key fields
    for partition, sort in pairs:
        for key, limit in ((partition, MAX_PARTITION_KEY_BYTES), (sort, MAX_SORT_KEY_BYTES)):
            if key is not None:
                name = key.python_name
                limits[name] = min(limit, limits.get(name, limit))
    return limits


def _stored_size(model: Any, instance: Any) -> int:
    item: Item = {}
    for f in model.fields:
        value = getattr(instance, f.python_name)
        av = None if value is None else f.codec.encode(value, f.python_name)
        if av is not None:
            item[f.attribute_name] = av
    return item_size(item)


def model_instances(
    model: Any,
    *,
    overrides: dict[str, st.SearchStrategy[Any]] | None = None,
    **field_strategies: st.SearchStrategy[Any],
) -> st.SearchStrategy[Any]:
    """Instances of a ``theorydb_py.ModelDefinition``'s dataclass that DynamoDB stores and gives back equal.

    Keys (of the table and its indexes) are non-empty and within the key size limits; numbers fit 38 digits
    and DynamoDB's range; datetimes are UTC (TTL ones whole seconds); sets hold the declared member type;
    nested dataclasses recurse; optional fields are sometimes None; a value that would be left out of the
    item (None, an empty set, an omitempty empty value) is drawn only when it reads back as the field's
    default; items stay under 400 KB. ``overrides={"field": strategy}`` (or ``field=strategy``; a nested
    dataclass's field as ``"Class.field"``) replaces a field's strategy and is required for converter fields
    and types the codec cannot infer: without it the call raises ``InvalidArgument`` naming the field.

    >>> from dataclasses import dataclass, field
    >>> from hypothesis import given, strategies as st
    >>> from theorydb_py import ModelDefinition, theorydb_field
    >>> @dataclass
    ... class User:
    ...     id: str = theorydb_field(roles="pk")
    ...     email: str = ""
    ...     tags: set[str] = field(default_factory=set)
    >>> users = ModelDefinition.from_dataclass(User, table_name="users")
    >>> @given(model_instances(users, email=st.emails()))
    ... def test_user(user):
    ...     assert user.id and "@" in user.email
    >>> test_user()
    """
    cls = getattr(model, "model", None)
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)) or not hasattr(model, "fields"):
        from hypothesis.errors import InvalidArgument

        raise InvalidArgument(
            f"model_instances needs a ModelDefinition (with .model and .fields), not {model!r}"
        )
    chosen = {**(overrides or {}), **field_strategies}
    planner = _Planner(chosen, _table_keys(model))
    strategy = planner.struct(cls, _key_limits(model))
    unused = sorted(set(chosen) - planner.used)
    if unused:
        from hypothesis.errors import InvalidArgument

        known = ", ".join(f.name for f in dataclasses.fields(cls))
        raise InvalidArgument(
            f"{cls.__name__} has no stored field {unused[0]!r} (fields: {known}; a nested dataclass's "
            "field is named 'Class.field')"
        )
    return strategy.filter(lambda instance: _stored_size(model, instance) < MAX_ITEM_BYTES)
