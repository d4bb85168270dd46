"""Altair stacked step areas: step series stacked exactly, as plain Vega-Lite dicts with
inline data, optionally under a step line, marking the as-of time.

Vega-Lite's own `stack` joins each layer's points and, where a layer has no point at another
layer's change, interpolates between its own; stacking step series is only right when every
layer is known at every change. So the stack is computed here: every layer is evaluated at the
union of all change times, and each band is drawn between its exact lower and upper edges
(`y`, `y2`) with `interpolate="step-after"`. Reduction to the chart's pixel columns picks
the same instants for every layer (per column, those where the stack's top, or another edge
it names, is lowest and highest), so the bands still meet exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import altair as alt
import numpy as np

from reportgen.analytics.steps import union_times
from reportgen.charts.asof import as_of_dataset, as_of_layers
from reportgen.charts.hover import Track, hover_layers, hover_rows, tooltip_fields
from reportgen.charts.layers import CONFIG, AreaStack, StepLayer
from reportgen.charts.reduce import column_extremes
from reportgen.charts.steps import chart_points, drawn_steps, time_x
from reportgen.charts.timeaxis import axis_positions, time_labels
from reportgen.source.tables import Floats, Ints
from reportgen.spec.model import Chart, TimeAxis


@dataclass(frozen=True)
class AreaData:
    """The points a chart of stacks draws, and how many instants they stand for."""

    stacks: list[AreaStack]
    datasets: dict[str, list[dict[str, Any]]]
    instants: int
    """Distinct change times over every stack."""
    drawn: int
    """Of those, the ones drawn."""
    hover: dict[str, tuple[list[Track], tuple[float, float]]] = field(default_factory=dict)
    """For the page: per stack (by its dataset), what its pointer explores and its x domain."""

    @property
    def reduced(self) -> bool:
        return self.drawn < self.instants


def stack_levels(stack: AreaStack) -> tuple[Ints, Floats]:
    """The union of the layers' change times, and each layer's value there (layers x times)."""
    series = [layer.series for layer in stack.layers]
    times = union_times(*(s.times for s in series))
    levels = np.zeros((len(series), times.size))
    for row, s in enumerate(series):
        if not len(s):
            continue
        index = np.searchsorted(s.times, times, side="right") - 1
        levels[row] = np.where(index >= 0, s.values[np.maximum(index, 0)], 0.0)
    return times, levels


def area_data(
    chart: Chart,
    stacks: list[AreaStack],
    axis: TimeAxis,
    start: int,
    as_of: int,
    explore: bool = False,
) -> AreaData:
    """Each stack's bands at its kept instants, its line's points, and the as-of label;
    `explore` (the page) adds each stack's hover table of what is drawn."""
    datasets: dict[str, list[dict[str, Any]]] = {}
    hover: dict[str, tuple[list[Track], tuple[float, float]]] = {}
    instants = drawn = 0
    for stack in stacks:
        window = stack.window or (start, as_of)
        times, levels = stack_levels(stack)
        edge = (
            levels[: stack.kept_edge % len(levels) + 1].sum(axis=0)
            if len(levels)
            else levels.sum(axis=0)
        )
        keep = column_extremes(times, edge.astype(np.float64), *window, chart.width)
        instants, drawn = instants + times.size, drawn + keep.size
        datasets[stack.dataset] = band_points(stack, times[keep], levels[:, keep], axis, window)
        if stack.line is not None:
            line = stack.line
            datasets[line.dataset] = chart_points(line, axis, *window, chart.width)
        if explore:
            tracks = _tracks(stack, times[keep], levels[:, keep], window, chart.width)
            datasets[f"{stack.dataset}-hover"] = hover_rows(tracks, axis)
            hover[stack.dataset] = (tracks, _domain(axis, window))
        if window != (start, as_of):  # a run's panel: marked at its own as-of time
            datasets[f"{stack.dataset}-as-of"] = as_of_dataset(window[1], axis, window[0])
    datasets[f"{chart.id}-as-of"] = as_of_dataset(as_of, axis, start)
    return AreaData(stacks, datasets, instants, drawn, hover)


