"""Fixtures shared by the integration tests: a simulator on loopback and entries."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.const import CONF_PASSWORD, CONF_SCAN_INTERVAL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

from custom_components.cxengage.const import (
    CONF_AUTH_METHOD,
    CONF_BASE_URL,
    CONF_REGION,
    CONF_STATISTICS,
    CONF_TENANT_ID,
    DOMAIN,
)
from simulator import (
    DEFAULT_PASSWORD,
    DEFAULT_TENANT_ID,
    DEFAULT_USERNAME,
    Simulator,
    SimulatorConfig,
)

# One statistic of each kind: two counts, a time, a percentage and a list.
TRACKED_STATISTICS: list[dict[str, str]] = [
    {"statistic": "queue-length"},
    {"statistic": "resources-logged-in-count"},
    {"statistic": "queue-time"},
    {"statistic": "service-level"},
    {"statistic": "interactions-in-queue-list"},
]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Store snapshots in Home Assistant's format."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Enable the entities that are disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        return_value=True,
        new_callable=PropertyMock,
    ):
        yield


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """Return the simulator's settings; tests override this fixture to vary them."""
    return SimulatorConfig()


@pytest.fixture
async def simulator(
    simulator_config: SimulatorConfig, socket_enabled: None
) -> AsyncGenerator[Simulator]:
    """Run the fake CxEngage API on a free loopback port.

    The Home Assistant test plugin blocks sockets unless a test requests
    `socket_enabled`; connections stay limited to 127.0.0.1 all the same.
    """
    sim = Simulator(simulator_config)
    await sim.start(host="127.0.0.1", port=0)
    yield sim
    await sim.stop()


def entry_data(simulator: Simulator, **changes: Any) -> dict[str, Any]:
    """Return entry data that points at the simulator, with optional changes."""
    data: dict[str, Any] = {
        CONF_REGION: "custom",
        CONF_BASE_URL: simulator.base_url,
        CONF_TENANT_ID: DEFAULT_TENANT_ID,
        CONF_AUTH_METHOD: "basic",
        CONF_USERNAME: DEFAULT_USERNAME,
        CONF_PASSWORD: DEFAULT_PASSWORD,
    }
    data.update(changes)
    return data


@pytest.fixture
def mock_config_entry(simulator: Simulator) -> MockConfigEntry:
    """Return an entry for the simulator's tenant, not yet added to Home Assistant."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="CxEngage Example",
        unique_id=f"{DEFAULT_TENANT_ID}@{simulator.base_url}",
        data=entry_data(simulator),
        options={CONF_STATISTICS: TRACKED_STATISTICS, CONF_SCAN_INTERVAL: 30},
        version=1,
        minor_version=1,
    )


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """Set up the integration against the simulator and return its entry."""
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    return mock_config_entry


def find_device(
    device_registry: dr.DeviceRegistry, entry_id: str, identifier: str
) -> dr.DeviceEntry | None:
    """Return an entry's device with an identifier, on every supported version.

    Home Assistant 2026.8 deprecated `async_get_device`, and older releases lack
    its replacements, so this scans the entry's devices instead.
    """
    for device in dr.async_entries_for_config_entry(device_registry, entry_id):
        if (DOMAIN, identifier) in device.identifiers:
            return device
    return None
