"""`available_nodes`: the nodes batch jobs hold over time, from each one's start to its end
(or the as-of time); batch jobs that cannot be counted are listed with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from reportgen.charts.layers import StepLayer
from reportgen.charts.palette import grey
from reportgen.kinds.base import Kind, Section, View
from reportgen.kinds.estimated_starts import estimated_csv, estimated_rows, estimated_warnings
from reportgen.kinds.present import run_layers, steps_section
from reportgen.kinds.results import Rows, Steps
from reportgen.kinds.run import Run
from reportgen.kinds.shared import held_nodes, uncounted_rows, uncounted_warnings
from reportgen.source.data import Needs
from reportgen.spec.containers import Key
from reportgen.spec.schema import BATCH_JOB_REF

COLOR = grey(0.33)


@dataclass(frozen=True)
class Options:
    batch_jobs: str


OPTIONS = {"batch_jobs": Key(BATCH_JOB_REF, "The batch-job query whose nodes are counted.")}


def needs(options: Options) -> Needs:
    return Needs(batch_jobs=(options.batch_jobs,))


def compute(runs: Sequence[Run], options: Options) -> Steps:
    series, warnings = [], []
    tables: list[Rows] = []
    for run in runs:
        nodes, uncounted = held_nodes(run, options.batch_jobs)
        series.append(replace(nodes, name=KIND.name))
        prefix = f"{run.name}: " if len(runs) > 1 else ""
        found = uncounted_warnings(uncounted) + estimated_warnings(run, options.batch_jobs)
        warnings += [prefix + w for w in found]
        tables += uncounted_rows(uncounted, run, options.batch_jobs)
        tables += estimated_rows(run, options.batch_jobs)
    csvs = estimated_csv(runs, options.batch_jobs)
    return Steps(tuple(series), tuple(r.name for r in runs), tuple(warnings), tuple(tables), csvs)


def present(result: Steps, view: View) -> Section:
    if len(result.series) == 1:
        layers = [
            StepLayer(
                result.series[0], f"{view.chart.id}-available_nodes", "Available nodes", COLOR, 2.0
            )
        ]
    else:
        layers = run_layers(view, result, {KIND.name: ("Available nodes", 2.0)})
    return steps_section(view, result, layers, "Nodes", "nodes")


KIND = Kind(
    name="available_nodes",
    title="Available nodes",
    doc=(
        "The nodes held by batch jobs over time; a running batch job without start_time "
        "from its estimated start (its jobs' first entry into RUNNING), listed in "
        "`<id>-estimated_starts.csv`."
    ),
    options=OPTIONS,
    make_options=Options,
    needs=needs,
    compute=compute,
    present=present,
)
