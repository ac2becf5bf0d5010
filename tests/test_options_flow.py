"""Tests for the CxEngage options flow."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState, ConfigFlowResult
from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.cxengage.const import CONF_STATISTICS
from simulator import AGENT_IDS, DEFAULT_TENANT_ID, QUEUE_IDS, Fault, Simulator

from .conftest import find_device

NO_FILTERS: dict[str, list[str]] = {
    "queue_statistics": [],
    "queues": [],
    "agent_statistics": [],
    "agents": [],
}


async def open_filters_step(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    statistics: list[str],
    interval: int = 30,
) -> ConfigFlowResult:
    """Submit the first options step and return the filters step."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_STATISTICS: statistics, CONF_SCAN_INTERVAL: interval},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "filters"
    return result


async def test_options_change_statistics_without_restart(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    assert hass.states.get("sensor.cxengage_example_agents_idle") is None

    result = await open_filters_step(
        hass, init_integration, ["queue-length", "resources-idle-count"], interval=15
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], NO_FILTERS
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
    interval = init_integration.runtime_data.update_interval
    assert interval is not None
    assert interval.total_seconds() == 15
    assert hass.states.get("sensor.cxengage_example_agents_idle") is not None
    # Removed statistics lose their entities.
    assert hass.states.get("sensor.cxengage_example_service_level") is None


async def test_options_track_queues_and_agents(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
) -> None:
    result = await open_filters_step(hass, init_integration, ["queue-length"])

    # Queues and agents are offered by name.
    schema = result["data_schema"]
    assert schema is not None
    queue_options = schema.schema["queues"].config["options"]
    assert {"value": QUEUE_IDS["Sales"], "label": "Sales"} in queue_options

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "queue_statistics": ["queue-length", "service-level"],
            "queues": [QUEUE_IDS["Sales"], QUEUE_IDS["Support"]],
            "agent_statistics": ["resource-handle-time"],
            "agents": [AGENT_IDS["Alice Martin"]],
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(init_integration.options[CONF_STATISTICS]) == 1 + 4 + 1

    tenant_device = find_device(
        device_registry, init_integration.entry_id, DEFAULT_TENANT_ID
    )
    assert tenant_device is not None
    sales = find_device(
        device_registry,
        init_integration.entry_id,
        f"{DEFAULT_TENANT_ID}_queue_{QUEUE_IDS['Sales']}",
    )
    assert sales is not None
    assert sales.name == "Sales"
    assert sales.via_device_id == tenant_device.id
    alice = find_device(
        device_registry,
        init_integration.entry_id,
        f"{DEFAULT_TENANT_ID}_agent_{AGENT_IDS['Alice Martin']}",
    )
    assert alice is not None
    assert alice.name == "Alice Martin"

    sales_length = hass.states.get("sensor.sales_queue_length")
    assert sales_length is not None
    assert sales_length.state.isdigit()
    assert hass.states.get("sensor.support_service_level") is not None
    assert hass.states.get("sensor.alice_martin_agent_handle_time") is not None

    # The next options run shows the stored filters as the current choice, and
    # clearing them removes the devices with their entities.
    result = await open_filters_step(hass, init_integration, ["queue-length"])
    schema = result["data_schema"]
    assert schema is not None
    suggested = {
        str(key): key.description["suggested_value"]
        for key in schema.schema
        if key.description
    }
    assert suggested["queue_statistics"] == ["queue-length", "service-level"]
    assert sorted(suggested["queues"]) == sorted(
        [QUEUE_IDS["Sales"], QUEUE_IDS["Support"]]
    )

    await hass.config_entries.options.async_configure(result["flow_id"], NO_FILTERS)
    await hass.async_block_till_done()

    assert hass.states.get("sensor.sales_queue_length") is None
    assert entity_registry.async_get("sensor.sales_queue_length") is None
    assert (
        find_device(
            device_registry,
            init_integration.entry_id,
            f"{DEFAULT_TENANT_ID}_queue_{QUEUE_IDS['Sales']}",
        )
        is None
    )
    assert (
        find_device(device_registry, init_integration.entry_id, DEFAULT_TENANT_ID)
        is not None
    )


async def test_options_filter_needs_both_lists(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    result = await open_filters_step(hass, init_integration, ["queue-length"])

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {**NO_FILTERS, "queue_statistics": ["queue-length"]},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "filter_incomplete"}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            **NO_FILTERS,
            "queue_statistics": ["queue-length"],
            "queues": [QUEUE_IDS["Billing"]],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


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
    result = await open_filters_step(hass, init_integration, [])

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], NO_FILTERS
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_statistics_selected"}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            **NO_FILTERS,
            "agent_statistics": ["work-accepted-count"],
            "agents": [AGENT_IDS["Alice Martin"]],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_options_without_filterable_statistics(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    catalogue = (
        '{"queue-length": {"name": "queue-length", "userFriendlyName": "Queue Length",'
        ' "optionalFilters": [], "responseKeys": {"count": "count"}}}'
    )
    simulator.add_fault(Fault(endpoint="available", status=200, body=catalogue))
    mock_config_entry.add_to_hass(hass)

    # Not loaded: the options flow reads the catalogue from the API itself.
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert simulator.request_counts["available"] == 1
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_STATISTICS: [], CONF_SCAN_INTERVAL: 30}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_STATISTICS: "no_statistics_selected"}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_STATISTICS: ["queue-length"], CONF_SCAN_INTERVAL: 60}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {
        CONF_STATISTICS: [{"statistic": "queue-length"}],
        CONF_SCAN_INTERVAL: 60,
    }


@pytest.mark.parametrize(
    ("endpoint", "status", "reason"),
    [
        ("available", 503, "cannot_connect"),
        ("available", 401, "invalid_auth"),
        ("queues", 403, "forbidden"),
    ],
)
async def test_options_abort_when_api_fails(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    endpoint: str,
    status: int,
    reason: str,
) -> None:
    mock_config_entry.add_to_hass(hass)
    simulator.add_fault(Fault(endpoint=endpoint, status=status))

    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    if result["type"] is FlowResultType.FORM:
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            {CONF_STATISTICS: ["queue-length"], CONF_SCAN_INTERVAL: 30},
        )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason


async def test_options_offer_only_filters_the_catalogue_has(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    catalogue = (
        '{"queue-length": {"name": "queue-length", "userFriendlyName": "Queue Length",'
        ' "optionalFilters": ["queue-id"], "responseKeys": {"count": "count"}}}'
    )
    simulator.add_fault(Fault(endpoint="available", status=200, body=catalogue))
    mock_config_entry.add_to_hass(hass)

    result = await open_filters_step(hass, mock_config_entry, ["queue-length"])

    schema = result["data_schema"]
    assert schema is not None
    assert {str(key) for key in schema.schema} == {"queue_statistics", "queues"}
    # The agent list is not needed, so it is not requested.
    assert simulator.request_counts["users"] == 0


async def test_options_reject_nan_interval(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(init_integration.entry_id)

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_STATISTICS: ["queue-length"], CONF_SCAN_INTERVAL: float("nan")},
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_SCAN_INTERVAL: "invalid_scan_interval"}
