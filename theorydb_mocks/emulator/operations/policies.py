"""PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy: resource-based policies on tables and
streams.

A policy is kept on the table's catalog record (``ControlState.policies``, keyed by the resource's ARN: the
table's, or one of its streams'), so it goes with the table. Each change gets a new revision id (a
millisecond clock reading, always increasing); putting the same document again is a no-op that answers the
same revision id, as the service documents. ``ExpectedRevisionId`` makes a put or delete conditional: it
must be the current revision id, or ``NO_POLICY`` when the resource has none, else PolicyNotFoundException.
The document must be a JSON policy (a ``Statement`` of statements with ``Effect``, a principal and an
action) of at most 20 KB counting whitespace. A policy that denies ``dynamodb:PutResourcePolicy`` to
everyone or to the account is refused unless ``ConfirmRemoveSelfResourceAccess`` is true. Policies are
recorded and returned, never enforced: the emulator authorises every caller.

CreateTable's ``ResourcePolicy`` attaches a policy to the new table with the same checks.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutResourcePolicy.html

>>> from theorydb_mocks.emulator.core import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> arn = emu.dispatch("CreateTable", {"TableName": "things", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})["TableDescription"]["TableArn"]
>>> doc = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
...        '"Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "dynamodb:GetItem", '
...        '"Resource": "*"}]}')
>>> revision = emu.dispatch("PutResourcePolicy", {"ResourceArn": arn, "Policy": doc})["RevisionId"]
>>> emu.dispatch("GetResourcePolicy", {"ResourceArn": arn})["RevisionId"] == revision
True
"""

from __future__ import annotations

import fnmatch
import json
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.control import Policy
from theorydb_mocks.emulator.errors import ddb_error, validation_error
from theorydb_mocks.emulator.operations._registry import operation

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request, Response
    from theorydb_mocks.emulator.catalog import TableState

__all__ = [
    "MAX_POLICY_BYTES",
    "NO_POLICY",
    "check_policy_document",
    "delete_resource_policy",
    "get_resource_policy",
    "new_revision_id",
    "put_resource_policy",
]

MAX_POLICY_BYTES = 20 * 1024
NO_POLICY = "NO_POLICY"
_VERSIONS = ("2012-10-17", "2008-10-17")


