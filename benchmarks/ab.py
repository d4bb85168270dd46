"""Two commits of reportgen side by side, as a user runs them: `python3 benchmarks/ab.py REV`.

    python3 benchmarks/ab.py REV [--new REV2] [--repeat 3] [--huge]

Checks out REV (e.g. the commit before a refactoring) into benchmarks/work/ab-<REV> (and
REV2, else the working tree is the new side) and times
whole `reportgen build`s, each a fresh process (whole_build.py), of the same reports with the
old and the current code: the demo and the 10^6-event 3-chart report (and 10^7 with --huge),
cold (empty output, build cache and user cache) and warm (after a description edit); and
`run.py`'s figure, the three series from the files with parsing (each commit's own
`reportgen_series.py`, a fresh process), with its peak RSS. The two commits alternate round
by round and each ratio (current / old) is paired within a round, so a slow spell of this
noisy machine does not land on one side only. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from run import BUILD_SPEC, LARGE_REST, ROOT, WORK, ensure_inputs, python_json

HERE = Path(__file__).resolve().parent


def checkout(rev: str) -> Path:
    """A work tree of `rev` (made once, then reused)."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    tree = WORK / f"ab-{commit}"
    if not (tree / "reportgen").is_dir():
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "archive", commit], cwd=ROOT, capture_output=True, check=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def build(tree: Path, folder: Path, files: dict[str, Path], rest: str, note: str) -> Any:
    """One whole build with `tree`'s code, of a spec that differs only in its description."""
    spec, out, cache = folder / "spec.yaml", folder / "site", folder / "cache"
    spec.write_text(BUILD_SPEC.format(title="ab", description=note, rest=rest, **files))
    command = [sys.executable, str(HERE / "whole_build.py"), str(spec), str(out), str(cache)]
    env = {"PYTHONPATH": f"{tree}{os.pathsep}{HERE}", "XDG_CACHE_HOME": str(folder / "uc")}
    return python_json(command, env)


def compare(trees: dict[str, Path], data: Path, suffix: str, rest: str, repeat: int) -> Any:
    """Per round, per commit: a cold build, then a warm one; the commits alternate."""
    files = {
        what: data / f"{stem}.{suffix}"
        for what, stem in (("events", "events"), ("jobs", "jobs"), ("batch_jobs", "batchjobs"))
    }
    runs: dict[str, dict[str, list[float]]] = {name: {"cold": [], "warm": []} for name in trees}
    for round_ in range(repeat):
        order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for name in order:
            folder = WORK / "ab-builds" / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            for phase in ("cold", "warm"):
                result = build(trees[name], folder, files, rest, f"{phase} {round_}")
                runs[name][phase].append(result["process_seconds"])
    return runs


def compare_series(trees: dict[str, Path], data: Path, repeat: int) -> Any:
    """Per round, per commit: `run.py`'s timed run of the three series from JSON Lines."""
    runs: dict[str, dict[str, list[float]]] = {
        name: {"series s": [], "peak RSS MB": []} for name in trees
    }
    for round_ in range(repeat):
        order = list(trees) if round_ % 2 == 0 else list(reversed(trees))
        for name in order:
            script = trees[name] / "benchmarks" / "reportgen_series.py"
            env = {"PYTHONPATH": f"{trees[name]}{os.pathsep}{script.parent}"}
            result = python_json([sys.executable, str(script), str(data), "jsonl"], env)
            runs[name]["series s"].append(result["seconds"])
            runs[name]["peak RSS MB"].append(result["peak_rss_mb"])
    return runs


def row(label: str, runs: Any, phase: str) -> str:
    old, new = runs["old"][phase], runs["new"][phase]
    ratios = sorted(n / o for n, o in zip(new, old, strict=True))
    return (
        f"| {label} | {phase} | {statistics.median(old):.2f} | {statistics.median(new):.2f} "
        f"| {statistics.median(ratios):.2f} ({ratios[0]:.2f}-{ratios[-1]:.2f}) |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("rev", help="the old commit, e.g. HEAD~3")
    parser.add_argument("--new", help="the new commit (default: the working tree)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--huge", action="store_true", help="also the 10^7-event report")
    args = parser.parse_args()
    trees = {"old": checkout(args.rev), "new": checkout(args.new) if args.new else ROOT}
    # the old commit's demo (its spec and data): the new code must build it unchanged
    demo = trees["old"] / "report_specs"
    demo_rest = "as_of:" + (demo / "demo.yaml").read_text().split("as_of:", 1)[1]
    reports = [("demo", demo / "data", "json.gz", demo_rest, args.repeat)]
    reports.append(("10^6 events", ensure_inputs(1_000_000), "jsonl.gz", LARGE_REST, args.repeat))
    if args.huge:
        folder = ensure_inputs(10_000_000, ("jsonl",))
        reports.append(("10^7 events", folder, "jsonl.gz", LARGE_REST, max(1, args.repeat // 3)))
    lines = [
        f"Whole builds, process start to exit, s (median of {args.repeat}); "
        f"old = {args.rev}, new = {args.new or 'the working tree'}",
        "",
        "| report | build | old | new | new / old (range) |",
        "|---|---|---|---|---|",
    ]
    for label, data, suffix, rest, repeat in reports:
        print(f"measuring {label}", file=sys.stderr, flush=True)
        runs = compare(trees, data, suffix, rest, repeat)
        lines += [row(label, runs, "cold"), row(label, runs, "warm")]
        if label != "demo":
            runs = compare_series(trees, data, repeat)
            lines += [row(label, runs, "series s"), row(label, runs, "peak RSS MB")]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
