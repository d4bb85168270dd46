"""`allocations`: the batch jobs as a timeline, one lane each (packed above 300), what each
ran against what it requested, and optionally the nodes its jobs used inside it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reportgen.analytics.allocations import PACK_ABOVE, LaneUse, Spans, lane_use, lanes, spans
from reportgen.analytics.available_nodes import UncountedBatchJob
from reportgen.analytics.batch_starts import with_estimates
from reportgen.analytics.steps import step_series
from reportgen.kinds.allocations_csv import allocations_file
from reportgen.kinds.allocations_lanes import timeline
from reportgen.kinds.base import Figure, Kind, Section, View
from reportgen.kinds.describe import Described, moment, number, step_stats, steps_summary
from reportgen.kinds.estimated_starts import estimated_rows, estimated_warnings
from reportgen.kinds.results import Rows
from reportgen.kinds.run import Run
from reportgen.kinds.shared import (
    UNCOUNTED,
    held_nodes,
    node_intervals,
    running_warnings,
    start_estimates,
    uncounted_rows,
)
from reportgen.source.data import Needs
from reportgen.source.tables import NO_ID, NO_TIME, Ints, Mask
from reportgen.spec.containers import Key
from reportgen.spec.model import TimeAxis
from reportgen.spec.schema import BATCH_JOB_REF, EVENT_REF


@dataclass(frozen=True)
class Options:
    batch_jobs: str
    events: str | None = None


OPTIONS = {
    "batch_jobs": Key(BATCH_JOB_REF, "The batch-job query drawn, one lane per batch job."),
    "events": Key(
        EVENT_REF,
        "An event query whose jobs' RUNNING nodes are drawn inside each lane, by the job's "
        "`batch_job_id` (needs the jobs file).",
        None,
        "none",
    ),
}


@dataclass(frozen=True)
class RunAllocations:
    """One run's drawn batch jobs, by start time then id, and their lanes."""

    run: str
    batch_job_id: Ints
    scheduler_id: Ints
    num_nodes: Ints
    start: Ints
    end: Ints
    """Clamped at the as-of time, as drawn."""
    is_open: Mask
    requested_end: Ints
    wall_time_min: Ints
    state: tuple[str, ...]
    queue: tuple[str, ...]
    status_info: tuple[str, ...]
    """`key=value` pairs sorted by key, joined by `; `."""
    lane: Ints
    lanes: int
    packed: bool
    use: LaneUse | None
    estimated_from: Ints
    """Per allocation, the job whose first entry into RUNNING is its estimated start (the
    server has no start_time yet), else NO_ID: its start is the server's."""

    @property
    def estimated(self) -> Mask:
        found: Mask = self.estimated_from != NO_ID
        return found


@dataclass(frozen=True)
class Allocations:
    runs: tuple[RunAllocations, ...]
    warnings: tuple[str, ...]
    tables: tuple[Rows, ...]


def needs(options: Options) -> Needs:
    events = () if options.events is None else (options.events,)
    return Needs(events=events, batch_jobs=(options.batch_jobs,), job_records=bool(events))


def compute(runs: Sequence[Run], options: Options) -> Allocations:
    """Per run: each batch job's span and lane, the never-started ones as a table, and (with
    `events`) each allocation's use."""
    results, warnings = [], []
    tables: list[Rows] = []
    for run in runs:
        allocations, notes = run_allocations(run, options)
        results.append(allocations)
        _, uncounted = held_nodes(run, options.batch_jobs)
        if uncounted:
            notes.append(
                f"{len(uncounted):,} batch job(s) are not drawn: never started, starting after "
                f"the as-of time or ending before they start{_unknown(uncounted)} (listed in "
                f"the table “{UNCOUNTED}”)."
            )
        tables += uncounted_rows(uncounted, run, options.batch_jobs, owner=True)
        tables += estimated_rows(run, options.batch_jobs, owner=True)
        notes += estimated_warnings(run, options.batch_jobs)
        prefix = f"{run.name}: " if len(runs) > 1 else ""
        warnings += [prefix + w for w in notes]
    return Allocations(tuple(results), tuple(warnings), tuple(tables))


