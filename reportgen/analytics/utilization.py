"""Utilization: the jobs (or nodes) running at each instant, from RUNNING intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.analytics.steps import StepSeries, step_series
from reportgen.source.tables import EventTable, Floats, Ints, JobTable, Mask


@dataclass(frozen=True)
class UtilizationNotes:
    """What the computation had to work around, shown on the page as warnings."""

    ignored_leaves: int
    """Leaves of RUNNING with no open interval (their start lies outside the window)."""
    ignored_entries: int
    """Entries into RUNNING while the job's interval was already open."""
    fallback_weights: int
    """RUNNING entries without `data.num_nodes`."""
    fallback_source: str
    """Where their weight came from: "the job's num_nodes / node_packing_count" or "1"."""


@dataclass(frozen=True)
class RunningIntervals:
    """Each job's RUNNING intervals as the utilization series counts them, ordered by job,
    then time. An interval still open at the as-of time ends there and has no closing event."""

    job_id: Ints
    start: Ints
    end: Ints
    weight: Floats
    closed_by: Ints
    """The index (into the events given) of the event leaving RUNNING, or -1 if still open."""

    def __len__(self) -> int:
        return int(self.start.size)

    @property
    def is_open(self) -> Mask:
        return self.closed_by < 0

    def take(self, mask: Mask) -> RunningIntervals:
        return RunningIntervals(
            self.job_id[mask],
            self.start[mask],
            self.end[mask],
            self.weight[mask],
            self.closed_by[mask],
        )


def running_intervals(
    events: EventTable, as_of: int, node_weighting: bool, jobs: JobTable | None
) -> tuple[RunningIntervals, UtilizationNotes]:
    """Per job, entering RUNNING opens an interval weighted by `data.num_nodes` (or 1),
    leaving RUNNING closes it; an entry while open and a leave while closed are ignored."""
    positions = np.arange(len(events))
    in_window = events.timestamp <= as_of
    if not in_window.all():  # copying every column of 10^7 events costs ~350 MB
        events, positions = events.take(in_window), positions[in_window]
    running = events.code("RUNNING")
    order = job_chain_order(events, touching=running)
    from_state, to_state = events.from_state[order], events.to_state[order]
    enters = (to_state == running) & (from_state != running)
    leaves = (from_state == running) & (to_state != running)
    moves = np.flatnonzero(enters | leaves)
    job = events.job_id[order][moves]
    is_enter = enters[moves]
    # A job's RUNNING state after an effective move equals the move's kind, so the moves that
    # count are exactly those that differ from the job's previous move, and no leading leave.
    first_of_job = np.r_[True, job[1:] != job[:-1]]
    differs = np.r_[True, is_enter[1:] != is_enter[:-1]]
    kept = np.where(first_of_job, is_enter, differs)

    weights, fallbacks, fallback_source = _entry_weights(events, order, node_weighting, jobs)
    kept_moves = np.flatnonzero(kept)
    entries = kept_moves[is_enter[kept_moves]]
    # after collapsing, every kept leave directly follows its own job's kept entry
    follows = np.append(kept_moves[1:], -1)[: kept_moves.size][is_enter[kept_moves]]
    closed = follows >= 0
    closed[closed] = ~is_enter[follows[closed]]
    times = events.timestamp[order][moves]
    end = np.full(entries.size, as_of, dtype=np.int64)
    end[closed] = times[follows[closed]]
    closed_by = np.full(entries.size, -1, dtype=np.int64)
    closed_by[closed] = positions[order[moves[follows[closed]]]]
    intervals = RunningIntervals(
        job_id=job[entries],
        start=times[entries],
        end=end,
        weight=weights[moves][entries],
        closed_by=closed_by,
    )
    dropped = ~kept
    notes = UtilizationNotes(
        ignored_leaves=int(np.count_nonzero(dropped & ~is_enter)),
        ignored_entries=int(np.count_nonzero(dropped & is_enter)),
        fallback_weights=int(np.count_nonzero(fallbacks[moves][entries])),
        fallback_source=fallback_source,
    )
    return intervals, notes


def utilization(
    events: EventTable, as_of: int, node_weighting: bool, jobs: JobTable | None, name: str = ""
) -> tuple[StepSeries, UtilizationNotes]:
    """The weights of the RUNNING intervals summed at each instant (see `running_intervals`);
    intervals still open at as_of stay open. `name` is the series' name (its kind chooses it)."""
    intervals, notes = running_intervals(events, as_of, node_weighting, jobs)
    return interval_series(intervals, name, integral=not node_weighting), notes


def interval_series(intervals: RunningIntervals, name: str, integral: bool) -> StepSeries:
    """The intervals' weights summed over time: each adds its weight from its start and takes
    it away at its closing event (an open one never does)."""
    closed = ~intervals.is_open
    # each interval's start, then its end if closed: the order the intervals' events came in
    times = np.column_stack((intervals.start, intervals.end)).ravel()
    deltas = np.column_stack((intervals.weight, -intervals.weight)).ravel()
    keep = np.column_stack((np.ones(closed.size, dtype=bool), closed)).ravel()
    return step_series(name, times[keep], deltas[keep], integral)


