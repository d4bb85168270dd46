"""Altair timelines: one lane per allocation (or packed lanes), a bar for what it ran, a
light bar for what it requested, and the nodes its jobs used drawn inside, as plain
Vega-Lite dicts with inline data (added after `to_dict()`, as in `steps.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import altair as alt

from reportgen.charts import lanes
from reportgen.charts.asof import as_of_dataset, as_of_layers
from reportgen.charts.lanes import Lanes
from reportgen.charts.layers import CONFIG
from reportgen.charts.palette import BLUE, GREEN, ORANGE, PURPLE, VERMILLION, grey, shade
from reportgen.charts.reduce import PAGE_COLUMNS
from reportgen.spec.model import Chart, TimeAxis

STATE_COLORS = {
    "running": BLUE,
    "finished": GREEN,
    "pending_deletion": VERMILLION,
    "queued": ORANGE,
    "pending_submission": PURPLE,
    "submit_failed": shade(VERMILLION, 0.3),
}
OTHER_COLOR = grey(0.47)
LANE_PX, WIDE_LANE_PX, MAX_PX = 14, 28, 1500
"""Lanes are 14 to 28 px tall while that fits in 1500 px (more lanes: thinner)."""
LABEL_PX = 12
"""Lanes thinner than this carry no text label (the tooltip has it)."""
DENSE_PX = 6
"""Lanes thinner than this are drawn plainly: no outlines or markers, and each allocation's
mean use instead of its steps (more would not show, and would slow every render)."""


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
    columns = max(chart.width, PAGE_COLUMNS) if interactive else chart.width
    shared = lanes.frame(runs, axis, chart.width, columns)
    charts = [
        _run_chart(
            chart,
            run,
            f"{chart.id}-{i}",
            _Axis(axis, shared, first=i == 0),
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
    spec: dict[str, Any] = whole.to_dict(validate=False)
    spec["datasets"] = datasets
    spec["config"] = CONFIG
    spec["background"] = "white"
    return spec


def _state_rank(state: str) -> tuple[int, str]:
    names = list(STATE_COLORS)
    return (names.index(state), "") if state in names else (len(names), state)


def lane_height(lanes: int, wanted: int) -> tuple[int, float]:
    """The plot's height in px and a lane's: the chart's height shared by the lanes, each
    between LANE_PX and WIDE_LANE_PX tall, the whole at most MAX_PX (then thinner)."""
    count = max(lanes, 1)
    lane = min(max(wanted / count, LANE_PX), WIDE_LANE_PX)
    height = min(round(lane * count), MAX_PX)
    return height, height / count


@dataclass(frozen=True)
class _Axis:
    """The time axis, the frame the runs share, and whether this run's chart comes first
    (it carries the key)."""

    axis: TimeAxis
    frame: lanes.Frame
    first: bool


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
    where: _Axis,
    paints: tuple[alt.Color, alt.Stroke],
    datasets: dict[str, list[dict[str, Any]]],
    interactive: bool,
    title: str,
) -> Any:
    """One run's lanes: bars, requested time, use inside, labels, the as-of rule."""
    axis, frame = where.axis, where.frame
    height, lane_px = lane_height(run.lanes, chart.height)
    temporal = axis.kind != "elapsed_minutes"
    domain = frame.domain(run, axis)
    x = alt.X(
        "x:T" if temporal else "x:Q",
        title=axis.label,
        scale=alt.Scale(type="utc" if temporal else "linear", domain=domain, nice=False),
    )
    scale = alt.Scale(domain=[0, max(run.lanes, 1)], reverse=True, nice=False, zero=False)
    c = _Channels(x, alt.Y("y:Q", axis=None, scale=scale), *paints)
    dense = lane_px < DENSE_PX
    # thin lanes have no outlines: a pixel's gap keeps bars meeting on a lane apart
    gap = int(1 / frame.px) if dense else 0
    datasets[f"{name}-bars"] = _paint(lanes.bars(run, axis, interactive, gap), 0.3)
    datasets[f"{name}-ghosts"] = _paint(lanes.ghosts(run, axis, gap), 0.14)
    layers = _bar_layers(run, name, c, interactive, dense)
    if run.use is not None:
        layers.append(_use_layer(run, name, c, where, dense, datasets))
    if run.estimated is not None and run.estimated.any():
        datasets[f"{name}-hatch"] = lanes.hatches(run, axis, frame, lane_px)
        hatch = alt.Chart(alt.NamedData(name=f"{name}-hatch")).encode(
            x=c.x, x2=alt.X2("x2"), y=c.y, y2=alt.Y2("y2")
        )
        # a white edge keeps the dark lines visible over the filled use too, in grey print
        layers.append(hatch.mark_rule(color="#ffffff", strokeWidth=2.2))
        layers.append(hatch.mark_rule(color="#222222", strokeWidth=0.8))
    if lane_px >= LABEL_PX:
        layers += _label_layers(run, name, c, where, datasets)
    layers += _as_of_layers(run, name, c, axis, datasets)
    # the pale fills are colours given in the data: their channel must not take the legend
    layered = (
        alt.layer(*layers)
        .resolve_scale(fill="independent", color="independent")
        .properties(width=chart.width, height=height)
    )
    return _titled(layered, run, where, dense, title)


def _titled(layered: Any, run: Lanes, where: _Axis, dense: bool, title: str) -> Any:
    """The run's name (or the image's title) over the key (the first run's) and notes."""
    lines = [DENSE_KEY if dense else KEY, *run.notes] if where.first else list(run.notes)
    if run.estimated is not None and run.estimated.any():
        lines.append(HATCHED)
    if run.use is not None and where.first:
        lines.append(DENSE_USE if dense else USE)
    if run.name or title:
        return layered.properties(title=alt.TitleParams(run.name or title, subtitle=lines))
    # the page shows the chart's title as its heading: the key stands alone
    return layered.properties(
        title=alt.TitleParams(lines, fontSize=12, color="#333333", anchor="start")
    )


