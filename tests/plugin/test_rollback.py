"""The seeded emulator's per-test rollback (`emu.rollback()`): what a test does through any door is undone."""

from __future__ import annotations

from typing import Any

import pytest

from theorydb_mocks import DynamoDBEmulator

pytest_plugins = ["pytester"]


def make_table(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
    )


def item(pk: str, sk: int, **extra: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"N": str(sk)}, **{k: {"S": v} for k, v in extra.items()}}


@pytest.fixture
def seeded() -> DynamoDBEmulator:
    emu = DynamoDBEmulator()
    client = emu.client()
    make_table(client, "orders")
    for n in range(3):
        client.put_item(TableName="orders", Item=item("A", n, state="new"))
    return emu


def contents(emu: DynamoDBEmulator, table: str = "orders") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = emu.client().scan(TableName=table)["Items"]
    return sorted(items, key=repr)


def test_item_writes_are_undone(seeded: DynamoDBEmulator) -> None:
    before = contents(seeded)
    client = seeded.client()
    with seeded.rollback():
        client.put_item(TableName="orders", Item=item("A", 0, state="paid"))  # overwrite
        client.put_item(TableName="orders", Item=item("B", 9))  # new
        client.update_item(
            TableName="orders",
            Key={"pk": {"S": "A"}, "sk": {"N": "1"}},
            UpdateExpression="SET #s = :s",
            ExpressionAttributeNames={"#s": "state"},
            ExpressionAttributeValues={":s": {"S": "shipped"}},
        )
        client.update_item(TableName="orders", Key={"pk": {"S": "C"}, "sk": {"N": "1"}})  # upsert
        client.delete_item(TableName="orders", Key={"pk": {"S": "A"}, "sk": {"N": "2"}})
        client.batch_write_item(
            RequestItems={
                "orders": [
                    {"PutRequest": {"Item": item("D", 1)}},
                    {"DeleteRequest": {"Key": {"pk": {"S": "A"}, "sk": {"N": "0"}}}},
                ]
            }
        )
        assert contents(seeded) != before
    assert contents(seeded) == before


def test_first_state_wins_when_an_item_is_written_twice(seeded: DynamoDBEmulator) -> None:
    before = contents(seeded)
    client = seeded.client()
    with seeded.rollback():
        client.put_item(TableName="orders", Item=item("A", 0, state="one"))
        client.put_item(TableName="orders", Item=item("A", 0, state="two"))
        client.delete_item(TableName="orders", Key={"pk": {"S": "A"}, "sk": {"N": "0"}})
    assert contents(seeded) == before


def test_writes_through_a_routed_boto3_client_and_failed_writes(seeded: DynamoDBEmulator) -> None:
    before = contents(seeded)
    client = seeded.boto3_client()
    with seeded.rollback():
        client.put_item(TableName="orders", Item=item("Z", 1))
        with pytest.raises(client.exceptions.ConditionalCheckFailedException):
            client.put_item(
                TableName="orders", Item=item("A", 1), ConditionExpression="attribute_not_exists(pk)"
            )
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            client.put_item(TableName="missing", Item=item("A", 1))
    assert contents(seeded) == before


def test_transactions_are_undone(seeded: DynamoDBEmulator) -> None:
    before = contents(seeded)
    with seeded.rollback():
        seeded.client().transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "orders", "Item": item("T", 1)}},
                {"Delete": {"TableName": "orders", "Key": {"pk": {"S": "A"}, "sk": {"N": "0"}}}},
            ]
        )
    assert contents(seeded) == before


def test_tables_created_in_the_test_are_dropped_and_may_change(seeded: DynamoDBEmulator) -> None:
    client = seeded.client()
    with seeded.rollback():
        make_table(client, "scratch")
        client.put_item(TableName="scratch", Item=item("A", 1))
        client.update_table(TableName="scratch", BillingMode="PAY_PER_REQUEST")
        make_table(client, "gone")
        client.delete_table(TableName="gone")
    assert client.list_tables()["TableNames"] == ["orders"]


def test_changing_a_seeded_table_is_undone(seeded: DynamoDBEmulator) -> None:
    before = contents(seeded)
    client = seeded.client()
    with seeded.rollback():
        client.update_time_to_live(
            TableName="orders", TimeToLiveSpecification={"Enabled": True, "AttributeName": "t"}
        )
        client.delete_table(TableName="orders")
        assert client.list_tables()["TableNames"] == []
    assert client.list_tables()["TableNames"] == ["orders"]
    assert contents(seeded) == before
    ttl = client.describe_time_to_live(TableName="orders")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "DISABLED"}


def test_seeded_fixture_gives_each_test_the_seed(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def ddb_seed(ddb_emulator_session):
            client = ddb_emulator_session.client()
            client.create_table(
                TableName="users",
                BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            )
            client.put_item(TableName="users", Item={"pk": {"S": "ada"}})
        """
    )
    pytester.makepyfile(
        """
        import pytest

        def names(emu):
            return sorted(i["pk"]["S"] for i in emu.client().scan(TableName="users")["Items"])

        @pytest.mark.parametrize("who", ["bob", "eve"])
        def test_writes(ddb_seeded_emulator, who):
            client = ddb_seeded_emulator.client()
            client.put_item(TableName="users", Item={"pk": {"S": who}})
            client.delete_item(TableName="users", Key={"pk": {"S": "ada"}})
            assert names(ddb_seeded_emulator) == [who]

        def test_deletes_the_seeded_table(ddb_seeded_emulator):
            ddb_seeded_emulator.client().delete_table(TableName="users")  # undone too (emu.rollback)

        def test_after(ddb_seeded_emulator):
            assert names(ddb_seeded_emulator) == ["ada"]
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=4)


@pytest.mark.parametrize("where", ["flag", "env", "ini"])
def test_seed_option_loads_a_dump_once_per_session(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    emu = DynamoDBEmulator()
    client = emu.client()
    client.create_table(
        TableName="users",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    client.put_item(TableName="users", Item={"pk": {"S": "ada"}})
    emu.dump(pytester.path / "seed")
    pytester.makepyfile(
        """
        seen = []

        def names(emu):
            return sorted(i["pk"]["S"] for i in emu.client().scan(TableName="users")["Items"])

        def test_first(ddb_seeded_emulator):
            seen.append(ddb_seeded_emulator)
            ddb_seeded_emulator.client().put_item(TableName="users", Item={"pk": {"S": "bob"}})
            assert names(ddb_seeded_emulator) == ["ada", "bob"]

        def test_second(ddb_seeded_emulator):
            assert seen == [ddb_seeded_emulator]  # the same session emulator, loaded once
            assert names(ddb_seeded_emulator) == ["ada"]
        """
    )
    args: list[str] = []
    if where == "flag":
        args.append(f"--theorydb-seed={pytester.path / 'seed'}")
    elif where == "env":
        monkeypatch.setenv("THEORYDB_SEED", str(pytester.path / "seed"))
    else:
        pytester.makeini("[pytest]\ntheorydb_seed = seed\n")
    pytester.runpytest(*args).assert_outcomes(passed=2)
