"""Balsam's query filters, applied to columnar tables with the meaning Balsam documents.

Where the live server ignores a filter (`scheduler_id` on `/events/`), this applies what the
filter is documented to mean: events of jobs whose latest batch job has that scheduler id.
"""

from __future__ import annotations

import numpy as np

from reportgen.source.tables import NO_TIME, BatchJobTable, EventTable, Ints, JobTable, Mask
from reportgen.spec.model import BatchJobQuery, EventQuery, Pairs
from reportgen.times import to_micros


def select_events(
    events: EventTable,
    query: EventQuery,
    jobs: JobTable | None,
    batch_jobs: BatchJobTable | None,
) -> EventTable:
    """The events the query matches (same rows the server would return, in file order)."""
    mask = np.ones(len(events), dtype=bool)
    if query.id is not None:
        mask &= np.isin(events.id, np.array(query.id, dtype=np.int64))
    if query.job_id is not None:
        mask &= np.isin(events.job_id, np.array(query.job_id, dtype=np.int64))
    if query.from_state is not None:
        mask &= events.from_state == events.code(query.from_state)
    if query.to_state is not None:
        mask &= events.to_state == events.code(query.to_state)
    if query.timestamp_after is not None:
        mask &= events.timestamp >= to_micros(query.timestamp_after)
    if query.timestamp_before is not None:
        mask &= events.timestamp <= to_micros(query.timestamp_before)
    for key, value in query.data:
        mask &= events.data_values[key] == value
    if query.needs_jobs:
        assert jobs is not None, "the spec loader requires a jobs file for this query"
        mask &= np.isin(events.job_id, _matching_job_ids(query, jobs, batch_jobs))
    return events if mask.all() else events.take(mask)  # all: no copy of 10^7 rows


def _matching_job_ids(query: EventQuery, jobs: JobTable, batch_jobs: BatchJobTable | None) -> Ints:
    mask = np.ones(len(jobs), dtype=bool)
    for key, value in query.tags:
        mask &= jobs.tag_values[key] == value
    if query.batch_job_id is not None:
        mask &= jobs.batch_job_id == query.batch_job_id
    if query.scheduler_id is not None:
        assert batch_jobs is not None, "the spec loader requires a batch_jobs file for this query"
        batch_ids = batch_jobs.id[batch_jobs.scheduler_id == query.scheduler_id]
        mask &= np.isin(jobs.batch_job_id, batch_ids)
    return jobs.id[mask]


def select_batch_jobs(batch_jobs: BatchJobTable, query: BatchJobQuery) -> BatchJobTable:
    """The batch jobs the query matches. Time bounds are inclusive; a null time never matches."""
    mask = np.ones(len(batch_jobs), dtype=bool)
    if query.id is not None:
        mask &= np.isin(batch_jobs.id, np.array(query.id, dtype=np.int64))
    if query.site_id is not None:
        mask &= np.isin(batch_jobs.site_id, np.array(query.site_id, dtype=np.int64))
    if query.state is not None:
        mask &= np.isin(batch_jobs.state, np.array(query.state, dtype=object))
    if query.scheduler_id is not None:
        mask &= batch_jobs.scheduler_id == query.scheduler_id
    if query.queue is not None:
        mask &= batch_jobs.queue == query.queue
    mask &= _tags_contain(batch_jobs.filter_tags, query.filter_tags)
    for column, bound, side in (
        (batch_jobs.start_time, query.start_time_before, "before"),
        (batch_jobs.start_time, query.start_time_after, "after"),
        (batch_jobs.end_time, query.end_time_before, "before"),
        (batch_jobs.end_time, query.end_time_after, "after"),
    ):
        if bound is not None:
            limit = to_micros(bound)
            mask &= (column != NO_TIME) & (column <= limit if side == "before" else column >= limit)
    return batch_jobs if mask.all() else batch_jobs.take(mask)


def _tags_contain(rows: object, pairs: Pairs) -> Mask:
    assert isinstance(rows, np.ndarray)
    if not pairs:
        return np.ones(rows.size, dtype=bool)
    return np.fromiter(
        (all(tags.get(k) == v for k, v in pairs) for tags in rows), dtype=bool, count=rows.size
    )


def jobless_events_warning(events: EventTable, jobs: JobTable, queries: list[EventQuery]) -> str:
    """A warning naming the events whose job is not in the jobs file, if any: the queries that
    filter by job (tags, batch_job_id, scheduler_id) can never match them."""
    by_job = [q.name for q in queries if q.needs_jobs]
    if not by_job or len(events) == 0:
        return ""
    unknown = ~np.isin(events.job_id, jobs.id)
    if not unknown.any():
        return ""
    missing = np.unique(events.job_id[unknown])
    shown = ", ".join(str(i) for i in missing[:5].tolist()) + (", ..." if missing.size > 5 else "")
    return (
        f"{int(np.count_nonzero(unknown)):,} events belong to {missing.size:,} job(s) missing "
        f"from the jobs file (job ids {shown}): the queries that filter by job "
        f"({', '.join(by_job)}) cannot match them."
    )
