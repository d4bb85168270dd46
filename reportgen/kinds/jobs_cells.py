"""The job table's cells, as the CSV and the page write them, and its CSV: every job of each
run, sorted by job id, a block of rows at a time (a run of 196,000 jobs never holds all its
cells at once)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from reportgen.analytics.failures import returncode_text
from reportgen.fingerprint import code_fingerprint
from reportgen.kinds.base import DataFile
from reportgen.site.csvfile import csv_field
from reportgen.source.tables import NO_ID, Floats, Ints, Mask, Objects

if TYPE_CHECKING:
    from reportgen.kinds.jobs_table import RunJobs

COLUMNS = (
    "job_id",
    "state",
    "tags",
    "num_nodes",
    "node_packing_count",
    "attempts",
    "first_event",
    "last_event",
    "run_seconds",
    "node_hours",
    "outcome",
    "returncode",
    "workdir",
    "batch_job_id",
)
NUMERIC = frozenset(
    {
        "job_id",
        "num_nodes",
        "node_packing_count",
        "attempts",
        "run_seconds",
        "node_hours",
        "returncode",
        "batch_job_id",
    }
)
TEXTS = frozenset({"tags", "workdir"})
"""Columns of free text from the records: quoted in the CSV when they need it."""
BLOCK = 20_000


@dataclass(frozen=True)
class JobRecords:
    """What each job's record says (aligned with the run's jobs); `known` is False for a job
    with events but no record (its cells are then empty)."""

    known: Mask
    tags: Objects
    num_nodes: Floats
    node_packing_count: Floats
    workdir: Objects
    batch_job_id: Ints


def cells(run: RunJobs, indexes: Ints, csv: bool) -> list[tuple[str, ...]]:
    """The rows of these jobs (indexes into the run's jobs), every column in COLUMNS order;
    with `csv`, free text quoted as the CSV needs it."""
    numbers, records = run.numbers, run.records
    names = run.state_names
    text = csv_field if csv else _same
    known = records.known[indexes].tolist()
    outcome = numbers.outcome[indexes].tolist()
    columns = [
        [str(i) for i in numbers.job_id[indexes].tolist()],
        [text(names[s]) for s in numbers.state[indexes].tolist()],
        [text(t) for t in records.tags[indexes].tolist()],
        _counts(records.num_nodes[indexes]),
        _counts(records.node_packing_count[indexes]),
        [str(a) for a in numbers.attempts[indexes].tolist()],
        _times(numbers.first_event[indexes]),
        _times(numbers.last_event[indexes]),
        [_six(m, 1_000_000) for m in numbers.run_micros[indexes].tolist()],
        [_six(m, 1_000_000) for m in run.node_millionths[indexes].tolist()],
        [text(names[o]) if o >= 0 else "" for o in outcome],
        [_returncode(c) for c in numbers.returncode[indexes].tolist()],
        [text(w) for w in records.workdir[indexes].tolist()],
        [
            str(b) if k and b != NO_ID else ""
            for b, k in zip(records.batch_job_id[indexes].tolist(), known, strict=True)
        ],
    ]
    return list(zip(*columns, strict=True))


def _same(text: str) -> str:
    return text


def _six(value: int, unit: int) -> str:
    """An integer count of 1/unit as a number with exactly 6 decimals (unit = 10**6)."""
    whole, part = divmod(value, unit)
    return f"{whole}.{part:06d}"


def _counts(values: Floats) -> list[str]:
    """Node and packing counts: integers as integers, others as Python writes them, empty
    for an unknown job."""
    return ["" if v != v else (str(int(v)) if v.is_integer() else repr(v)) for v in values.tolist()]


def _returncode(code: float) -> str:
    return "" if code != code else returncode_text(code)


def _times(micros: Ints) -> list[str]:
    """`2024-03-01T12:00:00.123456Z`, every one at once."""
    texts = np.datetime_as_string(micros.astype("datetime64[us]"), unit="us")
    return [t + "Z" for t in texts.tolist()]


def jobs_csv_file(name: str, runs: Sequence[RunJobs], columns: tuple[str, ...]) -> DataFile:
    """`<id>.csv`: every job of each run in id order (a leading `run` column with several)."""
    return DataFile(
        name, _csv_hash(runs, columns), partial(write_jobs_csv, runs=runs, columns=columns)
    )


def _csv_hash(runs: Sequence[RunJobs], columns: tuple[str, ...]) -> str:
    """What the CSV is made from, hashed (with reportgen's code): equal hashes, equal files."""
    digest = hashlib.sha256(f"{code_fingerprint()}\0{columns}\0{len(runs)}".encode())
    for run in runs:
        numbers, records = run.numbers, run.records
        digest.update(f"\0{run.name}\0{run.state_names}\0".encode())
        for array in (
            numbers.job_id,
            numbers.state,
            numbers.attempts,
            numbers.first_event,
            numbers.last_event,
            numbers.run_micros,
            run.node_millionths,
            numbers.outcome,
            numbers.returncode,
            records.known,
            records.num_nodes,
            records.node_packing_count,
            records.batch_job_id,
        ):
            digest.update(np.ascontiguousarray(array).tobytes())
        for texts in (records.tags, records.workdir):
            digest.update("\0".join(texts.tolist()).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def write_jobs_csv(path: Path, runs: Sequence[RunJobs], columns: tuple[str, ...]) -> None:
    several = len(runs) > 1
    wanted = [COLUMNS.index(c) for c in columns]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(("run," if several else "") + ",".join(columns) + "\n")
        for run in runs:
            lead = f"{csv_field(run.name)}," if several else ""
            for first in range(0, len(run.numbers), BLOCK):
                indexes = np.arange(first, min(first + BLOCK, len(run.numbers)))
                rows = cells(run, indexes, csv=True)
                out.write("".join(lead + ",".join(row[i] for i in wanted) + "\n" for row in rows))
