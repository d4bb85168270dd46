"""How kinds describe what to draw, without importing Altair (that happens only when drawing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportgen.analytics.steps import StepSeries
from reportgen.charts.palette import BLUE, GREEN, ORANGE, PURPLE, YELLOW, grey, shade, tint

CONFIG: dict[str, Any] = {
    "font": "Liberation Sans, DejaVu Sans, Arial, sans-serif",
    "view": {"stroke": None},
    # one font weight everywhere: a second font makes vl-convert's PDFs differ run to run
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": 11, "titleFontWeight": "normal"},
    "title": {"fontSize": 15, "anchor": "start", "fontWeight": "normal"},
}


@dataclass(frozen=True)
class StepLayer:
    """One series of a step chart and how it is drawn (kinds choose; `steps.py` draws)."""

    series: StepSeries
    dataset: str
    """The name of its inline dataset, unique within the page."""
    label: str
    """Its name in the legend, tooltips and the points' `series` field."""
    color: str
    stroke: float
    window: tuple[int, int] | None = None
    """Its run's start (the elapsed-time origin) and as-of time, if not the chart's."""
    dash: tuple[int, ...] = ()
    """Its line's dashes (none: solid), so runs stay apart in greyscale."""


STATE_COLORS: dict[str, str] = {
    # waiting for something (to be ready, staged, run again): yellow to orange, darker later
    "CREATED": tint(YELLOW, 0.6),
    "AWAITING_PARENTS": tint(YELLOW, 0.3),
    "READY": YELLOW,
    "STAGED_IN": tint(ORANGE, 0.35),
    "PREPROCESSED": ORANGE,
    "RESTART_READY": shade(ORANGE, 0.35),
    # running: the blue of utilization
    "RUNNING": BLUE,
    # done, on the way out: greens
    "RUN_DONE": tint(GREEN, 0.6),
    "POSTPROCESSED": tint(GREEN, 0.3),
    "STAGED_OUT": GREEN,
    "JOB_FINISHED": shade(GREEN, 0.45),
    # errors: reddish purples
    "RUN_ERROR": tint(PURPLE, 0.45),
    "RUN_TIMEOUT": PURPLE,
    "FAILED": shade(PURPLE, 0.45),
}
"""One colour per Balsam job state, site-wide: a state looks the same in every chart.
Okabe-Ito hue families (yellow-orange, blue, green, purple) stay apart under the common
colour vision deficiencies, and lightness (tints and shades) orders the states within one."""

OTHER_STATE_COLORS = (grey(0.55), grey(0.71), grey(0.373), grey(0.824))
"""Greys for states Balsam does not define, in turn."""


def state_colors(names: list[str]) -> list[str]:
    """The colour of each state named: its own, or the next grey for an unknown one."""
    greys = iter(OTHER_STATE_COLORS * (1 + len(names) // len(OTHER_STATE_COLORS)))
    return [STATE_COLORS[n] if n in STATE_COLORS else next(greys) for n in names]


@dataclass(frozen=True)
class AreaStack:
    """Step series drawn as stacked step areas (the first at the bottom, the legend in the
    layers' order), optionally under a step line (`line`, e.g. the nodes available)."""

    layers: tuple[StepLayer, ...]
    """Only `series`, `label` and `color` of each are used; `dataset` names the stack's data."""
    dataset: str
    title: str = ""
    """Shown above the stack when a chart has several (one per run)."""
    window: tuple[int, int] | None = None
    line: StepLayer | None = None
    kept_edge: int = -1
    """The layer whose top edge keeps its extremes per pixel column when reduced: the
    stack's top, or e.g. the top of the busy layers under idle ones when a line (the nodes
    held) draws the top exactly."""
