"""How kinds describe what to draw, without importing Altair (that happens only when drawing)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportgen.analytics.steps import StepSeries

CONFIG: dict[str, Any] = {
    "font": "Liberation Sans, DejaVu Sans, Arial, sans-serif",
    "view": {"stroke": None},
    # one font weight everywhere: a second font makes vl-convert's PDFs differ run to run
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": 11, "titleFontWeight": "normal"},
    "title": {"fontSize": 15, "anchor": "start", "fontWeight": "normal"},
}

RUN_COLORS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442")
"""Okabe and Ito's colour-blind-safe palette, for series that stand for runs."""


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


STATE_COLORS: dict[str, str] = {
    # waiting for something (to be ready, staged, run again): yellow to brown, darker later
    "CREATED": "#fee391",
    "AWAITING_PARENTS": "#fec44f",
    "READY": "#fe9929",
    "STAGED_IN": "#ec7014",
    "PREPROCESSED": "#b84a06",
    "RESTART_READY": "#7a2e0b",
    # running: the blue of utilization
    "RUNNING": "#1f6fb4",
    # done, on the way out: greens
    "RUN_DONE": "#a1d99b",
    "POSTPROCESSED": "#5bb76b",
    "STAGED_OUT": "#238b45",
    "JOB_FINISHED": "#00441b",
    # errors: pinks to purple
    "RUN_ERROR": "#f1a1d0",
    "RUN_TIMEOUT": "#d4419b",
    "FAILED": "#6a1b6f",
}
"""One colour per Balsam job state, site-wide: a state looks the same in every chart.
Hue families (yellow-brown, blue, green, pink-purple) stay apart under the common colour
vision deficiencies, and lightness orders the states within a family."""

OTHER_STATE_COLORS = ("#8c8c8c", "#b5b5b5", "#5f5f5f", "#d2d2d2")
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
