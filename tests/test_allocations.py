"""The `allocations` kind: hand-computed timelines, lane packing, each lane's use, the CSV, the
batch-job fields it reads, spec errors, hostile text on the page, and a naive reference."""

from __future__ import annotations

import io
import json
import random
import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.analytics.allocations import lanes
from reportgen.build import build_site
from reportgen.errors import SourceError, SpecError
from reportgen.kinds import KINDS
from reportgen.kinds.allocations import Allocations, Options, compute
from reportgen.kinds.allocations_csv import allocations_csv
from reportgen.kinds.base import View
from reportgen.kinds.present import tables_once
from reportgen.kinds.run import Memo, Run, Window
from reportgen.source import ReportData
from reportgen.source.tables import NO_TIME, NO_WALL_TIME
from reportgen.spec import load_report
from tests import slow_allocations as slow
from tests.factories import (
    MINUTE,
    at,
    batch_job,
    batch_jobs_table,
    event,
    events_table,
    job,
    jobs_table,
    micros,
)
from tests.test_analytics_properties import random_experiment, table

START = micros(0)


def allocation(id: int, nodes: int, start: float | None, end: float | None, **fields: Any) -> Any:
    record = batch_job(id, nodes, start, end, fields.pop("state", "finished"))
    record.update(fields)
    return record


def make_run(
    batch_records: list[dict[str, Any]],
    as_of: float,
    event_records: list[dict[str, Any]] | None = None,
    job_records: list[dict[str, Any]] | None = None,
    name: str = "",
) -> Run:
    events = {"all": events_table(event_records)} if event_records is not None else {}
    data = ReportData(
        events=events,
        batch_jobs={"b": batch_jobs_table(batch_records)},
        jobs=None if job_records is None else jobs_table(job_records),
    )
    return Run(name, data, Window(name, START, micros(as_of)), Memo())


# --- a hand-computed experiment, as-of 120 minutes after 08:00 ---
BATCHES = [
    # ended early: 60 of the 90 minutes requested
    allocation(1, 4, 0, 60, wall_time_min=90, scheduler_id=101),
    # still running at the as-of time: drawn to 120 (90 minutes), 120 requested
    allocation(2, 2, 30, None, state="running", wall_time_min=120, scheduler_id=102),
    # never started: not drawn, listed
    allocation(3, 8, None, None, state="queued", wall_time_min=60, scheduler_id=103),
    # ends after the as-of time: open there; no wall_time_min (an older file)
    allocation(4, 1, 10, 200, scheduler_id=None),
    # overran its request of 5 minutes: 10.5 -> 20.25 is 9.75 minutes
    allocation(5, 2, 10.5, 20.25, wall_time_min=5, scheduler_id=105),
]
EVENTS = [
    event(1, 1, 5, "PREPROCESSED", "RUNNING", num_nodes=2),
    event(2, 1, 25, "RUNNING", "RUN_DONE"),
    event(3, 2, 10, "PREPROCESSED", "RUNNING"),  # no data.num_nodes: 2 / 2 from its job
    event(4, 2, 50, "RUNNING", "RUN_DONE"),
    event(5, 3, 40, "PREPROCESSED", "RUNNING", num_nodes=1),  # open at the as-of time
    event(6, 4, 0, "PREPROCESSED", "RUNNING", num_nodes=1),  # its job has no batch job
    event(7, 4, 5, "RUNNING", "RUN_DONE"),
    event(8, 5, 35, "PREPROCESSED", "RUNNING", num_nodes=1),
    # a restart within one instant: the chain order closes and reopens at 45
    event(11, 5, 45, "RESTART_READY", "RUNNING", num_nodes=1),
    event(10, 5, 45, "RUN_TIMEOUT", "RESTART_READY"),
    event(9, 5, 45, "RUNNING", "RUN_TIMEOUT"),
    # starts before its batch job (10.5) and uses 4 of its 2 nodes
    event(12, 6, 8, "PREPROCESSED", "RUNNING", num_nodes=4),
    event(13, 6, 12, "RUNNING", "RUN_DONE"),
    event(14, 7, 130, "PREPROCESSED", "RUNNING", num_nodes=1),  # after the as-of time
    # its batch job (3) never started: no lane
    event(15, 8, 100, "PREPROCESSED", "RUNNING", num_nodes=1),
    event(16, 8, 110, "RUNNING", "RUN_DONE"),
]
JOBS = [
    job(1, batch_job_id=1),
    job(2, num_nodes=2, packing=2, batch_job_id=1),
    job(3, batch_job_id=2),
    job(4),
    job(5, batch_job_id=2),
    job(6, batch_job_id=5),
    job(7, batch_job_id=2),
    job(8, batch_job_id=3),
]


