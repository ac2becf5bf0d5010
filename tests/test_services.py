"""Tests for the cxengage.get_statistic action."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
import json
from types import MappingProxyType
from typing import Any
from unittest.mock import AsyncMock

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.service import async_get_all_descriptions
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.cxengage.api import CxEngageError, ListResult
from custom_components.cxengage.const import CONF_AUTH_METHOD, DOMAIN
from custom_components.cxengage.services import (
    SERVICE_GET_STATISTIC,
    async_setup_services,
    result_as_dict,
)
from simulator import (
    AGENT_IDS,
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    QUEUE_IDS,
    Fault,
    Simulator,
)
from simulator.auth import TokenIssuer

from .conftest import TRACKED_STATISTICS, entry_data

FROZEN_TIME = "2026-12-04 15:00:00+00:00"
SALES_QUEUE_ID = QUEUE_IDS["Sales"]
ALICE_ID = AGENT_IDS["Alice Martin"]


def register_services(hass: HomeAssistant) -> None:
    """Register the actions unless the integration's async_setup already did."""
    if not hass.services.has_service(DOMAIN, SERVICE_GET_STATISTIC):
        async_setup_services(hass)


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> MockConfigEntry:
    """Return the loaded entry of the simulator's tenant, with the action ready."""
    register_services(hass)
    return init_integration


