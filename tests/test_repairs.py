"""Tests for the repair issues of statistics, queues and agents that went away."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.cxengage.const import CONF_STATISTICS, DOMAIN
from custom_components.cxengage.repairs import QUEUE_ISSUE, STATISTIC_ISSUE, _keeps
from simulator import AGENT_IDS, QUEUE_IDS, Fault, Simulator

GONE_QUEUE_ID = "0b0b0b0b-0000-4000-8000-000000000000"


async def set_up(
    hass: HomeAssistant, entry: MockConfigEntry, statistics: list[dict[str, str]]
) -> None:
    """Set the entry up with the given tracked statistics."""
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={CONF_STATISTICS: statistics})
    assert await async_setup_component(hass, "repairs", {})
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def fix_issue(
    hass: HomeAssistant, client_factory: ClientSessionGenerator, issue_id: str
) -> dict[str, Any]:
    """Run an issue's fix flow through the HTTP API, as the frontend does."""
    client = await client_factory()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    assert response.status == 200
    flow: dict[str, Any] = await response.json()
    assert flow["step_id"] == "confirm"

    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}")
    assert response.status == 200
    result: dict[str, Any] = await response.json()
    await hass.async_block_till_done()
    return result


def entry_issues(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[str, ir.IssueEntry]:
    """Return the integration's issues of one entry, by issue id."""
    return {
        issue_id: issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN and issue_id.startswith(entry.entry_id)
    }


async def test_statistic_missing_from_catalogue(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    await set_up(
        hass,
        mock_config_entry,
        [{"statistic": "queue-length"}, {"statistic": "retired-statistic"}],
    )

    # Setup does not fail, and the other sensor keeps working.
    assert mock_config_entry.state is ConfigEntryState.LOADED
    queue_length = hass.states.get("sensor.cxengage_example_queue_length")
    assert queue_length is not None
    assert queue_length.state != STATE_UNAVAILABLE

    issues = entry_issues(hass, mock_config_entry)
    issue_id = f"{mock_config_entry.entry_id}_statistic_unavailable_retired-statistic"
    assert list(issues) == [issue_id]
    assert issues[issue_id].is_fixable
    assert issues[issue_id].translation_placeholders == {
        "subject": "retired-statistic",
        "title": mock_config_entry.title,
    }

    result = await fix_issue(hass, hass_client, issue_id)

    assert result["type"] == "create_entry"
    assert mock_config_entry.options[CONF_STATISTICS] == [{"statistic": "queue-length"}]
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert entry_issues(hass, mock_config_entry) == {}


async def test_statistic_answering_404_in_batch(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await set_up(
        hass,
        mock_config_entry,
        [{"statistic": "queue-length"}, {"statistic": "service-level"}],
    )
    assert entry_issues(hass, mock_config_entry) == {}

    simulator.fail_batch_item("service-level", 404)
    freezer.tick(timedelta(seconds=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert list(entry_issues(hass, mock_config_entry)) == [
        f"{mock_config_entry.entry_id}_statistic_unavailable_service-level"
    ]
    service_level = hass.states.get("sensor.cxengage_example_service_level")
    assert service_level is not None
    assert service_level.state == STATE_UNAVAILABLE

    # The statistic comes back: the issue goes away by itself.
    simulator.clear_item_failures()
    freezer.tick(timedelta(seconds=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry_issues(hass, mock_config_entry) == {}


async def test_deleted_queue(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    await set_up(
        hass,
        mock_config_entry,
        [
            {"statistic": "queue-length", "queue-id": QUEUE_IDS["Sales"]},
            {"statistic": "queue-length", "queue-id": GONE_QUEUE_ID},
        ],
    )

    assert mock_config_entry.state is ConfigEntryState.LOADED
    issue_id = f"{mock_config_entry.entry_id}_queue_not_found_{GONE_QUEUE_ID}"
    # The simulator returns 404 for the unknown queue's item, which is reported as
    # the queue's issue, not the statistic's.
    assert list(entry_issues(hass, mock_config_entry)) == [issue_id]

    result = await fix_issue(hass, hass_client, issue_id)

    assert result["type"] == "create_entry"
    assert mock_config_entry.options[CONF_STATISTICS] == [
        {"statistic": "queue-length", "queue-id": QUEUE_IDS["Sales"]}
    ]
    assert entry_issues(hass, mock_config_entry) == {}


async def test_unreadable_agent_list_names_by_id(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    simulator.add_fault(Fault(endpoint="users", status=403))
    agent_id = AGENT_IDS["Alice Martin"]
    await set_up(
        hass,
        mock_config_entry,
        [{"statistic": "resource-handle-time", "resource-id": agent_id}],
    )

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(f"sensor.agent_{agent_id[:8]}_agent_handle_time") is not None
    # Without the list, no agent can be called deleted.
    assert entry_issues(hass, mock_config_entry) == {}


async def test_fix_flow_after_entry_removed(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    await set_up(hass, mock_config_entry, [{"statistic": "retired-statistic"}])
    issue_id = f"{mock_config_entry.entry_id}_statistic_unavailable_retired-statistic"
    assert issue_id in entry_issues(hass, mock_config_entry)

    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    flow = await response.json()
    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}")
    result = await response.json()

    assert result["type"] == "abort"
    assert result["reason"] == "entry_removed"


def test_stop_tracking_keeps_unparsable_items() -> None:
    # A stored item that no longer validates is left for setup to skip and log.
    broken = {"statistic": "queue-length", "queue-id": "not-a-uuid"}

    assert _keeps(broken, QUEUE_ISSUE, GONE_QUEUE_ID)
    assert not _keeps({"statistic": "x-count"}, STATISTIC_ISSUE, "x-count")


async def test_forbidden_raises_issue_not_reauth(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await set_up(hass, mock_config_entry, [{"statistic": "queue-length"}])
    forbidden_id = f"{mock_config_entry.entry_id}_forbidden_permission"

    simulator.add_fault(Fault(endpoint="batch", status=403))
    freezer.tick(timedelta(seconds=30))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)

    issues = entry_issues(hass, mock_config_entry)
    assert list(issues) == [forbidden_id]
    assert not issues[forbidden_id].is_fixable
    assert issues[forbidden_id].translation_key == "forbidden"
    assert hass.config_entries.flow.async_progress() == []

    simulator.clear_faults()
    freezer.tick(timedelta(seconds=60))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry_issues(hass, mock_config_entry) == {}
