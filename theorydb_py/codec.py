"""Python values <-> DynamoDB attribute values, driven by each field's resolved type hint.

A ``ValueCodec`` is compiled once per field from its annotation and ``theorydb_field`` options, so that bad
annotations fail when the model is defined and values are checked against the declared type on every write.

Rules (docs/models.md has the full table):

- ``str`` -> S, ``bool`` -> BOOL, ``int``/``float``/``Decimal`` -> N (floats as their exact ``repr``),
  ``bytes`` -> B, ``datetime`` -> S (UTC ISO-8601, fixed microseconds so strings sort like times),
  a ``ttl`` datetime -> N epoch seconds,
  ``date``/``UUID`` -> S, ``Enum`` -> its value's encoding, ``list``/``tuple`` -> L, ``dict[str, T]`` -> M,
  nested dataclasses -> M, ``set[str|int|float|Decimal|bytes]`` -> SS/NS/BS (sorted, so requests are stable).
- ``None`` and empty sets are omitted from items (DynamoDB has no empty set); inside lists and maps they are
  stored as NULL.
- ``json=True`` stores compact JSON in S, ``binary=True`` stores B, ``converter=`` replaces all of this.

>>> codec = codec_for(set[int])
>>> codec.encode([3, 1, 3], "Order.quantities")
{'NS': ['1', '3']}
>>> codec.decode({"NS": ["1", "3"]}, "Order.quantities") == {1, 3}
True
>>> codec_for(float).encode(0.1, "x")
{'N': '0.1'}
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import functools
import json
import math
import types
import typing
import uuid
from collections.abc import Callable, Mapping, Sequence, Sized
from collections.abc import Set as AbstractSet
from decimal import Decimal, InvalidOperation
from typing import Any

from theorydb_py._types import AttributeValue, FieldOptions, Item, ScalarType
from theorydb_py.errors import ModelDefinitionError, ValidationError

__all__ = [
    "StructField",
    "ValueCodec",
    "Vector",
    "codec_for",
    "decode_dynamic",
    "encode_dynamic",
    "encode_vector",
    "struct_fields",
]

META_KEY = "theorydb"
_NO_OPTIONS = FieldOptions()

Encode = Callable[[Any, str], AttributeValue | None]
Decode = Callable[[AttributeValue, str], Any]


@dataclasses.dataclass(frozen=True, slots=True)
class ValueCodec:
    """How one declared type is stored: ``encode(value, path)`` (None means "omit") and ``decode(av, path)``.

    ``scalar`` is the key type (S, N or B) when the stored form is a scalar, ``element`` the codec of the
    members of a list or set (used by ``contains``), ``empty`` builds the value of a missing collection.
    """

    encode: Encode
    decode: Decode
    scalar: ScalarType | None = None
    element: ValueCodec | None = None
    empty: Callable[[], Any] | None = None
    number: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class StructField:
    """One stored field of a dataclass: its Python name, its attribute name, options and codec."""

    python_name: str
    attribute_name: str
    hint: Any
    options: FieldOptions
    codec: ValueCodec
    has_default: bool
    init: bool


def _type_name(value: Any) -> str:
    return type(value).__name__


def _wrong(path: str, expected: str, value: Any) -> ValidationError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return ValidationError(f"{path}: expected {expected}, got {_type_name(value)} {shown}")


def _bad_stored(path: str, expected: str, av: Any) -> ValidationError:
    return ValidationError(f"{path}: cannot read {av!r} from DynamoDB as {expected}")


def _only(av: AttributeValue, tag: str, path: str, expected: str) -> Any:
    if not isinstance(av, dict) or tag not in av:
        raise _bad_stored(path, expected, av)
    return av[tag]


# --- numbers -------------------------------------------------------------------------------------------


def _number_text(value: int | float | Decimal, path: str) -> str:
    if isinstance(value, bool):
        raise _wrong(path, "a number", value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(f"{path}: DynamoDB cannot store the number {value!r}")
        return repr(value)
    if not value.is_finite():
        raise ValidationError(f"{path}: DynamoDB cannot store the number {value!r}")
    return str(value)


def _encode_int(value: Any, path: str) -> AttributeValue:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong(path, "int", value)
    return {"N": str(value)}


def _decode_int(av: AttributeValue, path: str) -> int:
    text = _only(av, "N", path, "int")
    try:
        return int(text)
    except ValueError:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _bad_stored(path, "int", av) from None
        if number != number.to_integral_value():
            raise _bad_stored(path, "int", av) from None
        return int(number)


def _encode_float(value: Any, path: str) -> AttributeValue:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong(path, "float", value)
    return {"N": _number_text(float(value), path)}


def _decode_float(av: AttributeValue, path: str) -> float:
    try:
        return float(_only(av, "N", path, "float"))
    except (TypeError, ValueError):
        raise _bad_stored(path, "float", av) from None


def _encode_decimal(value: Any, path: str) -> AttributeValue:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise _wrong(path, "Decimal", value)
    return {"N": _number_text(value, path)}


def _decode_decimal(av: AttributeValue, path: str) -> Decimal:
    try:
        return Decimal(_only(av, "N", path, "Decimal"))
    except (TypeError, InvalidOperation):
        raise _bad_stored(path, "Decimal", av) from None


# --- scalars ---------------------------------------------------------------------------------------------


def _encode_str(value: Any, path: str) -> AttributeValue:
    if not isinstance(value, str):
        raise _wrong(path, "str", value)
    return {"S": value}


def _decode_str(av: AttributeValue, path: str) -> str:
    value = _only(av, "S", path, "str")
    if not isinstance(value, str):
        raise _bad_stored(path, "str", av)
    return value


def _encode_bytes(value: Any, path: str) -> AttributeValue:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise _wrong(path, "bytes", value)
    return {"B": bytes(value)}


def _decode_bytes(av: AttributeValue, path: str) -> bytes:
    value = _only(av, "B", path, "bytes")
    if isinstance(value, str):  # a JSON-protocol client hands back base64 text
        return base64.b64decode(value)
    return bytes(value)


def _encode_bool(value: Any, path: str) -> AttributeValue:
    if not isinstance(value, bool):
        raise _wrong(path, "bool", value)
    return {"BOOL": value}


def _decode_bool(av: AttributeValue, path: str) -> bool:
    return bool(_only(av, "BOOL", path, "bool"))


def format_datetime(value: dt.datetime) -> str:
    """UTC ISO-8601 with a ``Z`` and always six fractional digits, so stored strings sort in time order.

    Naive datetimes are taken to be UTC.

    >>> format_datetime(dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC))
    '2024-05-01T12:30:00.000000Z'
    """
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _encode_datetime(value: Any, path: str) -> AttributeValue:
    if not isinstance(value, dt.datetime):
        raise _wrong(path, "datetime", value)
    return {"S": format_datetime(value)}


def _decode_datetime(av: AttributeValue, path: str) -> dt.datetime:
    if isinstance(av, dict) and "N" in av:  # epoch seconds, as TTL attributes are stored
        return dt.datetime.fromtimestamp(float(av["N"]), tz=dt.UTC)
    try:
        parsed = dt.datetime.fromisoformat(_only(av, "S", path, "datetime"))
    except (TypeError, ValueError):
        raise _bad_stored(path, "datetime", av) from None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def _encode_epoch(value: Any, path: str) -> AttributeValue:
    if not isinstance(value, dt.datetime):
        raise _wrong(path, "datetime", value)
    aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    return {"N": str(int(aware.timestamp()))}


_EPOCH_SECONDS = ValueCodec(_encode_epoch, _decode_datetime, "N", number=True)


def _encode_date(value: Any, path: str) -> AttributeValue:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise _wrong(path, "date", value)
    return {"S": value.isoformat()}


def _decode_date(av: AttributeValue, path: str) -> dt.date:
    try:
        return dt.date.fromisoformat(_only(av, "S", path, "date"))
    except (TypeError, ValueError):
        raise _bad_stored(path, "date", av) from None


def _encode_uuid(value: Any, path: str) -> AttributeValue:
    if isinstance(value, str):
        try:
            value = uuid.UUID(value)
        except ValueError:
            raise _wrong(path, "UUID", value) from None
    if not isinstance(value, uuid.UUID):
        raise _wrong(path, "UUID", value)
    return {"S": str(value)}


def _decode_uuid(av: AttributeValue, path: str) -> uuid.UUID:
    try:
        return uuid.UUID(_only(av, "S", path, "UUID"))
    except (TypeError, ValueError):
        raise _bad_stored(path, "UUID", av) from None


# --- vectors -------------------------------------------------------------------------------------------

# The largest finite float32: vector indexes store 32-bit floats, so larger magnitudes are refused early.
_F32_MAX = 3.4028234663852886e38


class Vector(list[float]):
    """An embedding: a list of floats stored as a List of Numbers (``{"L": [{"N": "0.25"}, ...]}``).

    Annotate a field ``Vector | None`` (or ``Vector``) and index it with ``vector_index(...)``. An empty or
    missing vector is left out of the item (so the item is not in the vector index). Each member must be a
    finite int or float within float32 range; vector indexes keep 32-bit precision.

    >>> codec_for(Vector).encode([0.5, 1, -2.25], "v")
    {'L': [{'N': '0.5'}, {'N': '1.0'}, {'N': '-2.25'}]}
    >>> codec_for(Vector).decode({"L": [{"N": "0.5"}, {"N": "1"}]}, "v")
    [0.5, 1.0]
    """

    __slots__ = ()


def encode_vector(value: Any, path: str) -> AttributeValue | None:
    """A vector as a List of Numbers; None for None or an empty vector (the attribute is left out)."""
    if value is None:
        return None
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        raise _wrong(path, "a vector (a list of floats)", value)
    members: list[AttributeValue] = []
    for i, member in enumerate(value):
        if isinstance(member, bool) or not isinstance(member, int | float):
            raise _wrong(f"{path}[{i}]", "a float", member)
        number = float(member)
        if not math.isfinite(number) or abs(number) > _F32_MAX:
            raise ValidationError(f"{path}[{i}]: a vector holds finite 32-bit floats, not {member!r}")
        members.append({"N": repr(number)})
    return {"L": members} if members else None


def _decode_vector(av: AttributeValue, path: str) -> Vector:
    raw = _only(av, "L", path, "a vector")
    try:
        return Vector(float(member["N"]) for member in raw)
    except (KeyError, TypeError, ValueError):
        raise _bad_stored(path, "a vector", av) from None


_VECTOR = ValueCodec(encode_vector, _decode_vector)


_SCALARS: dict[type, ValueCodec] = {
    str: ValueCodec(_encode_str, _decode_str, "S"),
    int: ValueCodec(_encode_int, _decode_int, "N", number=True),
    float: ValueCodec(_encode_float, _decode_float, "N", number=True),
    Decimal: ValueCodec(_encode_decimal, _decode_decimal, "N", number=True),
    bytes: ValueCodec(_encode_bytes, _decode_bytes, "B"),
    bytearray: ValueCodec(_encode_bytes, _decode_bytes, "B"),
    bool: ValueCodec(_encode_bool, _decode_bool),
    dt.datetime: ValueCodec(_encode_datetime, _decode_datetime, "S"),
    dt.date: ValueCodec(_encode_date, _decode_date, "S"),
    uuid.UUID: ValueCodec(_encode_uuid, _decode_uuid, "S"),
}


# --- dynamic values (Any, and expression values given as plain Python) ----------------------------------


def encode_dynamic(value: Any, path: str = "value") -> AttributeValue:
    """Encode by the value's own type: used for ``Any`` fields and raw expression values.

    >>> encode_dynamic({"a": [1, "x", None]})
    {'M': {'a': {'L': [{'N': '1'}, {'S': 'x'}, {'NULL': True}]}}}
    """
    if value is None:
        return {"NULL": True}
    if isinstance(value, enum.Enum):
        return encode_dynamic(value.value, path)
    for kind in (bool, str, int, float, Decimal, bytes, bytearray, dt.datetime, dt.date, uuid.UUID):
        if isinstance(value, kind):
            result = _SCALARS[kind].encode(value, path)
            assert result is not None
            return result
    if isinstance(value, memoryview):
        return {"B": bytes(value)}
    if isinstance(value, Mapping):
        return {"M": {_map_key(k, path): encode_dynamic(v, f"{path}.{k}") for k, v in value.items()}}
    if isinstance(value, AbstractSet):
        encoded = _encode_dynamic_set(value, path)
        if encoded is None:
            raise ValidationError(f"{path}: DynamoDB cannot store an empty set")
        return encoded
    if isinstance(value, list | tuple):
        return {"L": [encode_dynamic(v, f"{path}[{i}]") for i, v in enumerate(value)]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        encoded_struct = _dataclass_codec(type(value)).encode(value, path)
        assert encoded_struct is not None
        return encoded_struct
    raise ValidationError(f"{path}: cannot store a value of type {_type_name(value)}")


def _encode_dynamic_set(value: AbstractSet[Any], path: str) -> AttributeValue | None:
    if not value:
        return None
    if all(isinstance(v, str) for v in value):
        return _SET_CODECS[str].encode(value, path)
    if all(isinstance(v, bytes) for v in value):
        return _SET_CODECS[bytes].encode(value, path)
    if all(isinstance(v, int | float | Decimal) and not isinstance(v, bool) for v in value):
        return _SET_CODECS[Decimal].encode(value, path)
    raise ValidationError(f"{path}: a set must hold only strings, only numbers or only bytes")


def decode_dynamic(av: AttributeValue, path: str = "value") -> Any:
    """Decode without a declared type: N becomes ``int`` when integral, else ``Decimal``.

    >>> decode_dynamic({"L": [{"N": "2"}, {"N": "2.5"}, {"BOOL": True}]})
    [2, Decimal('2.5'), True]
    """
    if not isinstance(av, dict) or len(av) != 1:
        raise _bad_stored(path, "an attribute value", av)
    ((tag, raw),) = av.items()
    match tag:
        case "S" | "BOOL":
            return raw
        case "N":
            return _dynamic_number(raw)
        case "B":
            return _decode_bytes(av, path)
        case "NULL":
            return None
        case "SS":
            return set(raw)
        case "NS":
            return {_dynamic_number(n) for n in raw}
        case "BS":
            return {_decode_bytes({"B": b}, path) for b in raw}
        case "L":
            return [decode_dynamic(v, f"{path}[{i}]") for i, v in enumerate(raw)]
        case "M":
            return {k: decode_dynamic(v, f"{path}.{k}") for k, v in raw.items()}
    raise _bad_stored(path, "an attribute value", av)


def _dynamic_number(text: str) -> int | Decimal:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() and "." not in text else number


_DYNAMIC = ValueCodec(lambda v, p: None if v is None else encode_dynamic(v, p), decode_dynamic)


def _map_key(key: Any, path: str) -> str:
    if not isinstance(key, str) or not key:
        raise ValidationError(f"{path}: map keys must be non-empty str, got {_type_name(key)} {key!r}")
    return key


# --- sets, lists, maps ------------------------------------------------------------------------------------


def _set_codec(element: type) -> ValueCodec:
    elem = _SCALARS[element]
    tag = {"S": "SS", "N": "NS", "B": "BS"}[elem.scalar or ""]

    def sort_key(text: Any) -> Any:
        return Decimal(text) if tag == "NS" else text

    def encode(value: Any, path: str) -> AttributeValue | None:
        if isinstance(value, str | bytes) or not isinstance(value, AbstractSet | list | tuple | frozenset):
            raise _wrong(path, f"a set of {element.__name__}", value)
        if not value:
            return None
        members: list[Any] = []
        for member in value:
            av = elem.encode(member, f"{path}[member]")
            assert av is not None
            members.append(av[elem.scalar or ""])
        distinct = set(members) if tag != "NS" else {Decimal(m): m for m in members}.values()
        unique = sorted(distinct, key=sort_key)
        return {tag: unique}

    def decode(av: AttributeValue, path: str) -> Any:
        if isinstance(av, dict) and "NULL" in av:
            return set()
        raw = _only(av, tag, path, f"a set of {element.__name__}")
        return {elem.decode({elem.scalar or "": m}, path) for m in raw}

    return ValueCodec(encode, decode, element=elem, empty=set)


_SET_CODECS: dict[type, ValueCodec] = {t: _set_codec(t) for t in (str, int, float, Decimal, bytes)}


def _list_codec(element: ValueCodec, build: Callable[[list[Any]], Any]) -> ValueCodec:
    def encode(value: Any, path: str) -> AttributeValue:
        if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence | AbstractSet):
            raise _wrong(path, "a list", value)
        items = []
        for i, member in enumerate(value):
            av = None if member is None else element.encode(member, f"{path}[{i}]")
            items.append({"NULL": True} if av is None else av)
        return {"L": items}

    def decode(av: AttributeValue, path: str) -> Any:
        raw = _only(av, "L", path, "a list")
        return build([_decode_member(element, v, f"{path}[{i}]") for i, v in enumerate(raw)])

    return ValueCodec(encode, decode, element=element, empty=lambda: build([]))


def _decode_member(codec: ValueCodec, av: AttributeValue, path: str) -> Any:
    if isinstance(av, dict) and av.get("NULL") is True:
        return None
    return codec.decode(av, path)


def _dict_codec(value_codec: ValueCodec) -> ValueCodec:
    def encode(value: Any, path: str) -> AttributeValue:
        if not isinstance(value, Mapping):
            raise _wrong(path, "a dict", value)
        out: dict[str, AttributeValue] = {}
        for key, member in value.items():
            where = f"{path}.{_map_key(key, path)}"
            av = None if member is None else value_codec.encode(member, where)
            out[key] = {"NULL": True} if av is None else av
        return {"M": out}

    def decode(av: AttributeValue, path: str) -> Any:
        raw = _only(av, "M", path, "a dict")
        return {k: _decode_member(value_codec, v, f"{path}.{k}") for k, v in raw.items()}

    return ValueCodec(encode, decode, empty=dict)


def _enum_codec(cls: type[enum.Enum]) -> ValueCodec:
    values = [member.value for member in cls]
    if issubclass(cls, str) or (values and all(isinstance(v, str) for v in values)):
        inner = _SCALARS[str]
    elif issubclass(cls, int) or (values and all(type(v) is int for v in values)):
        inner = _SCALARS[int]
    else:
        raise ModelDefinitionError(f"enum {cls.__name__} must have only str or only int values to be stored")

    def encode(value: Any, path: str) -> AttributeValue | None:
        try:
            member = value if isinstance(value, cls) else cls(value)
        except ValueError:
            raise _wrong(path, f"a {cls.__name__} member", value) from None
        return inner.encode(member.value, path)

    def decode(av: AttributeValue, path: str) -> Any:
        try:
            return cls(inner.decode(av, path))
        except ValueError:
            raise _bad_stored(path, cls.__name__, av) from None

    return ValueCodec(encode, decode, inner.scalar, number=inner.number)


# --- dataclasses ------------------------------------------------------------------------------------------


def field_options(field: dataclasses.Field[Any]) -> FieldOptions:
    options = field.metadata.get(META_KEY, _NO_OPTIONS)
    return options if isinstance(options, FieldOptions) else _NO_OPTIONS


_IN_PROGRESS: set[type] = set()


@functools.cache
def struct_fields(cls: type) -> tuple[StructField, ...]:
    """The stored fields of a dataclass, with codecs compiled from ``typing.get_type_hints``.

    Raises ``ModelDefinitionError`` naming the class and field when an annotation cannot be stored.
    """
    _IN_PROGRESS.add(cls)
    try:
        return _compile_fields(cls)
    finally:
        _IN_PROGRESS.discard(cls)


def _compile_fields(cls: type) -> tuple[StructField, ...]:
    try:
        hints = typing.get_type_hints(cls)
    except Exception as exc:  # a NameError or TypeError from a bad string annotation
        raise ModelDefinitionError(f"{cls.__name__}: cannot resolve its annotations ({exc})") from exc
    out: list[StructField] = []
    for field in dataclasses.fields(cls):
        options = field_options(field)
        missing = dataclasses.MISSING
        has_default = field.default is not missing or field.default_factory is not missing
        if options.ignore:
            if field.init and not has_default:
                raise ModelDefinitionError(
                    f"{cls.__name__}.{field.name}: an ignored field needs default= or default_factory="
                )
            continue
        path = f"{cls.__name__}.{field.name}"
        codec = codec_for(hints[field.name], options, path)
        name = options.name if options.name is not None else field.name
        if not name:
            raise ModelDefinitionError(f"{path}: the attribute name must not be empty")
        out.append(StructField(field.name, name, hints[field.name], options, codec, has_default, field.init))
    return tuple(out)


def encode_struct(value: Any, fields: tuple[StructField, ...], path: str) -> Item:
    """The attribute map of a dataclass instance; fields whose value encodes to nothing are left out."""
    item: Item = {}
    for field in fields:
        member = getattr(value, field.python_name)
        av = None if member is None else field.codec.encode(member, f"{path}.{field.python_name}")
        if av is not None:
            item[field.attribute_name] = av
    return item


def decode_struct(
    cls: type, fields: tuple[StructField, ...], item: Mapping[str, AttributeValue], path: str
) -> Any:
    """A dataclass instance from an attribute map: a missing attribute takes the field's default, an empty
    collection for collection types, else ``None`` (a projection may leave fields out)."""
    kwargs: dict[str, Any] = {}
    late: dict[str, Any] = {}
    for field in fields:
        av = item.get(field.attribute_name)
        if av is None:
            if field.has_default:
                continue
            value = field.codec.empty() if field.codec.empty is not None else None
        else:
            value = _decode_member(field.codec, av, f"{path}.{field.python_name}")
        (kwargs if field.init else late)[field.python_name] = value
    instance = cls(**kwargs)
    for name, value in late.items():
        object.__setattr__(instance, name, value)
    return instance


def _dataclass_codec(cls: type) -> ValueCodec:
    name = cls.__name__
    if cls not in _IN_PROGRESS:  # compile now so bad nested annotations fail early; recursion compiles lazily
        struct_fields(cls)

    def encode(value: Any, path: str) -> AttributeValue:
        if not isinstance(value, cls):
            raise _wrong(path, name, value)
        return {"M": encode_struct(value, struct_fields(cls), path)}

    def decode(av: AttributeValue, path: str) -> Any:
        return decode_struct(cls, struct_fields(cls), _only(av, "M", path, name), path)

    return ValueCodec(encode, decode)


# --- json and binary fields ---------------------------------------------------------------------------------


def _to_plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, AbstractSet):
        return sorted(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date | uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_text(value: Any, path: str) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False, default=_to_plain)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{path}: cannot store as JSON ({exc})") from None


def _from_json(hint: Any, data: Any) -> Any:
    if isinstance(hint, type) and dataclasses.is_dataclass(hint) and isinstance(data, dict):
        return hint(**data)
    return data


def _json_codec(hint: Any) -> ValueCodec:
    def encode(value: Any, path: str) -> AttributeValue | None:
        return None if value is None else {"S": _json_text(value, path)}

    def decode(av: AttributeValue, path: str) -> Any:
        try:
            return _from_json(hint, json.loads(_only(av, "S", path, "JSON text")))
        except (TypeError, ValueError):
            raise _bad_stored(path, "JSON text", av) from None

    return ValueCodec(encode, decode, "S")


def _binary_codec(hint: Any) -> ValueCodec:
    def encode(value: Any, path: str) -> AttributeValue | None:
        if value is None:
            return None
        if isinstance(value, bytes | bytearray | memoryview):
            return {"B": bytes(value)}
        if isinstance(value, str):
            return {"B": value.encode()}
        return {"B": _json_text(value, path).encode()}

    def decode(av: AttributeValue, path: str) -> Any:
        data = _decode_bytes(av, path)
        if hint in (bytes, bytearray):
            return hint(data)
        if hint is str:
            return data.decode()
        try:
            return _from_json(hint, json.loads(data))
        except ValueError:
            raise _bad_stored(path, "JSON bytes", av) from None

    return ValueCodec(encode, decode, "B")


# --- compiling a codec from a hint ------------------------------------------------------------------------


def _converter_codec(converter: Any, path: str) -> ValueCodec:
    scalar = getattr(converter, "attribute_type", None)
    if scalar not in (None, "S", "N", "B"):
        raise ModelDefinitionError(f"{path}: converter attribute_type must be S, N or B, not {scalar!r}")

    def encode(value: Any, where: str) -> AttributeValue | None:
        if value is None:
            return None
        try:
            av = converter.to_dynamodb(value)
        except ValidationError:
            raise
        except Exception as exc:
            raise ValidationError(f"{where}: converter {type(converter).__name__} failed: {exc}") from exc
        if av is not None and (not isinstance(av, dict) or len(av) != 1):
            raise ValidationError(f"{where}: converter must return one attribute value such as {{'S': ...}}")
        return typing.cast(AttributeValue | None, av)

    def decode(av: AttributeValue, where: str) -> Any:
        try:
            return converter.from_dynamodb(av)
        except ValidationError:
            raise
        except Exception as exc:
            raise ValidationError(f"{where}: converter {type(converter).__name__} failed: {exc}") from exc

    return ValueCodec(encode, decode, scalar)


def _unwrap_optional(hint: Any) -> Any:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint


def _omit_empty(codec: ValueCodec, zero_too: bool = False) -> ValueCodec:
    """Leave out None and empty values; ``zero_too`` also leaves out 0, for a TTL (epoch 0 would mean
    "expired in 1970": DynamoDB would delete the item)."""

    def encode(value: Any, path: str) -> AttributeValue | None:
        if value is None or (isinstance(value, str | bytes | Sized) and len(value) == 0):
            return None
        if zero_too and not isinstance(value, bool) and isinstance(value, int) and value == 0:
            return None
        return codec.encode(value, path)

    return dataclasses.replace(codec, encode=encode)


def codec_for(hint: Any, options: FieldOptions = _NO_OPTIONS, path: str = "value") -> ValueCodec:
    """Compile the codec for a resolved hint and field options; ``ModelDefinitionError`` if unsupported."""
    if options.converter is not None:
        codec = _converter_codec(options.converter, path)
    elif options.json:
        codec = _json_codec(_unwrap_optional(hint))
    elif options.binary:
        codec = _binary_codec(_unwrap_optional(hint))
    elif "ttl" in options.roles and _unwrap_optional(hint) is dt.datetime:
        codec = _EPOCH_SECONDS  # DynamoDB's TTL reads only N epoch seconds
    else:
        codec = _codec_for_type(_unwrap_optional(hint), options.set_, path)
    if options.omitempty:
        codec = _omit_empty(codec, zero_too="ttl" in options.roles)
    return codec


def _codec_for_type(hint: Any, as_set: bool, path: str) -> ValueCodec:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any or hint is object:
        return _DYNAMIC
    if origin in (set, frozenset, AbstractSet) or (as_set and origin in (list, tuple, Sequence)):
        element = _unwrap_optional(args[0]) if args else None
        if element not in _SET_CODECS:
            raise ModelDefinitionError(
                f"{path}: a set must hold str, int, float, Decimal or bytes, not {element!r}"
            )
        codec = _SET_CODECS[element]
        if origin is frozenset:
            return dataclasses.replace(codec, decode=_then(codec.decode, frozenset), empty=frozenset)
        if origin in (list, tuple, Sequence):
            build = tuple if origin is tuple else list
            as_seq = _then(codec.decode, lambda s: build(sorted(s)))
            return dataclasses.replace(codec, decode=as_seq, empty=build)
        return codec
    if as_set:
        raise ModelDefinitionError(f"{path}: set_=True needs a list, tuple or set annotation, not {hint!r}")
    if origin in (list, Sequence):
        element = _codec_for_type(_unwrap_optional(args[0]), False, path) if args else _DYNAMIC
        return _list_codec(element, list)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _list_codec(_codec_for_type(_unwrap_optional(args[0]), False, path), tuple)
        raise ModelDefinitionError(f"{path}: only tuple[T, ...] is supported, not {hint!r}")
    if origin in (dict, Mapping):
        if args and args[0] is not str:
            raise ModelDefinitionError(f"{path}: map keys must be str, not {args[0]!r}")
        return _dict_codec(_codec_for_type(_unwrap_optional(args[1]), False, path) if args else _DYNAMIC)
    if origin is not None:
        raise _unsupported(path, hint)
    if isinstance(hint, type):
        if issubclass(hint, enum.Enum):
            try:
                return _enum_codec(hint)
            except ModelDefinitionError as exc:
                raise ModelDefinitionError(f"{path}: {exc.message}") from None
        if hint is Vector:
            return _VECTOR
        if hint in _SCALARS:
            return _SCALARS[hint]
        if hint is list:
            return _list_codec(_DYNAMIC, list)
        if hint is dict:
            return _dict_codec(_DYNAMIC)
        if hint is set:
            return ValueCodec(
                lambda v, p: None if v is None else _encode_dynamic_set(set(v), p), decode_dynamic, empty=set
            )
        if dataclasses.is_dataclass(hint):
            return _dataclass_codec(hint)
    raise _unsupported(path, hint)


def _unsupported(path: str, hint: Any) -> ModelDefinitionError:
    return ModelDefinitionError(f"{path}: cannot store the annotation {hint!r}; use converter= or json=True")


def _then(decode: Decode, build: Callable[[Any], Any]) -> Decode:
    return lambda av, path: build(decode(av, path))
