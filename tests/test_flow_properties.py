"""Tests of bad input in the config, reauth, reconfigure and options flows.

A table of known bad inputs checks each error the user gets. Hypothesis then
feeds arbitrary strings to every flow and arbitrary JSON to a poll, and checks
that nothing but a form error, an abort or a failed poll comes out.
"""

from __future__ import annotations

from collections.abc import Generator
import ipaddress
import json
import logging
import socket
from typing import Any
from unittest.mock import patch

from aiohttp.resolver import AsyncResolver
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntryState,
    ConfigFlowResult,
)
from homeassistant.const import CONF_PASSWORD, CONF_SCAN_INTERVAL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers.translation import async_get_translations
from homeassistant.helpers.update_coordinator import UpdateFailed
from hypothesis import HealthCheck, assume, event, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.cxengage.api import CxEngageInvalidResponseError
from custom_components.cxengage.connection import InputError, normalize_user_input
from custom_components.cxengage.const import (
    CONF_AUTH_METHOD,
    CONF_BASE_URL,
    CONF_REGION,
    CONF_STATISTICS,
    CONF_TENANT_ID,
    DOMAIN,
)
from custom_components.cxengage.coordinator import CxEngageCoordinator
from simulator import (
    AGENT_IDS,
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_TENANT_ID,
    DEFAULT_USERNAME,
    QUEUE_IDS,
    STATISTICS,
    Fault,
    Simulator,
)

from .conftest import entry_data

# The user step's input passed every check and the flow moved on.
ACCEPTED = "accepted"
TENANT = DEFAULT_TENANT_ID

# Hypothesis runs every example in the same Home Assistant, so the function-scoped
# fixtures are shared on purpose.
PROPERTY_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def refuse_dns() -> Generator[list[str]]:
    """Fail every DNS lookup of Home Assistant's session, and record the names.

    The session resolves with aiodns, which would send real queries. A region's
    default API host therefore fails to connect without any packet leaving.
    """
    lookups: list[str] = []

    async def resolve(
        _self: AsyncResolver, host: str, port: int = 0, family: int = socket.AF_INET
    ) -> list[dict[str, Any]]:
        lookups.append(host)
        raise OSError(None, "DNS lookup failed")

    with patch.object(AsyncResolver, "resolve", resolve):
        yield lookups


async def error_keys(hass: HomeAssistant, category: str) -> set[str]:
    """Return the error keys that the English translations define for a flow."""
    translations = await async_get_translations(hass, "en", category, [DOMAIN])
    prefix = f"component.{DOMAIN}.{category}.error."
    return {key.removeprefix(prefix) for key in translations if key.startswith(prefix)}


