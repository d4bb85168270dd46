"""The live source against a real Balsam server (PostgreSQL + Balsam 0.7.0a24 on 127.0.0.1).

The server is started by the project's own script, filled by replaying two simulated
experiments through its REST API, and stopped at the end. The same spec built from the live
source and from files saved independently (plain requests, no filters) must agree exactly.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from reportgen.build import build_site
from reportgen.cli import main
from reportgen.errors import SourceError
from reportgen.source import load_report_data
from reportgen.spec import load_report
from tests.balsam_site import Server, running_server, save_everything

pytestmark = pytest.mark.live
ROOT = Path(__file__).resolve().parent.parent

QUERIES = """\
queries:
  events:
    alpha: {tags: {experiment: alpha}}
    alpha_b: {tags: {experiment: alpha, campaign: B}}
    beta_running: {tags: {experiment: beta}, to_state: RUNNING}
    restarts: {from_state: RESTART_READY, to_state: RUNNING}
    morning: {timestamp_after: '2024-03-01T09:00:00', timestamp_before: '2024-03-01T11:30:00'}
    failed_data: {data: {message: 'Job failed: nonzero return code'}}
    by_batch: {batch_job_id: 2}
    by_scheduler: {scheduler_id: 4101004, tags: {experiment: alpha}}
    by_scheduler_beta: {scheduler_id: 4102002}
    some_jobs: {job_id: [5, 6, 7, 300, 301]}
    some_ids: {id: [10, 11, 12, 2000]}
  batch_jobs:
    alpha: {filter_tags: {experiment: alpha}}
    alpha_a: {filter_tags: {experiment: alpha, campaign: A}}
    finished: {state: finished, site_id: 1}
    running_or_queued: {state: [running, queued]}
    one: {scheduler_id: 4102003}
    by_id: {id: [1, 2, 9]}
    prod: {queue: prod, start_time_after: '2024-03-01T10:00:00'}
    early: {start_time_before: '2024-03-01T10:00:00', end_time_before: '2024-03-01T13:00:00'}
    late_end: {end_time_after: '2024-03-01T12:00:00'}
charts:
  - {id: alpha-throughput, type: throughput, events: alpha, formats: [svg]}
  - {id: alpha-utilization, type: utilization, events: alpha, available_nodes: alpha,
     formats: [svg]}
  - {id: alpha-b, type: utilization, events: alpha_b, node_weighting: false, formats: [svg]}
  - {id: beta-starts, type: throughput, events: beta_running, to_state: RUNNING, formats: [svg]}
  - {id: restarts, type: throughput, events: restarts, to_state: RUNNING, formats: [svg]}
  - {id: morning, type: utilization, events: morning, formats: [svg]}
  - {id: failed, type: throughput, events: failed_data, to_state: FAILED, formats: [svg]}
  - {id: by-batch, type: utilization, events: by_batch, formats: [svg]}
  - {id: by-scheduler, type: utilization, events: by_scheduler, formats: [svg]}
  - {id: nodes-finished, type: available_nodes, batch_jobs: finished, formats: [svg]}
  - {id: nodes-prod, type: available_nodes, batch_jobs: prod, formats: [svg]}
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server([("alpha", 1, 1500), ("beta", 2, 1000)]) as live:
        yield live


