"""The allocations CSV: a row per drawn batch job, in lane order (start time, then id), with a
leading `run` column when the chart spans several runs. Times are UTC with 6 fraction
digits; minutes and node-hours exact, printed with exactly 6 decimals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from reportgen.analytics.allocations import minutes_text, node_hours_text
from reportgen.kinds.base import DataFile
from reportgen.kinds.present import text_file
from reportgen.site.csvfile import csv_field
from reportgen.source.tables import NO_ID, NO_TIME, NO_WALL_TIME
from reportgen.times import format_micros

if TYPE_CHECKING:
    from reportgen.kinds.allocations import RunAllocations

HEADER = (
    "batch_job_id,scheduler_id,queue,state,num_nodes,start,end,requested_end,"
    "wall_minutes_used,wall_minutes_requested,node_hours"
)


ESTIMATED = ",start_source,start_from_job_id"
"""Added only when some allocation's start is estimated (other CSVs keep their bytes)."""


def allocations_csv(runs: Sequence[RunAllocations]) -> str:
    several = len(runs) > 1
    estimates = any(r.estimated.any() for r in runs)
    lines = [("run," if several else "") + HEADER + (ESTIMATED if estimates else "")]
    for r in runs:
        lead = f"{csv_field(r.run)}," if several else ""
        used = r.end - r.start
        minutes, hours = minutes_text(used), node_hours_text(used, r.num_nodes)
        for i in range(len(r.start)):
            requested = int(r.requested_end[i])
            wall = int(r.wall_time_min[i])
            cells: tuple[str, ...] = (
                str(int(r.batch_job_id[i])),
                "" if r.scheduler_id[i] == NO_ID else str(int(r.scheduler_id[i])),
                csv_field(r.queue[i]),
                csv_field(r.state[i]),
                str(int(r.num_nodes[i])),
                format_micros(int(r.start[i])),
                format_micros(int(r.end[i])),
                "" if requested == NO_TIME else format_micros(requested),
                minutes[i],
                "" if wall == NO_WALL_TIME else f"{wall}.000000",
                hours[i],
            )
            if estimates:
                job = int(r.estimated_from[i])
                cells += ("start_time", "") if job == NO_ID else ("estimated", str(job))
            lines.append(lead + ",".join(cells))
    return "\n".join(lines) + "\n"


def allocations_file(chart_id: str, runs: Sequence[RunAllocations]) -> DataFile:
    return text_file(f"{chart_id}.csv", allocations_csv(runs))
