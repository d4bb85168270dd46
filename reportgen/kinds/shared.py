"""Computations several kinds and the headline share, computed once per run and cached:
the jobs (or nodes) running over time and their intervals, each query's events in order along
each job's history, and the nodes batch jobs hold."""

from __future__ import annotations

from reportgen.analytics.available_nodes import UncountedBatchJob, available_nodes
from reportgen.analytics.jobstates import ChainedEvents, chained_events
from reportgen.analytics.steps import StepSeries
from reportgen.analytics.utilization import (
    RunningIntervals,
    UtilizationNotes,
    running_intervals,
    utilization,
)
from reportgen.kinds.results import Column, Rows
from reportgen.kinds.run import Run
from reportgen.source.tables import NO_ID


def running(run: Run, events: str, node_weighting: bool) -> tuple[StepSeries, UtilizationNotes]:
    """The RUNNING intervals of a query's jobs summed over time (nodes, or jobs); unnamed,
    since kinds name their series."""
    return run.cached(
        ("running", events, node_weighting),
        lambda: utilization(run.events(events), run.as_of, node_weighting, run.jobs),
    )


def node_intervals(run: Run, events: str) -> tuple[RunningIntervals, UtilizationNotes]:
    """A query's node-weighted RUNNING intervals (those the `utilization` series sums)."""
    return run.once(
        ("node_intervals", events),
        lambda: running_intervals(run.events(events), run.as_of, True, run.jobs),
    )


def chained(run: Run, events: str) -> ChainedEvents:
    """A query's events at or before the as-of time, in order along each job's history
    (shared by the kinds reading states; too large to keep in the build cache)."""
    return run.once(("chained", events), lambda: chained_events(run.events(events), run.as_of))


def held_nodes(run: Run, batch_jobs: str) -> tuple[StepSeries, list[UncountedBatchJob]]:
    """The nodes a batch-job query's allocations hold over time, and those not counted."""
    return run.cached(
        ("held_nodes", batch_jobs),
        lambda: available_nodes(run.batch_jobs(batch_jobs), run.as_of),
    )


def running_warnings(notes: UtilizationNotes) -> list[str]:
    warnings = []
    if notes.ignored_leaves:
        warnings.append(
            f"{notes.ignored_leaves:,} events leaving RUNNING had no open interval "
            "(their start lies outside the query window) and were ignored."
        )
    if notes.ignored_entries:
        warnings.append(
            f"{notes.ignored_entries:,} events entering RUNNING came while the job "
            "was already running and were ignored."
        )
    if notes.fallback_weights:
        warnings.append(
            f"{notes.fallback_weights:,} RUNNING events had no data.num_nodes; "
            f"their weight is {notes.fallback_source}."
        )
    return warnings


def uncounted_warnings(uncounted: list[UncountedBatchJob]) -> list[str]:
    if not uncounted:
        return []
    return [
        f"{len(uncounted)} batch job(s) are not counted in available nodes "
        f"(listed with their state in the table “{UNCOUNTED}”)."
    ]


UNCOUNTED = "Batch jobs not counted in available nodes"


def uncounted_rows(
    uncounted: list[UncountedBatchJob], run: Run, batch_jobs: str, owner: bool = False
) -> tuple[Rows, ...]:
    """The batch jobs of a run's query left out of available nodes, as a table (none: no
    table), once per page however many sections list it (`owner`: under this section)."""
    if not uncounted:
        return ()
    columns = (
        Column("id", numeric=True),
        Column("scheduler id", numeric=True),
        Column("state"),
        Column("nodes", numeric=True),
        Column("queue"),
        Column("reason"),
        Column("status info"),
    )
    rows = tuple(
        (
            str(b.id),
            "" if b.scheduler_id == NO_ID else str(b.scheduler_id),
            b.state,
            str(b.num_nodes),
            b.queue,
            b.reason,
            b.status_info,
        )
        for b in uncounted
    )
    caption = f"{UNCOUNTED} ({run.name})" if run.name else UNCOUNTED
    key = f"uncounted {run.name!r} {batch_jobs!r}"
    return (Rows(caption, columns, rows, "uncounted", key=key, owner=owner),)
