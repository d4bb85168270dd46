"""The `durations` kind: stage latencies by hand on a small experiment (restarts, a 0-second
pair, jobs still waiting at the as-of time), its CSVs byte for byte, its spec errors word for
word, and the fast path against the naive walk of `slow_durations` on random experiments."""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.analytics.durations import StageSamples, stage_samples, summary
from reportgen.analytics.jobstates import chained_events
from reportgen.analytics.utilization import _chain, job_chain_order
from reportgen.build import build_site
from reportgen.errors import SpecError
from reportgen.kinds.durations import DEFAULT_STAGES, Durations
from reportgen.kinds.samples_csv import SampleGroup, seconds_texts, write_samples_csv
from reportgen.source.tables import EventTable
from reportgen.spec import load_report
from reportgen.spec.model import Chart
from reportgen.times import duration_text
from tests import slow_durations as slow
from tests.factories import batch_job, event, events_table, micros
from tests.test_analytics_properties import minutes_to_micros, random_experiment, table

# Job 1 runs twice (RUN_DONE -> RESTART_READY: its postprocessing asked for a rerun) and ends
# with a same-instant pair; job 2 enters RUNNING twice before RUN_DONE (a timeout) and has not
# finished at the as-of time (08:20); job 3 is still READY then.
EVENTS = [
    event(1, 1, 0, "CREATED", "READY"),
    event(2, 1, 1, "READY", "STAGED_IN"),
    event(3, 1, 1, "STAGED_IN", "PREPROCESSED"),
    event(4, 1, 2, "PREPROCESSED", "RUNNING", num_nodes=2),
    event(5, 1, 7, "RUNNING", "RUN_DONE"),
    event(6, 1, 8, "RUN_DONE", "RESTART_READY"),
    event(7, 1, 9, "RESTART_READY", "RUNNING"),  # no num_nodes
    event(8, 1, 10, "RUN_DONE", "JOB_FINISHED"),  # its id comes before the event it follows
    event(9, 1, 10, "RUNNING", "RUN_DONE"),
    event(10, 2, 0, "CREATED", "STAGED_IN"),
    event(11, 2, 3, "STAGED_IN", "RUNNING"),
    event(12, 2, 5, "RUNNING", "RUN_TIMEOUT"),
    event(13, 2, 5, "RUN_TIMEOUT", "RESTART_READY"),
    event(14, 2, 6, "RESTART_READY", "RUNNING"),
    event(15, 2, 8, "RUNNING", "RUN_DONE"),
    event(16, 2, 25, "RUN_DONE", "JOB_FINISHED"),  # after the as-of time
    event(17, 3, 4, "CREATED", "READY"),
]
AS_OF = micros(20)
# (job, start minute, seconds) per sample, by start then job, and the incomplete entries:
EXPECTED = {
    # job 1: READY 08:00 -> STAGED_IN 08:01 = 60 s; job 3 entered READY at 08:04, no more
    "Stage in": ([(1, 0, 60)], 1),
    # job 2: 08:00 -> 08:03 = 180 s; job 1: 08:01 -> RUNNING 08:02 = 60 s
    "Run delay": ([(2, 0, 180), (1, 1, 60)], 0),
    # job 1: 08:02 -> 08:07 = 300 s and 08:09 -> 08:10 = 60 s; job 2's entry at 08:03 is
    # followed by its entry at 08:06 (incomplete), which reaches RUN_DONE at 08:08 = 120 s
    "Run": ([(1, 2, 300), (2, 6, 120), (1, 9, 60)], 1),
    # job 1: RUN_DONE 08:07 is followed by RUN_DONE 08:10 (incomplete), which is followed
    # at the same instant by JOB_FINISHED (0 s); job 2's RUN_DONE 08:08 has nothing by 08:20
    "Stage out": ([(1, 10, 0)], 2),
    # job 2: 08:05 -> 08:06 = 60 s; job 1: 08:08 -> 08:09 = 60 s
    "Restart wait": ([(2, 5, 60), (1, 8, 60)], 0),
}


