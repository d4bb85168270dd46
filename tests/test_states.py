"""The `states` kind: jobs per state over time, its CSV (state by state), its stacked chart,
its options' errors; checked by hand and against the naive walk of `slow_reference`."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.analytics.jobstates import chained_events, state_counts
from reportgen.analytics.steps import StepSeries
from reportgen.build import BuildResult, build_site
from reportgen.charts.areas import area_data, areas_spec
from reportgen.charts.layers import STATE_COLORS, AreaStack, StepLayer
from reportgen.charts.reduce import column_extremes
from reportgen.errors import SpecError
from reportgen.kinds import states
from reportgen.kinds.base import View
from reportgen.site.csvfile import write_rows
from reportgen.spec import load_report
from reportgen.spec.model import Chart, TimeAxis
from reportgen.states import JOB_STATES, in_balsam_order
from tests import slow_reference as slow
from tests.factories import at, batch_job, event
from tests.test_analytics_properties import minutes_to_micros, random_experiment, table

EVENTS = [
    # job 1 fails: RUN_ERROR and FAILED at one instant, so RUN_ERROR never holds a job
    event(1, 1, 0, "READY", "STAGED_IN"),
    event(2, 1, 2, "STAGED_IN", "PREPROCESSED"),
    event(3, 1, 3, "PREPROCESSED", "RUNNING"),
    event(5, 1, 5, "RUN_ERROR", "FAILED"),  # id order is not the job's order
    event(4, 1, 5, "RUNNING", "RUN_ERROR"),
    # job 2 times out, waits to restart, and is running again at the as-of time
    event(6, 2, 1, "READY", "STAGED_IN"),
    event(7, 2, 2, "STAGED_IN", "PREPROCESSED"),
    event(8, 2, 4, "PREPROCESSED", "RUNNING"),
    event(9, 2, 7, "RUNNING", "RUN_TIMEOUT"),
    event(10, 2, 8, "RUN_TIMEOUT", "RESTART_READY"),
    event(11, 2, 9, "RESTART_READY", "RUNNING"),
    # job 3 starts after the as-of time (08:10): not counted
    event(12, 3, 12, "READY", "STAGED_IN"),
]
SPEC = """\
title: States
source:
  files: {events: events.json, batch_jobs: batchjobs.json}
as_of: 2024-03-01T08:10:00Z
queries:
  events: {all: {}}
  batch_jobs: {all: {}}
charts:
  - {id: states, type: states, events: all, formats: [svg]}