def hand_result() -> Allocations:
    run = make_run(BATCHES, 120, EVENTS, JOBS)
    return compute([run], Options("b", "all"))


def test_spans_lanes_and_requests_by_hand() -> None:
    (r,) = hand_result().runs
    # by start: 1 (0), 4 (10), 5 (10.5), 2 (30); 3 never started
    assert r.batch_job_id.tolist() == [1, 4, 5, 2]
    assert r.lane.tolist() == [0, 1, 2, 3] and r.lanes == 4 and not r.packed
    assert [(t - START) / MINUTE for t in r.start.tolist()] == [0, 10, 10.5, 30]
    # 4 ends at 200 and 2 has no end: both drawn to the as-of time, 120
    assert [(t - START) / MINUTE for t in r.end.tolist()] == [60, 120, 20.25, 120]
    assert r.is_open.tolist() == [False, True, False, True]
    requested = [None if t == NO_TIME else (t - START) / MINUTE for t in r.requested_end]
    assert requested == [90, None, 15.5, 150]  # start + wall_time_min
    assert r.wall_time_min.tolist() == [90, NO_WALL_TIME, 5, 120]


def test_the_csv_by_hand() -> None:
    assert allocations_csv(hand_result().runs) == (
        "batch_job_id,scheduler_id,queue,state,num_nodes,start,end,requested_end,"
        "wall_minutes_used,wall_minutes_requested,node_hours\n"
        # 60 min used of 90; 4 nodes x 1 h = 4 node-hours
        "1,101,prod,finished,4,2024-03-01T08:00:00.000000Z,2024-03-01T09:00:00.000000Z,"
        "2024-03-01T09:30:00.000000Z,60.000000,90.000000,4.000000\n"
        # open: 110 min up to the as-of time; 1 node x 110/60 h = 1.8333333...
        "4,,prod,finished,1,2024-03-01T08:10:00.000000Z,2024-03-01T10:00:00.000000Z,"
        ",110.000000,,1.833333\n"
        # 9.75 min; 2 x 9.75 / 60 = 0.325
        "5,105,prod,finished,2,2024-03-01T08:10:30.000000Z,2024-03-01T08:20:15.000000Z,"
        "2024-03-01T08:15:30.000000Z,9.750000,5.000000,0.325000\n"
        # open: 90 min; 2 x 1.5 h = 3
        "2,102,prod,running,2,2024-03-01T08:30:00.000000Z,2024-03-01T10:00:00.000000Z,"
        "2024-03-01T10:30:00.000000Z,90.000000,120.000000,3.000000\n"
    )


def lane_changes(result: Allocations) -> dict[int, list[tuple[float, float]]]:
    (r,) = result.runs
    assert r.use is not None
    found: dict[int, list[tuple[float, float]]] = {}
    for a, t, v in zip(r.use.allocation, r.use.times, r.use.values, strict=True):
        found.setdefault(int(r.batch_job_id[a]), []).append(((int(t) - START) / MINUTE, float(v)))
    return found


def test_each_lanes_use_by_hand() -> None:
    assert lane_changes(hand_result()) == {
        # job 1 (2 nodes) 5-25, job 2 (1 node: 2 / 2) 10-50
        1: [(5, 2), (10, 3), (25, 1), (50, 0)],
        # job 5 (1) 35-45 then again from 45 (no change there), job 3 (1) from 40, both open;
        # job 7 runs after the as-of time
        2: [(35, 1), (40, 2)],
        # job 6 (4 nodes) 8-12, before the batch job started
        5: [(8, 4), (12, 0)],
    }


