"""Strict expectation fakes: ``FakeDynamoDBClient``, ``FakeKmsClient``, ``ANY`` and the matchers.

A strict fake checks three times (docs: docs/testing.md#strict-fakes):

1. at registration: the method exists, expected parameters use only names and types of the service model,
   a canned response and an error's modeled fields validate against it, and contradictions (a response
   *and* an error) are refused;
2. at the call: the request is validated as botocore validates it (``ParamValidationError``), then matched
   against the next expectation (dicts as subsets, lists exactly, ``ANY`` and matchers at any depth); a
   mismatch raises ``UnexpectedCallError`` (an ``AssertionError``) with a path-qualified diff;
3. at teardown: ``assert_no_pending()`` fails on unused expectations and on unexpected calls, even those
   the code under test caught and swallowed.

Modeled on botocore's ``Stubber``, but it needs no real client and no credentials.

>>> fake = FakeDynamoDBClient()
>>> fake.expect("get_item", {"TableName": "users", "Key": {"pk": {"S": ANY}}},
...             response={"Item": {"pk": {"S": "u1"}}})
get_item(TableName='users', Key={'pk': {'S': <ANY>}})
>>> fake.get_item(TableName="users", Key={"pk": {"S": "u1"}})["Item"]
{'pk': {'S': 'u1'}}
>>> fake.assert_no_pending()
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from botocore.exceptions import ClientError, OperationNotPageableError
from botocore.paginate import Paginator
from botocore.waiter import WaiterModel, create_waiter_with_client

from theorydb_mocks import _service
from theorydb_mocks._calls import RecordedCall
from theorydb_mocks._errors import (
    DOCS,
    ExpectationError,
    PendingExpectationsError,
    StrictFakeError,
    UnexpectedCallError,
)
from theorydb_mocks._kms import DataKey, FakeKmsClient, KmsCall
from theorydb_mocks._matchers import (
    ANY,
    AnyString,
    Exact,
    Matcher,
    Predicate,
    Regex,
    Validator,
    diff,
    short_repr,
)
from theorydb_mocks._stub_types import DynamoDBClientBase

__all__ = [
    "ANY",
    "AnyString",
    "Call",
    "DataKey",
    "Exact",
    "Expectation",
    "ExpectationError",
    "ExpectedCall",
    "FakeDynamoDBClient",
    "FakeKmsClient",
    "KmsCall",
    "Matcher",
    "PendingExpectationsError",
    "Predicate",
    "Regex",
    "StrictFakeError",
    "UnexpectedCallError",
    "Validator",
]

_SERVICE: Final = "dynamodb"

# Codes any DynamoDB operation can answer although the operation's model does not list them.
_GENERIC_CODES: Final = frozenset(
    {
        "AccessDeniedException",
        "IncompleteSignatureException",
        "InternalServerError",
        "InvalidSignatureException",
        "MissingAuthenticationTokenException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "SerializationException",
        "ServiceUnavailable",
        "ThrottlingException",
        "UnrecognizedClientException",
        "ValidationException",
    }
)

_STATUS: Final = {"InternalServerError": 500, "ServiceUnavailable": 503}

# The service's own messages, where one message is the only one it sends for the code.
_MESSAGES: Final = {
    "ConditionalCheckFailedException": "The conditional request failed",
    "ResourceNotFoundException": "Requested resource not found",
    "ProvisionedThroughputExceededException": (
        "The level of configured provisioned throughput for the table was exceeded. "
        "Consider increasing your provisioning level with the UpdateTable API."
    ),
    "ThrottlingException": "Rate of requests exceeds the allowed throughput.",
    "InternalServerError": "Internal server error",
}


def _copy(params: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a request, so later mutation by the caller cannot rewrite history; values that cannot
    be copied (a file object as a blob) are kept as they are."""
    try:
        return copy.deepcopy(params)
    except Exception:
        return dict(params)


_RETURNS_ATTRIBUTES: Final = frozenset({"PutItem", "UpdateItem", "DeleteItem"})


