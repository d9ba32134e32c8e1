"""Loading many items into a new table fast: ImportTable, ``emu.load`` (dumps, seeds) and restores.

A ``PutItem`` per item pays for a sorted insert into the table and each index, one at a time. A bulk load
into an empty table instead gathers each partition's records in a plain dict (a later item with the same
key replaces the earlier one, as a put would) and sorts each partition once at the end (``finish``), so
the store it leaves is the one the same puts would have built.

Items given as DynamoDB JSON (``add_json``, binaries in base64: what exports and dumps write) take a
compiled path per item shape (attribute names and types): the names, the key types and the index key
types are checked once per shape, and each value is checked, sized and stored without building the item
as a dict. Anything the compiled path is not sure of (a value of another type, an empty or large key,
a number to normalize in a key, an LSI's size rule...) goes through the checked path (``json_item`` and
``check_item``), which gives the service's error. A table with vector indexes, or with observers (a
stream, TTL, a live snapshot), or already holding items, is loaded through ``TableStore.write`` instead.

Lines of export and dump files (``add_json_lines``) skip even the JSON decoding when they are written
compactly, as exports and dumps write them: one regular expression recognizes the lines of every shape
seen so far (``line_shapes``), and each shape compiles a parser of its match's groups. A line it does not
match (spaces, escapes, non-ASCII text, a new shape) is decoded as JSON.

Progress is logged every ``progress_every`` items through ``theorydb_mocks.server.load`` (or the logger
given). Memory holds the table being built, never the source: callers stream their lines.

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> load = BulkLoad(emu.get_table("tbl"))
>>> load.add_json({"pk": {"S": "a"}, "n": {"N": "1"}})
6
>>> load.finish()
>>> load.count
1
>>> emu.dispatch("GetItem", {"TableName": "tbl", "Key": {"pk": {"S": "a"}}})["Item"]
{'pk': {'S': 'a'}, 'n': {'N': '1'}}
"""

from __future__ import annotations

import binascii
import contextlib
import gc
import json
import json.scanner
import logging
from typing import TYPE_CHECKING, Any

from sortedcontainers import SortedList

from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.item_parsers import compile_parser
from theorydb_mocks.emulator.line_shapes import LineShapes
from theorydb_mocks.emulator.operations._keys import check_item
from theorydb_mocks.emulator.records import Record, encode
from theorydb_mocks.emulator.storage import Partition, partition_digest
from theorydb_mocks.emulator.transfer.import_files import json_item

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from theorydb_mocks.emulator._types import Item
    from theorydb_mocks.emulator.catalog import TableState

__all__ = ["PROGRESS_EVERY", "BulkLoad"]

log = logging.getLogger("theorydb_mocks.server.load")

PROGRESS_EVERY = 100_000


def _partition(entries: dict[Any, Record]) -> Any:
    """A ranged partition as the store keeps it: ``(entry, record)`` for one entry (``storage``)."""
    if len(entries) == 1:
        return next(iter(entries.items()))
    return Partition(entries)


class _Lines:
    """The lines of a stream; a file is read a megabyte at a time (its own line reader costs more than
    the split). ``bytes_read`` counts what was read, line ends included."""

    CHUNK = 1 << 20

    def __init__(self, stream: Iterable[bytes]) -> None:
        self.stream = stream
        self.bytes_read = 0

    def __iter__(self) -> Iterator[bytes]:
        read = getattr(self.stream, "read", None)
        if read is None:
            for line in self.stream:
                self.bytes_read += len(line)
                yield line
            return
        tail = b""
        while chunk := read(self.CHUNK):
            self.bytes_read += len(chunk)
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()
            yield from lines
        if tail:
            yield tail


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection meanwhile (each pass would walk every item gathered so far).

    The collector comes back with what was created meanwhile (the loaded items) already in the oldest
    generation: freezing and unfreezing moves it there without walking it, where the first young
    collection would otherwise walk every item (measured: 1.7 s after a million-item import)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        gc.enable()


