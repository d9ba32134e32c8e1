"""Table operations through the direct client: Create, Describe, List, Delete and UpdateTable."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from freezegun import freeze_time

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.client import EmulatorClient

HASH = [{"AttributeName": "pk", "KeyType": "HASH"}]
PK = {"AttributeName": "pk", "AttributeType": "S"}
SK = {"AttributeName": "sk", "AttributeType": "N"}
GK = {"AttributeName": "gk", "AttributeType": "S"}
LK = {"AttributeName": "lk", "AttributeType": "S"}
THROUGHPUT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}


def gsi(name: str = "by-gk", **extra: Any) -> dict[str, Any]:
    index: dict[str, Any] = {
        "IndexName": name,
        "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    }
    index.update(extra)
    return index


def lsi(name: str = "by-lk", **extra: Any) -> dict[str, Any]:
    index: dict[str, Any] = {
        "IndexName": name,
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "lk", "KeyType": "RANGE"},
        ],
        "Projection": {"ProjectionType": "KEYS_ONLY"},
    }
    index.update(extra)
    return index


def pick(response: dict[str, Any]) -> dict[str, Any]:
    return {"ResponseMetadata": response["ResponseMetadata"]}


def error_of(call: Any, **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


# --- CreateTable and DescribeTable -------------------------------------------------------------------


def test_create_table_describes_an_active_on_demand_table(
    emu: DynamoDBEmulator, client: EmulatorClient
) -> None:
    emu.clock.set(1_700_000_000.5)
    created = client.create_table(**table_request("things"))["TableDescription"]
    when = datetime.fromtimestamp(1_700_000_000.5, UTC)
    assert created == {
        "AttributeDefinitions": [PK, SK],
        "TableName": "things",
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "TableStatus": "ACTIVE",
        "CreationDateTime": when,
        "ProvisionedThroughput": {
            "NumberOfDecreasesToday": 0,
            "ReadCapacityUnits": 0,
            "WriteCapacityUnits": 0,
        },
        "TableSizeBytes": 0,
        "ItemCount": 0,
        "TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/things",
        "TableId": created["TableId"],
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": when},
        "DeletionProtectionEnabled": False,
        "WarmThroughput": {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"},
    }
    assert uuid.UUID(created["TableId"])
    described = client.describe_table(TableName="things")["Table"]
    assert described == created
    assert emu.get_table("things").key.names == ("pk", "sk")


def test_provisioned_table_keeps_its_throughput_and_has_no_billing_summary(client: EmulatorClient) -> None:
    request = table_request("prov", ranged=False, ProvisionedThroughput=THROUGHPUT)
    del request["BillingMode"]
    desc = client.create_table(**request)["TableDescription"]
    assert desc["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, **THROUGHPUT}
    assert "BillingModeSummary" not in desc


def test_table_counts_follow_the_store(emu: DynamoDBEmulator, client: EmulatorClient, table: str) -> None:
    emu.get_table(table).store.put({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "hello"}})
    desc = client.describe_table(TableName=table)["Table"]
    assert desc["ItemCount"] == 1
    assert desc["TableSizeBytes"] == emu.get_table(table).store.size_bytes > 0


def test_indexes_are_described_and_registered(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    request = table_request(
        "indexed",
        AttributeDefinitions=[PK, SK, GK, LK],
        GlobalSecondaryIndexes=[
            gsi(Projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]})
        ],
        LocalSecondaryIndexes=[lsi()],
    )
    desc = client.create_table(**request)["TableDescription"]
    arn = desc["TableArn"]
    assert desc["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "by-gk",
            "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]},
            "IndexStatus": "ACTIVE",
            "WarmThroughput": {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"},
            "IndexSizeBytes": 0,
            "ItemCount": 0,
            "IndexArn": f"{arn}/index/by-gk",
        }
    ]
    assert desc["LocalSecondaryIndexes"] == [
        {
            "IndexName": "by-lk",
            "KeySchema": lsi()["KeySchema"],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
            "IndexSizeBytes": 0,
            "ItemCount": 0,
            "IndexArn": f"{arn}/index/by-lk",
        }
    ]
    state = emu.get_table("indexed")
    assert sorted(state.indexes) == ["by-gk", "by-lk"]
    assert state.indexes["by-gk"].kind == "GSI"
    assert state.indexes["by-gk"].non_key_attributes == ("a", "b")
    assert sorted(state.store.index_names) == ["by-gk", "by-lk"]


def test_streams_settings_and_table_class_are_described(client: EmulatorClient) -> None:
    desc = client.create_table(
        **table_request(
            "streamed",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            TableClass="STANDARD_INFREQUENT_ACCESS",
            DeletionProtectionEnabled=True,
            SSESpecification={"Enabled": True},
        )
    )["TableDescription"]
    assert desc["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert desc["LatestStreamArn"] == f"{desc['TableArn']}/stream/{desc['LatestStreamLabel']}"
    assert desc["TableClassSummary"] == {"TableClass": "STANDARD_INFREQUENT_ACCESS"}
    assert desc["DeletionProtectionEnabled"] is True
    assert desc["SSEDescription"]["Status"] == "ENABLED"


CREATE_ERRORS: list[tuple[str, dict[str, Any], str]] = [
    (
        "no-hash",
        {"KeySchema": [{"AttributeName": "pk", "KeyType": "RANGE"}]},
        "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key",
    ),
    (
        "two-hashes",
        {
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "HASH"},
            ]
        },
        "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key",
    ),
    (
        "range-first",
        {
            "KeySchema": [
                {"AttributeName": "sk", "KeyType": "RANGE"},
                {"AttributeName": "pk", "KeyType": "HASH"},
            ]
        },
        "Invalid key order. Hash Key must be specified first in key schema, "
        "Range Key must be specifed second",
    ),
    (
        "same-key-names",
        {
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "pk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [PK],
        },
        "Invalid KeySchema: Some index key attribute have no definition",
    ),
    (
        "same-key-names-defined-twice",
        {
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "pk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [PK, SK],
        },
        "Two keys can not have the same name",
    ),
    (
        "duplicate-definitions",
        {"AttributeDefinitions": [PK, PK, SK]},
        "Cannot have two attributes with the same name",
    ),
    (
        "undefined-key",
        {"AttributeDefinitions": [PK]},
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [sk], AttributeDefinitions: [pk]",
    ),
    (
        "unused-definition",
        {"AttributeDefinitions": [PK, SK, GK]},
        "The number of attributes in key schema must match the number of attributes defined in attribute "
        "definitions.",
    ),
    (
        "on-demand-with-throughput",
        {"ProvisionedThroughput": THROUGHPUT},
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
        "specified when BillingMode is PAY_PER_REQUEST",
    ),
    (
        "provisioned-without-throughput",
        {"BillingMode": "PROVISIONED"},
        "No provisioned throughput specified for the table",
    ),
    (
        "empty-gsi-list",
        {"GlobalSecondaryIndexes": []},
        "One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty",
    ),
    (
        "gsi-key-undefined",
        {"GlobalSecondaryIndexes": [gsi()]},
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [gk], AttributeDefinitions: [pk, sk]",
    ),
    (
        "duplicate-gsi",
        {"AttributeDefinitions": [PK, SK, GK], "GlobalSecondaryIndexes": [gsi(), gsi()]},
        "One or more parameter values were invalid: Duplicate index name: by-gk",
    ),
    (
        "too-many-gsis",
        {
            "AttributeDefinitions": [PK, SK, GK],
            "GlobalSecondaryIndexes": [gsi(f"g{i:02d}") for i in range(21)],
        },
        "GlobalSecondaryIndex count exceeds the per-table limit",
    ),
    (
        "include-without-attributes",
        {
            "AttributeDefinitions": [PK, SK, GK],
            "GlobalSecondaryIndexes": [gsi(Projection={"ProjectionType": "INCLUDE"})],
        },
        "If Projection type INCLUDE is specified, some non-key attributes to include in the projection "
        "must be specified as well",
    ),
    (
        "attributes-without-include",
        {
            "AttributeDefinitions": [PK, SK, GK],
            "GlobalSecondaryIndexes": [gsi(Projection={"ProjectionType": "ALL", "NonKeyAttributes": ["a"]})],
        },
        "No attributes should be specified to be projected unless projection type is INCLUDE",
    ),
    (
        "projection-without-type",
        {"AttributeDefinitions": [PK, SK, GK], "GlobalSecondaryIndexes": [gsi(Projection={})]},
        "Indexes must have a projection specified",
    ),
    (
        "gsi-throughput-on-demand",
        {
            "AttributeDefinitions": [PK, SK, GK],
            "GlobalSecondaryIndexes": [gsi(ProvisionedThroughput=THROUGHPUT)],
        },
        "One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: "
        "by-gk when BillingMode is PAY_PER_REQUEST",
    ),
    (
        "gsi-without-throughput-provisioned",
        {
            "BillingMode": "PROVISIONED",
            "ProvisionedThroughput": THROUGHPUT,
            "AttributeDefinitions": [PK, SK, GK],
            "GlobalSecondaryIndexes": [gsi()],
        },
        "No provisioned throughput specified for the global secondary index",
    ),
    (
        "too-many-projected",
        {
            "AttributeDefinitions": [PK, SK, GK],
            "GlobalSecondaryIndexes": [
                gsi(
                    f"g{n}-index",
                    Projection={
                        "ProjectionType": "INCLUDE",
                        "NonKeyAttributes": [f"a{n}-{i}" for i in range(20)],
                    },
                )
                for n in range(5)
            ]
            + [gsi("g5-index", Projection={"ProjectionType": "INCLUDE", "NonKeyAttributes": ["last"]})],
        },
        "One or more parameter values were invalid: Number of projected attributes in all indexes "
        "exceeds limit of 100, provided: 101",
    ),
    (
        "lsi-on-hash-table",
        {"KeySchema": HASH, "AttributeDefinitions": [PK, LK], "LocalSecondaryIndexes": [lsi()]},
        "One or more parameter values were invalid: Table KeySchema does not have a range key, which is "
        "required when specifying a LocalSecondaryIndex",
    ),
    (
        "lsi-without-range",
        {"LocalSecondaryIndexes": [lsi(KeySchema=HASH)]},
        "Local secondary indices must have a range key",
    ),
    (
        "lsi-other-hash",
        {
            "AttributeDefinitions": [PK, SK, LK],
            "LocalSecondaryIndexes": [
                lsi(
                    KeySchema=[
                        {"AttributeName": "lk", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ]
                )
            ],
        },
        "Local Secondary indices must have the same hash key as the main table",
    ),
    (
        "too-many-lsis",
        {"AttributeDefinitions": [PK, SK, LK], "LocalSecondaryIndexes": [lsi(f"l{i:02d}") for i in range(6)]},
        "Cannot have more than 5 local secondary indexes per table",
    ),
    (
        "gsi-and-lsi-same-name",
        {
            "AttributeDefinitions": [PK, SK, LK, GK],
            "LocalSecondaryIndexes": [lsi("same")],
            "GlobalSecondaryIndexes": [gsi("same")],
        },
        "One or more parameter values were invalid: Duplicate index name: same",
    ),
    (
        "stream-disabled-with-view-type",
        {"StreamSpecification": {"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"}},
        "Invalid StreamViewType: Stream StreamEnabled was false but a StreamViewType was present.",
    ),
    (
        "stream-without-view-type",
        {"StreamSpecification": {"StreamEnabled": True}},
        "Invalid StreamViewType: Stream ViewType must not be null or empty when enabling streams.",
    ),
]


@pytest.mark.parametrize(("case", "change", "message"), CREATE_ERRORS, ids=[c[0] for c in CREATE_ERRORS])
def test_create_table_rejects_bad_schemas(
    emu: DynamoDBEmulator, client: EmulatorClient, case: str, change: dict[str, Any], message: str
) -> None:
    request = table_request("bad", **change)
    assert error_of(client.create_table, **request) == ("ValidationException", message)
    assert emu.tables == {}


def test_create_existing_table_is_resource_in_use(client: EmulatorClient, table: str) -> None:
    with pytest.raises(client.exceptions.ResourceInUseException) as caught:
        client.create_table(**table_request(table))
    assert caught.value.response["Error"]["Message"] == f"Table already exists: {table}"


def test_create_table_wants_a_name_not_an_arn(client: EmulatorClient) -> None:
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/things"
    code, message = error_of(client.create_table, **table_request(arn))
    assert code == "ValidationException"
    assert message == (
        f"1 validation error detected: Value '{arn}' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    )


def test_clock_set_advance_and_reset(emu: DynamoDBEmulator, client: EmulatorClient) -> None:
    emu.clock.set(1_000_000_000)
    emu.clock.advance(30)
    first = client.create_table(**table_request("first"))["TableDescription"]["CreationDateTime"]
    assert first == datetime.fromtimestamp(1_000_000_030, UTC)
    emu.clock.reset()
    with freeze_time("2030-01-01"):
        second = client.create_table(**table_request("second"))["TableDescription"]["CreationDateTime"]
    assert second == datetime(2030, 1, 1, tzinfo=UTC)


def test_table_names_are_case_sensitive(client: EmulatorClient, table: str) -> None:
    client.create_table(**table_request(table.upper()))
    assert client.list_tables()["TableNames"] == [table.upper(), table]


def test_describe_missing_table_names_it(client: EmulatorClient) -> None:
    with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
        client.describe_table(TableName="nope")
    assert caught.value.response["Error"]["Message"] == "Requested resource not found: Table: nope not found"


def test_describe_by_arn(client: EmulatorClient, table: str) -> None:
    arn = client.describe_table(TableName=table)["Table"]["TableArn"]
    assert client.describe_table(TableName=arn)["Table"]["TableName"] == table
    with pytest.raises(client.exceptions.ResourceNotFoundException):
        client.describe_table(TableName="arn:aws:dynamodb:eu-west-1:123456789012:table/things")


def test_creation_time_follows_freezegun(client: EmulatorClient) -> None:
    with freeze_time("2024-02-03 04:05:06"):
        desc = client.create_table(**table_request("frozen"))["TableDescription"]
    assert desc["CreationDateTime"] == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)


# --- ListTables ---------------------------------------------------------------------------------------


def test_list_tables_pages_in_name_order(client: EmulatorClient) -> None:
    names = ["d-table", "a-table", "c-table", "b-table", "e-table"]
    for name in names:
        client.create_table(**table_request(name))
    first = client.list_tables(Limit=2)
    assert first["TableNames"] == ["a-table", "b-table"]
    assert first["LastEvaluatedTableName"] == "b-table"
    second = client.list_tables(Limit=2, ExclusiveStartTableName="b-table")
    assert second["TableNames"] == ["c-table", "d-table"]
    last = client.list_tables(Limit=2, ExclusiveStartTableName="d-table")
    assert last["TableNames"] == ["e-table"]
    assert "LastEvaluatedTableName" not in last
    full = client.list_tables(Limit=1, ExclusiveStartTableName="d-table")  # a full page, but nothing follows
    assert full == {"TableNames": ["e-table"], **pick(full)}
    assert client.list_tables(ExclusiveStartTableName="zzz")["TableNames"] == []
    pages = list(client.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}))
    assert [name for page in pages for name in page["TableNames"]] == sorted(names)


# --- DeleteTable --------------------------------------------------------------------------------------


def test_delete_table_answers_deleting_and_forgets_the_table(client: EmulatorClient, table: str) -> None:
    desc = client.delete_table(TableName=table)["TableDescription"]
    assert desc["TableStatus"] == "DELETING"
    assert desc["TableName"] == table
    assert client.list_tables()["TableNames"] == []
    assert error_of(client.delete_table, TableName=table) == (
        "ResourceNotFoundException",
        f"Requested resource not found: Table: {table} not found",
    )


def test_deletion_protection_is_honoured(client: EmulatorClient) -> None:
    client.create_table(**table_request("guarded", DeletionProtectionEnabled=True))
    assert error_of(client.delete_table, TableName="guarded") == (
        "ValidationException",
        "Resource cannot be deleted as it is currently protected against deletion. "
        "Disable deletion protection first.",
    )
    client.update_table(TableName="guarded", DeletionProtectionEnabled=False)
    client.delete_table(TableName="guarded")
    assert client.list_tables()["TableNames"] == []


# --- UpdateTable --------------------------------------------------------------------------------------


def test_update_without_changes_is_refused(client: EmulatorClient, table: str) -> None:
    assert error_of(client.update_table, TableName=table) == ("ValidationException", "Nothing to update")


def test_billing_mode_switches_both_ways(emu: DynamoDBEmulator, client: EmulatorClient, table: str) -> None:
    assert error_of(client.update_table, TableName=table, BillingMode="PROVISIONED") == (
        "ValidationException",
        "No provisioned throughput specified for the table",
    )
    # DynamoDB Local accepts a throughput for an on-demand table and ignores it (docs/fidelity.md).
    ignored = client.update_table(TableName=table, ProvisionedThroughput=THROUGHPUT)["TableDescription"]
    assert ignored["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert ignored["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    desc = client.update_table(TableName=table, BillingMode="PROVISIONED", ProvisionedThroughput=THROUGHPUT)[
        "TableDescription"
    ]
    assert desc["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert error_of(client.update_table, TableName=table, ProvisionedThroughput=THROUGHPUT) == (
        "ValidationException",
        "The requested throughput value equals the current value",
    )
    emu.clock.set(1_800_000_000)
    desc = client.update_table(
        TableName=table, ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 9}
    )["TableDescription"]
    throughput = desc["ProvisionedThroughput"]
    assert throughput["NumberOfDecreasesToday"] == 1
    assert throughput["LastDecreaseDateTime"] == throughput["LastIncreaseDateTime"]
    assert throughput["LastDecreaseDateTime"] == datetime.fromtimestamp(1_800_000_000, UTC)
    emu.clock.advance(60)
    desc = client.update_table(TableName=table, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert desc["BillingModeSummary"] == {
        "BillingMode": "PAY_PER_REQUEST",
        "LastUpdateToPayPerRequestDateTime": datetime.fromtimestamp(1_800_000_060, UTC),
    }
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 0


def test_gsi_create_backfills_and_delete_drops(
    emu: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    store = emu.get_table(table).store
    store.put({"pk": {"S": "a"}, "sk": {"N": "1"}, "gk": {"S": "g"}})
    store.put({"pk": {"S": "b"}, "sk": {"N": "1"}})
    desc = client.update_table(
        TableName=table, AttributeDefinitions=[GK], GlobalSecondaryIndexUpdates=[{"Create": gsi()}]
    )["TableDescription"]
    (index,) = desc["GlobalSecondaryIndexes"]
    assert (index["IndexStatus"], index["Backfilling"]) == ("CREATING", False)
    assert "ItemCount" not in index
    (index,) = client.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]
    assert index["IndexStatus"] == "ACTIVE"
    assert index["ItemCount"] == 1
    assert "Backfilling" not in index
    assert desc["AttributeDefinitions"] == [GK, SK, PK]  # a Java HashMap's order, as DynamoDB Local answers
    assert "by-gk" in emu.get_table(table).indexes
    assert error_of(
        client.update_table,
        TableName=table,
        AttributeDefinitions=[GK],
        GlobalSecondaryIndexUpdates=[{"Create": gsi()}],
    ) == ("ValidationException", "Attempting to create an index which already exists")
    desc = client.update_table(
        TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-gk"}}]
    )["TableDescription"]
    assert [i["IndexStatus"] for i in desc["GlobalSecondaryIndexes"]] == ["DELETING"]
    assert "by-gk" not in emu.get_table(table).indexes
    assert "GlobalSecondaryIndexes" not in client.describe_table(TableName=table)["Table"]
    assert error_of(
        client.update_table, TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-gk"}}]
    ) == ("ResourceNotFoundException", "Requested resource not found")


def test_gsi_create_needs_definitions(client: EmulatorClient, table: str) -> None:
    assert error_of(
        client.update_table, TableName=table, GlobalSecondaryIndexUpdates=[{"Create": gsi()}]
    ) == (
        "ValidationException",
        "No Attribute Schema Defined",
    )
    other = {"AttributeName": "zz", "AttributeType": "S"}
    code, message = error_of(
        client.update_table,
        TableName=table,
        AttributeDefinitions=[other],
        GlobalSecondaryIndexUpdates=[{"Create": gsi()}],
    )
    assert (code, message) == (
        "ValidationException",
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [gk], AttributeDefinitions: [pk, sk, zz]",
    )


def test_one_index_change_at_a_time_and_no_redefinitions(client: EmulatorClient, table: str) -> None:
    defs = [GK, {"AttributeName": "hk", "AttributeType": "S"}]
    second = gsi("by-hk", KeySchema=[{"AttributeName": "hk", "KeyType": "HASH"}])
    with pytest.raises(client.exceptions.LimitExceededException) as caught:
        client.update_table(
            TableName=table,
            AttributeDefinitions=defs,
            GlobalSecondaryIndexUpdates=[{"Create": gsi()}, {"Create": second}],
        )
    assert caught.value.response["Error"]["Message"] == (
        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
    )
    redefined = [{"AttributeName": "pk", "AttributeType": "N"}]
    by_pk = gsi("by-pk", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    assert error_of(
        client.update_table,
        TableName=table,
        AttributeDefinitions=redefined,
        GlobalSecondaryIndexUpdates=[{"Create": by_pk}],
    ) == (
        "ValidationException",
        "invalid attribute, SchemaElement redefined should be of same type as previously defined",
    )


def test_a_dropped_index_key_may_come_back_with_another_type(
    emu: DynamoDBEmulator, client: EmulatorClient, table: str
) -> None:
    client.update_table(
        TableName=table, AttributeDefinitions=[GK], GlobalSecondaryIndexUpdates=[{"Create": gsi()}]
    )
    client.update_table(TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-gk"}}])
    numeric = {"AttributeName": "gk", "AttributeType": "N"}
    desc = client.update_table(
        TableName=table,
        AttributeDefinitions=[numeric],
        GlobalSecondaryIndexUpdates=[{"Create": gsi("again")}],
    )["TableDescription"]
    assert numeric in desc["AttributeDefinitions"]
    assert emu.get_table(table).indexes["again"].key.hash_type == "N"


def test_streams_enable_once_and_disable(client: EmulatorClient, table: str) -> None:
    assert error_of(client.update_table, TableName=table, StreamSpecification={"StreamEnabled": False}) == (
        "ValidationException",
        "Table has no stream to disable",
    )
    spec = {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    desc = client.update_table(TableName=table, StreamSpecification=spec)["TableDescription"]
    assert desc["StreamSpecification"] == spec
    assert error_of(client.update_table, TableName=table, StreamSpecification=spec) == (
        "ValidationException",
        "Table already has an enabled stream",
    )
    desc = client.update_table(TableName=table, StreamSpecification={"StreamEnabled": False})[
        "TableDescription"
    ]
    assert "StreamSpecification" not in desc
    assert "LatestStreamArn" in desc


def test_update_missing_table_names_it(client: EmulatorClient) -> None:
    assert error_of(client.update_table, TableName="gone", BillingMode="PAY_PER_REQUEST") == (
        "ResourceNotFoundException",
        "Requested resource not found: Table: gone not found",
    )


# --- index descriptions as DynamoDB Local 3.3.0 gives them (tests/conformance/test_cases_tables.py) ----


def test_a_gsi_added_to_an_on_demand_table_shows_unlimited_on_demand_throughput(
    client: EmulatorClient, table: str
) -> None:
    client.create_table(
        **table_request("made-with", AttributeDefinitions=[PK, SK, GK], GlobalSecondaryIndexes=[gsi("first")])
    )
    (made,) = client.describe_table(TableName="made-with")["Table"]["GlobalSecondaryIndexes"]
    assert "OnDemandThroughput" not in made  # only an index added by UpdateTable carries it
    desc = client.update_table(
        TableName=table, AttributeDefinitions=[GK], GlobalSecondaryIndexUpdates=[{"Create": gsi()}]
    )["TableDescription"]
    unlimited = {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1}
    assert desc["GlobalSecondaryIndexes"][0]["OnDemandThroughput"] == unlimited
    (added,) = client.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"]
    assert added["OnDemandThroughput"] == unlimited
    assert (added["IndexSizeBytes"], added["ItemCount"]) == (0, 0)
    desc = client.update_table(
        TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-gk"}}]
    )["TableDescription"]
    (deleting,) = desc["GlobalSecondaryIndexes"]
    assert deleting["IndexStatus"] == "DELETING"
    assert "IndexSizeBytes" not in deleting and "ItemCount" not in deleting
    assert deleting["OnDemandThroughput"] == unlimited


def test_a_provisioned_gsi_keeps_its_throughput_when_the_table_goes_on_demand(client: EmulatorClient) -> None:
    client.create_table(
        **table_request(
            "prov",
            AttributeDefinitions=[PK, SK, GK],
            BillingMode="PROVISIONED",
            ProvisionedThroughput=THROUGHPUT,
            GlobalSecondaryIndexes=[gsi(ProvisionedThroughput=THROUGHPUT)],
        )
    )
    desc = client.update_table(TableName="prov", BillingMode="PAY_PER_REQUEST")["TableDescription"]
    (index,) = desc["GlobalSecondaryIndexes"]
    assert index["ProvisionedThroughput"] == THROUGHPUT
    assert "OnDemandThroughput" not in index
    assert desc["ProvisionedThroughput"]["ReadCapacityUnits"] == 0


def test_throughput_named_with_on_demand_is_refused(client: EmulatorClient, table: str) -> None:
    """SERVICE-FACTS H1: UpdateTable refuses PAY_PER_REQUEST with a throughput, as CreateTable does."""
    with pytest.raises(ClientError) as caught:
        client.update_table(TableName=table, BillingMode="PAY_PER_REQUEST", ProvisionedThroughput=THROUGHPUT)
    assert caught.value.response["Error"]["Message"] == (
        "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
        "specified when BillingMode is PAY_PER_REQUEST"
    )


def test_throughput_without_billing_mode_on_an_on_demand_table_is_ignored(
    client: EmulatorClient, table: str
) -> None:
    """Not recorded for the service: DynamoDB Local accepts it and ignores the throughput."""
    desc = client.update_table(TableName=table, ProvisionedThroughput=THROUGHPUT)["TableDescription"]
    assert desc["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert desc["ProvisionedThroughput"]["WriteCapacityUnits"] == 0
