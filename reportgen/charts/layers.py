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
