"""The `failures` kind: hand-computed experiments, its CSVs byte for byte, its spec errors,
its page, and random experiments against the naive walk of `slow_failures`."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.analytics.failures import group_message
from reportgen.build import build_site
from reportgen.errors import SpecError
from reportgen.kinds.base import View
from reportgen.kinds.failures import Failures, attempts_csv, compute, groups_csv, present
from reportgen.kinds.failures import Options as FailuresOptions
from reportgen.kinds.run import Memo, Run, Window
from reportgen.source.columns import events_from_records, jobs_from_records
from reportgen.source.data import ReportData
from reportgen.spec import load_report
from reportgen.spec.model import Chart, TimeAxis
from tests import slow_failures as slow
from tests.factories import event, micros

SESSION_EXPIRED = "Session expired: job was stuck in RUNNING state"


def failures(
    records: list[dict[str, Any]], as_of: float, job_records: list[dict[str, Any]] | None = None
) -> Failures:
    """The kind's result for these events (minutes since 08:00), as of `as_of` minutes."""
    table = events_from_records(records, Path("e.json"), set(), details=True)
    jobs = None if job_records is None else jobs_from_records(job_records, Path("j.json"), set())
    data = ReportData(events={"q": table}, batch_jobs={}, jobs=jobs)
    run = Run("", data, Window("", micros(0), micros(as_of)), Memo())
    return compute([run], FailuresOptions("q"))


def run_error(id: int, job: int, minutes: float, **data: Any) -> dict[str, Any]:
    return event(id, job, minutes, "RUNNING", "RUN_ERROR", **data)


def start(id: int, job: int, minutes: float, nodes: float | None = 1.0) -> dict[str, Any]:
    if nodes is None:
        return event(id, job, minutes, "PREPROCESSED", "RUNNING")
    return event(id, job, minutes, "PREPROCESSED", "RUNNING", num_nodes=nodes)


HEADER = "outcome,returncode,message,attempts,jobs,node_hours,example_job_ids\n"


def test_a_segfault_groups_by_its_first_line_with_digits_as_n() -> None:
    # job 1 runs on 2 nodes from minute 0 to 30: 2 x 0.5 h = 1 node-hour;
    # "Segfault at 0x7f 12 times" -> the runs 0, 7 and 12 become N
    result = failures(
        [
            start(1, 1, 0, 2.0),
            run_error(2, 1, 30, returncode=139, error="Segfault at 0x7f 12 times\nmore"),
            event(3, 1, 30, "RUN_ERROR", "FAILED", message="Job failed"),
        ],
        as_of=60,
    )
    assert groups_csv(result) == HEADER + "RUN_ERROR,139,Segfault at NxNf N times,1,1,1.000000,1\n"
    assert attempts_csv(result) == "attempts,jobs,finished,failed,other\n1,1,0,1,0\n"
    assert result.warnings == ()


def test_a_timeout_then_a_restart_then_success() -> None:
    # job 2: RUNNING 0-60 (1 node: 1 node-hour) ends RUN_TIMEOUT; RUNNING again 70-100 ends
    # RUN_DONE, which is no failure; it entered RUNNING twice and is JOB_FINISHED
    result = failures(
        [
            start(1, 2, 0),
            event(2, 2, 60, "RUNNING", "RUN_TIMEOUT"),
            event(3, 2, 60, "RUN_TIMEOUT", "RESTART_READY"),
            event(4, 2, 70, "RESTART_READY", "RUNNING", num_nodes=1.0),
            event(5, 2, 100, "RUNNING", "RUN_DONE"),
            event(6, 2, 101, "RUN_DONE", "JOB_FINISHED"),
        ],
        as_of=120,
    )
    assert groups_csv(result) == HEADER + "RUN_TIMEOUT,,,1,1,1.000000,2\n"
    assert attempts_csv(result) == "attempts,jobs,finished,failed,other\n2,1,1,0,0\n"


