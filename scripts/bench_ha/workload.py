"""The N tracked statistics of a benchmark run, and the same set as `rest:` YAML."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from simulator import QUEUE_IDS, STATISTICS, Kind

if TYPE_CHECKING:
    from collections.abc import Sequence

# Statistics tracked for every queue once the tenant-wide ones are used up: a large
# tenant has many queues and watches a few statistics of each.
QUEUE_STATISTICS: Final = (
    "queue-length",
    "queue-time",
    "service-level",
    "queue-abandons-count",
    "abandon-rate",
)

# Key of `results` that a user's value_template reads, by kind of statistic.
_VALUE_KEYS: Final = {Kind.COUNT: "count", Kind.TIME: "avg", Kind.PERCENT: "percent"}


@dataclass(frozen=True, slots=True)
class TrackedStatistic:
    """One statistic with its optional queue filter."""

    statistic: str
    queue_id: str | None = None

    @property
    def kind(self) -> Kind:
        """The shape of the statistic's value."""
        return STATISTICS[self.statistic].kind

    def to_option(self) -> dict[str, str]:
        """Return the item that the integration stores in its entry options."""
        item = {"statistic": self.statistic}
        if self.queue_id is not None:
            item["queue-id"] = self.queue_id
        return item

    def path(self, tenant_id: str) -> str:
        """Return the URL path and query of the statistic's single GET."""
        path = f"/v1/tenants/{tenant_id}/realtime-statistics/{self.statistic}"
        if self.queue_id is not None:
            path += f"?queue-id={self.queue_id}"
        return path


def generated_queue_id(index: int) -> str:
    """Return the id of the generated queue number `index` (0-based), a UUID."""
    return f"b3e5c7a9-0d1f-4e2a-8b3c-{index:012d}"


def tenant_wide_statistics() -> list[TrackedStatistic]:
    """Return every unfiltered count, time and percentage statistic, kinds mixed.

    The kinds alternate (count, time, percentage, count, ...) so that a small N
    still tracks every kind. List statistics are left out: their bodies carry rows,
    and their size would depend on the simulated queue lengths.
    """
    by_kind = {
        kind: [name for name, stat in STATISTICS.items() if stat.kind is kind]
        for kind in _VALUE_KEYS
    }
    mixed: list[TrackedStatistic] = []
    while any(by_kind.values()):
        mixed.extend(
            TrackedStatistic(names.pop(0)) for names in by_kind.values() if names
        )
    return mixed


def queue_ids(count: int) -> list[str]:
    """Return `count` queue ids: the simulator's own queues, then generated ones."""
    ids = list(QUEUE_IDS.values())[:count]
    ids.extend(generated_queue_id(index) for index in range(count - len(ids)))
    return ids


def queues_needed(size: int) -> int:
    """Return how many queues the workload of `size` statistics filters on."""
    filtered = max(0, size - len(tenant_wide_statistics()))
    return -(-filtered // len(QUEUE_STATISTICS))


def workload(size: int) -> list[TrackedStatistic]:
    """Return `size` distinct statistics: tenant-wide first, then per queue.

    Past the unfiltered statistics of the catalogue, each queue adds the statistics
    of QUEUE_STATISTICS with its `queue-id` filter.
    """
    statistics = tenant_wide_statistics()[:size]
    for queue_id in queue_ids(queues_needed(size)):
        for name in QUEUE_STATISTICS:
            if len(statistics) == size:
                return statistics
            statistics.append(TrackedStatistic(name, queue_id))
    return statistics


def rest_config(  # noqa: PLR0913 - one keyword argument per YAML setting
    statistics: Sequence[TrackedStatistic],
    *,
    base_url: str,
    tenant_id: str,
    username: str,
    password: str,
    scan_interval: int,
) -> list[dict[str, object]]:
    """Return the `rest:` configuration a user would write: one resource each.

    Each resource has one sensor with a value_template and, like the integration's
    sensors, a unique id, a state class and the unit of its kind.
    """
    resources: list[dict[str, object]] = []
    for index, tracked in enumerate(statistics, start=1):
        sensor: dict[str, object] = {
            "name": f"Bench {index:04d} {tracked.statistic}",
            "unique_id": f"bench_{index:04d}",
            "value_template": (
                f"{{{{ value_json.results.{_VALUE_KEYS[tracked.kind]} }}}}"
            ),
            "state_class": "measurement",
        }
        if tracked.kind is Kind.TIME:
            sensor["device_class"] = "duration"
            sensor["unit_of_measurement"] = "ms"
        elif tracked.kind is Kind.PERCENT:
            sensor["unit_of_measurement"] = "%"
        resources.append(
            {
                "resource": base_url + tracked.path(tenant_id),
                "method": "GET",
                "authentication": "basic",
                "username": username,
                "password": password,
                "headers": {"Accept": "application/json"},
                "scan_interval": scan_interval,
                "sensor": [sensor],
            }
        )
    return resources
