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
>>> req["KeySchema"], req["AttributeDefinitions"][1]
([{'AttributeName': 'stream', 'KeyType': 'HASH'}, {'AttributeName': 'seq', 'KeyType': 'RANGE'}], \
{'AttributeName': 'seq', 'AttributeType': 'N'})
"""

from __future__ import annotations

import time
from typing import Any, Literal

from theorydb_py import _client
from theorydb_py._types import Request
from theorydb_py.errors import AwsError, TableNotFoundError, ValidationError
from theorydb_py.model import FieldDefinition, IndexDefinition, ModelDefinition

__all__ = ["build_create_table_request", "create_table", "delete_table", "describe_table", "ensure_table"]

BillingMode = Literal["PAY_PER_REQUEST", "PROVISIONED"]
StreamViewType = Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"]
_STREAM_VIEWS = ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY")


def _key_schema(partition: FieldDefinition, sort: FieldDefinition | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition.attribute_name, "KeyType": "HASH"}]
    if sort is not None:
        schema.append({"AttributeName": sort.attribute_name, "KeyType": "RANGE"})
    return schema


def _projection(index: IndexDefinition) -> dict[str, Any]:
    out: dict[str, Any] = {"ProjectionType": index.projection.type}
    if index.projection.type == "INCLUDE":
        out["NonKeyAttributes"] = list(index.projection.fields)
    return out


def build_create_table_request(
    model: ModelDefinition[Any],
    *,
    table_name: str | None = None,
    billing_mode: BillingMode = "PAY_PER_REQUEST",
    read_capacity: int = 5,
    write_capacity: int = 5,
    stream_view_type: StreamViewType | None = None,
) -> Request:
    """The CreateTable request for ``model``: keys, attribute definitions, GSIs and LSIs, and a stream
    when ``stream_view_type`` is given (``NEW_AND_OLD_IMAGES`` for ``unmarshal_stream_change``)."""
    if billing_mode not in ("PAY_PER_REQUEST", "PROVISIONED"):
        raise ValidationError(f"billing_mode must be PAY_PER_REQUEST or PROVISIONED, not {billing_mode!r}")
    if stream_view_type is not None and stream_view_type not in _STREAM_VIEWS:
        raise ValidationError(f"stream_view_type must be one of {', '.join(_STREAM_VIEWS)}")
    throughput = {"ReadCapacityUnits": read_capacity, "WriteCapacityUnits": write_capacity}
    definitions: dict[str, str] = {}
    for f in [*model.key_fields, *(f for i in model.indexes for f in model.index_keys(i) if f is not None)]:
        definitions.setdefault(f.attribute_name, f.key_type or "S")
    request: Request = {
        "TableName": table_name or model.table_name,
        "AttributeDefinitions": [{"AttributeName": n, "AttributeType": t} for n, t in definitions.items()],
        "KeySchema": _key_schema(model.pk, model.sk),
        "BillingMode": billing_mode,
    }
    gsis = [i for i in model.indexes if i.kind == "GSI"]
    lsis = [i for i in model.indexes if i.kind == "LSI"]
    if gsis:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": i.name,
                "KeySchema": _key_schema(*model.index_keys(i)),
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


def _wait(model: ModelDefinition[Any], client: Any, name: str, timeout: float, *, gone: bool) -> Any:
    deadline = time.monotonic() + timeout
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
            state = "deleted" if gone else "ACTIVE"
            raise TimeoutError(f"table {name} did not become {state} within {timeout}s")
        time.sleep(0.2)


def create_table(
    model: ModelDefinition[Any],
    *,
    client: Any = None,
    table_name: str | None = None,
    billing_mode: BillingMode = "PAY_PER_REQUEST",
    wait: bool = True,
    timeout: float = 60.0,
    stream_view_type: StreamViewType | None = None,
) -> Any:
    """Create the model's table and (by default) wait until it is ACTIVE; returns its description."""
    client = _client_or_default(client)
    request = build_create_table_request(
        model, table_name=table_name, billing_mode=billing_mode, stream_view_type=stream_view_type
    )
    created = _client.call(client, "create_table", request)["TableDescription"]
    return _wait(model, client, request["TableName"], timeout, gone=False) if wait else created


def ensure_table(
    model: ModelDefinition[Any],
    *,
    client: Any = None,
    table_name: str | None = None,
    billing_mode: BillingMode = "PAY_PER_REQUEST",
    timeout: float = 60.0,
) -> Any:
    """The model's table, created first if it does not exist (its key schema is not compared)."""
    client = _client_or_default(client)
    try:
        return describe_table(model, client=client, table_name=table_name)
    except TableNotFoundError:
        pass
    try:
        return create_table(
            model, client=client, table_name=table_name, billing_mode=billing_mode, timeout=timeout
        )
    except AwsError as exc:
        if exc.code != "ResourceInUseException":  # created meanwhile by someone else
            raise
        return _wait(model, client, table_name or model.table_name, timeout, gone=False)


def delete_table(
    model: ModelDefinition[Any],
    *,
    client: Any = None,
    table_name: str | None = None,
    wait: bool = False,
    missing_ok: bool = False,
    timeout: float = 60.0,
) -> None:
    """Delete the model's table; ``missing_ok`` ignores a table that does not exist."""
    client = _client_or_default(client)
    name = table_name or model.table_name
    try:
        _client.call(client, "delete_table", {"TableName": name})
    except TableNotFoundError:
        if not missing_ok:
            raise
        return
    if wait:
        _wait(model, client, name, timeout, gone=True)
