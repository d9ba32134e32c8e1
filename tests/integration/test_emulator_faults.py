"""Retry paths DynamoDB Local never takes, driven by the emulator's deterministic faults (emu.faults)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from theorydb_py import (
    BatchUnprocessedError,
    ModelDefinition,
    RetryPolicy,
    Table,
    TransactionCanceledError,
    TransactPut,
    create_table,
    theorydb_field,
)


@dataclass
class Item:
    id: str = theorydb_field(roles="pk")
    n: int = 0


ITEMS = ModelDefinition.from_dataclass(Item, table_name="items")


@pytest.fixture
def table(emulator: Any, emulator_client: Any) -> Table[Item]:
    if not hasattr(emulator, "faults"):
        pytest.skip("this emulator has no faults")
    create_table(ITEMS, client=emulator_client)
    return Table(ITEMS, client=emulator_client)


def policy(delays: list[float], attempts: int = 4) -> RetryPolicy:
    return RetryPolicy(max_attempts=attempts, sleep=delays.append, random=lambda: 1.0)


def test_unprocessed_writes_and_reads_are_retried_until_done(emulator: Any, table: Table[Item]) -> None:
    delays: list[float] = []
    emulator.faults.unprocessed("BatchWriteItem", keys=[{"id": {"S": "b"}}], times=2)
    table.batch_write(puts=[Item("a", 1), Item("b", 2), Item("c", 3)], retry=policy(delays))
    assert delays == [0.05, 0.1]
    emulator.faults.unprocessed("BatchGetItem", keys=[{"id": {"S": "c"}}], times=1)
    found = table.batch_get(["c", "b", "a", "z"], retry=policy(delays))
    assert [i.n for i in found] == [3, 2, 1] and found.missing == ["z"]
    assert delays == [0.05, 0.1, 0.05]


def test_when_retries_run_out_the_error_names_what_was_left(emulator: Any, table: Table[Item]) -> None:
    emulator.faults.unprocessed("BatchWriteItem", keys=[{"id": {"S": "b"}}], times=5)
    left = Item("b", 2)
    with pytest.raises(BatchUnprocessedError) as info:
        table.batch_write(puts=[Item("a", 1), left], deletes=["c"], retry=policy([], attempts=3))
    assert info.value.unprocessed_puts == (left,) and info.value.unprocessed_deletes == ()
    assert table.find("a") == Item("a", 1) and table.find("b") is None


def test_a_transaction_conflict_is_a_cancellation_reason(emulator: Any, table: Table[Item]) -> None:
    from theorydb_mocks.emulator.operations._registry import OPERATIONS

    if "TransactWriteItems" not in OPERATIONS:
        pytest.skip("the emulator does not implement TransactWriteItems yet")
    emulator.faults.transaction_conflict(key={"id": {"S": "b"}})
    with pytest.raises(TransactionCanceledError) as info:
        table.transact_write([TransactPut(Item("a")), TransactPut(Item("b"))])
    assert [r.code for r in info.value.reasons] == ["None", "TransactionConflict"]
    assert not info.value.condition_failed
