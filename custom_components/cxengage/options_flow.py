"""Options flow: tracked statistics, queue and agent filters, poll interval."""

from __future__ import annotations

from itertools import product
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from .api import CxEngageError, StatisticDefinition
from .connection import connection_error_key, create_client, statistic_options
from .const import (
    AGENT_FILTER,
    CONF_STATISTICS,
    DEFAULT_SCAN_INTERVAL,
    LOGGER,
    MIN_SCAN_INTERVAL,
    QUEUE_FILTER,
)

if TYPE_CHECKING:
    import probatio as vol

    from .coordinator import CxEngageConfigEntry
else:
    import voluptuous as vol

# The longest poll interval the options offer, in seconds.
MAX_SCAN_SECONDS = 3600

CONF_QUEUE_STATISTICS = "queue_statistics"
CONF_QUEUES = "queues"
CONF_AGENT_STATISTICS = "agent_statistics"
CONF_AGENTS = "agents"

# Each filter step field pair: statistics to filter, and the ids to filter them by.
FILTER_FIELDS = (
    (QUEUE_FILTER, CONF_QUEUE_STATISTICS, CONF_QUEUES),
    (AGENT_FILTER, CONF_AGENT_STATISTICS, CONF_AGENTS),
)


def _multi_select(options: list[SelectOptionDict]) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options, multiple=True, mode=SelectSelectorMode.DROPDOWN
        )
    )


