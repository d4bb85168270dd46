"""`build_site`: spec -> source -> kinds -> charts -> site, then the atomic swap."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment

from reportgen.atomic import naming
from reportgen.cache import BuildCache
from reportgen.charts.cache import RenderCache
from reportgen.compute import ReportResult, compute_report
from reportgen.kinds import KINDS, View
from reportgen.kinds.base import DataFile, Section
from reportgen.kinds.kept import kept_section
from reportgen.kinds.present import link_tables, tables_once
from reportgen.kinds.run import Memo
from reportgen.limits import STRICT, InputLimits
from reportgen.memory import release_freed_arrays_if_large
from reportgen.needs import report_needs
from reportgen.progress import QUIET, Progress
from reportgen.site.model import (
    IndexRow,
    ReportPage,
    SectionView,
    index_rows,
    report_page,
    section_view,
)
from reportgen.site.output import staged_site
from reportgen.site.pages import (
    environment,
    render_index_page,
    render_report_page,
    template_folder,
)
from reportgen.site.provenance import (
    MANIFEST,
    Provenance,
    RunFacts,
    describe,
    manifest,
    manifest_text,
    provenance,
    rebuild_command,
    source_files,
)
from reportgen.source import Needs, Reads, ReportData, load_report_data
from reportgen.source.digest import FileDigests
from reportgen.source.runs import expand_runs
from reportgen.source.snapshot import write_snapshot
from reportgen.spec import load_reports
from reportgen.spec.comparison import check_found_baseline
from reportgen.spec.model import FigureOptions, FilesSource, Report
from reportgen.spec.runs import run_report

RENDER_THREADS = 2


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    reports: list[ReportResult]
    warnings: list[str]
    images_rendered: int = 0
    images_reused: int = 0
    """Images copied from the build cache because their chart was unchanged."""
    data_reused: int = 0
    """Reports whose parsed data came from the build cache (their inputs were unchanged)."""
    chart_warnings: list[str] = field(default_factory=list)
    """What each chart's section says it could not count: `<slug>: <chart id>: <warning>`."""
    rows: dict[str, list[IndexRow]] = field(default_factory=dict)
    """Each report's rows on the index, by slug (reused ones included)."""


@dataclass(frozen=True)
class Reuse:
    """Reports a build copies from a previous site instead of building them (`serve`'s
    rebuilds of the reports whose spec and inputs did not change): their folders in `site`
    and their index rows, by slug."""

    site: Path
    rows: dict[str, list[IndexRow]]


@dataclass
class Builder:
    """What every report of one build shares: templates, caches, progress, the as-of."""

    env: Environment
    build_cache: BuildCache
    progress: Progress
    as_of: datetime | None
    limits: InputLimits
    rendered: int = 0
    reused: int = 0
    chart_warnings: list[str] = field(default_factory=list)


def build_site(
    spec_paths: list[Path],
    out_dir: Path,
    as_of: datetime | None = None,
    strict: bool = False,
    templates: Path | None = None,
    progress: Progress = QUIET,
    cache_dir: Path | None = None,
    limits: InputLimits = STRICT,
    on_wait: Callable[[], object] | None = None,
    reuse: Reuse | None = None,
    refresh: bool = False,
) -> BuildResult:
    """Build every report into `out_dir`; the old site stays until the new one is complete.

    With a `cache_dir`, parsed data and computed results are kept there for the next build;
    `limits` says what reading saved files accepts; `on_wait` is called if another build
    into `out_dir` holds its lock, before waiting for it; a report `reuse` holds is copied
    from its previous site, not built; `refresh` fetches live reports' records anew (else
    a rebuild fetches only what changed since the records the cache keeps).
    """
    reports = load_reports(spec_paths, strict)
    release_freed_arrays_if_large(source for r in reports for source in r.sources())
    cache = BuildCache(cache_dir, limits, refresh=refresh)
    builder = Builder(environment(templates), cache, progress, as_of, limits)
    results: list[ReportResult] = []
    rows: dict[str, list[IndexRow]] = {}
    with staged_site(out_dir, on_wait) as staging:
        for report in reports:
            if reuse is not None and report.slug in reuse.rows:
                shutil.copytree(reuse.site / report.slug, staging / report.slug)
                rows[report.slug] = reuse.rows[report.slug]
                continue
            results.append(build_report(builder, report, staging / report.slug))
            rows[report.slug] = index_rows(results[-1])
        _write_assets(staging)
        _write_index(builder.env, staging, [row for slug in rows for row in rows[slug]])
    cache.keep_digests()
    warnings = [w for r in reports for w in r.warnings] + cache.warnings
    return BuildResult(
        out_dir,
        results,
        warnings,
        builder.rendered,
        builder.reused,
        cache.data_hits,
        builder.chart_warnings,
        rows,
    )