def samples_of(events: list[dict[str, object]], as_of: int) -> dict[str, StageSamples]:
    table_ = events_table(events)
    chained = chained_events(table_, as_of)
    from_state = table_.from_state[chained.positions]
    return {
        name: stage_samples(
            chained.job_id,
            chained.timestamp,
            from_state,
            chained.to_state,
            table_.code(start),
            table_.code(end),
        )
        for name, start, end in DEFAULT_STAGES
    }


def test_stage_samples_by_hand() -> None:
    for name, samples in samples_of(EVENTS, AS_OF).items():
        expected, incomplete = EXPECTED[name]
        got = list(
            zip(
                samples.job_id.tolist(),
                samples.start.tolist(),
                samples.micros.tolist(),
                strict=True,
            )
        )
        assert got == [(j, micros(m), s * 1_000_000) for j, m, s in expected], name
        assert samples.incomplete == incomplete, name


def test_summary_by_hand() -> None:
    run = summary(samples_of(EVENTS, AS_OF)["Run"])
    # samples 60, 120, 300 s: p90 at position 2 * 0.9 = 1.8: 120 + 0.8 * (300 - 120) = 264;
    # p99 at 1.98: 120 + 0.98 * 180 = 296.4; mean 480 / 3 = 160
    assert (run.count, run.incomplete, run.minimum, run.maximum) == (3, 1, 60e6, 300e6)
    assert run.quantiles == (120_000_000, 264_000_000, 296_400_000)
    assert run.mean == 160_000_000
    empty = summary(StageSamples(*(np.empty(0, np.int64),) * 3, incomplete=4))
    assert (empty.count, empty.incomplete, empty.minimum, empty.quantiles) == (0, 4, None, ())


SPEC = """\
title: Stages
source:
  files: {events: events.json, batch_jobs: batchjobs.json}
as_of: 2024-03-01T08:20:00Z
queries:
  events: {all: {}}
charts:
  - id: stages
    type: durations
    events: all
    formats: [svg]
"""
CUSTOM = """\
    stages:
      - {name: Run, from: RUNNING, to: RUN_DONE}
      - {name: "Finish, after post", from: POSTPROCESSED, to: JOB_FINISHED}
"""


def build(folder: Path, spec: str = SPEC) -> Path:
    (folder / "events.json").write_text(json.dumps(EVENTS))
    (folder / "batchjobs.json").write_text(json.dumps([batch_job(1, 2, 0, 30)]))
    (folder / "stages.yaml").write_text(spec)
    build_site([folder / "stages.yaml"], folder / "site")
    return folder / "site" / "stages"


def test_the_csvs_byte_for_byte(tmp_path: Path) -> None:
    site = build(tmp_path)
    assert (site / "stages.csv").read_text() == (
        "stage,job_id,start,seconds\n"
        "Stage in,1,2024-03-01T08:00:00.000000Z,60.000000\n"
        "Run delay,2,2024-03-01T08:00:00.000000Z,180.000000\n"
        "Run delay,1,2024-03-01T08:01:00.000000Z,60.000000\n"
        "Run,1,2024-03-01T08:02:00.000000Z,300.000000\n"
        "Run,2,2024-03-01T08:06:00.000000Z,120.000000\n"
        "Run,1,2024-03-01T08:09:00.000000Z,60.000000\n"
        "Stage out,1,2024-03-01T08:10:00.000000Z,0.000000\n"
        "Restart wait,2,2024-03-01T08:05:00.000000Z,60.000000\n"
        "Restart wait,1,2024-03-01T08:08:00.000000Z,60.000000\n"
    )
    # Run delay 60, 180: p50 120, p90 60 + 0.9 * 120 = 168, p99 60 + 0.99 * 120 = 178.8
    assert (site / "stages-summary.csv").read_text() == (
        "stage,count,incomplete,min,p50,p90,p99,max,mean\n"
        "Stage in,1,1,60.000000,60.000000,60.000000,60.000000,60.000000,60.000000\n"
        "Run delay,2,0,60.000000,120.000000,168.000000,178.800000,180.000000,120.000000\n"
        "Run,3,1,60.000000,120.000000,264.000000,296.400000,300.000000,160.000000\n"
        "Stage out,1,2,0.000000,0.000000,0.000000,0.000000,0.000000,0.000000\n"
        "Restart wait,2,0,60.000000,60.000000,60.000000,60.000000,60.000000,60.000000\n"
    )


