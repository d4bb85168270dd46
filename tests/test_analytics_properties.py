"""The fast series against the naive ones of `slow_reference`, on random experiments."""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.analytics import available_nodes, throughput, utilization
from reportgen.analytics.jobstates import chained_events, final_states, state_counts, states_at
from reportgen.analytics.utilization import running_intervals
from reportgen.charts.reduce import reduce_steps
from reportgen.source.columns import events_from_records, jobs_from_records
from tests import slow_reference as slow
from tests.factories import at, batch_job, batch_jobs_table

WEIGHTS = [1.0, 2.0, 4.0, 0.5, 0.25, 0.125, 1 / 3, 1 / 6, None]
# Balsam's recorded transitions, as a job walks them
NEXT = {
    "CREATED": ["STAGED_IN"],
    "STAGED_IN": ["PREPROCESSED"],
    "PREPROCESSED": ["RUNNING"],
    "RUNNING": ["RUN_DONE", "RUN_ERROR", "RUN_TIMEOUT"],
    "RUN_DONE": ["JOB_FINISHED"],
    "RUN_ERROR": ["FAILED", "RESTART_READY"],
    "RUN_TIMEOUT": ["RESTART_READY"],
    "RESTART_READY": ["RUNNING"],
}


LOSSY = {**NEXT, "RUNNING": [*NEXT["RUNNING"], "RESTART_READY", "FAILED"]}
"""Also runs ended otherwise (a launcher killed: straight to RESTART_READY or FAILED)."""


def random_experiment(
    seed: int, jobs: int, graph: dict[str, list[str]] | None = None
) -> list[slow.Ev]:
    """Jobs walking Balsam's state graph (or `graph`); times on a coarse grid so many
    coincide, but at most two consecutive events of one job share an instant, and never
    two that go and come back (a longer same-instant run, or RESTART_READY -> RUNNING ->
    RESTART_READY at one instant once a window hides what came before, can be a cycle whose
    order no algorithm could recover)."""
    graph = NEXT if graph is None else graph
    rng = random.Random(seed)
    events: list[slow.Ev] = []
    ids = list(range(1, jobs * 12 + 1))
    rng.shuffle(ids)  # ids say nothing about order
    for job_id in range(1, jobs + 1):
        state, time, seq, run, came_from = "CREATED", rng.randrange(0, 20), 0, 0, ""
        while state in graph and seq < 11:
            target = rng.choice(graph[state])
            same = run < 1 and rng.random() < 0.35 and target != came_from
            time += 0 if same else rng.randrange(1, 15)
            run = run + 1 if same else 0
            weight = rng.choice(WEIGHTS) if target == "RUNNING" else None
            events.append(slow.Ev(ids.pop(), job_id, time, state, target, weight, seq))
            state, seq, came_from = target, seq + 1, state
    rng.shuffle(events)
    return events


def table(events: list[slow.Ev]):  # type: ignore[no-untyped-def]
    records = [
        {
            "id": e.id,
            "job_id": e.job_id,
            "timestamp": at(e.time),
            "from_state": e.from_state,
            "to_state": e.to_state,
            "data": {} if e.num_nodes is None else {"num_nodes": e.num_nodes},
        }
        for e in events
    ]
    return events_from_records(records, Path("random.json"), set())


def minutes_to_micros(minutes: int) -> int:
    return int(np.datetime64(at(minutes), "us").astype(np.int64))


def as_changes(series) -> dict[int, float]:  # type: ignore[no-untyped-def]
    return dict(zip(series.times.tolist(), series.values.tolist(), strict=True))


def in_micros(changes: dict[int, Fraction]) -> dict[int, float]:
    """The exact values as the spec reports them: rounded to 9 decimal places."""
    return {minutes_to_micros(t): round(float(v), 9) for t, v in changes.items()}


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    jobs=st.integers(0, 25),
    window=st.integers(0, 40),
    as_of=st.integers(20, 200),
    weighting=st.booleans(),
)
def test_utilization_matches_the_naive_walk(
    seed: int, jobs: int, window: int, as_of: int, weighting: bool
) -> None:
    everything = random_experiment(seed, jobs)
    visible = [e for e in everything if e.time >= window]  # a timestamp_after query
    fallback = {j: float(1 + j % 3) / 2 for j in range(1, jobs + 1)}
    job_records = [
        {"id": j, "num_nodes": 1 + j % 3, "node_packing_count": 2, "batch_job_id": None}
        for j in fallback
    ]
    jobs_table = jobs_from_records(job_records, Path("jobs.json"), set())
    fast, _ = utilization(table(visible), minutes_to_micros(as_of), weighting, jobs_table)
    expected = slow.level_changes(slow.running_intervals(visible, as_of, weighting, fallback))
    assert as_changes(fast) == in_micros(expected)
    assert (fast.values >= 0).all()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), jobs=st.integers(0, 25), as_of=st.integers(20, 200))
