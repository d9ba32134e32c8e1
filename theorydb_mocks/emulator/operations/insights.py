"""UpdateContributorInsights, DescribeContributorInsights and ListContributorInsights.

Contributor insights are switched on and off per table and per GSI and kept on the table's catalog record
(``ControlState.insights``, ``""`` for the table). Enabling answers ENABLING and disabling DISABLING, as the
service does; the status settles to ENABLED or DISABLED once ``emu.transition_delay`` seconds have passed on
the emulator's clock (at once by default). ``ContributorInsightsMode`` is ``ACCESSED_AND_THROTTLED_KEYS``
unless ``THROTTLED_KEYS`` is asked for; the rule list names the CloudWatch Contributor Insights rules the
service would create (partition and sort keys, accessed and throttled; only throttled in that mode). No
CloudWatch data is produced: the settings are recorded, not computed.

ListContributorInsights lists every table and GSI whose insights are not DISABLED, by table then index
name, ``MaxResults`` (at most 100) a page, ``NextToken`` continuing.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/contributorinsights_HowItWorks.html

>>> from theorydb_mocks.emulator.core import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "things", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> answer = emu.dispatch("UpdateContributorInsights", {"TableName": "things",
...     "ContributorInsightsAction": "ENABLE"})
>>> answer["ContributorInsightsStatus"], answer["ContributorInsightsMode"]
('ENABLING', 'ACCESSED_AND_THROTTLED_KEYS')
>>> emu.dispatch("DescribeContributorInsights", {"TableName": "things"})["ContributorInsightsStatus"]
'ENABLED'
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.catalog import timestamp
from theorydb_mocks.emulator.control import Insights
from theorydb_mocks.emulator.errors import ddb_error, validation_error
from theorydb_mocks.emulator.operations._registry import operation
from theorydb_mocks.emulator.operations.tables import _table

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request, Response
    from theorydb_mocks.emulator.catalog import TableState

__all__ = [
    "DEFAULT_MODE",
    "describe_contributor_insights",
    "list_contributor_insights",
    "update_contributor_insights",
]

DEFAULT_MODE = "ACCESSED_AND_THROTTLED_KEYS"
LIST_LIMIT = 100


def _index_key(table: TableState, index: str | None) -> str:
    """The insights key of the table (``""``) or of one of its GSIs (which must exist)."""
    if index is None:
        return ""
    if index not in table.gsis:
        raise ddb_error(
            "ResourceNotFoundException", M.INSIGHTS_INDEX_NOT_FOUND.format(index=index, name=table.name)
        )
    return index


def _current(table: TableState, key: str) -> Insights | None:
    """The table's or a GSI's insights; those of a GSI dropped since are forgotten."""
    insights = table.control.insights
    found = insights.get(key)
    if found is not None and key and key not in table.gsis:
        del insights[key]
        return None
    return found


def _rules(table: TableState, key: str, mode: str, created: float) -> list[str]:
    subject = f"{table.name}-{key}" if key else table.name
    kinds: tuple[str, ...] = ("PKT", "SKT") if mode == "THROTTLED_KEYS" else ("PKC", "PKT", "SKC", "SKT")
    if table.key.range_name is None and not key:
        kinds = tuple(k for k in kinds if not k.startswith("SK"))
    return [f"DynamoDBContributorInsights-{kind}-{subject}-{int(created * 1000)}" for kind in kinds]


@operation("UpdateContributorInsights")
def update_contributor_insights(emu: EmulatorState, request: Request) -> Response:
    """Enable or disable contributor insights on a table or GSI. Runtime: O(1)."""
    table = _table(emu, request["TableName"])
    index = request.get("IndexName")
    key = _index_key(table, index)
    enable = request["ContributorInsightsAction"] == "ENABLE"
    current = _current(table, key)
    mode = request.get("ContributorInsightsMode") or (current.mode if current is not None else DEFAULT_MODE)
    changed = current is None or current.enabled != enable or (enable and current.mode != mode)
    if changed:
        current = Insights(enable, mode, emu.clock.now())
        table.control.insights[key] = current
    assert current is not None
    response: Response = {"TableName": table.name}
    if index is not None:
        response["IndexName"] = index
    # A change answers its transitional status, as the service's answer does; a repeat, the status now.
    transitional = "ENABLING" if enable else "DISABLING"
    response["ContributorInsightsStatus"] = (
        transitional if changed else current.status(table.control.transitions)
    )
    if enable:
        response["ContributorInsightsMode"] = current.mode
    return response


@operation("DescribeContributorInsights", read_only=True)
def describe_contributor_insights(emu: EmulatorState, request: Request) -> Response:
    """The contributor insights of a table or GSI (DISABLED if never enabled). Runtime: O(1)."""
    table = _table(emu, request["TableName"])
    index = request.get("IndexName")
    key = _index_key(table, index)
    current = _current(table, key)
    response: Response = {"TableName": table.name}
    if index is not None:
        response["IndexName"] = index
    if current is None:
        response["ContributorInsightsStatus"] = "DISABLED"
        return response
    status = current.status(table.control.transitions)
    if current.enabled:
        response["ContributorInsightsRuleList"] = _rules(table, key, current.mode, current.changed_at)
    response["ContributorInsightsStatus"] = status
    response["LastUpdateDateTime"] = timestamp(current.changed_at)
    if current.enabled:
        response["ContributorInsightsMode"] = current.mode
    return response


def _decode_token(token: str) -> tuple[str, str]:
    try:
        table, index = json.loads(base64.urlsafe_b64decode(token.encode("ascii")))
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise validation_error(M.INVALID_NEXT_TOKEN.format(token=token)) from None
    if not isinstance(table, str) or not isinstance(index, str):
        raise validation_error(M.INVALID_NEXT_TOKEN.format(token=token))
    return table, index


def _encode_token(position: tuple[str, str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(position)).encode("utf-8")).decode("ascii")


@operation("ListContributorInsights", read_only=True)
def list_contributor_insights(emu: EmulatorState, request: Request) -> Response:
    """Tables and GSIs with contributor insights not DISABLED, a page at a time.

    Runtime: O(tables with insights * log) per page.
    """
    limit = request.get("MaxResults") or LIST_LIMIT
    if limit < 1:  # the model sets no minimum; documented, not measured: taken as no MaxResults, as 0 is
        limit = LIST_LIMIT
    token = request.get("NextToken")
    after = _decode_token(token) if token is not None else None
    if request.get("TableName") is not None:
        tables = [_table(emu, request["TableName"])]
    else:
        tables = [emu.tables[name] for name in sorted(emu.tables) if emu.tables[name].control.insights]
    entries: list[tuple[tuple[str, str], dict[str, Any]]] = []
    for table in tables:
        for key in sorted(table.control.insights):
            current = _current(table, key)
            if current is None:
                continue
            status = current.status(table.control.transitions)
            if status == "DISABLED" or (after is not None and (table.name, key) <= after):
                continue
            summary: dict[str, Any] = {"TableName": table.name}
            if key:
                summary["IndexName"] = key
            summary["ContributorInsightsStatus"] = status
            if current.enabled:
                summary["ContributorInsightsMode"] = current.mode
            entries.append(((table.name, key), summary))
    page = entries[:limit]
    response: Response = {"ContributorInsightsSummaries": [summary for _, summary in page]}
    if len(entries) > limit:
        response["NextToken"] = _encode_token(page[-1][0])
    return response
