"""Home Assistant side of a worker: start a core and drive either integration."""

from __future__ import annotations

import abc
import asyncio
import contextlib
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Final
from unittest.mock import patch

from aiohttp.resolver import AsyncResolver
from homeassistant import bootstrap
from homeassistant.config_entries import SOURCE_USER, ConfigEntry
from homeassistant.const import CONF_PASSWORD, CONF_SCAN_INTERVAL, CONF_USERNAME
from homeassistant.loader import async_get_integration
from homeassistant.runner import RuntimeConfig
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import dump, load_yaml

from custom_components.cxengage.const import (
    CONF_AUTH_METHOD,
    CONF_BASE_URL,
    CONF_REGION,
    CONF_STATISTICS,
    CONF_TENANT_ID,
    DOMAIN,
)
from custom_components.cxengage.coordinator import CxEngageCoordinator
from scripts.bench_ha.workload import rest_config
from simulator import DEFAULT_PASSWORD, DEFAULT_TENANT_ID, DEFAULT_USERNAME

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

    from scripts.bench_ha.results import WorkerSpec
    from scripts.bench_ha.workload import TrackedStatistic

# Only the benchmark's polls run, because both integrations' own timers would first
# fire after an hour.
SCAN_INTERVAL_SECONDS: Final = 3600

# `debug: true` turns on Home Assistant's extra run-time checks. The location and
# units are set so that nothing is looked up at start.
CONFIGURATION_YAML: Final = """\
homeassistant:
  name: CxEngage benchmark
  debug: true
  latitude: 40.71
  longitude: -74.01
  elevation: 10
  unit_system: metric
  time_zone: America/New_York
  country: US
  currency: USD
"""


def _loopback_resolver() -> AsyncResolver:
    """Return aiohttp's DNS resolver with the `real_close` that Home Assistant calls."""
    resolver = AsyncResolver()
    resolver.real_close = resolver.close  # type: ignore[attr-defined]
    return resolver


@contextlib.contextmanager
def without_zeroconf() -> Iterator[None]:
    """Give Home Assistant's HTTP sessions a plain resolver instead of zeroconf's.

    Home Assistant resolves ".local" names through zeroconf, which needs the network
    integration and multicast. The benchmark sends requests only to 127.0.0.1, as
    the tests do with the same patch.
    """
    with patch(
        "homeassistant.helpers.aiohttp_client._async_make_resolver",
        return_value=_loopback_resolver(),
    ):
        yield


async def start_home_assistant(config_dir: Path) -> HomeAssistant:
    """Bootstrap and start a Home Assistant core in `config_dir`.

    This is the start-up of the `hass` command: bootstrap.async_setup_hass, which
    also turns on the "Detected blocking call" checks. The default integrations,
    such as frontend and backup, are left out because their packages are not in
    the test environment, and without frontend the core would start in recovery
    mode.

    Raises:
        RuntimeError: Home Assistant did not start.
    """
    (config_dir / "configuration.yaml").write_text(CONFIGURATION_YAML)
    runtime_config = RuntimeConfig(
        config_dir=str(config_dir),
        skip_pip=True,
        log_file=str(config_dir / "home-assistant.log"),
    )
    with (
        patch.object(bootstrap, "DEFAULT_INTEGRATIONS", set()),
        patch.object(bootstrap, "CRITICAL_INTEGRATIONS", set()),
    ):
        hass = await bootstrap.async_setup_hass(runtime_config)
    if hass is None or hass.config.recovery_mode:
        msg = f"Home Assistant did not start; see {config_dir}/home-assistant.log"
        raise RuntimeError(msg)
    await hass.async_start()
    return hass


class BenchIntegration(abc.ABC):
    """One integration under test, with its N statistics."""

    def __init__(
        self,
        hass: HomeAssistant,
        spec: WorkerSpec,
        statistics: Sequence[TrackedStatistic],
    ) -> None:
        """Bind the core and the statistics to track."""
        self.hass = hass
        self.spec = spec
        self.statistics = statistics

    @property
    def first_statistic_url(self) -> str:
        """URL of the first statistic's single GET, for round-trip timing."""
        return self.spec.base_url + self.statistics[0].path(DEFAULT_TENANT_ID)

    async def async_prepare(self) -> None:
        """Import the integration and its sensor platform, outside the timed set-up.

        A running Home Assistant has usually imported them before a user adds an
        entry, and import time is not what the benchmark compares.
        """
        await async_setup_component(self.hass, "sensor", {})
        integration = await async_get_integration(self.hass, self.domain)
        await integration.async_get_component()
        await integration.async_get_platform("sensor")

    @property
    @abc.abstractmethod
    def domain(self) -> str:
        """The integration's domain."""

    @abc.abstractmethod
    async def async_setup(self) -> None:
        """Start loading the statistics; the states may follow in later tasks."""

    @abc.abstractmethod
    async def async_poll(self) -> None:
        """Poll every statistic once and return when every state is written."""


