"""Definitions of the realtime statistics that the simulator serves.

Names, kinds and filters follow the statistics seen in CxEngage documentation and
in Serenova's public client code (realtime dashboards, agent desktop, JavaScript
SDK). Labels copy the quirks of real catalogues: some start with a space and some
contain "Count of" or "Percentage of".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from simulator.config import CatalogueCasing

QUEUE_ID: Final = "queue-id"
RESOURCE_ID: Final = "resource-id"

# Filter keys seen in client code. Any of them that a statistic does not list in its
# optional filters is rejected with 400. The camelCase spellings are aliases.
KNOWN_FILTER_KEYS: Final = frozenset(
    {
        QUEUE_ID,
        RESOURCE_ID,
        "group-id",
        "skill-id",
        "channelType",
        "direction",
        "generalGroup",
        "generalSkill",
    }
)
FILTER_KEY_ALIASES: Final = {"queueId": QUEUE_ID, "resourceId": RESOURCE_ID}


class Kind(StrEnum):
    """Shape of a statistic's response body."""

    COUNT = "count"
    TIME = "time"
    PERCENT = "percent"
    LIST = "list"


UNITS: Final = {Kind.COUNT: "count", Kind.TIME: "millis", Kind.PERCENT: "percentage"}
TIME_KEYS: Final = ("count", "min", "max", "total", "avg")


@dataclass(frozen=True)
class Statistic:
    """One entry of the statistic catalogue.

    Attributes:
        name: API name, used in URLs and batch items.
        kind: Shape of the response body.
        type: Value of the `type` field in the catalogue.
        label: User-friendly name, quirks included.
        filters: Filter keys the statistic accepts.
        list_key: For list statistics, the key of the array under `results`.

    """

    name: str
    kind: Kind
    type: str
    label: str
    filters: tuple[str, ...] = ()
    list_key: str | None = None

    @property
    def response_keys(self) -> tuple[str, ...]:
        """Keys of `results` that carry the statistic's values."""
        if self.kind is Kind.COUNT:
            return ("count",)
        if self.kind is Kind.TIME:
            return TIME_KEYS
        if self.kind is Kind.PERCENT:
            return ("percent",)
        return (self.list_key or "items",)


# NOTE: Only `interaction-count` was seen as a `type` value. The other type values
# are plausible stand-ins.
_Q = (QUEUE_ID,)
_R = (RESOURCE_ID,)
_C = Kind.COUNT
_T = Kind.TIME
_P = Kind.PERCENT
_L = Kind.LIST

