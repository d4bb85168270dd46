"""The msgspec reader gives exactly the tables of the plain reader, and the same errors."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.errors import SourceError
from reportgen.source import Needs, Reads, chunks, fast, load_report_data
from reportgen.source.columns import event_details, events_from_records, jobs_from_records
from reportgen.source.files import read_records
from reportgen.source.tables import EventDetails
from reportgen.spec import load_report
from tests.conftest import DEMO_SPEC, demo_records
from tests.factories import event, job
from tests.test_codec import roundtrip, same
from tests.test_files import MALFORMED_EVENTS, SHAPES

# a non-object record is covered in test_files (the fast path reads it the same way)
MALFORMED_EVENTS_WITHOUT_NON_OBJECT = [c for c in MALFORMED_EVENTS if isinstance(c[0], dict)]

ROOT = Path(__file__).resolve().parent.parent


def same_events(path: Path, details: bool = False) -> None:
    quick = fast.read_event_table(path, set(), details=details)
    plain = events_from_records(read_records(path, "events"), path, set(), details)
    for name in ("id", "job_id", "timestamp", "from_state", "to_state"):
        assert getattr(quick, name).tolist() == getattr(plain, name).tolist(), name
    assert np.array_equal(quick.num_nodes, plain.num_nodes, equal_nan=True)
    assert quick.state_names == plain.state_names
    same_details(quick.details, plain.details)
    assert (quick.details is None) == (not details)


def same_details(quick: EventDetails | None, plain: EventDetails | None) -> None:
    """Equal details columns, of the same types (NaN equal to NaN)."""
    if quick is None or plain is None:
        assert quick is plain
        return
    assert quick.position.dtype == plain.position.dtype == np.int64
    assert quick.position.tolist() == plain.position.tolist()
    assert quick.returncode.dtype == plain.returncode.dtype == np.float64
    assert np.array_equal(quick.returncode, plain.returncode, equal_nan=True)
    assert quick.odd_returncode.tolist() == plain.odd_returncode.tolist()
    for name in ("error", "message"):
        assert getattr(quick, name).dtype == object
        assert getattr(quick, name).tolist() == getattr(plain, name).tolist(), name


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("details", [False, True])
def test_every_shape(tmp_path: Path, shape: str, compressed: bool, details: bool) -> None:
    data = SHAPES[shape].encode()
    path = tmp_path / "events.json"
    path.write_bytes(gzip.compress(data) if compressed else data)
    same_events(path, details)


def test_the_demo_in_small_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = tmp_path / "events.jsonl.gz"
    records = demo_records("events.json.gz")
    lines.write_bytes(gzip.compress("\n".join(json.dumps(r) for r in records).encode()))
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 4096)  # many chunks, cut mid-line
    monkeypatch.setattr(fast, "PARALLEL_MIN_BYTES", 0)  # decoded by the worker processes
    same_events(lines)
    same_events(lines, details=True)
    same_events(ROOT / "report_specs/data/events.json.gz")
    same_events(ROOT / "report_specs/data/events.json.gz", details=True)


AWKWARD_TEXT = st.text(alphabet='{}[],:"\\ ab', max_size=12)
"""Strings full of what a page is cut at (`},{`), and quotes and brackets around it."""
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    AWKWARD_TEXT,
)
"""What `data.returncode`, `data.error` or `data.message` may hold: any JSON scalar."""
AWKWARD_DATA = st.dictionaries(
    st.sampled_from(["num_nodes", "message", "parts", "returncode", "error"]),
    st.one_of(
        SCALARS,
        st.lists(st.dictionaries(AWKWARD_TEXT, AWKWARD_TEXT, max_size=2), max_size=3),
    ),
    max_size=4,
).map(lambda data: {**data, "num_nodes": 2.0} if "num_nodes" in data else data)


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(AWKWARD_DATA, min_size=0, max_size=40),
    chunk_bytes=st.integers(min_value=1, max_value=600),
    layout=st.sampled_from(["results first", "count first", "more keys", "indented"]),
    details=st.booleans(),
)
def test_a_page_cut_into_chunks_reads_like_the_plain_reader(
    tmp_path_factory: pytest.TempPathFactory,
    data: list[dict[str, Any]],
    chunk_bytes: int,
    layout: str,
    details: bool,
) -> None:
    """Cuts land inside strings and inside `data`'s lists of objects; none may change a row."""
    records = [
        {**event(i, i % 3, i, "PREPROCESSED", "RUNNING"), "data": d}
        for i, d in enumerate(data, start=1)
    ]
    if layout == "results first":
        text = json.dumps({"results": records, "count": len(records)}, separators=(",", ":"))
    elif layout == "count first":
        text = json.dumps({"count": len(records), "results": records}, separators=(",", ":"))
    elif layout == "more keys":
        page = {"count": len(records), "next": None, "previous": "a", "results": records}
        text = json.dumps({**page, "after": 1}, separators=(",", ":"))
    else:
        text = json.dumps({"count": len(records), "results": records}, indent=1)
    path = tmp_path_factory.mktemp("page") / "events.json"
    path.write_text(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chunks, "CHUNK_BYTES", chunk_bytes)
        same_events(path, details)


