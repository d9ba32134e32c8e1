"""The differential harness: one request, two DynamoDBs (DynamoDB Local and the emulator), one verdict.

``Differential.call("put_item", TableName="t", ...)`` sends the same request to both backends, normalizes
both answers (no ``ResponseMetadata``; table names, ARNs, ids and timestamps as placeholders; set members
sorted; order-insensitive lists sorted where the case says DynamoDB promises no order) and compares them:
responses by equality, errors by code AND exact message. A difference is either a documented DynamoDB Local
quirk (``allowlist.py``) or a mismatch, which fails the test with a short, readable diff. Every comparison is
counted in a session ``Tally`` per area, which the conftest prints and writes to
``.cache/conformance-report.json``.

Each backend gets its own uniquely named tables: the corpus speaks in logical names (``"t"``) and the harness
maps them to ``t-<random>`` per backend, because DynamoDB Local is shared by everyone on the machine.
"""

from __future__ import annotations

import copy
import datetime as _dt
import difflib
import json
import pprint
import queue
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError

from tests.conformance import allowlist

__all__ = [
    "B",
    "Call",
    "Case",
    "Differential",
    "Mismatch",
    "N",
    "Outcome",
    "S",
    "TableJanitor",
    "Tally",
    "call",
    "get",
    "index_spec",
    "put",
    "run_case",
    "table_spec",
]

# Response members whose value depends on when or where the table was made, never on behaviour.
_TIMESTAMP_KEYS = frozenset(
    {
        "CreationDateTime",
        "LastIncreaseDateTime",
        "LastDecreaseDateTime",
        "LastUpdateToPayPerRequestDateTime",
        "LastUpdateDateTime",
        "InaccessibleDateTime",
    }
)
_OPAQUE_KEYS = {"TableId": "<table-id>", "LatestStreamLabel": "<stream-label>"}
_ARN = re.compile(r"arn:aws:dynamodb:[^:\s]*:[^:\s]*:table/")
_SET_TYPES = frozenset({"SS", "NS", "BS"})
_TABLE_NAME_KEYS = frozenset({"TableName", "ExclusiveStartTableName"})
# Lists in table descriptions whose order DynamoDB does not promise, with the member that identifies an entry.
_UNORDERED_BY = {
    "AttributeDefinitions": "AttributeName",
    "GlobalSecondaryIndexes": "IndexName",
    "LocalSecondaryIndexes": "IndexName",
    "GlobalSecondaryIndexUpdates": "IndexName",
}


class Mismatch(AssertionError):
    """The emulator answered differently from DynamoDB Local (and no known quirk explains it)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One backend's normalized answer: ``ok`` with the response, or an error with ``Code``/``Message``."""

    ok: bool
    body: dict[str, Any]

    @property
    def code(self) -> str | None:
        return None if self.ok else str(self.body.get("Code"))

    @property
    def message(self) -> str | None:
        return None if self.ok else str(self.body.get("Message"))

    def render(self) -> str:
        head = "OK" if self.ok else "ERROR"
        return head + " " + pprint.pformat(self.body, width=100, sort_dicts=True)


@dataclass(frozen=True, slots=True)
class Call:
    """One step of a hand-written case: an operation, its request, and what DynamoDB Local must answer.

    ``expect`` pins the corpus itself: ``"ok"``, an error code, or ``(code, message substring)``; it is
    checked against DynamoDB Local in every mode, so a case that stops testing what it says it tests fails.
    """

    op: str
    request: Mapping[str, Any]
    expect: str | tuple[str, str] | None = None
    unordered: bool = False

    def __repr__(self) -> str:
        return f"{self.op}({dict(self.request)!r})"


@dataclass(frozen=True, slots=True)
class Case:
    """A named, data-driven case: tables to create (logical names), then calls compared one by one."""

    name: str
    calls: Sequence[Call]
    tables: Sequence[Mapping[str, Any]] = ()

    def __repr__(self) -> str:
        return f"<Case {self.name}>"


@dataclass(slots=True)
class AreaCount:
    matched: int = 0
    allowlisted: int = 0
    mismatched: int = 0
    local_only: int = 0

    @property
    def compared(self) -> int:
        return self.matched + self.allowlisted + self.mismatched


