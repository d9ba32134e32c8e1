"""``FakeKmsClient``: the two KMS calls envelope encryption needs, answered offline.

Loose by default: ``generate_data_key`` hands out the configured data key and blob, ``decrypt`` returns the
key for any blob. ``strict=True`` checks what the code under test sends (the key id, the key spec, a blob
this fake issued, with the encryption context it was issued under); ``fresh_keys=True`` issues a new random
data key per call, so key rotation and per-item keys can be tested; ``inject_error`` makes the next calls
fail like KMS. Requests are validated against botocore's KMS service model.

>>> kms = FakeKmsClient(plaintext_key=b"k" * 32, ciphertext_blob=b"blob")
>>> out = kms.generate_data_key(KeyId="alias/app", KeySpec="AES_256")
>>> out["Plaintext"], out["CiphertextBlob"]
(b'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk', b'blob')
>>> kms.decrypt(CiphertextBlob=b"blob")["Plaintext"] == b"k" * 32
True
"""

from __future__ import annotations

import copy
import difflib
import itertools
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from theorydb_mocks import _service
from theorydb_mocks._calls import RecordedCall
from theorydb_mocks._errors import DOCS, ExpectationError, PendingExpectationsError, UnexpectedCallError
from theorydb_mocks._matchers import short_repr

__all__ = ["DataKey", "FakeKmsClient"]

_SERVICE: Final = "kms"
_ACCOUNT: Final = "111122223333"
DEFAULT_PLAINTEXT_KEY: Final = bytes(range(32))
DEFAULT_CIPHERTEXT_BLOB: Final = b"theorydb-fake-kms:v1:default-data-key"
_KEY_BYTES: Final = {"AES_256": 32, "AES_128": 16}
_ALIASES: Final = {
    "AccessDenied": "AccessDeniedException",
    "KMSInvalidState": "KMSInvalidStateException",
    "InvalidCiphertext": "InvalidCiphertextException",
    "Throttling": "ThrottlingException",
    "NotFound": "NotFoundException",
    "Disabled": "DisabledException",
    "IncorrectKey": "IncorrectKeyException",
}
# Codes every KMS operation can answer although the model does not list them.
_GENERIC_CODES: Final = frozenset(
    {"AccessDeniedException", "ThrottlingException", "UnrecognizedClientException", "ValidationException"}
)
_ANSWERED: Final = ("decrypt", "generate_data_key", "generate_data_key_without_plaintext")


@dataclass(frozen=True, slots=True)
class DataKey:
    """A data key this fake issued: what ``decrypt`` will give back for ``ciphertext_blob``."""

    plaintext: bytes
    ciphertext_blob: bytes
    key_id: str | None
    encryption_context: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<DataKey blob={self.ciphertext_blob!r} key_id={self.key_id!r}>"


@dataclass(frozen=True, slots=True, eq=False)
class KmsCall(RecordedCall):
    """One request received by ``FakeKmsClient``; also reads as the pair ``(method, request)``."""

    method: str
    params: dict[str, Any]

    def __repr__(self) -> str:
        return f"{self.method}({', '.join(f'{k}={v!r}' for k, v in self.params.items())})"


@dataclass(slots=True)
class _Injected:
    method: str | None
    code: str
    message: str
    remaining: int


