"""Saved API files straight into columns with msgspec: no dict per event, bounded memory.

msgspec decodes each record into a small typed struct (`structs.py`, which declares the
bounds of `rules.py`), and the structs of one chunk become NumPy columns before the next
chunk is read (`chunks.py` cuts files into chunks). The times are checked by their bytes
(`timestamps.py`); any record msgspec rejects, or a chunk whose times fail, sends that chunk
through the plain, record-by-record reader of `columns.py` (see `decode.py`), whose error
names the record exactly: both readers word errors alike. Both end with
`duplicates.drop_duplicates`.
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import itertools
import os
from collections.abc import Callable, Iterator
from operator import attrgetter
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import msgspec
import numpy as np

from reportgen.limits import STRICT, InputLimits
from reportgen.source import columns
from reportgen.source.chunks import Chunk, NotRecordBoundaries, file_chunks
from reportgen.source.decode import Reader, Recheck, decode_chunk, page_type
from reportgen.source.duplicates import drop_duplicates
from reportgen.source.files import PageCount, read_records
from reportgen.source.structs import DetailedEvent, DetailedJob, Event, Job
from reportgen.source.tables import (
    DETAILED_STATE,
    NO_ID,
    EventDetails,
    EventTable,
    JobDetails,
    JobTable,
    column_types,
)
from reportgen.source.timestamps import parse_all
from reportgen.source.workers import held_interrupts, start_worker, worker_context
from reportgen.states import state_codes

WORKERS = min(2, os.cpu_count() or 1)
"""Processes decoding chunks of records: decoding is CPU-bound and holds the GIL."""
PARALLEL_MIN_BYTES = 2 << 20
"""Smaller files are read in this process: starting workers costs more than it saves."""
T = TypeVar("T")
Part = dict[str, Any]
"""One chunk's columns, by the names of its table's fields (see `tables.column_types`)."""
EVENT_COLUMNS = column_types(EventTable)
DETAIL_COLUMNS = {f"details.{name}": dtype for name, dtype in column_types(EventDetails).items()}
"""EventDetails' columns, named apart from the events' own in a part."""
JOB_COLUMNS = column_types(JobTable)


_page_type = page_type  # (benchmarks/floor.py decodes pages with it)

ReadProgress = Callable[[int, float], None]
"""(records decoded so far, share of the file read) -> None"""


def _silent(records: int, share: float) -> None:
    pass


def read_event_table(
    path: Path,
    data_keys: set[str],
    progress: ReadProgress = _silent,
    details: bool = False,
    limits: InputLimits = STRICT,
) -> EventTable:
    """Events from a saved file; with `details`, their return codes and messages too. `data`
    filters need the raw `data` values: the plain reader."""
    if data_keys:
        records = read_records(path, "events", limits)
        table = columns.events_from_records(records, path, data_keys, details)
        return dataclasses.replace(table, shortfall=records.shortfall)

    def read(split_pages: bool) -> tuple[list[Part], dict[str, int], str]:
        meter, states, declared = _Meter(progress), state_codes(), list[object]()
        chunks = file_chunks(
            path, "events", meter.read_share, split_pages, declared.append, limits.max_bytes
        )
        reader = Reader(
            path,
            "events",
            DetailedEvent if details else Event,
            lambda rows, start: _event_columns(rows, states, details),
            lambda records: columns.events_from_records(records, path, set()),
        )
        parts = meter.count(_event_parts(chunks, reader, states))
        return parts, states, reader.check_counts(declared, limits.allow_partial)

    parts, states, shortfall = _split_or_whole(read)
    dtypes = EVENT_COLUMNS | (DETAIL_COLUMNS if details else {})
    if details:
        _offset_positions(parts, "details.position")
    joined = _join_freeing(parts, dtypes)
    own = {name: joined.pop(name) for name in EVENT_COLUMNS}
    table = EventTable(
        **own,
        state_names=tuple(states),
        details=EventDetails(**{n.removeprefix("details."): c for n, c in joined.items()})
        if details
        else None,
        shortfall=shortfall,
    )
    return drop_duplicates(table, path, "event", _lines_of(path, "events"))


def _join_freeing(parts: list[Part], dtypes: dict[str, Any]) -> dict[str, Any]:
    """Each column of every part joined (`parts` is emptied), one column at a time, each
    part's piece dropped as soon as it is joined, so the parts and the whole table are never
    held at once (measured on 9.4 x 10^6 events: peak 764 -> 691 MB, with details 1,333 ->
    1,288 MB). `dtypes` names the columns to join, with their dtypes."""
    pieces = list(parts)
    parts.clear()  # the list would keep every piece alive
    joined = {}
    for name, dtype in dtypes.items():
        column = [piece.pop(name) for piece in pieces]
        if not column:
            joined[name] = np.empty(0, dtype=dtype)
        else:
            joined[name] = np.concatenate(column).astype(dtype, copy=False)
        del column
    return joined


def _offset_positions(parts: list[Part], column: str) -> None:
    """Make each part's `column` of positions in its chunk positions in the whole table."""
    offset = 0
    for part in parts:
        part[column][...] += offset
        offset += len(part["id"])


