"""Tests that credentials stay secret and that user input cannot steer requests.

The leak test runs every flow, fault, action, diagnostics and repair at DEBUG
level, then searches everything a user or a log reader can see for the secrets.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncGenerator, Generator
from dataclasses import dataclass, field
import json
import logging
import re
import socket
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp import web
from aiohttp.resolver import AsyncResolver
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlowResult,
)
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.cxengage.const import (
    CONF_AUTH_METHOD,
    CONF_BASE_URL,
    CONF_STATISTICS,
    CONF_TENANT_ID,
    DOMAIN,
)
from custom_components.cxengage.coordinator import CxEngageCoordinator
from custom_components.cxengage.services import SERVICE_GET_STATISTIC
from simulator import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_LIMITED_PASSWORD,
    DEFAULT_LIMITED_USERNAME,
    DEFAULT_TENANT_ID,
    QUEUE_IDS,
    Fault,
    Simulator,
)
from simulator.auth import TokenIssuer

from .conftest import TRACKED_STATISTICS, entry_data

WRONG_PASSWORD = "wr0ng:pässword-5d1e"
WRONG_API_SECRET = "wrong-api-secret-9c4b2a"
SALES_QUEUE_ID = QUEUE_IDS["Sales"]

# Entry data of each auth method, and the secret a user mistypes for it.
AUTH_METHODS: dict[str, tuple[dict[str, str], str]] = {
    "basic": ({}, WRONG_PASSWORD),
    "token": ({CONF_AUTH_METHOD: "token"}, WRONG_PASSWORD),
    "api_key": (
        {
            CONF_AUTH_METHOD: "api_key",
            CONF_USERNAME: DEFAULT_API_KEY,
            CONF_PASSWORD: DEFAULT_API_SECRET,
        },
        WRONG_API_SECRET,
    ),
}

# Faults of a poll, an action call or a connection test. Timeouts come from the
# delay, with the request timeout patched to 0.3 s.
FAULTS: list[Fault] = [
    Fault(status=500, body="<html>Internal error</html>", content_type="text/html"),
    Fault(status=502, body=""),
    Fault(status=503),
    Fault(status=504),
    Fault(reset_connection=True),
    Fault(truncate=True),
    Fault(status=200, body="{not json"),
    Fault(status=200, body="[]"),
    Fault(status=200, body='{"results": []}'),
    Fault(status=429, headers={"Retry-After": "30"}),
    Fault(status=429),
    Fault(status=403),
    Fault(status=404),
    Fault(status=400),
    Fault(status=302, headers={"Location": "http://127.0.0.1:9/"}),
    Fault(delay=5, passthrough=True),
]


@dataclass
class Outputs:
    """Every text that a user or a log reader can see, with where it came from."""

    texts: list[tuple[str, str]] = field(default_factory=list)

    def add(self, where: str, value: object) -> None:
        """Store a text, or the JSON of a structure, as seen at `where`."""
        text = value if isinstance(value, str) else json.dumps(value, default=str)
        self.texts.append((where, text))

    def add_error(self, where: str, error: BaseException | None) -> None:
        """Store an exception's message, repr and placeholders, causes included."""
        seen: set[int] = set()
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            self.add(where, str(error))
            self.add(where, repr(error))
            placeholders = getattr(error, "translation_placeholders", None)
            if placeholders:
                self.add(where, placeholders)
            error = error.__cause__ or error.__context__


