"""msgspec decoding of file chunks into rows, and the way back to the plain reader.

A chunk is decoded with the first of its kind's shapes that fits. A chunk msgspec rejects,
or whose rows fail a vectorised check, is read again by the plain reader (`columns.py`),
which raises the error naming the exact record: the two readers word every error alike.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple, NoReturn

import msgspec

from reportgen.errors import SourceError
from reportgen.source.chunks import Chunk, NotRecordBoundaries, lines_before
from reportgen.source.files import PageCount, check_page_counts, records_from_text


class Decoded(NamedTuple):
    """A chunk's decoded records and the pages they came in."""

    records: list[Any]
    pages: list[PageCount]
    """The (count, records held) of each page in the chunk."""
    whole: bool
    """Whether the chunk is one whole page (the file is one `{count, results}` document)."""


Shape = tuple[msgspec.json.Decoder[Any], Callable[[Any], Decoded]]


class Recheck(Exception):
    """A chunk's rows failed a vectorised check: the plain reader names the record."""


def page_type(row: type[Any]) -> type[Any]:
    """A `{count, results}` page of `row`s (count: an integer or null, checked against the
    rows later; anything else fails the decode, and the plain reader words the error)."""
    fields: list[Any] = [("results", list[row]), ("count", int | None, None)]  # type: ignore[valid-type]
    return msgspec.defstruct(f"{row.__name__}Page", fields)


def _rows_of_pages(pages: list[Any], whole: bool = False) -> Decoded:
    rows = [r for p in pages for r in p.results]
    return Decoded(rows, [(p.count, len(p.results)) for p in pages], whole)


def _rows(rows: list[Any]) -> Decoded:
    return Decoded(rows, [], False)


@functools.cache
def shapes(row: type[Any]) -> dict[str, list[Shape]]:
    """The file shapes a chunk may have, each with how to get its rows (built once per row
    type and process: a worker decodes hundreds of chunks)."""
    page: Any = page_type(row)
    return {
        "lines": [(msgspec.json.Decoder(row), _rows), (msgspec.json.Decoder(page), _rows_of_pages)],
        "records": [(msgspec.json.Decoder(list[row]), _rows)],  # type: ignore[valid-type]
        "page": [(msgspec.json.Decoder(page), lambda one: _rows_of_pages([one]))],
        "document": [
            (msgspec.json.Decoder(page), lambda document: _rows_of_pages([document], True)),
            (msgspec.json.Decoder(list[row]), _rows),  # type: ignore[valid-type]
            (msgspec.json.Decoder(list[page]), _rows_of_pages),
            (msgspec.json.Decoder(row), lambda record: _rows([record])),
        ],
    }


def decode_chunk(chunk: bytes, kind: str, row: type[Any]) -> Decoded | msgspec.DecodeError:
    """The first shape that decodes the chunk, else the first shape's error."""
    first_error: msgspec.DecodeError | None = None
    for decoder, rows_of in shapes(row)[kind]:  # type: ignore[arg-type]  # (a type is hashable)
        try:
            decoded = decoder.decode_lines(chunk) if kind == "lines" else decoder.decode(chunk)
        except msgspec.DecodeError as exc:
            first_error = first_error or exc
            continue
        return rows_of(decoded)
    assert first_error is not None
    return first_error


class Reader:
    """Decodes the chunks of one file into parts (`columns(rows, start)`), keeping each
    page's count; `precise` is the plain reader, for errors."""

    def __init__(
        self,
        path: Path,
        what: str,
        row: type[Any],
        columns: Callable[[list[Any], int], Any],
        precise: Callable[[list[Any]], object],
    ) -> None:
        self.path, self.what, self.row = path, what, row
        self.columns, self.precise = columns, precise
        self.pages: list[PageCount] = []
        self.whole = False
        self.records = 0
        self.chunks = 0

    def parts(self, chunks: Iterator[Chunk]) -> Iterator[Any]:
        for kind, chunk in chunks:
            yield self.part(kind, chunk, decode_chunk(chunk, kind, self.row))

    def part(self, kind: str, chunk: bytes, rows: Decoded | msgspec.DecodeError) -> Any:
        """The chunk's part (from its decoded `rows`), or the plain reader's error."""
        if isinstance(rows, msgspec.DecodeError) and _miscut(kind, chunk):
            raise NotRecordBoundaries
        try:
            if isinstance(rows, msgspec.DecodeError):
                raise Recheck
            part = self.columns(rows.records, self.records)
        except Recheck:
            self.explain(kind, chunk, rows)
        self.add(len(rows.records), rows.pages, rows.whole)
        return part

    def add(self, records: int, pages: list[PageCount], whole: bool) -> None:
        """Count a chunk's records and keep its pages' counts."""
        self.pages += pages
        self.whole = whole
        self.records += records
        self.chunks += 1

    def check_counts(self, declared: list[object], allow_partial: bool) -> str:
        """The pages' counts against the records read (see `check_page_counts`);
        `declared` holds the count of a page cut into chunks (see `file_chunks`)."""
        if declared:
            pages = [(declared[0], self.records)]
            return check_page_counts(self.path, pages, True, allow_partial)
        return check_page_counts(self.path, self.pages, self.whole, allow_partial)

    def explain(self, kind: str, chunk: bytes, rows: Decoded | msgspec.DecodeError) -> NoReturn:
        """Raise the plain reader's error for this chunk (msgspec's if it finds none)."""
        first_line = 1
        if kind == "lines":
            first_line += lines_before(self.path, self.what, self.chunks)
        text = chunk.decode("utf-8", "replace")
        try:
            self.precise(records_from_text(text, self.path, first_line, check_counts=False))
        except SourceError as error:
            message = _shift(str(error), self.records)
            if kind == "page":  # one page of a list: named by its place, as the plain reader does
                message = message.replace(
                    f"{self.path}: the page:", f"{self.path}: page {len(self.pages) + 1}:", 1
                )
            raise SourceError(message) from None
        problem = rows if isinstance(rows, msgspec.DecodeError) else "a record is wrong"
        raise SourceError(f"{self.path}: {self.what}: {problem}") from None


def _miscut(kind: str, chunk: bytes) -> bool:
    """A chunk that failed to decode was cut where no record (or page) ends: a "records"
    chunk always may be, a "page" of a list when it is not even JSON (see `_listed_pages`)."""
    if kind != "page":
        return kind == "records"
    try:
        msgspec.json.decode(chunk)
    except msgspec.DecodeError:
        return True
    return False


def _shift(message: str, start: int) -> str:
    """Renumber 'record N' in a chunk-relative message to the record's place in the file."""
    head, found, tail = message.partition(" record ")
    number, _, rest = tail.partition(":")
    if not found or not number.isdigit():
        return message
    return f"{head} record {int(number) + start}:{rest}"
