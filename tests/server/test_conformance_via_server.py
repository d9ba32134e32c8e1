"""The differential corpus through the HTTP server: a real boto3 client with ``endpoint_url``.

Two checks, so that the server's match rate is provably the in-process client's without paying for every
case twice against DynamoDB Local:

- every case of a representative set (every operations and storage case, every second values case, every
  sixth expressions case) runs against the in-process client and, through HTTP, against one server; every
  answer must be identical, call for call (no DynamoDB Local involved, so it is fast and exact);
- one case in five of that set also runs twice against DynamoDB Local, once with the in-process client and
  once through a fresh server: the verdicts must be identical (both match, or both fail with the same
  difference), and the two match rates are printed and compared at the end. The shared DynamoDB Local
  sometimes fails a request (``InternalFailure``) under load, so a case whose two verdicts differ is run once
  more before it counts as a difference.

The conformance harness takes any boto3-compatible client, so nothing in ``tests/conformance`` changes. One
adjustment, made on the server's client: the service (and so the server) spells the error body's member
``message``; botocore then also copies it into the response as the error shape's modeled ``message`` member,
which DynamoDB Local (``Message``) and the in-process client never show. ``_drop_modeled_message`` removes
that copy so the comparison sees what it sees for the other clients.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conformance import (
    test_cases_expressions,
    test_cases_multi_attribute_keys,
    test_cases_operations,
    test_cases_storage,
    test_cases_values,
)
from tests.conformance.harness import Case, Differential, Tally, run_case
from tests.server.conftest import make_client
from theorydb_mocks.emulator import DynamoDBEmulator
from theorydb_mocks.emulator.server import serve_in_thread

CASES: list[tuple[str, Case]] = (
    [("operations", case) for case in test_cases_operations.ALL_CASES]
    + [("storage", case) for case in test_cases_storage.CASES]
    + [("values", case) for case in test_cases_values.ALL_CASES[::2]]
    + [("expressions", case) for case in test_cases_expressions.ALL_CASES[::6]]
    + [("multi_attribute_keys", case) for case in test_cases_multi_attribute_keys.CASES]
)
AGAINST_LOCAL = CASES[::5]
TALLIES = {"in-process": Tally(), "server": Tally(), "server vs in-process": Tally()}


def _drop_modeled_message(parsed: dict[str, Any], **kwargs: Any) -> None:
    error = parsed.get("Error")
    if error is not None and parsed.get("message") == error.get("Message"):
        parsed.pop("message", None)


def _server_client(endpoint: str) -> Any:
    client = make_client(endpoint)
    client.meta.events.register("after-call.dynamodb", _drop_modeled_message)
    return client


def _verdict(diff: Differential, case: Case) -> str:
    try:
        run_case(diff, case)
    except AssertionError as exc:
        return f"differs: {exc}"
    finally:
        diff.close()
    return "match"


@pytest.fixture(scope="module")
def server_endpoint() -> Iterator[str]:
    with serve_in_thread() as endpoint:
        yield endpoint


@pytest.mark.parametrize(("area", "case"), CASES, ids=[f"{area}-{case.name}" for area, case in CASES])
def test_server_answers_as_the_in_process_client(
    area: str, case: Case, server_endpoint: str, request: pytest.FixtureRequest
) -> None:
    """The in-process client is the reference here: any difference in any answer fails the case."""
    diff = Differential(
        DynamoDBEmulator().client(),
        _server_client(server_endpoint),
        tally=TALLIES["server vs in-process"],
        area=area,
        test_id=request.node.nodeid,
    )
    try:
        run_case(diff, case)
    finally:
        diff.close()


@pytest.mark.dynamodb_local
@pytest.mark.parametrize(
    ("area", "case"), AGAINST_LOCAL, ids=[f"{area}-{case.name}" for area, case in AGAINST_LOCAL]
)
def test_case_through_server(
    area: str, case: Case, dynamodb_local_client: Any, request: pytest.FixtureRequest
) -> None:
    expected, got = _both_verdicts(area, case, dynamodb_local_client, request.node.nodeid)
    if got != expected:  # a DynamoDB Local hiccup on one side: the second run decides
        expected, got = _both_verdicts(area, case, dynamodb_local_client, request.node.nodeid)
    assert got == expected


def _both_verdicts(area: str, case: Case, dynamodb_local_client: Any, test_id: str) -> tuple[str, str]:
    in_process = Differential(
        dynamodb_local_client,
        DynamoDBEmulator().client(),
        tally=TALLIES["in-process"],
        area=area,
        test_id=test_id,
    )
    expected = _verdict(in_process, case)
    with serve_in_thread() as endpoint:
        over_http = Differential(
            dynamodb_local_client,
            _server_client(endpoint),
            tally=TALLIES["server"],
            area=area,
            test_id=test_id,
        )
        got = _verdict(over_http, case)
    return expected, got


@pytest.mark.dynamodb_local
def test_match_rates_are_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs after the cases (file order): the two tallies agree area by area."""
    if not TALLIES["server"].areas:
        pytest.skip("no case ran in this session")
    with capsys.disabled():
        for backend, tally in TALLIES.items():
            print(f"\n{backend}:")
            for line in tally.summary_lines():
                print(f"  {line}")
    reports = {backend: tally.report() for backend, tally in TALLIES.items()}
    assert reports["server vs in-process"]["total"]["mismatched"] == 0
    assert reports["server"]["total"] == reports["in-process"]["total"]