def _tracks(
    stack: AreaStack, times: Ints, levels: Floats, window: tuple[int, int], columns: int
) -> list[Track]:
    """What the stack draws, as the hover table reads it: each band's level (its own value,
    not its edge) at the kept instants, and the line's points."""
    times, levels = _edged(times, levels, window)
    tracks = [
        Track(layer.label, times, level, layer.series.integral, window)
        for layer, level in zip(stack.layers, levels, strict=True)
    ]
    if stack.line is not None:
        line_times, values = drawn_steps(stack.line, *window, columns)
        integral = stack.line.series.integral
        tracks.append(Track(stack.line.label, line_times, values, integral, window))
    return tracks


def _domain(axis: TimeAxis, window: tuple[int, int]) -> tuple[float, float]:
    """The x axis' span on the page: the window's start to its as-of time."""
    low, high = axis_positions(np.array(window, dtype=np.int64), axis, window[0])
    return low, high


def _edged(times: Ints, levels: Floats, window: tuple[int, int]) -> tuple[Ints, Floats]:
    """The kept instants and levels with 0 at the window's start and the last levels at
    its as-of time."""
    start, as_of = window
    last = levels[:, -1:] if times.size else np.zeros((levels.shape[0], 1))
    times = np.r_[start, times, as_of].astype(np.int64)
    levels = np.hstack([np.zeros((levels.shape[0], 1)), levels, last])
    if times.size > 2 and times[1] <= start:
        times, levels = times[1:], levels[:, 1:]
    return times, levels


def band_points(
    stack: AreaStack, times: Ints, levels: Floats, axis: TimeAxis, window: tuple[int, int]
) -> list[dict[str, Any]]:
    """Rows `x, y, y2, value, time, series` per layer: 0 at the window's start, the kept
    instants, the last levels at its as-of time; a row repeating its layer's previous edges
    is left out (a step holds its value until the next row)."""
    times, levels = _edged(times, levels, window)
    uppers = np.cumsum(levels, axis=0)
    lowers = np.vstack([np.zeros((1, times.size)), uppers])[:-1]  # exactly the edge below
    xs, labels = axis_positions(times, axis, window[0]), time_labels(times, axis)
    integral = all(layer.series.integral for layer in stack.layers)
    rows: list[dict[str, Any]] = []
    for layer, lower, upper, level in zip(stack.layers, lowers, uppers, levels, strict=True):
        for i in _band_rows(lower, upper, level).tolist():
            rows.append(
                {
                    "x": xs[i],
                    "y": round(float(lower[i]), 6),
                    "y2": round(float(upper[i]), 6),
                    "value": int(level[i]) if integral else round(float(level[i]), 6),
                    "time": labels[i],
                    "series": layer.label,
                }
            )
    return rows


def _band_rows(lower: Floats, upper: Floats, level: Floats) -> Ints:
    """The rows a band needs: the first and last, and those where its edges move, except
    while it is empty (an empty band draws nothing wherever its edges are: only the row
    that empties it is kept)."""
    moved = np.r_[True, (lower[1:] != lower[:-1]) | (upper[1:] != upper[:-1])]
    empty = level == 0
    moved &= ~(empty & np.r_[True, empty[:-1]])
    moved[0] = moved[-1] = True
    return np.flatnonzero(moved)


def areas_spec(
    chart: Chart,
    data: AreaData,
    axis: TimeAxis,
    y_title: str,
    interactive: bool,
    tooltip: tuple[str, str],
) -> dict[str, Any]:
    """One panel per stack (several stand one above the other, each titled): its bands, its
    line, the as-of rule. `interactive` adds invisible points carrying tooltips (the series
    and the value titled by `tooltip`, and the time); images get the chart's title."""
    panels = area_panels(chart, data, axis, y_title, tooltip if interactive else None)
    figure: Any = panels[0] if len(panels) == 1 else alt.vconcat(*panels)
    return finished_spec(figure, chart, data.datasets, interactive)