def test_the_page_shows_the_table_the_incomplete_and_the_zero_second_samples(
    tmp_path: Path,
) -> None:
    page = (build(tmp_path) / "index.html").read_text()
    assert "<h2>Stage latencies</h2>" in page
    # distinct durations above 0: Stage in 1, Run delay 2, Run 3, Stage out 0, Restart wait 1
    assert "9 samples (7 distinct durations above 0 s, all drawn)." in page
    assert "1 sample took 0 s (both events at one instant: Stage out 1). A log axis" in page
    assert (
        "Run: 1 of the 4 entries into RUNNING are incomplete (the job entered RUNNING again "
        "first, or had not entered RUN_DONE by the as-of time), so they have no sample."
    ) in page
    assert "Stage out: 2 of the 3 entries into RUN_DONE are incomplete" in page
    # the Run row: samples, incomplete, min, p50, p90, p99, max, mean in readable units
    cells = ["Run", "3", "1", "1 min", "2 min", "4.4 min", "4.94 min", "5 min", "2.67 min"]
    row = "<td>Run</td>" + "".join(f'<td class="num">{c}</td>' for c in cells[1:])
    assert f"<tr>{row}</tr>" in page


def test_custom_stages_and_a_stage_never_entered(tmp_path: Path) -> None:
    site = build(tmp_path, SPEC + CUSTOM)
    assert (site / "stages-summary.csv").read_text() == (
        "stage,count,incomplete,min,p50,p90,p99,max,mean\n"
        "Run,3,1,60.000000,120.000000,264.000000,296.400000,300.000000,160.000000\n"
        '"Finish, after post",0,0,,,,,,\n'
    )
    page = (site / "index.html").read_text()
    assert "Finish, after post: no event entered POSTPROCESSED by the as-of time, so no " in page


def test_seconds_are_the_exact_microseconds() -> None:
    durations = np.array([0, 1, 250, 999_999, 1_000_000, 86_400_123_456, 10**15], np.int64)
    texts = seconds_texts(durations).tobytes().replace(b"\0", b"").decode()
    assert texts == ("0.0000000.0000010.0002500.9999991.00000086400.1234561000000000.000000")


def test_the_samples_csv_of_several_runs_leads_with_the_run(tmp_path: Path) -> None:
    one = StageSamples(np.array([7]), np.array([micros(0)]), np.array([2_500_000]), 0)
    groups = [SampleGroup("Run", one, "a"), SampleGroup("Run", one, "b,c")]
    write_samples_csv(tmp_path / "x.csv", groups)
    assert (tmp_path / "x.csv").read_text() == (
        "run,stage,job_id,start,seconds\n"
        "a,Run,7,2024-03-01T08:00:00.000000Z,2.500000\n"
        '"b,c",Run,7,2024-03-01T08:00:00.000000Z,2.500000\n'
    )


def test_readable_durations() -> None:
    assert [duration_text(m) for m in (0, 250, 4_500_000, 738_000_000, 5_400_000_000)] == [
        "0 s",
        "0.25 ms",
        "4.5 s",
        "12.3 min",
        "1.5 h",
    ]


