"""Server-side request validation, driven by the service model (botocore's data), with DynamoDB's messages.

Over HTTP no botocore stands in front of the emulator, so it checks request shapes and constraints itself,
as the service's framework does before any handler runs:

1. Types, while the request is read: a member of the wrong JSON type is a ``SerializationException``
   (``{"N": 5}``, a list where a string belongs...). The first one found ends the request.
2. Constraints, all of them, in model order: required members, string and collection lengths, patterns,
   enums and number ranges. They are reported together:
   ``1 validation error detected: Value 'x!' at 'tableName' failed to satisfy constraint: ...`` or
   ``2 validation errors detected: ...; ...``, with paths such as ``keySchema.1.member.attributeName``.

Before both, the batch operations' per-table lists are checked as DynamoDB does (a null or empty list, a
null entry, too many requests), in DynamoDB's own words rather than as map-value constraints; and null
members of a structure count as absent (DynamoDB ignores ``"ReturnValues": null``).

Table names get the service's rules (3 to 255 characters of ``[a-zA-Z0-9_.-]``) unless the value is an ARN.
Each operation's validator is compiled once from the model (``validator_for``) and cached: the per-call path
only runs closures over the members the request holds.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html

>>> validate_request("DescribeTable", {"TableName": "ok_name"})
>>> try:
...     validate_request("DescribeTable", {"TableName": "a!"})
... except DynamoDBError as err:
...     print(err.message)  # doctest: +NORMALIZE_WHITESPACE
2 validation errors detected: Value 'a!' at 'tableName' failed to satisfy constraint: Member must satisfy
regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a!' at 'tableName' failed to satisfy constraint: Member
must have length greater than or equal to 3
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable
from typing import Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error, validation_error
from theorydb_mocks.emulator.service_models import ServiceModel, load_model

__all__ = [
    "ENUM_ORDER",
    "MAX_REQUEST_DEPTH",
    "Validator",
    "check_depth",
    "check_plain_table_name",
    "compile_validator",
    "fully_valid",
    "render_value",
    "report",
    "service_model",
    "validate_request",
    "validator_for",
]

# check(value, path, errors): value is never None; constraint failures are appended to ``errors``,
# type failures raise SerializationException at once.
_Check = Callable[[Any, str, list[str]], None]
Validator = Callable[[dict[str, Any]], None]

_TABLE_NAME_SHAPES = frozenset({"TableArn", "TableName"})
# Enum value sets the service prints in its own order, not the model's (SERVICE-FACTS G; ScalarAttributeType
# as DynamoDB Local 3.3.0 and the service print it). Scan's Select is Query's shape, so it shares the order.
ENUM_ORDER: dict[str, list[str]] = {
    "ScalarAttributeType": ["B", "N", "S"],
    "Select": ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"],
    "ReturnValue": ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"],
    "ReturnConsumedCapacity": ["INDEXES", "TOTAL", "NONE"],
    "ReturnItemCollectionMetrics": ["SIZE", "NONE"],
}
# Members whose violations the service reports in the newer form, without the value and with a PascalCase
# path (SERVICE-FACTS B2, D1): (structure shape, member). Nothing in a request predicts the form, so it is a
# table; every other member gets the older form.
UNECHOED_MEMBERS = frozenset({("QueryInput", "Limit"), ("KeysAndAttributes", "Keys")})
# Structures whose TableName names a new table (never an ARN): they keep the 3-character minimum for "".
_PLAIN_NAME_INPUTS = frozenset({"CreateTableInput"})


def service_model() -> ServiceModel:
    """DynamoDB's service model, read from botocore's data without importing botocore (``service_models``)."""
    return load_model("dynamodb")


def render_value(value: Any, shape: Any = None) -> str:
    """A value as the service's messages print it (Java ``toString`` style); structures by their shape.

    >>> render_value(["a", 1, True, {"k": None}])
    '[a, 1, true, {k=null}]'
    >>> render_value([{"AttributeName": "pk", "KeyType": "HASH"}], service_model().shape_for("KeySchema"))
    '[KeySchemaElement(attributeName=pk, keyType=HASH)]'
    """
    if shape is not None:
        kind = shape.type_name
        if kind == "structure" and isinstance(value, dict):
            members = shape.members
            inner = ", ".join(
                f"{_lower_camel(k)}={render_value(v, members.get(k))}"
                for k, v in value.items()
                if v is not None
            )
            return f"{shape.name}({inner})"
        if kind == "list" and isinstance(value, (list, tuple)):
            return "[" + ", ".join(render_value(v, shape.member) for v in value) + "]"
        if kind == "map" and isinstance(value, dict):
            return "{" + ", ".join(f"{k}={render_value(v, shape.value)}" for k, v in value.items()) + "}"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{render_value(k)}={render_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    return str(value)


def report(items: list[str]) -> str:
    """The framework's report of constraint violations: ``1 validation error detected: <item>``, or
    ``<n> validation errors detected: <a>; <b>``."""
    noun = "error" if len(items) == 1 else "errors"
    return M.VALIDATION_REPORT.format(count=len(items), noun=noun, items="; ".join(items))


# Constraints of the service's own model that botocore's copy lost: a key schema holds at most a hash and a
# range key (SERVICE-FACTS E2: the framework reports a third element before any other complaint). A global
# secondary index's key schema is the exception: multi-attribute keys (up to four partition and four sort
# attributes) are checked by CreateTable and UpdateTable themselves, with DynamoDB's own sentences.
_MODEL_PATCHES: dict[str, dict[str, Any]] = {"KeySchema": {"max": 2}}


def _in_global_index(path: str) -> bool:
    """Whether a constraint path lies inside a global secondary index definition (any operation's)."""
    return "lobalSecondaryIndex" in path


def _metadata(shape: Any) -> dict[str, Any]:
    """A shape's constraints: botocore's, with the service's where botocore's copy lost them."""
    patch = _MODEL_PATCHES.get(shape.name)
    return dict(shape.metadata) if patch is None else {**shape.metadata, **patch}


def pascal_path(path: str) -> str:
    """A constraint path as the newer report form prints it: ``requestItems.t.member.keys`` ->
    ``RequestItems.t.member.Keys`` (member names capitalised; map keys, indexes and ``member`` kept)."""
    parts = path.split(".")
    return ".".join(
        part[:1].upper() + part[1:] if n == 0 or parts[n - 1] == "member" else part
        for n, part in enumerate(parts)
    )


def _failed(value: Any, path: str, constraint: str, shape: Any = None) -> str:
    shown = "null" if value is None else f"'{render_value(value, shape)}'"
    return M.CONSTRAINT_FAILED.format(shown=shown, path=path, constraint=constraint)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE_VALUE" if value else "FALSE_VALUE"
    if isinstance(value, (int, float)):
        return "NUMBER_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    if isinstance(value, dict):
        return "START_OBJECT"
    if isinstance(value, (list, tuple)):
        return "START_ARRAY"
    return "VALUE_EMBEDDED_OBJECT"


_JAVA_TYPE = {
    "string": "String",
    "integer": "Integer",
    "long": "Long",
    "double": "Double",
    "boolean": "Boolean",
    "blob": "ByteBuffer",
    "timestamp": "Date",
}


def _type_error(type_name: str, value: Any) -> DynamoDBError:
    """The SerializationException the service's JSON reader raises for a member of the wrong type."""
    kind = _json_kind(value)
    if kind == "START_OBJECT":
        message = M.STRUCTURE_NOT_EXPECTED
    elif kind == "START_ARRAY":
        message = M.LIST_NOT_EXPECTED
    elif type_name in ("structure", "map"):
        message = M.STRUCTURE_EXPECTED.format(kind=kind)
    elif type_name == "list":
        message = M.LIST_EXPECTED.format(kind=kind)
    else:
        message = M.NOT_CONVERTIBLE.format(kind=kind, java_type=_JAVA_TYPE.get(type_name, type_name))
    return ddb_error("SerializationException", message)


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


class _Compiler:
    """Builds one check closure per shape; recursive shapes (AttributeValue) resolve through a cell."""

    def __init__(self) -> None:
        self._checks: dict[str, _Check] = {}
        self._constrained: dict[str, bool] = {}

    def constrained(self, shape: Any, visiting: frozenset[str] = frozenset()) -> bool:
        """Whether any constraint (not just types) applies to ``shape`` or below it."""
        name = shape.name
        if name in self._constrained:
            return self._constrained[name]
        if name in visiting:
            return False
        meta = _metadata(shape)
        result = any(k in meta for k in ("min", "max", "pattern", "enum")) or bool(meta.get("required"))
        if not result:
            inner = visiting | {name}
            kind = shape.type_name
            if kind == "structure":
                result = any(self.constrained(m, inner) for m in shape.members.values())
            elif kind == "list":
                result = self.constrained(shape.member, inner)
            elif kind == "map":
                result = self.constrained(shape.key, inner) or self.constrained(shape.value, inner)
        if not visiting:
            self._constrained[name] = result
        return result

    def check(self, shape: Any, member_name: str | None = None, parent: str = "") -> _Check:
        if member_name == "TableName" and shape.name in _TABLE_NAME_SHAPES:
            return self._table_name_check(plain=parent in _PLAIN_NAME_INPUTS)
        if (parent, member_name) in UNECHOED_MEMBERS:
            return _unechoed(self.check(shape))
        key = shape.name
        found = self._checks.get(key)
        if found is not None:
            return found
        cell: list[_Check] = []

        def deferred(value: Any, path: str, errors: list[str]) -> None:
            cell[0](value, path, errors)

        self._checks[key] = deferred
        built = self._build(shape)
        cell.append(built)
        self._checks[key] = built
        return built

    def _table_name_check(self, *, plain: bool) -> _Check:
        name_shape = service_model().shape_for("TableName")
        by_name = self._scalar(name_shape)
        by_arn = self._scalar(service_model().shape_for("TableArn"))

        def check_table_name(value: Any, path: str, errors: list[str]) -> None:
            # Where an ARN may stand, "" breaks only the ARN's 1-character minimum (SERVICE-FACTS B1): the
            # service reports that alone, without the name's pattern and 3-character minimum.
            if isinstance(value, str) and (value.startswith("arn:") or (value == "" and not plain)):
                by_arn(value, path, errors)
            else:
                by_name(value, path, errors)

        return check_table_name

    def _build(self, shape: Any) -> _Check:
        kind = shape.type_name
        if kind == "structure":
            return self._structure(shape)
        if kind == "list":
            return self._list(shape)
        if kind == "map":
            return self._map(shape)
        return self._scalar(shape)

    def _structure(self, shape: Any) -> _Check:
        required = tuple(shape.metadata.get("required", ()))
        members = {
            name: (self.check(member, name, shape.name), _lower_camel(name))
            for name, member in shape.members.items()
        }
        if not self.constrained(shape):
            checks = {name: check for name, (check, _) in members.items()}

            # Only types can fail below: visit what the request holds (the first type error raises).
            def check_plain(value: Any, path: str, errors: list[str]) -> None:
                if type(value) is not dict:
                    raise _type_error("structure", value)
                for name, item in value.items():
                    found = checks.get(name)
                    if found is not None and item is not None:
                        found(item, path, errors)  # no constraint below: the path is never printed

            return check_plain

        ordered = tuple((name, check, seg, name in required) for name, (check, seg) in members.items())

        def check_structure(value: Any, path: str, errors: list[str]) -> None:
            if type(value) is not dict:
                raise _type_error("structure", value)
            get = value.get
            for name, check, seg, is_required in ordered:
                item = get(name)
                if item is None:
                    if is_required:
                        errors.append(_failed(None, f"{path}.{seg}" if path else seg, M.MUST_NOT_BE_NULL))
                    continue
                check(item, f"{path}.{seg}" if path else seg, errors)

        return check_structure

    def _list(self, shape: Any) -> _Check:
        member = self.check(shape.member)
        size = _size_constraints(_metadata(shape), "length")
        no_nulls = _refuses_null_members(shape)
        key_schema = shape.name == "KeySchema"

        def check_list(value: Any, path: str, errors: list[str]) -> None:
            if not isinstance(value, (list, tuple)):
                raise _type_error("list", value)
            for constraint in size:
                if not constraint[0](len(value)) and not (key_schema and _in_global_index(path)):
                    errors.append(_failed(value, path, constraint[1], shape))
            for position, item in enumerate(value, 1):
                if item is not None:
                    member(item, f"{path}.{position}.member", errors)
                elif no_nulls:
                    errors.append(_failed(None, f"{path}.{position}.member", M.MUST_NOT_BE_NULL))

        return check_list

    def _map(self, shape: Any) -> _Check:
        value_check = self.check(shape.value)
        size = _size_constraints(shape.metadata, "length")
        key_size = _size_constraints(shape.key.metadata, "length")
        key_rule = "Map keys must satisfy constraint: [" + ", ".join(c[1] for c in reversed(key_size)) + "]"

        def check_map(value: Any, path: str, errors: list[str]) -> None:
            if type(value) is not dict:
                raise _type_error("map", value)
            for constraint in size:
                if not constraint[0](len(value)):
                    errors.append(_failed(value, path, constraint[1], shape))
            bad_key = False
            for key, item in value.items():
                if type(key) is not str:
                    raise _type_error("string", key)
                if key_size and not bad_key and not all(c[0](len(key)) for c in key_size):
                    bad_key = True
                if item is not None:
                    value_check(item, f"{path}.{key}.member", errors)
            if bad_key:
                errors.append(_failed(value, path, key_rule, shape))

        return check_map

    def _scalar(self, shape: Any) -> _Check:
        kind = shape.type_name
        meta = shape.metadata
        type_ok = _TYPE_TESTS[kind]
        rules: list[tuple[Callable[[Any], bool], str]] = []
        enum = ENUM_ORDER.get(shape.name, meta.get("enum"))
        if enum:
            allowed = frozenset(enum)
            rules.append(
                (allowed.__contains__, "Member must satisfy enum value set: [" + ", ".join(enum) + "]")
            )
        pattern = meta.get("pattern")
        if pattern and kind == "string":
            try:
                compiled = re.compile(pattern)
            except re.error:
                compiled = None
            if compiled is not None:
                fullmatch = compiled.fullmatch

                def matches(value: Any, fullmatch: Callable[[str], Any] = fullmatch) -> bool:
                    return fullmatch(value) is not None

                rules.append((matches, f"Member must satisfy regular expression pattern: {pattern}"))
        if kind in ("string", "blob"):
            for test, text in _size_constraints(meta, "length"):

                def length_ok(value: Any, test: Callable[[Any], bool] = test) -> bool:
                    return test(len(value))

                rules.append((length_ok, text))
        elif kind in ("integer", "long", "double"):
            rules.extend(_size_constraints(meta, "value"))
        frozen_rules = tuple(rules)

        if not frozen_rules:

            def check_type(value: Any, path: str, errors: list[str]) -> None:
                if not type_ok(value):
                    raise _type_error(kind, value)

            return check_type

        def check_scalar(value: Any, path: str, errors: list[str]) -> None:
            if not type_ok(value):
                raise _type_error(kind, value)
            for test, text in frozen_rules:
                if not test(value):
                    errors.append(_failed(value, path, text))

        return check_scalar


def _unechoed(check: _Check) -> _Check:
    """``check`` with its own violations (not those of members below it) in the newer form:
    ``Value at '<PascalPath>' failed to satisfy constraint: <rule>``."""

    def check_unechoed(value: Any, path: str, errors: list[str]) -> None:
        found: list[str] = []
        check(value, path, found)
        marker = f" at '{path}' failed to satisfy constraint: "
        for item in found:
            head, hit, constraint = item.rpartition(marker)
            if hit and head.startswith("Value "):
                item = M.CONSTRAINT_FAILED_UNECHOED.format(path=pascal_path(path), constraint=constraint)
            errors.append(item)

    return check_unechoed


# Lists of structures whose null entries the handlers answer in DynamoDB's own words.
_NULLS_ANSWERED_LATER = frozenset({"TransactWriteItemList", "TransactGetItemList", "WriteRequests"})


def _refuses_null_members(shape: Any) -> bool:
    """Whether a null entry in a list of ``shape`` fails validation ("Member must not be null").

    A list of structures (AttributeDefinitions, KeySchema, GlobalSecondaryIndexes...) holds no nulls:
    DynamoDB Local answers some with a 500, which the service never should; the emulator refuses them
    as the model's constraint. Lists of strings keep their nulls for the handlers' own messages.
    """
    return shape.member.type_name == "structure" and shape.name not in _NULLS_ANSWERED_LATER


def _size_constraints(meta: dict[str, Any], what: str) -> tuple[tuple[Callable[[Any], bool], str], ...]:
    """(test, message) pairs for the ``max`` and ``min`` of a shape, in the service's order (max first)."""
    rules: list[tuple[Callable[[Any], bool], str]] = []
    high = meta.get("max")
    low = meta.get("min")
    if high is not None:

        def at_most(n: Any, high: Any = high) -> bool:
            return bool(n <= high)

        rules.append((at_most, f"Member must have {what} less than or equal to {high}"))
    if low is not None:

        def at_least(n: Any, low: Any = low) -> bool:
            return bool(n >= low)

        rules.append((at_least, f"Member must have {what} greater than or equal to {low}"))
    return tuple(rules)


def _is_int(value: Any) -> bool:
    return type(value) is int


def _is_number(value: Any) -> bool:
    return type(value) in (int, float)


_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: type(v) is str,
    "integer": _is_int,
    "long": _is_int,
    "double": _is_number,
    "float": _is_number,
    "boolean": lambda v: type(v) is bool,
    "blob": lambda v: isinstance(v, (bytes, bytearray)),
    "timestamp": lambda v: isinstance(v, datetime.datetime) or _is_number(v),
}


