"""Query and Scan through the direct client: paging, limits, Select, indexes, segments and their errors."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator.client import EmulatorClient
from theorydb_mocks.emulator.operations.query import PAGE_BYTES


def invalid(call: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationException", error
    return str(error["Message"])


def gsi(name: str, hash_name: str, range_name: str | None, projection: dict[str, Any]) -> dict[str, Any]:
    key = [{"AttributeName": hash_name, "KeyType": "HASH"}]
    if range_name is not None:
        key.append({"AttributeName": range_name, "KeyType": "RANGE"})
    return {"IndexName": name, "KeySchema": key, "Projection": projection}


@pytest.fixture
def filled(client: EmulatorClient) -> str:
    """Partitions a..c with sort keys 0..9; GSI ``by-g`` (g, gs; KEYS_ONLY), LSI ``by-l`` (pk, l; ALL)."""
    client.create_table(
        **table_request(
            "filled",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "g", "AttributeType": "S"},
                {"AttributeName": "gs", "AttributeType": "N"},
                {"AttributeName": "l", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[gsi("by-g", "g", "gs", {"ProjectionType": "KEYS_ONLY"})],
            LocalSecondaryIndexes=[gsi("by-l", "pk", "l", {"ProjectionType": "ALL"})],
        )
    )
    for pk in "abc":
        for sk in range(10):
            item = {"pk": {"S": pk}, "sk": {"N": str(sk)}, "x": {"S": f"{pk}{sk}"}}
            if sk % 2 == 0:
                item.update({"g": {"S": "even"}, "gs": {"N": str(100 - sk)}, "l": {"S": f"l{9 - sk}"}})
            client.put_item(TableName="filled", Item=item)
    return "filled"


def sort_keys(response: dict[str, Any]) -> list[int]:
    return [int(item["sk"]["N"]) for item in response["Items"]]


# -- Scan (no expressions needed) --


def test_scan_pages_with_limit_and_resumes(client: EmulatorClient, filled: str) -> None:
    seen: list[tuple[str, str]] = []
    start: dict[str, Any] | None = None
    pages = 0
    while True:
        extra = {} if start is None else {"ExclusiveStartKey": start}
        page = client.scan(TableName=filled, Limit=7, **extra)
        pages += 1
        assert page["Count"] == page["ScannedCount"] == len(page["Items"])
        seen.extend((i["pk"]["S"], i["sk"]["N"]) for i in page["Items"])
        if "LastEvaluatedKey" not in page:
            break
        start = page["LastEvaluatedKey"]
        assert set(start) == {"pk", "sk"}
    assert len(seen) == len(set(seen)) == 30
    assert pages == 5  # 7 + 7 + 7 + 7 + 2: the last full page of a Limit still hands out a key


def test_scan_limit_reached_exactly_still_returns_a_key(client: EmulatorClient, filled: str) -> None:
    page = client.scan(TableName=filled, Limit=30)
    assert page["Count"] == 30 and "LastEvaluatedKey" in page
    assert client.scan(TableName=filled, ExclusiveStartKey=page["LastEvaluatedKey"])["Count"] == 0
    assert "LastEvaluatedKey" not in client.scan(TableName=filled)


def test_scan_select_count_and_attributes_to_get(client: EmulatorClient, filled: str) -> None:
    counted = client.scan(TableName=filled, Select="COUNT")
    assert "Items" not in counted and counted["Count"] == 30
    projected = client.scan(TableName=filled, AttributesToGet=["x"], Limit=1)
    assert list(projected["Items"][0]) == ["x"]


def test_scan_an_index_returns_projected_items_and_index_keys(client: EmulatorClient, filled: str) -> None:
    page = client.scan(TableName=filled, IndexName="by-g", Limit=4)
    assert page["Count"] == 4
    assert all(set(item) == {"pk", "sk", "g", "gs"} for item in page["Items"])
    assert set(page["LastEvaluatedKey"]) == {"pk", "sk", "g", "gs"}
    rest = client.scan(TableName=filled, IndexName="by-g", ExclusiveStartKey=page["LastEvaluatedKey"])
    assert page["Count"] + rest["Count"] == 15
    lsi = client.scan(TableName=filled, IndexName="by-l")
    assert lsi["Count"] == 15 and all("x" in item for item in lsi["Items"])


def test_parallel_scan_segments_cover_the_table_once(client: EmulatorClient, filled: str) -> None:
    seen: list[tuple[str, str]] = []
    for segment in range(4):
        page = client.scan(TableName=filled, Segment=segment, TotalSegments=4)
        seen.extend((i["pk"]["S"], i["sk"]["N"]) for i in page["Items"])
    assert sorted(seen) == sorted((pk, str(sk)) for pk in "abc" for sk in range(10))


def test_scan_segment_rules(client: EmulatorClient, filled: str) -> None:
    assert invalid(client.scan, TableName=filled, Segment=1) == (
        "The TotalSegments parameter is required but was not present in the request "
        "when Segment parameter is present"
    )
    assert invalid(client.scan, TableName=filled, TotalSegments=2) == (
        "The Segment parameter is required but was not present in the request "
        "when parameter TotalSegments is present"
    )
    assert invalid(client.scan, TableName=filled, Segment=2, TotalSegments=2) == (
        "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
        "Segment: 2 is not less than TotalSegments: 2"
    )
    owners = {}
    for segment in range(8):
        for item in client.scan(TableName=filled, Segment=segment, TotalSegments=8)["Items"]:
            owners[item["pk"]["S"]] = segment
    key = {"pk": {"S": "a"}, "sk": {"N": "0"}}
    other = (owners["a"] + 1) % 8
    assert invalid(client.scan, TableName=filled, Segment=other, TotalSegments=8, ExclusiveStartKey=key) == (
        "Exclusive start key must lie within the segment"
    )
    client.scan(TableName=filled, Segment=owners["a"], TotalSegments=8, ExclusiveStartKey=key)


def test_scan_start_key_rules(client: EmulatorClient, filled: str) -> None:
    assert invalid(client.scan, TableName=filled, ExclusiveStartKey={"pk": {"S": "a"}}) == (
        "Exclusive Start Key must have same size as table's key schema"
    )
    assert invalid(client.scan, TableName=filled, ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"S": "x"}}) == (
        "Type mismatch for attribute to update"
    )
    table_only = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    assert invalid(client.scan, TableName=filled, IndexName="by-g", ExclusiveStartKey=table_only) == (
        "The provided starting key is invalid"
    )


def test_select_and_index_rules(client: EmulatorClient, filled: str) -> None:
    assert invalid(client.scan, TableName=filled, IndexName="nope") == (
        "The table does not have the specified index: nope"
    )
    assert invalid(client.scan, TableName=filled, IndexName="by-g", ConsistentRead=True) == (
        "Consistent reads are not supported on global secondary indexes"
    )
    assert invalid(client.scan, TableName=filled, IndexName="by-g", Select="ALL_ATTRIBUTES") == (
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global "
        "secondary index by-g because its projection type is not ALL"
    )
    assert invalid(client.scan, TableName=filled, Select="ALL_PROJECTED_ATTRIBUTES") == (
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"
    )
    assert invalid(client.scan, TableName=filled, Select="SPECIFIC_ATTRIBUTES") == (
        "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"
    )
    assert invalid(client.scan, TableName=filled, Select="COUNT", ProjectionExpression="x") == (
        "Cannot specify the ProjectionExpression when choosing to get only the Count"
    )
    assert invalid(client.scan, TableName=filled, Select="ALL_ATTRIBUTES", ProjectionExpression="x") == (
        "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES"
    )
    # An LSI fetches what it does not project from the table.
    lsi = client.scan(TableName=filled, IndexName="by-l", Select="ALL_ATTRIBUTES", Limit=1)
    assert "x" in lsi["Items"][0]


def test_one_megabyte_pages_count_data_read(client: EmulatorClient, table: str) -> None:
    blob = "z" * 100_000
    for sk in range(25):
        client.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {"N": str(sk)}, "b": {"S": blob}})
    page = client.scan(TableName=table)
    assert page["ScannedCount"] == 11  # 11 items of ~100 KB pass 1 MB; the page stops there
    assert 10 * 100_000 < PAGE_BYTES <= 11 * 100_009
    assert "LastEvaluatedKey" in page
    rest = client.scan(TableName=table, ExclusiveStartKey=page["LastEvaluatedKey"], Select="COUNT")
    assert rest["ScannedCount"] == 11


def test_scan_consumed_capacity(client: EmulatorClient, filled: str) -> None:
    page = client.scan(TableName=filled, ReturnConsumedCapacity="INDEXES", IndexName="by-g")
    assert page["ConsumedCapacity"] == {
        "TableName": filled,
        "CapacityUnits": 0.5,
        "Table": {"CapacityUnits": 0.0},
        "GlobalSecondaryIndexes": {"by-g": {"CapacityUnits": 0.5}},
    }


def test_missing_table(client: EmulatorClient) -> None:
    with pytest.raises(ClientError) as info:
        client.scan(TableName="nowhere")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


# -- Query (needs the expression engine for KeyConditionExpression) --


def query(client: EmulatorClient, table: str, condition: str, values: dict[str, Any], **extra: Any) -> Any:
    return client.query(
        TableName=table, KeyConditionExpression=condition, ExpressionAttributeValues=values, **extra
    )


A = {":p": {"S": "a"}}


def test_query_orders_by_sort_key_both_ways(client: EmulatorClient, filled: str) -> None:
    assert sort_keys(query(client, filled, "pk = :p", A)) == list(range(10))
    assert sort_keys(query(client, filled, "pk = :p", A, ScanIndexForward=False)) == list(range(9, -1, -1))
    between = query(
        client, filled, "pk = :p AND sk BETWEEN :l AND :h", {**A, ":l": {"N": "3"}, ":h": {"N": "5"}}
    )
    assert sort_keys(between) == [3, 4, 5]


def test_query_pages_resume_in_both_directions(client: EmulatorClient, filled: str) -> None:
    for forward in (True, False):
        seen: list[int] = []
        start: dict[str, Any] | None = None
        while True:
            extra: dict[str, Any] = {"Limit": 3, "ScanIndexForward": forward}
            if start is not None:
                extra["ExclusiveStartKey"] = start
            page = query(client, filled, "pk = :p", A, **extra)
            seen.extend(sort_keys(page))
            start = page.get("LastEvaluatedKey")
            if start is None:
                break
        assert seen == (list(range(10)) if forward else list(range(9, -1, -1)))


def test_query_filter_counts_scanned_items(client: EmulatorClient, filled: str) -> None:
    page = query(client, filled, "pk = :p", {**A, ":x": {"S": "a3"}}, FilterExpression="x = :x", Limit=5)
    assert (page["Count"], page["ScannedCount"]) == (1, 5)
    assert page["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"N": "4"}}


def test_query_an_index_in_index_order(client: EmulatorClient, filled: str) -> None:
    page = query(client, filled, "g = :g", {":g": {"S": "even"}}, IndexName="by-g", Limit=4)
    assert [int(i["gs"]["N"]) for i in page["Items"]] == [92, 92, 92, 94]
    assert set(page["LastEvaluatedKey"]) == {"pk", "sk", "g", "gs"}
    rest = query(
        client,
        filled,
        "g = :g",
        {":g": {"S": "even"}},
        IndexName="by-g",
        ExclusiveStartKey=page["LastEvaluatedKey"],
    )
    assert rest["Count"] == 11
    lsi = query(client, filled, "pk = :p AND begins_with(l, :l)", {**A, ":l": {"S": "l"}}, IndexName="by-l")
    assert [i["l"]["S"] for i in lsi["Items"]] == ["l1", "l3", "l5", "l7", "l9"]


def test_query_rules(client: EmulatorClient, filled: str) -> None:
    assert invalid(client.query, TableName=filled) == (
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
    )
    assert invalid(query, client=client, table=filled, condition="pk = :p", values={":p": {"N": "1"}}) == (
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    )
    message = invalid(
        query,
        client=client,
        table=filled,
        condition="pk = :p",
        values={**A, ":s": {"N": "1"}},
        FilterExpression="sk > :s",
    )
    assert (
        message == "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"
    )
    start = {"pk": {"S": "b"}, "sk": {"N": "1"}}
    assert invalid(
        query, client=client, table=filled, condition="pk = :p", values=A, ExclusiveStartKey=start
    ) == ("The provided starting key does not match the range key predicate")
    outside = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    message = invalid(
        query,
        client=client,
        table=filled,
        condition="pk = :p AND sk > :s",
        values={**A, ":s": {"N": "3"}},
        ExclusiveStartKey=outside,
    )
    assert message == "The provided starting key does not match the range key predicate"
    message = invalid(
        query,
        client=client,
        table=filled,
        condition="g = :g",
        values={":g": {"S": "even"}},
        IndexName="by-g",
        ProjectionExpression="x",
    )
    assert (
        message
        == "One or more parameter values were invalid: Global secondary index by-g does not project [x]"
    )


def test_query_consumed_capacity_on_a_local_index(client: EmulatorClient, filled: str) -> None:
    page = query(
        client, filled, "pk = :p", A, IndexName="by-l", ConsistentRead=True, ReturnConsumedCapacity="INDEXES"
    )
    assert page["ConsumedCapacity"] == {
        "TableName": filled,
        "CapacityUnits": 1.0,
        "Table": {"CapacityUnits": 0.0},
        "LocalSecondaryIndexes": {"by-l": {"CapacityUnits": 1.0}},
    }


def test_gsi_query_filter_must_use_projected_attributes(client: EmulatorClient, filled: str) -> None:
    message = invalid(
        query,
        client=client,
        table=filled,
        condition="g = :g",
        values={":g": {"S": "even"}, ":x": {"S": "a"}},
        IndexName="by-g",
        FilterExpression="x = :x OR attribute_exists(y)",
    )
    assert message == (
        "One or more parameter values were invalid: Secondary index by-g does not project one or more "
        "filter attributes: [x, y]"
    )
    # A Scan of the same index accepts the filter; it simply matches nothing.
    scanned = client.scan(
        TableName=filled, IndexName="by-g", FilterExpression="attribute_exists(x)", Select="COUNT"
    )
    assert (scanned["Count"], scanned["ScannedCount"]) == (0, 15)


def test_legacy_key_conditions_and_filters(client: EmulatorClient, filled: str) -> None:
    def cond(op: str, *values: dict[str, Any]) -> dict[str, Any]:
        return {"ComparisonOperator": op, "AttributeValueList": list(values)}

    page = client.query(
        TableName=filled,
        KeyConditions={"pk": cond("EQ", {"S": "a"}), "sk": cond("BETWEEN", {"N": "2"}, {"N": "6"})},
        QueryFilter={"x": cond("NE", {"S": "a4"})},
        ScanIndexForward=False,
    )
    assert sort_keys(page) == [6, 5, 3, 2]
    assert page["ScannedCount"] == 5
    assert invalid(client.query, TableName=filled, KeyConditions={"pk": cond("BEGINS_WITH", {"S": "a"})}) == (
        "Query key condition not supported"
    )
    counted = client.scan(TableName=filled, ScanFilter={"x": cond("BEGINS_WITH", {"S": "b"})}, Select="COUNT")
    assert counted["Count"] == 10


def test_keys_only_lsi_fetches_table_items_where_it_must(client: EmulatorClient) -> None:
    client.create_table(
        **table_request(
            "keyed",
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "m", "AttributeType": "S"},
            ],
            LocalSecondaryIndexes=[gsi("by-m", "pk", "m", {"ProjectionType": "KEYS_ONLY"})],
        )
    )
    for n in range(3):
        item = {"pk": {"S": "a"}, "sk": {"N": str(n)}, "m": {"S": f"m{n}"}, "z": {"S": f"z{n}"}}
        client.put_item(TableName="keyed", Item=item)
    values = {":p": {"S": "a"}, ":z": {"S": "z1"}}
    # Query refuses a filter on what the index does not project...
    assert invalid(
        query,
        client=client,
        table="keyed",
        condition="pk = :p",
        values=values,
        IndexName="by-m",
        FilterExpression="z = :z",
    ) == (
        "One or more parameter values were invalid: Secondary index by-m does not project one or more filter "
        "attributes: [z]"
    )
    # ...a Scan fetches it from the table, and still answers with the index's projection.
    scanned = client.scan(
        TableName="keyed",
        IndexName="by-m",
        FilterExpression="z = :z",
        ExpressionAttributeValues={":z": {"S": "z1"}},
    )
    assert scanned["Items"] == [{"pk": {"S": "a"}, "sk": {"N": "1"}, "m": {"S": "m1"}}]
    # Projecting z fetches each item: one read per item on the table, on top of the index read.
    page = query(
        client,
        "keyed",
        "pk = :p",
        {":p": {"S": "a"}},
        IndexName="by-m",
        ProjectionExpression="z, sk",
        ReturnConsumedCapacity="INDEXES",
    )
    assert [item["z"]["S"] for item in page["Items"]] == ["z0", "z1", "z2"]
    assert page["ConsumedCapacity"] == {
        "TableName": "keyed",
        "CapacityUnits": 2.0,
        "Table": {"CapacityUnits": 1.5},
        "LocalSecondaryIndexes": {"by-m": {"CapacityUnits": 0.5}},
    }