STAGES_AT = "    formats: [svg]\n"
BAD_STAGES = [
    (
        "    stages:\n      - {name: Run, from: RUNING, to: RUN_DONE}\n",
        "stages.yaml:13: charts[0].stages[0].from: expected one of CREATED, AWAITING_PARENTS, "
        "READY, STAGED_IN, PREPROCESSED, RUNNING, RUN_DONE, RUN_ERROR, RUN_TIMEOUT, "
        "RESTART_READY, POSTPROCESSED, STAGED_OUT, JOB_FINISHED, FAILED; got 'RUNING'",
    ),
    (
        "    stages:\n      - {name: Run, from: READY, to: STAGED_IN}\n"
        "      - {name: Loop, from: RUNNING, to: RUNNING}\n",
        "stages.yaml:14: charts[0].stages[1].to: expected a state other than its from "
        "(RUNNING); got 'RUNNING'",
    ),
    (
        "    stages:\n      - {name: Run, from: READY, to: STAGED_IN}\n"
        "      - {name: Run, from: RUNNING, to: RUN_DONE}\n",
        "stages.yaml:14: charts[0].stages[1].name: expected a name no other stage has; got 'Run'",
    ),
    (
        "    stages:\n      - {name: ' ', from: READY, to: STAGED_IN}\n",
        "stages.yaml:13: charts[0].stages[0].name: expected a non-empty name; got ' '",
    ),
    (
        "    stages:\n      - {name: Run, from: READY}\n",
        "stages.yaml:13: charts[0].stages[0].to: missing (expected one of CREATED, "
        "AWAITING_PARENTS, READY, STAGED_IN, PREPROCESSED, RUNNING, RUN_DONE, RUN_ERROR, "
        "RUN_TIMEOUT, RESTART_READY, POSTPROCESSED, STAGED_OUT, JOB_FINISHED, FAILED)",
    ),
    (
        "    stages:\n      - [Run, READY, STAGED_IN]\n",
        "stages.yaml:13: charts[0].stages[0]: expected a mapping with the keys name, from, to; "
        "got 'a list'",
    ),
    (
        "    stages: []\n",
        "stages.yaml:12: charts[0].stages: expected at least one stage; got []",
    ),
    (
        "    stages: Run\n",
        "stages.yaml:12: charts[0].stages: expected a list of stages, each {name, from, to}; "
        "got 'Run'",
    ),
]


@pytest.mark.parametrize(("stages", "expected"), BAD_STAGES)
def test_stage_errors_name_file_line_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stages: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("stages.yaml").write_text(SPEC + stages)
    with pytest.raises(SpecError) as caught:
        load_report(Path("stages.yaml"))
    assert caught.value.problems == [expected]


def test_stages_are_frozen_tuples(tmp_path: Path) -> None:
    (tmp_path / "stages.yaml").write_text(SPEC + CUSTOM)
    options = load_report(tmp_path / "stages.yaml").charts[0].options
    assert options.stages == (
        ("Run", "RUNNING", "RUN_DONE"),
        ("Finish, after post", "POSTPROCESSED", "JOB_FINISHED"),
    )
    assert hash(options) == hash(type(options)(options.events, options.stages))


# Balsam's transitions, READY and reruns after RUN_DONE included (no cycle of two states, so
# every same-instant pair has one order)
GRAPH = {
    "CREATED": ["READY"],
    "READY": ["STAGED_IN"],
    "STAGED_IN": ["PREPROCESSED", "RUNNING"],
    "PREPROCESSED": ["RUNNING"],
    "RUNNING": ["RUN_DONE", "RUN_ERROR", "RUN_TIMEOUT"],
    "RUN_DONE": ["POSTPROCESSED", "JOB_FINISHED", "RESTART_READY"],
    "POSTPROCESSED": ["JOB_FINISHED"],
    "RUN_ERROR": ["FAILED", "RESTART_READY"],
    "RUN_TIMEOUT": ["RESTART_READY"],
    "RESTART_READY": ["RUNNING"],
}
STATES = sorted({s for targets in GRAPH.values() for s in targets} | {"CREATED"})


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    jobs=st.integers(0, 25),
    window=st.integers(0, 40),
    as_of=st.integers(0, 200),
    extra=st.tuples(st.sampled_from(STATES), st.sampled_from(STATES)).filter(
        lambda pair: pair[0] != pair[1]
    ),
)
def test_stages_match_the_naive_walk(
    seed: int, jobs: int, window: int, as_of: int, extra: tuple[str, str]
) -> None:
    """Default stages and a random one, on events cut by a timestamp_after-like window."""
    events = [e for e in random_experiment(seed, jobs, GRAPH) if e.time >= window]
    events_table = table(events)
    chained = chained_events(events_table, minutes_to_micros(as_of))
    from_state = events_table.from_state[chained.positions]
    for start, end in [(s, e) for _, s, e in DEFAULT_STAGES] + [extra]:
        fast = stage_samples(
            chained.job_id,
            chained.timestamp,
            from_state,
            chained.to_state,
            events_table.code(start),
            events_table.code(end),
        )
        expected = slow.stage(events, as_of, start, end)
        got = list(
            zip(fast.job_id.tolist(), fast.start.tolist(), fast.micros.tolist(), strict=True)
        )
        assert got == [(j, minutes_to_micros(t), d * 60_000_000) for j, t, d in expected.samples]
        assert fast.incomplete == expected.incomplete
        stats = summary(fast)
        naive = slow.statistics([d * 60_000_000 for _, _, d in expected.samples])
        if naive is None:
            assert stats.count == 0 and stats.minimum is None
        else:
            assert [stats.minimum, *stats.quantiles, stats.maximum, stats.mean] == naive


