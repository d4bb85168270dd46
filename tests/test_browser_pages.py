"""The demo site on every screen, in real headless Chromium from file://: axe-core finds no
serious or critical problem in either theme, the dark theme is dark and legible, nothing
scrolls sideways at 360 px, the theme choice is remembered, and each chart's label (its
Vega-Lite description) names its peak, checked against the CSVs with plain Python."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reportgen.build import BuildResult
from tests.conftest import ROOT
from tests.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.browser

AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ("index.html", "demo/index.html")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, as tests/test_browser.py starts it."""
    assert CHROMIUM.exists(), "chromium is missing: run `bash scripts/test.sh`"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield chromium
        chromium.close()


def open_page(chromium: Any, url: str, scheme: str = "light", width: int = 1200) -> Any:
    context = chromium.new_context(
        timezone_id="UTC", viewport={"width": width, "height": 900}, color_scheme=scheme
    )
    page = context.new_page()
    page.goto(url)
    if page.locator(".chart").count():
        page.locator(".chart [role=graphics-document]").last.wait_for(timeout=20_000)
    return page


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_nothing_serious(
    browser: Any,
    demo_site: BuildResult,
    name: str,
    scheme: str,
) -> None:
    assert AXE.is_file(), "axe-core is missing: run `bash scripts/install-test-deps.sh`"
    page = open_page(browser, (demo_site.out_dir / name).as_uri(), scheme)
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    page.add_script_tag(path=str(AXE))  # into this page only, never into the built site
    violations = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
        "v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.html)})))"
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert "axe" not in (demo_site.out_dir / name).read_text()