class CxEngageIntegration(BenchIntegration):
    """This integration, set up through a config entry as the config flow stores it."""

    domain = DOMAIN

    async def async_prepare(self) -> None:
        """Set up the domain (its actions) and import the sensor platform."""
        await super().async_prepare()
        await async_setup_component(self.hass, DOMAIN, {})

    async def async_setup(self) -> None:
        """Add the entry, which loads the catalogue, polls once and adds sensors."""
        entry = ConfigEntry(
            domain=DOMAIN,
            title="CxEngage benchmark",
            data={
                CONF_REGION: "custom",
                CONF_BASE_URL: self.spec.base_url,
                CONF_TENANT_ID: DEFAULT_TENANT_ID,
                CONF_AUTH_METHOD: "basic",
                CONF_USERNAME: DEFAULT_USERNAME,
                CONF_PASSWORD: DEFAULT_PASSWORD,
            },
            options={
                CONF_STATISTICS: [tracked.to_option() for tracked in self.statistics],
                CONF_SCAN_INTERVAL: SCAN_INTERVAL_SECONDS,
            },
            source=SOURCE_USER,
            version=1,
            minor_version=1,
            unique_id=f"{DEFAULT_TENANT_ID}@{self.spec.base_url}",
            discovery_keys=MappingProxyType({}),
            subentries_data=None,
        )
        await self.hass.config_entries.async_add(entry)
        self._entry = entry

    @property
    def coordinator(self) -> CxEngageCoordinator:
        """The entry's coordinator."""
        coordinator: CxEngageCoordinator = self._entry.runtime_data
        return coordinator

    async def async_poll(self) -> None:
        """Refresh the one coordinator, which writes every changed state."""
        await self.coordinator.async_refresh()


class RestIntegration(BenchIntegration):
    """The `rest` integration, one resource per statistic, loaded from YAML."""

    domain = "rest"

    def __init__(
        self,
        hass: HomeAssistant,
        spec: WorkerSpec,
        statistics: Sequence[TrackedStatistic],
        config_dir: Path,
    ) -> None:
        """Bind the core and the statistics; the YAML goes to `config_dir`."""
        super().__init__(hass, spec, statistics)
        self._yaml_path = config_dir / "rest.yaml"
        self._config: dict[str, object] = {}

    def _write_and_load_yaml(self) -> dict[str, object]:
        """Write the `rest:` YAML that a user would write, and load it like HA does."""
        resources = rest_config(
            self.statistics,
            base_url=self.spec.base_url,
            tenant_id=DEFAULT_TENANT_ID,
            username=DEFAULT_USERNAME,
            password=DEFAULT_PASSWORD,
            scan_interval=SCAN_INTERVAL_SECONDS,
        )
        self._yaml_path.write_text(dump({"rest": resources}))
        loaded = load_yaml(self._yaml_path)
        if not isinstance(loaded, dict):
            msg = f"{self._yaml_path} did not load as a mapping"
            raise TypeError(msg)
        return loaded

    async def async_prepare(self) -> None:
        """Import the integration, then write and read the YAML in a thread."""
        await super().async_prepare()
        self._config = await self.hass.async_add_executor_job(self._write_and_load_yaml)

    async def async_setup(self) -> None:
        """Set up `rest` as Home Assistant does for configuration.yaml."""
        if not await async_setup_component(self.hass, self.domain, self._config):
            msg = "The rest integration did not set up; see home-assistant.log"
            raise RuntimeError(msg)

    @property
    def coordinators(self) -> list[DataUpdateCoordinator[None]]:
        """One coordinator per resource, as the rest integration stores them."""
        coordinators: list[DataUpdateCoordinator[None]] = self.hass.data["rest"][
            "coordinator"
        ]
        return coordinators

    async def async_poll(self) -> None:
        """Refresh every resource at once, as when all their timers fire together."""
        await asyncio.gather(
            *(coordinator.async_refresh() for coordinator in self.coordinators)
        )