_STATISTICS: Final = (
    # Counts. The "today" counters grow from tenant midnight (see values.py).
    Statistic("queue-length", _C, "interaction-count", "Queue Length", _Q),
    Statistic(
        "interactions-in-conversation-count",
        _C,
        "interaction-count",
        " Interactions in Conversation",
    ),
    Statistic(
        "active-interactions-count", _C, "interaction-count", "Active Interactions"
    ),
    Statistic(
        "interaction-starts-count", _C, "interaction-count", "Total Interactions Today"
    ),
    Statistic(
        "interactions-in-routing-count",
        _C,
        "interaction-count",
        "Count of Interactions in Routing",
    ),
    Statistic(
        "queue-abandons-count", _C, "interaction-count", " Count of Queue Abandons", _Q
    ),
    Statistic("abandons-before-queue-count", _C, "interaction-count", "IVR Abandons"),
    Statistic(
        "customer-holds-count", _C, "interaction-count", "Count of Customer Holds"
    ),
    Statistic("resources-logged-in-count", _C, "resource-count", "Agents Logged In"),
    Statistic("resources-idle-count", _C, "resource-count", "Count of Agents Idle"),
    Statistic("resources-busy-count", _C, "resource-count", "Count of Agents Busy"),
    Statistic("resources-away-count", _C, "resource-count", " Count of Agents Away"),
    Statistic(
        "resource-conversation-starts-count",
        _C,
        "resource-count",
        "Agent Conversation Starts",
    ),
    Statistic("work-accepted-count", _C, "resource-count", "Work Accepted", _R),
    # Times in milliseconds, with count, min, max, total and avg.
    Statistic(
        "interactions-in-conversation-time",
        _T,
        "interaction-time",
        "Interactions in Conversation Time",
    ),
    Statistic("queue-time", _T, "interaction-time", "Queue Time", _Q),
    Statistic("queue-abandon-time", _T, "interaction-time", " Queue Abandon Time", _Q),
    Statistic("conversation-time", _T, "interaction-time", "Conversation Time"),
    Statistic("routing-time", _T, "interaction-time", "Routing Time"),
    Statistic("interaction-time", _T, "interaction-time", "Interaction Time"),
    Statistic("consult-time", _T, "interaction-time", "Consult Time"),
    Statistic("customer-hold-time", _T, "interaction-time", "Customer Hold Time", _R),
    Statistic(
        "resource-initiated-customer-hold-time",
        _T,
        "resource-time",
        "Agent Initiated Customer Hold Time",
        _R,
    ),
    Statistic("resource-handle-time", _T, "resource-time", "Average Handle Time", _R),
    Statistic("resource-talk-time", _T, "resource-time", " Agent Talk Time", _R),
    Statistic("resource-wrap-up-time", _T, "resource-time", "Agent Wrap-Up Time", _R),
    Statistic("resource-hold-time", _T, "resource-time", "Agent Hold Time", _R),
    # Percentages.
    Statistic("service-level", _P, "percentage", "Service Level", _Q),
    Statistic(
        "calls-answered-percent", _P, "percentage", "Percentage of Calls Answered"
    ),
    Statistic("abandon-rate", _P, "percentage", "Abandon Rate", _Q),
    Statistic(
        "resources-idle-percentage", _P, "percentage", "Percentage of Agents Idle"
    ),
    Statistic(
        "resources-busy-percentage", _P, "percentage", " Percentage of Agents Busy"
    ),
    Statistic(
        "resources-away-percentage", _P, "percentage", "Percentage of Agents Away"
    ),
    Statistic(
        "customer-satisfaction-score",
        _P,
        "percentage",
        "Customer Satisfaction Score",
        (QUEUE_ID, RESOURCE_ID),
    ),
    # Lists.
    Statistic(
        "interactions-in-queue-list",
        _L,
        "interaction-list",
        "Interactions in Queue",
        _Q,
        "interactions",
    ),
    Statistic(
        "interactions-in-conversation-list",
        _L,
        "interaction-list",
        "Interactions in Conversation",
        list_key="interactions",
    ),
    Statistic(
        "interactions-in-routing-list",
        _L,
        "interaction-list",
        "Interactions in Routing",
        list_key="interactions",
    ),
    Statistic("queue-details-list", _L, "queue-list", "Queue Details", _Q, "details"),
    # Also served per agent at /v1/tenants/{t}/users/{id}/realtime-statistics/.
    Statistic(
        "resource-capacity",
        _L,
        "resource-list",
        "Agent Capacity",
        list_key="resourceCapacity",
    ),
)

STATISTICS: Final = {statistic.name: statistic for statistic in _STATISTICS}


def available_body(casing: CatalogueCasing) -> dict[str, object]:
    """Build the body of `GET .../realtime-statistics/available`.

    Args:
        casing: "camel" for `userFriendlyName`, `optionalFilters` and
            `responseKeys`, "kebab" for `user-friendly-name`, `optional-filters` and
            `response-keys`.

    """
    if casing == "kebab":
        label_key, filters_key, keys_key = (
            "user-friendly-name",
            "optional-filters",
            "response-keys",
        )
    else:
        label_key, filters_key, keys_key = (
            "userFriendlyName",
            "optionalFilters",
            "responseKeys",
        )

    # NOTE: The values inside responseKeys were never seen. Each key maps to itself.
    return {
        statistic.name: {
            "name": statistic.name,
            "type": statistic.type,
            label_key: statistic.label,
            filters_key: list(statistic.filters),
            keys_key: {key: key for key in statistic.response_keys},
        }
        for statistic in _STATISTICS
    }
