"""Saved API files as chunks of whole records, read a few megabytes at a time.

JSON Lines are cut at line breaks, the records of an API page after a `},{` (see
`_page_chunks`), a list of API pages into its pages as they are read (`_listed_pages`);
any other document comes whole. gzip is detected by its magic bytes.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import zlib
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Protocol

import msgspec

from reportgen.errors import SourceError
from reportgen.limits import MAX_INPUT_BYTES
from reportgen.source.files import InputGuard, decompressed, open_input

BOM = "\ufeff".encode()
"""A UTF-8 byte order mark, which some editors write first: it is not part of the JSON."""
CHUNK_BYTES = 4 << 20
"""Small enough that two workers overlap well with decompression (measured: 4 MB best)."""
Chunk = tuple[str, bytes]
"""("lines" | "records" | "page" | "document", the bytes)"""


def file_chunks(
    path: Path,
    what: str,
    on_read: Callable[[float], None],
    split_pages: bool,
    on_count: Callable[[object], None] = lambda count: None,
    max_bytes: int = MAX_INPUT_BYTES,
) -> Iterator[Chunk]:
    """("lines", bytes ending at a line break), ("records", a JSON list of some of a page's
    records) or ("document", a whole JSON document). `on_read` gets the share of the file
    read so far, after each read; a page that cannot be cut raises NotRecordBoundaries; the
    `count` of a page cut into "records" (None if it has none) goes to `on_count`; more than
    `max_bytes` decompressed is an error (`InputGuard`)."""
    raw = open_input(path, what)
    size = max(1, os.fstat(raw.fileno()).st_size)
    with raw, decompressed(raw) as unmetered:
        stream = _Metered(
            unmetered, lambda: on_read(raw.tell() / size), InputGuard(path, max_bytes)
        )
        try:
            first = stream.read(CHUNK_BYTES).removeprefix(BOM)
            kind = _kind(first)
            header = _PAGE_HEADER.match(first) if split_pages else None
            if kind == "document" and header:
                yield from _page_chunks(first[header.end() :], stream, header[0], on_count)
                return
            if kind == "document" and split_pages and _LIST_OF_PAGES.match(first):
                yield from _listed_pages(first, stream)
                return
            if kind == "document":
                yield kind, b"".join([first, *iter(partial(stream.read, CHUNK_BYTES), b"")])
                return
            pending = [first]
            while True:
                more = stream.read(CHUNK_BYTES)
                if not more:
                    yield kind, b"".join(pending)
                    return
                cut = more.rfind(b"\n") + 1
                if cut:
                    yield kind, b"".join([*pending, more[:cut]])
                    pending = [more[cut:]]
                else:
                    pending.append(more)
        except (OSError, EOFError, zlib.error) as exc:
            raise SourceError(f"{path}: damaged gzip data: {exc}") from None


def _listed_pages(first: bytes, stream: _Readable) -> Iterator[Chunk]:
    """("page", one `{count, results}` page) per page of a list of API pages, each as soon
    as it has been read, so that the pages decode on several cores while the rest is read
    (10^6 events: ten pages of 100,000).

    A page is cut where the next one starts: a `}` then `,` then a page header (`{`, scalar
    keys, `"results": [`). Such text could also sit inside a string, but then the piece
    before it is not one JSON value: its decode fails and `Reader` raises
    `NotRecordBoundaries` (the file is read again as one document), so pages that all decode
    prove every cut right. Anything after the last page but `]` raises it too.
    """
    pending = bytearray(first[_LIST_START.match(first).end() :])  # type: ignore[union-attr]
    searched = 0
    while True:
        more = stream.read(CHUNK_BYTES)
        pending += more
        start = 0
        while (cut := _next_page(pending, start, searched)) is not None:
            end, next_start = cut
            yield "page", bytes(pending[start:end])
            start = next_start
        del pending[:start]
        searched = max(0, len(pending) - len(_RESULTS_KEY))  # a key may straddle two reads
        if not more:
            break
    tail = _LIST_TAIL.search(pending)
    if tail is None:
        raise NotRecordBoundaries
    yield "page", bytes(pending[: tail.start()])


def _next_page(text: bytearray, page: int, searched: int) -> tuple[int, int] | None:
    """The end of the page starting at `page` and the start of the next (`}` `,` header),
    from the first `"results"` key after both that is another page header's; else None
    (`searched`: where the last search ended)."""
    position = max(page + 1, searched)
    while (key := text.find(_RESULTS_KEY, position)) >= 0:
        position = key + 1
        brace = key
        low = max(page + 1, key - _TAIL_SEARCH_BYTES)
        while (brace := text.rfind(b"{", low, brace)) >= 0:
            header = _PAGE_HEADER.match(text, brace)
            if header is not None and header.end() > key:
                comma = _skip_back(text, brace)
                if comma >= 0 and text[comma] == ord(","):
                    close = _skip_back(text, comma)
                    if close >= 0 and text[close] == ord("}"):
                        return close + 1, brace
                break
    return None


def _skip_back(text: bytearray, position: int) -> int:
    """The place of the last byte before `position` that is not JSON whitespace (or -1)."""
    position -= 1
    while position >= 0 and text[position] in b" \t\r\n":
        position -= 1
    return position


def _kind(head: bytes) -> str:
    """JSON Lines if the first line is a whole record, else one JSON document."""
    text = head.lstrip()
    first_line = text.split(b"\n", 1)[0].strip()
    if text.startswith(b"{") and first_line.endswith(b"}") and b"\n" in text.rstrip():
        try:
            msgspec.json.decode(first_line)
        except msgspec.DecodeError:
            return "document"
        return "lines"
    return "document"


_PAGE_HEADER = re.compile(
    rb'\s*\{(?:\s*"\w+"\s*:\s*(?:-?\d+|null|"[^"\\]*")\s*,)*\s*"results"\s*:\s*\['
)
"""The start of a page up to its results: only scalars come before them, so the key is the
page's own and not one inside a record (Balsam writes `{"count":N,"results":[`)."""
_LIST_START = re.compile(rb"\s*\[")
_LIST_OF_PAGES = re.compile(_LIST_START.pattern + _PAGE_HEADER.pattern)
_LIST_TAIL = re.compile(rb"\s*\]\s*\Z")
_RESULTS_KEY = b'"results"'
_PAGE_TAIL = re.compile(rb'\s*\](?:\s*,\s*"\w+"\s*:\s*(?:-?\d+|null|"[^"\\]*"))*\s*\}\s*\Z')
"""What may follow the last record: the end of the results and scalar keys such as count."""
_TAIL_SEARCH_BYTES = 256
_SCALAR_KEY = re.compile(rb'"(\w+)"\s*:\s*(-?\d+|null|"[^"\\]*")')


