"""Tests for the tenant, queue and agent devices and entry migration."""

from __future__ import annotations

import json

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.cxengage import async_remove_config_entry_device
from custom_components.cxengage.const import CONF_STATISTICS
from simulator import DEFAULT_TENANT_ID, QUEUE_IDS, QUEUES, Fault, Simulator

from .conftest import find_device

SALES_QUEUE = {"statistic": "queue-length", "queue-id": QUEUE_IDS["Sales"]}


async def set_up(
    hass: HomeAssistant, entry: MockConfigEntry, statistics: list[dict[str, str]]
) -> None:
    """Set the entry up with the given tracked statistics."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={CONF_STATISTICS: statistics})
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_tenant_device(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    await set_up(hass, mock_config_entry, [{"statistic": "queue-length"}])

    device = find_device(device_registry, mock_config_entry.entry_id, DEFAULT_TENANT_ID)
    assert device is not None
    assert device.name == "CxEngage Example"
    assert device.entry_type is dr.DeviceEntryType.SERVICE
    assert device.via_device_id is None
    # The tenant's own device stays while the entry exists.
    assert not await async_remove_config_entry_device(hass, mock_config_entry, device)


async def test_renamed_queue_renames_device(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    await set_up(hass, mock_config_entry, [SALES_QUEUE])
    identifier = f"{DEFAULT_TENANT_ID}_queue_{QUEUE_IDS['Sales']}"
    device = find_device(device_registry, mock_config_entry.entry_id, identifier)
    assert device is not None
    assert device.name == "Sales"

    renamed = [
        {
            "id": queue.id,
            "name": "Inside Sales" if queue.id == QUEUE_IDS["Sales"] else queue.name,
            "active": True,
        }
        for queue in QUEUES
    ]
    simulator.add_fault(
        Fault(endpoint="queues", status=200, body=json.dumps({"result": renamed}))
    )
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    device = find_device(device_registry, mock_config_entry.entry_id, identifier)
    assert device is not None
    assert device.name == "Inside Sales"
    assert hass.states.get("sensor.sales_queue_length") is not None


async def test_remove_stale_queue_device(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    await set_up(hass, mock_config_entry, [SALES_QUEUE])
    identifier = f"{DEFAULT_TENANT_ID}_queue_{QUEUE_IDS['Sales']}"
    device = find_device(device_registry, mock_config_entry.entry_id, identifier)
    assert device is not None

    # Still tracked: the user cannot delete it.
    assert not await async_remove_config_entry_device(hass, mock_config_entry, device)

    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_STATISTICS: [{"statistic": "queue-length"}]}
    )
    await hass.config_entries.async_reload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert await async_remove_config_entry_device(hass, mock_config_entry, device)


async def test_entry_from_newer_release(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    newer = MockConfigEntry(
        domain=mock_config_entry.domain,
        data=mock_config_entry.data,
        options=mock_config_entry.options,
        unique_id=mock_config_entry.unique_id,
        version=2,
    )
    newer.add_to_hass(hass)

    await hass.config_entries.async_setup(newer.entry_id)
    await hass.async_block_till_done()

    assert newer.state is ConfigEntryState.MIGRATION_ERROR


async def test_entry_before_first_release_migrates(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    older = MockConfigEntry(
        domain=mock_config_entry.domain,
        data=mock_config_entry.data,
        options=mock_config_entry.options,
        unique_id=mock_config_entry.unique_id,
        version=1,
        minor_version=0,
    )
    older.add_to_hass(hass)

    await hass.config_entries.async_setup(older.entry_id)
    await hass.async_block_till_done()

    assert older.state is ConfigEntryState.LOADED
    assert (older.version, older.minor_version) == (1, 1)
    assert older.data == mock_config_entry.data


async def test_entry_of_first_release_loads(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    # Version 1.1 is the only released format; its entries load unchanged.
    await set_up(hass, mock_config_entry, [{"statistic": "queue-length"}])

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert (mock_config_entry.version, mock_config_entry.minor_version) == (1, 1)
