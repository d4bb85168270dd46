"""Everything a report shows, computed from its data: series per chart, warnings, headline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

import numpy as np

from reportgen.analytics.available_nodes import UncountedBatchJob, available_nodes
from reportgen.analytics.steps import StepSeries, integrate
from reportgen.analytics.throughput import throughput
from reportgen.analytics.utilization import UtilizationNotes, utilization
from reportgen.errors import SourceError
from reportgen.source import ReportData
from reportgen.source.tables import NO_TIME
from reportgen.source.timestamps import format_micros, to_micros
from reportgen.spec.model import Chart, Report


@dataclass(frozen=True)
class ChartResult:
    chart: Chart
    series: list[StepSeries]
    warnings: list[str] = field(default_factory=list)
    uncounted: list[UncountedBatchJob] = field(default_factory=list)


@dataclass(frozen=True)
class Headline:
    """The index page's numbers for one report (from its `summary` queries)."""

    jobs_finished: int
    jobs_failed: int
    peak_utilization: float
    mean_utilization: float
    node_hours_used: float
    node_hours_available: float | None
    start: int
    as_of: int


@dataclass(frozen=True)
class ReportResult:
    report: Report
    start: int
    as_of: int
    as_of_origin: str
    charts: list[ChartResult]
    headline: Headline
    warnings: list[str]
    headline_utilization: ChartResult | None = None
    """The node-weighted utilization the headline integrates: a chart's, or one computed for
    the headline alone (kept in the build cache like a chart's)."""

    def computed(self) -> dict[str, ChartResult]:
        """Every series computed for this report, by `series_key`."""
        results = [*self.charts, *filter(None, [self.headline_utilization])]
        return {series_key(r.chart, self.as_of): r for r in results}


SERIES_FIELDS = ("type", "events", "to_state", "node_weighting", "available_nodes", "batch_jobs")
"""The chart fields its series depend on; the others (title, size, formats) only change how
it is drawn. A test checks that every field of `Chart` is in one group or the other."""


def series_key(chart: Chart, as_of: int) -> str:
    """What a chart's series depends on besides the data: its series fields and the as-of."""
    return repr((as_of, *(getattr(chart, name) for name in SERIES_FIELDS)))


def headline_chart(events: str) -> Chart:
    """The chart no page draws whose series the headline needs: node-weighted utilization."""
    return Chart("(headline)", "utilization", "", 0, 0, (), events=events, node_weighting=True)


def compute_report(
    report: Report,
    data: ReportData,
    as_of: datetime | None,
    known: Mapping[str, ChartResult] = MappingProxyType({}),
) -> ReportResult:
    """Cut the data at the as-of time and compute every chart's exact series.

    `known` holds results computed earlier from the same data, by `series_key`; those are
    reused, carrying the current chart (its title may have changed).
    """
    span = _record_span(data)
    as_of_micros, origin = _resolve_as_of(report, data, span, as_of)
    first_record = None if span is None else span[0]
    start = as_of_micros if first_record is None else min(first_record, as_of_micros)
    charts = [_known_or_computed(chart, data, as_of_micros, known) for chart in report.charts]
    used = _headline_utilization(report, data, charts, as_of_micros, known)
    warnings = [
        *report.warnings,
        *_empty_query_warnings(data),
        *_as_of_warnings(data, first_record, as_of_micros, origin),
    ]
    headline = _headline(report, data, used, start, as_of_micros)
    return ReportResult(report, start, as_of_micros, origin, charts, headline, warnings, used)