def test_what_the_lanes_cannot_show_is_said() -> None:
    result = hand_result()
    assert result.warnings == (
        "1 RUNNING events had no data.num_nodes; their weight is the job's num_nodes / "
        "node_packing_count.",
        "1 jobs (1 RUNNING intervals) have no batch job, so they are in no lane: no "
        "batch_job_id in their job record, or no job record.",
        "1 jobs (1 RUNNING intervals) belong to batch jobs not drawn here (not in this query, "
        "or not started by the as-of time), so they are in no lane.",
        "1 RUNNING intervals reach outside their batch job's span (Balsam keeps only a job's "
        "latest batch job, so an earlier attempt lands on it); only the part inside the bar "
        "is drawn.",
        "1 allocation(s) have jobs using more nodes than they hold at some instant (a "
        "restarted job's earlier attempts count in its latest batch job); drawn capped at the "
        "bar's height.",
        "1 batch job(s) are not drawn: never started, starting after the as-of time or ending "
        "before they start (listed in the table “Batch jobs not counted in available nodes”).",
    )
    (table,) = result.tables
    assert table.rows == (("3", "103", "queued", "8", "prod", "never started (no start_time)", ""),)
    assert table.owner


def test_without_events_there_is_no_use_and_no_job_records_are_needed() -> None:
    kind = KINDS["allocations"]
    assert not kind.needs(Options("b")).job_records
    assert kind.needs(Options("b", "all")).job_records
    (r,) = compute([make_run(BATCHES, 120)], Options("b")).runs
    assert r.use is None


def test_without_a_jobs_file_every_interval_is_in_no_lane() -> None:
    result = compute([make_run(BATCHES, 120, EVENTS)], Options("b", "all"))
    assert result.warnings[1] == (
        "7 jobs (8 RUNNING intervals) have no batch job, so they are in no lane: there are no "
        "job records (give the jobs file)."
    )
    assert lane_changes(result) == {}


def test_lanes_pack_to_the_lowest_free_lane_by_hand() -> None:
    # (0,10) -> 0; (2,5) -> 1; (5,8): lane 1 free at 5 -> 1; (9,12) -> 1; (10,11): lane 0
    # free at 10 -> 0
    start, end = np.array([0, 2, 5, 9, 10]), np.array([10, 5, 8, 12, 11])
    assert lanes(start, end, pack=True).tolist() == [0, 1, 1, 1, 0]
    assert lanes(start, end, pack=False).tolist() == [0, 1, 2, 3, 4]


def test_above_300_batch_jobs_lanes_are_packed_and_bounded() -> None:
    # 302 batch jobs of 4 minutes every 2 minutes: two are open at any time, so 2 lanes
    records = [allocation(i + 1, 1, 2 * i, 2 * i + 4) for i in range(302)]
    (r,) = compute([make_run(records, 604)], Options("b")).runs
    assert r.packed and r.lanes == 2
    assert r.lane.tolist() == [0, 1] * 151
    for lane in range(r.lanes):
        on = np.flatnonzero(r.lane == lane)
        assert (r.start[on][1:] >= r.end[on][:-1]).all()  # never overlapping on a lane
    section = KINDS["allocations"].present(compute([make_run(records, 604)], Options("b")), view())
    assert section.note == (
        "302 allocations on 2 shared lanes (above 300 a lane is reused once the allocation on "
        "it has ended, its requested time included)."
    )
    assert section.figure is not None
    subtitle = section.figure.image["title"]["subtitle"]
    assert subtitle[1] == (
        "302 allocations packed onto 2 shared lanes (a lane is reused once its allocation "
        "has ended)"
    )


def test_300_batch_jobs_keep_a_lane_each() -> None:
    records = [allocation(i + 1, 1, 2 * i, 2 * i + 4) for i in range(300)]
    (r,) = compute([make_run(records, 600)], Options("b")).runs
    assert not r.packed and r.lanes == 300


def view(height: int = 300) -> View:
    from reportgen.spec.model import Chart, TimeAxis

    chart = Chart("alloc", "allocations", "Allocations", 800, height, ("png",), Options("b"))
    return View(chart, TimeAxis("elapsed_minutes"), (Window("", START, micros(604)),))


