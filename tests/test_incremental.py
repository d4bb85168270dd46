"""Incremental fetch (source/balsam/incremental.py) against an in-memory list that filters as
Balsam's server does (inclusive time bounds, `job_id` lists), written here from its documented
behaviour: after any change, the merged records are the full list's."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from reportgen.cachekey import entry_key
from reportgen.source.balsam.incremental import EVENTS, Incremental, JobChanges
from reportgen.source.balsam.store import FetchedStore

Params = list[tuple[str, str]]


def stamp(minute: float) -> str:
    return (datetime(2024, 3, 1, 8) + timedelta(minutes=minute)).isoformat()


class MemoryClient:
    """`fetch_all` and `count` over in-memory events; counts the records it hands out."""

    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = events
        self.notes: list[str] = []
        self.transferred = 0

    def _matching(self, params: Params) -> list[dict[str, Any]]:
        query: dict[str, list[str]] = {}
        for key, value in params:
            query.setdefault(key, []).append(value)
        rows = self.events
        if "timestamp_after" in query:
            low = datetime.fromisoformat(query["timestamp_after"][0])
            rows = [e for e in rows if datetime.fromisoformat(e["timestamp"]) >= low]
        if "timestamp_before" in query:
            high = datetime.fromisoformat(query["timestamp_before"][0])
            rows = [e for e in rows if datetime.fromisoformat(e["timestamp"]) <= high]
        if "job_id" in query:
            rows = [e for e in rows if str(e["job_id"]) in query["job_id"]]
        return rows

    def fetch_all(self, what: str, path: str, params: Params) -> list[dict[str, Any]]:
        assert path == "events"
        rows = sorted(self._matching(params), key=lambda e: e["id"])
        self.transferred += len(rows)
        return [dict(e) for e in rows]

    def count(self, path: str, params: Params) -> int:
        return len(self._matching(params))


def events(jobs: int) -> list[dict[str, Any]]:
    """Five events per job, a minute apart, jobs starting two minutes apart."""
    return [
        {"id": 5 * j + k + 1, "job_id": j + 1, "timestamp": stamp(2 * j + k), "to_state": "X"}
        for j in range(jobs)
        for k in range(5)
    ]


def incremental(client: MemoryClient, folder: Path, build: str) -> Incremental:
    store = FetchedStore(folder, entry_key)
    return Incremental(client, store, "http://b", timedelta(minutes=3), build)  # type: ignore[arg-type]


PARAMS: Params = [("ordering", "timestamp"), ("tags", "experiment:a")]


def test_late_and_deleted_events_are_found_by_counts_alone(tmp_path: Path) -> None:
    client = MemoryClient(events(400))
    first = incremental(client, tmp_path, "1").fetch(EVENTS, "events", PARAMS)
    assert len(first) == 2000
    # a late event dated an hour back, a job's events deleted, new events at the end
    client.events.append({"id": 9001, "job_id": 50, "timestamp": stamp(60.5), "to_state": "L"})
    client.events = [e for e in client.events if e["job_id"] != 300]
    client.events += [
        {"id": 9002 + n, "job_id": 401, "timestamp": stamp(800 + n), "to_state": "X"}
        for n in range(3)
    ]
    client.transferred = 0
    again = incremental(client, tmp_path, "2").fetch(EVENTS, "events", PARAMS)
    assert again == sorted(client.events, key=lambda e: e["id"])
    assert client.transferred < 0.1 * len(client.events)


def test_a_querys_own_bounds_hold_the_zones(tmp_path: Path) -> None:
    bounded = [*PARAMS, ("timestamp_after", stamp(100)), ("timestamp_before", stamp(200))]
    client = MemoryClient(events(400))
    incremental(client, tmp_path, "1").fetch(EVENTS, "events", bounded)
    client.events.append({"id": 9001, "job_id": 60, "timestamp": stamp(150.5), "to_state": "L"})
    again = incremental(client, tmp_path, "2").fetch(EVENTS, "events", bounded)
    low, high = datetime.fromisoformat(stamp(100)), datetime.fromisoformat(stamp(200))
    inside = [e for e in client.events if low <= datetime.fromisoformat(e["timestamp"]) <= high]
    assert again == sorted(inside, key=lambda e: e["id"])


def test_a_late_event_and_a_deletion_that_cancel_in_the_counts_are_found_by_their_jobs(
    tmp_path: Path,
) -> None:
    client = MemoryClient(events(400))
    incremental(client, tmp_path, "1").fetch(EVENTS, "events", PARAMS)
    client.events.append({"id": 9001, "job_id": 50, "timestamp": stamp(60.5), "to_state": "L"})
    deleted = next(e for e in client.events if e["job_id"] == 300)
    client.events.remove(deleted)  # one event gone, one come: the count is the same
    rebuild = incremental(client, tmp_path, "2")
    rebuild.jobs = JobChanges("1", frozenset({50, 300}), frozenset())
    again = rebuild.fetch(EVENTS, "events", PARAMS)
    assert again == sorted(client.events, key=lambda e: e["id"])
