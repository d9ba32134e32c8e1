"""The catalog: what the emulator knows of each table (schema, indexes, billing, streams) besides its items.

``TableState`` is the control plane's record of one table. Handlers of item operations read ``key``,
``indexes`` and ``store``; DescribeTable answers with ``description()``, built in DynamoDB's member order
with the timestamps the emulator's clock gave.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator._types import IndexSpec, KeySchema, VectorIndexSpec
from theorydb_mocks.emulator.control import (
    ControlState,
    backfilling,
    describe_index_extras,
    describe_table_extras,
    index_status,
    kms_key_arn,
)

if TYPE_CHECKING:
    from theorydb_mocks.emulator.storage import TableStore

__all__ = [
    "UNLIMITED_ON_DEMAND",
    "IndexState",
    "TableState",
    "VectorIndexState",
    "key_schema_elements",
    "projection_description",
    "timestamp",
]

# The OnDemandThroughput DynamoDB Local shows for an index without a request-unit cap.
UNLIMITED_ON_DEMAND: dict[str, int] = {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1}


@functools.cache
def _local_zone() -> tzinfo:
    """botocore's local zone (dateutil's ``tzlocal``), imported on first use: the server never needs it."""
    from dateutil.tz import tzlocal  # type: ignore[import-untyped]

    zone: tzinfo = tzlocal()
    return zone


@functools.lru_cache(maxsize=4096)
def timestamp(epoch: float) -> datetime:
    """A clock reading as boto3 returns timestamps: an aware ``datetime`` in local time (cached: tzlocal is
    slow, and a table's timestamps are read at every DescribeTable)."""
    return datetime.fromtimestamp(epoch, _local_zone())


def key_schema_elements(key: KeySchema) -> list[dict[str, str]]:
    """The ``KeySchema`` list of a table or index, HASH first.

    >>> key_schema_elements(KeySchema("pk", "S", "sk", "N"))
    [{'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'sk', 'KeyType': 'RANGE'}]
    """
    elements = [{"AttributeName": name, "KeyType": "HASH"} for name, _kind in key.hash_parts]
    elements.extend({"AttributeName": name, "KeyType": "RANGE"} for name, _kind in key.range_parts)
    return elements


@dataclass(slots=True)
class IndexState:
    """A secondary index as the catalog describes it: the storage spec plus its status and throughput."""

    spec: IndexSpec
    arn: str
    status: str = "ACTIVE"
    provisioned_throughput: dict[str, int] | None = None
    # DynamoDB Local 3.3.0 shows {-1, -1} on a GSI added by UpdateTable to an on-demand table (not on one
    # made by CreateTable); the emulator follows it (docs/fidelity.md).
    on_demand_throughput: dict[str, int] | None = None

    def projection(self) -> dict[str, Any]:
        return projection_description(self.spec.projection_type, self.spec.non_key_attributes)


def projection_description(projection_type: str, non_key_attributes: tuple[str, ...]) -> dict[str, Any]:
    """A ``Projection`` as descriptions show it."""
    projection: dict[str, Any] = {"ProjectionType": projection_type}
    if projection_type == "INCLUDE":
        projection["NonKeyAttributes"] = list(non_key_attributes)
    return projection


@dataclass(slots=True)
class VectorIndexState:
    """A vector index as the catalog describes it: the storage spec plus its status."""

    spec: VectorIndexSpec
    arn: str
    status: str = "ACTIVE"

    def definition(self) -> dict[str, Any]:
        """The index as CreateTable's ``VectorIndexes`` declares it (the members every description has)."""
        spec = self.spec
        desc: dict[str, Any] = {"IndexName": spec.name}
        if spec.search_schema:
            desc["SearchSchema"] = [
                {"AttributeName": name, "SearchSchemaElementType": role}
                for name, role, _ in spec.search_schema
            ]
        desc["Projection"] = projection_description(spec.projection_type, spec.non_key_attributes)
        desc["VectorAttribute"] = {"AttributeName": spec.attribute}
        desc["Dimensions"] = spec.dimensions
        desc["DistanceFunction"] = spec.distance
        return desc


@dataclass(slots=True)
class TableState:
    """One table: its schema and settings (the catalog's part) and its items (``store``, the data plane's).

    ``indexes`` maps index names to their storage specs (GSIs and LSIs alike), as the item operations need;
    ``gsis`` and ``lsis`` keep the catalog's view of each index, in creation order, for descriptions.
    """

    name: str
    arn: str
    table_id: str
    key: KeySchema
    attribute_definitions: dict[str, str]
    store: TableStore
    creation_time: float
    billing_mode: str = "PROVISIONED"
    provisioned_throughput: dict[str, int] = field(
        default_factory=lambda: {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    )
    status: str = "ACTIVE"
    gsis: dict[str, IndexState] = field(default_factory=dict)
    lsis: dict[str, IndexState] = field(default_factory=dict)
    vector_indexes: dict[str, VectorIndexState] = field(default_factory=dict)
    indexes: dict[str, IndexSpec] = field(default_factory=dict)
    stream_specification: dict[str, Any] | None = None
    latest_stream_label: str | None = None
    deletion_protection: bool = False
    table_class: str | None = None
    sse_enabled: bool = False
    sse_kms_key: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    last_update_to_pay_per_request: float | None = None
    last_increase: float | None = None
    last_decrease: float | None = None
    decreases_today: int = 0
    control: ControlState = field(default_factory=ControlState)  # policies, insights, destinations...
    restore_summary: dict[str, Any] | None = None  # a restored table's RestoreSummary (operations/backups)

    def __repr__(self) -> str:
        return f"<TableState {self.name} {self.status} key={self.key.names}>"

    @property
    def latest_stream_arn(self) -> str | None:
        if self.latest_stream_label is None:
            return None
        return f"{self.arn}/stream/{self.latest_stream_label}"

    @property
    def vector_specs(self) -> tuple[VectorIndexSpec, ...]:
        """The specs of the table's vector indexes (write checks need them)."""
        return tuple(state.spec for state in self.vector_indexes.values())

    def rebuild_indexes(self) -> None:
        """Refresh ``indexes`` (name -> spec) after a GSI was added or dropped."""
        self.indexes = {name: state.spec for name, state in (*self.lsis.items(), *self.gsis.items())}

    def description(self) -> dict[str, Any]:
        """The ``TableDescription`` as DescribeTable returns it (boto3 shape, timestamps as datetimes)."""
        store = self.store
        key_names = set(self.key.names)
        for index in (*self.gsis.values(), *self.lsis.values()):
            key_names.update(index.spec.key.names)
        for vector in self.vector_indexes.values():
            key_names.update(name for name, _role, _kind in vector.spec.search_schema)
        desc: dict[str, Any] = {
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": kind}
                for name, kind in self.attribute_definitions.items()
                if name in key_names
            ],
            "TableName": self.name,
            "KeySchema": key_schema_elements(self.key),
            "TableStatus": self.status,
            "CreationDateTime": timestamp(self.creation_time),
            "ProvisionedThroughput": self._throughput_description(),
            "TableSizeBytes": store.size_bytes,
            "ItemCount": store.item_count,
            "TableArn": self.arn,
            "TableId": self.table_id,
        }
        if self.billing_mode == "PAY_PER_REQUEST" or self.last_update_to_pay_per_request is not None:
            summary: dict[str, Any] = {"BillingMode": self.billing_mode}
            if self.last_update_to_pay_per_request is not None:
                summary["LastUpdateToPayPerRequestDateTime"] = timestamp(self.last_update_to_pay_per_request)
            desc["BillingModeSummary"] = summary
        if self.lsis:
            desc["LocalSecondaryIndexes"] = [
                self.index_description(index, local=True) for index in self.lsis.values()
            ]
        if self.gsis:
            desc["GlobalSecondaryIndexes"] = [self.index_description(index) for index in self.gsis.values()]
        if self.vector_indexes:
            desc["VectorIndexes"] = [self.vector_index_description(v) for v in self.vector_indexes.values()]
        if self.stream_specification is not None:
            desc["StreamSpecification"] = dict(self.stream_specification)
        if self.latest_stream_label is not None:
            desc["LatestStreamLabel"] = self.latest_stream_label
            desc["LatestStreamArn"] = self.latest_stream_arn
        if self.restore_summary is not None:
            desc["RestoreSummary"] = dict(self.restore_summary)
        if self.sse_enabled:
            desc["SSEDescription"] = {
                "Status": "ENABLED",
                "SSEType": "KMS",
                "KMSMasterKeyArn": kms_key_arn(self.arn, self.sse_kms_key),
            }
        if self.table_class is not None:
            desc["TableClassSummary"] = {"TableClass": self.table_class}
        desc["DeletionProtectionEnabled"] = self.deletion_protection
        describe_table_extras(self, desc)
        return desc

    def _throughput_description(self) -> dict[str, Any]:
        throughput: dict[str, Any] = {}
        if self.last_increase is not None:
            throughput["LastIncreaseDateTime"] = timestamp(self.last_increase)
        if self.last_decrease is not None:
            throughput["LastDecreaseDateTime"] = timestamp(self.last_decrease)
        throughput["NumberOfDecreasesToday"] = self.decreases_today
        throughput["ReadCapacityUnits"] = self.provisioned_throughput["ReadCapacityUnits"]
        throughput["WriteCapacityUnits"] = self.provisioned_throughput["WriteCapacityUnits"]
        return throughput

    def index_description(self, index: IndexState, *, local: bool = False) -> dict[str, Any]:
        """One index as descriptions show it (a GSI unless ``local``)."""
        spec = index.spec
        desc: dict[str, Any] = {
            "IndexName": spec.name,
            "KeySchema": key_schema_elements(spec.key),
            "Projection": index.projection(),
        }
        status = index.status if local else index_status(self, index)  # the opt-in lifecycle's
        if not local:
            desc["IndexStatus"] = status
            if status == "CREATING":
                desc["Backfilling"] = backfilling(self, index)
            if index.provisioned_throughput is not None:
                desc["ProvisionedThroughput"] = dict(index.provisioned_throughput)
            describe_index_extras(self, index, desc)
        if status not in ("CREATING", "DELETING"):  # sizes are known once backfilled, until dropped
            desc["IndexSizeBytes"] = self.store.index_size_bytes(spec.name)
            desc["ItemCount"] = self.store.index_item_count(spec.name)
        desc["IndexArn"] = index.arn
        if index.on_demand_throughput is not None:
            desc["OnDemandThroughput"] = dict(index.on_demand_throughput)
        return desc

    def vector_index_description(self, index: VectorIndexState) -> dict[str, Any]:
        """One vector index as DescribeTable shows it (``VectorIndexDescription``, the model's member order).

        Sizes and counts are exact and current (the service refreshes them about every six hours).
        """
        definition = index.definition()
        desc: dict[str, Any] = {"IndexName": definition.pop("IndexName")}
        desc.update(definition)
        desc["IndexStatus"] = index.status
        if index.status == "CREATING":
            desc["Backfilling"] = False
        if index.status not in ("CREATING", "DELETING"):
            vector = self.store.vector_index(index.spec.name)
            desc["IndexSizeBytes"] = vector.size
            desc["ItemCount"] = vector.count
        desc["IndexArn"] = index.arn
        return desc
