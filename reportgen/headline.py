"""A run's headline numbers (the report page's cards and the index's row), from the report's
`summary` queries: jobs by state at the as-of time, utilization, node-hours, makespan and
throughput. It is the report's own computation, sharing results with the charts through the
run's memo (at 10^7 events computing utilization twice costs seconds)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.analytics.steps import integrate
from reportgen.kinds.run import Run
from reportgen.kinds.shared import busy_node_hours, held_nodes, job_states, running
from reportgen.source.tables import EventTable
from reportgen.spec.model import Summary

HOUR = 3_600_000_000
SPARKLINE_COLUMNS = 120
"""The index's sparkline is this many CSS pixels wide: one throughput sample per pixel."""
LOST = ("failed", "timed_out", "lost")
"""The ledger's classes of runs that ended other than in RUN_DONE."""


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
    node_hours_useful: float | None = None
    """Node-hours of runs that ended in RUN_DONE (the ledger's `useful`; None without
    summary events and batch jobs)."""
    node_hours_lost: float | None = None
    """Node-hours of runs ended otherwise: failed, timed out or lost (the ledger's)."""
    throughput: tuple[int, ...] = ()
    """The throughput (events into JOB_FINISHED at or before t) at SPARKLINE_COLUMNS + 1
    evenly spaced instants t from the start to the as-of time (empty without summary
    events): the index's sparkline."""

    @property
    def efficiency(self) -> float | None:
        """Useful node-hours over available ones."""
        if self.node_hours_useful is None or not self.node_hours_available:
            return None
        return self.node_hours_useful / self.node_hours_available

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
    samples: tuple[int, ...] = ()
    if summary.events is not None:
        events = run.events(summary.events)
        jobs, finished, failed = run.cached(
            ("job counts", summary.events), lambda: _job_counts(run, summary.events or "")
        )
        makespan = run.cached(("makespan", summary.events), lambda: _makespan(events, as_of))
        samples = run.cached(
            ("throughput samples", summary.events, start),
            lambda: _throughput_samples(events, start, as_of),
        )
        series, _ = running(run, summary.events, node_weighting=True)
        peak = float(series.values.max()) if len(series) else 0.0
        used = integrate(series, start, as_of)
    available = useful = lost = None
    if summary.batch_jobs is not None:
        nodes, _ = held_nodes(run, summary.batch_jobs)
        available = integrate(nodes, start, as_of)
    if summary.events is not None and summary.batch_jobs is not None:
        busy = busy_node_hours(run, summary.events)
        useful, lost = float(busy["useful"]), float(sum(busy[c] for c in LOST))
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
        node_hours_useful=useful,
        node_hours_lost=lost,
        throughput=samples,
    )


def _job_counts(run: Run, query: str) -> tuple[int, int, int]:
    """Jobs, and those in JOB_FINISHED and in FAILED at the as-of time (kept in the run's
    memo: a rebuild after a text edit does not find every job's state again)."""
    events = run.events(query)
    job_ids, states = job_states(run, query)
    finished = int(np.count_nonzero(states == events.code("JOB_FINISHED")))
    return int(job_ids.size), finished, int(np.count_nonzero(states == events.code("FAILED")))


def _throughput_samples(events: EventTable, start: int, as_of: int) -> tuple[int, ...]:
    """The events into JOB_FINISHED at or before each instant start + floor(i x (as_of -
    start) / SPARKLINE_COLUMNS), i = 0 .. SPARKLINE_COLUMNS."""
    into = (events.to_state == events.code("JOB_FINISHED")) & (events.timestamp <= as_of)
    times = np.sort(events.timestamp[into])
    steps = np.arange(SPARKLINE_COLUMNS + 1, dtype=np.int64)
    instants = start + steps * (as_of - start) // SPARKLINE_COLUMNS
    return tuple(int(n) for n in np.searchsorted(times, instants, side="right"))


def _makespan(events: EventTable, as_of: int) -> int | None:
    """From the first event to the last entry into JOB_FINISHED, both at or before as_of."""
    finished = events.code("JOB_FINISHED")
    in_window = events.timestamp <= as_of
    entries = in_window & (events.to_state == finished) & (events.from_state != finished)
    if not entries.any():
        return None
    return int(events.timestamp[entries].max()) - int(events.timestamp[in_window].min())