"""
# by hand, minute -> jobs, at each change of each state (in Balsam's order):
# STAGED_IN: job 1 in at 0, job 2 at 1, both out at 2
# PREPROCESSED: both in at 2, job 1 out at 3, job 2 at 4
# RUNNING: job 1 in at 3, job 2 at 4; job 1 out at 5, job 2 at 7, back at 9
# RUN_TIMEOUT: job 2 from 7 to 8; RESTART_READY: job 2 from 8 to 9; FAILED: job 1 from 5
EXPECTED = {
    "STAGED_IN": [(0, 1), (1, 2), (2, 0)],
    "PREPROCESSED": [(2, 2), (3, 1), (4, 0)],
    "RUNNING": [(3, 1), (4, 2), (5, 1), (7, 0), (9, 1)],
    "RUN_TIMEOUT": [(7, 1), (8, 0)],
    "RESTART_READY": [(8, 1), (9, 0)],
    "FAILED": [(5, 1)],
}


def build(folder: Path, spec: str = SPEC, events: list[dict[str, Any]] = EVENTS) -> BuildResult:
    (folder / "events.json").write_text(json.dumps(events))
    (folder / "batchjobs.json").write_text(json.dumps([batch_job(1, 2, 0, 10)]))
    (folder / "states.yaml").write_text(spec)
    return build_site([folder / "states.yaml"], folder / "site")


def view_of(built: BuildResult) -> tuple[Any, View]:
    report = built.reports[0]
    chart = report.charts[0]
    windows = tuple(run.window for run in report.runs)
    return chart.result, View(chart.chart, report.report.time_axis, windows)


def test_the_csv_has_every_state_by_hand(tmp_path: Path) -> None:
    build(tmp_path)
    text = (tmp_path / "site/states/states.csv").read_text()
    expected = "series,timestamp,value\n" + "".join(
        f"{state},{at(minute)}.000000Z,{count}\n"
        for state, rows in EXPECTED.items()
        for minute, count in rows
    )
    assert text == expected
    page = (tmp_path / "site/states/index.html").read_text()
    assert "<h2>Jobs per state</h2>" in page
    assert "16 changes of 6 state(s); 5 drawn, at 9 instants, all drawn." in page


def test_the_chart_stacks_the_drawn_states_exactly(tmp_path: Path) -> None:
    result, view = view_of(build(tmp_path))
    section = states.present(result, view)
    page = section.figure.page if section.figure else {}
    rows = page["datasets"]["states-0-states"]
    drawn = ["STAGED_IN", "PREPROCESSED", "RUNNING", "RUN_TIMEOUT", "RESTART_READY"]
    assert [r["series"] for r in rows] == sorted(
        (r["series"] for r in rows), key=drawn.index
    )  # every state's rows together, in Balsam's order (FAILED is not drawn by default)
    layer = page["layer"][0]
    assert layer["mark"]["interpolate"] == "step-after"
    assert layer["encoding"]["color"]["scale"] == {
        "domain": drawn,
        "range": [STATE_COLORS[s] for s in drawn],
    }
    # minute 4: PREPROCESSED 0 (empty band), RUNNING 2 on top of it, the others empty
    at_4 = {r["series"]: (r["y"], r["y2"]) for r in rows if r["x"] == 4.0}
    assert at_4 == {"PREPROCESSED": (0.0, 0.0), "RUNNING": (0.0, 2.0)}
    # minute 8: RUNNING 0, RUN_TIMEOUT 1 -> 0, RESTART_READY stacked on zeros from 0 to 1
    at_8 = {r["series"]: (r["y"], r["y2"], r["value"]) for r in rows if r["x"] == 8.0}
    assert at_8 == {"RUN_TIMEOUT": (0.0, 0.0, 0), "RESTART_READY": (0.0, 1.0, 1)}
    last = [r for r in rows if r["x"] == 10.0]  # every band closes at the as-of time
    assert {r["series"] for r in last} == set(drawn)


def test_the_states_option_chooses_what_is_drawn_in_balsams_order(tmp_path: Path) -> None:
    spec = SPEC.replace(
        "events: all, formats", "events: all, states: [FAILED, RUNNING, READY], formats"
    )
    result, view = view_of(build(tmp_path, spec))
    assert states.drawn_states(result, view.chart.options) == ["RUNNING", "FAILED"]
    assert result.warnings == ("no job is ever in READY: not drawn (nothing to stack)",)
    page = (tmp_path / "site/states/index.html").read_text()
    assert "no job is ever in READY: not drawn (nothing to stack)" in page
    # the CSV still has every state
    assert (tmp_path / "site/states/states.csv").read_text().count("\n") == 1 + 16


def test_states_balsam_does_not_define_come_last_by_name_and_are_warned(tmp_path: Path) -> None:
    events = [
        *EVENTS[:3],
        event(4, 1, 5, "RUNNING", "ZOMBIE"),
        event(6, 2, 1, "READY", "ARCHIVED"),
        event(7, 2, 2, "ARCHIVED", "AWOKEN"),
    ]
    result, view = view_of(build(tmp_path, events=events))
    # job 2 is ARCHIVED from minute 1 to 2, then AWOKEN; job 1 ZOMBIE from minute 5
    assert [s.name for s in result.series] == [
        "STAGED_IN",
        "PREPROCESSED",
        "RUNNING",
        "ARCHIVED",
        "AWOKEN",
        "ZOMBIE",
    ]
    assert result.warnings == (
        "3 state(s) Balsam does not define, listed last: ARCHIVED, AWOKEN, ZOMBIE",
    )
    section = states.present(result, view)
    assert section.figure is not None
    scale = section.figure.page["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"][-3:] == ["ARCHIVED", "AWOKEN", "ZOMBIE"]
    assert scale["range"][-3:] == ["#8c8c8c", "#b5b5b5", "#5f5f5f"]  # greys, in turn


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (
            "[RUNING]",
            "charts[0].states[0]: expected one of " + ", ".join(JOB_STATES) + "; got 'RUNING'",
        ),
        (
            "[RUNNING, READY, RUNNING]",
            "charts[0].states[2]: RUNNING is already charts[0].states[0]",
        ),
        ("[]", "charts[0].states: expected at least one of the job states; got []"),
        ("RUNNING", "charts[0].states: expected a list of job states; got 'RUNNING'"),
    ],
)
def test_bad_states_are_errors_with_file_line_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, problem: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "states.yaml").write_text(
        SPEC.replace("events: all, formats", f"events: all, states: {value}, formats")
    )
    with pytest.raises(SpecError) as caught:
        load_report(Path("states.yaml"))
    assert caught.value.problems == [f"states.yaml:9: {problem}"]


def test_in_balsam_order() -> None:
    assert in_balsam_order(["FAILED", "B", "RUNNING", "A", "CREATED", "RUNNING"]) == [
        "CREATED",
        "RUNNING",
        "FAILED",
        "A",
        "B",
    ]


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 10**6), jobs=st.integers(0, 25), as_of=st.integers(0, 200))
def test_the_series_match_the_naive_walk_in_balsams_order(seed: int, jobs: int, as_of: int) -> None:
    events = random_experiment(seed, jobs)
    counts = list(state_counts(chained_events(table(events), minutes_to_micros(as_of))).values())
    expected = slow.state_count_changes(events, as_of)
    got = {s.name: dict(zip(s.times.tolist(), s.values.tolist(), strict=True)) for s in counts}
    assert {k: v for k, v in got.items() if v} == {
        state: {minutes_to_micros(t): float(v) for t, v in changes.items()}
        for state, changes in expected.items()
    }


@settings(max_examples=50, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    jobs=st.integers(1, 25),
    as_of=st.integers(20, 200),
    columns=st.sampled_from([10, 50, 2000]),
)
def test_the_stack_is_exact_at_every_drawn_instant(
    seed: int, jobs: int, as_of: int, columns: int
) -> None:
    """Each band's edges are the sums of the layers below it, at every change of any layer
    (all of them when not reduced); between drawn rows a band holds its edges (an empty
    band's rows are left out until it fills again)."""
    end = minutes_to_micros(as_of)
    counts = [
        s
        for s in state_counts(chained_events(table(random_experiment(seed, jobs)), end)).values()
        if len(s)
    ]
    layers = tuple(StepLayer(s, "", s.name, "#000000", 0.0) for s in counts)
    stack = AreaStack(layers, "d")
    start = minutes_to_micros(0)
    chart = _chart(columns)
    data = area_data(chart, [stack], TimeAxis("elapsed_minutes"), start, end)
    rows = data.datasets["d"]
    instants = np.unique(np.concatenate([s.times for s in counts] + [np.empty(0, np.int64)]))
    if not data.reduced:
        assert data.drawn == instants.size
    # replay the rows as step functions and compare with the series at every drawn instant
    drawn_x = sorted({r["x"] for r in rows})
    for x in drawn_x:
        t = start + round(x * 60e6)
        below = 0.0
        for s in counts:
            index = np.searchsorted(s.times, t, side="right") - 1
            level = float(s.values[index]) if index >= 0 else 0.0
            held = [r for r in rows if r["series"] == s.name and r["x"] <= x][-1]
            if level:
                assert (held["y"], held["y2"]) == (below, below + level)
            else:  # an empty band draws nothing, wherever it is
                assert held["y"] == held["y2"]
            below += level
    spec = areas_spec(chart, data, TimeAxis("elapsed_minutes"), "Jobs", True, ("State", "Jobs"))
    assert spec["datasets"]["d"] is rows


def _chart(width: int) -> Any:
    return Chart("c", "states", "T", width, 300, (), None)


def test_csv_rows_state_by_state_with_runs() -> None:
    def series(name: str, times: list[int]) -> StepSeries:
        values = np.arange(1, len(times) + 1, dtype=np.float64)
        return StepSeries(name, np.array(times, dtype=np.int64) * 1_000_000, values, True)

    out = io.StringIO()
    both = [series("A", [2, 5]), series("B", [1, 3]), series("A", [0]), series("B", [4])]
    write_rows(out, both, ["r1", "r1", "r2", "r2"], by_series=True)
    times = [row.split(",")[2][17:19] for row in out.getvalue().splitlines()[1:]]
    names = [",".join(row.split(",")[:2]) for row in out.getvalue().splitlines()[1:]]
    assert names == ["r1,A", "r1,A", "r1,B", "r1,B", "r2,A", "r2,B"]
    assert times == ["02", "05", "01", "03", "00", "04"]


@settings(max_examples=80, deadline=None)
@given(
    steps=st.lists(st.tuples(st.integers(1, 50), st.integers(-20, 20)), max_size=400),
    columns=st.integers(1, 60),
)
def test_column_extremes_keep_each_columns_lowest_and_highest(
    steps: list[tuple[int, int]], columns: int
) -> None:
    times = np.cumsum([gap for gap, _ in steps]).astype(np.int64)
    values = np.array([v for _, v in steps], dtype=np.float64)
    end = int(times[-1]) + 1 if steps else 1
    kept = column_extremes(times, values, 0, end, columns)
    if len(steps) <= columns:
        assert kept.tolist() == list(range(len(steps)))
        return
    assert np.all(np.diff(kept) > 0) and kept.size <= 2 * columns + 2
    assert kept[0] == 0 and kept[-1] == len(steps) - 1
    column = np.minimum(times * columns // end, columns - 1)
    for c in np.unique(column):
        members = np.flatnonzero(column == c)
        here = np.intersect1d(kept, members)
        assert values[here].min() == values[members].min()
        assert values[here].max() == values[members].max()


def test_a_query_matching_nothing_draws_an_empty_frame(tmp_path: Path) -> None:
    spec = SPEC.replace("events: {all: {}}", "events: {all: {}, none: {to_state: CREATED}}")
    spec = spec.replace("events: all, formats: [svg]", "events: none, formats: [png]")
    spec += "  - {id: ledger, type: node_hours, events: none, batch_jobs: all, formats: [png]}\n"
    build(tmp_path, spec)
    assert (tmp_path / "site/states/states.csv").read_text() == "series,timestamp,value\n"
    assert (tmp_path / "site/states/states.png").stat().st_size > 0
    assert (tmp_path / "site/states/ledger.png").stat().st_size > 0