class _FastCompiler:
    """Compiles "surely valid" predicates: no paths, no messages, only the members the request holds.

    A request that passes needs nothing more; one that fails goes through the detailed checks, which
    find and word the errors. Errors are rare, so the hot path pays only for the fast predicate.
    """

    def __init__(self, *, strict: bool = False) -> None:
        self._preds: dict[str, Callable[[Any], bool]] = {}
        # strict: also botocore's client-side rules (no unknown members, no None values, bytes blobs).
        self._strict = strict
        self._types = _STRICT_TYPE_TESTS if strict else _TYPE_TESTS

    def pred(self, shape: Any, member_name: str | None = None) -> Callable[[Any], bool]:
        if member_name == "TableName" and shape.name in _TABLE_NAME_SHAPES:
            by_name = self._scalar(service_model().shape_for("TableName"))
            by_arn = self._scalar(service_model().shape_for("TableArn"))

            known: set[str] = set()  # names seen valid (a request names few tables; the check is a regex)

            def table_name(value: Any) -> bool:
                if type(value) is not str:
                    return False
                if value in known:
                    return True
                valid = by_arn(value) if value.startswith("arn:") else by_name(value)
                if valid and len(known) < 1024:
                    known.add(value)
                return valid

            return table_name
        found = self._preds.get(shape.name)
        if found is not None:
            return found
        if shape.name == "AttributeValue":
            built = self._preds[shape.name] = self._attribute_value(shape)
            return built
        cell: list[Callable[[Any], bool]] = []
        self._preds[shape.name] = lambda value: cell[0](value)
        built = self._build(shape)
        cell.append(built)
        self._preds[shape.name] = built
        return built

    def _build(self, shape: Any) -> Callable[[Any], bool]:
        kind = shape.type_name
        meta = _metadata(shape)
        if kind == "structure":
            members = {name: self.pred(member, name) for name, member in shape.members.items()}
            required = tuple(meta.get("required", ()))
            if self._strict:
                union = bool(getattr(shape, "is_tagged_union", False))
                if union and not required:

                    def strict_union(value: Any) -> bool:  # an AttributeValue: exactly one member
                        if type(value) is not dict or len(value) != 1:
                            return False
                        for name, item in value.items():
                            check = members.get(name)
                            return check is not None and item is not None and check(item)
                        return False

                    return strict_union

                def strict_structure(value: Any) -> bool:
                    if type(value) is not dict or (union and len(value) != 1):
                        return False
                    for name in required:
                        if name not in value:
                            return False
                    for name, item in value.items():
                        check = members.get(name)
                        if check is None or item is None or not check(item):
                            return False
                    return True

                return strict_structure

            def structure(value: Any) -> bool:
                if type(value) is not dict:
                    return False
                for name in required:
                    if value.get(name) is None:
                        return False
                for name, item in value.items():
                    check = members.get(name)
                    if check is None:
                        if type(item) is dict or type(item) is list:
                            return False  # junk the depth gate must see (``check_depth``)
                    elif item is not None and not check(item):
                        return False
                return True

            return structure
        low = meta.get("min", 0)
        high = meta.get("max")
        strict = self._strict
        if kind == "list":
            member = self.pred(shape.member)
            no_nulls = _refuses_null_members(shape)

            def list_(value: Any) -> bool:
                if type(value) is not list and type(value) is not tuple:
                    return False
                size = len(value)
                if size < low or (high is not None and size > high):
                    return False
                if strict or no_nulls:
                    return all(item is not None and member(item) for item in value)
                return all(item is None or member(item) for item in value)

            return list_
        if kind == "map":
            key = self.pred(shape.key)
            entry = self.pred(shape.value)
            key_meta = shape.key.metadata
            if shape.key.type_name == "string" and set(key_meta) <= {"max"}:  # AttributeName: inline
                longest = key_meta.get("max", float("inf"))

                def names_map(value: Any) -> bool:
                    if type(value) is not dict:
                        return False
                    size = len(value)
                    if size < low or (high is not None and size > high):
                        return False
                    for k, item in value.items():
                        if type(k) is not str or len(k) > longest:
                            return False
                        if item is None:
                            if strict:
                                return False
                        elif not entry(item):
                            return False
                    return True

                return names_map

            def map_(value: Any) -> bool:
                if type(value) is not dict:
                    return False
                size = len(value)
                if size < low or (high is not None and size > high):
                    return False
                for k, item in value.items():
                    if not key(k) or (item is None and strict) or (item is not None and not entry(item)):
                        return False
                return True

            return map_
        return self._scalar(shape)

    def _attribute_value(self, shape: Any) -> Callable[[Any], bool]:
        """The predicate of an AttributeValue (the model's one recursive shape), bounded at
        32 levels, so a request it passes is never deeper than ``check_depth`` refuses:
        that gate then runs only on requests this predicate cannot vouch for."""
        scalars = {
            name: self.pred(member) for name, member in shape.members.items() if name not in ("M", "L")
        }
        map_shape = shape.members["M"]
        map_name = self.pred(map_shape.key)
        strict = self._strict

        def attribute_value(value: Any, level: int = 1) -> bool:
            if type(value) is not dict or (strict and len(value) != 1):
                return False
            for kind, item in value.items():
                if kind == "S" or kind == "N":  # the common case, inline: a string
                    if type(item) is not str:
                        if item is None and not strict:
                            continue
                        return False
                elif item is None:
                    if strict:
                        return False
                elif kind == "M":
                    if level >= _MAX_VALUE_LEVELS or type(item) is not dict:
                        return False
                    for name, member in item.items():
                        if not map_name(name):
                            return False
                        if member is None:
                            if strict:
                                return False
                        elif not attribute_value(member, level + 1):
                            return False
                elif kind == "L":
                    if level >= _MAX_VALUE_LEVELS or (type(item) is not list and type(item) is not tuple):
                        return False
                    for member in item:
                        if member is None:
                            if strict:
                                return False
                        elif not attribute_value(member, level + 1):
                            return False
                else:
                    check = scalars.get(kind)
                    if check is None:
                        if strict or type(item) is dict or type(item) is list:
                            return False
                    elif not check(item):
                        return False
            return True

        return attribute_value

    def _scalar(self, shape: Any) -> Callable[[Any], bool]:
        kind = shape.type_name
        meta = shape.metadata
        type_ok = self._types[kind]
        low = meta.get("min")
        high = meta.get("max")
        enum = frozenset(meta["enum"]) if meta.get("enum") else None
        pattern = meta.get("pattern") if kind == "string" else None
        try:
            fullmatch = re.compile(pattern).fullmatch if pattern else None
        except re.error:
            fullmatch = None
        sized = kind in ("string", "blob")

        def scalar(value: Any) -> bool:
            if not type_ok(value):
                return False
            measure = len(value) if sized else value
            if low is not None and measure < low:
                return False
            if high is not None and measure > high:
                return False
            if enum is not None and value not in enum:
                return False
            return fullmatch is None or fullmatch(value) is not None

        if low is None and high is None and enum is None and fullmatch is None:
            return type_ok
        return scalar


