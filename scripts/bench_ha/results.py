"""Specs and results of worker runs, as dataclasses that convert to and from JSON.

Times are in seconds, memory in bytes unless a name says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Self

type IntegrationName = Literal["cxengage", "rest"]


@dataclass(frozen=True, slots=True)
class WorkerSpec:
    """One worker run.

    Attributes:
        integration: "cxengage" (this integration) or "rest".
        size: Number of tracked statistics.
        base_url: The simulator's URL, such as "http://127.0.0.1:41234".
        polls: Measured polls of each kind (unchanged and changed values).
        memory: Trace memory through the set-up and a few polls instead of timing.
        fallback: The simulator has no batch endpoint in this run (a label only:
            the parent process configures the simulator).
        profile: Path for a pyinstrument profile of the measured polls, or None.
            Profiling slows the polls down, so a profile run's times are not
            reported as measurements.
    """

    integration: IntegrationName
    size: int
    base_url: str
    polls: int
    memory: bool = False
    fallback: bool = False
    profile: str | None = None


@dataclass(frozen=True, slots=True)
class SetupResult:
    """From the start of the set-up until the last sensor has its first state.

    `wall` ends with the last first state, `cpu` when Home Assistant has no task
    left. `requests` counts the API requests per endpoint name, plus "total".
    """

    wall: float
    cpu: float
    api_cpu: float
    requests: dict[str, int]
    states: int
    unavailable: int


@dataclass(frozen=True, slots=True)
class PollResult:
    """One poll of every tracked statistic.

    Attributes:
        changed: The simulator's values changed before this poll.
        wall: From the start of the poll until every state was written.
        cpu: CPU time of the Home Assistant process during the poll.
        gc: Time that Python's garbage collector ran during the poll, part of `cpu`.
        api_cpu: CPU time of the simulator process during the poll.
        requests: API requests per endpoint name, plus "total".
        state_changed: `state_changed` events of the tracked sensors.
        values_changed: Tracked sensors whose state differs after the poll.
    """

    changed: bool
    wall: float
    cpu: float
    gc: float
    api_cpu: float
    requests: dict[str, int]
    state_changed: int
    values_changed: int


@dataclass(slots=True)
class WorkerResult:
    """Everything one worker measured.

    `round_trip` is the median of `round_trips`, direct GETs of one statistic from
    the Home Assistant process. The memory figures are set only by a memory run,
    and `profile` (seconds by kind of work, see profiling.py) by a profile run.
    `max_rss_kib`, `warnings` and `blocking_calls` are set once the core stopped.
    """

    spec: WorkerSpec
    debug: bool
    round_trips: list[float]
    round_trip: float
    setup: SetupResult
    polls: list[PollResult] = field(default_factory=list)
    peak_memory: int | None = None
    retained_memory: int | None = None
    profile: dict[str, float] | None = None
    max_rss_kib: int = 0
    warnings: dict[str, int] = field(default_factory=dict)
    blocking_calls: int = 0

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """Rebuild a result from the dictionary that `dataclasses.asdict` made."""
        return cls(
            **{
                **data,
                "spec": WorkerSpec(**data["spec"]),
                "setup": SetupResult(**data["setup"]),
                "polls": [PollResult(**poll) for poll in data["polls"]],
            }
        )
