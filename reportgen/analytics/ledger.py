"""The node-hour ledger: where the nodes batch jobs held went, over a window, exactly.

Busy node-time is each RUNNING interval's weight times its duration, classed by the state
its closing event moves to; idle node-time (available minus running) is split by whether
some job was waiting to run; running above what batch jobs held is over capacity. So

    available = useful + failed + timed_out + lost + running
                + idle_jobs_waiting + idle_no_jobs - over_capacity

holds exactly: every sum is integer microseconds times weights turned into the simple
fractions they stand for (1/6 rather than its binary neighbour), over one common
denominator, in int64 where it cannot overflow and Python integers where it could.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from reportgen.analytics.exact import SAFE, exact_dot, exact_weights, six_decimals
from reportgen.analytics.steps import DECIMALS, StepSeries, union_times
from reportgen.analytics.utilization import RunningIntervals, interval_series
from reportgen.source.tables import Codes, Floats, Ints, Mask

CATEGORIES = (
    "available",
    "useful",
    "failed",
    "timed_out",
    "lost",
    "running",
    "idle_jobs_waiting",
    "idle_no_jobs",
    "over_capacity",
)
BUSY = CATEGORIES[1:6]
"""The classes of RUNNING intervals, by the state their closing event enters (open: running)."""
CLOSED_BY = {"RUN_DONE": "useful", "RUN_ERROR": "failed", "RUN_TIMEOUT": "timed_out"}


@dataclass(frozen=True)
class Ledger:
    """A window's node-seconds per category (exact), and the nodes in each class over time.

    Exact values are integers over one denominator (the build cache holds data, not
    Fractions): category c has `numerators[c] / denominator` node-seconds."""

    numerators: Mapping[str, int]
    """Every category of CATEGORIES, in that order."""
    denominator: int
    over_time: tuple[StepSeries, ...]
    """Per category but `available`, in order: the nodes in it at each instant."""
    available: StepSeries
    start: int
    as_of: int

    @property
    def node_seconds(self) -> dict[str, Fraction]:
        return {c: Fraction(n, self.denominator) for c, n in self.numerators.items()}

    def node_hours(self, category: str) -> float:
        return float(self.node_seconds[category] / 3600)

    def printed(self, category: str) -> str:
        """Node-hours rounded to exactly 6 decimals (half to even), from the exact value."""
        return six_decimals(self.node_seconds[category] / 3600)


def interval_classes(intervals: RunningIntervals, to_state: Codes, names: tuple[str, ...]) -> Ints:
    """Each interval's class (an index into BUSY): by the `to_state` of its closing event
    (`to_state` of the events `closed_by` indexes), `running` when still open."""
    classes = np.full(len(intervals), BUSY.index("lost"), dtype=np.int64)
    closed = ~intervals.is_open
    closing = np.full(len(intervals), -1, dtype=np.int64)
    closing[closed] = to_state[intervals.closed_by[closed]]
    for state, category in CLOSED_BY.items():
        if state in names:
            classes[closing == names.index(state)] = BUSY.index(category)
    classes[intervals.is_open] = BUSY.index("running")
    return classes


def node_ledger(
    intervals: RunningIntervals,
    classes: Ints,
    available: StepSeries,
    waiting: StepSeries,
    start: int,
    as_of: int,
) -> Ledger:
    """The ledger of `[start, as_of]`: `classes` from `interval_classes`, `available` the
    nodes held, `waiting` the number of jobs runnable but not running (waiting for nodes)."""
    numerators, denominator = exact_weights(intervals.weight)
    scaled = _busy(intervals, classes, numerators, start, as_of)
    busy = [
        interval_series(intervals.take(classes == i), category, integral=False)
        for i, category in enumerate(BUSY)
    ]
    idle = _idle(intervals, numerators, denominator, available, waiting, start, as_of)
    scaled.update(idle.node_micros)
    exact = {c: scaled[c] for c in CATEGORIES}
    over_time = (*busy, *idle.over_time(denominator))
    return Ledger(exact, denominator * 1_000_000, over_time, available, start, as_of)


def busy_node_seconds(
    intervals: RunningIntervals, classes: Ints, start: int, as_of: int
) -> dict[str, Fraction]:
    """The busy classes of the ledger alone (BUSY: useful ... running), exact: what the
    headline needs, without the idle split."""
    numerators, denominator = exact_weights(intervals.weight)
    scaled = _busy(intervals, classes, numerators, start, as_of)
    return {c: Fraction(v, denominator * 1_000_000) for c, v in scaled.items()}


def _busy(
    intervals: RunningIntervals, classes: Ints, numerators: np.ndarray, start: int, as_of: int
) -> dict[str, int]:
    """Each busy class's node-microseconds in `[start, as_of]`, times the denominator of
    `numerators`."""
    begin = np.clip(intervals.start, start, as_of)
    end = np.clip(intervals.end, start, as_of)
    scaled: dict[str, int] = {}
    for index, category in enumerate(BUSY):
        mine = classes == index
        scaled[category] = exact_dot(numerators[mine], end[mine] - begin[mine])
    return scaled


def _scaled(values: Floats, denominator: int) -> np.ndarray:
    """Whole-number values (nodes held) times the denominator, exactly."""
    largest = float(np.abs(values).max(initial=0))
    if largest * denominator * max(values.size, 1) < SAFE:
        return np.rint(values).astype(np.int64) * denominator
    return np.array([int(v) * denominator for v in values.tolist()], dtype=object)


def _segments(
    start: int, as_of: int, *series: tuple[Ints, np.ndarray | None]
) -> tuple[Ints, Ints, list[np.ndarray]]:
    """The window cut at every change of any series: each piece's start and duration, and
    each series' level there (series given as change times and levels; levels None: only
    its times cut the window)."""
    cuts = np.concatenate([times for times, _ in series] + [np.array([start], np.int64)])
    times = union_times(cuts[(cuts >= start) & (cuts < as_of)])
    durations = np.diff(np.r_[times, as_of])
    levels = []
    for change_times, values in series:
        if values is None:
            continue
        index = np.searchsorted(change_times, times, side="right") - 1
        at = values[np.maximum(index, 0)] if values.size else np.zeros(times.size, np.int64)
        levels.append(np.where(index >= 0, at, 0))
    return times, durations, levels


def _running_levels(intervals: RunningIntervals, numerators: np.ndarray, times: Ints) -> np.ndarray:
    """The scaled running weight at each time: each interval counts from its start until
    its end (an open one to the window's end)."""
    closed = ~intervals.is_open
    change = np.r_[intervals.start, intervals.end[closed]]
    deltas = np.r_[numerators, -numerators[closed]]
    order = np.argsort(change, kind="stable")
    change, total = change[order], np.cumsum(deltas[order])
    index = np.searchsorted(change, times, side="right") - 1
    if total.size == 0:
        return np.zeros(times.size, dtype=np.int64)
    return np.where(index >= 0, total[np.maximum(index, 0)], 0)


@dataclass(frozen=True)
class IdleSplit:
    """Available minus running, cut at every change of either (or of the waiting count): the
    idle nodes (scaled) with and without a job waiting, and those over capacity."""

    times: Ints
    spare: np.ndarray
    over: np.ndarray
    is_waiting: Mask
    node_micros: dict[str, int]
    """`available`, the two idle classes and `over_capacity`, scaled like the busy ones."""

    def over_time(self, denominator: int) -> tuple[StepSeries, ...]:
        times, spare, waiting = self.times, self.spare, self.is_waiting
        return (
            _level_series("idle_jobs_waiting", times, np.where(waiting, spare, 0), denominator),
            _level_series("idle_no_jobs", times, np.where(waiting, 0, spare), denominator),
            _level_series("over_capacity", times, self.over, denominator),
        )


def _idle(
    intervals: RunningIntervals,
    numerators: np.ndarray,
    denominator: int,
    available: StepSeries,
    waiting: StepSeries,
    start: int,
    as_of: int,
) -> IdleSplit:
    """The idle split of `[start, as_of]` (its levels per piece are freed on return: at 10^7
    events each is tens of MB)."""
    held = _scaled(available.values, denominator)
    times, durations, levels = _segments(
        start,
        as_of,
        (available.times, held),
        (np.r_[intervals.start, intervals.end[~intervals.is_open]], None),
        (waiting.times, waiting.values.astype(np.int64)),
    )
    idle = levels[0] - _running_levels(intervals, numerators, times)
    is_waiting = levels[1] > 0
    spare, over = np.maximum(idle, 0), np.maximum(-idle, 0)
    sums = {
        "idle_jobs_waiting": exact_dot(spare[is_waiting], durations[is_waiting]),
        "idle_no_jobs": exact_dot(spare[~is_waiting], durations[~is_waiting]),
        "over_capacity": exact_dot(over, durations),
        "available": exact_dot(levels[0], durations),
    }
    return IdleSplit(times, spare, over, is_waiting, sums)


def _level_series(name: str, times: Ints, scaled: np.ndarray, denominator: int) -> StepSeries:
    """Levels (scaled) from each time on, as a series of their changes (0 before)."""
    values = np.round(scaled.astype(np.float64) / denominator, DECIMALS) + 0.0
    changed = values != np.r_[0.0, values[:-1]]
    return StepSeries(name, times[changed], values[changed], integral=False)


WAITING = ("PREPROCESSED", "RESTART_READY")
"""A job in one of these is runnable and waiting for nodes."""


def waiting_jobs(counts: list[StepSeries]) -> StepSeries:
    """The number of jobs in any of the given per-state counts at each instant (their sum)."""
    times = union_times(*(s.times for s in counts))
    total = np.zeros(times.size)
    for s in (s for s in counts if len(s)):
        index = np.searchsorted(s.times, times, side="right") - 1
        total += np.where(index >= 0, s.values[np.maximum(index, 0)], 0.0)
    changed = total != np.r_[0.0, total[:-1]]
    return StepSeries("waiting", times[changed], total[changed], integral=True)
