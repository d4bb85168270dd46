"""Charts stage: step series -> Vega-Lite specs (Altair) -> PNG/SVG/PDF (vl-convert)."""

from __future__ import annotations

from reportgen.charts.bundle import vega_bundle
from reportgen.charts.render import render_image
from reportgen.charts.vegalite import ChartData, chart_data, chart_spec

__all__ = ["ChartData", "chart_data", "chart_spec", "render_image", "vega_bundle"]
