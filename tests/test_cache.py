"""Rebuilds reuse what is unchanged: images, CSVs, parsed data and computed results from the
build cache; nothing changed is ever reused, and nothing in the cache can run code."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reportgen import cachekey
from reportgen.analytics import throughput, utilization
from reportgen.analytics.utilization import interval_series
from reportgen.build import BuildResult, build_site
from reportgen.cli import main
from reportgen.kinds import KINDS
from reportgen.source import digest as digest_module
from reportgen.spec.model import Chart
from tests.conftest import ROOT
from tests.factories import batch_job, event

SPEC = f"""\
title: Cached
description: first words
source:
  files: {{events: {ROOT}/report_specs/data/events.json.gz,
          batch_jobs: {ROOT}/report_specs/data/batchjobs.json.gz}}
queries:
  events: {{all: {{}}}}
  batch_jobs: {{all: {{}}}}
charts:
  - {{id: done, type: throughput, events: all, formats: [svg, png]}}
  - {{id: nodes, type: available_nodes, batch_jobs: all, formats: [svg, png], title: Nodes}}
"""


def digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()
    }


def test_a_text_edit_reuses_every_image_and_a_chart_edit_only_its_own(tmp_path: Path) -> None:
    spec = tmp_path / "cached.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "site"
    cache_dir = tmp_path / "cache"
    first = build_site([spec], out, cache_dir=cache_dir)
    assert (first.images_rendered, first.images_reused) == (4, 0)
    before = digest(out / "cached")

    bundle = (out / "assets" / "vega-bundle.js").read_bytes()
    spec.write_text(SPEC.replace("first words", "second thoughts"))
    second = build_site([spec], out, cache_dir=cache_dir)
    assert (out / "assets" / "vega-bundle.js").read_bytes() == bundle
    assert (second.images_rendered, second.images_reused) == (0, 4)
    after = digest(out / "cached")
    assert {k: v for k, v in after.items() if k not in TEXT_FILES} == {
        k: v for k, v in before.items() if k not in TEXT_FILES
    }
    assert "second thoughts" in (out / "cached" / "index.html").read_text()

    spec.write_text(SPEC.replace("title: Nodes", "title: Nodes held"))
    third = build_site([spec], out, cache_dir=cache_dir)
    assert (third.images_rendered, third.images_reused) == (2, 2)
    changed = digest(out / "cached")
    assert changed["done.svg"] == before["done.svg"]
    assert changed["nodes.svg"] != before["nodes.svg"]
    assert "Nodes held" in (out / "cached" / "nodes.svg").read_text()
    # the old images of the edited chart are not kept: the cache does not grow per edit
    kept = list((cache_dir / "cached" / "rendered").iterdir())
    assert len(kept) == 4 + 2  # four images and two CSVs, of this build only


def test_a_new_cache_format_is_a_miss_for_every_entry_rendered_files_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One key scheme: the format version keys the images and CSVs as it keys the data."""
    spec = tmp_path / "cached.yaml"
    spec.write_text(SPEC)
    out, cache_dir = tmp_path / "site", tmp_path / "cache"
    build_site([spec], out, cache_dir=cache_dir)
    before = digest(out / "cached")
    monkeypatch.setattr(cachekey, "FORMAT", cachekey.FORMAT + 1)
    again = build_site([spec], out, cache_dir=cache_dir)
    assert (again.data_reused, again.images_rendered, again.images_reused) == (0, 4, 0)
    after = digest(out / "cached")
    assert {k: v for k, v in after.items() if k not in TEXT_FILES} == {
        k: v for k, v in before.items() if k not in TEXT_FILES
    }
    kept = list((cache_dir / "cached" / "rendered").iterdir())
    assert len(kept) == 4 + 2  # the old format's files are not kept


