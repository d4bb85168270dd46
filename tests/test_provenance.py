"""Every report's manifest: its hashes are the files', its rebuild command gives the same
CSVs, and the page says the same."""

from __future__ import annotations

import hashlib
import json
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

from reportgen.cli import main
from reportgen.spec import load_report
from tests.conftest import ROOT


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
