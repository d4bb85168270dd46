"""The `scaling` kind (issue 11): its CSV against `slow_steady`'s table, runs by tag (numbers
and text), runs with their own sources, a run with too few completions, the baseline, and
the page's table with deltas against it."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal, localcontext
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from reportgen.build import build_site
from reportgen.errors import SpecError
from tests.factories import at, batch_job, event, job
from tests.slow_steady import SlowJob, scaling_rows

COLUMNS = [
    "run",
    "nodes",
    "jobs_finished",
    "makespan_minutes",
    "steady_jobs_per_minute",
    "steady_jobs_per_node_minute",
    "efficiency",
    "speedup",
    "delta_vs_baseline",
]
SPEC = """\
title: Scaling
source:
  files: {events: events.json, jobs: jobs.json, batch_jobs: batchjobs.json}
queries:
  events:
    all: {tags: {experiment: ffn}}
  batch_jobs:
    all: {}
charts:
  - {id: scaling, type: scaling, events: all, batch_jobs: all, formats: [png, svg]}
"""


def workload(nodes: int, count: int, overhead: float, first_id: int) -> list[SlowJob]:
    """`count` one-node jobs on `nodes` nodes, in waves; each wave waits `overhead` minutes
    (the launcher's), so per-node rates differ between node counts."""
    jobs = []
    for i in range(count):
        wave, slot = divmod(i, nodes)
        start = 1 + wave * (4 + overhead) + slot * overhead / nodes
        jobs.append(SlowJob(first_id + i, 1, start, 4 + (i % 3) / 2, done=i % 7 != 6))
    return jobs


def records(jobs: list[SlowJob], tag: str) -> list[dict[str, Any]]:
    events = []
    for j in jobs:
        events.append(event(10 * j.id + 1, j.id, j.start, "PREPROCESSED", "RUNNING", num_nodes=1))
        end = j.start + j.minutes
        if j.done:
            events.append(event(10 * j.id + 2, j.id, end, "RUNNING", "RUN_DONE"))
            events.append(event(10 * j.id + 3, j.id, end + 0.5, "RUN_DONE", "JOB_FINISHED"))
        else:
            events.append(event(10 * j.id + 2, j.id, end, "RUNNING", "RUN_ERROR"))
    return events


def write(
    folder: Path, runs: list[tuple[str, list[SlowJob], list[tuple[int, float, float]]]]
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    events: list[dict[str, Any]] = []
    jobs: list[dict[str, Any]] = []
    batch: list[dict[str, Any]] = []
    for name, run_jobs, allocations in runs:
        events += records(run_jobs, name)
        jobs += [job(j.id, j.nodes, experiment="ffn", scale_nodes=name) for j in run_jobs]
        batch += [
            batch_job(len(batch) + i + 1, n, s, e, scale_nodes=name)
            for i, (n, s, e) in enumerate(allocations)
        ]
    (folder / "events.json").write_text(json.dumps(events))
    (folder / "jobs.json").write_text(json.dumps(jobs))
    (folder / "batchjobs.json").write_text(json.dumps(batch))


def printed(value: Fraction | int | str | None) -> str:
    """A value as the slow table prints it: 12 significant digits, plain."""
    if value is None:
        return ""
    if isinstance(value, str | int):
        return str(value)
    with localcontext() as context:
        context.prec = 12
        text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def expected_csv(rows: list[dict[str, Fraction | int | str | None]]) -> list[dict[str, str]]:
    shown = []
    for row in rows:
        cells = {k: printed(v) for k, v in row.items()}
        minutes = row["makespan_minutes"]
        assert isinstance(minutes, Fraction)
        cells["makespan_minutes"] = f"{float(minutes):.6f}"  # exact here: whole half-minutes
        shown.append({k: cells[k] for k in COLUMNS})
    return shown


def table(path: Path) -> list[dict[str, str]]:
    text = path.read_text()
    assert text.splitlines()[0] == ",".join(COLUMNS)
    return list(csv.DictReader(io.StringIO(text)))


RUNS = [
    ("32", workload(32, 150, 0.5, 1000), [(32, 0.0, 40.0)]),
    ("64", workload(64, 300, 1.0, 2000), [(64, 0.0, 40.0)]),
    ("128", workload(128, 600, 2.0, 4000), [(128, 0.0, 30.0), (16, 10.0, 20.0)]),
    ("8", workload(8, 1, 0.5, 9000), [(8, 0.0, 10.0)]),  # one completion: too few
]


def test_scaling_csv_by_tag_matches_the_slow_table(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder, RUNS)
    spec = folder / "scaling.yaml"
    spec.write_text(
        SPEC
        + "runs: {by_tag: scale_nodes}\nbaseline: '64'\n"
        + "steady_state: {from: 0.1, to: 0.9}\n"
    )
    build_site([spec], tmp_path / "site")
    found = table(tmp_path / "site" / "scaling" / "scaling.csv")
    ordered = sorted(RUNS, key=lambda r: int(r[0]))
    assert found == expected_csv(scaling_rows(ordered, "0.1", "0.9", "64"))
    assert [r["run"] for r in found] == ["8", "32", "64", "128"]
    baseline = found[2]
    assert (baseline["speedup"], baseline["delta_vs_baseline"]) == ("1", "0")
    assert found[0]["steady_jobs_per_minute"] == ""  # too few completions
    assert found[0]["jobs_finished"] == "1"
    # per-node rates differ (the launcher overheads): the 128-node run is below the baseline
    assert Fraction(found[3]["delta_vs_baseline"]) < 0
    page = (tmp_path / "site" / "scaling" / "index.html").read_text()
    assert "none: 1 completion is too few: from 0.1 to 0.9 of them is the 1st to the 1st" in page
    assert "64 (baseline)" in page
    assert "▼" in page
    png = tmp_path / "site" / "scaling" / "scaling.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    spec_json = page.split('id="spec-scaling">', 1)[1].split("</script>", 1)[0]
    drawn = json.loads(spec_json)
    assert drawn["datasets"]["scaling-runs"][0]["run"] == "32"  # 8 has no steady state
    ideal = drawn["vconcat"][0]["layer"][0]
    assert ideal["mark"]["strokeDash"] == [6, 3]
    baseline_rate = Fraction(found[2]["steady_jobs_per_node_minute"])
    assert abs(Fraction(ideal["encoding"]["y"]["datum"]) - baseline_rate) < Fraction(1, 10**12)
    x_scale = drawn["vconcat"][0]["layer"][2]["encoding"]["x"]["scale"]
    assert (x_scale["type"], x_scale["base"]) == ("log", 2)
    svg = (tmp_path / "site" / "scaling" / "scaling.svg").read_text()
    assert svg.count("stroke-dasharray") == 2  # the two ideal lines, drawn in the image too


def test_scaling_over_runs_with_their_own_sources_and_text_names(tmp_path: Path) -> None:
    small, large = RUNS[0], RUNS[2]
    write(tmp_path / "a", [small])
    write(tmp_path / "b", [large])
    spec = tmp_path / "scaling.yaml"
    sources = {
        name: "{files: {events: NAME/events.json, jobs: NAME/jobs.json, "
        "batch_jobs: NAME/batchjobs.json}}".replace("NAME", name)
        for name in ("a", "b")
    }
    spec.write_text(
        SPEC.replace("events.json, jobs", "a/events.json, jobs")
        .replace("jobs: jobs.json", "jobs: a/jobs.json")
        .replace("batch_jobs: batchjobs.json", "batch_jobs: a/batchjobs.json")
        + f"runs:\n  wide: {{source: {sources['b']}}}\n  narrow: {{source: {sources['a']}}}\n"
        + "baseline: narrow\nsteady_state: {from: 0.25, to: 0.75}\n"
    )
    build_site([spec], tmp_path / "site")
    found = table(tmp_path / "site" / "scaling" / "scaling.csv")
    slow = scaling_rows(
        [("wide", large[1], large[2]), ("narrow", small[1], small[2])], "0.25", "0.75", "narrow"
    )
    assert found == expected_csv(slow)


def test_by_tag_values_that_are_not_numbers_are_runs_in_text_order(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    runs = [("theta", *RUNS[0][1:]), ("polaris", *RUNS[1][1:])]
    write(folder, runs)
    spec = folder / "scaling.yaml"
    spec.write_text(SPEC + "runs: {by_tag: scale_nodes}\n")
    build_site([spec], tmp_path / "site")
    found = table(tmp_path / "site" / "scaling" / "scaling.csv")
    ordered = [runs[1], runs[0]]
    assert found == expected_csv(scaling_rows(ordered, "0", "1", "polaris"))


def test_an_unknown_baseline_among_the_found_runs_is_a_spec_error(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder, RUNS[:2])
    spec = folder / "scaling.yaml"
    spec.write_text(SPEC + "runs: {by_tag: scale_nodes}\nbaseline: '128'\n")
    with pytest.raises(SpecError) as caught:
        build_site([spec], tmp_path / "site")
    assert caught.value.problems == [
        f"{spec}:12: baseline: expected one of the runs 32, 64 (found by runs.by_tag); got '128'"
    ]


assert at(0) == "2024-03-01T08:00:00"
