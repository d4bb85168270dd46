"""`node_hours`: the node-hour ledger. Where the nodes batch jobs held went over the report's
window: useful, failed, timed out, lost or still running work, idle with jobs waiting or with
nothing to run, and running beyond what was held; exact, so the parts add up to the whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from reportgen.analytics.ledger import BUSY, CATEGORIES, Ledger
from reportgen.charts.layers import AreaStack, StepLayer
from reportgen.charts.palette import BLUE, GREEN, ORANGE, PURPLE, VERMILLION, grey
from reportgen.kinds.base import DataFile, Figure, Kind, Section, View
from reportgen.kinds.describe import Described, moment, number, step_stats, steps_summary
from reportgen.kinds.estimated_starts import estimated_csv, estimated_rows, estimated_warnings
from reportgen.kinds.present import page_chart, text_file
from reportgen.kinds.results import Column, Rows
from reportgen.kinds.run import Run
from reportgen.kinds.shared import (
    held_nodes,
    ledger,
    node_intervals,
    running_warnings,
    uncounted_rows,
    uncounted_warnings,
)
from reportgen.site.csvfile import csv_field, series_hash, write_series_csv
from reportgen.source.data import Needs
from reportgen.spec.containers import Key
from reportgen.spec.model import TimeAxis
from reportgen.spec.schema import BATCH_JOB_REF, EVENT_REF

COLORS = {
    "useful": GREEN,
    "failed": VERMILLION,
    "timed_out": ORANGE,
    "lost": PURPLE,
    "running": BLUE,
    "idle_jobs_waiting": grey(0.55),
    "idle_no_jobs": grey(0.81),
}
"""The stacked classes, bottom first: work kept green, work lost warm, running blue, idle grey."""
LABELS = {
    "useful": "useful",
    "failed": "failed",
    "timed_out": "timed out",
    "lost": "lost",
    "running": "still running",
    "idle_jobs_waiting": "idle, jobs waiting",
    "idle_no_jobs": "idle, nothing to run",
}
"""How the chart names the classes (the CSVs use the category names)."""
AVAILABLE_COLOR = grey(0.13)
STACKED = (*BUSY, "idle_jobs_waiting", "idle_no_jobs")


@dataclass(frozen=True)
class Options:
    events: str
    batch_jobs: str


OPTIONS = {
    "events": Key(EVENT_REF, "The event query whose RUNNING intervals use the nodes."),
    "batch_jobs": Key(BATCH_JOB_REF, "The batch-job query whose nodes are available."),
}


@dataclass(frozen=True)
class LedgerResult:
    """Each run's ledger (see `analytics.ledger.Ledger`), and what the page must say."""

    ledgers: tuple[Ledger, ...]
    runs: tuple[str, ...]
    warnings: tuple[str, ...] = ()
    tables: tuple[Rows, ...] = ()
    csvs: tuple[tuple[str, str], ...] = ()
    """The estimated starts, when some allocation has one (see `estimated_starts`)."""


def needs(options: Options) -> Needs:
    return Needs(events=(options.events,), batch_jobs=(options.batch_jobs,), job_records=True)


def compute(runs: Sequence[Run], options: Options) -> LedgerResult:
    ledgers, warnings = [], []
    tables: list[Rows] = []
    for run in runs:
        result = ledger(run, options.events, options.batch_jobs)
        _, notes = node_intervals(run, options.events)
        _, uncounted = held_nodes(run, options.batch_jobs)
        found = running_warnings(notes) + uncounted_warnings(uncounted)
        found += estimated_warnings(run, options.batch_jobs)
        if result.node_seconds["over_capacity"] > 0:
            found.append(
                f"{result.printed('over_capacity')} node-hours ran beyond the nodes the batch "
                "jobs held (over_capacity): batch jobs missing from the query, or mis-tagged."
            )
        prefix = f"{run.name}: " if len(runs) > 1 else ""
        warnings += [prefix + w for w in found]
        ledgers.append(result)
        tables += uncounted_rows(uncounted, run, options.batch_jobs)
        tables += estimated_rows(run, options.batch_jobs)
    names = tuple(run.name for run in runs)
    return LedgerResult(
        tuple(ledgers),
        names,
        tuple(warnings),
        (_table(ledgers, names), *tables),
        estimated_csv(runs, options.batch_jobs),
    )


