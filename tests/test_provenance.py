"""Every report's manifest: its hashes are the files', its rebuild command gives the same
CSVs, and the page says the same."""

from __future__ import annotations

import gzip
import hashlib
import json
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import requests

from reportgen.build import build_site
from reportgen.cli import main
from reportgen.errors import SpecError
from reportgen.source.balsam import public_url
from reportgen.source.balsam.client import BalsamClient
from reportgen.source.balsam.credentials import Credentials
from reportgen.spec import load_report
from tests.conftest import ROOT
from tests.factories import event, job
from tests.test_browser import browser, open_page  # noqa: F401  (the fixture)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo spec and its data in a project folder (the working folder)."""
    shutil.copytree(ROOT / "report_specs", tmp_path / "specs")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def build(*args: str) -> None:
    assert main(["build", *args, "--quiet", "--no-cache"]) == 0


def manifest_of(site: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((site / "demo" / "manifest.json").read_text())
    return document


def csvs(site: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((site / "demo").glob("*.csv"))}


def test_the_manifest_names_every_input_by_its_hash(project: Path) -> None:
    build("specs/demo.yaml", "--out", "site")
    document = manifest_of(project / "site")
    spec = project / "specs" / "demo.yaml"
    assert document["spec"] == {
        "role": "spec",
        "path": "specs/demo.yaml",
        "size": spec.stat().st_size,
        "sha256": hashlib.sha256(spec.read_bytes()).hexdigest(),
    }
    (run,) = document["runs"]
    files = run["source"]["files"]
    assert [f["role"] for f in files] == ["events", "jobs", "batch_jobs"]
    for entry in files:
        data = (project / "specs" / entry["path"]).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        # each file is one gzipped API page: its records, counted by the standard library
        assert entry["records"] == len(json.loads(gzip.decompress(data))["results"])
    assert run["as_of"] == "2024-03-01T18:00:00.000000Z"
    assert run["as_of_origin"] == "set in the spec (as_of)"
    queries = {(q["kind"], q["name"]): q for q in run["queries"]}
    assert queries["events", "restarts"]["filters"] == {
        "tags": {"experiment": "demo"},
        "from_state": "RESTART_READY",
        "to_state": "RUNNING",
    }
    page = (project / "site" / "demo" / "index.html").read_text()
    for query in run["queries"]:  # the page's queries table counts the same records
        assert f"<td>{query['name']}</td>" in page
        assert f'<td class="num">{query["matched"]:,}</td>' in page
    assert [c["id"] for c in document["charts"]] == [c.id for c in load_report(spec).charts]
    assert document["charts"][1]["options"] == {
        "events": "demo",
        "node_weighting": True,
        "available_nodes": "demo",
        "normalize": False,
    }
    assert document["rebuild"] == "reportgen build specs/demo.yaml"
    for entry in [document["spec"], *files]:
        assert f"<code>{entry['sha256']}</code>" in page
    assert "<code>reportgen build specs/demo.yaml</code>" in page


@pytest.mark.parametrize("as_of", [[], ["--as-of", "2024-03-01T12:30:00Z"]], ids=["spec", "flag"])
def test_the_rebuild_command_gives_the_same_csvs(project: Path, as_of: list[str]) -> None:
    build("specs/demo.yaml", "--out", "first", *as_of)
    command = shlex.split(manifest_of(project / "first")["rebuild"])
    assert command[:2] == ["reportgen", "build"]
    assert ("--as-of" in command) == bool(as_of)
    build(*command[2:], "--out", "again")
    assert csvs(project / "again") == csvs(project / "first")
    ids = {f"{c.id}.csv" for c in load_report(project / "specs" / "demo.yaml").charts}
    assert ids <= set(csvs(project / "first"))  # every chart's CSV, and more


def provenance_section(page: str) -> str:
    return page[page.index('<section class="provenance">') :].split("</section>")[0]


def test_each_file_counts_the_records_its_reader_read(tmp_path: Path) -> None:
    events = [
        event(1, 1, 0, "PREPROCESSED", "RUNNING", num_nodes=1.0),
        event(2, 1, 5, "RUNNING", "RUN_DONE"),
        event(3, 2, 1, "PREPROCESSED", "RUNNING", num_nodes=2.0),
    ]
    lines = [json.dumps(e) for e in [*events, events[1]]]  # an identical repeat, dropped
    (tmp_path / "events.jsonl").write_text("\n".join(lines) + "\n")
    (tmp_path / "jobs.json").write_text(json.dumps([job(1, k="v"), job(2)]))
    (tmp_path / "batchjobs.json").write_text("[]")  # no query needs it: never read
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "title: t\nsource:\n  files: {events: events.jsonl, jobs: jobs.json, "
        "batch_jobs: batchjobs.json}\n"
        "queries:\n  events: {all: {}, tagged: {tags: {k: v}}}\n"
        "charts:\n  - {id: done, type: throughput, events: all, formats: []}\n"
    )
    build_site([spec], tmp_path / "site")
    document = json.loads((tmp_path / "site" / "spec" / "manifest.json").read_text())
    records = {f["role"]: f["records"] for f in document["runs"][0]["source"]["files"]}
    expected_events = sum(1 for line in (tmp_path / "events.jsonl").read_text().splitlines())
    expected_jobs = len(json.loads((tmp_path / "jobs.json").read_text()))
    assert records == {"events": expected_events, "jobs": expected_jobs, "batch_jobs": None}
    assert (expected_events, expected_jobs) == (4, 2)
    matched = {q["name"]: q["matched"] for q in document["runs"][0]["queries"]}
    assert matched == {"all": 3, "tagged": 2}  # the repeat is read, not matched
    made = provenance_section((tmp_path / "site" / "spec" / "index.html").read_text())
    assert '<td>events.jsonl</td><td class="num">' in made
    assert '<td class="num">4</td>' in made and '<td class="num">not read</td>' in made


