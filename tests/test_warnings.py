"""What the records cannot answer is said on the page, never dropped silently: events of jobs
missing from the jobs file, and an as-of time far after every record."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path

from reportgen.build import build_site
from tests.factories import batch_job, event, job

EVENTS = [
    event(1, 1, 0, "PREPROCESSED", "RUNNING", num_nodes=1),
    event(2, 1, 4, "RUNNING", "RUN_DONE"),
    event(3, 1, 5, "RUN_DONE", "JOB_FINISHED"),
    event(4, 2, 1, "PREPROCESSED", "RUNNING", num_nodes=1),
    event(5, 2, 8, "RUNNING", "RUN_DONE"),
    event(6, 2, 9, "RUN_DONE", "JOB_FINISHED"),
]
SPEC = """\
title: Warned
source:
  files: {events: events.json, jobs: jobs.json, batch_jobs: batchjobs.json}
queries:
  events: {tagged: {tags: {experiment: x}}, every: {}}
  batch_jobs: {all: {}}
charts:
  - {id: done, type: throughput, events: tagged, formats: [svg]}
"""


def report(folder: Path, spec: str, jobs: list[dict[str, object]]) -> Path:
    folder.mkdir()
    (folder / "events.json").write_text(json.dumps(EVENTS))
    (folder / "jobs.json").write_text(json.dumps(jobs))
    (folder / "batchjobs.json").write_text(json.dumps([batch_job(1, 2, 0, 10)]))
    (folder / "warned.yaml").write_text(spec)
    return folder / "warned.yaml"


def test_events_of_jobs_missing_from_the_jobs_file_are_named(tmp_path: Path) -> None:
    spec = report(tmp_path / "in", SPEC, [job(1, experiment="x")])  # job 2 is not listed
    built = build_site([spec], tmp_path / "site")
    assert (
        "3 events belong to 1 job(s) missing from the jobs file (job ids 2): the queries "
        "that filter by job (tagged) cannot match them."
    ) in built.reports[0].warnings
    rows = list(csv.DictReader(io.StringIO((tmp_path / "site/warned/done.csv").read_text())))
    assert [r["value"] for r in rows] == ["1"]  # job 1's finish only
    page = (tmp_path / "site/warned/index.html").read_text()
    assert "missing from the jobs file (job ids 2)" in page


def test_no_warning_when_every_job_is_known(tmp_path: Path) -> None:
    spec = report(tmp_path / "in", SPEC, [job(1, experiment="x"), job(2, experiment="y")])
    built = build_site([spec], tmp_path / "site")
    assert not [w for w in built.reports[0].warnings if "missing from the jobs file" in w]


def test_an_as_of_far_after_every_record_is_a_warning(tmp_path: Path) -> None:
    spec = report(
        tmp_path / "in",
        SPEC + "as_of: 9999-12-31T00:00:00Z\n",
        [job(1, experiment="x"), job(2, experiment="x")],
    )
    built = build_site([spec], tmp_path / "site")
    latest = datetime(2024, 3, 1, 8, 10)  # the batch job's end, minute 10
    days = (datetime(9999, 12, 31) - latest).total_seconds() / 86_400
    assert built.reports[0].warnings == [
        f"The as-of time 9999-12-31T00:00:00.000000Z is {days:,.1f} days after the latest "
        "record (2024-03-01T08:10:00.000000Z), longer than the records span: jobs still "
        "running and batch jobs without an end are counted up to it (the as-of time was set "
        "in the spec (as_of))."
    ]
    spec.write_text(SPEC + "as_of: 2024-03-01T08:15:00Z\n")  # within the records' span
    assert build_site([spec], tmp_path / "site").reports[0].warnings == []