def build_report(builder: Builder, report: Report, folder: Path) -> ReportResult:
    """One report into `folder`: gather (data, results, page model), then write its files."""
    reads = Reads(builder.limits)  # the runs of a report share its files: each is read once
    expanded = expand_runs(report, reads)
    check_found_baseline(report.baseline_where, report.baseline, expanded)
    runs = [run_report(report, run) for run in expanded]
    runs_data = [(run, _load_data(run, builder, reads)) for run in runs]
    del reads
    runs_keyed = [run for run, _ in runs_data]
    known = builder.build_cache.known_results(runs_keyed)
    if not known and report.charts:  # nothing laid out before: Altair will be wanted
        from reportgen.charts.warmup import start_layout_import

        start_layout_import()
    memo = Memo(known)
    result = _compute(report, runs_data, builder, memo)
    folder.mkdir()
    snapshot = _write_snapshot(folder, result, runs_data)
    matched = {
        (run.run, group, name): len(table)
        for run, data in runs_data
        for group, tables in (("events", data.events), ("batch_jobs", data.batch_jobs))
        for name, table in tables.items()
    }
    facts = {run.run: RunFacts(data.records_read, data.fetch) for run, data in runs_data}
    digests = builder.build_cache.digests
    made = _write_manifest(folder, result, runs, facts, matched, snapshot, digests)
    notes = _source_notes(runs_data)
    del runs_data  # the record tables are not needed for drawing: free them first
    builder.progress.stage(f"{report.slug}: rendering {len(result.charts)} chart(s)")
    sections = _present(result, memo)
    builder.build_cache.save_results(runs_keyed, memo.used, known)
    builder.chart_warnings += [
        f"{report.slug}: {c.chart.id}: {warning}"
        for c, section in zip(result.charts, sections, strict=True)
        for warning in section.warnings
    ]
    rendered = RenderCache(builder.build_cache.render_folder(report))
    views = _write_sections(folder, result, sections, rendered)
    builder.rendered += rendered.rendered
    builder.reused += rendered.reused
    page = report_page(result, views, notes, matched, snapshot, runs, made)
    _write_page(builder.env, folder, page)
    return result


def _load_data(report: Report, builder: Builder, reads: Reads) -> ReportData:
    """A run's records: from the build cache if its inputs are unchanged, else read."""
    run = f" (run {report.run})" if report.run else ""
    builder.progress.stage(f"{report.slug}{run}: loading data")
    load: Callable[[Report, Needs], ReportData] = partial(
        load_report_data,
        progress=builder.progress,
        reads=reads,
        fetched=builder.build_cache.fetched,
    )
    return builder.build_cache.report_data(report, report_needs(report), _ahead(builder, load))


def _ahead(
    builder: Builder, load: Callable[[Report, Needs], ReportData]
) -> Callable[[Report, Needs], ReportData]:
    """`load`, first starting on threads what the build needs after reading: the image
    renderer (see `charts/warmup.py`) and the input files' digests for the manifest."""

    def loading(report: Report, needs: Needs) -> ReportData:
        if any(chart.formats for chart in report.charts):
            from reportgen.charts.warmup import start_renderer

            start_renderer()
        if isinstance(report.source, FilesSource):
            inputs = [path for _, path in report.source.files()]
            builder.build_cache.digests.prefetch([report.path, *inputs])
        return load(report, needs)

    return loading


def _compute(
    report: Report, runs_data: list[tuple[Report, ReportData]], builder: Builder, memo: Memo
) -> ReportResult:
    """Every chart's result and the headlines, reusing those `memo` (the build cache's) has."""
    builder.progress.stage(f"{report.slug}: computing series")
    return compute_report(report, runs_data, builder.as_of, memo)


def _source_notes(runs_data: list[tuple[Report, ReportData]]) -> list[str]:
    """How each run's records were got (prefixed by the run's name when there are several)."""
    if len(runs_data) == 1:
        return runs_data[0][1].notes
    notes = [f"Run {run.run}: {note}" for run, data in runs_data for note in data.notes]
    if any(data.snapshot is not None for _, data in runs_data):
        notes.append("No snapshot is written for a report of several runs yet")
    return notes