HOSTILE = '<script>document.title="owned"</script> \' " </script><!--'


@pytest.mark.browser
def test_hostile_tags_show_as_text_in_the_manifest_section(
    browser: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    events = [event(1, 1, 0, "PREPROCESSED", "RUNNING", num_nodes=1.0)]
    (tmp_path / "events.json").write_text(json.dumps(events))
    (tmp_path / "jobs.json").write_text(json.dumps([job(1, x=HOSTILE)]))
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "title: t\nsource:\n  files: {events: events.json, jobs: jobs.json}\n"
        f"queries:\n  events: {{odd: {{tags: {{x: {json.dumps(HOSTILE)}}}}}}}\n"
        "charts:\n  - {id: n, type: throughput, events: odd, to_state: RUNNING, formats: []}\n"
    )
    build_site([spec], tmp_path / "site")
    document = json.loads((tmp_path / "site" / "spec" / "manifest.json").read_text())
    (query,) = document["runs"][0]["queries"]
    assert query["reportgen_applied"] == {"tags": {"x": HOSTILE}} and query["matched"] == 1
    page_path = tmp_path / "site" / "spec" / "index.html"
    made = provenance_section(page_path.read_text())
    assert "<script" not in made and "</script>" not in made and "<!--" not in made
    page, requests_made, problems = open_page(browser, page_path.as_uri())
    cells = page.locator("section.provenance tbody tr").last.locator("td").all_text_contents()
    assert cells[2:4] == ["(none)", f"tags=x:{HOSTILE}"]
    assert page.title() == "t"
    assert problems == [] and all(url.startswith("file://") for url in requests_made)


FETCHED = """\
title: t
source:
  files:
    events: events.json
    fetched:
      api_root: https://balsam.example.org
      server_version_origin: the server reported none
      started: 2024-03-01T18:00:00Z
      ended: 2024-03-01T18:00:01Z
      record_sets:
        - {kind: events, query: all, path: /events/, params: ordering=timestamp, records: RECORDS}
queries:
  events: {all: {}}
charts:
  - {id: n, type: throughput, events: all}
"""


def test_a_bad_fetch_record_names_its_line_key_and_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_text(FETCHED.replace("RECORDS", "-1"))
    with pytest.raises(SpecError) as raised:
        load_report(Path("spec.yaml"))
    assert raised.value.problems == [
        "spec.yaml:11: source.files.fetched.record_sets[0].records: expected a count of 0 or "
        "more; got -1"
    ]
    Path("spec.yaml").write_text(FETCHED.replace("RECORDS", "7"))
    source = load_report(Path("spec.yaml")).source
    assert source.fetched is not None and source.fetched.sets[0].records == 7  # type: ignore[union-attr]
    assert source.fetched.server_version is None  # type: ignore[union-attr]


def test_a_url_loses_its_user_and_password() -> None:
    assert public_url("https://ann:secret@balsam.example.org:8443/api") == (
        "https://balsam.example.org:8443/api"
    )
    assert public_url("http://127.0.0.1:9") == "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"info": {"title": "Balsam API", "version": "0.1.0"}}, "0.1.0"),
        (200, {"openapi": "3.0.2"}, None),
        (404, {"detail": "Not Found"}, None),
    ],
    ids=["declared", "no version", "no document"],
)
def test_the_server_version_is_what_the_server_reports(
    status: int, body: dict[str, Any], expected: str | None
) -> None:
    credentials = Credentials("https://b.example.org", None, None, 1.0, 1.0, 0, "test")
    client = BalsamClient(credentials, 10, 0.0, sleep=lambda s: pytest.fail("retried"))
    answer = requests.Response()
    answer.status_code, answer._content = status, json.dumps(body).encode()
    asked: list[str] = []

    def get(url: str, **kwargs: Any) -> requests.Response:
        asked.append(url)
        return answer

    client.session.get = get  # type: ignore[method-assign,assignment]
    version, origin = client.server_version()
    assert asked == ["https://b.example.org/openapi.json"]
    assert version == expected
    declared = "GET /openapi.json: info.version of 'Balsam API', the version its API declares"
    assert (
        origin
        == {
            200: declared
            if expected
            else "the server reported none (GET /openapi.json has no info.version)",
            404: "the server reported none (GET https://b.example.org/openapi.json answered HTTP "
            "404: 'Not Found')",
        }[status]
    )
