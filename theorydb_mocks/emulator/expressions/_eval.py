"""Evaluation: conditions and filters against an item, document paths, and projections. Pure functions;
the resolved AST is never changed or copied.

Rules (DynamoDB's): a comparison with a missing attribute is false (so ``NOT`` makes it true), except
``<>``, which is true when the two sides are not equal, a missing side included; comparisons of different
types are false (``<>`` true); ordered comparisons apply to S, N and B only; ``size`` of a string counts
its UTF-16 code units (as Java does), of a binary its bytes, of a set, list or map its members.

>>> from theorydb_mocks.emulator.expressions._ast import Compare, Literal, Path
>>> condition_test(Compare("<", Path(("a", 0)), Literal({"N": "5"})))({"a": {"L": [{"N": "4.5"}]}})
True
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from theorydb_mocks.emulator._types import AttributeValue, Item
from theorydb_mocks.emulator.expressions._ast import (
    And,
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

__all__ = [
    "Reader",
    "Test",
    "condition_test",
    "get_path",
    "operand_reader",
    "path_reader",
    "project",
]


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


Reader = Callable[[Item], AttributeValue | None]
Test = Callable[[Item], bool]


def path_reader(parts: tuple[str | int, ...]) -> Reader:
    """The value at a document path as a function of the item (a top-level name: one ``dict.get``)."""
    if len(parts) == 1:
        name = str(parts[0])
        return lambda item: item.get(name)
    return lambda item: get_path(item, parts)


def _constant(value: AttributeValue) -> Reader:
    return lambda item: value


def operand_reader(node: Operand) -> Reader:
    """A condition operand's value in an item (None when it does not exist)."""
    if isinstance(node, Path):
        return path_reader(node.parts)
    if isinstance(node, Literal):
        return _constant(node.value)
    if isinstance(node, Call) and node.name == "size":
        inner = operand_reader(node.args[0])
        return lambda item: _size(inner(item))
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


_ORDERS: dict[str, Callable[[int], bool]] = {
    "<": lambda order: order < 0,
    "<=": lambda order: order <= 0,
    ">": lambda order: order > 0,
    ">=": lambda order: order >= 0,
}


def _compare(node: Compare) -> Test:
    left, right = operand_reader(node.left), operand_reader(node.right)
    if node.op == "=":

        def equal(item: Item) -> bool:
            a, b = left(item), right(item)
            return a is not None and b is not None and values_equal(a, b)

        return equal
    if node.op == "<>":

        def unequal(item: Item) -> bool:
            a, b = left(item), right(item)
            return a is None or b is None or not values_equal(a, b)

        return unequal
    holds = _ORDERS[node.op]

    def ordered(item: Item) -> bool:
        a, b = left(item), right(item)
        if a is None or b is None:
            return False
        order = compare_values(a, b)
        return order is not None and holds(order)

    return ordered


def _between(node: Between) -> Test:
    operand, low, high = operand_reader(node.operand), operand_reader(node.low), operand_reader(node.high)

    def between(item: Item) -> bool:
        value, low_value, high_value = operand(item), low(item), high(item)
        if value is None or low_value is None or high_value is None:
            return False
        above = compare_values(value, low_value)
        below = compare_values(value, high_value)
        return above is not None and below is not None and above >= 0 and below <= 0

    return between


def _in(node: In) -> Test:
    operand = operand_reader(node.operand)
    options = tuple(operand_reader(option) for option in node.options)

    def within(item: Item) -> bool:
        value = operand(item)
        if value is None:
            return False
        for option in options:
            candidate = option(item)
            if candidate is not None and values_equal(value, candidate):
                return True
        return False

    return within


def _function(node: Call) -> Test:
    first = operand_reader(node.args[0])
    if node.name == "attribute_exists":
        return lambda item: first(item) is not None
    if node.name == "attribute_not_exists":
        return lambda item: first(item) is None
    second = operand_reader(node.args[1])
    name = node.name

    def function(item: Item) -> bool:
        a, b = first(item), second(item)
        if a is None or b is None:
            return False
        if name == "attribute_type":
            return bool(type_of(a) == b["S"])
        if name == "begins_with":
            kind = type_of(a)
            return kind in ("S", "B") and kind in b and bool(a[kind].startswith(b[kind]))
        return _contains(a, b)  # contains

    return function


def condition_test(node: Condition) -> Test:
    """A resolved condition made a function of the item, once (compiled expressions keep it): each node's
    kind is settled here rather than matched on every call (measured: interpreting the AST per call was a
    tenth of a conditional UpdateItem)."""
    if isinstance(node, And):
        left, right = condition_test(node.left), condition_test(node.right)
        return lambda item: left(item) and right(item)
    if isinstance(node, Or):
        left, right = condition_test(node.left), condition_test(node.right)
        return lambda item: left(item) or right(item)
    if isinstance(node, Not):
        inner = condition_test(node.operand)
        return lambda item: not inner(item)
    if isinstance(node, Compare):
        return _compare(node)
    if isinstance(node, Between):
        return _between(node)
    if isinstance(node, In):
        return _in(node)
    if isinstance(node, Call):
        return _function(node)
    raise TypeError(f"not a condition: {node!r}")  # the checks make this unreachable


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
