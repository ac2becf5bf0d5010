"""Data update coordinator for the CxEngage integration."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
import time
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    AgentInfo,
    CxEngageAuthenticationError,
    CxEngageConnectionError,
    CxEngageError,
    CxEngageForbiddenError,
    CxEngageInvalidResponseError,
    CxEngageRateLimitError,
    CxEngageTenantNotFoundError,
    CxEngageValidationError,
    ItemError,
    QueueInfo,
    StatisticDefinition,
    StatisticQuery,
    StatisticResult,
)
from .connection import create_client
from .const import (
    AGENT_FILTER,
    CONF_STATISTICS,
    CONF_TENANT_ID,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
    MAX_BACKOFF,
    QUEUE_FILTER,
)
from .repairs import async_set_forbidden_issue, async_update_repair_issues

type CxEngageData = dict[StatisticQuery, StatisticResult | ItemError]

# Failures of a queue or agent list that leave the entry usable: devices are then
# named by id.
_DIRECTORY_ERRORS = (CxEngageForbiddenError, CxEngageInvalidResponseError)
type CxEngageConfigEntry = ConfigEntry[CxEngageCoordinator]


def tracked_queries(options: Mapping[str, Any]) -> tuple[StatisticQuery, ...]:
    """Build the statistic queries stored in the entry options.

    A stored query that no longer validates is skipped with a warning, so one bad
    item cannot keep the whole entry from loading.
    """
    queries: dict[StatisticQuery, None] = {}
    for item in options.get(CONF_STATISTICS, []):
        try:
            query = StatisticQuery.from_json(item)
        except CxEngageValidationError as err:
            LOGGER.warning("Skipping an invalid tracked statistic %r: %s", item, err)
            continue
        queries[query] = None
    return tuple(queries)


class CxEngageCoordinator(DataUpdateCoordinator[CxEngageData]):
    """Polls every tracked statistic of one tenant with one batch request."""

    config_entry: CxEngageConfigEntry

    def __init__(self, hass: HomeAssistant, entry: CxEngageConfigEntry) -> None:
        """Create the client from the entry data and the queries from its options."""
        self.tenant_id: str = entry.data[CONF_TENANT_ID]
        try:
            self.client = create_client(hass, entry.data)
        except (CxEngageValidationError, ValueError) as err:
            raise ConfigEntryError(
                translation_domain=DOMAIN,
                translation_key="invalid_configuration",
                translation_placeholders={"error": str(err)},
            ) from err

        self.queries = tracked_queries(entry.options)
        self.catalogue: dict[str, StatisticDefinition] = {}
        # Names of the queues and agents that filters use, by id. None when the
        # tenant's list could not be read, so devices are named by id instead.
        self.queue_names: dict[str, str] | None = None
        self.agent_names: dict[str, str] | None = None
        # Registry id of the tenant's device, which queue and agent devices link to.
        self.tenant_device_id: str | None = None
        # Start (UTC) and duration in seconds of the last poll, for diagnostics.
        self.last_poll_started: datetime | None = None
        self.last_poll_duration: float | None = None
        # Polls failed in a row, which lengthen the wait before the next one.
        self.failed_polls = 0

        scan_seconds = entry.options.get(
            CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL.total_seconds()
        )
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"CxEngage tenant {self.tenant_id}",
            update_interval=timedelta(seconds=scan_seconds),
            always_update=False,
        )

    @override
    async def _async_setup(self) -> None:
        """Load the catalogue, and the queue and agent names that filters use.

        The requests run concurrently, so setup costs one round trip before the
        first poll.
        """
        filter_keys = {key for query in self.queries for key, _ in query.filters}
        catalogue, queues, agents = await asyncio.gather(
            self._call_api(self.client.get_available_statistics()),
            self._async_fetch_names(
                "queues", self.client.get_queues, QUEUE_FILTER in filter_keys
            ),
            self._async_fetch_names(
                "agents", self.client.get_users, AGENT_FILTER in filter_keys
            ),
        )
        self.catalogue = catalogue
        self.queue_names = queues
        self.agent_names = agents

    async def _async_fetch_names(
        self,
        kind: str,
        fetch: Callable[[], Awaitable[Sequence[QueueInfo | AgentInfo]]],
        needed: bool,  # noqa: FBT001
    ) -> dict[str, str] | None:
        """Return the names of the tenant's queues or agents, by id."""
        if not needed:
            return {}
        try:
            items = await self._call_api(fetch(), passthrough=_DIRECTORY_ERRORS)
        except _DIRECTORY_ERRORS as err:
            # A role may read statistics without listing users; names are cosmetic.
            LOGGER.warning(
                "Could not list the %s of tenant %s, so their devices are named by "
                "id: %s",
                kind,
                self.tenant_id,
                err,
            )
            return None
        return {item.id: item.name for item in items}

    @override
    async def _async_update_data(self) -> CxEngageData:
        """Fetch every tracked statistic, keeping failed items as ItemError."""
        self.last_poll_started = dt_util.utcnow()
        started = time.monotonic()
        try:
            data = await self._call_api(self.client.get_statistics(self.queries))
        except UpdateFailed as err:
            self.failed_polls += 1
            err.retry_after = max(err.retry_after or 0, self._backoff_delay())
            raise
        finally:
            self.last_poll_duration = time.monotonic() - started

        self.failed_polls = 0
        async_update_repair_issues(self, data)
        async_set_forbidden_issue(self, active=False)
        return data

    def _backoff_delay(self) -> float:
        """Return the wait before the next poll after the failures so far.

        The normal interval doubles with each further failure, up to a cap, so an
        outage does not turn into a stream of requests.
        """
        interval = (self.update_interval or DEFAULT_SCAN_INTERVAL).total_seconds()
        doublings = min(self.failed_polls - 1, 16)
        return min(interval * (1 << doublings), MAX_BACKOFF.total_seconds())

    async def _call_api[T](
        self,
        request: Awaitable[T],
        passthrough: tuple[type[CxEngageError], ...] = (),
    ) -> T:
        """Await one client call, mapping client errors to Home Assistant's.

        Errors of the `passthrough` classes are raised unchanged.
        """
        try:
            return await request
        except passthrough:
            raise
        except CxEngageAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_auth",
                translation_placeholders={"tenant_id": self.tenant_id},
            ) from err
        except CxEngageTenantNotFoundError as err:
            raise ConfigEntryError(
                translation_domain=DOMAIN,
                translation_key="tenant_not_found",
                translation_placeholders={"tenant_id": self.tenant_id},
            ) from err
        except CxEngageRateLimitError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"tenant_id": self.tenant_id},
                retry_after=err.retry_after,
            ) from err
        except CxEngageForbiddenError as err:
            async_set_forbidden_issue(self, active=True)
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="forbidden",
                translation_placeholders={"tenant_id": self.tenant_id},
            ) from err
        except CxEngageConnectionError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders={"error": str(err)},
            ) from err
        except CxEngageInvalidResponseError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_response",
                translation_placeholders={"error": str(err)},
            ) from err
        except CxEngageError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="unknown_error",
                translation_placeholders={"error": str(err)},
            ) from err
