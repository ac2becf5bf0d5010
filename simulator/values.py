"""Deterministic, realistic statistic values.

Every value is a function of the seed, the statistic, the filters and the 5-second
time bucket. Each value comes from `random.Random(f"{seed}|{name}|{filters}|{bucket}")`
because string seeds give the same sequence in every process, unlike `hash()`. A
frozen clock therefore gives stable values, and a running simulator changes them
every 5 seconds.

Values are consistent with each other: the tenant-wide queue length is the sum of
the queue lengths, and idle + busy + away agents equal the logged-in agents. The
"today" counters grow with the seconds since tenant midnight and so drop to zero at
midnight in the tenant's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import math
import random
from typing import Final
from zoneinfo import ZoneInfo

from simulator.catalogue import QUEUE_ID, RESOURCE_ID, Kind, Statistic
from simulator.directory import AGENTS, QUEUES

BUCKET_SECONDS: Final = 5

# Range of the daily rate, in events per second since tenant midnight, of each
# counter that covers "today". Per-queue and per-agent counters sum to the tenant.
_DAILY_RATES: Final = {
    "interaction-starts-count": (0.02, 0.05),
    "queue-abandons-count": (0.0005, 0.002),
    "abandons-before-queue-count": (0.0003, 0.001),
    "customer-holds-count": (0.003, 0.008),
    "resource-conversation-starts-count": (0.015, 0.04),
    "work-accepted-count": (0.002, 0.006),
}

# Range of the average of each time statistic, in milliseconds.
_AVERAGE_RANGES_MS: Final = {
    "interactions-in-conversation-time": (30_000, 600_000),
    "queue-time": (5_000, 180_000),
    "queue-abandon-time": (10_000, 120_000),
    "conversation-time": (120_000, 540_000),
    "routing-time": (5_000, 60_000),
    "interaction-time": (180_000, 720_000),
    "consult-time": (20_000, 180_000),
    "customer-hold-time": (10_000, 120_000),
    "resource-initiated-customer-hold-time": (10_000, 90_000),
    "resource-handle-time": (120_000, 600_000),
    "resource-talk-time": (90_000, 480_000),
    "resource-wrap-up-time": (15_000, 120_000),
    "resource-hold-time": (10_000, 90_000),
}

_PERCENT_RANGES: Final = {
    "service-level": (60.0, 100.0),
    "calls-answered-percent": (70.0, 99.5),
    "abandon-rate": (0.0, 15.0),
    "customer-satisfaction-score": (60.0, 98.0),
}


@dataclass(frozen=True)
class Filters:
    """Validated filters of one statistic request."""

    queue_id: str | None = None
    resource_id: str | None = None

    def key(self) -> str:
        """Return a stable text form, used in random seeds."""
        parts = []
        if self.queue_id is not None:
            parts.append(f"{QUEUE_ID}={self.queue_id}")
        if self.resource_id is not None:
            parts.append(f"{RESOURCE_ID}={self.resource_id}")
        return "&".join(parts)


@dataclass(frozen=True)
class Moment:
    """The time bucket of a request and the tenant day that contains it."""

    bucket: int
    day_start: datetime
    day_end: datetime

    @classmethod
    def at(cls, now: float, timezone: str) -> Moment:
        """Build the moment for the epoch time `now` in the tenant's time zone."""
        bucket = math.floor(now / BUCKET_SECONDS)
        zone = ZoneInfo(timezone)
        local = datetime.fromtimestamp(bucket * BUCKET_SECONDS, zone)
        day_start = datetime.combine(local.date(), datetime.min.time(), zone)
        next_day = local.date() + timedelta(days=1)
        day_end = datetime.combine(next_day, datetime.min.time(), zone)
        return cls(bucket, day_start, day_end - timedelta(milliseconds=1))

    @property
    def timestamp(self) -> float:
        """Epoch seconds at the start of the bucket."""
        return float(self.bucket * BUCKET_SECONDS)

    @property
    def seconds_since_midnight(self) -> float:
        """Seconds from tenant midnight to the start of the bucket."""
        return self.timestamp - self.day_start.timestamp()

    def query_window(self) -> dict[str, str]:
        """Return the `queryWindow` object: the tenant day in UTC."""
        return {"start": iso_utc(self.day_start), "end": iso_utc(self.day_end)}


