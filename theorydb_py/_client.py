"""Calling the DynamoDB client: one place where botocore errors become the ORM's errors."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

from theorydb_py.errors import AwsError, ValidationError, map_client_error

__all__ = ["call", "default_client"]


def default_client(service: str = "dynamodb") -> Any:
    """A boto3 client from the environment's configuration, made only when first needed."""
    import boto3

    return boto3.client(service)


def call(client: Any, operation: str, request: dict[str, Any]) -> dict[str, Any]:
    """``client.<operation>(**request)``, every botocore error mapped (kept as __cause__)."""
    try:
        response: dict[str, Any] = getattr(client, operation)(**request)
    except ClientError as exc:
        raise map_client_error(exc) from exc
    except ParamValidationError as exc:
        raise ValidationError(str(exc), code="ParamValidationError") from exc
    except BotoCoreError as exc:
        raise AwsError(str(exc), code=type(exc).__name__) from exc
    return response
