"""Altair: the scaling chart (jobs per node-minute above and efficiency below, against the
nodes on a log2 axis, one point per run in its colour, each panel with the baseline's value
as the dashed ideal: flat, as ideal scaling keeps it), and a throughput chart's ideal lines."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np

from reportgen.charts.layers import CONFIG
from reportgen.charts.palette import RUN_COLORS, grey
from reportgen.charts.timeaxis import axis_positions
from reportgen.spec.model import Chart, TimeAxis

IDEAL_COLOR = grey(0.45)


@dataclass(frozen=True)
class ScalingPoint:
    run: str
    nodes: float
    per_node: float
    efficiency: float | None


def scaling_spec(
    chart: Chart,
    points: list[ScalingPoint],
    runs: list[str],
    ideal: float | None,
    ideal_efficiency: float | None,
    interactive: bool,
) -> dict[str, Any]:
    """The two panels as one Vega-Lite dict with inline data; images get the title."""
    name = f"{chart.id}-runs"
    rows = [
        {"run": p.run, "nodes": p.nodes, "per_node": p.per_node, "efficiency": p.efficiency}
        for p in points
    ]
    ticks = sorted({p.nodes for p in points})
    x = alt.X(
        "nodes:Q",
        title="Nodes (mean available in the steady state, log2)",
        scale=alt.Scale(type="log", base=2, nice=False, padding=24),
        axis=alt.Axis(values=ticks, format=",.4~g", grid=False),
    )
    color = alt.Color(
        "run:N",
        title="Run",
        sort=runs,
        scale=alt.Scale(
            domain=runs, range=[RUN_COLORS[i % len(RUN_COLORS)] for i in range(len(runs))]
        ),
        legend=alt.Legend(orient="top"),
    )
    height = max(100, chart.height // 2)
    top = _panel(name, x, color, "per_node", "Jobs per node-minute", ",.3~g", ideal, interactive)
    bottom = _panel(
        name, x, color, "efficiency", "Efficiency", ".0%", ideal_efficiency, interactive
    )
    figure = alt.vconcat(
        top.properties(width=chart.width, height=height),
        bottom.properties(width=chart.width, height=height),
    ).resolve_scale(color="shared")
    if not interactive:
        figure = figure.properties(title=chart.title)
    spec: dict[str, Any] = figure.to_dict(validate=False)
    spec["datasets"] = {**spec.get("datasets", {}), name: rows}  # and the rules' one row
    spec["config"] = CONFIG
    spec["background"] = "white"
    return spec


def _panel(
    dataset: str,
    x: alt.X,
    color: alt.Color,
    field: str,
    title: str,
    number_format: str,
    ideal: float | None,
    interactive: bool,
) -> Any:
    base = alt.Chart(alt.NamedData(name=dataset)).transform_filter(f"datum.{field} != null")
    y = alt.Y(
        f"{field}:Q", title=title, axis=alt.Axis(format=number_format), scale=alt.Scale(zero=True)
    )
    line = base.mark_line(color=IDEAL_COLOR, strokeWidth=1).encode(x=x, y=y)
    encoding: dict[str, Any] = {"x": x, "y": y, "color": color}
    if interactive:
        encoding["tooltip"] = [
            alt.Tooltip("run:N", title="Run"),
            alt.Tooltip("nodes:Q", title="Nodes", format=",.4~g"),
            alt.Tooltip(f"{field}:Q", title=title, format=number_format.replace("~", "")),
        ]
    dots = base.mark_point(filled=True, size=80, opacity=1).encode(**encoding)
    layers = [line, dots]
    if ideal is not None:
        one = alt.InlineData(values=[{}])
        rule = (
            alt.Chart(one)
            .mark_rule(color=IDEAL_COLOR, strokeDash=[6, 3], strokeWidth=1.5)
            .encode(y=alt.datum(ideal))
        )
        label = (
            alt.Chart(one)
            .mark_text(color=IDEAL_COLOR, align="right", baseline="bottom", dx=-2, dy=-3)
            .encode(x=alt.value(_right()), y=alt.datum(ideal), text=alt.value("ideal (baseline)"))
        )
        layers = [rule, label, *layers]
    return alt.layer(*layers)


def _right() -> Any:
    """The panel's right edge, as a pixel expression."""
    return {"expr": "width"}


@dataclass(frozen=True)
class IdealLine:
    """A straight line from (start, 0) to (as_of, top): a run's ideal throughput."""

    label: str
    color: str
    start: int
    as_of: int
    top: float


def with_ideal_lines(
    spec: dict[str, Any],
    lines: list[IdealLine],
    axis: TimeAxis,
    chart_id: str,
    dashes: dict[str, tuple[int, ...]],
) -> dict[str, Any]:
    """A step chart's spec with a dotted straight line per ideal, each in the legend; the
    legend draws each line as dashed as it is (`dashes`: the chart's own lines', by label)."""
    if not lines:
        return spec
    spec = copy.deepcopy(spec)
    x = next(layer["encoding"]["x"] for layer in spec["layer"] if "x" in layer.get("encoding", {}))
    color = next(
        layer["encoding"]["color"]
        for layer in spec["layer"]
        if "color" in layer.get("encoding", {})
    )
    scale = color["scale"]
    domain = [*scale["domain"], *(line.label for line in lines)]
    colors = [*scale["range"], *(line.color for line in lines)]
    legend = _legend({**dashes, **{line.label: tuple(IDEAL_DASH) for line in lines}})
    for layer in spec["layer"]:
        if "color" in layer.get("encoding", {}):
            layer["encoding"]["color"]["scale"] = {"domain": domain, "range": colors}
            layer["encoding"]["color"]["legend"] = legend
    name = f"{chart_id}-ideal"
    rows = []
    for line in lines:
        xs = axis_positions(np.array([line.start, line.as_of], dtype=np.int64), axis, line.start)
        rows += [{"x": xs[0], "value": 0.0, "series": line.label}]
        rows += [{"x": xs[1], "value": line.top, "series": line.label}]
    ideal = {
        "data": {"name": name},
        "mark": {"type": "line", "strokeDash": IDEAL_DASH, "strokeWidth": 1.25, "clip": True},
        "encoding": {
            "x": x,
            "y": {"field": "value", "type": "quantitative"},
            "color": {**color, "scale": {"domain": domain, "range": colors}, "legend": legend},
            "detail": {"field": "series", "type": "nominal"},
        },
    }
    spec["layer"].insert(0, ideal)
    spec["datasets"] = {**spec["datasets"], name: rows}
    return spec


IDEAL_DASH = [1, 4]
"""Sparse dots, thinner than the runs' lines: apart from every run's dash (`RUN_DASHES`)."""


def _legend(dashes: dict[str, tuple[int, ...]]) -> dict[str, Any]:
    """The legend on top, each swatch dashed as its line is drawn (an encode rule per label:
    the legend of layers dashed by their marks would draw every swatch solid)."""
    tests: list[dict[str, Any]] = [
        {"test": f"datum.label === {json.dumps(label)}", "value": list(dash)}
        for label, dash in dashes.items()
        if dash
    ]
    return {
        "orient": "top",
        "symbolType": "stroke",
        "symbolStrokeWidth": 2,
        "symbolSize": 300,
        "encode": {"symbols": {"update": {"strokeDash": [*tests, {"value": []}]}}},
    }
