"""Field encryption (FORMATS.md section 2): golden vectors that pin the format for Go and TypeScript,
the exact KMS calls, data key caching, and tamper cases that must fail closed."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given, settings
from hypothesis import strategies as st

from theorydb_mocks.fakes import FakeKmsClient
from theorydb_py.encryption import (
    AAD_PREFIX,
    ITEM_AAD_PREFIX,
    LEGACY_AAD_PREFIX,
    AttributeValue,
    DataKeyCache,
    EncryptionError,
    FieldEncryptor,
    aad_for,
    check_not_encrypted,
    decode_plaintext,
    encode_plaintext,
    item_aad,
)
from theorydb_py.errors import EncryptionConfigError, TheorydbPyError, ValidationError

KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/golden"
DATA_KEY = bytes(range(32))
EDK = b"theorydb-golden-edk"


@dataclass
class RecordingKms:
    """A minimal KMS: hands out one data key per GenerateDataKey and decrypts only the edks it issued."""

    keys: dict[bytes, bytes] = field(default_factory=lambda: {EDK: DATA_KEY})
    issue: list[bytes] = field(default_factory=lambda: [EDK])
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_with: Exception | None = None
    decrypt_plaintext: bytes | None = None  # overrides what Decrypt returns (wrong or short keys)

    def generate_data_key(self, *, KeyId: str, KeySpec: str) -> dict[str, Any]:
        self.calls.append(("GenerateDataKey", {"KeyId": KeyId, "KeySpec": KeySpec}))
        if self.fail_with is not None:
            raise self.fail_with
        edk = self.issue[(len(self.calls) - 1) % len(self.issue)]
        return {"CiphertextBlob": edk, "Plaintext": self.keys[edk], "KeyId": KeyId}

    def decrypt(self, *, CiphertextBlob: bytes, KeyId: str) -> dict[str, Any]:
        self.calls.append(("Decrypt", {"CiphertextBlob": CiphertextBlob, "KeyId": KeyId}))
        if self.fail_with is not None:
            raise self.fail_with
        if CiphertextBlob not in self.keys:
            raise _client_error("InvalidCiphertextException", "Decrypt")
        plaintext = (
            self.decrypt_plaintext if self.decrypt_plaintext is not None else self.keys[CiphertextBlob]
        )
        return {"Plaintext": plaintext, "KeyId": KeyId}


def _client_error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} from KMS"}}, operation)


class CounterBytes:
    """Deterministic ``rand_bytes``: the next ``n`` bytes of the stream 00 01 02 ... (mod 256)."""

    def __init__(self, start: int = 0) -> None:
        self.position = start

    def __call__(self, n: int) -> bytes:
        out = bytes((self.position + i) % 256 for i in range(n))
        self.position += n
        return out


def encryptor(kms: RecordingKms, **kwargs: Any) -> FieldEncryptor:
    return FieldEncryptor(kms_client=kms, key_arn=KEY_ARN, rand_bytes=CounterBytes(), **kwargs)


# ---------------------------------------------------------------------------------------------------------
# Plaintext golden values: every one of the ten types, nesting, non-ASCII written as is, sorted map keys.

PLAINTEXT_GOLDEN: list[tuple[AttributeValue, str]] = [
    ({"S": "hello"}, '{"t":"S","s":"hello"}'),
    ({"S": ""}, '{"t":"S","s":""}'),
    ({"S": 'Zoë "q" \\ 東京 😀'}, '{"t":"S","s":"Zoë \\"q\\" \\\\ 東京 😀"}'),
    ({"N": "-12.5E3"}, '{"t":"N","n":"-12.5E3"}'),
    ({"B": b"\x00\xff\x10"}, '{"t":"B","b":"AP8Q"}'),
    ({"B": b""}, '{"t":"B","b":""}'),
    ({"BOOL": True}, '{"t":"BOOL","bool":true}'),
    ({"BOOL": False}, '{"t":"BOOL","bool":false}'),
    ({"NULL": True}, '{"t":"NULL","null":true}'),
    ({"SS": ["b", "a"]}, '{"t":"SS","ss":["b","a"]}'),
    ({"NS": ["1", "2.50"]}, '{"t":"NS","ns":["1","2.50"]}'),
    ({"BS": [b"\x01", b"\xfb\xff"]}, '{"t":"BS","bs":["AQ==","+/8="]}'),
    (
        {"L": [{"S": "x"}, {"N": "1"}, {"L": []}]},
        '{"t":"L","l":[{"t":"S","s":"x"},{"t":"N","n":"1"},{"t":"L","l":[]}]}',
    ),
    ({"L": []}, '{"t":"L","l":[]}'),
    (
        {"M": {"z": {"BOOL": True}, "a": {"M": {"é": {"NULL": True}, "b": {"S": "1"}}}, "B": {"NS": ["3"]}}},
        '{"t":"M","m":{"B":{"t":"NS","ns":["3"]},"a":{"t":"M","m":{"b":{"t":"S","s":"1"},'
        '"é":{"t":"NULL","null":true}}},"z":{"t":"BOOL","bool":true}}}',
    ),
    ({"M": {}}, '{"t":"M","m":{}}'),
]


@pytest.mark.parametrize(("av", "text"), PLAINTEXT_GOLDEN, ids=lambda v: str(v)[:30])
def test_plaintext_golden_values_encode_and_decode_exactly(av: AttributeValue, text: str) -> None:
    assert encode_plaintext(av) == text.encode("utf-8")
    assert decode_plaintext(text.encode("utf-8")) == av


def test_plaintext_golden_values_cover_all_ten_types() -> None:
    assert {next(iter(av)) for av, _ in PLAINTEXT_GOLDEN} == {
        "S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M",
    }  # fmt: skip


@pytest.mark.parametrize(("text", "av"), [(b'{"t":"L"}', {"L": []}), (b'{"t":"M"}', {"M": {}})])
def test_decode_accepts_empty_list_and_map_without_member(text: bytes, av: AttributeValue) -> None:
    assert decode_plaintext(text) == av


def test_decode_accepts_escaped_json_written_by_other_encoders() -> None:
    # Go's encoder escapes <, > and & and may escape non-ASCII; the JSON reads the same.
    assert decode_plaintext(b'{"t":"S","s":"\\u003ca\\u0026\\u00e9"}') == {"S": "<a&é"}
    assert decode_plaintext(b'{"s":"x","t":"S"}') == {"S": "x"}


@pytest.mark.parametrize(
    "av",
    [
        "not a value",
        {},
        {"S": "a", "N": "1"},
        {"X": "a"},
        {"S": 1},
        {"N": 1},
        {"N": "abc"},
        {"N": "NaN"},
        {"N": "1_000"},
        {"N": " 1"},
        {"B": "AP8="},
        {"BOOL": "true"},
        {"NULL": False},
        {"SS": "a"},
        {"SS": ["a", 1]},
        {"NS": ["x"]},
        {"BS": ["AQ=="]},
        {"L": {"S": "x"}},
        {"L": [{"S": "ok"}, {"Q": "bad"}]},
        {"M": [{"S": "x"}]},
        {"M": {"k": {"S": 2}}},
        {"M": {1: {"S": "x"}}},
        {"S": "\ud800"},
    ],
    ids=repr,
)
def test_encode_refuses_malformed_attribute_values(av: Any) -> None:
    with pytest.raises(EncryptionError):
        encode_plaintext(av)


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"\xff\xfe",
        b"not json",
        b"[]",
        b'{"t":"Q","q":1}',
        b'{"s":"x"}',
        b'{"t":"S"}',
        b'{"t":"B"}',
        b'{"t":"S","s":1}',
        b'{"t":"S","s":"x","n":"1"}',
        b'{"t":"S","s":"x","t":"N"}',
        b'{"t":"N","n":"abc"}',
        b'{"t":"N","n":1}',
        b'{"t":"B","b":"not base64!"}',
        b'{"t":"B","b":"AP8"}',
        b'{"t":"BOOL","bool":"true"}',
        b'{"t":"NULL","null":false}',
        b'{"t":"SS","ss":"a"}',
        b'{"t":"NS","ns":[NaN]}',
        b'{"t":"BS","bs":[1]}',
        b'{"t":"L","l":[{"t":"S"}]}',
        b'{"t":"L","l":{}}',
        b'{"t":"M","m":[]}',
        b'{"t":"M","m":{"k":"v"}}',
        b"[" * 100_000,
    ],
    ids=lambda t: t[:40].decode("utf-8", "replace"),
)
def test_decode_refuses_malformed_plaintext(text: bytes) -> None:
    with pytest.raises(EncryptionError):
        decode_plaintext(text)


_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
_numbers = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=4).map(str),
)
_scalars: st.SearchStrategy[AttributeValue] = st.one_of(
    _text.map(lambda s: {"S": s}),
    _numbers.map(lambda n: {"N": n}),
    st.binary(max_size=8).map(lambda b: {"B": b}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(_text, min_size=1, max_size=3, unique=True).map(lambda v: {"SS": v}),
    st.lists(_numbers, min_size=1, max_size=3, unique=True).map(lambda v: {"NS": v}),
    st.lists(st.binary(max_size=4), min_size=1, max_size=3, unique=True).map(lambda v: {"BS": v}),
)
attribute_values: st.SearchStrategy[AttributeValue] = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(_text, inner, max_size=3).map(lambda v: {"M": v}),
    ),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(attribute_values)
def test_plaintext_round_trips_and_is_canonical(av: AttributeValue) -> None:
    data = encode_plaintext(av)
    assert decode_plaintext(data) == av
    # Compact, "t" first, and re-encoding gives the very same bytes.
    assert data.startswith(b'{"t":"') and b": " not in data.replace(b'\\"', b"")
    assert encode_plaintext(decode_plaintext(data)) == data


# ---------------------------------------------------------------------------------------------------------
# Envelope golden values: data key 00..1f, edk "theorydb-golden-edk", nonces from the stream 00 01 02 ...
# drawn in sorted attribute-name order. These literals pin the format for the Go and TypeScript writers.

PROFILE: AttributeValue = {
    "M": {
        "name": {"S": "Zoë"},
        "age": {"N": "42"},
        "avatar": {"B": b"\x00\xff"},
        "admin": {"BOOL": False},
        "nick": {"NULL": True},
        "tags": {"SS": ["a", "b"]},
        "scores": {"NS": ["1", "2.5"]},
        "keys": {"BS": [b"\x01", b"\x02\x03"]},
        "history": {"L": [{"S": "x"}, {"N": "-1"}]},
    }
}
ITEM_ATTRS: dict[str, AttributeValue] = {
    "ssn": {"S": "123-45-6789"},
    "email": {"S": "alice@example.com"},
    "profile": PROFILE,
}
PROFILE_JSON = (
    '{"t":"M","m":{"admin":{"t":"BOOL","bool":false},"age":{"t":"N","n":"42"},"avatar":{"t":"B","b":"AP8="},'
    '"history":{"t":"L","l":[{"t":"S","s":"x"},{"t":"N","n":"-1"}]},"keys":{"t":"BS","bs":["AQ==","AgM="]},'
    '"name":{"t":"S","s":"Zoë"},"nick":{"t":"NULL","null":true},"scores":{"t":"NS","ns":["1","2.5"]},'
    '"tags":{"t":"SS","ss":["a","b"]}}}'
)
GOLDEN_NONCES = {
    "email": "000102030405060708090a0b",
    "profile": "0c0d0e0f1011121314151617",
    "ssn": "18191a1b1c1d1e1f20212223",
}
GOLDEN_CT = {
    "email": (
        "3c20a239ffc79139a163e4a98bcb1901eab5e27495033e11480b80ab7e066d907c53a0f904dbe9af1959087d72f1410c30"
    ),
    "profile": (
        "e3dc1dfa4554b1711b0825f7abf00486316e8480d4474088ef80c0c2a6ef8fb60edb48478eaa4a4325956f3e9dc967f6"
        "ae37dcb48bce6f913add407ef4cf669a75087ae9c580fe2cd95ad60d21786bfa1812b76525f43a14d40fe3e97c861fb9"
        "f4f3e6d51f4b768601e458d186ec5dd25b545e48d7450f3847cce6f641c7bf551d93c9475513ae1d33a6359b6da17559"
        "aff4307cb2ebec071b882ef17ac5ef7e534626bdaf101ff689a4a014a292ceae4d43938b2a9d15ed205201c198fdaa79"
        "8d8e60815c556523c76113a60f6a3226fa2ba96b7373986e16d0eee4ecc8c04b30ef0c57f1d7eb673d52e9b49186a80e"
        "8badfb0d400a79c45ef28695ac6dd419d1306625a894337ce43f6ab0cbf407395479b90c4e78b763d3f791514ba1f09c"
        "fc11f9df2cddf42d8cf00b02ba74152a463fc44b475fc7fa6669d5da02a2752a359581b35d6a91094c27cf4be5878b59"
        "65ad2042122b289db35319d7f51a1c2f"
    ),
    "ssn": "683d3432e16b366d2d21ceeb69f9f17c23d4ce73b664c23c5a555d345f6062111b8f2613ec8db725af9ff1",
}


def golden_envelope(name: str) -> AttributeValue:
    return {
        "M": {
            "v": {"N": "1"},
            "edk": {"B": EDK},
            "nonce": {"B": bytes.fromhex(GOLDEN_NONCES[name])},
            "ct": {"B": bytes.fromhex(GOLDEN_CT[name])},
        }
    }


def test_envelopes_match_golden_values_byte_for_byte() -> None:
    kms = RecordingKms()
    envelopes = encryptor(kms).encrypt_attributes(ITEM_ATTRS)
    assert envelopes == {name: golden_envelope(name) for name in ITEM_ATTRS}
    assert list(envelopes["ssn"]["M"]) == ["v", "edk", "nonce", "ct"]


def test_one_generate_data_key_per_item_with_the_exact_request() -> None:
    kms = RecordingKms()
    encryptor(kms).encrypt_attributes(ITEM_ATTRS)
    assert kms.calls == [("GenerateDataKey", {"KeyId": KEY_ARN, "KeySpec": "AES_256"})]


def test_golden_ciphertexts_are_plain_aes_gcm_over_the_typed_json_with_the_attribute_aad() -> None:
    """An independent reading of the golden values with the primitive alone: what Go and TS must do."""
    plaintexts = {
        "email": '{"t":"S","s":"alice@example.com"}',
        "profile": PROFILE_JSON,
        "ssn": '{"t":"S","s":"123-45-6789"}',
    }
    for name, text in plaintexts.items():
        aad = f"theorydb:encrypted:v1|attr={name}".encode()
        opened = AESGCM(DATA_KEY).decrypt(
            bytes.fromhex(GOLDEN_NONCES[name]), bytes.fromhex(GOLDEN_CT[name]), aad
        )
        assert opened == text.encode("utf-8")
        assert len(bytes.fromhex(GOLDEN_CT[name])) == len(opened) + 16


def test_aad_strings() -> None:
    assert AAD_PREFIX == "theorydb:encrypted:v1|attr="
    assert LEGACY_AAD_PREFIX == "dynamorm:encrypted:v1|attr="
    assert aad_for("é") == "theorydb:encrypted:v1|attr=é".encode()
    assert aad_for("x", legacy=True) == b"dynamorm:encrypted:v1|attr=x"


def test_output_does_not_depend_on_the_order_attributes_are_given_in() -> None:
    reordered = dict(reversed(list(ITEM_ATTRS.items())))
    assert encryptor(RecordingKms()).encrypt_attributes(reordered) == encryptor(
        RecordingKms()
    ).encrypt_attributes(ITEM_ATTRS)


def test_each_item_gets_its_own_data_key() -> None:
    kms = RecordingKms(keys={EDK: DATA_KEY, b"edk-2": bytes(range(1, 33))}, issue=[EDK, b"edk-2"])
    enc = encryptor(kms)
    first = enc.encrypt_attributes({"ssn": {"S": "1"}})
    second = enc.encrypt_attributes({"ssn": {"S": "1"}})
    assert [c[0] for c in kms.calls] == ["GenerateDataKey", "GenerateDataKey"]
    assert first["ssn"]["M"]["edk"] == {"B": EDK}
    assert second["ssn"]["M"]["edk"] == {"B": b"edk-2"}


def test_no_attributes_means_no_kms_call() -> None:
    kms = RecordingKms()
    assert encryptor(kms).encrypt_attributes({}) == {}
    assert kms.calls == []


def test_bad_values_are_refused_before_kms_is_called() -> None:
    kms = RecordingKms()
    with pytest.raises(EncryptionError, match="cannot encrypt ssn") as info:
        encryptor(kms).encrypt_attributes({"email": {"S": "a"}, "ssn": {"S": 5}})
    assert info.value.attribute == "ssn"
    assert kms.calls == []
    for bad in ({"": {"S": "a"}}, {1: {"S": "a"}}, [("a", {"S": "a"})]):
        with pytest.raises(EncryptionError, match="attribute names"):
            encryptor(kms).encrypt_attributes(bad)  # type: ignore[arg-type]
    assert kms.calls == []


@pytest.mark.parametrize("name", ["", None, 1])
def test_decrypt_needs_the_attribute_name(name: Any) -> None:
    kms = RecordingKms()
    with pytest.raises(EncryptionError, match="attribute name"):
        encryptor(kms).decrypt_attribute(name, golden_envelope("ssn"))
    assert kms.calls == []


def test_os_urandom_is_the_default_and_nonces_differ() -> None:
    enc = FieldEncryptor(kms_client=RecordingKms(), key_arn=KEY_ARN)
    envelopes = enc.encrypt_attributes({"a": {"S": "x"}, "b": {"S": "x"}})
    assert envelopes["a"]["M"]["nonce"] != envelopes["b"]["M"]["nonce"]
    assert enc.decrypt_attributes(envelopes) == {"a": {"S": "x"}, "b": {"S": "x"}}


@pytest.mark.parametrize("bad", [lambda n: b"\x00" * 11, lambda n: "x" * n, lambda n: None])
def test_rand_bytes_must_give_twelve_bytes(bad: Any) -> None:
    enc = FieldEncryptor(kms_client=RecordingKms(), key_arn=KEY_ARN, rand_bytes=bad)
    with pytest.raises(EncryptionError, match="12 bytes"):
        enc.encrypt_attributes({"a": {"S": "x"}})


def test_a_repeated_nonce_under_one_data_key_is_refused() -> None:
    enc = FieldEncryptor(kms_client=RecordingKms(), key_arn=KEY_ARN, rand_bytes=lambda n: b"\x07" * n)
    assert enc.encrypt_attributes({"a": {"S": "x"}})["a"]["M"]["nonce"] == {"B": b"\x07" * 12}
    with pytest.raises(EncryptionError, match="nonce twice"):
        enc.encrypt_attributes({"a": {"S": "x"}, "b": {"S": "y"}})


@pytest.mark.parametrize(
    "response",
    [
        {"CiphertextBlob": EDK, "Plaintext": b"\x01" * 16},
        {"CiphertextBlob": EDK, "Plaintext": b"\x01" * 33},
        {"CiphertextBlob": EDK},
        {"CiphertextBlob": b"", "Plaintext": DATA_KEY},
        {"Plaintext": DATA_KEY},
        {"CiphertextBlob": "edk-as-text", "Plaintext": DATA_KEY},
        None,
    ],
    ids=["short-key", "long-key", "no-key", "empty-edk", "no-edk", "text-edk", "no-response"],
)
def test_a_bad_generate_data_key_answer_fails_closed(response: Any) -> None:
    class Kms(RecordingKms):
        def generate_data_key(self, *, KeyId: str, KeySpec: str) -> Any:
            return response

    with pytest.raises(EncryptionError, match="GenerateDataKey"):
        encryptor(Kms()).encrypt_attributes({"a": {"S": "x"}})


# ---------------------------------------------------------------------------------------------------------
# Reading: round trips, exact Decrypt requests, and the data key cache.


def test_golden_envelopes_decrypt_with_one_exact_decrypt_call_per_edk() -> None:
    kms = RecordingKms()
    cache = DataKeyCache()
    enc = encryptor(kms)
    for name, av in ITEM_ATTRS.items():
        assert enc.decrypt_attribute(name, golden_envelope(name), cache) == av
    assert kms.calls == [("Decrypt", {"CiphertextBlob": EDK, "KeyId": KEY_ARN})]
    assert len(cache) == 1
    assert repr(cache) == "<DataKeyCache 1 keys>"


def test_without_a_cache_each_attribute_costs_a_decrypt() -> None:
    kms = RecordingKms()
    enc = encryptor(kms)
    enc.decrypt_attribute("ssn", golden_envelope("ssn"))
    enc.decrypt_attribute("email", golden_envelope("email"))
    assert [c[0] for c in kms.calls] == ["Decrypt", "Decrypt"]


def test_decrypt_attributes_shares_one_key_per_item() -> None:
    kms = RecordingKms()
    envelopes = {name: golden_envelope(name) for name in ITEM_ATTRS}
    assert encryptor(kms).decrypt_attributes(envelopes) == ITEM_ATTRS
    assert len(kms.calls) == 1


def test_a_page_cache_costs_one_decrypt_per_distinct_edk() -> None:
    kms = RecordingKms(keys={EDK: DATA_KEY, b"edk-2": bytes(range(1, 33))}, issue=[EDK, b"edk-2"])
    enc = encryptor(kms)
    page = [enc.encrypt_attributes({"a": {"S": str(i)}, "b": {"N": str(i)}}) for i in range(4)]
    kms.calls.clear()
    cache = DataKeyCache()
    decrypted = [enc.decrypt_attributes(item, cache) for item in page]
    assert decrypted == [{"a": {"S": str(i)}, "b": {"N": str(i)}} for i in range(4)]
    assert kms.calls == [
        ("Decrypt", {"CiphertextBlob": EDK, "KeyId": KEY_ARN}),
        ("Decrypt", {"CiphertextBlob": b"edk-2", "KeyId": KEY_ARN}),
    ]
    cache.clear()
    enc.decrypt_attributes(page[0], cache)
    assert len(kms.calls) == 3


def test_a_shared_cache_never_skips_another_keys_kms_check() -> None:
    kms = RecordingKms()
    cache = DataKeyCache()
    encryptor(kms).decrypt_attribute("ssn", golden_envelope("ssn"), cache)
    other = FieldEncryptor(kms_client=kms, key_arn=KEY_ARN + "-other")
    other.decrypt_attribute("ssn", golden_envelope("ssn"), cache)
    assert [c[1]["KeyId"] for c in kms.calls] == [KEY_ARN, KEY_ARN + "-other"]


def test_envelopes_read_back_from_memoryview_and_bytearray() -> None:
    env = golden_envelope("ssn")
    members = env["M"]
    env = {"M": {**members, "ct": {"B": memoryview(members["ct"]["B"])}, "edk": {"B": bytearray(EDK)}}}
    assert encryptor(RecordingKms()).decrypt_attribute("ssn", env) == {"S": "123-45-6789"}


@pytest.mark.parametrize("spelling", ["1.0", "01", "1e0", "+1", "1.", " 1", "１"])
def test_version_one_is_only_the_text_every_writer_writes(spelling: str) -> None:
    """Go, TypeScript and this library write ``"1"``; any other spelling was not written by TableTheory."""
    env = golden_envelope("ssn")
    env["M"]["v"] = {"N": spelling}
    kms = RecordingKms()
    with pytest.raises(EncryptionError, match="unsupported envelope version"):
        encryptor(kms).decrypt_attribute("ssn", env)
    assert kms.calls == []


# ---------------------------------------------------------------------------------------------------------
# Tampering: every case fails closed with EncryptionError, never plaintext, and never leaks it.


def _flip(data: bytes, index: int) -> bytes:
    out = bytearray(data)
    out[index] ^= 0x01
    return bytes(out)


def _with_member(name: str, member: str, value: Any) -> AttributeValue:
    env = golden_envelope(name)
    env["M"][member] = value
    return env


def _without_member(name: str, member: str) -> AttributeValue:
    env = golden_envelope(name)
    del env["M"][member]
    return env


SSN_CT = bytes.fromhex(GOLDEN_CT["ssn"])
SSN_NONCE = bytes.fromhex(GOLDEN_NONCES["ssn"])

TAMPERED: list[tuple[str, Any, str]] = [
    ("ct-first-byte", _with_member("ssn", "ct", {"B": _flip(SSN_CT, 0)}), "authentication failed"),
    (
        "ct-tag-byte",
        _with_member("ssn", "ct", {"B": _flip(SSN_CT, len(SSN_CT) - 1)}),
        "authentication failed",
    ),
    ("ct-truncated", _with_member("ssn", "ct", {"B": SSN_CT[:-1]}), "authentication failed"),
    ("ct-tag-only", _with_member("ssn", "ct", {"B": SSN_CT[-16:]}), "authentication failed"),
    ("ct-shorter-than-tag", _with_member("ssn", "ct", {"B": SSN_CT[:15]}), "16-byte tag"),
    ("ct-as-string", _with_member("ssn", "ct", {"S": base64.b64encode(SSN_CT).decode()}), "ct must"),
    ("nonce-flipped", _with_member("ssn", "nonce", {"B": _flip(SSN_NONCE, 5)}), "authentication failed"),
    ("nonce-11-bytes", _with_member("ssn", "nonce", {"B": SSN_NONCE[:11]}), "nonce must be 12 bytes"),
    ("nonce-13-bytes", _with_member("ssn", "nonce", {"B": SSN_NONCE + b"\x00"}), "nonce must be 12 bytes"),
    ("edk-empty", _with_member("ssn", "edk", {"B": b""}), "edk must"),
    ("edk-as-string", _with_member("ssn", "edk", {"S": "theorydb-golden-edk"}), "edk must"),
    ("v-2", _with_member("ssn", "v", {"N": "2"}), "version"),
    ("v-as-string", _with_member("ssn", "v", {"S": "1"}), "version"),
    ("v-not-a-number", _with_member("ssn", "v", {"N": "one"}), "version"),
    ("v-missing", _without_member("ssn", "v"), "lacks v"),
    ("edk-missing", _without_member("ssn", "edk"), "lacks edk"),
    ("nonce-missing", _without_member("ssn", "nonce"), "lacks nonce"),
    ("ct-missing", _without_member("ssn", "ct"), "lacks ct"),
    ("unknown-member", _with_member("ssn", "alg", {"S": "none"}), "unknown members alg"),
    ("plaintext-string", {"S": "123-45-6789"}, "envelope map"),
    ("null", {"NULL": True}, "envelope map"),
    ("list", {"L": []}, "envelope map"),
    ("map-and-more", {"M": golden_envelope("ssn")["M"], "S": "x"}, "envelope map"),
    ("raw-python", "123-45-6789", "envelope map"),
    ("none", None, "envelope map"),
]


@pytest.mark.parametrize(("case", "envelope", "why"), TAMPERED, ids=[t[0] for t in TAMPERED])
def test_tampered_envelopes_fail_closed(case: str, envelope: Any, why: str) -> None:
    with pytest.raises(EncryptionError, match=why) as info:
        encryptor(RecordingKms()).decrypt_attribute("ssn", envelope)
    assert info.value.attribute == "ssn"
    assert "123-45-6789" not in str(info.value)


def test_structural_damage_is_found_before_kms_is_called() -> None:
    kms = RecordingKms()
    with pytest.raises(EncryptionError):
        encryptor(kms).decrypt_attribute("ssn", _with_member("ssn", "v", {"N": "2"}))
    assert kms.calls == []


@pytest.mark.parametrize("target", ["email", "profile"])
def test_an_envelope_moved_to_another_attribute_fails(target: str) -> None:
    with pytest.raises(EncryptionError, match=f"cannot decrypt {target}: authentication failed"):
        encryptor(RecordingKms()).decrypt_attribute(target, golden_envelope("ssn"))


def test_envelopes_swapped_between_two_attributes_both_fail() -> None:
    swapped = {"ssn": golden_envelope("email"), "email": golden_envelope("ssn")}
    enc = encryptor(RecordingKms())
    for name, env in swapped.items():
        with pytest.raises(EncryptionError, match="authentication failed"):
            enc.decrypt_attribute(name, env)


def test_a_flipped_edk_is_refused_by_kms_and_the_code_is_kept() -> None:
    env = _with_member("ssn", "edk", {"B": _flip(EDK, 3)})
    with pytest.raises(EncryptionError, match="KMS Decrypt failed") as info:
        encryptor(RecordingKms()).decrypt_attribute("ssn", env)
    assert info.value.code == "InvalidCiphertextException"
    assert info.value.attribute == "ssn"


def test_the_wrong_data_key_fails() -> None:
    kms = RecordingKms(decrypt_plaintext=bytes(range(1, 33)))
    with pytest.raises(EncryptionError, match="authentication failed"):
        encryptor(kms).decrypt_attribute("ssn", golden_envelope("ssn"))


@pytest.mark.parametrize("key", [DATA_KEY[:16], DATA_KEY[:31], DATA_KEY + b"\x00", b""])
def test_a_data_key_that_is_not_32_bytes_fails_and_is_not_cached(key: bytes) -> None:
    cache = DataKeyCache()
    with pytest.raises(EncryptionError, match="32-byte data key"):
        encryptor(RecordingKms(decrypt_plaintext=key)).decrypt_attribute("ssn", golden_envelope("ssn"), cache)
    assert len(cache) == 0


def test_a_wrong_key_from_kms_is_never_cached() -> None:
    cache = DataKeyCache()
    with pytest.raises(EncryptionError):
        encryptor(RecordingKms(decrypt_plaintext=b"")).decrypt_attribute("ssn", golden_envelope("ssn"), cache)
    assert (
        encryptor(RecordingKms()).decrypt_attribute("ssn", golden_envelope("ssn"), cache) == ITEM_ATTRS["ssn"]
    )


def test_authentic_ciphertext_that_is_not_a_typed_value_fails() -> None:
    nonce = b"\x05" * 12
    ct = AESGCM(DATA_KEY).encrypt(nonce, b'{"S":"raw"}', aad_for("ssn"))
    env = {"M": {"v": {"N": "1"}, "edk": {"B": EDK}, "nonce": {"B": nonce}, "ct": {"B": ct}}}
    with pytest.raises(EncryptionError, match="cannot decrypt ssn") as info:
        encryptor(RecordingKms()).decrypt_attribute("ssn", env)
    assert info.value.attribute == "ssn"


# Legacy data: sealed with the previous product's AAD prefix under the golden key and nonce.
LEGACY_CT = "683d3432e16b366d2d21ceeb69f9f17c23d4ce73b664c23c5a555d9cdd83fb48ac6b3c044025204e3cc8a9"


def legacy_envelope() -> AttributeValue:
    return _with_member("ssn", "ct", {"B": bytes.fromhex(LEGACY_CT)})


def test_legacy_golden_value_is_sealed_with_the_dynamorm_prefix() -> None:
    aad = b"dynamorm:encrypted:v1|attr=ssn"
    opened = AESGCM(DATA_KEY).decrypt(SSN_NONCE, bytes.fromhex(LEGACY_CT), aad)
    assert opened == b'{"t":"S","s":"123-45-6789"}'


def test_legacy_prefix_is_refused_without_the_opt_in() -> None:
    with pytest.raises(EncryptionError, match="authentication failed"):
        encryptor(RecordingKms()).decrypt_attribute("ssn", legacy_envelope())


def test_legacy_prefix_is_read_with_the_opt_in_but_never_written() -> None:
    enc = encryptor(RecordingKms(), allow_legacy_aad=True)
    assert enc.decrypt_attribute("ssn", legacy_envelope()) == {"S": "123-45-6789"}
    assert enc.decrypt_attribute("ssn", golden_envelope("ssn")) == {"S": "123-45-6789"}
    assert enc.encrypt_attributes(ITEM_ATTRS)["ssn"] == golden_envelope("ssn")
    with pytest.raises(EncryptionError, match="authentication failed"):
        enc.decrypt_attribute("email", legacy_envelope())
    assert "allow_legacy_aad=True" in repr(enc)


# ---------------------------------------------------------------------------------------------------------
# KMS failures, configuration, refusals, errors.


@pytest.mark.parametrize("code", ["AccessDeniedException", "NotFoundException", "KMSInvalidStateException"])
def test_kms_client_errors_are_wrapped_with_their_code(code: str) -> None:
    kms = RecordingKms(fail_with=_client_error(code, "GenerateDataKey"))
    with pytest.raises(EncryptionError, match=f"KMS GenerateDataKey failed: {code}") as info:
        encryptor(kms).encrypt_attributes({"a": {"S": "x"}})
    assert info.value.code == code
    assert isinstance(info.value.__cause__, ClientError)
    kms.fail_with = _client_error(code, "Decrypt")
    with pytest.raises(EncryptionError, match=f"KMS Decrypt failed: {code}") as info:
        encryptor(kms).decrypt_attribute("ssn", golden_envelope("ssn"))
    assert (info.value.code, info.value.attribute) == (code, "ssn")


def test_connection_errors_are_wrapped_without_a_code() -> None:
    kms = RecordingKms(fail_with=EndpointConnectionError(endpoint_url="https://kms.invalid"))
    with pytest.raises(EncryptionError, match="EndpointConnectionError") as info:
        encryptor(kms).encrypt_attributes({"a": {"S": "x"}})
    assert info.value.code is None


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"kms_client": RecordingKms(), "key_arn": ""}, "KMS key ARN"),
        ({"kms_client": RecordingKms(), "key_arn": None}, "KMS key ARN"),
        ({"kms_client": None, "key_arn": KEY_ARN}, "KMS client"),
    ],
)
def test_missing_configuration_fails_closed(kwargs: dict[str, Any], why: str) -> None:
    with pytest.raises(EncryptionConfigError, match=why):
        FieldEncryptor(**kwargs)


def test_check_not_encrypted_refuses_encrypted_names_only() -> None:
    check_not_encrypted(["pk", "email"], {"ssn"}, "a key condition")
    with pytest.raises(ValidationError, match=r"^ssn is encrypted and cannot be used in an ADD action$"):
        check_not_encrypted(["pk", "ssn"], frozenset({"ssn"}), "an ADD action")


def test_errors_sit_in_the_orm_tree_and_print_usefully() -> None:
    err = EncryptionError("cannot decrypt ssn: x", attribute="ssn", code="AccessDeniedException")
    assert isinstance(err, TheorydbPyError)
    assert err.message == "cannot decrypt ssn: x"
    assert (
        repr(err) == "EncryptionError('cannot decrypt ssn: x', attribute='ssn', code='AccessDeniedException')"
    )
    assert issubclass(EncryptionConfigError, ValidationError)
    assert repr(encryptor(RecordingKms())) == f"FieldEncryptor(key_arn='{KEY_ARN}')"
    assert json.loads(encode_plaintext({"S": "x"})) == {"t": "S", "s": "x"}


# ---------------------------------------------------------------------------------------------------------
# With the project's FakeKmsClient (strict: it checks KeyId, KeySpec and that blobs are ones it issued).


def test_golden_envelopes_with_the_strict_fake_kms_client() -> None:
    kms = FakeKmsClient(plaintext_key=DATA_KEY, ciphertext_blob=EDK, key_id=KEY_ARN, strict=True)
    enc = FieldEncryptor(kms_client=kms, key_arn=KEY_ARN, rand_bytes=CounterBytes())
    envelopes = enc.encrypt_attributes(ITEM_ATTRS)
    assert envelopes == {name: golden_envelope(name) for name in ITEM_ATTRS}
    assert enc.decrypt_attributes(envelopes, DataKeyCache()) == ITEM_ATTRS
    assert [(c.method, c.params) for c in kms.calls] == [
        ("generate_data_key", {"KeyId": KEY_ARN, "KeySpec": "AES_256"}),
        ("decrypt", {"CiphertextBlob": EDK, "KeyId": KEY_ARN}),
    ]
    kms.assert_no_pending()


def test_fresh_fake_keys_per_item_and_a_page_cache() -> None:
    kms = FakeKmsClient(key_id=KEY_ARN, strict=True, fresh_keys=True)
    enc = FieldEncryptor(kms_client=kms, key_arn=KEY_ARN)
    page = [enc.encrypt_attributes({"a": {"S": str(i)}, "b": {"BOOL": True}}) for i in range(3)]
    assert len({item["a"]["M"]["edk"]["B"] for item in page}) == 3
    cache = DataKeyCache()
    assert [enc.decrypt_attributes(item, cache)["a"] for item in page] == [{"S": str(i)} for i in range(3)]
    assert [c.method for c in kms.calls] == ["generate_data_key"] * 3 + ["decrypt"] * 3
    with pytest.raises(EncryptionError, match="authentication failed"):
        enc.decrypt_attribute("b", page[0]["a"], cache)
    kms.assert_no_pending()


@pytest.mark.parametrize("method", ["generate_data_key", "decrypt"])
def test_errors_injected_in_the_fake_kms_client_are_wrapped(method: str) -> None:
    kms = FakeKmsClient(plaintext_key=DATA_KEY, ciphertext_blob=EDK)
    kms.inject_error("AccessDeniedException", method=method)
    enc = FieldEncryptor(kms_client=kms, key_arn=KEY_ARN, rand_bytes=CounterBytes())
    with pytest.raises(EncryptionError) as info:
        if method == "decrypt":
            enc.decrypt_attribute("ssn", golden_envelope("ssn"))
        else:
            enc.encrypt_attributes({"ssn": {"S": "x"}})
    assert info.value.code == "AccessDeniedException"
    kms.assert_no_pending()


# ---------------------------------------------------------------------------------------------------------
# Item binding: the threat version 1 leaves open, and the opt-in version 2 that closes it.

ITEM_A = {"pk": {"S": "USER#1"}, "sk": {"S": "PROFILE"}}
ITEM_B = {"pk": {"S": "USER#2"}, "sk": {"S": "PROFILE"}}


def test_version_one_opens_an_envelope_copied_from_another_item() -> None:
    """The documented threat (docs/encryption.md): v1 binds only the attribute name, so whoever can write
    the table can give one item another item's value of the same attribute."""
    enc = encryptor(RecordingKms())
    from_a = enc.encrypt_attributes({"ssn": {"S": "A's number"}})["ssn"]
    assert enc.decrypt_attribute("ssn", from_a) == {"S": "A's number"}  # read back as item B's: unnoticed


