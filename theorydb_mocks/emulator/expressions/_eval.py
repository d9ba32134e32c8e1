"""Evaluation: conditions and filters against an item, document paths, and projections. Pure functions;
the resolved AST is never changed or copied.

Rules (DynamoDB's): a comparison with a missing attribute is false (so ``NOT`` makes it true), except
``<>``, which is true when the two sides are not equal, a missing side included; comparisons of different
types are false (``<>`` true); ordered comparisons apply to S, N and B only; ``size`` of a string counts
its UTF-16 code units (as Java does), of a binary its bytes, of a set, list or map its members.

>>> from theorydb_mocks.emulator.expressions._ast import Compare, Literal, Path
>>> evaluate(Compare("<", Path(("a", 0)), Literal({"N": "5"})), {"a": {"L": [{"N": "4.5"}]}})
True
"""

from __future__ import annotations

from decimal import Decimal

from theorydb_mocks.emulator._types import AttributeValue, Item
from theorydb_mocks.emulator.expressions._ast import (
    And,
    Arith,
    Between,
    Call,
    Compare,
    Condition,
    In,
    Literal,
    Not,
    Operand,
    Or,
    Path,
)
from theorydb_mocks.emulator.values import compare_values, type_of, values_equal

__all__ = ["evaluate", "get_path", "operand_value", "project"]


def get_path(item: Item, parts: tuple[str | int, ...]) -> AttributeValue | None:
    """The value at a document path, or None where any step is missing or of the wrong type."""
    first = parts[0]
    assert isinstance(first, str)
    value = item.get(first)
    for part in parts[1:]:
        if value is None:
            return None
        if isinstance(part, int):
            members = value.get("L")
            value = members[part] if members is not None and part < len(members) else None
        else:
            fields = value.get("M")
            value = fields.get(part) if fields is not None else None
    return value


def _size(av: AttributeValue | None) -> AttributeValue | None:
    if av is None:
        return None
    kind = type_of(av)
    if kind in ("N", "BOOL", "NULL"):
        return None
    if kind == "S":  # Java's String.length(): UTF-16 code units, so "😀" counts 2
        return {"N": str(len(av["S"].encode("utf-16-le", "surrogatepass")) // 2)}
    return {"N": str(len(av[kind]))}


def operand_value(node: Operand, item: Item) -> AttributeValue | None:
    """An operand's value in ``item`` (None when it does not exist)."""
    match node:
        case Path(parts):
            return get_path(item, parts)
        case Literal(value):
            return value
        case Call("size", args):
            return _size(operand_value(args[0], item))
    raise TypeError(f"not an operand of a condition: {node!r}")  # the checks make this unreachable


def _contains(container: AttributeValue, member: AttributeValue) -> bool:
    kind = type_of(container)
    member_kind = type_of(member)
    match kind:
        case "S":
            return member_kind == "S" and bool(member["S"] in container["S"])
        case "B":  # a subsequence (the API reference, Condition: CONTAINS on a Binary target)
            return member_kind == "B" and bytes(member["B"]) in bytes(container["B"])
        case "SS":
            return member_kind == "S" and member["S"] in container["SS"]
        case "BS":
            return member_kind == "B" and member["B"] in container["BS"]
        case "NS":
            return member_kind == "N" and Decimal(member["N"]) in {Decimal(m) for m in container["NS"]}
        case "L":
            return any(values_equal(element, member) for element in container["L"])
    return False


def _function(name: str, args: tuple[Operand, ...], item: Item) -> bool:
    first = operand_value(args[0], item)
    if name == "attribute_exists":
        return first is not None
    if name == "attribute_not_exists":
        return first is None
    second = operand_value(args[1], item)
    if first is None or second is None:
        return False
    if name == "attribute_type":
        return bool(type_of(first) == second["S"])
    if name == "begins_with":
        kind = type_of(first)
        return kind in ("S", "B") and kind in second and bool(first[kind].startswith(second[kind]))
    return _contains(first, second)  # contains


def evaluate(node: Condition, item: Item) -> bool:
    """Whether ``item`` satisfies a resolved condition."""
    match node:
        case And(left, right):
            return evaluate(left, item) and evaluate(right, item)
        case Or(left, right):
            return evaluate(left, item) or evaluate(right, item)
        case Not(operand):
            return not evaluate(operand, item)
        case Compare(op, left, right):
            a = operand_value(left, item)
            b = operand_value(right, item)
            if op == "=":
                return a is not None and b is not None and values_equal(a, b)
            if op == "<>":
                return a is None or b is None or not values_equal(a, b)
            if a is None or b is None:
                return False
            order = compare_values(a, b)
            if order is None:
                return False
            return (
                order < 0
                if op == "<"
                else order <= 0
                if op == "<="
                else order > 0
                if op == ">"
                else order >= 0
            )
        case Between(operand, low, high):
            value = operand_value(operand, item)
            low_value = operand_value(low, item)
            high_value = operand_value(high, item)
            if value is None or low_value is None or high_value is None:
                return False
            above = compare_values(value, low_value)
            below = compare_values(value, high_value)
            return above is not None and below is not None and above >= 0 and below <= 0
        case In(operand, options):
            value = operand_value(operand, item)
            if value is None:
                return False
            for option in options:
                candidate = operand_value(option, item)
                if candidate is not None and values_equal(value, candidate):
                    return True
            return False
        case Call(name, args):
            return _function(name, args, item)
        case Arith():
            raise TypeError("arithmetic is not a condition")
    raise TypeError(f"not a condition: {node!r}")


# ------------------------------------------------------------------------------------------ projection


class _Branch:
    """A node of the projected document under construction: a map (str keys) or a list (int keys)."""

    __slots__ = ("children", "is_list")

    def __init__(self, is_list: bool) -> None:
        self.is_list = is_list
        self.children: dict[str | int, _Branch | AttributeValue] = {}

    def build(self) -> AttributeValue:
        if self.is_list:
            return {"L": [_built(self.children[k]) for k in sorted(self.children, key=int)]}
        return {"M": {str(k): _built(v) for k, v in self.children.items()}}


def _built(node: _Branch | AttributeValue) -> AttributeValue:
    return node.build() if isinstance(node, _Branch) else node


def project(item: Item, paths: tuple[Path, ...]) -> Item:
    """The parts of ``item`` named by ``paths`` (which do not overlap), nested as in the item; list
    elements keep their order and close up, as DynamoDB returns them."""
    root: dict[str, _Branch | AttributeValue] = {}
    for path in paths:
        parts = path.parts
        value = get_path(item, parts)
        if value is None:
            continue
        first = parts[0]
        assert isinstance(first, str)
        if len(parts) == 1:
            root[first] = value
            continue
        container = root.get(first)
        if not isinstance(container, _Branch):
            container = root[first] = _Branch(isinstance(parts[1], int))
        for index, part in enumerate(parts[1:-1], start=1):
            child = container.children.get(part)
            if not isinstance(child, _Branch):
                child = container.children[part] = _Branch(isinstance(parts[index + 1], int))
            container = child
        container.children[parts[-1]] = value
    return {name: _built(node) for name, node in root.items()}
