"""reportgen against Balsam's own analytics, side by side in one run: `python3 benchmarks/run.py`.

    python3 benchmarks/run.py [--sizes 10000,100000,1000000] [--huge] [--repeat 3]

Per size (events made by the demo generator, seed 7, as gzipped JSON Lines and as one API
page): the baseline (balsam==0.7.0a24 with pydantic==1.10.27 in benchmarks/work/baseline-venv)
computing throughput + weighted utilization + available nodes from the rows each query
returns; reportgen computing the same three from the files, parsing included; the parsing
floor; peak RSS; and the utilization chart rendered with and without the per-pixel reduction.
Every timing is the median of --repeat fresh processes, the baseline and reportgen
alternating round by round; ratios are paired within a round (median, and range). The
series are checked equal where the baseline is right (its same-instant points merged, batch
jobs with both times). Whole `reportgen build`s of the demo and of the 10^6 report, cold
and after a description edit. `--huge` adds 10^7 events (reportgen only: peak RSS and time,
and its whole builds). Writes benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
BASELINE_VENV = WORK / "baseline-venv"
BASELINE_PINS = ["balsam==0.7.0a24", "pydantic==1.10.27"]
FULL_RENDER_LIMIT = 200_000
"""Above this many change points the unreduced chart is not rendered (15 s per format and
~3 GB at 10^6 for vl-convert, measured on this kind of machine)."""


def python_json(command: list[str], env: dict[str, str] | None = None) -> Any:
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **(env or {})},
    )
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout)


def ensure_inputs(size: int, formats: tuple[str, ...] = ("page", "jsonl")) -> Path:
    folder = WORK / f"e{size}"
    for fmt in formats:
        marker = folder / f".{fmt}-done"
        if not marker.exists():
            print(f"generating {size:,} events ({fmt})", file=sys.stderr, flush=True)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "reportgen.demo",
                    "--seed",
                    "7",
                    "--events",
                    str(size),
                    "--out",
                    str(folder),
                    "--format",
                    fmt,
                ],
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            marker.touch()
    return folder


def ensure_baseline() -> Path:
    python = BASELINE_VENV / "bin" / "python"
    if not python.exists():
        print("installing the baseline: " + " ".join(BASELINE_PINS), file=sys.stderr)
        venv.create(BASELINE_VENV, with_pip=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *BASELINE_PINS,
            ],
            check=True,
        )
    return python


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


REPORTS = ("throughput", "utilization", "available_nodes")
FORMATS = ("jsonl", "json")


def baseline_run(python: Path, folder: Path, report: str) -> dict[str, Any]:
    """One fresh process of Balsam's analytics computing one report."""
    events, batch_jobs = folder / "events.jsonl.gz", folder / "batchjobs.jsonl.gz"
    command = [str(python), str(HERE / "baseline_balsam.py"), str(events), str(batch_jobs)]
    return dict(python_json([*command, report]))


def reportgen_run(folder: Path, fmt: str) -> dict[str, Any]:
    """One fresh process of reportgen computing the three series from the files."""
    return dict(python_json([sys.executable, str(HERE / "reportgen_series.py"), str(folder), fmt]))


def first_or_timings(run: dict[str, Any], round_: int) -> dict[str, Any]:
    """The whole first run (its series are compared); later ones only as numbers, so this
    process stays small (15 runs of 10^6-point series would take ~600 MB)."""
    if round_ == 0:
        return run
    return {key: value for key, value in run.items() if isinstance(value, int | float)}


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The first run's series, with the median of each timing and of peak RSS."""
    result = dict(runs[0])
    for key in ("seconds", "parse", "compute", "peak_rss_mb"):
        result[key] = median_of(runs, key)
    return result


