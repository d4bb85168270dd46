"""The `jobs_table` kind: a hand-computed case byte for byte, random experiments against the
naive walk of `slow_jobs`, the rows the page holds, escaping, spec errors, the failures'
links, and the readers and sources that feed it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.build import build_site
from reportgen.errors import SpecError
from reportgen.kinds.base import Section, View
from reportgen.kinds.jobs_cells import write_jobs_csv
from reportgen.kinds.jobs_table import JobsTable, Options, compute, present
from reportgen.kinds.run import Memo, Run, Window
from reportgen.source.columns import events_from_records, jobs_from_records
from reportgen.source.data import ReportData
from reportgen.spec import load_report
from reportgen.spec.model import Chart, TimeAxis
from tests import slow_jobs as slow
from tests.factories import event, micros
from tests.test_failures import _minutes, _records, random_experiment, run_error, start

SPEC = """\
title: t
source:
  files: {events: events.json, jobs: jobs.json}
queries:
  events: {all: {}}
charts:
"""


def job(
    id: int, nodes: int = 1, packing: int = 1, batch: int | None = None, **extra: Any
) -> dict[str, Any]:
    record = {"id": id, "num_nodes": nodes, "node_packing_count": packing, "batch_job_id": batch}
    return {**record, "tags": extra.pop("tags", {}), **extra}


def table(
    records: list[dict[str, Any]],
    as_of: float,
    job_records: list[dict[str, Any]] | None,
    options: Options | None = None,
) -> JobsTable:
    """The kind's result for these events (minutes since 08:00), as of `as_of` minutes."""
    events = events_from_records(records, Path("e.json"), set(), details=True)
    jobs = None
    if job_records is not None:
        jobs = jobs_from_records(job_records, Path("j.json"), set(), details=True)
    data = ReportData(events={"q": events}, batch_jobs={}, jobs=jobs)
    run = Run("", data, Window("", micros(0), micros(as_of)), Memo())
    return compute([run], options or Options("q"))


def csv_of(result: JobsTable, tmp_path: Path) -> str:
    path = tmp_path / "jobs.csv"
    write_jobs_csv(path, result.runs, result.columns)
    return path.read_text(encoding="utf-8")


def section(result: JobsTable, options: Options | None = None) -> Section:
    chart = Chart("jobs", "jobs_table", "Jobs", 800, 300, (), options or Options("q"))
    return present(result, View(chart, TimeAxis("elapsed_minutes"), (Window("", 0, 1),)))


def test_a_hand_computed_case_byte_for_byte(tmp_path: Path) -> None:
    """Job 1: 2 nodes of packing 1 run 30 min, time out, restart, run 15 min more, finish:
    2 attempts, 45 min = 2700 s, 2 x 0.75 h = 1.5 node-hours, last leave RUN_DONE.
    Job 2: no data.num_nodes, so its record's 4 / 2 = 2 nodes, runs 10 min, RUN_ERROR with
    return code 139.0 (printed 139), then FAILED: 2 x 1/6 h = 0.333333 node-hours.
    Job 3: still running at the as-of time (minute 60) since minute 50, no job record, 1
    node: 600 s, 1/6 node-hour, no outcome."""
    records = [
        start(1, 1, 0, 2.0),
        event(2, 1, 30, "RUNNING", "RUN_TIMEOUT"),
        event(3, 1, 30, "RUN_TIMEOUT", "RESTART_READY"),
        event(4, 1, 31, "RESTART_READY", "RUNNING", num_nodes=2.0),
        event(5, 1, 46, "RUNNING", "RUN_DONE"),
        event(6, 1, 47, "RUN_DONE", "JOB_FINISHED"),
        start(7, 2, 5, None),
        run_error(8, 2, 15, returncode=139.0, error="boom"),
        event(9, 2, 15, "RUN_ERROR", "FAILED"),
        start(10, 3, 50, 1.0),
        event(11, 3, 70, "RUNNING", "RUN_DONE"),  # after the as-of time: not counted
    ]
    jobs = [
        job(1, 2, 1, 7, tags={"b": "2", "a": "x,y"}, workdir="w/1"),
        job(2, 4, 2, None, workdir="w/2"),
    ]
    result = table(records, 60, jobs)
    assert csv_of(result, tmp_path) == (
        slow.HEADER + "\n"
        '1,JOB_FINISHED,"a=x,y b=2",2,1,2,2024-03-01T08:00:00.000000Z,'
        "2024-03-01T08:47:00.000000Z,2700.000000,1.500000,RUN_DONE,,w/1,7\n"
        "2,FAILED,,4,2,1,2024-03-01T08:05:00.000000Z,2024-03-01T08:15:00.000000Z,"
        "600.000000,0.333333,RUN_ERROR,139,w/2,\n"
        "3,RUNNING,,,,1,2024-03-01T08:50:00.000000Z,2024-03-01T08:50:00.000000Z,"
        "600.000000,0.166667,,,,\n"
    )
    # the page: the failed job first, then the most node-hours
    grid = section(result).grid
    assert grid is not None
    assert [row[0] for row in grid.rows] == ["2", "1", "3"]
    first, last = (
        slow.HEADER.split(",").index("first_event"),
        slow.HEADER.split(",").index("last_event"),
    )
    # times in prose on the page (to the second, as the rest of the page), ISO in the CSV
    assert [(row[first], row[last]) for row in grid.rows] == [
        ("2024-03-01 08:05:00 UTC", "2024-03-01 08:15:00 UTC"),
        ("2024-03-01 08:00:00 UTC", "2024-03-01 08:47:00 UTC"),
        ("2024-03-01 08:50:00 UTC", "2024-03-01 08:50:00 UTC"),
    ]
    assert grid.count_text.startswith("All 3 jobs are in the page")
    assert result.warnings == (
        "1 jobs have events but no job record: their tags, num_nodes, node_packing_count, "
        "workdir and batch_job_id are empty.",
        "1 RUNNING events had no data.num_nodes; their weight (in node_hours) is the job's "
        "num_nodes / node_packing_count.",
    )


