"""Every operation in botocore's DynamoDB model is implemented by the emulator.

``record_for`` tells: an operation the service models and the emulator does not implement has a record
without a handler. A botocore upgrade that models a new operation fails this test until it is built.
"""

from __future__ import annotations

import botocore.session
import pytest

from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.operations._registry import record_for


def _modeled() -> list[str]:
    return list(botocore.session.get_session().get_service_model("dynamodb").operation_names)


def _implemented(name: str) -> bool:
    DynamoDBEmulator  # noqa: B018  (importing the emulator registers every handler)
    return record_for(name).handler is not None


def test_every_modeled_operation_is_implemented() -> None:
    modeled = _modeled()
    assert len(modeled) >= 62  # the model of this botocore: a shorter list means the lookup went wrong
    missing = sorted(n for n in modeled if not _implemented(n))
    assert missing == [], f"modeled by the service, not implemented: {missing}"


def test_a_modeled_operation_without_a_handler_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from theorydb_mocks.emulator.operations import _registry

    monkeypatch.delitem(_registry.OPERATIONS, "DescribeLimits")  # the check above can fail
    assert not _implemented("DescribeLimits")
