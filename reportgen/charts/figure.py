"""A chart's image spec as its figure is to be printed: the export-time transformation of the
Vega-Lite spec (plain dicts in, plain dicts out; `render.py` draws and sizes it).

The page's spec is never touched. An image is laid out in units of 1/72 in (points) when the
figure has a physical width, else in CSS pixels (1/96 in) at the page's own size; either way
it is printed light (white background, dark text), whatever the page does.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from reportgen.charts.narrow import LABEL_EM, NUMBERS_ROOM, is_narrow, narrow
from reportgen.spec.figure import GOLDEN
from reportgen.spec.model import FigureOptions

FONTS = {
    "sans": "Liberation Sans, DejaVu Sans, Arial, sans-serif",
    "serif": "Liberation Serif, DejaVu Serif, Times New Roman, Times, serif",
}
PAGE_TICK_PX = 11
"""The page's tick label size (`layers.CONFIG`): explicit text sizes scale against it."""
INK = "#000000"
RULES = "#888888"
GRID = "#dddddd"
MIN_LINE_PT = 0.5
"""No line thinner than this in a figure of a physical size (a hairline vanishes in print)."""
COMPOSED = ("layer", "vconcat", "hconcat", "concat")


@dataclass(frozen=True)
class Layout:
    """What an image's SVG unit is, and the size (in those units) it must have, if fixed."""

    unit_in: float
    width: float | None
    height: float | None
    tick: float | None
    """The tick label size in units (None: the page's)."""
    grows: bool = False
    """The height is the default one, which grows if the chart's plots need it."""

    @property
    def physical(self) -> bool:
        return self.width is not None


def layout(options: FigureOptions) -> Layout:
    unit_in = 1 / 72 if options.width_in is not None else 1 / 96
    tick = None if options.font_pt is None else options.font_pt / 72 / unit_in
    if options.width_in is None:
        return Layout(unit_in, None, None, tick)
    width = options.width_in * 72
    if options.height_in is None:
        return Layout(unit_in, width, width * GOLDEN, tick, grows=True)
    return Layout(unit_in, width, options.height_in * 72, tick)


def print_spec(spec: dict[str, Any], options: FigureOptions, line_scale: float) -> dict[str, Any]:
    """`spec` with the print theme, the figure's fonts, without the title or the as-of
    label if so chosen, and its line widths times `line_scale`."""
    out = copy.deepcopy(spec)
    figure = layout(options)
    if not options.title:
        out.pop("title", None)
    if not options.stamp:
        _drop_stamps(out)
    font_scale = 1.0 if figure.tick is None else figure.tick / PAGE_TICK_PX
    minimum = MIN_LINE_PT if figure.physical else 0.0
    for mark in _marks(out):
        _scale_mark(mark, line_scale, font_scale, minimum)
    if figure.height is not None:
        _drop_crowded_labels(out, figure.height)
    if figure.width is not None and figure.tick is not None:
        larger = figure.tick + 1 / 72 / figure.unit_in
        if is_narrow(figure.width, figure.tick):
            narrow(out, figure.width, figure.tick, larger)
        else:
            _fit_legends(out, _legend_room(out, figure.width), larger)
    out["config"] = print_config(out.get("config", {}), options, figure)
    out["background"] = "white"
    return out


def print_config(config: dict[str, Any], options: FigureOptions, figure: Layout) -> dict[str, Any]:
    """The light theme and the figure's fonts over the chart's own config."""
    out = copy.deepcopy(config)
    out["font"] = FONTS[options.font]
    axis, legend, title = (out.setdefault(k, {}) for k in ("axis", "legend", "title"))
    axis.update(labelColor=INK, titleColor=INK, domainColor=RULES, tickColor=RULES)
    axis["gridColor"] = GRID
    legend.update(labelColor=INK, titleColor=INK)
    title.update(color=INK, subtitleColor=INK)
    if figure.tick is not None:
        larger = figure.tick + 1 / 72 / figure.unit_in  # one point more
        axis.update(labelFontSize=figure.tick, titleFontSize=larger)
        legend.update(labelFontSize=larger, titleFontSize=larger)
        title.update(fontSize=larger, subtitleFontSize=figure.tick)
    if figure.width is not None:
        axis["labelLimit"] = round(figure.width * LABELS_SHARE, 2)
        legend["labelLimit"] = round(figure.width - 30, 2)
        title["limit"] = round(figure.width - 10, 2)
    return out