_STRICT_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    **_TYPE_TESTS,
    "blob": lambda v: type(v) is bytes,
    "timestamp": lambda v: isinstance(v, datetime.datetime),
}

_COMPILER = _Compiler()
_FAST = _FastCompiler()
_STRICT = _FastCompiler(strict=True)


@functools.cache
def fully_valid(operation: str) -> Callable[[Any], bool]:
    """A predicate for the direct client: True when a request passes botocore's client-side rules AND the
    service's validation, so it can be dispatched with ``prevalidated=True``. False decides nothing."""
    shape = service_model().operation_model(operation).input_shape
    if shape is None:
        return lambda request: request == {}
    surely_valid = _STRICT.pred(shape)
    before = _BEFORE_MODEL.get(operation)
    if before is None:
        return surely_valid

    def valid(request: Any) -> bool:  # the checks DynamoDB makes ahead of the model's count too
        if not surely_valid(request):
            return False
        try:
            before(request)
        except DynamoDBError:
            return False
        return True

    return valid


MAX_BATCH_WRITES = 25


def _check_batch_write_lists(request: dict[str, Any]) -> None:
    """Each table's write list: present, not empty, no null entry, at most 25 requests."""
    items = request.get("RequestItems")
    if items is None or items == {}:
        raise validation_error(M.REQUEST_ITEMS_REQUIRED.format(operation="BatchWriteItem"))
    if type(items) is not dict:
        return
    for table, writes in items.items():
        if writes is None or (type(writes) is list and not writes):
            raise validation_error(M.BATCH_WRITE_LIST_EMPTY.format(table=table))
        if type(writes) is not list:
            continue  # a type error: the model's checks word it
        if any(write is None for write in writes):
            raise validation_error(M.BATCH_WRITE_ENTRY_NULL)
        if len(writes) > MAX_BATCH_WRITES:
            # The model's limit on each table's list, reported on the whole map (SERVICE-FACTS D2).
            shown = "{" + ", ".join(f"{name}={_java_writes(entry)}" for name, entry in items.items()) + "}"
            rule = M.MAP_VALUE_CONSTRAINT.format(
                rules=f"Member must have length less than or equal to {MAX_BATCH_WRITES}, "
                "Member must have length greater than or equal to 1"
            )
            raise validation_error(
                report([M.CONSTRAINT_FAILED.format(shown=f"'{shown}'", path="requestItems", constraint=rule)])
            )


