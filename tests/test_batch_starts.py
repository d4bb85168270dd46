"""Estimated starts of running batch jobs without start_time (files source): the edge cases
by hand, what the page and the CSVs say, the ledger with no over-capacity from them, and the
fast path against the naive definition in `slow_starts`."""

from __future__ import annotations

import json
import random
import re
from datetime import timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reportgen.analytics.batch_starts import Entries, estimate_starts
from reportgen.build import build_site
from reportgen.kinds.run import Memo, Run, Window
from reportgen.kinds.shared import held_nodes, start_estimates
from reportgen.source import ReportData, load_report_data
from reportgen.spec import load_report
from tests import slow_ledger, slow_starts
from tests.factories import (
    at,
    batch_job,
    batch_jobs_table,
    event,
    events_table,
    job,
    jobs_table,
    micros,
    points,
)
from tests.slow_reference import Ev

NODES = {"num_nodes": 1.0}


def running(id: int, nodes: int, submit: float | None = None, **fields: Any) -> dict[str, Any]:
    """A batch job as the server holds it while it runs: state running, no start or end."""
    record = batch_job(id, nodes, None, None, "running", scheduler_id=4000 + id)
    if submit is not None:
        record["status_info"] = {"submit_time": at(submit).replace("T", " ")}
    record.update(fields)
    return record


def life(
    first_id: int, job_id: int, starts: float, ends: float | None, how: str = "RUN_DONE"
) -> list[dict[str, Any]]:
    """A job's PREPROCESSED at 0, RUNNING at `starts`, then leaving RUNNING at `ends`."""
    found = [
        event(first_id, job_id, 0, "STAGED_IN", "PREPROCESSED"),
        event(first_id + 1, job_id, starts, "PREPROCESSED", "RUNNING", **NODES),
    ]
    if ends is not None:
        found.append(event(first_id + 2, job_id, ends, "RUNNING", how))
    return found


def make_run(
    batches: list[dict[str, Any]],
    events: list[dict[str, Any]],
    jobs: list[dict[str, Any]] | None,
    as_of: float,
) -> Run:
    data = ReportData(
        events={"all": events_table(events)},
        batch_jobs={"b": batch_jobs_table(batches)},
        jobs=None if jobs is None else jobs_table(jobs),
    )
    return Run("", data, Window("", micros(0), micros(as_of)), Memo())


# --- the edge cases, by hand ---
def test_several_jobs_the_earliest_entry_into_running_is_the_start() -> None:
    events = life(1, 1, 20, 50) + life(4, 2, 12, None) + life(7, 3, 30, None)
    jobs = [job(1, batch_job_id=5), job(2, batch_job_id=5), job(3, batch_job_id=5)]
    run = make_run([running(5, 2)], events, jobs, 60)
    found = start_estimates(run, "b")
    assert (found.rows.tolist(), found.start.tolist()) == ([0], [micros(12)])
    assert (found.job_id.tolist(), found.event_id.tolist(), found.unknown.tolist()) == (
        [2],
        [5],
        [],
    )
    series, uncounted = held_nodes(run, "b")
    assert points(series) == [(12, 2)] and uncounted == []


def test_ties_go_to_the_lowest_event_id() -> None:
    events = life(10, 1, 12, None) + life(4, 2, 12, None)
    jobs = [job(1, batch_job_id=5), job(2, batch_job_id=5)]
    found = start_estimates(make_run([running(5, 2)], events, jobs, 60), "b")
    assert (found.job_id.tolist(), found.event_id.tolist()) == ([2], [5])


def test_no_job_events_the_start_is_unknown_and_it_is_listed() -> None:
    # a job of another batch job runs; none of batch job 5's jobs has entered RUNNING
    events = [*life(1, 1, 20, None), event(9, 2, 3, "STAGED_IN", "PREPROCESSED")]
    jobs = [job(1, batch_job_id=6), job(2, batch_job_id=5)]
    run = make_run([running(5, 2)], events, jobs, 60)
    series, uncounted = held_nodes(run, "b")
    assert points(series) == []
    assert [(u.id, u.state, u.reason) for u in uncounted] == [
        (
            5,
            "running",
            "running, start unknown (no start_time, and none of its jobs entered RUNNING)",
        )
    ]


def test_the_allocations_note_names_a_running_batch_job_with_no_start_known() -> None:
    from reportgen.kinds.allocations import Options, compute

    run = make_run([running(5, 2)], [], [job(1, batch_job_id=5)], 60)
    assert compute([run], Options("b")).warnings == (
        "1 batch job(s) are not drawn: never started, starting after the as-of time or ending "
        "before they start, or running with no start known (listed in the table “Batch jobs "
        "not counted in available nodes”).",
    )


