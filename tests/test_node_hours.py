"""The `node_hours` kind and `analytics.ledger`: the nine categories, exact, by hand and
against the naive ledger of `slow_ledger` on random experiments; the identity always holds."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.analytics.available_nodes import available_nodes
from reportgen.analytics.exact import exact_weights, six_decimals
from reportgen.analytics.jobstates import chained_events, state_counts
from reportgen.analytics.ledger import (
    CATEGORIES,
    WAITING,
    Ledger,
    interval_classes,
    node_ledger,
    waiting_jobs,
)
from reportgen.analytics.steps import StepSeries, integrate
from reportgen.analytics.utilization import RunningIntervals, running_intervals
from reportgen.build import BuildResult, build_site
from reportgen.codec import dump, load
from reportgen.errors import SpecError
from reportgen.kinds import node_hours
from reportgen.kinds.base import View
from reportgen.source.columns import jobs_from_records
from reportgen.spec import load_report
from tests import slow_ledger as slow
from tests.factories import batch_job, batch_jobs_table, event, job
from tests.test_analytics_properties import LOSSY, minutes_to_micros, random_experiment, table

EVENTS = [
    # job 1 (1 node) fails: running from minute 1 to 3
    event(1, 1, 0, "STAGED_IN", "PREPROCESSED"),
    event(2, 1, 1, "PREPROCESSED", "RUNNING", num_nodes=1),
    event(3, 1, 3, "RUNNING", "RUN_ERROR"),
    event(4, 1, 3, "RUN_ERROR", "FAILED"),
    # job 2 (1/3 node) finishes: running from 0 to 2
    event(5, 2, 0, "STAGED_IN", "PREPROCESSED"),
    event(6, 2, 0, "PREPROCESSED", "RUNNING", num_nodes=1 / 3),
    event(7, 2, 2, "RUNNING", "RUN_DONE"),
    event(8, 2, 2, "RUN_DONE", "JOB_FINISHED"),
    # job 3 (1 node) times out at 2, waits to restart through the allocation gap (4 to 6)
    # and the new allocation's first minute, then runs from 7 until the as-of time
    event(9, 3, 0, "STAGED_IN", "PREPROCESSED"),
    event(10, 3, 1, "PREPROCESSED", "RUNNING", num_nodes=1),
    event(11, 3, 2, "RUNNING", "RUN_TIMEOUT"),
    event(12, 3, 2, "RUN_TIMEOUT", "RESTART_READY"),
    event(13, 3, 7, "RESTART_READY", "RUNNING", num_nodes=1),
    # job 4 runs in the gap, when no batch job holds a node (no num_nodes: weight 1)
    event(14, 4, 4, "PREPROCESSED", "RUNNING"),
    event(15, 4, 5, "RUNNING", "RUN_DONE"),
]
BATCH_JOBS = [batch_job(1, 3, 0, 4), batch_job(2, 2, 6, None, state="running")]
SPEC = """\
title: Ledger
source:
  files: {events: events.json, batch_jobs: batchjobs.json}
as_of: 2024-03-01T08:10:00Z
queries:
  events: {all: {}}
  batch_jobs: {all: {}}
charts:
  - {id: ledger, type: node_hours, events: all, batch_jobs: all, formats: [svg]}
