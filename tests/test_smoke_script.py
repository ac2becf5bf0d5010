"""Tests for scripts/demo_ha.py, the HTTP client behind scripts/demo and scripts/smoke.

The HTTP tests drive a test Home Assistant through its real config flow API with
the simulator on loopback, as the scripts do against the demo. The check that a
sensor value changes needs real time to pass and runs only in scripts/smoke.
"""

from __future__ import annotations

from typing import Any

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.cxengage.api import (
    InvalidTenantIdError,
    normalize_base_url,
    normalize_tenant_id,
)
from custom_components.cxengage.const import CONF_STATISTICS, DEFAULT_STATISTICS, DOMAIN
from scripts.demo_ha import (
    EXTRA_STATISTICS,
    LISTEN_HOST,
    MIN_SENSORS,
    DemoError,
    HomeAssistantApi,
    add_cxengage_entry,
    check_already_configured,
    check_form_error,
    choose_statistics,
    closed_port,
    confirm_http_config,
    connection_input,
    numeric_states,
)
from simulator import DEFAULT_TENANT_ID, Simulator


def statistics_field(default: list[str], options: list[str]) -> list[dict[str, Any]]:
    """Return a serialized statistics form, as the config flow API sends it."""
    return [
        {
            "name": "statistics",
            "required": True,
            "default": default,
            "selector": {
                "select": {
                    "options": [{"value": name, "label": name} for name in options],
                    "multiple": True,
                }
            },
        }
    ]


def test_choose_statistics_adds_extras() -> None:
    options = ["queue-length", "service-level", *EXTRA_STATISTICS, "queue-time"]
    chosen = choose_statistics(
        statistics_field(["queue-length", "service-level"], options)
    )
    assert chosen[:2] == ["queue-length", "service-level"]
    assert chosen[2:5] == list(EXTRA_STATISTICS)
    assert "queue-time" not in chosen


def test_choose_statistics_fills_to_minimum() -> None:
    options = ["a-count", "b-count", "c-count", "d-count", "e-count", "f-count"]
    chosen = choose_statistics(statistics_field(["b-count"], options))
    assert len(chosen) == MIN_SENSORS
    assert chosen[0] == "b-count"
    assert len(set(chosen)) == len(chosen)


def test_choose_statistics_skips_unknown_default() -> None:
    options = ["a-count", "b-count"]
    chosen = choose_statistics(statistics_field(["gone-count", "a-count"], options))
    assert chosen == ["a-count", "b-count"]


def test_choose_statistics_missing_field() -> None:
    with pytest.raises(DemoError, match="no 'statistics' field"):
        choose_statistics([{"name": "other"}])
    with pytest.raises(DemoError, match="no select options"):
        choose_statistics([{"name": "statistics", "selector": {}}])


def test_numeric_states_keeps_numeric_sensors() -> None:
    states = {
        "sensor.cxengage_a": "12",
        "sensor.cxengage_b": "81.5",
        "sensor.cxengage_c": "unavailable",
        "sensor.cxengage_d": "unknown",
        "binary_sensor.cxengage_e": "1",
    }
    assert numeric_states(states) == {
        "sensor.cxengage_a": 12.0,
        "sensor.cxengage_b": 81.5,
    }


def test_connection_input_passes_validation() -> None:
    values = connection_input("http://127.0.0.1:8900/")
    assert normalize_base_url(values["base_url"]) == "http://127.0.0.1:8900"
    assert normalize_tenant_id(values["tenant_id"]) == DEFAULT_TENANT_ID


def test_malformed_tenant_is_rejected() -> None:
    values = connection_input("http://127.0.0.1:8900", tenant_id="not-a-tenant-id")
    with pytest.raises(InvalidTenantIdError):
        normalize_tenant_id(values["tenant_id"])


def test_closed_port_is_free(socket_enabled: None) -> None:
    port = closed_port()
    assert 0 < port < 65536


@pytest.fixture
async def api(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, simulator: Simulator
) -> HomeAssistantApi:
    """Return the script's client for a test Home Assistant with the config API.

    The test client signs every request in as an admin, so no login is needed.
    """
    assert await async_setup_component(hass, "config", {})
    assert await async_setup_component(hass, "api", {})
    client = await hass_client()
    return HomeAssistantApi(client.session, str(client.make_url("")))


