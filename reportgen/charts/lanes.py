"""The points of an allocation timeline (no Altair): bars, requested time, labels, markers
and each allocation's use, laid out on the x axis and on lanes (a lane spans y to y + 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from reportgen.charts.reduce import reduce_steps
from reportgen.charts.timeaxis import axis_positions
from reportgen.source.tables import NO_TIME, Floats, Ints, Mask
from reportgen.spec.model import TimeAxis

OPEN, ENDED = "open at the as-of time", "ended"
BAR_TOP, BAR_BOTTOM = 0.1, 0.9
"""A bar fills its lane between these fractions (lanes run down the chart)."""

Points = list[dict[str, Any]]


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
    estimated: Mask | None = None
    """Whether each allocation's start is an estimate (drawn hatched); None: none is."""

    def taken_until(self) -> Ints:
        """When each lane's allocation frees it: its end, or its requested end if later."""
        requested = np.where(self.requested_end == NO_TIME, self.end, self.requested_end)
        taken: Ints = np.maximum(self.end, requested)
        return taken

    def right_edge(self) -> int:
        """The latest time drawn: the as-of time, or a later requested end."""
        return max(self.window[1], int(self.taken_until().max(initial=self.window[0])))


@dataclass(frozen=True)
class Frame:
    """The x axis every run's timeline shares, `width` pixels from `first` to `last`: times
    (microseconds), or on an elapsed axis times after each run's own start."""

    elapsed: bool
    first: int
    last: int
    width: int
    columns: int = 0
    """The pixel columns the use steps are reduced to (`width` if 0): the page's chart fills
    its card, so it is reduced for `PAGE_COLUMNS` as the other charts are."""

    @property
    def px(self) -> float:
        """Pixels per microsecond."""
        return self.width / max(self.last - self.first, 1)

    @property
    def reduce_px(self) -> float:
        """Reduction columns per microsecond."""
        return (self.columns or self.width) / max(self.last - self.first, 1)

    def left(self, run: Lanes) -> int:
        """The time at the plot's left edge, on this run's timeline."""
        return run.window[0] + self.first if self.elapsed else self.first

    def right(self, run: Lanes) -> int:
        return run.window[0] + self.last if self.elapsed else self.last

    def domain(self, run: Lanes, axis: TimeAxis) -> list[float]:
        return axis_positions(np.array([self.left(run), self.right(run)]), axis, run.window[0])


def frame(runs: list[Lanes], axis: TimeAxis, width: int, columns: int = 0) -> Frame:
    """From the earliest start to the latest as-of time or requested end (each run's own,
    on an elapsed axis); `columns` as `Frame` says."""
    if axis.kind == "elapsed_minutes":
        last = max(r.right_edge() - r.window[0] for r in runs)
        return Frame(True, 0, last, width, columns)
    first, last = min(r.window[0] for r in runs), max(r.right_edge() for r in runs)
    return Frame(False, first, last, width, columns)


def bars(run: Lanes, axis: TimeAxis, tooltips: bool, gap: int = 0) -> Points:
    """Each allocation's bar; with `gap` (time), those with no requested time after them end
    that much early, so bars meeting on a lane stay apart."""
    start = run.window[0]
    ends = np.where(run.taken_until() > run.end, run.end, _trimmed(run.start, run.end, gap))
    xs, x2s = axis_positions(run.start, axis, start), axis_positions(ends, axis, start)
    tips = run.tooltips if tooltips else ({},) * len(run.start)
    return [
        {
            "x": x,
            "x2": x2,
            "y": lane + BAR_TOP,
            "y2": lane + BAR_BOTTOM,
            "state": state,
            "allocation": OPEN if is_open else ENDED,
            **tip,
        }
        for x, x2, lane, state, is_open, tip in zip(
            xs, x2s, run.lane.tolist(), run.state, run.is_open.tolist(), tips, strict=True
        )
    ]


