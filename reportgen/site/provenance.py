"""How a report was made: its `manifest.json` and the page's section of the same facts.

Everything a reader needs to trust or redo a report: reportgen's version, the spec and every
input file by size, sha256 and records read, each run's source (a live one: its api_root, the
server's version, when the fetch started and ended, each record set fetched and what was
sent for it), as-of time and queries (which filters the server applied and which reportgen
applied itself, the records each matched), each chart's kind and options, and the command
that rebuilds it. Never a token: a live source is named by its `api_root` only.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from reportgen import __version__
from reportgen.compute import ReportResult
from reportgen.source.digest import FileDigests
from reportgen.spec.fetched import fetched_fields
from reportgen.spec.model import (
    BalsamSource,
    BatchJobQuery,
    EventQuery,
    Fetched,
    FilesSource,
    Report,
)
from reportgen.times import format_micros, format_moment, to_micros

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class InputFile:
    """A file a report read (or its spec), as the manifest names it."""

    role: str
    """`spec`, or the files source's key: `events`, `jobs`, `batch_jobs`."""
    path: Path
    size: int
    sha256: str
    records: int | None = None
    """The records its reader read from it (None: not read, or the spec)."""


@dataclass(frozen=True)
class RunFacts:
    """What loading a run counted: each file's records read (by its role), and how a live
    source fetched (a files source that is a snapshot has its own, in its spec)."""

    records_read: dict[str, int]
    fetch: Fetched | None = None


@dataclass(frozen=True)
class FetchView:
    """A run's live fetch as the page shows it."""

    run: str
    api_root: str
    server_version: str
    started: str
    ended: str
    from_snapshot: bool
    """Whether the facts are a snapshot's (this build read its files, not the server)."""


@dataclass(frozen=True)
class QueryView:
    """A query's filters as the page shows them: who applied which."""

    run: str
    kind: str
    name: str
    server: str
    reportgen: str
    fetched: str
    matched: str


@dataclass(frozen=True)
class Provenance:
    """The page's "How this report was made" section (the manifest holds more)."""

    version: str
    inputs: tuple[InputFile, ...]
    as_of: str
    """Empty for a report of several runs (each has its own, in the page's runs table)."""
    as_of_origin: str
    rebuild: str
    manifest: str
    """The manifest's file name, for the link."""
    fetches: tuple[FetchView, ...] = ()
    queries: tuple[QueryView, ...] = ()
    several_runs: bool = False


def manifest(
    result: ReportResult,
    run_reports: list[Report],
    spec: InputFile,
    inputs: dict[str, tuple[InputFile, ...]],
    facts: dict[str, RunFacts],
    matched: dict[tuple[str, str, str], int],
    rebuild: str,
) -> dict[str, Any]:
    """The manifest of a report whose runs are `run_reports`: each run's input files (with
    the records read) and facts by the run's name, each query's records by (run,
    events|batch_jobs, query)."""
    report = result.report
    runs = []
    for run_report, run in zip(run_reports, result.runs, strict=True):
        name = run_report.run
        runs.append(
            {
                "name": name,
                "source": _source(run_report, inputs.get(name, ()), facts[name], report.path),
                "start": format_micros(run.window.start),
                "as_of": format_micros(run.window.as_of),
                "as_of_origin": run.as_of_origin,
                "queries": [_query(q, name, facts[name], matched) for q in _all(run_report)],
            }
        )
    return {
        "reportgen": __version__,
        "title": report.title,
        "spec": _file(spec, Path()),
        "runs": runs,
        "charts": [
            {
                "id": c.id,
                "type": c.type,
                "title": c.title,
                "options": _plain(c.options),
                # what sizes and letters its image files (`figure:`, resolved)
                "images": {
                    "formats": list(c.formats),
                    "width_px": c.width,
                    "height_px": c.height,
                    "figure": _plain(c.figure),
                },
            }
            for c in report.charts
        ],
        "summary": _plain(report.summary),
        "rebuild": rebuild,
    }


def manifest_text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def rebuild_command(report: Report, result: ReportResult, snapshot: list[str]) -> str:
    """The command that builds the same report again: from the snapshot in the report's
    folder (a live report), else from the spec, with the as-of time when the command line
    gave it (the spec's, or the data's latest record, come back by themselves)."""
    if snapshot:
        return f"reportgen build data/{shlex.quote(snapshot[-1])}  # in this report's folder"
    command = f"reportgen build {shlex.quote(str(report.path))}"
    if any(run.as_of_origin.endswith("(--as-of)") for run in result.runs):
        command += f" --as-of {format_micros(result.as_of)}"
    return command


def provenance(
    result: ReportResult,
    document: dict[str, Any],
    spec: InputFile,
    inputs: tuple[InputFile, ...],
    run_reports: list[Report],
    facts: dict[str, RunFacts],
) -> Provenance:
    """What the page shows of the manifest `document`."""
    several = len(result.runs) > 1
    return Provenance(
        version=__version__,
        inputs=(spec, *inputs),
        as_of="" if several else format_micros(result.as_of),
        as_of_origin=result.as_of_origin,
        rebuild=document["rebuild"],
        manifest=MANIFEST,
        fetches=tuple(_fetch_views(run_reports, facts)),
        queries=tuple(
            _query_view(run["name"], q) for run in document["runs"] for q in run["queries"]
        ),
        several_runs=several,
    )


