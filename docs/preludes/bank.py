"""Prelude of docs/transactions.md's transfer: four tables on one emulator, as a bank would have them.

``accounts`` (ann holds 100, bob 0), ``entries`` (a ledger), ``limits`` (one open slot) and ``carts``
(ann's cart, at version 4); ``Entry`` is the ledger's model.
"""

from dataclasses import dataclass
from decimal import Decimal

from theorydb_mocks import DynamoDBEmulator
from theorydb_py import ModelDefinition, Table, create_table, theorydb_field


@dataclass
class Account:
    pk: str = theorydb_field(roles="pk")
    sk: str = theorydb_field(roles="sk")
    balance: Decimal = Decimal(0)


@dataclass
class Entry:
    pk: str = theorydb_field(roles="pk")
    sk: str = theorydb_field(roles="sk")
    amount: Decimal = Decimal(0)


@dataclass
class Limit:
    pk: str = theorydb_field(roles="pk")
    open: int = 0


@dataclass
class Cart:
    pk: str = theorydb_field(roles="pk")
    version: int = theorydb_field(roles="version", default=0)


client = DynamoDBEmulator().client()
accounts, entries, limits, carts = (
    Table(model, client=client)
    for model in (
        ModelDefinition.from_dataclass(Account, table_name="accounts"),
        ModelDefinition.from_dataclass(Entry, table_name="entries"),
        ModelDefinition.from_dataclass(Limit, table_name="limits"),
        ModelDefinition.from_dataclass(Cart, table_name="carts"),
    )
)
for _table in (accounts, entries, limits, carts):
    create_table(_table.model, client=client)
accounts.put(Account("ACCOUNT#ann", "PROFILE", Decimal(100)))
accounts.put(Account("ACCOUNT#bob", "PROFILE", Decimal(0)))
limits.put(Limit("LIMITS", 1))
carts.put(Cart("CART#ann", version=4))
