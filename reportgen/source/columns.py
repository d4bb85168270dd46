"""Turn API records into columnar tables, checking every record as it goes.

A malformed record is an error naming the file and the record's position: a silently
skipped event would make a chart wrong without anyone noticing. The rules are those of
`rules.py`, which the msgspec reader (`fast.py`) declares too; a chunk it rejects is read
again here, so the two readers accept the same records and word errors the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from reportgen.source.duplicates import drop_duplicates
from reportgen.source.fieldchecks import (
    RecordError,
    Where,
    first_error,
    need,
    need_id,
    node_count,
    object_field,
    parsed_times,
    record_error,
)
from reportgen.source.files import Record
from reportgen.source.rules import (
    MAX_ID,
    MAX_NODES,
    MAX_WALL_MINUTES,
    MIN_ID,
    returncode_value,
)
from reportgen.source.tables import (
    DETAILED_STATE,
    NO_WALL_TIME,
    BatchJobTable,
    EventDetails,
    EventTable,
    JobDetails,
    JobTable,
    column_types,
)
from reportgen.states import state_codes

_NAN = float("nan")
_EMPTY: dict[str, Any] = {}


class _EventColumns:
    """EventTable's first six columns as lists, and each event's `data`, filled one event
    at a time by field name."""

    def __init__(self) -> None:
        self.id: list[int] = []
        self.job_id: list[int] = []
        self.timestamp: list[str] = []
        self.from_state: list[int] = []
        self.to_state: list[int] = []
        self.num_nodes: list[float] = []
        self.data: list[dict[str, Any]] = []

    def add(
        self,
        id: int,
        job_id: int,
        timestamp: str,
        from_state: int,
        to_state: int,
        num_nodes: float,
        data: dict[str, Any],
    ) -> None:
        self.id.append(id)
        self.job_id.append(job_id)
        self.timestamp.append(timestamp)
        self.from_state.append(from_state)
        self.to_state.append(to_state)
        self.num_nodes.append(num_nodes)
        self.data.append(data)


def _checked_event(record: Any, states: dict[str, int]) -> dict[str, Any]:
    """One event's `_EventColumns.add` arguments, checked field by field (in the order the
    errors name them)."""
    if not isinstance(record, dict):
        raise RecordError(f"expected an object; got {type(record).__name__}")
    event = {
        "id": need_id(record, "id"),
        "job_id": need_id(record, "job_id"),
        "timestamp": need(record, "timestamp", str),
        "from_state": states.setdefault(need(record, "from_state", str), len(states)),
        "to_state": states.setdefault(need(record, "to_state", str), len(states)),
    }
    data = object_field(record, "data")
    weight = data.get("num_nodes")
    num_nodes = _NAN if weight is None else node_count(weight, "data.num_nodes")
    return event | {"num_nodes": num_nodes, "data": data}


def _add_quick_event(record: Any, states: dict[str, int], columns: _EventColumns) -> bool:
    """Add an event that is right, with no call per field; False (nothing added) if
    anything is not as expected: then `_checked_event` says what."""
    if type(record) is not dict:
        return False
    key, job, stamp = record.get("id"), record.get("job_id"), record.get("timestamp")
    old, new, data = record.get("from_state"), record.get("to_state"), record.get("data")
    if not (type(key) is int and type(job) is int and MIN_ID <= key <= MAX_ID):
        return False
    if not (MIN_ID <= job <= MAX_ID and type(stamp) is str and type(old) is str):
        return False
    if type(new) is not str or (data is not None and type(data) is not dict):
        return False
    weight = data.get("num_nodes") if data else None
    if weight is None:
        weight = _NAN
    elif type(weight) not in (int, float) or not 0 <= weight <= MAX_NODES:
        return False
    from_code, to_code = states.get(old), states.get(new)
    if from_code is None or to_code is None:
        return False
    columns.add(
        id=key,
        job_id=job,
        timestamp=stamp,
        from_state=from_code,
        to_state=to_code,
        num_nodes=float(weight),
        data=data or _EMPTY,
    )
    return True


def event_details(
    positions: list[int], returncodes: list[Any], errors: list[Any], messages: list[Any]
) -> EventDetails:
    """The details of the events at `positions` (those leaving DETAILED_STATE) from their
    raw `data.returncode`, `data.error` and `data.message` (None when absent): both readers
    end here, so they agree."""
    returncode = np.full(len(returncodes), np.nan)
    odd = np.zeros(len(returncodes), dtype=bool)
    for index, value in enumerate(returncodes):
        if value is not None:  # (most events have none: no call for them)
            returncode[index], odd[index] = returncode_value(value)
    return EventDetails(
        position=np.array(positions, dtype=np.int64),
        returncode=returncode,
        odd_returncode=odd,
        error=_texts(errors),
        message=_texts(messages),
    )


def _texts(values: list[Any]) -> Any:
    """Each value if a string, else None (JSON has no other text)."""
    return _object_array([value if isinstance(value, str) else None for value in values])


def events_from_records(
    records: Iterable[Record], path: Path, data_keys: set[str], details: bool = False
) -> EventTable:
    """The events table; with `details`, the return codes and messages too."""
    states: dict[str, int] = state_codes()
    columns = _EventColumns()
    where = Where(path, records)
    for index, record in enumerate(records):
        if not _add_quick_event(record, states, columns):
            try:
                columns.add(**_checked_event(record, states))
            except RecordError as exc:
                stamps = {"timestamp": columns.timestamp}
                raise first_error(where, "event", index, str(exc), stamps) from None
    (timestamp,) = parsed_times({"timestamp": columns.timestamp}, where, "event")
    table = EventTable(
        id=np.array(columns.id, dtype=np.int64),
        job_id=np.array(columns.job_id, dtype=np.int64),
        timestamp=timestamp,
        from_state=np.array(columns.from_state, dtype=np.int16),
        to_state=np.array(columns.to_state, dtype=np.int16),
        num_nodes=np.array(columns.num_nodes, dtype=np.float64),
        state_names=tuple(states),
        data_values={key: _texts([data.get(key) for data in columns.data]) for key in data_keys},
        details=_details_of(columns, states[DETAILED_STATE]) if details else None,
    )
    return drop_duplicates(table, path, "event", where.lines)


def _details_of(columns: _EventColumns, detailed_code: int) -> EventDetails:
    """The details of the events leaving DETAILED_STATE (`detailed_code`)."""
    positions = [i for i, code in enumerate(columns.from_state) if code == detailed_code]
    datas = [columns.data[i] for i in positions]
    return event_details(
        positions,
        [d.get("returncode") for d in datas],
        [d.get("error") for d in datas],
        [d.get("message") for d in datas],
    )


def _job_row(record: Any, details: bool = False) -> dict[str, Any]:
    """One job's JobTable columns by name, with its `tags` and `workdir`; the workdir is
    checked only with `details` (else None)."""
    if not isinstance(record, dict):
        raise RecordError(f"expected an object; got {type(record).__name__}")
    job_id = need_id(record, "id")
    nodes = node_count(need(record, "num_nodes", (int, float)), "field 'num_nodes'")
    packing = record.get("node_packing_count")
    packing = 1.0 if packing is None else node_count(packing, "field 'node_packing_count'", False)
    batch_job_id = need_id(record, "batch_job_id", nullable=True)
    tags = object_field(record, "tags")
    if not all(isinstance(value, str) for value in tags.values()):
        raise RecordError(f"field 'tags' is {tags!r}: expected string values")
    workdir = None
    if details:
        workdir = record.get("workdir")
        if workdir is not None and not isinstance(workdir, str):
            raise RecordError(f"field 'workdir' is {workdir!r}")
    return {
        "id": job_id,
        "num_nodes": nodes,
        "node_packing_count": packing,
        "batch_job_id": batch_job_id,
        "tags": tags,
        "workdir": workdir,
    }


def tags_text(tags: Mapping[str, str] | None) -> str:
    """A job's tags as the job table shows them: `k=v`, sorted by key, joined by spaces."""
    return " ".join(f"{key}={tags[key]}" for key in sorted(tags)) if tags else ""