def policy_target(emu: EmulatorState, arn: str, action: str) -> TableState:
    """The table whose record holds the policy of ``arn`` (a table or one of its streams).

    A malformed ARN is invalid; one of another account is refused before any lookup (the service authorises
    first); a well-formed ARN of no table or stream is not found.
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "dynamodb" or not parts[5].startswith("table/"):
        raise validation_error(M.INVALID_RESOURCE_ARN.format(arn=arn))
    if parts[4] != emu.account_id:
        caller = f"arn:aws:iam::{emu.account_id}:root"
        raise ddb_error(
            "AccessDeniedException", M.NOT_AUTHORIZED.format(caller=caller, action=action, arn=arn)
        )
    path = parts[5].split("/")
    if len(path) not in (2, 4) or (len(path) == 4 and path[2] != "stream"):
        raise validation_error(M.INVALID_RESOURCE_ARN.format(arn=arn))
    table = emu.tables.get(path[1]) if parts[3] == emu.region else None
    if table is None or (len(path) == 2 and arn != table.arn):
        raise ddb_error("ResourceNotFoundException", M.POLICY_RESOURCE_NOT_FOUND.format(arn=arn))
    if len(path) == 4:
        stream = emu.streams.streams.get(arn)
        if stream is None or stream.table_name != table.name:
            raise ddb_error("ResourceNotFoundException", M.POLICY_RESOURCE_NOT_FOUND.format(arn=arn))
    return table


def _malformed(reason: str) -> Exception:
    return validation_error(M.POLICY_MALFORMED.format(reason=reason))


def check_policy_document(document: str, arn: str, *, confirm_remove_self: bool, account_id: str) -> None:
    """Refuse a document the service would refuse: too large, not a policy, or locking the owner out."""
    size = len(document.encode("utf-8"))
    if size > MAX_POLICY_BYTES:
        raise validation_error(M.POLICY_TOO_LARGE.format(size=size, limit=MAX_POLICY_BYTES, arn=arn))
    try:
        parsed = json.loads(document)
    except ValueError:
        raise _malformed("the document is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise _malformed("the document must be a JSON object")
    version = parsed.get("Version")
    if version is not None and version not in _VERSIONS:
        raise _malformed(f"the Version {version!r} is not one of {', '.join(_VERSIONS)}")
    statements = parsed.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise _malformed("the document must have a Statement with at least one statement")
    for position, statement in enumerate(statements, 1):
        _check_statement(statement, position)
    if not confirm_remove_self and any(_denies_policy_changes(s, account_id) for s in statements):
        raise validation_error(M.POLICY_REMOVES_SELF_ACCESS)


def _check_statement(statement: Any, position: int) -> None:
    if not isinstance(statement, dict):
        raise _malformed(f"statement {position} is not a JSON object")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise _malformed(f"statement {position} must have an Effect of Allow or Deny")
    if "Principal" not in statement and "NotPrincipal" not in statement:
        raise _malformed(f"statement {position} must name a Principal (a resource policy applies to one)")
    if "Action" not in statement and "NotAction" not in statement:
        raise _malformed(f"statement {position} must have an Action or NotAction")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _denies_policy_changes(statement: dict[str, Any], account_id: str) -> bool:
    """Whether a statement denies PutResourcePolicy to everyone or the account (the self-lockout check; a
    simplification of IAM's evaluation: conditions are not considered)."""
    if statement.get("Effect") != "Deny" or "Action" not in statement or "Condition" in statement:
        return False
    actions = _strings(statement["Action"])
    if not any(fnmatch.fnmatchcase("dynamodb:putresourcepolicy", a.lower()) for a in actions):
        return False
    principal = statement.get("Principal")
    named = _strings(principal.get("AWS")) if isinstance(principal, dict) else _strings(principal)
    everyone = {"*", account_id, f"arn:aws:iam::{account_id}:root"}
    return any(name in everyone for name in named)


def new_revision_id(emu: EmulatorState, previous: Policy | None) -> str:
    """A revision id: the clock in milliseconds, always above the previous one of the resource."""
    revision = int(emu.clock.now() * 1000)
    if previous is not None and previous.revision_id.isdigit():
        revision = max(revision, int(previous.revision_id) + 1)
    return str(revision)


def _check_expected(expected: str | None, current: Policy | None, arn: str) -> None:
    if expected is None:
        return
    if current is None:
        if expected != NO_POLICY:
            raise ddb_error(
                "PolicyNotFoundException", M.POLICY_REVISION_MISMATCH.format(expected=expected, arn=arn)
            )
    elif expected != current.revision_id:
        raise ddb_error(
            "PolicyNotFoundException", M.POLICY_REVISION_MISMATCH.format(expected=expected, arn=arn)
        )


@operation("PutResourcePolicy")
def put_resource_policy(emu: EmulatorState, request: Request) -> Response:
    """Attach or replace the policy of a table or stream. Runtime: O(document)."""
    arn = request["ResourceArn"]
    table = policy_target(emu, arn, "PutResourcePolicy")
    policies = table.control.policies
    current = policies.get(arn)
    _check_expected(request.get("ExpectedRevisionId"), current, arn)
    document = request["Policy"]
    check_policy_document(
        document,
        arn,
        confirm_remove_self=bool(request.get("ConfirmRemoveSelfResourceAccess")),
        account_id=emu.account_id,
    )
    if current is not None and current.document == document:
        return {"RevisionId": current.revision_id}
    policy = Policy(document, new_revision_id(emu, current))
    policies[arn] = policy
    return {"RevisionId": policy.revision_id}


@operation("GetResourcePolicy", read_only=True)
def get_resource_policy(emu: EmulatorState, request: Request) -> Response:
    """The policy of a table or stream, with its revision id. Runtime: O(1)."""
    arn = request["ResourceArn"]
    policy = policy_target(emu, arn, "GetResourcePolicy").control.policies.get(arn)
    if policy is None:
        raise ddb_error("PolicyNotFoundException", M.POLICY_NOT_FOUND.format(arn=arn))
    return {"Policy": policy.document, "RevisionId": policy.revision_id}


@operation("DeleteResourcePolicy")
def delete_resource_policy(emu: EmulatorState, request: Request) -> Response:
    """Remove the policy of a table or stream; answers the revision id it had. Runtime: O(1)."""
    arn = request["ResourceArn"]
    policies = policy_target(emu, arn, "DeleteResourcePolicy").control.policies
    current = policies.get(arn)
    expected = request.get("ExpectedRevisionId")
    if current is None:
        if expected is not None and expected != NO_POLICY:
            raise ddb_error(
                "PolicyNotFoundException", M.POLICY_REVISION_MISMATCH.format(expected=expected, arn=arn)
            )
        raise ddb_error("PolicyNotFoundException", M.POLICY_NOT_FOUND.format(arn=arn))
    _check_expected(expected, current, arn)
    del policies[arn]
    return {"RevisionId": current.revision_id}
