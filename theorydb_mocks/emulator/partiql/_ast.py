"""The PartiQL statement AST: frozen, slotted dataclasses, printed back as PartiQL.

Conditions, paths and operands are the expression AST's own nodes (``Compare``, ``Path``, ``Literal``...),
so the one evaluator and the one set of static checks serve PartiQL too. A ``?`` parameter is a
``Value(":p<n>")`` (numbered from 0 in the order written), resolved from the request's ``Parameters``.

>>> from theorydb_mocks.emulator.expressions._ast import Compare, Path, Value
>>> Select(Source("orders", None), None, Compare("=", Path(("pk",)), Value(":p0")), None)
SELECT * FROM "orders" WHERE pk = :p0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from theorydb_mocks.emulator.expressions._ast import Action, Condition, Operand, Path

__all__ = [
    "Delete",
    "Exists",
    "Insert",
    "Returning",
    "Select",
    "Source",
    "Statement",
    "Update",
]


@dataclass(frozen=True, slots=True)
class Source:
    """``"table"`` or ``"table"."index"``."""

    table: str
    index: str | None

    def __repr__(self) -> str:
        return f'"{self.table}"' + ("" if self.index is None else f'."{self.index}"')


@dataclass(frozen=True, slots=True)
class Returning:
    """``RETURNING ALL OLD *`` and its three siblings: ``which`` is ALL or MODIFIED, ``when`` OLD or NEW."""

    which: str
    when: str

    @property
    def return_values(self) -> str:
        """The ``ReturnValues`` of the equivalent item write."""
        return f"{self.which}_{self.when}".replace("MODIFIED", "UPDATED")

    def __repr__(self) -> str:
        return f"RETURNING {self.which} {self.when} *"


@dataclass(frozen=True, slots=True)
class Select:
    """``SELECT projection FROM source [WHERE where] [ORDER BY order]``; ``projection`` None means ``*``;
    ``order`` is the ORDER BY paths and whether the order is descending."""

    source: Source
    projection: tuple[Path, ...] | None
    where: Condition | None
    order: tuple[tuple[Path, ...], bool] | None

    def __repr__(self) -> str:
        shown = "*" if self.projection is None else ", ".join(map(repr, self.projection))
        text = f"SELECT {shown} FROM {self.source!r}"
        if self.where is not None:
            text += f" WHERE {self.where!r}"
        if self.order is not None:
            text += " ORDER BY " + ", ".join(map(repr, self.order[0])) + (" DESC" if self.order[1] else "")
        return text


@dataclass(frozen=True, slots=True)
class Insert:
    """``INSERT INTO source VALUE {...}``: ``item`` maps attribute names to operands (literals or ``?``)."""

    source: Source
    item: tuple[tuple[str, Operand], ...]

    def __repr__(self) -> str:
        members = ", ".join(f"'{name}': {value!r}" for name, value in self.item)
        return f"INSERT INTO {self.source!r} VALUE {{{members}}}"


@dataclass(frozen=True, slots=True)
class Update:
    """``UPDATE source SET ... REMOVE ... WHERE where [RETURNING ...]``."""

    source: Source
    actions: tuple[Action, ...]
    where: Condition
    returning: Returning | None

    def __repr__(self) -> str:
        text = f"UPDATE {self.source!r} " + " ".join(map(repr, self.actions)) + f" WHERE {self.where!r}"
        return text + ("" if self.returning is None else f" {self.returning!r}")


@dataclass(frozen=True, slots=True)
class Delete:
    """``DELETE FROM source WHERE where [RETURNING ALL OLD *]``."""

    source: Source
    where: Condition
    returning: Returning | None

    def __repr__(self) -> str:
        text = f"DELETE FROM {self.source!r} WHERE {self.where!r}"
        return text + ("" if self.returning is None else f" {self.returning!r}")


@dataclass(frozen=True, slots=True)
class Exists:
    """``EXISTS(SELECT ...)``: a condition check, only inside ExecuteTransaction."""

    select: Select

    def __repr__(self) -> str:
        return f"EXISTS({self.select!r})"


Statement: TypeAlias = Select | Insert | Update | Delete | Exists
