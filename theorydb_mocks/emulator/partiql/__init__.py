"""PartiQL for DynamoDB: one parser (DynamoDB's dialect) to an AST, cached, and the plans the handlers run.

``parse_statement`` parses once per statement text (``parse_statement.cache_info()``). ``plan_read`` turns a
SELECT into what storage serves: a Query of one or more partitions when the WHERE clause pins the partition
key (equality, ``IN``, or an ``OR`` of equalities), else a Scan; the whole WHERE clause is its filter.
``plan_write`` turns an INSERT, UPDATE or DELETE into the equivalent PutItem, UpdateItem or DeleteItem
request (expressions with placeholders), which the item handlers then run with all their rules.
Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html

>>> plan = parse_statement("UPDATE \\"t\\" SET n = n + 1 WHERE pk = 'a'")
>>> plan
UPDATE "t" SET n = n + {'N': '1'} WHERE pk = {'S': 'a'}
>>> from theorydb_mocks.emulator._types import KeySchema
>>> request = plan_write(plan, KeySchema("pk", "S"), [])
>>> request["UpdateExpression"], request["ConditionExpression"], request["Key"]
('SET #n1 = #n1 + :v0', 'attribute_exists(#n0)', {'pk': {'S': 'a'}})
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator._types import AttributeValue, KeySchema
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error, validation_error
from theorydb_mocks.emulator.expressions._ast import (
    And,
    Between,
    Call,
    Compare,
    Condition,
    In,
    Literal,
    Operand,
    Or,
    Path,
    Value,
)
from theorydb_mocks.emulator.partiql._ast import Delete, Exists, Insert, Select, Statement, Update
from theorydb_mocks.emulator.partiql._parser import parse
from theorydb_mocks.emulator.partiql._translate import Printer
from theorydb_mocks.emulator.values import validate_attribute_value

__all__ = [
    "ReadPlan",
    "Statement",
    "check_condition",
    "check_parameters",
    "parse_statement",
    "plain_message",
    "plan_read",
    "plan_write",
]

_PARAMETER_REF = re.compile(r":p\d+\b")
_FLIPPED = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<=", "<>": "<>"}
_EXPRESSION_PREFIXES = tuple(
    f"Invalid {kind}Expression: " for kind in ("Update", "Condition", "Filter", "Projection", "KeyCondition")
)


@lru_cache(maxsize=2048)
def parse_statement(text: str) -> Statement:
    """Parse one statement (cached: the same text parses once); DynamoDB's error if it is not accepted."""
    return parse(text)


def parameter_count(statement: Statement) -> int:
    """How many ``?`` the statement uses."""
    return _parameter_counts(statement)


@lru_cache(maxsize=2048)
def _parameter_counts(statement: Statement) -> int:
    return len(set(_value_refs(statement)))


def _value_refs(node: Any) -> list[str]:
    if isinstance(node, Value):
        return [node.ref]
    if isinstance(node, Literal | str | int | bool) or node is None:
        return []
    if isinstance(node, tuple):
        return [ref for member in node for ref in _value_refs(member)]
    if hasattr(node, "__slots__"):
        return [ref for field in node.__slots__ for ref in _value_refs(getattr(node, field))]
    return []


def check_parameters(statement: Statement, parameters: list[Any] | None) -> dict[str, AttributeValue]:
    """The request's ``Parameters`` as placeholder values, after DynamoDB's checks: as many as the
    statement has ``?`` (the service refuses surplus ones too), each a valid attribute value."""
    given = parameters or []
    if len(given) != parameter_count(statement):
        raise validation_error(M.PARTIQL_PARAMETER_COUNT)
    return {f":p{position}": validate_attribute_value(value) for position, value in enumerate(given)}


def plain_message(error: DynamoDBError) -> DynamoDBError:
    """An expression error as PartiQL reports it: without the ``Invalid <Kind>Expression: `` prefix."""
    message = error.message
    for prefix in _EXPRESSION_PREFIXES:
        if message.startswith(prefix):
            return ddb_error(error.code, message[len(prefix) :], **error.fields)
    return error


def _conjuncts(condition: Condition | None) -> list[Condition]:
    if condition is None:
        return []
    if isinstance(condition, And):
        return [*_conjuncts(condition.left), *_conjuncts(condition.right)]
    return [condition]


def _disjuncts(condition: Condition) -> list[Condition]:
    if isinstance(condition, Or):
        return [*_disjuncts(condition.left), *_disjuncts(condition.right)]
    return [condition]


