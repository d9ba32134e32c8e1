"""PartiQL conditions, projections and updates printed as DynamoDB expressions with placeholders.

The service runs a PartiQL statement as the equivalent item request; so does the emulator: a WHERE clause
becomes a ``FilterExpression`` or ``ConditionExpression``, a SET/REMOVE list an ``UpdateExpression``, each
with ``#n<k>`` names and ``:v<k>`` values (``?`` parameters stay ``:p<k>``). The expression engine then runs
its usual static checks (overlapping paths, operand types, BETWEEN bounds...) and its evaluator.

>>> from theorydb_mocks.emulator.expressions._ast import Compare, Literal, Path
>>> printer = Printer()
>>> printer.condition(Compare("<", Path(("a", 0, "b")), Literal({"N": "5"})))
'#n0[0].#n1 < :v0'
>>> printer.names, printer.values
({'#n0': 'a', '#n1': 'b'}, {':v0': {'N': '5'}})
"""

from __future__ import annotations

from theorydb_mocks.emulator._types import AttributeValue
from theorydb_mocks.emulator.expressions._ast import (
    Action,
    AddAction,
    And,
    Arith,
    Between,
    Call,
    Compare,
    Condition,
    DeleteAction,
    In,
    Literal,
    Not,
    Operand,
    Or,
    Path,
    RemoveAction,
    SetAction,
    Value,
)

__all__ = ["Printer"]


class Printer:
    """Prints AST nodes as expression text, collecting the placeholder maps as it goes."""

    __slots__ = ("_name_of", "names", "values")

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, AttributeValue] = {}
        self._name_of: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"<Printer names={len(self.names)} values={len(self.values)}>"

    def path(self, path: Path) -> str:
        text = ""
        for part in path.parts:
            if isinstance(part, int):
                text += f"[{part}]"
                continue
            ref = self._name_of.get(part)
            if ref is None:
                ref = self._name_of[part] = f"#n{len(self._name_of)}"
                self.names[ref] = part
            text += f".{ref}" if text else ref
        return text

    def operand(self, node: Operand) -> str:
        match node:
            case Path():
                return self.path(node)
            case Value(ref):
                return ref
            case Literal(value):
                ref = f":v{len(self.values)}"
                self.values[ref] = value
                return ref
            case Call(name, args):
                return f"{name}({', '.join(self.operand(arg) for arg in args)})"
            case Arith(op, left, right):
                return f"{self.operand(left)} {op} {self.operand(right)}"
        raise TypeError(f"not an operand: {node!r}")

    def condition(self, node: Condition) -> str:
        match node:
            case And(left, right):
                return f"({self.condition(left)}) AND ({self.condition(right)})"
            case Or(left, right):
                return f"({self.condition(left)}) OR ({self.condition(right)})"
            case Not(operand):
                return f"NOT ({self.condition(operand)})"
            case Compare(op, left, right):
                return f"{self.operand(left)} {op} {self.operand(right)}"
            case Between(operand, low, high):
                return f"{self.operand(operand)} BETWEEN {self.operand(low)} AND {self.operand(high)}"
            case In(operand, options):
                return f"{self.operand(operand)} IN ({', '.join(self.operand(o) for o in options)})"
            case Call():
                return self.operand(node)
        raise TypeError(f"not a condition: {node!r}")

    def projection(self, paths: tuple[Path, ...]) -> str:
        return ", ".join(self.path(path) for path in paths)

    def update(self, actions: tuple[Action, ...]) -> str:
        """An UpdateExpression: the actions grouped into SET, REMOVE, ADD and DELETE clauses, in order."""
        clauses: dict[str, list[str]] = {}
        for action in actions:
            match action:
                case SetAction(path, value):
                    clauses.setdefault("SET", []).append(f"{self.path(path)} = {self.operand(value)}")
                case RemoveAction(path):
                    clauses.setdefault("REMOVE", []).append(self.path(path))
                case AddAction(path, value):
                    clauses.setdefault("ADD", []).append(f"{self.path(path)} {self.operand(value)}")
                case DeleteAction(path, value):
                    clauses.setdefault("DELETE", []).append(f"{self.path(path)} {self.operand(value)}")
        return " ".join(f"{clause} {', '.join(parts)}" for clause, parts in clauses.items())
