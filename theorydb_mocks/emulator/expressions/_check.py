"""Static checks, in DynamoDB's order: first those that read only the text (cached with the parse), then
those that need the request's ``ExpressionAttributeNames`` and ``ExpressionAttributeValues`` (resolution).

Order within one expression, as DynamoDB Local shows it: syntax and redundant parentheses (the parser
raises both); a repeated update clause; list indexes out of range; then, left to right, reserved words,
unknown functions and functions in the wrong place (:func:`check_text`). Resolution (:class:`Resolver`)
then walks the tree left to right, children before their operator: undefined placeholders, operand
counts, operand types, ``IN`` sizes, ``BETWEEN`` bounds, and repeated first operands. Updates and
projections visit their actions and paths last to first (DynamoDB builds those lists back to front):
update target paths and their overlaps first, then the operands.
"""

from __future__ import annotations

from collections.abc import Mapping

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator._order import java_hash_order, java_string_hash
from theorydb_mocks.emulator._types import AttributeValue
from theorydb_mocks.emulator.errors import invalid_expression, validation_error
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
    Projection,
    RemoveAction,
    SetAction,
    Update,
    Value,
    format_path,
)
from theorydb_mocks.emulator.expressions._parser import Parsed
from theorydb_mocks.emulator.expressions._reserved import RESERVED_WORDS
from theorydb_mocks.emulator.values import TYPE_NAMES, compare_values, type_of

__all__ = ["MAX_IN_OPERANDS", "Resolver", "check_key_structure", "check_text", "format_value"]

CONDITION_FUNCTIONS = frozenset(
    {"attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"}
)
UPDATE_FUNCTIONS = frozenset({"if_not_exists", "list_append"})
FUNCTIONS = CONDITION_FUNCTIONS | UPDATE_FUNCTIONS | {"size"}
ARITY: dict[str, int] = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
    "if_not_exists": 2,
    "list_append": 2,
}
MAX_IN_OPERANDS = 100
MAX_PATH_LEVELS = 32
MAX_OPERATORS = 300  # comparisons, BETWEEN, IN, AND, OR, NOT, functions and + or - in one expression
ORDERED = frozenset({"<", "<=", ">", ">="})
SCALARS = frozenset({"S", "N", "B"})
# The type names DynamoDB's update messages use.
JAVA_TYPE: dict[str, str] = {
    "S": "STRING",
    "N": "NUMBER",
    "B": "BINARY",
    "BOOL": "BOOLEAN",
    "NULL": "NULL",
    "L": "LIST",
    "M": "MAP",
    "SS": "STRING_SET",
    "NS": "NUMBER_SET",
    "BS": "BINARY_SET",
}
SET_TYPES = frozenset({"SS", "NS", "BS"})


# ------------------------------------------------------------------------------------------ text checks


def check_text(parsed: Parsed) -> None:
    """The checks that read only the expression text, in DynamoDB's order."""
    kind = parsed.kind
    if parsed.repeated_clause is not None:
        raise invalid_expression(kind, M.CLAUSE_TWICE.format(clause=parsed.repeated_clause))
    if parsed.index_out_of_range is not None:
        raise invalid_expression(kind, M.INDEX_RANGE.format(index=parsed.index_out_of_range))
    tree = parsed.tree
    operators = _operator_count(tree, MAX_OPERATORS + 1)
    if operators > MAX_OPERATORS:
        if parsed.deepest_path > MAX_PATH_LEVELS:  # DynamoDB Local reports a deep path first
            raise invalid_expression(kind, M.TOO_DEEP.format(levels=parsed.deepest_path))
        raise invalid_expression(kind, M.TOO_MANY_OPERATORS.format(count=operators))
    if isinstance(tree, Update):
        for action in tree.actions:
            _words(kind, action.path)
            if isinstance(action, SetAction):
                _operand_text(kind, action.value, "set")
    elif isinstance(tree, Projection):
        for path in tree.paths:
            _words(kind, path)
    else:
        _condition_text(kind, tree)
    if parsed.deepest_path > MAX_PATH_LEVELS:
        raise invalid_expression(kind, M.TOO_DEEP.format(levels=parsed.deepest_path))


