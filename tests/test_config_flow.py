"""Tests for the CxEngage config flow, run against the simulator on loopback."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_PASSWORD, CONF_SCAN_INTERVAL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.cxengage.connection import InputError, normalize_user_input
from custom_components.cxengage.const import (
    CONF_AUTH_METHOD,
    CONF_BASE_URL,
    CONF_REGION,
    CONF_STATISTICS,
    CONF_TENANT_ID,
    DEFAULT_STATISTICS,
    DOMAIN,
)
from simulator import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_PASSWORD,
    DEFAULT_TENANT_ID,
    DEFAULT_USERNAME,
    Fault,
    Simulator,
)

from .conftest import entry_data

OTHER_TENANT_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(autouse=True)
def skip_setup() -> Any:
    """Keep the created entry from being set up: the flow is under test here."""
    with patch(
        "custom_components.cxengage.async_setup_entry", return_value=True
    ) as mock_setup:
        yield mock_setup


def form_input(simulator: Simulator, **changes: Any) -> dict[str, Any]:
    """Return valid user step input for the simulator, with optional changes."""
    values = entry_data(simulator)
    values.update(changes)
    return values


async def start_flow(hass: HomeAssistant) -> str:
    """Open the user step and return the flow id."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result["flow_id"]


@pytest.mark.parametrize(
    ("auth_method", "username", "password"),
    [
        ("basic", DEFAULT_USERNAME, DEFAULT_PASSWORD),
        ("token", DEFAULT_USERNAME, DEFAULT_PASSWORD),
        ("api_key", DEFAULT_API_KEY, DEFAULT_API_SECRET),
    ],
)
async def test_full_user_flow(
    hass: HomeAssistant,
    simulator: Simulator,
    skip_setup: Any,
    auth_method: str,
    username: str,
    password: str,
) -> None:
    flow_id = await start_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id,
        form_input(
            simulator,
            **{
                CONF_AUTH_METHOD: auth_method,
                CONF_USERNAME: username,
                CONF_PASSWORD: password,
                # Pasted with spaces, braces and upper case: normalised, not rejected.
                CONF_TENANT_ID: f"  {{{DEFAULT_TENANT_ID.upper()}}} ",
            },
        ),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "statistics"

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_STATISTICS: ["queue-length", "service-level"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"CxEngage {DEFAULT_TENANT_ID[:8]}"
    assert result["data"] == {
        CONF_REGION: "custom",
        CONF_BASE_URL: simulator.base_url,
        CONF_TENANT_ID: DEFAULT_TENANT_ID,
        CONF_AUTH_METHOD: auth_method,
        CONF_USERNAME: username,
        CONF_PASSWORD: password,
    }
    assert result["options"] == {
        CONF_STATISTICS: [
            {"statistic": "queue-length"},
            {"statistic": "service-level"},
        ],
        CONF_SCAN_INTERVAL: 30,
    }
    assert result["result"].unique_id == f"{DEFAULT_TENANT_ID}@{simulator.base_url}"
    assert len(skip_setup.mock_calls) == 1


async def test_statistics_step_defaults(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    flow_id = await start_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, form_input(simulator)
    )

    assert result["data_schema"] is not None
    schema = result["data_schema"].schema
    default = next(key for key in schema if key == CONF_STATISTICS).default()
    assert default
    assert set(default) <= set(DEFAULT_STATISTICS)
    assert "queue-length" in default
    assert "service-level" in default


@pytest.mark.parametrize(
    ("changes", "fault", "error"),
    [
        ({CONF_PASSWORD: "wrong password"}, None, "invalid_auth"),
        (
            {CONF_AUTH_METHOD: "token", CONF_PASSWORD: "wrong password"},
            None,
            "invalid_auth",
        ),
        (
            {CONF_AUTH_METHOD: "api_key", CONF_USERNAME: DEFAULT_API_KEY},
            None,
            "invalid_auth",
        ),
        (
            {CONF_USERNAME: "viewer@example.com", CONF_PASSWORD: "viewer-pass"},
            None,
            "forbidden",
        ),
        ({CONF_TENANT_ID: OTHER_TENANT_ID}, None, "tenant_not_found"),
        ({}, Fault(endpoint="available", status=503), "cannot_connect"),
        (
            {},
            Fault(endpoint="available", status=502, body="<html>Bad gateway</html>"),
            "cannot_connect",
        ),
        ({}, Fault(endpoint="available", reset_connection=True), "cannot_connect"),
        (
            {},
            Fault(endpoint="available", status=429, headers={"Retry-After": "30"}),
            "rate_limited",
        ),
        (
            {},
            Fault(
                endpoint="available",
                status=200,
                body="<html>Sign in</html>",
                content_type="text/html",
            ),
            "invalid_response",
        ),
        ({}, Fault(endpoint="available", status=418), "unknown"),
    ],
)
async def test_connection_errors_recover(
    hass: HomeAssistant,
    simulator: Simulator,
    changes: dict[str, Any],
    fault: Fault | None,
    error: str,
) -> None:
    flow_id = await start_flow(hass)
    if fault is not None:
        simulator.add_fault(fault)

    result = await hass.config_entries.flow.async_configure(
        flow_id, form_input(simulator, **changes)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": error}

    simulator.clear_faults()
    result = await hass.config_entries.flow.async_configure(
        flow_id, form_input(simulator)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "statistics"


async def test_unreachable_host(hass: HomeAssistant, simulator: Simulator) -> None:
    flow_id = await start_flow(hass)
    values = form_input(simulator)
    await simulator.stop()

    result = await hass.config_entries.flow.async_configure(flow_id, values)
    assert result["errors"] == {"base": "cannot_connect"}


async def test_timeout_is_cannot_connect(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    flow_id = await start_flow(hass)
    simulator.add_fault(Fault(endpoint="available", status=200, delay=5))

    with patch("custom_components.cxengage.connection.REQUEST_TIMEOUT", 0.2):
        result = await hass.config_entries.flow.async_configure(
            flow_id, form_input(simulator)
        )
    assert result["errors"] == {"base": "cannot_connect"}


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({CONF_TENANT_ID: "not-a-uuid"}, CONF_TENANT_ID, "invalid_tenant_id"),
        ({CONF_TENANT_ID: "../../admin"}, CONF_TENANT_ID, "invalid_tenant_id"),
        ({CONF_TENANT_ID: DEFAULT_TENANT_ID[:-1]}, CONF_TENANT_ID, "invalid_tenant_id"),
        ({CONF_BASE_URL: "ftp://example.com"}, CONF_BASE_URL, "invalid_url"),
        ({CONF_BASE_URL: "http://example.com"}, CONF_BASE_URL, "invalid_url"),
        ({CONF_BASE_URL: "https://user:pw@example.com"}, CONF_BASE_URL, "invalid_url"),
        ({CONF_BASE_URL: "https://example.com/?x=1"}, CONF_BASE_URL, "invalid_url"),
        ({CONF_BASE_URL: ""}, CONF_BASE_URL, "invalid_url"),
        (
            {CONF_REGION: "europe", CONF_BASE_URL: "https://example.com"},
            CONF_BASE_URL,
            "base_url_not_custom",
        ),
        ({CONF_USERNAME: "   "}, CONF_USERNAME, "required"),
        ({CONF_USERNAME: "u" * 1025}, CONF_USERNAME, "too_long"),
        ({CONF_PASSWORD: "p" * 5000}, CONF_PASSWORD, "too_long"),
        ({CONF_BASE_URL: "https://" + "a" * 2000 + ".com"}, CONF_BASE_URL, "too_long"),
        ({CONF_PASSWORD: ""}, CONF_PASSWORD, "required"),
    ],
)
async def test_invalid_input_recovers(
    hass: HomeAssistant,
    simulator: Simulator,
    changes: dict[str, Any],
    field: str,
    error: str,
) -> None:
    flow_id = await start_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, form_input(simulator, **changes)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}
    assert simulator.request_counts["total"] == 0

    # The form keeps what the user typed.
    assert result["data_schema"] is not None
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    assert suggested[CONF_TENANT_ID] == form_input(simulator, **changes)[CONF_TENANT_ID]

    result = await hass.config_entries.flow.async_configure(
        flow_id, form_input(simulator)
    )
    assert result["step_id"] == "statistics"


async def test_unexpected_error_recovers(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    flow_id = await start_flow(hass)

    with patch(
        "custom_components.cxengage.config_flow.validate_connection",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, form_input(simulator)
        )
    assert result["errors"] == {"base": "unknown"}

    result = await hass.config_entries.flow.async_configure(
        flow_id, form_input(simulator)
    )
    assert result["step_id"] == "statistics"


async def test_already_configured(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    flow_id = await start_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, form_input(simulator, **{CONF_TENANT_ID: DEFAULT_TENANT_ID.upper()})
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_empty_catalogue_aborts(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    flow_id = await start_flow(hass)
    simulator.add_fault(Fault(endpoint="available", status=200, body="{}"))

    result = await hass.config_entries.flow.async_configure(
        flow_id, form_input(simulator)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_statistics_available"


async def test_no_statistic_selected_recovers(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    flow_id = await start_flow(hass)
    await hass.config_entries.flow.async_configure(flow_id, form_input(simulator))

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_STATISTICS: []}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_STATISTICS: "no_statistics_selected"}

    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_STATISTICS: ["queue-length"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_kebab_case_catalogue(hass: HomeAssistant, simulator: Simulator) -> None:
    simulator.config.catalogue_casing = "kebab"
    flow_id = await start_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        flow_id, form_input(simulator)
    )
    assert result["step_id"] == "statistics"
    assert result["data_schema"] is not None
    options = result["data_schema"].schema[CONF_STATISTICS].config["options"]
    labels = {option["value"]: option["label"] for option in options}
    assert labels["queue-length"] == "Queue Length (queue-length)"


@pytest.mark.parametrize(
    ("region", "base_url"),
    [
        ("north_america", "https://api.cxengage.net"),
        ("europe", "https://eu-west-1-prod-api.cxengage.net"),
    ],
)
def test_region_base_urls(region: str, base_url: str) -> None:
    values = {
        CONF_REGION: region,
        CONF_TENANT_ID: DEFAULT_TENANT_ID,
        CONF_AUTH_METHOD: "basic",
        CONF_USERNAME: " supervisor@example.com ",
        CONF_PASSWORD: " spaces kept ",
    }

    data = normalize_user_input(values)

    assert data[CONF_BASE_URL] == base_url
    assert data[CONF_USERNAME] == "supervisor@example.com"
    assert data[CONF_PASSWORD] == " spaces kept "


def test_input_error_names_field() -> None:
    with pytest.raises(InputError) as caught:
        normalize_user_input(
            {
                CONF_REGION: "custom",
                CONF_BASE_URL: "https://example.com/v2/path",
                CONF_TENANT_ID: DEFAULT_TENANT_ID,
                CONF_AUTH_METHOD: "basic",
                CONF_USERNAME: "user",
                CONF_PASSWORD: "pw",
            }
        )
    assert caught.value.field == CONF_BASE_URL
    assert caught.value.error == "invalid_url"


async def test_reauth_flow(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_PASSWORD: "old"}
    )

    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_USERNAME: DEFAULT_USERNAME, CONF_PASSWORD: "still wrong"},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: "  ", CONF_PASSWORD: DEFAULT_PASSWORD}
    )
    assert result["errors"] == {CONF_USERNAME: "required"}

    with patch(
        "custom_components.cxengage.config_flow.validate_connection",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_USERNAME: DEFAULT_USERNAME, CONF_PASSWORD: DEFAULT_PASSWORD},
        )
    assert result["errors"] == {"base": "unknown"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_USERNAME: DEFAULT_USERNAME, CONF_PASSWORD: DEFAULT_PASSWORD},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_PASSWORD] == DEFAULT_PASSWORD
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_reconfigure_flow(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    mock_config_entry.add_to_hass(hass)

    result = await mock_config_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"

    # A wrong secret fails and the form comes back.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        form_input(
            simulator,
            **{CONF_AUTH_METHOD: "api_key", CONF_USERNAME: DEFAULT_API_KEY},
        ),
    )
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        form_input(
            simulator,
            **{
                CONF_AUTH_METHOD: "api_key",
                CONF_USERNAME: DEFAULT_API_KEY,
                CONF_PASSWORD: DEFAULT_API_SECRET,
            },
        ),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_AUTH_METHOD] == "api_key"
    assert mock_config_entry.data[CONF_PASSWORD] == DEFAULT_API_SECRET
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_reconfigure_keeps_password(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reconfigure_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        form_input(simulator, **{CONF_AUTH_METHOD: "token", CONF_PASSWORD: ""}),
    )

    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_AUTH_METHOD] == "token"
    assert mock_config_entry.data[CONF_PASSWORD] == DEFAULT_PASSWORD


async def test_reconfigure_other_tenant_aborts(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        data={**mock_config_entry.data, CONF_TENANT_ID: OTHER_TENANT_ID},
    )
    result = await mock_config_entry.start_reconfigure_flow(hass)

    # The simulator's tenant is valid, but it is not this entry's tenant.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input(simulator)
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_tenant"
    assert mock_config_entry.data[CONF_TENANT_ID] == OTHER_TENANT_ID


async def test_reconfigure_onto_existing_entry_aborts(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    other = MockConfigEntry(
        domain=DOMAIN,
        unique_id=f"{DEFAULT_TENANT_ID}@http://127.0.0.2:1",
        data={**mock_config_entry.data, CONF_BASE_URL: "http://127.0.0.2:1"},
    )
    other.add_to_hass(hass)
    result = await other.start_reconfigure_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], form_input(simulator)
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
