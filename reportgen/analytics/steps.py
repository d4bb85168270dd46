"""Step functions of time built from signed changes: merged per instant and exact."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from reportgen.source.tables import Floats, Ints

DECIMALS = 9
_MAX_DENOMINATOR = 1 << 20


@dataclass(frozen=True)
class StepSeries:
    """A right-continuous step function: `values[i]` holds from `times[i]` until the next time.

    Only instants where the value changes are kept; before the first one the value is 0.
    """

    name: str
    """What it counts, as the CSV's `series` column names it."""
    times: Ints
    values: Floats
    integral: bool
    """Counts (written as integers) rather than node-weighted sums."""

    def __len__(self) -> int:
        return int(self.times.size)


def step_series(name: str, times: Ints, deltas: Floats, integral: bool) -> StepSeries:
    """Sum the deltas per instant, accumulate exactly, and keep only real changes."""
    if times.size == 0:
        return StepSeries(name, np.empty(0, np.int64), np.empty(0, np.float64), integral)
    order = np.argsort(times, kind="stable")
    times, deltas = times[order], deltas[order]
    starts = np.flatnonzero(np.r_[True, times[1:] != times[:-1]])
    instants = times[starts]
    levels = exact_cumsum(deltas)[np.r_[starts[1:], times.size] - 1]
    levels = np.round(levels, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    changed = levels != np.r_[0.0, levels[:-1]]
    return StepSeries(name, instants[changed], levels[changed], integral)


def exact_cumsum(deltas: Floats) -> Floats:
    """Cumulative sum without float drift when the deltas are simple fractions.

    Node weights are ratios like 1/6 or 3/8: summing 10^6 of them in floats drifts by ~1e-11.
    Scaled to a common denominator they are integers, whose sum is exact; the one division at
    the end rounds correctly. Other inputs fall back to a float cumsum.
    """
    distinct = np.unique(deltas)
    fractions = [Fraction(float(d)).limit_denominator(_MAX_DENOMINATOR) for d in distinct]
    if all(float(f) == d for f, d in zip(fractions, distinct, strict=True)):
        denominator = 1
        for f in fractions:
            denominator = denominator * f.denominator // np.gcd(denominator, f.denominator)
        largest = max((abs(f) for f in fractions), default=Fraction(0))
        if denominator <= _MAX_DENOMINATOR and largest * denominator * deltas.size < 2**62:
            scaled = np.rint(deltas * denominator).astype(np.int64)
            return np.cumsum(scaled) / denominator
    return np.cumsum(deltas)


def integrate(series: StepSeries, start: int, end: int) -> float:
    """The area under the series from `start` to `end` (microseconds), in value-hours."""
    if end <= start or len(series) == 0:
        return 0.0
    edges = np.clip(np.r_[series.times, end], start, end)
    widths = np.diff(edges).astype(np.float64)
    return float(np.dot(series.values, widths)) / 3.6e9


def union_times(*times: Ints) -> Ints:
    """The distinct instants of all the arrays, ascending (a sort: NumPy 2.4's `np.unique`
    hashes, which is some 50 times slower on 10^6 instants)."""
    merged = np.sort(np.concatenate([*times, np.empty(0, np.int64)]))
    return merged[np.r_[True, merged[1:] != merged[:-1]]] if merged.size else merged