@pytest.fixture
def issued_tokens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every token that the simulator issues."""
    tokens: list[str] = []
    issue = TokenIssuer.issue

    def record(self: TokenIssuer, user_id: str, now: float, ttl: int) -> str:
        token = issue(self, user_id, now, ttl)
        tokens.append(token)
        return token

    monkeypatch.setattr(TokenIssuer, "issue", record)
    return tokens


@pytest.fixture
def short_timeouts() -> Generator[None]:
    """Make every request of the flows and the coordinator time out after 0.3 s."""
    with patch("custom_components.cxengage.connection.REQUEST_TIMEOUT", 0.3):
        yield


@pytest.fixture
def refuse_dns() -> Generator[list[str]]:
    """Fail every DNS lookup of Home Assistant's session, and record the names.

    The session resolves with aiodns, which would send real queries.
    """
    lookups: list[str] = []

    async def resolve(
        _self: AsyncResolver, host: str, port: int = 0, family: int = socket.AF_INET
    ) -> list[dict[str, Any]]:
        lookups.append(f"{host}:{port}/{family}")
        raise OSError(None, "DNS lookup failed")

    with patch.object(AsyncResolver, "resolve", resolve):
        yield lookups


def basic_header(username: str, password: str) -> str:
    """Return the base64 part of an HTTP Basic Authorization header."""
    return base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


def form_suggestions(result: ConfigFlowResult) -> dict[str, Any]:
    """Return the suggested values of a form, by field name."""
    schema = result.get("data_schema")
    assert schema is not None
    return {
        str(key): key.description["suggested_value"]
        for key in schema.schema
        if key.description and "suggested_value" in key.description
    }


async def try_user_step(
    hass: HomeAssistant, values: dict[str, str]
) -> ConfigFlowResult:
    """Submit the user step once, leaving no flow in progress."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], values)
    if result["type"] is FlowResultType.FORM:
        hass.config_entries.flow.async_abort(result["flow_id"])
    return result


async def run_user_flow(
    hass: HomeAssistant,
    simulator: Simulator,
    data: dict[str, str],
    wrong_secret: str,
) -> ConfigEntry:
    """Try the user step with wrong secrets and through faults, then add the entry."""
    right = entry_data(simulator, **data)
    result = await try_user_step(hass, right | {CONF_PASSWORD: wrong_secret})
    assert result["errors"] == {"base": "invalid_auth"}
    viewer = entry_data(simulator) | {
        CONF_USERNAME: DEFAULT_LIMITED_USERNAME,
        CONF_PASSWORD: DEFAULT_LIMITED_PASSWORD,
    }
    result = await try_user_step(hass, viewer)
    assert result["errors"] == {"base": "forbidden"}
    for fault in FAULTS:
        simulator.add_fault(fault)
        result = await try_user_step(hass, right)
        simulator.clear_faults()
        assert result["type"] is not FlowResultType.CREATE_ENTRY

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], right)
    assert result["step_id"] == "statistics"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_STATISTICS: [item["statistic"] for item in TRACKED_STATISTICS]},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    return entry


async def run_faulty_polls(
    hass: HomeAssistant,
    simulator: Simulator,
    entry: ConfigEntry,
    hass_client: ClientSessionGenerator,
    outputs: Outputs,
) -> None:
    """Poll through every fault, a stopped API, item failures and expired tokens."""
    coordinator: CxEngageCoordinator = entry.runtime_data
    simulator.fail_batch_item("queue-length", 404)
    simulator.fail_batch_item("service-level", 500)
    simulator.fail_batch_item("queue-time", None)
    simulator.expire_tokens()
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    outputs.add("diagnostics with item errors", diagnostics)
    simulator.clear_item_failures()

    for fault in FAULTS:
        simulator.add_fault(fault)
        await coordinator.async_refresh()
        outputs.add_error("poll error", coordinator.last_exception)
        simulator.clear_faults()
        await coordinator.async_refresh()

    port = int(simulator.base_url.rsplit(":", 1)[1])
    await simulator.stop()
    await coordinator.async_refresh()
    outputs.add_error("poll error", coordinator.last_exception)
    await simulator.start(host="127.0.0.1", port=port)
    await coordinator.async_refresh()
    assert coordinator.last_update_success


async def run_actions(
    hass: HomeAssistant, simulator: Simulator, entry: ConfigEntry, outputs: Outputs
) -> None:
    """Call the get_statistic action with good and bad input, and through faults."""
    calls: list[dict[str, str]] = [
        {"statistic": "queue-length"},
        {"statistic": "queue-time"},
        {"statistic": "interactions-in-queue-list"},
        {"statistic": "queue-length", "queue_id": SALES_QUEUE_ID},
        {"statistic": "no-such-statistic"},
        {"statistic": "../../users"},
        {"statistic": "queue-length", "queue_id": "not-a-uuid"},
    ]
    for data in calls:
        await _call_action(hass, entry, data, outputs)
    for fault in [*FAULTS, Fault(status=401)]:
        simulator.add_fault(fault)
        await _call_action(hass, entry, {"statistic": "service-level"}, outputs)
        simulator.clear_faults()