def job_details(tags: list[Mapping[str, str] | None], workdirs: list[str | None]) -> JobDetails:
    """The details columns from each job's tags and workdir (None when absent): both readers
    end here, so they agree."""
    return JobDetails(
        tags=_object_array([tags_text(t) for t in tags]),
        workdir=_object_array(["" if w is None else w for w in workdirs]),
    )


def jobs_from_records(
    records: Iterable[Record], path: Path, tag_keys: set[str], details: bool = False
) -> JobTable:
    """The jobs table; with `details`, every job's tags and workdir too."""
    rows: list[dict[str, Any]] = []
    where = Where(path, records)
    for index, record in enumerate(records):
        try:
            rows.append(_job_row(record, details))
        except RecordError as exc:
            raise record_error(where, "job", index, str(exc)) from None
    arrays: dict[str, Any] = {
        name: np.array([row[name] for row in rows], dtype)
        for name, dtype in column_types(JobTable).items()
    }
    tags = [row["tags"] for row in rows]
    table = JobTable(
        **arrays,
        tag_values={key: _object_array([t.get(key) for t in tags]) for key in tag_keys},
        details=job_details(tags, [row["workdir"] for row in rows]) if details else None,
    )
    return drop_duplicates(table, path, "job", where.lines)


def _batch_job_row(record: Any) -> dict[str, Any]:
    """The BatchJobTable columns of one batch job, by name (times as text), checked in the
    order of its fields. Fields Balsam added later (wall_time_min, job_mode, project,
    status_info) may be absent or null."""
    if not isinstance(record, dict):
        raise RecordError(f"expected an object; got {type(record).__name__}")
    return {
        "id": need_id(record, "id"),
        "site_id": need_id(record, "site_id"),
        "scheduler_id": need_id(record, "scheduler_id", nullable=True),
        "num_nodes": int(node_count(need(record, "num_nodes", int), "field 'num_nodes'")),
        "start_time": need(record, "start_time", str, nullable=True),
        "end_time": need(record, "end_time", str, nullable=True),
        "state": need(record, "state", str),
        "queue": str(record.get("queue") or ""),
        "filter_tags": _text_map(record, "filter_tags"),
        "wall_time_min": _wall_time(record),
        "job_mode": str(record.get("job_mode") or ""),
        "project": str(record.get("project") or ""),
        "status_info": _text_map(record, "status_info"),
    }


