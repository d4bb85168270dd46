"""Records are checked, not trusted: every bad record, fed to both readers, in every layout.

Each case is a file; the msgspec reader (`fast.read_event_table` / `read_job_table`, in one
process and cut into small chunks read by the worker processes) and the plain reader
(`read_records` + `columns.*_from_records`) must give the same table or the same message,
word for word. Expected numbers are worked out by hand next to each case.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reportgen.build import build_site
from reportgen.errors import SourceError
from reportgen.limits import STRICT, InputLimits
from reportgen.source import Needs, chunks, fast, record_notes
from reportgen.source.columns import batch_jobs_from_records, events_from_records, jobs_from_records
from reportgen.source.files import read_records
from reportgen.source.tables import EventTable, JobTable
from tests.factories import batch_job, event, job
from tests.folders import beside

NOON = 1_709_294_400_000_000  # 2024-03-01T12:00:00Z in microseconds
NODES = "expected a finite number from 0 up to 2,147,483,647"
PACKING = "expected a finite number above 0 and up to 2,147,483,647"
ID = "an id must fit in 64 bits (-2**63 to 2**63 - 1)"
NOT_A_COUNT = "expected the number of records (an integer) or null"
PARTIAL = (
    "a partial save? Save every page of the query, or all its records as one list "
    "(--allow-partial builds it anyway, with a warning)"
)


def events(count: int = 5) -> list[dict[str, Any]]:
    return [
        event(i, 10 + i, i, "PREPROCESSED", "RUNNING", num_nodes=1.0) for i in range(1, count + 1)
    ]


def jobs(count: int = 5) -> list[dict[str, Any]]:
    return [job(i, 2, 1, 7, experiment="a") for i in range(1, count + 1)]


def with_third(records: list[dict[str, Any]], **changes: Any) -> list[dict[str, Any]]:
    """The records with record 3 changed (None deletes a field; `data` is merged)."""
    changed = dict(records[2])
    for key, value in changes.items():
        if key == "data" and isinstance(value, dict):
            changed["data"] = {**changed["data"], **value}
        else:
            changed[key] = value
    return [*records[:2], changed, *records[3:]]


def page(records: list[Any], count: int | None = None) -> dict[str, Any]:
    return {"count": len(records) if count is None else count, "results": records}


LAYOUTS = ["page", "json lines", "page in chunks", "json lines in chunks"]


def write(folder: Path, name: str, records: list[Any], layout: str) -> Path:
    path = folder / name
    if layout.startswith("json lines"):
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    else:
        path.write_text(json.dumps(page(records), separators=(",", ":")))
    return path


Result = Any  # a table, or the text of the SourceError


def at(path: Path, layout: str, number: int) -> str:
    """Where a record is named: the file, and in JSON Lines (one record a line) its line."""
    return f"{path}:{number}" if layout.startswith("json lines") else str(path)


def attempt(read: Callable[[], Any]) -> Result:
    try:
        return read()
    except SourceError as exc:
        return str(exc)


def readers(
    path: Path,
    kind: str,
    layout: str,
    monkeypatch: pytest.MonkeyPatch,
    limits: InputLimits = STRICT,
) -> tuple[Result, Result]:
    """(the msgspec reader's result, the plain reader's) for one file; a partial save the
    `limits` allow is in the plain table's `shortfall`, as the source stage puts it."""

    def read_plainly() -> EventTable | JobTable:
        records = read_records(path, kind + "s", limits)
        plain_read = events_from_records if kind == "event" else jobs_from_records
        return dataclasses.replace(plain_read(records, path, set()), shortfall=records.shortfall)

    plain = attempt(read_plainly)
    if layout.endswith("in chunks"):
        monkeypatch.setattr(chunks, "CHUNK_BYTES", 200)  # records 1-2 and 3 in other chunks
        monkeypatch.setattr(fast, "PARALLEL_MIN_BYTES", 0)  # decoded by the worker processes
    if kind == "event":
        return attempt(lambda: fast.read_event_table(path, set(), limits=limits)), plain
    return attempt(lambda: fast.read_job_table(path, set(), limits=limits)), plain


def same_table(quick: Any, plain: Any) -> None:
    assert not isinstance(quick, str), quick
    assert not isinstance(plain, str), plain
    for name in quick.__dataclass_fields__:
        a, b = getattr(quick, name), getattr(plain, name)
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
        elif dataclasses.is_dataclass(a):  # details: the same columns
            same_table(a, b)
        elif not isinstance(a, dict):
            assert a == b, name


BAD_TIMES = [
    "now",
    "today",
    "2024",
    "2024-03-01",
    "2024-03-01T12:00",
    "2024-03-01 12:00:00",
    "2024-03-01T12:00:00.",
    "2024-03-01T12:00:00.1234567",
    "2024-02-30T12:00:00",
    "2024-03-01T24:00:00",
    "10000-01-01T00:00:00",
    "+2024-03-01T12:00:00",
    "2024-03-01T12:00:00z",
    "2024-03-01T12:00:00+0200",
    "NaT",
    "0001-01-01T00:00:00+01:00",  # year 0 in UTC
    "9999-12-31T23:30:00-01:00",  # year 10000 in UTC
]

