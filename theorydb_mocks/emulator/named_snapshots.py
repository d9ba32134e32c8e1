"""Named snapshots: a prepared state kept under a name, restored in milliseconds, saved to and loaded from
files; the server takes and restores them over admin routes.

In memory a named snapshot is an ``emu.snapshot()`` (``snapshots``: O(tables) to take, O(changes since) to
restore), so going back to it costs what was changed since, not the table sizes. On disk it is a dump
(``dumps``: DescribeTable JSON and DynamoDB JSON items) with the snapshot's name in its manifest;
``load_snapshot`` empties the emulator, loads the dump (``bulk_load``) and keeps the result under that name.

- ``save_snapshot(emu, name, path=None)``: keep the state now as ``name`` (replacing an older one), and
  write it to the folder ``path`` when given.
- ``restore_snapshot(emu, name)``: back to ``name``. As with ``emu.restore``, snapshots taken after it are
  dropped (their names are forgotten); ``name`` itself can be restored again.
- ``load_snapshot(emu, path)``: the emulator emptied and loaded from a saved snapshot (or any dump); its
  name (the one saved, else the folder's) is returned and kept.

Server routes (authenticated like DynamoDB requests; the shared database; the journal is compacted after a
restore or load, so what is served is what a restart finds):

- ``GET /_theorydb/snapshots``: ``{"snapshots": [names]}``
- ``POST /_theorydb/snapshots/<name>``: take it; a JSON body ``{"path": DIR}`` also saves it to ``DIR``
- ``POST /_theorydb/snapshots/<name>/restore``: restore it
- ``POST /_theorydb/snapshots/<name>/load`` with ``{"path": DIR}``: the snapshot saved in ``DIR``, as ``name``
- ``DELETE /_theorydb/snapshots/<name>``: forget it

>>> import tempfile
>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> folder = tempfile.mkdtemp()
>>> _ = save_snapshot(emu, "empty", folder)
>>> _ = emu.dispatch("PutItem", {"TableName": "tbl", "Item": {"pk": {"S": "a"}}})
>>> restore_snapshot(emu, "empty")
>>> emu.dispatch("Scan", {"TableName": "tbl"})["Count"]
0
>>> other = DynamoDBEmulator()
>>> load_snapshot(other, folder), other.dispatch("Scan", {"TableName": "tbl"})["Count"]
('empty', 0)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.admin import AdminAnswer, AdminRequest, admin_route
from theorydb_mocks.emulator.dumps import dump, load
from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.snapshots import Snapshot, SnapshotError

if TYPE_CHECKING:
    from theorydb_mocks.emulator.core import DynamoDBEmulator
    from theorydb_mocks.emulator.server import EmulatorServer

__all__ = ["load_snapshot", "restore_snapshot", "save_snapshot", "snapshot_names"]


def _named(emu: DynamoDBEmulator) -> dict[str, Snapshot]:
    """The emulator's named snapshots (every region shares them, as it shares ``snapshots``)."""
    named: dict[str, Snapshot] = emu.snapshots.named
    for name, snap in list(named.items()):  # those a restore of an older snapshot made invalid
        if not emu.snapshots.is_alive(snap):
            del named[name]
    return named


def snapshot_names(emu: DynamoDBEmulator) -> list[str]:
    """The names of the snapshots that can be restored, oldest first."""
    return list(_named(emu))


def save_snapshot(emu: DynamoDBEmulator, name: str, path: str | os.PathLike[str] | None = None) -> Snapshot:
    """Keep the state now as ``name`` (O(tables)); with ``path``, also write it there (O(items))."""
    if not name or "/" in name:
        raise ValueError(f"a snapshot name is a non-empty path segment, not {name!r}")
    named = _named(emu)
    with emu.lock:
        old = named.pop(name, None)
        if old is not None:
            emu.snapshots.release(old)
        snap = named[name] = emu.snapshot()
        if path is not None:
            dump(emu, path)
            manifest = Path(path) / "manifest.json"
            saved = json.loads(manifest.read_text())
            manifest.write_text(json.dumps({**saved, "snapshot": name}, indent=2) + "\n")
    return snap


