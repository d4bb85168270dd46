"""Estimated starts: a running batch job whose `start_time` the server has not filled in yet
(Balsam writes it only once the allocation has left the scheduler's queue) starts, as far as
the records tell, at the earliest entry into RUNNING of one of its jobs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from reportgen.source.tables import NO_ID, NO_TIME, BatchJobTable, Ints, unstarted_running
from reportgen.source.timestamps import parse_one

SUBMIT_TIME = "submit_time"
"""The `status_info` key Balsam's scheduler service writes at submission (naive UTC, as
`str(datetime.utcnow())`): an allocation starts no earlier."""


@dataclass(frozen=True)
class Entries:
    """Events entering RUNNING: their ids, jobs and times (any order, repeats allowed)."""

    event_id: Ints
    job_id: Ints
    timestamp: Ints


@dataclass(frozen=True)
class StartEstimates:
    """Per batch job (a row of its table) running with no start_time: `rows` got an
    estimate, `start`, from the RUNNING entry `event_id` of job `job_id`; `unknown` rows got
    none (`no_jobs`: there were no job records to find its jobs by)."""

    rows: Ints
    start: Ints
    job_id: Ints
    event_id: Ints
    unknown: Ints
    no_jobs: bool = False

    def __bool__(self) -> bool:
        return bool(self.rows.size or self.unknown.size)


_EMPTY = np.empty(0, np.int64)
NONE = StartEstimates(_EMPTY, _EMPTY, _EMPTY, _EMPTY, _EMPTY)


def submit_times(batch_jobs: BatchJobTable, rows: Ints) -> Ints:
    """Each row's `status_info.submit_time` (a space or `T` between date and time), NO_TIME
    when absent or not such a time."""
    found = []
    for info in batch_jobs.status_info[rows]:
        text = info.get(SUBMIT_TIME) if isinstance(info, dict) else None
        micros = parse_one(text.replace(" ", "T", 1)) if isinstance(text, str) else None
        found.append(NO_TIME if micros is None else micros)
    return np.array(found, dtype=np.int64)


def estimate_starts(
    batch_jobs: BatchJobTable, entries: Entries, jobs: tuple[Ints, Ints] | None, as_of: int
) -> StartEstimates:
    """For each batch job running with no start_time: the earliest entry into RUNNING at or
    before as-of (ties: the lowest event id) of a job whose `batch_job_id` (`jobs`: each job's
    id and batch_job_id) is that batch job, not before its submit time."""
    rows = np.flatnonzero(unstarted_running(batch_jobs))
    if rows.size == 0:
        return NONE
    if jobs is None:
        return dataclasses.replace(NONE, unknown=rows, no_jobs=True)
    batch = _batch_of(entries.job_id, *jobs)
    which = np.full(batch.size, -1, dtype=np.int64)
    targets = batch_jobs.id[rows]
    order = np.argsort(targets, kind="stable")
    where = np.clip(np.searchsorted(targets[order], batch), 0, targets.size - 1)
    hit = (targets[order][where] == batch) & (batch != NO_ID)
    which[hit] = order[where[hit]]
    submitted = submit_times(batch_jobs, rows)
    ok = (which >= 0) & (entries.timestamp <= as_of)
    ok[ok] &= entries.timestamp[ok] >= submitted[which[ok]]
    chosen = np.flatnonzero(ok)
    # earliest first, ties by event id: the first of each batch job is its estimate
    chosen = chosen[
        np.lexsort((entries.event_id[chosen], entries.timestamp[chosen], which[chosen]))
    ]
    first = chosen[np.r_[True, which[chosen][1:] != which[chosen][:-1]]] if chosen.size else chosen
    got = which[first]
    unknown = np.setdiff1d(np.arange(rows.size), got)
    return StartEstimates(
        rows[got],
        entries.timestamp[first],
        entries.job_id[first],
        entries.event_id[first],
        rows[unknown],
    )


def _batch_of(job_id: Ints, jobs: Ints, batch_job_id: Ints) -> Ints:
    """Each entry's job's batch_job_id (NO_ID when the job has no record or none)."""
    found = np.full(job_id.size, NO_ID, dtype=np.int64)
    if jobs.size == 0:
        return found
    order = np.argsort(jobs, kind="stable")
    where = np.clip(np.searchsorted(jobs[order], job_id), 0, jobs.size - 1)
    known = jobs[order][where] == job_id
    found[known] = batch_job_id[order][where[known]]
    return found


def with_estimates(batch_jobs: BatchJobTable, estimates: StartEstimates) -> BatchJobTable:
    """The table with each estimated start in place of its missing start_time."""
    if estimates.rows.size == 0:
        return batch_jobs
    start = batch_jobs.start_time.copy()
    start[estimates.rows] = estimates.start
    return dataclasses.replace(batch_jobs, start_time=start)