def luminance(rgb: tuple[float, ...]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0-255 channels)."""
    linear = [
        c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def parse_rgb(text: str) -> tuple[float, ...]:
    numbers = [float(n) for n in re.findall(r"[\d.]+", text)]
    return tuple(numbers[:3])


# Every element with its own visible text: its colour and the first opaque background
# behind it (walking up the ancestors), as computed by the browser.
TEXT_COLOURS = """() => {
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('svg') || e.closest('details:not([open]) > :not(summary)')) continue;
    const own = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const box = e.getBoundingClientRect();
    if (!own || !box.width || getComputedStyle(e).visibility === 'hidden') continue;
    let b = e, bg = 'rgba(0, 0, 0, 0)';
    while (b && (bg = getComputedStyle(b).backgroundColor).endsWith(', 0)')) b = b.parentElement;
    const ink = getComputedStyle(e).color;
    out.push([e.tagName + '.' + e.className, ink, b ? bg : 'rgb(255, 255, 255)']);
  }
  return out;
}"""


@pytest.mark.parametrize("name", PAGES)
def test_the_dark_theme_differs_and_its_text_meets_4_5_to_1(
    browser: Any,
    demo_site: BuildResult,
    name: str,
) -> None:
    url = (demo_site.out_dir / name).as_uri()
    shots, colours, body = [], {}, {}
    for scheme in ("light", "dark"):
        page = open_page(browser, url, scheme)
        shots.append(page.screenshot())
        colours[scheme] = page.evaluate(TEXT_COLOURS)
        body[scheme] = parse_rgb(page.evaluate("getComputedStyle(document.body).backgroundColor"))
    assert shots[0] != shots[1]
    assert luminance(body["dark"]) < 0.05 < 0.8 < luminance(body["light"])
    for scheme, found in colours.items():
        assert len(found) > 20
        low = [
            (what, fg, bg, round(contrast(parse_rgb(fg), parse_rgb(bg)), 2))
            for what, fg, bg in found
            if contrast(parse_rgb(fg), parse_rgb(bg)) < 4.5
        ]
        assert low == [], scheme


def test_the_theme_button_switches_and_remembers(browser: Any, demo_site: BuildResult) -> None:
    url = (demo_site.out_dir / "demo" / "index.html").as_uri()
    context = browser.new_context(color_scheme="light")
    page = context.new_page()
    page.goto(url)
    page.locator(".chart [role=graphics-document]").first.wait_for(timeout=20_000)
    light_ink = page.locator(".chart g.role-axis-label text").first.get_attribute("fill")
    page.locator("button.theme-toggle").click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.locator("button.theme-toggle").get_attribute("aria-pressed") == "true"
    page.wait_for_function(
        "ink => document.querySelector('.chart g.role-axis-label text')"
        ".getAttribute('fill') !== ink",
        arg=light_ink,
        timeout=20_000,
    )
    page.goto((demo_site.out_dir / "index.html").as_uri())  # another page: the choice holds
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.locator("button.theme-toggle").click()
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_nothing_scrolls_sideways_at_360_px(
    browser: Any,
    demo_site: BuildResult,
    name: str,
) -> None:
    page = open_page(browser, (demo_site.out_dir / name).as_uri(), width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    widths = page.evaluate(
        "[...document.querySelectorAll('.chart')].map(c => c.getBoundingClientRect().right)"
    )
    assert all(right <= 360 for right in widths)


def test_charts_fill_their_card_and_follow_its_width(browser: Any, demo_site: BuildResult) -> None:
    page = open_page(browser, (demo_site.out_dir / "demo" / "index.html").as_uri(), width=1300)
    chart = page.locator("section#throughput .chart")
    wide = chart.locator("svg.marks").bounding_box()["width"]
    card = chart.bounding_box()["width"]
    assert wide > 0.9 * card > 800  # wider than the spec's 800 px
    page.set_viewport_size({"width": 700, "height": 900})
    page.wait_for_function(
        "() => document.querySelector('section#throughput .chart svg.marks')"
        ".getBoundingClientRect().width < 650",
        timeout=20_000,
    )


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def micros(stamp: str) -> int:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def peak_of(rows: list[dict[str, str]], series: str, start: int) -> str:
    """`peak 5,200 at 599 min` from a step CSV, by hand: the largest value, first reached."""
    best, when = 0.0, start
    for row in rows:
        if row["series"] == series and float(row["value"]) > best:
            best, when = float(row["value"]), micros(row["timestamp"])
    minutes = (when - start) / 60e6
    shown = f"{int(best):,}" if best.is_integer() else f"{best:,.1f}"
    at = f"{minutes:,.0f}" if minutes >= 100 else f"{minutes:.3g}"
    return f"peak {shown} {{unit}}at {at} min"


def test_every_charts_label_names_its_peak(browser: Any, demo_site: BuildResult) -> None:
    folder = demo_site.out_dir / "demo"
    page = open_page(browser, (folder / "index.html").as_uri())
    start = micros(page.locator("dl.facts time").nth(1).get_attribute("datetime"))
    labels = {
        section.get_attribute("id"): section.locator(
            ".chart [role=graphics-document]"
        ).get_attribute("aria-label")
        for section in page.locator("section.chart-section:has(.chart)").all()
    }
    assert all(
        label.startswith(title)
        for title, label in zip(
            page.locator("section.chart-section:has(.chart) h2").all_text_contents(),
            labels.values(),
            strict=True,
        )
    )
    step = {
        "throughput": ("throughput", "events into JOB_FINISHED "),
        "utilization": ("utilization", "nodes "),
        "nodes": ("available_nodes", "nodes "),
        "restarts": ("throughput", "events into RUNNING "),
    }
    for chart_id, (series, unit) in step.items():
        expected = peak_of(csv_rows(folder / f"{chart_id}.csv"), series, start)
        assert expected.format(unit=unit) in labels[chart_id]
    states = csv_rows(folder / "states.csv")
    drawn = {r["series"] for r in states} - {"JOB_FINISHED", "FAILED"}
    peaks = [
        (peak_of(states, s, start), max(float(r["value"]) for r in states if r["series"] == s), s)
        for s in drawn
    ]
    text, _, state = max(peaks, key=lambda p: p[1])
    assert text.format(unit=f"jobs in {state} ") in labels["states"]
    longest = {r["stage"]: float(r["max"]) for r in csv_rows(folder / "durations-summary.csv")}
    assert "Run median" in labels["durations"] and len(longest) == 5
    assert f"longest {longest['Stage out']:.3g} s" in labels["durations"]
    ledger = {r["category"]: float(r["node_hours"]) for r in csv_rows(folder / "ledger.csv")}
    assert f"{ledger['available']:,.1f} node-hours available" in labels["ledger"]
    nodes = peak_of(csv_rows(folder / "nodes.csv"), "available_nodes", start)
    assert nodes.format(unit="nodes available ").replace("peak ", "peak ") in labels["ledger"]
    groups = csv_rows(folder / "failures.csv")
    costliest = max(groups, key=lambda g: float(g["node_hours"]))
    assert f"the costliest {costliest['outcome']}" in labels["failures"]
    assert f"{float(costliest['node_hours']):,.1f} node-hours" in labels["failures"]
    held = nodes.split(" {unit}")[0]
    assert f"{held} nodes held" in labels["allocations"]


def test_at_360_px_every_chart_fits_its_card_without_scrolling(
    browser: Any, demo_site: BuildResult
) -> None:
    """Legends go below in two columns and long group labels are cut (the table has them
    whole), so no chart scrolls inside its card; wide, the legends stay on top."""
    url = (demo_site.out_dir / "demo" / "index.html").as_uri()
    page = open_page(browser, url, width=360)
    overflow = page.evaluate(
        "[...document.querySelectorAll('.chart')].filter(c => c.scrollWidth > c.clientWidth + 1)"
        ".map(c => [c.closest('section').id, c.scrollWidth, c.clientWidth])"
    )
    assert overflow == []
    wide = open_page(browser, url, width=1300)
    for found in (page, wide):
        found.locator("section#ledger g.role-legend").first.wait_for(timeout=20_000)
    legend_top = "section#ledger g.role-legend"
    plot = "section#ledger g[aria-label^='X-axis']"
    narrow_below = (
        page.locator(legend_top).first.bounding_box()["y"]
        > page.locator(plot).first.bounding_box()["y"]
    )
    wide_below = (
        wide.locator(legend_top).first.bounding_box()["y"]
        > wide.locator(plot).first.bounding_box()["y"]
    )
    assert narrow_below and not wide_below
