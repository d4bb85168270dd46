"""Fetch rate of the live source against a real Balsam server: `python3 benchmarks/fetch_rate.py`.

    python3 benchmarks/fetch_rate.py [--events 100000]

Starts a throw-away server with scripts/balsam_server.py, creates the jobs of a demo
experiment through the API, loads its simulated events straight into PostgreSQL (replaying
10^5 state changes through PATCH would take ~10 minutes), then times reportgen fetching them:
whole over 1, 2 and 4 connections (`parallel`), with pages of 100,000 and of 10,000; then an
incremental rebuild from the kept records after 1% more events (dated after the others, as a
running site adds them), with lag_s 0 and with the default 600 s. Prints records per second.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportgen.cachekey import entry_key  # noqa: E402
from reportgen.demo import Simulation, stamp  # noqa: E402
from reportgen.source import load_report_data  # noqa: E402
from reportgen.source.balsam.store import FetchedStore  # noqa: E402
from reportgen.spec import load_report  # noqa: E402
from tests.balsam_site import Server, _Recorder, start_server, stop_server  # noqa: E402

COPY = """
import csv, json, sys, psycopg2
connection = psycopg2.connect(sys.argv[1])
with connection, connection.cursor() as cursor, open(sys.argv[2]) as rows:
    cursor.copy_expert("COPY log_events (job_id, timestamp, from_state, to_state, data) "
                       "FROM STDIN WITH (FORMAT csv)", rows)
"""


def load(server: Server, folder: Path, events: int) -> tuple[int, list[int]]:
    """Load the experiment; its events and jobs' ids."""
    http = server.session()
    root = server.api_root
    site = http.post(
        f"{root}/sites/",
        json={"name": "rate", "path": "/rate", "allowed_projects": ["p"], "allowed_queues": {}},
        timeout=60,
    ).json()
    app = http.post(
        f"{root}/apps/",
        json={
            "site_id": site["id"],
            "name": "A",
            "description": "",
            "serialized_class": "",
            "source_code": "",
            "parameters": {},
            "transfers": {},
        },
        timeout=60,
    ).json()
    sim = Simulation(3, events)
    recorder = _Recorder()
    sim.run(recorder)
    ids: dict[int, int] = {}
    for first in range(0, len(sim.jobs), 1000):
        chunk = sim.jobs[first : first + 1000]
        created = http.post(
            f"{root}/jobs/",
            json=[
                {
                    "app_id": app["id"],
                    "workdir": f"rate/{j.id}",
                    "tags": {"experiment": "rate"},
                    "num_nodes": j.num_nodes,
                    "node_packing_count": j.packing,
                }
                for j in chunk
            ],
            timeout=300,
        ).json()
        ids.update((j.id, c["id"]) for j, c in zip(chunk, created, strict=True))
    previous: dict[int, str] = {}
    lines = []
    for change in sorted(recorder.changes, key=lambda c: c.at):
        if change.state == "STAGED_IN":
            previous[change.job] = "STAGED_IN"
            continue
        data = json.dumps(change.data).replace('"', '""')
        lines.append(
            f'{ids[change.job]},{stamp(change.at)},{previous[change.job]},{change.state},"{data}"\n'
        )
        previous[change.job] = change.state
    copy(server, folder, lines)
    return len(lines) + len(ids), sorted(ids.values())


def copy(server: Server, folder: Path, lines: list[str]) -> None:
    rows = folder / "events.csv"
    rows.write_text("".join(lines))
    info = json.loads((server.folder / "server.json").read_text())
    venv_python = "/tmp/reportgen-balsam-venv/bin/python"
    subprocess.run([venv_python, "-c", COPY, info["database_url"], str(rows)], check=True)


def add_events(server: Server, folder: Path, jobs: list[int], count: int) -> None:
    """`count` events dated after every other (the creation events carry the server clock)."""
    start = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=60)
    lines = [
        f"{jobs[n % len(jobs)]},{(start + timedelta(milliseconds=n)).isoformat()},RUNNING,"
        'RUN_DONE,"{}"\n'
        for n in range(count)
    ]
    copy(server, folder, lines)


def timed_fetch(
    server: Server,
    folder: Path,
    page_size: int,
    parallel: int,
    store: FetchedStore | None = None,
    lag_s: float = 600,
) -> tuple[int, float, int]:
    client = server.client_yml(folder / "client.yml")
    spec = folder / f"rate{page_size}.yaml"
    spec.write_text(
        f"title: Rate\nsource:\n  balsam: {{client_config: {client}, page_size: "
        f"{page_size}, parallel: {parallel}, lag_s: {lag_s}, snapshots: false}}\n"
        "queries:\n  events:\n    all: {tags: {experiment: rate}}\ncharts:\n"
        "  - {id: t, type: throughput, events: all}\n"
    )
    report = load_report(spec)
    started = time.perf_counter()
    data = load_report_data(report, fetched=store)
    seconds = time.perf_counter() - started
    requests = next(n for n in data.notes if "request(s)" in n)
    return len(data.events["all"]), seconds, int(requests.split()[0])


def report(label: str, records: int, seconds: float, requests: int) -> None:
    print(
        f"{label}: {records:,} events in {seconds:.2f} s ({records / seconds:,.0f} records/s, "
        f"{requests} requests)",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="reportgen-rate-", dir="/tmp"))
    try:
        started = time.perf_counter()
        server = start_server(folder)
        print(f"server ready in {time.perf_counter() - started:.1f} s", flush=True)
        total, jobs = load(server, folder, args.events)
        print(f"loaded {total:,} events", flush=True)
        for page_size in (100_000, 10_000):
            for parallel in (1, 2, 4):
                label = f"page_size {page_size:>7,}, {parallel} connection(s)"
                report(label, *timed_fetch(server, folder, page_size, parallel))
        for lag_s in (0, 600):
            store = FetchedStore(folder / f"fetched-{lag_s}", entry_key)
            timed_fetch(server, folder, 100_000, 4, store, lag_s)
            add_events(server, folder, jobs, total // 100)
            label = f"incremental after {total // 100:,} new events, lag_s {lag_s}"
            report(label, *timed_fetch(server, folder, 100_000, 4, store, lag_s))
    finally:
        stop_server(folder)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
