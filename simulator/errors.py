"""Error bodies and the validation of statistic requests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from simulator.catalogue import (
    FILTER_KEY_ALIASES,
    QUEUE_ID,
    RESOURCE_ID,
    STATISTICS,
    Statistic,
)
from simulator.directory import AGENTS_BY_ID, QUEUES_BY_ID
from simulator.values import Filters

if TYPE_CHECKING:
    from collections.abc import Mapping


def error_response(
    status: int, message: str, *, headers: Mapping[str, str] | None = None
) -> web.Response:
    """Build a JSON error response `{"error": {"message": ...}}`."""
    return web.json_response(
        {"error": {"message": message}}, status=status, headers=headers
    )


class StatisticError(Exception):
    """A statistic request that fails with an HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        """Create the error with its HTTP status and message."""
        super().__init__(message)
        self.status = status
        self.message = message


def resolve_statistic(
    name: str, raw_filters: Mapping[str, object]
) -> tuple[Statistic, Filters]:
    """Look up a statistic and check its filters, as a single GET or a batch item.

    `raw_filters` maps filter keys to values. The camelCase keys `queueId` and
    `resourceId` are accepted as aliases of `queue-id` and `resource-id`.

    Raises:
        StatisticError: 404 for an unknown statistic, queue or agent. 400 for a
            filter the statistic does not accept or a value that is not a
            non-empty string.

    """
    statistic = STATISTICS.get(name)
    if statistic is None:
        raise StatisticError(404, f"Statistic not found: {name}")

    values: dict[str, str] = {}
    for key, value in raw_filters.items():
        canonical = FILTER_KEY_ALIASES.get(key, key)
        if canonical not in statistic.filters:
            supported = ", ".join(statistic.filters) or "none"
            message = (
                f"Filter {key} is not supported by {name}; supported filters: "
                f"{supported}"
            )
            raise StatisticError(400, message)
        if not isinstance(value, str) or not value:
            raise StatisticError(400, f"Invalid value for filter {key}: {value!r}")
        if values.get(canonical, value.lower()) != value.lower():
            raise StatisticError(400, f"Filter {canonical} is given twice")
        values[canonical] = value.lower()

    queue_id = values.get(QUEUE_ID)
    if queue_id is not None and queue_id not in QUEUES_BY_ID:
        raise StatisticError(404, f"Queue not found: {queue_id}")
    resource_id = values.get(RESOURCE_ID)
    if resource_id is not None and resource_id not in AGENTS_BY_ID:
        raise StatisticError(404, f"Resource not found: {resource_id}")
    return statistic, Filters(queue_id=queue_id, resource_id=resource_id)
