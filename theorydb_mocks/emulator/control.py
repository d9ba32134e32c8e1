"""What the control plane records about a table beyond its schema, and how those settings settle.

``ControlState`` lives on the table's catalog record (``TableState.control``), so it goes when the table
goes, snapshots put it back (they copy catalog records) and the server's journal rebuilds it by replaying the
requests that set it. It holds the table's resource policies (the table's and its streams'), contributor
insights (the table's and each GSI's), Kinesis streaming destinations, warm throughput and on-demand
maximums, and when the table class last changed.

A setting that the service applies in the background (contributor insights ENABLING, a destination
ENABLING, warm throughput UPDATING) records *when* it changed; its status is read off the emulator's clock:
transitional until ``emu.transition_delay`` seconds have passed, then settled. The delay is 0 by default, so
everything is settled at once and tests stay instant; ``DynamoDBEmulator(transition_delay=30)`` (or setting
the attribute; the server's ``--transition-delay``) makes pollers such as Terraform's wait for it.

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput.html

>>> settled(10.0, now=10.5, delay=1.0), settled(10.0, now=11.0, delay=1.0), settled(10.0, now=10.0, delay=0)
(False, True, True)
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from theorydb_mocks.emulator.clock import Clock

if TYPE_CHECKING:
    from theorydb_mocks.emulator.catalog import IndexState, TableState

__all__ = [
    "DEFAULT_WARM_READ",
    "DEFAULT_WARM_WRITE",
    "ControlState",
    "Destination",
    "Insights",
    "Policy",
    "Transitions",
    "backfilling",
    "describe_index_extras",
    "describe_table_extras",
    "index_status",
    "journal_requests",
    "kms_key_arn",
    "settled",
    "table_status",
    "warm_of",
]

# The warm throughput the service shows for a new on-demand table or GSI (read and write units per second).
DEFAULT_WARM_READ = 12000
DEFAULT_WARM_WRITE = 4000


def settled(since: float, *, now: float, delay: float) -> bool:
    """Whether a change made at ``since`` has finished on a clock reading ``now`` (``delay`` seconds)."""
    return now >= since + delay


class Transitions:
    """The emulator's clock and how long background changes take (``delay`` seconds, settable).

    Shared, never copied: a snapshot's copy of a table's settings keeps pointing at the emulator's own.
    """

    __slots__ = ("clock", "delay", "table_lifecycle")

    def __init__(self, clock: Clock, delay: float = 0.0, *, table_lifecycle: bool = False) -> None:
        if not delay >= 0:
            raise ValueError(f"transition_delay must be 0 or more seconds, not {delay!r}")
        self.clock = clock
        self.delay = float(delay)
        self.table_lifecycle = table_lifecycle  # tables and GSIs CREATING/UPDATING for ``delay`` too

    def __repr__(self) -> str:
        lifecycle = " table-lifecycle" if self.table_lifecycle else ""
        return f"<Transitions delay={self.delay}s{lifecycle}>"

    @property
    def lifecycle(self) -> bool:
        """Whether tables and GSIs go through CREATING/UPDATING (opted in, with a delay)."""
        return self.table_lifecycle and self.delay > 0

    def __deepcopy__(self, memo: dict[int, Any]) -> Transitions:
        return self

    def settled(self, since: float) -> bool:
        return settled(since, now=self.clock.now(), delay=self.delay)


_INSTANT = Transitions(Clock(), 0.0)  # for a table made without an emulator's transitions


@dataclass(slots=True)
class Policy:
    """A resource-based policy: the document as given (whitespace and all) and its revision id."""

    document: str
    revision_id: str


@dataclass(slots=True)
class Insights:
    """Contributor insights of the table or one GSI: what was last asked, and when."""

    enabled: bool
    mode: str
    changed_at: float

    def status(self, transitions: Transitions) -> str:
        done = transitions.settled(self.changed_at)
        if self.enabled:
            return "ENABLED" if done else "ENABLING"
        return "DISABLED" if done else "DISABLING"


@dataclass(slots=True)
class Destination:
    """One Kinesis streaming destination: whether it is wanted, its timestamp precision, when it changed.

    ``action`` is what last happened (``enable``, ``update`` or ``disable``); the status follows from it and
    the clock. A disabled destination stays listed, DISABLED, as the service lists it.
    """

    stream_arn: str
    action: str
    precision: str
    changed_at: float

    def status(self, transitions: Transitions) -> str:
        done = transitions.settled(self.changed_at)
        if self.action == "disable":
            return "DISABLED" if done else "DISABLING"
        if self.action == "update":
            return "ACTIVE" if done else "UPDATING"
        return "ACTIVE" if done else "ENABLING"

    def delivering(self, transitions: Transitions) -> bool:
        """Whether changes made now reach the stream (from the moment it is ACTIVE until it is disabled)."""
        return self.status(transitions) in ("ACTIVE", "UPDATING")


@dataclass(slots=True)
class ControlState:
    """The per-table control-plane settings (see the module docstring). Index-keyed maps use ``""`` for
    the table itself."""

    policies: dict[str, Policy] = field(default_factory=dict)  # resource ARN -> policy
    insights: dict[str, Insights] = field(default_factory=dict)  # "" or GSI name -> insights
    destinations: dict[str, Destination] = field(default_factory=dict)  # Kinesis stream ARN -> destination
    warm: dict[str, int] | None = None  # the table's warm throughput asked for (None: the default)
    warm_changed_at: float | None = None
    index_warm: dict[str, tuple[dict[str, int], float]] = field(default_factory=dict)
    on_demand: dict[str, int] | None = None  # the table's OnDemandThroughput, once set
    table_class_changed_at: float | None = None
    updated_at: float | None = None  # the last UpdateTable that changes the table's status
    index_created_at: dict[str, float] = field(default_factory=dict)  # GSIs added by UpdateTable
    transitions: Transitions = _INSTANT


def table_status(table: TableState) -> str:
    """The table's status now. With the opt-in lifecycle (``table_lifecycle=True`` and a
    ``transition_delay``): CREATING until the delay has passed since CreateTable, UPDATING for as long after
    an UpdateTable; else what the catalog says (ACTIVE at once)."""
    status = table.status
    transitions = table.control.transitions
    if status != "ACTIVE" or not transitions.lifecycle:
        return status
    if not transitions.settled(table.creation_time):
        return "CREATING"
    updated = table.control.updated_at
    if updated is not None and not transitions.settled(updated):
        return "UPDATING"
    return status


def index_status(table: TableState, index: IndexState) -> str:
    """A GSI's status now: CREATING with its table, or until ``transition_delay`` has passed since
    UpdateTable added it (backfilling), else what the catalog says."""
    status = index.status
    transitions = table.control.transitions
    if status != "ACTIVE" or not transitions.lifecycle:
        return status
    if not transitions.settled(table.creation_time):
        return "CREATING"
    added = table.control.index_created_at.get(index.spec.name)
    if added is not None and not transitions.settled(added):
        return "CREATING"
    return status


def backfilling(table: TableState, index: IndexState) -> bool:
    """Whether a CREATING GSI is still being backfilled (one that UpdateTable added, for its delay)."""
    added = table.control.index_created_at.get(index.spec.name)
    transitions = table.control.transitions
    return added is not None and transitions.lifecycle and not transitions.settled(added)


def _warm_default(table: TableState, throughput: dict[str, int] | None) -> dict[str, int]:
    """The warm throughput a table or GSI starts with: the on-demand defaults, or its provisioned
    throughput where that is higher."""
    read, write = DEFAULT_WARM_READ, DEFAULT_WARM_WRITE
    if table.billing_mode == "PROVISIONED" and throughput is not None:
        read = max(read, throughput["ReadCapacityUnits"])
        write = max(write, throughput["WriteCapacityUnits"])
    return {"ReadUnitsPerSecond": read, "WriteUnitsPerSecond": write}


def warm_of(table: TableState, index: str | None = None) -> dict[str, int]:
    """The warm throughput (read and write units per second) of the table or one of its GSIs now."""
    control = table.control
    if index is None:
        base = _warm_default(table, table.provisioned_throughput)
        asked = control.warm
    else:
        base = _warm_default(table, table.gsis[index].provisioned_throughput)
        found = control.index_warm.get(index)
        asked = found[0] if found is not None else None
    if asked:
        return {key: max(base[key], asked.get(key, 0)) for key in base}
    return base


def describe_table_extras(table: TableState, desc: dict[str, Any]) -> None:
    """Add what ``control`` contributes to a ``TableDescription``: table class change time, on-demand
    maximums, warm throughput."""
    control = table.control
    summary = desc.get("TableClassSummary")
    if summary is not None and control.table_class_changed_at is not None:
        from theorydb_mocks.emulator.catalog import timestamp

        summary["LastUpdateDateTime"] = timestamp(control.table_class_changed_at)
    if control.on_demand is not None:
        desc["OnDemandThroughput"] = dict(control.on_demand)
    status = table_status(table)
    desc["TableStatus"] = status
    warm: dict[str, Any] = warm_of(table)
    if status in ("CREATING", "DELETING"):
        warm["Status"] = status
    elif control.warm_changed_at is not None and not control.transitions.settled(control.warm_changed_at):
        warm["Status"] = "UPDATING"
    else:
        warm["Status"] = "ACTIVE"
    desc["WarmThroughput"] = warm


def describe_index_extras(table: TableState, index: IndexState, desc: dict[str, Any]) -> None:
    """Add a GSI's ``WarmThroughput`` (read, write, status) to its description."""
    name = index.spec.name
    if name not in table.gsis:  # a GSI being dropped is described without it
        return
    warm: dict[str, Any] = warm_of(table, name)
    found = table.control.index_warm.get(name)
    status = index_status(table, index)
    if status in ("CREATING", "DELETING"):
        warm["Status"] = status
    elif found is not None and not table.control.transitions.settled(found[1]):
        warm["Status"] = "UPDATING"
    else:
        warm["Status"] = "ACTIVE"
    desc["WarmThroughput"] = warm


