"""Invariants of the generated statistic values, checked without HTTP."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from simulator import AGENT_IDS, QUEUE_IDS, STATISTICS, Kind
from simulator.bodies import statistic_body
from simulator.values import BUCKET_SECONDS, Filters, Moment, ValueGenerator

# 2020-01-01 to 2035-01-01, which covers many DST changes.
times = st.floats(min_value=1_577_836_800, max_value=2_051_222_400)
seeds = st.integers(min_value=0, max_value=10_000)
queue_ids = st.sampled_from(sorted(QUEUE_IDS.values()))
agent_ids = st.sampled_from(sorted(AGENT_IDS.values()))
TIME_STATISTICS = sorted(
    name for name, statistic in STATISTICS.items() if statistic.kind is Kind.TIME
)


def generator(seed: int, now: float) -> ValueGenerator:
    return ValueGenerator(seed, Moment.at(now, "US/Eastern"))


@settings(max_examples=200, deadline=None)
@given(seed=seeds, now=times)
def test_agent_states_sum(seed: int, now: float) -> None:
    idle, busy, away = generator(seed, now).agent_states()
    assert min(idle, busy, away) >= 0
    assert 8 <= idle + busy + away <= 40


@settings(max_examples=200, deadline=None)
@given(seed=seeds, now=times)
def test_queue_lengths_sum(seed: int, now: float) -> None:
    values = generator(seed, now)
    lengths = [values.queue_length(queue_id) for queue_id in QUEUE_IDS.values()]
    assert all(0 <= length <= 15 for length in lengths)
    assert values.queue_length(None) == sum(lengths)


@settings(max_examples=200, deadline=None)
@given(
    seed=seeds,
    now=times,
    name=st.sampled_from(TIME_STATISTICS),
    agent_id=st.none() | agent_ids,
)
def test_time_statistic_order(
    seed: int, now: float, name: str, agent_id: str | None
) -> None:
    accepts_agent = "resource-id" in STATISTICS[name].filters
    filters = Filters(resource_id=agent_id if accepts_agent else None)
    values = generator(seed, now).time(name, filters)
    assert values["count"] >= 1
    assert values["min"] <= values["avg"] <= values["max"]
    assert values["total"] == values["avg"] * values["count"]


@settings(max_examples=200, deadline=None)
@given(seed=seeds, now=times, queue_id=queue_ids)
def test_service_level_range(seed: int, now: float, queue_id: str) -> None:
    values = generator(seed, now)
    for filters in (Filters(), Filters(queue_id=queue_id)):
        assert 60.0 <= values.percent("service-level", filters) <= 100.0


@settings(max_examples=100, deadline=None)
@given(seed=seeds, now=times)
def test_daily_counters_monotonic(seed: int, now: float) -> None:
    earlier = generator(seed, now)
    later = generator(seed, now + 10 * BUCKET_SECONDS)
    if later.moment.day_start != earlier.moment.day_start:
        return
    for name in ("interaction-starts-count", "queue-abandons-count"):
        assert later.count(name, Filters()) >= earlier.count(name, Filters())


@settings(max_examples=100, deadline=None)
@given(now=times)
def test_query_window_one_day(now: float) -> None:
    moment = Moment.at(now, "US/Eastern")
    assert moment.day_start.timestamp() <= now
    assert now < moment.day_end.timestamp() + 0.001
    assert moment.day_start.hour == 0
    assert moment.day_end.hour == 23
    assert moment.day_end.microsecond == 999_000


@settings(max_examples=50, deadline=None)
@given(seed=seeds, now=times, name=st.sampled_from(sorted(STATISTICS)))
def test_bodies_deterministic(seed: int, now: float, name: str) -> None:
    def body() -> dict[str, object]:
        return statistic_body(
            STATISTICS[name],
            Filters(),
            seed=seed,
            now=now,
            timezone="US/Eastern",
            numbers_as_strings=False,
        )

    assert body() == body()


def test_per_queue_differs_from_tenant() -> None:
    values = generator(1, 1_768_491_002.0)
    tenant = values.time("queue-time", Filters())
    for queue_id in QUEUE_IDS.values():
        assert values.time("queue-time", Filters(queue_id=queue_id)) != tenant