def test_lost_rendered_files_only_cost_a_render(tmp_path: Path) -> None:
    spec = tmp_path / "cached.yaml"
    spec.write_text(SPEC)
    out = tmp_path / "site"
    build_site([spec], out, cache_dir=tmp_path / "cache")
    for kept in (tmp_path / "cache" / "cached" / "rendered").iterdir():
        kept.unlink()
    again = build_site([spec], out, cache_dir=tmp_path / "cache")
    assert (again.images_rendered, again.images_reused) == (4, 0)


TINY_SPEC = """\
title: Tiny
description: first words
source:
  files: {events: events.json, batch_jobs: batchjobs.json}
queries:
  events: {all: {}}
  batch_jobs: {all: {}}
charts:
  - {id: done, type: throughput, events: all, formats: [svg]}
  - {id: used, type: utilization, events: all, node_weighting: false, formats: [svg]}
"""
TINY_EVENTS = [
    event(1, 1, 0, "PREPROCESSED", "RUNNING"),
    event(2, 2, 1, "PREPROCESSED", "RUNNING"),
    event(3, 1, 5, "RUNNING", "RUN_DONE"),
    event(4, 1, 6, "RUN_DONE", "JOB_FINISHED"),
    event(5, 2, 8, "RUNNING", "RUN_DONE"),
    event(6, 2, 9, "RUN_DONE", "JOB_FINISHED"),
]


def tiny_report(folder: Path, events: list[dict[str, Any]] = TINY_EVENTS) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "events.json").write_text(json.dumps({"count": len(events), "results": events}))
    (folder / "batchjobs.json").write_text(json.dumps([batch_job(1, 2, 0, 10)]))
    spec = folder / "tiny.yaml"
    spec.write_text(TINY_SPEC)
    return spec


TEXT_FILES = ("index.html", "manifest.json")
"""What a text edit of the spec changes: the page (it shows the text) and the manifest (it
hashes the spec)."""


def outputs(out: Path) -> dict[str, str]:
    """Every file of the report except its page and manifest (see TEXT_FILES)."""
    return {k: v for k, v in digest(out / "tiny").items() if k not in TEXT_FILES}


def cached_build(spec: Path, out: Path) -> BuildResult:
    return build_site([spec], out, cache_dir=out.parent / "cache")


def test_a_text_edit_reuses_the_data_and_gives_the_same_site(tmp_path: Path) -> None:
    spec = tiny_report(tmp_path / "in")
    first = cached_build(spec, tmp_path / "site")
    assert first.data_reused == 0
    spec.write_text(TINY_SPEC.replace("first words", "second thoughts"))
    second = cached_build(spec, tmp_path / "site")
    assert second.data_reused == 1
    uncached = build_site([spec], tmp_path / "uncached")
    assert uncached.data_reused == 0
    assert outputs(tmp_path / "site") == outputs(tmp_path / "uncached")
    assert "second thoughts" in (tmp_path / "site" / "tiny" / "index.html").read_text()
    assert (tmp_path / "site" / "tiny" / "done.csv").read_text().splitlines()[1:] == [
        "throughput,2024-03-01T08:06:00.000000Z,1",
        "throughput,2024-03-01T08:09:00.000000Z,2",
    ]


@pytest.mark.parametrize(
    "change",
    ["same-size content edit", "query filter", "code"],
)
def test_any_change_to_the_inputs_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    spec = tiny_report(tmp_path / "in")
    cached_build(spec, tmp_path / "site")
    finished_before = outputs(tmp_path / "site")["done.csv"]
    if change == "same-size content edit":  # job 2 now finishes at minute 7, not 9
        events = [*TINY_EVENTS[:5], event(6, 2, 7, "RUN_DONE", "JOB_FINISHED")]
        before = (tmp_path / "in" / "events.json").stat().st_size
        tiny_report(tmp_path / "in", events)
        assert (tmp_path / "in" / "events.json").stat().st_size == before
    elif change == "query filter":
        spec.write_text(TINY_SPEC.replace("events: {all: {}}", "events: {all: {job_id: 1}}"))
    else:
        monkeypatch.setattr(cachekey, "code_fingerprint", lambda: "a changed reportgen")
    again = cached_build(spec, tmp_path / "site")
    assert again.data_reused == 0
    build_site([spec], tmp_path / "uncached")
    assert outputs(tmp_path / "site") == outputs(tmp_path / "uncached")
    if change != "code":  # the finished jobs differ
        assert outputs(tmp_path / "site")["done.csv"] != finished_before


