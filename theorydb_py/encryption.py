"""Field-level envelope encryption, byte-compatible with TableTheory for Go and TypeScript.

The format is a cross-language contract (FORMATS.md section 2, guide: docs/encryption.md). An attribute
marked ``encrypted`` is stored as a DynamoDB map ``{"v": 1, "edk": B, "nonce": B, "ct": B}``:

- one KMS ``GenerateDataKey(KeyId=<key>, KeySpec="AES_256")`` per item written, shared by all its
  encrypted attributes (``edk`` is the key's ``CiphertextBlob``);
- a fresh 12-byte nonce per attribute; ``ct`` is AES-256-GCM ciphertext followed by the 16-byte tag;
- the associated data is ``theorydb:encrypted:v1|attr=<attribute name>``, so an envelope moved to another
  attribute fails to decrypt;
- the plaintext is the typed compact JSON of the attribute value (``encode_plaintext``).

Version 1 binds only the attribute name: the same attribute's envelope copied from another item (under
the same KMS key) opens as this item's value. Version 2 (opt-in: ``envelope_version=2``; this library
only, TableTheory for Go and TypeScript read version 1) also binds the table name and the item's primary
key, ``theorydb:encrypted:v2|{"table":...,"attr":...,"key":{...}}`` (``item_aad``), so a copied envelope
fails to open. Neither version notices an encrypted attribute removed from an item (docs/encryption.md).

Reading fails closed: anything malformed, a data key that is not 32 bytes, or a GCM failure raises
``EncryptionError``; plaintext is never returned unverified. ``DataKeyCache`` holds the data keys of one
page or batch so that each distinct ``edk`` costs one KMS ``Decrypt``.

This module works on attribute values in the boto3 low-level shape (``{"S": "x"}``, ``{"N": "1"}``,
``{"B": b"..."}``); the ORM's codec converts Python values before encryption and after decryption.

Errors (all under ``theorydb_py.errors.TheorydbPyError``)::

    TheorydbPyError
    ├── ValidationError              an encrypted field used where DynamoDB must read it (check_not_encrypted)
    │   ├── EncryptionConfigError    no KMS key ARN or client for a FieldEncryptor
    │   └── EncryptionError          encrypting or decrypting failed (.attribute), as TableTheory's
    │       │                        ValidationError for a bad envelope
    │       └── KmsError             KMS refused the call (.code: KMS's error code; also an AwsError)
    └── AwsError

>>> encode_plaintext({"M": {"b": {"N": "2"}, "a": {"S": "é"}}}).decode()
'{"t":"M","m":{"a":{"t":"S","s":"é"},"b":{"t":"N","n":"2"}}}'
>>> decode_plaintext(b'{"t":"L"}')
{'L': []}
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from theorydb_py._types import AttributeValue
from theorydb_py.errors import AwsError, EncryptionConfigError, ValidationError

__all__ = [
    "AAD_PREFIX",
    "ENVELOPE_VERSION",
    "ITEM_AAD_PREFIX",
    "ITEM_BOUND_VERSION",
    "LEGACY_AAD_PREFIX",
    "AttributeValue",
    "DataKeyCache",
    "EncryptionError",
    "FieldEncryptor",
    "KmsClient",
    "KmsError",
    "aad_for",
    "check_not_encrypted",
    "decode_plaintext",
    "decrypt_attribute_value",
    "encode_plaintext",
    "encrypt_attribute_value",
    "item_aad",
    "marshal_attribute_value_json",
    "unmarshal_attribute_value_json",
]

ENVELOPE_VERSION = 1  # the default: byte-compatible with TableTheory for Go and TypeScript
ITEM_BOUND_VERSION = 2  # opt-in: bound to the table and the item's primary key as well
AAD_PREFIX = "theorydb:encrypted:v1|attr="
ITEM_AAD_PREFIX = "theorydb:encrypted:v2|"
# Written by the product's previous name; readable only with ``allow_legacy_aad=True``, never written.
LEGACY_AAD_PREFIX = "dynamorm:encrypted:v1|attr="

DATA_KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_ENVELOPE_MEMBERS = frozenset({"v", "edk", "nonce", "ct"})
_BINARY = (bytes, bytearray, memoryview)
# DynamoDB's number syntax (Decimal alone would also take "NaN", "1_000" and surrounding spaces).
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class EncryptionError(ValidationError):
    """Encryption or decryption failed; the field is never passed through in plaintext.

    ``attribute`` names the DynamoDB attribute concerned (when there is one) and ``code`` keeps the KMS
    error code (``AccessDeniedException``, ``InvalidCiphertextException``...) when KMS refused the call.
    Messages never contain key material or plaintext.
    """

    def __init__(self, message: str, *, attribute: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.attribute = attribute

    def __repr__(self) -> str:
        return f"EncryptionError({self.message!r}, attribute={self.attribute!r}, code={self.code!r})"


class KmsError(EncryptionError, AwsError):
    """KMS refused ``GenerateDataKey`` or ``Decrypt`` (TableTheory raises ``AwsError`` for these)."""

    def __str__(self) -> str:
        return self.message


class KmsClient(Protocol):
    """The two KMS calls the encryptor makes; a boto3 ``kms`` client or ``FakeKmsClient`` fits."""

    def generate_data_key(self, *, KeyId: str, KeySpec: str) -> Mapping[str, Any]: ...

    def decrypt(self, *, CiphertextBlob: bytes, KeyId: str) -> Mapping[str, Any]: ...


def aad_for(attribute: str, *, legacy: bool = False) -> bytes:
    """The associated data binding an envelope to its attribute name.

    >>> aad_for("ssn")
    b'theorydb:encrypted:v1|attr=ssn'
    """
    return ((LEGACY_AAD_PREFIX if legacy else AAD_PREFIX) + attribute).encode("utf-8")


def item_aad(table: str, attribute: str, key: Mapping[str, AttributeValue]) -> bytes:
    """The associated data of a version 2 envelope: table, attribute and primary key, unambiguously.

    The key's attributes are sorted by name and written as typed values (``encode_plaintext``'s shape), in
    compact JSON after the prefix.

    >>> item_aad("users", "ssn", {"pk": {"S": "U#1"}})
    b'theorydb:encrypted:v2|{"table":"users","attr":"ssn","key":{"pk":{"t":"S","s":"U#1"}}}'
    """
    if not isinstance(table, str) or not table or not isinstance(key, Mapping) or not key:
        raise EncryptionError(
            "a version 2 envelope needs the table name and the item's key", attribute=attribute
        )
    context = {
        "table": table,
        "attr": attribute,
        "key": {name: _to_typed(key[name], f"key {name}") for name in sorted(key)},
    }
    try:
        return (ITEM_AAD_PREFIX + json.dumps(context, ensure_ascii=False, separators=(",", ":"))).encode()
    except UnicodeEncodeError:
        raise EncryptionError("the table name or key is not valid Unicode", attribute=attribute) from None


# ---------------------------------------------------------------------------------------------------------
# Plaintext: the typed compact JSON of an attribute value.


def encode_plaintext(av: AttributeValue) -> bytes:
    """The UTF-8 compact JSON of ``av`` with ``"t"`` first, map keys sorted, binary as standard base64.

    The shape is shared with Go and TypeScript, so it is built member by member rather than by a generic
    serializer. Raises ``EncryptionError`` for a value that is not a well-formed attribute value.

    >>> encode_plaintext({"B": b"\\x00\\xff"})
    b'{"t":"B","b":"AP8="}'
    """
    try:
        text = json.dumps(_to_typed(av, "value"), ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8")
    except RecursionError:
        raise EncryptionError("attribute value is nested too deeply to encrypt") from None
    except UnicodeEncodeError:
        raise EncryptionError("attribute value holds a string that is not valid Unicode") from None


def _to_typed(av: object, where: str) -> dict[str, Any]:
    """One attribute value as its typed JSON object (``where`` locates it for error messages)."""
    if not isinstance(av, Mapping) or len(av) != 1:
        raise EncryptionError(f"{where}: expected an attribute value with exactly one type key")
    ((kind, value),) = av.items()
    match kind:
        case "S":
            return {"t": "S", "s": _string(value, where)}
        case "N":
            return {"t": "N", "n": _number(value, where)}
        case "B":
            return {"t": "B", "b": _b64(value, where)}
        case "BOOL":
            if not isinstance(value, bool):
                raise EncryptionError(f"{where}: BOOL must be true or false")
            return {"t": "BOOL", "bool": value}
        case "NULL":
            if value is not True:
                raise EncryptionError(f"{where}: NULL must be true")
            return {"t": "NULL", "null": True}
        case "SS":
            return {"t": "SS", "ss": [_string(v, where) for v in _members(value, where)]}
        case "NS":
            return {"t": "NS", "ns": [_number(v, where) for v in _members(value, where)]}
        case "BS":
            return {"t": "BS", "bs": [_b64(v, where) for v in _members(value, where)]}
        case "L":
            items = _members(value, where)
            return {"t": "L", "l": [_to_typed(v, f"{where}[{i}]") for i, v in enumerate(items)]}
        case "M":
            if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
                raise EncryptionError(f"{where}: M must map strings to attribute values")
            return {"t": "M", "m": {k: _to_typed(value[k], f"{where}.{k}") for k in sorted(value)}}
    raise EncryptionError(f"{where}: unknown attribute value type {kind!r}")


def _string(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise EncryptionError(f"{where}: expected a string")
    return value


def _number(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise EncryptionError(f"{where}: numbers are strings in attribute values")
    if _NUMBER.fullmatch(value) is None:
        raise EncryptionError(f"{where}: {value!r} is not a number")
    return value


def _b64(value: object, where: str) -> str:
    if not isinstance(value, _BINARY):
        raise EncryptionError(f"{where}: binary values must be bytes")
    return base64.b64encode(bytes(value)).decode("ascii")


def _members(value: object, where: str) -> list[Any] | tuple[Any, ...]:
    if not isinstance(value, list | tuple):
        raise EncryptionError(f"{where}: expected a list")
    return value


# The one member each type carries, with the checker for its JSON value.
_MEMBER: dict[str, str] = {
    "S": "s",
    "N": "n",
    "B": "b",
    "BOOL": "bool",
    "NULL": "null",
    "SS": "ss",
    "NS": "ns",
    "BS": "bs",
    "L": "l",
    "M": "m",
}


def decode_plaintext(data: bytes) -> AttributeValue:
    """The attribute value held by a decrypted plaintext (the inverse of ``encode_plaintext``).

    Accepts ``{"t":"L"}`` and ``{"t":"M"}`` without their member as empty (the Go writer omits empty
    ones). Anything else malformed raises ``EncryptionError``.

    >>> decode_plaintext(b'{"t":"SS","ss":["a","b"]}')
    {'SS': ['a', 'b']}
    """
    try:
        parsed = json.loads(
            bytes(data).decode("utf-8"),
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constants,
        )
        return _from_typed(parsed, "plaintext")
    except (UnicodeDecodeError, ValueError, TypeError):
        raise EncryptionError("decrypted plaintext is not a typed attribute value") from None
    except RecursionError:
        raise EncryptionError("decrypted plaintext is nested too deeply") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise EncryptionError("decrypted plaintext repeats a JSON key")
    return result


def _no_constants(name: str) -> Any:
    raise EncryptionError(f"decrypted plaintext holds the non-JSON constant {name}")


def _from_typed(obj: object, where: str) -> AttributeValue:
    if not isinstance(obj, dict) or not isinstance(obj.get("t"), str) or obj["t"] not in _MEMBER:
        raise EncryptionError(f'{where}: expected a typed value with a known "t"')
    kind: str = obj["t"]
    member = _MEMBER[kind]
    if kind in ("L", "M") and set(obj) == {"t"}:
        return {kind: [] if kind == "L" else {}}
    if set(obj) != {"t", member}:
        raise EncryptionError(f'{where}: a {kind} value holds exactly the members "t" and {member!r}')
    value = obj[member]
    match kind:
        case "S":
            return {"S": _string(value, where)}
        case "N":
            return {"N": _number(value, where)}
        case "B":
            return {"B": _unb64(value, where)}
        case "BOOL":
            if not isinstance(value, bool):
                raise EncryptionError(f"{where}: bool must be true or false")
            return {"BOOL": value}
        case "NULL":
            if value is not True:
                raise EncryptionError(f"{where}: null must be true")
            return {"NULL": True}
        case "SS":
            return {"SS": [_string(v, where) for v in _json_list(value, where)]}
        case "NS":
            return {"NS": [_number(v, where) for v in _json_list(value, where)]}
        case "BS":
            return {"BS": [_unb64(v, where) for v in _json_list(value, where)]}
        case "L":
            return {"L": [_from_typed(v, f"{where}[{i}]") for i, v in enumerate(_json_list(value, where))]}
        case _:  # "M": _MEMBER has no other kind
            if not isinstance(value, dict):
                raise EncryptionError(f"{where}: m must be an object")
            return {"M": {k: _from_typed(v, f"{where}.{k}") for k, v in value.items()}}


def _json_list(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise EncryptionError(f"{where}: expected a JSON array")
    return value


def _unb64(value: object, where: str) -> bytes:
    if not isinstance(value, str):
        raise EncryptionError(f"{where}: binary must be a standard base64 string")
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        raise EncryptionError(f"{where}: binary must be a standard base64 string") from None


# ---------------------------------------------------------------------------------------------------------
# Data keys.


class DataKeyCache:
    """Plaintext data keys by ``edk`` for the lifetime of one page or batch.

    Each distinct ``edk`` then costs one KMS ``Decrypt`` however many attributes and items share it.
    Entries are also keyed by the KMS key ARN, so a cache shared by two encryptors never lets one skip
    the other's KMS check. Create one per page or batch and drop it afterwards.

    >>> DataKeyCache()
    <DataKeyCache 0 keys>
    """

    __slots__ = ("_keys",)

    def __init__(self) -> None:
        self._keys: dict[tuple[str, bytes], bytes] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"<DataKeyCache {len(self._keys)} keys>"

    def clear(self) -> None:
        """Forget every cached key (e.g. when a page is done)."""
        self._keys.clear()

    def _get(self, key_arn: str, edk: bytes) -> bytes | None:
        return self._keys.get((key_arn, edk))

    def _put(self, key_arn: str, edk: bytes, key: bytes) -> None:
        self._keys[(key_arn, edk)] = key


def _kms_error(err: ClientError | BotoCoreError, action: str, attribute: str | None) -> EncryptionError:
    """Wrap a botocore failure, keeping KMS's error code (never its request, which holds the key)."""
    if isinstance(err, ClientError):
        code = str(err.response.get("Error", {}).get("Code", "")) or None
        return KmsError(f"KMS {action} failed: {code}", attribute=attribute, code=code)
    return KmsError(f"KMS {action} failed: {type(err).__name__}", attribute=attribute)


