"""The page's exploration of a chart over time: a rule and a tooltip at the step in effect
under the pointer, and zoom and pan of the x axis (a double-click resets it). Page only:
the exported images are drawn from specs without these layers, so their bytes do not change.

A step-after series holds its value until its next change, so the value at any x is that of
its last change at or before x. The hover table says so with geometry instead of a search in
the browser: one row per interval between consecutive change points (over every series
of the chart), drawn as an invisible band from `x` to `x2` across the plot. Wherever the
pointer is inside a band, that band's row, the values of every series in effect there, is
the tooltip, and the rule stands at the band's start, the change that made them.

The rows are computed from the page's own drawn points (reduced to `PAGE_COLUMNS` columns,
see `charts/reduce.py`), not from the full series, and that is right: the tooltip then says
what the line under the pointer shows, never a value the reader cannot see. The reduction
keeps, per pixel column, the first and last points and each extreme, so the value in effect
at every column's end is the full series' own, and no peak or dip a tooltip could name is
lost; only changes inside one column of 1600 between its extremes are merged, as the line
itself merges them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import altair as alt
import numpy as np

from reportgen.charts.timeaxis import axis_positions, time_labels
from reportgen.source.tables import Floats, Ints
from reportgen.spec.model import TimeAxis

OUTSIDE = "—"
"""What a series' value (or its run's clock) reads outside its run's window: a run
overlaid on a longer one has none after its as-of time (the tooltip lists every field)."""


@dataclass(frozen=True)
class Track:
    """One series as drawn: its points' instants (microseconds, ascending) and values."""

    label: str
    times: Ints
    values: Floats
    integral: bool
    window: tuple[int, int]
    """Its run's start (its elapsed-time origin) and as-of time."""
    run: str = ""


def hover_rows(tracks: list[Track], axis: TimeAxis) -> list[dict[str, Any]]:
    """One row per interval between consecutive drawn changes of any track: `x`, `x2` (its
    ends on the x axis), its start's elapsed minutes and UTC time (per run when the runs'
    clocks differ on this axis), and each track's value in effect (`v0`, `v1`, ... in the
    tracks' order; `OUTSIDE` outside that track's window), with thousands separators."""
    if not tracks:
        return []
    elapsed = axis.kind == "elapsed_minutes"
    keys = np.unique(np.concatenate([_keys(t, elapsed) for t in tracks]))
    if keys.size < 2:
        return []
    xs = axis_positions(keys, axis, 0)
    windows = _windows(tracks)
    rows: list[dict[str, Any]] = [{"x": a, "x2": b} for a, b in pairwise(xs)]
    starts = keys[:-1]
    for name, texts in _clock_fields(starts, windows, axis):
        for row, text in zip(rows, texts, strict=True):
            row[name] = text or OUTSIDE
    for index, track in enumerate(tracks):
        for row, text in zip(rows, _values_in_effect(track, starts, elapsed), strict=True):
            row[f"v{index}"] = text or OUTSIDE
    return rows


def _windows(tracks: list[Track]) -> list[tuple[tuple[int, int], str]]:
    """Each distinct window once, with its run's name, in the tracks' order."""
    named: dict[tuple[int, int], str] = {}
    for track in tracks:
        named.setdefault(track.window, track.run)
    return list(named.items())


def _keys(track: Track, elapsed: bool) -> Ints:
    """Where a track's changes stand on the axis, in microseconds: since its own start on an
    elapsed axis (runs overlay from 0), else the instants themselves."""
    keys: Ints = track.times - track.window[0] if elapsed else track.times
    return keys


def _instants(keys: Ints, window: tuple[int, int], elapsed: bool) -> Ints:
    instants: Ints = keys + window[0] if elapsed else keys
    return instants


def _values_in_effect(track: Track, keys: Ints, elapsed: bool) -> list[str]:
    """The track's value at each key: that of its last drawn change at or before it, within
    its window ('' outside it: before its start or from its as-of time on)."""
    instants = _instants(keys, track.window, elapsed)
    index = np.searchsorted(track.times, instants, side="right") - 1
    inside = (index >= 0) & (instants >= track.window[0]) & (instants < track.window[1])
    values = track.values[np.maximum(index, 0)] if track.times.size else np.zeros(keys.size)
    return [
        number(float(v), track.integral) if ok else ""
        for v, ok in zip(values.tolist(), inside.tolist(), strict=True)
    ]


