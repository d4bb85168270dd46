"""HTML pages: plain view data in, Jinja2 (autoescaped) out. Templates never compute."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from reportgen import __version__
from reportgen.analytics.report import ChartResult, Headline, ReportResult
from reportgen.charts.vegalite import ChartData
from reportgen.source import ReportData
from reportgen.source.timestamps import format_micros
from reportgen.spec.model import BatchJobQuery, EventQuery

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
CHECKOUT_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"


def template_folder() -> Path:
    """The shipped templates: inside the installed package, else the checkout's `templates/`."""
    return PACKAGE_TEMPLATES if PACKAGE_TEMPLATES.is_dir() else CHECKOUT_TEMPLATES


def environment(overrides: Path | None = None) -> jinja2.Environment:
    folders = [str(overrides)] if overrides else []
    folders.append(str(template_folder()))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class ChartView:
    id: str
    title: str
    height: int
    spec_json: str
    files: list[dict[str, str]]
    points_note: str
    warnings: list[str]
    uncounted: list[Any]


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: no `</` or `<!--` can end it early."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=False, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def chart_view(result: ChartResult, spec: dict[str, Any], data: ChartData) -> ChartView:
    chart = result.chart
    files = [{"href": f"{chart.id}.{fmt}", "label": fmt.upper()} for fmt in chart.formats]
    files.append({"href": f"{chart.id}.csv", "label": "CSV"})
    return ChartView(
        id=chart.id,
        title=chart.title,
        height=chart.height,
        spec_json=script_json(spec),
        files=files,
        points_note=_points_note(data),
        warnings=result.warnings,
        uncounted=result.uncounted,
    )


def _points_note(data: ChartData) -> str:
    if data.reduced:
        return f"{data.changes:,} change points drawn as {data.drawn:,}, extremes kept."
    return f"{data.changes:,} change points, all drawn."


def render_report_page(
    env: jinja2.Environment,
    result: ReportResult,
    data: ReportData,
    charts: list[ChartView],
    snapshot_files: list[str],
) -> str:
    report = result.report
    view = {
        "title": report.title,
        "description": report.description,
        "as_of": format_micros(result.as_of),
        "as_of_origin": result.as_of_origin,
        "start": format_micros(result.start),
        "time_axis": report.time_axis.label,
        "source_notes": data.notes,
        "warnings": result.warnings,
        "charts": charts,
        "queries": _query_rows(report.event_queries, report.batch_job_queries, data),
        "spec_name": report.path.name,
        "spec_text": report.spec_text,
        "snapshot": [{"href": f"data/{name}", "label": name} for name in snapshot_files],
    }
    return env.get_template("report.html").render(report=view, root="../", version=__version__)


def _query_rows(
    events: dict[str, EventQuery], batch_jobs: dict[str, BatchJobQuery], data: ReportData
) -> list[dict[str, Any]]:
    rows = [
        {
            "kind": "events",
            "name": name,
            "filters": _filters(q),
            "matched": f"{len(data.events[name]):,}",
        }
        for name, q in events.items()
    ]
    rows += [
        {
            "kind": "batch jobs",
            "name": name,
            "filters": _filters(q),
            "matched": f"{len(data.batch_jobs[name]):,}" if name in data.batch_jobs else "-",
        }
        for name, q in batch_jobs.items()
    ]
    return rows


def _filters(query: EventQuery | BatchJobQuery) -> str:
    parts = []
    for key, value in vars(query).items():
        if key == "name" or value in (None, ()):
            continue
        if isinstance(value, tuple) and value and isinstance(value[0], tuple):
            value = ", ".join(f"{k}:{v}" for k, v in value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat().replace("+00:00", "Z")
        elif isinstance(value, tuple):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{key}={value}")
    return "; ".join(parts) or "(all)"


def index_row(slug: str, title: str, headline: Headline) -> dict[str, str]:
    available = headline.node_hours_available
    node_hours = f"{headline.node_hours_used:,.1f} / " + (
        f"{available:,.1f}" if available is not None else "-"
    )
    return {
        "slug": slug,
        "title": title,
        "span": f"{format_micros(headline.start)[:16].replace('T', ' ')} to "
        f"{format_micros(headline.as_of)[:16].replace('T', ' ')}",
        "jobs_finished": f"{headline.jobs_finished:,}",
        "jobs_failed": f"{headline.jobs_failed:,}",
        "peak_utilization": _number(headline.peak_utilization),
        "mean_utilization": _number(headline.mean_utilization),
        "node_hours": node_hours,
    }


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def render_index_page(env: jinja2.Environment, rows: list[dict[str, str]]) -> str:
    return env.get_template("index.html").render(reports=rows, root="", version=__version__)
