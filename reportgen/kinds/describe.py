"""A chart in words, from its data: its description (the Vega-Lite `description`, which the
browser reads out as the chart's label) and its summary table (the page's data alternative).

Numbers, as the README defines them: a series' peak is its largest value over its window and
"at" the first instant it holds it; its mean is its time-weighted mean over the window (its
run's start to its as-of time, 0 before its first change).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reportgen.analytics.steps import StepSeries, integrate
from reportgen.kinds.results import Column, Rows
from reportgen.spec.model import TimeAxis
from reportgen.times import prose_time, zone_time


@dataclass(frozen=True)
class StepStats:
    """A step series over a window: its peak, when it first holds it, its mean, its last value."""

    peak: float
    peak_at: int
    mean: float
    last: float
    changes: int


def step_stats(series: StepSeries, start: int, as_of: int) -> StepStats:
    """`series` over `start`..`as_of` (0 before its first change; a window without a change
    peaks at 0 at its start)."""
    inside = series.times <= as_of
    times, values = series.times[inside], series.values[inside]
    before = times <= start
    level = float(values[before][-1]) if before.any() else 0.0
    times, values = times[~before], values[~before]
    candidates = np.r_[level, values]
    moments = np.r_[start, times]
    best = int(np.argmax(candidates))  # the first of equal maxima: when it is first reached
    span = as_of - start
    mean = integrate(series, start, as_of) * 3.6e9 / span if span > 0 else float(candidates[-1])
    return StepStats(
        float(candidates[best]), int(moments[best]), mean, float(candidates[-1]), int(times.size)
    )


def number(value: float) -> str:
    """A value for prose: an integer as one (`1,234`), else to one decimal (`110.9`)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def moment(micros: int, axis: TimeAxis, start: int) -> str:
    """An instant as the chart's x axis reads it: `481 min` (since the start), or the time
    (to the second) in UTC or the axis's zone."""
    if axis.kind == "elapsed_minutes":
        minutes = (micros - start) / 60e6
        return f"{minutes:,.0f} min" if abs(minutes) >= 100 else f"{minutes:.3g} min"
    if axis.kind == "zone":
        return zone_time(micros, axis.zone)
    return prose_time(micros)


@dataclass(frozen=True)
class Described:
    """One series as a description names it: its label, unit and window."""

    label: str
    series: StepSeries
    unit: str
    window: tuple[int, int]
    run: str = ""


def peak_text(item: Described, stats: StepStats, axis: TimeAxis) -> str:
    """`peak 363 nodes at 481 min, mean 110.9`."""
    unit = f" {item.unit}" if item.unit else ""
    at = moment(stats.peak_at, axis, item.window[0])
    return f"peak {number(stats.peak)}{unit} at {at}, mean {number(stats.mean)}"


def steps_description(title: str, items: Sequence[Described], axis: TimeAxis) -> str:
    """`Throughput: peak 250 events at 598 min, mean 120.5.`; each series led by its label
    when there are several."""
    parts = []
    for item in items:
        stats = step_stats(item.series, *item.window)
        text = peak_text(item, stats, axis)
        parts.append(f"{item.label}: {text}" if len(items) > 1 else text)
    return f"{title}: " + "; ".join(parts) + "."


def steps_summary(items: Sequence[Described], axis: TimeAxis, caption: str = "") -> Rows:
    """Per series: its peak, when, its mean and its value at the as-of time."""
    several = len({item.run for item in items}) > 1
    columns = (
        *((Column("run"),) if several else ()),
        Column("series"),
        Column("peak", numeric=True),
        Column("first at"),
        Column("mean", numeric=True),
        Column("at the as-of time", numeric=True),
        Column("changes", numeric=True),
    )
    rows = []
    for item in items:
        stats = step_stats(item.series, *item.window)
        rows.append(
            (
                *((item.run,) if several else ()),
                item.label,
                number(stats.peak),
                moment(stats.peak_at, axis, item.window[0]),
                number(stats.mean),
                number(stats.last),
                f"{stats.changes:,}",
            )
        )
    return Rows(caption or "Summary of each series", columns, tuple(rows), "rows summary")
