"""Soak test: 24 simulated hours of polling through random faults.

The clock is frozen and advanced in 30 s ticks, so a day of polling takes
seconds. A seeded random generator picks one scenario for each poll, and an
independent model of the backoff predicts when the next poll goes out and what
the sensors show. After every poll the test checks the states, the log lines,
the repair issues and the number of pending tasks and timers. It compares the
number of live objects after the first hour with the number at the end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from email.utils import format_datetime
import gc
import json
import logging
import random
import time
from unittest.mock import Mock

from aiohttp import web
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.cxengage.api import (
    CountResult,
    ListResult,
    PercentageResult,
    StatisticResult,
    TimeResult,
)
from custom_components.cxengage.api.parsing import parse_statistic
from custom_components.cxengage.const import CONF_AUTH_METHOD, DOMAIN, MAX_BACKOFF
from custom_components.cxengage.coordinator import CxEngageCoordinator
from simulator import STATISTICS, Fault, Simulator
from simulator.bodies import statistic_body
from simulator.values import Filters

SEED = 20261204
SIMULATED = timedelta(hours=24)
INTERVAL = 30
LOGGER_NAME = "custom_components.cxengage"

# The sensor of each tracked statistic (see TRACKED_STATISTICS in conftest.py).
ENTITIES: dict[str, str] = {
    "queue-length": "sensor.cxengage_example_queue_length",
    "resources-logged-in-count": "sensor.cxengage_example_agents_logged_in",
    "queue-time": "sensor.cxengage_example_time_in_queue",
    "service-level": "sensor.cxengage_example_service_level",
    "interactions-in-queue-list": "sensor.cxengage_example_interactions_in_queue_list",
}


@dataclass(frozen=True)
class Outcome:
    """What one poll of a scenario should end in.

    `failed` polls make every sensor unavailable. Otherwise only the sensor of
    `failed_item`, if any, is unavailable, and the others show the API's values.
    `retry_after` is the wait in seconds that a 429 requests.
    """

    failed: bool = False
    failed_item: str | None = None
    retry_after: int | None = None
    issue: str | None = None


@dataclass
class Soak:
    """The running test: Home Assistant, the simulator and the random generator."""

    hass: HomeAssistant
    simulator: Simulator
    entry: MockConfigEntry
    rng: random.Random
    port: int
    closed_site: bool = False

    @property
    def coordinator(self) -> CxEngageCoordinator:
        """The entry's coordinator."""
        coordinator: CxEngageCoordinator = self.entry.runtime_data
        return coordinator


type Scenario = Callable[[Soak, int], Awaitable[Outcome]]


def _fault(fault: Fault) -> Scenario:
    async def inject(soak: Soak, _wait: int) -> Outcome:
        soak.simulator.add_fault(fault)
        return Outcome(failed=True)

    return inject


async def _ok(_soak: Soak, _wait: int) -> Outcome:
    return Outcome()


async def _refused(soak: Soak, _wait: int) -> Outcome:
    # Closing the listening site keeps the simulator's aiohttp application. A
    # stop and start of the simulator left each old application alive, which
    # would count as growth.
    runner = soak.simulator._runner
    assert runner is not None
    (site,) = runner.sites
    await site.stop()
    soak.closed_site = True
    return Outcome(failed=True)


async def _rate_limited_seconds(soak: Soak, _wait: int) -> Outcome:
    seconds = INTERVAL * soak.rng.randint(1, 20)
    headers = {"Retry-After": str(seconds)}
    soak.simulator.add_fault(Fault(endpoint="batch", status=429, headers=headers))
    return Outcome(failed=True, retry_after=seconds)


async def _rate_limited_date(soak: Soak, wait: int) -> Outcome:
    seconds = INTERVAL * soak.rng.randint(1, 20)
    # The poll goes out `wait` seconds from now, and the date counts from then.
    moment = dt_util.utcnow() + timedelta(seconds=wait + seconds)
    headers = {"Retry-After": format_datetime(moment.astimezone(UTC), usegmt=True)}
    soak.simulator.add_fault(Fault(endpoint="batch", status=429, headers=headers))
    return Outcome(failed=True, retry_after=seconds)


async def _forbidden(soak: Soak, _wait: int) -> Outcome:
    soak.simulator.add_fault(Fault(endpoint="batch", status=403))
    return Outcome(failed=True, issue=f"{soak.entry.entry_id}_forbidden_permission")


def _item_failure(status: int | None) -> Scenario:
    async def inject(soak: Soak, _wait: int) -> Outcome:
        statistic = soak.rng.choice(list(ENTITIES))
        soak.simulator.fail_batch_item(statistic, status)
        issue = None
        if status == 404:
            issue = f"{soak.entry.entry_id}_statistic_unavailable_{statistic}"
        return Outcome(failed_item=statistic, issue=issue)

    return inject


async def _tokens_expired(soak: Soak, _wait: int) -> Outcome:
    soak.simulator.expire_tokens()
    return Outcome()


async def _rejected_once(soak: Soak, _wait: int) -> Outcome:
    # The client renews its token and retries once, which succeeds.
    soak.simulator.add_fault(Fault(endpoint="batch", status=401, times=1))
    return Outcome()


