"""Independent, deliberately naive implementations of the three series.

They evaluate each series at every instant by walking plain Python objects, sharing no code
with `reportgen.analytics`. Property tests compare the fast path against them.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Ev:
    """One event; `seq` is its true position in its job's history (known to the generator)."""

    id: int
    job_id: int
    time: int
    from_state: str
    to_state: str
    num_nodes: float | None
    seq: int


def throughput_at(events: list[Ev], to_state: str, as_of: int) -> dict[int, int]:
    """Value at every instant where it changes."""
    times = sorted(e.time for e in events if e.to_state == to_state and e.time <= as_of)
    values: dict[int, int] = {}
    for count, t in enumerate(times, start=1):
        values[t] = count
    return values


def running_intervals(
    events: list[Ev], as_of: int, weighting: bool, fallback: dict[int, float]
) -> list[tuple[int, int | None, Fraction]]:
    """Per job in true order: entering RUNNING opens (if closed), leaving closes (if open).
    The intervals come by job id, then time."""
    intervals: list[tuple[int, int | None, Fraction]] = []
    by_job: dict[int, list[Ev]] = {}
    for e in events:
        if e.time <= as_of:
            by_job.setdefault(e.job_id, []).append(e)
    for job_id in sorted(by_job):
        job_events = by_job[job_id]
        job_events.sort(key=lambda e: e.seq)
        open_at: int | None = None
        weight = Fraction(0)
        for e in job_events:
            entering = e.to_state == "RUNNING" and e.from_state != "RUNNING"
            leaving = e.from_state == "RUNNING" and e.to_state != "RUNNING"
            if entering and open_at is None:
                open_at = e.time
                if not weighting:
                    weight = Fraction(1)
                else:
                    value = e.num_nodes if e.num_nodes is not None else fallback.get(e.job_id, 1)
                    weight = _rational(value)
            elif leaving and open_at is not None:
                intervals.append((open_at, e.time, weight))
                open_at = None
        if open_at is not None:
            intervals.append((open_at, None, weight))
    return intervals


def _rational(weight: float) -> Fraction:
    """The simple fraction a float weight stands for (1/3 rather than its binary neighbour)."""
    return Fraction(weight).limit_denominator(1000)


def level_changes(intervals: list[tuple[int, int | None, Fraction]]) -> dict[int, Fraction]:
    """The value at each instant where the sum of open intervals changes (exact fractions)."""
    instants = sorted({t for s, e, _ in intervals for t in (s, e) if t is not None})
    changes: dict[int, Fraction] = {}
    previous = Fraction(0)
    for t in instants:
        value = sum((w for s, e, w in intervals if s <= t and (e is None or t < e)), Fraction(0))
        if value != previous:
            changes[t] = value
            previous = value
    return changes


def available_at(
    batch_jobs: list[tuple[int, int | None, int | None]], as_of: int
) -> dict[int, Fraction]:
    """(num_nodes, start, end) per batch job, with the counting rules of the spec."""
    intervals: list[tuple[int, int | None, Fraction]] = []
    for nodes, start, end in batch_jobs:
        if start is None or start > as_of or (end is not None and end < start):
            continue
        closes = end if end is not None and end <= as_of else None
        intervals.append((start, closes, Fraction(nodes)))
    return level_changes(intervals)


def job_states_at(events: list[Ev], t: int) -> dict[int, str]:
    """Each job's state at t: the to_state of its last event (in true order) at or before t."""
    states: dict[int, tuple[int, str]] = {}
    for e in events:
        if e.time <= t and (e.job_id not in states or states[e.job_id][0] < e.seq):
            states[e.job_id] = (e.seq, e.to_state)
    return {job: state for job, (_, state) in states.items()}


def state_count_changes(events: list[Ev], as_of: int) -> dict[str, dict[int, int]]:
    """Per state, the number of jobs in it at each instant where that number changes."""
    instants = sorted({e.time for e in events if e.time <= as_of})
    changes: dict[str, dict[int, int]] = {}
    previous: dict[str, int] = {}
    for t in instants:
        counts: dict[str, int] = {}
        for state in job_states_at(events, t).values():
            counts[state] = counts.get(state, 0) + 1
        for state in set(counts) | set(previous):
            if counts.get(state, 0) != previous.get(state, 0):
                changes.setdefault(state, {})[t] = counts.get(state, 0)
        previous = counts
    return changes
