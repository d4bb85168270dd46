"""The index page: reports under their spec's `group:` (in the order each group's first
report comes, those without one last), and each row's throughput sparkline, its points
checked against a plain-Python count of the demo's records and its words word for word."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reportgen.build import BuildResult, build_site
from reportgen.errors import SpecError
from reportgen.spec import load_report
from tests.conftest import demo_records
from tests.factories import event

COLUMNS, HEIGHT, PAD = 120, 28, 2
"""The sparkline's definition (README): one sample per CSS pixel of its 120, 28 px high."""


def micros(text: str) -> int:
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // (datetime.resolution)


def slow_points(times: list[int], start: int, as_of: int) -> list[tuple[int, float]]:
    """Sample i: the events into JOB_FINISHED at or before start + floor(i x span / 120); its
    pixel row: the count's share of the largest sample, from 26 (none) up to 2 (all)."""
    counts = []
    for i in range(COLUMNS + 1):
        instant = start + i * (as_of - start) // COLUMNS
        counts.append(sum(1 for t in times if t <= instant and t <= as_of))
    top = max(counts)
    return [
        (i, round(HEIGHT - PAD - (HEIGHT - 2 * PAD) * (c / top if top else 0), 2))
        for i, c in enumerate(counts)
    ]


def drawn_points(path: str) -> list[tuple[int, float]]:
    assert path.startswith("M")
    pairs = [p.split(",") for p in path[1:].split(" L")]
    return [(int(x), float(y)) for x, y in pairs]


SVG = re.compile(r'<svg class="sparkline" role="img" aria-label="([^"]*)"[^>]*>(.*?)</svg>')


def test_the_demo_rows_sparkline_is_its_throughput(demo_site: BuildResult) -> None:
    index = (demo_site.out_dir / "index.html").read_text()
    (found,) = SVG.findall(index)
    label, body = found
    line = re.search(r'<path class="line" d="([^"]*)"/>', body)
    assert line is not None
    window = demo_site.reports[0].runs[0].window
    demo_jobs = {j["id"] for j in demo_records("jobs.json.gz") if j["tags"]["experiment"] == "demo"}
    times = [
        micros(e["timestamp"])
        for e in demo_records("events.json.gz")
        if e["to_state"] == "JOB_FINISHED" and e["job_id"] in demo_jobs
    ]
    assert drawn_points(line.group(1)) == slow_points(times, window.start, window.as_of)
    finished = sum(1 for t in times if t <= window.as_of)
    assert label == (
        f"Throughput: {finished:,} events into JOB_FINISHED by 2024-03-01 18:00:00 UTC, "
        "from 0 at 2024-03-01 08:00:00 UTC"
    )
    assert f"<title>{label}</title>" in body


def tiny(folder: Path, name: str, group: str | None, finishes: list[float]) -> Path:
    """A report of one job finishing at each of `finishes` (minutes after 08:00)."""
    folder.mkdir(parents=True, exist_ok=True)
    events = [event(i + 1, i + 1, m, "RUN_DONE", "JOB_FINISHED") for i, m in enumerate(finishes)]
    (folder / f"{name}.json").write_text(json.dumps(events))
    spec = folder / f"{name}.yaml"
    spec.write_text(
        f"title: Report {name}\n"
        + (f"group: {group}\n" if group else "")
        + f"source: {{files: {{events: {name}.json}}}}\n"
        + "as_of: 2024-03-01T10:00:00Z\n"
        + "queries: {events: {all: {}}}\n"
        + "charts: [{id: t, type: throughput, events: all, formats: []}]\n"
    )
    return spec


def headings_and_titles(index: str) -> list[tuple[str, str]]:
    return re.findall(r"<h2>([^<]*)</h2>|<a href=\"[^\"]*\">(Report [^<]*)</a>", index)


def test_reports_are_listed_under_their_groups(tmp_path: Path) -> None:
    specs = [
        tiny(tmp_path, "a", None, [10]),
        tiny(tmp_path, "b", "Weak scaling", [10]),
        tiny(tmp_path, "c", "Production", [10]),
        tiny(tmp_path, "d", "Weak scaling", [10]),
    ]
    build_site(specs, tmp_path / "site")
    index = (tmp_path / "site" / "index.html").read_text()
    shown = [heading or title for heading, title in headings_and_titles(index)]
    assert shown == [
        "Weak scaling", "Report b", "Report d", "Production", "Report c",
        "Other reports", "Report a",
    ]  # fmt: skip
    assert index.count('<table class="reports">') == 3


def test_without_groups_the_index_is_one_table_without_heading(tmp_path: Path) -> None:
    specs = [tiny(tmp_path, "a", None, [30, 60, 90]), tiny(tmp_path, "b", None, [])]
    build_site(specs, tmp_path / "site")
    index = (tmp_path / "site" / "index.html").read_text()
    assert "<h2>" not in index and index.count('<table class="reports">') == 1
    first, second = [label for label, _ in SVG.findall(index)]
    assert first == (
        "Throughput: 3 events into JOB_FINISHED by 2024-03-01 10:00:00 UTC, from 1 at "
        "2024-03-01 08:30:00 UTC"
    )
    # no finish: a flat line along the bottom
    assert second.startswith("Throughput: 0 events into JOB_FINISHED by")
    paths = re.findall(r'<path class="line" d="([^"]*)"/>', index)
    assert {y for _, y in drawn_points(paths[1])} == {26.0}
    # a finish at the start is at the top from the first sample
    start = micros("2024-03-01T08:30:00")
    as_of = micros("2024-03-01T10:00:00")
    expected = slow_points(
        [start, micros("2024-03-01T09:00:00"), micros("2024-03-01T09:30:00")], start, as_of
    )
    assert drawn_points(paths[0]) == expected
    assert expected[0] == (0, 18.0) and expected[-1] == (120, 2.0)


def test_a_group_must_be_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tiny(tmp_path, "a", "[x, y]", [10])
    with pytest.raises(SpecError) as caught:
        load_report(Path(spec.name))
    assert caught.value.problems == ["a.yaml:2: group: expected a string; got 'a list'"]
