"""The compact form a store keeps an item in: one tuple per item, its attribute names and types shared.

An item as handlers see it is a dict of one-key dicts (``{"pk": {"S": "a"}, "n": {"N": "1"}}``): on
CPython that costs 184 bytes per attribute value before its data. A store keeps instead one tuple per item,
``(shape, size, value, value, ...)``: the ``Shape`` (the attribute names and types, in order, shared by
every item written with the same ones), the item's size in bytes (DynamoDB's measure, so a replace or a
read never measures it again), and the bare values (``str`` for S and N, ``bytes``, ``bool``, the member
list of a set, the member structure of an L or M). Reading an item builds a fresh dict from the tuple
(``decode``): the caller owns it, so no further copy is needed before handing it out.

Shapes are interned per process and each compiles its own decoder (a dict display, the fastest way to build
a dict); past ``MAX_SHAPES`` distinct shapes (items with ever-new attribute names), new shapes are not
interned and decode with a loop instead.

>>> record = encode({"pk": {"S": "a"}, "tags": {"SS": ["x"]}, "n": {"N": "1"}}, 9)
>>> record[1:]
(9, 'a', ['x'], '1')
>>> decode(record)
{'pk': {'S': 'a'}, 'tags': {'SS': ['x']}, 'n': {'N': '1'}}
>>> decode(record) is not decode(record) and record[0] is encode({"pk": {"S": "b"}, "tags": {"SS": ["y"]},
...     "n": {"N": "2"}}, 9)[0]
True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from theorydb_mocks.emulator._types import AttributeValue, Item

__all__ = ["MAX_SHAPES", "Record", "Shape", "decode", "encode", "record_size", "rewrite"]

MAX_SHAPES = 8192

# (shape, size, value...): see the module docstring.
Record = tuple[Any, ...]

_SETS = frozenset({"SS", "NS", "BS"})


def _clone_value(av: AttributeValue) -> AttributeValue:
    """A copy of a nested value deep enough that the caller cannot change stored data through it."""
    for kind, value in av.items():
        if kind == "M":
            return {"M": {name: _clone_value(member) for name, member in value.items()}}
        if kind == "L":
            return {"L": [_clone_value(member) for member in value]}
        if kind in _SETS:
            return {kind: list(value)}
        return {kind: value}
    return {}


def _clone_map(members: dict[str, AttributeValue]) -> dict[str, AttributeValue]:
    return {name: _clone_value(member) for name, member in members.items()}


def _clone_list(members: list[AttributeValue]) -> list[AttributeValue]:
    return [
        {"N": member["N"]} if len(member) == 1 and "N" in member else _clone_value(member)
        for member in members
    ]


def _value_source(kind: str, slot: int) -> str:
    """The expression that rebuilds the attribute value held at ``r[slot]``."""
    if kind in _SETS:
        return f"{{{kind!r}: list(r[{slot}])}}"
    if kind == "M":
        return f"{{'M': clone_map(r[{slot}])}}"
    if kind == "L":
        return f"{{'L': clone_list(r[{slot}])}}"
    return f"{{{kind!r}: r[{slot}]}}"


def _compile_decoder(names: tuple[str, ...], kinds: tuple[str, ...]) -> Callable[[Record], Item]:
    pairs = enumerate(zip(names, kinds, strict=True))
    members = ", ".join(f"{name!r}: {_value_source(kind, 2 + n)}" for n, (name, kind) in pairs)
    namespace: dict[str, Any] = {"clone_map": _clone_map, "clone_list": _clone_list}
    exec(f"def decode(r):\n    return {{{members}}}\n", namespace)  # the names are repr()'d
    decoder: Callable[[Record], Item] = namespace["decode"]
    return decoder


class Shape:
    """The attribute names and types of the items that share it, and how to rebuild such an item."""

    __slots__ = ("decode", "kinds", "names", "slots")

    def __init__(self, names: tuple[str, ...], kinds: tuple[str, ...], *, compiled: bool) -> None:
        self.names = names
        self.kinds = kinds
        # name -> (where its value sits in a record, its type): what ``rewrite`` reads
        self.slots = {name: (2 + n, kind) for n, (name, kind) in enumerate(zip(names, kinds, strict=True))}
        self.decode: Callable[[Record], Item] = (
            _compile_decoder(names, kinds) if compiled else self._decode_by_loop
        )

    def __repr__(self) -> str:
        return f"<Shape {', '.join(f'{n}:{k}' for n, k in zip(self.names, self.kinds, strict=True))}>"

    def _decode_by_loop(self, record: Record) -> Item:
        item: Item = {}
        for name, kind, value in zip(self.names, self.kinds, record[2:], strict=True):
            if kind in _SETS:
                item[name] = {kind: list(value)}
            elif kind == "M":
                item[name] = {"M": _clone_map(value)}
            elif kind == "L":
                item[name] = {"L": _clone_list(value)}
            else:
                item[name] = {kind: value}
        return item


_SHAPES: dict[tuple[tuple[str, ...], tuple[str, ...]], Shape] = {}


def _shape(names: tuple[str, ...], kinds: tuple[str, ...]) -> Shape:
    key = (names, kinds)
    shape = _SHAPES.get(key)
    if shape is None:
        interned = len(_SHAPES) < MAX_SHAPES
        shape = Shape(names, kinds, compiled=interned)
        if interned:
            _SHAPES[key] = shape
    return shape


def encode(item: Item, size: int) -> Record:
    """The record of a valid item (one type per value) of ``size`` bytes.

    The item's containers (set member lists, L and M structures) are kept, not copied: the store owns
    what it is given, as it always has (never mutate an item after storing it).
    """
    values = item.values()
    kinds = tuple([kind for av in values for kind in av])
    if len(kinds) != len(item):
        raise ValueError(f"not a valid item (each attribute value has exactly one type): {item!r}")
    return (_shape(tuple(item), kinds), size, *[value for av in values for value in av.values()])


def rewrite(record: Record, item: Item, touched: frozenset[str], size: int) -> Record | None:
    """The record of ``item``, an update of ``record``'s item that changed only the ``touched`` attributes,
    each keeping its type: ``record`` with those values and the size replaced (its shape shared, nothing
    else built). None when a touched attribute is new, removed or of another type (the shape differs).

    Measured: encoding the whole item again was a fifth of a conditional UpdateItem on the direct client.
    """
    slots = record[0].slots
    values = list(record)
    values[1] = size
    for name in touched:
        slot = slots.get(name)
        av = item.get(name)
        if slot is None or av is None or len(av) != 1 or slot[1] not in av:
            return None
        values[slot[0]] = av[slot[1]]
    return tuple(values)


def decode(record: Record) -> Item:
    """A fresh item built from ``record`` (the caller may keep or change it)."""
    decoder: Callable[[Record], Item] = record[0].decode
    return decoder(record)


def record_size(record: Record) -> int:
    """The item's size in bytes, as remembered when it was stored."""
    size: int = record[1]
    return size
