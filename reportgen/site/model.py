"""The page model: plain frozen data the templates render (coverage.py's `FileData`). It is
built once everything is computed; no record table reaches this stage."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reportgen.compute import ReportResult
from reportgen.kinds.base import Section
from reportgen.kinds.results import Column, Grid, Rows
from reportgen.site.cards import Card, CardGroup, headline_cards, time_span
from reportgen.site.embed import explored, page_spec
from reportgen.site.markdown import markdown_html
from reportgen.site.provenance import Provenance
from reportgen.site.sparkline import Sparkline, sparkline
from reportgen.spec.model import BatchJobQuery, Chart, EventQuery, Report
from reportgen.times import format_micros, format_moment, prose_time


@dataclass(frozen=True)
class Link:
    href: str
    label: str


@dataclass(frozen=True)
class GridView:
    """A grid as the page shows it: the first page of rows as HTML, every embedded row as
    JSON for `grid.js` (escaped for a <script> element)."""

    caption: str
    columns: tuple[Column, ...]
    first_rows: tuple[tuple[str, ...], ...]
    count_text: str
    csv: str
    data_json: str
    row_count: str
    """How many rows the page holds, as the page writes numbers (`5,000`)."""


def grid_view(grid: Grid) -> GridView:
    data = {
        "columns": [[c.name, c.numeric] for c in grid.columns],
        "rows": [list(row) for row in grid.rows],
        "groups": list(grid.row_groups) or [""] * len(grid.rows),
        "labels": grid.group_labels,
        "sizes": grid.group_sizes,
        "pageSize": grid.page_size,
    }
    return GridView(
        caption=grid.caption,
        columns=grid.columns,
        first_rows=grid.rows[: grid.page_size],
        count_text=grid.count_text,
        csv=grid.csv,
        data_json=script_json(data),
        row_count=f"{len(grid.rows):,}",
    )


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    height: int
    spec_json: str | None
    """The interactive Vega-Lite spec, for sections with a figure."""
    files: list[Link]
    points_note: str
    warnings: tuple[str, ...]
    tables: tuple[Rows, ...]
    guide: str = ""
    """How to read the chart (its kind's), shown under its heading."""
    grid: GridView | None = None
    description: str = ""
    """What the chart shows, in words from its data: its aria label."""
    summary: Rows | None = None
    """Its data alternative: a small table of what it draws."""
    explore: bool = False
    """Whether its time axis zooms and pans (the page says how under it)."""


@dataclass(frozen=True)
class QueryRow:
    kind: str
    name: str
    filters: str
    matched: str
    run: str = ""


@dataclass(frozen=True)
class RunRow:
    name: str
    start: str
    as_of: str
    as_of_origin: str
    start_text: str = ""
    as_of_text: str = ""
    """`start` and `as_of` as prose writes times (`2024-03-01 18:00:00 UTC`)."""


@dataclass(frozen=True)
class ReportPage:
    title: str
    description: str
    as_of: str
    as_of_origin: str
    start: str
    time_axis: str
    source_notes: list[str]
    warnings: list[str]
    charts: list[SectionView]
    queries: list[QueryRow]
    spec_name: str
    spec_text: str
    snapshot: list[Link]
    runs: list[RunRow]
    """Every run, when there are several (the facts above are then the first run's)."""
    card_groups: list[CardGroup]
    provenance: Provenance
    description_html: str = ""
    """The description's Markdown as HTML (raw HTML in it escaped)."""
    start_text: str = ""
    as_of_text: str = ""
    """`start` and `as_of` as prose writes times (`2024-03-01 18:00:00 UTC`)."""


@dataclass(frozen=True)
class IndexRow:
    """A report's (or one run's) row on the index: its link, its time span, its cards."""

    slug: str
    title: str
    span: str
    cards: tuple[Card, ...]
    group: str = ""
    """The spec's `group:` (empty: none)."""
    sparkline: Sparkline | None = None


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no `</` or `<!--` can end it early."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=False, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _file_label(chart_id: str, name: str) -> str:
    """`CSV` for `<id>.csv`, `summary CSV` for `<id>-summary.csv`: each link says which."""
    stem, _, extension = name.rpartition(".")
    part = stem.removeprefix(chart_id).lstrip("-_")
    return f"{part.replace('-', ' ')} {extension.upper()}" if part else extension.upper()


def section_view(chart: Chart, section: Section, guide: str = "") -> SectionView:
    files = [Link(f"{chart.id}.{fmt}", fmt.upper()) for fmt in chart.formats if section.figure]
    files += [Link(f.name, _file_label(chart.id, f.name)) for f in section.files]
    return SectionView(
        id=chart.id,
        title=chart.title,
        height=chart.height,
        spec_json=(
            script_json(page_spec(section.figure.page, section.figure.description))
            if section.figure
            else None
        ),
        files=files,
        points_note=section.note,
        warnings=section.warnings,
        tables=section.tables,
        guide=guide,
        grid=None if section.grid is None else grid_view(section.grid),
        description=section.figure.description if section.figure else "",
        summary=section.figure.summary if section.figure else None,
        explore=explored(section.figure.page) if section.figure else False,
    )


def report_page(
    result: ReportResult,
    sections: list[SectionView],
    source_notes: list[str],
    matched: dict[tuple[str, str, str], int],
    snapshot_files: list[str],
    run_reports: list[Report],
    made: Provenance,
) -> ReportPage:
    """The report's page. `matched` counts each query's records, by (run, events|batch_jobs,
    query name); `run_reports` are the report as each run sees it (its queries narrowed)."""
    report = result.report
    runs = [
        RunRow(
            run.window.name,
            format_micros(run.window.start),
            format_micros(run.window.as_of),
            run.as_of_origin,
            prose_time(run.window.start),
            prose_time(run.window.as_of),
        )
        for run in result.runs
    ]
    return ReportPage(
        title=report.title,
        description=report.description,
        as_of=format_micros(result.as_of),
        as_of_origin=result.as_of_origin,
        start=format_micros(result.start),
        time_axis=report.time_axis.label,
        source_notes=source_notes,
        warnings=result.warnings,
        charts=sections,
        queries=[row for run in run_reports for row in _query_rows(run, run.run, matched)],
        spec_name=report.path.name,
        spec_text=report.spec_text,
        snapshot=[Link(f"data/{name}", name) for name in snapshot_files],
        runs=runs if len(runs) > 1 else [],
        card_groups=card_groups(result),
        provenance=made,
        description_html=markdown_html(report.description),
        start_text=prose_time(result.start),
        as_of_text=prose_time(result.as_of),
    )


def _query_rows(
    report: Report, run: str, matched: dict[tuple[str, str, str], int]
) -> list[QueryRow]:
    """The queries as the run sees them (narrowed to its tags), with their records' counts."""

    def count(group: str, name: str) -> str:
        return f"{matched[(run, group, name)]:,}" if (run, group, name) in matched else "-"

    rows = [
        QueryRow("events", name, _filters(q), count("events", name), run)
        for name, q in report.event_queries.items()
    ]
    rows += [
        QueryRow("batch jobs", name, _filters(q), count("batch_jobs", name), run)
        for name, q in report.batch_job_queries.items()
    ]
    return rows


def _filters(query: EventQuery | BatchJobQuery) -> str:
    parts = []
    for key, value in vars(query).items():
        if key == "name" or value in (None, ()):
            continue
        if isinstance(value, tuple) and value and isinstance(value[0], tuple):
            value = ", ".join(f"{k}:{v}" for k, v in value)
        elif isinstance(value, datetime):
            value = format_moment(value)
        elif isinstance(value, tuple):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{key}={value}")
    return "; ".join(parts) or "(all)"


def index_rows(result: ReportResult) -> list[IndexRow]:
    """The report's row on the index page, or one per run (titled `<title> (<run>)`)."""
    report = result.report
    several = len(result.runs) > 1
    return [
        IndexRow(
            report.slug,
            f"{report.title} ({run.window.name})" if several else report.title,
            time_span(run.headline),
            headline_cards(run.headline, report.summary),
            report.group or "",
            sparkline(run.headline),
        )
        for run in result.runs
    ]


def card_groups(result: ReportResult) -> list[CardGroup]:
    """The report page's cards: one group per run."""
    several = len(result.runs) > 1
    return [
        CardGroup(
            run.window.name if several else "", headline_cards(run.headline, result.report.summary)
        )
        for run in result.runs
    ]
