"""Tests for the CxEngage sensors."""

from __future__ import annotations

from datetime import timedelta
import itertools

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import (
    MAJOR_VERSION,
    MINOR_VERSION,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.cxengage.api import (
    CountResult,
    ListResult,
    PercentageResult,
    StatisticDefinition,
    StatisticResult,
    TimeResult,
)
from custom_components.cxengage.sensor import (
    RESULT_KINDS,
    SENSOR_DESCRIPTIONS,
    StatisticKind,
    statistic_kind,
)
from simulator import Fault, Simulator

SCAN_INTERVAL = timedelta(seconds=30)
FROZEN_TIME = "2026-12-04 15:00:00+00:00"


def state_of(hass: HomeAssistant, entity_id: str) -> State:
    """Return an entity's state, failing the test when the entity has none."""
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} has no state"
    return state


def integration_log_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the messages the integration logged."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.cxengage")
    ]


async def poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Advance the clock by one scan interval and let the coordinator poll."""
    freezer.tick(SCAN_INTERVAL)
    async_fire_time_changed(hass)
    # Polls run as background tasks, which the plain wait leaves running.
    await hass.async_block_till_done(wait_background_tasks=True)


# Home Assistant 2026.3 serialises registry aliases as a set and state attribute keys
# as plain strings, so the snapshot recorded with 2026.10 does not match there.
@pytest.mark.skipif(
    (MAJOR_VERSION, MINOR_VERSION) < (2026, 10),
    reason="snapshot recorded with Home Assistant 2026.10",
)
@pytest.mark.freeze_time(FROZEN_TIME)
@pytest.mark.usefixtures("entity_registry_enabled_by_default", "init_integration")
async def test_sensors(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.usefixtures("init_integration")
async def test_time_details_disabled_by_default(
    hass: HomeAssistant, entity_registry: er.EntityRegistry
) -> None:
    assert hass.states.get("sensor.cxengage_example_time_in_queue") is not None

    for suffix in ("minimum", "maximum", "total", "records"):
        entity_id = f"sensor.cxengage_example_time_in_queue_{suffix}"
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
        assert hass.states.get(entity_id) is None


@pytest.mark.usefixtures("init_integration")
async def test_values_are_numeric(hass: HomeAssistant) -> None:
    states = [
        state
        for state in hass.states.async_all(Platform.SENSOR)
        if state.entity_id.startswith("sensor.cxengage_example")
    ]
    assert len(states) == 5

    for state in states:
        float(state.state)

    assert int(state_of(hass, "sensor.cxengage_example_queue_length").state) >= 0
    service_level = state_of(hass, "sensor.cxengage_example_service_level")
    assert service_level.attributes["unit_of_measurement"] == "%"
    queue_time = state_of(hass, "sensor.cxengage_example_time_in_queue")
    assert queue_time.attributes["unit_of_measurement"] == "s"
    assert queue_time.attributes["device_class"] == "duration"


@pytest.mark.usefixtures("init_integration")
async def test_polling_updates_values(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    entity_id = "sensor.cxengage_example_time_in_queue"
    seen = {state_of(hass, entity_id).state}
    batches_before = simulator.request_counts["batch"]

    for _ in range(4):
        await poll(hass, freezer)
        seen.add(state_of(hass, entity_id).state)

    assert simulator.request_counts["batch"] == batches_before + 4
    assert len(seen) > 1


@pytest.mark.usefixtures("init_integration")
async def test_failed_item_only_affects_its_sensor(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    simulator.fail_batch_item("queue-length", 500)
    simulator.fail_batch_item("service-level", None)

    await poll(hass, freezer)

    assert state_of(hass, "sensor.cxengage_example_queue_length").state == (
        STATE_UNAVAILABLE
    )
    assert state_of(hass, "sensor.cxengage_example_service_level").state == (
        STATE_UNAVAILABLE
    )
    logged_in = state_of(hass, "sensor.cxengage_example_agents_logged_in")
    assert logged_in.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)

    simulator.clear_item_failures()
    await poll(hass, freezer)
    assert state_of(hass, "sensor.cxengage_example_queue_length").state != (
        STATE_UNAVAILABLE
    )


@pytest.mark.usefixtures("init_integration")
async def test_outage_and_recovery(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    simulator.add_fault(Fault(endpoint="batch", status=503, body="<html>down</html>"))

    await poll(hass, freezer)
    await poll(hass, freezer)

    cxengage_states = [
        state
        for state in hass.states.async_all(Platform.SENSOR)
        if state.entity_id.startswith("sensor.cxengage_example")
    ]
    assert {state.state for state in cxengage_states} == {STATE_UNAVAILABLE}
    integration_log = integration_log_lines(caplog)
    assert integration_log
    assert not [line for line in integration_log if "<html>" in line]
    # One error for the whole outage, not one per failed poll.
    errors = [line for line in integration_log if line.startswith("Error fetching")]
    assert len(errors) == 1

    simulator.clear_faults()
    # The second failure doubled the wait to 60 s.
    await poll(hass, freezer)
    await poll(hass, freezer)
    assert state_of(hass, "sensor.cxengage_example_queue_length").state != (
        STATE_UNAVAILABLE
    )
    recovered = [line for line in integration_log_lines(caplog) if "recovered" in line]
    assert len(recovered) == 1


@pytest.mark.usefixtures("init_integration")
async def test_failures_back_off(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    simulator.add_fault(Fault(endpoint="batch", status=503))
    request_times: list[int] = []
    batches = simulator.request_counts["batch"]

    # Step through 25 minutes in 10 s ticks and note when each poll goes out.
    for second in range(10, 1510, 10):
        freezer.tick(timedelta(seconds=10))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        if simulator.request_counts["batch"] > batches:
            batches = simulator.request_counts["batch"]
            request_times.append(second)

    gaps = [later - earlier for earlier, later in itertools.pairwise(request_times)]
    # 30 s after the first failure, then doubling up to the 5-minute cap.
    assert gaps[:5] == [30, 60, 120, 240, 300]
    assert set(gaps[5:]) == {300}

    simulator.clear_faults()
    freezer.tick(timedelta(seconds=300))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, "sensor.cxengage_example_queue_length").state != (
        STATE_UNAVAILABLE
    )
    batches = simulator.request_counts["batch"]

    # After a success the normal interval is back.
    await poll(hass, freezer)
    assert simulator.request_counts["batch"] == batches + 1


@pytest.mark.usefixtures("init_integration")
async def test_missing_value_is_unknown(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    body = (
        '{"results": {"0": {"status": 200, "body": {"results": '
        '{"count": null, "unit": "count"}}}}}'
    )
    simulator.add_fault(Fault(endpoint="batch", status=200, body=body))

    await poll(hass, freezer)

    # Item "0" is the first tracked statistic, queue length.
    assert state_of(hass, "sensor.cxengage_example_queue_length").state == (
        STATE_UNKNOWN
    )


@pytest.mark.usefixtures("init_integration")
async def test_rate_limit_delays_next_poll(
    hass: HomeAssistant, simulator: Simulator, freezer: FrozenDateTimeFactory
) -> None:
    simulator.add_fault(
        Fault(endpoint="batch", status=429, headers={"Retry-After": "120"}, times=1)
    )
    await poll(hass, freezer)
    assert state_of(hass, "sensor.cxengage_example_queue_length").state == (
        STATE_UNAVAILABLE
    )
    batches = simulator.request_counts["batch"]

    # The normal interval passes without a request: the API asked for 120 s.
    await poll(hass, freezer)
    await poll(hass, freezer)
    assert simulator.request_counts["batch"] == batches

    freezer.tick(timedelta(seconds=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.request_counts["batch"] == batches + 1
    assert state_of(hass, "sensor.cxengage_example_queue_length").state != (
        STATE_UNAVAILABLE
    )


async def test_statistic_outside_known_list(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    catalogue = (
        '{"custom-callbacks-time": {"name": "custom-callbacks-time",'
        ' "userFriendlyName": " Callback Wait", "optionalFilters": [],'
        ' "responseKeys": {"avg": "avg", "max": "max"}}}'
    )
    simulator.add_fault(Fault(endpoint="available", status=200, body=catalogue))
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={"statistics": [{"statistic": "custom-callbacks-time"}]},
    )

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    # The simulator does not know the statistic, so its item fails: the entities
    # exist, named from the catalogue label, with the kind its response keys imply.
    state = hass.states.get("sensor.cxengage_example_callback_wait")
    assert state is not None
    assert state.state == STATE_UNAVAILABLE
    maximum = entity_registry.async_get("sensor.cxengage_example_callback_wait_maximum")
    assert maximum is not None
    assert maximum.original_device_class == "duration"


@pytest.mark.parametrize(
    ("statistic", "response_keys", "kind"),
    [
        ("queue-length", (), StatisticKind.COUNT),
        ("queue-time", (), StatisticKind.TIME),
        ("custom-things-list", ("count",), StatisticKind.LIST),
        ("custom-share", ("percent",), StatisticKind.PERCENTAGE),
        ("custom-wait", ("avg", "max"), StatisticKind.TIME),
        ("custom-total", ("count",), StatisticKind.COUNT),
    ],
)
def test_kind_without_result(
    statistic: str, response_keys: tuple[str, ...], kind: StatisticKind
) -> None:
    definition = StatisticDefinition(
        name=statistic,
        label=statistic,
        optional_filters=(),
        response_keys=response_keys,
        type=None,
    )

    assert statistic_kind(statistic, None, definition) is kind


def test_kind_without_catalogue_entry() -> None:
    assert statistic_kind("custom-unknown", None, None) is StatisticKind.COUNT


@pytest.mark.parametrize(
    "result",
    [
        CountResult(count=3),
        TimeResult(count=1, min=1.0, max=1.0, total=1.0, avg=1.0),
        PercentageResult(percent=50.0),
        ListResult(rows=(), key="interactions"),
    ],
)
def test_values_of_another_kind_are_unknown(result: StatisticResult) -> None:
    # A statistic whose result changes shape after setup shows unknown values.
    for kind, descriptions in SENSOR_DESCRIPTIONS.items():
        for description in descriptions:
            value = description.value_fn(result)
            if kind is RESULT_KINDS[type(result)]:
                continue
            assert value is None, (kind, description.key)


async def test_expired_token_renews_silently(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, "auth_method": "token"}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert simulator.request_counts["tokens"] == 1

    simulator.expire_tokens()
    await poll(hass, freezer)

    assert simulator.request_counts["tokens"] == 2
    assert state_of(hass, "sensor.cxengage_example_queue_length").state != (
        STATE_UNAVAILABLE
    )
    assert hass.config_entries.flow.async_progress() == []


async def test_rejected_credentials_start_reauth(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    simulator.add_fault(Fault(endpoint="batch", status=401))
    await poll(hass, freezer)

    flows = hass.config_entries.flow.async_progress()
    assert len(flows) == 1
    assert flows[0]["context"]["source"] == "reauth"
    batches = simulator.request_counts["batch"]

    # Polling stops until the user enters new credentials.
    await poll(hass, freezer)
    await poll(hass, freezer)
    assert simulator.request_counts["batch"] == batches


async def test_daily_counter_is_total_increasing(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        options={
            "statistics": [
                {"statistic": "interaction-starts-count"},
                {"statistic": "queue-length"},
            ]
        },
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    starts = state_of(hass, "sensor.cxengage_example_interactions_started_today")
    assert starts.attributes["state_class"] == "total_increasing"
    queue_length = state_of(hass, "sensor.cxengage_example_queue_length")
    assert queue_length.attributes["state_class"] == "measurement"
