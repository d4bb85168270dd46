"""A naive start per batch job, written from the definition in the README ("available
nodes"), sharing no code with reportgen: plain Python over the saved records themselves.

A batch job's start is its `start_time`; a batch job in state `running` without one starts at
the earliest event (ties: the lowest id) entering RUNNING at or before the as-of time of a job
whose record's `batch_job_id` is that batch job, and not before the batch job's
`status_info.submit_time`; with no such event its start is unknown (None).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def moment(text: str) -> datetime:
    """A naive (UTC) Balsam time, `T` or a space between date and time."""
    parsed = datetime.fromisoformat(text.replace(" ", "T"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def start_of(
    batch: dict[str, Any],
    events: list[dict[str, Any]],
    jobs: list[dict[str, Any]] | None,
    as_of: datetime,
) -> tuple[datetime | None, int | None, int | None]:
    """(start, the job and the event it is estimated from) of one batch job record: the
    server's start_time (no job, no event), the estimate, or (None, None, None)."""
    if batch.get("start_time") is not None:
        return moment(batch["start_time"]), None, None
    if batch.get("state") != "running" or jobs is None:
        return None, None, None
    mine = {j["id"] for j in jobs if j.get("batch_job_id") == batch["id"]}
    submitted = None
    try:
        submitted = moment((batch.get("status_info") or {})["submit_time"])
    except (KeyError, ValueError, TypeError, AttributeError):
        submitted = None
    best: tuple[datetime, int, int] | None = None
    for e in events:
        if e["to_state"] != "RUNNING" or e["job_id"] not in mine:
            continue
        when = moment(e["timestamp"])
        if when > as_of or (submitted is not None and when < submitted):
            continue
        if best is None or (when, e["id"]) < (best[0], best[2]):
            best = (when, e["job_id"], e["id"])
    if best is None:
        return None, None, None
    return best
