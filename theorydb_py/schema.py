"""Tables from models: the CreateTable request, and create/ensure/delete/describe helpers.

Key types come from the key fields' codecs (annotation or converter ``attribute_type``); indexes and their
projections come from the model. Billing defaults to PAY_PER_REQUEST.

https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html

>>> from dataclasses import dataclass
>>> from theorydb_py.model import ModelDefinition, theorydb_field
>>> @dataclass
... class Event:
...     stream: str = theorydb_field(roles="pk")
...     seq: int = theorydb_field(roles="sk")
>>> req = build_create_table_request(ModelDefinition.from_dataclass(Event, table_name="events"))
>>> req["KeySchema"], req["AttributeDefinitions"][0]
([{'AttributeName': 'stream', 'KeyType': 'HASH'}, {'AttributeName': 'seq', 'KeyType': 'RANGE'}], \
{'AttributeName': 'seq', 'AttributeType': 'N'})
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from typing import Any, Literal

from theorydb_py import _client
from theorydb_py._types import Request
from theorydb_py.errors import AwsError, TableNotFoundError, ValidationError
from theorydb_py.model import FieldDefinition, IndexDefinition, ModelDefinition, VectorIndexDefinition

__all__ = [
    "TableWaitTimeoutError",
    "build_create_table_request",
    "create_table",
    "delete_table",
    "describe_table",
    "ensure_table",
]

BillingMode = Literal["PAY_PER_REQUEST", "PROVISIONED"]
StreamViewType = Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"]
_STREAM_VIEWS = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")


def _key_schema(partition: FieldDefinition, sort: FieldDefinition | None) -> list[dict[str, str]]:
    return _index_key_schema((partition,), () if sort is None else (sort,))


def _index_key_schema(
    partition: tuple[FieldDefinition, ...], sort: tuple[FieldDefinition, ...]
) -> list[dict[str, str]]:
    """A KeySchema: the HASH attributes in order, then the RANGE ones (several for a multi-attribute key)."""
    schema = [{"AttributeName": f.attribute_name, "KeyType": "HASH"} for f in partition]
    return schema + [{"AttributeName": f.attribute_name, "KeyType": "RANGE"} for f in sort]


def _projection(index: IndexDefinition | VectorIndexDefinition) -> dict[str, Any]:
    out: dict[str, Any] = {"ProjectionType": index.projection.type}
    if index.projection.type == "INCLUDE":
        out["NonKeyAttributes"] = list(index.projection.fields)
    return out


def _vector_index(index: VectorIndexDefinition) -> dict[str, Any]:
    """One ``VectorIndexes`` entry of CreateTable."""
    entry: dict[str, Any] = {
        "IndexName": index.name,
        "VectorAttribute": {"AttributeName": index.vector},
        "Dimensions": index.dimensions,
        "DistanceFunction": index.distance,
        "Projection": _projection(index),
    }
    schema = (
        [{"AttributeName": index.partition, "SearchSchemaElementType": "HASH"}] if index.partition else []
    )
    schema += [{"AttributeName": name, "SearchSchemaElementType": "INLINE_FILTER"} for name in index.filters]
    if schema:
        entry["SearchSchema"] = schema
    return entry


def build_create_table_request(
    model: ModelDefinition[Any],
    *,
    table_name: str | None = None,
    billing_mode: BillingMode = "PAY_PER_REQUEST",
    provisioned_throughput: Mapping[str, int] | None = None,
    read_capacity: int = 5,
    write_capacity: int = 5,
    stream_view_type: StreamViewType | None = None,
) -> Request:
    """The CreateTable request for ``model``: keys, attribute definitions (sorted by name), GSIs, LSIs and
    vector indexes (on-demand tables only), and a stream when ``stream_view_type`` is given
    (``NEW_AND_OLD_IMAGES`` for ``unmarshal_stream_change``).

    PROVISIONED takes TableTheory's ``provisioned_throughput={"ReadCapacityUnits": r, "WriteCapacityUnits":
    w}`` (or ``read_capacity``/``write_capacity``), used for the table and every GSI.
    """
    if billing_mode not in ("PAY_PER_REQUEST", "PROVISIONED"):
        raise ValidationError(f"unsupported billing_mode: {billing_mode} (PAY_PER_REQUEST or PROVISIONED)")
    if stream_view_type is not None and stream_view_type not in _STREAM_VIEWS:
        raise ValidationError(f"stream_view_type must be one of {', '.join(_STREAM_VIEWS)}")
    if provisioned_throughput is not None:
        if not isinstance(provisioned_throughput, Mapping) or set(provisioned_throughput) != {
            "ReadCapacityUnits",
            "WriteCapacityUnits",
        }:
            raise ValidationError("provisioned_throughput needs ReadCapacityUnits and WriteCapacityUnits")
        throughput = dict(provisioned_throughput)
    else:
        throughput = {"ReadCapacityUnits": read_capacity, "WriteCapacityUnits": write_capacity}
    definitions: dict[str, str] = {}
    index_fields = (f for i in model.indexes for keys in model.index_key_fields(i) for f in keys)
    for f in [*model.key_fields, *index_fields]:
        definitions.setdefault(f.attribute_name, f.key_type or "S")
    for vector in model.vector_indexes:  # SearchSchema attributes are declared like index keys
        for attribute in vector.search_attributes:
            definitions.setdefault(attribute, model.by_attribute(attribute).key_type or "S")
    request: Request = {
        "TableName": table_name or model.table_name,
        "AttributeDefinitions": [
            {"AttributeName": n, "AttributeType": definitions[n]} for n in sorted(definitions)
        ],
        "KeySchema": _key_schema(model.pk, model.sk),
        "BillingMode": billing_mode,
    }
    gsis = [i for i in model.indexes if i.kind == "GSI"]
    lsis = [i for i in model.indexes if i.kind == "LSI"]
    if gsis:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": i.name,
                "KeySchema": _index_key_schema(*model.index_key_fields(i)),
                "Projection": _projection(i),
                **({"ProvisionedThroughput": throughput} if billing_mode == "PROVISIONED" else {}),
            }
            for i in gsis
        ]
    if lsis:
        request["LocalSecondaryIndexes"] = [
            {
                "IndexName": i.name,
                "KeySchema": _key_schema(*model.index_keys(i)),
                "Projection": _projection(i),
            }
            for i in lsis
        ]
    if model.vector_indexes:
        if billing_mode != "PAY_PER_REQUEST":
            raise ValidationError("vector indexes need an on-demand table: billing_mode='PAY_PER_REQUEST'")
        request["VectorIndexes"] = [_vector_index(i) for i in model.vector_indexes]
    if billing_mode == "PROVISIONED":
        request["ProvisionedThroughput"] = throughput
    if stream_view_type is not None:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream_view_type}
    return request


def _client_or_default(client: Any) -> Any:
    return _client.default_client() if client is None else client


def describe_table(model: ModelDefinition[Any], *, client: Any = None, table_name: str | None = None) -> Any:
    """DescribeTable's ``Table`` description; ``TableNotFoundError`` if there is no such table."""
    name = table_name or model.table_name
    response = _client.call(_client_or_default(client), "describe_table", {"TableName": name})
    return response["Table"]


