"""One step series over another, instant by instant (utilization over available nodes)."""

from __future__ import annotations

import numpy as np

from reportgen.analytics.steps import DECIMALS, StepSeries, union_times


def value_at(series: StepSeries, times: np.ndarray) -> np.ndarray:
    """The series' value at each of `times` (0 before its first change)."""
    index = np.searchsorted(series.times, times, side="right") - 1
    values: np.ndarray = np.r_[0.0, series.values][index + 1]
    return values


def ratio_series(name: str, numerator: StepSeries, denominator: StepSeries) -> StepSeries:
    """numerator / denominator at each instant, 0 where the denominator is 0 (or less);
    rounded to 9 decimals like every series, only real changes kept."""
    times = union_times(numerator.times, denominator.times)
    top, bottom = value_at(numerator, times), value_at(denominator, times)
    safe = np.where(bottom > 0, bottom, 1.0)
    levels = np.round(np.where(bottom > 0, top / safe, 0.0), DECIMALS) + 0.0
    changed = levels != np.r_[0.0, levels[:-1]]
    return StepSeries(name, times[changed], levels[changed], False)