"""
# By hand, in node-minutes over minutes 0 to 10. Held: 3 nodes over [0, 4), 2 over [6, 10):
#   available = 3*4 + 2*4 = 20
# Running, per minute: [0,1) 1/3; [1,2) 1/3+1+1 = 7/3; [2,3) 1; [3,4) 0; [4,5) 1; [5,7) 0;
# [7,10) 1. Waiting (a job PREPROCESSED or RESTART_READY): [0,1) jobs 1 and 3; [1,2) none;
# [2,7) job 3; [7,10) none. Idle = held - running:
#   [0,1) 3-1/3 = 8/3 waiting; [1,2) 3-7/3 = 2/3 not; [2,3) 2 waiting; [3,4) 3 waiting;
#   [4,5) 0-1 = -1 (over capacity 1); [5,6) 0; [6,7) 2 waiting; [7,10) 1*3 = 3 not.
EXPECTED_MINUTES = {
    "available": Fraction(20),
    "useful": Fraction(1, 3) * 2 + 1,  # job 2, job 4
    "failed": Fraction(2),  # job 1
    "timed_out": Fraction(1),  # job 3's first run
    "lost": Fraction(0),
    "running": Fraction(3),  # job 3's second run
    "idle_jobs_waiting": Fraction(8, 3) + 2 + 3 + 2,  # 29/3
    "idle_no_jobs": Fraction(2, 3) + 3,  # 11/3
    "over_capacity": Fraction(1),
}
# Node-hours = node-minutes / 60, rounded: 20/60, 5/180, 2/60, 1/60, 0, 3/60, 29/180, 11/180,
# 1/60.
EXPECTED_CSV = """\
category,node_hours
available,0.333333
useful,0.027778
failed,0.033333
timed_out,0.016667
lost,0.000000
running,0.050000
idle_jobs_waiting,0.161111
idle_no_jobs,0.061111
over_capacity,0.016667
"""


def build(
    folder: Path, spec: str = SPEC, batch_jobs: list[dict[str, Any]] = BATCH_JOBS
) -> BuildResult:
    (folder / "events.json").write_text(json.dumps(EVENTS))
    (folder / "batchjobs.json").write_text(json.dumps(batch_jobs))
    (folder / "ledger.yaml").write_text(spec)
    return build_site([folder / "ledger.yaml"], folder / "site")


def identity_holds(book: Ledger) -> bool:
    s = book.node_seconds
    parts = sum((s[c] for c in CATEGORIES[1:8]), Fraction(0))
    return s["available"] == parts - s["over_capacity"]


def test_the_hand_computed_ledger(tmp_path: Path) -> None:
    built = build(tmp_path)
    assert (tmp_path / "site/ledger/ledger.csv").read_text() == EXPECTED_CSV
    book = built.reports[0].charts[0].result.ledgers[0]
    assert book.node_seconds == {c: v * 60 for c, v in EXPECTED_MINUTES.items()}
    assert identity_holds(book)
    page = (tmp_path / "site/ledger/index.html").read_text()
    assert "0.016667 node-hours ran beyond the nodes the batch jobs held (over_capacity)" in page
    assert "1 RUNNING events had no data.num_nodes; their weight is 1." in page
    assert "<h2>Node-hour ledger</h2>" in page


def test_the_over_time_csv_by_hand(tmp_path: Path) -> None:
    build(tmp_path)
    rows = (tmp_path / "site/ledger/ledger-over-time.csv").read_text().splitlines()
    assert rows[0] == "series,timestamp,value"
    got = [(r.split(",")[0], r.split(",")[1][11:16], r.split(",")[2]) for r in rows[1:]]
    assert got == [
        ("useful", "08:00", "0.333333333"),  # job 2 from 0 to 2, job 4 from 4 to 5
        ("useful", "08:02", "0.0"),
        ("useful", "08:04", "1.0"),
        ("useful", "08:05", "0.0"),
        ("failed", "08:01", "1.0"),
        ("failed", "08:03", "0.0"),
        ("timed_out", "08:01", "1.0"),
        ("timed_out", "08:02", "0.0"),
        ("running", "08:07", "1.0"),
        ("idle_jobs_waiting", "08:00", "2.666666667"),
        ("idle_jobs_waiting", "08:01", "0.0"),
        ("idle_jobs_waiting", "08:02", "2.0"),
        ("idle_jobs_waiting", "08:03", "3.0"),
        ("idle_jobs_waiting", "08:04", "0.0"),
        ("idle_jobs_waiting", "08:06", "2.0"),
        ("idle_jobs_waiting", "08:07", "0.0"),
        ("idle_no_jobs", "08:01", "0.666666667"),
        ("idle_no_jobs", "08:02", "0.0"),
        ("idle_no_jobs", "08:07", "1.0"),
        ("over_capacity", "08:04", "1.0"),
        ("over_capacity", "08:05", "0.0"),
    ]


def test_the_figure_stacks_the_classes_under_the_available_line_above_a_bar(
    tmp_path: Path,
) -> None:
    built = build(tmp_path)
    report = built.reports[0]
    chart = report.charts[0]
    view = View(chart.chart, report.report.time_axis, tuple(r.window for r in report.runs))
    section = node_hours.present(chart.result, view)
    assert section.figure is not None
    spec = section.figure.image
    assert len(spec["vconcat"]) == 2 and spec["title"] == "Node-hour ledger"
    areas = spec["vconcat"][0]["layer"]
    assert areas[0]["mark"]["type"] == "area" and areas[1]["mark"]["type"] == "line"
    scale = areas[0]["encoding"]["color"]["scale"]
    assert scale["domain"] == [
        "useful",
        "failed",
        "timed out",
        "lost",
        "still running",
        "idle, jobs waiting",
        "idle, nothing to run",
        "available (held by batch jobs)",
    ]
    shares = {r["series"]: r["percent"] for r in spec["datasets"]["ledger-shares"]}
    # the seven classes sum to available + over capacity = 21 node-minutes
    assert shares["useful"] == f"{5 / 3 / 21:.1%}" and shares["idle, jobs waiting"] == "46.0%"
    bands = spec["datasets"]["ledger-0-classes"]
    at_1 = {r["series"]: (r["y"], r["y2"]) for r in bands if r["x"] <= 1.0}  # the last held
    # minute 1: useful 1/3, failed 1, timed out 1, then idle 2/3 (not waiting) on top: 3
    assert at_1["useful"] == (0.0, 0.333333)  # drawn to 6 decimals
    assert at_1["idle, nothing to run"][1] == 3.0
    rows = section.tables[0].rows
    assert rows[0] == ("available", "0.333333", "100.0%")
    assert rows[-1] == ("over_capacity", "0.016667", "5.0%")


def test_the_ledger_survives_the_build_cache(tmp_path: Path) -> None:
    book = build(tmp_path).reports[0].charts[0].result.ledgers[0]
    with (tmp_path / "ledger.npz").open("wb") as out:
        dump("k", book, out)
    with (tmp_path / "ledger.npz").open("rb") as stream:
        again = load("k", stream)
    assert isinstance(again, Ledger) and again.node_seconds == book.node_seconds


def test_six_decimals_rounds_the_exact_value() -> None:
    assert six_decimals(Fraction(1, 36)) == "0.027778"
    assert six_decimals(Fraction(5, 10**7)) == "0.000000"  # half to even
    assert six_decimals(Fraction(15, 10**7)) == "0.000002"
    assert six_decimals(Fraction(-1, 3)) == "-0.333333"
    assert six_decimals(Fraction(10**20 + 1, 10)) == "10000000000000000000.100000"


def test_exact_weights_are_the_simple_fractions_over_one_denominator() -> None:
    numerators, denominator = exact_weights(np.array([1 / 6, 3 / 8, 2.0, 1 / 6]))
    assert denominator == 24 and numerators.tolist() == [4, 9, 48, 4]


def test_long_windows_do_not_overflow() -> None:
    """A century of 10^4 nodes, microseconds times a denominator of 2^20: past int64."""
    century = 100 * 365 * 86_400 * 1_000_000
    weight = 10_000 + 1 / 1024
    intervals = RunningIntervals(
        np.array([1, 2]),
        np.array([0, 0]),
        np.array([century, century]),
        np.array([weight, 1 / 3]),
        np.array([-1, -1]),
    )
    held = StepSeries("", np.array([0]), np.array([20_000.0]), True)
    waiting = StepSeries("", np.empty(0, np.int64), np.empty(0), True)
    book = node_ledger(intervals, np.array([4, 4]), held, waiting, 0, century)
    seconds = century // 1_000_000
    assert (
        book.node_seconds["running"]
        == (Fraction(10_000) + Fraction(1, 1024) + Fraction(1, 3)) * seconds
    )
    assert identity_holds(book)


def fast_ledger(
    events: list[Any], allocations: list[tuple[int, int | None, int | None]], start: int, as_of: int
) -> Ledger:
    jobs = {e.job_id for e in events}
    job_records = [
        {"id": j, "num_nodes": 1 + j % 3, "node_packing_count": 2, "batch_job_id": None}
        for j in jobs
    ]
    events_table = table(events)
    end = minutes_to_micros(as_of)
    intervals, _ = running_intervals(
        events_table, end, True, jobs_from_records(job_records, Path("jobs.json"), set())
    )
    classes = interval_classes(intervals, events_table.to_state, events_table.state_names)
    records = [batch_job(i + 1, n, s, e) for i, (n, s, e) in enumerate(allocations)]
    held, _ = available_nodes(batch_jobs_table(records), end)
    counts = state_counts(chained_events(events_table, end)).values()
    waiting = waiting_jobs([s for s in counts if s.name in WAITING])
    return node_ledger(intervals, classes, held, waiting, minutes_to_micros(start), end)


allocation = st.tuples(
    st.integers(1, 64), st.none() | st.integers(0, 200), st.none() | st.integers(0, 200)
)


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    jobs=st.integers(0, 25),
    allocations=st.lists(allocation, max_size=8),
    cut=st.integers(0, 40),
    start=st.integers(0, 60),
    as_of=st.integers(0, 200),
)
def test_the_ledger_matches_the_naive_one_exactly(
    seed: int,
    jobs: int,
    allocations: list[tuple[int, int | None, int | None]],
    cut: int,
    start: int,
    as_of: int,
) -> None:
    """Same-instant events, restarts, jobs running at the as-of time, missing num_nodes
    (job records' fallback), a timestamp_after-like cut of the events and a window start
    that cuts intervals and allocations."""
    visible = [e for e in random_experiment(seed, jobs, LOSSY) if e.time >= cut]
    as_of = max(as_of, start)
    book = fast_ledger(visible, allocations, start, as_of)
    fallback = {e.job_id: (1 + e.job_id % 3) / 2 for e in visible}
    expected = slow.ledger(visible, allocations, start, as_of, fallback)
    assert book.node_seconds == {c: v * 60 for c, v in expected.items()}
    assert list(book.node_seconds) == list(CATEGORIES)
    assert identity_holds(book)
    # each over-time series integrates to its category (floats, so nearly)
    for series in book.over_time:
        area = integrate(series, book.start, book.as_of)
        assert abs(area - book.node_hours(series.name)) < 1e-6


def test_several_runs_each_have_their_ledger_and_states(tmp_path: Path) -> None:
    """Jobs 1 and 2 and the first batch job are run x; jobs 3 and 4 and the second, run y."""
    (tmp_path / "jobs.json").write_text(
        json.dumps([job(j, g="x" if j < 3 else "y") for j in (1, 2, 3, 4)])
    )
    spec = (
        SPEC.replace("batch_jobs: batchjobs.json}", "batch_jobs: batchjobs.json, jobs: jobs.json}")
        .replace("queries:", "runs: {by_tag: g}\nqueries:")
        .replace("formats: [svg]}", "formats: [svg]}\n  - {id: states, type: states, events: all}")
    )
    tagged = [batch_job(1, 3, 0, 4, g="x"), batch_job(2, 2, 6, None, state="running", g="y")]
    built = build(tmp_path, spec, tagged)
    result = built.reports[0].charts[0].result
    assert result.runs == ("x", "y")
    assert all(identity_holds(book) for book in result.ledgers)
    lines = (tmp_path / "site/ledger/ledger.csv").read_text().splitlines()
    assert lines[0] == "run,category,node_hours" and len(lines) == 1 + 2 * 9
    # x, in node-minutes: held 3*4 = 12; job 2 useful 1/3*2, job 1 failed 2; idle 3-1/3 over
    # [0,1) while job 1 waits (8/3), then 3-4/3, 3-1, 3 over [1,4) with no job waiting (20/3)
    # y: held 2*4 = 8; job 4 useful 1 and job 3 timed out 1, both over capacity (no batch
    # job then); job 3 running 3; idle 2 over [6,7) while it waits, then 1*3 with none
    assert lines[1:] == [
        "x,available,0.200000",
        "x,useful,0.011111",
        "x,failed,0.033333",
        "x,timed_out,0.000000",
        "x,lost,0.000000",
        "x,running,0.000000",
        "x,idle_jobs_waiting,0.044444",
        "x,idle_no_jobs,0.111111",
        "x,over_capacity,0.000000",
        "y,available,0.133333",
        "y,useful,0.016667",
        "y,failed,0.000000",
        "y,timed_out,0.016667",
        "y,lost,0.000000",
        "y,running,0.050000",
        "y,idle_jobs_waiting,0.033333",
        "y,idle_no_jobs,0.050000",
        "y,over_capacity,0.033333",
    ]
    over_time = (tmp_path / "site/ledger/ledger-over-time.csv").read_text().splitlines()
    assert over_time[0] == "run,series,timestamp,value"
    assert over_time[1].startswith("x,useful,") and over_time[-1].startswith("y,over_capacity,")
    states_csv = (tmp_path / "site/ledger/states.csv").read_text().splitlines()
    assert states_csv[0] == "run,series,timestamp,value"
    assert states_csv[1].startswith("x,PREPROCESSED,")
    page = (tmp_path / "site/ledger/index.html").read_text()
    assert "y: 0.033333 node-hours ran beyond the nodes the batch jobs held" in page


def test_the_options_name_defined_queries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ledger.yaml").write_text(
        SPEC.replace("events: all, batch_jobs: all", "events: al")
    )
    with pytest.raises(SpecError) as caught:
        load_report(Path("ledger.yaml"))
    assert caught.value.problems == [
        "ledger.yaml:9: charts[0].events: expected one of the event queries (all); got 'al'",
        "ledger.yaml:9: charts[0].batch_jobs: missing (a node_hours chart needs it)",
    ]