def _entry_weights(
    events: EventTable, order: Ints, node_weighting: bool, jobs: JobTable | None
) -> tuple[np.ndarray, np.ndarray, str]:
    """Each event's weight as an interval start, in `order`, and which weights fell back."""
    count = order.size
    if not node_weighting:
        return np.ones(count), np.zeros(count, dtype=bool), "1"
    weights = events.num_nodes[order].copy()
    missing = np.isnan(weights)
    if not missing.any():
        return weights, missing, "1"
    if jobs is None:
        weights[missing] = 1.0
        return weights, missing, "1"
    job_order = np.argsort(jobs.id)
    sorted_ids = jobs.id[job_order]
    wanted = events.job_id[order][missing]
    position = np.clip(np.searchsorted(sorted_ids, wanted), 0, max(sorted_ids.size - 1, 0))
    found = sorted_ids.size > 0
    known = (sorted_ids[position] == wanted) if found else np.zeros(wanted.size, dtype=bool)
    per_job = jobs.num_nodes / jobs.node_packing_count
    fallback = np.ones(wanted.size)
    if found:
        fallback[known] = per_job[job_order][position[known]]
    weights[missing] = fallback
    return weights, missing, "the job's num_nodes / node_packing_count"


def job_chain_order(events: EventTable, touching: int | None = None) -> Ints:
    """Indices ordering events by job, then time; events of one job at one instant follow
    the job's state chain (the event leaving the current state first), then id.

    With `touching` (a state code), only instants with two or more events entering or
    leaving that state are chained (and the instant before each, for its end state): the
    order of the others cannot change a series about that state, and chaining is a Python
    loop per instant.
    """
    order = np.lexsort((events.id, events.timestamp, events.job_id))
    job, stamp = events.job_id[order], events.timestamp[order]
    same = (job[1:] == job[:-1]) & (stamp[1:] == stamp[:-1])
    if not same.any():
        return order
    # positions where a run of equal (job, timestamp) starts and ends
    edges = np.diff(np.r_[0, same.astype(np.int8), 0])
    run_starts, run_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) + 1
    from_state, to_state = events.from_state, events.to_state
    if touching is not None:
        moves = ((from_state[order] == touching) != (to_state[order] == touching)).astype(int)
        running_total = np.r_[0, np.cumsum(moves)]
        per_run = running_total[run_ends] - running_total[run_starts]
        chosen = np.flatnonzero(per_run >= 2)
        # the run ending where a chosen run starts (run_ends is sorted): its end state
        before = np.searchsorted(run_ends, run_starts[chosen])
        found = before < run_ends.size
        found[found] = run_ends[before[found]] == run_starts[chosen][found]
        runs = np.union1d(chosen, before[found]).tolist()
    else:
        runs = list(range(run_starts.size))
    runs = _chain_pairs(order, job, np.asarray(runs, dtype=np.int64), run_starts, run_ends, events)
    for run in runs:
        start, end = int(run_starts[run]), int(run_ends[run])
        previous = order[start - 1] if start > 0 and job[start - 1] == job[start] else None
        current = None if previous is None else int(to_state[previous])
        order[start:end] = _chain(order[start:end].tolist(), current, from_state, to_state)
    return order


def _chain_pairs(
    order: Ints, job: Ints, runs: Ints, run_starts: Ints, run_ends: Ints, events: EventTable
) -> list[int]:
    """Chain, in place and at once, the runs of two events whose job's previous event is not
    itself in a chained run (most same-instant runs), exactly as `_chain` would; return the
    other runs, in order, for `_chain` (their previous event may be one reordered here)."""
    from_state, to_state = events.from_state, events.to_state
    two = run_ends[runs] - run_starts[runs] == 2
    independent = two & ~np.isin(run_starts[runs], run_ends[runs])
    starts = run_starts[runs[independent]]
    first, second = order[starts], order[starts + 1]
    before = np.maximum(starts - 1, 0)
    known = (starts > 0) & (job[before] == job[starts])
    current = to_state[order[before]]
    # `_chain`: the event leaving the current state; else one leaving a state neither
    # event enters; else the first (in id order)
    first_leaves = known & (from_state[first] == current)
    second_leaves = known & (from_state[second] == current)
    targets = (to_state[first], to_state[second])
    first_free = (from_state[first] != targets[0]) & (from_state[first] != targets[1])
    second_free = (from_state[second] != targets[0]) & (from_state[second] != targets[1])
    swap = ~first_leaves & (second_leaves | (~first_free & second_free))
    order[starts[swap]], order[starts[swap] + 1] = second[swap], first[swap]
    rest: list[int] = runs[~independent].tolist()
    return rest


def _chain(
    group: list[int], current: int | None, from_state: np.ndarray, to_state: np.ndarray
) -> list[int]:
    """Order one job's same-instant events (given in id order) along its state chain."""
    remaining = list(group)
    chained: list[int] = []
    while remaining:
        pick = next((i for i in remaining if from_state[i] == current), None)
        if pick is None:
            targets = {int(to_state[i]) for i in remaining}
            pick = next((i for i in remaining if int(from_state[i]) not in targets), remaining[0])
        remaining.remove(pick)
        chained.append(pick)
        current = int(to_state[pick])
    return chained
