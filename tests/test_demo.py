"""The bundled demo experiment: reproducible from its generator, and as realistic as promised."""

from __future__ import annotations

import gzip
import itertools
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from reportgen.demo import generate
from tests.conftest import ROOT

DATA = ROOT / "report_specs" / "data"


def load(name: str) -> list[dict[str, Any]]:
    document = json.loads(gzip.decompress((DATA / name).read_bytes()))
    assert document["count"] == len(document["results"])
    return list(document["results"])


def test_the_bundled_files_are_exactly_what_the_generator_writes(tmp_path: Path) -> None:
    generate(tmp_path, seed=1, events=30_000)
    for name in ("events.json.gz", "jobs.json.gz", "batchjobs.json.gz"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_json_lines_output_has_the_same_records(tmp_path: Path) -> None:
    generate(tmp_path / "pages", seed=3, events=2_000)
    generate(tmp_path / "lines", seed=3, events=2_000, jsonl=True)
    pages = json.loads(gzip.decompress((tmp_path / "pages/events.json.gz").read_bytes()))
    lines = gzip.decompress((tmp_path / "lines/events.jsonl.gz").read_bytes()).splitlines()
    assert [json.loads(line) for line in lines] == pages["results"]


@pytest.fixture(scope="module")
def demo() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    return load("events.json.gz"), load("jobs.json.gz"), load("batchjobs.json.gz")


def test_demo_is_tens_of_thousands_of_events(demo: Any) -> None:
    events, jobs, _ = demo
    assert 20_000 <= len(events) <= 60_000 and len(jobs) > 3_000


def test_allocations_overlap_differ_in_size_and_cover_every_end_state(demo: Any) -> None:
    _, _, batch_jobs = demo
    states = Counter(b["state"] for b in batch_jobs)
    assert states["running"] >= 1 and states["queued"] >= 1 and states["finished"] > 5
    running = [b for b in batch_jobs if b["state"] == "running"]
    assert all(b["start_time"] and b["end_time"] is None for b in running)
    assert all(b["start_time"] is None for b in batch_jobs if b["state"] == "queued")
    assert len({b["num_nodes"] for b in batch_jobs}) >= 4
    assert {b["job_mode"] for b in batch_jobs} == {"mpi", "serial"}
    finished = sorted(
        (b["start_time"], b["end_time"]) for b in batch_jobs if b["state"] == "finished"
    )
    assert any(later[0] < earlier[1] for earlier, later in itertools.pairwise(finished))


def test_jobs_mix_mpi_sizes_and_packed_serial_jobs(demo: Any) -> None:
    events, jobs, _ = demo
    assert len({j["num_nodes"] for j in jobs}) >= 3
    assert any(j["node_packing_count"] > 1 for j in jobs)
    weights = {e["data"]["num_nodes"] for e in events if e["to_state"] == "RUNNING"}
    assert {0.5, 0.25, 0.125} <= weights and {1.0, 2.0} <= weights


def test_state_sequences_are_balsams(demo: Any) -> None:
    events, _, _ = demo
    allowed = {
        ("CREATED", "STAGED_IN"),
        ("STAGED_IN", "PREPROCESSED"),
        ("PREPROCESSED", "RUNNING"),
        ("RUNNING", "RUN_DONE"),
        ("RUN_DONE", "JOB_FINISHED"),
        ("RUNNING", "RUN_ERROR"),
        ("RUN_ERROR", "FAILED"),
        ("RUNNING", "RUN_TIMEOUT"),
        ("RUN_TIMEOUT", "RESTART_READY"),
        ("RESTART_READY", "RUNNING"),
    }
    pairs = Counter((e["from_state"], e["to_state"]) for e in events)
    assert set(pairs) == allowed
    by_job: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for e in sorted(events, key=lambda e: e["id"]):
        by_job[e["job_id"]].append(e)
    for history in by_job.values():
        for before, after in itertools.pairwise(history):
            assert before["to_state"] == after["from_state"]
            assert before["timestamp"] <= after["timestamp"]


def test_timestamps_are_shared_and_written_as_balsam_writes_them(demo: Any) -> None:
    events, _, _ = demo
    counts = Counter(e["timestamp"] for e in events)
    assert sum(1 for n in counts.values() if n > 1) > 100
    assert any(len(t) == 19 for t in counts) and any(len(t) == 26 for t in counts)
    timeouts = {(e["job_id"], e["timestamp"]) for e in events if e["to_state"] == "RUN_TIMEOUT"}
    restarts = {(e["job_id"], e["timestamp"]) for e in events if e["to_state"] == "RESTART_READY"}
    assert timeouts and timeouts == restarts  # timeout and restart-ready at one instant


def test_the_bundled_scaling_study_is_what_the_generator_writes(tmp_path: Path) -> None:
    from reportgen.demoscale import generate_scaling

    counts = generate_scaling(tmp_path, seed=1, node_counts=[32, 64, 128, 256])
    assert counts == {"events": 5760, "jobs": 1440, "batch_jobs": 4}
    bundled = ROOT / "report_specs" / "scaling-data"
    for name in ("events.json.gz", "jobs.json.gz", "batchjobs.json.gz"):
        assert (tmp_path / name).read_bytes() == (bundled / name).read_bytes(), name
    assert sum(p.stat().st_size for p in bundled.iterdir()) < 200_000  # bundled data small


def test_the_scaling_study_per_node_rates_differ(tmp_path: Path) -> None:
    """The launcher starts one job at a time: at 256 nodes jobs wait for it, so a node
    finishes fewer jobs per minute than at 32 (jobs per node-minute, first to last finish)."""
    from reportgen.demoscale import generate_scaling

    generate_scaling(tmp_path, seed=1, node_counts=[32, 256])
    events = json.loads(gzip.decompress((tmp_path / "events.json.gz").read_bytes()))["results"]
    jobs = json.loads(gzip.decompress((tmp_path / "jobs.json.gz").read_bytes()))["results"]
    scale = {j["id"]: int(j["tags"]["scale_nodes"]) for j in jobs}
    finishes: dict[int, list[str]] = defaultdict(list)
    for e in events:
        if e["to_state"] == "JOB_FINISHED":
            finishes[scale[e["job_id"]]].append(e["timestamp"])
    rates = {}
    for nodes, times in finishes.items():
        minutes = [int(t[11:13]) * 60 + int(t[14:16]) + float(t[17:]) / 60 for t in times]
        rates[nodes] = (len(minutes) - 1) / (max(minutes) - min(minutes)) / nodes
    assert rates[256] < 0.85 * rates[32]