def _operator_count(tree: Condition | Update | Projection, stop: int) -> int:
    """The operators in ``tree``, counted up to ``stop`` (DynamoDB reports the count where it gave up).

    Iterative: the tree may nest as deep as the parser allowed. After this check no expression tree holds
    more than ``MAX_OPERATORS`` operators, which bounds the depth the recursive walks below can meet.
    """
    count = 0
    stack: list[object] = [tree]
    while stack:
        node = stack.pop()
        match node:
            case And(left, right) | Or(left, right) | Arith(_, left, right) | Compare(_, left, right):
                count += 1
                stack += (left, right)
            case Not(operand):
                count += 1
                stack.append(operand)
            case Between(operand, low, high):
                count += 1
                stack += (operand, low, high)
            case In(operand, options):
                count += 1
                stack += (operand, *options)
            case Call(_, args):
                count += 1
                stack += args
            case Update(actions):
                stack += [action.value for action in actions if not isinstance(action, RemoveAction)]
        if count >= stop:
            return stop
    return count


def _words(kind: str, path: Path) -> None:
    for part in path.parts:
        if isinstance(part, str) and not part.startswith("#") and part.upper() in RESERVED_WORDS:
            raise invalid_expression(kind, M.RESERVED.format(word=part))


def _condition_text(kind: str, node: Condition) -> None:
    match node:
        case And(left, right) | Or(left, right):
            _condition_text(kind, left)
            _condition_text(kind, right)
        case Not(operand):
            _condition_text(kind, operand)
        case Compare(_, left, right):
            _operand_text(kind, left, "operand")
            _operand_text(kind, right, "operand")
        case Between(operand, low, high):
            for item in (operand, low, high):
                _operand_text(kind, item, "operand")
        case In(operand, options):
            for item in (operand, *options):
                _operand_text(kind, item, "operand")
        case Call():
            _operand_text(kind, node, "condition")


def _operand_text(kind: str, node: Operand, position: str) -> None:
    """Reserved words and function placement; ``position`` is condition, operand, set or arg."""
    match node:
        case Path():
            _words(kind, node)
        case Call(name, args):
            _function_placement(kind, name, position)
            for arg in args:
                _operand_text(kind, arg, "operand" if kind != "Update" else "arg")
        case Arith(_, left, right):
            _operand_text(kind, left, "arg")
            _operand_text(kind, right, "arg")


def _function_placement(kind: str, name: str, position: str) -> None:
    if name not in FUNCTIONS:
        raise invalid_expression(kind, M.INVALID_FUNCTION.format(name=name))
    if kind == "Update":
        if name not in UPDATE_FUNCTIONS:
            raise invalid_expression(kind, M.FUNCTION_NOT_IN_UPDATE.format(name=name))
        if name == "list_append" and position != "set":
            raise invalid_expression(kind, M.FUNCTION_MISUSED.format(name=name))
        return
    if name in UPDATE_FUNCTIONS:
        raise invalid_expression(kind, M.FUNCTION_NOT_IN_CONDITION.format(name=name))
    if (position == "condition") != (name in CONDITION_FUNCTIONS):
        raise invalid_expression(kind, M.FUNCTION_MISUSED.format(name=name))


# ------------------------------------------------------------------------------------------ resolution


def format_value(av: AttributeValue) -> str:
    """An attribute value as DynamoDB's BETWEEN messages print it: ``{N:2}``, ``{S:a}``."""
    kind = type_of(av)
    if kind == "B":
        size = len(av["B"])
        return f"{{B:java.nio.HeapByteBuffer[pos=0 lim={size} cap={size}]}}"
    return f"{{{kind}:{av[kind]}}}"


def _operand_type(node: Operand) -> str | None:
    """The type of an operand known before evaluation: a literal's type, or N for ``size()``."""
    if isinstance(node, Literal):
        return type_of(node.value)
    if isinstance(node, Call) and node.name == "size":
        return "N"
    return None