EVENT_CASES: list[tuple[str, list[dict[str, Any]], str]] = [
    *[
        (
            f"time {text!r}",
            with_third(events(), timestamp=text),
            f"field 'timestamp' is not an ISO time: {text!r}",
        )
        for text in BAD_TIMES
    ],
    (
        "negative weight",
        with_third(events(), data={"num_nodes": -2}),
        f"data.num_nodes is -2: {NODES}",
    ),
    (
        "NaN weight",
        with_third(events(), data={"num_nodes": float("nan")}),
        f"data.num_nodes is NaN: {NODES}",
    ),
    (
        "infinite weight",
        with_third(events(), data={"num_nodes": float("inf")}),
        f"data.num_nodes is Infinity: {NODES}",
    ),
    (
        "huge weight",
        with_third(events(), data={"num_nodes": 1e300}),
        f"data.num_nodes is 1e+300: {NODES}",
    ),
    (
        "a weight of 2**31",
        with_third(events(), data={"num_nodes": 2**31}),
        f"data.num_nodes is 2147483648: {NODES}",
    ),
    ("text weight", with_third(events(), data={"num_nodes": "four"}), "data.num_nodes is 'four'"),
    ("id of 2**63", with_third(events(), id=2**63), f"field 'id' is 9223372036854775808: {ID}"),
    (
        "job id below -2**63",
        with_third(events(), job_id=-(2**63) - 1),
        f"field 'job_id' is -9223372036854775809: {ID}",
    ),
    ("id of 2**64", with_third(events(), id=2**64), f"field 'id' is 18446744073709551616: {ID}"),
    ("data a list", with_third(events(), data=[]), "field 'data' is []"),
    ("data a number", with_third(events(), data=0), "field 'data' is 0"),
    ("an id that is text", with_third(events(), id="3"), "field 'id' is '3'"),
    ("a float id", with_third(events(), id=3.0), "field 'id' is 3.0"),
    ("a state that is a number", with_third(events(), to_state=5), "field 'to_state' is 5"),
    (
        "a bad time before a bad field",
        [*with_third(events(), timestamp="now")[:4], {**events()[4], "id": "5"}],
        "field 'timestamp' is not an ISO time: 'now'",
    ),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    ("records", "problem"), [c[1:] for c in EVENT_CASES], ids=[c[0] for c in EVENT_CASES]
)
def test_a_bad_event_is_the_same_error_in_both_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, records: list[Any], problem: str, layout: str
) -> None:
    path = write(tmp_path, "events.json", records, layout)
    quick, plain = readers(path, "event", layout, monkeypatch)
    assert plain == f"{at(path, layout, 3)}: event record 3: {problem}"
    assert quick == plain


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    ("value", "got"), [(5, "int"), ("x", "str"), ([1], "list"), (None, "NoneType")]
)
@pytest.mark.parametrize("kind", ["event", "job"])
def test_a_record_that_is_not_an_object(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    layout: str,
    value: Any,
    got: str,
    kind: str,
) -> None:
    """msgspec says "Expected `object`, got `int`"; both readers say it in reportgen's words."""
    records = events() if kind == "event" else jobs()
    path = write(tmp_path, f"{kind}s.json", [*records[:2], value, *records[3:]], layout)
    quick, plain = readers(path, kind, layout, monkeypatch)
    assert plain == f"{at(path, layout, 3)}: {kind} record 3: expected an object; got {got}"
    assert quick == plain


JOB_CASES: list[tuple[str, list[dict[str, Any]], str]] = [
    ("negative num_nodes", with_third(jobs(), num_nodes=-1), f"field 'num_nodes' is -1: {NODES}"),
    (
        "NaN num_nodes",
        with_third(jobs(), num_nodes=float("nan")),
        f"field 'num_nodes' is NaN: {NODES}",
    ),
    (
        "num_nodes 1e300",
        with_third(jobs(), num_nodes=1e300),
        f"field 'num_nodes' is 1e+300: {NODES}",
    ),
    (
        "packing 0",
        with_third(jobs(), node_packing_count=0),
        f"field 'node_packing_count' is 0: {PACKING}",
    ),
    (
        "packing -2",
        with_third(jobs(), node_packing_count=-2),
        f"field 'node_packing_count' is -2: {PACKING}",
    ),
    (
        "packing text",
        with_third(jobs(), node_packing_count="4"),
        "field 'node_packing_count' is '4'",
    ),
    ("id of 2**63", with_third(jobs(), id=2**63), f"field 'id' is 9223372036854775808: {ID}"),
    (
        "batch job id of 2**63",
        with_third(jobs(), batch_job_id=2**63),
        f"field 'batch_job_id' is 9223372036854775808: {ID}",
    ),
    (
        "a tag that is a number",
        with_third(jobs(), tags={"n": 1}),
        "field 'tags' is {'n': 1}: expected string values",
    ),
    ("tags a list", with_third(jobs(), tags=[]), "field 'tags' is []"),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    ("records", "problem"), [c[1:] for c in JOB_CASES], ids=[c[0] for c in JOB_CASES]
)
def test_a_bad_job_is_the_same_error_in_both_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, records: list[Any], problem: str, layout: str
) -> None:
    path = write(tmp_path, "jobs.json", records, layout)
    quick, plain = readers(path, "job", layout, monkeypatch)
    assert plain == f"{at(path, layout, 3)}: job record 3: {problem}"
    assert quick == plain


