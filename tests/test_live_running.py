"""A report built while an allocation runs, against the real Balsam server: the server keeps
the running batch job's start_time null (as real sites do until the allocation has ended), so
its start is estimated from its jobs' first entry into RUNNING; once the server has its start
and end times, those win. Expected values by hand (node-minutes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from reportgen.build import build_site
from tests.balsam_site import Server, running_server

pytestmark = pytest.mark.live
DAY = "2024-03-01T"

SPEC = """\
title: Running now
source:
  balsam: {client_config: client.yml}
as_of: 2024-03-01T09:00:00Z
time_axis: elapsed_minutes
queries:
  events: {now: {tags: {experiment: now}}}
  batch_jobs: {now: {filter_tags: {experiment: now}}}
charts:
  - {id: nodes, type: available_nodes, batch_jobs: now, formats: [svg]}
  - {id: ledger, type: node_hours, events: now, batch_jobs: now, formats: [svg]}
  - {id: alloc, type: allocations, batch_jobs: now, events: now, formats: [png]}
"""


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server([]) as live:
        yield live


class Site:
    """Plays a Balsam site through the REST API, as `balsam_site.populate` does."""

    def __init__(self, server: Server) -> None:
        self.http, self.root = server.session(), server.api_root

    def call(self, method: str, path: str, body: Any) -> Any:
        answer = self.http.request(method, f"{self.root}/{path}", json=body, timeout=60)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def state(self, job: int, minute: int, state: str, batch_job: int | None = None) -> None:
        item: dict[str, Any] = {
            "id": job,
            "state": state,
            "state_timestamp": f"{DAY}08:{minute:02d}:00",
            "state_data": {"num_nodes": 1.0} if state == "RUNNING" else {},
        }
        if batch_job is not None:
            item["batch_job_id"] = batch_job
        self.call("PATCH", "jobs/", [item])


def csv_rows(path: Path) -> dict[str, str]:
    return dict(line.split(",") for line in path.read_text().splitlines()[1:])


def test_a_running_allocation_is_estimated_then_the_servers_times_win(
    server: Server, tmp_path: Path
) -> None:
    site = Site(server)
    where = site.call(
        "POST",
        "sites/",
        {"name": "now", "path": "/projects/now", "allowed_projects": ["p"], "allowed_queues": {}},
    )
    app = site.call(
        "POST",
        "apps/",
        {
            "site_id": where["id"],
            "name": "Sim",
            "description": "",
            "serialized_class": "",
            "source_code": "",
            "parameters": {},
            "transfers": {},
        },
    )
    batch = site.call(
        "POST",
        "batch-jobs/",
        {
            "site_id": where["id"],
            "project": "p",
            "queue": "prod",
            "num_nodes": 2,
            "wall_time_min": 60,
            "job_mode": "mpi",
            "filter_tags": {"experiment": "now"},
        },
    )
    bj = batch["id"]
    # queued at 08:05 (as Balsam's scheduler service writes it), then running: no start_time
    running = {"id": bj, "state": "running", "scheduler_id": 4242}
    running["status_info"] = {"submit_time": f"{DAY[:-1]} 08:05:00"}
    site.call("PATCH", "batch-jobs/", [running])
    jobs = site.call(
        "POST",
        "jobs/",
        [
            {
                "app_id": app["id"],
                "workdir": f"now/{i}",
                "tags": {"experiment": "now"},
                "num_nodes": 1,
                "node_packing_count": 1,
            }
            for i in range(3)
        ],
    )
    j1, j2, j3 = (j["id"] for j in jobs)
    for j in (j1, j2, j3):
        site.state(j, 0, "PREPROCESSED")
    site.state(j1, 10, "RUNNING", bj)
    site.state(j2, 12, "RUNNING", bj)
    site.state(j1, 40, "RUN_DONE")
    site.state(j3, 41, "RUNNING", bj)
    served = requests.get(
        f"{server.api_root}/batch-jobs/",
        headers=site.http.headers,
        params={"id": bj},
        timeout=60,
    ).json()["results"][0]
    assert (served["state"], served["start_time"], served["end_time"]) == ("running", None, None)

    server.client_yml(tmp_path / "client.yml")
    (tmp_path / "spec.yaml").write_text(SPEC)
    build_site([tmp_path / "spec.yaml"], tmp_path / "site")
    out = tmp_path / "site/spec"
    # the allocation from job 1's entry into RUNNING (08:10) to the as-of time (09:00)
    alloc = (out / "alloc.csv").read_text().splitlines()
    assert alloc[0].endswith(",node_hours,start_source,start_from_job_id")
    assert alloc[1] == (
        f"{bj},4242,prod,running,2,2024-03-01T08:10:00.000000Z,2024-03-01T09:00:00.000000Z,"
        f"2024-03-01T09:10:00.000000Z,50.000000,60.000000,1.666667,estimated,{j1}"
    )
    assert (out / "nodes.csv").read_text() == (
        "series,timestamp,value\navailable_nodes,2024-03-01T08:10:00.000000Z,2\n"
    )
    ledger = csv_rows(out / "ledger.csv")
    # available 2 x 50 = 100; useful job 1 30; running job 2 48 + job 3 19 = 67; idle 3,
    # each minute with a job waiting (08:10-08:12: 2, 08:40-08:41: 1); nothing over capacity
    assert ledger["available"] == "1.666667"
    assert (ledger["useful"], ledger["running"]) == ("0.500000", "1.116667")
    assert (ledger["idle_jobs_waiting"], ledger["over_capacity"]) == ("0.050000", "0.000000")
    page = (out / "index.html").read_text()
    assert f"job {j1} entering RUNNING" in page and "Hatched bar" in page

    # the allocation ends: its jobs leave RUNNING, the server gets its start and end times
    site.state(j2, 50, "RUN_DONE")
    site.state(j3, 50, "RUN_TIMEOUT")
    ended = {"id": bj, "state": "finished"}
    ended |= {"start_time": f"{DAY}08:08:00", "end_time": f"{DAY}08:50:00"}
    site.call("PATCH", "batch-jobs/", [ended])
    build_site([tmp_path / "spec.yaml"], tmp_path / "site")
    alloc = (out / "alloc.csv").read_text().splitlines()
    assert alloc[0].endswith(",wall_minutes_requested,node_hours")
    assert alloc[1] == (
        f"{bj},4242,prod,finished,2,2024-03-01T08:08:00.000000Z,2024-03-01T08:50:00.000000Z,"
        "2024-03-01T09:08:00.000000Z,42.000000,60.000000,1.400000"
    )
    assert not list(out.glob("*estimated_starts*"))
    ledger = csv_rows(out / "ledger.csv")
    # available 2 x 42 = 84; useful 30 + 38; timed out 9; idle 4 + 2 + 1 with jobs waiting
    assert (ledger["available"], ledger["useful"]) == ("1.400000", "1.133333")
    assert (ledger["timed_out"], ledger["idle_jobs_waiting"]) == ("0.150000", "0.116667")
    assert (ledger["running"], ledger["over_capacity"]) == ("0.000000", "0.000000")
    assert "estimated start" not in (out / "index.html").read_text()