async def _call_action(
    hass: HomeAssistant, entry: ConfigEntry, data: dict[str, str], outputs: Outputs
) -> None:
    try:
        response = await hass.services.async_call(
            DOMAIN,
            SERVICE_GET_STATISTIC,
            {"config_entry_id": entry.entry_id, **data},
            blocking=True,
            return_response=True,
        )
    except HomeAssistantError as err:
        outputs.add_error("action error", err)
    else:
        outputs.add("action response", response)


async def run_repair_fix(
    hass: HomeAssistant,
    simulator: Simulator,
    entry: ConfigEntry,
    hass_client: ClientSessionGenerator,
    outputs: Outputs,
) -> None:
    """Raise the issue of a statistic that went away, and fix it through the API."""
    coordinator: CxEngageCoordinator = entry.runtime_data
    simulator.fail_batch_item("interactions-in-queue-list", 404)
    await coordinator.async_refresh()
    issue_id = f"{entry.entry_id}_statistic_unavailable_interactions-in-queue-list"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    client = await hass_client()
    response = await client.post(
        "/api/repairs/issues/fix", json={"handler": DOMAIN, "issue_id": issue_id}
    )
    flow = await response.json()
    outputs.add("repair flow", flow)
    response = await client.post(f"/api/repairs/issues/fix/{flow['flow_id']}")
    outputs.add("repair flow", await response.json())
    await hass.async_block_till_done()
    simulator.clear_item_failures()
    assert entry.state is ConfigEntryState.LOADED


async def run_options_flow(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Change the tracked statistics and add one per queue."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {CONF_STATISTICS: ["queue-length", "service-level"], "scan_interval": 30},
    )
    assert result["step_id"] == "filters"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"queue_statistics": ["queue-length"], "queues": [SALES_QUEUE_ID]},
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.state is ConfigEntryState.LOADED


