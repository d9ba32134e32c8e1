"""The ONE allow-list of known DynamoDB Local quirks (see /work/shared/DYNAMODB-LOCAL-QUIRKS.md).

DynamoDB Local is the oracle, but where it is known to differ from the DynamoDB service the emulator follows
the service. Each entry names the quirk, says what the service does (and so what the emulator must do), and
carries a matcher over ``(operation, request, local outcome, emulator outcome)`` that accepts exactly that
difference and nothing else: the emulator's side must be the service's answer, word for word where the
service's words are known. An emulator bug never goes here; it stays a failing test.

The wrongly-typed-JSON entry cannot fire through a boto3 client with parameter validation on; it is kept
for the record with a matcher that still accepts only that difference. Case-insensitive table names are not
listed: the harness gives every table a unique name, so that quirk cannot show (docs/fidelity.md).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import botocore.session

if TYPE_CHECKING:
    from tests.conformance.harness import Outcome

__all__ = ["QUIRKS", "Quirk", "match"]

Matcher = Callable[[str, Mapping[str, Any], "Outcome", "Outcome"], bool]

LOCAL_MISSING_TABLE = "Cannot do operations on a non-existent table"
SERVICE_MISSING_RESOURCE = "Requested resource not found"
_CONTROL_PLANE = frozenset({"describe_table", "delete_table", "update_table", "describe_time_to_live"})


@dataclass(frozen=True, slots=True)
class Quirk:
    """One known difference: ``local`` is what DynamoDB Local does, ``service`` what DynamoDB (and the
    emulator) does, ``evidence`` where the service's side is known from; ``matcher`` accepts exactly that
    pair of answers."""

    id: str
    local: str
    service: str
    evidence: str
    matcher: Matcher

    def __repr__(self) -> str:
        return f"<Quirk {self.id}>"


def _is_missing_table(outcome: Outcome) -> bool:
    return outcome.code == "ResourceNotFoundException" and outcome.message == LOCAL_MISSING_TABLE


def _missing_table_message(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if not _is_missing_table(local) or emu.code != "ResourceNotFoundException":
        return False
    if op in _CONTROL_PLANE:
        expected = f"{SERVICE_MISSING_RESOURCE}: Table: {request.get('TableName')} not found"
    else:
        expected = SERVICE_MISSING_RESOURCE
    return emu.message == expected and _same_fields(local, emu)


def _validation_before_existence(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    # The service answers a malformed request with its ValidationException even when the table is missing;
    # the message is pinned by the sibling case that sends the same request to an existing table.
    return _is_missing_table(local) and emu.code == "ValidationException" and bool(emu.message)


def _transaction_reason_period(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if local.code != "TransactionCanceledException" or emu.code != "TransactionCanceledException":
        return False
    fixed = [
        {**reason, "Message": "The conditional request failed"}
        if reason.get("Message") == "The conditional request failed."
        else reason
        for reason in local.body.get("CancellationReasons", [])
    ]
    return (
        fixed != local.body.get("CancellationReasons")
        and {**local.body, "CancellationReasons": fixed} == emu.body
    )


def _query_missing_key_name(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    prefix = "Query condition missed key schema element"
    if op != "query" or local.code != "ValidationException" or local.message != prefix:
        return False
    return emu.code == "ValidationException" and (emu.message or "").startswith(prefix + ": ")


def _page_limit_before_filter(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op not in ("query", "scan") or "FilterExpression" not in request or not (local.ok and emu.ok):
        return False
    local_items, emu_items = local.body.get("Items", []), emu.body.get("Items", [])
    return (
        "LastEvaluatedKey" in emu.body
        and emu.body.get("ScannedCount", 0) < local.body.get("ScannedCount", 0)
        and emu_items == local_items[: len(emu_items)]
        and emu.body.get("Count") == len(emu_items)
    )


def _limit_on_the_bound(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op != "query" or not (local.ok and emu.ok) or "Limit" not in request:
        return False
    if "LastEvaluatedKey" in local.body or "LastEvaluatedKey" not in emu.body:
        return False
    rest = {k: v for k, v in emu.body.items() if k != "LastEvaluatedKey"}
    items = emu.body.get("Items") or []
    return rest == local.body and emu.body.get("ScannedCount") == request["Limit"] and bool(items)


def _index_page_projected_size(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op not in ("query", "scan") or "IndexName" not in request or not (local.ok and emu.ok):
        return False
    local_items, emu_items = local.body.get("Items", []), emu.body.get("Items", [])
    return (
        "LastEvaluatedKey" in local.body
        and len(emu_items) > len(local_items)
        and emu_items[: len(local_items)] == local_items
        and emu.body.get("Count") == len(emu_items)
        and emu.body.get("ScannedCount") == len(emu_items)
    )


def _with_projected_index_sizes(local: Any, emu: Any) -> Any:
    """``local``'s description with the emulator's IndexSizeBytes wherever an index does not project
    everything and the emulator's size is the smaller (it counts projected bytes, Local whole items)."""
    if not isinstance(local, dict) or not isinstance(emu, dict):
        return local
    out = dict(local)
    for member in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        emu_sizes = {i.get("IndexName"): i.get("IndexSizeBytes") for i in emu.get(member, [])}
        fixed = []
        for index in local.get(member, []):
            size, emu_size = index.get("IndexSizeBytes"), emu_sizes.get(index.get("IndexName"))
            partial = index.get("Projection", {}).get("ProjectionType") != "ALL"
            if partial and isinstance(size, int) and isinstance(emu_size, int) and emu_size < size:
                index = {**index, "IndexSizeBytes": emu_size}
            fixed.append(index)
        if member in local:
            out[member] = fixed
    return out


