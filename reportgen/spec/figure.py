"""The `figure:` option: the physical size, resolution and fonts of a chart's image files.

A report's `figure:` is the default of each chart's; a chart's keys override it key by key,
except that a chart giving a width (`preset` or `width_in`) drops the report's width and
height together.
"""

from __future__ import annotations

from typing import Any

import yaml

from reportgen.spec.containers import Fields, Key
from reportgen.spec.context import INVALID, Context
from reportgen.spec.model import FigureOptions
from reportgen.spec.scalars import Boolean, Choice, Integer, Number

PRESETS = {"column": 3.42, "page": 6.97, "slide": 10.0}
"""Preset widths in inches: a journal column, a full page width, a 16:9 slide."""
GOLDEN = 0.618
"""The default height, as a share of the width (more if the plots need it: `MIN_PLOT`)."""
MIN_PLOT = 0.3
"""With the default height, the plots (all panels) are at least this share of the width
tall: the figure grows when its legend and axes leave less."""
TICK_PT = 8.0
"""The default tick label size with a physical size; axis titles and legends are 1 pt more."""
MAX_DPI = 600


class FigureFields(Fields):
    """The `figure:` mapping: its keys, then the one rule across them (a preset or a width)."""

    def __call__(self, node: yaml.Node, path: str, ctx: Context) -> Any:
        result = super().__call__(node, path, ctx)
        if result is INVALID:
            return result
        if "__node__preset" in result and "__node__width_in" in result:
            ctx.problem(
                result["__node__width_in"],
                f"{path}.width_in",
                "give either preset or width_in, not both",
            )
            return INVALID
        return result


_inches = Number(0.5, 40.0, "a number of inches from 0.5 to 40")
FIGURE = FigureFields(
    {
        "preset": Key(
            Choice(tuple(PRESETS)),
            "The image width: `column` 3.42 in, `page` 6.97 in, `slide` 10 in (not with "
            "`width_in`). A figure narrower than 600/11 (54.5) tick labels' sizes (a column at "
            "8 pt is 30.8) is laid out as the page's narrow cards are: legends below the plot "
            "in at most two columns, long legend labels, names on a y axis (at most 0.4 of the "
            "width), panel titles and y axis titles wrapped at spaces, a row per name as tall "
            "as its lines, an x tick per 6 tick sizes of plot, and bar totals left out where "
            "they would overlap. At any physical size, lane labels (allocations) are left out "
            "where the figure's height shared by the lanes is less than 1.2 x their size.",
            None,
            "none: the chart's own size on the page, 96 CSS pixels to the inch",
        ),
        "width_in": Key(_inches, "The image width in inches (not with `preset`).", None, "none"),
        "height_in": Key(
            _inches,
            "The image height in inches (only with `preset` or `width_in`).",
            None,
            "0.618 x the width, or taller where the legend, axes and panels would leave the "
            "plots less than 0.3 x the width",
        ),
        "dpi": Key(
            Integer(50, MAX_DPI, f"an integer from 50 to {MAX_DPI}"),
            "PNG resolution: the PNG is the size in inches x dpi pixels, rounded to the "
            "nearest integer (the PDF is inches x 72 points and the SVG the same inches).",
            300,
        ),
        "font": Key(
            Choice(("sans", "serif")),
            "Liberation Sans (bundled with vl-convert, so always there) or a serif face "
            "(Liberation Serif, DejaVu Serif or Times, if installed), embedded in the PDF.",
            "sans",
        ),
        "font_pt": Key(
            Number(4.0, 24.0, "a number of points from 4 to 24"),
            "Tick label size in points; axis titles and legends are 1 pt larger, the title 2 pt.",
            None,
            "8 with `preset` or `width_in`, else the page's sizes",
        ),
        "title": Key(
            Boolean(),
            "Draw the chart's title in the image (a journal sets its caption outside).",
            None,
            "false with `preset` or `width_in`, else true",
        ),
        "stamp": Key(
            Boolean(),
            "Label the as-of rule with its time in the image (the dashed rule stays).",
            None,
            "false with `preset` or `width_in`, else true",
        ),
    },
    "a mapping of figure settings (preset, width_in, height_in, dpi, font, font_pt, title, stamp)",
)


def _given(raw: dict[str, Any] | None) -> dict[str, Any]:
    """The keys a `figure:` mapping gives (not its defaults)."""
    if raw is None:
        return {}
    return {k: v for k, v in raw.items() if not k.startswith("__") and f"__node__{k}" in raw}


def figure_options(report: dict[str, Any] | None, chart: dict[str, Any] | None) -> FigureOptions:
    """A chart's figure settings: its own keys, else the report's, else the defaults."""
    own, default = _given(chart), _given(report)
    if "preset" in own or "width_in" in own:
        default = {k: v for k, v in default.items() if k not in ("preset", "width_in", "height_in")}
    values = {**default, **own}
    preset = values.get("preset")
    width: float | None = PRESETS[preset] if preset is not None else values.get("width_in")
    physical = width is not None
    height = values.get("height_in")
    font_pt = values.get("font_pt", TICK_PT if physical else None)
    return FigureOptions(
        preset=preset,
        width_in=width,
        height_in=height if physical else None,
        dpi=values.get("dpi", 300),
        font=values.get("font", "sans"),
        font_pt=font_pt,
        title=values.get("title", not physical),
        stamp=values.get("stamp", not physical),
    )


def check_figures(raw: dict[str, Any], ctx: Context) -> None:
    """`height_in` needs a width in effect: the chart's or the report's."""
    report = raw["figure"]
    charts = raw["charts"]
    report_width = _has_width(report)
    if report not in (None, INVALID) and "__node__height_in" in report and not report_width:
        _height_without_width(report, "figure", ctx)
    if charts is INVALID:
        return
    for index, chart in enumerate(charts):
        figure = None if chart is INVALID else chart.get("figure")
        if figure in (None, INVALID) or "__node__height_in" not in figure:
            continue
        if not (report_width or _has_width(figure)):
            _height_without_width(figure, f"charts[{index}].figure", ctx)


def _has_width(figure: Any) -> bool:
    return isinstance(figure, dict) and ("__node__preset" in figure or "__node__width_in" in figure)


def _height_without_width(figure: dict[str, Any], path: str, ctx: Context) -> None:
    ctx.problem(
        figure["__node__height_in"],
        f"{path}.height_in",
        "needs preset or width_in (here or in the report's figure)",
    )