def _declared_count(*scalars: bytes) -> object:
    """The `count` among a page's scalar keys (the header's, then the tail's), else None:
    as JSON reads it, so a count that is text is refused by `check_page_counts`."""
    count: object = None
    for text in scalars:
        for key, value in _SCALAR_KEY.findall(text):
            if key == b"count":
                count = json.loads(value)
    return count


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class _Metered:
    """A stream that calls `after_read` after each read (to update the share read), its
    bytes checked by an `InputGuard` (never read whole: `size` is a few megabytes)."""

    def __init__(self, stream: _Readable, after_read: Callable[[], None], guard: InputGuard):
        self.stream, self.after_read, self.guard = stream, after_read, guard

    def read(self, size: int, /) -> bytes:
        data = self.guard.check(self.stream.read(size))
        self.after_read()
        return data


class NotRecordBoundaries(Exception):
    """A page's records were cut where no record ends: read the file as one document."""


def _page_chunks(
    rest: bytes, stream: _Readable, header: bytes, on_count: Callable[[object], None]
) -> Iterator[Chunk]:
    """A page's records as JSON lists of about CHUNK_BYTES, so they stream like JSON Lines.

    Each chunk is cut after the last `},{` in it. That may be inside a string or inside a
    record's `data`, but then the chunk is not a list of whole records: the lexer reaches the
    cut with an open string or bracket. Decoding it fails, `NotRecordBoundaries` is raised
    and the file is read again as one document; a successful decode proves the cut was right.
    """
    pending = rest
    while more := stream.read(CHUNK_BYTES):
        pending += more
        cut = pending.rfind(b"},{") + 1
        if cut:
            yield "records", b"[" + pending[:cut] + b"]"
            pending = pending[cut + 1 :]
        elif len(pending) > 2 * CHUNK_BYTES:  # not written as `},{`: no use splitting
            raise NotRecordBoundaries
    start = max(0, len(pending) - _TAIL_SEARCH_BYTES)
    tail = _PAGE_TAIL.search(pending, start)
    if tail is None:
        raise NotRecordBoundaries
    yield "records", b"[" + pending[: tail.start()] + b"]"
    on_count(_declared_count(header, tail[0]))


def lines_before(path: Path, what: str, chunk_index: int) -> int:
    """How many line breaks the first `chunk_index` chunks of a JSON Lines file hold (read
    again: this is only wanted for an error message)."""
    chunks = file_chunks(path, what, lambda share: None, split_pages=False)
    return sum(chunk.count(b"\n") for _, chunk in itertools.islice(chunks, chunk_index))