class TableWaitTimeoutError(ValidationError, TimeoutError):
    """A table did not become ACTIVE (or go away) in time (TableTheory raises ValidationError)."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Waiting:
    timeout: float
    interval: float
    sleep: Callable[[float], None]


def _waiting(
    timeout: float | None,
    wait_timeout_seconds: float,
    poll_interval_seconds: float,
    sleep: Callable[[float], None],
) -> _Waiting:
    chosen = wait_timeout_seconds if timeout is None else timeout
    for name, value in (("wait_timeout_seconds", chosen), ("poll_interval_seconds", poll_interval_seconds)):
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValidationError(f"{name} must be a number >= 0, not {value!r}")
    return _Waiting(float(chosen), float(poll_interval_seconds), sleep)


def _wait(model: ModelDefinition[Any], client: Any, name: str, waiting: _Waiting, *, gone: bool) -> Any:
    deadline = time.monotonic() + waiting.timeout
    while True:
        try:
            table = describe_table(model, client=client, table_name=name)
        except TableNotFoundError:
            if gone:
                return None
            table = None
        if table is not None and not gone and table.get("TableStatus") == "ACTIVE":
            return table
        if time.monotonic() >= deadline:
            what = "deletion" if gone else "ACTIVE"
            raise TableWaitTimeoutError(f"timed out waiting for table {what}: {name}")
        waiting.sleep(waiting.interval)


def create_table(
    model: ModelDefinition[Any],
    *,
    client: Any = None,
    table_name: str | None = None,
    billing_mode: BillingMode = "PAY_PER_REQUEST",
    provisioned_throughput: Mapping[str, int] | None = None,
    wait_for_active: bool = True,
    wait_timeout_seconds: float = 300.0,
    poll_interval_seconds: float = 0.25,
    sleep: Callable[[float], None] = time.sleep,
    stream_view_type: StreamViewType | None = None,
    wait: bool | None = None,
    timeout: float | None = None,
) -> Any:
    """Create the model's table and (by default) wait until it is ACTIVE; returns its description.

    As in TableTheory it is idempotent: a table that already exists (``ResourceInUseException``) is waited
    for, not an error. ``wait``/``timeout`` are this project's older names for ``wait_for_active`` and
    ``wait_timeout_seconds``.
    """
    client = _client_or_default(client)
    waiting = _waiting(timeout, wait_timeout_seconds, poll_interval_seconds, sleep)
    request = build_create_table_request(
        model,
        table_name=table_name,
        billing_mode=billing_mode,
        provisioned_throughput=provisioned_throughput,
        stream_view_type=stream_view_type,
    )
    try:
        created = _client.call(client, "create_table", request)["TableDescription"]
    except AwsError as exc:
        if exc.code != "ResourceInUseException":
            raise
        created = None
    if wait_for_active if wait is None else wait:
        return _wait(model, client, request["TableName"], waiting, gone=False)
    return created if created is not None else describe_table(model, client=client, table_name=table_name)


def ensure_table(
    model: ModelDefinition[Any],
    *,
    client: Any = None,
    table_name: str | None = None,
    billing_mode: BillingMode = "PAY_PER_REQUEST",
    provisioned_throughput: Mapping[str, int] | None = None,
    wait_for_active: bool = True,
    wait_timeout_seconds: float = 300.0,
    poll_interval_seconds: float = 0.25,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float | None = None,
) -> Any:
    """The model's table: created if it does not exist, else waited for until ACTIVE (its key schema is not
    compared)."""
    client = _client_or_default(client)
    waiting = _waiting(timeout, wait_timeout_seconds, poll_interval_seconds, sleep)
    try:
        found = describe_table(model, client=client, table_name=table_name)
    except TableNotFoundError:
        return create_table(
            model,
            client=client,
            table_name=table_name,
            billing_mode=billing_mode,
            provisioned_throughput=provisioned_throughput,
            wait_for_active=wait_for_active,
            wait_timeout_seconds=waiting.timeout,
            poll_interval_seconds=waiting.interval,
            sleep=sleep,
        )
    if not wait_for_active or found.get("TableStatus") == "ACTIVE":
        return found
    return _wait(model, client, table_name or model.table_name, waiting, gone=False)


def delete_table(
    model: ModelDefinition[Any],
    *,
    client: Any = None,
    table_name: str | None = None,
    wait_for_delete: bool = True,
    wait_timeout_seconds: float = 300.0,
    poll_interval_seconds: float = 0.25,
    ignore_missing: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    wait: bool | None = None,
    missing_ok: bool | None = None,
    timeout: float | None = None,
) -> None:
    """Delete the model's table and (by default) wait until it is gone; ``ignore_missing`` (or
    ``missing_ok``) ignores a table that does not exist."""
    client = _client_or_default(client)
    waiting = _waiting(timeout, wait_timeout_seconds, poll_interval_seconds, sleep)
    name = table_name or model.table_name
    try:
        _client.call(client, "delete_table", {"TableName": name})
    except TableNotFoundError:
        if not (ignore_missing if missing_ok is None else missing_ok):
            raise
        return
    if wait_for_delete if wait is None else wait:
        _wait(model, client, name, waiting, gone=True)
