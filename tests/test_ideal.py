"""`throughput` with `ideal: true` over runs (issue 11): per run a dashed straight line from
its start, nodes / mean run time x t, in the run's colour and the legend, drawn not written;
checked against `slow_steady`; and its spec error without `available_nodes`."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest

from reportgen.build import build_site
from reportgen.errors import SpecError
from reportgen.spec import load_report
from tests import slow_steady
from tests.test_scaling import RUNS, SPEC, write

CHART = "  - {id: thr, type: throughput, events: all, available_nodes: all, ideal: true}\n"


def test_each_run_has_its_ideal_line_in_its_colour(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    runs = RUNS[:3]
    write(folder, runs)
    spec = folder / "ideal.yaml"
    body = SPEC.split("charts:\n")[0] + "charts:\n" + CHART
    spec.write_text(body + "runs: {by_tag: scale_nodes}\nsteady_state: {from: 0.1, to: 0.9}\n")
    build_site([spec], tmp_path / "site")
    page = (tmp_path / "site" / "ideal" / "index.html").read_text()
    drawn = json.loads(page.split('id="spec-thr">', 1)[1].split("</script>", 1)[0])
    ideal = drawn["layer"][0]
    assert ideal["mark"]["strokeDash"] == [1, 4]  # sparse dots, unlike any run's dash
    scale = ideal["encoding"]["color"]["scale"]
    assert scale["domain"] == ["32", "64", "128", "32 ideal", "64 ideal", "128 ideal"]
    assert scale["range"][3:] == scale["range"][:3]  # each in its run's colour
    rows = drawn["datasets"]["thr-ideal"]
    for name, jobs, allocations in runs:
        done = [j for j in jobs if j.done]
        completions = [(10 * j.id + 3, j.start + j.minutes + 0.5) for j in done]
        state = slow_steady.steady(completions, allocations, "0.1", "0.9")
        assert state.nodes is not None
        mean_run = sum((Fraction(j.minutes) for j in done), Fraction(0)) / len(done)
        times = [j.start for j in jobs] + [j.start + j.minutes for j in jobs]
        times += [t for _, t in completions] + [t for _, s, e in allocations for t in (s, e)]
        span = Fraction(max(times)) - Fraction(min(times))  # minutes: start to as-of
        mine = [r for r in rows if r["series"] == f"{name} ideal"]
        assert [r["x"] for r in mine] == [0, float(span)]
        assert mine[0]["value"] == 0
        assert abs(Fraction(mine[1]["value"]) - state.nodes / mean_run * span) < Fraction(1, 10**9)
    csv_text = (tmp_path / "site" / "ideal" / "thr.csv").read_text()
    assert "ideal" not in csv_text  # drawn, not written


def test_ideal_needs_available_nodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    body = SPEC.split("charts:\n")[0] + "charts:\n" + CHART.replace(" available_nodes: all,", "")
    (tmp_path / "ideal.yaml").write_text(body)
    with pytest.raises(SpecError) as caught:
        load_report(Path("ideal.yaml"))
    assert caught.value.problems == [
        "ideal.yaml:10: charts[0].ideal: needs available_nodes (the batch-job query whose "
        "nodes the ideal line uses)"
    ]


SYMBOL = re.compile(
    r'role-legend-symbol"[^>]*><path [^>]*stroke="(#[0-9a-f]{6})"[^>]*'
    r'stroke-dasharray="([^"]*)"'
)


def test_the_legend_dashes_each_swatch_as_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder, RUNS[:2])
    spec = folder / "ideal.yaml"
    chart = CHART.replace("ideal: true}", "ideal: true, formats: [svg]}")
    spec.write_text(
        SPEC.split("charts:\n")[0] + "charts:\n" + chart + "runs: {by_tag: scale_nodes}\n"
    )
    build_site([spec], tmp_path / "site")
    # the exported SVG as Vega drew it: one swatch per legend entry, in legend order
    symbols = SYMBOL.findall((tmp_path / "site" / "ideal" / "thr.svg").read_text())
    # the runs solid then 6,3 (the palette's first two run dashes), the ideals dotted 1,4
    assert [dash for _, dash in symbols] == ["", "6,3", "1,4", "1,4"]
    assert [colour for colour, _ in symbols[2:]] == [colour for colour, _ in symbols[:2]]