class Resolver:
    """Resolves placeholders of one request and runs the checks that need them.

    ``used_names`` and ``used_values`` collect the placeholders met, for the unused-placeholder check.
    """

    def __init__(self, names: Mapping[str, str], values: Mapping[str, AttributeValue]) -> None:
        self.names = names
        self.values = values
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()
        self.kind = ""

    # -- leaves

    def path(self, path: Path) -> Path:
        parts: list[str | int] = []
        for part in path.parts:
            if isinstance(part, str) and part.startswith("#"):
                name = self.names.get(part)
                if name is None:
                    raise invalid_expression(self.kind, M.UNDEFINED_NAME.format(name=part))
                self.used_names.add(part)
                parts.append(name)
            else:
                parts.append(part)
        return Path(tuple(parts))

    def value(self, ref: str) -> Literal:
        value = self.values.get(ref)
        if value is None:
            raise invalid_expression(self.kind, M.UNDEFINED_VALUE.format(name=ref))
        self.used_values.add(ref)
        return Literal(value)

    def _fail(self, message: str) -> None:
        raise invalid_expression(self.kind, message)

    def _distinct(self, op: str, first: Operand, others: tuple[Operand, ...]) -> None:
        if isinstance(first, Path) and any(isinstance(o, Path) and o.parts == first.parts for o in others):
            self._fail(M.NOT_DISTINCT.format(op=op, path=format_path(first.parts)))

    # -- operands

    def operand(self, node: Operand) -> Operand:
        match node:
            case Path():
                return self.path(node)
            case Value(ref):
                return self.value(ref)
            case Call(name, args):
                return self.call(name, tuple(self.operand(arg) for arg in args))
            case Arith(op, left, right):
                resolved = Arith(op, self.operand(left), self.operand(right))
                for side in (resolved.left, resolved.right):
                    kind = _operand_type(side)
                    if kind is not None and kind != "N":
                        self._fail(M.OPERAND_TYPE.format(name=op, type=kind))
                return resolved
            case _:
                return node

    def call(self, name: str, args: tuple[Operand, ...]) -> Call:
        if len(args) != ARITY[name]:
            self._fail(M.ARITY.format(name=name, count=len(args)))
        match name:
            case "attribute_exists" | "attribute_not_exists" | "if_not_exists":
                if not isinstance(args[0], Path):
                    self._fail(M.NEEDS_PATH.format(name=name))
            case "attribute_type":  # the first operand may be any operand: attribute_type(:v, :t) is fine
                self._distinct(name, args[0], args[1:])
                if isinstance(args[1], Path):
                    self._fail(M.ATTRIBUTE_TYPE_PATH.format())
                kind = _operand_type(args[1])
                if kind is not None and kind != "S":
                    self._fail(M.OPERAND_TYPE.format(name=name, type=kind))
                if isinstance(args[1], Literal) and args[1].value["S"] not in TYPE_NAMES:
                    self._fail(M.INVALID_TYPE_NAME.format(type=args[1].value["S"]))
            case "begins_with":
                for arg in args:
                    kind = _operand_type(arg)
                    if kind is not None and kind not in ("S", "B"):
                        self._fail(M.OPERAND_TYPE.format(name=name, type=kind))
                self._distinct(name, args[0], args[1:])
            case "contains":
                self._distinct(name, args[0], args[1:])
            case "size":
                kind = _operand_type(args[0])
                if kind in ("N", "BOOL", "NULL"):
                    self._fail(M.OPERAND_TYPE.format(name=name, type=kind))
            case _:  # list_append
                for arg in args:
                    kind = _operand_type(arg)
                    if kind is not None and kind != "L":
                        self._fail(M.OPERAND_TYPE.format(name=name, type=kind))
        return Call(name, args)

    # -- conditions

    def condition(self, kind: str, node: Condition) -> Condition:
        self.kind = kind
        return self._condition(node)

    def _condition(self, node: Condition) -> Condition:
        match node:
            case And(left, right):
                return And(self._condition(left), self._condition(right))
            case Or(left, right):
                return Or(self._condition(left), self._condition(right))
            case Not(operand):
                return Not(self._condition(operand))
            case Compare(op, left, right):
                resolved = Compare(op, self.operand(left), self.operand(right))
                if op in ORDERED:
                    for side in (resolved.left, resolved.right):
                        kind = _operand_type(side)
                        if kind is not None and kind not in SCALARS:
                            self._fail(M.OPERAND_TYPE.format(name=op, type=kind))
                self._distinct(op, resolved.left, (resolved.right,))
                return resolved
            case Between(operand, low, high):
                between = Between(self.operand(operand), self.operand(low), self.operand(high))
                for side in (between.operand, between.low, between.high):
                    kind = _operand_type(side)
                    if kind is not None and kind not in SCALARS:
                        self._fail(M.OPERAND_TYPE.format(name="BETWEEN", type=kind))
                self._distinct("BETWEEN", between.operand, (between.low, between.high))
                if isinstance(between.low, Literal) and isinstance(between.high, Literal):
                    low_value, high_value = between.low.value, between.high.value
                    detail = {"low": format_value(low_value), "high": format_value(high_value)}
                    order = compare_values(low_value, high_value)
                    if order is None:
                        self._fail(M.BETWEEN_TYPES.format(**detail))
                    elif order > 0:
                        self._fail(M.BETWEEN_ORDER.format(**detail))
                return between
            case In(operand, options):
                resolved_in = In(self.operand(operand), tuple(self.operand(o) for o in options))
                if len(options) > MAX_IN_OPERANDS:
                    self._fail(M.TOO_MANY_IN.format(count=len(options)))
                self._distinct("IN", resolved_in.operand, resolved_in.options)
                return resolved_in
            case _:
                return self.call(node.name, tuple(self.operand(arg) for arg in node.args))

    # -- updates and projections

    def _insert_path(self, seen: list[tuple[str | int, ...]], parts: tuple[str | int, ...]) -> None:
        """Refuse a path that overlaps or conflicts with one already seen.

        As "path two" DynamoDB names not the clashing path but the last path seen in its own order: top-level
        names in the iteration order of a Java hash map, then the rest of the path sorted (measured:
        ``SET a = :v, b = :v, c = :v REMOVE a`` names ``[c]``; ``REMOVE s SET s.x = a ADD m.b :n`` names
        ``[m, b]``; ``SET l[1] = a, l[1] = a, l[7] = a`` and ``REMOVE l[1], l[7], l[1]`` name ``[l, [7]]``).
        """
        for other in seen:
            clash = _clash(parts, other)
            if clash is not None:
                template = M.PATHS_OVERLAP if clash == "overlap" else M.PATHS_CONFLICT
                names = list(dict.fromkeys(str(earlier[0]) for earlier in seen))
                last_name = java_hash_order(names, java_string_hash)[-1]
                last = max((p for p in seen if p[0] == last_name), key=_path_order)
                self._fail(template.format(one=format_path(parts), two=format_path(last)))
        seen.append(parts)

    def update(self, update: Update) -> Update:
        self.kind = "Update"
        seen: list[tuple[str | int, ...]] = []
        paths: dict[int, Path] = {}
        for index in range(len(update.actions) - 1, -1, -1):
            path = self.path(update.actions[index].path)
            self._insert_path(seen, path.parts)
            paths[index] = path
        resolved: dict[int, Action] = {}
        for index in range(len(update.actions) - 1, -1, -1):
            action = update.actions[index]
            path = paths[index]
            match action:
                case SetAction(_, value):
                    resolved[index] = SetAction(path, self.operand(value))
                case RemoveAction():
                    resolved[index] = RemoveAction(path)
                case AddAction(_, value) | DeleteAction(_, value):
                    literal = self.operand(value)
                    assert isinstance(literal, Literal)
                    kind = type_of(literal.value)
                    clause = "ADD" if isinstance(action, AddAction) else "DELETE"
                    allowed = SET_TYPES | {"N"} if clause == "ADD" else SET_TYPES
                    if kind not in allowed:
                        self._fail(M.UPDATE_OPERAND_TYPE.format(name=clause, type=JAVA_TYPE[kind]))
                    resolved[index] = (
                        AddAction(path, literal) if clause == "ADD" else DeleteAction(path, literal)
                    )
        return Update(tuple(resolved[i] for i in range(len(update.actions))))

    def projection(self, projection: Projection) -> Projection:
        self.kind = "Projection"
        seen: list[tuple[str | int, ...]] = []
        paths: dict[int, Path] = {}
        for index in range(len(projection.paths) - 1, -1, -1):
            path = self.path(projection.paths[index])
            self._insert_path(seen, path.parts)
            paths[index] = path
        return Projection(tuple(paths[i] for i in range(len(projection.paths))))