def kms_key_arn(table_arn: str, key: str | None) -> str:
    """The ``KMSMasterKeyArn`` of a table: the key's ARN in the table's region and account.

    A key id becomes ``arn:aws:kms:<region>:<account>:key/<id>``, an alias name ``...:alias/<name>`` (the
    service would resolve it to its key; the emulator has no KMS), an ARN stays as given; without a key it
    is the account's AWS managed key (``aws/dynamodb``), whose id is stable per account and region.

    >>> kms_key_arn("arn:aws:dynamodb:eu-west-1:111122223333:table/t", "alias/orders")
    'arn:aws:kms:eu-west-1:111122223333:alias/orders'
    >>> kms_key_arn("arn:aws:dynamodb:eu-west-1:111122223333:table/t", "1234abcd-12ab")
    'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab'
    """
    _, partition, _, region, account, _ = table_arn.split(":", 5)
    if key is not None and key.startswith("arn:"):
        return key
    if key is None:
        key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"aws/dynamodb:{account}:{region}"))
    kind = "" if key.startswith("alias/") else "key/"
    return f"arn:{partition}:kms:{region}:{account}:{kind}{key}"


def journal_requests(table: TableState) -> list[tuple[float, str, dict[str, Any]]]:
    """The requests that rebuild the table's policies and contributor insights, each with the clock reading
    to replay it at (a policy's revision id is its millisecond time, so replaying at it keeps the id).

    The server's compaction writes them after the table's ``CreateTable``, whose request carries the warm
    and on-demand throughput from the description.
    """
    control = table.control
    requests: list[tuple[float, str, dict[str, Any]]] = []
    for arn, policy in control.policies.items():
        at = int(policy.revision_id) / 1000 if policy.revision_id.isdigit() else 0.0
        request = {"ResourceArn": arn, "Policy": policy.document, "ConfirmRemoveSelfResourceAccess": True}
        requests.append((at, "PutResourcePolicy", request))
    for key, insights in control.insights.items():
        if insights.enabled and (not key or key in table.gsis):
            request = {"TableName": table.name, "ContributorInsightsAction": "ENABLE"}
            if key:
                request["IndexName"] = key
            request["ContributorInsightsMode"] = insights.mode
            requests.append((insights.changed_at, "UpdateContributorInsights", request))
    for destination in control.destinations.values():
        if destination.action != "disable":  # a disabled destination is not rebuilt (nor listed after)
            precision = {"ApproximateCreationDateTimePrecision": destination.precision}
            request = {
                "TableName": table.name,
                "StreamArn": destination.stream_arn,
                "EnableKinesisStreamingConfiguration": precision,
            }
            requests.append((destination.changed_at, "EnableKinesisStreamingDestination", request))
    return requests
