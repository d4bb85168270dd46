"""Fetch rate of the live source against a real Balsam server: `python3 benchmarks/fetch_rate.py`.

    python3 benchmarks/fetch_rate.py [--events 100000]

Starts a throw-away server with scripts/balsam_server.py, creates the jobs of a demo
experiment through the API, loads its simulated events straight into PostgreSQL (replaying
10^5 state changes through PATCH would take ~10 minutes), then times reportgen fetching them
with one 100,000-record page and with pages of 10,000. Prints records per second.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportgen.demo import Simulation, stamp  # noqa: E402
from reportgen.source import load_report_data  # noqa: E402
from reportgen.spec import load_report  # noqa: E402
from tests.balsam_site import Server, _Recorder, start_server, stop_server  # noqa: E402

COPY = """
import csv, json, sys, psycopg2
connection = psycopg2.connect(sys.argv[1])
with connection, connection.cursor() as cursor, open(sys.argv[2]) as rows:
    cursor.copy_expert("COPY log_events (job_id, timestamp, from_state, to_state, data) "
                       "FROM STDIN WITH (FORMAT csv)", rows)
"""


def load(server: Server, folder: Path, events: int) -> int:
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
    rows = folder / "events.csv"
    rows.write_text("".join(lines))
    info = json.loads((server.folder / "server.json").read_text())
    venv_python = "/tmp/reportgen-balsam-venv/bin/python"
    subprocess.run([venv_python, "-c", COPY, info["database_url"], str(rows)], check=True)
    return len(lines) + len(ids)


def timed_fetch(server: Server, folder: Path, page_size: int) -> tuple[int, float, int]:
    client = server.client_yml(folder / "client.yml")
    spec = folder / f"rate{page_size}.yaml"
    spec.write_text(
        f"title: Rate\nsource:\n  balsam: {{client_config: {client}, page_size: "
        f"{page_size}, snapshots: false}}\nqueries:\n  events:\n    all: {{tags: "
        "{experiment: rate}}\ncharts:\n  - {id: t, type: throughput, events: all}\n"
    )
    report = load_report(spec)
    started = time.perf_counter()
    data = load_report_data(report)
    seconds = time.perf_counter() - started
    requests = next(n for n in data.notes if "request(s)" in n)
    return len(data.events["all"]), seconds, int(requests.split()[0])


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
        total = load(server, folder, args.events)
        print(f"loaded {total:,} events", flush=True)
        for page_size in (100_000, 10_000):
            records, seconds, requests = timed_fetch(server, folder, page_size)
            print(
                f"page_size {page_size:>7,}: {records:,} events in {seconds:.2f} s "
                f"({records / seconds:,.0f} records/s, {requests} requests)",
                flush=True,
            )
    finally:
        stop_server(folder)
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
