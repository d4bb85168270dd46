"""Available nodes: the nodes held by batch jobs over time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.analytics.batch_starts import NONE, StartEstimates, with_estimates
from reportgen.analytics.steps import StepSeries, step_series
from reportgen.source.tables import NO_TIME, BatchJobTable


@dataclass(frozen=True)
class UncountedBatchJob:
    """A batch job left out of the series, listed on the page so it does not vanish silently."""

    id: int
    scheduler_id: int
    state: str
    num_nodes: int
    reason: str
    queue: str = ""
    status_info: str = ""
    """`key=value` pairs sorted by key, joined by `; ` (e.g. why a submission failed)."""


def available_nodes(
    batch_jobs: BatchJobTable, as_of: int, name: str = "", estimates: StartEstimates = NONE
) -> tuple[StepSeries, list[UncountedBatchJob]]:
    """Each batch job adds `num_nodes` from `start_time` (or its estimate, for a running one
    without: see `batch_starts`) until `end_time`, or as_of if it has no end or a later one.
    Jobs not started, starting after as_of or ending before they start are not counted and
    are returned with the reason. `name` is the series' name."""
    batch_jobs = with_estimates(batch_jobs, estimates)
    start, end = batch_jobs.start_time, batch_jobs.end_time
    never_started = start == NO_TIME
    starts_late = ~never_started & (start > as_of)
    ends_early = ~never_started & ~starts_late & (end != NO_TIME) & (end < start)
    counted = ~(never_started | starts_late | ends_early)
    closes = counted & (end != NO_TIME) & (end <= as_of)
    nodes = batch_jobs.num_nodes.astype(np.float64)
    times = np.r_[start[counted], end[closes]]
    deltas = np.r_[nodes[counted], -nodes[closes]]
    series = step_series(name, times, deltas, integral=True)
    reasons = np.where(
        never_started,
        "never started (no start_time)",
        np.where(starts_late, "starts after the as-of time", "ends before it starts"),
    ).astype(object)
    reasons[estimates.unknown] = unknown_reason(estimates)
    uncounted = [
        UncountedBatchJob(
            int(batch_jobs.id[i]),
            int(batch_jobs.scheduler_id[i]),
            str(batch_jobs.state[i]),
            int(batch_jobs.num_nodes[i]),
            str(reasons[i]),
            str(batch_jobs.queue[i]),
            "; ".join(f"{k}={v}" for k, v in sorted(batch_jobs.status_info[i].items())),
        )
        for i in np.flatnonzero(~counted)
    ]
    return series, uncounted


def unknown_reason(estimates: StartEstimates) -> str:
    """Why a running batch job without start_time has no estimated start either."""
    if estimates.no_jobs:
        return "running, start unknown (no start_time, and no job records to find its jobs)"
    return "running, start unknown (no start_time, and none of its jobs entered RUNNING)"
