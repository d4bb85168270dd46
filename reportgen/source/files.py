"""Read saved Balsam API responses: a `{count, results}` page, a list of pages, a list of
records, or JSON Lines of records or pages; gzip is detected by its magic bytes."""

from __future__ import annotations

import gzip
import io
import json
import os
import stat
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from reportgen.errors import SourceError
from reportgen.limits import MAX_INPUT_BYTES, STRICT, InputLimits
from reportgen.source.rules import shown

Record = dict[str, Any]
PageCount = tuple[object, int]
"""(the `count` a saved page declares, the number of records it holds)"""
BOM = "\ufeff"
"""A UTF-8 byte order mark, which some editors write first: it is not part of the JSON."""


class Records(list[Record]):
    """Records read from a file; for JSON Lines, `lines` holds each record's line number;
    `shortfall` says how the pages fell short of their counts (read with allow_partial)."""

    lines: list[int] | None = None
    shortfall: str = ""


def record_at(path: Path, what: str, index: int, lines: list[int] | None) -> str:
    """Where record `index` is: `events.json: event record 4`, for JSON Lines with its line:
    `events.jsonl:7: event record 4`."""
    place = f"{path}:{lines[index]}" if lines else str(path)
    return f"{place}: {what} record {index + 1}"


def read_records(path: Path, what: str, limits: InputLimits = STRICT) -> Records:
    """Every record in the file, in file order; a clear SourceError if it can't be read."""
    return records_from_text(_read_text(path, what, limits.max_bytes), path, limits=limits)


def records_from_text(
    text: str,
    path: Path,
    first_line: int = 1,
    check_counts: bool = True,
    limits: InputLimits = STRICT,
) -> Records:
    """The records of saved API text in any of the shapes above (`path` names it in errors,
    whose line numbers count from `first_line`); the pages' counts are checked unless the
    text is a part of a file."""
    text = text.removeprefix(BOM)
    stripped = text.lstrip()
    if not stripped:
        raise SourceError(
            f"{path}: the file is empty (expected a {{count, results}} page, a list of "
            "records or JSON Lines; no records is [])"
        )
    pages: list[PageCount] = []
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if stripped.startswith(("{", "[")) and "\n" in stripped.rstrip():
            lines: list[int] = []
            records = Records(_json_lines(text, path, first_line, pages, lines))
            records.lines = lines
            if check_counts:
                records.shortfall = check_page_counts(path, pages, False, limits.allow_partial)
            return records
        line = exc.lineno + first_line - 1
        raise SourceError(f"{path}: not valid JSON ({exc.msg} at line {line})") from exc
    found = Records(_unwrap(document, path, pages))
    if check_counts:
        whole = isinstance(document, dict)
        found.shortfall = check_page_counts(path, pages, whole, limits.allow_partial)
    return found


SPARSE_AFTER_BYTES = 256 << 20
SPARSE_BYTES_PER_BRACE = 64 << 10
"""Records are objects of a few hundred bytes: past SPARSE_AFTER_BYTES, fewer than one `{`
per SPARSE_BYTES_PER_BRACE bytes is not records (a gzip of 1 GiB of spaces is 1 MB)."""


class InputGuard:
    """Counts what a file decompresses to, and stops it as soon as it cannot be records:
    more than `max_bytes`, or too sparse in `{` (before its bytes fill the memory). The
    braces are counted only while they could be too few: a real file's first chunk holds
    enough for gigabytes."""

    def __init__(self, path: Path, max_bytes: int = MAX_INPUT_BYTES) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.size = 0
        self.braces = 0

    def check(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.braces * SPARSE_BYTES_PER_BRACE < self.size:  # counting costs 0.5 s per GB
            self.braces += data.count(b"{")
        if self.size > self.max_bytes:
            raise SourceError(
                f"{self.path}: decompresses to more than {_size(self.max_bytes)}, the limit "
                "for one input file (--max-input-gb): not a saved API response (a "
                "compression bomb?), or one that needs a higher limit"
            )
        if self.size > SPARSE_AFTER_BYTES and self.braces * SPARSE_BYTES_PER_BRACE < self.size:
            raise SourceError(
                f"{self.path}: decompresses to more than {SPARSE_AFTER_BYTES >> 20} MB with "
                f"fewer than one '{{' per {SPARSE_BYTES_PER_BRACE >> 10} KB (records have one "
                "every few hundred bytes): not a saved API response (a damaged file, or a "
                "compression bomb?)"
            )
        return data


def _size(count: int) -> str:
    """`64 GB`, `1.5 GB`; below a gigabyte in bytes: `1,074 bytes`."""
    return f"{count / (1 << 30):g} GB" if count >= 1 << 30 else f"{count:,} bytes"


NOT_REGULAR = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
    stat.S_IFSOCK: "a socket",
}


def open_input(path: Path, what: str) -> io.BufferedReader:
    """`path` opened for reading if it is a regular file (a link to one will do), else a
    SourceError. Opened without blocking, so a FIFO with no writer is refused, not waited
    on; nothing is read before the check."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise SourceError(f"{path}: {what} file not found (source.files in the spec)") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the {what} file: {exc.strerror}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = NOT_REGULAR.get(stat.S_IFMT(mode), "not a regular file")
        raise SourceError(
            f"{path}: the {what} file is {kind}: expected a regular file (a saved API "
            "response; source.files in the spec)"
        )
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _read_text(path: Path, what: str, max_bytes: int) -> str:
    guard, parts = InputGuard(path, max_bytes), []
    try:
        with open_input(path, what) as raw, decompressed(raw) as stream:
            while part := stream.read(READ_BYTES):
                parts.append(guard.check(part))
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise SourceError(f"{path}: damaged gzip data: {exc}") from exc
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the {what} file: {exc.strerror}") from exc
    data = b"".join(parts)
    del parts
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text (byte {exc.start})") from exc


READ_BYTES = 16 << 20
GZIP_MAGIC = b"\x1f\x8b"
"""How a gzip file starts: gzip is told by these bytes, whatever the file is named."""
GZIP_RATIO = 10
"""A gzip file's size decompressed, estimated: API records compress 10-13 times."""


