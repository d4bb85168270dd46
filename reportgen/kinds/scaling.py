"""`scaling`: runs compared at their steady state. Per run its nodes, completions, makespan,
steady rate (per minute and per node-minute), efficiency (the ledger's useful over available
node-hours), and its speedup and per-node delta against the baseline run."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from reportgen.analytics.exact import six_decimals
from reportgen.analytics.steady import MINUTE, SteadyState
from reportgen.kinds.base import Figure, Kind, Section, View
from reportgen.kinds.present import text_file
from reportgen.kinds.results import Column, Rows
from reportgen.kinds.run import Run
from reportgen.kinds.shared import ledger, run_steady_state
from reportgen.site.csvfile import csv_field
from reportgen.source.data import Needs
from reportgen.spec.containers import Key
from reportgen.spec.scalars import Choice
from reportgen.spec.schema import BATCH_JOB_REF, EVENT_REF
from reportgen.states import JOB_STATES

DIGITS = 12
"""Significant digits of the rates and ratios printed."""
COLUMNS = (
    "run",
    "nodes",
    "jobs_finished",
    "makespan_minutes",
    "steady_jobs_per_minute",
    "steady_jobs_per_node_minute",
    "efficiency",
    "speedup",
    "delta_vs_baseline",
)


@dataclass(frozen=True)
class Options:
    events: str
    batch_jobs: str
    to_state: str = "JOB_FINISHED"
    steady_state: tuple[str, str] = ("0", "1")
    """The report's `steady_state` fractions, as the decimals written."""
    baseline: str | None = None


OPTIONS = {
    "events": Key(EVENT_REF, "The event query whose completions and RUNNING intervals count."),
    "batch_jobs": Key(BATCH_JOB_REF, "The batch-job query whose nodes are available."),
    "to_state": Key(Choice(JOB_STATES), "The state a completion enters.", "JOB_FINISHED"),
}


@dataclass(frozen=True)
class RunScaling:
    """One run's row, exact; None where a value is undefined (no steady state, no nodes)."""

    run: str
    steady: SteadyState
    makespan_minutes: Fraction
    efficiency: Fraction | None
    speedup: Fraction | None = None
    delta: Fraction | None = None


@dataclass(frozen=True)
class ScalingResult:
    rows: tuple[RunScaling, ...]
    baseline: str
    fractions: tuple[str, str]


def needs(options: Options) -> Needs:
    return Needs(events=(options.events,), batch_jobs=(options.batch_jobs,), job_records=True)


def compute(runs: Sequence[Run], options: Options) -> ScalingResult:
    rows = [_run_row(run, options) for run in runs]
    baseline = options.baseline or runs[0].name
    base = next(row for row in rows if row.run == baseline)
    rate, per_node = base.steady.jobs_per_minute, base.steady.jobs_per_node_minute
    compared = []
    for row in rows:
        mine, mine_per_node = row.steady.jobs_per_minute, row.steady.jobs_per_node_minute
        speedup = None if mine is None or not rate else mine / rate
        delta = None if mine_per_node is None or not per_node else mine_per_node / per_node - 1
        compared.append(dataclasses.replace(row, speedup=speedup, delta=delta))
    return ScalingResult(tuple(compared), baseline, options.steady_state)


def _run_row(run: Run, options: Options) -> RunScaling:
    table = run.events(options.events)
    steady = run_steady_state(
        run, options.events, options.to_state, options.batch_jobs, options.steady_state
    )
    seen = table.timestamp[table.timestamp <= run.as_of]
    first = int(seen.min()) if seen.size else run.as_of
    book = ledger(run, options.events, options.batch_jobs)
    available = book.node_seconds["available"]
    efficiency = book.node_seconds["useful"] / available if available else None
    return RunScaling(run.name, steady, Fraction(run.as_of - first, MINUTE), efficiency)