def _binary_member(response: object, name: str) -> bytes | None:
    value = response.get(name) if isinstance(response, Mapping) else None
    return bytes(value) if isinstance(value, _BINARY) else None


# ---------------------------------------------------------------------------------------------------------
# The encryptor.


class FieldEncryptor:
    """Encrypts and decrypts attribute values under one KMS key (FORMATS.md section 2).

    ``rand_bytes`` supplies nonces (``os.urandom`` by default; inject a deterministic one in tests).
    ``allow_legacy_aad`` also accepts, on read only, envelopes bound with the previous product's AAD
    prefix ``dynamorm:encrypted:v1|attr=``.

    ``envelope_version=2`` writes envelopes bound to their item (the ``table`` and ``key`` arguments of
    ``encrypt_attributes`` and ``decrypt_attribute``, required then) and reads only those, unless
    ``accept_v1=True`` (while older items are rewritten: a version 1 envelope can still be swapped in).
    With the default ``envelope_version=1``, version 2 envelopes are read when ``table`` and ``key`` are
    given.
    """

    __slots__ = ("_accept_v1", "_allow_legacy_aad", "_key_arn", "_kms", "_rand_bytes", "_version")

    def __init__(
        self,
        *,
        kms_client: KmsClient,
        key_arn: str,
        rand_bytes: Callable[[int], bytes] | None = None,
        allow_legacy_aad: bool = False,
        envelope_version: int = ENVELOPE_VERSION,
        accept_v1: bool = False,
    ) -> None:
        if (
            envelope_version not in (ENVELOPE_VERSION, ITEM_BOUND_VERSION)
            or type(envelope_version) is not int
        ):
            raise EncryptionConfigError(f"envelope_version must be 1 or 2, not {envelope_version!r}")
        if not isinstance(key_arn, str) or not key_arn:
            raise EncryptionConfigError("encrypted fields need a KMS key ARN (kms_key_arn)")
        if kms_client is None:
            raise EncryptionConfigError("encrypted fields need a KMS client (kms_client)")
        self._kms = kms_client
        self._key_arn = key_arn
        self._rand_bytes = os.urandom if rand_bytes is None else rand_bytes
        self._allow_legacy_aad = allow_legacy_aad
        self._version = envelope_version
        self._accept_v1 = accept_v1 or envelope_version == ENVELOPE_VERSION

    def __repr__(self) -> str:
        legacy = ", allow_legacy_aad=True" if self._allow_legacy_aad else ""
        version = f", envelope_version={self._version}" if self._version != ENVELOPE_VERSION else ""
        v1 = ", accept_v1=True" if self._accept_v1 and self._version != ENVELOPE_VERSION else ""
        return f"FieldEncryptor(key_arn={self._key_arn!r}{legacy}{version}{v1})"

    @property
    def key_arn(self) -> str:
        return self._key_arn

    @property
    def envelope_version(self) -> int:
        """The version this encryptor writes: 1 (the default) or 2 (bound to the item)."""
        return self._version

    # -- write ---------------------------------------------------------------------------------------------

    def encrypt_attributes(
        self,
        attrs: Mapping[str, AttributeValue],
        *,
        table: str | None = None,
        key: Mapping[str, AttributeValue] | None = None,
    ) -> dict[str, AttributeValue]:
        """The envelope of each attribute of one item, all under one fresh data key.

        Makes exactly one ``GenerateDataKey`` call (none for an empty mapping) and draws one nonce per
        attribute, in sorted attribute-name order so the output depends only on the input's content.
        Everything is validated before KMS is called. ``table`` and ``key`` (the item's primary key) are
        bound into version 2 envelopes; version 1 ignores them.
        """
        if not isinstance(attrs, Mapping) or not all(isinstance(name, str) and name for name in attrs):
            raise EncryptionError("encrypt_attributes takes a mapping of non-empty attribute names")
        names = sorted(attrs)
        plaintexts = {}
        for name in names:
            try:
                plaintexts[name] = encode_plaintext(attrs[name])
            except EncryptionError as err:
                raise EncryptionError(f"cannot encrypt {name}: {err.message}", attribute=name) from None
        if self._version == ITEM_BOUND_VERSION:
            aads = {name: item_aad(table or "", name, key or {}) for name in names}
        else:
            aads = {name: aad_for(name) for name in names}
        if not names:
            return {}
        edk, data_key = self._generate_data_key()
        aead = AESGCM(data_key)
        nonces: set[bytes] = set()
        result: dict[str, AttributeValue] = {}
        for name in names:
            nonce = self._nonce(name, nonces)
            ct = aead.encrypt(nonce, plaintexts[name], aads[name])
            result[name] = _envelope(self._version, edk, nonce, ct)
        return result

    def _generate_data_key(self) -> tuple[bytes, bytes]:
        try:
            response = self._kms.generate_data_key(KeyId=self._key_arn, KeySpec="AES_256")
        except (ClientError, BotoCoreError) as err:
            raise _kms_error(err, "GenerateDataKey", None) from err
        key = _binary_member(response, "Plaintext")
        edk = _binary_member(response, "CiphertextBlob")
        if key is None or len(key) != DATA_KEY_BYTES:
            raise EncryptionError("KMS GenerateDataKey did not return a 32-byte data key")
        if not edk:
            raise EncryptionError("KMS GenerateDataKey did not return the encrypted data key")
        return edk, key

    def _nonce(self, name: str, seen: set[bytes]) -> bytes:
        nonce = self._rand_bytes(NONCE_BYTES)
        if not isinstance(nonce, _BINARY) or len(nonce) != NONCE_BYTES:
            raise EncryptionError("rand_bytes(12) must return 12 bytes", attribute=name)
        nonce = bytes(nonce)
        # Two attributes of one item share the data key: a repeated nonce would break GCM outright.
        if nonce in seen:
            raise EncryptionError("rand_bytes returned a nonce twice for one data key", attribute=name)
        seen.add(nonce)
        return nonce

    # -- read ----------------------------------------------------------------------------------------------

    def decrypt_attribute(
        self,
        name: str,
        envelope_av: object,
        cache: DataKeyCache | None = None,
        *,
        table: str | None = None,
        key: Mapping[str, AttributeValue] | None = None,
    ) -> AttributeValue:
        """The attribute value sealed in ``envelope_av`` stored under attribute ``name``.

        Validates the whole envelope before calling KMS; calls ``Decrypt`` only when ``cache`` does not
        already hold the data key. A version 2 envelope opens only with the ``table`` and ``key`` it was
        sealed for. Raises ``EncryptionError`` on any failure.
        """
        if not isinstance(name, str) or not name:
            raise EncryptionError("decrypt_attribute needs the non-empty attribute name the value came from")
        version, edk, nonce, ct = _open_envelope(name, envelope_av)
        if version == ENVELOPE_VERSION and not self._accept_v1:
            raise EncryptionError(
                f"cannot decrypt {name}: a version 1 envelope is not bound to its item (this encryptor "
                "reads version 2 only; accept_v1=True reads both while older items are rewritten)",
                attribute=name,
            )
        aads = (
            [item_aad(table or "", name, key or {})] if version == ITEM_BOUND_VERSION else self._v1_aads(name)
        )
        data_key = self._data_key(name, edk, cache)
        plaintext = self._open(name, AESGCM(data_key), nonce, ct, aads)
        try:
            return decode_plaintext(plaintext)
        except EncryptionError as err:
            raise EncryptionError(f"cannot decrypt {name}: {err.message}", attribute=name) from None

    def decrypt_attributes(
        self,
        attrs: Mapping[str, object],
        cache: DataKeyCache | None = None,
        *,
        table: str | None = None,
        key: Mapping[str, AttributeValue] | None = None,
    ) -> dict[str, AttributeValue]:
        """Decrypt several envelopes (e.g. one item's) sharing ``cache``, or a fresh one if none is given."""
        cache = DataKeyCache() if cache is None else cache
        return {
            name: self.decrypt_attribute(name, av, cache, table=table, key=key) for name, av in attrs.items()
        }

    def _v1_aads(self, name: str) -> list[bytes]:
        aads = [aad_for(name)]
        if self._allow_legacy_aad:
            aads.append(aad_for(name, legacy=True))
        return aads

    def _data_key(self, name: str, edk: bytes, cache: DataKeyCache | None) -> bytes:
        if cache is not None:
            cached = cache._get(self._key_arn, edk)
            if cached is not None:
                return cached
        try:
            response = self._kms.decrypt(CiphertextBlob=edk, KeyId=self._key_arn)
        except (ClientError, BotoCoreError) as err:
            raise _kms_error(err, "Decrypt", name) from err
        key = _binary_member(response, "Plaintext")
        if key is None or len(key) != DATA_KEY_BYTES:
            raise EncryptionError(
                f"cannot decrypt {name}: KMS Decrypt did not return a 32-byte data key", attribute=name
            )
        if cache is not None:
            cache._put(self._key_arn, edk, key)
        return key

    def _open(self, name: str, aead: AESGCM, nonce: bytes, ct: bytes, aads: list[bytes]) -> bytes:
        for aad in aads:
            try:
                return aead.decrypt(nonce, ct, aad)
            except InvalidTag:
                pass
        bound = aads[0].startswith(ITEM_AAD_PREFIX.encode())
        moved = "another attribute, item or table" if bound else "another attribute"
        raise EncryptionError(
            f"cannot decrypt {name}: authentication failed (tampered, moved from {moved}, or sealed under "
            "another key)",
            attribute=name,
        )