# Each scenario with its weight: how often it is picked, relative to the others.
SCENARIOS: dict[str, tuple[int, Scenario]] = {
    "ok": (60, _ok),
    "500_json": (3, _fault(Fault(endpoint="batch", status=500))),
    "502_empty": (3, _fault(Fault(endpoint="batch", status=502, body=""))),
    "503_html": (
        3,
        _fault(Fault(endpoint="batch", status=503, body="<html>down</html>")),
    ),
    "504_empty": (2, _fault(Fault(endpoint="batch", status=504, body=""))),
    "reset_mid_body": (3, _fault(Fault(endpoint="batch", reset_connection=True))),
    "refused": (2, _refused),
    "invalid_json": (2, _fault(Fault(endpoint="batch", status=200, body="{x"))),
    "truncated_json": (2, _fault(Fault(endpoint="batch", truncate=True))),
    "wrong_shape": (2, _fault(Fault(endpoint="batch", status=200, body="[1]"))),
    "429_seconds": (2, _rate_limited_seconds),
    "429_date": (2, _rate_limited_date),
    "429_without_header": (2, _fault(Fault(endpoint="batch", status=429))),
    "403": (1, _forbidden),
    "item_404": (2, _item_failure(404)),
    "item_500": (2, _item_failure(500)),
    "item_missing": (2, _item_failure(None)),
    "tokens_expired": (2, _tokens_expired),
    "401_once": (2, _rejected_once),
}


async def clear_scenario(soak: Soak) -> None:
    """Undo every fault, so the next scenario starts from a healthy API."""
    soak.simulator.clear_faults()
    soak.simulator.clear_item_failures()
    if soak.closed_site:
        runner = soak.simulator._runner
        assert runner is not None
        site = web.TCPSite(runner, "127.0.0.1", soak.port)
        await site.start()
        soak.closed_site = False


def expected_results(simulator: Simulator) -> dict[str, StatisticResult]:
    """Compute what the simulator serves for each tracked statistic right now."""
    config = simulator.config
    return {
        name: parse_statistic(
            statistic_body(
                STATISTICS[name],
                Filters(),
                seed=config.seed,
                now=simulator.clock(),
                timezone=config.timezone,
                numbers_as_strings=False,
            )
        )
        for name in ENTITIES
    }


def check_states(soak: Soak, outcome: Outcome) -> None:
    """Check every sensor against the outcome and the API's current values."""
    for name, result in expected_results(soak.simulator).items():
        state = soak.hass.states.get(ENTITIES[name])
        assert state is not None, name
        if outcome.failed or outcome.failed_item == name:
            assert state.state == STATE_UNAVAILABLE, name
            continue
        match result:
            case CountResult(count=count):
                assert state.state == str(count), name
            case PercentageResult(percent=percent):
                assert float(state.state) == pytest.approx(percent), name
            case TimeResult(avg=average):
                assert average is not None
                assert float(state.state) == pytest.approx(average / 1000, abs=1e-3)
            case ListResult(rows=rows):
                assert state.state == str(len(rows)), name


@dataclass
class Model:
    """What the coordinator should do, kept apart from the coordinator's state."""

    failures: int = 0
    retry_after: int | None = None
    outages: int = 0
    recoveries: int = 0
    issues: set[str] = field(default_factory=set)

    def next_wait(self) -> int:
        """Return the seconds until the next poll.

        This restates the rule: the interval after a good poll, else the interval
        doubled with each further failure, at most MAX_BACKOFF, or longer if a
        429 requested it.
        """
        if self.failures == 0:
            return INTERVAL
        cap = int(MAX_BACKOFF.total_seconds())
        backoff = min(INTERVAL << min(self.failures - 1, 16), cap)
        return max(backoff, self.retry_after or 0)

    def record(self, outcome: Outcome) -> None:
        """Update the model after a poll with this outcome."""
        if outcome.failed and self.failures == 0:
            self.outages += 1
        if not outcome.failed and self.failures > 0:
            self.recoveries += 1
        self.failures = self.failures + 1 if outcome.failed else 0
        self.retry_after = outcome.retry_after
        # A failed poll leaves the issues of the last good poll and may add the
        # 403 issue. A good poll clears the 403 issue and recomputes the others.
        if not outcome.failed:
            self.issues.clear()
        if outcome.issue is not None:
            self.issues.add(outcome.issue)


async def wait_for_poll(soak: Soak, freezer: FrozenDateTimeFactory, wait: int) -> None:
    """Tick until the next poll starts, and check that it starts after `wait` s."""
    started = soak.coordinator.last_poll_started
    waited = 0
    while soak.coordinator.last_poll_started == started:
        assert waited < wait, f"no poll {wait} s after the last one"
        freezer.tick(timedelta(seconds=INTERVAL))
        async_fire_time_changed(soak.hass)
        await soak.hass.async_block_till_done(wait_background_tasks=True)
        waited += INTERVAL
    assert waited == wait