def iso_utc(moment: datetime) -> str:
    """Format an aware datetime as UTC ISO 8601 with milliseconds, as the API does."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


class ValueGenerator:
    """Generator of the values of every statistic at one moment."""

    def __init__(self, seed: int, moment: Moment) -> None:
        """Create a generator for `seed` at `moment`."""
        self.seed = seed
        self.moment = moment

    def rng(self, name: str, filters: Filters | str = "") -> random.Random:
        """Return the random generator of `name` with `filters` in this bucket."""
        key = filters.key() if isinstance(filters, Filters) else filters
        return random.Random(f"{self.seed}|{name}|{key}|{self.moment.bucket}")

    def daily_rng(self, name: str, filters: Filters | str = "") -> random.Random:
        """Return a random generator that stays the same for the whole tenant day."""
        key = filters.key() if isinstance(filters, Filters) else filters
        day = self.moment.day_start.date().isoformat()
        return random.Random(f"{self.seed}|{name}|{key}|day {day}")

    def query_time(self, name: str, filters: Filters) -> int:
        """Return the `queryTime` in milliseconds."""
        return self.rng(f"{name}/query-time", filters).randint(3, 250)

    # Point-in-time counts.

    def queue_length(self, queue_id: str | None) -> int:
        """Return the interactions waiting in one queue, or in all queues."""
        if queue_id is None:
            return sum(self.queue_length(queue.id) for queue in QUEUES)
        return self.rng("queue-length", f"{QUEUE_ID}={queue_id}").randint(0, 15)

    def agent_states(self) -> tuple[int, int, int]:
        """Return the idle, busy and away agents. Their sum is the logged-in count."""
        rng = self.rng("resource-states")
        logged_in = rng.randint(8, 40)
        busy = round(logged_in * rng.uniform(0.4, 0.8))
        away = round((logged_in - busy) * rng.uniform(0.0, 0.5))
        return logged_in - busy - away, busy, away

    def routing_count(self) -> int:
        """Return the interactions in routing (IVR)."""
        return self.rng("interactions-in-routing-count").randint(0, 6)

    def daily_count(self, name: str, filters: Filters) -> int:
        """Return a counter that grows from zero at tenant midnight."""
        if name == "queue-abandons-count" and filters.queue_id is None:
            return sum(
                self.daily_count(name, Filters(queue_id=queue.id)) for queue in QUEUES
            )
        if name == "work-accepted-count" and filters.resource_id is None:
            return sum(
                self.daily_count(name, Filters(resource_id=agent.id))
                for agent in AGENTS
            )
        low, high = _DAILY_RATES[name]
        rate = self.daily_rng(name, filters).uniform(low, high)
        return math.floor(rate * self.moment.seconds_since_midnight)

    def count(self, name: str, filters: Filters) -> int:
        """Return the value of a count statistic."""
        if name in _DAILY_RATES:
            return self.daily_count(name, filters)
        idle, busy, away = self.agent_states()
        counts = {
            "resources-logged-in-count": idle + busy + away,
            "resources-idle-count": idle,
            "resources-busy-count": busy,
            "resources-away-count": away,
            # One conversation per busy agent.
            "interactions-in-conversation-count": busy,
            "interactions-in-routing-count": self.routing_count(),
        }
        if name == "queue-length":
            return self.queue_length(filters.queue_id)
        if name == "active-interactions-count":
            return self.queue_length(None) + busy + self.routing_count()
        return counts[name]

    # Times and percentages.

    def time(self, name: str, filters: Filters) -> dict[str, int]:
        """Return count, min, max, total and avg (milliseconds) of a time statistic.

        The values keep min <= avg <= max and total = avg * count.
        """
        rng = self.rng(name, filters)
        low, high = _AVERAGE_RANGES_MS[name]
        if name == "interactions-in-conversation-time":
            count = max(1, self.count("interactions-in-conversation-count", filters))
        else:
            count = rng.randint(1, 250)
        average = rng.randint(low, high)
        if count == 1:
            minimum = maximum = average
        else:
            minimum = round(average * rng.uniform(0.05, 0.6))
            maximum = round(average * rng.uniform(1.5, 4.0))
        return {
            "count": count,
            "min": minimum,
            "max": maximum,
            "total": average * count,
            "avg": average,
        }

    def percent(self, name: str, filters: Filters) -> float:
        """Return the value of a percentage statistic, rounded to 2 decimals."""
        states = {
            "resources-idle-percentage": 0,
            "resources-busy-percentage": 1,
            "resources-away-percentage": 2,
        }
        if name in states:
            counts = self.agent_states()
            return round(100.0 * counts[states[name]] / sum(counts), 2)
        low, high = _PERCENT_RANGES[name]
        return round(self.rng(name, filters).uniform(low, high), 2)

    def results(self, statistic: Statistic, filters: Filters) -> dict[str, object]:
        """Build the `results` object of a count, time or percentage statistic."""
        if statistic.kind is Kind.COUNT:
            values: dict[str, object] = {"count": self.count(statistic.name, filters)}
            unit = "count"
        elif statistic.kind is Kind.TIME:
            values = dict(self.time(statistic.name, filters))
            unit = "millis"
        else:
            values = {"percent": self.percent(statistic.name, filters)}
            unit = "percentage"
        return {**values, "unit": unit, "queryWindow": self.moment.query_window()}


def stringify_numbers(value: object) -> object:
    """Return `value` with every int and float, at any depth, turned into a string."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return {key: stringify_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [stringify_numbers(item) for item in value]
    return value


def stringify_object(body: dict[str, object]) -> dict[str, object]:
    """Return a copy of a JSON object with every number turned into a string."""
    return {key: stringify_numbers(item) for key, item in body.items()}