def test_an_ending_that_closes_no_interval_is_an_attempt_of_no_node_hours() -> None:
    # job 3's entry into RUNNING is not among the query's events (a window cut it off)
    result = failures([run_error(1, 3, 10, returncode=2, error="oops")], as_of=60)
    assert groups_csv(result) == HEADER + "RUN_ERROR,2,oops,1,1,0.000000,3\n"
    # it never entered RUNNING here: 0 attempts, and it is in RUN_ERROR ("other")
    assert attempts_csv(result) == "attempts,jobs,finished,failed,other\n0,1,0,0,1\n"
    assert result.warnings == (
        "1 attempt endings closed no RUNNING interval (the job was not running by the "
        "query's events, e.g. its start lies outside the query window): each counts as an "
        "attempt with 0 node-hours.",
    )


def test_a_session_expired_timeout_is_its_own_group() -> None:
    # job 4: 0.5 nodes x 90 min = 0.75 node-hours, ended by Balsam's expired session;
    # job 5: 1 node x 30 min = 0.5 node-hours, an ordinary timeout (no message)
    result = failures(
        [
            start(1, 4, 0, 0.5),
            event(2, 4, 90, "RUNNING", "RUN_TIMEOUT", message=SESSION_EXPIRED),
            start(3, 5, 0),
            event(4, 5, 30, "RUNNING", "RUN_TIMEOUT"),
        ],
        as_of=120,
    )
    assert groups_csv(result) == (
        HEADER
        + f"RUN_TIMEOUT,,{SESSION_EXPIRED},1,1,0.750000,4\n"
        + "RUN_TIMEOUT,,,1,1,0.500000,5\n"
    )


def test_returncode_one_as_int_float_string_and_absent() -> None:
    # 1 and 1.0 are the number 1; "1" is not a number (warned, grouped as empty), like none.
    # Each job runs 1 node for 6 minutes: 0.1 node-hours, so each group has 0.2.
    records = []
    for job, code in [(5, 1.0), (6, "1"), (7, None), (8, 1)]:
        data = (
            {"error": "exit code 1"}
            if code is None
            else {"error": "exit code 1", "returncode": code}
        )
        records += [start(job * 10, job, 0), run_error(job * 10 + 1, job, 6, **data)]
    result = failures(records, as_of=60)
    # equal node-hours and attempts, same outcome: the number 1 before the empty code
    assert groups_csv(result) == (
        HEADER
        + "RUN_ERROR,1,exit code N,2,2,0.200000,5 8\n"
        + "RUN_ERROR,,exit code N,2,2,0.200000,6 7\n"
    )
    assert result.warnings == (
        "1 attempt endings have a data.returncode that is not a number (e.g. a string): they "
        "are grouped with an empty return code.",
    )


@pytest.mark.parametrize(
    ("error", "message", "expected"),
    [
        ("Segfault at 0x7f 12 times\nmore", None, "Segfault at NxNf N times"),
        ("  a \t b\u00a0 c  \n", None, "a b c"),  # any whitespace run is one space, trimmed
        ("rank 12 of 1024 failed", "ignored", "rank N of N failed"),
        ("", "Job failed: 3", "Job failed: N"),  # an empty error: the message
        (7, "from the message", "from the message"),  # an error that is not text
        (None, None, ""),
        (None, 42, ""),  # a message that is not text
        ("\nsecond line", "unused", ""),  # the error's first line is empty
        ("a\r\nb", None, "a"),
        ("x" * 130, None, "x" * 120),  # cut to 120 characters
        ("9" * 200, None, "N"),  # digits first, then the cut
        ("ab " * 50, None, ("ab " * 40)[:120]),
    ],
)
def test_messages_are_normalised(error: object, message: object, expected: str) -> None:
    assert group_message(error, message) == expected
    data = {k: v for k, v in (("error", error), ("message", message)) if v is not None}
    assert slow.message_of(data) == expected


