"""Altair ECDF charts: for each curve of durations, the fraction of its samples at or below
each duration, as exact steps on a log time axis, as a plain Vega-Lite dict with inline data.

A log axis has no 0: a curve's 0-second samples (events at one instant) are counted in its
fractions, so it starts at the left edge at their share."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np

from reportgen.analytics.durations import ecdf_points
from reportgen.charts.layers import CONFIG
from reportgen.charts.reduce import reduce_steps
from reportgen.source.tables import Ints
from reportgen.spec.model import Chart

COARSE_TICKS = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 60, 600, 3600, 36000, 86400, 864000)
FINE_TICKS = (
    *(1e-3, 1e-2, 0.1, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600),
    *(7200, 18000, 36000, 86400, 172800, 432000, 864000),
)
"""Durations in seconds readers know (1 ms ... 1 min, 10 min, 1 h ... 10 d); the fine set is
used when the axis spans too little for three coarse ones."""
_SUBPIXELS = 1000
"""Positions per pixel column handed to `reduce_steps`, which takes integers."""


@dataclass(frozen=True)
class Curve:
    """One ECDF: its samples and how it is drawn (kinds choose; this module draws)."""

    label: str
    """Its name in the legend and tooltips."""
    color: str
    micros: Ints
    dash: tuple[int, ...] = ()


@dataclass(frozen=True)
class EcdfData:
    """The points drawn, the log axis' range (seconds) and how many steps they stand for."""

    curves: tuple[Curve, ...]
    points: list[dict[str, Any]]
    domain: tuple[float, float]
    steps: int
    drawn: int

    @property
    def reduced(self) -> bool:
        return self.drawn < self.steps


def ecdf_data(chart: Chart, curves: tuple[Curve, ...]) -> EcdfData:
    """Each curve's steps, reduced to the chart's pixel columns (first and last kept per
    column, so each column's minimum and maximum: an ECDF only rises)."""
    domain = _domain(curves)
    points: list[dict[str, Any]] = []
    steps = drawn = 0
    for curve in curves:
        values, counts = ecdf_points(curve.micros)
        positive = values > 0
        steps += int(np.count_nonzero(positive))
        values, counts = values[positive], counts[positive]
        seconds = values / 1e6
        end = chart.width * _SUBPIXELS
        keep = reduce_steps(_positions(seconds, domain, end), counts / 1.0, 0, end, chart.width)
        drawn += keep.size
        total = int(curve.micros.size)
        zeros = int(np.count_nonzero(curve.micros == 0))
        xs = [domain[0], *seconds[keep].tolist(), domain[1]]
        ys = [zeros, *counts[keep].tolist(), total]
        tips = [zeros > 0] + [True] * keep.size + [False]
        points += [
            {"x": x, "count": y, "n": total, "series": curve.label, "tip": tip, "zero": i == 0}
            for i, (x, y, tip) in enumerate(zip(xs, ys, tips, strict=True))
        ]
    return EcdfData(curves, points, domain, steps, drawn)


def _domain(curves: tuple[Curve, ...]) -> tuple[float, float]:
    """Whole decades around every positive sample (1 ms to 1 s when there is none); where
    that is one decade, the durations readers know (`FINE_TICKS`) around them, with at least
    three of them on the axis, so curves close together (one stage of several runs) spread
    over the plot rather than a third of it."""
    positive = [c.micros[c.micros > 0] for c in curves]
    values = np.concatenate(positive) if positive else np.empty(0, np.int64)
    if values.size == 0:
        return 1e-3, 1.0
    smallest, largest = int(values.min()) / 1e6, int(values.max()) / 1e6
    low = 10.0 ** math.floor(math.log10(smallest))
    high = max(10.0 ** math.ceil(math.log10(largest)), low * 10)
    if high > low * 10 or not FINE_TICKS[0] <= smallest <= largest <= FINE_TICKS[-1]:
        return low, high
    first = max(i for i, t in enumerate(FINE_TICKS) if t <= smallest)
    last = min(i for i, t in enumerate(FINE_TICKS) if t >= largest)
    n = len(FINE_TICKS)
    spans = [(a, b) for a in range(first + 1) for b in range(last, n) if b - a >= 2]

    def narrowness(span: tuple[int, int]) -> tuple[float, float]:
        """Its ratio, then how unevenly it pads the samples (log10 of each side's margin)."""
        below, above = FINE_TICKS[span[0]], FINE_TICKS[span[1]]
        return above / below, abs(math.log10(smallest / below) - math.log10(above / largest))

    a, b = min(spans, key=narrowness)
    if FINE_TICKS[b] / FINE_TICKS[a] >= high / low:
        return low, high
    return FINE_TICKS[a], FINE_TICKS[b]


