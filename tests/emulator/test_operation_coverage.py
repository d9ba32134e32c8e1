"""Every operation in botocore's DynamoDB model is implemented, but for those with an issue of their own.

``record_for`` tells: an operation the service models and the emulator does not implement has a record
without a handler. ``OWN_ISSUES`` are PartiQL, data movement (export, import, bulk operations) and
SearchVectors, which are tracked elsewhere. ``PENDING`` lists operations being built now (none at present):
the set may only shrink, so an operation in it that becomes implemented fails the test until it is taken out
of the set.
"""

from __future__ import annotations

import botocore.session

from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.operations._registry import record_for

OWN_ISSUES = frozenset(
    {
        # PartiQL
        "ExecuteStatement",
        "BatchExecuteStatement",
        "ExecuteTransaction",
        # data movement
        "ExportTableToPointInTime",
        "DescribeExport",
        "ListExports",
        "ImportTable",
        "DescribeImport",
        "ListImports",
        "StartBulkPutItems",
        "DescribeBulkOperation",
        "ListBulkOperations",
        "CancelBulkOperation",
        # vector search
        "SearchVectors",
    }
)

PENDING: frozenset[str] = frozenset()  # every other operation is implemented


def _modeled() -> list[str]:
    return list(botocore.session.get_session().get_service_model("dynamodb").operation_names)


def _implemented(name: str) -> bool:
    DynamoDBEmulator  # noqa: B018  (importing the emulator registers every handler)
    return record_for(name).handler is not None


def test_every_modeled_operation_is_implemented_or_tracked() -> None:
    missing = sorted(n for n in _modeled() if not _implemented(n) and n not in OWN_ISSUES | PENDING)
    assert missing == [], f"modeled by the service, not implemented, not tracked: {missing}"


def test_pending_operations_leave_the_list_when_they_land() -> None:
    landed = sorted(n for n in PENDING if _implemented(n))
    assert landed == [], f"implemented now: take {landed} out of PENDING"


def test_the_lists_name_only_modeled_operations() -> None:
    modeled = set(_modeled())
    assert sorted((OWN_ISSUES | PENDING) - modeled) == []
    assert not OWN_ISSUES & PENDING