def _present(result: ReportResult, memo: Memo) -> list[Section]:
    """Each chart's section, laid out by its kind over the report's time window, or as an
    earlier build laid it out (see `kinds/kept.py`); a table several sections list is
    shown under one of them."""
    windows = tuple(run.window for run in result.runs)
    axis = result.report.time_axis
    sections = [
        kept_section(KINDS[c.chart.type], c.result, View(c.chart, axis, windows), memo)
        for c in result.charts
    ]
    charts = [c.chart for c in result.charts]
    return link_tables(tables_once(sections, charts), charts)


ImageJob = tuple[str, dict[str, Any], tuple[str, ...], FigureOptions]
"""(file stem, Vega-Lite spec, formats, figure settings) of one chart's images to write."""


def _write_sections(
    folder: Path, result: ReportResult, sections: list[Section], rendered: RenderCache
) -> list[SectionView]:
    """Each section's images and data files (or the cache's, if unchanged) on RENDER_THREADS
    threads, the images first: vl-convert works outside the GIL for part of each render
    (measured: 2.96 s -> 2.50 s for the demo's 12 images with the other core busy), and the
    CSVs are written meanwhile (10^6 events, three charts: 0.23 s no longer after them)."""
    images: list[ImageJob] = []
    files: list[DataFile] = []
    for chart_result, section in zip(result.charts, sections, strict=True):
        chart = chart_result.chart
        files += section.files
        if section.figure is not None:
            images.append((chart.id, section.figure.image, chart.formats, chart.figure))
    with ThreadPoolExecutor(RENDER_THREADS) as pool:
        jobs: list[Future[object]] = [pool.submit(rendered.images, folder, *j) for j in images]
        jobs += [pool.submit(rendered.file, folder, f.name, f.key, f.write) for f in files]
        for job in jobs:
            job.result()
    rendered.forget_unused()
    return [
        section_view(c.chart, s, KINDS[c.chart.type].guide)
        for c, s in zip(result.charts, sections, strict=True)
    ]


def _write_manifest(
    folder: Path,
    result: ReportResult,
    runs: list[Report],
    facts: dict[str, RunFacts],
    matched: dict[tuple[str, str, str], int],
    snapshot: list[str],
    digests: FileDigests,
) -> Provenance:
    """`manifest.json`: how the report was made (spec and inputs by sha256 and records,
    the fetch, queries and who applied their filters, kinds, the command that rebuilds
    it); what the page's section shows of it."""
    report = result.report
    inputs = {run.run: source_files(run, facts[run.run].records_read, digests) for run in runs}
    rebuild = rebuild_command(report, result, snapshot)
    spec = describe("spec", report.path, digests)
    document = manifest(result, runs, spec, inputs, facts, matched, rebuild)
    write_text(folder / MANIFEST, manifest_text(document))
    unique = tuple(dict.fromkeys(f for files in inputs.values() for f in files))
    return provenance(result, document, spec, unique, runs, facts)


def _write_snapshot(
    folder: Path, result: ReportResult, runs_data: list[tuple[Report, ReportData]]
) -> list[str]:
    """The records a live build used, so the report can be rebuilt offline (if enabled; for
    a report of one run)."""
    data = runs_data[0][1]
    if len(runs_data) > 1 or data.snapshot is None:
        return []
    return write_snapshot(folder / "data", data.snapshot, result.report, result.as_of, data.fetch)


def write_text(path: Path, text: str) -> None:
    """A file of the site, UTF-8; a failed write names it (see `naming`)."""
    with naming(path):
        path.write_text(text, encoding="utf-8")


def _write_page(env: Environment, folder: Path, page: ReportPage) -> None:
    write_text(folder / "index.html", render_report_page(env, page))


def _write_index(env: Environment, staging: Path, rows: list[IndexRow]) -> None:
    write_text(staging / "index.html", render_index_page(env, rows))


def _write_assets(staging: Path) -> None:
    """Vega's JavaScript once per site (see `charts/bundle.py`), the stylesheet and the
    chart loader."""
    from reportgen.charts.bundle import vega_bundle  # vl-convert: only when writing

    assets = staging / "assets"
    assets.mkdir()
    write_text(assets / "vega-bundle.js", vega_bundle())
    for name in ("style.css", "theme.js", "charts.js", "grid.js"):
        write_text(assets / name, (template_folder() / name).read_text(encoding="utf-8"))
