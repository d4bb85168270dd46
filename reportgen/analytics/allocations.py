"""Allocations: each batch job's span as drawn (clamped at the as-of time), what it requested,
lanes for a timeline (packed when there are many), and the utilization inside each one."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from reportgen.analytics.exact import six_decimals
from reportgen.analytics.steps import DECIMALS, exact_cumsum
from reportgen.source.tables import (
    NO_ID,
    NO_TIME,
    NO_WALL_TIME,
    BatchJobTable,
    Floats,
    Ints,
    Mask,
)

MINUTE = 60_000_000
PACK_ABOVE = 300
"""More batch jobs than this are packed onto shared lanes."""


@dataclass(frozen=True)
class Spans:
    """The drawn batch jobs, by start time then id: `rows` index the table; `end` is the
    end time clamped at the as-of time (the as-of time when still open there); `requested_end`
    is start + wall_time_min (NO_TIME when the request is unknown)."""

    rows: Ints
    start: Ints
    end: Ints
    is_open: Mask
    requested_end: Ints

    def __len__(self) -> int:
        return int(self.rows.size)


def drawn(batch_jobs: BatchJobTable, as_of: int) -> Mask:
    """The batch jobs a timeline can draw: started at or before as-of, not ending before
    they start (the others are those `available_nodes` does not count, for the same reasons)."""
    start, end = batch_jobs.start_time, batch_jobs.end_time
    started = (start != NO_TIME) & (start <= as_of)
    ok: Mask = started & ((end == NO_TIME) | (end >= start))
    return ok


def spans(batch_jobs: BatchJobTable, as_of: int) -> Spans:
    rows = np.flatnonzero(drawn(batch_jobs, as_of))
    rows = rows[np.lexsort((batch_jobs.id[rows], batch_jobs.start_time[rows]))]
    start, end = batch_jobs.start_time[rows], batch_jobs.end_time[rows]
    is_open = (end == NO_TIME) | (end > as_of)
    wall = batch_jobs.wall_time_min[rows]
    requested = np.where(wall == NO_WALL_TIME, NO_TIME, start + wall * MINUTE)
    return Spans(rows, start, np.where(is_open, as_of, end), is_open, requested)


def lanes(start: Ints, end: Ints, pack: bool) -> Ints:
    """A lane per span (given by start time): its rank, or when packing the lowest lane free
    at its start (a lane is free once the span on it has ended), so the lanes number the most
    spans ever open at once."""
    if not pack:
        return np.arange(start.size, dtype=np.int64)
    lane = np.empty(start.size, dtype=np.int64)
    busy: list[tuple[int, int]] = []  # (end, lane) of the spans on a lane
    free: list[int] = []
    for i, (s, e) in enumerate(zip(start.tolist(), end.tolist(), strict=True)):
        while busy and busy[0][0] <= s:
            heapq.heappush(free, heapq.heappop(busy)[1])
        chosen = heapq.heappop(free) if free else len(busy) + len(free)
        lane[i] = chosen
        heapq.heappush(busy, (e, chosen))
    return lane


def minutes_text(micros: Ints) -> list[str]:
    """Durations in microseconds as minutes with exactly 6 decimals (exact: 1 us is 1/60e6
    minute, rounded half to even on the exact fraction)."""
    return [six_decimals(Fraction(int(m), MINUTE)) for m in micros.tolist()]


def node_hours_text(micros: Ints, nodes: Ints) -> list[str]:
    """Nodes times durations as node-hours with exactly 6 decimals, from exact products."""
    hour = 60 * MINUTE
    return [
        six_decimals(Fraction(int(m) * int(n), hour))
        for m, n in zip(micros.tolist(), nodes.tolist(), strict=True)
    ]


@dataclass(frozen=True)
class LaneUse:
    """Per drawn batch job (an index into `Spans`), the nodes its jobs run over time: a step
    series per allocation, `allocation` ascending, then `times`."""

    allocation: Ints
    times: Ints
    values: Floats
    no_batch_job: tuple[int, int]
    """RUNNING intervals and jobs with no batch job (none in the job record, or no record)."""
    not_drawn: tuple[int, int]
    """RUNNING intervals and jobs whose batch job is not drawn here (not in the query, or
    never started)."""
    outside_intervals: int
    """Intervals reaching outside their allocation's drawn span (each job keeps only its
    latest batch job, so an earlier attempt's interval lands on the latest one)."""
    over_capacity: int
    """Allocations whose jobs at some instant use more nodes than the allocation holds."""


