"""Reports of several runs: the `runs:` spec forms, their errors, `by_tag` expansion in the
data's numeric or text order, and a throughput chart drawn over two runs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from reportgen.build import build_site
from reportgen.errors import SourceError, SpecError
from reportgen.spec import load_report
from reportgen.spec.model import RunsByTag, RunSpec
from tests.factories import batch_job, event, job, micros

SPEC = """\
title: Scaling
source:
  files: {events: events.json, jobs: jobs.json, batch_jobs: batchjobs.json}
queries:
  events:
    all: {tags: {experiment: ffn}}
  batch_jobs:
    all: {}
charts:
  - {id: done, type: throughput, events: all, formats: [svg]}
"""

SCALES = {1: "128", 2: "32", 3: "32", 4: "64", 5: "128", 6: "128"}
"""Each job's `scale_nodes` tag: text order would be 128, 32, 64."""


def finish(job_id: int, minutes: float) -> list[dict[str, Any]]:
    """A job's run and finish, with ids derived from the job's."""
    return [
        event(10 * job_id + 1, job_id, minutes, "PREPROCESSED", "RUNNING", num_nodes=1),
        event(10 * job_id + 2, job_id, minutes + 1, "RUNNING", "RUN_DONE"),
        event(10 * job_id + 3, job_id, minutes + 2, "RUN_DONE", "JOB_FINISHED"),
    ]


