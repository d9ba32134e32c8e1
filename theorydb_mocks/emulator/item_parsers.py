"""Compiled parsers of plain items: one straight-line function per item shape (attribute names and
types) and table, which checks, sizes and encodes an item as its store record without building it as a
dict of dicts.

Two callers take this path, and each falls back to the checked path whenever the parser is unsure:
- the bulk loader (``bulk_load``: ImportTable, dumps, restores), from DynamoDB JSON or from the matched
  text of an export's line (``line_shapes``);
- PutItem's express lane (``parse_put_item``), from a boto3 request's item.

The names, the key types and the index key types are checked once per shape, when its parser is
compiled; each value is then checked and sized inline. A parser answers only for values it is sure
of (the kinds in ``_FAST_KINDS``, keys neither empty nor near their limits, canonical key numbers, items
well under 400 KB): anything else gets None, and the checked path words the error.

>>> from theorydb_mocks.emulator._types import KeySchema
>>> record, pkv, skv = parse_put_item(KeySchema("pk", "S"), {"pk": {"S": "a"}, "n": {"N": "1.50"}})
>>> record[1:], pkv, skv
((7, 'a', '1.5'), 'a', None)
>>> parse_put_item(KeySchema("pk", "S"), {"pk": {"S": ""}}) is None  # an empty key: the checked path
True
"""

from __future__ import annotations

import binascii
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from theorydb_mocks.emulator.records import Record, encode
from theorydb_mocks.emulator.values import (
    NUMBER_SIGNATURE,
    NUMBER_SIZES,
    canonical_number_text,
    key_sort_value,
    number_size,
    utf8_size,
)

if TYPE_CHECKING:
    from theorydb_mocks.emulator._types import IndexSpec, KeySchema

__all__ = ["MAX_PUT_PARSERS", "Binary", "ItemParser", "compile_parser", "parse_put_item"]

Binary = Literal["base64", "bytes"]
# raw item (or a line's match) -> (record, partition value, sort value, index entries), or None
ItemParser = Callable[[Any], "tuple[Record, Any, Any, tuple[Any, ...]] | None"]
MAX_PUT_PARSERS = 4096  # shapes x table keys kept for PutItem's lane; past it, new shapes are declined

_MAX_ITEM = 400 * 1024
_SAFE_KEY_BYTES = 1024  # a key value above this (or empty) takes the checked path, which knows the limits
_SAFE_NAME_BYTES = 255
_FAST_KINDS = frozenset({"S", "N", "B", "SS", "BOOL"})


def _base64(text: str) -> bytes:
    return binascii.a2b_base64(text, strict_mode=True)


def _sort_value_source(kind: str, var: str) -> str:
    if kind == "S":
        return f"({var} if {var}.isascii() else KSV({{'S': {var}}}))"
    if kind == "N":
        return f"DEC({var})"
    return var


