"""`utilization` with `normalize: true` (issue 11): nodes in use over nodes available at
each instant, 0 where none are available, against a per-minute slow evaluation; and its
spec error without `available_nodes`."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import pytest

from reportgen.build import build_site
from reportgen.errors import SpecError
from reportgen.spec import load_report
from tests.factories import MINUTE, T0, batch_job, event, job

SPEC = """\
title: Normalized
source:
  files: {events: events.json, jobs: jobs.json, batch_jobs: batchjobs.json}
queries:
  events:
    all: {}
  batch_jobs:
    all: {}
charts:
  - {id: util, type: utilization, events: all, available_nodes: all, normalize: true}
"""
JOBS = [(1, 2, 1, 5), (2, 1, 2, 9), (3, 3, 6, 12), (4, 1, 14, 16)]
"""(job, nodes, start minute, end minute)."""
BATCH = [(4, 0, 10), (2, 8, 13)]
"""(nodes, start minute, end minute): nothing is held from 13 on."""


def slow_fraction(minute: Fraction) -> Fraction:
    used = sum((Fraction(n) for _, n, s, e in JOBS if s <= minute < e), Fraction(0))
    held = sum((Fraction(n) for n, s, e in BATCH if s <= minute < e), Fraction(0))
    return used / held if held else Fraction(0)


def test_normalized_utilization_matches_the_slow_one(tmp_path: Path) -> None:
    events = []
    for j, nodes, start, end in JOBS:
        events.append(event(10 * j, j, start, "PREPROCESSED", "RUNNING", num_nodes=nodes))
        events.append(event(10 * j + 1, j, end, "RUNNING", "RUN_DONE"))
    (tmp_path / "events.json").write_text(json.dumps(events))
    (tmp_path / "jobs.json").write_text(json.dumps([job(j, n) for j, n, _, _ in JOBS]))
    batch = [batch_job(i, n, s, e) for i, (n, s, e) in enumerate(BATCH, 1)]
    (tmp_path / "batchjobs.json").write_text(json.dumps(batch))
    spec = tmp_path / "normalized.yaml"
    spec.write_text(SPEC)
    build_site([spec], tmp_path / "site")
    text = (tmp_path / "site" / "normalized" / "util.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["series"] for r in rows} == {"utilization"}
    changes = [(Fraction(int(_micros(r["timestamp"]) - T0), MINUTE), r["value"]) for r in rows]
    expected = []
    previous = Fraction(0)
    for minute in range(0, 20):  # every change is on a whole minute
        value = slow_fraction(Fraction(minute))
        if value != previous:
            expected.append((Fraction(minute), f"{float(value):.9f}".rstrip("0").rstrip(".")))
        previous = value
    assert [(m, Fraction(v)) for m, v in changes] == [(m, Fraction(v)) for m, v in expected]
    # by hand: at minute 2 jobs 1 and 2 use 3 of 4 nodes; at 8 job 3 and 2 use 4 of 6
    assert slow_fraction(Fraction(2)) == Fraction(3, 4)
    assert slow_fraction(Fraction(8)) == Fraction(4, 6)


def _micros(text: str) -> int:
    from datetime import datetime

    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return round(moment.timestamp() * 1_000_000)


def test_normalize_needs_available_nodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("events.json", "jobs.json", "batchjobs.json"):
        (tmp_path / name).write_text("[]")
    (tmp_path / "normalized.yaml").write_text(SPEC.replace(" available_nodes: all,", ""))
    with pytest.raises(SpecError) as caught:
        load_report(Path("normalized.yaml"))
    assert caught.value.problems == [
        "normalized.yaml:10: charts[0].normalize: needs available_nodes (the batch-job query "
        "it divides by)"
    ]