def _check_batch_get_lists(request: dict[str, Any]) -> None:
    """Each table's keys: present, not empty, no null or empty key (at most 100: the model's check)."""
    items = request.get("RequestItems")
    if items is None or items == {}:
        raise validation_error(M.REQUEST_ITEMS_REQUIRED.format(operation="BatchGetItem"))
    if type(items) is not dict:
        return
    for table, spec in items.items():
        keys = spec.get("Keys") if type(spec) is dict else None
        if spec is not None and type(spec) is not dict:
            continue  # a type error: the model's checks word it
        if keys is None or (type(keys) is list and not keys):
            raise validation_error(M.BATCH_GET_KEYS_EMPTY.format(table=table))
        if type(keys) is not list:
            continue
        if any(key is None or key == {} for key in keys):
            raise validation_error(M.BATCH_GET_KEY_NULL.format(table=table))
        # More than 100 keys for one table: the model's limit, reported by the framework (SERVICE-FACTS D1).


def _check_create_table(request: dict[str, Any]) -> None:
    """CreateTable names a missing TableName in its own sentence (SERVICE-FACTS A1)."""
    if request.get("TableName") is None:
        raise validation_error(M.PARAMETER_REQUIRED.format(member="TableName"))


def _java_attribute_value(value: Any) -> str:
    """An AttributeValue as the service's Java ``toString`` prints it in a constraint report."""
    if not isinstance(value, dict):
        return "null"
    member: Any
    kind, member = next(iter(value.items())) if len(value) == 1 else ("", None)
    member = member if member is not None else ()

    def shown(slot: str) -> str:
        if slot != kind:
            return "null"
        if kind in ("SS", "NS"):
            return "[" + ", ".join(map(str, member)) + "]"
        if kind == "BS":
            return "[" + ", ".join(render_value(bytes(m)) for m in member) + "]"
        if kind == "M":
            return "{" + ", ".join(f"{k}={_java_attribute_value(v)}" for k, v in member.items()) + "}"
        if kind == "L":
            return "[" + ", ".join(_java_attribute_value(v) for v in member) + "]"
        return render_value(member)

    fields = ", ".join(f"{field}={shown(slot)}" for field, slot in _JAVA_ATTRIBUTE_FIELDS)
    return f"AttributeValue({fields})"


