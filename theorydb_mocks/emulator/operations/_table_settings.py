"""CreateTable's and UpdateTable's settings kept in ``ControlState``: ``WarmThroughput`` (table and GSIs),
``OnDemandThroughput`` (table and GSIs), ``ResourcePolicy`` and the time of a ``TableClass`` change.

``apply_create_settings`` runs on the new table's record before it joins the catalog, so a refusal leaves no
table behind. ``plan_update_settings`` checks everything before UpdateTable changes anything and returns the
step that applies it.

Warm throughput only goes up (the service refuses a decrease) and is shown as the larger of what was asked
and the default (12,000 reads and 4,000 writes a second, or the provisioned throughput where higher);
a raise shows ``Status`` UPDATING until ``emu.transition_delay`` has passed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.control import ControlState, Policy, backfilling, table_status, warm_of
from theorydb_mocks.emulator.errors import ddb_error, validation_error
from theorydb_mocks.emulator.operations.policies import check_policy_document, new_revision_id

if TYPE_CHECKING:
    from theorydb_mocks.emulator._state import EmulatorState
    from theorydb_mocks.emulator._types import Request
    from theorydb_mocks.emulator.catalog import TableState

__all__ = ["apply_create_settings", "check_changeable", "check_readable", "plan_update_settings"]

_WARM_MEMBERS = (("ReadUnitsPerSecond", "read"), ("WriteUnitsPerSecond", "write"))


def _warm(raw: dict[str, Any] | None, current: dict[str, int] | None) -> dict[str, int] | None:
    """A checked ``WarmThroughput``: at least one member, never below ``current``."""
    if raw is None:
        return None
    if raw.get("ReadUnitsPerSecond") is None and raw.get("WriteUnitsPerSecond") is None:
        raise validation_error(M.WARM_THROUGHPUT_EMPTY)
    asked: dict[str, int] = {}
    for member, which in _WARM_MEMBERS:
        value = raw.get(member)
        if value is None:
            continue
        if current is not None and value < current[member]:
            raise validation_error(
                M.WARM_THROUGHPUT_DECREASE.format(which=which, current=current[member], asked=value)
            )
        asked[member] = int(value)
    return asked


def _on_demand(raw: dict[str, Any] | None, current: dict[str, int] | None) -> dict[str, int] | None:
    """A checked ``OnDemandThroughput`` merged over ``current`` (-1 means no maximum)."""
    if raw is None:
        return None
    merged = dict(current or {})
    for member in ("MaxReadRequestUnits", "MaxWriteRequestUnits"):
        value = raw.get(member)
        if value is None:
            continue
        if value != -1 and value < 1:
            raise validation_error(M.ON_DEMAND_THROUGHPUT_INVALID.format(member=member, value=value))
        merged[member] = int(value)
    return merged


def apply_create_settings(emu: EmulatorState, table: TableState, request: Request) -> None:
    """Check and record CreateTable's warm throughput, on-demand maximums and resource policy."""
    now = emu.clock.now()
    control = ControlState(transitions=emu.transitions)
    control.warm = _warm(request.get("WarmThroughput"), None)
    control.on_demand = _on_demand(request.get("OnDemandThroughput"), None)
    for index in request.get("GlobalSecondaryIndexes") or ():
        warm = _warm(index.get("WarmThroughput"), None)
        if warm:
            control.index_warm[index["IndexName"]] = (warm, now)
        on_demand = _on_demand(index.get("OnDemandThroughput"), None)
        if on_demand is not None:
            table.gsis[index["IndexName"]].on_demand_throughput = on_demand
    policy = request.get("ResourcePolicy")
    if policy is not None:
        check_policy_document(policy, table.arn, confirm_remove_self=True, account_id=emu.account_id)
        control.policies[table.arn] = Policy(policy, new_revision_id(emu, None))
    table.control = control


def check_changeable(table: TableState) -> None:
    """The opt-in lifecycle: a table still CREATING or UPDATING refuses UpdateTable and DeleteTable."""
    status = table_status(table)
    if status == "CREATING":
        raise ddb_error("ResourceInUseException", M.TABLE_BEING_CREATED.format(name=table.name))
    if status == "UPDATING":
        raise ddb_error("ResourceInUseException", M.TABLE_BEING_UPDATED.format(name=table.name))


def check_readable(table: TableState, index: str) -> None:
    """The opt-in lifecycle: a GSI being backfilled cannot be read."""
    state = table.gsis.get(index)
    if state is not None and backfilling(table, state):
        raise validation_error(M.INDEX_BACKFILLING.format(index=index))


def plan_update_settings(emu: EmulatorState, table: TableState, request: Request) -> Callable[[], None]:
    """Check UpdateTable's settings kept in ``control`` and return the step that applies them (and, with
    the opt-in lifecycle, that the table is not still being created or updated)."""
    check_changeable(table)
    control = table.control
    now = emu.clock.now()
    warm = _warm(request.get("WarmThroughput"), warm_of(table))
    on_demand = _on_demand(request.get("OnDemandThroughput"), control.on_demand)
    index_warm: dict[str, dict[str, int]] = {}
    index_on_demand: dict[str, dict[str, int]] = {}
    created = [
        entry["Create"]["IndexName"]
        for entry in request.get("GlobalSecondaryIndexUpdates") or ()
        if entry.get("Create")
    ]
    for entry in request.get("GlobalSecondaryIndexUpdates") or ():
        for action in ("Create", "Update"):
            change = entry.get(action)
            if change is None:
                continue
            name = change["IndexName"]
            existing = warm_of(table, name) if action == "Update" and name in table.gsis else None
            asked = _warm(change.get("WarmThroughput"), existing)
            if asked:
                index_warm[name] = asked
            limits = _on_demand(change.get("OnDemandThroughput"), None)
            if limits is not None:
                index_on_demand[name] = limits
    class_changes = request.get("TableClass") is not None and request["TableClass"] != (
        table.table_class or "STANDARD"
    )

    def apply() -> None:
        control.updated_at = now  # UPDATING for transition_delay (the opt-in lifecycle)
        for name in created:  # a new GSI starts afresh, whatever one of its name had; it backfills
            control.index_warm.pop(name, None)
            control.index_created_at[name] = now
        if warm:
            control.warm = {**(control.warm or {}), **warm}
            control.warm_changed_at = now
        if on_demand is not None:
            control.on_demand = on_demand
        for name, asked in index_warm.items():
            previous = control.index_warm.get(name)
            control.index_warm[name] = ({**(previous[0] if previous else {}), **asked}, now)
        for name, limits in index_on_demand.items():
            if name in table.gsis:
                state = table.gsis[name]
                state.on_demand_throughput = {**(state.on_demand_throughput or {}), **limits}
        if class_changes:
            control.table_class_changed_at = now

    return apply
