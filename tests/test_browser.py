"""The built site in a real headless Chromium (Debian's), offline, from file://."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reportgen.build import BuildResult, build_site
from reportgen.spec import load_report
from tests.conftest import DEMO_SPEC, ROOT

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is not installed: run `bash scripts/test.sh`, which installs it"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield chromium
        chromium.close()


def open_page(browser: Any, url: str, timezone: str = "UTC") -> tuple[Any, list[str], list[str]]:
    context = browser.new_context(timezone_id=timezone, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(url)
    return page, requests, problems


def test_every_chart_renders_offline_without_console_errors(
    browser: Any, demo_site: BuildResult, tmp_path: Path
) -> None:
    url = (demo_site.out_dir / "demo" / "index.html").as_uri()
    page, requests, problems = open_page(browser, url)
    charts = page.locator(".chart")
    drawn = [c.id for c in load_report(DEMO_SPEC).charts if c.type != "jobs_table"]
    assert [charts.nth(i).get_attribute("data-spec") for i in range(charts.count())] == [
        f"spec-{chart_id}" for chart_id in drawn
    ]
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.locator("svg.marks").wait_for(timeout=20_000)
        lines = chart.locator("svg.marks path[d]")
        assert lines.count() > 0
        longest = lines.evaluate_all(  # one call, not one per path (thousands)
            "paths => Math.max(...paths.map(p => (p.getAttribute('d') || '').length))"
        )
        if drawn[index] != "failures":  # bars, not lines of many points
            assert longest > 500, f"{drawn[index]}: a line or area of many points was drawn"
    shot = tmp_path / "demo.png"  # for people to look at: pytest keeps recent tmp folders
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    assert requests and all(url.startswith("file://") for url in requests), requests
    assert problems == []


def test_the_index_page_links_each_report(browser: Any, demo_site: BuildResult) -> None:
    page, requests, problems = open_page(browser, (demo_site.out_dir / "index.html").as_uri())
    link = page.locator("a", has_text="Demo experiment")
    assert link.get_attribute("href") == "demo/index.html"
    link.click()
    page.locator(".chart svg.marks").first.wait_for(timeout=20_000)
    assert problems == [] and all(url.startswith("file://") for url in requests)


@pytest.fixture(scope="module")
def zoned_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("zones")
    text = (ROOT / "report_specs" / "demo.yaml").read_text()
    text = text.replace("data/", f"{ROOT}/report_specs/data/")
    text = text.split("\n  - {id: states,")[0] + "\n"  # the axis is the first chart's
    for axis in ("utc", "America/Chicago"):
        name = "chicago" if "/" in axis else axis
        (folder / f"{name}.yaml").write_text(
            text.replace("time_axis: elapsed_minutes", f"time_axis: {axis}")
        )
    out = folder / "site"
    build_site(sorted(folder.glob("*.yaml")), out)
    return out


@pytest.mark.parametrize(("report", "first_label"), [("utc", "08 AM"), ("chicago", "02 AM")])
def test_axis_times_do_not_depend_on_the_browsers_zone(
    browser: Any, zoned_site: Path, report: str, first_label: str
) -> None:
    labels = []
    for timezone in ("UTC", "Asia/Tokyo", "America/Los_Angeles"):
        page, _, problems = open_page(
            browser, (zoned_site / report / "index.html").as_uri(), timezone
        )
        axis = page.locator(".chart").first.locator("g.role-axis-label text")
        axis.first.wait_for(timeout=20_000)
        labels.append(axis.all_text_contents())
        assert problems == []
    assert labels[0] == labels[1] == labels[2]
    # 08:00 UTC is 02:00 in Chicago (CST, UTC-6, on 2024-03-01)
    assert labels[0][0] == first_label


def test_the_as_of_label_sits_above_the_plot_where_no_line_can_cross_it(
    browser: Any, demo_site: BuildResult
) -> None:
    page, _, problems = open_page(browser, (demo_site.out_dir / "demo" / "index.html").as_uri())
    # the charts over time (the ECDF's and the bars' x axes are no time axes)
    over_time = ("throughput", "utilization", "nodes", "restarts", "states", "ledger")
    for chart_id in over_time:
        chart = page.locator(f"section#{chart_id} .chart")
        label = chart.locator("g.mark-text text", has_text="as of")
        label.wait_for(timeout=20_000)
        text_box = label.bounding_box()
        # the horizontal grid lines span the plot: their box's top is the plot's top
        grid_box = chart.locator("g.role-axis-grid").nth(1).bounding_box()
        assert text_box is not None and grid_box is not None
        assert text_box["y"] + text_box["height"] <= grid_box["y"] + 0.5
    assert problems == []