def _fetch_views(run_reports: list[Report], facts: dict[str, RunFacts]) -> list[FetchView]:
    views = []
    for run in run_reports:
        fetched, from_snapshot = _fetched(run, facts[run.run])
        if fetched is None:
            continue
        version = fetched.server_version
        views.append(
            FetchView(
                run.run,
                fetched.api_root,
                f"{version} ({fetched.server_version_origin})"
                if version is not None
                else fetched.server_version_origin,
                format_micros(to_micros(fetched.started)),
                format_micros(to_micros(fetched.ended)),
                from_snapshot,
            )
        )
    return views


def _fetched(run: Report, facts: RunFacts) -> tuple[Fetched | None, bool]:
    """How the run's records were fetched (this build's fetch, or its snapshot's), and
    whether from a snapshot."""
    if isinstance(run.source, FilesSource):
        return run.source.fetched, True
    return facts.fetch, False


def _query_view(run: str, query: dict[str, Any]) -> QueryView:
    fetched = query["fetched"]
    return QueryView(
        run,
        query["kind"].replace("_", " "),
        query["name"],
        _filters_text(query["server_applied"]),
        _filters_text(query["reportgen_applied"]),
        "-" if fetched is None else f"{fetched:,}",
        "-" if query["matched"] is None else f"{query['matched']:,}",
    )


def _filters_text(filters: dict[str, Any]) -> str:
    """`tags=experiment:demo; to_state=RUNNING`, as the page's queries table writes them."""
    parts = []
    for key, value in filters.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}:{v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{key}={value}")
    return "; ".join(parts) or "(none)"


def _source(
    report: Report, inputs: tuple[InputFile, ...], facts: RunFacts, spec: Path
) -> dict[str, Any]:
    """A files source's files (and, for a snapshot, how they were fetched); a live source's
    server and fetch."""
    source = report.source
    if isinstance(source, FilesSource):
        files: dict[str, Any] = {"files": [_file(f, spec.parent) for f in inputs]}
        if source.fetched is not None:
            files["fetched"] = fetched_fields(source.fetched)
        return files
    assert isinstance(source, BalsamSource)
    if facts.fetch is None:  # (a live run always has one: this is for stand-in data)
        return {"balsam": {"api_root": source.api_root or "(from the client file)"}}
    return {"balsam": fetched_fields(facts.fetch)}


def _file(found: InputFile, spec_folder: Path) -> dict[str, Any]:
    """A file by role, path (relative to the spec's folder when inside it), size, sha256,
    and the records read from it (the spec: none)."""
    path = found.path
    if path.is_absolute() and path.is_relative_to(spec_folder.absolute()):
        path = path.relative_to(spec_folder.absolute())
    entry: dict[str, Any] = {
        "role": found.role,
        "path": str(path),
        "size": found.size,
        "sha256": found.sha256,
    }
    if found.role != "spec":
        entry["records"] = found.records
    return entry


def describe(role: str, path: Path, digests: FileDigests) -> InputFile:
    """A file's size and sha256 (read once per build: the build cache keys by the same)."""
    size, sha256 = digests.of(path)
    return InputFile(role, path, size, sha256)


def source_files(
    report: Report, records_read: dict[str, int], digests: FileDigests
) -> tuple[InputFile, ...]:
    """The files a files-source run names, with the records read from each (none for a
    live source)."""
    source = report.source
    if not isinstance(source, FilesSource):
        return ()
    return tuple(
        dataclasses.replace(describe(role, path, digests), records=records_read.get(role))
        for role, path in source.files()
    )


def _all(report: Report) -> list[tuple[str, EventQuery | BatchJobQuery]]:
    return [
        *(("events", q) for q in report.event_queries.values()),
        *(("batch_jobs", q) for q in report.batch_job_queries.values()),
    ]


def _query(
    group_query: tuple[str, EventQuery | BatchJobQuery],
    run: str,
    facts: RunFacts,
    matched: dict[tuple[str, str, str], int],
) -> dict[str, Any]:
    """A query's filters, split by who applied them: a live server applies those sent as
    parameters of its request (`FetchedSet.params`), reportgen the rest after fetching
    (and every filter of a files source)."""
    group, query = group_query
    filters = _filters(query)
    sent: set[str] = set()
    fetched = None
    if facts.fetch is not None:
        for record_set in facts.fetch.sets:
            if record_set.kind == group and record_set.query == query.name:
                sent = {key for key, _ in parse_qsl(record_set.params)}
                fetched = record_set.records
    return {
        "kind": group,
        "name": query.name,
        "filters": filters,
        "server_applied": {k: v for k, v in filters.items() if k in sent},
        "reportgen_applied": {k: v for k, v in filters.items() if k not in sent},
        "fetched": fetched,
        "matched": matched.get((run, group, query.name)),
    }


PAIRS = ("tags", "data", "filter_tags")
"""Filters held as sorted (key, value) pairs: written as the mappings a spec gives."""


def _filters(query: Any) -> dict[str, Any]:
    plain = _plain(query)
    plain.pop("name")
    return {k: dict(getattr(query, k)) if k in PAIRS else v for k, v in plain.items()}


def _plain(value: Any) -> Any:
    """Frozen options and queries as JSON values (times as ISO text, tuples as lists)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) not in (None, ())
        }
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return format_moment(value)
    if isinstance(value, Path):
        return str(value)
    return value