@dataclass(slots=True)
class Tally:
    """Session-wide count of comparisons per area; each distinct comparison counts once (so Hypothesis
    replays and shrinking do not inflate it)."""

    areas: dict[str, AreaCount] = field(default_factory=dict)
    quirks: dict[str, int] = field(default_factory=dict)
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def record(
        self,
        area: str,
        key: str,
        verdict: str,
        *,
        quirk: str | None = None,
        example: dict[str, Any] | None = None,
    ) -> None:
        if key in self._seen:
            return
        self._seen.add(key)
        count = self.areas.setdefault(area, AreaCount())
        setattr(count, verdict, getattr(count, verdict) + 1)
        if quirk is not None:
            self.quirks[quirk] = self.quirks.get(quirk, 0) + 1
        if example is not None and sum(1 for m in self.mismatches if m["area"] == area) < 50:
            self.mismatches.append({"area": area, **example})

    def totals(self, *, exclude: tuple[str, ...] = ()) -> AreaCount:
        total = AreaCount()
        for area, count in self.areas.items():
            if area in exclude:
                continue
            total.matched += count.matched
            total.allowlisted += count.allowlisted
            total.mismatched += count.mismatched
            total.local_only += count.local_only
        return total

    def report(self) -> dict[str, Any]:
        """The JSON report: per-area counts, match rates, quirk uses and mismatch examples."""

        def rate(count: AreaCount) -> float | None:
            return (
                None
                if count.compared == 0
                else round((count.matched + count.allowlisted) / count.compared, 4)
            )

        total = self.totals()
        core = self.totals(exclude=("setup",))
        return {
            "total": {**_count_dict(total), "match_rate": rate(total)},
            "total_without_setup": {**_count_dict(core), "match_rate": rate(core)},
            "areas": {
                area: {**_count_dict(count), "match_rate": rate(count)}
                for area, count in sorted(self.areas.items())
            },
            "allowlist_uses": dict(sorted(self.quirks.items())),
            "mismatches": self.mismatches,
        }

    def summary_lines(self) -> list[str]:
        """The lines printed in pytest's terminal summary."""
        lines = [f"{'area':<20} {'matched':>8} {'allowed':>8} {'mismatch':>8} {'local-only':>10}  rate"]
        for area, count in sorted(self.areas.items()):
            lines.append(_line(area, count))
        lines.append(_line("TOTAL", self.totals()))
        lines.append(_line("TOTAL w/o setup", self.totals(exclude=("setup",))))
        for quirk, uses in sorted(self.quirks.items()):
            lines.append(f"  allow-listed {quirk}: {uses}")
        first: dict[str, dict[str, Any]] = {}
        for example in self.mismatches:
            first.setdefault(example["area"], example)
        for area, example in sorted(first.items()):
            test = str(example["test"]).rsplit("::", 1)[-1]
            lines.append(f"  first mismatch in {area}: {example['op']} in {test}"[:160])
        return lines


def _count_dict(count: AreaCount) -> dict[str, int]:
    return {
        "matched": count.matched,
        "allowlisted": count.allowlisted,
        "mismatched": count.mismatched,
        "local_only": count.local_only,
    }


def _line(area: str, count: AreaCount) -> str:
    rate = (
        "-" if count.compared == 0 else f"{100 * (count.matched + count.allowlisted) / count.compared:.1f}%"
    )
    counts = f"{count.matched:>8} {count.allowlisted:>8} {count.mismatched:>8} {count.local_only:>10}"
    return f"{area:<20} {counts}  {rate}"