# The fields of the service's AttributeValue in its toString order, and the wire type each one holds.
_JAVA_ATTRIBUTE_FIELDS = (
    ("s", "S"),
    ("n", "N"),
    ("b", "B"),
    ("iNT", ""),
    ("dECIMAL", ""),
    ("dOUBLE", ""),
    ("sS", "SS"),
    ("nS", "NS"),
    ("bS", "BS"),
    ("iNTSET", ""),
    ("dECIMALSET", ""),
    ("dOUBLESET", ""),
    ("m", "M"),
    ("l", "L"),
    ("nULL", "NULL"),
    ("bOOL", "BOOL"),
)


def _java_item(item: Any) -> str:
    if not isinstance(item, dict):
        return "null"
    return "{" + ", ".join(f"{name}={_java_attribute_value(v)}" for name, v in item.items()) + "}"


def _java_writes(writes: Any) -> str:
    """A table's write list as the service echoes it:
    ``[WriteRequest(putRequest=PutRequest(item={...}, workloadProfileName=null), deleteRequest=null)]``."""
    if not isinstance(writes, list):
        return render_value(writes)
    shown = []
    for write in writes:
        put = write.get("PutRequest") if isinstance(write, dict) else None
        delete = write.get("DeleteRequest") if isinstance(write, dict) else None
        put_text = (
            "null"
            if not isinstance(put, dict)
            else f"PutRequest(item={_java_item(put.get('Item'))}, workloadProfileName=null)"
        )
        delete_text = (
            "null"
            if not isinstance(delete, dict)
            else f"DeleteRequest(key={_java_item(delete.get('Key'))}, workloadProfileName=null)"
        )
        shown.append(f"WriteRequest(putRequest={put_text}, deleteRequest={delete_text})")
    return "[" + ", ".join(shown) + "]"


