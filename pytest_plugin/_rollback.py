"""Per-test rollback of a shared emulator: remember each item a test writes, put it back at teardown.

Seeding a large data set once per session and giving every test a pristine copy is cheap this way: a test
pays one extra ``GetItem`` per item it writes, not a copy of the tables. The journal only uses the
emulator's public door (``dispatch``, its ``lock`` and ``table_name``), so the emulator knows nothing of it.

What is undone: ``PutItem``, ``UpdateItem``, ``DeleteItem``, ``BatchWriteItem``, ``TransactWriteItems``
(each item's first state in the test is restored), and tables the test created (deleted again, with
whatever the test did to them). What is refused: changing a table the test did not create
(``DeleteTable``, ``UpdateTable``, TTL, tags...), PartiQL, and any other operation that is not a read; the
call raises ``RollbackError`` and the test fails at teardown even if the code swallowed it. Stream records
and capacity counters of the undone writes are not rewound.

>>> from theorydb_mocks import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> client = emu.client()
>>> _ = client.create_table(TableName="things", BillingMode="PAY_PER_REQUEST",
...     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
...     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
>>> journal = WriteJournal.start(emu)
>>> _ = client.put_item(TableName="things", Item={"pk": {"S": "new"}})
>>> journal.finish()
>>> client.scan(TableName="things")["Items"]
[]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from theorydb_mocks.emulator import DynamoDBEmulator

__all__ = ["RollbackError", "WriteJournal"]

_READS = frozenset({"BatchGetItem", "GetItem", "Query", "Scan", "TransactGetItems"})
_READ_PREFIXES = ("Describe", "List", "Get")
_TABLE_CHANGES = frozenset(
    {
        "DeleteTable",
        "UpdateTable",
        "UpdateTimeToLive",
        "TagResource",
        "UntagResource",
        "UpdateContinuousBackups",
        "UpdateContributorInsights",
    }
)
_DOCS = "docs/testing.md#a-seeded-emulator-with-rollback"

Key = dict[str, dict[str, Any]]


class RollbackError(AssertionError):
    """A test on the seeded emulator did something its rollback could not undo."""


RollbackError.__module__ = "pytest_plugin"


class WriteJournal:
    """The first state of every item one test writes, and the tables it creates."""

    def __init__(self, emulator: DynamoDBEmulator) -> None:
        self._emulator = emulator
        self._inner = emulator.dispatch
        self._answer = type(emulator).dispatch  # undo and capture bypass any wrapper (operation logs)
        self._originals: dict[tuple[str, str], tuple[Key, dict[str, Any] | None]] = {}
        self._created: list[str] = []
        self._key_names: dict[str, tuple[str, ...]] = {}
        self._refused: list[str] = []

    def __repr__(self) -> str:
        return f"<WriteJournal items={len(self._originals)} tables={len(self._created)}>"

    @classmethod
    def start(cls, emulator: DynamoDBEmulator) -> WriteJournal:
        """Journal ``emulator``'s writes from now on (wraps its ``dispatch`` on the instance)."""
        journal = cls(emulator)
        emulator.dispatch = journal._dispatch  # type: ignore[method-assign]
        return journal

    # --- recording ---

    def _dispatch(self, operation: str, request: dict[str, Any], **options: Any) -> dict[str, Any]:
        with self._emulator.lock:  # capture and write as one step, even with concurrent callers
            self._before(operation, request)
            response = self._inner(operation, request, **options)
            if operation == "CreateTable":
                self._created.append(self._emulator.table_name(str(request["TableName"])))
            return response

    def _before(self, operation: str, request: dict[str, Any]) -> None:
        __tracebackhide__ = True
        if operation in _READS or operation.startswith(_READ_PREFIXES) or operation == "CreateTable":
            return
        if operation in ("PutItem", "UpdateItem", "DeleteItem"):
            self._capture(request.get("TableName"), request.get("Item") or request.get("Key"))
        elif operation == "BatchWriteItem":
            for table, writes in _mapping(request.get("RequestItems")).items():
                for write in writes if isinstance(writes, list) else ():
                    for kind in ("PutRequest", "DeleteRequest"):
                        body = write.get(kind) if isinstance(write, dict) else None
                        if isinstance(body, dict):
                            self._capture(table, body.get("Item") or body.get("Key"))
        elif operation == "TransactWriteItems":
            items = request.get("TransactItems")
            for entry in items if isinstance(items, list) else ():
                for kind in ("Put", "Update", "Delete"):
                    body = entry.get(kind) if isinstance(entry, dict) else None
                    if isinstance(body, dict):
                        self._capture(body.get("TableName"), body.get("Item") or body.get("Key"))
        elif operation in _TABLE_CHANGES and self._own_table(request):
            return
        else:
            self._refuse(operation, request)

    def _own_table(self, request: dict[str, Any]) -> bool:
        name = request.get("TableName") or request.get("ResourceArn")
        if not isinstance(name, str):
            return False
        try:
            return self._emulator.table_name(name) in self._created
        except Exception:  # a malformed ARN: not ours, and dispatch will answer it
            return False

    def _refuse(self, operation: str, request: dict[str, Any]) -> None:
        __tracebackhide__ = True
        target = request.get("TableName") or request.get("ResourceArn") or ""
        message = (
            f"{operation} {target}".strip()
            + " cannot be rolled back on the seeded emulator: give this test its own emulator "
            + f"(ddb_emulator) or create the table in the test (docs: {_DOCS})"
        )
        self._refused.append(message)
        raise RollbackError(message)

    def _keys_of(self, table: str) -> tuple[str, ...] | None:
        names = self._key_names.get(table)
        if names is None:
            try:
                described = self._answer(self._emulator, "DescribeTable", {"TableName": table})
            except Exception:  # no such table: the write will fail the same way, nothing to remember
                return None
            names = tuple(str(element["AttributeName"]) for element in described["Table"]["KeySchema"])
            self._key_names[table] = names
        return names

    def _capture(self, table_name: Any, item: Any) -> None:
        if not isinstance(table_name, str) or not isinstance(item, dict):
            return
        try:
            table = self._emulator.table_name(table_name)
        except Exception:  # a malformed ARN: dispatch answers it
            return
        if table in self._created:
            return
        names = self._keys_of(table)
        if names is None or any(name not in item for name in names):
            return
        key: Key = {name: item[name] for name in names}
        slot = (table, repr(sorted(key.items())))
        if slot in self._originals:
            return
        try:
            found = self._answer(
                self._emulator, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True}
            )
        except Exception:  # a key of the wrong type: the write is refused too, nothing changes
            return
        self._originals[slot] = (key, found.get("Item"))

    # --- undoing ---

    def finish(self) -> None:
        """Stop journaling, restore every item and drop created tables; raise if anything was refused."""
        __tracebackhide__ = True
        self._emulator.dispatch = self._inner  # type: ignore[method-assign]
        with self._emulator.lock:
            for (table, _), (key, original) in self._originals.items():
                if original is None:
                    self._answer(self._emulator, "DeleteItem", {"TableName": table, "Key": key})
                else:
                    self._answer(self._emulator, "PutItem", {"TableName": table, "Item": original})
            for table in reversed(self._created):
                try:
                    self._answer(self._emulator, "DeleteTable", {"TableName": table})
                except Exception:  # the test deleted it already
                    continue
        self._originals.clear()
        self._created.clear()
        if self._refused:
            refused, self._refused = self._refused, []
            raise RollbackError("\n".join(refused))


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
