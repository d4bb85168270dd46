"""`utilization`: the nodes (or jobs) running at each instant, from each job's RUNNING
intervals, optionally drawn over the nodes its allocations held."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from reportgen.analytics.ratio import ratio_series
from reportgen.analytics.steps import StepSeries
from reportgen.charts.layers import StepLayer
from reportgen.charts.palette import BLUE, grey
from reportgen.kinds.base import Kind, Section, View
from reportgen.kinds.describe import Described, number, peak_text, step_stats
from reportgen.kinds.estimated_starts import estimated_csv, estimated_rows, estimated_warnings
from reportgen.kinds.present import run_layers, steps_section
from reportgen.kinds.results import Rows, Steps
from reportgen.kinds.run import Run
from reportgen.kinds.shared import (
    held_nodes,
    running,
    running_warnings,
    uncounted_rows,
    uncounted_warnings,
)
from reportgen.source.data import Needs
from reportgen.spec.containers import Key
from reportgen.spec.context import Context
from reportgen.spec.scalars import Boolean
from reportgen.spec.schema import BATCH_JOB_REF, EVENT_REF

USED, HELD = "utilization", "available_nodes"
"""The series' names, as CSVs write them."""
USED_COLOR = BLUE
HELD_COLOR = grey(0.63)
HELD_STROKE = 6.0
"""Available nodes is a wide light band behind utilization, so both stay legible."""
RUN_STYLES = {USED: ("Utilization", 2.0), HELD: ("Available nodes", HELD_STROKE)}


@dataclass(frozen=True)
class Options:
    events: str
    node_weighting: bool = True
    available_nodes: str | None = None
    normalize: bool = False


OPTIONS = {
    "events": Key(EVENT_REF, "The event query whose RUNNING intervals are summed."),
    "node_weighting": Key(
        Boolean(), "Weight each running job by `data.num_nodes` (else count jobs).", True
    ),
    "available_nodes": Key(
        BATCH_JOB_REF, "A batch-job query drawn as available nodes behind it.", None, "none"
    ),
    "normalize": Key(
        Boolean(),
        "Draw utilization as a fraction of `available_nodes` at each instant (0 where none "
        "is available) instead of both.",
        False,
    ),
}


def check_options(chart: dict[str, Any], path: str, ctx: Context) -> None:
    """`normalize` divides by the available nodes: it needs `available_nodes`."""
    if chart.get("normalize") is True and chart.get("available_nodes") is None:
        ctx.problem(
            chart["__node__normalize"],
            f"{path}.normalize",
            "needs available_nodes (the batch-job query it divides by)",
        )


def needs(options: Options) -> Needs:
    held = () if options.available_nodes is None else (options.available_nodes,)
    return Needs(events=(options.events,), batch_jobs=held, job_records=True)


def compute(runs: Sequence[Run], options: Options) -> Steps:
    """Per run: available nodes (if asked for), then the running nodes or jobs."""
    series, names, warnings = [], [], []
    tables: list[Rows] = []
    for run in runs:
        used, notes = running(run, options.events, options.node_weighting)
        used = replace(used, name=USED)
        notes_text = running_warnings(notes)
        if options.available_nodes is not None:
            nodes, uncounted = held_nodes(run, options.available_nodes)
            if options.normalize:
                used = ratio_series(USED, used, nodes)
            else:
                series.append(replace(nodes, name=HELD))
                names.append(run.name)
            notes_text += uncounted_warnings(uncounted)
            notes_text += estimated_warnings(run, options.available_nodes)
            tables += uncounted_rows(uncounted, run, options.available_nodes)
            tables += estimated_rows(run, options.available_nodes)
        series.append(used)
        names.append(run.name)
        prefix = f"{run.name}: " if len(runs) > 1 else ""
        warnings += [prefix + w for w in notes_text]
    held = options.available_nodes
    csvs = () if held is None else estimated_csv(runs, held)
    return Steps(tuple(series), tuple(names), tuple(warnings), tuple(tables), csvs)


def present(result: Steps, view: View) -> Section:
    options = view.chart.options
    title = "Nodes in use" if options.node_weighting else "Running jobs"
    unit = "nodes" if options.node_weighting else "jobs"
    if options.normalize:
        title, unit = "Fraction of available nodes in use", "of available nodes"
    if len(set(result.runs)) > 1:
        return steps_section(view, result, run_layers(view, result, RUN_STYLES), title, unit)
    chart_id, used = view.chart.id, result.series[-1]
    if len(result.series) == 1:
        layers = [StepLayer(used, f"{chart_id}-utilization", "Utilization", USED_COLOR, 2.0)]
    else:
        held = StepLayer(
            result.series[0],
            f"{chart_id}-available_nodes",
            "Available nodes",
            HELD_COLOR,
            HELD_STROKE,
        )
        layers = [held, StepLayer(used, f"{chart_id}-utilization", "Utilization", USED_COLOR, 1.5)]
        return steps_section(
            view, result, layers, title, unit, _described(view, used, held.series, unit)
        )
    return steps_section(view, result, layers, title, unit)


def _described(view: View, used: StepSeries, held: StepSeries, unit: str) -> str:
    """`Utilization: peak 363 nodes at 481 min, mean 110.9 of 160.4 available.`"""
    window = view.windows[0]
    stats = step_stats(used, window.start, window.as_of)
    peak = peak_text(Described("", used, unit, (window.start, window.as_of)), stats, view.axis)
    available = step_stats(held, window.start, window.as_of).mean
    return f"{view.chart.title}: {peak} of {number(available)} available."


KIND = Kind(
    name=USED,
    title="Utilization",
    doc="The nodes (or jobs) running at each instant.",
    options=OPTIONS,
    make_options=Options,
    needs=needs,
    compute=compute,
    present=present,
    check_options=check_options,
)
