"""Check the measured figures against the benchmark's targets."""

# ruff: noqa: RUF001 - the page uses the multiplication sign.

from __future__ import annotations

from dataclasses import dataclass
import math
from typing import TYPE_CHECKING, Final, Literal

from custom_components.cxengage.api.const import (
    DEFAULT_BATCH_CHUNK_SIZE,
    DEFAULT_MAX_CONCURRENT_BATCHES,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scripts.bench_ha.report import Results

type Status = Literal["met", "not met", "partly met", "not measured"]

SMALL_SIZE: Final = 50
LARGE_SIZE: Final = 1000
SMALL_WALL_LIMIT: Final = 1.3
LARGE_WALL_LIMIT: Final = 2.0
CPU_SHARE_LIMIT: Final = 0.2
# A measured value above this share of its limit gets an explanation even when met,
# because the next run on a busier machine may cross the limit.
NEAR_LIMIT: Final = 0.9
STATE_WRITES: Final = "Writing states (Home Assistant core)"


@dataclass(frozen=True, slots=True)
class Verdict:
    """One target with what was measured, whether it is met and why not."""

    target: str
    measured: str
    status: Status
    explanation: str | None = None


def _kind(changed: bool) -> str:  # noqa: FBT001 - a poll kind, not an option
    return "changed" if changed else "unchanged"


def _requests(results: Results, sizes: Sequence[int]) -> Verdict:
    target = "Requests per poll: ceil(N ÷ 50) with the batch endpoint, 1 for N ≤ 50"
    measured: list[str] = []
    met = True
    for size in sizes:
        polls = results.polls("cxengage", size, changed=False)
        polls += results.polls("cxengage", size, changed=True)
        counts = {poll.requests.get("total", 0) for poll in polls}
        expected = math.ceil(size / DEFAULT_BATCH_CHUNK_SIZE)
        met &= counts == {expected}
        measured.append(f"N={size}: {', '.join(str(c) for c in sorted(counts))}")
    return Verdict(target, "; ".join(measured), "met" if met else "not met")


def _wall_multiples(results: Results, size: int) -> list[tuple[float, bool]]:
    trip = results.round_trip("cxengage", size)
    multiples: list[tuple[float, bool]] = []
    for changed in (False, True):
        spread = results.poll_spread(
            "cxengage", size, lambda poll: poll.wall, changed=changed
        )
        if spread is not None and trip:
            multiples.append((spread.median / trip, changed))
    return multiples


def _small_wall(results: Results, sizes: Sequence[int]) -> Verdict:
    target = "Poll wall time ≤ 1.3 × one round trip for N ≤ 50 (median)"
    found = [
        (multiple, changed, size)
        for size in sizes
        if size <= SMALL_SIZE
        for multiple, changed in _wall_multiples(results, size)
    ]
    if not found:
        return Verdict(target, "no N ≤ 50 in this run", "not measured")
    worst, changed, size = max(found)
    measured = f"at most {worst:.2f}× (N={size}, {_kind(changed)} values)"
    return Verdict(target, measured, "met" if worst <= SMALL_WALL_LIMIT else "not met")


def _large_wall(results: Results, sizes: Sequence[int]) -> Verdict:
    target = "Poll wall time ≤ 2 × one round trip for N = 1000 (median)"
    if LARGE_SIZE not in sizes:
        return Verdict(target, "N = 1000 not in this run", "not measured")
    multiples = _wall_multiples(results, LARGE_SIZE)
    measured = ", ".join(
        f"{multiple:.2f}× {_kind(changed)}" for multiple, changed in multiples
    )
    worst = max((multiple for multiple, _ in multiples), default=0.0)
    explanation = None
    if worst > NEAR_LIMIT * LARGE_WALL_LIMIT:
        explanation = _large_wall_explanation(results)
    status: Status = "met" if worst <= LARGE_WALL_LIMIT else "not met"
    return Verdict(target, measured, status, explanation)


def _large_wall_explanation(results: Results) -> str:
    trip = results.round_trip("cxengage", LARGE_SIZE) or math.nan
    api = results.poll_spread(
        "cxengage", LARGE_SIZE, lambda poll: poll.api_cpu, changed=True
    )
    cpu = results.poll_spread(
        "cxengage", LARGE_SIZE, lambda poll: poll.cpu, changed=True
    )
    chunks = math.ceil(LARGE_SIZE / DEFAULT_BATCH_CHUNK_SIZE)
    text = (
        "Poll wall time at N = 1000, close to or over the limit: the "
        f"{chunks} batch requests leave together "
        f"(at most {DEFAULT_MAX_CONCURRENT_BATCHES} at a time), so the latency is "
        "paid once. What comes on top is CPU work that does not overlap. The "
        "simulator builds every response in one process, chunk after chunk"
    )
    if api is not None:
        text += (
            f": {api.median * 1000:.0f} ms of API CPU per poll "
            f"({api.median / trip:.2f} × round trip)"
        )
    text += ". A real API serves the chunks on many servers at once."
    if cpu is not None:
        text += (
            f" Home Assistant then spends {cpu.median * 1000:.0f} ms of CPU on a "
            "changed poll"
        )
        profile = results.profile("cxengage", LARGE_SIZE)
        if profile is not None and profile.profile and profile.polls:
            writes = profile.profile.get(STATE_WRITES, 0.0) / len(profile.polls)
            text += (
                f"; the profile puts {writes * 1000:.0f} ms per poll (unchanged "
                "and changed polls averaged) in Home Assistant's own state writes, "
                "which follow the last response"
            )
        text += "."
    return text


def _cpu(results: Results, sizes: Sequence[int]) -> Verdict:
    target = "CPU per poll ≤ 1/5 of the rest integration's for N = 50 (median)"
    if SMALL_SIZE not in sizes:
        return Verdict(target, "N = 50 not in this run", "not measured")
    shares: list[tuple[float, bool]] = []
    for changed in (False, True):
        ours = results.poll_spread(
            "cxengage", SMALL_SIZE, lambda poll: poll.cpu, changed=changed
        )
        theirs = results.poll_spread(
            "rest", SMALL_SIZE, lambda poll: poll.cpu, changed=changed
        )
        if ours is not None and theirs is not None and theirs.median:
            shares.append((ours.median / theirs.median, changed))
    if not shares:
        return Verdict(target, "no polls measured", "not measured")
    measured = ", ".join(f"{share:.2f} ({_kind(changed)})" for share, changed in shares)
    worst = max(share for share, _ in shares)
    explanation = None
    if worst > NEAR_LIMIT * CPU_SHARE_LIMIT:
        explanation = _cpu_explanation(results)
    status: Status = "met" if worst <= CPU_SHARE_LIMIT else "not met"
    return Verdict(target, measured, status, explanation)


def _cpu_explanation(results: Results) -> str:
    medians: dict[tuple[str, bool], float] = {}
    for variant in ("cxengage", "rest"):
        for changed in (False, True):
            spread = results.poll_spread(
                variant, SMALL_SIZE, lambda poll: poll.cpu, changed=changed
            )
            medians[variant, changed] = spread.median * 1000 if spread else math.nan
    text = (
        "CPU per poll at N = 50, close to or over the limit for changed values: "
        "when values change, Home Assistant writes the changed states, which costs "
        "both integrations the same per state. CxEngage writes nothing in an "
        f"unchanged poll and goes from {medians['cxengage', False]:.2f} to "
        f"{medians['cxengage', True]:.2f} ms. rest writes every state in every "
        f"poll and goes from {medians['rest', False]:.2f} to "
        f"{medians['rest', True]:.2f} ms."
    )
    profile = results.profile("cxengage", SMALL_SIZE)
    if profile is not None and profile.profile and profile.polls:
        writes = profile.profile.get(STATE_WRITES, 0.0) / len(profile.polls)
        text += (
            f" The profile puts {writes * 1000:.2f} ms of CxEngage's polls (unchanged "
            "and changed averaged) in Home Assistant's state writes."
        )
    return text


def _events(results: Results, sizes: Sequence[int]) -> Verdict:
    target = "No `state_changed` event for a sensor whose value did not change"
    unchanged = [
        poll
        for size in sizes
        for poll in results.polls("cxengage", size, changed=False)
    ]
    changed = [
        poll for size in sizes for poll in results.polls("cxengage", size, changed=True)
    ]
    if not unchanged:
        return Verdict(target, "no polls measured", "not measured")
    events = sum(poll.state_changed for poll in unchanged)
    extra = sum(poll.state_changed > poll.values_changed for poll in changed)
    measured = (
        f"{events} events in {len(unchanged)} unchanged polls; more events than "
        f"changed values in {extra} of {len(changed)} changed polls"
    )
    return Verdict(target, measured, "met" if events == 0 and extra == 0 else "not met")


def _setup(results: Results, sizes: Sequence[int]) -> Verdict:
    target = (
        "Set-up: one catalogue request plus one batch round trip, never a request "
        "per statistic"
    )
    measured: list[str] = []
    requests_ok = True
    for size in sizes:
        runs = results.timing("cxengage", size)
        if not runs:
            continue
        expected = math.ceil(size / DEFAULT_BATCH_CHUNK_SIZE)
        for result in runs:
            counts = result.setup.requests
            requests_ok &= (
                counts.get("available") == 1
                and counts.get("statistic", 0) == 0
                and counts.get("batch") == expected
            )
        wall = sorted(result.setup.wall for result in runs)[len(runs) // 2]
        trip = results.round_trip("cxengage", size) or math.nan
        measured.append(f"N={size}: {wall / trip:.1f}×")
    if not measured:
        return Verdict(target, "no set-up measured", "not measured")
    text = "set-up time in round trips, " + "; ".join(measured)
    if not requests_ok:
        return Verdict(target, text, "not met", "See the set-up table for requests.")
    if max(sizes) <= DEFAULT_BATCH_CHUNK_SIZE:
        return Verdict(target, text, "met")
    explanation = (
        "Set-up for N > 50: the requests are as the target says (one catalogue "
        "request, the queue list when queue filters are used, sent together, then "
        "ceil(N ÷ 50) batch requests and no single GET). But the client's first "
        "poll sends its first chunk alone, to learn whether the server has the batch "
        "endpoint before it sends the other chunks together, so N > 50 costs a "
        "second batch round trip once, at set-up. The rest of the set-up time is "
        "Home Assistant creating the entities, their registry entries and one device "
        "per queue (see the CPU column of the set-up table)."
    )
    return Verdict(target, text, "partly met", explanation)


def _blocking(results: Results) -> Verdict:
    target = 'No "Detected blocking call" warning during set-up or polling'
    processes = results.all_results()
    count = sum(result.blocking_calls for result in processes)
    measured = f"{count} in {len(processes)} Home Assistant processes"
    return Verdict(target, measured, "met" if count == 0 else "not met")


def evaluate(results: Results, sizes: Sequence[int]) -> list[Verdict]:
    """Return the verdict on every target."""
    return [
        _requests(results, sizes),
        _small_wall(results, sizes),
        _large_wall(results, sizes),
        _cpu(results, sizes),
        _events(results, sizes),
        _setup(results, sizes),
        _blocking(results),
    ]


def render(verdicts: Sequence[Verdict]) -> str:
    """Render the verdicts as a table, with the explanations below it."""
    lines = ["| Target | Measured | Status |", "|---|---|---|"]
    lines += [f"| {v.target} | {v.measured} | {v.status} |" for v in verdicts]
    for verdict in verdicts:
        if verdict.explanation:
            lines += ["", verdict.explanation]
    return "\n".join(lines)