class Differential:
    """Runs requests on DynamoDB Local and (unless ``emulator`` is None) on the emulator, and compares.

    ``local`` and ``emulator`` are boto3-compatible low-level clients. With ``emulator=None`` (local-only
    mode) every request still runs on DynamoDB Local and every ``expect`` is still checked: that validates
    the corpus.
    """

    def __init__(
        self,
        local: Any,
        emulator: Any | None,
        *,
        tally: Tally,
        area: str,
        test_id: str,
        janitor: TableJanitor | None = None,
    ) -> None:
        self.local = local
        self.janitor = janitor
        self.emulator = emulator
        self.tally = tally
        self.area = area
        self.test_id = test_id
        self._names: dict[str, tuple[str, str]] = {}
        self._created: list[str] = []

    def __repr__(self) -> str:
        mode = "local-only" if self.emulator is None else "local-vs-emulator"
        return f"<Differential {self.area} {mode} tables={sorted(self._names)}>"

    # -- names -------------------------------------------------------------------------------------------
    def table(self, logical: str) -> str:
        """Reserve per-backend physical names for ``logical`` (without creating it); returns the local one."""
        if logical not in self._names:
            suffix = uuid.uuid4().hex[:10]
            self._names[logical] = (f"{logical}-{suffix}", f"{logical}-{uuid.uuid4().hex[:10]}")
        return self._names[logical][0]

    def _physical(self, backend: int) -> dict[str, str]:
        return {logical: pair[backend] for logical, pair in self._names.items()}

    def _map_request(self, request: Mapping[str, Any], backend: int) -> dict[str, Any]:
        names = self._physical(backend)

        def walk(value: Any) -> Any:
            if isinstance(value, dict):
                out: dict[str, Any] = {}
                for key, item in value.items():
                    if key in _TABLE_NAME_KEYS and isinstance(item, str):
                        out[key] = names.get(item, item)
                    elif key == "Statement" and isinstance(item, str):
                        out[key] = _map_statement(item, names)
                    elif key == "RequestItems" and isinstance(item, dict):
                        out[key] = {names.get(k, k): walk(v) for k, v in item.items()}
                    else:
                        out[key] = walk(item)
                return out
            if isinstance(value, list):
                return [walk(v) for v in value]
            return value

        mapped: dict[str, Any] = walk(copy.deepcopy(dict(request)))
        return mapped

    # -- table lifecycle ---------------------------------------------------------------------------------
    def create_table(
        self, expect: str | tuple[str, str] | None = "ok", *, setup: bool = False, **request: Any
    ) -> Outcome:
        """CreateTable on both backends under per-backend names (compared like any call); dropped at close.

        ``setup=True`` counts the comparison in the ``setup`` area, so a case's fixtures do not weigh on the
        match rate of the area under test.
        """
        logical = str(request["TableName"])
        self.table(logical)
        if logical not in self._created:
            # Dropped at close even if the call fails or differs (deleting a missing table is ignored).
            self._created.append(logical)
        area, self.area = self.area, ("setup" if setup else self.area)
        try:
            return self.call("create_table", expect=expect, **request)
        finally:
            self.area = area

    def close(self) -> None:
        """Delete every table this differential created, on both backends (errors ignored: best effort)."""
        for logical in self._created:
            local_name, emu_name = self._names[logical]
            if self.janitor is not None:
                self.janitor.drop(self.local, local_name)
            else:
                _drop(self.local, local_name)
            if self.emulator is not None:
                _drop(self.emulator, emu_name)
        self._created.clear()

    def forget(self, logical: str) -> None:
        """The case deleted ``logical`` itself: do not delete it again at close."""
        if logical in self._created:
            self._created.remove(logical)

    # -- the comparison ----------------------------------------------------------------------------------
    def call(
        self,
        op: str,
        *,
        expect: str | tuple[str, str] | None = None,
        unordered: bool = False,
        **request: Any,
    ) -> Outcome:
        """Run ``op`` on both backends and compare; returns DynamoDB Local's normalized outcome.

        ``unordered=True`` sorts ``Items`` before comparing, for results whose order DynamoDB does not promise
        (a Scan across partitions); on BatchGetItem it compares how the answer splits between returned and
        unprocessed keys, not which keys (DynamoDB does not promise which are left over). Raises ``Mismatch``
        on a difference no quirk explains, ``AssertionError`` on an unmet ``expect``.
        """
        __tracebackhide__ = True
        local_raw = _invoke(self.local, op, self._map_request(request, 0), crash_ok=False)
        local = self._normalize(local_raw, 0, op, unordered)
        _check_expect(op, request, local, expect)
        key = json.dumps([self.test_id, op, _jsonable(request), _jsonable(local.body)], sort_keys=True)
        if self.emulator is None:
            self.tally.record(self.area, key, "local_only")
            return local
        emu_raw = _invoke(self.emulator, op, self._map_request(request, 1), crash_ok=True)
        emu = self._normalize(emu_raw, 1, op, unordered)
        if local == emu:
            self.tally.record(self.area, key, "matched")
            return local
        quirk = allowlist.match(op, request, local, emu)
        if quirk is not None:
            self.tally.record(self.area, key, "allowlisted", quirk=quirk.id)
            return local
        example = {
            "test": self.test_id,
            "op": op,
            "request": _jsonable(request),
            "local": _jsonable({"ok": local.ok, **local.body}),
            "emulator": _jsonable({"ok": emu.ok, **emu.body}),
        }
        self.tally.record(self.area, key, "mismatched", example=example)
        raise Mismatch(_mismatch_text(op, request, local, emu))

    def settle(self, logical: str, timeout: float = 15.0) -> None:
        """Wait until ``logical`` and its indexes are ACTIVE on both backends (DynamoDB Local builds a new GSI
        in the background, about a second); not a comparison, so nothing is counted."""
        for client, name in ((self.local, self._names[logical][0]), (self.emulator, self._names[logical][1])):
            if client is None:
                continue
            deadline = time.monotonic() + timeout
            while True:
                table = client.describe_table(TableName=name)["Table"]
                statuses = [
                    table["TableStatus"],
                    *(i["IndexStatus"] for i in table.get("GlobalSecondaryIndexes", [])),
                ]
                if all(status == "ACTIVE" for status in statuses) or time.monotonic() > deadline:
                    break
                time.sleep(0.05)

    def each(self, fn: Callable[[Any, Callable[[str], str]], Any]) -> tuple[Any, Any | None]:
        """Run ``fn(client, name_of)`` on each backend, for observations that are not one request (a
        ListTables walk on the shared DynamoDB Local); ``name_of`` maps a logical name to the backend's."""
        local = fn(self.local, lambda logical: self._names[logical][0])
        if self.emulator is None:
            return local, None
        return local, fn(self.emulator, lambda logical: self._names[logical][1])

    def compare(self, label: str, local: Any, emulator: Any) -> None:
        """Compare two derived observations (from ``each``) and count them like a call."""
        __tracebackhide__ = True
        key = json.dumps([self.test_id, label, _jsonable(local)], sort_keys=True)
        if self.emulator is None:
            self.tally.record(self.area, key, "local_only")
            return
        if local == emulator:
            self.tally.record(self.area, key, "matched")
            return
        example = {
            "test": self.test_id,
            "op": label,
            "local": _jsonable(local),
            "emulator": _jsonable(emulator),
        }
        self.tally.record(self.area, key, "mismatched", example=example)
        raise Mismatch(
            f"emulator differs from DynamoDB Local on {label}\n  local:    {_short(local)}\n"
            f"  emulator: {_short(emulator)}"
        )

    def _normalize(self, raw: Outcome, backend: int, op: str, unordered: bool) -> Outcome:
        names = {physical: logical for logical, physical in self._physical(backend).items()}
        body = _normalize_value(raw.body, names)
        if not raw.ok and isinstance(body.get("Message"), str):
            body["Message"] = canonical_operand_types(body["Message"])
        if raw.ok:
            body.pop("ResponseMetadata", None)
            if op == "list_tables":
                body = _own_tables(body, set(names.values()))
            if op == "batch_get_item":
                for table, items in body.get("Responses", {}).items():
                    body["Responses"][table] = sorted(items, key=_sort_key)
                if unordered:
                    body = _batch_split(body)
            if "NextToken" in body:  # PartiQL's paging token is opaque: only whether there is one counts
                body["NextToken"] = "<next-token>"
            if unordered and isinstance(body.get("Items"), list):
                body["Items"] = sorted(body["Items"], key=_sort_key)
        return Outcome(raw.ok, body)


