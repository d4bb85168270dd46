"""A run's headline numbers (the report page's cards and the index's row), from the report's
`summary` queries: jobs by state at the as-of time, utilization, node-hours, makespan and
throughput. It is the report's own computation, sharing results with the charts through the
run's memo (at 10^7 events computing utilization twice costs seconds)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.analytics.jobstates import states_at
from reportgen.analytics.steps import integrate
from reportgen.kinds.run import Run
from reportgen.kinds.shared import held_nodes, running
from reportgen.source.tables import EventTable
from reportgen.spec.model import Summary

HOUR = 3_600_000_000


@dataclass(frozen=True)
class Headline:
    jobs: int
    """Distinct jobs with an event at or before the as-of time."""
    jobs_finished: int
    """Jobs in JOB_FINISHED at the as-of time."""
    jobs_failed: int
    """Jobs in FAILED at the as-of time."""
    peak_utilization: float
    mean_utilization: float
    node_hours_used: float
    node_hours_available: float | None
    start: int
    as_of: int
    makespan: int | None
    """Microseconds from the first event to the last entry into JOB_FINISHED (None if none)."""

    @property
    def jobs_in_progress(self) -> int:
        """Jobs in any other state at the as-of time."""
        return self.jobs - self.jobs_finished - self.jobs_failed

    @property
    def throughput_per_hour(self) -> float | None:
        """Finished jobs per hour of the makespan."""
        if not self.makespan:
            return None
        return self.jobs_finished / (self.makespan / HOUR)


def compute_headline(summary: Summary, run: Run) -> Headline:
    """The numbers of one run (zero without summary events, none without batch jobs)."""
    start, as_of = run.start, run.as_of
    jobs = finished = failed = 0
    peak = used = 0.0
    makespan = None
    if summary.events is not None:
        events = run.events(summary.events)
        job_ids, states = states_at(events, as_of)
        jobs = int(job_ids.size)
        finished = int(np.count_nonzero(states == events.code("JOB_FINISHED")))
        failed = int(np.count_nonzero(states == events.code("FAILED")))
        makespan = _makespan(events, as_of)
        series, _ = running(run, summary.events, node_weighting=True)
        peak = float(series.values.max()) if len(series) else 0.0
        used = integrate(series, start, as_of)
    available = None
    if summary.batch_jobs is not None:
        nodes, _ = held_nodes(run, summary.batch_jobs)
        available = integrate(nodes, start, as_of)
    hours = (as_of - start) / HOUR
    return Headline(
        jobs=jobs,
        jobs_finished=finished,
        jobs_failed=failed,
        peak_utilization=peak,
        mean_utilization=used / hours if hours > 0 else 0.0,
        node_hours_used=used,
        node_hours_available=available,
        start=start,
        as_of=as_of,
        makespan=makespan,
    )


def _makespan(events: EventTable, as_of: int) -> int | None:
    """From the first event to the last entry into JOB_FINISHED, both at or before as_of."""
    finished = events.code("JOB_FINISHED")
    in_window = events.timestamp <= as_of
    entries = in_window & (events.to_state == finished) & (events.from_state != finished)
    if not entries.any():
        return None
    return int(events.timestamp[entries].max()) - int(events.timestamp[in_window].min())
