"""TableTheory's own DynamoDB Local contract tests (filters with a cursor handoff, reserved words), on both
backends, written against TableTheory's names only (UPSTREAM-API.md section 8.3, tests 5 and 6)."""

from __future__ import annotations

from dataclasses import dataclass

from tests.integration.conftest import MakeTable
from theorydb_py import (
    FilterCondition,
    FilterGroup,
    ModelDefinition,
    SortKeyCondition,
    TransactConditionCheck,
    TransactUpdate,
    UpdateAdd,
    theorydb_field,
)


@dataclass(frozen=True)
class Row:
    pk: str = theorydb_field(roles=["pk"])
    sk: str = theorydb_field(roles=["sk"])
    name: str = theorydb_field(default="")
    note: str = theorydb_field(omitempty=True, default="")
    value: int = theorydb_field(default=0)


ROWS = ModelDefinition.from_dataclass(Row, table_name="tt-rows")


def test_exists_filter_with_limit_hands_off_through_the_cursor(make_table: MakeTable) -> None:
    table = make_table(ROWS)
    table.put(Row("P", "0"))  # no note: filtered out
    table.put(Row("P", "1", note="kept"))
    first = table.query("P", limit=1, filter=FilterCondition.exists("note"))
    assert first.items == [] and first.next_cursor is not None  # Limit counts what is read, not kept
    second = table.query("P", limit=1, filter=FilterCondition.exists("note"), cursor=first.next_cursor)
    assert [r.sk for r in second.items] == ["1"]


def test_or_group_with_projection_and_parallel_scan(make_table: MakeTable) -> None:
    table = make_table(ROWS)
    for sk, note in (("1", "a"), ("2", "b"), ("3", "c")):
        table.put(Row("P", sk, name=f"n{sk}", note=note))
    group = FilterGroup.or_(FilterCondition.eq("note", "a"), FilterCondition.eq("note", "c"))
    page = table.query("P", sort=SortKeyCondition.gte("1"), projection=["pk", "sk", "note"], filter=group)
    assert [(r.sk, r.note, r.name) for r in page.items] == [("1", "a", ""), ("3", "c", "")]  # name not read
    assert sorted(r.sk for r in table.scan_all_segments(total_segments=2)) == ["1", "2", "3"]


def test_reserved_word_fields_update_and_raw_transaction_conditions(make_table: MakeTable) -> None:
    """``name`` and ``value`` are DynamoDB reserved words: every path uses placeholders for them."""
    table = make_table(ROWS)
    table.put(Row("P", "1", name="before", value=1))
    assert table.update("P", "1", {"name": "after"}).name == "after"
    table.transact_write(
        [
            TransactUpdate(
                "P",
                "1",
                {"value": UpdateAdd(1)},
                condition_expression="#v = :one",
                expression_attribute_names={"#v": "value"},
                expression_attribute_values={":one": 1},
            ),
            TransactConditionCheck("P", "2", "attribute_not_exists(pk)"),
        ]
    )
    assert table.get("P", "1").value == 2
    built = table.update_builder("P", "1").set("name", "built").condition("name", "=", "after").execute()
    assert built is None and table.get("P", "1").name == "built"
