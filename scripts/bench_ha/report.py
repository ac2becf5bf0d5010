"""Render the benchmark's results as docs/benchmarks.md."""

# ruff: noqa: RUF001, RUF002 - the page uses the multiplication sign and en dash.

from __future__ import annotations

from dataclasses import dataclass
import statistics
from typing import TYPE_CHECKING, Final, Literal

from scripts.bench_ha import targets
from scripts.bench_ha.machine import describe_machine
from scripts.bench_ha.profiling import IDLE, KINDS
from scripts.bench_ha.workload import (
    QUEUE_STATISTICS,
    queues_needed,
    tenant_wide_statistics,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from datetime import datetime

    from scripts.bench_ha.results import PollResult, WorkerResult

type Variant = Literal["cxengage", "rest", "fallback"]

VARIANT_NAMES: Final[dict[Variant, str]] = {
    "cxengage": "CxEngage",
    "rest": "rest",
    "fallback": "CxEngage, no batch endpoint",
}
# This integration and the rest integration, the two set-ups compared side by side.
COMPARED: Final[tuple[Variant, Variant]] = ("cxengage", "rest")
KIB: Final = 1024


@dataclass(frozen=True, slots=True)
class Run:
    """Every result of one benchmark run, with the settings that produced them."""

    results: list[WorkerResult]
    sizes: list[int]
    repeats: int
    polls: int
    fallback_polls: int
    latency: float
    command: str
    environment: str
    started_at: datetime
    duration: float


@dataclass(frozen=True, slots=True)
class Spread:
    """Median, minimum and maximum of some samples."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        """Summarise `values`, which must not be empty."""
        samples = sorted(values)
        return cls(statistics.median(samples), samples[0], samples[-1])


def variant_of(result: WorkerResult) -> Variant:
    """Return which of the three compared set-ups a result belongs to."""
    return "fallback" if result.spec.fallback else result.spec.integration


class Results:
    """The results of a run, by set-up, size and kind of run."""

    def __init__(self, run: Run) -> None:
        """Index the run's results."""
        self.run = run

    def _select(
        self, variant: Variant, size: int, test: Callable[[WorkerResult], bool]
    ) -> list[WorkerResult]:
        return [
            result
            for result in self.run.results
            if variant_of(result) == variant
            and result.spec.size == size
            and test(result)
        ]

    def timing(self, variant: Variant, size: int) -> list[WorkerResult]:
        """Return the runs that time set-up and polls."""
        return self._select(
            variant, size, lambda r: not r.spec.memory and r.spec.profile is None
        )

    def memory(self, variant: Variant, size: int) -> WorkerResult | None:
        """Return the run that traced memory, if any."""
        found = self._select(variant, size, lambda r: r.spec.memory)
        return found[0] if found else None

    def profile(self, variant: Variant, size: int) -> WorkerResult | None:
        """Return the profiled run, if any."""
        found = self._select(variant, size, lambda r: r.spec.profile is not None)
        return found[0] if found else None

    def polls(self, variant: Variant, size: int, *, changed: bool) -> list[PollResult]:
        """Return every measured poll of one kind, across the timing runs."""
        return [
            poll
            for result in self.timing(variant, size)
            for poll in result.polls
            if poll.changed == changed
        ]

    def poll_spread(
        self,
        variant: Variant,
        size: int,
        value: Callable[[PollResult], float],
        *,
        changed: bool,
    ) -> Spread | None:
        """Return the spread of one figure over the polls of one kind, if any."""
        polls = self.polls(variant, size, changed=changed)
        return Spread.of(value(poll) for poll in polls) if polls else None

    def round_trip(self, variant: Variant, size: int) -> float | None:
        """Return the median time of one direct request to the simulator, if any."""
        samples = [t for r in self.timing(variant, size) for t in r.round_trips]
        return statistics.median(samples) if samples else None

    def all_results(self) -> list[WorkerResult]:
        """Return every result of the run."""
        return self.run.results


# Number formatting.


def ms(seconds: float) -> str:
    """Format seconds as milliseconds with 3 significant digits or more."""
    value = seconds * 1000
    if value >= 100:  # noqa: PLR2004
        return f"{value:.0f}"
    if value >= 10:  # noqa: PLR2004
        return f"{value:.1f}"
    return f"{value:.2f}"


def spread_ms(spread: Spread | None) -> str:
    """Format a spread of seconds as "median [min–max]" in milliseconds."""
    if spread is None:
        return "–"
    return f"{ms(spread.median)} [{ms(spread.low)}–{ms(spread.high)}]"


def times(value: float | None, unit: float | None) -> str:
    """Format value ÷ unit as a multiple, such as "1.07×"."""
    if value is None or not unit:
        return "–"
    return f"{value / unit:.2f}×"


def ratio(numerator: float | None, denominator: float | None) -> str:
    """Format a ratio with two decimals, or "–"."""
    if numerator is None or not denominator:
        return "–"
    return f"{numerator / denominator:.2f}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """Render a Markdown table."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def _median_int(values: Iterable[int]) -> str:
    samples = list(values)
    if not samples:
        return "–"
    low, high = min(samples), max(samples)
    middle = statistics.median(samples)
    text = f"{middle:g}"
    return text if low == high else f"{text} [{low}–{high}]"


# Sections.


def _header(run: Run) -> str:
    minutes = run.duration / 60
    return f"""# Benchmarks

This page compares the CxEngage integration with what a user would otherwise set up:
Home Assistant's built-in `rest` integration with one `rest:` resource per
statistic URL. Both read the same N statistics from the simulator in the same run,
side by side. `scripts/bench` measured every figure below and wrote this page; run
it again to refresh it.

- Command: `{run.command}`
- Started {run.started_at:%Y-%m-%d %H:%M} UTC; the run took {minutes:.1f} minutes.
- {run.repeats} Home Assistant processes per set-up and N, each with {run.polls}
  measured polls of each kind ({run.fallback_polls} without the batch endpoint).
- The simulator adds {ms(run.latency)} ms of latency to every API request.
"""


def _method(run: Run) -> str:
    tenant_wide = len(tenant_wide_statistics())
    queues = queues_needed(max(run.sizes))
    per_queue = ", ".join(f"`{name}`" for name in QUEUE_STATISTICS)
    return f"""## Method

- **Simulator.** `simulator/` runs in its own process on 127.0.0.1, so its CPU time
  is not counted as Home Assistant's. It waits {ms(run.latency)} ms before each API
  response, to model the internet. Its clock is frozen: an *unchanged* poll keeps
  it, so every value stays the same, and a *changed* poll first moves it by one
  hour, so nearly every value changes. The "values changed" column counts the
  sensors whose state did change.
- **Statistics.** N statistics: first the {tenant_wide} unfiltered count, time and
  percentage statistics of the simulator's catalogue, kinds alternating, then
  {per_queue} for one queue after another with a `queue-id` filter. The largest N uses
  {queues} queues; the simulator process serves the ones beyond its own four as
  generated queues. Time statistics read the average.
- **Home Assistant.** Each measurement starts a new Home Assistant core with
  `homeassistant: debug: true`, the way the `hass` command does
  (`bootstrap.async_setup_hass`, which also turns on the "Detected blocking call"
  checks), but without the default integrations such as `frontend`. The
  integration's modules are imported before the timed set-up.
- **CxEngage.** A config entry with the N statistics, Basic authentication and
  the data the config flow stores. A poll is `coordinator.async_refresh()`.
- **rest.** The YAML a user would write: one `rest:` resource per statistic URL
  with `authentication: basic`, the same credentials, and one sensor with a
  `value_template` such as `{{{{ value_json.results.count }}}}`, a `unique_id`, a
  state class and the unit. It is loaded with `async_setup_component` from that
  YAML. A poll refreshes every resource's coordinator at once, as when all their
  timers fire together.
- **Polls.** Both have a scan interval of one hour, so only the benchmark's polls
  run. After two warm-up polls, unchanged and changed polls alternate.
- **Figures.** *Requests*: the simulator's request counters. *Wall time*: from the
  start of a poll until it returns, when every state is written. *CPU*: CPU time
  of the Home Assistant process (`time.process_time`) from the start of the poll
  until `hass.async_block_till_done()` returns. *API CPU*: CPU time of the
  simulator process during the poll. *Events*: `state_changed` events of the
  tracked sensors. *Round trip*: the median of direct GETs of one statistic from
  the Home Assistant process, over a kept-alive connection. *Memory*: a separate
  process traces Python allocations with `tracemalloc` from just before the
  set-up through three changed polls. The table divides by N the peak and what is
  still allocated after a garbage collection. *Set-up*: from adding the entry (or
  `async_setup_component`) until the last sensor has its first state.
- **Spread.** "median [min–max]" over every measured poll of every process, or over
  the processes for set-up times.
"""


def _requests_section(results: Results, sizes: Sequence[int]) -> str:
    rows = []
    for size in sizes:
        row = [str(size)]
        for variant in VARIANT_NAMES:
            polls = results.polls(variant, size, changed=False)
            polls += results.polls(variant, size, changed=True)
            row.append(_median_int(poll.requests.get("total", 0) for poll in polls))
        rows.append(row)
    header = ["N", *(f"{name}" for name in VARIANT_NAMES.values())]
    return (
        "### HTTP requests per poll\n\n"
        "From the simulator's counters; the same in every poll of a set-up.\n\n"
        + table(header, rows)
    )


def _wall_section(results: Results, sizes: Sequence[int]) -> str:
    rows = []
    for size in sizes:
        for changed in (False, True):
            row = [str(size), "changed" if changed else "unchanged"]
            medians: list[float | None] = []
            for variant in COMPARED:
                spread = results.poll_spread(
                    variant, size, lambda p: p.wall, changed=changed
                )
                trip = results.round_trip(variant, size)
                medians.append(spread.median if spread else None)
                median = spread.median if spread else None
                row += [spread_ms(spread), times(median, trip)]
            row.append(ratio(medians[1], medians[0]))
            rows.append(row)
    header = [
        "N",
        "Values",
        "CxEngage ms",
        "× round trip",
        "rest ms",
        "× round trip",
        "rest ÷ CxEngage",
    ]
    trips = [
        trip
        for size in sizes
        if (trip := results.round_trip("cxengage", size)) is not None
    ]
    trip_text = f"{ms(min(trips))}–{ms(max(trips))} ms" if trips else "not measured"
    return (
        "### Poll wall time\n\n"
        "One round trip, the median of direct GETs of one statistic for each N: "
        f"{trip_text}.\n\n" + table(header, rows)
    )


def _cpu_section(results: Results, sizes: Sequence[int]) -> str:
    rows = []
    for size in sizes:
        for changed in (False, True):
            row = [str(size), "changed" if changed else "unchanged"]
            medians: list[float | None] = []
            api: list[str] = []
            for variant in COMPARED:
                spread = results.poll_spread(
                    variant, size, lambda p: p.cpu, changed=changed
                )
                medians.append(spread.median if spread else None)
                row.append(spread_ms(spread))
                api_spread = results.poll_spread(
                    variant, size, lambda p: p.api_cpu, changed=changed
                )
                api.append(ms(api_spread.median) if api_spread else "–")
            row.append(ratio(medians[0], medians[1]))
            row += api
            rows.append(row)
    header = [
        "N",
        "Values",
        "CxEngage ms",
        "rest ms",
        "CxEngage ÷ rest",
        "API CPU, CxEngage ms",
        "API CPU, rest ms",
    ]
    return (
        "### CPU time per poll\n\n"
        "Home Assistant process; the API CPU columns are the simulator process's "
        f"medians. {_gc_note(results, sizes)}\n\n" + table(header, rows)
    )


def _gc_note(results: Results, sizes: Sequence[int]) -> str:
    """Return a sentence on the longest garbage collection inside a poll."""
    longest: dict[Variant, float] = {}
    for variant in COMPARED:
        pauses = [
            poll.gc
            for size in sizes
            for changed in (False, True)
            for poll in results.polls(variant, size, changed=changed)
        ]
        if pauses:
            longest[variant] = max(pauses)
    if not longest:
        return ""
    parts = [f"{ms(pause)} ms ({VARIANT_NAMES[v]})" for v, pause in longest.items()]
    return (
        "The maxima include Python's garbage collections, which ran for up to "
        + " and ".join(parts)
        + " inside one poll."
    )


def _events_section(results: Results, sizes: Sequence[int]) -> str:
    rows = []
    for size in sizes:
        row = [str(size)]
        for variant in COMPARED:
            unchanged = results.polls(variant, size, changed=False)
            row.append(_median_int(poll.state_changed for poll in unchanged))
        for variant in COMPARED:
            changed = results.polls(variant, size, changed=True)
            events = _median_int(poll.state_changed for poll in changed)
            values = _median_int(poll.values_changed for poll in changed)
            row.append(f"{events} for {values}")
        rows.append(row)
    header = [
        "N",
        "Unchanged: CxEngage",
        "Unchanged: rest",
        "Changed: CxEngage events for values changed",
        "Changed: rest",
    ]
    return (
        "### `state_changed` events per poll\n\n"
        "Events of the tracked sensors; a changed poll also shows how many sensor "
        "states did change.\n\n" + table(header, rows)
    )


def _memory_section(results: Results, sizes: Sequence[int]) -> str:
    rows = []
    for size in sizes:
        row = [str(size)]
        peaks: list[float | None] = []
        for variant in VARIANT_NAMES:
            result = results.memory(variant, size)
            if result is None or result.peak_memory is None:
                row.append("–")
                peaks.append(None)
                continue
            peak = result.peak_memory / size / KIB
            retained = (result.retained_memory or 0) / size / KIB
            peaks.append(peak)
            row.append(f"{peak:.1f} / {retained:.1f}")
        row.append(ratio(peaks[1], peaks[0]))
        rows.append(row)
    header = [
        "N",
        *(f"{name} KiB" for name in VARIANT_NAMES.values()),
        "rest ÷ CxEngage (peak)",
    ]
    return (
        "### Memory per tracked statistic\n\n"
        "Peak / retained Python allocations per statistic, from one traced process "
        "per cell.\n\n" + table(header, rows)
    )


def _setup_requests(result: WorkerResult) -> str:
    counts = result.setup.requests
    names = [name for name in sorted(counts) if name != "total"]
    return ", ".join(f"{counts[name]} {name}" for name in names) or "none"


def _setup_section(results: Results, sizes: Sequence[int]) -> str:
    rows = []
    for size in sizes:
        row = [str(size)]
        for variant in COMPARED:
            runs = results.timing(variant, size)
            if not runs:
                row += ["–", "–", "–"]
                continue
            wall = Spread.of(result.setup.wall for result in runs)
            cpu = Spread.of(result.setup.cpu for result in runs)
            trip = results.round_trip(variant, size)
            row += [
                f"{spread_ms(wall)} ({times(wall.median, trip)})",
                ms(cpu.median),
                _setup_requests(runs[0]),
            ]
        rows.append(row)
    header = [
        "N",
        "CxEngage ms (× round trip)",
        "CPU ms",
        "Requests",
        "rest ms (× round trip)",
        "CPU ms",
        "Requests",
    ]
    return (
        "### Set-up: from loading to the first states\n\n"
        "`available` is the statistic catalogue, `queues` the queue names for "
        "queue filters, `batch` a batch request and `statistic` a single GET.\n\n"
        + table(header, rows)
    )


def _fallback_section(results: Results, sizes: Sequence[int]) -> str:
    rows = []
    for size in sizes:
        runs = results.timing("fallback", size)
        if not runs:
            continue
        trip = results.round_trip("fallback", size)
        row = [str(size)]
        for changed in (False, True):
            wall = results.poll_spread(
                "fallback", size, lambda p: p.wall, changed=changed
            )
            median = wall.median if wall else None
            row.append(f"{spread_ms(wall)} ({times(median, trip)})")
        cpu = results.poll_spread("fallback", size, lambda p: p.cpu, changed=True)
        rest_cpu = results.poll_spread("rest", size, lambda p: p.cpu, changed=True)
        row.append(spread_ms(cpu))
        row.append(
            ratio(cpu.median if cpu else None, rest_cpu.median if rest_cpu else None)
        )
        setup = Spread.of(result.setup.wall for result in runs)
        row.append(f"{spread_ms(setup)} ({_setup_requests(runs[0])})")
        rows.append(row)
    header = [
        "N",
        "Wall, unchanged ms (× round trip)",
        "Wall, changed ms",
        "CPU, changed ms",
        "÷ rest CPU",
        "Set-up ms (requests)",
    ]
    return (
        "### Without the batch endpoint\n\n"
        "The simulator answers 404 to `POST .../batch`. The client then sends one GET "
        "per statistic, at most 8 at a time, so a poll takes about ceil(N ÷ 8) round "
        "trips. Requests, events and memory are in the tables above.\n\n"
        + table(header, rows)
    )


def _profile_section(results: Results, sizes: Sequence[int]) -> str | None:
    columns: list[tuple[str, dict[str, float], int]] = []
    for size in sizes:
        for variant in COMPARED:
            result = results.profile(variant, size)
            if result is None or not result.profile:
                continue
            title = f"{VARIANT_NAMES[variant]} N={size}"
            columns.append((title, result.profile, len(result.polls)))
    if not columns:
        return None
    rows = []
    for kind in KINDS:
        row = [kind]
        for _, profile, polls in columns:
            seconds = profile.get(kind, 0.0)
            row.append(ms(seconds / polls) if seconds else "–")
        rows.append(row)
    busy = ["Total, idle excluded"]
    for _, profile, polls in columns:
        total = sum(value for kind, value in profile.items() if kind != IDLE)
        busy.append(ms(total / polls))
    rows.append(busy)
    header = ["ms per poll", *(title for title, _, _ in columns)]
    return (
        "### Where the time goes (profile)\n\n"
        "pyinstrument sampled the main thread every 0.2 ms during the measured polls "
        "of one more process per column (unchanged and changed polls together). "
        "Each sample counts for the innermost frame that a rule of "
        "`scripts/bench_ha/profiling.py` matches. Profiling slows the polls down, so "
        "the totals exceed the CPU figures above; compare the rows, not the "
        "totals.\n\n" + table(header, rows)
    )


def _warnings_section(results: Results) -> str:
    counts: dict[str, int] = {}
    for result in results.all_results():
        for message, count in result.warnings.items():
            counts[message] = counts.get(message, 0) + count
    blocking = sum(result.blocking_calls for result in results.all_results())
    debug = all(result.debug for result in results.all_results())
    lines = [
        "## Warnings logged by Home Assistant",
        "",
        (
            f"`hass.config.debug` was {'on' if debug else 'OFF'} in every process. "
            f'"Detected blocking call" warnings: {blocking}.'
        ),
    ]
    if counts:
        lines += ["", "Warnings and errors during set-up and polls, with counts:", ""]
        lines += [f"- {count} × `{message}`" for message, count in counts.items()]
    else:
        lines += ["", "No warning or error was logged during set-up or polls."]
    return "\n".join(lines)


def render_report(run: Run) -> str:
    """Return the Markdown page for `run`."""
    results = Results(run)
    sizes = run.sizes
    verdicts = targets.evaluate(results, sizes)
    sections = [
        _header(run),
        describe_machine(run.environment),
        "## Targets\n\n" + targets.render(verdicts),
        "## Results",
        _requests_section(results, sizes),
        _wall_section(results, sizes),
        _cpu_section(results, sizes),
        _events_section(results, sizes),
        _memory_section(results, sizes),
        _setup_section(results, sizes),
        _fallback_section(results, sizes),
    ]
    if (profile := _profile_section(results, sizes)) is not None:
        sections.append(profile)
    sections += [_warnings_section(results), _method(run)]
    return "\n\n".join(section.strip() for section in sections) + "\n"
