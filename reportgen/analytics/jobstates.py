"""Jobs by state: each job's state at the as-of time, and how many jobs are in each state over
time. A job's state at t is the `to_state` of its last event at or before t, in the order of
`job_chain_order` (time, then the job's state chain at one instant, then id); before its first
event a job is in no state."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.analytics.steps import StepSeries, step_series
from reportgen.analytics.utilization import job_chain_order
from reportgen.source.tables import Codes, EventTable, Ints


@dataclass(frozen=True)
class ChainedEvents:
    """The events at or before an as-of time, in `job_chain_order`, with each event's job
    state before it (-1 for a job's first event). Kinds share one per query and run."""

    job_id: Ints
    timestamp: Ints
    to_state: Codes
    previous_state: Codes
    """The job's state just before the event: the `to_state` of its previous event."""
    positions: Ints
    """Each event's index in the table given (to read its other fields)."""
    state_names: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.job_id.size)


def chained_events(events: EventTable, as_of: int) -> ChainedEvents:
    """The events at or before `as_of`, ordered per job along its history."""
    in_window = events.timestamp <= as_of
    positions = np.flatnonzero(in_window)
    if positions.size < len(events):
        events = events.take(in_window)
    order = job_chain_order(events)
    job_id, to_state = events.job_id[order], events.to_state[order]
    same_job = np.r_[False, job_id[1:] == job_id[:-1]]
    previous = np.where(same_job, np.r_[np.int16(-1), to_state[:-1]], np.int16(-1))
    return ChainedEvents(
        job_id=job_id,
        timestamp=events.timestamp[order],
        to_state=to_state,
        previous_state=previous.astype(np.int16),
        positions=positions[order],
        state_names=events.state_names,
    )


def final_states(chained: ChainedEvents) -> tuple[Ints, Codes]:
    """Each job with an event (ascending id) and its state at the as-of time."""
    if len(chained) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int16)
    last = np.flatnonzero(np.r_[chained.job_id[1:] != chained.job_id[:-1], True])
    return chained.job_id[last], chained.to_state[last]


def state_counts(chained: ChainedEvents) -> dict[int, StepSeries]:
    """For each state some job is ever in (by code, ascending), the number of jobs in it over
    time: an event adds one to its `to_state` and takes one from the job's previous state, at
    its timestamp; changes at one instant are merged (`step_series`), so a state a job passes
    through within one instant leaves no change."""
    counts: dict[int, StepSeries] = {}
    for code in np.unique(chained.to_state).tolist():
        name = chained.state_names[code]
        enters = chained.timestamp[chained.to_state == code]
        leaves = chained.timestamp[chained.previous_state == code]
        times = np.r_[enters, leaves]
        deltas = np.r_[np.ones(enters.size), -np.ones(leaves.size)]
        counts[code] = step_series(name, times, deltas, integral=True)
    return counts


def states_at(events: EventTable, as_of: int) -> tuple[Ints, Codes]:
    """Each job with an event at or before `as_of` (ascending id) and its state then: the
    same as `final_states(chained_events(...))` without ordering every event. A job's state is
    the `to_state` of its one latest event; only jobs with several events at their latest
    instant are put in chain order (few: e.g. RUN_TIMEOUT -> RESTART_READY at one instant)."""
    in_window = events.timestamp <= as_of
    job, stamp, to_state = events.job_id, events.timestamp, events.to_state
    if not in_window.all():  # (else no copies of 10^7 events)
        job, stamp, to_state = job[in_window], stamp[in_window], to_state[in_window]
    jobs, index = _job_index(job)
    latest = np.full(jobs.size, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(latest, index, stamp)
    at_latest = stamp == latest[index]
    count = np.bincount(index[at_latest], minlength=jobs.size)
    states = np.full(jobs.size, -1, dtype=np.int16)
    alone = at_latest & (count[index] == 1)
    states[index[alone]] = to_state[alone]
    tangled = count > 1
    if tangled.any():
        subset = in_window & np.isin(events.job_id, jobs[tangled])
        chained_ids, chained_states = final_states(chained_events(events.take(subset), as_of))
        states[np.searchsorted(jobs, chained_ids)] = chained_states
    return jobs, states


def _job_index(job_id: Ints) -> tuple[Ints, Ints]:
    """The distinct job ids (ascending) and each event's position among them: by a table
    when ids are dense, as Balsam's are (no sort of 10^7 ids), else by `np.unique`."""
    if job_id.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    low, high = int(job_id.min()), int(job_id.max())
    if high - low > 4 * job_id.size:
        jobs, index = np.unique(job_id, return_inverse=True)
        return jobs, index.astype(np.int64)
    seen = np.zeros(high - low + 1, dtype=bool)
    seen[job_id - low] = True
    rank = np.cumsum(seen) - 1
    return np.flatnonzero(seen) + low, rank[job_id - low]
