"""Source stage: load the records a report's queries ask for, as columnar tables."""

from __future__ import annotations

import dataclasses
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from reportgen.limits import InputLimits
from reportgen.progress import QUIET, Progress
from reportgen.source.columns import batch_jobs_from_records
from reportgen.source.data import Needs, ReportData, Snapshot
from reportgen.source.fast import read_event_table, read_job_table
from reportgen.source.files import read_records
from reportgen.source.filters import jobless_events_warning, select_batch_jobs, select_events
from reportgen.source.notes import record_notes
from reportgen.source.reads import Reads
from reportgen.source.tables import BatchJobTable, EventTable, JobTable, unstarted_running
from reportgen.spec.model import BalsamSource, FilesSource, Report

if TYPE_CHECKING:
    from reportgen.source.balsam.store import FetchedStore

__all__ = [
    "BatchJobTable",
    "EventTable",
    "JobTable",
    "Needs",
    "Reads",
    "ReportData",
    "Snapshot",
    "load_report_data",
    "record_notes",
]


ALL_NEEDS = Needs(job_records=True)


def load_report_data(
    report: Report,
    needs: Needs = ALL_NEEDS,
    progress: Progress = QUIET,
    reads: Reads | None = None,
    fetched: FetchedStore | None = None,
) -> ReportData:
    """Records for every query of the report, from saved files or a live Balsam server;
    `needs` (the report's kinds') says whether job records are needed for weights, and
    `reads` shares the files read between the runs of one report (and says what reading
    accepts: its `limits`); a live source keeps its records in `fetched` for the next build."""
    if isinstance(report.source, BalsamSource):
        # requests and urllib3 (~0.1 s) only for a live source: not for files, nor `validate`
        from reportgen.source.balsam import load_live_data

        return load_live_data(report, report.source, needs, progress.records, fetched)
    return _load_files(report, report.source, needs, progress, reads or Reads())


def _load_files(
    report: Report, files: FilesSource, needs: Needs, progress: Progress, reads: Reads
) -> ReportData:
    """Read the saved files the report's queries need, then apply every query."""
    queries = list(report.event_queries.values())
    all_events, jobs, all_batch_jobs = _read_files(report, files, needs, progress, reads)
    events: dict[str, EventTable] = {}
    if all_events is not None:
        events = {q.name: select_events(all_events, q, jobs, all_batch_jobs) for q in queries}
    batch_jobs: dict[str, BatchJobTable] = {}
    if all_batch_jobs is not None:
        batch_jobs = {
            q.name: select_batch_jobs(all_batch_jobs, q) for q in report.batch_job_queries.values()
        }
    warnings = _read_warnings(files, all_events, jobs, all_batch_jobs)
    if all_events is not None and jobs is not None:
        warnings += [w for w in [jobless_events_warning(all_events, jobs, queries)] if w]
    read = [path.name for _, path in files.files()]
    notes = [f"Saved API responses: {', '.join(read)}"]
    return ReportData(
        events=events,
        batch_jobs=batch_jobs,
        jobs=jobs,
        notes=notes,
        warnings=warnings,
        records_read=_records_read(all_events, jobs, all_batch_jobs),
    )


def _records_read(
    events: EventTable | None, jobs: JobTable | None, batch_jobs: BatchJobTable | None
) -> dict[str, int]:
    """Each file's records as its reader counted them: those kept and the identical
    repeats it dropped (any other bad record stops the build)."""
    tables = (("events", events), ("jobs", jobs), ("batch_jobs", batch_jobs))
    return {
        role: len(table) + table.duplicates_dropped for role, table in tables if table is not None
    }


def _read_files(
    report: Report, files: FilesSource, needs: Needs, progress: Progress, reads: Reads
) -> tuple[EventTable | None, JobTable | None, BatchJobTable | None]:
    """The whole tables of the files the queries need (each read once per `reads`)."""
    queries = list(report.event_queries.values())
    all_events = None
    if queries:
        assert files.events is not None, "the spec loader requires an events file"
        data_keys = {key for q in queries for key, _ in q.data}
        on_read = partial(progress.reading, "events")
        details = needs.event_details
        read_events = partial(
            read_event_table, files.events, data_keys, on_read, details, reads.limits
        )
        all_events = reads.once("events", files.events, data_keys, read_events, details)
    all_batch_jobs = None
    if files.batch_jobs is not None and (
        report.batch_job_queries or any(q.scheduler_id is not None for q in queries)
    ):
        read_batch = partial(_load_batch_jobs, files.batch_jobs, reads.limits)
        all_batch_jobs = reads.once("batch_jobs", files.batch_jobs, set(), read_batch)
    # jobs answer tag, batch_job_id and scheduler_id filters, give missing node weights, and
    # find the jobs of a running batch job the server gives no start_time yet
    jobs = None
    if files.jobs is not None and (
        any(q.needs_jobs for q in queries)
        or needs.job_details
        or (needs.job_records and all_events is not None and _weights_missing(all_events))
        or (all_events is not None and starts_to_estimate(all_batch_jobs))
    ):
        tag_keys = {key for q in queries for key, _ in q.tags}
        jobs = read_jobs(reads, files.jobs, tag_keys, progress, needs.job_details)
    return all_events, jobs, all_batch_jobs


def _read_warnings(
    files: FilesSource,
    events: EventTable | None,
    jobs: JobTable | None,
    batch_jobs: BatchJobTable | None,
) -> list[str]:
    """What the files' readers dropped or did not know (warned on the page and on stderr)."""
    notes = []
    for table, path, what in [
        (events, files.events, "event"),
        (jobs, files.jobs, "job"),
        (batch_jobs, files.batch_jobs, "batch job"),
    ]:
        if table is not None and path is not None:
            notes += record_notes(table, path.name, what)
    return notes


def starts_to_estimate(batch_jobs: BatchJobTable | None) -> bool:
    """Whether a batch job is running with no start_time: its start is estimated from its
    jobs' entries into RUNNING, so the job records are read (see `analytics/batch_starts`)."""
    return batch_jobs is not None and bool(unstarted_running(batch_jobs).any())


def _weights_missing(events: EventTable) -> bool:
    """Whether a RUNNING entry lacks data.num_nodes (weights then fall back to the job's
    num_nodes / node_packing_count)."""
    entries = events.to_state == events.code("RUNNING")
    return bool(np.isnan(events.num_nodes[entries]).any())


def read_jobs(
    reads: Reads, path: Path, tag_keys: set[str], progress: Progress = QUIET, details: bool = False
) -> JobTable:
    """The jobs file's table with these tags' values, and with `details` every job's tags and
    workdir (read once per `reads`)."""
    on_read = partial(progress.reading, "jobs")
    return reads.once(
        "jobs",
        path,
        tag_keys,
        lambda: read_job_table(path, tag_keys, on_read, reads.limits, details),
        details,
    )


def _load_batch_jobs(path: Path, limits: InputLimits) -> BatchJobTable:
    records = read_records(path, "batch jobs", limits)
    table = batch_jobs_from_records(records, path)
    return dataclasses.replace(table, shortfall=records.shortfall)