@pytest.fixture(scope="module")
def specs(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("specs")
    files = save_everything(server, folder)
    server.client_yml(folder / "client.yml")
    head = "title: Live\nas_of: 2024-03-01T18:00:00Z\n"
    (folder / "live").mkdir()
    (folder / "files").mkdir()
    live = folder / "live" / "experiment.yaml"
    live.write_text(head + "source:\n  balsam: {client_config: ../client.yml}\n" + QUERIES)
    saved = folder / "files" / "experiment.yaml"
    saved.write_text(
        head
        + "source:\n  files: {"
        + ", ".join(f"{k}: {v}" for k, v in files.items())
        + "}\n"
        + QUERIES
    )
    return {"live": live, "files": saved, "folder": folder}


def live_variant(specs: dict[str, Path], name: str, old: str, new: str) -> Path:
    """The live spec with `old` replaced by `new`, saved beside it as `name`.yaml."""
    text = specs["live"].read_text()
    assert old in text
    spec = specs["folder"] / "live" / f"{name}.yaml"
    spec.write_text(text.replace(old, new))
    return spec


def test_every_query_matches_the_same_records(specs: dict[str, Path]) -> None:
    live = load_report_data(load_report(specs["live"]))
    saved = load_report_data(load_report(specs["files"]))
    for name in live.events:
        assert live.events[name].id.tolist() == sorted(saved.events[name].id.tolist()), name
    for name in live.batch_jobs:
        assert live.batch_jobs[name].id.tolist() == sorted(saved.batch_jobs[name].id.tolist()), name
    counts = {name: len(table) for name, table in live.events.items()}
    assert all(counts[n] > 0 for n in counts if n != "some_ids"), counts
    assert counts["alpha"] > counts["alpha_b"] > 0
    assert 0 < len(live.batch_jobs["alpha_a"]) < len(live.batch_jobs["alpha"])


def test_live_and_files_give_identical_csvs(specs: dict[str, Path], tmp_path: Path) -> None:
    live = build_site([specs["live"]], tmp_path / "live")
    build_site([specs["files"]], tmp_path / "files")
    csvs = sorted((tmp_path / "live" / "experiment").glob("*.csv"))
    assert len(csvs) == len(live.reports[0].charts)
    for csv in csvs:
        assert csv.read_bytes() == (tmp_path / "files" / "experiment" / csv.name).read_bytes(), (
            csv.name
        )
    assert any(len(csv.read_text().splitlines()) > 100 for csv in csvs)


def test_a_snapshot_rebuilds_offline_to_identical_csvs(
    specs: dict[str, Path], tmp_path: Path
) -> None:
    build_site([specs["live"]], tmp_path / "live")
    data = tmp_path / "live" / "experiment" / "data"
    assert sorted(p.name for p in data.iterdir()) == [
        "batchjobs.json.gz",
        "events.json.gz",
        "experiment.yaml",
        "jobs.json.gz",
    ]
    page = (tmp_path / "live" / "experiment" / "index.html").read_text()
    assert 'href="data/events.json.gz"' in page
    build_site([data / "experiment.yaml"], tmp_path / "offline")
    for csv in (tmp_path / "live" / "experiment").glob("*.csv"):
        assert csv.read_bytes() == (tmp_path / "offline" / "experiment" / csv.name).read_bytes()


def test_snapshots_can_be_turned_off(specs: dict[str, Path], tmp_path: Path) -> None:
    spec = live_variant(
        specs,
        "private",
        "{client_config: ../client.yml}",
        "{client_config: ../client.yml, snapshots: false}",
    )
    build_site([spec], tmp_path / "site")
    assert not (tmp_path / "site" / "private" / "data").exists()
    assert "data/events.json.gz" not in (tmp_path / "site" / "private" / "index.html").read_text()


def test_the_default_as_of_of_a_live_source_is_the_fetch_time(
    specs: dict[str, Path], tmp_path: Path
) -> None:
    spec = live_variant(specs, "now", "as_of: 2024-03-01T18:00:00Z\n", "")
    result = build_site([spec], tmp_path / "site")
    assert result.reports[0].as_of_origin == "the time the live fetch started"
    assert (
        "the time the live fetch started" in (tmp_path / "site" / "now" / "index.html").read_text()
    )


def run_cli(spec: Path, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reportgen", "build", str(spec), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )


def test_the_token_never_appears_in_output(
    server: Server, specs: dict[str, Path], tmp_path: Path
) -> None:
    cache = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    for _ in range(2):  # (a rebuild: the kept records brought up to date, and kept again)
        run = run_cli(specs["live"], tmp_path / "site", cache)
        assert run.returncode == 0, run.stderr
        assert server.token not in run.stdout + run.stderr
    checked = set()
    for path in [*(tmp_path / "site").rglob("*"), *(tmp_path / "cache").rglob("*")]:
        if path.is_file():
            raw = path.read_bytes()
            if path.suffix == ".gz":
                raw = gzip.decompress(raw)
            if zipfile.is_zipfile(path):  # the build cache's .npz: .npy members
                with zipfile.ZipFile(path) as archive:
                    raw += b"".join(archive.read(name) for name in archive.namelist())
            assert server.token.encode() not in raw, path
            checked.add(str(path.relative_to(tmp_path)))
    snapshot = {f"data/{name}" for name in ("experiment.yaml", "events.json.gz", "jobs.json.gz")}
    report = {"manifest.json", "index.html", *snapshot}
    assert {f"site/experiment/{name}" for name in report} <= checked
    assert any("/fetched/" in name for name in checked)  # the kept live records were read


def test_environment_overrides_the_client_file(
    server: Server, specs: dict[str, Path], tmp_path: Path
) -> None:
    bad = specs["folder"] / "bad-client.yml"
    server.client_yml(bad, token="not-a-token", api_root="http://127.0.0.1:9")
    spec = live_variant(specs, "env", "../client.yml", "../bad-client.yml")
    run = run_cli(
        spec, tmp_path / "site", {"BALSAM_API_ROOT": server.api_root, "BALSAM_TOKEN": server.token}
    )
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"token": "not-a-token"},
            "rejected the token from {client} ('Could not validate "
            "credentials'); run `balsam login` for a new one",
        ),
        (
            {"token": "not-a-token", "token_expiry": "2020-01-01T00:00:00"},
            "refused the token from {client}: it expired at 2020-01-01 00:00:00 UTC; run "
            "`balsam login` for a new one",
        ),
        (
            {"token": ""},
            "needs a token and none was found (BALSAM_TOKEN, {client}): run `balsam login`",
        ),
    ],
)
def test_auth_failures_say_what_to_do(
    server: Server, specs: dict[str, Path], tmp_path: Path, settings: dict[str, str], expected: str
) -> None:
    client = server.client_yml(tmp_path / "client.yml", **settings)
    spec = tmp_path / "auth.yaml"
    spec.write_text(specs["live"].read_text().replace("../client.yml", str(client)))
    run = run_cli(spec, tmp_path / "site", {})
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == (
        f"error: the Balsam server at {server.api_root} " + expected.format(client=client)
    )
    assert "Traceback" not in run.stderr and server.token not in run.stderr


