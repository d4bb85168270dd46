"""The steady state of a run (issue 11): exact bounds from decimal fractions, completions in
time-then-id order, the cases without one, and the spec's `steady_state` and `baseline`
errors, word for word; checked against `slow_steady`."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from reportgen.analytics.available_nodes import available_nodes
from reportgen.analytics.steady import bounds, steady_state
from reportgen.errors import SpecError
from reportgen.spec import load_report
from reportgen.spec.model import Report
from tests import slow_steady
from tests.factories import MINUTE, T0, batch_job, batch_jobs_table


@pytest.mark.parametrize(
    ("lo", "hi", "n", "k1", "k2"),
    [
        ("0.1", "0.9", 95, 10, 86),  # the ceil(0.1 x 95) = 10
        ("0.07", "0.5", 100, 7, 50),  # in floats 0.07 x 100 = 7.000000000000001: ceil 8
        ("0.3", "0.7", 10, 3, 7),
        ("0", "1", 5, 1, 5),
        ("0", "1", 0, 1, 0),
    ],
)
def test_bounds_are_exact_ceilings_of_the_decimals(
    lo: str, hi: str, n: int, k1: int, k2: int
) -> None:
    assert bounds(Decimal(lo), Decimal(hi), n) == (k1, k2)
    assert (k1, k2) == (
        max(1, slow_steady.ceil(slow_steady.decimal_text(lo) * n)),
        slow_steady.ceil(slow_steady.decimal_text(hi) * n),
    )
    if lo == "0.07":
        assert math.ceil(0.07 * 100) == 8  # what a float would have said


def _run(
    completions: list[tuple[int, float]],
    allocations: list[tuple[int, float, float]],
    lo: str,
    hi: str,
) -> None:
    """The fast steady state of these completions against the slow one."""
    ids = np.array([c[0] for c in completions], dtype=np.int64)
    times = np.array([T0 + round(c[1] * MINUTE) for c in completions], dtype=np.int64)
    table = batch_jobs_table([batch_job(i, n, s, e) for i, (n, s, e) in enumerate(allocations)])
    held, _ = available_nodes(table, T0 + 10**6 * MINUTE)
    fast = steady_state(times, ids, Decimal(lo), Decimal(hi), held)
    slow = slow_steady.steady(completions, allocations, lo, hi)
    assert (fast.completions, fast.k1, fast.k2) == (slow.n, slow.k1, slow.k2)
    assert fast.jobs_per_minute == slow.rate
    assert fast.jobs_per_node_minute == slow.per_node
    if slow.t1 is not None and slow.t2 is not None and slow.rate is not None:
        assert fast.mean_nodes == slow.nodes
        assert [Fraction(fast.t1 - T0), Fraction(fast.t2 - T0)] == [
            slow.t1 * MINUTE,
            slow.t2 * MINUTE,
        ]


def test_steady_state_of_a_run_matches_the_slow_one() -> None:
    rng = np.random.default_rng(11)
    completions = [(int(i), float(t)) for i, t in enumerate(rng.integers(0, 400, 95) / 4, 1)]
    rng.shuffle(completions)
    allocations = [(32, 0.0, 60.0), (16, 20.0, 90.0), (8, 50.0, 200.0)]
    for lo, hi in (("0.1", "0.9"), ("0", "1"), ("0.25", "0.5"), ("0.33", "0.99")):
        _run(completions, allocations, lo, hi)


def test_completions_at_one_instant_are_ordered_by_id() -> None:
    # ids 5 and 2 at minute 3: the 2nd completion (k1 = ceil(0.5 x 4) = 2) is id 5's minute
    completions = [(9, 1.0), (5, 3.0), (2, 3.0), (7, 8.0)]
    _run(completions, [(4, 0, 10)], "0.5", "1")
    ids = np.array([9, 5, 2, 7], dtype=np.int64)
    times = np.array([T0 + m * MINUTE for m in (1, 3, 3, 8)], dtype=np.int64)
    held, _ = available_nodes(batch_jobs_table([batch_job(1, 4, 0, 10)]), T0 + 10 * MINUTE)
    found = steady_state(times, ids, Decimal("0.5"), Decimal(1), held)
    # by hand: k1 = 2, k2 = 4, t1 = 3, t2 = 8: 2 jobs in 5 minutes on 4 nodes
    assert (found.k1, found.k2, found.t1, found.t2) == (2, 4, T0 + 3 * MINUTE, T0 + 8 * MINUTE)
    assert found.jobs_per_minute == Fraction(2, 5)
    assert found.jobs_per_node_minute == Fraction(1, 10)


def test_too_few_completions_or_one_instant_is_no_steady_state() -> None:
    held, _ = available_nodes(batch_jobs_table([batch_job(1, 4, 0, 10)]), T0 + 10 * MINUTE)
    one = steady_state(
        np.array([T0], np.int64), np.array([1], np.int64), Decimal("0.1"), Decimal("0.9"), held
    )
    assert not one.exists and one.jobs_per_minute is None
    assert one.reason == "1 completion is too few: from 0.1 to 0.9 of them is the 1st to the 1st"
    same = steady_state(
        np.array([T0 + MINUTE] * 3, np.int64),
        np.array([3, 1, 2], np.int64),
        Decimal(0),
        Decimal(1),
        held,
    )
    assert same.reason == "the 1st and the 3rd completion are at the same instant"
    _run([(3, 1.0), (1, 1.0), (2, 1.0)], [(4, 0, 10)], "0", "1")
    _run([(1, 1.0)], [(4, 0, 10)], "0.1", "0.9")
    _run([], [(4, 0, 10)], "0", "1")


SPEC = """\
title: Scaling
source:
  files: {events: events.json, jobs: jobs.json, batch_jobs: batchjobs.json}
