"""Exploring the demo's step charts in real headless Chromium: pointing midway between two
change points shows the value in effect there (the earlier change's, computed here from the
CSV by hand), names each series as the legend (or with one series the heading) does, puts
the rule at that change, and the page says how to zoom; the x axis ends at the as-of time."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from reportgen.build import BuildResult
from tests.test_browser_pages import browser, csv_rows, micros, open_page

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the fixture, shared with the page tests


def in_effect(rows: list[dict[str, str]], series: str, at: int) -> float | None:
    """The value of `series` at `at`: that of its last change at or before it."""
    value = None
    for row in rows:
        if row["series"] == series and micros(row["timestamp"]) <= at:
            value = float(row["value"])
    return value


def widest_gap(rows: list[dict[str, str]]) -> tuple[int, int]:
    """The two consecutive change times (over every series) furthest apart."""
    times = sorted({micros(r["timestamp"]) for r in rows})
    return max(pairwise(times), key=lambda pair: pair[1] - pair[0])


def pixel_of(page: Any, section: str) -> Any:
    """Minutes to page pixels on the chart's x axis, from two of its ticks (and labels)."""
    axis = f"section#{section} g[aria-label^='X-axis']"
    labels = page.locator(f"{axis} g.role-axis-label text").all()
    ticks = page.locator(f"{axis} g.role-axis-tick line").all()
    (m0, p0), (m1, p1) = [
        (float(label.text_content().replace(",", "")), centre(tick.bounding_box()))
        for label, tick in zip(labels[:2], ticks[:2], strict=True)
    ]
    return lambda minutes: p0 + (minutes - m0) * (p1 - p0) / (m1 - m0)


def centre(box: dict[str, float]) -> float:
    return box["x"] + box["width"] / 2


def tooltip(page: Any) -> dict[str, str]:
    cells = page.locator("#vg-tooltip-element tr").all()
    return {c.locator("td.key").text_content(): c.locator("td.value").text_content() for c in cells}


def shown(value: float) -> str:
    return f"{int(value):,}" if value.is_integer() else f"{value:,}"


@pytest.mark.parametrize(
    ("section", "names"),
    [
        ("nodes", {"available_nodes": "Available nodes"}),  # one series: the heading's name
        ("utilization", {"available_nodes": "Available nodes", "utilization": "Utilization"}),
        ("throughput", {"throughput": "Throughput"}),
    ],
)
def test_midway_between_two_changes_the_tooltip_shows_the_step_in_effect(
    browser: Any, demo_site: BuildResult, section: str, names: dict[str, str]
) -> None:
    folder = demo_site.out_dir / "demo"
    page = open_page(browser, (folder / "index.html").as_uri(), width=1300)
    start = micros(page.locator("dl.facts time").nth(1).get_attribute("datetime"))
    rows = csv_rows(folder / f"{section}.csv")
    before, after = widest_gap(rows)
    midway = (before + after) // 2
    chart = page.locator(f"section#{section}")
    chart.scroll_into_view_if_needed()
    to_pixel = pixel_of(page, section)
    box = chart.locator("svg.marks").bounding_box()
    page.mouse.move(to_pixel((midway - start) / 60e6), box["y"] + box["height"] * 0.6)
    page.locator("#vg-tooltip-element.visible").wait_for(timeout=10_000)
    found = tooltip(page)
    legend = chart.locator("g.role-legend-label text").all_text_contents()
    heading = chart.locator("h2").text_content()
    assert legend == ([] if len(names) == 1 else list(names.values()))
    expected = {
        name if len(names) > 1 else heading: shown(in_effect(rows, series, midway) or 0.0)
        for series, name in names.items()
    }
    assert {k: found.get(k) for k in expected} == expected
    minutes = (before - start) / 60e6
    assert found["Elapsed"] == f"{minutes:,.2f} min"
    assert found["Time (UTC)"] == rows_time(rows, before)
    rule = chart.locator("g.mark-rule line").last.bounding_box()
    assert abs(rule["x"] - to_pixel(minutes)) < 1.5  # at the change in effect, not the pointer
    assert "double-click to reset" in chart.locator("p.explore").text_content()


def rows_time(rows: list[dict[str, str]], at: int) -> str:
    """`2024-03-01 12:34:56.789012 UTC` of the CSV's change at `at`."""
    stamp = next(r["timestamp"] for r in rows if micros(r["timestamp"]) == at)
    return stamp.replace("T", " ").replace("Z", " UTC")


def test_the_x_axis_ends_at_the_as_of_time(browser: Any, demo_site: BuildResult) -> None:
    page = open_page(browser, (demo_site.out_dir / "demo" / "index.html").as_uri(), width=1300)
    start = micros(page.locator("dl.facts time").nth(1).get_attribute("datetime"))
    as_of = micros(page.locator("dl.facts time").nth(0).get_attribute("datetime"))
    label = page.locator("section#nodes g[aria-label^='X-axis']").get_attribute("aria-label")
    assert label.endswith(f"from 0 to {round((as_of - start) / 60e6):,}")


FRAMES = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(0))))"


def test_the_wheel_zooms_the_x_axis_only_and_a_double_click_resets_it(
    browser: Any, demo_site: BuildResult
) -> None:
    """Seen in the pixels: zoomed, the plot differs but its y axis does not; reset, the
    plot is as it was (the pointer is moved off the chart for each look)."""
    page = open_page(browser, (demo_site.out_dir / "demo" / "index.html").as_uri(), width=1300)
    chart = page.locator("section#throughput")
    chart.scroll_into_view_if_needed()
    plot = chart.locator("svg.marks")
    y_labels = chart.locator("g[aria-label^='Y-axis'] g.role-axis-label text")
    box = plot.bounding_box()
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    def look() -> tuple[bytes, list[str]]:
        page.mouse.move(1, 1)  # off the chart: no rule, no tooltip
        page.evaluate(FRAMES)  # Vega has redrawn after two animation frames
        return plot.screenshot(), y_labels.all_text_contents()

    before = look()
    page.mouse.move(*middle)
    page.mouse.wheel(0, -400)
    zoomed = look()
    assert zoomed[0] != before[0] and zoomed[1] == before[1]
    page.mouse.dblclick(*middle)
    assert look() == before
