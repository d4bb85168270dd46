"""One API record's fields checked, and the errors that name the record (its file and its
position or line): the checks `columns.py` builds every column with.

The rules are `rules.py`'s; a problem is a `RecordError` until the caller knows where the
record is, then a `SourceError` naming it (`record_error`, `first_error`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from reportgen.errors import SourceError
from reportgen.source.files import Record, record_at
from reportgen.source.rules import id_problem, nodes_problem
from reportgen.source.tables import NO_ID
from reportgen.source.timestamps import parse_timestamps


class RecordError(Exception):
    """A record's field is missing or wrong: the message says which and how."""


def need(record: Record, key: str, kind: type | tuple[type, ...], nullable: bool = False) -> Any:
    """Field `key` of `record`, of type `kind` (never a bool), or None if null and `nullable`."""
    if key not in record:
        raise RecordError(f"missing field {key!r}")
    value = record[key]
    if value is None and nullable:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise RecordError(f"field {key!r} is {value!r}")
    return value


def need_id(record: Record, key: str, nullable: bool = False) -> int:
    """An id field (NO_ID if null and `nullable`)."""
    value = need(record, key, int, nullable)
    if value is None:
        return NO_ID
    problem = id_problem(key, value)
    if problem:
        raise RecordError(problem)
    return int(value)


def node_count(value: Any, field: str, zero: bool = True) -> float:
    """A node or packing count (a number; see `rules.nodes_problem`)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"{field} is {value!r}")
    problem = nodes_problem(field, value, zero)
    if problem:
        raise RecordError(problem)
    return float(value)


def object_field(record: Record, key: str) -> dict[str, Any]:
    """An object field that may be missing or null (then empty)."""
    value = record.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise RecordError(f"field {key!r} is {value!r}")
    return value


class Where:
    """Names records in errors: the file, and for JSON Lines each record's line."""

    def __init__(self, path: Path, records: Iterable[Record]) -> None:
        self.path, self.lines = path, getattr(records, "lines", None)


def record_error(where: Where, what: str, index: int, problem: str) -> SourceError:
    return SourceError(f"{record_at(where.path, what, index, where.lines)}: {problem}")


def _time_problem(times: Mapping[str, Sequence[str | None]], before: int) -> tuple[int, str] | None:
    """The first record before `before` with a field that is not a time, and the problem."""
    found = None
    for field, texts in times.items():
        _, bad = parse_timestamps(texts[:before])
        if bad is not None and (found is None or bad < found[0]):
            found = (bad, f"field {field!r} is not an ISO time: {texts[bad]!r}")
    return found


def first_error(
    where: Where, what: str, index: int, problem: str, times: Mapping[str, Sequence[str | None]]
) -> SourceError:
    """The error of record `index`, or of an earlier record whose time is bad: both readers
    report the first record with a problem."""
    earlier = _time_problem(times, index)
    return record_error(where, what, *(earlier or (index, problem)))


def parsed_times(times: Mapping[str, Sequence[str | None]], where: Where, what: str) -> list[Any]:
    """Each time field parsed; the first record with a bad one is an error."""
    problem = _time_problem(times, len(next(iter(times.values()))))
    if problem:
        raise record_error(where, what, *problem)
    return [parse_timestamps(texts)[0] for texts in times.values()]