# --- the batch-job fields read from records ---
def test_batch_job_fields_absent_or_null_in_older_files_are_unknown_or_empty() -> None:
    bare = batch_job(1, 2, 0, 10)
    for key in ("wall_time_min", "job_mode", "project", "status_info"):
        bare.pop(key, None)
    nulls = {**batch_job(2, 2, 0, 10), "wall_time_min": None, "status_info": None}
    full = {**batch_job(3, 2, 0, 10), "wall_time_min": 30, "status_info": {"error": "x", "n": 1}}
    table = batch_jobs_table([bare, nulls, full])
    assert table.wall_time_min.tolist() == [NO_WALL_TIME, NO_WALL_TIME, 30]
    assert table.job_mode.tolist() == ["", "mpi", "mpi"]
    assert table.project.tolist() == ["", "p", "p"]
    assert table.status_info.tolist() == [{}, {}, {"error": "x", "n": "1"}]
    assert table.take(np.array([False, False, True])).wall_time_min.tolist() == [30]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("60", "field 'wall_time_min' is '60'"),
        (-1, "field 'wall_time_min' is -1"),
        (True, "field 'wall_time_min' is True"),
        (2**31, "field 'wall_time_min' is 2147483648"),
    ],
)
def test_a_bad_wall_time_is_an_error_naming_the_record(value: object, message: str) -> None:
    records = [batch_job(1, 2, 0, 10), {**batch_job(2, 2, 0, 10), "wall_time_min": value}]
    with pytest.raises(SourceError) as caught:
        batch_jobs_table(records)
    assert str(caught.value) == f"test-batchjobs.json: batch job record 2: {message}"


def test_a_bad_status_info_is_an_error_naming_the_record() -> None:
    with pytest.raises(SourceError) as caught:
        batch_jobs_table([{**batch_job(1, 2, 0, 10), "status_info": "failed"}])
    assert str(caught.value) == (
        "test-batchjobs.json: batch job record 1: field 'status_info' is 'failed'"
    )


# --- the spec ---
SPEC = """\
title: Allocations
source:
  files: {events: events.json, jobs: jobs.json, batch_jobs: batchjobs.json}
as_of: 2024-03-01T10:00:00Z
queries:
  events: {all: {}}
  batch_jobs: {b: {}}
charts:
  - {id: used, type: utilization, events: all, available_nodes: b, formats: [svg]}
  - {id: alloc, type: allocations, batch_jobs: b, events: all, formats: [png]}
"""


def project(folder: Path, batches: list[dict[str, Any]], spec: str = SPEC) -> Path:
    (folder / "events.json").write_text(json.dumps(EVENTS))
    (folder / "jobs.json").write_text(json.dumps(JOBS))
    (folder / "batchjobs.json").write_text(json.dumps(batches))
    (folder / "spec.yaml").write_text(spec)
    return folder / "spec.yaml"


@pytest.mark.parametrize(
    ("chart", "message"),
    [
        (
            "{id: a, type: allocations}",
            "spec.yaml:9: charts[0].batch_jobs: missing (a allocations chart needs it)",
        ),
        (
            "{id: a, type: allocations, batch_jobs: nope}",
            "spec.yaml:9: charts[0].batch_jobs: expected one of the batch-job queries (b); "
            "got 'nope'",
        ),
        (
            "{id: a, type: allocations, batch_jobs: b, events: b}",
            "spec.yaml:9: charts[0].events: expected one of the event queries (all); got 'b'",
        ),
    ],
)
def test_spec_errors_name_file_line_and_key(tmp_path: Path, chart: str, message: str) -> None:
    spec = SPEC.split("charts:")[0] + f"charts:\n  - {chart}\n"
    with pytest.raises(SpecError) as caught:
        load_report(project(tmp_path, BATCHES, spec))
    assert caught.value.problems == [f"{tmp_path}/{message}"]


# --- the page ---
HOSTILE = '<script>alert("q\'s")</script>'


def test_hostile_queues_and_status_info_are_text_and_the_table_is_once(tmp_path: Path) -> None:
    batches = [
        allocation(1, 4, 0, 60, queue=HOSTILE, status_info={"error": HOSTILE}, wall_time_min=90),
        allocation(
            3,
            8,
            None,
            None,
            state="submit_failed",
            queue=HOSTILE,
            status_info={"error": f"</script>{HOSTILE}"},
        ),
    ]
    build_site([project(tmp_path, batches)], tmp_path / "site")
    page = (tmp_path / "site/spec/index.html").read_text()
    assert "<script>alert" not in page and "</script><script>" not in page
    escaped = "&lt;script&gt;alert(&#34;q&#39;s&#34;)&lt;/script&gt;"
    assert f"<td>{escaped}</td>" in page  # the queue, in the table of batch jobs not drawn
    assert f"<td>error=&lt;/script&gt;{escaped}</td>" in page
    specs = re.findall(r'<script type="application/json" id="spec-alloc">(.*?)</script>', page)
    spec = json.loads(specs[0])
    (bars,) = [v for k, v in spec["datasets"].items() if k.endswith("-bars")]
    assert bars[0]["queue"] == HOSTILE and bars[0]["status"] == f"error={HOSTILE}"
    labels = next(v for k, v in spec["datasets"].items() if k.endswith("-labels"))
    assert labels[0]["text"] == f"4 nodes · {HOSTILE}"
    csv_text = (tmp_path / "site/spec/alloc.csv").read_text()
    assert csv_text.splitlines()[1].startswith('1,,"<script>alert(""q\'s"")</script>",finished,4')


