"""Turn API records into columnar tables, checking every record as it goes.

A malformed record is an error naming the file and the record's position: a silently
skipped event would make a chart wrong without anyone noticing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from reportgen.errors import SourceError
from reportgen.source.files import Record
from reportgen.source.tables import NO_ID, BatchJobTable, EventTable, JobTable
from reportgen.source.timestamps import parse_timestamps
from reportgen.states import state_codes


class _RecordError(Exception):
    pass


def _need(record: Record, key: str, kind: type | tuple[type, ...], nullable: bool = False) -> Any:
    if key not in record:
        raise _RecordError(f"missing field {key!r}")
    value = record[key]
    if value is None and nullable:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise _RecordError(f"field {key!r} is {value!r}")
    return value


def _fail(path: Path, what: str, index: int, problem: str) -> SourceError:
    return SourceError(f"{path}: {what} record {index + 1}: {problem}")


def _times(texts: Sequence[str | None], path: Path, what: str, field: str) -> Any:
    values, bad = parse_timestamps(texts)
    if bad is not None:
        raise _fail(path, what, bad, f"field {field!r} is not an ISO time: {texts[bad]!r}")
    return values


def events_from_records(records: Iterable[Record], path: Path, data_keys: set[str]) -> EventTable:
    ids: list[int] = []
    job_ids: list[int] = []
    stamps: list[str] = []
    states: dict[str, int] = state_codes()
    from_codes: list[int] = []
    to_codes: list[int] = []
    nodes: list[float] = []
    data_values: dict[str, list[str | None]] = {key: [] for key in data_keys}
    nan = float("nan")
    for index, record in enumerate(records):
        try:
            if not isinstance(record, dict):
                raise _RecordError(f"expected an object; got {type(record).__name__}")
            ids.append(_need(record, "id", int))
            job_ids.append(_need(record, "job_id", int))
            stamps.append(_need(record, "timestamp", str))
            from_codes.append(states.setdefault(_need(record, "from_state", str), len(states)))
            to_codes.append(states.setdefault(_need(record, "to_state", str), len(states)))
            data = record.get("data") or {}
            if not isinstance(data, dict):
                raise _RecordError(f"field 'data' is {data!r}")
            weight = data.get("num_nodes")
            if weight is not None and (
                isinstance(weight, bool) or not isinstance(weight, int | float)
            ):
                raise _RecordError(f"data.num_nodes is {weight!r}")
            nodes.append(nan if weight is None else float(weight))
            for key, column in data_values.items():
                value = data.get(key)
                column.append(value if isinstance(value, str) else None)
        except _RecordError as exc:
            raise _fail(path, "event", index, str(exc)) from None
    return EventTable(
        id=np.array(ids, dtype=np.int64),
        job_id=np.array(job_ids, dtype=np.int64),
        timestamp=_times(stamps, path, "event", "timestamp"),
        from_state=np.array(from_codes, dtype=np.int16),
        to_state=np.array(to_codes, dtype=np.int16),
        num_nodes=np.array(nodes, dtype=np.float64),
        state_names=tuple(states),
        data_values={k: np.array(v, dtype=object) for k, v in data_values.items()},
    )


def jobs_from_records(records: Iterable[Record], path: Path, tag_keys: set[str]) -> JobTable:
    ids: list[int] = []
    nodes: list[float] = []
    packing: list[float] = []
    batch_ids: list[int] = []
    tag_values: dict[str, list[str | None]] = {key: [] for key in tag_keys}
    for index, record in enumerate(records):
        try:
            if not isinstance(record, dict):
                raise _RecordError(f"expected an object; got {type(record).__name__}")
            ids.append(_need(record, "id", int))
            nodes.append(float(_need(record, "num_nodes", (int, float))))
            packing.append(float(record.get("node_packing_count") or 1))
            batch_id = _need(record, "batch_job_id", int, nullable=True)
            batch_ids.append(NO_ID if batch_id is None else batch_id)
            tags = record.get("tags") or {}
            if not isinstance(tags, dict):
                raise _RecordError(f"field 'tags' is {tags!r}")
            for key, column in tag_values.items():
                value = tags.get(key)
                column.append(None if value is None else str(value))
        except _RecordError as exc:
            raise _fail(path, "job", index, str(exc)) from None
    return JobTable(
        id=np.array(ids, dtype=np.int64),
        num_nodes=np.array(nodes, dtype=np.float64),
        node_packing_count=np.array(packing, dtype=np.float64),
        batch_job_id=np.array(batch_ids, dtype=np.int64),
        tag_values={k: np.array(v, dtype=object) for k, v in tag_values.items()},
    )


def batch_jobs_from_records(records: Iterable[Record], path: Path) -> BatchJobTable:
    rows: dict[str, list[Any]] = {
        name: []
        for name in (
            "id",
            "site_id",
            "scheduler_id",
            "num_nodes",
            "start_time",
            "end_time",
            "state",
            "queue",
            "filter_tags",
        )
    }
    for index, record in enumerate(records):
        try:
            if not isinstance(record, dict):
                raise _RecordError(f"expected an object; got {type(record).__name__}")
            rows["id"].append(_need(record, "id", int))
            rows["site_id"].append(_need(record, "site_id", int))
            scheduler_id = _need(record, "scheduler_id", int, nullable=True)
            rows["scheduler_id"].append(NO_ID if scheduler_id is None else scheduler_id)
            rows["num_nodes"].append(_need(record, "num_nodes", int))
            rows["start_time"].append(_need(record, "start_time", str, nullable=True))
            rows["end_time"].append(_need(record, "end_time", str, nullable=True))
            rows["state"].append(_need(record, "state", str))
            rows["queue"].append(str(record.get("queue") or ""))
            tags = record.get("filter_tags") or {}
            if not isinstance(tags, dict):
                raise _RecordError(f"field 'filter_tags' is {tags!r}")
            rows["filter_tags"].append({str(k): str(v) for k, v in tags.items()})
        except _RecordError as exc:
            raise _fail(path, "batch job", index, str(exc)) from None
    objects = {name: _object_array(rows[name]) for name in ("state", "queue", "filter_tags")}
    return BatchJobTable(
        id=np.array(rows["id"], dtype=np.int64),
        site_id=np.array(rows["site_id"], dtype=np.int64),
        scheduler_id=np.array(rows["scheduler_id"], dtype=np.int64),
        num_nodes=np.array(rows["num_nodes"], dtype=np.int64),
        start_time=_times(rows["start_time"], path, "batch job", "start_time"),
        end_time=_times(rows["end_time"], path, "batch job", "end_time"),
        **objects,
    )


def _object_array(values: list[Any]) -> Any:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array