def ghosts(run: Lanes, axis: TimeAxis, gap: int = 0) -> Points:
    """The requested spans reaching past what was drawn (a bar covers the rest), `gap`
    short of their end."""
    start = run.window[0]
    known = np.flatnonzero((run.requested_end != NO_TIME) & (run.requested_end > run.end))
    xs = axis_positions(run.end[known], axis, start)
    x2s = axis_positions(_trimmed(run.end[known], run.requested_end[known], gap), axis, start)
    return [
        {"x": x, "x2": x2, "y": lane + BAR_TOP, "y2": lane + BAR_BOTTOM, "state": run.state[i]}
        for x, x2, i, lane in zip(xs, x2s, known.tolist(), run.lane[known].tolist(), strict=True)
    ]


def _trimmed(start: Ints, end: Ints, gap: int) -> Ints:
    """Ends moved `gap` earlier where the span is over twice that long."""
    trimmed: Ints = np.where(end - start > 2 * gap, end - gap, end)
    return trimmed


def labels(run: Lanes, axis: TimeAxis, frame: Frame) -> Points:
    """Each bar's label where it fits (about 6 px per character): in the lane's free space
    left of the bar, else right of its requested end, else inside the bar, else nowhere (the
    tooltip has it)."""
    start, px = run.window[0], frame.px
    taken = run.taken_until().tolist()
    lane = run.lane.tolist()
    free_before, free_after = _free_space(
        lane, run.start.tolist(), taken, frame.left(run), frame.right(run)
    )
    xs = axis_positions(run.start, axis, start)
    after = axis_positions(run.taken_until(), axis, start)
    found = []
    for i, text in enumerate(run.labels):
        need = (len(text) * 6 + 8) / px
        if free_before[i] >= need:
            found.append({"x": xs[i], "y": lane[i] + 0.5, "text": text, "side": "left"})
        elif free_after[i] >= need:
            found.append({"x": after[i], "y": lane[i] + 0.5, "text": text, "side": "right"})
        elif int(run.end[i]) - int(run.start[i]) >= need:
            found.append({"x": xs[i], "y": lane[i] + 0.5, "text": text, "side": "in"})
    return found


def _free_space(
    lane: list[int], start: list[int], taken: list[int], first: int, last: int
) -> tuple[list[int], list[int]]:
    """Per span, the free time on its lane before it and after it."""
    before, after = [0] * len(lane), [0] * len(lane)
    free_from: dict[int, int] = {}
    for i, number in enumerate(lane):
        before[i] = start[i] - free_from.get(number, first)
        free_from[number] = taken[i]
    next_start: dict[int, int] = {}
    for i in reversed(range(len(lane))):
        after[i] = next_start.get(lane[i], last) - taken[i]
        next_start[lane[i]] = start[i]
    return before, after


HATCH_PX = 6
"""The gap between a hatched bar's diagonal lines, in pixels."""


def hatches(run: Lanes, axis: TimeAxis, frame: Frame, lane_px: float) -> Points:
    """Diagonal lines (45 degrees at the chart's own width) across each bar whose start is
    estimated, `HATCH_PX` apart: segments from (x, y) to (x2, y2), clipped to the bar."""
    if run.estimated is None:
        return []
    height = (BAR_BOTTOM - BAR_TOP) * lane_px
    points: Points = []
    for i in np.flatnonzero(run.estimated).tolist():
        s, e = int(run.start[i]), int(run.end[i])
        width = (e - s) * frame.px
        bottom = int(run.lane[i]) + BAR_BOTTOM
        # the line u - v = c in the bar's pixels (u right from its start, v up from its bottom)
        for c in np.arange(-height + HATCH_PX / 2, width, HATCH_PX).tolist():
            v0, v1 = max(0.0, -c), min(height, width - c)
            if v1 <= v0:
                continue
            times = np.array([s + (c + v0) / frame.px, s + (c + v1) / frame.px]).round()
            x, x2 = axis_positions(times.astype(np.int64), axis, run.window[0])
            y, y2 = (round(bottom - v / lane_px, 6) for v in (v0, v1))
            points.append({"x": x, "x2": x2, "y": y, "y2": y2})
    return points


