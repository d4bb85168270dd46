"""Generate a realistic Balsam experiment as saved API responses (the bundled demo).

    python -m reportgen.demo --seed 1 --events 30000 --out report_specs/data [--format jsonl]

A small discrete-event simulation plays a Balsam site: jobs are created in waves and
preprocessed; overlapping batch jobs (MPI and serial, of different sizes) start launchers that
poll every few seconds and start ready jobs that fit, smallest node count first; jobs finish,
fail (`RUNNING -> RUN_ERROR -> FAILED`) or time out when their allocation ends (`RUNNING ->
RUN_TIMEOUT -> RESTART_READY` at that instant, then `RESTART_READY -> RUNNING` in a later
allocation). One allocation is still running at the end, one never starts. Events carry the
`data` Balsam's launchers write (`num_nodes` = nodes / node_packing_count). Same seed and size,
same bytes out: the files are gzip with a zero mtime.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from reportgen.source.snapshot import RecordsWriter, open_gz_text, write_records_gz

T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
HORIZON_S = 10 * 3600
"""The experiment runs from T0 for ten hours; the demo spec's as_of is its end."""
EVENTS_PER_JOB = 4.8
POLL_S = 5
UNITS_PER_NODE = 8
"""Capacity in 1/8 nodes, so packed serial jobs (1, 2, 4 or 8 per node) add up exactly."""


@dataclass
class Job:
    id: int
    mode: str
    num_nodes: int
    packing: int
    campaign: str
    runtime_s: float
    fails: bool
    state: str = "CREATED"
    batch_job_id: int | None = None
    last_update: float = 0.0

    @property
    def units(self) -> int:
        return self.num_nodes * UNITS_PER_NODE // self.packing

    @property
    def weight(self) -> float:
        return self.num_nodes / self.packing


@dataclass
class Allocation:
    id: int
    mode: str
    num_nodes: int
    start_s: float | None
    wall_time_min: int
    campaign: str
    free_units: int = 0
    running: dict[int, int] = field(default_factory=dict)
    """job id -> generation, so a completion scheduled before a timeout is recognised as stale."""
    polling: bool = False

    @property
    def end_s(self) -> float | None:
        return None if self.start_s is None else self.start_s + self.wall_time_min * 60


class EventWriter:
    """Streams events out as they happen, so 10^7 events never sit in memory."""

    def __init__(self, out: RecordsWriter) -> None:
        self.out = out
        self.count = 0

    def write(self, job: Job, at: float, to_state: str, data: dict[str, Any]) -> None:
        record = {
            "id": self.count + 1,
            "job_id": job.id,
            "timestamp": stamp(at),
            "from_state": job.state,
            "to_state": to_state,
            "data": data,
        }
        self.out.add(record)
        self.count += 1
        job.state = to_state
        job.last_update = at


def stamp(seconds: float) -> str:
    """Naive UTC as Balsam writes it: microseconds omitted when zero."""
    moment = T0 + timedelta(microseconds=round(seconds * 1e6))
    return moment.replace(tzinfo=None).isoformat()