async def submit_user_step(
    hass: HomeAssistant, values: dict[str, Any]
) -> ConfigFlowResult:
    """Submit the user step once, leaving no flow in progress."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], values)
    abort_if_open(hass, result["flow_id"])
    return result


def abort_if_open(hass: HomeAssistant, flow_id: str) -> None:
    """Abort a config flow unless it already ended."""
    progress = hass.config_entries.flow.async_progress()
    if any(flow["flow_id"] == flow_id for flow in progress):
        hass.config_entries.flow.async_abort(flow_id)


# Known bad input of the user step.


USER_STEP_CASES: list[tuple[str, dict[str, str], str | dict[str, str]]] = [
    # Tenant IDs.
    (
        "tenant_inner_spaces",
        {CONF_TENANT_ID: TENANT.replace("-", " ")},
        {CONF_TENANT_ID: "invalid_tenant_id"},
    ),
    ("tenant_outer_spaces", {CONF_TENANT_ID: f"  {TENANT}\t"}, ACCEPTED),
    ("tenant_upper_case", {CONF_TENANT_ID: TENANT.upper()}, ACCEPTED),
    ("tenant_braces", {CONF_TENANT_ID: f"{{{TENANT}}}"}, ACCEPTED),
    (
        "tenant_one_brace",
        {CONF_TENANT_ID: f"{{{TENANT}"},
        {CONF_TENANT_ID: "invalid_tenant_id"},
    ),
    (
        "tenant_double_braces",
        {CONF_TENANT_ID: f"{{{{{TENANT}}}}}"},
        {CONF_TENANT_ID: "invalid_tenant_id"},
    ),
    (
        "tenant_too_long",
        {CONF_TENANT_ID: f"{TENANT}0"},
        {CONF_TENANT_ID: "invalid_tenant_id"},
    ),
    (
        "tenant_too_short",
        {CONF_TENANT_ID: TENANT[:-2]},
        {CONF_TENANT_ID: "invalid_tenant_id"},
    ),
    (
        "tenant_without_dashes",
        {CONF_TENANT_ID: TENANT.replace("-", "")},
        {CONF_TENANT_ID: "invalid_tenant_id"},
    ),
    (
        "tenant_urn",
        {CONF_TENANT_ID: f"urn:uuid:{TENANT}"},
        {CONF_TENANT_ID: "invalid_tenant_id"},
    ),
    (
        "tenant_arabic_digit",
        {CONF_TENANT_ID: TENANT.replace("5", "\u0665")},
        {CONF_TENANT_ID: "invalid_tenant_id"},
    ),
    ("tenant_empty", {CONF_TENANT_ID: ""}, {CONF_TENANT_ID: "invalid_tenant_id"}),
    (
        "tenant_whitespace",
        {CONF_TENANT_ID: " \t "},
        {CONF_TENANT_ID: "invalid_tenant_id"},
    ),
    ("tenant_very_long", {CONF_TENANT_ID: "a" * 5000}, {CONF_TENANT_ID: "too_long"}),
    # Base URLs. "<base>" stands for the simulator's URL.
    (
        "url_credentials",
        {CONF_BASE_URL: "https://user:secret@127.0.0.1"},
        {CONF_BASE_URL: "invalid_url"},
    ),
    (
        "url_user_only",
        {CONF_BASE_URL: "https://user@127.0.0.1"},
        {CONF_BASE_URL: "invalid_url"},
    ),
    ("url_path", {CONF_BASE_URL: "<base>/api"}, {CONF_BASE_URL: "invalid_url"}),
    ("url_other_version", {CONF_BASE_URL: "<base>/v2"}, {CONF_BASE_URL: "invalid_url"}),
    ("url_path_v1", {CONF_BASE_URL: "<base>/v1"}, ACCEPTED),
    ("url_trailing_slash", {CONF_BASE_URL: "<base>/"}, ACCEPTED),
    ("url_outer_spaces", {CONF_BASE_URL: "  <base>  "}, ACCEPTED),
    ("url_query", {CONF_BASE_URL: "<base>?tenant=x"}, {CONF_BASE_URL: "invalid_url"}),
    ("url_fragment", {CONF_BASE_URL: "<base>#top"}, {CONF_BASE_URL: "invalid_url"}),
    (
        "url_ftp",
        {CONF_BASE_URL: "ftp://127.0.0.1"},
        {CONF_BASE_URL: "invalid_url"},
    ),
    ("url_file", {CONF_BASE_URL: "file:///etc/passwd"}, {CONF_BASE_URL: "invalid_url"}),
    (
        "url_javascript",
        {CONF_BASE_URL: "javascript:alert(1)"},
        {CONF_BASE_URL: "invalid_url"},
    ),
    (
        "url_websocket",
        {CONF_BASE_URL: "ws://127.0.0.1:8123"},
        {CONF_BASE_URL: "invalid_url"},
    ),
    (
        "url_without_scheme",
        {CONF_BASE_URL: "127.0.0.1:8123"},
        {CONF_BASE_URL: "invalid_url"},
    ),
    (
        "url_plain_http_remote",
        {CONF_BASE_URL: "http://192.168.1.10"},
        {CONF_BASE_URL: "invalid_url"},
    ),
    (
        "url_port_out_of_range",
        {CONF_BASE_URL: "https://127.0.0.1:70000"},
        {CONF_BASE_URL: "invalid_url"},
    ),
    (
        "url_port_zero",
        {CONF_BASE_URL: "https://127.0.0.1:0"},
        {CONF_BASE_URL: "invalid_url"},
    ),
    (
        "url_backslash",
        {CONF_BASE_URL: "https://127.0.0.1\\@example.com"},
        {CONF_BASE_URL: "invalid_url"},
    ),
    (
        "url_inner_space",
        {CONF_BASE_URL: "https://exa mple.com"},
        {CONF_BASE_URL: "invalid_url"},
    ),
    (
        "url_bad_host",
        {CONF_BASE_URL: "https://-bad-.example"},
        {CONF_BASE_URL: "invalid_url"},
    ),
    ("url_whitespace", {CONF_BASE_URL: "  \t"}, {CONF_BASE_URL: "invalid_url"}),
    # Usernames.
    ("username_empty", {CONF_USERNAME: ""}, {CONF_USERNAME: "required"}),
    ("username_whitespace", {CONF_USERNAME: " \t\n "}, {CONF_USERNAME: "required"}),
    ("username_outer_spaces", {CONF_USERNAME: f"  {DEFAULT_USERNAME} "}, ACCEPTED),
    (
        "username_at_length_limit",
        {CONF_USERNAME: "u" * 1024},
        {"base": "invalid_auth"},
    ),
    ("username_too_long", {CONF_USERNAME: "u" * 1025}, {CONF_USERNAME: "too_long"}),
    (
        "username_non_ascii",
        {CONF_USERNAME: "süpervisör@exämple.com"},
        {"base": "invalid_auth"},
    ),
    # Passwords. Spaces may belong to a password, so the API judges them.
    ("password_whitespace", {CONF_PASSWORD: "   "}, {"base": "invalid_auth"}),
    (
        "password_at_length_limit",
        {CONF_PASSWORD: "p" * 1024},
        {"base": "invalid_auth"},
    ),
    ("password_too_long", {CONF_PASSWORD: "p" * 1025}, {CONF_PASSWORD: "too_long"}),
]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(changes, expected, id=name)
        for name, changes, expected in USER_STEP_CASES
    ],
)
@pytest.mark.parametrize("auth_method", ["basic", "token"])
async def test_user_step_input(
    hass: HomeAssistant,
    simulator: Simulator,
    refuse_dns: list[str],
    changes: dict[str, str],
    expected: str | dict[str, str],
    auth_method: str,
) -> None:
    values = entry_data(simulator, **{CONF_AUTH_METHOD: auth_method})
    values.update(
        {
            key: value.replace("<base>", simulator.base_url)
            for key, value in changes.items()
        }
    )

    result = await submit_user_step(hass, values)

    assert refuse_dns == []
    if expected == ACCEPTED:
        assert result["step_id"] == "statistics"
        return
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    errors = result["errors"] or {}
    assert errors == expected
    assert set(errors.values()) <= await error_keys(hass, "config")
    if "base" not in expected:
        # A field error needs no request.
        assert simulator.request_counts["total"] == 0


@pytest.mark.parametrize("step", ["user", "reauth"])
async def test_username_with_colon_is_field_error(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    step: str,
) -> None:
    # HTTP Basic cannot send a username that contains ':' (RFC 7617).
    username = "super:visor@example.com"
    if step == "user":
        result = await submit_user_step(
            hass, entry_data(simulator, **{CONF_USERNAME: username})
        )
    else:
        mock_config_entry.add_to_hass(hass)
        result = await mock_config_entry.start_reauth_flow(hass)
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_USERNAME: username, CONF_PASSWORD: "x"}
        )

    assert result["type"] is FlowResultType.FORM
    errors = result["errors"] or {}
    assert set(errors) == {CONF_USERNAME}
    assert set(errors.values()) <= await error_keys(hass, "config")


async def test_api_key_with_token_method_is_invalid_auth(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    # The user picked "token" but entered an API key and secret.
    values = entry_data(
        simulator,
        **{
            CONF_AUTH_METHOD: "token",
            CONF_USERNAME: DEFAULT_API_KEY,
            CONF_PASSWORD: DEFAULT_API_SECRET,
        },
    )

    result = await submit_user_step(hass, values)

    assert result["errors"] == {"base": "invalid_auth"}


@pytest.mark.parametrize(
    "password",
    [
        "пароль:密码🔑",
        ":leading colon",
        "trailing colon:",
        "a:b:c",
        " padded ",
        "tab\there",
        'quote"back\\slash',
        "ümlaut",
    ],
)
@pytest.mark.parametrize("auth_method", ["basic", "token"])
async def test_unusual_password_accepted(
    hass: HomeAssistant, simulator: Simulator, password: str, auth_method: str
) -> None:
    simulator.config.password = password
    values = entry_data(
        simulator, **{CONF_AUTH_METHOD: auth_method, CONF_PASSWORD: password}
    )

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], values)
    assert result["step_id"] == "statistics"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_STATISTICS: ["queue-length"]}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    # Stored exactly as typed, and the entry signs in with it.
    assert result["data"][CONF_PASSWORD] == password
    entry = result["result"]
    assert entry.runtime_data.last_update_success
    state = hass.states.get(f"sensor.cxengage_{TENANT[:8]}_queue_length")
    assert state is not None
    assert state.state.isdigit()


async def test_default_region_fails_without_network(
    hass: HomeAssistant, simulator: Simulator, refuse_dns: list[str]
) -> None:
    values = entry_data(simulator, **{CONF_REGION: "europe", CONF_BASE_URL: ""})

    result = await submit_user_step(hass, values)

    # The lookup of the region's host failed here, so no packet left the machine.
    assert refuse_dns == ["eu-west-1-prod-api.cxengage.net"]
    assert result["errors"] == {"base": "cannot_connect"}


# Known bad input of the reauth, reconfigure and options flows.


@pytest.mark.parametrize(
    ("username", "password", "errors"),
    [
        ("", "secret", {CONF_USERNAME: "required"}),
        (" \t ", "secret", {CONF_USERNAME: "required"}),
        ("u" * 1025, "secret", {CONF_USERNAME: "too_long"}),
        (DEFAULT_USERNAME, "", {CONF_PASSWORD: "required"}),
        (DEFAULT_USERNAME, "p" * 5000, {CONF_PASSWORD: "too_long"}),
        (DEFAULT_USERNAME, "   ", {"base": "invalid_auth"}),
        ("süpervisör", "пароль", {"base": "invalid_auth"}),
    ],
    ids=[
        "username_empty",
        "username_whitespace",
        "username_too_long",
        "password_empty",
        "password_too_long",
        "password_whitespace",
        "non_ascii",
    ],
)
async def test_reauth_input(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    username: str,
    password: str,
    errors: dict[str, str],
) -> None:
    mock_config_entry.add_to_hass(hass)
    stored = dict(mock_config_entry.data)
    result = await mock_config_entry.start_reauth_flow(hass)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_USERNAME: username, CONF_PASSWORD: password}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == errors
    assert set(errors.values()) <= await error_keys(hass, "config")
    assert dict(mock_config_entry.data) == stored

    # Stripped of surrounding spaces, the right username still works.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_USERNAME: f" {DEFAULT_USERNAME} ",
            CONF_PASSWORD: stored[CONF_PASSWORD],
        },
    )
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_USERNAME] == DEFAULT_USERNAME


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({CONF_TENANT_ID: "not-a-uuid"}, {CONF_TENANT_ID: "invalid_tenant_id"}),
        ({CONF_TENANT_ID: ""}, {CONF_TENANT_ID: "invalid_tenant_id"}),
        (
            {CONF_BASE_URL: "https://user:pw@127.0.0.1"},
            {CONF_BASE_URL: "invalid_url"},
        ),
        ({CONF_BASE_URL: "http://example.com"}, {CONF_BASE_URL: "invalid_url"}),
        ({CONF_BASE_URL: "<base>/admin"}, {CONF_BASE_URL: "invalid_url"}),
        (
            {CONF_REGION: "europe", CONF_BASE_URL: "<base>"},
            {CONF_BASE_URL: "base_url_not_custom"},
        ),
        ({CONF_USERNAME: " "}, {CONF_USERNAME: "required"}),
        ({CONF_PASSWORD: "x" * 1025}, {CONF_PASSWORD: "too_long"}),
    ],
    ids=[
        "tenant_invalid",
        "tenant_empty",
        "url_credentials",
        "url_plain_http_remote",
        "url_path",
        "url_not_custom",
        "username_whitespace",
        "password_too_long",
    ],
)
async def test_reconfigure_input(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    changes: dict[str, str],
    errors: dict[str, str],
) -> None:
    mock_config_entry.add_to_hass(hass)
    stored = dict(mock_config_entry.data)
    result = await mock_config_entry.start_reconfigure_flow(hass)
    values = entry_data(simulator)
    values.update(
        {
            key: value.replace("<base>", simulator.base_url)
            for key, value in changes.items()
        }
    )

    result = await hass.config_entries.flow.async_configure(result["flow_id"], values)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert set(errors.values()) <= await error_keys(hass, "config")
    assert dict(mock_config_entry.data) == stored
    assert simulator.request_counts["total"] == 0

    # The same tenant in upper case and braces is normalised, not rejected.
    values = entry_data(simulator, **{CONF_TENANT_ID: f" {{{TENANT.upper()}}} "})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], values)
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_TENANT_ID] == TENANT


@pytest.mark.parametrize(
    "scan_interval",
    [9, 3601, -30, "30 s", "", None, [30]],
    ids=["below_minimum", "above_maximum", "negative", "text", "empty", "null", "list"],
)
async def test_options_scan_interval_rejected(
    hass: HomeAssistant, init_integration: MockConfigEntry, scan_interval: object
) -> None:
    options = dict(init_integration.options)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)

    with pytest.raises(InvalidData) as raised:
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            {CONF_STATISTICS: ["queue-length"], CONF_SCAN_INTERVAL: scan_interval},
        )

    assert set(raised.value.schema_errors) == {CONF_SCAN_INTERVAL}
    assert dict(init_integration.options) == options
    # The form stays open and takes a valid value.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_STATISTICS: ["queue-length"], CONF_SCAN_INTERVAL: 45}
    )
    assert result["step_id"] == "filters"


@pytest.mark.parametrize(
    ("step", "user_input", "field"),
    [
        (
            "init",
            {CONF_STATISTICS: ["../../users"], CONF_SCAN_INTERVAL: 30},
            "statistics",
        ),
        (
            "init",
            {CONF_STATISTICS: "queue-length", CONF_SCAN_INTERVAL: 30},
            "statistics",
        ),
        ("filters", {"queues": ["not-a-listed-queue"]}, "queues"),
        ("filters", {"agents": [f"{QUEUE_IDS['Sales']}&x=1"]}, "agents"),
        ("filters", {"queue_statistics": ["no-such-statistic"]}, "queue_statistics"),
    ],
    ids=[
        "statistic_not_offered",
        "statistics_not_a_list",
        "queue_not_listed",
        "agent_injected",
        "queue_statistic_not_offered",
    ],
)
async def test_options_choices_outside_lists_rejected(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    step: str,
    user_input: dict[str, object],
    field: str,
) -> None:
    options = dict(init_integration.options)
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    if step == "filters":
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            {CONF_STATISTICS: ["queue-length"], CONF_SCAN_INTERVAL: 30},
        )
        assert result["step_id"] == "filters"

    with pytest.raises(InvalidData) as raised:
        await hass.config_entries.options.async_configure(result["flow_id"], user_input)

    assert set(raised.value.schema_errors) == {field}
    assert dict(init_integration.options) == options


# Property tests. Each draws input inside the test, because the simulator's
# port is known only at run time.


def connects_elsewhere(values: dict[str, Any]) -> bool:
    """Return whether the input is valid with an IP address other than 127.0.0.1.

    The test must not connect to such an address, and the test plugin allows
    only 127.0.0.1. A host name is fine, because the test's resolver fails every
    lookup.
    """
    try:
        data = normalize_user_input(values)
    except InputError, ValueError, KeyError:
        return False
    host = URL(data[CONF_BASE_URL]).host or ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address != ipaddress.ip_address("127.0.0.1")


def mostly[T](
    usual: st.SearchStrategy[T], other: st.SearchStrategy[T], *, one_in: int = 3
) -> st.SearchStrategy[T]:
    """Draw from `other` about once in `one_in` draws, else from `usual`."""
    return st.integers(min_value=1, max_value=one_in).flatmap(
        lambda roll: other if roll == one_in else usual
    )


def user_step_input(base_url: str) -> st.SearchStrategy[dict[str, Any]]:
    """Draw user step input: arbitrary text, or text close to valid input."""
    near_urls = st.sampled_from(
        [
            base_url,
            f"{base_url}/v1",
            f" {base_url}/ ",
            base_url.replace("http", "https"),
        ]
    )
    near_tenants = st.sampled_from([TENANT, TENANT.upper(), f" {{{TENANT}}} "])
    regions = st.sampled_from(["custom", "custom", "custom", "europe"])
    auth_methods = st.sampled_from(["basic", "token", "api_key"])
    usernames = st.sampled_from([DEFAULT_USERNAME, DEFAULT_API_KEY])
    passwords = st.sampled_from(["s3cret:pässword", DEFAULT_API_SECRET])
    return st.fixed_dictionaries(
        {
            CONF_REGION: mostly(regions, st.text(), one_in=10),
            CONF_BASE_URL: mostly(near_urls, st.text()),
            CONF_TENANT_ID: mostly(near_tenants, st.text()),
            CONF_AUTH_METHOD: mostly(auth_methods, st.text(max_size=8), one_in=10),
            CONF_USERNAME: mostly(usernames, st.text()),
            CONF_PASSWORD: mostly(passwords, st.text()),
        }
    )


class FlowChecker:
    """Checker of flow results: a form, an abort, an entry or a schema error."""

    def __init__(self, hass: HomeAssistant, caplog: pytest.LogCaptureFixture) -> None:
        """Start with no results checked."""
        self.hass = hass
        self.caplog = caplog
        self.error_keys: set[str] = set()

    async def load(self, category: str) -> None:
        """Load the error keys that the translations define."""
        self.error_keys = await error_keys(self.hass, category)

    def check(
        self,
        result: ConfigFlowResult | InvalidData,
        *,
        steps: set[str],
        reasons: set[str],
        fields: set[str],
    ) -> None:
        """Check a flow result, or the schema error that the flow raised."""
        if isinstance(result, InvalidData):
            assert set(result.schema_errors) <= fields, result.schema_errors
            outcome = f"schema_error:{','.join(sorted(result.schema_errors))}"
        elif result["type"] is FlowResultType.FORM:
            assert result["step_id"] in steps
            errors = result["errors"] or {}
            assert set(errors.values()) <= self.error_keys, errors
            outcome = f"{result['step_id']}:{','.join(sorted(errors.values()))}"
        else:
            assert result["type"] in {
                FlowResultType.ABORT,
                FlowResultType.CREATE_ENTRY,
            }, result
            if result["type"] is FlowResultType.ABORT:
                assert result["reason"] in reasons, result["reason"]
            outcome = str(result["type"])
        event(outcome)
        errors_logged = [
            record.getMessage()
            for record in self.caplog.records
            if record.levelno >= logging.ERROR
        ]
        assert errors_logged == []


async def configure(
    hass: HomeAssistant, flow_id: str, values: dict[str, Any]
) -> ConfigFlowResult | InvalidData:
    """Submit a config flow step, returning a schema error instead of raising it."""
    try:
        return await hass.config_entries.flow.async_configure(flow_id, values)
    except InvalidData as err:
        return err


USER_FIELDS = {
    CONF_REGION,
    CONF_BASE_URL,
    CONF_TENANT_ID,
    CONF_AUTH_METHOD,
    CONF_USERNAME,
    CONF_PASSWORD,
}


@pytest.mark.usefixtures("refuse_dns")
@PROPERTY_SETTINGS
@given(data=st.data())
async def test_user_step_never_raises(
    hass: HomeAssistant,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
) -> None:
    values = data.draw(user_step_input(simulator.base_url))
    assume(not connects_elsewhere(values))
    checker = FlowChecker(hass, caplog)
    await checker.load("config")

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    submitted = await configure(hass, result["flow_id"], values)
    abort_if_open(hass, result["flow_id"])

    checker.check(
        submitted,
        steps={"user", "statistics"},
        reasons={"already_in_progress", "no_statistics_available"},
        fields=USER_FIELDS,
    )


@pytest.mark.usefixtures("refuse_dns")
@PROPERTY_SETTINGS
@given(data=st.data())
async def test_reconfigure_never_raises(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    data: st.DataObject,
) -> None:
    values = data.draw(user_step_input(simulator.base_url))
    assume(not connects_elsewhere(values))
    if mock_config_entry.entry_id not in {
        entry.entry_id for entry in hass.config_entries.async_entries(DOMAIN)
    }:
        mock_config_entry.add_to_hass(hass)
    checker = FlowChecker(hass, caplog)
    await checker.load("config")

    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_RECONFIGURE, "entry_id": mock_config_entry.entry_id},
    )
    submitted = await configure(hass, result["flow_id"], values)
    abort_if_open(hass, result["flow_id"])
    await hass.async_block_till_done()

    checker.check(
        submitted,
        steps={"reconfigure"},
        reasons={"reconfigure_successful", "wrong_tenant", "already_configured"},
        fields=USER_FIELDS,
    )
    assert mock_config_entry.data[CONF_TENANT_ID] == TENANT


@PROPERTY_SETTINGS
@given(username=st.text(), password=st.text())
async def test_reauth_never_raises(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    username: str,
    password: str,
) -> None:
    if mock_config_entry.entry_id not in {
        entry.entry_id for entry in hass.config_entries.async_entries(DOMAIN)
    }:
        mock_config_entry.add_to_hass(hass)
    checker = FlowChecker(hass, caplog)
    await checker.load("config")

    result = await mock_config_entry.start_reauth_flow(hass)
    submitted = await configure(
        hass, result["flow_id"], {CONF_USERNAME: username, CONF_PASSWORD: password}
    )
    abort_if_open(hass, result["flow_id"])

    checker.check(
        submitted,
        steps={"reauth_confirm"},
        reasons={"reauth_successful"},
        fields={CONF_USERNAME, CONF_PASSWORD},
    )


def options_input() -> st.SearchStrategy[dict[str, Any]]:
    """Draw the options' first step: statistics and an interval, valid or not."""
    names = mostly(st.sampled_from(sorted(STATISTICS)), st.text(max_size=20), one_in=8)
    interval = mostly(
        st.integers(min_value=10, max_value=3600),
        st.integers(min_value=-100, max_value=5000)
        | st.floats(allow_nan=False)
        | st.text(max_size=8)
        | st.none(),
    )
    return st.fixed_dictionaries(
        {CONF_STATISTICS: st.lists(names, max_size=4), CONF_SCAN_INTERVAL: interval}
    )


