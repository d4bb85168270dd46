"""Computations several kinds and the headline share, computed once per run and cached:
the jobs (or nodes) running over time and their intervals, each query's events in order along
each job's history, and the nodes batch jobs hold."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np

from reportgen.analytics.available_nodes import UncountedBatchJob, available_nodes
from reportgen.analytics.batch_starts import (
    NONE,
    Entries,
    StartEstimates,
    estimate_starts,
)
from reportgen.analytics.jobstates import (
    ChainedEvents,
    chained_events,
    final_states,
    state_counts,
    states_at,
)
from reportgen.analytics.ledger import (
    WAITING,
    Ledger,
    busy_node_seconds,
    interval_classes,
    node_ledger,
    waiting_jobs,
)
from reportgen.analytics.steady import SteadyState, steady_state
from reportgen.analytics.steps import StepSeries
from reportgen.analytics.utilization import (
    RunningIntervals,
    UtilizationNotes,
    interval_series,
    running_intervals,
    utilization,
)
from reportgen.kinds.results import Column, Rows
from reportgen.kinds.run import Run
from reportgen.source.tables import NO_ID, Codes, Ints, unstarted_running


def jobs_topic(events: str) -> str:
    """What names a query's job table on a page: the failures kind links its groups to the
    job table of the same query (see `Rows.link_topic`)."""
    return f"jobs of {events!r}"


def running(run: Run, events: str, node_weighting: bool) -> tuple[StepSeries, UtilizationNotes]:
    """The RUNNING intervals of a query's jobs summed over time (nodes, or jobs); unnamed,
    since kinds name their series."""

    def compute() -> tuple[StepSeries, UtilizationNotes]:
        if not node_weighting:
            return utilization(run.events(events), run.as_of, False, run.jobs)
        intervals, notes = node_intervals(run, events)  # the ledger's too: made once
        return interval_series(intervals, "", integral=False), notes

    return run.cached(("running", events, node_weighting), compute)


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


def state_series(run: Run, events: str) -> tuple[StepSeries, ...]:
    """Per state some job of the query is in at some time (by code), the number of jobs in
    it over time, each series named by its state (kept for this build only, like `chained`)."""
    return run.once(
        ("state_series", events), lambda: tuple(state_counts(chained(run, events)).values())
    )


def job_states(run: Run, events: str) -> tuple[Ints, Codes]:
    """Each job of a query (ascending id) and its state at the as-of time (the headline and
    the failures kind both need them): read off the query's events in chain order when a
    kind has ordered them already (no second ordering of 10^7 events), else `states_at`."""

    def compute() -> tuple[Ints, Codes]:
        ordered = run.made(("chained", events))
        if isinstance(ordered, ChainedEvents):
            return final_states(ordered)
        return states_at(run.events(events), run.as_of)

    return run.once(("job_states", events), compute)


def held_nodes(run: Run, batch_jobs: str) -> tuple[StepSeries, list[UncountedBatchJob]]:
    """The nodes a batch-job query's allocations hold over time (estimated starts included),
    and those not counted."""
    return run.cached(
        ("held_nodes", batch_jobs),
        lambda: available_nodes(
            run.batch_jobs(batch_jobs), run.as_of, estimates=start_estimates(run, batch_jobs)
        ),
    )


def start_estimates(run: Run, batch_jobs: str) -> StartEstimates:
    """The estimated starts of a batch-job query's running allocations without start_time,
    from the entries into RUNNING among every event query of the run (see batch_starts)."""

    def compute() -> StartEstimates:
        table = run.batch_jobs(batch_jobs)
        if not unstarted_running(table).any():
            return NONE
        jobs = None if run.jobs is None else (run.jobs.id, run.jobs.batch_job_id)
        return estimate_starts(table, running_entries(run), jobs, run.as_of)

    return run.cached(("start_estimates", batch_jobs), compute)


def running_entries(run: Run) -> Entries:
    """Every event entering RUNNING that some event query of the run loaded."""
    tables = list(run.data.events.values())
    chosen = [(t, t.to_state == t.code("RUNNING")) for t in tables]
    none = [np.empty(0, np.int64)]
    return Entries(
        np.concatenate(none + [t.id[c] for t, c in chosen]),
        np.concatenate(none + [t.job_id[c] for t, c in chosen]),
        np.concatenate(none + [t.timestamp[c] for t, c in chosen]),
    )


def ledger(run: Run, events: str, batch_jobs: str) -> Ledger:
    """The node-hour ledger of the run's window (its start to its as-of time): the nodes
    `batch_jobs` held, split by what `events`' jobs did with them (see analytics/ledger)."""

    def compute() -> Ledger:
        intervals, _ = node_intervals(run, events)
        classes = _interval_classes(run, events)
        held, _ = held_nodes(run, batch_jobs)
        waiting = waiting_jobs([s for s in state_series(run, events) if s.name in WAITING])
        return node_ledger(intervals, classes, held, waiting, run.start, run.as_of)

    return run.cached(("ledger", events, batch_jobs), compute)


def busy_node_hours(run: Run, events: str) -> dict[str, Fraction]:
    """The ledger's busy classes (useful, failed, timed_out, lost, running) in node-hours,
    exact, without its idle split (which needs every state's count over time)."""

    def compute() -> dict[str, Fraction]:
        intervals, _ = node_intervals(run, events)
        seconds = busy_node_seconds(intervals, _interval_classes(run, events), run.start, run.as_of)
        return {c: s / 3600 for c, s in seconds.items()}

    return run.cached(("busy_node_hours", events), compute)


def _interval_classes(run: Run, events: str) -> Ints:
    """Each node-weighted RUNNING interval's ledger class (shared by the ledger and the
    headline's busy node-hours)."""

    def compute() -> Ints:
        intervals, _ = node_intervals(run, events)
        table = run.events(events)
        return interval_classes(intervals, table.to_state, table.state_names)

    return run.once(("interval_classes", events), compute)


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


def run_steady_state(
    run: Run, events: str, to_state: str, batch_jobs: str, fractions: tuple[str, str]
) -> SteadyState:
    """The run's steady state (`analytics/steady.py`) over the completions into `to_state`
    by the as-of time, with the nodes `batch_jobs` hold; `fractions` as the spec wrote
    them (exact decimals). Computed once per run for the scaling table and the ideal lines."""

    def compute() -> SteadyState:
        table = run.events(events)
        chosen = (table.to_state == table.code(to_state)) & (table.timestamp <= run.as_of)
        held, _ = held_nodes(run, batch_jobs)
        lo, hi = (Decimal(f) for f in fractions)
        return steady_state(table.timestamp[chosen], table.id[chosen], lo, hi, held)

    return run.once(("steady_state", events, to_state, batch_jobs, fractions), compute)
