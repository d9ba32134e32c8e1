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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
    emulator) does; ``matcher`` accepts exactly that pair of answers."""

    id: str
    local: str
    service: str
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
    allowed = ", ".join(_enum_values(op, member))
    field = member[0].lower() + member[1:]
    expected = (
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{allowed}]"
    )
    return emu.message == expected


_DESCRIPTIONS = ("TableDescription", "Table")


def _service_description(description: Any, emu_description: Any) -> Any:
    """Local's table description as the service writes it: ``TableId`` present (the emulator's placeholder),
    and each epoch-0 throughput timestamp either dropped (never set) or, where the emulator recorded a
    throughput change, that timestamp. Walks the emulator's description alongside, entry by entry."""
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
        local="table descriptions omit TableId and carry epoch-0 LastIncreaseDateTime/LastDecreaseDateTime "
        "in ProvisionedThroughput (found by this suite)",
        service="TableId is always present; throughput timestamps appear only once throughput changed",
        matcher=_table_description_shape,
    ),
    Quirk(
        id="missing-table-message",
        local="a request on a missing table: ResourceNotFoundException 'Cannot do operations on a "
        "non-existent table', for every operation",
        service="item, query and batch operations: 'Requested resource not found'; DescribeTable, "
        "DeleteTable and UpdateTable: 'Requested resource not found: Table: <name> not found'",
        matcher=_missing_table_message,
    ),
    Quirk(
        id="validation-before-existence",
        local="looks the table up first: a malformed request on a missing table gets "
        "ResourceNotFoundException",
        service="validates the request first: the same request gets its ValidationException (the message is "
        "pinned by the same request on an existing table)",
        matcher=_validation_before_existence,
    ),
    Quirk(
        id="transaction-reason-period",
        local="cancellation reason for a failed condition: 'The conditional request failed.' "
        "(older releases)",
        service="'The conditional request failed' (no trailing period)",
        matcher=_transaction_reason_period,
    ),
    Quirk(
        id="query-missing-key-name",
        local="Query without the partition key condition: 'Query condition missed key schema element'",
        service="'Query condition missed key schema element: <key name>'",
        matcher=_query_missing_key_name,
    ),
    Quirk(
        id="page-limit-before-filter",
        local="the 1 MB page limit counts only items that pass the FilterExpression",
        service="the 1 MB limit counts the data read, before the filter: the page stops early with a "
        "LastEvaluatedKey",
        matcher=_page_limit_before_filter,
    ),
    Quirk(
        id="index-page-projected-size",
        local="the 1 MB page of an index Query or Scan counts whole items",
        service="counts only the attributes projected into the index: a KEYS_ONLY or INCLUDE page holds more",
        matcher=_index_page_projected_size,
    ),
    Quirk(
        id="index-size-projected",
        local="IndexSizeBytes of a KEYS_ONLY or INCLUDE index is the size of the whole items (found by this "
        "suite)",
        service="the size of the projected attributes, which the index stores",
        matcher=_index_size_projected,
    ),
    Quirk(
        id="delete-table-status",
        local="DeleteTable answers TableStatus ACTIVE",
        service="DeleteTable answers TableStatus DELETING",
        matcher=_delete_table_status,
    ),
    Quirk(
        id="pay-per-request-throughput",
        local="CreateTable accepts BillingMode PAY_PER_REQUEST together with ProvisionedThroughput",
        service="ValidationException: " + PAY_PER_REQUEST_THROUGHPUT,
        matcher=_pay_per_request_throughput,
    ),
    Quirk(
        id="unchecked-enums",
        local="accepts values outside the enum of ReturnConsumedCapacity and ReturnItemCollectionMetrics, "
        "and fails with InternalFailure on an unknown BillingMode (found by this suite)",
        service="1 validation error detected: Value '<v>' at '<member>' failed to satisfy constraint: "
        "Member must satisfy enum value set: [...]",
        matcher=_unchecked_enum,
    ),
    Quirk(
        id="unrequested-delete-capacity",
        local="DeleteItem with ReturnValues=ALL_OLD on a missing item returns ConsumedCapacity nobody asked "
        "for (found by this suite)",
        service="ConsumedCapacity only with ReturnConsumedCapacity TOTAL or INDEXES",
        matcher=_unrequested_delete_capacity,
    ),
    Quirk(
        id="wrong-json-member-types",
        local="accepts wrongly typed JSON members such as {'N': 5} or {'BOOL': 'true'}",
        service="SerializationException",
        matcher=_wrong_json_types,
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
