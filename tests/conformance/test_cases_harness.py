"""The harness itself, without a DynamoDB: normalization, the tally, and that every allow-list matcher
accepts exactly its difference and nothing else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from tests.conformance import allowlist
from tests.conformance.harness import (
    Call,
    Case,
    Differential,
    Mismatch,
    Outcome,
    Tally,
    _normalize_value,
    run_case,
)

MISSING = Outcome(False, {"Code": "ResourceNotFoundException", "Message": allowlist.LOCAL_MISSING_TABLE})


def err(code: str, message: str, **fields: Any) -> Outcome:
    return Outcome(False, {"Code": code, "Message": message, **fields})


def ok(**body: Any) -> Outcome:
    return Outcome(True, body)


def quirk(op: str, request: dict[str, Any], local: Outcome, emu: Outcome) -> str | None:
    found = allowlist.match(op, request, local, emu)
    return None if found is None else found.id


def test_missing_table_message_per_operation() -> None:
    service = err("ResourceNotFoundException", "Requested resource not found")
    named = err("ResourceNotFoundException", "Requested resource not found: Table: t not found")
    assert quirk("get_item", {"TableName": "t"}, MISSING, service) == "missing-table-message"
    assert quirk("describe_table", {"TableName": "t"}, MISSING, named) == "missing-table-message"
    assert quirk("describe_table", {"TableName": "t"}, MISSING, service) is None
    assert quirk("get_item", {"TableName": "t"}, MISSING, named) is None
    assert quirk("get_item", {"TableName": "t"}, MISSING, err("ResourceNotFoundException", "nope")) is None


def test_validation_before_existence_needs_a_validation_error() -> None:
    assert quirk("put_item", {}, MISSING, err("ValidationException", "bad")) == "validation-before-existence"
    assert quirk("put_item", {}, MISSING, ok()) is None
    other = err("ResourceNotFoundException", "Requested resource not found: Table: x not found")
    assert quirk("put_item", {}, other, err("ValidationException", "bad")) is None


def test_transaction_reason_period_only_strips_the_period() -> None:
    def cancelled(message: str) -> Outcome:
        reasons = [{"Code": "None"}, {"Code": "ConditionalCheckFailed", "Message": message}]
        return err("TransactionCanceledException", "Transaction cancelled", CancellationReasons=reasons)

    local = cancelled("The conditional request failed.")
    assert quirk("transact_write_items", {}, local, cancelled("The conditional request failed")) is not None
    assert quirk("transact_write_items", {}, local, cancelled("Something else")) is None


def test_query_missing_key_name() -> None:
    local = err("ValidationException", "Query condition missed key schema element")
    emu = err("ValidationException", "Query condition missed key schema element: pk")
    assert quirk("query", {}, local, emu) == "query-missing-key-name"
    assert quirk("scan", {}, local, emu) is None
    assert quirk("query", {}, local, err("ValidationException", "other")) is None


def test_page_limit_before_filter_accepts_an_early_page_only() -> None:
    items = [{"n": {"N": str(i)}} for i in range(3)]
    local = ok(Items=items, Count=3, ScannedCount=9)
    early = ok(Items=items[:1], Count=1, ScannedCount=4, LastEvaluatedKey={"pk": {"S": "a"}})
    request = {"FilterExpression": "n > :z"}
    assert quirk("scan", request, local, early) == "page-limit-before-filter"
    assert quirk("scan", {}, local, early) is None
    wrong = ok(Items=items[1:2], Count=1, ScannedCount=4, LastEvaluatedKey={"pk": {"S": "a"}})
    assert quirk("scan", request, local, wrong) is None


def test_index_page_projected_size() -> None:
    items = [{"k": {"N": str(i)}} for i in range(5)]
    local = ok(Items=items[:4], Count=4, ScannedCount=4, LastEvaluatedKey={"k": {"N": "3"}})
    emu = ok(Items=items, Count=5, ScannedCount=5)
    assert quirk("query", {"IndexName": "i"}, local, emu) == "index-page-projected-size"
    assert quirk("query", {}, local, emu) is None
    assert quirk("query", {"IndexName": "i"}, local, ok(Items=items[1:], Count=4, ScannedCount=4)) is None


def test_index_size_projected() -> None:
    def table(keys_only: int, all_size: int) -> dict[str, Any]:
        return {
            "TableArn": "a",
            "GlobalSecondaryIndexes": [
                {"IndexName": "all", "Projection": {"ProjectionType": "ALL"}, "IndexSizeBytes": all_size},
                {
                    "IndexName": "keys",
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "IndexSizeBytes": keys_only,
                },
            ],
        }

    local = ok(Table=table(100, 100))
    assert quirk("describe_table", {}, local, ok(Table=table(40, 100))) == "index-size-projected"
    assert quirk("describe_table", {}, local, ok(Table=table(40, 90))) is None
    assert quirk("describe_table", {}, local, ok(Table=table(140, 100))) is None


def test_delete_table_status_and_nothing_else() -> None:
    local = ok(TableDescription={"TableName": "t", "TableStatus": "ACTIVE", "ItemCount": 0})
    emu = ok(TableDescription={"TableName": "t", "TableStatus": "DELETING", "ItemCount": 0})
    assert quirk("delete_table", {}, local, emu) == "delete-table-status"
    emu_other = ok(TableDescription={"TableName": "t", "TableStatus": "DELETING", "ItemCount": 1})
    assert quirk("delete_table", {}, local, emu_other) is None


def test_pay_per_request_with_throughput() -> None:
    request = {"BillingMode": "PAY_PER_REQUEST", "ProvisionedThroughput": {}}
    emu = err("ValidationException", allowlist.PAY_PER_REQUEST_THROUGHPUT)
    assert quirk("create_table", request, ok(), emu) == "pay-per-request-throughput"
    assert quirk("create_table", {"BillingMode": "PAY_PER_REQUEST"}, ok(), emu) is None


def test_unchecked_enum_names_the_member_and_its_values() -> None:
    request = {"ReturnConsumedCapacity": "ALL"}
    message = (
        "1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: "
        "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
    )
    assert quirk("put_item", request, ok(), err("ValidationException", message)) == "unchecked-enums"
    assert quirk("put_item", {}, ok(), err("ValidationException", message)) is None
    assert quirk("put_item", request, ok(), err("ValidationException", "something else")) is None


def test_table_description_shape() -> None:
    local = ok(
        Table={"TableArn": "a", "ProvisionedThroughput": {"LastIncreaseDateTime": "<epoch-0>", "R": 0}}
    )
    emu = ok(Table={"TableArn": "a", "TableId": "<table-id>", "ProvisionedThroughput": {"R": 0}})
    assert quirk("describe_table", {}, local, emu) == "table-description-shape"
    emu_other = ok(Table={"TableArn": "a", "TableId": "<table-id>", "ProvisionedThroughput": {"R": 1}})
    assert quirk("describe_table", {}, local, emu_other) is None


def test_table_description_shape_composes_with_delete_status() -> None:
    local = ok(
        TableDescription={
            "TableArn": "a",
            "TableStatus": "ACTIVE",
            "X": {"LastIncreaseDateTime": "<epoch-0>"},
        }
    )
    emu = ok(TableDescription={"TableArn": "a", "TableId": "<table-id>", "TableStatus": "DELETING", "X": {}})
    assert quirk("delete_table", {}, local, emu) == "delete-table-status"
    emu_changed = ok(
        TableDescription={
            "TableArn": "a",
            "TableStatus": "ACTIVE",
            "X": {"LastIncreaseDateTime": "<timestamp>"},
        }
    )
    assert quirk("update_table", {}, local, emu_changed) == "table-description-shape"
    assert (
        quirk("delete_table", {}, local, ok(TableDescription={"TableArn": "b", "TableStatus": "DELETING"}))
        is None
    )


def test_unrequested_delete_capacity() -> None:
    local = ok(ConsumedCapacity={"TableName": "t", "CapacityUnits": 1.0})
    assert quirk("delete_item", {"ReturnValues": "ALL_OLD"}, local, ok()) == "unrequested-delete-capacity"
    asked = {"ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL"}
    assert quirk("delete_item", asked, local, ok()) is None
    assert quirk("delete_item", {}, local, ok(Attributes={})) is None


def test_every_quirk_is_documented() -> None:
    ids = [q.id for q in allowlist.QUIRKS]
    assert len(ids) == len(set(ids))
    assert all(q.local and q.service and q.evidence for q in allowlist.QUIRKS)


def test_every_quirk_is_in_the_fidelity_table() -> None:
    """docs/fidelity.md lists each entry with its evidence, so the table and the code cannot drift apart."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "fidelity.md").read_text(encoding="utf-8")
    missing = [q.id for q in allowlist.QUIRKS if f"| `{q.id}` |" not in text]
    assert missing == []