def filters_input() -> st.SearchStrategy[dict[str, Any]]:
    """Draw the options' filters step: statistics and ids, valid or not."""
    queues = mostly(st.sampled_from(list(QUEUE_IDS.values())), st.text(max_size=40))
    agents = mostly(st.sampled_from(list(AGENT_IDS.values())), st.text(max_size=40))
    queue_statistics = mostly(
        st.sampled_from(["queue-length", "service-level"]), st.text(max_size=10)
    )
    agent_statistics = st.sampled_from(["resource-handle-time", "work-accepted-count"])
    return st.fixed_dictionaries(
        {},
        optional={
            "queue_statistics": st.lists(queue_statistics, max_size=2),
            "queues": st.lists(queues, max_size=2),
            "agent_statistics": st.lists(agent_statistics, max_size=2),
            "agents": st.lists(agents, max_size=2),
        },
    )


@settings(PROPERTY_SETTINGS, max_examples=60)
@given(first=options_input(), second=filters_input())
async def test_options_never_raise(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    first: dict[str, Any],
    second: dict[str, Any],
) -> None:
    checker = FlowChecker(hass, caplog)
    await checker.load("options")
    manager = hass.config_entries.options

    result = await manager.async_init(init_integration.entry_id)
    flow_id = result["flow_id"]
    submitted: ConfigFlowResult | InvalidData
    try:
        submitted = await manager.async_configure(flow_id, first)
    except InvalidData as err:
        submitted = err
    if not isinstance(submitted, InvalidData) and submitted.get("step_id") == "filters":
        try:
            submitted = await manager.async_configure(flow_id, second)
        except InvalidData as err:
            submitted = err
    if any(flow["flow_id"] == flow_id for flow in manager.async_progress()):
        manager.async_abort(flow_id)
    await hass.async_block_till_done()

    checker.check(
        submitted,
        steps={"init", "filters"},
        reasons=set(),
        fields={CONF_STATISTICS, CONF_SCAN_INTERVAL, *second},
    )
    assert init_integration.state is ConfigEntryState.LOADED


