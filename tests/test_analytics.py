"""Exact series on hand-computed experiments (expected values worked out in the comments)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.analytics import available_nodes, job_chain_order, throughput, utilization
from reportgen.analytics.jobstates import _job_index
from reportgen.analytics.steps import exact_cumsum, integrate, step_series
from tests.factories import (
    batch_job,
    batch_jobs_table,
    event,
    events_table,
    job,
    jobs_table,
    micros,
    points,
)

END = micros(600)


def test_throughput_counts_events_and_merges_one_instant() -> None:
    events = events_table(
        [
            event(1, 1, 10, "RUN_DONE", "JOB_FINISHED"),
            event(2, 2, 10, "RUN_DONE", "JOB_FINISHED"),  # same instant: one point, +2
            event(3, 3, 12.5, "RUN_DONE", "JOB_FINISHED"),
            event(4, 3, 13, "RUNNING", "RUN_DONE"),  # other state: not counted
            event(5, 3, 20, "RUN_DONE", "JOB_FINISHED"),  # a job finishing again counts again
            event(6, 4, 30, "RUN_DONE", "JOB_FINISHED"),  # after as_of: ignored
        ]
    )
    series = throughput(events, "JOB_FINISHED", micros(25))
    assert points(series) == [(10, 2), (12.5, 3), (20, 4)]
    assert series.integral


def test_throughput_of_a_state_no_event_has_is_empty() -> None:
    events = events_table([event(1, 1, 10, "RUN_DONE", "JOB_FINISHED")])
    assert len(throughput(events, "FAILED", END)) == 0


def test_utilization_weights_by_num_nodes_and_keeps_open_intervals_open() -> None:
    events = events_table(
        [
            event(1, 1, 0, "PREPROCESSED", "RUNNING", num_nodes=4.0),
            event(2, 2, 5, "PREPROCESSED", "RUNNING", num_nodes=0.25),
            event(3, 1, 10, "RUNNING", "RUN_DONE"),
            event(4, 3, 10, "PREPROCESSED", "RUNNING", num_nodes=2.0),  # 10: -4 +2 = net -2
            event(5, 2, 20, "RUNNING", "RUN_ERROR"),
        ]
    )
    series, notes = utilization(events, END, node_weighting=True, jobs=None)
    # 0: 4; 5: 4.25; 10: 4.25 - 4 + 2 = 2.25; 20: 2.25 - 0.25 = 2; job 3 still running at as_of
    assert points(series) == [(0, 4), (5, 4.25), (10, 2.25), (20, 2)]
    assert (notes.ignored_leaves, notes.ignored_entries, notes.fallback_weights) == (0, 0, 0)


def test_utilization_without_weighting_counts_jobs() -> None:
    events = events_table(
        [
            event(1, 1, 0, "PREPROCESSED", "RUNNING", num_nodes=4.0),
            event(2, 2, 5, "PREPROCESSED", "RUNNING", num_nodes=0.25),
            event(3, 1, 10, "RUNNING", "RUN_DONE"),
        ]
    )
    series, _ = utilization(events, END, node_weighting=False, jobs=None)
    assert points(series) == [(0, 1), (5, 2), (10, 1)]
    assert series.integral


def test_a_leave_without_start_is_ignored_and_never_goes_negative() -> None:
    events = events_table(
        [
            event(1, 1, 3, "RUNNING", "RUN_DONE"),  # started before the window
            event(2, 2, 4, "PREPROCESSED", "RUNNING", num_nodes=1.0),
            event(3, 2, 6, "RESTART_READY", "RUNNING", num_nodes=1.0),  # second entry while open
            event(4, 2, 8, "RUNNING", "RUN_DONE"),
        ]
    )
    series, notes = utilization(events, END, node_weighting=True, jobs=None)
    assert points(series) == [(4, 1), (8, 0)]
    assert (notes.ignored_leaves, notes.ignored_entries) == (1, 1)


def test_same_instant_events_follow_the_state_chain_not_the_id() -> None:
    # Job 7 times out and restarts at one instant; ids are in the "wrong" order on purpose.
    events = events_table(
        [
            event(10, 7, 0, "PREPROCESSED", "RUNNING", num_nodes=2.0),
            event(13, 7, 30, "RESTART_READY", "RUNNING", num_nodes=2.0),
            event(12, 7, 30, "RUN_TIMEOUT", "RESTART_READY"),
            event(11, 7, 30, "RUNNING", "RUN_TIMEOUT"),
            event(14, 7, 45, "RUNNING", "RUN_DONE"),
        ]
    )
    order = job_chain_order(events)
    assert events.id[order].tolist() == [10, 11, 12, 13, 14]
    series, notes = utilization(events, END, node_weighting=True, jobs=None)
    # close at 30 (-2) and reopen at 30 (+2) merge to no change: 0 -> 2 until 45
    assert points(series) == [(0, 2), (45, 0)]
    assert (notes.ignored_leaves, notes.ignored_entries) == (0, 0)


def test_a_chained_instant_starts_from_the_chained_end_of_the_instant_before() -> None:
    """At minute 1 the job enters RUNNING, but in id order its last event there is the
    earlier READY -> PREPROCESSED. Only the chain says the job is RUNNING when minute 2's
    restart comes, so that the leave (id 4) goes before the re-entry (id 3)."""
    events = events_table(
        [
            event(5, 1, 0, "STAGED_IN", "READY"),
            event(1, 1, 1, "PREPROCESSED", "RUNNING"),
            event(2, 1, 1, "READY", "PREPROCESSED"),
            event(3, 1, 2, "RESTART_READY", "RUNNING"),
            event(4, 1, 2, "RUNNING", "RESTART_READY"),
        ]
    )
    order = job_chain_order(events, touching=events.code("RUNNING"))
    assert events.id[order].tolist() == [5, 2, 1, 4, 3]
    series, notes = utilization(events, END, node_weighting=False, jobs=None)
    assert points(series) == [(1, 1)]  # running from minute 1, through the restart
    assert (notes.ignored_leaves, notes.ignored_entries) == (0, 0)


def test_a_chain_whose_start_lies_outside_the_window_begins_at_its_open_end() -> None:
    # Only the instant's events are in the window: RUNNING->RUN_TIMEOUT must come first.
    events = events_table(
        [
            event(3, 7, 30, "RESTART_READY", "RUNNING", num_nodes=1.0),
            event(2, 7, 30, "RUN_TIMEOUT", "RESTART_READY"),
            event(1, 7, 30, "RUNNING", "RUN_TIMEOUT"),
        ]
    )
    series, notes = utilization(events, END, node_weighting=True, jobs=None)
    assert points(series) == [(30, 1)]
    assert notes.ignored_leaves == 1


def test_missing_num_nodes_falls_back_to_the_job_then_to_one() -> None:
    events = events_table(
        [
            event(1, 1, 0, "PREPROCESSED", "RUNNING"),  # job 1: 8 nodes / 4 packed = 2
            event(2, 2, 1, "PREPROCESSED", "RUNNING"),  # job 2 unknown to the jobs table: 1
        ]
    )
    jobs = jobs_table([job(1, num_nodes=8, packing=4)])
    series, notes = utilization(events, END, node_weighting=True, jobs=jobs)
    assert points(series) == [(0, 2), (1, 3)]
    assert notes.fallback_weights == 2
    without_jobs, notes = utilization(events, END, node_weighting=True, jobs=None)
    assert points(without_jobs) == [(0, 1), (1, 2)]
    assert notes.fallback_source == "1"


def test_empty_utilization_is_an_empty_series() -> None:
    series, notes = utilization(events_table([]), END, node_weighting=True, jobs=None)
    assert len(series) == 0 and notes.ignored_leaves == 0


def test_available_nodes_counts_open_allocations_until_as_of_and_lists_the_rest() -> None:
    batch_jobs = batch_jobs_table(
        [
            batch_job(1, 8, 0, 60),
            batch_job(2, 4, 30, None, state="running"),  # open: counted up to as_of
            batch_job(3, 16, 60, 200),  # ends after as_of: open
            batch_job(4, 32, None, None, state="queued"),  # never started
            batch_job(5, 2, 150, 160),  # starts after as_of
            batch_job(6, 64, 50, 40),  # ends before it starts
        ]
    )
    series, uncounted = available_nodes(batch_jobs, micros(120))
    # 0: 8; 30: 12; 60: -8 +16 = 20
    assert points(series) == [(0, 8), (30, 12), (60, 20)]
    assert [(u.id, u.state, u.reason) for u in uncounted] == [
        (4, "queued", "never started (no start_time)"),
        (5, "finished", "starts after the as-of time"),
        (6, "finished", "ends before it starts"),
    ]


def test_step_series_drops_instants_whose_changes_cancel() -> None:
    times = np.array([5, 5, 7, 9, 9], dtype=np.int64)
    deltas = np.array([1.0, -1.0, 2.0, -0.5, 0.5])
    series = step_series("utilization", times, deltas, integral=False)
    assert series.times.tolist() == [7] and series.values.tolist() == [2.0]


def test_exact_cumsum_has_no_float_drift_on_thirds_and_sixths() -> None:
    deltas = np.array([1 / 3, 1 / 6, 1 / 6, -1 / 3] * 250_000 + [1 / 6])
    sums = exact_cumsum(deltas)
    assert sums[-1] == 1 / 6 + 250_000 * (1 / 3)  # 1/3+1/6+1/6-1/3 = 1/3 per block
    assert sums[3] == 1 / 3


def test_integrate_is_value_hours_up_to_the_end() -> None:
    series = step_series(
        "available_nodes", np.array([micros(0), micros(30)]), np.array([10.0, -4.0]), integral=True
    )
    # 10 nodes for 30 min + 6 nodes for 60 min = 5 + 6 = 11 node-hours
    assert integrate(series, micros(0), micros(90)) == pytest.approx(11.0)


@given(
    st.lists(st.integers(min_value=-(2**62), max_value=2**62), max_size=30)
    | st.lists(st.integers(min_value=0, max_value=50), max_size=200)
)
def test_job_index_numbers_jobs_like_a_sorted_set(ids: list[int]) -> None:
    """Dense ids go through the marking table, sparse ones through np.unique."""
    jobs, index = _job_index(np.array(ids, dtype=np.int64))
    assert jobs.tolist() == sorted(set(ids))
    assert jobs[index].tolist() == ids