# Checks DynamoDB makes before the model's constraints, per operation.
_BEFORE_MODEL: dict[str, Callable[[dict[str, Any]], None]] = {
    "BatchWriteItem": _check_batch_write_lists,
    "BatchGetItem": _check_batch_get_lists,
    "CreateTable": _check_create_table,
}


def _drop_null_members(request: dict[str, Any]) -> None:
    """A top-level member sent as JSON null is absent to DynamoDB: remove it, so handlers see it absent."""
    for name in [name for name, value in request.items() if value is None]:
        del request[name]


@functools.cache
def validator_for(operation: str) -> Validator:
    """The compiled validator of one operation's input (cached; raises KeyError for unknown operations)."""
    model = service_model()
    if operation not in model.operation_names:
        raise KeyError(operation)
    shape = model.operation_model(operation).input_shape
    return compile_validator(shape, before=_BEFORE_MODEL.get(operation))


def compile_validator(shape: Any, *, before: Callable[[dict[str, Any]], None] | None = None) -> Validator:
    """A validator for requests of ``shape`` (any botocore service model's input shape, or None for an
    operation without input), with the service's report: "N validation error(s) detected: ...".

    ``before`` runs first, for checks DynamoDB makes ahead of the model's constraints.
    """
    if shape is None:

        def no_input(request: dict[str, Any]) -> None:
            if type(request) is not dict:
                raise _type_error("structure", request)

        return no_input
    check = _COMPILER.check(shape)
    surely_valid = _FAST.pred(shape)

    def validate(request: dict[str, Any]) -> None:
        if type(request) is dict and None in request.values():
            _drop_null_members(request)
        if before is None and surely_valid(request):
            return  # the predicate is depth-bounded: a request it passes needs no depth gate
        check_depth(shape, request)
        if type(request) is dict and before is not None:
            before(request)
        if surely_valid(request):
            return
        errors: list[str] = []
        check(request, "", errors)
        if errors:
            raise validation_error(report(errors))

    return validate