def decompressed(raw: io.BufferedReader) -> io.BufferedReader | gzip.GzipFile:
    """The file's bytes, decompressed if it starts with gzip's magic bytes."""
    return gzip.open(raw) if raw.peek(2)[:2] == GZIP_MAGIC else raw


def estimated_size(path: Path) -> int:
    """The bytes `path` holds decompressed, estimated without decompressing; 0 if it is not
    a regular file one can read (opened as `open_input` opens it, so a FIFO is not waited
    on; reading it later says what is wrong)."""
    try:
        with open_input(path, "input") as raw:
            gzipped = raw.peek(len(GZIP_MAGIC))[: len(GZIP_MAGIC)] == GZIP_MAGIC
            return os.fstat(raw.fileno()).st_size * (GZIP_RATIO if gzipped else 1)
    except (SourceError, OSError):
        return 0


def _unwrap(document: Any, path: Path, pages: list[PageCount]) -> Iterator[Record]:
    if isinstance(document, dict) and "results" in document:
        yield from _page_results(document, path, "the page", pages)
    elif isinstance(document, list):
        for index, item in enumerate(document):
            if isinstance(item, dict) and "results" in item and "count" in item:
                yield from _page_results(item, path, f"page {index + 1}", pages)
            else:
                yield item
    elif isinstance(document, dict):
        yield document  # JSON Lines with a single record
    else:
        raise SourceError(
            f"{path}: expected a {{count, results}} page, a list of pages or records, "
            f"or JSON Lines; got {type(document).__name__}"
        )


def _page_results(
    page: dict[str, Any], path: Path, where: str, pages: list[PageCount]
) -> list[Any]:
    results = page["results"]
    if not isinstance(results, list):
        raise SourceError(f"{path}: {where}: 'results' is not a list")
    check_count_type(path, where, page.get("count"))
    pages.append((page.get("count"), len(results)))
    return results


def check_count_type(path: Path, where: str, count: object) -> None:
    """A page's `count` is an integer, or null or absent (a tool may omit it: then nothing
    is checked); anything else ("9", 3.5, true) would skip the check without a word."""
    if count is not None and (isinstance(count, bool) or not isinstance(count, int)):
        raise SourceError(
            f"{path}: {where}: 'count' is {shown(count)}: expected the number of records "
            "(an integer) or null"
        )


def _json_lines(
    text: str, path: Path, first_line: int, pages: list[PageCount], lines: list[int]
) -> Iterator[Record]:
    """The records of each line (`lines` gets the line number of each record)."""
    for number, line in enumerate(text.splitlines(), start=first_line):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        if isinstance(item, dict) and "results" in item:
            results = _page_results(item, path, f"the page on line {number}", pages)
            lines += [number] * len(results)
            yield from results
        else:
            lines.append(number)
            yield item


PARTIAL = "a partial save? Save every page of the query, or all its records as one list"


def check_page_counts(
    path: Path, pages: Sequence[PageCount], whole: bool, allow_partial: bool = False
) -> str:
    """Each saved page's `count` against the records it holds; `whole` if the file is one
    page. Balsam's count is the query's total, the same on every page; a page saved on its
    own, or by a tool that counts each page, holds exactly its count. Both are accepted.
    Fewer records than counted is a SourceError, or with `allow_partial` the warning
    returned (else ""); more is always an error: the file is not what the server sent. A
    count that is not an integer or null is an error too."""
    for number, (count, _) in enumerate(pages, 1):
        check_count_type(path, "the page" if whole else f"page {number}", count)
    counted = [(c, held) for c, held in pages if isinstance(c, int) and not isinstance(c, bool)]
    total = sum(held for _, held in pages)
    if all(c == held for c, held in counted) or all(c == total for c, _ in counted):
        return ""
    if whole or len({c for c, _ in counted}) == 1:
        count = counted[0][0]
        where = "the page holds" if whole else f"the {len(pages)} pages hold"
        says = "its count says" if whole else "their count says"
        return _shortfall(path, where, total, count, says, allow_partial)
    number, (count, held) = next(
        (i, p) for i, p in enumerate(pages, 1) if p in counted and p[0] != p[1]
    )
    return _shortfall(path, f"page {number} holds", held, count, "its count says", allow_partial)


def _shortfall(
    path: Path, where: str, held: int, count: int, says: str, allow_partial: bool
) -> str:
    """The warning for a partial save if it is allowed (the page names the file); else the
    error."""
    if held > count:
        raise SourceError(
            f"{path}: {where} {held:,} records, more than the {count:,} {says}: is it damaged?"
        )
    found = f"{where} {held:,} of the {count:,} records {says}"
    if not allow_partial:
        raise SourceError(
            f"{path}: {found}: {PARTIAL} (--allow-partial builds it anyway, with a warning)"
        )
    return (
        f"{found}: built anyway (--allow-partial), so every number of this report misses "
        f"the {count - held:,} records that were not saved"
    )
