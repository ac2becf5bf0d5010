"""Measure one integration in one Home Assistant core process.

    python -m scripts.bench_ha.worker SPEC.json RESULT.json

The worker starts a real Home Assistant core with `homeassistant: debug: true` in a
temporary configuration directory, loads either this integration (through a config
entry) or the `rest` integration (through `rest:` YAML) with the spec's
statistics, and polls on demand. The simulator runs in another process, so its CPU
time is not counted here. The results go to RESULT.json (see results.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict
import gc
import json
import logging
from pathlib import Path
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from typing import TYPE_CHECKING, Final

from homeassistant import runner
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback

from scripts.bench_ha.homeassistant import (
    BenchIntegration,
    CxEngageIntegration,
    RestIntegration,
    start_home_assistant,
    without_zeroconf,
)
from scripts.bench_ha.profiling import time_by_kind
from scripts.bench_ha.results import PollResult, SetupResult, WorkerResult, WorkerSpec
from scripts.bench_ha.simulator_client import SimulatorControl
from scripts.bench_ha.workload import workload

if TYPE_CHECKING:
    from pyinstrument import Profiler

_LOGGER = logging.getLogger("bench.worker")

# Epoch seconds of the frozen simulator clock at set-up: 2026-03-04 15:00 UTC, a
# Wednesday at 10:00 in the simulated tenant's time zone (US/Eastern).
START_TIME: Final = 1_772_636_400.0
# A changed poll moves the clock by one hour and one value bucket (5 s), so that
# the "today" counters, which grow slowly, change too.
CHANGED_STEP: Final = 3_605.0
# Direct requests that measure one round trip. The first opens the connection and
# is not counted.
ROUND_TRIP_SAMPLES: Final = 8
# Seconds allowed for the set-up, until Home Assistant has no task left.
SETUP_TIMEOUT: Final = 300.0
# Polls before the measured ones, to fill caches and open connections.
WARM_UP_POLLS: Final = 2
# Changed polls after the set-up in a memory run: enough to reach the steady state.
MEMORY_POLLS: Final = 3
# Seconds between pyinstrument samples in a profile run.
PROFILE_INTERVAL: Final = 0.0002
MAX_WARNINGS: Final = 20


class WarningLog(logging.Handler):
    """Log handler that counts the warnings and errors logged during a run."""

    def __init__(self) -> None:
        """Start with no records."""
        super().__init__(level=logging.WARNING)
        self.messages: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        """Count the record under its logger name and first message line."""
        text = record.getMessage().splitlines()[0][:300]
        key = f"{record.levelname} {record.name}: {text}"
        self.messages[key] = self.messages.get(key, 0) + 1

    @property
    def blocking_calls(self) -> int:
        """Number of "Detected blocking call" warnings."""
        return sum(
            count
            for message, count in self.messages.items()
            if "Detected blocking call" in message
        )


class GcTimer:
    """Total time that Python's garbage collector ran, from gc.callbacks."""

    def __init__(self) -> None:
        """Start with no time counted; `install` starts counting."""
        self.total = 0.0
        self._started: float | None = None

    def _on_gc(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            self.total += time.perf_counter() - self._started
            self._started = None

    def install(self) -> None:
        """Start counting."""
        gc.callbacks.append(self._on_gc)

    def remove(self) -> None:
        """Stop counting."""
        gc.callbacks.remove(self._on_gc)


class StateCounter:
    """Counter of the sensors' `state_changed` events, which notes new sensors too."""

    def __init__(self, hass: HomeAssistant) -> None:
        """Listen to the bus. Only the integration under test has sensors."""
        self.entity_ids: list[str] = []
        self.last_added_at: float | None = None
        self.changed = 0
        self._unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, self._on_event)

    @callback
    def _on_event(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        if not entity_id.startswith("sensor."):
            return
        if event.data["old_state"] is None:
            self.entity_ids.append(entity_id)
            self.last_added_at = time.perf_counter()
            return
        self.changed += 1

    def stop(self) -> None:
        """Stop listening."""
        self._unsubscribe()


def _states(hass: HomeAssistant, entity_ids: list[str]) -> list[str | None]:
    values: list[str | None] = []
    for entity_id in entity_ids:
        state = hass.states.get(entity_id)
        values.append(None if state is None else state.state)
    return values


class Bench:
    """The measurements of one worker, in the order `run` performs them."""

    def __init__(
        self,
        hass: HomeAssistant,
        spec: WorkerSpec,
        control: SimulatorControl,
        integration: BenchIntegration,
    ) -> None:
        """Bind the running core, the spec and the simulator's controls."""
        self.hass = hass
        self.spec = spec
        self.control = control
        self.integration = integration
        self.counter = StateCounter(hass)
        self.gc_timer = GcTimer()
        self.clock = START_TIME
        self.profiler: Profiler | None = None

    async def measure_setup(self) -> SetupResult:
        """Load the integration and time it until the last sensor has its first state.

        Raises:
            RuntimeError: fewer sensors than tracked statistics have a state.
        """
        await self.control.set_clock(self.clock)
        await self.control.reset_counters()
        api_cpu = await self.control.cpu_time()
        cpu = time.process_time()
        started = time.perf_counter()

        async with asyncio.timeout(SETUP_TIMEOUT):
            await self.integration.async_setup()
            # The rest integration adds its sensors in tasks of their own.
            await self.hass.async_block_till_done()
        cpu = time.process_time() - cpu

        added = len(self.counter.entity_ids)
        if added < self.spec.size or self.counter.last_added_at is None:
            msg = f"Only {added} of {self.spec.size} sensors have a state after set-up"
            raise RuntimeError(msg)
        wall = self.counter.last_added_at - started
        return SetupResult(
            wall=wall,
            cpu=cpu,
            api_cpu=await self.control.cpu_time() - api_cpu,
            requests=await self.control.counters(),
            states=len(self.counter.entity_ids),
            unavailable=sum(
                value in {None, "unavailable", "unknown"}
                for value in _states(self.hass, self.counter.entity_ids)
            ),
        )

    async def measure_poll(self, *, changed: bool, profile: bool = False) -> PollResult:
        """Run one poll of every statistic and measure it.

        A changed poll first moves the simulator's clock, so that the values change.
        With `profile`, the profiler, if any, samples the poll.
        """
        if changed:
            self.clock += CHANGED_STEP
            await self.control.set_clock(self.clock)
        before = _states(self.hass, self.counter.entity_ids)
        events = self.counter.changed
        await self.control.reset_counters()
        api_cpu = await self.control.cpu_time()

        profiler = self.profiler if profile else None
        if profiler is not None:
            profiler.start()
        gc_time = self.gc_timer.total
        cpu = time.process_time()
        started = time.perf_counter()
        await self.integration.async_poll()
        wall = time.perf_counter() - started
        # Work that the poll scheduled, if any, still counts as the poll's CPU time.
        await self.hass.async_block_till_done()
        cpu = time.process_time() - cpu
        if profiler is not None:
            profiler.stop()

        after = _states(self.hass, self.counter.entity_ids)
        return PollResult(
            changed=changed,
            wall=wall,
            cpu=cpu,
            gc=self.gc_timer.total - gc_time,
            api_cpu=await self.control.cpu_time() - api_cpu,
            requests=await self.control.counters(),
            state_changed=self.counter.changed - events,
            values_changed=sum(
                old != new for old, new in zip(before, after, strict=True)
            ),
        )

    async def measure_round_trip(self) -> list[float]:
        """Time direct GETs of one statistic: the floor for any poll."""
        return await self.control.time_requests(
            self.integration.first_statistic_url, ROUND_TRIP_SAMPLES
        )


async def _run_polls(bench: Bench, polls: int) -> list[PollResult]:
    """Run the warm-up polls, then `polls` measured polls of each kind, alternating."""
    for _ in range(WARM_UP_POLLS // 2):
        await bench.measure_poll(changed=False)
        await bench.measure_poll(changed=True)
    results: list[PollResult] = []
    for _ in range(polls):
        results.append(await bench.measure_poll(changed=False, profile=True))
        results.append(await bench.measure_poll(changed=True, profile=True))
    return results


async def _measure_memory(bench: Bench) -> tuple[SetupResult, int, int]:
    """Trace Python allocations through the set-up and a few changed polls.

    Returns the set-up, the peak traced size and the size still allocated at the end,
    in bytes. The set-up time measured here is slowed down by the tracing.
    """
    gc.collect()
    tracemalloc.start()
    setup = await bench.measure_setup()
    for _ in range(MEMORY_POLLS):
        await bench.measure_poll(changed=True)
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return setup, peak, current


async def _write_profile(profiler: Profiler, path: Path) -> dict[str, float]:
    """Write the profile as text to `path` and return its seconds by kind of work."""
    text = profiler.output_text(unicode=True, color=False, show_all=True)
    await asyncio.to_thread(path.write_text, text)
    root = profiler.last_session.root_frame() if profiler.last_session else None
    return {} if root is None else time_by_kind(root)


async def run(spec: WorkerSpec) -> WorkerResult:
    """Start Home Assistant, measure the spec's integration, stop, and return."""
    # File work runs in threads: Home Assistant reports it in its event loop.
    config_dir = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="bench-ha-"))
    warnings = WarningLog()
    try:
        with without_zeroconf():
            hass = await start_home_assistant(config_dir)
            logging.getLogger().addHandler(warnings)
            control = SimulatorControl(spec.base_url)
            try:
                result = await _measure(hass, spec, control, config_dir)
            finally:
                await control.close()
                await hass.async_stop()
    finally:
        logging.getLogger().removeHandler(warnings)
        await asyncio.to_thread(shutil.rmtree, config_dir, ignore_errors=True)

    result.max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result.warnings = dict(list(warnings.messages.items())[:MAX_WARNINGS])
    result.blocking_calls = warnings.blocking_calls
    return result


