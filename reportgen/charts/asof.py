"""The as-of mark every chart over time shares: a dashed rule at the as-of time, labelled
just above the plot (where no series can run into it)."""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np

from reportgen.charts.timeaxis import axis_positions, time_labels
from reportgen.spec.model import TimeAxis


def as_of_dataset(as_of: int, axis: TimeAxis, start: int) -> list[dict[str, Any]]:
    """The rule's one point: its x position and its label."""
    return [
        {
            "x": axis_positions(np.array([as_of]), axis, start)[0],
            "label": "as of " + time_labels(np.array([as_of]), axis)[0],
        }
    ]


def as_of_layers(dataset: str, x: Any, explored: bool = False) -> list[Any]:
    """The dashed rule and its label, drawn from the named `dataset` on the x channel `x`.
    `explored`: the view's x scale is bound to a zoom, which clips its marks, so the label
    (above the plot) is told not to be clipped, and the rule stays inside the plot."""
    rule = alt.Chart(alt.NamedData(name=dataset)).encode(x=x)
    label: dict[str, Any] = {"clip": False} if explored else {}
    return [
        rule.mark_rule(strokeDash=[4, 3], color="#666666"),
        rule.mark_text(
            align="right", baseline="bottom", dy=-3, fontSize=10, color="#444444", **label
        ).encode(text="label:N", y=alt.value(0)),
    ]
