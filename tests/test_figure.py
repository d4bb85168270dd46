"""`figure:`: the image files' physical size, resolution, fonts and print theme, measured
from the files themselves (PNG header, PDF MediaBox and fonts, SVG root), and its errors."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from reportgen.build import build_site
from reportgen.charts.cache import content_hash
from reportgen.charts.figure import print_spec
from reportgen.errors import SpecError
from reportgen.spec import load_report
from reportgen.spec.model import DEFAULT_FIGURE, FigureOptions
from tests.conftest import ROOT

SPEC = f"""\
title: Figures
source:
  files: {{events: {ROOT}/report_specs/data/events.json.gz,
          batch_jobs: {ROOT}/report_specs/data/batchjobs.json.gz}}
queries:
  events: {{all: {{}}}}
  batch_jobs: {{all: {{}}}}
charts:
  - {{id: util, type: utilization, events: all, available_nodes: all, FIGURE}}
"""


def spec_with(tmp_path: Path, figure: str, extra: str = "") -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "figures.yaml"
    path.write_text(SPEC.replace("FIGURE", figure) + extra, encoding="utf-8")
    return path


def built(tmp_path: Path, figure: str) -> Path:
    """The report folder of a build of the one-chart spec with this chart `figure:`."""
    build_site([spec_with(tmp_path, figure)], tmp_path / "site")
    return tmp_path / "site" / "figures"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_dpi(data: bytes) -> float:
    """The PNG's pHYs resolution, in pixels per inch."""
    at = data.index(b"pHYs")
    per_metre, _, unit = struct.unpack(">IIB", data[at + 4 : at + 13])
    assert unit == 1
    return float(per_metre) * 0.0254


def media_box(data: bytes) -> tuple[float, float]:
    found = re.findall(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", data)
    assert len(found) == 1
    return float(found[0][0]), float(found[0][1])


def svg_inches(text: str) -> tuple[float, float]:
    root = re.search(r'<svg[^>]* width="([0-9.]+)in" height="([0-9.]+)in"', text)
    assert root is not None
    return float(root.group(1)), float(root.group(2))


def test_a_column_figure_has_one_physical_size_in_every_format(tmp_path: Path) -> None:
    folder = built(tmp_path, "figure: {preset: column}")
    png = (folder / "util.png").read_bytes()
    width_px, height_px = png_size(png)
    assert width_px == 1026  # 3.42 in x 300 dpi
    assert round(png_dpi(png)) == 300
    width_pt, height_pt = media_box((folder / "util.pdf").read_bytes())
    assert width_pt == 246.24  # 3.42 in x 72
    svg_w, svg_h = svg_inches((folder / "util.svg").read_text())
    assert svg_w == 3.42
    # one height in inches, to the PNG's rounding (half a pixel) and the SVG's 4 decimals
    assert height_pt / 72 == pytest.approx(svg_h, abs=5e-5)
    assert height_px == round(height_pt / 72 * 300)
    assert height_pt >= 0.618 * 3.42 * 72 - 0.01  # the default height, or more


def test_600_dpi_doubles_the_pixels_and_nothing_else(tmp_path: Path) -> None:
    folder = built(tmp_path, "figure: {preset: column, dpi: 600, height_in: 2}")
    png = (folder / "util.png").read_bytes()
    assert png_size(png) == (2052, 1200)  # 3.42 x 600, 2 x 600
    assert round(png_dpi(png)) == 600
    assert media_box((folder / "util.pdf").read_bytes()) == (246.24, 144.0)
    assert svg_inches((folder / "util.svg").read_text()) == (3.42, 2.0)


def test_without_a_figure_the_formats_agree_on_the_page_size_at_96_px_per_inch(
    tmp_path: Path,
) -> None:
    folder = built(tmp_path, "title: U")
    svg = (folder / "util.svg").read_text()
    view = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', svg)
    assert view is not None
    css_w, css_h = float(view.group(1)), float(view.group(2))
    inches_w, inches_h = svg_inches(svg)
    assert inches_w == css_w / 96
    assert inches_h == pytest.approx(css_h / 96, abs=5e-5)
    assert png_size((folder / "util.png").read_bytes()) == (
        round(css_w / 96 * 300),
        round(css_h / 96 * 300),
    )
    assert media_box((folder / "util.pdf").read_bytes()) == (css_w * 0.75, css_h * 0.75)


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils")
def test_the_pdf_embeds_its_font_and_tick_labels_are_8_pt(tmp_path: Path) -> None:
    pdf = built(tmp_path, "figure: {preset: column}") / "util.pdf"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = fonts.stdout.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows)  # the `emb` column
    assert "LiberationSans" in fonts.stdout
    sizes = {float(s) for s in re.findall(rb"([0-9.]+) Tf", _content(pdf.read_bytes()))}
    assert sizes == {8.0, 9.0}  # tick labels; axis title and legend
    words = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    heights: dict[str, float] = {}
    for y_min, y_max, word in re.findall(
        r'yMin="([0-9.]+)" xMax="[0-9.]+" yMax="([0-9.]+)">([^<]+)<', words
    ):
        heights[word] = float(y_max) - float(y_min)
    # the same face at 8 and 9 pt: the tick labels' boxes are 8/9 of the legend's
    assert heights["400"] / heights["Utilization"] == pytest.approx(8 / 9, abs=0.005)


def _content(pdf: bytes) -> bytes:
    streams = re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S)
    out = b""
    for stream in streams:
        try:
            out += zlib.decompress(stream)
        except zlib.error:
            continue
    return out