KEY = (
    "Bar: start to end (dashed, with an arrowhead: still running, drawn to the as-of time); "
    "pale dotted bar: the rest of the requested wall time"
)
HATCHED = (
    "Hatched bar: its start is estimated (no start_time yet): its jobs' first entry into RUNNING"
)
USE = "Filled area inside a bar: the nodes its jobs were running (full height: all its nodes)"
DENSE_USE = (
    "Filled part of a bar: the mean of the nodes its jobs were running (full height: all its nodes)"
)
DENSE_KEY = (
    "Bar: start to end (those reaching the as-of line are still running); pale bar: the rest "
    "of the requested wall time"
)


def _bar_layers(run: Lanes, name: str, c: _Channels, interactive: bool, dense: bool) -> list[Any]:
    """The bars with their tooltips, then the requested time; a bar is pale where its jobs'
    use is drawn over it, solid otherwise; thin lanes have no outlines."""
    spans = {"x": c.x, "x2": alt.X2("x2"), "y": c.y, "y2": alt.Y2("y2")}
    tooltip = [alt.Tooltip(f"{key}:N", title=title) for key, title in run.tooltip_titles]
    ghost = alt.Chart(alt.NamedData(name=f"{name}-ghosts")).encode(**spans)
    bars = alt.Chart(alt.NamedData(name=f"{name}-bars")).encode(**spans)
    # pale colours are blended with white here, not drawn translucent: 10^4 translucent
    # rectangles take vl-convert a quarter longer to rasterize
    paint = alt.Fill("paint:N", scale=None, legend=None)
    bar_paint = {"fill": paint} if run.use is not None else {"color": c.color}
    extra = {"tooltip": tooltip} if interactive else {}
    if dense:
        return [bars.mark_rect().encode(**bar_paint, **extra), ghost.mark_rect().encode(fill=paint)]
    # a rect takes no strokeDash channel (Vega-Lite drops it): the open bars are their own layer
    outline: dict[str, Any] = {"stroke": "#222222", "strokeWidth": 1.2}
    return [
        bars.transform_filter(alt.datum.allocation == lanes.ENDED)
        .mark_rect(**outline)
        .encode(**bar_paint, **extra),
        bars.transform_filter(alt.datum.allocation == lanes.OPEN)
        .mark_rect(**outline, strokeDash=[4, 2])
        .encode(**bar_paint, **extra),
        ghost.mark_rect(strokeWidth=1, strokeDash=[2, 2]).encode(fill=paint, stroke=c.stroke),
    ]


def pale(color: str, share: float) -> str:
    """`color` at opacity `share` over white, as an opaque colour."""
    rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(v * share + 255 * (1 - share)):02x}" for v in rgb)


def _paint(points: list[dict[str, Any]], share: float) -> list[dict[str, Any]]:
    for point in points:
        point["paint"] = pale(STATE_COLORS.get(point["state"], OTHER_COLOR), share)
    return points


def _use_layer(
    run: Lanes,
    name: str,
    c: _Channels,
    where: _Axis,
    dense: bool,
    datasets: dict[str, list[dict[str, Any]]],
) -> Any:
    """The nodes in use inside each bar: steps, or on thin lanes the mean."""
    if dense:
        datasets[f"{name}-use"] = lanes.use_means(run, where.axis)
        means = alt.Chart(alt.NamedData(name=f"{name}-use")).encode(
            x=c.x, x2=alt.X2("x2"), y=c.y, y2=alt.Y2("y2"), color=c.color
        )
        return means.mark_rect()
    datasets[f"{name}-use"] = lanes.use_steps(run, where.axis, where.frame)
    steps = alt.Chart(alt.NamedData(name=f"{name}-use")).encode(
        x=c.x, y=c.y, y2=alt.Y2("y2"), detail="a:N", color=c.color
    )
    return steps.mark_area(interpolate="step-after")


def _label_layers(
    run: Lanes,
    name: str,
    c: _Channels,
    where: _Axis,
    datasets: dict[str, list[dict[str, Any]]],
) -> list[Any]:
    """Labels beside their bars (or inside), and a marker at each still-open end."""
    datasets[f"{name}-labels"] = lanes.labels(run, where.axis, where.frame)
    text = alt.Chart(alt.NamedData(name=f"{name}-labels")).encode(x=c.x, y=c.y, text="text:N")
    sides: tuple[tuple[str, Literal["left", "right"], int], ...] = (
        ("left", "right", -4),
        ("right", "left", 4),
        ("in", "left", 3),
    )
    found = [
        text.transform_filter(alt.datum.side == side).mark_text(
            align=align, baseline="middle", dx=dx, fontSize=10, color="#111111"
        )
        for side, align, dx in sides
    ]
    datasets[f"{name}-open"] = lanes.open_ends(run, where.axis)
    ends = alt.Chart(alt.NamedData(name=f"{name}-open")).encode(x=c.x, y=c.y)
    return [*found, ends.mark_point(shape="triangle-right", filled=True, size=70, color="#111")]


def _as_of_layers(
    run: Lanes, name: str, c: _Channels, axis: TimeAxis, datasets: dict[str, list[dict[str, Any]]]
) -> list[Any]:
    start, as_of = run.window
    datasets[f"{name}-as-of"] = as_of_dataset(as_of, axis, start)
    return as_of_layers(f"{name}-as-of", c.x)
