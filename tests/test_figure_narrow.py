"""A journal column (`figure: {preset: column}`) of every kind the demo draws, measured from the
exported files: what a journal needs (no text under 8 pt, plots of a real width, legends and
labels inside the figure and apart, PNG pixels = inches x dpi), and the narrow rules by hand."""

from __future__ import annotations

import itertools
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reportgen.build import build_site
from reportgen.charts.narrow import is_narrow, text_ems, wrap
from tests.conftest import DEMO_SPEC, ROOT
from tests.test_browser import ARGS, CHROMIUM

KINDS = {"failures", "node_hours", "states", "durations", "allocations", "throughput"}
KINDS |= {"utilization", "available_nodes"}
MIN_PLOT_SHARE = 0.45
"""Each plot (panel) of a column figure is at least this share of the figure's width."""


@pytest.fixture(scope="module")
def column(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's charts (all but the table) at `figure: {preset: column}`, built once."""
    folder = tmp_path_factory.mktemp("column")
    text = DEMO_SPEC.read_text(encoding="utf-8")
    text = text.replace("data/", f"{ROOT}/report_specs/data/")
    text = text.replace("as_of:", "figure: {preset: column}\nas_of:", 1)
    text = "\n".join(line for line in text.splitlines() if "type: jobs_table" not in line)
    spec = folder / "column.yaml"
    spec.write_text(text + "\n", encoding="utf-8")
    build_site([spec], folder / "site")
    return folder / "site" / "column"


def test_the_build_draws_every_kind(column: Path) -> None:
    kinds = set(re.findall(r"type: (\w+)", (column.parent.parent / "column.yaml").read_text()))
    assert kinds >= KINDS
    assert len(list(column.glob("*.svg"))) == 9  # the demo's nine charts


def _charts(column: Path) -> list[str]:
    return sorted(p.stem for p in column.glob("*.svg"))


def _inches(svg: str) -> tuple[float, float, float]:
    """The SVG's width and height in inches and its points per drawing unit."""
    root = re.search(
        r'<svg[^>]* width="([0-9.]+)in" height="([0-9.]+)in" viewBox="0 0 ([0-9.]+)', svg
    )
    assert root is not None
    width, height, units = (float(g) for g in root.groups())
    return width, height, width * 72 / units


def test_no_text_is_smaller_than_8_pt(column: Path) -> None:
    for name in _charts(column):
        svg = (column / f"{name}.svg").read_text()
        _, _, pt_per_unit = _inches(svg)
        sizes = [float(s) for s in re.findall(r'<text[^>]* font-size="([0-9.]+)px"', svg)]
        assert sizes, name
        assert min(sizes) * pt_per_unit >= 8 - 1e-6, name


def test_png_pixels_are_the_inches_times_the_dpi(column: Path) -> None:
    for name in _charts(column):
        width_in, height_in, _ = _inches((column / f"{name}.svg").read_text())
        png = (column / f"{name}.png").read_bytes()
        assert struct.unpack(">II", png[16:24]) == (round(width_in * 300), round(height_in * 300))


MEASURE = """() => {
  const svg = document.querySelector('svg'); const R = svg.getBoundingClientRect();
  const k = R.width / svg.viewBox.baseVal.width;
  const box = e => { const r = e.getBoundingClientRect();
    return [(r.left - R.left) / k, (r.top - R.top) / k,
            (r.right - R.left) / k, (r.bottom - R.top) / k]; };
  const frames = 'g.role-frame.root > g > path.background, '
    + 'g.role-scope[class*="concat_"] > g > path.background';
  return {
    width: svg.viewBox.baseVal.width, height: svg.viewBox.baseVal.height,
    plots: [...svg.querySelectorAll(frames)].map(box).filter(b => b[3] > b[1]),
    legends: [...svg.querySelectorAll('g.role-legend')].map(l => ({box: box(l), lefts:
      [...l.querySelectorAll('.role-legend-label text')].map(t => box(t)[0])})),
    texts: [...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
      .map(t => ({text: t.textContent, box: box(t)})),
  };
}"""


@pytest.fixture(scope="module")
def measured(column: Path) -> Iterator[dict[str, Any]]:
    """Each column SVG as real Chromium lays it out: its plots', legends' and texts' boxes
    in the SVG's units."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run `bash scripts/test.sh`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        page = chromium.new_page()
        out = {}
        for name in _charts(column):
            page.goto((column / f"{name}.svg").as_uri())
            out[name] = page.evaluate(MEASURE)
        chromium.close()
    yield out


@pytest.mark.browser
def test_every_plot_keeps_a_real_share_of_the_width(measured: dict[str, Any]) -> None:
    for name, svg in measured.items():
        assert svg["plots"], name
        for left, _, right, _ in svg["plots"]:
            assert (right - left) / svg["width"] >= MIN_PLOT_SHARE, name


@pytest.mark.browser
def test_legends_and_texts_lie_inside_the_figure(measured: dict[str, Any]) -> None:
    for name, svg in measured.items():
        boxes = [legend["box"] for legend in svg["legends"]] + [t["box"] for t in svg["texts"]]
        for left, top, right, bottom in boxes:
            assert left >= -0.5 and top >= -0.5, name
            assert right <= svg["width"] + 0.5 and bottom <= svg["height"] + 0.5, name


@pytest.mark.browser
def test_no_two_texts_overlap(measured: dict[str, Any]) -> None:
    """Bar totals, lane labels, wrapped names, legend labels: none runs into another."""
    for name, svg in measured.items():
        texts = svg["texts"]
        for i, first in enumerate(texts):
            for second in texts[i + 1 :]:
                a, b = first["box"], second["box"]
                across = min(a[2], b[2]) - max(a[0], b[0])
                down = min(a[3], b[3]) - max(a[1], b[1])
                assert across <= 0.5 or down <= 0.5, (name, first["text"], second["text"])


@pytest.mark.browser
def test_legends_go_below_their_plots_in_at_most_two_columns(measured: dict[str, Any]) -> None:
    for name, svg in measured.items():
        for legend in svg["legends"]:
            lefts = sorted(legend["lefts"])  # a column's labels start within a unit
            columns = 1 + sum(b - a > 1 for a, b in itertools.pairwise(lefts))
            assert lefts and columns <= 2, (name, lefts)
            assert legend["box"][1] >= min(plot[3] for plot in svg["plots"]), name


def test_a_column_at_8_pt_is_narrow_and_a_page_is_not() -> None:
    # 3.42 in = 246.24 pt over 8 pt ticks: 30.8 ems; 6.97 in: 62.7; the page's rule: 600/11
    assert is_narrow(246.24, 8.0)
    assert not is_narrow(501.84, 8.0)
    assert is_narrow(501.84, 10.0)  # 50.2 ems
    assert not is_narrow(None, 8.0) and not is_narrow(246.24, None)


@pytest.mark.parametrize(
    ("text", "ems", "lines"),
    [
        # available 3.84 ems, " (held" 2.34, " by" 1.28, " batch" 2.56, " jobs)" 2.34
        ("available (held by batch jobs)", 6.0, ["available", "(held by batch", "jobs)"]),
        ("available (held by batch jobs)", 7.5, ["available (held by", "batch jobs)"]),
        ("useful", 1.0, ["useful"]),  # a word wider than a line keeps its own
        ("RUN_TIMEOUT", 20.0, ["RUN_TIMEOUT"]),
    ],
)
def test_wrap_breaks_at_spaces(text: str, ems: float, lines: list[str]) -> None:
    assert wrap(text, ems) == lines


def test_text_width_counts_capitals_wider() -> None:
    # 12 capitals x 0.67 + `_` 0.556; 11 lower case x 0.5 but `l` and `i` 0.28
    assert text_ems("RESTART_READY") == pytest.approx(12 * 0.67 + 0.556)
    assert text_ems("available") == pytest.approx(3.84)