def test_the_table_of_batch_jobs_not_counted_is_shown_under_its_owner_only() -> None:
    from reportgen.kinds.utilization import Options as UsedOptions

    run = make_run(BATCHES, 120, EVENTS, JOBS)
    used = KINDS["utilization"]
    alloc = KINDS["allocations"]
    sections = [
        used.present(used.compute([run], UsedOptions("all", True, "b")), used_view()),
        alloc.present(alloc.compute([run], Options("b", "all")), view()),
    ]
    charts = [used_view().chart, view().chart]
    first, second = tables_once(sections, charts)
    assert first.tables == () and len(second.tables) == 1
    assert first.note.endswith(
        " The table “Batch jobs not counted in available nodes” is under the chart “Allocations”."
    )
    assert first.warnings == sections[0].warnings  # a pointer, not a warning
    assert (second.warnings, second.note) == (sections[1].warnings, sections[1].note)
    # without an owner, the first chart listing it keeps it
    only_used = tables_once([sections[0], sections[0]], [charts[0], charts[0]])
    assert len(only_used[0].tables) == 1 and only_used[1].tables == ()


def used_view() -> View:
    from reportgen.kinds.utilization import Options as UsedOptions
    from reportgen.spec.model import Chart, TimeAxis

    chart = Chart("used", "utilization", "Utilization", 800, 300, ("png",), UsedOptions("all"))
    return View(chart, TimeAxis("elapsed_minutes"), (Window("", START, micros(120)),))


# --- against the naive reference, on random experiments ---
def random_batches(
    seed: int, count: int, jobs: int
) -> tuple[list[slow.Batch], dict[int, int | None]]:
    """Batch jobs on a coarse minute grid (ties in start), some never started, open, ending
    before they start or without a request; and each job's batch job (or none)."""
    rng = random.Random(seed)
    batches = []
    for i in range(1, count + 1):
        start = None if rng.random() < 0.15 else rng.randrange(0, 150, 5)
        end = None if start is None or rng.random() < 0.2 else start + rng.randrange(-10, 80, 5)
        wall = None if rng.random() < 0.2 else rng.randrange(0, 90, 15)
        batches.append(slow.Batch(i, rng.choice([1, 2, 8]), start, end, wall))
    ids: list[int | None] = [None, 999]  # none, or one not in the query
    ids += [b.id for b in batches]
    return batches, {j: rng.choice(ids) for j in range(1, jobs + 1)}