def _known_or_computed(
    chart: Chart, data: ReportData, as_of: int, known: Mapping[str, ChartResult]
) -> ChartResult:
    key = series_key(chart, as_of)
    return replace(known[key], chart=chart) if key in known else _compute_chart(chart, data, as_of)


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
        raise SourceError(
            f"{report.path}: the queries matched no records and the spec sets no "
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


def _compute_chart(chart: Chart, data: ReportData, as_of: int) -> ChartResult:
    if chart.type == "throughput":
        assert chart.events is not None
        return ChartResult(chart, [throughput(data.events[chart.events], chart.to_state, as_of)])
    if chart.type == "available_nodes":
        assert chart.batch_jobs is not None
        series, uncounted = available_nodes(data.batch_jobs[chart.batch_jobs], as_of)
        return ChartResult(chart, [series], _uncounted_warnings(uncounted), uncounted)
    assert chart.events is not None
    used, notes = utilization(data.events[chart.events], as_of, chart.node_weighting, data.jobs)
    warnings = _utilization_warnings(notes)
    if chart.available_nodes is None:
        return ChartResult(chart, [used], warnings)
    nodes, uncounted = available_nodes(data.batch_jobs[chart.available_nodes], as_of)
    return ChartResult(chart, [nodes, used], warnings + _uncounted_warnings(uncounted), uncounted)


def _utilization_warnings(notes: UtilizationNotes) -> list[str]:
    warnings = []
    if notes.ignored_leaves:
        warnings.append(
            f"{notes.ignored_leaves:,} events leaving RUNNING had no open interval "
            "(their start lies outside the query window) and were ignored."
        )
    if notes.ignored_entries:
        warnings.append(
            f"{notes.ignored_entries:,} events entering RUNNING came while the job "
            "was already running and were ignored."
        )
    if notes.fallback_weights:
        warnings.append(
            f"{notes.fallback_weights:,} RUNNING events had no data.num_nodes; "
            f"their weight is {notes.fallback_source}."
        )
    return warnings


def _uncounted_warnings(uncounted: list[UncountedBatchJob]) -> list[str]:
    if not uncounted:
        return []
    return [
        f"{len(uncounted)} batch job(s) are not counted in available nodes "
        "(listed below with their state)."
    ]


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
    data: ReportData, first_record: int | None, as_of: int, origin: str
) -> list[str]:
    """What the as-of time leaves out: every record (a mistaken as_of), or the later events."""
    moment, why = format_micros(as_of), f"the as-of time was {origin}"
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


def _headline_utilization(
    report: Report,
    data: ReportData,
    charts: list[ChartResult],
    as_of: int,
    known: Mapping[str, ChartResult],
) -> ChartResult | None:
    """The summary events' node-weighted utilization: a chart's if one has it (computing it
    twice costs seconds at 10^7 events), else the headline chart's."""
    events = report.summary.events
    if events is None:
        return None
    for result in charts:
        chart = result.chart
        if chart.type == "utilization" and chart.events == events and chart.node_weighting:
            return result
    return _known_or_computed(headline_chart(events), data, as_of, known)


def _headline(
    report: Report, data: ReportData, weighted: ChartResult | None, start: int, as_of: int
) -> Headline:
    summary = report.summary
    finished = failed = 0
    peak = used = 0.0
    if summary.events is not None:
        events = data.events[summary.events]
        in_window = events.timestamp <= as_of
        finished = _distinct_jobs(
            events.job_id[in_window & (events.to_state == events.code("JOB_FINISHED"))]
        )
        failed = _distinct_jobs(
            events.job_id[in_window & (events.to_state == events.code("FAILED"))]
        )
        assert weighted is not None  # there is one whenever there are summary events
        series = next(s for s in weighted.series if s.name == "utilization")
        peak = float(series.values.max()) if len(series) else 0.0
        used = integrate(series, start, as_of)
    available = None
    if summary.batch_jobs is not None:
        nodes, _ = available_nodes(data.batch_jobs[summary.batch_jobs], as_of)
        available = integrate(nodes, start, as_of)
    hours = (as_of - start) / 3.6e9
    return Headline(
        finished, failed, peak, used / hours if hours > 0 else 0.0, used, available, start, as_of
    )


def _distinct_jobs(job_ids: np.ndarray) -> int:
    """How many different ids: marked in a table when ids are dense (as Balsam's are),
    which at 10^7 events is ~50x faster than `np.unique`'s sort or hash."""
    if job_ids.size == 0:
        return 0
    low, high = int(job_ids.min()), int(job_ids.max())
    if high - low > 4 * job_ids.size:
        return int(np.unique(job_ids).size)
    seen = np.zeros(high - low + 1, dtype=bool)
    seen[job_ids - low] = True
    return int(np.count_nonzero(seen))
