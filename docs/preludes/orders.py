"""Prelude of docs/queries.md and docs/transactions.md: the Order model, and an emulator with its table.

The model is docs/models.md's ``Order`` plus the fields the query and update examples touch (``note``,
``placed``, ``coupon``, ``lines``); the table holds three of alice's orders.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from theorydb_mocks import DynamoDBEmulator
from theorydb_py import ModelDefinition, Table, create_table, gsi, lsi, theorydb_field


@dataclass
class Order:
    customer: str = theorydb_field(name="PK", roles="pk")
    order_id: str = theorydb_field(name="SK", roles="sk")
    email: str = ""
    status: str = "open"
    total: Decimal = Decimal("0")
    qty: int = 0
    tags: set[str] = field(default_factory=set)
    note: str | None = None
    placed: str | None = None
    coupon: str | None = None
    lines: list[str] = field(default_factory=list)


ORDERS = ModelDefinition.from_dataclass(
    Order,
    table_name="orders",
    indexes=[
        gsi("by-email", "email", "total"),
        gsi("by-status", "status", projection="KEYS_ONLY"),
        lsi("by-qty", "qty", include=["status"]),
    ],
)

emu = DynamoDBEmulator()
client = emu.client()
create_table(ORDERS, client=client)
_seed = Table(ORDERS, client=client)
for _n in (1, 2, 3):
    _seed.put(
        Order(
            "alice",
            f"ORDER#{_n}",
            email="alice@example.com",
            total=Decimal(10 * _n),
            qty=_n,
            tags={"rush"},
            note="leave at the door",
            lines=["1 x tea", "2 x cake", "1 x jam", "3 x scones"],
        )
    )
