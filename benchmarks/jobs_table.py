"""What the job table adds to a build: every other kind with and without `jobs_table`.

    python3 benchmarks/jobs_table.py [--events 1000000] [--repeat 3]

Uses the demo generator's experiment from `run.py` (benchmarks/work/e<events>/, made by
`run.py` first). Per round, two cold builds in fresh processes (`whole_build.py`: empty
output folder and build cache; a user cache shared by the rounds, so Vega's bundle is made
once and counted in neither), alternating; reports their times, the ratio paired per round,
the page's size and the CSV's rows.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
sys.path.insert(0, str(HERE))

from run import BUILD_SPEC, EVERY_KIND_REST  # noqa: E402

JOBS_CHART = "  - {id: jobs, type: jobs_table, events: all}\n"


def build(folder: Path, rest: str, data: Path) -> dict[str, float]:
    spec, out, cache = folder / "spec.yaml", folder / "site", folder / "cache"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    files = {
        what: data / f"{stem}.jsonl.gz"
        for what, stem in (("events", "events"), ("jobs", "jobs"), ("batch_jobs", "batchjobs"))
    }
    spec.write_text(BUILD_SPEC.format(title="bench", description="cold", rest=rest, **files))
    command = [sys.executable, str(HERE / "whole_build.py"), str(spec), str(out), str(cache)]
    env_cache = {"XDG_CACHE_HOME": str(WORK / "builds" / "jobs-table-user-cache")}
    done = subprocess.run(
        command, check=True, capture_output=True, text=True, env={**os.environ, **env_cache}
    )
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = WORK / f"e{args.events}"
    if not (data / "events.jsonl.gz").exists():
        print(f"{data} is missing: run benchmarks/run.py --sizes {args.events} first")
        return 1
    without, with_table = WORK / "builds" / "every-kind", WORK / "builds" / "every-kind-jobs"
    for folder in (without, with_table):
        folder.mkdir(parents=True, exist_ok=True)
    build(without, EVERY_KIND_REST, data)  # warms the user cache (Vega's bundle)
    rounds = []
    for _ in range(args.repeat):
        before = build(without, EVERY_KIND_REST, data)
        after = build(with_table, EVERY_KIND_REST + JOBS_CHART, data)
        rounds.append((before["seconds"], after["seconds"], after["peak_rss_mb"]))
    page = (with_table / "site" / "spec" / "index.html").stat().st_size
    rows = len((with_table / "site" / "spec" / "jobs.csv").read_text().splitlines()) - 1
    ratios = [after / before for before, after, _ in rounds]
    print(f"every other kind: {statistics.median(r[0] for r in rounds):.2f} s (build_site)")
    print(f"with jobs_table:  {statistics.median(r[1] for r in rounds):.2f} s")
    print(f"ratio: {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})")
    print(f"peak RSS with the table: {statistics.median(r[2] for r in rounds):.0f} MB")
    print(f"page: {page / 1e6:.2f} MB; jobs.csv: {rows:,} jobs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
