"""Snapshots: the records a live build used, saved in the files-source format with a spec.

`reportgen build OUT/<report>/data/<report>.yaml` rebuilds the report offline from them and
gives byte-identical CSVs (same records, same queries, the same as-of time).
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import yaml

from reportgen.source.data import Snapshot
from reportgen.source.files import Record
from reportgen.source.timestamps import format_micros
from reportgen.spec.model import Report

FILES = {"events": "events.json.gz", "jobs": "jobs.json.gz", "batch_jobs": "batchjobs.json.gz"}


def write_page_gz(path: Path, records: list[Record]) -> None:
    """One `{results, count}` API page, gzipped with a zero mtime (same records, same bytes)."""
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as compressed,
    ):
        text = io.TextIOWrapper(compressed, encoding="utf-8")
        text.write('{"results":[')
        for index, record in enumerate(records):
            text.write(("," if index else "") + json.dumps(record, separators=(",", ":")))
        text.write(f'],"count":{len(records)}}}')
        text.flush()
        text.detach()


def write_snapshot(folder: Path, snapshot: Snapshot, report: Report, as_of: int) -> list[str]:
    """Write the records and a files-source spec; return the file names written."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for kind, name in FILES.items():
        write_page_gz(folder / name, getattr(snapshot, kind))
        names.append(name)
    spec_name = f"{report.slug}.yaml"
    (folder / spec_name).write_text(_offline_spec(report, as_of), encoding="utf-8")
    return [*names, spec_name]


def _offline_spec(report: Report, as_of: int) -> str:
    spec: dict[str, Any] = yaml.safe_load(report.spec_text)
    spec["source"] = {"files": dict(FILES)}
    spec["as_of"] = format_micros(as_of)
    header = (
        f"# Snapshot of {report.path.name}: rebuild offline with\n"
        f"#   reportgen build {report.slug}.yaml\n"
    )
    return header + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
