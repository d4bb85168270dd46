"""Spec loading: the demo spec, every user-facing error message word for word, the reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import SpecError
from reportgen.spec import FilesSource, load_report, load_reports
from reportgen.spec.model import BalsamSource
from reportgen.spec.reference import key_rows, reference_markdown
from reportgen.spec.schema import REPORT

ROOT = Path(__file__).resolve().parent.parent

VALID = """\
title: Run 42
source:
  files: {events: e.json, jobs: j.json, batch_jobs: b.json}
queries:
  events:
    demo: {tags: {experiment: demo}}
  batch_jobs:
    demo: {filter_tags: {experiment: demo}}
charts:
  - {id: throughput, type: throughput, events: demo}
  - {id: nodes, type: available_nodes, batch_jobs: demo}
"""


def write(tmp_path: Path, text: str, name: str = "run42.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # errors show paths relative to the working folder


def problems_of(tmp_path: Path, text: str) -> list[str]:
    """The problems `load_report` raises for a spec with this text."""
    with pytest.raises(SpecError) as caught:
        load_report(write(tmp_path, text))
    return caught.value.problems


def test_the_issue_example_spec_loads_as_written(tmp_path: Path) -> None:
    report = load_report(ROOT / "report_specs" / "demo.yaml")
    assert report.title == "Demo experiment"
    assert report.event_queries["restarts"].from_state == "RESTART_READY"
    assert report.event_queries["demo"].tags == (("experiment", "demo"),)
    assert report.batch_job_queries["demo"].filter_tags == (("experiment", "demo"),)
    assert [c.type for c in report.charts][:3] == ["throughput", "utilization", "available_nodes"]
    assert report.charts[1].options.available_nodes == "demo"
    assert report.charts[1].options.node_weighting
    assert isinstance(report.source, FilesSource)
    assert report.source.events == ROOT / "report_specs" / "data" / "events.json.gz"
    assert report.as_of is not None and report.as_of.isoformat() == "2024-03-01T18:00:00+00:00"
    assert report.warnings == ()


def test_defaults_fill_in(tmp_path: Path) -> None:
    report = load_report(write(tmp_path, VALID))
    chart = report.charts[0]
    assert (chart.title, chart.width, chart.height, chart.formats, chart.options.to_state) == (
        "Throughput",
        800,
        300,
        ("png", "svg", "pdf"),
        "JOB_FINISHED",
    )
    assert report.time_axis.kind == "elapsed_minutes" and report.as_of is None
    assert report.summary.events == "demo" and report.summary.batch_jobs == "demo"
    assert isinstance(report.source, FilesSource)
    assert report.source.events == tmp_path / "e.json"


def test_tag_values_may_be_integers_and_lists_of_ids_are_tuples(tmp_path: Path) -> None:
    text = VALID.replace(
        "demo: {tags: {experiment: demo}}",
        "demo: {tags: {scale: 512}, job_id: [3, 4], timestamp_after: '2024-03-01 10:00:00+02:00'}",
    )
    query = load_report(write(tmp_path, text)).event_queries["demo"]
    assert query.tags == (("scale", "512"),) and query.job_id == (3, 4)
    assert query.timestamp_after is not None
    assert query.timestamp_after.isoformat() == "2024-03-01T08:00:00+00:00"


ERRORS = [
    (
        "type typo",
        (
            "type: throughput, events: demo}\n  - {id: nodes",
            "type: throughput, events: demo}\n  - {id: nodes",
        ),
        "- {id: x, type: thruput}",
        "run42.yaml:12: charts[2].type: expected one of throughput, utilization, "
        "available_nodes, states, durations, node_hours, failures, jobs_table, allocations, "
        "scaling; "
        "got 'thruput'",
    ),
    (
        "undefined query",
        None,
        "- {id: x, type: throughput, events: demoo}",
        "run42.yaml:12: charts[2].events: expected one of the event queries (demo); got 'demoo'",
    ),
    (
        "undefined batch query",
        None,
        "- {id: x, type: available_nodes, batch_jobs: nope}",
        "run42.yaml:12: charts[2].batch_jobs: expected one of the batch-job queries (demo); "
        "got 'nope'",
    ),
    (
        "duplicate id",
        None,
        "- {id: nodes, type: throughput, events: demo}",
        "run42.yaml:12: charts[2].id: expected an id not used before; got 'nodes'",
    ),
    (
        "bad id",
        None,
        "- {id: 'a b', type: throughput, events: demo}",
        "run42.yaml:12: charts[2].id: expected a file name of letters, digits, '_' or '-'; "
        "got 'a b'",
    ),
    (
        "id too long",
        None,
        f"- {{id: {'a' * 300}, type: throughput, events: demo}}",
        "run42.yaml:12: charts[2].id: expected at most 64 characters; got 300 "
        "('aaaaaaaaaaaaaaaaaaaa'...)",
    ),
    (
        "missing events",
        None,
        "- {id: x, type: utilization}",
        "run42.yaml:12: charts[2].events: missing (a utilization chart needs it)",
    ),
    (
        "width",
        None,
        "- {id: x, type: throughput, events: demo, width: 50}",
        "run42.yaml:12: charts[2].width: expected an integer from 200 to 4000; got 50",
    ),
    (
        "format",
        None,
        "- {id: x, type: throughput, events: demo, formats: [png, jpg]}",
        "run42.yaml:12: charts[2].formats[1]: expected one of png, svg, pdf; got 'jpg'",
    ),
    (
        "impossible date as a title",
        None,
        "- {id: x, type: throughput, events: demo, title: 2024-02-30}",
        "run42.yaml:12: charts[2].title: expected a string; got '2024-02-30'",
    ),
    (
        "weighting",
        None,
        "- {id: x, type: utilization, events: demo, node_weighting: 'yes please'}",
        "run42.yaml:12: charts[2].node_weighting: expected true or false; got 'yes please'",
    ),
]


@pytest.mark.parametrize(
    ("extra_chart", "expected"), [(e[2], e[3]) for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_chart_errors_name_file_line_key_value_and_expectation(
    tmp_path: Path, extra_chart: str, expected: str
) -> None:
    assert problems_of(tmp_path, VALID + "  " + extra_chart + "\n") == [expected]


TOP_LEVEL_ERRORS = [
    (
        "bad as_of",
        "as_of: yesterday\n",
        "run42.yaml:12: as_of: expected an ISO 8601 time like 2024-03-01T18:00:00Z; "
        "got 'yesterday'",
    ),
    (
        "date only",
        "as_of: 2024-03-01\n",
        "run42.yaml:12: as_of: expected an ISO 8601 time like 2024-03-01T18:00:00Z; "
        "got datetime.date(2024, 3, 1)",
    ),
    (
        "impossible date",  # PyYAML's own date constructor fails on it (no traceback here)
        "as_of: 2024-13-01\n",
        "run42.yaml:12: as_of: expected an ISO 8601 time like 2024-03-01T18:00:00Z; "
        "got '2024-13-01'",
    ),
    (
        "bad zone",
        "time_axis: Mars/Olympus\n",
        "run42.yaml:12: time_axis: expected elapsed_minutes, utc or an IANA time zone like "
        "America/Chicago; got 'Mars/Olympus'",
    ),
    (
        "title type",
        "summary: {events: nope}\n",
        "run42.yaml:12: summary.events: expected one of the event queries (demo); got 'nope'",
    ),
]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [(e[1], e[2]) for e in TOP_LEVEL_ERRORS],
    ids=[e[0] for e in TOP_LEVEL_ERRORS],
)
def test_top_level_errors(tmp_path: Path, extra: str, expected: str) -> None:
    assert problems_of(tmp_path, VALID + extra) == [expected]


QUERY_ERRORS = [
    (
        "state typo",
        "{to_state: RUNNIN}",
        "run42.yaml:6: queries.events.demo.to_state: expected one of CREATED, AWAITING_PARENTS, "
        "READY, STAGED_IN, PREPROCESSED, RUNNING, RUN_DONE, RUN_ERROR, RUN_TIMEOUT, RESTART_READY, "
        "POSTPROCESSED, STAGED_OUT, JOB_FINISHED, FAILED; got 'RUNNIN'",
    ),
    (
        "tag key with colon",
        "{tags: {'a:b': c}}",
        "run42.yaml:6: queries.events.demo.tags.a:b: expected a non-empty key without ':'; "
        "got 'a:b'",
    ),
    (
        "tag value list",
        "{tags: {a: [1, 2]}}",
        "run42.yaml:6: queries.events.demo.tags.a: expected a string value (quote it); "
        "got 'a list'",
    ),
    (
        "tag value an impossible date",  # refused as a date is, not read as its text
        "{tags: {a: 2024-13-01}}",
        "run42.yaml:6: queries.events.demo.tags.a: expected a string value (quote it); "
        "got '2024-13-01'",
    ),
    (
        "bad id",
        "{job_id: [1, -2]}",
        "run42.yaml:6: queries.events.demo.job_id[1]: expected a positive integer; got -2",
    ),
    (
        "empty id list",
        "{id: []}",
        "run42.yaml:6: queries.events.demo.id: expected an id or a list of ids (not empty); got []",
    ),
    (
        "bad timestamp",
        "{timestamp_before: '2024-13-01T00:00:00'}",
        "run42.yaml:6: queries.events.demo.timestamp_before: expected an ISO 8601 time like "
        "2024-03-01T18:00:00Z; got '2024-13-01T00:00:00'",
    ),
    (
        "duplicate tag key",
        "{tags: {a: x, a: y}}",
        "run42.yaml:6: queries.events.demo.tags.a: duplicate key (Balsam cannot OR two values)",
    ),
]


@pytest.mark.parametrize(
    ("query", "expected"), [(e[1], e[2]) for e in QUERY_ERRORS], ids=[e[0] for e in QUERY_ERRORS]
)
def test_query_errors(tmp_path: Path, query: str, expected: str) -> None:
    text = VALID.replace("demo: {tags: {experiment: demo}}", "demo: " + query)
    assert problems_of(tmp_path, text) == [expected]


def test_batch_job_state_must_be_a_balsam_state(tmp_path: Path) -> None:
    text = VALID.replace(
        "demo: {filter_tags: {experiment: demo}}", "demo: {state: [running, done]}"
    )
    assert problems_of(tmp_path, text) == [
        "run42.yaml:8: queries.batch_jobs.demo.state[1]: expected one of pending_submission, "
        "queued, running, finished, submit_failed, pending_deletion; got 'done'"
    ]


def test_a_query_needing_a_missing_file_is_an_error(tmp_path: Path) -> None:
    text = VALID.replace(
        "{events: e.json, jobs: j.json, batch_jobs: b.json}", "{events: e.json, batch_jobs: b.json}"
    )
    assert problems_of(tmp_path, text) == [
        "run42.yaml:6: queries.events.demo.tags: needs source.files.jobs (events carry no "
        "tags); add it"
    ]


def test_missing_required_keys(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "description: nothing else\n") == [
        "run42.yaml:1: title: missing (expected a string)",
        "run42.yaml:1: source: missing (expected a mapping with the key files or balsam)",
        "run42.yaml:1: charts: missing (expected a list of charts)",
    ]


def test_yaml_syntax_errors_keep_the_line(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "title: x\ncharts: [\n  {id: a\n")[0].startswith(
        "run42.yaml:4: YAML syntax error (column 1):"
    )


def test_empty_and_unreadable_files(tmp_path: Path) -> None:
    assert problems_of(tmp_path, "") == [
        "run42.yaml:1: expected a mapping (the report spec); got an empty file"
    ]
    with pytest.raises(SpecError) as caught:
        load_report(tmp_path / "absent.yaml")
    assert caught.value.problems[0].startswith("absent.yaml: cannot read the spec:")


def test_unknown_keys_warn_and_fail_under_strict(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("title: Run 42", "title: Run 42\ncolour: red"))
    assert load_report(path).warnings == (
        "run42.yaml:2: colour: unknown key (known keys: title, description, source, as_of, "
        "time_axis, queries, runs, baseline, steady_state, charts, figure, summary, group)",
    )
    with pytest.raises(SpecError) as caught:
        load_report(path, strict=True)
    assert caught.value.problems == list(load_report(path).warnings)


def test_keys_that_do_not_apply_to_a_chart_type_warn(tmp_path: Path) -> None:
    path = write(
        tmp_path, VALID + "  - {id: x, type: throughput, events: demo, node_weighting: false}\n"
    )
    assert load_report(path).warnings == (
        "run42.yaml:12: charts[2].node_weighting: does not apply to a throughput chart",
    )


def test_all_problems_of_all_specs_are_reported_together(tmp_path: Path) -> None:
    one = write(tmp_path, VALID + "as_of: nope\n", "one.yaml")
    two = write(tmp_path, VALID + "time_axis: nowhere\n", "two.yaml")
    with pytest.raises(SpecError) as caught:
        load_reports([one, two])
    assert [p.split(":")[0] for p in caught.value.problems] == ["one.yaml", "two.yaml"]


def test_every_schema_key_is_documented_and_the_reference_is_current() -> None:
    rows = list(key_rows(REPORT))
    assert len(rows) > 40
    for path, key in rows:
        assert key.doc.strip(), f"{path} has no documentation"
    reference = (ROOT / "docs" / "spec-reference.md").read_text(encoding="utf-8")
    for path, _ in rows:
        assert f"| `{path}` |" in reference, f"{path} is missing from docs/spec-reference.md"
    assert reference == reference_markdown(), (
        "docs/spec-reference.md is stale: run `python -m reportgen.spec.reference`"
    )


def test_a_balsam_source_with_defaults(tmp_path: Path) -> None:
    text = VALID.replace(
        "  files: {events: e.json, jobs: j.json, batch_jobs: b.json}", "  balsam: {}"
    )
    source = load_report(write(tmp_path, text)).source
    assert isinstance(source, BalsamSource)
    assert (
        source.api_root,
        source.client_config,
        source.page_size,
        source.snapshots,
        source.parallel,
    ) == (None, None, 100_000, True, 4)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "  balsam: {page_size: 200000}",
            "run42.yaml:3: source.balsam.page_size: expected an integer from 1 to 100000; "
            "got 200000",
        ),
        (
            "  balsam: {parallel: 0}",
            "run42.yaml:3: source.balsam.parallel: expected an integer from 1 to 8; got 0",
        ),
        (
            "  balsam:\n    parallel: 9",
            "run42.yaml:4: source.balsam.parallel: expected an integer from 1 to 8; got 9",
        ),
        (
            "  balsam: {}\n  files: {events: e.json}",
            "run42.yaml:3: source: expected exactly one of files or balsam; got files and balsam",
        ),
        ("  {}", "run42.yaml:3: source: expected exactly one of files or balsam; got neither"),
    ],
)
def test_source_errors(tmp_path: Path, source: str, expected: str) -> None:
    text = VALID.replace("  files: {events: e.json, jobs: j.json, batch_jobs: b.json}", source)
    assert problems_of(tmp_path, text) == [expected]