class BulkLoad:
    """Items streamed into one new table; ``finish`` builds its sorted partitions and indexes."""

    def __init__(
        self,
        table: TableState,
        *,
        progress_every: int = PROGRESS_EVERY,
        logger: logging.Logger = log,
        label: str | None = None,
    ) -> None:
        self.table = table
        self.store = table.store
        store = self.store
        self.direct = bool(store.item_count or store.vector_index_names or store._observers)
        self.indexes = [store.index_spec(name) for name in store.index_names]
        self._index_objects = [store._indexes[name] for name in store.index_names]
        self._fast = not table.vector_specs and all(
            spec.kind == "GSI" and not spec.key.multi for spec in self.indexes
        )
        self._parsers: dict[tuple[tuple[str, ...], tuple[str, ...]], Any] = {}
        self._lines = LineShapes()
        self._ranged = table.key.range_name is not None
        self._parts: dict[Any, Any] = {}
        self._index_parts: list[dict[Any, dict[Any, Record]]] = [{} for _ in self.indexes]
        self._replaced = False
        self.count = 0  # items added (an item replacing another counts once per add)
        self._stored = 0
        self._size = 0
        self._every = progress_every
        self._log = logger
        self._label = label or table.name
        self._key = table.key
        self._paused = contextlib.ExitStack()

    def __enter__(self) -> BulkLoad:
        """Pause the cyclic garbage collector until the load is over (``add_json_lines`` and ``finish``
        pause it each, but between them a collection would walk every item gathered so far)."""
        self._paused.enter_context(_collector_paused())
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._paused.close()

    # --- adding ---------------------------------------------------------------------------------------

    def add_json(self, raw: Any) -> int:
        """Add one item of DynamoDB JSON (binaries base64); returns its size. Raises the service's error
        (``DynamoDBError``), ``ValueError`` or ``binascii.Error`` for an item that is not valid."""
        if self._fast and not self.direct and type(raw) is dict:
            try:
                names = tuple(raw)
                shape_key = (names, tuple([kind for av in raw.values() for kind in av]))
                parse = self._parsers.get(shape_key, False)
                if parse is False:
                    parse = self._parsers[shape_key] = self._compile_shape(shape_key)
                parsed = parse(raw) if parse is not None else None
            except Exception:  # anything unexpected in the item: the checked path words the error
                parsed = None
            if parsed is not None:
                return self._gather(parsed)
        item, size = json_item(raw)
        return self.add(item, size)

    def _compile_shape(self, shape_key: tuple[tuple[str, ...], tuple[str, ...]]) -> Any:
        """The item parser of a new shape; and, for lines, its place in ``LineShapes`` with a parser of
        its matches."""
        key, indexes = self._key, self.indexes
        parse = compile_parser(*shape_key, key, indexes)
        lines = self._lines
        if parse is not None and not lines.full and lines.covers(*shape_key):
            lines.add(*shape_key, lambda groups: compile_parser(*shape_key, key, indexes, from_line=groups))
        return parse

    def _gather(self, parsed: tuple[Record, Any, Any, tuple[Any, ...]]) -> int:
        """Keep a parsed item and its index entries for ``finish``; returns its size."""
        record, pkv, skv, entries = parsed
        self._store(record, pkv, skv)
        parts = self._index_parts
        for number, ipkv, entry, irecord in entries:
            found = parts[number].get(ipkv)
            if found is None:
                parts[number][ipkv] = {entry: irecord}
            else:
                found[entry] = irecord
        return int(record[1])

    def _add_line(self, text: str) -> bool:
        """Add a compact line of a shape seen before (``LineShapes``); False when it is not one, or its
        values need the checked path (the caller then decodes it as JSON)."""
        found = self._lines.read(text)
        if found is None:
            return False
        parse, match = found
        try:
            parsed = parse(match)
        except Exception:  # base64 padding, a number beyond the limits: the JSON path words it
            return False
        if parsed is None:
            return False
        self._gather(parsed)
        return True

    def add_json_lines(
        self, stream: Iterable[bytes], on_error: Callable[[int, str], None]
    ) -> tuple[int, int]:
        """Add the ``{"Item": ...}`` lines of ``stream`` (export and dump files); blank lines are skipped.

        A line that is not a valid item calls ``on_error(index, message)`` (index: 0-based among the
        non-blank lines) and loading goes on. Returns ``(non-blank lines, bytes read)``.

        Compact lines of a shape already seen are read by one pattern (``LineShapes``) without
        decoding the JSON: measured, about half the cost of a line. The cyclic garbage collector
        is paused meanwhile: a load creates millions of containers and no garbage cycles."""
        with _collector_paused():
            return self._add_json_lines(stream, on_error)

    def _add_json_lines(
        self, stream: Iterable[bytes], on_error: Callable[[int, str], None]
    ) -> tuple[int, int]:
        loads = json.loads
        make_scanner: Any = json.scanner.make_scanner
        scan = make_scanner(json.JSONDecoder())  # the decoder's own step, without its wrappers
        add_json = self.add_json
        add_line = self._add_line if self._fast and not self.direct else None
        index = 0
        source = _Lines(stream)
        for raw in source:
            line = raw.strip()
            if not line:
                continue
            try:
                try:
                    text = line.decode("utf-8")
                    if add_line is not None and add_line(text):
                        index += 1
                        continue
                    record, end = scan(text, 0)
                    if end != len(text):
                        raise ValueError("extra data")
                except (ValueError, StopIteration, RecursionError):
                    record = loads(line)  # the error as json.loads words it (or a value it accepts)
                if type(record) is not dict or "Item" not in record:
                    raise ValueError("Each line must be a JSON object with an Item member")
                add_json(record["Item"])
            except (ValueError, binascii.Error, DynamoDBError, TypeError) as exc:
                on_error(
                    index, exc.message if isinstance(exc, DynamoDBError) else str(exc) or type(exc).__name__
                )
            index += 1
        return index, source.bytes_read

    def add(self, item: Item, size: int | None = None, *, checked: bool = False) -> int:
        """Add one item in boto3 shape; returns its size. ``checked``: it already passed ``check_item``."""
        indexes = self.indexes
        if not checked:
            size = check_item(self._key, indexes, item, size=size, vectors=self.table.vector_specs)
        elif size is None:
            from theorydb_mocks.emulator.values import item_size

            size = item_size(item)
        if self.direct:
            self.store.write(item, size)
            self._progress()
            return size
        record = encode(item, size)
        pos = self.store.position(item)
        self._store(record, pos[0], pos[1])
        parts = self._index_parts
        for number, index in enumerate(self._index_objects):
            where = index.locate(item, pos)
            if where is not None:
                parts[number].setdefault(where[0], {})[where[1]] = index._record(item, record)
        return size

    def _store(self, record: Record, pkv: Any, skv: Any) -> None:
        parts = self._parts
        if self._ranged:
            part = parts.get(pkv)
            if part is None:
                parts[pkv] = {skv: record}
            else:
                old = part.get(skv)
                if old is not None:
                    self._replace(old)
                part[skv] = record
        else:
            old = parts.get(pkv)
            if old is not None:
                self._replace(old)
            parts[pkv] = record
        self._stored += 1
        self._size += record[1]
        self.count += 1
        if not self.count % self._every:
            self._log.info("%s: %d items loaded", self._label, self.count)

    def _replace(self, old: Record) -> None:
        self._stored -= 1
        self._size -= old[1]
        self._replaced = True  # index entries of the replaced item are rebuilt at the end

    def _progress(self) -> None:
        self.count += 1
        if not self.count % self._every:
            self._log.info("%s: %d items loaded", self._label, self.count)

    # --- finishing ------------------------------------------------------------------------------------

    def finish(self) -> None:
        """Sort what was gathered into the store (once per partition). O(n log n) in all."""
        if self.direct:
            return
        with _collector_paused():
            self._finish()

    def _finish(self) -> None:
        store = self.store
        data = store._table
        parts = self._parts
        if self._ranged:
            data.parts = {pkv: _partition(part) for pkv, part in parts.items()}
        else:
            data.parts = parts
        data.order = SortedList((partition_digest(pkv), pkv) for pkv in parts)
        data.count = self._stored
        data.size = self._size
        self._parts = {}
        if self._replaced:  # some items replaced others: index entries from the final items
            from theorydb_mocks.emulator.records import decode

            self._index_parts = [{} for _ in self.indexes]
            for pkv, entry, record in data.entries():
                item = decode(record)
                for number, index in enumerate(self._index_objects):
                    where = index.locate(item, (pkv, entry))
                    if where is not None:
                        found = self._index_parts[number].setdefault(where[0], {})
                        found[where[1]] = index._record(item, record)
        for index, gathered in zip(self._index_objects, self._index_parts, strict=True):
            idata = index.data
            idata.parts = {ipkv: _partition(part) for ipkv, part in gathered.items()}
            idata.order = SortedList((partition_digest(ipkv), ipkv) for ipkv in gathered)
            idata.count = sum(len(part) for part in gathered.values())
            idata.size = sum(record[1] for part in gathered.values() for record in part.values())
        self._index_parts = []
        self._log.info("%s: %d items loaded, table sorted", self._label, self.count)
