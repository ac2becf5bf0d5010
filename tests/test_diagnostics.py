"""Tests for the CxEngage diagnostics."""

from __future__ import annotations

from collections.abc import Iterator
import json
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.cxengage.const import CONF_AUTH_METHOD, DOMAIN
from custom_components.cxengage.coordinator import CxEngageCoordinator
from custom_components.cxengage.diagnostics import (
    async_get_config_entry_diagnostics,
    redact,
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
from simulator.auth import TokenIssuer

from .conftest import TRACKED_STATISTICS, entry_data

FROZEN_TIME = "2026-12-04 15:00:00+00:00"
REDACTED = "**REDACTED**"

# Entry data changes for each auth method, with the credentials the simulator accepts.
AUTH_METHODS: dict[str, dict[str, str]] = {
    "basic": {},
    "token": {CONF_AUTH_METHOD: "token"},
    "api_key": {
        CONF_AUTH_METHOD: "api_key",
        CONF_USERNAME: DEFAULT_API_KEY,
        CONF_PASSWORD: DEFAULT_API_SECRET,
    },
}


def iter_strings(value: object) -> Iterator[str]:
    """Yield every string in a JSON-like structure, mapping keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_strings(key)
            yield from iter_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from iter_strings(item)


def assert_no_secret(diagnostics: object, secrets: list[str]) -> None:
    """Fail if any secret occurs in any key or value of the diagnostics."""
    assert secrets
    for text in iter_strings(diagnostics):
        for secret in secrets:
            assert secret not in text, f"a secret appears in {text!r}"


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


def stable(diagnostics: Any, simulator: Simulator) -> Any:
    """Replace the simulator's random port, so that the snapshot stays the same."""
    text = json.dumps(diagnostics).replace(simulator.base_url, "http://127.0.0.1:PORT")
    return json.loads(text)


def credentials_entry(
    simulator: Simulator, auth_method: str, **data_changes: str
) -> MockConfigEntry:
    """Return an entry whose title and unique ID also contain the username."""
    data = entry_data(simulator, **AUTH_METHODS[auth_method])
    data.update(data_changes)
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"CxEngage {data[CONF_USERNAME]}",
        unique_id=f"{DEFAULT_TENANT_ID}@{data[CONF_USERNAME]}",
        data=data,
        options={"statistics": TRACKED_STATISTICS},
    )


@pytest.mark.freeze_time(FROZEN_TIME)
async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    assert stable(diagnostics, simulator) == snapshot(exclude=props("entry_id"))


@pytest.mark.parametrize("auth_method", list(AUTH_METHODS))
async def test_diagnostics_hide_credentials(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    issued_tokens: list[str],
    auth_method: str,
) -> None:
    entry = credentials_entry(simulator, auth_method)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    if auth_method == "basic":
        assert not issued_tokens
    else:
        assert issued_tokens
    secrets = [entry.data[CONF_USERNAME], entry.data[CONF_PASSWORD], *issued_tokens]
    assert_no_secret(diagnostics, secrets)
    assert diagnostics["config_entry"]["data"][CONF_USERNAME] == REDACTED
    assert diagnostics["config_entry"]["data"][CONF_PASSWORD] == REDACTED
    assert diagnostics["config_entry"]["title"] == f"CxEngage {REDACTED}"
    assert diagnostics["coordinator"]["last_update_success"] is True


@pytest.mark.parametrize("auth_method", list(AUTH_METHODS))
@pytest.mark.parametrize(
    ("fault", "data_changes", "state"),
    [
        (Fault(endpoint="available", status=503), {}, ConfigEntryState.SETUP_RETRY),
        (None, {CONF_PASSWORD: "wrong-pässword"}, ConfigEntryState.SETUP_ERROR),
    ],
    ids=["unavailable", "wrong_password"],
)
async def test_diagnostics_after_failed_setup(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    issued_tokens: list[str],
    auth_method: str,
    fault: Fault | None,
    data_changes: dict[str, str],
    state: ConfigEntryState,
) -> None:
    if fault is not None:
        simulator.add_fault(fault)
    entry = credentials_entry(simulator, auth_method, **data_changes)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is state

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    secrets = [
        entry.data[CONF_USERNAME],
        entry.data[CONF_PASSWORD],
        DEFAULT_PASSWORD,
        DEFAULT_API_SECRET,
        *issued_tokens,
    ]
    assert_no_secret(diagnostics, secrets)
    assert diagnostics["entry_state"] == state.value
    assert diagnostics["config_entry"]["data"][CONF_PASSWORD] == REDACTED
    assert diagnostics["config_entry"]["domain"] == DOMAIN


async def test_diagnostics_coordinator_without_data(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    simulator.add_fault(Fault(endpoint="batch", status=503))
    mock_config_entry.add_to_hass(hass)
    coordinator = CxEngageCoordinator(hass, mock_config_entry)
    await coordinator.async_refresh()
    mock_config_entry.runtime_data = coordinator

    diagnostics = await async_get_config_entry_diagnostics(hass, mock_config_entry)

    details = diagnostics["coordinator"]
    assert details["last_update_success"] is False
    assert details["last_exception"]["type"] == "UpdateFailed"
    assert details["catalogue"] == {}
    assert details["results"] == dict.fromkeys(
        [item["statistic"] for item in TRACKED_STATISTICS]
    )
    assert details["client"]["counters"]["failures"] == 1
    json.dumps(diagnostics)
    assert_no_secret(diagnostics, [DEFAULT_USERNAME, DEFAULT_PASSWORD])


async def test_diagnostics_item_error(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
) -> None:
    simulator.fail_batch_item("queue-length", 500)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )

    results = diagnostics["coordinator"]["results"]
    assert results["queue-length"] == {
        "error": {"status": 500, "reason": "internal_server_error"}
    }
    assert results["service-level"]["kind"] == "percentage"


def test_redact_key_spellings() -> None:
    data = {
        "api_key": "k1",
        "apiKey": "k2",
        "api-secret": "s1",
        "Authorization": "Basic abc",
        "accessToken": "t1",
        "EMAIL": "someone",
        "password": None,
        "username": "",
        "nested": [{"token": "t2", "count": 3}],
        7: "not a string key",
    }

    redacted = redact(data, [])

    for key in ("api_key", "apiKey", "api-secret", "Authorization", "accessToken"):
        assert redacted[key] == REDACTED, key
    assert redacted["EMAIL"] == REDACTED
    assert redacted["nested"] == [{"token": REDACTED, "count": 3}]
    assert redacted[7] == "not a string key"
    # Like Home Assistant's async_redact_data, empty values stay as they are.
    assert redacted["password"] is None
    assert redacted["username"] == ""


def test_redact_credentials_and_emails_in_text() -> None:
    data = {
        "title": "Tenant of supervisor@example.com",
        "reason": "login s3cret:pässword failed",
        "row": {"note": "call back bob@example.org today"},
        "unique_id": f"{DEFAULT_TENANT_ID}@https://api.cxengage.net",
        "supervisor@example.com": 1,
    }

    redacted = redact(data, ["supervisor@example.com", "s3cret:pässword"])

    assert redacted["title"] == f"Tenant of {REDACTED}"
    assert redacted["reason"] == f"login {REDACTED} failed"
    assert redacted["row"] == {"note": f"call back {REDACTED} today"}
    assert redacted["unique_id"] == data["unique_id"]
    assert redacted[REDACTED] == 1