def _path_order(parts: tuple[str | int, ...]) -> tuple[tuple[int, str | int], ...]:
    """A sort key for paths under one top-level name: names before indexes, each in its natural order."""
    return tuple((1, part) if isinstance(part, int) else (0, part) for part in parts)


def _clash(one: tuple[str | int, ...], two: tuple[str | int, ...]) -> str | None:
    """ "overlap" when one path is a prefix of the other, "conflict" when they use a parent both as a map
    and as a list, None otherwise."""
    for a, b in zip(one, two, strict=False):
        if a != b or type(a) is not type(b):
            return "conflict" if isinstance(a, int) != isinstance(b, int) else None
    return "overlap"


# ------------------------------------------------------------------------------------------ key conditions


def check_key_structure(
    node: Condition, key_names: tuple[str, ...] | None = None, *, most: int | None = 2
) -> list[Condition] | None:
    """The key condition's one or two conditions, checked in DynamoDB's order: nested key attributes
    anywhere; then condition by condition, operators, one attribute per condition, nested operations
    and one condition per key; then at most ``most`` (two, but for a multi-attribute index key, whose
    planner counts them itself; None at compile time, before the key schema is known).

    Without ``key_names`` (at compile time) a key condition with any nested path is left for
    :meth:`KeyCondition.plan` (None is returned): whether the path is a key attribute ("Key attributes
    must be scalars", DynamoDB's first check) needs the key schema.
    """
    nested = [path for path in _all_paths(node) if len(path.parts) > 1]
    if nested:
        if key_names is None:
            return None
        for path in nested:
            if path.parts[0] in key_names:
                raise validation_error(M.KEY_NOT_SCALAR.format(name=path.parts[0]))
    conditions: list[Condition] = []
    _walk_key(node, conditions, [])
    if most is not None and len(conditions) > most:
        raise validation_error(M.KEY_LENGTH)
    return conditions


