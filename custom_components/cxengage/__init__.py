"""The CxEngage integration: realtime contact-centre statistics as sensors."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from .coordinator import CxEngageConfigEntry, CxEngageCoordinator

PLATFORMS = [Platform.SENSOR]


async def async_setup_entry(hass: HomeAssistant, entry: CxEngageConfigEntry) -> bool:
    """Load the catalogue, poll once, then create the sensors."""
    coordinator = CxEngageCoordinator(hass, entry)
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: CxEngageConfigEntry) -> bool:
    """Unload the sensors; the coordinator stops with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
