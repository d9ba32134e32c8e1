"""``ItemMapper``: the ORM's engine, shared by ``Table``, batches, transactions and the update builder.

One mapper serves one model in one table. It owns everything those front ends have in common, so each is
written once:

- keys (``key``, ``split_key``) and the check that an instance is of the model (``check_instance``);
- items: ``to_item`` (encode, check keys, seal encrypted fields) and ``from_item`` (open, decode);
- lifecycle stamping (``stamp``, ``update_changes`` through ``lifecycle``);
- the put path (``put_request``: check, stamp, encode, condition) and the update-mapping path
  (``update_request``), both also used by batches and transactions;
- conditions: typed ``Condition`` trees or raw expression strings with their placeholders
  (``apply_condition``);
- the client call and its error mapping, including the one version-conflict path (``call``).

>>> from dataclasses import dataclass
>>> from theorydb_py.model import theorydb_field
>>> @dataclass
... class Note:
...     id: str = theorydb_field(roles="pk")
...     text: str = ""
>>> mapper = ItemMapper(ModelDefinition.from_dataclass(Note, table_name="notes"), client=object())
>>> mapper.to_item(Note("n1", "hi"))
{'id': {'S': 'n1'}, 'text': {'S': 'hi'}}
>>> mapper.key("n1", None, "get")
{'id': {'S': 'n1'}}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar, cast

from theorydb_py import _client
from theorydb_py._types import AttributeValue, Item, Key, Request
from theorydb_py.codec import decode_struct, encode_dynamic, encode_struct, struct_fields
from theorydb_py.encryption import DataKeyCache, FieldEncryptor
from theorydb_py.errors import ConditionFailedError, EncryptionConfigError, ValidationError
from theorydb_py.expressions import Condition, Expression, and_, key_value, render
from theorydb_py.lifecycle import Clock, Lifecycle
from theorydb_py.model import IndexDefinition, ModelDefinition
from theorydb_py.update import MAPPING, UpdatePlan

__all__ = ["ItemMapper", "MapperSource", "mapper_of", "raw_value"]

T = TypeVar("T")
_AV_TAGS = frozenset({"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"})


def raw_value(value: Any, where: str) -> AttributeValue:
    """A caller's expression value: an attribute value as is (``{"S": "x"}``), else encoded by its type."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _AV_TAGS:
        return value
    return encode_dynamic(value, where)


class MapperSource(Protocol):
    """Anything that hands out its mapper: a ``Table``, or a mapper itself."""

    @property
    def mapper(self) -> ItemMapper[Any]: ...


def mapper_of(source: Any) -> ItemMapper[Any]:
    """The mapper of a ``Table`` (or the mapper given); ``ValidationError`` for anything else."""
    found = getattr(source, "mapper", None)
    if not isinstance(found, ItemMapper):
        raise ValidationError(f"expected a Table, not {source!r}")
    return found


