"""The job table in a real headless Chromium (Debian's), offline, from file://: search, sort,
pages, the failures' links, hostile text, keyboard use; no request, no console error."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from reportgen.build import BuildResult, build_site
from tests.factories import event
from tests.test_browser import browser, open_page  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
HOSTILE = '<script>document.title="owned"</script> \' " </script><!--'


def demo_jobs(demo_site: BuildResult) -> tuple[Path, list[dict[str, str]]]:
    folder = demo_site.out_dir / "demo"
    rows = list(csv.DictReader(io.StringIO((folder / "jobs.csv").read_text())))
    return folder / "index.html", rows


def rows_shown(page: Any) -> list[list[str]]:
    table = page.locator("section#jobs table.grid-table tbody tr")
    result: list[list[str]] = table.evaluate_all(
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent))"
    )
    return result


def test_search_sort_and_pages(browser: Any, demo_site: BuildResult) -> None:  # noqa: F811
    html, jobs = demo_jobs(demo_site)
    page, requests, problems = open_page(browser, html.as_uri())
    search = page.get_by_label("Search the jobs in the page")
    status = page.locator("section#jobs .grid-status")
    assert len(rows_shown(page)) == 50
    # typing a job id finds its row (a job the page holds: any row of its first page)
    wanted = rows_shown(page)[7][0]
    search.fill(wanted)
    found = rows_shown(page)
    assert wanted in [row[0] for row in found]
    assert all(wanted in "\u0001".join(row) for row in found)
    assert "matching" in status.text_content()
    search.fill("")
    # sorting by node_hours puts the largest first
    names = page.locator("section#jobs th").all_text_contents()
    column = names.index("node_hours")
    header = page.locator("section#jobs th").nth(column)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    largest = max(float(job["node_hours"]) for job in jobs)
    first = rows_shown(page)
    assert float(first[0][column]) == largest
    assert [float(r[column]) for r in first] == sorted(
        (float(r[column]) for r in first), reverse=True
    )
    header.locator("button").click()  # again: ascending
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    # pages of 50: the next page continues the order, the previous one comes back
    page.get_by_role("button", name="Next").click()
    second = rows_shown(page)
    assert len(second) == 50 and float(second[0][column]) <= float(first[-1][column])
    assert "Jobs 51\u2013100 of" in status.text_content()
    page.get_by_role("button", name="Previous").click()
    assert rows_shown(page) == first
    # keyboard: the sort buttons and the pager are reachable and work with Enter
    page.locator("section#jobs th").nth(0).locator("button").focus()
    page.keyboard.press("Enter")
    job_ids = [int(r[0]) for r in rows_shown(page)]
    assert job_ids == sorted(job_ids, reverse=True)
    page.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    assert "Jobs 51\u2013100 of" in status.text_content()
    assert requests and all(url.startswith("file://") for url in requests), requests
    assert problems == []


def test_a_failure_group_link_shows_only_its_jobs(browser: Any, demo_site: BuildResult) -> None:  # noqa: F811
    html, _ = demo_jobs(demo_site)
    page, requests, problems = open_page(browser, html.as_uri())
    link = page.locator("section#failures table a[href*='?group=']").first
    count = int(link.text_content().replace(",", ""))
    link.click()
    note = page.locator("section#jobs .grid-filter")
    note.wait_for(state="visible")
    assert "Showing the jobs of the failure group" in note.text_content()
    # every job of the group, each once, over the pages; each really ended that way
    key = link.get_attribute("href").split("?group=")[1]
    data = json.loads(page.locator("#grid-jobs").text_content())
    members = {
        row[0]
        for row, groups in zip(data["rows"], data["groups"], strict=True)
        if key in groups.split()
    }
    seen: list[str] = []
    while True:
        seen += [r[0] for r in rows_shown(page)]
        next_page = page.get_by_role("button", name="Next")
        if next_page.is_disabled():
            break
        next_page.click()
    assert sorted(seen) == sorted(members)
    assert len(members) == min(count, len(members)) and members
    assert data["sizes"][key] == count
    page.get_by_role("button", name="Show every job").click()
    assert note.is_hidden()
    assert "matching" not in page.locator("section#jobs .grid-status").text_content()
    assert problems == [] and all(url.startswith("file://") for url in requests)


def test_hostile_tags_show_as_text(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    records = [
        event(1, 1, 0, "PREPROCESSED", "RUNNING", num_nodes=1.0),
        event(2, 1, 6, "RUNNING", "RUN_DONE"),
    ]
    (tmp_path / "events.json").write_text(json.dumps(records))
    job = {
        "id": 1,
        "num_nodes": 1,
        "batch_job_id": None,
        "tags": {"x": HOSTILE},
        "workdir": HOSTILE,
    }
    (tmp_path / "jobs.json").write_text(json.dumps([job]))
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "title: t\nsource:\n  files: {events: events.json, jobs: jobs.json}\n"
        "queries:\n  events: {all: {}}\n"
        "charts:\n  - {id: jobs, type: jobs_table, events: all}\n"
    )
    build_site([spec], tmp_path / "site")
    page, requests, problems = open_page(
        browser, (tmp_path / "site" / "spec" / "index.html").as_uri()
    )
    assert page.title() == "t"
    row = rows_shown(page)[0]
    assert row[2] == f"x={HOSTILE}" and row[12] == HOSTILE
    page.get_by_label("Search the jobs in the page").fill("</script>")
    assert rows_shown(page)[0][2] == f"x={HOSTILE}"
    assert page.title() == "t"
    assert problems == [] and all(url.startswith("file://") for url in requests)
