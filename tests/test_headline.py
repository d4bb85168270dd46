"""The headline numbers on a hand-computed experiment, and how the page and the index show
them (the report's own computation, not a chart's)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reportgen.build import build_site
from reportgen.times import span_text
from tests.factories import batch_job, event


def experiment() -> list[dict[str, Any]]:
    """Job 1 runs 08:10-08:40 on 2 nodes and finishes; job 2 runs 08:20-08:30 on 1 node,
    fails and is FAILED; job 3 times out at 08:50 and restarts at that instant (RUN_TIMEOUT
    and RESTART_READY share it); job 4 only reaches PREPROCESSED."""
    return [
        event(1, 1, 0, "CREATED", "PREPROCESSED"),
        event(2, 1, 10, "PREPROCESSED", "RUNNING", num_nodes=2),
        event(3, 1, 40, "RUNNING", "RUN_DONE"),
        event(4, 1, 45, "RUN_DONE", "JOB_FINISHED"),
        event(5, 2, 5, "CREATED", "PREPROCESSED"),
        event(6, 2, 20, "PREPROCESSED", "RUNNING", num_nodes=1),
        event(7, 2, 30, "RUNNING", "RUN_ERROR"),
        event(8, 2, 31, "RUN_ERROR", "FAILED"),
        event(9, 3, 5, "CREATED", "PREPROCESSED"),
        event(10, 3, 20, "PREPROCESSED", "RUNNING", num_nodes=1),
        event(12, 3, 50, "RUN_TIMEOUT", "RESTART_READY"),  # listed first, happens second
        event(11, 3, 50, "RUNNING", "RUN_TIMEOUT"),
        event(13, 4, 8, "CREATED", "PREPROCESSED"),
    ]


def write_spec(folder: Path, extra: str = "") -> Path:
    (folder / "events.json").write_text(json.dumps(experiment()))
    (folder / "batchjobs.json").write_text(json.dumps([batch_job(1, 4, 0, 60)]))
    path = folder / "small.yaml"
    path.write_text(
        "title: Small\nsource:\n  files: {events: events.json, batch_jobs: batchjobs.json}\n"
        "as_of: 2024-03-01T09:00:00Z\n"
        "queries:\n  events: {all: {}}\n  batch_jobs: {all: {}}\n"
        "charts:\n  - {id: done, type: throughput, events: all, formats: [svg]}\n" + extra
    )
    return path


def test_the_headline_of_a_small_experiment(tmp_path: Path) -> None:
    headline = build_site([write_spec(tmp_path)], tmp_path / "site").reports[0].headline
    # at 09:00: job 1 JOB_FINISHED, job 2 FAILED, job 3 RESTART_READY (the chain puts
    # RUNNING -> RUN_TIMEOUT before RUN_TIMEOUT -> RESTART_READY), job 4 PREPROCESSED
    assert (headline.jobs, headline.jobs_finished, headline.jobs_failed) == (4, 1, 1)
    assert headline.jobs_in_progress == 2
    # nodes in use: 2 (08:10-08:20), 4 (08:20-08:30), 3 (08:30-08:40), 1 (08:40-08:50)
    assert headline.peak_utilization == 4
    # node-minutes 2*10 + 4*10 + 3*10 + 1*10 = 100 over the window 08:00-09:00
    assert headline.node_hours_used == 100 / 60
    assert headline.mean_utilization == 100 / 60  # over one hour
    assert headline.node_hours_available == 4.0  # 4 nodes for the hour
    # useful: job 1, 2 nodes for 30 min; lost: job 2 (1 node, 10 min, RUN_ERROR) and job 3
    # (1 node, 30 min, RUN_TIMEOUT): 40 node-minutes
    assert headline.node_hours_useful == 1.0
    assert headline.node_hours_lost == 40 / 60
    assert headline.efficiency == 0.25
    # the first event at 08:00 to the only entry into JOB_FINISHED at 08:45
    assert headline.makespan == 45 * 60_000_000
    assert headline.throughput_per_hour == 1 / 0.75


def test_the_page_shows_the_cards_with_what_each_counts(tmp_path: Path) -> None:
    build_site([write_spec(tmp_path)], tmp_path / "site")
    page = (tmp_path / "site" / "small" / "index.html").read_text()
    assert (
        '<div class="card card-jobs" title="Distinct jobs with an event of event query '
        '&#39;all&#39; by the as-of time."><dt>Jobs</dt><dd class="value">4</dd>'
    ) in page
    assert '<dt>Failed</dt><dd class="value">1</dd><dd class="detail">25.0% of jobs</dd>' in page
    assert '<dt>Makespan</dt><dd class="value">45 min 0 s</dd>' in page
    assert '<dd class="value">1.3 <span class="unit">jobs/h</span></dd>' in page
    assert '<dt>Efficiency</dt><dd class="value">25.0%</dd>' in page
    assert '<dt>Node-hours lost</dt><dd class="value">0.7</dd>' in page
    index = (tmp_path / "site" / "index.html").read_text()
    assert '<th class="num" title="Jobs in FAILED at the as-of time.">Failed</th>' in index
    throughput = 'title="Finished jobs per hour of the makespan.">Throughput (jobs/h)</th>'
    assert throughput in index
    assert "<td>2024-03-01 08:00 to 09:00</td>" not in index  # the span has its own class
    assert '<td class="span">2024-03-01 08:00 to 09:00</td>' in index


def test_no_job_finished_means_no_makespan(tmp_path: Path) -> None:
    spec = write_spec(tmp_path)
    spec.write_text(spec.read_text().replace("09:00:00Z", "08:44:00Z"))
    headline = build_site([spec], tmp_path / "site").reports[0].headline
    assert headline.makespan is None and headline.throughput_per_hour is None
    page = (tmp_path / "site" / "small" / "index.html").read_text()
    assert '<dt>Makespan</dt><dd class="value">-</dd>' in page
    assert '<dt>Throughput</dt><dd class="value">-</dd>' in page


def test_durations_read_as_their_two_largest_units() -> None:
    second = 1_000_000
    assert span_text(42_500_000) == "42.5 s"
    assert span_text(12 * 60 * second + 5 * second) == "12 min 5 s"
    assert span_text((9 * 3600 + 58 * 60 + 40) * second) == "9 h 59 min"
    assert span_text(50 * 3600 * second) == "2 d 2 h"


def test_the_cards_node_hours_are_the_ledgers(tmp_path: Path) -> None:
    """The headline's useful and lost node-hours are the node_hours kind's own (computed
    without its idle split), here on the demo experiment."""
    import shutil

    from tests.conftest import ROOT

    shutil.copytree(ROOT / "report_specs", tmp_path / "specs")
    spec = tmp_path / "specs" / "demo.yaml"
    chart = "  - {id: book, type: node_hours, events: demo, batch_jobs: demo, formats: []}\n"
    spec.write_text(spec.read_text().rstrip("\n") + "\n" + chart)
    result = build_site([spec], tmp_path / "site")
    headline = result.reports[0].headline
    rows = dict(
        line.split(",")
        for line in (tmp_path / "site" / "demo" / "book.csv").read_text().splitlines()[1:]
    )
    assert f"{headline.node_hours_useful:.6f}" == rows["useful"]
    lost = float(rows["failed"]) + float(rows["timed_out"]) + float(rows["lost"])
    assert headline.node_hours_lost is not None and abs(headline.node_hours_lost - lost) < 2e-6
    assert f"{headline.node_hours_available:.6f}" == rows["available"]
