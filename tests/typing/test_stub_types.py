"""Application code annotated with the boto3 stubs' ``DynamoDBClient`` accepts the kit's clients.

mypy --strict runs on a small annotated application and its tests, as a user's project would, with
types-boto3-dynamodb installed (a dev dependency; the test skips, naming it, where it is missing).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("types_boto3_dynamodb") is None,
    reason="types-boto3-dynamodb is not installed (pip install -e '.[dev]')",
)

APP = """
from types_boto3_dynamodb import DynamoDBClient

from theorydb_mocks import DynamoDBEmulator, FakeDynamoDBClient


def save_user(client: DynamoDBClient, user_id: str) -> None:
    client.put_item(TableName="users", Item={"pk": {"S": user_id}})


def user_count(client: DynamoDBClient) -> int:
    return client.scan(TableName="users", Select="COUNT")["Count"]


emu = DynamoDBEmulator()
save_user(emu.client(), "ada")
count: int = user_count(emu.client())

fake = FakeDynamoDBClient()
fake.expect("put_item", {"TableName": "users"})
save_user(fake, "ada")
fake.assert_no_pending()
"""

UNTYPED = """
from theorydb_mocks import DynamoDBEmulator, FakeDynamoDBClient

client = DynamoDBEmulator().client()
client.put_item(TableName="users", Item={"pk": {"S": "ada"}})
FakeDynamoDBClient().expect("get_item", {"TableName": "users"})
"""

WRONG = """
from theorydb_mocks import DynamoDBEmulator

DynamoDBEmulator().client().put_item(TableName=7, Item={"pk": {"S": "ada"}})
"""

CONFIG = """
[mypy]
python_version = 3.11
strict = True
mypy_path = {root}

[mypy-theorydb_mocks.*,theorydb_py.*]
follow_imports = silent

[mypy-boto3.*,botocore.*,sortedcontainers.*,aiobotocore.*,yaml.*]
ignore_missing_imports = True
"""


def _mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    (tmp_path / "mypy.ini").write_text(CONFIG.format(root=ROOT), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-incremental", "app.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_kits_clients_are_dynamodb_clients_to_a_type_checker(tmp_path: Path) -> None:
    done = _mypy(tmp_path, APP)
    assert done.returncode == 0, done.stdout + done.stderr


def test_untyped_code_uses_them_as_before(tmp_path: Path) -> None:
    done = _mypy(tmp_path, UNTYPED)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_types_are_real(tmp_path: Path) -> None:
    """A wrong argument type is caught: the client is typed, not ``Any``."""
    done = _mypy(tmp_path, WRONG)
    assert done.returncode == 1
    assert 'Argument "TableName" to "put_item" of "DynamoDBClient" has incompatible type "int"' in done.stdout