def test_the_csv_bytes_of_a_tiny_case_sorted_by_node_hours_attempts_outcome_code() -> None:
    # job 1: 3 nodes x 20 min = 1 node-hour, RUN_ERROR rc 1 "bad, \"quoted\""
    # job 2: 1/3 node x 60 min = 1/3 node-hour, RUN_ERROR rc 2
    # job 3: 1/3 node x 60 min = 1/3 node-hour, RUN_ERROR rc 10 (as a number: after 2)
    # job 4: RESTART_READY straight from RUNNING at 2 nodes x 10 min = 1/3 node-hour
    # jobs 5 and 6: weights missing, the jobs file says 4 nodes / 2 = 2: 2 x 15 min = 0.5
    #   each, so the group of both (RUN_ERROR rc 1 "exit") is 1 node-hour in 2 attempts,
    #   before job 1's group (1 node-hour, 1 attempt)
    records = [
        start(1, 1, 0, 3.0),
        run_error(2, 1, 20, returncode=1, error='bad, "quoted"'),
        start(3, 2, 0, 1 / 3),
        run_error(4, 2, 60, returncode=2),
        start(5, 3, 0, 1 / 3),
        run_error(6, 3, 60, returncode=10),
        start(7, 4, 0, 2.0),
        event(8, 4, 10, "RUNNING", "RESTART_READY"),
        start(9, 5, 0, None),
        run_error(10, 5, 15, returncode=1, error="exit"),
        start(11, 6, 5, None),
        run_error(12, 6, 20, returncode=1, error="exit"),
        start(13, 7, 0),  # still running at the as-of time: no ending
    ]
    jobs = [
        {"id": j, "num_nodes": 4, "node_packing_count": 2, "batch_job_id": None} for j in (5, 6)
    ]
    result = failures(records, as_of=60, job_records=jobs)
    assert groups_csv(result) == (
        HEADER
        + "RUN_ERROR,1,exit,2,2,1.000000,5 6\n"
        + 'RUN_ERROR,1,"bad, ""quoted""",1,1,1.000000,1\n'
        + "RESTART_READY,,,1,1,0.333333,4\n"
        + "RUN_ERROR,2,,1,1,0.333333,2\n"
        + "RUN_ERROR,10,,1,1,0.333333,3\n"
    )
    assert attempts_csv(result) == "attempts,jobs,finished,failed,other\n1,7,0,0,7\n"
    assert result.runs[0].groups[0].node_hours == 1
    assert result.runs[0].groups[2].node_hours == Fraction(1, 3)
    assert result.warnings == (
        "2 RUNNING events had no data.num_nodes; their weight is the job's num_nodes / "
        "node_packing_count.",
    )


def test_the_five_smallest_job_ids_are_the_examples() -> None:
    records = []
    for job in [9, 3, 7, 1, 8, 2, 6]:
        records += [start(job * 10, job, 0), run_error(job * 10 + 1, job, 6, error="x")]
    assert groups_csv(failures(records, as_of=60)).splitlines()[1].endswith(",1 2 3 6 7")


SPEC = """\
title: t
source:
  files: {events: events.json}
as_of: 2024-03-01T10:00:00Z
queries:
  events:
    all: {}
charts:
"""


@pytest.mark.parametrize(
    ("chart", "expected"),
    [
        (
            "{id: f, type: failures, events: nope}",
            "spec.yaml:9: charts[0].events: expected one of the event queries (all); got 'nope'",
        ),
        (
            "{id: f, type: failures}",
            "spec.yaml:9: charts[0].events: missing (a failures chart needs it)",
        ),
    ],
)
def test_spec_errors(tmp_path: Path, chart: str, expected: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC + f"  - {chart}\n")
    (tmp_path / "events.json").write_text("[]")
    with pytest.raises(SpecError) as caught:
        load_report(spec)
    assert [p.replace(str(tmp_path) + "/", "") for p in caught.value.problems] == [expected]