def _contradiction(expectation: Expectation, params: Mapping[str, Any]) -> str | None:
    """Why the canned answer is one DynamoDB would never give to this request, if it is: a fake that
    returns what the service withholds lets the code under test depend on it."""
    if expectation.error is not None:
        if (
            expectation.built_error
            and isinstance(expectation.error, ClientError)
            and "Item" in expectation.error.response
            and params.get("ReturnValuesOnConditionCheckFailure") != "ALL_OLD"
        ):
            return (
                "the canned error carries Item, but DynamoDB sends it only to a request with "
                "ReturnValuesOnConditionCheckFailure='ALL_OLD'"
            )
        return None
    response = expectation.response or {}
    if (
        expectation.operation_name in _RETURNS_ATTRIBUTES
        and "Attributes" in response
        and params.get("ReturnValues", "NONE") == "NONE"
    ):
        return (
            "the canned response carries Attributes, but DynamoDB sends them only to a request with "
            "ReturnValues other than 'NONE'"
        )
    return None


def _call_text(method: str, params: Any) -> str:
    if isinstance(params, Mapping):
        return f"{method}({', '.join(f'{key}={value!r}' for key, value in params.items())})"
    return f"{method}({params!r})"


@dataclass(frozen=True, slots=True, eq=False)
class Call(RecordedCall):
    """One request received by a fake: the Python method name, the operation name and the parameters.

    It also reads as TableTheory's ``(method, request)`` pair: ``method, request = fake.calls[0]``.
    """

    method: str
    operation_name: str
    params: dict[str, Any]

    def __repr__(self) -> str:
        return _call_text(self.method, self.params)


class Expectation:
    """One expected call and its answer; ``repr`` prints it as the call it stands for.

    ``fake.expect(...)`` makes and returns it (``ExpectedCall`` in TableTheory's ``theorydb_py.mocks``).
    """

    __slots__ = (
        "built_error",
        "error",
        "expected",
        "method",
        "operation_name",
        "optional",
        "response",
        "times",
        "used",
    )

    def __init__(
        self,
        method: str,
        expected: Any = None,
        response: dict[str, Any] | None = None,
        error: BaseException | None = None,
        *,
        operation_name: str | None = None,
        times: int | None = 1,
        optional: bool = False,
    ) -> None:
        if operation_name is None:
            operation_name = _service.method_names(_SERVICE).get(method)
            if operation_name is None:
                raise ExpectationError(f"DynamoDB has no method {method!r}")
        self.method = method
        self.operation_name = operation_name
        self.expected = expected
        self.response = response
        self.error = error
        self.times = times
        self.optional = optional
        self.used = 0
        self.built_error = False

    def fresh_error(self) -> BaseException | None:
        """The error to raise, if any: a new instance per call (a fresh traceback and copy of the response)
        of the same class; a ready ``ClientError`` given by the test is raised as it is."""
        error = self.error
        if error is None or not self.built_error or not isinstance(error, ClientError):
            return error
        built: Any = error
        response = copy.deepcopy(built.response)
        response["ResponseMetadata"] = _service.response_metadata(
            response["ResponseMetadata"]["HTTPStatusCode"]
        )
        fresh: BaseException = type(built)(response, built.operation_name)
        return fresh

    @property
    def satisfied(self) -> bool:
        """Whether teardown would accept this expectation as it stands."""
        return self.optional or self.used >= (self.times or 1)

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.used >= self.times

    def diff(self, method: str, params: Mapping[str, Any]) -> list[str]:
        """The differences to a call; empty when the call matches."""
        if method != self.method:
            return [f"method: {self.method!r} != {method!r}"]
        return [] if self.expected is None else diff(self.expected, params)

    def __repr__(self) -> str:
        text = _call_text(self.method, {} if self.expected is None else self.expected)
        notes = []
        if self.times != 1:
            notes.append("any number of times" if self.times is None else f"times={self.times}")
        if self.optional:
            notes.append("optional")
        if self.used and self.times != 1:
            notes.append(f"used {self.used}")
        if isinstance(self.error, ClientError):
            text += f" -> raises {self.error.response.get('Error', {}).get('Code')}"
        elif self.error is not None:
            text += f" -> raises {type(self.error).__name__}"
        return text + (f" [{', '.join(notes)}]" if notes else "")


class _Slot:
    """A place in the queue: one expectation, or an unordered group whose members may come in any order."""

    __slots__ = ("members",)

    def __init__(self) -> None:
        self.members: list[Expectation] = []

    @property
    def satisfied(self) -> bool:
        return all(member.satisfied for member in self.members)