def test_a_title_edit_reuses_the_series_and_a_series_edit_recomputes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed: list[str] = []
    count_finished = throughput
    sum_running = utilization
    sum_intervals = interval_series

    def counting_throughput(events: Any, to_state: str, as_of: int, name: str) -> Any:
        computed.append("done")
        return count_finished(events, to_state, as_of, name)

    def counting_utilization(events: Any, as_of: int, weighted: bool, jobs: Any) -> Any:
        computed.append("(headline)" if weighted else "used")
        return sum_running(events, as_of, weighted, jobs)

    def counting_weighted(intervals: Any, name: str, integral: bool) -> Any:
        computed.append("(headline)")  # node-weighted: summed from the shared intervals
        return sum_intervals(intervals, name, integral)

    # the analyses as the kinds call them
    monkeypatch.setattr("reportgen.kinds.throughput.throughput", counting_throughput)
    monkeypatch.setattr("reportgen.kinds.shared.utilization", counting_utilization)
    monkeypatch.setattr("reportgen.kinds.shared.interval_series", counting_weighted)
    spec = tiny_report(tmp_path / "in")
    cached_build(spec, tmp_path / "site")
    # no chart has the node-weighted utilization the headline needs: it is computed too
    assert computed == ["done", "used", "(headline)"]
    computed.clear()
    spec.write_text(TINY_SPEC.replace("id: done,", "id: done, title: Finished jobs,"))
    cached_build(spec, tmp_path / "site")
    assert computed == []
    assert "Finished jobs" in (tmp_path / "site" / "tiny" / "done.svg").read_text()
    # weighted, `used` is the headline's series, which the cache already holds
    spec.write_text(TINY_SPEC.replace("node_weighting: false", "node_weighting: true"))
    weighted = cached_build(spec, tmp_path / "site")
    assert computed == []
    uncached = build_site([spec], tmp_path / "uncached")
    assert weighted.reports[0].headline == uncached.reports[0].headline
    assert outputs(tmp_path / "site") == outputs(tmp_path / "uncached")
    computed.clear()
    spec.write_text(TINY_SPEC + "as_of: 2024-03-01T08:07:00Z\n")
    computed.clear()
    cached_build(spec, tmp_path / "site")
    assert computed == ["done", "used", "(headline)"]
    assert (tmp_path / "site" / "tiny" / "done.csv").read_text().splitlines()[1:] == [
        "throughput,2024-03-01T08:06:00.000000Z,1"
    ]


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_option_of_a_kind_is_part_of_its_cache_key(name: str) -> None:
    """A kind's results are keyed by its frozen options: every spec key it owns must be a
    field of them (else a cached result could ignore it), as must the report-level settings
    it takes (`report_keys`), and nothing else may be."""
    kind = KINDS[name]
    fields = dataclasses.fields(kind.make_options)
    assert {f.name for f in fields} == set(kind.options) | set(kind.report_keys)
    assert kind.make_options.__dataclass_params__.frozen
    drawing = {"id", "type", "title", "width", "height", "formats", "options", "figure"}
    assert {f.name for f in dataclasses.fields(Chart)} == drawing


def test_a_damaged_cache_is_a_miss(tmp_path: Path) -> None:
    spec = tiny_report(tmp_path / "in")
    cached_build(spec, tmp_path / "site")
    for stored in (tmp_path / "cache").rglob("*.npz"):
        stored.write_bytes(stored.read_bytes()[:40])
    again = cached_build(spec, tmp_path / "site")
    assert again.data_reused == 0
    build_site([spec], tmp_path / "uncached")
    assert outputs(tmp_path / "site") == outputs(tmp_path / "uncached")


