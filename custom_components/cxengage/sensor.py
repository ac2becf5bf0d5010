"""Sensors for CxEngage realtime statistics: one per tracked statistic."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory, UnitOfTime
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import (
    CountResult,
    ItemError,
    ListResult,
    PercentageResult,
    StatisticDefinition,
    StatisticQuery,
    StatisticResult,
    TimeResult,
)
from .const import LOGGER
from .coordinator import CxEngageConfigEntry, CxEngageCoordinator
from .entity import CxEngageEntity

# Every sensor reads the coordinator's data, so Home Assistant never needs to
# limit parallel updates.
PARALLEL_UPDATES = 0


class StatisticKind(StrEnum):
    """The shape of a statistic's value, which decides its entities."""

    COUNT = "count"
    TIME = "time"
    PERCENTAGE = "percentage"
    LIST = "list"


# Statistics with their own entity names in the translations, with their kind as
# the API documents it. The translation key is the API name with underscores, plus
# the value's key for a time statistic's details. Other statistics are named from
# the label in the tenant's catalogue.
KNOWN_STATISTICS: dict[str, StatisticKind] = {
    "abandon-rate": StatisticKind.PERCENTAGE,
    "abandons-before-queue-count": StatisticKind.COUNT,
    "active-interactions-count": StatisticKind.COUNT,
    "calls-answered-percent": StatisticKind.PERCENTAGE,
    "completed-interactions-list": StatisticKind.LIST,
    "consult-time": StatisticKind.TIME,
    "conversation-time": StatisticKind.TIME,
    "customer-hold-time": StatisticKind.TIME,
    "customer-holds-count": StatisticKind.COUNT,
    "customer-satisfaction-score": StatisticKind.PERCENTAGE,
    "estimated-wait-time": StatisticKind.TIME,
    "interaction-starts-count": StatisticKind.COUNT,
    "interaction-time": StatisticKind.TIME,
    "interactions-in-conversation-count": StatisticKind.COUNT,
    "interactions-in-conversation-list": StatisticKind.LIST,
    "interactions-in-conversation-time": StatisticKind.TIME,
    "interactions-in-queue-list": StatisticKind.LIST,
    "interactions-in-routing-count": StatisticKind.COUNT,
    "interactions-in-routing-list": StatisticKind.LIST,
    "queue-abandon-time": StatisticKind.TIME,
    "queue-abandons-count": StatisticKind.COUNT,
    "queue-details-list": StatisticKind.LIST,
    "queue-length": StatisticKind.COUNT,
    "queue-time": StatisticKind.TIME,
    "resource-capacity": StatisticKind.LIST,
    "resource-conversation-starts-count": StatisticKind.COUNT,
    "resource-details-list": StatisticKind.LIST,
    "resource-handle-time": StatisticKind.TIME,
    "resource-hold-time": StatisticKind.TIME,
    "resource-initiated-customer-hold-time": StatisticKind.TIME,
    "resource-state-list": StatisticKind.LIST,
    "resource-talk-time": StatisticKind.TIME,
    "resource-wrap-up-time": StatisticKind.TIME,
    "resources-away-count": StatisticKind.COUNT,
    "resources-away-percentage": StatisticKind.PERCENTAGE,
    "resources-busy-count": StatisticKind.COUNT,
    "resources-busy-percentage": StatisticKind.PERCENTAGE,
    "resources-idle-count": StatisticKind.COUNT,
    "resources-idle-percentage": StatisticKind.PERCENTAGE,
    "resources-logged-in-count": StatisticKind.COUNT,
    "routing-time": StatisticKind.TIME,
    "service-level": StatisticKind.PERCENTAGE,
    "work-accepted-count": StatisticKind.COUNT,
}


# Counters of the tenant's day: they only grow until the API resets them at
# midnight in the tenant's time zone, which total_increasing handles.
DAILY_COUNTERS = frozenset(
    {
        "abandons-before-queue-count",
        "customer-holds-count",
        "interaction-starts-count",
        "queue-abandons-count",
        "resource-conversation-starts-count",
        "work-accepted-count",
    }
)