def _table(ledgers: list[Ledger], runs: tuple[str, ...]) -> Rows:
    """The nine categories per run: node-hours and their share of the available ones."""
    several = len(runs) > 1
    columns = (
        *((Column("run"),) if several else ()),
        Column("category"),
        Column("node-hours", numeric=True),
        Column("of available", numeric=True),
    )
    rows = []
    for run, book in zip(runs, ledgers, strict=True):
        available = book.node_seconds["available"]
        for category in CATEGORIES:
            share = book.node_seconds[category] / available if available else None
            shown = "" if share is None else f"{float(share):.1%}"
            rows.append((*((run,) if several else ()), category, book.printed(category), shown))
    return Rows("Node-hours by category", columns, tuple(rows), "ledger")


def present(result: LedgerResult, view: View) -> Section:
    import altair as alt  # only when drawing

    from reportgen.charts.areas import area_data, area_panels, finished_spec, series_color
    from reportgen.charts.shares import share_bar, share_rows

    chart = view.chart
    several = len(result.runs) > 1
    stacks = [
        _stack(chart.id, index, book, run if several else "")
        for index, (run, book) in enumerate(zip(result.runs, result.ledgers, strict=True))
    ]
    start = min(w.start for w in view.windows)
    as_of = max(w.as_of for w in view.windows)
    data = area_data(page_chart(chart), stacks, view.axis, start, as_of, True)
    exported = area_data(chart, stacks, view.axis, start, as_of)
    color, bars = series_color(data), _shares(result)
    shares_rows = share_rows(bars, {LABELS[c]: COLORS[c] for c in STACKED})

    def figure(interactive: bool) -> dict[str, Any]:
        tooltip = ("Category", "Nodes") if interactive else None
        drawn = data if interactive else exported
        panels = area_panels(chart, drawn, view.axis, "Nodes", tooltip)
        titles = (_share_title(result), "Total")
        shares = share_bar(f"{chart.id}-shares", list(bars), color, chart.width, titles)
        datasets = {**drawn.datasets, f"{chart.id}-shares": shares_rows}
        return finished_spec(alt.vconcat(*panels, shares), chart, datasets, interactive)

    files = (
        _totals_csv(chart.id, result),
        _over_time_csv(chart.id, result),
        *(text_file(f"{chart.id}-{part}.csv", text) for part, text in result.csvs),
    )
    note = f"{data.instants:,} instants where a class changes" + (
        f", drawn as {data.drawn:,} (the extremes of the nodes in use kept)."
        if data.reduced
        else ", all drawn."
    )
    items = _described(result, view)
    described = Figure(
        figure(True),
        figure(False),
        _description(chart.title, result, items, view.axis),
        steps_summary(items, view.axis, "Nodes in each class over time"),
    )
    return Section(described, files, note, result.warnings, result.tables)


def _described(result: LedgerResult, view: View) -> list[Described]:
    """Each run's nodes available and in each class over time."""
    items = []
    for run, book in zip(result.runs, result.ledgers, strict=True):
        window = (book.start, book.as_of)
        items.append(Described("available", book.available, "nodes", window, run))
        items += [Described(s.name, s, "nodes", window, run) for s in book.over_time]
    return items


