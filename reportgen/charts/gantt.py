"""Altair timelines: one lane per allocation (or packed lanes), a bar for what it ran, a
light bar for what it requested, and the nodes its jobs used drawn inside, as plain
Vega-Lite dicts with inline data (added after `to_dict()`, as in `steps.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import altair as alt
import numpy as np

from reportgen.charts.layers import CONFIG
from reportgen.charts.reduce import reduce_steps
from reportgen.charts.timeaxis import axis_positions, time_labels
from reportgen.source.tables import NO_TIME, Floats, Ints, Mask
from reportgen.spec.model import Chart, TimeAxis

STATE_COLORS = {
    "running": "#1f6fb4",
    "finished": "#2a8c4a",
    "pending_deletion": "#d55e00",
    "queued": "#e69f00",
    "pending_submission": "#cc79a7",
    "submit_failed": "#b22222",
}
OTHER_COLOR = "#777777"
OPEN, ENDED = "open at the as-of time", "ended"
LANE_PX, MAX_PX = 14, 1500
"""Lanes are 14 px tall while that fits in 1500 px (more lanes: thinner)."""
LABEL_PX = 12
"""Lanes thinner than this carry no text label (the tooltip has it)."""


@dataclass(frozen=True)
class Lanes:
    """One run's drawn allocations (in lane order: by start) and the use inside them."""

    name: str
    """The run's name, shown above its timeline when there are several."""
    window: tuple[int, int]
    start: Ints
    end: Ints
    requested_end: Ints
    is_open: Mask
    lane: Ints
    lanes: int
    state: tuple[str, ...]
    labels: tuple[str, ...]
    tooltips: tuple[dict[str, str], ...]
    tooltip_titles: tuple[tuple[str, str], ...]
    """Each tooltip field and its title, in order."""
    nodes: Ints
    use: tuple[Ints, Ints, Floats] | None
    """(allocation index, times, nodes in use), by allocation then time."""
    notes: tuple[str, ...] = ()
    """Lines under the key (e.g. that lanes are packed)."""


def gantt_spec(
    chart: Chart, runs: list[Lanes], axis: TimeAxis, interactive: bool
) -> dict[str, Any]:
    """One timeline per run, stacked; a run's lanes run down from its earliest allocation."""
    datasets: dict[str, list[dict[str, Any]]] = {}
    states = sorted({s for run in runs for s in run.state}, key=_state_rank)
    scale = alt.Scale(domain=states, range=[STATE_COLORS.get(s, OTHER_COLOR) for s in states])
    legend = alt.Legend(orient="top", symbolType="square")
    color = alt.Color("state:N", title="State", scale=scale, legend=legend)
    stroke = alt.Stroke("state:N", scale=scale, legend=None)
    single_title = "" if interactive or len(runs) > 1 else chart.title
    charts = [
        _run_chart(
            chart,
            run,
            f"{chart.id}-{i}",
            axis,
            (color, stroke),
            datasets,
            interactive,
            single_title,
        )
        for i, run in enumerate(runs)
    ]
    whole: Any = charts[0] if len(charts) == 1 else alt.vconcat(*charts)
    if not interactive and len(runs) > 1:
        whole = whole.properties(title=chart.title)
    spec: dict[str, Any] = whole.to_dict()
    spec["datasets"] = datasets
    spec["config"] = CONFIG
    spec["background"] = "white"
    return spec


def _state_rank(state: str) -> tuple[int, str]:
    names = list(STATE_COLORS)
    return (names.index(state), "") if state in names else (len(names), state)


def lane_height(lanes: int, minimum: int) -> tuple[int, float]:
    """The plot's height in px and a lane's."""
    height = max(minimum, min(lanes * LANE_PX, MAX_PX))
    return height, height / max(lanes, 1)


@dataclass(frozen=True)
class _Channels:
    x: Any
    y: Any
    color: alt.Color
    stroke: alt.Stroke


