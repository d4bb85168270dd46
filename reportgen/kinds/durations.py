"""`durations`: stage latencies, how long jobs took from entering one state to entering
another (Stage in, Run delay, Run, Stage out, Restart wait), one sample per attempt."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from reportgen.analytics.durations import StageSamples, Summary, stage_samples, summary
from reportgen.analytics.exact import six_decimals
from reportgen.charts.palette import RUN_COLORS, RUN_DASHES
from reportgen.kinds.base import DataFile, Figure, Kind, Section, View
from reportgen.kinds.present import page_chart, text_file
from reportgen.kinds.results import Column, Rows
from reportgen.kinds.run import Run
from reportgen.kinds.samples_csv import SampleGroup, samples_hash, write_samples_csv
from reportgen.kinds.shared import chained
from reportgen.site.csvfile import csv_field
from reportgen.source.data import Needs
from reportgen.spec.containers import Key
from reportgen.spec.context import Context
from reportgen.spec.domain import Stages
from reportgen.spec.scalars import Text
from reportgen.spec.schema import EVENT_REF
from reportgen.states import JOB_STATES
from reportgen.times import duration_text

if TYPE_CHECKING:
    from reportgen.charts.ecdf import Curve

DASHES = RUN_DASHES
"""Line dashes telling runs apart (colours tell the stages apart)."""

DEFAULT_STAGES = (
    ("Stage in", "READY", "STAGED_IN"),
    ("Run delay", "STAGED_IN", "RUNNING"),
    ("Run", "RUNNING", "RUN_DONE"),
    ("Stage out", "RUN_DONE", "JOB_FINISHED"),
    ("Restart wait", "RESTART_READY", "RUNNING"),
)


@dataclass(frozen=True)
class Options:
    events: str
    stages: tuple[tuple[str, str, str], ...] = DEFAULT_STAGES
    """(name, from, to) per stage, in the order the CSVs and the chart list them."""
    stage: str | None = None
    """The one stage timed and drawn (None: every stage)."""

    def timed(self) -> tuple[tuple[str, str, str], ...]:
        """The stages timed: `stage` alone where it is given."""
        if self.stage is None:
            return self.stages
        return tuple(s for s in self.stages if s[0] == self.stage)


OPTIONS = {
    "events": Key(EVENT_REF, "The event query whose jobs' stages are timed."),
    "stages": Key(
        Stages(JOB_STATES),
        "The stages timed, in order: each `{name, from, to}` takes a sample from each event "
        "entering `from` to its job's next event entering `to` (none if the job enters `from` "
        "again first, or nothing by the as-of time).",
        DEFAULT_STAGES,
        ", ".join(f"`{name}` {start} -> {end}" for name, start, end in DEFAULT_STAGES),
    ),
    "stage": Key(
        Text("a stage name"),
        "Time and draw only this stage (a name among `stages`): over several runs, one curve "
        "per run in the runs' colours and dashes, the runs compared (the CSVs have only it).",
        None,
        "every stage; over several runs, each run's stages dashed alike",
    ),
}


def check_options(chart: dict[str, Any], path: str, ctx: Context) -> None:
    """`stage` names one of the chart's stages."""
    stage, stages = chart.get("stage"), chart.get("stages")
    if not isinstance(stage, str) or not isinstance(stages, tuple):
        return
    names = [name for name, _, _ in stages]
    if stage not in names:
        ctx.error(chart["__node__stage"], f"{path}.stage", f"one of {', '.join(names)}", stage)


@dataclass(frozen=True)
class Stage:
    """One stage of one run: its samples and their statistics."""

    name: str
    from_state: str
    to_state: str
    samples: StageSamples
    summary: Summary


@dataclass(frozen=True)
class Durations:
    """Each run's stages, in the order given; `runs` names the run of each."""

    runs: tuple[str, ...]
    stages: tuple[tuple[Stage, ...], ...]


def needs(options: Options) -> Needs:
    return Needs(events=(options.events,))


def compute(runs: Sequence[Run], options: Options) -> Durations:
    return Durations(
        tuple(run.name for run in runs),
        tuple(run_stages(run, options) for run in runs),
    )


def run_stages(run: Run, options: Options) -> tuple[Stage, ...]:
    """Every stage's samples over one run's events at or before its as-of time."""
    events = chained(run, options.events)
    from_state = run.events(options.events).from_state[events.positions]
    stages = []
    for name, start, end in options.timed():
        codes = [_code(events.state_names, state) for state in (start, end)]
        samples = stage_samples(
            events.job_id, events.timestamp, from_state, events.to_state, *codes
        )
        stages.append(Stage(name, start, end, samples, summary(samples)))
    return tuple(stages)