def _description(title: str, result: LedgerResult, items: list[Described], axis: TimeAxis) -> str:
    """`Node-hours: 1,604.5 available, 1,100.2 useful (68.6%), 120.4 lost (failed, timed
    out or lost); peak 200 nodes available at 0 min.`, per run when there are several."""
    several = len(result.runs) > 1
    parts = []
    for run, book in zip(result.runs, result.ledgers, strict=True):
        available = book.node_hours("available")
        useful = book.node_hours("useful")
        lost = sum(book.node_hours(c) for c in ("failed", "timed_out", "lost"))
        share = f" ({useful / available:.1%})" if available else ""
        held = next(i for i in items if i.run == run and i.label == "available")
        stats = step_stats(held.series, *held.window)
        parts.append(
            (f"{run}: " if several else "")
            + f"{number(available)} node-hours available, {number(useful)} useful{share}, "
            f"{number(lost)} lost (failed, timed out or lost); peak {number(stats.peak)} "
            f"nodes available at {moment(stats.peak_at, axis, book.start)}"
        )
    return f"{title}: " + "; ".join(parts) + "."


def _shares(result: LedgerResult) -> dict[str, list[tuple[str, float, str]]]:
    """Per run, each stacked class: its label, node-hours, and node-hours as printed."""
    return {
        run or "all": [
            (LABELS[c], book.node_hours(c), book.printed(c) + " node-hours") for c in STACKED
        ]
        for run, book in zip(result.runs, result.ledgers, strict=True)
    }


def _share_title(result: LedgerResult) -> str:
    """The bar's axis: what 100% is (the classes add up to more than what was available
    when jobs ran beyond it)."""
    if any(book.node_seconds["over_capacity"] > 0 for book in result.ledgers):
        return "Share of node-hours (available + over capacity)"
    return "Share of node-hours"


def _stack(chart_id: str, index: int, book: Ledger, title: str) -> AreaStack:
    series = {s.name: s for s in book.over_time}
    layers = tuple(StepLayer(series[c], "", LABELS[c], COLORS[c], 0.0) for c in STACKED)
    line = StepLayer(
        replace(book.available, name="available"),
        f"{chart_id}-{index}-available",
        "available (held by batch jobs)",
        AVAILABLE_COLOR,
        1.5,
    )
    dataset = f"{chart_id}-{index}-classes"
    window = (book.start, book.as_of)
    # the line draws the top exactly; keep the extremes of what ran (the busy edge)
    return AreaStack(layers, dataset, title, window, line, STACKED.index("running"))


def totals_csv(result: LedgerResult) -> str:
    """`category,node_hours`: the nine categories in order (led by the run, if several)."""
    several = len(result.runs) > 1
    lines = [("run," if several else "") + "category,node_hours"]
    for run, book in zip(result.runs, result.ledgers, strict=True):
        lead = f"{csv_field(run)}," if several else ""
        lines += [f"{lead}{c},{book.printed(c)}" for c in CATEGORIES]
    return "\n".join(lines) + "\n"


def _totals_csv(chart_id: str, result: LedgerResult) -> DataFile:
    return text_file(f"{chart_id}.csv", totals_csv(result))


def _over_time_csv(chart_id: str, result: LedgerResult) -> DataFile:
    """Nodes in each class at each change: class by class, each by time."""
    series = [s for book in result.ledgers for s in book.over_time]
    per_run = [
        run for run, book in zip(result.runs, result.ledgers, strict=True) for _ in book.over_time
    ]
    runs = per_run if len(result.runs) > 1 else None
    return DataFile(
        f"{chart_id}-over-time.csv",
        series_hash(series, runs, by_series=True),
        partial(write_series_csv, series=series, runs=runs, by_series=True),
    )


KIND = Kind(
    name="node_hours",
    title="Node-hour ledger",
    doc="Where the nodes batch jobs held went: work by outcome, idle by cause, over capacity.",
    options=OPTIONS,
    make_options=Options,
    needs=needs,
    compute=compute,
    present=present,
    guide=(
        "The line is the nodes the batch jobs held; under it, the nodes in use are stacked by "
        "how their run ended (green finished, warm failed, timed out or otherwise lost, blue "
        "still running), then the idle nodes, dark grey while jobs were waiting to run and "
        "light grey when there was nothing to run. The bar below splits the window's "
        "node-hours the same way; the table gives them exactly."
    ),
)