def _fit_legends(spec: dict[str, Any], width: float, label: float) -> None:
    """Legends above or below a view in as many columns as fit the figure's width (a page's
    five columns do not fit a journal column), the rows as evenly filled as they can be."""
    for view in _views(spec):
        for channel in view.get("encoding", {}).values():
            legend = channel.get("legend") if isinstance(channel, dict) else None
            if not isinstance(legend, dict) or legend.get("orient") not in ("top", "bottom"):
                continue
            domain = channel.get("scale", {}).get("domain")
            if not isinstance(domain, list) or not domain:
                continue
            lengths = [len(str(d)) for d in domain]
            most = min(legend.get("columns", len(lengths)), len(lengths))
            columns = next(
                (c for c in range(most, 0, -1) if _legend_width(lengths, c, label) <= width), 1
            )
            rows = -(-len(lengths) // columns)
            legend["columns"] = -(-len(lengths) // rows)


LABELS_SHARE = 0.45
"""The share of a figure's width a y axis of names (failure groups, lanes) may take."""


def _legend_room(spec: dict[str, Any], width: float) -> float:
    """How wide a legend may be: the plots' width, which starts right of the widest y axis
    (the panels of a chart share their left edge)."""
    named = any(
        isinstance(view.get("encoding", {}).get("y"), dict)
        and view["encoding"]["y"].get("type") in ("nominal", "ordinal")
        for view in _views(spec)
    )
    return width * (1 - LABELS_SHARE) if named else width - NUMBERS_ROOM


def _legend_width(lengths: list[int], columns: int, label: float) -> float:
    """A legend's estimated width in `columns` (row by row, each column as wide as its
    longest label, Vega's `gridAlign: each`): symbol, gap, label and padding."""
    widest = [max(lengths[c::columns]) for c in range(columns)]
    return sum(LABEL_EM * label * n + 2.2 * label + 10 for n in widest)


def _drop_stamps(spec: dict[str, Any]) -> None:
    """Remove the as-of label layers (the text drawn from a `<chart>-as-of` dataset)."""
    for view in _views(spec):
        if "layer" in view:
            view["layer"] = [layer for layer in view["layer"] if not _is_stamp(layer)]


LANE_LINES = 1.2
"""A line of a lane label, in ems of its size: a thinner lane has no room for labels."""


def _drop_crowded_labels(spec: dict[str, Any], height: float) -> None:
    """Remove the lane labels (text drawn from a `<chart>-labels` dataset beside bars placed
    in lanes: y on a scale of lane numbers) when the lanes could only be thinner than the
    labels: the figure's whole `height` shared by all the lanes is less than a line of a
    label (`LANE_LINES` x its size)."""
    lanes, size = 0.0, 0.0
    for view in _views(spec):
        labels = [layer for layer in view.get("layer", []) if _is_lane_label(layer)]
        if labels:
            domain = labels[0]["encoding"]["y"]["scale"]["domain"]
            lanes += float(domain[1]) - float(domain[0])
            size = max(size, *(float(layer["mark"].get("fontSize", 11)) for layer in labels))
    if lanes and height / lanes < LANE_LINES * size:
        for view in _views(spec):
            if "layer" in view:
                view["layer"] = [layer for layer in view["layer"] if not _is_lane_label(layer)]


def _is_lane_label(layer: dict[str, Any]) -> bool:
    mark = layer.get("mark")
    name = str(layer.get("data", {}).get("name", ""))
    if not isinstance(mark, dict) or mark.get("type") != "text" or not name.endswith("-labels"):
        return False
    scale = layer.get("encoding", {}).get("y", {}).get("scale", {})
    domain = scale.get("domain") if isinstance(scale, dict) else None
    return isinstance(domain, list) and len(domain) == 2


def _is_stamp(layer: dict[str, Any]) -> bool:
    mark = layer.get("mark")
    kind = mark.get("type") if isinstance(mark, dict) else mark
    name = str(layer.get("data", {}).get("name", ""))
    return kind == "text" and name.endswith("-as-of")


def _scale_mark(mark: dict[str, Any], lines: float, fonts: float, minimum: float) -> None:
    if isinstance(mark.get("strokeWidth"), int | float) and mark["strokeWidth"] > 0:
        mark["strokeWidth"] = round(max(minimum, mark["strokeWidth"] * lines), 3)
    if isinstance(mark.get("strokeDash"), list):
        mark["strokeDash"] = [round(d * max(lines, 0.5), 3) for d in mark["strokeDash"]]
    if mark.get("type") == "text":
        for key in ("fontSize", "dx", "dy"):
            if isinstance(mark.get(key), int | float):
                mark[key] = round(mark[key] * fonts, 3)
    if isinstance(mark.get("size"), int | float):
        mark["size"] = round(mark["size"] * fonts * fonts, 3)


def sized(spec: dict[str, Any], sx: float, sy: float) -> dict[str, Any]:
    """`spec` with every view's width times `sx` and height times `sy` (and the marks placed
    or sized in pixels along y with them)."""
    out = copy.deepcopy(spec)
    for view in _views(out):
        if isinstance(view.get("width"), int | float):
            view["width"] = round(view["width"] * sx, 3)
        if isinstance(view.get("height"), int | float):
            view["height"] = round(view["height"] * sy, 3)
    for mark in _marks(out):
        for key in ("height", "y"):
            if isinstance(mark.get(key), int | float):
                mark[key] = round(mark[key] * sy, 3)
    return out


def extent(spec: dict[str, Any]) -> tuple[float, float]:
    """The views' widths and heights summed the way they are laid out: side by side in an
    hconcat, one above the other in a vconcat, the largest of the layers of a layer."""
    if "vconcat" in spec:
        parts = [extent(s) for s in spec["vconcat"]]
        return max(w for w, _ in parts), sum(h for _, h in parts)
    for key in ("hconcat", "concat"):
        if key in spec:
            parts = [extent(s) for s in spec[key]]
            return sum(w for w, _ in parts), max(h for _, h in parts)
    parts = [extent(s) for s in spec.get("layer", [])] or [(0.0, 0.0)]
    width, height = spec.get("width"), spec.get("height")
    # (a height of `{step: ...}` is a fixed one: nothing to scale)
    return (
        float(width) if isinstance(width, int | float) else max(w for w, _ in parts),
        float(height) if isinstance(height, int | float) else max(h for _, h in parts),
    )


def _views(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield spec
    for key in COMPOSED:
        for child in spec.get(key, []):
            yield from _views(child)


def _marks(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every mark definition written as a mapping (a bare `"mark": "bar"` has no sizes)."""
    for view in _views(spec):
        mark = view.get("mark")
        if isinstance(mark, dict):
            yield mark
            point = mark.get("point")
            if isinstance(point, dict):
                yield point
