"""`throughput`: how many events entered a state by each instant (Balsam counts events, so a
job finishing twice counts twice)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportgen.analytics.throughput import throughput
from reportgen.charts.layers import StepLayer
from reportgen.charts.palette import GREEN
from reportgen.kinds.base import Kind, Section, View
from reportgen.kinds.present import run_layers, steps_section
from reportgen.kinds.results import Steps
from reportgen.kinds.run import Run
from reportgen.source.data import Needs
from reportgen.spec.checks import Choice, Key
from reportgen.spec.schema import EVENT_REF
from reportgen.states import JOB_STATES

COLOR = GREEN


@dataclass(frozen=True)
class Options:
    events: str
    to_state: str = "JOB_FINISHED"


OPTIONS = {
    "events": Key(EVENT_REF, "The event query whose events are counted."),
    "to_state": Key(Choice(JOB_STATES), "The state counted.", "JOB_FINISHED"),
}


def needs(options: Options) -> Needs:
    return Needs(events=(options.events,))


def compute(runs: Sequence[Run], options: Options) -> Steps:
    """Per run, the count at t of the events into `to_state` at or before t (and as-of)."""
    return Steps(
        tuple(
            throughput(run.events(options.events), options.to_state, run.as_of, KIND.name)
            for run in runs
        ),
        tuple(run.name for run in runs),
    )


def present(result: Steps, view: View) -> Section:
    if len(result.series) == 1:
        layers = [
            StepLayer(result.series[0], f"{view.chart.id}-throughput", "Throughput", COLOR, 2.0)
        ]
    else:
        layers = run_layers(view, result, {KIND.name: ("Throughput", 2.0)})
    to_state = view.chart.options.to_state
    return steps_section(view, result, layers, f"Events into {to_state}", f"events into {to_state}")


KIND = Kind(
    name="throughput",
    title="Throughput",
    doc="The number of events into a state by each instant.",
    options=OPTIONS,
    make_options=Options,
    needs=needs,
    compute=compute,
    present=present,
)
