"""What the source stage hands on: each query's records as tables, and how they were got."""

from __future__ import annotations

from dataclasses import dataclass, field

from reportgen.source.files import Record
from reportgen.source.tables import BatchJobTable, EventTable, JobTable
from reportgen.spec.model import Fetched


@dataclass(frozen=True)
class Needs:
    """What a report's kinds read beyond its queries' own records: whether job records (the
    `num_nodes` fallback for weights) are needed, and events' return codes and messages
    (`EventTable.details`), and jobs' tags and workdirs (`JobTable.details`). Every query is
    loaded, since the page counts each one's records."""

    events: tuple[str, ...] = ()
    batch_jobs: tuple[str, ...] = ()
    job_records: bool = False
    event_details: bool = False
    job_details: bool = False

    def __or__(self, other: Needs) -> Needs:
        return Needs(
            tuple(dict.fromkeys(self.events + other.events)),
            tuple(dict.fromkeys(self.batch_jobs + other.batch_jobs)),
            self.job_records or other.job_records,
            self.event_details or other.event_details,
            self.job_details or other.job_details,
        )


@dataclass(frozen=True)
class Snapshot:
    """The records a live build used, written into the site in the files-source format."""

    events: list[Record]
    jobs: list[Record]
    batch_jobs: list[Record]


@dataclass(frozen=True)
class ReportData:
    """Each query's matching records, plus the job table when one was loaded."""

    events: dict[str, EventTable]
    batch_jobs: dict[str, BatchJobTable]
    jobs: JobTable | None
    notes: list[str] = field(default_factory=list)
    fetched_at: int | None = None
    """When a live fetch started (microseconds): the default as-of time of a live report."""
    snapshot: Snapshot | None = None
    warnings: list[str] = field(default_factory=list)
    """What the records could not answer, shown on the page (e.g. events of unknown jobs)."""
    records_read: dict[str, int] = field(default_factory=dict)
    """A files source's records per file read, by its key (`events`, `jobs`, `batch_jobs`):
    every record the file holds, identical repeats included (a file no query or kind
    needed is not read, and not here)."""
    fetch: Fetched | None = None
    """How a live source fetched the records (None for files)."""
