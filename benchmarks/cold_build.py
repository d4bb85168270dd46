"""Issue 14's benchmark: a cold `reportgen build`, start to exit, next to Balsam's analytics.

    python3 benchmarks/cold_build.py [--events 1000000] [--repeat 3]   -> a table on stdout

The experiment (the demo generator, seed 7, as `run.py` makes it) is saved as Balsam's API
returns it: one plain JSON file per record type holding a list of `{"count", "results"}`
pages of 100,000 records (and, for the second row, as gzipped JSON Lines). The spec has the
three charts, SVG only. Per round, alternating:

- **baseline**: `balsam==0.7.0a24`'s `throughput_report`, `utilization_report(node_weighting=
  True)` and `available_nodes`, each in its own process fed through Balsam's client models
  from saved pages of the rows its query returns (`baseline_balsam.py`); its time is the
  timed section only (decoding the pages, the models, the algorithm): its interpreter start,
  imports and file reading are left out, in its favour;
- **cold build**: `python -m reportgen build SPEC --out OUT --no-cache --quiet` in a fresh
  process, wall clock from start to exit, output folder emptied, no build cache, Vega's
  bundle already in the user cache (as for anyone's second experiment);
- **warm rebuild**: the same command with the build cache on, after editing the title;
- **floor**: the least this work can cost here, measured in parts in fresh processes:
  reading the events file, decoding it into msgspec structs (one core; halved for two),
  the three series from the columns, and the three reduced SVGs (the utilization chart's
  reduced SVG render, warm, times three).

Ratios are paired per round (median, and range). Also `reportgen --help` and `reportgen
validate` of the demo, start to exit.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from run import (
    REPORTS,
    ROOT,
    WORK,
    baseline_run,
    charts,
    ensure_baseline,
    ensure_inputs,
    python_json,
    ratio_text,
    reportgen_run,
)

HERE = Path(__file__).resolve().parent
PAGE = 100_000
SPEC = """\
title: {title}
source:
  files: {{events: {events}, jobs: {jobs}, batch_jobs: {batch_jobs}}}
queries:
  events: {{all: {{}}}}
  batch_jobs: {{all: {{}}}}
charts:
  - {{id: throughput, type: throughput, events: all, to_state: JOB_FINISHED, formats: [svg]}}
  - {{id: utilization, type: utilization, events: all, node_weighting: true,
     available_nodes: all, formats: [svg]}}
  - {{id: nodes, type: available_nodes, batch_jobs: all, formats: [svg]}}
"""
STEMS = ("events", "jobs", "batchjobs")
KEYS = dict(zip(STEMS, ("events", "jobs", "batch_jobs"), strict=True))


def pages_files(jsonl: Path) -> Path:
    """The experiment's JSON Lines as lists of API pages (plain JSON), made once."""
    folder = jsonl.parent / f"{jsonl.name}-pages"
    if (folder / ".done").exists():
        return folder
    folder.mkdir(exist_ok=True)
    for stem in STEMS:
        with gzip.open(jsonl / f"{stem}.jsonl.gz", "rt") as lines:
            records = [json.loads(line) for line in lines if line.strip()]
        pages = [
            {"count": len(records), "results": records[i : i + PAGE]}
            for i in range(0, max(len(records), 1), PAGE)
        ]
        (folder / f"{stem}.json").write_text(json.dumps(pages))
    (folder / ".done").touch()
    return folder