@dataclass(frozen=True, kw_only=True)
class CxEngageSensorEntityDescription(SensorEntityDescription):
    """Describes one value of a statistic, such as a time statistic's maximum."""

    value_fn: Callable[[StatisticResult], float | None]
    # The primary value is named after the statistic itself; the others add a
    # suffix to the statistic's name.
    primary: bool = False


def _count(result: StatisticResult) -> float | None:
    return result.count if isinstance(result, CountResult) else None


def _time_value(field: str) -> Callable[[StatisticResult], float | None]:
    def value(result: StatisticResult) -> float | None:
        if not isinstance(result, TimeResult):
            return None
        number: float | None = getattr(result, field)
        return number

    return value


def _percent(result: StatisticResult) -> float | None:
    return result.percent if isinstance(result, PercentageResult) else None


def _rows(result: StatisticResult) -> float | None:
    return len(result.rows) if isinstance(result, ListResult) else None


def _duration(
    key: str, translation_key: str | None, *, primary: bool = False
) -> CxEngageSensorEntityDescription:
    # CxEngage reports durations in milliseconds; seconds read better on a dashboard.
    return CxEngageSensorEntityDescription(
        key=key,
        translation_key=translation_key,
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        suggested_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=1,
        entity_registry_enabled_default=primary,
        value_fn=_time_value(key),
        primary=primary,
    )


RESULT_KINDS: dict[type[StatisticResult], StatisticKind] = {
    CountResult: StatisticKind.COUNT,
    TimeResult: StatisticKind.TIME,
    PercentageResult: StatisticKind.PERCENTAGE,
    ListResult: StatisticKind.LIST,
}

SENSOR_DESCRIPTIONS: dict[
    StatisticKind, tuple[CxEngageSensorEntityDescription, ...]
] = {
    StatisticKind.COUNT: (
        CxEngageSensorEntityDescription(
            key="count",
            state_class=SensorStateClass.MEASUREMENT,
            value_fn=_count,
            primary=True,
        ),
    ),
    StatisticKind.TIME: (
        _duration("avg", None, primary=True),
        _duration("min", "time_min"),
        _duration("max", "time_max"),
        _duration("total", "time_total"),
        CxEngageSensorEntityDescription(
            key="records",
            translation_key="time_records",
            state_class=SensorStateClass.MEASUREMENT,
            # How many records the API averaged over: a detail for checking values.
            entity_category=EntityCategory.DIAGNOSTIC,
            entity_registry_enabled_default=False,
            value_fn=_time_value("count"),
        ),
    ),
    StatisticKind.PERCENTAGE: (
        CxEngageSensorEntityDescription(
            key="percent",
            native_unit_of_measurement=PERCENTAGE,
            state_class=SensorStateClass.MEASUREMENT,
            suggested_display_precision=1,
            value_fn=_percent,
            primary=True,
        ),
    ),
    StatisticKind.LIST: (
        CxEngageSensorEntityDescription(
            key="rows",
            state_class=SensorStateClass.MEASUREMENT,
            value_fn=_rows,
            primary=True,
        ),
    ),
}


def statistic_kind(
    statistic: str,
    result: StatisticResult | None,
    definition: StatisticDefinition | None,
) -> StatisticKind:
    """Decide a statistic's kind from its first result.

    Without a result, the kind comes from the known statistics, then from the
    response keys in the tenant's catalogue.
    """
    if result is not None:
        return RESULT_KINDS[type(result)]
    if known_kind := KNOWN_STATISTICS.get(statistic):
        return known_kind
    if statistic.endswith("-list"):
        return StatisticKind.LIST
    keys = set(definition.response_keys) if definition else set()
    if "percent" in keys:
        return StatisticKind.PERCENTAGE
    if keys & {"avg", "min", "max", "total"}:
        return StatisticKind.TIME
    return StatisticKind.COUNT