def test_item_aad_is_the_documented_bytes() -> None:
    assert item_aad("users", "ssn", {"sk": {"S": "PROFILE"}, "pk": {"N": "1"}}) == (
        b'theorydb:encrypted:v2|{"table":"users","attr":"ssn",'
        b'"key":{"pk":{"t":"N","n":"1"},"sk":{"t":"S","s":"PROFILE"}}}'
    )


def test_version_two_golden_envelope() -> None:
    """Pins version 2 byte for byte: GCM under the golden data key, nonce and the item AAD."""
    kms = RecordingKms()
    env = encryptor(kms, envelope_version=2).encrypt_attributes(
        {"ssn": {"S": "123-45-6789"}}, table="users", key=ITEM_A
    )["ssn"]
    members = env["M"]
    assert members["v"] == {"N": "2"}
    nonce = bytes(range(12))
    assert members["nonce"] == {"B": nonce}
    expected = AESGCM(DATA_KEY).encrypt(
        nonce, b'{"t":"S","s":"123-45-6789"}', item_aad("users", "ssn", ITEM_A)
    )
    assert members["ct"] == {"B": expected}


@pytest.mark.parametrize(
    ("table", "name", "key"),
    [
        ("users", "ssn", ITEM_B),  # copied to another item of the same table
        ("users", "ssn", {"pk": {"S": "USER#1"}}),  # the key with a part missing
        ("archive", "ssn", ITEM_A),  # the same key in another table
        ("users", "email", ITEM_A),  # another attribute of the same item
    ],
)
def test_version_two_fails_anywhere_but_its_own_item(table: str, name: str, key: dict[str, Any]) -> None:
    enc = encryptor(RecordingKms(), envelope_version=2)
    env = enc.encrypt_attributes({"ssn": {"S": "123-45-6789"}}, table="users", key=ITEM_A)["ssn"]
    assert enc.decrypt_attribute("ssn", env, table="users", key=ITEM_A) == {"S": "123-45-6789"}
    with pytest.raises(EncryptionError, match="authentication failed") as info:
        enc.decrypt_attribute(name, env, table=table, key=key)
    assert "123-45-6789" not in str(info.value)