def test_without_job_records_the_start_is_unknown_and_says_why() -> None:
    run = make_run([running(5, 2)], life(1, 1, 20, None), None, 60)
    _, uncounted = held_nodes(run, "b")
    assert [u.reason for u in uncounted] == [
        "running, start unknown (no start_time, and no job records to find its jobs)"
    ]


def test_a_start_time_from_the_server_wins() -> None:
    # still running, but the server has its start (08:05): the job's entry at 08:12 is not used
    batch = running(5, 2, start_time=at(5))
    run = make_run([batch], life(1, 1, 12, None), [job(1, batch_job_id=5)], 60)
    assert not start_estimates(run, "b")
    series, _ = held_nodes(run, "b")
    assert points(series) == [(5, 2)]


def test_entries_after_the_as_of_time_or_before_the_submission_are_not_used() -> None:
    # job 1 ran at 08:02 in an earlier allocation (before batch job 5 was submitted at 08:10),
    # then again at 08:15; job 2 enters RUNNING at 08:40, after the as-of time (08:30)
    events = [
        *life(1, 1, 2, 8, "RUN_TIMEOUT"),
        event(4, 1, 9, "RUN_TIMEOUT", "RESTART_READY"),
        event(5, 1, 15, "RESTART_READY", "RUNNING", **NODES),
        *life(6, 2, 40, None),
    ]
    jobs = [job(1, batch_job_id=5), job(2, batch_job_id=5)]
    found = start_estimates(make_run([running(5, 4, submit=10)], events, jobs, 30), "b")
    assert (found.start.tolist(), found.event_id.tolist()) == ([micros(15)], [5])
    # without a submit time, the earlier attempt is the earliest entry
    found = start_estimates(make_run([running(5, 4)], events, jobs, 30), "b")
    assert (found.start.tolist(), found.event_id.tolist()) == ([micros(2)], [2])
    # an unreadable submit time bounds nothing
    odd = running(5, 4, status_info={"submit_time": "yesterday"})
    found = start_estimates(make_run([odd], events, jobs, 30), "b")
    assert found.start.tolist() == [micros(2)]
    # only entries after the as-of time: unknown
    found = start_estimates(make_run([running(5, 4)], life(1, 2, 40, None), jobs, 30), "b")
    assert (found.rows.tolist(), found.unknown.tolist()) == ([], [0])


def test_only_running_batch_jobs_are_estimated() -> None:
    # finished or queued without start_time: never started, as before
    batches = [batch_job(5, 2, None, None, "finished"), batch_job(6, 2, None, None, "queued")]
    jobs = [job(1, batch_job_id=5), job(2, batch_job_id=6)]
    run = make_run(batches, life(1, 1, 10, None) + life(4, 2, 11, None), jobs, 60)
    assert not start_estimates(run, "b")
    _, uncounted = held_nodes(run, "b")
    assert [u.reason for u in uncounted] == ["never started (no start_time)"] * 2


# --- a whole report: the page, the CSVs, the ledger ---
SPEC = """\
title: Running now
source:
  files: {events: events.json, jobs: jobs.json, batch_jobs: batchjobs.json}
as_of: 2024-03-01T09:00:00Z
time_axis: elapsed_minutes
queries:
  events: {all: {}}
  batch_jobs: {b: {}}
charts:
  - {id: nodes, type: available_nodes, batch_jobs: b, formats: [svg]}
  - {id: ledger, type: node_hours, events: all, batch_jobs: b, formats: [svg]}
  - {id: alloc, type: allocations, batch_jobs: b, events: all, formats: [png]}
"""
# batch job 1 ended (08:00-08:20, 1 node); batch job 2 runs now (2 nodes, submitted 08:05,
# no start_time): its jobs 2, 3, 4 enter RUNNING at 08:10, 08:12 and 08:41
EVENTS = life(1, 1, 2, 18) + life(10, 2, 10, 40) + life(20, 3, 12, None) + life(30, 4, 41, None)
JOBS = [
    job(1, batch_job_id=1),
    job(2, batch_job_id=2),
    job(3, batch_job_id=2),
    job(4, batch_job_id=2),
]
BATCHES = [
    {**batch_job(1, 1, 0, 20, scheduler_id=4001), "wall_time_min": 30},
    {**running(2, 2, submit=5), "wall_time_min": 60},
]


def project(folder: Path, batches: list[dict[str, Any]], spec: str = SPEC) -> Path:
    (folder / "events.json").write_text(json.dumps(EVENTS))
    (folder / "jobs.json").write_text(json.dumps(JOBS))
    (folder / "batchjobs.json").write_text(json.dumps(batches))
    (folder / "spec.yaml").write_text(spec)
    return folder / "spec.yaml"


