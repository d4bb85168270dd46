"""Which queries a chart of a runs report reads when it names none (`spec/chartqueries.py`):
the issue's own spec, with no `queries:` and charts naming none, validates and builds to the
CSVs of the same report written with queries; the errors of naming a query there, of leaving
one out among several, and of `runs:` on a chart of a one-run report, word for word."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.build import build_site
from reportgen.errors import SpecError
from reportgen.spec import load_report
from reportgen.spec.model import BalsamSource, RunsByTag

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "report_specs" / "scaling-data"
ISSUE = """\
title: FFN scaling
source: {balsam: {}}
runs: {by_tag: scale_nodes, tags: {experiment: ffn-1}}      # one run per value, numeric order
# or a mapping of named runs, each with tags, or its own queries and/or source (other systems)
baseline: "128"                                              # optional; default the first run
steady_state: {from: 0.1, to: 0.9}                           # fractions of each run's completions
charts:
  - {id: thr, type: throughput, runs: all, ideal: true}
  - {id: util, type: utilization, runs: all, normalize: true}   # fraction of available nodes
  - {id: scaling, type: scaling, runs: all}
"""
FILES = (
    f"source:\n  files: {{events: {DATA}/events.json.gz, jobs: {DATA}/jobs.json.gz, "
    f"batch_jobs: {DATA}/batchjobs.json.gz}}\n"
)
EXPLICIT = """\
queries:
  events: {all: {tags: {experiment: scaling}}}
  batch_jobs: {all: {filter_tags: {experiment: scaling}}}
charts:
  - {id: thr, type: throughput, events: all, ideal: true, available_nodes: all}
  - {id: util, type: utilization, events: all, normalize: true, available_nodes: all}
  - {id: scaling, type: scaling, events: all, batch_jobs: all}
"""


def test_the_issues_spec_validates_as_written(tmp_path: Path) -> None:
    path = tmp_path / "ffn.yaml"
    path.write_text(ISSUE)
    report = load_report(path, strict=True)
    assert isinstance(report.source, BalsamSource)
    assert report.runs == RunsByTag("scale_nodes", (("experiment", "ffn-1"),))
    assert [(q.name, q.tags) for q in report.event_queries.values()] == [("run", ())]
    assert [(q.name, q.filter_tags) for q in report.batch_job_queries.values()] == [("run", ())]
    options = {chart.id: chart.options for chart in report.charts}
    assert (options["thr"].events, options["thr"].available_nodes) == ("run", "run")
    assert (options["util"].events, options["util"].available_nodes) == ("run", "run")
    assert (options["scaling"].events, options["scaling"].batch_jobs) == ("run", "run")


def test_the_issues_spec_builds_the_csvs_of_the_same_report_with_queries(tmp_path: Path) -> None:
    implied = ISSUE.replace("source: {balsam: {}}\n", FILES).replace("ffn-1", "scaling")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "ffn.yaml").write_text(implied)
    (tmp_path / "b").mkdir()
    explicit = implied.split("charts:")[0] + EXPLICIT
    (tmp_path / "b" / "ffn.yaml").write_text(explicit)
    built = build_site([tmp_path / "a" / "ffn.yaml"], tmp_path / "site-a")
    build_site([tmp_path / "b" / "ffn.yaml"], tmp_path / "site-b")
    assert [run.window.name for run in built.reports[0].runs] == ["32", "64", "128", "256"]
    for name in ("thr.csv", "util.csv", "scaling.csv"):
        made = (tmp_path / "site-a" / "ffn" / name).read_bytes()
        assert made == (tmp_path / "site-b" / "ffn" / name).read_bytes(), name
    scaling = (tmp_path / "site-a" / "ffn" / "scaling.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in scaling[1:]] == ["32", "64", "128", "256"]
    assert scaling[3].endswith(",1,0")  # the baseline, 128
    page = (tmp_path / "site-a" / "ffn" / "index.html").read_text()
    assert (
        "<tr><td>64</td><td>events</td><td>run</td>"
        "<td><code>tags=experiment:scaling, scale_nodes:64</code></td>"
    ) in page


BASE = """\
title: Runs
source:
  files: {events: events.json, jobs: jobs.json, batch_jobs: batchjobs.json}
runs: {by_tag: scale_nodes}
"""
ERRORS = [
    (
        "a query named where the runs imply them",
        BASE + "charts:\n  - {id: t, type: throughput, events: all}\n",
        "runs.yaml:6: charts[0].events: names the query 'all', but this report has runs: and "
        "no queries:, so each run's queries are its tags (the jobs having them and their batch "
        "jobs): remove events: all, or define the queries under queries:",
    ),
    (
        "the summary naming a query where the runs imply them",
        BASE + "summary: {batch_jobs: all}\ncharts:\n  - {id: t, type: throughput}\n",
        "runs.yaml:5: summary.batch_jobs: names the query 'all', but this report has runs: "
        "and no queries:, so each run's queries are its tags (the jobs having them and their "
        "batch jobs): remove batch_jobs: all, or define the queries under queries:",
    ),
    (
        "a query left out among several",
        BASE
        + "queries: {events: {a: {}, b: {to_state: RUNNING}}}\n"
        + "charts:\n  - {id: t, type: throughput, runs: all}\n",
        "runs.yaml:7: charts[0].events: missing: the report has several event queries (a, b); "
        "name the one this chart reads",
    ),
    (
        "runs on a chart of a report of one run",
        BASE.replace("runs: {by_tag: scale_nodes}\n", "queries: {events: {a: {}}}\n")
        + "charts:\n  - {id: t, type: throughput, events: a, runs: all}\n",
        "runs.yaml:6: charts[0].runs: needs runs: in the report (a report of one run has no "
        "runs to choose from)",
    ),
    (
        "runs on a chart naming some runs",
        BASE + "charts:\n  - {id: t, type: throughput, runs: [a]}\n",
        "runs.yaml:6: charts[0].runs: expected one of all; got 'a list'",
    ),
    (
        "a batch-job query needed where the source has none",
        BASE.replace(", batch_jobs: batchjobs.json", "")
        + "charts:\n  - {id: n, type: available_nodes}\n",
        "runs.yaml:6: charts[0].batch_jobs: missing (a available_nodes chart needs it)",
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), [(e[1], e[2]) for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_query_errors_of_a_runs_report_say_what_to_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs.yaml").write_text(text)
    with pytest.raises(SpecError) as caught:
        load_report(Path("runs.yaml"))
    assert caught.value.problems == [expected]


def test_a_runs_report_with_queries_may_leave_out_its_only_query(tmp_path: Path) -> None:
    path = tmp_path / "runs.yaml"
    path.write_text(
        BASE + "queries: {events: {a: {}}, batch_jobs: {b: {}}}\n"
        "charts:\n  - {id: t, type: throughput}\n  - {id: u, type: utilization}\n"
    )
    options = [chart.options for chart in load_report(path).charts]
    # the required key is the only query; the optional one stays off unless named
    assert (options[0].events, options[0].available_nodes) == ("a", None)
    assert (options[1].events, options[1].available_nodes) == ("a", None)
