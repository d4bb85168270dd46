"""Event queries fetched as time windows over several connections, against a real Balsam server:
the same CSVs, byte for byte, as one connection paging each query whole; also when the
connections are dropped mid-window and answered 503 or 429."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from reportgen.build import build_site
from tests.balsam_site import Server, running_server
from tests.fault_proxy import Fault, FaultProxy

pytestmark = pytest.mark.live

SPEC = """\
title: Parallel
as_of: 2024-03-01T18:00:00Z
source:
  balsam: {{client_config: {client}, parallel: {parallel}, page_size: {page_size},
            retry_backoff_s: 0}}
queries:
  events:
    all: {{tags: {{experiment: delta}}}}
    running: {{tags: {{experiment: delta}}, to_state: RUNNING}}
    morning: {{timestamp_after: '2024-03-01T08:30:00', timestamp_before: '2024-03-01T13:00:00'}}
  batch_jobs:
    all: {{filter_tags: {{experiment: delta}}}}
charts:
  - {{id: done, type: throughput, events: all, formats: [svg]}}
  - {{id: used, type: utilization, events: all, available_nodes: all, formats: [svg]}}
  - {{id: starts, type: throughput, events: running, to_state: RUNNING, formats: [svg]}}
  - {{id: morning, type: utilization, events: morning, formats: [svg]}}
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server([("delta", 8, 3000), ("other", 9, 400)]) as live:
        yield live


def build(
    server: Server, folder: Path, api_root: str, parallel: int, page_size: int = 100_000
) -> dict[str, bytes]:
    """Build the spec against `api_root`; the report's CSVs by name."""
    folder.mkdir(parents=True, exist_ok=True)
    client = server.client_yml(folder / "client.yml", api_root=api_root, retry_count=4)
    spec = folder / "parallel.yaml"
    spec.write_text(SPEC.format(client=client, parallel=parallel, page_size=page_size))
    build_site([spec], folder / "site")
    return {p.name: p.read_bytes() for p in sorted((folder / "site" / "parallel").glob("*.csv"))}


@pytest.fixture(scope="module")
def serial(server: Server, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """One connection, each query paged whole: what the windows must add up to."""
    result = build(server, tmp_path_factory.mktemp("serial"), server.api_root, parallel=1)
    assert len(result) == 4 and all(len(csv.splitlines()) > 50 for csv in result.values())
    return result


def event_requests(proxy: FaultProxy) -> list[dict[str, str]]:
    """The query strings of the /events/ requests the proxy forwarded."""
    return [dict(parse_qsl(urlsplit(path).query)) for path in proxy.paths if "/events/" in path]


@pytest.mark.parametrize("page_size", [100_000, 97])
def test_windows_over_four_connections_give_the_serial_csvs(
    server: Server, serial: dict[str, bytes], tmp_path: Path, page_size: int
) -> None:
    proxy = FaultProxy(server.api_root)
    with proxy.running():
        parallel = build(server, tmp_path, proxy.url, parallel=4, page_size=page_size)
    assert parallel == serial
    sent = event_requests(proxy)
    # the 'all' query was read as windows: bounds of its own, microseconds included
    windows = [q for q in sent if q.get("tags") == "experiment:delta" and "to_state" not in q]
    bounded = [q for q in windows if "timestamp_before" in q or "timestamp_after" in q]
    assert len(bounded) >= 4
    assert all(len(q.get("timestamp_before", "x.123456").split(".")[-1]) == 6 for q in bounded)
    # ... and the 'morning' query's windows all stay inside its own bounds
    morning = [q for q in sent if "tags" not in q and int(q.get("limit", "1")) > 1]
    assert len(morning) >= 2
    assert all(q["timestamp_after"] >= "2024-03-01T08:30:00" for q in morning)
    assert all(q["timestamp_before"] <= "2024-03-01T13:00:00" for q in morning)
    assert proxy.most_in_flight > 1


EVENTS = "/events/"
FAULTS = [
    (
        "dropped mid-window",
        [
            Fault("drop", EVENTS, also="limit=97&offset=97"),
            Fault("drop", EVENTS, also="limit=97&offset=194"),
        ],
    ),
    ("503 with Retry-After", [Fault("status", EVENTS, 503, "0", also="limit=97&offset=97")] * 3),
    ("503 without Retry-After", [Fault("status", EVENTS, 503, also="limit=97&offset=97")] * 2),
    ("429 on a quantile probe", [Fault("status", EVENTS, 429, "0", also="limit=1&offset=")]),
]


@pytest.mark.parametrize("faults", [f for _, f in FAULTS], ids=[n for n, _ in FAULTS])
def test_windows_through_faults_give_the_serial_csvs(
    server: Server, serial: dict[str, bytes], tmp_path: Path, faults: list[Fault]
) -> None:
    proxy = FaultProxy(server.api_root)
    proxy.plan = [Fault(f.kind, f.path, f.status, f.retry_after, also=f.also) for f in faults]
    with proxy.running():
        parallel = build(server, tmp_path, proxy.url, parallel=4, page_size=97)
    assert proxy.plan == [] and len(proxy.applied) == len(faults)
    assert all(applied.endswith("/events/") for applied in proxy.applied)
    assert parallel == serial
    page = (tmp_path / "site" / "parallel" / "index.html").read_text()
    assert f"{len(faults)} retried" in page