async def get_statistic(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    """Run the action and return its response."""
    response = await hass.services.async_call(
        DOMAIN, SERVICE_GET_STATISTIC, data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


def state_value(hass: HomeAssistant, entity_id: str) -> float:
    """Return an entity's state as a number, failing the test without a state."""
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} has no state"
    return float(state.state)


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


async def test_services_yaml_fields(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    descriptions = await async_get_all_descriptions(hass)

    fields = descriptions[DOMAIN][SERVICE_GET_STATISTIC]["fields"]
    assert set(fields) == {"config_entry_id", "statistic", "queue_id", "agent_id"}
    assert fields["config_entry_id"]["required"] is True
    assert fields["config_entry_id"]["selector"] == {
        "config_entry": {"integration": DOMAIN}
    }
    assert fields["statistic"]["required"] is True
    assert fields["queue_id"]["required"] is False
    assert fields["agent_id"]["required"] is False


@pytest.mark.freeze_time(FROZEN_TIME)
async def test_value_matches_sensor(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    entry_id = loaded_entry.entry_id
    # Statistic and the suffix of its sensor's entity ID.
    cases = {
        "queue-length": "queue_length",
        "resources-logged-in-count": "agents_logged_in",
        "service-level": "service_level",
        "interactions-in-queue-list": "interactions_in_queue_list",
    }

    for statistic, suffix in cases.items():
        response = await get_statistic(
            hass, config_entry_id=entry_id, statistic=statistic
        )
        entity_id = f"sensor.cxengage_example_{suffix}"
        assert response["statistic"] == statistic
        assert response["value"] == state_value(hass, entity_id), statistic

    # The sensor shows the average time in seconds, but the action returns milliseconds.
    response = await get_statistic(
        hass, config_entry_id=entry_id, statistic="queue-time"
    )
    seconds = state_value(hass, "sensor.cxengage_example_time_in_queue")
    assert response["value"] == pytest.approx(seconds * 1000)


@pytest.mark.freeze_time(FROZEN_TIME)
async def test_response_fields_by_kind(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    entry_id = loaded_entry.entry_id

    count = await get_statistic(
        hass, config_entry_id=entry_id, statistic="queue-length"
    )
    assert count["kind"] == "count"
    assert count["value"] == count["count"]
    assert count["filters"] == {}

    time = await get_statistic(hass, config_entry_id=entry_id, statistic="queue-time")
    assert time["kind"] == "time"
    assert time["value"] == time["avg"]
    assert time["min"] <= time["avg"] <= time["max"]
    assert time["total"] == pytest.approx(time["avg"] * time["count"])

    percentage = await get_statistic(
        hass, config_entry_id=entry_id, statistic="service-level"
    )
    assert percentage["kind"] == "percentage"
    assert percentage["value"] == percentage["percent"]

    rows = await get_statistic(
        hass, config_entry_id=entry_id, statistic="interactions-in-queue-list"
    )
    assert rows["kind"] == "list"
    assert rows["rows_key"] == "interactions"
    assert rows["value"] == rows["row_count"] == len(rows["rows"])
    assert all(isinstance(row, dict) for row in rows["rows"])

    for response in (count, time, percentage, rows):
        assert json.loads(json.dumps(response)) == response


@pytest.mark.freeze_time(FROZEN_TIME)
async def test_filter_by_queue(
    hass: HomeAssistant, simulator: Simulator, loaded_entry: MockConfigEntry
) -> None:
    entry_id = loaded_entry.entry_id
    total = await get_statistic(
        hass, config_entry_id=entry_id, statistic="queue-length"
    )

    per_queue = []
    for queue_id in QUEUE_IDS.values():
        response = await get_statistic(
            hass, config_entry_id=entry_id, statistic="queue-length", queue_id=queue_id
        )
        assert response["filters"] == {"queue-id": queue_id}
        assert simulator.requests[-1].query == {"queue-id": queue_id}
        per_queue.append(response["value"])

    # The simulator's tenant-wide queue length is the sum of its queues.
    assert sum(per_queue) == total["value"]


@pytest.mark.freeze_time(FROZEN_TIME)
async def test_filter_by_agent(
    hass: HomeAssistant, simulator: Simulator, loaded_entry: MockConfigEntry
) -> None:
    response = await get_statistic(
        hass,
        config_entry_id=loaded_entry.entry_id,
        statistic="resource-handle-time",
        agent_id=ALICE_ID.upper(),
    )

    assert response["filters"] == {"resource-id": ALICE_ID}
    assert simulator.requests[-1].query == {"resource-id": ALICE_ID}
    assert response["kind"] == "time"


async def test_filter_by_queue_and_agent(
    hass: HomeAssistant, simulator: Simulator, loaded_entry: MockConfigEntry
) -> None:
    response = await get_statistic(
        hass,
        config_entry_id=loaded_entry.entry_id,
        statistic="customer-satisfaction-score",
        queue_id=SALES_QUEUE_ID,
        agent_id=ALICE_ID,
    )

    expected = {"queue-id": SALES_QUEUE_ID, "resource-id": ALICE_ID}
    assert response["filters"] == expected
    assert simulator.requests[-1].query == expected


async def test_blank_id_is_unset(
    hass: HomeAssistant, simulator: Simulator, loaded_entry: MockConfigEntry
) -> None:
    response = await get_statistic(
        hass,
        config_entry_id=loaded_entry.entry_id,
        statistic=" queue-length ",
        queue_id=" ",
        agent_id="",
    )

    assert response["statistic"] == "queue-length"
    assert response["filters"] == {}
    assert simulator.requests[-1].query == {}


@pytest.mark.parametrize(
    ("data", "translation_key"),
    [
        ({"statistic": "../x"}, "invalid_statistic"),
        ({"statistic": "Queue Length"}, "invalid_statistic"),
        ({"statistic": ""}, "invalid_statistic"),
        (
            {"statistic": "queue-length", "queue_id": "not-a-uuid"},
            "invalid_id",
        ),
        (
            {"statistic": "resource-handle-time", "agent_id": "1234"},
            "invalid_id",
        ),
        (
            {"statistic": "queue-length", "queue_id": f"{SALES_QUEUE_ID}/../x"},
            "invalid_id",
        ),
    ],
)
async def test_invalid_input(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded_entry: MockConfigEntry,
    data: dict[str, str],
    translation_key: str,
) -> None:
    requests_before = simulator.request_counts["total"]

    with pytest.raises(ServiceValidationError) as raised:
        await get_statistic(hass, config_entry_id=loaded_entry.entry_id, **data)

    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == translation_key
    assert simulator.request_counts["total"] == requests_before


async def test_unknown_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as raised:
        await get_statistic(
            hass, config_entry_id="no-such-entry", statistic="queue-length"
        )

    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "config_entry_not_found"


async def test_entry_of_other_integration(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    other = MockConfigEntry(domain="other_integration", title="Other")
    other.add_to_hass(hass)

    with pytest.raises(ServiceValidationError) as raised:
        await get_statistic(hass, config_entry_id=other.entry_id, statistic="x")

    assert raised.value.translation_key == "config_entry_wrong_domain"


async def test_entry_not_loaded(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED

    with pytest.raises(ServiceValidationError) as raised:
        await get_statistic(
            hass, config_entry_id=loaded_entry.entry_id, statistic="queue-length"
        )

    assert raised.value.translation_key == "config_entry_not_loaded"


@pytest.mark.parametrize(
    ("fault", "data", "translation_key"),
    [
        (Fault(endpoint="statistic", status=401), {}, "invalid_auth"),
        (Fault(endpoint="statistic", status=403), {}, "forbidden"),
        (
            Fault(endpoint="statistic", status=429, headers={"Retry-After": "30"}),
            {},
            "action_rate_limited_retry_after",
        ),
        (Fault(endpoint="statistic", status=429), {}, "action_rate_limited"),
        (
            Fault(endpoint="statistic", status=503, body="<html>down</html>"),
            {},
            "cannot_connect",
        ),
        (
            Fault(endpoint="statistic", status=200, body="{not json"),
            {},
            "invalid_response",
        ),
        (
            Fault(endpoint="statistic", status=200, body='{"results": 5}'),
            {},
            "invalid_response",
        ),
        (None, {"statistic": "no-such-statistic"}, "statistic_not_found"),
        (
            None,
            {"queue_id": "00000000-0000-4000-8000-000000000000"},
            "statistic_not_found",
        ),
        # queue-length takes no agent filter, so the simulator returns 400.
        (None, {"agent_id": ALICE_ID}, "request_rejected"),
        (Fault(endpoint="statistic", status=409), {}, "request_rejected"),
    ],
    ids=[
        "401",
        "403",
        "429_retry_after",
        "429",
        "503",
        "malformed_json",
        "wrong_shape",
        "unknown_statistic",
        "unknown_queue",
        "unsupported_filter",
        "409",
    ],
)
async def test_api_failure(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded_entry: MockConfigEntry,
    fault: Fault | None,
    data: dict[str, str],
    translation_key: str,
) -> None:
    if fault is not None:
        simulator.add_fault(fault)

    with pytest.raises(HomeAssistantError) as raised:
        await get_statistic(
            hass,
            config_entry_id=loaded_entry.entry_id,
            **{"statistic": "queue-length", **data},
        )

    assert not isinstance(raised.value, ServiceValidationError)
    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == translation_key
    assert simulator.request_counts["statistic"] >= 1


async def test_unexpected_client_error(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = loaded_entry.runtime_data.client
    failing = AsyncMock(side_effect=CxEngageError("GET /v1/x failed oddly"))
    monkeypatch.setattr(client, "get_statistic", failing)

    with pytest.raises(HomeAssistantError) as raised:
        await get_statistic(
            hass, config_entry_id=loaded_entry.entry_id, statistic="queue-length"
        )

    assert raised.value.translation_key == "unknown_error"
    assert raised.value.translation_placeholders == {"error": "GET /v1/x failed oddly"}


def test_list_rows_become_json() -> None:
    row = MappingProxyType(
        {"tags": ["vip", {"level": 2}], "nested": MappingProxyType({"a": None})}
    )
    odd_row = MappingProxyType({"score": Decimal("1.5")})
    result = ListResult(rows=(row, odd_row), key="interactions")

    converted = result_as_dict(result)

    assert converted["rows"] == [
        {"tags": ["vip", {"level": 2}], "nested": {"a": None}},
        {"score": "1.5"},
    ]
    assert converted["value"] == 2
    assert json.loads(json.dumps(converted)) == converted


async def test_rate_limit_placeholder(
    hass: HomeAssistant, simulator: Simulator, loaded_entry: MockConfigEntry
) -> None:
    simulator.add_fault(
        Fault(endpoint="statistic", status=429, headers={"Retry-After": "12.5"})
    )

    with pytest.raises(HomeAssistantError) as raised:
        await get_statistic(
            hass, config_entry_id=loaded_entry.entry_id, statistic="queue-length"
        )

    assert raised.value.translation_placeholders is not None
    assert raised.value.translation_placeholders["retry_after"] == "13"


async def test_password_changed_is_auth_error(
    hass: HomeAssistant, simulator: Simulator, loaded_entry: MockConfigEntry
) -> None:
    simulator.config.password = "changed-elsewhere"

    with pytest.raises(HomeAssistantError) as raised:
        await get_statistic(
            hass, config_entry_id=loaded_entry.entry_id, statistic="queue-length"
        )

    assert raised.value.translation_key == "invalid_auth"


async def test_api_down_is_cannot_connect(
    hass: HomeAssistant, simulator: Simulator, loaded_entry: MockConfigEntry
) -> None:
    await simulator.stop()

    with pytest.raises(HomeAssistantError) as raised:
        await get_statistic(
            hass, config_entry_id=loaded_entry.entry_id, statistic="queue-length"
        )

    assert raised.value.translation_key == "cannot_connect"


@pytest.mark.parametrize(
    "data_changes",
    [
        {},
        {CONF_AUTH_METHOD: "token"},
        {
            CONF_AUTH_METHOD: "api_key",
            CONF_USERNAME: DEFAULT_API_KEY,
            CONF_PASSWORD: DEFAULT_API_SECRET,
        },
    ],
    ids=["basic", "token", "api_key"],
)
async def test_response_has_no_credentials(
    hass: HomeAssistant,
    simulator: Simulator,
    monkeypatch: pytest.MonkeyPatch,
    data_changes: dict[str, str],
) -> None:
    issued_tokens: list[str] = []
    issue = TokenIssuer.issue

    def record(self: TokenIssuer, user_id: str, now: float, ttl: int) -> str:
        token = issue(self, user_id, now, ttl)
        issued_tokens.append(token)
        return token

    monkeypatch.setattr(TokenIssuer, "issue", record)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="CxEngage Example",
        data=entry_data(simulator, **data_changes),
        options={"statistics": TRACKED_STATISTICS},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    register_services(hass)

    secrets = [entry.data[CONF_USERNAME], entry.data[CONF_PASSWORD], *issued_tokens]
    for statistic in ("queue-length", "queue-time", "interactions-in-queue-list"):
        response = await get_statistic(
            hass, config_entry_id=entry.entry_id, statistic=statistic
        )
        for text in iter_strings(response):
            for secret in secrets:
                assert secret not in text, f"a credential appears in {text!r}"
