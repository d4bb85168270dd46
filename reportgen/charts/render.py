"""Vega-Lite specs to PNG/SVG/PDF with vl-convert (no browser, no network)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import vl_convert

from reportgen.charts.figure import Layout, extent, layout, print_spec, sized
from reportgen.charts.vlversion import altair_schema_version
from reportgen.errors import RenderError
from reportgen.spec.figure import MIN_PLOT
from reportgen.spec.model import DEFAULT_FIGURE, IMAGE_FORMATS, FigureOptions

CSS_DPI = 96
SIZE_ROUNDS = 6
"""Renders to bring a figure's width and height to their targets (the axes' labels change
a little with the views' sizes, so one correction is not always exact)."""
ROOT = re.compile(r'<svg([^>]*?) width="([0-9.]+)" height="([0-9.]+)" viewBox="[^"]*"')
BACKGROUND = re.compile(r'^(<svg[^>]*>)<rect width="[0-9.]+" height="[0-9.]+"')


def _vegalite_version() -> str:
    """The Vega-Lite version Altair writes specs for, as vl-convert names it (`6.4`)."""
    major_minor = ".".join(altair_schema_version().lstrip("v").split(".")[:2])
    available = vl_convert.get_vegalite_versions()
    return major_minor if major_minor in available else available[-1]


VEGALITE_VERSION = _vegalite_version()


def vl_convert_version() -> str:
    return str(getattr(vl_convert, "__version__", "unknown"))


class ChartImages:
    """One chart's images, PNG, SVG or PDF, drawn from one Vega-Lite -> SVG layout of its
    print spec (`figure.print_spec`), all three of one physical size.

    vl-convert's `vegalite_to_png` and `vegalite_to_pdf` lay the chart out as SVG and convert
    that; converting our one SVG (`svg_to_png`, `svg_to_pdf`) gives the same bytes (checked
    on every chart of the demo and of a 10^6-event report) without running Vega's layout in
    the JavaScript engine once per format: the demo's 27 images took 4.6 s, now 2.5 s.
    """

    def __init__(self, spec: dict[str, Any], options: FigureOptions = DEFAULT_FIGURE) -> None:
        self.spec = spec
        self.options = options
        self._drawn: Drawn | None = None

    def render(self, image_format: str) -> bytes:
        if image_format not in IMAGE_FORMATS:
            raise RenderError(f"unknown image format {image_format!r}")
        try:
            if self._drawn is None:
                self._drawn = draw(self.spec, self.options)
            drawn = self._drawn
            if image_format == "png":
                return bytes(vl_convert.svg_to_png(drawn.png_svg(), scale=1, ppi=drawn.dpi))
            if image_format == "pdf":
                return stable_pdf(bytes(vl_convert.svg_to_pdf(drawn.sized_svg(""))))
        except RenderError:
            raise
        except Exception as exc:  # vl-convert raises plain exceptions from its JS engine
            raise RenderError(f"rendering {image_format.upper()} failed: {exc}") from exc
        return drawn.sized_svg("in").encode("utf-8")


@dataclass(frozen=True)
class Drawn:
    """A laid-out SVG whose drawing is `width` x `height` units of `unit_in` inches."""

    svg: str
    width: float
    height: float
    unit_in: float
    dpi: int
    box: tuple[float, float] | None = None
    """The drawing's own size when it is scaled down into `width` x `height` (centred)."""

    def sized_svg(self, unit: str) -> str:
        """The SVG declaring its physical size in inches (`in`) or in points (no unit: what
        svg_to_pdf reads as points); the drawing keeps its own units."""
        per_inch = {"in": 1, "": 72}[unit]
        width = _number(self.width * self.unit_in * per_inch) + unit
        height = _number(self.height * self.unit_in * per_inch) + unit
        return self._root(width, height)

    def png_svg(self) -> str:
        """The SVG at the PNG's size: inches x dpi pixels, rounded to the nearest integer
        (resvg truncates, hence the half pixel), in the points svg_to_png reads at `dpi`."""
        columns = round(self.width * self.unit_in * self.dpi)
        rows = round(self.height * self.unit_in * self.dpi)
        width = _number((columns + 0.5) * 72 / self.dpi)
        height = _number((rows + 0.5) * 72 / self.dpi)
        return self._root(width, height, ' preserveAspectRatio="none"')

    def _root(self, width: str, height: str, extra: str = "") -> str:
        box_w, box_h = self.box or (self.width, self.height)
        box = f"0 0 {_number(box_w)} {_number(box_h)}"
        if self.box is not None:
            extra = ""  # keep the drawing's proportions, centred
        return ROOT.sub(
            lambda m: f'<svg{m.group(1)} width="{width}" height="{height}" viewBox="{box}"{extra}',
            self.svg,
            count=1,
        )


def draw(spec: dict[str, Any], options: FigureOptions) -> Drawn:
    """Lay the chart out for print: at its own size, or at the figure's (its views scaled
    until the whole drawing, axes and legend included, has the figure's size)."""
    figure = layout(options)
    natural = _svg(print_spec(spec, options, 1.0))
    width, height = _root_size(natural)
    if figure.width is None or figure.height is None:
        return Drawn(natural, width, height, figure.unit_in, options.dpi)
    start = (figure.width / width, figure.height / height)
    svg, height, box = _fit(print_spec(spec, options, figure.width / width), figure, start)
    if box is None:
        svg = BACKGROUND.sub(
            lambda m: (
                f'{m.group(1)}<rect width="{_number(figure.width or 0)}" height="{_number(height)}"'
            ),
            svg,
            count=1,
        )
    else:  # scaled down as a whole, centred: paint the margins white too
        svg = BACKGROUND.sub(lambda m: f'{m.group(1)}{WHITE}<rect width="0" height="0"', svg, 1)
    return Drawn(svg, figure.width, height, figure.unit_in, options.dpi, box)