def _run_chart(
    chart: Chart,
    run: Lanes,
    name: str,
    axis: TimeAxis,
    paints: tuple[alt.Color, alt.Stroke],
    datasets: dict[str, list[dict[str, Any]]],
    interactive: bool,
    title: str,
) -> Any:
    """One run's lanes: bars, requested time, use inside, labels, the as-of rule."""
    start, as_of = run.window
    height, lane_px = lane_height(run.lanes, chart.height)
    temporal = axis.kind != "elapsed_minutes"
    x = alt.X(
        "x:T" if temporal else "x:Q",
        title=axis.label,
        scale=alt.Scale(type="utc") if temporal else alt.Undefined,
    )
    lanes = alt.Scale(domain=[0, max(run.lanes, 1)], reverse=True, nice=False, zero=False)
    color = paints[0]
    channels = _Channels(x, alt.Y("y:Q", axis=None, scale=lanes), *paints)
    datasets[f"{name}-bars"] = _bars(run, axis, start)
    datasets[f"{name}-ghosts"] = _ghosts(run, axis, start)
    layers = _bar_layers(run, name, channels, interactive)
    if run.use is not None:
        datasets[f"{name}-use"] = _use_points(run, axis, start, chart.width)
        used = alt.Chart(alt.NamedData(name=f"{name}-use")).encode(
            x=x, y=channels.y, y2=alt.Y2("y2"), detail="a:N", color=color
        )
        layers.append(used.mark_area(interpolate="step-after", opacity=0.9))
    if lane_px >= LABEL_PX:
        datasets[f"{name}-labels"] = _labels(run, axis, start, chart.width)
        text = alt.Chart(alt.NamedData(name=f"{name}-labels")).encode(
            x=x, y=channels.y, text="text:N"
        )
        sides: tuple[tuple[str, Literal["left", "right"], int], ...] = (
            ("left", "right", -4),
            ("in", "left", 3),
        )
        for side, align, dx in sides:
            layers.append(
                text.transform_filter(alt.datum.side == side).mark_text(
                    align=align, baseline="middle", dx=dx, fontSize=10, color="#111111"
                )
            )
        datasets[f"{name}-open"] = _open_ends(run, axis, start)
        ends = alt.Chart(alt.NamedData(name=f"{name}-open")).encode(x=x, y=channels.y)
        layers.append(ends.mark_point(shape="triangle-right", filled=True, size=70, color="#111"))
    datasets[f"{name}-as-of"] = [
        {
            "x": axis_positions(np.array([as_of]), axis, start)[0],
            "label": "as of " + time_labels(np.array([as_of]), axis)[0],
        }
    ]
    rule = alt.Chart(alt.NamedData(name=f"{name}-as-of")).encode(x=x)
    layers.append(rule.mark_rule(strokeDash=[4, 3], color="#666666"))
    layers.append(
        rule.mark_text(
            align="right", baseline="bottom", dy=-3, fontSize=10, color="#444444"
        ).encode(text="label:N", y=alt.value(0))
    )
    layered = alt.layer(*layers).properties(width=chart.width, height=height)
    return layered.properties(title=alt.TitleParams(run.name or title, subtitle=[KEY, *run.notes]))


KEY = (
    "Bar: start to end (dashed, with an arrowhead: still running, drawn to the as-of time); "
    "pale dotted bar: the rest of the requested wall time"
)


def _bar_layers(run: Lanes, name: str, c: _Channels, interactive: bool) -> list[Any]:
    """The requested time (behind), then the bars with their tooltips; a bar is pale where
    its jobs' use is drawn over it, solid otherwise."""
    spans = {"x": c.x, "x2": alt.X2("x2"), "y": c.y, "y2": alt.Y2("y2")}
    tooltip = [alt.Tooltip(f"{key}:N", title=title) for key, title in run.tooltip_titles]
    dash = alt.StrokeDash(
        "allocation:N", scale=alt.Scale(domain=[ENDED, OPEN], range=[[1, 0], [4, 2]]), legend=None
    )
    ghost = alt.Chart(alt.NamedData(name=f"{name}-ghosts")).encode(**spans)
    bars = alt.Chart(alt.NamedData(name=f"{name}-bars")).encode(**spans)
    return [
        bars.mark_rect(
            fillOpacity=0.3 if run.use is not None else 0.85, stroke="#222222", strokeWidth=1.2
        ).encode(color=c.color, strokeDash=dash, **({"tooltip": tooltip} if interactive else {})),
        ghost.mark_rect(fillOpacity=0.12, strokeWidth=1, strokeDash=[2, 2]).encode(
            color=c.color, stroke=c.stroke
        ),
    ]