def _positions(seconds: np.ndarray, domain: tuple[float, float], end: int) -> Ints:
    """Where each duration lands along the log axis, from 0 to `end`."""
    span = math.log10(domain[1]) - math.log10(domain[0])
    share = (np.log10(seconds) - math.log10(domain[0])) / span
    positions: Ints = np.clip(share * end, 0, end).astype(np.int64)
    return positions


def duration_expr(value: str) -> str:
    """A Vega expression writing `value` seconds in the largest unit it fills, to 3
    significant digits (as `reportgen.times.duration_text` does)."""
    units = ((86400, "d"), (3600, "h"), (60, "min"), (1, "s"))
    text = f"{value} > 0 ? format({value} * 1000, '.3~g') + ' ms' : '0 s'"
    for size, unit in reversed(units):
        text = f"{value} >= {size} ? format({value} / {size}, '.3~g') + ' {unit}' : ({text})"
    return text


def ticks(domain: tuple[float, float]) -> list[float]:
    inside = [t for t in COARSE_TICKS if domain[0] <= t <= domain[1]]
    return inside if len(inside) >= 3 else [t for t in FINE_TICKS if domain[0] <= t <= domain[1]]


def ecdf_spec(
    chart: Chart, data: EcdfData, interactive: bool, curve_is: str = "Stage"
) -> dict[str, Any]:
    """The curves as step lines in the curves' order (legend likewise); `interactive` adds
    invisible points carrying tooltips (the page, naming a curve as `curve_is`), images get
    the title (files)."""
    encoding = _encoding(data)
    base = alt.Chart(alt.NamedData(name=f"{chart.id}-ecdf")).transform_calculate(
        fraction="datum.count / datum.n"
    )
    layers = [base.mark_line(interpolate="step-after", strokeWidth=2).encode(**encoding)]
    if interactive:
        layers.append(_tooltips(base, encoding, curve_is))
    layered = alt.layer(*layers).properties(width=chart.width, height=chart.height)
    if not interactive:
        layered = layered.properties(title=chart.title)
    spec: dict[str, Any] = layered.to_dict(validate=False)
    spec["datasets"] = {f"{chart.id}-ecdf": data.points}
    spec["config"] = CONFIG
    spec["background"] = "white"
    return spec


def _encoding(data: EcdfData) -> dict[str, Any]:
    """x on the log axis with readable ticks, y as a share, colour (and dash) per curve."""
    labels = [curve.label for curve in data.curves]
    dashed = any(curve.dash for curve in data.curves)
    legend = alt.Legend(
        orient="top",
        symbolType="stroke",
        symbolStrokeWidth=3,
        # several runs: a row per run, a column per stage
        columns=len({c.color for c in data.curves}) if dashed else alt.Undefined,
    )
    encoding: dict[str, Any] = {
        "x": alt.X(
            "x:Q",
            title="Duration (log scale)",
            scale=alt.Scale(type="log", domain=list(data.domain), nice=False),
            axis=alt.Axis(values=ticks(data.domain), labelExpr=duration_expr("datum.value")),
        ),
        "y": alt.Y(
            "fraction:Q",
            title="Fraction of samples at or below",
            scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%"),
        ),
        "color": alt.Color(
            "series:N",
            title=None,
            sort=labels,
            scale=alt.Scale(domain=labels, range=[curve.color for curve in data.curves]),
            legend=legend,
        ),
    }
    if dashed:  # one legend: Vega-Lite merges the two of one field (`legend=None` conflicts)
        encoding["strokeDash"] = alt.StrokeDash(
            "series:N",
            scale=alt.Scale(domain=labels, range=[list(curve.dash) for curve in data.curves]),
            legend=legend,
        )
    return encoding


def _tooltips(base: alt.Chart, encoding: dict[str, Any], curve_is: str) -> alt.Chart:
    """Invisible points on every drawn step: stage, duration, samples at or below it."""
    duration = duration_expr("datum.x")
    points: alt.Chart = (
        base.transform_filter("datum.tip")
        .transform_calculate(
            duration=f"datum.zero ? '0 s (same instant)' : {duration}",
            share="format(datum.count, ',') + ' of ' + format(datum.n, ',') + ' ('"
            " + format(datum.count / datum.n, '.1%') + ')'",
        )
        .mark_point(opacity=0, size=60)
        .encode(
            x=encoding["x"],
            y=encoding["y"],
            color=encoding["color"],
            tooltip=[
                alt.Tooltip("series:N", title=curve_is),
                alt.Tooltip("duration:N", title="Duration"),
                alt.Tooltip("share:N", title="Samples at or below"),
            ],
        )
    )
    return points