def test_a_build_writes_both_csvs_the_table_and_the_chart(tmp_path: Path) -> None:
    records = [
        start(1, 1, 0, 2.0),
        run_error(2, 1, 30, returncode=139, error="Segfault at 0x7f 12 times\nmore"),
        start(3, 2, 0),
        event(4, 2, 90, "RUNNING", "RUN_TIMEOUT", message=SESSION_EXPIRED),
    ]
    (tmp_path / "events.json").write_text(json.dumps(records))
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC + "  - {id: f, type: failures, events: all, formats: []}\n")
    build_site([spec], tmp_path / "site")
    folder = tmp_path / "site" / "spec"
    assert (folder / "f.csv").read_text() == (
        HEADER
        + f"RUN_TIMEOUT,,{SESSION_EXPIRED},1,1,1.500000,2\n"
        + "RUN_ERROR,139,Segfault at NxNf N times,1,1,1.000000,1\n"
    )
    assert (folder / "f-attempts.csv").read_text() == (
        "attempts,jobs,finished,failed,other\n1,2,0,0,2\n"
    )
    page = (folder / "index.html").read_text()
    assert "<caption>Failure groups</caption>" in page
    assert "Segfault at NxNf N times" in page and "f-groups" in page


def test_the_page_table_separates_thousands() -> None:
    records = []
    for job in range(1, 1202):
        records += [start(job * 10, job, 0), run_error(job * 10 + 1, job, 6, error="x")]
    chart = Chart("f", "failures", "Failures", 800, 300, (), FailuresOptions("q"))
    view = View(chart, TimeAxis("utc"), (Window("", micros(0), micros(60)),))
    section = present(failures(records, as_of=60), view)
    # 1,201 runs of 1 node for 6 minutes: 120.1 node-hours
    assert section.tables[0].rows == (
        ("RUN_ERROR", "", "x", "1,201", "1,201", "120.100000", "1 2 3 4 5"),
    )


# --- random experiments against the naive walk ---
NEXT = {
    "CREATED": ["STAGED_IN"],
    "STAGED_IN": ["PREPROCESSED"],
    "PREPROCESSED": ["RUNNING"],
    "RUNNING": ["RUN_DONE", "RUN_ERROR", "RUN_TIMEOUT", "RESTART_READY", "FAILED"],
    "RUN_DONE": ["JOB_FINISHED"],
    "RUN_ERROR": ["FAILED", "RESTART_READY"],
    "RUN_TIMEOUT": ["RESTART_READY"],
    "RESTART_READY": ["RUNNING"],
}
WEIGHTS = [1.0, 2.0, 0.5, 0.25, 1 / 3, 1 / 6, None]
RETURNCODES = [0, 1, 1.0, 139, -0.5, "1", True, None, 2**60, "absent"]
ERRORS = ["", "Segfault at 0x7f 12 times\nmore", "exit code 1", " exit  code\t1 ", 7, "absent"]
MESSAGES = [SESSION_EXPIRED, "Job failed: 3", None, "a,b", "absent", "x" * 125 + "12"]


def random_experiment(seed: int, jobs: int) -> list[slow.FEv]:
    """Jobs walking Balsam's states (with RUNNING straight to FAILED or RESTART_READY), at
    most two consecutive events of a job at one instant (never A -> B -> A), sometimes a
    second entry into RUNNING while running (which the utilization ignores), random return
    codes and texts."""
    rng = random.Random(seed)
    events: list[slow.FEv] = []
    ids = list(range(1, jobs * 16 + 1))
    rng.shuffle(ids)
    for job_id in range(1, jobs + 1):
        state, time, seq, same_run = "CREATED", rng.randrange(0, 20), 0, 0
        came_from = ""
        while state in NEXT and seq < 14:
            if state == "RUNNING" and rng.random() < 0.1:  # a second entry, alone at its time
                time += rng.randrange(1, 10)
                data = _data("RUNNING", rng)
                events.append(
                    slow.FEv(ids.pop(), job_id, time, "PREPROCESSED", "RUNNING", seq, data)
                )
                seq, same_run, came_from = seq + 1, 1, "PREPROCESSED"
            target = rng.choice(NEXT[state])
            # no same-instant A -> B -> A: a cycle whose order no algorithm could recover
            same = same_run < 1 and rng.random() < 0.35 and target != came_from
            time += 0 if same else rng.randrange(1, 15)
            same_run = same_run + 1 if same else 0
            data = _data(target, rng)
            events.append(slow.FEv(ids.pop(), job_id, time, state, target, seq, data))
            came_from, state, seq = state, target, seq + 1
    rng.shuffle(events)
    return events