def test_a_running_allocation_is_drawn_from_its_estimated_start(tmp_path: Path) -> None:
    build_site([project(tmp_path, BATCHES)], tmp_path / "site")
    site = tmp_path / "site/spec"
    # by hand: batch job 1 holds 1 node 08:00-08:20, batch job 2 2 nodes from 08:10
    assert (site / "nodes.csv").read_text() == (
        "series,timestamp,value\n"
        "available_nodes,2024-03-01T08:00:00.000000Z,1\n"
        "available_nodes,2024-03-01T08:10:00.000000Z,3\n"
        "available_nodes,2024-03-01T08:20:00.000000Z,2\n"
    )
    estimated = (
        "batch_job_id,scheduler_id,num_nodes,estimated_start,from_job_id,from_event_id\n"
        "2,4002,2,2024-03-01T08:10:00.000000Z,2,11\n"
    )
    assert (site / "nodes-estimated_starts.csv").read_text() == estimated
    assert (site / "ledger-estimated_starts.csv").read_text() == estimated
    assert (site / "alloc.csv").read_text() == (
        "batch_job_id,scheduler_id,queue,state,num_nodes,start,end,requested_end,"
        "wall_minutes_used,wall_minutes_requested,node_hours,start_source,start_from_job_id\n"
        "1,4001,prod,finished,1,2024-03-01T08:00:00.000000Z,2024-03-01T08:20:00.000000Z,"
        "2024-03-01T08:30:00.000000Z,20.000000,30.000000,0.333333,start_time,\n"
        # 50 min to the as-of time; 2 nodes x 50/60 h
        "2,4002,prod,running,2,2024-03-01T08:10:00.000000Z,2024-03-01T09:00:00.000000Z,"
        "2024-03-01T09:10:00.000000Z,50.000000,60.000000,1.666667,estimated,2\n"
    )
    totals = dict(line.split(",") for line in (site / "ledger.csv").read_text().splitlines()[1:])
    # by hand, node-minutes: available 1 x 20 + 2 x 50 = 120; useful job 1 16 + job 2 30;
    # running job 3 48 + job 4 19; no job runs beyond what the batch jobs hold
    assert totals["available"] == "2.000000"
    assert (totals["useful"], totals["running"]) == ("0.766667", "1.116667")
    assert totals["over_capacity"] == "0.000000"
    page = (site / "index.html").read_text()
    assert "Batch jobs with an estimated start" in page
    assert "job 2 entering RUNNING (event 11)" in page
    assert "2024-03-01 08:10:00 UTC" in page
    assert "1 batch job(s) are running and have no start_time yet" in page
    assert "Hatched bar: its start is estimated" in page
    (text,) = re.findall(r'<script type="application/json" id="spec-alloc">(.*?)</script>', page)
    spec = json.loads(text)
    (hatch,) = [v for k, v in spec["datasets"].items() if k.endswith("-hatch")]
    # every hatch line lies inside the estimated bar: 10 to 60 minutes, its lane (lane 1)
    assert len(hatch) > 20
    assert all(10 <= p[x] <= 60 for p in hatch for x in ("x", "x2"))
    assert all(1.1 - 1e-6 <= p[y] <= 1.9 + 1e-6 for p in hatch for y in ("y", "y2"))


def test_the_ledger_matches_the_naive_one_with_the_naive_start(tmp_path: Path) -> None:
    build_site([project(tmp_path, BATCHES)], tmp_path / "site")
    totals = dict(
        line.split(",") for line in (tmp_path / "site/spec/ledger.csv").read_text().splitlines()[1:]
    )
    as_of = slow_starts.moment("2024-03-01T09:00:00")
    origin = slow_starts.moment(at(0))
    minutes: list[tuple[int, int | None, int | None]] = []
    for b in BATCHES:
        start, _, _ = slow_starts.start_of(b, EVENTS, JOBS, as_of)
        end = None if b["end_time"] is None else slow_starts.moment(b["end_time"])
        minutes.append(
            (
                b["num_nodes"],
                None if start is None else (start - origin) // timedelta(minutes=1),
                None if end is None else (end - origin) // timedelta(minutes=1),
            )
        )
    evs = [
        Ev(
            e["id"],
            e["job_id"],
            int((slow_starts.moment(e["timestamp"]) - origin) / timedelta(minutes=1)),
            e["from_state"],
            e["to_state"],
            e["data"].get("num_nodes"),
            i,
        )
        for i, e in enumerate(EVENTS)  # each job's events in their true order
    ]
    expected = slow_ledger.ledger(evs, minutes, 0, 60, {})
    for category, node_minutes in expected.items():
        assert Fraction(totals[category]) == round(node_minutes / 60, 6), category