def side_by_side(python: Path, folder: Path, repeat: int) -> dict[str, Any]:
    """The baseline and reportgen in alternating rounds, each process fresh.

    A slow spell of this noisy machine then hits both sides of a round, and each round
    gives a paired ratio (the baseline's three reports / reportgen's three series); the
    table shows the median paired ratio and their range.
    """
    base_runs: dict[str, list[dict[str, Any]]] = {report: [] for report in REPORTS}
    ours_runs: dict[str, list[dict[str, Any]]] = {fmt: [] for fmt in FORMATS}
    for round_ in range(repeat):
        for report in REPORTS:
            base_runs[report].append(first_or_timings(baseline_run(python, folder, report), round_))
        for fmt in FORMATS:
            ours_runs[fmt].append(first_or_timings(reportgen_run(folder, fmt), round_))
    totals = [sum(base_runs[r][i]["seconds"] for r in REPORTS) for i in range(repeat)]
    base: dict[str, Any] = {"seconds": float(statistics.median(totals))}
    for report in REPORTS:
        base[report] = base_runs[report][0]
        base[f"{report}_s"] = median_of(base_runs[report], "seconds")
    ours = {fmt: summary(runs) for fmt, runs in ours_runs.items()}
    for fmt, runs in ours_runs.items():
        ours[fmt]["ratios"] = [t / run["seconds"] for t, run in zip(totals, runs, strict=True)]
    return {"base": base, "ours": ours}


def ratio_text(ratios: list[float]) -> str:
    """The median paired ratio, and the range when there are several rounds."""
    middle = f"{statistics.median(ratios):.1f}x"
    if len(ratios) == 1:
        return middle
    return f"{middle} ({min(ratios):.1f}-{max(ratios):.1f})"


def floor(folder: Path, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        run = subprocess.run(
            [sys.executable, str(HERE / "floor.py"), str(folder / "events.jsonl.gz")],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
            env={"PYTHONPATH": str(ROOT)},
        )
        runs.append(float(run.stdout.split()[0]))
    return float(statistics.median(runs))


def merged(times: list[str], values: list[float]) -> dict[int, float]:
    """The baseline's points, one per instant (its last value there), unchanged ones dropped."""
    import numpy as np

    stamps = np.array(times, dtype="datetime64[us]").astype(np.int64).tolist()
    last: dict[int, float] = {}
    for stamp, value in zip(stamps, values, strict=True):
        last[stamp] = value
    result, previous = {}, 0.0
    for stamp in sorted(last):
        if round(last[stamp], 9) != round(previous, 9):
            result[stamp] = last[stamp]
        previous = last[stamp]
    return result


def agrees(ours: dict[str, list[Any]], theirs: dict[str, Any]) -> bool:
    expected = merged(theirs["times"], theirs["values"])
    got = dict(zip(ours["times"], ours["values"], strict=True))
    return expected.keys() == got.keys() and all(abs(expected[t] - got[t]) < 1e-9 for t in got)


BUILD_SPEC = """\
title: {title}
description: {description}
source:
  files: {{events: {events}, jobs: {jobs}, batch_jobs: {batch_jobs}}}
{rest}"""
DEMO_REST = "as_of:" + (ROOT / "report_specs" / "demo.yaml").read_text().split("as_of:", 1)[1]
LARGE_REST = """\
queries:
  events: {all: {}}
  batch_jobs: {all: {}}
charts:
  - {id: throughput, type: throughput, events: all, to_state: JOB_FINISHED}
  - {id: utilization, type: utilization, events: all, node_weighting: true, available_nodes: all}
  - {id: nodes, type: available_nodes, batch_jobs: all}
"""


SEVEN_KIND_REST = (
    LARGE_REST
    + """\
  - {id: states, type: states, events: all}
  - {id: durations, type: durations, events: all}
  - {id: ledger, type: node_hours, events: all, batch_jobs: all}
  - {id: failures, type: failures, events: all}
"""
)
"""The three charts and issue 9's four kinds."""
EVERY_KIND_REST = (
    SEVEN_KIND_REST + "  - {id: allocations, type: allocations, batch_jobs: all, events: all}\n"
)
"""Those and the allocation timeline."""


def whole_builds(name: str, data: Path, suffix: str, rest: str, repeat: int) -> dict[str, Any]:
    """Cold builds (empty output folder, build cache and user cache), then warm ones after a
    description edit. Each cold build also gives its process tree's peak PSS (decoding
    workers included), sampled by tree_memory.py around it."""
    folder = WORK / "builds" / name
    spec, out, cache = folder / "spec.yaml", folder / "site", folder / "cache"
    files = {
        what: data / f"{stem}.{suffix}"
        for what, stem in (("events", "events"), ("jobs", "jobs"), ("batch_jobs", "batchjobs"))
    }

    def build(description: str, tree: bool = False) -> dict[str, Any]:
        spec.write_text(BUILD_SPEC.format(title=name, description=description, rest=rest, **files))
        command = [sys.executable, str(HERE / "whole_build.py"), str(spec), str(out), str(cache)]
        if tree:
            command = [sys.executable, str(HERE / "tree_memory.py"), "--json", *command]
        # a user cache of the build's own, emptied with the folder: cold includes Vega's bundle
        return dict(python_json(command, {"XDG_CACHE_HOME": str(folder / "user-cache")}))

    cold, warm = [], []
    for run in range(repeat):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        cold.append(build(f"cold build {run}", tree=True))
        warm.append({**build(f"edited description {run}"), "tree_pss_mb": 0.0})
    return {
        "cold": {k: median_of(cold, k) for k in cold[0]},
        "warm": {k: median_of(warm, k) for k in warm[0]},
    }


def every_kind_builds(
    label: str, name: str, data: Path, repeat: int
) -> list[tuple[str, dict[str, Any]]]:
    """The three-chart build, the seven-kind and the every-kind build of one experiment,
    rounds alternating, with each build's time over the three-chart one's, paired per round."""
    three, seven, every = [], [], []
    for _ in range(repeat):
        three.append(whole_builds(name, data, "jsonl.gz", LARGE_REST, 1))
        seven.append(whole_builds(f"{name}-seven", data, "jsonl.gz", SEVEN_KIND_REST, 1))
        every.append(whole_builds(f"{name}-every", data, "jsonl.gz", EVERY_KIND_REST, 1))

    def ratios(builds: list[dict[str, Any]]) -> list[float]:
        return [
            b["cold"]["process_seconds"] / t["cold"]["process_seconds"]
            for t, b in zip(three, builds, strict=True)
        ]

    def medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            phase: {k: statistics.median(r[phase][k] for r in runs) for k in runs[0][phase]}
            for phase in ("cold", "warm")
        }

    return [
        (f"{label}, 3 charts)", medians(three)),
        (f"{label}, 7 kinds)", {**medians(seven), "ratio": ratio_text(ratios(seven))}),
        (f"{label}, all 8 kinds)", {**medians(every), "ratio": ratio_text(ratios(every))}),
    ]


