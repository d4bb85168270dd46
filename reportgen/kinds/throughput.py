"""`throughput`: how many events entered a state by each instant (Balsam counts events, so a
job finishing twice counts twice); over runs, optionally each run's ideal line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from reportgen.analytics.durations import stage_samples
from reportgen.analytics.throughput import throughput
from reportgen.charts.layers import StepLayer
from reportgen.charts.palette import GREEN, RUN_COLORS
from reportgen.kinds.base import Kind, Section, View
from reportgen.kinds.present import run_layers, steps_section
from reportgen.kinds.results import Steps
from reportgen.kinds.run import Run
from reportgen.kinds.shared import chained, run_steady_state
from reportgen.source.data import Needs
from reportgen.spec.containers import Key
from reportgen.spec.context import Context
from reportgen.spec.scalars import Boolean, Choice
from reportgen.spec.schema import BATCH_JOB_REF, EVENT_REF
from reportgen.states import JOB_STATES

COLOR = GREEN


@dataclass(frozen=True)
class Options:
    events: str
    to_state: str = "JOB_FINISHED"
    ideal: bool = False
    available_nodes: str | None = None
    steady_state: tuple[str, str] = ("0", "1")
    """The report's `steady_state` fractions (the ideal line's nodes), as written."""


OPTIONS = {
    "events": Key(EVENT_REF, "The event query whose events are counted."),
    "to_state": Key(Choice(JOB_STATES), "The state counted.", "JOB_FINISHED"),
    "ideal": Key(
        Boolean(),
        "Draw each run's ideal line, nodes / mean run seconds x t since the run's start "
        "(nodes: its mean available nodes over its steady state; mean run seconds: its mean "
        "RUNNING -> RUN_DONE time), dotted in the run's colour; drawn, not written.",
        False,
    ),
    "available_nodes": Key(
        BATCH_JOB_REF, "The batch-job query whose nodes the ideal line uses.", None, "none"
    ),
}


@dataclass(frozen=True)
class Ideal:
    """A run's ideal line: `slope` events per microsecond from its start (None: undefined)."""

    run: str
    slope: Fraction | None


@dataclass(frozen=True)
class Throughput:
    steps: Steps
    ideals: tuple[Ideal, ...] = ()


def check_options(chart: dict[str, Any], path: str, ctx: Context) -> None:
    """`ideal` needs the nodes available: `available_nodes`."""
    if chart.get("ideal") is True and chart.get("available_nodes") is None:
        ctx.problem(
            chart["__node__ideal"],
            f"{path}.ideal",
            "needs available_nodes (the batch-job query whose nodes the ideal line uses)",
        )


def needs(options: Options) -> Needs:
    held = () if options.available_nodes is None else (options.available_nodes,)
    return Needs(events=(options.events,), batch_jobs=held)


def compute(runs: Sequence[Run], options: Options) -> Throughput:
    """Per run, the count at t of the events into `to_state` at or before t (and as-of)."""
    steps = Steps(
        tuple(
            throughput(run.events(options.events), options.to_state, run.as_of, KIND.name)
            for run in runs
        ),
        tuple(run.name for run in runs),
    )
    if not options.ideal or options.available_nodes is None:
        return Throughput(steps)
    return Throughput(steps, tuple(_ideal(run, options, options.available_nodes) for run in runs))


def _ideal(run: Run, options: Options, batch_jobs: str) -> Ideal:
    table = run.events(options.events)
    steady = run_steady_state(
        run, options.events, options.to_state, batch_jobs, options.steady_state
    )
    events = chained(run, options.events)
    names = events.state_names
    codes = [names.index(s) if s in names else -1 for s in ("RUNNING", "RUN_DONE")]
    from_state = table.from_state[events.positions]
    samples = stage_samples(events.job_id, events.timestamp, from_state, events.to_state, *codes)
    if not steady.exists or not steady.mean_nodes or len(samples) == 0:
        return Ideal(run.name, None)
    mean_run = Fraction(int(samples.micros.sum()), len(samples))
    return Ideal(run.name, steady.mean_nodes / mean_run if mean_run else None)


def present(result: Throughput, view: View) -> Section:
    steps = result.steps
    if len(steps.series) == 1:
        layers = [
            StepLayer(steps.series[0], f"{view.chart.id}-throughput", "Throughput", COLOR, 2.0)
        ]
    else:
        layers = run_layers(view, steps, {KIND.name: ("Throughput", 2.0)})
    to_state = view.chart.options.to_state
    section = steps_section(
        view, steps, layers, f"Events into {to_state}", f"events into {to_state}"
    )
    if not result.ideals or section.figure is None:
        return section
    from reportgen.charts.scaling import IdealLine, with_ideal_lines  # Altair: when drawing

    order = dict.fromkeys(steps.runs)
    colors = {run: RUN_COLORS[i % len(RUN_COLORS)] for i, run in enumerate(order)}  # as drawn
    windows = {w.name: w for w in view.windows}
    lines = [
        IdealLine(
            f"{ideal.run} ideal",
            colors[ideal.run],
            windows[ideal.run].start,
            windows[ideal.run].as_of,
            float(ideal.slope * (windows[ideal.run].as_of - windows[ideal.run].start)),
        )
        for ideal in result.ideals
        if ideal.slope is not None
    ]
    figure = section.figure
    dashes = {layer.label: layer.dash for layer in layers}
    drawn = type(figure)(
        with_ideal_lines(figure.page, lines, view.axis, view.chart.id, dashes),
        with_ideal_lines(figure.image, lines, view.axis, view.chart.id, dashes),
        figure.description,
        figure.summary,
    )
    missing = [i.run for i in result.ideals if i.slope is None]
    note = section.note + (
        f" No ideal line for {', '.join(missing)} (no steady state, no nodes or no "
        "RUNNING -> RUN_DONE sample)." if missing else ""
    )  # fmt: skip
    return Section(drawn, section.files, note, section.warnings, section.tables, section.grid)


KIND = Kind(
    name="throughput",
    title="Throughput",
    doc="The number of events into a state by each instant.",
    options=OPTIONS,
    make_options=Options,
    needs=needs,
    compute=compute,
    present=present,
    check_options=check_options,
    report_keys=("steady_state",),
)