@settings(max_examples=40, deadline=None)
@given(values=st.lists(st.integers(0, 10**12), min_size=1, max_size=300))
def test_quantiles_are_numpys_linear_interpolation_rounded_to_the_microsecond(
    values: list[int],
) -> None:
    """Exact fractions against the float path, to within the rounding of an exact tie."""
    array = np.array(values, np.int64)
    stats = summary(StageSamples(array, array, array, 0))
    for got, p in zip(stats.quantiles, (50, 90, 99), strict=True):
        exact = slow.quantile(values, Fraction(p, 100))
        assert abs(got - exact) <= Fraction(1, 2) + Fraction(1, 10**3)
    assert stats.mean == round(Fraction(sum(values), len(values)))


def test_the_result_holds_each_runs_stages_in_order(tmp_path: Path) -> None:
    (tmp_path / "events.json").write_text(json.dumps(EVENTS))
    (tmp_path / "batchjobs.json").write_text(json.dumps([batch_job(1, 2, 0, 30)]))
    (tmp_path / "stages.yaml").write_text(SPEC)
    built = build_site([tmp_path / "stages.yaml"], tmp_path / "site")
    result = built.reports[0].charts[0].result
    assert isinstance(result, Durations)
    assert [stage.name for stage in result.stages[0]] == [name for name, _, _ in DEFAULT_STAGES]


def _one_run_at_a_time(events: EventTable, touching: int | None = None) -> list[int]:
    """`job_chain_order` as it was before its two-event runs were chained at once: `_chain`
    on every chosen run, in order (utilization's outputs depend on this exact order)."""
    order = np.lexsort((events.id, events.timestamp, events.job_id))
    job, stamp = events.job_id[order], events.timestamp[order]
    same = (job[1:] == job[:-1]) & (stamp[1:] == stamp[:-1])
    edges = np.diff(np.r_[0, same.astype(np.int8), 0])
    run_starts, run_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) + 1
    from_state, to_state = events.from_state, events.to_state
    runs = list(range(run_starts.size))
    if touching is not None:
        moves = ((from_state[order] == touching) != (to_state[order] == touching)).astype(int)
        total = np.r_[0, np.cumsum(moves)]
        chosen = np.flatnonzero(total[run_ends] - total[run_starts] >= 2)
        before = np.searchsorted(run_ends, run_starts[chosen])
        found = before < run_ends.size
        found[found] = run_ends[before[found]] == run_starts[chosen][found]
        runs = np.union1d(chosen, before[found]).tolist()
    for run in runs:
        start, end = int(run_starts[run]), int(run_ends[run])
        previous = order[start - 1] if start > 0 and job[start - 1] == job[start] else None
        current = None if previous is None else int(to_state[previous])
        order[start:end] = _chain(order[start:end].tolist(), current, from_state, to_state)
    result: list[int] = order.tolist()
    return result


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(1, 4),
            st.integers(0, 4),
            st.sampled_from(["READY", "RUNNING", "RUN_DONE", "RESTART_READY"]),
            st.sampled_from(["READY", "RUNNING", "RUN_DONE", "RESTART_READY"]),
        ),
        max_size=60,
    ),
    touching=st.sampled_from([None, "RUNNING", "RUN_DONE"]),
    seed=st.integers(0, 1000),
)
def test_chaining_two_event_runs_at_once_keeps_the_order(
    rows: list[tuple[int, int, str, str]], touching: str | None, seed: int
) -> None:
    """Any events (cycles, runs of any length, consecutive same-instant runs of one job):
    the same order as chaining each run in turn."""
    ids = list(range(1, len(rows) + 1))
    random.Random(seed).shuffle(ids)
    records = [
        event(i, job, minute, start, end)
        for i, (job, minute, start, end) in zip(ids, rows, strict=True)
    ]
    table_ = events_table(records)
    code = None if touching is None else table_.code(touching)
    fast = job_chain_order(table_, code)
    assert fast.tolist() == _one_run_at_a_time(table_, code)


