"""`states`: how many of a query's jobs are in each state over time, as stacked step areas
(one colour per state, the same in every chart of the site)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from reportgen.analytics.steps import StepSeries
from reportgen.charts.layers import AreaStack, StepLayer, state_colors
from reportgen.kinds.base import DataFile, Figure, Kind, Section, View
from reportgen.kinds.describe import Described, moment, number, step_stats, steps_summary
from reportgen.kinds.present import page_chart
from reportgen.kinds.results import Steps
from reportgen.kinds.run import Run
from reportgen.kinds.shared import state_series
from reportgen.site.csvfile import series_hash, write_series_csv
from reportgen.source.data import Needs
from reportgen.spec.containers import DistinctChoices, Key
from reportgen.spec.model import TimeAxis
from reportgen.spec.schema import EVENT_REF
from reportgen.states import JOB_STATES, in_balsam_order

if TYPE_CHECKING:
    from reportgen.charts.areas import AreaData

HIDDEN = ("JOB_FINISHED", "FAILED")
"""Not drawn unless asked for: they only grow, and would dwarf the states jobs move through."""


@dataclass(frozen=True)
class Options:
    events: str
    states: tuple[str, ...] | None = None


OPTIONS = {
    "events": Key(EVENT_REF, "The event query whose jobs are counted."),
    "states": Key(
        DistinctChoices(JOB_STATES, "job states"),
        "The states drawn, stacked in Balsam's state order (the CSV has every state).",
        None,
        "every state seen but JOB_FINISHED and FAILED",
    ),
}


def needs(options: Options) -> Needs:
    return Needs(events=(options.events,))


def compute(runs: Sequence[Run], options: Options) -> Steps:
    """Per run, a series per state some job is in at some time, in Balsam's state order
    (states Balsam does not define last, by name, and warned of)."""
    series: list[StepSeries] = []
    names: list[str] = []
    warnings: list[str] = []
    for run in runs:
        counts = {s.name: s for s in state_series(run, options.events) if len(s)}
        ordered = in_balsam_order(counts)
        series += [counts[name] for name in ordered]
        names += [run.name] * len(ordered)
        prefix = f"{run.name}: " if len(runs) > 1 else ""
        unknown = [name for name in ordered if name not in JOB_STATES]
        if unknown:
            warnings.append(
                f"{prefix}{len(unknown)} state(s) Balsam does not define, listed last: "
                + ", ".join(unknown)
            )
        missing = [s for s in options.states or () if s not in counts]
        if missing:
            warnings.append(
                f"{prefix}no job is ever in {', '.join(missing)}: not drawn (nothing to stack)"
            )
    return Steps(tuple(series), tuple(names), tuple(warnings))


def drawn_states(result: Steps, options: Options) -> list[str]:
    """The states drawn: those asked for, else every one seen but JOB_FINISHED and FAILED."""
    seen = in_balsam_order(s.name for s in result.series)
    if options.states is None:
        return [name for name in seen if name not in HIDDEN]
    return [name for name in in_balsam_order(options.states) if name in seen]


def present(result: Steps, view: View) -> Section:
    from reportgen.charts.areas import area_data, areas_spec  # Altair: only when drawing

    chart = view.chart
    drawn = drawn_states(result, chart.options)
    colors = dict(zip(drawn, state_colors(drawn), strict=True))
    windows = {w.name: (w.start, w.as_of) for w in view.windows}
    runs = list(dict.fromkeys(result.runs))
    stacks = [
        AreaStack(
            tuple(
                StepLayer(s, "", s.name, colors[s.name], 0.0)
                for s, r in zip(result.series, result.runs, strict=True)
                if r == run and s.name in colors
            ),
            f"{chart.id}-{index}-states",
            run if len(runs) > 1 else "",
            windows.get(run),
        )
        for index, run in enumerate(runs or [""])
    ]
    start = min(w.start for w in view.windows)
    as_of = max(w.as_of for w in view.windows)
    data = area_data(chart, stacks, view.axis, start, as_of)
    shown = area_data(page_chart(chart), stacks, view.axis, start, as_of, True)
    tooltip = ("State", "Jobs")
    items = [
        Described(s.name, s, "jobs", windows.get(r, (start, as_of)), r)
        for s, r in zip(result.series, result.runs, strict=True)
    ]
    figure = Figure(
        page=areas_spec(chart, shown, view.axis, "Jobs", True, tooltip),
        image=areas_spec(chart, data, view.axis, "Jobs", False, tooltip),
        description=_description(chart.title, items, set(drawn), view.axis),
        summary=steps_summary(items, view.axis, "Jobs in each state"),
    )
    note = _note(result, drawn, shown)
    return Section(figure, (_csv(chart.id, result),), note, result.warnings)


def _description(title: str, items: list[Described], drawn: set[str], axis: TimeAxis) -> str:
    """`Jobs per state: peak 120 jobs in RUNNING at 30 min; at the as-of time 200 in
    JOB_FINISHED, 3 in FAILED.`: the highest peak of a state drawn, and every state's count
    at the end, per run when there are several."""
    runs = list(dict.fromkeys(item.run for item in items))
    parts = []
    for run in runs:
        mine = [(item, step_stats(item.series, *item.window)) for item in items if item.run == run]
        lead = f"{run}: " if len(runs) > 1 else ""
        peaks = [pair for pair in mine if pair[0].label in drawn]
        if not peaks:
            continue
        item, stats = max(peaks, key=lambda pair: pair[1].peak)  # the first of equal peaks
        at = moment(stats.peak_at, axis, item.window[0])
        text = f"{lead}peak {number(stats.peak)} jobs in {item.label} at {at}"
        last = [f"{number(st.last)} in {it.label}" for it, st in mine if st.last]
        if last:
            text += "; at the as-of time " + ", ".join(last)
        parts.append(text)
    return f"{title}: " + ("; ".join(parts) if parts else "no job") + "."


def _csv(chart_id: str, result: Steps) -> DataFile:
    """Every state's series (drawn or not), state by state, each by time."""
    series = list(result.series)
    runs = list(result.runs) if len(set(result.runs)) > 1 else None
    return DataFile(
        f"{chart_id}.csv",
        series_hash(series, runs, by_series=True),
        partial(write_series_csv, series=series, runs=runs, by_series=True),
    )


def _note(result: Steps, drawn: list[str], data: AreaData) -> str:
    changes = sum(len(s) for s in result.series)
    states = len({s.name for s in result.series})
    text = f"{changes:,} changes of {states} state(s); {len(drawn)} drawn"
    if data.reduced:
        return text + f", their {data.instants:,} instants as {data.drawn:,}, extremes kept."
    return text + f", at {data.instants:,} instants, all drawn."


KIND = Kind(
    name="states",
    title="Jobs per state",
    doc="How many of a query's jobs are in each state at each instant.",
    options=OPTIONS,
    make_options=Options,
    needs=needs,
    compute=compute,
    present=present,
    guide=(
        "Each coloured band is the number of jobs in one state at that time; the bands are "
        "stacked, so the top edge is how many of the drawn states' jobs there are. A job "
        "counts from its first event; finished and failed jobs are left out unless asked for, "
        "so the stack shrinks as jobs complete."
    ),
)