_OPERAND_TYPES = re.compile(r"(operand type: )\{([A-Z,]+)\}")


def _map_statement(statement: str, names: Mapping[str, str]) -> str:
    """A PartiQL statement with each ``"logical"`` table name (double-quoted) replaced by the physical one."""
    for logical, physical in names.items():
        statement = statement.replace(f'"{logical}"', f'"{physical}"')
    return statement


def canonical_operand_types(message: str) -> str:
    """Sort the type names in ``operand type: {...}``: DynamoDB Local prints that set in an order that changes
    from one run of the JVM to the next, so only its members can be compared.

    >>> canonical_operand_types("operator or function: attribute_type, operand type: {S,B,N}")
    'operator or function: attribute_type, operand type: {B,N,S}'
    """
    return _OPERAND_TYPES.sub(lambda m: f"{m.group(1)}{{{','.join(sorted(m.group(2).split(',')))}}}", message)


def _batch_split(body: dict[str, Any]) -> dict[str, Any]:
    """A BatchGetItem answer past its 16 MB, where DynamoDB does not say *which* keys are left over: keep
    how many items each table returned and left unprocessed."""
    out = {k: v for k, v in body.items() if k not in ("Responses", "UnprocessedKeys")}
    unprocessed = body.get("UnprocessedKeys") or {}
    out["Split"] = {
        table: {
            "returned": len(items),
            "unprocessed": len(unprocessed.get(table, {}).get("Keys", [])),
        }
        for table, items in body.get("Responses", {}).items()
    }
    return out