def test_version_two_needs_its_item_to_write_and_to_read() -> None:
    kms = RecordingKms()
    enc = encryptor(kms, envelope_version=2)
    with pytest.raises(EncryptionError, match="table name and the item's key"):
        enc.encrypt_attributes({"ssn": {"S": "x"}})
    env = enc.encrypt_attributes({"ssn": {"S": "x"}}, table="users", key=ITEM_A)["ssn"]
    kms.calls.clear()
    with pytest.raises(EncryptionError, match="table name and the item's key"):
        enc.decrypt_attribute("ssn", env)
    assert kms.calls == []  # refused before KMS


def test_a_version_one_reader_opens_version_two_given_the_item() -> None:
    env = encryptor(RecordingKms(), envelope_version=2).encrypt_attributes(
        {"ssn": {"S": "x"}}, table="users", key=ITEM_A
    )["ssn"]
    assert encryptor(RecordingKms()).decrypt_attribute("ssn", env, table="users", key=ITEM_A) == {"S": "x"}


def test_a_version_two_reader_refuses_version_one_unless_told() -> None:
    v1 = golden_envelope("ssn")
    with pytest.raises(EncryptionError, match="not bound to its item"):
        encryptor(RecordingKms(), envelope_version=2).decrypt_attribute("ssn", v1, table="t", key=ITEM_A)
    migrating = encryptor(RecordingKms(), envelope_version=2, accept_v1=True)
    assert migrating.decrypt_attribute("ssn", v1, table="t", key=ITEM_A) == {"S": "123-45-6789"}
    assert "accept_v1=True" in repr(migrating)


@pytest.mark.parametrize("version", [0, 3, "2", 2.0, True])
def test_envelope_version_is_one_or_two(version: Any) -> None:
    with pytest.raises(EncryptionConfigError, match="envelope_version"):
        encryptor(RecordingKms(), envelope_version=version)


def test_the_guide_states_the_threats_and_points_to_the_strict_kms_fake() -> None:
    import pathlib
    import re

    text = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "encryption.md").read_text(
        encoding="utf-8"
    )
    for heading in (
        "## Threat model: what version 1 does and does not protect",
        "### Version 2: envelopes bound to their item (opt-in)",
        "### Test with the strict KMS fake",
    ):
        assert f"\n{heading}\n" in text
    assert item_aad("t", "a", {"k": {"S": "v"}}).decode().startswith(ITEM_AAD_PREFIX)
    strict = text[text.index("### Test with the strict KMS fake") :]
    for block in re.findall(r"```python\n(.*?)```", strict[: strict.index("\n## ")], flags=re.DOTALL):
        exec(compile(block, "docs/encryption.md", "exec"), {})