def test_the_ecdf_keeps_each_pixel_columns_extremes_and_starts_at_the_share_of_zeros() -> None:
    from reportgen.charts.ecdf import Curve, ecdf_data, ecdf_spec, ticks

    chart = Chart("d", "durations", "Stage latencies", 800, 300, ("svg",), None)
    rng = np.random.default_rng(3)
    # 250 of 0 s, then 1 us to 10^4 s (2.8 h)
    many = np.r_[np.zeros(250, np.int64), 1, 10**10, rng.integers(1, 10**10, 19_998)]
    data = ecdf_data(chart, (Curve("Run", "#000000", many), Curve("Two", "#111111", EXACT)))
    assert data.domain == (1e-6, 1e4)
    run = [p for p in data.points if p["series"] == "Run"]
    # the left edge at the share of 0 s samples, then steps, then 100% at the right edge
    assert (run[0]["x"], run[0]["count"], run[0]["zero"]) == (1e-6, 250, True)
    assert (run[-1]["x"], run[-1]["count"], run[-1]["tip"]) == (1e4, 20_250, False)
    assert data.reduced and len(run) <= 2 * chart.width + 2
    counts = [p["count"] for p in run]
    assert counts == sorted(counts) and run[-2]["count"] == 20_250  # the last step is kept
    # the other curve is exact: 60 s twice, 120 s once (no 0 s: it starts at 0)
    two = [(p["x"], p["count"]) for p in data.points if p["series"] == "Two"]
    assert two == [(1e-6, 0), (60.0, 2), (120.0, 3), (1e4, 3)]
    assert ticks((1.0, 1000.0)) == [1, 10, 60, 600]
    assert ticks((10.0, 100.0)) == [10, 20, 30, 60]
    spec = ecdf_spec(chart, data, interactive=True)
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    assert [t["title"] for t in spec["layer"][1]["encoding"]["tooltip"]] == [
        "Stage",
        "Duration",
        "Samples at or below",
    ]


EXACT = np.array([60_000_000, 120_000_000, 60_000_000], np.int64)


def test_several_runs_lead_each_row_with_the_run(tmp_path: Path) -> None:
    runs = "runs:\n  early: {as_of: 2024-03-01T08:05:00Z}\n  late: {}\n"
    site = build(tmp_path, SPEC.replace("charts:\n", runs + "charts:\n"))
    summary_rows = (site / "stages-summary.csv").read_text().splitlines()
    # by 08:05: job 1's Run ends at 08:07 and job 2's entry at 08:03 has no later entry yet
    # (2 incomplete); job 2's RESTART_READY at 08:05 reaches RUNNING only at 08:06
    assert summary_rows[:6] == [
        "run,stage,count,incomplete,min,p50,p90,p99,max,mean",
        "early,Stage in,1,1,60.000000,60.000000,60.000000,60.000000,60.000000,60.000000",
        "early,Run delay,2,0,60.000000,120.000000,168.000000,178.800000,180.000000,120.000000",
        "early,Run,0,2,,,,,,",
        "early,Stage out,0,0,,,,,,",
        "early,Restart wait,0,1,,,,,,",
    ]
    assert summary_rows[8] == (
        "late,Run,3,1,60.000000,120.000000,264.000000,296.400000,300.000000,160.000000"
    )
    samples = (site / "stages.csv").read_text().splitlines()
    assert samples[0] == "run,stage,job_id,start,seconds"
    assert samples[1] == "early,Stage in,1,2024-03-01T08:00:00.000000Z,60.000000"
    assert len(samples) == 1 + 3 + 9
    page = (site / "index.html").read_text()
    assert "early: Stage out: no event entered RUN_DONE by the as-of time, so no sample." in page