def test_running_intervals_match_the_naive_walk(seed: int, jobs: int, as_of: int) -> None:
    """Each interval: its start, its end (the as-of time when open), its weight, and the
    event that closed it: the walk's own intervals, in the walk's (job, time) order."""
    events = random_experiment(seed, jobs)
    events_table = table(events)
    fast, _ = running_intervals(events_table, minutes_to_micros(as_of), True, None)
    expected = slow.running_intervals(events, as_of, True, {})
    got = [
        (int(start), None if closer < 0 else int(end), round(float(weight), 9))
        for start, end, weight, closer in zip(
            fast.start, fast.end, fast.weight, fast.closed_by, strict=True
        )
    ]
    assert got == [
        (minutes_to_micros(s), None if e is None else minutes_to_micros(e), round(float(w), 9))
        for s, e, w in expected
    ]
    closers = fast.closed_by[fast.closed_by >= 0]
    assert (events_table.from_state[closers] == events_table.code("RUNNING")).all()
    assert (events_table.timestamp[closers] == fast.end[fast.closed_by >= 0]).all()
    assert (fast.end[fast.closed_by < 0] == minutes_to_micros(as_of)).all()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), jobs=st.integers(0, 25), as_of=st.integers(0, 200))
def test_job_states_match_the_naive_walk(seed: int, jobs: int, as_of: int) -> None:
    events = random_experiment(seed, jobs)
    events_table = table(events)
    chained = chained_events(events_table, minutes_to_micros(as_of))
    job_ids, codes = final_states(chained)
    names = events_table.state_names
    got = dict(zip(job_ids.tolist(), [names[c] for c in codes.tolist()], strict=True))
    assert got == slow.job_states_at(events, as_of)
    quick_ids, quick_codes = states_at(events_table, minutes_to_micros(as_of))
    assert quick_ids.tolist() == job_ids.tolist() and quick_codes.tolist() == codes.tolist()
    counts = {
        names[code]: {int(t): int(v) for t, v in zip(s.times, s.values, strict=True)}
        for code, s in state_counts(chained).items()
    }
    expected = slow.state_count_changes(events, as_of)
    assert {k: v for k, v in counts.items() if v} == {
        state: {minutes_to_micros(t): v for t, v in by_time.items()}
        for state, by_time in expected.items()
    }


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    jobs=st.integers(0, 25),
    as_of=st.integers(0, 200),
    state=st.sampled_from(["JOB_FINISHED", "RUNNING", "FAILED"]),
)
def test_throughput_matches_counting(seed: int, jobs: int, as_of: int, state: str) -> None:
    everything = random_experiment(seed, jobs)
    fast = throughput(table(everything), state, minutes_to_micros(as_of))
    expected = slow.throughput_at(everything, state, as_of)
    assert as_changes(fast) == {minutes_to_micros(t): float(v) for t, v in expected.items()}


allocation = st.tuples(
    st.integers(1, 64), st.none() | st.integers(0, 300), st.none() | st.integers(0, 300)
)


@settings(max_examples=60, deadline=None)
@given(allocations=st.lists(allocation, max_size=12), as_of=st.integers(0, 300))
def test_available_nodes_matches_the_naive_sum(
    allocations: list[tuple[int, int | None, int | None]], as_of: int
) -> None:
    records = [batch_job(i + 1, n, s, e) for i, (n, s, e) in enumerate(allocations)]
    fast, uncounted = available_nodes(batch_jobs_table(records), minutes_to_micros(as_of))
    expected = slow.available_at(allocations, as_of)
    assert as_changes(fast) == in_micros(expected)
    counted = sum(
        1 for _, s, e in allocations if s is not None and s <= as_of and (e is None or e >= s)
    )
    assert len(uncounted) == len(allocations) - counted


@settings(max_examples=80, deadline=None)
@given(
    steps=st.lists(st.tuples(st.integers(1, 50), st.integers(-20, 20)), max_size=400),
    columns=st.integers(1, 60),
)
def test_reduction_keeps_every_columns_extremes_and_ends(
    steps: list[tuple[int, int]], columns: int
) -> None:
    times = np.cumsum([gap for gap, _ in steps]).astype(np.int64)
    values = np.array([v for _, v in steps], dtype=np.float64)
    start, end = 0, int(times[-1]) + 1 if steps else 1
    kept = reduce_steps(times, values, start, end, columns)
    if len(steps) <= columns:
        assert kept.tolist() == list(range(len(steps)))  # identity on short series
        return
    assert np.all(np.diff(kept) > 0)
    assert kept.size <= 4 * columns
    column = np.minimum((times - start) * columns // (end - start), columns - 1)
    for c in np.unique(column):
        members = np.flatnonzero(column == c)
        kept_here = np.intersect1d(kept, members)
        assert members[0] in kept_here and members[-1] in kept_here
        assert values[kept_here].min() == values[members].min()
        assert values[kept_here].max() == values[members].max()