def _code(names: tuple[str, ...], state: str) -> int:
    return names.index(state) if state in names else -1


def present(result: Durations, view: View) -> Section:
    """The ECDF chart, the summary table and both CSVs; warnings for what has no sample."""
    from reportgen.charts.ecdf import ecdf_data, ecdf_spec  # Altair: only when drawing

    several = len(result.runs) > 1
    named = [
        (run if several else None, stage)
        for run, stages in zip(result.runs, result.stages, strict=True)
        for stage in stages
    ]
    chart = view.chart
    files = (_samples_file(chart.id, named), _summary_file(chart.id, named))
    curves = _curves(result)
    figure = None
    note = "No stage has a sample: nothing to draw."
    if curves:
        data = ecdf_data(chart, curves)
        shown = ecdf_data(page_chart(chart), curves)
        figure = Figure(
            ecdf_spec(chart, shown, True, _curve_is(result)),
            ecdf_spec(chart, data, False),
            _description(chart.title, named),
            _summary(named),
        )
        note = _note(named, shown.steps, shown.drawn)
    warnings = tuple(w for run, stage in named for w in _warnings(run, stage))
    return Section(figure, files, note, warnings, (_table(named),))


def _by_run(result: Durations) -> bool:
    """Several runs of one stage each: the curves are the runs."""
    return len(result.runs) > 1 and all(len(stages) == 1 for stages in result.stages)


def _curve_is(result: Durations) -> str:
    """What a curve stands for, as its tooltip names it."""
    return "Run" if _by_run(result) else "Run: stage" if len(result.runs) > 1 else "Stage"


def _curves(result: Durations) -> tuple[Curve, ...]:
    """One curve per stage with a sample, coloured by the stage's place in the list (so a
    stage keeps its colour when another has none), dashed by run when there are several;
    runs of one stage each are the runs compared: a colour and a dash per run, named by it."""
    from reportgen.charts.ecdf import Curve

    several = len(result.runs) > 1
    by_run = _by_run(result)
    return tuple(
        Curve(
            run if by_run else f"{run}: {stage.name}" if several else stage.name,
            RUN_COLORS[(r if by_run else i) % len(RUN_COLORS)],
            stage.samples.micros,
            DASHES[r % len(DASHES)] if several else (),
        )
        for r, (run, stages) in enumerate(zip(result.runs, result.stages, strict=True))
        for i, stage in enumerate(stages)
        if len(stage.samples)
    )


KIND = Kind(
    name="durations",
    title="Stage latencies",
    doc="How long jobs took from entering one state to entering another, per stage.",
    options=OPTIONS,
    make_options=Options,
    needs=needs,
    compute=compute,
    present=present,
    check_options=check_options,
    guide=(
        "Each curve is one stage: for a duration on the horizontal (log) axis, its height is "
        "the fraction of that stage's samples that took at most that long, so a curve further "
        "right is slower and a long flat tail means a few slow jobs. Each attempt is its own "
        "sample (a restarted job has one Run sample per attempt); the table gives each "
        "stage's quantiles."
    ),
)


def _description(title: str, named: list[tuple[str | None, Stage]]) -> str:
    """`Stage latencies: Run median 4.1 min, longest 12.3 min (120 samples); ...`: each
    stage with samples, its median and its maximum (the peak)."""
    parts = [
        f"{_label(run, stage)} median {median}, longest {longest} "
        f"({_count(stage.summary.count, 'sample')})"
        for run, stage in named
        for median, longest in [_typical(stage.summary)]
        if stage.summary.count
    ]
    return f"{title}: " + "; ".join(parts) + "."


def _summary(named: list[tuple[str | None, Stage]]) -> Rows:
    """Per stage: its samples, median and longest."""
    columns = (
        Column("stage"),
        Column("samples", numeric=True),
        Column("median", numeric=True),
        Column("longest", numeric=True),
    )
    rows = tuple(
        (
            _label(run, stage),
            f"{stage.summary.count:,}",
            *_typical(stage.summary),
        )
        for run, stage in named
    )
    return Rows("Each stage's median and longest", columns, rows, "rows summary")


def _typical(summary: Summary) -> tuple[str, str]:
    """The median and the longest, for reading (dashes without a sample)."""
    if summary.maximum is None or not summary.quantiles:
        return "—", "—"
    return duration_text(summary.quantiles[0]), duration_text(summary.maximum)


