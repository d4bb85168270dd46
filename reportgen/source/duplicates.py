"""Records listed twice: an identical copy is dropped and counted, a conflicting one is an error.

A file that lists every event twice (two saves concatenated, a page saved twice) would
otherwise count every transition twice: throughput 818 where 409 jobs finished. Both readers
end with `drop_duplicates`, on their finished table, so they agree on what is a duplicate and
on the words. "Identical" means equal in every field reportgen reads from the record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from reportgen.errors import SourceError
from reportgen.source.tables import (
    BatchJobTable,
    EventDetails,
    EventTable,
    JobDetails,
    JobTable,
    Mask,
)

Table = TypeVar("Table", EventTable, JobTable, BatchJobTable)

_NOT_COMPARED = {"id", "state_names", "duplicates_dropped", "shortfall"}
_NAMES = {"data_values": "data", "tag_values": "tags"}


Lines = list[int] | None | Callable[[], list[int] | None]
"""Each record's line in a JSON Lines file (None for other files), or how to find them."""


def drop_duplicates(table: Table, path: Path, what: str, lines: Lines = None) -> Table:
    """The table without records that repeat an earlier record's id and content, with their
    number in `duplicates_dropped`; a SourceError naming both records if the content differs
    (with their `lines` in JSON Lines)."""
    ids = table.id
    if ids.size < 2 or bool((ids[1:] > ids[:-1]).all()):  # the usual file: ids ascending
        return table
    order = np.argsort(ids, kind="stable")
    repeats = ids[order[1:]] == ids[order[:-1]]
    if not repeats.any():
        return table
    later, earlier = order[1:][repeats], order[:-1][repeats]  # pairs in one id, file order
    columns = _columns(table)
    differs = np.zeros(later.size, dtype=bool)
    for _, column in columns:
        differs |= ~_same(column[later], column[earlier])
    if differs.any():
        pair = int(np.flatnonzero(differs)[np.argmin(later[differs])])
        first, second = int(earlier[pair]), int(later[pair])
        field = next(name for name, c in columns if not _same(c[[first]], c[[second]])[0])
        numbers = _numbered([first, second], lines() if callable(lines) else lines)
        raise SourceError(
            f"{path}: {what} records {numbers[0]} and {numbers[1]} have the same id "
            f"{int(ids[first])} but different {field}"
        )
    keep: Mask = np.ones(ids.size, dtype=bool)
    keep[later] = False
    return dataclasses.replace(table.take(keep), duplicates_dropped=int(later.size))


def _numbered(indexes: list[int], lines: list[int] | None) -> list[str]:
    """Record numbers, each with its line in JSON Lines: `3 (line 4)`."""
    return [f"{i + 1}" + (f" (line {lines[i]})" if lines else "") for i in indexes]


def _columns(table: EventTable | JobTable | BatchJobTable) -> list[tuple[str, Any]]:
    """(field name, column) of everything read from the records but the id."""
    columns = []
    for field in dataclasses.fields(table):
        value = getattr(table, field.name)
        if field.name in _NOT_COMPARED or value is None:
            continue
        if isinstance(value, EventDetails):  # read only for the kinds that need them
            returncode, odd, error, message = value.dense(len(table))
            columns += [
                ("data.returncode", returncode),
                ("data.returncode", odd),
                ("data.error", error),
                ("data.message", message),
            ]
            continue
        if isinstance(value, JobDetails):  # likewise
            columns += [("tags", value.tags), ("workdir", value.workdir)]
            continue
        if isinstance(value, dict):  # data_values, tag_values: one column per key
            columns += [(f"{_NAMES[field.name]}.{key}", column) for key, column in value.items()]
        elif isinstance(table, EventTable) and field.name == "num_nodes":
            columns.append(("data.num_nodes", value))
        else:
            columns.append((field.name, value))
    return columns


def _same(a: Any, b: Any) -> Mask:
    if a.dtype.kind == "f":
        same: Mask = (a == b) | (np.isnan(a) & np.isnan(b))
        return same
    return np.asarray(a == b, dtype=bool)