def batch_records(batches: list[slow.Batch]) -> list[dict[str, Any]]:
    return [
        {**batch_job(b.id, b.num_nodes, b.start, b.end), "wall_time_min": b.wall_min}
        for b in batches
    ]


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    count=st.integers(0, 12),
    jobs=st.integers(0, 20),
    window=st.integers(0, 40),
    as_of=st.integers(20, 200),
)
def test_lanes_and_use_match_the_naive_reference(
    seed: int, count: int, jobs: int, window: int, as_of: int
) -> None:
    batches, batch_of_job = random_batches(seed, count, jobs)
    events = [e for e in random_experiment(seed, jobs) if e.time >= window]  # a cut window
    fallback = {j: (1 + j % 3) / 2 for j in range(1, jobs + 1)}
    job_records = [
        {"id": j, "num_nodes": 1 + j % 3, "node_packing_count": 2, "batch_job_id": b}
        for j, b in batch_of_job.items()
    ]
    data = ReportData(
        events={"all": table(events)},
        batch_jobs={"b": batch_jobs_table(batch_records(batches))},
        jobs=jobs_table(job_records),
    )
    run = Run("", data, Window("", START, micros(as_of)), Memo())
    (r,) = compute([run], Options("b", "all")).runs

    expected = slow.timeline(batches, as_of, 1)
    minutes = [(int(t) - START) // MINUTE for t in r.start.tolist()]
    got = [
        slow.Lane(
            i, s, (int(e) - START) // MINUTE, o, None if q == NO_TIME else (q - START) // MINUTE
        )
        for i, s, e, o, q in zip(
            r.batch_job_id.tolist(),
            minutes,
            r.end.tolist(),
            r.is_open.tolist(),
            r.requested_end.tolist(),
            strict=True,
        )
    ]
    assert got == expected
    assert r.lane.tolist() == list(range(len(expected)))
    by_id = {b.id: b for b in batches}
    rows = allocations_csv([r]).splitlines()[1:]
    for row, lane in zip(rows, expected, strict=True):
        b = by_id[lane.id]
        assert tuple(row.split(",")[-3:]) == slow.csv_numbers(lane, b.num_nodes, 1, b.wall_min)

    intervals = slow.job_intervals(events, as_of, fallback)
    drawn = {lane.id for lane in expected}
    reference = slow.use_per_allocation(
        intervals, {j: b for j, b in batch_of_job.items() if b in drawn}
    )
    assert lane_changes(compute([run], Options("b", "all"))) == {
        batch: [(float(t), round(float(v), 9)) for t, v in changes.items()]
        for batch, changes in sorted(reference.items())
        if changes
    }


@settings(max_examples=60, deadline=None)
@given(
    spans=st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 20)).map(lambda p: (p[0], p[0] + p[1])),
        max_size=40,
    )
)
def test_packing_matches_the_naive_lane_scan_and_uses_the_fewest_lanes(
    spans: list[tuple[int, int]],
) -> None:
    spans.sort(key=lambda s: s[0])
    start = np.array([s for s, _ in spans], dtype=np.int64)
    end = np.array([e for _, e in spans], dtype=np.int64)
    packed = lanes(start, end, pack=True).tolist()
    assert packed == slow.packed_lanes(spans)
    # the lanes number the most spans open at once (no packing needs fewer); a span of no
    # length holds no instant, yet takes a lane at its start: at most one more
    used, most = max(packed, default=-1) + 1, slow.most_open_at_once(spans)
    if all(e > s for s, e in spans):
        assert used == most
    else:
        assert most <= used <= most + 1


def test_exact_six_decimals_round_half_to_even() -> None:
    from reportgen.analytics.allocations import minutes_text, node_hours_text

    # 1 us is 1/60e6 minute; 30 us = 0.0000005 min exactly: half, to even (0.000000);
    # 90 us = 0.0000015: to even (0.000002)
    assert minutes_text(np.array([30, 90, 60_000_000])) == ["0.000000", "0.000002", "1.000000"]
    assert [slow.fixed(Fraction(30, 60_000_000)), slow.fixed(Fraction(90, 60_000_000))] == [
        "0.000000",
        "0.000002",
    ]
    # 3 nodes x 1.2 s = 3.6 node-seconds = 0.001 node-hours
    assert node_hours_text(np.array([1_200_000]), np.array([3])) == ["0.001000"]


def test_at_is_the_factories_clock() -> None:
    assert at(10.5) == "2024-03-01T08:10:30"


def test_the_result_survives_the_build_cache() -> None:
    from reportgen import codec

    result = hand_result()
    stored = io.BytesIO()
    codec.dump("key", result, stored)
    stored.seek(0)
    back = codec.load("key", stored)
    assert isinstance(back, Allocations)
    assert allocations_csv(back.runs) == allocations_csv(result.runs)
    assert back.tables == result.tables and back.warnings == result.warnings


def test_several_runs_share_one_axis_and_the_csv_names_each_run() -> None:
    early = make_run(BATCHES[:2], 120, name="early")
    late = make_run([allocation(9, 3, 60, 90, wall_time_min=30)], 120, name="late")
    result = compute([early, late], Options("b"))
    lines = allocations_csv(result.runs).splitlines()
    assert lines[0].startswith("run,batch_job_id,scheduler_id,")
    assert [line.split(",")[:2] for line in lines[1:]] == [
        ["early", "1"],
        ["early", "2"],
        ["late", "9"],
    ]
    windows = (Window("early", START, micros(120)), Window("late", START, micros(120)))
    section = KINDS["allocations"].present(result, replace(view(), windows=windows))
    assert section.figure is not None
    charts = section.figure.image["vconcat"]
    assert [c["title"]["text"] for c in charts] == ["early", "late"]
    domains = {json.dumps(c["layer"][0]["encoding"]["x"]["scale"]["domain"]) for c in charts}
    # one x axis: from 0 to the latest requested end, 150 minutes (batch job 2's)
    assert domains == {"[0.0, 150.0]"}


