"""Time windows of an event query (source/balsam/windows.py) and the client reading them at once:
cut by hand, and fetched from an in-memory server that filters as Balsam's does (written here
from its documented behaviour: inclusive bounds, timestamp order with ties by id)."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from reportgen.source.balsam.client import BalsamClient
from reportgen.source.balsam.credentials import Credentials
from reportgen.source.balsam.windows import (
    cut_points,
    quantile_offsets,
    window_count,
    window_params,
)

CREDENTIALS = Credentials("https://b.example.org", None, None, 1.0, 1.0, 3, "test")


@pytest.mark.parametrize(
    ("count", "connections", "expected"),
    [(10_000, 1, 1), (999, 4, 1), (1000, 4, 2), (1_600, 4, 3), (10**6, 4, 4), (10**6, 2, 2)],
)
def test_window_count(count: int, connections: int, expected: int) -> None:
    assert window_count(count, connections) == expected


def test_quantile_offsets() -> None:
    assert quantile_offsets(10, 4) == [2, 5, 7]
    assert quantile_offsets(1000, 2) == [500]


def test_cut_points_are_each_quantile_once_after_the_first_record() -> None:
    cuts = cut_points(
        "2024-03-01T08:00:00",
        ["2024-03-01T08:00:00", "2024-03-01T09:00:00.5", None, "2024-03-01T09:00:00.500000"],
    )
    assert cuts == [datetime(2024, 3, 1, 9, 0, 0, 500_000)]


@pytest.mark.parametrize(
    "quantiles", [["2024-03-01T09:00:00+00:00"], ["yesterday"], [17]], ids=["aware", "text", "int"]
)
def test_cut_points_of_timestamps_the_server_does_not_write_are_none(
    quantiles: list[Any],
) -> None:
    assert cut_points("2024-03-01T08:00:00", quantiles) is None


def test_windows_keep_the_querys_own_bounds_and_end_a_microsecond_before_the_next() -> None:
    params = [
        ("ordering", "timestamp"),
        ("timestamp_after", "2024-03-01T08:00:00"),
        ("tags", "experiment:a"),
        ("timestamp_before", "2024-03-01T12:00:00"),
    ]
    cuts = [datetime(2024, 3, 1, 9), datetime(2024, 3, 1, 10, 30, 0, 250)]
    base = [("ordering", "timestamp"), ("tags", "experiment:a")]
    assert window_params(params, cuts) == [
        [
            *base,
            ("timestamp_after", "2024-03-01T08:00:00"),
            ("timestamp_before", "2024-03-01T08:59:59.999999"),
        ],
        [
            *base,
            ("timestamp_after", "2024-03-01T09:00:00.000000"),
            ("timestamp_before", "2024-03-01T10:30:00.000249"),
        ],
        [
            *base,
            ("timestamp_after", "2024-03-01T10:30:00.000250"),
            ("timestamp_before", "2024-03-01T12:00:00"),
        ],
    ]
    assert window_params(base, []) == [base]
    assert window_params(base, cuts[:1]) == [
        [*base, ("timestamp_before", "2024-03-01T08:59:59.999999")],
        [*base, ("timestamp_after", "2024-03-01T09:00:00.000000")],
    ]


def stamp(second: int, micro: int = 0) -> str:
    """As the server writes them: microseconds left out when zero."""
    return datetime(2024, 3, 1, 8, second // 60, second % 60, micro).isoformat()


# 3,000 events; many share a timestamp (ties across quantiles), some a microsecond apart
EVENTS: list[dict[str, Any]] = [
    {"id": i, "job_id": i % 97, "timestamp": stamp((i * 7919) % 1800 // 3, i % 2), "to_state": "X"}
    for i in range(1, 3001)
]


class MemoryServer:
    """`GET /events/` over EVENTS as Balsam answers it (see the module docstring)."""

    def __init__(self) -> None:
        self.asked: list[dict[str, str]] = []
        self.lock = threading.Lock()

    def get(self, url: str, params: list[tuple[str, str]], **kwargs: Any) -> requests.Response:
        assert urlsplit(url).path == "/events/"
        query = dict(params)
        with self.lock:
            self.asked.append(query)
        after = datetime.fromisoformat(query.get("timestamp_after", "1970-01-01T00:00:00"))
        before = datetime.fromisoformat(query.get("timestamp_before", "2999-01-01T00:00:00"))
        rows = [e for e in EVENTS if after <= datetime.fromisoformat(e["timestamp"]) <= before]
        rows.sort(key=lambda e: (datetime.fromisoformat(e["timestamp"]), e["id"]))
        offset, limit = int(query["offset"]), int(query["limit"])
        answer = requests.Response()
        answer.status_code = 200
        answer._content = json.dumps(
            {"count": len(rows), "results": rows[offset : offset + limit]}
        ).encode()
        return answer


@pytest.mark.parametrize(("connections", "page_size"), [(4, 100_000), (4, 29), (3, 1000)])
def test_a_windowed_fetch_returns_every_record_once_by_id(
    monkeypatch: pytest.MonkeyPatch, connections: int, page_size: int
) -> None:
    server = MemoryServer()
    monkeypatch.setattr(requests.Session, "get", lambda self, url, **kw: server.get(url, **kw))
    client = BalsamClient(CREDENTIALS, page_size, 0.0, parallel=connections)
    bounds = [("timestamp_after", stamp(100)), ("timestamp_before", stamp(400, 1))]
    records = client.fetch_all("events", "events", [("ordering", "timestamp"), *bounds])
    low, high = datetime.fromisoformat(stamp(100)), datetime.fromisoformat(stamp(400, 1))
    inside = [e for e in EVENTS if low <= datetime.fromisoformat(e["timestamp"]) <= high]
    assert [r["id"] for r in records] == sorted(e["id"] for e in inside)
    windows = {(q.get("timestamp_after"), q.get("timestamp_before")) for q in server.asked} - {
        (stamp(100), stamp(400, 1))
    }
    assert len(windows) == window_count(len(inside), connections) > 1
    assert client.notes == []


def test_a_retry_after_holds_back_every_connection() -> None:
    """One connection told to wait 7 s: another one starting meanwhile waits too."""
    slept: list[tuple[str, float]] = []
    answers = {"first": [429, 200], "second": [200]}
    client = BalsamClient(CREDENTIALS, 10, 0.0, clock=lambda: 100.0)

    def get(name: str) -> Any:
        def answer(url: str, **kwargs: Any) -> requests.Response:
            response = requests.Response()
            response.status_code = answers[name].pop(0)
            response._content = b'{"count": 0, "results": []}'
            if response.status_code == 429:
                response.headers["Retry-After"] = "7"
            return response

        return answer

    def second() -> None:
        client.session.get = get("second")  # type: ignore[method-assign]
        client.get_json("events", [])

    def sleep(seconds: float) -> None:
        slept.append((threading.current_thread().name, seconds))
        if len(slept) == 1:  # while the first connection waits, a second one starts
            thread = threading.Thread(target=second, name="second")
            thread.start()
            thread.join()

    def first() -> None:
        client.session.get = get("first")  # type: ignore[method-assign]
        client.get_json("events", [])

    client.sleep = sleep
    thread = threading.Thread(target=first, name="first")
    thread.start()
    thread.join()
    assert slept == [("first", 7.0), ("second", 7.0)]
    assert answers == {"first": [], "second": []}
    assert (client.requests_made, client.retries) == (3, 1)
