"""Tests for the CxEngage options flow."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.cxengage.const import CONF_STATISTICS
from simulator import QUEUE_IDS, Fault, Simulator


async def test_options_change_statistics_without_restart(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    assert hass.states.get("sensor.cxengage_example_agents_idle") is None

    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_STATISTICS: ["queue-length", "resources-idle-count"],
            CONF_SCAN_INTERVAL: 15,
        },
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {
        CONF_STATISTICS: [
            {"statistic": "queue-length"},
            {"statistic": "resources-idle-count"},
        ],
        CONF_SCAN_INTERVAL: 15,
    }
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data.update_interval is not None
    assert init_integration.runtime_data.update_interval.total_seconds() == 15
    assert hass.states.get("sensor.cxengage_example_agents_idle") is not None


async def test_options_scan_interval_minimum(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(init_integration.entry_id)

    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            {CONF_STATISTICS: ["queue-length"], CONF_SCAN_INTERVAL: 5},
        )


async def test_options_need_a_statistic(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(init_integration.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_STATISTICS: [], CONF_SCAN_INTERVAL: 30}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_STATISTICS: "no_statistics_selected"}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_STATISTICS: ["queue-length"], CONF_SCAN_INTERVAL: 30}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_options_keep_filtered_statistics(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    filtered = {"statistic": "queue-length", "queue-id": QUEUE_IDS["Sales"]}
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={
            CONF_STATISTICS: [{"statistic": "service-level"}, filtered],
            CONF_SCAN_INTERVAL: 30,
        },
    )

    # Not loaded: the options flow reads the catalogue from the API itself.
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert simulator.request_counts["available"] == 1
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_STATISTICS: [], CONF_SCAN_INTERVAL: 30}
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options[CONF_STATISTICS] == [filtered]


async def test_options_abort_when_api_fails(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    simulator.add_fault(Fault(endpoint="available", status=503))

    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cannot_connect"