def test_a_page_whose_results_key_is_not_the_pages_own(tmp_path: Path) -> None:
    records = [event(i, 1, i, "PREPROCESSED", "RUNNING") for i in range(1, 4)]
    path = tmp_path / "events.json"
    path.write_text(json.dumps({"meta": {"results": [records[0]]}, "results": records}))
    assert fast.read_event_table(path, set()).id.tolist() == [1, 2, 3]


def test_jobs_with_tags(tmp_path: Path) -> None:
    path = tmp_path / "jobs.json"
    path.write_text(
        json.dumps(
            [
                job(1, 2, 4, 7, experiment="a", campaign="x"),
                job(2, batch_job_id=None),
                {**job(3), "tags": None},
            ]
        )
    )
    quick = fast.read_job_table(path, {"experiment"})
    plain = jobs_from_records(read_records(path, "jobs"), path, {"experiment"})
    for name in ("id", "num_nodes", "node_packing_count", "batch_job_id"):
        assert getattr(quick, name).tolist() == getattr(plain, name).tolist()
    assert quick.tag_values["experiment"].tolist() == ["a", None, None]


@pytest.mark.parametrize("chunk_bytes", [1, 64, 4 << 20])
def test_a_page_of_jobs_cut_into_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_bytes: int
) -> None:
    jobs = [job(i, i % 4 + 1, 1, i, experiment='a"},{"id":' + str(i)) for i in range(1, 40)]
    path = tmp_path / "jobs.json"
    path.write_text(json.dumps({"count": len(jobs), "results": jobs}, separators=(",", ":")))
    monkeypatch.setattr(chunks, "CHUNK_BYTES", chunk_bytes)
    quick = fast.read_job_table(path, {"experiment"})
    plain = jobs_from_records(read_records(path, "jobs"), path, {"experiment"})
    for name in ("id", "num_nodes", "node_packing_count", "batch_job_id"):
        assert getattr(quick, name).tolist() == getattr(plain, name).tolist()
    assert quick.tag_values["experiment"].tolist() == [j["tags"]["experiment"] for j in jobs]


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        *MALFORMED_EVENTS_WITHOUT_NON_OBJECT,
        (
            {"id": 9, "job_id": 1, "timestamp": "soon", "from_state": "A", "to_state": "B"},
            "field 'timestamp' is not an ISO time: 'soon'",
        ),
    ],
)
@pytest.mark.parametrize("as_lines", [False, True])
def test_a_bad_record_is_named_by_its_place_in_the_file(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    record: dict[str, Any],
    problem: str,
    as_lines: bool,
) -> None:
    good = [event(i, 1, i, "PREPROCESSED", "RUNNING", num_nodes=1.0) for i in range(1, 301)]
    records = [*good, record, *good[:5]]
    path = tmp_path / "events.jsonl"
    if as_lines:
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
        monkeypatch.setattr(chunks, "CHUNK_BYTES", 2048)  # the bad record is in a later chunk
        monkeypatch.setattr(fast, "PARALLEL_MIN_BYTES", 0)
    else:
        path.write_text(json.dumps({"count": len(records), "results": records}))
        monkeypatch.setattr(chunks, "CHUNK_BYTES", 2048)  # the page is cut into chunks
        monkeypatch.setattr(fast, "PARALLEL_MIN_BYTES", 0)
    with pytest.raises(SourceError) as caught:
        fast.read_event_table(path, set())
    where = f"{path}:301" if as_lines else str(path)  # JSON Lines: the line number too
    assert str(caught.value) == f"{where}: event record 301: {problem}"


