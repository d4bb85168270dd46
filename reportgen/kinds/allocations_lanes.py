"""The allocations kind's result as its chart draws it: lanes, labels and tooltips."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reportgen.source.tables import NO_ID, NO_WALL_TIME

if TYPE_CHECKING:
    from reportgen.charts.lanes import Lanes
    from reportgen.kinds.allocations import RunAllocations

TIPS = (
    ("id", "Batch job"),
    ("scheduler", "Scheduler id"),
    ("queue", "Queue"),
    ("nodes", "Nodes"),
    ("requested", "Requested wall time"),
    ("used", "Actual wall time"),
    ("state", "State"),
    ("status", "Status info"),
)


def timeline(r: RunAllocations, window: tuple[int, int], several: bool) -> Lanes:
    """One run's allocations as the chart draws them (`window`: the run's start and as-of)."""
    from reportgen.charts.lanes import Lanes  # charts: only when drawing

    labels = tuple(
        f"{int(n):,} nodes · {q}" if q else f"{int(n):,} nodes"
        for n, q in zip(r.num_nodes.tolist(), r.queue, strict=True)
    )
    use = None if r.use is None else (r.use.allocation, r.use.times, r.use.values)
    packed = (
        f"{len(r.start):,} allocations packed onto {r.lanes:,} shared lanes (a lane is "
        "reused once its allocation has ended)"
    )
    return Lanes(
        name=r.run if several else "",
        window=window,
        start=r.start,
        end=r.end,
        requested_end=r.requested_end,
        is_open=r.is_open,
        lane=r.lane,
        lanes=r.lanes,
        state=r.state,
        labels=labels,
        tooltips=_tooltips(r),
        tooltip_titles=(*TIPS, ESTIMATED_TIP) if r.estimated.any() else TIPS,
        nodes=r.num_nodes,
        use=use,
        notes=(packed,) if r.packed else (),
        estimated=r.estimated if r.estimated.any() else None,
    )


def _tooltips(r: RunAllocations) -> tuple[dict[str, str], ...]:
    used = (r.end - r.start) / 60e6
    return tuple(
        {
            "id": str(int(r.batch_job_id[i])),
            "scheduler": "-" if r.scheduler_id[i] == NO_ID else str(int(r.scheduler_id[i])),
            "queue": r.queue[i],
            "nodes": f"{int(r.num_nodes[i]):,}",
            "requested": _minutes(int(r.wall_time_min[i])),
            "used": f"{used[i]:,.1f} min" + (" (still running)" if r.is_open[i] else ""),
            "state": r.state[i],
            "status": r.status_info[i] or "-",
            **_start(r, i),
        }
        for i in range(len(r.start))
    )


ESTIMATED_TIP = ("start", "Start")


def _start(r: RunAllocations, i: int) -> dict[str, str]:
    """Where a start comes from, when some allocation's start is estimated."""
    if not r.estimated.any():
        return {}
    job = int(r.estimated_from[i])
    if job == NO_ID:
        return {"start": "start_time (the server's)"}
    return {"start": f"estimated: job {job:,} entering RUNNING (no start_time yet)"}


def _minutes(wall: int) -> str:
    return "unknown" if wall == NO_WALL_TIME else f"{wall:,} min"