def lane_use(
    spans_: Spans,
    batch_ids: Ints,
    nodes: Ints,
    job_batch: tuple[Ints, Ints],
    intervals: tuple[Ints, Ints, Ints, Floats, Mask],
) -> LaneUse:
    """The RUNNING intervals (job_id, start, end, weight, is_open; an open one ends at the
    as-of time and is never taken away, as in the utilization) of each allocation's jobs
    summed over time. `batch_ids` and `nodes` are the drawn batch jobs' ids and sizes (in
    `spans_`' order), `job_batch` each job's id and batch_job_id."""
    job_id, start, end, weight, is_open = intervals
    allocation, has_batch_job = _allocation_of(job_id, job_batch, batch_ids)
    assigned = allocation >= 0
    no_batch_job = _count(job_id, ~has_batch_job)
    not_drawn = _count(job_id, has_batch_job & ~assigned)
    allocation, start, end = allocation[assigned], start[assigned], end[assigned]
    weight, is_open = weight[assigned], is_open[assigned]
    outside = (start < spans_.start[allocation]) | (end > spans_.end[allocation])
    closed = ~is_open
    group = np.r_[allocation, allocation[closed]]
    times = np.r_[start, end[closed]]
    deltas = np.r_[weight, -weight[closed]]
    group, times, values = _grouped_steps(group, times, deltas)
    over = np.unique(group[values > nodes[group].astype(np.float64)]).size
    return LaneUse(
        group,
        times,
        values,
        no_batch_job,
        not_drawn,
        int(np.count_nonzero(outside)),
        int(over),
    )


def _count(job_id: Ints, chosen: Mask) -> tuple[int, int]:
    """How many intervals are chosen, and of how many jobs."""
    return int(np.count_nonzero(chosen)), int(np.unique(job_id[chosen]).size)


def _allocation_of(
    job_id: Ints, job_batch: tuple[Ints, Ints], batch_ids: Ints
) -> tuple[Ints, Mask]:
    """Each interval's allocation (an index into the drawn batch jobs) or -1, and whether
    its job has a batch job at all."""
    jobs, their_batch = job_batch
    found = np.full(job_id.size, NO_ID, dtype=np.int64)
    if jobs.size:
        order = np.argsort(jobs, kind="stable")
        where = np.clip(np.searchsorted(jobs[order], job_id), 0, jobs.size - 1)
        known = jobs[order][where] == job_id
        found[known] = their_batch[order][where[known]]
    result = np.full(job_id.size, -1, dtype=np.int64)
    if batch_ids.size:
        order = np.argsort(batch_ids, kind="stable")
        where = np.clip(np.searchsorted(batch_ids[order], found), 0, batch_ids.size - 1)
        hit = (batch_ids[order][where] == found) & (found != NO_ID)
        result[hit] = order[where[hit]]
    has_batch_job: Mask = found != NO_ID
    return result, has_batch_job


def _grouped_steps(group: Ints, times: Ints, deltas: Floats) -> tuple[Ints, Ints, Floats]:
    """Per group, the running sum of its deltas at each instant where it changes (0 before
    the first), as `step_series` computes one series; groups ascending, then time."""
    if times.size == 0:
        return group.copy(), times.copy(), deltas.copy()
    order = np.lexsort((times, group))
    group, times, deltas = group[order], times[order], deltas[order]
    total = exact_cumsum(deltas)
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    before = np.repeat(np.r_[0.0, total[first[1:] - 1]], np.diff(np.r_[first, group.size]))
    level = total - before
    last = np.flatnonzero(np.r_[(group[1:] != group[:-1]) | (times[1:] != times[:-1]), True])
    group, times, level = group[last], times[last], np.round(level[last], DECIMALS) + 0.0
    new_group = np.r_[True, group[1:] != group[:-1]]
    previous = np.where(new_group, 0.0, np.r_[0.0, level[:-1]])
    changed = level != previous
    return group[changed], times[changed], level[changed]