def area_panels(
    chart: Chart, data: AreaData, axis: TimeAxis, y_title: str, tooltip: tuple[str, str] | None
) -> list[Any]:
    """One Altair layer chart per stack, sharing one colour scale (legend on top)."""
    return [
        _panel(
            chart,
            stack,
            axis,
            series_color(data),
            y_title,
            data.hover.get(stack.dataset) if tooltip is not None else None,
            _as_of_name(chart, stack, data),
        )
        for stack in data.stacks
    ]


def _as_of_name(chart: Chart, stack: AreaStack, data: AreaData) -> str:
    """The as-of rule a stack's panel draws: its run's own, or the chart's."""
    own = f"{stack.dataset}-as-of"
    return own if own in data.datasets else f"{chart.id}-as-of"


def series_color(data: AreaData) -> alt.Color:
    labels, colors = _legend(data.stacks)
    legend = alt.Legend(orient="top", columns=_columns(len(labels)), symbolType="square")
    return alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=labels, range=colors) if labels else alt.Undefined,
        legend=legend if labels else None,  # nothing to stack: an empty frame, no legend
    )


def _columns(entries: int, most: int = 6) -> int:
    """Legend columns: at most `most`, the rows as evenly filled as they can be."""
    rows = max(1, -(-entries // most))
    return max(1, -(-entries // rows))


def finished_spec(
    figure: Any, chart: Chart, datasets: dict[str, list[dict[str, Any]]], interactive: bool
) -> dict[str, Any]:
    """The figure as a Vega-Lite dict with its inline data; images get the chart's title
    (the page shows it as a heading)."""
    if not interactive:
        figure = figure.properties(title=chart.title)
    spec: dict[str, Any] = figure.to_dict(validate=False)
    spec["datasets"] = datasets
    spec["config"] = CONFIG
    spec["background"] = "white"
    return spec


def _legend(stacks: list[AreaStack]) -> tuple[list[str], list[str]]:
    """Every label once, in the layers' order (lines last), with its colour."""
    entries: dict[str, str] = {}
    for stack in stacks:
        for layer in stack.layers:
            entries.setdefault(layer.label, layer.color)
    for stack in stacks:
        if stack.line is not None:
            entries.setdefault(stack.line.label, stack.line.color)
    return list(entries), list(entries.values())


def _panel(
    chart: Chart,
    stack: AreaStack,
    axis: TimeAxis,
    color: alt.Color,
    y_title: str,
    hover: tuple[list[Track], tuple[float, float]] | None,
    as_of_name: str,
) -> Any:
    x = time_x(axis, hover[1] if hover else None)
    bands = alt.Chart(alt.NamedData(name=stack.dataset)).encode(x=x, color=color)
    layers: list[Any] = [
        bands.mark_area(interpolate="step-after", strokeWidth=0).encode(
            y=alt.Y("y:Q", title=y_title), y2="y2:Q"
        )
    ]
    if stack.line is not None:
        layers.append(_line(stack.line, x, color))
    layers += as_of_layers(as_of_name, x, hover is not None)
    if hover is not None:
        names = [track.label for track in hover[0]]  # as the legend names them
        layers += hover_layers(f"{stack.dataset}-hover", x, tooltip_fields(hover[0], axis, names))
    titled = {"title": stack.title} if stack.title else {}
    panel: Any = alt.layer(*layers).properties(width=chart.width, height=chart.height, **titled)
    return panel


def _line(line: StepLayer, x: alt.X, color: alt.Color) -> alt.Chart:
    drawn: alt.Chart = (
        alt.Chart(alt.NamedData(name=line.dataset))
        .mark_line(interpolate="step-after", strokeWidth=line.stroke)
        .encode(x=x, y="value:Q", color=color)
    )
    return drawn
