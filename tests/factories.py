"""Tiny experiments built in code: a few lines each, readable next to their expected series."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportgen.source.columns import batch_jobs_from_records, events_from_records, jobs_from_records
from reportgen.source.tables import BatchJobTable, EventTable, JobTable

DAY = "2024-03-01T"
MINUTE = 60_000_000
T0 = 1_709_280_000_000_000  # 2024-03-01T08:00:00Z in microseconds


def at(minutes: float) -> str:
    """The naive UTC timestamp `minutes` after 08:00, as Balsam writes it."""
    whole, fraction = divmod(round(minutes * 60 * 1_000_000), 1_000_000)
    hours, rest = divmod(whole, 3600)
    text = f"{DAY}{8 + hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    return text + (f".{fraction:06d}" if fraction else "")


def micros(minutes: float) -> int:
    return T0 + round(minutes * MINUTE)


def event(
    id: int, job_id: int, minutes: float, from_state: str, to_state: str, **data: Any
) -> dict[str, Any]:
    return {
        "id": id,
        "job_id": job_id,
        "timestamp": at(minutes),
        "from_state": from_state,
        "to_state": to_state,
        "data": data,
    }


def job(
    id: int, num_nodes: int = 1, packing: int = 1, batch_job_id: int | None = None, **tags: str
) -> dict[str, Any]:
    return {
        "id": id,
        "num_nodes": num_nodes,
        "node_packing_count": packing,
        "batch_job_id": batch_job_id,
        "tags": tags,
        "state": "RUNNING",
    }


def batch_job(
    id: int,
    num_nodes: int,
    start: float | None,
    end: float | None,
    state: str = "finished",
    scheduler_id: int | None = None,
    site_id: int = 1,
    queue: str = "prod",
    **filter_tags: str,
) -> dict[str, Any]:
    return {
        "id": id,
        "site_id": site_id,
        "scheduler_id": scheduler_id,
        "num_nodes": num_nodes,
        "start_time": None if start is None else at(start),
        "end_time": None if end is None else at(end),
        "state": state,
        "queue": queue,
        "project": "p",
        "job_mode": "mpi",
        "filter_tags": filter_tags,
    }


def events_table(records: list[dict[str, Any]], data_keys: set[str] | None = None) -> EventTable:
    return events_from_records(records, Path("test-events.json"), data_keys or set())


def jobs_table(records: list[dict[str, Any]], tag_keys: set[str] | None = None) -> JobTable:
    return jobs_from_records(records, Path("test-jobs.json"), tag_keys or set())


def batch_jobs_table(records: list[dict[str, Any]]) -> BatchJobTable:
    return batch_jobs_from_records(records, Path("test-batchjobs.json"))


def points(series: Any) -> list[tuple[float, float]]:
    """A series as (minutes after 08:00, value) pairs, for comparing with hand-computed lists."""
    return [
        ((t - T0) / MINUTE, v)
        for t, v in zip(series.times.tolist(), series.values.tolist(), strict=True)
    ]