def _data(target: str, rng: random.Random) -> dict[str, Any]:
    if target == "RUNNING":
        weight = rng.choice(WEIGHTS)
        return {} if weight is None else {"num_nodes": weight}
    data = {}
    for key, choices in (("returncode", RETURNCODES), ("error", ERRORS), ("message", MESSAGES)):
        value = rng.choice(choices)
        if value != "absent":
            data[key] = value
    return data


def _minutes(events: list[slow.FEv]) -> list[slow.FEv]:
    """The same events with times in microseconds (the generator works in minutes)."""
    return [
        slow.FEv(e.id, e.job_id, micros(e.time), e.from_state, e.to_state, e.seq, e.data)
        for e in events
    ]


def _records(events: list[slow.FEv]) -> list[dict[str, Any]]:
    return [
        {**event(e.id, e.job_id, e.time, e.from_state, e.to_state), "data": e.data} for e in events
    ]


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    jobs=st.integers(0, 25),
    window=st.integers(0, 40),
    as_of=st.integers(15, 200),
)
def test_random_experiments_match_the_naive_walk(
    seed: int, jobs: int, window: int, as_of: int
) -> None:
    """Same-instant events, restarts, second entries, jobs still running at as-of, missing
    num_nodes (the jobs file's weight), and a timestamp_after-like window that cuts runs."""
    visible = [e for e in random_experiment(seed, jobs) if e.time >= window]
    fallback = {j: (1 + j % 3) / 2 for j in range(1, jobs + 1)}
    job_records = [
        {"id": j, "num_nodes": 1 + j % 3, "node_packing_count": 2, "batch_job_id": None}
        for j in fallback
    ]
    result = failures(_records(visible), as_of, job_records)
    exact = _minutes(visible)
    assert groups_csv(result) == slow.groups_csv(exact, micros(as_of), fallback)
    assert attempts_csv(result) == slow.attempts_csv(exact, micros(as_of))


def _many_groups() -> Failures:
    # 15 jobs, each its own group (errors "ea" to "eo": letters, as digits would all be N);
    # job j runs 1 node for j minutes, so group j costs j/60 node-hours
    records = []
    for job in range(1, 16):
        records += [
            start(job * 10, job, 0),
            run_error(job * 10 + 1, job, job, error=f"e{chr(96 + job)}"),
        ]
    return failures(records, as_of=60)


def test_the_chart_draws_the_costliest_groups_and_sums_the_rest() -> None:
    result = _many_groups()
    chart = Chart("f", "failures", "Failures", 800, 300, (), FailuresOptions("q"))
    view = View(chart, TimeAxis("utc"), (Window("", micros(0), micros(60)),))
    section = present(result, view)
    assert section.figure is not None
    bars = section.figure.page["datasets"]["f-groups"]
    # the 12 costliest are jobs 15 down to 4; jobs 3, 2 and 1 make "other": 6 min = 0.1 h
    assert [b["label"] for b in bars[:2]] == ["RUN_ERROR · eo", "RUN_ERROR · en"]
    assert bars[-1]["label"] == "other (3 groups)"
    assert bars[-1]["node_hours_text"] == "0.100000" and bars[-1]["attempts"] == 3
    tooltips = section.figure.page["vconcat"][0]["layer"][0]["encoding"]["tooltip"]
    assert [t["title"] for t in tooltips] == [
        "Outcome",
        "Return code",
        "Message",
        "Attempts",
        "Jobs",
        "Node-hours",
    ]
    assert "tooltip" not in json.dumps(section.figure.image)  # images: no tooltips, a title
    assert section.figure.image["title"] == "Failures"
    table = section.tables[0]
    assert table.caption == "Failure groups" and len(table.rows) == 15
    assert table.rows[0] == ("RUN_ERROR", "", "eo", "1", "1", "0.250000", "15")
    assert [f.name for f in section.files] == ["f.csv", "f-attempts.csv"]
    assert (
        section.note == "15 attempt endings in 15 groups; 12 drawn, the other 3 summed as one bar."
    )


