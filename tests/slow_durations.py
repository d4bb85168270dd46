"""An independent, deliberately naive reading of the `durations` rules (issue 9, item 2).

Per job, its events at or before the as-of time in their true order (`Ev.seq`, known to the
generator); for each event entering `from`, a plain scan for the job's next event entering
`from` or `to`. Statistics by exact fractions. Shares no code with `reportgen`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from tests.slow_reference import Ev


@dataclass(frozen=True)
class Stage:
    samples: list[tuple[int, int, int]]
    """(job id, start, duration) per sample, ordered by start, then job id."""
    incomplete: int


def enters(event: Ev, state: str) -> bool:
    return event.to_state == state and event.from_state != state


def stage(events: list[Ev], as_of: int, start: str, end: str) -> Stage:
    by_job: dict[int, list[Ev]] = {}
    for e in events:
        if e.time <= as_of:
            by_job.setdefault(e.job_id, []).append(e)
    samples: list[tuple[int, int, int]] = []
    incomplete = 0
    for job_id, history in by_job.items():
        history.sort(key=lambda e: e.seq)
        for i, e in enumerate(history):
            if not enters(e, start):
                continue
            following = [f for f in history[i + 1 :] if enters(f, start) or enters(f, end)]
            if following and enters(following[0], end):
                samples.append((job_id, e.time, following[0].time - e.time))
            else:
                incomplete += 1
    samples.sort(key=lambda s: (s[1], s[0]))
    return Stage(samples, incomplete)


def quantile(values: list[int], q: Fraction) -> Fraction:
    """Linear interpolation between order statistics: position (n - 1) q, NumPy's default."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    below = int(position)  # floor: position >= 0
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def statistics(values: list[int]) -> list[int] | None:
    """min, p50, p90, p99, max, mean, each rounded to a whole unit (half to even)."""
    if not values:
        return None
    qs = [round(quantile(values, Fraction(p, 100))) for p in (50, 90, 99)]
    return [min(values), *qs, max(values), round(Fraction(sum(values), len(values)))]