def test_columns_choose_what_the_page_and_the_csv_show(tmp_path: Path) -> None:
    records = [start(1, 1, 0, 1.0), event(2, 1, 6, "RUNNING", "RUN_DONE")]
    options = Options("q", columns=("node_hours", "job_id"))
    result = table(records, 60, [job(1)], options)
    assert csv_of(result, tmp_path) == "node_hours,job_id\n0.100000,1\n"
    grid = section(result, options).grid
    assert grid is not None
    assert [c.name for c in grid.columns] == ["node_hours", "job_id"]
    assert [c.numeric for c in grid.columns] == [True, True]
    assert grid.rows == (("0.100000", "1"),)


def test_the_page_holds_max_rows_failed_first_then_most_node_hours() -> None:
    """Jobs 1-6 run j minutes on 1 node; jobs 2 and 5 then fail. max_rows 4: the two failed
    (5 before 2: more node-hours), then 6 and 4."""
    records = []
    for j in range(1, 7):
        records.append(start(10 * j, j, 0, 1.0))
        if j in (2, 5):
            records += [run_error(10 * j + 1, j, j), event(10 * j + 2, j, j, "RUN_ERROR", "FAILED")]
        else:
            records.append(event(10 * j + 1, j, j, "RUNNING", "RUN_DONE"))
    options = Options("q", max_rows=4)
    grid = section(table(records, 60, [job(j) for j in range(1, 7)], options), options).grid
    assert grid is not None
    assert [row[0] for row in grid.rows] == ["5", "2", "6", "4"]
    assert grid.count_text == (
        "The page holds 4 of 6 jobs (failed jobs first, then those with the most node-hours; "
        "at most 4); the CSV has every job."
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    jobs=st.integers(0, 25),
    window=st.integers(0, 40),
    as_of=st.integers(15, 200),
    limit=st.integers(1, 30),
)
def test_random_experiments_match_the_naive_walk(
    seed: int, jobs: int, window: int, as_of: int, limit: int
) -> None:
    """Same-instant events, restarts, second entries into RUNNING, jobs still running at
    as-of, missing num_nodes (the job record's weight), windows that cut runs, jobs without
    a record: every cell of the CSV, and the rows the page holds, in order."""
    import tempfile

    visible = [e for e in random_experiment(seed, jobs) if e.time >= window]
    records = {
        j: job(j, 1 + j % 3, 2, j % 4 or None, tags={"n": str(j), "a": "b c"}, workdir=f"d/{j}")
        for j in range(1, jobs + 1)
        if j % 5
    }
    options = Options("q", max_rows=limit)
    result = table(_records(visible), as_of, list(records.values()), options)
    exact = _minutes(visible)
    with tempfile.TemporaryDirectory() as folder:
        assert csv_of(result, Path(folder)) == slow.jobs_csv(exact, micros(as_of), records)
    grid = section(result, options).grid
    assert grid is not None
    expected = slow.page_ids(exact, micros(as_of), records, limit)
    assert [int(row[0]) for row in grid.rows] == expected