def charts(folder: Path, mode: str) -> dict[str, Any]:
    return dict(python_json([sys.executable, str(HERE / "charts_bench.py"), str(folder), mode]))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--huge", action="store_true", help="also 10^7 events (reportgen only)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    python = ensure_baseline()
    rows: list[Any] = []
    chart_rows: list[Any] = []
    for size in sizes:
        folder = ensure_inputs(size)
        print(f"measuring {size:,}", file=sys.stderr, flush=True)
        measured = side_by_side(python, folder, args.repeat)
        base, ours = measured["base"], measured["ours"]
        equal = all(
            agrees(ours["jsonl"]["series"][name], base[name])
            for name in ("throughput", "utilization", "available_nodes")
        )
        rows.append(
            (
                size,
                ours["jsonl"]["events"],
                base["seconds"],
                ours["jsonl"],
                ours["json"],
                floor(folder, args.repeat),
                equal,
                base,
            )
        )
        reduced = charts(folder, "reduced")
        full = charts(folder, "full") if reduced["changes"] <= FULL_RENDER_LIMIT else None
        chart_rows.append((size, reduced, full))
    build_rows = [
        (
            "demo (29,541 events, every kind)",
            whole_builds("demo", ROOT / "report_specs" / "data", "json.gz", DEMO_REST, args.repeat),
        )
    ]
    if 1_000_000 in sizes:
        print("measuring whole builds", file=sys.stderr, flush=True)
        data = ensure_inputs(1_000_000)
        events = rows[sizes.index(1_000_000)][1]
        build_rows += every_kind_builds(
            f"{events:,} events (JSON Lines", "e1000000", data, args.repeat
        )
    if args.huge:
        folder = ensure_inputs(10_000_000, ("jsonl",))
        huge = summary([reportgen_run(folder, "jsonl")])
        rows.append((10_000_000, huge["events"], None, huge, None, None, None, None))
        build_rows += every_kind_builds(
            f"{huge['events']:,} events (JSON Lines", "e10000000", folder, 1
        )
    report = table(rows, chart_rows) + build_table(build_rows)
    (HERE / "results.md").write_text(report)
    print(report)
    return 0