def open_ends(run: Lanes, axis: TimeAxis) -> Points:
    """A marker at the as-of end of each bar still open there."""
    open_ = np.flatnonzero(run.is_open)
    xs = axis_positions(run.end[open_], axis, run.window[0])
    return [{"x": x, "y": int(run.lane[i]) + 0.5} for x, i in zip(xs, open_.tolist(), strict=True)]


def _share(levels: Floats, nodes: int) -> Floats:
    """Nodes in use as a share of the allocation's (capped at all of them)."""
    share: Floats = np.minimum(levels / max(nodes, 1), 1.0)
    return share


def _inside(run: Lanes, i: int, bounds: Ints) -> tuple[float, Ints, Floats] | None:
    """Allocation i's use: its level at its start, then its changes inside its bar."""
    assert run.use is not None
    _, times, values = run.use
    t, v = times[bounds[i] : bounds[i + 1]], values[bounds[i] : bounds[i + 1]]
    s, e = int(run.start[i]), int(run.end[i])
    if not t.size or e <= s:
        return None
    before, inside = t <= s, (t > s) & (t < e)
    return (float(v[before][-1]) if before.any() else 0.0), t[inside], v[inside]


def use_steps(run: Lanes, axis: TimeAxis, frame: Frame) -> Points:
    """Each allocation's use as a step area up from its bar's bottom, the bar's height
    standing for its nodes, clipped to the bar and reduced to its pixel columns."""
    assert run.use is not None
    bounds = np.searchsorted(run.use[0], np.arange(len(run.start) + 1))
    px = frame.reduce_px
    points: Points = []
    for i in range(len(run.start)):
        found = _inside(run, i, bounds)
        if found is None:
            continue
        first, t, v = found
        s, e = int(run.start[i]), int(run.end[i])
        keep = reduce_steps(t, v, s, e, max(2, int((e - s) * px)))
        t, v = t[keep], v[keep]
        stamps = np.r_[s, t, e].astype(np.int64)
        levels = np.r_[first, v, v[-1] if v.size else first]
        base = int(run.lane[i]) + BAR_BOTTOM
        tops = (base - (BAR_BOTTOM - BAR_TOP) * _share(levels, int(run.nodes[i]))).tolist()
        xs = axis_positions(stamps, axis, run.window[0])
        points += [
            {"x": x, "y": top, "y2": base, "a": i, "state": run.state[i]}
            for x, top in zip(xs, tops, strict=True)
        ]
    return points


def use_means(run: Lanes, axis: TimeAxis) -> Points:
    """Each allocation's mean use over its bar (time-weighted), as a bar up from its bottom:
    what thin lanes show instead of the steps."""
    assert run.use is not None
    bounds = np.searchsorted(run.use[0], np.arange(len(run.start) + 1))
    xs, x2s = (
        axis_positions(run.start, axis, run.window[0]),
        axis_positions(run.end, axis, run.window[0]),
    )
    points: Points = []
    for i in range(len(run.start)):
        found = _inside(run, i, bounds)
        if found is None:
            continue
        first, t, v = found
        s, e = int(run.start[i]), int(run.end[i])
        widths = np.diff(np.r_[s, t, e]).astype(np.float64)
        mean = float(np.dot(np.r_[first, v], widths)) / (e - s)
        base = int(run.lane[i]) + BAR_BOTTOM
        top = base - (BAR_BOTTOM - BAR_TOP) * float(_share(np.array([mean]), int(run.nodes[i]))[0])
        points.append({"x": xs[i], "x2": x2s[i], "y": top, "y2": base, "state": run.state[i]})
    return points