def experiment(folder: Path, scales: dict[int, str], spec: str, shift: float = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    events = [e for job_id in scales for e in finish(job_id, shift + job_id)]
    jobs = [job(i, experiment="ffn", scale_nodes=s) for i, s in scales.items()]
    jobs.append(job(99, experiment="other", scale_nodes="1"))  # not in the experiment
    (folder / "events.json").write_text(json.dumps({"count": len(events), "results": events}))
    (folder / "jobs.json").write_text(json.dumps(jobs))
    (folder / "batchjobs.json").write_text(json.dumps([batch_job(1, 4, shift, shift + 30)]))
    path = folder / "scaling.yaml"
    path.write_text(spec)
    return path


def rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


def test_by_tag_makes_one_run_per_value_in_numeric_order(tmp_path: Path) -> None:
    spec = experiment(
        tmp_path / "in", SCALES, SPEC + "runs: {by_tag: scale_nodes, tags: {experiment: ffn}}\n"
    )
    report = load_report(spec)
    assert report.runs == RunsByTag("scale_nodes", (("experiment", "ffn"),))
    built = build_site([spec], tmp_path / "site")
    assert [run.window.name for run in built.reports[0].runs] == ["32", "64", "128"]
    table = rows(tmp_path / "site" / "scaling" / "done.csv")
    assert list(table[0]) == ["run", "series", "timestamp", "value"]
    # per run, one finish per job of that scale: 32 has jobs 2, 3; 64 job 4; 128 jobs 1, 5, 6
    finals = {r["run"]: int(r["value"]) for r in table}
    assert finals == {"32": 2, "64": 1, "128": 3}
    assert [r["run"] for r in table] == ["32"] * 2 + ["64"] + ["128"] * 3
    job_one_finishes = "2024-03-01T08:03:00.000000Z"  # job 1 (scale 128) at minute 1 + 2
    assert table[3] == {
        "run": "128",
        "series": "throughput",
        "timestamp": job_one_finishes,
        "value": "1",
    }
    index = (tmp_path / "site" / "index.html").read_text()
    assert all(f"Scaling ({name})" in index for name in ("32", "64", "128"))
    page = (tmp_path / "site" / "scaling" / "index.html").read_text()
    assert "<dt>Runs</dt><dd>3, each from its own first record" in page
    assert "<dt>As of</dt>" not in page  # each run has its own, in the runs table
    # each run's queries as the run sees them, with their own counts (3 events per job)
    assert (
        "<tr><td>64</td><td>events</td><td>all</td>"
        "<td><code>tags=experiment:ffn, scale_nodes:64</code></td>"
        '<td class="num">3</td></tr>'
    ) in page


def test_by_tag_values_that_are_not_all_numbers_go_in_text_order(tmp_path: Path) -> None:
    scales = {1: "b", 2: "10", 3: "a"}
    spec = experiment(tmp_path / "in", scales, SPEC + "runs: {by_tag: scale_nodes}\n")
    built = build_site([spec], tmp_path / "site")
    # the job outside the experiment (scale_nodes "1") is not one the query asks for
    assert [run.window.name for run in built.reports[0].runs] == ["10", "a", "b"]


def test_a_run_no_query_matches_needs_an_as_of(tmp_path: Path) -> None:
    text = (
        SPEC.replace("all: {tags: {experiment: ffn}}", "all: {}") + "runs: {by_tag: scale_nodes}\n"
    )
    spec = experiment(tmp_path / "in", {1: "b", 2: "10"}, text)
    # the job outside the experiment has scale_nodes "1" but no event: its run has no time
    with pytest.raises(SourceError) as caught:
        build_site([spec], tmp_path / "site")
    assert str(caught.value) == (
        f"{spec}: run '1': the queries matched no records and the spec sets no as_of, so "
        "there is no time range to chart; check the queries' filters"
    )
    spec.write_text(text + "as_of: 2024-03-01T09:00:00Z\n")
    built = build_site([spec], tmp_path / "site")
    assert [run.window.name for run in built.reports[0].runs] == ["1", "10", "b"]
    page = (tmp_path / "site" / "scaling" / "index.html").read_text()
    assert "Run 1: Event query &#39;all&#39; matched no events." in page


def test_named_runs_each_with_their_own_source_overlay_in_one_chart(tmp_path: Path) -> None:
    experiment(tmp_path / "small", {1: "32", 2: "32"}, "")
    experiment(tmp_path / "large", {1: "64", 2: "64", 3: "64"}, "", shift=30)
    spec = experiment(
        tmp_path / "in",
        {},
        SPEC
        + """\
runs:
  small:
    source: {files: {events: ../small/events.json, jobs: ../small/jobs.json,
                     batch_jobs: ../small/batchjobs.json}}
  large:
    source: {files: {events: ../large/events.json, jobs: ../large/jobs.json,
                     batch_jobs: ../large/batchjobs.json}}
""",
    )
    report = load_report(spec)
    assert isinstance(report.runs, tuple) and [r.name for r in report.runs] == ["small", "large"]
    built = build_site([spec], tmp_path / "site")
    result = built.reports[0]
    # each run has its own start (its first record, the batch job's start) and as-of (its
    # latest record, the batch job's end)
    assert [(r.window.start, r.window.as_of) for r in result.runs] == [
        (micros(0), micros(30)),
        (micros(30), micros(60)),
    ]
    table = rows(tmp_path / "site" / "scaling" / "done.csv")
    assert [(r["run"], r["value"]) for r in table] == [
        ("small", "1"),
        ("small", "2"),
        ("large", "1"),
        ("large", "2"),
        ("large", "3"),
    ]
    page = (tmp_path / "site" / "scaling" / "index.html").read_text()
    assert '<section class="runs"><h2>Runs</h2>' in page
    spec_json = page.split('id="spec-done">', 1)[1].split("</script>", 1)[0]
    legend = json.loads(spec_json)["layer"][0]["encoding"]["color"]["scale"]["domain"]
    assert legend == ["small", "large"]


def test_each_runs_panel_marks_its_own_as_of_time(tmp_path: Path) -> None:
    """Small multiples (jobs per state): each run's panel is ruled at its own as-of time,
    not at the longest run's (which lies past the other panels' ends)."""
    experiment(tmp_path / "small", {1: "32", 2: "32"}, "")
    experiment(tmp_path / "large", {1: "64", 2: "64", 3: "64"}, "", shift=30)
    files = (
        "{{events: ../{0}/events.json, jobs: ../{0}/jobs.json, batch_jobs: ../{0}/batchjobs.json}}"
    )
    runs = "".join(
        f"  {name}:\n    source: {{files: {files.format(name)}}}\n" for name in ("small", "large")
    )
    spec = experiment(
        tmp_path / "in",
        {},
        SPEC.replace("formats: [svg]}", "formats: [svg]}\n  - {id: st, type: states, events: all}")
        + "runs:\n"
        + runs,
    )
    build_site([spec], tmp_path / "site")
    page = (tmp_path / "site" / "scaling" / "index.html").read_text()
    drawn = json.loads(page.split('id="spec-st">', 1)[1].split("</script>", 1)[0])
    rules = [
        layer["data"]["name"]
        for panel in drawn["vconcat"]
        for layer in panel["layer"]
        if layer.get("mark", {}).get("type") == "text" and "as-of" in layer["data"]["name"]
    ]
    labels = [drawn["datasets"][name][0]["label"] for name in rules]
    # small: its batch job 08:00-08:30; large: 08:30-09:00
    assert labels == ["as of 2024-03-01 08:30:00.000 UTC", "as of 2024-03-01 09:00:00.000 UTC"]


def test_run_tags_narrow_every_query(tmp_path: Path) -> None:
    spec = experiment(
        tmp_path / "in",
        SCALES,
        SPEC + "runs:\n  big: {tags: {scale_nodes: '128'}}\n  tiny: {tags: {scale_nodes: '32'}}\n",
    )
    assert load_report(spec).runs == (
        RunSpec("big", (("scale_nodes", "128"),)),
        RunSpec("tiny", (("scale_nodes", "32"),)),
    )
    build_site([spec], tmp_path / "site")
    finals = {r["run"]: int(r["value"]) for r in rows(tmp_path / "site" / "scaling" / "done.csv")}
    assert finals == {"big": 3, "tiny": 2}


def test_a_run_with_its_own_queries_reads_them_in_place_of_the_reports(tmp_path: Path) -> None:
    """Two systems tag their jobs differently: run `b` replaces the report's `all` query by
    its own (by name), run `a` keeps the report's."""
    events = [e for job_id in (1, 2, 3, 4, 5) for e in finish(job_id, job_id)]
    jobs = [job(i, experiment="ffn-a" if i <= 2 else "ffn-b") for i in (1, 2, 3, 4, 5)]
    (tmp_path / "events.json").write_text(json.dumps({"count": len(events), "results": events}))
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    (tmp_path / "batchjobs.json").write_text(json.dumps([batch_job(1, 4, 0, 30)]))
    spec = tmp_path / "scaling.yaml"
    spec.write_text(
        SPEC.replace("experiment: ffn", "experiment: ffn-a")
        + "runs:\n  a: {}\n  b: {queries: {events: {all: {tags: {experiment: ffn-b}}}}}\n"
    )
    runs = load_report(spec).runs
    assert isinstance(runs, tuple)
    assert [dict(r.event_queries["all"].tags) for r in runs[1:]] == [{"experiment": "ffn-b"}]
    assert runs[0].event_queries == {}
    build_site([spec], tmp_path / "site")
    table = rows(tmp_path / "site" / "scaling" / "done.csv")
    # a: jobs 1, 2 finish at minutes 3, 4 (of 08:00); b: jobs 3, 4, 5 at 5, 6, 7
    assert [(r["run"], r["timestamp"][11:16], r["value"]) for r in table] == [
        ("a", "08:03", "1"),
        ("a", "08:04", "2"),
        ("b", "08:05", "1"),
        ("b", "08:06", "2"),
        ("b", "08:07", "3"),
    ]
    page = (tmp_path / "site" / "scaling" / "index.html").read_text()
    assert "ffn-b" in page.split('<section class="queries"', 1)[1].split("</section>", 1)[0]


def test_without_report_queries_a_run_replaces_its_implied_run_query(tmp_path: Path) -> None:
    events = [e for job_id in (1, 2, 3) for e in finish(job_id, job_id)]
    jobs = [job(1, experiment="x", system="a"), job(2, experiment="x", system="a"), job(3)]
    (tmp_path / "events.json").write_text(json.dumps({"count": len(events), "results": events}))
    (tmp_path / "jobs.json").write_text(json.dumps(jobs))
    spec = tmp_path / "r.yaml"
    head = "title: R\nsource: {files: {events: events.json, jobs: jobs.json}}\n"
    spec.write_text(
        head
        + "charts: [{id: done, type: throughput}]\nruns:\n  a: {tags: {system: a}}\n"
        + "  b: {queries: {events: {run: {job_id: [3]}}}}\n"
    )
    build_site([spec], tmp_path / "site")
    finals = [(r["run"], r["value"]) for r in rows(tmp_path / "site" / "r" / "done.csv")]
    assert finals == [("a", "1"), ("a", "2"), ("b", "1")]
    spec.write_text(
        head
        + "charts: [{id: done, type: throughput}]\n"
        + "runs: {b: {queries: {events: {all: {}}}}}\n"
    )
    with pytest.raises(SpecError) as caught:
        load_report(spec)
    assert [p.split(": ", 1)[1] for p in caught.value.problems] == [
        "runs.b.queries.events.all: not one of the report's queries (queries.events has: "
        "run); a run's queries replace the report's of the same name, which the charts name"
    ]


RUN_ERRORS = [
    (
        "no runs",
        "runs: {}\n",
        "scaling.yaml:11: runs: expected at least one run; got none",
    ),
    (
        "not a mapping",
        "runs: [a, b]\n",
        "scaling.yaml:11: runs: expected a mapping of run names to runs, or "
        "{by_tag: <tag>, tags: {...}}; got 'a list'",
    ),
    (
        "bad run name",
        "runs: {'a b': {}}\n",
        "scaling.yaml:11: runs.a b: expected a name of letters, digits, '_' or '-'; got 'a b'",
    ),
    (
        "tag conflicting with a query",
        "runs: {x: {tags: {experiment: other}}}\n",
        "scaling.yaml:11: runs.x.tags.experiment: conflicts with queries.events.all.tags."
        "experiment ('ffn'): a job has one value per tag",
    ),
    (
        "by_tag on a queried tag",
        "runs: {by_tag: experiment}\n",
        "scaling.yaml:11: runs.by_tag: conflicts with queries.events.all.tags.experiment "
        "('ffn'): a job has one value per tag",
    ),
    (
        "by_tag with a colon",
        "runs: {by_tag: 'a:b'}\n",
        "scaling.yaml:11: runs.by_tag: expected a tag key without ':'; got 'a:b'",
    ),
    (
        "run query the report does not define",
        "runs: {x: {queries: {events: {other: {}}}}}\n",
        "scaling.yaml:11: runs.x.queries.events.other: not one of the report's queries "
        "(queries.events has: all); a run's queries replace the report's of the same name, "
        "which the charts name",
    ),
    (
        "run query contradicting the run's tags",
        "runs:\n  x:\n    tags: {experiment: ffn}\n"
        "    queries: {events: {all: {tags: {experiment: other}}}}\n",
        "scaling.yaml:13: runs.x.tags.experiment: conflicts with runs.x.queries.events.all."
        "tags.experiment ('other'): a job has one value per tag",
    ),
    (
        "run query needing a file the run's source lacks",
        "runs:\n  x:\n    source: {files: {events: e.json, batch_jobs: b.json}}\n"
        "    queries: {events: {all: {tags: {experiment: ffn}}}}\n",
        "scaling.yaml:14: runs.x.queries.events.all.tags: needs runs.x.source.files.jobs "
        "(events carry no tags); add it",
    ),
    (
        "run source without events",
        "runs: {x: {source: {files: {jobs: j.json, batch_jobs: b.json}}}}\n",
        "scaling.yaml:11: runs.x.source.files.events: missing (queries.events.all needs it)",
    ),
]


@pytest.mark.parametrize(
    ("extra", "expected"), [(e[1], e[2]) for e in RUN_ERRORS], ids=[e[0] for e in RUN_ERRORS]
)
def test_run_errors_name_file_line_key_value_and_expectation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "scaling.yaml"
    path.write_text(SPEC + extra)
    with pytest.raises(SpecError) as caught:
        load_report(Path("scaling.yaml"))
    assert caught.value.problems == [expected]


def test_a_run_tag_may_not_contradict_a_batch_job_query(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = SPEC.replace("all: {}", "all: {filter_tags: {scale_nodes: '64'}}")
    (tmp_path / "scaling.yaml").write_text(text + "runs: {n128: {tags: {scale_nodes: '128'}}}\n")
    with pytest.raises(SpecError) as caught:
        load_report(Path("scaling.yaml"))
    assert caught.value.problems == [
        "scaling.yaml:11: runs.n128.tags.scale_nodes: conflicts with queries.batch_jobs.all."
        "filter_tags.scale_nodes ('64'): a job has one value per tag"
    ]


def test_by_tag_over_saved_files_needs_the_jobs_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = SPEC.replace("jobs: jobs.json, ", "").replace("{tags: {experiment: ffn}}", "{}")
    (tmp_path / "scaling.yaml").write_text(text + "runs: {by_tag: scale_nodes}\n")
    with pytest.raises(SpecError) as caught:
        load_report(Path("scaling.yaml"))
    assert caught.value.problems == [
        "scaling.yaml:3: source.files.jobs: missing (the run's tags narrow queries.events.all "
        "by job)",
        "scaling.yaml:11: runs.by_tag: needs source.files.jobs (runs are found in job tags)",
    ]


def test_by_tag_finding_no_value_is_a_clear_error(tmp_path: Path) -> None:
    spec = experiment(tmp_path / "in", SCALES, SPEC + "runs: {by_tag: nowhere}\n")
    with pytest.raises(SourceError) as caught:
        build_site([spec], tmp_path / "site")
    assert str(caught.value) == (
        f"{spec}: runs.by_tag: no job has the tag 'nowhere', so there is no run to report"
    )
    spec.write_text(SPEC + "runs: {by_tag: nowhere, tags: {experiment: ffn}}\n")
    with pytest.raises(SourceError) as caught:
        build_site([spec], tmp_path / "site")
    assert str(caught.value) == (
        f"{spec}: runs.by_tag: no job has the tag 'nowhere' among the jobs tagged "
        "experiment:ffn, so there is no run to report"
    )


def test_the_runs_of_a_report_read_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reportgen.source as source

    read: list[str] = []
    for name in ("read_event_table", "read_job_table"):
        original = getattr(source, name)

        def counting(*args: Any, _original: Any = original, _name: str = name) -> Any:
            read.append(_name)
            return _original(*args)

        monkeypatch.setattr(source, name, counting)
    spec = experiment(
        tmp_path / "in", SCALES, SPEC + "runs: {by_tag: scale_nodes, tags: {experiment: ffn}}\n"
    )
    built = build_site([spec], tmp_path / "site")
    assert len(built.reports[0].runs) == 3
    # by_tag's own look at the jobs and the three runs' loads share one read of each file
    assert sorted(read) == ["read_event_table", "read_job_table"]