def _drop(client: Any, name: str) -> None:
    """Delete a table, ignoring every error: cleanup of a table a case may already have dropped."""
    try:
        client.delete_table(TableName=name)
    except Exception:
        return


class TableJanitor:
    """Deletes DynamoDB Local tables on a background thread, so a test does not wait for DeleteTable
    (about 80 ms each on DynamoDB Local, which adds up over hundreds of cases). ``close()`` waits."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Any, str] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="conformance-janitor", daemon=True)
        self._thread.start()

    def __repr__(self) -> str:
        return f"<TableJanitor pending={self._queue.qsize()}>"

    def drop(self, client: Any, name: str) -> None:
        self._queue.put((client, name))

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            _drop(*job)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()


def _own_tables(body: dict[str, Any], own: set[str]) -> dict[str, Any]:
    """DynamoDB Local is shared: keep only this differential's tables in a ListTables answer."""
    body = dict(body)
    body["TableNames"] = [name for name in body.get("TableNames", []) if name in own]
    if "LastEvaluatedTableName" in body and body["LastEvaluatedTableName"] not in own:
        body["LastEvaluatedTableName"] = "<other-table>"
    return body


def _invoke(client: Any, op: str, request: dict[str, Any], *, crash_ok: bool) -> Outcome:
    """Call ``client.<op>(**request)`` and turn the answer or the error into an ``Outcome``."""
    try:
        response = getattr(client, op)(**request)
    except ClientError as err:
        error = err.response.get("Error", {})
        body = {"Code": error.get("Code"), "Message": error.get("Message")}
        body.update({k: v for k, v in err.response.items() if k not in ("Error", "ResponseMetadata")})
        return Outcome(False, body)
    except ParamValidationError as err:
        return Outcome(False, {"Code": "ParamValidationError", "Message": str(err)})
    except Exception as err:
        if not crash_ok:
            raise
        # The emulator must never answer with a raw Python exception: record it as its own "code".
        return Outcome(False, {"Code": f"<raw {type(err).__name__}>", "Message": str(err)})
    return Outcome(True, dict(response))


