"""Generate a scaling study as saved API responses: one run per node count, tagged
`scale_nodes`, for `python -m reportgen.demo --scaling 32,64,128,256`.

Each run is the same weak-scaling workload (three one-node jobs per node, run times drawn
around three minutes) in one batch job of its node count. A launcher starts jobs one at a
time, `LAUNCH_S` apart, onto the first free node: the more nodes, the longer nodes wait for
it, so jobs per node-minute fall as the node count grows (Balsam's launchers behave so).
Same seed, same bytes out (gzip with a zero mtime).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reportgen.demo import stamp
from reportgen.source.snapshot import write_records_gz

JOBS_PER_NODE = 3
LAUNCH_S = 0.9
"""The launcher's time to start one job."""
START_S = 120.0
"""Every run's batch job starts two minutes after the experiment's T0."""
WALL_TIME_MIN = 60
STAGE_OUT_S = 2.0


def run_events(nodes: int, rng: random.Random, first_job: int) -> Iterator[dict[str, Any]]:
    """One run's events (ids assigned by the caller): created, then run as the launcher
    starts them on free nodes, done, finished."""
    free = [START_S] * nodes
    heapq.heapify(free)
    launcher = START_S
    for index in range(nodes * JOBS_PER_NODE):
        job = first_job + index
        yield _event(job, 1.0, "CREATED", "PREPROCESSED", {})
        start = max(heapq.heappop(free), launcher)
        launcher = start + LAUNCH_S
        runtime = rng.lognormvariate(5.2, 0.15)  # ~3 minutes
        end = start + runtime
        yield _event(job, start, "PREPROCESSED", "RUNNING", {"num_nodes": 1})
        yield _event(job, end, "RUNNING", "RUN_DONE", {})
        yield _event(job, end + STAGE_OUT_S, "RUN_DONE", "JOB_FINISHED", {})
        heapq.heappush(free, end + 1.0)  # the launcher sees the node free at its next poll


def _event(job: int, at: float, from_state: str, to_state: str, data: dict[str, Any]) -> Any:
    return {
        "job_id": job,
        "timestamp": stamp(at),
        "from_state": from_state,
        "to_state": to_state,
        "data": data,
    }


def generate_scaling(out_dir: Path, seed: int, node_counts: list[int]) -> dict[str, int]:
    """Write events, jobs and batchjobs files of one run per node count; the counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    events: list[dict[str, Any]] = []
    jobs: list[dict[str, Any]] = []
    batch_jobs: list[dict[str, Any]] = []
    first = 1
    for index, nodes in enumerate(node_counts, 1):
        tag = {"experiment": "scaling", "scale_nodes": str(nodes)}
        run = list(run_events(nodes, rng, first))
        events += run
        ends = [e["timestamp"] for e in run if e["to_state"] == "JOB_FINISHED"]
        jobs += [_job(first + i, tag, index) for i in range(nodes * JOBS_PER_NODE)]
        batch_jobs.append(_batch_job(index, nodes, tag, max(ends)))
        first += nodes * JOBS_PER_NODE
    events.sort(key=lambda e: (e["timestamp"], e["job_id"]))
    numbered = ({"id": i, **e} for i, e in enumerate(events, 1))
    return {
        "events": write_records_gz(out_dir / "events.json.gz", numbered),
        "jobs": write_records_gz(out_dir / "jobs.json.gz", jobs),
        "batch_jobs": write_records_gz(out_dir / "batchjobs.json.gz", batch_jobs),
    }


def _job(job_id: int, tags: dict[str, str], batch_job: int) -> dict[str, Any]:
    return {
        "id": job_id,
        "app_id": 1,
        "workdir": f"scaling/{tags['scale_nodes']}/{job_id}",
        "tags": tags,
        "state": "JOB_FINISHED",
        "num_nodes": 1,
        "ranks_per_node": 1,
        "node_packing_count": 1,
        "gpus_per_rank": 0,
        "wall_time_min": 0,
        "batch_job_id": batch_job,
        "return_code": 0,
        "last_update": stamp(0) + "+00:00",
    }


def _batch_job(index: int, nodes: int, tags: dict[str, str], last: str) -> dict[str, Any]:
    """The run's allocation: from START_S until its last job finished (the launcher exits)."""
    return {
        "id": index,
        "site_id": 1,
        "scheduler_id": 5_200_000 + index,
        "project": "reportgen",
        "queue": "prod",
        "num_nodes": nodes,
        "wall_time_min": WALL_TIME_MIN,
        "job_mode": "mpi",
        "optional_params": {},
        "filter_tags": tags,
        "partitions": None,
        "state": "finished",
        "status_info": {},
        "start_time": stamp(START_S),
        "end_time": last,
    }