def test_a_long_message_is_cut_for_its_label_and_whole_in_the_tooltip() -> None:
    text = "word " * 30  # 150 characters: the group keeps 120, the label 48
    result = failures([start(1, 1, 0), run_error(2, 1, 6, error=text)], as_of=60)
    chart = Chart("f", "failures", "Failures", 800, 300, (), FailuresOptions("q"))
    view = View(chart, TimeAxis("utc"), (Window("", micros(0), micros(60)),))
    section = present(result, view)
    assert section.figure is not None
    (bar,) = section.figure.page["datasets"]["f-groups"]
    assert bar["message"] == text.strip()[:120]
    assert bar["label"] == "RUN_ERROR · " + text[:47] + "…"


def test_several_runs_lead_each_row_with_the_run() -> None:
    table = events_from_records(
        [start(1, 1, 0), run_error(2, 1, 30, returncode=3, error="x")], Path("e"), set(), True
    )
    data = ReportData(events={"q": table}, batch_jobs={}, jobs=None)
    runs = [
        Run(name, data, Window(name, micros(0), micros(m)), Memo())
        for name, m in [("a", 60), ("b, c", 10)]
    ]
    result = compute(runs, FailuresOptions("q"))
    assert groups_csv(result) == (
        "run," + HEADER + "a,RUN_ERROR,3,x,1,1,0.500000,1\n"
    )  # run "b, c" ends before the error
    assert attempts_csv(result) == (
        'run,attempts,jobs,finished,failed,other\na,1,1,0,0,1\n"b, c",1,1,0,0,1\n'
    )


def test_registering_the_kind_imports_no_altair() -> None:
    code = "import sys, reportgen.kinds, reportgen.kinds.failures; print('altair' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_cached_data_read_without_details_is_not_reused_for_the_kind(tmp_path: Path) -> None:
    """The build cache keys a report's data by what its kinds need: adding the kind reads
    the events again, with their details."""
    records = [start(1, 1, 0), run_error(2, 1, 30, returncode=1, error="boom")]
    (tmp_path / "events.json").write_text(json.dumps(records))
    spec, cache = tmp_path / "spec.yaml", tmp_path / "cache"
    spec.write_text(SPEC + "  - {id: t, type: throughput, events: all, formats: []}\n")
    build_site([spec], tmp_path / "site", cache_dir=cache)
    assert build_site([spec], tmp_path / "site", cache_dir=cache).data_reused == 1
    spec.write_text(
        SPEC
        + "  - {id: t, type: throughput, events: all, formats: []}\n"
        + "  - {id: f, type: failures, events: all, formats: []}\n"
    )
    assert build_site([spec], tmp_path / "site", cache_dir=cache).data_reused == 0
    assert (tmp_path / "site" / "spec" / "f.csv").read_text() == (
        HEADER + "RUN_ERROR,1,boom,1,1,0.500000,1\n"
    )


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


def test_the_live_source_reads_details_when_needed(tmp_path: Path) -> None:
    from reportgen.source.balsam import _fetch, _Fetcher
    from reportgen.source.data import Needs

    spec = tmp_path / "spec.yaml"
    text = SPEC.replace("files: {events: events.json}", "balsam: {client_config: client.yml}")
    spec.write_text(text + "  - {id: f, type: failures, events: all}\n")
    report = load_report(spec)
    records = [start(1, 1, 0), run_error(2, 1, 30, returncode=139.0, error="Segfault\nx")]
    client: Any = _FakeClient({"events": records})
    plain = _fetch(report, Needs(), _Fetcher(client, None), 0).events["all"]
    detailed = _fetch(report, Needs(event_details=True), _Fetcher(client, None), 0).events["all"]
    assert plain.details is None
    assert detailed.details is not None
    assert detailed.details.position.tolist() == [1]  # the one event leaving RUNNING
    assert detailed.details.returncode.tolist() == [139.0]
    assert detailed.details.error.tolist() == ["Segfault\nx"]
