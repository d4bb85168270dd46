"""Altair step charts: layers of step series, as plain Vega-Lite dicts with inline data.

Data goes in as named datasets added after `to_dict()`: Altair would otherwise validate every
value against the schema, which costs seconds per 10^4 points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np

from reportgen.charts.asof import as_of_dataset, as_of_layers
from reportgen.charts.layers import CONFIG, StepLayer
from reportgen.charts.reduce import reduce_steps
from reportgen.charts.timeaxis import axis_positions, time_labels
from reportgen.spec.model import Chart, TimeAxis


@dataclass(frozen=True)
class ChartData:
    """The points a chart draws, per series, and how many change points they stand for."""

    layers: list[StepLayer]
    integral: bool
    datasets: dict[str, list[dict[str, Any]]]
    changes: int
    drawn: int

    @property
    def reduced(self) -> bool:
        return self.drawn < self.changes


def chart_data(
    chart: Chart, layers: list[StepLayer], axis: TimeAxis, start: int, as_of: int
) -> ChartData:
    """Reduce each series to the chart's pixel columns and lay it out on the x axis."""
    datasets = {
        layer.dataset: chart_points(layer, axis, *(layer.window or (start, as_of)), chart.width)
        for layer in layers
    }
    datasets[f"{chart.id}-as-of"] = as_of_dataset(as_of, axis, start)
    changes = sum(len(layer.series) for layer in layers)
    drawn = sum(min(len(layer.series), len(datasets[layer.dataset])) for layer in layers)
    return ChartData(
        layers, all(layer.series.integral for layer in layers), datasets, changes, drawn
    )


def chart_spec(
    chart: Chart, data: ChartData, axis: TimeAxis, y_title: str, interactive: bool
) -> dict[str, Any]:
    """A layered step chart: one layer per series (the first drawn at the back), plus a rule
    marking the as-of time. `interactive` adds invisible points carrying tooltips."""
    temporal = axis.kind != "elapsed_minutes"
    x = alt.X(
        "x:T" if temporal else "x:Q",
        title=axis.label,
        scale=alt.Scale(type="utc") if temporal else alt.Undefined,
    )
    labels = [layer.label for layer in data.layers]
    color = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=labels, range=[layer.color for layer in data.layers]),
        legend=alt.Legend(orient="top") if len(labels) > 1 else None,
    )
    y = alt.Y("value:Q", title=y_title)
    layers = [
        _series_layer(
            alt.Chart(alt.NamedData(name=layer.dataset)).encode(x=x, y=y, color=color),
            layer.stroke,
            y_title if interactive else None,
            layer.dash,
        )
        for layer in data.layers
    ]
    layers += as_of_layers(f"{chart.id}-as-of", x)
    layered = alt.layer(*layers).properties(width=chart.width, height=chart.height)
    if not interactive:  # the page shows the title as a heading; images need their own
        layered = layered.properties(title=chart.title)
    spec: dict[str, Any] = layered.to_dict(validate=False)
    spec["datasets"] = data.datasets
    spec["config"] = CONFIG
    spec["background"] = "white"
    return spec


def _series_layer(
    line: alt.Chart, stroke: float, tooltip_title: str | None, dash: tuple[int, ...] = ()
) -> alt.Chart:
    """A step line (dashed if `dash`); with a `tooltip_title`, invisible points on it carry
    tooltips."""
    dashed: dict[str, Any] = {"strokeDash": list(dash)} if dash else {}
    if tooltip_title is None:
        plain: alt.Chart = line.mark_line(interpolate="step-after", strokeWidth=stroke, **dashed)
        return plain
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("time:N", title="Time"),
        alt.Tooltip("value:Q", title=tooltip_title),
    ]
    with_points: alt.Chart = line.mark_line(
        interpolate="step-after",
        strokeWidth=stroke,
        point=alt.OverlayMarkDef(opacity=0, size=40),
        **dashed,
    ).encode(tooltip=tooltip)
    return with_points


def chart_points(
    layer: StepLayer, axis: TimeAxis, start: int, as_of: int, columns: int
) -> list[dict[str, Any]]:
    """Points to draw: 0 at the report's start, the (reduced) changes, the last value at as_of."""
    series = layer.series
    keep = reduce_steps(series.times, series.values, start, as_of, columns)
    kept_times, kept_values = series.times[keep], series.values[keep]
    times = np.r_[start, kept_times, as_of].astype(np.int64)
    values = np.r_[0.0, kept_values, kept_values[-1] if keep.size else 0.0]
    if keep.size and kept_times[0] <= start:
        times, values = times[1:], values[1:]
    xs = axis_positions(times, axis, start)
    labels = time_labels(times, axis)
    label = layer.label
    cast = int if series.integral else float
    return [
        {"x": x, "value": cast(v), "time": t, "series": label}
        for x, v, t in zip(xs, values.tolist(), labels, strict=True)
    ]