def pending_work(soak: Soak) -> tuple[int, int]:
    """Return the tasks still running and the timers still due."""
    hass = soak.hass
    tasks = len(hass._tasks) + len(hass._background_tasks)
    tasks += len(soak.entry._tasks) + len(soak.entry._background_tasks)
    scheduled: list[asyncio.TimerHandle] = hass.loop._scheduled  # type: ignore[attr-defined]
    timers = sum(not handle.cancelled() for handle in scheduled)
    return tasks, timers


@dataclass
class LogTally:
    """The outage and recovery lines logged so far."""

    outages: int = 0
    recoveries: int = 0

    def add(self, caplog: pytest.LogCaptureFixture) -> None:
        """Count the new lines, and fail on any other error or traceback."""
        for record in caplog.records:
            message = record.getMessage()
            if record.name == LOGGER_NAME and message.startswith("Error fetching"):
                assert record.levelno == logging.ERROR
                self.outages += 1
            elif record.name == LOGGER_NAME and message.endswith("data recovered"):
                assert record.levelno == logging.INFO
                self.recoveries += 1
            else:
                assert record.levelno < logging.ERROR, message
                assert record.levelno < logging.WARNING or not record.exc_info, message


def open_issues(hass: HomeAssistant) -> set[str]:
    """Return the ids of the integration's repair issues."""
    registry = ir.async_get(hass)
    return {issue_id for (domain, issue_id) in registry.issues if domain == DOMAIN}


def live_objects() -> int:
    """Return the number of objects the garbage collector tracks, after a collection."""
    gc.collect()
    return len(gc.get_objects())


@pytest.fixture
async def soak(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    monkeypatch: pytest.MonkeyPatch,
) -> Soak:
    """Set up a token-auth entry with the clock already frozen."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        data={**mock_config_entry.data, CONF_AUTH_METHOD: "token"},
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    coordinator: CxEngageCoordinator = mock_config_entry.runtime_data
    # The client's clock defaults to the time.time of import time, which the
    # frozen clock does not replace. HTTP dates in Retry-After need the frozen one.
    monkeypatch.setattr(coordinator.client, "_clock", time.time)
    port = int(simulator.base_url.rsplit(":", 1)[1])
    # A seeded generator, so that a failing run can be replayed.
    rng = random.Random(SEED)  # noqa: S311
    return Soak(hass, simulator, mock_config_entry, rng, port)


async def test_day_of_polling_with_random_faults(
    soak: Soak,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    pytestconfig: pytest.Config,
) -> None:
    caplog.set_level(logging.INFO)
    # pytest keeps a second copy of every record for its failure report. Its
    # records hold exceptions, and through their tracebacks the objects of each
    # failed poll, which would count as growth.
    logging_plugin = pytestconfig.pluginmanager.get_plugin("logging-plugin")
    assert logging_plugin is not None
    report_handler = logging_plugin.report_handler
    # The test harness replaces storage writes with a mock, which records them.
    storage_writes = Store._async_write_data.mock  # type: ignore[attr-defined]
    assert isinstance(storage_writes, Mock)
    names = list(SCENARIOS)
    weights = [SCENARIOS[name][0] for name in names]
    picked: dict[str, int] = dict.fromkeys(names, 0)
    model = Model()
    logged = LogTally()
    elapsed = 0
    objects_after_first_hour: int | None = None
    max_timers_first_hour = 0
    max_timers = 0

    while elapsed < SIMULATED.total_seconds():
        name = soak.rng.choices(names, weights)[0]
        picked[name] += 1
        wait = model.next_wait()
        outcome = await SCENARIOS[name][1](soak, wait)

        await wait_for_poll(soak, freezer, wait)
        elapsed += wait
        model.record(outcome)

        check_states(soak, outcome)
        assert open_issues(soak.hass) == model.issues, name
        assert soak.hass.config_entries.flow.async_progress() == []
        logged.add(caplog)
        assert (logged.outages, logged.recoveries) == (model.outages, model.recoveries)

        # Nothing is left running between polls, and timers do not pile up.
        tasks, timers = pending_work(soak)
        assert tasks == 0, name
        if objects_after_first_hour is None:
            max_timers_first_hour = max(max_timers_first_hour, timers)
        else:
            max_timers = max(max_timers, timers)

        await clear_scenario(soak)
        # Drop what the simulator and the test harness record, which grows.
        soak.simulator.reset_counters()
        caplog.clear()
        report_handler.reset()
        storage_writes.reset_mock()
        if objects_after_first_hour is None and elapsed >= 3600:
            objects_after_first_hour = live_objects()

    assert soak.entry.state is ConfigEntryState.LOADED
    assert all(picked.values()), picked
    assert model.outages > 20
    assert max_timers <= max_timers_first_hour, (max_timers, max_timers_first_hour)
    assert objects_after_first_hour is not None
    growth = live_objects() - objects_after_first_hour
    # NOTE: The tolerance is a guess from a few runs, which grew by -85 to 20
    # objects. One object kept per outage would add about 400, one per poll 1900.
    assert growth < 200, growth
    summary = {
        "polls": sum(picked.values()),
        "outages": model.outages,
        "growth": growth,
    }
    print(json.dumps(summary))  # noqa: T201 - shown with -s