def _lines_of(path: Path, what: str) -> Callable[[], list[int] | None]:
    """How to find each record's line in a JSON Lines file (for an error: it reads the file
    again with the plain reader)."""
    return lambda: getattr(read_records(path, what), "lines", None)


def _split_or_whole(read: Callable[[bool], T]) -> T:
    """`read(split_pages=True)`; if a page could not be cut at its records, `read(False)`."""
    try:
        return read(True)
    except NotRecordBoundaries:
        return read(False)


def _event_parts(chunks: Iterator[Chunk], reader: Reader, states: dict[str, int]) -> Iterator[Part]:
    first = next(chunks, None)
    if first is None:
        return
    chunks = itertools.chain([first], chunks)
    path = reader.path
    if first[0] != "document" and WORKERS > 1 and path.stat().st_size >= PARALLEL_MIN_BYTES:
        yield from _parallel_event_parts(chunks, reader, states)
    else:
        yield from reader.parts(chunks)


class _Meter:
    """Reports progress while a file is read: the share read (from `file_chunks`) and the
    records decoded (counted as the parts go by)."""

    def __init__(self, progress: ReadProgress) -> None:
        self.progress = progress
        self.share = 0.0
        self.records = 0

    def read_share(self, share: float) -> None:
        self.share = share

    def count(self, parts: Iterator[Part]) -> list[Part]:
        kept = []
        for part in parts:
            kept.append(part)
            self.records += len(part["id"])
            self.progress(self.records, self.share)
        return kept


def _parallel_event_parts(
    chunks: Iterator[Chunk], reader: Reader, states: dict[str, int]
) -> Iterator[Part]:
    """Chunks of records decoded by WORKERS processes, in file order, a few chunks ahead.

    A worker returns columns with its own state codes, remapped here; a chunk it could not
    read is read again here, sequentially, so the error names the exact record.
    """
    context = worker_context()
    with concurrent.futures.ProcessPoolExecutor(
        WORKERS, mp_context=context, initializer=start_worker, initargs=(os.getpid(),)
    ) as pool:
        pending: collections.deque[tuple[str, bytes, concurrent.futures.Future[Any]]] = (
            collections.deque()
        )
        for kind, chunk in chunks:
            with held_interrupts():  # the first forks the workers, then starts a thread
                work = pool.submit(_records_to_columns, kind, chunk, reader.row)
            pending.append((kind, chunk, work))
            while len(pending) > WORKERS:
                yield _collect(*pending.popleft(), reader, states)
        while pending:
            yield _collect(*pending.popleft(), reader, states)


def _collect(
    kind: str,
    chunk: bytes,
    future: concurrent.futures.Future[Any],
    reader: Reader,
    states: dict[str, int],
) -> Part:
    result = future.result()
    if result is None:  # read it again here, to raise the precise error
        decoded = decode_chunk(chunk, kind, reader.row)
        part: Part = reader.part(kind, chunk, decoded)
        return part
    done: Part = result.columns
    lookup = np.array(
        [states.setdefault(name, len(states)) for name in result.state_names], dtype=np.int16
    )
    for name in ("from_state", "to_state"):
        done[name] = lookup[done[name]]
    reader.add(len(done["id"]), result.pages, result.whole)
    return done


class _WorkerPart(NamedTuple):
    """What a worker sends back for one chunk: its columns, with states coded by the
    worker's own `state_names` (the main process maps them to its codes)."""

    columns: Part
    state_names: tuple[str, ...]
    pages: list[PageCount]
    whole: bool


def _records_to_columns(kind: str, chunk: bytes, row: type[Any]) -> _WorkerPart | None:
    """In a worker: one chunk of records (as `row`s) to columns, or None if anything is wrong."""
    states = state_codes()
    decoded = decode_chunk(chunk, kind, row)
    if isinstance(decoded, msgspec.DecodeError):
        return None
    try:
        arrays = _event_columns(decoded.records, states, row is DetailedEvent)
    except Recheck:
        return None
    return _WorkerPart(arrays, tuple(states), decoded.pages, decoded.whole)