def _bars(run: Lanes, axis: TimeAxis, start: int) -> list[dict[str, Any]]:
    xs = axis_positions(run.start, axis, start)
    x2s = axis_positions(run.end, axis, start)
    return [
        {
            "x": x,
            "x2": x2,
            "y": lane + 0.1,
            "y2": lane + 0.9,
            "state": state,
            "allocation": OPEN if is_open else ENDED,
            **tip,
        }
        for x, x2, lane, state, is_open, tip in zip(
            xs, x2s, run.lane.tolist(), run.state, run.is_open.tolist(), run.tooltips, strict=True
        )
    ]


def _ghosts(run: Lanes, axis: TimeAxis, start: int) -> list[dict[str, Any]]:
    """The requested spans reaching past what was drawn (a bar covers the rest)."""
    known = np.flatnonzero((run.requested_end != NO_TIME) & (run.requested_end > run.end))
    xs = axis_positions(run.end[known], axis, start)
    x2s = axis_positions(run.requested_end[known], axis, start)
    return [
        {
            "x": x,
            "x2": x2,
            "y": int(run.lane[i]) + 0.1,
            "y2": int(run.lane[i]) + 0.9,
            "state": run.state[i],
        }
        for x, x2, i in zip(xs, x2s, known.tolist(), strict=True)
    ]


def _labels(run: Lanes, axis: TimeAxis, start: int, width: int) -> list[dict[str, Any]]:
    """Each bar's label where it fits (about 6 px per character): left of the bar, in the
    lane's free space before it, else inside the bar, else none (the tooltip has it)."""
    px = width / max(_right_edge(run, start) - start, 1)
    taken = np.where(
        run.requested_end == NO_TIME, run.end, np.maximum(run.end, run.requested_end)
    ).tolist()
    free_from: dict[int, int] = {}
    xs = axis_positions(run.start, axis, start)
    labels = []
    for i, (lane, s, e) in enumerate(
        zip(run.lane.tolist(), run.start.tolist(), run.end.tolist(), strict=True)
    ):
        need = len(run.labels[i]) * 6 + 8
        before = (s - free_from.get(lane, start)) * px
        free_from[lane] = taken[i]
        if before >= need:
            labels.append({"x": xs[i], "y": lane + 0.5, "text": run.labels[i], "side": "left"})
        elif (e - s) * px >= need:
            labels.append({"x": xs[i], "y": lane + 0.5, "text": run.labels[i], "side": "in"})
    return labels


def _open_ends(run: Lanes, axis: TimeAxis, start: int) -> list[dict[str, Any]]:
    """A marker at the as-of end of each bar still open there."""
    open_ = np.flatnonzero(run.is_open)
    xs = axis_positions(run.end[open_], axis, start)
    return [{"x": x, "y": int(run.lane[i]) + 0.5} for x, i in zip(xs, open_.tolist(), strict=True)]


def _right_edge(run: Lanes, start: int) -> int:
    known = run.requested_end[run.requested_end != NO_TIME]
    return max(run.window[1], int(known.max()) if known.size else start)


def _use_points(run: Lanes, axis: TimeAxis, start: int, width: int) -> list[dict[str, Any]]:
    """Each allocation's use as a step area from its bar's bottom, the bar's height standing
    for its nodes (capped there), clipped to the bar and reduced to its pixel columns."""
    assert run.use is not None
    group, times, values = run.use
    bounds = np.searchsorted(group, np.arange(len(run.start) + 1))
    span = max(_right_edge(run, start) - start, 1)
    points: list[dict[str, Any]] = []
    for i in range(len(run.start)):
        t, v = times[bounds[i] : bounds[i + 1]], values[bounds[i] : bounds[i + 1]]
        s, e = int(run.start[i]), int(run.end[i])
        if not t.size or e <= s:
            continue
        before, inside = t <= s, (t > s) & (t < e)
        first = float(v[before][-1]) if before.any() else 0.0
        t, v = t[inside], v[inside]
        keep = reduce_steps(t, v, s, e, max(2, int((e - s) / span * width)))
        t, v = t[keep], v[keep]
        stamps = np.r_[s, t, e].astype(np.int64)
        levels = np.r_[first, v, v[-1] if v.size else first]
        base = int(run.lane[i]) + 0.9
        share = np.minimum(levels / max(int(run.nodes[i]), 1), 1.0)
        for x, top in zip(
            axis_positions(stamps, axis, start), (base - 0.8 * share).tolist(), strict=True
        ):
            points.append({"x": x, "y": top, "y2": base, "a": i, "state": run.state[i]})
    return points