class FakeKmsClient:
    """An offline KMS client for envelope encryption; see the module docstring for the modes."""

    def __init__(
        self,
        plaintext_key: bytes | None = None,
        ciphertext_blob: bytes | None = None,
        *,
        key_id: str | None = None,
        key_spec: str = "AES_256",
        encryption_context: Mapping[str, str] | None = None,
        strict: bool = False,
        fresh_keys: bool = False,
        region_name: str = "us-east-1",
    ) -> None:
        if fresh_keys and (plaintext_key is not None or ciphertext_blob is not None):
            raise ExpectationError(
                "fresh_keys=True issues random keys: do not also give plaintext_key/ciphertext_blob"
            )
        if key_id is not None and not isinstance(key_id, str):
            raise ExpectationError(f"key_id must be a str, not {key_id!r}")
        if key_spec not in _KEY_BYTES:
            raise ExpectationError(f"key_spec must be one of {sorted(_KEY_BYTES)}, not {key_spec!r}")
        for name, value in (("plaintext_key", plaintext_key), ("ciphertext_blob", ciphertext_blob)):
            if value is not None and (not isinstance(value, bytes) or not value):
                raise ExpectationError(f"{name} must be non-empty bytes, not {value!r}")
        self.plaintext_key = DEFAULT_PLAINTEXT_KEY if plaintext_key is None else plaintext_key
        self.ciphertext_blob = DEFAULT_CIPHERTEXT_BLOB if ciphertext_blob is None else ciphertext_blob
        self.key_id = key_id
        self.key_spec = key_spec
        self.strict = strict
        self.fresh_keys = fresh_keys
        self._lock = threading.RLock()
        # Each blob with every data key issued under it: a fixed blob is issued again per call, possibly
        # under another encryption context, and each of those contexts decrypts it.
        self._issued: dict[bytes, list[DataKey]] = {}
        if not fresh_keys:
            context = dict(encryption_context or {})
            self._issued[self.ciphertext_blob] = [
                DataKey(self.plaintext_key, self.ciphertext_blob, key_id, context)
            ]
        self._history: list[DataKey] = []
        self._calls: list[KmsCall] = []
        self._failures: list[str] = []
        self._injected: list[_Injected] = []
        self._serial = itertools.count(1)
        self._region = region_name
        self._methods = _service.method_names(_SERVICE)
        self.meta = _service.client_meta(_SERVICE, region_name)
        self.exceptions = _service.client_exceptions(_SERVICE)

    def __repr__(self) -> str:
        mode = "fresh_keys" if self.fresh_keys else ("strict" if self.strict else "loose")
        return f"<FakeKmsClient {mode} key_id={self.key_id!r} issued={len(self._history)}>"

    # -- configuration -----------------------------------------------------------------------------------

    def inject_error(
        self, code: str, *, method: str | None = None, times: int = 1, message: str | None = None
    ) -> None:
        """Make the next ``times`` calls (of ``method``, or of any method) fail like KMS with ``code``
        (``"AccessDeniedException"``, ``"KMSInvalidStateException"``, ``"InvalidCiphertextException"``,
        ``"ThrottlingException"``; the short forms ``"AccessDenied"``... work too)."""
        code = _ALIASES.get(code, code)
        if method is not None and method not in _ANSWERED:
            raise ExpectationError(f"FakeKmsClient answers only {', '.join(_ANSWERED)}, not {method!r}")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ExpectationError(f"times must be a positive int, not {times!r}")
        methods = [method] if method is not None else list(_ANSWERED)
        model = self.meta.service_model
        allowed = set(_GENERIC_CODES)
        for name in methods:
            allowed |= {shape.name for shape in model.operation_model(self._methods[name]).error_shapes}
        if code not in allowed:
            close = difflib.get_close_matches(code, sorted(allowed), n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise ExpectationError(
                f"KMS {'/'.join(methods)} never answers {code!r}: {hint}known: {sorted(allowed)}"
            )
        text = f"{code} (injected by FakeKmsClient)" if message is None else message
        with self._lock:
            self._injected.append(_Injected(method, code, text, times))

    # -- the client surface ------------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Callable[..., dict[str, Any]]:
        methods = self.__dict__.get("_methods")
        if methods is None or name not in methods:
            raise AttributeError(f"'KMS' object has no attribute '{name}'")

        def api_call(*args: Any, **kwargs: Any) -> dict[str, Any]:
            if args:
                raise TypeError(f"{name}() only accepts keyword arguments.")
            return self._answer(name, kwargs)

        api_call.__name__ = name
        return api_call

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._methods))

    def close(self) -> None:
        """Nothing to release; present because real clients have it."""

    @property
    def calls(self) -> list[KmsCall]:
        """Every request received, in order (a copy)."""
        with self._lock:
            return list(self._calls)

    @property
    def issued(self) -> list[DataKey]:
        """The data keys handed out by ``generate_data_key*``, in order."""
        with self._lock:
            return list(self._history)

    def assert_no_pending(self) -> None:
        """Fail on strict-mode violations (even if swallowed) and on injected errors never triggered."""
        __tracebackhide__ = True
        with self._lock:
            failures = list(self._failures)
            unused = [injected for injected in self._injected if injected.remaining]
        if not failures and not unused:
            return
        lines = ["FakeKmsClient: the test did not go as declared"]
        if unused:
            lines.append(f"  injected errors never raised ({len(unused)}):")
            lines += [f"    {i.code} on {i.method or 'any call'} ({i.remaining} left)" for i in unused]
        if failures:
            lines.append(f"  unexpected calls ({len(failures)}):")
            lines += [f"    {failure}" for failure in failures]
        lines.append(f"  (docs: {DOCS})")
        raise PendingExpectationsError("\n".join(lines))

    # -- the calls -----------------------------------------------------------------------------------------

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        __tracebackhide__ = True
        try:
            received = copy.deepcopy(params)
        except Exception:  # an uncopyable value (a file object) is kept as it is
            received = dict(params)
        operation_name = self._methods[method]
        with self._lock:
            self._calls.append(KmsCall(method, received))
            operation = self.meta.service_model.operation_model(operation_name)
            _service.validate_request(received, operation.input_shape)
            if method not in _ANSWERED:
                self._fail(
                    f"{short_repr(KmsCall(method, received), 300)}: FakeKmsClient answers only "
                    f"{', '.join(_ANSWERED)}"
                )
            for injected in self._injected:
                if injected.remaining and injected.method in (None, method):
                    injected.remaining -= 1
                    raise _service.build_client_error(
                        _SERVICE, operation_name, injected.code, injected.message, {}
                    )
            answer = self._decrypt(received) if method == "decrypt" else self._generate(method, received)
        answer["ResponseMetadata"] = _service.response_metadata()
        return answer

    def _fail(self, report: str) -> None:
        self._failures.append(report)
        raise UnexpectedCallError(f"{report}\n  (docs: {DOCS})")

    def _arn(self, key_id: str | None) -> str:
        if key_id is None:
            return f"arn:aws:kms:{self._region}:{_ACCOUNT}:key/fake-kms-key"
        if key_id.startswith(("arn:", "alias/")):
            return key_id
        return f"arn:aws:kms:{self._region}:{_ACCOUNT}:key/{key_id}"

    def _generate(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        key_id = params["KeyId"]
        spec = params.get("KeySpec")
        size = params.get("NumberOfBytes")
        context = dict(params.get("EncryptionContext", {}))
        if spec is not None and size is not None:
            raise _service.build_client_error(
                _SERVICE,
                self._methods[method],
                "ValidationException",
                "Please specify either number of bytes or key spec.",
                {},
            )
        if self.strict:
            call = short_repr(KmsCall(method, params), 300)
            if self.key_id is not None and key_id != self.key_id:
                self._fail(f"{call}\n  KeyId: {self.key_id!r} != {key_id!r}")
            if spec != self.key_spec:
                self._fail(f"{call}\n  KeySpec: {self.key_spec!r} != {spec!r}")
        if self.fresh_keys:
            length = size if size is not None else _KEY_BYTES.get(spec or self.key_spec, 32)
            plaintext = os.urandom(length)
            blob = b"theorydb-fake-kms:v1:%d:" % next(self._serial) + os.urandom(16)
        else:
            plaintext, blob = self.plaintext_key, self.ciphertext_blob
        issued = DataKey(plaintext, blob, key_id, context)
        self._issued.setdefault(blob, []).append(issued)
        self._history.append(issued)
        answer: dict[str, Any] = {"CiphertextBlob": blob, "KeyId": self._arn(key_id)}
        if method == "generate_data_key":
            answer["Plaintext"] = plaintext
        return answer

    def _decrypt(self, params: dict[str, Any]) -> dict[str, Any]:
        blob = params["CiphertextBlob"]
        key_id = params.get("KeyId")
        context = dict(params.get("EncryptionContext", {}))
        blob = blob.encode() if isinstance(blob, str) else bytes(blob)
        if self.strict and self.key_id is not None and key_id is not None and key_id != self.key_id:
            self._fail(
                f"{short_repr(KmsCall('decrypt', params), 300)}\n  KeyId: {self.key_id!r} != {key_id!r}"
            )
        candidates = self._issued.get(blob, [])
        if not (self.strict or self.fresh_keys):
            return {
                "KeyId": self._arn(key_id or self.key_id),
                "Plaintext": candidates[-1].plaintext if candidates else self.plaintext_key,
                "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
            }
        issued = next((key for key in candidates if key.encryption_context == context), None)
        if issued is None:
            raise _service.build_client_error(_SERVICE, "Decrypt", "InvalidCiphertextException", "", {})
        return {
            "KeyId": self._arn(issued.key_id or key_id or self.key_id),
            "Plaintext": issued.plaintext,
            "EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }


for _cls in (FakeKmsClient, DataKey, KmsCall):
    _cls.__module__ = "theorydb_mocks.fakes"