def table(rows: list[Any], chart_rows: list[Any]) -> str:
    lines = [
        "| events | baseline s (thr + util + nodes) | reportgen s, JSON Lines (parse + series)"
        " | ratio (range) | reportgen s, one page | ratio (range) | floor s | peak RSS MB"
        " | equal |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for _, events, base_s, lines_run, page_run, floor_s, equal, base in rows:
        if base_s is None:
            lines.append(
                f"| {events:,} | - | {lines_run['seconds']:.2f} ({lines_run['parse']:.2f}"
                f" + {lines_run['compute']:.2f}) | - | - | - | - | "
                f"{lines_run['peak_rss_mb']:.0f} | - |"
            )
            continue
        parts = (
            f"{base['throughput_s']:.2f} + {base['utilization_s']:.2f} + "
            f"{base['available_nodes_s']:.2f}"
        )
        lines.append(
            f"| {events:,} | {base_s:.2f} ({parts}) | {lines_run['seconds']:.2f} "
            f"({lines_run['parse']:.2f} + {lines_run['compute']:.2f}) | "
            f"**{ratio_text(lines_run['ratios'])}** | {page_run['seconds']:.2f} | "
            f"{ratio_text(page_run['ratios'])} | {floor_s:.2f} | "
            f"{lines_run['peak_rss_mb']:.0f} | {'yes' if equal else 'NO'} |"
        )
    lines += [
        "",
        "| events | utilization change points | drawn | PNG / SVG / PDF s (reduced) |"
        " page spec MB (reduced) | PNG / SVG / PDF s (full) | page spec MB (full) |",
        "|---|---|---|---|---|---|---|",
    ]
    for size, reduced, full in chart_rows:
        seconds = reduced["seconds"]
        full_s = (
            " / ".join(f"{full['seconds'][f]:.2f}" for f in ("png", "svg", "pdf"))
            if full
            else "not rendered (> 200,000 points)"
        )
        full_mb = f"{full['page_spec_mb']:.2f}" if full else "-"
        lines.append(
            f"| {size:,} | {reduced['changes']:,} | {reduced['drawn']:,} | "
            f"{seconds['png']:.2f} / {seconds['svg']:.2f} / {seconds['pdf']:.2f} | "
            f"{reduced['page_spec_mb']:.2f} | {full_s} | {full_mb} |"
        )
    return "\n".join(lines) + "\n"


def build_table(build_rows: list[tuple[str, dict[str, Any]]]) -> str:
    lines = [
        "",
        "| report | cold build s (with start-up) | warm build s (with start-up) |"
        " images rendered cold / warm | data from the cache (warm) | peak RSS MB cold / warm |"
        " peak PSS MB, process tree (cold) | cold / 3-chart cold |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, runs in build_rows:
        cold, warm = runs["cold"], runs["warm"]
        lines.append(
            f"| {name} | {cold['seconds']:.2f} ({cold['process_seconds']:.2f}) | "
            f"{warm['seconds']:.2f} ({warm['process_seconds']:.2f}) | "
            f"{cold['images_rendered']:.0f} / {warm['images_rendered']:.0f} | "
            f"{'yes' if warm['data_reused'] else 'no'} | "
            f"{cold['peak_rss_mb']:.0f} / {warm['peak_rss_mb']:.0f} | "
            f"{cold.get('tree_pss_mb', 0):,.0f} | {runs.get('ratio', '-')} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
