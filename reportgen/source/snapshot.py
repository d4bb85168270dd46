"""Snapshots: the records a live build used, saved in the files-source format with a spec.

`reportgen build OUT/<report>/data/<report>.yaml` rebuilds the report offline from them and
gives byte-identical CSVs (same records, same queries, the same as-of time).
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import yaml

from reportgen.source.data import Snapshot
from reportgen.source.files import Record
from reportgen.spec.fetched import fetched_fields
from reportgen.spec.model import Fetched, Report
from reportgen.times import format_micros

FILES = {"events": "events.json.gz", "jobs": "jobs.json.gz", "batch_jobs": "batchjobs.json.gz"}


def open_gz_text(path: Path) -> IO[str]:
    """A text stream into a gzip file with a zero mtime: same records, same bytes."""
    raw = path.open("wb")
    compressed = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
    return io.TextIOWrapper(compressed, encoding="utf-8")


class RecordsWriter:
    """Streams records out as one `{results, count}` API page, or as JSON Lines."""

    def __init__(self, out: IO[str], jsonl: bool = False) -> None:
        self.out, self.jsonl, self.count = out, jsonl, 0
        if not jsonl:
            out.write('{"results":[')

    def add(self, record: Record) -> None:
        text = json.dumps(record, separators=(",", ":"))
        if self.jsonl:
            self.out.write(text + "\n")
        else:
            self.out.write(("," if self.count else "") + text)
        self.count += 1

    def close(self) -> None:
        if not self.jsonl:
            self.out.write(f'],"count":{self.count}}}')


def write_records_gz(path: Path, records: Iterable[Record], jsonl: bool = False) -> int:
    """Records into a gzip file as one API page (or JSON Lines); return how many."""
    with open_gz_text(path) as out:
        writer = RecordsWriter(out, jsonl)
        for record in records:
            writer.add(record)
        writer.close()
    return writer.count


def write_snapshot(
    folder: Path, snapshot: Snapshot, report: Report, as_of: int, fetched: Fetched | None
) -> list[str]:
    """Write the records and a files-source spec (saying how they were `fetched`); return
    the file names written."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for kind, name in FILES.items():
        write_records_gz(folder / name, getattr(snapshot, kind))
        names.append(name)
    spec_name = f"{report.slug}.yaml"
    (folder / spec_name).write_text(_offline_spec(report, as_of, fetched), encoding="utf-8")
    return [*names, spec_name]


def _offline_spec(report: Report, as_of: int, fetched: Fetched | None) -> str:
    spec: dict[str, Any] = yaml.safe_load(report.spec_text)
    files: dict[str, Any] = dict(FILES)
    if fetched is not None:
        files["fetched"] = fetched_fields(fetched)
    spec["source"] = {"files": files}
    spec["as_of"] = format_micros(as_of)
    header = (
        f"# Snapshot of {report.path.name}: rebuild offline with\n"
        f"#   reportgen build {report.slug}.yaml\n"
    )
    return header + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True)