def _text_map(record: Record, key: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in object_field(record, key).items()}


def _wall_time(record: Record) -> int:
    """The requested minutes, or NO_WALL_TIME when absent or null."""
    value = record.get("wall_time_min")
    if value is None:
        return NO_WALL_TIME
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_WALL_MINUTES:
        raise RecordError(f"field 'wall_time_min' is {value!r}")
    return value


_BATCH_JOB_TIMES = ("start_time", "end_time")


def batch_jobs_from_records(records: Iterable[Record], path: Path) -> BatchJobTable:
    rows: list[dict[str, Any]] = []
    where = Where(path, records)
    for index, record in enumerate(records):
        try:
            rows.append(_batch_job_row(record))
        except RecordError as exc:
            so_far = {name: [r[name] for r in rows] for name in _BATCH_JOB_TIMES}
            raise first_error(where, "batch job", index, str(exc), so_far) from None
    dtypes = column_types(BatchJobTable)
    values = {name: [r[name] for r in rows] for name in dtypes}
    times = parsed_times({name: values[name] for name in _BATCH_JOB_TIMES}, where, "batch job")
    arrays: dict[str, Any] = {
        name: _object_array(values[name]) if dtype is object else np.array(values[name], dtype)
        for name, dtype in dtypes.items()
        if name not in _BATCH_JOB_TIMES
    }
    table = BatchJobTable(**arrays | dict(zip(_BATCH_JOB_TIMES, times, strict=True)))
    return drop_duplicates(table, path, "batch job", where.lines)


def _object_array(values: list[Any]) -> Any:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array