def compile_parser(
    names: tuple[str, ...],
    kinds: tuple[str, ...],
    key: KeySchema,
    indexes: list[IndexSpec],
    *,
    binary: Binary = "base64",
    from_line: tuple[int, ...] | None = None,
) -> ItemParser | None:
    """The parser of items of this shape in a table of this ``key`` and ``indexes``, or None when the
    shape needs the checked path.

    The parser takes the raw item and answers ``(record, partition value, sort value, index entries)``,
    each index entry ``(index number, partition value, entry key, record)``; or None when it is unsure
    (it may also raise on values of unexpected types: callers treat that as unsure).
    ``binary``: how the item's ``B`` values come (DynamoDB JSON's base64 text, or boto3's ``bytes``).
    ``from_line``: it takes instead the ``LineShapes`` match of a line, reading each value's text (which
    the pattern has already checked) from these group numbers.
    """
    if len(names) != len(kinds) or not set(kinds) <= _FAST_KINDS:
        return None
    if any(not name or utf8_size(name) > _SAFE_NAME_BYTES for name in names):
        return None
    kind_of = dict(zip(names, kinds, strict=True))
    key_names: dict[str, str] = {}
    for key_name, key_type in ((key.hash_name, key.hash_type), (key.range_name, key.range_type)):
        if key_name is None or key_type is None:
            continue
        if kind_of.get(key_name) != key_type:
            return None  # missing or mistyped: the checked path says which
        key_names[key_name] = key_type
    for spec in indexes:
        for name in spec.key.names:
            if name in kind_of and kind_of[name] != spec.key.type_of(name):
                return None
            if name in kind_of:
                key_names[name] = kind_of[name]
    lines = ["def parse(raw):", f"    size = {sum(utf8_size(n) for n in names)}"]
    slot = {name: i for i, name in enumerate(names)}
    for i, (name, kind) in enumerate(zip(names, kinds, strict=True)):
        v = f"x{i}"
        if from_line is None:
            lines.append(f"    {v} = raw[{name!r}][{kind!r}]")
            steps = _item_value_steps(v, i, kind, name in key_names, binary)
        else:
            lines.append(f"    {v} = raw[{from_line[i]}]")
            steps = _line_value_steps(v, i, kind, name in key_names)
        lines.extend(f"    {step}" for step in steps)
        if name in key_names and kind in ("S", "B"):
            lines.append(f"    if n{i} == 0 or n{i} > {_SAFE_KEY_BYTES}: return None")
        lines.append(f"    size += n{i}")
    lines.append(f"    if size > {_MAX_ITEM}: return None")
    values = ", ".join(f"x{i}" for i in range(len(names)))
    lines.append(f"    rec = (SHAPE, size, {values}{',' if len(names) == 1 else ''})")
    namespace: dict[str, Any] = {
        "U": utf8_size,
        "NS": number_size,
        "NUM": canonical_number_text,
        "B64": _base64,
        "A2B": binascii.a2b_base64,
        "SIZES": NUMBER_SIZES,
        "SIG": NUMBER_SIGNATURE,
        "KSV": key_sort_value,
        "DEC": Decimal,
    }
    sample = {name: {kind: _SAMPLES[kind]} for name, kind in zip(names, kinds, strict=True)}
    namespace["SHAPE"] = encode(sample, 0)[0]
    sort_value = _sort_value_source if from_line is None else _line_sort_value_source
    pk = sort_value(key.hash_type, f"x{slot[key.hash_name]}")
    sk = "None" if key.range_name is None else sort_value(key.range_type or "", f"x{slot[key.range_name]}")
    lines.append(f"    pkv = {pk}")
    lines.append(f"    skv = {sk}")
    entries = []
    for number, spec in enumerate(indexes):
        ikey = spec.key
        if any(name not in kind_of for name in ikey.names):
            continue  # sparse: no item of this shape is in the index
        ipk = sort_value(ikey.hash_type, f"x{slot[ikey.hash_name]}")
        if ikey.range_name is None:
            entry = "(pkv, skv)"
        else:
            entry = f"({sort_value(ikey.range_type or '', f'x{slot[ikey.range_name]}')}, pkv, skv)"
        if spec.projection_type == "ALL":
            irec = "rec"
        else:
            kept = {*key.names, *ikey.names}
            if spec.projection_type == "INCLUDE":
                kept.update(spec.non_key_attributes)
            chosen = [i for i, name in enumerate(names) if name in kept]
            projected = {names[i]: {kinds[i]: _SAMPLES[kinds[i]]} for i in chosen}
            namespace[f"SHAPE{number}"] = encode(projected, 0)[0]
            fixed = sum(utf8_size(names[i]) for i in chosen)
            psize = " + ".join([str(fixed), *(f"n{i}" for i in chosen)])
            pvalues = ", ".join(f"x{i}" for i in chosen)
            irec = f"(SHAPE{number}, {psize}, {pvalues}{',' if len(chosen) == 1 else ''})"
        entries.append(f"({number}, {ipk}, {entry}, {irec})")
    lines.append(f"    return rec, pkv, skv, ({', '.join(entries)}{',' if len(entries) == 1 else ''})")
    exec("\n".join(lines), namespace)  # names are repr()'d; kinds come from a fixed set
    parser: ItemParser = namespace["parse"]
    return parser


def _line_sort_value_source(kind: str, var: str) -> str:
    return f"DEC({var})" if kind == "N" else var  # a line's strings are ASCII: their own sort value