def _envelope(version: int, edk: bytes, nonce: bytes, ct: bytes) -> AttributeValue:
    return {"M": {"v": {"N": str(version)}, "edk": {"B": edk}, "nonce": {"B": nonce}, "ct": {"B": ct}}}


def _open_envelope(name: str, av: object) -> tuple[int, bytes, bytes, bytes]:
    """``(version, edk, nonce, ct)`` of a well-formed envelope, else ``EncryptionError``."""

    def bad(why: str) -> EncryptionError:
        return EncryptionError(f"cannot decrypt {name}: {why}", attribute=name)

    if not isinstance(av, Mapping) or set(av) != {"M"} or not isinstance(av["M"], Mapping):
        raise bad("an encrypted attribute must hold an envelope map")
    members = av["M"]
    missing = sorted(_ENVELOPE_MEMBERS - set(members))
    if missing:
        raise bad(f"the envelope lacks {', '.join(missing)}")
    extra = sorted(str(k) for k in set(members) - _ENVELOPE_MEMBERS)
    if extra:
        raise bad(f"the envelope has unknown members {', '.join(extra)}")
    version = _version_of(members["v"])
    if version is None:
        raise bad("unsupported envelope version (v must be the number 1, or 2 for an item-bound one)")
    edk = _envelope_binary(members["edk"])
    nonce = _envelope_binary(members["nonce"])
    ct = _envelope_binary(members["ct"])
    if not edk:
        raise bad("edk must be non-empty binary")
    if nonce is None or len(nonce) != NONCE_BYTES:
        raise bad("nonce must be 12 bytes")
    if ct is None or len(ct) < TAG_BYTES:
        raise bad("ct must be binary holding at least the 16-byte tag")
    return version, edk, nonce, ct


