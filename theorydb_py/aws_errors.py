"""TableTheory's error mapping functions, at TableTheory's import path (``theorydb_py.aws_errors``).

``map_client_error`` turns a botocore ``ClientError`` into the ORM's error for its code:
``ConditionalCheckFailedException`` -> ``ConditionFailedError``, ``ValidationException`` ->
``ValidationError``, ``ResourceNotFoundException`` -> ``TableNotFoundError`` (a ``NotFoundError``),
``TransactionCanceledException`` -> ``TransactionConditionFailedError`` when a condition failed (a
``ConditionFailedError``), else ``TransactionCanceledError``; anything else -> ``AwsError``.

>>> from botocore.exceptions import ClientError
>>> err = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow"}}, "PutItem")
>>> str(map_client_error(err))
'ThrottlingException: slow'
"""

from __future__ import annotations

from theorydb_py.errors import map_client_error, map_transaction_error

__all__ = ["map_client_error", "map_transaction_error"]
