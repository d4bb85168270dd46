"""Saved API files straight into columns with msgspec: no dict per event, bounded memory.

msgspec decodes each record into a small typed struct holding only the fields reportgen uses
(a GC-untracked object, about 5x cheaper than a dict), and the structs of one chunk become
NumPy columns before the next chunk is read (`chunks.py` cuts files into chunks). Any
record msgspec rejects sends that chunk through the plain, record-by-record reader of
`columns.py`, whose error names the record exactly.
"""

from __future__ import annotations

import collections
import concurrent.futures
import functools
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator
from operator import attrgetter
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import msgspec
import numpy as np

from reportgen.errors import SourceError
from reportgen.source import columns
from reportgen.source.chunks import Chunk, NotRecordBoundaries, file_chunks
from reportgen.source.files import read_records, records_from_text
from reportgen.source.tables import NO_ID, EventTable, JobTable
from reportgen.source.timestamps import parse_timestamps
from reportgen.states import state_codes

WORKERS = min(2, os.cpu_count() or 1)
"""Processes decoding chunks of records: decoding is CPU-bound and holds the GIL."""
PARALLEL_MIN_BYTES = 2 << 20
"""Smaller files are read in this process: starting workers costs more than it saves."""
T = TypeVar("T")


class _Data(msgspec.Struct, gc=False):
    num_nodes: float | None = None


class _Event(msgspec.Struct, gc=False):
    id: int
    job_id: int
    timestamp: str
    from_state: str
    to_state: str
    data: _Data | None = None


class _Job(msgspec.Struct, gc=False):
    id: int
    num_nodes: float
    batch_job_id: int | None
    node_packing_count: float | None = None
    tags: dict[str, str] | None = None


def _page_type(row: type[Any]) -> type[Any]:
    return msgspec.defstruct(f"{row.__name__}Page", [("results", list[row])])  # type: ignore[valid-type]


ReadProgress = Callable[[int, float], None]
"""(records decoded so far, share of the file read) -> None"""


def _silent(records: int, share: float) -> None:
    pass


def read_event_table(
    path: Path, data_keys: set[str], progress: ReadProgress = _silent
) -> EventTable:
    """Events from a saved file. `data` filters need the raw `data` values: the plain reader."""
    if data_keys:
        return columns.events_from_records(read_records(path, "events"), path, data_keys)

    def read(split_pages: bool) -> tuple[list[tuple[np.ndarray, ...]], dict[str, int]]:
        meter, states = _Meter(progress), state_codes()
        chunks = file_chunks(path, "events", meter.read_share, split_pages)
        return meter.count(_event_parts(chunks, states, path)), states

    parts, states = _split_or_whole(read)
    return EventTable(
        id=_join(parts, 0, np.int64),
        job_id=_join(parts, 1, np.int64),
        timestamp=_join(parts, 2, np.int64),
        from_state=_join(parts, 3, np.int16),
        to_state=_join(parts, 4, np.int16),
        num_nodes=_join(parts, 5, np.float64),
        state_names=tuple(states),
    )


def _split_or_whole(read: Callable[[bool], T]) -> T:
    """`read(split_pages=True)`; if a page could not be cut at its records, `read(False)`."""
    try:
        return read(True)
    except NotRecordBoundaries:
        return read(False)


def _event_parts(
    chunks: Iterator[Chunk], states: dict[str, int], path: Path
) -> Iterator[tuple[np.ndarray, ...]]:
    first = next(chunks, None)
    if first is None:
        return
    if first[0] != "document" and WORKERS > 1 and path.stat().st_size >= PARALLEL_MIN_BYTES:
        yield from _parallel_event_parts(itertools.chain([first], chunks), states, path)
        return
    for rows, start in _decoded(
        itertools.chain([first], chunks), path, "events", _Event, _precise_events(path)
    ):
        yield _event_columns(rows, states, path, start)


