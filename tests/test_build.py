"""Whole builds of the demo: the output layout, CSVs, images, determinism, atomic swap."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import signal
import struct
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reportgen.build import BuildResult, build_site
from reportgen.errors import ReportgenError, SourceError, SpecError
from tests.conftest import DEMO_SPEC, ROOT, demo_records

CHART_IDS = ["throughput", "utilization", "nodes", "restarts"]
CSV_ROW = re.compile(
    r"^(throughput|utilization|available_nodes),"
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z,-?\d+(\.\d+)?$"
)


def test_layout_is_fixed(demo_site: BuildResult) -> None:
    out = demo_site.out_dir
    assert (out / "index.html").is_file()
    assert (out / "demo" / "index.html").is_file()
    for chart in CHART_IDS:
        for ext in ("png", "svg", "pdf", "csv"):
            assert (out / "demo" / f"{chart}.{ext}").stat().st_size > 0, f"{chart}.{ext}"
    assert sorted(p.name for p in (out / "assets").iterdir()) == [
        "charts.js",
        "grid.js",
        "style.css",
        "theme.js",
        "vega-bundle.js",
    ]


def test_csv_header_rows_and_time_order(demo_site: BuildResult) -> None:
    text = (demo_site.out_dir / "demo" / "utilization.csv").read_text()
    lines = text.splitlines()
    assert lines[0] == "series,timestamp,value"
    assert all(CSV_ROW.match(line) for line in lines[1:])
    stamps = [line.split(",")[1] for line in lines[1:]]
    assert stamps == sorted(stamps)
    series = {line.split(",")[0] for line in lines[1:]}
    assert series == {"available_nodes", "utilization"}
    nodes = [line for line in lines[1:] if line.startswith("available_nodes")]
    assert all(re.fullmatch(r"-?\d+", n.split(",")[2]) for n in nodes)  # counts as integers


def test_throughput_csv_counts_the_demo_finish_events(demo_site: BuildResult) -> None:
    """Independent count: read the raw demo file with the standard library."""
    finished = sorted(
        e["timestamp"]
        for e in demo_records("events.json.gz")
        if e["to_state"] == "JOB_FINISHED" and e["timestamp"] <= "2024-03-01T18:00"
    )
    rows = list(
        csv.DictReader(io.StringIO((demo_site.out_dir / "demo" / "throughput.csv").read_text()))
    )
    assert int(rows[-1]["value"]) == len(finished)
    assert len(rows) == len(set(finished))  # one row per distinct instant
    values = [int(r["value"]) for r in rows]
    assert values == sorted(values)


def png_size_and_dpi(data: bytes) -> tuple[int, int, float]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    index = data.find(b"pHYs")
    x_per_metre = struct.unpack(">I", data[index + 4 : index + 8])[0]
    return width, height, x_per_metre * 0.0254


def png_is_not_blank(data: bytes) -> bool:
    """Decode the IDAT stream and check the pixels are not all one value."""
    chunks, position = [], 8
    while position < len(data):
        length = struct.unpack(">I", data[position : position + 4])[0]
        kind = data[position + 4 : position + 8]
        if kind == b"IDAT":
            chunks.append(data[position + 8 : position + 8 + length])
        position += 12 + length
    pixels = zlib.decompress(b"".join(chunks))
    return len(set(pixels[: 1 << 20])) > 8


def test_png_is_print_resolution_and_not_blank(demo_site: BuildResult) -> None:
    data = (demo_site.out_dir / "demo" / "utilization.png").read_bytes()
    width, _, dpi = png_size_and_dpi(data)
    assert dpi == pytest.approx(300, abs=1)
    assert width >= 800 * 300 / 96  # the chart is 800 CSS pixels wide (plus axes)
    assert png_is_not_blank(data)


def test_svg_and_pdf_are_what_they_claim(demo_site: BuildResult) -> None:
    svg = (demo_site.out_dir / "demo" / "nodes.svg").read_text()
    assert svg.startswith("<svg") and "</svg>" in svg and "Available nodes" in svg
    assert (demo_site.out_dir / "demo" / "nodes.pdf").read_bytes().startswith(b"%PDF-")


def test_pages_reference_assets_relatively_and_nothing_remote(demo_site: BuildResult) -> None:
    for page in demo_site.out_dir.rglob("*.html"):
        html = page.read_text()
        for ref in re.findall(r'(?:src|href)="([^"]+)"', html):
            assert not re.match(r"^[a-z]+:|^//|^/", ref), f"{page.name}: {ref}"
    report = (demo_site.out_dir / "demo" / "index.html").read_text()
    assert report.count("vega-bundle.js") == 1
    assert "2024-03-01T18:00:00.000000Z" in report  # the as-of time is shown


def test_headline_numbers(demo_site: BuildResult) -> None:
    headline = demo_site.reports[0].headline
    assert headline.jobs_finished > 1000 and headline.jobs_failed > 10
    assert 0 < headline.mean_utilization < headline.peak_utilization
    assert headline.node_hours_available is not None
    assert 0 < headline.node_hours_used < headline.node_hours_available


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_input_same_bytes(demo_site: BuildResult, tmp_path: Path) -> None:
    again = build_site([DEMO_SPEC], tmp_path / "again")
    assert tree_digest(again.out_dir) == tree_digest(demo_site.out_dir)


def small_spec(tmp_path: Path, extra: str = "") -> Path:
    spec = tmp_path / "small.yaml"
    spec.write_text(
        f"title: Small\nsource:\n  files: {{events: {ROOT}/report_specs/data/events.json.gz, "
        f"batch_jobs: {ROOT}/report_specs/data/batchjobs.json.gz}}\n"
        "queries:\n  events: {all: {}}\n  batch_jobs: {all: {}}\n"
        "charts:\n  - {id: t, type: throughput, events: all, formats: [svg]}\n" + extra
    )
    return spec


def test_a_failed_build_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site([small_spec(tmp_path)], out)
    before = tree_digest(out)
    broken = tmp_path / "broken.yaml"
    broken.write_text(small_spec(tmp_path).read_text().replace("events.json.gz", "missing.gz"))
    with pytest.raises(SourceError, match="events file not found"):
        build_site([broken], out)
    assert tree_digest(out) == before
    assert not list(tmp_path.glob(".site.new-*"))
    with pytest.raises(SpecError):
        build_site([small_spec(tmp_path, "as_of: nope\n")], out)
    assert tree_digest(out) == before


def test_a_killed_build_leaves_the_previous_site_untouched(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site([small_spec(tmp_path)], out)
    before = tree_digest(out)
    script = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from pathlib import Path\n"
        "import reportgen.site.output as output\n"
        "import os, signal\n"
        "real = output._swap\n"
        "def killed(*args):\n"
        "    print('about to swap', flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "output._swap = killed\n"
        "from reportgen.build import build_site\n"
        f"build_site([Path({str(DEMO_SPEC)!r})], Path({str(out)!r}))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == -signal.SIGKILL and "about to swap" in run.stdout
    assert tree_digest(out) == before
    # the next build clears the abandoned staging folder and succeeds
    build_site([small_spec(tmp_path)], out)
    assert not list(tmp_path.glob(".site.new-*"))


def test_a_swap_killed_halfway_is_repaired_by_the_next_build(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site([small_spec(tmp_path)], out)
    before = tree_digest(out)
    from reportgen.site import output

    aside = output._swap_folder(out, "old", "0" * 32)  # what the swap makes before renames
    os.replace(out, aside / "site")  # what a kill between the two renames leaves
    output.restore_interrupted_swap(out)
    assert tree_digest(out) == before and not aside.exists()


def test_it_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    with pytest.raises(ReportgenError, match="was not written by reportgen"):
        build_site([small_spec(tmp_path)], out)
    assert (out / "thesis.tex").read_text() == "years of work"


def test_as_of_override_cuts_the_series(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    result = build_site(
        [small_spec(tmp_path)], tmp_path / "site", as_of=datetime(2024, 3, 1, 12, tzinfo=UTC)
    )
    rows = (tmp_path / "site" / "small" / "t.csv").read_text().splitlines()[1:]
    assert rows and all(r.split(",")[1] <= "2024-03-01T12:00:00.000000Z" for r in rows)
    assert result.reports[0].as_of_origin == "given on the command line (--as-of)"


def test_default_as_of_is_the_latest_loaded_timestamp(tmp_path: Path) -> None:
    result = build_site([small_spec(tmp_path)], tmp_path / "site")
    latest = max(
        [e["timestamp"] for e in demo_records("events.json.gz")]
        + [
            t
            for b in demo_records("batchjobs.json.gz")
            for t in (b["start_time"], b["end_time"])
            if t
        ]
    )
    from reportgen.times import format_micros

    assert format_micros(result.reports[0].as_of).startswith(latest.ljust(26, "0")[:19])


def test_headline_numbers_match_the_utilization_csv(demo_site: BuildResult) -> None:
    """Peak and node-hours recomputed from the CSV with plain Python."""
    rows = list(
        csv.DictReader(io.StringIO((demo_site.out_dir / "demo" / "utilization.csv").read_text()))
    )
    used = [
        (datetime.fromisoformat(r["timestamp"]), float(r["value"]))
        for r in rows
        if r["series"] == "utilization"
    ]
    headline = demo_site.reports[0].headline
    assert headline.peak_utilization == max(v for _, v in used)
    end = datetime.fromisoformat("2024-03-01T18:00:00+00:00")
    area = sum(
        value * ((later[0] if later else end) - when).total_seconds()
        for (when, value), later in zip(used, [*used[1:], None], strict=True)
    )
    assert headline.node_hours_used == pytest.approx(area / 3600, rel=1e-12)


def demo_event_times() -> list[datetime]:
    return [datetime.fromisoformat(e["timestamp"]) for e in demo_records("events.json.gz")]


def test_the_page_says_how_many_events_the_as_of_time_leaves_out(tmp_path: Path) -> None:
    noon = datetime(2024, 3, 1, 12)
    later = sum(1 for t in demo_event_times() if t > noon)
    assert 0 < later < len(demo_event_times())
    result = build_site([small_spec(tmp_path)], tmp_path / "site", as_of=noon.replace(tzinfo=UTC))
    assert result.reports[0].warnings == [
        f"Event query 'all': {later:,} events later than the as-of time "
        "2024-03-01T12:00:00.000000Z are not counted (the as-of time was given on the "
        "command line (--as-of))."
    ]
    page = (tmp_path / "site" / "small" / "index.html").read_text()
    assert f"{later:,} events later than the as-of time" in page


def test_an_as_of_before_every_record_says_so(tmp_path: Path) -> None:
    spec = small_spec(tmp_path, "as_of: 2020-01-01T00:00:00Z\n")
    result = build_site([spec], tmp_path / "site")
    earliest = min(demo_event_times())
    assert earliest == datetime(2024, 3, 1, 8)  # the batch jobs start no earlier
    assert result.reports[0].warnings == [
        "Every record is later than the as-of time 2020-01-01T00:00:00.000000Z, so every "
        "series is empty (the earliest is 2024-03-01T08:00:00.000000Z); the as-of time was "
        "set in the spec (as_of)."
    ]


def test_each_download_link_says_which_file_it_is() -> None:
    from reportgen.site.model import _file_label

    assert _file_label("ledger", "ledger.csv") == "CSV"
    assert _file_label("ledger", "ledger-over-time.csv") == "over time CSV"
    assert _file_label("d", "d-summary.csv") == "summary CSV"
