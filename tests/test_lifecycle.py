"""Tests that reauth and reconfigure keep an entry's devices and entities."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.cxengage.const import CONF_AUTH_METHOD
from simulator import DEFAULT_PASSWORD, DEFAULT_USERNAME, Simulator

from .conftest import entry_data


async def test_reauth_and_reconfigure_keep_registries(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    def snapshot_registries() -> tuple[set[str], set[tuple[str, str]]]:
        devices = {
            device.id
            for device in dr.async_entries_for_config_entry(
                device_registry, init_integration.entry_id
            )
        }
        entities = {
            (entry.entity_id, entry.unique_id)
            for entry in er.async_entries_for_config_entry(
                entity_registry, init_integration.entry_id
            )
        }
        return devices, entities

    before = snapshot_registries()
    assert before[0]
    assert before[1]

    result = await init_integration.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_USERNAME: DEFAULT_USERNAME, CONF_PASSWORD: DEFAULT_PASSWORD},
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reauth_successful"
    assert snapshot_registries() == before

    result = await init_integration.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], entry_data(simulator, **{CONF_AUTH_METHOD: "token"})
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert init_integration.state is ConfigEntryState.LOADED
    assert snapshot_registries() == before
