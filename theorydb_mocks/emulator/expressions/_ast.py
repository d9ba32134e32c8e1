"""The expression AST: frozen, slotted dataclasses with named fields, printed back as expressions.

The parser builds nodes whose paths may hold ``#name`` placeholders and whose values are ``Value(":v")``
references; resolution (``_check``) returns the same node types with real attribute names in paths and
``Literal`` attribute values, which is what evaluation reads.

>>> Compare("<", Path(("a", 1, "#b")), Value(":v"))
a[1].#b < :v
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from theorydb_mocks.emulator._types import AttributeValue

__all__ = [
    "Action",
    "AddAction",
    "And",
    "Arith",
    "Between",
    "Call",
    "Compare",
    "Condition",
    "DeleteAction",
    "In",
    "Literal",
    "Not",
    "Operand",
    "Or",
    "Path",
    "Projection",
    "RemoveAction",
    "SetAction",
    "Update",
    "Value",
    "format_path",
]


def format_path(parts: tuple[str | int, ...]) -> str:
    """A path as DynamoDB prints it in messages: ``[a, b, [0]]``."""
    return "[" + ", ".join(f"[{p}]" if isinstance(p, int) else p for p in parts) + "]"


@dataclass(frozen=True, slots=True)
class Path:
    """A document path: attribute names (or ``#name`` placeholders before resolution) and list indexes."""

    parts: tuple[str | int, ...]

    def __repr__(self) -> str:
        text = ""
        for part in self.parts:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text


@dataclass(frozen=True, slots=True)
class Value:
    """An ``ExpressionAttributeValues`` reference, before resolution."""

    ref: str

    def __repr__(self) -> str:
        return self.ref


@dataclass(frozen=True, slots=True, eq=False)
class Literal:
    """A resolved attribute value."""

    value: AttributeValue

    def __repr__(self) -> str:
        return repr(self.value)


@dataclass(frozen=True, slots=True)
class Call:
    """A function call, in operand or condition position."""

    name: str
    args: tuple[Operand, ...]

    def __repr__(self) -> str:
        return f"{self.name}({', '.join(map(repr, self.args))})"


@dataclass(frozen=True, slots=True)
class Arith:
    """``left + right`` or ``left - right`` in a SET action."""

    op: str
    left: Operand
    right: Operand

    def __repr__(self) -> str:
        return f"{self.left!r} {self.op} {self.right!r}"


Operand: TypeAlias = Path | Value | Literal | Call | Arith


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Operand
    right: Operand

    def __repr__(self) -> str:
        return f"{self.left!r} {self.op} {self.right!r}"


@dataclass(frozen=True, slots=True)
class Between:
    operand: Operand
    low: Operand
    high: Operand

    def __repr__(self) -> str:
        return f"{self.operand!r} BETWEEN {self.low!r} AND {self.high!r}"


@dataclass(frozen=True, slots=True)
class In:
    operand: Operand
    options: tuple[Operand, ...]

    def __repr__(self) -> str:
        return f"{self.operand!r} IN ({', '.join(map(repr, self.options))})"


@dataclass(frozen=True, slots=True)
class And:
    left: Condition
    right: Condition

    def __repr__(self) -> str:
        return f"({self.left!r} AND {self.right!r})"


@dataclass(frozen=True, slots=True)
class Or:
    left: Condition
    right: Condition

    def __repr__(self) -> str:
        return f"({self.left!r} OR {self.right!r})"


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition

    def __repr__(self) -> str:
        return f"(NOT {self.operand!r})"


Condition: TypeAlias = Compare | Between | In | And | Or | Not | Call


@dataclass(frozen=True, slots=True)
class SetAction:
    path: Path
    value: Operand

    def __repr__(self) -> str:
        return f"SET {self.path!r} = {self.value!r}"


@dataclass(frozen=True, slots=True)
class RemoveAction:
    path: Path

    def __repr__(self) -> str:
        return f"REMOVE {self.path!r}"


@dataclass(frozen=True, slots=True)
class AddAction:
    path: Path
    value: Operand

    def __repr__(self) -> str:
        return f"ADD {self.path!r} {self.value!r}"


@dataclass(frozen=True, slots=True)
class DeleteAction:
    path: Path
    value: Operand

    def __repr__(self) -> str:
        return f"DELETE {self.path!r} {self.value!r}"


Action: TypeAlias = SetAction | RemoveAction | AddAction | DeleteAction


@dataclass(frozen=True, slots=True)
class Update:
    """An UpdateExpression: its actions in the order written."""

    actions: tuple[Action, ...]

    def __repr__(self) -> str:
        return " ".join(map(repr, self.actions))


@dataclass(frozen=True, slots=True)
class Projection:
    """A ProjectionExpression: its paths in the order written."""

    paths: tuple[Path, ...]

    def __repr__(self) -> str:
        return ", ".join(map(repr, self.paths))