VALID_TIMES = [
    ("2024-03-01T12:00:00", NOON),
    ("2024-03-01T12:00:00.123456Z", NOON + 123_456),
    ("2024-03-01T12:00:00+02:00", NOON - 2 * 3600 * 1_000_000),
    ("2024-03-01T12:00:00.5", NOON + 500_000),
    ("2024-03-01T12:00:00.000001-00:30", NOON + 1800 * 1_000_000 + 1),
    ("2024-02-29T12:00:00", NOON - 86_400 * 1_000_000),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("text", "micros"), VALID_TIMES)
def test_every_form_balsam_writes_is_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, micros: int, layout: str
) -> None:
    path = write(tmp_path, "events.json", with_third(events(), timestamp=text), layout)
    quick, plain = readers(path, "event", layout, monkeypatch)
    same_table(quick, plain)
    assert quick.timestamp[2] == micros


@pytest.mark.parametrize("layout", LAYOUTS)
def test_zero_nodes_is_a_count_balsam_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    """A job of 0 nodes: Balsam's launcher writes data.num_nodes 0.0 (0 / packing)."""
    path = write(tmp_path, "events.json", with_third(events(), data={"num_nodes": 0}), layout)
    quick, plain = readers(path, "event", layout, monkeypatch)
    same_table(quick, plain)
    assert quick.num_nodes.tolist() == [1.0, 1.0, 0.0, 1.0, 1.0]
    path = write(tmp_path, "jobs.json", with_third(jobs(), num_nodes=0), layout)
    quick, plain = readers(path, "job", layout, monkeypatch)
    same_table(quick, plain)
    assert quick.num_nodes.tolist() == [2.0, 2.0, 0.0, 2.0, 2.0]


# duplicates -------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_event_listed_twice_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    path = write(tmp_path, "events.json", events() + events(), layout)
    quick, plain = readers(path, "event", layout, monkeypatch)
    same_table(quick, plain)
    assert isinstance(quick, EventTable)
    assert quick.id.tolist() == [1, 2, 3, 4, 5]
    assert quick.duplicates_dropped == 5
    assert record_notes(quick, "events.json", "event") == [
        "events.json: 5 duplicate event records dropped (the same id and content as an "
        "earlier record)"
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_duplicate_among_unsorted_ids_keeps_the_first_in_file_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    first = events()
    records = [first[3], first[0], first[2], first[0], first[1]]  # ids 4 1 3 1 2
    path = write(tmp_path, "events.json", records, layout)
    quick, plain = readers(path, "event", layout, monkeypatch)
    same_table(quick, plain)
    assert quick.id.tolist() == [4, 1, 3, 2]
    assert quick.duplicates_dropped == 1


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"timestamp": "2024-03-01T08:09:00"}, "timestamp"),
        ({"job_id": 99}, "job_id"),
        ({"to_state": "RUN_DONE"}, "to_state"),
        ({"data": {"num_nodes": 2.0}}, "data.num_nodes"),
        ({"data": {}}, "data.num_nodes"),
    ],
)
def test_a_conflicting_duplicate_event_names_both_records(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    layout: str,
    change: dict[str, Any],
    field: str,
) -> None:
    records = [*events(), {**events()[2], **change}]  # record 6 repeats id 3
    path = write(tmp_path, "events.json", records, layout)
    quick, plain = readers(path, "event", layout, monkeypatch)
    lines = layout.startswith("json lines")
    numbers = "3 (line 3) and 6 (line 6)" if lines else "3 and 6"
    assert plain == f"{path}: event records {numbers} have the same id 3 but different {field}"
    assert quick == plain


@pytest.mark.parametrize("layout", LAYOUTS)
def test_duplicate_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str) -> None:
    path = write(tmp_path, "jobs.json", [*jobs(), jobs()[1]], layout)
    quick, plain = readers(path, "job", layout, monkeypatch)
    same_table(quick, plain)
    assert isinstance(quick, JobTable)
    assert (quick.id.tolist(), quick.duplicates_dropped) == ([1, 2, 3, 4, 5], 1)
    path = write(tmp_path, "jobs.json", [*jobs(), {**jobs()[1], "node_packing_count": 4}], layout)
    quick, plain = readers(path, "job", layout, monkeypatch)
    numbers = "2 (line 2) and 6 (line 6)" if layout.startswith("json lines") else "2 and 6"
    assert plain == (
        f"{path}: job records {numbers} have the same id 2 but different node_packing_count"
    )
    assert quick == plain