def _item_value_steps(var: str, slot: int, kind: str, is_key: bool, binary: Binary) -> list[str]:
    """Source lines checking one value of a decoded item and setting its size ``n<slot>``."""
    size = f"n{slot}"
    if kind == "S":
        return [
            f"if type({var}) is not str: return None",
            f"{size} = len({var}) if {var}.isascii() else U({var})",
        ]
    if kind == "N":  # a key's number must already be canonical (its sort value is taken from it)
        fix = f"if NUM({var}) is not {var}: return None" if is_key else f"{var} = NUM({var})"
        return [f"if type({var}) is not str: return None", fix, f"{size} = NS({var})"]
    if kind == "B" and binary == "bytes":
        return [f"if type({var}) is not bytes: return None", f"{size} = len({var})"]
    if kind == "B":
        return [f"if type({var}) is not str: return None", f"{var} = B64({var})", f"{size} = len({var})"]
    if kind == "SS":
        return [
            f"if type({var}) is not list or not {var} or len(set({var})) != len({var}): return None",
            f"{size} = 0",
            f"for m in {var}:",
            "    if type(m) is not str: return None",
            f"    {size} += len(m) if m.isascii() else U(m)",
        ]
    return [f"if type({var}) is not bool: return None", f"{size} = 1"]  # BOOL


def _line_value_steps(var: str, slot: int, kind: str, is_key: bool) -> list[str]:
    """Source lines turning the text of one matched value into the stored value and its size ``n<slot>``
    (``LineShapes`` has checked the characters; the rules left are the lengths and set members)."""
    size = f"n{slot}"
    if kind == "S":
        return [f"{size} = len({var})"]
    if kind == "N":  # canonical text: within DynamoDB's limits whenever it has 38 characters or fewer
        fix = "return None" if is_key else f"{var} = NUM({var})"
        known = f"SIZES.get({var}.translate(SIG))"  # ``values.number_size``, inline
        return [f"if len({var}) > 38: {fix}", f"{size} = {known} or NS({var})"]
    if kind == "B":
        return [f"{var} = A2B({var}, strict_mode=True)", f"{size} = len({var})"]
    if kind == "SS":  # '"a","bc"': the members' characters are the text less two quotes and a comma each
        return [
            f"{size} = len({var}) + 1",
            f"{var} = {var}[1:-1].split('\",\"')",
            f"{size} -= 3 * len({var})",
            f"if len({var}) > 1 and len(set({var})) != len({var}): return None",
        ]
    return [f"{var} = {var} == 'true'", f"{size} = 1"]  # BOOL


_SAMPLES: dict[str, Any] = {"S": "", "N": "0", "B": b"", "SS": [""], "BOOL": True}


# (hash name, hash type, range name, range type, names, kinds) -> parser: a table's key is never
# multi-attribute, and a tuple of strings hashes in C (a KeySchema's hash is a Python call).
_PUT_PARSERS: dict[tuple[Any, ...], ItemParser | None] = {}


def parse_put_item(key: KeySchema, item: Any) -> tuple[Record, Any, Any] | None:
    """PutItem's express parse of a boto3 item for a table of this ``key`` without indexes: its record,
    partition value and sort value; None when the item needs the checked path (see the module docstring).

    Parsers are kept per process, by table key and item shape (at most ``MAX_PUT_PARSERS``): a test
    suite's fresh emulators reuse them."""
    if type(item) is not dict or key.extra_hash or key.extra_range:  # (``multi``, without a call)
        return None
    try:
        names = tuple(item)
        kinds = tuple([kind for av in item.values() for kind in av])
        slot = (key.hash_name, key.hash_type, key.range_name, key.range_type, names, kinds)
        if slot in _PUT_PARSERS:
            parse = _PUT_PARSERS[slot]
        elif len(_PUT_PARSERS) < MAX_PUT_PARSERS:
            parse = _PUT_PARSERS[slot] = compile_parser(names, kinds, key, [], binary="bytes")
        else:
            return None
        parsed = None if parse is None else parse(item)
    except Exception:  # a value of another type than its shape says: the checked path words it
        return None
    return None if parsed is None else parsed[:3]
