"""DynamoDB Streams records into model instances, for Lambda handlers and stream consumers.

Two record shapes are accepted, told apart value by value:

- Lambda events (JSON): binary values are base64 strings, ``{"B": "AAE="}``;
- boto3 ``dynamodbstreams`` ``get_records`` answers: binary values are ``bytes``.

Images are decoded by the model's codec (converters apply), and encrypted fields are opened when a KMS
configuration is given (``kms_key_arn=`` and ``kms_client=``, or a ``Table`` as the model). Without one, an
image holding an encrypted attribute is refused with ``EncryptionConfigError``: fail closed, never an
envelope handed over as data.

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.Lambda.html

>>> from dataclasses import dataclass
>>> from theorydb_py.model import theorydb_field
>>> @dataclass
... class Note:
...     id: str = theorydb_field(roles="pk")
...     blob: bytes = b""
>>> record = {"eventName": "INSERT", "dynamodb": {"NewImage": {"id": {"S": "n1"}, "blob": {"B": "AAE="}}}}
>>> unmarshal_stream_record(Note, record)
Note(id='n1', blob=b'\\x00\\x01')
>>> stream_event_name(record)
'INSERT'
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Mapping
from typing import Any, Generic, Literal, TypeVar, cast

from theorydb_py._types import AttributeValue, Item
from theorydb_py.codec import decode_struct, struct_fields
from theorydb_py.encryption import DataKeyCache
from theorydb_py.errors import EncryptionConfigError, ValidationError
from theorydb_py.mapper import ItemMapper, MapperSource
from theorydb_py.model import ModelDefinition

__all__ = [
    "StreamChange",
    "normalize_image",
    "stream_event_name",
    "unmarshal_stream_change",
    "unmarshal_stream_image",
    "unmarshal_stream_record",
]

T = TypeVar("T")
Image = Literal["NewImage", "OldImage", "Keys"]  # "Keys": a model of the keys alone, as TableTheory allows
EventName = Literal["INSERT", "MODIFY", "REMOVE"]
_EVENTS = ("INSERT", "MODIFY", "REMOVE")
_BINARY = (bytes, bytearray, memoryview)


@dataclasses.dataclass(frozen=True, slots=True)
class StreamChange(Generic[T]):
    """One stream record as a change: the event name and the item before (``old``) and after (``new``).

    ``old`` is None for INSERT (and without OLD images), ``new`` is None for REMOVE (and without NEW
    images); ``keys`` are the record's key attributes as DynamoDB attribute values.
    """

    event_name: EventName
    old: T | None
    new: T | None
    keys: Item

    def __repr__(self) -> str:
        return f"<StreamChange {self.event_name} old={self.old!r} new={self.new!r}>"


def _binary(value: Any, where: str) -> bytes:
    if isinstance(value, _BINARY):
        return bytes(value)
    if isinstance(value, str):
        try:
            return base64.b64decode(value.encode("ascii"), validate=True)
        except (UnicodeEncodeError, binascii.Error):
            raise ValidationError(f"{where}: binary is not valid base64") from None
    raise ValidationError(f"{where}: binary must be bytes or a base64 string, not {type(value).__name__}")


def _value(av: Any, where: str) -> AttributeValue:
    if not isinstance(av, Mapping) or len(av) != 1:
        raise ValidationError(f"{where}: expected an attribute value with one type key, got {av!r}")
    ((tag, value),) = av.items()
    if tag == "B":
        return {"B": _binary(value, where)}
    if tag == "BS":
        return {"BS": [_binary(v, where) for v in _list(value, where)]}
    if tag == "L":
        return {"L": [_value(v, f"{where}[{i}]") for i, v in enumerate(_list(value, where))]}
    if tag == "M":
        return {"M": normalize_image(value, where)}
    if tag in ("S", "N"):
        if not isinstance(value, str):
            raise ValidationError(f"{where}: {tag} holds a string, not {type(value).__name__}")
        return {tag: value}
    if tag in ("SS", "NS"):
        members = _list(value, where)
        if not all(isinstance(m, str) for m in members):
            raise ValidationError(f"{where}: {tag} holds strings")
        return {tag: members}
    if tag == "BOOL" and isinstance(value, bool):
        return {tag: value}
    if tag == "NULL" and value is True:
        return {tag: value}
    if tag in ("BOOL", "NULL"):
        raise ValidationError(f"{where}: {tag} must be {'true or false' if tag == 'BOOL' else 'true'}")
    raise ValidationError(f"{where}: unknown attribute value type {tag!r}")


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise ValidationError(f"{where}: expected a list")
    return list(value)


def normalize_image(image: Any, where: str = "image") -> Item:
    """A stream image in the boto3 low-level shape: base64 binary (Lambda JSON) decoded to ``bytes``."""
    if not isinstance(image, Mapping):
        raise ValidationError(f"{where}: a stream image is a map of attribute values, not {image!r}")
    return {str(name): _value(av, f"{where}.{name}") for name, av in image.items()}


def _definition(model: Any) -> tuple[ModelDefinition[Any], ItemMapper[Any] | None]:
    mapper = getattr(model, "mapper", None)
    if isinstance(mapper, ItemMapper):
        return mapper.model, mapper
    if isinstance(model, ModelDefinition):
        return model, None
    return ModelDefinition.from_dataclass(model), None


def unmarshal_stream_image(
    model: ModelDefinition[T] | type[T] | MapperSource,
    stream_image: Mapping[str, Any],
    *,
    kms_key_arn: str | None = None,
    kms_client: Any = None,
    cache: DataKeyCache | None = None,
) -> T:
    """The model instance for one stream image (``NewImage``/``OldImage``), encrypted fields opened.

    Pass one ``cache`` (``theorydb_py.encryption.DataKeyCache()``) for all the records of an event to pay
    one KMS ``Decrypt`` per data key.
    """
    definition, table = _definition(model)
    item = normalize_image(stream_image)
    if table is None:
        sealed = [f.python_name for f in definition.encrypted_fields if f.attribute_name in item]
        if sealed and not kms_key_arn:
            raise EncryptionConfigError(
                f"the image holds encrypted fields of {definition.model.__name__} ({', '.join(sealed)}): "
                "pass kms_key_arn= (and kms_client=) to decrypt them"
            )
        if not kms_key_arn or not definition.encrypted_fields:
            fields = struct_fields(cast(type, definition.model))
            return cast(T, decode_struct(definition.model, fields, item, definition.model.__name__))
        table = ItemMapper(definition, client=None, kms_key_arn=kms_key_arn, kms_client=kms_client)
    return cast(T, table.from_item(item, cache))


def _dynamodb(record: Any) -> Mapping[str, Any]:
    if not isinstance(record, Mapping):
        raise ValidationError(f"a stream record is a map, not {type(record).__name__}")
    body = record.get("dynamodb")
    if not isinstance(body, Mapping):
        raise ValidationError("a stream record needs its 'dynamodb' member")
    return body


def stream_event_name(record: Mapping[str, Any]) -> EventName:
    """``INSERT``, ``MODIFY`` or ``REMOVE``."""
    if not isinstance(record, Mapping) or record.get("eventName") not in _EVENTS:
        shown = record.get("eventName") if isinstance(record, Mapping) else record
        raise ValidationError(f"a stream record's eventName is INSERT, MODIFY or REMOVE, not {shown!r}")
    return cast(EventName, record["eventName"])


def unmarshal_stream_record(
    model: ModelDefinition[T] | type[T] | MapperSource,
    record: Mapping[str, Any],
    image: Image = "NewImage",
    *,
    kms_key_arn: str | None = None,
    kms_client: Any = None,
    cache: DataKeyCache | None = None,
) -> T | None:
    """The record's ``image`` (``NewImage`` or ``OldImage``) as a model instance; None when the record
    has no such image (a REMOVE has no NewImage; KEYS_ONLY streams have neither)."""
    if image not in ("NewImage", "OldImage", "Keys"):
        raise ValidationError(f"image must be 'NewImage', 'OldImage' or 'Keys', not {image!r}")
    found = _dynamodb(record).get(image)
    if found is None:
        return None
    return unmarshal_stream_image(model, found, kms_key_arn=kms_key_arn, kms_client=kms_client, cache=cache)


def unmarshal_stream_change(
    model: ModelDefinition[T] | type[T] | MapperSource,
    record: Mapping[str, Any],
    *,
    kms_key_arn: str | None = None,
    kms_client: Any = None,
    cache: DataKeyCache | None = None,
) -> StreamChange[T]:
    """The record as a ``StreamChange``: event name, old and new items, keys."""
    options: dict[str, Any] = {"kms_key_arn": kms_key_arn, "kms_client": kms_client, "cache": cache}
    event = stream_event_name(record)
    old = unmarshal_stream_record(model, record, "OldImage", **options)
    new = unmarshal_stream_record(model, record, "NewImage", **options)
    keys = normalize_image(_dynamodb(record).get("Keys", {}), "Keys")
    return StreamChange(event, old, new, keys)
