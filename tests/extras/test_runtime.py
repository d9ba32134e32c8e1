"""Lambda runtime helpers: detection, config, the client cache (keyed by settings) and metrics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from theorydb_py import (
    AwsCallMetric,
    create_lambda_boto3_config,
    get_lambda_boto3_client,
    get_lambda_dynamodb_client,
    get_lambda_kms_client,
    instrument_boto3_client,
    is_lambda_environment,
)
from theorydb_py.runtime import _reset_lambda_clients_for_tests, reset_lambda_clients


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    reset_lambda_clients()
    yield
    _reset_lambda_clients_for_tests()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, False),
        ({"AWS_LAMBDA_FUNCTION_NAME": "fn"}, True),
        ({"AWS_LAMBDA_FUNCTION_NAME": ""}, False),
        ({"AWS_EXECUTION_ENV": "AWS_Lambda_python3.12"}, True),
        ({"AWS_EXECUTION_ENV": "AWS_ECS_FARGATE"}, False),
    ],
)
def test_is_lambda_environment(environ: dict[str, str], expected: bool) -> None:
    assert is_lambda_environment(environ) is expected


def test_lambda_config() -> None:
    config = create_lambda_boto3_config(connect_timeout=0.5, read_timeout=2, max_attempts=5)
    assert (config.connect_timeout, config.read_timeout) == (0.5, 2)
    assert config.retries == {"max_attempts": 5, "mode": "adaptive"}


class Session:
    def __init__(self) -> None:
        self.made: list[tuple[str, Any, Any]] = []

    def client(self, service: str, *, region_name: Any = None, config: Any = None) -> Any:
        self.made.append((service, region_name, config))
        return object()


def test_clients_are_cached_per_service_region_config_and_session() -> None:
    session = Session()
    first = get_lambda_boto3_client("dynamodb", region="eu-west-1", session=session)
    assert get_lambda_boto3_client("dynamodb", region="eu-west-1", session=session) is first
    assert get_lambda_boto3_client("kms", region="eu-west-1", session=session) is not first
    assert get_lambda_boto3_client("dynamodb", region="us-east-1", session=session) is not first
    config = create_lambda_boto3_config()
    tuned = get_lambda_boto3_client("dynamodb", region="eu-west-1", session=session, config=config)
    assert tuned is not first  # TableTheory returned the first client and ignored the config
    assert session.made[-1] == ("dynamodb", "eu-west-1", config)
    assert len(session.made) == 4
    other = Session()
    assert get_lambda_boto3_client("dynamodb", region="eu-west-1", session=other) is not first


def test_default_session_clients_are_real_boto3_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    ddb = get_lambda_dynamodb_client(region="eu-west-1")
    assert ddb.meta.service_model.service_name == "dynamodb" and ddb.meta.region_name == "eu-west-1"
    assert get_lambda_dynamodb_client(region="eu-west-1") is ddb
    kms = get_lambda_kms_client(region="eu-west-1")
    assert kms.meta.service_model.service_name == "kms"


def test_metrics_wrap_the_cached_client() -> None:
    from theorydb_mocks import DynamoDBEmulator

    seen: list[AwsCallMetric] = []

    class EmulatorSession:
        def client(self, service: str, **kwargs: Any) -> Any:
            return DynamoDBEmulator().client()

    client = get_lambda_boto3_client("dynamodb", session=EmulatorSession(), metrics=seen.append)
    assert client.list_tables()["TableNames"] == []
    with pytest.raises(Exception, match=r"ResourceNotFoundException|not found|non-existent"):
        client.describe_table(TableName="missing")
    assert [(m.service, m.operation, m.ok) for m in seen] == [
        ("dynamodb", "list_tables", True),
        ("dynamodb", "describe_table", False),
    ]
    assert all(m.seconds >= 0 for m in seen)


def test_instrument_forwards_non_callables_and_private_names() -> None:
    class Client:
        meta = "meta"

        def _private(self) -> str:
            return "p"

        def ping(self, value: int) -> int:
            return value + 1

    seen: list[AwsCallMetric] = []
    proxy = instrument_boto3_client(Client(), service="svc", on_call=seen.append)
    assert proxy.meta == "meta" and proxy._private() == "p"
    assert proxy.ping(1) == 2
    assert seen == [AwsCallMetric("svc", "ping", seen[0].seconds, True)]
