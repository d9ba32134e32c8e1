"""The server from prepared data: ``--seed`` (a dump), ``--schema`` (describe-table output), and named
snapshots over the admin routes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.server.conftest import create_table, make_client, start_cli, stop_cli
from tests.server.test_operator import request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.server import EmulatorServer


def _prepared(tmp_path: Path) -> tuple[Path, Path]:
    """A dump of a table of 50 items (and one in eu-west-1), and the describe-table output of another."""
    emu = DynamoDBEmulator()
    client = emu.client()
    create_table(client, name="seeded", sort=True)
    for n in range(50):
        client.put_item(TableName="seeded", Item={"pk": {"S": f"p{n % 5}"}, "sk": {"N": str(n)}})
    create_table(emu.in_region("eu-west-1").client(), name="west")
    emu.dump(tmp_path / "seed")
    create_table(client, name="schema-only", stream=True)
    schema = tmp_path / "schema.json"
    described = client.describe_table(TableName="schema-only")
    schema.write_text(json.dumps(described, default=str))
    return tmp_path / "seed", schema


def _count(client: Any, table: str) -> int:
    return int(client.scan(TableName=table, Select="COUNT")["Count"])


def test_serve_with_seed_and_schema_keeps_them_in_the_journal(tmp_path: Path) -> None:
    seed, schema = _prepared(tmp_path)
    journal = tmp_path / "db.journal"
    process, endpoint = start_cli(journal, "--seed", str(seed), "--schema", str(schema))
    try:
        client = make_client(endpoint)
        assert sorted(client.list_tables()["TableNames"]) == ["schema-only", "seeded"]
        assert _count(client, "seeded") == 50
        described = client.describe_table(TableName="schema-only")["Table"]
        assert described["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        west = make_client(endpoint, region_name="eu-west-1")
        assert west.list_tables()["TableNames"] == ["west"]
        client.put_item(TableName="seeded", Item={"pk": {"S": "new"}, "sk": {"N": "1"}})
    finally:
        assert stop_cli(process) == 0
    # a restart with the same flags does not load the seed again: the journal has it, and the new item
    process, endpoint = start_cli(journal, "--seed", str(seed))
    try:
        assert _count(make_client(endpoint), "seeded") == 51
    finally:
        assert stop_cli(process) == 0


def test_a_bad_seed_stops_the_server_with_a_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    from tests.server.conftest import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "theorydb_mocks", "serve", "--port", "0", "--seed", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "is not a dump" in done.stderr


def test_named_snapshots_over_admin_routes(tmp_path: Path) -> None:
    journal = tmp_path / "db.journal"
    with EmulatorServer(db_path=str(journal)) as server:
        url = server.endpoint_url
        client = make_client(url)
        create_table(client)
        client.put_item(TableName="things", Item={"pk": {"S": "prepared"}})
        status, _, body = request(
            url, "POST", "/_theorydb/snapshots/ready", b'{"path": "%s"}' % str(tmp_path / "saved").encode()
        )
        assert status == 200, body
        client.put_item(TableName="things", Item={"pk": {"S": "during a test"}})
        assert _count(client, "things") == 2
        status, _, body = request(url, "POST", "/_theorydb/snapshots/ready/restore")
        assert (status, json.loads(body)) == (200, {"snapshot": "ready", "status": "restored"})
        assert _count(client, "things") == 1
        assert json.loads(request(url, "GET", "/_theorydb/snapshots")[2]) == {"snapshots": ["ready"]}
        assert request(url, "POST", "/_theorydb/snapshots/missing/restore")[0] == 404
        assert request(url, "DELETE", "/_theorydb/snapshots/ready")[0] == 200
        assert request(url, "POST", "/_theorydb/snapshots/ready/restore")[0] == 404
        assert request(url, "PUT", "/_theorydb/snapshots/ready")[0] == 405
        client.delete_table(TableName="things")
        status, _, body = request(
            url,
            "POST",
            "/_theorydb/snapshots/again/load",
            json.dumps({"path": str(tmp_path / "saved")}).encode(),
        )
        assert status == 200, body
        assert _count(client, "things") == 1
        assert request(url, "POST", "/_theorydb/snapshots/x/load", b"{}")[0] == 400
    with EmulatorServer(db_path=str(journal)) as server:  # what was restored is what a restart finds
        assert _count(make_client(server.endpoint_url), "things") == 1


def test_emulator_named_snapshots_to_files(tmp_path: Path) -> None:
    emu = DynamoDBEmulator()
    client = emu.client()
    create_table(client)
    client.put_item(TableName="things", Item={"pk": {"S": "a"}})
    emu.save_snapshot("one", tmp_path / "one")
    client.put_item(TableName="things", Item={"pk": {"S": "b"}})
    emu.save_snapshot("two")
    client.put_item(TableName="things", Item={"pk": {"S": "c"}})
    emu.restore_snapshot("two")
    assert _count(client, "things") == 2
    emu.restore_snapshot("one")  # drops "two", taken after it
    assert _count(client, "things") == 1
    try:
        emu.restore_snapshot("two")
    except KeyError:
        pass
    else:
        raise AssertionError("a snapshot taken after the restored one is gone")
    other = DynamoDBEmulator()
    assert other.load_snapshot(tmp_path / "one") == "one"
    assert _count(other.client(), "things") == 1
