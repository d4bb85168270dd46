"""Everything a report shows, computed from its data: each chart's kind, warnings, headline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from reportgen.errors import SourceError
from reportgen.headline import Headline, compute_headline
from reportgen.kinds import KINDS, code_of
from reportgen.kinds.run import Memo, Run, Window
from reportgen.source import ReportData
from reportgen.source.tables import NO_TIME
from reportgen.spec.model import Chart, Report
from reportgen.times import format_micros, to_micros

HOUR, DAY = 3_600_000_000, 86_400_000_000


@dataclass(frozen=True)
class ChartResult:
    """What a chart's kind computed (one of `kinds.results`' types, or its own dataclass)."""

    chart: Chart
    result: Any


@dataclass(frozen=True)
class RunResult:
    """One run's time window, where its as-of time came from, and its headline numbers."""

    window: Window
    as_of_origin: str
    headline: Headline


@dataclass(frozen=True)
class ReportResult:
    report: Report
    runs: list[RunResult]
    charts: list[ChartResult]
    warnings: list[str]

    @property
    def start(self) -> int:
        return self.runs[0].window.start

    @property
    def as_of(self) -> int:
        return self.runs[0].window.as_of

    @property
    def as_of_origin(self) -> str:
        return self.runs[0].as_of_origin

    @property
    def headline(self) -> Headline:
        """The first run's (a report without `runs:` has one)."""
        return self.runs[0].headline


def compute_report(
    report: Report,
    runs_data: list[tuple[Report, ReportData]],
    as_of: datetime | None,
    memo: Memo,
) -> ReportResult:
    """Cut each run's data at its as-of time; compute every chart's kind over the runs, and
    each run's headline. `runs_data` holds each run's view of the report and its records.

    `memo` holds results computed earlier from the same data (see `Memo`); each chart's is
    keyed by its kind, its frozen options and its runs' names and as-of times.
    """
    runs: list[Run] = []
    origins: list[str] = []
    warnings = list(report.warnings)
    for run_report, data in runs_data:
        span = _record_span(data)
        as_of_micros, origin = _resolve_as_of(run_report, data, span, as_of)
        first_record = None if span is None else span[0]
        start = as_of_micros if first_record is None else min(first_record, as_of_micros)
        name = run_report.run
        runs.append(Run(name, data, Window(name, start, as_of_micros), memo))
        origins.append(origin)
        prefix = f"Run {name}: " if len(runs_data) > 1 else ""
        warnings += [
            prefix + w
            for w in (
                *data.warnings,
                *_empty_query_warnings(data),
                *_as_of_warnings(data, span, as_of_micros, origin),
            )
        ]
    charts = [ChartResult(chart, _computed(chart, runs, memo)) for chart in report.charts]
    results = [
        RunResult(run.window, origin, compute_headline(report.summary, run))
        for run, origin in zip(runs, origins, strict=True)
    ]
    return ReportResult(report, results, charts, warnings)


def _computed(chart: Chart, runs: list[Run], memo: Memo) -> Any:
    kind = KINDS[chart.type]
    windows = tuple((run.name, run.as_of) for run in runs)
    key = (kind.name, code_of(kind), chart.options, windows)
    return memo.get(key, lambda: kind.compute(runs, chart.options))


def _resolve_as_of(
    report: Report, data: ReportData, span: tuple[int, int] | None, override: datetime | None
) -> tuple[int, str]:
    if override is not None:
        return to_micros(override), "given on the command line (--as-of)"
    if report.as_of is not None:
        return to_micros(report.as_of), "set in the spec (as_of)"
    if data.fetched_at is not None:
        return data.fetched_at, "the time the live fetch started"
    if span is None:
        run = f"run {report.run!r}: " if report.run else ""
        raise SourceError(
            f"{report.path}: {run}the queries matched no records and the spec sets no "
            "as_of, so there is no time range to chart; check the queries' filters"
        )
    return span[1], "the latest timestamp in the loaded data"


def _record_span(data: ReportData) -> tuple[int, int] | None:
    """The earliest and latest of every event time and every known batch-job start and end
    (None without any), taken table by table: no copy of 10^7 timestamps."""
    parts = [table.timestamp for table in data.events.values()]
    for table in data.batch_jobs.values():
        parts += [
            table.start_time[table.start_time != NO_TIME],
            table.end_time[table.end_time != NO_TIME],
        ]
    present = [part for part in parts if part.size]
    if not present:
        return None
    return min(int(p.min()) for p in present), max(int(p.max()) for p in present)


def _empty_query_warnings(data: ReportData) -> list[str]:
    warnings = [
        f"Event query '{name}' matched no events."
        for name, table in data.events.items()
        if len(table) == 0
    ]
    warnings += [
        f"Batch-job query '{name}' matched no batch jobs."
        for name, table in data.batch_jobs.items()
        if len(table) == 0
    ]
    return warnings


def _as_of_warnings(
    data: ReportData, span: tuple[int, int] | None, as_of: int, origin: str
) -> list[str]:
    """What the as-of time leaves out: every record (a mistaken as_of), or the later events;
    or, far after every record, what it stretches."""
    moment, why = format_micros(as_of), f"the as-of time was {origin}"
    first_record = None if span is None else span[0]
    if span is not None and as_of - span[1] > max(span[1] - span[0], HOUR):
        return [
            f"The as-of time {moment} is {(as_of - span[1]) / DAY:,.1f} days after the latest "
            f"record ({format_micros(span[1])}), longer than the records span: jobs still "
            f"running and batch jobs without an end are counted up to it ({why})."
        ]
    if first_record is not None and first_record > as_of:
        earliest = format_micros(first_record)
        return [
            f"Every record is later than the as-of time {moment}, so every series is empty "
            f"(the earliest is {earliest}); {why}."
        ]
    return [
        f"Event query '{name}': {later:,} events later than the as-of time {moment} are not "
        f"counted ({why})."
        for name, table in data.events.items()
        if (later := int(np.count_nonzero(table.timestamp > as_of)))
    ]
