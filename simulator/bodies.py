"""Response bodies of the realtime statistics endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator import rows
from simulator.catalogue import Kind, Statistic
from simulator.values import Filters, Moment, ValueGenerator, stringify_object

if TYPE_CHECKING:
    from collections.abc import Callable

_LIST_BUILDERS: dict[str, Callable[[ValueGenerator, Filters], list[object]]] = {
    "interactions-in-queue-list": rows.interactions_in_queue,
    "interactions-in-conversation-list": lambda values, _: (
        rows.interactions_in_conversation(values)
    ),
    "interactions-in-routing-list": lambda values, _: rows.interactions_in_routing(
        values
    ),
    "queue-details-list": rows.queue_details,
    "resource-capacity": rows.resource_capacity,
}


def statistic_body(  # noqa: PLR0913 - every argument is one independent setting
    statistic: Statistic,
    filters: Filters,
    *,
    seed: int,
    now: float,
    timezone: str,
    numbers_as_strings: bool,
) -> dict[str, object]:
    """Build the body of a single statistic GET, also used inside batch items.

    Args:
        statistic: The requested statistic.
        filters: Validated filters, whose ids exist.
        seed: Seed of the generated values.
        now: Epoch seconds of the request.
        timezone: Tenant time zone, which sets the query window.
        numbers_as_strings: Send every number as a JSON string.

    """
    values = ValueGenerator(seed, Moment.at(now, timezone))
    if statistic.kind is Kind.LIST:
        key = statistic.list_key or "items"
        items = _LIST_BUILDERS[statistic.name](values, filters)
        results: dict[str, object] = {
            key: items,
            "queryWindow": values.moment.query_window(),
        }
    else:
        results = values.results(statistic, filters)
    body: dict[str, object] = {
        "results": results,
        "queryTime": values.query_time(statistic.name, filters),
    }
    return stringify_object(body) if numbers_as_strings else body
