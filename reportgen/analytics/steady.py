"""A run's steady state: the completions between two fractions of them, their rate, and the
nodes available meanwhile; exact (the fractions as decimals, integer ceilings, no floats)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import numpy as np

from reportgen.analytics.exact import simple_fraction
from reportgen.analytics.steps import StepSeries
from reportgen.source.tables import Ints

MINUTE = 60_000_000
"""Microseconds in a minute."""


@dataclass(frozen=True)
class SteadyState:
    """The k1-th to the k2-th completion (1-based, ordered by time, then id) at t1 and t2;
    `reason` says why there is none (then k1, k2 are still set, t1 = t2 = 0)."""

    completions: int
    k1: int
    k2: int
    t1: int = 0
    t2: int = 0
    mean_nodes: Fraction | None = None
    """Mean available nodes over [t1, t2] (0: no rate per node)."""
    reason: str = ""

    @property
    def exists(self) -> bool:
        return not self.reason

    @property
    def jobs_per_minute(self) -> Fraction | None:
        if not self.exists:
            return None
        return Fraction((self.k2 - self.k1) * MINUTE, self.t2 - self.t1)

    @property
    def jobs_per_node_minute(self) -> Fraction | None:
        rate = self.jobs_per_minute
        if rate is None or not self.mean_nodes:
            return None
        return rate / self.mean_nodes


def bounds(fraction_from: Decimal, fraction_to: Decimal, completions: int) -> tuple[int, int]:
    """k1 = max(1, ceil(from x N)), k2 = ceil(to x N), exactly (Decimal -> Fraction)."""
    k1 = max(1, math.ceil(Fraction(fraction_from) * completions))
    return k1, math.ceil(Fraction(fraction_to) * completions)


def steady_state(
    times: Ints,
    ids: Ints,
    fraction_from: Decimal,
    fraction_to: Decimal,
    available: StepSeries,
) -> SteadyState:
    """The steady state of completions at `times` (events `ids`), with `available` the
    nodes held over time."""
    n = int(times.size)
    k1, k2 = bounds(fraction_from, fraction_to, n)
    if k2 <= k1:
        return SteadyState(
            n,
            k1,
            k2,
            reason=f"{n:,} {'completion is' if n == 1 else 'completions are'} too few: "
            f"from {fraction_from} to {fraction_to} of them is the {_nth(k1)} to the {_nth(k2)}",
        )
    order = np.lexsort((ids, times))
    t1, t2 = int(times[order[k1 - 1]]), int(times[order[k2 - 1]])
    if t1 == t2:
        return SteadyState(
            n,
            k1,
            k2,
            t1,
            t2,
            reason=f"the {_nth(k1)} and the {_nth(k2)} completion are at the same instant",
        )
    return SteadyState(n, k1, k2, t1, t2, mean_level(available, t1, t2))


def mean_level(series: StepSeries, start: int, end: int) -> Fraction:
    """The time-weighted mean of a step series over [start, end] (start < end), exactly."""
    edges = np.clip(np.r_[series.times, end], start, end)
    widths = np.diff(edges)
    area = sum(
        (
            simple_fraction(v) * int(w)
            for v, w in zip(series.values.tolist(), widths.tolist(), strict=True)
        ),
        Fraction(0),
    )
    return area / (end - start)


def _nth(k: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st, ..."""
    if 10 <= k % 100 <= 20:
        return f"{k:,}th"
    return f"{k:,}" + {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
