"""A naive allocation timeline, written from issue 10's rules, sharing no code with reportgen:
plain Python per batch job, exact fractions, a lane search by scanning every lane.

Times are plain integers (any unit; `minute` says how many make a minute).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

from tests.slow_reference import Ev


@dataclass(frozen=True)
class Batch:
    id: int
    num_nodes: int
    start: int | None
    end: int | None
    wall_min: int | None


@dataclass(frozen=True)
class Lane:
    id: int
    start: int
    end: int
    """As drawn: clamped at the as-of time, or the as-of time when still open."""
    open: bool
    requested_end: int | None


def timeline(batches: list[Batch], as_of: int, minute: int) -> list[Lane]:
    """The drawn batch jobs by start time, then id: those started at or before as-of whose
    end (if any) is not before their start."""
    shown = [
        b
        for b in batches
        if b.start is not None and b.start <= as_of and (b.end is None or b.end >= b.start)
    ]
    shown.sort(key=lambda b: (b.start, b.id))
    lanes = []
    for b in shown:
        assert b.start is not None
        still_open = b.end is None or b.end > as_of
        end = as_of if still_open else b.end
        assert end is not None
        requested = None if b.wall_min is None else b.start + b.wall_min * minute
        lanes.append(Lane(b.id, b.start, end, still_open, requested))
    return lanes


def packed_lanes(spans: list[tuple[int, int]]) -> list[int]:
    """Spans in start order; each takes the lowest-numbered lane whose every span has ended
    by its start (scanning all lanes), else a new lane."""
    lanes: list[list[tuple[int, int]]] = []
    chosen = []
    for start, end in spans:
        for number, lane in enumerate(lanes):
            if all(e <= start for _, e in lane):
                lane.append((start, end))
                chosen.append(number)
                break
        else:
            lanes.append([(start, end)])
            chosen.append(len(lanes) - 1)
    return chosen


def most_open_at_once(spans: list[tuple[int, int]]) -> int:
    """The most spans holding one instant (a span holds [start, end))."""
    instants = {s for s, e in spans if e > s}
    return max((sum(1 for s, e in spans if s <= t < e) for t in instants), default=0)


def fixed(value: Fraction) -> str:
    """An exact fraction with exactly 6 decimals, rounded half to even (via Decimal)."""
    with localcontext() as context:
        context.prec = 60
        number = Decimal(value.numerator) / Decimal(value.denominator)
        return str(number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN))


def csv_numbers(lane: Lane, nodes: int, minute: int, wall_min: int | None) -> tuple[str, ...]:
    """wall_minutes_used, wall_minutes_requested, node_hours of one row."""
    used = Fraction(lane.end - lane.start, minute)
    return (
        fixed(used),
        "" if wall_min is None else fixed(Fraction(wall_min)),
        fixed(used * nodes / 60),
    )


def use_per_allocation(
    intervals: list[tuple[int, int, int | None, Fraction]], batch_of_job: dict[int, int | None]
) -> dict[int, dict[int, Fraction]]:
    """Per batch job id: the sum of its jobs' open intervals (job, start, end or None when
    still open, weight) at each instant where it changes."""
    by_batch: dict[int, list[tuple[int, int | None, Fraction]]] = {}
    for job, start, end, weight in intervals:
        batch = batch_of_job.get(job)
        if batch is not None:
            by_batch.setdefault(batch, []).append((start, end, weight))
    result = {}
    for batch, spans in by_batch.items():
        instants = sorted({t for s, e, _ in spans for t in (s, e) if t is not None})
        changes, previous = {}, Fraction(0)
        for t in instants:
            value = sum((w for s, e, w in spans if s <= t and (e is None or t < e)), Fraction(0))
            if value != previous:
                changes[t] = value
                previous = value
        result[batch] = changes
    return result


def job_intervals(
    events: list[Ev], as_of: int, fallback: dict[int, float]
) -> list[tuple[int, int, int | None, Fraction]]:
    """Per job in its true order (`seq`): entering RUNNING opens an interval (if none is
    open) weighted by data.num_nodes, else the job's fallback, else 1; leaving closes it.
    (job, start, end or None when still open at as-of, weight)."""
    by_job: dict[int, list[Ev]] = {}
    for e in events:
        if e.time <= as_of:
            by_job.setdefault(e.job_id, []).append(e)
    found: list[tuple[int, int, int | None, Fraction]] = []
    for job, history in by_job.items():
        opened: tuple[int, Fraction] | None = None
        for e in sorted(history, key=lambda e: e.seq):
            enters = e.to_state == "RUNNING" and e.from_state != "RUNNING"
            leaves = e.from_state == "RUNNING" and e.to_state != "RUNNING"
            if enters and opened is None:
                weight = e.num_nodes if e.num_nodes is not None else fallback.get(job, 1.0)
                opened = (e.time, Fraction(weight).limit_denominator(1000))
            elif leaves and opened is not None:
                found.append((job, opened[0], e.time, opened[1]))
                opened = None
        if opened is not None:
            found.append((job, opened[0], None, opened[1]))
    return found