class _Meter:
    """Reports progress while a file is read: the share read (from `file_chunks`) and the
    records decoded (counted as the parts go by)."""

    def __init__(self, progress: ReadProgress) -> None:
        self.progress = progress
        self.share = 0.0
        self.records = 0

    def read_share(self, share: float) -> None:
        self.share = share

    def count(self, parts: Iterator[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        kept = []
        for part in parts:
            kept.append(part)
            self.records += len(part[0])
            self.progress(self.records, self.share)
        return kept


def _precise_events(path: Path) -> Callable[[list[Any]], object]:
    return lambda records: columns.events_from_records(records, path, set())


def _parallel_event_parts(
    chunks: Iterator[Chunk], states: dict[str, int], path: Path
) -> Iterator[tuple[np.ndarray, ...]]:
    """Chunks of records decoded by WORKERS processes, in file order, a few chunks ahead.

    A worker returns columns with its own state codes, remapped here; a chunk it could not
    read is read again here, sequentially, so the error names the exact record.
    """
    start = 0
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        pending: collections.deque[tuple[str, bytes, concurrent.futures.Future[Any]]] = (
            collections.deque()
        )
        for kind, chunk in chunks:
            pending.append((kind, chunk, pool.submit(_records_to_columns, kind, chunk)))
            while len(pending) > WORKERS:
                part, start = _collect(*pending.popleft(), states, path, start)
                yield part
        while pending:
            part, start = _collect(*pending.popleft(), states, path, start)
            yield part


def _collect(
    kind: str,
    chunk: bytes,
    future: concurrent.futures.Future[Any],
    states: dict[str, int],
    path: Path,
    start: int,
) -> tuple[tuple[np.ndarray, ...], int]:
    result = future.result()
    if result is None:  # read it again here, to raise the precise error
        chunks = iter([(kind, chunk)])
        rows, _ = next(_decoded(chunks, path, "events", _Event, _precise_events(path), start))
        return _event_columns(rows, states, path, start), start + len(rows)
    *arrays, local_names = result
    lookup = np.array(
        [states.setdefault(name, len(states)) for name in local_names], dtype=np.int16
    )
    arrays[3], arrays[4] = lookup[arrays[3]], lookup[arrays[4]]
    return tuple(arrays), start + len(arrays[0])


def _records_to_columns(kind: str, chunk: bytes) -> tuple[Any, ...] | None:
    """In a worker: one chunk of records to columns, or None if anything is wrong."""
    states = state_codes()
    decoded = _decode_chunk(chunk, kind, _shapes(_Event)[kind])
    if isinstance(decoded, msgspec.DecodeError):
        return None
    try:
        arrays = _event_columns(decoded, states, Path("."), 0)
    except SourceError:
        return None
    return (*arrays, tuple(states))


def _event_columns(
    rows: list[_Event], states: dict[str, int], path: Path, start: int
) -> tuple[np.ndarray, ...]:
    count = len(rows)
    stamps, bad = parse_timestamps(list(map(attrgetter("timestamp"), rows)))
    if bad is not None:
        raise SourceError(
            f"{path}: event record {start + bad + 1}: field 'timestamp' is not an "
            f"ISO time: {rows[bad].timestamp!r}"
        )
    nan = float("nan")
    return (
        np.fromiter(map(attrgetter("id"), rows), np.int64, count),
        np.fromiter(map(attrgetter("job_id"), rows), np.int64, count),
        stamps,
        _codes_of(map(attrgetter("from_state"), rows), states, count),
        _codes_of(map(attrgetter("to_state"), rows), states, count),
        np.fromiter(
            (nan if r.data is None or r.data.num_nodes is None else r.data.num_nodes for r in rows),
            np.float64,
            count,
        ),
    )


def _codes_of(names: Iterator[str], states: dict[str, int], count: int) -> np.ndarray:
    """Codes of state names; a state Balsam does not define gets the next free code."""
    listed = list(names)
    try:
        return np.fromiter(map(states.__getitem__, listed), np.int16, count)
    except KeyError:
        for name in listed:
            states.setdefault(name, len(states))
        return np.fromiter(map(states.__getitem__, listed), np.int16, count)


def read_job_table(path: Path, tag_keys: set[str], progress: ReadProgress = _silent) -> JobTable:
    def read(split_pages: bool) -> list[tuple[Any, ...]]:
        meter = _Meter(progress)
        decoded = _decoded(
            file_chunks(path, "jobs", meter.read_share, split_pages),
            path,
            "jobs",
            _Job,
            lambda records: columns.jobs_from_records(records, path, tag_keys),
        )
        return meter.count(_job_columns(rows, tag_keys) for rows, _ in decoded)

    parts = _split_or_whole(read)
    tags = {
        key: np.concatenate([p[4][key] for p in parts]) if parts else np.empty(0, dtype=object)
        for key in tag_keys
    }
    return JobTable(
        id=_join(parts, 0, np.int64),
        num_nodes=_join(parts, 1, np.float64),
        node_packing_count=_join(parts, 2, np.float64),
        batch_job_id=_join(parts, 3, np.int64),
        tag_values=tags,
    )


def _job_columns(rows: list[_Job], tag_keys: set[str]) -> tuple[Any, ...]:
    tags = {}
    for key in tag_keys:
        column = np.empty(len(rows), dtype=object)
        column[:] = [None if r.tags is None else r.tags.get(key) for r in rows]
        tags[key] = column
    return (
        np.fromiter((r.id for r in rows), np.int64, len(rows)),
        np.fromiter((r.num_nodes for r in rows), np.float64, len(rows)),
        np.fromiter((r.node_packing_count or 1.0 for r in rows), np.float64, len(rows)),
        np.fromiter(
            (NO_ID if r.batch_job_id is None else r.batch_job_id for r in rows), np.int64, len(rows)
        ),
        tags,
    )


def _join(parts: list[tuple[Any, ...]], index: int, dtype: type[Any]) -> Any:
    if not parts:
        return np.empty(0, dtype=dtype)
    return np.concatenate([p[index] for p in parts]).astype(dtype, copy=False)


@functools.cache
def _shapes(
    row: type[T],
) -> dict[str, list[tuple[msgspec.json.Decoder[Any], Callable[[Any], list[T]]]]]:
    """The file shapes a chunk may have, each with how to get its rows (built once per row
    type and process: a worker decodes hundreds of chunks)."""
    page: Any = _page_type(row)

    def rows_of_pages(pages: list[Any]) -> list[T]:
        return [r for p in pages for r in p.results]

    return {
        "lines": [(msgspec.json.Decoder(row), list), (msgspec.json.Decoder(page), rows_of_pages)],
        "records": [(msgspec.json.Decoder(list[row]), list)],  # type: ignore[valid-type]
        "document": [
            (msgspec.json.Decoder(page), lambda document: document.results),
            (msgspec.json.Decoder(list[row]), list),  # type: ignore[valid-type]
            (msgspec.json.Decoder(list[page]), rows_of_pages),
            (msgspec.json.Decoder(row), lambda record: [record]),
        ],
    }


def _decoded(
    chunks: Iterator[Chunk],
    path: Path,
    what: str,
    row: type[T],
    precise: Callable[[list[Any]], object],
    start: int = 0,
) -> Iterator[tuple[list[T], int]]:
    """Chunks of decoded rows with the position of their first record in the file.

    On a decode error the chunk is read again record by record with `precise`, which raises
    the exact error; if it finds nothing wrong, msgspec's own message is reported.
    """
    shapes = _shapes(row)  # type: ignore[arg-type]  # (a type is hashable; mypy cannot tell)
    for kind, chunk in chunks:
        rows = _decode_chunk(chunk, kind, shapes[kind])
        if isinstance(rows, msgspec.DecodeError) and kind == "records":
            raise NotRecordBoundaries
        if isinstance(rows, msgspec.DecodeError):
            _explain(path, what, chunk, start, precise, rows)
        assert isinstance(rows, list)
        yield rows, start
        start += len(rows)


def _decode_chunk(
    chunk: bytes,
    kind: str,
    shapes: list[tuple[msgspec.json.Decoder[Any], Callable[[Any], list[T]]]],
) -> list[T] | msgspec.DecodeError:
    """The first shape that decodes the chunk, else the first shape's error."""
    first_error: msgspec.DecodeError | None = None
    for decoder, rows_of in shapes:
        try:
            decoded = decoder.decode_lines(chunk) if kind == "lines" else decoder.decode(chunk)
        except msgspec.DecodeError as exc:
            first_error = first_error or exc
            continue
        return rows_of(decoded)
    assert first_error is not None
    return first_error


def _explain(
    path: Path,
    what: str,
    chunk: bytes,
    start: int,
    precise: Callable[[list[Any]], object],
    exc: msgspec.DecodeError,
) -> NoReturn:
    try:
        records: list[Any] | None = records_from_text(chunk.decode("utf-8", "replace"), path)
    except SourceError:
        records = None
    if records is not None:
        try:
            precise(records)
        except SourceError as error:
            raise SourceError(_shift(str(error), start)) from None
    raise SourceError(f"{path}: {what}: {exc}") from None


def _shift(message: str, start: int) -> str:
    """Renumber 'record N' in a chunk-relative message to the record's place in the file."""
    head, found, tail = message.partition(" record ")
    number, _, rest = tail.partition(":")
    if not found or not number.isdigit():
        return message
    return f"{head} record {int(number) + start}:{rest}"
