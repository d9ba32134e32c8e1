"""Table operations: CreateTable, DescribeTable, ListTables, DeleteTable and UpdateTable.

Requests arrive validated for shape (``validation``); these handlers check the semantics in DynamoDB's
order: key schema, attribute definitions, billing and throughput, indexes, streams, then the catalog
(``Table already exists``). Tables and indexes are ACTIVE at once; a new GSI is backfilled before the
UpdateTable answer. Messages are DynamoDB Local's, or the service's where the two differ
(DYNAMODB-LOCAL-QUIRKS.md and the conformance allow-list say which).

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator._order import java_hash_order
from theorydb_mocks.emulator._types import IndexSpec, KeySchema, VectorIndexSpec
from theorydb_mocks.emulator.catalog import UNLIMITED_ON_DEMAND, IndexState, TableState, VectorIndexState
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error, validation_error
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.operations._table_settings import (
    apply_create_settings,
    check_changeable,
    plan_update_settings,
)
from theorydb_mocks.emulator.operations._vector_schema import (
    check_vector_indexes,
    projected_count,
    vector_index_spec,
)
from theorydb_mocks.emulator.storage import TableStore
from theorydb_mocks.emulator.validation import check_plain_table_name

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request, Response

__all__ = [
    "M",
    "create_table",
    "delete_table",
    "describe_table",
    "list_tables",
    "update_table",
]

MAX_GSIS = 20
MAX_LSIS = 5
MAX_KEY_ATTRIBUTES = 4  # partition (and sort) attributes of a multi-attribute global index key
MAX_PROJECTED_ATTRIBUTES = 100
LIST_TABLES_DEFAULT_LIMIT = 100


def _invalid(message: str) -> Exception:
    return validation_error(message)


def _table(emu: EmulatorState, name: str) -> TableState:
    """The table for a control-plane call, whose not-found message names the table (the service's words)."""
    table = emu.tables.get(name)
    if table is None:
        try:
            table = emu.get_table(name)
        except DynamoDBError:
            raise ddb_error("ResourceNotFoundException", M.TABLE_NOT_FOUND.format(name=name)) from None
    return table


# --- schema parsing --------------------------------------------------------------------------------


def _key_schema(
    elements: list[dict[str, Any]], types: dict[str, str], *, undefined: list[str], global_index: bool = False
) -> KeySchema:
    """A KeySchema from ``KeySchema`` elements; names missing from ``types`` go to ``undefined``.

    A table's or local index's schema holds one HASH and at most one RANGE element (validation refuses a
    third); a global index's may hold up to four of each, HASH elements first (multi-attribute keys).
    """
    kinds = [e["KeyType"] for e in elements]
    hashes = kinds.count("HASH")
    if not hashes:
        raise _invalid(M.NO_HASH_KEY)
    if global_index:
        if kinds[:hashes] != ["HASH"] * hashes:  # every HASH element before every RANGE element
            raise _invalid(M.KEY_ORDER)
        if hashes > MAX_KEY_ATTRIBUTES:
            raise _invalid(M.GSI_TOO_MANY_PARTITION_KEYS.format(limit=MAX_KEY_ATTRIBUTES))
        if len(kinds) - hashes > MAX_KEY_ATTRIBUTES:
            raise _invalid(M.GSI_TOO_MANY_SORT_KEYS.format(limit=MAX_KEY_ATTRIBUTES))
    else:
        if hashes > 1:
            raise _invalid(M.TOO_MANY_HASH_KEYS)
        if kinds[0] != "HASH":
            raise _invalid(M.KEY_ORDER)
    names = [e["AttributeName"] for e in elements]
    if len(set(names)) != len(names):
        # The service counts a repeated name twice against AttributeDefinitions (SERVICE-FACTS E1); with
        # enough definitions the service's words are not known, and DynamoDB Local's stand.
        raise _invalid(M.KEY_SCHEMA_UNDEFINED if len(names) > len(types) else M.SAME_KEY_NAMES)
    for name in names:
        if name not in types and name not in undefined:
            if global_index and (hashes > 1 or len(names) - hashes > 1):
                # A multi-attribute key names its first undefined attribute at once (DynamoDB Local 3.3.0).
                raise _invalid(M.GSI_KEY_UNDEFINED.format(name=name))
            undefined.append(name)
    parts = [(name, _scalar(types.get(name))) for name in names]
    hash_parts, range_parts = parts[:hashes], parts[hashes:]
    return KeySchema(
        hash_parts[0][0],
        hash_parts[0][1],
        range_parts[0][0] if range_parts else None,
        range_parts[0][1] if range_parts else None,
        tuple(hash_parts[1:]),
        tuple(range_parts[1:]),
    )


def _scalar(kind: str | None) -> Any:
    # Undefined names are reported by the caller before the KeySchema is used; "S" only fills the slot.
    return kind if kind in ("S", "N", "B") else "S"


def _definitions(request: Request) -> dict[str, str]:
    types: dict[str, str] = {}
    for definition in request.get("AttributeDefinitions") or ():
        name = definition["AttributeName"]
        if name in types:
            raise _invalid(M.DUPLICATE_ATTRIBUTES)
        types[name] = definition["AttributeType"]
    return types


def _projection(raw: dict[str, Any]) -> tuple[Any, tuple[str, ...]]:
    kind = raw.get("ProjectionType")
    attributes = raw.get("NonKeyAttributes")
    if kind is None:
        raise _invalid(M.NO_PROJECTION)
    if kind == "INCLUDE":
        if not attributes:
            raise _invalid(M.INCLUDE_WITHOUT_ATTRIBUTES)
        if len(set(attributes)) != len(attributes):
            raise _invalid(M.DUPLICATE_ATTRIBUTES)
        return kind, tuple(attributes)
    if attributes is not None:
        raise _invalid(M.ATTRIBUTES_WITHOUT_INCLUDE)
    return kind, ()


def _throughput(raw: dict[str, Any]) -> dict[str, int]:
    return {"ReadCapacityUnits": raw["ReadCapacityUnits"], "WriteCapacityUnits": raw["WriteCapacityUnits"]}


def _stream_specification(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    if raw["StreamEnabled"]:
        if not raw.get("StreamViewType"):
            raise _invalid(M.STREAM_VIEW_TYPE)
        return {"StreamEnabled": True, "StreamViewType": raw["StreamViewType"]}
    if raw.get("StreamViewType"):
        raise _invalid(M.STREAM_DISABLED_WITH_TYPE)
    return None


def _stream_label(emu: EmulatorState) -> str:
    now = datetime.fromtimestamp(emu.clock.now(), UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}"


def _check_projected_total(indexes: list[IndexSpec], vectors: Iterable[VectorIndexSpec] = ()) -> None:
    count = sum(len(spec.non_key_attributes) for spec in indexes) + sum(map(projected_count, vectors))
    if count > MAX_PROJECTED_ATTRIBUTES:
        raise _invalid(M.TOO_MANY_PROJECTED.format(limit=MAX_PROJECTED_ATTRIBUTES, count=count))


def _undefined_error(undefined: list[str], types: dict[str, str]) -> Exception:
    return _invalid(M.UNDEFINED_KEYS.format(keys=", ".join(undefined), defined=", ".join(types)))


# --- CreateTable -----------------------------------------------------------------------------------


@operation("CreateTable")
def create_table(emu: EmulatorState, request: Request) -> Response:
    """Create a table, ACTIVE at once. Runtime: O(indexes)."""
    name = request["TableName"]
    if not request.get("KeySchema"):
        raise _invalid(M.NO_KEY_SCHEMA)
    if not request.get("AttributeDefinitions"):
        raise _invalid(M.NO_ATTRIBUTE_SCHEMA)
    types = _definitions(request)
    undefined: list[str] = []
    key = _key_schema(request["KeySchema"], types, undefined=undefined)

    billing = request.get("BillingMode") or "PROVISIONED"
    throughput = request.get("ProvisionedThroughput")
    if billing == "PAY_PER_REQUEST" and throughput is not None:
        raise _invalid(M.PPR_WITH_THROUGHPUT)
    if billing == "PROVISIONED" and throughput is None:
        raise _invalid(M.NO_THROUGHPUT)

    raw_lsis = request.get("LocalSecondaryIndexes")
    raw_gsis = request.get("GlobalSecondaryIndexes")
    if raw_lsis is not None and not raw_lsis:
        raise _invalid(M.EMPTY_LSI_LIST)
    if raw_gsis is not None and not raw_gsis:
        raise _invalid(M.EMPTY_GSI_LIST)
    lsis = _local_indexes(raw_lsis or [], key, types, undefined)
    gsis = _global_indexes(raw_gsis or [], billing, types, undefined)
    shared = [name for name in gsis if name in lsis]
    if shared:
        raise _invalid(M.DUPLICATE_INDEX_NAME.format(index=shared[0]))
    if undefined:
        raise _undefined_error(undefined, types)
    vectors = _vector_indexes(request.get("VectorIndexes"), types, {*lsis, *gsis})
    used = set(key.names)
    for spec in (*lsis.values(), *gsis.values()):
        used.update(spec[0].key.names)
    for vector in vectors.values():
        used.update(name for name, _role, _kind in vector.search_schema)
    if used != set(types):
        raise _invalid(M.UNUSED_DEFINITIONS)
    check_vector_indexes(
        vectors.values(),
        billing=billing,
        key=key,
        other_index_keys=[n for spec, _ in (*lsis.values(), *gsis.values()) for n in spec.key.names],
    )
    _check_projected_total([spec for spec, _ in (*lsis.values(), *gsis.values())], list(vectors.values()))
    stream = _stream_specification(request.get("StreamSpecification"))

    check_plain_table_name(name)  # a new table is named, not given by ARN
    if name in emu.tables:
        raise ddb_error("ResourceInUseException", M.TABLE_EXISTS.format(name=name))

    arn = emu.table_arn(name)
    now = emu.clock.now()
    all_specs = [spec for spec, _ in (*lsis.values(), *gsis.values())]
    sse = request.get("SSESpecification") or {}
    table = TableState(
        name=name,
        arn=arn,
        table_id=str(uuid.uuid4()),
        key=key,
        attribute_definitions=types,
        store=TableStore(key, all_specs, vectors.values()),
        creation_time=now,
        billing_mode=billing,
        provisioned_throughput=_throughput(throughput)
        if throughput is not None
        else {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
        lsis={n: IndexState(spec, f"{arn}/index/{n}") for n, (spec, _) in lsis.items()},
        gsis={
            n: IndexState(spec, f"{arn}/index/{n}", provisioned_throughput=pt)
            for n, (spec, pt) in gsis.items()
        },
        vector_indexes={n: VectorIndexState(spec, f"{arn}/index/{n}") for n, spec in vectors.items()},
        stream_specification=stream,
        latest_stream_label=_stream_label(emu) if stream is not None else None,
        deletion_protection=bool(request.get("DeletionProtectionEnabled", False)),
        table_class=request.get("TableClass"),
        sse_enabled=bool(sse.get("Enabled", False)),
        sse_kms_key=sse.get("KMSMasterKeyId"),
        tags=[dict(tag) for tag in request.get("Tags") or ()],
        last_update_to_pay_per_request=now if billing == "PAY_PER_REQUEST" else None,
    )
    apply_create_settings(emu, table, request)  # warm throughput, on-demand maximums, resource policy
    table.rebuild_indexes()
    emu.tables[name] = table
    description = table.description()
    emu.streams.sync(name)  # opens the table's stream if it has one
    return {"TableDescription": description}


def _vector_indexes(
    raw: list[dict[str, Any]] | None, types: dict[str, str], taken: set[str]
) -> dict[str, VectorIndexSpec]:
    """CreateTable's ``VectorIndexes``, each checked on its own (``check_vector_indexes`` does the rest)."""
    if raw is None:
        return {}
    if not raw:
        raise _invalid(M.VECTOR_EMPTY_LIST)
    specs: dict[str, VectorIndexSpec] = {}
    for index in raw:
        spec = vector_index_spec(index, types, _projection(index["Projection"]))
        if spec.name in specs:
            raise _invalid(M.VECTOR_DUPLICATE_INDEX)
        if spec.name in taken:
            raise _invalid(M.VECTOR_SAME_NAME_AS_INDEX)
        specs[spec.name] = spec
    return specs


def _local_indexes(
    raw: list[dict[str, Any]], key: KeySchema, types: dict[str, str], undefined: list[str]
) -> dict[str, tuple[IndexSpec, None]]:
    if raw and key.range_name is None:
        raise _invalid(M.LSI_ON_HASH_TABLE)
    if len(raw) > MAX_LSIS:
        raise _invalid(M.TOO_MANY_LSIS)
    specs: dict[str, tuple[IndexSpec, None]] = {}
    for index in raw:
        index_key = _key_schema(index["KeySchema"], types, undefined=undefined)
        if index_key.range_name is None:
            raise _invalid(M.LSI_NEEDS_RANGE)
        if index_key.hash_name != key.hash_name:
            raise _invalid(M.LSI_SAME_HASH)
        if index["IndexName"] in specs:
            raise _invalid(M.DUPLICATE_INDEX_NAME.format(index=index["IndexName"]))
        kind, attributes = _projection(index["Projection"])
        specs[index["IndexName"]] = (IndexSpec(index["IndexName"], "LSI", index_key, kind, attributes), None)
    return specs


def _global_indexes(
    raw: list[dict[str, Any]], billing: str, types: dict[str, str], undefined: list[str]
) -> dict[str, tuple[IndexSpec, dict[str, int] | None]]:
    if len(raw) > MAX_GSIS:
        raise _invalid(M.TOO_MANY_GSIS)
    specs: dict[str, tuple[IndexSpec, dict[str, int] | None]] = {}
    for index in raw:
        spec, throughput = _global_index(index, billing, types, undefined)
        if spec.name in specs:
            raise _invalid(M.DUPLICATE_INDEX_NAME.format(index=spec.name))
        specs[spec.name] = (spec, throughput)
    return specs


def _global_index(
    index: dict[str, Any], billing: str, types: dict[str, str], undefined: list[str]
) -> tuple[IndexSpec, dict[str, int] | None]:
    index_key = _key_schema(index["KeySchema"], types, undefined=undefined, global_index=True)
    kind, attributes = _projection(index["Projection"])
    raw_throughput = index.get("ProvisionedThroughput")
    if billing == "PAY_PER_REQUEST" and raw_throughput is not None:
        raise _invalid(M.PPR_GSI_THROUGHPUT.format(index=index["IndexName"]))
    if billing == "PROVISIONED" and raw_throughput is None:
        raise _invalid(M.NO_GSI_THROUGHPUT)
    throughput = _throughput(raw_throughput) if raw_throughput is not None else None
    return IndexSpec(index["IndexName"], "GSI", index_key, kind, attributes), throughput


# --- DescribeTable, ListTables, DeleteTable -------------------------------------------------------


@operation("DescribeTable", read_only=True)
def describe_table(emu: EmulatorState, request: Request) -> Response:
    """The table's description. Runtime: O(indexes)."""
    table = _table(emu, request["TableName"])
    return {"Table": emu.replication.describe(emu.region, table.description())}  # + global table members


@operation("ListTables", read_only=True)
def list_tables(emu: EmulatorState, request: Request) -> Response:
    """Table names in order, a page at a time. Runtime: O(tables log tables)."""
    limit = request.get("Limit") or LIST_TABLES_DEFAULT_LIMIT
    start = request.get("ExclusiveStartTableName")
    names = sorted(emu.tables)
    if start is not None:
        names = [name for name in names if name > start]
    page = names[:limit]
    response: Response = {"TableNames": page}
    if len(names) > limit:  # only when more tables follow, as DynamoDB Local does
        response["LastEvaluatedTableName"] = page[-1]
    return response


@operation("DeleteTable")
def delete_table(emu: EmulatorState, request: Request) -> Response:
    """Delete a table at once; the answer shows it DELETING, as the service does. Runtime: O(1)."""
    table = _table(emu, request["TableName"])
    check_changeable(table)  # the opt-in lifecycle: not while CREATING or UPDATING
    if table.deletion_protection:
        raise _invalid(M.DELETION_PROTECTED)
    table.status = "DELETING"
    description = table.description()
    emu.backups.table_deleted(table)  # point-in-time recovery on: a SYSTEM backup stays (``backups``)
    del emu.tables[table.name]
    emu.streams.sync(table.name)  # closes the table's stream
    emu.replication.table_deleted(emu.region, table.name)  # a replica leaves its global table
    return {"TableDescription": description}


# --- UpdateTable -----------------------------------------------------------------------------------

# The members of an UpdateTable that changes the table itself (AttributeDefinitions only comes with one of
# them), and the members that manage its global table's replicas instead (global_tables.update_replicas).
SETTINGS_MEMBERS = (
    "BillingMode",
    "ProvisionedThroughput",
    "GlobalSecondaryIndexUpdates",
    "VectorIndexUpdates",
    "StreamSpecification",
    "SSESpecification",
    "TableClass",
    "DeletionProtectionEnabled",
    "WarmThroughput",
    "OnDemandThroughput",
)
REPLICA_MEMBERS = ("ReplicaUpdates", "GlobalTableWitnessUpdates", "MultiRegionConsistency")


@operation("UpdateTable")
def update_table(emu: EmulatorState, request: Request) -> Response:
    """Change billing, throughput, GSIs (create/update/delete), streams and settings. Runtime: O(backfill)."""
    table = _table(emu, request["TableName"])
    if any(request.get(member) is not None for member in REPLICA_MEMBERS):
        from theorydb_mocks.emulator.operations.global_tables import update_replicas

        return update_replicas(emu, table, request)  # global tables: replicas, witnesses, consistency
    if not any(request.get(member) is not None for member in SETTINGS_MEMBERS):
        raise _invalid(M.NOTHING_TO_UPDATE)
    now = emu.clock.now()
    billing = request.get("BillingMode") or table.billing_mode
    throughput = request.get("ProvisionedThroughput")
    if request.get("BillingMode") == "PAY_PER_REQUEST" and throughput is not None:
        # The service refuses this as CreateTable does (SERVICE-FACTS H1; its words for UpdateTable were not
        # recorded, CreateTable's are used).
        raise _invalid(M.PPR_WITH_THROUGHPUT)
    if billing == "PAY_PER_REQUEST":
        # An on-demand table sent a ProvisionedThroughput without BillingMode: DynamoDB Local accepts it and
        # ignores the throughput; the service's answer is not recorded, so UpdateTable follows Local.
        throughput = None
    if billing == "PROVISIONED" and table.billing_mode == "PAY_PER_REQUEST" and throughput is None:
        raise _invalid(M.NO_THROUGHPUT)
    if (
        throughput is not None
        and billing == table.billing_mode
        and _throughput(throughput) == table.provisioned_throughput
    ):
        raise _invalid(M.SAME_THROUGHPUT)

    stream = request.get("StreamSpecification")
    new_stream = _stream_specification(stream)
    if new_stream is not None and table.stream_specification is not None:
        raise _invalid(M.STREAM_ALREADY_ENABLED)
    if stream is not None and new_stream is None and table.stream_specification is None:
        raise _invalid(M.STREAM_NOT_ENABLED)

    creates, deletes, updates, types = _plan_gsi_updates(table, request, billing)
    vector_creates, vector_deletes, types = _plan_vector_updates(table, request, types)
    if len(creates) + len(deletes) + len(vector_creates) + len(vector_deletes) > 1:
        raise ddb_error("LimitExceededException", M.ONE_INDEX_AT_A_TIME)
    kept_vectors = [s.spec for n, s in table.vector_indexes.items() if n not in vector_deletes]
    check_vector_indexes(
        [*kept_vectors, *vector_creates],
        billing=billing,
        key=table.key,
        other_index_keys=[n for spec in table.indexes.values() for n in spec.key.names],
    )
    apply_settings = plan_update_settings(emu, table, request)  # warm throughput, on-demand, class change

    # Everything is checked: apply.
    was_provisioned = table.billing_mode == "PROVISIONED"
    if billing != table.billing_mode:
        if billing == "PAY_PER_REQUEST":
            table.last_update_to_pay_per_request = now
            table.provisioned_throughput = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
            # The GSIs keep showing their last provisioned throughput, as in DynamoDB Local.
        table.billing_mode = billing
    if throughput is not None:
        if was_provisioned:
            _apply_throughput(table, _throughput(throughput), now)
        else:  # a switch to PROVISIONED sets the throughput; it is no increase
            table.provisioned_throughput = _throughput(throughput)
    for name, throughput_update in updates.items():
        table.gsis[name].provisioned_throughput = throughput_update
    if stream is not None:
        table.stream_specification = new_stream
        if new_stream is not None:
            table.latest_stream_label = _stream_label(emu)
    if request.get("DeletionProtectionEnabled") is not None:
        table.deletion_protection = bool(request["DeletionProtectionEnabled"])
    if request.get("TableClass") is not None:
        table.table_class = request["TableClass"]
    sse = request.get("SSESpecification")
    if sse is not None:
        table.sse_enabled = bool(sse.get("Enabled", False))
        table.sse_kms_key = sse.get("KMSMasterKeyId")
    if creates or vector_creates:
        table.attribute_definitions = {name: types[name] for name in java_hash_order(list(types))}
    created: list[IndexState] = []
    for spec, index_throughput in creates:
        table.store.add_index(spec)
        state = IndexState(
            spec,
            f"{table.arn}/index/{spec.name}",
            provisioned_throughput=index_throughput,
            on_demand_throughput=dict(UNLIMITED_ON_DEMAND) if billing == "PAY_PER_REQUEST" else None,
        )
        table.gsis[spec.name] = state
        created.append(state)
    deleting: list[IndexState] = []
    for name in deletes:
        state = table.gsis.pop(name)
        table.store.drop_index(name)
        state.status = "DELETING"
        deleting.append(state)
    vectors_created: list[VectorIndexState] = []
    for vector_spec in vector_creates:
        table.store.add_vector_index(vector_spec)
        vector_state = VectorIndexState(vector_spec, f"{table.arn}/index/{vector_spec.name}")
        table.vector_indexes[vector_spec.name] = vector_state
        vectors_created.append(vector_state)
    vectors_deleting: list[VectorIndexState] = []
    for name in vector_deletes:
        vector_state = table.vector_indexes.pop(name)
        table.store.drop_vector_index(name)
        vector_state.status = "DELETING"
        vectors_deleting.append(vector_state)
    apply_settings()
    table.rebuild_indexes()
    # The answer shows a new index CREATING, as the service's does; it is backfilled and ACTIVE already.
    new_indexes: list[IndexState | VectorIndexState] = [*created, *vectors_created]
    for new_index in new_indexes:
        new_index.status = "CREATING"
    description = table.description()
    for new_index in new_indexes:
        new_index.status = "ACTIVE"
    if vectors_deleting:
        description.setdefault("VectorIndexes", []).extend(
            table.vector_index_description(state) for state in vectors_deleting
        )
    if deleting:  # a dropped index is shown without sizes, as DynamoDB Local shows it
        description.setdefault("GlobalSecondaryIndexes", []).extend(
            table.index_description(state) for state in deleting
        )
    emu.streams.sync(table.name)  # opens, replaces or closes the table's stream as its specification says
    if emu.replication.groups:  # a global table's other replicas follow (global_tables.synchronize)
        from theorydb_mocks.emulator.operations.global_tables import synchronize

        synchronize(emu, table.name, "UpdateTable", request)
    return {"TableDescription": description}


def _apply_throughput(table: TableState, new: dict[str, int], now: float) -> None:
    old = table.provisioned_throughput
    if any(new[k] > old[k] for k in new):
        table.last_increase = now
    if any(new[k] < old[k] for k in new):
        table.last_decrease = now
        table.decreases_today += 1
    table.provisioned_throughput = new


_Plan = tuple[
    list[tuple[IndexSpec, dict[str, int] | None]], list[str], dict[str, dict[str, int] | None], dict[str, str]
]


def _key_types(table: TableState, request: Request) -> dict[str, str]:
    """The table's key attributes in use (table and indexes) plus the request's new definitions."""
    in_use = set(table.key.names)
    for spec in table.indexes.values():
        in_use.update(spec.key.names)
    for vector in table.vector_specs:
        in_use.update(name for name, _role, _kind in vector.search_schema)
    types = {name: kind for name, kind in table.attribute_definitions.items() if name in in_use}
    for name, kind in _definitions(request).items():
        if name in types and types[name] != kind:
            raise _invalid(M.REDEFINED_ATTRIBUTE)
        types[name] = kind
    return types


def _plan_gsi_updates(table: TableState, request: Request, billing: str) -> _Plan:
    """Check every GlobalSecondaryIndexUpdates entry before any is applied."""
    raw_updates = request.get("GlobalSecondaryIndexUpdates") or []
    creates: list[tuple[IndexSpec, dict[str, int] | None]] = []
    deletes: list[str] = []
    updates: dict[str, dict[str, int] | None] = {}
    given = request.get("AttributeDefinitions")
    types = dict(table.attribute_definitions)
    for entry in raw_updates:
        if entry.get("Create") is not None:
            create = entry["Create"]
            if not given:
                raise _invalid(M.NO_ATTRIBUTE_SCHEMA)
            types = _key_types(table, request)
            if create["IndexName"] in table.gsis or create["IndexName"] in table.lsis:
                raise _invalid(M.INDEX_EXISTS)
            undefined: list[str] = []
            spec, throughput = _global_index(create, billing, types, undefined)
            if undefined:
                raise _undefined_error(undefined, types)
            if len(table.gsis) + len(creates) - len(deletes) >= MAX_GSIS:
                raise _invalid(M.TOO_MANY_GSIS)
            creates.append((spec, throughput))
        elif entry.get("Delete") is not None:
            name = entry["Delete"]["IndexName"]
            if name not in table.gsis or name in deletes:
                raise ddb_error("ResourceNotFoundException", M.RESOURCE_NOT_FOUND)
            deletes.append(name)
        elif entry.get("Update") is not None:
            update = entry["Update"]
            name = update["IndexName"]
            if name not in table.gsis:
                raise ddb_error("ResourceNotFoundException", M.RESOURCE_NOT_FOUND)
            raw = update.get("ProvisionedThroughput")
            if raw is not None and billing == "PAY_PER_REQUEST":
                raise _invalid(M.PPR_GSI_THROUGHPUT.format(index=name))
            updates[name] = _throughput(raw) if raw is not None else table.gsis[name].provisioned_throughput
    if len(creates) + len(deletes) > 1:
        raise ddb_error("LimitExceededException", M.ONE_INDEX_AT_A_TIME)
    if billing == "PROVISIONED" and table.billing_mode == "PAY_PER_REQUEST":
        for name in table.gsis:
            if name not in deletes and updates.get(name) is None:
                raise _invalid(M.NO_GSI_THROUGHPUT)
    return creates, deletes, updates, types


def _plan_vector_updates(
    table: TableState, request: Request, types: dict[str, str]
) -> tuple[list[VectorIndexSpec], list[str], dict[str, str]]:
    """Check every VectorIndexUpdates entry before any is applied; returns creates, deletes and the
    attribute types the table will have."""
    creates: list[VectorIndexSpec] = []
    deletes: list[str] = []
    for entry in request.get("VectorIndexUpdates") or ():
        create, delete = entry.get("Create"), entry.get("Delete")
        if (create is None) == (delete is None):
            raise _invalid(M.VECTOR_ONE_ACTION)
        if create is not None:
            if create.get("SearchSchema"):
                if not request.get("AttributeDefinitions"):
                    raise _invalid(M.NO_ATTRIBUTE_SCHEMA)
                types = _key_types(table, request)
            name = create["IndexName"]
            if name in table.vector_indexes or name in table.gsis or name in table.lsis:
                raise _invalid(M.INDEX_EXISTS)
            creates.append(vector_index_spec(create, types, _projection(create["Projection"])))
        else:
            name = delete["IndexName"]
            if name not in table.vector_indexes or name in deletes:
                raise ddb_error("ResourceNotFoundException", M.RESOURCE_NOT_FOUND)
            deletes.append(name)
    return creates, deletes, types
