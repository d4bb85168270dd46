"""`failures`: what failed, how often, and what it cost. Attempt endings (events out of
RUNNING into any state but RUN_DONE) grouped by outcome, return code and message, with the
node-hours of the RUNNING intervals they ended; and how many attempts the jobs took."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from reportgen.analytics.exact import six_decimals
from reportgen.analytics.failures import (
    AttemptCounts,
    FailureGroup,
    attempt_counts,
    attempt_endings,
    failure_groups,
    group_key,
    returncode_text,
)
from reportgen.analytics.utilization import UtilizationNotes
from reportgen.charts.failurebars import DRAWN_GROUPS, attempt_bars, group_bars
from reportgen.kinds.base import Figure, Kind, Section, View
from reportgen.kinds.describe import number
from reportgen.kinds.present import text_file
from reportgen.kinds.results import Column, Rows
from reportgen.kinds.run import Run
from reportgen.kinds.shared import job_states, jobs_topic, node_intervals
from reportgen.site.csvfile import csv_field
from reportgen.source.data import Needs
from reportgen.spec.containers import Key
from reportgen.spec.schema import EVENT_REF

TABLE_ROWS = 20
"""Groups listed on the page (the CSV has them all)."""
GROUP_HEADER = "outcome,returncode,message,attempts,jobs,node_hours,example_job_ids"
ATTEMPTS_HEADER = "attempts,jobs,finished,failed,other"


@dataclass(frozen=True)
class Options:
    events: str


OPTIONS = {
    "events": Key(EVENT_REF, "The event query whose attempt endings are grouped."),
}


@dataclass(frozen=True)
class RunFailures:
    name: str
    groups: tuple[FailureGroup, ...]
    attempts: AttemptCounts


@dataclass(frozen=True)
class Failures:
    runs: tuple[RunFailures, ...]
    warnings: tuple[str, ...] = ()


def needs(options: Options) -> Needs:
    """Return codes and messages, and job records (the weights' fallback)."""
    return Needs(events=(options.events,), job_records=True, event_details=True)


def compute(runs: Sequence[Run], options: Options) -> Failures:
    computed, warnings = [], []
    for run in runs:
        failures, notes = _run_failures(run, options.events)
        computed.append(failures)
        prefix = f"{run.name}: " if len(runs) > 1 else ""
        warnings += [prefix + note for note in notes]
    return Failures(tuple(computed), tuple(warnings))


def _run_failures(run: Run, query: str) -> tuple[RunFailures, list[str]]:
    events = run.events(query)
    details = events.details
    assert details is not None, "needs() asks the source for event details"
    intervals, notes = node_intervals(run, query)
    endings = attempt_endings(events, details, intervals, run.as_of)
    groups = failure_groups(endings, events.state_names)
    job_ids, states = job_states(run, query)
    attempts = attempt_counts(events, run.as_of, job_ids, states, events.state_names)
    warnings = _weight_warnings(notes)
    unclosed = int(np.count_nonzero(~endings.closes))
    if unclosed:
        warnings.append(
            f"{unclosed:,} attempt endings closed no RUNNING interval (the job was not "
            "running by the query's events, e.g. its start lies outside the query window): "
            "each counts as an attempt with 0 node-hours."
        )
    odd = int(np.count_nonzero(endings.odd_returncode))
    if odd:
        warnings.append(
            f"{odd:,} attempt endings have a data.returncode that is not a number (e.g. a "
            "string): they are grouped with an empty return code."
        )
    return RunFailures(run.name, tuple(groups), attempts), warnings


def _weight_warnings(notes: UtilizationNotes) -> list[str]:
    """The utilization's notes that matter here: fallback weights, and entries while running
    (counted as attempts, opening no interval); ignored leaves are warned as endings below."""
    warnings = []
    if notes.ignored_entries:
        warnings.append(
            f"{notes.ignored_entries:,} events entering RUNNING came while the job was "
            "already running: each counts as an attempt, but opens no new interval."
        )
    if notes.fallback_weights:
        warnings.append(
            f"{notes.fallback_weights:,} RUNNING events had no data.num_nodes; "
            f"their weight is {notes.fallback_source}."
        )
    return warnings


def present(result: Failures, view: View) -> Section:
    from reportgen.charts.failures import failures_spec  # Altair: only when drawing

    chart, several = view.chart, len(result.runs) > 1
    bars = group_bars([(run.name, g) for run in result.runs for g in run.groups], several)
    histogram = attempt_bars([run.attempts for run in result.runs])
    figure = Figure(
        page=failures_spec(chart, bars, histogram, interactive=True),
        image=failures_spec(chart, bars, histogram, interactive=False),
        description=_description(chart.title, result),
        summary=_summary(result, several),
    )
    files = (
        text_file(f"{chart.id}.csv", groups_csv(result)),
        text_file(f"{chart.id}-attempts.csv", attempts_csv(result)),
    )
    count = sum(len(r.groups) for r in result.runs)
    endings = sum(g.attempts for r in result.runs for g in r.groups)
    drawn = min(count, DRAWN_GROUPS)
    note = f"{endings:,} attempt endings in {count:,} groups; {drawn:,} drawn"
    note += f", the other {count - drawn:,} summed as one bar." if count > drawn else "."
    table = _groups_table(result, several, jobs_topic(chart.options.events))
    return Section(figure, files, note, result.warnings, (table,))


def _description(title: str, result: Failures) -> str:
    """`Failures and retries: 41 attempt endings in 5 groups, the costliest RUN_TIMEOUT
    (return code N, "message"): 12 endings, 34.5 node-hours; 9 of 120 jobs retried.`"""
    several = len(result.runs) > 1
    parts = []
    for run in result.runs:
        lead = f"{run.name}: " if several else ""
        endings = sum(g.attempts for g in run.groups)
        jobs = int(run.attempts.jobs.sum())
        retried = int(run.attempts.jobs[run.attempts.attempts > 1].sum())
        text = f"{lead}{endings:,} attempt endings in {len(run.groups):,} groups"
        if run.groups:
            top = max(run.groups, key=lambda g: g.node_hours)  # the first of equal costs
            code = returncode_text(top.returncode)
            what = ", ".join(p for p in (f"return code {code}" if code else "", top.message) if p)
            text += (
                f", the costliest {top.outcome}{f' ({what})' if what else ''}: "
                f"{top.attempts:,} endings, {number(round(float(top.node_hours), 1))} node-hours"
            )
        parts.append(f"{text}; {retried:,} of {jobs:,} jobs retried")
    return f"{title}: " + "; ".join(parts) + "."


def _summary(result: Failures, several: bool) -> Rows:
    """Per run and outcome: attempt endings, jobs and node-hours."""
    columns = (
        *((Column("run"),) if several else ()),
        Column("outcome"),
        Column("groups", numeric=True),
        Column("attempt endings", numeric=True),
        Column("node-hours", numeric=True),
    )
    rows = []
    for run in result.runs:
        for outcome in dict.fromkeys(g.outcome for g in run.groups):
            mine = [g for g in run.groups if g.outcome == outcome]
            hours = sum((g.node_hours for g in mine), start=Fraction(0))
            rows.append(
                (
                    *((run.name,) if several else ()),
                    outcome,
                    f"{len(mine):,}",
                    f"{sum(g.attempts for g in mine):,}",
                    six_decimals(hours),
                )
            )
    return Rows("Attempt endings by outcome", columns, tuple(rows), "rows summary")


def _group_cells(group: FailureGroup) -> tuple[str, ...]:
    return (
        group.outcome,
        returncode_text(group.returncode),
        group.message,
        str(group.attempts),
        str(group.jobs),
        six_decimals(group.node_hours),
        " ".join(str(job) for job in group.example_job_ids),
    )


def _table_cells(group: FailureGroup) -> tuple[str, ...]:
    """The CSV's cells, counts with thousands separators (for reading, on the page)."""
    cells = _group_cells(group)
    return (*cells[:3], f"{group.attempts:,}", f"{group.jobs:,}", *cells[5:])


def groups_csv(result: Failures) -> str:
    """`<id>.csv`: every group, in their order (led by the run when there are several)."""
    several = len(result.runs) > 1
    lines = [("run," if several else "") + GROUP_HEADER]
    for run in result.runs:
        lead = f"{csv_field(run.name)}," if several else ""
        lines += [lead + ",".join(map(csv_field, _group_cells(g))) for g in run.groups]
    return "\n".join(lines) + "\n"


def attempts_csv(result: Failures) -> str:
    """`<id>-attempts.csv`: jobs per number of entries into RUNNING, by state at as-of."""
    several = len(result.runs) > 1
    lines = [("run," if several else "") + ATTEMPTS_HEADER]
    for run in result.runs:
        lead = f"{csv_field(run.name)}," if several else ""
        counts = run.attempts
        columns = (counts.attempts, counts.jobs, counts.finished, counts.failed, counts.other)
        lines += [
            lead + ",".join(map(str, row))
            for row in zip(*(c.tolist() for c in columns), strict=True)
        ]
    return "\n".join(lines) + "\n"


def _groups_table(result: Failures, several: bool, topic: str) -> Rows:
    """The top TABLE_ROWS groups of each run, every column; when the page has the query's
    job table (`topic`), each group's job count links to its jobs there (by `group_key`)."""
    columns = (
        *((Column("run"),) if several else ()),
        Column("outcome"),
        Column("return code", numeric=True),
        Column("message"),
        Column("attempts", numeric=True),
        Column("jobs", numeric=True),
        Column("node-hours", numeric=True),
        Column("example job ids"),
    )
    rows = tuple(
        ((run.name,) if several else ()) + _table_cells(group)
        for run in result.runs
        for group in run.groups[:TABLE_ROWS]
    )
    links = tuple(
        group_key(run.name, group.outcome, group.returncode, group.message)
        for run in result.runs
        for group in run.groups[:TABLE_ROWS]
    )
    total = sum(len(r.groups) for r in result.runs)
    caption = f"Failure groups (top {TABLE_ROWS} of {total:,}; all in the CSV)"
    if total <= TABLE_ROWS:
        caption = "Failure groups"
    jobs_column = len(columns) - 3
    return Rows(
        caption,
        columns,
        rows,
        "rows failures",
        link_topic=topic,
        row_links=links,
        link_column=jobs_column,
    )


KIND = Kind(
    name="failures",
    title="Failures and retries",
    doc=(
        "Attempt endings (events out of RUNNING into any state but RUN_DONE) grouped by "
        "outcome, return code and message, with the node-hours of the runs they ended; and "
        "the jobs per number of attempts."
    ),
    options=OPTIONS,
    make_options=Options,
    needs=needs,
    compute=compute,
    present=present,
    guide=(
        "Each bar is one kind of failure: the state a run ended in, its return code and its "
        "message (digits shown as N), sized by the node-hours those runs had used when they "
        "ended, costliest first. Below, jobs by how many times they entered RUNNING, coloured "
        "by their state at the as-of time: the bars right of 1 are retried jobs."
    ),
)
