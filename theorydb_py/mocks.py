"""Test doubles for code built on TableTheory: ``from theorydb_py.mocks import ANY, FakeDynamoDBClient``.

This is the one place ``theorydb_py`` reaches into ``theorydb_mocks`` (``theorydb_py.testkit`` goes
through it); it is imported only by tests, never by the ORM itself. The full kit (the emulator, the pytest
plugin) lives in ``theorydb_mocks``.

TableTheory's mock API works as it did: ``fake.expect(method, expected, response=..., error=...)`` with a
dict, a function of the request (it rejects by raising) or nothing; ``fake.calls[i]`` is the pair
``(method, request)``; ``FakeKmsClient(plaintext_key=..., ciphertext_blob=...).calls`` likewise. On top of it
the fakes are strict: requests are validated against botocore's service model, as a real client would.

>>> fake = FakeDynamoDBClient()
>>> def check(request):
...     assert request["Item"]["pk"] == {"S": "A"}
>>> _ = fake.expect("put_item", check)
>>> _ = fake.expect("get_item", error=TimeoutError("network down"))
>>> _ = fake.put_item(TableName="notes", Item={"pk": {"S": "A"}})
>>> method, request = fake.calls[0]
>>> method, request["TableName"]
('put_item', 'notes')
>>> fake.get_item(TableName="notes", Key={"pk": {"S": "A"}})
Traceback (most recent call last):
...
TimeoutError: network down
"""

from __future__ import annotations

from theorydb_mocks.fakes import (
    ANY,
    AnyString,
    Call,
    Exact,
    ExpectationError,
    ExpectedCall,
    FakeDynamoDBClient,
    FakeKmsClient,
    Matcher,
    PendingExpectationsError,
    Predicate,
    Regex,
    UnexpectedCallError,
    Validator,
)

__all__ = [
    "ANY",
    "AnyString",
    "Call",
    "Exact",
    "ExpectationError",
    "ExpectedCall",
    "FakeDynamoDBClient",
    "FakeKmsClient",
    "Matcher",
    "PendingExpectationsError",
    "Predicate",
    "Regex",
    "UnexpectedCallError",
    "Validator",
]
