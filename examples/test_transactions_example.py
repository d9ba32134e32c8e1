"""The transactions walk-through, on DynamoDB Local and on the embedded emulator."""

from __future__ import annotations

import transactions
from example_support import local_client, run_script

EXPECTED = [
    "after t-1: ann=70 (v1) bob=50 (v1)",
    "t-2 cancelled: ['ConditionalCheckFailed', 'None', 'None', 'None']",
    "action 0 failed; bob had 50",
    "ann's ledger: [('ENTRY#t-1', -30, 'bob')]",
    "bob still has 50",
]


def test_main_against_dynamodb_local(dynamodb_local_url: str) -> None:
    assert transactions.main(local_client(dynamodb_local_url)) == EXPECTED


def test_script_honours_dynamodb_endpoint(dynamodb_local_url: str) -> None:
    assert run_script("transactions.py", dynamodb_local_url) == EXPECTED


def test_script_on_the_embedded_emulator() -> None:
    assert run_script("transactions.py", None) == EXPECTED