def _normalize_value(value: Any, names: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            key = names.get(key, key) if isinstance(key, str) else key
            if key in _TIMESTAMP_KEYS:
                out[key] = _normalize_value(item, names) if isinstance(item, _dt.datetime) else "<timestamp>"
            elif key in _OPAQUE_KEYS:
                out[key] = _OPAQUE_KEYS[key]
            elif key in _SET_TYPES and len(value) == 1 and isinstance(item, list):
                out[key] = sorted(item, key=_set_member_key)
            elif key in _UNORDERED_BY and isinstance(item, list):
                member = _UNORDERED_BY[key]
                entries = _normalize_value(item, names)
                out[key] = sorted(
                    entries, key=lambda e: str(e.get(member)) if isinstance(e, dict) else str(e)
                )
            else:
                out[key] = _normalize_value(item, names)
        return out
    if isinstance(value, list):
        return [_normalize_value(v, names) for v in value]
    if isinstance(value, str):
        text = _ARN.sub("arn:aws:dynamodb:<region>:<account>:table/", value)
        for physical, logical in names.items():
            if physical in text:
                text = text.replace(physical, logical)
        return text
    if isinstance(value, _dt.datetime):
        return "<epoch-0>" if value.timestamp() == 0 else "<timestamp>"
    return value


def _set_member_key(member: Any) -> Any:
    if isinstance(member, bytes):
        return (0, member, "")
    return (1, b"", str(member))


def _sort_key(item: Any) -> str:
    return json.dumps(_jsonable(item), sort_keys=True)


def _jsonable(value: Any) -> Any:
    """A JSON-safe copy (bytes as ``{"$b": hex}``), for reports and dedupe keys."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return {"$b": bytes(value).hex()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return repr(value)


def _check_expect(
    op: str, request: Mapping[str, Any], local: Outcome, expect: str | tuple[str, str] | None
) -> None:
    __tracebackhide__ = True
    if expect is None:
        return
    if isinstance(expect, tuple):
        code, fragment = expect
        if local.code == code and fragment in (local.message or ""):
            return
    elif (expect == "ok" and local.ok) or expect == local.code:
        return
    raise AssertionError(
        f"corpus check failed: {op} was expected to answer {expect!r} on DynamoDB Local\n"
        f"  request: {_short(request)}\n  local:   {local.render()}"
    )


def _short(value: Any, limit: int = 600) -> str:
    text = repr(_jsonable(value))
    return text if len(text) <= limit else text[:limit] + "..."


def _mismatch_text(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> str:
    """A short report: the call, then a unified diff of the two normalized answers."""
    diff = difflib.unified_diff(
        local.render().splitlines(), emu.render().splitlines(), "dynamodb-local", "emulator", lineterm="", n=2
    )
    return f"emulator differs from DynamoDB Local on {op}\n  request: {_short(request)}\n" + "\n".join(diff)


def run_case(diff: Differential, case: Case) -> list[Outcome]:
    """Run a data-driven ``Case``: create its tables, then compare each call in order.

    A mismatch does not stop the case: the remaining calls are still compared (and counted), and the case
    fails at the end with every mismatch. A failed ``expect`` (a corpus error) stops it at once.
    """
    __tracebackhide__ = True
    mismatches: list[str] = []
    outcomes: list[Outcome] = []
    for table in case.tables:
        try:
            diff.create_table(setup=True, **table)
        except Mismatch as err:
            mismatches.append(str(err))
    for step in case.calls:
        if step.op == "settle":
            diff.settle(str(step.request["TableName"]))
            continue
        try:
            if step.op == "create_table":
                outcomes.append(diff.create_table(expect=step.expect, **step.request))
                continue
            outcomes.append(diff.call(step.op, expect=step.expect, unordered=step.unordered, **step.request))
        except Mismatch as err:
            mismatches.append(str(err))
            continue
        if step.op == "delete_table" and outcomes[-1].ok:
            diff.forget(str(step.request["TableName"]))
    if mismatches:
        raise Mismatch(f"{len(mismatches)} mismatch(es) in {case.name}\n\n" + "\n\n".join(mismatches))
    return outcomes


def table_spec(
    name: str,
    hash_key: tuple[str, str] = ("pk", "S"),
    range_key: tuple[str, str] | None = None,
    *,
    gsis: Iterable[Mapping[str, Any]] = (),
    lsis: Iterable[Mapping[str, Any]] = (),
    extra_attributes: Iterable[tuple[str, str]] = (),
    **more: Any,
) -> dict[str, Any]:
    """A CreateTable request (on-demand unless ``more`` says otherwise) for the corpus's common shapes."""
    keys = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    attrs = {hash_key[0]: hash_key[1]}
    if range_key is not None:
        keys.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        attrs[range_key[0]] = range_key[1]
    attrs.update(dict(extra_attributes))
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": keys,
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in attrs.items()],
        "BillingMode": "PAY_PER_REQUEST",
    }
    gsi_list, lsi_list = list(gsis), list(lsis)
    if gsi_list:
        request["GlobalSecondaryIndexes"] = gsi_list
    if lsi_list:
        request["LocalSecondaryIndexes"] = lsi_list
    request.update(more)
    return request


def index_spec(
    name: str,
    hash_name: str,
    range_name: str | None = None,
    projection: str = "ALL",
    non_key: Sequence[str] = (),
) -> dict[str, Any]:
    """A GSI/LSI entry for ``table_spec``."""
    keys = [{"AttributeName": hash_name, "KeyType": "HASH"}]
    if range_name is not None:
        keys.append({"AttributeName": range_name, "KeyType": "RANGE"})
    projection_spec: dict[str, Any] = {"ProjectionType": projection}
    if non_key:
        projection_spec["NonKeyAttributes"] = list(non_key)
    return {"IndexName": name, "KeySchema": keys, "Projection": projection_spec}


def call(
    op: str, expect: str | tuple[str, str] | None = "ok", *, unordered: bool = False, **request: Any
) -> Call:
    """A ``Call`` built from keywords: ``call("get_item", TableName="t", Key=...)``."""
    return Call(op, request, expect, unordered)


def put(
    item: Mapping[str, Any], expect: str | tuple[str, str] | None = "ok", table: str = "t", **more: Any
) -> Call:
    """A PutItem call on logical table ``table``."""
    return Call("put_item", {"TableName": table, "Item": dict(item), **more}, expect)


def get(
    key: Mapping[str, Any], expect: str | tuple[str, str] | None = "ok", table: str = "t", **more: Any
) -> Call:
    """A GetItem call (consistent read, so DynamoDB's answer is deterministic) on logical table ``table``."""
    return Call("get_item", {"TableName": table, "Key": dict(key), "ConsistentRead": True, **more}, expect)


def S(value: str) -> dict[str, Any]:
    return {"S": value}


def N(value: str | int) -> dict[str, Any]:
    return {"N": str(value)}


def B(value: bytes) -> dict[str, Any]:
    return {"B": value}
