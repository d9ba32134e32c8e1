"""The server routes each request to the region of its SigV4 credential scope, and journals every region."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from tests.server.conftest import create_table, make_client, start_cli, stop_cli
from theorydb_mocks.emulator.persistence import GLOBAL_TABLES, Journal
from theorydb_mocks.emulator.server import EmulatorServer


def test_requests_are_answered_by_their_signing_region(ddb_server: EmulatorServer) -> None:
    west = make_client(ddb_server.endpoint_url, region_name="us-west-2")
    east = make_client(ddb_server.endpoint_url)
    create_table(west)
    assert west.list_tables()["TableNames"] == ["things"]
    assert east.list_tables()["TableNames"] == []
    arn = west.describe_table(TableName="things")["Table"]["TableArn"]
    assert arn.startswith("arn:aws:dynamodb:us-west-2:")
    assert ddb_server.emulator.in_region("us-west-2").tables.keys() == {"things"}


def test_unsigned_requests_use_the_servers_region() -> None:
    with EmulatorServer(region="eu-west-1") as server:
        status, _ = server.answer(
            "DynamoDB_20120810.CreateTable",
            b'{"TableName":"tbl","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],'
            b'"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],'
            b'"BillingMode":"PAY_PER_REQUEST"}',
            {},
        )
        assert status == 200
        assert server.emulator.region == "eu-west-1"
        assert server.emulator.tables.keys() == {"tbl"}


def test_every_region_survives_a_restart_and_a_compaction(tmp_path: Path) -> None:
    path = str(tmp_path / "db.journal")
    with EmulatorServer(db_path=path) as server:
        for region in ("us-east-1", "ap-southeast-2"):
            client = make_client(server.endpoint_url, region_name=region)
            create_table(client, f"in-{region}")
            client.put_item(TableName=f"in-{region}", Item={"pk": {"S": region}})
    for _ in range(2):  # the second run reads the journal the first one's stop compacted
        with EmulatorServer(db_path=path) as server:
            for region in ("us-east-1", "ap-southeast-2"):
                client = make_client(server.endpoint_url, region_name=region)
                assert client.list_tables()["TableNames"] == [f"in-{region}"]
                items = client.scan(TableName=f"in-{region}")["Items"]
                assert items == [{"pk": {"S": region}}]


def test_per_access_key_databases_keep_their_regions_apart(tmp_path: Path) -> None:
    path = str(tmp_path / "db.journal")
    with EmulatorServer(db_path=path, db_per_access_key=True) as server:
        create_table(make_client(server.endpoint_url, aws_access_key_id="alice", region_name="eu-west-2"))
    with EmulatorServer(db_path=path, db_per_access_key=True) as server:
        alice_west = make_client(server.endpoint_url, aws_access_key_id="alice", region_name="eu-west-2")
        alice_east = make_client(server.endpoint_url, aws_access_key_id="alice")
        bob_west = make_client(server.endpoint_url, aws_access_key_id="bob", region_name="eu-west-2")
        assert alice_west.list_tables()["TableNames"] == ["things"]
        assert alice_east.list_tables()["TableNames"] == []
        assert bob_west.list_tables()["TableNames"] == []


def test_replicas_survive_a_restart_from_a_compacted_journal_with_writes_on_their_way(tmp_path: Path) -> None:
    path = str(tmp_path / "db.journal")
    with EmulatorServer(db_path=path) as server:
        server.emulator.replication_delay = 3600  # still on its way at the restart
        east = make_client(server.endpoint_url)
        create_table(east, "orders", stream=True)
        east.update_table(TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
        east.put_item(TableName="orders", Item={"pk": {"S": "early"}})
    journal = Journal(path)
    try:
        assert [record.target for record in journal.replay()][-1] == GLOBAL_TABLES  # compacted at stop
    finally:
        journal.close()
    with EmulatorServer(db_path=path) as server:
        east = make_client(server.endpoint_url)
        west = make_client(server.endpoint_url, region_name="us-west-2")
        assert west.describe_table(TableName="orders")["Table"]["Replicas"] == [
            {"RegionName": "us-east-1", "ReplicaStatus": "ACTIVE"}
        ]
        assert "Item" not in west.get_item(TableName="orders", Key={"pk": {"S": "early"}})  # due in an hour
        assert server.emulator.replication.flush() == 1
        assert west.get_item(TableName="orders", Key={"pk": {"S": "early"}})["Item"] == {"pk": {"S": "early"}}
        server.emulator.replication_delay = 0
        west.put_item(TableName="orders", Item={"pk": {"S": "late"}})
        assert east.get_item(TableName="orders", Key={"pk": {"S": "late"}})["Item"] == {"pk": {"S": "late"}}
        records = server.emulator.in_region("us-west-2").stream_records("orders")  # streams restarted
        assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["early", "late"]


def test_a_killed_server_replays_replicas_and_their_writes(tmp_path: Path) -> None:
    path = tmp_path / "db.journal"
    process, endpoint = start_cli(path)
    try:
        east = make_client(endpoint)
        create_table(east, "orders", stream=True)
        east.update_table(TableName="orders", ReplicaUpdates=[{"Create": {"RegionName": "eu-west-1"}}])
        east.put_item(TableName="orders", Item={"pk": {"S": "a"}})
        written = time.monotonic()
    finally:
        stop_cli(process, signal.SIGKILL)  # no compaction: the journal holds the requests
    process, endpoint = start_cli(path)
    try:
        # The replayed write keeps its due time (half a second after it was made, the default delay): a
        # restart faster than that must wait for it, as a client of the service would.
        time.sleep(max(0.0, written + 0.6 - time.monotonic()))
        west = make_client(endpoint, region_name="eu-west-1")
        assert west.describe_table(TableName="orders")["Table"]["Replicas"][0]["RegionName"] == "us-east-1"
        assert west.get_item(TableName="orders", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    finally:
        stop_cli(process)
