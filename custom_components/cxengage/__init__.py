"""The CxEngage integration: realtime contact-centre statistics as sensors."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN, LOGGER
from .coordinator import CxEngageConfigEntry, CxEngageCoordinator
from .entity import device_info, tenant_device_info
from .services import async_setup_services

PLATFORMS = [Platform.SENSOR]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:  # noqa: ARG001
    """Register the actions, which work with every loaded entry."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: CxEngageConfigEntry) -> bool:
    """Load the catalogue, poll once, then create the sensors."""
    coordinator = CxEngageCoordinator(hass, entry)
    # Set before the first poll, so diagnostics can show why a failed setup failed.
    entry.runtime_data = coordinator
    await coordinator.async_config_entry_first_refresh()

    # Registered first, so that queue and agent devices can link to it by id.
    tenant_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **tenant_device_info(coordinator)
    )
    coordinator.tenant_device_id = tenant_device.id
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: CxEngageConfigEntry) -> bool:
    """Bring an entry stored by an older release to the current format, 1.1.

    Every release so far stored 1.1, so only the minor version of an earlier
    development build needs raising. An entry that a newer release saved with a
    higher major version is refused.
    """
    if entry.version > 1:
        # Home Assistant 2026.10 refuses such an entry before calling this
        # function, but 2026.3 calls it, and returning True would load the entry.
        LOGGER.error(
            "Cannot load CxEngage entry %s: a newer release saved it as version %s",
            entry.title,
            entry.version,
        )
        return False
    if (entry.version, entry.minor_version) < (1, 1):
        LOGGER.debug("Migrating CxEngage entry %s to version 1.1", entry.title)
        hass.config_entries.async_update_entry(entry, version=1, minor_version=1)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: CxEngageConfigEntry) -> bool:
    """Unload the sensors; the coordinator stops with the entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's signature
    entry: CxEngageConfigEntry,
    device_entry: dr.DeviceEntry,
) -> bool:
    """Let the user delete a queue or agent device that no statistic uses."""
    if device_entry.via_device_id is None:
        return False  # The tenant's device goes with the entry.
    if not hasattr(entry, "runtime_data"):
        return True
    coordinator = entry.runtime_data
    used = {
        identifier
        for query in coordinator.queries
        for identifier in device_info(coordinator, query).get("identifiers", set())
    }
    return not device_entry.identifiers & used
