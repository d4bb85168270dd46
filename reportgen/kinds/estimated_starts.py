"""How the pages and CSVs say which allocations have an estimated start, and from what: a
note, a table (once per page, like the batch jobs not counted) and `<chart>-estimated_starts.csv`
beside the charts whose available nodes use them."""

from __future__ import annotations

from collections.abc import Sequence

from reportgen.kinds.results import Column, Rows
from reportgen.kinds.run import Run
from reportgen.kinds.shared import start_estimates
from reportgen.site.csvfile import csv_field
from reportgen.source.tables import NO_ID
from reportgen.times import format_micros, prose_time

ESTIMATED = "Batch jobs with an estimated start"
PART = "estimated_starts"
"""The CSV's name: `<chart>-estimated_starts.csv`."""
HEADER = "batch_job_id,scheduler_id,num_nodes,estimated_start,from_job_id,from_event_id"


def estimated_warnings(run: Run, batch_jobs: str) -> list[str]:
    estimates = start_estimates(run, batch_jobs)
    if estimates.rows.size == 0:
        return []
    return [
        f"{estimates.rows.size:,} batch job(s) are running and have no start_time yet (the "
        "server fills it in when the allocation ends): each starts at the earliest entry "
        "into RUNNING of one of its jobs, an estimate (listed in the table "
        f"“{ESTIMATED}”)."
    ]


def estimated_rows(run: Run, batch_jobs: str, owner: bool = False) -> tuple[Rows, ...]:
    """The run's estimated starts of a batch-job query as a table (none: no table)."""
    estimates = start_estimates(run, batch_jobs)
    if estimates.rows.size == 0:
        return ()
    table = run.batch_jobs(batch_jobs)
    columns = (
        Column("id", numeric=True),
        Column("scheduler id", numeric=True),
        Column("nodes", numeric=True),
        Column("estimated start"),
        Column("from"),
    )
    rows = tuple(
        (
            str(int(table.id[row])),
            _scheduler(int(table.scheduler_id[row])),
            str(int(table.num_nodes[row])),
            prose_time(int(start)),
            f"job {int(job):,} entering RUNNING (event {int(event):,})",
        )
        for row, start, job, event in zip(
            estimates.rows.tolist(),
            estimates.start.tolist(),
            estimates.job_id.tolist(),
            estimates.event_id.tolist(),
            strict=True,
        )
    )
    caption = f"{ESTIMATED} ({run.name})" if run.name else ESTIMATED
    key = f"estimated {run.name!r} {batch_jobs!r}"
    return (Rows(caption, columns, rows, "uncounted", key=key, owner=owner),)


def estimated_csv(runs: Sequence[Run], batch_jobs: str) -> tuple[tuple[str, str], ...]:
    """`(PART, text)` when some run has an estimated start (else nothing): a row per
    estimate, by batch job id, led by the run when there are several."""
    several = len(runs) > 1
    lines = []
    for run in runs:
        estimates, table = start_estimates(run, batch_jobs), run.batch_jobs(batch_jobs)
        lead = f"{csv_field(run.name)}," if several else ""
        found = sorted(
            zip(
                table.id[estimates.rows].tolist(),
                estimates.rows.tolist(),
                estimates.start.tolist(),
                estimates.job_id.tolist(),
                estimates.event_id.tolist(),
                strict=True,
            )
        )
        for batch_id, row, start, job, event in found:
            scheduler = _scheduler(int(table.scheduler_id[row]))
            nodes = int(table.num_nodes[row])
            cells = (str(batch_id), scheduler, str(nodes), format_micros(start), str(job))
            lines.append(lead + ",".join(cells) + f",{event}")
    if not lines:
        return ()
    return ((PART, "\n".join([("run," if several else "") + HEADER, *lines]) + "\n"),)


def _scheduler(scheduler_id: int) -> str:
    return "" if scheduler_id == NO_ID else str(scheduler_id)
