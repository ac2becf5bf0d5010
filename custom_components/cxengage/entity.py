"""Base entity for the CxEngage integration."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import REGION_CONSOLE_URLS, Region
from .const import CONF_REGION, DOMAIN
from .coordinator import CxEngageCoordinator


class CxEngageEntity(CoordinatorEntity[CxEngageCoordinator]):
    """An entity of one CxEngage tenant, grouped under the tenant's service device."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: CxEngageCoordinator) -> None:
        """Attach the entity to the tenant's service device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        region = Region(entry.data[CONF_REGION])
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, coordinator.tenant_id)},
            name=entry.title,
            manufacturer="CxEngage",
            model="Reporting API",
            entry_type=DeviceEntryType.SERVICE,
            configuration_url=REGION_CONSOLE_URLS.get(region),
        )