_VERSIONS = {str(ENVELOPE_VERSION): ENVELOPE_VERSION, str(ITEM_BOUND_VERSION): ITEM_BOUND_VERSION}


def _version_of(av: object) -> int | None:
    """The envelope version written as its canonical number text (``"1"``, ``"2"``), else None.

    Every writer writes ``"1"``; ``"1.0"``, ``"01"`` or ``"1e0"`` are not what any writer produces, so an
    envelope carrying them was not written by TableTheory and is refused.
    """
    if not isinstance(av, Mapping) or set(av) != {"N"} or not isinstance(av["N"], str):
        return None
    return _VERSIONS.get(av["N"])


def _envelope_binary(av: object) -> bytes | None:
    if not isinstance(av, Mapping) or set(av) != {"B"} or not isinstance(av["B"], _BINARY):
        return None
    return bytes(av["B"])


# ---------------------------------------------------------------------------------------------------------
# Refusals.


def check_not_encrypted(names: Iterable[str], encrypted: Collection[str], usage: str) -> None:
    """Refuse, before any request is sent, an encrypted attribute used where DynamoDB must read it.

    Keys, index keys, filters, conditions, ADD, DELETE and list operations all need the plaintext on the
    server side; an envelope there would silently never match. ``usage`` names the place in the message.

    >>> check_not_encrypted(["email"], {"ssn"}, "a filter")
    >>> check_not_encrypted(["ssn"], {"ssn"}, "a filter")
    Traceback (most recent call last):
    ...
    theorydb_py.errors.ValidationError: ssn is encrypted and cannot be used in a filter
    """
    for name in names:
        if name in encrypted:
            raise ValidationError(f"{name} is encrypted and cannot be used in {usage}")


