"""AWS Lambda helpers: detect Lambda, a client config for it, cached clients, and per-call metrics.

Lambda reuses a process between invocations, so clients made once (at the first invocation) save the
connection and credential set-up on every later one. ``get_lambda_boto3_client`` keeps one client per
service, region, config and session; ``instrument_boto3_client`` wraps a client so every call reports an
``AwsCallMetric`` (service, operation, seconds, ok) to a callback of yours.

>>> is_lambda_environment({"AWS_LAMBDA_FUNCTION_NAME": "checkout"})
True
>>> create_lambda_boto3_config().retries
{'max_attempts': 3, 'mode': 'adaptive'}
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from botocore.config import Config

__all__ = [
    "AwsCallMetric",
    "create_lambda_boto3_config",
    "get_lambda_boto3_client",
    "get_lambda_dynamodb_client",
    "get_lambda_kms_client",
    "instrument_boto3_client",
    "is_lambda_environment",
    "reset_lambda_clients",
]


@dataclass(frozen=True, slots=True)
class AwsCallMetric:
    """One call through an instrumented client: ``operation`` is the Python method name (``put_item``)."""

    service: str
    operation: str
    seconds: float
    ok: bool


def is_lambda_environment(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the process runs in AWS Lambda (``AWS_LAMBDA_FUNCTION_NAME`` set, or an ``AWS_Lambda``
    execution environment)."""
    return bool(environ.get("AWS_LAMBDA_FUNCTION_NAME")) or "AWS_Lambda" in environ.get(
        "AWS_EXECUTION_ENV", ""
    )


def create_lambda_boto3_config(
    *, connect_timeout: float = 1.0, read_timeout: float = 3.0, max_attempts: int = 3
) -> Config:
    """A botocore ``Config`` for Lambda: short timeouts (a hung connection must not eat the invocation's
    time) and adaptive retries."""
    return Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"max_attempts": max_attempts, "mode": "adaptive"},
    )


class _InstrumentedClient:
    """Forwards everything to the client; public methods are timed and reported."""

    def __init__(self, client: Any, service: str, on_call: Callable[[AwsCallMetric], None]) -> None:
        self._client = client
        self._service = service
        self._on_call = on_call

    def __repr__(self) -> str:
        return f"<instrumented {self._service} client {self._client!r}>"

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._client, name)
        if name.startswith("_") or not callable(target):
            return target

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.monotonic()
            ok = False
            try:
                result = target(*args, **kwargs)
                ok = True
                return result
            finally:
                self._on_call(AwsCallMetric(self._service, name, time.monotonic() - started, ok))

        timed.__name__ = name
        return timed


def instrument_boto3_client(client: Any, *, service: str, on_call: Callable[[AwsCallMetric], None]) -> Any:
    """A proxy of ``client`` whose every public method call reports an ``AwsCallMetric`` to ``on_call``
    (failed calls too, with ``ok=False``; the exception still propagates)."""
    return _InstrumentedClient(client, service, on_call)


_lock = threading.Lock()
# (service, region, id(config), id(session)) -> (client, config, session): config and session are kept
# alive with the client so their ids cannot be reused by other objects.
_clients: dict[tuple[str, str | None, int, int], tuple[Any, Any, Any]] = {}


def get_lambda_boto3_client(
    service: str,
    *,
    region: str | None = None,
    config: Config | None = None,
    session: Any = None,
    metrics: Callable[[AwsCallMetric], None] | None = None,
) -> Any:
    """A boto3 client for ``service``, made once per process for each region, config and session (a call
    with another config or session gets its own client; TableTheory silently returned the first one).
    ``metrics`` wraps the cached client with ``instrument_boto3_client``. Thread-safe."""
    key = (service, region, id(config), id(session))
    with _lock:
        cached = _clients.get(key)
        if cached is None:
            if session is None:
                import boto3

                made_session: Any = boto3.session.Session(region_name=region)
            else:
                made_session = session
            client = made_session.client(service, region_name=region, config=config)
            cached = (client, config, session)
            _clients[key] = cached
    client = cached[0]
    return client if metrics is None else instrument_boto3_client(client, service=service, on_call=metrics)


def get_lambda_dynamodb_client(
    *,
    region: str | None = None,
    config: Config | None = None,
    metrics: Callable[[AwsCallMetric], None] | None = None,
) -> Any:
    """``get_lambda_boto3_client("dynamodb", ...)``."""
    return get_lambda_boto3_client("dynamodb", region=region, config=config, metrics=metrics)


def get_lambda_kms_client(
    *,
    region: str | None = None,
    config: Config | None = None,
    metrics: Callable[[AwsCallMetric], None] | None = None,
) -> Any:
    """``get_lambda_boto3_client("kms", ...)``."""
    return get_lambda_boto3_client("kms", region=region, config=config, metrics=metrics)


def reset_lambda_clients() -> None:
    """Forget every cached client (for tests that change the environment between cases)."""
    with _lock:
        _clients.clear()


_reset_lambda_clients_for_tests = reset_lambda_clients  # TableTheory's name, used by its tests
