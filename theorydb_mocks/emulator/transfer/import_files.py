"""Reading import sources: objects of DynamoDB JSON, Ion or CSV lines, compressed or not, as items.

Each object under the import's prefix is read as a stream (``compression.decompressed``), line by line,
so memory holds one line at a time whatever the file's size. Every line with data is one processed item:
it either yields an item (boto3 shape, validated as a PutItem's would be: attribute values, the table's
key, index keys, the 400 KB limit) or an error message, which the import counts and logs as the service
does, and goes on.

- ``DYNAMODB_JSON``: one ``{"Item": {...}}`` object per line (binary values base64), as exports write them.
- ``ION``: ``$ion_1_0 {Item:{...}}`` values; a value may span lines (it is read until it is complete).
- ``CSV``: the header is ``HeaderList`` or each file's first line; cells of the table's and its indexes'
  key attributes take their ``AttributeDefinitions`` types (binary as base64), every other cell is a string;
  empty cells are left out. A quoted value cannot span lines here (each line is one row).

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.Format.html
"""

from __future__ import annotations

import base64
import binascii
import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.transfer import ion
from theorydb_mocks.emulator.values import (
    attribute_value_size,
    canonical_number_text,
    item_size,
    normalize_number,
    number_size,
    utf8_size,
    validate_attribute_value,
    validate_item,
)

__all__ = ["ItemChecker", "ReadStats", "SourceLine", "decode_json_item", "json_item", "read_source"]

# Checks a validated item of the given size against the table's keys; returns the size; raises DynamoDBError.
ItemChecker = Callable[[dict[str, Any], int], int]
MAX_ION_LINES = 10_000  # an Ion value spanning more lines than this is counted as one error


@dataclass(slots=True)
class SourceLine:
    """One processed line: its position in the file (1-based), its bytes, and an item or an error."""

    index: int
    size: int
    item: dict[str, Any] | None
    size_bytes: int = 0  # the item's size, when it is one
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # the line's other members (a bulk put's condition)


def _blobs(av: Any) -> Any:
    """A DynamoDB JSON attribute value with its base64 blobs decoded (the rest left to validation)."""
    if type(av) is not dict or len(av) != 1:
        return av
    ((kind, value),) = av.items()
    if kind == "B" and type(value) is str:
        return {"B": base64.b64decode(value, validate=True)}
    if kind == "BS" and type(value) is list:
        return {"BS": [base64.b64decode(v, validate=True) if type(v) is str else v for v in value]}
    if kind == "M" and type(value) is dict:
        return {"M": {name: _blobs(member) for name, member in value.items()}}
    if kind == "L" and type(value) is list:
        return {"L": [_blobs(member) for member in value]}
    return av


_PLAIN_KINDS = frozenset({"S", "N", "BOOL", "NULL", "SS", "NS"})


def decode_json_item(item: Any) -> dict[str, Any]:
    """An item of DynamoDB JSON (binary as base64) in boto3 shape (binary as bytes), not yet validated.

    >>> decode_json_item({"pk": {"S": "a"}, "b": {"B": "aGk="}})
    {'pk': {'S': 'a'}, 'b': {'B': b'hi'}}
    """
    if type(item) is not dict:
        raise ValueError("Item must be a map of attribute values")
    decoded = {}
    for name, av in item.items():
        if type(av) is dict and len(av) == 1 and next(iter(av)) in _PLAIN_KINDS:
            decoded[name] = av  # the common case: nothing to decode
        else:
            decoded[name] = _blobs(av)
    return decoded


def _plain_string_set(value: Any) -> bool:
    return (
        type(value) is list
        and bool(value)
        and all(type(m) is str for m in value)
        and len(set(value)) == len(value)
    )