def test_normalize_maps_names_arns_sets_and_times() -> None:
    raw = {
        "TableName": "t-123",
        "TableArn": "arn:aws:dynamodb:us-east-1:000000000000:table/t-123",
        "CreationDateTime": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        "LastDecreaseDateTime": dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
        "TableId": "abc",
        "Item": {"s": {"SS": ["b", "a"]}, "l": {"L": [{"S": "b"}, {"S": "a"}]}},
        "Responses": {"t-123": []},
    }
    assert _normalize_value(raw, {"t-123": "t"}) == {
        "TableName": "t",
        "TableArn": "arn:aws:dynamodb:<region>:<account>:table/t",
        "CreationDateTime": "<timestamp>",
        "LastDecreaseDateTime": "<epoch-0>",
        "TableId": "<table-id>",
        "Item": {"s": {"SS": ["a", "b"]}, "l": {"L": [{"S": "b"}, {"S": "a"}]}},
        "Responses": {"t": []},
    }


class _Client:
    """A stand-in client answering ``get_item`` with a fixed item, or raising a raw Python error."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    def get_item(self, **request: Any) -> Any:
        if isinstance(self.answer, Exception):
            raise self.answer
        return {"Item": self.answer, "ResponseMetadata": {"RequestId": "x"}}


def test_differential_counts_and_reports_a_mismatch() -> None:
    tally = Tally()
    diff = Differential(
        _Client({"a": {"S": "1"}}), _Client({"a": {"S": "2"}}), tally=tally, area="x", test_id="t"
    )
    with pytest.raises(AssertionError, match=r"emulator differs from DynamoDB Local on get_item"):
        diff.call("get_item", TableName="t", Key={})
    same = Differential(
        _Client({"a": {"S": "1"}}), _Client({"a": {"S": "1"}}), tally=tally, area="x", test_id="u"
    )
    same.call("get_item", TableName="t", Key={})
    count = tally.areas["x"]
    assert (count.matched, count.mismatched) == (1, 1)
    assert tally.report()["areas"]["x"]["match_rate"] == 0.5


def test_a_raw_python_exception_from_the_emulator_is_a_mismatch() -> None:
    diff = Differential(_Client({}), _Client(KeyError("boom")), tally=Tally(), area="x", test_id="t")
    with pytest.raises(AssertionError, match=r"<raw KeyError>"):
        diff.call("get_item", TableName="t", Key={})


def test_expect_pins_the_corpus_in_local_only_mode() -> None:
    diff = Differential(_Client({}), None, tally=Tally(), area="x", test_id="t")
    with pytest.raises(AssertionError, match="corpus check failed"):
        diff.call("get_item", expect="ValidationException", TableName="t", Key={})
    assert diff.call("get_item", expect="ok", TableName="t", Key={}).ok


class _Counter:
    """Answers ``get_item`` with the item whose ``n`` is the number of calls so far."""

    def __init__(self, start: int) -> None:
        self.calls = start

    def get_item(self, **request: Any) -> Any:
        self.calls += 1
        return {"Item": {"n": {"N": str(min(self.calls, 2))}}}


def test_run_case_compares_every_call_before_failing() -> None:
    tally = Tally()
    diff = Differential(_Counter(0), _Counter(1), tally=tally, area="x", test_id="t")
    case = Case("two gets", [Call("get_item", {"TableName": "t", "Key": {}}), Call("get_item", {"Key": {}})])
    with pytest.raises(Mismatch, match=r"1 mismatch\(es\) in two gets"):
        run_case(diff, case)
    assert (tally.areas["x"].matched, tally.areas["x"].mismatched) == (1, 1)


def _items(*sks: int) -> list[dict[str, Any]]:
    return [{"pk": {"S": "a"}, "sk": {"N": str(sk)}} for sk in sks]


def test_partiql_quirks_accept_only_their_difference() -> None:
    select = {"Statement": "SELECT * FROM t WHERE pk = ?", "Parameters": [{"S": "a"}, {"S": "b"}]}
    count = err("ValidationException", allowlist.PARTIQL_PARAMETER_COUNT)
    assert quirk("execute_statement", select, ok(Items=[]), count) == "partiql-surplus-parameters"
    exact = {**select, "Parameters": [{"S": "a"}]}
    assert quirk("execute_statement", exact, ok(Items=[]), count) is None
    assert quirk("execute_statement", select, ok(Items=[]), err("ValidationException", "other")) is None

    duplicate = allowlist.PARTIQL_DUPLICATE_ITEM
    insert = {"Statement": "INSERT INTO t VALUE {'pk': 'a'}"}
    local_dup = err("DuplicateItem", duplicate)
    assert quirk("execute_statement", insert, local_dup, err("DuplicateItemException", duplicate)) == (
        "partiql-duplicate-item-code"
    )
    assert quirk("execute_statement", insert, local_dup, err("DuplicateItemException", "other")) is None

    asked = {"Statement": "SELECT * FROM t", "ReturnConsumedCapacity": "TOTAL"}
    capacity = {"TableName": "t", "CapacityUnits": 0.5}
    with_capacity = ok(Items=[], ConsumedCapacity=capacity)
    assert quirk("execute_statement", asked, ok(Items=[]), with_capacity) == "partiql-consumed-capacity"
    assert quirk("execute_statement", {"Statement": "SELECT * FROM t"}, ok(Items=[]), with_capacity) is None
    assert quirk("execute_statement", asked, ok(Items=[{}]), with_capacity) is None

    delete = {"Statement": "DELETE FROM t WHERE pk = 'a' AND n = 1"}
    failed = err("ConditionalCheckFailedException", "The conditional request failed")
    assert quirk("execute_statement", delete, ok(Items=[]), failed) == "partiql-delete-false-condition"
    assert (
        quirk("execute_statement", {"Statement": "DELETE FROM t WHERE pk = 'a'"}, ok(Items=[]), failed)
        is None
    )
    assert quirk("execute_statement", delete, ok(Items=[{}]), failed) is None

    descending = {"Statement": "SELECT * FROM t WHERE pk = 'a' ORDER BY sk DESC", "Limit": 2}
    local_page, service_page = ok(Items=_items(1, 0)), ok(Items=_items(4, 3))
    assert quirk("execute_statement", descending, local_page, service_page) == "partiql-descending-pages"
    assert quirk("execute_statement", descending, local_page, ok(Items=_items(3, 4))) is None
    assert quirk("execute_statement", descending, ok(Items=_items(4, 3)), ok(Items=_items(1, 0))) is None
    assert quirk("execute_statement", {**descending, "Limit": None}, local_page, service_page) is None


def test_partiql_quirks_in_transactions_and_batches() -> None:
    surplus = {"Statement": "INSERT INTO t VALUE {'pk': ?}", "Parameters": [{"S": "a"}, {"S": "b"}]}
    exact = {**surplus, "Parameters": [{"S": "a"}]}
    refused = err(
        "ValidationException",
        f"Validation failed in TransactStatements[0]: {allowlist.PARTIQL_PARAMETER_COUNT}",
    )
    assert quirk("execute_transaction", {"TransactStatements": [surplus]}, ok(Responses=[]), refused) == (
        "partiql-surplus-parameters"
    )
    assert quirk("execute_transaction", {"TransactStatements": [exact]}, ok(Responses=[]), refused) is None

    entry_refused = {"Error": {"Code": "ValidationError", "Message": allowlist.PARTIQL_PARAMETER_COUNT}}
    batch = {"Statements": [surplus]}
    local, emu = ok(Responses=[{"TableName": "t"}]), ok(Responses=[entry_refused])
    assert quirk("batch_execute_statement", batch, local, emu) == "partiql-surplus-parameters"
    assert quirk("batch_execute_statement", {"Statements": [exact]}, local, emu) is None

    delete = {"Statement": "DELETE FROM t WHERE pk = 'a' AND n = 1"}
    failed = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
    cancelled = err("TransactionCanceledException", "Transaction cancelled", CancellationReasons=[failed])
    assert quirk("execute_transaction", {"TransactStatements": [delete]}, ok(Responses=[]), cancelled) == (
        "partiql-delete-false-condition"
    )
    plain = {"Statement": "DELETE FROM t WHERE pk = 'a'"}
    assert quirk("execute_transaction", {"TransactStatements": [plain]}, ok(Responses=[]), cancelled) is None
    emu_entry = ok(Responses=[{"Error": failed, "TableName": "t"}])
    assert quirk("batch_execute_statement", {"Statements": [delete]}, local, emu_entry) == (
        "partiql-delete-false-condition"
    )
    assert quirk("batch_execute_statement", {"Statements": [plain]}, local, emu_entry) is None
    # Two different quirks in one batch are not one quirk.
    both = {"Statements": [delete, surplus]}
    two_local = ok(Responses=[{"TableName": "t"}, {"TableName": "t"}])
    two_emu = ok(Responses=[{"Error": failed, "TableName": "t"}, entry_refused])
    assert quirk("batch_execute_statement", both, two_local, two_emu) is None