def wall(command: list[str], env: dict[str, str] | None = None) -> float:
    """Seconds from starting `command` to its exit (it must succeed)."""
    began = time.perf_counter()
    subprocess.run(
        command, check=True, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - began


class Builds:
    """Cold and warm builds of one input form, in a folder of their own."""

    def __init__(self, name: str, files: dict[str, Path]) -> None:
        self.folder = WORK / "cold" / name
        self.files = files
        self.env = {"XDG_CACHE_HOME": str(WORK / "cold" / "user-cache")}
        self.spec = self.folder / "spec.yaml"

    def command(self, cache: bool) -> list[str]:
        out = ["--out", str(self.folder / "site"), "--quiet"]
        tail = ["--cache-dir", str(self.folder / "cache")] if cache else ["--no-cache"]
        return [sys.executable, "-m", "reportgen", "build", str(self.spec), *out, *tail]

    def write(self, title: str) -> None:
        self.spec.write_text(SPEC.format(title=title, **self.files))

    def cold(self) -> float:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.write("cold")
        return wall(self.command(cache=False), self.env)

    def warm(self) -> float:
        """A build filling the cache, then the timed one after a title edit."""
        self.write("first")
        wall(self.command(cache=True), self.env)
        self.write("edited title")
        return wall(self.command(cache=True), self.env)


def floor_parts(jsonl: Path, pages: Path) -> dict[str, float]:
    """The floor's parts, each in a fresh process (see the module's docstring)."""
    decode = python_json([sys.executable, str(HERE / "floor_pages.py"), str(pages / "events.json")])
    series = reportgen_run(jsonl, "jsonl")
    render = charts(jsonl, "reduced")
    parts = {
        "read": decode["read"],
        "decode (two cores)": decode["decode"] / 2,
        "series": series["compute"],
        "three reduced SVGs": 3 * render["seconds"]["svg"],
    }
    parts["floor"] = sum(parts.values())
    return parts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    python = ensure_baseline()
    jsonl = ensure_inputs(args.events, ("jsonl",))
    pages = pages_files(jsonl)
    forms = {
        "saved pages": Builds("pages", {KEYS[s]: pages / f"{s}.json" for s in STEMS}),
        "JSON Lines": Builds("jsonl", {KEYS[s]: jsonl / f"{s}.jsonl.gz" for s in STEMS}),
    }
    forms["saved pages"].cold()  # Vega's bundle into the user cache, as for a second experiment
    base: list[float] = []
    cold: dict[str, list[float]] = {name: [] for name in forms}
    warm: list[float] = []
    floors: list[dict[str, float]] = []
    for _ in range(args.repeat):
        base.append(sum(baseline_run(python, jsonl, r)["seconds"] for r in REPORTS))
        for name, builds in forms.items():
            cold[name].append(builds.cold())
        warm.append(forms["saved pages"].warm())
        floors.append(floor_parts(jsonl, pages))
    demo = ROOT / "report_specs" / "demo.yaml"
    reportgen = [sys.executable, "-m", "reportgen"]
    help_s = statistics.median(wall([*reportgen, "--help"]) for _ in range(5))
    validate_s = statistics.median(wall([*reportgen, "validate", str(demo)]) for _ in range(5))
    floor_s = [f["floor"] for f in floors]
    print(
        f"| {args.events:,}-event experiment (median of {args.repeat}) | s | baseline / it "
        "| it / floor |"
    )
    print("|---|---|---|---|")
    print(f"| balsam.analytics, the three series | {statistics.median(base):.2f} | - | - |")
    for name, times in cold.items():
        speedup = ratio_text([b / t for b, t in zip(base, times, strict=True)])
        over_floor = ratio_text([t / f for t, f in zip(times, floor_s, strict=True)])
        print(f"| cold build, {name} | {statistics.median(times):.2f} | {speedup} | {over_floor} |")
    warm_s = statistics.median(warm)
    print(f"| warm rebuild after a title edit, saved pages | {warm_s:.2f} | - | - |")
    print(f"| floor | {statistics.median(floor_s):.2f} | - | 1 |")
    for part in floors[0]:
        if part != "floor":
            print(f"| floor: {part} | {statistics.median(f[part] for f in floors):.2f} | | |")
    print(f"| `reportgen --help` | {help_s:.2f} | | |")
    print(f"| `reportgen validate` of the demo | {validate_s:.2f} | | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