def json_item(raw: Any) -> tuple[dict[str, Any], int]:
    """An item of DynamoDB JSON (binary as base64) validated as ``validate_item`` does, with its size.

    The import's hot path (measured: ``benchmarks/bench_transfer.py``): scalar attributes and string sets
    are checked and sized inline, reusing the decoded dicts; other values go through
    ``validate_attribute_value``.

    >>> json_item({"pk": {"S": "a"}, "n": {"N": "01.50"}, "b": {"B": "aGk="}})
    ({'pk': {'S': 'a'}, 'n': {'N': '1.5'}, 'b': {'B': b'hi'}}, 10)
    """
    if type(raw) is not dict:
        raise ValueError("Item must be a map of attribute values")
    item: dict[str, Any] = {}
    size = 0
    for name, av in raw.items():
        if not name:
            validate_item({name: av})  # raises the service's error for an empty name
        size += len(name) if name.isascii() else utf8_size(name)
        if type(av) is dict and len(av) == 1:
            ((kind, value),) = av.items()
            if kind == "S" and type(value) is str:
                item[name] = av
                size += len(value) if value.isascii() else utf8_size(value)
                continue
            if kind == "N" and type(value) is str:
                number = canonical_number_text(value)
                item[name] = av if number is value else {"N": number}
                size += number_size(number)
                continue
            if kind == "B" and type(value) is str:
                data = base64.b64decode(value, validate=True)
                item[name] = {"B": data}
                size += len(data)
                continue
            if kind == "SS" and _plain_string_set(value):
                item[name] = av
                size += sum(len(m) if m.isascii() else utf8_size(m) for m in value)
                continue
            if kind == "BOOL" and type(value) is bool:
                item[name] = av
                size += 1
                continue
        checked = validate_attribute_value(_blobs(av))
        item[name] = checked
        size += attribute_value_size(checked)
    return item, size


def _json_extra(record: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB JSON line's members beside ``Item``, expression values decoded like the item's."""
    extra = {name: value for name, value in record.items() if name != "Item"}
    values = extra.get("ExpressionAttributeValues")
    if type(values) is dict:
        extra["ExpressionAttributeValues"] = {name: _blobs(av) for name, av in values.items()}
    return extra


def _ion_extra(record: dict[str, Any]) -> dict[str, Any]:
    """An Ion line's members beside ``Item`` in request form: strings, a map of names, a map of values."""
    extra: dict[str, Any] = {}
    for name, value in record.items():
        if name == "Item":
            continue
        if "S" in value:
            extra[name] = value["S"]
        elif "M" in value and name == "ExpressionAttributeNames":
            extra[name] = {key: member.get("S") for key, member in value["M"].items()}
        elif "M" in value:
            extra[name] = value["M"]
        else:
            extra[name] = value
    return extra


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DynamoDBError):
        return exc.message
    return str(exc) or type(exc).__name__


def _checked(raw: Any, check: ItemChecker) -> tuple[dict[str, Any], int]:
    item = validate_item(raw)
    return item, check(item, item_size(item))


def _json_lines(stream: Iterable[bytes], check: ItemChecker, stats: ReadStats) -> Iterator[SourceLine]:
    """DynamoDB JSON lines (the 1M-item path: one loop, no intermediate generator)."""
    loads = json.loads
    index = 0
    for raw in stream:
        index += 1
        stats.bytes_read += len(raw)
        line = raw.strip()
        if not line:
            continue
        try:
            record = loads(line)
            if type(record) is not dict or "Item" not in record:
                raise ValueError("Each line must be a JSON object with an Item member")
            item, size = json_item(record["Item"])
            size = check(item, size)
            extra = _json_extra(record) if len(record) > 1 else {}
        except (ValueError, binascii.Error, DynamoDBError, TypeError) as exc:
            yield SourceLine(index, len(line), None, error=_error_text(exc))
            continue
        yield SourceLine(index, len(line), item, size, extra=extra)


