"""Tags, DescribeLimits and DescribeEndpoints against DynamoDB Local.

DynamoDB Local implements DescribeLimits (compared as usual) but neither tagging nor DescribeEndpoints: those
calls are compared through the ``local-without-tagging`` quirk, which accepts only Local's refusal against a
real answer from the emulator (whose content tests/emulator/test_tags.py pins), even a malformed request:
Local refuses the operation before it reads the request.
"""

from __future__ import annotations

from typing import Any

from tests.conformance.harness import Differential, table_spec

ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/"


def _arn(diff: Differential, logical: str) -> tuple[str, str]:
    """The table's ARN on each backend (the request carries the ARN, which the harness does not map)."""
    local, emu = diff.each(lambda client, name_of: client.describe_table(TableName=name_of(logical)))
    local_arn = local["Table"]["TableArn"]
    return local_arn, (emu["Table"]["TableArn"] if emu is not None else local_arn)


def test_describe_limits(diff: Differential) -> None:
    diff.call("describe_limits", expect="ok")


def test_describe_endpoints(diff: Differential) -> None:
    diff.call("describe_endpoints", expect="UnknownOperationException")


def test_tagging_is_answered(diff: Differential) -> None:
    diff.create_table(setup=True, **table_spec("t"))
    local_arn, emu_arn = _arn(diff, "t")

    def each(op: str, **request: Any) -> None:
        def run(client: Any, name_of: Any) -> Any:
            arn = local_arn if client is diff.local else emu_arn
            try:
                return getattr(client, op)(ResourceArn=arn, **request).get("Tags", "ok")
            except Exception as err:
                return getattr(err, "response", {}).get("Error", {}).get("Code")

        local, emu = diff.each(run)
        assert local == "UnknownOperationException"
        if emu is not None:
            assert emu != "UnknownOperationException"

    each("tag_resource", Tags=[{"Key": "k", "Value": "v"}])
    each("list_tags_of_resource")
    each("untag_resource", TagKeys=["k"])


def test_tagging_refusals(diff: Differential) -> None:
    diff.call("tag_resource", expect="UnknownOperationException", ResourceArn=ARN + "x", Tags=[])
    diff.call(
        "untag_resource", expect="UnknownOperationException", ResourceArn=ARN + "x", TagKeys=["k" * 129]
    )
    diff.call("list_tags_of_resource", expect="UnknownOperationException", ResourceArn=ARN + "x")
