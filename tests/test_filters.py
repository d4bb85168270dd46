"""Every filter of `/events/` and `/batch-jobs/`, with Balsam's meaning, on a tiny site."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from reportgen.source.filters import select_batch_jobs, select_events
from reportgen.spec.model import BatchJobQuery, EventQuery
from tests.factories import batch_job, batch_jobs_table, event, events_table, job, jobs_table

# jobs 1-2 ran last in batch job 10 (scheduler 5001), job 3 in 11 (5002), job 4 never ran
JOBS = jobs_table(
    [
        job(1, batch_job_id=10, experiment="demo", campaign="A"),
        job(2, batch_job_id=10, experiment="demo", campaign="B"),
        job(3, batch_job_id=11, experiment="other", campaign="A"),
        job(4, batch_job_id=None, experiment="demo", campaign="A"),
    ],
    tag_keys={"experiment", "campaign"},
)
BATCH_JOBS = batch_jobs_table(
    [
        batch_job(10, 8, 0, 60, scheduler_id=5001, experiment="demo", campaign="A"),
        batch_job(
            11,
            4,
            30,
            None,
            state="running",
            scheduler_id=5002,
            site_id=2,
            queue="debug",
            experiment="demo",
        ),
        batch_job(12, 2, None, None, state="queued", scheduler_id=None, experiment="other"),
    ]
)
EVENTS = events_table(
    [
        event(1, 1, 0, "PREPROCESSED", "RUNNING", num_nodes=1.0),
        event(2, 2, 1, "PREPROCESSED", "RUNNING", num_nodes=1.0),
        event(3, 1, 10, "RUNNING", "RUN_ERROR", error="boom"),
        event(4, 3, 31, "PREPROCESSED", "RUNNING", num_nodes=1.0),
        event(5, 4, 40, "CREATED", "STAGED_IN", message="Skipped stage in"),
        event(6, 2, 50, "RUNNING", "RUN_DONE"),
    ],
    data_keys={"message", "error"},
)


def when(minutes: int) -> datetime:
    return datetime(2024, 3, 1, 8, tzinfo=UTC).replace(minute=minutes)


EVENT_CASES: list[tuple[dict[str, Any], list[int]]] = [
    ({}, [1, 2, 3, 4, 5, 6]),
    ({"id": (2, 5)}, [2, 5]),
    ({"job_id": (1,)}, [1, 3]),
    ({"batch_job_id": 10}, [1, 2, 3, 6]),  # the job's latest batch job
    ({"scheduler_id": 5002}, [4]),  # via the batch job with that scheduler id
    ({"tags": (("experiment", "demo"),)}, [1, 2, 3, 5, 6]),
    ({"tags": (("campaign", "A"), ("experiment", "demo"))}, [1, 3, 5]),  # ANDed
    ({"data": (("message", "Skipped stage in"),)}, [5]),
    ({"data": (("error", "boom"),)}, [3]),
    ({"from_state": "RUNNING"}, [3, 6]),
    ({"to_state": "RUNNING"}, [1, 2, 4]),
    ({"from_state": "PREPROCESSED", "to_state": "RUNNING", "job_id": (3,)}, [4]),
    ({"timestamp_after": when(10)}, [3, 4, 5, 6]),  # inclusive
    ({"timestamp_before": when(10)}, [1, 2, 3]),  # inclusive
    ({"to_state": "JOB_FINISHED"}, []),
]


@pytest.mark.parametrize(
    ("filters", "expected_ids"), EVENT_CASES, ids=[",".join(c[0]) or "none" for c in EVENT_CASES]
)
def test_event_filters(filters: dict[str, Any], expected_ids: list[int]) -> None:
    selected = select_events(EVENTS, EventQuery(name="q", **filters), JOBS, BATCH_JOBS)
    assert selected.id.tolist() == expected_ids


BATCH_CASES: list[tuple[dict[str, Any], list[int]]] = [
    ({}, [10, 11, 12]),
    ({"id": (11, 12)}, [11, 12]),
    ({"site_id": (2,)}, [11]),
    ({"state": ("running", "queued")}, [11, 12]),
    ({"scheduler_id": 5001}, [10]),
    ({"queue": "debug"}, [11]),
    ({"filter_tags": (("experiment", "demo"),)}, [10, 11]),
    ({"filter_tags": (("campaign", "A"), ("experiment", "demo"))}, [10]),
    ({"start_time_before": when(30)}, [10, 11]),  # inclusive; null start never matches
    ({"start_time_after": when(30)}, [11]),
    ({"end_time_before": when(59)}, []),
    ({"end_time_after": when(0)}, [10]),  # null end never matches
]


@pytest.mark.parametrize(
    ("filters", "expected_ids"), BATCH_CASES, ids=[",".join(c[0]) or "none" for c in BATCH_CASES]
)
def test_batch_job_filters(filters: dict[str, Any], expected_ids: list[int]) -> None:
    assert (
        select_batch_jobs(BATCH_JOBS, BatchJobQuery(name="q", **filters)).id.tolist()
        == expected_ids
    )