def test_a_refused_connection_names_the_url(
    server: Server, specs: dict[str, Path], tmp_path: Path
) -> None:
    client = server.client_yml(
        tmp_path / "client.yml", api_root="http://127.0.0.1:9", retry_count=1
    )
    spec = tmp_path / "refused.yaml"
    spec.write_text(
        specs["live"]
        .read_text()
        .replace(
            "{client_config: ../client.yml}", f"{{client_config: {client}, retry_backoff_s: 0}}"
        )
    )
    with pytest.raises(SourceError) as caught:
        load_report_data(load_report(spec))
    assert str(caught.value).startswith(
        "GET http://127.0.0.1:9/batch-jobs/: connection "
        "refused (gave up after 2 tries). Is the Balsam server "
        "running"
    )


def test_identical_queries_are_fetched_once(specs: dict[str, Path]) -> None:
    spec = live_variant(
        specs, "twice", "    alpha_b:", "    alpha_again: {tags: {experiment: alpha}}\n    alpha_b:"
    )
    data = load_report_data(load_report(spec))
    once = load_report_data(load_report(specs["live"]))
    requests_line = next(n for n in data.notes if "request(s)" in n)
    assert requests_line == next(n for n in once.notes if "request(s)" in n)
    assert data.events["alpha_again"].id.tolist() == data.events["alpha"].id.tolist()


def test_small_pages_lose_and_duplicate_nothing(specs: dict[str, Path]) -> None:
    spec = live_variant(
        specs,
        "paged",
        "{client_config: ../client.yml}",
        "{client_config: ../client.yml, page_size: 97}",
    )
    paged = load_report_data(load_report(spec))
    whole = load_report_data(load_report(specs["live"]))
    for name in whole.events:
        assert paged.events[name].id.tolist() == whole.events[name].id.tolist()
    assert json.dumps(sorted(paged.notes)) != "[]"


TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def utc(text: str) -> datetime:
    assert TIME.fullmatch(text), text
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def server_count(server: Server, path: str, params: list[tuple[str, str]]) -> int:
    """How many records the server holds for these parameters (`limit=0`: the count only)."""
    answer = server.session().get(
        f"{server.api_root}{path}", params=[*params, ("limit", "0")], timeout=60
    )
    assert answer.status_code == 200, answer.text
    count: int = answer.json()["count"]
    return count