queries:
  events:
    all: {}
charts:
  - {id: done, type: throughput, events: all}
"""
RUNS = "runs: {n32: {tags: {scale_nodes: '32'}}, n64: {tags: {scale_nodes: '64'}}}\n"

SPEC_ERRORS = [
    (
        "fractions out of order",
        "steady_state: {from: 0.9, to: 0.1}\n",
        "scaling.yaml:9: steady_state: expected from < to (0 <= from < to <= 1); "
        "got from 0.9, to 0.1",
    ),
    (
        "equal fractions",
        "steady_state: {from: 0.5, to: 0.50}\n",
        "scaling.yaml:9: steady_state: expected from < to (0 <= from < to <= 1); "
        "got from 0.5, to 0.50",
    ),
    (
        "a fraction above 1",
        "steady_state: {from: 0.1, to: 1.5}\n",
        "scaling.yaml:9: steady_state.to: expected a number from 0 to 1; got 1.5",
    ),
    (
        "a negative fraction",
        "steady_state: {from: -0.1, to: 0.5}\n",
        "scaling.yaml:9: steady_state.from: expected a number from 0 to 1; got -0.1",
    ),
    (
        "a fraction as text",
        "steady_state: {from: ten, to: 0.5}\n",
        "scaling.yaml:9: steady_state.from: expected a number from 0 to 1; got 'ten'",
    ),
    (
        "a missing fraction",
        "steady_state: {from: 0.1}\n",
        "scaling.yaml:9: steady_state.to: missing (expected a number from 0 to 1)",
    ),
    (
        "an unknown baseline",
        RUNS + "baseline: n128\n",
        "scaling.yaml:10: baseline: expected one of the runs n32, n64; got 'n128'",
    ),
    (
        "a baseline without runs",
        "baseline: n32\n",
        "scaling.yaml:9: baseline: needs runs: (a report of one run has nothing to compare)",
    ),
]


@pytest.mark.parametrize(
    ("extra", "expected"), [(e[1], e[2]) for e in SPEC_ERRORS], ids=[e[0] for e in SPEC_ERRORS]
)
def test_steady_state_and_baseline_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("events.json", "jobs.json", "batchjobs.json"):
        (tmp_path / name).write_text("[]")
    (tmp_path / "scaling.yaml").write_text(SPEC + extra)
    with pytest.raises(SpecError) as caught:
        load_report(Path("scaling.yaml"))
    assert caught.value.problems == [expected]


def test_steady_state_keeps_the_decimals_written(tmp_path: Path) -> None:
    path = tmp_path / "scaling.yaml"
    path.write_text(SPEC + RUNS + "steady_state: {from: 0.1, to: 0.9}\nbaseline: n64\n")
    report = load_report(path)
    assert report.steady_state == (Decimal("0.1"), Decimal("0.9"))
    assert report.baseline == "n64"
    assert load_report_default(tmp_path).steady_state == (Decimal(0), Decimal(1))


def load_report_default(folder: Path) -> Report:
    path = folder / "plain.yaml"
    path.write_text(SPEC)
    return load_report(path)
