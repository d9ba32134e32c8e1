"""Other SDKs against the server: the AWS CLI (from PyPI) and the AWS SDK for JavaScript v3 (from npm).

Each runs a create table, put, get and query; then a transaction and a stream read.
The tools are installed on first use into the cache (``$TABLETHEORY_CACHE`` or ``~/.cache/tabletheory``) by
``pip install --target`` and ``npm install --prefix``; a machine without pip, npm or node skips, saying so.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

AWSCLI = "awscli==1.46.2"
JS_PACKAGES = ("@aws-sdk/client-dynamodb@3.1162.0", "@aws-sdk/client-dynamodb-streams@3.1141.0")
STEPS_JS = Path(__file__).parent / "js" / "sdk_steps.cjs"


def cache_root() -> Path:
    root = os.environ.get("TABLETHEORY_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "tabletheory"
    )
    return Path(root)


def _install(marker: Path, command: list[str], what: str) -> None:
    """Run an install command once (``marker`` says it is done); skip the tests if it cannot run."""
    if marker.exists():
        return
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"cannot install {what}: {exc}")
    if result.returncode != 0 or not marker.exists():
        pytest.skip(f"cannot install {what}: {result.stderr.strip()[-400:]}")


@pytest.fixture(scope="session")
def aws_cli() -> Callable[..., Any]:
    """``aws_cli(endpoint, "dynamodb", "list-tables", ...)`` runs the AWS CLI; returns its parsed output."""
    target = cache_root() / ("awscli-" + AWSCLI.split("==")[1])
    _install(
        target / "awscli" / "__init__.py",
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
            str(target),
            AWSCLI,
        ],
        AWSCLI,
    )
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(target),
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_MAX_ATTEMPTS": "1",
    }

    def run(endpoint: str, *args: str, ok: bool = True) -> Any:
        result = subprocess.run(
            [sys.executable, "-m", "awscli", *args, "--endpoint-url", endpoint, "--output", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        if not ok:
            assert result.returncode != 0
            return result.stderr
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if result.stdout.strip() else None

    return run


@pytest.fixture(scope="session")
def node_sdk() -> Callable[..., dict[str, Any]]:
    """``node_sdk(endpoint, table, *flags)`` runs ``js/sdk_steps.cjs`` with the AWS SDK for JavaScript v3."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js and npm are needed for the AWS SDK for JavaScript test")
    prefix = cache_root() / "aws-sdk-js-v3"
    modules = prefix / "node_modules"
    _install(
        modules / "@aws-sdk" / "client-dynamodb-streams" / "package.json",
        [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), *JS_PACKAGES],
        " and ".join(JS_PACKAGES),
    )

    def run(endpoint: str, table: str, *flags: str) -> dict[str, Any]:
        result = subprocess.run(
            [node, str(STEPS_JS), endpoint, table, *flags],
            capture_output=True,
            text=True,
            env={**os.environ, "NODE_PATH": str(modules)},
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        parsed: dict[str, Any] = json.loads(result.stdout)
        return parsed

    return run


def _table() -> str:
    return f"sdk-{uuid.uuid4().hex[:8]}"


# --- the AWS CLI ---------------------------------------------------------------------------------------


def _cli_create(aws: Callable[..., Any], endpoint: str, table: str) -> Any:
    return aws(
        endpoint,
        "dynamodb",
        "create-table",
        "--table-name",
        table,
        "--attribute-definitions",
        "AttributeName=pk,AttributeType=S",
        "AttributeName=sk,AttributeType=N",
        "--key-schema",
        "AttributeName=pk,KeyType=HASH",
        "AttributeName=sk,KeyType=RANGE",
        "--billing-mode",
        "PAY_PER_REQUEST",
        "--stream-specification",
        "StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES",
    )


def test_aws_cli_create_put_get_query(aws_cli: Callable[..., Any], ddb_server_endpoint: str) -> None:
    table = _table()
    created = _cli_create(aws_cli, ddb_server_endpoint, table)
    assert created["TableDescription"]["TableName"] == table
    item = {"pk": {"S": "a"}, "sk": {"N": "1"}, "blob": {"B": "hello"}}
    aws_cli(ddb_server_endpoint, "dynamodb", "put-item", "--table-name", table, "--item", json.dumps(item))
    got = aws_cli(
        ddb_server_endpoint,
        "dynamodb",
        "get-item",
        "--table-name",
        table,
        "--key",
        '{"pk":{"S":"a"},"sk":{"N":"1"}}',
    )
    # CLI v1 sends a blob argument's text as its bytes, and prints blobs in base64.
    assert got["Item"]["blob"] == {"B": base64.b64encode(b"hello").decode()}
    page = aws_cli(
        ddb_server_endpoint,
        "dynamodb",
        "query",
        "--table-name",
        table,
        "--key-condition-expression",
        "pk = :p",
        "--expression-attribute-values",
        '{":p":{"S":"a"}}',
    )
    assert page["Count"] == 1
    assert "ResourceNotFoundException" in aws_cli(
        ddb_server_endpoint, "dynamodb", "describe-table", "--table-name", table + "-missing", ok=False
    )


def test_aws_cli_disaster_recovery(aws_cli: Callable[..., Any], ddb_server_endpoint: str) -> None:
    """A runbook: create, write, enable PITR, back up, overwrite, restore from the backup and to a point in
    time, compare."""
    table = _table()
    _cli_create(aws_cli, ddb_server_endpoint, table)
    key = '{"pk":{"S":"a"},"sk":{"N":"1"}}'

    def put(value: str) -> None:
        item = {"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"S": value}}
        aws_cli(
            ddb_server_endpoint, "dynamodb", "put-item", "--table-name", table, "--item", json.dumps(item)
        )

    def value_in(name: str) -> Any:
        got = aws_cli(ddb_server_endpoint, "dynamodb", "get-item", "--table-name", name, "--key", key)
        return got["Item"]["v"]["S"]

    put("good")
    aws_cli(
        ddb_server_endpoint,
        "dynamodb",
        "update-continuous-backups",
        "--table-name",
        table,
        "--point-in-time-recovery-specification",
        "PointInTimeRecoveryEnabled=true",
    )
    backup = aws_cli(
        ddb_server_endpoint, "dynamodb", "create-backup", "--table-name", table, "--backup-name", "runbook"
    )["BackupDetails"]["BackupArn"]
    described = aws_cli(ddb_server_endpoint, "dynamodb", "describe-continuous-backups", "--table-name", table)
    good_time = described["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"][
        "LatestRestorableDateTime"
    ]
    time.sleep(1.1)
    put("bad")
    aws_cli(
        ddb_server_endpoint,
        "dynamodb",
        "restore-table-from-backup",
        "--target-table-name",
        f"{table}-from-backup",
        "--backup-arn",
        backup,
    )
    aws_cli(
        ddb_server_endpoint,
        "dynamodb",
        "restore-table-to-point-in-time",
        "--source-table-name",
        table,
        "--target-table-name",
        f"{table}-pitr",
        "--restore-date-time",
        str(good_time),
    )
    assert value_in(table) == "bad"
    assert value_in(f"{table}-from-backup") == "good"
    assert value_in(f"{table}-pitr") == "good"
    listed = aws_cli(ddb_server_endpoint, "dynamodb", "list-backups", "--table-name", table)
    assert [b["BackupArn"] for b in listed["BackupSummaries"]] == [backup]


def test_aws_cli_transaction(aws_cli: Callable[..., Any], ddb_server_endpoint: str) -> None:
    table = _table()
    _cli_create(aws_cli, ddb_server_endpoint, table)
    items = [{"Put": {"TableName": table, "Item": {"pk": {"S": "t"}, "sk": {"N": str(n)}}}} for n in range(3)]
    aws_cli(ddb_server_endpoint, "dynamodb", "transact-write-items", "--transact-items", json.dumps(items))
    page = aws_cli(
        ddb_server_endpoint,
        "dynamodb",
        "query",
        "--table-name",
        table,
        "--key-condition-expression",
        "pk = :p",
        "--expression-attribute-values",
        '{":p":{"S":"t"}}',
    )
    assert page["Count"] == 3


def test_aws_cli_partiql(aws_cli: Callable[..., Any], ddb_server_endpoint: str) -> None:
    table = _table()
    _cli_create(aws_cli, ddb_server_endpoint, table)
    endpoint = ddb_server_endpoint
    insert = f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': ?, 'n': 1}}"
    aws_cli(
        endpoint,
        "dynamodb",
        "execute-statement",
        "--statement",
        insert,
        "--parameters",
        '[{"S":"p"},{"N":"1"}]',
    )
    batch = [{"Statement": insert, "Parameters": [{"S": "p"}, {"N": str(n)}]} for n in (2, 3)]
    answered = aws_cli(endpoint, "dynamodb", "batch-execute-statement", "--statements", json.dumps(batch))
    assert answered["Responses"] == [{"TableName": table}, {"TableName": table}]
    update = f"UPDATE \"{table}\" SET n = n + 1 WHERE pk = 'p' AND sk = ?"
    statements = [{"Statement": update, "Parameters": [{"N": str(n)}]} for n in (1, 2)]
    aws_cli(
        endpoint,
        "dynamodb",
        "execute-transaction",
        "--transact-statements",
        json.dumps(statements),
        "--client-request-token",
        "cli-token",
    )
    select = f"SELECT sk, n FROM \"{table}\" WHERE pk = 'p' ORDER BY sk DESC"
    found = aws_cli(endpoint, "dynamodb", "execute-statement", "--statement", select)
    assert found["Items"] == [
        {"sk": {"N": "3"}, "n": {"N": "1"}},
        {"sk": {"N": "2"}, "n": {"N": "2"}},
        {"sk": {"N": "1"}, "n": {"N": "2"}},
    ]
    assert "DuplicateItemException" in aws_cli(
        endpoint,
        "dynamodb",
        "execute-statement",
        "--statement",
        insert,
        "--parameters",
        '[{"S":"p"},{"N":"1"}]',
        ok=False,
    )


def test_aws_cli_stream_read(aws_cli: Callable[..., Any], ddb_server_endpoint: str) -> None:
    table = _table()
    created = _cli_create(aws_cli, ddb_server_endpoint, table)
    arn = created["TableDescription"]["LatestStreamArn"]
    aws_cli(
        ddb_server_endpoint,
        "dynamodb",
        "put-item",
        "--table-name",
        table,
        "--item",
        '{"pk":{"S":"s"},"sk":{"N":"1"}}',
    )
    stream = aws_cli(ddb_server_endpoint, "dynamodbstreams", "describe-stream", "--stream-arn", arn)
    events = []
    for shard in stream["StreamDescription"]["Shards"]:
        iterator = aws_cli(
            ddb_server_endpoint,
            "dynamodbstreams",
            "get-shard-iterator",
            "--stream-arn",
            arn,
            "--shard-id",
            shard["ShardId"],
            "--shard-iterator-type",
            "TRIM_HORIZON",
        )["ShardIterator"]
        records = aws_cli(ddb_server_endpoint, "dynamodbstreams", "get-records", "--shard-iterator", iterator)
        events += [record["eventName"] for record in records["Records"]]
    assert events == ["INSERT"]


# --- the AWS SDK for JavaScript v3 ---------------------------------------------------------------------


def test_javascript_sdk_create_put_get_query(
    node_sdk: Callable[..., dict[str, Any]], ddb_server_endpoint: str
) -> None:
    out = node_sdk(ddb_server_endpoint, _table())
    assert out["status"] == "ACTIVE"
    assert out["created"] is True
    assert out["blob"] == [0, 1, 255]
    assert out["n"] == "1.5"
    assert out["count"] == 1
    assert out["error"] == {
        "name": "ResourceNotFoundException",
        "message": "Requested resource not found",
        "status": 400,
    }


def test_javascript_sdk_transaction(
    node_sdk: Callable[..., dict[str, Any]], ddb_server_endpoint: str
) -> None:
    out = node_sdk(ddb_server_endpoint, _table(), "--transactions")
    assert out["afterTransaction"] == "2.5"
    assert out["cancelled"] == {"name": "TransactionCanceledException", "codes": ["ConditionalCheckFailed"]}


def test_javascript_sdk_stream_read(
    node_sdk: Callable[..., dict[str, Any]], ddb_server_endpoint: str
) -> None:
    out = node_sdk(ddb_server_endpoint, _table(), "--streams")
    assert [record["event"] for record in out["streamRecords"]] == ["INSERT"]
