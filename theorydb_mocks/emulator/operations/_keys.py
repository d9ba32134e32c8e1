"""The item rules that depend on a table: key attributes, key sizes, index keys and the 400 KB limit.

Shared by every data-plane handler (items, query and scan, batches) so each rule and its message lives once.
Messages are DynamoDB's. Where DynamoDB Local words a key-schema mismatch differently from the service and
the service's wording is certain ("The number of conditions on the keys is invalid", "Type mismatch for
key", "One of the required keys was not given a value"), the service's wording is used, as the issue asks
(allow-listed in tests/conformance/allowlist.py). Where it is not certain (an index key of the wrong type,
a key attribute that is a set, list, map, boolean or null), DynamoDB Local's words and order are used.

>>> from theorydb_mocks.emulator._types import KeySchema
>>> parse_key(KeySchema("pk", "S"), {"pk": {"S": "a"}})
{'pk': {'S': 'a'}}
>>> parse_key(KeySchema("pk", "S"), {"pk": {"N": "1"}})
Traceback (most recent call last):
  ...
theorydb_mocks.emulator.errors.DynamoDBError: ValidationException: The provided key element does not ...
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from theorydb_mocks.emulator._types import IndexSpec, Item, Key, KeySchema, VectorIndexSpec
from theorydb_mocks.emulator.errors import DynamoDBError, validation_error
from theorydb_mocks.emulator.messages import (
    DUPLICATE_ATTRIBUTE_NAME,
    DUPLICATE_ATTRIBUTES_TO_GET,
    EMPTY_INDEX_KEY,
    EMPTY_INDEX_KEY_UPDATE,
    EMPTY_KEY,
    INDEX_TYPE_MISMATCH,
    INVALID_KEY_VALUE_TYPE,
    ITEM_TOO_LARGE,
    KEY_SCHEMA_MISMATCH,
    KEY_TOO_LARGE,
    KEY_TYPE_MISMATCH,
    MISSING_KEY,
    MIXED_PARAMETERS,
    VECTOR_DIMENSIONS,
    VECTOR_MEMBER_RANGE,
    VECTOR_MEMBER_TYPE,
    VECTOR_TYPE,
)
from theorydb_mocks.emulator.values import (
    attribute_value_size,
    item_size,
    normalize_number,
    utf8_size,
    validate_attribute_value,
)
from theorydb_mocks.emulator.vectors import F32_MAX, vector_values

__all__ = [
    "MAX_ITEM_SIZE",
    "check_index_keys",
    "check_item",
    "check_vector_attributes",
    "clone_item",
    "clone_value",
    "key_of",
    "normalize_key",
    "parse_key",
    "plain_position",
    "refuse_duplicate_names",
    "reject_legacy_mix",
]

MAX_ITEM_SIZE = 400 * 1024
_MAX_HASH_KEY = 2048
_MAX_RANGE_KEY = 1024

_SCALARS = frozenset({"S", "N", "B"})

_EMPTY_KIND = {"S": "string", "B": "binary"}


def _type_name(av: Any) -> str:
    return next(iter(av), "") if isinstance(av, dict) else ""


def _check_key_values(key: KeySchema, values: Key) -> None:
    """Empty and oversized key values (the types are already right)."""
    for name in key.names:
        av = values[name]
        kind = key.hash_type if name == key.hash_name else key.range_type
        if kind in _EMPTY_KIND and len(av[kind]) == 0:
            raise validation_error(EMPTY_KEY.format(kind=_EMPTY_KIND[kind], name=name))
    if _too_large(values[key.hash_name], _MAX_HASH_KEY) or (
        key.range_name is not None and _too_large(values[key.range_name], _MAX_RANGE_KEY)
    ):
        raise validation_error(KEY_TOO_LARGE)


def _too_large(av: Any, limit: int) -> bool:
    """Whether a key value passes its size limit; numbers (at most 21 bytes) never do, and short strings
    are decided without encoding them (measured: the single-item benchmark)."""
    if "N" in av:
        return False
    text = av.get("S")
    if text is not None and len(text) * 4 <= limit:
        return False
    return attribute_value_size(av) > limit


def normalize_key(request_key: Any) -> Key:
    """A request's ``Key`` with its values validated and normalized: the part of the checks that needs no
    table, so it runs before the table is looked up, as the service orders them."""
    if not isinstance(request_key, dict):
        raise validation_error(KEY_SCHEMA_MISMATCH)
    return {name: validate_attribute_value(av) for name, av in request_key.items()}


def parse_key(key: KeySchema, request_key: Any, *, normalized: bool = False) -> Key:
    """Validate a request's ``Key`` against the table's key schema; returns it normalized.

    ``normalized``: the values already went through :func:`normalize_key`. Runtime: O(1).
    """
    values = request_key if normalized else normalize_key(request_key)
    if len(values) != (1 if key.range_name is None else 2):
        raise validation_error(KEY_SCHEMA_MISMATCH)
    # Attribute by attribute in schema order, as DynamoDB Local checks: present, a scalar, the right type.
    for name, expected in ((key.hash_name, key.hash_type), (key.range_name, key.range_type)):
        if name is None:
            continue
        av = values.get(name)
        if av is None:
            raise validation_error(KEY_SCHEMA_MISMATCH)
        if expected not in av:
            if _type_name(av) not in _SCALARS:
                raise validation_error(INVALID_KEY_VALUE_TYPE)
            raise validation_error(KEY_SCHEMA_MISMATCH)
    _check_key_values(key, values)
    return values


def _plain_sort_value(av: Any, kind: str, limit: int) -> Any:
    """The sort value of a key attribute value that is surely valid (a one-member ``S`` of ASCII text or
    ``N`` of canonical text within the limits), or None: anything else takes the checked path."""
    if type(av) is not dict or len(av) != 1:
        return None
    value = av.get(kind)
    if type(value) is not str or not value:
        return None
    if kind == "S":
        return value if value.isascii() and len(value) <= limit else None
    if kind == "N" and normalize_number(value) == value:
        return Decimal(value)
    return None


def plain_position(key: KeySchema, request_key: Any) -> tuple[Any, Any] | None:
    """The store position (``TableStore.position``) of a request's ``Key`` when every rule surely passes,
    so the checks of :func:`normalize_key` and :func:`parse_key` have nothing to say; None otherwise.

    The hot path of GetItem (measured: the checked path was a third of a direct GetItem).
    """
    if type(request_key) is not dict:
        return None
    range_name = key.range_name
    if len(request_key) != (1 if range_name is None else 2):
        return None
    try:
        hash_value = _plain_sort_value(request_key.get(key.hash_name), key.hash_type, _MAX_HASH_KEY)
        if hash_value is None:
            return None
        if range_name is None:
            return hash_value, None
        range_value = _plain_sort_value(request_key.get(range_name), key.range_type or "", _MAX_RANGE_KEY)
    except DynamoDBError:
        return None
    return None if range_value is None else (hash_value, range_value)


def key_of(key: KeySchema, item: Item) -> Key:
    """The table key of a stored (or checked) item."""
    if key.range_name is None:
        return {key.hash_name: item[key.hash_name]}
    return {key.hash_name: item[key.hash_name], key.range_name: item[key.range_name]}


def check_item(
    key: KeySchema,
    indexes: Iterable[IndexSpec],
    item: Item,
    *,
    size: int | None = None,
    vectors: Iterable[VectorIndexSpec] = (),
) -> int:
    """The rules a whole new item (PutItem, BatchWriteItem) must meet; returns its size in bytes.

    Order as DynamoDB checks: item size, then the table key, then the index keys (vector indexes' after the
    secondary indexes'), then the item size counting its projections into local secondary indexes.
    """
    total = item_size(item) if size is None else size
    if total > MAX_ITEM_SIZE:
        raise validation_error(ITEM_TOO_LARGE)
    # Attribute by attribute in schema order, as DynamoDB Local checks: present, a scalar, the right type.
    for name in key.names:
        if name not in item:
            raise validation_error(MISSING_KEY.format(name=name))
        expected = key.hash_type if name == key.hash_name else key.range_type
        actual = _type_name(item[name])
        if actual not in _SCALARS:
            raise validation_error(INVALID_KEY_VALUE_TYPE)
        if actual != expected:
            raise validation_error(KEY_TYPE_MISMATCH.format(name=name, expected=expected, actual=actual))
    _check_key_values(key, item)
    if indexes or vectors:  # (a table without any: nothing more to check, the PutItem hot path)
        check_index_keys(indexes, item, vectors=vectors)
        if total + _lsi_projection_sizes(key, indexes, item, total) > MAX_ITEM_SIZE:
            raise validation_error(ITEM_TOO_LARGE)
    return total


def _lsi_projection_sizes(key: KeySchema, indexes: Iterable[IndexSpec], item: Item, size: int) -> int:
    """What a new item's projections into its table's LSIs add to its size for the 400 KB limit.

    Measured on DynamoDB Local, byte by byte: an ALL projection counts the whole item; a KEYS_ONLY or
    INCLUDE projection counts the partition key, the index sort key and the included attributes (not the
    table's sort key). An item without the index sort key is not in the index and adds nothing. (UpdateItem
    does not apply this rule there.)
    """
    extra = 0
    for spec in indexes:
        if spec.kind != "LSI":
            continue
        range_name = spec.key.range_name
        if range_name is None or range_name not in item:
            continue
        if spec.projection_type == "ALL":
            extra += size
            continue
        names = {key.hash_name, range_name}
        if spec.projection_type == "INCLUDE":
            names.update(spec.non_key_attributes)
        present = (name for name in names if name in item)
        extra += sum(utf8_size(name) + attribute_value_size(item[name]) for name in present)
    return extra


def check_index_keys(
    indexes: Iterable[IndexSpec],
    item: Item,
    *,
    update: bool = False,
    vectors: Iterable[VectorIndexSpec] = (),
) -> None:
    """Index key attributes present in ``item`` must have the index's type and must not be empty; vector
    attributes present must be vectors of the index's dimensions (``check_vector_attributes``)."""
    for spec in indexes:
        index_key = spec.key
        for name in index_key.names:
            av = item.get(name)
            if av is None:
                continue
            expected = index_key.type_of(name)
            actual = _type_name(av)
            if actual not in _SCALARS:
                raise validation_error(INVALID_KEY_VALUE_TYPE)
            if actual != expected:
                raise validation_error(INDEX_TYPE_MISMATCH)
            if expected in _EMPTY_KIND and len(av[expected]) == 0:
                kind = _EMPTY_KIND[expected]
                if update:
                    raise validation_error(EMPTY_INDEX_KEY_UPDATE.format(kind=kind))
                raise validation_error(EMPTY_INDEX_KEY.format(kind=kind, index=spec.name, name=name))
    if vectors:
        check_vector_attributes(vectors, item)


def check_vector_attributes(vectors: Iterable[VectorIndexSpec], item: Item) -> None:
    """A written item's vector attributes and search schema attributes must suit each vector index.

    A vector is a List of ``Dimensions`` Numbers within float32 range; a SearchSchema attribute has its
    declared type (as a GSI key). Absent attributes are fine: the item is then not in that index.
    """
    for spec in vectors:
        av = item.get(spec.attribute)
        if av is not None and vector_values(av, spec.dimensions) is None:
            _vector_error(spec, av)
        for name, role, expected in spec.search_schema:
            value = item.get(name)
            if value is None:
                continue
            actual = _type_name(value)
            if actual not in _SCALARS:
                raise validation_error(INVALID_KEY_VALUE_TYPE)
            if actual != expected:
                raise validation_error(INDEX_TYPE_MISMATCH)
            if role == "HASH" and expected in _EMPTY_KIND and len(value[expected]) == 0:
                kind = _EMPTY_KIND[expected]
                raise validation_error(EMPTY_INDEX_KEY.format(kind=kind, index=spec.name, name=name))


def _vector_error(spec: VectorIndexSpec, av: Any) -> None:
    """Raise the error that says why ``av`` is not a vector for ``spec``."""
    name, index = spec.attribute, spec.name
    if _type_name(av) != "L":
        raise validation_error(VECTOR_TYPE.format(name=name, actual=_type_name(av), index=index))
    members = av["L"]
    for position, member in enumerate(members):
        if _type_name(member) != "N":
            actual = _type_name(member)
            raise validation_error(
                VECTOR_MEMBER_TYPE.format(name=name, position=position, actual=actual, index=index)
            )
        if abs(float(member["N"])) > F32_MAX and vector_values({"L": [member]}, 1) is None:
            raise validation_error(
                VECTOR_MEMBER_RANGE.format(name=name, position=position, value=member["N"], index=index)
            )
    raise validation_error(
        VECTOR_DIMENSIONS.format(name=name, count=len(members), dims=spec.dimensions, index=index)
    )


def refuse_duplicate_names(request: dict[str, Any], *, batch: bool = False) -> None:
    """Refuse a name given twice in ``AttributesToGet`` (a projection names each attribute once)."""
    names = request.get("AttributesToGet")
    if not names or len(set(names)) == len(names):
        return
    if batch:
        repeated = next(name for n, name in enumerate(names) if name in names[:n])
        raise validation_error(DUPLICATE_ATTRIBUTE_NAME.format(name=repeated))
    raise validation_error(DUPLICATE_ATTRIBUTES_TO_GET)


def reject_legacy_mix(request: dict[str, Any], legacy: tuple[str, ...], modern: tuple[str, ...]) -> None:
    """Refuse a request mixing legacy parameters (``Expected``...) with expressions, in DynamoDB's words."""
    for name in legacy:
        if request.get(name) is not None:
            break
    else:
        return  # no legacy parameter: the hot path (measured: a sorted() here was a tenth of a GetItem)
    old = sorted(name for name in legacy if request.get(name) is not None)
    new = sorted(name for name in modern if request.get(name) is not None)
    if new:
        raise validation_error(MIXED_PARAMETERS.format(legacy=", ".join(old), modern=", ".join(new)))


def clone_value(av: Any) -> Any:
    """A copy of an attribute value deep enough that callers cannot change stored data through it."""
    for kind, value in av.items():
        if kind == "M":
            return {"M": {name: clone_value(member) for name, member in value.items()}}
        if kind == "L":  # numbers copied inline: vectors are long lists of them (bench_vectors.py)
            return {"L": [{"N": m["N"]} if len(m) == 1 and "N" in m else clone_value(m) for m in value]}
        if kind in ("SS", "NS", "BS"):
            return {kind: list(value)}
        return {kind: value}
    return {}


def clone_item(item: Item) -> Item:
    """A copy of a stored item for a response (stored items are shared and never mutated).

    Strings and numbers, most attributes, are copied by ``dict.copy`` (their values are immutable).
    """
    return {name: av.copy() if "S" in av or "N" in av else clone_value(av) for name, av in item.items()}