class Simulation:
    def __init__(self, seed: int, events: int) -> None:
        self.rng = random.Random(seed)
        self.jobs = self._make_jobs(max(40, round(events / EVENTS_PER_JOB)))
        self.allocations = self._make_allocations()
        self.ready: dict[str, deque[Job]] = {"mpi": deque(), "serial": deque()}
        self.heap: list[tuple[float, int, str, int, int]] = []
        self.sequence = 0
        self.generation: dict[int, int] = {}

    def _make_jobs(self, count: int) -> list[Job]:
        rng, jobs = self.rng, []
        for job_id in range(1, count + 1):
            mode = "serial" if rng.random() < 0.4 else "mpi"
            nodes = 1 if mode == "serial" else rng.choice([1, 1, 1, 2, 2, 4, 8])
            packing = rng.choice([2, 4, 8]) if mode == "serial" else 1
            runtime = min(rng.lognormvariate(6.0, 0.6), 3 * 3600)
            jobs.append(
                Job(
                    job_id,
                    mode,
                    nodes,
                    packing,
                    rng.choice("ABCD"),
                    runtime,
                    fails=rng.random() < 0.03,
                )
            )
        return jobs

    def _make_allocations(self) -> list[Allocation]:
        rng = self.rng
        demand = sum(j.weight * j.runtime_s for j in self.jobs) / 60  # node-minutes
        sizes = [2, 4, 8, 16, 32, 64]
        mean_capacity = sum(sizes) / len(sizes) * 105
        count = max(6, round(1.05 * demand / mean_capacity))
        allocations = []
        for index in range(count):
            mode = "serial" if index % 3 == 1 else "mpi"
            start = rng.uniform(600, HORIZON_S - 100 * 60) if index else 300.0
            allocations.append(
                Allocation(
                    index + 1,
                    mode,
                    rng.choice(sizes),
                    start,
                    rng.choice([60, 90, 120, 150]),
                    rng.choice("ABCD"),
                )
            )
        allocations.append(Allocation(count + 1, "mpi", 16, HORIZON_S - 40 * 60, 120, "A"))
        allocations.append(Allocation(count + 2, "mpi", 32, None, 60, "B"))  # queued
        return allocations

    def push(self, at: float, kind: str, first: int, second: int = 0) -> None:
        self.sequence += 1
        heapq.heappush(self.heap, (at, self.sequence, kind, first, second))

    def run(self, writer: EventWriter) -> None:
        for job in self.jobs:
            wave = (job.id * 7919 % len(self.jobs)) / len(self.jobs)
            self.push(wave * 4 * 3600, "create", job.id)
        for allocation in self.allocations:
            if allocation.start_s is not None:
                self.push(allocation.start_s, "start", allocation.id)
                self.push(allocation.start_s + allocation.wall_time_min * 60, "end", allocation.id)
        while self.heap:
            at, _, kind, first, second = heapq.heappop(self.heap)
            if at > HORIZON_S:
                break
            getattr(self, f"_on_{kind}")(writer, at, first, second)

    def _on_create(self, writer: EventWriter, at: float, job_id: int, _: int) -> None:
        job = self.jobs[job_id - 1]
        writer.write(job, at, "STAGED_IN", {})
        # the preprocessing service works in sweeps: many jobs share one timestamp
        self.push((at // 60 + 1) * 60, "preprocess", job_id)

    def _on_preprocess(self, writer: EventWriter, at: float, job_id: int, _: int) -> None:
        job = self.jobs[job_id - 1]
        writer.write(job, at, "PREPROCESSED", {})
        self.ready[job.mode].append(job)

    def _on_start(self, writer: EventWriter, at: float, allocation_id: int, _: int) -> None:
        allocation = self.allocations[allocation_id - 1]
        allocation.free_units = allocation.num_nodes * UNITS_PER_NODE
        self._on_poll(writer, at, allocation_id, 0)

    def _on_poll(self, writer: EventWriter, at: float, allocation_id: int, _: int) -> None:
        allocation = self.allocations[allocation_id - 1]
        allocation.polling = False
        end = allocation.end_s
        if end is None or at >= end:
            return
        queue = self.ready[allocation.mode]
        candidates = sorted(itertools.islice(queue, 64), key=lambda j: (j.num_nodes, j.id))
        for job in candidates:
            if job.units > allocation.free_units:
                continue
            queue.remove(job)
            allocation.free_units -= job.units
            generation = self.generation.get(job.id, 0) + 1
            self.generation[job.id] = generation
            allocation.running[job.id] = generation
            job.batch_job_id = allocation.id
            writer.write(job, at, "RUNNING", {"num_nodes": job.weight})
            runtime = job.runtime_s * (0.3 if job.fails else 1.0)
            self.push(at + runtime, "finish", job.id, generation)
        if queue:  # jobs become ready later: keep polling while capacity is free
            self._schedule_poll(allocation, at + 60)

    def _schedule_poll(self, allocation: Allocation, at: float) -> None:
        if not allocation.polling:
            allocation.polling = True
            self.push((at // POLL_S + 1) * POLL_S, "poll", allocation.id)

    def _on_finish(self, writer: EventWriter, at: float, job_id: int, generation: int) -> None:
        job = self.jobs[job_id - 1]
        allocation = self.allocations[(job.batch_job_id or 0) - 1]
        if allocation.running.get(job_id) != generation:
            return  # timed out earlier
        del allocation.running[job_id]
        allocation.free_units += job.units
        if job.fails:
            writer.write(job, at, "RUN_ERROR", {"returncode": 1, "error": "exit code 1"})
            writer.write(
                job,
                at + self.rng.choice([0.0, 1.5]),
                "FAILED",
                {"message": "Job failed: nonzero return code"},
            )
        else:
            writer.write(job, at, "RUN_DONE", {})
            done = at if self.rng.random() < 0.3 else at + self.rng.uniform(0.5, 20)
            writer.write(job, done, "JOB_FINISHED", {"message": "Skipped stage out"})
        self._schedule_poll(allocation, at)

    def _on_end(self, writer: EventWriter, at: float, allocation_id: int, _: int) -> None:
        allocation = self.allocations[allocation_id - 1]
        for job_id in sorted(allocation.running):
            job = self.jobs[job_id - 1]
            writer.write(job, at, "RUN_TIMEOUT", {})
            writer.write(job, at, "RESTART_READY", {})
            self.ready[job.mode].appendleft(job)
        allocation.running.clear()
        allocation.free_units = 0


def job_records(sim: Simulation) -> Iterator[dict[str, Any]]:
    for job in sim.jobs:
        yield {
            "id": job.id,
            "app_id": 1,
            "workdir": f"demo/{job.campaign}/{job.id}",
            "tags": {"experiment": "demo", "campaign": job.campaign},
            "state": job.state,
            "num_nodes": job.num_nodes,
            "ranks_per_node": 1,
            "node_packing_count": job.packing,
            "gpus_per_rank": 0,
            "wall_time_min": 0,
            "batch_job_id": job.batch_job_id,
            "return_code": None,
            "last_update": stamp(job.last_update) + "+00:00",
        }


def batch_job_records(sim: Simulation) -> Iterator[dict[str, Any]]:
    for a in sim.allocations:
        end = a.end_s
        if a.start_s is None:
            state, start_text, end_text = "queued", None, None
        elif end is not None and end <= HORIZON_S:
            state, start_text, end_text = "finished", stamp(a.start_s), stamp(end)
        else:
            state, start_text, end_text = "running", stamp(a.start_s), None
        yield {
            "id": a.id,
            "site_id": 1,
            "scheduler_id": 4_100_000 + 37 * a.id,
            "project": "reportgen",
            "queue": "prod",
            "num_nodes": a.num_nodes,
            "wall_time_min": a.wall_time_min,
            "job_mode": a.mode,
            "optional_params": {},
            "filter_tags": {"experiment": "demo", "campaign": a.campaign},
            "partitions": None,
            "state": state,
            "status_info": {},
            "start_time": start_text,
            "end_time": end_text,
        }


def generate(out_dir: Path, seed: int, events: int, jsonl: bool = False) -> dict[str, int]:
    """Write events, jobs and batchjobs files into out_dir; return the record counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".jsonl.gz" if jsonl else ".json.gz"
    sim = Simulation(seed, events)
    with open_gz_text(out_dir / f"events{suffix}") as out:
        records = RecordsWriter(out, jsonl)
        writer = EventWriter(records)
        sim.run(writer)
        records.close()
    return {
        "events": writer.count,
        "jobs": write_records_gz(out_dir / f"jobs{suffix}", job_records(sim), jsonl),
        "batch_jobs": write_records_gz(
            out_dir / f"batchjobs{suffix}", batch_job_records(sim), jsonl
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reportgen.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--events", type=int, default=30_000, help="approximate number of events (default 30000)"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("report_specs/data"),
        help="output folder (default report_specs/data)",
    )
    parser.add_argument(
        "--scaling",
        type=_node_counts,
        metavar="N,N,...",
        help="instead, a scaling study: one run per node count, tagged scale_nodes "
        "(see reportgen/demoscale.py), e.g. 32,64,128,256",
    )
    parser.add_argument(
        "--format",
        choices=["page", "jsonl"],
        default="page",
        help="one API page per file (default) or JSON Lines",
    )
    args = parser.parse_args(argv)
    if args.scaling:
        from reportgen.demoscale import generate_scaling

        counts = generate_scaling(args.out, args.seed, args.scaling)
    else:
        counts = generate(args.out, args.seed, args.events, jsonl=args.format == "jsonl")
    print(", ".join(f"{n} {k}" for k, n in counts.items()), f"written to {args.out}")
    return 0


def _node_counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",")]
    except ValueError:
        counts = []
    if not counts or any(n < 1 for n in counts):
        raise argparse.ArgumentTypeError(f"expected node counts like 32,64,128; got {text!r}")
    return counts


if __name__ == "__main__":
    raise SystemExit(main())
