"""Base entity for the CxEngage integration."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import REGION_CONSOLE_URLS, Region, StatisticQuery
from .const import AGENT_FILTER, CONF_REGION, DOMAIN, QUEUE_FILTER
from .coordinator import CxEngageCoordinator


def filter_device_identifier(tenant_id: str, key: str, value: str) -> str:
    """Return the device identifier of one queue or agent of a tenant."""
    kind = "queue" if key == QUEUE_FILTER else "agent"
    return f"{tenant_id}_{kind}_{value}"


# Home Assistant 2026.8 replaced DeviceInfo's `via_device` identifier with
# `via_device_id`, the parent's registry id; older releases know only the former.
VIA_DEVICE_ID_SUPPORTED = "via_device_id" in DeviceInfo.__annotations__


def tenant_device_info(coordinator: CxEngageCoordinator) -> DeviceInfo:
    """Return the tenant's service device, which unfiltered statistics belong to."""
    entry = coordinator.config_entry
    return DeviceInfo(
        identifiers={(DOMAIN, coordinator.tenant_id)},
        name=entry.title,
        manufacturer="CxEngage",
        model="Reporting API",
        entry_type=DeviceEntryType.SERVICE,
        configuration_url=REGION_CONSOLE_URLS.get(Region(entry.data[CONF_REGION])),
    )


def device_info(coordinator: CxEngageCoordinator, query: StatisticQuery) -> DeviceInfo:
    """Return the device a query's sensors belong to.

    Unfiltered statistics belong to the tenant's service device. A statistic
    filtered by queue or agent belongs to that queue's or agent's device, which
    links to the tenant's device.
    """
    tenant_id = coordinator.tenant_id
    filters = dict(query.filters)

    for key, names, model in (
        (QUEUE_FILTER, coordinator.queue_names, "Queue"),
        (AGENT_FILTER, coordinator.agent_names, "Agent"),
    ):
        if (value := filters.get(key)) is None:
            continue
        name = (names or {}).get(value) or f"{model} {value[:8]}"
        info = DeviceInfo(
            identifiers={(DOMAIN, filter_device_identifier(tenant_id, key, value))},
            name=name,
            manufacturer="CxEngage",
            model=model,
            entry_type=DeviceEntryType.SERVICE,
        )
        if VIA_DEVICE_ID_SUPPORTED and coordinator.tenant_device_id:
            info["via_device_id"] = coordinator.tenant_device_id
        else:
            info["via_device"] = (DOMAIN, tenant_id)  # type: ignore[typeddict-unknown-key]
        return info

    return tenant_device_info(coordinator)


class CxEngageEntity(CoordinatorEntity[CxEngageCoordinator]):
    """An entity of one statistic query, grouped under its device."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: CxEngageCoordinator, query: StatisticQuery) -> None:
        """Attach the entity to the device of its query."""
        super().__init__(coordinator)
        self.query = query
        self._attr_device_info = device_info(coordinator, query)
