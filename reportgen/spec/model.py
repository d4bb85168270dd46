"""The typed, frozen objects a report spec becomes once validated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

IMAGE_FORMATS = ("png", "svg", "pdf")
"""The figure files a chart can be exported as (`formats:`)."""

ImageFormat = Literal["png", "svg", "pdf"]
Pairs = tuple[tuple[str, str], ...]
"""A `key: value` filter (tags, data) as sorted pairs, so specs hash and compare by value."""


@dataclass(frozen=True)
class EventQuery:
    """One `/events/` query: every filter Balsam's EventLog API has."""

    name: str
    id: tuple[int, ...] | None = None
    job_id: tuple[int, ...] | None = None
    batch_job_id: int | None = None
    scheduler_id: int | None = None
    tags: Pairs = ()
    data: Pairs = ()
    from_state: str | None = None
    to_state: str | None = None
    timestamp_after: datetime | None = None
    timestamp_before: datetime | None = None

    @property
    def needs_jobs(self) -> bool:
        """Whether answering it needs job records (event rows carry no tags or batch job)."""
        return bool(self.tags) or self.batch_job_id is not None or self.scheduler_id is not None


@dataclass(frozen=True)
class BatchJobQuery:
    """One `/batch-jobs/` query: every filter Balsam's BatchJob API has."""

    name: str
    id: tuple[int, ...] | None = None
    site_id: tuple[int, ...] | None = None
    state: tuple[str, ...] | None = None
    scheduler_id: int | None = None
    queue: str | None = None
    filter_tags: Pairs = ()
    start_time_before: datetime | None = None
    start_time_after: datetime | None = None
    end_time_before: datetime | None = None
    end_time_after: datetime | None = None


@dataclass(frozen=True)
class FigureOptions:
    """How a chart's image files are sized and lettered (`figure:`, see `spec/figure.py`).

    Without a width the images are the chart's page layout at 96 CSS pixels to the inch.
    """

    preset: str | None = None
    width_in: float | None = None
    height_in: float | None = None
    dpi: int = 300
    font: Literal["sans", "serif"] = "sans"
    font_pt: float | None = None
    """Tick label size; None: the page's sizes."""
    title: bool = True
    stamp: bool = True


DEFAULT_FIGURE = FigureOptions()
"""No `figure:` given: the page's layout at 96 CSS pixels to the inch, 300 dpi."""


@dataclass(frozen=True)
class Chart:
    """A chart or table of the page: how it is drawn, and its kind's own frozen `options`
    (which alone, with its inputs, decide what it computes)."""

    id: str
    type: str
    title: str
    width: int
    height: int
    formats: tuple[ImageFormat, ...]
    options: Any
    figure: FigureOptions = DEFAULT_FIGURE


FetchedKind = Literal["events", "batch_jobs", "jobs"]


@dataclass(frozen=True)
class FetchedSet:
    """One set of records a live build fetched (every page of one request)."""

    kind: FetchedKind
    query: str
    """The query it answered; "" for the jobs and the batch jobs (by scheduler id) that
    reportgen fetches to apply filters itself."""
    path: str
    """The API path, like `/events/`."""
    params: str
    """The query string sent, without `limit` and `offset`; each parameter is the filter of
    the same name (but `ordering`), so these are the filters the server applied."""
    records: int
    """The records the server returned (every page, de-duplicated by id)."""


@dataclass(frozen=True)
class Fetched:
    """How a live build fetched its records: kept in a snapshot's spec, so a rebuild from the
    snapshot tells the same facts about the fetch. Never a token."""

    api_root: str
    server_version: str | None
    """The version the server reported, None when it reported none."""
    server_version_origin: str
    """Where that version came from, or why there is none."""
    started: datetime
    ended: datetime
    sets: tuple[FetchedSet, ...]


@dataclass(frozen=True)
class FilesSource:
    """Saved API responses; each path is absolute (resolved against the spec's folder)."""

    events: Path | None
    jobs: Path | None
    batch_jobs: Path | None
    fetched: Fetched | None = None
    """How the files were fetched, when they are a live build's snapshot."""

    def files(self) -> tuple[tuple[str, Path], ...]:
        """(role, path) of each file named, in the order events, jobs, batch_jobs."""
        named = (("events", self.events), ("jobs", self.jobs), ("batch_jobs", self.batch_jobs))
        return tuple((role, path) for role, path in named if path is not None)


@dataclass(frozen=True)
class BalsamSource:
    """A live Balsam server. Credentials are resolved at build time, never stored here."""

    api_root: str | None
    client_config: Path | None
    page_size: int = 100_000
    snapshots: bool = True
    retry_backoff_s: float = 0.5
    parallel: int = 4
    lag_s: float = 600.0


Source = FilesSource | BalsamSource


@dataclass(frozen=True)
class TimeAxis:
    """How chart x axes show time: minutes since the report's start, UTC, or an IANA zone."""

    kind: Literal["elapsed_minutes", "utc", "zone"]
    zone: str = "UTC"

    @property
    def label(self) -> str:
        if self.kind == "elapsed_minutes":
            return "Elapsed time (minutes)"
        return f"Time ({self.zone})"


@dataclass(frozen=True)
class Summary:
    """Which queries the headline numbers on the index page come from."""

    events: str | None
    batch_jobs: str | None


@dataclass(frozen=True)
class RunSpec:
    """One run of a report: its queries are the report's, replaced by its own of the same
    name, narrowed to `tags`; its source and as-of time are its own where given, else the
    report's."""

    name: str
    tags: Pairs = ()
    source: Source | None = None
    as_of: datetime | None = None
    event_queries: Mapping[str, EventQuery] = field(default_factory=dict)
    batch_job_queries: Mapping[str, BatchJobQuery] = field(default_factory=dict)


@dataclass(frozen=True)
class RunsByTag:
    """One run per value of the job tag `tag` among the jobs having `tags`, found in the data."""

    tag: str
    tags: Pairs = ()


@dataclass(frozen=True)
class Report:
    path: Path
    slug: str
    title: str
    description: str
    source: Source
    as_of: datetime | None
    time_axis: TimeAxis
    event_queries: dict[str, EventQuery]
    batch_job_queries: dict[str, BatchJobQuery]
    charts: tuple[Chart, ...]
    summary: Summary
    spec_text: str
    warnings: tuple[str, ...] = field(default=())
    runs: tuple[RunSpec, ...] | RunsByTag = ()
    """No runs: the report is one run, of its own source and queries."""
    run: str = ""
    """The run this report stands for, once expanded into one report per run (`spec.runs`)."""
    baseline: str | None = None
    """The run compared with (None: the first)."""
    baseline_where: str = ""
    """Where the spec names it (`file:line`), for an error once `by_tag` has found the runs."""
    steady_state: tuple[Decimal, Decimal] = (Decimal(0), Decimal(1))
    """`from` and `to`: fractions of each run's completions, exact."""
    group: str | None = None
    """The index page's group the report is listed under (None: none)."""

    def sources(self) -> tuple[Source, ...]:
        """What the report reads: its own source and its named runs' own."""
        named = self.runs if isinstance(self.runs, tuple) else ()
        return (self.source, *(run.source for run in named if run.source is not None))
