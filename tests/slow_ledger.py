"""An independent, deliberately naive node-hour ledger, written from the issue's definitions.

Plain Python over `slow_reference.Ev` events and `(num_nodes, start, end)` batch jobs, times
in minutes, weights as the simple fractions they stand for: each busy class is summed per
interval, idle and over capacity per instant between consecutive changes of anything. It
shares no code with `reportgen` (nor with `slow_reference` beyond its event type).
"""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

from tests.slow_reference import Ev

CLASSES = {"RUN_DONE": "useful", "RUN_ERROR": "failed", "RUN_TIMEOUT": "timed_out"}
WAITING = {"PREPROCESSED", "RESTART_READY"}
Interval = tuple[int, int | None, Fraction, str | None]
"""start, end (None: still open), weight, the state its closing event enters."""


def intervals(events: list[Ev], as_of: int, fallback: dict[int, float]) -> list[Interval]:
    """Per job, in its true order: entering RUNNING opens an interval (when none is open),
    leaving RUNNING closes it (when one is open)."""
    found: list[Interval] = []
    jobs = sorted({e.job_id for e in events if e.time <= as_of})
    for job in jobs:
        history = sorted((e for e in events if e.job_id == job and e.time <= as_of), key=_seq)
        opened: tuple[int, Fraction] | None = None
        for e in history:
            if e.to_state == "RUNNING" and e.from_state != "RUNNING" and opened is None:
                nodes = e.num_nodes if e.num_nodes is not None else fallback.get(job, 1.0)
                opened = (e.time, Fraction(nodes).limit_denominator(1000))
            elif e.from_state == "RUNNING" and e.to_state != "RUNNING" and opened is not None:
                found.append((opened[0], e.time, opened[1], e.to_state))
                opened = None
        if opened is not None:
            found.append((opened[0], None, opened[1], None))
    return found


def _seq(e: Ev) -> int:
    return e.seq


def class_of(interval: Interval) -> str:
    closing = interval[3]
    if interval[1] is None:
        return "running"
    return CLASSES.get(closing or "", "lost")


def ledger(
    events: list[Ev],
    batch_jobs: list[tuple[int, int | None, int | None]],
    start: int,
    as_of: int,
    fallback: dict[int, float],
) -> dict[str, Fraction]:
    """Node-minutes per category over [start, as_of]."""
    spans = intervals(events, as_of, fallback)
    totals = {c: Fraction(0) for c in ("useful", "failed", "timed_out", "lost", "running")}
    for interval in spans:
        begin, end = (
            max(interval[0], start),
            min(as_of if interval[1] is None else interval[1], as_of),
        )
        if end > begin:
            totals[class_of(interval)] += interval[2] * (end - begin)
    held = _allocations(batch_jobs, as_of)
    cuts = {start, as_of}
    cuts |= {t for s, e, _ in held for t in (s, e) if t is not None}
    cuts |= {t for s, e, _, _ in spans for t in (s, e) if t is not None}
    cuts |= {e.time for e in events}
    instants = sorted(t for t in cuts if start <= t <= as_of)
    idle_waiting = idle_none = over = available = Fraction(0)
    for here, following in pairwise(instants):
        nodes = sum((n for s, e, n in held if s <= here and (e is None or here < e)), Fraction(0))
        used = sum(
            (w for s, e, w, _ in spans if s <= here and (e is None or here < e)), Fraction(0)
        )
        idle, width = nodes - used, following - here
        available += nodes * width
        if idle < 0:
            over += -idle * width
        elif _someone_waits(events, here):
            idle_waiting += idle * width
        else:
            idle_none += idle * width
    return {
        "available": available,
        **totals,
        "idle_jobs_waiting": idle_waiting,
        "idle_no_jobs": idle_none,
        "over_capacity": over,
    }


def _allocations(
    batch_jobs: list[tuple[int, int | None, int | None]], as_of: int
) -> list[tuple[int, int | None, Fraction]]:
    """(start, end or None, nodes) of the batch jobs counted: started by as_of, not ending
    before they start; an end after as_of is no end."""
    held = []
    for nodes, start, end in batch_jobs:
        if start is None or start > as_of or (end is not None and end < start):
            continue
        held.append((start, end if end is not None and end <= as_of else None, Fraction(nodes)))
    return held


def _someone_waits(events: list[Ev], t: int) -> bool:
    """Whether some job's state at t (its last event by then, in true order) is waiting."""
    last: dict[int, Ev] = {}
    for e in events:
        if e.time <= t and (e.job_id not in last or last[e.job_id].seq < e.seq):
            last[e.job_id] = e
    return any(e.to_state in WAITING for e in last.values())