# Arbitrary JSON in a poll.

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=12)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["results", "status", "body", "count", "avg", "percent", "unit"]
            )
            | st.text(max_size=6),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
)
STATISTIC_RESULTS = st.dictionaries(
    st.sampled_from(
        ["count", "avg", "min", "max", "total", "percent", "unit", "interactions"]
    ),
    JSON_LEAVES | st.sampled_from(["count", "millis", "percentage"]) | JSON_VALUES,
    max_size=6,
)
BATCH_ITEMS = st.fixed_dictionaries(
    {
        "status": st.sampled_from([200, 200, 404, 500, "200", None]) | JSON_LEAVES,
        "body": st.fixed_dictionaries({"results": STATISTIC_RESULTS}) | JSON_VALUES,
    }
)
BATCH_BODIES = (
    st.fixed_dictionaries(
        {"results": st.dictionaries(st.sampled_from(list("012345")), BATCH_ITEMS)}
    )
    | JSON_VALUES
)


@settings(PROPERTY_SETTINGS, max_examples=200)
@given(body=BATCH_BODIES)
async def test_poll_of_any_json_never_raises(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    body: object,
) -> None:
    coordinator: CxEngageCoordinator = init_integration.runtime_data
    simulator.clear_faults()
    simulator.add_fault(Fault(endpoint="batch", status=200, body=json.dumps(body)))

    await coordinator.async_refresh()
    await hass.async_block_till_done()

    if not coordinator.last_update_success:
        error = coordinator.last_exception
        assert isinstance(error, UpdateFailed)
        assert isinstance(error.__cause__, CxEngageInvalidResponseError)
    states = [
        state
        for state in hass.states.async_all("sensor")
        if state.entity_id.startswith("sensor.cxengage_example")
    ]
    assert len(states) == len(coordinator.queries)
    for state in states:
        if state.state not in {"unavailable", "unknown"}:
            assert float(state.state) >= 0, state
    assert [r.getMessage() for r in caplog.records if r.levelno > logging.ERROR] == []
    assert [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.ERROR
        and not record.getMessage().startswith("Error fetching")
    ] == []