def test_thin_lanes_are_drawn_plainly_with_each_allocations_mean_use() -> None:
    # 400 batch jobs all open at once: 400 lanes of 3.75 px (1500 px at most)
    records = [allocation(i + 1, 2, 0, 60) for i in range(400)]
    jobs = [job(1, batch_job_id=1)]
    events = [
        event(1, 1, 0, "PREPROCESSED", "RUNNING", num_nodes=2),  # 2 of 2 nodes for 15 of 60 min
        event(2, 1, 15, "RUNNING", "RUN_DONE"),
    ]
    result = compute([make_run(records, 60, events, jobs)], Options("b", "all"))
    assert result.runs[0].lanes == 400
    section = KINDS["allocations"].present(
        result, replace(view(), windows=(Window("", START, micros(60)),))
    )
    assert section.figure is not None
    spec = section.figure.image
    assert spec["height"] == 1500
    marks = [layer["mark"] for layer in spec["layer"]]
    assert all("stroke" not in mark for mark in marks if mark["type"] == "rect")
    use = next(v for k, v in spec["datasets"].items() if k.endswith("-use"))
    # the mean over the bar: a quarter of the time at all nodes, so a quarter of the bar
    assert len(use) == 1 and use[0]["y2"] - use[0]["y"] == pytest.approx(0.8 / 4)


def test_a_bar_still_open_is_drawn_dashed_and_an_ended_one_solid(tmp_path: Path) -> None:
    """The key promises a dashed outline for a running allocation: counted in the SVG that
    Vega draws from the page's spec (a rect drops a strokeDash channel, so it must be a mark
    property of the open bars' own layer)."""
    import vl_convert

    build_site([project(tmp_path, BATCHES)], tmp_path / "site")
    page = (tmp_path / "site/spec/index.html").read_text()
    (text,) = re.findall(r'<script type="application/json" id="spec-alloc">(.*?)</script>', page)
    spec = json.loads(text)
    (bars,) = [v for k, v in spec["datasets"].items() if k.endswith("-bars")]
    open_bars = sum(1 for bar in bars if bar["allocation"] == "open at the as-of time")
    assert open_bars == 2  # batch jobs 2 (running) and 4 (ending after the as-of time)
    svg = vl_convert.vegalite_to_svg(spec)
    assert svg.count('stroke-dasharray="4,2"') == open_bars


def test_the_page_reduces_each_allocations_use_for_the_page_columns() -> None:
    """2,500 jobs run in turn in one 60 min allocation: 5,000 changes of its use, more than
    an 800 px chart's columns keep. The page's chart fills its card, so it is reduced for
    `PAGE_COLUMNS` as the other charts are: it keeps what a 1,600 px image keeps, and more
    than the 800 px image."""
    from reportgen.charts.reduce import PAGE_COLUMNS

    records = [allocation(1, 2, 0, 60)]
    jobs = [job(j, batch_job_id=1) for j in range(1, 2501)]
    events = []
    for j in range(1, 2501):
        begin = (j - 1) * 60 / 2501 + 0.001
        events.append(event(2 * j - 1, j, begin, "PREPROCESSED", "RUNNING", num_nodes=2))
        events.append(event(2 * j, j, begin + 60 / 2501 / 2, "RUNNING", "RUN_DONE"))
    result = compute([make_run(records, 60, events, jobs)], Options("b", "all"))
    windows = (Window("", START, micros(60)),)
    narrow = KINDS["allocations"].present(result, replace(view(), windows=windows))
    wide_chart = replace(view().chart, width=PAGE_COLUMNS)
    wide = KINDS["allocations"].present(result, View(wide_chart, view().axis, windows))
    assert narrow.figure is not None and wide.figure is not None

    def use(spec: dict[str, Any]) -> list[float]:
        return [p["x"] for p in next(v for k, v in spec["datasets"].items() if k.endswith("-use"))]

    assert use(narrow.figure.page) == use(wide.figure.image)
    assert len(use(narrow.figure.image)) < len(use(narrow.figure.page)) < 5000 + 2