async def test_add_entry_through_http(
    hass: HomeAssistant, api: HomeAssistantApi, simulator: Simulator
) -> None:
    await add_cxengage_entry(api, simulator.base_url)
    await hass.async_block_till_done()

    entries = hass.config_entries.async_entries(DOMAIN)
    assert len(entries) == 1
    tracked = [item["statistic"] for item in entries[0].options[CONF_STATISTICS]]
    assert tracked[: len(DEFAULT_STATISTICS)] == list(DEFAULT_STATISTICS)
    assert set(EXTRA_STATISTICS) <= set(tracked)
    assert not hass.config_entries.flow.async_progress()

    states = await api.integration_states(DOMAIN)
    assert len(numeric_states(states)) >= MIN_SENSORS

    # A second run finds the entry and adds nothing.
    await add_cxengage_entry(api, simulator.base_url)
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"password": "wrong-password"}, "base:invalid_auth"),
        ({"tenant_id": "not-a-tenant-id"}, "tenant_id:invalid_tenant_id"),
    ],
)
async def test_form_error_checks_pass(
    hass: HomeAssistant,
    api: HomeAssistantApi,
    simulator: Simulator,
    changes: dict[str, str],
    error: str,
) -> None:
    user_input = connection_input(simulator.base_url, **changes)
    result = await check_form_error(api, "check", user_input, error)
    assert result.passed, result.detail
    assert not hass.config_entries.flow.async_progress()


async def test_cannot_connect_check_passes(
    hass: HomeAssistant, api: HomeAssistantApi
) -> None:
    user_input = connection_input(f"http://127.0.0.1:{closed_port()}")
    result = await check_form_error(api, "check", user_input, "base:cannot_connect")
    assert result.passed, result.detail
    assert not hass.config_entries.flow.async_progress()


async def test_form_error_check_fails_on_other_error(
    hass: HomeAssistant, api: HomeAssistantApi, simulator: Simulator
) -> None:
    user_input = connection_input(simulator.base_url, password="wrong-password")
    result = await check_form_error(api, "check", user_input, "base:cannot_connect")
    assert not result.passed
    assert "invalid_auth" in result.detail
    assert not hass.config_entries.flow.async_progress()


async def test_already_configured_check(
    hass: HomeAssistant, api: HomeAssistantApi, simulator: Simulator
) -> None:
    result = await check_already_configured(api, simulator.base_url)
    assert not result.passed
    assert not hass.config_entries.flow.async_progress()

    await add_cxengage_entry(api, simulator.base_url)
    await hass.async_block_till_done()
    result = await check_already_configured(api, simulator.base_url)
    assert result.passed, result.detail
    assert not hass.config_entries.flow.async_progress()


# The demo runs the newest pinned Home Assistant; the http/config websocket command
# it confirms the listening address with does not exist in 2026.3.
@pytest.mark.skipif(
    (MAJOR_VERSION, MINOR_VERSION) < (2026, 10),
    reason="http/config arrived after Home Assistant 2026.3",
)
@pytest.mark.parametrize("http_config", [{"server_host": LISTEN_HOST}, {}])
async def test_confirm_http_config(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_access_token: str,
    http_config: dict[str, str],
) -> None:
    # configuration.yaml's http: becomes a pending configuration, as in the demo.
    assert await async_setup_component(hass, "http", {"http": http_config})
    assert await async_setup_component(hass, "websocket_api", {})
    client = await hass_client()
    api = HomeAssistantApi(client.session, str(client.make_url("")))
    api.access_token = hass_access_token

    if not http_config:
        with pytest.raises(DemoError, match="every interface"):
            await confirm_http_config(api)
        return

    config = await api.websocket_command({"type": "http/config"})
    assert config["pending"]["server_host"] == [LISTEN_HOST]

    await confirm_http_config(api)
    config = await api.websocket_command({"type": "http/config"})
    assert config["pending"] is None
    assert config["stable"]["server_host"] == [LISTEN_HOST]