def test_duplicate_batch_jobs() -> None:
    """Batch jobs listed twice would double the available node-hours."""
    records = [batch_job(1, 4, 0, 60), batch_job(2, 8, 30, 90)]
    table = batch_jobs_from_records(records + records, Path("b.json"))
    assert (table.id.tolist(), table.num_nodes.tolist(), table.duplicates_dropped) == (
        [1, 2],
        [4, 8],
        2,
    )
    with pytest.raises(SourceError) as caught:
        batch_jobs_from_records([*records, batch_job(1, 4, 0, 61)], Path("b.json"))
    assert str(caught.value) == (
        "b.json: batch job records 1 and 3 have the same id 1 but different end_time"
    )


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        (batch_job(2, -4, 0, 60), f"field 'num_nodes' is -4: {NODES}"),
        (batch_job(2, 2**31, 0, 60), f"field 'num_nodes' is 2147483648: {NODES}"),
        ({**batch_job(2, 4, 0, 60), "id": 2**63}, f"field 'id' is 9223372036854775808: {ID}"),
        (
            {**batch_job(2, 4, 0, 60), "scheduler_id": 2**63},
            f"field 'scheduler_id' is 9223372036854775808: {ID}",
        ),
        (
            {**batch_job(2, 4, 0, 60), "start_time": "now"},
            "field 'start_time' is not an ISO time: 'now'",
        ),
        (
            {**batch_job(2, 4, 0, 60), "end_time": "2024-03-01"},
            "field 'end_time' is not an ISO time: '2024-03-01'",
        ),
        (
            {**batch_job(2, 4, 0, 60), "start_time": "0001-01-01T00:00:00+01:00"},
            "field 'start_time' is not an ISO time: '0001-01-01T00:00:00+01:00'",
        ),
        (
            {**batch_job(2, 4, 0, 60), "end_time": "9999-12-31T23:30:00-01:00"},
            "field 'end_time' is not an ISO time: '9999-12-31T23:30:00-01:00'",
        ),
        ({**batch_job(2, 4, 0, 60), "num_nodes": 4.0}, "field 'num_nodes' is 4.0"),
    ],
)
def test_a_bad_batch_job(record: dict[str, Any], problem: str) -> None:
    with pytest.raises(SourceError) as caught:
        batch_jobs_from_records([batch_job(1, 4, 0, 60), record], Path("b.json"))
    assert str(caught.value) == f"b.json: batch job record 2: {problem}"


def test_a_batch_job_of_zero_nodes_is_allowed() -> None:
    """Balsam's BatchJob.num_nodes has no lower bound; a 0-node allocation gives no nodes."""
    table = batch_jobs_from_records([batch_job(1, 0, 0, 60)], Path("b.json"))
    assert table.num_nodes.tolist() == [0]


# pages ------------------------------------------------------------------------------------


PAGE_CASES: list[tuple[str, Any, str | None]] = [
    (
        "a first page saved alone",
        page(events(), count=999_999),
        f"the page holds 5 of the 999,999 records its count says: {PARTIAL}",
    ),
    (
        "a page holding more than its count",
        page(events(), count=2),
        "the page holds 5 records, more than the 2 its count says: is it damaged?",
    ),
    ("Balsam's pages: each says the total", [page(events()[:3], 5), page(events()[3:], 5)], None),
    ("pages that count themselves", [page(events()[:3]), page(events()[3:])], None),
    (
        "a list of pages short of their total",
        [page(events()[:3], 7), page(events()[3:], 7)],
        f"the 2 pages hold 5 of the 7 records their count says: {PARTIAL}",
    ),
    (
        "pages whose counts disagree",
        [page(events()[:3], 3), page(events()[3:], 4)],
        f"page 2 holds 2 of the 4 records its count says: {PARTIAL}",
    ),
    ("a page without a count", {"results": events()}, None),
    ("a page whose count is null", {"count": None, "results": events()}, None),
    *[
        (
            f"a count of {text}",
            {"count": value, "results": events()},
            f"the page: 'count' is {text}: {NOT_A_COUNT}",
        )
        for value, text in [
            ("9", '"9"'),
            ("x", '"x"'),
            (3.5, "3.5"),
            (5.0, "5.0"),
            (True, "true"),
            (float("inf"), "Infinity"),
        ]
    ],
    (
        "a count of 1e400",
        '{"count":1e400,"results":' + json.dumps(events()) + "}",
        f"the page: 'count' is Infinity: {NOT_A_COUNT}",
    ),
    (
        "a count of 3.5 after the results",
        '{"results":' + json.dumps(events()) + ',"count":3.5}',
        f"the page: 'count' is 3.5: {NOT_A_COUNT}",
    ),
    (
        "a count that is text after the results",
        '{"results":' + json.dumps(events()) + ',"count":"5"}',
        f"""the page: 'count' is "5": {NOT_A_COUNT}""",
    ),
    (
        "a list of pages, one whose count is text",
        [page(events()[:3], 5), {"count": "5", "results": events()[3:]}],
        f"""page 2: 'count' is "5": {NOT_A_COUNT}""",
    ),
]