def _unknown(uncounted: list[UncountedBatchJob]) -> str:
    """What the note adds when some batch job runs with no start known."""
    running = any(b.reason.startswith("running, start unknown") for b in uncounted)
    return ", or running with no start known" if running else ""


def run_allocations(run: Run, options: Options) -> tuple[RunAllocations, list[str]]:
    estimates = start_estimates(run, options.batch_jobs)
    table = with_estimates(run.batch_jobs(options.batch_jobs), estimates)
    drawn = spans(table, run.as_of)
    rows = drawn.rows
    source = dict(zip(estimates.rows.tolist(), estimates.job_id.tolist(), strict=True))
    estimated_from = np.array([source.get(r, NO_ID) for r in rows.tolist()], dtype=np.int64)
    packed = len(drawn) > PACK_ABOVE
    # a lane stays taken until the requested wall time ends too, so no ghost bar overlaps
    taken = np.where(
        drawn.requested_end == NO_TIME, drawn.end, np.maximum(drawn.end, drawn.requested_end)
    )
    lane = lanes(drawn.start, taken, packed)
    use: LaneUse | None = None
    notes: list[str] = []
    if options.events is not None:
        use, notes = _use(run, options.events, table.id[rows], table.num_nodes[rows], drawn)
    result = RunAllocations(
        run=run.name,
        batch_job_id=table.id[rows],
        scheduler_id=table.scheduler_id[rows],
        num_nodes=table.num_nodes[rows],
        start=drawn.start,
        end=drawn.end,
        is_open=drawn.is_open,
        requested_end=drawn.requested_end,
        wall_time_min=table.wall_time_min[rows],
        state=tuple(str(s) for s in table.state[rows]),
        queue=tuple(str(q) for q in table.queue[rows]),
        status_info=tuple(_pairs(info) for info in table.status_info[rows]),
        lane=lane,
        lanes=int(lane.max()) + 1 if lane.size else 0,
        packed=packed,
        use=use,
        estimated_from=estimated_from,
    )
    return result, notes


def _pairs(info: dict[str, str]) -> str:
    return "; ".join(f"{k}={info[k]}" for k in sorted(info))


def _use(
    run: Run, events: str, batch_ids: Ints, nodes: Ints, drawn: Spans
) -> tuple[LaneUse, list[str]]:
    """Each drawn allocation's use by its jobs (`batch_job_id`), and what has no lane."""
    intervals, running_notes = node_intervals(run, events)
    jobs = run.jobs
    job_batch = (
        (jobs.id, jobs.batch_job_id)
        if jobs is not None
        else (np.empty(0, np.int64), np.empty(0, np.int64))
    )
    parts = (intervals.job_id, intervals.start, intervals.end, intervals.weight, intervals.is_open)
    use = lane_use(drawn, batch_ids, nodes, job_batch, parts)
    return use, running_warnings(running_notes) + _use_warnings(use, jobs is None)


def _use_warnings(use: LaneUse, no_jobs_file: bool) -> list[str]:
    """What the lanes' use leaves out or cannot show."""
    notes = []
    intervals, jobs = use.no_batch_job
    if intervals:
        why = (
            "there are no job records (give the jobs file)"
            if no_jobs_file
            else "no batch_job_id in their job record, or no job record"
        )
        notes.append(
            f"{jobs:,} jobs ({intervals:,} RUNNING intervals) have no batch job, so they are "
            f"in no lane: {why}."
        )
    intervals, jobs = use.not_drawn
    if intervals:
        notes.append(
            f"{jobs:,} jobs ({intervals:,} RUNNING intervals) belong to batch jobs not drawn "
            "here (not in this query, or not started by the as-of time), so they are in no "
            "lane."
        )
    if use.outside_intervals:
        notes.append(
            f"{use.outside_intervals:,} RUNNING intervals reach outside their batch job's span "
            "(Balsam keeps only a job's latest batch job, so an earlier attempt lands on it); "
            "only the part inside the bar is drawn."
        )
    if use.over_capacity:
        notes.append(
            f"{use.over_capacity:,} allocation(s) have jobs using more nodes than they hold at "
            "some instant (a restarted job's earlier attempts count in its latest batch job); "
            "drawn capped at the bar's height."
        )
    return notes


