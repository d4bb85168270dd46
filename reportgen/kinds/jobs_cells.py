"""The job table's cells, as the CSV and the page write them, and its CSV: every job of each
run, sorted by job id, a block of rows at a time (a run of 196,000 jobs never holds all its
cells at once)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from reportgen.analytics.failures import returncode_text
from reportgen.cachekey import entry_hash
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
    with `csv`, free text quoted as the CSV needs it. Column by column, each with as few
    Python calls per job as may be (a 10^6-event run has ~200,000 jobs)."""
    numbers, records = run.numbers, run.records
    quote = csv_field if csv else _same
    names = [quote(name) for name in run.state_names]
    known = records.known[indexes]
    batch = np.where(known, records.batch_job_id[indexes], NO_ID)
    columns = [
        _integers(numbers.job_id[indexes]),
        [names[s] for s in numbers.state[indexes].tolist()],
        _texts(records.tags[indexes], csv),
        _counts(records.num_nodes[indexes]),
        _counts(records.node_packing_count[indexes]),
        _integers(numbers.attempts[indexes]),
        _times(numbers.first_event[indexes], csv),
        _times(numbers.last_event[indexes], csv),
        _millionths(numbers.run_micros[indexes]),
        _millionths(run.node_millionths[indexes]),
        [names[o] if o >= 0 else "" for o in numbers.outcome[indexes].tolist()],
        _returncodes(numbers.returncode[indexes]),
        _texts(records.workdir[indexes], csv),
        ["" if b == NO_ID else str(b) for b in batch.tolist()],
    ]
    return list(zip(*columns, strict=True))


def _same(text: str) -> str:
    return text


_SPECIAL = re.compile('[,"\r\n]')


def _texts(texts: Objects, csv: bool) -> list[str]:
    """Free text as it is, or for the CSV quoted where it needs to be (checked once for the
    whole column first: most columns need no quoting at all)."""
    values: list[str] = texts.tolist()
    if not csv or not _SPECIAL.search("\0".join(values)):
        return values
    return [csv_field(t) for t in values]


def _integers(values: Ints) -> list[str]:
    return list(map(str, values.tolist()))


def _millionths(values: Ints) -> list[str]:
    """Integer millionths (microseconds as seconds, or node-hours) with exactly 6 decimals."""
    whole, part = np.divmod(values, 1_000_000)
    return [f"{w}.{p:06d}" for w, p in zip(whole.tolist(), part.tolist(), strict=True)]


def _counts(values: Floats) -> list[str]:
    """Node and packing counts: integers as integers, others as Python writes them, empty
    for an unknown job (NaN). Counts repeat: each distinct one is written once."""
    distinct, index = np.unique(values, return_inverse=True)
    texts = [
        "" if v != v else (str(int(v)) if v.is_integer() else repr(v)) for v in distinct.tolist()
    ]
    return [texts[i] for i in index.ravel().tolist()]


def _returncodes(codes: Floats) -> list[str]:
    """Return codes as `returncode_text` writes them; empty where there is none (NaN)."""
    return ["" if c != c else returncode_text(c) for c in codes.tolist()]


def _times(micros: Ints, csv: bool) -> list[str]:
    """For the CSV `2024-03-01T12:00:00.123456Z`, for the page `2024-03-01 12:00:00 UTC`
    (as `times.prose_time` writes times in prose), every one at once."""
    if csv:
        stamps = micros.astype("datetime64[us]")
        texts: list[str] = np.datetime_as_string(stamps, unit="us", timezone="UTC").tolist()
        return texts
    seconds = (micros // 1_000_000).astype("datetime64[s]")
    return [t.replace("T", " ") + " UTC" for t in np.datetime_as_string(seconds).tolist()]


def jobs_csv_file(name: str, runs: Sequence[RunJobs], columns: tuple[str, ...]) -> DataFile:
    """`<id>.csv`: every job of each run in id order (a leading `run` column with several)."""
    return DataFile(
        name, _csv_hash(runs, columns), partial(write_jobs_csv, runs=runs, columns=columns)
    )


def _csv_hash(runs: Sequence[RunJobs], columns: tuple[str, ...]) -> str:
    """The key of what the CSV is made from (`cachekey.py`): equal keys, equal files."""
    digest = entry_hash()
    digest.update(f"\0{columns}\0{len(runs)}".encode())
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
                if wanted != list(range(len(COLUMNS))):
                    rows = [tuple(row[i] for i in wanted) for row in rows]
                out.write("".join([lead + ",".join(row) + "\n" for row in rows]))
