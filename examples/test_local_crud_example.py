"""The CRUD walk-through runs end to end against DynamoDB Local, in-process and as the README runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import local_crud

EXPECTED = [
    "put refused: bob's ORDER#001 already exists",
    "get: ORDER#001 total=10 items=1",
    "get: ORDER#999 not found",
    "update: ORDER#002 status=shipped items=5 tags=['rush']",
    "query >= ORDER#005: ['ORDER#005', 'ORDER#006', 'ORDER#007']",
    "filter total > 20 and gift: ['ORDER#003', 'ORDER#006']",
    "page 1: ['ORDER#007', 'ORDER#006', 'ORDER#005']",
    "page 2: ['ORDER#004', 'ORDER#003', 'ORDER#002']",
    "page 3: ['ORDER#001']",
    "open orders over 50: [('alice', 'ORDER#006'), ('alice', 'ORDER#007'), ('bob', 'ORDER#001')]",
    "count: alice=7 all=8",
    "delete: ORDER#001 gone=True",
]


def test_main_against_dynamodb_local(dynamodb_local_url: str) -> None:
    client = boto3.client(
        "dynamodb",
        endpoint_url=dynamodb_local_url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    assert local_crud.main(client) == EXPECTED


def test_script_honours_dynamodb_endpoint(dynamodb_local_url: str) -> None:
    script = Path(__file__).with_name("local_crud.py")
    env = {**os.environ, "DYNAMODB_ENDPOINT": dynamodb_local_url}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == EXPECTED