def _resolve(node: Operand, values: dict[str, AttributeValue]) -> AttributeValue | None:
    """A literal's or parameter's value; None for anything else (a path, a function)."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Value):
        return values.get(node.ref)
    return None


def _equality(condition: Condition, name: str) -> Operand | None:
    """The value side of ``name = value`` (either way round), or None."""
    if isinstance(condition, Compare) and condition.op == "=":
        if condition.left == Path((name,)) and isinstance(condition.right, Literal | Value):
            return condition.right
        if condition.right == Path((name,)) and isinstance(condition.left, Literal | Value):
            return condition.left
    return None


def _check_key_type(value: AttributeValue | None, kind: str | None, name: str) -> None:
    if value is not None and kind is not None and kind not in value:
        raise validation_error(M.PARTIQL_KEY_TYPE.format(name=name))


def _check_key_types(conditions: list[Condition], key: KeySchema, values: dict[str, AttributeValue]) -> None:
    """A comparison of a key attribute with a value of another type is refused, as the service does."""
    kinds = {key.hash_name: key.hash_type}
    if key.range_name is not None:
        kinds[key.range_name] = key.range_type  # type: ignore[assignment]
    for condition in conditions:
        for leaf in _disjuncts(condition):
            match leaf:
                case Compare(op, left, right) if op != "<>":
                    for path, other in ((left, right), (right, left)):
                        if isinstance(path, Path) and len(path.parts) == 1 and path.parts[0] in kinds:
                            name = str(path.parts[0])
                            _check_key_type(_resolve(other, values), kinds[name], name)
                case Between(Path(parts), low, high) if len(parts) == 1 and parts[0] in kinds:
                    for bound in (low, high):
                        _check_key_type(_resolve(bound, values), kinds[str(parts[0])], str(parts[0]))
                case In(Path(parts), options) if len(parts) == 1 and parts[0] in kinds:
                    for option in options:
                        _check_key_type(_resolve(option, values), kinds[str(parts[0])], str(parts[0]))


# ------------------------------------------------------------------------------------------ reads


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """How to serve a SELECT: the partitions to query (None: a Scan), the sort key range, the direction,
    and the filter and projection as expression text with their placeholder maps."""

    partitions: tuple[AttributeValue, ...] | None
    sort_op: str | None
    sort_values: tuple[AttributeValue, ...]
    forward: bool
    filter: str | None
    projection: str | None
    names: dict[str, str]
    values: dict[str, AttributeValue]
    checks: tuple[str, str | None, dict[str, str], dict[str, AttributeValue]] | None = None


@dataclass(frozen=True, slots=True)
class _ReadText:
    filter: str | None
    projection: str | None
    names: dict[str, str]
    values: dict[str, AttributeValue]


@lru_cache(maxsize=2048)
def _read_text(statement: Select, served: frozenset[int] = frozenset()) -> _ReadText:
    """The filter and projection as expressions; ``served``: the WHERE conjuncts the key range already
    serves, left out of the filter (measured: evaluating them again doubled a key-pinned page's cost)."""
    printer = Printer()
    residual = [c for i, c in enumerate(_conjuncts(statement.where)) if i not in served]
    filter_text = None
    if len(residual) == 1:
        filter_text = printer.condition(residual[0])
    elif residual:
        filter_text = " AND ".join(f"({printer.condition(condition)})" for condition in residual)
    # Checked last to first: DynamoDB reports the later of two overlapping projected paths first.
    projection = None if statement.projection is None else printer.projection(statement.projection[::-1])
    return _ReadText(filter_text, projection, printer.names, printer.values)


def projected_names(statement: Select) -> tuple[tuple[str, Path], ...] | None:
    """The answer's attribute names for the projected paths (``m.a`` answers as ``a``, ``l[1]`` as
    ``l[1]``), refusing a name projected twice."""
    if statement.projection is None:
        return None
    seen: dict[str, Path] = {}
    for path in statement.projection:
        parts = path.parts
        last = max(i for i, part in enumerate(parts) if isinstance(part, str))
        name = str(parts[last]) + "".join(f"[{part}]" for part in parts[last + 1 :])
        if name in seen:
            raise validation_error(M.PARTIQL_DUPLICATE_PROJECTION.format(name=name))
        seen[name] = path
    return tuple(seen.items())


def plan_read(statement: Select, key: KeySchema, values: dict[str, AttributeValue]) -> ReadPlan:
    """The Query or Scan a SELECT runs on a table or index with key schema ``key``."""
    conditions = _conjuncts(statement.where)
    _check_key_types(conditions, key, values)
    pinned, partitions = _pinned_partitions(conditions, key.hash_name, values)
    sort_op: str | None = None
    sort_values: tuple[AttributeValue, ...] = ()
    served: set[int] = set() if pinned is None else {pinned}
    if partitions is not None and key.range_name is not None:
        ranged, sort_op, sort_values = _sort_range(conditions, key.range_name, values)
        if ranged is not None:
            served.add(ranged)
    text = _read_text(statement, frozenset(served))
    # A left-out BETWEEN or function still gets the expression checks of its values (bounds, operand types).
    checks = None
    if any(isinstance(conditions[i], Between | Call) for i in served):
        whole = _read_text(statement)
        assert whole.filter is not None
        checks = (whole.filter, whole.projection, whole.names, {**whole.values, **values})
    forward = True
    if statement.order is not None:
        paths, descending = statement.order
        if statement.where is None:
            raise validation_error(M.PARTIQL_ORDER_WITHOUT_WHERE)
        if partitions is None:
            raise validation_error(M.PARTIQL_ORDER_WITHOUT_HASH)
        for path in paths:
            if len(path.parts) != 1 or path.parts[0] not in key.names:
                raise validation_error(M.PARTIQL_ORDER_NOT_KEY.format(name=path))
        forward = not descending
    used = set(_PARAMETER_REF.findall(str(text.filter)))
    return ReadPlan(
        partitions,
        sort_op,
        sort_values,
        forward,
        text.filter,
        text.projection,
        text.names,
        {**text.values, **{ref: value for ref, value in values.items() if ref in used}},
        checks,
    )


def _pinned_partitions(
    conditions: list[Condition], hash_name: str, values: dict[str, AttributeValue]
) -> tuple[int | None, tuple[AttributeValue, ...] | None]:
    """The conjunct that pins the partition key and the values it allows (else None, None: a Scan)."""
    for position, condition in enumerate(conditions):
        options: list[Operand] = []
        single = _equality(condition, hash_name)
        if single is not None:
            options = [single]
        elif isinstance(condition, In) and condition.operand == Path((hash_name,)):
            options = list(condition.options)
        elif isinstance(condition, Or):
            found = [_equality(leaf, hash_name) for leaf in _disjuncts(condition)]
            if any(option is None for option in found):
                continue
            options = [option for option in found if option is not None]
        resolved = [_resolve(option, values) for option in options]
        if resolved and all(value is not None for value in resolved):
            unique: dict[str, AttributeValue] = {}
            for value in resolved:
                assert value is not None
                unique.setdefault(repr(sorted(value.items())), value)
            return position, tuple(unique.values())
    return None, None


def _sort_range(
    conditions: list[Condition], range_name: str, values: dict[str, AttributeValue]
) -> tuple[int | None, str | None, tuple[AttributeValue, ...]]:
    """The first conjunct on the sort key that a key range can serve (the filter checks the rest): its
    position, operator and values."""
    target = Path((range_name,))
    for position, condition in enumerate(conditions):
        match condition:
            case Compare(op, left, right) if op != "<>":
                if left == target and (value := _resolve(right, values)) is not None:
                    return position, op, (value,)
                if right == target and (value := _resolve(left, values)) is not None:
                    return position, _FLIPPED[op], (value,)
            case Between(operand, low, high) if operand == target:
                low_value, high_value = _resolve(low, values), _resolve(high, values)
                if low_value is not None and high_value is not None:
                    return position, "BETWEEN", (low_value, high_value)
            case Call("begins_with", (Path() as path, prefix)) if path == target:
                value = _resolve(prefix, values)
                if value is not None:
                    return position, "begins_with", (value,)
    return None, None, ()


# ------------------------------------------------------------------------------------------ writes


@lru_cache(maxsize=2048)
def _write_text(statement: Insert | Update | Delete, key: KeySchema) -> dict[str, Any]:
    """The item request a write statement stands for, with ``Key`` holding operands still to resolve."""
    printer = Printer()
    request: dict[str, Any] = {"TableName": statement.source.table}
    if isinstance(statement, Insert):
        request["Item"] = dict(statement.item)
        hash_ref = printer.path(Path((key.hash_name,)))
        request["ConditionExpression"] = f"attribute_not_exists({hash_ref})"
    else:
        conditions = _conjuncts(statement.where)
        key_operands: dict[str, Operand] = {}
        rest: list[Condition] = []
        for condition in conditions:
            for name in key.names:
                operand = _equality(condition, name)
                if operand is not None and name not in key_operands:
                    key_operands[name] = operand
                    break
            else:
                rest.append(condition)
        if any(name not in key_operands for name in key.names):
            raise validation_error(M.PARTIQL_KEY_EQUALITY)
        request["Key"] = key_operands
        guards = []
        if isinstance(statement, Update):
            guards.append(f"attribute_exists({printer.path(Path((key.hash_name,)))})")
            # Last to first: the expression checks walk actions backwards, DynamoDB checks PartiQL forwards.
            request["UpdateExpression"] = printer.update(statement.actions[::-1])
        guards.extend(f"({printer.condition(condition)})" for condition in rest)
        if guards:
            request["ConditionExpression"] = " AND ".join(guards)
        if statement.returning is not None:
            request["ReturnValues"] = statement.returning.return_values
    if printer.names:
        request["ExpressionAttributeNames"] = printer.names
    if printer.values:
        request["ExpressionAttributeValues"] = printer.values
    return request


def plan_write(
    statement: Insert | Update | Delete, key: KeySchema, parameters: list[Any] | dict[str, AttributeValue]
) -> dict[str, Any]:
    """The PutItem, UpdateItem or DeleteItem request that carries out a write statement."""
    values = parameters if isinstance(parameters, dict) else check_parameters(statement, parameters)
    try:
        template = _write_text(statement, key)
    except DynamoDBError:
        if not isinstance(statement, Insert):
            check_condition(statement.where, values)  # the WHERE clause's own errors come first
        raise
    request = dict(template)
    if isinstance(statement, Insert):
        item: dict[str, AttributeValue] = {}
        for name, operand in template["Item"].items():
            resolved = _resolve(operand, values)
            assert resolved is not None  # every member is a literal or a checked parameter
            item[name] = resolved
        for name in key.names:
            if name not in item:
                raise validation_error(M.PARTIQL_KEY_MISSING.format(name=name))
            kind = key.hash_type if name == key.hash_name else key.range_type
            _check_key_type(item[name], kind, name)
        request["Item"] = item
    else:
        resolved_key: dict[str, AttributeValue] = {}
        for name, operand in template["Key"].items():
            value = _resolve(operand, values)
            assert value is not None
            kind = key.hash_type if name == key.hash_name else key.range_type
            _check_key_type(value, kind, name)
            resolved_key[name] = value
        request["Key"] = resolved_key
    used = set(_PARAMETER_REF.findall(_refs_of(request))) & values.keys()
    if used:
        request["ExpressionAttributeValues"] = {
            **template.get("ExpressionAttributeValues", {}),
            **{ref: values[ref] for ref in used},
        }
    return request


def single_item_key(
    statement: Select, key: KeySchema, values: dict[str, AttributeValue]
) -> dict[str, Any] | None:
    """The item key a SELECT reads when its WHERE clause is exactly an equality on each key attribute
    (what BatchExecuteStatement and ExecuteTransaction accept), else None."""
    conditions = _conjuncts(statement.where)
    if len(conditions) != len(key.names):
        return None
    _check_key_types(conditions, key, values)
    found: dict[str, AttributeValue] = {}
    for condition in conditions:
        for name in key.names:
            operand = _equality(condition, name)
            if operand is not None and name not in found:
                value = _resolve(operand, values)
                if value is None:
                    return None
                found[name] = value
                break
        else:
            return None
    return found


def plan_condition_check(
    statement: Select, key: KeySchema, values: dict[str, AttributeValue]
) -> dict[str, Any] | None:
    """The ConditionCheck an ``EXISTS(SELECT ...)`` stands for: the item's full key and at least one more
    condition (the item must exist and meet them), else None."""
    conditions = _conjuncts(statement.where)
    _check_key_types(conditions, key, values)
    found: dict[str, AttributeValue] = {}
    rest: list[Condition] = []
    for condition in conditions:
        for name in key.names:
            operand = _equality(condition, name)
            if operand is not None and name not in found and (value := _resolve(operand, values)) is not None:
                found[name] = value
                break
        else:
            rest.append(condition)
    if len(found) != len(key.names) or not rest:
        return None
    printer = Printer()
    guards = [f"attribute_exists({printer.path(Path((key.hash_name,)))})"]
    guards.extend(f"({printer.condition(condition)})" for condition in rest)
    text = " AND ".join(guards)
    request: dict[str, Any] = {
        "TableName": statement.source.table,
        "Key": found,
        "ConditionExpression": text,
        "ExpressionAttributeNames": printer.names,
    }
    used = {**printer.values, **{ref: values[ref] for ref in _PARAMETER_REF.findall(text) if ref in values}}
    if used:
        request["ExpressionAttributeValues"] = used
    return request


def check_condition(condition: Condition, values: dict[str, AttributeValue]) -> None:
    """Run the expression checks of a whole WHERE clause (its operand types, BETWEEN bounds...): DynamoDB
    reports them before the key rules and before the SET clause's own errors."""
    from theorydb_mocks.emulator.expressions import compile_expressions

    printer = Printer()
    text = printer.condition(condition)
    used = {ref: values[ref] for ref in _PARAMETER_REF.findall(text) if ref in values}
    try:
        compile_expressions(
            names=printer.names or None, values={**printer.values, **used} or None, condition=text
        )
    except DynamoDBError as err:
        raise plain_message(err) from None


def _refs_of(request: dict[str, Any]) -> str:
    return " ".join(str(request.get(member, "")) for member in ("UpdateExpression", "ConditionExpression"))


def is_exists(statement: Statement) -> bool:
    return isinstance(statement, Exists)