def restore_snapshot(emu: DynamoDBEmulator, name: str) -> None:
    """Go back to the snapshot ``name`` (O(tables + changes since)); KeyError for an unknown name."""
    snap = _named(emu).get(name)
    if snap is None:
        raise KeyError(f"no snapshot named {name!r}")
    emu.restore(snap)
    _named(emu)  # forget the names of the snapshots this restore dropped


def load_snapshot(emu: DynamoDBEmulator, path: str | os.PathLike[str], name: str | None = None) -> str:
    """Empty ``emu``, load the saved snapshot (or dump) at ``path``, keep it as ``name`` (default: the
    saved name, else the folder's); returns the name."""
    if name is None:
        try:
            name = json.loads((Path(path) / "manifest.json").read_text()).get("snapshot")
        except (OSError, ValueError):
            name = None
        name = name or Path(path).resolve().name
    emu.reset()
    load(emu, path)
    save_snapshot(emu, name)
    return name


def forget_snapshot(emu: DynamoDBEmulator, name: str) -> bool:
    """Release the snapshot ``name``; whether there was one."""
    snap = _named(emu).pop(name, None)
    if snap is not None:
        emu.snapshots.release(snap)
    return snap is not None


# --- the server's routes ---------------------------------------------------------------------------------


def _shared(server: EmulatorServer) -> DynamoDBEmulator:
    if server.db_per_access_key:
        raise DynamoDBError("ValidationException", M.SNAPSHOTS_SHARED_ONLY)
    return server.emulator


def _body(request: AdminRequest) -> dict[str, Any]:
    if not request.body.strip():
        return {}
    try:
        value = json.loads(request.body)
    except ValueError as exc:
        raise DynamoDBError("SerializationException", M.SNAPSHOT_BODY_NOT_JSON.format(reason=exc)) from exc
    if not isinstance(value, dict):
        raise DynamoDBError("SerializationException", M.SNAPSHOT_BODY_NOT_OBJECT)
    return value


def _not_found(name: str) -> AdminAnswer:
    body = {"__type": "ResourceNotFoundException", "message": f"no snapshot named {name!r}"}
    return AdminAnswer.json(body, 404)


@admin_route("GET", "/_theorydb/snapshots", authenticated=True)
def list_route(server: EmulatorServer, request: AdminRequest) -> AdminAnswer:
    return AdminAnswer.json({"snapshots": snapshot_names(_shared(server))})


@admin_route("POST", "/_theorydb/snapshots/{name}", authenticated=True)
def take_route(server: EmulatorServer, request: AdminRequest) -> AdminAnswer:
    name = request.params["name"]
    path = _body(request).get("path")
    try:
        save_snapshot(_shared(server), name, path)
    except (OSError, ValueError) as exc:
        raise DynamoDBError("ValidationException", str(exc)) from exc
    return AdminAnswer.json({"snapshot": name, **({"path": path} if path else {})})


@admin_route("POST", "/_theorydb/snapshots/{name}/restore", authenticated=True)
def restore_route(server: EmulatorServer, request: AdminRequest) -> AdminAnswer:
    name = request.params["name"]
    try:
        restore_snapshot(_shared(server), name)
    except (KeyError, SnapshotError):
        return _not_found(name)
    server.compact()  # the journal holds what is served now
    return AdminAnswer.json({"snapshot": name, "status": "restored"})


@admin_route("POST", "/_theorydb/snapshots/{name}/load", authenticated=True)
def load_route(server: EmulatorServer, request: AdminRequest) -> AdminAnswer:
    name = request.params["name"]
    path = _body(request).get("path")
    if not isinstance(path, str) or not path:
        raise DynamoDBError("ValidationException", M.SNAPSHOT_LOAD_NEEDS_PATH)
    try:
        load_snapshot(_shared(server), path, name)
    except (OSError, ValueError) as exc:
        raise DynamoDBError("ValidationException", str(exc)) from exc
    server.compact()
    return AdminAnswer.json({"snapshot": name, "status": "loaded"})


@admin_route("DELETE", "/_theorydb/snapshots/{name}", authenticated=True)
def forget_route(server: EmulatorServer, request: AdminRequest) -> AdminAnswer:
    name = request.params["name"]
    if not forget_snapshot(_shared(server), name):
        return _not_found(name)
    return AdminAnswer.json({"snapshot": name, "status": "forgotten"})