async def run_reconfigure_flow(
    hass: HomeAssistant,
    simulator: Simulator,
    entry: ConfigEntry,
    data: dict[str, str],
    wrong_secret: str,
) -> None:
    """Reconfigure with a wrong secret, then with the right one."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    # The stored secret never goes back to the browser.
    assert CONF_PASSWORD not in form_suggestions(result)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        entry_data(simulator, **data) | {CONF_PASSWORD: wrong_secret},
    )
    assert result["errors"] == {"base": "invalid_auth"}
    # An empty secret keeps the stored one.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], entry_data(simulator, **data) | {CONF_PASSWORD: ""}
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"


async def run_reauth(
    hass: HomeAssistant,
    simulator: Simulator,
    entry: ConfigEntry,
    data: dict[str, str],
    wrong_secret: str,
    outputs: Outputs,
) -> None:
    """Let a poll fail with 401 and finish the reauth flow that it starts."""
    coordinator: CxEngageCoordinator = entry.runtime_data
    simulator.add_fault(Fault(endpoint="batch", status=401))
    await coordinator.async_refresh()
    outputs.add_error("poll error", coordinator.last_exception)
    simulator.clear_faults()

    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(flows) == 1
    flow_id = flows[0]["flow_id"]
    result = await hass.config_entries.flow.async_configure(flow_id)
    assert result["step_id"] == "reauth_confirm"
    assert CONF_PASSWORD not in form_suggestions(result)
    outputs.add("reauth form", result.get("description_placeholders"))

    username = entry_data(simulator, **data)[CONF_USERNAME]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_USERNAME: username, CONF_PASSWORD: wrong_secret}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    secret = entry_data(simulator, **data)[CONF_PASSWORD]
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_USERNAME: username, CONF_PASSWORD: secret}
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reauth_successful"
    assert entry.state is ConfigEntryState.LOADED


async def run_failed_setup(
    hass: HomeAssistant,
    entry: ConfigEntry,
    hass_client: ClientSessionGenerator,
    wrong_secret: str,
    outputs: Outputs,
) -> None:
    """Reload with a secret changed elsewhere, which fails setup with a reauth."""
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_PASSWORD: wrong_secret}
    )
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    outputs.add("entry reason", entry.reason or "")
    outputs.add("entry placeholders", entry.error_reason_translation_placeholders)
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    outputs.add("diagnostics after failed setup", diagnostics)


@pytest.mark.usefixtures("short_timeouts", "refuse_dns")
@pytest.mark.parametrize("auth_method", list(AUTH_METHODS))
async def test_no_secret_in_any_output(
    hass: HomeAssistant,
    simulator: Simulator,
    hass_client: ClientSessionGenerator,
    issued_tokens: list[str],
    caplog: pytest.LogCaptureFixture,
    auth_method: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    # Both register HTTP views, which must happen before the first HTTP client.
    assert await async_setup_component(hass, "repairs", {})
    assert await async_setup_component(hass, "diagnostics", {})
    data, wrong_secret = AUTH_METHODS[auth_method]
    outputs = Outputs()

    entry = await run_user_flow(hass, simulator, data, wrong_secret)
    await run_repair_fix(hass, simulator, entry, hass_client, outputs)
    # The 404 of a whole batch switches the client to single requests until the
    # entry reloads, so the item failures come before it.
    await run_faulty_polls(hass, simulator, entry, hass_client, outputs)
    await run_actions(hass, simulator, entry, outputs)
    await run_options_flow(hass, entry)
    await run_reconfigure_flow(hass, simulator, entry, data, wrong_secret)
    # A fault left for the diagnostics to describe.
    simulator.add_fault(Fault(endpoint="batch", status=503))
    await entry.runtime_data.async_refresh()
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    outputs.add("diagnostics", diagnostics)
    simulator.clear_faults()
    await run_reauth(hass, simulator, entry, data, wrong_secret, outputs)
    await run_failed_setup(hass, entry, hass_client, wrong_secret, outputs)

    for state in hass.states.async_all():
        outputs.add(f"state of {state.entity_id}", state.as_dict())
    for issue in ir.async_get(hass).issues.values():
        outputs.add(f"issue {issue.issue_id}", issue.to_json())
        outputs.add(f"issue {issue.issue_id} data", issue.data)
    outputs.add("log", caplog.text)

    username = entry_data(simulator, **data)[CONF_USERNAME]
    secret = entry_data(simulator, **data)[CONF_PASSWORD]
    secrets = [
        secret,
        wrong_secret,
        DEFAULT_LIMITED_PASSWORD,
        basic_header(username, secret),
        basic_header(username, wrong_secret),
        basic_header(DEFAULT_LIMITED_USERNAME, DEFAULT_LIMITED_PASSWORD),
        *issued_tokens,
    ]
    if auth_method != "basic":
        assert issued_tokens
    for where, text in outputs.texts:
        for value in secrets:
            assert value not in text, f"a secret appears in the {where}"
    assert "Authorization" not in caplog.text
    # The simulator logs every request, so the log does cover them.
    assert simulator.request_counts["total"] > 100
    assert_requests_well_formed(simulator, secrets)


# Requests: credentials only in headers, and only to the configured API.

ALLOWED_PATH = re.compile(
    rf"/v1/tokens|/v1/tenants/{DEFAULT_TENANT_ID}"
    r"(/queues|/users|/realtime-statistics/[a-z0-9][a-z0-9-]{0,127})"
)
FILTER_KEYS = {"queue-id", "resource-id", "group-id", "skill-id", "channelType"}


def assert_requests_well_formed(simulator: Simulator, secrets: list[str]) -> None:
    """Check every request's path, query and auth scheme that the simulator saw."""
    assert simulator.requests
    for record in simulator.requests:
        assert ALLOWED_PATH.fullmatch(record.path), record.path
        assert set(record.query) <= FILTER_KEYS, record.query
        url = f"{record.path}?{json.dumps(record.query)}"
        for value in secrets:
            assert value not in url
        if record.endpoint == "tokens":
            # The token request carries the credentials in its body only.
            assert record.auth_scheme is None
        else:
            assert record.auth_scheme in {"basic", "token"}


@dataclass
class Trap:
    """A second loopback server that records every request it gets."""

    url: str
    requests: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