WHITE = '<rect x="-10000" y="-10000" width="20000" height="20000" fill="white"/>'


def _fit(
    spec: dict[str, Any], figure: Layout, start: tuple[float, float]
) -> tuple[str, float, tuple[float, float] | None]:
    """The SVG of `spec` with its views scaled so the drawing has the figure's size, that
    height, and None; the drawing is its views plus what lies around them (axes, legend,
    titles), which barely changes with their size, so each round corrects the views by the
    difference. A default height grows to leave the views `MIN_PLOT` x the width. The first
    round scales the views as the whole drawing must be scaled (`start`).

    Labels too long for the width (the views would vanish, or the drawing not shrink): the
    drawing at its smallest views, and its size, to be scaled down into the figure whole."""
    assert figure.width is not None and figure.height is not None
    width, height = figure.width, figure.height
    views_w, views_h = extent(spec)
    if views_w <= 0 or views_h <= 0:
        raise RenderError("a figure size needs a chart whose views have a width and height")
    sx, sy = start
    svg, drawn_w, drawn_h = "", 0.0, 0.0
    rate_w, rate_h = views_w, views_h  # the drawing's growth per unit of scale
    last: tuple[float, float, float, float] | None = None
    for round_ in range(SIZE_ROUNDS):
        svg = _svg(sized(spec, sx, sy))
        drawn_w, drawn_h = _root_size(svg)
        if round_ == 0 and figure.grows:
            height = max(height, drawn_h - sy * views_h + MIN_PLOT * width)
        if _close(drawn_w, width) and _close(drawn_h, height):
            return svg, round(height, 4), None
        if figure.grows and _close(drawn_w, width) and height <= drawn_h < height + 1:
            return svg, round(drawn_h, 4), None  # (a default height is a least one)
        if last is not None:  # measured: a title centred on a plot grows half as fast
            rate_w = _rate(drawn_w - last[2], sx - last[0], views_w)
            rate_h = _rate(drawn_h - last[3], sy - last[1], views_h)
        last = (sx, sy, drawn_w, drawn_h)
        sx = max(MIN_VIEW / views_w, sx + (width - drawn_w) / rate_w)
        sy = max(MIN_VIEW / views_h, sy + (height - drawn_h) / rate_h)
    if drawn_w <= width + 0.5 and drawn_h <= height + 0.5:
        return svg, round(height, 4), (drawn_w, drawn_h)
    smallest = _svg(sized(spec, sx, sy))
    return smallest, round(height, 4), _root_size(smallest)


def _close(drawn: float, wanted: float) -> bool:
    """Near enough: at most a unit short (the white margin it leaves is invisible) and not
    a tenth over (what lies beyond the figure's edge is cut off)."""
    return wanted - 1 < drawn <= wanted + 0.1


def _rate(grown: float, scaled: float, views: float) -> float:
    """The drawing's growth per unit of its views' scale, measured between two rounds (the
    views' own size when that measure is unusable: no change, or less than a tenth)."""
    if abs(scaled) < 1e-9 or grown / scaled < 0.1 * views:
        return views
    return grown / scaled


MIN_VIEW = 20.0
"""The smallest plot (in points) a figure may leave inside its axes and legend."""


def _svg(spec: dict[str, Any]) -> str:
    return str(vl_convert.vegalite_to_svg(spec, vl_version=VEGALITE_VERSION))


def _root_size(svg: str) -> tuple[float, float]:
    found = ROOT.search(svg)
    if found is None:
        raise RenderError("vl-convert wrote an SVG without a width, height and viewBox")
    return float(found.group(2)), float(found.group(3))


def _number(value: float) -> str:
    """A length for an SVG attribute: at most 4 decimals, no trailing zeros."""
    return f"{value:.4f}".rstrip("0").rstrip(".")


def javascript_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one classic script, from the installed vl-convert."""
    # the stub marks `snippet` required; the function documents it optional (default: globals)
    bundle = vl_convert.javascript_bundle(vl_version=VEGALITE_VERSION)  # type: ignore[call-arg]
    return str(bundle)


_REFERENCE_RUN = re.compile(rb"(<<\n)((?:[ \t]+/[A-Za-z0-9]+ \d+ 0 R\n)+)")


def stable_pdf(data: bytes) -> bytes:
    """Same chart, same PDF bytes.

    vl-convert's PDF writer lists resource dictionaries (`/xo1 11 0 R` ...) in hash-map order,
    which changes from call to call. Sorting those lines changes no byte offset (the set of
    lines is the same), so the cross-reference table stays valid. Fonts are the other source
    of disorder; charts use a single font weight, so there is one font object.
    """
    return _REFERENCE_RUN.sub(
        lambda m: m.group(1) + b"".join(sorted(m.group(2).splitlines(keepends=True))), data
    )
