"""The baseline: Balsam 0.7.0a24's own `balsam.analytics`, fed as its client feeds it.

Runs inside the baseline virtualenv (balsam==0.7.0a24, pydantic==1.10.27), never in
reportgen's. The server's answers to the three queries (rows filtered and ordered as the
server would, in pages of 100000) are prepared as JSON bytes before timing; inside the timing
the client's manager decodes each page and builds a model per row, then the algorithm runs.
Network and database are excluded: this measures the client and the algorithm.

    python baseline_balsam.py EVENTS.jsonl.gz BATCHJOBS.jsonl.gz REPORT  -> JSON on stdout
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from typing import Any

from balsam._api.models import BatchJob, BatchJobManager, EventLog, EventLogManager
from balsam.analytics import available_nodes, throughput_report, utilization_report

PAGE = 100_000


def read_lines(path: str) -> list[dict[str, Any]]:
    with gzip.open(path, "rt") as lines:
        return [json.loads(line) for line in lines if line.strip()]


class SavedAnswers:
    """Stands in for balsam.client.RESTClient.get: answers from prepared page bytes."""

    def __init__(self, events: list[dict[str, Any]], batch_jobs: list[dict[str, Any]]) -> None:
        self.pages: dict[tuple[str, str], list[bytes]] = {}
        by_time = sorted(events, key=lambda e: (e["timestamp"], e["id"]))
        self._add(
            "events/",
            "to_state=JOB_FINISHED",
            [e for e in by_time if e["to_state"] == "JOB_FINISHED"],
        )
        self._add("events/", "to_state=RUNNING", [e for e in events if e["to_state"] == "RUNNING"])
        self._add(
            "events/", "from_state=RUNNING", [e for e in events if e["from_state"] == "RUNNING"]
        )
        self._add("batch-jobs/", "", batch_jobs)

    def _add(self, path: str, key: str, rows: list[dict[str, Any]]) -> None:
        self.pages[(path, key)] = [
            json.dumps({"count": len(rows), "results": rows[i : i + PAGE]}).encode()
            for i in range(0, max(len(rows), 1), PAGE)
        ]

    def get(self, path: str, **params: Any) -> Any:
        key = "&".join(
            f"{k}={v}" for k, v in sorted(params.items()) if k in ("to_state", "from_state")
        )
        pages = self.pages[(path, key)]
        return json.loads(pages[int(params.get("offset", 0)) // PAGE])


def main() -> None:
    events_path, batch_path, report = sys.argv[1:4]
    client = SavedAnswers(read_lines(events_path), read_lines(batch_path))
    EventLogManager(client)
    BatchJobManager(client)
    started = time.perf_counter()
    if report == "throughput":
        times, values = throughput_report(EventLog.objects.all(), to_state="JOB_FINISHED")
    elif report == "utilization":
        times, values = utilization_report(EventLog.objects.all(), node_weighting=True)
    else:
        times, values = available_nodes(BatchJob.objects.all())
    seconds = time.perf_counter() - started
    json.dump(
        {"seconds": seconds, "times": [t.isoformat() for t in times], "values": list(values)},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
