"""Play a Balsam site against a real server: the demo simulation, replayed through the API.

Jobs and batch jobs are created with POST; every state change is a `PATCH /jobs/` carrying
`state`, `state_timestamp` and `state_data` (and, on entering RUNNING, the allocation's
`batch_job_id`), as launchers and the processing service send them; from these the server
writes its EventLog. Creation events (`CREATED -> STAGED_IN`) are stamped by the server clock.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from reportgen.demo import EventWriter, Job, Simulation, batch_job_records, stamp

ROOT = Path(__file__).resolve().parent.parent
SERVER_SCRIPT = ROOT / "scripts" / "balsam_server.py"


@dataclass(frozen=True)
class Server:
    api_root: str
    token: str
    token_expiry: str
    folder: Path

    def session(self) -> requests.Session:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {self.token}"
        return http

    def client_yml(self, path: Path, **overrides: Any) -> Path:
        settings = {
            "api_root": self.api_root,
            "token": self.token,
            "token_expiry": self.token_expiry,
            "connect_timeout": 5,
            "read_timeout": 30,
            "retry_count": 3,
            **overrides,
        }
        path.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in settings.items()))
        return path


def start_server(folder: Path) -> Server:
    run = subprocess.run(
        [sys.executable, str(SERVER_SCRIPT), "start", str(folder)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if run.returncode != 0:
        raise RuntimeError(f"starting the Balsam server failed:\n{run.stderr[-3000:]}")
    info = json.loads((folder / "server.json").read_text())
    return Server(info["api_root"], info["token"], info["token_expiry"], folder)


@contextmanager
def running_server(
    experiments: list[tuple[str, int, int]] | list[tuple[str, int, int, dict[str, str]]],
) -> Iterator[Server]:
    """A fresh server holding the given (name, seed, events[, tags]) experiments (see
    `populate`); stopped after."""
    # the postgres user must reach the cluster folder: not under pytest's private tmp
    folder = Path(tempfile.mkdtemp(prefix="reportgen-balsam-", dir="/tmp"))
    try:
        server = start_server(folder)
        for name, seed, events, *tags in experiments:
            populate(server, name, seed=seed, events=events, tags=tags[0] if tags else None)
        yield server
    finally:
        stop_server(folder)
        shutil.rmtree(folder, ignore_errors=True)


def stop_server(folder: Path) -> None:
    subprocess.run(
        [sys.executable, str(SERVER_SCRIPT), "stop", str(folder)],
        capture_output=True,
        timeout=120,
        check=True,
    )


@dataclass(frozen=True)
class Change:
    job: int
    at: float
    state: str
    data: dict[str, Any]
    batch_job: int | None


class _Recorder(EventWriter):
    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.count = 0

    def write(self, job: Job, at: float, to_state: str, data: dict[str, Any]) -> None:
        batch_job = job.batch_job_id if to_state == "RUNNING" else None
        self.changes.append(Change(job.id, at, to_state, dict(data), batch_job))
        self.count += 1
        job.state = to_state
        job.last_update = at


def populate(
    server: Server, experiment: str, seed: int, events: int, tags: dict[str, str] | None = None
) -> dict[str, int]:
    """Create a site with one experiment and replay its simulated history; return counts.
    `tags` are added to every job's tags and every batch job's filter_tags (a run of a
    study: `{"scale_nodes": "4"}`), and name the site apart from the experiment's others."""
    http = server.session()
    tags = tags or {}
    label = "".join(f"-{key}-{value}" for key, value in sorted(tags.items()))
    root = server.api_root

    def call(method: str, path: str, body: Any) -> Any:
        answer = http.request(method, f"{root}/{path}", json=body, timeout=120)
        if answer.status_code not in (200, 201):
            raise RuntimeError(f"{method} /{path} answered {answer.status_code}: {answer.text}")
        return answer.json()

    sim = Simulation(seed, events)
    recorder = _Recorder()
    sim.run(recorder)
    site = call(
        "POST",
        "sites/",
        {
            "name": f"reportgen-{experiment}{label}",
            "path": f"/projects/{experiment}{label}",
            "allowed_projects": ["reportgen"],
            "allowed_queues": {},
        },
    )
    app = call(
        "POST",
        "apps/",
        {
            "site_id": site["id"],
            "name": "SimulateMD",
            "description": "",
            "serialized_class": "",
            "source_code": "",
            "parameters": {},
            "transfers": {},
        },
    )
    batch_ids: dict[int, int] = {}
    for record in batch_job_records(sim):
        created = call(
            "POST",
            "batch-jobs/",
            {
                "site_id": site["id"],
                "project": "reportgen",
                "queue": record["queue"],
                "num_nodes": record["num_nodes"],
                "wall_time_min": record["wall_time_min"],
                "job_mode": record["job_mode"],
                "filter_tags": {**record["filter_tags"], "experiment": experiment, **tags},
            },
        )
        batch_ids[record["id"]] = created["id"]
        call(
            "PATCH",
            "batch-jobs/",
            [
                {
                    "id": created["id"],
                    "state": record["state"],
                    "scheduler_id": 4_100_000 + 1000 * seed + record["id"],
                    "start_time": record["start_time"],
                    "end_time": record["end_time"],
                }
            ],
        )
    job_ids: dict[int, int] = {}
    for first in range(0, len(sim.jobs), 500):
        chunk = sim.jobs[first : first + 500]
        created = call(
            "POST",
            "jobs/",
            [
                {
                    "app_id": app["id"],
                    "workdir": f"{experiment}{label}/{j.id}",
                    "tags": {"experiment": experiment, "campaign": j.campaign, **tags},
                    "num_nodes": j.num_nodes,
                    "node_packing_count": j.packing,
                }
                for j in chunk
            ],
        )
        job_ids.update((j.id, c["id"]) for j, c in zip(chunk, created, strict=True))
    changes = sorted((c for c in recorder.changes if c.state != "STAGED_IN"), key=lambda c: c.at)
    batch: list[dict[str, Any]] = []
    for change in changes:
        item: dict[str, Any] = {
            "id": job_ids[change.job],
            "state": change.state,
            "state_timestamp": stamp(change.at),
            "state_data": change.data,
        }
        if change.batch_job is not None:
            item["batch_job_id"] = batch_ids[change.batch_job]
        # one job at most once per request, and one set of keys (the server's bulk UPDATE
        # binds every row with the first row's columns)
        if batch and (any(b["id"] == item["id"] for b in batch) or batch[0].keys() != item.keys()):
            call("PATCH", "jobs/", batch)
            batch = []
        batch.append(item)
    if batch:
        call("PATCH", "jobs/", batch)
    return {"jobs": len(job_ids), "batch_jobs": len(batch_ids), "changes": len(changes)}


def save_everything(server: Server, folder: Path) -> dict[str, Path]:
    """Every event, job and batch job of the user, fetched with plain requests (one page each,
    no filters) and written as saved-API files: the independent input of the files source."""
    http = server.session()
    paths = {}
    for kind, path in (("events", "events"), ("jobs", "jobs"), ("batch_jobs", "batch-jobs")):
        page = http.get(f"{server.api_root}/{path}/", params={"limit": 100_000}, timeout=120).json()
        assert page["count"] == len(page["results"]) < 100_000
        paths[kind] = folder / f"{kind}.json"
        paths[kind].write_text(json.dumps(page))
    return paths