# Containers (dicts and lists) a request may nest before the gate below refuses it. A valid request nests
# at most about 70 (32 levels of attribute values, two containers each, inside a transaction); the
# recursive checks that run after the gate need a few frames per level, well inside Python's stack.
MAX_REQUEST_DEPTH = 100
_MAX_VALUE_LEVELS = 32


def _nests_deeper_than(value: Any, limit: int) -> bool:
    """Whether ``value`` holds containers nested more than ``limit`` deep (iterative: any depth is safe).

    On the hot path of every request: a plain loop over the containers only (a few microseconds for an
    item of a few dozen attributes).
    """
    level: list[Any] = [value]
    depth = 1
    while level:
        if depth > limit:
            return True
        below: list[Any] = []
        for node in level:
            kind = type(node)
            children = node.values() if kind is dict else node if kind is list or kind is tuple else ()
            for child in children:
                child_kind = type(child)
                if child_kind is dict or child_kind is list or child_kind is tuple:
                    below.append(child)
        level = below
        depth += 1
    return False


def check_depth(shape: Any, request: Any) -> None:
    """Refuse a request nested too deep for the recursive checks, in DynamoDB's words where it has some.

    Iterative, so any depth is answered. Below ``MAX_REQUEST_DEPTH`` this does nothing (the attribute
    value rules refuse the 33rd level where DynamoDB does, in DynamoDB's order); above it, the first
    attribute value nested past 32 levels, walking the request by its shape, is refused with DynamoDB's
    nesting message (prefixed as DynamoDB does inside ``ExpressionAttributeValues``), and anything else
    that deep (junk under an unknown member or a wrongly typed one) is a SerializationException, as a JSON
    reader refuses it.
    """
    if not _nests_deeper_than(request, MAX_REQUEST_DEPTH):
        return
    stack: list[tuple[Any, Any, int, str | None]] = [(request, shape, 0, None)]
    while stack:
        node, node_shape, levels, value_key = stack.pop()
        if node_shape is None:
            continue
        if node_shape.name == "AttributeValue":
            levels += 1
            if levels > _MAX_VALUE_LEVELS:
                if value_key is None:
                    raise validation_error(M.VALUE_TOO_DEEP)
                raise validation_error(M.VALUES_INVALID_VALUE.format(message=M.VALUE_TOO_DEEP, key=value_key))
        kind = node_shape.type_name
        children: list[tuple[Any, Any, int, str | None]] = []
        if kind == "structure" and type(node) is dict:
            members = node_shape.members
            children = [(v, members.get(k), levels, value_key) for k, v in node.items()]
        elif kind == "list" and isinstance(node, list | tuple):
            children = [(v, node_shape.member, levels, value_key) for v in node]
        elif kind == "map" and type(node) is dict:
            values_map = node_shape.name == "ExpressionAttributeValueMap"
            children = [
                (v, node_shape.value, levels, k if values_map and isinstance(k, str) else value_key)
                for k, v in node.items()
            ]
        stack.extend(reversed(children))  # depth first, in request order, like the recursive checks
    raise ddb_error("SerializationException", M.REQUEST_TOO_DEEP)


def check_plain_table_name(name: str) -> None:
    """Refuse an ARN (or anything else) where only a plain table name may stand, in the model's words.

    >>> check_plain_table_name("orders")
    >>> check_plain_table_name("arn:aws:dynamodb:us-east-1:123456789012:table/orders")
    Traceback (most recent call last):
      ...
    theorydb_mocks.emulator.errors.DynamoDBError: ValidationException: 1 validation error detected: ...
    """
    errors: list[str] = []
    _COMPILER._scalar(service_model().shape_for("TableName"))(name, "tableName", errors)
    if errors:
        raise validation_error(report(errors))


def validate_request(operation: str, request: dict[str, Any]) -> None:
    """Check ``request`` for ``operation`` as the service does before its handler runs.

    Raises ``DynamoDBError`` (SerializationException or ValidationException); returns None when valid.
    """
    validator_for(operation)(request)
