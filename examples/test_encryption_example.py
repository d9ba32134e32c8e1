"""The encryption walk-through, on the embedded emulator and on DynamoDB Local."""

from __future__ import annotations

import encryption
from example_support import local_client, run_script

EXPECTED = [
    "no key, no table: Customer has encrypted fields (ssn, card) but kms_key_arn is not configured: "
    "pass kms_key_arn=",
    "stored ssn is a map with ['ct', 'edk', 'nonce', 'v']",
    "plaintext stored: False",
    "both fields share one data key: True",
    "read back: Ann 123-45-6789 card ending 1111",
    "batch: ['000-00-0004', '000-00-0002'] missing ['c9']",
    "refused: ssn is encrypted and cannot be used in a filter",
    "tampered item: cannot decrypt card: authentication failed (tampered, moved from another attribute, "
    "or sealed under another key)",
]


def test_script_on_the_embedded_emulator() -> None:
    assert run_script("encryption.py", None) == EXPECTED


def test_main_against_dynamodb_local(dynamodb_local_url: str) -> None:
    assert encryption.main(local_client(dynamodb_local_url)) == EXPECTED


def test_script_honours_dynamodb_endpoint(dynamodb_local_url: str) -> None:
    assert run_script("encryption.py", dynamodb_local_url) == EXPECTED