# TableTheory's stand-alone functions (theorydb_py.encryption), on this module's format and checks.


def marshal_attribute_value_json(av: AttributeValue) -> bytes:
    """The plaintext of an envelope: typed compact JSON of one attribute value (``encode_plaintext``)."""
    return encode_plaintext(av)


def unmarshal_attribute_value_json(data: bytes | str) -> AttributeValue:
    """The attribute value in an envelope's plaintext (``decode_plaintext``), strictly checked."""
    return decode_plaintext(data.encode("utf-8") if isinstance(data, str) else data)


def encrypt_attribute_value(
    av: AttributeValue,
    *,
    attr_name: str,
    kms_key_arn: str,
    kms_client: KmsClient,
    rand_bytes: Callable[[int], bytes] | None = None,
) -> AttributeValue:
    """The envelope (``{"M": {"v", "edk", "nonce", "ct"}}``) of one attribute value, bound to
    ``attr_name``."""
    encryptor = FieldEncryptor(kms_client=kms_client, key_arn=kms_key_arn, rand_bytes=rand_bytes)
    return encryptor.encrypt_attributes({attr_name: av})[attr_name]


def decrypt_attribute_value(
    envelope: AttributeValue, *, attr_name: str, kms_key_arn: str, kms_client: KmsClient
) -> AttributeValue:
    """The attribute value sealed in ``envelope``; ``EncryptionError`` (a ``ValidationError``) if the envelope
    is malformed, tampered with, or was made for another attribute."""
    return FieldEncryptor(kms_client=kms_client, key_arn=kms_key_arn).decrypt_attribute(attr_name, envelope)
