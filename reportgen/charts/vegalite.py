"""Altair step charts for the three series, as plain Vega-Lite dicts with inline data.

Data goes in as named datasets added after `to_dict()`: Altair would otherwise validate every
value against the schema, which costs seconds per 10^4 points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np

from reportgen.analytics.steps import SeriesName, StepSeries
from reportgen.charts.reduce import reduce_steps
from reportgen.charts.timeaxis import axis_positions, time_labels
from reportgen.spec.model import Chart, TimeAxis

COLORS: dict[SeriesName, str] = {
    "available_nodes": "#a0a0a0",
    "utilization": "#1f6fb4",
    "throughput": "#2a8c4a",
}
LABELS: dict[SeriesName, str] = {
    "available_nodes": "Available nodes",
    "utilization": "Utilization",
    "throughput": "Throughput",
}
STROKES: dict[SeriesName, float] = {"available_nodes": 6.0, "utilization": 1.5, "throughput": 2.0}
"""Widths when layered: available nodes is a wide light band behind utilization, so both stay
legible. A series drawn alone gets a plain line, dark enough to stand out from the grid."""
SOLE_COLORS: dict[SeriesName, str] = {**COLORS, "available_nodes": "#555555"}
SOLE_STROKE = 2.0


def series_style(names: list[SeriesName]) -> list[tuple[str, float]]:
    """Colour and stroke width of each series of one chart."""
    if len(names) == 1:
        return [(SOLE_COLORS[names[0]], SOLE_STROKE)]
    return [(COLORS[name], STROKES[name]) for name in names]


CONFIG: dict[str, Any] = {
    "font": "Liberation Sans, DejaVu Sans, Arial, sans-serif",
    "view": {"stroke": None},
    # one font weight everywhere: a second font makes vl-convert's PDFs differ run to run
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": 11, "titleFontWeight": "normal"},
    "title": {"fontSize": 15, "anchor": "start", "fontWeight": "normal"},
}


def y_title(chart: Chart) -> str:
    if chart.type == "throughput":
        return f"Events into {chart.to_state}"
    if chart.type == "utilization":
        return "Nodes in use" if chart.node_weighting else "Running jobs"
    return "Nodes"


@dataclass(frozen=True)
class ChartData:
    """The points a chart draws, per series, and how many change points they stand for."""

    series: list[SeriesName]
    integral: bool
    datasets: dict[str, list[dict[str, Any]]]
    changes: int
    drawn: int

    @property
    def reduced(self) -> bool:
        return self.drawn < self.changes


def chart_data(
    chart: Chart, series: list[StepSeries], axis: TimeAxis, start: int, as_of: int
) -> ChartData:
    """Reduce each series to the chart's pixel columns and lay it out on the x axis."""
    datasets = {
        f"{chart.id}-{s.name}": chart_points(s, axis, start, as_of, chart.width) for s in series
    }
    datasets[f"{chart.id}-as-of"] = [
        {
            "x": axis_positions(np.array([as_of]), axis, start)[0],
            "label": "as of " + time_labels(np.array([as_of]), axis)[0],
        }
    ]
    changes = sum(len(s) for s in series)
    drawn = sum(min(len(s), len(datasets[f"{chart.id}-{s.name}"])) for s in series)
    return ChartData(
        [s.name for s in series], all(s.integral for s in series), datasets, changes, drawn
    )


def chart_spec(chart: Chart, data: ChartData, axis: TimeAxis, interactive: bool) -> dict[str, Any]:
    """A layered step chart: one layer per series (the first drawn at the back), plus a rule
    marking the as-of time. `interactive` adds invisible points carrying tooltips."""
    temporal = axis.kind != "elapsed_minutes"
    x = alt.X(
        "x:T" if temporal else "x:Q",
        title=axis.label,
        scale=alt.Scale(type="utc") if temporal else alt.Undefined,
    )
    labels = [LABELS[name] for name in data.series]
    styles = series_style(data.series)
    color = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=labels, range=[colour for colour, _ in styles]),
        legend=alt.Legend(orient="top") if len(labels) > 1 else None,
    )
    y = alt.Y("value:Q", title=y_title(chart))
    layers = [
        _series_layer(
            alt.Chart(alt.NamedData(name=f"{chart.id}-{name}")).encode(x=x, y=y, color=color),
            stroke,
            y_title(chart) if interactive else None,
        )
        for name, (_, stroke) in zip(data.series, styles, strict=True)
    ]
    rule = alt.Chart(alt.NamedData(name=f"{chart.id}-as-of")).encode(x=x)
    layers.append(rule.mark_rule(strokeDash=[4, 3], color="#666666"))
    # the label sits just above the plot, where no series can run into it
    layers.append(
        rule.mark_text(
            align="right", baseline="bottom", dy=-3, fontSize=10, color="#444444"
        ).encode(text="label:N", y=alt.value(0))
    )
    layered = alt.layer(*layers).properties(width=chart.width, height=chart.height)
    if not interactive:  # the page shows the title as a heading; images need their own
        layered = layered.properties(title=chart.title)
    spec: dict[str, Any] = layered.to_dict()
    spec["datasets"] = data.datasets
    spec["config"] = CONFIG
    spec["background"] = "white"
    return spec


def _series_layer(line: alt.Chart, stroke: float, tooltip_title: str | None) -> alt.Chart:
    """A step line; with a `tooltip_title`, invisible points on it carry tooltips."""
    if tooltip_title is None:
        plain: alt.Chart = line.mark_line(interpolate="step-after", strokeWidth=stroke)
        return plain
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("time:N", title="Time"),
        alt.Tooltip("value:Q", title=tooltip_title),
    ]
    with_points: alt.Chart = line.mark_line(
        interpolate="step-after", strokeWidth=stroke, point=alt.OverlayMarkDef(opacity=0, size=40)
    ).encode(tooltip=tooltip)
    return with_points


def chart_points(
    series: StepSeries, axis: TimeAxis, start: int, as_of: int, columns: int
) -> list[dict[str, Any]]:
    """Points to draw: 0 at the report's start, the (reduced) changes, the last value at as_of."""
    keep = reduce_steps(series.times, series.values, start, as_of, columns)
    kept_times, kept_values = series.times[keep], series.values[keep]
    times = np.r_[start, kept_times, as_of].astype(np.int64)
    values = np.r_[0.0, kept_values, kept_values[-1] if keep.size else 0.0]
    if keep.size and kept_times[0] <= start:
        times, values = times[1:], values[1:]
    xs = axis_positions(times, axis, start)
    labels = time_labels(times, axis)
    label = LABELS[series.name]
    cast = int if series.integral else float
    return [
        {"x": x, "value": cast(v), "time": t, "series": label}
        for x, v, t in zip(xs, values.tolist(), labels, strict=True)
    ]
