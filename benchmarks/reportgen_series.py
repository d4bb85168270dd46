"""One timed run of reportgen on saved files: the three series, parse included.

    python benchmarks/reportgen_series.py DIR FORMAT   (FORMAT: json | jsonl)  -> JSON

Runs in a fresh process so that peak RSS (VmHWM, see peak.py) and timings are this run's
alone. The series are printed too, so `run.py` can compare them with the baseline's.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
from peak import peak_rss_mb

from reportgen.analytics import available_nodes, throughput, utilization
from reportgen.source.columns import batch_jobs_from_records
from reportgen.source.fast import read_event_table, read_job_table
from reportgen.source.files import read_records
from reportgen.source.tables import NO_TIME


def main() -> None:
    folder, fmt = Path(sys.argv[1]), sys.argv[2]
    started = time.perf_counter()
    events = read_event_table(folder / f"events.{fmt}.gz", set())
    batch_jobs = batch_jobs_from_records(
        read_records(folder / f"batchjobs.{fmt}.gz", "batch jobs"), folder
    )
    entries = events.to_state == events.code("RUNNING")
    jobs = (
        read_job_table(folder / f"jobs.{fmt}.gz", set())
        if np.isnan(events.num_nodes[entries]).any()
        else None
    )
    parsed = time.perf_counter()
    as_of = int(events.timestamp.max())
    done = throughput(events, "JOB_FINISHED", as_of)
    used, _ = utilization(events, as_of, True, jobs)
    nodes, _ = available_nodes(batch_jobs, as_of)
    finished = time.perf_counter()
    # what the baseline can compute: batch jobs with both times
    both = (batch_jobs.start_time != NO_TIME) & (batch_jobs.end_time != NO_TIME)
    comparable, _ = available_nodes(batch_jobs.take(both), as_of)
    peak_mb = peak_rss_mb()
    json.dump(
        {
            "seconds": finished - started,
            "parse": parsed - started,
            "compute": finished - parsed,
            "peak_rss_mb": peak_mb,
            "events": len(events),
            "series": {
                name: {"times": s.times.tolist(), "values": s.values.tolist()}
                for name, s in (
                    ("throughput", done),
                    ("utilization", used),
                    ("available_nodes", comparable),
                )
            },
            "points": {
                "throughput": len(done),
                "utilization": len(used),
                "available_nodes": len(nodes),
            },
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
