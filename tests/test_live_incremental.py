"""Incremental fetch against a real Balsam server: build, change the server as a running site
does (new jobs running, some finishing, events inserted late with earlier timestamps, a job
deleted), rebuild from the kept records; the CSVs equal those of a full fetch with an empty
cache, byte for byte, and the rebuild moved at most 5% of the records a full fetch moves
(counted by the fault proxy), also while it drops connections and answers 503.

`lag_s: 0` here: the fixture's replayed history is dated 2024, but every job's creation event
carries the server's clock at seeding, so any lag of seconds would put all of them in the zone
fetched again; on a real site all events are recent and a lag of minutes is a sliver of them.
Correctness never rests on the lag: the counts find what it misses.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from reportgen.build import build_site
from reportgen.cli import main
from tests.balsam_site import Server, running_server
from tests.fault_proxy import Fault, FaultProxy

pytestmark = pytest.mark.live

SPEC = """\
title: Incremental
as_of: {as_of}
source:
  balsam: {{client_config: {client}, lag_s: 0, page_size: {page_size}, retry_backoff_s: 0}}
queries:
  events:
    all: {{tags: {{experiment: eps}}}}
    done: {{tags: {{experiment: eps}}, to_state: JOB_FINISHED}}
  batch_jobs:
    all: {{filter_tags: {{experiment: eps}}}}
charts:
  - {{id: done, type: throughput, events: done, formats: [svg]}}
  - {{id: used, type: utilization, events: all, available_nodes: all, formats: [svg]}}
  - {{id: jobs, type: jobs_table, events: all}}