def significant(value: Fraction | None) -> str:
    """`value` correctly rounded to 12 significant digits, without an exponent ("" if None)."""
    if value is None:
        return ""
    with localcontext() as context:
        context.prec = DIGITS
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    text = format(exact, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def cells(row: RunScaling) -> tuple[str, ...]:
    """The CSV's values of a row (its columns: `COLUMNS`)."""
    steady = row.steady
    return (
        row.run,
        significant(steady.mean_nodes if steady.exists else None),
        str(steady.completions),
        six_decimals(row.makespan_minutes),
        significant(steady.jobs_per_minute),
        significant(steady.jobs_per_node_minute),
        significant(row.efficiency),
        significant(row.speedup),
        significant(row.delta),
    )


def scaling_csv(result: ScalingResult) -> str:
    lines = [",".join(COLUMNS)]
    lines += [",".join(csv_field(c) for c in cells(row)) for row in result.rows]
    return "\n".join(lines) + "\n"


def present(result: ScalingResult, view: View) -> Section:
    from reportgen.charts.scaling import ScalingPoint, scaling_spec  # Altair: only when drawing

    chart = view.chart
    base = next(row for row in result.rows if row.run == result.baseline)
    points = [
        ScalingPoint(
            row.run,
            float(row.steady.mean_nodes),
            float(per_node),
            None if row.efficiency is None else float(row.efficiency),
        )
        for row in result.rows
        if row.steady.mean_nodes and (per_node := row.steady.jobs_per_node_minute) is not None
    ]
    runs = [row.run for row in result.rows]
    ideal = base.steady.jobs_per_node_minute
    ideal_efficiency = base.efficiency
    figure = Figure(
        scaling_spec(chart, points, runs, _float(ideal), _float(ideal_efficiency), True),
        scaling_spec(chart, points, runs, _float(ideal), _float(ideal_efficiency), False),
        _description(chart.title, result),
    )
    left_out = len(result.rows) - len(points)
    note = f"{len(points)} of {len(result.rows)} runs drawn" + (
        f"; {left_out} without a steady state (or nodes) are in the table only." if left_out
        else "."
    )  # fmt: skip
    files = (text_file(f"{chart.id}.csv", scaling_csv(result)),)
    return Section(figure, files, note, (), (page_table(result),))


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _description(title: str, result: ScalingResult) -> str:
    """`Scaling: per node-minute, 64 is +3.1% against the baseline 32, 128 is -12.0%; ...`."""
    parts = []
    for row in result.rows:
        if row.run == result.baseline:
            continue
        if row.delta is None:
            parts.append(f"{row.run} has no steady rate per node")
        else:
            parts.append(f"{row.run} {float(row.delta):+.1%}")
    against = f"steady jobs per node-minute against the baseline {result.baseline}"
    return f"{title}: {against}: " + (", ".join(parts) or "no other run") + "."


TABLE_COLUMNS = (
    Column("run"),
    Column("nodes", numeric=True),
    Column("jobs finished", numeric=True),
    Column("makespan (min)", numeric=True),
    Column("steady jobs/min", numeric=True),
    Column("jobs/node-min", numeric=True),
    Column("efficiency", numeric=True),
    Column("speedup", numeric=True),
    Column("vs baseline", numeric=True),
    Column("steady state"),
)


def page_table(result: ScalingResult) -> Rows:
    """Each run's values, each with its change against the baseline's (up or down)."""
    base = next(row for row in result.rows if row.run == result.baseline)
    rows = []
    for row in result.rows:
        mine, theirs = _shown(row), _shown(base)
        is_base = row.run == result.baseline
        values = [
            _with_delta(text, value, other, is_base)
            for (text, value), (_, other) in zip(mine, theirs, strict=True)
        ]
        delta = "baseline" if is_base else _percent(row.delta)
        speedup = significant_short(row.speedup)
        name = f"{row.run} (baseline)" if is_base else row.run
        rows.append((name, *values, speedup, delta, _steady_text(row.steady)))
    lo, hi = result.fractions
    caption = f"Runs at their steady state ({lo} to {hi} of each run's completions)"
    return Rows(caption, TABLE_COLUMNS, tuple(rows), "scaling")


def _shown(row: RunScaling) -> list[tuple[str, Fraction | None]]:
    steady = row.steady
    nodes = steady.mean_nodes if steady.exists else None
    return [
        (significant_short(nodes), nodes),
        (f"{steady.completions:,}", Fraction(steady.completions)),
        (f"{float(row.makespan_minutes):,.1f}", row.makespan_minutes),
        (significant_short(steady.jobs_per_minute), steady.jobs_per_minute),
        (significant_short(steady.jobs_per_node_minute), steady.jobs_per_node_minute),
        ("" if row.efficiency is None else f"{float(row.efficiency):.1%}", row.efficiency),
    ]


def significant_short(value: Fraction | None) -> str:
    """Four significant digits for the page (the CSV has twelve)."""
    return "" if value is None else f"{float(value):,.4g}"


def _with_delta(text: str, value: Fraction | None, base: Fraction | None, is_base: bool) -> str:
    """`12.5 ▲ 3.1%`: the value and its relative change against the baseline's."""
    if is_base or value is None or not base:
        return text
    return f"{text} {_percent(value / base - 1)}"


def _percent(change: Fraction | None) -> str:
    if change is None:
        return ""
    if change == 0:
        return "= 0%"
    arrow = "▲" if change > 0 else "▼"
    return f"{arrow} {abs(float(change)):.1%}"


def _steady_text(steady: SteadyState) -> str:
    if not steady.exists:
        return f"none: {steady.reason}"
    return f"completions {steady.k1:,} to {steady.k2:,} of {steady.completions:,}"


KIND = Kind(
    name="scaling",
    title="Scaling",
    doc="Runs compared at their steady state: rate per node, efficiency, speedup, deltas.",
    options=OPTIONS,
    make_options=Options,
    needs=needs,
    compute=compute,
    present=present,
    guide=(
        "Each point is a run at the nodes it had in its steady state (a log2 axis): above, "
        "its jobs per node-minute; below, its efficiency (useful over available node-hours). "
        "The dashed lines are the baseline's values, which ideal scaling keeps flat. The "
        "table gives every value with its change against the baseline."
    ),
    report_keys=("steady_state", "baseline"),
)