def test_a_failure_group_links_to_its_jobs_in_the_table(tmp_path: Path) -> None:
    """Jobs 1 and 3 end with the same error, job 2 with another; the failures table's job
    counts link to the job table, whose rows carry the same group keys."""
    records = []
    for j, error in ((1, "boom"), (2, "bang"), (3, "boom")):
        records += [start(10 * j, j, 0, 1.0), run_error(10 * j + 1, j, 10 * j, error=error)]
    (tmp_path / "events.json").write_text(json.dumps(records))
    (tmp_path / "jobs.json").write_text(json.dumps([job(j) for j in (1, 2, 3)]))
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SPEC
        + "  - {id: f, type: failures, events: all, formats: []}\n"
        + "  - {id: jobs, type: jobs_table, events: all}\n"
    )
    build_site([spec], tmp_path / "site")
    html = (tmp_path / "site" / "spec" / "index.html").read_text()
    links = dict(re.findall(r'<a href="#jobs\?group=(g[0-9a-f]+)"[^>]*>(\d+)</a>', html))
    assert sorted(links.values()) == ["1", "2"]  # boom: 2 jobs, bang: 1
    data = json.loads(re.search(r'id="grid-jobs">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    members = {
        key: sorted(
            int(row[0])
            for row, keys in zip(data["rows"], data["groups"], strict=True)
            if key in keys.split()
        )
        for key in links
    }
    assert sorted(members.values()) == [[1, 3], [2]]
    for key, count in links.items():
        assert len(members[key]) == int(count) == data["sizes"][key]
    assert data["labels"][next(k for k, m in members.items() if m == [1, 3])] == (
        "RUN_ERROR, “boom”"
    )


def test_no_link_without_a_job_table_of_the_same_query(tmp_path: Path) -> None:
    records = [start(1, 1, 0, 1.0), run_error(2, 1, 10, error="boom")]
    (tmp_path / "events.json").write_text(json.dumps(records))
    (tmp_path / "jobs.json").write_text(json.dumps([job(1)]))
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SPEC.replace("{all: {}}", "{all: {}, other: {}}")
        + "  - {id: f, type: failures, events: all, formats: []}\n"
        + "  - {id: jobs, type: jobs_table, events: other}\n"
    )
    build_site([spec], tmp_path / "site")
    assert "?group=" not in (tmp_path / "site" / "spec" / "index.html").read_text()


HOSTILE = '<script>alert("x")</script> \' " </script><!-- &amp;'


def test_hostile_tags_and_workdirs_are_text_in_the_page_and_the_csv(tmp_path: Path) -> None:
    records = [start(1, 1, 0, 1.0), event(2, 1, 6, "RUNNING", "RUN_DONE")]
    (tmp_path / "events.json").write_text(json.dumps(records))
    hostile = job(1, tags={"x": HOSTILE}, workdir=HOSTILE)
    (tmp_path / "jobs.json").write_text(json.dumps([hostile]))
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC + "  - {id: jobs, type: jobs_table, events: all}\n")
    build_site([spec], tmp_path / "site")
    html = (tmp_path / "site" / "spec" / "index.html").read_text()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html  # the HTML rows
    embedded = re.search(r'id="grid-jobs">(.*?)</script>', html, re.S)
    assert embedded is not None
    assert "</" not in embedded.group(1) and "<!--" not in embedded.group(1)
    data = json.loads(embedded.group(1))
    assert data["rows"][0][2] == f"x={HOSTILE}"
    assert data["rows"][0][12] == HOSTILE
    csv = (tmp_path / "site" / "spec" / "jobs.csv").read_text()
    quoted = '"' + HOSTILE.replace('"', '""') + '"'
    assert csv.splitlines()[1].split(",", 2)[2].startswith('"x=' + HOSTILE.replace('"', '""'))
    assert quoted in csv


@pytest.mark.parametrize(
    ("chart", "expected"),
    [
        (
            "{id: j, type: jobs_table, events: all, columns: [job_id, nodes]}",
            "spec.yaml:7: charts[0].columns[1]: expected one of job_id, state, tags, num_nodes, "
            "node_packing_count, attempts, first_event, last_event, run_seconds, node_hours, "
            "outcome, returncode, workdir, batch_job_id; got 'nodes'",
        ),
        (
            "{id: j, type: jobs_table, events: all, columns: [job_id, job_id]}",
            "spec.yaml:7: charts[0].columns[1]: job_id is already charts[0].columns[0]",
        ),
        (
            "{id: j, type: jobs_table, events: all, max_rows: 0}",
            "spec.yaml:7: charts[0].max_rows: expected an integer from 1 to 100,000; got 0",
        ),
        (
            "{id: j, type: jobs_table}",
            "spec.yaml:7: charts[0].events: missing (a jobs_table chart needs it)",
        ),
    ],
)
def test_spec_errors(tmp_path: Path, chart: str, expected: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC + f"  - {chart}\n")
    with pytest.raises(SpecError) as caught:
        load_report(spec)
    assert [p.replace(str(spec), "spec.yaml") for p in caught.value.problems] == [expected]