def _paths_in(operand: Operand) -> list[Path]:
    if isinstance(operand, Path):
        return [operand]
    if isinstance(operand, Call):
        return [path for arg in operand.args for path in _paths_in(arg)]
    if isinstance(operand, Arith):
        return _paths_in(operand.left) + _paths_in(operand.right)
    return []


def _all_paths(node: Condition) -> list[Path]:
    match node:
        case And(left, right) | Or(left, right):
            return _all_paths(left) + _all_paths(right)
        case Not(operand):
            return _all_paths(operand)
        case Compare(_, left, right):
            return _paths_in(left) + _paths_in(right)
        case Between(operand, low, high):
            return _paths_in(operand) + _paths_in(low) + _paths_in(high)
        case In(operand, options):
            return [path for item in (operand, *options) for path in _paths_in(item)]
        case Call(_, args):
            return [path for arg in args for path in _paths_in(arg)]
    return []


def _walk_key(node: Condition, into: list[Condition], names: list[str]) -> None:
    """Check the conditions left to right, each before the next is read: a second condition on an
    attribute already constrained is refused before any fault of a later condition (DynamoDB Local)."""
    operands: tuple[Operand, ...]
    first_required = ""
    match node:
        case And(left, right):
            _walk_key(left, into, names)
            _walk_key(right, into, names)
            return
        case Or():
            raise validation_error(M.KEY_INVALID_OPERATOR.format(op="OR"))
        case Not():
            raise validation_error(M.KEY_INVALID_OPERATOR.format(op="NOT"))
        case In():
            raise validation_error(M.KEY_INVALID_OPERATOR.format(op="IN"))
        case Compare(op, left, right):
            if op == "<>":
                raise validation_error(M.KEY_INVALID_OPERATOR.format(op=op))
            operands = (left, right)
        case Between(operand, low, high):
            operands, first_required = (operand, low, high), "BETWEEN"
        case Call(name, args):
            if name != "begins_with":
                raise validation_error(M.KEY_INVALID_OPERATOR.format(op=name))
            operands, first_required = args, name
    # Operand by operand, as DynamoDB reads them: a function is a nested operation, a value first where
    # the attribute must come first is refused, a second attribute name is one too many.
    paths = 0
    for position, operand in enumerate(operands):
        if isinstance(operand, Call | Arith):
            raise validation_error(M.KEY_NESTED)
        if position == 0 and first_required and not isinstance(operand, Path):
            raise validation_error(M.KEY_FIRST_OPERAND.format(op=first_required))
        if isinstance(operand, Path):
            paths += 1
            if paths > 1:
                raise validation_error(M.KEY_MULTIPLE_NAMES)
    if not paths:
        raise validation_error(M.KEY_NO_ATTRIBUTE)
    attribute = _key_path(node)
    if attribute is not None:
        key_name = attribute.parts[0]
        assert isinstance(key_name, str)
        if key_name in names:
            raise validation_error(M.KEY_ONE_PER_KEY)
        names.append(key_name)
    into.append(node)


def _key_path(node: Condition) -> Path | None:
    match node:
        case Compare(_, left, right):
            return left if isinstance(left, Path) else right if isinstance(right, Path) else None
        case Between(operand, _, _):
            return operand if isinstance(operand, Path) else None
        case Call(_, args):
            return args[0] if isinstance(args[0], Path) else None
    return None
