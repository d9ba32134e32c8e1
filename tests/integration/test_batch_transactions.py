"""Batches, transactions and the update builder on every backend (DynamoDB Local and the emulator)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.integration.conftest import MakeTable
from theorydb_py import (
    BatchGetResult,
    ModelDefinition,
    Table,
    TransactConditionCheck,
    TransactDelete,
    TransactGet,
    TransactionCanceledError,
    TransactPut,
    TransactUpdate,
    UpdateAdd,
    VersionConflictError,
    theorydb_field,
    transact_get,
    transact_write,
)
from theorydb_py.expressions import exists, gte, not_exists
from theorydb_py.mocks import FakeKmsClient

NOW = dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC)


@dataclass
class Account:
    pk: str = theorydb_field(name="PK", roles="pk")
    sk: str = theorydb_field(name="SK", roles="sk", default="ACCOUNT")
    owner: str = ""
    balance: int = 0
    history: list[str] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)
    version: int = theorydb_field(roles="version", default=0)
    updated: dt.datetime | None = theorydb_field(name="updatedAt", roles="updated_at", default=None)


@dataclass
class Entry:
    """A second model in the same table: a single-table design."""

    pk: str = theorydb_field(name="PK", roles="pk")
    sk: str = theorydb_field(name="SK", roles="sk")
    amount: int = 0


@dataclass
class Vault:
    id: str = theorydb_field(roles="pk")
    secret: str = theorydb_field(encrypted=True, default="")
    note: str = ""


ACCOUNTS = ModelDefinition.from_dataclass(Account, table_name="bank")
ENTRIES = ModelDefinition.from_dataclass(Entry, table_name="bank")
VAULTS = ModelDefinition.from_dataclass(Vault, table_name="vaults")
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/integration"


def bank(make_table: MakeTable) -> tuple[Table[Account], Table[Entry]]:
    accounts = make_table(ACCOUNTS, clock=lambda: NOW)
    return accounts, Table(ENTRIES, client=accounts.client, table_name=accounts.table_name)


# --- batches -----------------------------------------------------------------------------------------


def test_batch_write_then_batch_get_across_chunks(make_table: MakeTable) -> None:
    accounts, _ = bank(make_table)
    accounts.batch_write(puts=[Account(f"A#{i:03d}", owner=f"o{i}", balance=i) for i in range(60)])
    keys = [(f"A#{i:03d}", "ACCOUNT") for i in range(129, -1, -1)]  # 130 keys, newest first, 70 missing
    result = accounts.batch_get(keys, consistent_read=True)
    assert isinstance(result, BatchGetResult)
    assert [a.pk for a in result] == [f"A#{i:03d}" for i in range(59, -1, -1)]
    assert result.missing == keys[:70]
    assert result.items[0].updated == NOW and result.items[0].version == 0
    projected = accounts.batch_get([("A#005", "ACCOUNT")], projection=["balance"]).items[0]
    assert (projected.pk, projected.balance, projected.owner) == ("A#005", 5, "")
    accounts.batch_write(deletes=[(f"A#{i:03d}", "ACCOUNT") for i in range(0, 60, 2)])
    assert accounts.count() == 30


def test_batch_write_and_get_of_encrypted_items(make_table: MakeTable) -> None:
    kms = FakeKmsClient(fresh_keys=True)
    vaults = make_table(VAULTS, kms_key_arn=KEY_ARN, kms_client=kms)
    vaults.batch_write(puts=[Vault(f"v{i}", secret=f"s{i}", note="n") for i in range(3)])
    assert len(kms.issued) == 3  # one data key per item
    found = vaults.batch_get(["v2", "v0", "v9"])
    assert found.items == [Vault("v2", "s2", "n"), Vault("v0", "s0", "n")] and found.missing == ["v9"]
    raw = vaults.client.get_item(TableName=vaults.table_name, Key={"id": {"S": "v1"}})["Item"]
    assert set(raw["secret"]["M"]) == {"v", "edk", "nonce", "ct"}


# --- the update builder and versions ------------------------------------------------------------------


def test_update_builder_list_set_and_number_operations(make_table: MakeTable) -> None:
    accounts, _ = bank(make_table)
    accounts.create(Account("A#1", owner="ann", balance=10, history=["b", "c"], labels={"x", "y"}))
    after = (
        accounts.update_builder("A#1", "ACCOUNT")
        .append_to_list("history", ["d"])
        .delete("labels", {"x"})
        .increment("balance", 5)
        .condition_exists()
        .condition(gte("balance", 10))
        .return_values("ALL_NEW")
        .execute()
    )
    assert after is not None and (after.history, after.labels, after.balance, after.version) == (
        ["b", "c", "d"],
        {"y"},
        15,
        1,
    )
    after = (
        accounts.update_builder("A#1", "ACCOUNT")
        .prepend_to_list("history", ["a"])
        .decrement("balance", 20)
        .condition_version(1)
        .return_values("ALL_NEW")
        .execute()
    )
    assert after is not None and (after.history, after.balance, after.version) == (
        ["a", "b", "c", "d"],
        -5,
        2,
    )
    after = (
        accounts.update_builder("A#1", "ACCOUNT")
        .remove_from_list_at("history", 0)
        .set_list_element("history", 1, "B")  # indexes of the list as it was: SET, then REMOVE
        .remove("owner")
        .return_values("UPDATED_NEW")
        .execute()
    )
    assert after is not None and after.history == ["B", "c", "d"]
    assert accounts.get("A#1", "ACCOUNT").owner == ""
    with pytest.raises(VersionConflictError, match="expected version 1, but the stored version is 3"):
        accounts.update_builder("A#1", "ACCOUNT").set("owner", "x").condition_version(1).execute()
    with pytest.raises(VersionConflictError, match="the item is gone"):
        accounts.update_builder("A#2", "ACCOUNT").set("owner", "x").condition_version(0).execute()


# --- transactions --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("needs_transactions")
def test_a_transfer_across_models_and_tables(make_table: MakeTable) -> None:
    accounts, entries = bank(make_table)
    audit = make_table(VAULTS, kms_key_arn=KEY_ARN, kms_client=FakeKmsClient())
    accounts.create(Account("A#1", owner="ann", balance=100))
    accounts.create(Account("A#2", owner="bob", balance=0))
    entries.put(Entry("A#1", "ENTRY#old", 1))
    transact_write(
        [
            TransactUpdate(
                "A#1", "ACCOUNT", {"balance": UpdateAdd(-30)}, condition=gte("balance", 30), table=accounts
            ),
            TransactUpdate("A#2", "ACCOUNT", {"balance": UpdateAdd(30)}, expected_version=0, table=accounts),
            TransactPut(Entry("A#1", "ENTRY#1", -30), condition=not_exists("pk"), table=entries),
            TransactDelete("A#1", "ENTRY#old", condition=exists("pk"), table=entries),
            TransactPut(Vault("transfer-1", secret="ann->bob 30"), table=audit),
        ],
        client_request_token=uuid.uuid4().hex,
    )
    a1, a2, entry, gone, vault = transact_get(
        [
            TransactGet("A#1", "ACCOUNT", table=accounts),
            TransactGet("A#2", "ACCOUNT", table=accounts),
            TransactGet("A#1", "ENTRY#1", table=entries),
            TransactGet("A#1", "ENTRY#old", table=entries),
            TransactGet("transfer-1", table=audit),
        ]
    )
    assert (a1.balance, a1.version, a2.balance, a2.version) == (70, 1, 30, 1)
    assert entry == Entry("A#1", "ENTRY#1", -30) and gone is None
    assert vault == Vault("transfer-1", "ann->bob 30")


@pytest.mark.usefixtures("needs_transactions")
def test_a_cancelled_transaction_reports_every_reason_and_the_failed_item(make_table: MakeTable) -> None:
    accounts, entries = bank(make_table)
    accounts.create(Account("A#1", owner="ann", balance=10))
    with pytest.raises(TransactionCanceledError) as info:
        accounts.transact_write(
            [
                TransactPut(Entry("A#1", "ENTRY#1", -30), table=entries),
                TransactConditionCheck("A#1", "ACCOUNT", gte("balance", 30), return_item_on_failure=True),
                TransactUpdate("A#1", "ACCOUNT#2", {"balance": 1}),
            ]
        )
    err = info.value
    assert [r.code for r in err.reasons] == ["None", "ConditionalCheckFailed", "None"]
    assert err.condition_failed and [r.index for r in err.failed] == [1]
    failed = err.reasons[1].item
    assert isinstance(failed, Account) and (failed.owner, failed.balance) == ("ann", 10)
    assert entries.find("A#1", "ENTRY#1") is None  # nothing was written
    assert accounts.find("A#1", "ACCOUNT#2") is None


@pytest.mark.usefixtures("needs_transactions")
def test_a_version_conflict_cancels_the_transaction(make_table: MakeTable) -> None:
    accounts, _ = bank(make_table)
    accounts.create(Account("A#1"))
    accounts.update("A#1", "ACCOUNT", {"owner": "ann"})
    with pytest.raises(TransactionCanceledError) as info:
        accounts.transact_write([TransactDelete("A#1", "ACCOUNT", expected_version=0)])
    assert info.value.reasons[0].code == "ConditionalCheckFailed"
    assert info.value.reasons[0].raw_item is not None  # expected_version asks for the item as it was
    accounts.transact_write([TransactDelete("A#1", "ACCOUNT", expected_version=1)])
    assert accounts.find("A#1", "ACCOUNT") is None


@pytest.mark.usefixtures("needs_transactions")
def test_a_client_request_token_makes_a_retry_idempotent(make_table: MakeTable) -> None:
    accounts, _ = bank(make_table)
    accounts.create(Account("A#1"))
    token = uuid.uuid4().hex
    actions: list[Any] = [TransactUpdate("A#1", "ACCOUNT", {"balance": UpdateAdd(5)})]
    accounts.transact_write(actions, client_request_token=token)
    accounts.transact_write(actions, client_request_token=token)  # the same call again: applied once
    assert accounts.get("A#1", "ACCOUNT").balance == 5
    assert accounts.transact_get([("A#1", "ACCOUNT"), ("A#9", "ACCOUNT")])[1] is None