async def _measure(
    hass: HomeAssistant, spec: WorkerSpec, control: SimulatorControl, config_dir: Path
) -> WorkerResult:
    """Set up the spec's integration, then time its polls or trace its memory."""
    statistics_ = workload(spec.size)
    integration: BenchIntegration
    if spec.integration == "rest":
        integration = RestIntegration(hass, spec, statistics_, config_dir)
    else:
        integration = CxEngageIntegration(hass, spec, statistics_)
    await integration.async_prepare()
    bench = Bench(hass, spec, control, integration)

    if spec.profile is not None:
        # Imported here: pyinstrument is needed only for profile runs.
        from pyinstrument import Profiler  # noqa: PLC0415

        bench.profiler = Profiler(interval=PROFILE_INTERVAL, async_mode="disabled")

    round_trips = await bench.measure_round_trip()
    bench.gc_timer.install()
    peak = retained = None
    polls: list[PollResult] = []
    profile: dict[str, float] | None = None
    if spec.memory:
        setup, peak, retained = await _measure_memory(bench)
    else:
        setup = await bench.measure_setup()
        polls = await _run_polls(bench, spec.polls)
    if bench.profiler is not None and spec.profile is not None:
        profile = await _write_profile(bench.profiler, Path(spec.profile))
    bench.counter.stop()
    bench.gc_timer.remove()

    return WorkerResult(
        spec=spec,
        debug=hass.config.debug,
        round_trips=round_trips,
        round_trip=statistics.median(round_trips),
        setup=setup,
        polls=polls,
        peak_memory=peak,
        retained_memory=retained,
        profile=profile,
    )


def main() -> None:
    """Read the spec, run it in Home Assistant's own event loop, write the result."""
    spec_path, result_path = (Path(arg) for arg in sys.argv[1:3])
    spec = WorkerSpec(**json.loads(spec_path.read_text()))

    async def run_and_write() -> None:
        result = await run(spec)
        await asyncio.to_thread(result_path.write_text, json.dumps(asdict(result)))

    # Home Assistant's loop: its exception handler and executor, no asyncio debug.
    loop = runner.create_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(run_and_write())
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        asyncio.set_event_loop(None)
        loop.close()


if __name__ == "__main__":
    main()
