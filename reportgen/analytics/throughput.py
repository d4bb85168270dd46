"""Throughput: how many events entered a state by each instant (Balsam counts events)."""

from __future__ import annotations

import numpy as np

from reportgen.analytics.steps import StepSeries, step_series
from reportgen.source.tables import EventTable


def throughput(events: EventTable, to_state: str, as_of: int, name: str = "") -> StepSeries:
    """Value at t: the number of events into `to_state` with timestamp <= t (and <= as_of).
    `name` is the series' name (its kind chooses it)."""
    selected = (events.to_state == events.code(to_state)) & (events.timestamp <= as_of)
    times = events.timestamp[selected]
    return step_series(name, times, np.ones(times.size), integral=True)