def test_one_stage_over_several_runs_is_one_curve_per_run(tmp_path: Path) -> None:
    runs = "runs:\n  early: {as_of: 2024-03-01T08:05:00Z}\n  late: {}\n"
    spec = SPEC.replace("charts:\n", runs + "charts:\n") + "    stage: Run delay\n"
    site = build(tmp_path, spec)
    # the same Run delay rows as every stage gives (the test above), and no other stage
    assert (site / "stages-summary.csv").read_text().splitlines() == [
        "run,stage,count,incomplete,min,p50,p90,p99,max,mean",
        "early,Run delay,2,0,60.000000,120.000000,168.000000,178.800000,180.000000,120.000000",
        "late,Run delay,2,0,60.000000,120.000000,168.000000,178.800000,180.000000,120.000000",
    ]
    assert {line.split(",")[1] for line in (site / "stages.csv").read_text().splitlines()[1:]} == {
        "Run delay"
    }
    page = (site / "index.html").read_text()
    assert "Stage in" not in page.split('id="spec-stages">', 1)[1].split("</script>", 1)[0]
    spec_json = json.loads(page.split('id="spec-stages">', 1)[1].split("</script>", 1)[0])
    color = spec_json["layer"][0]["encoding"]["color"]["scale"]
    dash = spec_json["layer"][0]["encoding"]["strokeDash"]["scale"]
    # the runs are the curves: the first two run colours (blue, orange) and dashes
    assert (color["domain"], color["range"]) == (["early", "late"], ["#0072b2", "#e69f00"])
    assert dash["range"] == [[], [6, 3]]
    assert spec_json["layer"][1]["encoding"]["tooltip"][0]["title"] == "Run"


def test_stage_must_be_one_of_the_charts_stages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("stages.yaml").write_text(SPEC + CUSTOM + "    stage: Stage in\n")
    with pytest.raises(SpecError) as caught:
        load_report(Path("stages.yaml"))
    assert caught.value.problems == [
        "stages.yaml:15: charts[0].stage: expected one of Run, Finish, after post; got 'Stage in'"
    ]


@pytest.mark.parametrize(
    ("smallest", "largest", "domain"),
    [
        # one decade: three or more readers' durations around the samples, the narrowest
        # (60 .. 300 and 120 .. 600 are both 5x: 60 .. 300 pads the two sides more evenly)
        (121.7, 277.0, (60, 300)),
        (121.7, 310.0, (120, 600)),
        (1.5, 1.6, (1, 5)),
        (2.0, 2.0, (1, 5)),
        # the readers' durations would be as wide: whole decades
        (3000.0, 9000.0, (1e3, 1e4)),
        (0.5, 0.9, (0.1, 1.0)),
        (0.0011, 0.002, (1e-3, 1e-2)),
        # more than a decade: whole decades
        (50.0, 800.0, (10.0, 1e3)),
    ],
)
def test_the_ecdf_axis_spans_whole_decades_or_the_narrowest_readers_durations(
    smallest: float, largest: float, domain: tuple[float, float]
) -> None:
    from reportgen.charts.ecdf import Curve, _domain

    samples = np.array([round(smallest * 1e6), round(largest * 1e6)], np.int64)
    assert _domain((Curve("x", "#000000", samples),)) == pytest.approx(domain)