async def trap(socket_enabled: None) -> AsyncGenerator[Trap]:
    """Run the trap server on a free loopback port."""
    found: list[dict[str, str]] = []

    async def record(request: web.Request) -> web.Response:
        found.append({"path": request.path_qs, **request.headers})
        return web.json_response({"token": "trapped", "results": {}})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield Trap(url=f"http://{host}:{port}/v1/capture", requests=found)
    await runner.cleanup()


REDIRECTS = (301, 302, 303, 307, 308)


@pytest.mark.parametrize("auth_method", list(AUTH_METHODS))
async def test_redirect_never_reaches_other_server(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    trap: Trap,
    auth_method: str,
) -> None:
    data, _ = AUTH_METHODS[auth_method]
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, **data}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator: CxEngageCoordinator = mock_config_entry.runtime_data
    first_endpoint = "available" if auth_method == "basic" else "tokens"

    # A client that follows redirects reaches the trap.
    simulator.add_fault(
        Fault(endpoint="available", status=302, headers={"Location": trap.url})
    )
    catalogue = f"/v1/tenants/{DEFAULT_TENANT_ID}/realtime-statistics/available"
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{simulator.base_url}{catalogue}") as response,
    ):
        assert response.status == 200
    assert len(trap.requests) == 1
    trap.requests.clear()
    simulator.clear_faults()

    for status in REDIRECTS:
        location = {"Location": trap.url}
        # The connection test of the user step.
        simulator.add_fault(
            Fault(endpoint=first_endpoint, status=status, headers=location)
        )
        result = await try_user_step(
            hass, entry_data(simulator, **data) | {CONF_TENANT_ID: DEFAULT_TENANT_ID}
        )
        assert result["errors"] == {"base": "invalid_response"}
        simulator.clear_faults()

        # A poll, and a poll that must renew the token first.
        simulator.add_fault(Fault(endpoint="batch", status=status, headers=location))
        await coordinator.async_refresh()
        assert not coordinator.last_update_success
        simulator.clear_faults()
        simulator.expire_tokens()
        simulator.add_fault(Fault(endpoint="tokens", status=status, headers=location))
        await coordinator.async_refresh()
        simulator.clear_faults()

        # The action.
        simulator.add_fault(
            Fault(endpoint="statistic", status=status, headers=location)
        )
        with pytest.raises(HomeAssistantError) as raised:
            await hass.services.async_call(
                DOMAIN,
                SERVICE_GET_STATISTIC,
                {
                    "config_entry_id": mock_config_entry.entry_id,
                    "statistic": "queue-length",
                },
                blocking=True,
                return_response=True,
            )
        assert raised.value.translation_key == "invalid_response"
        simulator.clear_faults()

    assert trap.requests == []
    await coordinator.async_refresh()
    assert coordinator.last_update_success


PLAIN_HTTP_URLS = [
    "http://example.com",
    "http://api.cxengage.net",
    "http://10.0.0.5",
    "http://192.168.1.10:8080",
    "http://0.0.0.0:8080",
    "http://[2001:db8::1]",
    "http://127.0.0.1.example.com",
    "http://localhost.example.com",
    "http://localhost.",
    "http://127.1",
]


@pytest.mark.parametrize("base_url", PLAIN_HTTP_URLS)
async def test_plain_http_only_to_loopback(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    refuse_dns: list[str],
    base_url: str,
) -> None:
    values = entry_data(simulator) | {CONF_BASE_URL: base_url}

    result = await try_user_step(hass, values)
    assert result["errors"] == {CONF_BASE_URL: "invalid_url"}

    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_RECONFIGURE, "entry_id": mock_config_entry.entry_id},
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], values)
    assert result["errors"] == {CONF_BASE_URL: "invalid_url"}

    # An entry stored with such a URL, by hand or by an older release, never
    # sends its credentials.
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_BASE_URL: base_url}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR

    assert simulator.request_counts["total"] == 0
    assert refuse_dns == []


# Injection through statistic names, filter values and tenant IDs.