def test_an_unwritable_cache_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    spec = tiny_report(tmp_path / "in")
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    result = cached_build(spec, tmp_path / "site")
    assert result.warnings[0].startswith(f"could not write the build cache {tmp_path / 'cache'}")
    assert (tmp_path / "site" / "tiny" / "done.csv").is_file()


def test_the_cli_keeps_its_cache_in_the_users_cache_folder_and_never_in_the_site(
    tmp_path: Path, user_cache: Path
) -> None:
    spec = tiny_report(tmp_path / "in")
    out = tmp_path / "site"
    builds = user_cache / "reportgen" / "builds"
    before = set(builds.glob("*")) if builds.is_dir() else set()  # other tests' sites
    assert main(["build", str(spec), "--out", str(out), "--quiet"]) == 0
    folders = [p for p in builds.glob("site-*") if p not in before]
    assert len(folders) == 1
    assert sorted(p.name for p in (folders[0] / "tiny").iterdir()) == [
        "data.npz",
        "rendered",
        "results.npz",
    ]
    assert not [p for p in out.rglob("*") if p.suffix in (".npz", ".pickle")]
    assert not (tmp_path / ".reportgen-cache").exists()
    elsewhere = tmp_path / "elsewhere"
    assert main(["build", str(spec), "--out", str(elsewhere), "--quiet", "--no-cache"]) == 0
    assert not [p for p in builds.glob("elsewhere-*") if p not in before]


def test_a_planted_pickle_in_the_cache_is_never_run(tmp_path: Path) -> None:
    """A file in the cache is data: a pickle whose loading would run code is a miss."""
    spec = tiny_report(tmp_path / "in")
    cached_build(spec, tmp_path / "site")
    ran = tmp_path / "ran"

    class Payload:
        def __reduce__(self) -> tuple[Any, tuple[str]]:
            return (exec, (f"open({str(ran)!r}, 'w').close()",))

    for stored in (tmp_path / "cache").rglob("*.npz"):
        stored.write_bytes(pickle.dumps(Payload()))
    again = cached_build(spec, tmp_path / "site")
    assert not ran.exists()
    assert again.data_reused == 0
    build_site([spec], tmp_path / "uncached")
    assert outputs(tmp_path / "site") == outputs(tmp_path / "uncached")


def test_a_cache_folder_of_another_user_is_not_used(tmp_path: Path) -> None:
    if os.getuid() != 0:
        pytest.skip("making a folder another user owns needs root")
    spec = tiny_report(tmp_path / "in")
    (tmp_path / "cache").mkdir()
    os.chown(tmp_path / "cache", 12345, 12345)
    result = cached_build(spec, tmp_path / "site")
    assert result.warnings == [
        f"the build cache {tmp_path / 'cache'} belongs to another user and is not used "
        "(choose your own with --cache-dir)"
    ]
    assert list((tmp_path / "cache").iterdir()) == []
    assert (tmp_path / "site" / "tiny" / "done.csv").is_file()


def test_a_cache_write_cut_short_leaves_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(out: Any, **arrays: Any) -> None:
        out.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)  # as reportgen.codec calls it
    spec = tiny_report(tmp_path / "in")
    result = cached_build(spec, tmp_path / "site")
    assert "(No space left on device)" in result.warnings[0]
    written = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert written and all(p.parent.name == "rendered" for p in written)  # only images, CSVs
    assert (tmp_path / "site" / "tiny" / "done.csv").is_file()