@pytest.mark.parametrize("in_chunks", [False, True])
@pytest.mark.parametrize(
    ("document", "problem"), [c[1:] for c in PAGE_CASES], ids=[c[0] for c in PAGE_CASES]
)
def test_a_pages_count_against_what_it_holds(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    document: Any,
    problem: str | None,
    in_chunks: bool,
) -> None:
    path = tmp_path / "events.json"
    text = document if isinstance(document, str) else json.dumps(document, separators=(",", ":"))
    path.write_text(text)
    quick, plain = readers(path, "event", "page in chunks" if in_chunks else "page", monkeypatch)
    if problem is None:
        same_table(quick, plain)
        assert quick.id.tolist() == [1, 2, 3, 4, 5]
    else:
        assert plain == f"{path}: {problem}"
        assert quick == plain


ALLOWED = "built anyway (--allow-partial), so every number of this report misses the {:,} "
ALLOWED += "records that were not saved"
SHORT_CASES: list[tuple[str, str, Any, str, int]] = [  # missing = the count - records held
    (
        "a first page saved alone",
        "event",
        page(events(), count=999_999),
        "the page holds 5 of the 999,999 records its count says",
        999_994,
    ),
    (
        "a list of pages short of their total",
        "event",
        [page(events()[:3], 7), page(events()[3:], 7)],
        "the 2 pages hold 5 of the 7 records their count says",
        2,
    ),
    (
        "pages whose counts disagree",
        "event",
        [page(events()[:3], 3), page(events()[3:], 4)],
        "page 2 holds 2 of the 4 records its count says",
        2,
    ),
    ("a jobs page", "job", page(jobs(), 9), "the page holds 5 of the 9 records its count says", 4),
]


@pytest.mark.parametrize("in_chunks", [False, True])
@pytest.mark.parametrize(
    ("kind", "document", "found", "missing"),
    [c[1:] for c in SHORT_CASES],
    ids=[c[0] for c in SHORT_CASES],
)
def test_a_partial_save_is_read_when_allowed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
    document: Any,
    found: str,
    missing: int,
    in_chunks: bool,
) -> None:
    """With allow_partial, both readers give the records a short save holds and say how
    many are missing; without it, both refuse it with the same words."""
    path = tmp_path / f"{kind}s.json"
    path.write_text(json.dumps(document, separators=(",", ":")))
    layout = "page in chunks" if in_chunks else "page"
    quick, plain = readers(path, kind, layout, monkeypatch, InputLimits(allow_partial=True))
    same_table(quick, plain)
    assert quick.id.tolist() == [1, 2, 3, 4, 5]
    assert quick.shortfall == f"{found}: {ALLOWED.format(missing)}"
    refused = readers(path, kind, layout, monkeypatch)
    assert refused == (f"{path}: {found}: {PARTIAL}",) * 2


def test_a_page_holding_more_than_its_count_is_refused_even_when_partial_is_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.json"
    path.write_text(json.dumps(page(events(), count=2)))
    quick, plain = readers(path, "event", "page", monkeypatch, InputLimits(allow_partial=True))
    assert (
        plain == f"{path}: the page holds 5 records, more than the 2 its count says: is it damaged?"
    )
    assert quick == plain


def test_json_lines_of_pages_short_of_their_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(page(events()[:3], 9)) + "\n" + json.dumps(page(events()[3:], 9)))
    quick, plain = readers(path, "event", "json lines", monkeypatch)
    assert plain == f"{path}: the 2 pages hold 5 of the 9 records their count says: {PARTIAL}"
    assert quick == plain


@pytest.mark.parametrize("in_chunks", [False, True])
def test_json_lines_of_pages_one_whose_count_is_not_a_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_chunks: bool
) -> None:
    path = tmp_path / "events.jsonl"
    bad = {"count": "many", "results": events()[3:]}
    path.write_text(json.dumps(page(events()[:3], 5)) + "\n\n" + json.dumps(bad) + "\n")
    layout = "json lines in chunks" if in_chunks else "json lines"
    quick, plain = readers(path, "event", layout, monkeypatch)
    assert plain == f"""{path}: the page on line 3: 'count' is "many": {NOT_A_COUNT}"""
    assert quick == plain


# clear words ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "  \n\n"])
@pytest.mark.parametrize("compressed", [False, True])
def test_an_empty_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, compressed: bool
) -> None:
    path = tmp_path / "events.json"
    path.write_bytes(gzip.compress(text.encode()) if compressed else text.encode())
    quick, plain = readers(path, "event", "page", monkeypatch)
    assert plain == (
        f"{path}: the file is empty (expected a {{count, results}} page, a list of records "
        "or JSON Lines; no records is [])"
    )
    assert quick == plain


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_byte_order_mark_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    path = write(tmp_path, "events.json", events(), layout)
    path.write_bytes("\ufeff".encode() + path.read_bytes())
    quick, plain = readers(path, "event", layout, monkeypatch)
    same_table(quick, plain)
    assert quick.id.tolist() == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("in_chunks", [False, True])
def test_a_broken_json_lines_line_is_named_by_its_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_chunks: bool
) -> None:
    lines = [json.dumps(r) for r in events(40)]
    lines[36] = lines[36][:-1]  # line 37 lost its closing brace
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    quick, plain = readers(
        path, "event", "json lines in chunks" if in_chunks else "json lines", monkeypatch
    )
    assert plain == f"{path}:37: not valid JSON (Expecting ',' delimiter)"
    assert quick == plain


