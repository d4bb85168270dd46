"""Read saved Balsam API responses: a `{count, results}` page, a list of pages, a list of
records, or JSON Lines of records or pages; gzip is detected by its magic bytes."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reportgen.errors import SourceError

Record = dict[str, Any]


def read_records(path: Path, what: str) -> list[Record]:
    """Every record in the file, in file order; a clear SourceError if it can't be read."""
    return records_from_text(_read_text(path, what), path)


def records_from_text(text: str, path: Path) -> list[Record]:
    """The records of saved API text in any of the shapes above (`path` names it in errors)."""
    stripped = text.lstrip()
    if not stripped:
        return []
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if stripped.startswith(("{", "[")) and "\n" in stripped.rstrip():
            return list(_json_lines(text, path))
        raise SourceError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    return list(_unwrap(document, path))


def _read_text(path: Path, what: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise SourceError(f"{path}: {what} file not found (source.files in the spec)") from exc
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the {what} file: {exc.strerror}") from exc
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise SourceError(f"{path}: damaged gzip data: {exc}") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: not UTF-8 text (byte {exc.start})") from exc


def _unwrap(document: Any, path: Path) -> Iterator[Record]:
    if isinstance(document, dict) and "results" in document:
        yield from _page_results(document, path, "the page")
    elif isinstance(document, list):
        for index, item in enumerate(document):
            if isinstance(item, dict) and "results" in item and "count" in item:
                yield from _page_results(item, path, f"page {index + 1}")
            else:
                yield item
    elif isinstance(document, dict):
        yield document  # JSON Lines with a single record
    else:
        raise SourceError(
            f"{path}: expected a {{count, results}} page, a list of pages or records, "
            f"or JSON Lines; got {type(document).__name__}"
        )


def _page_results(page: dict[str, Any], path: Path, where: str) -> list[Any]:
    results = page["results"]
    if not isinstance(results, list):
        raise SourceError(f"{path}: {where}: 'results' is not a list")
    return results


def _json_lines(text: str, path: Path) -> Iterator[Record]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SourceError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
        yield from _unwrap(item, path) if isinstance(item, dict) and "results" in item else [item]
