"""UpdateTimeToLive and DescribeTimeToLive: the table's TTL attribute, switched on and off.

The setting and the expiring live in ``emu.ttl`` (see ``theorydb_mocks.emulator.ttl``). The change is
ENABLED (or DISABLED) at once, as in DynamoDB Local; the service passes through ENABLING/DISABLING for
up to an hour and refuses a second change meanwhile, which the emulator does not model. Messages are
DynamoDB Local 3.3.0's, except for a missing table: the service's words (the conformance allow-list's
``missing-table-message``).

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html

>>> from theorydb_mocks.emulator import DynamoDBEmulator
>>> emu = DynamoDBEmulator()
>>> _ = emu.dispatch("CreateTable", {"TableName": "tbl", "BillingMode": "PAY_PER_REQUEST",
...     "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
...     "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
>>> emu.dispatch("DescribeTimeToLive", {"TableName": "tbl"})
{'TimeToLiveDescription': {'TimeToLiveStatus': 'DISABLED'}}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error, validation_error
from theorydb_mocks.emulator.operations._registry import operation

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request, Response
    from theorydb_mocks.emulator.catalog import TableState

__all__ = ["M", "describe_time_to_live", "update_time_to_live"]


def _described_table(emu: EmulatorState, name: str) -> TableState:
    """The table, or the service's not-found answer naming it (DescribeTimeToLive's, like DescribeTable's)."""
    try:
        table: TableState = emu.get_table(name)
    except DynamoDBError:
        raise ddb_error("ResourceNotFoundException", M.TABLE_NOT_FOUND.format(name=name)) from None
    return table


@operation("UpdateTimeToLive")
def update_time_to_live(emu: EmulatorState, request: Request) -> Response:
    """Enable or disable TTL on one attribute. Runtime: O(n) to enable (the expiry heap), O(1) to disable."""
    table: TableState = emu.get_table(request["TableName"])  # "Requested resource not found" if missing
    spec = request["TimeToLiveSpecification"]
    enabled = bool(spec["Enabled"])
    attribute = spec["AttributeName"]
    current = emu.ttl.attribute_of(table)
    if current is not None and current != attribute:
        raise validation_error(M.TTL_OTHER_ATTRIBUTE)
    if enabled:
        if current is not None:
            raise validation_error(M.TTL_ALREADY_ENABLED)
        emu.ttl.enable(table, attribute)
    else:
        if current is None:
            raise validation_error(M.TTL_ALREADY_DISABLED)
        emu.ttl.disable(table.name)
    if emu.replication.groups:  # a global table's other replicas follow (global_tables.synchronize)
        from theorydb_mocks.emulator.operations.global_tables import synchronize

        synchronize(emu, table.name, "UpdateTimeToLive", request)
    return {"TimeToLiveSpecification": {"Enabled": enabled, "AttributeName": attribute}}


@operation("DescribeTimeToLive", read_only=True)
def describe_time_to_live(emu: EmulatorState, request: Request) -> Response:
    """The table's TTL status and attribute. Runtime: O(1)."""
    attribute = emu.ttl.attribute_of(_described_table(emu, request["TableName"]))
    if attribute is None:
        return {"TimeToLiveDescription": {"TimeToLiveStatus": "DISABLED"}}
    return {"TimeToLiveDescription": {"TimeToLiveStatus": "ENABLED", "AttributeName": attribute}}