@pytest.mark.parametrize("in_chunks", [False, True])
def test_json_lines_name_the_line_not_only_the_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_chunks: bool
) -> None:
    """Blank lines and pages on lines: record 9 is on line 6, record 5 on line 4."""
    records = events(9)
    lines = [
        "",
        json.dumps(page(records[:3])),  # records 1-3 on line 2
        "",
        json.dumps(page(records[3:7])),  # records 4-7 on line 4
        "",
        json.dumps(page([records[7], {**records[8], "timestamp": "today"}])),  # 8-9, line 6
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines) + "\n")
    layout = "json lines in chunks" if in_chunks else "json lines"
    quick, plain = readers(path, "event", layout, monkeypatch)
    assert plain == f"{path}:6: event record 9: field 'timestamp' is not an ISO time: 'today'"
    assert quick == plain
    lines[-1] = json.dumps(page([records[7], {**records[4], "to_state": "FAILED"}]))  # id 5
    path.write_text("\n".join(lines) + "\n")
    quick, plain = readers(path, "event", layout, monkeypatch)
    assert plain == (
        f"{path}: event records 5 (line 4) and 9 (line 6) have the same id 5 but different to_state"
    )
    assert quick == plain


def test_unknown_states_are_named() -> None:
    records = [*events(), event(6, 1, 6, "RUNNING", "LOST"), event(7, 1, 7, "LOST", "ZOMBIE")]
    table = events_from_records(records, Path("e.json"), set())
    assert record_notes(table, "e.json", "event") == [
        "e.json: states Balsam does not define: 'LOST', 'ZOMBIE' (counted as they are)"
    ]
    batch = batch_jobs_from_records([batch_job(1, 4, 0, 60, state="exploded")], Path("b.json"))
    assert record_notes(batch, "b.json", "batch job") == [
        "b.json: states Balsam does not define: 'exploded' (counted as they are)"
    ]
    assert record_notes(events_from_records(events(), Path("e"), set()), "e", "event") == []


# whole builds -----------------------------------------------------------------------------


def spec(folder: Path, event_records: list[Any]) -> Path:
    (folder / "events.json").write_text(json.dumps(page(event_records)))
    path = folder / "run.yaml"
    path.write_text(
        "title: Run\nsource:\n  files: {events: events.json}\nas_of: 2024-03-01T09:00:00Z\n"
        "queries:\n  events: {all: {}}\n"
        "charts:\n  - {id: done, type: throughput, events: all, to_state: JOB_FINISHED, "
        "formats: [svg]}\n"
    )
    return path


def finishing(count: int) -> list[dict[str, Any]]:
    """`count` jobs, each RUNNING at minute i and JOB_FINISHED at minute i + 1."""
    records = []
    for i in range(1, count + 1):
        records.append(event(2 * i - 1, i, i, "PREPROCESSED", "RUNNING", num_nodes=1.0))
        records.append(event(2 * i, i, i + 1, "RUNNING", "JOB_FINISHED"))
    return records


def test_a_build_of_every_event_listed_twice_counts_each_once(tmp_path: Path) -> None:
    """Three jobs finish: throughput ends at 3 (it was 6), and the page says what was dropped."""
    result = build_site([spec(tmp_path, finishing(3) + finishing(3))], tmp_path / "site")
    rows = (tmp_path / "site" / "run" / "done.csv").read_text().splitlines()
    assert rows[-1].endswith(",3")
    assert len(rows) == 1 + 3
    html = (tmp_path / "site" / "run" / "index.html").read_text()
    assert "events.json: 6 duplicate event records dropped" in html
    assert result.reports[0].headline.jobs_finished == 3


def full_spec(
    folder: Path,
    event_records: Any,
    job_records: Any,
    batch_records: list[dict[str, Any]],
) -> Path:
    """A spec reading all three files (events and jobs as pages, batch jobs as JSON Lines),
    with a tag query (so the jobs are read) and the node-hour ledger (the batch jobs)."""
    for name, document in (("events.json", event_records), ("jobs.json", job_records)):
        (folder / name).write_text(json.dumps(document, separators=(",", ":")))
    (folder / "batch.jsonl").write_text("".join(json.dumps(r) + "\n" for r in batch_records))
    path = folder / "run.yaml"
    path.write_text(
        "title: Run\nsource:\n  files: {events: events.json, jobs: jobs.json, "
        "batch_jobs: batch.jsonl}\nas_of: 2024-03-01T10:00:00Z\n"
        "queries:\n  events: {all: {tags: {experiment: a}}}\n  batch_jobs: {all: {}}\n"
        "charts:\n  - {id: done, type: throughput, events: all, formats: [svg]}\n"
        "  - {id: ledger, type: node_hours, events: all, batch_jobs: all, formats: [svg]}\n"
    )
    return path


def weighted(count: int) -> list[dict[str, Any]]:
    """`finishing(count)`, each entry into RUNNING weighted by 1 node."""
    records = finishing(count)
    for record in records[::2]:
        record["data"] = {"num_nodes": 1.0}
    return records


