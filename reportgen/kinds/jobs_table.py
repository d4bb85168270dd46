"""`jobs_table`: one row per job of a query, searchable and sortable in the page, every job in
the CSV. The page holds at most `max_rows` of them: failed jobs first, then those with the
most node-hours; each failure group of the `failures` kind links to its jobs here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from reportgen.analytics.failures import attempt_endings, job_groups
from reportgen.analytics.jobs import JobNumbers, job_numbers, table_order
from reportgen.kinds.base import Kind, Section, View
from reportgen.kinds.jobs_cells import COLUMNS, NUMERIC, JobRecords, cells, jobs_csv_file
from reportgen.kinds.results import Column, Grid
from reportgen.kinds.run import Run
from reportgen.kinds.shared import chained, jobs_topic, node_intervals
from reportgen.source.data import Needs
from reportgen.source.tables import Ints, JobTable
from reportgen.spec.containers import DistinctChoices, Key
from reportgen.spec.scalars import Integer
from reportgen.spec.schema import EVENT_REF

MAX_ROWS = 5_000
"""Rows embedded in the page by default: about 1 MB of JSON, a quick page."""
ROWS_LIMIT = 100_000


@dataclass(frozen=True)
class Options:
    events: str
    columns: tuple[str, ...] = COLUMNS
    max_rows: int = MAX_ROWS


OPTIONS = {
    "events": Key(EVENT_REF, "The event query whose jobs are listed (one row per job)."),
    "columns": Key(
        DistinctChoices(COLUMNS, "job table columns"),
        "The columns shown and written, in order (the page and the CSV alike).",
        COLUMNS,
        "all of them: " + ", ".join(COLUMNS),
    ),
    "max_rows": Key(
        Integer(1, ROWS_LIMIT, f"an integer from 1 to {ROWS_LIMIT:,}"),
        "Rows embedded in the page (failed jobs first, then the most node-hours); the CSV "
        "always has every job.",
        MAX_ROWS,
    ),
}


@dataclass(frozen=True)
class RunJobs:
    """One run's jobs (ascending id), what their records say, and the rows the page holds."""

    name: str
    numbers: JobNumbers
    node_millionths: Ints
    """Node-hours in millionths, rounded half to even from the exact sums."""
    records: JobRecords
    state_names: tuple[str, ...]
    chosen: Ints
    """Indexes of the rows the page holds, in their order."""
    chosen_groups: tuple[str, ...]
    """Per chosen row, its failure groups' keys, space-separated."""
    group_labels: dict[str, str] = field(default_factory=dict)
    group_sizes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class JobsTable:
    runs: tuple[RunJobs, ...]
    columns: tuple[str, ...]
    max_rows: int
    warnings: tuple[str, ...] = ()


def needs(options: Options) -> Needs:
    """Job records (their fields, and the weights' fallback) and return codes and messages
    (outcomes, and the failure groups each job is in)."""
    return Needs(events=(options.events,), job_records=True, event_details=True, job_details=True)


def compute(runs: Sequence[Run], options: Options) -> JobsTable:
    computed, warnings = [], []
    for run in runs:
        jobs, notes = _run_jobs(run, options)
        computed.append(jobs)
        prefix = f"{run.name}: " if len(runs) > 1 else ""
        warnings += [prefix + note for note in notes]
    return JobsTable(tuple(computed), options.columns, options.max_rows, tuple(warnings))


def _run_jobs(run: Run, options: Options) -> tuple[RunJobs, list[str]]:
    query = options.events
    events = run.events(query)
    details = events.details
    assert details is not None, "needs() asks the source for event details"
    intervals, notes = node_intervals(run, query)
    numbers = job_numbers(chained(run, query), events, details, intervals)
    endings = attempt_endings(events, details, intervals, run.as_of)
    groups = job_groups(endings, events.state_names, run.name)
    chosen = table_order(numbers, events.code("FAILED"), options.max_rows)
    records, missing = _records(run.jobs, numbers.job_id)
    chosen_ids = numbers.job_id[chosen].tolist()
    warnings = []
    if run.jobs is None:
        warnings.append(
            "No job records were loaded (the source has no jobs file): the columns from the "
            "job record (tags, num_nodes, node_packing_count, workdir, batch_job_id) are empty."
        )
    elif missing:
        warnings.append(
            f"{missing:,} jobs have events but no job record: their tags, num_nodes, "
            "node_packing_count, workdir and batch_job_id are empty."
        )
    if notes.fallback_weights:
        warnings.append(
            f"{notes.fallback_weights:,} RUNNING events had no data.num_nodes; their weight "
            f"(in node_hours) is {notes.fallback_source}."
        )
    jobs = RunJobs(
        name=run.name,
        numbers=numbers,
        node_millionths=np.array(numbers.node_millionths(), dtype=np.int64),
        records=records,
        state_names=events.state_names,
        chosen=chosen,
        chosen_groups=tuple(" ".join(groups.keys.get(j, ())) for j in chosen_ids),
        group_labels=groups.labels,
        group_sizes=groups.jobs,
    )
    return jobs, warnings