class ItemMapper(Generic[T]):
    """Maps one model's instances to one table's items and requests, and sends them."""

    def __init__(
        self,
        model: ModelDefinition[T],
        *,
        client: Any = None,
        table_name: str | None = None,
        kms_key_arn: str | None = None,
        kms_client: Any = None,
        rand_bytes: Callable[[int], bytes] | None = None,
        clock: Clock | None = None,
        allow_legacy_aad: bool = False,
        envelope_version: int = 1,
    ) -> None:
        self.model = model
        if table_name is not None and (not isinstance(table_name, str) or not table_name):
            raise ValidationError("table_name must be a non-empty string")
        self.table_name: str = table_name or model.table_name
        self._client = client
        self._fields = struct_fields(cast(type, model.model))
        self.encrypted = frozenset(f.attribute_name for f in model.encrypted_fields)
        table_keys = {f.attribute_name for f in model.key_fields}
        self._index_keys = {
            a for i in model.indexes for a in (*i.partition_attributes, *i.sort_attributes)
        } - table_keys
        self._kms_key_arn = kms_key_arn.strip() if isinstance(kms_key_arn, str) else kms_key_arn
        self._kms_client = kms_client
        self._rand_bytes = rand_bytes
        self._allow_legacy_aad = allow_legacy_aad
        self._envelope_version = envelope_version
        self._encryptor: FieldEncryptor | None = None
        self.lifecycle = Lifecycle(model, clock)
        if self.encrypted and not self._kms_key_arn:
            names = ", ".join(f.python_name for f in model.encrypted_fields)
            raise EncryptionConfigError(
                f"{model.model.__name__} has encrypted fields ({names}) but kms_key_arn is not configured: "
                "pass kms_key_arn="
            )

    def __repr__(self) -> str:
        return f"<ItemMapper {self.model.model.__name__} {self.table_name!r}>"

    @property
    def mapper(self) -> ItemMapper[T]:
        return self

    @property
    def name(self) -> str:
        """The model's class name, for messages."""
        return self.model.model.__name__

    # --- the client ------------------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        """The DynamoDB client (created from the environment on first use when none was given)."""
        if self._client is None:
            self._client = _client.default_client()
        return self._client

    def call(self, operation: str, request: Request, *, expected_version: int | None = None) -> Any:
        """Send ``request``; errors mapped. With ``expected_version``, a failed condition whose cause is the
        version becomes ``VersionConflictError`` (the one version-conflict path of the ORM)."""
        try:
            return _client.call(self.client, operation, request)
        except ConditionFailedError as err:
            if expected_version is None:
                raise
            raise self.lifecycle.conflict(err, expected_version) from err

    # --- keys and instances ------------------------------------------------------------------------------

    def key(self, pk: Any, sk: Any, where: str) -> Key:
        """The DynamoDB key for ``(pk, sk)``; a sort key given to a model without one is refused."""
        key: Key = {self.model.pk.attribute_name: key_value(self.model.pk, pk, where)}
        if self.model.sk is None:
            if sk is not None:
                raise ValidationError(f"{where}: {self.name} has no sort key, but sk={sk!r} was given")
        else:
            if sk is None:
                raise ValidationError(f"{where}: {self.name} needs a sort key value (sk=)")
            key[self.model.sk.attribute_name] = key_value(self.model.sk, sk, where)
        return key

    def split_key(self, given: Any, where: str) -> Key:
        """``pk`` or ``(pk, None)`` (models without a sort key), or ``(pk, sk)``, as a DynamoDB key."""
        if self.model.sk is None:
            if isinstance(given, tuple) and len(given) == 2 and given[1] is None:
                given = given[0]
            elif isinstance(given, tuple):
                raise ValidationError(f"{where}: {self.name} has no sort key; give pk or (pk, None)")
            return self.key(given, None, where)
        if not isinstance(given, tuple | list) or len(given) != 2:
            raise ValidationError(
                f"{where}: {self.name} has a sort key; give each key as (pk, sk), not {given!r}"
            )
        return self.key(given[0], given[1], where)

    def item_key(self, item: Mapping[str, AttributeValue]) -> Key:
        """The key attributes of an item (missing ones as NULL, so malformed answers still compare)."""
        return {f.attribute_name: item.get(f.attribute_name, {"NULL": True}) for f in self.model.key_fields}

    def key_names(self, index: IndexDefinition | None) -> frozenset[str]:
        """The attributes of a ``LastEvaluatedKey`` from the table or ``index``."""
        names = {f.attribute_name for f in self.model.key_fields}
        if index is not None:
            names |= {*index.partition_attributes, *index.sort_attributes}
        return frozenset(names)

    def check_instance(self, instance: Any) -> None:
        if not isinstance(instance, self.model.model):
            raise ValidationError(f"expected a {self.name} instance, got {type(instance).__name__}")

    # --- items -------------------------------------------------------------------------------------------

    def _encryption(self) -> FieldEncryptor:
        if self._encryptor is None:
            kms = self._kms_client if self._kms_client is not None else _client.default_client("kms")
            self._encryptor = FieldEncryptor(
                kms_client=kms,
                key_arn=self._kms_key_arn or "",
                rand_bytes=self._rand_bytes,
                allow_legacy_aad=self._allow_legacy_aad,
                envelope_version=self._envelope_version,
            )
        return self._encryptor

    def seal(self, attrs: Mapping[str, AttributeValue], key: Key) -> dict[str, AttributeValue]:
        """The envelopes of encrypted attributes of the item whose primary key is ``key`` (one data key for
        all of them; the table and ``key`` are bound into version 2 envelopes)."""
        if not attrs:
            return {}
        if not self.encrypted:
            raise ValidationError("encrypted fields need the table's encryption set up (kms_key_arn)")
        return self._encryption().encrypt_attributes(attrs, table=self.table_name, key=key)

    def sealer(self, key: Key) -> Callable[[Mapping[str, AttributeValue]], dict[str, AttributeValue]]:
        """``seal`` for the item ``key``, as update plans call it."""
        return lambda attrs: self.seal(attrs, key)

    def _own_key(self, item: Mapping[str, AttributeValue]) -> Key:
        """The key attributes ``item`` holds (a projection may leave some out)."""
        return {
            f.attribute_name: item[f.attribute_name]
            for f in self.model.key_fields
            if f.attribute_name in item
        }

    def new_cache(self) -> DataKeyCache | None:
        """A data-key cache for one page or batch (None when the model has no encrypted fields)."""
        return DataKeyCache() if self.encrypted else None

    def to_item(self, instance: T) -> Item:
        """The DynamoDB item for a model instance (keys checked, encrypted fields sealed)."""
        self.check_instance(instance)
        item = encode_struct(instance, self._fields, self.name)
        for f in self.model.key_fields:
            key_value(f, getattr(instance, f.python_name), self.name)
        for attr in self._index_keys:  # DynamoDB refuses empty index keys: leave the item out of the index
            if attr in item and item[attr] in ({"S": ""}, {"B": b""}):
                del item[attr]
        for vector in self.model.vector_indexes:  # a vector of the wrong length is refused before sending
            stored = item.get(vector.vector)
            if stored is not None and len(stored["L"]) != vector.dimensions:
                field = self.model.by_attribute(vector.vector).python_name
                raise ValidationError(
                    f"{self.name}.{field}: vector index {vector.name!r} takes {vector.dimensions} "
                    f"dimensions, not {len(stored['L'])}"
                )
        secret = {a: item[a] for a in self.encrypted if a in item}
        if secret:
            item.update(self.seal(secret, self._own_key(item)))
        return item

    def from_item(self, item: Mapping[str, AttributeValue], cache: DataKeyCache | None = None) -> T:
        """The model instance for a DynamoDB item (encrypted fields opened, failing closed)."""
        secret = [a for a in sorted(self.encrypted) if a in item]  # sorted: the same error every run
        if secret:
            encryptor = self._encryption()
            cache = DataKeyCache() if cache is None else cache  # one Decrypt per data key, not per field
            key = self._own_key(item)
            item = dict(item)
            for attr in secret:
                item[attr] = encryptor.decrypt_attribute(
                    attr, item[attr], cache, table=self.table_name, key=key
                )
        instance: T = decode_struct(self.model.model, self._fields, item, self.name)
        return instance

    def stamp(self, instance: T, *, new: bool) -> T:
        """A copy of ``instance`` with its lifecycle fields set for a write (the caller's is unchanged)."""
        self.check_instance(instance)
        return self.lifecycle.stamp(instance, new=new)

    # --- conditions --------------------------------------------------------------------------------------

    def apply_condition(
        self,
        request: Request,
        expr: Expression,
        condition: str | Condition | None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
    ) -> None:
        """Add a condition (typed, or a raw string with its placeholders), the version check if one is
        expected, and the expression's placeholders (only when there are any)."""
        version = None if expected_version is None else self.lifecycle.version_condition(expected_version)
        if isinstance(condition, Condition):
            typed = condition if version is None else and_(condition, version)
            request["ConditionExpression"] = render(self.model, typed, expr, prefix="c", usage="a condition")
        elif condition is not None:
            if not isinstance(condition, str) or not condition.strip():
                raise ValidationError("condition_expression must be a non-empty string or a Condition")
            request["ConditionExpression"] = condition
            if version is not None:
                rendered = render(self.model, version, expr, prefix="c", usage="a condition")
                request["ConditionExpression"] = f"({condition}) AND {rendered}"
        elif version is not None:
            request["ConditionExpression"] = render(
                self.model, version, expr, prefix="c", usage="a condition"
            )
        if condition is None and (names or values) and "UpdateExpression" not in request:
            raise ValidationError(
                "expression attribute names/values were given without a condition_expression"
            )
        if names is not None and not isinstance(names, Mapping):
            raise ValidationError(f"expression_attribute_names must be a mapping, not {names!r}")
        if values is not None and not isinstance(values, Mapping):
            raise ValidationError(f"expression_attribute_values must be a mapping, not {values!r}")
        encoded = {k: raw_value(v, f"expression value {k}") for k, v in (values or {}).items()}
        expr.merge_user(dict(names or {}), encoded)
        if expr.names:
            request["ExpressionAttributeNames"] = expr.names
        if expr.values:
            request["ExpressionAttributeValues"] = expr.values
        if version is not None:
            request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"

    # --- the write paths -----------------------------------------------------------------------------------

    def put_request(
        self,
        instance: T,
        *,
        new: bool = False,
        condition: str | Condition | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> tuple[T, Request]:
        """The one put path (``put``, ``create``, batch puts, ``TransactPut``): the instance as it will be
        written (lifecycle stamped) and the PutItem request body for it."""
        written = self.stamp(instance, new=new)
        request: Request = {"TableName": self.table_name, "Item": self.to_item(written)}
        self.apply_condition(request, Expression(), condition, names, values)
        return written, request

    def update_request(
        self,
        pk: Any,
        sk: Any,
        updates: Mapping[str, Any],
        *,
        condition: str | Condition | None = None,
        names: Mapping[str, str] | None = None,
        values: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
        where: str = "update",
    ) -> Request:
        """The UpdateItem body for an update mapping (``Table.update`` and ``TransactUpdate``), with the
        lifecycle changes every update makes; placeholders ``#d_<field>``/``:d_<field>``."""
        request: Request = {"TableName": self.table_name, "Key": self.key(pk, sk, where)}
        plan = UpdatePlan.from_mapping(self.model, updates, MAPPING)
        plan.extend_mapping(self.lifecycle.update_changes(plan.touched()))
        expr = Expression()
        request["UpdateExpression"] = plan.render(expr, self.sealer(request["Key"]))
        self.apply_condition(request, expr, condition, names, values, expected_version)
        return request
