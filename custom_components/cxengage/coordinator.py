"""Data update coordinator for the CxEngage integration."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from datetime import datetime, timedelta
import time
from typing import Any, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_PASSWORD, CONF_SCAN_INTERVAL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    AuthMethod,
    Credentials,
    CxEngageAuthenticationError,
    CxEngageClient,
    CxEngageConnectionError,
    CxEngageError,
    CxEngageForbiddenError,
    CxEngageInvalidResponseError,
    CxEngageRateLimitError,
    CxEngageTenantNotFoundError,
    CxEngageValidationError,
    ItemError,
    StatisticDefinition,
    StatisticQuery,
    StatisticResult,
)
from .const import (
    CONF_AUTH_METHOD,
    CONF_BASE_URL,
    CONF_STATISTICS,
    CONF_TENANT_ID,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
    REQUEST_TIMEOUT,
)

type CxEngageData = dict[StatisticQuery, StatisticResult | ItemError]
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
            self.client = CxEngageClient(
                async_get_clientsession(hass),
                base_url=entry.data[CONF_BASE_URL],
                tenant_id=self.tenant_id,
                credentials=Credentials(
                    method=AuthMethod(entry.data[CONF_AUTH_METHOD]),
                    username=entry.data[CONF_USERNAME],
                    secret=entry.data[CONF_PASSWORD],
                ),
                request_timeout=REQUEST_TIMEOUT,
            )
        except (CxEngageValidationError, ValueError) as err:
            raise ConfigEntryError(
                translation_domain=DOMAIN,
                translation_key="invalid_configuration",
                translation_placeholders={"error": str(err)},
            ) from err

        self.queries = tracked_queries(entry.options)
        self.catalogue: dict[str, StatisticDefinition] = {}
        # Start (UTC) and duration in seconds of the last poll, for diagnostics.
        self.last_poll_started: datetime | None = None
        self.last_poll_duration: float | None = None

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
        """Load the tenant's statistic catalogue once, before the first poll."""
        self.catalogue = await self._call_api(self.client.get_available_statistics())

    @override
    async def _async_update_data(self) -> CxEngageData:
        """Fetch every tracked statistic, keeping failed items as ItemError."""
        self.last_poll_started = dt_util.utcnow()
        started = time.monotonic()
        try:
            return await self._call_api(self.client.get_statistics(self.queries))
        finally:
            self.last_poll_duration = time.monotonic() - started

    async def _call_api[T](self, request: Awaitable[T]) -> T:
        """Await one client call, mapping client errors to Home Assistant's."""
        try:
            return await request
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