def _warnings(run: str | None, stage: Stage) -> list[str]:
    """What the stage could not count: entries without a sample, or no entry at all."""
    prefix = f"{run}: " if run is not None else ""
    name, start, end = stage.name, stage.from_state, stage.to_state
    entries, incomplete = stage.samples.entries, stage.samples.incomplete
    if entries == 0:
        return [f"{prefix}{name}: no event entered {start} by the as-of time, so no sample."]
    if incomplete == 0:
        return []
    ending = " The stage has no sample." if incomplete == entries else ""
    return [
        f"{prefix}{name}: {incomplete:,} of the {entries:,} entries into {start} are incomplete "
        f"(the job entered {start} again first, or had not entered {end} by the as-of time), "
        f"so they have no sample.{ending}"
    ]


def _note(named: list[tuple[str | None, Stage]], steps: int, drawn: int) -> str:
    """How many samples and steps are drawn, and the 0-second samples a log axis cannot show."""
    total = sum(len(stage.samples) for _, stage in named)
    drawing = (
        "all drawn" if drawn >= steps else f"drawn as {drawn:,}, each pixel column's extremes kept"
    )
    note = f"{_count(total, 'sample')} ({steps:,} distinct durations above 0 s, {drawing})."
    zeros = [(_label(run, s), int(np.count_nonzero(s.samples.micros == 0))) for run, s in named]
    zeros = [(label, count) for label, count in zeros if count]
    if zeros:
        listed = ", ".join(f"{label} {count:,}" for label, count in zeros)
        took = _count(sum(c for _, c in zeros), "sample")
        note += (
            f" {took} took 0 s (both events at one instant: {listed}). A log axis has no 0: "
            "each curve starts at the left edge at the share of its samples that took 0 s."
        )
    return note


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}" + ("" if number == 1 else "s")


def _label(run: str | None, stage: Stage) -> str:
    return stage.name if run is None else f"{run}: {stage.name}"


def _table(named: list[tuple[str | None, Stage]]) -> Rows:
    """The summary, in readable units (the summary CSV has the exact seconds)."""
    several = named[0][0] is not None if named else False
    columns = (
        *((Column("run"),) if several else ()),
        Column("stage"),
        Column("samples", numeric=True),
        Column("incomplete", numeric=True),
        *(Column(name, numeric=True) for name in STATISTICS),
    )
    rows = tuple(
        (
            *((str(run),) if several else ()),
            stage.name,
            f"{stage.summary.count:,}",
            f"{stage.summary.incomplete:,}",
            *(("—" if m is None else duration_text(m)) for m in _statistics(stage.summary)),
        )
        for run, stage in named
    )
    return Rows("Each stage (exact seconds in the summary CSV)", columns, rows, "rows durations")


STATISTICS = ("min", "p50", "p90", "p99", "max", "mean")


def _statistics(summary: Summary) -> list[int | None]:
    """min, p50, p90, p99, max, mean in microseconds (None without a sample)."""
    if summary.count == 0:
        return [None] * len(STATISTICS)
    return [summary.minimum, *summary.quantiles, summary.maximum, summary.mean]


def summary_csv(named: list[tuple[str | None, Stage]]) -> str:
    """`stage,count,incomplete,min,p50,p90,p99,max,mean`: seconds with exactly 6 decimals,
    empty statistics for a stage without a sample; a leading `run` column for several runs."""
    several = named[0][0] is not None if named else False
    header = ",".join(("stage", "count", "incomplete", *STATISTICS))
    lines = [("run," if several else "") + header]
    for run, stage in named:
        cells = [stage.name, str(stage.summary.count), str(stage.summary.incomplete)]
        cells += ["" if m is None else _seconds(m) for m in _statistics(stage.summary)]
        lead = [str(run)] if several else []
        lines.append(",".join(csv_field(cell) for cell in lead + cells))
    return "\n".join(lines) + "\n"


def _seconds(micros: int) -> str:
    return six_decimals(Fraction(micros, 1_000_000))


def _summary_file(chart_id: str, named: list[tuple[str | None, Stage]]) -> DataFile:
    return text_file(f"{chart_id}-summary.csv", summary_csv(named))


def _samples_file(chart_id: str, named: list[tuple[str | None, Stage]]) -> DataFile:
    groups = [SampleGroup(stage.name, stage.samples, run) for run, stage in named]
    return DataFile(
        f"{chart_id}.csv", samples_hash(groups), partial(write_samples_csv, groups=groups)
    )