class FakeDynamoDBClient(DynamoDBClientBase):
    """A strict fake of boto3's low-level DynamoDB client, answering only what a test declared.

    ``ordered=True`` (the default) consumes expectations first in, first out; ``ordered=False`` lets any
    pending expectation answer any call. Every method of the real client exists; each is validated against
    botocore's service model. Thread-safe.
    """

    def __init__(self, *, ordered: bool = True, region_name: str = "us-east-1") -> None:
        self._ordered = ordered
        self._lock = threading.RLock()
        self._slots: list[_Slot] = []
        self._group: _Slot | None = None
        self._calls: list[Call] = []
        self._failures: list[str] = []
        self._methods = _service.method_names(_SERVICE)
        self._operations = {operation: method for method, operation in self._methods.items()}
        self.meta = _service.client_meta(_SERVICE, region_name)
        self.exceptions = _service.client_exceptions(_SERVICE)

    def __repr__(self) -> str:
        with self._lock:
            pending = sum(len(slot.members) for slot in self._slots)
            return f"<FakeDynamoDBClient pending={pending} calls={len(self._calls)}>"

    # -- registration ------------------------------------------------------------------------------------

    def expect(
        self,
        method: str,
        expected: Mapping[str, Any] | Matcher | Callable[[dict[str, Any]], object] | None = None,
        response: Mapping[str, Any] | None = None,
        error: str | BaseException | type[ClientError] | None = None,
        *,
        error_message: str | None = None,
        error_fields: Mapping[str, Any] | None = None,
        times: int | None = 1,
        optional: bool = False,
    ) -> Expectation:
        """Declare the next call: ``method`` (``"put_item"`` or ``"PutItem"``), the parameters it must
        carry (a subset; ``None`` accepts any), and either a canned ``response`` or an ``error``.

        ``expected`` may also be a function of the request (TableTheory's validators): it rejects the call
        by raising (an ``assert`` inside it) or by returning ``False``.

        ``error`` is a code (``"ConditionalCheckFailedException"``), a class from ``fake.exceptions``, a
        ready ``ClientError`` or any other exception instance (a botocore ``EndpointConnectionError``...),
        raised as it is; ``error_message`` and ``error_fields`` (modeled fields such as ``Item`` or
        ``CancellationReasons``) complete a code. ``times`` repeats the expectation (``None``: any number,
        at least once); ``optional=True`` lets the code under test skip it.
        """
        method_name, operation_name = self._resolve(method)
        operation = self.meta.service_model.operation_model(operation_name)
        if response is not None and error is not None:
            raise ExpectationError(f"{method_name}: give a response or an error, not both")
        if error is None and (error_message is not None or error_fields is not None):
            raise ExpectationError(f"{method_name}: error_message and error_fields need an error code")
        if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
            raise ExpectationError(f"{method_name}: times must be a positive int or None, not {times!r}")
        if not isinstance(optional, bool):
            raise ExpectationError(f"{method_name}: optional must be True or False, not {optional!r}")
        if error_message is not None and not isinstance(error_message, str):
            raise ExpectationError(f"{method_name}: error_message must be a str, not {error_message!r}")
        if error_fields is not None and not isinstance(error_fields, Mapping):
            raise ExpectationError(f"{method_name}: error_fields must be a dict, not {error_fields!r}")
        if callable(expected) and not isinstance(expected, Matcher):
            expected = Validator(expected)
        if expected is not None:
            _service.check_expected(expected, operation.input_shape)
        canned: dict[str, Any] | None = None
        if error is None:
            _service.validate_output({} if response is None else response, operation.output_shape)
            canned = copy.deepcopy(dict(response or {}))
        built = None if error is None else self._build_error(operation, error, error_message, error_fields)
        expectation = Expectation(
            method_name,
            copy.deepcopy(expected),
            canned,
            built,
            operation_name=operation_name,
            times=times,
            optional=optional,
        )
        expectation.built_error = built is not None and built is not error
        with self._lock:
            if self._group is not None:
                self._group.members.append(expectation)
            else:
                slot = _Slot()
                slot.members.append(expectation)
                self._slots.append(slot)
        return expectation

    @contextlib.contextmanager
    def unordered(self) -> Iterator[None]:
        """Expectations declared inside the block may be met in any order, after those declared before and
        before those declared after it."""
        with self._lock:
            if self._group is not None:
                raise ExpectationError("unordered() blocks do not nest")
            self._group = _Slot()
        try:
            yield
        finally:
            with self._lock:
                group, self._group = self._group, None
                if group.members:
                    self._slots.append(group)

    def _resolve(self, method: str) -> tuple[str, str]:
        if not isinstance(method, str):
            raise ExpectationError(f"method must be a str such as 'put_item', not {method!r}")
        if method in self._methods:
            return method, self._methods[method]
        if method in self._operations:
            return self._operations[method], method
        close = difflib.get_close_matches(method, list(self._methods), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ExpectationError(f"DynamoDB has no method {method!r}{hint}")

    def _build_error(
        self,
        operation: Any,
        error: str | BaseException | type[ClientError],
        message: str | None,
        fields: Mapping[str, Any] | None,
    ) -> BaseException:
        if isinstance(error, BaseException):
            if message is not None or fields is not None:
                raise ExpectationError("a ready exception carries its own message and fields")
            return error
        if isinstance(error, type) and issubclass(error, ClientError):
            error = error.__name__
        if not isinstance(error, str):
            raise ExpectationError(
                f"error must be a code, a ClientError class or an exception, not {error!r}"
            )
        modeled = {shape.name for shape in operation.error_shapes}
        if error not in modeled and error not in _GENERIC_CODES:
            known = sorted(modeled | _GENERIC_CODES)
            close = difflib.get_close_matches(error, known, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise ExpectationError(
                f"{operation.name} never answers {error!r}: {hint}its errors are {', '.join(known)}"
            )
        shape = _service.error_shape(_SERVICE, error)
        extra = dict(fields or {})
        _service.validate_error_fields(extra, shape, error)
        if message is None:
            message = self._default_message(error, extra)
        made: BaseException = _service.build_client_error(
            _SERVICE, operation.name, error, message, copy.deepcopy(extra), _STATUS.get(error, 400)
        )
        return made

    @staticmethod
    def _default_message(code: str, fields: Mapping[str, Any]) -> str:
        if code == "TransactionCanceledException":
            reasons = ", ".join(str(r.get("Code", "None")) for r in fields.get("CancellationReasons", []))
            return (
                f"Transaction cancelled, please refer cancellation reasons for specific reasons [{reasons}]"
            )
        return _MESSAGES.get(code, f"{code} (injected by FakeDynamoDBClient)")

    # -- the client surface ------------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Callable[..., dict[str, Any]]:
        methods = self.__dict__.get("_methods")
        if methods is None or name not in methods:
            raise AttributeError(f"'DynamoDB' object has no attribute '{name}'")
        operation_name = methods[name]

        def api_call(*args: Any, **kwargs: Any) -> dict[str, Any]:
            if args:
                raise TypeError(f"{name}() only accepts keyword arguments.")
            return self._answer(name, operation_name, kwargs)

        api_call.__name__ = name
        api_call.__qualname__ = f"FakeDynamoDBClient.{name}"
        return api_call

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._methods))

    def can_paginate(self, operation_name: str) -> bool:
        """Whether ``get_paginator(operation_name)`` works, as on a real client."""
        operation = self._methods.get(operation_name)
        return operation is not None and operation in _service.paginator_config(_SERVICE)

    def get_paginator(self, operation_name: str) -> Paginator:
        """botocore's own paginator, driving this fake's method: expect one call per page."""
        if not self.can_paginate(operation_name):
            raise OperationNotPageableError(operation_name=operation_name)
        operation = self._methods[operation_name]
        model = self.meta.service_model.operation_model(operation)
        return Paginator(getattr(self, operation_name), _service.paginator_config(_SERVICE)[operation], model)

    def get_waiter(self, waiter_name: str) -> Any:
        """botocore's own waiter (``table_exists``...), polling this fake's method."""
        model = WaiterModel(_service.waiter_config(_SERVICE))
        names = {_service.xform_name(name): name for name in model.waiter_names}
        if waiter_name not in names:
            raise ValueError(f"Waiter does not exist: {waiter_name}")
        return create_waiter_with_client(names[waiter_name], model, self)

    def close(self) -> None:
        """Nothing to release; present because real clients have it."""

    # -- the call ------------------------------------------------------------------------------------------

    def _answer(self, method: str, operation_name: str, params: dict[str, Any]) -> dict[str, Any]:
        __tracebackhide__ = True
        received = _copy(params)
        with self._lock:
            self._calls.append(Call(method, operation_name, received))
            operation = self.meta.service_model.operation_model(operation_name)
            _service.validate_request(received, operation.input_shape)
            found = self._match(method, received)
            if isinstance(found, str):
                self._failures.append(found)
                raise UnexpectedCallError(found)
            found.used += 1
            self._drop_exhausted()
            contradiction = _contradiction(found, received)
            if contradiction is not None:
                report = (
                    f"unanswerable call {short_repr(Call(method, operation_name, received), 300)}\n"
                    f"  expectation: {short_repr(found, 300)}\n  {contradiction}\n  (docs: {DOCS})"
                )
                self._failures.append(report)
                raise UnexpectedCallError(report)
            error = found.fresh_error()
            if error is not None:
                raise error
            answer = copy.deepcopy(found.response or {})
        answer.setdefault("ResponseMetadata", _service.response_metadata())
        return answer

    def _match(self, method: str, params: dict[str, Any]) -> Expectation | str:
        """The expectation that answers the call, or the report of why none does."""
        considered: list[Expectation] = []
        for index, slot in enumerate(self._slots):
            for member in slot.members:
                considered.append(member)
                if not member.diff(method, params):
                    if self._ordered:
                        del self._slots[:index]  # the skipped slots were all satisfied
                    return member
            if self._ordered and not slot.satisfied:
                later = self._later_match(index + 1, method, params)
                return self._report(Call(method, self._methods[method], params), considered, later)
        return self._report(Call(method, self._methods[method], params), considered, None)

    def _later_match(self, start: int, method: str, params: dict[str, Any]) -> Expectation | None:
        """An expectation further down the queue that the call matches: the likely out-of-order step."""
        for slot in self._slots[start:]:
            for member in slot.members:
                if not member.diff(method, params):
                    return member
        return None

    def _drop_exhausted(self) -> None:
        for slot in self._slots:
            slot.members = [member for member in slot.members if not member.exhausted]
        self._slots = [slot for slot in self._slots if slot.members]

    def _report(self, call: Call, considered: list[Expectation], later: Expectation | None) -> str:
        head = f"unexpected call {short_repr(call, 300)}"
        if not considered:
            return f"{head}\n  no expectation is pending (docs: {DOCS})"
        same = [e for e in considered if e.method == call.method] or considered
        nearest = min(same, key=lambda e: len(e.diff(call.method, call.params)))
        lines = [
            head,
            f"  nearest expectation: {short_repr(nearest, 300)}",
            "  differences (expected != received):",
        ]
        lines += [f"    {line}" for line in nearest.diff(call.method, call.params)]
        if later is not None:
            lines.append(
                f"  it matches a later expectation: {short_repr(later, 300)} (out of order? see unordered())"
            )
        lines.append(f"  (docs: {DOCS}: ANY, optional=True or ordered=False relax the match)")
        return "\n".join(lines)

    # -- teardown --------------------------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every request received, in order, including malformed and unexpected ones (a copy)."""
        with self._lock:
            return list(self._calls)

    @property
    def pending(self) -> list[Expectation]:
        """Expectations not yet used up (optional and partly used ones included)."""
        with self._lock:
            return [member for slot in self._slots for member in slot.members]

    def assert_no_pending(self) -> None:
        """Fail if a required expectation was never met or any call was unexpected (even if swallowed)."""
        __tracebackhide__ = True
        with self._lock:
            unused = [member for slot in self._slots for member in slot.members if not member.satisfied]
            failures = list(self._failures)
        if not unused and not failures:
            return
        lines = ["FakeDynamoDBClient: the test did not go as declared"]
        if unused:
            lines.append(f"  expectations never met ({len(unused)}):")
            lines += [f"    {short_repr(member, 300)}" for member in unused]
        if failures:
            lines.append(f"  unexpected calls ({len(failures)}):")
            lines += [
                f"    {failure.splitlines()[0].removeprefix('unexpected call ')}" for failure in failures
            ]
        lines.append(f"  (docs: {DOCS})")
        raise PendingExpectationsError("\n".join(lines))

    def __enter__(self) -> FakeDynamoDBClient:
        return self

    def __exit__(self, exc_type: object, exc: object, traceback: object) -> None:
        if exc_type is None:
            self.assert_no_pending()


ExpectedCall = Expectation  # TableTheory's name for one queued expectation