INJECTED_STATISTICS = [
    "../../users",
    "..%2F..%2Fusers",
    "%2e%2e",
    "queue-length/../../users",
    "queue-length/",
    "queue-length?queue-id=x",
    "queue-length#fragment",
    "queue-length&x=1",
    "queue-length\r\nX-Injected: 1",
    "queue-length\x00",
    "queue-length;ls",
    "queue length",
    "QUEUE-LENGTH",
    "\uff51\uff55\uff45\uff55\uff45-length",
    "queue\u2010length",
    "-queue-length",
    "q" * 129,
    "/etc/passwd",
    "http://127.0.0.1:9/x",
]
INJECTED_IDS = [
    f"{SALES_QUEUE_ID}/../x",
    f"{SALES_QUEUE_ID}&resource-id={SALES_QUEUE_ID}",
    f"{SALES_QUEUE_ID}#",
    f"{SALES_QUEUE_ID}?x=1",
    f"{SALES_QUEUE_ID}\r\nX-Injected: 1",
    f"{SALES_QUEUE_ID}%00",
    f"{{{SALES_QUEUE_ID}}}}}",
    SALES_QUEUE_ID.replace("-", "\u2010"),
    SALES_QUEUE_ID.replace("1", "\u0661"),
    "../../../../etc/passwd",
    "' OR '1'='1",
]


@pytest.mark.parametrize(
    "data",
    [{"statistic": value} for value in INJECTED_STATISTICS]
    + [{"statistic": "queue-length", "queue_id": value} for value in INJECTED_IDS]
    + [
        {"statistic": "resource-handle-time", "agent_id": value}
        for value in INJECTED_IDS
    ],
)
async def test_action_rejects_injection(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    data: dict[str, str],
) -> None:
    requests = simulator.request_counts["total"]

    with pytest.raises(ServiceValidationError) as raised:
        await hass.services.async_call(
            DOMAIN,
            SERVICE_GET_STATISTIC,
            {"config_entry_id": init_integration.entry_id, **data},
            blocking=True,
            return_response=True,
        )

    assert raised.value.translation_key in {"invalid_statistic", "invalid_id"}
    assert simulator.request_counts["total"] == requests


async def test_stored_injection_skipped(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    injected: list[dict[str, str]] = [
        {"statistic": value} for value in INJECTED_STATISTICS
    ]
    injected += [
        {"statistic": "queue-length", "queue-id": value} for value in INJECTED_IDS
    ]
    injected += [
        {"statistic": "queue-length", "channelType": "voice&queue-id=x"},
        {"statistic": "queue-length", "direction": "inbound/../x"},
        {"statistic": "queue-length", "x-injected": "1"},
        {"statistic": "queue-length", "queue-id": SALES_QUEUE_ID},
    ]
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_STATISTICS: injected}
    )

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    coordinator: CxEngageCoordinator = mock_config_entry.runtime_data
    assert [query.key for query in coordinator.queries] == [
        f"queue-length?queue-id={SALES_QUEUE_ID}"
    ]
    skipped = [
        record
        for record in caplog.records
        if record.getMessage().startswith("Skipping an invalid tracked statistic")
    ]
    assert len(skipped) == len(injected) - 1
    assert_requests_well_formed(simulator, [])
    batches = [record for record in simulator.requests if record.endpoint == "batch"]
    assert [record.batch_size for record in batches] == [1]


INJECTED_TENANT_IDS = [
    f"{DEFAULT_TENANT_ID}/../x",
    f"{DEFAULT_TENANT_ID}?x=1",
    f"{DEFAULT_TENANT_ID}#x",
    f"{DEFAULT_TENANT_ID}%2F..",
    f"../{DEFAULT_TENANT_ID}",
    f"{DEFAULT_TENANT_ID}\r\nX-Injected: 1",
    DEFAULT_TENANT_ID.replace("5", "\u0665"),
    DEFAULT_TENANT_ID.replace("-", "/"),
]


@pytest.mark.parametrize("tenant_id", INJECTED_TENANT_IDS)
async def test_tenant_id_injection_rejected(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    tenant_id: str,
) -> None:
    result = await try_user_step(
        hass, entry_data(simulator) | {CONF_TENANT_ID: tenant_id}
    )
    assert result["errors"] == {CONF_TENANT_ID: "invalid_tenant_id"}

    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_TENANT_ID: tenant_id}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert simulator.request_counts["total"] == 0