def _records(jobs: JobTable | None, job_ids: Ints) -> tuple[JobRecords, int]:
    """The job record's fields of each job (empty where it has none), and how many have none."""
    count = job_ids.size
    known = np.zeros(count, dtype=bool)
    num_nodes, packing = np.full(count, np.nan), np.full(count, np.nan)
    batch_job_id = np.full(count, -1, dtype=np.int64)
    tags, workdir = np.full(count, "", dtype=object), np.full(count, "", dtype=object)
    if jobs is not None and len(jobs) and count:
        order = np.argsort(jobs.id, kind="stable")
        position = np.clip(np.searchsorted(jobs.id[order], job_ids), 0, len(jobs) - 1)
        known = jobs.id[order][position] == job_ids
        row = order[position[known]]
        num_nodes[known] = jobs.num_nodes[row]
        packing[known] = jobs.node_packing_count[row]
        batch_job_id[known] = jobs.batch_job_id[row]
        if jobs.details is not None:
            tags[known] = jobs.details.tags[row]
            workdir[known] = jobs.details.workdir[row]
    records = JobRecords(known, tags, num_nodes, packing, workdir, batch_job_id)
    return records, int(count - np.count_nonzero(known))


def present(result: JobsTable, view: View) -> Section:
    chart, several = view.chart, len(result.runs) > 1
    names = (("run",) if several else ()) + result.columns
    wanted = [COLUMNS.index(c) for c in result.columns]
    placed = _page_rows(result)
    run_cells = [
        iter(cells(run, np.array([i for p, i, _ in placed if p == place], np.int64), csv=False))
        for place, run in enumerate(result.runs)
    ]
    rows = []
    for place, _, _ in placed:  # each run's cells come in its rows' order
        row = next(run_cells[place])
        lead = (result.runs[place].name,) if several else ()
        rows.append(lead + tuple(row[i] for i in wanted))
    labels: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for run in result.runs:
        labels |= run.group_labels
        sizes |= run.group_sizes
    total = sum(len(r.numbers) for r in result.runs)
    grid = Grid(
        caption="Jobs",
        columns=tuple(Column(n, n in NUMERIC) for n in names),
        rows=tuple(rows),
        count_text=_count_text(len(rows), total, result),
        csv=f"{chart.id}.csv",
        topic=jobs_topic(view.chart.options.events),
        row_groups=tuple(groups for _, _, groups in placed),
        group_labels=labels,
        group_sizes=sizes,
    )
    csv = jobs_csv_file(f"{chart.id}.csv", result.runs, result.columns)
    return Section(None, (csv,), "", result.warnings, grid=grid)  # (the grid says the count)


def _page_rows(result: JobsTable) -> list[tuple[int, int, str]]:
    """The rows the page holds, in order, as (run's place, job's index, its groups' keys):
    at most `max_rows` in all; with several runs, the runs' chosen rows merged by the same
    rule (failed first, then node-hours), run order breaking ties."""
    if len(result.runs) == 1:
        run = result.runs[0]
        return [(0, i, g) for i, g in zip(run.chosen.tolist(), run.chosen_groups, strict=True)]
    ranked = []
    for place, run in enumerate(result.runs):
        failed = run.state_names.index("FAILED") if "FAILED" in run.state_names else -1
        for rank, index in enumerate(run.chosen.tolist()):
            is_failed = int(run.numbers.state[index]) == failed
            millionths = int(run.node_millionths[index])
            ranked.append((not is_failed, -millionths, place, rank, index))
    ranked.sort()
    return [
        (place, index, result.runs[place].chosen_groups[rank])
        for _, _, place, rank, index in ranked[: result.max_rows]
    ]


def _count_text(shown: int, total: int, result: JobsTable) -> str:
    order = "failed jobs first, then those with the most node-hours"
    if shown == total:
        return f"All {total:,} jobs are in the page ({order}) and in the CSV."
    return (
        f"The page holds {shown:,} of {total:,} jobs ({order}; at most "
        f"{result.max_rows:,}); the CSV has every job."
    )


KIND = Kind(
    name="jobs_table",
    title="Jobs",
    doc=(
        "One row per job with an event in the query: its state at the as-of time, tags, "
        "nodes, attempts, first and last event, time RUNNING and node-hours, how its last run "
        "ended, workdir and batch job. Searchable and sortable in the page; the CSV has every "
        "job, sorted by job id."
    ),
    options=OPTIONS,
    make_options=Options,
    needs=needs,
    compute=compute,
    present=present,
    guide=(
        "Every job of the query, one row each. Type in the search box to find a job by id, "
        "tag, state or workdir; click a column heading to sort by it (numbers largest first). "
        "node_hours is the nodes the job held times its time RUNNING; outcome is how its last "
        "run ended. The page holds the failed jobs and then the costliest ones; the CSV has "
        "them all."
    ),
    requires_jobs=True,
)
