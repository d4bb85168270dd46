"""Altair bar charts: one bar per category and group (groups side by side), as plain
Vega-Lite dicts with inline data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt

from reportgen.charts.layers import CONFIG
from reportgen.charts.palette import RUN_COLORS
from reportgen.spec.model import Chart


@dataclass(frozen=True)
class BarData:
    """Categories in order, each with one value per named group."""

    categories: tuple[str, ...]
    values: dict[str, tuple[float, ...]]
    integral: bool


def bars_points(chart: Chart, bars: BarData) -> dict[str, list[dict[str, Any]]]:
    """The chart's one dataset: a row per category and group."""
    cast = int if bars.integral else float
    rows = [
        {"category": category, "group": group, "value": cast(value)}
        for group, values in bars.values.items()
        for category, value in zip(bars.categories, values, strict=True)
    ]
    return {f"{chart.id}-bars": rows}


def bars_spec(chart: Chart, bars: BarData, y_title: str, interactive: bool) -> dict[str, Any]:
    """Bars in the categories' order; several groups stand side by side, coloured, with a
    legend. `interactive` adds tooltips (the page); images get the title (files)."""
    groups = list(bars.values)
    several = len(groups) > 1
    encoding: dict[str, Any] = {
        "x": alt.X("category:N", sort=list(bars.categories), title=None),
        "y": alt.Y(
            "value:Q",
            title=y_title,
            axis=alt.Axis(tickMinStep=1, format=",d") if bars.integral else alt.Undefined,
        ),
        "color": alt.Color(
            "group:N",
            title=None,
            scale=alt.Scale(domain=groups, range=list(RUN_COLORS[: len(groups)])),
            legend=alt.Legend(orient="top") if several else None,
        ),
    }
    if several:
        encoding["xOffset"] = alt.XOffset("group:N", sort=groups)
    if interactive:
        encoding["tooltip"] = [
            alt.Tooltip("category:N", title="Category"),
            *([alt.Tooltip("group:N", title="Run")] if several else []),
            alt.Tooltip("value:Q", title=y_title, format=",d" if bars.integral else ",.3f"),
        ]
    bar = alt.Chart(alt.NamedData(name=f"{chart.id}-bars")).mark_bar().encode(**encoding)
    layered = bar.properties(width=chart.width, height=chart.height)
    if not interactive:
        layered = layered.properties(title=chart.title)
    spec: dict[str, Any] = layered.to_dict(validate=False)
    spec["datasets"] = bars_points(chart, bars)
    spec["config"] = CONFIG
    spec["background"] = "white"
    return spec
