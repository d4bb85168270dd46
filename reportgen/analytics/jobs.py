"""The job table's numbers: per job of a query, its state at the as-of time, its attempts,
its first and last events, its time RUNNING and node-hours, and how its last run ended.

Everything is read from a query's events in job-history order (`ChainedEvents`) and from
the node-weighted RUNNING intervals of the utilization (`running_intervals`), so the job
table agrees with the other kinds to the microsecond. Node-hours are exact: integer
microseconds times the simple fraction each weight stands for, summed per job, then rounded
half to even to millionths of a node-hour (what the CSV prints with 6 decimals).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.analytics.exact import SAFE, exact_weights
from reportgen.analytics.jobstates import ChainedEvents
from reportgen.analytics.utilization import RunningIntervals
from reportgen.source.tables import Codes, EventDetails, EventTable, Floats, Ints, Objects

MICROS_PER_HOUR = 3_600_000_000


@dataclass(frozen=True)
class JobNumbers:
    """One entry per job with an event at or before the as-of time, by ascending id."""

    job_id: Ints
    state: Codes
    """The job's state at the as-of time (a code of the events' `state_names`)."""
    attempts: Ints
    """Events entering RUNNING (every one, also an entry while already running)."""
    first_event: Ints
    last_event: Ints
    run_micros: Ints
    """Time in the job's RUNNING intervals, clamped at the as-of time."""
    node_hours: Objects | Ints
    """Exact node-hours as numerators over `node_hours_denominator` (int64, or Python ints
    when int64 could overflow): equal denominators, so they compare exactly."""
    node_hours_denominator: int
    outcome: Codes
    """The to_state of the job's last event leaving RUNNING; -1 if none."""
    returncode: Floats
    """That event's numeric `data.returncode`; NaN if none (or not a number)."""

    def __len__(self) -> int:
        return int(self.job_id.size)

    def node_millionths(self) -> list[int]:
        """Each job's node-hours in millionths, rounded half to even from the exact value."""
        return [_round_half_even(int(n), self.node_hours_denominator) for n in self.node_hours]


def job_numbers(
    chained: ChainedEvents,
    events: EventTable,
    details: EventDetails,
    intervals: RunningIntervals,
) -> JobNumbers:
    """The numbers of every job in `chained` (a query's events up to the as-of time, in
    history order, with `positions` into `events`); `details` give the numeric
    `data.returncode` of each event leaving RUNNING, `intervals` are the events'
    node-weighted RUNNING intervals."""
    job = chained.job_id
    if job.size == 0:
        return _no_jobs()
    starts = np.flatnonzero(np.r_[True, job[1:] != job[:-1]])
    ends = np.r_[starts[1:], job.size] - 1
    job_ids = job[starts]
    running = events.code("RUNNING")
    from_state = events.from_state[chained.positions]
    to_state = chained.to_state
    enters = (to_state == running) & (from_state != running) & (running >= 0)
    leaves = (from_state == running) & (to_state != running) & (running >= 0)
    attempts = np.add.reduceat(enters.astype(np.int64), starts)
    outcome = np.full(job_ids.size, -1, dtype=np.int16)
    returncode = np.full(job_ids.size, np.nan)
    leave_at = np.flatnonzero(leaves)
    if leave_at.size:
        last_leave = leave_at[np.r_[job[leave_at[1:]] != job[leave_at[:-1]], True]]
        owner = np.searchsorted(job_ids, job[last_leave])
        outcome[owner] = to_state[last_leave]
        rows = details.rows_of(chained.positions[last_leave])  # (each leaves RUNNING)
        returncode[owner] = details.returncode[rows]
    micros = intervals.end - intervals.start
    owner = np.searchsorted(job_ids, intervals.job_id)
    run_micros = np.zeros(job_ids.size, dtype=np.int64)
    np.add.at(run_micros, owner, micros)
    node_hours, denominator = _exact_per_job(intervals.weight, micros, owner, job_ids.size)
    return JobNumbers(
        job_id=job_ids,
        state=to_state[ends],
        attempts=attempts,
        first_event=chained.timestamp[starts],
        last_event=chained.timestamp[ends],
        run_micros=run_micros,
        node_hours=node_hours,
        node_hours_denominator=denominator * MICROS_PER_HOUR,
        outcome=outcome,
        returncode=returncode,
    )


def _exact_per_job(
    weights: Floats, micros: Ints, owner: Ints, jobs: int
) -> tuple[Objects | Ints, int]:
    """Per job, the sum of weight x microseconds as integers over one denominator: int64
    when no sum can overflow (the usual case), else Python integers."""
    numerators, denominator = exact_weights(weights)
    if numerators.dtype != object and micros.size:
        bound = float(np.abs(numerators).max()) * (float(micros.sum(dtype=np.float64)) + 1.0)
        if bound < SAFE:
            sums = np.zeros(jobs, dtype=np.int64)
            np.add.at(sums, owner, numerators * micros)
            return sums, denominator
    totals = [0] * jobs
    for job, numerator, length in zip(
        owner.tolist(), numerators.tolist(), micros.tolist(), strict=True
    ):
        totals[job] += int(numerator) * int(length)
    exact = np.empty(jobs, dtype=object)
    exact[:] = totals
    return exact, denominator


def _round_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator in millionths, rounded half to even (both >= 0)."""
    whole, rest = divmod(numerator * 1_000_000, denominator)
    if 2 * rest > denominator or (2 * rest == denominator and whole % 2):
        whole += 1
    return whole


def _no_jobs() -> JobNumbers:
    none = np.empty(0, dtype=np.int64)
    return JobNumbers(
        none,
        np.empty(0, np.int16),
        none,
        none,
        none,
        none,
        none,
        MICROS_PER_HOUR,
        np.empty(0, np.int16),
        np.empty(0),
    )


def table_order(numbers: JobNumbers, failed: int, limit: int) -> Ints:
    """Which jobs the page holds, at most `limit`, in the order it lists them: jobs in state
    `failed` (a code; -1: none) first, then by node-hours, most first, then by job id."""
    if len(numbers) == 0 or limit <= 0:
        return np.empty(0, dtype=np.int64)
    is_failed = numbers.state == failed
    if numbers.node_hours.dtype == object:  # exact Python integers: sort them in Python
        later, exact = (~is_failed).tolist(), numbers.node_hours.tolist()

        def rank(i: int) -> tuple[bool, int, int]:
            return later[i], -exact[i], i

        return np.array(sorted(range(len(numbers)), key=rank)[:limit], dtype=np.int64)
    # ids ascend, so a stable sort keeps equal keys in id order
    order = np.lexsort((-numbers.node_hours, ~is_failed))
    return order[:limit].astype(np.int64)