DETAILED = [
    event(1, 1, 0, "RUNNING", "RUN_ERROR", returncode=139, error="Segfault at 0x7f\nmore"),
    event(2, 1, 0, "RUN_ERROR", "FAILED", message="Job failed"),
    event(3, 2, 0, "RUNNING", "RUN_ERROR", returncode=1.0, error=["not", "text"], message=7),
    event(4, 3, 0, "RUNNING", "RUN_ERROR", returncode="1", error=""),
    event(5, 4, 0, "RUNNING", "RUN_ERROR", returncode=True, message={"a": 1}),
    event(6, 5, 0, "RUNNING", "RUN_ERROR", returncode=None, error=None),
    event(7, 6, 0, "RUNNING", "RUN_ERROR", returncode=2**60, error={"nested": [1, 2]}),
    event(8, 7, 0, "RUNNING", "RUN_ERROR", returncode=-0.5),
    {**event(9, 8, 0, "RUNNING", "RUN_TIMEOUT"), "data": None},
    {key: value for key, value in event(10, 9, 0, "RUNNING", "RUN_DONE").items() if key != "data"},
    event(11, 10, 0, "RUNNING", "RUN_ERROR", message="Job failed"),
]


@pytest.mark.parametrize("parallel", [False, True])
def test_details_are_read_alike_and_never_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    """Any JSON in returncode, error or message is read, by both readers alike: a number
    (within 2**53) as itself, anything else as odd (returncode) or None (texts); only for
    the events leaving RUNNING (the second record of each 11 has none)."""
    path = tmp_path / "events.jsonl"
    if parallel:
        monkeypatch.setattr(chunks, "CHUNK_BYTES", 512)
        monkeypatch.setattr(fast, "PARALLEL_MIN_BYTES", 0)
    path.write_text("\n".join(json.dumps({**r, "id": i}) for i, r in enumerate(DETAILED * 30)))
    same_events(path, details=True)
    table = fast.read_event_table(path, set(), details=True)
    assert table.details is not None
    assert table.details.position.tolist() == [
        block * 11 + i for block in range(30) for i in [0, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    ]
    nan = float("nan")
    expected = [139.0, 1.0, nan, nan, nan, nan, -0.5, nan, nan, nan]
    assert np.array_equal(table.details.returncode[:10], expected, equal_nan=True)
    odd = [False, False, True, True, False, True, False, False, False, False]
    assert table.details.odd_returncode[:10].tolist() == odd
    errors = ["Segfault at 0x7f\nmore", None, "", None, None, None, None, None, None, None]
    assert table.details.error[:10].tolist() == errors
    messages = [None, None, None, None, None, None, None, None, None, "Job failed"]
    assert table.details.message[:10].tolist() == messages


def test_details_with_data_filters_take_the_plain_reader(tmp_path: Path) -> None:
    path = tmp_path / "events.json"
    path.write_text(json.dumps(DETAILED))
    table = fast.read_event_table(path, {"message"}, details=True)
    assert table.data_values["message"].tolist()[:2] == [None, "Job failed"]
    assert table.details is not None
    assert table.details.message.tolist()[-2:] == [None, "Job failed"]
    assert fast.read_event_table(path, {"message"}).details is None


def test_a_duplicate_differing_only_in_its_error_is_one_when_details_are_read(
    tmp_path: Path,
) -> None:
    """`Identical` is every field reportgen reads: the error only counts when it is read."""
    first = event(1, 1, 0, "RUNNING", "RUN_ERROR", error="a")
    second = event(1, 1, 0, "RUNNING", "RUN_ERROR", error="b")
    path = tmp_path / "events.json"
    path.write_text(json.dumps([first, event(2, 1, 1, "RUN_ERROR", "FAILED"), second]))
    assert fast.read_event_table(path, set()).duplicates_dropped == 1
    message = f"{path}: event records 1 and 3 have the same id 1 but different data.error"
    with pytest.raises(SourceError) as caught:
        fast.read_event_table(path, set(), details=True)
    assert str(caught.value) == message
    with pytest.raises(SourceError) as caught:
        events_from_records(read_records(path, "events"), path, set(), True)
    assert str(caught.value) == message
    path.write_text(json.dumps([first, event(2, 1, 1, "RUN_ERROR", "FAILED"), first]))
    table = fast.read_event_table(path, set(), details=True)
    assert table.duplicates_dropped == 1
    assert table.details is not None and table.details.error.tolist() == ["a"]
    assert table.details.position.tolist() == [0]  # the event leaving RUNNING


def test_a_duplicate_differing_in_details_not_read_is_one(tmp_path: Path) -> None:
    """Details are read only for events leaving RUNNING: another event's message is not
    compared, as a field that is not read."""
    first = event(2, 1, 1, "RUN_ERROR", "FAILED", message="a")
    second = event(2, 1, 1, "RUN_ERROR", "FAILED", message="b")
    path = tmp_path / "events.json"
    path.write_text(json.dumps([event(1, 1, 0, "RUNNING", "RUN_ERROR"), first, second]))
    quick = fast.read_event_table(path, set(), details=True)
    plain = events_from_records(read_records(path, "events"), path, set(), True)
    for table in (quick, plain):
        assert table.duplicates_dropped == 1 and table.id.tolist() == [1, 2]
        assert table.details is not None and table.details.position.tolist() == [0]


def test_a_read_without_details_is_never_reused_for_one_that_needs_them() -> None:
    """The demo's events read twice through one `Reads`: once plain, once with details."""
    report = load_report(DEMO_SPEC)
    reads = Reads()
    plain = load_report_data(report, Needs(job_records=True), reads=reads)
    detailed = load_report_data(report, Needs(job_records=True, event_details=True), reads=reads)
    again = load_report_data(report, Needs(event_details=True), reads=reads)
    assert all(table.details is None for table in plain.events.values())
    for name, table in detailed.events.items():
        assert table.details is not None
        leaving = np.flatnonzero(table.from_state == table.code("RUNNING"))
        assert table.details.position.tolist() == leaving.tolist()
        assert len(table.details.returncode) == leaving.size
        assert same(again.events[name].details, table.details)
    assert same(roundtrip("k", detailed), detailed)  # the build cache keeps them


def test_details_of_lists_all_alike_are_none() -> None:
    """(NumPy would make a 2-d array of equal-length lists: each value stays one cell.)"""
    details = event_details([0, 1], [[1, 2], [3, 4]], [["a", "b"], ["c", "d"]], [[], []])
    assert details.odd_returncode.tolist() == [True, True]
    assert details.error.tolist() == [None, None] and details.message.tolist() == [None, None]


def _list_of_pages(records: list[dict[str, Any]], size: int) -> str:
    pages = [records[i : i + size] for i in range(0, len(records), size)]
    return json.dumps([{"count": len(records), "results": page} for page in pages], indent=1)


def test_a_list_of_pages_is_decoded_page_by_page_by_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Balsam's saved query (a list of `{count, results}` pages) is cut into its pages, which
    the worker processes decode: the same table as the plain reader's."""
    records = demo_records("events.json.gz")
    path = tmp_path / "events.json"
    path.write_text(_list_of_pages(records, 5_000))
    kinds = [kind for kind, _ in chunks.file_chunks(path, "events", lambda share: None, True)]
    assert kinds == ["page"] * -(-len(records) // 5_000)
    monkeypatch.setattr(fast, "PARALLEL_MIN_BYTES", 0)
    same_events(path)
    same_events(path, details=True)


@pytest.mark.parametrize("parallel", [False, True])
def test_a_bad_page_of_a_list_is_named_as_the_plain_reader_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool
) -> None:
    if parallel:
        monkeypatch.setattr(fast, "PARALLEL_MIN_BYTES", 0)
    good = [event(i, 1, i, "PREPROCESSED", "RUNNING", num_nodes=1.0) for i in range(1, 301)]
    path = tmp_path / "events.json"
    bad_record = [*good[:250], {**good[250], "timestamp": "soon"}, *good[251:]]
    path.write_text(_list_of_pages(bad_record, 100))
    with pytest.raises(SourceError) as caught:
        fast.read_event_table(path, set())
    assert (
        str(caught.value)
        == f"{path}: event record 251: field 'timestamp' is not an ISO time: 'soon'"
    )
    pages = json.loads(_list_of_pages(good, 100))
    pages[1]["count"] = "300"
    path.write_text(json.dumps(pages))
    with pytest.raises(SourceError) as caught:
        fast.read_event_table(path, set())
    with pytest.raises(SourceError) as plain:
        events_from_records(read_records(path, "events"), path, set())
    expected = "page 2: 'count' is \"300\": expected the number of records (an integer) or null"
    assert str(caught.value) == str(plain.value) == f"{path}: {expected}"


def _pages_text(records: list[dict[str, Any]], layout: str) -> str:
    pages = [records[i : i + 10] for i in range(0, len(records), 10)]
    if layout == "compact":  # as the server writes a page: {"count":N,"results":[...]}
        return json.dumps([{"count": 30, "results": p} for p in pages], separators=(",", ":"))
    if layout == "spaced":  # as json.dumps writes a list of them
        return json.dumps([{"count": 30, "results": p} for p in pages], indent=2)
    return json.dumps([{"next": None, "results": p, "count": 30} for p in pages])


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("layout", ["compact", "spaced", "results first"])
def test_a_list_of_pages_is_cut_as_it_is_read_and_a_header_inside_a_record_is_no_cut(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel: bool, layout: str
) -> None:
    """Pages are cut where `}`, `,` and a page header meet; the same text inside a record
    (an object in a list in its data) must not cut it: the pieces would not decode, and the
    file is read whole instead."""
    if parallel:
        monkeypatch.setattr(fast, "PARALLEL_MIN_BYTES", 0)
    records = [event(i, 1, i, "PREPROCESSED", "RUNNING", num_nodes=1.0) for i in range(1, 31)]
    path = tmp_path / "events.json"
    path.write_text(_pages_text(records, layout))
    cut = list(chunks.file_chunks(path, "events", lambda share: None, True))
    assert [kind for kind, _ in cut] == ["page"] * 3
    assert [[r["id"] for r in json.loads(page)["results"]] for _, page in cut] == [
        list(range(1, 11)),
        list(range(11, 21)),
        list(range(21, 31)),
    ]
    trap = [{}, {"count": 1, "results": [{"id": 7}]}]  # "}, {"count": 1, "results": ["
    records[4]["data"]["nested"] = trap
    path.write_text(_pages_text(records, layout))
    assert fast.read_event_table(path, set()).id.tolist() == list(range(1, 31))
    same_events(path)