"""
AS_OF = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
"""After every event the tests make (one as_of for all their builds: running jobs run to it)."""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server([("eps", 12, 16000), ("zeta", 13, 300)]) as live:
        yield live


def spec(server: Server, folder: Path, api_root: str, page_size: int = 100_000) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    client = server.client_yml(folder / "client.yml", api_root=api_root, retry_count=4)
    path = folder / "incremental.yaml"
    path.write_text(SPEC.format(as_of=AS_OF, client=client, page_size=page_size))
    return path


def build(spec_path: Path, cache: Path) -> dict[str, bytes]:
    site = spec_path.parent / "site"
    build_site([spec_path], site, cache_dir=cache)
    return {p.name: p.read_bytes() for p in sorted((site / "incremental").glob("*.csv"))}


@pytest.fixture(scope="module")
def proxy(server: Server) -> Iterator[FaultProxy]:
    """One proxy for every build: the kept records are keyed by the api_root, its address."""
    with FaultProxy(server.api_root).running() as running:
        yield running


def counted_build(
    proxy: FaultProxy,
    server: Server,
    folder: Path,
    cache: Path,
    faults: tuple[Fault, ...] = (),
    page_size: int = 100_000,
) -> tuple[dict[str, bytes], int]:
    """A build through the proxy: its CSVs and the records the proxy passed."""
    proxy.plan, proxy.applied, proxy.records = list(faults), [], 0
    csvs = build(spec(server, folder, proxy.url, page_size), cache)
    return csvs, proxy.records


def call(server: Server, method: str, path: str, body: Any = None) -> Any:
    answer = server.session().request(method, f"{server.api_root}/{path}", json=body, timeout=60)
    assert answer.status_code in (200, 201, 204), answer.text
    return answer.json() if answer.content else None


def patch(server: Server, changes: list[dict[str, Any]]) -> None:
    """Each change in its own request (a job at most once per request, one set of keys)."""
    for change in changes:
        call(server, "PATCH", "jobs/", [change])


def advance(server: Server, round: int) -> dict[str, int]:
    """What a running site does between two builds; returns how many of each it did."""
    jobs = call(server, "GET", "jobs/?tags=experiment:eps&limit=100000&ordering=id")["results"]
    assert len(jobs) > 1000
    # new jobs start running now, and half of them finish
    created = call(
        server,
        "POST",
        "jobs/",
        [
            {
                "app_id": jobs[0]["app_id"],
                "workdir": f"eps/new-{round}-{n}",
                "tags": {"experiment": "eps", "campaign": "A"},
                "num_nodes": 1,
                "node_packing_count": 1,
            }
            for n in range(8)
        ],
    )
    for state in ("PREPROCESSED", "RUNNING"):
        data = {"num_nodes": 1.0} if state == "RUNNING" else {}
        patch(server, [{"id": j["id"], "state": state, "state_data": data} for j in created])
    for state in ("RUN_DONE", "JOB_FINISHED"):
        patch(server, [{"id": j["id"], "state": state, "state_data": {}} for j in created[:4]])
    # two old jobs get an event dated hours back (the launcher's batch arriving late)
    late = [jobs[100 + 7 * round], jobs[600 + 7 * round]]
    patch(
        server,
        [
            {
                "id": job["id"],
                "state": "RUN_TIMEOUT",
                "state_timestamp": f"2024-03-01T{10 + n}:{17 + round}:00.250000",
                "state_data": {"message": "late"},
            }
            for n, job in enumerate(late)
        ],
    )
    # one job is deleted, its events with it
    call(server, "DELETE", f"jobs/{jobs[300 + 11 * round]['id']}")
    return {"created": len(created), "late": len(late), "deleted": 1}


def test_a_rebuild_fetches_what_changed_and_equals_a_full_fetch(
    server: Server, proxy: FaultProxy, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first, full_records = counted_build(proxy, server, tmp_path / "first", cache)
    assert full_records > 20000
    forwarded = proxy.forwarded
    unchanged, unchanged_records = counted_build(proxy, server, tmp_path / "unchanged", cache)
    assert unchanged == first
    # an unchanged server: per query the recent zone (its probe and page: the jobs' list is
    # not cut in windows) and one count; one request for the batch jobs, one for the version
    assert proxy.forwarded - forwarded <= 3 + 3 + 2 + 1 + 1
    assert unchanged_records < 0.05 * full_records
    advance(server, 0)
    rebuilt, rebuilt_records = counted_build(proxy, server, tmp_path / "rebuilt", cache)
    fresh = build(spec(server, tmp_path / "fresh", server.api_root), tmp_path / "empty")
    assert rebuilt == fresh
    assert rebuilt != first
    assert rebuilt_records <= 0.05 * full_records, (rebuilt_records, full_records)


FAULTS = (
    Fault("drop", "limit=0"),
    Fault("status", "limit=0", 503),
    Fault("drop", "limit=10&offset=10"),
    Fault("status", "limit=10&offset=20", 503, "0"),
    Fault("status", "/jobs/", 503),
)
"""Counts dropped and refused, and pages 2 and 3 of a fetch (pages of 10: the rebuild's
fetches are small), dropped and refused mid-way."""


def test_a_rebuild_through_dropped_connections_and_503s_equals_a_full_fetch(
    server: Server, proxy: FaultProxy, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    _, full_records = counted_build(proxy, server, tmp_path / "first", cache)
    advance(server, 1)
    rebuilt, rebuilt_records = counted_build(
        proxy, server, tmp_path / "rebuilt", cache, FAULTS, page_size=10
    )
    assert proxy.plan == [], proxy.plan  # every fault was met
    fresh = build(spec(server, tmp_path / "fresh", server.api_root), tmp_path / "empty")
    assert rebuilt == fresh
    assert rebuilt_records <= 0.05 * full_records, (rebuilt_records, full_records)
    page = (tmp_path / "rebuilt" / "site" / "incremental" / "index.html").read_text()
    assert "kept from the last build" in page
    assert f"{len(FAULTS)} retried" in page


def test_refresh_fetches_everything_and_the_token_is_in_no_cache_file(
    server: Server, proxy: FaultProxy, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    _, full_records = counted_build(proxy, server, tmp_path / "first", cache)
    path = spec(server, tmp_path / "again", proxy.url)
    again = ["build", str(path), "--out", str(tmp_path / "again" / "site"), "--quiet"]
    assert main([*again, "--cache-dir", str(cache)]) == 0
    kept = proxy.records - full_records
    assert main([*again, "--cache-dir", str(cache), "--refresh"]) == 0
    assert kept < 0.01 * full_records
    assert proxy.records - kept - full_records == full_records
    stored = list((cache / "fetched").glob("*.npz"))
    assert len(stored) == 3  # the two event queries and the jobs
    files = [file for file in cache.rglob("*") if file.is_file()]
    assert set(stored) < set(files)
    for file in files:
        assert server.token.encode() not in b"".join(_contents(file)), file


def _contents(file: Path) -> list[bytes]:
    """The file's bytes, and each member's if it is a zip (an .npz: stored or deflated)."""
    raw = [file.read_bytes()]
    if zipfile.is_zipfile(file):
        with zipfile.ZipFile(file) as archive:
            raw += [archive.read(name) for name in archive.namelist()]
    return raw