def present(result: Allocations, view: View) -> Section:
    from reportgen.charts.gantt import gantt_spec  # Altair: only when drawing

    chart = view.chart
    files = (allocations_file(chart.id, result.runs),)
    drawn = [r for r in result.runs if len(r.start)]
    if not drawn:
        note = "No batch job started by the as-of time: nothing to draw."
        return Section(None, files, note, result.warnings, result.tables)
    windows = {w.name: (w.start, w.as_of) for w in view.windows}
    several = len(result.runs) > 1
    lanes_ = [timeline(r, windows[r.run], several) for r in drawn]
    items = [item for r in drawn for item in _held(r, windows[r.run])]
    figure = Figure(
        gantt_spec(chart, lanes_, view.axis, interactive=True),
        gantt_spec(chart, lanes_, view.axis, interactive=False),
        _description(chart.title, drawn, items, view.axis),
        steps_summary(items, view.axis, "Batch jobs and nodes held at once"),
    )
    return Section(figure, files, _note(drawn), result.warnings, result.tables)


def _held(run: RunAllocations, window: tuple[int, int]) -> list[Described]:
    """The batch jobs drawn that run at once, and the nodes they hold, over time."""
    times = np.r_[run.start, run.end]
    ones = np.ones(len(run.start))
    nodes = run.num_nodes.astype(np.float64)
    return [
        Described(
            "batch jobs", step_series("", times, np.r_[ones, -ones], True), "", window, run.run
        ),
        Described(
            "nodes held", step_series("", times, np.r_[nodes, -nodes], True), "", window, run.run
        ),
    ]


def _description(
    title: str, drawn: list[RunAllocations], items: list[Described], axis: TimeAxis
) -> str:
    """`Allocations: 14 batch jobs, peak 5 at once at 120 min, peak 448 nodes held at 121
    min.`, per run when there are several."""
    parts = []
    for run in drawn:
        jobs, nodes = (
            (item, step_stats(item.series, *item.window)) for item in items if item.run == run.run
        )
        lead = f"{run.run}: " if len(drawn) > 1 else ""
        parts.append(
            f"{lead}{len(run.start):,} batch jobs, peak {number(jobs[1].peak)} at once at "
            f"{moment(jobs[1].peak_at, axis, jobs[0].window[0])}, peak "
            f"{number(nodes[1].peak)} nodes held at "
            f"{moment(nodes[1].peak_at, axis, nodes[0].window[0])}"
        )
    return f"{title}: " + "; ".join(parts) + "."


def _note(drawn: list[RunAllocations]) -> str:
    count = sum(len(r.start) for r in drawn)
    lanes_ = sum(r.lanes for r in drawn)
    if any(r.packed for r in drawn):
        return (
            f"{count:,} allocations on {lanes_:,} shared lanes (above {PACK_ABOVE} a lane is "
            "reused once the allocation on it has ended, its requested time included)."
        )
    return f"{count:,} allocations, one lane each."


KIND = Kind(
    name="allocations",
    title="Allocations",
    doc=(
        "The batch jobs as a timeline: a lane per batch job by start time (above 300, shared "
        "lanes, each reused once its allocation has ended), what each ran against the wall "
        "time it requested, and optionally its jobs' nodes inside it. `<id>.csv` has a row "
        "per batch job drawn; those never started are listed on the page. A running batch "
        "job without start_time starts at its jobs' first entry into RUNNING (hatched; "
        "`start_source` and `start_from_job_id` then end each row)."
    ),
    options=OPTIONS,
    make_options=Options,
    needs=needs,
    compute=compute,
    present=present,
    guide=(
        "Each lane is one batch job, earliest at the top: the bar runs from its start to its "
        "end (dashed, with an arrowhead, when still running at the as-of time), the pale "
        "dotted bar after it is the rest of the wall time it requested, and its colour is its "
        "state; a hatched bar's start is estimated (the server has no start_time for it "
        "yet). With events, the filled area inside a bar is the nodes its jobs were running, "
        "the bar's full height standing for all its nodes. Hover a bar for its details."
    ),
)
