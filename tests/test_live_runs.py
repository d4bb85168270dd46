"""A report over runs against a real Balsam server: `runs: {by_tag: ...}` finds its runs in
the server's job tags, and each run's queries fetch its own events and batch jobs; the same
report from files saved independently (plain requests, no filters) gives the same CSVs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportgen.build import build_site
from tests.balsam_site import Server, running_server, save_everything

pytestmark = pytest.mark.live

STUDY = [
    ("scaling", 3, 400, {"scale_nodes": "2"}),
    ("scaling", 4, 400, {"scale_nodes": "16"}),
    ("scaling", 5, 400, {"scale_nodes": "4"}),
    ("other", 6, 200, {"scale_nodes": "32"}),  # tagged, but not of the study
]
HEAD = "title: Live scaling\nas_of: 2024-03-01T18:00:00Z\n"
BODY = """\
queries:
  events: {all: {tags: {experiment: scaling}}}
  batch_jobs: {all: {filter_tags: {experiment: scaling}}}
runs: {by_tag: scale_nodes, tags: {experiment: scaling}}
baseline: "4"
steady_state: {from: 0.1, to: 0.9}
charts:
  - {id: scaling, type: scaling, events: all, batch_jobs: all, formats: [svg]}
  - {id: throughput, type: throughput, events: all, ideal: true, available_nodes: all,
     formats: [svg]}
  - {id: utilization, type: utilization, events: all, available_nodes: all, normalize: true,
     formats: [svg]}
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server(STUDY) as live:
        yield live


@pytest.fixture(scope="module")
def folder(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("study")
    files = save_everything(server, folder)
    server.client_yml(folder / "client.yml")
    (folder / "files.txt").write_text(
        "source:\n  files: {" + ", ".join(f"{k}: {v}" for k, v in files.items()) + "}\n"
    )
    return folder


def spec(folder: Path, kind: str, name: str, body: str = BODY) -> Path:
    """The study's spec with a live (`kind` "live") or files source, in its own folder."""
    source = (
        "source:\n  balsam: {client_config: ../client.yml}\n"
        if kind == "live"
        else (folder / "files.txt").read_text()
    )
    (folder / kind).mkdir(exist_ok=True)
    path = folder / kind / f"{name}.yaml"
    path.write_text(HEAD + source + body)
    return path


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_a_by_tag_report_live_equals_the_same_report_from_files(folder: Path) -> None:
    live = build_site([spec(folder, "live", "study")], folder / "site-live")
    build_site([spec(folder, "files", "study")], folder / "site-files")
    # the runs found in the server's job tags, in numeric order (text order: 16, 2, 4)
    assert [run.window.name for run in live.reports[0].runs] == ["2", "4", "16"]
    names = ["scaling.csv", "throughput.csv", "utilization.csv"]
    assert sorted(p.name for p in (folder / "site-live" / "study").glob("*.csv")) == sorted(names)
    for name in names:
        made = (folder / "site-live" / "study" / name).read_bytes()
        assert made == (folder / "site-files" / "study" / name).read_bytes(), name
    table = rows(folder / "site-live" / "study" / "scaling.csv")
    assert [r["run"] for r in table] == ["2", "4", "16"]
    assert all(r["steady_jobs_per_minute"] and r["nodes"] for r in table), table
    assert table[1]["speedup"] == "1" and table[1]["delta_vs_baseline"] == "0"
    throughput = rows(folder / "site-live" / "study" / "throughput.csv")
    assert {r["run"] for r in throughput} == {"2", "4", "16"}
    assert len(throughput) > 100
    # each run's queries were answered by the server, narrowed to the run's tag
    manifest = json.loads((folder / "site-live" / "study" / "manifest.json").read_text())
    for run in manifest["runs"]:
        tags = {"experiment": "scaling", "scale_nodes": run["name"]}
        applied = {(q["kind"], q["name"]): q["server_applied"] for q in run["queries"]}
        assert applied == {
            ("events", "all"): {"tags": tags},
            ("batch_jobs", "all"): {"filter_tags": tags},
        }
        assert all(q["reportgen_applied"] == {} and q["fetched"] > 0 for q in run["queries"])


IMPLIED = """\
runs: {by_tag: scale_nodes, tags: {experiment: scaling}}
baseline: "4"
steady_state: {from: 0.1, to: 0.9}
charts:
  - {id: scaling, type: scaling, runs: all, formats: [svg]}
  - {id: throughput, type: throughput, runs: all, ideal: true, formats: [svg]}
  - {id: utilization, type: utilization, runs: all, normalize: true, formats: [svg]}
"""


def test_the_issues_form_without_queries_gives_the_same_csvs_live(folder: Path) -> None:
    build_site([spec(folder, "live", "implied", IMPLIED)], folder / "site-implied")
    build_site([spec(folder, "files", "study")], folder / "site-files-2")
    for name in ("scaling.csv", "throughput.csv", "utilization.csv"):
        made = (folder / "site-implied" / "implied" / name).read_bytes()
        assert made == (folder / "site-files-2" / "study" / name).read_bytes(), name