def live_manifest(site: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((site / "experiment" / "manifest.json").read_text())
    return document


def test_a_live_manifest_says_how_the_records_were_fetched(
    server: Server, specs: dict[str, Path], tmp_path: Path
) -> None:
    before = datetime.now(UTC)
    build_site([specs["live"]], tmp_path / "site")
    after = datetime.now(UTC)
    text = (tmp_path / "site" / "experiment" / "manifest.json").read_text()
    assert server.token not in text
    (run,) = json.loads(text)["runs"]
    balsam = run["source"]["balsam"]
    assert balsam["api_root"] == server.api_root
    assert before <= utc(balsam["started"]) <= utc(balsam["ended"]) <= after
    # the version the server reports, asked for by the test itself
    openapi = server.session().get(f"{server.api_root}/openapi.json", timeout=60).json()
    assert balsam["server_version"] == openapi["info"]["version"]
    assert "GET /openapi.json" in balsam["server_version_origin"]
    # every record set: as many records as the server counts for what was sent
    sets = balsam["record_sets"]
    for record_set in sets:
        params = parse_qsl(record_set["params"])
        assert record_set["records"] == server_count(server, record_set["path"], params)
    by_query = {(s["kind"], s["query"]): s["records"] for s in sets}
    # ... and for a few queries, the filters the test itself knows the server applies
    assert by_query["events", "alpha"] == server_count(
        server, "/events/", [("tags", "experiment:alpha")]
    )
    assert by_query["events", "by_batch"] == server_count(server, "/events/", [])
    assert by_query["events", "by_scheduler"] == by_query["events", "alpha"]
    assert by_query["events", "beta_running"] == server_count(
        server, "/events/", [("tags", "experiment:beta"), ("to_state", "RUNNING")]
    )
    assert by_query["batch_jobs", "alpha"] == server_count(
        server, "/batch-jobs/", [("filter_tags", "experiment:alpha")]
    )
    assert by_query["jobs", ""] == server_count(server, "/jobs/", [])  # no tag all queries share
    scheduler_sets = [s["params"] for s in sets if s["kind"] == "batch_jobs" and not s["query"]]
    assert scheduler_sets == ["scheduler_id=4101004", "scheduler_id=4102002"]
    queries = {(q["kind"], q["name"]): q for q in run["queries"]}
    assert len(queries) == len(run["queries"]) == 20
    for (kind, name), query in queries.items():
        assert query["fetched"] == by_query[kind, name]
        assert {**query["server_applied"], **query["reportgen_applied"]} == query["filters"]
    split = {
        name: (
            queries["events", name]["server_applied"],
            queries["events", name]["reportgen_applied"],
        )
        for name in ("alpha", "by_batch", "by_scheduler", "restarts")
    }
    assert split == {
        "alpha": ({"tags": {"experiment": "alpha"}}, {}),
        "by_batch": ({}, {"batch_job_id": 2}),
        "by_scheduler": ({"tags": {"experiment": "alpha"}}, {"scheduler_id": 4101004}),
        "restarts": ({"from_state": "RESTART_READY", "to_state": "RUNNING"}, {}),
    }
    one = queries["batch_jobs", "one"]
    assert (one["server_applied"], one["reportgen_applied"]) == ({"scheduler_id": 4102003}, {})
    page = (tmp_path / "site" / "experiment" / "index.html").read_text()
    made = page[page.index('<section class="provenance">') :].split("</section>")[0]
    assert f"from <code>{server.api_root}</code>" in made
    assert f"server version: {balsam['server_version']} (" in made
    assert "<td><code>scheduler_id=4101004</code></td>" in made  # applied by reportgen
    assert f'<td class="num">{by_query["events", "by_batch"]:,}</td>' in made


def test_a_live_reports_rebuild_command_gives_identical_csvs_offline(
    server: Server, specs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site([specs["live"]], tmp_path / "live")
    folder = tmp_path / "live" / "experiment"
    first = live_manifest(tmp_path / "live")
    command = shlex.split(first["rebuild"], comments=True)
    assert command == ["reportgen", "build", "data/experiment.yaml"]
    assert first["rebuild"].endswith("# in this report's folder")
    monkeypatch.chdir(folder)
    assert main([*command[1:], "--out", str(tmp_path / "again"), "--quiet", "--no-cache"]) == 0
    csvs = sorted(folder.glob("*.csv"))
    assert len(csvs) == 11
    for csv in csvs:
        assert csv.read_bytes() == (tmp_path / "again" / "experiment" / csv.name).read_bytes()
    (run,) = live_manifest(tmp_path / "again")["runs"]
    # the same facts about the fetch, from the snapshot's spec
    assert run["source"]["fetched"] == first["runs"][0]["source"]["balsam"]
    for entry in run["source"]["files"]:
        page = json.loads(gzip.decompress((folder / "data" / entry["path"]).read_bytes()))
        assert entry["records"] == len(page["results"]) == page["count"]
    assert all(q["server_applied"] == {} for q in run["queries"])
    assert all(q["reportgen_applied"] == q["filters"] for q in run["queries"])
    assert [q["matched"] for q in run["queries"]] == [
        q["matched"] for q in first["runs"][0]["queries"]
    ]
    page = (tmp_path / "again" / "experiment" / "index.html").read_text()
    assert f"the records fetched from <code>{server.api_root}</code>" in page
