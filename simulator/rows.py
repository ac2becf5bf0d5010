"""Rows of the list statistics (`*-list` and `resource-capacity`).

Row counts match the count statistics of the same moment: the interactions-in-queue
list of a queue has `queue-length` rows, and `queue-details-list` repeats the
per-queue queue length, service level, abandons and average queue time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final
import uuid

from simulator.directory import AGENTS, AGENTS_BY_ID, QUEUES, QUEUES_BY_ID, Queue
from simulator.values import Filters, ValueGenerator, iso_utc

if TYPE_CHECKING:
    import random

    from simulator.directory import Agent

# Channel, flow name, contact point, and weight of each simulated channel type.
_CHANNELS: Final = (
    ("voice", "Inbound Voice", "+18005550100", 6),
    ("email", "Inbound Email", "support@example.com", 2),
    ("messaging", "Web Chat", "Website chat", 1),
    ("sms", "Inbound SMS", "+18005550199", 1),
    ("work-item", "Work Items", "Work item", 1),
)
_DIRECTIONS: Final = (("inbound", 8), ("outbound", 1), ("agent-initiated", 1))


def _choose[T](rng: random.Random, options: tuple[tuple[T, int], ...]) -> T:
    """Pick one value of (value, weight) pairs."""
    values = [value for value, _ in options]
    weights = [weight for _, weight in options]
    return rng.choices(values, weights)[0]


def _customer(rng: random.Random, channel: str) -> str:
    if channel in {"voice", "sms"}:
        return f"+1555{rng.randint(0, 9_999_999):07d}"
    if channel == "email":
        return f"customer{rng.randint(1, 9999)}@example.org"
    return f"Visitor {rng.randint(1, 9999)}"


def _interaction_row(
    rng: random.Random, now: float, queue: Queue | None, max_duration_ms: int
) -> dict[str, object]:
    """Build one row of an interactions list, with the fields seen in client code."""
    channel, flow_name, contact_point, _ = rng.choices(
        _CHANNELS, [weight for *_, weight in _CHANNELS]
    )[0]
    state_duration = rng.randint(1_000, max_duration_ms)
    started = now - (state_duration + rng.randint(5_000, 120_000)) / 1000
    vip = queue is not None and queue.name == "VIP Care"
    return {
        "interactionId": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "flowName": flow_name,
        "channelType": channel,
        "direction": _choose(rng, _DIRECTIONS),
        "customer": _customer(rng, channel),
        "contactPoint": contact_point,
        "startTimestamp": iso_utc(datetime.fromtimestamp(started, UTC)),
        "currentStateDuration": state_duration,
        "queueName": None if queue is None else queue.name,
        "avgTimeToAnswer": rng.randint(5_000, 90_000),
        "customAttributes": {"priority": "high"} if vip else {},
    }


def interactions_in_queue(values: ValueGenerator, filters: Filters) -> list[object]:
    """Build the rows of `interactions-in-queue-list`."""
    queues = QUEUES if filters.queue_id is None else (QUEUES_BY_ID[filters.queue_id],)
    now = values.moment.timestamp
    rows: list[object] = []
    for queue in queues:
        rng = values.rng("interactions-in-queue-list", f"queue-id={queue.id}")
        rows.extend(
            _interaction_row(rng, now, queue, 600_000)
            for _ in range(values.queue_length(queue.id))
        )
    return rows


def interactions_in_conversation(values: ValueGenerator) -> list[object]:
    """Build the rows of `interactions-in-conversation-list`."""
    rng = values.rng("interactions-in-conversation-list")
    now = values.moment.timestamp
    _, busy, _ = values.agent_states()
    return [
        _interaction_row(rng, now, rng.choice(QUEUES), 900_000) for _ in range(busy)
    ]


def interactions_in_routing(values: ValueGenerator) -> list[object]:
    """Build the rows of `interactions-in-routing-list`, which have no queue yet."""
    rng = values.rng("interactions-in-routing-list")
    now = values.moment.timestamp
    count = values.routing_count()
    return [_interaction_row(rng, now, None, 60_000) for _ in range(count)]


def queue_details(values: ValueGenerator, filters: Filters) -> list[object]:
    """Build the rows of `queue-details-list`, one per queue."""
    queues = QUEUES if filters.queue_id is None else (QUEUES_BY_ID[filters.queue_id],)
    rows: list[object] = []
    for queue in queues:
        queue_filter = Filters(queue_id=queue.id)
        rows.append(
            {
                "queueName": queue.name,
                "serviceLevel": values.percent("service-level", queue_filter),
                "abandonCount": values.count("queue-abandons-count", queue_filter),
                "queueLength": values.queue_length(queue.id),
                "avgQueueDuration": values.time("queue-time", queue_filter)["avg"],
            }
        )
    return rows


def resource_capacity(values: ValueGenerator, filters: Filters) -> list[object]:
    """Build the rows of `resource-capacity`: one per online agent.

    NOTE: The row fields of this statistic were never seen. `resourceId`,
    `agentName`, `capacity` and `load` are plausible stand-ins.
    """
    agents: tuple[Agent, ...] = AGENTS
    if filters.resource_id is not None:
        agents = (AGENTS_BY_ID[filters.resource_id],)
    rows: list[object] = []
    for agent in agents:
        if agent.state == "offline":
            continue
        rng = values.rng("resource-capacity", f"resource-id={agent.id}")
        capacity = rng.randint(1, 4)
        rows.append(
            {
                "resourceId": agent.id,
                "agentName": agent.full_name,
                "capacity": capacity,
                "load": rng.randint(0, capacity),
            }
        )
    return rows