class CxEngageOptionsFlow(OptionsFlowWithReload):
    """Change what is tracked and how often; the entry reloads on save.

    The first step picks tenant-wide statistics and the poll interval. The
    second step, shown when the tenant has statistics that accept a queue or
    agent filter, tracks chosen statistics for chosen queues and agents, each
    pair as its own sensor.
    """

    def __init__(self) -> None:
        """Start with nothing loaded."""
        self._catalogue: dict[str, StatisticDefinition] = {}
        self._options: dict[str, Any] = {}

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick tenant-wide statistics and the poll interval."""
        entry: CxEngageConfigEntry = self.config_entry
        if not self._catalogue:
            try:
                self._catalogue = await self._async_catalogue()
            except CxEngageError as err:
                LOGGER.debug("Could not load the catalogue for the options: %s", err)
                return self.async_abort(reason=connection_error_key(err))

        tracked: list[dict[str, str]] = list(entry.options.get(CONF_STATISTICS, []))
        selected = [item["statistic"] for item in tracked if set(item) == {"statistic"}]

        errors: dict[str, str] = {}
        interval = user_input.get(CONF_SCAN_INTERVAL) if user_input else None
        # The selector checks the range, but lets NaN through, which compares false.
        if interval is not None and not (
            MIN_SCAN_INTERVAL.total_seconds() <= interval <= MAX_SCAN_SECONDS
        ):
            errors[CONF_SCAN_INTERVAL] = "invalid_scan_interval"
        elif user_input is not None:
            names = [
                name
                for name in user_input.get(CONF_STATISTICS, [])
                if name in self._catalogue
            ]
            self._options = {
                **entry.options,
                CONF_STATISTICS: [{"statistic": name} for name in names],
                CONF_SCAN_INTERVAL: user_input[CONF_SCAN_INTERVAL],
            }
            if self._filterable(QUEUE_FILTER) or self._filterable(AGENT_FILTER):
                return await self.async_step_filters()
            if names:
                return self._async_save(filtered=[])
            errors[CONF_STATISTICS] = "no_statistics_selected"

        # A statistic the tenant no longer lists stays visible, so that the user
        # can see it and remove it.
        choices = statistic_options(self._catalogue) + [
            SelectOptionDict(value=name, label=name)
            for name in selected
            if name not in self._catalogue
        ]
        schema = vol.Schema(
            {
                vol.Optional(CONF_STATISTICS): _multi_select(choices),
                vol.Required(CONF_SCAN_INTERVAL): NumberSelector(
                    NumberSelectorConfig(
                        min=MIN_SCAN_INTERVAL.total_seconds(),
                        max=MAX_SCAN_SECONDS,
                        step=1,
                        unit_of_measurement="s",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
            }
        )
        current = {
            CONF_STATISTICS: selected,
            CONF_SCAN_INTERVAL: entry.options.get(
                CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL.total_seconds()
            ),
        }
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or current
            ),
            errors=errors,
        )

    async def async_step_filters(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Track chosen statistics for chosen queues and agents, by name."""
        entry: CxEngageConfigEntry = self.config_entry
        client = create_client(self.hass, entry.data)
        try:
            queues = (
                {queue.id: queue.name for queue in await client.get_queues()}
                if self._filterable(QUEUE_FILTER)
                else {}
            )
            agents = (
                {agent.id: agent.name for agent in await client.get_users()}
                if self._filterable(AGENT_FILTER)
                else {}
            )
        except CxEngageError as err:
            LOGGER.debug("Could not list queues or agents for the options: %s", err)
            return self.async_abort(reason=connection_error_key(err))

        errors: dict[str, str] = {}
        if user_input is not None:
            filtered: list[dict[str, str]] = []
            for key, statistics_field, ids_field in FILTER_FIELDS:
                statistics = user_input.get(statistics_field, [])
                ids = user_input.get(ids_field, [])
                if bool(statistics) != bool(ids):
                    errors["base"] = "filter_incomplete"
                filtered.extend(
                    {"statistic": statistic, key: filter_id}
                    for statistic, filter_id in product(statistics, ids)
                )
            if not errors and not (filtered or self._options[CONF_STATISTICS]):
                errors["base"] = "no_statistics_selected"
            if not errors:
                return self._async_save(filtered)

        fields: dict[Any, Any] = {}
        current: dict[str, list[str]] = {}
        tracked = entry.options.get(CONF_STATISTICS, [])
        for (key, statistics_field, ids_field), names in zip(
            FILTER_FIELDS, (queues, agents), strict=True
        ):
            if not self._filterable(key):
                continue
            stored = [item for item in tracked if key in item]
            current[statistics_field] = sorted({item["statistic"] for item in stored})
            current[ids_field] = sorted({item[key] for item in stored})
            id_choices = [
                SelectOptionDict(value=filter_id, label=name)
                for filter_id, name in sorted(names.items(), key=lambda item: item[1])
            ]
            # An id CxEngage no longer lists stays visible, so it can be removed.
            id_choices += [
                SelectOptionDict(value=filter_id, label=filter_id)
                for filter_id in current[ids_field]
                if filter_id not in names
            ]
            statistic_choices = statistic_options(
                {
                    name: definition
                    for name, definition in self._catalogue.items()
                    if key in definition.optional_filters
                }
            )
            fields[vol.Optional(statistics_field)] = _multi_select(statistic_choices)
            fields[vol.Optional(ids_field)] = _multi_select(id_choices)

        return self.async_show_form(
            step_id="filters",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields), user_input or current
            ),
            errors=errors,
        )

    def _filterable(self, key: str) -> bool:
        """Return whether any catalogue statistic accepts a filter key."""
        return any(key in item.optional_filters for item in self._catalogue.values())

    def _async_save(self, filtered: list[dict[str, str]]) -> ConfigFlowResult:
        """Store the options, which reloads the entry."""
        options = {
            **self._options,
            CONF_STATISTICS: self._options[CONF_STATISTICS] + filtered,
        }
        return self.async_create_entry(data=options)

    async def _async_catalogue(self) -> dict[str, StatisticDefinition]:
        """Return the loaded entry's catalogue, or fetch it when not loaded."""
        entry: CxEngageConfigEntry = self.config_entry
        if hasattr(entry, "runtime_data") and entry.runtime_data.catalogue:
            return entry.runtime_data.catalogue
        return await create_client(self.hass, entry.data).get_available_statistics()