BATCH_JOBS = [batch_job(1, 4, 0, 60), batch_job(2, 8, 30, 90)]


def change(records: list[dict[str, Any]], number: int, **changes: Any) -> list[dict[str, Any]]:
    """The records with record `number` (from 1) changed."""
    return [{**r, **changes} if i == number - 1 else r for i, r in enumerate(records)]


def duplicated_second(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Record 5 is record 2 again (id 2) but entering another state."""
    return [*records[:4], {**records[1], "to_state": "FAILED"}, *records[4:]]


# One case per rule: the file it is in, its records (events, jobs, batch jobs), the message
BUILD_CASES: list[tuple[str, str, Any, Any, Any, str]] = [
    (
        "a bad time",
        "events.json",
        change(weighted(2), 2, timestamp="now"),
        page(jobs()),
        BATCH_JOBS,
        "event record 2: field 'timestamp' is not an ISO time: 'now'",
    ),
    (
        "a time whose offset crosses year 9999",
        "events.json",
        change(weighted(2), 2, timestamp="9999-12-31T23:30:00-01:00"),
        page(jobs()),
        BATCH_JOBS,
        "event record 2: field 'timestamp' is not an ISO time: '9999-12-31T23:30:00-01:00'",
    ),
    (
        "an id of 2**63",
        "events.json",
        change(weighted(2), 2, id=2**63),
        page(jobs()),
        BATCH_JOBS,
        f"event record 2: field 'id' is 9223372036854775808: {ID}",
    ),
    (
        "a negative weight",
        "events.json",
        change(weighted(2), 1, data={"num_nodes": -1}),
        page(jobs()),
        BATCH_JOBS,
        f"event record 1: data.num_nodes is -1: {NODES}",
    ),
    (
        "a NaN weight",
        "events.json",
        change(weighted(2), 3, data={"num_nodes": float("nan")}),
        page(jobs()),
        BATCH_JOBS,
        f"event record 3: data.num_nodes is NaN: {NODES}",
    ),
    (
        "a job of 1e300 nodes",
        "jobs.json",
        weighted(2),
        page(with_third(jobs(), num_nodes=1e300)),
        BATCH_JOBS,
        f"job record 3: field 'num_nodes' is 1e+300: {NODES}",
    ),
    (
        "a packing count of 0",
        "jobs.json",
        weighted(2),
        page(with_third(jobs(), node_packing_count=0)),
        BATCH_JOBS,
        f"job record 3: field 'node_packing_count' is 0: {PACKING}",
    ),
    (
        "a conflicting duplicate",
        "events.json",
        duplicated_second(weighted(2)),
        page(jobs()),
        BATCH_JOBS,
        "event records 2 and 5 have the same id 2 but different to_state",
    ),
    (
        "a partial save",
        "events.json",
        page(weighted(2), count=99),
        page(jobs()),
        BATCH_JOBS,
        f"the page holds 4 of the 99 records its count says: {PARTIAL}",
    ),
    (
        "a bad batch job in JSON Lines",
        "batch.jsonl:2",
        weighted(2),
        page(jobs()),
        [BATCH_JOBS[0], {**BATCH_JOBS[1], "num_nodes": -4}],
        f"batch job record 2: field 'num_nodes' is -4: {NODES}",
    ),
]


@pytest.mark.parametrize(
    ("where", "event_records", "job_records", "batch_records", "message"),
    [c[1:] for c in BUILD_CASES],
    ids=[c[0] for c in BUILD_CASES],
)
def test_a_build_with_a_bad_record_is_a_message_not_a_traceback(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    where: str,
    event_records: Any,
    job_records: Any,
    batch_records: list[dict[str, Any]],
    message: str,
) -> None:
    from reportgen.cli import main

    path = full_spec(tmp_path, event_records, job_records, batch_records)
    before = beside(tmp_path / "site")
    code = main(["build", str(path), "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert (code, err) == (1, f"error: {tmp_path / where}: {message}\n")
    assert not (tmp_path / "site").exists()
    assert beside(tmp_path / "site") == before  # nothing beside it changed either


def test_a_build_of_batch_jobs_listed_twice_counts_their_node_hours_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Batch job 1 holds 4 nodes for minutes 0-60, batch job 2 8 nodes for minutes 30-90:
    4 x 1 h + 8 x 1 h = 12 node-hours available, not the 24 of two copies."""
    from reportgen.cli import main

    path = full_spec(tmp_path, weighted(2), page(jobs()), BATCH_JOBS + BATCH_JOBS)
    code = main(["build", str(path), "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err
    note = (
        "batch.jsonl: 2 duplicate batch job records dropped (the same id and content as an "
        "earlier record)"
    )
    assert code == 0
    assert err == f"warning: run: {note}\n"
    html = (tmp_path / "site" / "run" / "index.html").read_text()
    assert note in html
    totals = dict(line.split(",") for line in (tmp_path / "site" / "run" / "ledger.csv").open())
    assert float(totals["available"]) == 12.0
    from reportgen.build import build_site

    headline = build_site([path], tmp_path / "again").reports[0].headline
    assert headline.node_hours_available == 12.0


def test_live_records_get_the_same_notes(tmp_path: Path) -> None:
    """A live fetch (a stand-in client here) says what it dropped, as a files build does."""
    from types import SimpleNamespace

    from reportgen.source import balsam
    from reportgen.spec.loader import load_report

    path = tmp_path / "live.yaml"
    path.write_text(
        'title: Live\nsource:\n  balsam: {api_root: "http://127.0.0.1:9", token: x}\n'
        "queries:\n  events: {all: {}}\n  batch_jobs: {all: {}}\n"
        "charts:\n  - {id: done, type: throughput, events: all, to_state: JOB_FINISHED}\n"
    )
    records = [event(1, 1, 0, "RUNNING", "JOB_FINISHED"), event(2, 1, 1, "RUNNING", "LOST")]

    class Client:
        credentials = SimpleNamespace(api_root="http://balsam")
        notes: tuple[str, ...] = ()
        requests_made, retries = 3, 0

        def fetch_all(self, label: str, kind: str, params: Any) -> list[dict[str, Any]]:
            return {"events": records * 2, "batch-jobs": [batch_job(1, 4, 0, 10)]}[kind]

        def server_version(self) -> tuple[str | None, str]:
            return None, "the stand-in reports none"

    data = balsam._fetch(load_report(path), Needs(), balsam._Fetcher(Client(), None), 0)  # type: ignore[arg-type]
    assert data.warnings == [
        "http://balsam (all): 2 duplicate event records dropped (the same id and content as an "
        "earlier record)",
        "http://balsam (all): states Balsam does not define: 'LOST' (counted as they are)",
    ]
    assert data.events["all"].id.tolist() == [1, 2]


def detailed_readers(
    path: Path, layout: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[Result, Result]:
    """(the msgspec reader's jobs, the plain reader's), both with tags and workdirs."""
    plain = attempt(lambda: jobs_from_records(read_records(path, "jobs"), path, set(), True))
    if layout.endswith("in chunks"):
        monkeypatch.setattr(chunks, "CHUNK_BYTES", 200)
        monkeypatch.setattr(fast, "PARALLEL_MIN_BYTES", 0)
    return attempt(lambda: fast.read_job_table(path, set(), details=True)), plain


HOSTILE_TEXT = '<script>alert("x")</script> \' " </script><!-- , \n\u2028 é'


@pytest.mark.parametrize("layout", LAYOUTS)
def test_job_details_are_read_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    """Tags (`k=v` sorted by key, joined by spaces) and workdirs, hostile text included;
    a job without tags, with null tags, without a workdir or with a null one."""
    # (the long record is not first: chunks.py tells JSON Lines by a first line that fits
    # in its first read, 200 bytes in these tests)
    records = [
        {**jobs()[0], "tags": {}, "workdir": "runs/1"},
        {**jobs()[1], "tags": None, "workdir": None},
        {**jobs()[2], "tags": {"z": HOSTILE_TEXT, "a": "1", "m": ""}, "workdir": HOSTILE_TEXT},
        {key: value for key, value in jobs()[3].items() if key != "tags"},
        jobs()[4],
    ]
    path = write(tmp_path, "jobs.json", records, layout)
    quick, plain = detailed_readers(path, layout, monkeypatch)
    same_table(quick, plain)
    assert quick.details is not None and plain.details is not None
    assert (
        quick.details.tags.tolist()
        == plain.details.tags.tolist()
        == ["", "", f"a=1 m= z={HOSTILE_TEXT}", "", "experiment=a"]
    )
    assert quick.details.workdir.tolist() == plain.details.workdir.tolist()
    assert quick.details.workdir.tolist() == ["runs/1", "", HOSTILE_TEXT, "", ""]
    assert fast.read_job_table(path, set()).details is None


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    ("workdir", "problem"),
    [(7, "field 'workdir' is 7"), (["a"], "field 'workdir' is ['a']")],
)
def test_a_workdir_not_text_is_the_same_error_in_both_readers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str, workdir: Any, problem: str
) -> None:
    path = write(tmp_path, "jobs.json", with_third(jobs(), workdir=workdir), layout)
    quick, plain = detailed_readers(path, layout, monkeypatch)
    assert plain == f"{at(path, layout, 3)}: job record 3: {problem}"
    assert quick == plain
    assert not isinstance(fast.read_job_table(path, set()), str)  # not read: not checked


def test_a_duplicate_job_differing_only_in_its_workdir(tmp_path: Path) -> None:
    """Identical in what the build reads without details; with details, a conflict."""
    records = [*jobs(), {**jobs()[1], "workdir": "elsewhere"}]
    path = write(tmp_path, "jobs.json", records, "page")
    assert fast.read_job_table(path, set()).duplicates_dropped == 1
    with pytest.raises(SourceError) as caught:
        fast.read_job_table(path, set(), details=True)
    assert str(caught.value) == (
        f"{path}: job records 2 and 6 have the same id 2 but different workdir"
    )
