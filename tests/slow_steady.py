"""An independent, deliberately naive steady state and scaling table, written from issue 11's
definitions: plain Python over (event id, minute) completions and (nodes, start, end) batch
jobs, fractions parsed from their decimal text by hand. Shares no code with `reportgen`."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


def decimal_text(text: str) -> Fraction:
    """`"0.15"` -> 15/100, by hand (no Decimal, no float)."""
    whole, _, digits = text.partition(".")
    return Fraction(int(whole or "0") * 10 ** len(digits) + int(digits or "0"), 10 ** len(digits))


def ceil(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)


@dataclass(frozen=True)
class Slow:
    n: int
    k1: int
    k2: int
    t1: Fraction | None
    t2: Fraction | None
    nodes: Fraction | None
    """Mean available nodes over [t1, t2]."""

    @property
    def rate(self) -> Fraction | None:
        """Jobs per minute."""
        if self.t1 is None or self.t2 is None or self.t1 == self.t2:
            return None
        return Fraction(self.k2 - self.k1) / (self.t2 - self.t1)

    @property
    def per_node(self) -> Fraction | None:
        rate = self.rate
        return None if rate is None or not self.nodes else rate / self.nodes


def held(batch_jobs: list[tuple[int, float, float]], t1: Fraction, t2: Fraction) -> Fraction:
    """Mean nodes held over [t1, t2]: each batch job's nodes times its overlap."""
    total = Fraction(0)
    for nodes, start, end in batch_jobs:
        overlap = min(Fraction(end), t2) - max(Fraction(start), t1)
        if overlap > 0:
            total += nodes * overlap
    return total / (t2 - t1)


def steady(
    completions: list[tuple[int, float]],
    batch_jobs: list[tuple[int, float, float]],
    lo: str,
    hi: str,
) -> Slow:
    """Completions as (event id, minute); `lo`, `hi` as written in the spec."""
    n = len(completions)
    k1 = max(1, ceil(decimal_text(lo) * n))
    k2 = ceil(decimal_text(hi) * n)
    if k2 <= k1:
        return Slow(n, k1, k2, None, None, None)
    ordered = sorted(completions, key=lambda c: (c[1], c[0]))
    t1, t2 = Fraction(ordered[k1 - 1][1]), Fraction(ordered[k2 - 1][1])
    if t1 == t2:
        return Slow(n, k1, k2, t1, t2, None)
    return Slow(n, k1, k2, t1, t2, held(batch_jobs, t1, t2))


@dataclass(frozen=True)
class SlowJob:
    """A job that runs once on `nodes` nodes from `start` for `minutes`, then finishes (or,
    `done` False, ends in RUN_ERROR and never finishes); times in minutes."""

    id: int
    nodes: int
    start: float
    minutes: float
    done: bool = True


def scaling_rows(
    runs: list[tuple[str, list[SlowJob], list[tuple[int, float, float]]]],
    lo: str,
    hi: str,
    baseline: str,
) -> list[dict[str, Fraction | int | str | None]]:
    """The scaling table per run (name, jobs, batch jobs): each run's window is its first
    record to its latest (its as-of time), every job's events in it."""
    found = []
    for name, jobs, allocations in runs:
        completions = [(10 * j.id + 3, j.start + j.minutes + 0.5) for j in jobs if j.done]
        event_times = [j.start for j in jobs] + [j.start + j.minutes for j in jobs]
        event_times += [t for _, t in completions]
        record_times = event_times + [t for _, s, e in allocations for t in (s, e)]
        start, as_of = Fraction(min(record_times)), Fraction(max(record_times))
        state = steady(completions, allocations, lo, hi)
        useful = sum((Fraction(j.nodes) * Fraction(j.minutes) for j in jobs if j.done), Fraction(0))
        available = sum(
            (n * (min(Fraction(e), as_of) - max(Fraction(s), start)) for n, s, e in allocations),
            Fraction(0),
        )
        found.append(
            {
                "run": name,
                "nodes": state.nodes,
                "jobs_finished": len(completions),
                "makespan_minutes": as_of - Fraction(min(event_times)),
                "steady_jobs_per_minute": state.rate,
                "steady_jobs_per_node_minute": state.per_node,
                "efficiency": useful / available if available else None,
            }
        )
    base = next(r for r in found if r["run"] == baseline)
    for row in found:
        rate, per_node = row["steady_jobs_per_minute"], row["steady_jobs_per_node_minute"]
        base_rate, base_node = base["steady_jobs_per_minute"], base["steady_jobs_per_node_minute"]
        row["speedup"] = _ratio(rate, base_rate)
        ratio = _ratio(per_node, base_node)
        row["delta_vs_baseline"] = None if ratio is None else ratio - 1
    return found


def _ratio(value: object, base: object) -> Fraction | None:
    if isinstance(value, Fraction) and isinstance(base, Fraction) and base:
        return value / base
    return None