def test_a_text_edit_lays_out_no_chart_again_and_writes_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kind of the demo: a rebuild after a text edit takes each chart's section from
    the build cache (no kind's `present` runs) and writes the site a build without the
    cache writes, byte for byte."""
    demo = (ROOT / "report_specs" / "demo.yaml").read_text()
    spec = tmp_path / "demo.yaml"
    spec.write_text(demo.replace("data/", f"{ROOT}/report_specs/data/"))
    cached_build(spec, tmp_path / "site")
    laid_out: list[str] = []
    for name, kind in KINDS.items():
        counted = _counting(kind.present, name, laid_out)
        monkeypatch.setitem(KINDS, name, dataclasses.replace(kind, present=counted))
    spec.write_text(spec.read_text().replace("title: Demo experiment", "title: Demo, edited"))
    cached_build(spec, tmp_path / "site")
    assert laid_out == []
    build_site([spec], tmp_path / "uncached")
    assert len(laid_out) == 10  # the demo's ten charts, laid out by the uncached build
    site = tmp_path / "site" / "demo"
    assert digest(site) == digest(tmp_path / "uncached" / "demo")
    assert "<h1>Demo, edited</h1>" in (site / "index.html").read_text()


def _counting(present: Any, name: str, calls: list[str]) -> Any:
    def counted(result: Any, view: Any) -> Any:
        calls.append(name)
        return present(result, view)

    return counted


def _counting_digest_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    opened: list[Path] = []
    real_open = digest_module.open_input  # type: ignore[attr-defined]

    def counted(path: Path, what: str) -> Any:
        opened.append(path)
        return real_open(path, what)

    monkeypatch.setattr(digest_module, "open_input", counted)
    return opened


def test_an_unchanged_input_is_not_read_again_to_learn_its_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tiny_report(tmp_path / "in")
    opened = _counting_digest_reads(monkeypatch)
    cached_build(spec, tmp_path / "site")  # just written: too fresh to remember
    cached_build(spec, tmp_path / "site")
    assert len(opened) == 2 * 3  # events, batch jobs and the spec, hashed by both builds
    # (the files' change times cannot be set back: as if they had been written long ago)
    monkeypatch.setattr(digest_module, "RACY_NS", 0)
    cached_build(spec, tmp_path / "site")
    opened.clear()
    again = cached_build(spec, tmp_path / "site")
    assert opened == []
    assert again.data_reused == 1
    manifest = json.loads((tmp_path / "site" / "tiny" / "manifest.json").read_text())
    events = tmp_path / "in" / "events.json"
    shown = {f["role"]: f["sha256"] for f in manifest["runs"][0]["source"]["files"]}
    assert shown["events"] == hashlib.sha256(events.read_bytes()).hexdigest()


def test_an_edit_that_keeps_the_size_and_the_modification_time_is_still_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tiny_report(tmp_path / "in")
    monkeypatch.setattr(digest_module, "RACY_NS", 0)  # as if written long ago
    cached_build(spec, tmp_path / "site")
    events = tmp_path / "in" / "events.json"
    status = events.stat()
    edited = [*TINY_EVENTS[:5], event(6, 2, 7, "RUN_DONE", "JOB_FINISHED")]
    tiny_report(tmp_path / "in", edited)
    os.utime(events, ns=(status.st_atime_ns, status.st_mtime_ns))  # the old time, put back
    now = events.stat()
    assert (now.st_size, now.st_mtime_ns) == (status.st_size, status.st_mtime_ns)
    opened = _counting_digest_reads(monkeypatch)
    again = cached_build(spec, tmp_path / "site")
    assert events in opened  # its change time moved: hashed again
    assert again.data_reused == 0
    assert (tmp_path / "site" / "tiny" / "done.csv").read_text().splitlines()[1:] == [
        "throughput,2024-03-01T08:06:00.000000Z,1",
        "throughput,2024-03-01T08:07:00.000000Z,2",
    ]


def test_the_cache_folder_of_an_output_folder_is_the_same_whatever_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One folder per output folder: a new reportgen version must not leave the old
    version's folder behind for ever (its entries are keyed by the code, not its folder)."""
    from reportgen import cachekey
    from reportgen.cache import default_cache_folder

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    before = default_cache_folder(tmp_path / "site")
    monkeypatch.setattr(cachekey, "code_fingerprint", lambda: "another version")
    assert default_cache_folder(tmp_path / "site") == before
    assert default_cache_folder(tmp_path / "other") != before
    assert before.name.startswith("site-") and before.parent.name == "builds"