async def async_setup_entry(
    hass: HomeAssistant,
    entry: CxEngageConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Create the sensors of every tracked statistic."""
    coordinator = entry.runtime_data
    entities: list[CxEngageStatisticSensor] = []
    for query in coordinator.queries:
        first = coordinator.data.get(query)
        result = None if isinstance(first, ItemError) else first
        kind = statistic_kind(
            query.statistic, result, coordinator.catalogue.get(query.statistic)
        )
        entities.extend(
            CxEngageStatisticSensor(coordinator, query, description)
            for description in SENSOR_DESCRIPTIONS[kind]
        )

    async_remove_stale_entities(hass, entry, {entity.unique_id for entity in entities})
    async_add_entities(entities)


def _translation_key(
    statistic: str, description: CxEngageSensorEntityDescription
) -> str | None:
    """Return the translation key that names one value of a statistic."""
    known_kind = KNOWN_STATISTICS.get(statistic)
    base = statistic.replace("-", "_")
    if description.primary:
        return base if known_kind else "statistic"
    if known_kind is StatisticKind.TIME:
        return f"{base}_{description.key}"
    # A generic name built from the catalogue label, such as "Queue Time minimum".
    return description.translation_key


@callback
def async_remove_stale_entities(
    hass: HomeAssistant, entry: CxEngageConfigEntry, current: set[str | None]
) -> None:
    """Remove the entry's sensors that no tracked statistic creates any more.

    A queue or agent device left without entities is removed with them.
    """
    entity_registry = er.async_get(hass)
    device_registry = dr.async_get(hass)
    stale = [
        registry_entry
        for registry_entry in er.async_entries_for_config_entry(
            entity_registry, entry.entry_id
        )
        if registry_entry.domain == "sensor" and registry_entry.unique_id not in current
    ]
    for registry_entry in stale:
        try:
            entity_registry.async_remove(registry_entry.entity_id)
        except KeyError:
            # NOTE: Home Assistant 2026.3's registry can lose an entry from one of
            # its indexes after many quick reloads (seen in the options property
            # test), and then fails to remove it; 2026.10 does not. The entity is
            # stale either way, so setup goes on without it.
            LOGGER.debug("Could not remove stale entity %s", registry_entry.entity_id)

    for device in dr.async_entries_for_config_entry(device_registry, entry.entry_id):
        if device.via_device_id is None:
            continue  # The tenant's own device stays while the entry exists.
        if not er.async_entries_for_device(
            entity_registry, device.id, include_disabled_entities=True
        ):
            device_registry.async_update_device(
                device.id, remove_config_entry_id=entry.entry_id
            )


class CxEngageStatisticSensor(CxEngageEntity, SensorEntity):
    """One value of one tracked statistic."""

    entity_description: CxEngageSensorEntityDescription

    def __init__(
        self,
        coordinator: CxEngageCoordinator,
        query: StatisticQuery,
        description: CxEngageSensorEntityDescription,
    ) -> None:
        """Name the sensor after its statistic and keep the query it reads."""
        super().__init__(coordinator, query)
        self.entity_description = description

        unique_id = f"{coordinator.tenant_id}_{query.key}"
        if not description.primary:
            unique_id = f"{unique_id}_{description.key}"
        self._attr_unique_id = unique_id

        definition = coordinator.catalogue.get(query.statistic)
        label = definition.label if definition else query.statistic
        self._attr_translation_placeholders = {"statistic": label}
        self._attr_translation_key = _translation_key(query.statistic, description)
        if description.primary and query.statistic in DAILY_COUNTERS:
            self._attr_state_class = SensorStateClass.TOTAL_INCREASING

    @property
    def _result(self) -> StatisticResult | None:
        item = self.coordinator.data.get(self.query)
        return None if isinstance(item, ItemError) else item

    @property
    def available(self) -> bool:
        """Return False when the last poll failed or this statistic's item failed."""
        return super().available and self._result is not None

    @property
    def native_value(self) -> float | None:
        """Return the value, or None (unknown) when the response lacked it."""
        result = self._result
        return None if result is None else self.entity_description.value_fn(result)