def test_a_files_source_without_jobs_is_an_error(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SPEC.replace(", jobs: jobs.json", "") + "  - {id: j, type: jobs_table, events: all}\n"
    )
    with pytest.raises(SpecError) as caught:
        load_report(spec)
    assert [p.replace(str(spec), "spec.yaml") for p in caught.value.problems] == [
        "spec.yaml:7: charts[0].type: a jobs_table chart needs source.files.jobs (the job "
        "records); add it"
    ]


def test_cached_data_read_without_job_details_is_not_reused(tmp_path: Path) -> None:
    records = [start(1, 1, 0, 1.0), event(2, 1, 6, "RUNNING", "RUN_DONE")]
    (tmp_path / "events.json").write_text(json.dumps(records))
    (tmp_path / "jobs.json").write_text(json.dumps([job(1, tags={"k": "v"}, workdir="w")]))
    spec, cache = tmp_path / "spec.yaml", tmp_path / "cache"
    spec.write_text(
        SPEC.replace("{all: {}}", "{all: {tags: {k: v}}}")
        + "  - {id: t, type: throughput, events: all, formats: []}\n"
    )
    build_site([spec], tmp_path / "site", cache_dir=cache)
    assert build_site([spec], tmp_path / "site", cache_dir=cache).data_reused == 1
    spec.write_text(spec.read_text() + "  - {id: jobs, type: jobs_table, events: all}\n")
    assert build_site([spec], tmp_path / "site", cache_dir=cache).data_reused == 0
    csv = (tmp_path / "site" / "spec" / "jobs.csv").read_text().splitlines()
    assert csv[1].split(",")[2] == "k=v" and csv[1].split(",")[12] == "w"


class _FakeClient:
    """What `source.balsam._fetch` asks of a client: pages of records by path."""

    def __init__(self, records: dict[str, list[dict[str, Any]]]) -> None:
        self.records = records
        self.notes: list[str] = []
        self.requests_made = self.retries = 0
        self.credentials = type("Credentials", (), {"api_root": "https://balsam.test"})()

    def fetch_all(self, what: str, path: str, params: object) -> list[dict[str, Any]]:
        return self.records.get(path, [])

    def server_version(self) -> tuple[str | None, str]:
        return None, "the stand-in reports none"


def test_the_live_source_reads_job_details_when_needed(tmp_path: Path) -> None:
    from reportgen.source.balsam import _fetch, _Fetcher
    from reportgen.source.data import Needs

    spec = tmp_path / "spec.yaml"
    text = SPEC.replace(
        "files: {events: events.json, jobs: jobs.json}", "balsam: {client_config: c.yml}"
    )
    spec.write_text(text + "  - {id: j, type: jobs_table, events: all}\n")
    report = load_report(spec)
    records = [start(1, 1, 0)]
    jobs = [job(1, tags={"b": "1", "a": "2"}, workdir="runs/1")]
    client: Any = _FakeClient({"events": records, "jobs": jobs})
    assert _fetch(report, Needs(), _Fetcher(client, None), 0).jobs is None
    detailed = _fetch(report, Needs(job_details=True), _Fetcher(client, None), 0).jobs
    assert detailed is not None and detailed.details is not None
    assert detailed.details.tags.tolist() == ["a=2 b=1"]
    assert detailed.details.workdir.tolist() == ["runs/1"]


def test_several_runs_lead_each_row_with_the_run(tmp_path: Path) -> None:
    """Each run's jobs by id, run after run; the page merges the runs' rows by the same rule."""
    runs = []
    for name, minutes in (("a", 6), ("b", 12)):
        records = [start(1, 1, 0, 1.0), event(2, 1, minutes, "RUNNING", "RUN_DONE")]
        events = events_from_records(records, Path("e.json"), set(), details=True)
        jobs = jobs_from_records([job(1, workdir=name)], Path("j.json"), set(), details=True)
        data = ReportData(events={"q": events}, batch_jobs={}, jobs=jobs)
        runs.append(Run(name, data, Window(name, micros(0), micros(60)), Memo()))
    options = Options("q", columns=("job_id", "node_hours", "workdir"))
    result = compute(runs, options)
    assert csv_of(result, tmp_path) == (
        "run,job_id,node_hours,workdir\na,1,0.100000,a\nb,1,0.200000,b\n"
    )
    grid = section(result, options).grid
    assert grid is not None
    assert grid.rows == (("b", "1", "0.200000", "b"), ("a", "1", "0.100000", "a"))
