# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Data models of the CxEngage API client."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self, cast

from .exceptions import InvalidFilterError, InvalidStatisticError
from .validation import normalize_filter, validate_statistic_name


@dataclass(frozen=True, slots=True)
class StatisticDefinition:
    """Entry of the tenant's statistic catalogue (.../realtime-statistics/available)."""

    name: str
    label: str
    optional_filters: tuple[str, ...]
    response_keys: tuple[str, ...]
    type: str | None


@dataclass(frozen=True, slots=True)
class StatisticQuery:
    """One statistic with its filters: an item of a batch request.

    The filters are validated, normalised and sorted by key on creation, so two
    queries for the same data compare and hash equal. A mapping is also accepted for
    `filters`. Construction raises InvalidStatisticError or InvalidFilterError.
    """

    statistic: str
    filters: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        """Validate the statistic name and normalise the filters."""
        validate_statistic_name(self.statistic)

        raw_filters = cast("object", self.filters)
        if isinstance(raw_filters, Mapping):
            pairs: Iterable[object] = raw_filters.items()
        elif isinstance(raw_filters, Iterable) and not isinstance(raw_filters, str):
            pairs = raw_filters
        else:
            msg = f"Invalid filters for {self.statistic}: expected (key, value) pairs"
            raise InvalidFilterError(msg)

        normalized: dict[str, str] = {}
        for pair in pairs:
            if not isinstance(pair, tuple | list) or len(pair) != 2:  # noqa: PLR2004
                msg = (
                    f"Invalid filter for {self.statistic}: expected a (key, value) pair"
                )
                raise InvalidFilterError(msg)
            key, value = normalize_filter(pair[0], pair[1])
            if normalized.setdefault(key, value) != value:
                msg = f"Conflicting values for the {key} filter of {self.statistic}"
                raise InvalidFilterError(msg)

        object.__setattr__(self, "filters", tuple(sorted(normalized.items())))

    @classmethod
    def create(cls, statistic: str, /, **filters: str) -> Self:
        """Build a query from keyword filters.

        Example: StatisticQuery.create("queue-length", queue_id="<uuid>").
        """
        return cls(statistic, tuple(filters.items()))

    def with_filters(self, **filters: str) -> Self:
        """Return a copy with the given filters added or replaced."""
        merged = dict(self.filters)
        for key, value in filters.items():
            canonical, normalized = normalize_filter(key, value)
            merged[canonical] = normalized
        return type(self)(self.statistic, tuple(merged.items()))

    @property
    def key(self) -> str:
        """Stable text id, e.g. "queue-length" or "queue-length?queue-id=<uuid>"."""
        if not self.filters:
            return self.statistic
        query = "&".join(f"{key}={value}" for key, value in self.filters)
        return f"{self.statistic}?{query}"

    @classmethod
    def from_key(cls, key: str) -> Self:
        """Parse a query from its `key`.

        Raises:
            InvalidStatisticError: the statistic part is invalid.
            InvalidFilterError: a filter part is invalid.
        """
        if not isinstance(cast("object", key), str):
            kind = type(key).__name__
            msg = f"Invalid statistic query key: expected a string, got {kind}"
            raise InvalidStatisticError(msg)

        statistic, separator, query = key.partition("?")
        if separator and not query:
            msg = f"Invalid query key {key!r}: no filters after '?'"
            raise InvalidFilterError(msg)

        pairs: list[tuple[str, str]] = []
        for part in query.split("&") if query else ():
            name, separator, value = part.partition("=")
            if not separator:
                msg = (
                    f"Invalid filter {part!r} in query key {key!r}: expected key=value"
                )
                raise InvalidFilterError(msg)
            pairs.append((name, value))
        return cls(statistic, tuple(pairs))

    def to_json(self) -> dict[str, str]:
        """Return the batch request item, e.g. {"statistic": ..., "queue-id": ...}."""
        return {"statistic": self.statistic, **dict(self.filters)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        """Parse a query from a batch request item, as written by `to_json`.

        Raises:
            InvalidStatisticError: data is not a mapping or its statistic is invalid.
            InvalidFilterError: another key is not a valid filter.
        """
        if not isinstance(cast("object", data), Mapping):
            kind = type(data).__name__
            msg = f"Invalid statistic query: expected an object, got {kind}"
            raise InvalidStatisticError(msg)

        filters = tuple(
            (key, value) for key, value in data.items() if key != "statistic"
        )
        return cls(data.get("statistic"), filters)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class CountResult:
    """Result of a count statistic (unit "count")."""

    count: int | None


@dataclass(frozen=True, slots=True)
class TimeResult:
    """Result of a time statistic (unit "millis"). Durations are in milliseconds.

    `count` is the number of records the server aggregated.
    """

    count: int | None
    min: float | None
    max: float | None
    total: float | None
    avg: float | None


@dataclass(frozen=True, slots=True)
class PercentageResult:
    """Result of a percentage statistic (unit "percentage"), from 0 to 100."""

    percent: float | None


@dataclass(frozen=True, slots=True)
class ListResult:
    """Rows of a list statistic, with the key of `results` that contained them.

    Each row is a read-only mapping with the fields the server sent.
    """

    rows: tuple[Mapping[str, Any], ...]
    key: str


# A plain union rather than a `type` alias, so that isinstance() accepts it.
StatisticResult = CountResult | TimeResult | PercentageResult | ListResult


@dataclass(frozen=True, slots=True)
class ItemError:
    """Failed item of a batch.

    `status` is the item's HTTP status, or None when the item is missing from the
    response or has no status. `reason` is a short code: "missing",
    "invalid_response", or the status phrase such as "not_found".
    """

    status: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class QueueInfo:
    """Queue of the tenant."""

    id: str
    name: str
    active: bool


@dataclass(frozen=True, slots=True)
class AgentInfo:
    """User (agent) of the tenant.

    `name` is "First Last", or the id when both are empty. It is never an e-mail.
    """

    id: str
    name: str


@dataclass(slots=True)
class RequestCounters:
    """Counters of the HTTP requests that one client sent.

    `requests` counts every request, token requests included. `failures` counts
    requests that ended in a transport error or a status other than 2xx.
    `last_request_duration` is in seconds.
    """

    requests: int = 0
    failures: int = 0
    token_requests: int = 0
    last_request_duration: float | None = None
