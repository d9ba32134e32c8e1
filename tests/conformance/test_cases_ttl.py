"""TTL: UpdateTimeToLive / DescribeTimeToLive answers and errors, compared with DynamoDB Local.

What is not compared, and why: DynamoDB Local deletes expired items on the wall clock, in the background,
whenever its sweeper runs; the service deletes them "typically within a few days". Neither is a
deterministic oracle for *when* an item goes, so expiry itself is pinned by the emulator's own tests
(tests/emulator/test_ttl.py, both modes, driven by the emulator's clock). Compared here: everything the
API answers, including that an item whose TTL is far in the future, or not a number, is returned as is.
"""

from __future__ import annotations

import pytest

from tests.conformance.harness import Call, Case, Differential, N, S, call, get, put, run_case, table_spec

V = "ValidationException"
T = table_spec("t", ("pk", "S"))
ON = {"Enabled": True, "AttributeName": "expires"}
OFF = {"Enabled": False, "AttributeName": "expires"}


def ttl(spec: dict[str, object], expect: str | tuple[str, str] = "ok", table: str = "t") -> Call:
    return call("update_time_to_live", expect, TableName=table, TimeToLiveSpecification=spec)


def describe(table: str = "t", expect: str | tuple[str, str] = "ok") -> Call:
    return call("describe_time_to_live", expect, TableName=table)


CASES = [
    Case("ttl-lifecycle", [describe(), ttl(ON), describe(), ttl(OFF), describe()], [T]),
    Case("ttl-already-disabled", [ttl(OFF, (V, "TimeToLive is already disabled"))], [T]),
    Case("ttl-already-enabled", [ttl(ON), ttl(ON, (V, "TimeToLive is already enabled"))], [T]),
    Case(
        "ttl-other-attribute",
        [
            ttl(ON),
            ttl({"Enabled": True, "AttributeName": "other"}, (V, "different AttributeName")),
            ttl({"Enabled": False, "AttributeName": "other"}, (V, "different AttributeName")),
            describe(),
        ],
        [T],
    ),
    Case(
        "ttl-missing-table",
        [
            describe("missing-ttl-table-0f3c", "ResourceNotFoundException"),
            ttl(ON, "ResourceNotFoundException", table="missing-ttl-table-0f3c"),
        ],
    ),
    Case(
        "ttl-enable-disable-enable",
        [ttl(ON), ttl(OFF), ttl({"Enabled": True, "AttributeName": "other"}), describe()],
        [T],
    ),
    Case(
        "ttl-unexpired-and-non-numeric-items-stay",
        [
            ttl(ON),
            put({"pk": S("future"), "expires": N(4_102_444_800)}),  # 2100-01-01
            put({"pk": S("text"), "expires": S("1")}),
            put({"pk": S("set"), "expires": {"NS": ["1", "2"]}}),
            get({"pk": S("future")}),
            get({"pk": S("text")}),
            get({"pk": S("set")}),
            call("scan", TableName="t", unordered=True),
        ],
        [T],
    ),
    Case(
        "ttl-validation",
        [
            call(
                "update_time_to_live",
                V,
                TableName="t",
                TimeToLiveSpecification={"Enabled": True, "AttributeName": "x" * 256},
            ),
        ],
        [T],
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_ttl_case(diff: Differential, case: Case) -> None:
    run_case(diff, case)


def test_ttl_setting_survives_other_table_updates(diff: Differential) -> None:
    diff.create_table(setup=True, **T)
    diff.call("update_time_to_live", expect="ok", TableName="t", TimeToLiveSpecification=ON)
    diff.call("update_table", expect="ok", TableName="t", DeletionProtectionEnabled=False)
    diff.call("describe_time_to_live", expect="ok", TableName="t")