def _index_size_projected(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if not (local.ok and emu.ok) or not any(m in local.body for m in _DESCRIPTIONS):
        return False
    fixed = dict(local.body)
    for member in _DESCRIPTIONS:
        if member in fixed:
            fixed[member] = _with_projected_index_sizes(local.body[member], emu.body.get(member))
    return fixed != local.body and fixed == emu.body


def _delete_table_status(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op != "delete_table" or not (local.ok and emu.ok):
        return False
    local_desc = dict(local.body.get("TableDescription", {}))
    emu_desc = dict(emu.body.get("TableDescription", {}))
    if local_desc.get("TableStatus") != "ACTIVE" or emu_desc.get("TableStatus") != "DELETING":
        return False
    local_desc["TableStatus"] = "DELETING"
    return {**local.body, "TableDescription": local_desc} == {**emu.body, "TableDescription": emu_desc}


PAY_PER_REQUEST_THROUGHPUT = (
    "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be "
    "specified when BillingMode is PAY_PER_REQUEST"
)


def _pay_per_request_throughput(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op != "create_table" or request.get("BillingMode") != "PAY_PER_REQUEST":
        return False
    if "ProvisionedThroughput" not in request or not local.ok:
        return False
    return emu.code == "ValidationException" and emu.message == PAY_PER_REQUEST_THROUGHPUT


def _wrong_json_types(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    return local.ok and emu.code == "SerializationException" and _has_wrong_json_type(request)


def _has_wrong_json_type(value: Any) -> bool:
    if isinstance(value, Mapping):
        if len(value) == 1:
            ((tag, member),) = value.items()
            if tag in ("S", "N") and not isinstance(member, str):
                return True
            if tag in ("BOOL", "NULL") and not isinstance(member, bool):
                return True
        return any(_has_wrong_json_type(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_wrong_json_type(v) for v in value)
    return False


_UNCHECKED_ENUMS = ("ReturnConsumedCapacity", "ReturnItemCollectionMetrics", "BillingMode")


@functools.cache
def _enum_values(op: str, member: str) -> tuple[str, ...]:
    model = botocore.session.get_session().get_service_model("dynamodb")
    operation = model.operation_model(model.operation_names[_op_index(model.operation_names, op)])
    shape = operation.input_shape.members.get(member) if operation.input_shape is not None else None
    return tuple(shape.enum) if shape is not None else ()


@functools.cache
def _enum_shape(op: str, member: str) -> str:
    model = botocore.session.get_session().get_service_model("dynamodb")
    operation = model.operation_model(model.operation_names[_op_index(model.operation_names, op)])
    return str(operation.input_shape.members[member].name)


def _op_index(names: list[str], op: str) -> int:
    wanted = op.replace("_", "").lower()
    for position, name in enumerate(names):
        if name.lower() == wanted:
            return position
    raise KeyError(op)


def _unchecked_enum(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if not (local.ok or local.code == "InternalFailure") or emu.code != "ValidationException":
        return False
    bad = [
        (member, request[member])
        for member in _UNCHECKED_ENUMS
        if member in request and request[member] not in _enum_values(op, member)
    ]
    if len(bad) != 1:
        return False
    member, value = bad[0]
    allowed = ", ".join(_ENUM_ORDER.get(_enum_shape(op, member), _enum_values(op, member)))
    field = member[0].lower() + member[1:]
    expected = (
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{allowed}]"
    )
    return emu.message == expected


_DESCRIPTIONS = ("TableDescription", "Table")


def _service_description(description: Any, emu_description: Any) -> Any:
    """Local's table description as the service writes it: ``TableId`` present (the emulator's placeholder),
    ``WarmThroughput`` on the table and each GSI (the emulator's, which Local never reports), and each epoch-0
    throughput timestamp either dropped (never set) or, where the emulator recorded a throughput change, that
    timestamp. Walks the emulator's description alongside, entry by entry."""
    if isinstance(description, dict):
        other = emu_description if isinstance(emu_description, dict) else {}
        out: dict[str, Any] = {}
        for key, value in description.items():
            if value == "<epoch-0>":
                if other.get(key) == "<timestamp>":
                    out[key] = "<timestamp>"
                continue
            out[key] = _service_description(value, other.get(key))
        if "TableId" in other and "TableArn" in out:
            out.setdefault("TableId", other["TableId"])
        if "WarmThroughput" in other and ("TableArn" in out or "IndexArn" in out):
            out.setdefault("WarmThroughput", other["WarmThroughput"])  # the service's, on tables and GSIs
        return out
    if isinstance(description, list):
        others = emu_description if isinstance(emu_description, list) else []
        return [
            _service_description(v, others[n] if n < len(others) else None) for n, v in enumerate(description)
        ]
    return description


def service_shaped(local: Outcome, emu: Outcome) -> Outcome:
    """``local`` with its table descriptions in the service's shape (see ``table-description-shape``)."""
    if not (local.ok and emu.ok) or not any(m in local.body for m in _DESCRIPTIONS):
        return local
    fixed = dict(local.body)
    for member in _DESCRIPTIONS:
        if member in fixed:
            fixed[member] = _service_description(local.body[member], emu.body.get(member))
    return type(local)(True, fixed)


def _table_description_shape(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    fixed = service_shaped(local, emu)
    return fixed != local and fixed == emu


def _unrequested_delete_capacity(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op != "delete_item" or request.get("ReturnConsumedCapacity", "NONE") != "NONE":
        return False
    if not (local.ok and emu.ok) or "ConsumedCapacity" not in local.body:
        return False
    rest = {k: v for k, v in local.body.items() if k != "ConsumedCapacity"}
    return rest == emu.body


def _same_fields(local: Outcome, emu: Outcome) -> bool:
    strip = {"Code", "Message"}
    return {k: v for k, v in local.body.items() if k not in strip} == {
        k: v for k, v in emu.body.items() if k not in strip
    }


QUIRKS: tuple[Quirk, ...] = (
    Quirk(
        id="table-description-shape",
        local="table descriptions omit TableId and WarmThroughput and carry epoch-0 "
        "LastIncreaseDateTime/LastDecreaseDateTime in ProvisionedThroughput (found by this suite)",
        service="TableId is always present; WarmThroughput (read, write, status) on the table and every GSI; "
        "throughput timestamps appear only once throughput changed",
        evidence="API reference, TableDescription: TableId is part of every description; "
        "TableWarmThroughputDescription and the developer guide's 'Check your DynamoDB table's current warm "
        "throughput' (DescribeTable shows WarmThroughput with Status); "
        "ProvisionedThroughputDescription's LastIncrease/LastDecreaseDateTime are the times of the "
        "last increase and decrease",
        matcher=_table_description_shape,
    ),
    Quirk(
        id="missing-table-message",
        local="a request on a missing table: ResourceNotFoundException 'Cannot do operations on a "
        "non-existent table', for every operation",
        service="item, query and batch operations: 'Requested resource not found'; DescribeTable, "
        "DeleteTable and UpdateTable: 'Requested resource not found: Table: <name> not found'",
        evidence="AWS's ResourceNotFoundException examples for item, query and batch calls and for "
        "DescribeTable",
        matcher=_missing_table_message,
    ),
    Quirk(
        id="validation-before-existence",
        local="looks the table up first: a malformed request on a missing table gets "
        "ResourceNotFoundException",
        service="validates the request first: the same request gets its ValidationException (the message is "
        "pinned by the same request on an existing table)",
        evidence="shared/DYNAMODB-LOCAL-QUIRKS.md: the service validates the request's shape and constraints "
        "before it looks the table up",
        matcher=_validation_before_existence,
    ),
    Quirk(
        id="transaction-reason-period",
        local="cancellation reason for a failed condition: 'The conditional request failed.' "
        "(older releases)",
        service="'The conditional request failed' (no trailing period)",
        evidence="shared/DYNAMODB-LOCAL-QUIRKS.md: transaction cancellation reasons",
        matcher=_transaction_reason_period,
    ),
    Quirk(
        id="query-missing-key-name",
        local="Query without the partition key condition: 'Query condition missed key schema element'",
        service="'Query condition missed key schema element: <key name>'",
        evidence="shared/DYNAMODB-LOCAL-QUIRKS.md: Query without the partition key condition",
        matcher=_query_missing_key_name,
    ),
    Quirk(
        id="page-limit-before-filter",
        local="the 1 MB page limit counts only items that pass the FilterExpression",
        service="the 1 MB limit counts the data read, before the filter: the page stops early with a "
        "LastEvaluatedKey",
        evidence="shared/DYNAMODB-LOCAL-QUIRKS.md: the 1 MB page limit applies to the data read, before the "
        "FilterExpression",
        matcher=_page_limit_before_filter,
    ),
    Quirk(
        id="limit-on-the-bound",
        local="a Query page that stops at Limit on an item equal to the key condition's inclusive bound at "
        "the end of the read (sk <= 6 read forward ending on 6) carries no LastEvaluatedKey (found by this "
        "suite's random sequences)",
        service="a page stopped by Limit always carries LastEvaluatedKey; the next page may be empty",
        evidence="API reference, Query: Limit stops the read and LastEvaluatedKey is returned; a key does "
        "not mean more data follows",
        matcher=_limit_on_the_bound,
    ),
    Quirk(
        id="index-page-projected-size",
        local="the 1 MB page of an index Query or Scan counts whole items",
        service="counts only the attributes projected into the index: a KEYS_ONLY or INCLUDE page holds more",
        evidence="shared/DYNAMODB-LOCAL-QUIRKS.md: on an index, the service counts only the projected "
        "attributes",
        matcher=_index_page_projected_size,
    ),
    Quirk(
        id="index-size-projected",
        local="IndexSizeBytes of a KEYS_ONLY or INCLUDE index is the size of the whole items (found by this "
        "suite)",
        service="the size of the projected attributes, which the index stores",
        evidence="API reference: IndexSizeBytes is the total size of the index, which holds the projected "
        "attributes only",
        matcher=_index_size_projected,
    ),
    Quirk(
        id="delete-table-status",
        local="DeleteTable answers TableStatus ACTIVE",
        service="DeleteTable answers TableStatus DELETING",
        evidence="shared/DYNAMODB-LOCAL-QUIRKS.md: DeleteTable answers TableStatus DELETING",
        matcher=_delete_table_status,
    ),
    Quirk(
        id="pay-per-request-throughput",
        local="CreateTable accepts BillingMode PAY_PER_REQUEST together with ProvisionedThroughput",
        service="ValidationException: " + PAY_PER_REQUEST_THROUGHPUT,
        evidence="shared/DYNAMODB-LOCAL-QUIRKS.md: CreateTable with PAY_PER_REQUEST and a "
        "ProvisionedThroughput is rejected",
        matcher=_pay_per_request_throughput,
    ),
    Quirk(
        id="unchecked-enums",
        local="accepts values outside the enum of ReturnConsumedCapacity and ReturnItemCollectionMetrics, "
        "and fails with InternalFailure on an unknown BillingMode (found by this suite)",
        service="1 validation error detected: Value '<v>' at '<member>' failed to satisfy constraint: "
        "Member must satisfy enum value set: [...]",
        evidence="the API model's enums (botocore's service-2.json); the printed order: "
        "shared/SERVICE-FACTS.md G",
        matcher=_unchecked_enum,
    ),
    Quirk(
        id="unrequested-delete-capacity",
        local="DeleteItem with ReturnValues=ALL_OLD on a missing item returns ConsumedCapacity nobody asked "
        "for (found by this suite)",
        service="ConsumedCapacity only with ReturnConsumedCapacity TOTAL or INDEXES",
        evidence="API reference, DeleteItem: ConsumedCapacity is returned only if ReturnConsumedCapacity was "
        "specified",
        matcher=_unrequested_delete_capacity,
    ),
    Quirk(
        id="wrong-json-member-types",
        local="accepts wrongly typed JSON members such as {'N': 5} or {'BOOL': 'true'}",
        service="SerializationException",
        evidence="shared/DYNAMODB-LOCAL-QUIRKS.md: wrongly typed JSON members get a SerializationException",
        matcher=_wrong_json_types,
    ),
)


# -- control plane and server-side validation -------------------------------------------------------------

# The service's order of the enum value sets it prints (SERVICE-FACTS G, table "Known orders"); others are
# printed in the model's order. Scan's Select is Query's shape.
_ENUM_ORDER = {
    "ScalarAttributeType": ["B", "N", "S"],
    "Select": ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"],
    "ReturnValue": ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"],
    "ReturnConsumedCapacity": ["INDEXES", "TOTAL", "NONE"],
    "ReturnItemCollectionMetrics": ["SIZE", "NONE"],
}
# Members the service reports in the newer form, no value and a PascalCase path (SERVICE-FACTS B2, D1).
_UNECHOED = frozenset({("QueryInput", "Limit"), ("KeysAndAttributes", "Keys")})


def _pascal(path: str) -> str:
    parts = path.split(".")
    return ".".join(
        p[:1].upper() + p[1:] if n == 0 or parts[n - 1] == "member" else p for n, p in enumerate(parts)
    )


def _scalar_text(value: Any) -> str | None:
    """A scalar as the service's constraint messages print it; None where the wording is not certain."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    return None


def _violations(shape: Any, value: Any, path: str, out: list[str]) -> bool:
    """Append the API model's constraint violations of ``value`` (DynamoDB's framework order: required
    members and then each member in model order; enum, pattern, max, min). False where a violation's
    wording is not certain (a non-empty collection printed whole, a map value's path, a binary value)."""
    model = _service_model()
    kind = shape.type_name
    meta = shape.metadata

    def failed(shown: str, rule: str) -> None:
        out.append(f"Value {shown} at '{path}' failed to satisfy constraint: {rule}")

    if kind == "structure":
        if not isinstance(value, Mapping):
            return False
        required = set(meta.get("required", ()))
        for name, member in shape.members.items():
            seg = name[0].lower() + name[1:]
            where = f"{path}.{seg}" if path else seg
            item = value.get(name)
            if item is None:
                if name in required:
                    out.append(
                        f"Value null at '{where}' failed to satisfy constraint: Member must not be null"
                    )
                continue
            if name == "TableName" and isinstance(item, str):
                # Where an ARN may stand, "" breaks only the ARN's minimum of 1 (SERVICE-FACTS B1).
                arn = item.startswith("arn:") or (item == "" and shape.name != "CreateTableInput")
                member = model.shape_for("TableArn" if arn else "TableName")
            found: list[str] = []
            if not _violations(member, item, where, found):
                return False
            if (shape.name, name) in _UNECHOED:
                marker = f" at '{where}' failed to satisfy constraint: "
                found = [
                    f"Value at '{_pascal(where)}' failed to satisfy constraint: {i.rpartition(marker)[2]}"
                    if marker in i
                    else i
                    for i in found
                ]
            out.extend(found)
        return True
    if kind in ("list", "map"):
        if not isinstance(value, list | Mapping):
            return False
        for bound, rule in (("max", "less than or equal to"), ("min", "greater than or equal to")):
            limit = meta.get(bound)
            if limit is not None and (len(value) > limit if bound == "max" else len(value) < limit):
                if value:
                    return False
                failed("'[]'" if kind == "list" else "'{}'", f"Member must have length {rule} {limit}")
        if kind == "list":
            return all(
                _violations(shape.member, item, f"{path}.{n}.member", out)
                for n, item in enumerate(value, 1)
                if item is not None
            )
        inner: list[str] = []
        entries = value.values() if isinstance(value, Mapping) else ()
        ok = all(_violations(shape.value, item, path, inner) for item in entries if item is not None)
        return ok and not inner
    text = _scalar_text(value)
    if text is None:
        return False
    enum = _ENUM_ORDER.get(shape.name, meta.get("enum"))
    if enum and value not in enum:
        failed(f"'{text}'", "Member must satisfy enum value set: [" + ", ".join(enum) + "]")
    pattern = meta.get("pattern")
    if pattern and isinstance(value, str) and re.fullmatch(pattern, value) is None:
        failed(f"'{text}'", f"Member must satisfy regular expression pattern: {pattern}")
    measure = len(value) if isinstance(value, str) else value
    what = "length" if isinstance(value, str) else "value"
    if meta.get("max") is not None and measure > meta["max"]:
        failed(f"'{text}'", f"Member must have {what} less than or equal to {meta['max']}")
    if meta.get("min") is not None and measure < meta["min"]:
        failed(f"'{text}'", f"Member must have {what} greater than or equal to {meta['min']}")
    return True


@functools.cache
def _service_model() -> Any:
    return botocore.session.get_session().get_service_model("dynamodb")


def constraint_report(op: str, request: Mapping[str, Any], *, physical: bool = False) -> str | None:
    """The service's report of the request's model-constraint violations, or None where there is none or
    its wording is not certain. ``physical``: the harness sent ``TableName`` with its ``-<10 hex>`` suffix
    (a logical name), so the report is about that name."""
    model = _service_model()
    shape = model.operation_model(model.operation_names[_op_index(model.operation_names, op)]).input_shape
    found: list[str] = []
    if physical and isinstance(request.get("TableName"), str):
        request = {**request, "TableName": request["TableName"] + "-0123456789"}
    if shape is None or not _violations(shape, request, "", found) or not found:
        return None
    noun = "error" if len(found) == 1 else "errors"
    return f"{len(found)} validation {noun} detected: " + "; ".join(found)


def _model_constraint_wording(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if local.code != "ValidationException" or emu.code != "ValidationException":
        return False
    # The allow-list sees the corpus's request: its TableName went out as given or, for a table the case
    # named, with the harness's suffix. The emulator's report must be the service's for one of the two.
    for physical in (False, True):
        expected = constraint_report(op, request, physical=physical)
        if expected is not None and emu.message == expected and local.message != expected:
            return True
    return False


PREEXISTING_LOCAL = "Cannot create preexisting table"


def _preexisting_table(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op != "create_table" or local.code != "ResourceInUseException" or emu.code != local.code:
        return False
    return (
        local.message == PREEXISTING_LOCAL and emu.message == f"Table already exists: {request['TableName']}"
    )


_LOCAL_UNDEFINED = re.compile(
    r"(Hash|Range) Key not specified in Attribute Definitions\.  Type unknown\."
    r"|Attribute \S+ is not defined in AttributeDefinitions"
)


def _undefined_key_attributes(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op != "create_table" or local.code != "ValidationException" or emu.code != local.code:
        return False
    if _LOCAL_UNDEFINED.fullmatch(local.message or "") is None:
        return False
    defined = [d.get("AttributeName") for d in request.get("AttributeDefinitions", [])]
    schemas = [request.get("KeySchema", [])]
    for member in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
        schemas += [index.get("KeySchema", []) for index in request.get(member, [])]
    undefined: list[str] = []
    for schema in schemas:
        for element in schema:
            name = element.get("AttributeName")
            if name not in defined and name not in undefined:
                undefined.append(name)
    expected = (
        "One or more parameter values were invalid: Some index key attributes are not defined in "
        f"AttributeDefinitions. Keys: [{', '.join(undefined)}], AttributeDefinitions: [{', '.join(defined)}]"
    )
    return bool(undefined) and emu.message == expected


LOCAL_KEY_CONDITIONS = "The number of conditions on the keys is invalid"
SERVICE_KEY_MISMATCH = "The provided key element does not match the schema"
_KEYED_OPS = frozenset(
    {"get_item", "delete_item", "update_item", "batch_get_item", "batch_write_item", "transact_get_items"}
)


LOCAL_KEY_TYPE = "One or more parameter values were invalid: Type mismatch for key"
LOCAL_MISSING_KEY = "One of the required keys was not given a value"
# DynamoDB Local's words for a request Key that does not match the schema: too few or too many attributes,
# a key attribute of the wrong scalar type, a key attribute missing (the service: one sentence for all).
_LOCAL_KEY_WORDS = frozenset({LOCAL_KEY_CONDITIONS, LOCAL_KEY_TYPE, LOCAL_MISSING_KEY})


def _key_mismatch_wording(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op not in _KEYED_OPS or local.code != "ValidationException" or emu.code != local.code:
        return False
    return local.message in _LOCAL_KEY_WORDS and emu.message == SERVICE_KEY_MISMATCH


QUIRKS = (
    *QUIRKS,
    Quirk(
        id="key-mismatch-wording",
        local="a Key with too few or too many attributes: 'The number of conditions on the keys is invalid'; "
        "a key attribute of the wrong type: 'One or more parameter values were invalid: Type mismatch for "
        "key'; a key attribute missing: 'One of the required keys was not given a value'",
        service="'The provided key element does not match the schema' for all three (the service's "
        "documented wording, AWS knowledge center: wrong names, number or data types of key attributes; "
        "used by emulator/messages.py as the issue asks; pinned in test_data_plane_vs_local.py)",
        evidence="AWS knowledge center and SDK error examples: one sentence for wrong names, counts and "
        "types",
        matcher=_key_mismatch_wording,
    ),
    Quirk(
        id="model-constraint-wording",
        local="reports a violation of the API model's constraints (required member, length, range, pattern, "
        "enum) in its own words, e.g. 'Limit must be greater than or equal to 1', 'Invalid table/index "
        "name. ...', 'Cannot have null key for GetItem, DeleteItem, or UpdateItem' (found by this suite)",
        service="the framework's report, all violations at once: '1 validation error detected: Value '0' at "
        "'limit' failed to satisfy constraint: Member must have value greater than or equal to 1' (format "
        "quoted by the issue); accepted only where every value prints as a scalar, null, [] or {}",
        evidence="shared/SERVICE-FACTS.md B: the framework's report, 'N validation error(s) detected: ...' "
        "(and its newer form)",
        matcher=_model_constraint_wording,
    ),
    Quirk(
        id="preexisting-table",
        local="CreateTable of an existing table: ResourceInUseException 'Cannot create preexisting table'",
        service="'Table already exists: <name>' (AWS's ResourceInUseException error examples)",
        evidence="AWS's ResourceInUseException examples",
        matcher=_preexisting_table,
    ),
    Quirk(
        id="undefined-key-attributes",
        local="a key attribute missing from AttributeDefinitions: 'Hash Key not specified in Attribute "
        "Definitions.  Type unknown.' or 'Attribute <g> is not defined in AttributeDefinitions'",
        service="'One or more parameter values were invalid: Some index key attributes are not defined in "
        "AttributeDefinitions. Keys: [...], AttributeDefinitions: [...]' (AWS documentation)",
        evidence="AWS documentation, verbatim",
        matcher=_undefined_key_attributes,
    ),
)


def match(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> Quirk | None:
    """The quirk that explains the difference between ``local`` and ``emu``, or None (a real mismatch)."""
    for quirk in QUIRKS:
        if quirk.matcher(op, request, local, emu):
            return quirk
    # The table-description shape composes with the others (DeleteTable shows it and its status quirk).
    shaped = service_shaped(local, emu)
    if shaped != local:
        for quirk in QUIRKS:
            if quirk.matcher(op, request, shaped, emu):
                return quirk
    return None


# -- transactions and tagging (issue 5, engineer A) --------------------------------------------------------

TRANSACTION_SAME_ITEM = "Transaction request cannot include multiple operations on one item"
LOCAL_NO_TAGGING = "Tagging is not currently supported in DynamoDB Local."


def _transaction_check_and_write(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if (
        op != "transact_write_items"
        or emu.code != "ValidationException"
        or emu.message != TRANSACTION_SAME_ITEM
    ):
        return False
    if local.code == "ValidationException":
        return False
    checked, written = set(), []
    for action in request.get("TransactItems", []):
        for kind, body in action.items():
            spot = (body.get("TableName"), repr(sorted(body.get("Key", {}).items())))
            (checked.add(spot) if kind == "ConditionCheck" else written.append(spot))
    return bool(checked & set(written)) and len(set(written)) == len(written)


def _local_without_tagging(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op not in ("tag_resource", "untag_resource", "list_tags_of_resource", "describe_endpoints"):
        return False
    if local.code != "UnknownOperationException":
        return False
    expected = LOCAL_NO_TAGGING if op != "describe_endpoints" else "An unknown operation was requested."
    return local.message == expected and emu.code != "UnknownOperationException"


def _transaction_single_reason(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op != "transact_write_items" or local.code != emu.code or local.code != "TransactionCanceledException":
        return False
    local_reasons = local.body.get("CancellationReasons", [])
    emu_reasons = emu.body.get("CancellationReasons", [])
    actions = request.get("TransactItems", [])
    if len(local_reasons) != 1 or len(emu_reasons) != len(actions) or len(actions) < 2:
        return False
    failed = [reason for reason in emu_reasons if reason.get("Code") != "None"]
    return failed == local_reasons and "Cannot update attribute" in str(local_reasons[0].get("Message"))


def _terse_length_message(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op not in ("transact_write_items", "transact_get_items") or local.code != "ValidationException":
        return False
    rule = "Member must have length less than or equal to 100"
    text = emu.message or ""
    return (
        local.message == rule
        and emu.code == "ValidationException"
        and text.startswith("1 validation error detected: Value '[")
        and text.endswith(f"]' at 'transactItems' failed to satisfy constraint: {rule}")
    )


QUIRKS = (
    *QUIRKS,
    Quirk(
        id="transaction-check-and-write-same-item",
        local="TransactWriteItems runs a ConditionCheck and a Put/Update/Delete on the same item "
        "(found by this suite)",
        service="ValidationException: "
        + TRANSACTION_SAME_ITEM
        + " (the API reference: a ConditionCheck and an "
        "Update cannot target the same item)",
        evidence="API reference, TransactWriteItems: a ConditionCheck and a write cannot target the same "
        "item",
        matcher=_transaction_check_and_write,
    ),
    Quirk(
        id="local-without-tagging",
        local="TagResource, UntagResource and ListTagsOfResource answer UnknownOperationException "
        "'Tagging is not currently supported in DynamoDB Local.'; DescribeEndpoints is an unknown operation",
        service="the operations exist (the emulator's answers are pinned by tests/emulator/test_tags.py)",
        evidence="DynamoDB Local's own answer ('not currently supported'); the API reference documents the "
        "operations",
        matcher=_local_without_tagging,
    ),
    Quirk(
        id="transaction-single-reason",
        local="an Update that sets a key attribute cancels the transaction with that one ValidationError "
        "reason, whatever the number of actions (found by this suite)",
        service="one CancellationReason per action, in order: Code None for the others (API reference)",
        evidence="API reference, TransactionCanceledException: one CancellationReason per action, in order",
        matcher=_transaction_single_reason,
    ),
    Quirk(
        id="transaction-terse-length-message",
        local="more than 100 actions: 'Member must have length less than or equal to 100' alone",
        service="the framework's full constraint report: 1 validation error detected: Value '[...]' at "
        "'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
        evidence="the model's limit of 100 actions, reported as shared/SERVICE-FACTS.md B describes the "
        "framework's report",
        matcher=_terse_length_message,
    ),
)


# -- values, written keys and index statistics -------------------------------------------------------------

_EXACT = Context(prec=100)


def canonical_number(text: str) -> str | None:
    """The service's text for a number (``"10.00"`` -> ``"10"``, ``"5.6E+2"`` -> ``"560"``): no exponent,
    no leading or trailing zeros, ``"0"`` for zero. None for text that is not a finite number.

    AWS: "Leading and trailing zeroes are trimmed" (Number data type); the issue: ``"1.50"`` reads ``"1.5"``.
    """
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not value.is_finite():
        return None
    return "0" if value.is_zero() else format(value.normalize(_EXACT), "f")


def _numbers_as_service(local: Any, emu: Any) -> bool:
    """``emu`` is ``local`` with every number (``N`` and ``NS`` members) in its canonical text."""
    if isinstance(local, dict) and isinstance(emu, dict):
        if local.keys() != emu.keys():
            return False
        if len(local) == 1 and isinstance(local.get("N"), str) and isinstance(emu.get("N"), str):
            return bool(emu["N"] == canonical_number(local["N"]))
        members, emu_members = local.get("NS"), emu.get("NS")
        if len(local) == 1 and isinstance(members, list) and isinstance(emu_members, list):
            if not all(isinstance(m, str) for m in (*members, *emu_members)):
                return False
            return sorted(emu_members) == sorted(str(canonical_number(m)) for m in members)
        return all(_numbers_as_service(local[k], emu[k]) for k in local)
    if isinstance(local, list) and isinstance(emu, list):
        return len(local) == len(emu) and all(
            _numbers_as_service(a, b) for a, b in zip(local, emu, strict=True)
        )
    return bool(local == emu)


def _number_normalization(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if not (local.ok and emu.ok) or local.body == emu.body:
        return False
    return _numbers_as_service(local.body, emu.body)


_SERVICE_KEY_TYPE = re.compile(
    r"One or more parameter values were invalid: "
    r"Type mismatch for key (\S+) expected: ([SNB]) actual: ([SNB])"
)
_SERVICE_MISSING_KEY = re.compile(
    r"One or more parameter values were invalid: Missing the key (\S+) in the item"
)


def _written_items(op: str, request: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The whole items a request writes (PutItem's Item, BatchWriteItem's PutRequests)."""
    if op == "put_item":
        item = request.get("Item")
        return [item] if isinstance(item, Mapping) else []
    if op != "batch_write_item":
        return []
    found = []
    for writes in (request.get("RequestItems") or {}).values():
        for write in writes if isinstance(writes, list) else ():
            item = (write.get("PutRequest") or {}).get("Item") if isinstance(write, Mapping) else None
            if isinstance(item, Mapping):
                found.append(item)
    return found


def _key_type_wording(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if local.code != "ValidationException" or emu.code != local.code or local.message != LOCAL_KEY_TYPE:
        return False
    found = _SERVICE_KEY_TYPE.fullmatch(emu.message or "")
    if found is None or found.group(2) == found.group(3):
        return False
    name, actual = found.group(1), found.group(3)
    return any(
        isinstance(item.get(name), Mapping) and list(item[name]) == [actual]
        for item in _written_items(op, request)
    )


def _missing_key_wording(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if local.code != "ValidationException" or emu.code != local.code or local.message != LOCAL_MISSING_KEY:
        return False
    found = _SERVICE_MISSING_KEY.fullmatch(emu.message or "")
    return found is not None and any(found.group(1) not in item for item in _written_items(op, request))


def _sparse_gsi_sizes(local: Any, emu: Any) -> tuple[Any, bool]:
    """``local``'s description with the emulator's IndexSizeBytes for each GSI with more than one key
    attribute (a sort key, or a multi-attribute key) where Local's is larger (it also counts items holding
    only some of the index key attributes), the ItemCounts agree, and Local's size does not exceed the
    table's. Also applies ``index-size-projected``'s fix."""
    if not isinstance(local, dict) or not isinstance(emu, dict):
        return local, False
    fixed = _with_projected_index_sizes(local, emu)
    emu_indexes = {i.get("IndexName"): i for i in emu.get("GlobalSecondaryIndexes", [])}
    table_size = local.get("TableSizeBytes")
    changed, indexes = False, []
    for index in fixed.get("GlobalSecondaryIndexes", []):
        other = emu_indexes.get(index.get("IndexName"), {})
        size, emu_size = index.get("IndexSizeBytes"), other.get("IndexSizeBytes")
        several = len(index.get("KeySchema", [])) > 1  # a sort key, or a multi-attribute key
        sizes = (size, emu_size, table_size)
        if (
            several
            and all(isinstance(n, int) for n in sizes)
            and emu_size < size <= table_size
            and index.get("ItemCount") == other.get("ItemCount")
        ):
            index = {**index, "IndexSizeBytes": emu_size}
            changed = True
        indexes.append(index)
    if "GlobalSecondaryIndexes" in fixed:
        fixed = {**fixed, "GlobalSecondaryIndexes": indexes}
    return fixed, changed


def _index_size_sparse_keys(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if not (local.ok and emu.ok) or not any(m in local.body for m in _DESCRIPTIONS):
        return False
    fixed, changed = dict(local.body), False
    for member in _DESCRIPTIONS:
        if member in fixed:
            fixed[member], one = _sparse_gsi_sizes(local.body[member], emu.body.get(member))
            changed = changed or one
    return changed and fixed == emu.body


QUIRKS = (
    *QUIRKS,
    Quirk(
        id="number-normalization",
        local="keeps a number's written text inside L, M and NS values and in UpdateItem arithmetic results "
        "(ADD 5.00 to 5 reads '10.00'; a number in a list reads '5.6E+107'; found by this suite)",
        service="every number is stored in its canonical text at every depth: no exponent, leading or "
        "trailing zeros (AWS, Number data type: 'Leading and trailing zeroes are trimmed'; the issue: "
        "'1.50' reads '1.5'); accepted only where each emulator number is the canonical text of Local's",
        evidence="AWS, Number data type: 'Leading and trailing zeroes are trimmed'",
        matcher=_number_normalization,
    ),
    Quirk(
        id="key-type-wording",
        local="an item whose key attribute has the wrong scalar type: 'One or more parameter values were "
        "invalid: Type mismatch for key'",
        service="'One or more parameter values were invalid: Type mismatch for key <k> expected: <T> actual: "
        "<T>' (AWS knowledge center and SDK error examples); <k> must be an attribute of the written item "
        "of type <T>",
        evidence="AWS knowledge center and SDK error examples",
        matcher=_key_type_wording,
    ),
    Quirk(
        id="missing-key-wording",
        local="an item without a key attribute: 'One of the required keys was not given a value'",
        service="'One or more parameter values were invalid: Missing the key <k> in the item' (AWS knowledge "
        "center and SDK error examples); <k> must be missing from the written item",
        evidence="AWS knowledge center and SDK error examples",
        matcher=_missing_key_wording,
    ),
    Quirk(
        id="index-size-sparse-keys",
        local="IndexSizeBytes of a GSI with a sort key (or a multi-attribute key) also counts items that "
        "hold only some of the index key attributes (not in the index: its ItemCount leaves them out; found "
        "by this suite)",
        service="the size of the items in the index only (AWS: an index holds an item only when it has the "
        "index key attributes; IndexSizeBytes is 'the total size of the specified index')",
        evidence="AWS: a sparse index holds an item only when it has the index key attributes",
        matcher=_index_size_sparse_keys,
    ),
)


# -- the service's recorded answers (shared/SERVICE-FACTS.md) ----------------------------------------------
# Each entry below is a family of SERVICE-FACTS.md: the service's exact answer is recorded, DynamoDB Local's
# differs, and the matcher rebuilds the service's answer from the request on its own.

REQUEST_ITEMS_REQUIRED = "The requestItems parameter is required for {operation}"
LOCAL_NO_REQUESTS = {
    "batch_get_item": "BatchGetItem must have some requests set",
    "batch_write_item": "BatchWriteItem cannot have a null or no requests set",
}
LOCAL_TABLE_NAME = (
    "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, and may contain "
    "only the characters a-z, A-Z, 0-9, '_', '-', and '.'"
)


def _required_parameter_sentence(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if local.code != "ValidationException" or emu.code != local.code:
        return False
    if op in LOCAL_NO_REQUESTS and not request.get("RequestItems"):
        operation = "BatchGetItem" if op == "batch_get_item" else "BatchWriteItem"
        return local.message == LOCAL_NO_REQUESTS[op] and emu.message == REQUEST_ITEMS_REQUIRED.format(
            operation=operation
        )
    if op == "create_table" and request.get("TableName") is None:
        return local.message == LOCAL_TABLE_NAME and emu.message == (
            "The parameter 'TableName' is required but was not present in the request"
        )
    return False


LOCAL_SEGMENT_WITHOUT_TOTAL = "If segment is specified, total segment must also be specified"
LOCAL_TOTAL_WITHOUT_SEGMENT = (
    "If total segments is specified, a particular segment must also be specified for this request"
)


def _scan_segment_wording(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op != "scan" or local.code != "ValidationException" or emu.code != local.code:
        return False
    segment, total = request.get("Segment"), request.get("TotalSegments")
    if segment is not None and total is None:
        return local.message == LOCAL_SEGMENT_WITHOUT_TOTAL and emu.message == (
            "The TotalSegments parameter is required but was not present in the request when Segment "
            "parameter is present"
        )
    if total is not None and segment is None:
        return local.message == LOCAL_TOTAL_WITHOUT_SEGMENT and emu.message == (
            "The Segment parameter is required but was not present in the request when parameter "
            "TotalSegments is present"
        )
    if isinstance(segment, int) and isinstance(total, int) and segment >= total:
        return local.message == (
            f"1 validation error detected: Value '{segment}' at 'segment' failed to satisfy constraint: "
            f"Member must have value less than or equal to {total - 1}"
        ) and emu.message == (
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
            f"Segment: {segment} is not less than TotalSegments: {total}"
        )
    return False


LOCAL_TOO_MANY = "Too many items requested for the {operation} call"
_D2 = re.compile(
    r"1 validation error detected: Value '\{(?P<tables>.+)\}' at 'requestItems' failed to satisfy "
    r"constraint: Map value must satisfy constraint: \[Member must have length less than or equal to 25, "
    r"Member must have length greater than or equal to 1\]",
    re.DOTALL,
)


def _batch_size_report(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if local.code != "ValidationException" or emu.code != local.code:
        return False
    items = request.get("RequestItems")
    if not isinstance(items, Mapping):
        return False
    if op == "batch_get_item" and local.message == LOCAL_TOO_MANY.format(operation="BatchGetItem"):
        over = [t for t, spec in items.items() if len((spec or {}).get("Keys") or ()) > 100]
        return len(over) == 1 and emu.message == (
            f"1 validation error detected: Value at 'RequestItems.{over[0]}.member.Keys' failed to satisfy "
            "constraint: Member must have length less than or equal to 100"
        )
    if op == "batch_write_item" and local.message == LOCAL_TOO_MANY.format(operation="BatchWriteItem"):
        found = _D2.fullmatch(emu.message or "")
        too_many = any(len(writes or ()) > 25 for writes in items.values())
        return too_many and found is not None and found.group("tables").startswith(f"{next(iter(items))}=[")
    return False


_LOCAL_SCHEMA_WORDS = {
    "Two keys can not have the same name": "Invalid KeySchema: Some index key attribute have no definition",
    "Local Secondary indices are not allowed on hash tables, only hash and range tables": (
        "One or more parameter values were invalid: Table KeySchema does not have a range key, which is "
        "required when specifying a LocalSecondaryIndex"
    ),
}
_LOCAL_DUPLICATE_INDEX = frozenset(
    {
        "Two global secondary indices have the same name",
        "Two local secondary indices have the same name",
        "Local Secondary Indices AND Global Secondary Indices must have different names",
    }
)
LOCAL_KEY_SCHEMA_TOO_BIG = (
    "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table"
)


def _key_schema_element(element: Mapping[str, Any]) -> str:
    return f"KeySchemaElement(attributeName={element.get('AttributeName')}, keyType={element.get('KeyType')})"


def _create_table_wording(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op != "create_table" or local.code != "ValidationException" or emu.code != local.code:
        return False
    key_schema = request.get("KeySchema") or []
    names = [element.get("AttributeName") for element in key_schema]
    if local.message == LOCAL_KEY_SCHEMA_TOO_BIG:  # E2
        shown = ", ".join(_key_schema_element(element) for element in key_schema)
        return len(key_schema) > 2 and emu.message == (
            f"1 validation error detected: Value '[{shown}]' at 'keySchema' failed to satisfy constraint: "
            "Member must have length less than or equal to 2"
        )
    if local.message == "Two keys can not have the same name":  # E1
        repeated = len(set(names)) < len(names)
        defined = len(request.get("AttributeDefinitions") or ())
        return repeated and len(names) > defined and emu.message == _LOCAL_SCHEMA_WORDS[local.message]
    if local.message in _LOCAL_SCHEMA_WORDS:  # E3
        hash_only = not any(element.get("KeyType") == "RANGE" for element in key_schema)
        return (
            hash_only
            and bool(request.get("LocalSecondaryIndexes"))
            and (emu.message == _LOCAL_SCHEMA_WORDS[local.message])
        )
    if local.message in _LOCAL_DUPLICATE_INDEX:  # E4
        indexes = [*request.get("LocalSecondaryIndexes", ()), *request.get("GlobalSecondaryIndexes", ())]
        index_names = [index.get("IndexName") for index in indexes]
        repeats = {name for name in index_names if index_names.count(name) > 1}
        return any(
            emu.message == f"One or more parameter values were invalid: Duplicate index name: {name}"
            for name in repeats
        )
    return False


def _set_duplicate_period(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if local.code != "ValidationException" or emu.code != local.code:
        return False
    prefix = "One or more parameter values were invalid: Input collection ["
    text = local.message or ""
    return text.startswith(prefix) and text.endswith("] contains duplicates") and emu.message == text + "."


def _update_table_pay_per_request(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op != "update_table" or request.get("BillingMode") != "PAY_PER_REQUEST":
        return False
    if "ProvisionedThroughput" not in request:
        return False
    local_takes_it = local.ok or (
        local.code == "ValidationException"
        and local.message == "The requested throughput value equals the current value"
    )
    return local_takes_it and emu.code == "ValidationException" and emu.message == PAY_PER_REQUEST_THROUGHPUT


QUIRKS = (
    *QUIRKS,
    Quirk(
        id="required-parameter-sentence",
        local="'BatchGetItem must have some requests set', 'BatchWriteItem cannot have a null or no requests "
        "set'; CreateTable without TableName: 'Invalid table/index name. ...'",
        service="'The requestItems parameter is required for <Operation>'; 'The parameter 'TableName' is "
        "required but was not present in the request' (SERVICE-FACTS A1-A3, us-east-1)",
        evidence="shared/SERVICE-FACTS.md A1-A3 (us-east-1)",
        matcher=_required_parameter_sentence,
    ),
    Quirk(
        id="scan-segment-wording",
        local="'If segment is specified, total segment must also be specified', 'If total segments is "
        "specified, ...', and a Segment past the total as a model report on 'segment'",
        service="'The TotalSegments parameter is required but was not present in the request when Segment "
        "parameter is present', its mirror, and 'The Segment parameter is zero-based and must be less than "
        "parameter TotalSegments: Segment: <s> is not less than TotalSegments: <t>' (SERVICE-FACTS C1-C3)",
        evidence="shared/SERVICE-FACTS.md C1-C3",
        matcher=_scan_segment_wording,
    ),
    Quirk(
        id="batch-size-report",
        local="'Too many items requested for the BatchGetItem call' (more than 100 keys for one table) and "
        "'... BatchWriteItem call' (more than 25 writes for one table)",
        service="the model's limits, reported by the framework: 'Value at 'RequestItems.<t>.member.Keys' ... "
        "less than or equal to 100' and the whole map echoed at 'requestItems' with 'Map value must satisfy "
        "constraint: [...25, ...1]' (SERVICE-FACTS D1, D2)",
        evidence="shared/SERVICE-FACTS.md D1, D2",
        matcher=_batch_size_report,
    ),
    Quirk(
        id="create-table-wording",
        local="'Key Schema too big. ...', 'Two keys can not have the same name', 'Local Secondary indices "
        "are not allowed on hash tables, ...', 'Two global/local secondary indices have the same name'",
        service="the model's report echoing the key schema; 'Invalid KeySchema: Some index key attribute "
        "have no definition'; 'One or more parameter values were invalid: Table KeySchema does not have a "
        "range key, ...'; '... Duplicate index name: <name>' (SERVICE-FACTS E1-E4; two LSIs or a GSI and an "
        "LSI: the record's guess)",
        evidence="shared/SERVICE-FACTS.md E1-E4",
        matcher=_create_table_wording,
    ),
    Quirk(
        id="set-duplicate-period",
        local="'One or more parameter values were invalid: Input collection [a, a] contains duplicates'",
        service="the same sentence ending with a period (SERVICE-FACTS F1)",
        evidence="shared/SERVICE-FACTS.md F1",
        matcher=_set_duplicate_period,
    ),
    Quirk(
        id="update-table-pay-per-request-throughput",
        local="UpdateTable to PAY_PER_REQUEST with a ProvisionedThroughput: accepted, or refused only when "
        "the throughput equals the current one",
        service="refused as CreateTable refuses it (SERVICE-FACTS H1; the words are CreateTable's, the "
        "service's were not recorded)",
        evidence="shared/SERVICE-FACTS.md H1",
        matcher=_update_table_pay_per_request,
    ),
)


# -- behaviour differences settled against the service's documentation ---------------------------------------

_NOT_NAMES = frozenset(
    {"AND", "OR", "NOT", "BETWEEN", "IN", "attribute_exists", "attribute_not_exists", "attribute_type"}
    | {"begins_with", "contains", "size"}
)


def _filter_names(request: Mapping[str, Any]) -> set[str]:
    """The attribute names a Scan's filter reads (top-level names of its paths, placeholders resolved)."""
    if isinstance(request.get("ScanFilter"), Mapping):
        return set(request["ScanFilter"])
    expression = request.get("FilterExpression")
    if not isinstance(expression, str):
        return set()
    names = request.get("ExpressionAttributeNames") or {}
    found = set()
    for token in re.findall(r"(?<![:\w.#])[#A-Za-z_][\w]*", expression):
        if token.startswith("#"):
            found.add(names.get(token, token))
        elif token not in _NOT_NAMES:
            found.add(token)
    return found


def _gsi_filter_reads_base_table(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op != "scan" or "IndexName" not in request or not (local.ok and emu.ok):
        return False
    local_items, emu_items = local.body.get("Items", []), emu.body.get("Items", [])
    if not local_items or any(item not in local_items for item in emu_items):
        return False
    # Local found a match on an attribute that none of the items it returns (the index's projection) holds.
    unseen = {name for name in _filter_names(request) if all(name not in item for item in local_items)}
    return (
        bool(unseen)
        and len(emu_items) < len(local_items)
        and emu.body.get("Count") == len(emu_items)
        and emu.body.get("ScannedCount") == local.body.get("ScannedCount")
    )


def _page_limit_last_page_key(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op not in ("query", "scan") or not (local.ok and emu.ok) or "Limit" in request:
        return False
    key = emu.body.get("LastEvaluatedKey")
    if "LastEvaluatedKey" in local.body or not isinstance(key, Mapping):
        return False
    rest = {name: value for name, value in emu.body.items() if name != "LastEvaluatedKey"}
    items = emu.body.get("Items")
    last = items[-1] if items else {}
    # At least three items: items of at most 400 KB reach 1 MB no sooner; the key is the last item's.
    return (
        rest == local.body
        and local.body.get("ScannedCount", 0) >= 3
        and all(last[name] == value for name, value in key.items() if name in last)
    )


# -- PartiQL (issue 11) --------------------------------------------------------------------------------------

PARTIQL_PARAMETER_COUNT = "Number of parameters in request and statement don't match."
PARTIQL_DUPLICATE_ITEM = "Duplicate primary key exists in table"
_PARTIQL_OPS = frozenset({"execute_statement", "batch_execute_statement", "execute_transaction"})


def _question_marks(statement: str) -> int:
    """How many ``?`` a statement holds outside its string literals and quoted names."""
    return len(re.findall(r"\?", re.sub(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"", "", statement)))


def _surplus(entry: Mapping[str, Any]) -> bool:
    return len(entry.get("Parameters") or []) > _question_marks(str(entry.get("Statement", "")))


def _partiql_surplus_parameters(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op == "execute_statement":
        refused = emu.code == "ValidationException" and emu.message == PARTIQL_PARAMETER_COUNT
        return local.ok and refused and _surplus(request)
    if op == "execute_transaction" and local.ok and emu.code == "ValidationException":
        found = re.fullmatch(r"Validation failed in TransactStatements\[(\d+)\]: (.*)", emu.message or "")
        statements = request.get("TransactStatements", [])
        return (
            found is not None
            and found.group(2) == PARTIQL_PARAMETER_COUNT
            and int(found.group(1)) < len(statements)
            and _surplus(statements[int(found.group(1))])
        )
    refused_entry = {"Error": {"Code": "ValidationError", "Message": PARTIQL_PARAMETER_COUNT}}
    return _batch_entries_differ_only(
        op,
        request,
        local,
        emu,
        lambda entry, _local, emu_entry: _surplus(entry) and emu_entry == refused_entry,
    )


def _batch_entries_differ_only(
    op: str,
    request: Mapping[str, Any],
    local: Outcome,
    emu: Outcome,
    explained: Callable[[Mapping[str, Any], Any, Any], bool],
) -> bool:
    """A BatchExecuteStatement answer that differs only in entries ``explained`` accepts (at least one)."""
    if op != "batch_execute_statement" or not (local.ok and emu.ok):
        return False
    rest_local = {k: v for k, v in local.body.items() if k != "Responses"}
    if rest_local != {k: v for k, v in emu.body.items() if k != "Responses"}:
        return False
    entries = request.get("Statements", [])
    ours, theirs = local.body.get("Responses", []), emu.body.get("Responses", [])
    if not (len(ours) == len(theirs) == len(entries)):
        return False
    differing = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    return bool(differing) and all(explained(entries[i], ours[i], theirs[i]) for i in differing)


def _partiql_duplicate_item_code(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    return (
        op == "execute_statement"
        and local.code == "DuplicateItem"
        and emu.code == "DuplicateItemException"
        and local.message == emu.message == PARTIQL_DUPLICATE_ITEM
        and _same_fields(local, emu)
    )


def _partiql_no_capacity(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    if op not in _PARTIQL_OPS or request.get("ReturnConsumedCapacity", "NONE") == "NONE":
        return False
    if not (local.ok and emu.ok) or "ConsumedCapacity" in local.body or "ConsumedCapacity" not in emu.body:
        return False
    return {k: v for k, v in emu.body.items() if k != "ConsumedCapacity"} == local.body


def _conditional_delete(entry: Mapping[str, Any]) -> bool:
    statement = str(entry.get("Statement", "")).lstrip().upper()
    return statement.startswith("DELETE") and " AND " in statement


def _partiql_delete_false_condition(
    op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome
) -> bool:
    failed = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
    if op == "execute_statement":
        return (
            _conditional_delete(request)
            and local.ok
            and local.body == {"Items": []}
            and emu.code == "ConditionalCheckFailedException"
            and emu.message == failed["Message"]
        )
    if op == "execute_transaction":
        statements = request.get("TransactStatements", [])
        reasons = emu.body.get("CancellationReasons", [])
        if not local.ok or emu.code != "TransactionCanceledException" or len(reasons) != len(statements):
            return False
        flagged = [i for i, reason in enumerate(reasons) if reason.get("Code") != "None"]
        return bool(flagged) and all(
            reasons[i] == failed and _conditional_delete(statements[i]) for i in flagged
        )

    def explained(entry: Mapping[str, Any], local_entry: Any, emu_entry: Any) -> bool:
        return _conditional_delete(entry) and emu_entry == {"Error": failed, **local_entry}

    return _batch_entries_differ_only(op, request, local, emu, explained)


def _partiql_descending_pages(op: str, request: Mapping[str, Any], local: Outcome, emu: Outcome) -> bool:
    statement = str(request.get("Statement", "")).upper()
    if (
        op != "execute_statement"
        or request.get("Limit") is None
        or not statement.rstrip(" ;").endswith("DESC")
    ):
        return False
    if not (local.ok and emu.ok) or set(local.body) != set(emu.body):
        return False
    local_items, emu_items = local.body.get("Items", []), emu.body.get("Items", [])
    if not emu_items or len(local_items) != len(emu_items):
        return False
    # DynamoDB Local takes the first page in ascending order and reverses it; the service pages from the end.
    # So both pages descend on the sort key, and all of Local's page sorts below all of the service's.
    for name in set.intersection(*(set(item) for item in [*local_items, *emu_items])):
        local_keys = [_sort_value(item[name]) for item in local_items]
        emu_keys = [_sort_value(item[name]) for item in emu_items]
        if None in local_keys or None in emu_keys or len(set(map(type, local_keys + emu_keys))) != 1:
            continue
        descending = all(a > b for keys in (local_keys, emu_keys) for a, b in itertools.pairwise(keys))
        if descending and max(local_keys) < min(emu_keys):
            return True
    return False


def _sort_value(value: Any) -> Any:
    """A number or string key value, comparable as DynamoDB orders them (None for other types)."""
    if isinstance(value, dict) and "N" in value:
        return Decimal(value["N"])
    if isinstance(value, dict) and "S" in value:
        return value["S"]
    return None


QUIRKS = (
    *QUIRKS,
    Quirk(
        id="gsi-filter-reads-base-table",
        local="a Scan of a GSI whose FilterExpression or ScanFilter names an attribute the index does not "
        "project evaluates the filter on the base table's item and returns the projected items it matched "
        "(confirmed: the filter matches on the unprojected attribute)",
        service="a GSI is a separate copy holding only the projected attributes (AWS: a query or scan of a "
        "GSI can only read projected attributes, it cannot fetch from the base table): the filter sees the "
        "attribute absent. Whether the service refuses the filter instead, as it does on Query ('... does "
        "not project one or more filter attributes'), is not recorded",
        evidence="probed here (the filter matches on an attribute absent from every returned item); AWS: a "
        "GSI holds only its projected attributes and cannot fetch from the base table",
        matcher=_gsi_filter_reads_base_table,
    ),
    Quirk(
        id="page-limit-last-page-key",
        local="the page that reaches the 1 MB limit on the last item comes back without a LastEvaluatedKey "
        "(it looks ahead), though a page that Limit stops on the last item carries one",
        service="the read stops at 1 MB and returns a LastEvaluatedKey (API reference, Query/Scan: 'If "
        "LastEvaluatedKey is not empty, it does not necessarily mean that there is more data in the result "
        "set'); the next page is empty",
        evidence="API reference, Query and Scan LastEvaluatedKey: a key does not mean more data follows; "
        "probed here (Local sets it for Limit)",
        matcher=_page_limit_last_page_key,
    ),
    Quirk(
        id="partiql-surplus-parameters",
        local="ExecuteStatement ignores Parameters beyond the statement's ? placeholders",
        service="'Number of parameters in request and statement don't match.' whenever the counts differ "
        "(AWS ExecuteStatement documentation: Parameters are the statement's parameters)",
        evidence="AWS ExecuteStatement documentation: Parameters are the statement's parameters",
        matcher=_partiql_surplus_parameters,
    ),
    Quirk(
        id="partiql-duplicate-item-code",
        local="an INSERT of an existing key answers the error code 'DuplicateItem'",
        service="DuplicateItemException (the error the ExecuteStatement API reference and botocore's model "
        "declare, so client.exceptions.DuplicateItemException catches it)",
        evidence="API reference, ExecuteStatement errors, and botocore's model: DuplicateItemException",
        matcher=_partiql_duplicate_item_code,
    ),
    Quirk(
        id="partiql-consumed-capacity",
        local="PartiQL operations never return ConsumedCapacity",
        service="ConsumedCapacity as asked by ReturnConsumedCapacity (API reference of the three operations)",
        evidence="API reference of ExecuteStatement, BatchExecuteStatement and ExecuteTransaction: "
        "ConsumedCapacity",
        matcher=_partiql_no_capacity,
    ),
    Quirk(
        id="partiql-delete-false-condition",
        local="a DELETE whose extra WHERE condition is false succeeds when the item is missing",
        service="ConditionalCheckFailedException: the condition is evaluated against the missing item",
        evidence="PartiQL DELETE documentation: the WHERE clause's extra conditions are a condition on the "
        "item",
        matcher=_partiql_delete_false_condition,
    ),
    Quirk(
        id="partiql-descending-pages",
        local="ORDER BY ... DESC with Limit reverses each ascending page instead of the whole result",
        service="the pages walk the whole result in descending order",
        evidence="PartiQL SELECT documentation: ORDER BY orders the whole result, which the pages walk",
        matcher=_partiql_descending_pages,
    ),
)