def _clock_fields(
    keys: Ints, windows: list[tuple[tuple[int, int], str]], axis: TimeAxis
) -> list[tuple[str, list[str]]]:
    """(field, texts) for the elapsed minutes, the UTC time and (on a zone axis) the zone's
    time at each key: once when every run shares it, else once per run, named `..._<i>`."""
    elapsed = axis.kind == "elapsed_minutes"
    fields: list[tuple[str, list[str]]] = []
    shared = len(windows) == 1
    for index, (window, _) in enumerate(windows if not shared else windows[:1]):
        instants = _instants(keys, window, elapsed)
        inside = (instants >= window[0]) & (instants < window[1])
        suffix = "" if shared else f"_{index}"
        minutes = [f"{(t - window[0]) / 60e6:,.2f} min" for t in instants.tolist()]
        utc = time_labels(instants, TimeAxis("utc"), "us")
        zone = time_labels(instants, axis, "us") if axis.kind == "zone" else None
        if shared or not elapsed:
            fields.append((f"elapsed{suffix}", _where(minutes, inside)))
        if shared or elapsed:
            fields.append((f"utc{suffix}", _where(utc, inside)))
            if zone is not None:
                fields.append((f"zone{suffix}", _where(zone, inside)))
    if not shared:  # the clock every run shares on this axis, once
        if elapsed:
            fields.insert(0, ("elapsed", [f"{k / 60e6:,.2f} min" for k in keys.tolist()]))
        else:
            fields.insert(0, ("utc", time_labels(keys, TimeAxis("utc"), "us")))
            if axis.kind == "zone":
                fields.insert(1, ("zone", time_labels(keys, axis, "us")))
    return fields


def _where(texts: list[str], inside: Any) -> list[str]:
    return [t if ok else "" for t, ok in zip(texts, inside.tolist(), strict=True)]


def number(value: float, integral: bool) -> str:
    """`1,234` or `1,234.5`: thousands separators, up to 6 decimals, no trailing zeros."""
    if integral:
        return f"{int(value):,}"
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def tooltip_fields(tracks: list[Track], axis: TimeAxis, names: list[str]) -> list[dict[str, str]]:
    """The tooltip's lines: the clocks, then each track's value titled by `names` (how the
    legend, or with one series the axis, names it)."""
    elapsed = axis.kind == "elapsed_minutes"
    windows = _windows(tracks)
    shared = len(windows) == 1
    zone = f"Time ({axis.zone})" if axis.kind == "zone" else ""
    lines: list[tuple[str, str]] = []
    if shared:
        lines += [("elapsed", "Elapsed"), ("utc", "Time (UTC)")] + (
            [("zone", zone)] if zone else []
        )
    else:
        lines += [("elapsed", "Elapsed")] if elapsed else [("utc", "Time (UTC)")]
        lines += [("zone", zone)] if zone and not elapsed else []
        for index, (_, run) in enumerate(windows):
            if elapsed:
                lines.append((f"utc_{index}", f"Time (UTC), {run}"))
                lines += [(f"zone_{index}", f"{zone}, {run}")] if zone else []
            else:
                lines.append((f"elapsed_{index}", f"Elapsed, {run}"))
    lines += [(f"v{i}", name) for i, name in enumerate(names)]
    return [{"field": field, "type": "nominal", "title": title} for field, title in lines]


def param_name(prefix: str, dataset: str) -> str:
    """A selection's name, unique within a spec and usable in Vega expressions."""
    return prefix + "_" + re.sub(r"\W", "_", dataset)


def hover_layers(
    dataset: str, x: alt.X, tooltip: list[dict[str, str]], ink: str = "#444444"
) -> list[Any]:
    """The invisible bands carrying the tooltip (and the x zoom, bound to the scales: drag
    pans, the wheel zooms, a double-click resets), and the rule at the band under the pointer.
    Both are left out of the accessibility tree: the chart's label and its table say what
    they would (thousands of unnamed bands would only bury it)."""
    hover = alt.selection_point(
        name=param_name("hover", dataset),
        on="pointerover",
        clear="pointerout",
        fields=["x"],
        empty=False,
    )
    zoom = alt.selection_interval(name=param_name("zoom", dataset), encodings=["x"], bind="scales")
    base = alt.Chart(alt.NamedData(name=dataset))
    bands = (
        base.mark_rect(opacity=0, color=ink, aria=False)
        .encode(
            x=x,
            x2=alt.X2("x2"),
            tooltip=[alt.Tooltip(t["field"], type="nominal", title=t["title"]) for t in tooltip],
        )
        .add_params(hover, zoom)
        .properties(name=param_name("view", dataset))  # Altair's own names count views
    )
    rule = base.mark_rule(color=ink, strokeWidth=1, aria=False).encode(x=x).transform_filter(hover)
    return [bands, rule]