def test_without_an_estimate_the_csvs_have_no_extra_column_or_file(tmp_path: Path) -> None:
    ended = [
        BATCHES[0],
        {**BATCHES[1], "state": "finished", "start_time": at(8), "end_time": at(50)},
    ]
    build_site([project(tmp_path, ended)], tmp_path / "site")
    site = tmp_path / "site/spec"
    assert not list(site.glob("*estimated_starts*"))
    lines = (site / "alloc.csv").read_text().splitlines()
    assert lines[0].endswith(",node_hours")
    assert lines[2].startswith("2,4002,prod,finished,2,2024-03-01T08:08:00.000000Z,")
    assert "estimated start" not in (site / "index.html").read_text()


def test_the_jobs_file_is_read_to_estimate_even_when_no_chart_needs_it(tmp_path: Path) -> None:
    spec = (
        SPEC.split("charts:")[0]
        + "charts:\n  - {id: nodes, type: available_nodes, batch_jobs: b}\n"
    )
    report = load_report(project(tmp_path, BATCHES, spec))
    assert load_report_data(report, report_needs(report)).jobs is not None
    ended = [BATCHES[0], {**BATCHES[1], "start_time": at(8)}]
    report = load_report(project(tmp_path, ended, spec))
    assert load_report_data(report, report_needs(report)).jobs is None  # as before


def report_needs(report: Any) -> Any:
    from reportgen.needs import report_needs as needs

    return needs(report)


# --- against the naive definition, on random experiments ---
@pytest.mark.parametrize("seed", range(40))
def test_estimates_match_the_naive_definition(seed: int) -> None:
    rng = random.Random(seed)
    batches = []
    for i in range(1, rng.randrange(2, 8)):
        state = rng.choice(["running", "running", "finished", "queued"])
        start = None if rng.random() < 0.7 else rng.randrange(0, 60)
        submit = None if rng.random() < 0.4 else rng.randrange(0, 20)
        batches.append(
            running(
                i,
                rng.choice([1, 4]),
                submit,
                state=state,
                start_time=None if start is None else at(start),
            )
        )
    jobs = [
        job(j, batch_job_id=rng.choice([None, 99, *range(1, 7), *range(1, 4)]))
        for j in range(1, 15)
    ]
    events = []
    for n in range(1, rng.randrange(5, 60)):
        to = rng.choice(["RUNNING", "RUNNING", "RUN_DONE", "PREPROCESSED"])
        events.append(event(n, rng.randrange(1, 16), rng.randrange(0, 90) / 2, "X", to))
    as_of = rng.randrange(10, 80)
    with_jobs = rng.random() < 0.9
    run = make_run(batches, events, jobs if with_jobs else None, as_of)
    found = start_estimates(run, "b")
    triples = zip(found.start.tolist(), found.job_id.tolist(), found.event_id.tolist(), strict=True)
    by_row = dict(zip(found.rows.tolist(), triples, strict=True))
    for row, b in enumerate(batches):
        began, job_id, event_id = slow_starts.start_of(
            b, events, jobs if with_jobs else None, slow_starts.moment(at(as_of))
        )
        if job_id is None:
            assert row not in by_row
            unknown = b["state"] == "running" and b["start_time"] is None
            assert (row in found.unknown.tolist()) == unknown
        else:
            assert began is not None
            when = micros(0) + (began - slow_starts.moment(at(0))) // timedelta(microseconds=1)
            assert by_row[row] == (when, job_id, event_id)


def test_the_entries_may_come_in_any_order_and_repeat() -> None:
    batches = batch_jobs_table([running(1, 2)])
    jobs = (
        jobs_table([job(7, batch_job_id=1)]).id,
        jobs_table([job(7, batch_job_id=1)]).batch_job_id,
    )
    entries = Entries(
        np.array([5, 3, 5]), np.array([7, 7, 7]), np.array([micros(9), micros(9), micros(9)])
    )
    found = estimate_starts(batches, entries, jobs, micros(10))
    assert (found.start.tolist(), found.event_id.tolist()) == ([micros(9)], [3])


def test_estimates_and_results_using_them_survive_the_build_cache() -> None:
    import io

    from reportgen import codec
    from reportgen.kinds.allocations import Options, compute

    events = life(1, 1, 20, None) + life(4, 2, 12, None)
    run = make_run([running(5, 2)], events, [job(1, batch_job_id=5), job(2, batch_job_id=5)], 60)
    for value in (start_estimates(run, "b"), compute([run], Options("b", "all"))):
        out = io.BytesIO()
        codec.dump("k", value, out)
        out.seek(0)
        back = codec.load("k", out)
        assert repr(back) == repr(value)
