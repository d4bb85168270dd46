"""The live source: query a real Balsam server and return the same tables as saved files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from reportgen.source.balsam.incremental import DATINGS, JOBS, Incremental
from reportgen.source.balsam.params import (
    Params,
    batch_job_params,
    common_tags,
    event_params,
    job_params,
)
from reportgen.source.columns import (
    batch_jobs_from_records,
    events_from_records,
    jobs_from_records,
)
from reportgen.source.data import Needs, ReportData, Snapshot
from reportgen.source.files import Record
from reportgen.source.filters import select_events
from reportgen.source.notes import record_notes
from reportgen.source.tables import BatchJobTable, EventTable, JobTable, unstarted_running
from reportgen.spec.model import BalsamSource, EventQuery, Fetched, FetchedKind, FetchedSet, Report
from reportgen.times import to_micros

if TYPE_CHECKING:  # the HTTP client (`requests`) is imported only by a live build
    from reportgen.source.balsam.client import BalsamClient, PageProgress
    from reportgen.source.balsam.store import FetchedStore

__all__ = ["load_live_data"]


def load_live_data(
    report: Report,
    source: BalsamSource,
    needs: Needs,
    progress: PageProgress,
    store: FetchedStore | None = None,
) -> ReportData:
    """Fetch what every query needs; as_of defaults to the moment the fetch started. With a
    `store`, events and jobs are fetched incrementally (see `incremental.py`)."""
    from reportgen.source.balsam.client import BalsamClient
    from reportgen.source.balsam.credentials import resolve_credentials

    credentials = resolve_credentials(source)
    client = BalsamClient(
        credentials, source.page_size, source.retry_backoff_s, progress, parallel=source.parallel
    )
    fetched_at = to_micros(datetime.now(UTC))
    since = None
    if store is not None:
        lag = timedelta(seconds=source.lag_s)
        api_root = public_url(credentials.api_root)
        since = Incremental(client, store, api_root, lag, str(fetched_at))
    try:
        data = _fetch(report, needs, _Fetcher(client, since), fetched_at)
    finally:
        client.close()
    data.warnings.extend(store.warnings if store is not None else ())
    return data


class _Fetcher:
    """The client's `fetch_all` (events and jobs through `incremental` when given), noting
    each record set it hands out (see `FetchedSet`)."""

    def __init__(self, client: BalsamClient, incremental: Incremental | None) -> None:
        self.client = client
        self.incremental = incremental
        self.sets: list[FetchedSet] = []

    def __call__(
        self, kind: FetchedKind, query: str, what: str, path: str, params: Params
    ) -> list[Record]:
        if self.incremental is not None and path in DATINGS:
            records = self.incremental.fetch(DATINGS[path], what, params)
        else:
            records = self.client.fetch_all(what, path, params)
        sent = urlencode(params, safe=":")
        self.sets.append(FetchedSet(kind, query, f"/{path}/", sent, len(records)))
        return records


def _fetch(report: Report, needs: Needs, fetch: _Fetcher, fetched_at: int) -> ReportData:
    """Batch jobs, jobs, events; then the tables, with the filters the server can't apply."""
    api = report.source
    assert isinstance(api, BalsamSource)
    queries = list(report.event_queries.values())
    client = fetch.client
    batch_records, batch_tables = _fetch_batch_jobs(report, client, fetch)
    job_records: list[Record] = []
    jobs = None
    # (a running batch job with no start_time yet: its jobs give its estimated start)
    estimate = bool(queries) and any(unstarted_running(t).any() for t in batch_tables.values())
    job_query = job_params(common_tags(queries))
    if needs.job_records or needs.job_details or any(q.needs_jobs for q in queries) or estimate:
        job_records = fetch("jobs", "", "jobs", "jobs", job_query)
        jobs = jobs_from_records(
            job_records,
            _where(client, "jobs"),
            {k for q in queries for k, _ in q.tags},
            needs.job_details,
        )
    elif queries and fetch.incremental is not None:  # the jobs that changed lead to events
        fetch.incremental.fetch(JOBS, "jobs", job_query)
    fetched = {
        q.name: fetch("events", q.name, f"events '{q.name}'", "events", event_params(q))
        for q in queries
    }
    ended = datetime.now(UTC)
    version = client.server_version()
    all_batch_jobs = batch_jobs_from_records(
        list(batch_records.values()), _where(client, "batch jobs")
    )
    event_tables, raw_events = _event_tables(client, queries, fetched, needs, jobs, all_batch_jobs)
    snapshot = _snapshot(fetched, job_records, batch_records) if api.snapshots else None
    return ReportData(
        events=event_tables,
        batch_jobs=batch_tables,
        jobs=jobs,
        notes=_notes(client, queries),
        warnings=_read_notes(client, raw_events, jobs, all_batch_jobs),
        fetched_at=fetched_at,
        snapshot=snapshot,
        fetch=Fetched(
            public_url(client.credentials.api_root),
            *version,
            datetime.fromtimestamp(0, UTC) + timedelta(microseconds=fetched_at),
            ended,
            tuple(fetch.sets),
        ),
    )