def _event_columns(
    rows: list[Event] | list[DetailedEvent], states: dict[str, int], details: bool = False
) -> Part:
    """The EventTable columns; with `details` (rows are `DetailedEvent`s), EventDetails'
    too (`DETAIL_COLUMNS`)."""
    count = len(rows)
    stamps = parse_all(list(map(attrgetter("timestamp"), rows)))
    if stamps is None:
        raise Recheck
    nan = float("nan")
    part: Part = {
        "id": np.fromiter(map(attrgetter("id"), rows), np.int64, count),
        "job_id": np.fromiter(map(attrgetter("job_id"), rows), np.int64, count),
        "timestamp": stamps,
        "from_state": _codes_of(map(attrgetter("from_state"), rows), states, count),
        "to_state": _codes_of(map(attrgetter("to_state"), rows), states, count),
        "num_nodes": np.fromiter(
            (nan if r.data is None or r.data.num_nodes is None else r.data.num_nodes for r in rows),
            np.float64,
            count,
        ),
    }
    if details:
        part |= _detail_columns(rows)  # type: ignore[arg-type]
    return part


def _detail_columns(rows: list[DetailedEvent]) -> Part:
    """EventDetails' columns for the rows leaving DETAILED_STATE, positions in the chunk."""
    positions = [i for i, r in enumerate(rows) if r.from_state == DETAILED_STATE]
    datas = [rows[i].data for i in positions]
    table = columns.event_details(
        positions,
        [None if d is None else d.returncode for d in datas],
        [None if d is None else d.error for d in datas],
        [None if d is None else d.message for d in datas],
    )
    return {name: getattr(table, name.removeprefix("details.")) for name in DETAIL_COLUMNS}


def _codes_of(names: Iterator[str], states: dict[str, int], count: int) -> np.ndarray:
    """Codes of state names; a state Balsam does not define gets the next free code."""
    listed = list(names)
    try:
        return np.fromiter(map(states.__getitem__, listed), np.int16, count)
    except KeyError:
        for name in listed:
            states.setdefault(name, len(states))
        return np.fromiter(map(states.__getitem__, listed), np.int16, count)


def read_job_table(
    path: Path,
    tag_keys: set[str],
    progress: ReadProgress = _silent,
    limits: InputLimits = STRICT,
    details: bool = False,
) -> JobTable:
    """Jobs from a saved file; with `details`, every job's tags and workdir too."""

    def read(split_pages: bool) -> tuple[list[Part], str]:
        meter, declared = _Meter(progress), list[object]()
        chunks = file_chunks(
            path, "jobs", meter.read_share, split_pages, declared.append, limits.max_bytes
        )
        reader = Reader(
            path,
            "jobs",
            DetailedJob if details else Job,
            lambda rows, start: _job_columns(rows, tag_keys, details),
            lambda records: columns.jobs_from_records(records, path, tag_keys, details),
        )
        parts = meter.count(reader.parts(chunks))
        return parts, reader.check_counts(declared, limits.allow_partial)

    parts, shortfall = _split_or_whole(read)
    tags = {
        key: np.concatenate([p["tag_values"][key] for p in parts])
        if parts
        else np.empty(0, dtype=object)
        for key in tag_keys
    }
    table = JobTable(
        **{name: _join(parts, name, dtype) for name, dtype in JOB_COLUMNS.items()},
        tag_values=tags,
        shortfall=shortfall,
        details=_joined_details(parts) if details else None,
    )
    return drop_duplicates(table, path, "job", _lines_of(path, "jobs"))


def _joined_details(parts: list[Part]) -> JobDetails:
    if not parts:
        return JobDetails(np.empty(0, dtype=object), np.empty(0, dtype=object))
    return JobDetails(
        np.concatenate([p["details"].tags for p in parts]),
        np.concatenate([p["details"].workdir for p in parts]),
    )


def _job_columns(
    rows: list[Job] | list[DetailedJob], tag_keys: set[str], details: bool = False
) -> Part:
    """The JobTable columns, its `tag_values` and, with `details` (rows are
    `DetailedJob`s), its `details`."""
    tags = {}
    for key in tag_keys:
        column = np.empty(len(rows), dtype=object)
        column[:] = [None if r.tags is None else r.tags.get(key) for r in rows]
        tags[key] = column
    part: Part = {
        "id": np.fromiter((r.id for r in rows), np.int64, len(rows)),
        "num_nodes": np.fromiter((r.num_nodes for r in rows), np.float64, len(rows)),
        "node_packing_count": np.fromiter(
            (1.0 if r.node_packing_count is None else r.node_packing_count for r in rows),
            np.float64,
            len(rows),
        ),
        "batch_job_id": np.fromiter(
            (NO_ID if r.batch_job_id is None else r.batch_job_id for r in rows), np.int64, len(rows)
        ),
        "tag_values": tags,
    }
    if details:
        part["details"] = _job_details(rows)  # type: ignore[arg-type]
    return part


def _job_details(rows: list[DetailedJob]) -> JobDetails:
    return columns.job_details([r.tags for r in rows], [r.workdir for r in rows])


def _join(parts: list[Part], name: str, dtype: type[Any]) -> Any:
    if not parts:
        return np.empty(0, dtype=dtype)
    return np.concatenate([p[name] for p in parts]).astype(dtype, copy=False)