def test_a_serif_figure_uses_a_serif_face(tmp_path: Path) -> None:
    pdf = built(tmp_path, "figure: {preset: page, font: serif}") / "util.pdf"
    assert b"Serif" in pdf.read_bytes() and b"LiberationSans" not in pdf.read_bytes()


def test_a_preset_drops_the_title_and_the_stamp_unless_asked(tmp_path: Path) -> None:
    plain = built(tmp_path / "a", "title: Fig One, figure: {preset: page}") / "util.svg"
    assert "Fig One" not in plain.read_text() and "as of" not in plain.read_text()
    asked = "title: Fig One, figure: {preset: page, title: true, stamp: true}"
    kept = built(tmp_path / "b", asked) / "util.svg"
    assert "Fig One" in kept.read_text() and "as of" in kept.read_text()


def test_exports_are_light_whatever_the_chart_says() -> None:
    dark = {
        "mark": "line",
        "width": 100,
        "height": 50,
        "background": "#111111",
        "config": {"axis": {"labelColor": "#eeeeee"}, "legend": {"labelColor": "#eeeeee"}},
    }
    printed = print_spec(dark, DEFAULT_FIGURE, 1.0)
    assert printed["background"] == "white"
    assert printed["config"]["axis"]["labelColor"] == "#000000"
    assert printed["config"]["legend"]["labelColor"] == "#000000"
    assert dark["background"] == "#111111"  # the page's spec is never changed


def test_figure_settings_are_part_of_an_image_key() -> None:
    spec = {"mark": "line"}
    keys = {
        content_hash(spec, "png", figure)
        for figure in (
            DEFAULT_FIGURE,
            FigureOptions(preset="column", width_in=3.42, font_pt=8.0, title=False),
            FigureOptions(preset="column", width_in=3.42, font_pt=8.0, title=False, dpi=600),
            FigureOptions(font="serif"),
        )
    }
    assert len(keys) == 4


def test_the_same_figure_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first = built(tmp_path / "a", "figure: {preset: column, font: serif}")
    second = built(tmp_path / "b", "figure: {preset: column, font: serif}")
    for name in ("util.png", "util.svg", "util.pdf"):
        assert (first / name).read_bytes() == (second / name).read_bytes()


def test_a_chart_overrides_the_report_default_key_by_key(tmp_path: Path) -> None:
    path = spec_with(tmp_path, "figure: {font_pt: 7}", "figure: {preset: page, height_in: 3}\n")
    figure = load_report(path).charts[0].figure
    assert (figure.preset, figure.width_in, figure.height_in, figure.font_pt) == (
        "page",
        6.97,
        3.0,
        7.0,
    )
    path = spec_with(tmp_path, "figure: {width_in: 5}", "figure: {preset: page, height_in: 3}\n")
    figure = load_report(path).charts[0].figure
    assert (figure.preset, figure.width_in, figure.height_in) == (None, 5.0, None)
    assert (figure.title, figure.stamp, figure.dpi, figure.font) == (False, False, 300, "sans")


ERRORS = [
    (
        "dpi",
        "figure: {preset: column, dpi: 1200}",
        "figures.yaml:9: charts[0].figure.dpi: expected an integer from 50 to 600; got 1200",
    ),
    (
        "preset",
        "figure: {preset: poster}",
        "figures.yaml:9: charts[0].figure.preset: expected one of column, page, slide; "
        "got 'poster'",
    ),
    (
        "both",
        "figure: {preset: column, width_in: 4}",
        "figures.yaml:9: charts[0].figure.width_in: give either preset or width_in, not both",
    ),
    (
        "font",
        "figure: {font: comic}",
        "figures.yaml:9: charts[0].figure.font: expected one of sans, serif; got 'comic'",
    ),
    (
        "font_pt",
        "figure: {preset: page, font_pt: 30}",
        "figures.yaml:9: charts[0].figure.font_pt: expected a number of points from 4 to 24; "
        "got 30",
    ),
    (
        "width",
        "figure: {width_in: wide}",
        "figures.yaml:9: charts[0].figure.width_in: expected a number of inches from 0.5 to "
        "40; got 'wide'",
    ),
    (
        "height alone",
        "figure: {height_in: 3}",
        "figures.yaml:9: charts[0].figure.height_in: needs preset or width_in (here or in the "
        "report's figure)",
    ),
    (
        "not a mapping",
        "figure: column",
        "figures.yaml:9: charts[0].figure: expected a mapping of figure settings (preset, "
        "width_in, height_in, dpi, font, font_pt, title, stamp); got 'column'",
    ),
]


@pytest.mark.parametrize(
    ("figure", "expected"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_figure_errors_name_file_line_key_value_and_expectation(
    tmp_path: Path, figure: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError) as caught:
        load_report(spec_with(tmp_path, figure))
    assert caught.value.problems == [expected]


def test_the_manifest_says_how_each_chart_s_images_are_sized(tmp_path: Path) -> None:
    import json

    folder = built(tmp_path, "figure: {preset: column, dpi: 600, font: serif}")
    (chart,) = json.loads((folder / "manifest.json").read_text())["charts"]
    images = chart["images"]
    assert images["formats"] == ["png", "svg", "pdf"]
    figure = images["figure"]
    # the column preset: 3.42 in wide (1026 px at 300 dpi, the figure)
    assert figure["preset"] == "column" and figure["width_in"] == 3.42
    assert figure["dpi"] == 600 and figure["font"] == "serif"