def _snapshot(
    fetched: dict[str, list[Record]], jobs: list[Record], batch_jobs: dict[int, Record]
) -> Snapshot:
    """Every record fetched, once each, by id (a record several queries fetched is one)."""
    events = {r["id"]: r for records in fetched.values() for r in records}
    return Snapshot(
        events=[events[i] for i in sorted(events)],
        jobs=jobs,
        batch_jobs=[batch_jobs[i] for i in sorted(batch_jobs)],
    )


def _event_tables(
    client: BalsamClient,
    queries: list[EventQuery],
    fetched: dict[str, list[Record]],
    needs: Needs,
    jobs: JobTable | None,
    batch_jobs: BatchJobTable,
) -> tuple[dict[str, EventTable], dict[str, EventTable]]:
    """Each event query's table (every filter applied), and the tables as fetched."""
    data_keys = {key for q in queries for key, _ in q.data}
    event_tables, raw_events = {}, {}
    for query in queries:
        records, where = fetched[query.name], _where(client, query.name)
        table = events_from_records(records, where, data_keys, needs.event_details)
        raw_events[query.name] = table
        # batch_job_id and scheduler_id are applied here (see params.py), the rest again
        event_tables[query.name] = select_events(table, query, jobs, batch_jobs)
    return event_tables, raw_events


def public_url(url: str) -> str:
    """The URL without any user name or password in it (a credential, like the token)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def _read_notes(
    client: BalsamClient,
    events: dict[str, EventTable],
    jobs: JobTable | None,
    batch_jobs: BatchJobTable,
) -> list[str]:
    """Duplicates dropped and unknown states, of each fetched record set (warnings)."""
    read: list[tuple[str, EventTable | JobTable | BatchJobTable | None, str]] = [
        *((name, table, "event") for name, table in events.items()),
        ("jobs", jobs, "job"),
        ("batch jobs", batch_jobs, "batch job"),
    ]
    notes = []
    for name, table, what in read:
        if table is not None:
            notes += record_notes(table, f"{client.credentials.api_root} ({name})", what)
    return notes


def _fetch_batch_jobs(
    report: Report, client: BalsamClient, fetch: _Fetcher
) -> tuple[dict[int, Record], dict[str, BatchJobTable]]:
    """Each batch-job query's table, and every batch job fetched (with those that resolve
    the event queries' scheduler ids) by id."""
    by_id: dict[int, Record] = {}
    tables = {}
    for name, query in report.batch_job_queries.items():
        what = f"batch jobs '{name}'"
        records = fetch("batch_jobs", name, what, "batch-jobs", batch_job_params(query))
        by_id.update((r["id"], r) for r in records)
        tables[name] = batch_jobs_from_records(records, _where(client, name))
    scheduler_ids = {
        q.scheduler_id for q in report.event_queries.values() if q.scheduler_id is not None
    }
    for scheduler_id in sorted(scheduler_ids):
        records = fetch(
            "batch_jobs",
            "",
            f"batch jobs with scheduler id {scheduler_id}",
            "batch-jobs",
            [("scheduler_id", str(scheduler_id))],
        )
        by_id.update((r["id"], r) for r in records)
    return by_id, tables


def _notes(client: BalsamClient, queries: list[EventQuery]) -> list[str]:
    notes = [
        f"Fetched live from {client.credentials.api_root}",
        *client.notes,
        f"{client.requests_made} request(s), {client.retries} retried",
    ]
    if any(q.batch_job_id is not None or q.scheduler_id is not None for q in queries):
        notes.append(
            "batch_job_id and scheduler_id were applied by reportgen from each job's "
            "latest batch job (the server's own filters for them are unreliable)"
        )
    return notes


def _where(client: BalsamClient, what: str) -> Path:
    """How error messages name a fetched record set (in place of a file path)."""
    return Path(f"{client.credentials.api_root} ({what})")