def _ion_lines(lines: Iterable[tuple[int, bytes]], check: ItemChecker) -> Iterator[SourceLine]:
    pending: list[bytes] = []
    first = 0
    for index, line in lines:
        if not pending:
            first = index
        pending.append(line)
        text = b"\n".join(pending)
        try:
            values = ion.read_values(text.decode("utf-8"))
        except ion.IonError as exc:
            incomplete = "end of input" in str(exc) or "unterminated" in str(exc)
            if incomplete and len(pending) < MAX_ION_LINES:
                continue
            pending = []
            yield SourceLine(first, len(text), None, error=str(exc))
            continue
        except UnicodeDecodeError as exc:
            pending = []
            yield SourceLine(first, len(text), None, error=str(exc))
            continue
        pending = []
        for value in values:
            try:
                if "Item" not in value or "M" not in value["Item"]:
                    raise ValueError("Each Ion value must be a struct with an Item struct")
                item, size = _checked(value["Item"]["M"], check)
                extra = _ion_extra(value) if len(value) > 1 else {}
            except (ValueError, DynamoDBError) as exc:
                yield SourceLine(first, len(text), None, error=_error_text(exc))
                continue
            yield SourceLine(first, len(text), item, size, extra=extra)
    if pending:
        text = b"\n".join(pending)
        yield SourceLine(first, len(text), None, error="incomplete Ion value at the end of the file")


def _csv_rows(
    lines: Iterable[tuple[int, bytes]],
    check: ItemChecker,
    delimiter: str,
    header: list[str] | None,
    key_types: dict[str, str],
) -> Iterator[SourceLine]:
    columns = header
    for index, line in lines:
        try:
            text = line.decode("utf-8")
            (row,) = list(csv.reader([text], delimiter=delimiter, strict=True))
        except (UnicodeDecodeError, csv.Error, ValueError) as exc:
            yield SourceLine(index, len(line), None, error=f"Malformed CSV line: {exc}")
            continue
        if columns is None:
            columns = row
            continue
        try:
            if len(row) > len(columns):
                raise ValueError(f"The line has {len(row)} values but the header names {len(columns)}")
            raw: dict[str, Any] = {}
            for name, cell in zip(columns, row, strict=False):
                if cell == "":
                    continue  # an empty cell is no attribute (a table key left empty is then missing)
                kind = key_types.get(name)
                if kind is None or kind == "S":
                    raw[name] = {"S": cell}
                elif kind == "N":
                    raw[name] = {"N": normalize_number(cell)}
                else:
                    raw[name] = {"B": base64.b64decode(cell, validate=True)}
            item, size = _checked(raw, check)
        except (ValueError, binascii.Error, DynamoDBError) as exc:
            yield SourceLine(index, len(line), None, error=_error_text(exc))
            continue
        yield SourceLine(index, len(line), item, size)


class ReadStats:
    """What reading a source counted: its (decompressed) bytes, an import's ``ProcessedSizeBytes``."""

    __slots__ = ("bytes_read",)

    def __init__(self) -> None:
        self.bytes_read = 0


def _lines(stream: Iterable[bytes], stats: ReadStats) -> Iterator[tuple[int, bytes]]:
    """The file's non-blank lines with their 1-based numbers (line ends stripped)."""
    for number, raw in enumerate(stream, 1):
        stats.bytes_read += len(raw)
        line = raw.rstrip(b"\r\n")
        if line.strip():
            yield number, line


def read_source(
    stream: Iterable[bytes],
    input_format: str,
    check: ItemChecker,
    *,
    delimiter: str = ",",
    header: list[str] | None = None,
    key_types: dict[str, str] | None = None,
    stats: ReadStats | None = None,
) -> Iterator[SourceLine]:
    """The processed lines of one (decompressed) source object in ``input_format``; ``stats`` counts the
    bytes read."""
    stats = stats if stats is not None else ReadStats()
    if input_format == "DYNAMODB_JSON":
        return _json_lines(stream, check, stats)
    lines = _lines(stream, stats)
    if input_format == "ION":
        return _ion_lines(lines, check)
    if input_format == "CSV":
        return _csv_rows(lines, check, delimiter, header, key_types or {})
    raise ValueError(f"unknown input format {input_format!r}")
