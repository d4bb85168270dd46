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
from reportgen.charts.hover import Track, hover_layers, hover_rows, tooltip_fields
from reportgen.charts.layers import CONFIG, StepLayer
from reportgen.charts.reduce import reduce_steps
from reportgen.charts.timeaxis import axis_positions, time_labels
from reportgen.source.tables import Floats, Ints
from reportgen.spec.model import Chart, TimeAxis


@dataclass(frozen=True)
class ChartData:
    """The points a chart draws, per series, and how many change points they stand for;
    for the page, what its pointer explores (`hover`, over the x `domain`)."""

    layers: list[StepLayer]
    integral: bool
    datasets: dict[str, list[dict[str, Any]]]
    changes: int
    drawn: int
    hover: tuple[Track, ...] = ()
    domain: tuple[float, float] | None = None

    @property
    def reduced(self) -> bool:
        return self.drawn < self.changes


def chart_data(
    chart: Chart,
    layers: list[StepLayer],
    axis: TimeAxis,
    start: int,
    as_of: int,
    explore: bool = False,
    runs: dict[tuple[int, int], str] | None = None,
) -> ChartData:
    """Reduce each series to the chart's pixel columns and lay it out on the x axis;
    `explore` (the page) adds the hover table of what is drawn and the x domain (`runs`
    names each run's window there)."""
    datasets: dict[str, list[dict[str, Any]]] = {}
    tracks = []
    for layer in layers:
        window = layer.window or (start, as_of)
        times, values = drawn_steps(layer, *window, chart.width)
        datasets[layer.dataset] = _points(layer, axis, window[0], times, values)
        integral = layer.series.integral
        tracks.append(
            Track(layer.label, times, values, integral, window, (runs or {}).get(window, ""))
        )
    datasets[f"{chart.id}-as-of"] = as_of_dataset(as_of, axis, start)
    changes = sum(len(layer.series) for layer in layers)
    drawn = sum(min(len(layer.series), len(datasets[layer.dataset])) for layer in layers)
    integral = all(layer.series.integral for layer in layers)
    if not explore:
        return ChartData(layers, integral, datasets, changes, drawn)
    datasets[f"{chart.id}-hover"] = hover_rows(tracks, axis)
    lowest = min((t.window[0] for t in tracks), default=start)
    low = 0.0 if axis.kind == "elapsed_minutes" else axis_positions(np.r_[lowest], axis, 0)[0]
    high = datasets[f"{chart.id}-as-of"][0]["x"]
    return ChartData(layers, integral, datasets, changes, drawn, tuple(tracks), (low, high))


def chart_spec(
    chart: Chart, data: ChartData, axis: TimeAxis, y_title: str, interactive: bool
) -> dict[str, Any]:
    """A layered step chart: one layer per series (the first drawn at the back), plus a rule
    marking the as-of time. `interactive` with data made to `explore` adds the hover bands
    (tooltip, rule, x zoom: see `charts/hover.py`) and ends the x axis at the as-of time."""
    x = time_x(axis, data.domain if interactive else None)
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
            layer.dash,
        )
        for layer in data.layers
    ]
    explored = interactive and bool(data.hover)
    layers += as_of_layers(f"{chart.id}-as-of", x, explored)
    if explored:
        names = labels if len(labels) > 1 else [chart.title]  # as the legend, else the heading
        tooltip = tooltip_fields(list(data.hover), axis, names)
        layers += hover_layers(f"{chart.id}-hover", x, tooltip)
    layered = alt.layer(*layers).properties(width=chart.width, height=chart.height)
    if not interactive:  # the page shows the title as a heading; images need their own
        layered = layered.properties(title=chart.title)
    spec: dict[str, Any] = layered.to_dict(validate=False)
    spec["datasets"] = data.datasets
    spec["config"] = CONFIG
    spec["background"] = "white"
    return spec


def time_x(axis: TimeAxis, domain: tuple[float, float] | None = None) -> alt.X:
    """The x channel of a chart over time; with a `domain`, exactly that span (the page's:
    from the start to the as-of time, not rounded past it)."""
    temporal = axis.kind != "elapsed_minutes"
    scale: dict[str, Any] = {"type": "utc"} if temporal else {}
    if domain is not None:
        scale |= {"domain": list(domain), "nice": False, "zero": False}
    return alt.X(
        "x:T" if temporal else "x:Q",
        title=axis.label,
        scale=alt.Scale(**scale) if scale else alt.Undefined,
    )


def _series_layer(line: alt.Chart, stroke: float, dash: tuple[int, ...] = ()) -> alt.Chart:
    """A step line (dashed if `dash`)."""
    dashed: dict[str, Any] = {"strokeDash": list(dash)} if dash else {}
    plain: alt.Chart = line.mark_line(interpolate="step-after", strokeWidth=stroke, **dashed)
    return plain


def chart_points(
    layer: StepLayer, axis: TimeAxis, start: int, as_of: int, columns: int
) -> list[dict[str, Any]]:
    """Points to draw: 0 at the report's start, the (reduced) changes, the last value at as_of."""
    times, values = drawn_steps(layer, start, as_of, columns)
    return _points(layer, axis, start, times, values)


def _points(
    layer: StepLayer, axis: TimeAxis, start: int, times: Ints, values: Floats
) -> list[dict[str, Any]]:
    xs = axis_positions(times, axis, start)
    labels = time_labels(times, axis)
    label = layer.label
    cast = int if layer.series.integral else float
    return [
        {"x": x, "value": cast(v), "time": t, "series": label}
        for x, v, t in zip(xs, values.tolist(), labels, strict=True)
    ]


def drawn_steps(layer: StepLayer, start: int, as_of: int, columns: int) -> tuple[Ints, Floats]:
    """The instants and values `chart_points` draws."""
    series = layer.series
    keep = reduce_steps(series.times, series.values, start, as_of, columns)
    kept_times, kept_values = series.times[keep], series.values[keep]
    times = np.r_[start, kept_times, as_of].astype(np.int64)
    values = np.r_[0.0, kept_values, kept_values[-1] if keep.size else 0.0]
    if keep.size and kept_times[0] <= start:
        times, values = times[1:], values[1:]
    return times, values
