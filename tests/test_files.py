"""Reading saved API responses in every shape Balsam's API (or a user) writes them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from reportgen.errors import SourceError
from reportgen.source.columns import batch_jobs_from_records, events_from_records
from reportgen.source.files import read_records
from tests.factories import batch_job, event

RECORDS = [
    event(1, 1, 0, "PREPROCESSED", "RUNNING", num_nodes=1.0),
    event(2, 1, 5, "RUNNING", "RUN_DONE"),
    event(3, 2, 5, "RUNNING", "RUN_DONE"),
]


def page(records: list[dict[str, Any]]) -> dict[str, Any]:
    return {"count": len(records), "results": records}


SHAPES = {
    "one page": json.dumps(page(RECORDS)),
    "list of pages": json.dumps([page(RECORDS[:2]), page(RECORDS[2:])]),
    "plain list": json.dumps(RECORDS),
    "json lines": "\n".join(json.dumps(r) for r in RECORDS) + "\n",
    "json lines of pages": json.dumps(page(RECORDS[:1])) + "\n" + json.dumps(page(RECORDS[1:])),
}


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("compressed", [False, True])
def test_every_shape_reads_the_same_records(tmp_path: Path, shape: str, compressed: bool) -> None:
    data = SHAPES[shape].encode()
    path = tmp_path / ("events.json.gz" if compressed else "events.json")
    path.write_bytes(gzip.compress(data) if compressed else data)
    assert read_records(path, "events") == RECORDS


def test_a_single_record_in_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(RECORDS[0]) + "\n")
    assert read_records(path, "events") == RECORDS[:1]


def test_missing_file_says_which_and_where_it_is_configured(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read_records(tmp_path / "nope.json", "jobs")
    assert (
        str(caught.value) == f"{tmp_path / 'nope.json'}: jobs file not found "
        "(source.files in the spec)"
    )


def test_broken_json_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(RECORDS[0]) + "\n{broken\n")
    with pytest.raises(SourceError) as caught:
        read_records(path, "events")
    assert str(caught.value).startswith(f"{path}:2: not valid JSON")


def test_damaged_gzip(tmp_path: Path) -> None:
    path = tmp_path / "events.json.gz"
    path.write_bytes(gzip.compress(b"[]")[:-6])
    with pytest.raises(SourceError, match="damaged gzip data"):
        read_records(path, "events")


MALFORMED_EVENTS: list[tuple[Any, str]] = [
    ({"id": 9, "job_id": 1, "from_state": "A", "to_state": "B"}, "missing field 'timestamp'"),
    (
        {
            "id": "9",
            "job_id": 1,
            "timestamp": "2024-03-01T08:00:00",
            "from_state": "A",
            "to_state": "B",
        },
        "field 'id' is '9'",
    ),
    (
        {
            "id": 9,
            "job_id": 1,
            "timestamp": "2024-03-01T08:00:00",
            "from_state": "A",
            "to_state": "B",
            "data": {"num_nodes": "four"},
        },
        "data.num_nodes is 'four'",
    ),
    ("not a record", "expected an object; got str"),
]


@pytest.mark.parametrize(("record", "problem"), MALFORMED_EVENTS)
def test_a_malformed_event_names_file_and_position(record: Any, problem: str) -> None:
    with pytest.raises(SourceError) as caught:
        events_from_records([*RECORDS, record], Path("events.json"), set())
    assert str(caught.value) == f"events.json: event record 4: {problem}"


def test_a_bad_timestamp_names_its_record() -> None:
    records = [*RECORDS, event(4, 2, 0, "A", "B")]
    records[1] = {**records[1], "timestamp": "yesterday"}
    with pytest.raises(SourceError) as caught:
        events_from_records(records, Path("events.json"), set())
    assert str(caught.value) == (
        "events.json: event record 2: field 'timestamp' is not an ISO time: 'yesterday'"
    )


def test_times_with_and_without_fraction_or_offset_parse_exactly() -> None:
    records = [
        {**RECORDS[0], "timestamp": "2024-03-01T08:00:00"},
        {**RECORDS[1], "timestamp": "2024-03-01T08:00:00.000001"},
        {**RECORDS[2], "timestamp": "2024-03-01T10:00:00+02:00"},
    ]
    table = events_from_records(records, Path("e.json"), set())
    base = 1_709_280_000_000_000
    assert table.timestamp.tolist() == [base, base + 1, base]


def test_unknown_states_get_their_own_code() -> None:
    table = events_from_records([event(1, 1, 0, "RUNNING", "SOMETHING_NEW")], Path("e"), set())
    assert table.state_names[table.to_state[0]] == "SOMETHING_NEW"
    assert table.code("SOMETHING_NEW") == table.to_state[0]


def test_batch_job_null_times_and_ids() -> None:
    table = batch_jobs_from_records([batch_job(1, 4, None, None, state="queued")], Path("b"))
    assert table.start_time[0] == table.end_time[0] == -(2**63)
    assert table.scheduler_id[0] == -1
