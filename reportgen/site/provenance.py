"""How a report was made: its `manifest.json` and the page's section of the same facts.

Everything a reader needs to trust or redo a report: reportgen's version, the spec and every
input file by size and sha256, each run's source, as-of time and queries (with the records
each matched), each chart's kind and options, and the command that rebuilds it. Never a
token: a live source is named by its `api_root` only.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shlex
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from reportgen import __version__
from reportgen.compute import ReportResult
from reportgen.spec.model import BalsamSource, FilesSource, Report
from reportgen.times import format_micros, format_moment

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class InputFile:
    """A file a report read (or its spec), as the manifest names it."""

    role: str
    """`spec`, or the files source's key: `events`, `jobs`, `batch_jobs`."""
    path: Path
    size: int
    sha256: str


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


def manifest(
    result: ReportResult,
    run_reports: list[Report],
    spec: InputFile,
    inputs: dict[str, tuple[InputFile, ...]],
    matched: dict[tuple[str, str, str], int],
    rebuild: str,
) -> dict[str, Any]:
    """The manifest of a report whose runs are `run_reports`: each run's input files by the
    run's name, each query's records by (run, events|batch_jobs, query)."""
    report = result.report
    runs = []
    for run_report, run in zip(run_reports, result.runs, strict=True):
        name = run_report.run
        runs.append(
            {
                "name": name,
                "source": _source(run_report, inputs.get(name, ()), report.path.parent),
                "start": format_micros(run.window.start),
                "as_of": format_micros(run.window.as_of),
                "as_of_origin": run.as_of_origin,
                "queries": _queries(run_report, name, matched),
            }
        )
    return {
        "reportgen": __version__,
        "title": report.title,
        "spec": _file(spec, Path()),
        "runs": runs,
        "charts": [
            {"id": c.id, "type": c.type, "title": c.title, "options": _plain(c.options)}
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
    result: ReportResult, spec: InputFile, inputs: tuple[InputFile, ...], rebuild: str
) -> Provenance:
    return Provenance(
        version=__version__,
        inputs=(spec, *inputs),
        as_of="" if len(result.runs) > 1 else format_micros(result.as_of),
        as_of_origin=result.as_of_origin,
        rebuild=rebuild,
        manifest=MANIFEST,
    )


def _source(report: Report, inputs: tuple[InputFile, ...], spec_folder: Path) -> dict[str, Any]:
    source = report.source
    if isinstance(source, FilesSource):
        return {"files": [_file(f, spec_folder) for f in inputs]}
    assert isinstance(source, BalsamSource)
    return {"balsam": {"api_root": source.api_root or "(from the client file)"}}


def _file(found: InputFile, spec_folder: Path) -> dict[str, Any]:
    """A file by role, path (relative to the spec's folder when inside it), size, sha256."""
    path = found.path
    if path.is_absolute() and path.is_relative_to(spec_folder.absolute()):
        path = path.relative_to(spec_folder.absolute())
    return {"role": found.role, "path": str(path), "size": found.size, "sha256": found.sha256}


def describe(role: str, path: Path) -> InputFile:
    """A file's size and sha256 (I/O: reads it once more, a few MB for 10^6 events)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
            size += len(block)
    return InputFile(role, path, size, digest.hexdigest())


def source_files(report: Report) -> tuple[InputFile, ...]:
    """The files a files-source run read (none for a live source)."""
    source = report.source
    if not isinstance(source, FilesSource):
        return ()
    roles = (("events", source.events), ("jobs", source.jobs), ("batch_jobs", source.batch_jobs))
    return tuple(describe(role, path) for role, path in roles if path is not None)


def _queries(
    report: Report, run: str, matched: dict[tuple[str, str, str], int]
) -> list[dict[str, Any]]:
    queries = []
    for group, by_name in (
        ("events", report.event_queries),
        ("batch_jobs", report.batch_job_queries),
    ):
        for name, query in by_name.items():
            queries.append(
                {
                    "kind": group,
                    "name": name,
                    "filters": _filters(query),
                    "matched": matched.get((run, group, name)),
                }
            )
    return queries


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
